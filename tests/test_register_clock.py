"""The clock is the Environment's: audit events, withdrawals, evidence and imports are timed by
the clock a caller injects (httpie's way), never by patching a module's ``datetime``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from core.env import Environment
from ssc.cli import main

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"


class Clock:
    """A hand-set clock: what the time is, until the test moves it."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


def run(db: Path, clock: Clock, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdout=out, stderr=err, stdin=io.StringIO(stdin), db_path=db, actor="clerk", clock=clock
    )
    return main(list(argv), env), out.getvalue(), err.getvalue()


def events(db: Path, clock: Clock) -> list[dict]:
    status, out, err = run(db, clock, "audit", "log", "--format", "json", "--limit", "1000")
    assert status == 0, err
    return json.loads(out)


def test_every_event_a_command_writes_is_timed_by_the_injected_clock(tmp_path):
    db = tmp_path / "register.db"
    clock = Clock(dt.datetime(2020, 1, 10, 9, 30, 0, 123456, tzinfo=dt.UTC))
    assert run(db, clock, "party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user")[0] == 0
    created = {e["seq"] for e in events(db, clock)}  # the file's own creation event(s)

    clock.at = dt.datetime(2020, 2, 1, 8, 0, tzinfo=dt.UTC)
    assert (
        run(db, clock, "party", "edit", "P1", "contact=a@example.invalid", "--reason", "r")[0] == 0
    )
    evidence = tmp_path / "note.txt"
    evidence.write_text("seen at SSC\n", encoding="utf-8")
    assert run(db, clock, "evidence", "add", "P1", str(evidence), "--reason", "r")[0] == 0
    lines = (
        '{"type": "party", "id": "P2", "name": "Other Ltd", "roles": ["other_user"]}\n'
        '{"type": "party", "id": "P3", "name": "Third Ltd", "roles": ["other_user"]}\n'
    )
    batch = tmp_path / "parties.jsonl"
    batch.write_text(lines, encoding="utf-8")
    assert run(db, clock, "import", str(batch))[0] == 0

    clock.at = dt.datetime(2020, 3, 4, 17, 45, 30, tzinfo=dt.UTC)
    assert run(db, clock, "party", "withdraw", "P2", "--reason", "left")[0] == 0
    status, out, err = run(db, clock, "evidence", "list", "--format", "json")
    assert run(db, clock, "evidence", "withdraw", json.loads(out)[0]["id"], "--reason", "r")[0] == 0

    times = {e["seq"]: (e["entity"], e["action"], e["at"]) for e in events(db, clock)}
    mine = [times[seq] for seq in sorted(times) if seq not in created]
    assert [at for *_, at in mine] == (
        ["2020-02-01T08:00:00.000000+00:00"] * 4 + ["2020-03-04T17:45:30.000000+00:00"] * 2
    )
    assert [(entity, action) for entity, action, _ in mine] == [
        ("party", "edit"),
        ("evidence", "add"),
        ("party", "import"),
        ("party", "import"),
        ("party", "withdraw"),
        ("evidence", "withdraw"),
    ]
    adds = [
        at for seq, (entity, action, at) in times.items() if seq in created and entity == "party"
    ]
    assert adds == ["2020-01-10T09:30:00.123456+00:00"]

    # The timestamps the records keep come from the same clock.
    status, out, _ = run(db, clock, "party", "show", "P2", "--format", "json")
    assert json.loads(out)["record"]["withdrawn"] == "2020-03-04T17:45:30Z"
    status, out, _ = run(db, clock, "evidence", "list", "--format", "json")
    (item,) = json.loads(out)
    assert item["added"].startswith("2020-02-01T08:00:00")
    assert item["withdrawn"].startswith("2020-03-04T17:45:30")
    # A trail timed by an injected clock is a trail like any other.
    assert run(db, clock, "audit", "verify")[0] == 0


def test_today_is_the_clock_s_date_unless_as_of_fixes_it(tmp_path):
    db = tmp_path / "register.db"
    clock = Clock(dt.datetime(2020, 1, 10, 23, 59, tzinfo=dt.UTC))
    assert run(db, clock, "party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user")[0] == 0
    status, out, err = run(db, clock, "due", "--format", "json")
    assert status in (0, 1), err
    assert json.loads(out)["as_of"] == "2020-01-10"
    status, out, _ = run(db, clock, "due", "--format", "json", "--as-of", "2021-06-30")
    assert json.loads(out)["as_of"] == "2021-06-30"


def test_a_cpa_import_and_its_events_carry_the_clock_s_time(tmp_path):
    db = tmp_path / "register.db"
    clock = Clock(dt.datetime(2020, 1, 9, 12, 0, tzinfo=dt.UTC))
    certificates = TESTDATA / "cpa" / "edmi" / "certificates.csv"
    assert run(db, clock, "cpa", "import", "certificates", str(certificates))[0] == 0
    cpa = [e for e in events(db, clock) if e["entity"].startswith("cpa_")]
    assert cpa and {e["at"] for e in cpa} == {"2020-01-09T12:00:00.000000+00:00"}
