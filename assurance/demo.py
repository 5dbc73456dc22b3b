"""A realistic, fictional demo register: Parties in every User Role, two years of assessments, decisions, findings, letters and highlights.

Everything is dated relative to ``today`` and drawn from a seeded generator, so the same seed
and date give the same register. Names and SEC party ids are invented.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from assurance.due import add_months
from core.errors import InputError

if TYPE_CHECKING:
    from assurance.store import Register

CIO = "User CIO (Marlow Kent Assurance LLP)"

#: (name, roles, domestic SMS, non-domestic SMS); counts straddle the cycle thresholds.
PARTIES: list[tuple[str, list[str], int | None, int | None]] = [
    ("Pennine Power Supply plc", ["large_supplier"], 2_400_000, 180_000),
    ("Albion Home Energy Ltd", ["large_supplier"], 1_150_000, 60_000),
    ("Severn Vale Energy plc", ["large_supplier", "registered_supplier_agent"], 860_000, 95_000),
    ("Caledonia Gas & Power Ltd", ["large_supplier"], 640_000, 40_000),
    ("Weald Energy Supply Ltd", ["large_supplier"], 410_000, 52_000),
    ("Fenmoor Energy Ltd", ["small_supplier"], 310_000, 12_000),
    ("Tamar Valley Power Ltd", ["small_supplier"], 265_000, 8_000),
    ("Bramblewick Energy Ltd", ["small_supplier"], 240_000, 61_000),
    ("Kestrel Renewables Supply Ltd", ["small_supplier"], 190_000, 4_000),
    ("Hollins Cross Energy Ltd", ["small_supplier"], 88_000, 2_500),
    ("Marram Green Energy Ltd", ["small_supplier"], 47_000, 900),
    ("Oakhanger Power Ltd", ["small_supplier"], 12_500, 300),
    ("Dunmere Business Energy Ltd", ["small_supplier"], 0, 48_000),
    ("Lowther Energy Co-operative Ltd", ["small_supplier"], 6_200, 0),
    ("Northern Fells Electricity Networks plc", ["electricity_network_party"], None, None),
    ("Wessex Grid Distribution plc", ["electricity_network_party"], None, None),
    ("Anglian Plains Power Networks Ltd", ["electricity_network_party"], None, None),
    ("Clydeside Distribution Networks plc", ["electricity_network_party"], None, None),
    ("Thames Reach Gas Distribution Ltd", ["gas_network_party"], None, None),
    ("Mercia Gas Networks plc", ["gas_network_party"], None, None),
    ("Border Counties Gas Ltd", ["gas_network_party"], None, None),
    ("Ravensworth Energy Services Ltd", ["other_user"], None, None),
    ("Lindisfarne Data Analytics Ltd", ["other_user"], None, None),
    ("Quantock Heat & Metering Ltd", ["other_user"], None, None),
    ("Halcyon Energy Insights Ltd", ["other_user"], None, None),
    ("Greywether Smart Services Ltd", ["other_user"], None, None),
    ("Cotswold Metering Agents Ltd", ["registered_supplier_agent"], None, None),
    ("Humber Meter Operations Ltd", ["registered_supplier_agent"], None, None),
    ("Solway Field Services Ltd", ["registered_supplier_agent"], None, None),
    ("Fenland Shared Services Ltd", ["shared_resource_provider"], None, None),
    ("Castlegate Utility Systems Ltd", ["shared_resource_provider"], None, None),
    ("Penwith Cloud Billing Ltd", ["shared_resource_provider"], None, None),
    ("Wolds Managed Services Ltd", ["shared_resource_provider", "other_user"], None, None),
    ("Ouse Bridge Energy Ltd", ["small_supplier"], 3_000, 150),
    ("Beacon Hill Energy Trading Ltd", ["other_user"], None, None),
]

#: Realistic non-compliances against SEC G3–G6: (clause, title, action).
FINDINGS: list[tuple[str, str, str]] = [
    (
        "G5.14",
        "Risk assessment not refreshed after system change",
        "Repeat the information security risk assessment for the new billing platform",
    ),
    (
        "G6.3",
        "Anomaly detection thresholds not reviewed",
        "Review and re-set anomaly detection thresholds with the DCC and record the rationale",
    ),
    (
        "G3.11",
        "Privileged access not reviewed quarterly",
        "Introduce a quarterly privileged access review with sign-off by the system owner",
    ),
    (
        "G4.2(b)",
        "Supply-affecting staff not security screened",
        "Screen all staff able to affect the supply of energy to BS 7858 before access",
    ),
    (
        "G5.16",
        "Security incident management plan untested",
        "Run and document a tabletop exercise of the incident management plan",
    ),
    (
        "G3.16",
        "Vulnerability scanning does not cover the User System",
        "Extend authenticated vulnerability scanning to every User System component",
    ),
    (
        "G5.19",
        "Information asset register incomplete",
        "Complete the asset register with owners and classifications for all User System assets",
    ),
    (
        "G3.4",
        "Separation of the User System from the enterprise network not demonstrated",
        "Provide firewall rule reviews and a network diagram evidencing separation",
    ),
    (
        "G4.5",
        "Security awareness training records incomplete",
        "Complete annual security awareness training for all staff with User System access",
    ),
    (
        "G6.4",
        "Anomaly detection alerts not monitored out of hours",
        "Extend alert monitoring to 24x7 or document a risk-accepted alternative",
    ),
    (
        "G5.7",
        "Supplier security requirements missing from third-party contracts",
        "Add SEC G5 security obligations to contracts with third-party service providers",
    ),
    (
        "G3.8",
        "Audit logs not retained for the required period",
        "Retain User System audit logs for at least three months online and 12 archived",
    ),
    (
        "G5.25",
        "Cryptographic key management procedure out of date",
        "Update the key management procedure for SMKI Organisation Certificate keys",
    ),
]

OWNERS = [
    "Head of Information Security",
    "Chief Information Officer",
    "IT Operations Manager",
    "Data Protection and Security Lead",
    "Director of Metering",
]

SSC_HIGHLIGHTS = [
    (
        "Meter Triage Use Cases",
        "The SSC discussed the security controls required at triage facilities and options to achieve a Factory Reset.",
    ),
    (
        "Security Self-Assessment Questions",
        "The User CIO presented draft Security Self-Assessment questions, including questions on SMETS1.",
    ),
    (
        "Interpretation of SEC G4.2",
        "The User CIO sought the SSC's view on who can compromise, directly or indirectly, the supply of energy.",
    ),
    (
        "Third-party Service Providers",
        "The SSC discussed the potential risks posed by third-party Service Providers in the smart metering ecosystem.",
    ),
    (
        "CPA Remediation Plans",
        "The SSC requested remediation plans from Suppliers to upgrade Devices whose CPA Certificates expire soon.",
    ),
    (
        "SMETS1 Enrolment and Adoption",
        "The DCC presented updates on SMETS1 enrolment, security testing and certificate issues.",
    ),
    (
        "Security Controls Framework update",
        "The SSC agreed changes to the Security Controls Framework, published on the SEC website.",
    ),
    (
        "Anomaly Detection",
        "The SSC reviewed the anomaly detection thresholds reported by Users and the DCC.",
    ),
]

PMA_HIGHLIGHTS = [
    (
        "Progressing enforced XML Signing",
        "The SMKI PMA was updated on separating the XML Signing Key for DUIS Commands from the Digital Signing Key.",
    ),
    (
        "SEC Appendix L - Section 6",
        "The SMKI PMA approved the draft SMKI Recovery Procedure for consultation.",
    ),
    (
        "SMKI Compliance Policy",
        "The SMKI PMA reviewed the annual SMKI Participant assurance results.",
    ),
    (
        "Organisation Certificate renewals",
        "The SMKI PMA noted the schedule of Organisation Certificate renewals for the coming quarter.",
    ),
]

ASSURANCE_CONDITIONS = [
    "Remediate the high-severity findings and send a Director's Letter within three months",
    "Provide evidence of a refreshed risk assessment before go-live",
    "Complete the anomaly detection threshold review within 60 days",
]


def ssc_meeting(on_or_after: dt.date) -> dt.date:
    """The SSC's monthly meeting: the second Wednesday, on or after the given date."""
    day = on_or_after
    while True:
        first = day.replace(day=1)
        second_wednesday = first + dt.timedelta(days=(2 - first.weekday()) % 7 + 7)
        if second_wednesday >= on_or_after:
            return second_wednesday
        day = add_months(first, 1)


def populate(register: Register, *, today: dt.date, seed: int = 2019) -> None:
    """Fill an empty register with the demo data set, as of ``today`` (one audited import)."""
    from assurance.interchange import validate_batch

    if any(register.count(name, include_withdrawn=True) for name in _types()):
        raise InputError(
            "the register is not empty: `ssc demo` fills a new register "
            "(choose another with --db PATH)"
        )
    rows = build(today=today, seed=seed)
    records = validate_batch(register, [("demo", n + 1, row) for n, row in enumerate(rows)])
    register.add_many(records, reason=f"demo data set (seed {seed}, as of {today.isoformat()})")


def _types() -> list[str]:
    from assurance.models import RECORD_TYPES

    return list(RECORD_TYPES)


def build(*, today: dt.date, seed: int = 2019) -> list[dict[str, Any]]:
    """The demo records as interchange objects (what :func:`populate` imports)."""
    return _Builder(today, random.Random(seed)).build()


#: Security Incidents of the kinds the seeds report (fictional): category, severity, title, description.
INCIDENTS = [
    (
        "human_error",
        "major",
        "Overnight change failure at a Communication Service Provider",
        "A change was misapplied overnight; no impact on Users. Further checks on such changes added.",
    ),
    (
        "malicious_firmware",
        "critical",
        "Unsigned firmware image offered to devices",
        "Devices refused an image without a valid signature; the source is under investigation.",
    ),
    (
        "cyber_attack",
        "major",
        "Phishing campaign against User staff",
        "Credential phishing aimed at smart metering operations staff; accounts reset.",
    ),
    (
        "system_failure",
        "minor",
        "Alert storm from SMETS1 devices",
        "A burst of alerts after a migration batch; thresholds reviewed.",
    ),
    (
        "key_compromise",
        "critical",
        "Suspected exposure of an XML Signing Key",
        "A signing key was found on a shared drive; revoked and replaced.",
    ),
]


class _Builder:
    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.rows: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}
        # Statuses every demo must show at least once, handed out as assessments are decided.
        self.owed_assurance = ["approved_subject_to", "deferred", "rejected", "approved"]
        self.owed_compliance = ["non_compliant", "potentially_non_compliant"]
        self.letter_pending_owed = True

    def next_id(self, prefix: str, width: int = 4) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def add(self, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.append({key: value for key, value in row.items() if value is not None})
        return row

    def build(self) -> list[dict[str, Any]]:
        start = self.today - dt.timedelta(days=730)
        for index, (name, roles, domestic, non_domestic) in enumerate(PARTIES):
            pid = f"P{index + 1:03d}"
            self.add(
                {
                    "type": "party",
                    "id": pid,
                    "name": name,
                    "roles": roles,
                    "sec_party_id": f"SECP{4100 + index * 37:05d}",
                    "domestic_sms": domestic,
                    "non_domestic_sms": non_domestic,
                    "contact": f"security@{name.split()[0].lower()}.example",
                }
            )
            if index == len(PARTIES) - 1:
                continue  # an applicant with no assessment yet: its first FUSA is due
            if index == len(PARTIES) - 3:
                # A first FUSA Deferred at the last meeting: its follow-up FUSA is now due.
                end = self.today - dt.timedelta(days=70)
                aid = self.assessment(pid, "FUSA", 1, end - dt.timedelta(days=21), end)
                self.decide_assessment(pid, aid, "FUSA", end, status="deferred")
                continue
            if index == len(PARTIES) - 2:
                # A new entrant whose first FUSA fieldwork is under way.
                first = self.today - dt.timedelta(days=self.rng.randint(10, 40))
                self.assessment(pid, "FUSA", 1, first, None)
                continue
            self.party_history(
                pid,
                roles,
                domestic,
                non_domestic,
                start + dt.timedelta(days=self.rng.randint(0, 330)),
            )
        self.highlights(start)
        self.incidents(start)
        return self.rows

    # -- one Party's two years --------------------------------------------------------------
    def party_history(
        self,
        pid: str,
        roles: list[str],
        domestic: int | None,
        non_domestic: int | None,
        fieldwork_end: dt.date,
    ) -> None:
        from assurance.policy import default_policy

        schedule = default_policy().schedule_for(roles, domestic, non_domestic) or ["FUSA"] * 3
        year = 1
        # One Party in seven lets its cycle lapse: its next assessment is overdue in `ssc due`.
        lapsed = self.rng.random() < 0.15
        while True:
            kind = schedule[year - 1]
            if lapsed and fieldwork_end > self.today - dt.timedelta(days=60):
                return
            finished = fieldwork_end <= self.today
            if fieldwork_end - dt.timedelta(days=21) > self.today:
                return  # the next fieldwork has not started
            aid = self.assessment(
                pid,
                kind,
                year,
                fieldwork_end - dt.timedelta(days=21),
                fieldwork_end if finished else None,
            )
            if not finished:
                return
            status = self.decide_assessment(pid, aid, kind, fieldwork_end)
            if status in ("deferred", "rejected"):
                follow_end = fieldwork_end + dt.timedelta(days=self.rng.randint(100, 150))
                if follow_end - dt.timedelta(days=14) > self.today:
                    return  # the follow-up is due and not yet started
                fid = self.assessment(
                    pid,
                    "FOLLOW_UP",
                    None,
                    follow_end - dt.timedelta(days=14),
                    follow_end if follow_end <= self.today else None,
                )
                if follow_end > self.today:
                    return
                self.decide_assessment(pid, fid, "FOLLOW_UP", follow_end, follow_up=True)
                fieldwork_end = follow_end
                year = 1
            # Most Parties finish within the 12 months; a few run late (overdue in `ssc due`).
            days = self.rng.choice([330, 340, 350, 358, 362, 380])
            fieldwork_end = fieldwork_end + dt.timedelta(days=days)
            year = year % 3 + 1

    def assessment(
        self, pid: str, kind: str, year: int | None, start: dt.date, end: dt.date | None
    ) -> str:
        aid = self.next_id("A")
        report = end + dt.timedelta(days=self.rng.randint(12, 28)) if end else None
        if report and report > self.today:
            report = None
        response_received = None
        if report:
            answered = report + dt.timedelta(days=self.rng.randint(15, 40))
            # Recent reports, and the odd late User, are still awaiting their response.
            late = (self.today - report).days < 120 and self.rng.random() < 0.3
            if answered <= self.today and not late:
                response_received = answered
        self.add(
            {
                "type": "assessment",
                "id": aid,
                "party": pid,
                "kind": kind,
                "cycle_year": year,
                "cio": CIO,
                "fieldwork_start": _iso(start),
                "fieldwork_end": _iso(end),
                "report_received": _iso(report),
                "response_due": _iso(report + dt.timedelta(days=30))
                if report and self.rng.random() < 0.5
                else None,
                "response_received": _iso(response_received),
            }
        )
        self._report = report
        return aid

    def decide_assessment(
        self,
        pid: str,
        aid: str,
        kind: str,
        fieldwork_end: dt.date,
        follow_up: bool = False,
        status: str | None = None,
    ) -> str | None:
        report = self._report
        findings = self.findings(aid, report) if report else []
        if report is None:
            return None
        meeting = ssc_meeting(report + dt.timedelta(days=10))
        if meeting > self.today:
            return None  # awaiting the next SSC meeting
        if status is not None:
            pass
        elif kind in ("FUSA", "FOLLOW_UP"):
            if follow_up:
                status = self.rng.choice(["approved", "approved_subject_to"])
            elif self.owed_assurance and self.rng.random() < 0.5:
                status = self.owed_assurance.pop(0)
            else:
                status = self.rng.choice(["approved", "approved", "approved_subject_to"])
        else:
            if self.owed_compliance and self.rng.random() < 0.4:
                status = self.owed_compliance.pop(0)
            else:
                status = self.rng.choice(
                    ["compliant", "compliant", "compliant", "potentially_non_compliant"]
                )
        conditions = (
            self.rng.choice(ASSURANCE_CONDITIONS) if status == "approved_subject_to" else None
        )
        self.add(
            {
                "type": "decision",
                "id": self.next_id("D"),
                "subject": aid,
                "date": _iso(meeting),
                "status": status,
                "conditions": conditions,
                "notes": f"{len(findings)} non-compliance(s) reported by the User CIO",
            }
        )
        if status in ("approved_subject_to", "potentially_non_compliant", "non_compliant"):
            self.conditions_met(
                pid,
                aid,
                meeting,
                findings,
                "compliant" if status.endswith("compliant") else "approved",
            )
        return status

    def conditions_met(
        self, pid: str, aid: str, decided: dt.date, findings: list[str], then: str
    ) -> None:
        """A Director's Letter after remediation; the SSC approves it (or has yet to)."""
        received = decided + dt.timedelta(days=self.rng.randint(60, 120))
        if received > self.today:
            return
        lid = self.next_id("L", 3)
        self.add(
            {
                "type": "letter",
                "id": lid,
                "party": pid,
                "received": _iso(received),
                "relates_to": aid,
                "summary": f"The Director confirms remediation of {len(findings)} non-compliance(s)",
            }
        )
        meeting = ssc_meeting(received + dt.timedelta(days=14))
        recent = (self.today - received).days < 150
        if meeting > self.today or recent and (self.letter_pending_owed or self.rng.random() < 0.3):
            self.letter_pending_owed = False
            return  # pending: a letter awaiting a decision
        if self.rng.random() < 0.15:
            self.add(
                {
                    "type": "decision",
                    "id": self.next_id("D"),
                    "subject": lid,
                    "date": _iso(meeting),
                    "status": "rejected",
                    "notes": "Evidence of remediation incomplete",
                }
            )
            meeting = ssc_meeting(meeting + dt.timedelta(days=20))
            if meeting > self.today:
                return
        self.add(
            {
                "type": "decision",
                "id": self.next_id("D"),
                "subject": lid,
                "date": _iso(meeting),
                "status": "approved",
            }
        )
        later = ssc_meeting(meeting + dt.timedelta(days=1))
        if later <= self.today:
            self.add(
                {
                    "type": "decision",
                    "id": self.next_id("D"),
                    "subject": aid,
                    "date": _iso(later),
                    "status": then,
                    "notes": f"Conditions met (Director's Letter {lid})",
                }
            )

    def findings(self, aid: str, report: dt.date) -> list[str]:
        ids = []
        for clause, title, action in self.rng.sample(
            FINDINGS, self.rng.choice([0, 1, 1, 2, 2, 3, 4])
        ):
            due = report + dt.timedelta(days=self.rng.choice([60, 90, 90, 120, 180]))
            age = (self.today - due).days
            roll = self.rng.random()
            closed = None
            if age > 150 and roll < 0.97 or age > 60 and roll < 0.75 or age > 0 and roll < 0.35:
                status = "closed"
                closed = min(self.today, due + dt.timedelta(days=self.rng.randint(-30, 20)))
            elif roll < 0.55:
                status = "remediated"
            elif roll < 0.8:
                status = "in_remediation"
            else:
                status = "open"
            fid = self.next_id("F")
            self.add(
                {
                    "type": "finding",
                    "id": fid,
                    "assessment": aid,
                    "sec_ref": clause,
                    "title": title,
                    "severity": self.rng.choice(["low", "medium", "medium", "high"]),
                    "description": f"The User CIO found: {title.lower()}.",
                    "action": action,
                    "owner": self.rng.choice(OWNERS),
                    "due": _iso(due),
                    "status": status,
                    "closed": _iso(closed),
                }
            )
            ids.append(fid)
        return ids

    def highlights(self, start: dt.date) -> None:
        month = start.replace(day=1)
        while month <= self.today:
            meeting = ssc_meeting(month)
            if meeting <= self.today:
                for title, text in self.rng.sample(SSC_HIGHLIGHTS, 2):
                    self.add(
                        {
                            "type": "highlight",
                            "id": self.next_id("H"),
                            "date": _iso(meeting),
                            "committee": "SSC",
                            "title": title,
                            "text": text,
                            "classification": self.rng.choice(["GREEN", "GREEN", "WHITE"]),
                        }
                    )
                title, text = self.rng.choice(PMA_HIGHLIGHTS)
                if meeting + dt.timedelta(days=8) > self.today:
                    break
                self.add(
                    {
                        "type": "highlight",
                        "id": self.next_id("H"),
                        "date": _iso(meeting + dt.timedelta(days=8)),
                        "committee": "SMKI_PMA",
                        "title": title,
                        "text": text,
                        "classification": self.rng.choice(["GREEN", "WHITE"]),
                    }
                )
            month = add_months(month, 1)

    def incidents(self, start: dt.date) -> None:
        """A Security Incident a quarter or so, closed after a review or two; the latest still
        open, its next review set after the next SSC meeting."""
        day = start + dt.timedelta(days=self.rng.randint(20, 60))
        while day < self.today - dt.timedelta(days=20):
            category, severity, title, description = self.rng.choice(INCIDENTS)
            pid = self.rng.choice([None, None, f"P{self.rng.randint(1, len(PARTIES) - 3):03d}"])
            closed = day + dt.timedelta(days=self.rng.randint(25, 80))
            row = {
                "type": "incident",
                "id": self.next_id("I"),
                "reported": _iso(day),
                "title": title,
                "category": category,
                "severity": severity,
                "description": description,
            }
            if pid:
                row["party"] = pid
            if closed < self.today:
                row.update(status="closed", closed=_iso(closed))
            else:
                row.update(
                    status="under_investigation",
                    next_review=_iso(ssc_meeting(add_months(self.today.replace(day=1), 1))),
                )
            self.add(row)
            day += dt.timedelta(days=self.rng.randint(75, 130))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
