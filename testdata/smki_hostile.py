"""Build a hostile corpus for ``ssc smki check-keys``: every class of issue 9, with verdicts as data.

Run ``python testdata/smki_hostile.py DEST`` (or call :func:`build`). It builds the test PKI of
``smki_pki.py`` under ``DEST/pki``, then one folder per case under ``DEST/cases/NAME`` holding
``docs/`` (what is checked) and ``store/`` (the ``--certs`` store). :data:`EXPECTED` says, for
each case, the rules the check must report on each file (relative to the case folder): no
more, no fewer. Certificates are made with cryptography and, where cryptography would refuse to
make them (NULL parameters, a duplicated extension, a NULL CN, an id-ecDH key), edited at the
DER level with asn1crypto and re-signed by the test CA.
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from testdata.smki_pki import (
    DS,
    Party,
    TestPki,
    _certificate,
    _key,
    _org_name,
    request,
    sign_request,
)
from testdata.smki_pki import build as build_pki

#: Case -> file (relative to the case folder) -> the rules reported on it. Files not named
#: must have no finding.
EXPECTED: dict[str, dict[str, set[str]]] = {
    # 1. Trust from the store only.
    "carried-self-made-xmlsign": {"docs/request.xml": {"KS003"}},
    "carried-ds-issued-by-store-ca": {"docs/request.xml": {"KS001", "KS006"}},
    "carried-xmlsign-issued-by-store-ca": {},
    "carried-forged-issuer-name": {"docs/request.xml": {"KS003"}},
    "carried-chain-ca-first": {},
    # 2. Unparseable store certificates still count for KS001 (and are KS008).
    "store-null-parameters": {
        "store/supplier-ds-null.pem": {"KS008"},
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ds.pem": {"KS001"},
    },
    "store-id-ecdh-ka-key": {
        "store/supplier-ka-ecdh.pem": {"KS008"},
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ka.pem": {"KS001"},
    },
    "store-duplicated-extension": {
        "store/supplier-ds-dup.pem": {"KS008"},
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ds.pem": {"KS001"},
    },
    "store-null-cn": {
        "store/supplier-ds-null-cn.pem": {"KS008"},
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ds.pem": {"KS001"},
    },
    "store-pem-block-missing-end": {
        "store/bundle.pem": {"KS008"},
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ds.pem": {"KS001"},
    },
    "store-compressed-point": {
        "docs/request.xml": {"KS001"},
        "store/xmlsign-over-ds.pem": {"KS001"},
    },
    # 3. Unsigned, or signed in a near-miss namespace.
    "unsigned": {"docs/request.xml": {"KS004"}},
    "near-miss-namespace": {"docs/request.xml": {"KS004"}},
    # 4. Keys outside the profile.
    "p384-key": {"docs/request.xml": {"KS004"}},
    "secp256k1-key": {"docs/request.xml": {"KS004"}},
    "rsa-key": {"docs/request.xml": {"KS002", "KS004"}},
    # 5. Special files: each a finding, the rest checked.
    "special-files": {
        "docs/dangling.xml": {"KS005"},
        "docs/loop.xml": {"KS005"},
        "docs/fifo.xml": {"KS005"},
        "docs/socket.xml": {"KS005"},
        "docs/tampered.xml": {"KS002"},
    },
    "oversized-document": {"docs/huge.xml": {"KS005"}, "docs/tampered.xml": {"KS002"}},
    "store-duplicated-extension-carried": {"docs/request.xml": {"KS003"}},
    # 6. Many signatures: KS004, linear.
    "many-signatures": {"docs/request.xml": {"KS002", "KS004"}},
    # 7. Hostile text: one escaped line per finding.
    "forged-finding-in-ski": {"docs/request.xml": {"KS003"}},
    "forged-finding-in-transform": {"docs/request.xml": {"KS002", "KS004"}},
    # 8. DTD decided by the parser.
    "entity-in-comment": {},
    "entity-in-text": {},
    "doctype-no-entities": {"docs/request.xml": {"KS005"}},
    "external-entity": {"docs/request.xml": {"KS005"}},
    # 9. RFC 4514 issuer names.
    "issuer-lowercase-keywords": {},
    "issuer-spaces-around-equals": {},
    "issuer-quoted-values": {},
    "issuer-hex-value": {},
    "issuer-oid-keywords": {},
    # 10. Carried chain: the signer is the leaf.
    "chain-leaf-last-not-in-store": {},
    # 11. Hints and suffixes.
    "decimal-ou-dspxmlsign": {"docs/request.xml": {"KS006"}},
    "unicode-digit-ou": {"docs/request.xml": {"KS006"}},
    "utf16-without-suffix": {},
    "utf8-bom": {},
    # Wrapping and KeyInfo confusion.
    "wrapped-in-object": {"docs/request.xml": {"KS002", "KS004"}},
    "signature-moved-into-body": {"docs/request.xml": {"KS004"}},
    "keyinfo-names-two-certificates": {"docs/request.xml": {"KS004"}},
    "keyinfo-serial-of-other-certificate": {"docs/request.xml": {"KS002"}},
    "reference-to-id": {"docs/request.xml": {"KS002", "KS004"}},
    "dcc-response-profile": {},
}


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _pem(der: bytes) -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _elements(data: bytes) -> list[bytes]:
    """The DER elements of a SEQUENCE's content, each whole (tag, length, content)."""
    out, at = [], 0
    while at < len(data):
        length = data[at + 1]
        start = at + 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[start : start + count], "big")
            start += count
        out.append(data[at : start + length])
        at = start + length
    return out


def _content(element: bytes) -> bytes:
    return element[2 + (element[1] & 0x7F if element[1] & 0x80 else 0) :]


#: Fields of a v3 TBSCertificate, by index.
_SIGNATURE, _SUBJECT, _SPKI, _EXTENSIONS = 2, 5, 6, 7
_ECDSA_SHA256 = bytes.fromhex("300a06082a8648ce3d040302")
_ECDSA_SHA256_NULL = bytes.fromhex("300c06082a8648ce3d0403020500")


def _resign(
    der: bytes, issuer: Party, edit: Callable[[list[bytes]], None], algorithm: bytes = _ECDSA_SHA256
) -> bytes:
    """A certificate with TBSCertificate fields edited as raw DER, signed again by ``issuer``."""
    tbs = _elements(_content(der))[0]
    fields = _elements(_content(tbs))
    edit(fields)
    fields[_SIGNATURE] = algorithm
    new_tbs = _tlv(0x30, b"".join(fields))
    signature = issuer.key.sign(new_tbs, ec.ECDSA(hashes.SHA256()))
    return _tlv(0x30, new_tbs + algorithm + _tlv(0x03, b"\x00" + signature))


def _null_parameters(der: bytes, issuer: Party) -> bytes:
    return _resign(der, issuer, lambda fields: None, _ECDSA_SHA256_NULL)


def _duplicate_extension(fields: list[bytes]) -> None:
    listed = _elements(_content(_content(fields[_EXTENSIONS])))  # [3] { SEQUENCE OF Extension }
    twice = _tlv(0x30, b"".join(listed + listed[:1]))
    fields[_EXTENSIONS] = _tlv(0xA3, twice)


def _null_cn(fields: list[bytes]) -> None:
    null_cn = _tlv(0x31, _tlv(0x30, bytes.fromhex("0603550403") + b"\x05\x00"))
    fields[_SUBJECT] = _tlv(0x30, _content(fields[_SUBJECT]) + null_cn)


def _point(fields: list[bytes]) -> bytes:
    _, bits = _elements(_content(fields[_SPKI]))
    return _content(bits)[1:]


def _ecdh_key(fields: list[bytes]) -> None:
    point = _point(fields)
    algorithm = bytes.fromhex("301106052b8104010c06082a8648ce3d030107")  # id-ecDH, P-256
    fields[_SPKI] = _tlv(0x30, algorithm + _tlv(0x03, b"\x00" + point))


def _compressed_point(fields: list[bytes]) -> None:
    point = _point(fields)
    compressed = bytes([2 + (point[-1] & 1)]) + point[1:33]
    algorithm = _elements(_content(fields[_SPKI]))[0]
    fields[_SPKI] = _tlv(0x30, algorithm + _tlv(0x03, b"\x00" + compressed))


def _org(
    pki: TestPki,
    name: str,
    role: int,
    usage: str,
    key=None,
    issuer: Party | None = None,
    eui: str = "90-B3-D5-1F-30-01-00-00",
    cn: str | None = None,
) -> Party:
    key = key or _key()
    return Party(name, key, _certificate(_org_name(role, eui, cn), key, issuer or pki.ca, usage))


def _sign(party: Party, xml: bytes | None = None, **kw) -> bytes:
    return sign_request(xml or request(), party.key, party.cert, **kw)


class _Case:
    def __init__(self, root: Path, name: str) -> None:
        self.dir = root / name
        (self.dir / "docs").mkdir(parents=True)
        (self.dir / "store").mkdir()

    def doc(self, name: str, data: bytes) -> Path:
        path = self.dir / "docs" / name
        path.write_bytes(data)
        return path

    def store(self, name: str, data: bytes) -> Path:
        path = self.dir / "store" / name
        path.write_bytes(data)
        return path

    def store_pem(self, name: str, cert: x509.Certificate | bytes) -> Path:
        return self.store(name, _pem(cert if isinstance(cert, bytes) else _der(cert)))


def _with_signature(signed: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    return edit(signed)


def build(dest: Path) -> Path:
    """Write the corpus under ``dest/cases``; return that folder."""
    dest = Path(dest)
    pki = build_pki(dest / "pki")
    root = dest / "cases"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    ca = pki.ca
    supplier_ds = pki.parties["supplier-ds"]
    xmlsign = pki.parties["xmlsign-supplier"]
    clean = pki.request("clean").read_bytes()

    def case(name: str, *, ca_only: bool = False) -> _Case:
        made = _Case(root, name)
        made.store_pem("organisation-ca.pem", ca.cert)
        if not ca_only:
            made.store_pem("xmlsign-supplier.pem", xmlsign.cert)
        return made

    # 1. Trust from the store only.
    rogue_ca_key = _key()
    rogue_ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "07"),
            x509.NameAttribute(NameOID.COMMON_NAME, "T1"),
        ]
    )
    rogue_ca = Party(
        "rogue-ca", rogue_ca_key, _certificate(rogue_ca_name, rogue_ca_key, None, "CA", ca=True)
    )
    self_made = _org(
        pki,
        "self-made",
        0x87,
        "DS",
        issuer=Party(
            "x",
            _key(),
            _certificate(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unknown CA")]),
                _key(),
                None,
                "CA",
                ca=True,
            ),
        ),
    )
    c = case("carried-self-made-xmlsign")
    c.doc("request.xml", _sign(self_made, key_info="certificate"))
    c = case("carried-ds-issued-by-store-ca")
    c.doc("request.xml", _sign(supplier_ds, key_info="certificate"))
    c = case("carried-xmlsign-issued-by-store-ca")
    fresh = _org(pki, "fresh-xmlsign", 0x87, "DS")
    c.doc("request.xml", _sign(fresh, key_info="certificate"))
    c = case("carried-forged-issuer-name")
    forged = _org(pki, "forged", 0x87, "DS", issuer=rogue_ca)  # same issuer name, other key
    c.doc("request.xml", _sign(forged, key_info="certificate"))
    c = case("carried-chain-ca-first")
    chain_leaf = _org(pki, "chain-leaf", 0x87, "DS")
    signed = _sign(chain_leaf, key_info="certificate")
    ca_b64 = base64.b64encode(_der(ca.cert))
    c.doc(
        "request.xml",
        signed.replace(
            b"<ds:X509Certificate>",
            b"<ds:X509Certificate>" + ca_b64 + b"</ds:X509Certificate><ds:X509Certificate>",
        ),
    )

    # 2. Store certificates cryptography refuses: their keys still count.
    for name, edit, file in (
        ("store-null-parameters", lambda d: _null_parameters(d, ca), "supplier-ds-null.pem"),
        (
            "store-duplicated-extension",
            lambda d: _resign(d, ca, _duplicate_extension),
            "supplier-ds-dup.pem",
        ),
        ("store-null-cn", lambda d: _resign(d, ca, _null_cn), "supplier-ds-null-cn.pem"),
    ):
        c = case(name)
        c.store_pem(file, edit(_der(supplier_ds.cert)))
        over = _org(pki, "xmlsign-over-ds", 0x87, "DS", key=supplier_ds.key)
        c.store_pem("xmlsign-over-ds.pem", over.cert)
        c.doc("request.xml", _sign(over))
    c = case("store-id-ecdh-ka-key")
    ka_key = _key()
    ka = _org(pki, "supplier-ka", 0x02, "KA", key=ka_key)
    c.store_pem("supplier-ka-ecdh.pem", _resign(_der(ka.cert), ca, _ecdh_key))
    over = _org(pki, "xmlsign-over-ka", 0x87, "DS", key=ka_key)
    c.store_pem("xmlsign-over-ka.pem", over.cert)
    c.doc("request.xml", _sign(over))
    c = case("store-compressed-point")
    c.store("supplier-ds-compressed.der", _resign(_der(supplier_ds.cert), ca, _compressed_point))
    over = _org(pki, "xmlsign-over-ds", 0x87, "DS", key=supplier_ds.key)
    c.store_pem("xmlsign-over-ds.pem", over.cert)
    c.doc("request.xml", _sign(over))
    c = case("store-pem-block-missing-end")
    unrelated = _pem(_der(pki.parties["other-user-ds"].cert)).replace(
        b"-----END CERTIFICATE-----\n", b""
    )
    c.store("bundle.pem", unrelated + _pem(_der(supplier_ds.cert)))
    over = _org(pki, "xmlsign-over-ds", 0x87, "DS", key=supplier_ds.key)
    c.store_pem("xmlsign-over-ds.pem", over.cert)
    c.doc("request.xml", _sign(over))
    c = case("store-duplicated-extension-carried")
    dup = _resign(_der(fresh.cert), ca, _duplicate_extension)
    signed = _sign(fresh, key_info="certificate")
    old = base64.b64encode(_der(fresh.cert))
    c.doc("request.xml", signed.replace(old, base64.b64encode(dup)))

    # 3. Unsigned; signed in a near-miss namespace.
    case("unsigned").doc("request.xml", request())
    near = clean.replace(
        b'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
        b'xmlns:ds="http://www.w3.org/2000/09/xmldsig"',
    )
    case("near-miss-namespace").doc("request.xml", near)

    # 4. Keys outside the profile (each certificate in the store, signed with its key).
    for name, key in (
        ("p384-key", ec.generate_private_key(ec.SECP384R1())),
        ("secp256k1-key", ec.generate_private_key(ec.SECP256K1())),
    ):
        party = _org(pki, name, 0x87, "DS", key=key)
        c = case(name)
        c.store_pem(f"{name}.pem", party.cert)
        c.doc("request.xml", _sign(party))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_party = _org(pki, "rsa", 0x87, "DS", key=rsa_key)
    c = case("rsa-key")
    c.store_pem("rsa.pem", rsa_party.cert)
    c.doc(
        "request.xml",
        _sign(xmlsign).replace(  # KeyInfo names the RSA certificate
            str(xmlsign.cert.serial_number).encode(), str(rsa_party.cert.serial_number).encode()
        ),
    )

    # 5. Special files, and a document over the size limit.
    tampered = clean.replace(
        b"ReadInstantaneousImportRegisters", b"ReadInstantaneousExportRegisters"
    )
    c = case("special-files")
    c.doc("tampered.xml", tampered)
    docs = c.dir / "docs"
    os.symlink(docs / "nowhere.xml", docs / "dangling.xml")
    os.symlink(docs / "loop.xml", docs / "loop.xml")
    os.mkfifo(docs / "fifo.xml")
    listener = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(docs)  # a relative name: socket paths are limited to ~100 bytes
    try:
        listener.bind("socket.xml")
    finally:
        os.chdir(here)
        listener.close()
    c = case("oversized-document")
    c.doc("tampered.xml", tampered)
    with open(c.dir / "docs" / "huge.xml", "wb") as handle:
        handle.write(b"<r>")
        handle.truncate(10_485_760 + 1)  # sparse: over the limit without using the disk

    # 6. Many signatures.
    signature = clean[clean.index(b"<ds:Signature") : clean.index(b"</ds:Signature>") + 15]
    many = clean.replace(b"</sr:Request>", signature * 200 + b"</sr:Request>")
    case("many-signatures").doc("request.xml", many)

    # 7. Document text that would forge a finding line if printed raw.
    forged_line = "\nrequests/clean.xml:1: KS000 all clear\u202e"
    signed = _sign(xmlsign, key_info="ski")
    at = signed.index(b"<ds:X509SKI>") + len(b"<ds:X509SKI>")
    end = signed.index(b"</ds:X509SKI>")
    case("forged-finding-in-ski").doc(
        "request.xml", signed[:at] + b"AAAA" + forged_line.encode() + signed[end:]
    )
    case("forged-finding-in-transform").doc(
        "request.xml",
        clean.replace(
            b'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"',
            b'Algorithm="x&#10;requests/clean.xml:1: KS000 all clear"',
        ),
    )

    # 8. DTD decided by the parser, not by a byte search.
    case("entity-in-comment").doc(
        "request.xml",
        _sign(
            xmlsign,
            request().replace(b"<sr:Header>", b"<!-- no <!ENTITY or <!DOCTYPE here --><sr:Header>"),
        ),
    )
    case("entity-in-text").doc(
        "request.xml",
        _sign(
            xmlsign,
            request().replace(b"<sr:CommandVariant>1", b"<sr:CommandVariant>&lt;!ENTITY x&gt; 1"),
        ),
    )
    case("doctype-no-entities").doc(
        "request.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE sr:Request>\n' + clean.split(b"?>", 1)[1].lstrip(),
    )
    case("external-entity").doc(
        "request.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x '
        b'SYSTEM "file:///etc/passwd">]>\n<r>&x;</r>\n',
    )

    # 9. X509IssuerName in the RFC 4514 forms tools write.
    for name, issuer in (
        ("issuer-lowercase-keywords", "cn=T1,ou=07"),
        ("issuer-spaces-around-equals", "CN = T1 , OU = 07"),
        ("issuer-quoted-values", 'CN="T1",OU="07"'),
        ("issuer-hex-value", "CN=#0c025431,OU=07"),
        ("issuer-oid-keywords", "2.5.4.3=T1,OID.2.5.4.11=07"),
    ):
        case(name).doc("request.xml", _sign(xmlsign, issuer_name=issuer))

    # 10. A carried chain, leaf last, leaf not in the store.
    c = case("chain-leaf-last-not-in-store")
    signed = _sign(fresh, key_info="certificate")
    c.doc(
        "request.xml",
        signed.replace(
            b"<ds:X509Certificate>",
            b"<ds:X509Certificate>" + ca_b64 + b"</ds:X509Certificate><ds:X509Certificate>",
        ),
    )

    # 11. Decimal OU (older DspXmlSign form); UTF-16 named without .xml; a UTF-8 BOM.
    decimal_key = _key()
    decimal = Party(
        "decimal",
        decimal_key,
        _certificate(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "137"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "DSP"),
                ]
            ),
            decimal_key,
            ca,
            "DS",
        ),
    )
    c = case("decimal-ou-dspxmlsign")
    c.store_pem("decimal.pem", decimal.cert)
    c.doc("request.xml", _sign(decimal))
    superscript_key = _key()
    superscript = Party(
        "superscript",
        superscript_key,
        _certificate(
            x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "\u00b2")]),
            superscript_key,
            ca,
            "DS",
        ),
    )
    c = case("unicode-digit-ou")  # a digit to str.isdigit, not to int()
    c.store_pem("superscript.pem", superscript.cert)
    c.doc("request.xml", _sign(superscript))
    utf16 = clean.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
    case("utf16-without-suffix").doc("request", utf16)
    case("utf8-bom").doc("request.xml", b"\xef\xbb\xbf" + clean)

    # Wrapping and KeyInfo confusion.
    case("wrapped-in-object").doc("request.xml", pki.request("wrapped-signature").read_bytes())
    tree = etree.fromstring(clean)
    sig = tree.find(f"{{{DS}}}Signature")
    tree.find("{http://www.dccinterface.co.uk/ServiceUserGateway}Body").append(sig)
    case("signature-moved-into-body").doc("request.xml", etree.tostring(tree))
    c = case("keyinfo-names-two-certificates")
    c.store_pem("supplier-ds.pem", supplier_ds.cert)
    signed = _sign(xmlsign)
    c.doc(
        "request.xml",
        signed.replace(
            b"</ds:X509Data>",
            b"<ds:X509Certificate>"
            + base64.b64encode(_der(supplier_ds.cert))
            + b"</ds:X509Certificate></ds:X509Data>",
        ),
    )
    c = case("keyinfo-serial-of-other-certificate")
    c.store_pem("xmlsign-network-operator.pem", pki.parties["xmlsign-network-operator"].cert)
    c.doc(
        "request.xml",
        _sign(xmlsign, serial=pki.parties["xmlsign-network-operator"].cert.serial_number),
    )
    case("reference-to-id").doc(
        "request.xml",
        _sign(xmlsign, request().replace(b"<sr:Body>", b'<sr:Body Id="b">'), reference_uri="#b"),
    )
    c = case("dcc-response-profile")
    response = request().replace(b"sr:Request", b"sr:Response")
    c.doc("response.xml", _sign(xmlsign, response))
    assert {p.name for p in root.iterdir()} == set(EXPECTED), set(EXPECTED) ^ {
        p.name for p in root.iterdir()
    }
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    print(build(parser.parse_args().dest))


if __name__ == "__main__":
    main()
