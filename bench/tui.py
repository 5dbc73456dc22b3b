"""Benchmark of ``ssc tui`` on a large register: time to the dashboard and per filter keystroke.

Builds a register of 5,000 Parties and 100,000 assessments and findings (straight through
``Register.add_many``, not the UI), then drives the app with Textual's Pilot and prints:

- dashboard: from ``run_test()`` start to the dashboard mounted with its counts and decisions;
- due items: until the worker has put the due and overdue list on it too;
- each list: from the key to the list shown;
- filter: from a keystroke in the filter box to the table showing the narrowed page (Pilot
  round trip, painting included), and the part of it spent querying and filling the table;
- the round trip of a key that changes nothing, which is Pilot's own share of each figure.

Run:  python bench/tui.py [--parties 5000] [--assessments 60000] [--findings 40000] [--db PATH]
      [--size 80x24]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assurance.models import Assessment, Decision, Finding, Party  # noqa: E402
from assurance.store import Register  # noqa: E402
from tui.app import SSCApp  # noqa: E402
from tui.screens.dashboard import DashboardScreen  # noqa: E402
from tui.screens.records import RecordsScreen  # noqa: E402
from tui.state import Session  # noqa: E402

TODAY = dt.date(2020, 1, 10)
ROLES = ["large_supplier", "small_supplier", "electricity_network_party", "gas_network_party",
         "other_user", "registered_supplier_agent", "shared_resource_provider"]
WORDS = ["Albion", "Mercia", "Wessex", "Fenland", "Pennine", "Thames", "Severn", "Cheviot",
         "Solway", "Humber", "Tamar", "Ouse", "Trent", "Clyde", "Tay", "Wye"]
KINDS = ["FUSA", "VUSA", "SSA", "FOLLOW_UP"]
SECTIONS = ["G3.11", "G3.16", "G4.2(b)", "G5.14", "G5.16", "G5.19", "G6.3"]


def build(path: Path, parties: int, assessments: int, findings: int, seed: int = 6) -> float:
    rng = random.Random(seed)
    start = time.perf_counter()
    records: list = []
    for n in range(parties):
        records.append(Party(
            id=f"P{n:05d}", name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} Energy {n} Ltd",
            roles=[rng.choice(ROLES)], domestic_sms=rng.randrange(0, 2_000_000)))
    for n in range(assessments):
        end = TODAY - dt.timedelta(days=rng.randrange(0, 1100))
        records.append(Assessment(
            id=f"A{n:06d}", party=f"P{rng.randrange(parties):05d}", kind=rng.choice(KINDS),
            cycle_year=rng.randint(1, 3), fieldwork_start=end - dt.timedelta(days=10),
            fieldwork_end=end, report_received=end + dt.timedelta(days=21)))
    for n in range(findings):
        records.append(Finding(
            id=f"F{n:06d}", assessment=f"A{rng.randrange(assessments):06d}",
            sec_ref=rng.choice(SECTIONS), title=f"{rng.choice(WORDS)} control gap {n}",
            severity=rng.choice(["low", "medium", "high"]), status="open",
            due=TODAY + dt.timedelta(days=rng.randrange(-200, 200))))
    for n in range(200):
        records.append(Decision(id=f"D{n:05d}", subject=f"A{n:06d}",
                                date=TODAY - dt.timedelta(days=n % 9), status="compliant"))
    with Register.open(path, actor="bench") as register:
        register.add_many(records, reason="bench")
    return time.perf_counter() - start


def _time_reloads(into: list[float]) -> None:
    """Record how long each table reload takes in the app (SQL, rows, cells; not the paint)."""
    from tui.widgets.record_table import RecordTable

    original = RecordTable.reload

    def reload(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            into.append(time.perf_counter() - t)

    RecordTable.reload = reload


async def drive(path: Path, filter_text: str, size: tuple[int, int]) -> dict[str, object]:
    figures: dict[str, object] = {}
    reloads: list[float] = []
    _time_reloads(reloads)
    app = SSCApp(Session(db_path=path, actor="bench", today=TODAY, cursor_blink=False))
    start = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        while not (isinstance(app.screen, DashboardScreen) and app.screen.is_mounted):
            await asyncio.sleep(0.001)
        await pilot.pause()
        figures["dashboard"] = time.perf_counter() - start
        title = app.screen.query_one("#due-title")
        while "computing" in str(title.render()):
            await asyncio.sleep(0.01)
        figures["due items"] = time.perf_counter() - start
        for key, name in (("p", "parties"), ("a", "assessments"), ("f", "findings")):
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, RecordsScreen)
            figures[f"open {name}"] = time.perf_counter() - t
        await pilot.press("slash")
        baseline = []
        for _ in range(5):  # Pilot's own round trip, for a key that changes nothing
            t = time.perf_counter()
            await pilot.press("home")
            await pilot.pause()
            baseline.append(time.perf_counter() - t)
        figures["pilot round trip"] = baseline
        timings = []
        reloads.clear()
        for char in filter_text:
            t = time.perf_counter()
            await pilot.press(char)
            await pilot.pause()
            timings.append(time.perf_counter() - t)
        table = app.screen.query_one("#rows")
        figures["filter keystrokes"] = timings
        figures["  of which query+rows"] = list(reloads)
        figures["rows after filter"] = table.row_count
        figures["summary"] = str(app.screen.query_one("#summary").render())
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=5_000)
    parser.add_argument("--assessments", type=int, default=60_000)
    parser.add_argument("--findings", type=int, default=40_000)
    parser.add_argument("--db", type=Path, help="reuse (or create) this register file")
    parser.add_argument("--filter", default="G5.14 high", help="typed into the findings filter")
    parser.add_argument("--size", default="160x50", help="terminal WIDTHxHEIGHT (e.g. 80x24)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ssc-bench-")) / "register.db"
    if not path.exists():
        built = build(path, args.parties, args.assessments, args.findings)
        print(f"built {args.parties:,} parties, {args.assessments:,} assessments, "
              f"{args.findings:,} findings in {built:.1f} s ({path})")
    width, height = (int(n) for n in args.size.split("x"))
    figures = asyncio.run(drive(path, args.filter, (width, height)))
    print(f"terminal {width}x{height}")
    for name, value in figures.items():
        if isinstance(value, list):
            ms = [v * 1000 for v in value]
            print(f"{name:>20}: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms"
                  f" over {len(ms)} keys")
        elif isinstance(value, float):
            print(f"{name:>20}: {value * 1000:.0f} ms")
        else:
            print(f"{name:>20}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
