"""The assurance register's report families and their output formats, each declared once.

Read by the CLI (``--format`` choices, ``-o`` suffixes), the TUI's export menu and
:func:`assurance.report.render`; the mechanism is :mod:`core.formats`. Kept free of heavy
imports: building ``ssc``'s parser imports this module.
"""

from __future__ import annotations

from core.formats import Family, Format

#: The monthly Panel report (main part or Appendix A). Every renderer is a
#: :class:`~assurance.report._format.DocumentFormat`, whose call runs the classification
#: tripwire on what a reader of that format sees.
PANEL = Family("report panel", [
    Format("markdown", ".md", "assurance.report._format.markdown:render",
           "to paste into the Panel paper (default)", also=(".markdown",)),
    Format("html", ".html", "assurance.report._format.html:render", "for screen and print, A4",
           also=(".htm",)),
    Format("docx", ".docx", "assurance.report._format.docx:render",
           "Word, in the Panel papers' house style", binary=True),
])  # fmt: skip

#: The chase list (overdue and soon-due items by Party), written from the TUI. ``as_of``,
#: ``within_days`` and ``marking`` (its classification) are what the heading says.
CHASE = Family("chase list", [
    Format("csv", ".csv", "assurance.chase:to_csv", "for spreadsheets and mail merge"),
    Format("markdown", ".md", "assurance.chase:to_markdown", "to paste into a letter"),
], context=("as_of", "within_days", "marking"))  # fmt: skip
