"""The chase list: overdue and soon-due items by Party, with whom to write to, exportable."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from assurance import chase
from assurance.formats import CHASE
from core.errors import SSCError
from tui import keymap, present
from tui.screens.base import AppScreen
from tui.widgets.keyline import KeyLine
from tui.widgets.record_table import RowsTable
from tui.widgets.title import title_bar


class ChaseScreen(AppScreen):
    BINDINGS = [*keymap.CHASE]

    def __init__(self, within_days: int = chase.DEFAULT_WITHIN_DAYS) -> None:
        super().__init__()
        self.within_days = within_days
        self.groups: list[chase.ChaseParty] = []
        #: The Party of each row (its heading and its items), for enter.
        self._row_party: list[str] = []

    def compose(self) -> ComposeResult:
        yield title_bar(self.app, "Chase list")
        with Vertical(id="chase-box"):
            yield Static("", id="chase-title", classes="panel-title")
            yield RowsTable(id="chase", cursor_type="row", zebra_stripes=False)
            yield Static("", id="chase-result")
        yield KeyLine(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#chase", DataTable)
        table.add_column("Due", key="due")
        table.add_column("Days", key="days")
        table.add_column("Class", key="class")
        table.add_column("Record", key="record")
        table.add_column("What", key="what")
        self.reload()
        table.focus()

    def reload(self) -> None:
        session = self.app.session
        self.groups = chase.chase_list(self.register, session.today, self.within_days)
        items = sum(len(g.items) for g in self.groups)
        overdue = sum(g.overdue for g in self.groups)
        self.query_one("#chase-title", Static).update(
            f"Overdue or due within {self.within_days} days of {session.today}: {items} items, "
            f"{overdue} overdue, for {len(self.groups)} Parties (+/- change the days; e, E export)"
        )
        table = self.query_one("#chase", DataTable)
        table.clear()
        self._row_party = []
        for group in self.groups:
            heading = Text.assemble(
                (group.name, "bold"),
                f"  {group.party}  ",
                (group.contact or "no contact recorded", "italic"),
            )
            table.add_row("", "", "", "", heading)
            self._row_party.append(group.party)
            for item in group.items:
                days = Text(f"{item.days_overdue:+d}", style="bold" if item.overdue else "")
                table.add_row(
                    item.due.isoformat(),
                    days,
                    present.badge(item.classification),
                    item.subject or "",
                    item.description,
                )
                self._row_party.append(group.party)
        if not self.groups:
            table.add_row("", "", "", "", "nothing overdue or due in that time")

    def action_within(self, step: int) -> None:
        self.within_days = max(0, self.within_days + step)
        self.reload()

    def action_export(self, fmt: str) -> None:
        session = self.app.session
        path = session.out_dir / f"chase-list-{session.today.isoformat()}{CHASE[fmt].suffix}"
        try:
            session.out_dir.mkdir(parents=True, exist_ok=True)
            chase.write_chase_list(self.register, session.today, self.within_days, path, fmt)
        except (SSCError, OSError) as exc:
            self.query_one("#chase-result", Static).update(f"could not write: {exc}")
            self.app.notify(f"could not write the chase list: {exc}", severity="error")
            return
        self.query_one("#chase-result", Static).update(f"wrote {path}")
        self.app.notify(f"wrote {path}")

    @on(DataTable.RowSelected, "#chase")
    def _selected(self) -> None:
        self.action_open_party()

    def action_open_party(self) -> None:
        row = self.query_one("#chase", DataTable).cursor_row
        if 0 <= row < len(self._row_party):
            from tui.screens.party import PartyScreen

            self.app.push_screen(PartyScreen(self._row_party[row]))

    def action_back(self) -> None:
        self.app.pop_screen()
