"""The fields of a record's form, read from its model, with the choices the policy allows."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass

from assurance.models import RECORD_TYPES, Record
from assurance.policy import RegisterPolicy
from tui import present

#: Never edited in a form: withdrawal has its own action, which asks for a reason.
_HIDDEN = {"withdrawn", "withdrawn_reason"}
_LONG = {"description", "action", "summary", "conditions", "notes", "text"}


label = present.field_label
choice_label = present.words


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    #: text, long, int, date, choice, multi or reference.
    kind: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    #: For a reference: the record type it names (party, assessment, letter).
    reference: str | None = None


def _base(annotation) -> type:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base(args[0])
    return typing.get_origin(annotation) or annotation


def _choices(
    type_name: str, name: str, policy: RegisterPolicy, current: Record | None
) -> tuple[tuple[str, str], ...]:
    if name == "classification":
        return tuple((level, level) for level in policy.classification.order)
    if name == "roles":
        return tuple((label, code) for code, label in policy.roles.items())
    if name == "kind":
        return tuple((f"{k.abbreviation} — {k.name}", code) for code, k in policy.kinds.items())
    if name == "severity":
        return tuple((choice_label(s), s) for s in policy.findings.severities)
    if name == "committee":
        return tuple((label, code) for code, label in policy.highlights.committees.items())
    rules = policy.types.get(type_name)
    if rules is not None and name in rules.choices:  # a type's own vocabularies (register.toml)
        return tuple((label, code) for code, label in rules.choices[name].items())
    if (
        rules is not None
        and rules.workflow is not None
        and name == RECORD_TYPES[type_name].descriptor.status_field
    ):
        statuses = rules.workflow.statuses
        codes = (
            list(statuses) if current is None else rules.workflow.allowed(getattr(current, name))
        )
        return tuple((statuses[code], code) for code in codes)
    if type_name == "finding" and name == "status":
        if current is None:
            return tuple((choice_label(s), s) for s in policy.findings.statuses)
        now: str = getattr(current, "status", "")  # a finding's: every finding has one
        allowed = [now, *policy.findings.transitions.get(now, [])]
        return tuple((choice_label(s), s) for s in allowed)
    return ()


def form_fields(
    type_name: str, policy: RegisterPolicy, current: Record | None = None
) -> list[FormField]:
    """The form of a record type: its model's fields in order, ids first."""
    model = RECORD_TYPES[type_name]
    fields = []
    for name, info in model.model_fields.items():
        if name in _HIDDEN:
            continue
        base = _base(info.annotation)
        choices = _choices(type_name, name, policy, current)
        reference = model.references.get(name)
        if reference:
            kind = "reference"
        elif base is list:
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
        if name == "id" and current is None:
            required = False  # left empty, ``add_record`` gives the next free id
        fields.append(FormField(name, label(name), kind, required, choices, reference))
    # The classification has a default per type: last, so the form starts at what to type.
    return sorted(fields, key=lambda f: f.name == "classification")
