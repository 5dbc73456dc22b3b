"""ssc due: next assessment per Party and cycle, follow-ups, overdue responses and actions, letters awaiting a decision."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assurance.due import add_months, compute_due, json_text
from assurance.interchange import import_sources
from assurance.store import Register

AS_OF = dt.date(2020, 1, 10)


def load(register: Register, *records: dict) -> None:
    import_sources(register, [("t", n, r) for n, r in enumerate(records, 1)])


@pytest.fixture
def register(tmp_path):
    with Register.open(tmp_path / "r.db", actor="t") as reg:
        yield reg


def by_category(items):
    found: dict[str, list] = {}
    for item in items:
        found.setdefault(item.category, []).append(item)
    return found


def test_add_months_clamps():
    assert add_months(dt.date(2019, 1, 31), 1) == dt.date(2019, 2, 28)
    assert add_months(dt.date(2019, 10, 18), 12) == dt.date(2020, 10, 18)


def test_first_fusa_then_cycle_by_role_and_threshold(register):
    load(
        register,
        {"type": "party", "id": "new", "name": "Applicant Ltd", "roles": ["other_user"]},
        {
            "type": "party",
            "id": "big",
            "name": "Big Small Supplier",
            "roles": ["small_supplier"],
            "domestic_sms": 300000,
        },
        {
            "type": "party",
            "id": "tiny",
            "name": "Tiny Supplier",
            "roles": ["small_supplier"],
            "domestic_sms": 1000,
        },
        {
            "type": "assessment",
            "id": "b1",
            "party": "big",
            "kind": "FUSA",
            "cycle_year": 1,
            "fieldwork_end": "2019-03-01",
        },
        {
            "type": "assessment",
            "id": "t1",
            "party": "tiny",
            "kind": "FUSA",
            "cycle_year": 1,
            "fieldwork_end": "2018-12-01",
        },
    )
    items = {i.party: i for i in by_category(compute_due(register, AS_OF))["assessment"]}
    assert items["new"].kind == "FUSA" and items["new"].subject is None
    assert items["big"].kind == "VUSA" and items["big"].due == dt.date(2020, 3, 1)
    assert items["big"].days_overdue == -51 and not items["big"].overdue
    assert items["tiny"].kind == "SSA" and items["tiny"].due == dt.date(2019, 12, 1)
    assert items["tiny"].overdue and items["tiny"].days_overdue == 40


def test_deferred_fusa_needs_a_follow_up_until_one_is_done(register):
    load(
        register,
        {"type": "party", "id": "p", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]},
        {
            "type": "assessment",
            "id": "a",
            "party": "p",
            "kind": "FUSA",
            "fieldwork_end": "2019-06-01",
        },
        {"type": "decision", "id": "d", "subject": "a", "date": "2019-07-10", "status": "deferred"},
    )
    found = by_category(compute_due(register, AS_OF))
    assert [i.subject for i in found["follow_up"]] == ["a"]
    assert found["follow_up"][0].due == dt.date(2020, 1, 10)
    assert "assessment" not in found  # the cycle waits for the follow-up
    load(
        register,
        {
            "type": "assessment",
            "id": "f",
            "party": "p",
            "kind": "FOLLOW_UP",
            "fieldwork_end": "2019-12-01",
        },
    )
    found = by_category(compute_due(register, AS_OF))
    assert "follow_up" not in found and found["assessment"][0].kind == "VUSA"


def test_responses_actions_and_letters(register):
    load(
        register,
        {"type": "party", "id": "p", "name": "Fenland Ltd", "roles": ["other_user"]},
        {
            "type": "assessment",
            "id": "a1",
            "party": "p",
            "kind": "FUSA",
            "fieldwork_end": "2019-10-01",
            "report_received": "2019-11-01",
        },
        {
            "type": "assessment",
            "id": "a2",
            "party": "p",
            "kind": "VUSA",
            "report_received": "2019-11-01",
            "response_due": "2020-02-01",
        },
        {
            "type": "assessment",
            "id": "a3",
            "party": "p",
            "kind": "SSA",
            "report_received": "2019-11-01",
            "response_received": "2019-11-20",
        },
        {
            "type": "finding",
            "id": "f1",
            "assessment": "a1",
            "sec_ref": "G5.14",
            "title": "Risk",
            "due": "2019-12-31",
        },
        {
            "type": "finding",
            "id": "f2",
            "assessment": "a1",
            "sec_ref": "G6.3",
            "title": "Thresholds",
            "due": "2019-12-31",
            "status": "remediated",
        },
        {
            "type": "finding",
            "id": "f3",
            "assessment": "a1",
            "sec_ref": "G3.11",
            "title": "Access",
            "due": "2019-12-31",
            "status": "closed",
            "closed": "2019-12-01",
        },
        {"type": "letter", "id": "l1", "party": "p", "received": "2019-11-01", "relates_to": "a1"},
        {"type": "letter", "id": "l2", "party": "p", "received": "2019-11-01"},
        {
            "type": "decision",
            "id": "d",
            "subject": "l2",
            "date": "2019-12-11",
            "status": "approved",
        },
    )
    found = by_category(compute_due(register, AS_OF))
    responses = {i.subject: i for i in found["response"]}
    assert set(responses) == {"a1", "a2"}
    assert responses["a1"].due == dt.date(2019, 12, 1) and responses["a1"].overdue
    assert responses["a2"].due == dt.date(2020, 2, 1) and not responses["a2"].overdue
    assert [i.subject for i in found["action"]] == ["f1"]
    assert [i.subject for i in found["letter"]] == ["l1"] and found["letter"][0].due == dt.date(
        2019, 12, 16
    )
    assert found["action"][0].classification == "RED"
    only = compute_due(register, AS_OF, categories=["letter"], party="p")
    assert [i.category for i in only] == ["letter"]


def test_cli_exit_status_and_json(ssc):
    assert ssc("party", "add", "id=p", "name=Fenland Ltd", "roles=other_user").status == 0
    assert (
        ssc("assessment", "add", "id=a", "party=p", "kind=FUSA", "fieldwork_end=2019-06-01").status
        == 0
    )
    early = ssc("due", "--as-of", "2019-07-01", "--format", "json")
    assert early.status == 0
    data = json.loads(early.stdout)
    assert data["overdue"] == 0 and data["items"][0]["kind"] == "VUSA"
    late = ssc("due", "--as-of", "2020-07-01")
    assert late.status == 1 and "VUSA" in late.stdout
    assert max(len(line) for line in late.stdout.splitlines()) <= 80


def test_json_text_is_what_json_dumps_writes(register):
    load(
        register,
        {
            "type": "party",
            "id": 'p"1',
            "name": 'Ñorth "Quoted" \\ Ltd\t😀',
            "roles": ["other_user"],
        },
        {
            "type": "assessment",
            "id": "a",
            "party": 'p"1',
            "kind": "FUSA",
            "fieldwork_end": "2019-06-01",
            "report_received": "2019-07-01",
        },
        {"type": "letter", "id": "l", "party": 'p"1', "received": "2019-11-01"},
    )
    items = compute_due(register, AS_OF)
    assert {i.category for i in items} == {"assessment", "response", "letter"}
    expected = json.dumps(
        {
            "as_of": AS_OF.isoformat(),
            "overdue": sum(i.overdue for i in items),
            "items": [i.to_json() for i in items],
        },
        ensure_ascii=False,
    )
    assert json_text(AS_OF, items) == expected
    assert json_text(AS_OF, []) == json.dumps(
        {"as_of": AS_OF.isoformat(), "overdue": 0, "items": []}
    )


def test_cycle_follows_the_latest_completed_assessment_and_names_those_under_way(register):
    load(
        register,
        {"type": "party", "id": "p", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]},
        {
            "type": "assessment",
            "id": "a2",
            "party": "p",
            "kind": "VUSA",
            "cycle_year": 2,
            "fieldwork_end": "2019-03-01",
        },
        {
            "type": "assessment",
            "id": "a1",
            "party": "p",
            "kind": "FUSA",
            "cycle_year": 1,
            "fieldwork_end": "2019-03-01",
        },
        {
            "type": "assessment",
            "id": "a0",
            "party": "p",
            "kind": "FUSA",
            "cycle_year": 1,
            "fieldwork_end": "2018-03-01",
        },
        {"type": "assessment", "id": "b", "party": "p", "kind": "SSA"},
        {"type": "party", "id": "q", "name": "Started Ltd", "roles": ["other_user"]},
        {"type": "assessment", "id": "c", "party": "q", "kind": "FUSA"},
    )
    found = by_category(compute_due(register, AS_OF, categories=["assessment"]))["assessment"]
    # The same fieldwork end: the higher id is the last; its year 2 makes year 3 (a VUSA) next.
    assert [(i.party, i.subject, i.kind) for i in found] == [("p", "a2", "VUSA")]
    assert found[0].due == dt.date(2020, 3, 1) and found[0].description.endswith("; b under way")


def test_overdue_and_within_narrow_the_answer_through_the_cli(ssc):
    assert ssc("demo", as_of=AS_OF).status == 0
    everything = json.loads(ssc("due", "--format", "json", as_of=AS_OF).stdout)["items"]
    overdue = json.loads(ssc("due", "--overdue", "--format", "json", as_of=AS_OF).stdout)["items"]
    soon = json.loads(ssc("due", "--within", "30", "--format", "json", as_of=AS_OF).stdout)["items"]
    assert overdue == [item for item in everything if item["overdue"]] != []
    assert soon == [item for item in everything if item["days_overdue"] >= -30]
    assert len(overdue) < len(soon) < len(everything)


def test_an_unknown_category_is_refused_by_name(register):
    from core.errors import InputError

    with pytest.raises(
        InputError, match="unknown category 'rumour'; expected one of assessment, follow_up"
    ):
        compute_due(register, AS_OF, categories=["letter", "rumour"])


def test_an_item_takes_the_more_restricted_of_its_party_and_record(register):
    load(
        register,
        {
            "type": "party",
            "id": "open",
            "name": "Open Ltd",
            "roles": ["other_user"],
            "classification": "GREEN",
        },
        {
            "type": "party",
            "id": "shut",
            "name": "Shut Ltd",
            "roles": ["other_user"],
            "classification": "RED",
        },
        {
            "type": "letter",
            "id": "l1",
            "party": "open",
            "received": "2019-11-01",
            "classification": "AMBER",
        },
        {
            "type": "letter",
            "id": "l2",
            "party": "shut",
            "received": "2019-11-01",
            "classification": "WHITE",
        },
    )
    letters = {
        i.subject: i.classification for i in compute_due(register, AS_OF, categories=["letter"])
    }
    assert letters == {"l1": "AMBER", "l2": "RED"}


def test_a_withdrawn_party_owes_nothing(ssc):
    for argv in (
        ("party", "add", "id=p", "name=Gone Ltd", "roles=other_user"),
        (
            "assessment",
            "add",
            "id=a",
            "party=p",
            "kind=FUSA",
            "fieldwork_end=2019-06-01",
            "report_received=2019-07-01",
        ),
        ("finding", "add", "id=f", "assessment=a", "sec_ref=G5.14", "title=Risk", "due=2019-12-31"),
        ("letter", "add", "id=l", "party=p", "received=2019-11-01"),
    ):
        assert ssc(*argv, "--reason", "setup").status == 0
    before = json.loads(ssc("due", "--format", "json", as_of=AS_OF).stdout)["items"]
    assert {i["category"] for i in before} == {"assessment", "response", "action", "letter"}
    assert ssc("party", "withdraw", "p", "--reason", "left the SEC").status == 0
    after = ssc("due", "--format", "json", as_of=AS_OF)
    assert after.status == 0 and json.loads(after.stdout)["items"] == []


def test_an_owed_follow_up_holds_the_cycle_even_when_only_assessments_are_asked(register):
    load(
        register,
        {"type": "party", "id": "p", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]},
        {
            "type": "assessment",
            "id": "a",
            "party": "p",
            "kind": "FUSA",
            "fieldwork_end": "2019-06-01",
        },
        {"type": "decision", "id": "d", "subject": "a", "date": "2019-07-10", "status": "rejected"},
    )
    assert compute_due(register, AS_OF, categories=["assessment"]) == []
    follow_up = compute_due(register, AS_OF, categories=["follow_up"])
    assert [(i.subject, i.kind, i.description) for i in follow_up] == [
        ("a", "FOLLOW_UP", "follow-up FUSA after Rejected on a")
    ]


def test_the_policy_decides_the_schedule_and_which_statuses_call_for_a_follow_up(tmp_path):
    """A role no schedule names owes no cycle; with no status calling for a follow-up, a
    Deferred status holds nothing up."""
    from assurance.policy import default_policy

    policy = default_policy()
    cycle = policy.cycle.model_copy(
        update={"schedule": [s for s in policy.cycle.schedule if "other_user" not in s.roles]}
    )
    statuses = {
        vocabulary: {
            code: rule.model_copy(update={"requires_follow_up": False})
            for code, rule in table.items()
        }
        for vocabulary, table in policy.statuses.items()
    }
    changed = policy.model_copy(update={"cycle": cycle, "statuses": statuses})
    with Register.open(tmp_path / "r.db", actor="t", policy=changed) as register:
        load(
            register,
            {"type": "party", "id": "u", "name": "Other User Ltd", "roles": ["other_user"]},
            {
                "type": "party",
                "id": "p",
                "name": "Fenland Ltd",
                "roles": ["shared_resource_provider"],
            },
            {
                "type": "assessment",
                "id": "a",
                "party": "p",
                "kind": "FUSA",
                "cycle_year": 1,
                "fieldwork_end": "2019-06-01",
            },
            {
                "type": "decision",
                "id": "d",
                "subject": "a",
                "date": "2019-07-10",
                "status": "deferred",
            },
        )
        found = compute_due(register, AS_OF)
    assert [(i.category, i.party, i.kind) for i in found] == [("assessment", "p", "VUSA")]
