"""One Party and everything about it: assessments and their status, decisions, findings, letters,
what it owes (the chase list's items) and its devices under expiring CPA certificates."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from assurance import workflow
from tui import keymap, present, sources
from tui.forms import label
from tui.screens.base import AppScreen
from tui.widgets.keyline import KeyLine
from tui.widgets.title import title_bar


def _table(*columns: str) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


class PartyScreen(AppScreen):
    BINDINGS = [*keymap.PARTY]

    def __init__(self, party_id: str) -> None:
        super().__init__()
        self.party_id = party_id

    def compose(self) -> ComposeResult:
        yield title_bar(self.app, f"Party {self.party_id} (esc: back)")
        with VerticalScroll(id="party-view"):
            for part in ("about", "owes", "assessments", "decisions", "findings", "letters", "cpa"):
                yield Static("", id=f"party-{part}", classes="party-part")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#party-view").focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        session = self.app.session
        register = self.register
        policy = register.policy
        view = sources.party_overview(register, self.party_id, session.today, session.db_path)
        party = view.party
        about = Table.grid(padding=(0, 1))
        about.add_column(style="bold")
        about.add_column()
        for name in (
            "name",
            "roles",
            "sec_party_id",
            "domestic_sms",
            "non_domestic_sms",
            "contact",
        ):
            value = getattr(party, name)
            if name == "roles":
                value = present.role_names(value, policy)
            about.add_row(label(name), "—" if value is None else present.cell(value))
        title = Text.assemble(present.badge(party.classification), " ", (party.name, "bold"))
        if party.withdrawn:
            title.append(f"  (withdrawn: {party.withdrawn_reason})", style="italic")
        self._part("about", Group(title, about))

        owes = _table("Due", "Days", "What", "Record")
        for item in view.due:
            owes.add_row(
                item.due.isoformat(),
                f"{item.days_overdue:+d}",
                item.description,
                item.subject or "",
            )
        self._part("owes", self._section("Due and overdue", len(view.due), owes))

        assessments = _table("Id", "Class", "Kind", "Yr", "Fieldwork end", "Report", "Status")
        for a in view.assessments:
            vocabulary = policy.vocabulary_for_kind(a.kind)
            status = workflow.current_status(register, a.id)
            assessments.add_row(
                a.id,
                present.badge(a.classification),
                a.kind,
                present.cell(a.cycle_year),
                present.cell(a.fieldwork_end),
                present.cell(a.report_received),
                present.status_name(policy, status, vocabulary) if status else "no decision yet",
            )
        self._part("assessments", self._section("Assessments", len(view.assessments), assessments))

        decisions = _table("Date", "Id", "Subject", "Status", "Conditions")
        for d in view.decisions:
            withdrawn = " (withdrawn)" if d.withdrawn else ""
            decisions.add_row(
                present.cell(d.date),
                d.id + withdrawn,
                d.subject,
                present.status_name(policy, d.status),
                d.conditions or "",
            )
        self._part("decisions", self._section("Decisions", len(view.decisions), decisions))

        findings = _table("Id", "Class", "SEC", "Title", "Due", "Status")
        for f in view.findings:
            findings.add_row(
                f.id,
                present.badge(f.classification),
                f.sec_ref,
                f.title,
                present.cell(f.due),
                present.words(f.status),
            )
        self._part("findings", self._section("Findings", len(view.findings), findings))

        letters = _table("Id", "Received", "Relates to", "Status", "Summary")
        for letter in view.letters:
            status = workflow.current_status(register, letter.id)
            letters.add_row(
                letter.id,
                present.cell(letter.received),
                letter.relates_to or "",
                present.status_name(policy, status, "letter") if status else "no decision yet",
                letter.summary or "",
            )
        self._part("letters", self._section("Director's Letters", len(view.letters), letters))

        if view.cpa is None:
            self._part(
                "cpa",
                Text.assemble(("CPA exposure: ", "bold"), "no CPA data loaded (ssc cpa import …)"),
            )
        else:
            cpa = _table(
                "CPA certificate", "Device model", "Expires", "Days left", "Devices", "Plan"
            )
            for row in view.cpa:
                cpa.add_row(
                    row.cpa_id,
                    row.model,
                    row.expires.isoformat(),
                    str(row.days_left),
                    f"{row.devices:,}",
                    row.plan,
                )
            self._part(
                "cpa",
                self._section("CPA exposure (certificates expiring soon)", len(view.cpa), cpa),
            )

    @staticmethod
    def _section(title: str, count: int, table: Table) -> RenderableType:
        heading = Text(f"{title}: {count}" if count else f"{title}: none", style="bold")
        return Group(heading, table) if count else heading

    def _part(self, name: str, renderable: RenderableType) -> None:
        self.query_one(f"#party-{name}", Static).update(renderable)

    def action_back(self) -> None:
        self.app.pop_screen()
