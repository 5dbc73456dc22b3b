"""Widgets the screens are built from; they show what the packages say and hold no rules."""
