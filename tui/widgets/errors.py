"""The line under a field that says what is wrong with it; hidden while nothing is."""

from __future__ import annotations

from textual.widgets import Label


class ErrorLabel(Label):
    def __init__(self, id: str) -> None:
        super().__init__("", id=id, classes="error")

    def show(self, message: str) -> None:
        self.update(f"✗ {message}")
        self.add_class("-shown")
        self.scroll_visible()

    def clear(self) -> None:
        self.update("")
        self.remove_class("-shown")


def show_error(screen, field: str | None, message: str) -> None:
    """Clear every error of ``screen`` and show ``message`` beside ``field`` (or at the top)."""
    for label in screen.query(ErrorLabel):
        label.clear()
    if field and screen.query(f"#err-{field}"):
        screen.query_one(f"#err-{field}", ErrorLabel).show(message)
    else:
        prefix = f"{field}: " if field else ""
        screen.query_one("#err-_record", ErrorLabel).show(prefix + message)
