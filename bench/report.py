"""Benchmark of the monthly Panel report over a 105,000-record register, against the previous design and a bare SQL count.

Run: ``python bench/report.py [--parties 10500] [--runs 3] [--month 2019-06]``.

Builds the register bench/register.py builds (10 records per Party: 10,500 Parties make 105,000
records) with ``ssc import``, then times, each in a fresh ``python -m ssc`` process so that
start-up counts alike:

- ``ssc report panel --month M`` (main part, Markdown) and ``--format docx``: the bounded read,
  then the tripwire over every restricted value of the register;
- the same command in the previous design (the tree at ``--before``, default the commit before
  the bounded read, extracted with ``git archive``; skipped outside a git checkout);
- the floor: ``python -c`` doing the month's decision counts in bare SQL (same start-up).

Prints each figure (best of the runs) and its ratio to the others measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: The last commit of the previous design (main part built from the register, text guard).
BEFORE = "adbe310"

BARE_SQL = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
month, after = sys.argv[2] + "-01", sys.argv[3]
print(conn.execute(
    "SELECT a.kind, d.status, COUNT(*) FROM decisions d JOIN assessments a ON a.id = d.subject"
    " WHERE d.date >= ? AND d.date < ? GROUP BY a.kind, d.status", (month, after)).fetchall())
"""


def next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}-01"


def timed(argv: list[str], tree: Path, db: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one process: CPU drifts less than wall on a shared machine."""
    env = {**os.environ, "PYTHONPATH": str(tree), "SSC_DB": str(db)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[:6])}… failed ({result.returncode}): {result.stderr.strip()[:400]}"
        )
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def previous_tree(commit: str, into: Path) -> Path | None:
    """The repository at ``commit``, extracted (None outside a git checkout)."""
    try:
        archive = subprocess.run(
            ["git", "archive", commit], cwd=REPO, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(db: Path, parties: int) -> int:
    from bench.register import generate
    from core.env import Environment
    from ssc.cli import main

    records = generate(parties)
    source = db.with_suffix(".jsonl")
    with open(source, "w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record) + "\n")
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), db_path=db, actor="bench")
    if main(["import", str(source)], env) != 0:
        raise SystemExit(f"import failed: {env.stderr.getvalue()[:400]}")
    return len(records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=10_500)
    parser.add_argument("--month", default="2019-06")
    parser.add_argument("--runs", type=int, default=3, help="repeat and keep each figure's best")
    parser.add_argument("--before", default=BEFORE, help="commit of the previous design")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "register.db"
        count = build(db, args.parties)
        old = previous_tree(args.before, folder / "before")
        out = folder / "main.docx"
        commands = {
            "ssc report panel (markdown)": (
                [sys.executable, "-m", "ssc", "report", "panel", "--month", args.month],
                REPO,
            ),
            "ssc report panel (docx)": (
                [
                    sys.executable,
                    "-m",
                    "ssc",
                    "report",
                    "panel",
                    "--month",
                    args.month,
                    "--format",
                    "docx",
                    "-o",
                    str(out),
                ],
                REPO,
            ),
            "bare SQL counts (floor)": (
                [sys.executable, "-c", BARE_SQL, str(db), args.month, next_month(args.month)],
                REPO,
            ),
        }
        databases = dict.fromkeys(commands, db)
        if old is not None:
            # The previous design reads only the schema it wrote: the same records, imported by it.
            old_db = folder / "before.db"
            timed(
                [sys.executable, "-m", "ssc", "import", str(db.with_suffix(".jsonl"))], old, old_db
            )
            commands["previous design (markdown)"] = (
                [sys.executable, "-m", "ssc", "report", "panel", "--month", args.month],
                old,
            )
            databases["previous design (markdown)"] = old_db
        runs = {
            name: [timed(argv, tree, databases[name]) for _ in range(max(1, args.runs))]
            for name, (argv, tree) in commands.items()
        }
        best = {name: min(wall for wall, _ in times) for name, times in runs.items()}
        cpu = {name: min(used for _, used in times) for name, times in runs.items()}
    print(
        f"register: {count:,} records ({args.parties:,} parties), month {args.month}, "
        f"best of {args.runs} run(s), whole process each"
    )
    floor = best["bare SQL counts (floor)"]
    previous = best.get("previous design (markdown)")
    previous_cpu = cpu.get("previous design (markdown)")
    for name, seconds in best.items():
        line = f"{name:30s} {seconds:6.3f} s wall {cpu[name]:6.3f} s CPU  {seconds / floor:5.1f}x floor"
        if previous is not None and previous_cpu is not None and name.startswith("ssc"):
            line += f"  {previous / seconds:4.1f}x faster than before ({previous_cpu / cpu[name]:.1f}x in CPU)"
        if name == "ssc report panel (markdown)":
            line += "  (aim < 0.5 s)"
        print(line)
    if previous is None:
        print("previous design: not measured (not a git checkout)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
