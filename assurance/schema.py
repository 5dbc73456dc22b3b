"""The register's SQLite schema, as append-only migrations (never edit one that has shipped)."""

from __future__ import annotations

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
