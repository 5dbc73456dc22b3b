"""End to end in a real terminal: ``ssc tui --demo`` in tmux, driven by send-keys, read by capture-pane."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import uuid

import pytest

from assurance.store import Register
from tests.conftest import REPO, require_tool


class Terminal:
    def __init__(self, tmux: str, command: str, size: tuple[int, int] = (100, 30)) -> None:
        self.tmux = tmux
        self.name = f"ssc-e2e-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                command,
            ],
            check=True,
        )
        subprocess.run([tmux, "set-option", "-t", self.name, "remain-on-exit", "on"], check=False)

    def screen(self) -> str:
        return subprocess.run(
            [self.tmux, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_for(self, *texts: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{texts} not on screen after {timeout}s:\n{screen}")
            time.sleep(0.2)

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([self.tmux, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        subprocess.run([self.tmux, "send-keys", "-t", self.name, "-l", text], check=True)
        time.sleep(0.3)

    def close(self) -> None:
        subprocess.run([self.tmux, "kill-session", "-t", self.name], check=False)


@pytest.mark.slow
def test_a_secretary_finds_a_party_and_withdraws_it_in_a_real_terminal(tmp_path):
    tmux = require_tool("tmux")
    db = tmp_path / "register.db"
    env = f"PYTHONPATH={shlex.quote(str(REPO))} SSC_ACTOR=e2e-secretary TERM=xterm-256color"
    command = (
        f"cd {shlex.quote(str(REPO))} && env {env} {shlex.quote(sys.executable)} -m ssc"
        f" --db {shlex.quote(str(db))} tui --demo --as-of 2020-01-10"
        f" --out {shlex.quote(str(tmp_path / 'out'))}"
    )
    term = Terminal(tmux, command)
    try:
        term.wait_for("ssc · Dashboard", "Due and overdue —", "overdue,", "Decisions this month")
        term.keys("p")
        term.wait_for("ssc · Parties", "Beacon Hill Energy")
        term.keys("/")
        term.type("Albion")
        term.wait_for("1–1 of 1")
        term.keys("Enter", "Enter")  # leave the filter, then open the Party's assessments
        term.wait_for("ssc · Assessments of party P002")
        term.keys("Escape")
        term.wait_for("ssc · Parties ", "1–1 of 1")
        term.keys("w")
        term.wait_for("Withdraw party P002")
        term.type("duplicate of P036")
        term.keys("C-s")
        term.wait_for("party P002 withdrawn")
        term.keys("q")
        deadline = time.monotonic() + 20
        while "ssc · Parties" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        term.close()
    with Register.open(db, actor="check") as register:
        party = register.get("party", "P002")
        assert party.withdrawn is not None
        assert party.withdrawn_reason == "duplicate of P036"
        assert register.verify_audit() is None


@pytest.mark.slow
def test_a_month_in_a_real_terminal_with_the_cli_in_another(tmp_path):
    """Party, assessment (its Party picked by name), decision (checked, then confirmed), chase
    list and last month's paper, at 80x24; and an edit refused because the CLI changed the
    record meanwhile (issue 10, item 14)."""
    import os

    tmux = require_tool("tmux")
    db = tmp_path / "register.db"
    out = tmp_path / "out"
    env = f"PYTHONPATH={shlex.quote(str(REPO))} SSC_ACTOR=e2e-secretary TERM=xterm-256color"
    command = (
        f"cd {shlex.quote(str(REPO))} && env {env} {shlex.quote(sys.executable)} -m ssc"
        f" --db {shlex.quote(str(db))} tui --demo --as-of 2020-01-10"
        f" --out {shlex.quote(str(out))}"
    )
    term = Terminal(tmux, command, size=(80, 24))

    def slowly(*keys: str) -> None:
        for key in keys:
            term.keys(key)
            time.sleep(0.35)

    try:
        term.wait_for("ssc · Dashboard", "Due and overdue —", "overdue,")
        # A Party: the form starts at the name; the id is the register's to give.
        slowly("p", "n")
        term.wait_for("New party", "left empty: the next free id")
        term.type("Wessex Energy Ltd")
        slowly("Tab", "Down", "Space", "C-s")
        term.wait_for("party P0036 saved")
        # An assessment for it, the Party found by name.
        slowly("a", "n")
        term.wait_for("New assessment")
        term.type("wessex")
        slowly("Enter")
        term.wait_for("Choose the Party", "Wessex Energy Ltd")
        slowly("Enter")
        term.wait_for("P0036  Wessex Energy Ltd")
        slowly("Tab", "Enter", "Down", "Enter", "C-s")
        term.wait_for("saved")
        # Its decision: checked, shown, then confirmed.
        slowly("/")
        term.type("wessex")
        slowly("Enter", "s")
        term.wait_for("Set the status of assessment")
        slowly("Enter", "Tab", "Tab")
        term.type("SSC 2020-01-08 item 4")
        slowly("C-s")
        term.wait_for("What this records", "Approved recorded for assessment")
        slowly("C-s")
        term.wait_for("Decision recorded")
        # The chase list, exported.
        slowly("h")
        term.wait_for("Chase list", "Albion Home Energy Ltd")
        slowly("e")
        term.wait_for("wrote")
        slowly("Escape")
        # Last month's paper.
        slowly("r")
        term.wait_for("Reports", "2019-12")
        slowly("C-s")
        term.wait_for("ssc-panel-2019-12.md")
        slowly("Escape")
        # An edit while the CLI changes the same Party in another terminal.
        slowly("p", "/")
        term.type("Severn")
        slowly("Enter", "e")
        term.wait_for("Edit party P003")
        other = subprocess.run(
            [
                sys.executable,
                "-m",
                "ssc",
                "--db",
                str(db),
                "party",
                "edit",
                "P003",
                "domestic_sms=300000",
                "--reason",
                "Q4 return",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO), "SSC_ACTOR": "other-officer"},
        )
        assert other.returncode == 0, other.stderr
        term.type(" (trading)")
        slowly("C-s")
        term.wait_for("changed by someone else")
        slowly("Escape")
        term.wait_for("Discard what you typed?")
        slowly("y")
        slowly("q")
        deadline = time.monotonic() + 20
        while "ssc ·" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        term.close()
    with Register.open(db, actor="check") as register:
        [party] = register.records("party", where="name = 'Wessex Energy Ltd'")
        [assessment] = register.records("assessment", where="party = ?", params=(party.id,))
        [decision] = register.records("decision", where="subject = ?", params=(assessment.id,))
        assert decision.status == "approved"
        severn = register.get("party", "P003")
        assert severn.domestic_sms == 300000 and severn.name == "Severn Vale Energy plc"
        assert register.verify_audit() is None
    assert (out / "ssc-panel-2019-12.md").exists()
    assert (out / "chase-list-2020-01-10.csv").exists()


@pytest.mark.slow
def test_a_read_only_demo_is_filled_then_browsed_read_only_in_a_real_terminal(tmp_path):
    """``ssc tui --demo --read-only``: the demo data is written first, then the app opens the file
    read-only and refuses a write with its one message (no traceback, nothing changed)."""
    tmux = require_tool("tmux")
    db = tmp_path / "register.db"
    env = f"PYTHONPATH={shlex.quote(str(REPO))} SSC_ACTOR=e2e-secretary TERM=xterm-256color"
    command = (
        f"cd {shlex.quote(str(REPO))} && env {env} {shlex.quote(sys.executable)} -m ssc"
        f" --db {shlex.quote(str(db))} tui --demo --read-only --as-of 2020-01-10"
    )
    term = Terminal(tmux, command)
    try:
        term.wait_for("ssc · Dashboard", "Due and overdue —")
        before = db.read_bytes()
        term.keys("p")
        term.wait_for("ssc · Parties · as of 2020-01-10 · READ-ONLY", "Beacon Hill Energy")
        term.keys("w")
        term.wait_for("Read-only mode")
        assert "Withdraw party" not in term.screen()
        term.keys("q")
        deadline = time.monotonic() + 20
        while "ssc · Parties" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Traceback" not in term.screen()
    finally:
        term.close()
    assert db.read_bytes() == before
    with Register.open(db, actor="check", write=False) as register:
        assert register.count("party") == 35
