"""The CPA report as JSON: the contract's fields (``spec/cli.md``) and a few more."""

from __future__ import annotations

import json

from smki.cpa.report import CpaReport


def render(report: CpaReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
