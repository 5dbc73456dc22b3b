"""The dashboard's due summary: the same from the worker process as in-process, and only the first rows shipped."""

from __future__ import annotations

from assurance.due import compute_due
from assurance.store import Register
from tests.test_tui_support import TODAY, demo_register
from tui.sources import due_summary


def test_worker_process_and_in_process_summaries_agree(tmp_path):
    db = demo_register(tmp_path / "register.db")
    with Register.open(db, actor="t") as register:
        everything = compute_due(register, TODAY)
    shown = 5
    here = due_summary(db, "t", TODAY, shown)
    there = due_summary(db, "t", TODAY, shown, separate_process=True)
    assert here == there
    assert here.total == len(everything) > shown
    assert here.items == everything[:shown]
    assert here.overdue == sum(1 for item in everything if item.overdue)
    assert sum(here.by_category.values()) == len(everything)
