"""The workflow rules a write must satisfy against the register as the write would leave it.

Vocabularies and transitions come from the policy; this module says how they apply. Every write
path (add, edit, decide, withdraw, import, the TUI's forms: ``Register.add/edit/withdraw/
add_many``) calls :func:`check` inside its write transaction, on a :class:`State`: the stored
records with the records being written laid over them, so the rules see the register as it is
under the lock, batch and all.

- ids are unique per type, and assessments and letters share one namespace (a decision's
  subject names either);
- references point at records that exist; a record may not newly point at a withdrawn one;
- a decision's status belongs to its subject's vocabulary, carries conditions where the status
  needs them, is not dated before the report (or letter) it decides on, and every step of the
  subject's chain of decisions, taken in date order with this one in it, follows the
  transitions (so back-dating a decision, or editing, moving or withdrawing an earlier one,
  cannot bypass them); a subject's report is not moved after a decision on it;
- a letter relates to an assessment of its own Party;
- a finding's status moves only along the policy's transitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from assurance.models import RECORD_TYPES, Assessment, Decision, DirectorsLetter, Finding, Record
from core.errors import InputError

if TYPE_CHECKING:
    from assurance.store import Register

#: Record types whose ids share one namespace: a decision's subject is either.
SUBJECT_TYPES: tuple[str, ...] = Decision.descriptor.subject_references["subject"]

#: A decision in a subject's chain: (date, order, id, status). ``order`` breaks ties on one
#: date: stored decisions by rowid (the order they were recorded in), new ones after them.
Step = tuple[str, int, str, str]

_NEW = 1 << 62  # order of decisions not yet stored: after every stored one of the same date


class State:
    """The register under the write lock, with ``pending`` records (being written) over it.

    ``bulk`` reads the stored ids (and decisions) once per table instead of once per lookup:
    for imports, where the batch is large.
    """

    def __init__(
        self,
        register: Register,
        pending: Iterable[Record] = (),
        *,
        bulk: bool = False,
        restoring: bool = False,
    ) -> None:
        self.register = register
        #: A batch from a file restores history: a finding closed there was closed (with its
        #: evidence, which a bundle brings after the records) before it was exported.
        self.restoring = restoring
        self.policy = register.policy
        self.pending: dict[str, dict[str, Record]] = {name: {} for name in RECORD_TYPES}
        for record in pending:
            self.pending[record.type_name].setdefault(record.id, record)
        self._cache: dict[tuple[str, str], Record | None] = {}
        self._stored_ids: dict[str, dict[str, int]] | None = None
        self._stored_chains: dict[str, list[Step]] | None = None
        self._pending_chains: dict[str, list[Step]] | None = None
        self._verdicts: dict[str, dict[str, InputError]] = {}
        if bulk:
            conn = register.conn
            self._stored_ids = {
                name: dict(conn.execute(f"SELECT id, rowid FROM {model.table}"))
                for name, model in RECORD_TYPES.items()
            }
            self._stored_chains = {}
            if self._stored_ids["decision"]:
                for step in conn.execute(
                    "SELECT subject, date, rowid, id, status FROM decisions WHERE withdrawn IS NULL"
                ):
                    self._stored_chains.setdefault(step[0], []).append(tuple(step[1:]))

    # -- reading --------------------------------------------------------------------------
    def stored(self, type_name: str, record_id: str) -> Record | None:
        """The record as stored (before this write), or None."""
        if self._stored_ids is not None and record_id not in self._stored_ids[type_name]:
            return None
        key = (type_name, record_id)
        if key not in self._cache:
            self._cache[key] = self.register.get(type_name, record_id)
        return self._cache[key]

    def get(self, type_name: str, record_id: str) -> Record | None:
        """The record as it will be after this write, or None."""
        found = self.pending[type_name].get(record_id)
        return found if found is not None else self.stored(type_name, record_id)

    def is_pending(self, record: Record) -> bool:
        return self.pending[record.type_name].get(record.id) is record

    def _stored_chain(self, subject: str) -> list[Step]:
        if self._stored_chains is not None:
            return self._stored_chains.get(subject, [])
        return [
            tuple(row)
            for row in self.register.conn.execute(
                "SELECT date, rowid, id, status FROM decisions WHERE subject = ? AND withdrawn IS NULL",
                (subject,),
            )
        ]

    def _pending_chain(self, subject: str) -> list[Step]:
        if self._pending_chains is None:
            self._pending_chains = {}
            for index, decision in enumerate(self.pending["decision"].values()):
                if isinstance(decision, Decision) and decision.withdrawn is None:
                    self._pending_chains.setdefault(decision.subject, []).append(
                        (decision.date.isoformat(), _NEW + index, decision.id, decision.status)
                    )
        return self._pending_chains.get(subject, [])

    def chains(self, subject: str) -> tuple[list[Step], list[Step]]:
        """The subject's standing decisions in date order: as stored, and after this write.

        A pending decision replaces its stored self wherever that stood: an edit may move it
        to another date or subject, a withdrawal takes it out.
        """
        before = sorted(self._stored_chain(subject))
        pending = self._pending_chain(subject)
        if not before:  # a new subject (most of an import): nothing stored to merge with
            return before, sorted(pending) if len(pending) > 1 else pending
        written = self.pending["decision"]
        if not pending and not any(step[2] in written for step in before):
            return before, before
        rowids = {step[2]: step[1] for step in before}
        # An edited decision keeps its place among decisions of the same date.
        after = [step for step in before if step[2] not in written]
        after += [
            (date, rowids.get(record_id, order), record_id, status)
            for date, order, record_id, status in pending
        ]
        return before, sorted(after)


# -- the one check every write path calls -----------------------------------------------------
def check(state: State | Register, record: Record, before: Record | None) -> None:
    """Raise InputError (naming the field) if ``record`` may not be written as it is.

    ``before`` is the stored record an edit replaces (None for a new record). Given a Register,
    the check runs on a :class:`State` holding ``record`` alone.
    """
    if not isinstance(state, State):
        state = State(state, [record])
    if before is None:
        _check_new_id(state, record)
    if isinstance(before, Decision) and before.withdrawn is None:
        # Leaving its subject's chain (moved elsewhere or withdrawn) must leave the rest valid.
        assert isinstance(record, Decision)
        if record.withdrawn is not None or record.subject != before.subject:
            _check_left_chain(state, before)
    if record.withdrawn is not None:
        if before is None:
            _check_references(state, record, before)
        return  # a withdrawn record (restored by an import) takes no part in the workflow
    _check_references(state, record, before)
    if isinstance(record, Decision):
        _check_decision(state, record, before)
    elif isinstance(record, DirectorsLetter):
        _check_letter(state, record, before)
    elif isinstance(record, Assessment):
        _check_assessment(state, record, before)
    elif isinstance(record, Finding) and before is not None:
        check_finding_transition(state.policy, before, record)
    elif before is not None and record.type_name in state.policy.types:
        check_transition(state.policy, before, record)
    if isinstance(record, Finding) and not state.restoring:
        from assurance.evidence import (
            check_closing,  # closing takes evidence (policies/evidence.toml)
        )

        check_closing(state.register, before, record)


def check_batch(
    register: Register, records: list[Record], where: list[tuple[str, int]], limit: int = 200
) -> list[InputError]:
    """Each record of a batch checked against the register and the rest of the batch.

    Returns the problems (at most ``limit``), each naming the record's file and line. Run it
    inside the write transaction that writes the batch, so it sees what the writer will.
    """
    state = State(register, records, bulk=len(records) > 50, restoring=True)
    problems: list[InputError] = []
    for record, (path, line) in zip(records, where, strict=True):
        try:
            check(state, record, None)
        except InputError as exc:
            problems.append(InputError(exc.message, path=path, line=line, field=exc.field))
            if len(problems) >= limit:
                break
    return problems


def _check_left_chain(state: State, before: Decision) -> None:
    vocabulary, _subject = subject_of(state, before.subject)
    problem = _chain_verdicts(state, before.subject, vocabulary).get(before.id)
    if problem is not None:
        raise problem


def check_withdrawal(register: Register, after: Record, before: Record) -> None:
    """Raise InputError if withdrawing ``before`` (as ``after``) would break the workflow."""
    check(State(register, [after]), after, before)


def _check_new_id(state: State, record: Record) -> None:
    type_name = record.type_name
    if state.stored(type_name, record.id) is not None:
        raise InputError(
            f"a {type_name} with id {record.id!r} is already in the register", field="id"
        )
    if type_name in SUBJECT_TYPES:
        other = SUBJECT_TYPES[1 - SUBJECT_TYPES.index(type_name)]
        if state.get(other, record.id) is not None:
            raise InputError(
                f"{record.id!r} is already the id of {_a(other)}; assessments and "
                "letters share one namespace (a decision's subject names either)",
                field="id",
            )


def _a(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _check_references(state: State, record: Record, before: Record | None) -> None:
    for field, type_name in record.references.items():
        target_id = getattr(record, field)
        if target_id is None:
            continue
        target = state.get(type_name, target_id)
        if target is None:
            raise InputError(f"no {type_name} with id {target_id!r}", field=field)
        if before is None or getattr(before, field) != target_id:
            _check_standing(state, record, target, field)


def _check_standing(state: State, record: Record, target: Record, field: str) -> None:
    """A standing record may not be newly pointed at a withdrawn one.

    The exception is a withdrawn target restored in the same batch (an export re-imported):
    the file holds history, where the reference was made while the target still stood.
    """
    if record.withdrawn is not None or target.withdrawn is None or state.is_pending(target):
        return
    raise InputError(f"{target.type_name} {target.id} is withdrawn", field=field)


def subject_of(state: State, subject_id: str) -> tuple[str, Record]:
    """The status vocabulary of a decision's subject (an assessment or a letter), and the subject."""
    assessment = state.get("assessment", subject_id)
    if assessment is not None:
        assert isinstance(assessment, Assessment)
        return state.policy.vocabulary_for_kind(assessment.kind), assessment
    letter = state.get("letter", subject_id)
    if letter is not None:
        return "letter", letter
    raise InputError(f"no assessment or letter with id {subject_id!r}", field="subject")


def subject_vocabulary(register: Register, subject_id: str) -> tuple[str, Record]:
    """The status vocabulary of a decision's subject in the register, and the subject."""
    return subject_of(State(register), subject_id)


def opened_on(subject: Record) -> tuple[dt.date, str] | None:
    """The date before which no decision on ``subject`` can be taken, and what it is."""
    if isinstance(subject, Assessment):
        if subject.report_received is not None:
            return subject.report_received, "report_received"
        if subject.fieldwork_end is not None:
            return subject.fieldwork_end, "fieldwork_end"
        return None
    if isinstance(subject, DirectorsLetter):
        return subject.received, "received"
    return None


def _check_decision(state: State, decision: Decision, before: Record | None) -> None:
    policy = state.policy
    vocabulary, subject = subject_of(state, decision.subject)
    if not isinstance(before, Decision) or before.subject != decision.subject:
        _check_standing(state, decision, subject, "subject")
    known = policy.statuses[vocabulary]
    if decision.status not in known:
        raise InputError(
            f"{decision.status!r} is not a status for this subject; expected one of {', '.join(known)}",
            field="status",
        )
    if (
        policy.status(vocabulary, decision.status).requires_conditions
        and not (decision.conditions or "").strip()
    ):
        raise InputError(f"the status {decision.status} needs its conditions", field="conditions")
    opened = opened_on(subject)
    if opened is not None and decision.date < opened[0]:
        raise InputError(
            f"{decision.date.isoformat()} is before the {subject.type_name}'s "
            f"{opened[1]} ({opened[0].isoformat()}): a decision cannot precede what it "
            "decides on",
            field="date",
        )
    problem = _chain_verdicts(state, decision.subject, vocabulary).get(decision.id)
    if problem is not None:
        raise problem


def _chain_verdicts(state: State, subject: str, vocabulary: str) -> dict[str, InputError]:
    """Each pending decision that breaks ``subject``'s chain, with why (worked out once per subject).

    Every step of the chain after the write that was not a step before it must follow the
    transitions. A bad step is blamed on the pending decision it leads to; else on the pending
    decision it leaves (one dated before a stored decision that cannot follow it); else on the
    pending decision whose leaving the chain (moved or withdrawn) made the two meet.
    """
    if subject in state._verdicts:
        return state._verdicts[subject]
    verdicts: dict[str, InputError] = {}
    state._verdicts[subject] = verdicts
    before, after = state.chains(subject)
    if before is after or not before and len(after) < 2:  # unchanged, or a first decision
        return verdicts
    policy = state.policy
    known = policy.statuses[vocabulary]
    pending = state.pending["decision"]
    left = [step[2] for step in before if step[2] in pending and step not in after]
    old_steps = set(_steps(before))
    dates = {step[2]: step[0] for step in after}
    for prior_id, prior_status, record_id, status in _steps(after):
        if (prior_id, prior_status, record_id, status) in old_steps:
            continue
        if status not in known or (prior_status is not None and prior_status not in known):
            continue  # a status outside the vocabulary is reported on its own decision
        allowed = policy.allowed_statuses(vocabulary, prior_status)
        if status in allowed:
            continue
        options = ", ".join(allowed) or "none (the status is final)"
        if record_id in pending:
            after_what = f" (after decision {prior_id} of {dates[prior_id]})" if prior_id else ""
            verdicts.setdefault(
                record_id,
                InputError(
                    f"cannot go from {prior_status} to {status}{after_what}; allowed: {options}",
                    field="status",
                ),
            )
        elif prior_id in pending:
            verdicts.setdefault(
                prior_id,
                InputError(
                    f"decision {record_id} of {dates[record_id]} ({status}) cannot follow {prior_status}: "
                    f"a decision dated before it may not bypass the transitions (from {prior_status} "
                    f"allowed: {options})",
                    field="date",
                ),
            )
        else:
            for gone in left:
                verdicts.setdefault(
                    gone,
                    InputError(
                        f"without it, decision {record_id} of {dates[record_id]} ({status}) would follow "
                        f"{prior_id} ({prior_status}) on {subject}, which the transitions do not allow "
                        f"(from {prior_status} allowed: {options})",
                        field="subject",
                    ),
                )
    return verdicts


def _steps(chain: list[Step]) -> list[tuple[str | None, str | None, str, str]]:
    """The chain's steps: (from id, from status, to id, to status), the first from nothing."""
    steps: list[tuple[str | None, str | None, str, str]] = []
    prior_id: str | None = None
    prior_status: str | None = None
    for _date, _order, record_id, status in chain:
        steps.append((prior_id, prior_status, record_id, status))
        prior_id, prior_status = record_id, status
    return steps


def current_status(
    register: Register,
    subject_id: str,
    *,
    excluding: str | None = None,
    before: dt.date | None = None,
) -> str | None:
    """The status the latest standing decision on a subject set (optionally on or before a date)."""
    sql = "SELECT status FROM decisions WHERE subject = ? AND withdrawn IS NULL AND id != ?"
    params: list = [subject_id, excluding or ""]
    if before is not None:
        sql += " AND date <= ?"
        params.append(before.isoformat())
    sql += " ORDER BY date DESC, rowid DESC LIMIT 1"
    row = register.conn.execute(sql, params).fetchone()
    return row[0] if row else None


def _check_letter(state: State, letter: DirectorsLetter, before: Record | None) -> None:
    if letter.relates_to:
        assessment = state.get("assessment", letter.relates_to)
        if isinstance(assessment, Assessment) and assessment.party != letter.party:
            raise InputError(
                f"assessment {letter.relates_to} is of Party {assessment.party}, not {letter.party}",
                field="relates_to",
            )
    if before is not None:
        _check_decided_after(state, letter)


def _check_assessment(state: State, assessment: Assessment, before: Record | None) -> None:
    if before is None:
        return
    assert isinstance(before, Assessment)
    _check_decided_after(state, assessment)
    if assessment.party != before.party:
        letter = state.register.conn.execute(
            "SELECT id, party FROM letters WHERE relates_to = ? AND party != ? AND withdrawn IS NULL LIMIT 1",
            (assessment.id, assessment.party),
        ).fetchone()
        if letter is not None:
            raise InputError(
                f"letter {letter[0]} of Party {letter[1]} relates to it; a letter relates to "
                "an assessment of its own Party",
                field="party",
            )
    policy = state.policy
    vocabulary = policy.vocabulary_for_kind(assessment.kind)
    if vocabulary != policy.vocabulary_for_kind(before.kind):
        _before, chain = state.chains(assessment.id)
        if chain:
            raise InputError(
                f"decision {chain[0][2]} on it set a status of the {before.kind}'s "
                f"vocabulary ({chain[0][3]}), which a {assessment.kind} does not have; "
                "withdraw its decisions first",
                field="kind",
            )


def _check_decided_after(state: State, subject: Record) -> None:
    """An edit may not move a subject's report (or receipt) after a decision taken on it."""
    opened = opened_on(subject)
    if opened is None:
        return
    _before, chain = state.chains(subject.id)
    if chain and chain[0][0] < opened[0].isoformat():
        raise InputError(
            f"decision {chain[0][2]} on it is dated {chain[0][0]}, before {opened[0].isoformat()}",
            field=opened[1],
        )


def check_finding_transition(policy, before: Record, after: Finding) -> None:
    assert isinstance(before, Finding)
    if before.status == after.status:
        return
    allowed = policy.findings.transitions.get(before.status, [])
    if after.status not in allowed:
        raise InputError(
            f"a finding cannot go from {before.status} to {after.status}; allowed: {', '.join(allowed) or 'none'}",
            field="status",
        )


def check_transition(policy, before: Record, after: Record) -> None:
    """A record whose type has a workflow in policy ([types.<name>.workflow]) changes status
    only along its transitions."""
    field = after.descriptor.status_field
    workflow = policy.types[after.type_name].workflow
    if field is None or workflow is None:
        return
    old, new = getattr(before, field), getattr(after, field)
    if old == new:
        return
    allowed = workflow.transitions.get(old, [])
    if new not in allowed:
        raise InputError(
            f"{_a(after.descriptor.label)} cannot go from {old} to {new}; "
            f"allowed: {', '.join(allowed) or 'none'}",
            field=field,
        )
