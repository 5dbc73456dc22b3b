"""The chase list: what is overdue or falls due within N days, grouped by Party with its contact.

The items are ``compute_due``'s (the rule of ``ssc due``); this module only groups them, finds
each Party's contact and writes the list as CSV or Markdown to send out, whole or not at all
and readable by its owner only (it names Parties and may carry RED records).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assurance.due import DueItem, compute_due

if TYPE_CHECKING:
    from assurance.store import Register

#: How far ahead the chase list looks by default.
DEFAULT_WITHIN_DAYS = 14


@dataclass(frozen=True)
class ChaseParty:
    """One Party to chase: whom to write to, and what it owes, most overdue first."""

    party: str
    name: str
    contact: str | None
    items: tuple[DueItem, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def most_overdue(self) -> int:
        return max(item.days_overdue for item in self.items)


def chase_list(
    register: Register, as_of: dt.date, within_days: int = DEFAULT_WITHIN_DAYS
) -> list[ChaseParty]:
    """Overdue items and those due within ``within_days``, by Party, the most overdue Party first."""
    if within_days < 0:
        from core.errors import InputError

        raise InputError("the number of days ahead cannot be negative", field="within")
    by_party: dict[str, list[DueItem]] = {}
    for item in compute_due(register, as_of, within_days=within_days):
        by_party.setdefault(item.party, []).append(item)
    contacts = dict(register.conn.execute("SELECT id, contact FROM parties").fetchall())
    groups = [
        ChaseParty(
            party,
            items[0].party_name,
            contacts.get(party),
            tuple(sorted(items, key=lambda i: (-i.days_overdue, i.category))),
        )
        for party, items in by_party.items()
    ]
    groups.sort(key=lambda g: (-g.most_overdue, g.name.casefold(), g.party))
    return groups


def classification(groups: Sequence[ChaseParty], order: Sequence[str]) -> str:
    """The highest classification of any item listed: the list is marked with it."""
    levels = {item.classification for group in groups for item in group.items}
    return max(levels, key=order.index) if levels else order[0]


_COLUMNS = (
    "party",
    "party_name",
    "contact",
    "category",
    "subject",
    "due",
    "days_overdue",
    "description",
    "classification",
)


def _cell(value: object) -> object:
    # A text cell a spreadsheet would run as a formula (=, +, -, @) is quoted as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(groups: Sequence[ChaseParty], **_context: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for group in groups:
        for item in group.items:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        group.party,
                        group.name,
                        group.contact or "",
                        item.category,
                        item.subject or "",
                        item.due.isoformat(),
                        item.days_overdue,
                        item.description,
                        item.classification,
                    )
                ]
            )
    return out.getvalue()


def _md(text: object) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r", " ")
        .replace("\n", " ")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
        .replace("<", "&lt;")
    )


def to_markdown(
    groups: Sequence[ChaseParty], as_of: dt.date, within_days: int, marking: str
) -> str:
    lines = [
        f"**{marking}**",
        "",
        f"# Chase list as of {as_of.isoformat()}",
        "",
        f"Overdue, or due within {within_days} days: "
        f"{sum(len(g.items) for g in groups)} items for {len(groups)} Parties, "
        f"{sum(g.overdue for g in groups)} overdue.",
        "",
    ]
    for group in groups:
        lines += [
            f"## {_md(group.name)} ({_md(group.party)})",
            "",
            f"Contact: {_md(group.contact) if group.contact else 'none recorded'}",
            "",
            "| Due | Days overdue | What | Record | Class |",
            "| --- | ---: | --- | --- | --- |",
        ]
        lines += [
            f"| {i.due.isoformat()} | {i.days_overdue:+d} | {_md(i.description)} | "
            f"{_md(i.subject or '')} | {i.classification} |"
            for i in group.items
        ]
        lines.append("")
    return "\n".join(lines)


def write_chase_list(
    register: Register, as_of: dt.date, within_days: int, path: Path, fmt: str
) -> Path:
    """Write the chase list to ``path`` (0600, atomically) in ``fmt``, one of
    :data:`assurance.formats.CHASE`."""
    from assurance.formats import CHASE

    chosen = CHASE[fmt]
    groups = chase_list(register, as_of, within_days)
    marking = classification(groups, register.policy.classification.order)
    content = CHASE.render(chosen, groups, as_of=as_of, within_days=within_days, marking=marking)
    chosen.write(content, Path(path))
    return Path(path)
