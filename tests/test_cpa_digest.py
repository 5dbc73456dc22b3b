"""The digest of an import's devices that the audit trail records is taken from the rows as they
are inserted when the device ids come in key order, and read back by SQLite otherwise: both must
be the digest ``audit verify`` recomputes from the file, at every chunk boundary, with extra
columns and non-ASCII text, and a device changed afterwards must still be found."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path

import pytest

from smki.cpa.schema import DEVICE_CHUNK, DeviceDigest, devices_state
from tests.conftest import REPO, SSC

EDMI = REPO / "testdata" / "cpa" / "edmi"
HEADER = ["supplier", "device_id", "device_type", "manufacturer", "model", "hardware_version",
          "firmware_version"]  # fmt: skip
PRODUCTS = [("ESME", "EDMI", "ES-10A", "1.0", "2.1.0"), ("GSME", "EDMI", "GS-20B", "1.1", "1.4.2")]


def rows(count: int, *, extra: bool = False) -> list[list[str]]:
    """``count`` device rows in key order; ids and extras with non-ASCII text of varied length."""
    out = []
    for n in range(count):
        device_id = f"D{n:07d}" + ("é" * (n % 3)) + ("✓" if n % 7 == 0 else "")
        row = ["Åmber Energy" if n % 2 else "Bright", device_id, *PRODUCTS[n % 2]]
        if extra:
            row.append(["", "Nörth West", 'a,"quoted"\nvalue', "x" * (n % 11)][n % 4])
        out.append(row)
    return out


def write(path: Path, body: list[list[str]], *, extra: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER + (["region"] if extra else []))
        writer.writerows(body)
    return path


def imported(tmp_path: Path, name: str, body: list[list[str]], *, extra: bool = False) -> SSC:
    ssc = SSC(tmp_path / f"{name}.db")
    assert ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv")).status == 0
    result = ssc("cpa", "import", "inventory", str(write(tmp_path / f"{name}.csv", body,
                                                           extra=extra)))  # fmt: skip
    assert result.status == 0, result.stderr
    return ssc


def audited_devices(db: Path) -> dict:
    """The devices digest the trail recorded for the inventory import."""
    conn = sqlite3.connect(db)
    (after,) = conn.execute(
        "SELECT after FROM audit_events WHERE entity = 'cpa_import' AND action = 'import'"
        " AND json_extract(after, '$.kind') = 'inventory'"
    ).fetchone()
    conn.close()
    return json.loads(after)["devices"]


@pytest.mark.parametrize("count", [1, DEVICE_CHUNK - 1, DEVICE_CHUNK, 2 * DEVICE_CHUNK + 17])
@pytest.mark.parametrize("extra", [False, True], ids=["no extra", "extra column"])
def test_in_order_and_shuffled_imports_record_the_digest_verify_recomputes(tmp_path, count, extra):
    body = rows(count, extra=extra)
    in_order = imported(tmp_path, "in-order", body, extra=extra)
    rest = body[2:]  # the first two rows stay first: the groups get the same ids
    random.Random(count).shuffle(rest)
    shuffled_body = body[:2] + rest
    assert shuffled_body != body or count == 1
    shuffled = imported(tmp_path, "shuffled", shuffled_body, extra=extra)
    recorded = audited_devices(in_order.db)
    assert recorded == {"rows": count, "sha256": recorded["sha256"]}
    # The same rows, one digest: taken while inserting (in key order) or read back (shuffled).
    assert audited_devices(shuffled.db) == recorded
    conn = sqlite3.connect(in_order.db)
    assert devices_state(conn, 2) == recorded  # import 1 is the certificates
    # Fed the stored rows chunk by chunk, DeviceDigest gives what SQLite gives.
    stored = conn.execute("SELECT device_id, inventory_id, extra FROM cpa_device"
                          " ORDER BY device_id").fetchall()  # fmt: skip
    conn.close()
    digest = DeviceDigest()
    for start in range(0, count, DEVICE_CHUNK):
        chunk = stored[start : start + DEVICE_CHUNK]
        digest.add(
            [r[0] for r in chunk], [r[1] for r in chunk], [r[2] for r in chunk] if extra else None
        )
    assert digest.state() == recorded
    for ssc in (in_order, shuffled):
        result = ssc("audit", "verify")
        assert result.status == 0, result.stdout


@pytest.mark.parametrize("where", ["first", "last of the first chunk", "first of the second chunk",
                                   "last"])  # fmt: skip
def test_a_device_changed_after_an_in_order_import_is_found(tmp_path, where):
    ssc = imported(tmp_path, "in-order", rows(DEVICE_CHUNK + 5, extra=True), extra=True)
    offset = {
        "first": 0,
        "last of the first chunk": DEVICE_CHUNK - 1,
        "first of the second chunk": DEVICE_CHUNK,
        "last": DEVICE_CHUNK + 4,
    }[where]
    conn = sqlite3.connect(ssc.db)
    conn.execute("UPDATE cpa_device SET extra = json_set(extra, '$.region', 'moved') WHERE"
                 " device_id = (SELECT device_id FROM cpa_device ORDER BY device_id"
                 f" LIMIT 1 OFFSET {offset})")  # fmt: skip
    conn.commit()
    conn.close()
    result = ssc("audit", "verify")
    assert result.status == 1 and "NOT intact" in result.stdout and "cpa_import" in result.stdout


def test_a_digest_fed_out_of_order_or_in_odd_chunks_defers_to_sqlite():
    in_order = DeviceDigest()
    in_order.add(["a", "b"], [1, 1], None)
    assert in_order.state() == {"rows": 2, "sha256": in_order.state()["sha256"]}

    backwards = DeviceDigest()
    backwards.add(["b", "a"], [1, 1], None)
    assert backwards.state() is None

    across_chunks = DeviceDigest()
    across_chunks.add([f"{n:06d}" for n in range(DEVICE_CHUNK)], [1] * DEVICE_CHUNK, None)
    across_chunks.add(["000000"], [1], None)  # before the last id of the previous chunk
    assert across_chunks.state() is None

    short_then_more = DeviceDigest()
    short_then_more.add(["a"], [1], None)
    short_then_more.add(["b"], [1], None)  # only the last chunk may be short
    assert short_then_more.state() is None
