"""What the dashboard shows of the due items, computed in this process or in the due worker's.

Below both ``tui.sources`` (which asks for it) and ``tui.due_worker`` (which computes it in a
process of its own), so neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # An annotation only: the dashboard imports this module at start, assurance.due when it asks.
    from assurance.due import DueItem


@dataclass(frozen=True)
class DueSummary:
    """What the dashboard shows of the due items: the first few, and counts of them all."""

    items: list[DueItem]  # the first ``shown``, in compute_due's order (most overdue first)
    total: int
    overdue: int
    by_category: dict[str, int]


def summarise_due(items: list[DueItem], shown: int) -> DueSummary:
    by_category: dict[str, int] = {}
    overdue = 0
    for item in items:
        by_category[item.category] = by_category.get(item.category, 0) + 1
        overdue += item.days_overdue > 0
    return DueSummary(items[:shown], len(items), overdue, by_category)
