"""The Environment: streams, clock, actor and register path, passed in rather than read globally.

Tests build one with their own streams and a fixed date instead of patching globals (the httpie
way).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


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


def system_clock() -> dt.datetime:
    """UTC now: the clock an Environment has unless a test gives it another."""
    from core.audit import utc_now  # imported when first read: `ssc --help` need not load the trail

    return utc_now()


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    db_path: Path = field(default_factory=lambda: Path(os.environ["SSC_DB"]) if os.environ.get("SSC_DB") else default_db_path())
    actor: str = field(default_factory=current_actor)
    as_of: dt.date | None = None
    #: The time now (UTC), for audit events, timestamps and today's date; tests give a fixed one.
    clock: Callable[[], dt.datetime] = system_clock

    def today(self) -> dt.date:
        """The date the command works as of: ``--as-of`` if given, else the clock's UTC date."""
        return self.as_of or self.clock().date()

    def now(self) -> dt.datetime:
        """UTC time for audit events (never the fixed as-of date: events record real time)."""
        return self.clock()
