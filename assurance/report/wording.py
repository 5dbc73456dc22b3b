"""The main part's words: the month's facts put into the sentences of policies/report.toml."""

from __future__ import annotations

from assurance.models import RECORD_TYPES
from assurance.policy import RegisterPolicy
from assurance.report.document import Document, Heading, Paragraph
from assurance.report.panel import PanelReport, SectionFacts
from assurance.report.policy import Counts, ReportPolicy, Section
from assurance.report.words import counted, in_words, join, month_label, plural, with_article


class Wording:
    """Writes one month's sentences with one policy's vocabulary and templates."""

    def __init__(
        self, report: PanelReport, register_policy: RegisterPolicy, policy: ReportPolicy
    ) -> None:
        self.report = report
        self.register_policy = register_policy
        self.policy = policy
        self.month = month_label(report.month)

    # -- pieces --------------------------------------------------------------------------
    def number(self, count: int, zero: str = "no") -> str:
        return in_words(count, zero=zero, up_to=self.policy.words.up_to)

    def count(self, count: int, singular: str, plural_form: str) -> str:
        return counted(count, singular, plural_form, up_to=self.policy.words.up_to)

    def kind_phrase(self, code: str, count: int) -> str:
        """``"six Verification User Security Assessments (VUSAs)"``."""
        kind = self.register_policy.kinds[code]
        abbreviation = plural(count, kind.abbreviation, kind.abbreviation + "s")
        return f"{self.count(count, kind.name, kind.plural)} ({abbreviation})"

    def kinds_phrase(self, section: Section, facts: SectionFacts) -> str:
        if not facts.reviewed:
            return self.kind_phrase(section.kinds[0], 0)
        return join([self.kind_phrase(code, n) for code, n in facts.reviewed.items()])

    def abbreviations(self, facts: SectionFacts) -> str:
        kinds = self.register_policy.kinds
        names = dict.fromkeys(
            plural(n, kinds[code].abbreviation, kinds[code].abbreviation + "s")
            for code, n in facts.reviewed.items()
        )
        return join(list(names))

    def role_phrase(self, roles: tuple[str, ...], count: int) -> str:
        """``"a Shared Resource Provider"``, ``"two Large Suppliers"``, a Party in several roles."""
        if len(roles) == 1:
            role = roles[0]
            if count == 1:
                return with_article(self.register_policy.roles[role])
            return f"{self.number(count)} {self.register_policy.roles_plural[role]}"
        if count == 1:
            names = join([with_article(self.register_policy.roles[r]) for r in roles])
            return self.policy.roles.several_one.format(roles=names)
        names = join([self.register_policy.roles_plural[r] for r in roles])
        return self.policy.roles.several_many.format(count=self.number(count), roles=names)

    def roles_phrase(self, facts: SectionFacts) -> str:
        return join([self.role_phrase(roles, n) for roles, n in facts.roles.items() if roles])

    def status_name(self, vocabulary: str, code: str) -> str:
        return self.register_policy.status(vocabulary, code).name

    # -- sentences -----------------------------------------------------------------------
    def template(self, section: Section | Counts, count: int) -> str:
        return section.zero if count == 0 else section.one if count == 1 else section.many

    def assessment_paragraphs(self, section: Section, facts: SectionFacts) -> list[str]:
        noun = section.status_noun or ("status", "statuses")
        values = {
            "month": self.month,
            "kinds": self.kinds_phrase(section, facts),
            "abbreviations": self.abbreviations(facts),
            "statuses": self.count(facts.statuses_set, *noun),
            "roles": self.roles_phrase(facts),
            "sections": self.sec_sections(),
        }
        paragraphs = []
        if section.preamble and facts.total:
            paragraphs.append(section.preamble.format_map(values))
        paragraphs.append(self.template(section, facts.total).format_map(values))
        notify = self.notify_sentence(section, facts)
        if notify:
            paragraphs.append(notify)
        return paragraphs

    def sec_sections(self) -> str:
        sections = self.register_policy.findings.sec_sections
        return f"{sections[0]}-{sections[-1]}" if len(sections) > 1 else sections[0]

    def notify_sentence(self, section: Section, facts: SectionFacts) -> str | None:
        """Where a status the policy marks ``notify_panel`` was set, the SSC tells the Panel."""
        vocabularies = {self.register_policy.kinds[k].statuses for k in section.kinds}
        flagged: dict[str, int] = {}
        for vocabulary in vocabularies:
            for code, status in self.register_policy.statuses[vocabulary].items():
                if status.notify_panel and facts.outcomes.get(code):
                    flagged[status.name] = flagged.get(status.name, 0) + facts.outcomes[code]
        if not flagged:
            return None
        count = sum(flagged.values())
        share = (
            ("it" if facts.total == 1 else "all of them")
            if count == facts.total
            else f"{self.number(count)} of them"
        )
        return self.policy.compliance.notify.format(statuses=join(list(flagged), "or"), share=share)

    def letter_paragraphs(self, section: Section, facts: SectionFacts) -> list[str]:
        noun = section.noun or ("Director’s Letter", "Director’s Letters")
        total = facts.total
        values = {"month": self.month, "letters": self.count(total, *noun)}
        if total == 0:
            return [section.zero.format_map(values)]
        outcomes = [
            (code, n)
            for code in self.register_policy.statuses["letter"]
            if (n := facts.outcomes.get(code, 0))
        ]
        if len(outcomes) == 1:
            values["outcome"] = self.status_name("letter", outcomes[0][0]).lower()
            return [self.template(section, total).format_map(values)]
        parts = []
        for code, n in outcomes:
            template = section.outcome_one if n == 1 else section.outcome_many
            assert template is not None
            parts.append(
                template.format(
                    count=self.number(n), outcome=self.status_name("letter", code).lower()
                )
            )
        values["outcomes"] = join(parts)
        assert section.mixed is not None  # a letters section has all its templates (ReportPolicy)
        return [section.mixed.format_map(values)]

    def record_counts(self, committee: str) -> list[str]:
        """The sentences counting the month's records reviewed by ``committee`` (by status)."""
        paragraphs = []
        for tally in self.report.record_counts:
            counts = self.policy.counts[tally.key]
            if counts.committee != committee:
                continue
            descriptor = RECORD_TYPES[tally.type_name].descriptor
            workflow = self.register_policy.types[tally.type_name].workflow
            assert workflow is not None  # ReportPolicy.check_against: a counted type has one
            names = {code: workflow.statuses[code].lower() for code in tally.statuses}
            values = {
                "month": self.month,
                "records": self.count(tally.total, descriptor.label, descriptor.plural),
                "statuses": join(
                    [f"{self.number(n)} {names[code]}" for code, n in tally.statuses.items()]
                ),
                "status": join(list(names.values())),
            }
            text = self.template(counts, tally.total).format_map(values)
            if text:
                paragraphs.append(text)
        return paragraphs

    def highlight_none(self, committee: str) -> str:
        name = self.policy.highlights.committee_names[committee]
        return self.policy.highlights.none.format(committee=name, month=self.month)


def main_document(
    report: PanelReport, register_policy: RegisterPolicy, policy: ReportPolicy
) -> Document:
    """The main part laid out: header (reference, classification), 3.1-3.4, then highlights."""
    wording = Wording(report, register_policy, policy)
    number = policy.paper.section_number
    level = policy.classification[report.classification]
    header = []
    if report.paper_ref:
        header.append(policy.paper.reference.format(reference=report.paper_ref))
    header.append(level.sentence)
    # Every printed page carries the marking (and the reference) at its foot as well.
    footer = [level.marking]
    if report.paper_ref:
        footer.insert(0, policy.paper.reference.format(reference=report.paper_ref))
    document = Document(
        title=policy.paper.title,
        classification=report.classification,
        header=tuple(header),
        footer=tuple(footer),
        reference=report.paper_ref,
    )
    blocks = document.blocks
    blocks.append(Heading(1, f"{number}. {policy.paper.section_title}"))
    index = 0
    for index, section in enumerate(policy.sections, start=1):
        facts = report.section(section.key)
        blocks.append(Heading(2, f"{number}.{index} {section.title}"))
        paragraphs = (
            wording.assessment_paragraphs(section, facts)
            if section.kinds
            else wording.letter_paragraphs(section, facts)
        )
        blocks.extend(Paragraph(text) for text in paragraphs)
    for committee, title in register_policy.highlights.committees.items():
        index += 1
        blocks.append(Heading(2, f"{number}.{index} {title}"))
        blocks.extend(Paragraph(text) for text in wording.record_counts(committee))
        highlights = [h for h in report.highlights if h.committee == committee]
        if not highlights:
            blocks.append(Paragraph(wording.highlight_none(committee)))
        for highlight in highlights:
            blocks.append(Heading(3, highlight.title))
            blocks.extend(Paragraph(p.strip()) for p in highlight.text.split("\n\n") if p.strip())
    return document
