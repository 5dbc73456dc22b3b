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


def profile_deviations(sig: etree._Element, root: etree._Element,
                       profile: SignatureProfile) -> list[str]:
    """How a signature departs from ``profile`` (empty when it is exactly in it)."""
    out: list[str] = []
    if sig.getparent() is not root:
        out.append("signature is not enveloped in the document element")
    signed_info = _one(sig, "SignedInfo")
    if signed_info is None:
        return [*out, "no single SignedInfo"]
    c14n = _one(signed_info, "CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") != profile.canonicalization:
        out.append(f"CanonicalizationMethod {_alg(c14n)}")
    method = _one(signed_info, "SignatureMethod")
    if method is None or method.get("Algorithm") != profile.signature_method:
        out.append(f"SignatureMethod {_alg(method)}")
    references = signed_info.findall(ds("Reference"))
    if len(references) != 1:
        return [*out, f"{len(references)} References where one is expected"]
    reference = references[0]
    if reference.get("URI") != profile.reference_uri:
        out.append(f"Reference URI={quoted(reference.get('URI'))}")
    transforms = transforms_of(reference)
    if transforms not in profile.transforms:
        out.append("Transforms " + (", ".join(map(quoted, transforms)) or "none"))
    digest = _one(reference, "DigestMethod")
    if digest is None or digest.get("Algorithm") != profile.digest_method:
        out.append(f"DigestMethod {_alg(digest)}")
    return out


_KEY_NAMES = {"ec": "ECDSA", "rsa": "RSA", "rsa-pss": "RSA-PSS", "dsa": "DSA",
              "ed25519": "Ed25519", "ed448": "Ed448"}
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
