"""The command line's habits: global options anywhere, one-line usage errors, completion, hints."""

from __future__ import annotations

import argparse
import json
import subprocess

import pytest
from conftest import require_tool
from test_cpa_report import load_edmi

from ssc.cli import build_parser


def every_parser(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_parser(sub, (*path, name))


def test_every_command_takes_db_before_or_after_its_name():
    parsers = list(every_parser(build_parser()))
    assert len(parsers) > 20
    missing = [" ".join(path) for path, p in parsers if "--db" not in p._option_string_actions]
    assert missing == []


@pytest.mark.parametrize("command", [
    ("cpa", "report", "--as-of", "2020-01-21", "--format", "json"),
    ("due", "--as-of", "2020-01-21", "--format", "json"),
    ("audit", "verify"),
    ("export",),
])  # fmt: skip
def test_db_before_and_after_the_command_mean_the_same_register(ssc, tmp_path, command):
    load_edmi(ssc)  # the register the ssc fixture names; SSC_DB below points elsewhere
    other = {"SSC_DB": str(tmp_path / "elsewhere.db")}
    before = ssc.process("--db", str(ssc.db), *command, env=other)
    after = ssc.process(*command, "--db", str(ssc.db), env=other)
    assert before.status in (0, 1), before.stderr
    assert (after.status, after.stdout) == (before.status, before.stdout)
    assert not (tmp_path / "elsewhere.db").exists()


def test_db_after_the_command_wins_over_db_before_it(ssc, tmp_path):
    load_edmi(ssc)
    empty = tmp_path / "empty.db"
    result = ssc.process("--db", str(empty), "cpa", "report", "--as-of", "2020-01-21",
                         "--format", "json", "--db", str(ssc.db))  # fmt: skip
    assert result.status == 1 and json.loads(result.stdout)["certificates"]


@pytest.mark.parametrize("argv, where", [
    (("cpa", "report", "--format", "pdf"), "ssc cpa report"),
    (("cpa", "report", "--horizon", "-3"), "ssc cpa report"),
    (("cpa", "import", "certificates"), "ssc cpa import"),
    (("cpa",), "ssc cpa"),
    ((), "ssc"),
    (("--no-such-flag", "due"), "ssc due"),
    (("cpa", "report", "--formt", "json"), "ssc cpa report"),
    (("cpa", "report", "stray"), "ssc cpa report"),
    (("smki", "check-keys", "--format", "xml", "x.xml"), "ssc smki check-keys"),
])  # fmt: skip
def test_usage_errors_are_one_line_and_a_pointer_to_help(ssc, argv, where):
    result = ssc.process(*argv)
    assert result.status == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("ssc: error: ") and "usage:" not in result.stderr
    assert lines[1] == f"Try '{where} --help' for more."


def test_an_empty_cpa_register_says_which_import_to_run(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0  # a register, but no CPA data
    result = ssc("cpa", "report", "--as-of", "2020-01-21")
    assert result.status == 0
    hints = [line for line in result.stderr.splitlines() if line.startswith("ssc: hint:")]
    assert len(hints) == 2
    assert "`ssc cpa import certificates FILE.csv`" in hints[0]
    assert "`ssc cpa import inventory FILE.csv`" in hints[1]
    load_edmi(ssc)
    assert "hint" not in ssc("cpa", "report", "--as-of", "2020-01-21").stderr


def _complete(script: str, line: str, cwd=None) -> list[str]:
    """What bash offers for TAB at the end of ``line``, from the completion ``script``."""
    bash = require_tool("bash")
    probe = (
        'source /dev/stdin; read -r -a COMP_WORDS <<< "$LINE"; '
        '[[ "$LINE" == *" " ]] && COMP_WORDS+=(""); '
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$LINE"; COMP_POINT=${#LINE}; '
        'fn=$(complete -p ssc | sed -E "s/.*-F ([^ ]+) .*/\\1/"); '
        '"$fn" ssc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; '
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    proc = subprocess.run([bash, "--norc", "--noprofile", "-c", probe], input=script,
                          capture_output=True, text=True, timeout=60, env={"LINE": line},
                          cwd=cwd)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


def test_the_bash_completion_loads_and_completes_commands_options_and_choices(ssc):
    result = ssc.process("completion", "bash")
    assert result.status == 0 and result.stderr == ""
    script = result.stdout
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(_complete(script, "ssc ")) >= set(commands)
    assert _complete(script, "ssc cp") == ["cpa"]
    assert _complete(script, "ssc cpa rep") == ["report"]
    assert set(_complete(script, "ssc cpa report --format ")) == {
        "markdown",
        "csv",
        "json",
        "html",
        "prometheus",
    }
    assert {"--output", "--db", "--as-of"} <= set(_complete(script, "ssc cpa report --"))
    assert set(_complete(script, "ssc completion ")) == {"bash", "zsh", "tcsh"}


def test_paths_complete_as_file_names(ssc, tmp_path):
    script = ssc.process("completion", "bash").stdout
    (tmp_path / "returns.csv").write_text("")
    (tmp_path / "register.db").write_text("")
    assert _complete(script, "ssc cpa import certificates ret", cwd=tmp_path) == ["returns.csv"]
    assert _complete(script, "ssc --db reg", cwd=tmp_path) == ["register.db"]
    assert _complete(script, "ssc cpa report -o ret", cwd=tmp_path) == ["returns.csv"]


def test_completion_for_an_unknown_shell_is_a_usage_error(ssc):
    result = ssc.process("completion", "powershell")
    assert result.status == 2 and result.stdout == "" and "invalid choice" in result.stderr


def test_each_fault_of_the_environment_is_named_in_one_line(tmp_path):
    """Real faults (a locked, read-only, unopenable and non-database file, a missing file, bad
    text) each get their line; a bug (an integrity error, a ValueError) gets none."""
    import errno
    import os
    import sqlite3

    from core.errors import describe_fault

    def raised(action):
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - the fault under test
            return exc
        raise AssertionError("no fault")

    db = tmp_path / "r.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("CREATE TABLE t (x PRIMARY KEY)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(db, timeout=0, isolation_level=None)
    locked = raised(lambda: other.execute("BEGIN IMMEDIATE"))
    holder.execute("ROLLBACK")
    read_only = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"not a database, just text" * 100)
    duplicate = raised(
        lambda: (
            holder.execute("INSERT INTO t VALUES (1)"),
            holder.execute("INSERT INTO t VALUES (1)"),
        )
    )
    cases = {
        locked: "the register is locked by another process",
        raised(lambda: read_only.execute("INSERT INTO t VALUES (2)")): "cannot be written here",
        raised(
            lambda: sqlite3.connect(tmp_path / "no" / "such.db").execute("SELECT 1")
        ): "cannot read or write the register (unable to open database file)",
        raised(
            lambda: sqlite3.connect(not_a_db).execute("SELECT * FROM sqlite_master")
        ): "the register file is unusable: file is not a database",
        raised(
            (tmp_path / "missing.csv").read_bytes
        ): f"{tmp_path / 'missing.csv'}: No such file or directory",
        OSError(
            errno.ENOSPC, os.strerror(errno.ENOSPC), "out.db"
        ): "out.db: no space left on the device: nothing was kept",
        OSError(errno.EFBIG, os.strerror(errno.EFBIG)): "file too large for this system's limits",
        raised(lambda: b"\xff".decode("utf-8")): "not valid text in its encoding ('utf-8' codec",
        MemoryError(): "out of memory",
        # Without SQLite's error name (an older sqlite3 module), its words say the same.
        sqlite3.OperationalError("database is locked"): "the register is locked by another process",
        sqlite3.OperationalError("database or disk is full"): "the register's disk is full",
        sqlite3.OperationalError("attempt to write a readonly database"): "cannot be written here",
    }
    for exc, expected in cases.items():
        line = describe_fault(exc)
        assert line is not None and expected in line and "\n" not in line, (exc, line)
    assert type(locked).__name__ == "OperationalError" and locked.sqlite_errorname.startswith(
        "SQLITE_BUSY"
    )
    assert describe_fault(duplicate) is None and isinstance(duplicate, sqlite3.IntegrityError)
    assert describe_fault(ValueError("a bug")) is None
