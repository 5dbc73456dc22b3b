"""The workflow rules a change must satisfy against the rest of the register.

Vocabularies and transitions come from the policy; this module says how they apply: a
decision's status must belong to its subject's vocabulary and be reachable from the subject's
current status; a status that needs conditions carries them; a letter relates to an assessment
of its own Party; references point at records that exist and are not withdrawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assurance.models import Decision, DirectorsLetter, Finding, Record
from ssc.errors import InputError

if TYPE_CHECKING:
    from assurance.store import Register


def check(register: Register, record: Record, before: Record | None) -> None:
    """Raise InputError (naming the field) if ``record`` may not be written as it is."""
    if record.withdrawn is not None and (before is None or before.withdrawn is None):
        raise InputError("records are withdrawn with `withdraw`, which records a reason", field="withdrawn")
    for field, type_name in record.references.items():
        target_id = getattr(record, field)
        if target_id is None:
            continue
        target = register.get(type_name, target_id)
        if target is None:
            raise InputError(f"no {type_name} with id {target_id!r}", field=field)
        if target.withdrawn is not None and before is None:
            raise InputError(f"{type_name} {target_id} is withdrawn", field=field)
    if isinstance(record, Decision):
        vocabulary, subject = subject_vocabulary(register, record.subject)
        current = current_status(register, record.subject, excluding=record.id, before=record.date)
        check_decision(register, record, vocabulary, current)
    elif isinstance(record, DirectorsLetter) and record.relates_to:
        assessment = register.require("assessment", record.relates_to)
        if assessment.party != record.party:
            raise InputError(
                f"assessment {record.relates_to} is of Party {assessment.party}, not {record.party}",
                field="relates_to",
            )
    elif isinstance(record, Finding) and before is not None:
        check_finding_transition(register, before, record)
    if isinstance(record, Finding):
        from assurance.evidence import check_closing  # closing takes evidence (policies/evidence.toml)

        check_closing(register, before, record)


def subject_vocabulary(register: Register, subject_id: str) -> tuple[str, Record]:
    """The status vocabulary of a decision's subject (an assessment or a letter)."""
    assessment = register.get("assessment", subject_id)
    letter = register.get("letter", subject_id)
    if assessment is not None and letter is not None:
        raise InputError(f"{subject_id!r} is both an assessment and a letter id; cannot tell which", field="subject")
    if assessment is not None:
        return register.policy.vocabulary_for_kind(assessment.kind), assessment
    if letter is not None:
        return "letter", letter
    raise InputError(f"no assessment or letter with id {subject_id!r}", field="subject")


def current_status(register: Register, subject_id: str, *, excluding: str | None = None,
                   before=None) -> str | None:
    """The status the latest standing decision on a subject set (optionally before a date)."""
    sql = "SELECT status FROM decisions WHERE subject = ? AND withdrawn IS NULL AND id != ?"
    params: list = [subject_id, excluding or ""]
    if before is not None:
        sql += " AND date <= ?"
        params.append(before.isoformat())
    sql += " ORDER BY date DESC, rowid DESC LIMIT 1"
    row = register.conn.execute(sql, params).fetchone()
    return row[0] if row else None


def check_decision(register: Register, decision: Decision, vocabulary: str, current: str | None) -> None:
    policy = register.policy
    known = policy.statuses[vocabulary]
    if decision.status not in known:
        raise InputError(
            f"{decision.status!r} is not a status for this subject; expected one of {', '.join(known)}",
            field="status",
        )
    allowed = policy.allowed_statuses(vocabulary, current)
    if decision.status not in allowed:
        options = ", ".join(allowed) or "none (the status is final)"
        raise InputError(
            f"cannot go from {current} to {decision.status}; allowed: {options}", field="status"
        )
    if policy.status(vocabulary, decision.status).requires_conditions and not (decision.conditions or "").strip():
        raise InputError(f"the status {decision.status} needs its conditions", field="conditions")


def check_finding_transition(register: Register, before: Record, after: Finding) -> None:
    assert isinstance(before, Finding)
    if before.status == after.status:
        return
    allowed = register.policy.findings.transitions.get(before.status, [])
    if after.status not in allowed:
        raise InputError(
            f"a finding cannot go from {before.status} to {after.status}; allowed: {', '.join(allowed) or 'none'}",
            field="status",
        )
