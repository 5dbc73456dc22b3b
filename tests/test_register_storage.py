"""The register file: opened only through SQLite (locks kept with the TUI open), read-only commands
that never create or change a file, and the file refused untouched when it is not a register."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assurance.store import Register, validate
from core import audit
from tests.conftest import REPO, require_tool

READERS = [
    ("party", "list"),
    ("party", "show", "P001"),
    ("export",),
    ("due", "--as-of", "2020-01-10"),
    ("audit", "verify"),
    ("audit", "head"),
    ("audit", "log"),
    ("report", "panel", "--month", "2019-12"),
    ("cpa", "report", "--as-of", "2020-01-10"),
]
WRITER = ("party", "add", "id=P9", "name=Writer Ltd", "roles=other_user")


def fingerprint(path: Path) -> tuple[str, int, int]:
    """The file's bytes, mode and modification time: what "untouched" means."""
    status = os.stat(path)
    return hashlib.sha256(path.read_bytes()).hexdigest(), status.st_mode, status.st_mtime_ns


def party(n: int, prefix: str = "P") -> dict:
    return {
        "type": "party",
        "id": f"{prefix}{n}",
        "name": f"{prefix} Energy {n} Ltd",
        "roles": ["other_user"],
    }


def spawn(db: Path, *argv: str, env: dict | None = None) -> subprocess.Popen:
    full = {
        **os.environ,
        "SSC_DB": str(db),
        "SSC_ACTOR": "cli",
        "PYTHONPATH": str(REPO),
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ssc", *argv],
        env=full,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def companions_present(db: Path) -> bool:
    return Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()


# -- item 1: never a second descriptor: locks survive other connections --------------------------
@pytest.mark.slow
def test_many_connections_in_one_process_and_cli_processes_lose_nothing(ssc, tmp_path):
    assert ssc(*WRITER).status == 0
    held = [Register.open(ssc.db, actor=f"tui-{n}") for n in range(3)]
    held.append(Register.open(ssc.db, actor="reader", write=False))
    try:
        # Each in-process open and close (the ssc fixture runs main in this process) used to
        # drop the locks of the connections held above.
        for n in range(3):
            assert (
                ssc("party", "add", f"id=I{n}", f"name=Inproc {n} Ltd", "roles=other_user").status
                == 0
            )
            assert ssc("party", "list").status == 0
            held[n].add(validate("party", party(n, "H")), reason="held")
            assert companions_present(ssc.db)
        procs = []
        for n in range(6):
            procs.append(
                spawn(ssc.db, "party", "add", f"id=C{n}", f"name=Cli {n} Ltd", "roles=other_user")
            )
            procs.append(spawn(ssc.db, "audit", "verify"))
            procs.append(spawn(ssc.db, "party", "list", "--format", "json"))
        while any(p.poll() is None for p in procs):
            # Every held connection keeps writing and reading while the processes run.
            for register in held[:3]:
                register.conn.execute("SELECT COUNT(*) FROM parties").fetchone()
            assert companions_present(ssc.db), "the -wal/-shm vanished under open connections"
            time.sleep(0.02)
        for proc in procs:
            out, err = proc.communicate()
            assert proc.returncode == 0, err
        for n in range(3, 6):
            held[n % 3].add(validate("party", party(n, "H")), reason="held")
        ids = {row[0] for row in held[3].conn.execute("SELECT id FROM parties")}
        assert companions_present(ssc.db)
    finally:
        for register in held:
            register.close()
    expected = (
        {"P9"}
        | {f"I{n}" for n in range(3)}
        | {f"C{n}" for n in range(6)}
        | {f"H{n}" for n in range(6)}
    )
    assert ids == expected
    listed = {p["id"] for p in json.loads(ssc("party", "list", "--format", "json").stdout)}
    assert listed == expected
    with Register.open(ssc.db, actor="auditor", write=False) as register:
        added = {e.entity_id for e in audit.events(register.conn, entity="party")}
    assert added == expected  # every record's audit event is there too
    assert ssc("audit", "verify").status == 0


@pytest.mark.slow
def test_cli_writes_while_the_tui_is_open_survive_the_tui_quitting(tmp_path):
    tmux = require_tool("tmux")
    from tests.test_tui_tmux import Terminal

    db = tmp_path / "register.db"
    env = f"PYTHONPATH={shlex.quote(str(REPO))} SSC_ACTOR=tui TERM=xterm-256color"
    command = (
        f"cd {shlex.quote(str(REPO))} && env {env} {shlex.quote(sys.executable)} -m ssc"
        f" --db {shlex.quote(str(db))} tui --demo --as-of 2020-01-10"
        f" --out {shlex.quote(str(tmp_path / 'out'))}"
    )
    term = Terminal(tmux, command)
    try:
        term.wait_for("ssc · Dashboard", "Due and overdue —", "overdue,")
        assert companions_present(db)
        for n in range(4):
            # A refresh reads on a new connection of the TUI's own (a worker's): that opening
            # used to drop the locks of the TUI's other connections.
            term.keys("g")
            time.sleep(1.0)
            for argv in (
                (
                    "party",
                    "add",
                    f"id=X{n}",
                    f"name=Cli {n} Ltd",
                    "roles=other_user",
                    "--reason",
                    "while the TUI is open",
                ),
                ("party", "list"),
                ("audit", "verify"),
                ("export",),
            ):
                proc = spawn(db, *argv)
                out, err = proc.communicate(timeout=120)
                assert proc.returncode == 0, err
                assert companions_present(db), f"the TUI's -wal/-shm vanished after {argv[:2]}"
        term.keys("g")  # the dashboard reads again, through the TUI's own connections
        term.wait_for("ssc · Dashboard")
        assert "disk I/O error" not in term.screen()
        term.keys("q")
        deadline = time.monotonic() + 30
        while "ssc · " in term.screen() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        term.close()
    time.sleep(0.5)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = {row[0] for row in conn.execute("SELECT id FROM parties WHERE id LIKE 'X%'")}
    events = {
        row[0]
        for row in conn.execute(
            "SELECT entity_id FROM audit_events WHERE entity = 'party' AND reason = 'while the TUI is open'"
        )
    }
    conn.close()
    assert ids == events == {f"X{n}" for n in range(4)}
    proc = spawn(db, "audit", "verify")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "intact" in out


def test_a_new_register_is_private_whatever_the_umask(tmp_path):
    db = tmp_path / "new" / "register.db"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.umask(0); from ssc.cli import main; sys.exit(main(sys.argv[1:]))",
            "--db",
            str(db),
            *WRITER,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700


# -- items 9 and 15: reading never creates or changes a file -----------------------------------
@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_reading_command_refuses_a_missing_register_and_creates_nothing(ssc, argv):
    result = ssc(*argv)
    assert result.status == 2 and "no such register file" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert list(ssc.db.parent.iterdir()) == []


def test_a_text_file_is_refused_untouched_by_readers_and_writers(ssc):
    ssc.db.write_text("party,name\nP1,Fenland\n")
    os.chmod(ssc.db, 0o644)
    before = fingerprint(ssc.db)
    for argv in [*READERS, WRITER, ("import", "-")]:
        result = ssc(*argv, stdin="")
        assert result.status == 2 and "not an ssc register" in result.stderr, (argv, result.stderr)
        assert fingerprint(ssc.db) == before, argv
    assert sorted(p.name for p in ssc.db.parent.iterdir()) == ["register.db"]


def test_another_applications_database_is_refused_untouched(ssc):
    conn = sqlite3.connect(ssc.db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = fingerprint(ssc.db)
    for argv in [*READERS, WRITER, ("demo",)]:
        result = ssc(*argv)
        assert result.status == 2 and "another application's SQLite database" in result.stderr, (
            argv,
            result.stderr,
        )
    assert fingerprint(ssc.db) == before
    conn = sqlite3.connect(ssc.db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
    conn.close()


def test_an_empty_file_is_not_a_register_to_read(ssc):
    ssc.db.touch()
    result = ssc("audit", "verify")
    assert result.status == 2 and "empty file" in result.stderr
    assert ssc.db.stat().st_size == 0


def test_a_directory_is_refused(ssc):
    ssc.db.mkdir()
    for argv in (("party", "list"), WRITER):
        result = ssc(*argv)
        assert result.status == 2 and "is a directory" in result.stderr


def test_reading_opens_the_file_read_only_and_changes_nothing(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    with sqlite3.connect(ssc.db) as conn:  # the last writer's checkpoint, as after any command
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = fingerprint(ssc.db)
    for argv in READERS:
        assert ssc(*argv).status in (0, 1), argv
    assert fingerprint(ssc.db) == before
    with Register.open(ssc.db, actor="reader", write=False) as register:
        assert register.conn.execute("PRAGMA query_only").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            register.conn.execute("DELETE FROM parties")


def _nobody() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    import pwd

    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def _nobody_runs_python(user: tuple[int, int] | None) -> bool:
    """Whether the commands can run as ``user`` (this Python may sit in root's home)."""
    if user is None:
        return True
    try:
        return _run_as(user, Path("/nonexistent"), "--version").returncode == 0
    except (PermissionError, subprocess.SubprocessError):
        return False


def _run_as(user: tuple[int, int] | None, db: Path, *argv: str, extra_env: dict | None = None):
    def demote() -> None:
        if user is not None:
            os.setgid(user[1])
            os.setuid(user[0])

    env = {
        **os.environ,
        "SSC_DB": str(db),
        "SSC_ACTOR": "reader",
        "PYTHONPATH": str(REPO),
        "HOME": "/tmp",
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "ssc", *argv],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        preexec_fn=demote,
        timeout=120,
    )


@pytest.mark.slow
def test_a_register_in_a_folder_nobody_may_write_is_read_verified_and_reported(ssc):
    """Genuinely read-only: as root, the commands run as `nobody` (permission bits bind)."""
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    user = _nobody()
    if not _nobody_runs_python(user):
        pytest.skip("this Python cannot be run by nobody (the read-only medium test covers root)")
    folder = Path(tempfile.mkdtemp(prefix="ssc-ro-"))  # /tmp itself: reachable by nobody
    try:
        db = folder / "register.db"
        shutil.copy(ssc.db, db)
        os.chmod(db, 0o444)
        os.chmod(folder, 0o555)
        before = fingerprint(db)
        for argv in READERS:
            result = _run_as(user, db, *argv)
            assert result.returncode in (0, 1), (argv, result.stderr)
        verified = _run_as(user, db, "audit", "verify")
        assert verified.returncode == 0 and "intact" in verified.stdout
        written = _run_as(user, db, *WRITER)
        assert written.returncode == 2 and "Traceback" not in written.stderr
        assert written.stderr.count("\n") == 1, written.stderr
        assert fingerprint(db) == before
        assert sorted(p.name for p in folder.iterdir()) == ["register.db"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def _private_mount_namespace() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    not _private_mount_namespace(), reason="needs root and unshare -m to mount a private tmpfs"
)


@pytest.mark.slow
@needs_mounts
def test_a_register_on_a_read_only_medium_is_read_verified_and_reported(ssc, tmp_path):
    """A tmpfs remounted read-only, in a private mount namespace: root cannot write there."""
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    cpa = REPO / "testdata" / "cpa" / "edmi"
    assert ssc("cpa", "import", "certificates", str(cpa / "certificates.csv")).status == 0
    mount = tmp_path / "medium"
    mount.mkdir()
    ssc_cmd = f"{shlex.quote(sys.executable)} -m ssc --db {shlex.quote(str(mount / 'register.db'))}"
    script = "\n".join(
        [
            "set -u",
            f"mount -t tmpfs -o size=8m tmpfs {shlex.quote(str(mount))}",
            f"cp {shlex.quote(str(ssc.db))} {shlex.quote(str(mount))}/register.db",
            f"mount -o remount,ro {shlex.quote(str(mount))}",
            *(
                f"{ssc_cmd} {shlex.join(argv)} >/dev/null 2>>{tmp_path}/err; echo {argv[0]}:$?"
                for argv in READERS
            ),
            f"{ssc_cmd} audit verify",
            f"{ssc_cmd} {shlex.join(WRITER)} 2>&1; echo write:$?",
            f"ls -a {shlex.quote(str(mount))}",
        ]
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )
    lines = result.stdout.splitlines()
    statuses = [line for line in lines if line.split(":")[0] in {a[0] for a in READERS}]
    assert statuses and all(line.endswith((":0", ":1")) for line in statuses), (
        lines,
        (tmp_path / "err").read_text(),
    )
    assert any(line.startswith("audit trail intact") for line in lines), lines
    assert "write:2" in lines and "Traceback" not in result.stdout
    assert lines[-3:] == [".", "..", "register.db"]


# -- item 8: faults of the environment are exit 2, one line ------------------------------------
def _one_line_exit_2(result) -> None:
    assert result.status == 2, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_a_lock_held_past_the_busy_timeout_is_exit_2(ssc):
    assert ssc(*WRITER).status == 0
    blocker = sqlite3.connect(ssc.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = ssc.process(
            "party",
            "add",
            "id=P2",
            "name=Late Ltd",
            "roles=other_user",
            env={"SSC_BUSY_TIMEOUT_MS": "300"},
        )
        _one_line_exit_2(result)
        assert "locked" in result.stderr and time.monotonic() - started < 30
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert ssc("party", "show", "P2").status == 2  # nothing was written


def test_a_bad_busy_timeout_is_a_usage_error(ssc):
    assert ssc(*WRITER).status == 0
    _one_line_exit_2(ssc.process("party", "list", env={"SSC_BUSY_TIMEOUT_MS": "soon"}))


def test_a_deleted_schema_migrations_row_is_exit_2(ssc):
    assert ssc(*WRITER).status == 0
    pristine = ssc.db.read_bytes()
    for component, version in (("audit", 1), ("register", 1)):
        ssc.db.write_bytes(pristine)
        with sqlite3.connect(ssc.db) as conn:
            conn.execute(
                "DELETE FROM schema_migrations WHERE component = ? AND version = ?",
                (component, version),
            )
        for argv in (("party", "list"), WRITER, ("audit", "verify")):
            result = ssc.process(*argv)
            _one_line_exit_2(result)
            assert "schema_migrations" in result.stderr


def test_an_unreadable_import_file_is_exit_2(ssc, tmp_path):
    assert ssc(*WRITER).status == 0
    folder = tmp_path / "records.jsonl"
    folder.mkdir()
    _one_line_exit_2(ssc.process("import", str(folder)))
    if not _nobody_runs_python(_nobody()):
        return  # as root, only a directory can be made unreadable here
    source = Path(tempfile.mkdtemp(prefix="ssc-src-")) / "parties.jsonl"
    try:
        source.write_text(json.dumps(party(1, "U")) + "\n")
        os.chmod(source, 0)
        os.chmod(source.parent, 0o755)
        db_folder = Path(tempfile.mkdtemp(prefix="ssc-db-"))
        db = db_folder / "register.db"
        os.chmod(db_folder, 0o777)
        result = _run_as(_nobody(), db, "import", str(source))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        shutil.rmtree(db_folder)
    finally:
        shutil.rmtree(source.parent)


@pytest.mark.parametrize("kind", ["directory", "not utf-8"])
def test_an_unusable_policy_file_is_exit_2(ssc, tmp_path, kind):
    assert ssc(*WRITER).status == 0
    policy = tmp_path / "policy.toml"
    if kind == "directory":
        policy.mkdir()
    else:
        policy.write_bytes(b"[expiry]\ncritical_days = 45 # \xff\xfe\n")
    for argv in (("due", "--as-of", "2020-01-10"), ("party", "list"), WRITER):
        result = ssc.process(*argv, env={"SSC_POLICY": str(policy)})
        assert result.status == 2 and "Traceback" not in result.stderr, (argv, result.stderr)


@pytest.mark.slow
@needs_mounts
def test_a_full_disk_is_exit_2_and_keeps_the_register_as_it_was(ssc, tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps(party(n, "F")) + "\n" for n in range(20000)))
    mount = tmp_path / "small"
    mount.mkdir()
    ssc_cmd = f"{shlex.quote(sys.executable)} -m ssc --db {shlex.quote(str(mount / 'register.db'))}"
    script = "\n".join(
        [
            f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(mount))}",
            f"{ssc_cmd} {shlex.join(WRITER)} 2>&1; echo first:$?",
            f"{ssc_cmd} import {shlex.quote(str(big))} 2>&1; echo import:$?",
            f"{ssc_cmd} party list --format json 2>/dev/null; echo list:$?",
            f"{ssc_cmd} audit verify; echo verify:$?",
        ]
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )
    lines = result.stdout.splitlines()
    assert "first:0" in lines and "import:2" in lines, lines
    assert "Traceback" not in result.stdout
    error = lines[lines.index("import:2") - 1]
    assert error.startswith("ssc: error:") and ("full" in error or "space" in error), lines
    assert [p["id"] for p in json.loads(lines[lines.index("list:0") - 1])] == ["P9"]
    assert "verify:0" in lines


# -- item 10: files holding register data -------------------------------------------------------
def _umask_run(
    umask: int, db: Path, *argv: str, limit: int | None = None
) -> subprocess.CompletedProcess:
    code = (
        "import os, resource, signal, sys\n"
        f"os.umask({umask})\n"
        + (
            f"signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
            if limit
            else ""
        )
        + "from ssc.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )


@pytest.fixture
def demo(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    return ssc


def test_a_red_export_is_0600_under_umask_000_and_replaces_whole(demo, tmp_path):
    target = tmp_path / "out" / "register.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o666)
    result = _umask_run(0, demo.db, "export", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert target.read_text() == demo("export").stdout
    assert '"classification":"RED"' in target.read_text().replace(" ", "")
    assert sorted(p.name for p in target.parent.iterdir()) == ["register.jsonl"]


def test_export_dash_is_stdout(demo):
    assert demo("export", "-o", "-").stdout == demo("export").stdout


def test_export_to_a_directory_or_missing_folder_is_exit_2(demo, tmp_path):
    _one_line_exit_2(demo("export", "-o", str(tmp_path)))
    _one_line_exit_2(demo("export", "-o", str(tmp_path / "no" / "such.jsonl")))
    assert not (tmp_path / "no").exists()


def test_an_export_past_the_file_size_limit_is_exit_2_and_leaves_nothing(demo, tmp_path):
    target = tmp_path / "out" / "register.jsonl"
    target.parent.mkdir()
    result = _umask_run(0o22, demo.db, "export", "-o", str(target), limit=20_000)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert list(target.parent.iterdir()) == []


@pytest.mark.slow
def test_a_killed_export_leaves_the_old_file_or_the_whole_new_one(demo, tmp_path):
    expected = demo("export").stdout
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "register.jsonl"
    target.write_text("old\n")
    for delay in (0.05, 0.2, 0.35, 0.5, 0.7, 1.0):
        proc = spawn(demo.db, "export", "-o", str(target))
        time.sleep(delay)
        proc.kill()
        proc.wait()
        assert target.read_text() in ("old\n", expected)
        # At most a hidden temporary file is left, never a partial file under a visible name.
        assert all(p.name.startswith(".") for p in folder.iterdir() if p != target)


def test_a_report_written_to_a_file_is_0600_under_umask_000(demo, tmp_path):
    target = tmp_path / "appendix.md"
    result = _umask_run(
        0, demo.db, "report", "panel", "--month", "2019-12", "--part", "appendix", "-o", str(target)
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and target.stat().st_size > 0


def test_reads_named_by_model_give_that_model(ssc):
    from assurance.models import Assessment, Finding, Party
    from core.errors import InputError

    assert ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user").status == 0
    assert ssc("assessment", "add", "id=A1", "party=P1", "kind=FUSA").status == 0
    assert ssc("finding", "add", "id=F1", "assessment=A1", "sec_ref=G5.14", "title=t").status == 0
    with Register.open(ssc.db, actor="t", write=False) as register:
        party = register.get(Party, "P1")
        assert isinstance(party, Party) and party == register.get("party", "P1")
        assert register.get(Assessment, "P1") is None  # an id of another type is not this one's
        assert [f.id for f in register.records(Finding)] == ["F1"]
        assert all(
            isinstance(f, Finding) for f in register.records(Finding, include_withdrawn=True)
        )
        with pytest.raises(InputError, match="no assessment with id 'A2'"):
            register.require(Assessment, "A2")

        class Imitation(Party):  # a model the register does not keep is not read as Party
            pass

        with pytest.raises(KeyError):
            register.get(Imitation, "P1")
