"""Evidence files kept inside the register's SQLite file: content-addressed, streamed, audited.

Why inside the SQLite file rather than beside it: the register stays one file to back up,
copy or restore (SQLite's backup API or a copy of the file takes the documents with the
records); a file and its audit event are written in one transaction, so neither can exist
without the other; and the file's 0600 mode covers the documents too. Bytes are kept in
chunk rows (``chunk_bytes`` each, from the policy) so that a 100 MB file is read, hashed and
written a chunk at a time, never whole in memory, and read back the same way.

Bytes are named by their SHA-256 and kept once however many records cite them. Evidence is
never deleted, only withdrawn; every add, withdrawal and import is an event in the audit trail
that carries the file's hash, and :func:`verify` re-hashes every stored byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from assurance.evidence.filetypes import MEDIA_TYPES, TYPE_OF_MEDIA, ContentCheck, detect
from assurance.evidence.policy import EvidencePolicy, load_evidence_policy
from assurance.models import RECORD_TYPES, Record
from core import audit
from core.db import migrate, write_transaction
from core.errors import InputError, SSCError

if TYPE_CHECKING:
    from assurance.store import Register

#: The audit trail's entity name for evidence.
ENTITY = "evidence"

MIGRATIONS = [
    """
    CREATE TABLE evidence_blobs (
        id INTEGER PRIMARY KEY,
        sha256 TEXT UNIQUE,        -- NULL only while the bytes are being written
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL
    );
    CREATE TABLE evidence_chunks (
        blob INTEGER NOT NULL REFERENCES evidence_blobs(id),
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (blob, n)
    );
    CREATE TABLE evidence (
        id TEXT PRIMARY KEY,
        record_type TEXT NOT NULL,
        record TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL REFERENCES evidence_blobs(sha256),
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        effective TEXT NOT NULL,
        classification TEXT NOT NULL,
        added TEXT NOT NULL,
        withdrawn TEXT,
        withdrawn_reason TEXT,
        extra TEXT
    );
    CREATE INDEX evidence_record ON evidence(record_type, record);
    CREATE INDEX evidence_sha256 ON evidence(sha256);
    """
]

#: Columns of the evidence table, in the order its interchange object lists them.
COLUMNS = (
    "id",
    "record",
    "kind",
    "name",
    "sha256",
    "size",
    "effective",
    "record_type",
    "media_type",
    "classification",
    "added",
    "withdrawn",
    "withdrawn_reason",
)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceTampered(SSCError):
    """Stored bytes no longer match their hash: reported as tampering (exit 1)."""

    exit_status = 1


@dataclass(frozen=True)
class Evidence:
    """One evidence file as cited by one record."""

    id: str
    record: str
    kind: str
    name: str
    sha256: str
    size: int
    effective: str
    record_type: str
    media_type: str
    classification: str
    added: str
    withdrawn: str | None = None
    withdrawn_reason: str | None = None
    extra: str | None = None

    @property
    def type_name(self) -> str:
        """The short type (pdf, docx…) of its media type."""
        return TYPE_OF_MEDIA.get(self.media_type, self.media_type)

    def to_interchange(self) -> dict[str, Any]:
        """The JSON Lines object (spec/interchange.md, Evidence): also its audited state."""
        import json

        state: dict[str, Any] = {"type": ENTITY}
        for column in COLUMNS:
            value = getattr(self, column)
            if value is not None:
                state[column] = value
        if self.extra:
            state.update({k: v for k, v in json.loads(self.extra).items() if k not in state})
        return state


# -- schema --------------------------------------------------------------------------------------
def ensure_schema(conn: sqlite3.Connection) -> None:
    migrate(conn, "evidence", MIGRATIONS)


def has_schema(conn: sqlite3.Connection) -> bool:
    """Whether the register holds evidence tables (readers never create them)."""
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence'"
        ).fetchone()
        is not None
    )


# -- reading -------------------------------------------------------------------------------------
_SELECT = f"SELECT {', '.join(COLUMNS)}, extra FROM evidence"


def _from_row(row: Iterable[Any]) -> Evidence:
    return Evidence(*row)


def list_evidence(
    conn: sqlite3.Connection,
    record: str | None = None,
    *,
    record_type: str | None = None,
    include_withdrawn: bool = True,
) -> list[Evidence]:
    """Evidence of one record (or of all), in id order."""
    if not has_schema(conn):
        return []
    clauses, params = [], []
    if record is not None:
        clauses.append("record = ?")
        params.append(record)
    if record_type is not None:
        clauses.append("record_type = ?")
        params.append(record_type)
    if not include_withdrawn:
        clauses.append("withdrawn IS NULL")
    sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "") + " ORDER BY id"
    cursor = conn.cursor()
    cursor.row_factory = None
    return [_from_row(row) for row in cursor.execute(sql, params)]


def get(conn: sqlite3.Connection, evidence_id: str) -> Evidence:
    if has_schema(conn):
        cursor = conn.cursor()
        cursor.row_factory = None
        row = cursor.execute(_SELECT + " WHERE id = ?", (evidence_id,)).fetchone()
        if row is not None:
            return _from_row(row)
    raise InputError(f"no evidence with id {evidence_id!r}", field="ID")


def audit_states(conn: sqlite3.Connection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(entity, id, state) of every evidence row, as the audit trail records them."""
    for item in list_evidence(conn):
        yield ENTITY, item.id, item.to_interchange()


def component_audit_states(
    conn: sqlite3.Connection,
) -> tuple[tuple[str, ...], Iterator[tuple[str, str, dict[str, Any]]]]:
    """The evidence component's audited kinds and current states (``core.db.COMPONENTS``)."""
    return (ENTITY,), audit_states(conn)


def chunks(conn: sqlite3.Connection, sha256: str) -> Iterator[bytes]:
    """The stored bytes of ``sha256``, a chunk at a time (not checked: see :func:`read_verified`)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    row = cursor.execute("SELECT id FROM evidence_blobs WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return
    # One chunk per query: a cursor over all of them could hold many in SQLite's buffers.
    n = 0
    while True:
        found = cursor.execute(
            "SELECT data FROM evidence_chunks WHERE blob = ? AND n = ?", (row[0], n)
        ).fetchone()
        if found is None:
            return
        yield found[0]
        n += 1


def blob_problem(conn: sqlite3.Connection, sha256: str, size: int | None = None) -> str | None:
    """What is wrong with the stored bytes of ``sha256`` (re-hashed in full), or None."""
    row = conn.execute("SELECT size FROM evidence_blobs WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return "its bytes are missing from the register"
    digest, total = hashlib.sha256(), 0
    for chunk in chunks(conn, sha256):
        digest.update(chunk)
        total += len(chunk)
    if digest.hexdigest() != sha256:
        return f"its stored bytes no longer match SHA-256 {sha256[:12]}…"
    if total != row[0] or (size is not None and total != size):
        return f"its stored bytes are {total} bytes, not the {size if size is not None else row[0]} recorded"
    return None


# -- names, records, classification ----------------------------------------------------------------
_UNSAFE = re.compile(r"[/\\:]")


def clean_name(raw: str, policy: EvidencePolicy) -> str:
    """A file name fit to show anywhere: its last path part, NFC, no control or format characters.

    Format characters (bidi overrides, zero-width joiners) can make ``evil.exe‮fdp.`` read as a
    PDF; they, controls and path separators become ``_``. A name over the policy's length is cut
    in the middle, keeping its suffix.
    """
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(
        "_" if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else c
        for c in name
    )
    name = _UNSAFE.sub("_", name).strip()
    if name in ("", ".", ".."):
        name = "unnamed"
    limit = policy.storage.max_name_chars
    if len(name) > limit:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 16:
            name = stem[: limit - len(suffix) - 2] + "…." + suffix
        else:
            name = name[: limit - 1] + "…"
    return name


def resolve_record(register: Register, reference: str) -> Record:
    """The record ``reference`` names: ``ID`` (unique across types) or ``TYPE:ID``."""
    type_name, sep, record_id = reference.partition(":")
    if sep and type_name in RECORD_TYPES:
        return register.require(type_name, record_id)
    found = [
        record for name in RECORD_TYPES if (record := register.get(name, reference)) is not None
    ]
    if not found:
        raise InputError(f"no record with id {reference!r}", field="RECORD")
    if len(found) > 1:
        kinds = ", ".join(f"{r.type_name}:{reference}" for r in found)
        raise InputError(f"{reference!r} names several records; say which: {kinds}", field="RECORD")
    return found[0]


def check_classification(register: Register, record: Record, classification: str | None) -> str:
    """The evidence's classification: the record's by default, never below it.

    Never below: the evidence row says which record it supports and why, which is itself as
    sensitive as the record, so a GREEN document cited by a RED decision is RED here.
    """
    levels = register.policy.classification
    own = record.classification or levels.order[-1]  # set on validation; unset is most restricted
    if classification is None:
        return own
    level = classification.strip().upper()
    if level not in levels.order:
        raise InputError(
            f"expected one of {', '.join(levels.order)}, got {classification!r}",
            field="--classification",
        )
    if levels.rank(level) < levels.rank(own):
        raise InputError(
            f"{level} is below the {record.type_name}'s own {own}; "
            "evidence is classified at least as its record",
            field="--classification",
        )
    return level


def check_kind(kind: str, policy: EvidencePolicy) -> str:
    if kind not in policy.kinds:
        raise InputError(
            f"unknown kind {kind!r}; expected one of {', '.join(policy.kinds)}", field="--kind"
        )
    return kind


# -- writing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A file checked before anything is written: where it is, its size and type."""

    path: Path
    name: str
    size: int
    type_name: str


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file (never a FIFO, device or directory)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "is a directory, not a file" if stat.S_ISDIR(mode) else "is not a regular file"
        raise InputError(what, path=str(path))
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def check_file(path: Path, policy: EvidencePolicy) -> Candidate:
    """A file fit to store (size and type by content from the policy), or an InputError."""
    with open_regular(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > policy.storage.max_bytes:
            raise InputError(
                f"is {size} bytes, over the limit of {policy.storage.max_bytes}", path=str(path)
            )
        try:
            type_name = detect(stream)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if type_name is None or type_name not in policy.types.allowed:
        what = f"a {type_name} file" if type_name else "not a type ssc recognises"
        raise InputError(
            f"{what}; evidence may be {', '.join(policy.types.allowed)} "
            "(recognised by content, not by suffix)",
            path=str(path),
        )
    return Candidate(path, clean_name(path.name, policy), size, type_name)


def store_stream(
    conn: sqlite3.Connection,
    stream: BinaryIO,
    media_type: str,
    *,
    policy: EvidencePolicy,
    check: ContentCheck | None = None,
    where: str,
    expect: str | None = None,
) -> tuple[str, int]:
    """Write ``stream`` as a blob, a chunk at a time, inside the caller's write transaction.

    Returns (sha256, size). The bytes are hashed as they are written; if the register holds
    them already, the copy is dropped and the stored one is used. ``expect`` (a bundle's blob
    name) must be the hash. On any error the caller rolls its transaction back (both callers
    do: one add, one import, all or nothing), so no savepoint is needed here (a savepoint
    would make SQLite keep a sub-journal of every page written, a quarter more time).
    """
    if not conn.in_transaction:
        raise RuntimeError("store_stream runs inside the caller's write transaction")
    limit, step = policy.storage.max_bytes, policy.storage.chunk_bytes
    blob = conn.execute(
        "INSERT INTO evidence_blobs (sha256, size, media_type) VALUES (NULL, 0, ?)", (media_type,)
    ).lastrowid
    digest, size, n = hashlib.sha256(), 0, 0
    insert = "INSERT INTO evidence_chunks (blob, n, data) VALUES (?, ?, ?)"
    # One buffer, filled again and again: no fresh megabyte (and its page faults) per chunk.
    buffer = bytearray(step)
    view = memoryview(buffer)
    readinto = getattr(stream, "readinto", None)
    while True:
        if readinto is not None:
            got = _fill(readinto, view)
            chunk = view[:got]
        else:
            data = stream.read(step)
            got, chunk = len(data), memoryview(data)
        if not got:
            break
        size += got
        if size > limit:
            raise InputError(f"is over the limit of {limit} bytes", path=where)
        digest.update(chunk)
        if check is not None:
            check.feed(chunk)
        conn.execute(insert, (blob, n, chunk))
        n += 1
    if check is not None and (problem := check.problem()):
        raise InputError(problem, path=where)
    sha256 = digest.hexdigest()
    if expect is not None and sha256 != expect:
        raise InputError(
            f"its bytes hash to {sha256[:12]}…, not the {expect[:12]}… it is "
            "named after; nothing was imported",
            path=where,
        )
    if conn.execute("SELECT 1 FROM evidence_blobs WHERE sha256 = ?", (sha256,)).fetchone():
        # Stored once already: drop this copy.
        conn.execute("DELETE FROM evidence_chunks WHERE blob = ?", (blob,))
        conn.execute("DELETE FROM evidence_blobs WHERE id = ?", (blob,))
    else:
        conn.execute(
            "UPDATE evidence_blobs SET sha256 = ?, size = ? WHERE id = ?", (sha256, size, blob)
        )
    return sha256, size


def _fill(readinto, view: memoryview) -> int:
    """Fill ``view`` as far as the stream allows (a pipe or zip entry may give less per call)."""
    got = 0
    while got < len(view):
        more = readinto(view[got:])
        if not more:
            break
        got += more
    return got


def new_ids(conn: sqlite3.Connection) -> Iterator[str]:
    """Free ids of the form E0001, E0002… (call under the write lock; one scan, then counted)."""
    row = conn.execute(
        "SELECT MAX(CAST(substr(id, 2) AS INTEGER)) FROM evidence WHERE id GLOB 'E[0-9]*'"
    ).fetchone()
    number = (row[0] or 0) + 1
    while True:
        candidate = f"E{number:04d}"
        if not conn.execute("SELECT 1 FROM evidence WHERE id = ?", (candidate,)).fetchone():
            yield candidate
        number += 1


def insert(conn: sqlite3.Connection, item: Evidence) -> None:
    values = [getattr(item, column) for column in COLUMNS] + [item.extra]
    try:
        conn.execute(
            f"INSERT INTO evidence ({', '.join(COLUMNS)}, extra) VALUES "
            f"({', '.join('?' for _ in values)})",
            values,
        )
    except sqlite3.IntegrityError:
        raise InputError(f"an evidence with id {item.id!r} already exists", field="id") from None


@dataclass(frozen=True)
class Added:
    evidence: Evidence
    #: False where the record already cited the same bytes (nothing new was written).
    new: bool


def add_files(
    register: Register,
    reference: str,
    paths: Iterable[Path | str],
    *,
    kind: str = "other",
    effective: dt.date | None = None,
    classification: str | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
    policy: EvidencePolicy | None = None,
) -> list[Added]:
    """Store each file with the record ``reference`` names: all of them, audited, or none.

    Every file is checked (regular, size, type by content) and the record resolved before the
    transaction starts; the bytes are then streamed in. A file the record already cites (same
    bytes, not withdrawn) is not added twice.
    """
    policy = policy or register.policies(load_evidence_policy)
    if not reason or not reason.strip():
        raise InputError(
            "adding evidence needs a reason (kept in the audit trail)", field="--reason"
        )
    check_kind(kind, policy)
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("name at least one file", field="FILE")
    record = resolve_record(register, reference)
    if record.withdrawn is not None:
        raise InputError(
            f"{record.type_name} {record.id} is withdrawn; evidence cannot be added to it",
            field="RECORD",
        )
    level = check_classification(register, record, classification)
    candidates = [check_file(Path(path), policy) for path in paths]
    effective_text = (effective or today or register.clock().date()).isoformat()
    ensure_schema(register.conn)
    conn = register.conn
    added: list[Added] = []
    with write_transaction(conn):
        # Re-read under the write lock: the record may have been withdrawn meanwhile.
        current = register.require(record.type_name, record.id)
        if current.withdrawn is not None:
            raise InputError(f"{record.type_name} {record.id} is withdrawn", field="RECORD")
        ids = new_ids(conn)
        for candidate in candidates:
            media_type = MEDIA_TYPES[candidate.type_name]
            with open_regular(candidate.path) as stream:
                if detect(stream) != candidate.type_name:  # replaced since it was checked
                    raise InputError(
                        "changed while being added; nothing was stored", path=str(candidate.path)
                    )
                stream.seek(0)
                sha256, size = store_stream(
                    conn,
                    stream,
                    media_type,
                    policy=policy,
                    check=ContentCheck(candidate.type_name),
                    where=str(candidate.path),
                )
            cited = conn.execute(
                _SELECT
                + " WHERE record_type = ? AND record = ? AND sha256 = ? AND withdrawn IS NULL",
                (record.type_name, record.id, sha256),
            ).fetchone()
            if cited is not None:
                added.append(Added(_from_row(cited), False))
                continue
            item = Evidence(
                id=next(ids),
                record=record.id,
                kind=kind,
                name=candidate.name,
                sha256=sha256,
                size=size,
                effective=effective_text,
                record_type=record.type_name,
                media_type=media_type,
                classification=level,
                added=register.clock().replace(microsecond=0).isoformat(),
            )
            insert(conn, item)
            audit.record(
                conn,
                actor=register.actor,
                entity=ENTITY,
                entity_id=item.id,
                action="add",
                before=None,
                after=item.to_interchange(),
                reason=reason,
                clock=register.clock,
            )
            added.append(Added(item, True))
    return added


def withdraw(register: Register, evidence_id: str, *, reason: str) -> Evidence:
    """Withdraw evidence (its bytes stay: never deleted); the reason is kept and audited."""
    if not reason or not reason.strip():
        raise InputError("withdrawing evidence needs a reason", field="--reason")
    conn = register.conn
    get(conn, evidence_id)
    with write_transaction(conn):
        before = get(conn, evidence_id)
        if before.withdrawn is not None:
            raise InputError(f"evidence {evidence_id} is already withdrawn")
        now = register.clock().replace(microsecond=0).isoformat()
        conn.execute(
            "UPDATE evidence SET withdrawn = ?, withdrawn_reason = ? WHERE id = ?",
            (now, reason.strip(), evidence_id),
        )
        after = get(conn, evidence_id)
        audit.record(
            conn,
            actor=register.actor,
            entity=ENTITY,
            entity_id=evidence_id,
            action="withdraw",
            before=before.to_interchange(),
            after=after.to_interchange(),
            reason=reason,
            clock=register.clock,
        )
    return after


# -- reading the bytes back ----------------------------------------------------------------------
def write_to(
    conn: sqlite3.Connection, evidence_id: str, target: Path | None, stdout: BinaryIO | None = None
) -> Evidence:
    """Write evidence's stored bytes to ``target`` (0600, whole or not at all) or ``stdout``.

    The bytes are hashed on the way out; bytes that no longer match their hash are never
    handed over (EvidenceTampered, exit 1).
    """
    item = get(conn, evidence_id)
    if target is None:
        if stdout is None:
            raise InputError("standard output cannot take bytes here", field="-o")
        problem = blob_problem(conn, item.sha256, item.size)  # checked before a byte goes out
        if problem:
            raise EvidenceTampered(f"evidence {item.id} ({item.name}): {problem}; not exported")
        for chunk in chunks(conn, item.sha256):
            stdout.write(chunk)
        stdout.flush()
        return item
    target = Path(target)
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror}", path=str(target)) from None
    try:
        os.fchmod(fd, 0o600)
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks(conn, item.sha256):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != item.sha256 or size != item.size:
            raise EvidenceTampered(
                f"evidence {item.id} ({item.name}): its stored bytes no longer "
                f"match SHA-256 {item.sha256[:12]}…; not exported"
            )
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror}", path=str(target)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return item


# -- verification ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    evidence_id: str | None
    name: str | None
    problem: str

    def __str__(self) -> str:
        if self.evidence_id is None:
            return self.problem
        return f"evidence {self.evidence_id} ({self.name}): {self.problem}"


def verify(conn: sqlite3.Connection) -> list[Problem]:
    """Every stored file re-hashed, and every evidence row checked against its last audit event."""
    if not has_schema(conn):
        return []
    audited = _audited_states(conn)
    bad_blobs = _bad_blobs(conn)
    problems: list[Problem] = []
    seen = set()
    for item in list_evidence(conn):
        seen.add(item.id)
        problems += _row_problems(conn, item, audited, bad_blobs)
    problems += [
        Problem(
            evidence_id,
            None,
            "is in the audit trail but missing from the register (deleted outside ssc)",
        )
        for evidence_id, state in audited.items()
        if state is not None and evidence_id not in seen
    ]
    if conn.execute("SELECT 1 FROM evidence_blobs WHERE sha256 IS NULL").fetchone():
        problems.append(Problem(None, None, "a stored file has no hash (written outside ssc)"))
    return problems


def _audited_states(conn: sqlite3.Connection) -> dict[str, str | None]:
    """Each evidence id's last audited state as canonical JSON (None once withdrawn away)."""
    audited: dict[str, str | None] = {}
    for event in audit.events(conn, entity=ENTITY):
        audited[event.entity_id] = (
            None if event.after is None else audit.canonical_json(event.after)
        )
    return audited


def _bad_blobs(conn: sqlite3.Connection) -> dict[str, str]:
    """Each stored file evidence cites whose bytes no longer hash to its name: what is wrong."""
    bad_blobs: dict[str, str] = {}
    for (sha256,) in conn.execute("SELECT DISTINCT sha256 FROM evidence").fetchall():
        if (problem := blob_problem(conn, sha256)) is not None:
            bad_blobs[sha256] = problem
    return bad_blobs


def _row_problems(
    conn: sqlite3.Connection,
    item: Evidence,
    audited: dict[str, str | None],
    bad_blobs: dict[str, str],
) -> list[Problem]:
    """One evidence row against its last audit event, and its file against its hash and size."""
    problems = []
    current = audit.canonical_json(item.to_interchange())
    if item.id not in audited:
        problems.append(Problem(item.id, item.name, "is not in the audit trail"))
    elif audited[item.id] != current:
        problems.append(
            Problem(item.id, item.name, "differs from its audit event (changed outside ssc)")
        )
    if item.sha256 in bad_blobs:
        problems.append(Problem(item.id, item.name, bad_blobs[item.sha256]))
    elif (
        stored := conn.execute(
            "SELECT size FROM evidence_blobs WHERE sha256 = ?", (item.sha256,)
        ).fetchone()
    ) and stored[0] != item.size:
        problems.append(
            Problem(item.id, item.name, f"recorded as {item.size} bytes, stored as {stored[0]}")
        )
    return problems


def audit_problem(conn: sqlite3.Connection) -> audit.Tampering | None:
    """The first evidence problem as the audit trail reports tampering (for ``audit verify``)."""
    problems = verify(conn)
    return audit.Tampering(None, str(problems[0])) if problems else None
