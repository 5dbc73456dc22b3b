"""The CPA register's tables in the shared SQLite file, as append-only migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ssc import db

COMPONENT = "cpa"

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


def open_register(path: Path | str) -> sqlite3.Connection:
    """The register file, with the CPA tables (and the audit trail) created or brought up to date."""
    from ssc import audit

    conn = db.connect(path)
    db.migrate(conn, COMPONENT, MIGRATIONS)
    audit.ensure_schema(conn)
    return conn
