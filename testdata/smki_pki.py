"""Build a ZAZ1-like test SMKI PKI and signed DUIS requests covering every key-separation rule.

Run ``python testdata/smki_pki.py DEST`` (or call :func:`build`): it writes ``DEST/certs``
(the store), ``DEST/keys`` (PKCS#8 DER, as DCC Boxed ships them), ``DEST/reused`` (an XmlSign
certificate issued over a supplier's DS key), ``DEST/broken`` (a certificate file that does not
parse) and ``DEST/requests`` (one signed request per case; see ``CASES``). Keys are generated
fresh on every run: they protect nothing.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
SR = "http://www.dccinterface.co.uk/ServiceUserGateway"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = DS + "enveloped-signature"
ECDSA = {
    "sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "sha1": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
}
DIGEST = {
    "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
}
SMKI_POLICY = x509.ObjectIdentifier("1.2.826.0.1.8641679.1.2.1.4")
X500_UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2118, 1, 1, tzinfo=dt.UTC)
#: A date inside every certificate's validity except the expired one's.
AS_OF = dt.date(2026, 6, 1)

REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<sr:Request xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" schemaVersion="5.0">
  <sr:Header>
    <sr:RequestID>{originator}:00-DB-12-34-56-78-90-A0:{counter}</sr:RequestID>
    <sr:CommandVariant>1</sr:CommandVariant>
    <sr:ServiceReference>4.1</sr:ServiceReference>
    <sr:ServiceReferenceVariant>4.1.1</sr:ServiceReferenceVariant>
  </sr:Header>
  <sr:Body>
    <sr:ReadInstantaneousImportRegisters/>
  </sr:Body>
</sr:Request>
"""

#: Case name -> the rules `ssc smki check-keys` must report for it (store: DEST/certs).
CASES: dict[str, frozenset[str]] = {
    "clean": frozenset(),
    "clean-network-operator": frozenset(),
    "clean-by-certificate": frozenset(),
    "clean-by-ski": frozenset(),
    "signed-with-ds-key": frozenset({"KS001", "KS006"}),
    "reused-key": frozenset({"KS001"}),  # needs DEST/reused in the store
    "tampered-body": frozenset({"KS002"}),
    "unknown-serial": frozenset({"KS003"}),
    "two-signatures": frozenset({"KS002", "KS004"}),
    "wrapped-signature": frozenset({"KS002", "KS004"}),
    "sha1-signature": frozenset({"KS004"}),
    "dtd-entities": frozenset({"KS005"}),
    "not-well-formed": frozenset({"KS005"}),
    "non-smki-certificate": frozenset({"KS006"}),
    "expired-certificate": frozenset({"KS007"}),
}


@dataclass
class Party:
    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _eui_bits(eui: str) -> bytes:
    # A BIT STRING value as cryptography takes it: the unused-bits octet, then the bits.
    return b"\x00" + bytes.fromhex(eui.replace("-", ""))


def _certificate(
    subject: x509.Name,
    key,
    issuer: Party | None,
    usage: str,
    *,
    start=START,
    end=END,
    ca=False,
    smki=True,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.KeyUsage(
                digital_signature=usage == "DS",
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=usage == "KA",
                key_cert_sign=ca,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier(_key_id(key)), critical=False)
    )
    if smki:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(SMKI_POLICY, None)]), critical=True
        )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        )
    signer = issuer.key if issuer else key
    return builder.sign(signer, hashes.SHA256())


def _key_id(key) -> bytes:
    """An 8-octet subject key identifier (SHA-1 of the EC point, or of the SPKI for other keys)."""
    public = key.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        data = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    else:
        data = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return hashlib.sha1(data).digest()[:8]


def _org_name(role: int, eui: str, cn: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{role:02X}"),
        x509.NameAttribute(
            X500_UNIQUE_IDENTIFIER, _eui_bits(eui), _type=x509.name._ASN1Type.BitString
        ),
    ]
    if cn:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def sign_request(
    xml: bytes,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    *,
    key_info: str = "issuer-serial",
    algorithm: str = "sha256",
    serial: int | None = None,
    issuer_name: str | None = None,
    reference_uri: str = "",
    exclusive_reference: bool = False,
) -> bytes:
    """Sign a request in the DUIS profile (as another implementation would) and return it.

    ``key_info`` is ``issuer-serial`` (as DUIS does), ``certificate`` or ``ski``. The digest is
    over inclusive C14N of the document unless ``exclusive_reference`` adds the explicit
    exclusive C14N transform.
    """
    root = etree.fromstring(xml)
    tree = root.getroottree()
    digest = hashlib.new(algorithm)
    if reference_uri:
        target = root.xpath("//*[@Id=$id]", id=reference_uri[1:])[0]
        digest.update(etree.tostring(target, method="c14n", exclusive=True, with_comments=False))
    else:
        digest.update(
            etree.tostring(tree, method="c14n", exclusive=exclusive_reference, with_comments=False)
        )
    sig = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
    signed_info = etree.SubElement(sig, f"{{{DS}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=ECDSA[algorithm])
    reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", URI=reference_uri)
    transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
    if not reference_uri:
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=ENVELOPED)
    if exclusive_reference or reference_uri:
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=EXC_C14N)
    etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=DIGEST[algorithm])
    etree.SubElement(reference, f"{{{DS}}}DigestValue").text = base64.b64encode(
        digest.digest()
    ).decode()
    value = etree.SubElement(sig, f"{{{DS}}}SignatureValue")
    data = etree.SubElement(etree.SubElement(sig, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
    if key_info == "issuer-serial":
        issuer_serial = etree.SubElement(data, f"{{{DS}}}X509IssuerSerial")
        # Written in the other order from the certificate's issuer, as DCC tools do.
        name = issuer_name or ", ".join(a.rfc4514_string() for a in cert.issuer.rdns)
        etree.SubElement(issuer_serial, f"{{{DS}}}X509IssuerName").text = name
        etree.SubElement(issuer_serial, f"{{{DS}}}X509SerialNumber").text = str(
            serial if serial is not None else cert.serial_number
        )
    elif key_info == "ski":
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        etree.SubElement(data, f"{{{DS}}}X509SKI").text = base64.b64encode(ski).decode()
    else:
        etree.SubElement(data, f"{{{DS}}}X509Certificate").text = base64.b64encode(
            cert.public_bytes(serialization.Encoding.DER)
        ).decode()
    signed = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
    r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(_hash(algorithm))))
    size = (key.curve.key_size + 7) // 8  # XMLDSig ECDSA: r || s, each the curve's size
    value.text = base64.b64encode(r.to_bytes(size, "big") + s.to_bytes(size, "big")).decode()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def _hash(algorithm: str) -> hashes.HashAlgorithm:
    return hashes.SHA256() if algorithm == "sha256" else hashes.SHA1()


def request(originator: str = "90-B3-D5-1F-30-01-00-00", counter: int = 1000) -> bytes:
    return REQUEST.format(originator=originator, counter=counter).encode()


@dataclass
class TestPki:
    root: Path
    ca: Party
    parties: dict[str, Party]

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def requests(self) -> Path:
        return self.root / "requests"

    def request(self, case: str) -> Path:
        return self.requests / f"{case}.xml"


def _write_party(dest: Path, party: Party, folder: str = "certs") -> None:
    (dest / folder).mkdir(parents=True, exist_ok=True)
    (dest / "keys").mkdir(parents=True, exist_ok=True)
    (dest / folder / f"{party.name}.pem").write_bytes(
        party.cert.public_bytes(serialization.Encoding.PEM)
    )
    (dest / "keys" / f"{party.name}.key").write_bytes(
        party.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def build(dest: Path) -> TestPki:
    """Write the test PKI and one signed request per case of :data:`CASES` under ``dest``."""
    dest = Path(dest)
    ca_key = _key()
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "07"),
            x509.NameAttribute(NameOID.COMMON_NAME, "T1"),
        ]
    )
    ca = Party("organisation-ca", ca_key, _certificate(ca_name, ca_key, None, "CA", ca=True))
    parties: dict[str, Party] = {}

    def org(name, role, eui, usage, key=None, folder="certs", **kw):
        key = key or _key()
        party = Party(name, key, _certificate(_org_name(role, eui), key, ca, usage, **kw))
        _write_party(dest, party, folder)
        parties[name] = party
        return party

    _write_party(dest, ca)
    supplier_ds = org("supplier-ds", 0x02, "90-B3-D5-1F-30-01-00-00", "DS")
    org("supplier-ka", 0x02, "90-B3-D5-1F-30-01-00-00", "KA")
    org("network-operator-ds", 0x03, "90-B3-D5-1F-30-02-00-00", "DS")
    org("network-operator-ka", 0x03, "90-B3-D5-1F-30-02-00-00", "KA")
    org("other-user-ds", 0x7F, "90-B3-D5-1F-30-03-00-00", "DS")
    org("other-user-ka", 0x7F, "90-B3-D5-1F-30-03-00-00", "KA")
    xml_supplier = org("xmlsign-supplier", 0x87, "90-B3-D5-1F-30-01-00-00", "DS")
    xml_no = org("xmlsign-network-operator", 0x87, "90-B3-D5-1F-30-02-00-00", "DS")
    expired = org(
        "xmlsign-expired",
        0x87,
        "90-B3-D5-1F-30-03-00-00",
        "DS",
        start=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    reused = org(
        "xmlsign-over-supplier-ds",
        0x87,
        "90-B3-D5-1F-30-01-00-00",
        "DS",
        key=supplier_ds.key,
        folder="reused",
    )
    plain_key = _key()
    plain_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not an SMKI certificate")])
    plain = Party("plain-ec", plain_key, _certificate(plain_name, plain_key, ca, "DS", smki=False))
    _write_party(dest, plain)
    (dest / "broken").mkdir(exist_ok=True)
    (dest / "broken" / "truncated.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIBgDCCASWgAwIBAgIQ\n-----END CERTIFICATE-----\n"
    )

    out = dest / "requests"
    out.mkdir(exist_ok=True)
    clean = sign_request(request(), xml_supplier.key, xml_supplier.cert)
    cases = {
        "clean": clean,
        "clean-network-operator": sign_request(
            request("90-B3-D5-1F-30-02-00-00"), xml_no.key, xml_no.cert, exclusive_reference=True
        ),
        "clean-by-certificate": sign_request(
            request(counter=1001), xml_supplier.key, xml_supplier.cert, key_info="certificate"
        ),
        "clean-by-ski": sign_request(
            request(counter=1002), xml_supplier.key, xml_supplier.cert, key_info="ski"
        ),
        "signed-with-ds-key": sign_request(request(), supplier_ds.key, supplier_ds.cert),
        "reused-key": sign_request(request(), reused.key, reused.cert),
        "tampered-body": clean.replace(
            b"ReadInstantaneousImportRegisters", b"ReadInstantaneousExportRegisters"
        ),
        "unknown-serial": sign_request(
            request(), xml_supplier.key, xml_supplier.cert, serial=1234567890
        ),
        "two-signatures": sign_request(clean, xml_supplier.key, xml_supplier.cert),
        "wrapped-signature": _wrapped(xml_supplier),
        "sha1-signature": sign_request(
            request(), xml_supplier.key, xml_supplier.cert, algorithm="sha1"
        ),
        "dtd-entities": b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
        + clean.split(b"?>", 1)[1].replace(b"<sr:CommandVariant>1", b"<sr:CommandVariant>&lol2;1"),
        "not-well-formed": clean[: len(clean) // 2],
        "non-smki-certificate": sign_request(request(), plain.key, plain.cert),
        "expired-certificate": sign_request(
            request("90-B3-D5-1F-30-03-00-00"), expired.key, expired.cert
        ),
    }
    assert set(cases) == set(CASES)
    for name, data in cases.items():
        (out / f"{name}.xml").write_bytes(data)
    return TestPki(dest, ca, parties)


def _wrapped(party: Party) -> bytes:
    """Signature wrapping: the signed body moved into ds:Object, a forged body in its place."""
    signed = sign_request(
        request().replace(b"<sr:Body>", b'<sr:Body Id="signed-body">'),
        party.key,
        party.cert,
        reference_uri="#signed-body",
    )
    root = etree.fromstring(signed)
    body = root.find(f"{{{SR}}}Body")
    sig = root.find(f"{{{DS}}}Signature")
    obj = etree.SubElement(sig, f"{{{DS}}}Object")
    forged = etree.Element(f"{{{SR}}}Body")
    etree.SubElement(forged, f"{{{SR}}}UpdateImportTariff")
    body.addprevious(forged)
    obj.append(body)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    build(parser.parse_args().dest)


if __name__ == "__main__":
    main()
