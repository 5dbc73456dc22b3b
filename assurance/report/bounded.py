"""The one read of the register a main-part builder gets: counts, and records at or below a ceiling.

A :class:`BoundedView` is made with a classification ceiling and is the only thing a section
builder of the main part receives (never the ``Register``). It answers two kinds of question:

- **counts** of the month's decisions, grouped only by policy vocabulary (kinds, statuses,
  role sets): aggregated inside SQLite, so no id, name or text of a counted record ever
  reaches Python. A count of RED decisions is what the seeds' WHITE papers publish.
- **records** of a type (highlights, and any future section's) whose classification is at or
  below the ceiling, selected with ``classification IN (…)`` in the SQL itself: a record above
  the ceiling is never read, so a bug in a builder cannot show it.

Every record it returns raises :attr:`BoundedView.flowed`, the highest classification of what
reached the builder; the main part's classification is computed from it (OpenCTI's rule: an
export declares its maximum marking and nothing above it is ever selected).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assurance.models import RECORD_TYPES, Record
from assurance.policy import RegisterPolicy
from assurance.store import Register, from_row
from core.errors import InputError


def _date_column(type_name: str) -> str:
    """The date column a bounded read selects a type's records by (its descriptor's
    ``date_field``, never a free-text column)."""
    column = RECORD_TYPES[type_name].descriptor.date_field
    if column is None:
        raise ValueError(f"a {type_name} has no date a month's report could select it by")
    return column


@dataclass(frozen=True)
class DecisionCounts:
    """What the month's decisions on one group of subjects add up to: counts by vocabulary only."""

    #: Decisions taken (statuses set).
    decisions: int
    #: Distinct subjects reviewed, by kind code (``"letter"`` for Director's Letters).
    subjects: dict[str, int]
    #: The last status set on each subject in the month, counted by status code.
    outcomes: dict[str, int]
    #: Distinct Parties concerned, by their set of role codes in policy order (``()``: unknown).
    roles: dict[tuple[str, ...], int]


# The month's decisions with the kind of their subject, inside SQLite only. `kind` is NULL for
# a decision whose subject is neither an assessment nor a letter.
_MONTH = """
WITH month AS (
    SELECT d.id AS id, d.subject AS subject, d.date AS date, d.status AS status,
           CASE WHEN a.id IS NOT NULL THEN a.kind WHEN l.id IS NOT NULL THEN 'letter' END AS kind,
           COALESCE(a.party, l.party) AS party
    FROM decisions AS d
    LEFT JOIN assessments AS a ON a.id = d.subject
    LEFT JOIN letters AS l ON l.id = d.subject
    WHERE d.withdrawn IS NULL AND d.date >= ? AND d.date < ?
), chosen AS (SELECT * FROM month WHERE kind IN ({kinds}))
"""


class BoundedView:
    """Counts and at-or-below-ceiling records of one register, for one ceiling. Read-only."""

    __slots__ = ("ceiling", "policy", "_allowed", "_flowed", "_query")

    def __init__(self, register: Register, ceiling: str) -> None:
        levels = register.policy.classification
        if ceiling not in levels.order:
            raise ValueError(f"unknown classification {ceiling!r}")
        self.ceiling = ceiling
        self.policy: RegisterPolicy = register.policy
        self._allowed = tuple(level for level in levels.order if levels.at_most(level, ceiling))
        self._flowed = levels.order[0]  # counts alone are as public as the least restricted level
        conn = register.conn

        # The connection is held by this closure only: the view has no attribute that is the
        # register or its connection for a builder to reach for.
        def query(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
            cursor = conn.cursor()
            cursor.row_factory = None
            return cursor.execute(sql, tuple(params)).fetchall()

        self._query: Callable[[str, Sequence[Any]], list[tuple]] = query

    @property
    def flowed(self) -> str:
        """The highest classification of any record this view has returned (counts: the lowest)."""
        return self._flowed

    def _saw(self, level: str) -> None:
        levels = self.policy.classification
        if not levels.at_most(level, self.ceiling):  # cannot happen: the SQL filters it out
            raise AssertionError("a bounded read returned a record above its ceiling")
        if levels.rank(level) > levels.rank(self._flowed):
            self._flowed = level

    # -- records at or below the ceiling -------------------------------------------------
    def records(self, type_name: str, span: tuple[dt.date, dt.date]) -> list[Record]:
        """Records of ``type_name`` dated in ``[start, end)`` whose classification is at most the
        ceiling, not withdrawn, by date and id. Nothing above the ceiling is selected."""
        model = RECORD_TYPES[type_name]
        column = _date_column(type_name)
        marks = ", ".join("?" for _ in self._allowed)
        names = [*model.model_fields, "extra"]
        rows = self._query(
            f"SELECT {', '.join(names)} FROM {model.table} WHERE withdrawn IS NULL"
            f" AND classification IN ({marks}) AND {column} >= ? AND {column} < ?"
            f" ORDER BY {column}, id",
            (*self._allowed, span[0].isoformat(), span[1].isoformat()),
        )
        found = []
        for row in rows:
            try:
                record = from_row(model, dict(zip(names, row, strict=True)), self.policy)
            except ValueError:  # pydantic's ValidationError and bad JSON alike
                raise InputError(
                    f"a {type_name} of the month does not validate (changed outside ssc?); "
                    "run `ssc audit verify`"
                ) from None
            assert record.classification is not None
            self._saw(record.classification)
            found.append(record)
        return found

    def count_above(self, type_name: str, span: tuple[dt.date, dt.date]) -> dict[str, int]:
        """How many records of ``type_name`` dated in the span are above the ceiling, by level."""
        model = RECORD_TYPES[type_name]
        column = _date_column(type_name)
        marks = ", ".join("?" for _ in self._allowed)
        rows = self._query(
            f"SELECT classification, COUNT(*) FROM {model.table} WHERE withdrawn IS NULL"
            f" AND classification NOT IN ({marks}) AND {column} >= ? AND {column} < ?"
            " GROUP BY classification",
            (*self._allowed, span[0].isoformat(), span[1].isoformat()),
        )
        order = self.policy.classification.order
        return {
            level: n
            for level, n in sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order else 0)
            if level in order
        }

    def status_counts(self, type_name: str, span: tuple[dt.date, dt.date]) -> dict[str, int]:
        """How many standing records of ``type_name`` dated in the span (all classifications:
        a count is not the record) have each status of the type's workflow, counted in SQL:
        only status codes the policy knows come back, never an id or a text."""
        descriptor = RECORD_TYPES[type_name].descriptor
        rules = self.policy.types.get(type_name)
        if descriptor.status_field is None or rules is None or rules.workflow is None:
            raise ValueError(f"a {type_name} has no status workflow to count by")
        column = _date_column(type_name)
        rows = self._query(
            f"SELECT {descriptor.status_field}, COUNT(*) FROM {descriptor.table} WHERE withdrawn IS NULL"
            f" AND {column} >= ? AND {column} < ? GROUP BY {descriptor.status_field}",
            (span[0].isoformat(), span[1].isoformat()),
        )
        known = rules.workflow.statuses
        counts = _vocabulary(rows, set(known), descriptor.status_field, type_name)
        return {code: counts[code] for code in known if code in counts}

    # -- counts of the month's decisions -------------------------------------------------
    def decision_counts(
        self, span: tuple[dt.date, dt.date], kinds: Sequence[str]
    ) -> DecisionCounts:
        """The month's decisions on assessments of ``kinds`` (or ``["letter"]`` for Director's
        Letters), aggregated in SQL: every key returned is checked to be policy vocabulary."""
        known_kinds = {*self.policy.kinds, "letter"}
        for kind in kinds:
            if kind not in known_kinds:
                raise ValueError(f"unknown kind {kind!r}")
        head = _MONTH.format(kinds=", ".join("?" for _ in kinds))
        params = (span[0].isoformat(), span[1].isoformat(), *kinds)
        orphans = self._query(
            _MONTH.format(kinds="NULL") + "SELECT COUNT(*) FROM month WHERE kind IS NULL",
            params[:2],
        )[0][0]
        if orphans:
            raise InputError(
                f"{orphans} decision(s) of the month are on a subject that is neither an "
                "assessment nor a letter; run `ssc audit verify`",
                field="subject",
            )
        (decisions,) = self._query(head + "SELECT COUNT(*) FROM chosen", params)[0]
        subjects = self._query(
            head + "SELECT kind, COUNT(DISTINCT subject) FROM chosen GROUP BY kind", params
        )
        outcomes = self._query(
            head + "SELECT status, COUNT(*) FROM (SELECT status, ROW_NUMBER() OVER "
            "(PARTITION BY subject ORDER BY date DESC, id DESC) AS n FROM chosen) WHERE n = 1 "
            "GROUP BY status",
            params,
        )
        roles = self._query(
            head + "SELECT p.roles, COUNT(*) FROM (SELECT DISTINCT party FROM chosen) AS c "
            "LEFT JOIN parties AS p ON p.id = c.party GROUP BY p.roles",
            params,
        )
        vocabularies = {self.policy.kinds[k].statuses if k != "letter" else "letter" for k in kinds}
        statuses = {code for v in vocabularies for code in self.policy.statuses.get(v, {})}
        return DecisionCounts(
            decisions=decisions,
            subjects={kind: n for kind in kinds for k, n in subjects if k == kind},
            outcomes=_vocabulary(outcomes, statuses, "status"),
            roles=self._role_sets(roles),
        )

    def _role_sets(self, rows: list[tuple]) -> dict[tuple[str, ...], int]:
        order = list(self.policy.roles)
        counts: Counter[tuple[str, ...]] = Counter()
        for text, n in rows:
            try:
                roles = json.loads(text) if text else []
            except ValueError:
                roles = None
            if not isinstance(roles, list) or any(role not in order for role in roles):
                raise InputError(
                    "a Party of the month has roles the policy does not know; "
                    "run `ssc audit verify`",
                    field="roles",
                )
            counts[tuple(role for role in order if role in roles)] += n
        return dict(
            sorted(
                counts.items(), key=lambda item: (len(item[0]), [order.index(r) for r in item[0]])
            )
        )


def _vocabulary(
    rows: list[tuple], known: set[str], field: str, what: str = "decision"
) -> dict[str, int]:
    """Group keys that are policy codes; anything else is a row changed outside ssc."""
    counts = {}
    for code, n in rows:
        if code not in known:
            raise InputError(
                f"a {what} of the month has a {field} the policy does not know; "
                "run `ssc audit verify`",
                field=field,
            )
        counts[code] = n
    return counts
