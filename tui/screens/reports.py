"""Write the month's Panel report and Appendix A, and the CPA report, to files."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from ssc.errors import SSCError
from tui import keymap, sources
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextInput


class ReportsScreen(ModalScreen[None]):
    BINDINGS = keymap.DIALOG

    def compose(self) -> ComposeResult:
        session = self.app.session
        with Vertical(id="dialog"):
            yield Static("Reports — written to files", classes="dialog-title")
            yield Label("Month (YYYY-MM) of the Panel report", classes="field-label")
            yield TextInput(value=f"{session.today:%Y-%m}", id="f-month")
            yield ErrorLabel("err-month")
            yield Label("Format", classes="field-label")
            yield Select([(name, name) for name in sources.REPORT_FORMATS], value="markdown",
                         allow_blank=False, id="f-format")
            yield Label("Folder", classes="field-label")
            yield TextInput(value=str(session.out_dir), id="f-folder")
            yield ErrorLabel("err-_record")
            yield Label("", id="report-result")
            with Horizontal(classes="buttons"):
                yield Button("Panel report + Appendix A", variant="primary", id="panel")
                yield Button("CPA report", id="cpa")
                yield Button("Close  esc", id="cancel")

    def _folder(self) -> Path:
        return Path(self.query_one("#f-folder", TextInput).value.strip() or ".").expanduser()

    def _format(self) -> str:
        return str(self.query_one("#f-format", Select).value)

    def _error(self, target: str, message: str) -> None:
        show_error(self, target.removeprefix("#err-"), message)

    def _done(self, paths: list[Path]) -> None:
        for label in self.query(ErrorLabel):
            label.clear()
        lines = "\n".join(f"wrote {p}" for p in paths)
        self.query_one("#report-result", Label).update(lines)
        self.app.notify(lines)

    @on(Button.Pressed, "#panel")
    def action_submit(self) -> None:
        month = self.query_one("#f-month", TextInput).value.strip()
        try:
            paths = sources.write_panel(self.app.register, month, self._folder(), self._format())
        except SSCError as exc:
            field = getattr(exc, "field", None)
            self._error("#err-month" if field == "month" or "month" in str(exc).lower()
                        else "#err-_record", str(exc))
            return
        except (OSError, ValueError) as exc:
            self._error("#err-_record", str(exc))
            return
        self._done(paths)

    @on(Button.Pressed, "#cpa")
    def write_cpa(self) -> None:
        fmt = self._format() if self._format() in sources.CPA_FORMATS else "markdown"
        try:
            path = sources.write_cpa(self.app.session.db_path, self.app.session.today,
                                     self._folder(), fmt)
        except (SSCError, OSError, ValueError) as exc:
            self._error("#err-_record", str(exc))
            return
        self._done([path])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

