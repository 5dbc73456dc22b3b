"""The register's SQLite schema, as append-only migrations (never edit one that has shipped).

A new record type's table is generated from its model and descriptor (:func:`create_table`,
``python -m assurance.schema TYPE``) and appended as a migration's text; :func:`schema_problems`
compares a register's tables with every model.
"""

from __future__ import annotations

import sqlite3

from assurance.models import RECORD_TYPES, Record, column_type

_COMMON = """
    classification TEXT NOT NULL,
    extra TEXT,
    withdrawn TEXT,
    withdrawn_reason TEXT
"""

V1 = f"""
CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    sec_party_id TEXT,
    domestic_sms INTEGER,
    non_domestic_sms INTEGER,
    contact TEXT,
    {_COMMON}
);
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    party TEXT NOT NULL REFERENCES parties(id),
    kind TEXT NOT NULL,
    cycle_year INTEGER,
    cio TEXT,
    fieldwork_start TEXT,
    fieldwork_end TEXT,
    report_received TEXT,
    response_due TEXT,
    response_received TEXT,
    {_COMMON}
);
CREATE INDEX assessments_party ON assessments(party, fieldwork_end);
CREATE TABLE letters (
    id TEXT PRIMARY KEY,
    party TEXT NOT NULL REFERENCES parties(id),
    received TEXT NOT NULL,
    relates_to TEXT REFERENCES assessments(id),
    summary TEXT,
    {_COMMON}
);
CREATE INDEX letters_party ON letters(party);
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL,
    conditions TEXT,
    notes TEXT,
    {_COMMON}
);
CREATE INDEX decisions_subject ON decisions(subject, date);
CREATE INDEX decisions_date ON decisions(date);
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    assessment TEXT NOT NULL REFERENCES assessments(id),
    sec_ref TEXT NOT NULL,
    title TEXT NOT NULL,
    severity TEXT,
    description TEXT,
    action TEXT,
    owner TEXT,
    due TEXT,
    status TEXT NOT NULL,
    closed TEXT,
    {_COMMON}
);
CREATE INDEX findings_assessment ON findings(assessment);
CREATE TABLE highlights (
    id TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    committee TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    {_COMMON}
);
CREATE INDEX highlights_date ON highlights(date);
"""

#: Assessments and letters share one id namespace (a decision's subject names either): the
#: workflow refuses a clash with a message; these keep it so for any writer of the file.
V2 = """
CREATE TRIGGER assessments_id_namespace BEFORE INSERT ON assessments
WHEN EXISTS (SELECT 1 FROM letters WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'assessments and letters share one id namespace: a letter already has this id');
END;
CREATE TRIGGER letters_id_namespace BEFORE INSERT ON letters
WHEN EXISTS (SELECT 1 FROM assessments WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'assessments and letters share one id namespace: an assessment already has this id');
END;
"""

MIGRATIONS: list[str] = [V1, V2]

# Views for the questions people ask of the register in sqlite-utils or Datasette. "Latest" is
# what assurance.workflow.current_status takes: the standing (not withdrawn) decision with the
# latest date, then the latest entered. "Open" is a finding status outside policies/
# register.toml's findings.done_statuses (remediated, closed): tests/test_register_views.py
# fails if the policy and this list part, and a later migration then redefines the views.
V_VIEWS = """
CREATE VIEW latest_status AS
SELECT a.id AS assessment, a.party, p.name AS party_name, a.kind, a.cycle_year,
       a.fieldwork_end, a.report_received, d.status, d.date AS status_date,
       d.id AS decision, d.conditions, d.classification AS decision_classification,
       a.classification
FROM assessments AS a
JOIN parties AS p ON p.id = a.party
LEFT JOIN (
    SELECT subject, id, status, date, conditions, classification, ROW_NUMBER() OVER
        (PARTITION BY subject ORDER BY date DESC, rowid DESC) AS n
    FROM decisions WHERE withdrawn IS NULL
) AS d ON d.subject = a.id AND d.n = 1
WHERE a.withdrawn IS NULL;
CREATE VIEW open_findings AS
SELECT p.id AS party, p.name AS party_name, f.assessment, a.kind, f.id AS finding, f.sec_ref,
       f.title, f.severity, f.status, f.owner, f.due, f.classification
FROM findings AS f
JOIN assessments AS a ON a.id = f.assessment
JOIN parties AS p ON p.id = a.party
WHERE f.withdrawn IS NULL AND a.withdrawn IS NULL
  AND f.status NOT IN ('remediated', 'closed');
CREATE VIEW open_findings_by_party AS
SELECT party, party_name, COUNT(*) AS open_findings,
       COUNT(DISTINCT assessment) AS assessments, MIN(due) AS earliest_due,
       GROUP_CONCAT(finding, ', ') AS findings
FROM open_findings
GROUP BY party, party_name;
"""

MIGRATIONS.append(V_VIEWS)

# Security Incidents (assurance.models.Incident), generated from its descriptor with
# `python -m assurance.schema incident` when this migration was written; kept as text from
# then on, as every migration is (tests/test_record_types.py checks the schema against the model).
V_INCIDENTS = """
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    party TEXT REFERENCES parties(id),
    reported TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT,
    description TEXT,
    status TEXT NOT NULL,
    next_review TEXT,
    closed TEXT,
    classification TEXT NOT NULL,
    extra TEXT,
    withdrawn TEXT,
    withdrawn_reason TEXT
);
CREATE INDEX incidents_party ON incidents(party);
CREATE INDEX incidents_reported ON incidents(reported);
"""

MIGRATIONS.append(V_INCIDENTS)


#: Columns every record table has after its fields (the interchange's common fields and extras).
COMMON_COLUMNS = ("classification", "extra", "withdrawn", "withdrawn_reason")


def create_table(model: type[Record]) -> str:
    """The CREATE TABLE (and indexes) for ``model``'s descriptor, to paste as a new migration.

    ``python -m assurance.schema incident`` prints it. The migration keeps the text as it
    was generated (migrations never change: ``audit verify`` replays them), so a later change
    to the model needs a migration of its own; tests/test_record_types.py compares the replayed
    schema with every model and names the table and column that differ. Columns are the
    model's fields in order, then the common ones.
    """
    descriptor = model.descriptor
    lines = []
    for name, info in model.model_fields.items():
        if name in COMMON_COLUMNS or name in ("withdrawn", "withdrawn_reason"):
            continue
        if name == "id":
            lines.append("id TEXT PRIMARY KEY")
            continue
        sql = f"{name} {column_type(info.annotation)}"
        target = descriptor.references.get(name)
        if target is not None:
            sql += f" REFERENCES {RECORD_TYPES[target].table}(id)"
        lines.append(sql)
    lines += [
        "classification TEXT NOT NULL",
        "extra TEXT",
        "withdrawn TEXT",
        "withdrawn_reason TEXT",
    ]
    body = ",\n    ".join(lines)
    statements = [f"CREATE TABLE {descriptor.table} (\n    {body}\n);"]
    indexed = [*((ref,) for ref in descriptor.references), *descriptor.indexes]
    if descriptor.date_field:
        indexed.append((descriptor.date_field,))
    for columns in dict.fromkeys(indexed):
        statements.append(
            f"CREATE INDEX {descriptor.table}_{'_'.join(columns)} "
            f"ON {descriptor.table}({', '.join(columns)});"
        )
    return "\n".join(statements) + "\n"


def schema_problems(conn: sqlite3.Connection) -> list[str]:
    """Where the register's tables differ from the models: a column missing, extra, of another
    type or nullability, each naming the table and column (a model changed without a migration)."""
    problems = []
    for model in RECORD_TYPES.values():
        table = model.descriptor.table
        have = {
            row[1]: (row[2].upper(), bool(row[3]) or bool(row[5]))
            for row in conn.execute(f"PRAGMA table_info({table})")
        }
        if not have:
            problems.append(f"table {table}: missing (a new record type needs its migration)")
            continue
        want = {}
        for name, info in model.model_fields.items():
            sql = column_type(info.annotation)
            want[name] = (sql.removesuffix(" NOT NULL"), sql.endswith("NOT NULL"))
        want["classification"] = ("TEXT", True)
        want["extra"] = ("TEXT", False)
        for name, (sql, required) in want.items():
            if name not in have:
                problems.append(f"table {table}: no column {name} (field {model.__name__}.{name})")
            elif have[name] != (sql, required):
                problems.append(
                    f"table {table}: column {name} is {have[name]}, the model wants "
                    f"{(sql, required)} (type, not null)"
                )
        for name in have.keys() - want.keys():
            problems.append(f"table {table}: column {name} is no field of {model.__name__}")
    return problems


if __name__ == "__main__":  # python -m assurance.schema TYPE: the new type's migration
    import sys

    for type_name in sys.argv[1:]:
        sys.stdout.write(create_table(RECORD_TYPES[type_name]))
