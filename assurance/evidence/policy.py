"""The evidence policy (policies/evidence.toml), validated on load so a bad override fails early."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core import policy_files
from core.env import shipped
from core.errors import InputError

#: The file types ssc can recognise by content; the policy chooses among them.
KNOWN_TYPES = ("pdf", "docx", "xlsx", "eml", "msg", "png", "jpeg", "gif", "tiff", "webp", "text")

#: Kinds every register has (the spec names them); a policy may add more.
REQUIRED_KINDS = ("report", "response", "plan", "letter", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Storage(_Strict):
    max_bytes: int = Field(ge=1)
    chunk_bytes: int = Field(ge=4096, le=64 * 1024 * 1024)
    max_name_chars: int = Field(ge=16, le=1000)


class Types(_Strict):
    allowed: list[str] = Field(min_length=1)

    @field_validator("allowed")
    @classmethod
    def _known(cls, allowed: list[str]) -> list[str]:
        for name in allowed:
            if name not in KNOWN_TYPES:
                raise ValueError(f"unknown type {name!r}; known: {', '.join(KNOWN_TYPES)}")
        return allowed


class Closing(_Strict):
    requires_evidence: list[str] = []
    unrated_requires_evidence: bool = False


class Basis(_Strict):
    ignore_subject_fields: list[str] = []


class EvidencePolicy(_Strict):
    storage: Storage
    types: Types
    kinds: dict[str, str]
    closing: Closing
    basis: Basis
    sources: tuple[str, ...] = ()

    @field_validator("kinds")
    @classmethod
    def _required_kinds(cls, kinds: dict[str, str]) -> dict[str, str]:
        missing = [kind for kind in REQUIRED_KINDS if kind not in kinds]
        if missing:
            raise ValueError(f"missing kind(s) {', '.join(missing)}")
        return kinds

    def closing_needs_evidence(self, severity: str | None) -> bool:
        if severity is None:
            return self.closing.unrated_requires_evidence
        return severity in self.closing.requires_evidence


def load_evidence_policy(override: Path | None = None) -> EvidencePolicy:
    """Read and validate the evidence policy (shipped defaults, then ``override``'s [evidence])."""
    data, sources = policy_files.read("evidence", override)
    try:
        return EvidencePolicy.model_validate({**data, "sources": tuple(sources)})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(
            first["msg"].removeprefix("Value error, "), path=sources[-1], field=field or None
        ) from None


def evidence_policy() -> EvidencePolicy:
    """The shipped evidence policy: the default when a caller passes none (a register opened
    by a command has its Environment's: ``register.policies(load_evidence_policy)``)."""
    return shipped(load_evidence_policy)
