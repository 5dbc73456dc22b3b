"""The UI's state as pydantic models: the session it runs in and the state of one list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Session(BaseModel):
    """What the app was started with: which register, as whom, as of when, and how."""

    model_config = ConfigDict(frozen=True)

    db_path: Path
    actor: str
    today: dt.date
    read_only: bool = False
    demo: bool = False
    certs: tuple[Path, ...] = ()
    out_dir: Path = Field(default_factory=Path.cwd)
    #: Off in tests and snapshots, so screenshots do not depend on timing.
    cursor_blink: bool = True


class ListState(BaseModel):
    """One table's query: the filter text, sort, page and an optional scope (``party = P1``)."""

    text: str = ""
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    scope_field: str | None = None
    scope_value: str | None = None
