"""The secretariat's workflows driven through the TUI with Pilot, checked on the register afterwards."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, RadioButton, RadioSet, Select, SelectionList

from assurance.store import Register
from tests.test_tui_support import TODAY, demo_register, make_app, settle
from tui.screens.form import FormScreen
from tui.screens.help import HelpScreen
from tui.screens.records import RecordsScreen
from tui.screens.status import FindingStatusScreen, SetStatusScreen
from tui.widgets.inputs import TextBox, TextInput
from tui.widgets.record_table import RecordTable


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def run(coro):
    return asyncio.run(coro)


def reopen(db) -> Register:
    return Register.open(db, actor="check")


async def _open_list(pilot, key: str) -> RecordsScreen:
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, RecordsScreen)
    return pilot.app.screen


async def _filter(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


def test_add_a_party_shows_validation_beside_the_field(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await _open_list(pilot, "p")
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            form.query_one("#f-name", TextInput).value = "Wessex Energy Ltd"
            await pilot.press("ctrl+s")
            await settle(pilot)
            # No role chosen: the model's error sits next to the roles field, nothing written.
            assert "required" in str(form.query_one("#err-roles").render())
            form.query_one("#f-roles", SelectionList).select("small_supplier")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, FormScreen)

    run(scenario())
    with reopen(db) as register:
        [party] = register.records("party", where="name = ?", params=("Wessex Energy Ltd",))
        assert party.roles == ["small_supplier"]
        assert party.classification == "AMBER"


def test_record_a_fusa_for_a_party_from_its_assessments(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await _open_list(pilot, "p")
            await _filter(pilot, "P008")
            await pilot.press("enter")  # the Party's assessments
            await settle(pilot)
            assert app.screen.state.scope_value == "P008"
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert form.query_one("#f-party", TextInput).value == "P008"
            form.query_one("#f-kind", Select).value = "FUSA"
            form.query_one("#f-cycle_year", TextInput).value = "1"
            form.query_one("#f-fieldwork_start", TextInput).value = "2019-12-02"
            form.query_one("#f-fieldwork_end", TextInput).value = "2019-11-01"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "before fieldwork_start" in str(form.query_one("#err-fieldwork_end").render())
            form.query_one("#f-fieldwork_end", TextInput).value = "2019-12-13"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.state.scope_field is None

    run(scenario())
    with reopen(db) as register:
        found = register.records(
            "assessment", where="party = ? AND fieldwork_start = ?", params=("P008", "2019-12-02")
        )
        assert [a.kind for a in found] == ["FUSA"]


def test_set_a_status_with_conditions_and_a_reason(db):
    with reopen(db) as register:
        from assurance.models import Assessment

        register.add(
            Assessment(
                id="A-NEW", party="P008", kind="FUSA", cycle_year=1, fieldwork_end="2019-12-13"
            )
        )

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await _open_list(pilot, "a")
            await _filter(pilot, "A-NEW")
            await pilot.press("s")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, SetStatusScreen)
            names = [b.name for b in dialog.query_one(RadioSet).query("RadioButton")]
            assert names == ["approved", "approved_subject_to", "deferred", "rejected"]
            dialog.query_one("#status-approved_subject_to", RadioButton).value = True
            await settle(pilot)
            assert dialog.query_one("#conditions-box").display
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "reason" in str(dialog.query_one("#err-reason").render())
            dialog.query_one("#f-reason", TextInput).value = "SSC meeting 2020-01-08, item 5"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "conditions" in str(dialog.query_one("#err-conditions").render())
            dialog.query_one("#f-conditions", TextBox).text = "Remediate G5.14 by 2020-03-31"
            await pilot.press("ctrl+s")
            await settle(pilot)
            # Checked, not yet saved: the dialog says what would follow and waits for a confirm.
            assert isinstance(app.screen, SetStatusScreen)
            said = str(dialog.query_one("#consequences").render())
            assert "conditions to track: Remediate G5.14 by 2020-03-31" in said
            with reopen(db) as register:
                assert register.records("decision", where="subject = 'A-NEW'") == []
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)
            # Now only the transitions the policy allows from approved_subject_to are offered.
            await pilot.press("s")
            await settle(pilot)
            names = [b.name for b in app.screen.query_one(RadioSet).query("RadioButton")]
            assert names == ["approved", "deferred", "rejected"]

    run(scenario())
    with reopen(db) as register:
        [decision] = register.records("decision", where="subject = 'A-NEW'")
        assert decision.status == "approved_subject_to"
        assert decision.conditions == "Remediate G5.14 by 2020-03-31"
        assert decision.date == TODAY
        from core import audit

        last = next(audit.events(register.conn, newest_first=True, limit=1))
        assert last.reason == "SSC meeting 2020-01-08, item 5"


def test_close_a_finding(db):
    with reopen(db) as register:
        finding = register.records("finding", where="status = 'open'")[0]
        # Closing a medium or high finding takes evidence on it (policies/evidence.toml).
        from assurance.evidence import add_files

        retest = db.parent / "retest.pdf"
        retest.write_bytes(b"%PDF-1.7\n%%EOF\n")
        add_files(register, finding.id, [retest], kind="report", reason="retest report")

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await _open_list(pilot, "f")
            await _filter(pilot, finding.id)
            await pilot.press("x")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FindingStatusScreen)
            assert dialog.query_one("#closed-box").display
            dialog.query_one("#f-reason", TextInput).value = "evidence reviewed at SSC"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    run(scenario())
    with reopen(db) as register:
        closed = register.get("finding", finding.id)
        assert closed.status == "closed"
        assert closed.closed == TODAY


def test_filter_narrows_as_you_type_and_jumps_back(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await _open_list(pilot, "a")
            table = screen.query_one("#rows", DataTable)
            matches = screen.query_one(RecordTable)
            everything = matches.page_total
            await pilot.press("slash", "F", "U", "S", "A")
            await settle(pilot)
            fusa = matches.page_total
            assert 0 < fusa < everything
            await pilot.press("space", "P", "0", "0", "8")
            await settle(pilot)
            assert 0 < matches.page_total < fusa
            # Only what fits is loaded (a screenful, not the page).
            assert table.row_count <= min(matches.page_total, table.size.height)
            assert all(
                str(row[3]) == "FUSA" or "P008" in str(row)
                for row in (table.get_row_at(i) for i in range(table.row_count))
            )
            assert "of" in str(screen.query_one("#summary").render())

    run(scenario())


def test_a_list_loads_a_screenful_and_more_as_the_cursor_goes_down(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _open_list(pilot, "f")
            table = screen.query_one("#rows", DataTable)
            matches = screen.query_one(RecordTable)
            first = table.row_count
            assert first < matches.page_total  # the demo has more findings than fit
            for _ in range(3):
                await pilot.press("pagedown")
                await settle(pilot)
            assert first < table.row_count <= 100  # never more than a page
            summary = str(screen.query_one("#summary").render())
            assert summary.startswith(f"1–{table.row_count} of {matches.page_total}")
            ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            assert len(set(ids)) == len(ids)  # each screenful follows on, none repeated

    run(scenario())


def test_export_last_months_panel_paper_with_its_reference_after_a_preview(db, tmp_path):
    out = tmp_path / "papers"

    async def scenario():
        app = make_app(db, out_dir=out)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            dialog = app.screen
            # Written on 10 January: the paper reports December, previewed at once.
            assert dialog.query_one("#f-month", TextInput).value == "2019-12"
            assert "December 2019" in dialog.preview_text
            dialog.query_one("#f-paper_ref", TextInput).value = "not a ref"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "paper reference" in str(dialog.query_one("#err-paper_ref").render())
            dialog.query_one("#f-paper_ref", TextInput).value = "SECP_66_1503_19"
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert "SECP_66_1503_19" in dialog.preview_text
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.click("#cpa")
            await settle(pilot)
            assert "wrote" in str(app.screen.query_one("#report-result").render())

    run(scenario())
    names = sorted(p.name for p in out.iterdir())
    assert "ssc-panel-2019-12.md" in names
    assert "ssc-panel-2019-12-appendix-a-RED.md" in names
    assert any(n.startswith("cpa-report-2020-01-10") for n in names)
    assert "RED" in (out / "ssc-panel-2019-12-appendix-a-RED.md").read_text()
    assert "SECP_66_1503_19" in (out / "ssc-panel-2019-12.md").read_text()


def test_read_only_mode_refuses_every_write(db):
    async def scenario():
        app = make_app(db, read_only=True)
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            await _open_list(pilot, "p")
            for key in ("n", "e", "w"):
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, RecordsScreen)
            assert any("Read-only" in n.message for n in app._notifications)

    run(scenario())
    with reopen(db) as register:
        assert register.count("party") == 35


def test_palette_help_and_theme(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"Findings")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert app.current_mode == "findings"
            await pilot.press("ctrl+t")
            assert app.theme == "textual-light"

    run(scenario())


def test_every_screen_opens_with_classification_and_detail(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key, mode in (
                ("a", "assessments"),
                ("l", "letters"),
                ("f", "findings"),
                ("m", "decisions"),
                ("u", "audit"),
                ("c", "cpa"),
                ("p", "parties"),
            ):
                await pilot.press(key)
                await settle(pilot)
                assert app.current_mode == mode
                detail = str(app.screen.query_one("#detail-body").render())
                assert detail.strip(), mode
            # Jump from a Party to its findings and back.
            await pilot.press("F")
            await settle(pilot)
            assert app.screen.state.scope_field == "party"
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.state.scope_field is None

    run(scenario())


def test_dashboard_shows_smki_certificate_expiry_from_certs(db):
    import datetime as dt

    from tests.conftest import require_shared

    certs = require_shared()

    async def scenario():
        app = make_app(db, certs=(certs,), today=dt.date(2025, 4, 1))
        async with app.run_test(size=(120, 50)) as pilot:
            await settle(pilot)
            for _ in range(100):
                text = str(app.screen.query_one("#smki").render())
                if "loaded" in text:
                    break
                await pilot.pause(0.05)
            assert "SMKI certificates:" in text and "expiring or expired" in text

    run(scenario())


def test_read_only_opens_the_file_read_only_and_refuses_each_write_once(db):
    """The gate is the app's: one message per refused key, through keys and the palette alike;
    and the register itself is opened read-only, so a write that slipped past would fail."""
    import sqlite3

    before = db.read_bytes()

    async def scenario():
        app = make_app(db, read_only=True)
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            await _open_list(pilot, "f")
            for key in ("n", "e", "s", "x", "w"):
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, RecordsScreen)
            refused = [n for n in app._notifications if "Read-only" in n.message]
            assert len(refused) == 5
            await app.run_action("withdraw", app.screen)  # as the palette runs it
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)  # refused: no dialog
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                app.register.conn.execute("DELETE FROM parties")

    run(scenario())
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "argv", [["--db", "R.db", "tui", "--demo"], ["tui", "--demo", "--db", "R.db"]]
)
def test_tui_takes_the_global_db_before_or_after_its_name(argv):
    from pathlib import Path

    from ssc.cli import build_parser

    args = build_parser().parse_args(argv)
    assert args.db == Path("R.db") and args.demo


def test_tui_demo_without_db_leaves_db_unset_for_a_fresh_temporary_register():
    from ssc.cli import build_parser

    assert build_parser().parse_args(["tui", "--demo"]).db is None
