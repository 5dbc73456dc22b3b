"""The CPA register's tables in the shared SQLite file, as append-only migrations, and their
place in the audit trail.

The trail holds, per CPA import, an event with the ``cpa_import`` row and a digest of the
devices it loaded, and an event with a digest of the whole table it changed
(``cpa_certificate``, ``cpa_inventory`` or ``cpa_plan``: thousands of rows at most). ``ssc audit
verify`` recomputes the same digests from the file, so a certificate's expiry date, a device
count or a plan changed with the sqlite3 shell no longer matches its last audited state. The
tens of millions of device rows cost no per-row Python hashing: ``audit verify`` takes their
digest in SQLite in chunks (``group_concat`` in primary-key order), hashed once per chunk; an
import whose device ids come in key order (as returns are written) builds the same chunks from
the rows it has just inserted, with string joins, without reading them back.
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
    old = conn.execute(
        "SELECT DISTINCT entity_id FROM audit_events WHERE entity = 'cpa_import'"
        " AND after IS NOT NULL"
    ).fetchall()
    for (entity_id,) in old:
        appender.add(
            "cpa_import",
            entity_id,
            "rekey",
            None,
            None,
            "the CPA register is audited per import and table from here on",
        )
    for (import_id,) in conn.execute("SELECT id FROM cpa_import ORDER BY id").fetchall():
        appender.add(
            "cpa_import", str(import_id), "adopt", None, import_state(conn, import_id), None
        )
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
TABLE_OF_KIND = {
    "certificates": "cpa_certificate",
    "inventory": "cpa_inventory",
    "plans": "cpa_plan",
}

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
    aggregates = (
        "count(*), group_concat(length(device_id)), group_concat(device_id, ''),"
        " group_concat(inventory_id), group_concat(ifnull(length(extra), -1)),"
        " group_concat(extra, '')"
    )
    digest, rows, low = sha256(), 0, None
    while True:
        after = "" if low is None else " AND device_id > ?"
        params: tuple = (import_id,) if low is None else (import_id, low)
        top = conn.execute(
            f"SELECT device_id FROM cpa_device WHERE import_id = ?{after}"
            f" ORDER BY device_id LIMIT 1 OFFSET {DEVICE_CHUNK - 1}",
            params,
        ).fetchone()
        upto = "" if top is None else " AND device_id <= ?"
        chunk = conn.execute(
            f"SELECT {aggregates} FROM cpa_device WHERE import_id = ?{after}{upto}",
            params + (() if top is None else (top[0],)),
        ).fetchone()
        if chunk[0]:
            digest.update(_canonical(list(chunk)).encode() + b"\n")
            rows += chunk[0]
        if top is None:
            break
        low = top[0]
    return {"rows": rows, "sha256": digest.hexdigest()} if rows else None


class _Decimal(dict[int, str]):
    """``str`` of small integers (lengths, group ids), each converted once."""

    def __missing__(self, number: int) -> str:
        text = self[number] = str(number)
        return text


class DeviceDigest:
    """:func:`devices_state` of an import's devices, taken from the rows as they are inserted.

    Fed one chunk at a time, in insertion order, of exactly :data:`DEVICE_CHUNK` rows (the
    last may be shorter): the chunks ``devices_state`` reads back in primary-key order, as long
    as the device ids arrive in that order (checked per chunk; BINARY collation orders UTF-8 as
    Python orders code points). Rows out of order, or a chunk of another size, make
    :meth:`state` return None: the caller then asks SQLite. Only meaningful when every row fed
    was inserted, i.e. when the import commits.
    """

    def __init__(self) -> None:
        self._digest = sha256()
        self._rows = 0
        self._last: str | None = None
        self._short = False  # a chunk shorter than DEVICE_CHUNK was fed: it must be the last
        self.usable = True
        self._decimal = _Decimal()

    def add(
        self, device_ids: list[str], inventory_ids: list[int], extras: list[str] | None
    ) -> None:
        """One chunk: the device ids, their group ids and (if the file has extra columns) their
        extras as stored; ``None`` for a file without extra columns (every extra NULL)."""
        count = len(device_ids)
        if not self.usable or not count:
            return
        if (
            self._short
            or count > DEVICE_CHUNK
            or (self._last is not None and device_ids[0] <= self._last)
            or device_ids != sorted(device_ids)
        ):
            self.usable = False
            return
        self._short = count < DEVICE_CHUNK
        self._last = device_ids[-1]
        decimal = self._decimal.__getitem__
        chunk = [
            count,
            ",".join(map(decimal, map(len, device_ids))),
            "".join(device_ids),
            ",".join(map(decimal, inventory_ids)),
            ",".join(map(decimal, map(len, extras))) if extras else ",".join(["-1"] * count),
            "".join(extras) if extras else None,
        ]
        self._digest.update(_canonical(chunk).encode() + b"\n")
        self._rows += count

    def state(self) -> dict[str, Any] | None:
        """What :func:`devices_state` returns for these rows, or None if it cannot be told."""
        if not self.usable or not self._rows:
            return None
        return {"rows": self._rows, "sha256": self._digest.hexdigest()}


def import_state(
    conn: sqlite3.Connection, import_id: int, devices: DeviceDigest | None = None
) -> dict[str, Any]:
    """The audited state of one import: its ``cpa_import`` row and its devices' digest (from
    ``devices``, the rows the import inserted, when it can tell; else read back by SQLite)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute("SELECT * FROM cpa_import WHERE id = ?", (import_id,))
    names = [c[0] for c in cursor.description]
    state = {k: v for k, v in zip(names, cursor.fetchone(), strict=True) if k != "id"}
    digest = (devices.state() if devices is not None else None) or devices_state(conn, import_id)
    if digest is not None:
        state["devices"] = digest
    return state


def audit_import(
    conn: sqlite3.Connection,
    actor: str,
    import_id: int,
    kind: str,
    superseded: Iterable[int] = (),
    at: dt.datetime | None = None,
    devices: DeviceDigest | None = None,
) -> None:
    """The trail's events for one import, inside its transaction: the import (with
    ``devices``, the digest of the device rows it inserted, if taken), any earlier import whose
    devices it replaced, and the digest of the table it changed."""
    from core import audit

    appender = audit.Appender(conn, actor, at=at)  # the import's time, as cpa_import records it
    appender.add(
        "cpa_import", str(import_id), "import", None, import_state(conn, import_id, devices), None
    )
    for old in sorted(set(superseded) - {import_id}):
        appender.add(
            "cpa_import",
            str(old),
            "supersede",
            None,
            import_state(conn, old),
            f"its inventory of the same Suppliers was replaced by import {import_id}",
        )
    table = TABLE_OF_KIND[kind]
    appender.add(
        "cpa_table", table, "import", None, table_state(conn, table), f"import {import_id}"
    )
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
