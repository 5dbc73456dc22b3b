"""The CPA report as Prometheus text exposition, for a node-exporter textfile collector.

Named and shaped as x509-certificate-exporter and cert-manager do: dates are
``*_timestamp_seconds`` gauges (seconds since the epoch: Prometheus' base unit), ``*_expired``
is 0 or 1, and the descriptive labels (manufacturer, model, firmware…) sit on one ``*_info``
series per certificate, joined in PromQL with ``* on (cpa_id) group_left(...)``. Value series
carry only the labels that identify what they count (``cpa_id``, ``supplier``), so a changed
description or severity never starts a new series and breaks an alert's history. Severity and
plan state are state sets: every state has its series, 1 for the current, 0 for the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from smki.cpa.report import PLAN_STATES, CertificateAlert, CpaReport
from smki.expiry import Severity

#: The severities a listed certificate can have, as the state set's states.
SEVERITIES = tuple(s.value for s in Severity if s is not Severity.OK)

Sample = tuple[dict[str, str], int | float]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items()) + "}"


def _seconds(day: dt.date) -> int:
    """Midnight UTC at the start of ``day``, in seconds since the epoch."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _family(name: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    lines = [f"# HELP {name} {_escape_help(help_text)}", f"# TYPE {name} gauge"]
    lines += [f"{name}{_labels(labels)} {value}" for labels, value in samples]
    return lines


def _id(c: CertificateAlert) -> dict[str, str]:
    return {"cpa_id": c.cpa_id}


def render(report: CpaReport) -> str:
    certificates = report.certificates
    exposures = [(c, e) for c in certificates for e in c.suppliers]
    lines: list[str] = []
    lines += _family(
        "ssc_cpa_certificate_info",
        "A CPA certificate expired or expiring within the horizon, with its description (always 1).",
        (({**_id(c), "manufacturer": c.manufacturer, "device_type": c.device_type,
           "model": c.model, "hardware_version": c.hardware_version,
           "firmware_version": c.firmware_version, "status": c.status}, 1)
         for c in certificates),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_certificate_expiry_timestamp_seconds",
        "Expiry date of the CPA certificate (midnight UTC), in seconds since the epoch.",
        ((_id(c), _seconds(c.expires)) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_valid_from_timestamp_seconds",
        "Start of the CPA certificate's validity (midnight UTC), in seconds since the epoch.",
        ((_id(c), _seconds(c.valid_from)) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_expired",
        "1 when the CPA certificate has expired or lapsed as of the report date, else 0.",
        ((_id(c), int(c.severity is Severity.EXPIRED)) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_severity",
        "Expiry severity of the CPA certificate by policies/expiry.toml (1 for the current).",
        (({**_id(c), "severity": s}, int(c.severity.value == s))
         for c in certificates for s in SEVERITIES),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_certificate_needs_action",
        "1 when the CPA certificate needs acting on (policies/cpa.toml), else 0.",
        ((_id(c), int(c.needs_action)) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_certificate_installed_devices",
        "Installed devices under the CPA certificate, all Suppliers.",
        ((_id(c), c.installed_devices) for c in certificates),
    )
    lines += _family(
        "ssc_cpa_devices_affected",
        "Installed devices of a Supplier under an expired or expiring CPA certificate.",
        (({**_id(c), "supplier": e.supplier}, e.devices) for c, e in exposures),
    )
    lines += _family(
        "ssc_cpa_plan_state",
        "Remediation plan state of a Supplier for a CPA certificate (1 for the current).",
        (({**_id(c), "supplier": e.supplier, "state": state}, int(e.plan == state))
         for c, e in exposures for state in PLAN_STATES),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_supplier_needs_action",
        "1 when a Supplier's devices under the CPA certificate need acting on, else 0.",
        (({**_id(c), "supplier": e.supplier}, int(e.needs_action)) for c, e in exposures),
    )
    lines += _family(
        "ssc_cpa_plan_due_timestamp_seconds",
        "Date a Supplier's remediation plan is due (midnight UTC), in seconds since the epoch.",
        (({**_id(c), "supplier": e.supplier}, _seconds(e.due)) for c, e in exposures if e.due),
    )
    # No certificate identifies these devices: the product and firmware are the group's identity
    # (a firmware upgrade makes it a different group, or moves it under a certificate).
    lines += _family(
        "ssc_cpa_uncovered_devices",
        "Installed devices whose product and firmware no CPA certificate covers.",
        (({"supplier": u.supplier, "device_type": u.device_type,
           "manufacturer": u.manufacturer, "model": u.model,
           "hardware_version": u.hardware_version, "firmware_version": u.firmware_version},
          u.devices) for u in report.uncovered),
    )  # fmt: skip
    lines += _family(
        "ssc_cpa_needs_action",
        "1 when anything in the CPA report needs acting on (ssc cpa report exits 1), else 0.",
        [({}, int(report.needs_action))],
    )
    lines += _family(
        "ssc_cpa_report_as_of_timestamp_seconds",
        "The date the report was made as of (midnight UTC), in seconds since the epoch.",
        [({}, _seconds(report.as_of))],
    )
    lines += _family(
        "ssc_cpa_report_horizon_seconds",
        "How far ahead the report looked for expiring certificates, in seconds.",
        [({}, report.horizon_days * 86400)],
    )
    return "\n".join(lines) + "\n"
