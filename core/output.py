"""Writing files that hold register data: 0600 whatever the umask, whole or not at all.

Every export, report, appendix or other output ssc writes goes through :func:`private_file` (or
:func:`write_private`): the content is written to an unnamed file in the target's folder
(``O_TMPFILE``; elsewhere a hidden ``.NAME.*.tmp`` removed on any error), created 0600, synced,
then given its name by a rename, so readers see the old file or the whole new one, and a killed
process leaves no partial file under the target's name. ``-`` means standard output.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload

from core.errors import InputError

STDOUT = "-"

#: Whether an O_TMPFILE can be given a name here (some kernels and sandboxes refuse: then the
#: first refusal switches this process to hidden named temporary files).
_link_works = True


def _check_target(path: Path) -> None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        status = None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise InputError("is a directory: name a file to write", path=str(path))
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise InputError("is not a regular file: name a file to write", path=str(path))
    if not path.parent.is_dir():
        raise InputError("cannot write here: no such folder", path=str(path))


def _unnamed(folder: Path) -> tuple[int, str | None]:
    """A new 0600 file in ``folder``: unnamed (O_TMPFILE) where the system allows, else hidden."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag and _link_works and Path("/proc/self/fd").is_dir():
        try:
            fd = os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
        except OSError:
            pass  # the file system has no O_TMPFILE (e.g. some network file systems)
        else:
            return fd, None
    return tempfile.mkstemp(prefix=".ssc-", suffix=".tmp", dir=folder)


def _publish(fd: int, temporary: str | None, path: Path) -> None:
    """Give the written file its name, replacing any old one in one rename."""
    if temporary is None:
        # Link the unnamed file under a hidden name, then rename it over the target: the
        # target appears whole; a kill between the two leaves only the hidden name.
        temporary = str(path.parent / f".{path.name}.{os.getpid()}.{id(path):x}.tmp")
        try:
            os.link(f"/proc/self/fd/{fd}", temporary, follow_symlinks=True)
        except OSError:
            # This system cannot link an O_TMPFILE: copy it to a named one, and stop trying.
            global _link_works
            _link_works = False
            temporary = _copy_to_named(fd, path.parent)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _copy_to_named(fd: int, folder: Path) -> str:
    named, temporary = tempfile.mkstemp(prefix=".ssc-", suffix=".tmp", dir=folder)
    try:
        size = os.fstat(fd).st_size
        offset = 0
        while offset < size:
            sent = os.sendfile(named, fd, offset, size - offset)
            if sent == 0:
                break
            offset += sent
        os.fsync(named)
    except BaseException:
        os.unlink(temporary)
        raise
    finally:
        os.close(named)
    return temporary


@overload
def private_file(
    path: Path | str, mode: Literal["w"] = "w", *, stdout: IO[str] | None = None
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def private_file(
    path: Path | str, mode: Literal["wb"], *, stdout: IO[str] | None = None
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


@contextlib.contextmanager
def private_file(path: Path | str, mode: str = "w", *, stdout: IO | None = None) -> Iterator[IO]:
    """A stream to write ``path`` through: 0600, appears whole on success, nothing on error.

    ``path`` ``-`` is ``stdout`` (text) or its binary buffer. A directory, a missing folder or
    a non-regular target is an InputError (exit 2) before anything is written.
    """
    if str(path) == STDOUT:
        import sys

        stream = stdout or sys.stdout
        if mode == "wb":
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                raise InputError(
                    "binary output cannot go to standard output here; give a file", field="--output"
                )
            yield buffer
            buffer.flush()
        else:
            yield stream
        return
    path = Path(path)
    _check_target(path)
    fd, temporary = _unnamed(path.parent)
    try:
        os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask took away or allowed
        raw = os.fdopen(fd, "wb", closefd=False)
        handle: IO = raw if mode == "wb" else io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield handle
            handle.flush()
            os.fsync(fd)
        finally:
            with contextlib.suppress(Exception):
                handle.close()
        _publish(fd, temporary, path)
        temporary = None
    except OSError as exc:
        from core.errors import EnvironmentFault, describe_fault

        exc.filename = None  # the temporary file's name would only confuse
        raise EnvironmentFault(f"{path}: {describe_fault(exc)}") from None
    finally:
        os.close(fd)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def write_private(path: Path | str, content: str | bytes, *, stdout: IO | None = None) -> None:
    """Write ``content`` to ``path`` (or ``-``: standard output) by :func:`private_file`."""
    if isinstance(content, bytes):
        with private_file(path, "wb", stdout=stdout) as handle:
            handle.write(content)
    else:
        with private_file(path, "w", stdout=stdout) as handle:
            handle.write(content)
