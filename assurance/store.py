"""The register in SQLite: reading and writing records, each write one audited transaction.

Records are never deleted: :meth:`Register.withdraw` marks them withdrawn. Every write goes
through the workflow rules (``assurance.workflow``) and appends to the audit trail in the same
transaction, so a change and its audit event land together or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sqlite3
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assurance.models import (
    RECORD_TYPES,
    Record,
    field_errors,
    from_text,
    list_fields,
    unicode_problem,
)
from assurance.policy import RegisterPolicy, default_policy, load_register_policy
from core import audit
from core.db import open_register, write_transaction
from core.env import PolicySource, shipped
from core.errors import InputError, InputErrors

_COMMON = ("classification", "withdrawn", "withdrawn_reason")


@functools.cache
def _columns(model: type[Record]) -> tuple[str, ...]:
    return tuple(model.model_fields)


@functools.cache
def _row_plan(model: type[Record]) -> tuple[tuple[str, ...], tuple[int, ...], frozenset[str]]:
    """(columns, positions of the list/dict columns stored as JSON, keys that are not extras)."""
    fields = _columns(model)
    json_at = tuple(
        i
        for i, name in enumerate(fields)
        if typing.get_origin(model.model_fields[name].annotation) in (list, dict)
    )
    return fields, json_at, frozenset((*fields, "type"))


#: JSON text of a list column (roles) and of the extras, as stored (spaces after separators).
_column_json = json.JSONEncoder(ensure_ascii=False).encode
_extra_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def to_row(record: Record) -> dict[str, Any]:
    """A record as its table's columns: dates as ISO text, lists as JSON, extras in `extra`."""
    model = type(record)
    return dict(
        zip(row_columns(model), interchange_to_row(model, record.to_interchange()), strict=True)
    )


def interchange_to_row(model: type[Record], data: dict[str, Any]) -> tuple[Any, ...]:
    """A record's interchange object (``to_interchange``) as its table's values, in
    ``row_columns(model)`` order: the same values :func:`to_row` gives, from one model_dump."""
    fields, json_at, known = _row_plan(model)
    values = list(map(data.get, fields))
    for i in json_at:
        if values[i] is not None:
            values[i] = _column_json(values[i])
    if data.keys() - known:  # extras are rare: one set difference in C says whether to look
        values.append(_extra_json({k: v for k, v in data.items() if k not in known}))
    else:
        values.append(None)
    return tuple(values)


def row_columns(model: type[Record]) -> list[str]:
    return [*_columns(model), "extra"]


#: Columns stored as JSON text (lists), from the models.
_JSON_COLUMNS = frozenset(list_fields())


def row_state(type_name: str, row: sqlite3.Row | tuple, names: list[str]) -> dict[str, Any]:
    """A stored row as the interchange object the audit trail recorded, without re-validating.

    Rows are written from validated models, so this equals ``to_interchange()`` of the record;
    a row changed behind ssc's back shows as a difference, as it should.
    """
    state: dict[str, Any] = {"type": type_name}
    extra = None
    for name, value in zip(names, row, strict=True):
        if value is None:
            continue
        if name == "extra":
            extra = value
        elif name in _JSON_COLUMNS:
            state[name] = json.loads(value)
        else:
            state[name] = value
    if extra:
        state.update(json.loads(extra))
    return state


def from_row(
    model: type[Record], row: sqlite3.Row | dict[str, Any], policy: RegisterPolicy
) -> Record:
    data = dict(row)
    extra = data.pop("extra", None)
    if extra:
        data.update(json.loads(extra))
    for name, value in data.items():
        if isinstance(value, str) and value[:1] in "[{" and name in _JSON_COLUMNS:
            data[name] = json.loads(value)
    try:
        return model.model_validate(data, context={"policy": policy})
    except ValidationError as exc:
        # Stored before a policy change (a role taken out) or written behind ssc's back.
        field, message = field_errors(exc)[0]
        raise InputError(
            f"the stored {model.type_name} {data.get('id')!r} no longer validates ({message}); "
            "correct the policy, or the record with `edit`",
            field=field,
        ) from None


@contextlib.contextmanager
def _page_cache(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """A page cache big enough for a bulk write's pages (about 1 KiB per record and its event).

    With SQLite's default 2 MB, a 100,000-record import spills pages to the WAL and reads them
    back mid-transaction; durability is the same either way (the WAL and synchronous stay).
    """
    if rows < 2_000:
        yield
        return
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {-min(rows, 256_000)}")  # negative: KiB; at most 256 MB
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def _audited_text(value: str | None, field: str) -> None:
    """A reason or actor as the trail can hold it: Unicode text (undecodable bytes from the
    command line or the environment arrive as lone surrogates, which UTF-8 cannot carry)."""
    if value is not None and unicode_problem(value) is not None:
        raise InputError("contains bytes that are not UTF-8 text (a lone surrogate)", field=field)


#: A record type, for the typed reads (``Register.get(Party, ...)`` gives a Party).
R = typing.TypeVar("R", bound=Record)


def _model(kind: type[Record] | str) -> type[Record]:
    """The model of a record type given by model or by name (a KeyError for an unknown name)."""
    if isinstance(kind, str):
        return RECORD_TYPES[kind]
    if RECORD_TYPES.get(kind.type_name) is not kind:
        raise KeyError(kind.__name__)  # a model the register does not keep
    return kind


class Register:
    """One open register file, with the actor its changes are audited under and the clock
    that times them (the Environment's: tests give a fixed one)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        actor: str,
        policy: RegisterPolicy | None = None,
        clock: audit.Clock | None = None,
        policies: PolicySource = shipped,
    ) -> None:
        self.conn = conn
        self.conn.row_factory = sqlite3.Row
        self.actor = actor
        #: Where this register's policies come from (the Environment's ``policy``, or the
        #: shipped ones): the evidence and report packages read theirs through it.
        self.policies = policies
        self.policy = policy or policies(load_register_policy)
        self.clock = clock or audit.utc_now

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        actor: str,
        policy: RegisterPolicy | None = None,
        write: bool = True,
        clock: audit.Clock | None = None,
        policies: PolicySource = shipped,
    ) -> Register:
        """Open the register file at ``path``: to write (created and migrated on first use), or
        with ``write=False`` read-only (never created, changed or migrated; see ``core.db``)."""
        return cls(
            open_register(path, write=write),
            actor=actor,
            policy=policy,
            clock=clock,
            policies=policies,
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_audited(self, reason: str | None) -> None:
        """Before a write: its reason and the actor can go into the trail as they are."""
        _audited_text(reason, "reason")
        _audited_text(self.actor, "actor (SSC_ACTOR)")

    # -- reading -------------------------------------------------------------------------
    # A record type is named by its model (``register.get(Party, "P1") -> Party | None``, typed)
    # or by its name (``"party"``, as the CLI and the interchange have it: the base Record).
    @typing.overload
    def get(self, kind: type[R], record_id: str) -> R | None: ...
    @typing.overload
    def get(self, kind: str, record_id: str) -> Record | None: ...

    def get(self, kind: type[Record] | str, record_id: str) -> Record | None:
        model = _model(kind)
        if unicode_problem(record_id) is not None:
            return None  # not text SQLite can hold: no record has it
        row = self.conn.execute(
            f"SELECT * FROM {model.table} WHERE id = ?", (record_id,)
        ).fetchone()
        return from_row(model, row, self.policy) if row else None

    @typing.overload
    def require(self, kind: type[R], record_id: str) -> R: ...
    @typing.overload
    def require(self, kind: str, record_id: str) -> Record: ...

    def require(self, kind: type[Record] | str, record_id: str) -> Record:
        record = self.get(kind, record_id)
        if record is None:
            raise InputError(f"no {_model(kind).type_name} with id {record_id!r}", field="id")
        return record

    @typing.overload
    def records(
        self,
        kind: type[R],
        *,
        include_withdrawn: bool = ...,
        where: str | None = ...,
        params: Iterable[Any] = ...,
        order_by: str = ...,
    ) -> list[R]: ...
    @typing.overload
    def records(
        self,
        kind: str,
        *,
        include_withdrawn: bool = ...,
        where: str | None = ...,
        params: Iterable[Any] = ...,
        order_by: str = ...,
    ) -> list[Record]: ...

    def records(
        self,
        kind: type[Record] | str,
        *,
        include_withdrawn: bool = False,
        where: str | None = None,
        params: Iterable[Any] = (),
        order_by: str = "id",
    ) -> list[Any]:  # typed by the overloads above
        """Records of a type; ``where`` is SQL over the table's columns (with ``params``)."""
        model = _model(kind)
        clauses = [] if include_withdrawn else ["withdrawn IS NULL"]
        if where:
            clauses.append(f"({where})")
        sql = f"SELECT * FROM {model.table}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {order_by}"
        return [from_row(model, row, self.policy) for row in self.conn.execute(sql, tuple(params))]

    def count(self, type_name: str, *, include_withdrawn: bool = False) -> int:
        table = RECORD_TYPES[type_name].table
        sql = f"SELECT COUNT(*) FROM {table}"
        if not include_withdrawn:
            sql += " WHERE withdrawn IS NULL"
        return self.conn.execute(sql).fetchone()[0]

    # -- writing -------------------------------------------------------------------------
    def _insert(self, record: Record) -> None:
        row = to_row(record)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        try:
            self.conn.execute(
                f"INSERT INTO {record.table} ({names}) VALUES ({marks})", tuple(row.values())
            )
        except sqlite3.IntegrityError as exc:
            raise _integrity_error(record.type_name, exc) from None

    def _update(self, record: Record) -> None:
        row = to_row(record)
        assignments = ", ".join(f"{name} = ?" for name in row if name != "id")
        values = [value for name, value in row.items() if name != "id"]
        self.conn.execute(
            f"UPDATE {record.table} SET {assignments} WHERE id = ?", (*values, record.id)
        )

    def add(self, record: Record, *, reason: str | None = None) -> Record:
        """Add a new record after the workflow's checks (under the write lock); audited as ``add``."""
        from assurance import workflow

        if record.withdrawn is not None:
            raise InputError(
                "records are withdrawn with `withdraw`, which records a reason", field="withdrawn"
            )
        self._check_audited(reason)
        with write_transaction(self.conn):
            workflow.check(self, record, None)
            self._insert(record)
            audit.record(
                self.conn,
                actor=self.actor,
                entity=record.type_name,
                entity_id=record.id,
                action="add",
                before=None,
                after=record.to_interchange(),
                reason=reason,
                clock=self.clock,
            )
        return record

    def edit(
        self,
        type_name: str,
        record_id: str,
        changes: dict[str, Any],
        *,
        reason: str | None = None,
        expected: dict[str, Any] | None = None,
    ) -> Record:
        """Change fields of a record (None clears an optional field); audited as ``edit``.

        ``changes`` may be typed as text (a form, the command line): see ``models.from_text``.
        ``expected`` is the record as the caller loaded it (``to_interchange()``): if the stored
        record differs, someone changed it meanwhile and nothing is written (no lost update).
        """
        from assurance import workflow

        if changes.get("withdrawn") is not None or changes.get("withdrawn_reason") is not None:
            raise InputError(
                "records are withdrawn with `withdraw`, which records a reason", field="withdrawn"
            )
        self._check_audited(reason)
        with write_transaction(self.conn):
            before = self.require(type_name, record_id)
            if expected is not None and before.to_interchange() != expected:
                raise InputError(
                    f"{type_name} {record_id} was changed by someone else since you "
                    "opened it; nothing was saved: reopen it to see the change"
                )
            if before.withdrawn is not None:
                raise InputError(f"{type_name} {record_id} is withdrawn; it can no longer change")
            if "id" in changes and changes["id"] != record_id:
                raise InputError(
                    "an id cannot change (withdraw the record and add a new one)", field="id"
                )
            data = {
                **before.model_dump(mode="json", exclude_none=True),
                **(before.model_extra or {}),
            }
            for name, value in changes.items():
                if value is None:
                    data.pop(name, None)
                else:
                    data[name] = value
            after = validate(type_name, data, self.policy)
            workflow.check(self, after, before)
            self._update(after)
            audit.record(
                self.conn,
                actor=self.actor,
                entity=type_name,
                entity_id=record_id,
                action="edit",
                before=before.to_interchange(),
                after=after.to_interchange(),
                reason=reason,
                clock=self.clock,
            )
        return after

    def withdraw(
        self, type_name: str, record_id: str, *, reason: str, at: dt.datetime | None = None
    ) -> Record:
        """Withdraw a record (never deleted); the reason is kept on it and in the trail.

        A decision whose withdrawal would leave its subject's chain breaking the transitions
        is refused (withdraw the later decisions first).
        """
        from assurance import workflow

        if not reason or not reason.strip():
            raise InputError("withdrawing a record needs a reason", field="reason")
        self._check_audited(reason)
        with write_transaction(self.conn):
            before = self.require(type_name, record_id)
            if before.withdrawn is not None:
                raise InputError(f"{type_name} {record_id} is already withdrawn")
            after = before.model_copy(
                update={
                    "withdrawn": (at or self.clock()).replace(microsecond=0),
                    "withdrawn_reason": reason.strip(),
                }
            )
            workflow.check_withdrawal(self, after, before)
            self._update(after)
            audit.record(
                self.conn,
                actor=self.actor,
                entity=type_name,
                entity_id=record_id,
                action="withdraw",
                before=before.to_interchange(),
                after=after.to_interchange(),
                reason=reason,
                clock=self.clock,
            )
        return after

    def add_many(
        self,
        records: list[Record],
        *,
        reason: str | None = None,
        where: list[tuple[str, int]] | None = None,
    ) -> None:
        """Add records in one transaction with one audit event each (imports).

        The batch is checked (``workflow.check_batch``: ids, references, the workflow, across
        the batch and the register) under the write lock, before anything is written; problems
        name ``where`` each record came from (file, line). Any failure rolls it all back.
        """
        from assurance import workflow

        self._check_audited(reason)
        by_table: dict[str, list[Record]] = {}
        for record in records:
            by_table.setdefault(record.table, []).append(record)
        with _page_cache(self.conn, len(records)), write_transaction(self.conn):
            problems = workflow.check_batch(
                self, records, where or [("batch", index) for index in range(1, len(records) + 1)]
            )
            if problems:
                raise InputErrors(problems)
            # The chain's tail is read under the write lock: another writer may have moved it.
            appender = audit.Appender(self.conn, self.actor, at=self.clock())
            for type_name, model in RECORD_TYPES.items():
                batch = by_table.get(model.table, [])
                if not batch:
                    continue
                names = row_columns(model)
                sql = (
                    f"INSERT INTO {model.table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' for _ in names)})"
                )
                # One model_dump per record serves both the row and its audit event.
                rows = []
                to_values, add_event = interchange_to_row, appender.add
                for record in batch:
                    state = record.to_interchange()
                    rows.append(to_values(model, state))
                    add_event(type_name, record.id, "import", None, state, reason)
                try:
                    self.conn.executemany(sql, rows)
                except sqlite3.IntegrityError as exc:
                    raise _integrity_error(type_name, exc) from None
            appender.flush()

    # -- the audit trail -----------------------------------------------------------------
    def _plain_rows(self, sql: str) -> sqlite3.Cursor:
        """Rows as tuples (not sqlite3.Row): cheaper over a whole table."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql)

    def audit_states(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for type_name, model in RECORD_TYPES.items():
            cursor = self._plain_rows(f"SELECT * FROM {model.table}")
            names = [column[0] for column in cursor.description]
            for row in cursor:
                state = row_state(type_name, row, names)
                yield type_name, state["id"], state
        from assurance.evidence import (
            audit_states as evidence_states,  # evidence files, audited alike
        )

        yield from evidence_states(self.conn)

    def interchange_objects(self) -> Iterator[dict[str, Any]]:
        """Every record's interchange object, withdrawn ones too, in reference order and by id.

        Read from the rows as stored (keys in the model's order, extras last, as
        ``to_interchange`` has them), without re-validating: rows are only written from
        validated models, and a row changed behind ssc's back is for ``verify_audit`` to find.
        """
        for type_name, model in RECORD_TYPES.items():
            names = row_columns(model)
            for row in self._plain_rows(
                f"SELECT {', '.join(names)} FROM {model.table} ORDER BY id"
            ):
                yield row_state(type_name, row, names)

    def verify_audit(
        self, expect_head: str | None = None, expect_count: int | None = None
    ) -> audit.Tampering | None:
        """The first disagreement between the trail, its head, the schema and everything the
        register keeps (records and the CPA register), or None (see ``audit.verify_register``)."""
        return audit.verify_register(self.conn, expect_head=expect_head, expect_count=expect_count)


def audit_states(
    conn: sqlite3.Connection,
) -> tuple[Iterable[str], Iterator[tuple[str, str, dict[str, Any]]]]:
    """The records' audited kinds and current states (the ``register`` component's, core.db)."""
    factory = conn.row_factory
    register = Register(conn, actor="", policy=default_policy())
    conn.row_factory = factory  # the caller's connection, as it was
    return RECORD_TYPES, register.audit_states()


def _integrity_error(type_name: str, exc: sqlite3.IntegrityError) -> InputError:
    """What a constraint the store keeps (behind the workflow's own checks) says, for people."""
    text = str(exc)
    if "UNIQUE" in text or "PRIMARY KEY" in text:
        return InputError(
            f"a {type_name} with that id is already in the register; nothing was written",
            field="id",
        )
    if "namespace" in text:
        return InputError(f"{text}; nothing was written", field="id")
    return InputError(
        f"{type_name}: refers to a record that does not exist ({text}); nothing was written"
    )


def validate(type_name: str, data: dict[str, Any], policy: RegisterPolicy | None = None) -> Record:
    """Validate one record's fields, given as people type them (text), into its model.

    Text is all a form or the command line can say, so a whole number given as text is taken
    as the number (``models.from_text``); dates stay ``YYYY-MM-DD`` text. InputErrors name the
    first bad field.
    """
    model = RECORD_TYPES.get(type_name)
    if model is None:
        raise InputError(
            f"unknown record type {type_name!r}; expected one of {', '.join(RECORD_TYPES)}",
            field="type",
        )
    problem = unicode_problem(data)
    if problem is not None:
        raise InputError(problem[1], field=problem[0])
    try:
        return model.model_validate(
            from_text(model, data), context={"policy": policy or default_policy()}
        )
    except ValidationError as exc:
        field, message = field_errors(exc)[0]
        raise InputError(message, field=field) from None
