"""The fast path: signatures exactly in a profile's shape, verified with lxml C14N and cryptography.

Only signatures of exactly the shape below (a strict subset of what the XMLDSig schema allows)
and with a key of the profile's kind and curve come here; everything else goes to the reference
path (signxml). Hash and curve come from the profile's algorithm table, never hard-coded.
``tests/test_smki_differential.py`` checks that this path never accepts what signxml or xmlsec1
reject.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
from typing import cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree

from smki.certificates import Certificate
from smki.document import DS, ENVELOPED, EXC_C14N, ds
from smki.findings import Finding, finding
from smki.keyinfo import Resolution, resolve_signing_certificate
from smki.policy import SignatureProfile
from smki.profile import transforms_of
from smki.store import CertificateStore
from smki.verdicts import remember, signature_findings

#: The exact shape of a DUIS signature: each element's allowed attributes and children (in
#: order, ``?`` optional, ``+`` repeated), text-only elements with their lexical form. The fast
#: path takes only signatures of this shape, a strict subset of what the XMLDSig schema allows
#: (signxml validates against it: ``Id`` only where the schema has it, an NCName, unique;
#: base64 with zero padding bits; only XML whitespace); signxml judges everything else.
_SHAPE: dict[str, tuple[frozenset[str], str]] = {
    "Signature": (frozenset({"Id"}), "SignedInfo SignatureValue KeyInfo?"),
    "SignedInfo": (frozenset({"Id"}), "CanonicalizationMethod SignatureMethod Reference"),
    "CanonicalizationMethod": (frozenset({"Algorithm"}), ""),
    "SignatureMethod": (frozenset({"Algorithm"}), ""),
    "Reference": (frozenset({"URI", "Id"}), "Transforms DigestMethod DigestValue"),
    "Transforms": (frozenset(), "Transform+"),
    "Transform": (frozenset({"Algorithm"}), ""),
    "DigestMethod": (frozenset({"Algorithm"}), ""),
    "KeyInfo": (frozenset({"Id"}), "X509Data"),
    "X509Data": (frozenset(), "X509IssuerSerial? X509SKI? X509Certificate?"),
    "X509IssuerSerial": (frozenset(), "X509IssuerName X509SerialNumber"),
}
# The padding forms of XML Schema's base64Binary: the bits the padding leaves over are zero.
_BASE64 = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*"
    r"(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?"
)
_TEXT = {
    "DigestValue": _BASE64,
    "SignatureValue": _BASE64,
    "X509SKI": _BASE64,
    "X509Certificate": _BASE64,
    "X509SerialNumber": re.compile(r"[+-]?[0-9]+"),
    "X509IssuerName": re.compile(r".*", re.S),
}
#: Text-only elements with an attribute in the schema: only SignatureValue, its Id.
_TEXT_ATTRIBUTES = {"SignatureValue": frozenset({"Id"})}
_NO_ATTRIBUTES: frozenset[str] = frozenset()
#: An ``Id`` as the fast path takes it: an ASCII NCName (xs:ID), unique within the signature.
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_XML_SPACE = " \t\n\r"
_WHITESPACE = re.compile(r"[ \t\n\r]+")


def _children_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for part in pattern.split():
        name, mark = (part[:-1], part[-1]) if part[-1] in "?+" else (part, "")
        parts.append(f"(?:{name} ){mark}")
    return re.compile("".join(parts))


_CHILDREN = {
    name: (attributes, _children_regex(children)) for name, (attributes, children) in _SHAPE.items()
}
_DS_PREFIX = f"{{{DS}}}"
_DS_LEN = len(_DS_PREFIX)


def has_exact_shape(sig: etree._Element) -> bool:
    """Whether a signature has exactly the DUIS shape (see ``_SHAPE``): no more, no less."""
    ids: set[str] = set()
    for element in sig.iter():
        tag = element.tag
        if tag.__class__ is not str or not tag.startswith(_DS_PREFIX):
            return False  # comments, processing instructions, foreign elements
        name = tag[_DS_LEN:]
        identifier = element.get("Id")
        if identifier is not None and not _new_id(identifier, ids):
            return False
        lexical = _TEXT.get(name)
        if lexical is not None:
            if not _text_in_shape(element, name, lexical):
                return False
        elif not _container_in_shape(element, name):
            return False
    return True


def _new_id(identifier: str, ids: set[str]) -> bool:
    """An ``Id`` is an NCName not seen before in the signature (then noted)."""
    if identifier in ids or not _ID.fullmatch(identifier):
        return False
    ids.add(identifier)
    return True


def _text_in_shape(element: etree._Element, name: str, lexical: re.Pattern[str]) -> bool:
    """A text-only element: no children, only its schema's attributes, text of its lexical form
    (whitespace ignored, except in the issuer's name)."""
    attributes = _TEXT_ATTRIBUTES.get(name, _NO_ATTRIBUTES)
    if len(element) or any(key not in attributes for key in element.attrib):
        return False
    text = element.text or ""
    if name != "X509IssuerName":
        text = _WHITESPACE.sub("", text)
    return lexical.fullmatch(text) is not None


def _container_in_shape(element: etree._Element, name: str) -> bool:
    """An element of children: only its attributes, only whitespace between its children, the
    children in the order and number ``_SHAPE`` gives."""
    shape = _CHILDREN.get(name)
    if shape is None:
        return False
    attributes, children = shape
    if any(key not in attributes for key in element.attrib):
        return False
    text = element.text
    if text and text.strip(_XML_SPACE):
        return False
    names = _child_names(element)
    return names is not None and children.fullmatch(names) is not None


def _child_names(element: etree._Element) -> str | None:
    """The children's local names, each followed by a space (``#`` for a non-element), or None
    if text other than whitespace follows one."""
    names = ""
    for child in element:
        tail = child.tail
        if tail and tail.strip(_XML_SPACE):
            return None
        child_tag = child.tag
        names += (child_tag[_DS_LEN:] if child_tag.__class__ is str else "#") + " "
    return names


def _c14n_attribute(value: str) -> bytes:
    """An attribute value as C14N writes it (XML C14N 1.0, 5.3 "Attribute Nodes")."""
    for char, escaped in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        ('"', "&quot;"),
        ("\t", "&#x9;"),
        ("\n", "&#xA;"),
        ("\r", "&#xD;"),
    ):
        value = value.replace(char, escaped)
    return value.encode()


#: Whitespace between elements and inside base64 text, as C14N writes it (CR as ``&#xD;``).
_C14N_SPACE = rb"[ \t\n]*(?:&#xD;[ \t\n]*)*"
_C14N_BASE64 = rb"[A-Za-z0-9+/=\t\n ]*(?:&#xD;[A-Za-z0-9+/=\t\n ]*)*"
_EXC_TRANSFORM = b'Algorithm="' + EXC_C14N.encode() + b'"'
_DUIS_PATTERNS: dict[tuple[str | None, SignatureProfile], re.Pattern[bytes]] = {}


def _duis_pattern(prefix: str | None, profile: SignatureProfile) -> re.Pattern[bytes]:
    """Exclusive C14N (with comments) of a signature exactly in the DUIS profile and shape.

    A signature whose canonical form matches has no profile deviation and the exact shape of
    ``_SHAPE`` (a strict subset of it: only XML whitespace between elements, ``Id`` only where
    DUIS signers put it); C14N has already resolved entities, CDATA, quoting and attribute
    order, and shows comments, processing instructions and every namespace (re)declaration,
    which the pattern refuses below the ``Signature`` element.
    """
    pattern = _DUIS_PATTERNS.get((prefix, profile))
    if pattern is not None:
        return pattern
    p = re.escape(f"{prefix}:".encode() if prefix else b"")
    xmlns = re.escape(f' xmlns{":" + prefix if prefix else ""}="{DS}"'.encode())
    ws, b64 = _C14N_SPACE, _C14N_BASE64

    def ident(group: str) -> bytes:
        return b'(?: Id="(?P<' + group.encode() + b">" + _ID.pattern.encode() + b')")?'

    def algorithm(name: bytes, value: str) -> bytes:
        return (
            b"<"
            + p
            + name
            + b' Algorithm="'
            + re.escape(_c14n_attribute(value))
            + b'"></'
            + p
            + name
            + b">"
            + ws
        )

    # Only the transform lists the fast path implements: enveloped, then optionally exc-c14n.
    transforms = b"|".join(
        b"".join(algorithm(b"Transform", t) for t in listed)
        for listed in profile.transforms
        if listed in ((ENVELOPED,), (ENVELOPED, EXC_C14N))
    )
    if not transforms or profile.canonicalization != EXC_C14N:
        transforms = rb"(?!)"  # never matches: everything goes the general way
    pattern = re.compile(
        b"<"
        + p
        + b"Signature"
        + xmlns
        + ident("signature_id")
        + b">"
        + ws
        + b"(?P<signed_info><"
        + p
        + b"SignedInfo"
        + ident("signed_info_id")
        + b">"
        + ws
        + algorithm(b"CanonicalizationMethod", profile.canonicalization)
        + algorithm(b"SignatureMethod", profile.signature_method)
        + b"<"
        + p
        + b"Reference"
        + ident("reference_id")
        + b' URI="'
        + re.escape(_c14n_attribute(profile.reference_uri))
        + b'">'
        + ws
        + b"<"
        + p
        + b"Transforms>"
        + ws
        + b"(?P<transforms>"
        + transforms
        + b")</"
        + p
        + b"Transforms>"
        + ws
        + algorithm(b"DigestMethod", profile.digest_method)
        + b"<"
        + p
        + b"DigestValue>(?P<digest>"
        + b64
        + b")</"
        + p
        + b"DigestValue>"
        + ws
        + b"</"
        + p
        + b"Reference>"
        + ws
        + b"</"
        + p
        + b"SignedInfo>)"
        + ws
        + b"<"
        + p
        + b"SignatureValue"
        + ident("value_id")
        + b">(?P<value>"
        + b64
        + b")</"
        + p
        + b"SignatureValue>"
        + ws
        + b"(?P<key_info><"
        + p
        + b"KeyInfo"
        + ident("key_info_id")
        + b">"
        + ws
        + b"<"
        + p
        + b"X509Data>"
        + ws
        + b"(?:<"
        + p
        + b"X509IssuerSerial>"
        + ws
        + b"<"
        + p
        + b"X509IssuerName>[^<]*</"
        + p
        + b"X509IssuerName>"
        + ws
        + b"<"
        + p
        + b"X509SerialNumber>[+-]?[0-9]+</"
        + p
        + b"X509SerialNumber>"
        + ws
        + b"</"
        + p
        + b"X509IssuerSerial>"
        + ws
        + b")?"
        + b"(?P<ski><"
        + p
        + b"X509SKI>"
        + b64
        + b"</"
        + p
        + b"X509SKI>"
        + ws
        + b")?"
        + b"(?P<embedded><"
        + p
        + b"X509Certificate>"
        + b64
        + b"</"
        + p
        + b"X509Certificate>"
        + ws
        + b")?"
        + b"</"
        + p
        + b"X509Data>"
        + ws
        + b"</"
        + p
        + b"KeyInfo>)"
        + ws
        + b"</"
        + p
        + b"Signature>"
    )
    _DUIS_PATTERNS[(prefix, profile)] = pattern
    return pattern


_BASE64_BYTES = re.compile(_BASE64.pattern.encode())


def _base64_value(text: bytes) -> bytes | None:
    """Decode base64 text as C14N wrote it (whitespace allowed), or None if it is not base64."""
    text = text.replace(b"&#xD;", b"").translate(None, b" \t\n")
    if not _BASE64_BYTES.fullmatch(text):
        return None
    return binascii.a2b_base64(text)


def _well_formed_key_info(match: re.Match[bytes]) -> bool:
    """The lexical checks of ``has_exact_shape`` on KeyInfo's base64 texts."""
    for name in ("ski", "embedded"):
        element = match[name]
        if element is not None:
            text = element[element.index(b">") + 1 : element.rindex(b"</")]
            if _base64_value(text) is None:
                return False
    return True


#: ECDSA with each hash the algorithm table names, made once.
_ECDSA: dict[str, ec.ECDSA] = {}
_ID_GROUPS = ("signature_id", "signed_info_id", "reference_id", "value_id", "key_info_id")


def _unique_ids(match: re.Match[bytes]) -> bool:
    ids = [i for i in match.group(*_ID_GROUPS) if i is not None]
    return len(ids) == len(set(ids))


def _c14n_without(tree: etree._ElementTree, sig: etree._Element, exclusive: bool) -> bytes:
    """C14N of the document with ``sig`` taken out (the enveloped-signature transform).

    Destructive: ``sig`` is removed for good. Putting it back would let lxml reconcile its
    namespace prefixes with the document's, which changes its own canonical form.
    """
    parent = sig.getparent()
    previous = sig.getprevious()
    tail = sig.tail
    # lxml moves an element's tail text with it; the transform removes the element only.
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(sig)
    return etree.tostring(tree, method="c14n", exclusive=exclusive, with_comments=False)


def fast_path_applies(
    sig: etree._Element, root: etree._Element, cert: Certificate, profile: SignatureProfile
) -> bool:
    """Whether a signature (already in ``profile``) has the exact shape and a key the path verifies."""
    signed_info = sig.find(ds("SignedInfo"))
    c14n = signed_info.find(ds("CanonicalizationMethod"))
    return (
        sig.getparent() is root
        and len(c14n) == 0  # no InclusiveNamespaces PrefixList
        and has_exact_shape(sig)
        and _verifiable(cert, profile)
    )


def _verifiable(cert: Certificate, profile: SignatureProfile) -> bool:
    return (
        profile.key == "ec"
        and cert.key_kind == "ec"
        and cert.curve == profile.curve
        and cert.public_key is not None
        and profile.canonicalization == EXC_C14N
    )


def verify_fast(
    tree: etree._ElementTree, sig: etree._Element, cert: Certificate, profile: SignatureProfile
) -> str | None:
    """Verify a signature exactly in ``profile``; uses the tree up. The reason it fails, or None."""
    signed_info = sig.find(ds("SignedInfo"))
    reference = signed_info.find(ds("Reference"))
    values = sig.findall(ds("SignatureValue"))
    digests = reference.findall(ds("DigestValue"))
    if len(values) != 1 or len(digests) != 1:
        return "no single SignatureValue and DigestValue"
    expected = _base64_value(b"".join((digests[0].text or "").encode().split()))
    raw = _base64_value(b"".join((values[0].text or "").encode().split()))
    if expected is None or raw is None:
        return "DigestValue or SignatureValue is not base64"
    exclusive = len(transforms_of(reference)) == 2
    return _verify(tree, sig, exclusive, expected, raw, cert, profile)


def check_fast(
    tree: etree._ElementTree,
    root: etree._Element,
    sig: etree._Element,
    store: CertificateStore,
    path: str,
    as_of: dt.date,
    profile: SignatureProfile,
) -> list[Finding] | None:
    """The findings of a document's one signature if it is exactly in shape, else None.

    The same findings the tree walk (:func:`smki.signatures.check_signature`) gives, from one
    C14N of the signature matched against a precompiled pattern: no profile deviation is
    possible, KeyInfo is resolved once per distinct KeyInfo, the certificate's verdicts once per
    certificate. Returns None, leaving the tree untouched, for anything else.
    """
    shaped = _in_exact_shape(root, sig, profile)
    if shaped is None:
        return None
    match, expected, raw = shaped
    line = sig.sourceline or 1
    resolved = _resolve_once(sig, store, path, match["key_info"])
    cert = resolved.certificate
    if cert is None:
        return [finding("KS003", path, line, f"signing certificate not found: {resolved.named}")]
    if resolved.conflict or not _verifiable(cert, profile):
        return None  # KS004: the tree walk says so
    failure = _verify(
        tree, sig, _EXC_TRANSFORM in match["transforms"], expected, raw, cert, profile
    )
    return signature_findings(cert, store, as_of, path, line, failure)


def _in_exact_shape(
    root: etree._Element,
    sig: etree._Element,
    profile: SignatureProfile,
) -> tuple[re.Match[bytes], bytes, bytes] | None:
    """The match of the signature's C14N against the profile's pattern, with its digest and
    signature value decoded; None if it is not the root's child of exactly that shape."""
    if sig.getparent() is not root:
        return None
    try:
        rendered = etree.tostring(sig, method="c14n", exclusive=True, with_comments=True)
    except etree.C14NError:
        return None
    match = _duis_pattern(sig.prefix, profile).fullmatch(rendered)
    if match is None or not _well_formed_key_info(match) or not _unique_ids(match):
        return None
    expected, raw = _base64_value(match["digest"]), _base64_value(match["value"])
    if expected is None or raw is None:
        return None  # not the exact shape: signxml says what is wrong
    return match, expected, raw


def _resolve_once(
    sig: etree._Element, store: CertificateStore, path: str, key_info: bytes
) -> Resolution:
    """KeyInfo resolved once per distinct KeyInfo (its canonical bytes) and store."""
    key = ("key_info", key_info)
    resolved = cast("Resolution | None", store.memo.get(key))  # remembered below
    if resolved is None:
        resolved = resolve_signing_certificate(sig, store, path)
        if (
            resolved.certificate is None
            or store.by_fingerprint(resolved.certificate.fingerprint_sha256) is resolved.certificate
        ):
            remember(store, key, resolved)  # a carried certificate not in the store is per path
    return resolved


def _verify(
    tree: etree._ElementTree,
    sig: etree._Element,
    exclusive: bool,
    expected: bytes,
    raw: bytes,
    cert: Certificate,
    profile: SignatureProfile,
) -> str | None:
    """Digest of the document without ``sig``, then ECDSA over its SignedInfo; uses the tree up.

    The reason it fails, or None. C14N errors (e.g. a relative namespace URI) are failures.
    """
    try:
        signed = etree.tostring(sig[0], method="c14n", exclusive=True, with_comments=False)
        document = _c14n_without(tree, sig, exclusive)
    except etree.C14NError as exc:  # e.g. a relative namespace URI, which C14N refuses
        return f"the document cannot be canonicalised ({type(exc).__name__})"
    if hashlib.new(profile.digest_hash, document).digest() != expected:
        return "the digest of reference 1 (the whole document) does not match the document"
    size = profile.coordinate_bytes
    if len(raw) != 2 * size:
        return f"the signature value is not an r||s pair of {size}-octet integers"
    signature = encode_dss_signature(
        int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    )
    algorithm = _ECDSA.get(profile.signature_hash)
    if algorithm is None:
        algorithm = _ECDSA[profile.signature_hash] = ec.ECDSA(
            getattr(hashes, profile.signature_hash.upper())()
        )
    try:
        cert.public_key.verify(signature, signed, algorithm)
    except InvalidSignature:
        return "the signature value does not verify with the certificate's key"
    return None
