"""How values read on screen: classification badges, role and status names from the policy."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from assurance.policy import RegisterPolicy

#: Panel Information Policy colours; WHITE stays plain.
CLASSIFICATION_STYLES = {
    "RED": "bold white on dark_red",
    "AMBER": "bold black on dark_orange",
    "GREEN": "bold black on green",
    "WHITE": "",
}


def badge(level: str | None) -> Text:
    """A classification as a coloured badge (RED in red)."""
    level = level or "?"
    return Text(f" {level} ", style=CLASSIFICATION_STYLES.get(level, ""))


def role_names(roles: Any, policy: RegisterPolicy) -> str:
    if isinstance(roles, str):
        try:
            roles = json.loads(roles)
        except ValueError:
            return roles
    return ", ".join(policy.roles.get(r, r) for r in roles or [])


def status_name(policy: RegisterPolicy, code: str | None, vocabulary: str | None = None) -> str:
    """A status code's name in the SEC's words; the code itself if the policy does not know it."""
    if code is None:
        return "—"
    vocabularies = [vocabulary] if vocabulary else list(policy.statuses)
    for name in vocabularies:
        status = policy.statuses.get(name, {}).get(code)
        if status is not None:
            return status.name
    return code.replace("_", " ")


def words(code: str | None) -> str:
    """A policy code without a name of its own, as words (``in_remediation`` → ``in remediation``)."""
    return (code or "").replace("_", " ")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)
