"""The Environment: streams, clock, actor, register path and policies, passed in rather than
read globally.

Tests build one with their own streams, a fixed date and their own policy file (or policies
already loaded) instead of patching globals or ``os.environ`` (the httpie way). This module is
the one place that reads ``SSC_DB``, ``SSC_ACTOR`` and ``SSC_POLICY``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar, cast

T = TypeVar("T")
#: A policy loader: the domain's ``load_...(override)``, which reads the shipped TOML and the
#: override file and returns its own validated type (core never names those types).
PolicyLoader = Callable[[Path | None], T]


class PolicySource(Protocol):
    """Where a domain object gets its policies: an Environment's :class:`Policies`, or
    :data:`shipped`."""

    def __call__(self, loader: PolicyLoader[T], /) -> T: ...


class Policies:
    """The policies one run works under: the shipped TOML with one user's file applied.

    Called with a loader (``policies(load_policy)``) it returns that loader's validated policy,
    loaded on first use (a bad file is an ``InputError`` then) and the same object after. Two
    instances with different files give two sets of policies in one process; ``preset`` gives
    a test policies already built.
    """

    def __init__(
        self, file: Path | None = None, preset: Mapping[Callable[..., Any], Any] | None = None
    ) -> None:
        self.file = file
        self._loaded: dict[Callable[..., Any], Any] = dict(preset or {})
        # The TUI's workers ask from threads: one load each, so "the same object" holds. Re-entrant:
        # a loader may ask the shipped policies for another (the report's, for the register's).
        self._lock = threading.RLock()

    def __call__(self, loader: PolicyLoader[T], /) -> T:
        with self._lock:
            if loader not in self._loaded:
                # Without a file these are the shipped policies: loaded once per process.
                alone = self.file is None and self is not shipped
                self._loaded[loader] = shipped(loader) if alone else loader(self.file)
            return cast(T, self._loaded[loader])

    def __repr__(self) -> str:
        return f"Policies({self.file!r})"


#: The shipped policies alone: the package API's default when a caller passes no policy (never
#: ``SSC_POLICY``: applying that is the Environment's).
shipped = Policies()


def default_db_path() -> Path:
    """The per-user default register: ``$XDG_DATA_HOME/ssc/register.db``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ssc" / "register.db"


def current_actor() -> str:
    """Who is making changes, for the audit trail: ``SSC_ACTOR`` or the OS user."""
    actor = os.environ.get("SSC_ACTOR")
    if actor:
        return actor
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return f"uid:{os.getuid()}"


def default_policy_file() -> Path | None:
    """The user's policy file, overriding the shipped tables: ``SSC_POLICY``, if set."""
    name = os.environ.get("SSC_POLICY")
    return Path(name) if name else None


def system_clock() -> dt.datetime:
    """UTC now: the clock an Environment has unless a test gives it another."""
    from core.audit import utc_now  # imported when first read: `ssc --help` need not load the trail

    return utc_now()


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    db_path: Path = field(
        default_factory=lambda: (
            Path(os.environ["SSC_DB"]) if os.environ.get("SSC_DB") else default_db_path()
        )
    )
    actor: str = field(default_factory=current_actor)
    as_of: dt.date | None = None
    #: The time now (UTC), for audit events, timestamps and today's date; tests give a fixed one.
    clock: Callable[[], dt.datetime] = system_clock
    #: The policies, with the user's file (``SSC_POLICY``) applied; a test gives its own.
    policies: Policies = field(default_factory=lambda: Policies(default_policy_file()))

    def today(self) -> dt.date:
        """The date the command works as of: ``--as-of`` if given, else the clock's UTC date."""
        return self.as_of or self.clock().date()

    def policy(self, loader: PolicyLoader[T]) -> T:
        """The policy ``loader`` reads, with this Environment's policy file applied (memoised:
        see :class:`Policies`)."""
        return self.policies(loader)
