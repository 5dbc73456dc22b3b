"""The month's Panel report built from the register: public facts for the main part, details for Appendix A.

The main part (:class:`PanelReport`) holds only what may be published at its classification:
counts derived from the month's decisions (a count of RED decisions is not itself RED), codes
whose names are policy vocabulary, and highlights no more restricted than the report. The
details (:class:`AppendixA`) hold the records themselves and are always RED.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from assurance.models import (
    Assessment,
    Decision,
    DirectorsLetter,
    Finding,
    Highlight,
    Party,
    Record,
)
from assurance.evidence import rested_on
from assurance.policy import RegisterPolicy
from assurance.report.policy import ReportPolicy, default_report_policy
from assurance.store import Register
from ssc.errors import InputError

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")


def parse_month(text: str) -> dt.date:
    """``"2019-12"`` -> the first day of that month; InputError (exit 2) otherwise."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match["month"]) <= 12:
        raise InputError(f"expected a month as YYYY-MM, such as 2019-12; got {text!r}", field="--month")
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
            parties[party_id] = register.get("party", party_id)  # type: ignore[assignment]
        return parties[party_id]

    for decision in register.records("decision", where=where, params=span, order_by="date, id"):
        assert isinstance(decision, Decision)
        subject = register.get("assessment", decision.subject) or register.get("letter", decision.subject)
        if subject is None:
            raise InputError(f"decision {decision.id}: no assessment or letter {decision.subject!r}",
                             field="subject")
        assert isinstance(subject, Assessment | DirectorsLetter)
        findings: tuple[Finding, ...] = ()
        related = None
        if isinstance(subject, Assessment):
            findings = tuple(register.records("finding", where="assessment = ?",  # type: ignore[misc]
                                              params=(subject.id,), order_by="sec_ref, id"))
        elif subject.relates_to:
            related = register.get("assessment", subject.relates_to)
        details.append(DecisionDetail(decision, subject, party(subject.party), findings, related,  # type: ignore[arg-type]
                                      tuple(rested_on(register, decision))))
    highlights = register.records("highlight", where=where, params=span, order_by="date, id")
    return MonthRecords(month, tuple(details), tuple(highlights))  # type: ignore[arg-type]


def latest_per_subject(details: list[DecisionDetail]) -> list[DecisionDetail]:
    """The last decision of the month on each subject (what the SSC finally set)."""
    latest: dict[str, DecisionDetail] = {}
    for detail in details:  # in date order
        latest[detail.subject.id] = detail
    return list(latest.values())


# -- the main part: public facts only ----------------------------------------------------------

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
class WithheldHighlight:
    id: str
    classification: str


@dataclass(frozen=True)
class PanelReport:
    """The SSC section of the month's Panel paper, as data (at most its classification)."""

    month: dt.date
    classification: str
    paper_ref: str | None
    sections: tuple[SectionFacts, ...]
    highlights: tuple[Highlight, ...]
    withheld: tuple[WithheldHighlight, ...] = ()

    def section(self, key: str) -> SectionFacts:
        return next(s for s in self.sections if s.key == key)


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
        raise InputError(f"expected a Panel paper reference such as SECP_66_1503_19; got {paper_ref!r}",
                         field="--paper-ref")
    return paper_ref


def report_classification(requested: str | None, highlights: tuple[Highlight, ...],
                          register_policy: RegisterPolicy, policy: ReportPolicy) -> str:
    """The main part's classification: as requested, else the least that carries every
    highlight the ceiling allows (a paper is as restricted as the most restricted thing in it)."""
    levels = register_policy.classification
    ceiling = policy.paper.main_ceiling
    if requested is not None:
        requested = requested.upper()
        if requested not in levels.order or not levels.at_most(requested, ceiling):
            allowed = [lvl for lvl in levels.order if levels.at_most(lvl, ceiling)]
            raise InputError(f"the main part may be {' or '.join(allowed)}; got {requested!r} "
                             "(Appendix A carries the rest)", field="--classification")
        return requested
    level = levels.order[0]
    for highlight in highlights:
        assert highlight.classification is not None
        if levels.at_most(highlight.classification, ceiling) and levels.rank(highlight.classification) > levels.rank(level):
            level = highlight.classification
    return level


def _role_set(party: Party | None, register_policy: RegisterPolicy) -> tuple[str, ...]:
    roles = party.roles if party is not None else []
    return tuple(role for role in register_policy.roles if role in roles)


def _role_order(roles: tuple[str, ...], register_policy: RegisterPolicy) -> tuple[int, list[int]]:
    """Single roles first in policy order, then Parties in several roles."""
    order = list(register_policy.roles)
    return len(roles), [order.index(role) for role in roles]


def section_facts(records: MonthRecords, register_policy: RegisterPolicy,
                  policy: ReportPolicy) -> tuple[SectionFacts, ...]:
    facts = []
    for section in policy.sections:
        details = records.on_kinds(section.kinds) if section.kinds else records.on_letters()
        latest = latest_per_subject(details)
        reviewed = Counter(d.kind or "letter" for d in latest)
        parties = {d.subject.party: _role_set(d.party, register_policy) for d in details}
        roles = Counter(parties.values())
        outcomes = Counter(d.decision.status for d in latest)
        facts.append(SectionFacts(
            key=section.key,
            reviewed={kind: reviewed[kind] for kind in (section.kinds or ["letter"]) if reviewed[kind]},
            statuses_set=len(details),
            roles=dict(sorted(roles.items(), key=lambda item: _role_order(item[0], register_policy))),
            outcomes=dict(outcomes),
        ))
    return tuple(facts)


def build_panel_report(register: Register, month: dt.date, *, classification: str | None = None,
                       paper_ref: str | None = None, policy: ReportPolicy | None = None,
                       records: MonthRecords | None = None) -> PanelReport:
    """The main part for ``month``: counts, vocabulary and the highlights it may carry."""
    policy = policy or default_report_policy()
    register_policy = register.policy
    records = records or month_records(register, month)
    level = report_classification(classification, records.highlights, register_policy, policy)
    levels = register_policy.classification
    shown, withheld = [], []
    for highlight in records.highlights:
        assert highlight.classification is not None
        if levels.at_most(highlight.classification, level):
            shown.append(highlight)
        else:
            withheld.append(WithheldHighlight(highlight.id, highlight.classification))
    return PanelReport(
        month=month,
        classification=level,
        paper_ref=check_paper_ref(paper_ref, policy),
        sections=section_facts(records, register_policy, policy),
        highlights=tuple(shown),
        withheld=tuple(withheld),
    )


def build_appendix(register: Register, month: dt.date, *, paper_ref: str | None = None,
                   policy: ReportPolicy | None = None,
                   records: MonthRecords | None = None) -> AppendixA:
    """Appendix A for ``month``: each decision with its Party, conditions and non-compliances."""
    policy = policy or default_report_policy()
    records = records or month_records(register, month)
    sections = {
        section.key: tuple(records.on_kinds(section.kinds) if section.kinds else records.on_letters())
        for section in policy.sections
    }
    return AppendixA(month, policy.appendix.classification, check_paper_ref(paper_ref, policy), sections)
