"""Security Incidents end to end through the public interface: the CLI, the interchange, the
audit trail, `ssc due` and the Panel report (counted, never named)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from test_report_leaks import _base, _highlight, _refused
from test_report_registers import build_register

from assurance.report import main_part, render
from assurance.store import Register

MAJOR = [
    "id=I1",
    "reported=2019-12-04",
    "category=human_error",
    "severity=major",
    "title=Major Incident in CSP N",
    "next_review=2020-01-15",
]


def test_add_edit_list_show_withdraw(ssc):
    assert ssc("party", "add", "id=P1", "name=CSP N Services", "roles=other_user").status == 0
    added = ssc("incident", "add", *MAJOR, "party=P1", "--reason", "reported at SSC_19_12")
    assert added.status == 0, added.stderr
    assert added.stdout.strip() == "added incident I1"
    generated = ssc(
        "incident", "add", "reported=2019-12-10", "category=cyber_attack", "title=Phishing campaign"
    )
    assert generated.stdout.strip() == "added incident I0002"

    edited = ssc("incident", "edit", "I1", "status=under_investigation", "--reason", "DCC review")
    assert edited.status == 0, edited.stderr
    listed = ssc("incident", "list", "status=under_investigation")
    assert "I1" in listed.stdout and "I0002" not in listed.stdout
    assert listed.stdout.splitlines()[0].split() == [
        "id",
        "reported",
        "category",
        "severity",
        "status",
        "next",
        "review",
        "title",
    ]
    record = json.loads(ssc("incident", "list", "--format", "json").stdout)[0]
    assert record == {
        "type": "incident",
        "id": "I0002",
        "classification": "RED",
        "reported": "2019-12-10",
        "title": "Phishing campaign",
        "category": "cyber_attack",
        "status": "reported",
    }

    shown = json.loads(ssc("incident", "show", "I1", "--format", "json").stdout)
    assert shown["record"]["status"] == "under_investigation"
    assert [r["id"] for r in shown["related"]] == ["P1"]  # its Party
    assert [e["action"] for e in shown["history"]] == ["add", "edit"]
    party = json.loads(ssc("party", "show", "P1", "--format", "json").stdout)
    assert "I1" in [r["id"] for r in party["related"]]  # and the Party knows its incidents

    assert ssc("incident", "withdraw", "I1", "--reason", "reported twice").status == 0
    assert "I1" not in ssc("incident", "list").stdout
    assert "withdrawn" in ssc("incident", "list", "--withdrawn").stdout
    assert ssc("audit", "verify").status == 0


def test_the_workflow_is_the_policys(ssc):
    assert ssc("incident", "add", *MAJOR).status == 0
    # closed needs its date; a status outside the workflow is named with the allowed ones
    no_date = ssc("incident", "edit", "I1", "status=closed")
    assert (
        no_date.status == 2
        and "closed: a closed Security Incident needs its closing date" in no_date.stderr
    )
    unknown = ssc("incident", "edit", "I1", "status=forgotten")
    assert (
        unknown.status == 2
        and "status: expected one of reported, under_investigation" in unknown.stderr
    )
    assert ssc("incident", "edit", "I1", "status=closed", "closed=2020-01-20").status == 0
    # closed may only reopen for investigation, never jump back to "reported"
    back = ssc("incident", "edit", "I1", "status=reported", "closed=")
    assert back.status == 2
    assert (
        "a Security Incident cannot go from closed to reported; allowed: under_investigation"
        in back.stderr
    )
    early = ssc(
        "incident",
        "add",
        "id=I2",
        "reported=2020-01-10",
        "category=other",
        "title=x",
        "status=closed",
        "closed=2020-01-01",
    )
    assert early.status == 2 and "closed: is before reported" in early.stderr


@pytest.mark.parametrize(
    "assignment, message",
    [
        ("category=alien_invasion", "category: unknown category 'alien_invasion'; expected one of"),
        ("severity=apocalyptic", "severity: unknown severity 'apocalyptic'"),
        ("reported=2019-13-01", "reported: '2019-13-01' is not a date in the calendar"),
        ("reported=04/12/2019", "reported: expected a date as YYYY-MM-DD"),
        ("party=P404", "party: no party with id 'P404'"),
        ("title=", "title: is required"),
        ("classification=PURPLE", "classification: must be one of WHITE, GREEN, AMBER, RED"),
    ],
)
def test_hostile_fields_are_refused_naming_the_field(ssc, assignment, message):
    fields = {item.split("=")[0]: item for item in MAJOR}
    fields[assignment.split("=")[0]] = assignment
    result = ssc("incident", "add", *fields.values())
    assert result.status == 2
    assert message in result.stderr
    assert "I1" not in ssc("incident", "list").stdout


def test_import_and_export_round_trip_jsonl_and_csv(ssc, tmp_path):
    assert (
        ssc("incident", "add", *MAJOR, "description=Human error; overnight, no impact").status == 0
    )
    assert ssc("incident", "edit", "I1", "status=contained").status == 0
    exported = ssc("export").stdout
    assert '"type":"incident"' in exported
    target = tmp_path / "again.db"
    jsonl = tmp_path / "register.jsonl"
    jsonl.write_text(exported, encoding="utf-8")
    again = type(ssc)(target)
    assert again("import", str(jsonl)).status == 0
    assert again("export").stdout == exported
    assert again("audit", "verify").status == 0

    csv_file = tmp_path / "incidents.csv"  # the type from the file's name (its table)
    csv_file.write_text(
        "id,reported,category,title,status,next_review\n"
        "I7,2020-02-03,malicious_firmware,Firmware alert,under_investigation,2020-03-01\n",
        encoding="utf-8",
    )
    assert again("import", str(csv_file)).status == 0
    record = json.loads(again("incident", "show", "I7", "--format", "json").stdout)["record"]
    assert record["next_review"] == "2020-03-01" and record["classification"] == "RED"


@pytest.mark.parametrize(
    "line, message",
    [
        (
            '{"type": "incident", "id": "I9", "reported": 20191204, "category": "other", "title": "x"}',
            "reported: expected a date as a YYYY-MM-DD string, got the number 20191204",
        ),
        (
            '{"type": "incident", "id": "I9", "reported": "2019-12-04", "category": "other", "title": "x",'
            ' "status": "closed"}',
            "closed: a closed Security Incident needs its closing date",
        ),
        (
            '{"type": "incident", "id": "I9", "reported": "2019-12-04", "category": ["other"], "title": "x"}',
            "category",
        ),
        (
            '{"type": "incident", "id": "I9", "reported": "2019-12-04", "category": "other", "title": true}',
            "title",
        ),
    ],
)
def test_import_refuses_wrong_types_and_nothing_is_written(ssc, tmp_path, line, message):
    path = tmp_path / "in.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    result = ssc("import", str(path))
    assert result.status == 2
    assert f"{path}:1: " in result.stderr and message in result.stderr
    assert ssc("incident", "list", "--format", "json").stdout.strip() in ("", "[]")


def test_an_open_incident_past_its_review_is_overdue(ssc):
    assert ssc("incident", "add", *MAJOR).status == 0
    assert (
        ssc(
            "incident",
            "add",
            "id=I2",
            "reported=2019-12-05",
            "category=other",
            "title=Closed",
            "status=closed",
            "closed=2019-12-20",
            "next_review=2019-12-30",
        ).status
        == 0
    )
    due = ssc("due", "--as-of", "2020-01-20", "--category", "incident", "--format", "json")
    assert due.status == 1, due.stderr  # something overdue
    items = json.loads(due.stdout)["items"]
    assert [(i["subject"], i["due"], i["overdue"]) for i in items] == [("I1", "2020-01-15", True)]
    assert ssc("due", "--as-of", "2020-01-10", "--category", "incident", "--overdue").status == 0


# -- the Panel report: counted in the SSC section, never named ----------------------------------
def _incidents_register(path: Path) -> Path:
    return build_register(
        path,
        [
            (
                "incident",
                {
                    "id": "I-2019-77",
                    "reported": "2019-12-04",
                    "category": "human_error",
                    "title": "Quillon overnight change failure",
                    "severity": "major",
                    "description": "Vexborough operator misapplied a change",
                },
            ),
            (
                "incident",
                {
                    "id": "I-2019-78",
                    "reported": "2019-12-18",
                    "category": "cyber_attack",
                    "title": "Phishing",
                    "status": "contained",
                },
            ),
            (
                "incident",
                {
                    "id": "I-2019-79",
                    "reported": "2019-11-30",
                    "category": "other",
                    "title": "November",
                },
            ),
        ],
    )


def test_the_panel_report_counts_the_months_incidents_without_naming_them(tmp_path):
    path = _incidents_register(tmp_path / "r.db")
    with Register.open(path, actor="t") as register:
        report, document = main_part(register, dt.date(2019, 12, 1))
        text = render(document, "markdown")
    assert report.classification == "WHITE"  # counts alone, nothing RED flowed in
    assert (
        "The SSC reviewed two Security Incidents reported in December 2019: one reported "
        "and one contained."
    ) in text
    for secret in ("Quillon", "Vexborough", "I-2019-77", "Phishing", "human_error"):
        assert secret not in text


def test_one_incident_and_a_month_without_any(tmp_path):
    path = _incidents_register(tmp_path / "r.db")
    with Register.open(path, actor="t") as register:
        november = render(main_part(register, dt.date(2019, 11, 1))[1], "markdown")
        october = render(main_part(register, dt.date(2019, 10, 1))[1], "markdown")
    assert (
        "The SSC reviewed one Security Incident reported in November 2019, now reported."
        in november
    )
    assert "Security Incident" not in october  # nothing said in a month without one


def test_a_red_incident_title_quoted_in_a_green_highlight_is_refused():
    """The tripwire scans the incidents table like every record table."""
    secret = "Quillon overnight change failure"
    records = [
        *_base("Quillan Harrowgate", "Ltd", "Tokens never rotated"),
        (
            "incident",
            {
                "id": "I-2020-9",
                "reported": "2020-03-02",
                "category": "human_error",
                "title": secret,
            },
        ),
        _highlight(secret),
    ]
    assert "incident I-2020-9" in _refused(records, secret)
