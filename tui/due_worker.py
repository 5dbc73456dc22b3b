"""Due items computed in a process of its own, so a big register never slows the UI.

``python -m tui.due_worker DB ACTOR YYYY-MM-DD SHOWN [POLICY]`` prints the summary as one JSON
object (POLICY: the app's policy file, so the worker works under the app's policies).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from tui.due_summary import DueSummary, summarise_due


def compute_in_subprocess(
    db_path: Path, actor: str, as_of: dt.date, shown: int, policy_file: Path | None = None
) -> DueSummary:
    from assurance.due import DueItem

    root = str(Path(__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.due_worker",
            str(db_path),
            actor,
            as_of.isoformat(),
            str(shown),
            *([str(policy_file)] if policy_file else []),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
        )
    data = json.loads(proc.stdout)
    items = []
    for item in data["items"]:
        item["due"] = dt.date.fromisoformat(item["due"])
        items.append(DueItem(**item))
    return DueSummary(items, data["total"], data["overdue"], data["by_category"])


def main(argv: list[str]) -> int:
    from assurance.due import compute_due
    from assurance.store import Register
    from core.env import Policies

    db, actor, day, shown, *policy_file = argv
    policies = Policies(Path(policy_file[0]) if policy_file else None)
    with Register.open(db, actor=actor, policies=policies) as register:
        summary = summarise_due(compute_due(register, dt.date.fromisoformat(day)), int(shown))
    json.dump(
        {
            "total": summary.total,
            "overdue": summary.overdue,
            "by_category": summary.by_category,
            "items": [dataclasses.asdict(item) for item in summary.items],
        },
        sys.stdout,
        default=str,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
