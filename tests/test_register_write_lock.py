"""Writes are checked and numbered under the write lock: concurrent writers never collide or slip past a withdrawal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assurance.store import Register
from core.db import write_transaction
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def start(db: Path, *argv: str, stdin: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "SSC_DB": str(db), "SSC_ACTOR": "proc", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssc", *argv],
        env=env,
        cwd=REPO,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if stdin is not None:
        proc.stdin.write(stdin)
    proc.stdin.close()
    return proc


def test_twelve_concurrent_adds_without_ids_all_succeed_with_distinct_ids(ssc):
    ssc.create()
    procs = [
        start(
            ssc.db, "highlight", "add", "date=2020-01-08", "committee=SSC", f"title=T{n}", "text=x"
        )
        for n in range(12)
    ]
    outputs = []
    for proc in procs:
        out = proc.stdout.read()
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == 0, err
        outputs.append(out)
    listed = json.loads(ssc("highlight", "list", "--format", "json").stdout)
    ids = [h["id"] for h in listed]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sorted(o.split()[-1] for o in outputs) == sorted(ids)
    assert ssc("audit", "verify").status == 0


def _blocked_on_the_lock(db: Path, *argv: str, stdin: str | None = None):
    """Start ``ssc`` while this process holds the write lock; withdraw A1 before letting go."""
    with Register.open(db, actor="other-secretary") as other, write_transaction(other.conn):
        proc = start(db, *argv, stdin=stdin)
        time.sleep(2.0)  # it reads its input and queues on the lock meanwhile
        assert proc.poll() is None, proc.stderr.read()
        other.withdraw("assessment", "A1", reason="entered twice")
    return proc


@pytest.mark.parametrize("how", ["import", "add", "decide"])
def test_a_record_withdrawn_meanwhile_gets_nothing_written_onto_it(ssc, how):
    assert (
        ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=shared_resource_provider").status
        == 0
    )
    assert (
        ssc(
            "assessment", "add", "id=A1", "party=P1", "kind=FUSA", "report_received=2019-11-08"
        ).status
        == 0
    )
    finding = {
        "type": "finding",
        "id": "F1",
        "assessment": "A1",
        "sec_ref": "G5.14",
        "title": "Late",
    }
    argv = {
        "import": ("import", "-"),
        "add": ("finding", "add", "id=F1", "assessment=A1", "sec_ref=G5.14", "title=Late"),
        "decide": ("decide", "A1", "--status", "approved", "--date", "2019-12-11"),
    }[how]
    proc = _blocked_on_the_lock(ssc.db, *argv, stdin=json.dumps(finding) + "\n")
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 2, err
    assert "A1 is withdrawn" in err
    assert json.loads(ssc("finding", "list", "--withdrawn", "--format", "json").stdout) == []
    assert json.loads(ssc("decision", "list", "--withdrawn", "--format", "json").stdout) == []
    assert ssc("audit", "verify").status == 0


def test_concurrent_decisions_on_one_subject_keep_its_chain_valid(ssc):
    """Approved is final for a letter: of six processes approving it at once, exactly one may."""
    assert (
        ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=shared_resource_provider").status
        == 0
    )
    assert ssc("letter", "add", "id=L1", "party=P1", "received=2020-02-03").status == 0
    procs = [
        start(ssc.db, "decide", "L1", "--status", "approved", "--date", "2020-03-11")
        for _ in range(6)
    ]
    codes = []
    for proc in procs:
        err = proc.stderr.read()
        codes.append(proc.wait(timeout=120))
        assert "Traceback" not in err
    assert sorted(codes) == [0, 2, 2, 2, 2, 2]
    assert len(json.loads(ssc("decision", "list", "--format", "json").stdout)) == 1
    assert ssc("audit", "verify").status == 0


def test_concurrent_imports_of_an_assessment_and_a_letter_with_one_id(ssc):
    assert (
        ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=shared_resource_provider").status
        == 0
    )
    assessment = {"type": "assessment", "id": "X1", "party": "P1", "kind": "FUSA"}
    letter = {"type": "letter", "id": "X1", "party": "P1", "received": "2020-02-03"}
    procs = [
        start(ssc.db, "import", "-", stdin=json.dumps(record) + "\n")
        for record in (assessment, letter) * 3
    ]
    codes = [proc.wait(timeout=120) for proc in procs]
    assert codes.count(0) == 1 and codes.count(2) == 5, codes
    assert len(ssc("export").stdout.splitlines()) == 2  # the party and one X1
