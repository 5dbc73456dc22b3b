"""The Panel paper as it is read and printed: escaping, DOCX house style and metadata, print CSS, policy invariants."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from conftest import require_tool
from docx.shared import Mm
from markdown_it import MarkdownIt
from test_report_registers import DECEMBER_2019, build_register

from assurance.report import appendix_part, main_part, render
from assurance.store import Register

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MARKUP_NAME = "*Energy* <b>Ltd</b> & [x](y) _z_ `c` \\ # | ~~s~~"


@pytest.fixture
def december(ssc):
    build_register(ssc.db, DECEMBER_2019)
    return ssc


# -- escaping -----------------------------------------------------------------------------
def test_markdown_shows_register_text_literally(tmp_path):
    path = build_register(
        tmp_path / "r.db",
        [
            ("party", {"id": "p", "name": MARKUP_NAME, "roles": ["other_user"]}),
            ("assessment", {"id": "a", "party": "p", "kind": "VUSA"}),
            (
                "decision",
                {
                    "id": "d",
                    "subject": "a",
                    "date": "2020-01-08",
                    "status": "compliant",
                    "conditions": "# not a heading\n- nor a list\n1. nor this",
                },
            ),
            (
                "highlight",
                {
                    "id": "h",
                    "date": "2020-01-08",
                    "committee": "SSC",
                    "classification": "WHITE",
                    "title": "<i>Tags</i> & *stars*",
                    "text": "1. Not a list &amp; <!-- seen -->",
                },
            ),
        ],
    )
    with Register.open(path, actor="t") as register:
        _, appendix = appendix_part(register, dt.date(2020, 1, 1))
        _, main = main_part(register, dt.date(2020, 1, 1))
    for document, expected in (
        (appendix, [MARKUP_NAME, "# not a heading - nor a list 1. nor this"]),
        (main, ["<i>Tags</i> & *stars*", "1. Not a list &amp; <!-- seen -->"]),
    ):
        html = (
            MarkdownIt("commonmark")
            .enable("table")
            .enable("strikethrough")
            .render(render(document, "markdown"))
        )
        page = lxml.html.fromstring(f"<div>{html}</div>")
        assert not page.xpath(
            "//em | //b | //i | //a | //code | //s | //ol | //h1[contains(., 'not a')]"
            " | //li[starts-with(normalize-space(.), 'nor a list')]"
        )
        assert all(
            strong.text.endswith(":") for strong in page.xpath("//strong")
        )  # field labels only
        text = " ".join(page.text_content().split())
        for value in expected:
            assert value in text


def test_html_and_docx_show_register_text_literally(tmp_path):
    path = build_register(
        tmp_path / "r.db",
        [
            ("party", {"id": "p", "name": MARKUP_NAME, "roles": ["other_user"]}),
            ("assessment", {"id": "a", "party": "p", "kind": "VUSA"}),
            ("decision", {"id": "d", "subject": "a", "date": "2020-01-08", "status": "compliant"}),
        ],
    )
    with Register.open(path, actor="t") as register:
        _, appendix = appendix_part(register, dt.date(2020, 1, 1))
    page = lxml.html.document_fromstring(render(appendix, "html"))
    assert not page.xpath("//main//b | //main//a")
    assert MARKUP_NAME in page.text_content()
    word = docx.Document(io.BytesIO(render(appendix, "docx")))
    assert MARKUP_NAME in [
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    ]


# -- DOCX: house style and metadata -------------------------------------------------------
@pytest.mark.parametrize("part", ["main", "appendix"])
def test_docx_looks_like_a_panel_paper(december, tmp_path, part):
    out = tmp_path / f"{part}.docx"
    result = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--part",
        part,
        "--format",
        "docx",
        "-o",
        str(out),
        "--paper-ref",
        "SECP_76_1701_19",
    )
    assert result.status == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    word = docx.Document(str(out))
    section = word.sections[0]
    # A4, not Letter (Word stores twentieths of a point: within a millimetre)
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert word.styles["Normal"].font.name == "Arial"
    for level in (1, 2, 3):
        style = word.styles[f"Heading {level}"]
        assert style.font.name == "Arial" and style.font.color.rgb == docx.shared.RGBColor(0, 0, 0)
    level = "WHITE" if part == "main" else "RED"
    header = " ".join(p.text for p in section.header.paragraphs)
    footer = " ".join(p.text for p in section.footer.paragraphs)
    for text in (header, footer):
        assert "SECP_76_1701_19" in text
        assert (level in text) or ("classified as White" in text)
    assert level in footer
    assert not section.different_first_page_header_footer
    properties = word.core_properties
    assert properties.author == "SECAS Team" and properties.last_modified_by == "SECAS Team"
    assert properties.subject == "SECP_76_1701_19"
    assert properties.category == level and properties.keywords == level
    assert properties.created.year >= 2026 and properties.created == properties.modified
    core = zipfile.ZipFile(out).read("docProps/core.xml").decode()
    assert "python-docx" not in core and "2013" not in core
    app = zipfile.ZipFile(out).read("docProps/app.xml").decode()
    assert "<Application>ssc</Application>" in app and "Macintosh" not in app
    for table in word.tables:
        assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    if part == "appendix":
        findings = [t for t in word.tables if t.rows[0].cells[0].text == "SEC clause"][0]
        assert findings.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # repeated on each page


def test_docx_house_style_is_the_policy_s(december, tmp_path):
    # font, font_size and margin_cm in [docx] were read and never used: now the paper follows them.
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[report.docx]\nfont = "Verdana"\nfont_size = 12\nmargin_cm = 2.5\n', encoding="utf-8"
    )
    out = tmp_path / "main.docx"
    result = december.process(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--format",
        "docx",
        "-o",
        str(out),
        env={"SSC_POLICY": str(policy)},
    )
    assert result.status == 0, result.stderr
    word = docx.Document(str(out))
    section = word.sections[0]
    assert word.styles["Normal"].font.name == "Verdana"
    assert word.styles["Normal"].font.size == docx.shared.Pt(12)
    assert all(word.styles[f"Heading {level}"].font.name == "Verdana" for level in (1, 2, 3))
    assert abs(section.left_margin - docx.shared.Cm(2.5)) < Mm(0.1)
    assert abs(section.top_margin - docx.shared.Cm(2.5)) < Mm(0.1)
    assert {run.font.name for p in section.header.paragraphs for run in p.runs} == {"Verdana"}


def test_docx_dates_are_the_generation_time(tmp_path):
    path = build_register(tmp_path / "r.db", DECEMBER_2019)
    when = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    with Register.open(path, actor="t") as register:
        _, document = main_part(register, dt.date(2019, 12, 1), now=when)
    word = docx.Document(io.BytesIO(render(document, "docx")))
    assert word.core_properties.created == when and word.core_properties.modified == when


# -- printed HTML -------------------------------------------------------------------------
def test_html_print_css(december):
    out = december(
        "report",
        "panel",
        "--month",
        "2019-12",
        "--part",
        "appendix",
        "--format",
        "html",
        "--paper-ref",
        "SECP_76_1701_19",
    ).stdout
    style = lxml.html.document_fromstring(out).find(".//style").text
    assert "size: A4" in style and "@top-center" in style and "@bottom-center" in style
    assert "thead { display: table-header-group; }" in style
    assert "break-after: avoid" in style
    assert "RED \\2014  named recipients only" in style or "RED — named recipients only" in style


def _many_decisions(n: int) -> list[tuple[str, dict]]:
    records: list[tuple[str, dict]] = []
    for i in range(n):
        records += [
            (
                "party",
                {"id": f"p{i}", "name": f"Printable Energy {i} Ltd", "roles": ["small_supplier"]},
            ),
            ("assessment", {"id": f"a{i}", "party": f"p{i}", "kind": "FUSA", "cycle_year": 1}),
            (
                "decision",
                {"id": f"d{i}", "subject": f"a{i}", "date": "2020-02-12", "status": "approved"},
            ),
            *[
                (
                    "finding",
                    {
                        "id": f"f{i}_{j}",
                        "assessment": f"a{i}",
                        "sec_ref": "G5.14",
                        "title": f"Finding {j} of a long appendix",
                        "status": "open",
                    },
                )
                for j in range(3)
            ],
        ]
    return records


def _many_highlights(n: int) -> list[tuple[str, dict]]:
    return [
        (
            "highlight",
            {
                "id": f"h{i}",
                "date": "2020-02-12",
                "committee": "SSC",
                "classification": "GREEN",
                "title": f"Matter {i} for the Panel",
                "text": "The SSC discussed a matter of general interest at some length. " * 8,
            },
        )
        for i in range(n)
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "part, marking",
    [
        ("appendix", "RED — named recipients only"),
        ("main", "GREEN — SEC Parties and community, not public"),
    ],
)
def test_every_printed_page_carries_the_marking(ssc, tmp_path, part, marking):
    """Headless Chromium prints each part to PDF; pdftotext finds the marking and the paper
    reference on every page, not only the first and last."""
    chromium = require_tool("chromium")
    pdftotext = require_tool("pdftotext")
    build_register(ssc.db, _many_decisions(25) + _many_highlights(30))
    html = tmp_path / f"{part}.html"
    assert (
        ssc(
            "report",
            "panel",
            "--month",
            "2020-02",
            "--part",
            part,
            "--format",
            "html",
            "-o",
            str(html),
            "--paper-ref",
            "SECP_77_1402_20",
        ).status
        == 0
    )
    pdf = tmp_path / f"{part}.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f") if page.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert marking in page, f"page {number} has no marking"
        assert "SECP_77_1402_20" in page, f"page {number} has no paper reference"


# -- policy invariants --------------------------------------------------------------------
@pytest.mark.parametrize(
    "table, key, value",
    [
        ("paper", "main_ceiling", "AMBER"),
        ("paper", "main_ceiling", "RED"),
        ("appendix", "classification", "AMBER"),
        ("appendix", "classification", "WHITE"),
    ],
)
def test_policy_cannot_loosen_the_report_invariants(december, tmp_path, table, key, value):
    policy = tmp_path / "policy.toml"
    policy.write_text(f'[report.{table}]\n{key} = "{value}"\n', encoding="utf-8")
    result = december.process(
        "report", "panel", "--month", "2019-12", env={"SSC_POLICY": str(policy)}
    )
    assert result.status == 2
    assert str(policy) in result.stderr and f"report.{table}.{key}" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_policy_may_tighten_the_main_ceiling(december, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[report.paper]\nmain_ceiling = "WHITE"\n', encoding="utf-8")
    result = december.process(
        "report", "panel", "--month", "2019-12", env={"SSC_POLICY": str(policy)}
    )
    assert result.status == 0, result.stderr
    assert "classified as White" in result.stdout
    assert (
        december.process(
            "report",
            "panel",
            "--month",
            "2019-12",
            "--classification",
            "GREEN",
            env={"SSC_POLICY": str(policy)},
        ).status
        == 2
    )


def test_skeleton_table_matches_the_package():
    """The vendored TS #39 table is still what confusable-homoglyphs' data gives."""
    from assurance.report.fold import derive_skeletons, load_skeletons

    assert load_skeletons() == derive_skeletons()
    assert Path(__file__).parent.parent.joinpath("assurance/report/skeletons.txt").is_file()
