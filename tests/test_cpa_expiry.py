"""The shared expiry classification: thresholds from policies/expiry.toml."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InputError
from smki.expiry import ExpiryPolicy, Severity, classify, load_policy

POLICY = ExpiryPolicy(critical_days=30, warning_days=90, default_horizon_days=180)


@pytest.mark.parametrize(("days", "severity"), [
    (-1, Severity.EXPIRED), (0, Severity.CRITICAL), (30, Severity.CRITICAL),
    (31, Severity.WARNING), (90, Severity.WARNING), (91, Severity.NOTICE),
    (180, Severity.NOTICE), (181, Severity.OK),
])  # fmt: skip
def test_thresholds(days, severity):
    assert classify(days, POLICY) is severity


def test_the_horizon_bounds_what_is_reported_but_never_hides_expiry():
    assert classify(60, POLICY, horizon_days=30) is Severity.OK
    assert classify(-400, POLICY, horizon_days=0) is Severity.EXPIRED
    assert classify(200, POLICY, horizon_days=365) is Severity.NOTICE


@given(st.integers(-10_000, 10_000), st.integers(-10_000, 10_000))
def test_fewer_days_left_is_never_less_severe(a, b):
    if a <= b:
        assert classify(a, POLICY).rank <= classify(b, POLICY).rank


def test_the_shipped_policy_and_a_user_override(tmp_path):
    assert load_policy() == POLICY
    override = tmp_path / "p.toml"
    override.write_text("[expiry]\ncritical_days = 100\n")
    with pytest.raises(InputError, match="critical_days must not exceed warning_days"):
        load_policy(override)
