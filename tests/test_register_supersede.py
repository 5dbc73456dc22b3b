"""Correcting a decision (``ssc decide SUBJECT --supersedes ID``): withdraw with a reason and the
new decision naming what it supersedes, in one transaction, through ``records.supersede_decision``."""

from __future__ import annotations

import sqlite3

from assurance.store import Register
from core import audit


def _setup(ssc):
    for argv in (
        ("party", "add", "id=P1", "name=Alpha Energy Ltd", "roles=large_supplier"),
        (
            "assessment",
            "add",
            "id=A1",
            "party=P1",
            "kind=FUSA",
            "cycle_year=1",
            "fieldwork_end=2019-11-01",
            "report_received=2019-11-08",
        ),
    ):
        result = ssc(*argv, "--reason", "setup")
        assert result.status == 0, result.stderr
    assert (
        ssc(
            "decide",
            "A1",
            "--status",
            "deferred",
            "--date",
            "2019-12-11",
            "--id",
            "D1",
            "--reason",
            "SSC",
        ).status
        == 0
    )


def _snapshot(db):
    conn = sqlite3.connect(db)
    try:
        return (
            conn.execute("SELECT * FROM decisions ORDER BY id").fetchall(),
            conn.execute("SELECT count(*) FROM audit_events").fetchone(),
        )
    finally:
        conn.close()


def test_supersedes_withdraws_the_wrong_one_and_records_the_right_one(ssc):
    _setup(ssc)
    done = ssc(
        "decide",
        "A1",
        "--status",
        "approved",
        "--date",
        "2019-12-11",
        "--id",
        "D2",
        "--supersedes",
        "D1",
        "--reason",
        "minute said approved, typed deferred",
    )
    assert done.status == 0, done.stderr
    assert "D2" in done.stdout
    with Register.open(ssc.db, actor="check", write=False) as register:
        old = register.get("decision", "D1")
        assert old.status == "deferred" and old.withdrawn is not None
        assert old.withdrawn_reason == "superseded: minute said approved, typed deferred"
        new = register.get("decision", "D2")
        assert new.status == "approved" and new.notes.startswith(
            "supersedes D1 (2019-12-11, deferred)"
        )
        actions = [e.action for e in audit.events(register.conn, newest_first=True, limit=2)]
        assert actions == ["add", "withdraw"]
        assert register.verify_audit() is None


def test_refusals_write_nothing(ssc):
    _setup(ssc)
    before = _snapshot(ssc.db)
    for argv, says in (
        (("--supersedes", "D1"), "reason"),  # no reason
        (("--supersedes", "D9", "--reason", "x"), "D9"),  # no such decision
    ):
        subject = "A1"
        result = ssc("decide", subject, "--status", "approved", "--date", "2019-12-11", *argv)
        assert result.status == 2, argv
        assert says in result.stderr
        assert "Traceback" not in result.stderr
        assert _snapshot(ssc.db) == before
    # The decision is not on that subject.
    assert (
        ssc(
            "assessment",
            "add",
            "id=A2",
            "party=P1",
            "kind=FUSA",
            "cycle_year=1",
            "fieldwork_end=2019-11-01",
            "--reason",
            "setup",
        ).status
        == 0
    )
    before = _snapshot(ssc.db)
    wrong_subject = ssc(
        "decide",
        "A2",
        "--status",
        "approved",
        "--date",
        "2019-12-11",
        "--supersedes",
        "D1",
        "--reason",
        "x",
    )
    assert wrong_subject.status == 2 and "D1 is on A1, not A2" in wrong_subject.stderr
    # A rule the new decision breaks (before the report came in) undoes the withdrawal too.
    too_early = ssc(
        "decide",
        "A1",
        "--status",
        "approved",
        "--date",
        "2019-11-02",
        "--supersedes",
        "D1",
        "--reason",
        "x",
    )
    assert too_early.status == 2 and "report_received" in too_early.stderr
    assert _snapshot(ssc.db) == before
    # Twice: the second finds it already withdrawn.
    assert (
        ssc(
            "decide",
            "A1",
            "--status",
            "approved",
            "--date",
            "2019-12-11",
            "--supersedes",
            "D1",
            "--reason",
            "fix",
        ).status
        == 0
    )
    again = ssc(
        "decide",
        "A1",
        "--status",
        "rejected",
        "--date",
        "2019-12-11",
        "--supersedes",
        "D1",
        "--reason",
        "fix again",
    )
    assert again.status == 2 and "already withdrawn" in again.stderr
