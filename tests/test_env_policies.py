"""The Environment carries the policies: two Environments in one process work under two policies,
a test presets or points at its own without touching ``os.environ``, and ``SSC_POLICY`` is read
in one place only (the Environment's default)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from core.env import Environment, Policies, shipped
from core.errors import InputError
from smki import expiry
from smki.keysep import check_key_separation
from smki.policy import load_policy
from ssc.cli import main
from testdata.smki_pki import AS_OF, build

#: Every certificate not yet expired is critical: 40,000 days is past the test PKI's END.
LONG_THRESHOLDS = (
    "[expiry]\ncritical_days = 40000\nwarning_days = 40000\ndefault_horizon_days = 40000\n"
)
#: XmlSign is no longer a signing role: a request signed under an XmlSign certificate is KS006.
DSP_ONLY = '[smki.certificates]\nxml_signing_roles = ["DspXmlSign"]\n'


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


def policy(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(env_policies: Policies, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdout=out,
        stderr=err,
        stdin=io.StringIO(),
        db_path=Path("/nonexistent/r.db"),
        actor="t",
        policies=env_policies,
    )
    try:
        status = main(list(argv), env)
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


def severities(env_policies: Policies, certs: Path) -> dict[str, str]:
    status, out, _ = run(
        env_policies, "smki", "certs", str(certs), "--as-of", AS_OF.isoformat(), "--format", "json"
    )
    assert status in (0, 1)
    return {f"{c['path']}:{c['serial']}": c["severity"] for c in json.loads(out)["certificates"]}


def test_two_environments_in_one_process_have_two_expiry_thresholds(pki, tmp_path):
    shipped_env, long_env = Policies(None), Policies(policy(tmp_path, LONG_THRESHOLDS))
    first = severities(shipped_env, pki.certs)
    second = severities(long_env, pki.certs)
    again = severities(shipped_env, pki.certs)  # interleaved: neither run leaks into the other
    assert first == again
    assert set(first.values()) == {"ok", "expired"}
    assert set(second.values()) == {"critical", "expired"}
    assert {k for k, v in first.items() if v == "ok"} == {
        k for k, v in second.items() if v == "critical"
    }


def test_two_environments_in_one_process_have_two_signing_role_lists(pki, tmp_path):
    clean = str(pki.request("clean"))
    argv = (
        "smki",
        "check-keys",
        "--certs",
        str(pki.certs),
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
        "--jobs",
        "1",
        clean,
    )
    dsp_only = Policies(policy(tmp_path, DSP_ONLY))
    status, out, _ = run(Policies(None), *argv)
    assert status == 0 and json.loads(out)["findings"] == []
    status, out, _ = run(dsp_only, *argv)
    assert status == 1 and "KS006" in {f["rule"] for f in json.loads(out)["findings"]}
    status, out, _ = run(Policies(None), *argv)
    assert status == 0 and json.loads(out)["findings"] == []


def test_the_package_api_takes_the_policy_explicitly(pki, tmp_path):
    clean = pki.request("clean")
    assert check_key_separation([clean], [pki.certs], AS_OF, jobs=1).findings == []
    dsp_only = load_policy(policy(tmp_path, DSP_ONLY))
    report = check_key_separation([clean], [pki.certs], AS_OF, jobs=1, policy=dsp_only)
    assert report.policy is dsp_only and report.errors >= 1
    assert "KS006" in {f.rule for f in report.findings}


def test_a_test_may_preset_the_policies(pki):
    preset = expiry.ExpiryPolicy(
        critical_days=40000, warning_days=40000, default_horizon_days=40000
    )
    policies = Policies(preset={expiry.load_policy: preset})
    assert policies(expiry.load_policy) is preset
    assert set(severities(policies, pki.certs).values()) == {"critical", "expired"}


def test_each_policy_is_loaded_once_per_environment(tmp_path):
    calls: list[Path | None] = []

    def counting(override: Path | None) -> expiry.ExpiryPolicy:
        calls.append(override)
        return expiry.load_policy(override)

    path = policy(tmp_path, LONG_THRESHOLDS)
    env = Environment(policies=Policies(path))
    first = env.policy(counting)
    assert env.policy(counting) is first and calls == [path]
    assert first.critical_days == 40000
    other = Environment(policies=Policies(None))
    assert other.policy(counting).critical_days == 30 and calls == [path, None]
    assert shipped(expiry.load_policy).critical_days == 30


def test_ssc_policy_is_read_by_the_environment_default_only(pki, tmp_path, monkeypatch):
    bad = policy(tmp_path, "[expiry]\ncritical_days = 100\n", "bad.toml")
    monkeypatch.setenv("SSC_POLICY", str(bad))
    # Given policies, nothing else looks at the process environment.
    assert severities(Policies(None), pki.certs)
    assert expiry.load_policy().critical_days == 30
    assert check_key_separation([pki.request("clean")], [pki.certs], AS_OF, jobs=1).findings == []
    # The Environment's default applies it: the bad file is exit 2, one line, naming it.
    assert Environment().policies.file == bad
    out, err = io.StringIO(), io.StringIO()
    status = main(["smki", "certs", str(pki.certs)], Environment(stdout=out, stderr=err))
    assert status == 2 and out.getvalue() == ""
    assert err.getvalue().count("\n") == 1 and str(bad) in err.getvalue()
    assert "critical_days must not exceed warning_days" in err.getvalue()
    monkeypatch.delenv("SSC_POLICY")
    assert Environment().policies.file is None


@pytest.mark.parametrize(
    ("text", "certs", "check_keys"),
    [
        ("[expiry\n", 2, 2),  # not TOML: every policy read from the file fails
        ("[expiry]\nwarning_days = -1\n", 2, 0),  # check-keys does not read the expiry table
        ('[smki.certificates]\nxml_signing_roles = ["Nobody"]\n', 2, 2),
    ],
)
def test_a_bad_policy_file_in_an_environment_is_exit_2_in_one_line(
    pki, tmp_path, text, certs, check_keys
):
    bad = policy(tmp_path, text)
    for argv, expected in (
        (("smki", "certs", str(pki.certs)), certs),
        (("smki", "check-keys", "--certs", str(pki.certs), str(pki.request("clean"))), check_keys),
    ):
        status, out, err = run(Policies(bad), *argv)
        assert status == expected, (argv, err)
        if expected == 2:
            assert out == "" and err.startswith("ssc: error: ") and err.count("\n") == 1, err


def test_a_missing_policy_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        Policies(tmp_path / "absent.toml")(expiry.load_policy)


def test_the_tui_gets_its_policies_from_the_environment_it_is_started_with(pki, tmp_path):
    from assurance.store import Register
    from tui.app import SSCApp
    from tui.state import Session

    db = tmp_path / "r.db"
    Register.open(db, actor="t").close()
    long_policies = Policies(policy(tmp_path, LONG_THRESHOLDS))

    async def dashboard(policies: Policies) -> str:
        app = SSCApp(
            Session(
                db_path=db,
                actor="t",
                today=AS_OF,
                certs=(pki.certs,),
                cursor_blink=False,
                out_dir=tmp_path,
            ),
            policies=policies,
        )
        assert app.policies is policies and app.register.policies is policies
        async with app.run_test(size=(120, 50)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            for _ in range(100):
                text = str(app.screen.query_one("#smki").render())
                if "loaded" in text:
                    return text
                await pilot.pause(0.05)
        raise AssertionError("the SMKI panel never loaded")

    loaded = len(severities(Policies(None), pki.certs))
    assert ", 1 expiring or expired" in asyncio.run(dashboard(Policies(None)))
    assert f", {loaded} expiring or expired" in asyncio.run(dashboard(long_policies))


def test_the_due_worker_process_works_under_the_apps_policies(tmp_path):
    from tests.test_tui_support import TODAY, demo_register
    from tui.sources import due_summary

    db = demo_register(tmp_path / "demo.db")
    quick = Policies(
        policy(
            tmp_path,
            "[register.deadlines]\nletter_decision_days = 1\nresponse_days_after_report = 1\n",
        )
    )
    in_process = due_summary(db, "t", TODAY, 500, policies=quick)
    in_worker = due_summary(db, "t", TODAY, 500, policies=quick, separate_process=True)
    assert in_worker == in_process
    assert in_process != due_summary(db, "t", TODAY, 500, policies=Policies(None))


def test_threads_asking_at_once_get_one_load(tmp_path):
    """The TUI's workers ask from threads: each policy is still loaded once, one object for all."""
    from concurrent.futures import ThreadPoolExecutor

    calls: list[Path | None] = []

    def counting(override: Path | None) -> expiry.ExpiryPolicy:
        calls.append(override)
        return expiry.load_policy(override)

    policies = Policies(policy(tmp_path, LONG_THRESHOLDS))
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: policies(counting), range(64)))
    assert len(calls) == 1 and all(g is got[0] for g in got)


def test_a_loader_may_ask_the_shipped_policies_for_another():
    """The report policy is checked against the register's: loading it first (a fresh process)
    asks the shipped policies for that one too, under the same lock."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "from core.env import shipped\n"
        "from assurance.policy import load_register_policy\n"
        "from assurance.report.policy import load_report_policy\n"
        "report = shipped(load_report_policy)\n"
        "assert shipped(load_register_policy) is shipped(load_register_policy)\n"
        "print(type(report).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert done.returncode == 0 and done.stdout == "ReportPolicy\n", done.stderr
