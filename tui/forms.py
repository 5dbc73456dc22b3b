"""The fields of a record's form, read from its model, with the choices the policy allows."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass

from assurance.models import RECORD_TYPES, Record
from assurance.policy import RegisterPolicy

#: Never edited in a form: withdrawal has its own action, which asks for a reason.
_HIDDEN = {"withdrawn", "withdrawn_reason"}
_LONG = {"description", "action", "summary", "conditions", "notes", "text"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    #: text, long, int, date, choice or multi.
    kind: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()


def _base(annotation) -> type:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base(args[0])
    return typing.get_origin(annotation) or annotation


def _choices(type_name: str, name: str, policy: RegisterPolicy,
             current: Record | None) -> tuple[tuple[str, str], ...]:
    if name == "classification":
        return tuple((level, level) for level in policy.classification.order)
    if name == "roles":
        return tuple((label, code) for code, label in policy.roles.items())
    if name == "kind":
        return tuple((f"{k.abbreviation} — {k.name}", code) for code, k in policy.kinds.items())
    if name == "severity":
        return tuple((s, s) for s in policy.findings.severities)
    if name == "committee":
        return tuple((label, code) for code, label in policy.highlights.committees.items())
    if type_name == "finding" and name == "status":
        if current is None:
            return tuple((s, s) for s in policy.findings.statuses)
        now = getattr(current, "status", None)
        allowed = [now, *policy.findings.transitions.get(now, [])]
        return tuple((s, s) for s in allowed)
    return ()


def form_fields(type_name: str, policy: RegisterPolicy,
                current: Record | None = None) -> list[FormField]:
    """The form of a record type: its model's fields in order, ids first."""
    model = RECORD_TYPES[type_name]
    fields = []
    for name, info in model.model_fields.items():
        if name in _HIDDEN:
            continue
        base = _base(info.annotation)
        choices = _choices(type_name, name, policy, current)
        if base is list:
            kind = "multi"
        elif choices:
            kind = "choice"
        elif base is dt.date:
            kind = "date"
        elif base is int:
            kind = "int"
        elif name in _LONG:
            kind = "long"
        else:
            kind = "text"
        required = info.is_required() and name != "classification"
        fields.append(FormField(name, name.replace("_", " ").capitalize(), kind, required, choices))
    return fields


def suggest_id(conn, type_name: str, prefix: str) -> str:
    """A free id such as ``P0042`` for a new record (the user may type another)."""
    table = RECORD_TYPES[type_name].table
    (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    number = count + 1
    while conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (f"{prefix}{number:04d}",)).fetchone():
        number += 1
    return f"{prefix}{number:04d}"


ID_PREFIXES = {"party": "P", "assessment": "A", "letter": "L", "decision": "D",
               "finding": "F", "highlight": "H"}
