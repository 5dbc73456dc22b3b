"""Report documents as Markdown, ready to paste into the Panel paper; register text comes out literally."""

from __future__ import annotations

import re

from assurance.report._format import DocumentFormat
from assurance.report.document import Document, Fields, Heading, Paragraph, Table

# What would turn text into markup (CommonMark): emphasis, code, links, HTML and autolinks,
# strikethrough, table pipes, backslashes; an underscore only at a word's edge (inside a word,
# as in SECP_76_1701_19, it is never emphasis); an entity-like ampersand; and, at the start of
# a line, headings, quotes, list and rule markers.
_INLINE = re.compile(r"[\\`*\[\]<>~|!]|(?<!\w)_|_(?!\w)|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def escape(text: str, *, line_start: bool = False) -> str:
    """``text`` as Markdown that shows exactly ``text``: ``*Energy* <b>Ltd</b>`` stays literal.
    ``line_start``: the text begins a line (a paragraph), where ``#`` or ``1.`` mean markup."""
    text = " ".join(text.split())  # a line break inside a value must not start a heading or list
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    if not line_start:
        return text
    return _LINE_START.sub(
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if not m.group(2)[0].isdigit()
            else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1]
        ),
        text,
    )


class MarkdownFormat(DocumentFormat):
    def render(self, document: Document) -> str:
        parts = [escape(line, line_start=True) for line in document.header]
        for block in document.blocks:
            if isinstance(block, Heading):
                parts.append(f"{'#' * (block.level + 1)} {escape(block.text)}")
            elif isinstance(block, Paragraph):
                parts.append(escape(block.text, line_start=True))
            elif isinstance(block, Fields):
                parts.append(
                    "\n".join(
                        f"- **{escape(label)}:** {escape(value)}" for label, value in block.rows
                    )
                )
            elif isinstance(block, Table):
                lines = []
                if block.caption:
                    lines.append(f"*{escape(block.caption)}*\n")
                lines.append("| " + " | ".join(escape(c) for c in block.columns) + " |")
                lines.append("|" + "|".join(" --- " for _ in block.columns) + "|")
                lines.extend("| " + " | ".join(escape(c) for c in row) + " |" for row in block.rows)
                parts.append("\n".join(lines))
        if document.footer:
            parts.append("---")
            parts.extend(escape(line, line_start=True) for line in document.footer)
        return "\n\n".join(parts) + "\n"


#: What :data:`assurance.formats.PANEL` names.
render = MarkdownFormat()
