"""The lists the screens show, as read-only SQL: columns, what the filter searches, and paging.

SQLite filters (``LIKE``), sorts and pages (``LIMIT``/``OFFSET``), so a table holds what it shows
(a screenful, more as it scrolls, one page at most), whatever the size of the register. Writes never come through here: they
go through ``assurance.store.Register``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, replace

from assurance.descriptors import DESCRIPTORS, RecordType
from core import audit
from tui import present
from tui.state import ListState

#: Rows in one page (``]`` moves to the next); a table loads them a screenful at a time.
PAGE_SIZE = 100
#: Matches counted exactly up to this many; beyond, the count says "more than".
COUNT_CAP = 1_000


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sql: str
    #: How the table shows the value: text, classification, roles, status.
    kind: str = "text"
    sortable: bool = True
    #: Which columns give way first in a narrow terminal: 0 never (id, class, status, due), 3 first.
    priority: int = 2
    #: Cells the column takes (its text is cut to fit, with "…"); a flexible one takes what is left.
    width: int = 10
    flex: bool = False


@dataclass(frozen=True)
class View:
    """One list: a record type's table, its columns, what the filter searches, its scopes."""

    name: str
    title: str
    record_type: str | None
    source: str
    columns: tuple[Column, ...]
    searched: tuple[str, ...]
    default_sort: str
    #: scope name -> SQL condition with one ``?`` (e.g. ``party`` -> ``t.party = ?``).
    scopes: dict[str, str] = field(default_factory=dict)
    live_only: bool = True

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Count:
    """How many rows match a list's filter: exact up to ``COUNT_CAP``, "more than" beyond."""

    total: int
    capped: bool = False

    def summary(self, offset: int, shown: int) -> str:
        """``1–20 of 126``: the rows loaded, of how many match, and how to see more."""
        if not self.total:
            return "no records match"
        last = offset + shown
        total = f"more than {COUNT_CAP:,}" if self.capped else f"{self.total:,}"
        text = f"{offset + 1:,}–{last:,} of {total}"
        if last < min(offset + PAGE_SIZE, self.total):
            text += "  ↓ scrolls for more"
        elif self.capped or last < self.total:
            text += "  ] next page · refine the filter to narrow"
        return text


#: Matches a Party by name without joining every row.
_PARTY_NAMED = "t.party IN (SELECT id FROM parties WHERE name LIKE ? ESCAPE '\\')"


#: A finding or decision matched by its Party's name (through its assessment or letter).
_FINDING_OF_PARTY_NAMED = (
    "t.assessment IN (SELECT id FROM assessments WHERE party IN"
    " (SELECT id FROM parties WHERE name LIKE ? ESCAPE '\\'))"
)
_DECISION_OF_PARTY_NAMED = (
    "t.subject IN (SELECT id FROM assessments WHERE party IN"
    " (SELECT id FROM parties WHERE name LIKE ? ESCAPE '\\')"
    " UNION SELECT id FROM letters WHERE party IN"
    " (SELECT id FROM parties WHERE name LIKE ? ESCAPE '\\'))"
)


def _cls(alias: str = "t") -> Column:
    return Column(
        "classification", "Class", f"{alias}.classification", "classification", priority=0, width=7
    )


VIEWS: dict[str, View] = {
    "parties": View(
        "parties",
        "Parties",
        "party",
        "parties AS t",
        (
            Column("id", "Id", "t.id", priority=0, width=6),
            Column("name", "Name", "t.name", priority=0, width=24, flex=True),
            Column("roles", "Roles", "t.roles", "roles", priority=2, width=22),
            Column("sec_party_id", "SEC id", "t.sec_party_id", priority=3, width=10),
            Column("domestic_sms", "Domestic SMS", "t.domestic_sms", priority=3, width=12),
            _cls(),
        ),
        ("t.id", "t.name", "t.roles", "t.sec_party_id", "t.contact"),
        "t.rowid DESC",
        {"id": "t.id = ?"},
    ),
    "assessments": View(
        "assessments",
        "Assessments",
        "assessment",
        "assessments AS t LEFT JOIN parties AS p ON p.id = t.party",
        (
            Column("id", "Id", "t.id", priority=0, width=7),
            Column("party", "Party", "p.name", priority=1, width=16, flex=True),
            Column("kind", "Kind", "t.kind", priority=1, width=9),
            Column("cycle_year", "Year", "t.cycle_year", priority=3, width=4),
            Column("fieldwork_end", "Fieldwork end", "t.fieldwork_end", priority=2, width=10),
            Column("report_received", "Report", "t.report_received", priority=2, width=10),
            Column(
                "response_due",
                "Response due",
                "t.id",
                "response_due",
                sortable=False,
                priority=0,
                width=12,
            ),
            Column("status", "Status", "t.id", "status", sortable=False, priority=0, width=22),
            _cls(),
        ),
        ("t.id", "t.party", _PARTY_NAMED, "t.kind", "t.cio"),
        "t.rowid DESC",
        {"party": "t.party = ?", "id": "t.id = ?"},
    ),
    "letters": View(
        "letters",
        "Director's Letters",
        "letter",
        "letters AS t LEFT JOIN parties AS p ON p.id = t.party",
        (
            Column("id", "Id", "t.id", priority=0, width=6),
            Column("party", "Party", "p.name", priority=1, width=16, flex=True),
            Column("received", "Received", "t.received", priority=1, width=10),
            Column("relates_to", "Relates to", "t.relates_to", priority=3, width=10),
            Column("status", "Status", "t.id", "status", sortable=False, priority=0, width=10),
            Column("summary", "Summary", "t.summary", priority=3, width=16, flex=True),
            _cls(),
        ),
        ("t.id", "t.party", _PARTY_NAMED, "t.summary", "t.relates_to"),
        "t.rowid DESC",
        {"party": "t.party = ?"},
    ),
    "findings": View(
        "findings",
        "Findings",
        "finding",
        "findings AS t LEFT JOIN assessments AS a ON a.id = t.assessment"
        " LEFT JOIN parties AS p ON p.id = a.party",
        (
            Column("id", "Id", "t.id", priority=0, width=7),
            Column("assessment", "Assessment", "t.assessment", priority=3, width=10),
            Column("party", "Party", "p.name", priority=2, width=16, flex=True),
            Column("sec_ref", "SEC", "t.sec_ref", priority=2, width=7),
            Column("title", "Title", "t.title", priority=1, width=16, flex=True),
            Column("severity", "Severity", "t.severity", priority=3, width=8),
            Column("due", "Due", "t.due", priority=0, width=10),
            Column("status", "Status", "t.status", "finding_status", priority=0, width=14),
            _cls(),
        ),
        (
            "t.id",
            "t.assessment",
            "a.party",
            _FINDING_OF_PARTY_NAMED,
            "t.sec_ref",
            "t.title",
            "t.status",
            "t.severity",
            "t.owner",
        ),
        "t.rowid DESC",
        {"party": "a.party = ?", "assessment": "t.assessment = ?"},
    ),
    "decisions": View(
        "decisions",
        "Decisions",
        "decision",
        "decisions AS t LEFT JOIN assessments AS a ON a.id = t.subject"
        " LEFT JOIN letters AS l ON l.id = t.subject"
        " LEFT JOIN parties AS p ON p.id = coalesce(a.party, l.party)",
        (
            Column("id", "Id", "t.id", priority=0, width=6),
            Column("date", "Date", "t.date", priority=0, width=10),
            Column("subject", "Subject", "t.subject", priority=1, width=8),
            Column("party", "Party", "p.name", priority=2, width=16, flex=True),
            Column("status", "Status", "t.status", "decision_status", priority=0, width=22),
            Column("conditions", "Conditions", "t.conditions", priority=3, width=16, flex=True),
            _cls(),
        ),
        ("t.id", "t.subject", _DECISION_OF_PARTY_NAMED, "t.status", "t.conditions", "t.notes"),
        "t.rowid DESC",
        {"subject": "t.subject = ?"},
    ),
    "audit": View(
        "audit",
        "Audit trail",
        None,
        "audit_events AS t",
        (
            Column("id", "Seq", "t.seq", priority=0, width=5),
            Column("at", "At (UTC)", "substr(t.at, 1, 19)", priority=1, width=19),
            Column("actor", "Actor", "t.actor", priority=2, width=14),
            Column("action", "Action", "t.action", priority=0, width=8),
            Column("entity", "Record", "t.entity", priority=1, width=10),
            Column("entity_id", "Id", "t.entity_id", priority=0, width=8),
            Column("reason", "Reason", "t.reason", priority=3, width=16, flex=True),
            Column(
                "classification",
                "Class",
                "json_extract(coalesce(t.after, t.before), '$.classification')",
                "classification",
                priority=0,
                width=7,
            ),
        ),
        ("t.actor", "t.entity", "t.entity_id", "t.action", "t.reason"),
        "t.seq DESC",
        {"entity_id": "t.entity_id = ?"},
        live_only=False,
    ),
}


def _classification_second(view: View) -> View:
    """Class right after the id, so it shows on every row even in 80 columns."""
    rest = [c for c in view.columns if c.key != "classification"]
    badge = [c for c in view.columns if c.key == "classification"]
    return replace(view, columns=(rest[0], *badge, *rest[1:]))


def described_view(descriptor: RecordType) -> View:
    """The list of a record type with no hand-made view, from its descriptor: the id, its
    ``tui_columns`` (the Party by name, dates, statuses in words, a title taking the room
    left) and the classification; the filter searches the text columns and the Party's name."""
    from assurance.models import RECORD_TYPES

    fields = RECORD_TYPES[descriptor.name].model_fields
    columns = [Column("id", "Id", "t.id", priority=0, width=7)]
    searched = ["t.id"]
    source = f"{descriptor.table} AS t"
    scopes = {"id": "t.id = ?"}
    party = descriptor.party_field
    for name in descriptor.tui_columns:
        annotation = str(fields[name].annotation)
        if name == party:
            source += f" LEFT JOIN parties AS p ON p.id = t.{name}"
            columns.append(Column(name, "Party", "p.name", priority=2, width=16, flex=True))
            searched += [f"t.{name}", _PARTY_NAMED.replace("t.party", f"t.{name}")]
            scopes["party"] = f"t.{name} = ?"
        elif name in (descriptor.status_field, descriptor.due_field):
            kind = "words" if name == descriptor.status_field else "text"
            columns.append(
                Column(
                    name,
                    present.field_label(name),
                    f"t.{name}",
                    kind,
                    priority=0 if kind == "words" else 1,
                    width=19 if kind == "words" else 11,
                )
            )
            searched.append(f"t.{name}")
        elif "date" in annotation:
            columns.append(
                Column(name, present.field_label(name), f"t.{name}", priority=2, width=10)
            )
        elif name in descriptor.choice_fields:
            columns.append(
                Column(name, present.field_label(name), f"t.{name}", "words", priority=3, width=12)
            )
            searched.append(f"t.{name}")
        else:
            columns.append(
                Column(
                    name, present.field_label(name), f"t.{name}", priority=1, width=16, flex=True
                )
            )
            searched.append(f"t.{name}")
    columns.append(_cls())
    return View(
        descriptor.table,
        descriptor.plural,
        descriptor.name,
        source,
        tuple(columns),
        tuple(searched),
        "t.rowid DESC",
        scopes,
    )


# Every other record type's list, from its descriptor (a new type needs no view of its own).
for _descriptor in DESCRIPTORS.values():
    if not any(view.record_type == _descriptor.name for view in VIEWS.values()):
        VIEWS[_descriptor.table] = described_view(_descriptor)

VIEWS = {name: _classification_second(view) for name, view in VIEWS.items()}


def fit(columns: tuple[Column, ...], room: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``room`` cells, in their order, with the width each gets.

    Columns give way by priority (the highest number first), so Status and Due stay in 80
    columns; flexible ones (names, titles) share whatever room is left, so a Party's name is
    shown whole when there is space for it.
    """
    chosen: set[str] = set()
    used = 0
    for column in sorted(columns, key=lambda c: c.priority):
        need = column.width + 2  # the cell padding either side
        if used + need <= room or column.priority == 0:
            chosen.add(column.key)
            used += need
    shown = [c for c in columns if c.key in chosen]
    flexible = [c for c in shown if c.flex]
    spare = max(room - used, 0)
    widths = []
    for column in shown:
        width = column.width
        if column.flex and flexible:
            width += spare // len(flexible)
        widths.append((column, width))
    return widths


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(expr: str) -> str:
    # An entry with its own ``?`` is a whole condition (a subquery run once, not a join per row).
    return expr if "?" in expr else f"{expr} LIKE ? ESCAPE '\\'"


def _where(view: View, state: ListState) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if view.live_only:
        clauses.append("t.withdrawn IS NULL")
    if state.scope_field:
        clauses.append(view.scopes[state.scope_field])
        params.append(state.scope_value)
    for word in state.text.split():
        pattern = "%" + _escape_like(word) + "%"
        clauses.append("(" + " OR ".join(_like(expr) for expr in view.searched) + ")")
        params.extend([pattern] * sum(expr.count("?") or 1 for expr in view.searched))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def order_by(view: View, state: ListState) -> str:
    if state.sort is None:
        return view.default_sort
    column = view.column(state.sort)
    return f"{column.sql} {'DESC' if state.descending else 'ASC'}, t.rowid"


def fetch(
    conn: sqlite3.Connection, view: View, state: ListState, limit: int, skip: int = 0
) -> list[tuple]:
    """Up to ``limit`` of the view's rows (first value the record id), ``skip`` rows past the page's start.

    SQLite stops at the limit, so a screenful costs the same whatever the size of the register.
    """
    where, params = _where(view, state)
    select = ", ".join(c.sql for c in view.columns)
    rows = conn.execute(
        f"SELECT {select} FROM {view.source}{where} ORDER BY {order_by(view, state)}"
        f" LIMIT {int(limit)} OFFSET {int(state.offset + skip)}",
        params,
    ).fetchall()
    return [tuple(r) for r in rows]


def count(conn: sqlite3.Connection, view: View, state: ListState) -> Count:
    """How many rows match, counting no further than ``COUNT_CAP`` (one more, to know it is capped)."""
    where, params = _where(view, state)
    (total,) = conn.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {view.source}{where} LIMIT {COUNT_CAP + 1})", params
    ).fetchone()
    return Count(min(total, COUNT_CAP), total > COUNT_CAP)


def event_at(conn: sqlite3.Connection, seq: int) -> audit.AuditEvent | None:
    """One audit event by its sequence number (the audit log's detail pane)."""
    row = conn.execute(
        "SELECT seq, at, actor, entity, entity_id, action, before, after, reason, prev_hash, hash"
        " FROM audit_events WHERE seq = ?",
        (seq,),
    ).fetchone()
    if row is None:
        return None
    return audit.AuditEvent(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        json.loads(row[6]) if row[6] else None,
        json.loads(row[7]) if row[7] else None,
        row[8],
        row[9],
        row[10],
    )
