"""Each key-separation rule fires on its case of the generated test PKI and on nothing else."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from smki.keysep import check_key_separation
from testdata.smki_pki import AS_OF, CASES, build

RULES = {f"KS00{n}" for n in range(1, 9)}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


def _rules_for(pki, case: str) -> set[str]:
    certs = [pki.certs] + ([pki.root / "reused"] if case == "reused-key" else [])
    report = check_key_separation([pki.request(case)], certs, AS_OF, jobs=1)
    return {f.rule for f in report.findings if f.path == str(pki.request(case))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_gives_exactly_its_rules(pki, case):
    assert _rules_for(pki, case) == CASES[case]


def test_every_rule_has_a_case():
    covered = set().union(*CASES.values()) | {"KS008"}  # KS008 is a store case, below
    assert covered == RULES


def test_clean_estate_passes(pki, ssc):
    clean = [str(pki.request(c)) for c in CASES if c.startswith("clean")]
    result = ssc("smki", "check-keys", "--certs", str(pki.certs), *clean, as_of=AS_OF)
    assert result.status == 0, result.stdout
    assert result.stdout == ""


def test_xmlsign_certificate_over_a_ds_key_is_ks001_on_the_certificate(pki):
    report = check_key_separation([pki.root / "reused"], [pki.certs], AS_OF)
    (only,) = report.findings
    assert only.rule == "KS001"
    assert only.path.endswith("xmlsign-over-supplier-ds.pem")
    assert [c.path for c in only.certificates] == [str(pki.certs / "supplier-ds.pem")]
    assert only.certificates[0].role == "supplier" and only.certificates[0].key_usage == "DS"


def test_unparseable_certificate_is_ks008_and_the_rest_still_used(pki):
    report = check_key_separation([pki.request("clean")], [pki.certs, pki.root / "broken"], AS_OF)
    assert [(f.rule, Path(f.path).name) for f in report.findings] == [("KS008", "truncated.pem")]
    assert report.exit_status() == 0
    assert report.exit_status(strict=True) == 1


def test_text_output_is_path_line_rule_message(pki, ssc):
    path = str(pki.request("tampered-body"))
    result = ssc("smki", "check-keys", "--certs", str(pki.certs), path, as_of=AS_OF)
    assert result.status == 1
    assert result.stdout.startswith(f"{path}:12: KS002 signature does not verify")
    assert "1 error(s)" in result.stderr


def test_warnings_exit_0_unless_strict(pki, ssc):
    path = str(pki.request("expired-certificate"))
    assert ssc("smki", "check-keys", "--certs", str(pki.certs), path, as_of=AS_OF).status == 0
    strict = ssc("smki", "check-keys", "--strict", "--certs", str(pki.certs), path, as_of=AS_OF)
    assert strict.status == 1 and "KS007" in strict.stdout


def test_as_of_inside_validity_clears_ks007(pki, ssc):
    path = str(pki.request("expired-certificate"))
    result = ssc(
        "smki", "check-keys", "--strict", "--as-of", "2020-01-01", "--certs", str(pki.certs), path
    )
    assert result.status == 0, result.stdout


def test_json_output(pki, ssc):
    path = str(pki.request("signed-with-ds-key"))
    result = ssc(
        "smki", "check-keys", "--format", "json", "--certs", str(pki.certs), path, as_of=AS_OF
    )
    assert result.status == 1
    data = json.loads(result.stdout)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert set(by_rule) == {"KS001", "KS006"}
    assert by_rule["KS001"]["severity"] == "error" and by_rule["KS006"]["severity"] == "warning"
    assert by_rule["KS001"]["path"] == path and by_rule["KS001"]["line"] == 12
    (holder,) = by_rule["KS001"]["certificates"]
    assert holder["path"].endswith("supplier-ds.pem") and holder["role"] == "supplier"
    assert "PRIVATE" not in result.stdout


def test_certificates_among_paths_join_the_store(pki, ssc):
    result = ssc("smki", "check-keys", str(pki.certs), str(pki.request("clean")), as_of=AS_OF)
    assert result.status == 0, result.stdout


def test_missing_file_is_exit_2_naming_it(pki, ssc):
    result = ssc("smki", "check-keys", "--certs", str(pki.certs), "no/such.xml", as_of=AS_OF)
    assert result.status == 2
    assert "no/such.xml" in result.stderr
    missing_store = ssc("smki", "check-keys", "--certs", "nowhere", str(pki.request("clean")))
    assert missing_store.status == 2 and "nowhere" in missing_store.stderr


def test_directory_of_requests_reports_every_case(pki):
    report = check_key_separation([pki.requests], [pki.certs], AS_OF, jobs=1)
    flagged = {Path(f.path).stem for f in report.findings}
    assert flagged == {c for c, rules in CASES.items() if rules and c != "reused-key"} | {
        "reused-key"
    }


def test_many_documents_use_worker_processes_with_the_same_verdicts(pki, tmp_path):
    import smki.keysep as keysep

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(keysep.PARALLEL_THRESHOLD):
        case = "clean" if i % 2 else "tampered-body"
        (corpus / f"{i:04d}.xml").write_bytes(pki.request(case).read_bytes())
    serial = check_key_separation([corpus], [pki.certs], AS_OF, jobs=1)
    parallel = check_key_separation([corpus], [pki.certs], AS_OF, jobs=2)
    assert serial.findings == parallel.findings
    assert len(parallel.findings) == keysep.PARALLEL_THRESHOLD // 2


def test_certificates_past_their_validity_on_a_later_as_of_are_ks007(pki, ssc):
    result = ssc(
        "smki",
        "check-keys",
        "--certs",
        str(pki.certs),
        str(pki.request("clean")),
        as_of=dt.date(2200, 1, 1),
    )
    assert "KS007" in result.stdout


_P256 = bytes.fromhex("06082a8648ce3d030107")  # the OID of NIST P-256, DER
_UNKNOWN_CURVE = bytes.fromhex("06082a8648ce3d030108")  # a sibling OID no library knows


def test_a_certificate_on_an_unknown_curve_is_ks008_not_a_crash(pki, tmp_path):
    der = (pki.certs / "xmlsign-supplier.pem").read_bytes()
    der = x509.load_pem_x509_certificate(der).public_bytes(Encoding.DER)
    odd = tmp_path / "odd-curve.der"
    odd.write_bytes(der.replace(_P256, _UNKNOWN_CURVE))
    report = check_key_separation([pki.request("clean")], [pki.certs, odd], AS_OF, jobs=1)
    assert [(f.rule, Path(f.path).name) for f in report.findings] == [("KS008", "odd-curve.der")]
    assert "unsupported public key" in report.findings[0].message


def test_an_embedded_certificate_on_an_unknown_curve_is_not_found_not_a_crash(pki, tmp_path):
    request = pki.request("clean-by-certificate").read_bytes()
    root = etree.fromstring(request)
    embedded = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    der = base64.b64decode(embedded.text)
    embedded.text = base64.b64encode(der.replace(_P256, _UNKNOWN_CURVE)).decode()
    target = tmp_path / "odd-embedded.xml"
    target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    report = check_key_separation([target], [], AS_OF, jobs=1)
    assert {f.rule for f in report.findings} == {"KS003"}
