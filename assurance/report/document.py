"""A renderer-independent document: headings, paragraphs, field lists and tables, with its marking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label and value pairs about one thing (a decision, a letter)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None


Block = Heading | Paragraph | Fields | Table


@dataclass(frozen=True)
class HouseStyle:
    """How a paper looks where its format has a look (DOCX): font, size in points, page margins
    in cm. The report's come from ``policies/report.toml`` ``[docx]``; these defaults are for a
    bare Document (tests)."""

    font: str = "Arial"
    font_size: float = 11.0
    margin_cm: float = 2.0


@dataclass
class Document:
    """What a renderer draws: page header and footer lines, a title, then blocks in order.

    ``reference`` (the Panel paper reference), ``author`` and ``generated`` go into a format's
    metadata (DOCX core properties). ``check``, when set (the main part's tripwire), is called
    on the reader-visible text of every rendering before it is returned.
    """

    title: str
    classification: str
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    blocks: list[Block] = field(default_factory=list)
    reference: str | None = None
    author: str | None = None
    generated: dt.datetime | None = None
    style: HouseStyle = field(default_factory=HouseStyle)
    check: Callable[[Iterable[str]], None] | None = field(default=None, repr=False, compare=False)

    def texts(self) -> Iterator[str]:
        """Every piece of text the document shows, wherever a renderer puts it."""
        yield self.title
        yield from self.header
        yield from self.footer
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                yield block.text
            elif isinstance(block, Fields):
                for label, value in block.rows:
                    yield label
                    yield value
            else:
                if block.caption:
                    yield block.caption
                yield from block.columns
                for row in block.rows:
                    yield from row
