"""The CPA report as Markdown, for people: its classification, a summary, then worst first."""

from __future__ import annotations

import re

from smki.cpa.formats._text import visible
from smki.cpa.report import CpaReport

# What can start Markdown (CommonMark, GFM) syntax inside a line: emphasis, code, links and
# images, raw HTML and autolinks, table cells, strikethrough, entities, a heading's closing #s. Backslash-escaped, they
# are shown as typed. Line-start syntax (#, -, 1.) cannot arise: a value never starts a line.
_SYNTAX = re.compile(r"[\\`*_\[\]<>|~!#]|&(?=#?\w+;)")


def _cell(value: object) -> str:
    """Register text as literal Markdown on one line."""
    return _SYNTAX.sub(lambda m: "\\" + m.group(), visible(value))


def _row(*cells: object) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def render(report: CpaReport) -> str:
    t = report.totals
    level = report.classification
    lines = [
        f"**{_cell(level.marking)}**",
        "",
        f"# CPA certificate expiry as of {report.as_of.isoformat()}",
        "",
        f"Horizon {report.horizon_days} days; critical within {report.thresholds.critical_days},"
        f" warning within {report.thresholds.warning_days}.",
        "",
        f"- Certificates expired or expiring: **{t.certificates}**"
        f" ({', '.join(f'{n} {s}' for s, n in t.by_severity.items())});"
        f" needing action: **{t.certificates_needing_action}**",
        f"- Installed devices under them: **{t.installed_devices:,}** across {t.suppliers} Suppliers",
        f"- Remediation plans: {', '.join(f'{n} {s}' for s, n in t.plans.items())}",
        f"- Devices on firmware no certificate covers: **{t.uncovered_devices:,}**",
        f"- Action needed: **{'yes' if report.needs_action else 'no'}**",
        "",
    ]
    if report.certificates:
        lines += [
            "## Certificates, worst first",
            "",
            _row(
                "Severity",
                "CPA",
                "Manufacturer",
                "Type",
                "Model",
                "HW",
                "FW",
                "Expires",
                "Days left",
                "Status",
                "Devices",
                "Action",
            ),
            _row(*["---"] * 12),
        ]
        for c in report.certificates:
            lines.append(
                _row(
                    c.severity.value,
                    c.cpa_id,
                    c.manufacturer,
                    c.device_type,
                    c.model,
                    c.hardware_version,
                    c.firmware_version,
                    c.expires.isoformat(),
                    c.days_left,
                    c.status,
                    f"{c.installed_devices:,}",
                    "yes" if c.needs_action else "",
                )
            )
        lines.append("")
        for c in report.certificates:
            if not c.suppliers:
                continue
            lines += [
                f"### {_cell(c.cpa_id)}: {_cell(c.manufacturer)} {_cell(c.model)} "
                f"{_cell(c.hardware_version)} / {_cell(c.firmware_version)} "
                f"({c.severity.value}, {c.days_left} days)",
                "",
                _row(
                    "Supplier",
                    "Devices",
                    "Plan",
                    "Requested",
                    "Due",
                    "Received",
                    "Target firmware",
                    "Action",
                ),
                _row(*["---"] * 8),
            ]
            for e in c.suppliers:
                received = e.received.isoformat() if e.received else ""
                if e.late:
                    received += " (late)"
                lines.append(
                    _row(
                        e.supplier,
                        f"{e.devices:,}",
                        e.plan,
                        e.requested.isoformat() if e.requested else "",
                        e.due.isoformat() if e.due else "",
                        received,
                        e.target_firmware or "",
                        "yes" if e.needs_action else "",
                    )
                )
            lines.append("")
    else:
        lines += ["No certificate expired or expiring within the horizon.", ""]
    if report.uncovered:
        lines += [
            "## Installed devices no certificate covers",
            "",
            _row("Supplier", "Type", "Manufacturer", "Model", "HW", "FW", "Devices"),
            _row(*["---"] * 7),
        ]
        for u in report.uncovered:
            lines.append(
                _row(
                    u.supplier,
                    u.device_type,
                    u.manufacturer,
                    u.model,
                    u.hardware_version,
                    u.firmware_version,
                    f"{u.devices:,}",
                )
            )
        lines.append("")
    lines += [f"*{_cell(level.sentence)}*", "", f"**{_cell(level.marking)}**", ""]
    return "\n".join(lines)
