"""Key resolution: which certificate a signature's ``KeyInfo`` names, from the store only.

``X509IssuerSerial`` and ``X509SKI`` are looked up in the store. Certificates carried in
``X509Certificate`` count only when the store holds the same certificate or a CA certificate in
the store issued them; of a carried chain, the signer is the leaf (the certificate no other one
in the chain names as its issuer), not whichever comes first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from smki.certificates import Certificate
from smki.document import ds
from smki.findings import quoted
from smki.store import CertificateStore, carried_certificate


@dataclass
class Resolution:
    certificate: Certificate | None
    #: What KeyInfo named, where nothing was found (KS003's words).
    named: str = ""
    #: KeyInfo names certificates that are not the same (KS004's words), or "".
    conflict: str = ""


def _leaves(chain: list[Certificate]) -> list[Certificate]:
    """The certificates of a carried chain that no other certificate in it names as issuer."""
    leaves = [
        c
        for c in chain
        if not any(
            o is not c and o.issuer_key == c.subject_key and o.issuer_key != o.subject_key
            for o in chain
        )
    ]
    return leaves or chain[:1]


def _carried(
    texts: list[str], store: CertificateStore, path: str, line: int
) -> tuple[Certificate | None, str]:
    key = ("carried", path, tuple(texts))  # per path: a carried certificate is named by it
    remembered = store.memo.get(key)
    if remembered is not None:
        return remembered  # type: ignore[return-value]
    chain = [
        c
        for c in (carried_certificate(t, path, line, store.policy) for t in texts)
        if c is not None
    ]
    if not chain:
        answer: tuple[Certificate | None, str] = (None, "an X509Certificate that cannot be parsed")
    else:
        leaves = _leaves(chain)
        answer = (None, "")
        for leaf in leaves:
            found, why = store.trusted(leaf)
            if found is not None:
                answer = (found, "")
                break
            answer = (None, why)
    if len(store.memo) < 4096:
        store.memo[key] = answer
    return answer


def _by_issuer_serial(element: etree._Element, store: CertificateStore) -> Certificate | str:
    issuer = element.findtext(ds("X509IssuerName")) or ""
    serial = element.findtext(ds("X509SerialNumber")) or ""
    cert = store.by_issuer_serial(issuer, serial)
    return (
        cert
        if cert is not None
        else f"issuer {quoted(issuer.strip())} serial {quoted(serial.strip(), 40)}"
    )


def _by_ski(element: etree._Element, store: CertificateStore) -> Certificate | str:
    text = element.text or ""
    cert = store.by_ski(text)
    return cert if cert is not None else f"X509SKI {quoted(text.strip(), 60)}"


#: The X509Data children that name a certificate in the store, each with its look-up: the
#: certificate, or the words for what it named (KS003's).
_LOOKUPS = ((ds("X509IssuerSerial"), _by_issuer_serial), (ds("X509SKI"), _by_ski))


def resolve_signing_certificate(
    sig: etree._Element, store: CertificateStore, path: str
) -> Resolution:
    """The certificate ``KeyInfo`` names (store-trusted), or what it named and why it is not."""
    datas = sig.findall(f"{ds('KeyInfo')}/{ds('X509Data')}")
    if not datas:
        return Resolution(None, "KeyInfo names no X.509 certificate")
    found: list[Certificate] = []
    named: list[str] = []
    for answer in _answers(datas, store, path, sig.sourceline or 1):
        if isinstance(answer, str):
            named.append(answer)
        else:
            found.append(answer)
    if not found:
        return Resolution(None, "; ".join(named) or "X509Data names no certificate")
    return Resolution(found[0], "", _conflict(found))


def _answers(
    datas: list[etree._Element], store: CertificateStore, path: str, line: int
) -> Iterator[Certificate | str]:
    """Each name KeyInfo gives (per X509Data its issuer-serials, then its SKIs), then its carried
    certificates as one: the certificate in the store, or the words for what it named."""
    for data in datas:
        for tag, lookup in _LOOKUPS:
            for element in data.findall(tag):
                yield lookup(element, store)
    texts = [e.text or "" for data in datas for e in data.findall(ds("X509Certificate"))]
    if texts:
        cert, why = _carried(texts, store, path, line)
        yield cert if cert is not None else why


def _conflict(found: list[Certificate]) -> str:
    """KS004's words when KeyInfo names more than one certificate, else ""."""
    if len({c.fingerprint_sha256 for c in found}) < 2:
        return ""
    return "KeyInfo names different certificates: " + "; ".join(
        dict.fromkeys(f"{c.subject} serial {c.serial}" for c in found)
    )
