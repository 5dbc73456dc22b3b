"""Two processes writing at once lose nothing; a process killed mid-import leaves the register as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def parties(prefix: str, count: int) -> str:
    return "".join(
        json.dumps(
            {
                "type": "party",
                "id": f"{prefix}{n}",
                "name": f"{prefix} Energy {n} Ltd",
                "roles": ["other_user"],
            }
        )
        + "\n"
        for n in range(count)
    )


def start(db: Path, *argv: str) -> subprocess.Popen:
    env = {**os.environ, "SSC_DB": str(db), "SSC_ACTOR": "proc", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "ssc", *argv],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_importing_and_adding_at_once_lose_nothing(ssc, tmp_path):
    assert ssc("party", "add", "id=P0", "name=First Ltd", "roles=other_user").status == 0
    files = []
    for prefix in ("N", "S"):
        path = tmp_path / f"{prefix}.jsonl"
        path.write_text(parties(prefix, 3000))
        files.append(path)
    procs = [start(ssc.db, "import", str(path)) for path in files]
    adders = [
        start(ssc.db, "party", "add", f"id=X{n}", f"name=Extra {n} Ltd", "roles=other_user")
        for n in range(4)
    ]
    for proc in procs + adders:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    listed = json.loads(ssc("party", "list", "--format", "json").stdout)
    assert len(listed) == 6005
    assert ssc("audit", "verify").status == 0


def test_killed_mid_import_leaves_the_register_as_it_was(ssc, tmp_path):
    assert ssc("party", "add", "id=P0", "name=Before Ltd", "roles=other_user").status == 0
    before = ssc("export").stdout
    head = ssc("audit", "head").stdout
    big = tmp_path / "big.jsonl"
    big.write_text(parties("K", 60000))
    proc = start(ssc.db, "import", str(big))
    # Kill it once it holds the write lock, mid-transaction, where that can be seen; else midway.
    deadline = time.monotonic() + 30
    wal = Path(str(ssc.db) + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > size + 1_000_000:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode != 0, (
        "the import finished before it could be killed; make the file bigger"
    )
    assert ssc("export").stdout == before
    assert ssc("audit", "head").stdout == head
    assert ssc("audit", "verify").status == 0
