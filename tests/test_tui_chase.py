"""The chase list (``assurance.chase``) and its screen: by Party, with contacts, exported as CSV and Markdown."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import stat

import pytest

from assurance import chase
from assurance.due import compute_due
from assurance.models import Assessment, Finding, Party
from assurance.store import Register
from tests.test_tui_support import TODAY, demo_register, make_app, settle
from tui.screens.chase import ChaseScreen
from tui.screens.party import PartyScreen


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def test_groups_compute_dues_items_by_party_with_contact(db):
    with Register.open(db, actor="check") as register:
        groups = chase.chase_list(register, TODAY, 14)
        due = compute_due(register, TODAY, within_days=14)
    assert sorted((i.party, i.subject, i.due) for g in groups for i in g.items) == sorted(
        (i.party, i.subject, i.due) for i in due
    )
    assert len({g.party for g in groups}) == len(groups)
    assert all(i.due <= TODAY + dt.timedelta(days=14) for g in groups for i in g.items)
    assert [g.most_overdue for g in groups] == sorted(
        (g.most_overdue for g in groups), reverse=True
    )
    albion = next(g for g in groups if g.party == "P002")
    assert albion.contact == "security@albion.example"


def test_a_wider_window_only_adds_items(db):
    with Register.open(db, actor="check") as register:
        near = {
            (i.party, i.subject, i.category)
            for g in chase.chase_list(register, TODAY, 0)
            for i in g.items
        }
        far = {
            (i.party, i.subject, i.category)
            for g in chase.chase_list(register, TODAY, 90)
            for i in g.items
        }
        with pytest.raises(Exception, match="negative"):
            chase.chase_list(register, TODAY, -1)
    assert near < far


def test_hostile_names_stay_text_in_csv_and_markdown(tmp_path):
    with Register.open(tmp_path / "r.db", actor="t") as register:
        register.add(
            Party(
                id="P1",
                name='=HYPERLINK("http://x")|**bold**\nnext',
                roles=["other_user"],
                contact="+44 20 <script>",
            )
        )
        register.add(
            Assessment(id="A1", party="P1", kind="FUSA", cycle_year=1, fieldwork_end="2019-06-01")
        )
        register.add(
            Finding(
                id="F1",
                assessment="A1",
                sec_ref="G5.14",
                title="-cmd|' /C calc'!A0",
                due="2019-12-01",
            )
        )
        groups = chase.chase_list(register, TODAY, 14)
        path = chase.write_chase_list(register, TODAY, 14, tmp_path / "c.csv", "csv")
        md = chase.write_chase_list(register, TODAY, 14, tmp_path / "c.md", "markdown")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert rows and all(r["party_name"].startswith("'=") for r in rows)
    assert all(r["contact"].startswith("'+") for r in rows)
    assert any(r["description"].startswith("'-") or "cmd" in r["description"] for r in rows)
    text = md.read_text()
    assert "\n## " in text and "**bold**" not in text and "<script>" not in text
    assert all(
        line.count("|") - line.count("\\|") == 6
        for line in text.splitlines()
        if line.startswith("| 20")
    )
    assert len(groups) == 1


def test_files_are_private_and_marked_with_the_highest_classification(db, tmp_path):
    with Register.open(db, actor="check") as register:
        md = chase.write_chase_list(register, TODAY, 14, tmp_path / "chase.md", "markdown")
        with pytest.raises(Exception, match="format"):
            chase.write_chase_list(register, TODAY, 14, tmp_path / "chase.txt", "txt")
    assert stat.S_IMODE(md.stat().st_mode) == 0o600
    assert md.read_text().startswith("**RED**")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_chase_screen_lists_by_party_and_exports(db, tmp_path):
    out = tmp_path / "out"

    async def scenario():
        app = make_app(db, out_dir=out)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("h")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ChaseScreen)
            before = sum(len(g.items) for g in screen.groups)
            await pilot.press("plus")
            await settle(pilot)
            assert screen.within_days == 21 and sum(len(g.items) for g in screen.groups) >= before
            await pilot.press("e", "E")
            await settle(pilot)
            await pilot.press("enter")  # on the first Party's heading: its page
            await settle(pilot)
            assert isinstance(app.screen, PartyScreen)
            assert app.screen.party_id == screen.groups[0].party

    asyncio.run(scenario())
    csv_file = out / f"chase-list-{TODAY}.csv"
    md_file = out / f"chase-list-{TODAY}.md"
    assert stat.S_IMODE(csv_file.stat().st_mode) == 0o600
    assert "security@albion.example" in csv_file.read_text()
    assert "# Chase list as of 2020-01-10" in md_file.read_text()
    assert "within 21 days" in md_file.read_text()
