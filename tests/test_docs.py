"""The README's usage tour against the real parser: every command is shown, none is stale.

As sqlite-utils tests its docs: the commands come from ``ssc.cli.build_parser()``, so a new
command (or a new record type's five) fails here until the tour shows it.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssc.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every command path of the parser, leaves and groups (``("audit",)``, ``("audit", "head")``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name)
                yield from commands(sub, (*path, name))


def tour(text: str) -> str:
    """The usage tour: from its heading to the next heading of the same level."""
    match = re.search(r"^## Usage tour\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README.md has no '## Usage tour' section"
    return match.group(1)


def shown(text: str) -> set[tuple[str, ...]]:
    """The commands the tour shows: lines of its shell blocks that start ``ssc``, and inline code
    spans that do, as their words up to the first option, value or comment."""
    lines = [
        line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()
    ]
    lines += re.findall(r"`(ssc [^`]*)`", text)
    found = set()
    for line in lines:
        for command in re.findall(r"(?:^|&& )ssc((?: [a-z][a-z-]*)+)", line.strip()):
            found.add(tuple(command.split()))
    return found


def undocumented(text: str) -> list[str]:
    """Each parser command no tour line begins with, as ``ssc a b``."""
    seen = shown(tour(text))
    return [
        " ".join(("ssc", *path))
        for path in commands(build_parser())
        if not any(words[: len(path)] == path for words in seen)
    ]


ALL = sorted(commands(build_parser()))


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_is_in_the_usage_tour(path):
    seen = shown(tour(README.read_text(encoding="utf-8")))
    assert any(words[: len(path)] == path for words in seen), (
        f"`ssc {' '.join(path)}` is not in the README's usage tour: add an example"
    )


def stale(text: str) -> list[str]:
    """Each tour line naming a command the parser does not have (renamed or removed)."""
    known = set(commands(build_parser()))
    groups = {path[:-1] for path in known if len(path) > 1}
    bad = []
    for words in sorted(shown(tour(text))):
        path = words[:1]
        while path in groups and len(path) < len(words):  # a group's command comes next
            path = words[: len(path) + 1]
        if path not in known and path not in groups:  # a group named alone (`ssc incident`) is fine
            bad.append(" ".join(("ssc", *words)))
    return bad


def test_every_command_the_tour_shows_exists():
    assert stale(README.read_text(encoding="utf-8")) == []


def test_a_missing_command_is_reported():
    text = README.read_text(encoding="utf-8")
    assert undocumented(text) == []
    pruned = "\n".join(
        line
        for line in text.splitlines()
        if "ssc audit checkpoint" not in line and "`checkpoint`" not in line
    )
    assert undocumented(pruned) == ["ssc audit checkpoint"]


def test_a_group_named_alone_is_not_stale():
    # Prose may name a group without a command (`ssc incident`): neither stale nor a hang.
    assert stale("## Usage tour\n```sh\nssc incident\nssc audit\n```\n## Next\n") == []


def test_a_stale_command_is_reported():
    text = (
        README.read_text(encoding="utf-8")
        .replace("ssc audit head ", "ssc audit rewind ", 1)
        .replace("ssc demo --as-of", "ssc sample --as-of", 1)
    )
    assert stale(text) == ["ssc audit rewind", "ssc sample"]


def test_the_command_list_is_the_parser_s():
    # Record commands derive from the record types: six types, five commands each.
    from assurance.models import RECORD_TYPES

    for type_name in RECORD_TYPES:
        for verb in ("add", "edit", "list", "show", "withdraw"):
            assert (type_name, verb) in ALL
    assert ("audit", "checkpoint") in ALL and ("completion",) in ALL
