"""A filterable, sortable, paged table over one view: one page of rows, never a widget per record."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label
from textual.widgets.data_table import ColumnKey

from assurance import workflow
from tui import keymap, present
from tui.state import ListState
from tui.typed import OfApp
from tui.views import PAGE_SIZE, Count, View, count, fetch, fit
from tui.widgets.inputs import TextInput


class RowsTable(DataTable):
    """A DataTable whose one-line text cells render straight to segments.

    DataTable renders every cell through Rich (padding, styling, splitting lines: about 0.2 ms
    a cell), so refilling a 160x50 screen of rows cost ~80 ms per keystroke; a one-line
    ``Text`` needs only cropping, padding and the same style sandwich (row style, its own,
    cursor). Anything else (the header, labels, fixed cells, tall rows) takes DataTable's path.
    Built on DataTable's cell cache and style helpers in Textual 8.2.
    """

    BINDINGS = [*keymap.TABLE]

    def action_first_row(self) -> None:
        self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        """The last row of the page: the rest of it is loaded first."""
        owner = next((a for a in self.ancestors if isinstance(a, RecordTable)), None)
        if owner is not None:
            owner.load_page()
        self.move_cursor(row=max(self.row_count - 1, 0), animate=False)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ):
        if row_index < self.fixed_rows or column_index < self.fixed_columns:  # header, labels
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # no such cell: DataTable says what happens
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index)[1][column_index]
        if (
            not isinstance(cell, Text)
            or self.rows[row_key].height != 1
            or cell.justify not in (None, "default", "left")
            or "\n" in cell.plain
            or "\t" in cell.plain
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        console = self.app.console
        pad = " " * self.cell_padding
        inner = max(width - 2 * len(pad), 0)
        text = cell.copy()
        text.truncate(inner, overflow=cell.overflow or "fold")
        # The text's own style under its spans, as Text.__rich_console__ does; the filler after
        # it unstyled, as Rich pads a line.
        body = Segment.apply_style(text.render(console), console.get_style(text.style))
        line = [Segment(pad), *body, Segment(" " * (inner - text.cell_len) + pad)]
        lines = [
            list(
                Segment.apply_style(line, style=pre_style + component_style, post_style=post_style)
            )
        ]
        self._cell_render_cache[key] = lines
        return lines


class RecordTable(OfApp, Vertical):
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
        self._count = Count(0)
        self._keys: list[str] = []
        self._highlighted: str | None = None
        self._reload_queued = False

    def compose(self) -> ComposeResult:
        placeholder = "Filter: type to narrow (words match id, name, party, kind…)"
        yield TextInput(value=self.state.text, placeholder=placeholder, id="filter")
        table = RowsTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield table
        yield Label("", id="summary")

    def on_mount(self) -> None:
        table = self.query_one("#rows", DataTable)
        self.watch(table, "scroll_y", self._scrolled, init=False)
        # The columns depend on the width: the first load waits for the first layout (on_resize),
        # rather than loading for a guessed width and again for the real one.
        self._loaded = False

    # -- columns -------------------------------------------------------------------------
    def _room(self) -> int:
        """Cells across the table (less its scrollbar): its width once laid out, else a guess."""
        width = self.size.width or self.app.size.width
        return max(width - 2, 20)

    def _layout(self) -> bool:
        """Choose the columns that fit (``views.fit``); True if they changed."""
        shown = fit(self.view.columns, self._room())
        if shown == getattr(self, "_shown", None):
            return False
        self._shown = shown
        table = self.query_one("#rows", DataTable)
        table.clear(columns=True)
        for column, width in shown:
            table.add_column(self._label_of(column), key=column.key, width=width)
        return True

    def _label_of(self, column) -> str:
        """The column's label, with ▲ or ▼ on the one the list is sorted by."""
        if self.state.sort == column.key:
            return f"{column.label} {'▼' if self.state.descending else '▲'}"
        return column.label

    def _relabel(self) -> None:
        table = self.query_one("#rows", DataTable)
        for column, _width in self._shown:
            table.columns[ColumnKey(column.key)].label = Text(self._label_of(column))
        table.refresh()

    def on_resize(self) -> None:
        if self._layout() or not self._loaded:
            self.reload(keep_cursor=self._loaded)

    # -- data ----------------------------------------------------------------------------
    def _screenful(self) -> int:
        """Rows the table can show: its height once laid out, the terminal's before."""
        height = self.query_one("#rows", DataTable).scrollable_content_region.height
        return max(height or self.app.size.height, 5)

    def reload(self, keep_cursor: bool = False) -> None:
        """Query a screenful of rows for the current state and show it (more follow on scrolling).

        Only what fits is fetched and rendered, so a keystroke in the filter costs one small
        query and one screen of cells, whatever the size of the register.
        """
        self._reload_queued = False
        if not hasattr(self, "_shown"):
            self._layout()
        self._loaded = True
        self._head_checked = False
        table = self.query_one("#rows", DataTable)
        row_before = table.cursor_row if keep_cursor else 0
        want = min(max(self._screenful(), row_before + 1), PAGE_SIZE)
        conn = self.app.register.conn
        rows = fetch(conn, self.view, self.state, want)
        if self.state.offset == 0 and len(rows) < want:
            self._count = Count(len(rows))
        else:
            self._count = count(conn, self.view, self.state)
        self.page_total = self._count.total
        table.clear()
        self._keys = []
        self._append(rows)
        if rows:
            table.move_cursor(row=min(row_before, len(rows) - 1), animate=False)
        self._highlight()

    def _append(self, rows: list[tuple]) -> None:
        table = self.query_one("#rows", DataTable)
        table.add_rows(self._cells(row) for row in rows)
        self._keys += [str(row[0]) for row in rows]
        self.query_one("#summary", Label).update(
            self._summary(self._count.summary(self.state.offset, len(self._keys))), layout=False
        )

    def _more(self) -> None:
        """The next screenful of this page, when the cursor or the scroll reaches the end."""
        loaded = len(self._keys)
        left = min(PAGE_SIZE, self.page_total - self.state.offset) - loaded
        if left <= 0:
            return
        rows = fetch(
            self.app.register.conn, self.view, self.state, min(self._screenful(), left), skip=loaded
        )
        if rows:
            self._append(rows)

    def load_page(self) -> None:
        """Every row of this page (at most ``PAGE_SIZE``), for End."""
        left = min(PAGE_SIZE, self.page_total - self.state.offset) - len(self._keys)
        if left > 0:
            rows = fetch(self.app.register.conn, self.view, self.state, left, skip=len(self._keys))
            if rows:
                self._append(rows)

    def _scrolled(self, scroll_y: float) -> None:
        table = self.query_one("#rows", DataTable)
        if table.max_scroll_y and scroll_y >= table.max_scroll_y - 1:
            self._more()

    def _highlight(self) -> None:
        """Tell the screen which record is highlighted, once per change (its detail pane is dear)."""
        record_id = self.current_id
        if record_id != self._highlighted:
            self._highlighted = record_id
            self.post_message(self.Highlighted(self, record_id))

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
        for column, width in self._shown:
            value = values[column.key]
            if column.kind == "classification":
                cells.append(present.badge(value))
                continue
            if column.kind == "roles":
                text = present.role_names(value, policy)
            elif column.kind == "status":
                vocabulary = (
                    policy.vocabulary_for_kind(values["kind"]) if "kind" in values else "letter"
                )
                code = workflow.current_status(self.app.register, value)
                text = present.status_name(policy, code, vocabulary) if code else "—"
            elif column.kind == "decision_status":
                text = present.status_name(policy, value)
            elif column.kind in ("finding_status", "words"):
                text = present.words(value)
            elif column.kind == "response_due":
                item = self._responses().get(value)
                if item is not None:
                    style = "bold" if item.overdue else ""
                    cells.append(
                        Text(
                            _clip(item.due.isoformat() + (" !" if item.overdue else ""), width),
                            style=style,
                        )
                    )
                    continue
                text = ""
            else:
                text = present.cell(value)
            # Text, not str: a value is never read as markup ("[draft]" stays). Cut to the
            # column with "…"; the detail pane has it in full.
            cells.append(Text(_clip(text, width)))
        return cells

    def _responses(self) -> dict:
        """Assessments' outstanding responses by id, as ``ssc due`` computes them (once per change)."""
        from assurance.due import compute_due
        from core import audit

        register = self.app.register
        cached = getattr(self, "_responses_cache", None)
        if cached is not None and self._head_checked:
            return cached[1]
        self._head_checked = True  # once per reload, not once per row
        _events, head = audit.head(register.conn)
        if cached is None or cached[0] != head:
            items = compute_due(register, self.app.session.today, categories=["response"])
            cached = self._responses_cache = (head, {item.subject: item for item in items})
        return cached[1]

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
        # Keys that arrived while a query ran are applied together, by one reload.
        if not self._reload_queued:
            self._reload_queued = True
            self.call_later(self.reload)

    @on(TextInput.Submitted, "#filter")
    def _filter_done(self, event: TextInput.Submitted) -> None:
        event.stop()
        self.query_one("#rows", DataTable).focus()

    @on(DataTable.RowHighlighted, "#rows")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.cursor_row >= len(self._keys) - 1:
            self._more()
        self._highlight()

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
        self._relabel()
        self.reload()

    def sort_next(self) -> None:
        keys = [c.key for c in self.view.columns if c.sortable]
        at = keys.index(self.state.sort) + 1 if self.state.sort in keys else 0
        self.state.sort, self.state.descending = keys[at % len(keys)], False
        self.state.offset = 0
        self._relabel()
        self.reload()

    def reverse(self) -> None:
        if self.state.sort is None:
            self.state.sort = self.view.columns[0].key
        self.state.descending = not self.state.descending
        self._relabel()
        self.reload()

    def page(self, step: int) -> None:
        offset = max(0, self.state.offset + step * PAGE_SIZE)
        if offset >= max(self.page_total, 1):
            return
        self.state.offset = offset
        self.reload()

    def focus_filter(self) -> None:
        self.query_one("#filter", TextInput).focus()

    def focus_rows(self) -> None:
        self.query_one("#rows", DataTable).focus()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
