"""Assessments and letters share one id namespace, on add, edit and import, and in the file itself."""

from __future__ import annotations

import json
import sqlite3

import pytest

PARTY = {"type": "party", "id": "p1", "name": "Fenland Ltd", "roles": ["shared_resource_provider"]}
ASSESSMENT = {
    "type": "assessment",
    "id": "x1",
    "party": "p1",
    "kind": "FUSA",
    "report_received": "2019-11-08",
}
LETTER = {"type": "letter", "id": "x1", "party": "p1", "received": "2020-02-03"}


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_a_letter_cannot_take_an_assessments_id_on_add(ssc):
    assert ssc("import", "-", stdin=jsonl(PARTY, ASSESSMENT)).status == 0
    result = ssc("letter", "add", "id=x1", "party=p1", "received=2020-02-03")
    assert result.status == 2 and "id: 'x1' is already the id of an assessment" in result.stderr
    result = ssc("import", "-", stdin=jsonl(LETTER))
    assert (
        result.status == 2
        and "<stdin>:1: id: 'x1' is already the id of an assessment" in result.stderr
    )


def test_an_assessment_cannot_take_a_letters_id(ssc):
    assert ssc("import", "-", stdin=jsonl(PARTY, LETTER)).status == 0
    result = ssc("assessment", "add", "id=x1", "party=p1", "kind=FUSA")
    assert result.status == 2 and "already the id of a letter" in result.stderr


def test_within_one_batch_in_either_order(ssc):
    for records in ((ASSESSMENT, LETTER), (LETTER, ASSESSMENT)):
        result = ssc("import", "-", stdin=jsonl(PARTY, *records))
        assert result.status == 2
        assert (
            "<stdin>:3: id: 'x1' is also the id of" in result.stderr
            and "first at <stdin>:2" in result.stderr
        )
    assert ssc("export").stdout == ""


def test_withdrawn_ids_stay_taken(ssc):
    assert ssc("import", "-", stdin=jsonl(PARTY, ASSESSMENT)).status == 0
    assert ssc("assessment", "withdraw", "x1", "--reason", "entered twice").status == 0
    assert ssc("letter", "add", "id=x1", "party=p1", "received=2020-02-03").status == 2


def test_generated_ids_skip_the_other_types_ids(ssc):
    assert ssc("import", "-", stdin=jsonl(PARTY, {**LETTER, "id": "A0001"})).status == 0
    result = ssc("assessment", "add", "party=p1", "kind=FUSA")
    assert result.status == 0 and "added assessment A0002" in result.stdout


@pytest.mark.parametrize("order", ["assessment first", "letter first"])
def test_the_file_itself_refuses_a_shared_id_written_behind_ssc(ssc, order):
    """A writer that bypasses ssc's checks still meets the namespace (triggers in the schema)."""
    assert ssc("import", "-", stdin=jsonl(PARTY)).status == 0
    conn = sqlite3.connect(ssc.db)
    statements = [
        "INSERT INTO assessments (id, party, kind, classification) VALUES ('x1', 'p1', 'FUSA', 'RED')",
        "INSERT INTO letters (id, party, received, classification) VALUES ('x1', 'p1', '2020-01-01', 'RED')",
    ]
    if order == "letter first":
        statements.reverse()
    conn.execute(statements[0])
    with pytest.raises(sqlite3.IntegrityError, match="share one id namespace"):
        conn.execute(statements[1])
    conn.close()
