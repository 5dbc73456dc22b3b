"""Mutated documents never crash the checker, and the fast path never accepts what signxml rejects."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from cryptography import x509
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smki.certificates import load_certificates
from smki.signatures import check_document
from smki.store import CertificateStore
from testdata.smki_pki import AS_OF, build
from tests.conftest import require_tool

#: Findings that mean "not accepted": the signature failed or could not be judged.
REJECTED = {"KS002", "KS003", "KS004", "KS005"}
SNIPPETS = [b" ", b"\n", b"<!--c-->", b"x", b' a="1"', b' xmlns:z="urn:z"', b"&amp;", b"&#13;",
            b"<!DOCTYPE r>", b"<", b">", b"\"", b"=", b"<ds:Signature/>", b"AAAA", b"]]>",
            b"<?pi x?>", b"Id=\"x\"", b"ds:", b"#"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    pki = build(tmp_path_factory.mktemp("pki"))
    certs, _ = load_certificates([pki.certs])
    return pki, CertificateStore(certs)


mutation = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "flip"]), st.floats(0, 1),
              st.sampled_from(SNIPPETS), st.integers(1, 12)),
    min_size=1, max_size=4)


def _mutate(data: bytes, ops) -> bytes:
    for op, where, snippet, size in ops:
        at = int(where * len(data))
        if op == "insert":
            data = data[:at] + snippet + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + size:]
        elif at < len(data):
            data = data[:at] + bytes([data[at] ^ (1 << (size % 8))]) + data[at + 1:]
    return data


def _signxml_accepts(data: bytes, cert: x509.Certificate) -> bool:
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.algorithms import CanonicalizationMethod

    config = SignatureConfiguration(
        verification_time=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), location="./",
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0)
    try:
        XMLVerifier().verify(data, x509_cert=cert, expect_config=config)
    except Exception:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(["clean", "clean-network-operator", "clean-by-ski", "sha1-signature",
                             "wrapped-signature", "two-signatures", "dtd-entities"]),
       ops=mutation)
def test_mutated_documents_give_findings_or_pass_never_crash(corpus, case, ops):
    pki, store = corpus
    data = _mutate(pki.request(case).read_bytes(), ops)
    findings, _ = check_document("m.xml", data, store, AS_OF)
    for f in findings:
        assert f.rule in {f"KS00{n}" for n in range(1, 8)} and f.line >= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(["clean", "clean-network-operator"]), ops=mutation)
def test_fast_path_never_accepts_what_signxml_rejects(corpus, case, ops):
    pki, store = corpus
    data = _mutate(pki.request(case).read_bytes(), ops)
    findings, signatures = check_document("m.xml", data, store, AS_OF)
    accepted = signatures >= 1 and not {f.rule for f in findings} & REJECTED
    if accepted:
        cert = "xmlsign-network-operator" if "network" in case else "xmlsign-supplier"
        pem = (pki.certs / f"{cert}.pem").read_bytes()
        assert _signxml_accepts(data, x509.load_pem_x509_certificate(pem)), data


def test_fast_path_agrees_with_signxml_and_xmlsec1_on_a_seeded_corpus(corpus, tmp_path):
    """Both directions, over a fixed corpus: accepted by us exactly when accepted by the others."""
    import random

    xmlsec1 = require_tool("xmlsec1")
    pki, store = corpus
    cert_path = pki.certs / "xmlsign-supplier.pem"
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    rng = random.Random(20261121)
    original = pki.request("clean").read_bytes()
    disagreements = []
    for i in range(60):
        ops = [(rng.choice(["insert", "delete", "flip"]), rng.random(), rng.choice(SNIPPETS),
                rng.randint(1, 12)) for _ in range(rng.randint(0, 2))]
        data = _mutate(original, ops)
        findings, signatures = check_document("m.xml", data, store, AS_OF)
        ours = signatures == 1 and not {f.rule for f in findings} & REJECTED
        theirs = _signxml_accepts(data, cert)
        path = tmp_path / f"{i}.xml"
        path.write_bytes(data)
        xmlsec = subprocess.run([xmlsec1, "--verify", "--pubkey-cert-pem", str(cert_path),
                                 str(path)], capture_output=True).returncode == 0
        if ours and not (theirs and xmlsec):
            disagreements.append((i, ops, ours, theirs, xmlsec))
        if ours != theirs and b"<!DOCTYPE" not in data:
            disagreements.append((i, ops, ours, theirs, xmlsec))
    assert disagreements == []


@pytest.mark.parametrize("case", ["clean", "clean-network-operator", "clean-by-certificate",
                                  "clean-by-ski", "signed-with-ds-key", "tampered-body"])
def test_duis_shaped_signatures_take_the_fast_path(corpus, case):
    from lxml import etree

    from smki.signatures import fast_path_applies, signatures_of

    pki, store = corpus
    tree = etree.parse(str(pki.request(case)))
    (sig,) = signatures_of(tree)
    cert = store.certificates[0]
    assert fast_path_applies(sig, tree.getroot(), cert)


def test_a_clean_single_file_run_does_not_import_signxml(corpus):
    import subprocess
    import sys

    from tests.conftest import REPO

    pki, _ = corpus
    code = ("import sys; from ssc.cli import main; "
            f"rc = main(['smki', 'check-keys', '--certs', {str(pki.certs)!r}, "
            f"{str(pki.request('clean'))!r}]); "
            "print(rc, 'signxml' in sys.modules, 'pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout.split()
    assert out == ["0", "False", "False"]
