"""Every report family's formats come from its one table: CLI choices, -o suffixes, binary
refusal, renderers and the TUI's export menu — walked over every family the parser holds.

Golden-free: each format's output is read back by a real reader (JSON parses, SARIF validates
against the official schema, DOCX opens in python-docx, HTML and Markdown parse, promtool
accepts the metrics), and a tree copy shows a new format needs one line and its renderer.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable

import docx
import lxml.html
import pytest
from markdown_it import MarkdownIt
from test_cpa_prometheus import check_metrics
from test_cpa_report import load_edmi
from test_report_registers import DECEMBER_2019, build_register
from test_smki_output import _validate as validate_sarif
from test_tui_support import demo_register, make_app, settle

from assurance.formats import CHASE, PANEL
from assurance.report._format import DocumentFormat
from core.errors import InputError
from core.formats import Family, Format, families
from smki.cpa.formats import CPA
from smki.formats import CERTIFICATES, KEY_SEPARATION
from ssc.cli import build_parser
from testdata.smki_pki import AS_OF, build
from tests.conftest import REPO, SSC

#: Each family the CLI renders, by command. The test below asserts the parser holds exactly
#: these, so a family wired to a new command (or a command left off) is noticed here.
COMMANDS: dict[tuple[str, ...], Family] = {
    ("report", "panel"): PANEL,
    ("cpa", "report"): CPA,
    ("smki", "check-keys"): KEY_SEPARATION,
    ("smki", "certs"): CERTIFICATES,
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def run_family(tmp_path, pki) -> Callable[[tuple[str, ...]], tuple[SSC, list[str], int]]:
    """A register (or PKI) with real data for the family's command: (ssc, argv, exit status)."""

    def setup(command: tuple[str, ...]) -> tuple[SSC, list[str], int]:
        ssc = SSC(tmp_path / "register.db")
        if command == ("report", "panel"):
            build_register(ssc.db, DECEMBER_2019)
            return ssc, ["report", "panel", "--month", "2019-12"], 0
        if command == ("cpa", "report"):
            load_edmi(ssc)
            return ssc, ["cpa", "report", "--as-of", "2020-01-21"], 1
        if command == ("smki", "check-keys"):
            return ssc, ["smki", "check-keys", "--as-of", AS_OF.isoformat(), "--certs",
                         str(pki.certs), str(pki.requests)], 1  # fmt: skip
        if command == ("smki", "certs"):
            return ssc, ["smki", "certs", "--as-of", AS_OF.isoformat(), str(pki.certs)], 1
        raise AssertionError(f"no data for {command}: add it here")

    return setup


# -- readers: what a consumer of each format does with it -------------------------------------
def _markdown(text: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert any(t.type in ("heading_open", "table_open") for t in tokens), text[:200]


def _html(text: str) -> None:
    page = lxml.html.document_fromstring(text)
    assert page.find("head/title") is not None and page.find("body").text_content().strip()


def _docx(data: bytes) -> None:
    word = docx.Document(io.BytesIO(data))
    assert any(p.text.strip() for p in word.paragraphs)
    assert word.core_properties.title


def _json(text: str) -> None:
    assert isinstance(json.loads(text), dict)


def _sarif(text: str) -> None:
    sarif = json.loads(text)
    validate_sarif(sarif)
    assert sarif["runs"][0]["results"]


def _csv(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert len(rows) > 1 and all(rows[0])


def _text(text: str) -> None:
    lines = text.splitlines()
    assert lines and all(line.strip() for line in lines)
    assert "{" not in lines[0] and "<" not in lines[0]  # not JSON, not markup


#: By format name (the same name means the same kind of output in every family).
READERS: dict[str, Callable] = {
    "markdown": _markdown,
    "html": _html,
    "docx": _docx,
    "json": _json,
    "sarif": _sarif,
    "csv": _csv,
    "prometheus": check_metrics,
    "text": _text,
}

CASES = [(command, fmt) for command, family in COMMANDS.items() for fmt in family]


def _ids(case) -> str:
    command, fmt = case
    return f"{'-'.join(command)}:{fmt.name}"


def test_the_parser_holds_exactly_the_known_families():
    found = {path: family for path, _, family in families(build_parser())}
    assert found.keys() == COMMANDS.keys()
    for path, family in found.items():
        assert family is COMMANDS[path], path


@pytest.mark.parametrize("command", list(COMMANDS), ids="-".join)
def test_help_lists_the_registry_s_formats_and_help(command, ssc):
    family = COMMANDS[command]
    result = ssc.process(*command, "--help")
    assert result.status == 0, result.stderr
    # In the usage line and in the option's own line: the registry's names, in its order.
    assert set(re.findall(r"--format \{([^}]*)\}", result.stdout)) == {",".join(family.names)}
    flat = " ".join(result.stdout.split())
    assert f"else {family.default}." in flat
    for fmt in family:
        assert f"{fmt.name} ({fmt.suffix}" in flat and " ".join(fmt.help.split()) in flat


def test_the_cli_modules_of_report_families_name_no_format():
    names = {f.name for family in COMMANDS.values() for f in family}
    for module in ("report", "cpa", "smki"):
        source = (REPO / "ssc" / "cli" / f"{module}.py").read_text(encoding="utf-8")
        literals = {n.value for n in ast.walk(ast.parse(source))
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)}  # fmt: skip
        assert not literals & names, f"ssc/cli/{module}.py names {literals & names}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_o_suffix_picks_each_format_and_the_output_reads_back(case, run_family, tmp_path):
    command, fmt = case
    ssc, argv, status = run_family(command)
    for suffix in (*fmt.suffixes, fmt.suffix.upper()):  # any case: REPORT.HTML is html
        target = tmp_path / f"out{suffix}"
        result = ssc(*argv, "-o", str(target))
        assert result.status == status, result.stderr
        assert result.stdout == ""
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        data = target.read_bytes()
        if fmt.name not in READERS:
            pytest.fail(f"no reader for {fmt.name}: add one to READERS")
        READERS[fmt.name](data if fmt.binary else data.decode("utf-8"))
        if not fmt.binary:  # the same as asking by name, to standard output
            named = ssc(*argv, "--format", fmt.name)
            assert named.status == status and named.stdout == data.decode("utf-8")


@pytest.mark.parametrize("case", [c for c in CASES if c[1].binary], ids=_ids)
def test_a_binary_format_to_standard_output_is_refused_in_one_line(case, run_family, tmp_path,
                                                                    monkeypatch):  # fmt: skip
    command, fmt = case
    ssc, argv, _ = run_family(command)
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    for output in ([], ["-o", "-"], ["--output", "-"]):
        result = ssc(*argv, "--format", fmt.name, *output)
        assert result.status == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "binary" in result.stderr
        assert f"-o FILE{fmt.suffix}" in result.stderr
    process = ssc.process(*argv, "--format", fmt.name)
    assert process.status == 2 and process.stdout == "" and "Traceback" not in process.stderr
    assert set(tmp_path.iterdir()) == before  # nothing written, not even a file named "-"


def test_a_binary_format_is_refused_before_the_work(ssc):
    # No register at all: the refusal comes first, not "no such register".
    result = ssc("report", "panel", "--month", "2019-12", "--format", "docx")
    assert result.status == 2 and "binary" in result.stderr and not ssc.db.exists()


@pytest.mark.parametrize("command", list(COMMANDS), ids="-".join)
def test_output_to_a_folder_or_nowhere_is_exit_2_and_writes_nothing(command, run_family,
                                                                    tmp_path):  # fmt: skip
    ssc, argv, _ = run_family(command)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target in (folder, tmp_path / "missing" / "out.json"):
        result = ssc(*argv, "-o", str(target))
        assert result.status == 2 and result.stderr.count("\n") == 1, result.stderr
    assert list(folder.iterdir()) == [] and not (tmp_path / "missing").exists()


@pytest.mark.parametrize("fmt", list(CHASE), ids=lambda f: f.name)
def test_the_chase_list_writes_each_of_its_formats(fmt, tmp_path):
    # A family the TUI writes (no CLI command): each format through the package function.
    from assurance import chase
    from assurance.store import Register

    db = demo_register(tmp_path / "register.db")
    with Register.open(db, actor="t") as register:
        path = chase.write_chase_list(register, dt.date(2020, 1, 10), 14,
                                      tmp_path / f"chase{fmt.suffix}", fmt.name)  # fmt: skip
        with pytest.raises(InputError, match="unknown format"):
            chase.write_chase_list(register, dt.date(2020, 1, 10), 14, tmp_path / "c.pdf", "pdf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    READERS[fmt.name](path.read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("chase")) == [path.name]


def test_every_panel_renderer_runs_the_tripwire():
    # The classification tripwire lives in DocumentFormat.__call__: a Panel format that is not
    # one would render unchecked.
    for fmt in PANEL:
        assert isinstance(fmt.load(), DocumentFormat), fmt.renderer


def test_renderers_get_exactly_their_family_s_context_and_return_their_kind(pki):
    from smki.keysep import check_key_separation

    report = check_key_separation([str(pki.requests)], [str(pki.certs)], AS_OF)
    with pytest.raises(TypeError, match="version"):
        KEY_SEPARATION.render("json", report)
    with pytest.raises(TypeError, match="version"):
        KEY_SEPARATION.render("json", report, version="1", extra=True)
    assert json.loads(KEY_SEPARATION.render("json", report, version="1"))["findings"]
    lying = Format("docx", ".docx", "smki.render:report_text", "text, declared binary", binary=True)
    with pytest.raises(TypeError, match="not bytes"):
        lying.render(report)
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        KEY_SEPARATION["pdf"]


@pytest.mark.parametrize("formats, problem", [
    ([Format("a", ".x", "m:f", "a"), Format("a", ".y", "m:f", "a")], "two formats named"),
    ([Format("a", ".x", "m:f", "a"), Format("b", ".y", "m:g", "b", also=(".X",))], "suffix"),
    ([Format("a", "x", "m:f", "a")], "must start with"),
    ([Format("a", ".x", "m.f", "a")], "module:function"),
    ([], "needs a format"),
])  # fmt: skip
def test_a_family_refuses_an_ambiguous_table(formats, problem):
    with pytest.raises(ValueError, match=problem):
        Family("x", formats)


def test_the_tui_export_menus_list_each_family_from_its_table(tmp_path):
    import asyncio

    from textual.widgets import Select

    async def scenario():
        app = make_app(demo_register(tmp_path / "register.db"))
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            menus = {}
            for menu in ("#f-format", "#f-cpa-format"):
                select = app.screen.query_one(menu, Select)
                menus[menu] = (tuple(v for _, v in select._options if v != Select.BLANK),
                               select.value)  # fmt: skip
            return menus

    menus = asyncio.run(scenario())
    assert menus["#f-format"] == (PANEL.names, PANEL.default)
    assert menus["#f-cpa-format"] == (CPA.names, CPA.default)


def test_the_tui_writes_a_binary_panel_format_and_every_cpa_format(tmp_path):
    import asyncio

    from textual.widgets import Button, Label, Select

    out = tmp_path / "papers"
    db = demo_register(tmp_path / "register.db")
    load_edmi(SSC(db))

    async def scenario():
        app = make_app(db, out_dir=out)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            app.screen.query_one("#f-format", Select).value = "docx"
            await pilot.press("ctrl+s")
            await settle(pilot)
            for fmt in CPA:
                app.screen.query_one("#f-cpa-format", Select).value = fmt.name
                app.screen.query_one("#cpa", Button).press()  # a click may land on the last toast
                await settle(pilot)
                assert "wrote" in str(app.screen.query_one("#report-result", Label).render())

    asyncio.run(scenario())
    names = {p.name for p in out.iterdir()}
    assert {"ssc-panel-2019-12.docx", "ssc-panel-2019-12-appendix-a-RED.docx"} <= names
    _docx((out / "ssc-panel-2019-12-appendix-a-RED.docx").read_bytes())
    for fmt in CPA:
        path = out / f"cpa-report-2020-01-10{fmt.suffix}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        if fmt.name != "prometheus":  # promtool is the CLI tests' reader; not needed twice
            READERS[fmt.name](path.read_text(encoding="utf-8"))


# -- a new format is one line and its renderer ---------------------------------------------------
_PLAIN = '''\
"""Report documents as plain text (a format added in a test's tree copy)."""

from assurance.report._format import DocumentFormat


class PlainFormat(DocumentFormat):
    def render(self, document):
        return "\\n".join(document.texts()) + "\\n"


render = PlainFormat()
'''

_TUI_MENU = """\
import asyncio, datetime as dt, sys
from pathlib import Path
from textual.widgets import Select
from tui.app import SSCApp
from tui.state import Session

async def main():
    db = Path(sys.argv[1])
    app = SSCApp(Session(db_path=db, actor="t", today=dt.date(2020, 1, 10), cursor_blink=False,
                         out_dir=db.parent / "out"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        select = app.screen.query_one("#f-format", Select)
        print(",".join(v for _, v in select._options if v != Select.BLANK))

asyncio.run(main())
"""


def test_a_new_panel_format_is_one_line_and_its_renderer(tmp_path):
    tree = tmp_path / "tree"
    for package in ("ssc", "core", "assurance", "smki", "tui", "policies"):
        shutil.copytree(REPO / package, tree / package,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    formats = tree / "assurance" / "formats.py"
    source = formats.read_text(encoding="utf-8")
    line = ('    Format("plain", ".txt", "assurance.report._format.plain:render", '
            '"plain text, one line per block"),\n')  # fmt: skip
    assert source.count("\n])  # fmt: skip") == 1
    formats.write_text(source.replace("\n])  # fmt: skip", "\n" + line + "])  # fmt: skip"))
    (tree / "assurance" / "report" / "_format" / "plain.py").write_text(_PLAIN)

    db = build_register(tmp_path / "register.db", DECEMBER_2019)
    env = {**os.environ, "PYTHONPATH": str(tree), "SSC_DB": str(db), "SSC_ACTOR": "t"}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=120)  # fmt: skip

    helped = run("-m", "ssc", "report", "panel", "--help")
    assert "--format {markdown,html,docx,plain}" in helped.stdout, helped.stderr
    assert "plain text, one line per block" in " ".join(helped.stdout.split())
    written = run("-m", "ssc", "report", "panel", "--month", "2019-12", "-o", "paper.TXT")
    assert written.returncode == 0, written.stderr
    text = (tmp_path / "paper.TXT").read_text(encoding="utf-8")
    assert "3.1 Assurance Status Decisions" in text and "<" not in text and "#" not in text
    assert "Fenland" not in text  # the main part: Appendix A's Party is not in it

    menu = run("-c", textwrap.dedent(_TUI_MENU), str(demo_register(tmp_path / "demo.db")))
    assert menu.stdout.strip() == "markdown,html,docx,plain", menu.stderr
