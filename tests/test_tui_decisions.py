"""Decisions through the TUI: checked and shown before saving, then saved by ``decide``; corrected by superseding."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from textual.widgets import RadioButton

from assurance.models import Assessment
from assurance.records import decide
from assurance.store import Register
from core import audit
from tests.test_tui_support import TODAY, demo_register, make_app, settle
from tui.screens.records import RecordsScreen
from tui.screens.status import SetStatusScreen
from tui.widgets.detail import DetailPane
from tui.widgets.inputs import TextInput


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def reopen(db) -> Register:
    return Register.open(db, actor="check")


async def _status_dialog(pilot, view_key: str, record_id: str, key: str = "s") -> SetStatusScreen:
    await pilot.press(view_key)
    await settle(pilot)
    await pilot.press("slash", *record_id, "enter")
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, SetStatusScreen)
    return pilot.app.screen


def test_a_non_compliance_says_the_panel_is_told_before_and_after_saving(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            dialog = await _status_dialog(pilot, "a", "A0016")
            dialog.query_one("#status-non_compliant", RadioButton).value = True
            dialog.query_one("#f-reason", TextInput).value = "SSC 2020-01-08 item 3"
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = str(dialog.query_one("#consequences").render())
            assert "the SSC notifies the Panel of this Compliance Status" in said
            assert "Non-compliant recorded for assessment A0016" in said
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)
            # The consequences the CLI prints are shown once saved, too.
            assert any("notifies the Panel" in n.message for n in app._notifications)
            # The detail pane already shows the new status (refreshed after the write).
            assert "Non-compliant" in app.screen.query_one(DetailPane).text

    asyncio.run(scenario())
    with reopen(db) as register:
        [decision] = register.records("decision", where="subject = 'A0016'")
        assert decision.status == "non_compliant"
        assert decision.date == TODAY


def test_changing_anything_after_the_check_asks_for_a_new_check(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            dialog = await _status_dialog(pilot, "a", "A0016")
            dialog.query_one("#status-compliant", RadioButton).value = True
            dialog.query_one("#f-reason", TextInput).value = "SSC 2020-01-08 item 3"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert dialog.query_one("#consequences").display
            dialog.query_one("#status-non_compliant", RadioButton).value = True
            await settle(pilot)
            assert not dialog.query_one("#consequences").display
            await pilot.press("ctrl+s")  # a check of the new choice, not a save of the old one
            await settle(pilot)
            assert "notifies the Panel" in str(dialog.query_one("#consequences").render())
            await pilot.press("ctrl+s")
            await settle(pilot)

    asyncio.run(scenario())
    with reopen(db) as register:
        assert [d.status for d in register.records("decision", where="subject = 'A0016'")] == [
            "non_compliant"
        ]


def test_a_back_dated_decision_is_checked_against_the_status_at_its_date(db):
    with reopen(db) as register:
        register.add(
            Assessment(
                id="A-DATED",
                party="P008",
                kind="VUSA",
                cycle_year=2,
                fieldwork_end="2019-09-20",
                report_received="2019-10-01",
            )
        )
        decide(register, "A-DATED", status="compliant", date=dt.date(2019, 11, 1))
        decide(register, "A-DATED", status="non_compliant", date=dt.date(2020, 1, 5))

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            dialog = await _status_dialog(pilot, "a", "A-DATED")
            # From non-compliant today, compliant is allowed; on 1 December it was compliant already.
            dialog.query_one("#status-compliant", RadioButton).value = True
            dialog.query_one("#f-date", TextInput).value = "2019-12-01"
            dialog.query_one("#f-reason", TextInput).value = "late minute"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "cannot go from compliant to compliant" in str(
                dialog.query_one("#err-status").render()
            )
            assert not dialog.query_one("#consequences").display
            dialog.query_one("#f-date", TextInput).value = "2020-13-01"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "YYYY-MM-DD" in str(dialog.query_one("#err-date").render())

    asyncio.run(scenario())
    with reopen(db) as register:
        assert len(register.records("decision", where="subject = 'A-DATED'")) == 2
        assert register.verify_audit() is None


def test_correcting_a_decision_records_a_superseding_one_with_a_reason(db):
    with reopen(db) as register:
        # The report came before the December meeting the correction dates it to (a decision
        # cannot precede what it decides on: the rule is checked in the rehearsal too).
        register.add(
            Assessment(
                id="A-FIX",
                party="P008",
                kind="FUSA",
                cycle_year=1,
                fieldwork_end="2019-11-29",
                report_received="2019-12-05",
            )
        )
        wrong = decide(register, "A-FIX", status="deferred", date=dt.date(2020, 1, 8)).decision

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            dialog = await _status_dialog(pilot, "m", wrong.id, key="e")
            assert dialog.correcting is not None
            # Offered from the status before the wrong decision (none): all four.
            names = [b.name for b in dialog.query("RadioButton")]
            assert names == ["approved", "approved_subject_to", "deferred", "rejected"]
            assert dialog.query_one("#f-date", TextInput).value == "2020-01-08"
            dialog.query_one("#status-approved", RadioButton).value = True
            dialog.query_one("#f-reason", TextInput).value = "minute said approved, typed deferred"
            dialog.query_one("#f-date", TextInput).value = "2019-12-11"
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = str(dialog.query_one("#consequences").render())
            assert "reported in the Panel paper for December 2019" in said
            assert "moves it out of the paper for January 2020" in said
            dialog.query_one("#f-date", TextInput).value = "2020-01-08"
            await pilot.press("ctrl+s")  # changed: checked again
            await settle(pilot)
            assert "moves it out" not in str(dialog.query_one("#consequences").render())
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    with reopen(db) as register:
        old = register.get("decision", wrong.id)
        assert old.status == "deferred" and old.withdrawn is not None
        assert old.withdrawn_reason == "superseded: minute said approved, typed deferred"
        [new] = register.records("decision", where="subject = 'A-FIX'")
        assert new.status == "approved" and new.date == dt.date(2020, 1, 8)
        assert new.notes.startswith(f"supersedes {wrong.id}")
        actions = [e.action for e in audit.events(register.conn, newest_first=True, limit=2)]
        assert actions == ["add", "withdraw"]
        assert register.verify_audit() is None


def test_a_final_status_offers_nothing(db):
    with reopen(db) as register:
        register.add(
            Assessment(
                id="A-FINAL", party="P008", kind="FUSA", cycle_year=1, fieldwork_end="2019-12-13"
            )
        )
        decide(register, "A-FINAL", status="approved", date=dt.date(2020, 1, 8))

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            dialog = await _status_dialog(pilot, "a", "A-FINAL")
            assert not dialog.query("RadioButton")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
