"""Output formats of one report family in one table: ``--format`` choices, suffixes, text or binary.

A report family (the CPA expiry report, say) lists its formats once; the CLI's ``--format``
choices and help, the format a ``-o FILE`` suffix implies, whether the output is binary (and so
needs a file), and which function renders it are all read from that list. Renderers are named
as ``module:function`` and imported only when used, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from core.errors import InputError


@dataclass(frozen=True)
class Format:
    name: str
    #: The file suffix this format is written with, and recognised by (``-o report.html``).
    suffix: str
    #: ``module:function`` taking the report and returning ``str`` (or ``bytes`` if binary).
    renderer: str
    help: str
    binary: bool = False

    def render(self, report: Any) -> str | bytes:
        module, _, function = self.renderer.partition(":")
        render: Callable[[Any], str | bytes] = getattr(importlib.import_module(module), function)
        return render(report)


class Family:
    """The formats of one report family; the first listed is the default."""

    def __init__(self, command: str, formats: Iterable[Format]) -> None:
        self.command = command
        self.formats = {f.name: f for f in formats}
        suffixes = [f.suffix.lower() for f in self.formats.values()]
        if len(set(suffixes)) != len(suffixes):
            raise ValueError(f"{command}: two formats share a suffix")
        self.default = next(iter(self.formats))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.formats)

    def __getitem__(self, name: str) -> Format:
        return self.formats[name]

    def for_path(self, path: str | PurePath) -> Format | None:
        """The format a file name's suffix names (any case), if any."""
        suffix = PurePath(path).suffix.lower()
        return next((f for f in self.formats.values() if f.suffix.lower() == suffix), None)

    def choose(self, name: str | None, output: str | None) -> Format:
        """``--format`` if given; else the one ``-o FILE``'s suffix names; else the default.

        A binary format needs a file: to a terminal or a pipe it would be noise.
        """
        chosen = self.formats[name] if name else None
        if chosen is None and output not in (None, "-"):
            chosen = self.for_path(output)
        chosen = chosen or self.formats[self.default]
        if chosen.binary and output in (None, "-"):
            raise InputError(f"{chosen.name} is binary: give -o FILE{chosen.suffix}",
                             field="--output")  # fmt: skip
        return chosen

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """``--format`` (choices from this family) and ``-o``/``--output``."""
        listed = ", ".join(f"{f.name} ({f.suffix}): {f.help}" for f in self.formats.values())
        parser.add_argument(
            "--format", choices=self.names, default=None,
            help=f"default: from -o FILE's suffix, else {self.default}. {listed}",
        )  # fmt: skip
        parser.add_argument(
            "--output", "-o", metavar="FILE",
            help="write to FILE (0600, whole or not at all) instead of standard output; "
                 "- is standard output",
        )  # fmt: skip
