"""ssc export: the whole register as JSON Lines; export, import into an empty register, export again is identical."""

from __future__ import annotations

import datetime as dt
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance.demo import populate
from assurance.interchange import export, import_sources
from assurance.store import Register


def export_text(register: Register) -> str:
    out = io.StringIO()
    export(register, out)
    return out.getvalue()


def test_demo_with_withdrawn_records_round_trips(tmp_path):
    with Register.open(tmp_path / "a.db", actor="t") as first:
        populate(first, today=dt.date(2020, 1, 10))
        first.withdraw("finding", "F0003", reason="raised in error")
        first.edit("party", "P001", {"contact": "ciso@pennine.example"}, reason="new contact")
        text = export_text(first)
    assert '"withdrawn_reason":"raised in error"' in text
    with Register.open(tmp_path / "b.db", actor="t") as second:
        sources = [("export", n, json.loads(line)) for n, line in enumerate(text.split("\n")[:-1], 1)]
        import_sources(second, sources)
        assert export_text(second) == text
        assert second.verify_audit() is None


def test_cli_export_to_file(ssc, tmp_path):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    target = tmp_path / "out.jsonl"
    assert ssc("export", "-o", str(target)).status == 0
    assert target.read_text() == ssc("export").stdout


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).map(str.strip).filter(bool)
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)).map(dt.date.isoformat)
extras = st.dictionaries(st.sampled_from(["region", "note", "ref"]),
                         st.one_of(text, st.integers(-5, 5), st.booleans()), max_size=2)
ROLES = ["large_supplier", "small_supplier", "electricity_network_party", "gas_network_party",
         "other_user", "registered_supplier_agent", "shared_resource_provider"]


@st.composite
def registers(draw):
    """A small register's worth of interchange records, references consistent."""
    records = []
    party_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    for pid in party_ids:
        records.append({"type": "party", "id": pid, "name": draw(text),
                        "roles": draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True)),
                        "domestic_sms": draw(st.none() | st.integers(0, 10**6)),
                        "classification": draw(st.sampled_from(["WHITE", "GREEN", "AMBER", "RED"])),
                        **draw(extras)})
    assessment_ids = draw(st.lists(ids, max_size=4, unique=True))
    for aid in assessment_ids:
        records.append({"type": "assessment", "id": aid, "party": draw(st.sampled_from(party_ids)),
                        "kind": draw(st.sampled_from(["FUSA", "VUSA", "SSA", "FOLLOW_UP"])),
                        "cycle_year": draw(st.none() | st.integers(1, 3)),
                        "report_received": draw(st.none() | dates), **draw(extras)})
    for n, aid in enumerate(assessment_ids):
        if draw(st.booleans()):
            status = draw(st.sampled_from(["open", "in_remediation", "remediated", "closed"]))
            records.append({"type": "finding", "id": f"f{n}", "assessment": aid,
                            "sec_ref": draw(st.sampled_from(["G5.14", "G3.11", "G4.2(b)", "G6"])),
                            "title": draw(text), "status": status, "due": draw(st.none() | dates),
                            "closed": draw(dates) if status == "closed" else None})
    records.append({"type": "highlight", "id": "h1", "date": draw(dates), "committee": "SMKI_PMA",
                    "title": draw(text), "text": draw(text)})
    draw(st.randoms()).shuffle(records)
    return [{k: v for k, v in r.items() if v is not None} for r in records]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=registers())
def test_generated_registers_round_trip(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("rt")
    with Register.open(folder / "a.db", actor="t") as first:
        import_sources(first, [("gen", n, r) for n, r in enumerate(records, 1)])
        text = export_text(first)
        assert len(text.split("\n")[:-1]) == len(records)
    with Register.open(folder / "b.db", actor="t") as second:
        import_sources(second, [("x", n, json.loads(line)) for n, line in enumerate(text.split("\n")[:-1], 1)])
        assert export_text(second) == text
    originals = {(r["type"], r["id"]): r for r in records}
    for line in text.split("\n")[:-1]:
        exported = json.loads(line)
        original = originals[(exported["type"], exported["id"])]
        for key, value in original.items():
            assert exported[key] == value or key == "classification" and exported[key] == value.upper()
