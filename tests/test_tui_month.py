"""A secretariat's month in the TUI, key by key: no id typed by hand, every write in the register.

Each task counts the keys pressed (typed words — names, dates, reasons — counted apart), so the
figures in the README and the report come from a run, not an estimate. ``pytest -s`` prints them.
"""

from __future__ import annotations

import asyncio
import re
import stat

import pytest

from assurance.store import Register
from tests.test_tui_support import TODAY, demo_register, make_app, settle

#: What an id looks like: the month's work must never need one typed.
_ID = re.compile(r"^[PALDFH]\d{3,}$")


class Keys:
    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.counts: dict[str, tuple[int, int]] = {}
        self.task = ""
        self.typed_texts: list[str] = []

    def start(self, task: str) -> None:
        self.task = task
        self.counts[task] = (0, 0)

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)
        keys_, chars = self.counts[self.task]
        self.counts[self.task] = (keys_ + len(keys), chars)

    async def type(self, text: str) -> None:
        assert not _ID.match(text.strip()), f"an id typed by hand: {text!r}"
        self.typed_texts.append(text)
        await self.pilot.press(*text)
        await settle(self.pilot)
        keys_, chars = self.counts[self.task]
        self.counts[self.task] = (keys_, chars + len(text))


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


def test_a_month_of_work_without_typing_an_id(db, tmp_path, capsys):
    out = tmp_path / "out"

    async def scenario() -> dict:
        app = make_app(db, out_dir=out)
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            await settle(pilot)
            k = Keys(pilot)

            k.start("record a Party")
            await k.press("p", "n")
            await k.type("Wessex Energy Ltd")
            await k.press("tab", "down", "space")  # User Roles: Small Supplier
            await k.press("ctrl+s")

            k.start("an assessment with its report received")
            await k.press("a", "n")
            await k.type("wessex")
            await k.press("enter", "enter")  # the picker, then its first match
            await k.press("tab", "enter", "down", "enter")  # Kind: FUSA, the first after the blank
            await k.press("tab")
            await k.type("1")
            await k.press("tab", "tab")
            await k.type("2019-12-02")
            await k.press("tab")
            await k.type("2019-12-13")
            await k.press("tab")
            await k.type("2020-01-06")
            await k.press("ctrl+s")

            k.start("a decision with conditions")
            await k.press("slash")
            await k.type("wessex")
            await k.press("enter", "s", "down", "enter", "tab")  # Approved, subject to conditions
            await k.type("Remediate G5.14 by 2020-03-31")
            await k.press("tab", "tab")
            await k.type("SSC 2020-01-08 item 4")
            await k.press("ctrl+s", "ctrl+s")  # check, then confirm

            k.start("a finding")
            await k.press("f", "n")
            await k.type("wessex")
            await k.press("enter", "enter", "tab")
            await k.type("G5.14")
            await k.press("tab")
            await k.type("Risk assessment not refreshed")
            await k.press("ctrl+s")

            k.start("close a finding")
            await k.press("slash")
            await k.type("wessex")
            await k.press("enter", "x")
            await k.type("evidence reviewed at SSC")
            await k.press("ctrl+s")

            k.start("a Director's Letter and its decision")
            await k.press("l", "n")
            await k.type("wessex")
            await k.press("enter", "enter", "tab")
            await k.type("2020-01-09")
            await k.press("tab", "enter", "enter")  # relates to: the picker, scoped to the Party
            await k.press("ctrl+s")
            await k.press("s", "enter", "tab", "tab")  # Approved
            await k.type("SSC 2020-01-08 item 5")
            await k.press("ctrl+s", "ctrl+s")

            k.start("the chase list, exported")
            await k.press("h", "e")
            await k.press("escape")

            k.start("last month's Panel paper")
            await k.press("r", "tab")
            await k.type("SECP_66_1503_19")
            await k.press("ctrl+s")
            return k.counts

    counts = asyncio.run(scenario())
    with capsys.disabled():
        print("\nkeys (+ characters typed) per task:")
        for task, (keys, chars) in counts.items():
            print(f"  {task:45} {keys:3} keys + {chars} typed")

    with Register.open(db, actor="check") as register:
        [party] = register.records("party", where="name = 'Wessex Energy Ltd'")
        assert party.roles == ["small_supplier"]
        [assessment] = register.records("assessment", where="party = ?", params=(party.id,))
        assert (assessment.kind, str(assessment.report_received)) == ("FUSA", "2020-01-06")
        decisions = register.records("decision", where="subject = ?", params=(assessment.id,))
        assert [(d.status, d.conditions) for d in decisions] == [
            ("approved_subject_to", "Remediate G5.14 by 2020-03-31")
        ]
        [finding] = register.records("finding", where="assessment = ?", params=(assessment.id,))
        assert (finding.sec_ref, finding.status, finding.closed) == ("G5.14", "closed", TODAY)
        [letter] = register.records("letter", where="party = ?", params=(party.id,))
        assert letter.relates_to == assessment.id
        [approval] = register.records("decision", where="subject = ?", params=(letter.id,))
        assert approval.status == "approved"
        assert register.verify_audit() is None
    chase = out / f"chase-list-{TODAY}.csv"
    assert stat.S_IMODE(chase.stat().st_mode) == 0o600
    paper = (out / "ssc-panel-2019-12.md").read_text()
    assert "SECP_66_1503_19" in paper
