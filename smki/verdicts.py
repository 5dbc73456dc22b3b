"""What a signing certificate itself says, whatever the signature: KS006, KS007 and KS001.

Worked out once per certificate per process and shared by the fast path and the tree walk.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from smki.certificates import Certificate
from smki.findings import Finding, finding
from smki.store import CertificateStore, is_other_role

_MEMO_LIMIT = 4096


def remember(store: CertificateStore, key: tuple, value: object) -> None:
    if len(store.memo) >= _MEMO_LIMIT:  # many distinct KeyInfo Ids: start again, stay small
        store.memo.clear()
    store.memo[key] = value


def _validity(cert: Certificate) -> str:
    if cert.not_before is None or cert.not_after is None:
        return "validity unreadable"
    return f"{cert.not_before.date()} to {cert.not_after.date()}"


def certificate_verdicts(
    cert: Certificate, store: CertificateStore, as_of: dt.date
) -> list[tuple[str, str, list[Certificate]]]:
    """KS006, KS007 and KS001 of the certificate that verified a signature: (rule, message, certs).

    KS001 counts every store certificate of another role with the same key, and the signing
    certificate's own role (a supplier DS certificate signing DUIS XML is KS001 too).
    """
    key = ("verdicts", cert.fingerprint_sha256, as_of)
    cached = store.memo.get(key)
    if cached is not None:
        return cast(list[tuple[str, str, list[Certificate]]], cached)  # remembered below
    policy = store.policy
    verdicts: list[tuple[str, str, list[Certificate]]] = []
    if not (cert.is_smki and cert.role_name in policy.xml_signing_roles):
        what = cert.not_smki_reason or f"role {cert.role_name}"
        verdicts.append(
            (
                "KS006",
                f"signing certificate is not an SMKI XmlSign/DspXmlSign certificate ({what})",
                [cert],
            )
        )
    if not cert.valid_on(as_of):
        verdicts.append(
            (
                "KS007",
                f"signing certificate is not valid on {as_of.isoformat()} "
                f"({_validity(cert)}); verified as of its own validity",
                [cert],
            )
        )
    holders = store.other_role_holders(cert.spki_sha256)
    if is_other_role(cert, policy.xml_signing_roles) and all(h is not cert for h in holders):
        holders = [cert, *holders]
    if holders:
        roles = ", ".join(f"{h.role_name} {h.key_usage}" for h in holders)
        verdicts.append(
            (
                "KS001",
                f"signed with the key of SMKI certificate(s) of another role "
                f"({roles}): " + "; ".join(h.describe() for h in holders),
                holders,
            )
        )
    remember(store, key, verdicts)
    return verdicts


def signature_findings(
    cert: Certificate,
    store: CertificateStore,
    as_of: dt.date,
    path: str,
    line: int,
    failure: str | None,
) -> list[Finding]:
    """The findings of a signature checked with ``cert``, by either path: KS002 if it failed,
    then the certificate's verdicts (KS001 only for a signature that verified)."""
    findings = []
    if failure:
        findings.append(
            finding("KS002", path, line, f"signature does not verify: {failure}", [cert])
        )
    for rule, message, certs in certificate_verdicts(cert, store, as_of):
        if rule != "KS001" or not failure:
            findings.append(finding(rule, path, line, message, certs))
    return findings
