"""What the detail pane says about one record: its fields, classification and related records."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from assurance import workflow
from assurance.models import Assessment, Decision, Finding, Record
from assurance.store import Register
from core import audit
from tui import present

_SKIP = {"id", "classification", "withdrawn", "withdrawn_reason"}


def _fields(record: Record, policy) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    data = record.model_dump(exclude_none=True)
    rules = policy.types.get(record.type_name)  # a type's own vocabularies and workflow, by name
    names = dict(rules.choices) if rules is not None else {}
    if rules is not None and rules.workflow is not None and record.descriptor.status_field:
        names[record.descriptor.status_field] = rules.workflow.statuses
    for name, value in data.items():
        if name in _SKIP:
            continue
        if name in names:
            value = names[name].get(value, value)
        elif name == "roles":
            value = present.role_names(value, policy)
        elif name == "status" and record.type_name == "decision":
            value = present.status_name(policy, value)
        elif name in ("status", "severity"):
            value = present.words(value)
        elif name == "kind" and value in policy.kinds:
            value = f"{policy.kinds[value].abbreviation} — {policy.kinds[value].name}"
        grid.add_row(present.field_label(name), present.cell(value))
    if record.withdrawn:
        grid.add_row("withdrawn", f"{record.withdrawn:%Y-%m-%d} — {record.withdrawn_reason}")
    return grid


def _related(register: Register, record: Record) -> list[str]:
    conn, policy = register.conn, register.policy
    lines: list[str] = []
    if record.type_name == "party":
        (assessments,) = conn.execute(
            "SELECT COUNT(*) FROM assessments WHERE party = ? AND withdrawn IS NULL", (record.id,)
        ).fetchone()
        (findings,) = conn.execute(
            "SELECT COUNT(*) FROM findings f JOIN assessments a ON a.id = f.assessment"
            " WHERE a.party = ? AND f.withdrawn IS NULL AND f.status NOT IN"
            f" ({', '.join('?' for _ in policy.findings.closed_statuses)})",
            (record.id, *policy.findings.closed_statuses),
        ).fetchone()
        (letters,) = conn.execute(
            "SELECT COUNT(*) FROM letters WHERE party = ? AND withdrawn IS NULL", (record.id,)
        ).fetchone()
        lines += [
            f"{present.plural(assessments, 'assessment')} · {present.plural(findings, 'open finding')}"
            f" · {present.plural(letters, 'letter')}",
            "A, F, L list them; v shows everything about the Party",
        ]
    elif record.type_name in ("assessment", "letter"):
        vocabulary, _subject = workflow.subject_vocabulary(register, record.id)
        current = workflow.current_status(register, record.id)
        allowed = policy.allowed_statuses(vocabulary, current)
        lines.append(
            f"status: {present.status_name(policy, current, vocabulary)}"
            + (
                f" → may become {', '.join(present.status_name(policy, s, vocabulary) for s in allowed)}"
                " — s decides"
                if allowed
                else " — final"
            )
        )
        for decision in register.records(
            Decision, where="subject = ?", params=(record.id,), order_by="date DESC"
        ):
            conditions = f" — {decision.conditions}" if decision.conditions else ""
            lines.append(
                f"  {decision.date} {present.status_name(policy, decision.status, vocabulary)}{conditions}"
            )
        if isinstance(record, Assessment):
            (findings,) = conn.execute(
                "SELECT COUNT(*) FROM findings WHERE assessment = ? AND withdrawn IS NULL",
                (record.id,),
            ).fetchone()
            lines.append(
                f"{present.plural(findings, 'finding')} (F lists them) · Party {record.party}"
                " (P goes to it, v shows everything about it)"
            )
    elif isinstance(record, Finding):
        allowed = policy.findings.transitions.get(record.status, [])
        lines.append(
            f"may become: {', '.join(present.words(s) for s in allowed) or 'nothing — final'}"
            " — x closes it, s sets another status"
        )
    last = next(
        audit.events(
            conn, entity=record.type_name, entity_id=record.id, newest_first=True, limit=1
        ),
        None,
    )
    if last:
        reason = f" — {last.reason}" if last.reason else ""
        lines.append(f"last change: {last.action} by {last.actor} at {last.at[:16]}{reason}")
    return lines


def describe(register: Register, record: Record) -> Group:
    """The detail pane's content for ``record``."""
    title = Text.assemble(
        present.badge(record.classification), " ", (f"{record.type_name} {record.id}", "bold")
    )
    parts: list = [title, _fields(record, register.policy)]
    related = _related(register, record)
    if related:
        parts.append(Text("\n".join(related), style="italic"))
    return Group(*parts)


def describe_event(event: audit.AuditEvent) -> Group:
    """The detail pane's content for one audit event."""
    state = event.after or event.before or {}
    title = Text.assemble(
        present.badge(state.get("classification")),
        " ",
        (f"event {event.seq}: {event.action} {event.entity} {event.entity_id}", "bold"),
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("at", event.at)
    grid.add_row("actor", event.actor)
    grid.add_row("reason", event.reason or "—")
    grid.add_row("hash", event.hash[:16] + "…")
    before, after = event.before or {}, event.after or {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            grid.add_row(key, f"{before.get(key, '—')} → {after.get(key, '—')}")
    return Group(title, grid)
