"""Output formats of report families, each family declared once as data; everything else reads it.

A report family (the Panel report, the CPA expiry report, the key-separation check, the
certificate listing) lists its formats once, in its own domain package: name, file suffix,
binary or text, help, renderer. The CLI's ``--format`` choices and help, the format a ``-o FILE``
suffix implies, the refusal of a binary format without a file, the renderer called and the
TUI's export menu are all read from that list, so a new format is one ``Format(...)`` line and
its renderer. Renderers are named as ``module:function`` and imported only when used, so
building the parser stays cheap (a pre-commit call imports only the renderer it uses).

This module is the mechanism only; it names no family and imports no domain.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from core.errors import InputError

#: The argparse default under which a command built by :meth:`Family.add_arguments` keeps its
#: family, so that the parser itself says which family each command renders (tests walk it).
FAMILY_DEST = "format_family"


def _is_stdout(output: str | PurePath | None) -> bool:
    return output is None or str(output) == "-"


@dataclass(frozen=True)
class Format:
    name: str
    #: The suffix this format is written with, and recognised by (``-o report.html``).
    suffix: str
    #: ``module:function`` taking the family's subject (and its context keywords) and returning
    #: ``str``, or ``bytes`` if binary.
    renderer: str
    help: str
    #: Binary output goes to a file only (to a terminal or a pipe it would be noise).
    binary: bool = False
    #: Other suffixes that also name this format (``.htm``), recognised but never written.
    also: tuple[str, ...] = ()

    @property
    def suffixes(self) -> tuple[str, ...]:
        return (self.suffix, *self.also)

    def load(self) -> Callable[..., str | bytes]:
        """The renderer itself (its module imported now, not before)."""
        module, _, function = self.renderer.partition(":")
        renderer: Callable[..., str | bytes] = getattr(importlib.import_module(module), function)
        return renderer

    def render(self, subject: Any, **context: Any) -> str | bytes:
        content = self.load()(subject, **context)
        if not isinstance(content, bytes if self.binary else str):
            # A programming error, not the user's: the table and the renderer disagree.
            kind = "bytes" if self.binary else "str"
            raise TypeError(f"{self.renderer} returned {type(content).__name__}, not {kind}")
        return content

    def write(
        self, content: str | bytes, output: str | PurePath | None, *, stdout: IO[str] | None = None
    ) -> None:
        """``content`` to ``output`` (0600, whole or not at all) or standard output; a binary
        format only to a file."""
        from core.output import write_private

        if self.binary and _is_stdout(output):
            raise InputError(self._needs_file(), field="--output")
        write_private(str(output) if output is not None else "-", content, stdout=stdout)

    def _needs_file(self) -> str:
        return f"{self.name} is binary: give -o FILE{self.suffix}"


class Family:
    """The formats of one report family; the first listed is the default.

    ``context`` names the keyword arguments every renderer of the family takes beside the
    subject (the tool's version for SARIF, say); :meth:`render` insists on exactly those.
    """

    def __init__(self, name: str, formats: Iterable[Format], *,
                 context: Iterable[str] = ()) -> None:  # fmt: skip
        self.name = name
        self.formats: dict[str, Format] = {}
        self.context = frozenset(context)
        seen: dict[str, str] = {}
        for f in formats:
            if f.name in self.formats:
                raise ValueError(f"{name}: two formats named {f.name!r}")
            if ":" not in f.renderer:
                raise ValueError(f"{name}: {f.name}'s renderer must be module:function")
            for suffix in f.suffixes:
                if not suffix.startswith(".") or len(suffix) < 2:
                    raise ValueError(f"{name}: {f.name}'s suffix {suffix!r} must start with '.'")
                if suffix.lower() in seen:
                    raise ValueError(f"{name}: two formats share a suffix ({suffix})")
                seen[suffix.lower()] = f.name
            self.formats[f.name] = f
        if not self.formats:
            raise ValueError(f"{name}: a family needs a format")
        self._by_suffix = seen
        self.default = next(iter(self.formats))

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {list(self.formats)})"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.formats)

    def __iter__(self) -> Iterator[Format]:
        return iter(self.formats.values())

    def __getitem__(self, name: str) -> Format:
        try:
            return self.formats[name]
        except KeyError:
            raise InputError(f"unknown format {name!r}; expected one of {', '.join(self.formats)}",
                             field="--format") from None  # fmt: skip

    def for_path(self, path: str | PurePath) -> Format | None:
        """The format a file name's suffix names (any case), if any."""
        name = self._by_suffix.get(PurePath(path).suffix.lower())
        return self.formats[name] if name else None

    def by_path(self, path: str | PurePath) -> Format:
        """The format a file name's suffix names; InputError naming the file if none does."""
        found = self.for_path(path)
        if found is None:
            known = ", ".join(f.suffix for f in self)
            raise InputError(f"cannot tell the format from the name; use {known}", path=str(path))
        return found

    def choose(self, name: str | None, output: str | PurePath | None) -> Format:
        """``--format`` if given; else the one ``-o FILE``'s suffix names; else the default.

        A binary format needs a file: refused (InputError, exit 2) before any work is done.
        """
        chosen = self[name] if name else None
        if chosen is None and not _is_stdout(output):
            assert output is not None
            chosen = self.for_path(output)
        chosen = chosen or self.formats[self.default]
        if chosen.binary and _is_stdout(output):
            raise InputError(chosen._needs_file(), field="--output")
        return chosen

    def render(self, name: str | Format, subject: Any, **context: Any) -> str | bytes:
        """``subject`` in format ``name``, the renderer given exactly this family's context."""
        if set(context) != self.context:
            raise TypeError(f"{self.name}: renderers take {sorted(self.context)}, "
                            f"given {sorted(context)}")  # fmt: skip
        chosen = name if isinstance(name, Format) else self[name]
        return chosen.render(subject, **context)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """``--format`` (choices and help from this family) and ``-o``/``--output``."""
        listed = "; ".join(f"{f.name} ({f.suffix}{', binary' if f.binary else ''}): {f.help}"
                           for f in self)  # fmt: skip
        parser.add_argument(
            "--format", choices=self.names, default=None,
            help=f"default: from -o FILE's suffix, else {self.default}. {listed}",
        )  # fmt: skip
        binary = [f.name for f in self if f.binary]
        parser.add_argument(
            "--output", "-o", metavar="FILE",
            help="write to FILE (0600, whole or not at all) instead of standard output; "
                 "- is standard output" + (f" ({', '.join(binary)}: a file only)" if binary else ""),
        )  # fmt: skip
        parser.set_defaults(**{FAMILY_DEST: self})


def families(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, Family]]:
    """Every command of ``parser`` built from a family: (command path, its parser, the family)."""

    def walk(
        path: tuple[str, ...], p: argparse.ArgumentParser
    ) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, Family]]:
        family = p._defaults.get(FAMILY_DEST)
        if isinstance(family, Family):
            yield path, p, family
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    yield from walk((*path, name), child)

    yield from walk((), parser)
