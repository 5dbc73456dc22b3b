"""Benchmark of the register: import of 100,000 records, `ssc due` over 10,000 Parties, `ssc audit
verify` over that register and over a 1,000,000-device CPA register, `ssc --help`, against raw
sqlite3.executemany.

Run: ``python bench/register.py [--parties 10000] [--cpa-devices 1000000] [--runs 3]``. Prints
each figure (the best of the runs) and its ratio to the baseline measured in the same runs
(absolute figures drift on shared machines). ``--cpa-devices 0`` skips the CPA register.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ROLES = [
    "large_supplier",
    "small_supplier",
    "electricity_network_party",
    "gas_network_party",
    "other_user",
    "registered_supplier_agent",
    "shared_resource_provider",
]


def generate(parties: int) -> list[dict]:
    """10 records per Party: 1 party, 3 assessments, 3 findings, 2 decisions, and a letter or highlight."""
    records: list[dict] = []
    # (A register where everything is outstanding would time the JSON output, not `due`.)
    base = dt.date(2019, 1, 1)
    for p in range(parties):
        pid = f"P{p:06d}"
        records.append(
            {
                "type": "party",
                "id": pid,
                "name": f"Bench Energy {p} Ltd",
                "roles": [ROLES[p % len(ROLES)]],
                "domestic_sms": (p * 7919) % 500_000,
                "non_domestic_sms": (p * 104729) % 90_000,
            }
        )
        for year in range(3):
            aid = f"A{p:06d}{year}"
            end = base + dt.timedelta(days=365 * year + p % 300)
            records.append(
                {
                    "type": "assessment",
                    "id": aid,
                    "party": pid,
                    "kind": ["FUSA", "VUSA", "SSA"][year],
                    "cycle_year": year + 1,
                    "fieldwork_end": end.isoformat(),
                    "report_received": (end + dt.timedelta(days=20)).isoformat(),
                    # Older reports answered, the latest still awaiting its response.
                    "response_received": (end + dt.timedelta(days=45)).isoformat()
                    if year < 2
                    else None,
                }
            )
            records.append(
                {
                    "type": "finding",
                    "id": f"F{p:06d}{year}",
                    "assessment": aid,
                    "sec_ref": "G5.14",
                    "title": "Risk assessment not refreshed after system change",
                    "severity": "medium",
                    "due": (end + dt.timedelta(days=90)).isoformat(),
                    "status": "closed" if year < 2 else "open",
                    "closed": (end + dt.timedelta(days=80)).isoformat() if year < 2 else None,
                }
            )
            if year < 2:
                records.append(
                    {
                        "type": "decision",
                        "id": f"D{p:06d}{year}",
                        "subject": aid,
                        "date": (end + dt.timedelta(days=40)).isoformat(),
                        "status": "approved" if year == 0 else "compliant",
                    }
                )
        records[-7:] = [{k: v for k, v in r.items() if v is not None} for r in records[-7:]]
        if p % 2:
            records.append(
                {
                    "type": "letter",
                    "id": f"L{p:06d}",
                    "party": pid,
                    "received": "2020-03-01",
                    "relates_to": f"A{p:06d}0",
                }
            )
        else:
            records.append(
                {
                    "type": "highlight",
                    "id": f"H{p:06d}",
                    "date": "2020-03-11",
                    "committee": "SSC",
                    "title": "Bench highlight",
                    "text": "Text.",
                }
            )
    return records


def raw_executemany(records: list[dict], path: Path) -> float:
    """The floor: the same rows into plain tables with sqlite3.executemany, one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    by_type: dict[str, list[dict]] = {}
    for record in records:
        by_type.setdefault(record["type"], []).append(record)
    start = time.perf_counter()
    conn.execute("BEGIN")
    for type_name, rows in by_type.items():
        columns = sorted({key for row in rows for key in row if key != "type"})
        conn.execute(f"CREATE TABLE {type_name}s ({', '.join(columns)})")
        conn.executemany(
            f"INSERT INTO {type_name}s VALUES ({', '.join('?' for _ in columns)})",
            [
                tuple(json.dumps(r[c]) if isinstance(r.get(c), list) else r.get(c) for c in columns)
                for r in rows
            ],
        )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def run_ssc(db: Path, *argv: str) -> tuple[int, float]:
    from core.env import Environment
    from ssc.cli import main

    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), db_path=db, actor="bench")
    start = time.perf_counter()
    status = main(list(argv), env)
    return status, time.perf_counter() - start


def help_time(repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ssc", "--help"],
            capture_output=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        times.append(time.perf_counter() - start)
    bare = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    return min(times), min(bare)


def create(db: Path) -> None:
    """A new, migrated, empty register (a writer's open; readers never create one)."""
    from assurance.store import Register

    Register.open(db, actor="bench").close()


def cpa_register(folder: Path, devices: int) -> Path:
    """A register holding a CPA data set of ``devices`` devices (testdata/cpa/generate.py)."""
    from smki.cpa.importer import import_csv
    from smki.cpa.policy import load_policy
    from smki.cpa.schema import open_register

    data = folder / "cpa"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "testdata" / "cpa" / "generate.py"),
            str(data),
            "--devices",
            str(devices),
            "--suppliers",
            "40",
            "--certificates",
            "300",
        ],
        check=True,
        capture_output=True,
    )
    db = folder / "cpa.db"
    conn = open_register(db)
    policy = load_policy()
    for kind in ("certificates", "inventory", "plans"):
        import_csv(conn, kind, data / f"{kind}.csv", policy=policy, actor="bench")
    conn.close()
    return db


def measure_cpa(devices: int) -> float:
    """`ssc audit verify` over a register holding ``devices`` CPA devices."""
    with tempfile.TemporaryDirectory() as tmp:
        db = cpa_register(Path(tmp), devices)
        status, seconds = run_ssc(db, "audit", "verify")
        assert status == 0, "audit verify found the CPA register altered"
    return seconds


def measure(records: list[dict]) -> dict[str, float]:
    """One run of every figure, on a fresh register."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "bench.jsonl"
        with open(source, "w", encoding="utf-8") as stream:
            for record in records:
                stream.write(json.dumps(record) + "\n")
        raw = raw_executemany(records, folder / "raw.db")
        db = folder / "register.db"
        create(db)  # create and migrate outside the timing
        status, imported = run_ssc(db, "import", str(source))
        assert status == 0, "import failed"
        status, due = run_ssc(db, "due", "--as-of", "2021-06-30", "--format", "json")
        status_verify, verify = run_ssc(db, "audit", "verify")
        assert status_verify == 0
        status, export = run_ssc(db, "export", "--output", str(folder / "out.jsonl"))
        assert status == 0
    return {"raw": raw, "import": imported, "due": due, "verify": verify, "export": export}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument(
        "--cpa-devices",
        type=int,
        default=1_000_000,
        help="devices in the CPA register audit verify runs over (0: skip)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="repeat and keep each figure's best (shared machines drift)",
    )
    args = parser.parse_args()
    records = generate(args.parties)
    runs = [measure(records) for _ in range(max(1, args.runs))]
    best = {name: min(run[name] for run in runs) for name in runs[0]}
    raw, imported, due, verify, export = (
        best[name] for name in ("raw", "import", "due", "verify", "export")
    )
    cpa_verify = (
        min(measure_cpa(args.cpa_devices) for _ in range(max(1, args.runs)))
        if args.cpa_devices
        else None
    )
    help_min, bare_min = help_time()
    n = len(records)
    print(
        f"records: {n:,} ({args.parties:,} parties)"
        + (f", best of {len(runs)} runs" if len(runs) > 1 else "")
    )
    print(f"raw sqlite3.executemany:        {raw:6.3f} s  {n / raw:10,.0f} rows/s  (baseline)")
    print(
        f"ssc import (validated, audited): {imported:6.3f} s  {n / imported:10,.0f} rows/s  "
        f"{imported / raw:5.1f}x baseline  (aim < 5 s)"
    )
    print(f"ssc due over {args.parties:,} parties:  {due:6.3f} s  (aim < 1 s)")
    print(f"ssc audit verify:               {verify:6.3f} s  ({n / verify:,.0f} records/s)")
    if cpa_verify is not None:
        print(
            f"ssc audit verify, CPA register of {args.cpa_devices:,} devices: {cpa_verify:6.3f} s  "
            f"({args.cpa_devices / cpa_verify:,.0f} devices/s)"
        )
    print(f"ssc export:                     {export:6.3f} s")
    print(
        f"ssc --help (min of 7):          {help_min:6.3f} s  (python -c pass {bare_min:.3f} s; aim < 0.3 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
