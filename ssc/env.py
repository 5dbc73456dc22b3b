"""The Environment: streams, clock, actor and register path, passed in rather than read globally.

Tests build one with their own streams and a fixed date instead of patching globals (the httpie
way).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
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


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    db_path: Path = field(default_factory=lambda: Path(os.environ["SSC_DB"]) if os.environ.get("SSC_DB") else default_db_path())
    actor: str = field(default_factory=current_actor)
    as_of: dt.date | None = None

    def today(self) -> dt.date:
        """The date the command works as of: ``--as-of`` if given, else today's UTC date."""
        return self.as_of or dt.datetime.now(dt.UTC).date()

    def now(self) -> dt.datetime:
        """UTC time for audit events (never the fixed as-of date: events record real time)."""
        return dt.datetime.now(dt.UTC)
