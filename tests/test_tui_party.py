"""One Party's page with everything about it, and the CPA state with and without CPA data loaded."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from tests.conftest import REPO
from tests.test_tui_forms import cli
from tests.test_tui_support import demo_register, make_app, settle, shown
from tui.screens.party import PartyScreen


@pytest.fixture
def db(tmp_path):
    return demo_register(tmp_path / "register.db")


async def _party_page(pilot, finding_filter: str) -> PartyScreen:
    await pilot.press("f")
    await settle(pilot)
    await pilot.press("slash", *finding_filter, "enter")
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PartyScreen)
    return pilot.app.screen


def test_a_party_page_from_one_of_its_findings_has_everything(db):
    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(160, 50)) as pilot:
            page = await _party_page(pilot, "Albion")
            assert page.party_id == "P002"
            texts = {
                part: shown(page.query_one(f"#party-{part}"))
                for part in (
                    "about",
                    "owes",
                    "assessments",
                    "decisions",
                    "findings",
                    "letters",
                    "cpa",
                )
            }
            assert "Albion Home Energy Ltd" in texts["about"]
            assert "security@albion.example" in texts["about"]
            assert "A0004" in texts["assessments"] and "Compliant" in texts["assessments"]
            assert (
                "Decisions:" in texts["decisions"]
                and "Potentially non-compliant" in texts["decisions"]
            )
            assert "F0004" in texts["findings"] and "in remediation" in texts["findings"]
            assert "L003" in texts["letters"]
            assert "no CPA data loaded" in texts["cpa"]
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, PartyScreen)

    asyncio.run(scenario())


def test_with_cpa_data_the_page_and_dashboard_show_exposure(tmp_path):
    db = demo_register(tmp_path / "register.db")
    edmi = REPO / "testdata" / "cpa" / "edmi"
    for name in ("certificates.csv", "inventory.csv", "plans.csv"):
        shutil.copy(edmi / name, tmp_path / name)
    from assurance.models import Party
    from assurance.store import Register

    with Register.open(db, actor="t") as register:
        register.add(Party(id="P-AMBER", name="Amber Energy", roles=["large_supplier"]))

    async def scenario():
        app = make_app(db)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            for _ in range(100):
                text = shown(app.screen.query_one("#cpa"))
                if "checking" not in text:
                    break
                await pilot.pause(0.05)
            assert "no CPA data loaded" in text
            app.push_screen(PartyScreen("P-AMBER"))
            await settle(pilot)
            assert "no CPA data loaded" in shown(app.screen.query_one("#party-cpa"))

    asyncio.run(scenario())
    for kind, name in (
        ("certificates", "certificates.csv"),
        ("inventory", "inventory.csv"),
        ("plans", "plans.csv"),
    ):
        result = cli(db, "cpa", "import", kind, str(tmp_path / name))
        assert result.returncode == 0, result.stderr

    async def after():
        app = make_app(db)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            text = shown(app.screen.query_one("#cpa"))
            assert "no CPA data" not in text and "devices installed" in text
            app.push_screen(PartyScreen("P-AMBER"))
            await settle(pilot)
            cpa = shown(app.screen.query_one("#party-cpa"))
            assert "CPA-2017-0142" in cpa and "EDMI" in cpa

    asyncio.run(after())
