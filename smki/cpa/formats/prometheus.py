"""The CPA report as Prometheus text exposition, for a node-exporter textfile collector.

Gauges in the manner of certificate exporters (days left, expiry timestamp), devices affected
per Supplier, and each plan's state as a state set (one series per state, 1 for the current).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from smki.cpa.report import PLAN_STATES, CpaReport


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _timestamp(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _family(name: str, help_text: str, samples: Iterable[tuple[str, int | float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    lines += [f"{name}{labels} {value}" for labels, value in samples]
    return lines


def render(report: CpaReport) -> str:
    certificates = report.certificates

    def product(c) -> dict[str, str]:  # noqa: ANN001 - a CertificateAlert
        return dict(cpa_id=c.cpa_id, manufacturer=c.manufacturer, device_type=c.device_type,
                    model=c.model, hardware_version=c.hardware_version,
                    firmware_version=c.firmware_version)  # fmt: skip

    lines: list[str] = []
    lines += _family(
        "ssc_cpa_certificate_days_left",
        "Days from the report date to the CPA certificate's expiry (negative once expired).",
        ((_labels(**product(c), severity=c.severity.value), c.days_left) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_expiry_timestamp_seconds",
        "Expiry (or renewal) date of the CPA certificate, as a Unix timestamp.",
        ((_labels(cpa_id=c.cpa_id), _timestamp(c.expires)) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_installed_devices",
        "Installed devices under the CPA certificate, all Suppliers.",
        ((_labels(cpa_id=c.cpa_id), c.installed_devices) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_devices_affected",
        "Installed devices of a Supplier under an expired or expiring CPA certificate.",
        ((_labels(cpa_id=c.cpa_id, supplier=e.supplier), e.devices)
         for c in certificates for e in c.suppliers),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_plan_state",
        "Remediation plan state of a Supplier for a certificate (1 for the current state).",
        ((_labels(cpa_id=c.cpa_id, supplier=e.supplier, state=state), int(e.plan == state))
         for c in certificates for e in c.suppliers for state in PLAN_STATES),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_uncovered_devices",
        "Installed devices whose product and firmware no CPA certificate covers.",
        ((_labels(supplier=u.supplier, device_type=u.device_type, manufacturer=u.manufacturer,
                  model=u.model, hardware_version=u.hardware_version,
                  firmware_version=u.firmware_version), u.devices)
         for u in report.uncovered),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_needs_action",
        "1 when anything in the CPA report needs acting on (ssc cpa report exits 1).",
        [("", int(report.needs_action))],
    )
    lines += _family(
        "ssc_cpa_report_as_of_timestamp_seconds",
        "The date the report was made as of, as a Unix timestamp.",
        [("", _timestamp(report.as_of))],
    )
    return "\n".join(lines) + "\n"
