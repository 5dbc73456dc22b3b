"""Opening the SQLite register file safely, for writing or read-only, migrating it, and write transactions.

One file holds everything (the assurance register, the audit trail, the CPA register). Each
component keeps its own append-only list of migrations, named in :data:`COMPONENTS`; the table
``schema_migrations`` records what has been applied. A command that writes opens the file with
:func:`open_register` ``(write=True)``, which creates it (0600) and brings every component up to
date; a command that only reads opens it ``write=False``: read-only at the SQLite level, never
created, never migrated, and refused untouched if it is not an ssc register.

Once the file exists it is only ever opened through SQLite. Closing any descriptor of a file
drops every POSIX lock the process holds on it, so an ``os.open``/``os.close`` beside a live
connection (the TUI holds several) silently unlocks the register and lets another process
checkpoint or delete the WAL under it: that is how data was lost before.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
import stat
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import EnvironmentFault, InputError

#: A migration is SQL (run as a script) or a function given the connection.
Migration = str | Callable[[sqlite3.Connection], None]

#: How long a command waits for another process's write lock, unless SSC_BUSY_TIMEOUT_MS says.
BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Component:
    """A part of ssc that keeps tables in the register file.

    ``migrations`` names its append-only list (``module:attribute``); ``audit_states`` names a
    function ``(conn) -> (entities, states)`` giving the audit trail the current state of each
    audited thing (see ``core.audit.verify``), or None if it keeps nothing to audit;
    ``problems`` names a function ``(conn) -> Tampering | None`` for what the trail's states
    cannot show alone (the evidence component re-hashes every stored byte).
    """

    migrations: str
    audit_states: str | None = None
    problems: str | None = None

    def load_migrations(self) -> Sequence[Migration]:
        return _resolve(self.migrations)


#: Every component, in the order they are migrated. The schema ``ssc audit verify`` accepts is
#: the one these migrations create, so a new component (or a view in a migration) is one line
#: here (or one migration there), never a hand-kept list of names.
#: Named as ``module:attribute`` strings and resolved with importlib when the file is opened: a
#: registry, so the core knows the domain's tables without importing the domain (the import
#: contract in pyproject.toml keeps ssc's core below assurance and smki).
COMPONENTS: dict[str, Component] = {
    "register": Component("assurance.schema:MIGRATIONS", "assurance.store:audit_states"),
    "audit": Component("core.audit:MIGRATIONS"),
    "cpa": Component("smki.cpa.schema:MIGRATIONS", "smki.cpa.schema:audit_states"),
    "evidence": Component(
        "assurance.evidence.store:MIGRATIONS",
        "assurance.evidence.store:component_audit_states",
        "assurance.evidence.store:audit_problem",
    ),
}


def _resolve(reference: str):
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def problem_finders() -> list[Callable]:
    """The components' ``problems`` functions, in :data:`COMPONENTS` order."""
    return [_resolve(c.problems) for c in COMPONENTS.values() if c.problems]


def audit_state_providers() -> list[Callable]:
    """The components' ``audit_states`` functions, in :data:`COMPONENTS` order."""
    return [_resolve(c.audit_states) for c in COMPONENTS.values() if c.audit_states]


def busy_timeout_ms() -> int:
    """``SSC_BUSY_TIMEOUT_MS`` if set (a whole number of milliseconds), else 30 s."""
    text = os.environ.get("SSC_BUSY_TIMEOUT_MS")
    if not text:
        return BUSY_TIMEOUT_MS
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 86_400_000:
        raise InputError(
            f"expected milliseconds from 0 to 86400000, found {text!r}", field="SSC_BUSY_TIMEOUT_MS"
        )
    return value


# -- opening -----------------------------------------------------------------------------------
#: Serialises creating a file under a temporary umask (the umask is process-wide).
_CREATE_LOCK = threading.Lock()


def _uri(path: Path, **params: str) -> str:
    return "file:" + urllib.parse.quote(str(path.absolute())) + "?" + urllib.parse.urlencode(params)


def _stat(path: Path) -> os.stat_result | None:
    """The file's status by path (no descriptor is opened), or None if there is none."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EnvironmentFault(f"{path}: {exc.strerror}") from None


def _sqlite_connect(uri: str, timeout_ms: int) -> sqlite3.Connection:
    conn = sqlite3.connect(
        uri, uri=True, timeout=timeout_ms / 1000, isolation_level=None, check_same_thread=True
    )
    conn.execute(f"PRAGMA busy_timeout = {timeout_ms}")
    return conn


def _schema_names(conn: sqlite3.Connection, path: Path) -> set[str]:
    """The names in the file's schema; InputError if it is not an SQLite database at all."""
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            conn.close()
            raise InputError(
                f"not an ssc register (SQLite says: {exc}); nothing was changed", path=str(path)
            ) from None
        raise


def _refuse_foreign(conn: sqlite3.Connection, path: Path, names: set[str]) -> None:
    if names and "schema_migrations" not in names:
        conn.close()
        raise InputError(
            "another application's SQLite database, not an ssc register; nothing was changed",
            path=str(path),
        )


def connect(path: Path | str, *, write: bool = True) -> sqlite3.Connection:
    """A connection to the register file in autocommit mode (transactions are explicit).

    ``write=True``: created 0600 (its folder 0700) if missing, WAL, foreign keys on; an
    existing file that is not an SQLite database, or is another application's, is refused
    untouched. ``write=False``: see :func:`connect_read_only`. Neither migrates: that is
    :func:`open_register`.
    """
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn
    path = Path(path)
    if not write:
        return connect_read_only(path)
    timeout = busy_timeout_ms()
    status = _stat(path)
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise InputError("is a directory, not a register file", path=str(path))
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise InputError("not a regular file, not a register", path=str(path))
    if status is None:
        conn = _create(path, timeout)
    else:
        if status.st_size == 0 and stat.S_IMODE(status.st_mode) != 0o600:
            os.chmod(path, 0o600)  # an empty file holds nothing yet: it becomes a register, 0600
        try:
            conn = _sqlite_connect(_uri(path, mode="rw"), timeout)
        except sqlite3.OperationalError as exc:
            raise EnvironmentFault(f"{path}: cannot open the register ({exc})") from None
    names = _schema_names(conn, path)
    _refuse_foreign(conn, path, names)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        conn.close()
        raise
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _create(path: Path, timeout: int) -> sqlite3.Connection:
    """Create the register through SQLite itself, 0600 from the first byte, its folder 0700.

    The file is created by SQLite under a umask of 077 (no second descriptor to close later),
    then its mode is checked by path; SQLite gives the -wal and -shm files the same mode.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise EnvironmentFault(
            f"{path.parent}: cannot create the register's folder: {exc.strerror}"
        ) from None
    with _CREATE_LOCK:
        previous = os.umask(0o077)
        try:
            conn = _sqlite_connect(_uri(path, mode="rwc"), timeout)
        except sqlite3.OperationalError as exc:
            raise EnvironmentFault(f"{path}: cannot create the register ({exc})") from None
        finally:
            os.umask(previous)
    status = _stat(path)
    if status is not None and status.st_size == 0 and stat.S_IMODE(status.st_mode) != 0o600:
        os.chmod(path, 0o600)  # by path: no descriptor, no lock lost
    return conn


def connect_read_only(path: Path | str) -> sqlite3.Connection:
    """The register opened read-only (``mode=ro``, ``query_only``): never created or changed.

    A missing file, a directory, a file that is not SQLite, an empty file or another
    application's database is refused (InputError) without being touched. On read-only media,
    where SQLite cannot create the WAL's shared-memory file, the file is opened ``immutable``:
    nothing can change it there, so no locking is needed; a leftover ``-wal`` with changes not
    yet in the file is refused rather than ignored.
    """
    path = Path(path)
    status = _stat(path)
    if status is None:
        raise InputError(
            "no such register file (a command that only reads never creates one; "
            "check --db or SSC_DB)",
            path=str(path),
        )
    if stat.S_ISDIR(status.st_mode):
        raise InputError("is a directory, not a register file", path=str(path))
    if not stat.S_ISREG(status.st_mode):
        raise InputError("not a regular file, not a register", path=str(path))
    timeout = busy_timeout_ms()
    try:
        conn = _sqlite_connect(_uri(path, mode="ro"), timeout)
        names = _schema_names(conn, path)
    except sqlite3.OperationalError as exc:
        if not getattr(exc, "sqlite_errorname", "").startswith(
            ("SQLITE_CANTOPEN", "SQLITE_READONLY")
        ):
            raise
        conn = _connect_immutable(path, timeout)
        names = _schema_names(conn, path)
    if not names:
        conn.close()
        raise InputError("an empty file, not an ssc register; nothing was changed", path=str(path))
    _refuse_foreign(conn, path, names)
    conn.execute("PRAGMA query_only = 1")
    return conn


def _connect_immutable(path: Path, timeout: int) -> sqlite3.Connection:
    wal = Path(f"{path}-wal")
    wal_status = _stat(wal)
    if wal_status is not None and wal_status.st_size > 0:
        raise EnvironmentFault(
            f"{path}: on a read-only medium with a -wal file holding changes not yet in the "
            "register; copy both files to writable storage and open the copy"
        )
    try:
        return _sqlite_connect(_uri(path, mode="ro", immutable="1"), timeout)
    except sqlite3.OperationalError as exc:
        raise EnvironmentFault(f"{path}: cannot open the register ({exc})") from None


def open_register(path: Path | str, *, write: bool = True) -> sqlite3.Connection:
    """The register file with every component's schema current.

    Writing: created and migrated as needed. Read-only: refused (exit 2) if any component's
    schema is not the one this ssc knows, since a reader must not migrate.
    """
    conn = connect(path, write=write)
    try:
        if write:
            for name, component in COMPONENTS.items():
                migrate(conn, name, component.load_migrations())
            # A trigger planted in the file would run inside ssc's own writes: refuse to write.
            problem = schema_problem(conn)
            if problem is not None:
                raise InputError(
                    f"{problem}; ssc will not write to it (see `ssc audit verify`)", path=str(path)
                )
        else:
            _check_current(conn, Path(path))
    except BaseException:
        conn.close()
        raise
    return conn


def _check_current(conn: sqlite3.Connection, path: Path) -> None:
    versions = _versions(conn)
    for name, component in COMPONENTS.items():
        have, want = versions.get(name, 0), len(component.load_migrations())
        if have < want:
            raise InputError(
                f"the register's {name} schema is version {have} by its "
                f"schema_migrations table, older than this ssc's ({want}); any "
                "command that writes upgrades it",
                path=str(path),
            )
        if have > want:
            raise InputError(
                f"the register's {name} schema is version {have}, newer than this "
                f"ssc knows ({want}): upgrade ssc",
                path=str(path),
            )


def _versions(conn: sqlite3.Connection) -> dict[str, int]:
    """Applied version per component, checking the rows run 1…N without a gap."""
    versions = {}
    for component, top, count in conn.execute(
        "SELECT component, MAX(version), COUNT(DISTINCT version) FROM schema_migrations"
        " GROUP BY component"
    ):
        if top != count:
            raise InputError(
                f"the register's schema_migrations table lacks rows for {component} "
                f"(has {count} of versions 1-{top}): it was edited outside ssc; "
                "restore the register from a copy"
            )
        versions[component] = top
    return versions


# -- transactions and migrations ---------------------------------------------------------------
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


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every query inside sees the same committed state of the file.

    In autocommit mode each statement sees the latest commit, so a check that reads the trail
    and then the records would take a write committed in between for tampering.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


_MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component TEXT NOT NULL, version INTEGER NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    " PRIMARY KEY (component, version))"
)


def migrate(conn: sqlite3.Connection, component: str, migrations: Sequence[Migration]) -> int:
    """Apply the migrations of ``component`` not yet applied; return the schema version.

    Migrations are append-only: version N is ``migrations[N-1]``; never edit one that shipped.
    The component must be in :data:`COMPONENTS`, so that ``ssc audit verify`` knows its schema.
    """
    if component not in COMPONENTS:
        raise RuntimeError(f"component {component!r} is not in core.db.COMPONENTS: add it there")
    if "schema_migrations" not in {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'")
    }:
        with write_transaction(conn):
            conn.execute(_MIGRATIONS_TABLE)
    current = _versions(conn).get(component, 0)
    if current > len(migrations):
        raise InputError(
            f"the register's {component} schema is version {current}, newer than this ssc "
            f"knows ({len(migrations)}): upgrade ssc"
        )
    if current == len(migrations):
        return current
    with write_transaction(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        current = _versions(conn).get(component, 0)
        _apply(conn, component, migrations, current)
    return len(migrations)


def _apply(
    conn: sqlite3.Connection,
    component: str,
    migrations: Sequence[Migration],
    current: int,
    until: int | None = None,
) -> None:
    for version in range(current + 1, (until or len(migrations)) + 1):
        step = migrations[version - 1]
        try:
            if isinstance(step, str):
                for statement in _statements(step):
                    conn.execute(statement)
            else:
                step(conn)
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_ERROR":
                raise
            raise InputError(
                f"the register's {component} schema does not match its "
                f"schema_migrations table (version {version}: {exc}); it was "
                "edited outside ssc"
            ) from None
        conn.execute(
            "INSERT INTO schema_migrations (component, version) VALUES (?, ?)",
            (component, version),
        )


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


# -- the schema as the migrations made it ------------------------------------------------------
def schema_problem(conn: sqlite3.Connection) -> str | None:
    """The first way the file's schema differs from what its recorded migrations create.

    The expected schema is built by running the same migrations, up to the versions recorded in
    ``schema_migrations``, on an in-memory database: a table, index, view or trigger that no
    migration creates (a trigger planted in the file runs on ssc's own writes) or that differs
    from the migration's text is named.
    """
    try:
        versions = _versions(conn)
    except InputError as exc:
        return str(exc)
    unknown = sorted(set(versions) - set(COMPONENTS))
    if unknown:
        return f"schema_migrations names a component ssc does not have: {unknown[0]}"
    expected = sqlite3.connect(":memory:", isolation_level=None)
    try:
        expected.execute(_MIGRATIONS_TABLE)
        for name, component in COMPONENTS.items():
            if versions.get(name):
                _apply(expected, name, component.load_migrations(), 0, versions[name])
        want = _objects(expected)
    finally:
        expected.close()
    have = _objects(conn)
    for key in sorted(have.keys() - want.keys()):
        article = "an" if key[0] == "index" else "a"
        return f"the schema has {article} {key[0]} {key[1]!r} that no ssc migration creates (planted in the file?)"
    for key in sorted(want.keys() - have.keys()):
        return (
            f"the schema lacks the {key[0]} {key[1]!r} its migrations create (dropped outside ssc?)"
        )
    for key in sorted(want):
        if want[key] != have[key]:
            return f"the {key[0]} {key[1]!r} differs from what its migration creates (altered outside ssc?)"
    return None


def _objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str | None]]:
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return {(kind, name): (table, sql) for kind, name, table, sql in rows}
