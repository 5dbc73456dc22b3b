"""What is due or overdue as of a date: assessments per cycle, follow-ups, responses, remediation actions, letters.

The rules come from the policy (the cycle schedule per role and SMS thresholds, months between
assessments, deadline days); this module reads the register in a handful of whole-table
queries and works per Party in memory, so it stays fast over tens of thousands of Parties.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assurance.policy import RegisterPolicy
    from assurance.store import Register

#: The categories of :class:`DueItem`, in the order reports list them.
CATEGORIES = ("assessment", "follow_up", "response", "action", "letter")


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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass
class _Assessment:
    id: str
    kind: str
    cycle_year: int | None
    fieldwork_start: dt.date | None
    fieldwork_end: dt.date | None
    classification: str


def compute_due(register: Register, as_of: dt.date, *, party: str | None = None,
                categories: Collection[str] | None = None) -> list[DueItem]:
    """Everything due or overdue as of ``as_of``, soonest due first.

    ``days_overdue`` is negative while there are days left. ``party`` and ``categories``
    narrow the answer.
    """
    policy = register.policy
    conn = register.conn
    wanted = set(categories or CATEGORIES)
    unknown = wanted - set(CATEGORIES)
    if unknown:
        from ssc.errors import InputError

        raise InputError(f"unknown category {sorted(unknown)[0]!r}; expected one of {', '.join(CATEGORIES)}",
                         field="category")
    rank = policy.classification.rank
    order = policy.classification.order

    merged: dict[tuple[str, str], str] = {}

    def most_restricted(first: str, second: str) -> str:
        key = (first, second)
        if key not in merged:
            merged[key] = order[max(rank(first), rank(second))]
        return merged[key]

    party_filter, party_params = ("", ())
    if party is not None:
        party_filter, party_params = " AND party = ?", (party,)

    parties: dict[str, tuple[str, list[str], int | None, int | None, str]] = {}
    sql = ("SELECT id, name, roles, domestic_sms, non_domestic_sms, classification FROM parties"
           " WHERE withdrawn IS NULL" + (" AND id = ?" if party is not None else ""))
    for pid, name, roles, domestic, non_domestic, classification in conn.execute(sql, party_params):
        parties[pid] = (name, json.loads(roles), domestic, non_domestic, classification)

    items: list[DueItem] = []

    def item(category: str, pid: str, subject: str | None, due: dt.date, description: str,
             classification: str, kind: str | None = None) -> None:
        name, *_rest, party_class = parties[pid]
        items.append(DueItem(category, pid, name, subject, due, (as_of - due).days, description,
                             most_restricted(party_class, classification), kind))

    if wanted & {"assessment", "follow_up", "response"}:
        by_party: dict[str, list[_Assessment]] = {}
        sql = ("SELECT id, party, kind, cycle_year, fieldwork_start, fieldwork_end, report_received,"
               " response_due, response_received, classification FROM assessments"
               " WHERE withdrawn IS NULL" + party_filter)
        response_days = dt.timedelta(days=policy.deadlines.response_days_after_report)
        for (aid, pid, kind, cycle_year, start, end, report, response_due, response_received,
             classification) in conn.execute(sql, party_params):
            if pid not in parties:
                continue
            by_party.setdefault(pid, []).append(
                _Assessment(aid, kind, cycle_year, _date(start), _date(end), classification))
            if "response" in wanted and response_received is None and (response_due or report):
                due = _date(response_due) or (_date(report) + response_days)
                item("response", pid, aid, due,
                     f"response to the {_abbreviation(policy, kind)} report",
                     classification)
        if wanted & {"assessment", "follow_up"}:
            statuses = _current_statuses(conn)
            for pid, (_name, roles, domestic, non_domestic, _class) in parties.items():
                _cycle_items(policy, pid, roles, domestic, non_domestic,
                             by_party.get(pid, []), statuses, as_of, wanted, item)

    if "action" in wanted:
        done = policy.findings.done_statuses
        sql = ("SELECT f.id, a.party, f.sec_ref, f.title, f.due, f.status, f.classification"
               " FROM findings f JOIN assessments a ON a.id = f.assessment"
               " WHERE f.withdrawn IS NULL AND a.withdrawn IS NULL AND f.due IS NOT NULL"
               f" AND f.status NOT IN ({', '.join('?' for _ in done)})"
               + (" AND a.party = ?" if party is not None else ""))
        for fid, pid, sec_ref, title, due, status, classification in conn.execute(sql, (*done, *party_params)):
            if pid in parties:
                item("action", pid, fid, _date(due),
                     f"{sec_ref} {title} ({status.replace('_', ' ')})", classification)

    if "letter" in wanted:
        wait = dt.timedelta(days=policy.deadlines.letter_decision_days)
        sql = ("SELECT l.id, l.party, l.received, l.relates_to, l.classification FROM letters l"
               " WHERE l.withdrawn IS NULL AND NOT EXISTS (SELECT 1 FROM decisions d"
               " WHERE d.subject = l.id AND d.withdrawn IS NULL)"
               + (" AND l.party = ?" if party is not None else ""))
        for lid, pid, received, relates_to, classification in conn.execute(sql, party_params):
            if pid in parties:
                about = f" on {relates_to}" if relates_to else ""
                item("letter", pid, lid, _date(received) + wait,
                     f"Director's Letter{about} awaits a decision",
                     classification)

    items.sort(key=lambda i: (i.due, CATEGORIES.index(i.category), i.party, i.subject or ""))
    return items


def _abbreviation(policy: RegisterPolicy, kind: str) -> str:
    found = policy.kinds.get(kind)
    return found.abbreviation if found else kind


def _current_statuses(conn) -> dict[str, tuple[str, dt.date]]:
    """The latest standing decision per subject: subject -> (status, date)."""
    current: dict[str, tuple[str, dt.date]] = {}
    for subject, status, date in conn.execute(
        "SELECT subject, status, date FROM decisions WHERE withdrawn IS NULL ORDER BY date, rowid"
    ):
        current[subject] = (status, dt.date.fromisoformat(date))
    return current


def _cycle_items(policy: RegisterPolicy, pid: str, roles: list[str], domestic: int | None,
                 non_domestic: int | None, assessments: list[_Assessment],
                 statuses: dict[str, tuple[str, dt.date]], as_of: dt.date,
                 wanted: set[str], item) -> None:
    """The next assessment of one Party's cycle, and any follow-up its decisions call for."""
    # A follow-up is owed after a Deferred/Rejected Assurance Status until a FOLLOW_UP
    # assessment has completed its fieldwork after that decision.
    follow_up_due = False
    for assessment in assessments:
        decided = statuses.get(assessment.id)
        if decided is None:
            continue
        status, date = decided
        vocabulary = policy.kinds[assessment.kind].statuses if assessment.kind in policy.kinds else None
        rule = policy.statuses.get(vocabulary, {}).get(status) if vocabulary else None
        if rule is None or not rule.requires_follow_up:
            continue
        done = any(other.kind == "FOLLOW_UP" and other.id != assessment.id and other.fieldwork_end
                   and other.fieldwork_end >= date for other in assessments)
        if done:
            continue
        follow_up_due = True
        if "follow_up" in wanted:
            due = add_months(date, policy.deadlines.follow_up_months_after_decision)
            name = policy.statuses[vocabulary][status].name
            item("follow_up", pid, assessment.id, due,
                 f"follow-up FUSA after {name} on {assessment.id}",
                 assessment.classification, "FOLLOW_UP")
    if "assessment" not in wanted or follow_up_due:
        return
    schedule = policy.schedule_for(roles, domestic, non_domestic)
    if schedule is None:
        return
    completed = [a for a in assessments if a.fieldwork_end is not None]
    if not assessments:
        item("assessment", pid, None, as_of,
             "first FUSA, before the Party becomes a User",
             policy.classification.default["assessment"], schedule[0])
        return
    if not completed:
        return  # the first assessment is under way; nothing is due from the cycle yet
    last = max(completed, key=lambda a: (a.fieldwork_end, a.id))
    year = last.cycle_year or 1  # a FUSA or follow-up without a year starts a cycle
    next_year = year % policy.cycle.years + 1
    kind = schedule[next_year - 1]
    due = add_months(last.fieldwork_end, policy.cycle.months_between)
    in_progress = [a.id for a in assessments if a.fieldwork_end is None]
    note = f"; {', '.join(in_progress)} under way" if in_progress else ""
    item("assessment", pid, last.id, due,
         f"year {next_year} {_abbreviation(policy, kind)}, {policy.cycle.months_between} months "
         f"after {last.id} fieldwork{note}",
         last.classification, kind)
