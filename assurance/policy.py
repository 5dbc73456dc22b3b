"""The register's policy (policies/register.toml), validated on load so a bad override fails early.

Every invariant the code relies on is checked here, each error naming the file and the key
(exit 2): types exactly as TOML gives them (``true`` is not 1), numbers within sane bounds,
every status, role, kind and vocabulary a rule names defined, transitions between known
states only, every record type with a default classification.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core import policy_files
from core.env import shipped
from core.errors import InputError

#: Days and months a rule may name: a century at most (a larger number is a typo, and
#: would overflow date arithmetic far from where it was written).
Days = Annotated[int, Field(ge=0, le=36_500)]
Months = Annotated[int, Field(ge=0, le=1_200)]
#: A code (a key in the data and in the interchange): letters, digits, underscores.
Code = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class PolicyKeyError(ValueError):
    """An invariant broken at one key of the policy (``kinds.FUSA.statuses``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Classification(_Strict):
    order: list[Code] = Field(min_length=1)
    default: dict[Code, str]

    @model_validator(mode="after")
    def _defaults_known(self) -> Classification:
        if len(set(self.order)) != len(self.order):
            raise PolicyKeyError("classification.order", "a level is listed twice")
        for record_type, level in self.default.items():
            if level not in self.order:
                raise PolicyKeyError(
                    f"classification.default.{record_type}", f"{level!r} is not one of {self.order}"
                )
        return self

    def rank(self, level: str) -> int:
        """0 for the least restricted level; higher is more restricted."""
        return self.order.index(level)

    def at_most(self, level: str, ceiling: str) -> bool:
        return self.rank(level) <= self.rank(ceiling)


class Kind(_Strict):
    name: Text
    plural: Text
    abbreviation: Text
    statuses: Code


class Status(_Strict):
    name: Text
    requires_conditions: bool = False
    requires_follow_up: bool = False
    notify_panel: bool = False


class Findings(_Strict):
    #: Sections of the SEC a finding cites, as a clause's first part (G3 in G3.11(b)).
    sec_sections: list[Annotated[str, Field(pattern=r"^G[0-9]{1,3}$")]] = Field(min_length=1)
    severities: list[Code] = Field(min_length=1)
    statuses: list[Code] = Field(min_length=1)
    closed_statuses: list[Code]
    #: Statuses with no remediation action outstanding (not counted as overdue actions).
    done_statuses: list[Code] = ["remediated", "closed"]
    transitions: dict[Code, list[Code]]


class Highlights(_Strict):
    committees: dict[Code, Text] = Field(min_length=1)


class Workflow(_Strict):
    """A record type's status workflow: its statuses, which may follow which, which are done."""

    #: Status code -> name, in the order they are offered.
    statuses: dict[Code, Text] = Field(min_length=1)
    #: Which status an edit may set, from the current one (a status may always stay).
    transitions: dict[Code, list[Code]]
    #: Statuses that need the closing date (the descriptor's ``closed_field``).
    closed_statuses: list[Code] = []
    #: Statuses with nothing outstanding: `ssc due` no longer chases the record.
    done_statuses: list[Code] = []

    @model_validator(mode="after")
    def _known(self) -> Workflow:
        # ValueError, not PolicyKeyError: the error's location names the type's table.
        for key in ("closed_statuses", "done_statuses"):
            for status in getattr(self, key):
                if status not in self.statuses:
                    raise ValueError(f"{key}: unknown status {status!r}")
        for source, targets in self.transitions.items():
            for status in (source, *targets):
                if status not in self.statuses:
                    raise ValueError(f"transitions.{source}: unknown status {status!r}")
        return self

    def allowed(self, current: str) -> list[str]:
        """The statuses an edit may move a record to from ``current`` (itself first)."""
        return [current, *(s for s in self.transitions.get(current, []) if s != current)]


class TypePolicy(_Strict):
    """The rules of one record type (register.toml ``[types.<name>]``): the values each choice
    field may take (code -> name) and its status workflow."""

    choices: dict[Code, Annotated[dict[Code, Text], Field(min_length=1)]] = {}
    workflow: Workflow | None = None


class Schedule(_Strict):
    roles: list[Code] = Field(min_length=1)
    years: list[Code]
    above_threshold: bool = False


class Thresholds(_Strict):
    #: Smart meter counts: bounded by any plausible estate (GB has about 35 million).
    domestic_sms: int = Field(ge=0, le=10**9)
    non_domestic_sms: int = Field(ge=0, le=10**9)


class Cycle(_Strict):
    years: int = Field(ge=1, le=10)
    months_between: int = Field(ge=1, le=120)
    thresholds: Thresholds
    schedule: list[Schedule] = Field(min_length=1)


class Deadlines(_Strict):
    response_days_after_report: Days
    letter_decision_days: Days
    follow_up_months_after_decision: Months = 6


class RegisterPolicy(_Strict):
    classification: Classification
    roles: dict[Code, Text] = Field(min_length=1)
    roles_plural: dict[Code, Text]
    kinds: dict[Code, Kind] = Field(min_length=1)
    statuses: dict[Code, Annotated[dict[Code, Status], Field(min_length=1)]]
    transitions: dict[Code, dict[Code, list[Code]]]
    findings: Findings
    highlights: Highlights
    #: Rules of the record types described generically (assurance.descriptors), by type.
    types: dict[Code, TypePolicy] = {}
    cycle: Cycle
    deadlines: Deadlines
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RegisterPolicy:
        """Every name one table uses is defined in the table it names (first problem raised)."""
        self._roles_consistent()
        self._vocabularies_consistent()
        self._findings_consistent()
        self._schedules_consistent()
        return self

    def _roles_consistent(self) -> None:
        for role in self.roles:
            if role not in self.roles_plural:
                raise PolicyKeyError(f"roles_plural.{role}", "every role needs its plural")
        for role in self.roles_plural:
            if role not in self.roles:
                raise PolicyKeyError(f"roles_plural.{role}", "not a role in [roles]")

    def _vocabularies_consistent(self) -> None:
        """Each kind's status vocabulary exists, the letters' among them; transitions move
        between statuses of their vocabulary."""
        for code, kind in self.kinds.items():
            if kind.statuses not in self.statuses:
                raise PolicyKeyError(
                    f"kinds.{code}.statuses", f"no status vocabulary {kind.statuses!r}"
                )
        if "letter" not in self.statuses:
            raise PolicyKeyError(
                "statuses.letter", "the vocabulary of decisions on Director's Letters is required"
            )
        for vocabulary, table in self.transitions.items():
            known = self.statuses.get(vocabulary)
            if known is None:
                raise PolicyKeyError(f"transitions.{vocabulary}", "no such status vocabulary")
            _check_transitions(f"transitions.{vocabulary}", table, known)

    def _findings_consistent(self) -> None:
        findings = self.findings
        if len(set(findings.statuses)) != len(findings.statuses):
            raise PolicyKeyError("findings.statuses", "a status is listed twice")
        for key in ("closed_statuses", "done_statuses"):
            _require_known(f"findings.{key}", getattr(findings, key), findings.statuses, "status")
        _check_transitions("findings.transitions", findings.transitions, findings.statuses)

    def _schedules_consistent(self) -> None:
        """Each schedule names a kind for every year of the cycle, and only known roles and kinds."""
        for index, schedule in enumerate(self.cycle.schedule):
            key = f"cycle.schedule[{index}]"
            if len(schedule.years) != self.cycle.years:
                raise PolicyKeyError(f"{key}.years", f"expected {self.cycle.years} kinds")
            _require_known(f"{key}.roles", schedule.roles, self.roles, "role")
            _require_known(f"{key}.years", schedule.years, self.kinds, "kind")

    def check_record_types(self, record_types: Mapping[str, type[BaseModel]]) -> None:
        """What the records need of the policy: a default classification for each type, and
        every default value of a field (a finding's status) within its vocabulary."""
        for type_name in record_types:
            if type_name not in self.classification.default:
                raise PolicyKeyError(
                    f"classification.default.{type_name}", "every record type needs a default"
                )
        for type_name in self.classification.default:
            if type_name not in record_types:
                raise PolicyKeyError(f"classification.default.{type_name}", "not a record type")
        default_status = record_types["finding"].model_fields["status"].default
        if default_status not in self.findings.statuses:
            raise PolicyKeyError(
                "findings.statuses", f"must include {default_status!r}, a new finding's status"
            )
        for type_name, model in record_types.items():
            descriptor = getattr(model, "descriptor", None)
            if descriptor is None or not (descriptor.choice_fields or type_name in self.types):
                continue
            rules = self.types.get(type_name)
            if rules is None:
                raise PolicyKeyError(f"types.{type_name}", "the record type's rules are required")
            for name in descriptor.choice_fields:
                if name not in rules.choices:
                    raise PolicyKeyError(f"types.{type_name}.choices.{name}", "is required")
            for name in rules.choices:
                if name not in descriptor.choice_fields:
                    raise PolicyKeyError(
                        f"types.{type_name}.choices.{name}", "not a choice field of the type"
                    )
            status = descriptor.status_field
            if status is not None and type_name in self.types:
                if rules.workflow is None:
                    raise PolicyKeyError(f"types.{type_name}.workflow", "is required")
                default = model.model_fields[status].default
                if default not in rules.workflow.statuses:
                    raise PolicyKeyError(
                        f"types.{type_name}.workflow.statuses",
                        f"must include {default!r}, a new {type_name}'s status",
                    )

    # -- questions the rest of the code asks -------------------------------------------------
    def vocabulary_for_kind(self, kind: str) -> str:
        return self.kinds[kind].statuses

    def status(self, vocabulary: str, code: str) -> Status:
        return self.statuses[vocabulary][code]

    def allowed_statuses(self, vocabulary: str, current: str | None) -> list[str]:
        """The statuses a new decision may set, given the subject's current status (or none)."""
        if current is None:
            return list(self.statuses[vocabulary])
        return list(self.transitions.get(vocabulary, {}).get(current, []))

    def schedule_for(
        self, roles: list[str], domestic_sms: int | None, non_domestic_sms: int | None
    ) -> list[str] | None:
        """The kinds due in years 1..N of the cycle for a Party, or None if no schedule applies."""
        above = (domestic_sms or 0) > self.cycle.thresholds.domestic_sms or (
            non_domestic_sms or 0
        ) > self.cycle.thresholds.non_domestic_sms
        for schedule in self.cycle.schedule:
            if schedule.above_threshold and not above:
                continue
            if set(schedule.roles) & set(roles):
                return list(schedule.years)
        return None


def _require_known(key: str, names: Iterable[str], known: Container[str], what: str) -> None:
    for name in names:
        if name not in known:
            raise PolicyKeyError(key, f"unknown {what} {name!r}")


def _check_transitions(key: str, table: Mapping[str, list[str]], known: Container[str]) -> None:
    """A transition table ``{from: [to, …]}`` names only ``known`` statuses (the source first)."""
    for source, targets in table.items():
        _require_known(f"{key}.{source}", [source, *targets], known, "status")


def load_register_policy(override: Path | None = None) -> RegisterPolicy:
    """Read and validate the register policy (shipped defaults, then ``override``'s [register])."""
    # The models build on the policy: imported here, once both modules exist.
    from assurance.models import RECORD_TYPES

    data, sources = policy_files.read("register", override)
    try:
        policy = RegisterPolicy.model_validate({**data, "sources": tuple(sources)})
        policy.check_record_types(RECORD_TYPES)
    except ValidationError as exc:
        raise policy_error(exc, sources[-1], "register") from None
    except PolicyKeyError as exc:
        raise InputError(exc.message, path=sources[-1], field=f"register.{exc.key}") from None
    return policy


def policy_error(exc: ValidationError, path: str, table: str) -> InputError:
    """A policy's first validation error, naming the file and the key (``register.kinds.X``)."""
    first = exc.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, PolicyKeyError):
        return InputError(cause.message, path=path, field=f"{table}.{cause.key}")
    key = ".".join(str(part) for part in first["loc"])
    message = re.sub(r"^Value error, ", "", first["msg"])
    if first["type"] == "extra_forbidden":
        message = "is not a key this policy knows"
    elif first["type"] == "missing":
        message = "is required"
    return InputError(
        f"{message} (got {_shown(first.get('input'))})"
        if first["type"] not in ("missing", "extra_forbidden")
        else message,
        path=path,
        field=f"{table}.{key}" if key else table,
    )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def default_policy() -> RegisterPolicy:
    """The shipped register policy: the default when a caller passes none (a command passes
    its Environment's, ``env.policy(load_register_policy)``)."""
    return shipped(load_register_policy)
