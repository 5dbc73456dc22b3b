"""Text inputs that follow the session's cursor-blink setting (off in tests and snapshots)."""

from __future__ import annotations

from textual.widgets import Input, TextArea


class TextInput(Input):
    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False


class TextBox(TextArea):
    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False
