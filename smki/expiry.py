"""How close a certificate is to expiry, in the same terms for CPA and SMKI certificates."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

import policies


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


class ExpiryPolicy(BaseModel):
    """The thresholds of ``policies/expiry.toml``, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical_days: int = Field(ge=0)
    warning_days: int = Field(ge=0)
    default_horizon_days: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> ExpiryPolicy:
        if not self.critical_days <= self.warning_days:
            raise ValueError("critical_days must not exceed warning_days")
        return self


def load_policy(override: Path | None = None) -> ExpiryPolicy:
    """The shipped thresholds, with a user's ``[expiry]`` table (``SSC_POLICY``) applied."""
    from ssc.errors import InputError

    data, sources = policies.read("expiry", override)
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
