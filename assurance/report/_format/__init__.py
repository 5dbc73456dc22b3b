"""Renderers of report documents, one class per format behind one interface (pip-audit's ``_format``)."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from assurance.report.document import Document
from core.errors import InputError

#: Format name -> "module:Class"; imported only when asked for (python-docx is not light).
FORMATS = {
    "markdown": "assurance.report._format.markdown:MarkdownFormat",
    "html": "assurance.report._format.html:HtmlFormat",
    "docx": "assurance.report._format.docx:DocxFormat",
}


class DocumentFormat(ABC):
    """Draws a :class:`Document`; ``binary`` formats return bytes and need a file."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    binary: ClassVar[bool] = False

    @abstractmethod
    def render(self, document: Document) -> str | bytes:
        """The whole document in this format."""

    def reader_text(self, content: str | bytes) -> list[str]:
        """Every text a reader of ``content`` can see, source and rendering alike (what the
        classification tripwire searches): for a text format, the text itself."""
        assert isinstance(content, str)
        return [content]


def get_format(name: str) -> DocumentFormat:
    if name not in FORMATS:
        raise InputError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}", field="--format")
    module, _, cls = FORMATS[name].partition(":")
    return getattr(importlib.import_module(module), cls)()


def format_for_path(path: Path) -> str:
    """The format a file name asks for: ``.md`` markdown, ``.html`` html, ``.docx`` docx."""
    suffixes = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".docx": "docx"}
    try:
        return suffixes[path.suffix.lower()]
    except KeyError:
        raise InputError(f"cannot tell the format from {path.name!r}; use .md, .html or .docx",
                         path=str(path)) from None
