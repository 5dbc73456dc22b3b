"""One format table per report family: --format choices, -o suffixes and renderers agree."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from test_cpa_report import load_edmi

from core.errors import InputError
from core.formats import Family, Format
from smki.cpa.formats import CPA
from ssc.cli import build_parser


def _choices(*path: str) -> tuple[str, ...]:
    parser = build_parser()
    for name in path:
        parser = next(a for a in parser._actions if a.dest.endswith("command")).choices[name]
    return tuple(next(a for a in parser._actions if a.dest == "format").choices)


def test_the_cli_offers_exactly_the_family_s_formats_and_each_renders():
    assert _choices("cpa", "report") == CPA.names
    assert CPA.default == "markdown"


@pytest.mark.parametrize("name, check", [
    ("report.html", lambda text: text.startswith("<!DOCTYPE html>")),
    ("REPORT.JSON", lambda text: json.loads(text)["as_of"] == "2020-01-21"),
    ("ssc_cpa.prom", lambda text: text.startswith("# HELP ssc_cpa_")),
    ("report.csv", lambda text: text.startswith("kind,cpa_id,")),
    ("report.md", lambda text: text.startswith("**AMBER")),
    ("report.txt", lambda text: text.startswith("**AMBER")),  # unknown suffix: the default
])  # fmt: skip
def test_o_file_s_suffix_picks_the_format_when_format_is_not_given(ssc, tmp_path, name, check):
    load_edmi(ssc)
    target = tmp_path / name
    result = ssc("cpa", "report", "--as-of", "2020-01-21", "-o", str(target))
    assert result.status == 1 and result.stdout == ""
    assert check(target.read_text(encoding="utf-8"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_explicit_format_wins_over_the_suffix_and_dash_is_stdout(ssc, tmp_path):
    load_edmi(ssc)
    target = tmp_path / "report.html"
    assert ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "json",
               "-o", str(target)).status == 1  # fmt: skip
    assert json.loads(target.read_text())["as_of"] == "2020-01-21"
    result = ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "csv", "-o", "-")
    assert result.status == 1 and result.stdout.startswith("kind,cpa_id,")
    assert not Path("-").exists()  # not a file named "-" in the working folder


def test_a_family_refuses_two_formats_with_one_suffix_and_binary_to_a_terminal():
    with pytest.raises(ValueError, match="suffix"):
        Family("x", [Format("a", ".out", "m:f", "a"), Format("b", ".OUT", "m:g", "b")])
    family = Family("x", [Format("text", ".txt", "m:f", "t"),
                          Format("docx", ".docx", "m:g", "d", binary=True)])  # fmt: skip
    assert family.choose(None, "paper.DOCX").name == "docx"
    for output in (None, "-"):
        with pytest.raises(InputError, match="binary"):
            family.choose("docx", output)
    assert family.choose(None, None).name == "text"
