"""How a signature departs from its signature profile (``policies/duis.toml``): KS004's reasons.

The profile is an explicit argument (:class:`smki.policy.SignatureProfile`), chosen once per
document by its document element.
"""

from __future__ import annotations

from lxml import etree

from smki.certificates import Certificate
from smki.document import ds
from smki.findings import quoted
from smki.policy import SignatureProfile


def _one(parent: etree._Element | None, name: str) -> etree._Element | None:
    if parent is None:
        return None
    found = parent.findall(ds(name))
    return found[0] if len(found) == 1 else None


def _alg(element: etree._Element | None) -> str:
    return "missing" if element is None else quoted(element.get("Algorithm"))


def transforms_of(reference: etree._Element) -> tuple[str, ...]:
    holder = reference.find(ds("Transforms"))
    if holder is None:
        return ()
    return tuple(t.get("Algorithm") or "" for t in holder.findall(ds("Transform")))


def profile_deviations(
    sig: etree._Element, root: etree._Element, profile: SignatureProfile
) -> list[str]:
    """How a signature departs from ``profile`` (empty when it is exactly in it)."""
    out: list[str] = []
    if sig.getparent() is not root:
        out.append("signature is not enveloped in the document element")
    signed_info = _one(sig, "SignedInfo")
    if signed_info is None:
        return [*out, "no single SignedInfo"]
    out += _algorithm_deviations(
        signed_info,
        (
            ("CanonicalizationMethod", profile.canonicalization),
            ("SignatureMethod", profile.signature_method),
        ),
    )
    references = signed_info.findall(ds("Reference"))
    if len(references) != 1:
        return [*out, f"{len(references)} References where one is expected"]
    return out + _reference_deviations(references[0], profile)


def _algorithm_deviations(parent: etree._Element, wanted: tuple[tuple[str, str], ...]) -> list[str]:
    """Each (element, Algorithm) of ``wanted`` that is not one such element with that Algorithm."""
    out = []
    for name, algorithm in wanted:
        element = _one(parent, name)
        if element is None or element.get("Algorithm") != algorithm:
            out.append(f"{name} {_alg(element)}")
    return out


def _reference_deviations(reference: etree._Element, profile: SignatureProfile) -> list[str]:
    """The one Reference's URI, transforms and digest method against the profile's."""
    out = []
    if reference.get("URI") != profile.reference_uri:
        out.append(f"Reference URI={quoted(reference.get('URI'))}")
    transforms = transforms_of(reference)
    if transforms not in profile.transforms:
        out.append("Transforms " + (", ".join(map(quoted, transforms)) or "none"))
    return out + _algorithm_deviations(reference, (("DigestMethod", profile.digest_method),))


_KEY_NAMES = {
    "ec": "ECDSA",
    "rsa": "RSA",
    "rsa-pss": "RSA-PSS",
    "dsa": "DSA",
    "ed25519": "Ed25519",
    "ed448": "Ed448",
}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def key_deviation(cert: Certificate, profile: SignatureProfile) -> str | None:
    """Why the signing certificate's key is not the profile's (kind and curve), or None."""
    kind, curve = cert.key_kind, cert.curve
    if kind == profile.key and (kind != "ec" or curve == profile.curve):
        return None
    want = f"{_KEY_NAMES.get(profile.key, profile.key)} on {_CURVE_NAMES.get(profile.curve, profile.curve)}"
    have = _KEY_NAMES.get(kind, kind)
    if kind == "ec":
        have += f" on {_CURVE_NAMES.get(curve or '', curve or 'an unnamed curve')}"
    return f"the signing key is {have}, not {want}"
