"""Renderers of the CPA expiry report, one module per format, behind one interface."""

from __future__ import annotations

import importlib
from typing import Protocol

from smki.cpa.report import CpaReport

#: Format name -> module; each module has ``render(report) -> str``.
FORMATS = {
    "markdown": "smki.cpa.formats.markdown",
    "csv": "smki.cpa.formats.csv",
    "json": "smki.cpa.formats.json",
    "html": "smki.cpa.formats.html",
    "prometheus": "smki.cpa.formats.prometheus",
}


class Renderer(Protocol):
    def __call__(self, report: CpaReport) -> str: ...


def renderer(name: str) -> Renderer:
    """The ``render`` function of format ``name`` (imported only when asked for)."""
    return importlib.import_module(FORMATS[name]).render
