"""The CPA report as CSV: one row per certificate and Supplier, then the uncovered devices.

The CSV is for spreadsheets (programs read ``--format json``), so text a spreadsheet would
run as a formula is neutralised as OWASP recommends ("CSV Injection"): a text cell beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, which Excel
and LibreOffice hide and treat as "this is text". Numbers and dates are written as they are.
Every row carries the report's classification, so a row copied elsewhere keeps its marking.
"""

from __future__ import annotations

import csv
import io

from smki.cpa.report import CpaReport

COLUMNS = (
    "kind", "cpa_id", "severity", "days_left", "expires", "status", "manufacturer",
    "device_type", "model", "hardware_version", "firmware_version", "installed_devices",
    "supplier", "devices", "plan", "requested", "due", "received", "late", "target_firmware",
    "needs_action", "classification",
)  # fmt: skip

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value: str | None) -> str:
    """A text cell, neutralised where a spreadsheet would evaluate it."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def _date(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


def render(report: CpaReport) -> str:
    """``kind`` is ``certificate`` (one row per Supplier, or one bare row if none) or
    ``uncovered``; booleans are ``true``/``false``; absent values are empty."""
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF (RFC 4180): also makes it quote a lone \r
    writer.writerow(COLUMNS)
    marking = text(report.classification.level)
    for c in report.certificates:
        head = ["certificate", text(c.cpa_id), c.severity.value, c.days_left,
                c.expires.isoformat(), text(c.status), text(c.manufacturer), text(c.device_type),
                text(c.model), text(c.hardware_version), text(c.firmware_version),
                c.installed_devices]  # fmt: skip
        if not c.suppliers:
            writer.writerow([*head, "", "", "", "", "", "", "", "", _bool(c.needs_action),
                             marking])  # fmt: skip
        for e in c.suppliers:
            writer.writerow([*head, text(e.supplier), e.devices, e.plan, _date(e.requested),
                             _date(e.due), _date(e.received), _bool(e.late),
                             text(e.target_firmware), _bool(e.needs_action),
                             marking])  # fmt: skip
    for u in report.uncovered:
        writer.writerow(["uncovered", "", "", "", "", "", text(u.manufacturer),
                         text(u.device_type), text(u.model), text(u.hardware_version),
                         text(u.firmware_version), "", text(u.supplier), u.devices, "", "", "",
                         "", "", "", _bool(u.needs_action), marking])  # fmt: skip
    return out.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"
