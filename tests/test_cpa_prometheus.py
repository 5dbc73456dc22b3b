"""The CPA report's Prometheus output, as promtool and Prometheus' own rule engine see it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
from pathlib import Path

import yaml
from conftest import REPO, require_tool
from prometheus_client.parser import text_string_to_metric_families
from test_cpa_report import load_edmi

from smki.cpa.formats import renderer
from smki.cpa.policy import Classification
from smki.cpa.report import (
    PLAN_STATES,
    CertificateAlert,
    CpaReport,
    SupplierExposure,
    Totals,
    UncoveredDevices,
)
from smki.expiry import ExpiryPolicy, Severity

RULES = REPO / "deploy" / "prometheus" / "ssc-cpa-rules.yml"
AS_OF = "2020-01-21"

#: Labels a value series may carry: what identifies the thing counted, and a state set's state.
IDENTIFYING = {"cpa_id", "supplier"}
STATE_LABEL = {"ssc_cpa_certificate_severity": "severity", "ssc_cpa_plan_state": "state"}
#: Uncovered devices have no certificate to name them: their product and firmware are their id.
UNCOVERED = {"supplier", "device_type", "manufacturer", "model", "hardware_version",
             "firmware_version"}  # fmt: skip


def edmi_metrics(ssc) -> str:
    load_edmi(ssc)
    result = ssc("cpa", "report", "--as-of", AS_OF, "--format", "prometheus")
    assert result.status == 1, result.stderr
    return result.stdout


def promtool(*args: str, stdin: str | None = None, cwd: Path | None = None):
    return subprocess.run([require_tool("promtool"), *args], input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=cwd)  # fmt: skip


def check_metrics(text: str) -> None:
    proc = promtool("check", "metrics", stdin=text)
    # promtool prints lint problems and exits 3 for them (1 for parse errors): nothing at all.
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), proc.stdout + proc.stderr


def test_promtool_accepts_the_report_with_no_lint(ssc):
    check_metrics(edmi_metrics(ssc))


def hostile_report() -> CpaReport:
    """Labels holding what the exposition format must escape, and text that looks like syntax."""
    nasty = ['Quote " and \\ backslash', "new\nline", "# HELP x y", "} 1\nevil 2", "Zoë ☃ 📟",
             "\u202eRTL", ""]  # fmt: skip
    exposures = tuple(SupplierExposure(s, 3, "overdue", dt.date(2020, 1, 1), dt.date(2020, 1, 9),
                                       None, None, False, True) for s in nasty)  # fmt: skip
    certificates = tuple(
        CertificateAlert(f"CPA-{i}{name}", name, "ESME", name, name, name, dt.date(2017, 1, 1),
                         dt.date(2020, 2, 1), "Active", 11, Severity.CRITICAL, 3, exposures, True)
        for i, name in enumerate(nasty)
    )  # fmt: skip
    uncovered = tuple(UncoveredDevices(n, "ESME", n, n, n, f"fw{i}{n}", 1, True)
                      for i, n in enumerate(nasty))  # fmt: skip
    policy = ExpiryPolicy(critical_days=30, warning_days=90, default_horizon_days=180)
    return CpaReport(dt.date(2020, 1, 21), 180, policy, certificates, uncovered,
                     Totals(len(certificates), 0, {}, 0, 0, {}, 0),
                     Classification(level="AMBER", marking="AMBER", sentence="Amber."))  # fmt: skip


def test_hostile_label_values_are_escaped_and_still_pass_promtool():
    report = hostile_report()
    text = renderer("prometheus")(report)
    check_metrics(text)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    info = {s.labels["cpa_id"]: s.labels["manufacturer"]
            for s in families["ssc_cpa_certificate_info"].samples}  # fmt: skip
    assert info == {c.cpa_id: c.manufacturer for c in report.certificates}
    suppliers = {s.labels["supplier"] for s in families["ssc_cpa_devices_affected"].samples}
    assert suppliers == {e.supplier for e in report.certificates[0].suppliers}
    assert not [n for n in families if n.startswith("evil")]


def test_a_report_with_nothing_in_it_passes_promtool_and_says_so():
    empty = dataclasses.replace(hostile_report(), certificates=(), uncovered=())
    text = renderer("prometheus")(empty)
    check_metrics(text)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert [s.value for s in families["ssc_cpa_needs_action"].samples] == [0]
    assert families["ssc_cpa_certificate_info"].samples == []


def test_value_series_carry_only_identifying_labels_and_descriptions_sit_on_info(ssc):
    families = list(text_string_to_metric_families(edmi_metrics(ssc)))
    assert families and all(f.type == "gauge" for f in families)
    for family in families:
        for sample in family.samples:
            labels = set(sample.labels)
            if family.name == "ssc_cpa_certificate_info":
                assert sample.value == 1 and {"manufacturer", "model", "firmware_version"} <= labels
            elif family.name == "ssc_cpa_uncovered_devices":
                assert labels == UNCOVERED
            else:
                allowed = IDENTIFYING | {STATE_LABEL.get(family.name, "cpa_id")}
                assert labels <= allowed, (family.name, labels - allowed)
        if family.name.endswith("_timestamp_seconds"):  # seconds since the epoch, not days
            assert all(s.value > 1e9 for s in family.samples), family.name
    assert not [f.name for f in families if "days" in f.name]


def test_state_sets_have_every_state_and_exactly_one_current(ssc):
    families = {f.name: f for f in text_string_to_metric_families(edmi_metrics(ssc))}
    data = json.loads(ssc("cpa", "report", "--as-of", AS_OF, "--format", "json").stdout)
    for name, key, states in [
        ("ssc_cpa_certificate_severity", ("cpa_id",), [s.value for s in Severity if s.value != "ok"]),
        ("ssc_cpa_plan_state", ("cpa_id", "supplier"), list(PLAN_STATES)),
    ]:  # fmt: skip
        label = STATE_LABEL[name]
        by_key: dict[tuple, dict[str, float]] = {}
        for s in families[name].samples:
            by_key.setdefault(tuple(s.labels[k] for k in key), {})[s.labels[label]] = s.value
        assert by_key
        for current in by_key.values():
            assert sorted(current) == sorted(states) and sorted(current.values())[-2:] == [0, 1]
    severity = {s.labels["cpa_id"]: s.labels["severity"]
                for s in families["ssc_cpa_certificate_severity"].samples if s.value == 1}  # fmt: skip
    assert severity == {c["cpa_id"]: c["severity"] for c in data["certificates"]}
    expired = {s.labels["cpa_id"]: s.value for s in families["ssc_cpa_certificate_expired"].samples}
    assert expired == {c["cpa_id"]: int(c["severity"] == "expired") for c in data["certificates"]}
    expiry = {s.labels["cpa_id"]: s.value
              for s in families["ssc_cpa_certificate_expiry_timestamp_seconds"].samples}  # fmt: skip
    assert {
        k: dt.datetime.fromtimestamp(v, dt.UTC).date().isoformat() for k, v in expiry.items()
    } == {c["cpa_id"]: c["expires"] for c in data["certificates"]}


def test_promtool_accepts_the_sample_alerting_rules():
    proc = promtool("check", "rules", str(RULES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def _series(text: str) -> list[dict]:
    """The exposition as promtool test input series, each constant over the test's hour."""
    series = []
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f"{k}={json.dumps(v)}" for k, v in s.labels.items())
            series.append({"series": f"{s.name}{{{labels}}}", "values": f"{s.value:.0f}x60"})
    return series


def _info(data: dict, cpa_id: str) -> dict:
    c = next(c for c in data["certificates"] if c["cpa_id"] == cpa_id)
    return {k: c[k] for k in ("cpa_id", "manufacturer", "device_type", "model",
                              "hardware_version", "firmware_version")}  # fmt: skip


def test_the_alerting_rules_fire_on_what_the_report_says_needs_action(ssc, tmp_path):
    """Prometheus' rule engine (promtool test rules) on ssc's real output: every alert the
    report calls for fires, and nothing else."""
    metrics = edmi_metrics(ssc)
    data = json.loads(ssc("cpa", "report", "--as-of", AS_OF, "--format", "json").stdout)
    expected: dict[str, list[dict]] = {}
    for c in data["certificates"]:
        if c["severity"] == "expired" and c["installed_devices"] > 0:
            expected.setdefault("SscCpaCertificateExpired", []).append(
                {**_info(data, c["cpa_id"]), "severity": "critical"}
            )
        elif c["needs_action"]:
            expected.setdefault("SscCpaCertificateExpiring", []).append(
                {**_info(data, c["cpa_id"]), "severity": c["severity"]}
            )
        for s in c["suppliers"]:
            if s["needs_action"]:
                expected.setdefault("SscCpaRemediationPlanNeeded", []).append(
                    {"cpa_id": c["cpa_id"], "supplier": s["supplier"], "state": s["plan"],
                     "severity": "warning"})  # fmt: skip
    for u in data["uncovered"]:
        expected.setdefault("SscCpaUncoveredDevices", []).append(
            {k: u[k] for k in sorted(UNCOVERED)} | {"severity": "warning"}
        )
    assert set(expected) == {
        "SscCpaCertificateExpiring",
        "SscCpaRemediationPlanNeeded",
        "SscCpaUncoveredDevices",
    }  # the EDMI case on the day after due

    # Annotations are templates checked by `promtool check rules`; here only the expressions.
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    names = [r["alert"] for g in rules["groups"] for r in g["rules"]]
    stale = {"ssc_cpa_report_as_of_timestamp_seconds": "0x6000", "ssc_cpa_needs_action": "0x6000"}
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {"interval": "1m", "input_series": _series(metrics),
             "alert_rule_test": [{"eval_time": "30m", "alertname": name,
                                  "exp_alerts": [{"exp_labels": labels}
                                                 for labels in expected.get(name, [])]}
                                 for name in names]},
            # A file left stale (a failing timer, an --as-of left in it) is an alert itself.
            {"interval": "1m",
             "input_series": [{"series": k, "values": v} for k, v in stale.items()],
             "alert_rule_test": [{"eval_time": "4d", "alertname": "SscCpaReportStale",
                                  "exp_alerts": [{"exp_labels": {"severity": "warning"}}]}]},
            # And so is a missing one.
            {"interval": "1m", "input_series": [{"series": "up", "values": "1x200"}],
             "alert_rule_test": [{"eval_time": "2h", "alertname": "SscCpaReportMissing",
                                  "exp_alerts": [{"exp_labels": {"severity": "warning"}}]}]},
        ],
    }  # fmt: skip
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests, allow_unicode=True))
    proc = promtool("test", "rules", "tests.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_output_file_is_private_whole_and_the_same_as_stdout(ssc, tmp_path):
    stdout = edmi_metrics(ssc)
    target = tmp_path / "textfile" / "ssc_cpa.prom"
    target.parent.mkdir()
    target.write_text("old\n")
    result = ssc("cpa", "report", "--as-of", AS_OF, "--format", "prometheus", "-o", str(target))
    assert result.status == 1 and result.stdout == ""
    assert target.read_text() == stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(target.parent) == ["ssc_cpa.prom"]  # no temporary left beside it
    check_metrics(target.read_text())


def test_output_into_a_missing_directory_is_exit_2_and_writes_nothing(ssc, tmp_path):
    load_edmi(ssc)
    target = tmp_path / "absent" / "ssc_cpa.prom"
    result = ssc("cpa", "report", "--as-of", AS_OF, "--format", "prometheus", "-o", str(target))
    assert result.status == 2 and str(target) in result.stderr
    assert not target.parent.exists()
