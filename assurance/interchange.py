"""Import and export of the register: JSON Lines (spec/interchange.md) and CSV per record type, all or nothing.

An import reads every file first, validates every record (fields, then references and the
workflow rules against the batch and the register together, in memory), and reports every
problem as file:line: field: message. Only a clean batch is written, in one transaction with
one audit event per record.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from assurance.models import RECORD_TYPES, Decision, DirectorsLetter, Record, field_errors
from ssc.errors import InputError, InputErrors

if TYPE_CHECKING:
    from assurance.store import Register

#: One record to import: where it came from (file, line) and its fields, `type` included.
Source = tuple[str, int, dict[str, Any]]

#: CSV file names (without .csv) that say which record type a file holds.
CSV_NAMES: dict[str, str] = {
    **{name: name for name in RECORD_TYPES},
    "parties": "party", "assessments": "assessment", "letters": "letter",
    "directors_letters": "letter", "decisions": "decision", "findings": "finding",
    "highlights": "highlight",
}

#: CSV columns that hold lists, written `;`-separated in a cell.
CSV_LIST_FIELDS = {"roles"}

#: Stop collecting after this many errors: the first screenful is what people act on.
MAX_ERRORS = 200


# -- reading files ----------------------------------------------------------------------------
def read_jsonl(path: str, stream: IO[str]) -> Iterator[Source]:
    """Records of a JSON Lines stream; a line that is not a JSON object is an InputError."""
    # The decoder's scanner, called directly, skips json.loads's two Python layers and its
    # whitespace regexes; anything it does not take cleanly goes to json.loads for the verdict.
    scan, loads = json.JSONDecoder().scan_once, json.loads
    for number, line in enumerate(stream, start=1):
        try:
            data, end = scan(line, 0)
            clean = end == len(line) or not line[end:].strip()
        except (StopIteration, ValueError):
            clean = False
        if not clean:
            if not line.strip():
                continue
            try:
                data = loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=number) from None
        if not isinstance(data, dict):
            raise InputError("expected a JSON object with a `type`", path=path, line=number)
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
            "(e.g. parties.csv, findings.csv), or pass --type", path=path, line=1)
    return found


def read_csv(path: str, stream: IO[str], type_name: str | None = None) -> Iterator[Source]:
    """Records of a CSV file with a header row; empty cells are absent fields."""
    reader = csv.reader(stream)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0].removeprefix("\ufeff")  # a byte-order mark from spreadsheet exports
    if "id" not in header:
        raise InputError("the header row has no `id` column", path=path, line=1, field="id")
    fixed = csv_type(path, header, type_name)
    last = 1
    for cells in reader:
        number = last + 1  # the line the row starts on (a quoted cell may span lines)
        last = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise InputError(f"{len(cells)} cells but the header has {len(header)}", path=path, line=number)
        data: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            if cell == "" or not name:
                continue
            data[name] = [part.strip() for part in cell.split(";") if part.strip()] if name in CSV_LIST_FIELDS else cell
        if fixed is not None:
            data["type"] = fixed
        yield path, number, data


def read_paths(paths: Iterable[Path | str], *, type_name: str | None = None,
               stdin: IO[str] | None = None) -> list[Source]:
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
def validate_batch(register: Register, sources: Iterable[Source]) -> list[Record]:
    """The records of ``sources`` validated against each other and the register.

    Raises InputErrors naming every bad file:line:field; returns the records otherwise.
    """
    policy = register.policy
    context = {"policy": policy}
    errors: list[InputError] = []

    def error(path: str, line: int, field: str | None, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append(InputError(message, path=path, line=line, field=field))

    # What the register holds: ids per type (id -> withdrawn), assessments' Party and kind.
    conn = register.conn
    existing: dict[str, dict[str, bool]] = {
        type_name: dict(conn.execute(f"SELECT id, withdrawn IS NOT NULL FROM {model.table}"))
        for type_name, model in RECORD_TYPES.items()
    }
    assessment_info: dict[str, tuple[str, str]] = {
        aid: (party, kind) for aid, party, kind in conn.execute("SELECT id, party, kind FROM assessments")
    }
    letter_ids = set(existing["letter"])

    # Fields, then ids unique per type across the batch and the register (in memory, no per-row SQL).
    batch: dict[str, dict[str, int]] = {name: {} for name in RECORD_TYPES}
    validators = {name: model.model_validate for name, model in RECORD_TYPES.items()}
    records: list[Record] = []
    where: list[tuple[str, int]] = []
    for path, line, data in sources:
        type_name = data.get("type")
        validate = validators.get(type_name) if isinstance(type_name, str) else None
        if validate is None:
            expected = ", ".join(RECORD_TYPES)
            error(path, line, "type", f"expected one of {expected}, got {type_name!r}" if type_name
                  else f"is required (one of {expected})")
            continue
        fields = dict(data)  # the caller's dict stays as it was
        del fields["type"]
        try:
            record = validate(fields, context=context)
        except ValidationError as exc:
            for field, message in field_errors(exc):
                error(path, line, field, message)
            continue
        record_id = record.id
        ids = batch[type_name]
        if record_id in existing[type_name]:
            error(path, line, "id", f"a {type_name} with id {record_id!r} is already in the register")
        elif record_id in ids:
            first_path, first_line = where[ids[record_id]]
            error(path, line, "id", f"{type_name} {record_id!r} appears twice (first at {first_path}:{first_line})")
        else:
            ids[record_id] = len(records)
        if type_name == "assessment":
            assessment_info.setdefault(record_id, (record.party, record.kind))
        elif type_name == "letter":
            letter_ids.add(record_id)
        records.append(record)
        where.append((path, line))

    decisions: list[tuple[int, Decision, str]] = []
    for index, record in enumerate(records):
        path, line = where[index]
        for field, type_name in record.references.items():
            target = getattr(record, field)
            if target is None:
                continue
            if target not in batch[type_name] and target not in existing[type_name]:
                error(path, line, field, f"no {type_name} with id {target!r} in the files or the register")
            elif record.withdrawn is None and existing[type_name].get(target):
                error(path, line, field, f"{type_name} {target} is withdrawn")
        if isinstance(record, DirectorsLetter) and record.relates_to in assessment_info:
            party = assessment_info[record.relates_to][0]
            if party != record.party:
                error(path, line, "relates_to",
                      f"assessment {record.relates_to} is of Party {party}, not {record.party}")
        elif isinstance(record, Decision):
            in_assessments = record.subject in assessment_info
            in_letters = record.subject in letter_ids
            if in_assessments and in_letters:
                error(path, line, "subject", f"{record.subject!r} is both an assessment and a letter id; cannot tell which")
            elif in_assessments:
                decisions.append((index, record, policy.vocabulary_for_kind(assessment_info[record.subject][1])))
            elif in_letters:
                decisions.append((index, record, "letter"))
            else:
                error(path, line, "subject", f"no assessment or letter with id {record.subject!r} in the files or the register")

    _check_decisions(register, decisions, where, error)
    if errors:
        raise InputErrors(errors)
    return records


def _check_decisions(register: Register, decisions: list[tuple[int, Decision, str]],
                     where: list[tuple[str, int]], error) -> None:
    """Each decision's status in its subject's vocabulary, reachable from the one before it.

    Decisions on one subject, from the batch and the register, are taken in date order (the
    register's first on the same date), so a file may list them in any order.
    """
    policy = register.policy
    chains: dict[str, list[tuple[str, int, str, int | None]]] = {}
    subjects = {decision.subject for _, decision, _ in decisions}
    if subjects:
        for subject, date, status in register.conn.execute(
            "SELECT subject, date, status FROM decisions WHERE withdrawn IS NULL ORDER BY date, rowid"
        ):
            if subject in subjects:
                chains.setdefault(subject, []).append((date, 0, status, None))
    vocabularies = {}
    for index, decision, vocabulary in decisions:
        vocabularies[decision.subject] = vocabulary
        path, line = where[index]
        known = policy.statuses[vocabulary]
        if decision.status not in known:
            error(path, line, "status", f"{decision.status!r} is not a status for this subject; expected one of {', '.join(known)}")
            continue
        if policy.status(vocabulary, decision.status).requires_conditions and not (decision.conditions or "").strip():
            error(path, line, "conditions", f"the status {decision.status} needs its conditions")
        if decision.withdrawn is None:
            chains.setdefault(decision.subject, []).append((decision.date.isoformat(), 1, decision.status, index))
    for subject, chain in chains.items():
        chain.sort(key=lambda step: (step[0], step[1], step[3] or 0))
        vocabulary = vocabularies[subject]
        current = None
        for _date, _from_batch, status, index in chain:
            if status not in policy.statuses[vocabulary]:
                current = status
                continue
            allowed = policy.allowed_statuses(vocabulary, current)
            if index is not None and status not in allowed:
                path, line = where[index]
                options = ", ".join(allowed) or "none (the status is final)"
                error(path, line, "status", f"cannot go from {current} to {status}; allowed: {options}")
            current = status


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


def import_sources(register: Register, sources: list[Source], *, reason: str | None = None) -> list[Record]:
    """Validate and write a batch, all or nothing; return the records written."""
    with _collector_paused():
        records = validate_batch(register, sources)
        if records:
            register.add_many(records, reason=reason)
    return records


def import_paths(register: Register, paths: Iterable[Path | str], *, type_name: str | None = None,
                 stdin: IO[str] | None = None, reason: str | None = None) -> list[Record]:
    """Read, validate and write files (JSON Lines, or CSV per record type), all or nothing."""
    if type_name is not None and type_name not in RECORD_TYPES:
        raise InputError(f"unknown record type {type_name!r}; expected one of {', '.join(RECORD_TYPES)}", field="--type")
    with _collector_paused():
        return import_sources(register, read_paths(paths, type_name=type_name, stdin=stdin), reason=reason)


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
