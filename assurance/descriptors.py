"""What ssc knows about each record type besides its fields: one descriptor per type, read by every part.

A record type is its pydantic model (assurance.models: the fields, their types, their checks)
plus its :class:`RecordType` in :data:`DESCRIPTORS` (set on the model as ``descriptor``). The
store, the CLI (``ssc <type> add|edit|list|show|withdraw``, its help and example), the
interchange (CSV file names), the plain tables, the schema of a new type, the report window,
``ssc due``, the TUI's list, form and picker all read the descriptor;
none keeps a table of record types of its own. Vocabularies and status workflows stay in
policies/register.toml (``[types.<name>]``), named here only by field. This module imports
nothing heavy, so the CLI builds its commands from it without loading pydantic.

Every attribute beyond the names has a default, so a descriptor left half done still imports
(``ssc --help`` keeps working); tests/test_record_types.py says what it lacks
(``assurance.records.descriptor_problems``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen() -> Mapping:
    return MappingProxyType({})


@dataclass(frozen=True)
class RecordType:
    """One record type's facts, apart from its fields (which are its model's)."""

    #: The interchange ``type`` and the CLI command (``ssc incident ...``).
    name: str
    #: The SQLite table (also a CSV file name: incidents.csv).
    table: str
    #: For people: "Security Incident", "Security Incidents".
    label: str
    plural: str
    #: Ids of records added without one: the prefix of I0001, I0002...
    id_prefix: str = ""
    #: One line for ``ssc --help``.
    help: str = ""
    #: ``ssc <type> add`` arguments that add a valid record (shown in the help).
    example: str = ""
    #: The columns ``ssc <type> list`` shows (every field is in ``--format json``).
    list_columns: tuple[str, ...] = ()
    #: Fields that hold the id of one record type: field -> type.
    references: Mapping[str, str] = field(default_factory=_frozen)
    #: Fields that hold the id of a record of one of several types (a decision's subject).
    subject_references: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen)
    #: The date a month's report window selects records by (never a free-text column).
    date_field: str | None = None
    #: The field whose value follows the type's status workflow (register.toml [types.<name>.workflow]).
    status_field: str | None = None
    #: The date a closed status needs (``closed_statuses`` of the workflow).
    closed_field: str | None = None
    #: Fields whose values come from the policy (register.toml [types.<name>.choices.<field>]).
    choice_fields: tuple[str, ...] = ()
    #: The date ``ssc due`` chases while the status is not done (a review, a remediation).
    due_field: str | None = None
    #: The ``ssc due`` category of that date.
    due_category: str | None = None
    #: The field naming the record's Party, if it has one directly.
    party_field: str | None = None
    #: A key of policies/report.toml [counts]: the Panel report counts the month's records there.
    panel_count: str | None = None
    #: Further CSV file names for the type (besides its name and table).
    csv_names: tuple[str, ...] = ()
    #: Extra indexes (column lists) for a generated table.
    indexes: tuple[tuple[str, ...], ...] = ()
    #: The TUI: the columns of its list (id and classification always shown), and what its
    #: filter searches beyond them.
    tui_columns: tuple[str, ...] = ()
    #: The key that opens its list in the TUI, for a type whose list is made from this
    #: descriptor (tui.views.described_view); the first five types have hand-made lists and keys.
    tui_key: str | None = None

    @property
    def all_references(self) -> dict[str, tuple[str, ...]]:
        """Every reference field with the types it may name (plain and polymorphic alike)."""
        found: dict[str, tuple[str, ...]] = {
            name: (target,) for name, target in self.references.items()
        }
        found.update(self.subject_references)
        return found


#: Every record type's descriptor, in the order that satisfies references (the models' order).
DESCRIPTORS: dict[str, RecordType] = {
    "party": RecordType(
        name="party",
        table="parties",
        label="Party",
        plural="Parties",
        id_prefix="P",
        help="Parties and their User Roles",
        example="id=P1 name='Fenland Shared Services Ltd' roles=shared_resource_provider",
        list_columns=("id", "name", "roles", "domestic_sms"),
        party_field="id",
        tui_columns=("name", "roles", "sec_party_id", "domestic_sms"),
    ),
    "assessment": RecordType(
        name="assessment",
        table="assessments",
        label="assessment",
        plural="assessments",
        id_prefix="A",
        help="FUSA, VUSA, SSA and follow-up assessments",
        example="id=A1 party=P1 kind=FUSA cycle_year=1 fieldwork_end=2019-10-18",
        list_columns=(
            "id",
            "party",
            "kind",
            "cycle_year",
            "fieldwork_end",
            "report_received",
            "response_received",
        ),
        references={"party": "party"},
        date_field="fieldwork_end",
        party_field="party",
        tui_columns=("party", "kind", "cycle_year", "fieldwork_end", "report_received"),
    ),
    "letter": RecordType(
        name="letter",
        table="letters",
        label="Director's Letter",
        plural="Director's Letters",
        id_prefix="L",
        help="Director's Letters",
        example="id=L1 party=P1 received=2020-02-03 relates_to=A1",
        list_columns=("id", "party", "received", "relates_to", "summary"),
        references={"party": "party", "relates_to": "assessment"},
        date_field="received",
        party_field="party",
        csv_names=("directors_letters",),
        tui_columns=("party", "received", "relates_to", "summary"),
    ),
    "decision": RecordType(
        name="decision",
        table="decisions",
        label="decision",
        plural="decisions",
        id_prefix="D",
        help="Assurance and Compliance Statuses the SSC set",
        example="subject=A1 date=2019-12-11 status=approved",
        list_columns=("id", "subject", "date", "status", "conditions"),
        # `subject` is an assessment or a letter: resolved by the workflow, not a plain reference.
        subject_references={"subject": ("assessment", "letter")},
        date_field="date",
        tui_columns=("date", "subject", "status", "conditions"),
    ),
    "finding": RecordType(
        name="finding",
        table="findings",
        label="finding",
        plural="findings",
        id_prefix="F",
        help="non-compliances against SEC G3-G6 and their remediation",
        example="id=F1 assessment=A1 sec_ref=G5.14 title='Risk assessment not refreshed' due=2020-03-31",
        list_columns=("id", "assessment", "sec_ref", "severity", "status", "due", "title"),
        references={"assessment": "assessment"},
        date_field="due",
        status_field="status",
        closed_field="closed",
        due_field="due",
        due_category="action",
        tui_columns=("assessment", "sec_ref", "title", "severity", "due", "status"),
    ),
    "highlight": RecordType(
        name="highlight",
        table="highlights",
        label="highlight",
        plural="highlights",
        id_prefix="H",
        help="SSC and SMKI PMA highlights for the Panel",
        example="date=2019-12-11 committee=SSC title='Meter Triage' text='The SSC discussed…'",
        list_columns=("id", "date", "committee", "classification", "title"),
        date_field="date",
        tui_columns=("date", "committee", "title"),
        tui_key="H",
    ),
    "incident": RecordType(
        name="incident",
        table="incidents",
        label="Security Incident",
        plural="Security Incidents",
        id_prefix="I",
        help="Security Incidents the SSC reviews, until closed",
        example="id=I1 reported=2019-12-04 category=human_error severity=major "
        "title='Major Incident in CSP N' next_review=2020-01-15",
        list_columns=("id", "reported", "category", "severity", "status", "next_review", "title"),
        references={"party": "party"},
        date_field="reported",
        status_field="status",
        closed_field="closed",
        choice_fields=("category", "severity"),
        due_field="next_review",
        due_category="incident",
        party_field="party",
        panel_count="incidents",
        tui_columns=("reported", "party", "title", "category", "severity", "next_review", "status"),
        tui_key="I",
    ),
}
