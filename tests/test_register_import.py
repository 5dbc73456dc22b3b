"""ssc import: JSON Lines in any order, CSV per record type, all or nothing with file:line:field errors."""

from __future__ import annotations

import json
from pathlib import Path

from assurance.interchange import validate_batch
from assurance.store import Register

PARTY = {
    "type": "party",
    "id": "p1",
    "name": "Fenland Shared Services Ltd",
    "roles": ["shared_resource_provider"],
}
ASSESSMENT = {
    "type": "assessment",
    "id": "a1",
    "party": "p1",
    "kind": "FUSA",
    "cycle_year": 1,
    "fieldwork_end": "2019-10-18",
    "report_received": "2019-11-08",
}
DECISION = {
    "type": "decision",
    "id": "d1",
    "subject": "a1",
    "date": "2019-12-11",
    "status": "approved_subject_to",
    "conditions": "Remediate F1 by 2020-03-31",
}
FINDING = {
    "type": "finding",
    "id": "f1",
    "assessment": "a1",
    "sec_ref": "G5.14",
    "title": "Risk assessment not refreshed after system change",
    "severity": "medium",
    "due": "2020-03-31",
    "status": "open",
}


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_spec_example_imports_in_any_order(ssc, tmp_path):
    source = write_jsonl(tmp_path / "r.jsonl", FINDING, DECISION, ASSESSMENT, PARTY)
    result = ssc("import", str(source))
    assert result.status == 0, result.stderr
    assert "imported 4 record(s)" in result.stderr
    shown = json.loads(ssc("finding", "list", "--format", "json").stdout)
    assert shown[0]["sec_ref"] == "G5.14" and shown[0]["classification"] == "RED"


def test_every_error_is_named_and_nothing_is_written(ssc, tmp_path):
    bad_party = {**PARTY, "roles": ["supplier"]}
    bad_finding = {**FINDING, "sec_ref": "H1.2"}
    unclosed = {**FINDING, "id": "f2", "status": "closed"}
    orphan = {**ASSESSMENT, "id": "a2", "party": "nobody"}
    source = write_jsonl(
        tmp_path / "bad.jsonl",
        bad_party,
        ASSESSMENT,
        bad_finding,
        orphan,
        {**DECISION, "conditions": None},
        unclosed,
    )
    result = ssc("import", str(source))
    assert result.status == 2
    err = result.stderr
    assert f"{source}:1: roles:" in err
    assert f"{source}:3: sec_ref:" in err
    assert f"{source}:6: closed: a closed finding needs its closing date" in err
    assert f"{source}:4: party: no party with id 'nobody'" in err
    assert f"{source}:5: conditions:" in err
    assert ssc("party", "list", "--format", "json").stdout.strip() == "[]"
    assert "1 event" in ssc("audit", "verify").stdout  # the register's own `create` event only


def test_bad_json_and_unknown_type(ssc, tmp_path):
    source = tmp_path / "x.jsonl"
    source.write_text('{"type":"party","id":"p1","name":"A","roles":["other_user"]}\n{oops\n')
    result = ssc("import", str(source))
    assert result.status == 2 and f"{source}:2: not valid JSON" in result.stderr
    source.write_text('{"type":"meter","id":"m1"}\n')
    result = ssc("import", str(source))
    assert result.status == 2 and f"{source}:1: type: expected one of party" in result.stderr
    assert ssc("import", str(tmp_path / "missing.jsonl")).status == 2


def test_references_resolve_across_files_and_the_register(ssc, tmp_path):
    assert ssc("import", str(write_jsonl(tmp_path / "1.jsonl", PARTY))).status == 0
    second = write_jsonl(tmp_path / "2.jsonl", DECISION)
    third = write_jsonl(tmp_path / "3.jsonl", ASSESSMENT)
    result = ssc("import", str(second), str(third))
    assert result.status == 0, result.stderr


def test_duplicate_ids_within_the_batch_and_against_the_register(ssc, tmp_path):
    assert ssc("import", str(write_jsonl(tmp_path / "1.jsonl", PARTY))).status == 0
    source = write_jsonl(tmp_path / "2.jsonl", PARTY, {**ASSESSMENT}, {**ASSESSMENT})
    result = ssc("import", str(source))
    assert result.status == 2
    assert f"{source}:1: id: a party with id 'p1' is already in the register" in result.stderr
    assert f"{source}:3: id: assessment 'a1' appears twice (first at {source}:2)" in result.stderr


def test_decisions_on_one_subject_checked_in_date_order(ssc, tmp_path):
    later = {**DECISION, "id": "d2", "date": "2020-03-11", "status": "approved", "conditions": None}
    ok = write_jsonl(tmp_path / "ok.jsonl", later, DECISION, ASSESSMENT, PARTY)
    assert ssc("import", str(ok)).status == 0
    # Approved is final: a later Deferred cannot follow it.
    deferred = {
        "type": "decision",
        "id": "d3",
        "subject": "a1",
        "date": "2020-04-08",
        "status": "deferred",
    }
    result = ssc("import", str(write_jsonl(tmp_path / "bad.jsonl", deferred)))
    assert result.status == 2
    assert "bad.jsonl:1: status: cannot go from approved to deferred" in result.stderr
    # A compliance status on a FUSA is not in its vocabulary.
    wrong = {**deferred, "status": "compliant"}
    result = ssc("import", str(write_jsonl(tmp_path / "wrong.jsonl", wrong)))
    assert "status: 'compliant' is not a status for this subject" in result.stderr


def test_letter_relates_to_an_assessment_of_its_own_party(ssc, tmp_path):
    other = {**PARTY, "id": "p2", "name": "Other Ltd"}
    letter = {
        "type": "letter",
        "id": "l1",
        "party": "p2",
        "received": "2020-02-01",
        "relates_to": "a1",
    }
    result = ssc("import", str(write_jsonl(tmp_path / "l.jsonl", PARTY, other, ASSESSMENT, letter)))
    assert (
        result.status == 2
        and "l.jsonl:4: relates_to: assessment a1 is of Party p1, not p2" in result.stderr
    )


def test_csv_by_file_name_type_column_and_option(ssc, tmp_path):
    parties = tmp_path / "parties.csv"
    parties.write_text(
        "id,name,roles,domestic_sms,region\n"
        "p1,Fenland Shared Services Ltd,shared_resource_provider,,East\n"
        'p2,"Solway Energy, Ltd",small_supplier; registered_supplier_agent,260000,\n',
        encoding="utf-8",
    )
    mixed = tmp_path / "records.csv"
    mixed.write_text("type,id,party,kind,cycle_year\nassessment,a1,p1,FUSA,1\n", encoding="utf-8")
    findings = tmp_path / "f.csv"
    findings.write_text(
        "id,assessment,sec_ref,title,status,closed\nf1,a1,G3.11,Privileged access not reviewed,closed,2020-01-02\n"
    )
    result = ssc("import", str(parties), str(mixed))
    assert result.status == 0, result.stderr
    assert ssc("import", str(findings)).status == 2  # f.csv does not say its type
    assert ssc("import", "--type", "finding", str(findings)).status == 0
    p2 = json.loads(ssc("party", "show", "p2", "--format", "json").stdout)["record"]
    assert p2["roles"] == ["small_supplier", "registered_supplier_agent"]
    assert p2["domestic_sms"] == 260000 and p2["name"] == "Solway Energy, Ltd"
    p1 = json.loads(ssc("party", "show", "p1", "--format", "json").stdout)["record"]
    assert p1["region"] == "East"  # extra columns are kept


def test_csv_errors_name_the_line(ssc, tmp_path):
    parties = tmp_path / "party.csv"
    parties.write_text("id,name,roles\np1,A Ltd,other_user\np2,,other_user\np3,C Ltd,mystery\n")
    result = ssc("import", str(parties))
    assert result.status == 2
    assert f"{parties}:3: name:" in result.stderr and f"{parties}:4: roles:" in result.stderr


def test_validate_batch_api(tmp_path):
    with Register.open(tmp_path / "r.db", actor="t") as register:
        records = validate_batch(register, [("x", 1, PARTY), ("x", 2, ASSESSMENT)])
        assert [r.id for r in records] == ["p1", "a1"]
        register.add_many(records)
        assert register.count("assessment") == 1
        assert register.verify_audit() is None
