"""Reading input files safely: only regular files are opened, never more than a size limit.

A checker walking a repository meets symlinks (dangling or looping), sockets, FIFOs and files it
may not read. Each is an answer on that path (:class:`Unreadable`), never an exception that ends
the run, and a FIFO is never opened for reading (it would block).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
#: Every reason below completes "the file ..." or "document ...".
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True)
class Unreadable:
    """Why a path was not read (one line, plain words)."""

    path: str
    reason: str


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return f"is {name}, not a regular file; not opened"
    return "is not a regular file; not opened"


def _os_reason(path: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symbolic link loop; not opened"
    if exc.errno == errno.ENOENT:
        return (
            "is a dangling symbolic link (its target does not exist); not opened"
            if os.path.islink(path)
            else "no longer exists"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    return f"cannot be read: {os.strerror(exc.errno) if exc.errno else type(exc).__name__}"


def probe(path: str) -> Unreadable | os.stat_result:
    """The file's status (following symlinks), or why it will not be read."""
    try:
        status = os.stat(path)
    except OSError as exc:
        return Unreadable(path, _os_reason(path, exc))
    reason = _not_regular(status.st_mode)
    return Unreadable(path, reason) if reason else status


def read_regular(path: str, limit: int, head: int | None = None) -> bytes | Unreadable:
    """The bytes of a regular file no larger than ``limit`` (or its first ``head`` bytes).

    Opened non-blocking and checked again with ``fstat`` after opening, so that a file swapped
    for a FIFO between the check and the open is still never read.
    """
    status = probe(path)
    if isinstance(status, Unreadable):
        return status
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return Unreadable(path, _os_reason(path, exc))
    try:
        status = os.fstat(fd)
        reason = _not_regular(status.st_mode)
        if reason:
            return Unreadable(path, reason)
        if head is None and status.st_size > limit:
            return Unreadable(
                path, f"is {status.st_size:,} bytes, over the limit of {limit:,}; not read"
            )
        # What fstat said, no more: a file that grows while it is read is read as it was.
        remaining = min(head, limit) if head is not None else status.st_size
        chunks = []
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return Unreadable(path, _os_reason(path, exc))
    finally:
        os.close(fd)


def iter_file_names(paths: Iterable[Path | str]) -> Iterator[str]:
    """Files named, and files under directories named (recursed, sorted, hidden ones skipped).

    Symbolic links to directories are not followed (no loops); links to files are listed, and
    whatever they point at is judged when the file is read.
    """
    for path in (os.fspath(p) for p in paths):
        if not os.path.isdir(path):
            yield path
            continue
        for folder, dirs, files in os.walk(path, followlinks=False):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".") and not os.path.islink(os.path.join(folder, d))
            )
            base = str(Path(folder))  # as Path(folder, name) would spell it ("./a" is "a")
            prefix = "" if base == "." else base.rstrip(os.sep) + os.sep
            for name in sorted(files):
                if not name.startswith("."):
                    yield prefix + name
