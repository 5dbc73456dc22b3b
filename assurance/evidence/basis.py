"""What a decision rested on: the state it applied to, recorded as a digest, and checked later.

When the SSC sets a status, :func:`decision_basis` takes the subject (an assessment or a
letter), its findings still open and the evidence on both, and records on the decision a
SHA-256 over them (``basis``) with the finding and evidence ids (``basis_findings``,
``basis_evidence``): extra fields of the decision, so they are audited, exported and imported
like any other. :func:`changed_bases` recomputes it for each standing decision and says what
changed since (a finding reopened, evidence withdrawn or added, the subject edited), for
``ssc due`` and the dashboard. Closing a finding is also checked here against the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from assurance.evidence.policy import EvidencePolicy, load_evidence_policy
from assurance.evidence.store import Evidence, has_schema, list_evidence
from assurance.models import Assessment, Decision, Finding, Record
from core import audit
from core.errors import InputError

if TYPE_CHECKING:
    from assurance.store import Register


@dataclass(frozen=True)
class Basis:
    digest: str
    findings: tuple[str, ...]
    evidence: tuple[str, ...]
    subject_state: dict[str, Any]

    def as_fields(self) -> dict[str, Any]:
        return {
            "basis": self.digest,
            "basis_findings": list(self.findings),
            "basis_evidence": list(self.evidence),
        }


def _subject(register: Register, subject_id: str) -> Record | None:
    return register.get("assessment", subject_id) or register.get("letter", subject_id)


def _standing_evidence(register: Register, records: list[tuple[str, str]]) -> list[Evidence]:
    if not has_schema(register.conn):
        return []
    found = []
    for record_type, record_id in records:
        found.extend(
            list_evidence(
                register.conn, record_id, record_type=record_type, include_withdrawn=False
            )
        )
    return sorted(found, key=lambda item: item.id)


def compute(
    register: Register, subject_id: str, policy: EvidencePolicy | None = None
) -> Basis | None:
    """The basis a decision on ``subject_id`` would rest on now (None: no such subject)."""
    policy = policy or register.policies(load_evidence_policy)
    subject = _subject(register, subject_id)
    if subject is None:
        return None
    ignored = set(policy.basis.ignore_subject_fields)
    state = {k: v for k, v in subject.to_interchange().items() if k not in ignored}
    closed = set(register.policy.findings.closed_statuses)
    findings: list[Finding] = []
    if isinstance(subject, Assessment):
        findings = register.records(
            "finding",
            where="assessment = ?",  # type: ignore[assignment]
            params=(subject.id,),
            order_by="id",
        )
    open_findings = [f for f in findings if f.status not in closed]
    cited = [(subject.type_name, subject.id), *(("finding", f.id) for f in findings)]
    evidence = _standing_evidence(register, cited)
    material = {
        "subject": state,
        "findings": [
            {"id": f.id, "sec_ref": f.sec_ref, "severity": f.severity} for f in open_findings
        ],
        "evidence": [[item.id, item.sha256] for item in evidence],
    }
    digest = sha256(audit.canonical_json(material).encode()).hexdigest()
    return Basis(
        digest, tuple(f.id for f in open_findings), tuple(item.id for item in evidence), state
    )


def decision_basis(register: Register, subject_id: str) -> dict[str, Any]:
    """The fields ``decide`` records on a new decision ({} where the subject is unknown)."""
    basis = compute(register, subject_id)
    return basis.as_fields() if basis is not None else {}


@dataclass(frozen=True)
class BasisChange:
    """A standing decision whose basis is no longer the state it applied to."""

    decision: Decision
    party: str | None
    changes: tuple[str, ...]

    @property
    def description(self) -> str:
        # What changed first: a narrow table cuts the end of the line.
        return (
            f"{'; '.join(self.changes)} since decision {self.decision.id} "
            f"({self.decision.status.replace('_', ' ')}, {self.decision.date.isoformat()}) "
            "rested on it"
        )


def _explain(register: Register, decision: Decision, now: Basis) -> tuple[str, ...]:
    extra = decision.model_extra or {}
    then_findings = set(extra.get("basis_findings") or ())
    then_evidence = set(extra.get("basis_evidence") or ())
    said = []
    for finding in sorted(set(now.findings) - then_findings):
        said.append(
            f"finding {finding} open again"
            if _was_closed(register, finding, decision)
            else f"finding {finding} open"
        )
    for finding in sorted(then_findings - set(now.findings)):
        said.append(f"finding {finding} closed or withdrawn")
    for item in sorted(then_evidence - set(now.evidence)):
        said.append(f"evidence {item} withdrawn")
    for item in sorted(set(now.evidence) - then_evidence):
        said.append(f"evidence {item} added")
    if not said:
        said.append(f"{now.subject_state.get('type', 'subject')} {decision.subject} changed")
    return tuple(said)


def _was_closed(register: Register, finding_id: str, decision: Decision) -> bool:
    return any(
        event.after and event.after.get("status") in register.policy.findings.closed_statuses
        for event in audit.events(register.conn, entity="finding", entity_id=finding_id)
    )


def changed_bases(register: Register, party: str | None = None) -> list[BasisChange]:
    """Each subject's latest standing decision that recorded a basis no longer current."""
    rows = register.conn.execute(
        "SELECT id FROM (SELECT id, extra, ROW_NUMBER() OVER (PARTITION BY subject"
        " ORDER BY date DESC, rowid DESC) AS n FROM decisions WHERE withdrawn IS NULL)"
        " WHERE n = 1 AND extra LIKE '%\"basis\"%' ORDER BY id"
    ).fetchall()
    found = []
    policy = register.policies(load_evidence_policy)
    for (decision_id,) in rows:
        decision = register.get("decision", decision_id)
        assert isinstance(decision, Decision)
        recorded = (decision.model_extra or {}).get("basis")
        subject = _subject(register, decision.subject)
        subject_party = getattr(subject, "party", None)
        if not isinstance(recorded, str) or (party is not None and subject_party != party):
            continue
        now = compute(register, decision.subject, policy)
        if now is None:
            found.append(
                BasisChange(decision, subject_party, (f"subject {decision.subject} is gone",))
            )
        elif now.digest != recorded:
            found.append(BasisChange(decision, subject_party, _explain(register, decision, now)))
    return found


def rested_on(register: Register, decision: Decision) -> list[Evidence]:
    """The evidence a decision rested on, withdrawn items included (they are still shown).

    A decision that recorded its basis names its evidence; one that did not (imported, or
    recorded before evidence was kept) is taken to rest on the evidence then in force on its
    subject and the subject's findings, effective on or before its date. Evidence filed on the
    decision itself (the minutes, the letter sent) is always listed.
    """
    conn = register.conn
    if not has_schema(conn):
        return []
    named = (decision.model_extra or {}).get("basis_evidence")
    items: dict[str, Evidence] = {}
    if isinstance(named, list):
        for item in list_evidence(conn):
            if item.id in named:
                items[item.id] = item
    else:
        subject = _subject(register, decision.subject)
        cited = []
        if subject is not None:
            cited.append((subject.type_name, subject.id))
            if isinstance(subject, Assessment):
                cited.extend(
                    ("finding", f.id)
                    for f in register.records(
                        "finding",
                        include_withdrawn=True,
                        where="assessment = ?",
                        params=(subject.id,),
                    )
                )
        for record_type, record_id in cited:
            for item in list_evidence(
                conn, record_id, record_type=record_type, include_withdrawn=False
            ):
                if item.effective <= decision.date.isoformat():
                    items[item.id] = item
    for item in list_evidence(conn, decision.id, record_type="decision"):
        items[item.id] = item
    return sorted(items.values(), key=lambda item: (item.effective, item.id))


def check_closing(
    register: Register, before: Record | None, after: Record, policy: EvidencePolicy | None = None
) -> None:
    """Closing a finding needs evidence on it where the policy says so for its severity."""
    if not isinstance(after, Finding):
        return
    closed = register.policy.findings.closed_statuses
    if after.status not in closed or (
        before is not None and getattr(before, "status", None) in closed
    ):
        return
    policy = policy or register.policies(load_evidence_policy)
    if not policy.closing_needs_evidence(after.severity):
        return
    if has_schema(register.conn) and list_evidence(
        register.conn, after.id, record_type="finding", include_withdrawn=False
    ):
        return
    rated = f"a {after.severity} finding" if after.severity else "a finding with no severity"
    raise InputError(
        f"closing {rated} needs evidence on it: first `ssc evidence add {after.id} "
        "FILE --reason ...`",
        field="status",
    )
