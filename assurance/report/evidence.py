"""The evidence a decision rested on, laid out for Appendix A (classification respected)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from assurance.evidence.policy import EvidencePolicy, evidence_policy
from assurance.evidence.store import Evidence
from assurance.policy import RegisterPolicy
from assurance.report.document import Block, Paragraph, Table
from assurance.report.words import day_label

#: Hex digits of the SHA-256 shown: enough to match a file by eye, short enough for a table.
SHORT_HASH = 12


def evidence_blocks(
    items: Sequence[Evidence],
    ceiling: str,
    register_policy: RegisterPolicy,
    policy: EvidencePolicy | None = None,
) -> list[Block]:
    """A table of the documents (name, kind, date, short hash) no more restricted than ``ceiling``.

    Nothing where a decision has no evidence; documents above the ceiling are counted, never
    named.
    """
    policy = policy or evidence_policy()
    levels = register_policy.classification
    shown = [item for item in items if levels.at_most(item.classification, ceiling)]
    blocks: list[Block] = []
    if shown:
        blocks.append(
            Table(
                ("Document", "Kind", "Dated", "SHA-256"),
                tuple(
                    (
                        item.name + (" (withdrawn since)" if item.withdrawn else ""),
                        policy.kinds.get(item.kind, item.kind),
                        day_label(dt.date.fromisoformat(item.effective)),
                        item.sha256[:SHORT_HASH],
                    )
                    for item in shown
                ),
                caption="Evidence the decision rested on",
            )
        )
    if len(shown) < len(items):
        blocks.append(
            Paragraph(
                f"{len(items) - len(shown)} further document(s) classified "
                f"above {ceiling} are not listed here."
            )
        )
    return blocks
