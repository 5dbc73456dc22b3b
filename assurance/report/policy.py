"""The Panel report's wording policy (policies/report.toml), validated against the register's."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

import policies
from assurance.policy import RegisterPolicy, default_policy
from ssc.errors import InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paper(_Strict):
    title: str
    reference: str
    reference_pattern: str
    section_number: int
    section_title: str
    main_ceiling: str

    @field_validator("reference_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        re.compile(pattern)
        return pattern


class Level(_Strict):
    sentence: str
    marking: str


class Words(_Strict):
    up_to: int


class Section(_Strict):
    key: str
    title: str
    zero: str
    one: str
    many: str
    kinds: list[str] = []
    status_noun: tuple[str, str] | None = None
    noun: tuple[str, str] | None = None
    preamble: str | None = None
    mixed: str | None = None
    outcome_one: str | None = None
    outcome_many: str | None = None


class Compliance(_Strict):
    notify: str


class Highlights(_Strict):
    committee_names: dict[str, str]
    none: str


class Roles(_Strict):
    several_one: str
    several_many: str


class Appendix(_Strict):
    letter: str
    title: str
    classification: str
    none: str


class ReportPolicy(_Strict):
    paper: Paper
    classification: dict[str, Level]
    words: Words
    sections: list[Section]
    compliance: Compliance
    highlights: Highlights
    roles: Roles
    appendix: Appendix
    sources: tuple[str, ...] = ()

    def check_against(self, register: RegisterPolicy) -> None:
        """Raise ValueError where this policy names what the register policy does not know."""
        order = register.classification.order
        for level in [*self.classification, self.paper.main_ceiling, self.appendix.classification]:
            if level not in order:
                raise ValueError(f"classification {level!r} is not one of {order}")
        missing = [level for level in order if level not in self.classification]
        if missing:
            raise ValueError(f"classification: no sentence for {', '.join(missing)}")
        for section in self.sections:
            for kind in section.kinds:
                if kind not in register.kinds:
                    raise ValueError(f"sections.{section.key}.kinds: unknown kind {kind!r}")
        for committee in register.highlights.committees:
            if committee not in self.highlights.committee_names:
                raise ValueError(f"highlights.committee_names: no name for {committee!r}")

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


def load_report_policy(override: Path | None = None,
                       register: RegisterPolicy | None = None) -> ReportPolicy:
    """Read and validate the report policy (shipped defaults, then SSC_POLICY's [report])."""
    data, sources = policies.read("report", override)
    try:
        policy = ReportPolicy.model_validate({**data, "sources": tuple(sources)})
        policy.check_against(register or default_policy())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], path=sources[-1], field=field or None) from None
    except ValueError as exc:
        raise InputError(str(exc), path=sources[-1]) from None
    return policy


@functools.cache
def default_report_policy() -> ReportPolicy:
    """The report policy in force for this process."""
    return load_report_policy()
