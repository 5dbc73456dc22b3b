"""The register's policy (policies/register.toml), validated on load so a bad override fails early."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

import policies
from ssc.errors import InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Classification(_Strict):
    order: list[str]
    default: dict[str, str]

    @model_validator(mode="after")
    def _defaults_known(self) -> Classification:
        for record_type, level in self.default.items():
            if level not in self.order:
                raise ValueError(f"default.{record_type}: {level!r} is not one of {self.order}")
        return self

    def rank(self, level: str) -> int:
        """0 for the least restricted level; higher is more restricted."""
        return self.order.index(level)

    def at_most(self, level: str, ceiling: str) -> bool:
        return self.rank(level) <= self.rank(ceiling)


class Kind(_Strict):
    name: str
    plural: str
    abbreviation: str
    statuses: str


class Status(_Strict):
    name: str
    requires_conditions: bool = False
    requires_follow_up: bool = False
    notify_panel: bool = False


class Findings(_Strict):
    sec_sections: list[str]
    severities: list[str]
    statuses: list[str]
    closed_statuses: list[str]
    #: Statuses with no remediation action outstanding (not counted as overdue actions).
    done_statuses: list[str] = ["remediated", "closed"]
    transitions: dict[str, list[str]]


class Highlights(_Strict):
    committees: dict[str, str]


class Schedule(_Strict):
    roles: list[str]
    years: list[str]
    above_threshold: bool = False


class Thresholds(_Strict):
    domestic_sms: int
    non_domestic_sms: int


class Cycle(_Strict):
    years: int = Field(ge=1)
    months_between: int = Field(ge=1)
    thresholds: Thresholds
    schedule: list[Schedule]


class Deadlines(_Strict):
    response_days_after_report: int = Field(ge=0)
    letter_decision_days: int = Field(ge=0)
    follow_up_months_after_decision: int = Field(default=6, ge=0)


class RegisterPolicy(_Strict):
    classification: Classification
    roles: dict[str, str]
    roles_plural: dict[str, str]
    kinds: dict[str, Kind]
    statuses: dict[str, dict[str, Status]]
    transitions: dict[str, dict[str, list[str]]]
    findings: Findings
    highlights: Highlights
    cycle: Cycle
    deadlines: Deadlines
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RegisterPolicy:
        for code, kind in self.kinds.items():
            if kind.statuses not in self.statuses:
                raise ValueError(f"kinds.{code}.statuses: no vocabulary {kind.statuses!r}")
        for vocabulary, table in self.transitions.items():
            known = self.statuses.get(vocabulary)
            if known is None:
                raise ValueError(f"transitions.{vocabulary}: no such status vocabulary")
            for source, targets in table.items():
                for status in [source, *targets]:
                    if status not in known:
                        raise ValueError(f"transitions.{vocabulary}.{source}: unknown status {status!r}")
        for status in [*self.findings.closed_statuses, *self.findings.done_statuses,
                       *self.findings.transitions]:
            if status not in self.findings.statuses:
                raise ValueError(f"findings: unknown status {status!r}")
        for index, schedule in enumerate(self.cycle.schedule):
            if len(schedule.years) != self.cycle.years:
                raise ValueError(f"cycle.schedule[{index}].years: expected {self.cycle.years} kinds")
            for role in schedule.roles:
                if role not in self.roles:
                    raise ValueError(f"cycle.schedule[{index}].roles: unknown role {role!r}")
            for kind in schedule.years:
                if kind not in self.kinds:
                    raise ValueError(f"cycle.schedule[{index}].years: unknown kind {kind!r}")
        return self

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

    def schedule_for(self, roles: list[str], domestic_sms: int | None, non_domestic_sms: int | None) -> list[str] | None:
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


def load_register_policy(override: Path | None = None) -> RegisterPolicy:
    """Read and validate the register policy (shipped defaults, then SSC_POLICY's [register])."""
    data, sources = policies.read("register", override)
    try:
        return RegisterPolicy.model_validate({**data, "sources": tuple(sources)})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], path=sources[-1], field=field or None) from None


@functools.cache
def default_policy() -> RegisterPolicy:
    """The policy in force for this process (cached: policy files do not change mid-run)."""
    return load_register_policy()
