"""The Panel report as HTML and DOCX: the HTML parses with its structure, python-docx reads the DOCX back."""

from __future__ import annotations

import datetime as dt

import docx
import lxml.html
import pytest
from test_report_registers import DECEMBER_2019, build_register

from assurance.report import write_panel_report
from assurance.store import Register


@pytest.fixture
def december(ssc):
    build_register(ssc.db, DECEMBER_2019)
    return ssc


def test_main_part_as_html(december):
    result = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--format",
        "html",
        "--paper-ref",
        "SECP_76_1701_19",
    )
    assert result.status == 0, result.stderr
    page = lxml.html.document_fromstring(result.stdout)
    assert page.find("head/title").text == "SEC Panel Sub-Committee Report"
    header = [p.text_content() for p in page.findall(".//header/p")]
    assert header[0] == "Paper Reference: SECP_76_1701_19"
    assert header[1].startswith("This document is classified as White")
    assert page.find(".//main/h1").text == "3. Security Sub-Committee and SMKI PMA"
    assert [h.text for h in page.findall(".//main/h2")] == [
        "3.1 Assurance Status Decisions",
        "3.2 Verification Assessments",
        "3.3 Director’s Letters",
        "3.4 Security Self-Assessments",
        "3.5 SSC Highlights",
        "3.6 SMKI PMA Highlights",
    ]
    first = page.find(".//main/h2").getnext()
    assert (
        first.tag == "p" and "set one assurance status for a Shared Resource Provider" in first.text
    )
    assert "Fenland" not in result.stdout


def test_appendix_as_html_is_marked_red(december):
    out = december(
        "report", "panel", "--month", "2019-12", "--part", "appendix", "--format", "html"
    ).stdout
    page = lxml.html.document_fromstring(out)
    assert page.find(".//header").text_content().strip() == "RED — named recipients only"
    assert page.find(".//footer").text_content().strip() == "RED — named recipients only"
    rows = {th.text: th.getnext().text for th in page.findall(".//table[@class='fields']//th")}
    assert rows["Party"] == "Fenland Shared Services Ltd"
    assert rows["Status set"] == "Approved, subject to conditions"
    table = page.find(".//table/caption").getparent()
    assert [th.text for th in table.findall("thead/tr/th")] == [
        "SEC clause",
        "Non-compliance",
        "Severity",
        "Due",
        "State",
    ]
    assert [td.text for td in table.findall("tbody/tr/td")][:2] == [
        "G5.14",
        "Risk assessment not refreshed after system change",
    ]


def test_html_escapes_what_it_shows(ssc):
    build_register(
        ssc.db,
        [
            (
                "party",
                {"id": "p", "name": "<script>alert(1)</script> & Co", "roles": ["other_user"]},
            ),
            ("assessment", {"id": "a", "party": "p", "kind": "VUSA"}),
            ("decision", {"id": "d", "subject": "a", "date": "2020-01-08", "status": "compliant"}),
        ],
    )
    out = ssc(
        "report", "panel", "--month", "2020-01", "--part", "appendix", "--format", "html"
    ).stdout
    assert "<script>" not in out
    assert (
        lxml.html.document_fromstring(out).find(".//h3").text
        == "<script>alert(1)</script> & Co — VUSA"
    )


def test_docx_needs_an_output_file(december):
    result = december("report", "panel", "--month", "2019-12", "--format", "docx")
    assert result.status == 2 and "--output" in result.stderr


def test_main_part_as_docx(december, tmp_path):
    path = tmp_path / "section.docx"
    result = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--format",
        "docx",
        "--output",
        str(path),
        "--paper-ref",
        "SECP_76_1701_19",
    )
    assert result.status == 0, result.stderr
    word = docx.Document(str(path))
    header = [p.text for p in word.sections[0].header.paragraphs]
    assert header[0] == "Paper Reference: SECP_76_1701_19"
    assert header[1].startswith("This document is classified as White")
    texts = [p.text for p in word.paragraphs]
    assert "3.1 Assurance Status Decisions" in texts
    assert "The SSC reviewed no Director’s Letters in December 2019." in texts
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "3. Security Sub-Committee and SMKI PMA"


def test_appendix_as_docx_has_red_header_and_footer(december, tmp_path):
    path = tmp_path / "appendix.docx"
    result = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--part",
        "appendix",
        "--format",
        "docx",
        "-o",
        str(path),
    )
    assert result.status == 0, result.stderr
    word = docx.Document(str(path))
    section = word.sections[0]
    assert "RED" in section.header.paragraphs[0].text
    assert section.footer.paragraphs[0].text == "RED — named recipients only"
    assert word.core_properties.category == "RED"
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Fenland Shared Services Ltd" in cells
    assert "Risk assessment not refreshed after system change" in cells


def test_write_panel_report_writes_both_parts(tmp_path):
    path = build_register(tmp_path / "r.db", DECEMBER_2019)
    with Register.open(path, actor="t") as register:
        files = write_panel_report(
            register,
            dt.date(2019, 12, 1),
            tmp_path / "main.docx",
            tmp_path / "appendix.html",
            paper_ref="SECP_76_1701_19",
        )
    assert files.report.classification == "WHITE"
    assert (
        docx.Document(str(files.main))
        .sections[0]
        .header.paragraphs[0]
        .text.startswith("Paper Reference")
    )
    assert "RED — named recipients only" in files.appendix.read_text(encoding="utf-8")
