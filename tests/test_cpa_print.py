"""The CPA report for people: its classification on screen and on every printed page, register
text shown as text in HTML, Markdown and CSV (no markup, formula or reordering it can smuggle)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import require_tool
from markdown_it import MarkdownIt
from test_cpa_report import load_edmi

from smki.cpa.formats import renderer
from smki.cpa.policy import load_policy
from smki.cpa.report import CertificateAlert, CpaReport, SupplierExposure, Totals, UncoveredDevices
from smki.expiry import Severity

AMBER = "AMBER — need-to-know within recipient organisations"
HOSTILE = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</style><b>x</b>",
    "*bold* _em_ `code` [link](javascript:alert(1)) ![i](http://x/i.png) ~~s~~ &amp; | pipe",
    "=HYPERLINK(\"http://evil/\",\"click\")", "+1+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
    "\tTab", "\rCR", "line\nbreak", "abc\u202edcba", "x\u2066isolate", "\x1b[31mred",
    "Zoë ☃ ＝1", "### heading #",
]  # fmt: skip


def report_of(texts: list[str], *, certificates: int | None = None) -> CpaReport:
    """A report whose every text field holds one of ``texts``, classified by the real policy."""
    policy = load_policy()
    n = certificates or len(texts)
    alerts = []
    for i in range(n):
        t = texts[i % len(texts)]
        suppliers = tuple(
            SupplierExposure(f"{t} supplier {j}", 10 + j, "overdue", dt.date(2020, 1, 1),
                             dt.date(2020, 1, 20), None, t, False, True) for j in range(3)
        )  # fmt: skip
        alerts.append(CertificateAlert(
            f"CPA-{i:04d} {t}", t, "ESME", t, t, t, dt.date(2017, 1, 1), dt.date(2020, 2, 1),
            "Active", 11, Severity.CRITICAL, 33, suppliers, True))  # fmt: skip
    uncovered = tuple(UncoveredDevices(t, "ESME", t, t, t, t, 2, True) for t in texts)
    return CpaReport(dt.date(2020, 1, 21), 180, policy.expiry, tuple(alerts), uncovered,
                     Totals(n, n, {}, 0, 0, {}, 0), policy.classification)  # fmt: skip


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "meta" and dict(attrs).get("name"):
            self.meta[dict(attrs)["name"]] = dict(attrs).get("content") or ""

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


# --- classification ----------------------------------------------------------------------------


def test_html_carries_the_policy_classification_at_top_bottom_and_in_the_page_margins(ssc):
    load_edmi(ssc)
    html = ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "html").stdout
    page = parse(html)
    assert page.meta["classification"] == "AMBER"
    text = "".join(page.text)
    assert text.count(AMBER) == 2  # the screen's header and footer
    assert "classified as Amber in accordance with the Panel Information Policy" in text
    assert "size: A4" in html and "@top-center" in html and "@bottom-left" in html


def test_every_format_for_people_is_marked_and_json_says_it(ssc):
    load_edmi(ssc)
    md = ssc("cpa", "report", "--as-of", "2020-01-21").stdout
    assert md.startswith(f"**{AMBER}**") and md.rstrip().endswith(f"**{AMBER}**")
    rows = list(csv.DictReader(io.StringIO(
        ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "csv").stdout)))  # fmt: skip
    assert rows and {r["classification"] for r in rows} == {"AMBER"}
    import json

    data = json.loads(ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "json").stdout)
    assert data["classification"]["level"] == "AMBER"


def test_the_classification_comes_from_policy_and_a_bad_one_is_refused(ssc, tmp_path):
    load_edmi(ssc)
    override = tmp_path / "policy.toml"
    override.write_text('[cpa]\nclassification = "RED"\n')
    result = ssc.process("cpa", "report", "--as-of", "2020-01-21", "--format", "html",
                         env={"SSC_POLICY": str(override)})  # fmt: skip
    assert result.status == 1
    assert parse(result.stdout).meta["classification"] == "RED"
    assert "RED — named recipients only" in result.stdout and AMBER not in result.stdout
    override.write_text('[cpa]\nclassification = "PURPLE"\n')
    result = ssc.process("cpa", "report", "--as-of", "2020-01-21", "--format", "html",
                         env={"SSC_POLICY": str(override)})  # fmt: skip
    assert result.status == 2 and result.stdout == ""
    assert str(override) in result.stderr and "classification" in result.stderr
    assert "Traceback" not in result.stderr


# --- register text stays text --------------------------------------------------------------------


def test_hostile_register_text_is_only_text_in_html():
    html = renderer("html")(report_of(HOSTILE))
    page = parse(html)
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "header", "p",
                              "h1", "h2", "h3", "ul", "li", "strong", "table", "thead",
                              "tbody", "tr", "th", "td", "a", "section", "span", "bdi",
                              "footer"}  # fmt: skip
    assert page.tags.count("style") == 1 and "script" not in page.tags
    assert not [name for name, _ in page.attrs if name.startswith("on")]
    assert not [v for n, v in page.attrs if n in ("href", "src") and v and not v.startswith("#")]
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text  # shown, as text
    assert "\u202e" not in html and "\x1b" not in html and "abc<U+202E>dcba" in text


def test_hostile_register_text_is_only_text_in_markdown():
    """Rendered by a real CommonMark + GFM-tables parser: no element the text did not ask for."""
    md = renderer("markdown")(report_of(HOSTILE))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")\
        .render(md)  # fmt: skip
    page = parse(html)
    assert not {"script", "img", "a", "code", "s", "b", "style"} & set(page.tags)
    assert set(page.tags) <= {"p", "strong", "em", "h1", "h2", "h3", "ul", "li", "table",
                              "thead", "tbody", "tr", "th", "td"}  # fmt: skip
    assert page.tags.count("em") == 1  # the classification sentence, and nothing from the data
    text = "".join(page.text)
    assert "*bold* _em_ `code` [link](javascript:alert(1))" in text
    assert "<script>alert(1)</script>" in text and "&amp; | pipe" in text
    # Every table row has as many cells as its header: a | in the text splits nothing.
    for table in html.split("<table>")[1:]:
        table = table.split("</table>")[0]
        widths = {row.count("<td") + row.count("<th") for row in table.split("<tr>")[1:]}
        assert len(widths) == 1, widths
    assert "\u202e" not in md and "\x1b" not in md


def test_csv_neutralises_formulas_for_spreadsheets_and_keeps_the_rest():
    rows = list(csv.DictReader(io.StringIO(renderer("csv")(report_of(HOSTILE)), newline="")))
    cells = [v for r in rows for v in r.values() if v]
    assert not [v for v in cells if v[0] in "=+@\t\r"]
    assert not [v for v in cells if v[0] == "-" and not v.lstrip("-").isdigit()]
    models = {r["model"] for r in rows}
    assert '\'=HYPERLINK("http://evil/","click")' in models and "'-2+3" in models
    assert "'\rCR" in models and "line\nbreak" in models  # data kept; only the start changes
    assert "Zoë ☃ ＝1" in models


# --- printed from a browser --------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    return require_tool("chromium")


def print_pages(html: str, tmp_path: Path) -> tuple[list[str], str]:
    """``html`` printed to PDF by headless Chromium; the text of each page, and pdfinfo."""
    source, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    source.write_text(html, encoding="utf-8")
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    text = subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    return [p for p in text.split("\f") if p.strip()], info


@pytest.mark.slow
@pytest.mark.parametrize("texts, certificates", [
    (["EDMI", "Northwind Metering", "Sigma"], 60),  # the long table runs over several pages
    # Without `break-after: avoid-page` these put a heading at the foot of a page (Debian's
    # fonts): the rule, not luck, keeps it with its table.
    (["EDMI", "Northwind Metering"], 12),
    (["EDMI", "Northwind Metering"], 3),
])  # fmt: skip
def test_printed_html_is_a4_marked_on_every_page_headings_kept_with_tables(
    tmp_path, texts, certificates
):
    report = report_of(texts, certificates=certificates)
    pages, info = print_pages(renderer("html")(report), tmp_path)
    assert "(A4)" in info
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert AMBER in lines[0], (number, lines[0])  # top margin
        assert AMBER in lines[-1] and f"Page {number} of {len(pages)}" in lines[-1], lines[-1]
        body = lines[1:-1]
        # A heading is never the last thing on a page: its table starts under it.
        assert not body[-1].startswith(
            ("CPA-", "Certificates, worst first", "Installed devices no certificate")
        ), (number, body[-1])
        # Rows of the long table carry its header row on every page they run onto.
        first_row = next((i for i, line in enumerate(body) if line.startswith("CRITICAL")), None)
        if first_row is not None:
            assert any(line.startswith("Severity") for line in body[:first_row]), number
