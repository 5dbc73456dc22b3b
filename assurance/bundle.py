"""Export and import of the register with its evidence files: a bundle, as a folder or a .zip.

A bundle holds ``register.jsonl`` (every record, then every evidence line,
spec/interchange.md) and ``blobs/<sha256>``, one file per stored file named by its hash.
Importing one is all or nothing: records, evidence lines and bytes are checked and written in
one transaction, each blob hashed as it streams in and refused, with everything else, if its
bytes do not match its name. A zip is read by an allow-list of entry names (no path can
escape), every entry's size is bounded by the policy and counted as it is inflated (a zip bomb
stops at the limit), and duplicated or unexpected entries are refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assurance.evidence.filetypes import HEAD_BYTES, TYPE_OF_MEDIA, ContentCheck, head_is
from assurance.evidence.policy import EvidencePolicy, load_evidence_policy
from assurance.evidence.store import (
    ENTITY,
    Evidence,
    chunks,
    clean_name,
    ensure_schema,
    has_schema,
    insert,
    list_evidence,
    store_stream,
)
from assurance.models import RECORD_TYPES
from core import audit
from core.db import write_transaction
from core.errors import InputError, InputErrors

if TYPE_CHECKING:
    from assurance.policy import Classification
    from assurance.store import Register

RECORDS = "register.jsonl"
BLOBS = "blobs"
_BLOB_NAME = re.compile(r"^blobs/([0-9a-f]{64})$")
#: Entries a zip bundle may hold at most (records, the blobs folder, blobs).
MAX_ENTRIES = 1_000_000
#: The records file is text read line by line; it may be large, but not unboundedly.
MAX_RECORDS_BYTES = 4 * 1024**3


def is_bundle(path: Path | str) -> bool:
    """A folder holding register.jsonl, or a file ending .zip."""
    path = Path(path)
    if str(path) == "-":
        return False
    return (path.is_dir() and (path / RECORDS).is_file()) or path.suffix.lower() == ".zip"


# -- export ----------------------------------------------------------------------------------------
_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class _Lines:
    """The bundle's JSON Lines: every record (as ``ssc export`` writes them), then the evidence."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.records = self.evidence = 0

    def __iter__(self) -> Iterator[bytes]:
        encode = _LINE.encode
        for state in self.register.interchange_objects():
            self.records += 1
            yield (encode(state) + "\n").encode("utf-8")
        for item in list_evidence(self.register.conn):
            self.evidence += 1
            yield (encode(item.to_interchange()) + "\n").encode("utf-8")


def _copy_blob(register: Register, sha256: str, out: IO[bytes]) -> None:
    for chunk in chunks(register.conn, sha256):
        out.write(chunk)


@dataclass(frozen=True)
class BundleWritten:
    records: int
    evidence: int
    blobs: int


def write_bundle(register: Register, target: Path | str) -> BundleWritten:
    """Write the register and its evidence as a bundle (a folder, or a zip by the .zip suffix).

    Whole or not at all: built beside the target, then renamed into place; files 0600, folders
    0700. An existing target is refused rather than overwritten.
    """
    target = Path(target)
    if target.exists():
        raise InputError("already exists; name a new folder or .zip", path=str(target))
    lines = _Lines(register)
    register.conn.execute("BEGIN")  # one read transaction: records and bytes from one moment
    try:
        hashes = sorted({item.sha256 for item in list_evidence(register.conn)})
        try:
            if target.suffix.lower() == ".zip":
                _write_zip(register, target, lines, hashes)
            else:
                _write_folder(register, target, lines, hashes)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", path=str(target)) from None
    finally:
        register.conn.execute("COMMIT")
    return BundleWritten(lines.records, lines.evidence, len(hashes))


def _private_file(path: Path) -> BinaryIO:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write_folder(register: Register, target: Path, lines: _Lines, hashes: list[str]) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))  # 0700
    try:
        with _private_file(staging / RECORDS) as out:
            for line in lines:
                out.write(line)
        (staging / BLOBS).mkdir(mode=0o700)
        for sha256 in hashes:
            with _private_file(staging / BLOBS / sha256) as out:
                _copy_blob(register, sha256, out)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_zip(register: Register, target: Path, lines: _Lines, hashes: list[str]) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
            with archive.open(RECORDS, "w", force_zip64=True) as out:
                for line in lines:
                    out.write(line)
            for sha256 in hashes:
                with archive.open(f"{BLOBS}/{sha256}", "w", force_zip64=True) as out:
                    _copy_blob(register, sha256, out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- reading a bundle ------------------------------------------------------------------------------
class _Bounded(io.RawIOBase):
    """A stream that refuses to give more than ``limit`` bytes (a zip entry that lies about its size)."""

    def __init__(self, inner: IO[bytes], limit: int, where: str) -> None:
        self.inner, self.limit, self.where, self.count = inner, limit, where, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size if size >= 0 else self.limit + 1 - self.count)
        self.count += len(data)
        if self.count > self.limit:
            raise InputError(
                f"inflates beyond {self.limit} bytes (a zip bomb?); nothing was imported",
                path=self.where,
            )
        return data

    def readinto(self, buffer) -> int:  # for TextIOWrapper
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Bundle:
    """The entries of a bundle, folder or zip, checked before anything is read from them."""

    def __init__(self, path: Path, policy: EvidencePolicy) -> None:
        self.path = path
        self.policy = policy
        self.archive: zipfile.ZipFile | None = None
        self.blobs: dict[str, Any] = {}  # sha256 -> ZipInfo or Path
        if path.is_dir():
            self._scan_folder()
        else:
            self._scan_zip()

    def where(self, name: str) -> str:
        return f"{self.path}!{name}" if self.archive is not None else str(self.path / name)

    def _scan_folder(self) -> None:
        if not (self.path / RECORDS).is_file():
            raise InputError(f"a bundle folder holds {RECORDS}", path=str(self.path))
        folder = self.path / BLOBS
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise InputError("is not a folder", path=str(folder))
        if folder.is_dir():
            with os.scandir(folder) as entries:
                listed = list(entries)
            for entry in listed:
                if not re.fullmatch(r"[0-9a-f]{64}", entry.name):
                    raise InputError(
                        "is not a blob name (64 lowercase hex digits, the SHA-256)",
                        path=str(folder / entry.name),
                    )
                if not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
                    raise InputError("is not a regular file", path=str(folder / entry.name))
                self.blobs[entry.name] = folder / entry.name

    def _count_entries(self) -> int | None:
        """The entry count the zip's end record declares, read before its directory is parsed
        (a hostile directory of millions of entries would otherwise fill memory first)."""
        end_record = getattr(zipfile, "_EndRecData", None)  # private, stable since Python 2
        if end_record is None:
            return None
        with open(self.path, "rb") as stream:
            found = end_record(stream)
        return None if not found else int(found[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]  # private too

    def _scan_zip(self) -> None:
        self.archive = self._open_zip()
        infos = self.archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise InputError(
                f"holds {len(infos)} entries, more than {MAX_ENTRIES}", path=str(self.path)
            )
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                raise InputError(f"holds {info.filename!r} twice", path=str(self.path))
            seen.add(info.filename)
            self._admit_entry(info)
        if RECORDS not in seen:
            raise InputError(f"a bundle holds {RECORDS}", path=str(self.path))

    def _open_zip(self) -> zipfile.ZipFile:
        """The archive, its declared entry count bounded before its directory is read."""
        try:
            declared = self._count_entries()
            if declared is not None and declared > MAX_ENTRIES:
                raise InputError(
                    f"declares {declared} entries, more than {MAX_ENTRIES}", path=str(self.path)
                )
            return zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise InputError("no such file", path=str(self.path)) from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"not a readable zip ({exc})", path=str(self.path)) from None

    def _admit_entry(self, info: zipfile.ZipInfo) -> None:
        """One zip entry by the allow-list: the records, the blobs folder, or a bounded blob."""
        name = info.filename
        if info.flag_bits & 0x1:
            raise InputError(f"entry {name!r} is encrypted", path=str(self.path))
        if name == RECORDS:
            if info.file_size > MAX_RECORDS_BYTES:
                raise InputError(
                    f"{RECORDS} is {info.file_size} bytes, over {MAX_RECORDS_BYTES}",
                    path=str(self.path),
                )
        elif name == BLOBS + "/":
            return
        elif match := _BLOB_NAME.match(name):
            if info.file_size > self.policy.storage.max_bytes:
                raise InputError(
                    f"{name} is {info.file_size} bytes, over the limit of "
                    f"{self.policy.storage.max_bytes}",
                    path=str(self.path),
                )
            self.blobs[match[1]] = info
        else:
            # Only the names above: anything else (../x, /etc/x, blobs/../x) is refused unread.
            raise InputError(
                f"unexpected entry {name!r} (a bundle holds {RECORDS} and {BLOBS}/<sha256> only)",
                path=str(self.path),
            )

    @contextlib.contextmanager
    def open_records(self) -> Iterator[IO[str]]:
        try:
            if self.archive is None:
                with open(self.path / RECORDS, encoding="utf-8", newline="") as stream:
                    yield stream
            else:
                raw = _Bounded(self.archive.open(RECORDS), MAX_RECORDS_BYTES, self.where(RECORDS))
                with io.TextIOWrapper(
                    io.BufferedReader(raw), encoding="utf-8", newline=""
                ) as stream:
                    yield stream
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=self.where(RECORDS)) from None

    @contextlib.contextmanager
    def open_blob(self, sha256: str) -> Iterator[io.BufferedReader[Any]]:
        entry = self.blobs[sha256]
        limit = self.policy.storage.max_bytes
        if self.archive is None:
            fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as stream:
                yield stream
        else:
            inner = self.archive.open(entry)
            with io.BufferedReader(
                _Bounded(inner, min(limit, entry.file_size), self.where(entry.filename)),
                buffer_size=1 << 20,
            ) as stream:
                yield stream

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


# -- import ----------------------------------------------------------------------------------------
class EvidenceLine(BaseModel):
    """One evidence line of a bundle, checked like a record (fields beyond these are kept)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=200)
    record: str = Field(min_length=1)
    kind: str
    name: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0, le=2**63 - 1, strict=True)
    effective: dt.date
    record_type: str | None = None
    media_type: str | None = None
    classification: str | None = None
    added: str | None = None
    withdrawn: str | None = None
    withdrawn_reason: str | None = None

    @field_validator("effective", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("expected a date as YYYY-MM-DD")
        return value


def _evidence_from(
    line: EvidenceLine, record_type: str, classification: str, media_type: str, now: dt.datetime
) -> Evidence:
    extras = {k: v for k, v in (line.model_extra or {}).items() if k != "type"}
    return Evidence(
        id=line.id,
        record=line.record,
        kind=line.kind,
        name=line.name,
        sha256=line.sha256,
        size=line.size,
        effective=line.effective.isoformat(),
        record_type=record_type,
        media_type=media_type,
        classification=classification,
        added=line.added or now.replace(microsecond=0).isoformat(),
        withdrawn=line.withdrawn,
        withdrawn_reason=line.withdrawn_reason,
        extra=json.dumps(extras, ensure_ascii=False, sort_keys=True) if extras else None,
    )


@dataclass(frozen=True)
class BundleImported:
    records: list
    evidence: list[Evidence]


def import_bundle(
    register: Register,
    path: Path | str,
    *,
    reason: str | None = None,
    policy: EvidencePolicy | None = None,
) -> BundleImported:
    """Import a bundle (folder or .zip): records, evidence and bytes, all or nothing."""
    from assurance.interchange import import_sources, read_jsonl

    policy = policy or register.policies(load_evidence_policy)
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=str(path))
    bundle = _Bundle(path, policy)
    try:
        where = bundle.where(RECORDS)
        with bundle.open_records() as stream:
            sources = list(read_jsonl(where, stream))
        record_sources = [s for s in sources if s[2].get("type") != ENTITY]
        evidence_sources = [s for s in sources if s[2].get("type") == ENTITY]
        lines = _check_lines(register, evidence_sources, record_sources, bundle, policy)
        ensure_schema(register.conn)
        with write_transaction(register.conn):
            records = (
                import_sources(register, record_sources, reason=reason) if record_sources else []
            )
            _store_blobs(register.conn, bundle, lines, policy)
            items = _insert_evidence(register, lines, reason)
    finally:
        bundle.close()
    return BundleImported(records, items)


def _store_blobs(
    conn: sqlite3.Connection, bundle: _Bundle, lines: list[tuple], policy: EvidencePolicy
) -> None:
    """Each blob the lines cite and the register lacks, once, checked and hashed as it streams."""
    stored: set[str] = set()
    for _where, line, _record_type, _classification, media_type in lines:
        known = conn.execute(
            "SELECT 1 FROM evidence_blobs WHERE sha256 = ?", (line.sha256,)
        ).fetchone()
        if line.sha256 in stored or known:
            continue
        _store_blob(conn, bundle, line.sha256, media_type, policy)
        stored.add(line.sha256)


def _store_blob(
    conn: sqlite3.Connection, bundle: _Bundle, sha256: str, media_type: str, policy: EvidencePolicy
) -> None:
    """One blob, refused unless its first bytes are of the type its line says and it hashes to its name."""
    blob_where = bundle.where(f"{BLOBS}/{sha256}")
    type_name = TYPE_OF_MEDIA[media_type]
    try:
        with bundle.open_blob(sha256) as blob:
            head = blob.peek(HEAD_BYTES)[:HEAD_BYTES]
            if head and not head_is(type_name, head):
                raise InputError(
                    f"its bytes are not a {type_name} file as its "
                    "evidence line says; nothing was imported",
                    path=blob_where,
                )
            store_stream(
                conn,
                blob,
                media_type,
                policy=policy,
                check=ContentCheck(type_name),
                where=blob_where,
                expect=sha256,
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"cannot be read ({exc}); nothing was imported", path=blob_where) from None


def _insert_evidence(register: Register, lines: list[tuple], reason: str | None) -> list[Evidence]:
    """The evidence rows, each audited, each refused if its size is not its stored blob's."""
    conn = register.conn
    appender = audit.Appender(conn, register.actor, clock=register.clock)
    items = []
    for where, line, record_type, classification, media_type in lines:
        item = _evidence_from(line, record_type, classification, media_type, register.clock())
        size = conn.execute(
            "SELECT size FROM evidence_blobs WHERE sha256 = ?", (item.sha256,)
        ).fetchone()[0]
        if size != item.size:
            raise InputError(
                f"size {item.size} but its blob holds {size} bytes; nothing was imported",
                path=where[0],
                line=where[1],
                field="size",
            )
        insert(conn, item)
        appender.add(ENTITY, item.id, "import", None, item.to_interchange(), reason)
        items.append(item)
    appender.flush()
    return items


_Error = Callable[[str | None, str], None]
#: Where a line sits in the bundle: (file, line number).
_Where = tuple[str, int]


def _batch_levels(register: Register, record_sources: list) -> dict[str, dict[str, str]]:
    """The classification of every record in the batch, by type and id (the type's default if unset)."""
    in_batch: dict[str, dict[str, str]] = {name: {} for name in RECORD_TYPES}
    for _path, _line, data in record_sources:
        type_name, record_id = data.get("type"), data.get("id")
        if type_name in in_batch and isinstance(record_id, str):
            level = data.get("classification")
            in_batch[type_name][record_id] = (
                level.upper()
                if isinstance(level, str)
                else register.policy.classification.default[type_name]
            )
    return in_batch


def _validated_line(
    fields: dict[str, Any], policy: EvidencePolicy, error: _Error
) -> EvidenceLine | None:
    """The line as an EvidenceLine, or None when its fields do not validate (each reported)."""
    kind, name = fields.get("kind"), fields.get("name")
    if isinstance(kind, str) and kind not in policy.kinds:
        error("kind", f"expected one of {', '.join(policy.kinds)}")
    if isinstance(name, str) and name and clean_name(name, policy) != name:
        error("name", "holds a path separator, a control or format character, or is too long")
    try:
        return EvidenceLine.model_validate(fields)
    except ValidationError as exc:
        _report_validation(exc, error)
        return None


def _report_validation(exc: ValidationError, error: _Error) -> None:
    """Each of pydantic's problems as field and message, in the words the CLI uses."""
    for problem in exc.errors():
        field = ".".join(str(p) for p in problem["loc"]) or "(line)"
        message = (
            "is required"
            if problem["type"] == "missing"
            else problem["msg"].removeprefix("Value error, ")
        )
        error(field, message)


def _check_media_and_id(
    line: EvidenceLine,
    media_type: str,
    policy: EvidencePolicy,
    existing_ids: set[str],
    seen: dict[str, _Where],
    where: _Where,
    error: _Error,
) -> None:
    """A media type evidence may be, and an id new to the register and to the bundle."""
    if TYPE_OF_MEDIA.get(media_type) not in policy.types.allowed:
        error(
            "media_type",
            f"{media_type!r} is not a type evidence may be ({', '.join(policy.types.allowed)})",
        )
    if line.id in existing_ids:
        error("id", f"an evidence with id {line.id!r} is already in the register")
    elif line.id in seen:
        error("id", f"evidence {line.id!r} appears twice (first at line {seen[line.id][1]})")
    seen.setdefault(line.id, where)


def _cited_record(
    register: Register, in_batch: dict[str, dict[str, str]], line: EvidenceLine, error: _Error
) -> tuple[str, str | None] | None:
    """(record type, its classification) of the one record the line cites, in the bundle or the
    register, of the type given or the one type found; None (reported) otherwise."""
    if line.record_type and line.record_type not in RECORD_TYPES:
        error("record_type", f"expected one of {', '.join(RECORD_TYPES)}")
        return None
    types = [line.record_type] if line.record_type else list(RECORD_TYPES)
    found: list[tuple[str, str | None]] = []
    for type_name in types:
        if line.record in in_batch[type_name]:
            found.append((type_name, in_batch[type_name][line.record]))
        elif (record := register.get(type_name, line.record)) is not None:
            found.append((type_name, record.classification))
    if not found:
        error("record", f"no record with id {line.record!r} in the bundle or the register")
        return None
    if len(found) > 1:
        error("record", f"{line.record!r} names several records; add record_type")
        return None
    return found[0]


def _line_classification(
    line: EvidenceLine,
    record_type: str,
    record_level: str | None,
    levels: Classification,
    error: _Error,
) -> str | None:
    """The line's classification (its own, else its record's, else the highest), never below its
    record's; None (reported) when it is not a level at all."""
    classification = (line.classification or record_level or levels.order[-1]).upper()
    if classification not in levels.order:
        error("classification", f"expected one of {', '.join(levels.order)}")
        return None
    if record_level in levels.order and levels.rank(classification) < levels.rank(record_level):
        error("classification", f"{classification} is below its {record_type}'s {record_level}")
    return classification


def _has_blob(register: Register, bundle: _Bundle, sha256: str) -> bool:
    """The bytes are in the bundle or already stored in the register."""
    return sha256 in bundle.blobs or bool(
        has_schema(register.conn)
        and register.conn.execute(
            "SELECT 1 FROM evidence_blobs WHERE sha256 = ?", (sha256,)
        ).fetchone()
    )


class _LineChecker:
    """What each evidence line is checked against: the batch's records, the register, the blobs."""

    def __init__(
        self, register: Register, record_sources: list, bundle: _Bundle, policy: EvidencePolicy
    ) -> None:
        self.register, self.bundle, self.policy = register, bundle, policy
        self.in_batch = _batch_levels(register, record_sources)
        self.existing_ids = (
            {item.id for item in list_evidence(register.conn)}
            if has_schema(register.conn)
            else set()
        )
        self.seen: dict[str, _Where] = {}

    def check(self, where: _Where, data: dict[str, Any], error: _Error) -> tuple | None:
        """(where, line, record_type, classification, media_type), or None when the line cannot
        be checked further; every problem found is reported through ``error``."""
        line = _validated_line({k: v for k, v in data.items() if k != "type"}, self.policy, error)
        if line is None:
            return None
        media_type = line.media_type or ""
        _check_media_and_id(
            line, media_type, self.policy, self.existing_ids, self.seen, where, error
        )
        cited = _cited_record(self.register, self.in_batch, line, error)
        if cited is None:
            return None
        record_type, record_level = cited
        classification = _line_classification(
            line, record_type, record_level, self.register.policy.classification, error
        )
        if classification is None:
            return None
        if not _has_blob(self.register, self.bundle, line.sha256):
            error("sha256", f"no blob {BLOBS}/{line.sha256} in the bundle")
        return (where, line, record_type, classification, media_type)


def _check_lines(
    register: Register,
    evidence_sources: list,
    record_sources: list,
    bundle: _Bundle,
    policy: EvidencePolicy,
) -> list[tuple]:
    """Each evidence line validated against the policy, the batch, the register and the blobs.

    Returns (where, line, record_type, classification, media_type) per line; InputErrors name
    every bad file:line:field.
    """
    errors: list[InputError] = []
    checker = _LineChecker(register, record_sources, bundle, policy)
    checked = []
    for path, number, data in evidence_sources:

        def error(field: str | None, message: str, path: str = path, number: int = number) -> None:
            errors.append(InputError(message, path=path, line=number, field=field))

        if (result := checker.check((path, number), data, error)) is not None:
            checked.append(result)
    if errors:
        raise InputErrors(errors)
    return checked
