"""Plain-text tables for people at a terminal: columns sized to the content, the widest cut to fit 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 80

#: The columns `ssc <type> list` shows per record type (all fields are in `--format json`).
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "party": ("id", "name", "roles", "domestic_sms"),
    "assessment": ("id", "party", "kind", "cycle_year", "fieldwork_end", "report_received", "response_received"),
    "letter": ("id", "party", "received", "relates_to", "summary"),
    "decision": ("id", "subject", "date", "status", "conditions"),
    "finding": ("id", "assessment", "sec_ref", "severity", "status", "due", "title"),
    "highlight": ("id", "date", "committee", "classification", "title"),
}

#: Short headings where a field name would waste a narrow column.
HEADINGS = {"domestic_sms": "domestic SMS", "cycle_year": "year", "fieldwork_end": "fieldwork end",
            "report_received": "report", "response_received": "response",
            "classification": "class", "relates_to": "relates to"}


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return " ".join(str(value).split())


def format_table(headings: Sequence[str], rows: Sequence[Sequence[object]], *, width: int = WIDTH) -> str:
    """A table with a heading row, cutting the widest columns (with …) until it fits ``width``."""
    texts = [[cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in texts)]) for i, h in enumerate(headings)]
    gap = 2
    while sum(widths) + gap * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        floor = max(len(headings[widest]), 6)
        if widths[widest] <= floor:
            break
        widths[widest] -= 1

    def line(values: Sequence[str]) -> str:
        parts = [(v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths, strict=True)]
        return (" " * gap).join(parts).rstrip()

    out = [line(list(headings)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in texts)
    return "\n".join(out) + "\n"
