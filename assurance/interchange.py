"""Import and export of the register: JSON Lines (spec/interchange.md) and CSV per record type, all or nothing.

An import reads every file first (strictly: typed JSON, well-formed CSV), validates every
record's fields, then, under the write lock, checks ids, references and the workflow rules
against the batch and the register together (``workflow.check``, as every write does), and
reports every problem as file:line: field: message. Only a clean batch is written, in that same
transaction, with one audit event per record.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from assurance import workflow
from assurance.models import (
    RECORD_TYPES,
    SQLITE_MAX_INTEGER,
    SQLITE_MIN_INTEGER,
    Record,
    field_errors,
    from_text,
    list_fields,
    unicode_problem,
)
from assurance.policy import RegisterPolicy
from assurance.workflow import SUBJECT_TYPES
from core.db import write_transaction
from core.errors import InputError, InputErrors

if TYPE_CHECKING:
    from assurance.store import Register

#: One record to import: where it came from (file, line) and its fields, `type` included.
Source = tuple[str, int, dict[str, Any]]

#: CSV file names (without .csv) that say which record type a file holds.
CSV_NAMES: dict[str, str] = {
    name: type_name
    for type_name, model in RECORD_TYPES.items()
    for name in (type_name, model.table, *model.descriptor.csv_names)
}

#: CSV columns that hold lists, written `;`-separated in a cell.
CSV_LIST_FIELDS = list_fields()

#: Stop collecting after this many errors: the first screenful is what people act on.
MAX_ERRORS = 200


# -- reading files ----------------------------------------------------------------------------
class _Refused:
    """What the JSON parser puts where a value the interchange refuses stood (found after)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _strict_decoder(refused: list[_Refused]) -> json.JSONDecoder:
    """A JSON decoder that marks NaN, Infinity, numbers that overflow, integers beyond SQLite's
    range and keys given twice (placeholders noted in ``refused``), which json takes silently."""

    def constant(name: str) -> _Refused:
        refused.append(
            _Refused(f"{name} is not a number the interchange allows (JSON has no {name})")
        )
        return refused[-1]

    def integer(text: str) -> int | _Refused:
        if len(text) < 19:
            return int(text)
        value = int(text) if len(text) <= 40 else None
        if value is None or not SQLITE_MIN_INTEGER <= value <= SQLITE_MAX_INTEGER:
            refused.append(
                _Refused(
                    f"the number {text[:24]}{'…' if len(text) > 24 else ''} is beyond "
                    "the 64-bit range a register can store"
                )
            )
            return refused[-1]
        return value

    def real(text: str) -> float | _Refused:
        value = float(text)
        if not math.isfinite(value):
            refused.append(
                _Refused(f"the number {text[:24]} is too large to be a number (it overflows)")
            )
            return refused[-1]
        return value

    def members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data = dict(pairs)
        if len(data) != len(pairs):  # a key given twice: json would keep the last one silently
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    refused.append(_Refused("is given twice in one object; which value is meant?"))
                    data[key] = refused[-1]
                    break
                seen.add(key)
        return data

    return json.JSONDecoder(
        parse_constant=constant, parse_int=integer, parse_float=real, object_pairs_hook=members
    )


def _refused_at(data: Any, where: str = "") -> tuple[str, str] | None:
    """(field, message) of the first refused value in parsed JSON."""
    if isinstance(data, _Refused):
        return where or "(record)", data.message
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        inner = (
            (f"{where}.{key}" if where else str(key))
            if isinstance(data, dict)
            else f"{where}[{key}]"
        )
        if (found := _refused_at(value, inner)) is not None:
            return found
    return None


def read_jsonl(path: str, stream: IO[str]) -> Iterator[Source]:
    """Records of a JSON Lines stream; a line that is not a JSON object is an InputError.

    Strict as the interchange is: NaN, Infinity, a number that overflows, an integer beyond
    SQLite's range and text that is not Unicode (a lone surrogate) are errors naming the field,
    never values silently changed on the way in.
    """
    refused: list[_Refused] = []
    decoder = _strict_decoder(refused)
    # The decoder's scanner, called directly, skips json.loads's two Python layers and its
    # whitespace regexes; anything it does not take cleanly goes to decode for the verdict.
    scan = decoder.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__; typeshed omits it
    decode = decoder.decode
    for number, line in enumerate(stream, start=1):
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]  # a byte-order mark some editors put at the start of a file
        try:
            data, end = scan(line, 0)
            clean = end == len(line) or not line[end:].strip()
        except (StopIteration, ValueError, RecursionError):
            clean = False
        if not clean:
            if not line.strip():
                continue
            try:
                data = decode(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=number
                ) from None
            except RecursionError:
                raise InputError(
                    "nested too deeply to be a record", path=path, line=number
                ) from None
        if refused:
            field, message = _refused_at(data) or ("(record)", refused[0].message)
            raise InputError(message, path=path, line=number, field=field)
        if not isinstance(data, dict):
            raise InputError("expected a JSON object with a `type`", path=path, line=number)
        # JSON's \ud800 escapes (or undecodable input bytes) can make text that is not Unicode.
        if "\\u" in line or not line.isascii():
            problem = unicode_problem(data)
            if problem is not None:
                raise InputError(problem[1], path=path, line=number, field=problem[0])
        yield path, number, data


def csv_type(path: str, header: list[str], type_name: str | None) -> str | None:
    """How a CSV file says its record type: --type, a `type` column, or its name (parties.csv)."""
    if type_name is not None:
        return type_name
    if "type" in header:
        return None  # per row
    stem = Path(path).stem.lower().replace("-", "_")
    found = CSV_NAMES.get(stem)
    if found is None:
        raise InputError(
            "cannot tell the record type: add a `type` column, name the file after the type "
            "(e.g. parties.csv, findings.csv), or pass --type",
            path=path,
            line=1,
        )
    return found


def read_csv(path: str, stream: IO[str], type_name: str | None = None) -> Iterator[Source]:
    """Records of a CSV file with a header row; empty cells are absent fields.

    Strict, so that no row is ever lost or merged into another: a quote left open (which
    would swallow every later row), a stray quote, a row with more or fewer cells than the
    header, a NUL, or a byte-order mark anywhere but the very start is an error naming the line.
    """
    reader = csv.reader(stream, strict=True)
    rows = _strict_rows(path, reader)
    try:
        header = [name.strip() for name in next(rows)[1]]
    except StopIteration:
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = (
            header[0].removeprefix("\ufeff").strip()
        )  # a byte-order mark from spreadsheet exports
    _check_cells(path, 1, header)
    if "id" not in header:
        raise InputError("the header row has no `id` column", path=path, line=1, field="id")
    named = [name for name in header if name]
    if len(set(named)) != len(named):
        twice = next(name for name in named if named.count(name) > 1)
        raise InputError(
            f"the column {twice!r} appears twice in the header", path=path, line=1, field=twice
        )
    fixed = csv_type(path, header, type_name)
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        _check_cells(path, number, cells)
        if len(cells) != len(header):
            raise InputError(
                f"{len(cells)} cells but the header has {len(header)} (a stray quote "
                "or separator?)",
                path=path,
                line=number,
            )
        data: dict[str, Any] = {}
        for position, (name, cell) in enumerate(zip(header, cells, strict=True), start=1):
            if cell == "":
                continue
            if not name:
                raise InputError(
                    f"cell {position} has a value but its column has no name in the header",
                    path=path,
                    line=number,
                )
            data[name] = (
                [part.strip() for part in cell.split(";") if part.strip()]
                if name in CSV_LIST_FIELDS
                else cell
            )
        row_type = fixed if fixed is not None else data.get("type")
        model = RECORD_TYPES.get(row_type) if isinstance(row_type, str) else None
        if model is not None:
            data = from_text(
                model, data
            )  # CSV is text: "260000" is the number a JSON file would give
        if fixed is not None:
            if data.get("type", fixed) != fixed:
                raise InputError(
                    f"the row says {data['type']!r} but the file is read as {fixed!r}",
                    path=path,
                    line=number,
                    field="type",
                )
            data["type"] = fixed
        yield path, number, data


def _strict_rows(path: str, reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(the line a row starts on, its cells), a malformed row an InputError naming its line."""
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                f"malformed CSV ({exc}): check the quotes from this row on",
                path=path,
                line=last + 1,
            ) from None
        yield last + 1, cells
        last = reader.line_num


def _check_cells(path: str, line: int, cells: list[str]) -> None:
    for cell in cells:
        if "\x00" in cell:
            raise InputError(
                "a NUL character in a cell (is this a binary file?)", path=path, line=line
            )
        if "\ufeff" in cell:
            raise InputError(
                "a byte-order mark inside the file (files joined together?)", path=path, line=line
            )


def read_paths(
    paths: Iterable[Path | str], *, type_name: str | None = None, stdin: IO[str] | None = None
) -> list[Source]:
    """Every record of the files (``-`` for stdin); CSV by the `.csv` suffix, else JSON Lines."""
    sources: list[Source] = []
    for path in paths:
        name = str(path)
        if name == "-":
            if stdin is None:
                raise InputError("no standard input to read", path="-")
            sources.extend(read_jsonl("<stdin>", stdin))
            continue
        try:
            with open(path, encoding="utf-8", newline="") as stream:
                if name.lower().endswith(".csv"):
                    sources.extend(read_csv(name, stream, type_name))
                else:
                    sources.extend(read_jsonl(name, stream))
        except FileNotFoundError:
            raise InputError("no such file", path=name) from None
        except IsADirectoryError:
            raise InputError("is a directory; give the files to import", path=name) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=name) from None
    return sources


# -- validating a batch -----------------------------------------------------------------------
class _Errors:
    """Errors of a batch, each naming file:line: field (the first MAX_ERRORS kept)."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, path: str, line: int, field: str | None, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(InputError(message, path=path, line=line, field=field))

    def raise_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)


#: The id namespace of each record type: assessments and letters share one.
_NAMESPACE = {name: "subject" if name in SUBJECT_TYPES else name for name in RECORD_TYPES}


def parse_batch(
    sources: Iterable[Source], policy: RegisterPolicy, errors: _Errors
) -> tuple[list[Record], list[tuple[str, int]]]:
    """Each source's fields validated into its model (no register needed: done before the lock).

    Returns the records and where each came from; ids used twice in the batch (within a type,
    or across assessments and letters) are reported and only the first kept.
    """
    context = {"policy": policy}
    seen: dict[str, dict[str, tuple[str, str, int]]] = {
        space: {} for space in set(_NAMESPACE.values())
    }
    validators = {name: model.model_validate for name, model in RECORD_TYPES.items()}
    records: list[Record] = []
    where: list[tuple[str, int]] = []
    for path, line, data in sources:
        given = data.get("type")
        type_name = given if isinstance(given, str) and given in validators else None
        if type_name is None:
            expected = ", ".join(RECORD_TYPES)
            errors.add(
                path,
                line,
                "type",
                f"expected one of {expected}, got {given!r}"
                if given
                else f"is required (one of {expected})",
            )
            continue
        validate = validators[type_name]
        fields = dict(data)  # the caller's dict stays as it was
        del fields["type"]
        try:
            record = validate(fields, context=context)
        except ValidationError as exc:
            for field, message in field_errors(exc):
                errors.add(path, line, field, message)
            continue
        ids = seen[_NAMESPACE[type_name]]
        first = ids.get(record.id)
        if first is not None:
            first_type, first_path, first_line = first
            what = (
                f"{type_name} {record.id!r} appears twice"
                if first_type == type_name
                else (
                    f"{record.id!r} is also the id of {first_type} (assessments and letters share one namespace)"
                )
            )
            errors.add(path, line, "id", f"{what} (first at {first_path}:{first_line})")
            continue
        ids[record.id] = (type_name, path, line)
        records.append(record)
        where.append((path, line))
    return records, where


def check_batch(
    register: Register, records: list[Record], where: list[tuple[str, int]], errors: _Errors
) -> None:
    """Each record against the register and the rest of the batch (``workflow.check_batch``)."""
    for problem in workflow.check_batch(register, records, where, MAX_ERRORS - len(errors.errors)):
        errors.errors.append(problem)


def validate_batch(register: Register, sources: Iterable[Source]) -> list[Record]:
    """The records of ``sources`` validated against each other and the register.

    Raises InputErrors naming every bad file:line:field; returns the records otherwise. To
    write them, prefer :func:`import_sources`, which checks under the write lock.
    """
    errors = _Errors()
    records, where = parse_batch(sources, register.policy, errors)
    check_batch(register, records, where, errors)
    errors.raise_any()
    return records


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of one batch.

    A batch allocates hundreds of thousands of objects that form no cycles (parsed lines,
    models, rows), which reference counting frees; the collector's repeated passes over them
    cost an import of 100,000 records more time than pydantic's validation does.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_sources(
    register: Register, sources: list[Source], *, reason: str | None = None
) -> list[Record]:
    """Validate and write a batch, all or nothing; return the records written.

    Fields are validated first; references, ids and the workflow are checked inside the write
    transaction (``Register.add_many``), against the register as it is under the lock (a
    record withdrawn meanwhile by another process cannot get new records written onto it).
    """
    with _collector_paused():
        errors = _Errors()
        records, where = parse_batch(sources, register.policy, errors)
        if errors.errors:  # report the batch's own problems and the register's together
            with write_transaction(register.conn):
                check_batch(register, records, where, errors)
            errors.raise_any()
        if records:
            register.add_many(records, reason=reason, where=where)
    return records


def import_paths(
    register: Register,
    paths: Iterable[Path | str],
    *,
    type_name: str | None = None,
    stdin: IO[str] | None = None,
    reason: str | None = None,
) -> list[Record]:
    """Read, validate and write files (JSON Lines, or CSV per record type), all or nothing."""
    if type_name is not None and type_name not in RECORD_TYPES:
        raise InputError(
            f"unknown record type {type_name!r}; expected one of {', '.join(RECORD_TYPES)}",
            field="--type",
        )
    with _collector_paused():
        return import_sources(
            register, read_paths(paths, type_name=type_name, stdin=stdin), reason=reason
        )


# -- export -----------------------------------------------------------------------------------
#: One record per line, keys in the interchange's order (made once: json.dumps with options
#: builds an encoder per call).
_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def export_lines(register: Register) -> Iterator[str]:
    """The whole register as JSON Lines, withdrawn records included (one read transaction)."""
    encode = _LINE.encode
    register.conn.execute("BEGIN")
    try:
        for state in register.interchange_objects():
            yield encode(state) + "\n"
    finally:
        register.conn.execute("COMMIT")


def export(register: Register, stream: IO[str]) -> int:
    """Write the register to ``stream`` as JSON Lines; return the number of records."""
    count = 0
    for line in export_lines(register):
        stream.write(line)
        count += 1
    return count
