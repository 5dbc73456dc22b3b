"""The Panel paper's DOCX as a real consumer lays it out: LibreOffice converts it to PDF, and every
page is A4 and carries the paper reference and the classification in its header and footer."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from test_report_registers import DECEMBER_2019, build_register

REFERENCE = "SECP_76_1701_19"
RED = "RED — named recipients only"


def _december_at_length() -> list[tuple[str, dict]]:
    """The December 2019 seed plus enough December decisions, findings and highlights that each
    part runs onto several pages (repetition on every page is then something to prove)."""
    records = list(DECEMBER_2019)
    for i in range(8):
        records += [
            (
                "party",
                {"id": f"x{i}", "name": f"Paginated Energy {i} Ltd", "roles": ["small_supplier"]},
            ),
            ("assessment", {"id": f"xa{i}", "party": f"x{i}", "kind": "FUSA", "cycle_year": 1}),
            (
                "decision",
                {"id": f"xd{i}", "subject": f"xa{i}", "date": "2019-12-11", "status": "approved"},
            ),
            *[
                (
                    "finding",
                    {
                        "id": f"xf{i}_{j}",
                        "assessment": f"xa{i}",
                        "sec_ref": "G5.14",
                        "title": f"Finding {j}: risk assessment not refreshed after system change",
                        "severity": "medium",
                        "due": "2020-03-31",
                        "status": "open",
                    },
                )
                for j in range(4)
            ],
        ]
    records += [
        (
            "highlight",
            {
                "id": f"xh{i}",
                "date": "2019-12-11",
                "committee": "SSC",
                "classification": "WHITE",
                "title": f"Matter {i} for the Panel",
                "text": "The SSC discussed a matter of general interest at some length. " * 8,
            },
        )
        for i in range(12)
    ]
    return records


def _pdf(docx: Path, workdir: Path) -> Path:
    """Convert with soffice in a private profile (parallel workers must not share one)."""
    soffice = require_tool("soffice")
    profile = workdir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    pdf = workdir / (docx.stem + ".pdf")
    assert result.returncode == 0 and pdf.is_file(), result.stdout + result.stderr
    return pdf


def _pages(pdf: Path) -> tuple[str, list[list[str]]]:
    """The page size line from pdfinfo, and each page's non-empty lines (whitespace folded)."""
    pdfinfo, pdftotext = require_tool("pdfinfo"), require_tool("pdftotext")
    info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    pages = []
    for number in range(1, count + 1):
        text = subprocess.run(
            [pdftotext, "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages.append([" ".join(line.split()) for line in text.splitlines() if line.strip()])
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
    return size, pages


@pytest.mark.parametrize(
    "part, top, bottom, headings",
    [
        (
            "main",
            f"Paper Reference: {REFERENCE} This document is classified as White",
            f"Paper Reference: {REFERENCE} WHITE",
            [
                "3. Security Sub-Committee and SMKI PMA",
                "3.1 Assurance Status Decisions",
                "3.5 SSC Highlights",
                "Meter Triage Use Cases",
                "3.6 SMKI PMA Highlights",
            ],
        ),
        (
            "appendix",
            f"Paper Reference: {REFERENCE} — Appendix A {RED}",
            f"Paper Reference: {REFERENCE} — Appendix A {RED}",
            [
                "Appendix A: Security Assurance Status Update (RED)",
                "A.1 Assurance Status Decisions",
                "Fenland Shared Services Ltd — FUSA",
                "A.4 Security Self-Assessments",
            ],
        ),
    ],
)
def test_libreoffice_prints_every_page_marked_on_a4(ssc, tmp_path, part, top, bottom, headings):
    require_tool("soffice")
    build_register(ssc.db, _december_at_length())
    docx = tmp_path / f"{part}.docx"
    result = ssc(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--part",
        part,
        "--format",
        "docx",
        "-o",
        str(docx),
        "--paper-ref",
        REFERENCE,
    )
    assert result.status == 0, result.stderr
    size, pages = _pages(_pdf(docx, tmp_path))

    width, height = (float(n) for n in re.match(r"([\d.]+) x ([\d.]+) pts", size).groups())
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1, f"not A4: {size}"
    assert len(pages) >= 2, "the register should run onto a second page"
    for number, lines in enumerate(pages, start=1):
        # The header is the top of the page, the footer its foot: not merely somewhere on it.
        assert " ".join(lines[:3]).startswith(top), f"page {number} header: {lines[:3]}"
        assert " ".join(lines[-2:]) == bottom, f"page {number} footer: {lines[-2:]}"
    body = "\n".join(line for lines in pages for line in lines)
    for heading in headings:
        assert heading in body.splitlines(), f"heading {heading!r} not read"
    if part == "appendix":
        # Every finding row was laid out, and the fixed column widths hold each word whole
        # (a too-narrow column breaks "Medium" into "Mediu" / "m").
        assert body.count("Finding 3: risk") == 8
        words = set(body.split())
        assert {"Severity", "State", "Medium", "Open", "clause", "Non-compliance"} <= words, words
