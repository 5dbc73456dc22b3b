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
    "cn": "2.5.4.3",
    "commonname": "2.5.4.3",
    "l": "2.5.4.7",
    "localityname": "2.5.4.7",
    "st": "2.5.4.8",
    "s": "2.5.4.8",
    "stateorprovincename": "2.5.4.8",
    "o": "2.5.4.10",
    "organizationname": "2.5.4.10",
    "ou": "2.5.4.11",
    "organizationalunitname": "2.5.4.11",
    "c": "2.5.4.6",
    "countryname": "2.5.4.6",
    "street": "2.5.4.9",
    "streetaddress": "2.5.4.9",
    "dc": "0.9.2342.19200300.100.1.25",
    "domaincomponent": "0.9.2342.19200300.100.1.25",
    "uid": "0.9.2342.19200300.100.1.1",
    "userid": "0.9.2342.19200300.100.1.1",
    "emailaddress": "1.2.840.113549.1.9.1",
    "email": "1.2.840.113549.1.9.1",
    "e": "1.2.840.113549.1.9.1",
    "serialnumber": "2.5.4.5",
    "sn": "2.5.4.4",
    "surname": "2.5.4.4",
    "gn": "2.5.4.42",
    "givenname": "2.5.4.42",
    "title": "2.5.4.12",
    "t": "2.5.4.12",
    "x500uniqueidentifier": "2.5.4.45",
    "uniqueidentifier": "2.5.4.45",
    "dnqualifier": "2.5.4.46",
    "organizationidentifier": "2.5.4.97",
    "postalcode": "2.5.4.17",
    "businesscategory": "2.5.4.15",
    "pseudonym": "2.5.4.65",
}
#: How names are shown (RFC 4514's own keywords, others by OID as cryptography shows them).
SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}


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
_SPACE = " \t\r\n"
_HEX = "0123456789abcdefABCDEF"


class _NotAName(Exception):
    """Raised inside the parser where the text stops being an RFC 4514 name."""


class _Cursor:
    """The text being parsed and how far the parser has read it."""

    __slots__ = ("i", "n", "text")

    def __init__(self, text: str) -> None:
        self.text, self.i, self.n = text, 0, len(text)

    def skip_space(self) -> bool:
        """Past any whitespace; whether anything is left."""
        while self.i < self.n and self.text[self.i] in _SPACE:
            self.i += 1
        return self.i < self.n


@lru_cache(maxsize=1024)
def parse_rfc4514(text: str) -> NameKey | None:
    """The key of an RFC 4514 (or RFC 2253/1779-style) string, or None if it is not a name.

    Attribute after attribute, ``type=value`` and a separator (``,`` ``;`` or ``+``: RDN order
    and grouping do not matter to the key), whitespace between them ignored.
    """
    cursor = _Cursor(text)
    pairs: list[tuple[str, str]] = []
    try:
        while cursor.skip_space():
            oid = _attribute_type(cursor)
            cursor.skip_space()
            pairs.append((oid, _attribute_value(cursor)))
            _separator(cursor)
    except _NotAName:
        return None
    return tuple(sorted(pairs)) if pairs else None


def _attribute_type(cursor: _Cursor) -> str:
    """The OID of the type before ``=``: a keyword, or a dotted OID (``OID.`` prefix allowed)."""
    j = cursor.text.find("=", cursor.i)
    if j < 0:
        raise _NotAName
    keyword = cursor.text[cursor.i : j].strip()
    cursor.i = j + 1
    if keyword[:4].lower() == "oid.":
        keyword = keyword[4:]
    if "." in keyword and all(part.isdigit() for part in keyword.split(".")):
        return keyword
    known = KEYWORDS.get(keyword.casefold())
    if known is None:
        raise _NotAName
    return known


def _attribute_value(cursor: _Cursor) -> str:
    """The value's key: ``#hex`` (DER), a ``"quoted"`` string, or a string with escapes."""
    first = cursor.text[cursor.i : cursor.i + 1]
    if first == "#":
        return _hex_string(cursor)
    if first == '"':
        return _quoted_string(cursor)
    return _string(cursor)


def _hex_string(cursor: _Cursor) -> str:
    text, start = cursor.text, cursor.i + 1
    end = start
    while end < cursor.n and text[end] in _HEX:
        end += 1
    cursor.i = end
    try:
        return _hex_value(text[start:end])
    except ValueError:  # an odd number of digits
        raise _NotAName from None


def _quoted_string(cursor: _Cursor) -> str:
    """RFC 1779's quoted value: a backslash takes the next character as it is."""
    text, i, n = cursor.text, cursor.i + 1, cursor.n
    out = []
    while i < n and text[i] != '"':
        if text[i] == "\\" and i + 1 < n:
            i += 1
        out.append(text[i])
        i += 1
    if i >= n:  # no closing quote
        raise _NotAName
    cursor.i = i + 1
    return "t:" + fold("".join(out))


def _string(cursor: _Cursor) -> str:
    """A string up to the next separator, ``\\XX`` escapes as UTF-8 bytes."""
    text, i, n = cursor.text, cursor.i, cursor.n
    raw = bytearray()
    while i < n and text[i] not in _SEPARATORS:
        if text[i] == "\\":
            i = _unescape(text, i, raw)
        else:
            raw += text[i].encode()
            i += 1
    cursor.i = i
    try:
        return "t:" + fold(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _NotAName from None


def _unescape(text: str, i: int, raw: bytearray) -> int:
    """The escape at ``text[i]`` (a backslash) added to ``raw``: a hex pair is one byte, any
    other character itself; the index after it. A backslash that ends the text is no name."""
    pair = text[i + 1 : i + 3]
    if len(pair) == 2 and all(c in _HEX for c in pair):
        raw.append(int(pair, 16))
        return i + 3
    if i + 1 >= len(text):
        raise _NotAName
    raw += text[i + 1].encode()
    return i + 2


def _separator(cursor: _Cursor) -> None:
    """After a value: the end of the text, or a separator (whitespace around it ignored)."""
    if cursor.skip_space():
        if cursor.text[cursor.i] not in _SEPARATORS:
            raise _NotAName
        cursor.i += 1


def _escape(value: str) -> str:
    out = []
    for index, char in enumerate(value):
        if (
            char in ',+"\\<>;='
            or (char == "#" and index == 0)
            or (char == " " and index in (0, len(value) - 1))
        ):
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
