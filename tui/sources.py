"""The UI's one door to the packages' answers: due items, month's decisions, CPA and SMKI alerts, reports.

Each function calls the package that owns the rule and returns plain data for a screen; the
few SELECTs here only count and list rows for display.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assurance.models import Assessment, Decision, DirectorsLetter, Finding, Party
from assurance.store import Register
from core.env import Policies, PolicySource, shipped
from tui.due_summary import DueSummary, summarise_due

if TYPE_CHECKING:
    from assurance.due import DueItem
    from smki.cpa.report import CpaReport


@dataclass(frozen=True)
class Counts:
    parties: int
    assessments: int
    letters: int
    open_findings: int
    decisions_this_month: int
    events: int
    head: str


@dataclass(frozen=True)
class MonthDecision:
    id: str
    date: str
    subject: str
    party: str | None
    status: str
    classification: str


@dataclass(frozen=True)
class CertificateExpiry:
    """One SMKI Organisation Certificate and how near its expiry is."""

    path: str
    subject: str
    role: str
    eui64: str
    not_after: dt.date
    days_left: int
    severity: str


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``day``'s month and of the next, as the Panel report counts a month."""
    from assurance.report.panel import next_month

    first = day.replace(day=1)
    return first, next_month(first)


def counts(register: Register, today: dt.date) -> Counts:
    from core import audit

    conn = register.conn
    closed = register.policy.findings.closed_statuses
    first, following = month_bounds(today)

    def one(sql: str, *params) -> int:
        return conn.execute(sql, params).fetchone()[0]

    events, head = audit.head(conn)
    return Counts(
        parties=register.count("party"),
        assessments=register.count("assessment"),
        letters=register.count("letter"),
        open_findings=one(
            "SELECT COUNT(*) FROM findings WHERE withdrawn IS NULL AND status NOT IN"
            f" ({', '.join('?' for _ in closed)})",
            *closed,
        ),
        decisions_this_month=one(
            "SELECT COUNT(*) FROM decisions WHERE withdrawn IS NULL AND date >= ? AND date < ?",
            first.isoformat(),
            following.isoformat(),
        ),
        events=events,
        head=head,
    )


def month_decisions(register: Register, today: dt.date, limit: int = 100) -> list[MonthDecision]:
    """The decisions of ``today``'s month, latest first, with the status in the SEC's words."""
    from tui.present import status_name

    first, following = month_bounds(today)
    policy = register.policy
    rows = register.conn.execute(
        "SELECT d.id, d.date, d.subject, coalesce(p.name, a.party, l.party), d.status, a.kind,"
        " d.classification FROM decisions d"
        " LEFT JOIN assessments a ON a.id = d.subject LEFT JOIN letters l ON l.id = d.subject"
        " LEFT JOIN parties p ON p.id = coalesce(a.party, l.party)"
        " WHERE d.withdrawn IS NULL AND d.date >= ? AND d.date < ?"
        " ORDER BY d.date DESC, d.rowid DESC LIMIT ?",
        (first.isoformat(), following.isoformat(), limit),
    ).fetchall()
    return [
        MonthDecision(
            did,
            date,
            subject,
            party,
            status_name(policy, status, policy.vocabulary_for_kind(kind) if kind else "letter"),
            classification,
        )
        for did, date, subject, party, status, kind, classification in rows
    ]


#: Above this many assessments and findings, due items are computed in another process, so
#: the UI thread keeps the interpreter (a thread would share it and make typing sluggish).
SEPARATE_PROCESS_ABOVE = 20_000


def due_summary(
    db_path: Path,
    actor: str,
    as_of: dt.date,
    shown: int,
    *,
    policies: Policies = shipped,
    separate_process: bool = False,
) -> DueSummary:
    """``assurance.due.compute_due``, summarised, on a connection of its own (from a worker thread).

    Over a big register the work runs in another process and only the summary comes back, so
    neither the UI's interpreter nor the pipe carries every item.
    """
    if separate_process:
        from tui.due_worker import compute_in_subprocess

        return compute_in_subprocess(db_path, actor, as_of, shown, policies.file)
    from assurance.due import compute_due

    with Register.open(db_path, actor=actor, policies=policies) as register:
        return summarise_due(compute_due(register, as_of), shown)


def _cpa_conn(db_path: Path) -> sqlite3.Connection:
    from smki.cpa.schema import open_register

    return open_register(db_path)


def cpa_report(
    db_path: Path, as_of: dt.date, policies: PolicySource, horizon_days: int | None = None
) -> CpaReport:
    """The CPA expiry alert (``smki.cpa.report.build_report``) for the register file."""
    from smki.cpa.policy import load_policy
    from smki.cpa.report import build_report

    conn = _cpa_conn(db_path)
    try:
        return build_report(conn, as_of, policies(load_policy), horizon_days)
    finally:
        conn.close()


def smki_certificates(
    paths: tuple[Path, ...], as_of: dt.date, policies: PolicySource
) -> tuple[list[CertificateExpiry], list[str]]:
    """SMKI certificates under ``paths`` with their expiry severity, worst first; and problems."""
    from smki import expiry
    from smki.certificates import load_certificates
    from smki.policy import load_policy

    if not paths:
        return [], []
    policy = policies(expiry.load_policy)
    problems: list[str] = []
    try:
        certs, bad = load_certificates(paths, policies(load_policy))
    except FileNotFoundError as exc:
        return [], [f"{exc}: no such file or folder"]
    problems += [f"{p.path}:{p.line}: {p.message}" for p in bad]
    rows = []
    for cert in certs:
        not_after = cert.not_after
        assert not_after is not None, "load_certificates yields fully parsed certificates only"
        left = cert.days_left(as_of)
        rows.append(
            CertificateExpiry(
                cert.path,
                cert.subject,
                cert.role_name or "—",
                cert.eui64 or "—",
                not_after.date(),
                left,
                str(expiry.classify(left, policy)),
            )
        )
    rank = {"expired": 0, "critical": 1, "warning": 2, "notice": 3, "ok": 4}
    rows.sort(key=lambda r: (rank.get(r.severity, 5), r.days_left))
    return rows, problems


# -- files written from the UI -----------------------------------------------------------


def report_month(today: dt.date) -> dt.date:
    """The month a Panel paper written on ``today`` reports: the one before (10 January → December)."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def preview_panel(register: Register, month: str, paper_ref: str | None) -> str:
    """The month's main part (what goes to the Panel) as Markdown, built and checked as when written."""
    from assurance.report import main_part, parse_month, render

    _report, document = main_part(register, parse_month(month), paper_ref=paper_ref)
    text = render(document, "markdown")
    return text if isinstance(text, str) else text.decode("utf-8")


def write_panel(
    register: Register, month: str, out_dir: Path, fmt: str, paper_ref: str | None = None
) -> list[Path]:
    """The month's SSC section and its Appendix A (RED), written by ``assurance.report`` in
    ``fmt``, one of :data:`assurance.formats.PANEL`."""
    from assurance.formats import PANEL
    from assurance.report import parse_month, write_panel_report

    parsed = parse_month(month)
    suffix = PANEL[fmt].suffix
    out_dir.mkdir(parents=True, exist_ok=True)
    main = out_dir / f"ssc-panel-{parsed:%Y-%m}{suffix}"
    appendix = out_dir / f"ssc-panel-{parsed:%Y-%m}-appendix-a-RED{suffix}"
    files = write_panel_report(register, parsed, main, appendix, paper_ref=paper_ref)
    return [files.main, *([files.appendix] if files.appendix else [])]


def write_cpa(
    db_path: Path, as_of: dt.date, out_dir: Path, fmt: str, policies: PolicySource
) -> Path:
    """The CPA expiry report as of ``as_of`` in ``fmt``, one of :data:`smki.cpa.formats.CPA`."""
    from smki.cpa.formats import CPA

    chosen = CPA[fmt]
    report = cpa_report(db_path, as_of, policies)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"cpa-report-{as_of.isoformat()}{chosen.suffix}"
    chosen.write(CPA.render(chosen, report), path)
    return path


def populate_demo(register: Register, today: dt.date) -> None:
    from assurance.demo import populate

    populate(register, today=today)


def cpa_loaded(db_path: Path) -> int:
    """How many CPA certificates the register holds (0: no CPA data was ever imported)."""
    conn = _cpa_conn(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM cpa_certificate").fetchone()[0]
    finally:
        conn.close()


@dataclass(frozen=True)
class CpaExposure:
    """A Supplier's devices under a CPA certificate that expires within the alert horizon."""

    cpa_id: str
    model: str
    expires: dt.date
    days_left: int
    devices: int
    plan: str


@dataclass(frozen=True)
class PartyOverview:
    """Everything about one Party, each part from the package that owns it."""

    party: Party
    assessments: list[Assessment]
    decisions: list[Decision]
    findings: list[Finding]
    letters: list[DirectorsLetter]
    due: list[DueItem]  # compute_due for this Party
    #: None: no CPA data loaded; else the Party's exposure (matched by name or id).
    cpa: list[CpaExposure] | None


def party_overview(
    register: Register, party_id: str, today: dt.date, db_path: Path
) -> PartyOverview:
    from assurance.due import compute_due

    party = register.require(Party, party_id)
    assessments = register.records(
        Assessment,
        where="party = ?",
        params=(party_id,),
        order_by="coalesce(fieldwork_end, fieldwork_start) DESC, id",
    )
    letters = register.records(
        DirectorsLetter, where="party = ?", params=(party_id,), order_by="received DESC"
    )
    subjects = [a.id for a in assessments] + [letter.id for letter in letters]
    marks = ", ".join("?" for _ in subjects) or "NULL"
    decisions = register.records(
        Decision, where=f"subject IN ({marks})", params=subjects, order_by="date DESC, id DESC"
    )
    ids = [a.id for a in assessments]
    marks = ", ".join("?" for _ in ids) or "NULL"
    findings = register.records(
        Finding, where=f"assessment IN ({marks})", params=ids, order_by="coalesce(due, '9999') , id"
    )
    due = compute_due(register, today, party=party_id)
    cpa: list[CpaExposure] | None = None
    if cpa_loaded(db_path):
        cpa = []
        names = {party.id.casefold(), party.name.casefold()}
        for alert in cpa_report(db_path, today, register.policies).certificates:
            for exposure in alert.suppliers:
                if exposure.supplier.casefold() in names:
                    cpa.append(
                        CpaExposure(
                            alert.cpa_id,
                            f"{alert.manufacturer} {alert.model}",
                            alert.expires,
                            alert.days_left,
                            exposure.devices,
                            str(exposure.plan),
                        )
                    )
    return PartyOverview(party, assessments, decisions, findings, letters, due, cpa)
