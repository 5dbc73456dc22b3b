"""SVG snapshots of the main screens, as of a fixed day, with audit times frozen and no cursor blink.

Update after a deliberate change of the UI: ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path

import pytest

from assurance import store
from core import audit
from tests.test_tui_support import demo_register, make_app

FROZEN = dt.datetime(2020, 1, 10, 9, 30, tzinfo=dt.UTC)


class _FrozenDatetime(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN


@pytest.fixture
def db(tmp_path, monkeypatch):
    # The audit trail stamps real time into every event (and so its hash): freeze it here.
    frozen = types.SimpleNamespace(
        datetime=_FrozenDatetime, date=dt.date, timedelta=dt.timedelta, UTC=dt.UTC
    )
    monkeypatch.setattr(audit, "dt", frozen)
    monkeypatch.setattr(store, "dt", frozen)
    return demo_register(tmp_path / "register.db")


async def _ready(pilot) -> None:
    """Wait for the dashboard's due list (a worker) and every refresh."""
    app = pilot.app
    await pilot.pause()
    for _ in range(400):
        titles = app.screen.query("#due-title")
        if not titles or "computing" not in str(titles.first().render()):
            break
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_dashboard(db, snap_compare, size):
    assert snap_compare(make_app(db), terminal_size=size, run_before=_ready)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_assessments_with_status_and_response_due(db, snap_compare, size):
    async def assessments(pilot):
        await _ready(pilot)
        await pilot.press("a", "down", "down")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=size, run_before=assessments)


def test_parties_with_detail(db, snap_compare):
    async def parties(pilot):
        await _ready(pilot)
        await pilot.press("p", "down", "down")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=(140, 36), run_before=parties)


def test_party_form_with_an_error_beside_the_field(db, snap_compare):
    async def form(pilot):
        await _ready(pilot)
        await pilot.press("p", "n")
        await _ready(pilot)
        await pilot.press("ctrl+s")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=(100, 36), run_before=form)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_a_decision_waiting_for_its_confirmation(db, snap_compare, size):
    async def decision(pilot):
        await _ready(pilot)
        await pilot.press("a", "slash", *"A0016", "enter", "s")
        await _ready(pilot)
        await pilot.press("down", "down", "enter", "tab", "tab", *"SSC item 3", "ctrl+s")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=size, run_before=decision)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_chase_list(db, snap_compare, size):
    async def chase(pilot):
        await _ready(pilot)
        await pilot.press("h")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=size, run_before=chase)


def test_party_page(db, snap_compare):
    async def party(pilot):
        await _ready(pilot)
        await pilot.press("p", "slash", *"Albion", "enter", "v")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=(200, 50), run_before=party)


def test_reports_dialog_with_its_preview(db, snap_compare):
    async def reports(pilot):
        await _ready(pilot)
        await pilot.press("r")
        await _ready(pilot)

    # A fixed folder name: the temporary directory's would differ from run to run.
    app = make_app(db, out_dir=Path("papers"))
    assert snap_compare(app, terminal_size=(100, 40), run_before=reports)


def test_security_incidents(db, snap_compare):
    """The list made from the incident descriptor: status in words, the open one's next review."""

    async def incidents(pilot):
        await _ready(pilot)
        await pilot.press("I")
        await _ready(pilot)

    assert snap_compare(make_app(db), terminal_size=(120, 24), run_before=incidents)
