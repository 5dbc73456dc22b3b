"""Appendix A laid out: every decision of the month with its Party, status and non-compliances (RED)."""

from __future__ import annotations

from assurance.evidence.policy import EvidencePolicy
from assurance.models import Assessment, DirectorsLetter
from assurance.policy import RegisterPolicy
from assurance.report.document import Block, Document, Fields, Heading, Paragraph, Table
from assurance.report.panel import AppendixA, DecisionDetail
from assurance.report.policy import ReportPolicy
from assurance.report.words import day_label, join, month_label

_NONE = "—"


def _label(code: str | None) -> str:
    """A finding's severity or state code as words: ``in_remediation`` -> ``In remediation``."""
    return code.replace("_", " ").capitalize() if code else _NONE


class AppendixLayout:
    def __init__(
        self,
        register_policy: RegisterPolicy,
        policy: ReportPolicy,
        evidence_policy: EvidencePolicy | None = None,
    ) -> None:
        self.register_policy = register_policy
        self.policy = policy
        self.evidence_policy = evidence_policy

    def roles(self, detail: DecisionDetail) -> str:
        if detail.party is None:
            return _NONE
        return join(
            [
                self.register_policy.roles[r]
                for r in self.register_policy.roles
                if r in detail.party.roles
            ]
        )

    def kind(self, assessment: Assessment) -> str:
        kind = self.register_policy.kinds[assessment.kind]
        return f"{kind.name} ({kind.abbreviation})"

    def party_name(self, detail: DecisionDetail) -> str:
        return detail.party.name if detail.party else detail.subject.party

    def status(self, detail: DecisionDetail) -> str:
        if isinstance(detail.subject, Assessment):
            vocabulary = self.register_policy.vocabulary_for_kind(detail.subject.kind)
        else:
            vocabulary = "letter"
        return self.register_policy.status(vocabulary, detail.decision.status).name

    def common_rows(self, detail: DecisionDetail) -> list[tuple[str, str]]:
        decision = detail.decision
        return [
            ("Decision date", day_label(decision.date)),
            ("Status set", self.status(detail)),
            ("Conditions", decision.conditions or _NONE),
            ("Notes", decision.notes or _NONE),
        ]

    def assessment_blocks(self, detail: DecisionDetail) -> list[Block]:
        assessment = detail.subject
        assert isinstance(assessment, Assessment)
        rows = [
            ("Party", self.party_name(detail)),
            ("Role", self.roles(detail)),
            ("Assessment", self.kind(assessment)),
        ]
        if assessment.cycle_year:
            rows.append(("Cycle year", str(assessment.cycle_year)))
        if assessment.fieldwork_end:
            rows.append(("Fieldwork ended", day_label(assessment.fieldwork_end)))
        rows.extend(self.common_rows(detail))
        blocks: list[Block] = [
            Heading(
                3,
                f"{self.party_name(detail)} — {self.register_policy.kinds[assessment.kind].abbreviation}",
            ),
            Fields(tuple(rows)),
        ]
        if detail.findings:
            blocks.append(
                Table(
                    ("SEC clause", "Non-compliance", "Severity", "Due", "State"),
                    tuple(
                        (
                            f.sec_ref,
                            f.title,
                            _label(f.severity),
                            day_label(f.due) if f.due else _NONE,
                            _label(f.status),
                        )
                        for f in detail.findings
                    ),
                    caption="Non-compliances identified",
                )
            )
        else:
            blocks.append(Paragraph("No non-compliances were identified."))
        blocks.extend(self.evidence_blocks(detail))
        return blocks

    def evidence_blocks(self, detail: DecisionDetail) -> list[Block]:
        from assurance.report.evidence import evidence_blocks

        return evidence_blocks(
            detail.evidence,
            self.policy.appendix.classification,
            self.register_policy,
            self.evidence_policy,
        )

    def letter_blocks(self, detail: DecisionDetail) -> list[Block]:
        letter = detail.subject
        assert isinstance(letter, DirectorsLetter)
        rows = [
            ("Party", self.party_name(detail)),
            ("Role", self.roles(detail)),
            ("Received", day_label(letter.received)),
        ]
        if detail.related is not None:
            related = detail.related
            when = (
                f", fieldwork ended {day_label(related.fieldwork_end)}"
                if related.fieldwork_end
                else ""
            )
            rows.append(("Relates to", f"{self.kind(related)}{when}"))
        rows.append(("Summary", letter.summary or _NONE))
        rows.extend(self.common_rows(detail))
        return [
            Heading(
                3, f"{self.party_name(detail)} — Director’s Letter of {day_label(letter.received)}"
            ),
            Fields(tuple(rows)),
            *self.evidence_blocks(detail),
        ]


def appendix_document(
    appendix: AppendixA,
    register_policy: RegisterPolicy,
    policy: ReportPolicy,
    evidence_policy: EvidencePolicy | None = None,
) -> Document:
    """Appendix A as a document marked with its classification in header and footer (evidence
    kinds named by ``evidence_policy``, default the shipped one)."""
    layout = AppendixLayout(register_policy, policy, evidence_policy)
    level = policy.classification[appendix.classification]
    month = month_label(appendix.month)
    title = (
        f"Appendix {policy.appendix.letter}: {policy.appendix.title} ({appendix.classification})"
    )
    header = [level.marking]
    footer = [level.marking]
    if appendix.paper_ref:
        reference = (
            policy.paper.reference.format(reference=appendix.paper_ref)
            + f" — Appendix {policy.appendix.letter}"
        )
        header.insert(0, reference)
        footer.insert(0, reference)
    document = Document(
        title=title,
        classification=appendix.classification,
        header=tuple(header),
        footer=tuple(footer),
        reference=appendix.paper_ref,
    )
    blocks = document.blocks
    blocks.append(Heading(1, title))
    blocks.append(Paragraph(level.sentence))
    blocks.append(Paragraph(f"Decisions of the Security Sub-Committee (SSC) in {month}."))
    for index, section in enumerate(policy.sections, start=1):
        blocks.append(Heading(2, f"{policy.appendix.letter}.{index} {section.title}"))
        details = appendix.sections.get(section.key, ())
        if not details:
            blocks.append(Paragraph(policy.appendix.none.format(month=month)))
        for detail in details:
            blocks.extend(
                layout.letter_blocks(detail)
                if isinstance(detail.subject, DirectorsLetter)
                else layout.assessment_blocks(detail)
            )
    return document
