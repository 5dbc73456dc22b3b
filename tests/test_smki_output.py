"""SARIF 2.1.0 and certificate listings of ``ssc smki``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from testdata.smki_pki import AS_OF, CASES, build

SCHEMA = Path(__file__).resolve().parent.parent / "smki" / "schemas" / "sarif-schema-2.1.0.json"


def _validate(sarif: dict) -> None:
    """Against the official OASIS SARIF 2.1.0 schema (draft-04), vendored with its licence."""
    schema = json.loads(SCHEMA.read_text())
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    jsonschema.Draft4Validator(schema).validate(sarif)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


def test_sarif_is_valid_and_carries_every_finding(pki, ssc):
    result = ssc(
        "smki",
        "check-keys",
        "--format",
        "sarif",
        "--certs",
        str(pki.certs),
        "--certs",
        str(pki.root / "reused"),
        "--certs",
        str(pki.root / "broken"),
        str(pki.requests),
        as_of=AS_OF,
    )
    assert result.status == 1
    sarif = json.loads(result.stdout)
    _validate(sarif)
    (run,) = sarif["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == [f"KS00{n}" for n in range(1, 9)]
    found = {r["ruleId"] for r in run["results"]}
    assert found == set().union(*CASES.values()) | {"KS008"}
    for r in run["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning")
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_sarif_of_a_clean_estate_has_no_results(pki, ssc):
    result = ssc(
        "smki",
        "check-keys",
        "--format",
        "sarif",
        "--certs",
        str(pki.certs),
        str(pki.request("clean")),
        as_of=AS_OF,
    )
    assert result.status == 0
    sarif = json.loads(result.stdout)
    _validate(sarif)
    assert sarif["runs"][0]["results"] == []


def test_certs_lists_the_smki_profile(pki, ssc):
    result = ssc("smki", "certs", "--format", "json", str(pki.certs), as_of=AS_OF)
    data = json.loads(result.stdout)
    rows = {Path(r["path"]).stem: r for r in data["certificates"]}
    assert rows["supplier-ds"]["role"] == "supplier"
    assert rows["supplier-ds"]["eui64"] == "90-B3-D5-1F-30-01-00-00"
    assert rows["supplier-ka"]["key_usage"] == "KA"
    assert rows["xmlsign-supplier"]["role"] == "XmlSign"
    assert rows["xmlsign-supplier"]["policy_oids"] == ["1.2.826.0.1.8641679.1.2.1.4"]
    assert rows["plain-ec"]["smki"] is False and rows["plain-ec"]["role"] is None
    assert len(rows["supplier-ds"]["public_key_sha256"]) == 64
    assert rows["xmlsign-expired"]["days_left"] < 0
    assert result.status == 1  # the expired one is inside any horizon


def test_certs_exit_status_follows_the_horizon(pki, ssc):
    live = str(pki.certs / "xmlsign-supplier.pem")
    assert ssc("smki", "certs", live, as_of=AS_OF).status == 0
    assert ssc("smki", "certs", "--horizon", "40000", live, as_of=AS_OF).status == 1


def test_certs_text_has_one_row_per_certificate(pki, ssc):
    result = ssc("smki", "certs", str(pki.certs), as_of=AS_OF)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["path", "subject", "role"]
    assert len(lines) == 1 + len(list(pki.certs.glob("*.pem")))


def test_certs_reports_unparseable_files_and_goes_on(pki, ssc):
    result = ssc(
        "smki", "certs", "--format", "json", str(pki.root / "broken"), str(pki.certs), as_of=AS_OF
    )
    data = json.loads(result.stdout)
    assert [p["rule"] for p in data["problems"]] == ["KS008"]
    assert "truncated.pem" in result.stderr
    assert len(data["certificates"]) == len(list(pki.certs.glob("*.pem")))


def test_certs_missing_path_is_exit_2(ssc):
    result = ssc("smki", "certs", "does-not-exist.pem")
    assert result.status == 2 and "does-not-exist.pem" in result.stderr


def test_der_certificates_load(pki, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from smki.certificates import load_certificates

    pem = (pki.certs / "supplier-ds.pem").read_bytes()
    der = tmp_path / "supplier-ds.der"
    der.write_bytes(x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER))
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem + (pki.certs / "supplier-ka.pem").read_bytes())
    certs, problems = load_certificates([der, bundle])
    assert problems == []
    assert [(c.role_name, c.key_usage, c.line) for c in certs] == [
        ("supplier", "DS", 1),
        ("supplier", "DS", 1),
        ("supplier", "KA", 12),
    ]


def _sarif_of_odd_paths(tmp_path, ssc, monkeypatch) -> tuple[dict, Path]:
    """SARIF for a PKI under a folder whose name needs percent-encoding, run from its parent."""
    pki = build(tmp_path / "p k#i%ü")
    monkeypatch.chdir(tmp_path)
    result = ssc(
        "smki",
        "check-keys",
        "--format",
        "sarif",
        "--certs",
        str(pki.certs),
        "--certs",
        str(pki.root / "broken"),
        str(pki.requests),
        as_of=AS_OF,
    )
    return json.loads(result.stdout), pki.root


def test_sarif_has_what_github_code_scanning_reads(tmp_path, ssc, monkeypatch):
    sarif, _ = _sarif_of_odd_paths(tmp_path, ssc, monkeypatch)
    _validate(sarif)
    (run,) = sarif["runs"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["helpUri"].startswith("https://")
        assert 0 <= float(rule["properties"]["security-severity"]) <= 10
    fingerprints = set()
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%"
        assert location["uri"].startswith("p%20k%23i%25%C3%BC/"), location["uri"]
        assert not location["uri"].startswith(("/", "file:"))
        assert float(result["properties"]["security-severity"]) > 0
        fingerprints.add(result["partialFingerprints"]["keySeparationFinding/v1"])
    assert len(fingerprints) == len(run["results"])  # one per finding, none shared
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")


def test_sarif_passes_the_sarif_multitool_with_github_rules(tmp_path, ssc, monkeypatch):
    import shlex
    import subprocess

    from tests.conftest import require_tool

    multitool = require_tool("sarif-multitool")
    sarif, _ = _sarif_of_odd_paths(tmp_path, ssc, monkeypatch)
    log = tmp_path / "sarif.json"
    log.write_text(json.dumps(sarif))
    out = tmp_path / "validation.sarif"
    # The npm launcher hands its arguments to a shell: quote each one for that shell.
    arguments = ["validate", "--rule-kind", "Sarif;Gh", "--output", str(out), str(log)]
    subprocess.run(
        [multitool, *map(shlex.quote, arguments)], check=True, capture_output=True, timeout=300
    )
    problems = [
        (r["ruleId"], r.get("message"))
        for run in json.loads(out.read_text())["runs"]
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    assert problems == []


def test_ks003_without_certs_hints_at_certs(pki, ssc):
    result = ssc("smki", "check-keys", str(pki.request("clean")), as_of=AS_OF)
    assert result.status == 1 and "KS003" in result.stdout
    assert "hint:" in result.stderr and "--certs" in result.stderr
    given = ssc(
        "smki",
        "check-keys",
        "--certs",
        str(pki.certs),
        str(pki.request("unknown-serial")),
        as_of=AS_OF,
    )
    assert "KS003" in given.stdout and "hint:" not in given.stderr
