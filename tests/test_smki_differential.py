"""Mutated documents never crash the checker, and the fast path never accepts what signxml rejects."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smki.certificates import load_certificates
from smki.fastpath import check_fast
from smki.policy import load_policy
from smki.signatures import check_document
from smki.store import CertificateStore
from testdata.smki_pki import AS_OF, build
from tests.conftest import require_tool

PROFILE = load_policy().default_profile
#: Findings that mean "not accepted": the signature failed or could not be judged.
REJECTED = {"KS002", "KS003", "KS004", "KS005"}
SNIPPETS = [
    b" ",
    b"\n",
    b"<!--c-->",
    b"x",
    b' a="1"',
    b' xmlns:z="urn:z"',
    b"&amp;",
    b"&#13;",
    b"<!DOCTYPE r>",
    b"<",
    b">",
    b'"',
    b"=",
    b"<ds:Signature/>",
    b"AAAA",
    b"]]>",
    b"<?pi x?>",
    b'Id="x"',
    b"ds:",
    b"#",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    pki = build(tmp_path_factory.mktemp("pki"))
    certs, _ = load_certificates([pki.certs])
    return pki, CertificateStore(certs)


mutation = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "flip"]),
        st.floats(0, 1),
        st.sampled_from(SNIPPETS),
        st.integers(1, 12),
    ),
    min_size=1,
    max_size=4,
)


def _mutate(data: bytes, ops) -> bytes:
    for op, where, snippet, size in ops:
        at = int(where * len(data))
        if op == "insert":
            data = data[:at] + snippet + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + size :]
        elif at < len(data):
            data = data[:at] + bytes([data[at] ^ (1 << (size % 8))]) + data[at + 1 :]
    return data


def _signxml_accepts(data: bytes, cert: x509.Certificate) -> bool:
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.algorithms import CanonicalizationMethod

    config = SignatureConfiguration(
        verification_time=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        location="./",
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    try:
        XMLVerifier().verify(data, x509_cert=cert, expect_config=config)
    except Exception:
        return False
    return True


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    case=st.sampled_from(
        [
            "clean",
            "clean-network-operator",
            "clean-by-ski",
            "clean-by-certificate",
            "sha1-signature",
            "wrapped-signature",
            "two-signatures",
            "dtd-entities",
        ]
    ),
    ops=mutation,
)
def test_mutated_documents_give_findings_or_pass_never_crash(corpus, case, ops):
    pki, store = corpus
    data = _mutate(pki.request(case).read_bytes(), ops)
    findings, _ = check_document("m.xml", data, store, AS_OF)
    for f in findings:
        assert f.rule in {f"KS00{n}" for n in range(1, 8)} and f.line >= 1


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
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
        ops = [
            (
                rng.choice(["insert", "delete", "flip"]),
                rng.random(),
                rng.choice(SNIPPETS),
                rng.randint(1, 12),
            )
            for _ in range(rng.randint(0, 2))
        ]
        data = _mutate(original, ops)
        findings, signatures = check_document("m.xml", data, store, AS_OF)
        ours = signatures == 1 and not {f.rule for f in findings} & REJECTED
        theirs = _signxml_accepts(data, cert)
        path = tmp_path / f"{i}.xml"
        path.write_bytes(data)
        xmlsec = (
            subprocess.run(
                [xmlsec1, "--verify", "--pubkey-cert-pem", str(cert_path), str(path)],
                capture_output=True,
            ).returncode
            == 0
        )
        if ours and not (theirs and xmlsec):
            disagreements.append((i, ops, ours, theirs, xmlsec))
        if ours != theirs and b"<!DOCTYPE" not in data:
            disagreements.append((i, ops, ours, theirs, xmlsec))
    assert disagreements == []


@pytest.mark.parametrize(
    "case",
    [
        "clean",
        "clean-network-operator",
        "clean-by-certificate",
        "clean-by-ski",
        "signed-with-ds-key",
        "tampered-body",
    ],
)
def test_duis_shaped_signatures_take_the_fast_path(corpus, case):
    from lxml import etree

    from smki.fastpath import check_fast, fast_path_applies
    from smki.signatures import signatures_of

    pki, store = corpus
    tree = etree.parse(str(pki.request(case)))
    (sig,) = signatures_of(tree)
    cert = store.certificates[0]
    assert fast_path_applies(sig, tree.getroot(), cert, PROFILE)
    # and the precompiled DUIS route takes them, without walking the tree
    assert check_fast(tree, tree.getroot(), sig, store, "m.xml", AS_OF, PROFILE) is not None


def test_a_clean_single_file_run_does_not_import_signxml(corpus):
    import subprocess
    import sys

    from tests.conftest import REPO

    pki, _ = corpus
    code = (
        "import sys; from ssc.cli import main; "
        f"rc = main(['smki', 'check-keys', '--certs', {str(pki.certs)!r}, "
        f"{str(pki.request('clean'))!r}]); "
        "print(rc, 'signxml' in sys.modules, 'pydantic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout.split()
    assert out == ["0", "False", "False"]


def _tree_walk(data: bytes, store):
    """``check_document`` without the precompiled DUIS route: the element-by-element checks."""
    from unittest import mock

    from smki import signatures

    with mock.patch.object(signatures, "check_fast", return_value=None):
        return check_document("m.xml", data, store, AS_OF)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    case=st.sampled_from(
        [
            "clean",
            "clean-network-operator",
            "clean-by-ski",
            "clean-by-certificate",
            "signed-with-ds-key",
            "tampered-body",
            "unknown-serial",
            "non-smki-certificate",
            "expired-certificate",
        ]
    ),
    ops=mutation,
    in_signature=st.booleans(),
)
def test_duis_route_gives_exactly_the_findings_of_the_tree_walk(corpus, case, ops, in_signature):
    pki, store = corpus
    data = pki.request(case).read_bytes()
    if in_signature:  # aim the mutations at the signature, where the route's pattern looks
        at = data.index(b"<ds:Signature")
        data = data[:at] + _mutate(data[at:], ops)
    else:
        data = _mutate(data, ops)
    assert check_document("m.xml", data, store, AS_OF) == _tree_walk(data, store)


def _resigned(
    data: bytes,
    party,
    prefix: str | None = "ds",
    attributes: bytes = b"",
    edit=lambda d: d,
    after=lambda d: d,
) -> bytes:
    """The request re-signed after ``edit`` (and the prefix change), then ``after`` applied.

    Re-signing makes the signature value right, so that only the signature's shape decides.
    """
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from lxml import etree

    from smki.signatures import DS

    new = (prefix + ":") if prefix else ""
    xmlns = f' xmlns{":" + prefix if prefix else ""}="{DS}"' if prefix != "ds" else ""
    data = edit(data)
    data = data.replace(b"<ds:Signature", f"<{new}Signature{xmlns}".encode(), 1)
    data = data.replace(b"<ds:SignedInfo>", f"<{new}SignedInfo".encode() + attributes + b">")
    data = data.replace(b"<ds:", f"<{new}".encode()).replace(b"</ds:", f"</{new}".encode())
    tree = etree.fromstring(data).getroottree()
    sig = tree.getroot()[-1]
    signed = etree.tostring(sig[0], method="c14n", exclusive=True, with_comments=False)
    r, s = decode_dss_signature(party.key.sign(signed, ec.ECDSA(hashes.SHA256())))
    sig[1].text = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
    return after(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(
    ("prefix", "attributes"),
    [("ds", b' Id="si-1"'), ("dsig", b""), (None, b""), (None, b' Id="s.1"')],
)
def test_other_prefixes_take_the_duis_route_and_verify(corpus, prefix, attributes):
    from lxml import etree

    pki, store = corpus
    party = pki.parties["xmlsign-supplier"]
    data = _resigned(pki.request("clean").read_bytes(), party, prefix, attributes)
    tree = etree.fromstring(data).getroottree()
    sig = tree.getroot()[-1]
    assert check_fast(tree, tree.getroot(), sig, store, "m.xml", AS_OF, PROFILE) == []
    assert check_document("m.xml", data, store, AS_OF) == ([], 1) == _tree_walk(data, store)
    assert _signxml_accepts(data, party.cert)
    tampered = data.replace(b"<sr:CommandVariant>1<", b"<sr:CommandVariant>2<")
    findings, _ = check_document("m.xml", tampered, store, AS_OF)
    assert [f.rule for f in findings] == ["KS002"]
    assert (findings, 1) == _tree_walk(tampered, store)


def _last_base64_character_bumped(element: bytes):
    """Flip a padding bit of an element's base64 text: same bytes, not XML Schema base64Binary."""
    import re

    def after(data: bytes) -> bytes:
        match = re.search(b"<ds:" + element + b"[^>]*>([^<]*?)(=*)<", data)
        text, padding = match.group(1), match.group(2)
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        last = bytes([alphabet[alphabet.index(text[-1]) ^ 1]])
        return data[: match.start(1)] + text[:-1] + last + padding + data[match.end(2) :]

    return after


#: Signatures signed right but outside the XMLDSig schema, which signxml refuses (so must we),
#: and two inside it. Each: (edit before signing, edit after, whether signxml accepts).
SHAPES = {
    "SignatureValue Id": (
        lambda d: d.replace(b"<ds:SignatureValue>", b'<ds:SignatureValue Id="v">'),
        None,
        True,
    ),
    "spaces in SignatureValue": (
        None,
        lambda d: d.replace(b"<ds:SignatureValue>", b"<ds:SignatureValue>\n  "),
        True,
    ),
    "DigestValue Id": (
        lambda d: d.replace(b"<ds:DigestValue>", b'<ds:DigestValue Id="d">'),
        None,
        False,
    ),
    "X509IssuerName Id": (
        lambda d: d.replace(b"<ds:X509IssuerName>", b'<ds:X509IssuerName Id="n">'),
        None,
        False,
    ),
    "duplicate Id": (
        lambda d: d.replace(b"<ds:Signature>", b'<ds:Signature Id="x">').replace(
            b"<ds:KeyInfo>", b'<ds:KeyInfo Id="x">'
        ),
        None,
        False,
    ),
    "Id not an NCName": (
        lambda d: d.replace(b"<ds:Signature>", b'<ds:Signature Id="1x">'),
        None,
        False,
    ),
    "Reference Type with a space": (
        lambda d: d.replace(b'<ds:Reference URI="">', b'<ds:Reference URI="" Type="a b">'),
        None,
        True,
    ),
    "SignatureValue padding bits": (None, _last_base64_character_bumped(b"SignatureValue"), False),
    "no-break space in SignatureValue": (
        None,
        lambda d: d.replace(b"<ds:SignatureValue>", "<ds:SignatureValue>\u00a0".encode()),
        False,
    ),
    "no-break space between elements": (
        None,
        lambda d: d.replace(b"<ds:SignatureValue>", "\u00a0<ds:SignatureValue>".encode()),
        False,
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_signatures_outside_the_schema_are_refused_as_signxml_refuses_them(corpus, shape):
    pki, store = corpus
    party = pki.parties["xmlsign-supplier"]
    edit, after, signxml_accepts = SHAPES[shape]
    data = _resigned(
        pki.request("clean").read_bytes(),
        party,
        edit=edit or (lambda d: d),
        after=after or (lambda d: d),
    )
    findings, signatures = check_document("m.xml", data, store, AS_OF)
    ours = signatures == 1 and not {f.rule for f in findings} & REJECTED
    assert _signxml_accepts(data, party.cert) is signxml_accepts
    assert ours is signxml_accepts, findings
    assert (findings, signatures) == _tree_walk(data, store)


def test_what_we_accept_in_the_hostile_corpus_signxml_and_xmlsec1_accept(tmp_path):
    """The differential over the hostile corpus: no accept of ours that the references refuse."""
    from lxml import etree

    from smki.certificates import read_store
    from smki.keyinfo import resolve_signing_certificate
    from smki.keysep import check_key_separation
    from testdata.smki_hostile import build as build_hostile

    xmlsec1 = require_tool("xmlsec1")
    root = build_hostile(tmp_path / "hostile")
    accepted = []
    for folder in sorted(root.iterdir()):
        store = CertificateStore(read_store([folder / "store"])[0])
        for doc in sorted((folder / "docs").iterdir()):
            if doc.is_symlink() or not doc.is_file() or doc.stat().st_size > 1_000_000:
                continue
            report = check_key_separation([doc], [folder / "store"], AS_OF, jobs=1)
            rules = {f.rule for f in report.findings if f.path == str(doc)}
            if report.signatures == 0 or rules & REJECTED:
                continue
            tree = etree.parse(str(doc))
            sig = tree.getroot().find("{http://www.w3.org/2000/09/xmldsig#}Signature")
            cert = resolve_signing_certificate(sig, store, str(doc)).certificate
            pem = tmp_path / "signer.pem"
            pem.write_bytes(cert.x509.public_bytes(Encoding.PEM))
            verified = (
                subprocess.run(
                    [xmlsec1, "--verify", "--pubkey-cert-pem", str(pem), str(doc)],
                    capture_output=True,
                ).returncode
                == 0
            )
            accepted.append(
                (folder.name, doc.name, verified, _signxml_accepts(doc.read_bytes(), cert.x509))
            )
    assert len(accepted) >= 10  # the clean cases of every class are here
    assert [a for a in accepted if not (a[2] and a[3])] == []


def test_only_the_empty_default_namespaces_c14n_would_not_write_are_excised():
    from lxml import etree

    from smki.reference import excise_empty_xmlns

    # In a namespace, an element never carries xmlns="": lxml's stray one goes.
    root = etree.fromstring(b'<s:a xmlns:s="urn:s" xmlns="urn:d"><b/><c/></s:a>')
    assert excise_empty_xmlns(b'<b xmlns=""></b>', [root[0]]) == b"<b></b>"
    # In no namespace under a default namespace, it is meaningful and stays; on an apex or
    # under no default namespace, it goes.
    tree = etree.fromstring(b'<a xmlns="urn:d"><b xmlns=""><c></c></b></a>')
    elements = list(tree.iter())
    assert (
        excise_empty_xmlns(b'<a xmlns="urn:d"><b xmlns=""><c xmlns=""></c></b></a>', elements)
        == b'<a xmlns="urn:d"><b xmlns=""><c></c></b></a>'
    )
    assert excise_empty_xmlns(b'<b xmlns=""><c></c></b>', elements[1:]) == b"<b><c></c></b>"
    # Comments and attribute values that look like tags change nothing.
    assert (
        excise_empty_xmlns(
            b'<b x="&lt;c xmlns=&quot;&quot;>"><!-- <c xmlns=""> --></b>', [etree.Element("b")]
        )
        == b'<b x="&lt;c xmlns=&quot;&quot;>"><!-- <c xmlns=""> --></b>'
    )


#: Edits that leave a signature well-formed XML but out of the exact shape (no re-signing needed:
#: the shape is judged before any signature is).
OUT_OF_SHAPE = {
    "comment": (b"<ds:SignedInfo>", b"<ds:SignedInfo><!--c-->"),
    "processing instruction": (b"<ds:SignedInfo>", b"<ds:SignedInfo><?pi x?>"),
    "foreign element": (b"<ds:X509Data>", b'<ds:X509Data><x:y xmlns:x="urn:x"/>'),
    "text in a container": (b"<ds:SignedInfo>", b"<ds:SignedInfo>x"),
    "text after a child": (b"</ds:SignatureValue>", b"</ds:SignatureValue>x"),
    "a child in a text element": (
        b"<ds:DigestValue>",
        b"<ds:DigestValue><ds:X509SKI>AAAA</ds:X509SKI>",
    ),
    "an attribute the schema lacks": (b"<ds:Transforms>", b'<ds:Transforms Id="t">'),
    "an Object": (b"</ds:KeyInfo>", b"</ds:KeyInfo><ds:Object/>"),
}


@pytest.mark.parametrize("edit", sorted(OUT_OF_SHAPE))
def test_has_exact_shape_refuses_each_departure(corpus, edit):
    from lxml import etree

    from smki.document import ds
    from smki.fastpath import has_exact_shape

    pki, _store = corpus
    clean = pki.request("clean").read_bytes()
    old, new = OUT_OF_SHAPE[edit]
    assert old in clean
    for data, expected in ((clean, True), (clean.replace(old, new, 1), False)):
        signature = etree.fromstring(data).find(f".//{ds('Signature')}")
        assert has_exact_shape(signature) is expected, edit
    # Only a Signature is judged; any other XMLDSig element is not of the shape.
    assert has_exact_shape(etree.fromstring(f'<Object xmlns="{ds("")[1:-1]}"/>')) is False
