"""Plain-text tables for people at a terminal: columns sized to the content, the widest cut to fit 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 80

#: Short headings where a field name would waste a narrow column (any other: the field name,
#: underscores as spaces). The columns each type lists are its descriptor's ``list_columns``.
HEADINGS = {
    "domestic_sms": "domestic SMS",
    "cycle_year": "year",
    "fieldwork_end": "fieldwork end",
    "report_received": "report",
    "response_received": "response",
    "classification": "class",
    "relates_to": "relates to",
    "next_review": "next review",
}


def heading(field: str) -> str:
    return HEADINGS.get(field, field)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return " ".join(str(value).split())


def format_table(
    headings: Sequence[str], rows: Sequence[Sequence[object]], *, width: int = WIDTH
) -> str:
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
        parts = [
            (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
            for v, w in zip(values, widths, strict=True)
        ]
        return (" " * gap).join(parts).rstrip()

    out = [line(list(headings)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in texts)
    return "\n".join(out) + "\n"
