"""Lists in narrow and wide terminals: what gives way, what never does, and how the keys move."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from tests.test_tui_support import TODAY, demo_register, make_app, settle
from tui.views import VIEWS, fit


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


@pytest.mark.parametrize("room", [40, 60, 78, 98, 140, 198])
def test_status_due_id_and_class_never_give_way(room):
    for view in VIEWS.values():
        shown = [c.key for c, _w in fit(view.columns, room)]
        for key in ("id", "classification", "status", "due", "response_due"):
            if key in {c.key for c in view.columns}:
                assert key in shown, (view.name, room, shown)
        assert [c.key for c in view.columns if c.key in shown] == shown  # in the view's order


def test_wider_terminals_show_more_and_longer_names():
    for view in VIEWS.values():
        narrow, wide = fit(view.columns, 78), fit(view.columns, 198)
        assert len(narrow) <= len(wide)
        assert sum(w for _c, w in wide) >= sum(w for _c, w in narrow)
        assert sum(w + 2 for _c, w in wide) <= 198 or len(wide) == len(view.columns)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_every_list_shows_status_and_due_on_screen(db, size):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=size) as pilot:
            for key, wanted in (
                ("a", ("Status", "Response due")),
                ("f", ("Due", "Status")),
                ("l", ("Status",)),
                ("m", ("Status", "Date")),
            ):
                await pilot.press(key)
                await settle(pilot)
                table = app.screen.query_one("#rows", DataTable)
                labels = [str(c.label) for c in table.ordered_columns]
                for label in wanted:
                    assert label in labels, (key, size, labels)
                assert (
                    sum(c.get_render_width(table) for c in table.ordered_columns)
                    <= table.size.width
                )

    asyncio.run(scenario())


def test_long_party_names_are_whole_at_200_columns(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.press("a")
            await settle(pilot)
            table = app.screen.query_one("#rows", DataTable)
            names = {
                str(table.get_row_at(i)[table.get_column_index("party")])
                for i in range(table.row_count)
            }
            assert any(len(n) > 22 for n in names)
            assert not any(n.endswith("…") for n in names)

    asyncio.run(scenario())


def test_response_due_comes_from_the_due_computation(db):
    from assurance.due import compute_due
    from assurance.store import Register

    with Register.open(db, actor="t") as register:
        responses = {
            i.subject: i.due for i in compute_due(register, TODAY, categories=["response"])
        }
    assert responses

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.press("a")
            await settle(pilot)
            table = app.screen.query_one("#rows", DataTable)
            column = table.get_column_index("response_due")
            seen = 0
            for i in range(table.row_count):
                row = table.get_row_at(i)
                cell = str(row[column])
                expected = responses.get(str(row[0]))
                assert cell.split(" ")[0] == (expected.isoformat() if expected else "")
                seen += expected is not None
            assert seen

    asyncio.run(scenario())


def test_sort_shows_its_direction_and_home_end_move_to_the_ends(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("p")
            await settle(pilot)
            table = app.screen.query_one("#rows", DataTable)
            await pilot.press("o")  # sort by the first sortable column
            await settle(pilot)
            labels = [str(c.label) for c in table.ordered_columns]
            assert labels[0] == "Id ▲"
            await pilot.press("O")
            await settle(pilot)
            assert str(table.ordered_columns[0].label) == "Id ▼"
            await pilot.press("end")
            await settle(pilot)
            assert table.cursor_row == table.row_count - 1 == 34  # the whole page, 35 parties
            await pilot.press("home")
            await settle(pilot)
            assert table.cursor_row == 0

    asyncio.run(scenario())


def test_the_dashboard_due_list_takes_keys_at_once(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            due = app.screen.query_one("#due", DataTable)
            assert app.focused is due
            await pilot.press("down", "down")
            assert due.cursor_row == 2
            await pilot.press("end")
            assert due.cursor_row == due.row_count - 1 > 2
            await pilot.press("home")
            assert due.cursor_row == 0

    asyncio.run(scenario())


def test_the_detail_pane_follows_a_write(db):
    from tui.widgets.detail import DetailPane

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("slash", *"P005", "enter")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            app.screen.query_one("#f-contact").value = "new-contact@weald.example"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "new-contact@weald.example" in app.screen.query_one(DetailPane).text

    asyncio.run(scenario())
