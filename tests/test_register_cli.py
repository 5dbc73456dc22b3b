"""The register's commands through `ssc`: add, edit, list, show, withdraw, decide; help; file permissions."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from tests.conftest import IN_CI


def test_add_edit_list_show_withdraw(ssc):
    assert (
        ssc(
            "party",
            "add",
            "id=P1",
            "name=Fenland Shared Services Ltd",
            "roles=shared_resource_provider",
            "--reason",
            "applied",
        ).status
        == 0
    )
    added = ssc(
        "party",
        "add",
        "--set",
        "name=Solway Energy Ltd",
        "--set",
        "roles=small_supplier;other_user",
    )
    assert added.status == 0 and "added party P0002" in added.stdout
    assert ssc("party", "edit", "P1", "contact=sec@fenland.example").status == 0
    assert ssc("party", "edit", "P1", "contact=").status == 0  # an empty value clears
    listed = json.loads(ssc("party", "list", "roles=other_user", "--format", "json").stdout)
    assert [p["id"] for p in listed] == ["P0002"]
    text = ssc("party", "list").stdout
    assert (
        "Fenland Shared Services Ltd" in text and max(len(line) for line in text.splitlines()) <= 80
    )
    shown = json.loads(ssc("party", "show", "P1", "--format", "json").stdout)
    assert "contact" not in shown["record"]
    assert [e["action"] for e in shown["history"]] == ["add", "edit", "edit"]
    assert ssc("party", "withdraw", "P0002").status == 2  # --reason is required
    assert ssc("party", "withdraw", "P0002", "--reason", "never became a User").status == 0
    assert len(json.loads(ssc("party", "list", "--format", "json").stdout)) == 1
    assert len(json.loads(ssc("party", "list", "--withdrawn", "--format", "json").stdout)) == 2


def test_errors_are_for_people(ssc):
    result = ssc("party", "add", "id=P1", "name=X Ltd", "roles=supplier")
    assert result.status == 2 and "roles: unknown role 'supplier'" in result.stderr
    assert ssc("party", "add", "nonsense").status == 2
    assert ssc("party", "show", "nobody").status == 2
    assert ssc("party", "list", "colour=red").status == 2
    assert ssc("assessment", "add", "party=nobody", "kind=FUSA").status == 2


def test_decide_says_what_follows(ssc):
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    assert (
        ssc(
            "assessment", "add", "id=A1", "party=P1", "kind=FUSA", "fieldwork_end=2019-10-18"
        ).status
        == 0
    )
    result = ssc(
        "decide", "A1", "--status", "deferred", "--date", "2019-12-11", "--reason", "SSC 11 Dec"
    )
    assert result.status == 0
    assert "Deferred recorded for assessment A1" in result.stdout
    assert "follow-up FUSA for Party P1 is now due" in result.stdout
    due = json.loads(
        ssc("due", "--as-of", "2020-01-10", "--format", "json", "--category", "follow_up").stdout
    )
    assert [i["subject"] for i in due["items"]] == ["A1"]
    bad = ssc("decide", "A1", "--status", "approved_subject_to", "--date", "2020-01-08")
    assert bad.status == 2 and "conditions" in bad.stderr
    assert (
        ssc(
            "decide",
            "A1",
            "--status",
            "approved_subject_to",
            "--date",
            "2020-01-08",
            "--conditions",
            "Remediate F1 by 2020-03-31",
        ).status
        == 0
    )


def test_demo_then_everything_lists(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    for type_name in ("party", "assessment", "letter", "decision", "finding", "highlight"):
        result = ssc(type_name, "list")
        assert result.status == 0 and len(result.stdout.splitlines()) > 3
        assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_register_file_is_private(ssc):
    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    assert stat.S_IMODE(os.stat(ssc.db).st_mode) == 0o600


def test_help_runs_as_a_process(ssc):
    result = ssc.process("--help")
    assert result.status == 0 and "import" in result.stdout and "due" in result.stdout
    result = ssc.process("party", "add", "--help")
    assert result.status == 0 and "FIELD=VALUE" in result.stdout


def test_console_script_is_installed():
    if shutil.which("ssc") is None:
        if IN_CI:
            pytest.fail("`pip install .` should put the ssc console script on PATH")
        pytest.skip("ssc is not installed outside CI")
    assert shutil.which("ssc")
