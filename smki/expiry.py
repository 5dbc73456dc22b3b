"""How close a certificate is to expiry, in the same terms for CPA and SMKI certificates.

Validated by hand, without pydantic: ``ssc smki certs`` runs on the base install (the pre-commit
hook's), which leaves pydantic out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

from core import policy_files


class Severity(StrEnum):
    """An expiry alert's severity, worst first; ``OK`` is beyond the horizon (no alert)."""

    EXPIRED = "expired"
    CRITICAL = "critical"
    WARNING = "warning"
    NOTICE = "notice"
    OK = "ok"

    @property
    def rank(self) -> int:
        """0 for the worst (expired), rising towards ``OK``; sort by it for worst first."""
        return list(Severity).index(self)


@dataclasses.dataclass(frozen=True)
class ExpiryPolicy:
    """The thresholds of ``policies/expiry.toml``, validated."""

    critical_days: int
    warning_days: int
    default_horizon_days: int

    def __post_init__(self) -> None:
        for name in ("critical_days", "warning_days", "default_horizon_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number of days, 0 or more")
        if not self.critical_days <= self.warning_days:
            raise ValueError("critical_days must not exceed warning_days")

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> ExpiryPolicy:
        """From a policy table; unknown keys are refused (a misspelt threshold is a mistake)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ValueError(f"unknown key(s): {', '.join(unknown)}")
        missing = sorted(fields - set(data))
        if missing:
            raise ValueError(f"missing key(s): {', '.join(missing)}")
        return cls(**data)

    def model_dump(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def load_policy(override: Path | None = None) -> ExpiryPolicy:
    """The shipped thresholds, with ``override``'s ``[expiry]`` table applied (the Environment's
    policy file: ``env.policy(load_policy)``)."""
    from core.errors import InputError

    data, sources = policy_files.read("expiry", override)
    try:
        return ExpiryPolicy.model_validate(data)
    except ValueError as exc:
        raise InputError(f"invalid expiry policy: {exc}", path=sources[-1]) from None


def days_left(expires: dt.date, as_of: dt.date) -> int:
    """Whole days from ``as_of`` to ``expires``; negative once expired, 0 on the last day."""
    return (expires - as_of).days


def classify(days: int, policy: ExpiryPolicy, horizon_days: int | None = None) -> Severity:
    """The severity of a certificate with ``days`` left, by ``policy``'s thresholds.

    ``horizon_days`` (default: the policy's) is how far ahead to look: a certificate with more
    days left than that is ``OK`` (no alert), whatever the thresholds; an expired one never is.
    """
    horizon = policy.default_horizon_days if horizon_days is None else horizon_days
    if days < 0:
        return Severity.EXPIRED
    if days > horizon:
        return Severity.OK
    if days <= policy.critical_days:
        return Severity.CRITICAL
    if days <= policy.warning_days:
        return Severity.WARNING
    return Severity.NOTICE
