"""Report documents as Markdown, ready to paste into the Panel paper."""

from __future__ import annotations

from assurance.report._format import DocumentFormat
from assurance.report.document import Document, Fields, Heading, Paragraph, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownFormat(DocumentFormat):
    name = "markdown"
    suffix = ".md"

    def render(self, document: Document) -> str:
        parts = [line for line in document.header]
        for block in document.blocks:
            if isinstance(block, Heading):
                parts.append(f"{'#' * (block.level + 1)} {block.text}")
            elif isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Fields):
                parts.append("\n".join(f"- **{label}:** {value}" for label, value in block.rows))
            elif isinstance(block, Table):
                lines = []
                if block.caption:
                    lines.append(f"*{block.caption}*\n")
                lines.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
                lines.append("|" + "|".join(" --- " for _ in block.columns) + "|")
                lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows)
                parts.append("\n".join(lines))
        parts.extend(document.footer)
        return "\n\n".join(parts) + "\n"
