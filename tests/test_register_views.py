"""The register's SQL views, read as people read it: with sqlite-utils and Datasette."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import sys

import pytest
import sqlite_utils

from assurance.policy import default_policy
from assurance.store import Register
from assurance.workflow import current_status

VIEWS = {"latest_status", "open_findings", "open_findings_by_party"}


@pytest.fixture
def demo(ssc):
    result = ssc("demo", "--as-of", "2020-01-10")
    assert result.status == 0, result.stderr
    return ssc


def test_sqlite_utils_opens_the_register_and_lists_tables_and_views(demo):
    db = sqlite_utils.Database(demo.db)
    assert {"parties", "assessments", "decisions", "findings"} <= set(db.table_names())
    assert set(db.view_names()) >= VIEWS
    assert not VIEWS & set(db.table_names())
    for view in VIEWS:
        assert db[view].count > 0, view


def test_latest_status_is_the_status_the_workflow_sees(demo):
    rows = list(sqlite_utils.Database(demo.db).query("SELECT * FROM latest_status"))
    with Register.open(demo.db, actor="t") as register:
        expected = {a: current_status(register, a) for (a,) in register.conn.execute(
            "SELECT id FROM assessments WHERE withdrawn IS NULL")}  # fmt: skip
    assert {r["assessment"]: r["status"] for r in rows} == expected
    assert len(rows) == len(expected)  # one row per assessment, decided or not


def test_latest_status_takes_the_later_entry_on_the_same_day_and_skips_withdrawn(ssc):
    for argv in [
        ("party", "add", "id=P1", "name=Fenland & <Shared> | Ltd",
         "roles=shared_resource_provider", "--reason", "applied"),
        ("assessment", "add", "id=A1", "party=P1", "kind=FUSA", "cycle_year=1",
         "fieldwork_end=2019-10-18"),
        ("assessment", "add", "id=A2", "party=P1", "kind=FUSA", "cycle_year=1",
         "fieldwork_end=2019-11-18"),
        ("decide", "A1", "--status", "approved_subject_to", "--date", "2019-12-11",
         "--conditions", "remediate F1"),
        ("decide", "A1", "--status", "deferred", "--date", "2019-12-11"),
    ]:  # fmt: skip
        result = ssc(*argv)
        assert result.status == 0, result.stderr
    db = sqlite_utils.Database(ssc.db)
    latest = {r["assessment"]: r for r in db.query("SELECT * FROM latest_status")}
    assert latest["A1"]["status"] == "deferred" and latest["A1"]["decision"] == "D0002"
    assert latest["A2"]["status"] is None  # no decision yet: listed, not dropped
    assert latest["A1"]["party_name"] == "Fenland & <Shared> | Ltd"
    result = ssc("decision", "withdraw", "D0002", "--reason", "entered in error")
    assert result.status == 0, result.stderr
    latest = {r["assessment"]: r for r in db.query("SELECT * FROM latest_status")}
    assert latest["A1"]["status"] == "approved_subject_to"


def test_open_findings_follow_the_policy_and_group_by_party(demo):
    policy = default_policy()
    # The view's list of closed-for-good statuses is policy's: they must not part.
    assert sorted(policy.findings.done_statuses) == ["closed", "remediated"]
    db = sqlite_utils.Database(demo.db)
    findings = list(db.query(
        "SELECT f.id, f.status, a.party FROM findings f JOIN assessments a ON a.id = f.assessment"
        " WHERE f.withdrawn IS NULL AND a.withdrawn IS NULL"))  # fmt: skip
    expected = {f["id"] for f in findings if f["status"] not in policy.findings.done_statuses}
    assert expected and {r["finding"] for r in db.query("SELECT * FROM open_findings")} == expected
    by_party: dict[str, int] = {}
    for f in findings:
        if f["id"] in expected:
            by_party[f["party"]] = by_party.get(f["party"], 0) + 1
    rows = list(db.query("SELECT * FROM open_findings_by_party"))
    assert {r["party"]: r["open_findings"] for r in rows} == by_party
    for r in rows:
        assert len(r["findings"].split(", ")) == r["open_findings"]


def test_the_views_survive_export_and_import_and_the_audit_trail_verifies(demo, tmp_path):
    exported = demo("export")
    assert exported.status == 0
    assert demo("audit", "verify").status == 0
    from conftest import SSC

    fresh = SSC(tmp_path / "fresh.db")
    assert fresh("import", "-", stdin=exported.stdout).status == 0
    old, new = sqlite_utils.Database(demo.db), sqlite_utils.Database(fresh.db)
    for view in VIEWS:
        assert list(old.query(f"SELECT * FROM {view}")) == list(new.query(f"SELECT * FROM {view}"))


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_datasette_serves_the_views_and_leaves_the_file_unchanged(demo):
    datasette = pytest.importorskip("datasette.app")
    before = _sha256(demo.db)

    async def fetch():
        ds = datasette.Datasette([str(demo.db)])
        name = demo.db.stem
        listing = (await ds.client.get(f"/{name}.json")).json()
        latest = await ds.client.get(f"/{name}/latest_status.json?_shape=array&_size=max")
        grouped = await ds.client.get(f"/{name}/open_findings_by_party.json?_shape=array")
        return listing, latest, grouped

    listing, latest, grouped = asyncio.run(fetch())
    assert {v["name"] for v in listing["views"]} >= VIEWS
    assert latest.status_code == 200 and grouped.status_code == 200
    db = sqlite_utils.Database(demo.db)
    assert len(latest.json()) == db["latest_status"].count
    assert grouped.json() == list(db.query("SELECT * FROM open_findings_by_party"))
    if shutil.which("datasette"):
        proc = subprocess.run(["datasette", "inspect", str(demo.db)], capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)[demo.db.stem]["tables"]["findings"]["count"] > 0
    assert _sha256(demo.db) == before
    assert sys.modules.get("datasette")  # the real thing ran
