"""What is due or overdue as of a date: assessments per cycle, follow-ups, responses, remediation actions, letters.

The rules come from the policy (the cycle schedule per role and SMS thresholds, months between
assessments, deadline days); this module reads the register in a handful of whole-table
queries and works per Party in memory, so it stays fast over tens of thousands of Parties.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from assurance.descriptors import DESCRIPTORS

if TYPE_CHECKING:
    from assurance.policy import RegisterPolicy, Status
    from assurance.store import Register

#: The categories of :class:`DueItem`, in the order reports list them: the register's own, then
#: those of record types whose descriptor names a date to chase (a Security Incident's review).
CATEGORIES = tuple(
    dict.fromkeys(
        (
            "assessment",
            "follow_up",
            "response",
            "action",
            "letter",
            "basis",
            *(d.due_category for d in DESCRIPTORS.values() if d.due_category),
        )
    )
)


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
        return {
            "category": self.category,
            "party": self.party,
            "party_name": self.party_name,
            "subject": self.subject,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "overdue": self.overdue,
            "description": self.description,
            "classification": self.classification,
            "kind": self.kind,
        }


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
            f'"kind": {"null" if item.kind is None else quote(item.kind)}}}'
        )
    return (
        f'{{"as_of": "{as_of.isoformat()}", "overdue": {overdue}, "items": ['
        + ", ".join(lines)
        + "]}"
    )


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


#: A Party as the rules read it: name, roles, domestic and non-domestic SMS, classification.
_Party = tuple[str, list[str], int | None, int | None, str]
#: Each category's place in the sort key (the order reports list them).
_RANK = {category: n for n, category in enumerate(CATEGORIES)}
_Add = Callable[[_Found], None]


@dataclass(frozen=True, slots=True)
class _Query:
    """One ``compute_due`` question: the register read, the Parties in scope, what is wanted."""

    register: Register
    policy: RegisterPolicy
    conn: sqlite3.Connection
    parties: dict[str, _Party]
    party: str | None
    as_of: dt.date
    wanted: set[str]

    def only_party(self, column: str) -> str:
        """The SQL that narrows to the one Party asked about, if any (its parameter: ``params``)."""
        return f" AND {column} = ?" if self.party is not None else ""

    @property
    def params(self) -> tuple[str, ...]:
        return () if self.party is None else (self.party,)


def compute_due(
    register: Register,
    as_of: dt.date,
    *,
    party: str | None = None,
    categories: Collection[str] | None = None,
    overdue_only: bool = False,
    within_days: int | None = None,
) -> list[DueItem]:
    """Everything due or overdue as of ``as_of``, soonest due first.

    ``days_overdue`` is negative while there are days left. ``party`` and ``categories``
    narrow the answer; so do ``overdue_only`` and ``within_days`` (overdue, or due within
    that many days).
    """
    wanted = _wanted(categories)
    query = _Query(
        register,
        register.policy,
        register.conn,
        _read_parties(register.conn, party),
        party,
        as_of,
        wanted,
    )
    # Items as plain tuples, sort key first: DueItems are made once, in their final order.
    found: list[_Found] = []
    for categories_found, collect in _COLLECTORS:
        if wanted & categories_found:
            collect(query, found.append)
    # Stable, on the same key as ever: (due, category, party, subject).
    found.sort(key=itemgetter(0, 1, 2, 3))
    latest = as_of + dt.timedelta(days=within_days) if within_days is not None else None
    return _due_items(query, found, overdue_only, latest)


def _wanted(categories: Collection[str] | None) -> set[str]:
    wanted = set(categories or CATEGORIES)
    unknown = wanted - set(CATEGORIES)
    if unknown:
        from core.errors import InputError

        raise InputError(
            f"unknown category {sorted(unknown)[0]!r}; expected one of {', '.join(CATEGORIES)}",
            field="category",
        )
    return wanted


def _read_parties(conn: sqlite3.Connection, party: str | None) -> dict[str, _Party]:
    """The Parties in scope (not withdrawn); a Party's roles are one of a few JSON texts, each
    parsed once."""
    parties: dict[str, _Party] = {}
    roles_of: dict[str, list[str]] = {}
    sql = (
        "SELECT id, name, roles, domestic_sms, non_domestic_sms, classification FROM parties"
        " WHERE withdrawn IS NULL" + (" AND id = ?" if party is not None else "")
    )
    for pid, name, roles_text, domestic, non_domestic, classification in conn.execute(
        sql, () if party is None else (party,)
    ):
        roles = roles_of.get(roles_text)
        if roles is None:
            roles = roles_of[roles_text] = json.loads(roles_text)
        parties[pid] = (name, roles, domestic, non_domestic, classification)
    return parties


def _due_items(
    query: _Query, found: list[_Found], overdue_only: bool, latest: dt.date | None
) -> list[DueItem]:
    """The sorted items as DueItems, narrowed by date, each classified as the more restricted of
    its Party's and its record's classification."""
    as_of, parties = query.as_of, query.parties
    order = query.policy.classification.order
    level = {name: n for n, name in enumerate(order)}
    items: list[DueItem] = []
    append = items.append
    for due, _rank, pid, _subject, what, subject, description, classification, kind in found:
        if (overdue_only and due >= as_of) or (latest is not None and due > latest):
            continue
        name, _roles, _domestic, _non_domestic, party_class = parties.get(pid) or (
            "",
            [],
            None,
            None,
            order[0],
        )  # no Party: the record's classification decides
        if level[classification] > level[party_class]:
            party_class = classification
        append(
            DueItem(
                what, pid, name, subject, due, (as_of - due).days, description, party_class, kind
            )
        )
    return items


def _action_items(query: _Query, add: _Add) -> None:
    """Remediation actions with a due date whose finding is not done."""
    done = query.policy.findings.done_statuses
    sql = (
        "SELECT f.id, a.party, f.sec_ref, f.title, f.due, f.status, f.classification"
        " FROM findings f JOIN assessments a ON a.id = f.assessment"
        " WHERE f.withdrawn IS NULL AND a.withdrawn IS NULL AND f.due IS NOT NULL"
        f" AND f.status NOT IN ({', '.join('?' for _ in done)})" + query.only_party("a.party")
    )
    category, parties = _RANK["action"], query.parties
    in_words: dict[str, str] = {}
    for fid, pid, sec_ref, title, due, status, classification in query.conn.execute(
        sql, (*done, *query.params)
    ):
        if pid in parties:
            said = in_words.get(status) or in_words.setdefault(status, status.replace("_", " "))
            add(
                (
                    _date(due),
                    category,
                    pid,
                    fid,
                    "action",
                    fid,
                    f"{sec_ref} {title} ({said})",
                    classification,
                    None,
                )
            )


def _letter_items(query: _Query, add: _Add) -> None:
    """Director's Letters no standing decision answers, due a set number of days after receipt."""
    wait = dt.timedelta(days=query.policy.deadlines.letter_decision_days)
    sql = (
        "SELECT l.id, l.party, l.received, l.relates_to, l.classification FROM letters l"
        " WHERE l.withdrawn IS NULL AND NOT EXISTS (SELECT 1 FROM decisions d"
        " WHERE d.subject = l.id AND d.withdrawn IS NULL)" + query.only_party("l.party")
    )
    category = _RANK["letter"]
    for lid, pid, received, relates_to, classification in query.conn.execute(sql, query.params):
        if pid in query.parties:
            about = f" on {relates_to}" if relates_to else ""
            add(
                (
                    _date(received) + wait,
                    category,
                    pid,
                    lid,
                    "letter",
                    lid,
                    f"Director's Letter{about} awaits a decision",
                    classification,
                    None,
                )
            )


def _basis_items(query: _Query, add: _Add) -> None:
    """Decisions whose evidence basis changed since they were made: due now."""
    from assurance.evidence import changed_bases

    category = _RANK["basis"]
    for change in changed_bases(query.register, query.party):
        if change.party in query.parties:
            decision = change.decision
            assert decision.classification is not None  # filled from the policy on validation
            add(
                (
                    query.as_of,
                    category,
                    change.party,
                    decision.id,
                    "basis",
                    decision.id,
                    change.description,
                    decision.classification,
                    None,
                )
            )


@dataclass(slots=True)
class _Cycles:
    """What the cycle rules need of one pass over the assessments, per Party: the last completed
    assessment (latest fieldwork end, then id), those under way, completed follow-ups, and
    assessments whose standing decision calls for a follow-up."""

    flagged: dict[str, tuple[str, str]]  # subject -> (status, date) of a follow-up decision
    last: dict[str, tuple[str, str, int | None, str]] = field(
        default_factory=dict
    )  # (end, id, year, class)
    under_way: dict[str, list[str]] = field(default_factory=dict)
    follow_ups_done: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # [(end, id)]
    owing: list[tuple[str, str, str, str]] = field(default_factory=list)  # (pid, id, kind, class)

    def note(
        self,
        aid: str,
        pid: str,
        kind: str,
        cycle_year: int | None,
        end: str | None,
        classification: str,
    ) -> None:
        # Dates are ISO text: compared as text, they compare as dates.
        if end is None:
            self.under_way.setdefault(pid, []).append(aid)
        else:
            best = self.last.get(pid)
            if best is None or (end, aid) > (best[0], best[1]):
                self.last[pid] = (end, aid, cycle_year, classification)
            if kind == "FOLLOW_UP":
                self.follow_ups_done.setdefault(pid, []).append((end, aid))
        if aid in self.flagged:
            self.owing.append((pid, aid, kind, classification))

    def followed_up(self, pid: str, aid: str, date: str) -> bool:
        """A FOLLOW_UP assessment (other than the one decided) completed its fieldwork on or
        after ``date``."""
        return any(other != aid and end >= date for end, other in self.follow_ups_done.get(pid, ()))


class _Responses:
    """The response each assessment report awaits: due a set number of days after the report
    (or on the date recorded for it) until the response is received."""

    def __init__(self, policy: RegisterPolicy, add: _Add) -> None:
        self.days = dt.timedelta(days=policy.deadlines.response_days_after_report)
        self.words = functools.cache(
            lambda kind: f"response to the {_abbreviation(policy, kind)} report"
        )
        self.add = add

    def note(
        self,
        aid: str,
        pid: str,
        kind: str,
        report: str | None,
        response_due: str | None,
        response_received: str | None,
        classification: str,
    ) -> None:
        if response_received is not None:
            return
        if response_due:
            due = _date(response_due)
        elif report:
            due = _date(report) + self.days
        else:
            return
        self.add(
            (
                due,
                _RANK["response"],
                pid,
                aid,
                "response",
                aid,
                self.words(kind),
                classification,
                None,
            )
        )


def _assessment_items(query: _Query, add: _Add) -> None:
    """Responses owed, follow-ups owed, and the next assessment of each Party's cycle, from one
    pass over the assessments."""
    policy, wanted, parties = query.policy, query.wanted, query.parties
    responses = _Responses(policy, add) if "response" in wanted else None
    cycle = bool(wanted & {"assessment", "follow_up"})
    cycles = _Cycles(_follow_up_decisions(query.conn, policy) if cycle else {})
    sql = (
        "SELECT id, party, kind, cycle_year, fieldwork_end, report_received, response_due,"
        " response_received, classification FROM assessments WHERE withdrawn IS NULL"
        + query.only_party("party")
    )
    for (
        aid,
        pid,
        kind,
        cycle_year,
        end,
        report,
        response_due,
        response_received,
        classification,
    ) in query.conn.execute(sql, query.params):
        if pid not in parties:
            continue
        if responses is not None:
            responses.note(aid, pid, kind, report, response_due, response_received, classification)
        if cycle:
            cycles.note(aid, pid, kind, cycle_year, end, classification)
    if cycle:
        owes_follow_up = _follow_up_items(query, cycles, add)
        if "assessment" in wanted:
            _cycle_items(query, cycles, owes_follow_up, add)


def _follow_up_items(query: _Query, cycles: _Cycles, add: _Add) -> set[str]:
    """A follow-up is owed after a Deferred/Rejected Assurance Status until a FOLLOW_UP
    assessment has completed its fieldwork after that decision. The Parties that owe one."""
    policy = query.policy
    owes_follow_up: set[str] = set()
    for pid, aid, kind, classification in cycles.owing:
        status, date = cycles.flagged[aid]
        rule = _follow_up_rule(policy, kind, status)
        if rule is None or cycles.followed_up(pid, aid, date):
            continue
        owes_follow_up.add(pid)
        if "follow_up" in query.wanted:
            due = add_months(
                dt.date.fromisoformat(date), policy.deadlines.follow_up_months_after_decision
            )
            add(
                (
                    due,
                    _RANK["follow_up"],
                    pid,
                    aid,
                    "follow_up",
                    aid,
                    f"follow-up FUSA after {rule.name} on {aid}",
                    classification,
                    "FOLLOW_UP",
                )
            )
    return owes_follow_up


def _follow_up_rule(policy: RegisterPolicy, kind: str, status: str) -> Status | None:
    """The status rule of ``status`` in the vocabulary of ``kind``, if it calls for a follow-up."""
    vocabulary = policy.kinds[kind].statuses if kind in policy.kinds else None
    if not vocabulary:
        return None
    rule = policy.statuses.get(vocabulary, {}).get(status)
    return rule if rule is not None and rule.requires_follow_up else None


def _cycle_items(query: _Query, cycles: _Cycles, owes_follow_up: set[str], add: _Add) -> None:
    """The next assessment of each Party's cycle (a Party owing a follow-up owes that first)."""
    for pid, (_name, roles, domestic, non_domestic, _class) in query.parties.items():
        if pid in owes_follow_up:
            continue
        schedule = query.policy.schedule_for(roles, domestic, non_domestic)
        if schedule is not None:
            item = _next_assessment(query, cycles, pid, schedule)
            if item is not None:
                add(item)


def _next_assessment(
    query: _Query, cycles: _Cycles, pid: str, schedule: Sequence[str]
) -> _Found | None:
    """The assessment next due in the Party's cycle: the first FUSA if it has none, nothing while
    the first is under way, else the next year's kind some months after the last fieldwork."""
    policy, category = query.policy, _RANK["assessment"]
    completed = cycles.last.get(pid)
    if completed is None:
        if pid in cycles.under_way:
            return None
        return (
            query.as_of,
            category,
            pid,
            "",
            "assessment",
            None,
            "first FUSA, before the Party becomes a User",
            policy.classification.default["assessment"],
            schedule[0],
        )
    end, aid, cycle_year, classification = completed
    years, months = policy.cycle.years, policy.cycle.months_between
    next_year = (cycle_year or 1) % years + 1  # a FUSA or follow-up without a year starts a cycle
    kind = schedule[next_year - 1]
    in_progress = cycles.under_way.get(pid)
    note = f"; {', '.join(in_progress)} under way" if in_progress else ""
    return (
        add_months(dt.date.fromisoformat(end), months),
        category,
        pid,
        aid,
        "assessment",
        aid,
        f"year {next_year} {_abbreviation(policy, kind)}, {months} months "
        f"after {aid} fieldwork{note}",
        classification,
        kind,
    )


def _described_items(query: _Query, add: _Add) -> None:
    """The dates record types chase by their descriptor (``due_field``, ``due_category``): a
    standing record whose status is not done in its policy workflow, of a standing Party or
    of none. Types that reach their Party otherwise (findings, through the assessment) keep
    their own collector."""
    for d in DESCRIPTORS.values():
        rules = query.policy.types.get(d.name)
        if (
            d.due_field is None
            or d.due_category not in query.wanted
            or d.party_field is None
            or rules is None
            or rules.workflow is None
            or d.status_field is None
        ):
            continue
        done = rules.workflow.done_statuses
        title = "title" if "title" in d.list_columns else "id"
        sql = (
            f"SELECT id, {d.party_field}, {title}, {d.due_field}, {d.status_field}, classification"
            f" FROM {d.table} WHERE withdrawn IS NULL AND {d.due_field} IS NOT NULL"
            f" AND {d.status_field} NOT IN ({', '.join('?' for _ in done)})"
            + query.only_party(d.party_field)
        )
        category = _RANK[d.due_category]
        for rid, pid, what, due, status, classification in query.conn.execute(
            sql, (*done, *query.params)
        ):
            if pid is not None and pid not in query.parties:
                continue  # its Party is withdrawn
            said = (
                rules.workflow.statuses[status].lower()
                if status in rules.workflow.statuses
                else status
            )
            add(
                (
                    _date(due),
                    category,
                    pid or "",
                    rid,
                    d.due_category,
                    rid,
                    f"{d.label} {what} ({said}): review due",
                    classification,
                    None,
                )
            )


#: Which collector finds which categories, in the order they are asked.
_COLLECTORS: tuple[tuple[frozenset[str], Callable[[_Query, _Add], None]], ...] = (
    (frozenset({"assessment", "follow_up", "response"}), _assessment_items),
    (frozenset({"action"}), _action_items),
    (frozenset({"letter"}), _letter_items),
    (frozenset({"basis"}), _basis_items),
    (frozenset(d.due_category for d in DESCRIPTORS.values() if d.due_category), _described_items),
)


def _abbreviation(policy: RegisterPolicy, kind: str) -> str:
    found = policy.kinds.get(kind)
    return found.abbreviation if found else kind


def _follow_up_decisions(
    conn: sqlite3.Connection, policy: RegisterPolicy
) -> dict[str, tuple[str, str]]:
    """Subjects whose latest standing decision (by date, then entry) has a status that calls
    for a follow-up in some vocabulary: subject -> (status, date as ISO text)."""
    statuses = sorted(
        {
            code
            for table in policy.statuses.values()
            for code, rule in table.items()
            if rule.requires_follow_up
        }
    )
    if not statuses:
        return {}
    rows = conn.execute(
        "SELECT subject, status, date FROM (SELECT subject, status, date, ROW_NUMBER() OVER"
        " (PARTITION BY subject ORDER BY date DESC, rowid DESC) AS n FROM decisions"
        " WHERE withdrawn IS NULL) WHERE n = 1"
        f" AND status IN ({', '.join('?' for _ in statuses)})",
        statuses,
    )
    return {subject: (status, date) for subject, status, date in rows}
