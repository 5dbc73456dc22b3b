"""The detail pane beside a list: whatever ``tui.details`` says about the highlighted record."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Static


class DetailPane(VerticalScroll):
    def compose(self):
        yield Static("Nothing selected.", id="detail-body")

    def show(self, renderable) -> None:
        self.query_one("#detail-body", Static).update(renderable)
