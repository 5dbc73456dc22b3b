"""What a certificate says, read at the DER level: its key and role survive what cryptography refuses.

cryptography refuses a whole certificate for one flaw (NULL ECDSA parameters, a duplicated
extension, a name attribute of a non-string type, a key under ``id-ecDH``); a key-separation
check must still count that certificate's key. asn1crypto parses lazily, field by field, and
keeps every field's encoded bytes, so each fact below is read on its own and one unreadable
field costs only that field (pyasn1, the other candidate, decodes the whole tree eagerly and is
about ten times slower per certificate, which a 50,000-certificate bundle feels).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

#: Universal tags of the ASN.1 string types a name attribute may hold, and how to decode them.
_STRING_TAGS = {
    0x0C: "utf-8",  # UTF8String
    0x13: "ascii",  # PrintableString
    0x16: "ascii",  # IA5String
    0x14: "latin-1",  # TeletexString (T61), read as Latin-1 as OpenSSL does
    0x1A: "ascii",  # VisibleString
    0x1E: "utf-16-be",  # BMPString
    0x1C: "utf-32-be",  # UniversalString
    0x12: "ascii",  # NumericString
}
_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
#: RFC 5480 2.1.2: keys restricted to ECDH (and ECMQV) are the same kind of key on the same curve.
_EC_RESTRICTED = {"1.3.132.1.12", "1.3.132.1.13"}
CURVE_NAMES = {
    "1.2.840.10045.3.1.7": "secp256r1",
    "1.3.132.0.34": "secp384r1",
    "1.3.132.0.35": "secp521r1",
    "1.3.132.0.10": "secp256k1",
    "1.2.840.10045.3.1.1": "secp192r1",
    "1.3.132.0.33": "secp224r1",
    "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
}
_KEY_ALGORITHMS = {
    _EC_PUBLIC_KEY: "ec",
    "1.3.132.1.12": "ec",
    "1.3.132.1.13": "ec",
    "1.2.840.113549.1.1.1": "rsa",
    "1.2.840.113549.1.1.10": "rsa-pss",
    "1.2.840.10040.4.1": "dsa",
    "1.3.101.112": "ed25519",
    "1.3.101.113": "ed448",
}
_EXTENSION_NAMES = {
    "2.5.29.15": "keyUsage",
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.19": "basicConstraints",
    "2.5.29.32": "certificatePolicies",
    "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.17": "subjectAltName",
    "2.5.29.37": "extendedKeyUsage",
}


class DerError(ValueError):
    """The bytes are not DER of the shape read here."""


def tlv(data: bytes, at: int = 0) -> tuple[int, int, int]:
    """The tag octet, content start and content end of the DER element at ``at``."""
    if at + 2 > len(data):
        raise DerError("truncated")
    tag = data[at]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-octet tags are not used in certificates")
    length = data[at + 1]
    start = at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise DerError("truncated")
    return tag, start, end


def children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element between two offsets."""
    out = []
    at = start
    while at < end:
        tag, content, stop = tlv(data, at)
        if stop > end:
            raise DerError("element overruns its parent")
        out.append((tag, at, content, stop))
        at = stop
    return out


def decode_oid(content: bytes) -> str:
    if not content:
        raise DerError("empty OID")
    first = content[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


@dataclass(frozen=True)
class NameAttribute:
    oid: str
    #: The value as text where it is an ASN.1 string type, else None.
    text: str | None
    #: The value's whole DER element (tag, length, content): how RFC 4514 ``#hex`` names it.
    der: bytes


def read_name(der: bytes) -> tuple[NameAttribute, ...]:
    """A Name's attributes in order (RDNs flattened), each value read on its own."""
    tag, start, end = tlv(der)
    if tag != 0x30:
        raise DerError("a Name is a SEQUENCE")
    out = []
    for rdn_tag, _, rdn_start, rdn_end in children(der, start, end):
        if rdn_tag != 0x31:
            raise DerError("an RDN is a SET")
        for atv_tag, _, atv_start, atv_end in children(der, rdn_start, rdn_end):
            parts = children(der, atv_start, atv_end) if atv_tag == 0x30 else []
            if len(parts) != 2 or parts[0][0] != 0x06:
                raise DerError("an attribute is a SEQUENCE of type and value")
            oid = decode_oid(der[parts[0][2] : parts[0][3]])
            value_tag, value_at, value_start, value_end = parts[1]
            encoding = _STRING_TAGS.get(value_tag)
            text = None
            if encoding:
                try:
                    text = der[value_start:value_end].decode(encoding)
                except UnicodeDecodeError:
                    text = None
            out.append(NameAttribute(oid, text, der[value_at:value_end]))
    return tuple(out)


@dataclass(frozen=True)
class PublicKeyFacts:
    """A SubjectPublicKeyInfo as KS001 compares keys: the key itself, whatever its wrapping."""

    algorithm_oid: str
    kind: str  # "ec", "rsa", ... or the OID where unknown
    curve_oid: str | None
    #: The SubjectPublicKeyInfo as found in the certificate.
    spki_der: bytes
    #: The subjectPublicKey bits (for EC, the encoded point).
    key_bits: bytes

    @property
    def curve(self) -> str | None:
        return None if self.curve_oid is None else CURVE_NAMES.get(self.curve_oid, self.curve_oid)


def read_public_key(spki: bytes) -> PublicKeyFacts:
    tag, start, end = tlv(spki)
    parts = children(spki, start, end) if tag == 0x30 else []
    if len(parts) != 2 or parts[0][0] != 0x30 or parts[1][0] != 0x03:
        raise DerError("a SubjectPublicKeyInfo is a SEQUENCE of algorithm and BIT STRING")
    algorithm = children(spki, parts[0][2], parts[0][3])
    if not algorithm or algorithm[0][0] != 0x06:
        raise DerError("no key algorithm")
    oid = decode_oid(spki[algorithm[0][2] : algorithm[0][3]])
    curve = None
    if len(algorithm) > 1 and algorithm[1][0] == 0x06:
        curve = decode_oid(spki[algorithm[1][2] : algorithm[1][3]])
    bits = spki[parts[1][2] : parts[1][3]]
    if not bits or bits[0] != 0:
        raise DerError("the key's BIT STRING has unused bits")
    kind = _KEY_ALGORITHMS.get(oid, oid)
    return PublicKeyFacts(oid, kind, curve if kind == "ec" else None, spki[:end], bits[1:])


def canonical_spki(key: PublicKeyFacts) -> bytes:
    """The key in one canonical SubjectPublicKeyInfo form.

    EC keys under ``id-ecDH``/``id-ecMQV`` or with a compressed point are the same key as under
    ``id-ecPublicKey`` uncompressed, so they are re-encoded that way; any other key is its
    certificate's own SubjectPublicKeyInfo.
    """
    if key.kind == "ec" and key.curve_oid:
        point = key.key_bits
        if point[:1] in (b"\x02", b"\x03"):
            point = _uncompressed(key.curve, point) or point
        if key.algorithm_oid != _EC_PUBLIC_KEY or point != key.key_bits:
            return _ec_spki(key.curve_oid, point)
    return key.spki_der


def key_identity(key: PublicKeyFacts) -> str:
    """SHA-256 (hex) of :func:`canonical_spki`: the same for the same key however it is wrapped.

    For an ordinary certificate this is the SHA-256 of its own SubjectPublicKeyInfo.
    """
    return hashlib.sha256(canonical_spki(key)).hexdigest()


def _uncompressed(curve: str | None, point: bytes) -> bytes | None:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    curves: dict[str | None, Callable[[], ec.EllipticCurve]] = {
        "secp256r1": ec.SECP256R1,
        "secp384r1": ec.SECP384R1,
        "secp521r1": ec.SECP521R1,
        "secp256k1": ec.SECP256K1,
        "secp192r1": ec.SECP192R1,
        "secp224r1": ec.SECP224R1,
        "brainpoolP256r1": ec.BrainpoolP256R1,
    }
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(curves[curve](), point)
    except (KeyError, ValueError, TypeError):
        return None
    return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def encode_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        out += bytes(reversed(chunk))
    return _der(0x06, bytes(out))


def _ec_spki(curve_oid: str, point: bytes) -> bytes:
    algorithm = _der(0x30, encode_oid(_EC_PUBLIC_KEY) + encode_oid(curve_oid))
    return _der(0x30, algorithm + _der(0x03, b"\x00" + point))


@dataclass
class CertificateFacts:
    """Everything the SMKI checks read from a certificate, each field read on its own.

    ``spki`` is required (without it there is no key to count); any other field may be None,
    with the reason in ``unreadable``.
    """

    der: bytes
    public_key: PublicKeyFacts
    serial: int | None = None
    issuer: tuple[NameAttribute, ...] | None = None
    subject: tuple[NameAttribute, ...] | None = None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    key_usage: frozenset[str] | None = None
    subject_key_identifier: bytes | None = None
    policy_oids: tuple[str, ...] = ()
    is_ca: bool = False
    extension_oids: tuple[str, ...] = ()
    signature_algorithm_oid: str | None = None
    signature_algorithm_has_parameters: bool = False
    tbs_der: bytes | None = None
    signature: bytes | None = None
    unreadable: list[str] = field(default_factory=list)

    @property
    def duplicated_extensions(self) -> list[str]:
        seen: set[str] = set()
        twice = []
        for oid in self.extension_oids:
            if oid in seen and oid not in twice:
                twice.append(oid)
            seen.add(oid)
        return [_EXTENSION_NAMES.get(oid, oid) for oid in twice]


def _tbs_fields(der: bytes) -> tuple[list[bytes], list[tuple[int, int, int, int]], list[bytes]]:
    """The TBSCertificate fields in v3 order (index 0 version ... 6 key, 7 extensions), raw,
    and the certificate's top-level elements. Read with the plain DER walker above, in one
    pass, so no schema can refuse what surrounds a field. Last, every field as found.
    """
    tag, start, end = tlv(der)
    if tag != 0x30:
        raise DerError("a certificate is a SEQUENCE")
    top = children(der, start, end)
    tbs_tag, _, tbs_start, tbs_end = top[0]
    if tbs_tag != 0x30:
        raise DerError("a TBSCertificate is a SEQUENCE")
    fields = [der[at:stop] for _, at, _, stop in children(der, tbs_start, tbs_end)]
    if fields and fields[0][:1] != b"\xa0":  # v1: no version field
        fields.insert(0, b"")
    extensions = [f for f in fields[7:] if f[:1] == b"\xa3"]
    return fields[:7] + extensions[:1], top, fields


def _find_public_key(fields: list[bytes], found: list[bytes]) -> PublicKeyFacts:
    """The SubjectPublicKeyInfo: the field where v3 puts it, else the one field shaped like it.

    A mangled field before it (a version with the wrong tag, say) must not cost the key.
    """
    candidates = fields[6:7] + found
    for field_ in candidates:
        try:
            return read_public_key(field_)
        except DerError:
            continue
    raise DerError("no SubjectPublicKeyInfo")


def read_certificate(der: bytes) -> CertificateFacts:
    """Read a certificate field by field; raises :class:`DerError` only when its key is unreadable."""
    from asn1crypto import x509 as asn1_x509

    fields, top, found = _tbs_fields(der)
    facts = CertificateFacts(der=der, public_key=_find_public_key(fields, found))

    def field_(index: int) -> bytes:
        if index >= len(fields) or not fields[index]:
            raise DerError("missing")
        return fields[index]

    def read(name: str, reader) -> None:
        try:
            reader()
        except Exception:  # one unreadable field costs that field only
            facts.unreadable.append(name)

    def serial() -> None:
        raw = field_(1)
        tag, start, end = tlv(raw)
        if tag != 0x02:
            raise DerError("a serial number is an INTEGER")
        facts.serial = int.from_bytes(raw[start:end], "big", signed=True)

    def issuer() -> None:
        facts.issuer = read_name(field_(3))

    def subject() -> None:
        facts.subject = read_name(field_(5))

    def validity() -> None:
        times = asn1_x509.Validity.load(field_(4))
        facts.not_before = times["not_before"].native.astimezone(dt.UTC)
        facts.not_after = times["not_after"].native.astimezone(dt.UTC)

    def signature() -> None:
        (_, tbs_at, _, tbs_end), (_, _, alg_start, alg_end), (bits_tag, _, bits_start, bits_end) = (
            top[:3]
        )
        facts.tbs_der = der[tbs_at:tbs_end]
        algorithm = children(der, alg_start, alg_end)
        facts.signature_algorithm_oid = decode_oid(der[algorithm[0][2] : algorithm[0][3]])
        facts.signature_algorithm_has_parameters = len(algorithm) > 1
        if bits_tag != 0x03 or der[bits_start] != 0:
            raise DerError("the signature is a BIT STRING")
        facts.signature = der[bits_start + 1 : bits_end]

    read("serial number", serial)
    read("issuer", issuer)
    read("subject", subject)
    read("validity", validity)
    read("signature", signature)
    if len(fields) > 7:
        read("extensions", lambda: _read_extensions(fields[7], facts))
    return facts


def _key_usage(value: bytes) -> frozenset[str]:
    from asn1crypto import x509 as asn1_x509

    return frozenset(asn1_x509.KeyUsage.load(value).native)


def _subject_key_identifier(value: bytes) -> bytes:
    from asn1crypto import core

    return core.OctetString.load(value).native


def _is_ca(value: bytes) -> bool:
    from asn1crypto import x509 as asn1_x509

    return bool(asn1_x509.BasicConstraints.load(value)["ca"].native)


def _policy_oids(value: bytes) -> tuple[str, ...]:
    from asn1crypto import x509 as asn1_x509

    return tuple(p["policy_identifier"].dotted for p in asn1_x509.CertificatePolicies.load(value))


#: The extensions SMKI reads, by OID: the fact each sets and how its value is read (asn1crypto,
#: imported on first use). Any other extension is only listed by its OID.
_EXTENSION_READERS: dict[str, tuple[str, Callable[[bytes], object]]] = {
    "2.5.29.15": ("key_usage", _key_usage),
    "2.5.29.14": ("subject_key_identifier", _subject_key_identifier),
    "2.5.29.19": ("is_ca", _is_ca),
    "2.5.29.32": ("policy_oids", _policy_oids),
}


def _read_extensions(raw: bytes, facts: CertificateFacts) -> None:
    """Every extension's OID (duplicates show), and the values SMKI reads, each on its own."""
    _, start, end = tlv(raw)  # [3] EXPLICIT
    tag, list_start, list_end = tlv(raw, start)
    if tag != 0x30:
        raise DerError("extensions are a SEQUENCE")
    oids = []
    for ext_tag, _, ext_start, ext_end in children(raw, list_start, list_end):
        parts = children(raw, ext_start, ext_end) if ext_tag == 0x30 else []
        if len(parts) < 2 or parts[0][0] != 0x06 or parts[-1][0] != 0x04:
            facts.unreadable.append("an extension")
            continue
        oid = decode_oid(raw[parts[0][2] : parts[0][3]])
        oids.append(oid)
        if oid in _EXTENSION_READERS:
            _read_extension(facts, oid, raw[parts[-1][2] : parts[-1][3]])
    facts.extension_oids = tuple(oids)


def _read_extension(facts: CertificateFacts, oid: str, value: bytes) -> None:
    """One extension SMKI reads into its fact; one that cannot be read is named as unreadable."""
    name, read = _EXTENSION_READERS[oid]
    try:
        setattr(facts, name, read(value))
    except Exception:
        facts.unreadable.append(_EXTENSION_NAMES.get(oid, oid))
