"""The CPA report as one self-contained HTML page: readable on screen, marked and clean on paper.

The report's classification (``policies/cpa.toml``) is shown at the top and bottom of the page
and, in print, in the top and bottom margin of every A4 page (CSS paged-media margin boxes),
with the page number. Headings stay with the table under them and header rows repeat on
every page a table runs onto.
"""

from __future__ import annotations

from html import escape

from smki.cpa.formats._text import visible
from smki.cpa.report import CpaReport

_STYLE = """
:root { --expired: #8b0000; --critical: #c0392b; --warning: #b9770e; --notice: #1f618d; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
.marking { font-weight: 700; letter-spacing: .03em; border: 2px solid; padding: .2rem .6rem;
           display: inline-block; margin: 0; }
.marking-RED { color: #b00; } .marking-AMBER { color: #a60; } .marking-GREEN { color: #176b2c; }
.marking-WHITE { color: #333; }
footer { margin-top: 2rem; border-top: 1px solid #ccc; padding-top: .5rem; }
.meta { color: #555; margin-top: 0; }
.summary { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.summary li { border: 1px solid #ccc; border-radius: 4px; padding: .5rem .75rem; }
.summary strong { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.sev { font-weight: 600; text-transform: uppercase; font-size: .8rem; }
.sev-expired { color: var(--expired); } .sev-critical { color: var(--critical); }
.sev-warning { color: var(--warning); } .sev-notice { color: var(--notice); }
tr.action td:first-child { box-shadow: inset 4px 0 0 var(--critical); }
.plan-overdue, .plan-missing { color: var(--critical); font-weight: 600; }
.verdict { font-weight: 600; } .verdict.act { color: var(--critical); }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  th { background: none; border-bottom: 1.5px solid #000; }
  thead { display: table-header-group; } tfoot { display: table-footer-group; }
  h1, h2, h3 { break-after: avoid-page; }
  tr, section, .summary li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def _page_style(marking: str) -> str:
    """A4 pages with the classification in the top and bottom margin of each."""
    text = _css_string(marking)
    return (
        "@page { size: A4; margin: 18mm 14mm 20mm;\n"
        f"  @top-center {{ content: {text}; font: 700 9pt sans-serif; }}\n"
        f"  @bottom-left {{ content: {text}; font: 700 8pt sans-serif; }}\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages);'
        " font: 8pt sans-serif; }\n}\n"
    )


def _css_string(value: str) -> str:
    """``value`` as a quoted CSS string that nothing in it can end (nor the ``<style>``)."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " ,.;:()/" else f"\\{ord(c):x} " for c in value)
        + '"'
    )


def _e(value: object) -> str:
    return escape(visible(value))


def render(report: CpaReport) -> str:
    t = report.totals
    as_of = report.as_of.isoformat()
    level = report.classification
    marking = (f'<p class="marking marking-{_e(level.level)}" role="note">'
               f"{_e(level.marking)}</p>")  # fmt: skip
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="classification" content="{_e(level.level)}">',
        f"<title>{_e(level.level)}: CPA certificate expiry as of {as_of}</title>",
        f"<style>{_page_style(level.marking)}{_STYLE}</style></head><body>",
        f"<header>{marking}</header>",
        f"<h1>CPA certificate expiry as of {as_of}</h1>",
        f'<p class="meta">Horizon {report.horizon_days} days; critical within '
        f"{report.thresholds.critical_days}, warning within {report.thresholds.warning_days}.</p>",
        f'<p class="verdict{" act" if report.needs_action else ""}">'
        f"{'Action needed.' if report.needs_action else 'Nothing needs acting on.'}</p>",
        '<ul class="summary">',
        f"<li><strong>{t.certificates}</strong>certificates expired or expiring</li>",
        f"<li><strong>{t.certificates_needing_action}</strong>needing action</li>",
        f"<li><strong>{t.installed_devices:,}</strong>installed devices under them</li>",
        f"<li><strong>{t.suppliers}</strong>Suppliers</li>",
        *(f"<li><strong>{n}</strong>plans {_e(s)}</li>" for s, n in t.plans.items()),
        f"<li><strong>{t.uncovered_devices:,}</strong>devices on uncovered firmware</li>",
        "</ul>",
    ]
    if report.certificates:
        out += [
            "<h2>Certificates, worst first</h2>",
            "<table><thead><tr><th>Severity</th><th>CPA</th><th>Manufacturer</th><th>Type</th>"
            "<th>Model</th><th>HW</th><th>FW</th><th>Expires</th><th>Days left</th>"
            "<th>Status</th><th>Devices</th></tr></thead><tbody>",
        ]
        for i, c in enumerate(report.certificates):
            out.append(
                f'<tr class="{"action" if c.needs_action else ""}">'
                f'<td class="sev sev-{c.severity.value}">{c.severity.value}</td>'
                f'<td><a href="#cert-{i}">{_e(c.cpa_id)}</a></td>'
                f"<td>{_e(c.manufacturer)}</td><td>{_e(c.device_type)}</td><td>{_e(c.model)}</td>"
                f"<td>{_e(c.hardware_version)}</td><td>{_e(c.firmware_version)}</td>"
                f"<td>{c.expires.isoformat()}</td><td class=num>{c.days_left}</td>"
                f"<td>{_e(c.status)}</td><td class=num>{c.installed_devices:,}</td></tr>"
            )
        out.append("</tbody></table>")
        for i, c in enumerate(report.certificates):
            if not c.suppliers:
                continue
            out += [
                f'<section id="cert-{i}"><h3><bdi>{_e(c.cpa_id)}</bdi>: '
                f"<bdi>{_e(c.manufacturer)}</bdi> <bdi>{_e(c.model)}</bdi> "
                f"<bdi>{_e(c.hardware_version)}</bdi> / <bdi>{_e(c.firmware_version)}</bdi> — "
                f'<span class="sev sev-{c.severity.value}">{c.severity.value}</span>, '
                f"{c.days_left} days</h3>",
                "<table><thead><tr><th>Supplier</th><th>Devices</th><th>Plan</th>"
                "<th>Requested</th><th>Due</th><th>Received</th><th>Target firmware</th>"
                "</tr></thead><tbody>",
            ]
            for e in c.suppliers:
                received = e.received.isoformat() if e.received else ""
                out.append(
                    f'<tr class="{"action" if e.needs_action else ""}"><td>{_e(e.supplier)}</td>'
                    f"<td class=num>{e.devices:,}</td>"
                    f'<td class="plan-{e.plan}">{e.plan}</td>'
                    f"<td>{e.requested.isoformat() if e.requested else ''}</td>"
                    f"<td>{e.due.isoformat() if e.due else ''}</td>"
                    f"<td>{received}{' (late)' if e.late else ''}</td>"
                    f"<td>{_e(e.target_firmware)}</td></tr>"
                )
            out.append("</tbody></table></section>")
    else:
        out.append("<p>No certificate expired or expiring within the horizon.</p>")
    if report.uncovered:
        out += [
            "<h2>Installed devices no certificate covers</h2>",
            "<table><thead><tr><th>Supplier</th><th>Type</th><th>Manufacturer</th><th>Model</th>"
            "<th>HW</th><th>FW</th><th>Devices</th></tr></thead><tbody>",
        ]
        for u in report.uncovered:
            out.append(
                f'<tr class="action"><td>{_e(u.supplier)}</td><td>{_e(u.device_type)}</td>'
                f"<td>{_e(u.manufacturer)}</td><td>{_e(u.model)}</td>"
                f"<td>{_e(u.hardware_version)}</td><td>{_e(u.firmware_version)}</td>"
                f"<td class=num>{u.devices:,}</td></tr>"
            )
        out.append("</tbody></table>")
    out += [
        f'<footer>{marking}<p class="meta">{_e(level.sentence)}</p></footer>',
        "</body></html>\n",
    ]
    return "\n".join(out)
