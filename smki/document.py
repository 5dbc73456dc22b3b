"""Reading a signed document safely: the parser's settings, the DTD test, its signatures.

A document is data, never instructions: no entities, no DTD, no network, no huge trees. Whether a
document has a DTD is the parser's answer, not a byte search (a comment may say ``<!ENTITY``).
"""

from __future__ import annotations

from lxml import etree

from smki.findings import Finding, finding, quoted

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = DS + "enveloped-signature"
SIGNATURE = f"{{{DS}}}Signature"


def ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def safe_parser() -> etree.XMLParser:
    """No entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=False,
    )


_PARSER = safe_parser()


def _line_of(data: bytes, marker: bytes) -> int:
    at = data.find(marker)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else 1


def read_document(path: str, data: bytes) -> tuple[etree._ElementTree | None, list[Finding]]:
    """Parse a document safely, or say why it cannot be (KS005)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        return None, [finding("KS005", path, line, f"not well-formed XML: {quoted(exc.msg)}")]
    except ValueError as exc:  # e.g. an encoding lxml does not know
        return None, [finding("KS005", path, 1, f"cannot be parsed: {quoted(str(exc))}")]
    if root is None:
        return None, [finding("KS005", path, 1, "not well-formed XML: no document element")]
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url:
        return None, [
            finding(
                "KS005",
                path,
                _line_of(data, b"<!DOCTYPE"),
                "document has a DTD (DOCTYPE, perhaps with entity declarations); refused unread",
            )
        ]
    return tree, []


def signatures_of(tree: etree._ElementTree) -> list[etree._Element]:
    """Every ``ds:Signature`` (XMLDSig namespace) of a document, in document order."""
    return list(tree.getroot().iter(SIGNATURE))


def unsigned_message(root: etree._Element) -> str:
    """KS004's words for a document with no XMLDSig signature, naming a near miss if any."""
    message = f"no ds:Signature in the XMLDSig namespace ({DS}): the document is not signed"
    for element in root.iter("{*}Signature", "Signature"):
        namespace = etree.QName(element).namespace
        where = f"the namespace {quoted(namespace)}" if namespace else "no namespace"
        return message + f"; a Signature element at line {element.sourceline} is in {where}"
    return message
