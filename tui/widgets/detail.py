"""The detail pane beside a list: whatever ``tui.details`` says about the highlighted record."""

from __future__ import annotations

import io

from rich.console import Console
from textual.containers import VerticalScroll
from textual.widgets import Static


class DetailPane(VerticalScroll):
    def compose(self):
        yield Static("Nothing selected.", id="detail-body")

    def show(self, renderable) -> None:
        self.shown = renderable
        self.query_one("#detail-body", Static).update(renderable)

    @property
    def text(self) -> str:
        """What the pane says, as plain text (for a screen reader's copy, and for tests)."""
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(getattr(self, "shown", "Nothing selected."))
        return console.export_text()
