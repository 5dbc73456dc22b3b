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
        sources = [
            ("export", n, json.loads(line)) for n, line in enumerate(text.split("\n")[:-1], 1)
        ]
        import_sources(second, sources)
        assert export_text(second) == text
        assert second.verify_audit() is None


def test_cli_export_to_file(ssc, tmp_path):
    assert ssc("demo", "--as-of", "2020-01-10").status == 0
    target = tmp_path / "out.jsonl"
    assert ssc("export", "-o", str(target)).status == 0
    assert target.read_text() == ssc("export").stdout


text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)).map(
    dt.date.isoformat
)
extras = st.dictionaries(
    st.sampled_from(["region", "note", "ref"]),
    st.one_of(text, st.integers(-5, 5), st.booleans(), st.none()),
    max_size=2,
)
ROLES = [
    "large_supplier",
    "small_supplier",
    "electricity_network_party",
    "gas_network_party",
    "other_user",
    "registered_supplier_agent",
    "shared_resource_provider",
]


@st.composite
def registers(draw):
    """A small register's worth of interchange records, references consistent."""
    records = []
    party_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    for pid in party_ids:
        records.append(
            {
                "type": "party",
                "id": pid,
                "name": draw(text),
                "roles": draw(
                    st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True)
                ),
                "domestic_sms": draw(st.none() | st.integers(0, 10**6)),
                "classification": draw(st.sampled_from(["WHITE", "GREEN", "AMBER", "RED"])),
                **draw(extras),
            }
        )
    assessment_ids = draw(st.lists(ids, max_size=4, unique=True))
    for aid in assessment_ids:
        records.append(
            {
                "type": "assessment",
                "id": aid,
                "party": draw(st.sampled_from(party_ids)),
                "kind": draw(st.sampled_from(["FUSA", "VUSA", "SSA", "FOLLOW_UP"])),
                "cycle_year": draw(st.none() | st.integers(1, 3)),
                "report_received": draw(st.none() | dates),
                **draw(extras),
            }
        )
    for n, aid in enumerate(assessment_ids):
        if draw(st.booleans()):
            status = draw(st.sampled_from(["open", "in_remediation", "remediated", "closed"]))
            records.append(
                {
                    "type": "finding",
                    "id": f"f{n}",
                    "assessment": aid,
                    "sec_ref": draw(st.sampled_from(["G5.14", "G3.11", "G4.2(b)", "G6"])),
                    "title": draw(text),
                    "status": status,
                    "due": draw(st.none() | dates),
                    "closed": draw(dates) if status == "closed" else None,
                }
            )
    records.append(
        {
            "type": "highlight",
            "id": "h1",
            "date": draw(dates),
            "committee": "SMKI_PMA",
            "title": draw(text),
            "text": draw(text),
        }
    )
    draw(st.randoms()).shuffle(records)
    # None leaves a spec field out; an extra field given as null is kept as null.
    return [
        {k: v for k, v in r.items() if v is not None or k in ("region", "note", "ref")}
        for r in records
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=registers())
def test_generated_registers_round_trip(tmp_path_factory, records):
    folder = tmp_path_factory.mktemp("rt")
    with Register.open(folder / "a.db", actor="t") as first:
        import_sources(first, [("gen", n, r) for n, r in enumerate(records, 1)])
        text = export_text(first)
        assert len(text.split("\n")[:-1]) == len(records)
    with Register.open(folder / "b.db", actor="t") as second:
        import_sources(
            second, [("x", n, json.loads(line)) for n, line in enumerate(text.split("\n")[:-1], 1)]
        )
        assert export_text(second) == text
    originals = {(r["type"], r["id"]): r for r in records}
    for line in text.split("\n")[:-1]:
        exported = json.loads(line)
        original = originals[(exported["type"], exported["id"])]
        for key, value in original.items():
            assert (
                exported[key] == value or key == "classification" and exported[key] == value.upper()
            )


# -- whatever ssc lets into a register, its export re-imports -----------------------------------
few = st.sampled_from(["a1", "a2", "l1", "x"])  # few ids, so that operations meet (and clash)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("assessment"), few, st.sampled_from(["FUSA", "VUSA", "SSA", "FOLLOW_UP"]), dates
        ),
        st.tuples(st.just("letter"), few, dates, st.none() | few),
        st.tuples(
            st.just("decide"),
            few,
            st.sampled_from(
                [
                    "approved",
                    "approved_subject_to",
                    "deferred",
                    "rejected",
                    "compliant",
                    "non_compliant",
                ]
            ),
            dates,
        ),
        st.tuples(st.just("finding"), few, few, st.sampled_from(["open", "closed"])),
        st.tuples(st.just("move"), few, few),
        st.tuples(
            st.just("withdraw"),
            st.sampled_from(["assessment", "letter", "decision", "finding"]),
            few,
        ),
        st.tuples(
            st.just("extra"),
            few,
            st.one_of(
                text,
                st.integers(-(2**63), 2**63 - 1),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
        ),
    ),
    min_size=1,
    max_size=14,
)


def _apply(register: Register, operation: tuple) -> None:
    """One write as a secretary would make it; the workflow may refuse it (that is fine)."""
    from assurance.records import add_record, decide, edit_record
    from core.errors import InputError

    kind, *args = operation
    try:
        if kind == "assessment":
            add_record(
                register,
                "assessment",
                {"id": args[0], "party": "p1", "kind": args[1], "report_received": args[2]},
            )
        elif kind == "letter":
            add_record(
                register,
                "letter",
                {"id": args[0], "party": "p1", "received": args[1], "relates_to": args[2]},
            )
        elif kind == "decide":
            decide(
                register,
                args[0],
                status=args[1],
                date=dt.date.fromisoformat(args[2]),
                conditions="Remediate by the next meeting"
                if args[1] == "approved_subject_to"
                else None,
            )
        elif kind == "finding":
            add_record(
                register,
                "finding",
                {
                    "id": args[0],
                    "assessment": args[1],
                    "sec_ref": "G5.14",
                    "title": "Risk assessment not refreshed",
                    "status": args[2],
                    "closed": "2020-01-01" if args[2] == "closed" else None,
                },
            )
        elif kind == "move":
            edit_record(register, "finding", args[0], {"assessment": args[1]})
        elif kind == "withdraw":
            register.withdraw(args[0], args[1], reason="entered in error")
        elif kind == "extra":
            register.edit("party", "p1", {f"x_{args[0]}": args[1]})
    except InputError:
        pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_register_ssc_accepts_exports_and_reimports_byte_identical(
    tmp_path_factory, operations
):
    folder = tmp_path_factory.mktemp("ops")
    with Register.open(folder / "a.db", actor="t") as first:
        add_record_party = {
            "type": "party",
            "id": "p1",
            "name": "Fenland Ltd",
            "roles": ["other_user"],
        }
        import_sources(first, [("p", 1, add_record_party)])
        for operation in operations:
            _apply(first, operation)
        text = export_text(first)
        assert first.verify_audit() is None
    exported = folder / "export.jsonl"
    exported.write_text(text, encoding="utf-8")
    from tests.conftest import SSC

    second = SSC(folder / "b.db")
    result = second("import", str(exported))
    assert result.status == 0, result.stderr
    assert second("export").stdout == text
    assert second("audit", "verify").status == 0


def test_records_standing_on_a_record_withdrawn_later_reimport(ssc, tmp_path):
    """Withdrawing an assessment leaves its decision and finding standing; the export restores both."""
    for argv in (
        ("party", "add", "id=p1", "name=Fenland Ltd", "roles=other_user"),
        ("assessment", "add", "id=a1", "party=p1", "kind=FUSA", "report_received=2029-01-01"),
        ("decide", "a1", "--status", "approved", "--date", "2030-01-01"),
        ("finding", "add", "id=f1", "assessment=a1", "sec_ref=G5.14", "title=Late"),
        ("assessment", "withdraw", "a1", "--reason", "entered twice"),
    ):
        assert ssc(*argv).status == 0, argv
    text = ssc("export").stdout
    path = tmp_path / "export.jsonl"
    path.write_text(text, encoding="utf-8")
    from tests.conftest import SSC

    fresh = SSC(tmp_path / "fresh.db")
    result = fresh("import", str(path))
    assert result.status == 0, result.stderr
    assert fresh("export").stdout == text
    # In the register, the withdrawn assessment takes nothing new.
    for register in (ssc, fresh):
        result = register("decide", "a1", "--status", "approved", "--date", "2030-02-01")
        assert result.status == 2 and "subject: assessment a1 is withdrawn" in result.stderr
        result = register("finding", "add", "id=f2", "assessment=a1", "sec_ref=G5.14", "title=Late")
        assert result.status == 2 and "assessment: assessment a1 is withdrawn" in result.stderr
