"""The table's fast cell rendering draws exactly what Textual's DataTable would (guards upgrades)."""

from __future__ import annotations

import asyncio

from rich.segment import Segment
from textual.widgets import DataTable

from tests.test_tui_support import demo_register, make_app, settle
from tui.widgets.record_table import RowsTable


def _merged(lines) -> list[list[Segment]]:
    return [list(Segment.simplify(line)) for line in lines]


def test_fast_cells_match_datatable_cell_for_cell(tmp_path):
    db = demo_register(tmp_path / "register.db")

    async def scenario() -> int:
        checked = 0
        app = make_app(db)
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            for key in ("p", "a", "f", "m", "u"):
                await pilot.press(key)
                await settle(pilot)
                table = app.screen.query_one("#rows", RowsTable)
                style = table.rich_style
                for row in range(min(table.row_count, 8)):
                    for column, spec in enumerate(table.ordered_columns):
                        for cursor in (False, True):
                            width = spec.get_render_width(table)
                            table._cell_render_cache.clear()
                            fast = RowsTable._render_cell(
                                table, row, column, style, width, cursor=cursor
                            )
                            table._cell_render_cache.clear()
                            slow = DataTable._render_cell(
                                table, row, column, style, width, cursor=cursor
                            )
                            assert _merged(fast) == _merged(slow), (key, row, column, cursor)
                            checked += 1
        return checked

    assert asyncio.run(scenario()) > 400  # fewer columns since they give way by width
