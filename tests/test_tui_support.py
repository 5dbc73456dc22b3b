"""Shared set-up for the TUI tests (no tests here): a demo register as of a fixed day, an app over it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assurance.demo import populate
from assurance.store import Register
from tui.app import SSCApp
from tui.state import Session

TODAY = dt.date(2020, 1, 10)


def demo_register(path: Path) -> Path:
    with Register.open(path, actor="demo") as register:
        populate(register, today=TODAY)
    return path


def make_app(db: Path, **session) -> SSCApp:
    options = {
        "db_path": db,
        "actor": "test-secretary",
        "today": TODAY,
        "cursor_blink": False,
        "out_dir": db.parent / "out",
        **session,
    }
    return SSCApp(Session(**options))


async def settle(pilot) -> None:
    """Let messages, workers (due items, alerts) and refreshes finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(static) -> str:
    """What a Static says, as plain text (its content rendered by Rich, or its markup-free text)."""
    import io

    from rich.console import Console
    from textual.content import Content

    content = static.content
    if isinstance(content, Content):
        return content.plain
    if isinstance(content, str):
        return Content.from_markup(content).plain if "[" in content else content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()
