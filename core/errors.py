"""Errors that reach people: each names the file, line and field it is about."""

from __future__ import annotations

import errno


class SSCError(Exception):
    """Base of the errors ssc reports to the user rather than as a traceback."""

    exit_status = 2


class InputError(SSCError):
    """Bad input: a file, row or argument that cannot be used. Nothing was written (exit 2)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.field:
            where += f"{self.field}: "
        return where + self.message


class InputErrors(InputError):
    """Several bad rows found in one pass; all are reported, none written."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class EnvironmentFault(SSCError):
    """The environment failed (disk full, file locked, no permission): exit 2, one line."""


#: Operating-system errors whose own words would not say that nothing was kept, by errno.
_OS_FAULTS = {
    errno.ENOSPC: "no space left on the device: nothing was kept",
    errno.EFBIG: "file too large for this system's limits: nothing was kept",
}
#: SQLite's errors about the register file, first match wins: the error names SQLite gives
#: (``sqlite_errorname``), the words of its message that say the same where it gives none, and
#: the line people see (``{exc}``: SQLite's own message).
_SQLITE_FAULTS: tuple[tuple[tuple[str, ...], str | None, str], ...] = (
    (
        ("SQLITE_BUSY",),
        "locked",
        "the register is locked by another process and stayed locked past "
        "the busy timeout (SSC_BUSY_TIMEOUT_MS): nothing was written, try again",
    ),
    (("SQLITE_FULL",), "disk is full", "the register's disk is full: nothing was written"),
    (
        ("SQLITE_READONLY",),
        "readonly",
        "the register cannot be written here (read-only file, folder or medium)",
    ),
    (("SQLITE_IOERR", "SQLITE_CANTOPEN"), None, "cannot read or write the register ({exc})"),
)


def describe_fault(exc: BaseException) -> str | None:
    """One line for a fault of the environment, or None if ``exc`` is not one (a bug).

    The CLI's one boundary (``ssc.cli.main``) turns these into exit 2 instead of a traceback:
    operating-system errors, SQLite's errors about the file (locked, full, not a database,
    read-only) and text that is not in the encoding a file claims.
    """
    import sqlite3

    if isinstance(exc, OSError):
        return _os_fault(exc)
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
        return _sqlite_fault(exc)
    if isinstance(exc, UnicodeError):
        return f"not valid text in its encoding ({exc})"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return None


def _os_fault(exc: OSError) -> str:
    what = _OS_FAULTS.get(exc.errno or 0) or exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {what}" if exc.filename else what


def _sqlite_fault(exc: Exception) -> str:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    for names, words, line in _SQLITE_FAULTS:
        if name.startswith(names) or (words is not None and words in text):
            return line.format(exc=exc)
    return f"the register file is unusable: {exc}"
