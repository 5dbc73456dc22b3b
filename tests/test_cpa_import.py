"""Importing CPA CSV returns: validated row by row, all or nothing, re-imports by rule."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EDMI = Path(__file__).resolve().parent.parent / "testdata" / "cpa" / "edmi"
CERT_HEADER = "cpa_id,manufacturer,device_type,model,hardware_version,firmware_version,valid_from,expires,status\n"
DEVICE_HEADER = (
    "supplier,device_id,device_type,manufacturer,model,hardware_version,firmware_version\n"
)
COUNT_HEADER = "supplier,count,device_type,manufacturer,model,hardware_version,firmware_version\n"
PLAN_HEADER = "supplier,cpa_id,requested,due,received,target_firmware\n"


def snapshot(db: Path) -> dict[str, list]:
    """Every CPA table and the audit trail, to compare before and after a failed import."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(db)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'cpa_%'"
            " OR name LIKE 'audit%') ORDER BY name")]  # fmt: skip
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_bad_row_at_the_end_leaves_the_register_unchanged(ssc, tmp_path):
    assert ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv")).status == 0
    before = snapshot(ssc.db)
    good = (EDMI / "inventory.csv").read_text()
    bad = write(
        tmp_path, "returns.csv", good + "Amber Energy,X1,ESME,EDMI,ES-10A,1.0,2.1.0,North,\n"
    )
    result = ssc("cpa", "import", "inventory", bad)
    assert result.status == 2
    assert f"{bad}:30: expected 8 fields, found 9" in result.stderr
    assert snapshot(ssc.db) == before


def test_errors_name_file_line_and_column_and_all_are_reported(ssc, tmp_path):
    path = write(tmp_path, "cpl.csv", CERT_HEADER
                 + "CPA-1,EDMI,ESME,ES-10A,1.0,2.1.0,2017-02-28,28/02/2020,Active\n"
                 + "CPA-2,EDMI,Toaster,ES-10A,1.0,2.1.0,2017-02-28,2020-02-28,Active\n"
                 + "CPA-3,EDMI,ESME,ES-10A,1.0,2.1.0,2017-02-28,2020-02-28,Suspended\n"
                 + "CPA-3,EDMI,ESME,ES-10A,1.0,2.1.0,2017-02-28,2020-02-28,Active\n"
                 + "CPA-5,,ESME,ES-10A,1.0,2.1.0,2017-02-28,2018-02-28,Active\n"
                 + "CPA-6,EDMI,ESME,ES-10A,1.0,2.1.0,2017-02-28,2016-02-28,Active\n")  # fmt: skip
    result = ssc("cpa", "import", "certificates", path)
    assert result.status == 2
    lines = result.stderr.removeprefix("ssc: error: ").splitlines()
    assert f"{path}:2: expires: expected an ISO date (YYYY-MM-DD), found '28/02/2020'" in lines
    assert any(
        line.startswith(f"{path}:3: device_type: unknown device type 'Toaster'") for line in lines
    )
    assert any(
        line.startswith(f"{path}:4: status: unknown CPL status 'Suspended'") for line in lines
    )
    assert f"{path}:5: cpa_id: cpa_id 'CPA-3' already on line 4" in lines
    assert f"{path}:6: manufacturer: a value is required" in lines
    assert f"{path}:7: expires: expires is before valid_from" in lines
    assert snapshot(ssc.db).get("cpa_certificate", []) == []


def test_a_missing_column_is_named(ssc, tmp_path):
    path = write(tmp_path, "cpl.csv", "cpa_id,manufacturer\nCPA-1,EDMI\n")
    result = ssc("cpa", "import", "certificates", path)
    assert result.status == 2
    assert f"{path}:1: device_type: required column missing" in result.stderr


def test_missing_file_and_empty_file_are_input_errors(ssc, tmp_path):
    assert ssc("cpa", "import", "plans", str(tmp_path / "nope.csv")).status == 2
    assert ssc("cpa", "import", "plans", write(tmp_path, "empty.csv", "")).status == 2
    assert ssc("cpa", "import", "plans", write(tmp_path, "header.csv", PLAN_HEADER)).status == 2


def test_extra_columns_are_kept(ssc):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    ssc("cpa", "import", "inventory", str(EDMI / "inventory.csv"))
    (extra,) = query(ssc.db, "SELECT extra FROM cpa_certificate WHERE cpa_id = 'CPA-2017-0142'")[0]
    assert json.loads(extra) == {"notes": "the seeds' case: expires 28 February 2020"}
    regions = {json.loads(e)["region"] for (e,) in query(ssc.db, "SELECT extra FROM cpa_device")}
    assert regions == {"North West", "Midlands", "Scotland", "Wales"}


def test_a_device_twice_in_a_return_is_an_error(ssc, tmp_path):
    path = write(tmp_path, "inv.csv", DEVICE_HEADER
                 + "Amber Energy,D1,ESME,EDMI,ES-10A,1.0,2.1.0\n"
                 + "Amber Energy,D2,ESME,EDMI,ES-10A,1.0,2.1.0\n"
                 + "Amber Energy,D1,ESME,EDMI,ES-10A,1.0,2.1.0\n"
                 + "Amber Energy,D3,ESME,EDMI,ES-10A,1.0,2.1.0\n"
                 + "Amber Energy,D2,ESME,EDMI,ES-10A,1.0,2.1.0\n")  # fmt: skip
    result = ssc("cpa", "import", "inventory", path)
    assert result.status == 2
    assert f"{path}:4: device_id: device appears twice in this return" in result.stderr
    assert f"{path}:6: device_id: device appears twice in this return" in result.stderr
    assert snapshot(ssc.db)["cpa_device"] == []


def test_an_inventory_has_device_id_or_count_not_both(ssc, tmp_path):
    path = write(tmp_path, "inv.csv", "supplier,device_id,count,device_type,manufacturer,model,"
                 "hardware_version,firmware_version\nA,D1,3,ESME,EDMI,M,1,2\n")  # fmt: skip
    assert ssc("cpa", "import", "inventory", path).status == 2
    bad_count = write(
        tmp_path, "counts.csv", COUNT_HEADER + "A,0,ESME,EDMI,M,1,2\nA,x,ESME,EDMI,N,1,2\n"
    )
    result = ssc("cpa", "import", "inventory", bad_count)
    assert result.status == 2
    assert f"{bad_count}:2: count:" in result.stderr and f"{bad_count}:3: count:" in result.stderr


def test_a_supplier_s_new_return_replaces_its_previous_inventory(ssc, tmp_path):
    ssc("cpa", "import", "inventory", str(EDMI / "inventory.csv"))
    ssc("cpa", "import", "inventory", str(EDMI / "inventory-counts.csv"))
    update = write(tmp_path, "amber.csv", DEVICE_HEADER
                   + "Amber Energy,N1,ESME,EDMI,ES-10A,1.0,2.3.0\n"
                   + "Amber Energy,N2,ESME,EDMI,ES-10A,1.0,2.3.0\n")  # fmt: skip
    assert ssc("cpa", "import", "inventory", update).status == 0
    groups = dict(query(ssc.db, "SELECT supplier, SUM(devices) FROM cpa_inventory GROUP BY 1"))
    assert groups == {"Amber Energy": 2, "Brook Power": 6, "Cedar Energy": 7,
                      "Delta Gas & Power": 2450, "Ember Supply": 4}  # fmt: skip
    amber = query(ssc.db, "SELECT d.device_id FROM cpa_device d JOIN cpa_inventory i"
                  " ON i.id = d.inventory_id WHERE i.supplier = 'Amber Energy'")  # fmt: skip
    assert sorted(amber) == [("N1",), ("N2",)]
    assert query(ssc.db, "SELECT COUNT(*) FROM cpa_device")[0][0] == 2 + 6 + 7 + 4


def test_certificates_and_plans_upsert(ssc, tmp_path):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    ssc("cpa", "import", "plans", str(EDMI / "plans.csv"))
    renewed = write(
        tmp_path,
        "cpl.csv",
        CERT_HEADER + "CPA-2017-0142,EDMI,ESME,ES-10A,1.0,2.1.0,2017-02-28,2020-08-31,active\n",
    )
    assert ssc("cpa", "import", "certificates", renewed).status == 0
    assert query(ssc.db, "SELECT expires, status FROM cpa_certificate WHERE cpa_id = "
                 "'CPA-2017-0142'") == [("2020-08-31", "Active")]  # fmt: skip
    assert query(ssc.db, "SELECT COUNT(*) FROM cpa_certificate")[0][0] == 7
    brook = write(
        tmp_path,
        "plans.csv",
        PLAN_HEADER + "Brook Power,CPA-2017-0142,2019-12-11,2020-01-20,2020-01-25,2.3.0\n",
    )
    assert ssc("cpa", "import", "plans", brook).status == 0
    assert query(ssc.db, "SELECT received FROM cpa_plan WHERE supplier = 'Brook Power'") == [
        ("2020-01-25",)
    ]
    assert query(ssc.db, "SELECT COUNT(*) FROM cpa_plan")[0][0] == 6


def test_a_plan_for_an_unknown_certificate_is_an_error(ssc, tmp_path):
    path = write(tmp_path, "plans.csv", PLAN_HEADER + "Brook Power,CPA-9,2019-12-11,2020-01-20,,\n")
    result = ssc("cpa", "import", "plans", path)
    assert result.status == 2
    assert f"{path}:2: cpa_id: no certificate 'CPA-9' on the register" in result.stderr


def test_each_import_is_audited_with_its_table_digest(ssc):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    ssc("cpa", "import", "inventory", str(EDMI / "inventory.csv"))
    events = query(
        ssc.db,
        "SELECT entity, entity_id, action, actor, after FROM audit_events"
        " WHERE entity LIKE 'cpa%' ORDER BY seq",
    )
    assert [(e, i, a, actor) for e, i, a, actor, _ in events] == [
        ("cpa_import", "1", "import", "test-secretary"),
        ("cpa_table", "cpa_certificate", "import", "test-secretary"),
        ("cpa_import", "2", "import", "test-secretary"),
        ("cpa_table", "cpa_inventory", "import", "test-secretary"),
    ]
    after = json.loads(events[2][4])
    assert after["kind"] == "inventory" and after["rows"] == 28 and after["file"] == "inventory.csv"
    assert len(after["sha256"]) == 64 and after["devices"]["rows"] == 28


def test_invalid_utf8_is_an_input_error(ssc, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(PLAN_HEADER.encode() + b"Br\xffok,CPA-1,2019-12-11,2020-01-20,,\n")
    result = ssc("cpa", "import", "plans", str(path))
    assert result.status == 2
    assert "not UTF-8" in result.stderr


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=9), min_size=1, max_size=5),
       kind=st.sampled_from(["certificates", "inventory", "plans"]))  # fmt: skip
def test_arbitrary_bad_rows_never_write_anything(ssc, tmp_path, rows, kind):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    before = snapshot(ssc.db)
    header = {"certificates": CERT_HEADER, "inventory": DEVICE_HEADER, "plans": PLAN_HEADER}[kind]
    good = {
        "certificates": "CPA-N,EDMI,ESME,ES-10A,1.0,2.9.0,2020-01-01,2030-01-01,Active\n",
        "inventory": "Amber Energy,Z1,ESME,EDMI,ES-10A,1.0,2.9.0\n",
        "plans": "Brook Power,CPA-2017-0142,2019-12-11,2020-01-20,,\n",
    }[kind]
    # A good row first, then the arbitrary ones, then one surely bad (too many fields).
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = header + good + out.getvalue() + ",".join(["x"] * 12) + "\n"
    result = ssc("cpa", "import", kind, write(tmp_path, "h.csv", text))
    assert result.status == 2
    assert snapshot(ssc.db) == before
