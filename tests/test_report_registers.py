"""Registers that reproduce the seeds' months, built through the store API, for the report tests."""

from __future__ import annotations

from pathlib import Path

from assurance.store import Register, validate

DECEMBER_2019 = [
    (
        "party",
        {"id": "p1", "name": "Fenland Shared Services Ltd", "roles": ["shared_resource_provider"]},
    ),
    (
        "assessment",
        {
            "id": "a1",
            "party": "p1",
            "kind": "FUSA",
            "cycle_year": 1,
            "fieldwork_end": "2019-10-18",
            "report_received": "2019-11-08",
        },
    ),
    (
        "decision",
        {
            "id": "d1",
            "subject": "a1",
            "date": "2019-12-11",
            "status": "approved_subject_to",
            "conditions": "Remediate F1 by 2020-03-31",
        },
    ),
    (
        "finding",
        {
            "id": "f1",
            "assessment": "a1",
            "sec_ref": "G5.14",
            "title": "Risk assessment not refreshed after system change",
            "severity": "medium",
            "due": "2020-03-31",
            "status": "open",
        },
    ),
    (
        "highlight",
        {
            "id": "h1",
            "date": "2019-12-11",
            "committee": "SSC",
            "classification": "WHITE",
            "title": "Meter Triage Use Cases",
            "text": "The SSC discussed the outcome of a meeting held on 4 December 2019.",
        },
    ),
    (
        "highlight",
        {
            "id": "h2",
            "date": "2019-12-11",
            "committee": "SMKI_PMA",
            "classification": "WHITE",
            "title": "Progressing enforced XML Signing",
            "text": "The SMKI PMA was updated on the proposals regarding use of an XML Signing Key.",
        },
    ),
    # Outside the month: must not be counted.
    ("party", {"id": "p9", "name": "Northwold Energy plc", "roles": ["large_supplier"]}),
    ("assessment", {"id": "a9", "party": "p9", "kind": "VUSA"}),
    ("decision", {"id": "d9", "subject": "a9", "date": "2020-01-08", "status": "compliant"}),
]

_FEB_PARTIES = [
    ("q1", "Aldgate Power Ltd", ["large_supplier"]),
    ("q2", "Brent Gas Networks", ["gas_network_party"]),
    ("q3", "Camden Supply Co", ["large_supplier"]),
    ("q4", "Dalston Electricity", ["electricity_network_party"]),
    ("q5", "Ealing Energy", ["small_supplier"]),
    ("q6", "Finchley Meters", ["other_user"]),
    ("q7", "Greenwich Utilities", ["large_supplier"]),
    ("q8", "Hackney Home Energy", ["small_supplier"]),
]


def february_2019() -> list[tuple[str, dict]]:
    records: list[tuple[str, dict]] = [
        ("party", {"id": pid, "name": name, "roles": roles}) for pid, name, roles in _FEB_PARTIES
    ]
    records += [
        ("assessment", {"id": "f1", "party": "q1", "kind": "FUSA", "cycle_year": 1}),
        ("decision", {"id": "df1", "subject": "f1", "date": "2019-02-13", "status": "approved"}),
    ]
    for n, pid in enumerate(["q2", "q3", "q4", "q5", "q6", "q7"], start=1):
        records += [
            ("assessment", {"id": f"v{n}", "party": pid, "kind": "VUSA", "cycle_year": 2}),
            (
                "decision",
                {"id": f"dv{n}", "subject": f"v{n}", "date": "2019-02-13", "status": "compliant"},
            ),
        ]
    records += [
        ("assessment", {"id": "r1", "party": "q3", "kind": "FUSA", "cycle_year": 1}),
        (
            "letter",
            {
                "id": "l1",
                "party": "q3",
                "received": "2019-01-20",
                "relates_to": "r1",
                "summary": "Remediation of access control findings complete",
            },
        ),
        ("letter", {"id": "l2", "party": "q7", "received": "2019-01-28"}),
        ("decision", {"id": "dl1", "subject": "l1", "date": "2019-02-13", "status": "approved"}),
        ("decision", {"id": "dl2", "subject": "l2", "date": "2019-02-13", "status": "approved"}),
        ("assessment", {"id": "s1", "party": "q8", "kind": "SSA", "cycle_year": 2}),
        ("decision", {"id": "ds1", "subject": "s1", "date": "2019-02-13", "status": "compliant"}),
        (
            "highlight",
            {
                "id": "hs1",
                "date": "2019-02-13",
                "committee": "SSC",
                "classification": "WHITE",
                "title": "Major Security Incident Management",
                "text": "The DCC provided an update to the SSC regarding scenario-based activities.",
            },
        ),
    ]
    return records


def build_register(path: Path, records: list[tuple[str, dict]]) -> Path:
    """Add ``records`` to a new register at ``path`` through the store's validation and workflow."""
    with Register.open(path, actor="test-secretary") as register:
        for type_name, data in records:
            register.add(validate(type_name, data, register.policy))
    return path


def test_seed_registers_build(tmp_path: Path) -> None:
    build_register(tmp_path / "dec.db", DECEMBER_2019)
    with Register.open(build_register(tmp_path / "feb.db", february_2019()), actor="t") as register:
        assert register.count("decision") == 10
