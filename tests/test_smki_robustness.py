"""No input crashes, hangs or hides another file's findings; cost stays linear.

Certificates mutated at the DER level (Hypothesis) never crash the store and never lose the key
of a certificate whose SubjectPublicKeyInfo is intact; special files are findings; many
signatures, many PEM blocks and worker processes keep every verdict.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smki.certificates import load_certificate_bytes, read_store
from smki.keysep import PARALLEL_THRESHOLD, check_key_separation
from testdata.smki_hostile import _content, _elements, _tlv
from testdata.smki_pki import AS_OF, build
from tests.conftest import DCCBOXED


def _real_certificates() -> list[bytes]:
    """DER of the DCC Boxed test PKI (every certificate of its key store), else generated ones."""
    ders = []
    if DCCBOXED.is_dir():

        def walk(node):
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, str) and "BEGIN CERTIFICATE" in node:
                ders.append(base64.b64decode("".join(node.split("-----")[2].split())))

        walk(json.loads((DCCBOXED / "keystore.json").read_text()))
    return ders


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def certificates(pki) -> list[bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    generated = [
        x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(Encoding.DER)
        for p in sorted(pki.certs.glob("*.pem"))
    ]
    return _real_certificates() + generated


def _key_of(der: bytes) -> str:
    certs, _ = load_certificate_bytes(der, "x.der")
    (cert,) = certs
    return cert.spki_sha256


def _with_field(der: bytes, index: int, content: bytes, tag: int | None) -> bytes:
    """``der`` with TBSCertificate field ``index`` replaced (structure re-encoded, not re-signed)."""
    parts = _elements(_content(der))
    fields = _elements(_content(parts[0]))
    old = fields[index]
    fields[index] = _tlv(old[0] if tag is None else tag, content)
    return _tlv(0x30, _tlv(0x30, b"".join(fields)) + b"".join(parts[1:]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_fields_never_crash_and_never_lose_an_intact_key(certificates, data):
    der = data.draw(st.sampled_from(certificates))
    fields = _elements(_content(_elements(_content(der))[0]))
    spki_index = 6 if fields[0][0] == 0xA0 else 5
    index = data.draw(st.sampled_from([i for i in range(len(fields)) if i != spki_index]))
    content = data.draw(
        st.binary(max_size=80)
        | st.sampled_from(
            [
                b"",
                b"\x05\x00",
                b"\x00" * 40,
                _content(fields[index]) * 2,
                _content(fields[index])[:-1],
            ]
        )
    )
    tag = data.draw(st.none() | st.sampled_from([0x05, 0x30, 0x31, 0x0C, 0x04, 0xA3]))
    mutated = _with_field(der, index, content, tag)
    for form in (
        mutated,
        b"-----BEGIN CERTIFICATE-----\n"
        + base64.encodebytes(mutated)
        + b"-----END CERTIFICATE-----\n",
    ):
        certs, problems = load_certificate_bytes(form, "m.pem")
        assert [c.spki_sha256 for c in certs] == [_key_of(der)], problems
        for p in problems:
            assert p.message.isprintable()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_byte_mutation_is_a_certificate_or_a_problem_never_a_crash(certificates, data):
    der = bytearray(data.draw(st.sampled_from(certificates)))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(der) - 1))
        der[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(der)))
    certs, problems = load_certificate_bytes(bytes(der[:cut]), "m.der")
    assert certs or problems


def test_a_bundle_with_a_broken_block_loses_that_block_only(pki, tmp_path):
    pems = [p.read_bytes() for p in sorted(pki.certs.glob("*.pem"))]
    broken = pems[0].replace(b"-----END CERTIFICATE-----", b"")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"".join(pems[1:3]) + broken + b"".join(pems[3:]))
    certs, problems = read_store([bundle])
    assert len(certs) == len(pems) - 1
    assert [p.line for p in problems] == [1 + sum(p.count(b"\n") for p in pems[1:3])]
    assert "no END line" in problems[0].message


def _budget(seconds: float, started: float) -> None:
    assert time.perf_counter() - started < seconds


def test_ten_thousand_pem_blocks_load_in_linear_time(pki, tmp_path):
    pem = (pki.certs / "supplier-ds.pem").read_bytes()
    bundle = tmp_path / "many.pem"
    bundle.write_bytes(pem * 10_000)
    started = time.perf_counter()
    certs, problems = read_store([bundle])
    _budget(60, started)  # quadratic line counting took minutes here
    assert len(certs) == 10_000 and problems == []
    assert certs[-1].line == 1 + 9_999 * pem.count(b"\n")


def test_thousands_of_signatures_are_ks004_in_linear_time(pki, tmp_path):
    clean = pki.request("clean").read_bytes()
    signature = clean[clean.index(b"<ds:Signature") : clean.index(b"</ds:Signature>") + 15]
    document = tmp_path / "many.xml"
    document.write_bytes(clean.replace(b"</sr:Request>", signature * 3_200 + b"</sr:Request>"))
    started = time.perf_counter()
    report = check_key_separation([document], [pki.certs], AS_OF, jobs=1)
    _budget(30, started)  # one deep copy per signature took minutes here
    rules = [f.rule for f in report.findings]
    assert "KS004" in rules and report.signatures == 3_201
    assert "3201 signatures where 1 is expected" in next(
        f.message for f in report.findings if f.rule == "KS004"
    )


def test_special_files_are_findings_and_the_rest_is_checked(pki, tmp_path, ssc):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "tampered.xml").write_bytes(pki.request("tampered-body").read_bytes())
    os.mkfifo(folder / "fifo.xml")
    os.symlink(folder / "gone.xml", folder / "dangling.xml")
    os.symlink(folder / "loop.xml", folder / "loop.xml")
    os.symlink(folder, folder / "self")  # a directory loop: not followed
    started = time.perf_counter()
    result = ssc(
        "smki",
        "check-keys",
        "--certs",
        str(pki.certs),
        str(folder),
        str(folder / "fifo.xml"),
        as_of=AS_OF,
    )
    _budget(30, started)  # a FIFO opened for reading would block for ever
    assert result.status == 1
    by_file = {}
    for line in result.stdout.splitlines():
        path, _, rest = line.partition(":")
        by_file.setdefault(Path(path).name, set()).add(rest.split()[1])
    assert by_file == {
        "tampered.xml": {"KS002"},
        "fifo.xml": {"KS005"},
        "dangling.xml": {"KS005"},
        "loop.xml": {"KS005"},
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_permission_is_a_finding(pki, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(pki.request("clean").read_bytes())
    secret.chmod(0)
    report = check_key_separation([secret, pki.request("tampered-body")], [pki.certs], AS_OF)
    assert {(Path(f.path).name, f.rule) for f in report.findings} == {
        ("secret.xml", "KS005"),
        ("tampered-body.xml", "KS002"),
    }
    assert (
        "permission denied" in report.findings[0].message
        or "permission denied" in report.findings[1].message
    )


def test_a_file_named_on_the_command_line_is_checked_whatever_its_suffix(pki, tmp_path, ssc):
    clean = pki.request("clean").read_bytes()
    utf16 = tmp_path / "request.txt"
    utf16.write_bytes(
        clean.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
    )
    notes = tmp_path / "NOTES"
    notes.write_text("not a request\n")
    result = ssc(
        "smki", "check-keys", "--certs", str(pki.certs), str(utf16), str(notes), as_of=AS_OF
    )
    assert result.stdout.splitlines() == [
        f"{notes}:1: KS005 not well-formed XML: "
        + result.stdout.split("not well-formed XML: ", 1)[1].rstrip("\n")
    ]
    assert "2 document(s), 1 signature(s)" in result.stderr


def test_worker_processes_keep_every_verdict_of_a_hostile_mix(pki, tmp_path):
    from testdata.smki_hostile import build as build_hostile

    cases = build_hostile(tmp_path / "hostile")
    corpus = tmp_path / "mix"
    corpus.mkdir()
    sources = [
        p
        for p in sorted(cases.glob("*/docs/*"))
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 1_000_000
    ]
    for i in range(PARALLEL_THRESHOLD + 50):
        source = sources[i % len(sources)]
        (corpus / f"{i:04d}-{source.name}").write_bytes(source.read_bytes())
    os.mkfifo(corpus / "0000-fifo.xml")
    store = [pki.certs, cases / "store-duplicated-extension" / "store"]
    serial = check_key_separation([corpus], store, AS_OF, jobs=1)
    parallel = check_key_separation([corpus], store, AS_OF, jobs=2)
    assert serial.findings == parallel.findings
    assert {f.rule for f in parallel.findings} >= {"KS002", "KS003", "KS004", "KS005", "KS008"}


def test_an_extension_that_cannot_be_read_is_named_and_the_others_still_read():
    """A keyUsage whose value is an ASN.1 NULL (signed, so only its reading fails): the
    certificate is kept with its key and SKI, its problem names keyUsage; an extension SMKI does
    not read is listed, never read."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtensionOID, NameOID, ObjectIdentifier

    from smki import der
    from smki.certificates import read_certificate
    from smki.policy import shipped_policy

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Z1")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2030, 1, 1))
        .add_extension(
            x509.UnrecognizedExtension(ExtensionOID.KEY_USAGE, b"\x05\x00"), critical=True
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.UnrecognizedExtension(ObjectIdentifier("1.2.3.4"), b"\x05\x00"), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    data = certificate.public_bytes(serialization.Encoding.DER)
    facts = der.read_certificate(data)
    assert facts.unreadable == ["keyUsage"] and facts.key_usage is None
    assert facts.subject_key_identifier == ski.digest
    assert facts.extension_oids == ("2.5.29.15", "2.5.29.14", "1.2.3.4")
    cert, problem = read_certificate(data, "z1.der", 1, shipped_policy())
    assert cert is not None and cert.subject_key_identifier == ski.digest
    assert problem == "these fields cannot be read: keyUsage"
