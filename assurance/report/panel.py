"""The month's Panel report built from the register: public facts for the main part, details for Appendix A.

The main part (:class:`PanelReport`) is built from a :class:`BoundedView` alone: counts of the
month's decisions (a count of RED decisions is not itself RED) keyed by policy vocabulary, and
the highlights at or below its ceiling; its classification is computed from what flowed in.
The details (:class:`AppendixA`) hold the records themselves, read in full, and are always RED.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from assurance.evidence import rested_on
from assurance.models import (
    Assessment,
    Decision,
    DirectorsLetter,
    Finding,
    Highlight,
    Party,
    Record,
)
from assurance.policy import RegisterPolicy
from assurance.report.bounded import BoundedView
from assurance.report.policy import ReportPolicy, default_report_policy, load_report_policy
from assurance.store import Register
from core.errors import InputError

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def parse_month(text: str) -> dt.date:
    """``"2019-12"`` -> the first day of that month; InputError (exit 2) otherwise."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match["month"]) <= 12:
        raise InputError(
            f"expected a month as YYYY-MM, such as 2019-12; got {text!r}", field="--month"
        )
    return dt.date(int(match["year"]), int(match["month"]), 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


# -- the month's records (RED: only Appendix A and the guard see them) -------------------------


@dataclass(frozen=True)
class DecisionDetail:
    """One decision of the month with what it is about."""

    decision: Decision
    subject: Assessment | DirectorsLetter
    party: Party | None
    findings: tuple[Finding, ...] = ()
    #: For a letter, the assessment it relates to.
    related: Assessment | None = None
    #: The evidence it rested on (assurance.evidence.rested_on), for Appendix A.
    evidence: tuple = ()

    @property
    def kind(self) -> str | None:
        return self.subject.kind if isinstance(self.subject, Assessment) else None

    def records(self) -> list[Record]:
        found: list[Record] = [self.decision, self.subject, *self.findings]
        if self.party is not None:
            found.append(self.party)
        if self.related is not None:
            found.append(self.related)
        return found


@dataclass(frozen=True)
class MonthRecords:
    month: dt.date
    decisions: tuple[DecisionDetail, ...]
    highlights: tuple[Highlight, ...]

    def on_kinds(self, kinds: list[str]) -> list[DecisionDetail]:
        return [d for d in self.decisions if d.kind in kinds]

    def on_letters(self) -> list[DecisionDetail]:
        return [d for d in self.decisions if isinstance(d.subject, DirectorsLetter)]


def month_records(register: Register, month: dt.date) -> MonthRecords:
    """The decisions taken in ``month`` (by decision date), their subjects, and its highlights."""
    span = (month.isoformat(), next_month(month).isoformat())
    where = "date >= ? AND date < ?"
    details = []
    parties: dict[str, Party | None] = {}

    def party(party_id: str) -> Party | None:
        if party_id not in parties:
            parties[party_id] = register.get(Party, party_id)
        return parties[party_id]

    for decision in register.records(Decision, where=where, params=span, order_by="date, id"):
        subject: Assessment | DirectorsLetter | None = register.get(
            Assessment, decision.subject
        ) or register.get(DirectorsLetter, decision.subject)
        if subject is None:
            raise InputError(
                f"decision {decision.id}: no assessment or letter {decision.subject!r}",
                field="subject",
            )
        findings: tuple[Finding, ...] = ()
        related = None
        if isinstance(subject, Assessment):
            findings = tuple(
                register.records(
                    Finding, where="assessment = ?", params=(subject.id,), order_by="sec_ref, id"
                )
            )
        elif subject.relates_to:
            related = register.get(Assessment, subject.relates_to)
        details.append(
            DecisionDetail(
                decision,
                subject,
                party(subject.party),
                findings,
                related,
                tuple(rested_on(register, decision)),
            )
        )
    highlights = register.records("highlight", where=where, params=span, order_by="date, id")
    return MonthRecords(month, tuple(details), tuple(highlights))  # type: ignore[arg-type]


# -- the main part: public facts only, through a BoundedView ------------------------------


@dataclass(frozen=True)
class SectionFacts:
    """What sections 3.1-3.4 say about one kind of review: counts and vocabulary codes only."""

    key: str
    #: Subjects reviewed, by kind code (assessments) or ``"letter"``.
    reviewed: dict[str, int]
    #: Decisions taken (statuses set).
    statuses_set: int
    #: Parties concerned, by their set of role codes (policy order).
    roles: dict[tuple[str, ...], int]
    #: Final status codes of the month, one per subject.
    outcomes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.reviewed.values())


@dataclass(frozen=True)
class RecordCounts:
    """The month's records of one type counted by status (report.toml [counts.<key>])."""

    key: str
    type_name: str
    #: Status code -> how many, in the workflow's order.
    statuses: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


@dataclass(frozen=True)
class WithheldHighlight:
    id: str
    classification: str


@dataclass(frozen=True)
class PanelReport:
    """The SSC section of the month's Panel paper, as data (at most its classification).

    Everything in it came through a :class:`BoundedView`: counts, and highlights at or below
    the view's ceiling. ``withheld`` is a note for the operator (stderr), added afterwards by
    :func:`assurance.report.main_part`; no renderer ever sees it.
    """

    month: dt.date
    classification: str
    paper_ref: str | None
    sections: tuple[SectionFacts, ...]
    highlights: tuple[Highlight, ...]
    withheld: tuple[WithheldHighlight, ...] = ()
    #: Highlights of the month above the report, counted by classification (no id, no text).
    withheld_counts: dict[str, int] = field(default_factory=dict)
    #: Records counted in a committee's section (Security Incidents), by status only.
    record_counts: tuple[RecordCounts, ...] = ()

    def section(self, key: str) -> SectionFacts:
        return next(s for s in self.sections if s.key == key)

    def counts(self) -> list[int]:
        """Every number the main part may state (each count, and each section's total)."""
        numbers = []
        for facts in self.sections:
            numbers += [
                facts.total,
                facts.statuses_set,
                *facts.reviewed.values(),
                *facts.roles.values(),
                *facts.outcomes.values(),
            ]
        for counted in self.record_counts:
            numbers += [counted.total, *counted.statuses.values()]
        return numbers


@dataclass(frozen=True)
class AppendixA:
    """The confidential Appendix A: every decision of the month in full. Always RED."""

    month: dt.date
    classification: str
    paper_ref: str | None
    #: Section key (policies/report.toml [[sections]]) -> the decisions it covers.
    sections: dict[str, tuple[DecisionDetail, ...]] = field(default_factory=dict)


def check_paper_ref(paper_ref: str | None, policy: ReportPolicy) -> str | None:
    if paper_ref is None:
        return None
    if not re.match(policy.paper.reference_pattern, paper_ref):
        raise InputError(
            f"expected a Panel paper reference such as SECP_66_1503_19; got {paper_ref!r}",
            field="--paper-ref",
        )
    return paper_ref


def main_ceiling(
    requested: str | None, register_policy: RegisterPolicy, policy: ReportPolicy
) -> str:
    """The ceiling of the main part's bounded read: the policy's, or a lower one requested."""
    levels = register_policy.classification
    ceiling = policy.paper.main_ceiling
    if requested is None:
        return ceiling
    requested = requested.upper()
    if requested not in levels.order or not levels.at_most(requested, ceiling):
        allowed = [lvl for lvl in levels.order if levels.at_most(lvl, ceiling)]
        raise InputError(
            f"the main part may be {' or '.join(allowed)}; got {requested!r} "
            "(Appendix A carries the rest)",
            field="--classification",
        )
    return requested


def computed_classification(view: BoundedView, requested: str | None, policy: ReportPolicy) -> str:
    """The main part's classification: the highest of what flowed into it (counts are the
    least restricted level), or the level requested if that is higher; capped by policy."""
    levels = view.policy.classification
    level = view.flowed
    if requested is not None and levels.rank(requested.upper()) > levels.rank(level):
        level = requested.upper()
    if not levels.at_most(level, policy.paper.main_ceiling):  # the view cannot let this happen
        raise AssertionError("the main part read above its policy ceiling")
    return level


def section_facts(
    view: BoundedView, month: dt.date, policy: ReportPolicy
) -> tuple[SectionFacts, ...]:
    span = (month, next_month(month))
    facts = []
    for section in policy.sections:
        kinds = section.kinds or ["letter"]
        counts = view.decision_counts(span, kinds)
        facts.append(
            SectionFacts(
                key=section.key,
                reviewed={kind: n for kind, n in counts.subjects.items() if n},
                statuses_set=counts.decisions,
                roles=counts.roles,
                outcomes=counts.outcomes,
            )
        )
    return tuple(facts)


def build_panel_report(
    view: BoundedView,
    month: dt.date,
    *,
    requested: str | None = None,
    paper_ref: str | None = None,
    policy: ReportPolicy | None = None,
) -> PanelReport:
    """The main part for ``month`` from a bounded read: counts, vocabulary and the highlights
    at or below the view's ceiling. It is given no register: it cannot read anything else."""
    if not isinstance(view, BoundedView):
        raise TypeError("the main part is built from a BoundedView, never from the register")
    policy = policy or default_report_policy()
    span = (month, next_month(month))
    sections = section_facts(view, month, policy)
    highlights = tuple(view.records("highlight", span))
    return PanelReport(
        month=month,
        classification=computed_classification(view, requested, policy),
        paper_ref=check_paper_ref(paper_ref, policy),
        sections=sections,
        highlights=highlights,  # type: ignore[arg-type]
        withheld_counts=view.count_above("highlight", span),
        record_counts=tuple(
            RecordCounts(key, counts.type, view.status_counts(counts.type, span))
            for key, counts in policy.counts.items()
        ),
    )


def withheld_highlights(
    register: Register, month: dt.date, level: str
) -> tuple[WithheldHighlight, ...]:
    """The month's highlights above ``level``, by id, for a note to the operator (never the paper)."""
    levels = register.policy.classification
    span = (month.isoformat(), next_month(month).isoformat())
    rows = register.conn.execute(
        "SELECT id, classification FROM highlights WHERE withdrawn IS NULL AND date >= ? AND date < ?"
        " ORDER BY date, id",
        span,
    ).fetchall()
    return tuple(
        WithheldHighlight(row[0], row[1])
        for row in rows
        if row[1] in levels.order and not levels.at_most(row[1], level)
    )


def build_appendix(
    register: Register,
    month: dt.date,
    *,
    paper_ref: str | None = None,
    policy: ReportPolicy | None = None,
    records: MonthRecords | None = None,
) -> AppendixA:
    """Appendix A for ``month``: each decision with its Party, conditions and non-compliances."""
    policy = policy or register.policies(load_report_policy)
    records = records or month_records(register, month)
    sections = {
        section.key: tuple(
            records.on_kinds(section.kinds) if section.kinds else records.on_letters()
        )
        for section in policy.sections
    }
    return AppendixA(
        month, policy.appendix.classification, check_paper_ref(paper_ref, policy), sections
    )
