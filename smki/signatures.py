"""Verify every ``ds:Signature`` of a signed DUIS document and check it against the DUIS profile.

Signatures exactly in the DUIS profile take a fast path (lxml C14N, hashlib, cryptography
ECDSA); anything else is verified by signxml. ``tests/test_smki_differential.py`` checks that
the fast path never accepts what signxml or xmlsec1 reject.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree

from smki.certificates import Certificate
from smki.findings import Finding, finding
from smki.policy import DuisProfile, load_policy
from smki.store import CertificateStore

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_SIGNATURE = f"{{{DS}}}Signature"


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def safe_parser() -> etree.XMLParser:
    """No entities, no DTD, no network, no huge trees: a request is data, never instructions."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        dtd_validation=False, remove_comments=False,
    )


_PARSER = safe_parser()


@dataclass
class SignatureResult:
    """What one signature showed: findings, and the certificate whose key verified it."""

    line: int
    findings: list[Finding]
    certificate: Certificate | None
    verified: bool


def read_document(path: str, data: bytes) -> tuple[etree._ElementTree | None, list[Finding]]:
    """Parse a document safely, or say why it cannot be (KS005)."""
    for marker in (b"<!DOCTYPE", b"<!ENTITY"):
        at = data.find(marker)
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
            return None, [finding("KS005", path, line,
                                  "document has a DTD or entity declarations; refused unread")]
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        return None, [finding("KS005", path, line, f"not well-formed XML: {exc.msg}")]
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        return None, [finding("KS005", path, 1, "document has a DTD; refused unread")]
    return tree, []


def signatures_of(tree: etree._ElementTree) -> list[etree._Element]:
    return list(tree.getroot().iter(_SIGNATURE))


def _one(parent: etree._Element | None, name: str) -> etree._Element | None:
    if parent is None:
        return None
    found = parent.findall(_ds(name))
    return found[0] if len(found) == 1 else None


def profile_deviations(sig: etree._Element, root: etree._Element,
                       profile: DuisProfile) -> list[str]:
    """How a signature departs from the DUIS profile (empty when it is exactly in it)."""
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
    references = signed_info.findall(_ds("Reference"))
    if len(references) != 1:
        return [*out, f"{len(references)} References where one is expected"]
    reference = references[0]
    if reference.get("URI") != profile.reference_uri:
        out.append(f"Reference URI={reference.get('URI')!r}")
    transforms = _transforms(reference)
    if transforms not in profile.transforms:
        out.append("Transforms " + (", ".join(transforms) or "none"))
    digest = _one(reference, "DigestMethod")
    if digest is None or digest.get("Algorithm") != profile.digest_method:
        out.append(f"DigestMethod {_alg(digest)}")
    return out


def _alg(element: etree._Element | None) -> str:
    return "missing" if element is None else repr(element.get("Algorithm"))


def _transforms(reference: etree._Element) -> tuple[str, ...]:
    holder = reference.find(_ds("Transforms"))
    if holder is None:
        return ()
    return tuple(t.get("Algorithm") or "" for t in holder.findall(_ds("Transform")))


def resolve_signing_certificate(
    sig: etree._Element, store: CertificateStore, path: str
) -> tuple[Certificate | None, str]:
    """The certificate ``KeyInfo`` names, and how it was named (for messages)."""
    data = sig.find(f"{_ds('KeyInfo')}/{_ds('X509Data')}")
    if data is None:
        return None, "KeyInfo names no X.509 certificate"
    named = []
    for issuer_serial in data.findall(_ds("X509IssuerSerial")):
        issuer = issuer_serial.findtext(_ds("X509IssuerName")) or ""
        serial = issuer_serial.findtext(_ds("X509SerialNumber")) or ""
        cert = store.by_issuer_serial(issuer, serial)
        if cert is not None:
            return cert, ""
        named.append(f"issuer {issuer.strip()!r} serial {serial.strip()}")
    for ski in data.findall(_ds("X509SKI")):
        cert = store.by_ski(ski.text or "")
        if cert is not None:
            return cert, ""
        named.append(f"X509SKI {(ski.text or '').strip()}")
    for embedded in data.findall(_ds("X509Certificate")):
        cert = store.by_embedded(embedded.text or "", path, embedded.sourceline or 1)
        if cert is not None:
            return cert, ""
        named.append("an X509Certificate that cannot be parsed")
    return None, "; ".join(named) or "X509Data names no certificate"


def _decode(text: str | None) -> bytes:
    # SignatureValue may hold line breaks and &#13;: base64 without validation skips them.
    return base64.b64decode(text or "", validate=False)


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


def fast_path_applies(sig: etree._Element, root: etree._Element, cert: Certificate) -> bool:
    signed_info = sig.find(_ds("SignedInfo"))
    c14n = signed_info.find(_ds("CanonicalizationMethod"))
    return (
        sig.getparent() is root
        and len(c14n) == 0  # no InclusiveNamespaces PrefixList
        and has_exact_shape(sig)
        and isinstance(cert.public_key, ec.EllipticCurvePublicKey)
        and cert.public_key.curve.name == load_policy().profile.curve
    )


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
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*"
                     r"(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?")
_TEXT = {
    "DigestValue": _BASE64, "SignatureValue": _BASE64, "X509SKI": _BASE64,
    "X509Certificate": _BASE64, "X509SerialNumber": re.compile(r"[+-]?[0-9]+"),
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


_CHILDREN = {name: (attributes, _children_regex(children))
             for name, (attributes, children) in _SHAPE.items()}
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
        lexical = _TEXT.get(name)
        identifier = element.get("Id")
        if identifier is not None:
            if identifier in ids or not _ID.fullmatch(identifier):
                return False
            ids.add(identifier)
        if lexical is not None:
            attributes = _TEXT_ATTRIBUTES.get(name, _NO_ATTRIBUTES)
            if len(element) or any(key not in attributes for key in element.attrib):
                return False
            text = element.text or ""
            if name != "X509IssuerName":
                text = _WHITESPACE.sub("", text)
            if not lexical.fullmatch(text):
                return False
            continue
        shape = _CHILDREN.get(name)
        if shape is None:
            return False
        attributes, children = shape
        if any(key not in attributes for key in element.attrib):
            return False
        text = element.text
        if text and text.strip(_XML_SPACE):
            return False
        names = ""
        for child in element:
            tail = child.tail
            if tail and tail.strip(_XML_SPACE):
                return False
            child_tag = child.tag
            names += (child_tag[_DS_LEN:] if child_tag.__class__ is str else "#") + " "
        if not children.fullmatch(names):
            return False
    return True


def verify_fast(tree: etree._ElementTree, sig: etree._Element, cert: Certificate,
                consume: bool = False) -> str | None:
    """Verify a signature exactly in the DUIS profile; the reason it fails, or None.

    With ``consume`` the tree is used up (the signature is taken out of it), which saves a copy
    when a document has one signature; otherwise the work is done on a copy.
    """
    if not consume:
        index = signatures_of(tree).index(sig)
        tree = copy.deepcopy(tree)
        sig = signatures_of(tree)[index]
    signed_info = sig.find(_ds("SignedInfo"))
    reference = signed_info.find(_ds("Reference"))
    values = sig.findall(_ds("SignatureValue"))
    digests = reference.findall(_ds("DigestValue"))
    if len(values) != 1 or len(digests) != 1:
        return "no single SignatureValue and DigestValue"
    try:
        expected = _decode(digests[0].text)
        raw = _decode(values[0].text)
    except (binascii.Error, ValueError):
        return "DigestValue or SignatureValue is not base64"
    exclusive = len(_transforms(reference)) == 2
    return _verify_duis(tree, sig, exclusive, expected, raw, cert.public_key)


def verify_general(tree: etree._ElementTree, sig: etree._Element, cert: Certificate,
                   when: dt.datetime) -> str | None:
    """Verify any signature signxml understands; the reason it fails, or None."""
    from signxml import (  # imported here: only signatures outside the profile need it
        CanonicalizationMethod,
        DigestAlgorithm,
        SignatureConfiguration,
        SignatureMethod,
        XMLVerifier,
    )

    if len(signatures_of(tree)) > 1:
        return "signxml verifies only a document's first signature; not verified"
    config = SignatureConfiguration(
        require_x509=True,
        expect_references=True,
        signature_methods=frozenset(SignatureMethod),
        digest_algorithms=frozenset(DigestAlgorithm),
        ignore_ambiguous_key_info=True,
        verification_time=when,
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    try:
        XMLVerifier().verify(tree.getroot(), x509_cert=cert.x509, expect_config=config)
    except Exception as exc:  # signxml raises many kinds on hostile input; each is a failure
        return f"{type(exc).__name__}: {exc}"
    references = sig.findall(f"{_ds('SignedInfo')}/{_ds('Reference')}")
    if not any(r.get("URI") == "" for r in references):
        uris = ", ".join(repr(r.get("URI")) for r in references)
        return f"signature does not cover the whole document (Reference URI {uris})"
    return None


def verification_time(cert: Certificate, as_of: dt.date) -> dt.datetime:
    """As of ``as_of`` where the certificate is valid then, else inside its own validity."""
    noon = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    if cert.not_before <= noon <= cert.not_after:
        return noon
    return cert.not_before + (cert.not_after - cert.not_before) / 2


def check_signature(tree: etree._ElementTree, sig: etree._Element, store: CertificateStore,
                    path: str, as_of: dt.date, last_use: bool = False) -> SignatureResult:
    """Check one signature; with ``last_use`` the tree may be used up by the fast path."""
    policy = load_policy()
    root = tree.getroot()
    line = sig.sourceline or 1
    findings: list[Finding] = []
    deviations = profile_deviations(sig, root, policy.profile)
    if deviations:
        findings.append(finding("KS004", path, line,
                                "signature outside the DUIS profile: " + "; ".join(deviations)))
    cert, named = resolve_signing_certificate(sig, store, path)
    if cert is None:
        findings.append(finding("KS003", path, line, f"signing certificate not found: {named}"))
        return SignatureResult(line, findings, None, False)
    if deviations or not fast_path_applies(sig, root, cert):
        failure = verify_general(tree, sig, cert, verification_time(cert, as_of))
    else:
        failure = verify_fast(tree, sig, cert, consume=last_use)
    if failure:
        findings.append(finding("KS002", path, line, f"signature does not verify: {failure}", [cert]))
    for rule, message, certs in _certificate_verdicts(cert, store, as_of):
        if rule != "KS001" or not failure:
            findings.append(finding(rule, path, line, message, certs))
    return SignatureResult(line, findings, cert, not failure)


def _c14n_attribute(value: str) -> bytes:
    """An attribute value as C14N writes it (XML C14N 1.0, 5.3 "Attribute Nodes")."""
    for char, escaped in (("&", "&amp;"), ("<", "&lt;"), ('"', "&quot;"), ("\t", "&#x9;"),
                          ("\n", "&#xA;"), ("\r", "&#xD;")):
        value = value.replace(char, escaped)
    return value.encode()


#: Whitespace between elements and inside base64 text, as C14N writes it (CR as ``&#xD;``).
_C14N_SPACE = rb"[ \t\n]*(?:&#xD;[ \t\n]*)*"
_C14N_BASE64 = rb"[A-Za-z0-9+/=\t\n ]*(?:&#xD;[A-Za-z0-9+/=\t\n ]*)*"
_EXC_TRANSFORM = b'Algorithm="' + EXC_C14N.encode() + b'"'
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_DUIS_PATTERNS: dict[str | None, re.Pattern[bytes]] = {}


def _duis_pattern(prefix: str | None) -> re.Pattern[bytes]:
    """Exclusive C14N (with comments) of a signature exactly in the DUIS profile and shape.

    A signature whose canonical form matches has no profile deviation and the exact shape of
    ``_SHAPE`` (a strict subset of it: only XML whitespace between elements, ``Id`` only where
    DUIS signers put it); C14N has already resolved entities, CDATA, quoting and attribute
    order, and shows comments, processing instructions and every namespace (re)declaration,
    which the pattern refuses below the ``Signature`` element.
    """
    pattern = _DUIS_PATTERNS.get(prefix)
    if pattern is not None:
        return pattern
    profile = load_policy().profile
    p = re.escape(f"{prefix}:".encode() if prefix else b"")
    xmlns = re.escape(f' xmlns{":" + prefix if prefix else ""}="{DS}"'.encode())
    ws, b64 = _C14N_SPACE, _C14N_BASE64

    def ident(group: str) -> bytes:
        return b'(?: Id="(?P<' + group.encode() + b'>' + _ID.pattern.encode() + b')")?'

    def algorithm(name: bytes, value: str) -> bytes:
        return (b"<" + p + name + b' Algorithm="' + re.escape(_c14n_attribute(value)) + b'"></'
                + p + name + b">" + ws)

    # Only the transform lists the fast path implements: enveloped, then optionally exc-c14n.
    transforms = b"|".join(
        b"".join(algorithm(b"Transform", t) for t in listed)
        for listed in profile.transforms
        if listed in ((_ENVELOPED,), (_ENVELOPED, EXC_C14N)))
    if not transforms or profile.canonicalization != EXC_C14N:
        transforms = rb"(?!)"  # never matches: everything goes the general way
    pattern = re.compile(
        b"<" + p + b"Signature" + xmlns + ident("signature_id") + b">" + ws
        + b"(?P<signed_info><" + p + b"SignedInfo" + ident("signed_info_id") + b">" + ws
        + algorithm(b"CanonicalizationMethod", profile.canonicalization)
        + algorithm(b"SignatureMethod", profile.signature_method)
        + b"<" + p + b"Reference" + ident("reference_id") + b' URI="'
        + re.escape(_c14n_attribute(profile.reference_uri)) + b'">' + ws
        + b"<" + p + b"Transforms>" + ws + b"(?P<transforms>" + transforms + b")</" + p
        + b"Transforms>" + ws
        + algorithm(b"DigestMethod", profile.digest_method)
        + b"<" + p + b"DigestValue>(?P<digest>" + b64 + b")</" + p
        + b"DigestValue>" + ws + b"</" + p + b"Reference>" + ws + b"</" + p + b"SignedInfo>)"
        + ws + b"<" + p + b"SignatureValue" + ident("value_id") + b">(?P<value>" + b64 + b")</" + p
        + b"SignatureValue>" + ws
        + b"(?P<key_info><" + p + b"KeyInfo" + ident("key_info_id") + b">" + ws + b"<" + p + b"X509Data>" + ws
        + b"(?:<" + p + b"X509IssuerSerial>" + ws + b"<" + p + b"X509IssuerName>[^<]*</" + p
        + b"X509IssuerName>" + ws + b"<" + p + b"X509SerialNumber>[+-]?[0-9]+</" + p
        + b"X509SerialNumber>" + ws + b"</" + p + b"X509IssuerSerial>" + ws + b")?"
        + b"(?P<ski><" + p + b"X509SKI>" + b64 + b"</" + p + b"X509SKI>" + ws + b")?"
        + b"(?P<embedded><" + p + b"X509Certificate>" + b64 + b"</" + p + b"X509Certificate>"
        + ws + b")?"
        + b"</" + p + b"X509Data>" + ws + b"</" + p + b"KeyInfo>)" + ws
        + b"</" + p + b"Signature>")
    _DUIS_PATTERNS[prefix] = pattern
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
            text = element[element.index(b">") + 1:element.rindex(b"</")]
            if _base64_value(text) is None:
                return False
    return True


def _unique_ids(match: re.Match[bytes]) -> bool:
    ids = [i for i in match.group(*_ID_GROUPS) if i is not None]
    return len(ids) == len(set(ids))


_ID_GROUPS = ("signature_id", "signed_info_id", "reference_id", "value_id", "key_info_id")
_SHA256_ECDSA = ec.ECDSA(hashes.SHA256())
_MEMO_LIMIT = 4096


def _remember(store: CertificateStore, key: tuple, value: object) -> None:
    if len(store.memo) >= _MEMO_LIMIT:  # many distinct KeyInfo Ids: start again, stay small
        store.memo.clear()
    store.memo[key] = value


def _certificate_verdicts(cert: Certificate, store: CertificateStore,
                          as_of: dt.date) -> list[tuple[str, str, list[Certificate]]]:
    """KS006, KS007 and KS001 of a certificate that verified a signature: (rule, message, certs).

    The same for every signature the certificate verifies, so worked out once per process.
    """
    key = ("verdicts", cert.fingerprint_sha256, as_of)
    verdicts = store.memo.get(key)
    if verdicts is not None:
        return verdicts
    policy = load_policy()
    verdicts = []
    if not (cert.is_smki and cert.role_name in policy.xml_signing_roles):
        what = cert.not_smki_reason or f"role {cert.role_name}"
        verdicts.append(("KS006", "signing certificate is not an SMKI XmlSign/DspXmlSign "
                                  f"certificate ({what})", [cert]))
    if not cert.valid_on(as_of):
        verdicts.append(("KS007", f"signing certificate is not valid on {as_of.isoformat()} "
                                  f"({cert.not_before.date()} to {cert.not_after.date()}); "
                                  "verified as of its own validity", [cert]))
    holders = store.other_role_holders(cert.spki_sha256)
    if holders:
        roles = ", ".join(f"{h.role_name} {h.key_usage}" for h in holders)
        verdicts.append(("KS001", f"signed with the key of SMKI certificate(s) of another role "
                                  f"({roles}): " + "; ".join(h.describe() for h in holders),
                         holders))
    _remember(store, key, verdicts)
    return verdicts


def _check_duis(tree: etree._ElementTree, root: etree._Element, sig: etree._Element,
                store: CertificateStore, path: str, as_of: dt.date) -> list[Finding] | None:
    """The findings of a document's one signature if it is exactly DUIS-shaped, else None.

    The same findings :func:`check_signature` gives, from one C14N of the signature matched
    against a precompiled pattern instead of walking the tree: no profile deviation is possible,
    KeyInfo is resolved once per distinct KeyInfo, the certificate's verdicts once per
    certificate. Returns None, leaving the tree untouched, for anything else.
    """
    if sig.getparent() is not root:
        return None
    try:
        rendered = etree.tostring(sig, method="c14n", exclusive=True, with_comments=True)
    except etree.C14NError:
        return None
    match = _duis_pattern(sig.prefix).fullmatch(rendered)
    if match is None or not _well_formed_key_info(match) or not _unique_ids(match):
        return None
    expected, raw = _base64_value(match["digest"]), _base64_value(match["value"])
    if expected is None or raw is None:
        return None  # not the exact shape: signxml says what is wrong
    line = sig.sourceline or 1
    key = ("key_info", match["key_info"])
    resolved = store.memo.get(key)
    if resolved is None:
        cert, named = resolve_signing_certificate(sig, store, path)
        public_key = None if cert is None else cert.public_key
        if not (isinstance(public_key, ec.EllipticCurvePublicKey)
                and public_key.curve.name == load_policy().profile.curve):
            public_key = None  # verified the general way
        resolved = cert, named, public_key
        if cert is None or store.by_fingerprint(cert.fingerprint_sha256) is cert:
            _remember(store, key, resolved)  # an embedded certificate not in the store is per path
    cert, named, public_key = resolved
    if cert is None:
        return [finding("KS003", path, line, f"signing certificate not found: {named}")]
    if public_key is None:
        return None
    exclusive = _EXC_TRANSFORM in match["transforms"]
    failure = _verify_duis(tree, sig, exclusive, expected, raw, public_key)
    findings = []
    if failure:
        findings.append(finding("KS002", path, line, f"signature does not verify: {failure}", [cert]))
    for rule, message, certs in _certificate_verdicts(cert, store, as_of):
        if rule != "KS001" or not failure:
            findings.append(finding(rule, path, line, message, certs))
    return findings


def _verify_duis(tree: etree._ElementTree, sig: etree._Element, exclusive: bool,
                 expected: bytes, raw: bytes, public_key: ec.EllipticCurvePublicKey) -> str | None:
    """Digest of the document without ``sig``, then ECDSA over its SignedInfo; uses the tree up.

    The reason it fails, or None. C14N errors (e.g. a relative namespace URI) are failures.
    """
    try:
        signed = etree.tostring(sig[0], method="c14n", exclusive=True, with_comments=False)
        document = _c14n_without(tree, sig, exclusive)
    except etree.C14NError as exc:  # e.g. a relative namespace URI, which C14N refuses
        return f"document cannot be canonicalised: {exc}"
    if hashlib.sha256(document).digest() != expected:
        return "digest does not match the document"
    if len(raw) != 64:
        return "SignatureValue is not a P-256 r||s value"
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(signature, signed, _SHA256_ECDSA)
    except InvalidSignature:
        return "signature value does not verify with the certificate's key"
    return None


def check_document(path: str, data: bytes, store: CertificateStore,
                   as_of: dt.date) -> tuple[list[Finding], int]:
    """Every finding of one XML document, and how many signatures it holds."""
    tree, findings = read_document(path, data)
    if tree is None:
        return findings, 0
    root = tree.getroot()
    signatures = list(root.iter(_SIGNATURE))
    expected = load_policy().profile.signatures_per_document
    if len(signatures) == 1 and expected >= 1:
        fast = _check_duis(tree, root, signatures[0], store, path, as_of)
        if fast is not None:
            return fast, 1
    if len(signatures) > expected:
        findings.append(finding(
            "KS004", path, signatures[expected].sourceline,
            f"{len(signatures)} signatures where {expected} is expected"))
    for sig in signatures:
        last_use = len(signatures) == 1
        findings += check_signature(tree, sig, store, path, as_of, last_use).findings
    return findings, len(signatures)
