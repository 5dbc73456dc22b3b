"""What a reference picker offers: records of a type matching the words typed, by id or Party name.

Read-only SQL for display, like ``tui.views``: each word must match the id, the Party's name or
another field that names the record; live records only, the first ``limit`` in a useful order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from assurance.policy import RegisterPolicy

#: Choices shown at once; typing more narrows them.
LIMIT = 50


@dataclass(frozen=True)
class Choice:
    id: str
    #: One line: id, Party name and what tells it apart (kind and date, roles…).
    label: str


@dataclass(frozen=True)
class _Source:
    sql: str
    searched: tuple[str, ...]
    order: str
    party_column: str


_SOURCES: dict[str, _Source] = {
    "party": _Source(
        "SELECT t.id, t.name, t.roles, NULL FROM parties AS t WHERE t.withdrawn IS NULL",
        ("t.id", "t.name", "t.sec_party_id"),
        "t.name, t.id",
        "t.id",
    ),
    "assessment": _Source(
        "SELECT t.id, p.name, t.kind, coalesce(t.fieldwork_end, t.fieldwork_start) FROM assessments AS t"
        " LEFT JOIN parties AS p ON p.id = t.party WHERE t.withdrawn IS NULL",
        ("t.id", "p.name", "t.party", "t.kind"),
        "t.fieldwork_end DESC, t.id",
        "t.party",
    ),
    "letter": _Source(
        "SELECT t.id, p.name, 'letter', t.received FROM letters AS t"
        " LEFT JOIN parties AS p ON p.id = t.party WHERE t.withdrawn IS NULL",
        ("t.id", "p.name", "t.party", "t.summary"),
        "t.received DESC, t.id",
        "t.party",
    ),
}


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    conn: sqlite3.Connection,
    kind: str,
    text: str,
    policy: RegisterPolicy,
    *,
    party: str | None = None,
    limit: int = LIMIT,
) -> list[Choice]:
    """Records of ``kind`` matching every word of ``text`` (optionally of one Party)."""
    source = _SOURCES[kind]
    sql, params = source.sql, []
    if party:
        sql += f" AND {source.party_column} = ?"
        params.append(party)
    for word in text.split():
        sql += (
            " AND (" + " OR ".join(f"{expr} LIKE ? ESCAPE '\\'" for expr in source.searched) + ")"
        )
        params += ["%" + _escape(word) + "%"] * len(source.searched)
    sql += f" ORDER BY {source.order} LIMIT {int(limit)}"
    return [
        Choice(rid, _label(kind, rid, name, what, when, policy))
        for rid, name, what, when in conn.execute(sql, params)
    ]


def _label(
    kind: str,
    rid: str,
    name: str | None,
    what: str | None,
    when: str | None,
    policy: RegisterPolicy,
) -> str:
    if kind == "party":
        from tui.present import role_names

        return f"{rid}  {name} · {role_names(what, policy)}"
    if kind == "assessment":
        known = policy.kinds.get(what or "")
        what = known.abbreviation if known else what
    return f"{rid}  {name or '?'} · {what} {when or ''}".rstrip()


def describe(
    conn: sqlite3.Connection, kind: str, record_id: str, policy: RegisterPolicy
) -> str | None:
    """The picker's line for one id (shown under a reference field), or None if there is none."""
    source = _SOURCES[kind]
    row = conn.execute(f"{source.sql} AND t.id = ?", (record_id,)).fetchone()
    if row is None:
        return None
    rid, name, what, when = row
    return _label(kind, rid, name, what, when, policy)
