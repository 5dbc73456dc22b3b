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
import functools
import json
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assurance.models import RECORD_TYPES, Record
from assurance.policy import RegisterPolicy
from assurance.report.fold import Haystack, fold_code_many, fold_many
from assurance.report.policy import ReportPolicy
from assurance.report.words import MONTHS, in_words, month_label
from assurance.store import Register
from core.errors import SSCError

#: Fields whose values are policy vocabulary (checked against policy on load), not free text.
_VOCABULARY = frozenset(
    {"classification", "roles", "kind", "status", "severity", "committee", "sec_ref"}
)
#: Fields of no evidential value: when a record was withdrawn.
_SKIP = frozenset({"withdrawn", "type"})
#: A squeezed needle shorter than this would match by accident across word boundaries.
_MIN_SQUEEZED_TEXT = 8
_MIN_SQUEEZED_CODE = 6
#: A needle with fewer letters and digits than this is no evidence ("P1", "ok").
_MIN_ALNUM = 3
#: An id, number or date needs this many (``a3_2`` would match "Appendix A. 3.2").
_MIN_ALNUM_CODE = 4
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
        what = (
            f"the {self.field}"
            if self.event is None
            else f"an earlier {self.field} (audit event {self.event})"
        )
        return f"{what} of {self.record_type} {self.record_id}, which is {self.classification}"


@dataclass(frozen=True)
class _Fields:
    text: tuple[str, ...]
    numbers: tuple[str, ...]
    dates: tuple[str, ...]


def _bare(annotation: Any) -> Any:
    """``int`` for ``Annotated[int, …]`` (the models' strict Integer, Date, Timestamp types)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _fields(model: type[Record]) -> _Fields:
    """A record type's declared fields by what the tripwire does with them (from the model)."""
    text, numbers, dates = [], [], []
    references = {*model.references, "subject"}
    for name, info in model.model_fields.items():
        if name in _VOCABULARY or name in _SKIP or name in references or name == "id":
            continue
        args = {_bare(arg) for arg in typing.get_args(info.annotation) or (info.annotation,)}
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
    if (
        len(digits) < policy.guard.min_digits
        or len(significant) < policy.guard.min_significant_digits
    ):
        return []
    return [digits, f"{abs(value):,}"]


def date_forms(day: dt.date) -> list[str]:
    """A date as papers and people write it."""
    month = MONTHS[day.month - 1]
    suffix = (
        "th" if 10 <= day.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    )
    return [
        f"{day.day}{suffix} {month} {day.year}",
        f"{month} {day.day}{suffix}, {day.year}",
        day.isoformat(),
        f"{day.day} {month} {day.year}",
        f"{day.day:02d} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        day.strftime("%Y%m%d"),
    ]  # 04.12.2019 and 04-12-2019 fold as 04/12/2019 does


def _strings(value: object) -> Iterator[str | int | float]:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@dataclass
class _Batch:
    """Restricted values of one field of one record type, folded to search keys at once."""

    kind: str  # "text" (full TS #39 fold) or "code" (ids, numbers, dates)
    #: Folded tokens, space-separated (found as a run of whole tokens)...
    keys: list[str]
    #: ...and squeezed (found anywhere in the squeezed text, when long enough).
    squeezed: list[str]
    #: The origin of ``keys[i]``, worked out only for a hit.
    resolve: Callable[[int], Origin]
    keyset: set[str] = field(default_factory=set)
    squeezed_set: set[str] = field(default_factory=set)


def _keys(values: list[str], kind: str) -> list[str]:
    return fold_many(values) if kind == "text" else fold_code_many(values)


def _squeezed(keys: list[str]) -> list[str]:
    return "\x00".join(keys).replace(" ", "").split("\x00") if keys else []


def _eligible_anywhere(key: str, kind: str) -> bool:
    """Long enough to be found anywhere without matching by accident across words; a run of
    digits never (``June 2019`` then ``3.5`` reads ``201935``)."""
    if kind == "text":
        return len(key) >= _MIN_SQUEEZED_TEXT
    return len(key) >= _MIN_SQUEEZED_CODE and not key.isdigit()


class Tripwire:
    """Every distinctive value above ``ceiling`` in one register, ready to search documents for.

    Values are read column by column (distinct values in SQL), folded to search keys in one
    pass per column, and looked up as sets against the document's token runs and squeezed
    text: the cost is a few passes in C over the register's distinctive values, not a Python
    loop per record. Which record holds a value comes from the same scan; the register is not
    read again after construction (a rendering may happen after it is closed).
    """

    def __init__(
        self,
        register: Register,
        ceiling: str,
        month: dt.date,
        policy: ReportPolicy,
        shown: Iterable[Record] = (),
        counts: Iterable[int] = (),
    ) -> None:
        self.ceiling = ceiling
        self.policy = policy
        levels = register.policy.classification
        self._allowed = [level for level in levels.order if levels.at_most(level, ceiling)]
        self._conn = register.conn
        self.lexicon_texts = public_lexicon(policy, register.policy, month_label(month))
        self._lexicon: Haystack | None = None
        self._batches: list[_Batch] = []
        in_month = _month_scope(register, month)
        marks = ", ".join("?" for _ in self._allowed)
        self._restricted = f"classification NOT IN ({marks})"
        for type_name, model in RECORD_TYPES.items():
            fields = _fields(model)
            self._table(type_name, model, fields, in_month.get(type_name, set()))
        self._evidence()
        self._earlier(register, in_month)
        self._finish()
        del self._conn
        # What the report shows legitimately (records at or below it), by type and field: the
        # same title on a GREEN highlight of another month is no leak from this WHITE one.
        shown_values = [
            (record.type_name, name, value)
            for record in shown
            for name, value in record.to_interchange().items()
            if isinstance(value, str)
        ]
        self._shown = {
            (type_name, name, key)
            for (type_name, name, _), key in zip(
                shown_values, _keys([v for _, _, v in shown_values], "text"), strict=True
            )
        }
        # The report's own counts, written in figures above the policy's words.up_to: a Party
        # with 1,052 premises is no leak from a month of 1,052 decisions.
        self._counts = set(
            fold_code_many([form for n in set(counts) for form in (str(n), f"{n:,}")])
        )

    # -- gathering -----------------------------------------------------------------------
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, (*self._allowed, *params)).fetchall()

    def _add(self, kind: str, values: list[str], resolve: Callable[[int], Origin]) -> None:
        if values:
            keys = _keys(values, kind)
            self._batches.append(_Batch(kind, keys, _squeezed(keys), resolve))

    def _table(
        self, type_name: str, model: type[Record], fields: _Fields, scoped: set[str]
    ) -> None:
        """One scan of a table's restricted rows, transposed in C: ids; each text and number
        column's distinct values with the first record holding each; extras; dates in scope."""
        names = [*fields.text, *fields.numbers]
        rows = self._rows(
            f"SELECT {', '.join(['id', 'classification', 'extra', *names])} "
            f"FROM {model.table} WHERE {self._restricted}"
        )
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        ids, levels, extras = columns[0], columns[1], columns[2]
        self._add("code", list(ids), lambda i: Origin(type_name, ids[i], "id", levels[i]))
        least = 10 ** (self.policy.guard.min_digits - 1)
        for name, column in zip(names, columns[3:], strict=True):
            # value -> index of the first row holding it (later rows are written first).
            first = dict(zip(reversed(column), range(len(column) - 1, -1, -1), strict=True))
            first.pop(None, None)
            if name in fields.text:
                values, where = list(first), list(first.values())

                def origin(i: int, name: str = name, where: list[int] = where) -> Origin:
                    return Origin(type_name, ids[where[i]], name, levels[where[i]])

                self._add("text", values, origin)
                if type_name == "party" and name == "name":
                    cores, core_of = self._without_suffix(values)
                    self._add("text", cores, _through(origin, core_of))
            else:
                forms, where = self._number_keys(first, least)
                self._add("code", forms, _rows_origin(type_name, name, ids, levels, where))
        found: list[tuple[str, str, Origin]] = []
        for index in [i for i, extra in enumerate(extras) if extra]:
            try:
                extra = json.loads(extras[index])
            except ValueError:
                extra = {"extra": extras[index]}
            items = extra.items() if isinstance(extra, dict) else [("extra", extra)]
            for name, value in items:
                found.extend(
                    _values(
                        value,
                        Origin(type_name, ids[index], name, levels[index]),
                        ids[index] in scoped,
                        self.policy,
                    )
                )
        self._add_found(found)
        self._dates(type_name, model, fields, scoped)

    def _evidence(self) -> None:
        """Evidence above the report: each file's name (with and without its suffix) and hash
        (whole and as Appendix A shortens it); evidence is a register record like any other."""
        from assurance.evidence.store import has_schema
        from assurance.report.evidence import SHORT_HASH

        if not has_schema(self._conn):
            return
        rows = self._rows(
            f"SELECT id, classification, name, sha256 FROM evidence WHERE {self._restricted}"
        )
        if not rows:
            return
        ids, levels, names, hashes = (list(column) for column in zip(*rows, strict=True))
        stems = [name.rsplit(".", 1)[0] for name in names]
        self._add(
            "text",
            names + stems,
            lambda i: Origin("evidence", ids[i % len(ids)], "name", levels[i % len(ids)]),
        )
        self._add(
            "code",
            hashes + [h[:SHORT_HASH] for h in hashes],
            lambda i: Origin("evidence", ids[i % len(ids)], "sha256", levels[i % len(ids)]),
        )

    def _number_keys(self, first: dict[Any, int], least: int) -> tuple[list[str], list[int]]:
        """Each distinctive number's two forms ("1150000", "1,150,000") with the row it came
        from; in bulk (a Party table has a number per Party)."""
        numbers = [value for value in first if type(value) is int and abs(value) >= least]
        digits = list(map(str, map(abs, numbers)))
        significant = list(map(len, map(str.rstrip, digits, ["0"] * len(digits))))
        wanted = self.policy.guard.min_significant_digits
        chosen = [i for i, n in enumerate(significant) if n >= wanted]
        grouped = list(map("{:,}".format, [abs(numbers[i]) for i in chosen]))
        forms: list[str] = []
        where: list[int] = []
        for i, comma in zip(chosen, grouped, strict=True):
            forms += (digits[i], comma)
            row = first[numbers[i]]
            where += (row, row)
        others = [value for value in first if type(value) is float and abs(value) >= least]
        for value in others:  # a REAL in an integer column: rare, one by one
            for form in (number_forms(value, self.policy) * 2)[:2]:
                forms.append(form)
                where.append(first[value])
        return forms, where

    def _without_suffix(self, names: list[str]) -> tuple[list[str], list[int]]:
        """Party names without their legal suffixes ("Pennine Power Supply plc" -> "Pennine Power
        Supply"), with the index of the name each came from; in one pass over all names."""
        suffixes = sorted(set(fold_many(self.policy.guard.legal_suffixes)), key=len, reverse=True)
        trailing = re.compile(
            "(?: (?:" + "|".join(re.escape(s) for s in suffixes if s) + "))+(?=\x00|$)"
        )
        folded = fold_many(names)
        stripped = trailing.sub("", "\x00".join(folded)).split("\x00")
        where = [
            i
            for i, (before, after) in enumerate(zip(folded, stripped, strict=True))
            if before != after
        ]
        return [stripped[i] for i in where], where

    def _dates(
        self, type_name: str, model: type[Record], fields: _Fields, scoped: set[str]
    ) -> None:
        """The dates of this month's records (but the policy's public ones), as papers write them."""
        found: list[tuple[str, str, Origin]] = []
        public = set(self.policy.guard.public_dates)
        dates = [name for name in fields.dates if f"{type_name}.{name}" not in public]
        first: dict[str, Origin] = {}  # many records share a day: each day's forms once
        if scoped and dates:
            ids = sorted(scoped)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for row in self._rows(
                    f"SELECT id, classification, {', '.join(dates)} FROM {model.table} "
                    f"WHERE {self._restricted} AND id IN ({', '.join('?' for _ in chunk)})",
                    chunk,
                ):
                    for name, value in zip(dates, row[2:], strict=True):
                        if value and value not in first:
                            first[value] = Origin(type_name, row[0], name, row[1])
        for value, origin in first.items():
            found.extend(_values(value, origin, True, self.policy))
        self._add_found(found)

    def _add_found(self, found: list[tuple[str, str, Origin]]) -> None:
        for kind in ("text", "code"):
            chosen = [(value, origin) for k, value, origin in found if k == kind]
            self._add(
                kind, [value for value, _ in chosen], _listed([origin for _, origin in chosen])
            )

    def _earlier(self, register: Register, in_month: dict[str, set[str]]) -> None:
        """Values records held before an edit (the audit trail's before-states) that were, or
        whose record now is, above the ceiling; not a value the record still shows at or below it."""
        cursor = register.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT seq, entity, entity_id, before FROM audit_events "
            "WHERE before IS NOT NULL AND action != 'withdraw'"
        ).fetchall()
        found: list[tuple[str, str, Origin]] = []
        current: dict[tuple[str, str], dict[str, Any]] = {}
        public = set(self.policy.guard.public_dates)
        for seq, entity, entity_id, before in rows:
            model = RECORD_TYPES.get(entity)
            if model is None:
                continue
            try:
                state = json.loads(before)
            except ValueError:
                continue
            if not isinstance(state, dict):
                continue
            key = (entity, entity_id)
            if key not in current:
                record = register.get(entity, entity_id)
                current[key] = record.to_interchange() if record else {}
            now = current[key]
            now_level = now.get("classification")
            then = state.get("classification")
            if then in self._allowed and now_level in self._allowed:
                continue
            level = str(then) if then not in self._allowed else str(now_level)
            fields = _fields(model)
            scoped = entity_id in in_month.get(entity, set())
            for name, value in state.items():
                if name in _SKIP or name in _VOCABULARY or name == "id":
                    continue
                if now_level in self._allowed and now.get(name) == value:
                    continue  # declassified with this very value: the report may show it
                origin = Origin(entity, entity_id, name, level, seq)
                if name in fields.dates:
                    if scoped and f"{entity}.{name}" not in public:
                        found.extend(_values(value, origin, True, self.policy))
                elif (
                    name in fields.text or name in fields.numbers or name not in model.model_fields
                ):
                    found.extend(_values(value, origin, scoped, self.policy))
        self._add_found(found)

    def _finish(self) -> None:
        """Drop keys too short to be evidence; gather the squeezed keys to find anywhere: text
        ones indexed by their first characters, ids by their lengths (few: ids share a form)."""
        self._index: dict[str, list[str]] = {}
        self._code_lengths: set[int] = set()
        for batch in self._batches:
            least = _MIN_ALNUM if batch.kind == "text" else _MIN_ALNUM_CODE
            batch.keyset = set(batch.keys)
            if min(map(len, batch.squeezed), default=least) < least:
                batch.keyset = {
                    key
                    for key, short in zip(batch.keys, batch.squeezed, strict=True)
                    if len(short) >= least
                }
            if batch.kind == "text":
                batch.squeezed_set = {
                    key for key in batch.squeezed if len(key) >= _MIN_SQUEEZED_TEXT
                }
                for key in batch.squeezed_set:
                    self._index.setdefault(key[:_MIN_SQUEEZED_TEXT], []).append(key)
            elif min(map(len, batch.squeezed), default=0) >= _MIN_SQUEEZED_CODE and not any(
                map(str.isdigit, batch.squeezed)
            ):
                batch.squeezed_set = set(batch.squeezed)  # the usual id column: all eligible
                self._code_lengths.update(map(len, batch.squeezed_set))
            elif "".join(batch.squeezed).isdigit():
                batch.squeezed_set = set()  # numbers: runs of digits meet by accident
            else:
                batch.squeezed_set = {
                    key
                    for key in batch.squeezed
                    if len(key) >= _MIN_SQUEEZED_CODE and not key.isdigit()
                }
                self._code_lengths.update(map(len, batch.squeezed_set))

    # -- searching -----------------------------------------------------------------------
    def check(self, texts: Iterable[str], classification: str) -> None:
        """Raise :class:`ClassificationError` if any restricted value shows in ``texts``."""
        haystack = Haystack(texts)
        anywhere = {
            "text": haystack.anywhere(self._index, _MIN_SQUEEZED_TEXT, "text"),
            "code": haystack.pieces(self._code_lengths, "code"),
        }
        for batch in self._batches:
            aligned = batch.keyset & haystack.aligned[batch.kind]
            squeezed = batch.squeezed_set & anywhere[batch.kind]
            hits = sorted(
                [(batch.keys.index(key), key) for key in aligned]
                + [(batch.squeezed.index(key), key) for key in squeezed]
            )
            for index, key in hits:
                origin = batch.resolve(index)
                key = batch.keys[index]
                if (origin.record_type, origin.field, key) in self._shown:
                    continue
                if batch.kind == "code" and key in self._counts:
                    continue
                if self._lexicon is None:
                    self._lexicon = _lexicon_haystack(self.lexicon_texts)
                if self._lexicon.contains(
                    key,
                    batch.squeezed[index],
                    batch.kind,
                    _eligible_anywhere(batch.squeezed[index], batch.kind),
                ):
                    continue
                raise ClassificationError(
                    f"the main part ({classification}) would show {origin.describe()}; nothing "
                    "was written. Reword the highlight that quotes it, or reclassify the record."
                )


def _through(origin: Callable[[int], Origin], where: list[int]) -> Callable[[int], Origin]:
    return lambda i: origin(where[i])


def _rows_origin(
    type_name: str, name: str, ids: Sequence[str], levels: Sequence[str], where: list[int]
) -> Callable[[int], Origin]:
    return lambda i: Origin(type_name, ids[where[i]], name, levels[where[i]])


def _listed(origins: list[Origin]) -> Callable[[int], Origin]:
    return origins.__getitem__


def _values(
    value: object, origin: Origin, dates: bool, policy: ReportPolicy
) -> list[tuple[str, str, Origin]]:
    """Search values of one field's value (an extra's, an earlier state's), whatever its name:
    text as text, distinctive numbers and (for this month's records) dates as codes."""
    found: list[tuple[str, str, Origin]] = []
    for item in _strings(value):
        if isinstance(item, str):
            if item.strip():
                found.append(("text", item, origin))
            if dates and _ISO_DATE.match(item):
                with contextlib.suppress(ValueError):
                    found.extend(
                        ("code", form, origin) for form in date_forms(dt.date.fromisoformat(item))
                    )
        else:
            found.extend(("code", form, origin) for form in number_forms(item, policy))
    return found


def _month_scope(register: Register, month: dt.date) -> dict[str, set[str]]:
    """The records this month's Appendix A details: decisions, subjects, Parties, findings."""
    from assurance.report.panel import next_month

    conn = register.conn
    span = (month.isoformat(), next_month(month).isoformat())
    decisions = conn.execute(
        "SELECT id, subject FROM decisions WHERE date >= ? AND date < ?", span
    ).fetchall()
    subjects = [row[1] for row in decisions]
    scope: dict[str, set[str]] = {"decision": {row[0] for row in decisions}}

    def ids(sql: str, params: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(params), 500):
            chunk = params[start : start + 500]
            found.update(
                row[0] for row in conn.execute(sql.format(", ".join("?" for _ in chunk)), chunk)
            )
        return found

    scope["assessment"] = ids("SELECT id FROM assessments WHERE id IN ({})", subjects)
    scope["letter"] = ids("SELECT id FROM letters WHERE id IN ({})", subjects)
    scope["assessment"] |= ids(
        "SELECT relates_to FROM letters WHERE id IN ({}) AND relates_to IS NOT NULL",
        sorted(scope["letter"]),
    )
    scope["finding"] = ids(
        "SELECT id FROM findings WHERE assessment IN ({})", sorted(scope["assessment"])
    )
    scope["party"] = ids(
        "SELECT party FROM assessments WHERE id IN ({})", sorted(scope["assessment"])
    ) | ids("SELECT party FROM letters WHERE id IN ({})", sorted(scope["letter"]))
    return scope


@functools.lru_cache(maxsize=4)
def _lexicon_haystack(text: str) -> Haystack:
    return Haystack([text])


def public_lexicon(policy: ReportPolicy, register_policy: RegisterPolicy, month: str) -> str:
    """All the words the main part may say by construction: templates and vocabulary."""
    pieces: list[str] = [month]
    for text in _strings(policy.model_dump(exclude={"sources", "guard", "docx"})):
        if isinstance(text, str):
            pieces.extend(re.split(r"\{[^}]*\}", text))
    for text in _strings(
        register_policy.model_dump(
            include={"roles", "roles_plural", "kinds", "statuses", "highlights"}
        )
    ):
        if isinstance(text, str):
            pieces.append(text)
    pieces.extend(in_words(n) for n in range(1, 1000))
    return "\n".join(pieces)


def check_ceiling(
    classification: str, policy: ReportPolicy, register_policy: RegisterPolicy
) -> None:
    levels = register_policy.classification
    if not levels.at_most(classification, policy.paper.main_ceiling):
        raise ClassificationError(
            f"the main part may be at most {policy.paper.main_ceiling}, not {classification}"
        )
