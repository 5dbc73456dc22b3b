"""A filterable, sortable, paged table over one view: one page of rows, never a widget per record."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label

from assurance import workflow
from tui import present
from tui.state import ListState
from tui.views import View, fetch
from tui.widgets.inputs import TextInput


class RecordTable(Vertical):
    """The filter box, the table (a page of rows) and the line that says how many match."""

    class Highlighted(Message):
        def __init__(self, table: RecordTable, record_id: str | None) -> None:
            super().__init__()
            self.table = table
            self.record_id = record_id

    def __init__(self, view: View, state: ListState | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.state = state or ListState()
        self.page_total = 0
        self._keys: list[str] = []

    def compose(self) -> ComposeResult:
        placeholder = "Filter: type to narrow (words match id, name, party, kind…)"
        yield TextInput(value=self.state.text, placeholder=placeholder, id="filter")
        table: DataTable = DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield table
        yield Label("", id="summary")

    def on_mount(self) -> None:
        table = self.query_one("#rows", DataTable)
        for column in self.view.columns:
            table.add_column(column.label, key=column.key)
        self.reload()

    # -- data ----------------------------------------------------------------------------
    def reload(self, keep_cursor: bool = False) -> None:
        """Query the page for the current state and show it."""
        table = self.query_one("#rows", DataTable)
        row_before = table.cursor_row if keep_cursor else 0
        page = fetch(self.app.register.conn, self.view, self.state)
        self.page_total = page.total
        table.clear()
        table.add_rows(
            (self._cells(row) for row in page.rows),
        )
        self._keys = [str(row[0]) for row in page.rows]
        if page.rows:
            table.move_cursor(row=min(row_before, len(page.rows) - 1))
        label = self.query_one("#summary", Label)
        label.update(self._summary(page.summary))
        self.post_message(self.Highlighted(self, self.current_id))

    def _summary(self, text: str) -> str:
        scope = ""
        if self.state.scope_field:
            scope = f"{self.state.scope_field} = {self.state.scope_value} · "
        sort = ""
        if self.state.sort:
            arrow = "↓" if self.state.descending else "↑"
            sort = f" · sorted by {self.view.column(self.state.sort).label} {arrow}"
        return f"{scope}{text}{sort}"

    def _cells(self, row: tuple) -> list:
        policy = self.app.register.policy
        values = dict(zip((c.key for c in self.view.columns), row, strict=True))
        cells = []
        for column, value in zip(self.view.columns, row, strict=True):
            if column.kind == "classification":
                cells.append(present.badge(value))
            elif column.kind == "roles":
                cells.append(present.role_names(value, policy))
            elif column.kind == "status":
                vocabulary = (policy.vocabulary_for_kind(values["kind"])
                              if "kind" in values else "letter")
                code = workflow.current_status(self.app.register, value)
                cells.append(present.status_name(policy, code, vocabulary))
            elif column.kind == "decision_status":
                cells.append(present.status_name(policy, value))
            else:
                cells.append(present.cell(value))
        return cells

    @property
    def current_id(self) -> str | None:
        table = self.query_one("#rows", DataTable)
        if not self._keys or table.cursor_row < 0 or table.cursor_row >= len(self._keys):
            return None
        return self._keys[table.cursor_row]

    # -- what the user does ---------------------------------------------------------------
    @on(TextInput.Changed, "#filter")
    def _filter_changed(self, event: TextInput.Changed) -> None:
        event.stop()
        self.state.text = event.value
        self.state.offset = 0
        self.reload()

    @on(TextInput.Submitted, "#filter")
    def _filter_done(self, event: TextInput.Submitted) -> None:
        event.stop()
        self.query_one("#rows", DataTable).focus()

    @on(DataTable.RowHighlighted, "#rows")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self, self.current_id))

    @on(DataTable.HeaderSelected, "#rows")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def sort_by(self, key: str) -> None:
        if not self.view.column(key).sortable:
            self.app.notify(f"the {self.view.column(key).label} column cannot be sorted")
            return
        if self.state.sort == key:
            self.state.descending = not self.state.descending
        else:
            self.state.sort, self.state.descending = key, False
        self.state.offset = 0
        self.reload()

    def sort_next(self) -> None:
        keys = [c.key for c in self.view.columns if c.sortable]
        at = keys.index(self.state.sort) + 1 if self.state.sort in keys else 0
        self.state.sort, self.state.descending = keys[at % len(keys)], False
        self.state.offset = 0
        self.reload()

    def reverse(self) -> None:
        if self.state.sort is None:
            self.state.sort = self.view.columns[0].key
        self.state.descending = not self.state.descending
        self.reload()

    def page(self, step: int) -> None:
        from tui.views import PAGE_SIZE

        offset = max(0, self.state.offset + step * PAGE_SIZE)
        if offset >= max(self.page_total, 1):
            return
        self.state.offset = offset
        self.reload()

    def focus_filter(self) -> None:
        self.query_one("#filter", TextInput).focus()

    def focus_rows(self) -> None:
        self.query_one("#rows", DataTable).focus()
