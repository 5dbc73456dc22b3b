"""A record's evidence in the TUI, driven with Pilot: list, add with the file picker, open, export, withdraw."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import time

import pytest
from textual.widgets import DataTable, DirectoryTree

from assurance.evidence import list_evidence
from assurance.store import Register
from tests.test_tui_support import demo_register, make_app, settle
from tui.screens.evidence import AddEvidenceScreen, EvidenceScreen, ExportEvidenceScreen
from tui.screens.records import RecordsScreen
from tui.widgets.inputs import TextInput

PDF = b"%PDF-1.7\n% retest report\n%%EOF\n"


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def test_add_open_export_and_withdraw_evidence(db, tmp_path, monkeypatch):
    out = db.parent / "out"
    out.mkdir()
    (out / "retest.pdf").write_bytes(PDF)
    viewed = tmp_path / "viewed.pdf"
    viewer = tmp_path / "viewer.py"
    viewer.write_text(f"import shutil, sys\nshutil.copy(sys.argv[1], {str(viewed)!r})\n")
    monkeypatch.setenv("SSC_VIEWER", f"{sys.executable} {viewer}")
    with Register.open(db, actor="check") as register:
        finding = register.records("finding", where="status = 'open'")[0]

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.press("f")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)
            await pilot.press("slash", *finding.id, "enter")
            await settle(pilot)
            await pilot.press("E")
            await settle(pilot)
            assert isinstance(app.screen, EvidenceScreen)
            assert app.screen.query_one(DataTable).row_count == 0

            # The picker's folder loader is a worker that runs while it is shown: pause, not settle.
            await pilot.press("a")
            await pilot.pause(0.1)
            dialog = app.screen
            assert isinstance(dialog, AddEvidenceScreen)
            await pilot.press("ctrl+s")  # nothing picked yet: refused beside the picker
            await pilot.pause()
            assert "pick at least one file" in str(dialog.query_one("#err-FILE").render())
            tree = dialog.query_one(DirectoryTree)
            for _ in range(20):  # the tree loads its folder in a worker
                if tree.root.children:
                    break
                await pilot.pause(0.05)
            tree.focus()
            await pilot.press("down", "enter")
            await pilot.pause(0.1)
            assert dialog.chosen == [out / "retest.pdf"]
            dialog.query_one("#f-reason", TextInput).value = "CIO retest report"
            await pilot.press("ctrl+s")
            await pilot.pause(0.1)
            await settle(pilot)
            assert isinstance(app.screen, EvidenceScreen)
            assert app.screen.query_one(DataTable).row_count == 1

            await pilot.press("o")
            await settle(pilot)
            for _ in range(100):
                if viewed.exists():
                    break
                await asyncio.sleep(0.05)

            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, ExportEvidenceScreen)
            app.screen.query_one("#f-path", TextInput).value = str(tmp_path / "exported.pdf")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, EvidenceScreen)

            await pilot.press("w")
            await settle(pilot)
            app.screen.query_one("#f-reason", TextInput).value = "wrong version"
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, RecordsScreen)

    asyncio.run(scenario())
    deadline = time.monotonic() + 5
    while not viewed.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert viewed.read_bytes() == PDF
    exported = tmp_path / "exported.pdf"
    assert exported.read_bytes() == PDF and stat.S_IMODE(exported.stat().st_mode) == 0o600
    with Register.open(db, actor="check") as register:
        [item] = list_evidence(register.conn, finding.id, record_type="finding")
        assert item.name == "retest.pdf" and item.withdrawn_reason == "wrong version"
        assert register.verify_audit() is None
    assert os.environ["SSC_VIEWER"]


def test_read_only_sessions_list_but_do_not_add(db):
    async def scenario():
        app = make_app(db, read_only=True)
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("E")
            await settle(pilot)
            assert isinstance(app.screen, EvidenceScreen)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, EvidenceScreen)  # refused: no dialog

    asyncio.run(scenario())
