"""Security Incidents in the TUI: a list made from the descriptor (I), its form with the policy's
choices, the workflow's statuses only, and the Party picker."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Select

from assurance.store import Register, validate
from tests.test_tui_support import demo_register, make_app, settle
from tui.screens.form import FormScreen
from tui.screens.picker import PickerScreen
from tui.screens.records import RecordsScreen
from tui.widgets.detail import DetailPane
from tui.widgets.inputs import TextInput
from tui.widgets.record_table import RecordTable


@pytest.fixture
def db(tmp_path):
    path = demo_register(tmp_path / "register.db")
    with Register.open(path, actor="t") as register:
        register.add(
            validate(
                "incident",
                {
                    "id": "I-77",
                    "party": "P003",
                    "reported": "2019-12-04",
                    "category": "human_error",
                    "severity": "major",
                    "title": "Overnight change failure",
                    "status": "contained",
                    "next_review": "2020-01-06",
                },
                register.policy,
            )
        )
    return path


def test_the_incident_list_and_its_detail(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("I")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RecordsScreen) and screen.view.name == "incidents"
            table = screen.query_one(RecordTable)
            assert table.current_id == "I-77"
            labels = [column.label for column, _width in table._shown]
            assert labels[:2] == ["Id", "Class"] and {"Title", "Status", "Next review"} <= set(
                labels
            )
            row = " ".join(str(cell) for cell in table.query_one("#rows").get_row_at(0))
            assert "contained" in row and "Overnight chang" in row and "RED" in row
            detail = screen.query_one(DetailPane).text
            assert "incident I-77" in detail and "Human error" in detail and "Contained" in detail
            await pilot.press("i")  # without the detail pane: every column, the Party by name
            await settle(pilot)
            row = " ".join(str(cell) for cell in table.query_one("#rows").get_row_at(0))
            assert "Severn" in row and "2019-12-04" in row
            await pilot.press("slash", *"nothing-matches", "enter")
            await settle(pilot)
            assert table.current_id is None

    asyncio.run(scenario())


def test_a_new_incident_from_its_form_with_the_policys_choices_and_a_party_picked(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(120, 50)) as pilot:
            await pilot.press("I")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen) and form.type_name == "incident"
            category = form.query_one("#f-category", Select)
            assert [code for _label, code in category._options if code is not Select.NULL][:3] == [
                "malicious_firmware",
                "cyber_attack",
                "human_error",
            ]
            category.value = "malicious_firmware"
            form.query_one("#f-reported", TextInput).value = "2020-01-08"
            form.query_one("#f-title", TextInput).value = "Unsigned firmware image seen"
            form.query_one("#f-party", TextInput).focus()
            form.query_one("#f-party", TextInput).value = "Severn"
            await pilot.press("enter")  # the picker, searching by the Party's name
            await settle(pilot)
            assert isinstance(app.screen, PickerScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert form.query_one("#f-party", TextInput).value == "P003"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    with Register.open(db, actor="check") as register:
        [added] = register.records(
            "incident", where="title = ?", params=["Unsigned firmware image seen"]
        )
        assert (added.id, added.party, added.status, added.classification) == (
            "I0009",
            "P003",
            "reported",
            "RED",
        )  # the demo's seven, I-77, then the next free id


def test_the_edit_form_offers_only_the_workflows_next_statuses_and_refuses_a_bad_close(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(120, 50)) as pilot:
            await pilot.press("I")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            status = form.query_one("#f-status", Select)
            offered = [code for _label, code in status._options if code is not Select.NULL]
            assert offered == ["contained", "under_investigation", "closed"]
            status.value = "closed"  # without its closing date
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            errors = " ".join(str(w.render()) for w in form.query(".error"))
            assert "closing date" in errors

    asyncio.run(scenario())
    with Register.open(db, actor="check") as register:
        assert register.require("incident", "I-77").status == "contained"  # nothing saved
