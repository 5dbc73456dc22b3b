"""Appendix A: every decision of the month in full, marked RED in header and footer."""

from __future__ import annotations

import pytest
from test_report_registers import DECEMBER_2019, build_register, february_2019


@pytest.fixture
def december(ssc):
    build_register(ssc.db, DECEMBER_2019)
    return ssc


def test_december_appendix_has_the_decision_in_full(december):
    result = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--part",
        "appendix",
        "--paper-ref",
        "SECP_76_1701_19",
    )
    assert result.status == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0] == "Paper Reference: SECP_76_1701_19 — Appendix A"
    assert lines[1] == "RED — named recipients only"
    assert lines[-1] == "RED — named recipients only"
    out = result.stdout
    assert "## Appendix A: Security Assurance Status Update (RED)" in out
    for expected in (
        "- **Party:** Fenland Shared Services Ltd",
        "- **Role:** Shared Resource Provider",
        "- **Assessment:** Full User Security Assessment (FUSA)",
        "- **Decision date:** 11 December 2019",
        "- **Status set:** Approved, subject to conditions",
        "- **Conditions:** Remediate F1 by 2020-03-31",
        "| G5.14 | Risk assessment not refreshed after system change | Medium | 31 March 2020 | Open |",
    ):
        assert expected in out
    assert "### A.2 Verification Assessments\n\nNone in December 2019." in out
    # The decision of January 2020 belongs to January's appendix.
    assert "Northwold" not in out


def test_february_appendix_lists_letters_vusas_and_the_ssa(ssc):
    build_register(ssc.db, february_2019())
    out = ssc("report", "panel", "--month", "2019-02", "--part", "appendix").stdout
    assert out.count("- **Assessment:** Verification User Security Assessment (VUSA)") == 6
    assert "#### Camden Supply Co — Director’s Letter of 20 January 2019" in out
    assert "- **Relates to:** Full User Security Assessment (FUSA)" in out
    assert "- **Summary:** Remediation of access control findings complete" in out
    assert "#### Hackney Home Energy — SSA" in out
    assert "- **Status set:** Compliant" in out


def test_appendix_takes_no_classification(december):
    result = december(
        "report", "panel", "--month", "2019-12", "--part", "appendix", "--classification", "GREEN"
    )
    assert result.status == 2
