"""Certificate loading: PEM (bundles too) and DER files and directories, with the SMKI profile.

Issue 4 (SMKI expiry) and the key-separation check both start from :func:`load_certificates`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtensionOID, NameOID

from smki.policy import load_policy

#: Suffixes of files taken as certificates when a directory is walked.
CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der", ".cert"})
_PEM_BLOCK = re.compile(
    rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----.*?-----END (?:X509 |TRUSTED )?CERTIFICATE-----",
    re.S,
)
_X500_UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")


@dataclass(frozen=True)
class CertificateProblem:
    """A certificate file, or one block of it, that could not be used (KS008)."""

    path: str
    line: int
    message: str


@dataclass(eq=False)
class Certificate:
    """One X.509 certificate and what SMKI reads from it."""

    path: str
    line: int
    subject: str
    issuer: str
    serial: int
    role: int | None
    role_name: str | None
    eui64: str | None
    key_usage: str
    policy_oids: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    spki_sha256: str
    fingerprint_sha256: str
    subject_key_identifier: bytes | None
    not_smki_reason: str | None
    x509: x509.Certificate = field(repr=False)

    @property
    def is_smki(self) -> bool:
        return self.not_smki_reason is None

    @property
    def issuer_name(self) -> x509.Name:
        return self.x509.issuer

    @cached_property
    def public_key(self):
        return self.x509.public_key()

    def valid_on(self, day: dt.date) -> bool:
        return self.not_before.date() <= day <= self.not_after.date()

    def days_left(self, day: dt.date) -> int:
        return (self.not_after.date() - day).days

    def describe(self) -> str:
        """Path, subject, serial, role and usage: how a finding names a certificate."""
        role = self.role_name or "not SMKI"
        return f"{self.path} ({self.subject}, serial {self.serial}, {role}, {self.key_usage})"


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named, and files under directories named (recursed, sorted, hidden ones skipped)."""
    return map(Path, iter_file_names(paths))


def iter_file_names(paths: Iterable[Path | str]) -> Iterator[str]:
    """:func:`iter_files` as strings: no ``Path`` per file for tens of thousands of requests."""
    for path in map(os.fspath, paths):
        if not os.path.isdir(path):
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            base = str(Path(folder))  # as Path(folder, name) would spell it ("./a" is "a")
            prefix = "" if base == "." else base.rstrip(os.sep) + os.sep
            for name in sorted(files):
                if not name.startswith("."):
                    yield prefix + name


def _key_usage(cert: x509.Certificate) -> str:
    try:
        ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    except x509.ExtensionNotFound:
        return "-"
    names = []
    if ku.digital_signature:
        names.append("DS")
    if ku.key_agreement:
        names.append("KA")
    if ku.key_cert_sign:
        names.append("CA")
    return "+".join(names) or "-"


def _eui64(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(_X500_UNIQUE_IDENTIFIER)
    if not attrs:
        return None
    value = attrs[0].value
    if isinstance(value, str):
        value = value.encode()
    # A BIT STRING's first octet counts unused bits; the entity id is the 8 octets after it.
    if len(value) == 9 and value[0] == 0:
        value = value[1:]
    if len(value) != 8:
        return None
    return "-".join(f"{b:02X}" for b in value)


def _role(cert: x509.Certificate) -> int | None:
    ous = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    if len(ous) != 1 or not re.fullmatch(r"[0-9A-Fa-f]{2}", str(ous[0].value)):
        return None
    return int(str(ous[0].value), 16)


def _policies(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(p.policy_identifier.dotted_string for p in ext)


def _ski(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value.digest
    except x509.ExtensionNotFound:
        return None


def profile(cert: x509.Certificate, path: str, line: int = 1) -> Certificate:
    """Read the SMKI profile of a parsed certificate (ValueError if it cannot be read)."""
    policy = load_policy()
    role = _role(cert)
    eui = _eui64(cert)
    usage = _key_usage(cert)
    reason = None
    if role is None or role not in policy.roles:
        reason = "subject OU is not a Remote Party Role"
    elif eui is None and role not in (0, 1, 7):
        # Root, recovery and issuing-authority certificates carry no entity id.
        reason = "no EUI-64 in x500UniqueIdentifier"
    try:
        public_key = cert.public_key()
    except UnsupportedAlgorithm as exc:  # e.g. a curve cryptography does not know
        raise ValueError(f"unsupported public key: {exc}") from None
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return Certificate(
        path=path,
        line=line,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=cert.serial_number,
        role=role if reason is None else None,
        role_name=policy.role_name(role) if reason is None else None,
        eui64=eui,
        key_usage=usage,
        policy_oids=_policies(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        spki_sha256=hashlib.sha256(spki).hexdigest(),
        fingerprint_sha256=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        subject_key_identifier=_ski(cert),
        not_smki_reason=reason,
        x509=cert,
    )


# ecdsa-with-SHA256 (1.2.840.10045.4.3.2) followed by an explicit NULL: RFC 5758 3.2 says the
# parameters MUST be absent.
_ECDSA_SHA256_WITH_NULL = bytes.fromhex("06082a8648ce3d0403020500")
_NULL_PARAMETERS = (
    "the signature algorithm ecdsa-with-SHA256 carries NULL parameters, which RFC 5758 forbids"
)


def _der(data: bytes) -> bytes:
    if b"-----BEGIN" not in data:
        return data
    body = data.split(b"-----", 2)[2].split(b"-----END", 1)[0]
    try:
        return base64.b64decode(b"".join(body.split()))
    except ValueError:
        return b""


def _parse(loader, data: bytes) -> x509.Certificate:
    # Certificates with NULL ECDSA parameters (DCC Boxed's mdr-ds/mdr-ka) are refused by recent
    # cryptography (with an ASN.1 error) and only warned about by older ones: refuse them
    # everywhere, with the same message.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            cert = loader(data)
            cert.signature_algorithm_parameters  # noqa: B018 - forces the lazy parse
            cert.extensions  # noqa: B018
            return cert
        except (Warning, ValueError) as exc:
            if _ECDSA_SHA256_WITH_NULL in _der(data):
                raise ValueError(_NULL_PARAMETERS) from None
            raise ValueError(str(exc).split(". ")[0]) from None


def looks_like_certificate(path: Path, data: bytes) -> bool:
    return b"BEGIN CERTIFICATE-----" in data or (
        path.suffix.lower() in CERTIFICATE_SUFFIXES and not data.lstrip().startswith(b"-----")
    )


def load_certificate_bytes(
    data: bytes, path: str
) -> tuple[list[Certificate], list[CertificateProblem]]:
    """The certificates in one file's bytes: every PEM block, or else the whole file as DER."""
    certs: list[Certificate] = []
    problems: list[CertificateProblem] = []
    if data.lstrip().startswith(b"{"):
        return _load_key_store(data, path)
    blocks = list(_PEM_BLOCK.finditer(data))
    if blocks:
        for match in blocks:
            line = data.count(b"\n", 0, match.start()) + 1
            try:
                cert = _parse(x509.load_pem_x509_certificate, match.group(0))
                certs.append(profile(cert, path, line))
            except ValueError as exc:
                problems.append(CertificateProblem(path, line, f"cannot parse certificate: {exc}"))
    elif data.startswith(b"-----BEGIN"):
        pass  # a PEM key or request beside the certificates: not ours to read
    else:
        try:
            certs.append(profile(_parse(x509.load_der_x509_certificate, data), path))
        except ValueError as exc:
            problems.append(CertificateProblem(path, 1, f"cannot parse certificate: {exc}"))
    return certs, problems


def _load_key_store(data: bytes, path: str) -> tuple[list[Certificate], list[CertificateProblem]]:
    """A JSON key store (DCC Boxed's ``keystore.json``): every string holding a PEM certificate."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        return [], [CertificateProblem(path, 1, f"cannot parse JSON key store: {exc}")]
    certs: list[Certificate] = []
    problems: list[CertificateProblem] = []
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, str) and "BEGIN CERTIFICATE" in node:
            at = data.find(json.dumps(node)[1:-1].encode())
            line = data.count(b"\n", 0, at) + 1 if at >= 0 else 1
            try:
                cert = _parse(x509.load_pem_x509_certificate, node.encode())
                certs.append(profile(cert, path, line))
            except ValueError as exc:
                problems.append(CertificateProblem(path, line, f"cannot parse certificate: {exc}"))
    return certs, problems


def load_certificates(
    paths: Iterable[Path | str],
) -> tuple[list[Certificate], list[CertificateProblem]]:
    """Load every certificate under ``paths`` (files or directories, recursed).

    Files named directly are read whatever their suffix; in directories, files with a
    certificate suffix (``.pem .crt .cer .der .cert``) or PEM certificate content. A file that
    cannot be parsed is returned as a problem and the rest still load. Raises
    ``FileNotFoundError`` for a path that does not exist.
    """
    certs: list[Certificate] = []
    problems: list[CertificateProblem] = []
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(str(path))
        for file in iter_files([path]):
            data = file.read_bytes()
            if file != path and not looks_like_certificate(file, data):
                continue
            found, bad = load_certificate_bytes(data, str(file))
            certs += found
            problems += bad
    return certs, problems
