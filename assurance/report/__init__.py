"""The monthly Panel report: the SSC section (main part, at most GREEN) and its Appendix A (RED).

Data first, rendered last: :mod:`panel` builds the month's facts — the main part's from a
:class:`~assurance.report.bounded.BoundedView` alone (counts, and records at or below its
ceiling: nothing above is ever read), Appendix A's from the register — :mod:`wording` and
:mod:`appendix` lay them out as a :class:`Document`, and ``_format`` draws it as Markdown, HTML
or DOCX. :mod:`guard` is the tripwire behind the control: every rendering of the main part is
searched for every restricted value of the register before it is returned. The functions here
are the whole public surface.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from assurance.evidence.policy import load_evidence_policy
from assurance.formats import PANEL
from assurance.report._format import DocumentFormat
from assurance.report.appendix import appendix_document
from assurance.report.bounded import BoundedView
from assurance.report.document import Document, HouseStyle
from assurance.report.guard import ClassificationError, Tripwire, check_ceiling
from assurance.report.panel import (
    AppendixA,
    PanelReport,
    build_appendix,
    build_panel_report,
    main_ceiling,
    parse_month,
    withheld_highlights,
)
from assurance.report.policy import ReportPolicy, load_report_policy
from assurance.store import Register

__all__ = [
    "AppendixA",
    "ClassificationError",
    "Document",
    "PanelFiles",
    "PanelReport",
    "main_part",
    "appendix_part",
    "parse_month",
    "render",
    "write_panel_report",
]


def main_part(
    register: Register,
    month: dt.date,
    *,
    classification: str | None = None,
    paper_ref: str | None = None,
    policy: ReportPolicy | None = None,
    now: dt.datetime | None = None,
) -> tuple[PanelReport, Document]:
    """The month's SSC section, as facts and as a checked document (ClassificationError if not).

    The builder is given a :class:`BoundedView` with the main part's ceiling, never the
    register; the tripwire then checks the document, and every rendering of it, against every
    restricted value of the register.
    """
    from assurance.report.wording import main_document

    policy = policy or register.policies(load_report_policy)
    ceiling = main_ceiling(classification, register.policy, policy)
    report = build_panel_report(
        BoundedView(register, ceiling),
        month,
        requested=classification,
        paper_ref=paper_ref,
        policy=policy,
    )
    # A note for the operator (which highlights were left out), not part of the paper.
    report = replace(report, withheld=withheld_highlights(register, month, ceiling))
    document = main_document(report, register.policy, policy)
    document.author = policy.docx.creator
    document.style = HouseStyle(policy.docx.font, policy.docx.font_size, policy.docx.margin_cm)
    document.generated = now or register.clock().replace(microsecond=0)
    check_ceiling(document.classification, policy, register.policy)
    tripwire = Tripwire(
        register,
        document.classification,
        month,
        policy,
        shown=report.highlights,
        counts=report.counts(),
    )
    level = document.classification
    tripwire.check(document.texts(), level)
    document.check = lambda texts: tripwire.check(texts, level)
    return report, document


def appendix_part(
    register: Register,
    month: dt.date,
    *,
    paper_ref: str | None = None,
    policy: ReportPolicy | None = None,
    now: dt.datetime | None = None,
) -> tuple[AppendixA, Document]:
    """The month's confidential Appendix A, as records and as a document (RED)."""
    policy = policy or register.policies(load_report_policy)
    appendix = build_appendix(register, month, paper_ref=paper_ref, policy=policy)
    document = appendix_document(
        appendix, register.policy, policy, register.policies(load_evidence_policy)
    )
    document.author = policy.docx.creator
    document.style = HouseStyle(policy.docx.font, policy.docx.font_size, policy.docx.margin_cm)
    document.generated = now or register.clock().replace(microsecond=0)
    return appendix, document


def render(document: Document, format_name: str = "markdown") -> str | bytes:
    """The document drawn in ``format_name``, one of :data:`assurance.formats.PANEL`.

    A main part's rendering passes its tripwire on the text a reader of that format sees
    (the DOCX's body, headers, footers and metadata included) before it is returned: every
    Panel renderer is a :class:`DocumentFormat`, whose call runs it.
    """
    chosen = PANEL[format_name]
    drawer = chosen.load()
    if not isinstance(drawer, DocumentFormat):  # the tripwire lives in DocumentFormat
        raise TypeError(f"{chosen.renderer} is not a DocumentFormat")
    return chosen.render(document)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all, 0600 (``core.output.write_private``)."""
    from core.output import write_private

    write_private(path, content)


@dataclass(frozen=True)
class PanelFiles:
    main: Path
    appendix: Path | None
    report: PanelReport


def write_panel_report(
    register: Register,
    month: dt.date | str,
    main_path: Path,
    appendix_path: Path | None = None,
    *,
    paper_ref: str | None = None,
    classification: str | None = None,
) -> PanelFiles:
    """Write the month's SSC section and (if a path is given) Appendix A, formats by suffix.

    The suffixes are :data:`assurance.formats.PANEL`'s (``.md``, ``.html``, ``.docx``, …).
    Both parts are built and checked before either file is written, so a ClassificationError or InputError leaves nothing behind.
    """
    if isinstance(month, str):
        month = parse_month(month)
    main_format = PANEL.by_path(main_path)
    appendix_format = PANEL.by_path(appendix_path) if appendix_path is not None else None
    report, main_doc = main_part(
        register, month, classification=classification, paper_ref=paper_ref
    )
    outputs: list[tuple[Path, str | bytes]] = [
        (Path(main_path), render(main_doc, main_format.name))
    ]
    if appendix_path is not None and appendix_format is not None:
        _, appendix_doc = appendix_part(register, month, paper_ref=paper_ref)
        outputs.append((Path(appendix_path), render(appendix_doc, appendix_format.name)))
    for path, content in outputs:
        write_atomically(path, content)
    return PanelFiles(Path(main_path), Path(appendix_path) if appendix_path else None, report)
