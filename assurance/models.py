"""Pydantic models of the register's records, as the interchange format (spec/interchange.md) has them.

Vocabularies (roles, kinds, statuses, severities, classifications) are checked against the
register policy, passed as validation context ``{"policy": RegisterPolicy}`` (the default policy
otherwise), so the lists live in policies/ and not here. Fields beyond the spec's are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
        pairs.append((field, message))
    return pairs


_SEC_CLAUSE = re.compile(r"^(?P<section>G\d+)(\.\d+)*(\s*\([a-z0-9]+\))*$")


def _policy(info: ValidationInfo) -> RegisterPolicy:
    context = info.context or {}
    return context.get("policy") or default_policy()


class Record(BaseModel):
    """What every record has: an id unique per type, a classification, and withdrawal."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    #: The interchange `type` and the SQLite table.
    type_name: ClassVar[str]
    table: ClassVar[str]
    #: Fields that hold an id of another record: field -> record type.
    references: ClassVar[dict[str, str]] = {}

    id: str = Field(min_length=1, max_length=200)
    # Validated when left out too, so an absent classification becomes the type's default
    # here rather than in a model validator (which would cost a setattr per record).
    classification: str | None = Field(default=None, validate_default=True)
    withdrawn: dt.datetime | None = None
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
        """The record as one JSON Lines object: `type` first, unset optional fields left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        return {"type": self.type_name, **data}


class Party(Record):
    type_name = "party"
    table = "parties"

    name: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    sec_party_id: str | None = None
    domestic_sms: int | None = Field(default=None, ge=0)
    non_domestic_sms: int | None = Field(default=None, ge=0)
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
    type_name = "assessment"
    table = "assessments"
    references = {"party": "party"}

    party: str = Field(min_length=1)
    kind: str
    cycle_year: int | None = Field(default=None, ge=1, le=3)
    cio: str | None = None
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None
    report_received: dt.date | None = None
    response_due: dt.date | None = None
    response_received: dt.date | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str, info: ValidationInfo) -> str:
        kinds = _policy(info).kinds
        if kind not in kinds:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(kinds)}")
        return kind

    @model_validator(mode="after")
    def _dates_in_order(self) -> Assessment:
        if self.fieldwork_start and self.fieldwork_end and self.fieldwork_end < self.fieldwork_start:
            raise FieldError("fieldwork_end", "is before fieldwork_start")
        return self


class DirectorsLetter(Record):
    type_name = "letter"
    table = "letters"
    references = {"party": "party", "relates_to": "assessment"}

    party: str = Field(min_length=1)
    received: dt.date
    relates_to: str | None = None
    summary: str | None = None


class Decision(Record):
    """An Assurance or Compliance Status (or a letter's approval) the SSC set at a meeting."""

    type_name = "decision"
    table = "decisions"
    # `subject` is an assessment or a letter: resolved by the workflow, not a plain reference.

    subject: str = Field(min_length=1)
    date: dt.date
    status: str = Field(min_length=1)
    conditions: str | None = None
    notes: str | None = None


class Finding(Record):
    """A non-compliance found against SEC G3–G6, with its remediation action."""

    type_name = "finding"
    table = "findings"
    references = {"assessment": "assessment"}

    assessment: str = Field(min_length=1)
    sec_ref: str
    title: str = Field(min_length=1)
    severity: str | None = None
    description: str | None = None
    action: str | None = None
    owner: str | None = None
    due: dt.date | None = None
    status: str = "open"
    closed: dt.date | None = None

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
    type_name = "highlight"
    table = "highlights"

    date: dt.date
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


#: Record types by interchange `type`, in the order that satisfies references.
RECORD_TYPES: dict[str, type[Record]] = {
    model.type_name: model
    for model in (Party, Assessment, DirectorsLetter, Decision, Finding, Highlight)
}
