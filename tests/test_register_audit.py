"""The audit trail: every change is an event in a hash chain; any edit, deletion or reordering is found."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance.demo import populate
from assurance.store import Register, validate
from core import audit


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A small register with imports, adds, edits and a withdrawal in its trail."""
    path = tmp_path_factory.mktemp("audit") / "pristine.db"
    with Register.open(path, actor="secretary") as register:
        populate(register, today=dt.date(2020, 1, 10))
        register.add(
            validate("party", {"id": "PX", "name": "Extra Ltd", "roles": ["other_user"]}),
            reason="joined",
        )
        register.edit("party", "PX", {"contact": "x@example.org"}, reason="contact")
        register.withdraw("highlight", "H0001", reason="duplicate")
        register.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy(pristine: Path, folder: Path) -> Path:
    target = folder / "copy.db"
    shutil.copy(pristine, target)
    return target


def shell(path: Path, *statements: str) -> None:
    """Change the file the way someone with the sqlite3 shell would: no ssc involved."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def verify(path: Path) -> audit.Tampering | None:
    with Register.open(path, actor="auditor", write=False) as register:
        return register.verify_audit()


def test_every_change_is_an_event_with_actor_time_and_reason(pristine):
    with Register.open(pristine, actor="auditor") as register:
        events = list(audit.events(register.conn, entity="party", entity_id="PX"))
        assert [e.action for e in events] == ["add", "edit"]
        assert "contact" not in events[1].before
        assert events[1].after["contact"] == "x@example.org"
        assert events[1].reason == "contact" and events[1].actor == "secretary"
        assert dt.datetime.fromisoformat(events[1].at).utcoffset() == dt.timedelta(0)
        assert register.verify_audit() is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_alteration_is_detected(pristine, tmp_path_factory, data):
    path = copy(pristine, tmp_path_factory.mktemp("t"))
    conn = sqlite3.connect(path)
    count = conn.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
    conn.close()
    kind = data.draw(
        st.sampled_from(
            ["edit_event", "delete_event", "swap", "edit_record", "delete_record", "truncate"]
        )
    )
    seq = data.draw(st.integers(1, count))
    if kind == "edit_event":
        column = data.draw(
            st.sampled_from(
                ["at", "actor", "entity", "entity_id", "action", "before", "after", "reason"]
            )
        )
        shell(
            path,
            f"UPDATE audit_events SET {column} = COALESCE({column}, '') || 'x' WHERE seq = {seq}",
        )
    elif kind == "delete_event":
        shell(path, f"DELETE FROM audit_events WHERE seq = {seq}")
    elif kind == "swap":
        other = data.draw(st.integers(1, count).filter(lambda n: n != seq))
        shell(
            path,
            f"UPDATE audit_events SET seq = -1 WHERE seq = {seq}",
            f"UPDATE audit_events SET seq = {seq} WHERE seq = {other}",
            f"UPDATE audit_events SET seq = {other} WHERE seq = -1",
        )
    elif kind == "edit_record":
        table = data.draw(st.sampled_from(["parties", "assessments", "findings", "decisions"]))
        column = {
            "parties": "name",
            "assessments": "kind",
            "findings": "title",
            "decisions": "status",
        }[table]
        shell(
            path,
            f"UPDATE {table} SET {column} = {column} || '!' WHERE rowid = "
            f"(SELECT rowid FROM {table} ORDER BY rowid LIMIT 1 OFFSET {seq % 20})",
        )
    elif kind == "delete_record":
        shell(
            path,
            "PRAGMA foreign_keys = OFF",
            f"DELETE FROM highlights WHERE rowid = (SELECT rowid FROM highlights LIMIT 1 OFFSET {seq % 30})",
        )
    else:
        shell(path, f"DELETE FROM audit_events WHERE seq >= {seq}")
    assert verify(path) is not None, kind


def test_moving_text_between_fields_is_detected(pristine, tmp_path):
    """The digest hashes before and after as they are, with their lengths: text moved from one
    to the other (or between header fields) leaves the concatenation alike but not the hash."""
    (tmp_path / "1").mkdir(), (tmp_path / "2").mkdir()
    path = copy(pristine, tmp_path / "1")
    shell(
        path,
        "UPDATE audit_events SET before = before || substr(after, 1, 1), after = substr(after, 2)"
        " WHERE seq = (SELECT MAX(seq) FROM audit_events WHERE action = 'edit')",
    )
    assert "its content was altered" in str(verify(path))
    path = copy(pristine, tmp_path / "2")
    shell(
        path,
        "UPDATE audit_events SET actor = substr(actor, 1, length(actor) - 1),"
        " reason = substr(actor, -1) || reason WHERE reason IS NOT NULL AND seq = "
        "(SELECT MAX(seq) FROM audit_events WHERE reason IS NOT NULL)",
    )
    assert "its content was altered" in str(verify(path))


def test_digest_splits_one_way():
    digest = audit._digest
    base = (1, "2020-01-10T00:00:00.000000+00:00", "secretary", "party", "P1", "edit")
    assert digest(*base, '{"a":1}', '{"b":2}', None, audit.GENESIS) != digest(
        *base, '{"a":1}{', '"b":2}', None, audit.GENESIS
    )
    assert digest(*base, None, '{"b":2}', None, audit.GENESIS) != digest(
        *base, "", '{"b":2}', None, audit.GENESIS
    )
    assert digest(*base, None, None, "", audit.GENESIS) != digest(
        *base, None, None, None, audit.GENESIS
    )


def test_a_noted_head_holds_through_later_changes_but_not_a_rewrite(ssc, tmp_path):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    head = ssc("audit", "head").stdout.split()[0]
    assert ssc("audit", "verify", "--expect-head", head).status == 0
    assert ssc("party", "edit", "P001", "contact=a@b.example", "--reason", "new").status == 0
    later = ssc("audit", "verify", "--expect-head", head)
    assert later.status == 0, later.stdout  # a later legitimate event is fine: the head is a prefix
    # Rewrite the trail from an earlier event on, re-chaining it so the file alone looks intact.
    with Register.open(ssc.db, actor="mallory") as register:
        conn = register.conn
        conn.execute("DELETE FROM audit_events WHERE seq >= 400")
        ((seq, digest),) = conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
        )
        conn.execute("UPDATE audit_head SET seq = ?, hash = ?", (seq, digest))
        register.edit("party", "P001", {"contact": "mallory@evil.example"}, reason="rewritten")
        # The records the deleted events made are now unaudited; delete them too.
    rewritten = ssc("audit", "verify", "--expect-head", head)
    assert rewritten.status == 1 and "noted head is not in the trail" in rewritten.stdout


def test_a_noted_head_of_a_truncated_trail_is_not_found(ssc):
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    assert ssc("party", "add", "id=P2", "name=Albion Ltd", "roles=other_user").status == 0
    head = ssc("audit", "head").stdout.split()[0]
    shell(
        ssc.db,
        "PRAGMA foreign_keys = OFF",
        "DELETE FROM audit_events WHERE seq = 3",
        "DELETE FROM parties WHERE id = 'P2'",
        "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)",
    )
    result = ssc("audit", "verify", "--expect-head", head)
    assert result.status == 1 and "noted head is not in the trail" in result.stdout


def test_a_malformed_noted_head_is_a_usage_error(ssc):
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    result = ssc("audit", "verify", "--expect-head", "not-a-hash")
    assert result.status == 2 and "64 hex digits" in result.stderr


def test_a_register_emptied_of_records_and_trail_is_not_intact(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    tables = [
        "highlights",
        "findings",
        "decisions",
        "letters",
        "assessments",
        "parties",
        "audit_events",
        "audit_head",
    ]
    shell(ssc.db, "PRAGMA foreign_keys = OFF", *(f"DELETE FROM {t}" for t in tables))
    result = ssc("audit", "verify")
    assert result.status == 1 and "no `register create` event" in result.stdout


def test_cli_names_the_first_bad_event(ssc, tmp_path):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    shell(ssc.db, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 7")
    result = ssc("audit", "verify")
    assert result.status == 1
    assert "NOT intact: event 7: its content was altered" in result.stdout


def test_audit_log_and_show_history(ssc):
    assert (
        ssc(
            "party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user", "--reason", "applied"
        ).status
        == 0
    )
    assert (
        ssc("party", "edit", "P1", "contact=sec@fenland.example", "--reason", "told us").status == 0
    )
    log = ssc("audit", "log", "--entity", "party", "--id", "P1")
    assert log.status == 0 and "told us" in log.stdout and "applied" in log.stdout
    assert max(len(line) for line in log.stdout.splitlines()) <= 80
    show = ssc("party", "show", "P1")
    assert "edit (contact) - told us" in show.stdout


# -- the schema: nothing planted, nothing altered -----------------------------------------------
PLANTED = {
    "trigger": "CREATE TRIGGER keep_quiet AFTER INSERT ON parties BEGIN"
    " UPDATE parties SET contact = 'mallory@evil.example' WHERE id = NEW.id; END",
    "view": "CREATE VIEW everything AS SELECT * FROM parties",
    "table": "CREATE TABLE shadow (id TEXT)",
    "index": "CREATE INDEX parties_name ON parties(name)",
    "dropped index": "DROP INDEX findings_assessment",
}


@pytest.mark.parametrize("statement", PLANTED.values(), ids=PLANTED.keys())
def test_a_schema_object_planted_or_dropped_is_tampering(pristine, tmp_path, statement):
    path = copy(pristine, tmp_path)
    shell(path, statement)
    problem = verify(path)
    assert problem is not None and ("schema" in str(problem) or "migration" in str(problem)), (
        problem
    )


def test_a_view_added_by_a_migration_is_part_of_the_expected_schema(
    pristine, tmp_path, monkeypatch
):
    from assurance import schema

    path = copy(pristine, tmp_path)
    monkeypatch.setattr(
        schema,
        "MIGRATIONS",
        [
            *schema.MIGRATIONS,
            "CREATE VIEW overdue_findings_probe AS SELECT * FROM findings WHERE status = 'open';",
        ],
    )
    with Register.open(path, actor="ssc") as register:  # a writer migrates
        assert register.verify_audit() is None
    shell(
        path,
        "DROP VIEW overdue_findings_probe",
        "CREATE VIEW overdue_findings_probe AS SELECT * FROM findings",
    )
    assert "differs from what its migration creates" in str(verify(path))


def test_a_planted_trigger_is_named_by_the_cli(ssc):
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    shell(ssc.db, PLANTED["trigger"])
    result = ssc("audit", "verify")
    assert result.status == 1 and "trigger 'keep_quiet'" in result.stdout
    # …and it never runs inside ssc's own writes: a writer refuses the file.
    result = ssc("party", "add", "id=P2", "name=Albion Ltd", "roles=other_user")
    assert result.status == 2 and "will not write" in result.stderr
    assert ssc("party", "show", "P2").status == 2


# -- signed checkpoints --------------------------------------------------------------------------
@pytest.fixture
def keys(ssc, tmp_path):
    key = tmp_path / "keys" / "checkpoint.key"
    key.parent.mkdir()
    result = ssc("audit", "checkpoint", "--new-key", str(key))
    assert result.status == 0, result.stderr
    return key, key.with_name("checkpoint.key.pub")


def test_a_new_key_is_private_and_never_overwritten(ssc, keys):
    import os
    import stat

    key, public = keys
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert b"PRIVATE KEY" in key.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    before = key.read_bytes()
    result = ssc("audit", "checkpoint", "--new-key", str(key))
    assert result.status == 2 and key.read_bytes() == before


def test_a_checkpoint_verifies_later_through_legitimate_changes(ssc, keys, tmp_path):
    key, public = keys
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    statement = tmp_path / "checkpoint.txt"
    signed = ssc("audit", "checkpoint", "--key", str(key), "-o", str(statement))
    assert signed.status == 0, signed.stderr
    text = statement.read_text()
    count, head = ssc("audit", "head").stdout.split()[1], ssc("audit", "head").stdout.split()[0]
    assert text.startswith("ssc audit checkpoint v1\n") and f"events: {count}\n" in text
    assert f"head: {head}\n" in text and "PRIVATE" not in text
    assert ssc("party", "edit", "P001", "contact=a@b.example", "--reason", "new").status == 0
    later = ssc("audit", "verify", "--checkpoint", str(statement), "--public-key", str(public))
    assert later.status == 0 and "checkpoint of" in later.stdout, later.stdout
    # The statement quoted in a paper, indented, still verifies.
    quoted = tmp_path / "quoted.txt"
    quoted.write_text("\n" + "".join(f"    {line}\n" for line in text.splitlines()) + "\n")
    assert (
        ssc("audit", "verify", "--checkpoint", str(quoted), "--public-key", str(public)).status == 0
    )


def test_an_altered_statement_or_another_key_does_not_verify(ssc, keys, tmp_path):
    key, public = keys
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    statement = tmp_path / "checkpoint.txt"
    assert ssc("audit", "checkpoint", "--key", str(key), "-o", str(statement)).status == 0
    text = statement.read_text()
    altered = tmp_path / "altered.txt"
    altered.write_text(text.replace("events: 2", "events: 1"))
    result = ssc("audit", "verify", "--checkpoint", str(altered), "--public-key", str(public))
    assert result.status == 1 and "signature does not verify" in result.stdout
    other = tmp_path / "other" / "k"
    other.parent.mkdir()
    assert ssc("audit", "checkpoint", "--new-key", str(other)).status == 0
    result = ssc("audit", "verify", "--checkpoint", str(statement), "--public-key", f"{other}.pub")
    assert result.status == 1 and "another key" in result.stdout


def test_a_rewritten_trail_fails_its_checkpoint(ssc, keys, tmp_path):
    key, public = keys
    for n in range(3):
        assert (
            ssc("party", "add", f"id=P{n}", f"name=Party {n} Ltd", "roles=other_user").status == 0
        )
    statement = tmp_path / "checkpoint.txt"
    assert ssc("audit", "checkpoint", "--key", str(key), "-o", str(statement)).status == 0
    # Rebuild the register from scratch with the same records: a fresh, self-consistent file.
    ssc.db.unlink()
    for n in range(3):
        assert (
            ssc("party", "add", f"id=P{n}", f"name=Party {n} Ltd", "roles=other_user").status == 0
        )
    assert ssc("audit", "verify").status == 0
    result = ssc("audit", "verify", "--checkpoint", str(statement), "--public-key", str(public))
    assert result.status == 1 and "noted head is not in the trail" in result.stdout


def test_checkpoint_refuses_a_shared_key_a_missing_key_and_a_tampered_trail(ssc, keys, tmp_path):
    import os

    key, _ = keys
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    assert ssc("audit", "checkpoint").status == 2  # no --key, no SSC_CHECKPOINT_KEY
    os.chmod(key, 0o644)
    result = ssc("audit", "checkpoint", "--key", str(key))
    assert result.status == 2 and "readable by others" in result.stderr
    os.chmod(key, 0o600)
    shell(ssc.db, "UPDATE parties SET name = 'Mallory Ltd'")
    result = ssc("audit", "checkpoint", "--key", str(key))
    assert result.status == 1 and result.stdout == "" and "nothing signed" in result.stderr


def test_checkpoint_key_from_the_environment(ssc, keys):
    key, public = keys
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    result = ssc.process("audit", "checkpoint", env={"SSC_CHECKPOINT_KEY": str(key)})
    assert result.status == 0 and result.stdout.startswith("ssc audit checkpoint v1\n")


def test_checkpoint_usage_errors(ssc, keys, tmp_path):
    key, public = keys
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    statement = tmp_path / "checkpoint.txt"
    assert ssc("audit", "checkpoint", "--key", str(key), "-o", str(statement)).status == 0
    assert ssc("audit", "verify", "--checkpoint", str(statement)).status == 2  # no public key
    other_head = "0" * 63 + "1"
    result = ssc(
        "audit",
        "verify",
        "--checkpoint",
        str(statement),
        "--public-key",
        str(public),
        "--expect-head",
        other_head,
    )
    assert result.status == 2 and "different heads" in result.stderr
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("ssc audit checkpoint v1\nevents: many\n")
    result = ssc("audit", "verify", "--checkpoint", str(garbage), "--public-key", str(public))
    assert (
        result.status == 2
        and "garbage.txt:3" not in result.stderr
        and "garbage.txt" in result.stderr
    )
    result = ssc("audit", "verify", "--checkpoint", str(statement), "--public-key", str(key))
    assert result.status == 2  # the private key is not a public key file


def test_verify_sees_one_snapshot_while_another_connection_writes(tmp_path):
    """The chain, the head and the records are read in one read transaction: a write committed
    midway is never mistaken for tampering."""
    import threading

    path = tmp_path / "busy.db"
    with Register.open(path, actor="setup") as register:
        populate(register, today=dt.date(2020, 1, 10))
    done = threading.Event()

    def write() -> None:
        with Register.open(path, actor="writer") as writer:
            for n in range(400):
                writer.add(
                    validate(
                        "party", {"id": f"W{n}", "name": f"Writer {n} Ltd", "roles": ["other_user"]}
                    )
                )
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    problems = []
    with Register.open(path, actor="auditor", write=False) as register:
        while not done.is_set():
            problem = register.verify_audit()
            if problem is not None:
                problems.append(str(problem))
    thread.join()
    assert problems == []


def test_a_record_planted_behind_the_trail_is_found(pristine, tmp_path):
    """A row copied into a record table with the sqlite3 shell: in the register, not in the trail."""
    path = copy(pristine, tmp_path)
    shell(
        path,
        "CREATE TEMP TABLE t AS SELECT * FROM parties WHERE id = 'PX'",
        "UPDATE t SET id = 'PLANTED'",
        "INSERT INTO parties SELECT * FROM t",
    )
    problem = verify(path)
    assert problem is not None and problem.seq is None
    assert problem.problem == "party PLANTED is in the register but not in the audit trail"


def test_a_noted_head_must_be_the_event_noted(pristine):
    """A head noted with its count (a checkpoint's statement): the same hash at another place
    in the trail is a rewrite, and a count without a head is never met."""
    with Register.open(pristine, actor="auditor", write=False) as register:
        conn = register.conn
        ((seq, digest),) = conn.execute("SELECT seq, hash FROM audit_events WHERE seq = 5")
        assert audit.verify(conn, expect_head=digest, expect_count=5) is None
        moved = audit.verify(conn, expect_head=digest, expect_count=6)
        assert moved == audit.Tampering(
            5, "the noted head is event 5, not event 6 as noted: the trail was rewritten since"
        )
        assert audit.verify(conn, expect_head=audit.GENESIS, expect_count=0) is None
        assert audit.verify(conn, expect_count=3).seq is None


@pytest.mark.parametrize("events", ["²", "٣", "-1", "1.0", "0x10"])
def test_a_checkpoint_whose_count_is_not_ascii_digits_is_refused_in_one_line(
    ssc, keys, tmp_path, events
):
    """str.isdigit() takes a superscript two, which int() refuses: that was a traceback."""
    key, public = keys
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    statement = tmp_path / "checkpoint.txt"
    assert ssc("audit", "checkpoint", "--key", str(key), "-o", str(statement)).status == 0
    text = statement.read_text()
    count = next(line for line in text.splitlines() if line.startswith("events: "))
    statement.write_text(text.replace(count, f"events: {events}"))
    result = ssc("audit", "verify", "--checkpoint", str(statement), "--public-key", str(public))
    assert result.status == 2 and "Traceback" not in result.stderr
    assert "checkpoint.txt" in result.stderr and "events: expected a whole number" in result.stderr
