"""Opening the SQLite register file safely, migrating it, and write transactions.

One file holds everything (the assurance register, the CPA register). Each component keeps its
own ordered list of migrations and calls :func:`migrate` when it opens the file; the table
``schema_migrations`` records what has been applied, so the file is created and brought up to
date on first use.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import sqlite_utils

from ssc.errors import InputError

#: A migration is SQL (run as a script) or a function given the connection.
Migration = str | Callable[[sqlite3.Connection], None]

BUSY_TIMEOUT_MS = 30_000


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only (0600), and its folder 0700."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != 0o600:
        os.chmod(path, 0o600)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    path = Path(path)
    if str(path) != ":memory:":
        if path.exists() and path.is_dir():
            raise InputError("is a directory, not a register file", path=str(path))
        try:
            _create_private(path)
        except OSError as exc:
            raise InputError(f"cannot create the register: {exc.strerror}", path=str(path)) from None
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InputError(f"not an ssc register (SQLite says: {exc})", path=str(path)) from None
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_database(path: Path | str) -> sqlite_utils.Database:
    """The register file as a sqlite-utils Database (see :func:`connect`)."""
    return sqlite_utils.Database(connect(path))


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead
    of failing when a read transaction tries to upgrade.
    """
    if conn.in_transaction:
        savepoint = "ssc_nested"
        conn.execute(f"SAVEPOINT {savepoint}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        else:
            conn.execute(f"RELEASE SAVEPOINT {savepoint}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection, component: str, migrations: Sequence[Migration]) -> int:
    """Apply the migrations of ``component`` not yet applied; return the schema version.

    Migrations are append-only: version N is ``migrations[N-1]``; never edit one that shipped.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component TEXT NOT NULL, version INTEGER NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
        " PRIMARY KEY (component, version))"
    )
    row = conn.execute(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
        (component,),
    ).fetchone()
    current = row[0]
    if current > len(migrations):
        raise InputError(
            f"the register's {component} schema is version {current}, newer than this ssc "
            f"knows ({len(migrations)}): upgrade ssc"
        )
    if current == len(migrations):
        return current
    with write_transaction(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        current = conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
            (component,),
        ).fetchone()[0]
        for version in range(current + 1, len(migrations) + 1):
            step = migrations[version - 1]
            if isinstance(step, str):
                for statement in _statements(step):
                    conn.execute(statement)
            else:
                step(conn)
            conn.execute(
                "INSERT INTO schema_migrations (component, version) VALUES (?, ?)",
                (component, version),
            )
    return len(migrations)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit the transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
