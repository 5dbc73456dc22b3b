"""Interop: xmlsec1 signs what we verify and verifies what we sign; the DCC Boxed material."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_der_private_key

from smki.certificates import load_certificates
from smki.keysep import check_key_separation
from testdata.smki_pki import AS_OF, build, request, sign_request
from tests.conftest import require_shared, require_tool

TEMPLATE = """  <ds:Signature>
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>
      <ds:Reference URI="">
        <ds:Transforms>
          <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
        </ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
    <ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial>
      <ds:X509IssuerName>{issuer}</ds:X509IssuerName>
      <ds:X509SerialNumber>{serial}</ds:X509SerialNumber>
    </ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo>
  </ds:Signature>
</sr:Request>"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


def _xmlsec_sign(unsigned: bytes, key: Path, cert: Path, issuer: str, out: Path) -> Path:
    xmlsec1 = require_tool("xmlsec1")
    serial = x509.load_pem_x509_certificate(cert.read_bytes()).serial_number
    template = out.with_suffix(".tmpl")
    template.write_bytes(
        unsigned.replace(b"</sr:Request>", TEMPLATE.format(issuer=issuer, serial=serial).encode())
    )
    subprocess.run(
        [xmlsec1, "--sign", "--privkey-der", str(key), "--output", str(out), str(template)],
        check=True,
        capture_output=True,
    )
    template.unlink()
    return out


def _xmlsec_verify(document: Path, cert: Path, when: str | None = None) -> bool:
    xmlsec1 = require_tool("xmlsec1")
    args = [xmlsec1, "--verify", "--pubkey-cert-pem", str(cert)]
    if when:
        args += ["--verification-gmt-time", when]
    return subprocess.run([*args, str(document)], capture_output=True).returncode == 0


def test_xmlsec1_signed_request_verifies_with_ssc(pki, tmp_path, ssc):
    unsigned = request()
    signed = _xmlsec_sign(
        unsigned,
        pki.root / "keys" / "xmlsign-supplier.key",
        pki.certs / "xmlsign-supplier.pem",
        "CN=T1,OU=07",
        tmp_path / "x.xml",
    )
    result = ssc("smki", "check-keys", "--certs", str(pki.certs), str(signed), as_of=AS_OF)
    assert result.status == 0, result.stdout
    tampered = tmp_path / "t.xml"
    tampered.write_bytes(signed.read_bytes().replace(b"4.1.1", b"4.1.2"))
    result = ssc("smki", "check-keys", "--certs", str(pki.certs), str(tampered), as_of=AS_OF)
    assert "KS002" in result.stdout


def test_xmlsec1_signed_with_a_ds_key_is_ks001(pki, tmp_path):
    unsigned = request()
    signed = _xmlsec_sign(
        unsigned,
        pki.root / "keys" / "supplier-ds.key",
        pki.certs / "supplier-ds.pem",
        "OU=07,CN=T1",
        tmp_path / "x.xml",
    )
    report = check_key_separation([signed], [pki.certs], AS_OF)
    assert {f.rule for f in report.findings} == {"KS001", "KS006"}


@pytest.mark.parametrize(
    "case",
    [
        "clean",
        "clean-network-operator",
        "clean-by-certificate",
        "clean-by-ski",
        "signed-with-ds-key",
    ],
)
def test_our_signatures_verify_under_xmlsec1(pki, case):
    cert = (
        "supplier-ds"
        if case == "signed-with-ds-key"
        else (
            "xmlsign-network-operator" if case == "clean-network-operator" else "xmlsign-supplier"
        )
    )
    assert _xmlsec_verify(pki.request(case), pki.certs / f"{cert}.pem")


def test_xmlsec1_rejects_what_we_reject(pki):
    assert not _xmlsec_verify(pki.request("tampered-body"), pki.certs / "xmlsign-supplier.pem")


# --- DCC Boxed (ZAZ1 test SMKI) ---------------------------------------------------------


def _dcc_pems() -> list[Path]:
    return sorted(require_shared().glob("*.pem"))


def test_dcc_certificates_load_with_roles_and_euis():
    certs, problems = load_certificates(_dcc_pems())
    assert problems == []
    got = {Path(c.path).stem: (c.role_name, c.eui64, c.key_usage) for c in certs}
    assert got == {
        "Z1-supplier-ds": ("supplier", "90-B3-D5-1F-30-01-00-00", "DS"),
        "Z1-networkOperator-ds": ("networkOperator", "90-B3-D5-1F-30-02-00-00", "DS"),
        "xml-sign-90B3D51F30010000-ds": ("XmlSign", "90-B3-D5-1F-30-01-00-00", "DS"),
        "xml-sign-90B3D51F30020000-ds": ("XmlSign", "90-B3-D5-1F-30-02-00-00", "DS"),
    }
    supplier = next(c for c in certs if "supplier" in c.path)
    assert supplier.not_after.date() == dt.date(2025, 10, 29)
    assert supplier.policy_oids == ("1.2.826.0.1.8641679.1.2.1.4",)


def test_dcc_keystore_loads_but_for_the_null_parameter_certificates():
    keystore = require_shared() / "keystore.json"
    certs, problems = load_certificates([keystore])
    assert len(problems) == 2
    assert all("NULL parameters" in p.message for p in problems)
    assert all("\n" not in p.message and "ASN" not in p.message for p in problems)
    names = {
        e["name"]: e["role"]
        for eui in json.loads(keystore.read_text()).values()
        for usage in eui.values()
        for e in usage.values()
    }
    assert len(certs) == len(names) - 2
    roles = {c.role for c in certs}
    assert {2, 3, 4, 135, 137} <= roles


def test_dcc_response_signature_verifies_over_inclusive_c14n():
    shared = require_shared()
    report = check_key_separation(
        [shared / "dcc-boxed-response-signed.xml"], [shared / "keystore.json"], dt.date(2026, 6, 1)
    )
    rules = {f.rule for f in report.findings if f.path.endswith(".xml")}
    # Verifies (no KS002); DCC Boxed signs responses with its Access Control Broker DS key.
    assert rules == {"KS001", "KS006", "KS007"}


def test_dcc_placeholder_signature_names_an_unknown_certificate():
    shared = require_shared()
    report = check_key_separation(
        [shared / "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS-signed.XML"], _dcc_pems(), AS_OF
    )
    assert [f.rule for f in report.findings] == ["KS003"]


def _dcc_sign(name: str, tmp_path: Path) -> Path:
    shared = require_shared()
    unsigned = (shared / "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML").read_bytes()
    key = load_der_private_key((shared / f"{name}.key").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((shared / f"{name}.pem").read_bytes())
    out = tmp_path / f"{name}.xml"
    out.write_bytes(sign_request(unsigned, key, cert, issuer_name="CN=Z1,OU=07"))
    return out


def test_request_signed_with_dcc_xmlsign_key_is_clean(tmp_path, ssc):
    signed = _dcc_sign("xml-sign-90B3D51F30010000-ds", tmp_path)
    certs = [str(p) for p in _dcc_pems()]
    args = [a for c in certs for a in ("--certs", c)]
    result = ssc("smki", "check-keys", "--strict", *args, str(signed), as_of=AS_OF)
    assert result.status == 0, result.stdout
    assert _xmlsec_verify(signed, require_shared() / "xml-sign-90B3D51F30010000-ds.pem")


def test_request_signed_with_dcc_supplier_ds_key_is_caught(tmp_path):
    signed = _dcc_sign("Z1-supplier-ds", tmp_path)
    report = check_key_separation([signed], _dcc_pems(), AS_OF)
    by_rule = {f.rule: f for f in report.findings}
    # Expired on 2025-10-29: still verified, as of its own validity, and warned about.
    assert set(by_rule) == {"KS001", "KS006", "KS007"}
    assert by_rule["KS001"].certificates[0].path.endswith("Z1-supplier-ds.pem")
    assert _xmlsec_verify(signed, require_shared() / "Z1-supplier-ds.pem", "2025-01-01+00:00:00")


def _mdr(usage: str):
    keystore = json.loads((require_shared() / "keystore.json").read_text())
    (entry,) = [
        e for e in keystore["90b3d51f30010009"][usage].values() if e["name"].startswith("mdr-")
    ]
    return entry


def test_the_mdr_keys_count_for_ks001_though_their_certificates_do_not_parse(tmp_path):
    """DCC Boxed's mdr-ds/mdr-ka (NULL parameters): an XmlSign certificate over their key and a
    request signed with it are KS001, and the two certificates are KS008."""
    from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key

    from smki.certificates import read_store
    from testdata.smki_pki import Party, _certificate, _key, _org_name

    shared = require_shared()
    mdr = _mdr("digitalSignature")
    key = load_pem_private_key(mdr["privateKey"].encode(), None)
    ca_key = _key()
    ca = Party(
        "ca",
        ca_key,
        _certificate(_org_name(7, "00-00-00-00-00-00-00-07", "T1"), ca_key, None, "CA", ca=True),
    )
    over = _certificate(_org_name(0x87, "90-B3-D5-1F-30-01-00-09"), key, ca, "DS")
    xmlsign = tmp_path / "xmlsign-over-mdr-ds.pem"
    xmlsign.write_bytes(over.public_bytes(Encoding.PEM))
    signed = tmp_path / "request.xml"
    signed.write_bytes(sign_request(request("90-B3-D5-1F-30-01-00-09"), key, over))
    certs, _ = read_store([shared / "keystore.json"])
    mdr_certs = [c for c in certs if c.problem]
    assert {c.role_name for c in mdr_certs} == {"other"} and len(mdr_certs) == 2
    report = check_key_separation([signed], [shared / "keystore.json", xmlsign], AS_OF)
    by_path = {}
    for f in report.findings:
        by_path.setdefault(Path(f.path).name, set()).add(f.rule)
    assert by_path == {
        "keystore.json": {"KS008"},
        "xmlsign-over-mdr-ds.pem": {"KS001"},
        "request.xml": {"KS001"},
    }
    (ks001,) = [f for f in report.findings if f.rule == "KS001" and f.path == str(signed)]
    assert [(c.role, c.key_usage) for c in ks001.certificates] == [("other", "DS")]


def test_dcc_unsigned_request_is_ks004():
    shared = require_shared()
    report = check_key_separation(
        [shared / "ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"], [shared / "keystore.json"], AS_OF
    )
    (unsigned,) = [f for f in report.findings if f.path.endswith(".XML")]
    assert unsigned.rule == "KS004" and "not signed" in unsigned.message
