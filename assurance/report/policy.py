"""The Panel report's wording policy (policies/report.toml), validated against the register's."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import policies
from assurance.models import RECORD_TYPES
from assurance.policy import RegisterPolicy, default_policy
from ssc.errors import InputError

#: The report's invariants (spec/cli.md), which policy may tighten and never loosen.
MAIN_CEILING_AT_MOST = "GREEN"
APPENDIX_AT_LEAST = "RED"


class PolicyKeyError(ValueError):
    """A policy value that breaks an invariant, naming its key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


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


class Guard(_Strict):
    """What the tripwire counts as distinctive (see assurance/report/guard.py)."""

    #: Words after a Party's name that a reader drops ("Pennine Power Supply plc" -> "Pennine
    #: Power Supply"); the name is searched for with and without them.
    legal_suffixes: list[str]
    #: A number of a restricted record is distinctive from this many digits...
    min_digits: int = Field(ge=1)
    #: ...and this many significant digits (2,400,000 is a round figure; 1,150,000 is not).
    min_significant_digits: int = Field(ge=1)
    #: Date fields that are public even on a RED record ("type.field"): SSC meeting dates.
    public_dates: list[str]


class Docx(_Strict):
    """House style of the Word papers (issue 14): what the Panel's papers look like."""

    creator: str
    font: str
    font_size: float = Field(gt=0, le=72)
    #: Page margins in centimetres.
    margin_cm: float = Field(gt=0, le=10)


class ReportPolicy(_Strict):
    paper: Paper
    classification: dict[str, Level]
    words: Words
    sections: list[Section]
    compliance: Compliance
    highlights: Highlights
    roles: Roles
    appendix: Appendix
    guard: Guard
    docx: Docx
    sources: tuple[str, ...] = ()

    def check_against(self, register: RegisterPolicy) -> None:
        """Raise PolicyKeyError where this policy names what the register policy does not know,
        or would break the report's invariants (spec/cli.md: main part at most GREEN, Appendix
        A RED): no policy file can loosen either."""
        order = register.classification.order
        for level in [*self.classification, self.paper.main_ceiling, self.appendix.classification]:
            if level not in order:
                raise ValueError(f"classification {level!r} is not one of {order}")
        for bound in (MAIN_CEILING_AT_MOST, APPENDIX_AT_LEAST):
            if bound not in order:
                raise PolicyKeyError("register.classification.order",
                                     f"must include {bound} (the report's invariants are stated in it)")
        if order.index(self.paper.main_ceiling) > order.index(MAIN_CEILING_AT_MOST):
            raise PolicyKeyError("report.paper.main_ceiling",
                                 f"the main part may be at most {MAIN_CEILING_AT_MOST}, "
                                 f"not {self.paper.main_ceiling} (Appendix A carries the rest)")
        if order.index(self.appendix.classification) < order.index(APPENDIX_AT_LEAST):
            raise PolicyKeyError("report.appendix.classification",
                                 f"Appendix A is at least {APPENDIX_AT_LEAST}, "
                                 f"not {self.appendix.classification}")
        for field in self.guard.public_dates:
            type_name, _, name = field.partition(".")
            model = RECORD_TYPES.get(type_name)
            if model is None or name not in model.model_fields:
                raise PolicyKeyError("report.guard.public_dates", f"unknown field {field!r}")
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
    except PolicyKeyError as exc:
        raise InputError(exc.message, path=sources[-1], field=exc.key) from None
    except ValueError as exc:
        raise InputError(str(exc), path=sources[-1]) from None
    return policy


@functools.cache
def default_report_policy() -> ReportPolicy:
    """The report policy in force for this process."""
    return load_report_policy()
