"""Write the month's Panel report and Appendix A, and the CPA report, to files."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from assurance.formats import PANEL
from core.errors import SSCError
from core.formats import Family
from smki.cpa.formats import CPA
from tui import keymap, sources
from tui.typed import OfApp
from tui.widgets.errors import ErrorLabel, show_error
from tui.widgets.inputs import TextInput


def format_menu(family: Family, menu_id: str) -> Select[str]:
    """The formats of ``family`` as its registry lists them, the family's default chosen."""
    described = "; ".join(f"{f.name} ({f.suffix}): {f.help}" for f in family)
    return Select(
        [(f.name, f.name) for f in family],
        value=family.default,
        allow_blank=False,
        id=menu_id,
        tooltip=f"{family.name}: {described}",
    )


class ReportsScreen(OfApp, ModalScreen[None]):
    """The Panel paper for the month before today's (as it is written in January for December)."""

    BINDINGS = [*keymap.REPORTS]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def compose(self) -> ComposeResult:
        session = self.app.session
        with Vertical(id="dialog", classes="reports"):
            yield Static("Reports — written to files", classes="dialog-title")
            yield Label("Month (YYYY-MM) of the Panel report", classes="field-label")
            yield TextInput(value=f"{sources.report_month(session.today):%Y-%m}", id="f-month")
            yield ErrorLabel("err-month")
            yield Label(
                "Panel paper reference (e.g. SECP_66_1503_19; optional)", classes="field-label"
            )
            yield TextInput(id="f-paper_ref", placeholder="SECP_…")
            yield ErrorLabel("err-paper_ref")
            yield Label("Formats: Panel report, CPA report", classes="field-label")
            with Horizontal(classes="formats"):
                yield format_menu(PANEL, "f-format")
                yield format_menu(CPA, "f-cpa-format")
            yield Label("Folder", classes="field-label")
            yield TextInput(value=str(session.out_dir), id="f-folder")
            yield ErrorLabel("err-_record")
            yield Label("", id="report-result")
            yield Label("Preview of the main part (ctrl+r after a change)", classes="field-label")
            with VerticalScroll(id="preview-box"):
                yield Static("", id="preview")
            with Horizontal(classes="buttons"):
                yield Button("Panel report + Appendix A  ctrl+s", variant="primary", id="panel")
                yield Button("CPA report", id="cpa")
                yield Button("Close  esc", id="cancel")

    def on_mount(self) -> None:
        self.action_preview()
        self.query_one("#f-month", TextInput).focus()

    def _paper_ref(self) -> str | None:
        return self.query_one("#f-paper_ref", TextInput).value.strip() or None

    def _month(self) -> str:
        return self.query_one("#f-month", TextInput).value.strip()

    @on(TextInput.Submitted, "#f-month, #f-paper_ref")
    def action_preview(self) -> None:
        from rich.markdown import Markdown

        try:
            text = sources.preview_panel(self.app.register, self._month(), self._paper_ref())
        except SSCError as exc:
            self._error(self._field_of(exc), str(exc))
            self.query_one("#preview", Static).update("")
            return
        for label in self.query(ErrorLabel):
            label.clear()
        self.query_one("#preview", Static).update(Markdown(text))
        self.preview_text = text

    @staticmethod
    def _field_of(exc: SSCError) -> str:
        field = getattr(exc, "field", None) or ""
        if "paper" in field:
            return "#err-paper_ref"
        if field == "month" or "month" in str(exc).lower():
            return "#err-month"
        return "#err-_record"

    def _folder(self) -> Path:
        return Path(self.query_one("#f-folder", TextInput).value.strip() or ".").expanduser()

    def _format(self, menu: str = "#f-format") -> str:
        return str(self.query_one(menu, Select).value)

    def _error(self, target: str, message: str) -> None:
        show_error(self, target.removeprefix("#err-"), message)

    def _done(self, paths: list[Path]) -> None:
        for label in self.query(ErrorLabel):
            label.clear()
        # File names here (the folder is the field above); full paths in the notification.
        self.query_one("#report-result", Label).update("wrote " + ", ".join(p.name for p in paths))
        self.app.notify("\n".join(f"wrote {p}" for p in paths))

    @on(Button.Pressed, "#panel")
    def action_submit(self) -> None:
        try:
            paths = sources.write_panel(
                self.app.register,
                self._month(),
                self._folder(),
                self._format(),
                paper_ref=self._paper_ref(),
            )
        except SSCError as exc:
            self._error(self._field_of(exc), str(exc))
            return
        except (OSError, ValueError) as exc:
            self._error("#err-_record", str(exc))
            return
        self._done(paths)

    @on(Button.Pressed, "#cpa")
    def write_cpa(self) -> None:
        try:
            path = sources.write_cpa(
                self.app.session.db_path,
                self.app.session.today,
                self._folder(),
                self._format("#f-cpa-format"),
                self.app.policies,
            )
        except (SSCError, OSError, ValueError) as exc:
            self._error("#err-_record", str(exc))
            return
        self._done([path])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
