"""The title bar of every full screen: the register's session (as of when, read-only, demo) and the screen's title."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from tui.app import SSCApp


def title_bar(app: SSCApp, title: str) -> Static:
    session = app.session
    flags = " · READ-ONLY" if session.read_only else ""
    flags += " · DEMO" if session.demo else ""
    return Static(f" ssc · {title} · as of {session.today.isoformat()}{flags}", classes="title-bar")
