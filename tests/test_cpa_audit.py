"""The CPA register under `ssc audit verify`: any row changed, added or deleted behind ssc's back is
found; legitimate re-imports (upserts, inventory replacing a Supplier's return) stay intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO

EDMI = REPO / "testdata" / "cpa" / "edmi"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    from tests.conftest import SSC

    ssc = SSC(tmp_path_factory.mktemp("cpa") / "register.db")
    for kind, name in (
        ("certificates", "certificates.csv"),
        ("inventory", "inventory.csv"),
        ("plans", "plans.csv"),
        ("inventory", "inventory-counts.csv"),
    ):
        assert ssc("cpa", "import", kind, str(EDMI / name)).status == 0
    assert ssc("audit", "verify").status == 0
    return ssc.db


@pytest.fixture
def cpa(loaded, tmp_path):
    from tests.conftest import SSC

    shutil.copy(loaded, tmp_path / "register.db")
    return SSC(tmp_path / "register.db")


def shell(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


TAMPERING = {
    "an expiry date": "UPDATE cpa_certificate SET expires = '2030-02-28' WHERE cpa_id = 'CPA-2017-0142'",
    "a certificate's status": "UPDATE cpa_certificate SET status = 'Withdrawn' WHERE rowid = 2",
    "a certificate deleted": "DELETE FROM cpa_certificate WHERE cpa_id = 'CPA-2017-0143'",
    "a certificate added": "INSERT INTO cpa_certificate SELECT 'CPA-X', manufacturer, device_type,"
    " model, hardware_version, firmware_version, valid_from, expires, status,"
    " extra, import_id FROM cpa_certificate LIMIT 1",
    "a device count": "UPDATE cpa_inventory SET devices = devices - 1 WHERE rowid = 1",
    "a Supplier's group deleted": "DELETE FROM cpa_inventory WHERE rowid = 2",
    "a plan's due date": "UPDATE cpa_plan SET due = '2021-01-20' WHERE rowid = 1",
    "a plan marked received": "UPDATE cpa_plan SET received = '2020-01-01' WHERE received IS NULL",
    "a device id": "UPDATE cpa_device SET device_id = device_id || '0' WHERE device_id ="
    " (SELECT MIN(device_id) FROM cpa_device)",
    "a device moved to another group": "UPDATE cpa_device SET inventory_id = inventory_id + 1"
    " WHERE device_id = (SELECT MIN(device_id) FROM cpa_device)",
    "a device deleted": "DELETE FROM cpa_device WHERE device_id = (SELECT MAX(device_id) FROM cpa_device)",
    "an import's file hash": "UPDATE cpa_import SET sha256 = '0' || substr(sha256, 2) WHERE id = 1",
    "an import deleted": "DELETE FROM cpa_import WHERE id = 3",
}


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_cpa_row_changed_in_the_sqlite3_shell_is_found(cpa, statement):
    shell(cpa.db, statement)
    result = cpa("audit", "verify")
    assert result.status == 1, (statement, result.stdout)
    assert "NOT intact" in result.stdout and "cpa_" in result.stdout


def test_tampering_with_a_plan_that_has_no_received_date_changes_something(cpa):
    conn = sqlite3.connect(cpa.db)
    pending = conn.execute("SELECT COUNT(*) FROM cpa_plan WHERE received IS NULL").fetchone()[0]
    conn.close()
    assert pending > 0  # so that the "plan marked received" case above really changes a row


def test_reimports_and_a_replaced_inventory_stay_intact(cpa, tmp_path):
    # The same CPL again (an upsert), a new expiry for one certificate, and Amber Energy's
    # return replaced by a smaller one: the earlier import loses rows and says so in the trail.
    certificates = (
        (EDMI / "certificates.csv").read_text().replace("2020-02-28,Active", "2021-02-28,Active", 1)
    )
    refreshed = tmp_path / "certificates.csv"
    refreshed.write_text(certificates)
    assert cpa("cpa", "import", "certificates", str(refreshed)).status == 0
    lines = (EDMI / "inventory.csv").read_text().splitlines()
    amber = [lines[0]] + [line for line in lines[1:] if line.startswith("Amber Energy")][:2]
    smaller = tmp_path / "inventory.csv"
    smaller.write_text("\n".join(amber) + "\n")
    assert cpa("cpa", "import", "inventory", str(smaller)).status == 0
    log = cpa("audit", "log", "--limit", "4").stdout
    assert "supersede" in log and "cpa_import 2" in log
    result = cpa("audit", "verify")
    assert result.status == 0, result.stdout
    shell(cpa.db, "UPDATE cpa_certificate SET expires = '2020-02-28' WHERE expires = '2021-02-28'")
    assert cpa("audit", "verify").status == 1  # back-dating the refreshed expiry is found too


def test_a_failed_cpa_import_adds_no_event(cpa, tmp_path):
    before = cpa("audit", "head").stdout
    bad = tmp_path / "plans.csv"
    bad.write_text(
        "supplier,cpa_id,requested,due,received,target_firmware\nX,NOPE,2019-12-11,2020-01-20,,\n"
    )
    assert cpa("cpa", "import", "plans", str(bad)).status == 2
    assert cpa("audit", "head").stdout == before


def test_devices_are_digested_across_chunks(ssc, monkeypatch):
    from smki.cpa import schema

    monkeypatch.setattr(schema, "DEVICE_CHUNK", 5)  # 28 devices: six chunks, the last short
    assert ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv")).status == 0
    assert ssc("cpa", "import", "inventory", str(EDMI / "inventory.csv")).status == 0
    assert ssc("audit", "verify").status == 0
    shell(
        ssc.db,
        "UPDATE cpa_device SET extra = NULL WHERE device_id ="
        " (SELECT device_id FROM cpa_device ORDER BY device_id LIMIT 1 OFFSET 17)",
    )
    assert ssc("audit", "verify").status == 1


CPA_TABLES = ("cpa_import", "cpa_certificate", "cpa_inventory", "cpa_device", "cpa_plan")


def _columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    conn.close()
    return names


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_cpa_cell_altered_is_found(loaded, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cell") / "register.db"
    shutil.copy(loaded, path)
    table = data.draw(st.sampled_from(CPA_TABLES))
    column = data.draw(st.sampled_from(_columns(path, table)))
    conn = sqlite3.connect(path)
    count = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    offset = data.draw(st.integers(0, count - 1))
    key = "rowid" if table != "cpa_device" else "device_id"
    try:
        changed = conn.execute(
            f"UPDATE {table} SET {column} = COALESCE({column} || 'x', 'x') WHERE {key} ="
            f" (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1 OFFSET {offset})"
        ).rowcount
        conn.commit()
    except sqlite3.IntegrityError:
        changed = 0
    conn.close()
    assume(changed == 1)
    from tests.conftest import SSC

    result = SSC(path)("audit", "verify")
    assert result.status == 1, (table, column, offset, result.stdout)
