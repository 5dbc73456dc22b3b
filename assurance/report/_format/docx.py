"""Report documents as Word (python-docx) in the SEC Panel papers' house style.

A4, Arial throughout (headings black, not python-docx's blue Cambria), tables of fixed column
widths whose header rows repeat on each page, and the paper reference and classification in
every page's header and footer. The core properties come from the paper (title, subject = the
paper reference, creator from policy, created and modified = generation time, category and
keywords = classification), never python-docx's own ("python-docx", 2013). Register text is
literal by nature in Word: it goes into ``w:t`` runs, never parsed as markup.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from assurance.report._format import DocumentFormat
from assurance.report.document import Document, Fields, Heading, HouseStyle, Paragraph, Table

#: Text colour of the marking in header and footer, by classification.
_MARKING_COLOUR = {"RED": RGBColor(0xB0, 0, 0), "AMBER": RGBColor(0xC0, 0x70, 0)}
_BLACK = RGBColor(0, 0, 0)
#: The author when the document names none (tests that render a bare Document).
_CREATOR = "ssc"
_HEADING_SIZES = {1: 14, 2: 12, 3: 11, 4: 11}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TIMESTAMPS = {"created", "modified", "lastPrinted"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _style_font(style, font: str, size: float | None, bold: bool | None = None) -> None:
    style.font.name = font
    style.font.color.rgb = _BLACK
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    # Word reads the East Asian and complex-script fonts from rFonts too; without them a
    # heading keeps the theme's font in some viewers.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def _repeat_header(row) -> None:
    """Mark a table row as a header row, repeated at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
    cant_split = OxmlElement("w:cantSplit")
    properties.append(cant_split)


def _fixed_widths(table, widths: list[float]) -> None:
    """Fixed layout with these column widths (cm): Word keeps them whatever the content."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


#: A generous average glyph width, in ems, for a bold sans-serif word (Arial/Liberation Sans
#: capitals and bold run to ~0.6 em), and Word's default cell padding (0.19 cm a side), in cm.
_GLYPH_EM = 0.62
_CELL_PADDING_CM = 0.4
_POINT_CM = 2.54 / 72


def _column_widths(
    columns: tuple[str, ...],
    rows: tuple[tuple[str, ...], ...],
    total: float,
    font_size: float = 11.0,
) -> list[float]:
    """Widths in proportion to each column's typical text (capped), summing to ``total`` cm, but
    never narrower than the column's longest word: a fixed-width column breaks a word that does
    not fit mid-word ("Severi" / "ty", "Mediu" / "m"), as LibreOffice showed."""
    weights, floors = [], []
    for index, heading in enumerate(columns):
        values = [row[index] for row in rows]
        lengths = sorted(len(value) for value in values) or [0]
        typical = lengths[len(lengths) * 3 // 4]
        weights.append(min(max(len(heading), typical, 4), 60))
        longest = max(
            (len(word) for text in (heading, *values) for word in text.split()), default=1
        )
        floors.append(longest * _GLYPH_EM * font_size * _POINT_CM + _CELL_PADDING_CM)
    if sum(floors) >= total:  # words longer than the page allows: share it by the floors
        scale = total / sum(floors)
        return [round(floor * scale, 2) for floor in floors]
    scale = total / sum(weights)
    wanted = [max(floor, weight * scale) for floor, weight in zip(floors, weights, strict=True)]
    # Take the overflow back from the columns wider than their floor, in proportion to the slack.
    slack = [w - floor for w, floor in zip(wanted, floors, strict=True)]
    excess = sum(wanted) - total
    widths = [
        w - excess * s / sum(slack) if excess > 0 else w for w, s in zip(wanted, slack, strict=True)
    ]
    return [round(w, 2) for w in widths]


#: Extended properties of our own: python-docx's template says "Microsoft Macintosh Word", one
#: page and no words, which no reader should believe.
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>ssc</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _own_app_properties(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = _APP_XML if item.filename == "docProps/app.xml" else source.read(item.filename)
            target.writestr(item, data)
    return out.getvalue()


class DocxFormat(DocumentFormat):
    def render(self, document: Document) -> bytes:
        word = WordDocument()
        self._house_style(word, document.style)
        self._properties(word, document)
        section = word.sections[0]
        self._lines(section.header, document.header, document.classification, document.style)
        self._lines(section.footer, document.footer, document.classification, document.style)
        width = (
            Mm(210) - 2 * Cm(document.style.margin_cm)
        ) / 360000  # the text's width in cm (EMU -> cm)
        for block in document.blocks:
            if isinstance(block, Heading):
                heading = word.add_heading(block.text, level=min(block.level, 9))
                heading.paragraph_format.keep_with_next = True
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
                _fixed_widths(table, [round(width * 0.3, 2), round(width * 0.7, 2)])
                word.add_paragraph()
            elif isinstance(block, Table):
                if block.caption:
                    caption = word.add_paragraph(block.caption, style="Caption")
                    caption.paragraph_format.keep_with_next = True
                table = word.add_table(rows=1, cols=len(block.columns))
                table.style = "Table Grid"
                for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                    cell.text = column
                    cell.paragraphs[0].runs[0].bold = True
                _repeat_header(table.rows[0])
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
                _fixed_widths(
                    table,
                    _column_widths(block.columns, block.rows, width, document.style.font_size),
                )
                word.add_paragraph()
        buffer = io.BytesIO()
        word.save(buffer)
        return _own_app_properties(buffer.getvalue())

    @staticmethod
    def _house_style(word, style: HouseStyle) -> None:
        """A4 portrait, the style's margins, its font everywhere, black headings."""
        section = word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(style.margin_cm))
        section.header_distance = section.footer_distance = Cm(1.0)
        section.different_first_page_header_footer = False
        styles = word.styles
        _style_font(styles["Normal"], style.font, style.font_size)
        for name in ("Title", "Caption", "Header", "Footer"):
            if name in [s.name for s in styles]:
                _style_font(styles[name], style.font, None)
        for level, size in _HEADING_SIZES.items():
            _style_font(styles[f"Heading {level}"], style.font, size, bold=True)

    @staticmethod
    def _properties(word, document: Document) -> None:
        properties = word.core_properties
        generated = document.generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
        generated = generated.astimezone(dt.UTC).replace(tzinfo=None)  # python-docx writes UTC
        properties.title = document.title
        properties.subject = document.reference or ""
        properties.author = document.author or _CREATOR
        properties.last_modified_by = document.author or _CREATOR
        properties.created = generated
        properties.modified = generated
        properties.revision = 1
        properties.category = document.classification
        properties.keywords = document.classification
        properties.comments = f"Classification: {document.classification}"
        properties.content_status = document.classification
        properties.identifier = document.reference or ""
        properties.language = "en-GB"

    @staticmethod
    def _lines(part, lines: tuple[str, ...], classification: str, style: HouseStyle) -> None:
        """Fill a section header or footer with ``lines``, centred; markings in their colour."""
        part.is_linked_to_previous = False
        paragraph = part.paragraphs[0]
        for index, line in enumerate(lines):
            if index:
                paragraph = part.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(line)
            run.font.size = Pt(8)
            run.font.name = style.font
            if line.startswith(classification):
                run.bold = True
                if classification in _MARKING_COLOUR:
                    run.font.color.rgb = _MARKING_COLOUR[classification]

    def reader_text(self, content: str | bytes) -> list[str]:
        """The text of every part a reader or a file browser shows: body, headers, footers,
        footnotes, comments, and the document properties. Runs of a paragraph are joined as
        Word shows them (a word split over two runs reads as one)."""
        assert isinstance(content, bytes)
        texts: list[str] = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if not name.endswith(".xml"):
                    continue
                root = etree.fromstring(archive.read(name), _PARSER)
                if name.startswith("word/"):
                    for paragraph in root.iter(f"{{{_W}}}p"):
                        texts.append("".join(t.text or "" for t in paragraph.iter(f"{{{_W}}}t")))
                else:
                    # Every property but the timestamps, which are the clock's, not the register's.
                    texts.extend(
                        element.text
                        for element in root.iter()
                        if element.text
                        and element.text.strip()
                        and etree.QName(element).localname not in _TIMESTAMPS
                    )
        return texts


#: What :data:`assurance.formats.PANEL` names.
render = DocxFormat()
