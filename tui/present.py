"""How values read on screen: classification badges, role and status names from the policy."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from assurance.policy import RegisterPolicy

#: Panel Information Policy colours; WHITE stays plain. Exact colours, not the terminal's ANSI
#: palette (which a theme or terminal may change), each at least 4.5:1 (tests/test_tui_contrast.py).
CLASSIFICATION_STYLES = {
    "RED": "bold #ffffff on #a00000",
    "AMBER": "bold #000000 on #ffb000",
    "GREEN": "bold #000000 on #3cb371",
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


#: Field labels in the SEC's words where a field's name is an abbreviation or a code.
LABELS = {
    "id": "Id",
    "cio": "User CIO",
    "sec_party_id": "SEC Party id",
    "domestic_sms": "Domestic smart metering systems",
    "non_domestic_sms": "Non-domestic smart metering systems",
    "sec_ref": "SEC clause",
    "relates_to": "Relates to assessment",
    "cycle_year": "Year of the cycle",
    "fieldwork_start": "Fieldwork start",
    "fieldwork_end": "Fieldwork end",
    "report_received": "Report received",
    "response_due": "Response due",
    "response_received": "Response received",
    "party": "Party",
    "roles": "User Roles",
}


def field_label(name: str) -> str:
    """A field's label: from :data:`LABELS`, else its name in words."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def words(code: str | None) -> str:
    """A policy code without a name of its own, as words (``in_remediation`` → ``in remediation``)."""
    return (code or "").replace("_", " ")


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 letter``, ``2 letters``: counts in text without "(s)"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)
