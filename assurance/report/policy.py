"""The Panel report's wording policy (policies/report.toml), validated against the register's."""

from __future__ import annotations

import re
import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assurance.models import RECORD_TYPES
from assurance.policy import (
    PolicyKeyError,
    RegisterPolicy,
    default_policy,
    load_register_policy,
    policy_error,
)
from core import policy_files
from core.env import shipped
from core.errors import InputError

#: The report's invariants (spec/cli.md), which policy may tighten and never loosen.
MAIN_CEILING_AT_MOST = "GREEN"
APPENDIX_AT_LEAST = "RED"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paper(_Strict):
    title: str
    reference: str
    reference_pattern: str
    section_number: int = Field(ge=1, le=99)
    section_title: str
    main_ceiling: str

    @field_validator("reference_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return pattern


class Level(_Strict):
    sentence: str
    marking: str


class Words(_Strict):
    up_to: int = Field(ge=0, le=999)


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


class Counts(_Strict):
    """How a committee's section counts the month's records of one type (``[counts.<key>]``)."""

    type: str
    committee: str
    zero: str
    one: str
    many: str


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


#: What an assessment section's sentences are filled with (wording.assessment_paragraphs).
_ASSESSMENT_VALUES = frozenset({"month", "kinds", "abbreviations", "statuses", "roles", "sections"})


def _check_template(key: str, template: str, allowed: frozenset[str]) -> None:
    """A template is text with ``{name}`` placeholders from ``allowed``: no positions, no
    attributes or indexes (``{month.__class__}``), no format specs, braces balanced."""
    try:
        fields = [
            (name, spec, conversion)
            for _text, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as exc:
        raise PolicyKeyError(
            key, f"not a valid template ({exc}); write a literal brace as {{{{ or }}}}"
        ) from None
    for name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            raise PolicyKeyError(
                key,
                f"unknown placeholder {{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}; this template may use "
                f"{', '.join('{' + a + '}' for a in sorted(allowed))}",
            )


class ReportPolicy(_Strict):
    paper: Paper
    classification: dict[str, Level]
    words: Words
    sections: list[Section]
    compliance: Compliance
    highlights: Highlights
    counts: dict[str, Counts] = {}
    roles: Roles
    appendix: Appendix
    guard: Guard
    docx: Docx
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _templates_known(self) -> ReportPolicy:
        """Each template names only the placeholders the wording fills it with."""
        for key, template, allowed in self._templates():
            if template is not None:
                _check_template(key, template, allowed)
        return self

    def _templates(self) -> list[tuple[str, str | None, frozenset[str]]]:
        templates: list[tuple[str, str | None, frozenset[str]]] = [
            ("paper.reference", self.paper.reference, frozenset({"reference"})),
            ("compliance.notify", self.compliance.notify, frozenset({"statuses", "share"})),
            ("highlights.none", self.highlights.none, frozenset({"committee", "month"})),
            ("roles.several_one", self.roles.several_one, frozenset({"roles"})),
            ("roles.several_many", self.roles.several_many, frozenset({"count", "roles"})),
            ("appendix.none", self.appendix.none, frozenset({"month"})),
        ]
        for key, counts in self.counts.items():
            allowed = frozenset({"month", "records", "statuses", "status"})
            templates += [
                (f"counts.{key}.{name}", getattr(counts, name), allowed)
                for name in ("zero", "one", "many")
            ]
        for index, section in enumerate(self.sections):
            key = f"sections[{index}]"
            if section.kinds:  # a section on assessments (wording.assessment_paragraphs)
                for name in ("zero", "one", "many", "preamble"):
                    templates.append((f"{key}.{name}", getattr(section, name), _ASSESSMENT_VALUES))
            else:  # the Director's Letters section (wording.letter_paragraphs)
                templates += [
                    (f"{key}.zero", section.zero, frozenset({"month", "letters"})),
                    (f"{key}.one", section.one, frozenset({"month", "letters", "outcome"})),
                    (f"{key}.many", section.many, frozenset({"month", "letters", "outcome"})),
                    (f"{key}.mixed", section.mixed, frozenset({"month", "letters", "outcomes"})),
                    (f"{key}.outcome_one", section.outcome_one, frozenset({"count", "outcome"})),
                    (f"{key}.outcome_many", section.outcome_many, frozenset({"count", "outcome"})),
                ]
        return templates

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
                raise PolicyKeyError(
                    "register.classification.order",
                    f"must include {bound} (the report's invariants are stated in it)",
                )
        if order.index(self.paper.main_ceiling) > order.index(MAIN_CEILING_AT_MOST):
            raise PolicyKeyError(
                "report.paper.main_ceiling",
                f"the main part may be at most {MAIN_CEILING_AT_MOST}, "
                f"not {self.paper.main_ceiling} (Appendix A carries the rest)",
            )
        if order.index(self.appendix.classification) < order.index(APPENDIX_AT_LEAST):
            raise PolicyKeyError(
                "report.appendix.classification",
                f"Appendix A is at least {APPENDIX_AT_LEAST}, not {self.appendix.classification}",
            )
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
        for key, counts in self.counts.items():
            model = RECORD_TYPES.get(counts.type)
            if model is None or model.descriptor.panel_count != key:
                raise PolicyKeyError(
                    f"report.counts.{key}.type",
                    f"{counts.type!r} is not a record type counted as {key!r}",
                )
            if counts.committee not in register.highlights.committees:
                raise PolicyKeyError(
                    f"report.counts.{key}.committee", f"unknown committee {counts.committee!r}"
                )
            rules = register.types.get(counts.type)
            if rules is None or rules.workflow is None:
                raise PolicyKeyError(
                    f"report.counts.{key}.type",
                    f"a {counts.type} has no status workflow to count by",
                )
        for model in RECORD_TYPES.values():
            wanted = model.descriptor.panel_count
            if wanted is not None and wanted not in self.counts:
                raise PolicyKeyError(
                    f"report.counts.{wanted}",
                    f"the {model.type_name} records are counted here: the wording is required",
                )

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


def load_report_policy(
    override: Path | None = None, register: RegisterPolicy | None = None
) -> ReportPolicy:
    """Read and validate the report policy (shipped defaults, then ``override``'s [report]),
    checked against ``register`` (default: the register policy with the same override)."""
    data, sources = policy_files.read("report", override)
    try:
        policy = ReportPolicy.model_validate({**data, "sources": tuple(sources)})
        policy.check_against(
            register or (load_register_policy(override) if override else default_policy())
        )
    except ValidationError as exc:
        raise policy_error(exc, sources[-1], "report") from None
    except PolicyKeyError as exc:
        raise InputError(exc.message, path=sources[-1], field=exc.key) from None
    except ValueError as exc:
        raise InputError(str(exc), path=sources[-1]) from None
    return policy


def default_report_policy() -> ReportPolicy:
    """The shipped report policy: the default when a caller passes none (a register opened by
    a command has its Environment's: ``register.policies(load_report_policy)``)."""
    return shipped(load_report_policy)
