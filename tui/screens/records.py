"""A list of records with its filter and detail pane, and the actions on the highlighted record."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable

from assurance.models import Assessment
from tui import details, keymap, views
from tui.screens.base import AppScreen
from tui.state import ListState
from tui.views import VIEWS, View
from tui.widgets.detail import DetailPane
from tui.widgets.keyline import KeyLine
from tui.widgets.record_table import RecordTable
from tui.widgets.title import title_bar

#: Seconds of no typing in the filter before the detail pane follows the highlighted row.
DETAIL_AFTER_TYPING = 0.25

#: Where a jump goes from a record of each type: target view -> (scope, how to find the value).
_JUMPS: dict[str, dict[str, tuple[str, str]]] = {
    "party": {
        "assessments": ("party", "id"),
        "findings": ("party", "id"),
        "letters": ("party", "id"),
        "parties": ("id", "id"),
    },
    "assessment": {
        "parties": ("id", "party"),
        "findings": ("assessment", "id"),
        "letters": ("party", "party"),
        "decisions": ("subject", "id"),
    },
    "letter": {
        "parties": ("id", "party"),
        "decisions": ("subject", "id"),
        "assessments": ("id", "relates_to"),
    },
    "finding": {"assessments": ("id", "assessment"), "parties": ("id", "@party")},
    "decision": {"assessments": ("id", "subject"), "decisions": ("subject", "subject")},
}
#: What Enter opens from a record of each type.
_OPEN = {
    "party": "assessments",
    "assessment": "findings",
    "letter": "decisions",
    "finding": "assessments",
    "decision": "assessments",
}


class RecordsScreen(AppScreen):
    """One view's records; ``state`` may scope it (a Party's assessments) when jumped to."""

    BINDINGS = [*keymap.RECORDS]
    #: The rows take the keys from the first frame (not the filter box, which is first in order).
    AUTO_FOCUS = "#rows"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, view: View, state: ListState | None = None) -> None:
        super().__init__()
        self.view = view
        self.state = state or ListState()
        self._detail_timer: Timer | None = None
        self._suspended = False

    def compose(self) -> ComposeResult:
        title = self.view.title
        if self.state.scope_field:
            title += f" of {self.state.scope_field} {self.state.scope_value} (esc: back)"
        yield title_bar(self.app, title)
        with Horizontal(id="body"):
            yield RecordTable(self.view, self.state, id="table")
            yield DetailPane(id="detail")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        self.query_one(RecordTable).focus_rows()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        # Back from a dialog or a jump: the register may have changed. (Not on first showing:
        # the table has just loaded.)
        if self._suspended:
            self._suspended = False
            self.table.reload(keep_cursor=True)
            self._describe(self.table.current_id)

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def current(self):
        record_id = self.table.current_id
        if record_id is None or self.view.record_type is None:
            return None
        return self.register.get(self.view.record_type, record_id)

    @on(RecordTable.Highlighted)
    def _show_detail(self, event: RecordTable.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.focused is self.table.query_one("#filter"):
            # While typing, the table follows each key; the detail pane (a few queries and a
            # layout) waits for a pause, so keys are not slowed by panes nobody is reading.
            self._detail_timer = self.set_timer(
                DETAIL_AFTER_TYPING, lambda: self._describe(event.record_id)
            )
        else:
            self._describe(event.record_id)

    def on_descendant_focus(self) -> None:
        # Out of the filter: the detail pane catches up at once.
        if self._detail_timer is not None and self.focused is not self.table.query_one("#filter"):
            self._detail_timer.stop()
            self._describe(self.table.current_id)

    def _describe(self, record_id: str | None) -> None:
        self._detail_timer = None
        pane = self.query_one(DetailPane)
        if record_id is None:
            pane.show("Nothing selected.")
        elif self.view.record_type is None:
            found = views.event_at(self.register.conn, int(record_id))
            pane.show(details.describe_event(found) if found else "")
        else:
            record = self.register.get(self.view.record_type, record_id)
            pane.show(details.describe(self.register, record) if record else "")

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # -- actions that change nothing ------------------------------------------------------
    def action_filter(self) -> None:
        self.table.focus_filter()

    def action_sort(self) -> None:
        self.table.sort_next()

    def action_reverse(self) -> None:
        self.table.reverse()

    def action_page(self, step: int) -> None:
        self.table.page(step)

    def action_toggle_detail(self) -> None:
        detail = self.query_one(DetailPane)
        detail.display = not detail.display

    def action_back(self) -> None:
        if self.table.state.text and self.focused is self.table.query_one("#filter"):
            self.table.focus_rows()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.action_go("dashboard")

    def action_open(self) -> None:
        record = self.current()
        if record is None:
            return
        if record.type_name in _OPEN:
            self.action_related(_OPEN[record.type_name])
        elif record.descriptor.party_field and getattr(record, record.descriptor.party_field, None):
            self.action_party_view()

    def action_party_view(self) -> None:
        """Everything about the highlighted record's Party, on one page."""
        record = self.current()
        if record is None:
            return
        party = {
            "party": lambda r: r.id,
            "assessment": lambda r: r.party,
            "letter": lambda r: r.party,
            "finding": lambda r: getattr(
                self.register.get("assessment", r.assessment), "party", None
            ),
            "decision": lambda r: getattr(
                self.register.get("assessment", r.subject)
                or self.register.get("letter", r.subject),
                "party",
                None,
            ),
        }.get(
            record.type_name,
            lambda r: (
                getattr(r, r.descriptor.party_field or "id", None)
                if r.descriptor.party_field
                else None
            ),
        )(record)
        if party is None:
            return
        from tui.screens.party import PartyScreen

        self.app.push_screen(PartyScreen(party))

    def action_related(self, target: str) -> None:
        record = self.current()
        if record is None:
            self.app.notify("highlight a record first", severity="warning")
            return
        jump = _JUMPS.get(record.type_name, {}).get(target)
        if jump is None:
            self.app.notify(f"no {target} to show from a {record.type_name}", severity="warning")
            return
        scope, source = jump
        if source == "@party":
            assessment = self.register.get(Assessment, getattr(record, "assessment", ""))
            value = assessment.party if assessment else None
        else:
            value = getattr(record, source, None)
        if value is None:
            self.app.notify(
                f"this {record.type_name} has no {source.lstrip('@')}", severity="warning"
            )
            return
        self.app.push_screen(
            RecordsScreen(VIEWS[target], ListState(scope_field=scope, scope_value=value))
        )

    # -- actions that write (keymap.WRITE_ACTIONS: the app refuses them in read-only mode) ---
    def _after(self, saved: str | None) -> None:
        """After a write: the rows and the detail pane as the register now has them."""
        if saved is not None:
            self.table.reload(keep_cursor=True)
            self._describe(self.table.current_id)

    def action_new(self) -> None:
        if self.view.record_type is None:
            return
        if self.view.record_type == "decision":
            self.app.notify("set a status with s on an assessment or a Director's Letter")
            return
        from tui.screens.form import FormScreen

        defaults = {}
        if self.state.scope_field == "party" and self.view.record_type in ("assessment", "letter"):
            defaults["party"] = self.state.scope_value
        if self.state.scope_field == "assessment" and self.view.record_type == "finding":
            defaults["assessment"] = self.state.scope_value
        if self.state.scope_field == "party" and self.view.record_type not in (
            "assessment",
            "letter",
        ):
            from assurance.descriptors import DESCRIPTORS

            party_field = DESCRIPTORS[self.view.record_type].party_field
            if party_field and party_field != "id":
                defaults[party_field] = self.state.scope_value
        self.app.push_screen(FormScreen(self.view.record_type, defaults=defaults), self._after)

    def action_edit(self) -> None:
        record = self.current()
        if record is None:
            return
        if record.type_name == "decision":
            # A decision is never edited: a correction supersedes it, with a reason.
            from tui.screens.status import SetStatusScreen

            self.app.push_screen(SetStatusScreen(record.subject, correcting=record), self._after)
            return
        from tui.screens.form import FormScreen

        self.app.push_screen(FormScreen(record.type_name, record), self._after)

    def action_set_status(self) -> None:
        record = self.current()
        if record is None:
            return
        subject = {"assessment": record.id, "letter": record.id}.get(record.type_name)
        if record.type_name == "decision":
            subject = record.subject
        if record.type_name == "finding":
            self.action_close_finding(close=False)
            return
        if record.type_name in self.register.policy.types:  # its own workflow: set in its form
            from tui.screens.form import FormScreen

            self.app.push_screen(FormScreen(record.type_name, record), self._after)
            return
        if subject is None:
            self.app.notify(
                "a status is set on an assessment or a Director's Letter", severity="warning"
            )
            return
        from tui.screens.status import SetStatusScreen

        self.app.push_screen(SetStatusScreen(subject), self._after)

    def action_close_finding(self, close: bool = True) -> None:
        record = self.current()
        if record is None:
            return
        if record.type_name != "finding":
            self.app.notify("highlight a finding to close it", severity="warning")
            return
        from tui.screens.status import FindingStatusScreen

        self.app.push_screen(FindingStatusScreen(record, close=close), self._after)

    def action_evidence(self) -> None:
        record = self.current()
        if record is None:
            self.app.notify("highlight a record first", severity="warning")
            return
        from tui.screens.evidence import EvidenceScreen

        self.app.push_screen(EvidenceScreen(record))

    def action_withdraw(self) -> None:
        record = self.current()
        if record is None:
            return
        from tui.screens.status import WithdrawScreen

        self.app.push_screen(WithdrawScreen(record.type_name, record.id), self._after)
