"""Check every ``ds:Signature`` of a signed document against its signature profile and the store.

The orchestration only: reading is :mod:`smki.document`, the profile's rules :mod:`smki.profile`,
key resolution :mod:`smki.keyinfo`, verification :mod:`smki.fastpath` (signatures exactly in
shape) and :mod:`smki.reference` (signxml, everything else). Time is linear in the document: a
document with more signatures than its profile allows is KS004, and only the first
``max_signatures_verified`` of them are verified (each costs a pass over the whole document).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from lxml import etree

from smki.certificates import Certificate
from smki.document import DS, read_document, signatures_of, unsigned_message
from smki.fastpath import check_fast, fast_path_applies, verify_fast
from smki.findings import Finding, finding
from smki.keyinfo import Resolution, resolve_signing_certificate
from smki.policy import SignatureProfile
from smki.profile import key_deviation, profile_deviations
from smki.reference import verify_general
from smki.store import CertificateStore
from smki.verdicts import signature_findings

__all__ = ["DS", "SignatureResult", "check_document", "check_signature", "signatures_of"]


@dataclass
class SignatureResult:
    """What one signature showed: findings, and the certificate whose key verified it."""

    line: int
    findings: list[Finding]
    certificate: Certificate | None


def verification_time(cert: Certificate, as_of: dt.date) -> dt.datetime:
    """As of ``as_of`` where the certificate is valid then, else inside its own validity."""
    noon = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    if cert.not_before is None or cert.not_after is None:
        return noon
    if cert.not_before <= noon <= cert.not_after:
        return noon
    return cert.not_before + (cert.not_after - cert.not_before) / 2


def check_signature(
    tree: etree._ElementTree,
    sig: etree._Element,
    store: CertificateStore,
    path: str,
    as_of: dt.date,
    profile: SignatureProfile,
    *,
    signatures: int = 1,
    last_use: bool = False,
) -> SignatureResult:
    """Check one signature against ``profile``; with ``last_use`` the tree may be used up."""
    line = sig.sourceline or 1
    deviations = profile_deviations(sig, tree.getroot(), profile)
    resolution = resolve_signing_certificate(sig, store, path)
    cert = resolution.certificate
    if cert is not None:
        deviations += _key_deviations(cert, resolution, profile)
    findings: list[Finding] = []
    if deviations:
        findings.append(
            finding(
                "KS004",
                path,
                line,
                f"signature outside the {profile.name} profile: " + "; ".join(deviations),
            )
        )
    if cert is None:
        findings.append(
            finding("KS003", path, line, f"signing certificate not found: {resolution.named}")
        )
        return SignatureResult(line, findings, None)
    failure = _verify(
        tree,
        sig,
        cert,
        profile,
        as_of,
        in_profile=not deviations,
        signatures=signatures,
        last_use=last_use,
    )
    findings += signature_findings(cert, store, as_of, path, line, failure)
    return SignatureResult(line, findings, cert)


def _key_deviations(
    cert: Certificate, resolution: Resolution, profile: SignatureProfile
) -> list[str]:
    """KeyInfo naming different certificates, and a key of another kind than the profile's."""
    return [problem for problem in (resolution.conflict, key_deviation(cert, profile)) if problem]


def _verify(
    tree: etree._ElementTree,
    sig: etree._Element,
    cert: Certificate,
    profile: SignatureProfile,
    as_of: dt.date,
    *,
    in_profile: bool,
    signatures: int,
    last_use: bool,
) -> str | None:
    """Why the signature does not verify with ``cert``, or None: on the fast path where it is in
    the profile and exactly in shape (on a copy of the tree unless this is its last use), else
    by signxml."""
    if not in_profile or not fast_path_applies(sig, tree.getroot(), cert, profile):
        return verify_general(tree, sig, cert, verification_time(cert, as_of), signatures)
    if not last_use:
        index = next(i for i, s in enumerate(signatures_of(tree)) if s is sig)
        tree = copy.deepcopy(tree)
        sig = signatures_of(tree)[index]
    return verify_fast(tree, sig, cert, profile)


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def check_document(
    path: str, data: bytes, store: CertificateStore, as_of: dt.date
) -> tuple[list[Finding], int]:
    """Every finding of one XML document, and how many signatures it holds, under the store's
    policy (its limits, and the signature profile its document element names)."""
    policy = store.policy
    if len(data) > policy.max_document_bytes:
        return [
            finding(
                "KS005",
                path,
                1,
                f"{len(data):,} bytes, over the limit of {policy.max_document_bytes:,}; not read",
            )
        ], 0
    tree, findings = read_document(path, data)
    if tree is None:
        return findings, 0
    root = tree.getroot()
    profile = policy.profile_for(_local_name(root))
    signatures = signatures_of(tree)
    if not signatures:
        return [finding("KS004", path, 1, unsigned_message(root))], 0
    expected = profile.signatures_per_document
    if len(signatures) == 1:
        fast = check_fast(tree, root, signatures[0], store, path, as_of, profile)
        if fast is not None:
            return fast, 1
    checked = signatures[: max(expected, profile.max_signatures_verified)]
    if len(signatures) > expected:
        unverified = len(signatures) - len(checked)
        findings.append(
            finding(
                "KS004",
                path,
                signatures[expected].sourceline,
                f"{len(signatures)} signatures where {expected} is expected"
                + (
                    f"; the {unverified} after the first {len(checked)} are not verified"
                    if unverified
                    else ""
                ),
            )
        )
    for number, sig in enumerate(checked, 1):
        findings += check_signature(
            tree,
            sig,
            store,
            path,
            as_of,
            profile,
            signatures=len(signatures),
            last_use=number == len(checked),
        ).findings
    return findings, len(signatures)
