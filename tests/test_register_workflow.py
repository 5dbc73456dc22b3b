"""Workflow rules: statuses per kind, transitions, conditions, follow-ups, closing dates, letters."""

from __future__ import annotations

import datetime as dt

import pytest

from assurance.records import decide
from assurance.store import Register, validate
from ssc.errors import InputError


@pytest.fixture
def register(tmp_path):
    with Register.open(tmp_path / "r.db", actor="secretary") as reg:
        reg.add(validate("party", {"id": "P1", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]}))
        reg.add(validate("party", {"id": "P2", "name": "Solway Ltd", "roles": ["small_supplier"]}))
        reg.add(validate("assessment", {"id": "A1", "party": "P1", "kind": "FUSA", "cycle_year": 1,
                                        "fieldwork_end": "2019-10-18", "report_received": "2019-11-08"}))
        reg.add(validate("assessment", {"id": "V1", "party": "P1", "kind": "VUSA", "cycle_year": 2}))
        yield reg


def test_status_must_belong_to_the_kind(register):
    with pytest.raises(InputError, match="not a status for this subject") as caught:
        decide(register, "A1", status="compliant", date=dt.date(2019, 12, 11))
    assert caught.value.field == "status"
    decide(register, "V1", status="non_compliant", date=dt.date(2020, 12, 9))


def test_approved_subject_to_carries_its_conditions(register):
    with pytest.raises(InputError, match="needs its conditions"):
        decide(register, "A1", status="approved_subject_to", date=dt.date(2019, 12, 11))
    outcome = decide(register, "A1", status="approved_subject_to", date=dt.date(2019, 12, 11),
                     conditions="Remediate F1 by 2020-03-31")
    assert any("conditions to track" in line for line in outcome.consequences)


def test_deferred_calls_for_a_follow_up(register):
    outcome = decide(register, "A1", status="deferred", date=dt.date(2019, 12, 11))
    assert any("follow-up FUSA" in line and "2020-06-11" in line for line in outcome.consequences)


def test_transitions_follow_the_policy(register):
    decide(register, "A1", status="approved", date=dt.date(2019, 12, 11))
    with pytest.raises(InputError, match="cannot go from approved to deferred"):
        decide(register, "A1", status="deferred", date=dt.date(2020, 1, 8))


def test_finding_cannot_close_without_a_closing_date(register):
    register.add(validate("finding", {"id": "F1", "assessment": "A1", "sec_ref": "G5.14",
                                      "title": "Risk assessment not refreshed", "due": "2020-03-31"}))
    with pytest.raises(InputError, match="needs its closing date") as caught:
        register.edit("finding", "F1", {"status": "closed"})
    assert caught.value.field == "closed"
    register.edit("finding", "F1", {"status": "closed", "closed": "2020-03-02"}, reason="evidence seen")
    assert register.require("finding", "F1").status == "closed"


def test_letter_relates_to_its_partys_assessment(register):
    with pytest.raises(InputError, match="is of Party P1, not P2"):
        register.add(validate("letter", {"id": "L1", "party": "P2", "received": "2020-02-01", "relates_to": "A1"}))
    register.add(validate("letter", {"id": "L1", "party": "P1", "received": "2020-02-01", "relates_to": "A1"}))
    decide(register, "L1", status="approved", date=dt.date(2020, 2, 12))


def test_withdrawn_records_stay_and_cannot_change(register):
    register.withdraw("assessment", "V1", reason="entered twice")
    assert register.get("assessment", "V1").withdrawn_reason == "entered twice"
    assert register.count("assessment") == 1 and register.count("assessment", include_withdrawn=True) == 2
    with pytest.raises(InputError, match="withdrawn"):
        register.edit("assessment", "V1", {"cio": "x"})
    with pytest.raises(InputError, match="needs a reason"):
        register.withdraw("assessment", "A1", reason=" ")
