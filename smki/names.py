"""Distinguished names compared as names: RFC 4514 strings and DER names to one comparable key.

``X509IssuerName`` is written by whatever tool signed the request (either RDN order, any keyword
case, spaces around ``=``, quoted values, ``#hex``, escaped characters, ``emailAddress``); the
certificate's issuer is DER with its own string types. Both become a :data:`NameKey`: the sorted
(OID, value) pairs, string values folded (case, surrounding and repeated spaces), other values by
their DER encoding.
"""

from __future__ import annotations

from functools import lru_cache

from smki.der import _STRING_TAGS, DerError, NameAttribute, tlv

NameKey = tuple[tuple[str, str], ...]

#: Attribute keywords (RFC 4514 3, and the ones signing tools and OpenSSL write) -> OID.
KEYWORDS = {
    "cn": "2.5.4.3", "commonname": "2.5.4.3", "l": "2.5.4.7", "localityname": "2.5.4.7",
    "st": "2.5.4.8", "s": "2.5.4.8", "stateorprovincename": "2.5.4.8",
    "o": "2.5.4.10", "organizationname": "2.5.4.10",
    "ou": "2.5.4.11", "organizationalunitname": "2.5.4.11",
    "c": "2.5.4.6", "countryname": "2.5.4.6", "street": "2.5.4.9", "streetaddress": "2.5.4.9",
    "dc": "0.9.2342.19200300.100.1.25", "domaincomponent": "0.9.2342.19200300.100.1.25",
    "uid": "0.9.2342.19200300.100.1.1", "userid": "0.9.2342.19200300.100.1.1",
    "emailaddress": "1.2.840.113549.1.9.1", "email": "1.2.840.113549.1.9.1",
    "e": "1.2.840.113549.1.9.1", "serialnumber": "2.5.4.5", "sn": "2.5.4.4",
    "surname": "2.5.4.4", "gn": "2.5.4.42", "givenname": "2.5.4.42", "title": "2.5.4.12",
    "t": "2.5.4.12", "x500uniqueidentifier": "2.5.4.45", "uniqueidentifier": "2.5.4.45",
    "dnqualifier": "2.5.4.46", "organizationidentifier": "2.5.4.97",
    "postalcode": "2.5.4.17", "businesscategory": "2.5.4.15", "pseudonym": "2.5.4.65",
}
#: How names are shown (RFC 4514's own keywords, others by OID as cryptography shows them).
SHORT_NAMES = {"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
               "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.9": "STREET",
               "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID"}


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _content(der: bytes) -> bytes:
    """A DER element's content; bytes that are not one whole element are taken as content.

    Tools write a non-string value's ``#hex`` either as RFC 4514 says (the whole element) or,
    as cryptography does, its content only: both compare equal.
    """
    try:
        _, start, end = tlv(der)
    except DerError:
        return der
    return der[start:end] if end == len(der) else der


def _value_key(text: str | None, der: bytes) -> str:
    return "t:" + fold(text) if text is not None else "d:" + _content(der).hex()


def key_of_attributes(attributes: tuple[NameAttribute, ...]) -> NameKey:
    return tuple(sorted((a.oid, _value_key(a.text, a.der)) for a in attributes))


def _hex_value(hexstring: str) -> str:
    der = bytes.fromhex(hexstring)
    try:
        tag, start, end = tlv(der)
    except DerError:
        return "d:" + der.hex()
    encoding = _STRING_TAGS.get(tag)
    if encoding and end == len(der):
        try:
            return "t:" + fold(der[start:end].decode(encoding))
        except UnicodeDecodeError:
            pass
    return "d:" + _content(der).hex()


_SEPARATORS = ",;+"


@lru_cache(maxsize=1024)
def parse_rfc4514(text: str) -> NameKey | None:
    """The key of an RFC 4514 (or RFC 2253/1779-style) string, or None if it is not a name."""
    pairs: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        j = text.find("=", i)
        if j < 0:
            return None
        keyword = text[i:j].strip()
        if keyword[:4].lower() == "oid.":
            keyword = keyword[4:]
        if keyword and all(part.isdigit() for part in keyword.split(".")) and "." in keyword:
            oid = keyword
        else:
            known = KEYWORDS.get(keyword.casefold())
            if known is None:
                return None
            oid = known
        i = j + 1
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] == "#":
            j = i + 1
            while j < n and text[j] in "0123456789abcdefABCDEF":
                j += 1
            try:
                value = _hex_value(text[i + 1:j])
            except ValueError:
                return None
            i = j
        elif i < n and text[i] == '"':
            out = []
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(text[i])
                i += 1
            if i >= n:
                return None
            i += 1
            value = "t:" + fold("".join(out))
        else:
            raw = bytearray()
            while i < n and text[i] not in _SEPARATORS:
                char = text[i]
                if char == "\\":
                    pair = text[i + 1:i + 3]
                    if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                        raw.append(int(pair, 16))
                        i += 3
                        continue
                    if i + 1 >= n:
                        return None
                    raw += text[i + 1].encode()
                    i += 2
                    continue
                raw += char.encode()
                i += 1
            try:
                value = "t:" + fold(raw.decode("utf-8"))
            except UnicodeDecodeError:
                return None
        pairs.append((oid, value))
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n:
            if text[i] not in _SEPARATORS:
                return None
            i += 1
    return tuple(sorted(pairs)) if pairs else None


def _escape(value: str) -> str:
    out = []
    for index, char in enumerate(value):
        if char in ',+"\\<>;=' or (char == "#" and index == 0) or (
                char == " " and index in (0, len(value) - 1)):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


def rfc4514(attributes: tuple[NameAttribute, ...] | None) -> str:
    """A name as RFC 4514 writes it (last RDN first), non-string values as ``#hex``."""
    if attributes is None:
        return "(unreadable name)"
    parts = []
    for a in reversed(attributes):
        key = SHORT_NAMES.get(a.oid, a.oid)
        parts.append(f"{key}={_escape(a.text)}" if a.text is not None else f"{key}=#{a.der.hex()}")
    return ",".join(parts)
