"""Pydantic models of the register's records, as the interchange format (spec/interchange.md) has them.

Vocabularies (roles, kinds, statuses, severities, classifications) are checked against the
register policy, passed as validation context ``{"policy": RegisterPolicy}`` (the default policy
otherwise), so the lists live in policies/ and not here. Fields beyond the spec's are kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assurance.descriptors import DESCRIPTORS, RecordType
from assurance.policy import RegisterPolicy, default_policy


class FieldError(ValueError):
    """A check across fields that still belongs to one field, for errors that name it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs from a pydantic error, for people (file:line: field: message)."""
    pairs = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            pairs.append((cause.field, cause.message))
            continue
        field = ".".join(str(part) for part in error["loc"]) or "(record)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is required"
        elif error["type"] == "extra_forbidden":
            message = "is not a known field"
        elif error["type"] == "string_pattern_mismatch" and field == "id":
            message = "must not contain control characters (line breaks, tabs, NUL)"
        pairs.append((field, message))
    return pairs


#: SQLite's INTEGER range: a number beyond it could not be stored as it is.
SQLITE_MIN_INTEGER, SQLITE_MAX_INTEGER = -(2**63), 2**63 - 1


def json_kind(value: Any) -> str:
    """What a JSON value is, in words, for messages (``True`` is a boolean, not a number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    kinds: dict[type, str] = {list: "a list", dict: "an object"}
    return kinds.get(type(value), type(value).__name__)


def _integer(value: Any) -> Any:
    """A JSON integer within SQLite's range: not a boolean, a float or text (the interchange is typed)."""
    if type(value) is not int:  # bool is a subclass of int: refused with the rest
        if value is None:
            return value
        raise ValueError(f"expected a whole number (a JSON integer), got {json_kind(value)}")
    if not SQLITE_MIN_INTEGER <= value <= SQLITE_MAX_INTEGER:
        raise ValueError("is beyond the 64-bit range a register can store")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: Any) -> Any:
    """A ``YYYY-MM-DD`` string (never a number: 0 is not 1970-01-01, nor a timestamp)."""
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date in the calendar") from None
        raise ValueError(f"expected a date as YYYY-MM-DD, got {json_kind(value)}")
    if value is None or type(value) is dt.date:
        return value
    raise ValueError(f"expected a date as a YYYY-MM-DD string, got {json_kind(value)}")


_ISO_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _timestamp(value: Any) -> Any:
    """An ISO 8601 timestamp string (as ssc writes `withdrawn`), never a number."""
    if isinstance(value, str):
        if _ISO_TIMESTAMP.fullmatch(value):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a time in the calendar") from None
        raise ValueError(
            f"expected an ISO 8601 timestamp such as 2020-01-10T09:30:00Z, got {json_kind(value)}"
        )
    if value is None or isinstance(value, dt.datetime):
        return value
    raise ValueError(f"expected an ISO 8601 timestamp string, got {json_kind(value)}")


#: The interchange's strict types (spec/interchange.md): checked before pydantic's own,
#: which would otherwise take ``true`` for 1, ``1.0`` for 1 and ``0`` for 1970-01-01.
Integer = Annotated[int, BeforeValidator(_integer)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Timestamp = Annotated[dt.datetime, BeforeValidator(_timestamp)]

#: An id: any text without control characters (they would break lines and messages).
_ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"

_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]{1,20}\s*")


@functools.cache
def integer_fields(model: type[Record]) -> frozenset[str]:
    """The fields of ``model`` that hold an Integer."""

    def holds_integer(annotation: Any) -> bool:
        if annotation is Integer:
            return True
        return any(holds_integer(arg) for arg in typing.get_args(annotation))

    return frozenset(
        name for name, info in model.model_fields.items() if holds_integer(info.annotation)
    )


def from_text(model: type[Record], fields: dict[str, Any]) -> dict[str, Any]:
    """Fields typed as text (a CSV cell, a command-line FIELD=VALUE, a form) as interchange values.

    Text is all such sources can say, so a whole number written as text becomes the number;
    anything else is left for validation to refuse with its message.
    """
    numbers = integer_fields(model)
    if not numbers.intersection(fields):
        return fields
    converted = dict(fields)
    for name in numbers.intersection(fields):
        value = converted[name]
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            converted[name] = int(value)
    return converted


_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_problem(value: Any, where: str = "") -> tuple[str, str] | None:
    """(field, message) for the first text in ``value`` (keys too) that SQLite and UTF-8 cannot
    hold: a lone surrogate (JSON's ``"\\ud800"``, or undecodable bytes carried as surrogates)."""
    if isinstance(value, str):
        if not value.isascii() and _SURROGATE.search(value):
            return (
                where or "(record)",
                "contains a lone UTF-16 surrogate, which is not Unicode text",
            )
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and not key.isascii() and _SURROGATE.search(key):
                return where or "(record)", "a field name contains a lone UTF-16 surrogate"
            if (found := unicode_problem(item, inner)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := unicode_problem(item, f"{where}[{index}]")) is not None:
                return found
    return None


_SEC_CLAUSE = re.compile(r"^(?P<section>G\d+)(\.\d+)*(\s*\([a-z0-9]+\))*$")


def _policy(info: ValidationInfo) -> RegisterPolicy:
    context = info.context or {}
    return context.get("policy") or default_policy()


class Record(BaseModel):
    """What every record has: an id unique per type, a classification, and withdrawal."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    #: Everything else ssc knows about the type (assurance.descriptors); set on each model.
    descriptor: ClassVar[RecordType]
    #: The interchange `type` and the SQLite table (the descriptor's, for short).
    type_name: ClassVar[str]
    table: ClassVar[str]
    #: Fields that hold an id of another record: field -> record type.
    references: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        descriptor = cls.__dict__.get("descriptor")
        if descriptor is not None:
            cls.type_name = descriptor.name
            cls.table = descriptor.table
            cls.references = descriptor.references

    id: str = Field(min_length=1, max_length=200, pattern=_ID_PATTERN)
    # Validated when left out too, so an absent classification becomes the type's default
    # here rather than in a model validator (which would cost a setattr per record).
    classification: str | None = Field(default=None, validate_default=True)
    withdrawn: Timestamp | None = None
    withdrawn_reason: str | None = None

    @field_validator("classification")
    @classmethod
    def _known_classification(cls, value: str | None, info: ValidationInfo) -> str:
        policy = _policy(info)
        if value is None:
            return policy.classification.default[cls.type_name]
        value = value.upper()
        order = policy.classification.order
        if value not in order:
            raise ValueError(f"must be one of {', '.join(order)}")
        return value

    def to_interchange(self) -> dict[str, Any]:
        """The record as one JSON Lines object: `type` first, unset optional fields left out
        (an extra field is kept whatever its value, null included)."""
        data = self.model_dump(mode="json", exclude_none=True)
        extra = self.__pydantic_extra__
        if extra and None in extra.values():
            # An extra field given as null is data like any other: kept (exclude_none drops it).
            data.update({name: None for name, value in extra.items() if value is None})
        return {"type": self.type_name, **data}


class Party(Record):
    descriptor = DESCRIPTORS["party"]

    name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    sec_party_id: str | None = None
    domestic_sms: Integer | None = Field(default=None, ge=0)
    non_domestic_sms: Integer | None = Field(default=None, ge=0)
    contact: str | None = None

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str], info: ValidationInfo) -> list[str]:
        known = _policy(info).roles
        for role in roles:
            if role not in known:
                raise ValueError(f"unknown role {role!r}; expected one of {', '.join(known)}")
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice")
        return roles


class Assessment(Record):
    descriptor = DESCRIPTORS["assessment"]

    party: str = Field(min_length=1)
    kind: str
    cycle_year: Integer | None = Field(default=None, ge=1, le=3)
    cio: str | None = None
    fieldwork_start: Date | None = None
    fieldwork_end: Date | None = None
    report_received: Date | None = None
    response_due: Date | None = None
    response_received: Date | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str, info: ValidationInfo) -> str:
        kinds = _policy(info).kinds
        if kind not in kinds:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(kinds)}")
        return kind

    @model_validator(mode="after")
    def _dates_in_order(self) -> Assessment:
        if (
            self.fieldwork_start
            and self.fieldwork_end
            and self.fieldwork_end < self.fieldwork_start
        ):
            raise FieldError("fieldwork_end", "is before fieldwork_start")
        return self


class DirectorsLetter(Record):
    descriptor = DESCRIPTORS["letter"]

    party: str = Field(min_length=1)
    received: Date
    relates_to: str | None = None
    summary: str | None = None


class Decision(Record):
    """An Assurance or Compliance Status (or a letter's approval) the SSC set at a meeting."""

    descriptor = DESCRIPTORS["decision"]

    subject: str = Field(min_length=1)
    date: Date
    status: str = Field(min_length=1)
    conditions: str | None = None
    notes: str | None = None


class Finding(Record):
    """A non-compliance found against SEC G3–G6, with its remediation action."""

    descriptor = DESCRIPTORS["finding"]

    assessment: str = Field(min_length=1)
    sec_ref: str
    title: str = Field(min_length=1)
    severity: str | None = None
    description: str | None = None
    action: str | None = None
    owner: str | None = None
    due: Date | None = None
    status: str = "open"
    closed: Date | None = None

    @field_validator("sec_ref")
    @classmethod
    def _sec_clause(cls, sec_ref: str, info: ValidationInfo) -> str:
        sections = _policy(info).findings.sec_sections
        match = _SEC_CLAUSE.match(sec_ref)
        if not match or match["section"] not in sections:
            raise ValueError(
                f"expected a clause of SEC {', '.join(sections)} such as G5.14 or G4.2(b)"
            )
        return sec_ref

    @model_validator(mode="after")
    def _known_values(self, info: ValidationInfo) -> Finding:
        rules = _policy(info).findings
        if self.severity is not None and self.severity not in rules.severities:
            raise FieldError("severity", f"expected one of {', '.join(rules.severities)}")
        if self.status not in rules.statuses:
            raise FieldError("status", f"expected one of {', '.join(rules.statuses)}")
        if self.status in rules.closed_statuses and self.closed is None:
            raise FieldError("closed", f"a {self.status} finding needs its closing date")
        return self


class Highlight(Record):
    descriptor = DESCRIPTORS["highlight"]

    date: Date
    committee: str
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)

    @field_validator("committee")
    @classmethod
    def _known_committee(cls, committee: str, info: ValidationInfo) -> str:
        known = _policy(info).highlights.committees
        if committee not in known:
            raise ValueError(f"expected one of {', '.join(known)}")
        return committee


class PolicyValues(Record):
    """A record whose vocabularies and status workflow are its type's policy table
    (register.toml ``[types.<name>]``), checked here for every type alike."""

    @model_validator(mode="after")
    def _policy_values(self, info: ValidationInfo) -> PolicyValues:
        problem = type_policy_problem(self, _policy(info))
        if problem is not None:
            raise FieldError(*problem)
        return self


def type_policy_problem(record: Record, policy: RegisterPolicy) -> tuple[str, str] | None:
    """(field, message) for the first value outside the type's policy table, or None."""
    descriptor = record.descriptor
    rules = policy.types.get(descriptor.name)
    if rules is None:  # load_register_policy refuses a policy without it: a test's own policy
        return None
    for name in descriptor.choice_fields:
        value = getattr(record, name)
        known = rules.choices.get(name, {})
        if value is not None and value not in known:
            return name, f"unknown {name} {value!r}; expected one of {', '.join(known)}"
    workflow = rules.workflow
    if descriptor.status_field and workflow is not None:
        status = getattr(record, descriptor.status_field)
        if status not in workflow.statuses:
            return descriptor.status_field, f"expected one of {', '.join(workflow.statuses)}"
        if (
            descriptor.closed_field
            and status in workflow.closed_statuses
            and getattr(record, descriptor.closed_field) is None
        ):
            return descriptor.closed_field, f"a {status} {descriptor.label} needs its closing date"
    return None


class Incident(PolicyValues):
    """A Security Incident the SSC reviews (SEC Appendix AG Incident Management Policy), such as
    the seeds' Major Incident in CSP N, until it is closed."""

    descriptor = DESCRIPTORS["incident"]

    party: str | None = None
    reported: Date
    title: str = Field(min_length=1)
    category: str
    severity: str | None = None
    description: str | None = None
    status: str = "reported"
    next_review: Date | None = None
    closed: Date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Incident:
        if self.closed is not None and self.closed < self.reported:
            raise FieldError("closed", "is before reported")
        return self


def column_type(annotation: Any) -> str:
    """The SQLite column type of a field (its NOT NULL: when the annotation does not allow None)."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    optional = len(args) < len(typing.get_args(annotation))
    base = args[0] if optional and len(args) == 1 else annotation
    sql = "INTEGER" if base is Integer or base is int else "TEXT"
    return sql if optional else f"{sql} NOT NULL"


#: Record types by interchange `type`, in the order that satisfies references.
RECORD_TYPES: dict[str, type[Record]] = {
    model.type_name: model
    for model in (Party, Assessment, DirectorsLetter, Decision, Finding, Highlight, Incident)
}


def list_fields() -> set[str]:
    """Fields that hold lists in any record type (``roles``): `;`-separated in CSV, comma- or
    semicolon-separated on the command line, JSON text in SQLite."""
    return {
        name
        for model in RECORD_TYPES.values()
        for name, info in model.model_fields.items()
        if typing.get_origin(info.annotation) is list
    }


def descriptor(type_name: str) -> RecordType:
    """The descriptor of a record type by name (KeyError for an unknown one)."""
    return RECORD_TYPES[type_name].descriptor
