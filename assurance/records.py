"""What the `ssc <type> add|edit|list|show` and `ssc decide` commands do, one function each, over a Register.

Fields come as ``FIELD=VALUE`` assignments (lists comma- or semicolon-separated, an empty value
clears a field), so the command line stays the same for every record type and for extra fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assurance.descriptors import DESCRIPTORS
from assurance.models import RECORD_TYPES, Decision, Record, list_fields, unicode_problem
from core import audit
from core.errors import InputError

if TYPE_CHECKING:
    from assurance.policy import RegisterPolicy
    from assurance.store import Register

#: Fields that hold lists (the same as CSV's `;`-separated columns), read from the models.
LIST_FIELDS = list_fields()


def model_for(type_name: str) -> type[Record]:
    model = RECORD_TYPES.get(type_name)
    if model is None:
        raise InputError(
            f"unknown record type {type_name!r}; expected one of {', '.join(RECORD_TYPES)}"
        )
    return model


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``["name=Fenland", "roles=a,b", "contact="]`` → fields; an empty value means "clear"."""
    fields: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().removeprefix("--").replace("-", "_")
        if not sep or not name:
            raise InputError(f"expected FIELD=VALUE, got {item!r}", field=name or None)
        if name in ("type", "withdrawn", "withdrawn_reason"):
            raise InputError(
                "cannot be set here (withdraw a record with `withdraw --reason`)", field=name
            )
        value = value.strip()
        problem = unicode_problem(value, name)
        if problem is not None:
            raise InputError(problem[1], field=name)
        if value == "":
            fields[name] = None
        elif name in LIST_FIELDS:
            fields[name] = [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
        else:
            fields[name] = value
    return fields


def new_id(register: Register, type_name: str) -> str:
    """The next free id of the form P0001, D0042… for a record added without one.

    Call it inside the write transaction that adds the record (as :func:`add_record` does):
    read under the lock, the number cannot be taken by another writer before the insert.
    Assessments and letters share one namespace, so both tables are asked.
    """
    from assurance.workflow import SUBJECT_TYPES

    model = model_for(type_name)
    prefix = model.descriptor.id_prefix
    tables = (
        [RECORD_TYPES[t].table for t in SUBJECT_TYPES]
        if type_name in SUBJECT_TYPES
        else [model.table]
    )
    number = register.conn.execute(f"SELECT COUNT(*) FROM {model.table}").fetchone()[0] + 1
    while any(
        register.conn.execute(
            f"SELECT 1 FROM {table} WHERE id = ?", (f"{prefix}{number:04d}",)
        ).fetchone()
        for table in tables
    ):
        number += 1
    return f"{prefix}{number:04d}"


def add_record(
    register: Register, type_name: str, fields: dict[str, Any], *, reason: str | None = None
) -> Record:
    """Validate and add one record (an id is generated if none is given), in one transaction.

    Fields may be text (``models.from_text``). The id is generated, and the record checked
    against the workflow, under the write lock, so concurrent adds get distinct ids.
    """
    from assurance.store import validate
    from core.db import write_transaction

    data = {name: value for name, value in fields.items() if value is not None}
    model_for(type_name)
    with write_transaction(register.conn):
        if "id" not in data:
            data["id"] = new_id(register, type_name)
        record = validate(type_name, data, register.policy)
        return register.add(record, reason=reason)


def edit_record(
    register: Register,
    type_name: str,
    record_id: str,
    fields: dict[str, Any],
    *,
    reason: str | None = None,
    expected: dict[str, Any] | None = None,
) -> Record:
    """Change the given fields; ``expected`` (the record as loaded) refuses a stale edit."""
    model_for(type_name)
    if not fields:
        raise InputError("nothing to change: give FIELD=VALUE (an empty value clears a field)")
    return register.edit(type_name, record_id, fields, reason=reason, expected=expected)


def list_records(
    register: Register, type_name: str, filters: dict[str, Any], *, include_withdrawn: bool = False
) -> list[Record]:
    """Records whose fields equal the filters (a list field: contains the value)."""
    model = model_for(type_name)
    clauses, params = [], []
    for name, value in filters.items():
        if name not in model.model_fields:
            raise InputError(
                f"{type_name} has no field {name!r}; filter on one of "
                f"{', '.join(model.model_fields)}",
                field=name,
            )
        if value is None:
            clauses.append(f"{name} IS NULL")
        elif name in LIST_FIELDS:
            for part in value:
                clauses.append(f"EXISTS (SELECT 1 FROM json_each({name}) WHERE value = ?)")
                params.append(part)
        else:
            clauses.append(f"{name} = ?")
            params.append(value)
    return register.records(
        type_name,
        include_withdrawn=include_withdrawn,
        where=" AND ".join(clauses) or None,
        params=params,
    )


@dataclass
class RecordView:
    """One record with the records that refer to it or it refers to, and its audit history."""

    record: Record
    related: list[Record] = field(default_factory=list)
    history: list[audit.AuditEvent] = field(default_factory=list)


#: Who refers to a record of each type: type -> [(referring type, field)], from the descriptors.
_REFERRED_BY: dict[str, list[tuple[str, str]]] = {}
for _model in RECORD_TYPES.values():
    for _field, _targets in _model.descriptor.all_references.items():
        for _target in _targets:
            _REFERRED_BY.setdefault(_target, []).append((_model.type_name, _field))


def show_record(register: Register, type_name: str, record_id: str) -> RecordView:
    record = register.require(type_name, record_id)
    related: list[Record] = []
    for field_name, target_types in record.descriptor.all_references.items():
        target = getattr(record, field_name)
        for target_type in target_types:
            if target and (found := register.get(target_type, target)) is not None:
                related.append(found)
    for referring, field_name in _REFERRED_BY.get(type_name, []):
        related.extend(
            register.records(
                referring, include_withdrawn=True, where=f"{field_name} = ?", params=[record_id]
            )
        )
    history = list(audit.events(register.conn, entity=type_name, entity_id=record_id))
    return RecordView(record, related, history)


@dataclass
class DecisionOutcome:
    decision: Decision
    #: What follows from it, in words: a follow-up due, the Panel to be told, conditions to track.
    consequences: list[str]


def decide(
    register: Register,
    subject: str,
    *,
    status: str,
    date: dt.date,
    conditions: str | None = None,
    notes: str | None = None,
    decision_id: str | None = None,
    reason: str | None = None,
) -> DecisionOutcome:
    """Record the status the SSC set on an assessment or letter, and say what follows."""
    from assurance import workflow
    from assurance.due import add_months
    from core.db import write_transaction

    data = {
        "subject": subject,
        "status": status,
        "date": date.isoformat(),
        "conditions": conditions,
        "notes": notes,
    }
    if decision_id:
        data["id"] = decision_id
    from assurance.evidence import decision_basis  # the state it applied to, for `due` to watch

    with write_transaction(register.conn):  # what follows is read from the state it was decided on
        data.update(decision_basis(register, subject))
        decision = add_record(register, "decision", data, reason=reason)
        assert isinstance(decision, Decision)
        vocabulary, target = workflow.subject_vocabulary(register, subject)
    policy = register.policy
    rule = policy.status(vocabulary, status)
    said = [f"{rule.name} recorded for {target.type_name} {subject} ({decision.id})"]
    if rule.requires_follow_up:
        due = add_months(date, policy.deadlines.follow_up_months_after_decision)
        said.append(
            f"a follow-up FUSA for Party {getattr(target, 'party', '?')} is now due, "
            f"by {due.isoformat()}"
        )
    if rule.requires_conditions:
        said.append(f"conditions to track: {decision.conditions}")
    if rule.notify_panel:
        said.append("the SSC notifies the Panel of this Compliance Status")
    return DecisionOutcome(decision, said)


def supersede_decision(
    register: Register,
    wrong_id: str,
    *,
    status: str,
    date: dt.date,
    reason: str | None,
    subject: str | None = None,
    conditions: str | None = None,
    notes: str | None = None,
    decision_id: str | None = None,
    expected: dict[str, Any] | None = None,
) -> DecisionOutcome:
    """Correct decision ``wrong_id``: withdraw it with ``reason`` and record the right one, in one
    transaction (``ssc decide SUBJECT --supersedes ID``, the TUI's correction).

    Never an edit of its status or date: the wrong decision stays in the register (withdrawn,
    with the reason), the new one says in its notes which it supersedes, and both are in the
    audit trail. The new decision passes the workflow rules as if the wrong one had never been
    taken (its withdrawal comes first). ``subject``, if given, must be the wrong decision's;
    ``expected`` (the decision as the caller showed it) refuses a change made meanwhile.
    """
    from core.db import write_transaction

    if not reason or not reason.strip():
        raise InputError(
            "correcting a decision needs a reason (kept in the audit trail)", field="reason"
        )
    with write_transaction(register.conn):
        wrong = register.require("decision", wrong_id)
        assert isinstance(wrong, Decision)
        if subject is not None and subject != wrong.subject:
            raise InputError(
                f"decision {wrong_id} is on {wrong.subject}, not {subject}", field="subject"
            )
        if wrong.withdrawn is not None:
            raise InputError(
                f"decision {wrong_id} is already withdrawn; nothing was saved", field="supersedes"
            )
        if expected is not None and wrong.to_interchange() != expected:
            raise InputError(
                f"decision {wrong_id} was changed by someone else since you opened "
                "it; nothing was saved: reopen it to see the change"
            )
        register.withdraw("decision", wrong_id, reason=f"superseded: {reason.strip()}")
        said = f"supersedes {wrong.id} ({wrong.date}, {wrong.status})"
        return decide(
            register,
            wrong.subject,
            status=status,
            date=date,
            conditions=conditions or None,
            notes=f"{said}; {notes}" if notes else said,
            decision_id=decision_id,
            reason=reason.strip(),
        )


def descriptor_problems(model: type[Record], policy: RegisterPolicy) -> list[str]:
    """What a record type's descriptor lacks or gets wrong, each as one sentence naming the
    type and the attribute (tests/test_record_types.py asserts there is none)."""
    import datetime as dt
    import shlex

    d = model.descriptor
    fields = model.model_fields
    where = f"record type {d.name!r}"
    problems = []

    def is_date(name: str) -> bool:
        annotation = fields[name].annotation
        import typing

        return dt.date in {
            typing.get_origin(a) and typing.get_args(a)[0] or a
            for a in (annotation, *typing.get_args(annotation))
        }

    for attribute in ("label", "plural", "id_prefix", "help", "example"):
        if not getattr(d, attribute):
            problems.append(f"{where}: descriptor.{attribute} is empty")
    others = [o for o in DESCRIPTORS.values() if o.name != d.name]
    if d.id_prefix and any(o.id_prefix == d.id_prefix for o in others):
        problems.append(f"{where}: descriptor.id_prefix {d.id_prefix!r} is another type's")
    if any(o.table == d.table for o in others):
        problems.append(f"{where}: descriptor.table {d.table!r} is another type's")
    for attribute in ("list_columns", "tui_columns", "choice_fields"):
        for name in getattr(d, attribute):
            if name not in fields:
                problems.append(f"{where}: descriptor.{attribute} names {name!r}, not a field")
    if not d.list_columns or not d.tui_columns:
        problems.append(f"{where}: descriptor.list_columns and tui_columns are needed")
    for name, targets in d.all_references.items():
        if name not in fields:
            problems.append(f"{where}: descriptor reference {name!r} is not a field")
        for target in targets:
            if target not in DESCRIPTORS:
                problems.append(f"{where}: reference {name!r} names {target!r}, not a record type")
    for attribute in ("date_field", "closed_field", "due_field"):
        name = getattr(d, attribute)
        if name is not None and (name not in fields or not is_date(name)):
            problems.append(f"{where}: descriptor.{attribute} {name!r} is not a date field")
    if d.panel_count is not None and d.date_field is None:
        problems.append(f"{where}: descriptor.date_field is needed: the report counts the month's")
    if (d.due_field is None) != (d.due_category is None):
        problems.append(f"{where}: descriptor.due_field and due_category go together")
    if d.status_field is not None and d.status_field not in fields:
        problems.append(f"{where}: descriptor.status_field {d.status_field!r} is not a field")
    if d.party_field is not None and d.party_field not in fields:
        problems.append(f"{where}: descriptor.party_field {d.party_field!r} is not a field")
    if d.name not in policy.classification.default:
        problems.append(f"{where}: register.toml [classification.default] has no {d.name}")
    # A finding's workflow predates [types]: it is register.toml's [findings] (spec'd, overridable).
    if d.choice_fields or (d.status_field and d.name != "finding"):
        rules = policy.types.get(d.name)
        if rules is None:
            problems.append(f"{where}: register.toml has no [types.{d.name}]")
        elif d.status_field and rules.workflow is None:
            problems.append(f"{where}: register.toml has no [types.{d.name}.workflow]")
    if d.example:
        from assurance.store import validate
        from core.errors import InputError

        try:
            data = {"id": "EXAMPLE", **parse_assignments(shlex.split(d.example))}
            validate(d.name, data, policy)
        except (InputError, ValueError) as exc:
            problems.append(f"{where}: descriptor.example does not validate ({exc})")
    return problems
