"""The tamper-evident audit trail: every change is an event in a SHA-256 hash chain.

Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering an event breaks the chain from there on. A one-row head records the last event, so
cutting events off the end is seen too, and :func:`verify` replays the trail against the
records, so a record edited behind the trail's back (say with the sqlite3 shell) is found.
Every register's trail starts with a ``register create`` event naming the register's id, so a
register whose records and whole trail were deleted is not "intact". Only an attacker who
rewrites the trail, the head and the records alike goes unseen by the file alone: :func:`head`
gives a hash to keep elsewhere (a Panel paper, a ticket), and ``assurance.checkpoint`` a signed
statement of it; :func:`verify` checks later that the noted head is still in the trail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from core import db
from core.errors import InputError

GENESIS = "0" * 64

MIGRATIONS: list[db.Migration] = [
    """
    CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        action TEXT NOT NULL,
        before TEXT,
        after TEXT,
        reason TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_events_entity ON audit_events(entity, entity_id, seq);
    CREATE TABLE audit_head (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    """,
    lambda conn: _genesis(conn),
]

#: A clock: the time now, timezone-aware (UTC). Tests inject one (Environment.clock).
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The system clock, in UTC: what an Environment or a Register reads unless given another.

    It reads this module's ``dt``, which the TUI's snapshot tests still freeze by patching
    until the TUI takes its clock from the Environment too.
    """
    return dt.datetime.now(dt.UTC)


#: The entity of the event that starts every register's trail (its id and creation).
REGISTER = "register"


def _genesis(conn: sqlite3.Connection) -> None:
    """The event that names the register: the first of a new trail (``create``), or, for a
    register made before there was one, the next (``identify``)."""
    appender = Appender(conn, "ssc")
    # Named by its creation time to the microsecond: unique in practice, and reproducible
    # under a frozen clock (snapshots); the id is an identity, not a secret.
    created = utc_now().isoformat(timespec="microseconds")
    register_id = str(uuid.UUID(bytes=sha256(created.encode()).digest()[:16], version=4))
    appender.add(
        REGISTER,
        register_id,
        "create" if appender.seq == 0 else "identify",
        None,
        {"register_id": register_id},
        None,
    )
    appender.flush()


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: str
    actor: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Tampering:
    """The first place the trail and the register disagree."""

    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq}: " if self.seq is not None else ""
        return where + self.problem


def ensure_schema(conn: sqlite3.Connection) -> None:
    db.migrate(conn, "audit", MIGRATIONS)


def register_id(conn: sqlite3.Connection) -> str | None:
    """The id the register's first ``register`` event gave it (None for an empty trail)."""
    row = conn.execute(
        "SELECT entity_id FROM audit_events WHERE entity = ? ORDER BY seq LIMIT 1", (REGISTER,)
    ).fetchone()
    return row[0] if row else None


def _json_encoder() -> Callable[[Any], str]:
    """Canonical JSON (sorted keys, no spaces, UTF-8 as is), built once rather than per call.

    ``json.dumps`` with options makes a new encoder on every call, and ``JSONEncoder.encode``
    a new C encoder; the C encoder itself, made once, costs a third as much per event.
    """
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (another Python implementation)
        return encoder.encode
    chunks = make(
        None, encoder.default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
    join = "".join
    return lambda value: join(chunks(value, 0))


#: A value as canonical JSON text: what the trail stores and hashes, and what records compare to.
canonical_json = _json_encoder()


def _canonical(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def _digest(
    seq: int,
    at: str,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    before: str | None,
    after: str | None,
    reason: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 of a header naming every field, followed by the before and after texts as stored.

    The header (a JSON array) gives the lengths of before and after (null when absent), so the
    material splits back into its fields one way only; the texts, already canonical JSON, are
    hashed as they are instead of being encoded again inside the header.
    """
    header = canonical_json(
        [
            seq,
            at,
            actor,
            entity,
            entity_id,
            action,
            reason,
            prev_hash,
            None if before is None else len(before),
            None if after is None else len(after),
        ]
    )
    return sha256((header + (before or "") + (after or "")).encode()).hexdigest()


class Appender:
    """Appends events in one transaction, keeping the chain's tail in memory (bulk imports)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        actor: str,
        at: dt.datetime | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``at`` fixes one time for every event (a bulk import's); else each event reads
        ``clock`` (the system clock unless given)."""
        self.conn = conn
        self.actor = actor
        self.at = at
        self.clock = clock or utc_now
        row = conn.execute("SELECT seq, hash FROM audit_head WHERE one = 1").fetchone()
        self.seq: int
        self.hash: str
        self.seq, self.hash = row if row else (0, GENESIS)
        self.pending: list[tuple] = []
        # A fixed time (a bulk import's) is formatted once, not per event.
        self._at_text = at.isoformat(timespec="microseconds") if at is not None else None

    def add(
        self,
        entity: str,
        entity_id: str,
        action: str,
        before: dict | None,
        after: dict | None,
        reason: str | None = None,
    ) -> None:
        at = self._at_text or self.clock().isoformat(timespec="microseconds")
        before_text = None if before is None else canonical_json(before)
        after_text = None if after is None else canonical_json(after)
        seq = self.seq + 1
        digest = _digest(
            seq,
            at,
            self.actor,
            entity,
            entity_id,
            action,
            before_text,
            after_text,
            reason,
            self.hash,
        )
        self.pending.append(
            (
                seq,
                at,
                self.actor,
                entity,
                entity_id,
                action,
                before_text,
                after_text,
                reason,
                self.hash,
                digest,
            )
        )
        self.seq, self.hash = seq, digest

    def flush(self) -> None:
        """Write the events and move the head (call inside the caller's transaction)."""
        if not self.pending:
            return
        self.conn.executemany(
            "INSERT INTO audit_events (seq, at, actor, entity, entity_id, action, before, after,"
            " reason, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            self.pending,
        )
        self.conn.execute(
            "INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?)"
            " ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            (self.seq, self.hash),
        )
        self.pending.clear()


def record(
    conn: sqlite3.Connection,
    *,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None = None,
    clock: Clock | None = None,
) -> str:
    """Append one event inside the caller's write transaction; return its hash."""
    appender = Appender(conn, actor, clock=clock)
    appender.add(entity, entity_id, action, before, after, reason)
    appender.flush()
    return appender.hash


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(number of events, hash of the last): a value to keep outside the register."""
    row = conn.execute("SELECT seq, hash FROM audit_head WHERE one = 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def events(
    conn: sqlite3.Connection,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> Iterator[AuditEvent]:
    sql = "SELECT seq, at, actor, entity, entity_id, action, before, after, reason, prev_hash, hash FROM audit_events"
    clauses, params = [], []
    if entity is not None:
        clauses.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        clauses.append("entity_id = ?")
        params.append(entity_id)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY seq" + (" DESC" if newest_first else "")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    for row in conn.execute(sql, params):
        yield AuditEvent(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            json.loads(row[6]) if row[6] else None,
            json.loads(row[7]) if row[7] else None,
            row[8],
            row[9],
            row[10],
        )


_HASH = re.compile(r"[0-9a-f]{64}")


def parse_head(text: str) -> str:
    """A noted head hash (64 hex digits, as ``ssc audit head`` prints it); InputError if not."""
    value = text.strip().lower()
    if not _HASH.fullmatch(value):
        raise InputError(
            "expected the 64 hex digits `ssc audit head` printed", field="--expect-head"
        )
    return value


def verify(
    conn: sqlite3.Connection,
    current_states: Iterable[tuple[str, str, dict[str, Any]]] | None = None,
    tracked_entities: Collection[str] = (),
    expect_head: str | None = None,
    expect_count: int | None = None,
) -> Tampering | None:
    """Check the chain, the head, and (given ``current_states``) the records against the trail.

    ``current_states`` yields (entity, entity_id, state) for every record now in the register of
    the ``tracked_entities`` kinds, state as the trail records it. ``expect_head`` is a head
    noted earlier: it must still be in the trail (later events are fine), as event
    ``expect_count`` if that is given. Returns the first problem found, or None.
    """
    replayed = _replay(conn, expect_head)
    if isinstance(replayed, Tampering):
        return replayed
    problem = _ending_problem(conn, replayed, expect_head, expect_count)
    if problem is None and current_states is not None:
        problem = _state_problem(current_states, replayed.last_state, tracked_entities)
    return problem


@dataclass(frozen=True, slots=True)
class _Replayed:
    """The chain replayed intact: its length, its last hash, each entity's last audited state,
    and the event whose hash is the noted head (0 for the genesis hash; None if not found)."""

    events: int
    last_hash: str
    last_state: dict[tuple[str, str], str | None]
    head_at: int | None


def _replay(conn: sqlite3.Connection, expect_head: str | None) -> _Replayed | Tampering:
    """Every event in order: numbered one by one, each following the one before, its content
    its hash. The first event that is not is the problem."""
    looking = expect_head is not None and expect_head != GENESIS
    head_at: int | None = 0 if expect_head == GENESIS else None
    expected_prev, expected_seq = GENESIS, 1
    last_state: dict[tuple[str, str], str | None] = {}
    rows = conn.cursor()
    rows.row_factory = None  # plain tuples, whatever the connection's factory: cheaper to unpack
    rows.execute(
        "SELECT seq, at, actor, entity, entity_id, action, before, after, reason, prev_hash, hash"
        " FROM audit_events ORDER BY rowid"
    )
    for seq, at, actor, entity, entity_id, action, before, after, reason, prev, digest in rows:
        if seq != expected_seq:
            return Tampering(
                seq,
                f"out of sequence: expected event {expected_seq} here (an event was removed or moved)",
            )
        if prev != expected_prev:
            return Tampering(
                seq,
                "does not follow the event before it (an event was removed, moved or rewritten)",
            )
        if (
            _digest(seq, at, actor, entity, entity_id, action, before, after, reason, prev)
            != digest
        ):
            return Tampering(
                seq, f"its content was altered ({entity} {entity_id}, {action} by {actor} at {at})"
            )
        last_state[(entity, entity_id)] = after
        if looking and digest == expect_head:
            looking, head_at = False, seq
        expected_prev, expected_seq = digest, seq + 1
    return _Replayed(expected_seq - 1, expected_prev, last_state, head_at)


def _ending_problem(
    conn: sqlite3.Connection, replayed: _Replayed, expect_head: str | None, expect_count: int | None
) -> Tampering | None:
    """The head row names the chain's last event, the chain starts with the register's own
    event, and a noted head is still in it (as the event noted, if given)."""
    count, head_hash = head(conn)
    if count != replayed.events or head_hash != replayed.last_hash:
        return Tampering(
            count,
            f"the trail ends at event {replayed.events} but its head says {count}: events were cut off the end",
        )
    if not any(key[0] == REGISTER for key in replayed.last_state):
        return Tampering(
            None,
            "the trail has no `register create` event: every event was deleted "
            "(or the file was never an ssc register)",
        )
    if expect_head is not None and replayed.head_at is None:
        return Tampering(
            count,
            "the noted head is not in the trail: the trail was rewritten or cut since it was noted",
        )
    if expect_count is not None and replayed.head_at != expect_count:
        return Tampering(
            replayed.head_at,
            f"the noted head is event {replayed.head_at}, not event {expect_count} "
            "as noted: the trail was rewritten since",
        )
    return None


def _state_problem(
    current_states: Iterable[tuple[str, str, dict[str, Any]]],
    last_state: dict[tuple[str, str], str | None],
    tracked_entities: Collection[str],
) -> Tampering | None:
    """Each record now in the register is as the trail last left it, and each record the trail
    last left standing (of a tracked kind) is still there."""
    seen: set[tuple[str, str]] = set()
    for entity, entity_id, state in current_states:
        key = (entity, entity_id)
        seen.add(key)
        audited = last_state.get(key)
        if audited is None:
            return Tampering(
                None, f"{entity} {entity_id} is in the register but not in the audit trail"
            )
        if _canonical(state) != audited:
            return Tampering(
                None,
                f"{entity} {entity_id} differs from its last audited state (edited outside ssc)",
            )
    for key, last in last_state.items():
        if last is not None and key not in seen and key[0] in tracked_entities:
            return Tampering(
                None,
                f"{key[0]} {key[1]} is in the audit trail but missing from the register (deleted outside ssc)",
            )
    return None


def verify_register(
    conn: sqlite3.Connection, *, expect_head: str | None = None, expect_count: int | None = None
) -> Tampering | None:
    """Verify everything the register file keeps: the schema (nothing planted or altered), the
    chain and its head, and every component's audited state (``core.db.COMPONENTS``)."""
    with db.read_snapshot(conn):  # the trail and the records as of one commit
        schema_problem = db.schema_problem(conn)
        if schema_problem is not None:
            return Tampering(None, schema_problem)
        entities: set[str] = set()
        states = []
        for provider in db.audit_state_providers():
            kinds, current = provider(conn)
            entities.update(kinds)
            states.append(current)
        problem = verify(
            conn,
            itertools.chain.from_iterable(states),
            tracked_entities=entities,
            expect_head=expect_head,
            expect_count=expect_count,
        )
        if problem is not None:
            return problem
        for finder in db.problem_finders():
            problem = finder(conn)
            if problem is not None:
                return problem
        return None
