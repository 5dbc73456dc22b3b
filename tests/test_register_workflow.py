"""Workflow rules: statuses per kind, transitions, conditions, follow-ups, closing dates, letters."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assurance.records import decide
from assurance.store import Register, validate
from core.errors import InputError


@pytest.fixture
def register(tmp_path):
    with Register.open(tmp_path / "r.db", actor="secretary") as reg:
        reg.add(
            validate(
                "party", {"id": "P1", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]}
            )
        )
        reg.add(validate("party", {"id": "P2", "name": "Solway Ltd", "roles": ["small_supplier"]}))
        reg.add(
            validate(
                "assessment",
                {
                    "id": "A1",
                    "party": "P1",
                    "kind": "FUSA",
                    "cycle_year": 1,
                    "fieldwork_end": "2019-10-18",
                    "report_received": "2019-11-08",
                },
            )
        )
        reg.add(
            validate("assessment", {"id": "V1", "party": "P1", "kind": "VUSA", "cycle_year": 2})
        )
        yield reg


def test_status_must_belong_to_the_kind(register):
    with pytest.raises(InputError, match="not a status for this subject") as caught:
        decide(register, "A1", status="compliant", date=dt.date(2019, 12, 11))
    assert caught.value.field == "status"
    decide(register, "V1", status="non_compliant", date=dt.date(2020, 12, 9))


def test_approved_subject_to_carries_its_conditions(register):
    with pytest.raises(InputError, match="needs its conditions"):
        decide(register, "A1", status="approved_subject_to", date=dt.date(2019, 12, 11))
    outcome = decide(
        register,
        "A1",
        status="approved_subject_to",
        date=dt.date(2019, 12, 11),
        conditions="Remediate F1 by 2020-03-31",
    )
    assert any("conditions to track" in line for line in outcome.consequences)


def test_deferred_calls_for_a_follow_up(register):
    outcome = decide(register, "A1", status="deferred", date=dt.date(2019, 12, 11))
    assert any("follow-up FUSA" in line and "2020-06-11" in line for line in outcome.consequences)


def test_transitions_follow_the_policy(register):
    decide(register, "A1", status="approved", date=dt.date(2019, 12, 11))
    with pytest.raises(InputError, match="cannot go from approved to deferred"):
        decide(register, "A1", status="deferred", date=dt.date(2020, 1, 8))


def test_finding_cannot_close_without_a_closing_date(register):
    register.add(
        validate(
            "finding",
            {
                "id": "F1",
                "assessment": "A1",
                "sec_ref": "G5.14",
                "title": "Risk assessment not refreshed",
                "due": "2020-03-31",
            },
        )
    )
    with pytest.raises(InputError, match="needs its closing date") as caught:
        register.edit("finding", "F1", {"status": "closed"})
    assert caught.value.field == "closed"
    register.edit(
        "finding", "F1", {"status": "closed", "closed": "2020-03-02"}, reason="evidence seen"
    )
    assert register.require("finding", "F1").status == "closed"


def test_letter_relates_to_its_partys_assessment(register):
    with pytest.raises(InputError, match="is of Party P1, not P2"):
        register.add(
            validate(
                "letter", {"id": "L1", "party": "P2", "received": "2020-02-01", "relates_to": "A1"}
            )
        )
    register.add(
        validate(
            "letter", {"id": "L1", "party": "P1", "received": "2020-02-01", "relates_to": "A1"}
        )
    )
    decide(register, "L1", status="approved", date=dt.date(2020, 2, 12))


def test_withdrawn_records_stay_and_cannot_change(register):
    register.withdraw("assessment", "V1", reason="entered twice")
    assert register.get("assessment", "V1").withdrawn_reason == "entered twice"
    assert (
        register.count("assessment") == 1
        and register.count("assessment", include_withdrawn=True) == 2
    )
    with pytest.raises(InputError, match="withdrawn"):
        register.edit("assessment", "V1", {"cio": "x"})
    with pytest.raises(InputError, match="needs a reason"):
        register.withdraw("assessment", "A1", reason=" ")


# -- the same rules on every write path, against the state at the decision's date --------------
@pytest.fixture
def cli(ssc):
    """A register with a FUSA (report received 2019-11-08), a letter (received 2020-02-03), a finding."""
    for argv in (
        ("party", "add", "id=P1", "name=Fenland Ltd", "roles=shared_resource_provider"),
        (
            "assessment",
            "add",
            "id=A1",
            "party=P1",
            "kind=FUSA",
            "fieldwork_end=2019-10-18",
            "report_received=2019-11-08",
        ),
        ("assessment", "add", "id=A2", "party=P1", "kind=FUSA", "report_received=2019-11-08"),
        ("letter", "add", "id=L1", "party=P1", "received=2020-02-03"),
        ("finding", "add", "id=F1", "assessment=A1", "sec_ref=G5.14", "title=Late"),
    ):
        assert ssc(*argv).status == 0, argv
    return ssc


def refused(result, message: str) -> None:
    assert result.status == 2, result
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def decisions(ssc) -> list[dict]:
    return json.loads(ssc("decision", "list", "--withdrawn", "--format", "json").stdout)


def test_a_decision_cannot_precede_what_it_decides_on(cli, tmp_path):
    refused(
        cli("decide", "A1", "--status", "approved", "--date", "2019-11-07"),
        "date: 2019-11-07 is before the assessment's report_received (2019-11-08)",
    )
    refused(
        cli("decide", "L1", "--status", "approved", "--date", "2020-01-15"),
        "date: 2020-01-15 is before the letter's received (2020-02-03)",
    )
    refused(
        cli("decision", "add", "subject=A1", "date=2019-01-01", "status=approved"),
        "date: 2019-01-01 is before",
    )
    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps(
            {
                "type": "decision",
                "id": "D9",
                "subject": "A1",
                "date": "2019-01-01",
                "status": "approved",
            }
        )
        + "\n"
    )
    refused(cli("import", str(path)), f"{path}:1: date: 2019-01-01 is before")
    assert decisions(cli) == []
    assert (
        cli("decide", "A1", "--status", "approved", "--date", "2019-11-08").status == 0
    )  # the same day is fine


def test_back_dating_a_decision_cannot_bypass_the_transitions(cli, tmp_path):
    assert (
        cli(
            "decide",
            "A1",
            "--status",
            "approved_subject_to",
            "--date",
            "2020-01-08",
            "--conditions",
            "Remediate F1",
        ).status
        == 0
    )
    assert (
        cli("decide", "A1", "--status", "approved", "--date", "2020-03-11", "--id", "D2").status
        == 0
    )
    # Rejected is final: dated before the others, it would leave them following a final status.
    refused(
        cli("decide", "A1", "--status", "rejected", "--date", "2019-12-11"),
        "date: decision D0001 of 2020-01-08 (approved_subject_to) cannot follow rejected",
    )
    # Between them: approved_subject_to -> approved -> approved is not a transition either.
    refused(cli("decide", "A1", "--status", "approved", "--date", "2020-02-12"), "cannot")
    path = tmp_path / "late.jsonl"
    path.write_text(
        json.dumps(
            {
                "type": "decision",
                "id": "D9",
                "subject": "A1",
                "date": "2019-12-11",
                "status": "rejected",
            }
        )
        + "\n"
    )
    refused(cli("import", str(path)), f"{path}:1: date: decision D0001 of 2020-01-08")
    assert [d["id"] for d in decisions(cli)] == ["D0001", "D2"]
    # A back-dated decision that keeps the chain valid is fine: a letter rejected, then approved.
    assert cli("decide", "L1", "--status", "approved", "--date", "2020-03-11").status == 0
    assert cli("decide", "L1", "--status", "rejected", "--date", "2020-02-12").status == 0


def test_editing_an_earlier_decision_cannot_break_the_chain(cli):
    assert (
        cli("decide", "A1", "--status", "deferred", "--date", "2020-01-08", "--id", "D1").status
        == 0
    )
    assert (
        cli("decide", "A1", "--status", "approved", "--date", "2020-03-11", "--id", "D2").status
        == 0
    )
    refused(
        cli("decision", "edit", "D1", "status=approved"),
        "date: decision D2 of 2020-03-11 (approved) cannot follow approved",
    )
    refused(
        cli("decision", "edit", "D2", "date=2019-12-11"),
        "date: decision D1 of 2020-01-08 (deferred) cannot follow approved",
    )
    refused(cli("decision", "edit", "D1", "date=2019-01-01"), "date: 2019-01-01 is before")
    assert (
        cli("decision", "edit", "D1", "notes=Minuted").status == 0
    )  # a change that keeps the chain
    # Taking a decision out of a chain (moved to another subject, or withdrawn) must leave it valid.
    assert (
        cli(
            "decide",
            "A1",
            "--status",
            "approved_subject_to",
            "--date",
            "2020-02-12",
            "--id",
            "D15",
            "--conditions",
            "Remediate F1",
        ).status
        == 0
    )
    refused(
        cli("decision", "edit", "D15", "date=2020-03-12"),
        "cannot go from approved to approved_subject_to",
    )


def test_taking_a_decision_out_of_a_chain_must_leave_it_valid(cli):
    for record_id, status, date in (
        ("E1", "approved_subject_to", "2020-01-08"),
        ("E2", "deferred", "2020-02-12"),
        ("E3", "approved_subject_to", "2020-03-11"),
    ):
        assert (
            cli(
                "decide",
                "A2",
                "--status",
                status,
                "--date",
                date,
                "--id",
                record_id,
                "--conditions",
                "Remediate F1",
            ).status
            == 0
        )
    assert cli("assessment", "add", "id=A3", "party=P1", "kind=FUSA").status == 0
    message = "without it, decision E3 of 2020-03-11 (approved_subject_to) would follow E1 (approved_subject_to)"
    refused(cli("decision", "edit", "E2", "subject=A3"), f"subject: {message}")
    refused(cli("decision", "withdraw", "E2", "--reason", "minuted wrongly"), message)
    assert cli("decision", "withdraw", "E3", "--reason", "minuted wrongly").status == 0
    assert cli("decision", "edit", "E2", "subject=A3").status == 0


def test_nothing_is_decided_on_or_moved_onto_a_withdrawn_record(cli):
    assert cli("assessment", "withdraw", "A2", "--reason", "entered twice").status == 0
    assert cli("letter", "withdraw", "L1", "--reason", "sent in error").status == 0
    refused(
        cli("decide", "A2", "--status", "approved", "--date", "2020-01-08"),
        "subject: assessment A2 is withdrawn",
    )
    refused(
        cli("decide", "L1", "--status", "approved", "--date", "2020-03-11"),
        "subject: letter L1 is withdrawn",
    )
    refused(cli("finding", "edit", "F1", "assessment=A2"), "assessment: assessment A2 is withdrawn")
    refused(
        cli("finding", "add", "assessment=A2", "sec_ref=G5.14", "title=Late"),
        "assessment A2 is withdrawn",
    )
    assert (
        cli("decide", "A1", "--status", "approved", "--date", "2020-01-08", "--id", "D1").status
        == 0
    )
    refused(cli("decision", "edit", "D1", "subject=A2"), "subject: assessment A2 is withdrawn")
    assert cli("finding", "edit", "F1", "title=Late, still").status == 0
    # What already stands on a record withdrawn later may still be corrected.
    assert cli("assessment", "withdraw", "A1", "--reason", "entered twice").status == 0
    assert cli("decision", "edit", "D1", "notes=Minuted").status == 0
    assert cli("finding", "edit", "F1", "title=Late, again").status == 0


def test_a_subjects_report_cannot_move_after_its_decision(cli):
    assert cli("decide", "A1", "--status", "approved", "--date", "2019-12-11").status == 0
    refused(
        cli("assessment", "edit", "A1", "report_received=2020-01-01"),
        "report_received: decision D0001 on it is dated 2019-12-11, before 2020-01-01",
    )
    assert cli("assessment", "edit", "A1", "report_received=2019-12-01").status == 0
    # Its decisions' statuses must stay in its vocabulary.
    refused(cli("assessment", "edit", "A1", "kind=VUSA"), "kind: decision D0001 on it set a status")
    assert cli("assessment", "edit", "A1", "kind=FOLLOW_UP").status == 0  # the same vocabulary
    # A letter relates to an assessment of its own Party, whichever of the two is edited.
    assert cli("party", "add", "id=P2", "name=Solway Ltd", "roles=small_supplier").status == 0
    assert cli("letter", "edit", "L1", "relates_to=A1").status == 0
    refused(
        cli("assessment", "edit", "A1", "party=P2"), "party: letter L1 of Party P1 relates to it"
    )
    refused(
        cli("letter", "edit", "L1", "party=P2"), "relates_to: assessment A1 is of Party P1, not P2"
    )


def test_the_tuis_path_meets_the_same_check(register):
    """The TUI validates a record and calls Register.add/edit directly: the same rules apply."""
    register.withdraw("assessment", "V1", reason="entered twice")
    with pytest.raises(InputError, match="V1 is withdrawn"):
        register.add(
            validate(
                "decision",
                {"id": "D1", "subject": "V1", "date": "2020-12-09", "status": "compliant"},
            )
        )
    with pytest.raises(InputError, match="is before the assessment's report_received"):
        register.add(
            validate(
                "decision",
                {"id": "D1", "subject": "A1", "date": "2019-01-01", "status": "approved"},
            )
        )
    with pytest.raises(InputError, match="records are withdrawn with `withdraw`"):
        register.add(
            validate(
                "party",
                {
                    "id": "P9",
                    "name": "X",
                    "roles": ["other_user"],
                    "withdrawn": "2020-01-01T00:00:00Z",
                },
            )
        )
