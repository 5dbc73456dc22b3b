"""The reference path: any signature outside the fast path's exact shape, verified by signxml.

Slower but general. lxml's C14N of a subtree can write an empty default namespace declaration
(``xmlns=""``) where C14N writes none: on an element that is in a namespace (the published
XMLDSig vectors aleksey-xmldsig-01, signed by xmlsec, fail on it), and on a subtree's apex.
:func:`excise_empty_xmlns` removes exactly those, by the elements they sit on, where signxml's
``excise_empty_xmlns_declarations`` removes every one (also the ones C14N does write: an element
in no namespace under a default namespace).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from lxml import etree

from smki.certificates import Certificate
from smki.findings import quoted

#: A C14N start or end tag, comment or processing instruction. C14N output quotes every
#: attribute value in double quotes and escapes ``"`` and ``<`` in it, so this is exact.
_MARKUP = re.compile(
    rb'<!--.*?-->|<\?.*?\?>|</[^>]+>|<([^\s/>!?]+)((?:\s+[^\s=]+="[^"]*")*)\s*>', re.S
)
_EMPTY_DEFAULT = re.compile(rb'\sxmlns=""')


def excise_empty_xmlns(c14n: bytes, elements: Iterable[etree._Element]) -> bytes:
    """C14N output of a subtree without the ``xmlns=""`` C14N would not write.

    ``elements`` are the subtree's elements in document order, as the output lists their start
    tags. ``xmlns=""`` stays only where C14N writes it: on an element in no namespace whose
    parent in the output has a non-empty default namespace.
    """
    if b'xmlns=""' not in c14n:
        return c14n
    out = []
    at = 0
    defaults = [b""]
    elements = iter(elements)
    for match in _MARKUP.finditer(c14n):
        if match.group(0).startswith(b"</"):
            if len(defaults) > 1:
                defaults.pop()
            continue
        if match.group(1) is None:
            continue  # a comment or a processing instruction
        element = next(elements, None)
        attributes = match.group(2)
        empty = _EMPTY_DEFAULT.search(attributes)
        namespace = etree.QName(element).namespace if element is not None else None
        default = defaults[-1]
        if empty is not None and (namespace or default == b""):
            start = match.start(2) + empty.start()
            out.append(c14n[at:start])
            at = start + len(empty.group(0))
            empty = None
        declared = re.search(rb'\sxmlns="([^"]*)"', attributes)
        defaults.append(
            default
            if declared is None
            or (declared.group(1) == b"" and empty is None and (namespace or default == b""))
            else declared.group(1)
        )
    out.append(c14n[at:])
    return b"".join(out)


def _elements(node) -> list[etree._Element]:
    root = node.getroot() if isinstance(node, etree._ElementTree) else node
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _verifier():
    from signxml import XMLVerifier

    class Verifier(XMLVerifier):
        def _c14n(self, nodes, algorithm, inclusive_ns_prefixes=None):
            if not isinstance(nodes, list):
                nodes = [nodes]
            return b"".join(
                excise_empty_xmlns(
                    super(Verifier, self)._c14n(node, algorithm, inclusive_ns_prefixes),
                    _elements(node),
                )
                for node in nodes
            )

    return Verifier()


def _plain(exc: Exception) -> str:
    """A signxml failure in plain words: which part failed."""
    from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

    text = str(exc)
    if isinstance(exc, InvalidDigest):
        index = text.split("reference ", 1)[-1].split(" ", 1)[0]
        number = int(index) + 1 if index.isdigit() else None
        return (
            f"the digest of reference {number} does not match what it refers to"
            if number
            else "a reference digest does not match what it refers to"
        )
    if isinstance(exc, InvalidCertificate):
        return f"the certificate cannot be used: {quoted(text)}"
    if isinstance(exc, InvalidSignature):
        return "the signature value does not verify with the certificate's key"
    if isinstance(exc, InvalidInput):
        return f"the signature cannot be verified: {quoted(text)}"
    return f"the signature cannot be verified ({type(exc).__name__}: {quoted(text)})"


def verify_general(
    tree: etree._ElementTree,
    sig: etree._Element,
    cert: Certificate,
    when: dt.datetime,
    signatures: int,
) -> str | None:
    """Verify any signature signxml understands; the reason it fails, or None."""
    from signxml import (  # imported here: only signatures outside the profile need it
        CanonicalizationMethod,
        DigestAlgorithm,
        SignatureConfiguration,
        SignatureMethod,
    )

    from smki.document import ds

    if signatures > 1:
        return "not verified: signxml verifies only a document's first signature"
    if cert.x509 is None:
        return f"not verified: the signing certificate cannot be fully parsed ({cert.problem})"
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
        _verifier().verify(tree.getroot(), x509_cert=cert.x509, expect_config=config)
    except Exception as exc:  # signxml raises many kinds on hostile input; each is a failure
        return _plain(exc)
    references = sig.findall(f"{ds('SignedInfo')}/{ds('Reference')}")
    if not any(r.get("URI") == "" for r in references):
        uris = ", ".join(quoted(r.get("URI")) for r in references)
        return f"the signature does not cover the whole document (Reference URI {uris})"
    return None
