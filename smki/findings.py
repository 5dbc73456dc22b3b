"""A finding of the key-separation check: rule, severity (from the policy), place and message."""

from __future__ import annotations

from dataclasses import dataclass, field

from smki.certificates import Certificate
from smki.policy import load_policy


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
        return cls(cert.path, cert.subject, str(cert.serial), cert.role_name, cert.key_usage)


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    message: str
    certificates: tuple[CertificateRef, ...] = field(default=())

    @property
    def severity(self) -> str:
        return load_policy().rules[self.rule].severity

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.rule)


def finding(rule: str, path: str, line: int | None, message: str,
            certificates: list[Certificate] | tuple[Certificate, ...] = ()) -> Finding:
    return Finding(rule, path, line or 1, message, tuple(CertificateRef.of(c) for c in certificates))
