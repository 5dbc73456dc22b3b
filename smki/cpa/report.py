"""The CPA expiry alert as data: certificates at risk, devices per Supplier, plans, totals.

Renderers (``smki.cpa.formats``) only present a :class:`CpaReport`; every decision — what is
listed, how severe, what needs acting on, in which order — is taken here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from smki.cpa.matching import Certificate, InstalledGroup, attribute
from smki.cpa.policy import Classification, CpaPolicy, PlanState
from smki.expiry import ExpiryPolicy, Severity, classify, days_left

#: Plan states, worst first.
PLAN_STATES: tuple[PlanState, ...] = ("overdue", "missing", "requested", "received")


@dataclass(frozen=True)
class Plan:
    supplier: str
    cpa_id: str
    requested: dt.date
    due: dt.date
    received: dt.date | None
    target_firmware: str | None


def plan_state(plan: Plan | None, as_of: dt.date) -> PlanState:
    """Where a Supplier's plan stands on ``as_of``.

    ``missing``: never requested (or requested only after ``as_of``); ``received`` on or
    before ``as_of``; ``overdue`` once the due date has passed without it; else ``requested``.
    """
    if plan is None or plan.requested > as_of:
        return "missing"
    if plan.received is not None and plan.received <= as_of:
        return "received"
    if as_of > plan.due:
        return "overdue"
    return "requested"


@dataclass(frozen=True)
class SupplierExposure:
    """One Supplier's installed devices under a certificate, and its remediation plan."""

    supplier: str
    devices: int
    plan: PlanState
    requested: dt.date | None
    due: dt.date | None
    received: dt.date | None
    target_firmware: str | None
    #: The plan came, but after its due date.
    late: bool
    needs_action: bool


@dataclass(frozen=True)
class CertificateAlert:
    """A certificate expired or expiring within the horizon, with who is exposed to it."""

    cpa_id: str
    manufacturer: str
    device_type: str
    model: str
    hardware_version: str
    firmware_version: str
    valid_from: dt.date
    expires: dt.date
    status: str
    days_left: int
    severity: Severity
    installed_devices: int
    suppliers: tuple[SupplierExposure, ...]
    needs_action: bool


@dataclass(frozen=True)
class UncoveredDevices:
    """Installed devices whose product and firmware no certificate on the register names."""

    supplier: str
    device_type: str
    manufacturer: str
    model: str
    hardware_version: str
    firmware_version: str
    devices: int
    needs_action: bool


@dataclass(frozen=True)
class Totals:
    certificates: int
    certificates_needing_action: int
    by_severity: dict[str, int]
    installed_devices: int
    suppliers: int
    plans: dict[str, int]
    uncovered_devices: int


@dataclass(frozen=True)
class CpaReport:
    as_of: dt.date
    horizon_days: int
    thresholds: ExpiryPolicy
    certificates: tuple[CertificateAlert, ...]
    uncovered: tuple[UncoveredDevices, ...]
    totals: Totals
    #: From policies/cpa.toml; every format for people carries it.
    classification: Classification

    @property
    def needs_action(self) -> bool:
        """Anything to act on: what makes ``ssc cpa report`` exit 1."""
        return any(c.needs_action for c in self.certificates) or any(
            u.needs_action for u in self.uncovered
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the fields of the CLI contract, and more)."""
        data = _jsonable(asdict(self))
        data["needs_action"] = self.needs_action
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, ExpiryPolicy | Classification):
        return value.model_dump()
    return value


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def load_certificates(conn: sqlite3.Connection, policy: CpaPolicy) -> list[Certificate]:
    rows = conn.execute(
        "SELECT cpa_id, manufacturer, device_type, model, hardware_version, firmware_version,"
        " valid_from, expires, status FROM cpa_certificate"
    )
    return [
        Certificate(
            cpa_id,
            manufacturer,
            device_type,
            model,
            hardware,
            firmware,
            dt.date.fromisoformat(valid_from),
            dt.date.fromisoformat(expires),
            status,
            policy.is_active(status),
        )
        for cpa_id, manufacturer, device_type, model, hardware, firmware, valid_from, expires, status in rows
    ]


def load_inventory(conn: sqlite3.Connection) -> list[InstalledGroup]:
    """The grouped counts kept on import (never the device rows: the report stays fast)."""
    rows = conn.execute(
        "SELECT supplier, device_type, manufacturer, model, hardware_version, firmware_version,"
        " devices FROM cpa_inventory"
    )
    return [InstalledGroup(*row) for row in rows]


def load_plans(conn: sqlite3.Connection) -> dict[tuple[str, str], Plan]:
    rows = conn.execute(
        "SELECT supplier, cpa_id, requested, due, received, target_firmware FROM cpa_plan"
    )
    return {
        (supplier, cpa_id): Plan(
            supplier,
            cpa_id,
            dt.date.fromisoformat(requested),
            dt.date.fromisoformat(due),
            _date(received),
            target,
        )
        for supplier, cpa_id, requested, due, received, target in rows
    }


#: The CPA register's imports, each with the table its rows land in.
IMPORT_TABLES = {"certificates": "cpa_certificate", "inventory": "cpa_inventory",
                 "plans": "cpa_plan"}  # fmt: skip


def empty_imports(conn: sqlite3.Connection) -> list[str]:
    """The kinds of CSV return (``ssc cpa import KIND``) of which the register holds no row."""
    return [kind for kind, table in IMPORT_TABLES.items()
            if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None]  # fmt: skip


def build_report(
    conn: sqlite3.Connection, as_of: dt.date, policy: CpaPolicy, horizon_days: int | None = None
) -> CpaReport:
    """The expiry alert on ``as_of``, looking ``horizon_days`` ahead (default: the policy's)."""
    thresholds = policy.expiry
    assert thresholds is not None
    horizon = thresholds.default_horizon_days if horizon_days is None else horizon_days
    certificates = load_certificates(conn, policy)
    attribution = attribute(certificates, load_inventory(conn))
    plans = _Plans(load_plans(conn))
    alerts = []
    for certificate in certificates:
        devices = attribution.devices.get(certificate.cpa_id, {})
        alert = _alert(certificate, devices, plans, as_of, thresholds, horizon, policy)
        if alert is not None:
            alerts.append(alert)
    alerts.sort(
        key=lambda a: (
            not a.needs_action,
            a.severity.rank,
            -a.installed_devices,
            a.days_left,
            a.cpa_id,
        )
    )
    uncovered = _uncovered(attribution.uncovered, policy)
    return CpaReport(
        as_of,
        horizon,
        thresholds,
        tuple(alerts),
        tuple(uncovered),
        _totals(alerts, uncovered),
        policy.classification,
    )


class _Plans:
    """The remediation plans, by (Supplier, certificate) and by certificate."""

    def __init__(self, plans: dict[tuple[str, str], Plan]) -> None:
        self.by_key = plans
        self.by_certificate: dict[str, list[Plan]] = {}
        for plan in plans.values():
            self.by_certificate.setdefault(plan.cpa_id, []).append(plan)


def _alert(
    certificate: Certificate,
    devices: dict[str, int],
    plans: _Plans,
    as_of: dt.date,
    thresholds: ExpiryPolicy,
    horizon: int,
    policy: CpaPolicy,
) -> CertificateAlert | None:
    """The certificate's alert, or None while it is OK. It needs action when it is severe enough
    and devices are installed under it, or when a Supplier with devices lacks a plan."""
    left = days_left(certificate.expires, as_of)
    severity = classify(left, thresholds, horizon)
    if not certificate.active and devices:
        severity = Severity.EXPIRED  # a lapsed CPL entry covers nothing any more
    if severity is Severity.OK:
        return None
    exposures = _exposures(certificate.cpa_id, devices, plans, as_of, policy)
    installed = sum(devices.values())
    needs_action = (severity in policy.action_severities and installed > 0) or any(
        e.needs_action for e in exposures
    )
    return CertificateAlert(
        certificate.cpa_id,
        certificate.manufacturer,
        certificate.device_type,
        certificate.model,
        certificate.hardware_version,
        certificate.firmware_version,
        certificate.valid_from,
        certificate.expires,
        certificate.status,
        left,
        severity,
        installed,
        exposures,
        needs_action,
    )


def _uncovered(groups: Iterable[InstalledGroup], policy: CpaPolicy) -> list[UncoveredDevices]:
    """Installed devices no certificate names, most devices first."""
    return sorted(
        (
            UncoveredDevices(
                g.supplier,
                g.device_type,
                g.manufacturer,
                g.model,
                g.hardware_version,
                g.firmware_version,
                g.devices,
                policy.uncovered_devices_need_action,
            )
            for g in groups
        ),
        key=lambda u: (-u.devices, u.supplier, u.manufacturer, u.model, u.firmware_version),
    )


def _exposures(
    cpa_id: str, devices: dict[str, int], plans: _Plans, as_of: dt.date, policy: CpaPolicy
) -> tuple[SupplierExposure, ...]:
    """Each Supplier with devices under the certificate or a plan for it, needing action first."""
    suppliers = set(devices) | {p.supplier for p in plans.by_certificate.get(cpa_id, [])}
    exposures = [
        _exposure(
            supplier, devices.get(supplier, 0), plans.by_key.get((supplier, cpa_id)), as_of, policy
        )
        for supplier in suppliers
    ]
    exposures.sort(
        key=lambda e: (not e.needs_action, PLAN_STATES.index(e.plan), -e.devices, e.supplier)
    )
    return tuple(exposures)


def _exposure(
    supplier: str, count: int, plan: Plan | None, as_of: dt.date, policy: CpaPolicy
) -> SupplierExposure:
    state = plan_state(plan, as_of)
    if plan is None:
        return SupplierExposure(
            supplier,
            count,
            state,
            None,
            None,
            None,
            None,
            False,
            count > 0 and state in policy.action_plan_states,
        )
    received = state == "received"
    return SupplierExposure(
        supplier,
        count,
        state,
        plan.requested,
        plan.due,
        # A receipt dated after as_of had not happened yet on that day.
        plan.received if received else None,
        plan.target_firmware,
        bool(plan.received and plan.received > plan.due and received),
        count > 0 and state in policy.action_plan_states,
    )


def _totals(alerts: list[CertificateAlert], uncovered: list[UncoveredDevices]) -> Totals:
    severities = Counter(a.severity.value for a in alerts)
    plans = Counter(e.plan for a in alerts for e in a.suppliers if e.devices > 0)
    return Totals(
        certificates=len(alerts),
        certificates_needing_action=sum(a.needs_action for a in alerts),
        by_severity={s.value: severities.get(s.value, 0) for s in Severity if s is not Severity.OK},
        installed_devices=sum(a.installed_devices for a in alerts),
        suppliers=len({e.supplier for a in alerts for e in a.suppliers if e.devices > 0}),
        plans={state: plans.get(state, 0) for state in PLAN_STATES},
        uncovered_devices=sum(u.devices for u in uncovered),
    )
