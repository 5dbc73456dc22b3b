"""Recognising an evidence file's type by its content (magic bytes), never by its name.

:func:`detect` looks at the head of the file (and, for Office Open XML and Outlook files, at
the container's directory, which sits elsewhere); :class:`ContentCheck` then watches every
chunk as it streams past, so a "text" file with a NUL in its hundredth megabyte is refused too.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

#: Bytes of the head :func:`detect` looks at.
HEAD_BYTES = 8192

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "text": "text/plain",
}
TYPE_OF_MEDIA = {media: name for name, media in MEDIA_TYPES.items()}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Stream names only an Outlook message has (UTF-16LE in the compound file's directory).
_MSG_NAMES = tuple(
    name.encode("utf-16-le")
    for name in ("__substg1.0_", "__properties_version1.0", "__nameid_version1.0")
)
# A mail header line: a field name, a colon. The first lines of an .eml are such headers.
_HEADER = re.compile(rb"^[!-9;-~]+:[ \t]")
_MAIL_FIELDS = {
    b"from",
    b"to",
    b"subject",
    b"date",
    b"received",
    b"message-id",
    b"mime-version",
    b"return-path",
    b"delivered-to",
    b"reply-to",
    b"cc",
    b"x-mailer",
    b"dkim-signature",
    b"content-type",
    b"sender",
}


def _ole_is_msg(stream: BinaryIO, head: bytes) -> bool:
    """True where the compound file's first directory sector names Outlook message streams."""
    if len(head) < 0x40:
        return False
    sector_size = 1 << int.from_bytes(head[0x1E:0x20], "little")
    first_directory = int.from_bytes(head[0x30:0x34], "little", signed=True)
    if sector_size not in (512, 4096) or first_directory < 0:
        return False
    stream.seek((first_directory + 1) * sector_size)
    directory = stream.read(sector_size * 4)  # the first few directory sectors (4 entries each)
    return any(name in directory for name in _MSG_NAMES)


def _office_type(stream: BinaryIO) -> str | None:
    """docx or xlsx from the zip's central directory (names only: nothing is decompressed)."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL or other C0 controls beyond tab, newlines and form feed."""
    if b"\x00" in head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def _is_mail(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    fields = set()
    for line in head.split(b"\n")[:40]:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):  # a folded header continues the one before
            continue
        if not _HEADER.match(line):
            return False
        fields.add(line.split(b":", 1)[0].lower())
    return len(fields & _MAIL_FIELDS) >= 2


def detect(stream: BinaryIO) -> str | None:
    """The type of the file open in ``stream`` (seekable, at any position), or None."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_ZIP):
        return _office_type(stream)
    if head.startswith(_OLE2):
        return "msg" if _ole_is_msg(stream, head) else None
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if _is_mail(head):
        return "eml"
    if head and _is_text(head):
        return "text"
    return None


def head_is(type_name: str, head: bytes) -> bool:
    """A cheap check that ``head`` (a file's first bytes) could be a file of ``type_name``.

    For bytes that arrive as a stream (a bundle's blobs), where the containers' directories
    cannot be looked at.
    """
    magic = {
        "pdf": (b"%PDF-",),
        "png": (b"\x89PNG\r\n\x1a\n",),
        "jpeg": (b"\xff\xd8\xff",),
        "gif": (b"GIF87a", b"GIF89a"),
        "tiff": (b"II*\x00", b"MM\x00*"),
        "docx": (_ZIP,),
        "xlsx": (_ZIP,),
        "msg": (_OLE2,),
        "webp": (b"RIFF",),
    }
    if type_name in magic:
        return head.startswith(magic[type_name])
    return b"\x00" not in head  # eml, text: the stream check does the rest


@dataclass
class ContentCheck:
    """Watches each chunk of a file of ``type_name``; :meth:`problem` says what was wrong."""

    type_name: str

    def __post_init__(self) -> None:
        self._decoder = (
            codecs.getincrementaldecoder("utf-8")() if self.type_name == "text" else None
        )
        self._bad: str | None = None

    def feed(self, chunk: bytes | memoryview) -> None:
        if self._bad is not None or self.type_name not in ("text", "eml"):
            return
        data = bytes(chunk)
        if b"\x00" in data:
            self._bad = "holds NUL bytes, so it is not text"
        elif self._decoder is not None:
            try:
                self._decoder.decode(data)
            except UnicodeDecodeError:
                self._bad = "is not UTF-8 text throughout"

    def problem(self) -> str | None:
        if self._bad is None and self._decoder is not None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._bad = "ends inside a UTF-8 character"
        return self._bad
