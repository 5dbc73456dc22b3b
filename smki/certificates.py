"""Certificate loading: PEM (bundles too), DER and JSON key stores, with the SMKI profile.

Every certificate is read at the DER level first (:mod:`smki.der`): its key, role and names
count even where cryptography refuses the whole certificate (that one is still reported, KS008).
The SMKI expiry listing and the key-separation check both start from here.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from smki import der as der_reader
from smki.files import Unreadable, iter_file_names, read_regular
from smki.names import NameKey, key_of_attributes, rfc4514
from smki.policy import SmkiPolicy, shipped_policy

#: Suffixes of files taken as certificates when a directory is walked.
CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der", ".cert"})
_PEM_MARKER = re.compile(rb"-----(BEGIN|END) ([A-Z0-9 ]{1,40})-----")
_CERTIFICATE_LABELS = frozenset({b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"})
_X500_UNIQUE_IDENTIFIER = "2.5.4.45"
_OU = "2.5.4.11"

__all__ = [
    "CERTIFICATE_SUFFIXES",
    "Certificate",
    "CertificateProblem",
    "iter_file_names",
    "load_certificate_bytes",
    "load_certificates",
    "read_store",
]


@dataclass(frozen=True)
class CertificateProblem:
    """A certificate file, or one block of it, that could not be (fully) used (KS008)."""

    path: str
    line: int
    message: str


@dataclass(eq=False)
class Certificate:
    """One X.509 certificate and what SMKI reads from it (at the DER level)."""

    path: str
    line: int
    subject: str
    issuer: str
    serial: int | None
    role: int | None
    role_name: str | None
    eui64: str | None
    key_usage: str
    policy_oids: tuple[str, ...]
    not_before: dt.datetime | None
    not_after: dt.datetime | None
    #: SHA-256 of the public key (one canonical SubjectPublicKeyInfo form): what KS001 compares.
    spki_sha256: str
    fingerprint_sha256: str
    subject_key_identifier: bytes | None
    not_smki_reason: str | None
    #: Why cryptography cannot fully parse the certificate (KS008), or None.
    problem: str | None
    issuer_key: NameKey | None
    subject_key: NameKey | None
    is_ca: bool
    facts: der_reader.CertificateFacts = field(repr=False)

    @cached_property
    def x509(self):
        """The certificate as cryptography parses it (None when it cannot), parsed on demand:
        only the reference path needs it, and a large store should not keep one per certificate."""
        if self.problem:
            return None
        try:
            return _full_parse(self.facts.der)
        except Exception:
            return None

    @property
    def is_smki(self) -> bool:
        return self.not_smki_reason is None

    @property
    def key_kind(self) -> str:
        return self.facts.public_key.kind

    @property
    def curve(self) -> str | None:
        return self.facts.public_key.curve

    @cached_property
    def public_key(self):
        """The key as cryptography reads it (from the canonical SubjectPublicKeyInfo), or None."""
        from cryptography.hazmat.primitives.serialization import load_der_public_key

        try:
            return load_der_public_key(der_reader.canonical_spki(self.facts.public_key))
        except Exception:  # an unknown curve or algorithm: a key that cannot verify here
            return None

    def valid_on(self, day: dt.date) -> bool:
        if self.not_before is None or self.not_after is None:
            return False
        return self.not_before.date() <= day <= self.not_after.date()

    def days_left(self, day: dt.date) -> int:
        return (self.not_after.date() - day).days if self.not_after else 0

    def describe(self) -> str:
        """Path, subject, serial, role and usage: how a finding names a certificate."""
        role = self.role_name or "not SMKI"
        return f"{self.path} ({self.subject}, serial {self.serial}, {role}, {self.key_usage})"


_USAGE_NAMES = (("digital_signature", "DS"), ("key_agreement", "KA"), ("key_cert_sign", "CA"))


def _key_usage(facts: der_reader.CertificateFacts) -> str:
    if facts.key_usage is None:
        return "-"
    return "+".join(short for name, short in _USAGE_NAMES if name in facts.key_usage) or "-"


def _eui64(facts: der_reader.CertificateFacts) -> str | None:
    values = [a for a in facts.subject or () if a.oid == _X500_UNIQUE_IDENTIFIER]
    if not values:
        return None
    try:
        tag, start, end = der_reader.tlv(values[0].der)
    except der_reader.DerError:
        return None
    value = values[0].der[start:end]
    # A BIT STRING's first octet counts unused bits; the entity id is the 8 octets after it.
    if tag == 0x03 and len(value) == 9 and value[0] == 0:
        value = value[1:]
    if len(value) != 8:
        return None
    return "-".join(f"{b:02X}" for b in value)


def _role(
    facts: der_reader.CertificateFacts, roles: dict[int, str]
) -> tuple[int | None, str | None]:
    """The Remote Party Role in the subject OU, or why there is none (with a hint where it helps)."""
    ous = [a.text for a in facts.subject or () if a.oid == _OU]
    if facts.subject is None:
        return None, "subject cannot be read"
    if len(ous) != 1 or ous[0] is None:
        return None, "subject OU is not a Remote Party Role"
    ou = ous[0].strip()
    if re.fullmatch(r"[0-9A-Fa-f]{2}", ou) and int(ou, 16) in roles:
        return int(ou, 16), None
    reason = f"subject OU {ou[:16]!r} is not a Remote Party Role (two hex digits)"
    if ou.isascii() and ou.isdigit() and int(ou) in roles:
        code = int(ou)
        reason += (
            f"; {ou} reads as the decimal form of {roles[code]}, which SMKI writes as "
            f"hex {code:02X} (older DCC XmlSign certificates use the decimal form)"
        )
    return None, reason


# ecdsa-with-SHA* and their NULL parameters: RFC 5758 3.2 says the parameters MUST be absent.
_ECDSA_SIGNATURES = {"1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"}
_NULL_PARAMETERS = (
    "the signature algorithm ecdsa-with-SHA256 carries NULL parameters, which RFC 5758 forbids"
)
_STRING_ATTRIBUTES = {
    "2.5.4.3": "CN",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.6": "C",
}


def _plain_problem(facts: der_reader.CertificateFacts) -> str:
    """Why cryptography refused a certificate, in plain words read from the DER (not its text)."""
    if (
        facts.signature_algorithm_oid in _ECDSA_SIGNATURES
        and facts.signature_algorithm_has_parameters
    ):
        return _NULL_PARAMETERS
    twice = facts.duplicated_extensions
    if twice:
        return f"the extension {', '.join(twice)} appears more than once, which RFC 5280 forbids"
    key = facts.public_key
    if key.algorithm_oid in ("1.3.132.1.12", "1.3.132.1.13"):
        return (
            "the key is marked for key agreement only (id-ecDH/id-ecMQV), a form "
            "cryptography does not read"
        )
    if key.kind == "ec" and key.curve_oid not in der_reader.CURVE_NAMES:
        return f"unsupported public key: the curve {key.curve_oid} is not one this tool knows"
    for name, attributes in (("subject", facts.subject), ("issuer", facts.issuer)):
        for a in attributes or ():
            if a.oid in _STRING_ATTRIBUTES and a.text is None:
                return (
                    f"the {name}'s {_STRING_ATTRIBUTES[a.oid]} is not a string "
                    f"(ASN.1 tag {a.der[0]:#04x})"
                )
    if facts.unreadable:
        return "these fields cannot be read: " + ", ".join(facts.unreadable)
    return "not a well-formed X.509 certificate"


def _full_parse(der: bytes):
    """cryptography's parse of the whole certificate, or raise: what KS008 reports on."""
    from cryptography import x509

    with warnings.catch_warnings():
        # Older cryptography only warns about NULL ECDSA parameters; newer refuses them.
        warnings.simplefilter("error")
        cert = x509.load_der_x509_certificate(der)
        cert.signature_algorithm_parameters  # noqa: B018 - forces the lazy parse
        cert.extensions  # noqa: B018
        cert.subject.rfc4514_string()
        cert.issuer.rfc4514_string()
        cert.public_key()
        return cert


def read_certificate(
    der: bytes, path: str, line: int, policy: SmkiPolicy
) -> tuple[Certificate | None, str | None]:
    """One certificate from DER: (certificate, problem). None when even its key is unreadable.
    Its role is named by ``policy``'s role table."""
    try:
        facts = der_reader.read_certificate(der)
    except der_reader.DerError:
        return None, "not an X.509 certificate (its public key cannot be read)"
    role, reason = _role(facts, policy.roles)
    eui = _eui64(facts)
    if reason is None and eui is None and role not in (0, 1, 7):
        # Root, recovery and issuing-authority certificates carry no entity id.
        reason = "no EUI-64 in x500UniqueIdentifier"
    problem = None
    try:
        _full_parse(der)
    except Exception:  # cryptography refuses in many ways; the facts say why in plain words
        problem = _plain_problem(facts)
    usage = _key_usage(facts)
    cert = Certificate(
        path=path,
        line=line,
        subject=rfc4514(facts.subject),
        issuer=rfc4514(facts.issuer),
        serial=facts.serial,
        role=role if reason is None else None,
        role_name=policy.role_name(role) if reason is None else None,
        eui64=eui,
        key_usage=usage,
        policy_oids=facts.policy_oids,
        not_before=facts.not_before,
        not_after=facts.not_after,
        spki_sha256=der_reader.key_identity(facts.public_key),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        subject_key_identifier=facts.subject_key_identifier,
        not_smki_reason=reason,
        problem=problem,
        issuer_key=None if facts.issuer is None else key_of_attributes(facts.issuer),
        subject_key=None if facts.subject is None else key_of_attributes(facts.subject),
        is_ca=facts.is_ca or "CA" in usage.split("+"),
        facts=facts,
    )
    return cert, problem


def _first_element(data: bytes) -> bytes:
    """The first DER element (a TRUSTED CERTIFICATE or a DER file may carry bytes after it)."""
    try:
        _, _, end = der_reader.tlv(data)
    except der_reader.DerError:
        return data
    return data[:end]


def looks_like_certificate(path: Path | str, data: bytes) -> bool:
    return (
        b"BEGIN CERTIFICATE-----" in data
        or b"BEGIN X509 CERTIFICATE-----" in data
        or (
            os.path.splitext(os.fspath(path))[1].lower() in CERTIFICATE_SUFFIXES
            and not data.lstrip().startswith(b"-----")
        )
    )


class _Loaded:
    def __init__(self, policy: SmkiPolicy) -> None:
        self.policy = policy
        self.certs: list[Certificate] = []
        self.problems: list[CertificateProblem] = []

    def add(self, der: bytes, path: str, line: int) -> None:
        try:
            cert, problem = read_certificate(_first_element(der), path, line, self.policy)
        except Exception as exc:  # one certificate's fault stays with that certificate
            cert, problem = None, f"cannot be read ({type(exc).__name__})"
        if cert is not None:
            self.certs.append(cert)
        if problem:
            kept = "; its key still counts for KS001" if cert is not None else ""
            self.problems.append(
                CertificateProblem(path, line, f"cannot fully parse certificate: {problem}{kept}")
            )


def _pem_blocks(data: bytes, path: str, loaded: _Loaded) -> bool:
    """Every certificate block of a PEM file; a block without its END line is lost alone.

    One pass over the markers with a running line count: linear in the file.
    """
    open_at: int | None = None
    open_line = 0  # read only while a block is open (open_at set)
    label = None
    line, counted = 1, 0
    found = False
    for marker in _PEM_MARKER.finditer(data):
        line += data.count(b"\n", counted, marker.start())
        counted = marker.start()
        kind, name = marker.group(1), marker.group(2)
        if kind == b"BEGIN":
            if open_at is not None:
                loaded.problems.append(
                    CertificateProblem(
                        path,
                        open_line,
                        "certificate block has no END line before the next BEGIN; "
                        "that block is left out",
                    )
                )
            if name in _CERTIFICATE_LABELS:
                found = True
                open_at, open_line, label = marker.end(), line, name
            else:
                open_at = label = None
        elif open_at is not None and name == label:
            body = data[open_at : marker.start()]
            try:
                der = binascii.a2b_base64(b"".join(body.split()))
            except (binascii.Error, ValueError):
                loaded.problems.append(
                    CertificateProblem(path, open_line, "certificate block is not base64; left out")
                )
            else:
                loaded.add(der, path, open_line)
            open_at = label = None
    if open_at is not None:
        loaded.problems.append(
            CertificateProblem(
                path, open_line, "certificate block has no END line; that block is left out"
            )
        )
    return found


def load_certificate_bytes(
    data: bytes,
    path: str,
    policy: SmkiPolicy | None = None,
) -> tuple[list[Certificate], list[CertificateProblem]]:
    """The certificates in one file's bytes: every PEM block, a JSON key store, or DER.

    Certificates that cryptography cannot fully parse are returned too (their key counts) and
    each is also a problem.
    """
    loaded = _Loaded(policy or shipped_policy())
    if data[:1] == b"\x30":  # a DER SEQUENCE: whatever bytes it holds, not PEM text
        loaded.add(data, path, 1)
    elif data.lstrip()[:1] == b"{":
        _load_key_store(data, path, loaded)
    elif _pem_blocks(data, path, loaded):
        pass
    elif b"-----BEGIN" in data[:1024]:
        pass  # a PEM key or request beside the certificates: not ours to read
    else:
        loaded.add(data, path, 1)
    return loaded.certs, loaded.problems


def _load_key_store(data: bytes, path: str, loaded: _Loaded) -> None:
    """A JSON key store (DCC Boxed's ``keystore.json``): every string holding a PEM certificate."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        loaded.problems.append(CertificateProblem(path, 1, f"cannot parse JSON key store: {exc}"))
        return
    stack = [document]
    searched, line = 0, 1
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, str) and "BEGIN CERTIFICATE" in node:
            # Strings come in document order: search on from the last one (linear overall).
            at = data.find(json.dumps(node)[1:-1].encode(), searched)
            if at >= 0:
                line += data.count(b"\n", searched, at)
                searched = at
            block = _Loaded(loaded.policy)
            _pem_blocks(node.encode(), path, block)
            for cert in block.certs:
                cert.line = line
            loaded.certs += block.certs
            loaded.problems += [CertificateProblem(path, line, p.message) for p in block.problems]


def read_store(
    paths: Iterable[Path | str],
    policy: SmkiPolicy | None = None,
) -> tuple[list[Certificate], list[CertificateProblem]]:
    """Every certificate under ``paths`` whose key can be read, and every problem (KS008).

    Files named directly are read whatever their suffix; in directories, files with a
    certificate suffix (``.pem .crt .cer .der .cert``) or PEM certificate content. A file that
    cannot be read (not a regular file, too large, no permission) is a problem and the rest
    still load. Raises ``FileNotFoundError`` for a named path that does not exist at all.
    """
    policy = policy or shipped_policy()
    limit = policy.max_certificate_file_bytes
    certs: list[Certificate] = []
    problems: list[CertificateProblem] = []
    for path in (os.fspath(p) for p in paths):
        if not os.path.lexists(path):
            raise FileNotFoundError(path)
        for file in iter_file_names([path]):
            suffix = os.path.splitext(file)[1].lower()
            if file != path and suffix not in CERTIFICATE_SUFFIXES | {".json", ""}:
                continue
            data = read_regular(file, limit)
            if isinstance(data, Unreadable):
                problems.append(CertificateProblem(file, 1, f"certificate file {data.reason}"))
                continue
            if file != path and not looks_like_certificate(file, data):
                continue
            found, bad = load_certificate_bytes(data, file, policy)
            certs += found
            problems += bad
    return certs, problems


def load_certificates(
    paths: Iterable[Path | str],
    policy: SmkiPolicy | None = None,
) -> tuple[list[Certificate], list[CertificateProblem]]:
    """The certificates under ``paths`` that parse fully, and the problems (as :func:`read_store`).

    For listings (``ssc smki certs``, the TUI): a certificate cryptography cannot fully parse is
    a problem here; the key-separation check keeps its key (:func:`read_store`).
    """
    certs, problems = read_store(paths, policy)
    return [c for c in certs if c.problem is None], problems
