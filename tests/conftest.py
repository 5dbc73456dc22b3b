"""Shared fixtures: run ``ssc`` in-process or as a real process, find the shared test material."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from core.env import Environment, Policies
from ssc.cli import main

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DCCBOXED = SHARED / "interop" / "dccboxed"
IN_CI = os.environ.get("CI") == "true"

# Property tests explore with fresh random examples on developers' machines (that is how they
# find bugs); CI replays a fixed set, so a run is red for the change it tests, not by chance.
settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    settings.load_profile("ci")


def require_tool(name: str) -> str:
    """The path of an external tool; skip where it is missing, but fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true (.ci/run installs it)")
    pytest.skip(f"{name} is not installed")


def require_shared() -> Path:
    if DCCBOXED.is_dir():
        return DCCBOXED
    if IN_CI:
        pytest.fail(f"{DCCBOXED} is missing: CI runs with ../shared beside the clone")
    pytest.skip("../shared/interop/dccboxed is not beside this checkout")


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


class SSC:
    """Runs ``ssc`` in-process against one register file, with a fixed actor."""

    def __init__(
        self, db: Path, actor: str = "test-secretary", policy_file: Path | None = None
    ) -> None:
        self.db = db
        self.actor = actor
        #: The policy file in-process runs use (None: the shipped policies), whatever
        #: ``SSC_POLICY`` says: a test sets this, never ``os.environ``.
        self.policy_file = policy_file

    def __call__(self, *argv: str, stdin: str = "", as_of: dt.date | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        env = Environment(
            stdout=out,
            stderr=err,
            stdin=io.StringIO(stdin),
            db_path=self.db,
            actor=self.actor,
            as_of=as_of,
            policies=Policies(self.policy_file),
        )
        try:
            status = main(list(argv), env)
        except SystemExit as exc:  # argparse usage errors
            status = int(exc.code or 0)
        return Result(status, out.getvalue(), err.getvalue())

    def create(self) -> SSC:
        """Create the (empty) register, as any writing command would: reads never create it."""
        from assurance.store import Register

        Register.open(self.db, actor=self.actor).close()
        return self

    def process(
        self, *argv: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120
    ) -> Result:
        """Run ``python -m ssc`` as a separate process (for exit codes, streams, concurrency)."""
        full_env = {
            **os.environ,
            "SSC_DB": str(self.db),
            "SSC_ACTOR": self.actor,
            "PYTHONPATH": str(REPO),
        }
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "ssc", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=REPO,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def ssc(tmp_path: Path) -> SSC:
    return SSC(tmp_path / "register.db")
