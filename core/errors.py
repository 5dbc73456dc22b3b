"""Errors that reach people: each names the file, line and field it is about."""

from __future__ import annotations


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


def describe_fault(exc: BaseException) -> str | None:
    """One line for a fault of the environment, or None if ``exc`` is not one (a bug).

    The CLI's one boundary (``ssc.cli.main``) turns these into exit 2 instead of a traceback:
    operating-system errors, SQLite's errors about the file (locked, full, not a database,
    read-only) and text that is not in the encoding a file claims.
    """
    import errno
    import sqlite3

    if isinstance(exc, OSError):
        what = exc.strerror or str(exc) or type(exc).__name__
        if exc.errno == errno.ENOSPC:
            what = "no space left on the device: nothing was kept"
        elif exc.errno == errno.EFBIG:
            what = "file too large for this system's limits: nothing was kept"
        where = exc.filename if exc.filename is not None else None
        return f"{where}: {what}" if where else what
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) and not isinstance(
        exc, sqlite3.IntegrityError
    ):
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_BUSY") or "locked" in str(exc):
            return ("the register is locked by another process and stayed locked past the busy "
                    "timeout (SSC_BUSY_TIMEOUT_MS): nothing was written, try again")
        if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
            return "the register's disk is full: nothing was written"
        if name.startswith("SQLITE_READONLY") or "readonly" in str(exc):
            return "the register cannot be written here (read-only file, folder or medium)"
        if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
            return f"cannot read or write the register ({exc})"
        return f"the register file is unusable: {exc}"
    if isinstance(exc, UnicodeError):
        return f"not valid text in its encoding ({exc})"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return None
