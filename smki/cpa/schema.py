"""The CPA register's tables in the shared SQLite file, as append-only migrations, and their
place in the audit trail.

The trail holds, per CPA import, an event with the ``cpa_import`` row and a digest of the
devices it loaded, and an event with a digest of the whole table it changed
(``cpa_certificate``, ``cpa_inventory`` or ``cpa_plan``: thousands of rows at most). ``ssc audit
verify`` recomputes the same digests from the file, so a certificate's expiry date, a device
count or a plan changed with the sqlite3 shell no longer matches its last audited state. The
tens of millions of device rows cost no per-row Python at import: their digest is taken by
SQLite in chunks (``group_concat`` in primary-key order) and hashed once per chunk.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any

from core import db

# Inventory is kept twice on purpose: ``cpa_device`` holds each device of a per-device return
# (tens of millions of rows, written once, never scanned by the report), and
# ``cpa_inventory`` holds the grouped counts per Supplier and product, computed on import,
# which is all the report reads.
MIGRATIONS: list[db.Migration] = [
    """
    CREATE TABLE cpa_import (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('certificates', 'inventory', 'plans')),
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        rows INTEGER NOT NULL,
        actor TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    CREATE TABLE cpa_certificate (
        cpa_id TEXT PRIMARY KEY,
        manufacturer TEXT NOT NULL,
        device_type TEXT NOT NULL,
        model TEXT NOT NULL,
        hardware_version TEXT NOT NULL,
        firmware_version TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        expires TEXT NOT NULL,
        status TEXT NOT NULL,
        extra TEXT,
        import_id INTEGER NOT NULL REFERENCES cpa_import (id)
    );
    CREATE TABLE cpa_inventory (
        id INTEGER PRIMARY KEY,
        supplier TEXT NOT NULL,
        device_type TEXT NOT NULL,
        manufacturer TEXT NOT NULL,
        model TEXT NOT NULL,
        hardware_version TEXT NOT NULL,
        firmware_version TEXT NOT NULL,
        devices INTEGER NOT NULL CHECK (devices > 0),
        extra TEXT,
        import_id INTEGER NOT NULL REFERENCES cpa_import (id),
        UNIQUE (supplier, device_type, manufacturer, model, hardware_version, firmware_version)
    );
    CREATE TABLE cpa_device (
        import_id INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        inventory_id INTEGER NOT NULL,
        extra TEXT,
        PRIMARY KEY (import_id, device_id)
    ) WITHOUT ROWID;
    CREATE TABLE cpa_plan (
        supplier TEXT NOT NULL,
        cpa_id TEXT NOT NULL REFERENCES cpa_certificate (cpa_id),
        requested TEXT NOT NULL,
        due TEXT NOT NULL,
        received TEXT,
        target_firmware TEXT,
        extra TEXT,
        import_id INTEGER NOT NULL REFERENCES cpa_import (id),
        PRIMARY KEY (supplier, cpa_id)
    );
    """,
]


def _adopt(conn: sqlite3.Connection) -> None:
    """Bring CPA data loaded before the trail covered it under the trail (``adopt`` events),
    and retire the old per-file events keyed by the file's SHA-256."""
    from core import audit

    appender = audit.Appender(conn, "ssc")
    old = conn.execute("SELECT DISTINCT entity_id FROM audit_events WHERE entity = 'cpa_import'"
                       " AND after IS NOT NULL").fetchall()
    for (entity_id,) in old:
        appender.add("cpa_import", entity_id, "rekey", None, None,
                     "the CPA register is audited per import and table from here on")
    for import_id, in conn.execute("SELECT id FROM cpa_import ORDER BY id").fetchall():
        appender.add("cpa_import", str(import_id), "adopt", None, import_state(conn, import_id), None)
    for table in TABLES:
        state = table_state(conn, table)
        if state is not None:
            appender.add("cpa_table", table, "adopt", None, state, None)
    appender.flush()


MIGRATIONS.append(lambda conn: _adopt(conn))

#: The audited entities: one per import (its row and devices), one per table (its digest).
AUDITED = ("cpa_import", "cpa_table")

#: The tables digested whole into the trail, each with the order its rows are hashed in.
TABLES = {
    "cpa_certificate": "cpa_id",
    "cpa_inventory": "id",
    "cpa_plan": "supplier, cpa_id",
}
TABLE_OF_KIND = {"certificates": "cpa_certificate", "inventory": "cpa_inventory",
                 "plans": "cpa_plan"}

#: Device rows hashed per SQLite query (one Python hash update per chunk, not per row).
DEVICE_CHUNK = 50_000


def _canonical(value: Any) -> str:
    from core.audit import canonical_json

    return canonical_json(value)


def table_state(conn: sqlite3.Connection, table: str) -> dict[str, Any] | None:
    """Rows and SHA-256 of a whole table (columns, then each row as canonical JSON), or None
    when it is empty. A migration that adds a column must audit the new state."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}")
    encode = _canonical
    digest = sha256(encode([c[0] for c in cursor.description]).encode())
    rows = 0
    for row in cursor:
        digest.update(b"\n" + encode(list(row)).encode())
        rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()} if rows else None


def devices_state(conn: sqlite3.Connection, import_id: int) -> dict[str, Any] | None:
    """Rows and SHA-256 of an import's device rows in primary-key order, or None if none.

    Taken in chunks of :data:`DEVICE_CHUNK` rows, bounded by primary-key ranges (one cheap
    ``OFFSET`` probe per chunk), each chunk as five ``group_concat`` aggregates computed by
    SQLite over the key-ordered scan: the lengths of the device ids, the ids, the inventory ids,
    the lengths of the extras (-1 for none) and the extras. The lengths make the concatenations
    split back one way only; no Python runs per row.
    """
    aggregates = ("count(*), group_concat(length(device_id)), group_concat(device_id, ''),"
                  " group_concat(inventory_id), group_concat(ifnull(length(extra), -1)),"
                  " group_concat(extra, '')")
    digest, rows, low = sha256(), 0, None
    while True:
        after = "" if low is None else " AND device_id > ?"
        params: tuple = (import_id,) if low is None else (import_id, low)
        top = conn.execute(
            f"SELECT device_id FROM cpa_device WHERE import_id = ?{after}"
            f" ORDER BY device_id LIMIT 1 OFFSET {DEVICE_CHUNK - 1}", params).fetchone()
        upto = "" if top is None else " AND device_id <= ?"
        chunk = conn.execute(f"SELECT {aggregates} FROM cpa_device WHERE import_id = ?{after}{upto}",
                             params + (() if top is None else (top[0],))).fetchone()
        if chunk[0]:
            digest.update(_canonical(list(chunk)).encode() + b"\n")
            rows += chunk[0]
        if top is None:
            break
        low = top[0]
    return {"rows": rows, "sha256": digest.hexdigest()} if rows else None


def import_state(conn: sqlite3.Connection, import_id: int) -> dict[str, Any]:
    """The audited state of one import: its ``cpa_import`` row and its devices' digest."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute("SELECT * FROM cpa_import WHERE id = ?", (import_id,))
    names = [c[0] for c in cursor.description]
    state = {k: v for k, v in zip(names, cursor.fetchone(), strict=True) if k != "id"}
    devices = devices_state(conn, import_id)
    if devices is not None:
        state["devices"] = devices
    return state


def audit_import(conn: sqlite3.Connection, actor: str, import_id: int, kind: str,
                 superseded: Iterable[int] = (), at: dt.datetime | None = None) -> None:
    """The trail's events for one import, inside its transaction: the import, any earlier
    import whose devices it replaced, and the digest of the table it changed."""
    from core import audit

    appender = audit.Appender(conn, actor, at=at)  # the import's time, as cpa_import records it
    appender.add("cpa_import", str(import_id), "import", None, import_state(conn, import_id), None)
    for old in sorted(set(superseded) - {import_id}):
        appender.add("cpa_import", str(old), "supersede", None, import_state(conn, old),
                     f"its inventory of the same Suppliers was replaced by import {import_id}")
    table = TABLE_OF_KIND[kind]
    appender.add("cpa_table", table, "import", None, table_state(conn, table),
                 f"import {import_id}")
    appender.flush()


def audit_states(conn: sqlite3.Connection) -> tuple[Iterable[str], Iterator[tuple[str, str, dict]]]:
    """The CPA register's audited kinds and current states, for ``ssc audit verify``."""

    def states() -> Iterator[tuple[str, str, dict]]:
        for (import_id,) in conn.execute("SELECT id FROM cpa_import ORDER BY id").fetchall():
            yield "cpa_import", str(import_id), import_state(conn, import_id)
        for table in TABLES:
            state = table_state(conn, table)
            if state is not None:
                yield "cpa_table", table, state

    return AUDITED, states()


def open_register(path: Path | str, *, write: bool = True) -> sqlite3.Connection:
    """The register file with every component's schema current (see ``core.db.open_register``):
    to write (created and migrated as needed), or with ``write=False`` read-only."""
    return db.open_register(path, write=write)
