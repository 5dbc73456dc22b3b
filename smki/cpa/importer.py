"""Loading the CPA CSV returns into the register: streamed, validated, all or nothing.

Re-importing is meant to be routine, so each kind has one rule:

- certificates upsert by ``cpa_id`` (a CPL refresh updates expiry and status);
- inventory replaces, for every Supplier in the file, that Supplier's previous inventory
  (Suppliers send whole returns, not changes);
- plans upsert by (``supplier``, ``cpa_id``).

A file is read once, as a stream, inside one write transaction; every row is checked, errors
are collected with file, line and column, and any error rolls the whole file back. A
per-device inventory is inserted with ``executemany`` straight from the CSV reader, and its
grouped counts are computed on the way, so the report never has to scan devices.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from core.db import write_transaction
from core.errors import InputError, InputErrors
from smki.cpa.policy import CpaPolicy
from smki.cpa.rows import (
    CERTIFICATE_COLUMNS,
    INVENTORY_COUNT_COLUMNS,
    INVENTORY_DEVICE_COLUMNS,
    PLAN_COLUMNS,
    PRODUCT_COLUMNS,
    CertificateRow,
    InventoryGroup,
    PlanRow,
)
from smki.cpa.schema import DEVICE_CHUNK, DeviceDigest, audit_import

Kind = Literal["certificates", "inventory", "plans"]
KINDS: tuple[Kind, ...] = ("certificates", "inventory", "plans")

_M = TypeVar("_M", bound=BaseModel)

#: Page cache for a bulk device load (KiB): fewer spills of dirty pages to the WAL mid-load.
BULK_CACHE_KIB = 256 * 1024

#: Stop reading after this many bad rows: the first ones are what people fix first.
MAX_ERRORS = 50


@dataclass(frozen=True)
class ImportSummary:
    """What one import did."""

    kind: Kind
    file: str
    sha256: str
    rows: int
    suppliers: tuple[str, ...] = ()
    groups: int = 0


class _HashingReader(io.RawIOBase):
    """A binary stream that hashes what is read through it (the file is read only once)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        # Bytes no CSV return holds (a NUL: a binary file; a byte-order mark after the start:
        # files joined together), found per block at C speed: (line, message) of the first.
        self.problem: tuple[int, str] | None = None
        self._lines = 0
        self._offset = 0
        self._tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            block = memoryview(buffer)[:n]
            self.digest.update(block)
            if self.problem is None:
                self._scan(bytes(block))
        return n or 0

    def _scan(self, block: bytes) -> None:
        window = self._tail + block  # a byte-order mark may straddle two blocks
        start = len(self._tail)
        for needle, message in (
            (b"\x00", "a NUL byte (is this a binary file?)"),
            (b"\xef\xbb\xbf", "a byte-order mark inside the file (files joined together?)"),
        ):
            at = window.find(needle, 1 if self._offset == 0 and needle != b"\x00" else 0)
            if at >= 0 and (self.problem is None or at < self.problem[0]):
                self.problem = (at, message)
        if self.problem is not None:
            at, message = self.problem
            self.problem = (self._lines + window[start:at].count(b"\n") + 1, message)
        self._lines += block.count(b"\n")
        self._offset += len(block)
        self._tail = block[-2:]


class _Errors:
    """Errors of one file, each with line and column; raises once too many have been seen."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[InputError] = []

    def add(self, message: str, line: int | None, field: str | None = None) -> None:
        self.items.append(InputError(message, path=self.path, line=line, field=field))
        if len(self.items) >= MAX_ERRORS:
            self.items.append(
                InputError(
                    f"stopped after {MAX_ERRORS} errors; nothing was imported", path=self.path
                )
            )
            raise InputErrors(self.items)

    def add_validation(self, exc: ValidationError, line: int) -> None:
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            field = str(error["loc"][0]) if error["loc"] else message.split(" ", 1)[0]
            if error["type"] in ("missing", "string_too_short"):
                message = "a value is required"
            self.add(message, line, field)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputErrors(self.items)


class _CsvFile:
    """One CSV return: its header checked against the required columns, its rows streamed."""

    def __init__(self, stream: io.TextIOBase, path: str, errors: _Errors) -> None:
        self.path = path
        self.errors = errors
        # strict: a quote left open would otherwise swallow every later row into one cell.
        self.reader = csv.reader(stream, strict=True)
        try:
            header = next(self.reader)
        except StopIteration:
            raise InputError(
                "the file is empty: expected a header row", path=path, line=1
            ) from None
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", path=path, line=1) from None
        self.header = [name.strip().lstrip("\ufeff") for name in header]
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                raise InputError(
                    "column appears twice in the header", path=path, line=1, field=name
                )
            seen.add(name)
        self.width = len(self.header)

    @property
    def line(self) -> int:
        return self.reader.line_num

    def require(self, columns: tuple[str, ...]) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise InputErrors(
                [
                    InputError(
                        f"required column missing (header: {','.join(self.header)})",
                        path=self.path,
                        line=1,
                        field=name,
                    )
                    for name in missing
                ]
            )

    def extras(self, columns: tuple[str, ...]) -> list[str]:
        return [name for name in self.header if name not in columns and name]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) of each data row of the right width; blank lines are skipped."""
        line = 1
        try:
            for fields in self.reader:
                line = self.reader.line_num
                if len(fields) != self.width and self.skipped(fields):
                    continue
                yield line, fields
        except csv.Error as exc:
            raise self.malformed(exc, line + 1) from None

    def skipped(self, fields: list[str]) -> bool:
        """Whether a row of the wrong width is left out: a blank line, or an error noted."""
        if fields and fields != [""]:
            self.errors.add(f"expected {self.width} fields, found {len(fields)}", self.line)
        return True

    def malformed(self, exc: csv.Error, line: int) -> InputError:
        """Malformed CSV (e.g. a quote left open), named at the line after the last good row."""
        return InputError(
            f"malformed CSV ({exc}): check the quotes from this row on", path=self.path, line=line
        )


def _extra_text(names: list[str], values: list[str]) -> str:
    return json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False)


def _extra_json(names: list[str], values: list[str]) -> str | None:
    return _extra_text(names, values) if names else None


def import_csv(
    conn: sqlite3.Connection,
    kind: Kind,
    path: Path,
    *,
    policy: CpaPolicy,
    actor: str,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Import one CSV return of ``kind`` into the register; nothing is kept if any row is bad."""
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")
    name = str(path)
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a CSV file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=name) from None
    hashing = _HashingReader(raw)
    stream = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding="utf-8-sig", newline="")
    errors = _Errors(name)
    now = now or dt.datetime.now(dt.UTC)
    try:
        with raw, write_transaction(conn):
            source = _CsvFile(stream, name, errors)
            import_id = conn.execute(
                "INSERT INTO cpa_import (kind, file, sha256, rows, actor, imported_at)"
                " VALUES (?, ?, '', 0, ?, ?)",
                (kind, path.name, actor, now.isoformat(timespec="seconds")),
            ).lastrowid
            assert import_id is not None
            superseded: list[int] = []
            devices = DeviceDigest()  # of the device rows, if the file is a per-device inventory
            suppliers: Sequence[str]
            if kind == "certificates":
                rows, suppliers, groups = _load_certificates(conn, source, policy, import_id), (), 0
            elif kind == "plans":
                rows, suppliers, groups = _load_plans(conn, source, import_id), (), 0
            else:
                rows, suppliers, groups = _load_inventory(
                    conn, source, policy, import_id, superseded, devices
                )
            errors.raise_if_any()
            if rows == 0:
                raise InputError("no data rows: nothing to import", path=name, line=2)
            # Read to the end so that the digest covers the whole file.
            while hashing.readinto(bytearray(1 << 16)):
                pass
            if hashing.problem is not None:
                raise InputError(hashing.problem[1], path=name, line=hashing.problem[0])
            sha256 = hashing.digest.hexdigest()
            conn.execute(
                "UPDATE cpa_import SET sha256 = ?, rows = ? WHERE id = ?", (sha256, rows, import_id)
            )
            audit_import(conn, actor, import_id, kind, superseded, at=now, devices=devices)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start} of a block)", path=name
        ) from None
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", path=name) from None
    return ImportSummary(kind, name, sha256, rows, tuple(suppliers), groups)


def _validated(model: type[_M], data: dict[str, Any], line: int, errors: _Errors) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.add_validation(exc, line)
        return None


def _load_certificates(
    conn: sqlite3.Connection, source: _CsvFile, policy: CpaPolicy, import_id: int
) -> int:
    source.require(CERTIFICATE_COLUMNS)
    extras = source.extras(CERTIFICATE_COLUMNS)
    index = {name: source.header.index(name) for name in CERTIFICATE_COLUMNS}
    extra_index = [source.header.index(name) for name in extras]
    seen: dict[str, int] = {}
    batch: list[tuple[Any, ...]] = []
    for line, fields in source.records():
        row = _validated(
            CertificateRow, {n: fields[i] for n, i in index.items()}, line, source.errors
        )
        if row is None:
            continue
        status = policy.canonical_status(row.status)
        device_type = policy.canonical_device_type(row.device_type)
        if status is None:
            source.errors.add(
                f"unknown CPL status {row.status!r}: expected one of {', '.join(policy.statuses)}",
                line,
                "status",
            )
        if device_type is None:
            source.errors.add(
                f"unknown device type {row.device_type!r}: expected one of "
                f"{', '.join(policy.device_types)}",
                line,
                "device_type",
            )
        if row.cpa_id in seen:
            source.errors.add(
                f"cpa_id {row.cpa_id!r} already on line {seen[row.cpa_id]}", line, "cpa_id"
            )
        seen.setdefault(row.cpa_id, line)
        batch.append(
            (
                row.cpa_id,
                row.manufacturer,
                device_type,
                row.model,
                row.hardware_version,
                row.firmware_version,
                row.valid_from.isoformat(),
                row.expires.isoformat(),
                status,
                _extra_json(extras, [fields[i] for i in extra_index]),
                import_id,
            )
        )
    source.errors.raise_if_any()
    conn.executemany(
        "INSERT INTO cpa_certificate (cpa_id, manufacturer, device_type, model, hardware_version,"
        " firmware_version, valid_from, expires, status, extra, import_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (cpa_id) DO UPDATE SET manufacturer = excluded.manufacturer,"
        " device_type = excluded.device_type, model = excluded.model,"
        " hardware_version = excluded.hardware_version,"
        " firmware_version = excluded.firmware_version, valid_from = excluded.valid_from,"
        " expires = excluded.expires, status = excluded.status, extra = excluded.extra,"
        " import_id = excluded.import_id",
        batch,
    )
    return len(batch)


def _load_plans(conn: sqlite3.Connection, source: _CsvFile, import_id: int) -> int:
    source.require(PLAN_COLUMNS)
    extras = source.extras(PLAN_COLUMNS)
    index = {name: source.header.index(name) for name in PLAN_COLUMNS}
    extra_index = [source.header.index(name) for name in extras]
    known = {cpa_id for (cpa_id,) in conn.execute("SELECT cpa_id FROM cpa_certificate")}
    seen: dict[tuple[str, str], int] = {}
    batch: list[tuple[Any, ...]] = []
    for line, fields in source.records():
        row = _validated(PlanRow, {n: fields[i] for n, i in index.items()}, line, source.errors)
        if row is None:
            continue
        if row.cpa_id not in known:
            source.errors.add(
                f"no certificate {row.cpa_id!r} on the register: import the certificates first",
                line,
                "cpa_id",
            )
        key = (row.supplier, row.cpa_id)
        if key in seen:
            source.errors.add(
                f"a plan of {row.supplier!r} for {row.cpa_id!r} is already on line {seen[key]}",
                line,
                "cpa_id",
            )
        seen.setdefault(key, line)
        batch.append(
            (
                row.supplier,
                row.cpa_id,
                row.requested.isoformat(),
                row.due.isoformat(),
                row.received.isoformat() if row.received else None,
                row.target_firmware,
                _extra_json(extras, [fields[i] for i in extra_index]),
                import_id,
            )
        )
    source.errors.raise_if_any()
    conn.executemany(
        "INSERT INTO cpa_plan (supplier, cpa_id, requested, due, received, target_firmware,"
        " extra, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (supplier, cpa_id) DO UPDATE SET requested = excluded.requested,"
        " due = excluded.due, received = excluded.received,"
        " target_firmware = excluded.target_firmware, extra = excluded.extra,"
        " import_id = excluded.import_id",
        batch,
    )
    return len(batch)


# A group is (supplier, device_type, manufacturer, model, hardware_version, firmware_version).
_GROUP_COLUMNS = ("supplier", *PRODUCT_COLUMNS)
_INVALID = -1


class _Groups:
    """The distinct (Supplier, product) groups of one inventory file and their device counts."""

    def __init__(self, policy: CpaPolicy, errors: _Errors, first_id: int) -> None:
        self.policy = policy
        self.errors = errors
        self.next_id = first_id
        self.by_raw: dict[tuple[str, ...], int] = {}  # the fields as written
        self.by_key: dict[tuple[str, ...], int] = {}  # the same, cleaned
        self.rows: dict[int, tuple[str, ...]] = {}
        self.counts: dict[int, int] = {}
        self.extra: dict[int, str | None] = {}
        self.last_count = 0  # the count of the row last passed to add()

    def add(self, raw: tuple[str, ...], line: int, count: str | int = 1) -> int:
        """The id of ``raw``'s group, checked and created on first sight, or ``_INVALID``."""
        data = dict(zip(_GROUP_COLUMNS, raw, strict=True))
        group = _validated(InventoryGroup, {**data, "count": count}, line, self.errors)
        device_type = self.policy.canonical_device_type(raw[1]) if group else None
        if group is not None and device_type is None:
            self.errors.add(
                f"unknown device type {raw[1]!r}: expected one of "
                f"{', '.join(self.policy.device_types)}",
                line,
                "device_type",
            )
        if group is None or device_type is None:
            self.by_raw[raw] = _INVALID
            return _INVALID
        key = (
            group.supplier,
            device_type,
            group.manufacturer,
            group.model,
            group.hardware_version,
            group.firmware_version,
        )
        group_id = self.by_key.get(key)
        if group_id is None:
            group_id = self.by_key[key] = self.next_id
            self.next_id += 1
            self.rows[group_id] = key
            self.counts[group_id] = 0
        self.by_raw[raw] = group_id
        self.last_count = group.count
        return group_id


def _load_inventory(
    conn: sqlite3.Connection,
    source: _CsvFile,
    policy: CpaPolicy,
    import_id: int,
    superseded: list[int],
    devices: DeviceDigest,
) -> tuple[int, list[str], int]:
    """Load an inventory; ``superseded`` gets the earlier imports whose rows it replaced,
    ``devices`` the digest of the device rows written."""
    has_device, has_count = "device_id" in source.header, "count" in source.header
    if has_device == has_count:
        raise InputError(
            "an inventory has either a device_id column (one row per device) or a "
            "count column (one row per group), not both nor neither",
            path=source.path,
            line=1,
            field="device_id" if has_device else "count",
        )
    columns = INVENTORY_DEVICE_COLUMNS if has_device else INVENTORY_COUNT_COLUMNS
    source.require(columns)
    first_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM cpa_inventory").fetchone()[0]
    groups = _Groups(policy, source.errors, first_id)
    if has_device:
        rows = _insert_devices(conn, source, groups, import_id, devices)
    else:
        rows = _count_groups(source, groups)
    source.errors.raise_if_any()
    suppliers = sorted({key[0] for key in groups.rows.values()})
    superseded.extend(_replace_inventory(conn, suppliers, groups, import_id))
    return rows, suppliers, len(groups.rows)


def _insert_devices(
    conn: sqlite3.Connection,
    source: _CsvFile,
    groups: _Groups,
    import_id: int,
    digest: DeviceDigest,
) -> int:
    """Stream the device rows into ``cpa_device``, counting them per group on the way, and
    hand them to ``digest`` chunk by chunk (the audit trail's digest of what was written).

    This is the hot loop of a 30-million-row return: per row, one tuple comparison (a lookup
    when the product changes) and two appends, the counts taken per chunk; the group's own
    checks run once, the first time it is seen.
    """
    header = source.header
    group_of = itemgetter(*(header.index(c) for c in _GROUP_COLUMNS))
    device_index = header.index("device_id")
    extras = source.extras(INVENTORY_DEVICE_COLUMNS)
    extra_index = [header.index(name) for name in extras]
    by_raw, counts, errors = groups.by_raw, groups.counts, source.errors
    reader, width = source.reader, source.width
    # The rows of the chunk being inserted, for the digest: appended as they are yielded.
    ids: list[str] = []
    group_ids: list[int] = []
    extra_values: list[str] = []
    add_id, add_group, add_extra = ids.append, group_ids.append, extra_values.append
    finished: list[bool] = []

    def device_rows() -> Iterator[tuple[str, int] | tuple[str, int, str]]:
        # The CSV reader itself, not source.records(): one generator less per row is a tenth
        # of a national-scale import. The width check and its errors are records()'s own.
        # Only what varies per row is bound: the import id and (without extra columns) the
        # NULL extra are constants of the statement, a third off SQLite's per-row cost.
        line = 1
        last_raw: tuple[str, ...] | None = None
        group_id = _INVALID
        try:
            for fields in reader:
                line = reader.line_num
                if len(fields) != width and source.skipped(fields):
                    continue
                raw = group_of(fields)
                if raw != last_raw:  # a return lists a product's devices together: compare
                    known = by_raw.get(raw)  # six strings, rather than hash them
                    group_id = known if known is not None else groups.add(raw, line)
                    last_raw = raw
                device_id = fields[device_index]
                if not device_id or device_id != device_id.strip():
                    errors.add(
                        "a device identifier is required, without surrounding spaces",
                        line,
                        "device_id",
                    )
                    continue
                if group_id == _INVALID:
                    continue
                add_id(device_id)
                add_group(group_id)
                # Rows after an error are still written (and rolled back with the rest) so
                # that later duplicates are found too.
                if extras:
                    extra = _extra_text(extras, [fields[i] for i in extra_index])
                    add_extra(extra)
                    yield device_id, group_id, extra
                else:
                    yield device_id, group_id
        except csv.Error as exc:
            raise source.malformed(exc, line + 1) from None
        finished.append(True)

    stream = device_rows()
    insert = (
        "INSERT INTO cpa_device (import_id, device_id, inventory_id, extra)"
        f" VALUES ({int(import_id)}, ?, ?, {'?' if extras else 'NULL'})"
    )
    (cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        while not finished:
            try:
                # One digest chunk per call: the rows the digest is given are those written.
                conn.executemany(insert, islice(stream, DEVICE_CHUNK))
                digest.add(ids, group_ids, extra_values if extras else None)
            except sqlite3.IntegrityError:
                # executemany stopped at the duplicate; the same generator carries on after it.
                # The import fails, so its digest no longer matters.
                digest.usable = False
                errors.add("device appears twice in this return", source.line, "device_id")
            for group_id, count in Counter(group_ids).items():  # counted at C speed
                counts[group_id] += count
            ids.clear()
            group_ids.clear()
            extra_values.clear()
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return sum(counts.values())  # every row written was counted in its group


def _count_groups(source: _CsvFile, groups: _Groups) -> int:
    count_index = source.header.index("count")
    group_of = itemgetter(*(source.header.index(c) for c in _GROUP_COLUMNS))
    extras = source.extras(INVENTORY_COUNT_COLUMNS)
    extra_index = [source.header.index(name) for name in extras]
    seen: dict[int, int] = {}
    rows = 0
    for line, fields in source.records():
        raw = group_of(fields)
        group_id = groups.add(raw, line, count=fields[count_index].strip())
        if group_id == _INVALID:
            continue
        if group_id in seen:
            source.errors.add(
                f"the same Supplier and product as line {seen[group_id]}", line, "count"
            )
            continue
        seen[group_id] = line
        groups.counts[group_id] = groups.last_count
        groups.extra[group_id] = _extra_json(extras, [fields[i] for i in extra_index])
        rows += 1
    return rows


def _replace_inventory(
    conn: sqlite3.Connection, suppliers: list[str], groups: _Groups, import_id: int
) -> list[int]:
    """Drop the previous inventory of the file's Suppliers, then store the new groups; return
    the earlier imports that lost rows (the audit trail records their new state)."""
    names = json.dumps(suppliers)
    previous = conn.execute(
        "SELECT DISTINCT import_id FROM cpa_inventory"
        " WHERE supplier IN (SELECT value FROM json_each(?))",
        (names,),
    ).fetchall()
    for (old_import,) in previous:
        conn.execute(
            "DELETE FROM cpa_device WHERE import_id = ? AND inventory_id IN"
            " (SELECT id FROM cpa_inventory WHERE import_id = ?"
            "  AND supplier IN (SELECT value FROM json_each(?)))",
            (old_import, old_import, names),
        )
    conn.execute(
        "DELETE FROM cpa_inventory WHERE supplier IN (SELECT value FROM json_each(?))", (names,)
    )
    conn.executemany(
        "INSERT INTO cpa_inventory (id, supplier, device_type, manufacturer, model,"
        " hardware_version, firmware_version, devices, extra, import_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (group_id, *key, groups.counts[group_id], groups.extra.get(group_id), import_id)
            for group_id, key in groups.rows.items()
            if groups.counts[group_id] > 0
        ],
    )
    return [old_import for (old_import,) in previous]
