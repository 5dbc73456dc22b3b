"""CPA certificates expired or expiring, with each Supplier's devices and plan (``smki.cpa``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from tui import sources
from tui.typed import OfApp
from tui.widgets.detail import DetailPane
from tui.widgets.inputs import TextInput
from tui.widgets.keyline import KeyLine
from tui.widgets.title import title_bar

#: Looking this far ahead lists (nearly) every certificate on the CPL.
ALL_HORIZON_DAYS = 36_500
_STYLES = {"expired": "bold #ffffff on #a00000", "critical": "bold red", "warning": "dark_orange"}


class CpaScreen(OfApp, Screen[None]):
    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("h", "horizon", "Alerts only / all"),
        Binding("escape", "back", "Back", show=False),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self) -> None:
        super().__init__()
        self.horizon: int | None = None
        self.alerts: list = []
        self.shown: list = []

    def compose(self) -> ComposeResult:
        yield title_bar(self.app, "CPA certificates")
        with Horizontal(id="body"):
            with Vertical(classes="cpa-list"):
                yield TextInput(
                    placeholder="Filter: manufacturer, model, firmware, CPA id, supplier",
                    id="filter",
                )
                yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
                yield Label("", id="summary")
            yield DetailPane(id="detail")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        self.query_one("#rows", DataTable).add_columns(
            "CPA id", "Manufacturer", "Model", "Firmware", "Expires", "Days", "Severity", "Devices"
        )
        self.reload()
        self.query_one("#rows", DataTable).focus()

    def reload(self) -> None:
        session = self.app.session
        try:
            report = sources.cpa_report(
                session.db_path, session.today, self.app.policies, self.horizon
            )
        except Exception as exc:
            self.query_one("#summary", Label).update(f"could not build the CPA report: {exc}")
            return
        self.report = report
        self.alerts = list(report.certificates)
        self._show(self.query_one("#filter", TextInput).value)

    def _show(self, text: str) -> None:
        words = text.casefold().split()

        def matches(alert) -> bool:
            hay = " ".join(
                [
                    alert.cpa_id,
                    alert.manufacturer,
                    alert.model,
                    alert.firmware_version,
                    alert.device_type,
                    *(s.supplier for s in alert.suppliers),
                ]
            ).casefold()
            return all(w in hay for w in words)

        self.shown = [a for a in self.alerts if matches(a)]
        table = self.query_one("#rows", DataTable)
        table.clear()
        for a in self.shown:
            table.add_row(
                a.cpa_id,
                a.manufacturer,
                a.model,
                a.firmware_version,
                a.expires.isoformat(),
                str(a.days_left),
                Text(str(a.severity), style=_STYLES.get(str(a.severity), "")),
                f"{a.installed_devices:,}",
            )
        scope = (
            "all certificates"
            if self.horizon
            else f"expiring within {self.report.horizon_days} days"
        )
        if not sources.cpa_loaded(self.app.session.db_path):
            self.query_one("#summary", Label).update(
                "no CPA data loaded: import the CPL with `ssc cpa import certificates FILE`"
            )
            self._detail()
            return
        self.query_one("#summary", Label).update(
            f"{len(self.shown)} of {len(self.alerts)} ({scope}; h switches) · as of {self.app.session.today}"
        )
        self._detail()

    def _detail(self) -> None:
        table = self.query_one("#rows", DataTable)
        pane = self.query_one(DetailPane)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            pane.show(
                "No CPA certificate selected."
                if self.alerts
                else "No CPA certificates in this register: import them with `ssc cpa import`."
            )
            return
        a = self.shown[table.cursor_row]
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold")
        grid.add_column()
        for label, value in (
            ("device", f"{a.device_type} {a.manufacturer} {a.model}"),
            ("hardware", a.hardware_version),
            ("firmware", a.firmware_version),
            ("CPL status", a.status),
            ("expires", f"{a.expires} ({a.days_left:+d} d)"),
        ):
            grid.add_row(label, str(value))
        suppliers = Table("Supplier", "Devices", "Plan", "Due", box=None, padding=(0, 1))
        for s in a.suppliers:
            suppliers.add_row(
                s.supplier,
                f"{s.devices:,}",
                Text(str(s.plan), style="bold red" if s.needs_action else ""),
                str(s.due or ""),
            )
        from rich.console import Group

        pane.show(Group(Text(f"CPA {a.cpa_id}", style="bold"), grid, suppliers))

    @on(TextInput.Changed, "#filter")
    def _filter(self, event: TextInput.Changed) -> None:
        self._show(event.value)

    @on(TextInput.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#rows", DataTable).focus()

    @on(DataTable.RowHighlighted, "#rows")
    def _highlighted(self) -> None:
        self._detail()

    def action_filter(self) -> None:
        self.query_one("#filter", TextInput).focus()

    def action_horizon(self) -> None:
        self.horizon = None if self.horizon else ALL_HORIZON_DAYS
        self.reload()

    def action_back(self) -> None:
        self.app.action_go("dashboard")
