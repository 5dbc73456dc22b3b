"""The output formats of ``ssc smki``'s reports, each family declared once.

Read by the CLI (``--format`` choices and help, ``-o`` suffixes); the mechanism is
:mod:`core.formats`. Imports nothing else: the pre-commit hook builds the parser on every call
and then imports only the renderer it uses. The CPA expiry report's family is
:data:`smki.cpa.formats.CPA`.
"""

from __future__ import annotations

from core.formats import Family, Format

#: ``ssc smki check-keys``: the findings of a KeySeparationReport. ``version`` is the tool's
#: (SARIF names it).
KEY_SEPARATION = Family("smki check-keys", [
    Format("text", ".txt", "smki.render:report_text",
           "for people: one line per finding, PATH:LINE: RULE message"),
    Format("json", ".json", "smki.render:report_json", "for programs: findings and a summary"),
    Format("sarif", ".sarif", "smki.render:report_sarif",
           "SARIF 2.1.0 for GitHub code scanning"),
], context=("version",))  # fmt: skip

#: ``ssc smki certs``: rows of ``smki.render.certificate_row``, as of a date, with a horizon,
#: and the certificates that could not be read.
CERTIFICATES = Family("smki certs", [
    Format("text", ".txt", "smki.render:certificates_text", "for people: one row per certificate"),
    Format("json", ".json", "smki.render:certificates_json",
           "for programs: the rows, as_of, horizon_days and problems"),
], context=("as_of", "horizon", "problems"))  # fmt: skip
