"""The CPA report as CSV: one row per certificate and Supplier, then the uncovered devices."""

from __future__ import annotations

import csv
import io

from smki.cpa.report import CpaReport

COLUMNS = (
    "kind", "cpa_id", "severity", "days_left", "expires", "status", "manufacturer",
    "device_type", "model", "hardware_version", "firmware_version", "installed_devices",
    "supplier", "devices", "plan", "requested", "due", "received", "late", "target_firmware",
    "needs_action",
)  # fmt: skip


def _date(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


def render(report: CpaReport) -> str:
    """``kind`` is ``certificate`` (one row per Supplier, or one bare row if none) or
    ``uncovered``; booleans are ``true``/``false``; absent values are empty."""
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF (RFC 4180): also makes it quote a lone \r
    writer.writerow(COLUMNS)
    for c in report.certificates:
        head = ["certificate", c.cpa_id, c.severity.value, c.days_left, c.expires.isoformat(),
                c.status, c.manufacturer, c.device_type, c.model, c.hardware_version,
                c.firmware_version, c.installed_devices]  # fmt: skip
        if not c.suppliers:
            writer.writerow([*head, "", "", "", "", "", "", "", "", _bool(c.needs_action)])
        for e in c.suppliers:
            writer.writerow([*head, e.supplier, e.devices, e.plan, _date(e.requested),
                             _date(e.due), _date(e.received), _bool(e.late),
                             e.target_firmware or "", _bool(e.needs_action)])  # fmt: skip
    for u in report.uncovered:
        writer.writerow(["uncovered", "", "", "", "", "", u.manufacturer, u.device_type, u.model,
                         u.hardware_version, u.firmware_version, "", u.supplier, u.devices, "",
                         "", "", "", "", "", _bool(u.needs_action)])  # fmt: skip
    return out.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"
