"""The Textual terminal UI: screens and widgets over ``assurance`` and ``smki``, with no rules of its own."""
