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
