"""Evidence files: stored by SHA-256 inside the register, streamed, typed by content, audited, never deleted."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


@pytest.fixture
def reg(ssc):
    """A register with a Party, a FUSA, and findings of each severity."""
    assert (
        ssc(
            "party",
            "add",
            "id=P1",
            "name=Fenland Shared Services",
            "roles=large_supplier",
            "--reason",
            "setup",
        ).status
        == 0
    )
    assert (
        ssc(
            "assessment",
            "add",
            "id=A1",
            "party=P1",
            "kind=FUSA",
            "fieldwork_end=2020-01-10",
            "--reason",
            "setup",
        ).status
        == 0
    )
    for fid, severity in (("F1", "high"), ("F2", "low")):
        assert (
            ssc(
                "finding",
                "add",
                f"id={fid}",
                "assessment=A1",
                "sec_ref=G5.14",
                f"title=Finding {fid}",
                f"severity={severity}",
                "--reason",
                "setup",
            ).status
            == 0
        )
    return ssc


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def rows(db: Path, sql: str) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def count(db: Path, table: str) -> int:
    """Rows in ``table``; 0 where nothing has created it yet (a refused first add writes nothing)."""
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            return 0
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def head(ssc) -> str:
    return ssc("audit", "head").stdout


# -- storing and reading back ------------------------------------------------------------------
def test_round_trip_add_list_export(reg, tmp_path):
    pdf = write(tmp_path / "CIO report.pdf", PDF)
    text = write(tmp_path / "notes.txt", "Réponse reçue, 3 pages\n".encode())
    added = reg(
        "evidence",
        "add",
        "A1",
        str(pdf),
        str(text),
        "--kind",
        "report",
        "--effective",
        "2020-01-20",
        "--reason",
        "the CIO's report",
    )
    assert added.status == 0, added.stderr
    ids = [line.split()[0] for line in added.stdout.splitlines()]
    assert ids == ["E0001", "E0002"]

    listed = json.loads(reg("evidence", "list", "A1", "--format", "json").stdout)
    assert [
        (e["id"], e["record"], e["kind"], e["name"], e["size"], e["effective"], e["classification"])
        for e in listed
    ] == [
        ("E0001", "A1", "report", "CIO report.pdf", len(PDF), "2020-01-20", "RED"),
        ("E0002", "A1", "report", "notes.txt", len(text.read_bytes()), "2020-01-20", "RED"),
    ]
    import hashlib

    assert listed[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed[0]["media_type"] == "application/pdf" and listed[1]["media_type"] == "text/plain"

    out = tmp_path / "back.pdf"
    assert reg("evidence", "export", "E0001", "-o", str(out)).status == 0
    assert out.read_bytes() == PDF
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    streamed = subprocess.run(
        [sys.executable, "-m", "ssc", "evidence", "export", "E0002", "-o", "-"],
        capture_output=True,
        env={**os.environ, "SSC_DB": str(reg.db), "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert streamed.returncode == 0 and streamed.stdout == text.read_bytes()

    table = reg("evidence", "list")
    assert "E0001" in table.stdout and "CIO report.pdf" in table.stdout and "A1 " in table.stdout
    assert reg("evidence", "verify").status == 0
    assert reg("audit", "verify").status == 0


def test_the_audit_log_filters_evidence_events(reg, tmp_path):
    pdf = write(tmp_path / "plan.pdf", PDF)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "filed").status == 0
    logged = json.loads(reg("audit", "log", "--entity", "evidence", "--format", "json").stdout)
    assert logged and {event["entity"] for event in logged} == {"evidence"}
    assert (
        json.loads(reg("audit", "log", "--entity", "no_such_kind", "--format", "json").stdout) == []
    )


def test_same_bytes_are_stored_once(reg, tmp_path):
    one = write(tmp_path / "a.pdf", PDF)
    two = write(tmp_path / "copy of a.pdf", PDF)
    assert reg("evidence", "add", "A1", str(one), str(two), "--reason", "r").status == 0
    assert reg("evidence", "add", "F1", str(one), "--reason", "r").status == 0
    again = reg("evidence", "add", "F1", str(two), "--reason", "again")
    assert again.status == 0 and "already held" in again.stdout
    assert rows(reg.db, "SELECT COUNT(*) FROM evidence_blobs") == [(1,)]
    assert rows(reg.db, "SELECT COUNT(*) FROM evidence_chunks") == [(1,)]
    assert rows(reg.db, "SELECT COUNT(*) FROM evidence") == [(2,)]  # A1 once, F1 once


def test_types_are_recognised_by_content_not_suffix(reg, tmp_path):
    disguised = write(tmp_path / "report.txt", PDF)  # a PDF whatever its name says
    word = write(tmp_path / "plan", docx_bytes())
    mail = write(
        tmp_path / "letter.bin",
        b"From: cio@example.org\r\nTo: ssc@example.org\r\nSubject: report\r\n\r\nAttached.\r\n",
    )
    png = write(tmp_path / "x.jpg", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert (
        reg(
            "evidence", "add", "A1", str(disguised), str(word), str(mail), str(png), "--reason", "r"
        ).status
        == 0
    )
    types = [
        e["media_type"] for e in json.loads(reg("evidence", "list", "--format", "json").stdout)
    ]
    assert types == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "message/rfc822",
        "image/png",
    ]


@pytest.mark.parametrize(
    "content, why",
    [
        (b"\x7fELF\x02\x01\x01" + bytes(100), "not a type"),  # an executable named .pdf
        (b"MZ\x90\x00" + bytes(100), "not a type"),
        (b"PK\x03\x04" + bytes(100), "not a type"),  # a zip, not an Office file
        (b"plain text\n" * 2000 + b"\x00hidden", "NUL"),  # text with a NUL past the head
        (b"plain text\n" * 2000 + b"\xff\xfe", "UTF-8"),  # not UTF-8 past the head
    ],
)
def test_disallowed_content_is_refused_and_nothing_written(reg, tmp_path, content, why):
    before = head(reg)
    good = write(tmp_path / "good.pdf", PDF)
    bad = write(tmp_path / "bad.pdf", content)
    result = reg("evidence", "add", "A1", str(good), str(bad), "--reason", "r")
    assert result.status == 2 and why in result.stderr
    assert "bad.pdf" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert head(reg) == before
    assert count(reg.db, "evidence_blobs") == count(reg.db, "evidence_chunks") == 0


def test_bad_input_is_one_line_exit_2_and_nothing_written(reg, tmp_path):
    pdf = write(tmp_path / "a.pdf", PDF)
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    assert (
        reg("letter", "add", "id=L1", "party=P1", "received=2020-02-01", "--reason", "r").status
        == 0
    )
    assert reg("letter", "withdraw", "L1", "--reason", "sent in error").status == 0
    before = head(reg)
    cases = [
        (("A1", str(tmp_path / "missing.pdf")), "no such file"),
        (("A1", str(tmp_path)), "directory"),
        (("A1", str(fifo)), "not a regular file"),
        (("NOPE", str(pdf)), "no record with id 'NOPE'"),
        (("L1", str(pdf)), "withdrawn"),
        (("A1", str(pdf), "--kind", "rumour"), "unknown kind"),
        (("A1", str(pdf), "--classification", "GREEN"), "below"),
        (("A1", str(pdf), "--classification", "PURPLE"), "expected one of"),
        (
            ("A1", str(pdf), "--effective", "2020-13-01"),
            "",
        ),  # argparse's own message, to sys.stderr
    ]
    for argv, message in cases:
        result = reg("evidence", "add", *argv, "--reason", "r")
        assert result.status == 2, (argv, result)
        assert message in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr
    assert head(reg) == before

    policy = tmp_path / "policy.toml"
    policy.write_text("[evidence.storage]\nmax_bytes = 100\n")
    reg.policy_file = policy
    big = write(tmp_path / "big.pdf", PDF + bytes(200))
    result = reg("evidence", "add", "A1", str(big), "--reason", "r")
    assert result.status == 2 and "over the limit of 100" in result.stderr
    assert head(reg) == before


def test_classification_defaults_to_the_record_and_may_go_higher(reg, tmp_path):
    pdf = write(tmp_path / "a.pdf", PDF)
    assert (
        reg(
            "party",
            "add",
            "id=P2",
            "name=Open Energy",
            "roles=other_user",
            "classification=GREEN",
            "--reason",
            "r",
        ).status
        == 0
    )
    assert reg("evidence", "add", "P2", str(pdf), "--reason", "r").status == 0
    assert (
        reg("evidence", "add", "P1", str(pdf), "--classification", "red", "--reason", "r").status
        == 0
    )
    levels = {
        e["record"]: e["classification"]
        for e in json.loads(reg("evidence", "list", "--format", "json").stdout)
    }
    assert levels == {"P2": "GREEN", "P1": "RED"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("report\u202efdp.exe", "report_fdp.exe"),  # a right-to-left override
        ("zero\u200bwidth.pdf", "zero_width.pdf"),
        ("tab\tand\nnewline.pdf", "tab_and_newline.pdf"),
        ("colon:name.pdf", "colon_name.pdf"),
        ("back\\slash.pdf", "slash.pdf"),  # a Windows path: its last part
        ("Cafe\u0301.pdf", "Café.pdf"),  # NFC
        ("..", "unnamed"),
    ],
)
def test_hostile_names_are_made_safe(raw, expected):
    from assurance.evidence.policy import evidence_policy
    from assurance.evidence.store import clean_name

    assert clean_name(raw, evidence_policy()) == expected


def test_hostile_file_names_on_disk(reg, tmp_path):
    long = "x" * 250 + ".pdf"  # 254 bytes: near the file system's limit, over the policy's
    tricky = "invoice\u202efdp.exe"
    for name in (long, tricky, "éè ü.pdf"):
        write(tmp_path / name, PDF + name.encode())
        assert reg("evidence", "add", "A1", str(tmp_path / name), "--reason", "r").status == 0
    names = [e["name"] for e in json.loads(reg("evidence", "list", "--format", "json").stdout)]
    assert len(names[0]) == 200 and names[0].endswith("….pdf")
    assert names[1] == "invoice_fdp.exe" and "\u202e" not in reg("evidence", "list").stdout
    assert names[2] == "éè ü.pdf"


def test_withdrawn_not_deleted(reg, tmp_path):
    pdf = write(tmp_path / "a.pdf", PDF)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "r").status == 0
    assert reg("evidence", "withdraw", "E0001").status == 2  # --reason is required
    assert reg("evidence", "withdraw", "E0001", "--reason", "wrong file").status == 0
    assert reg("evidence", "withdraw", "E0001", "--reason", "again").status == 2
    assert reg("evidence", "withdraw", "E0009", "--reason", "x").status == 2
    [item] = json.loads(reg("evidence", "list", "--format", "json").stdout)
    assert (
        item["withdrawn_reason"] == "wrong file" and "withdrawn" in reg("evidence", "list").stdout
    )
    out = tmp_path / "still.pdf"
    assert (
        reg("evidence", "export", "E0001", "-o", str(out)).status == 0 and out.read_bytes() == PDF
    )
    log = json.loads(reg("audit", "log", "--format", "json", "--limit", "0").stdout)
    events = [(e["action"], e["after"]["sha256"]) for e in log if e["entity"] == "evidence"]
    assert [a for a, _ in events] == ["withdraw", "add"] and events[0][1] == item["sha256"]
    assert reg("audit", "verify").status == 0


# -- tampering ---------------------------------------------------------------------------------
def _tamper(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


@pytest.mark.parametrize("position", [0, 9, -1])
def test_any_altered_byte_is_detected(reg, tmp_path, position):
    data = PDF + os.urandom(3000)
    pdf = write(tmp_path / "a.pdf", data)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "r").status == 0
    (blob,) = rows(reg.db, "SELECT data FROM evidence_chunks")[0]
    altered = bytearray(blob)
    altered[position] ^= 0x01
    conn = sqlite3.connect(reg.db)
    with conn:
        conn.execute("UPDATE evidence_chunks SET data = ?", (bytes(altered),))
    conn.close()
    result = reg("evidence", "verify")
    assert (
        result.status == 1
        and "E0001 (a.pdf)" in result.stdout
        and "no longer match" in result.stdout
    )
    audited = reg("audit", "verify")
    assert audited.status == 1 and "E0001" in audited.stdout
    out = tmp_path / "out.pdf"
    exported = reg("evidence", "export", "E0001", "-o", str(out))
    assert exported.status == 1 and not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_rewritten_rows_are_detected(reg, tmp_path):
    one, two = write(tmp_path / "a.pdf", PDF), write(tmp_path / "b.pdf", PDF + b"b")
    assert reg("evidence", "add", "A1", str(one), str(two), "--reason", "r").status == 0
    other = rows(reg.db, "SELECT sha256 FROM evidence WHERE id = 'E0002'")[0][0]
    _tamper(reg.db, f"UPDATE evidence SET sha256 = '{other}' WHERE id = 'E0001'")
    result = reg("evidence", "verify")
    assert result.status == 1 and "E0001" in result.stdout and "audit event" in result.stdout
    assert reg("audit", "verify").status == 1


def test_deleted_evidence_and_dropped_chunks_are_detected(reg, tmp_path):
    one, two = write(tmp_path / "a.pdf", PDF), write(tmp_path / "b.pdf", PDF + b"b")
    assert reg("evidence", "add", "A1", str(one), str(two), "--reason", "r").status == 0
    _tamper(reg.db, "DELETE FROM evidence WHERE id = 'E0001'")
    result = reg("evidence", "verify")
    assert result.status == 1 and "E0001" in result.stdout and "missing" in result.stdout
    assert reg("audit", "verify").status == 1


def test_swapped_blob_with_its_hash_rewritten_is_detected(reg, tmp_path):
    """An attacker who replaces the bytes and the blob's hash column still breaks the chain."""
    pdf = write(tmp_path / "a.pdf", PDF)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "r").status == 0
    import hashlib

    forged = PDF.replace(b"Catalog", b"Catalug")
    digest = hashlib.sha256(forged).hexdigest()
    _tamper(
        reg.db,
        "PRAGMA foreign_keys = OFF",
        f"UPDATE evidence_blobs SET sha256 = '{digest}'",
        f"UPDATE evidence SET sha256 = '{digest}'",
    )
    conn = sqlite3.connect(reg.db)
    with conn:
        conn.execute("UPDATE evidence_chunks SET data = ?", (forged,))
    conn.close()
    assert reg("evidence", "verify").status == 1
    assert reg("audit", "verify").status == 1


def test_a_row_planted_behind_the_trail_and_an_unhashed_blob_are_detected(reg, tmp_path):
    """With the sqlite3 shell: a copy of an evidence row under a new id, a blob row left without
    a hash (a write interrupted or forged), a row's size changed: each named."""
    pdf = write(tmp_path / "a.pdf", PDF)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "r").status == 0
    _tamper(
        reg.db,
        "CREATE TEMP TABLE t AS SELECT * FROM evidence WHERE id = 'E0001'",
        "UPDATE t SET id = 'E0099'",
        "INSERT INTO evidence SELECT * FROM t",
        "INSERT INTO evidence_blobs (sha256, size, media_type) VALUES (NULL, 0, 'text/plain')",
    )
    result = reg("evidence", "verify")
    assert result.status == 1
    assert "evidence E0099 (a.pdf): is not in the audit trail" in result.stdout
    assert "a stored file has no hash (written outside ssc)" in result.stdout
    assert "E0001" not in result.stdout  # the original row is as audited
    _tamper(
        reg.db,
        "DELETE FROM evidence WHERE id = 'E0099'",
        "DELETE FROM evidence_blobs WHERE sha256 IS NULL",
        "UPDATE evidence SET size = size + 1",
    )
    result = reg("evidence", "verify")
    assert result.status == 1 and "differs from its audit event" in result.stdout
    assert f"recorded as {len(PDF) + 1} bytes, stored as {len(PDF)}" in result.stdout
    assert reg("audit", "verify").status == 1


# -- restore -----------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["backup-api", "file-copy"])
def test_backup_and_restore_keep_the_evidence(reg, tmp_path, how):
    data = PDF + os.urandom(3 * 1024 * 1024)  # several chunks
    pdf = write(tmp_path / "a.pdf", data)
    assert reg("evidence", "add", "A1", str(pdf), "--reason", "r").status == 0
    restored = tmp_path / "restored" / "register.db"
    restored.parent.mkdir()
    if how == "backup-api":
        source, target = sqlite3.connect(reg.db), sqlite3.connect(restored)
        source.backup(target)
        source.close()
        target.close()
    else:
        conn = sqlite3.connect(reg.db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copy2(reg.db, restored)
    from tests.conftest import SSC

    other = SSC(restored)
    assert other("evidence", "verify").status == 0
    assert other("audit", "verify").status == 0
    out = tmp_path / "back.pdf"
    assert other("evidence", "export", "E0001", "-o", str(out)).status == 0
    assert out.read_bytes() == data


def test_reading_commands_create_nothing(tmp_path):
    from tests.conftest import SSC

    missing = SSC(tmp_path / "none.db")
    for argv in (
        ("evidence", "list"),
        ("evidence", "verify"),
        ("evidence", "export", "E1", "-o", "x"),
    ):
        result = missing(*argv)
        assert result.status == 2 and "no register" in result.stderr
    assert not (tmp_path / "none.db").exists()


# -- scale and concurrency -----------------------------------------------------------------------
_PEAK = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.write(proc.stderr.decode())
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_kib(reg, *argv: str) -> tuple[int, int]:
    env = {**os.environ, "SSC_DB": str(reg.db), "SSC_ACTOR": "t", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "ssc", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    status, peak = done.stdout.split()
    return int(status), int(peak)


def test_a_100_mb_file_is_streamed_not_held_in_memory(reg, tmp_path):
    small = write(tmp_path / "small.pdf", PDF)
    status, baseline = _peak_kib(reg, "evidence", "add", "A1", str(small), "--reason", "r")
    assert status == 0
    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:
        out.write(PDF)
        block = os.urandom(1 << 20)
        for _ in range(100):
            out.write(block)
    size = big.stat().st_size
    status, peak = _peak_kib(reg, "evidence", "add", "A1", str(big), "--reason", "r")
    assert status == 0
    # Python and its imports take what they take; the file adds at most a few chunks to it.
    assert peak - baseline < 30 * 1024, (baseline, peak)
    assert peak < 100 * 1024, peak
    status, peak = _peak_kib(reg, "evidence", "verify")
    assert status == 0 and peak - baseline < 30 * 1024
    out = tmp_path / "back.pdf"
    status, peak = _peak_kib(reg, "evidence", "export", "E0002", "-o", str(out))
    assert status == 0 and peak - baseline < 30 * 1024
    assert out.stat().st_size == size
    import hashlib

    def digest(path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()

    assert digest(out) == digest(big)


def test_two_processes_adding_the_same_file_store_it_once(reg, tmp_path):
    data = PDF + os.urandom(2 * 1024 * 1024)
    pdf = write(tmp_path / "same.pdf", data)
    env = {**os.environ, "SSC_DB": str(reg.db), "SSC_ACTOR": "t", "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ssc",
                "evidence",
                "add",
                record,
                str(pdf),
                "--reason",
                "both at once",
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for record in ("A1", "A1", "F1", "F1")
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert all(status == 0 for status, _, _ in results), results
    assert rows(reg.db, "SELECT COUNT(*) FROM evidence_blobs") == [(1,)]
    assert rows(reg.db, "SELECT COUNT(*) FROM evidence_chunks") == [(3,)]
    assert rows(reg.db, "SELECT record, COUNT(*) FROM evidence GROUP BY record") == [
        ("A1", 1),
        ("F1", 1),
    ]
    assert reg("evidence", "verify").status == 0 and reg("audit", "verify").status == 0


# -- names, as a property ------------------------------------------------------------------------
@given(st.text(min_size=0, max_size=400))
def test_any_name_comes_out_safe_short_and_stable(raw):
    import unicodedata

    from assurance.evidence.policy import evidence_policy
    from assurance.evidence.store import clean_name

    policy = evidence_policy()
    name = clean_name(raw, policy)
    assert name and len(name) <= policy.storage.max_name_chars
    assert not any(c in name for c in "/\\:")
    assert not any(
        unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in name
    )
    assert name not in (".", "..")
    assert clean_name(name, policy) == name  # what is stored passes the bundle's check on import


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
def test_an_add_killed_midway_leaves_nothing_half_written(reg, tmp_path, signal_name):
    import signal
    import time

    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:
        out.write(PDF)
        block = os.urandom(1 << 20)
        for _ in range(60):
            out.write(block)
    env = {**os.environ, "SSC_DB": str(reg.db), "SSC_ACTOR": "t", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssc", "evidence", "add", "A1", str(big), "--reason", "r"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Wait until it holds the write lock (streaming), then kill it.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        wal = Path(str(reg.db) + "-wal")
        if wal.exists() and wal.stat().st_size > 8 * 1024 * 1024:
            break
        time.sleep(0.01)
    proc.send_signal(getattr(signal, signal_name))
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err
    assert reg("evidence", "verify").status == 0
    assert reg("audit", "verify").status == 0
    stored = count(reg.db, "evidence")
    assert stored in (0, 1)  # it finished first, or nothing of it is there
    assert count(reg.db, "evidence_blobs") == stored
    assert count(reg.db, "evidence_chunks") == (61 if stored else 0)


def test_an_id_two_types_share_must_name_its_type(reg, tmp_path):
    pdf = write(tmp_path / "a.pdf", PDF)
    assert (
        reg(
            "finding", "add", "id=A1X", "assessment=A1", "sec_ref=G5.14", "title=t", "--reason", "r"
        ).status
        == 0
    )
    assert reg("assessment", "add", "id=A1X", "party=P1", "kind=VUSA", "--reason", "r").status == 0
    result = reg("evidence", "add", "A1X", str(pdf), "--reason", "r")
    assert (
        result.status == 2 and "finding:A1X" in result.stderr and "assessment:A1X" in result.stderr
    )
    assert reg("evidence", "add", "finding:A1X", str(pdf), "--reason", "r").status == 0
    [item] = json.loads(reg("evidence", "list", "finding:A1X", "--format", "json").stdout)
    assert item["record_type"] == "finding"
    assert json.loads(reg("evidence", "list", "assessment:A1X", "--format", "json").stdout) == []


def test_reading_evidence_changes_nothing_in_the_file(reg):
    schema = rows(reg.db, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    before = reg.db.read_bytes()
    assert reg("evidence", "list").status == 0
    assert reg("evidence", "verify").status == 0
    assert reg("audit", "verify").status == 0
    assert rows(reg.db, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
    assert reg.db.read_bytes() == before
