"""Forms: only what changed is sent, a record changed meanwhile (by the CLI) is not overwritten,
nothing typed is lost to a stray key, and references are chosen by name, never typed as ids."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from textual.widgets import Select

from assurance.store import Register
from core import audit
from tests.conftest import REPO
from tests.test_tui_support import demo_register, make_app, settle
from tui.screens.base import ConfirmDiscard
from tui.screens.form import FormScreen
from tui.screens.picker import PickerScreen
from tui.screens.records import RecordsScreen
from tui.widgets.inputs import TextInput


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def reopen(db) -> Register:
    return Register.open(db, actor="check")


def cli(db, *args: str) -> subprocess.CompletedProcess:
    """A real ``ssc`` process on the same register, as another officer in another terminal."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SSC_ACTOR": "other-officer"}
    return subprocess.run(
        [sys.executable, "-m", "ssc", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )


async def _edit(pilot, view_key: str, record_id: str) -> FormScreen:
    await pilot.press(view_key)
    await settle(pilot)
    await pilot.press("slash", *record_id, "enter")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen)
    return pilot.app.screen


def test_an_edit_sends_only_the_fields_changed(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            form = await _edit(pilot, "p", "P003")
            form.query_one("#f-contact", TextInput).value = "ciso@severn.example"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    with reopen(db) as register:
        event = next(audit.events(register.conn, newest_first=True, limit=1))
        changed = {
            k
            for k in set(event.before) | set(event.after)
            if event.before.get(k) != event.after.get(k)
        }
        assert (event.action, event.entity_id, changed) == ("edit", "P003", {"contact"})


def test_saving_over_a_record_the_cli_changed_meanwhile_is_refused(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            form = await _edit(pilot, "p", "P003")
            # Meanwhile, in another terminal:
            done = cli(db, "party", "edit", "P003", "domestic_sms=300000", "--reason", "Q4 return")
            assert done.returncode == 0, done.stderr
            form.query_one("#f-contact", TextInput).value = "ciso@severn.example"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form  # still open, with what was typed
            said = str(form.query_one("#err-_record").render())
            assert "changed by someone else since you opened it" in said
            assert form.query_one("#f-contact", TextInput).value == "ciso@severn.example"

    asyncio.run(scenario())
    with reopen(db) as register:
        party = register.get("party", "P003")
        assert party.domestic_sms == 300000  # the CLI's change stands
        assert party.contact == "security@severn.example"  # the stale form wrote nothing
        assert register.verify_audit() is None


def test_a_form_without_changes_says_so(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            form = await _edit(pilot, "p", "P005")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "nothing changed" in str(form.query_one("#err-_record").render())

    before = _events(db)
    asyncio.run(scenario())
    assert _events(db) == before


def _events(db) -> int:
    with reopen(db) as register:
        return audit.head(register.conn)[0]


@pytest.mark.parametrize("key", ["escape", "ctrl+q"])
def test_a_half_filled_form_is_not_lost_to_a_stray_key(db, key):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"Wessex")
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDiscard)
            await pilot.press("n")  # keep editing
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#f-name", TextInput).value == "Wessex"
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("y")  # discard
            await settle(pilot)
            if key == "escape":
                assert isinstance(app.screen, RecordsScreen)
            else:
                assert app.return_code is not None or not app.is_running

    asyncio.run(scenario())


def test_q_off_a_text_box_does_not_quit_a_form(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"Wessex")
            for widget in ("#save", "#f-roles", "#f-classification"):
                form.query_one(widget).focus()
                await pilot.press("q")
                await settle(pilot)
                assert app.screen is form and app.is_running
            assert form.query_one("#f-name", TextInput).value == "Wessex"

    asyncio.run(scenario())


def test_an_untouched_form_closes_at_once(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())


def test_an_assessment_for_a_party_chosen_by_name_with_no_id_typed(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert app.focused.id == "f-party"
            await pilot.press(*"weald", "enter")
            await settle(pilot)
            picker = app.screen
            assert isinstance(picker, PickerScreen)
            assert picker.query_one("#search", TextInput).value == "weald"
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#f-party", TextInput).value == "P005"
            assert "Weald Energy Supply Ltd" in str(form.query_one("#about-party").render())
            form.query_one("#f-kind", Select).value = "VUSA"
            form.query_one("#f-report_received", TextInput).value = "2020-01-06"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    with reopen(db) as register:
        [new] = register.records(
            "assessment", where="party = 'P005' AND report_received = '2020-01-06'"
        )
        assert new.kind == "VUSA"
        assert new.id.startswith("A")  # given by add_record, as `ssc assessment add` does


def test_a_letter_relates_to_an_assessment_of_its_own_party_picked_from_a_scoped_list(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("l")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await pilot.press(*"albion", "enter")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert form.query_one("#f-party", TextInput).value == "P002"
            form.query_one("#f-received", TextInput).value = "2020-01-09"
            form.query_one("#f-relates_to", TextInput).focus()
            await pilot.press("ctrl+o")
            await settle(pilot)
            picker = app.screen
            assert isinstance(picker, PickerScreen) and picker.party == "P002"
            options = picker.query_one("#choices")
            assert options.option_count >= 1
            assert all(
                "Albion" in str(options.get_option_at_index(i).prompt)
                for i in range(options.option_count)
            )
            await pilot.press("down", "enter")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    with reopen(db) as register:
        [letter] = register.records("letter", where="received = '2020-01-09'")
        assert letter.party == "P002"
        assert register.get("assessment", letter.relates_to).party == "P002"


def test_findings_are_found_by_party_name(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("slash", *"Pennine", "enter")
            await settle(pilot)
            table = app.screen.query_one("#rows")
            assert table.row_count > 0
            parties = {
                str(table.get_row_at(i)[table.get_column_index("party")])
                for i in range(table.row_count)
            }
            assert parties == {"Pennine Power Supply plc"}

    asyncio.run(scenario())


def test_closing_a_finding_the_cli_changed_meanwhile_is_refused(db):
    from tui.screens.status import FindingStatusScreen

    with reopen(db) as register:
        finding = register.records("finding", where="status = 'open'")[0]

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("slash", *finding.id, "enter")
            await settle(pilot)
            await pilot.press("x")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FindingStatusScreen)
            done = cli(db, "finding", "edit", finding.id, "owner=CISO", "--reason", "new owner")
            assert done.returncode == 0, done.stderr
            dialog.query_one("#f-reason", TextInput).value = "evidence reviewed"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            assert "changed by someone else" in str(dialog.query_one("#err-_record").render())

    asyncio.run(scenario())
    with reopen(db) as register:
        after = register.get("finding", finding.id)
        assert (after.status, after.owner) == ("open", "CISO")


def test_picker_search_takes_hostile_text_literally(tmp_path):
    from assurance.models import Party
    from tui import pickers

    with Register.open(tmp_path / "r.db", actor="t") as register:
        register.add(Party(id="P1", name="[b]Evil[/b] & 100% Ltd", roles=["other_user"]))
        register.add(Party(id="P2", name="Plain_Name Ltd", roles=["other_user"]))
        register.add(Party(id="P3", name="Ünïcode Énergie", roles=["other_user"]))
        conn, policy = register.conn, register.policy
        assert [c.id for c in pickers.search(conn, "party", "100%", policy)] == ["P1"]
        assert [c.id for c in pickers.search(conn, "party", "%", policy)] == ["P1"]
        assert [
            c.id for c in pickers.search(conn, "party", "n_m", policy)
        ] == []  # _ is no wildcard
        assert [
            c.id for c in pickers.search(conn, "party", "'; DROP TABLE parties; --", policy)
        ] == []
        assert [c.id for c in pickers.search(conn, "party", "Énergie", policy)] == ["P3"]
        assert len(pickers.search(conn, "party", "", policy)) == 3
        assert register.count("party") == 3

    async def scenario():
        app = make_app(tmp_path / "r.db")
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.push_screen(PickerScreen("party", "evil"))
            await settle(pilot)
            option = app.screen.query_one("#choices").get_option_at_index(0)
            assert "[b]Evil[/b]" in str(option.prompt)

    asyncio.run(scenario())
