"""Report documents as one self-contained HTML page, header and footer marked with the classification.

On screen the marking heads and ends the page. Printed (A4), the header and footer lines are
also drawn in every page's margin boxes (``@page { @top-center … }``, which Chromium supports),
so each page carries the classification and the reference. Headings keep with what follows,
tables are not split where they fit on a page, and header rows repeat on each page.
"""

from __future__ import annotations

import re
from html import escape

from assurance.report._format import DocumentFormat
from assurance.report.document import Document, Fields, Heading, Paragraph, Table

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.4; }
header, footer { font-weight: bold; border: 1px solid #888; padding: .3em .6em; }
header p, footer p { margin: .2em 0; }
.marking-RED { color: #b00; border-color: #b00; }
.marking-AMBER { color: #a60; border-color: #a60; }
table { border-collapse: collapse; margin: .6em 0; width: 100%; }
th, td { border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top; }
thead { display: table-header-group; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  table.fields { break-inside: avoid; page-break-inside: avoid; }
  p { orphans: 3; widows: 3; }
}
"""

#: Colour of the marking in the printed margins, by classification.
_PRINT_COLOUR = {"RED": "#b00", "AMBER": "#a60"}


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (no way out of the string: quotes, backslashes,
    newlines and ``<`` escaped as code points)."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .,:;-—–’'()/_" else f"\\{ord(c):x} " for c in text)
        + '"'
    )


def _page_style(document: Document) -> str:
    """The @page rule: A4, and the header and footer lines in every page's margin boxes."""
    colour = _PRINT_COLOUR.get(document.classification, "#000")
    top = " \\a ".join(_css_string(line)[1:-1] for line in document.header)
    bottom = " \\a ".join(_css_string(line)[1:-1] for line in document.footer)
    box = (
        f"font-family: Arial, Helvetica, sans-serif; font-size: 8pt; font-weight: bold; "
        f"color: {colour}; white-space: pre-wrap; text-align: center;"
    )
    return (
        "@page { size: A4; margin: 30mm 18mm 26mm 18mm;\n"
        f'  @top-center {{ content: "{top}"; {box} }}\n'
        f'  @bottom-center {{ content: "{bottom}"; {box} }}\n'
        "}\n"
    )


_STYLE_ELEMENT = re.compile(r"<style>.*?</style>", re.DOTALL)


class HtmlFormat(DocumentFormat):
    def reader_text(self, content: str | bytes) -> list[str]:
        """The page's source without its style sheet (ours: the margin boxes repeat the header
        and footer lines, which the page shows as text too)."""
        assert isinstance(content, str)
        return [_STYLE_ELEMENT.sub("", content)]

    def render(self, document: Document) -> str:
        marking = f"marking-{escape(document.classification)}"
        out = [
            "<!DOCTYPE html>",
            '<html lang="en-GB">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta name="classification" content="{escape(document.classification)}">',
            f"<title>{escape(document.title)}</title>",
            f"<style>{_STYLE}{_page_style(document)}</style>",
            "</head>",
            "<body>",
        ]
        if document.header:
            out.append(f'<header class="{marking}">')
            out.extend(f"<p>{escape(line)}</p>" for line in document.header)
            out.append("</header>")
        out.append("<main>")
        for block in document.blocks:
            if isinstance(block, Heading):
                level = min(block.level, 6)
                out.append(f"<h{level}>{escape(block.text)}</h{level}>")
            elif isinstance(block, Paragraph):
                out.append(f"<p>{escape(block.text)}</p>")
            elif isinstance(block, Fields):
                out.append('<table class="fields">')
                out.extend(
                    f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
                    for label, value in block.rows
                )
                out.append("</table>")
            elif isinstance(block, Table):
                out.append('<table class="long">' if len(block.rows) > 20 else "<table>")
                if block.caption:
                    out.append(f"<caption>{escape(block.caption)}</caption>")
                out.append(
                    "<thead><tr>"
                    + "".join(f'<th scope="col">{escape(c)}</th>' for c in block.columns)
                    + "</tr></thead>"
                )
                out.append("<tbody>")
                out.extend(
                    "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                out.append("</tbody></table>")
        out.append("</main>")
        if document.footer:
            out.append(f'<footer class="{marking}">')
            out.extend(f"<p>{escape(line)}</p>" for line in document.footer)
            out.append("</footer>")
        out.extend(["</body>", "</html>"])
        return "\n".join(out) + "\n"


#: What :data:`assurance.formats.PANEL` names.
render = HtmlFormat()
