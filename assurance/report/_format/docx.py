"""Report documents as Word (python-docx), as Panel papers are: marking in real page headers and footers."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from assurance.report._format import DocumentFormat
from assurance.report.document import Document, Fields, Heading, Paragraph, Table

#: Text colour of the marking in header and footer, by classification.
_MARKING_COLOUR = {"RED": RGBColor(0xB0, 0, 0), "AMBER": RGBColor(0xC0, 0x70, 0)}


class DocxFormat(DocumentFormat):
    name = "docx"
    suffix = ".docx"
    binary = True

    def render(self, document: Document) -> bytes:
        word = WordDocument()
        word.core_properties.title = document.title
        word.core_properties.category = document.classification
        word.core_properties.keywords = f"classification:{document.classification}"
        section = word.sections[0]
        self._lines(section.header, document.header, document.classification)
        self._lines(section.footer, document.footer, document.classification)
        for block in document.blocks:
            if isinstance(block, Heading):
                word.add_heading(block.text, level=min(block.level, 9))
            elif isinstance(block, Paragraph):
                word.add_paragraph(block.text)
            elif isinstance(block, Fields):
                table = word.add_table(rows=0, cols=2)
                table.style = "Table Grid"
                for label, value in block.rows:
                    cells = table.add_row().cells
                    cells[0].text = label
                    cells[0].paragraphs[0].runs[0].bold = True
                    cells[1].text = value
                word.add_paragraph()
            elif isinstance(block, Table):
                if block.caption:
                    word.add_paragraph(block.caption, style="Caption")
                table = word.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = column
                    cell.paragraphs[0].runs[0].bold = True
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
                word.add_paragraph()
        buffer = io.BytesIO()
        word.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def _lines(part, lines: tuple[str, ...], classification: str) -> None:
        """Fill a section header or footer with ``lines``, centred; markings in their colour."""
        part.is_linked_to_previous = False
        paragraph = part.paragraphs[0]
        for index, line in enumerate(lines):
            if index:
                paragraph = part.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(line)
            run.font.size = Pt(9)
            if line.startswith(classification) and classification in _MARKING_COLOUR:
                run.bold = True
                run.font.color.rgb = _MARKING_COLOUR[classification]
