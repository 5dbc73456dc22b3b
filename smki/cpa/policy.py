"""The CPA policy (``policies/cpa.toml``): CPL vocabularies and what needs acting on, validated."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from core import policy_files
from smki.expiry import ExpiryPolicy, Severity
from smki.expiry import load_policy as load_expiry_policy

PlanState = Literal["missing", "requested", "overdue", "received"]


class Classification(BaseModel):
    """The CPA report's classification, worded as the Panel report words it (report.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: str
    marking: str
    sentence: str


class CpaPolicy(BaseModel):
    """What ``policies/cpa.toml`` says, plus the shared expiry thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statuses: list[str]
    active_status: str
    device_types: list[str]
    action_severities: list[Severity]
    action_plan_states: list[PlanState]
    uncovered_devices_need_action: bool = True
    classification: Classification
    expiry: ExpiryPolicy | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CpaPolicy:
        if self.active_status.casefold() not in {s.casefold() for s in self.statuses}:
            raise ValueError(f"active_status {self.active_status!r} is not one of statuses")
        return self

    def canonical_status(self, value: str) -> str | None:
        """The policy's spelling of a CPL status given in any case, or None if unknown."""
        return _lookup(self.statuses, value)

    def canonical_device_type(self, value: str) -> str | None:
        """The policy's spelling of a device type given in any case, or None if unknown."""
        return _lookup(self.device_types, value)

    def is_active(self, status: str) -> bool:
        return status.casefold() == self.active_status.casefold()


def _lookup(vocabulary: list[str], value: str) -> str | None:
    folded = value.strip().casefold()
    for known in vocabulary:
        if known.casefold() == folded:
            return known
    return None


def load_policy(override: Path | None = None) -> CpaPolicy:
    """``policies/cpa.toml`` and ``policies/expiry.toml``, with ``override`` applied (the
    Environment's policy file); the classification worded by ``policies/report.toml`` (read directly: the Panel report package
    costs a tenth of a second to import, and only its wording is needed here)."""
    from core.errors import InputError

    data, sources = policy_files.read("cpa", override)
    expiry = load_expiry_policy(override)
    level = data.get("classification")
    wording, report_sources = policy_files.read("report", override)
    levels = wording.get("classification", {})
    if not isinstance(level, str) or not isinstance(levels.get(level), dict):
        raise InputError(f"classification {level!r} is not one of {', '.join(levels)}",
                         path=sources[-1], field="classification")  # fmt: skip
    try:
        classification = Classification.model_validate(
            {"level": level, **{k: levels[level].get(k) for k in ("marking", "sentence")}}
        )
    except ValueError as exc:
        raise InputError(f"invalid classification wording: {exc}", path=report_sources[-1],
                         field=f"classification.{level}") from None  # fmt: skip
    try:
        return CpaPolicy.model_validate({**data, "classification": classification,
                                         "expiry": expiry})  # fmt: skip
    except ValueError as exc:
        raise InputError(f"invalid CPA policy: {exc}", path=sources[-1]) from None
