"""The TUI's one door to the register's writes: each is the package function the CLI calls.

No id is generated and no rule is checked here: ``assurance.records`` does both inside the
write transaction. What this module adds is how a screen uses them: an edit sends only the
fields the user changed, with the record as it was loaded so a change made meanwhile (by the
CLI, another window) is refused rather than overwritten; and a decision can be rehearsed — the
real write, rolled back — so the dialog shows what would follow, and any rule it breaks, before
the user confirms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from assurance import records
from assurance.models import Decision, Record
from assurance.store import Register
from core.db import write_transaction

T = TypeVar("T")


class _Rehearsal(Exception):
    """Raised inside the transaction to roll a rehearsed write back, carrying its result."""

    def __init__(self, result: Any) -> None:
        super().__init__("rehearsal")
        self.result = result


def rehearse(register: Register, write: Callable[[], T]) -> T:
    """``write()``'s result with nothing kept: the same checks, ids and consequences, rolled back.

    The InputError a rule raises comes out as it would from the real write.
    """
    try:
        with write_transaction(register.conn):
            raise _Rehearsal(write())
    except _Rehearsal as done:
        return done.result


def add(
    register: Register, type_name: str, fields: dict[str, Any], *, reason: str | None = None
) -> Record:
    """A new record, as ``ssc <type> add`` adds it (the id generated there if none is given)."""
    return records.add_record(register, type_name, fields, reason=reason)


def changed_fields(loaded: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from the form as it was filled (None clears one)."""
    return {name: value for name, value in now.items() if loaded.get(name) != value}


def edit(
    register: Register, record: Record, changes: dict[str, Any], *, reason: str | None = None
) -> Record:
    """Change only ``changes`` of ``record``, refused if the stored record is no longer ``record``."""
    return records.edit_record(
        register,
        record.type_name,
        record.id,
        changes,
        reason=reason,
        expected=record.to_interchange(),
    )


def decide(
    register: Register,
    subject: str,
    *,
    status: str,
    date: dt.date,
    conditions: str | None = None,
    reason: str | None = None,
) -> records.DecisionOutcome:
    """The SSC's decision, as ``ssc decide`` records it, with what follows from it."""
    return records.decide(
        register, subject, status=status, date=date, conditions=conditions or None, reason=reason
    )


def supersede(
    register: Register,
    wrong: Decision,
    *,
    status: str,
    date: dt.date,
    conditions: str | None = None,
    reason: str,
) -> records.DecisionOutcome:
    """Correct a decision as ``ssc decide --supersedes`` does (``records.supersede_decision``),
    refused if the stored decision is no longer the one the dialog showed."""
    return records.supersede_decision(
        register,
        wrong.id,
        subject=wrong.subject,
        status=status,
        date=date,
        conditions=conditions or None,
        reason=reason,
        expected=wrong.to_interchange(),
    )
