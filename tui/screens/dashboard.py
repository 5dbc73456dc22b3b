"""The dashboard: what is due and overdue, this month's decisions, CPA and SMKI alerts, the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from assurance.models import Finding
from tui import keymap, present, sources
from tui.screens.base import AppScreen
from tui.state import ListState
from tui.widgets.keyline import KeyLine
from tui.widgets.record_table import RowsTable
from tui.widgets.title import title_bar

if TYPE_CHECKING:
    from smki.cpa.report import CpaReport

#: Due items listed at once; the count line says how many there are in all.
DUE_ROWS = 200
_SEVERITY_STYLES = {
    "expired": "bold #ffffff on #a00000",
    "critical": "bold red",
    "warning": "dark_orange",
    "notice": "",
    "ok": "dim",
}


class DashboardScreen(AppScreen):
    BINDINGS = [*keymap.DASHBOARD]
    #: The due list takes the keys at once (not the scrolling panel around it).
    AUTO_FOCUS = "#due"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self) -> None:
        super().__init__()
        self._due: list = []
        #: The audit trail's head when the due items were last computed: unchanged, no recompute.
        self._due_head: str | None = None
        self._suspended = False
        self.audit_state = "not checked this session (v verifies)"

    def compose(self) -> ComposeResult:
        yield title_bar(self.app, "Dashboard")
        with VerticalScroll(id="dash"):
            yield Static("", id="counts")
            with Vertical(id="due-box", classes="panel"):
                yield Static("Due and overdue — computing…", id="due-title", classes="panel-title")
                yield RowsTable(id="due", cursor_type="row", zebra_stripes=True)
            with Vertical(id="month-box", classes="panel"):
                yield Static("Decisions this month", id="month-title", classes="panel-title")
                yield RowsTable(id="month", cursor_type="row", zebra_stripes=True)
            with Vertical(id="alerts-box", classes="panel"):
                yield Static("Alerts", classes="panel-title")
                yield Static("CPA certificates: checking…", id="cpa")
                yield Static("", id="smki")
                yield Static("", id="audit")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        due = self.query_one("#due", DataTable)
        due.add_columns("Due", "Days", "Class", "Party", "What", "Subject")
        month = self.query_one("#month", DataTable)
        month.add_columns("Date", "Subject", "Party", "Status", "Class")
        self.reload()
        due.focus()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # Back from a list or a dialog (not the first showing: on_mount has just loaded).
        if self._suspended:
            self._suspended = False
            self.reload()

    # -- loading -------------------------------------------------------------------------
    def reload(self, force: bool = False) -> None:
        """Counts and decisions at once; due items and alerts from a worker, if anything changed."""
        register, today = self.app.register, self.app.session.today
        counts = sources.counts(register, today)
        self.query_one("#counts", Static).update(
            f"{counts.parties:,} parties · {counts.assessments:,} assessments · "
            f"{counts.letters:,} letters · {counts.open_findings:,} open findings · "
            f"{counts.decisions_this_month:,} decisions in {today:%B %Y}"
        )
        self._show_month(sources.month_decisions(register, today))
        self._show_audit(counts)
        self._big = counts.assessments + counts.open_findings > sources.SEPARATE_PROCESS_ABOVE
        if force or counts.head != self._due_head:
            self._due_head = counts.head
            self._computing(counts)
            # Paint first; the due list and the alerts follow from a worker.
            self.call_after_refresh(self.load_alerts)

    def _computing(self, counts: sources.Counts) -> None:
        """Say the due items are on their way (over a big register, some seconds)."""
        what = (
            f"over {counts.assessments:,} assessments and {counts.open_findings:,} open findings"
            " — the rest of the dashboard is ready"
        )
        again = " (still showing the last ones)" if self._due else ""
        self.query_one("#due-title", Static).update(f"Due and overdue — computing… {what}{again}")
        if not self._due:
            table = self.query_one("#due", DataTable)
            table.clear()
            table.add_row("…", "", "", "", "computing due and overdue items…", "")

    def _show_month(self, decisions) -> None:
        table = self.query_one("#month", DataTable)
        table.clear()
        for d in decisions:
            table.add_row(
                d.date, d.subject, d.party or "", d.status, present.badge(d.classification)
            )
        if not decisions:
            table.add_row("", "none yet this month", "", "", "")

    def _show_audit(self, counts: sources.Counts) -> None:
        self.query_one("#audit", Static).update(
            f"Audit trail: {counts.events:,} events · head {counts.head[:12]}… · {self.audit_state}"
        )

    @work(thread=True, exclusive=True, group="dashboard")
    def load_alerts(self) -> None:
        """Due items and alerts, computed off the UI thread on a connection of their own."""
        session = self.app.session
        due: sources.DueSummary | Exception
        try:
            due = sources.due_summary(
                session.db_path,
                session.actor,
                session.today,
                DUE_ROWS,
                policies=self.app.policies,
                separate_process=self._big,
            )
        except Exception as exc:  # shown, not raised: the dashboard must still open
            due = exc
        self.app.call_from_thread(self._show_due, due)
        cpa: CpaReport | Exception | None
        try:
            cpa = (
                sources.cpa_report(session.db_path, session.today, self.app.policies)
                if sources.cpa_loaded(session.db_path)
                else None
            )
        except Exception as exc:
            cpa = exc
        self.app.call_from_thread(self._show_cpa, cpa)
        certs = sources.smki_certificates(session.certs, session.today, self.app.policies)
        self.app.call_from_thread(self._show_smki, certs)

    def _show_due(self, due: sources.DueSummary | Exception) -> None:
        title = self.query_one("#due-title", Static)
        table = self.query_one("#due", DataTable)
        table.clear()
        if isinstance(due, Exception):
            title.update(f"Due and overdue — could not compute: {due}")
            return
        self._due = due.items
        overdue = due.overdue
        split = ", ".join(f"{n} {c.replace('_', '-')}" for c, n in sorted(due.by_category.items()))
        more = f" (first {len(due.items)} shown)" if due.total > len(due.items) else ""
        title.update(
            f"Due and overdue — {overdue} overdue, {due.total - overdue} coming up"
            f"{': ' + split if split else ''}{more}"
        )
        for item in self._due:
            days = Text(
                f"{item.days_overdue:+d}", style="bold red" if item.days_overdue > 0 else ""
            )
            table.add_row(
                item.due.isoformat(),
                days,
                present.badge(item.classification),
                _short(item.party_name, max(22, self.app.size.width // 4)),
                item.description,
                item.subject or "",
            )

    def _show_cpa(self, report: CpaReport | Exception | None) -> None:
        widget = self.query_one("#cpa", Static)
        if isinstance(report, Exception):
            widget.update(f"CPA certificates: could not build the report: {report}")
            return
        if report is None:
            widget.update(
                Text.assemble(
                    ("CPA certificates: ", "bold"),
                    "no CPA data loaded — import the CPL with `ssc cpa import"
                    " certificates FILE` to watch expiries",
                )
            )
            return
        if not report.certificates:
            widget.update(f"CPA certificates: nothing expiring within {report.horizon_days} days")
            return
        severities = ", ".join(f"{n} {s}" for s, n in report.totals.by_severity.items() if n)
        plans = ", ".join(f"{n} {s}" for s, n in report.totals.plans.items() if n)
        text = Text.assemble(
            ("CPA certificates: ", "bold"),
            f"{severities} within {report.horizon_days} days; "
            f"{report.totals.installed_devices:,} devices installed under them; plans: {plans or 'none'}"
            f" (c lists them)",
        )
        widget.update(text)

    def _show_smki(self, found: tuple[list[sources.CertificateExpiry], list[str]]) -> None:
        rows, problems = found
        widget = self.query_one("#smki", Static)
        if not self.app.session.certs:
            widget.update(
                "SMKI certificates: none loaded — start with `ssc tui --certs PATH`"
                " to watch their expiry."
            )
            return
        text = Text.assemble(("SMKI certificates: ", "bold"), f"{len(rows)} loaded")
        alerts = [r for r in rows if r.severity != "ok"]
        text.append(f", {len(alerts)} expiring or expired" if alerts else ", none expiring soon")
        for row in alerts[:5]:
            text.append("\n  ")
            text.append(f"{row.severity:8}", style=_SEVERITY_STYLES.get(row.severity, ""))
            text.append(
                f" {row.not_after} ({row.days_left:+d} d) {row.role} {row.eui64} {row.path}"
            )
        for problem in problems[:3]:
            text.append(f"\n  unreadable: {problem}", style="dim")
        widget.update(text)

    # -- actions -------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#due")
    def _due_selected(self) -> None:
        self.action_open_due()

    def action_open_due(self) -> None:
        table = self.query_one("#due", DataTable)
        if not self._due or not 0 <= table.cursor_row < len(self._due):
            return
        item = self._due[table.cursor_row]
        from tui.screens.records import RecordsScreen
        from tui.views import VIEWS

        subject = item.subject
        finding = self.app.register.get(Finding, subject) if subject else None
        if finding is not None:
            view, scope = (
                "findings",
                ListState(scope_field="assessment", scope_value=finding.assessment),
            )
        elif subject and self.app.register.get("letter", subject):
            view, scope = "letters", ListState(scope_field="party", scope_value=item.party)
        elif subject and self.app.register.get("assessment", subject):
            view, scope = "assessments", ListState(scope_field="id", scope_value=subject)
        else:
            view, scope = "assessments", ListState(scope_field="party", scope_value=item.party)
        self.app.push_screen(RecordsScreen(VIEWS[view], scope))

    def action_reload(self) -> None:
        self.reload(force=True)

    def action_verify(self) -> None:
        self.audit_state = "verifying…"
        self._show_audit(sources.counts(self.app.register, self.app.session.today))
        self._verify()

    @work(thread=True, exclusive=True, group="verify")
    def _verify(self) -> None:
        from assurance.store import Register

        session = self.app.session
        with Register.open(
            session.db_path, actor=session.actor, policies=self.app.policies
        ) as register:
            problem = register.verify_audit()
        self.audit_state = "intact ✓" if problem is None else f"TAMPERED: {problem}"
        self.app.call_from_thread(
            lambda: self._show_audit(sources.counts(self.app.register, self.app.session.today))
        )
        if problem is not None:
            self.app.call_from_thread(self.app.notify, f"audit trail: {problem}", severity="error")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
