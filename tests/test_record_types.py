"""One descriptor per record type: every one complete, the schema matching every model, and a
half-added type failing here with a clear message rather than breaking `ssc --help`."""

from __future__ import annotations

import sqlite3

import pytest

from assurance import schema
from assurance.descriptors import DESCRIPTORS, RecordType
from assurance.models import RECORD_TYPES
from assurance.policy import default_policy
from assurance.records import descriptor_problems
from assurance.report.policy import default_report_policy
from assurance.schema import schema_problems
from core.db import open_register
from ssc.cli import build_parser


@pytest.mark.parametrize("type_name", list(RECORD_TYPES))
def test_every_descriptor_is_complete(type_name):
    model = RECORD_TYPES[type_name]
    assert model.descriptor is DESCRIPTORS[type_name]
    assert descriptor_problems(model, default_policy()) == []


def test_the_models_and_the_descriptors_are_the_same_types_in_the_same_order():
    assert list(RECORD_TYPES) == list(DESCRIPTORS)
    for name, model in RECORD_TYPES.items():
        assert (model.type_name, model.table) == (name, DESCRIPTORS[name].table)


def test_every_panel_count_has_its_wording():
    counted = {d.panel_count for d in DESCRIPTORS.values() if d.panel_count}
    assert counted, "the incident type is counted in the Panel report"
    assert counted <= set(default_report_policy().counts)


def test_a_half_added_type_fails_here_naming_what_it_lacks(monkeypatch):
    half = RecordType(
        name="incident",
        table="incidents",
        label="",
        plural="Security Incidents",
        id_prefix="P",
        list_columns=("id", "nonsense"),
        due_field="title",
    )
    monkeypatch.setitem(DESCRIPTORS, "incident", half)
    monkeypatch.setattr(RECORD_TYPES["incident"], "descriptor", half)
    problems = "\n".join(descriptor_problems(RECORD_TYPES["incident"], default_policy()))
    for expected in (
        "descriptor.label is empty",
        "descriptor.example is empty",
        "id_prefix 'P' is another type's",
        "list_columns names 'nonsense'",
        "due_field 'title' is not a date field",
        "due_field and due_category",
    ):
        assert expected in problems
    # ... and `ssc --help` (which reads the descriptors) still builds.
    help_text = build_parser().format_help()
    assert "incident" in help_text


def test_ssc_help_shows_every_type_with_its_example(ssc, capsys):
    for name, descriptor in DESCRIPTORS.items():
        result = ssc(name, "add", "--help")
        assert result.status == 0
        shown = " ".join(capsys.readouterr().out.split())
        assert f"ssc {name} add {descriptor.example}" in shown
        assert "Fields: id " in shown


# -- the schema -------------------------------------------------------------------------------
def test_the_replayed_schema_matches_every_model(tmp_path):
    conn = open_register(tmp_path / "r.db")
    assert schema_problems(conn) == []


def test_a_model_changed_without_a_migration_is_named(tmp_path, monkeypatch):
    conn = open_register(tmp_path / "r.db")
    conn.execute("CREATE TABLE scratch AS SELECT * FROM incidents")  # the table as migrated
    # A field dropped from the table stands for a field added to the model without a migration.
    conn.executescript(
        "DROP INDEX incidents_party; DROP INDEX incidents_reported;"
        "ALTER TABLE incidents DROP COLUMN next_review;"
        "ALTER TABLE incidents ADD COLUMN stray TEXT;"
    )
    problems = schema_problems(conn)
    assert "table incidents: no column next_review (field Incident.next_review)" in problems
    assert "table incidents: column stray is no field of Incident" in problems


def test_a_new_types_migration_is_its_descriptors_create_table():
    """The incidents migration was generated from the descriptor (and is kept as text)."""
    from assurance.models import Incident

    assert schema.V_INCIDENTS.strip() == schema.create_table(Incident).strip()
    assert schema.MIGRATIONS[-1] is schema.V_INCIDENTS


def test_a_register_made_before_incidents_opens_migrates_and_verifies(tmp_path, monkeypatch, ssc):
    """Migrations stay append-only: a register from the previous version gains the table on its
    next write, and `audit verify` (which replays the migrations) finds it intact."""
    before = schema.MIGRATIONS[:-1]
    monkeypatch.setattr(schema, "MIGRATIONS", before)
    assert ssc("party", "add", "id=P1", "name=Fenland", "roles=other_user").status == 0
    conn = sqlite3.connect(ssc.db)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'incidents'").fetchone()
    conn.close()
    monkeypatch.undo()
    assert (
        ssc(
            "incident",
            "add",
            "id=I1",
            "reported=2019-12-04",
            "category=human_error",
            "title=Major Incident in CSP N",
        ).status
        == 0
    )
    verified = ssc("audit", "verify")
    assert verified.status == 0, verified.stdout


def test_every_list_made_from_a_descriptor_has_a_key_of_its_own():
    """A new type's TUI list is reached by its descriptor's tui_key, which no other binding
    (anywhere, on a list, on the dashboard) takes."""
    from tui import keymap
    from tui.views import VIEWS

    described = {view.record_type for view in VIEWS.values() if view.name in keymap.DESCRIBED_VIEWS}
    for name in DESCRIPTORS:
        hand_made = any(
            v.record_type == name and v.name not in keymap.DESCRIBED_VIEWS for v in VIEWS.values()
        )
        assert hand_made or name in described, (
            f"{name}: no TUI list (give its descriptor a tui_key)"
        )
    keys = [b.key for b in (*keymap.GLOBAL, *keymap.RECORDS, *keymap.DASHBOARD)]
    for descriptor in DESCRIPTORS.values():
        if descriptor.tui_key:
            assert keys.count(descriptor.tui_key) == 1, (
                f"{descriptor.name}: key {descriptor.tui_key!r} is taken"
            )
