"""Renderers of the CPA expiry report, one module per format, listed once in :data:`CPA`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.formats import Family, Format

if TYPE_CHECKING:
    from smki.cpa.report import CpaReport

#: The CPA report's formats: the CLI's choices, the suffixes -o recognises, the renderers.
CPA = Family("cpa report", [
    Format("markdown", ".md", "smki.cpa.formats.markdown:render", "for people"),
    Format("html", ".html", "smki.cpa.formats.html:render", "for screen and print, A4"),
    Format("csv", ".csv", "smki.cpa.formats.csv:render", "for spreadsheets"),
    Format("json", ".json", "smki.cpa.formats.json:render", "for programs"),
    Format("prometheus", ".prom", "smki.cpa.formats.prometheus:render",
           "for node_exporter's textfile collector"),
])  # fmt: skip


class Renderer(Protocol):
    def __call__(self, report: CpaReport) -> str: ...


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (imported only when asked for)."""
    return CPA[name].render  # type: ignore[return-value]
