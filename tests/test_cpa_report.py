"""The CPA expiry report on the seeds' EDMI scenario, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EDMI = Path(__file__).resolve().parent.parent / "testdata" / "cpa" / "edmi"


def load_edmi(ssc) -> None:
    for kind, name in [("certificates", "certificates"), ("inventory", "inventory"),
                       ("inventory", "inventory-counts"), ("plans", "plans")]:  # fmt: skip
        result = ssc("cpa", "import", kind, str(EDMI / f"{name}.csv"))
        assert result.status == 0, result.stderr


@pytest.fixture
def edmi(ssc):
    load_edmi(ssc)
    return ssc


def report(ssc, as_of: str, *extra: str) -> tuple[int, dict]:
    result = ssc("cpa", "report", "--as-of", as_of, "--format", "json", *extra)
    assert result.status in (0, 1), result.stderr
    return result.status, json.loads(result.stdout)


def certificate(data: dict, cpa_id: str) -> dict:
    return next(c for c in data["certificates"] if c["cpa_id"] == cpa_id)


def plans(data: dict, cpa_id: str) -> dict[str, str]:
    return {s["supplier"]: s["plan"] for s in certificate(data, cpa_id)["suppliers"]}


def test_on_the_paper_date_plans_are_requested_and_due_not_late(edmi):
    status, data = report(edmi, "2020-01-10")
    assert status == 1
    assert data["as_of"] == "2020-01-10"
    edmi_meter = certificate(data, "CPA-2017-0142")
    assert edmi_meter["expires"] == "2020-02-28"
    assert edmi_meter["days_left"] == 49
    assert edmi_meter["severity"] == "warning"
    assert plans(data, "CPA-2017-0142") == {
        "Amber Energy": "received",
        "Brook Power": "requested",
        "Cedar Energy": "requested",  # its plan comes on 2020-01-27: not yet
        "Delta Gas & Power": "missing",
        "Ember Supply": "requested",  # received 2020-01-15: not yet
    }
    assert "overdue" not in {s["plan"] for c in data["certificates"] for s in c["suppliers"]}


def test_after_the_due_date_unreceived_plans_are_overdue(edmi):
    status, data = report(edmi, "2020-01-21")
    assert status == 1
    assert plans(data, "CPA-2017-0142") == {
        "Amber Energy": "received",
        "Brook Power": "overdue",
        "Cedar Energy": "overdue",
        "Delta Gas & Power": "missing",
        "Ember Supply": "received",
    }
    assert plans(data, "CPA-2017-0143") == {
        "Amber Energy": "received",
        "Cedar Energy": "overdue",
        "Delta Gas & Power": "missing",
    }
    assert data["totals"]["plans"] == {"overdue": 3, "missing": 3, "requested": 0, "received": 3}


def test_a_plan_received_after_its_due_date_is_received_and_late(edmi):
    _, data = report(edmi, "2020-02-01")
    cedar = next(s for s in certificate(data, "CPA-2017-0142")["suppliers"]
                 if s["supplier"] == "Cedar Energy")  # fmt: skip
    assert cedar["plan"] == "received"
    assert cedar["received"] == "2020-01-27"
    assert cedar["late"] is True


def test_devices_at_risk_are_counted_per_supplier(edmi):
    _, data = report(edmi, "2020-01-10")
    devices = {s["supplier"]: s["devices"] for s in certificate(data, "CPA-2017-0142")["suppliers"]}
    assert devices == {"Amber Energy": 6, "Brook Power": 4, "Cedar Energy": 5,
                       "Delta Gas & Power": 1200, "Ember Supply": 1}  # fmt: skip
    assert certificate(data, "CPA-2017-0142")["installed_devices"] == 1216
    assert certificate(data, "CPA-2017-0143")["installed_devices"] == 805


def test_firmware_no_certificate_covers_is_reported(edmi):
    _, data = report(edmi, "2020-01-10")
    assert data["uncovered"] == [{
        "supplier": "Ember Supply", "device_type": "ESME", "manufacturer": "EDMI",
        "model": "ES-10A", "hardware_version": "1.0", "firmware_version": "2.0.9",
        "devices": 3, "needs_action": True,
    }]  # fmt: skip


def test_worst_first_and_only_within_the_horizon(edmi):
    _, data = report(edmi, "2020-01-10")
    listed = [c["cpa_id"] for c in data["certificates"]]
    # Action needed first (the EDMI meters, 1,216 devices before 805), the lapsed IHD last;
    # the successors expiring in 2025 and the hub certificate of 2023 are beyond 180 days.
    assert listed == ["CPA-2017-0142", "CPA-2017-0143", "CPA-2018-0207", "CPA-2016-0088"]
    _, short = report(edmi, "2020-01-10", "--horizon", "30")
    assert [c["cpa_id"] for c in short["certificates"]] == ["CPA-2016-0088"]


def test_the_contract_fields_are_present(edmi):
    _, data = report(edmi, "2020-01-10")
    assert {"as_of", "certificates"} <= data.keys()
    for c in data["certificates"]:
        assert {"cpa_id", "manufacturer", "model", "firmware_version", "expires", "days_left",
                "severity", "installed_devices", "suppliers"} <= c.keys()  # fmt: skip
        assert c["severity"] in {"expired", "critical", "warning", "notice"}
        for s in c["suppliers"]:
            assert {"supplier", "devices", "plan"} <= s.keys()
            assert s["plan"] in {"missing", "requested", "overdue", "received"}


def test_severity_moves_as_the_date_nears(edmi):
    assert certificate(report(edmi, "2020-01-29")[1], "CPA-2017-0142")["severity"] == "critical"
    assert certificate(report(edmi, "2020-02-28")[1], "CPA-2017-0142")["days_left"] == 0
    assert certificate(report(edmi, "2020-02-29")[1], "CPA-2017-0142")["severity"] == "expired"


def test_thresholds_move_with_the_policy(edmi, tmp_path):
    override = tmp_path / "policy.toml"
    override.write_text("[expiry]\ncritical_days = 60\nwarning_days = 120\n")
    edmi.policy_file = override
    _, data = report(edmi, "2020-01-10")
    assert certificate(data, "CPA-2017-0142")["severity"] == "critical"
    assert data["thresholds"]["critical_days"] == 60


def test_what_needs_action_moves_with_the_policy(ssc, tmp_path):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    (tmp_path / "inv.csv").write_text(
        "supplier,count,device_type,manufacturer,model,hardware_version,firmware_version\n"
        "Amber Energy,10,ESME,EDMI,ES-10A,1.0,2.1.0\n"
    )
    ssc("cpa", "import", "inventory", str(tmp_path / "inv.csv"))
    (tmp_path / "plans.csv").write_text(
        "supplier,cpa_id,requested,due,received,target_firmware\n"
        "Amber Energy,CPA-2017-0142,2019-12-11,2020-01-20,2020-01-08,2.3.0\n"
    )
    ssc("cpa", "import", "plans", str(tmp_path / "plans.csv"))
    # A received plan, but 10 meters under a certificate in warning: act (the default policy).
    assert ssc("cpa", "report", "--as-of", "2020-01-10").status == 1
    override = tmp_path / "policy.toml"
    override.write_text('[cpa]\naction_severities = ["expired", "critical"]\n')
    ssc.policy_file = override
    assert ssc("cpa", "report", "--as-of", "2020-01-10").status == 0


def test_nothing_to_act_on_exits_0(ssc):
    ssc("cpa", "import", "certificates", str(EDMI / "certificates.csv"))
    # Only certificates, no devices: nothing expiring has anything installed under it.
    result = ssc("cpa", "report", "--as-of", "2020-01-10")
    assert result.status == 0, result.stdout
    assert "Action needed: **no**" in result.stdout


def test_an_empty_register_reports_nothing(ssc):
    missing = ssc("cpa", "report", "--as-of", "2020-01-10")
    assert missing.status == 2 and "no such register" in missing.stderr  # a mistyped --db
    assert not ssc.db.exists()
    ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user")
    result = ssc("cpa", "report", "--as-of", "2020-01-10")
    assert result.status == 0
    assert "No certificate expired or expiring" in result.stdout


def test_markdown_is_the_default_and_names_the_worst_first(edmi):
    result = edmi("cpa", "report", "--as-of", "2020-01-21")
    assert result.status == 1
    assert result.stdout.startswith(
        "**AMBER — need-to-know within recipient organisations**\n\n"
        "# CPA certificate expiry as of 2020-01-21"
    )
    assert result.stdout.index("CPA-2017-0142") < result.stdout.index("CPA-2016-0088")
    assert "| Delta Gas & Power | 1,200 | missing |" in result.stdout


def test_as_a_real_process_json_goes_to_stdout_alone(edmi):
    result = edmi.process("cpa", "report", "--as-of", "2020-01-21", "--format", "json")
    assert result.status == 1
    assert json.loads(result.stdout)["as_of"] == "2020-01-21"


def test_a_withdrawn_certificate_with_devices_under_it_is_expired_whatever_its_date(ssc, tmp_path):
    """A lapsed CPL entry covers nothing: years before its expiry date, the devices under it
    are at the worst severity and need action; with no devices under it, it is not listed."""
    load_edmi(ssc)
    lines = (EDMI / "certificates.csv").read_text().splitlines()
    withdrawn = [lines[0]] + [line.replace(",Active,", ",withdrawn,") if line.startswith("CPA-2017-0142,")
                              else line for line in lines[1:]]  # fmt: skip
    changed = tmp_path / "certificates.csv"
    changed.write_text("\n".join(withdrawn) + "\n")
    assert ssc("cpa", "import", "certificates", str(changed)).status == 0
    status, data = report(ssc, "2018-01-10")  # two years before its expiry date
    assert status == 1
    lapsed = certificate(data, "CPA-2017-0142")
    assert lapsed["severity"] == "expired" and lapsed["status"] == "Withdrawn"
    assert lapsed["installed_devices"] > 0 and lapsed["needs_action"] is True
    assert "CPA-2017-0143" not in {c["cpa_id"] for c in data["certificates"]}  # active, far off
