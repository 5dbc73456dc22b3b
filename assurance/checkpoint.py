"""Signed checkpoints of the audit trail: a short statement, quotable in a Panel paper, that the
register had N events ending in head H at time T, signed with an Ed25519 key kept outside it.

The file alone cannot show that its whole trail was not rewritten; a checkpoint can, later and
offline: ``ssc audit verify --checkpoint FILE --public-key FILE`` checks the signature against
the public key, then that the signed head is still event N of the trail. The statement is plain
text, one ``name: value`` per line, the signature over every line before it::

    ssc audit checkpoint v1
    register: 0b6f…      (the id in the trail's first event)
    events: 436
    head: 4c6e…
    at: 2026-11-30T22:40:00Z
    key: ed25519:BASE64  (the raw public key)
    signature: BASE64
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.errors import InputError

TITLE = "ssc audit checkpoint v1"
FIELDS = ("register", "events", "head", "at", "key")
#: A statement is a few hundred bytes; anything much larger is not one.
MAX_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    register: str
    events: int
    head: str
    at: str
    key: str  # "ed25519:" + base64 of the raw public key
    signature: str = ""

    def signed_text(self) -> str:
        lines = [TITLE, *(f"{name}: {getattr(self, name)}" for name in FIELDS)]
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        return self.signed_text() + f"signature: {self.signature}\n"


def _raw_public(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + base64.b64encode(raw).decode()


def new_key() -> tuple[bytes, bytes, str]:
    """A fresh key pair: (private PEM, public PEM, the public key as statements name it)."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem, _raw_public(private.public_key())


def _read_small(path: Path, what: str) -> bytes:
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"not a regular file; expected {what}", path=str(path))
        if status.st_size > MAX_BYTES * 4:
            raise InputError(f"too large to be {what}", path=str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file; expected {what}", path=str(path)) from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key from a PEM file that only its owner can read (like ssh, others refuse)."""
    data = _read_small(path, "an Ed25519 private key (PEM)")
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        raise InputError(
            "the checkpoint key is readable by others: chmod 600 it (or make a new "
            "one with `ssc audit checkpoint --new-key FILE`)",
            path=str(path),
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InputError("not an unencrypted PEM private key", path=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            "not an Ed25519 key (make one with `ssc audit checkpoint --new-key`)", path=str(path)
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = _read_small(path, "an Ed25519 public key (PEM)")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError("not a PEM public key", path=str(path)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("not an Ed25519 public key", path=str(path))
    return key


def sign(
    key: Ed25519PrivateKey, *, register: str, events: int, head: str, at: dt.datetime
) -> Checkpoint:
    unsigned = Checkpoint(
        register,
        events,
        head,
        at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        _raw_public(key.public_key()),
    )
    signature = key.sign(unsigned.signed_text().encode())
    return Checkpoint(**{**unsigned.__dict__, "signature": base64.b64encode(signature).decode()})


_EVENTS = re.compile(r"[0-9]+")


def parse(text: str, path: str) -> Checkpoint:
    """A statement read back (surrounding blank lines and indentation, as quoted, are ignored)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if not lines or lines[0] != TITLE:
        raise InputError(f"not a checkpoint: the first line must be {TITLE!r}", path=path, line=1)
    values: dict[str, str] = {}
    names = (*FIELDS, "signature")
    for number, line in enumerate(lines[1:], start=2):
        name, sep, value = line.partition(": ")
        if not sep or name not in names or name in values:
            raise InputError(
                f"expected one of {', '.join(names)} once each", path=path, line=number
            )
        values[name] = value.strip()
    missing = [n for n in names if n not in values]
    if missing:
        raise InputError(f"missing {', '.join(missing)}", path=path)
    if not _EVENTS.fullmatch(values["events"]):  # ASCII digits: str.isdigit takes "²", int() not
        raise InputError("events: expected a whole number", path=path, field="events")
    return Checkpoint(
        values["register"],
        int(values["events"]),
        values["head"],
        values["at"],
        values["key"],
        values["signature"],
    )


def read(path: Path) -> Checkpoint:
    data = _read_small(path, "a checkpoint statement")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            "not UTF-8 text; expected a checkpoint statement", path=str(path)
        ) from None
    return parse(text, str(path))


def signature_holds(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> str | None:
    """None if ``public_key`` signed exactly this statement; else what is wrong."""
    if checkpoint.key != _raw_public(public_key):
        return "it names another key than the public key given"
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        public_key.verify(signature, checkpoint.signed_text().encode())
    except (InvalidSignature, ValueError):
        return "its signature does not verify: the statement was altered or not signed by this key"
    return None
