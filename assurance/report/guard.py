"""The classification tripwire: the main part, as each format renders it, shows nothing of a record above it.

The control is :mod:`assurance.report.bounded`: the main part's builder never reads a record
above its ceiling. This module does not trust that. It gathers every distinctive value of every
record above the report's classification — withdrawn ones, extra fields whatever their names,
and every earlier value the audit trail holds (before-states of edits) — and looks for each in
the text of the rendered output, folded as a reader reads it (:mod:`assurance.report.fold`:
markup and entities unescaped, NFKC, format characters removed, spaces folded, TS #39
confusables), as whole tokens and with spaces and punctuation squeezed out. Searched for:

- free text (names, titles, conditions, notes, summaries, extras), a Party's name also without
  its legal suffix ("plc", "Ltd": policies/report.toml [guard]);
- ids, and distinctive numbers (policy: digits and significant digits) in their usual forms;
- dates of the records this month's Appendix A details, in the forms papers write them.

A value that is itself public vocabulary (a Party called "Panel", a title "One") is no evidence
of a leak and is skipped. On a hit it raises :class:`ClassificationError` naming the record and
field, never the value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assurance.models import RECORD_TYPES, Record
from assurance.policy import RegisterPolicy
from assurance.report.fold import Haystack, fold_code_many, fold_many, squeeze
from assurance.report.policy import ReportPolicy
from assurance.report.words import in_words, month_label
from assurance.store import Register
from ssc.errors import SSCError

#: Fields whose values are policy vocabulary (checked against policy on load), not free text.
_VOCABULARY = frozenset({"classification", "roles", "kind", "status", "severity", "committee", "sec_ref"})
#: Fields of no evidential value: when a record was withdrawn.
_SKIP = frozenset({"withdrawn", "type"})
#: A squeezed needle shorter than this would match by accident across word boundaries.
_MIN_SQUEEZED_TEXT = 8
_MIN_SQUEEZED_CODE = 6
#: A needle with fewer letters and digits than this is no evidence ("P1", "ok").
_MIN_ALNUM = 3
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class ClassificationError(SSCError):
    """The report would carry something above its classification; nothing was written."""

    exit_status = 2


@dataclass(frozen=True)
class Origin:
    """Where a restricted value comes from: named in the error, never the value itself."""

    record_type: str
    record_id: str
    field: str
    classification: str
    #: The audit event whose before-state held it, for an earlier value.
    event: int | None = None

    def describe(self) -> str:
        what = f"the {self.field}" if self.event is None else \
            f"an earlier {self.field} (audit event {self.event})"
        return f"{what} of {self.record_type} {self.record_id}, which is {self.classification}"


@dataclass(frozen=True)
class _Fields:
    text: tuple[str, ...]
    numbers: tuple[str, ...]
    dates: tuple[str, ...]


def _fields(model: type[Record]) -> _Fields:
    """A record type's declared fields by what the tripwire does with them (from the model)."""
    text, numbers, dates = [], [], []
    references = {*model.references, "subject"}
    for name, info in model.model_fields.items():
        if name in _VOCABULARY or name in _SKIP or name in references or name == "id":
            continue
        args = set(typing.get_args(info.annotation)) or {info.annotation}
        if dt.datetime in args:
            continue
        if dt.date in args:
            dates.append(name)
        elif int in args:
            numbers.append(name)
        elif str in args:
            text.append(name)
    return _Fields(tuple(text), tuple(numbers), tuple(dates))


def number_forms(value: int | float, policy: ReportPolicy) -> list[str]:
    """A distinctive number as papers write it (``1150000``, ``1,150,000``); none if round or short."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return []
    if isinstance(value, float):
        if not value.is_integer():
            text = repr(value)
            digits = text.replace(".", "").replace("-", "").lstrip("0")
            return [text] if len(digits) >= policy.guard.min_digits else []
        value = int(value)
    digits = str(abs(value))
    significant = digits.rstrip("0")
    if len(digits) < policy.guard.min_digits or len(significant) < policy.guard.min_significant_digits:
        return []
    return [digits, f"{abs(value):,}"]


def date_forms(day: dt.date) -> list[str]:
    """A date as papers and people write it."""
    month = _MONTHS[day.month - 1]
    return [day.isoformat(), f"{day.day} {month} {day.year}", f"{day.day:02d} {month} {day.year}",
            f"{day.day} {month[:3]} {day.year}", f"{month} {day.day}, {day.year}",
            f"{day.day}/{day.month}/{day.year}", f"{day.day:02d}/{day.month:02d}/{day.year}",
            f"{day.day:02d}.{day.month:02d}.{day.year}", day.strftime("%Y%m%d")]


def _strings(value: object) -> Iterator[str | int | float]:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


class _Needles:
    """Restricted values by how they are folded, each with the first record that holds it."""

    def __init__(self, policy: ReportPolicy) -> None:
        self.policy = policy
        # Keyed by value, type and field: a value shown legitimately in one field of one type
        # (a WHITE highlight's title) excuses the same value there only.
        self.text: dict[tuple[str, str, str], Origin] = {}
        self.names: dict[str, Origin] = {}
        self.code: dict[str, Origin] = {}

    def add_text(self, value: str, origin: Origin) -> None:
        key = (value, origin.record_type, origin.field)
        if value and key not in self.text:
            self.text[key] = origin

    def add_value(self, value: object, origin: Origin, *, dates: bool) -> None:
        """An extra field's value (or a nested one): text, number or date, whatever its name."""
        for item in _strings(value):
            if isinstance(item, str):
                self.add_text(item, origin)
                if dates and _ISO_DATE.match(item):
                    with contextlib.suppress(ValueError):
                        self.add_date(dt.date.fromisoformat(item), origin)
            else:
                self.add_number(item, origin)

    def add_code(self, value: str, origin: Origin) -> None:
        if value not in self.code:
            self.code[value] = origin

    def add_number(self, value: int | float, origin: Origin) -> None:
        for form in number_forms(value, self.policy):
            self.add_code(form, origin)

    def add_date(self, day: dt.date, origin: Origin) -> None:
        for form in date_forms(day):
            self.add_code(form, origin)


class Tripwire:
    """Every distinctive value above ``ceiling`` in one register, ready to search documents for."""

    def __init__(self, register: Register, ceiling: str, month: dt.date, policy: ReportPolicy,
                 shown: Iterable[Record] = ()) -> None:
        self.ceiling = ceiling
        self.policy = policy
        self.register_policy = register.policy
        levels = register.policy.classification
        self._allowed = [level for level in levels.order if levels.at_most(level, ceiling)]
        self.lexicon_texts = public_lexicon(policy, register.policy, month_label(month))
        needles = _Needles(policy)
        in_month = _month_scope(register, month)
        public_dates = set(policy.guard.public_dates)
        sensitive: dict[str, dict[str, str]] = {}
        conn = register.conn
        marks = ", ".join("?" for _ in self._allowed)
        for type_name, model in RECORD_TYPES.items():
            fields = _fields(model)
            columns = ["id", "classification", *fields.text, *fields.numbers, *fields.dates, "extra"]
            cursor = conn.cursor()
            cursor.row_factory = None
            rows = cursor.execute(f"SELECT {', '.join(columns)} FROM {model.table} "
                                  f"WHERE classification NOT IN ({marks})", self._allowed)
            ids = sensitive.setdefault(type_name, {})
            scoped = in_month.get(type_name, set())
            n_text, n_numbers = len(fields.text), len(fields.numbers)
            for row in rows:
                record_id, level = row[0], row[1]
                ids[record_id] = level
                needles.add_code(record_id, Origin(type_name, record_id, "id", level))
                values = row[2:-1]
                for name, value in zip(fields.text, values[:n_text], strict=True):
                    if value:
                        origin = Origin(type_name, record_id, name, level)
                        needles.add_text(value, origin)
                        if type_name == "party" and name == "name":
                            needles.names.setdefault(value, origin)
                for name, value in zip(fields.numbers, values[n_text:n_text + n_numbers], strict=True):
                    if value is not None:
                        needles.add_number(value, Origin(type_name, record_id, name, level))
                if record_id in scoped:
                    for name, value in zip(fields.dates, values[n_text + n_numbers:], strict=True):
                        if value and f"{type_name}.{name}" not in public_dates:
                            try:
                                needles.add_date(dt.date.fromisoformat(value), Origin(type_name, record_id, name, level))
                            except ValueError:
                                needles.add_text(value, Origin(type_name, record_id, name, level))
                if row[-1]:
                    try:
                        extra = json.loads(row[-1])
                    except ValueError:
                        extra = row[-1]
                    items = extra.items() if isinstance(extra, dict) else [("extra", extra)]
                    for name, value in items:
                        needles.add_value(value, Origin(type_name, record_id, name, level),
                                          dates=record_id in scoped)
        self._earlier(register, needles, sensitive, in_month)
        self.needles = needles
        # What the report shows legitimately (records at or below it), by type and field: the
        # same title on a GREEN highlight of another month is no leak from this WHITE one.
        shown_values = [(record.type_name, name, value) for record in shown
                        for name, value in record.to_interchange().items() if isinstance(value, str)]
        self._shown = {(type_name, name, folded) for (type_name, name, _), folded in
                       zip(shown_values, fold_many([v for _, _, v in shown_values]), strict=True)}

    def _earlier(self, register: Register, needles: _Needles, sensitive: dict[str, dict[str, str]],
                 in_month: dict[str, set[str]]) -> None:
        """Values records held before an edit (the audit trail's before-states) that were, or
        whose record now is, above the ceiling; not a value the record still shows at or below it."""
        cursor = register.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute("SELECT seq, entity, entity_id, before FROM audit_events "
                              "WHERE before IS NOT NULL AND action != 'withdraw'").fetchall()
        current_allowed: dict[tuple[str, str], dict[str, Any]] = {}
        for seq, entity, entity_id, before in rows:
            if entity not in RECORD_TYPES:
                continue
            try:
                state = json.loads(before)
            except ValueError:
                continue
            if not isinstance(state, dict):
                continue
            then = state.get("classification")
            now = sensitive.get(entity, {}).get(entity_id)
            if then in self._allowed and now is None:
                continue
            level = now if then in self._allowed else str(then)
            now_sensitive = now is not None
            shown: dict[str, Any] = {}
            if not now_sensitive:
                key = (entity, entity_id)
                if key not in current_allowed:
                    record = register.get(entity, entity_id)
                    current_allowed[key] = record.to_interchange() if record else {}
                shown = current_allowed[key]
            model = RECORD_TYPES[entity]
            fields = _fields(model)
            scoped = entity_id in in_month.get(entity, set())
            for name, value in state.items():
                if name in _SKIP or name in _VOCABULARY or name == "id" or shown.get(name) == value:
                    continue
                origin = Origin(entity, entity_id, name, level, seq)
                if name in fields.text:
                    if isinstance(value, str):
                        needles.add_text(value, origin)
                        if entity == "party" and name == "name":
                            needles.names.setdefault(value, origin)
                elif name in fields.numbers:
                    needles.add_value(value, origin, dates=False)
                elif name in fields.dates:
                    if scoped and isinstance(value, str) and f"{entity}.{name}" not in self.policy.guard.public_dates:
                        needles.add_value(value, origin, dates=True)
                elif name not in model.model_fields:
                    needles.add_value(value, origin, dates=scoped)

    # -- searching -----------------------------------------------------------------------
    def check(self, texts: Iterable[str], classification: str) -> None:
        """Raise :class:`ClassificationError` if any restricted value shows in ``texts``."""
        haystack = Haystack(texts)
        lexicon: Haystack | None = None
        for kind, values, folder in self._folded():
            keys = [key[0] if isinstance(key, tuple) else key for key in values]
            for folded, origin in zip(folder(keys), values.values(), strict=True):
                hit = _found(haystack, folded, kind)
                if not hit or (origin.record_type, origin.field, folded) in self._shown:
                    continue
                if lexicon is None:
                    lexicon = Haystack([self.lexicon_texts])
                if _found(lexicon, folded, kind):
                    continue
                raise ClassificationError(
                    f"the main part ({classification}) would show {origin.describe()}; nothing "
                    "was written. Reword the highlight that quotes it, or reclassify the record.")

    def _folded(self) -> Iterator[tuple[str, dict[Any, Origin], Any]]:
        yield "code", self.needles.code, fold_code_many
        yield "text", self.needles.text, fold_many
        yield "text", self._stripped_names(), lambda values: values

    def _stripped_names(self) -> dict[str, Origin]:
        """Party names without their legal suffix, already folded."""
        suffixes = set(fold_many(self.policy.guard.legal_suffixes))
        stripped: dict[str, Origin] = {}
        names = list(self.needles.names)
        for folded, origin in zip(fold_many(names), self.needles.names.values(), strict=True):
            tokens = folded.split()
            changed = True
            while changed and len(tokens) > 1:
                changed = False
                for size in (3, 2, 1):
                    if len(tokens) > size and " ".join(tokens[-size:]) in suffixes:
                        del tokens[-size:]
                        changed = True
                        break
            core = " ".join(tokens)
            if core != folded:
                stripped.setdefault(core, origin)
        return stripped


def _found(haystack: Haystack, folded: str, kind: str) -> bool:
    squeezed = squeeze(folded)
    if len(squeezed) < _MIN_ALNUM:
        return False
    if haystack.has_run(folded, kind):
        return True
    minimum = _MIN_SQUEEZED_TEXT if kind == "text" else _MIN_SQUEEZED_CODE
    return len(squeezed) >= minimum and haystack.has_squeezed(squeezed, kind)


def _month_scope(register: Register, month: dt.date) -> dict[str, set[str]]:
    """The records this month's Appendix A details: decisions, subjects, Parties, findings."""
    from assurance.report.panel import next_month

    conn = register.conn
    span = (month.isoformat(), next_month(month).isoformat())
    decisions = conn.execute("SELECT id, subject FROM decisions WHERE date >= ? AND date < ?", span).fetchall()
    subjects = [row[1] for row in decisions]
    scope: dict[str, set[str]] = {"decision": {row[0] for row in decisions}}

    def ids(sql: str, params: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(params), 500):
            chunk = params[start:start + 500]
            found.update(row[0] for row in conn.execute(sql.format(", ".join("?" for _ in chunk)), chunk))
        return found

    scope["assessment"] = ids("SELECT id FROM assessments WHERE id IN ({})", subjects)
    scope["letter"] = ids("SELECT id FROM letters WHERE id IN ({})", subjects)
    scope["assessment"] |= ids("SELECT relates_to FROM letters WHERE id IN ({}) AND relates_to IS NOT NULL",
                               sorted(scope["letter"]))
    scope["finding"] = ids("SELECT id FROM findings WHERE assessment IN ({})", sorted(scope["assessment"]))
    scope["party"] = ids("SELECT party FROM assessments WHERE id IN ({})", sorted(scope["assessment"])) | \
        ids("SELECT party FROM letters WHERE id IN ({})", sorted(scope["letter"]))
    return scope


def public_lexicon(policy: ReportPolicy, register_policy: RegisterPolicy, month: str) -> str:
    """All the words the main part may say by construction: templates and vocabulary."""
    pieces: list[str] = [month]
    for text in _strings(policy.model_dump(exclude={"sources", "guard", "docx"})):
        if isinstance(text, str):
            pieces.extend(re.split(r"\{[^}]*\}", text))
    for text in _strings(register_policy.model_dump(include={"roles", "roles_plural", "kinds", "statuses", "highlights"})):
        if isinstance(text, str):
            pieces.append(text)
    pieces.extend(in_words(n) for n in range(1, 1000))
    return "\n".join(pieces)


def check_ceiling(classification: str, policy: ReportPolicy, register_policy: RegisterPolicy) -> None:
    levels = register_policy.classification
    if not levels.at_most(classification, policy.paper.main_ceiling):
        raise ClassificationError(f"the main part may be at most {policy.paper.main_ceiling}, "
                                  f"not {classification}")
