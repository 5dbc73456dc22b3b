"""The reference path: any signature outside the fast path's exact shape, verified by signxml.

Slower but general. Inclusive C14N of a subtree through lxml can add an empty default namespace
declaration (``xmlns=""``) to the subtree's apex, where C14N never writes one (its parent is not
in the node-set); it is excised there, and only there, as signxml's
``excise_empty_xmlns_declarations`` does for the whole output.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from smki.certificates import Certificate
from smki.findings import quoted

_APEX_EMPTY_XMLNS = b' xmlns=""'


def excise_apex_empty_xmlns(c14n: bytes) -> bytes:
    """Inclusive C14N of a subtree without an empty default namespace on its apex element.

    Only the apex's: on a descendant whose parent has a default namespace, ``xmlns=""`` is
    meaningful and stays (signxml's own excision removes every one).
    """
    end = c14n.find(b">")
    start = c14n.find(_APEX_EMPTY_XMLNS, 0, end)
    if start > 0:
        return c14n[:start] + c14n[start + len(_APEX_EMPTY_XMLNS):]
    return c14n


def _verifier():
    from signxml import XMLVerifier

    class Verifier(XMLVerifier):
        def _c14n(self, nodes, algorithm, inclusive_ns_prefixes=None):
            out = super()._c14n(nodes, algorithm, inclusive_ns_prefixes)
            if algorithm.value.startswith("http://www.w3.org/2001/10/xml-exc-c14n#"):
                return out
            return excise_apex_empty_xmlns(out)

    return Verifier()


def _plain(exc: Exception) -> str:
    """A signxml failure in plain words: which part failed."""
    from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

    text = str(exc)
    if isinstance(exc, InvalidDigest):
        index = text.split("reference ", 1)[-1].split(" ", 1)[0]
        number = int(index) + 1 if index.isdigit() else None
        return (f"the digest of reference {number} does not match what it refers to"
                if number else "a reference digest does not match what it refers to")
    if isinstance(exc, InvalidCertificate):
        return f"the certificate cannot be used: {quoted(text)}"
    if isinstance(exc, InvalidSignature):
        return "the signature value does not verify with the certificate's key"
    if isinstance(exc, InvalidInput):
        return f"the signature cannot be verified: {quoted(text)}"
    return f"the signature cannot be verified ({type(exc).__name__}: {quoted(text)})"


def verify_general(tree: etree._ElementTree, sig: etree._Element, cert: Certificate,
                   when: dt.datetime, signatures: int) -> str | None:
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
