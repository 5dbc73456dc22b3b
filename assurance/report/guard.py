"""The classification guard: the main part may show nothing of a record above its classification.

The main part is built from counts and policy vocabulary, so it should never carry a Party's
name or a finding's title. This guard does not trust that: it looks for every free-text value
of every record in the register above the report's classification (withdrawn ones too: a
Party's name, a finding's title, a decision's conditions, a withheld highlight) in the
laid-out document, and refuses to go on if one appears. A value that is itself public vocabulary (a Party called "Shared
Resource Provider", a title "One") is no evidence of a leak and is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assurance.policy import RegisterPolicy
from assurance.report.document import Document
from assurance.report.policy import ReportPolicy
from assurance.report.words import in_words, month_label
from ssc.errors import SSCError

#: Fields that hold codes, ids, dates or references: vocabulary, not free text.
_NOT_TEXT = frozenset({
    "id", "type", "classification", "withdrawn", "roles", "kind", "status", "severity",
    "sec_ref", "committee", "party", "assessment", "subject", "relates_to", "date", "due",
    "closed", "received", "cycle_year", "domestic_sms", "non_domestic_sms", "fieldwork_start",
    "fieldwork_end", "report_received", "response_due", "response_received",
})


class ClassificationError(SSCError):
    """The report would carry something above its classification; nothing was written."""

    exit_status = 2


@dataclass(frozen=True)
class Sensitive:
    """One free-text value of a record above the report's classification."""

    record_type: str
    record_id: str
    field: str
    classification: str
    value: str


def normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").casefold().split())


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def sensitive_values(states: Iterable[tuple[str, str, dict[str, Any]]], ceiling: str,
                     register_policy: RegisterPolicy) -> list[Sensitive]:
    """The free-text values of the records classified above ``ceiling``.

    ``states`` are (type, id, interchange object) as ``Register.audit_states`` gives them:
    every field a record has, extras included.
    """
    levels = register_policy.classification
    found: dict[tuple[str, str, str, str], Sensitive] = {}
    for type_name, record_id, state in states:
        classification = state["classification"]
        if levels.at_most(classification, ceiling):
            continue
        for name, value in state.items():
            if name in _NOT_TEXT:
                continue
            for text in _strings(value):
                if text.strip():
                    key = (type_name, record_id, name, text)
                    found[key] = Sensitive(type_name, record_id, name, classification, text)
    return list(found.values())


def public_lexicon(policy: ReportPolicy, register_policy: RegisterPolicy, month: str) -> str:
    """All the words the main part may say by construction: templates and vocabulary."""
    pieces: list[str] = [month]
    for text in _strings(policy.model_dump(exclude={"sources"})):
        pieces.extend(re.split(r"\{[^}]*\}", text))
    for text in _strings(register_policy.model_dump(include={"roles", "roles_plural", "kinds", "statuses", "highlights"})):
        pieces.append(text)
    pieces.extend(in_words(n) for n in range(1, 1000))
    return normalise("\n".join(pieces))


def _occurs(needle: str, haystack: str) -> bool:
    if needle not in haystack:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def check_main(document: Document, sensitive: Iterable[Sensitive], lexicon: str) -> None:
    """Raise :class:`ClassificationError` if any sensitive value shows in ``document``."""
    text = normalise(document.plain_text())
    # Many records share a value (the same title, the same conditions): search each once.
    first_with: dict[str, Sensitive] = {}
    for item in sensitive:
        first_with.setdefault(normalise(item.value), item)
    for needle, item in first_with.items():
        if not needle or not _occurs(needle, text) or _occurs(needle, lexicon):
            continue
        raise ClassificationError(
            f"the main part ({document.classification}) would show the {item.field} of "
            f"{item.record_type} {item.record_id}, which is {item.classification}; nothing "
            "was written. Reword the highlight that quotes it, or reclassify the record."
        )


def check_month(document: Document, month: dt.date,
                states: Iterable[tuple[str, str, dict[str, Any]]],
                policy: ReportPolicy, register_policy: RegisterPolicy) -> None:
    """The final guard over one month's main part, against every record of the register."""
    levels = register_policy.classification
    if not levels.at_most(document.classification, policy.paper.main_ceiling):
        raise ClassificationError(f"the main part may be at most {policy.paper.main_ceiling}, "
                                  f"not {document.classification}")
    sensitive = sensitive_values(states, document.classification, register_policy)
    check_main(document, sensitive, public_lexicon(policy, register_policy, month_label(month)))
