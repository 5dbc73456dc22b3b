"""ssc demo: a realistic fictional register, deterministic for a seed, refusing a register that is not empty."""

from __future__ import annotations

import datetime as dt
import io

from assurance.demo import build, populate
from assurance.interchange import export
from assurance.store import Register

TODAY = dt.date(2020, 1, 10)


def test_deterministic_and_relative_to_today():
    assert build(today=TODAY) == build(today=TODAY)
    assert build(today=TODAY) != build(today=TODAY, seed=7)
    later = build(today=dt.date(2026, 11, 20))
    assert all(r.get("date", "2026-11-20") <= "2026-11-20" for r in later)


def test_covers_every_role_status_and_state(tmp_path):
    with Register.open(tmp_path / "r.db", actor="t") as register:
        populate(register, today=TODAY)
        parties = register.records("party")
        assert 25 <= len(parties) <= 60
        roles = {role for p in parties for role in p.roles}
        assert roles == set(register.policy.roles)
        statuses = {d.status for d in register.records("decision")}
        for vocabulary in ("assurance", "compliance", "letter"):
            assert set(register.policy.statuses[vocabulary]) <= statuses, vocabulary
        assert all(
            d.conditions for d in register.records("decision") if d.status == "approved_subject_to"
        )
        assert {f.status for f in register.records("finding")} == set(
            register.policy.findings.statuses
        )
        assert {f.sec_ref[:2] for f in register.records("finding")} <= {"G3", "G4", "G5", "G6"}
        kinds = {a.kind for a in register.records("assessment")}
        assert kinds == {"FUSA", "VUSA", "SSA", "FOLLOW_UP"}
        years = {a.fieldwork_end.year for a in register.records("assessment") if a.fieldwork_end}
        assert years >= {2018, 2019}
        assert {h.committee for h in register.records("highlight")} == {"SSC", "SMKI_PMA"}
        assert register.verify_audit() is None


def test_same_seed_same_export(tmp_path):
    texts = []
    for name in ("a", "b"):
        with Register.open(tmp_path / f"{name}.db", actor="t") as register:
            populate(register, today=TODAY)
            out = io.StringIO()
            export(register, out)
            texts.append(out.getvalue())
    assert texts[0] == texts[1]


def test_refuses_a_register_that_is_not_empty(ssc):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    again = ssc("demo")
    assert again.status == 2 and "not empty" in again.stderr
