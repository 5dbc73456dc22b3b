"""Register text made safe to show: control and bidirectional-override characters made visible.

The CSV returns come from Suppliers and manufacturers; a value holding a newline, an escape
sequence or a right-to-left override could forge a row or reverse what a reader sees (the
"Trojan Source" trick). Formats for people show such characters as ``<U+202E>`` instead; each
format then applies its own syntax escaping on top.
"""

from __future__ import annotations

import re

#: Bidirectional formatting characters (embeddings, overrides, isolates, marks).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")


def _show(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def visible(value: object) -> str:
    """``value`` as text, with control and bidi-formatting characters written out."""
    text = "" if value is None else str(value)
    if _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(_show, text)
