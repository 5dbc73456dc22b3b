"""What is due or overdue as of a date: assessments per cycle, follow-ups, responses, remediation actions, letters.

The rules come from the policy (the cycle schedule per role and SMS thresholds, months between
assessments, deadline days); this module reads the register in a handful of whole-table
queries and works per Party in memory, so it stays fast over tens of thousands of Parties.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from assurance.descriptors import DESCRIPTORS

if TYPE_CHECKING:
    from assurance.policy import RegisterPolicy
    from assurance.store import Register

#: The categories of :class:`DueItem`, in the order reports list them: the register's own, then
#: those of record types whose descriptor names a date to chase (a Security Incident's review).
CATEGORIES = tuple(dict.fromkeys((
    "assessment", "follow_up", "response", "action", "letter", "basis",
    *(d.due_category for d in DESCRIPTORS.values() if d.due_category))))


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing due: what, for which Party, about which record, by when."""

    category: str
    party: str
    party_name: str
    subject: str | None
    due: dt.date
    days_overdue: int
    description: str
    classification: str
    #: The assessment kind due (category assessment/follow_up), else None.
    kind: str | None = None

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "party": self.party, "party_name": self.party_name,
                "subject": self.subject, "due": self.due.isoformat(),
                "days_overdue": self.days_overdue, "overdue": self.overdue,
                "description": self.description, "classification": self.classification,
                "kind": self.kind}


def json_text(as_of: dt.date, items: list[DueItem]) -> str:
    """``{"as_of", "overdue", "items": [to_json() …]}`` as ``json.dumps(…, ensure_ascii=False)``
    writes it, one line, from a template per item rather than a dict per item."""
    quote = json.encoder.encode_basestring  # json's own string escaping (C), non-ASCII kept
    lines = []
    overdue = 0
    for item in items:
        late = item.days_overdue > 0
        overdue += late
        lines.append(
            f'{{"category": {quote(item.category)}, "party": {quote(item.party)}, '
            f'"party_name": {quote(item.party_name)}, '
            f'"subject": {"null" if item.subject is None else quote(item.subject)}, '
            f'"due": "{item.due.isoformat()}", "days_overdue": {item.days_overdue}, '
            f'"overdue": {"true" if late else "false"}, "description": {quote(item.description)}, '
            f'"classification": {quote(item.classification)}, '
            f'"kind": {"null" if item.kind is None else quote(item.kind)}}}')
    return (f'{{"as_of": "{as_of.isoformat()}", "overdue": {overdue}, "items": ['
            + ", ".join(lines) + "]}")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date(text: str) -> dt.date:
    """A date column read back (the queries select only rows where it is set)."""
    return dt.date.fromisoformat(text)


#: One item before it becomes a DueItem: the sort key first, then category, subject,
#: description, the record's classification and the kind.
_Found = tuple[dt.date, int, str, str, str, str | None, str, str, str | None]


def compute_due(register: Register, as_of: dt.date, *, party: str | None = None,
                categories: Collection[str] | None = None, overdue_only: bool = False,
                within_days: int | None = None) -> list[DueItem]:
    """Everything due or overdue as of ``as_of``, soonest due first.

    ``days_overdue`` is negative while there are days left. ``party`` and ``categories``
    narrow the answer; so do ``overdue_only`` and ``within_days`` (overdue, or due within
    that many days).
    """
    policy = register.policy
    conn = register.conn
    wanted = set(categories or CATEGORIES)
    unknown = wanted - set(CATEGORIES)
    if unknown:
        from core.errors import InputError

        raise InputError(f"unknown category {sorted(unknown)[0]!r}; expected one of {', '.join(CATEGORIES)}",
                         field="category")
    rank = {category: n for n, category in enumerate(CATEGORIES)}
    party_params: tuple[str, ...] = () if party is None else (party,)

    # Parties: a Party's roles are one of a few JSON texts, each parsed once.
    parties: dict[str, tuple[str, list[str], int | None, int | None, str]] = {}
    roles_of: dict[str, list[str]] = {}
    sql = ("SELECT id, name, roles, domestic_sms, non_domestic_sms, classification FROM parties"
           " WHERE withdrawn IS NULL" + (" AND id = ?" if party is not None else ""))
    for pid, name, roles_text, domestic, non_domestic, classification in conn.execute(sql, party_params):
        roles = roles_of.get(roles_text)
        if roles is None:
            roles = roles_of[roles_text] = json.loads(roles_text)
        parties[pid] = (name, roles, domestic, non_domestic, classification)

    # Items as plain tuples, sort key first: DueItems are made once, in their final order.
    found: list[_Found] = []
    add = found.append

    if wanted & {"assessment", "follow_up", "response"}:
        _assessment_items(conn, policy, parties, party, as_of, wanted, add)

    if "action" in wanted:
        done = policy.findings.done_statuses
        sql = ("SELECT f.id, a.party, f.sec_ref, f.title, f.due, f.status, f.classification"
               " FROM findings f JOIN assessments a ON a.id = f.assessment"
               " WHERE f.withdrawn IS NULL AND a.withdrawn IS NULL AND f.due IS NOT NULL"
               f" AND f.status NOT IN ({', '.join('?' for _ in done)})"
               + (" AND a.party = ?" if party is not None else ""))
        category = rank["action"]
        in_words: dict[str, str] = {}
        for fid, pid, sec_ref, title, due, status, classification in conn.execute(sql, (*done, *party_params)):
            if pid in parties:
                said = in_words.get(status) or in_words.setdefault(status, status.replace("_", " "))
                add((_date(due), category, pid, fid, "action", fid, f"{sec_ref} {title} ({said})",
                     classification, None))

    if "letter" in wanted:
        wait = dt.timedelta(days=policy.deadlines.letter_decision_days)
        sql = ("SELECT l.id, l.party, l.received, l.relates_to, l.classification FROM letters l"
               " WHERE l.withdrawn IS NULL AND NOT EXISTS (SELECT 1 FROM decisions d"
               " WHERE d.subject = l.id AND d.withdrawn IS NULL)"
               + (" AND l.party = ?" if party is not None else ""))
        category = rank["letter"]
        for lid, pid, received, relates_to, classification in conn.execute(sql, party_params):
            if pid in parties:
                about = f" on {relates_to}" if relates_to else ""
                add((_date(received) + wait, category, pid, lid, "letter", lid,
                     f"Director's Letter{about} awaits a decision", classification, None))

    if "basis" in wanted:
        from assurance.evidence import changed_bases  # decisions whose basis changed since

        category = rank["basis"]
        for change in changed_bases(register, party):
            if change.party in parties:
                decision = change.decision
                assert decision.classification is not None  # filled from the policy on validation
                add((as_of, category, change.party, decision.id, "basis", decision.id,
                     change.description,
                     decision.classification, None))

    _described_items(conn, policy, parties, party, wanted, rank, add)

    # Stable, on the same key as ever: (due, category, party, subject).
    found.sort(key=itemgetter(0, 1, 2, 3))
    order = policy.classification.order
    level = {name: n for n, name in enumerate(order)}
    items: list[DueItem] = []
    append = items.append
    latest = as_of + dt.timedelta(days=within_days) if within_days is not None else None
    for due, _rank, pid, _subject, what, subject, description, classification, kind in found:
        if (overdue_only and due >= as_of) or (latest is not None and due > latest):
            continue
        name, _roles, _domestic, _non_domestic, party_class = parties.get(pid) or (
            "", [], None, None, order[0])  # no Party: the record's classification decides
        # The more restricted of the Party's and the record's classification.
        if level[classification] > level[party_class]:
            party_class = classification
        append(DueItem(what, pid, name, subject, due, (as_of - due).days, description,
                       party_class, kind))
    return items


def _described_items(conn: sqlite3.Connection, policy: RegisterPolicy, parties: dict, party: str | None,
                     wanted: set[str], rank: dict[str, int], add: Callable[[_Found], None]) -> None:
    """The dates record types chase by their descriptor (``due_field``, ``due_category``): a
    standing record whose status is not done in its policy workflow, of a standing Party or
    of none. Types that reach their Party otherwise (findings, through the assessment) keep
    their own query above."""
    for d in DESCRIPTORS.values():
        rules = policy.types.get(d.name)
        if (d.due_field is None or d.due_category not in wanted or d.party_field is None
                or rules is None or rules.workflow is None or d.status_field is None):
            continue
        done = rules.workflow.done_statuses
        title = "title" if "title" in d.list_columns else "id"
        sql = (f"SELECT id, {d.party_field}, {title}, {d.due_field}, {d.status_field}, classification"
               f" FROM {d.table} WHERE withdrawn IS NULL AND {d.due_field} IS NOT NULL"
               f" AND {d.status_field} NOT IN ({', '.join('?' for _ in done)})"
               + (f" AND {d.party_field} = ?" if party is not None else ""))
        category = rank[d.due_category]
        for rid, pid, what, due, status, classification in conn.execute(
                sql, (*done, *(() if party is None else (party,)))):
            if pid is not None and pid not in parties:
                continue  # its Party is withdrawn
            said = rules.workflow.statuses[status].lower() if status in rules.workflow.statuses else status
            add((_date(due), category, pid or "", rid, d.due_category, rid,
                 f"{d.label} {what} ({said}): review due", classification, None))


def _assessment_items(conn: sqlite3.Connection, policy: RegisterPolicy,
                      parties: dict[str, tuple[str, list[str], int | None, int | None, str]],
                      party: str | None, as_of: dt.date, wanted: set[str], add) -> None:
    """Responses owed, follow-ups owed, and the next assessment of each Party's cycle.

    One pass over the assessments keeps per Party only what the rules look at: the last
    completed assessment (latest fieldwork end, then id), those under way, completed
    follow-ups, and assessments whose standing decision calls for a follow-up.
    """
    rank = {category: n for n, category in enumerate(CATEGORIES)}
    responses = "response" in wanted
    cycle = bool(wanted & {"assessment", "follow_up"})
    response_days = dt.timedelta(days=policy.deadlines.response_days_after_report)
    response_words: dict[str, str] = {}
    flagged = _follow_up_decisions(conn, policy) if cycle else {}
    last: dict[str, tuple[str, str, int | None, str]] = {}  # pid -> (end, id, cycle_year, class)
    under_way: dict[str, list[str]] = {}
    follow_ups_done: dict[str, list[tuple[str, str]]] = {}  # pid -> [(end, id)] of FOLLOW_UPs
    owing: list[tuple[str, str, str, str]] = []  # (pid, id, kind, class) decided into a follow-up
    sql = ("SELECT id, party, kind, cycle_year, fieldwork_end, report_received, response_due,"
           " response_received, classification FROM assessments WHERE withdrawn IS NULL"
           + (" AND party = ?" if party is not None else ""))
    for (aid, pid, kind, cycle_year, end, report, response_due, response_received,
         classification) in conn.execute(sql, () if party is None else (party,)):
        if pid not in parties:
            continue
        if responses and response_received is None and (response_due or report):
            words = response_words.get(kind)
            if words is None:
                words = response_words[kind] = f"response to the {_abbreviation(policy, kind)} report"
            due = _date(response_due) if response_due else _date(report) + response_days
            add((due, rank["response"], pid, aid, "response", aid, words, classification, None))
        if not cycle:
            continue
        # Dates are ISO text: compared as text, they compare as dates.
        if end is None:
            under_way.setdefault(pid, []).append(aid)
        else:
            best = last.get(pid)
            if best is None or (end, aid) > (best[0], best[1]):
                last[pid] = (end, aid, cycle_year, classification)
            if kind == "FOLLOW_UP":
                follow_ups_done.setdefault(pid, []).append((end, aid))
        if aid in flagged:
            owing.append((pid, aid, kind, classification))
    if not cycle:
        return

    # A follow-up is owed after a Deferred/Rejected Assurance Status until a FOLLOW_UP
    # assessment has completed its fieldwork after that decision.
    owes_follow_up: set[str] = set()
    for pid, aid, kind, classification in owing:
        status, date = flagged[aid]
        vocabulary = policy.kinds[kind].statuses if kind in policy.kinds else None
        if not vocabulary:
            continue
        rule = policy.statuses.get(vocabulary, {}).get(status)
        if rule is None or not rule.requires_follow_up:
            continue
        if any(other != aid and end >= date for end, other in follow_ups_done.get(pid, ())):
            continue
        owes_follow_up.add(pid)
        if "follow_up" in wanted:
            decided = dt.date.fromisoformat(date)
            due = add_months(decided, policy.deadlines.follow_up_months_after_decision)
            name = policy.statuses[vocabulary][status].name
            add((due, rank["follow_up"], pid, aid, "follow_up", aid,
                 f"follow-up FUSA after {name} on {aid}", classification, "FOLLOW_UP"))

    if "assessment" not in wanted:
        return
    category = rank["assessment"]
    years, months = policy.cycle.years, policy.cycle.months_between
    first_class = policy.classification.default["assessment"]
    for pid, (_name, roles, domestic, non_domestic, _class) in parties.items():
        if pid in owes_follow_up:
            continue
        schedule = policy.schedule_for(roles, domestic, non_domestic)
        if schedule is None:
            continue
        completed = last.get(pid)
        if completed is None:
            if pid not in under_way:  # no assessment at all
                add((as_of, category, pid, "", "assessment", None,
                     "first FUSA, before the Party becomes a User", first_class, schedule[0]))
            continue  # else the first assessment is under way; nothing is due from the cycle yet
        end, aid, cycle_year, classification = completed
        next_year = (cycle_year or 1) % years + 1  # a FUSA or follow-up without a year starts a cycle
        kind = schedule[next_year - 1]
        in_progress = under_way.get(pid)
        note = f"; {', '.join(in_progress)} under way" if in_progress else ""
        add((add_months(dt.date.fromisoformat(end), months), category, pid, aid, "assessment", aid,
             f"year {next_year} {_abbreviation(policy, kind)}, {months} months "
             f"after {aid} fieldwork{note}", classification, kind))


def _abbreviation(policy: RegisterPolicy, kind: str) -> str:
    found = policy.kinds.get(kind)
    return found.abbreviation if found else kind


def _follow_up_decisions(conn: sqlite3.Connection, policy: RegisterPolicy) -> dict[str, tuple[str, str]]:
    """Subjects whose latest standing decision (by date, then entry) has a status that calls
    for a follow-up in some vocabulary: subject -> (status, date as ISO text)."""
    statuses = sorted({code for table in policy.statuses.values()
                       for code, rule in table.items() if rule.requires_follow_up})
    if not statuses:
        return {}
    rows = conn.execute(
        "SELECT subject, status, date FROM (SELECT subject, status, date, ROW_NUMBER() OVER"
        " (PARTITION BY subject ORDER BY date DESC, rowid DESC) AS n FROM decisions"
        " WHERE withdrawn IS NULL) WHERE n = 1"
        f" AND status IN ({', '.join('?' for _ in statuses)})", statuses)
    return {subject: (status, date) for subject, status, date in rows}
