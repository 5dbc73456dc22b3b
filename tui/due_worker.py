"""Due items computed in a process of its own, as JSON lines, so a big register never slows the UI.

``python -m tui.due_worker DB ACTOR YYYY-MM-DD`` prints one ``DueItem`` per line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path


def compute_in_subprocess(db_path: Path, actor: str, as_of: dt.date) -> list:
    from assurance.due import DueItem

    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, "-m", "tui.due_worker", str(db_path), actor, as_of.isoformat()],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, cwd=root, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    items = []
    for line in proc.stdout.splitlines():
        data = json.loads(line)
        data["due"] = dt.date.fromisoformat(data["due"])
        items.append(DueItem(**data))
    return items


def main(argv: list[str]) -> int:
    from assurance.due import compute_due
    from assurance.store import Register

    db, actor, day = argv
    with Register.open(db, actor=actor) as register:
        for item in compute_due(register, dt.date.fromisoformat(day)):
            print(json.dumps(dataclasses.asdict(item), default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
