"""RFC 4514 issuer names as signing tools write them: every spelling of one name is one key, and
what is not a name is None (never an exception, never a key that matches a real issuer)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smki.der import NameAttribute
from smki.names import key_of_attributes, parse_rfc4514, rfc4514

ISSUER = "CN=Z1,OU=07,O=DCC"


@pytest.mark.parametrize(
    "spelling",
    [
        "O=DCC,OU=07,CN=Z1",  # the other RDN order
        "cn=z1, ou=07; o=dcc",  # keyword case, spaces, ; as separator
        "CN = Z1 ,OU=07+O=DCC",  # spaces around =, + within an RDN
        "commonName=Z1,organizationalUnitName=07,organizationName=DCC",
        "OID.2.5.4.3=Z1,2.5.4.11=07,oid.2.5.4.10=DCC",  # dotted OIDs, with and without the prefix
        'CN="Z1",OU="07",O="DCC"',  # RFC 1779 quoting
        "CN=\\5A\\31,OU=07,O=DCC",  # hex-pair escapes
        "CN=#0c025a31,OU=07,O=DCC",  # #hex: a whole UTF8String element
        "CN=#13025a31,OU=07,O=DCC",  # a PrintableString
        "  CN=Z1,OU=07,O=DCC,  ",  # surrounding whitespace and a trailing separator
        "CN=Z1   ,OU=07,O=DCC",  # trailing spaces of a value fold away
    ],
)
def test_every_spelling_of_a_name_is_one_key(spelling):
    assert parse_rfc4514(spelling) == parse_rfc4514(ISSUER) is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('CN="a\\"b,c"', 't:a"b,c'),  # an escaped quote and a separator inside quotes
        ("CN=a\\,b", "t:a,b"),  # an escaped separator
        ("CN=\\c3\\a9", "t:é"),  # escaped UTF-8 bytes
        ("CN=\\4x", "t:4x"),  # a backslash before one hex digit takes that digit as it is
        ("CN=", "t:"),  # an empty value
        ("CN=#", "d:"),  # an empty #hex: no element
        ("CN=#0201ff", "d:ff"),  # a non-string element compares by content
    ],
)
def test_values_are_unescaped_as_rfc_4514_says(text, value):
    assert parse_rfc4514(text) == (("2.5.4.3", value),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ",",
        "CN",
        "Z1",
        "XX=Z1",
        "CN=Z1,XX=Y",
        "1..2=x",
        "2.5.4.=x",  # no name, unknown types
        "CN=#414",  # an odd number of hex digits
        "CN=#41x",  # hex followed by text
        'CN="Z1',
        'CN="Z1\\',  # an unclosed quote
        'CN="Z1"x',  # text after the closing quote
        "CN=Z1\\",  # a backslash ending the text
        "CN=\\ff",  # escaped bytes that are not UTF-8
    ],
)
def test_what_is_not_a_name_is_none(text):
    assert parse_rfc4514(text) is None


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2.5.4.3", "2.5.4.10", "2.5.4.11", "2.5.4.6", "1.2.3.4"]), _TEXT
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_name_written_by_rfc4514_reads_back_to_its_key(attributes):
    named = tuple(NameAttribute(oid, text, text.encode()) for oid, text in attributes)
    assert parse_rfc4514(rfc4514(named)) == key_of_attributes(named)
