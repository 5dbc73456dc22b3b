"""A finding of the key-separation check: rule, place and message (its severity is the policy's:
``SmkiPolicy.severity``).

Findings are plain data (strings and ints, picklable across worker processes). Every message is
one line with no control or bidirectional-formatting characters, whatever a document held:
:func:`finding` guarantees it, and :func:`quoted` is how document text goes into a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smki.certificates import Certificate

#: C0 and C1 controls, DEL, line and paragraph separators, bidirectional and invisible
#: formatting characters: what could break a line or make it read other than it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` with every unsafe character escaped (``\\n`` as ``\\x0a``): one honest line."""
    return _UNSAFE.sub(_escape_char, text)


def quoted(text: str | None, limit: int = 80) -> str:
    """Document text as a message shows it: quoted, escaped, at most ``limit`` characters."""
    if text is None:
        return "(none)"
    if len(text) > limit:
        text = text[:limit] + "…"
    return '"' + one_line(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


@dataclass(frozen=True)
class CertificateRef:
    """The certificate a finding is about, as findings show it (never any key material)."""

    path: str
    subject: str
    serial: str
    role: str | None
    key_usage: str

    @classmethod
    def of(cls, cert: Certificate) -> CertificateRef:
        return cls(
            cert.path, one_line(cert.subject), str(cert.serial), cert.role_name, cert.key_usage
        )


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    message: str
    certificates: tuple[CertificateRef, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.rule)


def finding(
    rule: str,
    path: str,
    line: int | None,
    message: str,
    certificates: list[Certificate] | tuple[Certificate, ...] = (),
) -> Finding:
    return Finding(
        rule, path, line or 1, one_line(message), tuple(CertificateRef.of(c) for c in certificates)
    )
