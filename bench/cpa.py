"""Benchmark the CPA register at national scale: import rate against raw executemany, report time.

    python bench/cpa.py                      # 30 million devices, 40 Suppliers, 300 certificates
    python bench/cpa.py --devices 1000000    # a quick run

Generates the data set (testdata/cpa/generate.py) into a scratch folder, then in separate
processes (so each peak memory is its own): the baseline, ``sqlite3.executemany`` of the same
CSV rows into a bare table of the same columns in one transaction; ``ssc``'s import of the same
file, with its audit events and digests; the report; and ``audit verify`` over it all. Prints the figures and the ratio; deletes the scratch folder unless
``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

AS_OF = dt.date(2020, 1, 10)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(data: Path, db_path: Path) -> dict:
    """Raw executemany of the inventory CSV's rows into a bare table, one transaction."""
    from core import db
    from smki.cpa.importer import BULK_CACHE_KIB

    conn = db.connect(db_path)
    conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")  # the same as the import's
    conn.execute("CREATE TABLE raw (supplier TEXT, device_id TEXT, device_type TEXT,"
                 " manufacturer TEXT, model TEXT, hardware_version TEXT, firmware_version TEXT)")  # fmt: skip
    started, cpu = time.perf_counter(), time.process_time()
    with (data / "inventory.csv").open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        with db.write_transaction(conn):
            conn.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    count = conn.execute("SELECT COUNT(*) FROM raw").fetchone()[0]
    return {"rows": count, "seconds": seconds, "cpu": cpu, "peak_mib": peak_mib()}


def ssc_import(data: Path, db_path: Path) -> dict:
    from smki.cpa.importer import import_csv
    from smki.cpa.policy import load_policy
    from smki.cpa.schema import open_register

    policy = load_policy()
    conn = open_register(db_path)
    import_csv(conn, "certificates", data / "certificates.csv", policy=policy, actor="bench")
    started, cpu = time.perf_counter(), time.process_time()
    summary = import_csv(conn, "inventory", data / "inventory.csv", policy=policy, actor="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    import_csv(conn, "plans", data / "plans.csv", policy=policy, actor="bench")
    return {"rows": summary.rows, "groups": summary.groups, "seconds": seconds, "cpu": cpu,
            "peak_mib": peak_mib()}  # fmt: skip


def report(db_path: Path) -> dict:
    from smki.cpa.formats import renderer
    from smki.cpa.policy import load_policy
    from smki.cpa.report import build_report
    from smki.cpa.schema import open_register

    policy = load_policy()
    started = time.perf_counter()
    conn = open_register(db_path)
    built = build_report(conn, AS_OF, policy)
    text = renderer("json")(built)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "certificates": built.totals.certificates,
            "installed_devices": built.totals.installed_devices,
            "suppliers_listed": sum(len(c.suppliers) for c in built.certificates),
            "json_bytes": len(text), "peak_mib": peak_mib()}  # fmt: skip


def cli_report(db_path: Path) -> float:
    """The whole command, as cron would run it: process start, report, render."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ssc", "--db", str(db_path), "cpa", "report",
                    "--as-of", AS_OF.isoformat(), "--format", "prometheus"],
                   cwd=REPO, stdout=subprocess.DEVNULL, check=False)  # fmt: skip
    return time.perf_counter() - started


def verify(db_path: Path) -> dict:
    """`audit verify` over the whole register: the trail, the schema and every CPA digest."""
    from core import audit, db

    conn = db.open_register(db_path, write=False)
    started = time.perf_counter()
    problem = audit.verify_register(conn)
    seconds = time.perf_counter() - started
    assert problem is None, str(problem)
    return {"seconds": seconds, "peak_mib": peak_mib()}


PHASES = {"baseline": baseline, "import": ssc_import, "verify": verify}


def in_child(phase: str, *paths: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, *map(str, paths)],
                         check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=30_000_000)
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--certificates", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data and databases")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = report(*args.paths) if args.phase == "report" else PHASES[args.phase](*args.paths)
        print(json.dumps(result))
        return

    scratch = args.dir or Path(tempfile.mkdtemp(prefix="ssc-bench-cpa-"))
    data = scratch / "data"
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "testdata" / "cpa" / "generate.py"), str(data),
                        "--devices", str(args.devices), "--suppliers", str(args.suppliers),
                        "--certificates", str(args.certificates)], check=True)  # fmt: skip
        size = (data / "inventory.csv").stat().st_size
        print(f"generated {args.devices:,} devices, {args.suppliers} Suppliers, "
              f"{args.certificates} certificates: inventory.csv {size / 2**20:,.0f} MiB "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        for name in ("baseline.db", "register.db"):
            for suffix in ("", "-wal", "-shm"):
                (scratch / (name + suffix)).unlink(missing_ok=True)
        raw = in_child("baseline", data, scratch / "baseline.db")
        ours = in_child("import", data, scratch / "register.db")
        rep = in_child("report", scratch / "register.db")
        checked = in_child("verify", scratch / "register.db")
        cli = cli_report(scratch / "register.db")
        raw_rate, our_rate = raw["rows"] / raw["seconds"], ours["rows"] / ours["seconds"]
        print(
            f"raw executemany (baseline): {raw['rows']:,} rows in {raw['seconds']:.1f} s = "
            f"{raw_rate:,.0f} rows/s, peak {raw['peak_mib']:,.0f} MiB"
        )
        print(
            f"ssc cpa import inventory:   {ours['rows']:,} rows in {ours['seconds']:.1f} s = "
            f"{our_rate:,.0f} rows/s, peak {ours['peak_mib']:,.0f} MiB, "
            f"{ours['groups']:,} groups"
        )
        print(f"import / raw rate:          {our_rate / raw_rate:.0%} (aim: 70% or better)")
        # CPU seconds of each process: steadier than the clock on a machine shared with others.
        print(
            f"import / raw CPU time:      {raw['cpu'] / ours['cpu']:.0%} "
            f"({raw['cpu']:.1f} s against {ours['cpu']:.1f} s of CPU)"
        )
        print(
            f"report (build + json):      {rep['seconds'] * 1000:,.0f} ms over "
            f"{rep['certificates']} certificates, {rep['suppliers_listed']:,} Supplier rows, "
            f"{rep['installed_devices']:,} devices, peak {rep['peak_mib']:,.0f} MiB"
        )
        print(f"ssc cpa report (process):   {cli * 1000:,.0f} ms (aim: under 1 s)")
        print(
            f"ssc audit verify:           {checked['seconds']:.1f} s over {ours['rows']:,} devices, "
            f"peak {checked['peak_mib']:,.0f} MiB"
        )
        print(f"register file:              "
              f"{(scratch / 'register.db').stat().st_size / 2**20:,.0f} MiB")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
