"""The pre-commit hook ``smki-key-separation`` catches a reused key in a repository of requests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from testdata.smki_pki import build
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
        },
    )


def _estate(root: Path, pki, cases: list[str], reused: bool) -> Path:
    root.mkdir()
    shutil.copytree(pki.certs, root / "certs")
    if reused:
        shutil.copytree(pki.root / "reused", root / "certs-extra")
    (root / "requests").mkdir()
    for case in cases:
        shutil.copy(pki.request(case), root / "requests" / f"{case}.xml")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    return root


def test_try_repo_fails_on_a_reused_key_and_passes_a_clean_estate(tmp_path):
    if shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed")
    hook_repo = tmp_path / "hook-repo"
    # try-repo sees committed files only: clone the checkout as it is committed.
    subprocess.run(["git", "clone", "-q", str(REPO), str(hook_repo)], check=True)
    pki = build(tmp_path / "pki")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "SSC_DB": str(tmp_path / "db")}

    def run(estate: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), "smki-key-separation", "--all-files"],
            cwd=estate,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    # The request is signed with an XmlSign certificate issued over the supplier's DS key.
    bad = run(_estate(tmp_path / "bad", pki, ["clean", "reused-key"], reused=True))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "KS001" in bad.stdout and "reused-key.xml" in bad.stdout

    good = run(_estate(tmp_path / "good", pki, ["clean", "clean-by-ski"], reused=False))
    assert good.returncode == 0, good.stdout + good.stderr

    # Installed as a user would (a config naming the repository), the hook's environment is
    # the slim base install: nothing of the TUI, the register or the report.
    estate = tmp_path / "good"
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    (estate / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: smki-key-separation\n        args: [--certs, certs/]\n"
    )
    _git(estate, "add", ".")
    installed = subprocess.run(
        ["pre-commit", "run", "--all-files"],
        cwd=estate,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (site,) = (tmp_path / "cache").glob("repo*/py_env-*/lib/python*/site-packages")
    names = {p.name.split("-")[0].lower() for p in site.iterdir()}
    assert {"cryptography", "lxml", "signxml", "asn1crypto"} <= names
    assert not names & {"textual", "pydantic", "docx", "python_docx", "sqlite_utils", "rich"}
