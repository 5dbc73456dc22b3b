"""The certificate store a signature's ``KeyInfo`` is resolved against, and SMKI key lookups.

Trust comes from the store only: a certificate carried in a document is used when the same
certificate is in the store, or when a CA certificate in the store signed it (checked here).
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict

from smki.certificates import Certificate, read_certificate
from smki.names import NameKey, parse_rfc4514
from smki.policy import SmkiPolicy, shipped_policy

#: Certificate signature algorithms a carried certificate's issuer may have used: OID -> (key, hash).
_CERTIFICATE_SIGNATURES = {
    "1.2.840.10045.4.3.2": ("ec", "SHA256"),
    "1.2.840.10045.4.3.3": ("ec", "SHA384"),
    "1.2.840.10045.4.3.4": ("ec", "SHA512"),
    "1.2.840.113549.1.1.11": ("rsa", "SHA256"),
    "1.2.840.113549.1.1.12": ("rsa", "SHA384"),
    "1.2.840.113549.1.1.13": ("rsa", "SHA512"),
}


def issued_by(cert: Certificate, ca: Certificate) -> bool:
    """Whether ``ca``'s key verifies ``cert``'s signature (names are checked by the caller)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    facts = cert.facts
    algorithm = _CERTIFICATE_SIGNATURES.get(facts.signature_algorithm_oid or "")
    key = ca.public_key
    if algorithm is None or key is None or facts.tbs_der is None or facts.signature is None:
        return False
    kind, hash_name = algorithm
    digest = getattr(hashes, hash_name)()
    try:
        if kind == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(facts.signature, facts.tbs_der, ec.ECDSA(digest))
        elif kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(facts.signature, facts.tbs_der, padding.PKCS1v15(), digest)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


class CertificateStore:
    """Certificates indexed by issuer and serial, subject key identifier, subject and public key.

    Certificates that cryptography cannot fully parse are in it too: their keys count for KS001.
    """

    def __init__(self, certificates: list[Certificate], policy: SmkiPolicy | None = None) -> None:
        #: The policy the check runs under (roles, limits, profiles): the caller's, else the
        #: shipped one. Everything the check reads from the store reads the policy from here.
        self.policy = policy or shipped_policy()
        seen: set[str] = set()
        self.certificates: list[Certificate] = []
        self._by_issuer_serial: dict[tuple[NameKey, int], Certificate] = {}
        self._by_ski: dict[bytes, Certificate] = {}
        self._by_fingerprint: dict[str, Certificate] = {}
        self._by_spki: dict[str, list[Certificate]] = defaultdict(list)
        self._cas_by_subject: dict[NameKey, list[Certificate]] = defaultdict(list)
        #: What the signature checker worked out once per process (KeyInfo -> certificate,
        #: certificate -> its verdicts), keyed by tuples that start with what it is.
        self.memo: dict[tuple, object] = {}
        for cert in certificates:
            if cert.fingerprint_sha256 in seen:
                continue
            seen.add(cert.fingerprint_sha256)
            self.certificates.append(cert)
            if cert.issuer_key is not None and cert.serial is not None:
                self._by_issuer_serial.setdefault((cert.issuer_key, cert.serial), cert)
            if cert.subject_key_identifier:
                self._by_ski.setdefault(cert.subject_key_identifier, cert)
            self._by_fingerprint[cert.fingerprint_sha256] = cert
            self._by_spki[cert.spki_sha256].append(cert)
            if cert.is_ca and cert.subject_key is not None:
                self._cas_by_subject[cert.subject_key].append(cert)

    def by_issuer_serial(self, issuer: str, serial: str) -> Certificate | None:
        key = parse_rfc4514(issuer.strip())
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

    def issuing_ca(self, cert: Certificate) -> Certificate | None:
        """The CA certificate in the store that signed ``cert``, if any."""
        if cert.issuer_key is None:
            return None
        for ca in self._cas_by_subject.get(cert.issuer_key, ()):
            if ca.fingerprint_sha256 != cert.fingerprint_sha256 and issued_by(cert, ca):
                return ca
        return None

    def trusted(self, cert: Certificate) -> tuple[Certificate | None, str]:
        """The store's answer on a carried certificate: the certificate to use, or why none."""
        stored = self._by_fingerprint.get(cert.fingerprint_sha256)
        if stored is not None:
            return stored, ""
        if cert.problem:
            # A certificate path validator refuses it too (xmlsec1 does): never trust it.
            return None, (
                f"the carried certificate ({cert.subject}, serial {cert.serial}) is not "
                f"in the store and cannot be fully parsed: {cert.problem}"
            )
        if self.issuing_ca(cert) is not None:
            return cert, ""
        return None, (
            f"the carried certificate ({cert.subject}, serial {cert.serial}) is not in "
            "the store and no CA certificate in the store issued it"
        )

    def other_role_holders(self, spki_sha256: str) -> list[Certificate]:
        """SMKI DS/KA certificates of a role other than XML signing with this public key."""
        xml_roles = self.policy.xml_signing_roles
        return [c for c in self._by_spki.get(spki_sha256, ()) if is_other_role(c, xml_roles)]


def is_other_role(cert: Certificate, xml_roles: frozenset[str]) -> bool:
    """An SMKI DS or KA certificate of a role that must not sign XML."""
    return (
        cert.is_smki
        and cert.role_name not in xml_roles
        and ("DS" in cert.key_usage or "KA" in cert.key_usage)
    )


def carried_certificate(
    cert_b64: str, path: str, line: int, policy: SmkiPolicy
) -> Certificate | None:
    """A certificate carried in ``X509Certificate``, read as store certificates are, or None."""
    try:
        der = base64.b64decode(cert_b64)
    except (binascii.Error, ValueError):
        return None
    try:
        cert, _ = read_certificate(der, f"{path} (embedded)", line, policy)
    except Exception:  # a hostile carried certificate is "not found", never a crash
        return None
    return cert
