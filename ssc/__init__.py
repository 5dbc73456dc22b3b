"""ssc: the SEC Security Sub-Committee secretariat's workbench (shared core and command line)."""

__version__ = "0.1.0"
