"""The certificate store a signature's ``KeyInfo`` is resolved against, and SMKI key lookups."""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from functools import lru_cache

from cryptography import x509

from smki.certificates import Certificate, profile
from smki.policy import load_policy


def name_key(name: x509.Name) -> frozenset[tuple[str, str]]:
    """A distinguished name as a set of (OID, value): order and string types ignored."""
    return frozenset(
        (attr.oid.dotted_string, _fold(attr.value)) for attr in name
    )


def _fold(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return re.sub(r"\s+", " ", value.strip()).casefold()


@lru_cache(maxsize=1024)
def parse_issuer_name(text: str) -> frozenset[tuple[str, str]] | None:
    """An ``X509IssuerName`` (RFC 4514, either order, spaces after commas allowed) as a name key."""
    try:
        name = x509.Name.from_rfc4514_string(re.sub(r",\s+", ",", text.strip()))
    except ValueError:
        return None
    return name_key(name)


class CertificateStore:
    """Certificates indexed by issuer and serial, subject key identifier and public key."""

    def __init__(self, certificates: list[Certificate]) -> None:
        seen: set[str] = set()
        self.certificates: list[Certificate] = []
        self._by_issuer_serial: dict[tuple[frozenset, int], Certificate] = {}
        self._by_ski: dict[bytes, Certificate] = {}
        self._by_fingerprint: dict[str, Certificate] = {}
        self._by_spki: dict[str, list[Certificate]] = defaultdict(list)
        #: What the signature checker worked out once per process (KeyInfo -> certificate,
        #: certificate -> its verdicts), keyed by tuples that start with what it is.
        self.memo: dict[tuple, object] = {}
        for cert in certificates:
            if cert.fingerprint_sha256 in seen:
                continue
            seen.add(cert.fingerprint_sha256)
            self.certificates.append(cert)
            self._by_issuer_serial.setdefault((name_key(cert.issuer_name), cert.serial), cert)
            if cert.subject_key_identifier:
                self._by_ski.setdefault(cert.subject_key_identifier, cert)
            self._by_fingerprint[cert.fingerprint_sha256] = cert
            self._by_spki[cert.spki_sha256].append(cert)

    def by_issuer_serial(self, issuer: str, serial: str) -> Certificate | None:
        key = parse_issuer_name(issuer)
        try:
            number = int(serial.strip())
        except ValueError:
            return None
        return None if key is None else self._by_issuer_serial.get((key, number))

    def by_ski(self, ski_b64: str) -> Certificate | None:
        try:
            return self._by_ski.get(base64.b64decode(ski_b64))
        except (binascii.Error, ValueError):
            return None

    def by_fingerprint(self, sha256_hex: str) -> Certificate | None:
        return self._by_fingerprint.get(sha256_hex)

    def by_embedded(self, cert_b64: str, path: str, line: int) -> Certificate | None:
        """A certificate carried in ``X509Certificate``: the store's copy, else the one carried."""
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(cert_b64))
            found = profile(cert, f"{path} (embedded)", line)
        except (binascii.Error, ValueError, KeyError):
            # KeyError: cryptography parses names lazily and fails so on an unknown string type
            return None
        return self._by_fingerprint.get(found.fingerprint_sha256, found)

    def other_role_holders(self, spki_sha256: str) -> list[Certificate]:
        """SMKI DS/KA certificates of a role other than XML signing with this public key."""
        xml_roles = load_policy().xml_signing_roles
        return [
            c
            for c in self._by_spki.get(spki_sha256, ())
            if c.is_smki
            and c.role_name not in xml_roles
            and ("DS" in c.key_usage or "KA" in c.key_usage)
        ]
