"""What decisions rest on: the basis a decision records, flagged when it changes; closing a
finding takes evidence; Appendix A lists the evidence and the main part never shows it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def reg(ssc):
    for argv in (
        ("party", "add", "id=P1", "name=Fenland Shared Services", "roles=large_supplier"),
        (
            "assessment",
            "add",
            "id=A1",
            "party=P1",
            "kind=FUSA",
            "cycle_year=1",
            "fieldwork_end=2019-10-18",
            "report_received=2019-11-08",
        ),
        (
            "finding",
            "add",
            "id=F1",
            "assessment=A1",
            "sec_ref=G5.14",
            "title=Risk assessment stale",
            "severity=high",
            "due=2020-03-31",
        ),
        (
            "finding",
            "add",
            "id=F2",
            "assessment=A1",
            "sec_ref=G3.11",
            "title=Access reviews",
            "severity=low",
            "due=2020-03-31",
        ),
    ):
        result = ssc(*argv, "--reason", "setup")
        assert result.status == 0, result.stderr
    return ssc


def add(reg, tmp_path: Path, record: str, name: str, content: bytes = PDF, *extra: str) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    result = reg("evidence", "add", record, str(path), "--reason", "filed", *extra)
    assert result.status == 0, result.stderr
    return result.stdout.split()[0]


def basis_items(reg, as_of: str = "2020-02-01") -> list[dict]:
    result = reg("due", "--as-of", as_of, "--format", "json", "--category", "basis")
    return json.loads(result.stdout)["items"]


# -- closing a finding ----------------------------------------------------------------------------
def test_closing_a_high_finding_needs_evidence_on_it(reg, tmp_path):
    refused = reg("finding", "edit", "F1", "status=closed", "closed=2020-03-01", "--reason", "done")
    assert refused.status == 2
    assert "needs evidence" in refused.stderr and "ssc evidence add F1" in refused.stderr
    assert (
        json.loads(reg("finding", "show", "F1", "--format", "json").stdout)["record"]["status"]
        == "open"
    )
    # Evidence withdrawn does not count.
    evidence = add(reg, tmp_path, "F1", "retest.pdf", PDF + b"retest")
    assert reg("evidence", "withdraw", evidence, "--reason", "wrong file").status == 0
    assert (
        reg(
            "finding", "edit", "F1", "status=closed", "closed=2020-03-01", "--reason", "done"
        ).status
        == 2
    )
    add(reg, tmp_path, "F1", "retest2.pdf", PDF + b"retest2", "--kind", "report")
    assert (
        reg(
            "finding", "edit", "F1", "status=closed", "closed=2020-03-01", "--reason", "done"
        ).status
        == 0
    )


def test_closing_a_low_finding_needs_none_by_default(reg):
    assert (
        reg(
            "finding", "edit", "F2", "status=closed", "closed=2020-03-01", "--reason", "done"
        ).status
        == 0
    )


def test_the_policy_decides_which_severities_need_evidence(reg, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[evidence.closing]\nrequires_evidence = ["low"]\n')
    reg.policy_file = policy
    assert (
        reg("finding", "edit", "F2", "status=closed", "closed=2020-03-01", "--reason", "d").status
        == 2
    )
    assert (
        reg("finding", "edit", "F1", "status=closed", "closed=2020-03-01", "--reason", "d").status
        == 0
    )


def test_a_bad_evidence_policy_is_refused_on_load(tmp_path):
    from assurance.evidence.policy import load_evidence_policy
    from core.errors import InputError

    for text in (
        '[evidence.types]\nallowed = ["exe"]\n',
        "[evidence.kinds]\nreport = 1\n",
        "[evidence.storage]\nchunk_bytes = 10\n",
    ):
        policy = tmp_path / "p.toml"
        policy.write_text(text)
        with pytest.raises(InputError):
            load_evidence_policy(policy)


# -- a decision's basis -----------------------------------------------------------------------------
def test_decide_records_the_basis_and_due_flags_a_reopened_finding(reg, tmp_path):
    report = add(reg, tmp_path, "A1", "CIO report.pdf", PDF + b"report", "--kind", "report")
    closing = add(reg, tmp_path, "F1", "retest.pdf", PDF + b"retest")
    assert (
        reg(
            "finding", "edit", "F1", "status=closed", "closed=2019-12-01", "--reason", "fixed"
        ).status
        == 0
    )
    assert (
        reg(
            "decide",
            "A1",
            "--status",
            "approved_subject_to",
            "--date",
            "2019-12-11",
            "--conditions",
            "Remediate F2",
            "--id",
            "D1",
            "--reason",
            "SSC 11 Dec",
        ).status
        == 0
    )
    decision = json.loads(reg("decision", "show", "D1", "--format", "json").stdout)["record"]
    assert len(decision["basis"]) == 64
    assert decision["basis_findings"] == ["F2"]
    assert decision["basis_evidence"] == [report, closing]
    assert basis_items(reg) == []

    # F2 moving to remediation is not a change of basis; F1 reopening is.
    assert reg("finding", "edit", "F2", "status=in_remediation", "--reason", "plan in").status == 0
    assert basis_items(reg) == []
    assert (
        reg("finding", "edit", "F1", "status=open", "closed=", "--reason", "retest failed").status
        == 0
    )
    [item] = basis_items(reg)
    assert item["category"] == "basis" and item["subject"] == "D1" and item["party"] == "P1"
    assert "finding F1 open again" in item["description"]
    assert item["classification"] == "RED" and not item["overdue"]
    text = reg("due", "--as-of", "2020-02-01")
    assert "F1 open again" in text.stdout


def test_withdrawn_evidence_changes_the_basis(reg, tmp_path):
    report = add(reg, tmp_path, "A1", "CIO report.pdf", PDF + b"report", "--kind", "report")
    assert (
        reg(
            "decide",
            "A1",
            "--status",
            "approved",
            "--date",
            "2019-12-11",
            "--id",
            "D1",
            "--reason",
            "SSC",
        ).status
        == 0
    )
    assert basis_items(reg) == []
    assert reg("evidence", "withdraw", report, "--reason", "superseded").status == 0
    [item] = basis_items(reg)
    assert f"evidence {report} withdrawn" in item["description"]
    # Evidence filed on the decision itself (its minutes) is no change to what it rested on.
    add(reg, tmp_path, "D1", "minutes.pdf", PDF + b"minutes", "--kind", "minutes")
    assert len(basis_items(reg)) == 1


def test_a_later_decision_supersedes_the_flag(reg, tmp_path):
    add(reg, tmp_path, "A1", "CIO report.pdf", PDF + b"report")
    assert (
        reg(
            "decide",
            "A1",
            "--status",
            "deferred",
            "--date",
            "2019-12-11",
            "--id",
            "D1",
            "--reason",
            "SSC",
        ).status
        == 0
    )
    add(reg, tmp_path, "A1", "response.pdf", PDF + b"response", "--kind", "response")
    [item] = basis_items(reg)
    assert "added" in item["description"]
    assert (
        reg(
            "decide",
            "A1",
            "--status",
            "approved",
            "--date",
            "2020-01-08",
            "--id",
            "D2",
            "--reason",
            "SSC",
        ).status
        == 0
    )
    assert basis_items(reg) == []


def test_decisions_without_a_basis_are_not_flagged(reg, tmp_path):
    line = {
        "type": "decision",
        "id": "D9",
        "subject": "A1",
        "date": "2019-12-11",
        "status": "approved",
    }
    (tmp_path / "d.jsonl").write_text(json.dumps(line) + "\n")
    assert reg("import", str(tmp_path / "d.jsonl")).status == 0
    add(reg, tmp_path, "A1", "late.pdf")
    assert basis_items(reg) == []


# -- Appendix A and the main part ---------------------------------------------------------------------
def test_appendix_lists_the_evidence_each_decision_rested_on(reg, tmp_path):
    add(
        reg,
        tmp_path,
        "A1",
        "Fenland FUSA report.pdf",
        PDF + b"report",
        "--kind",
        "report",
        "--effective",
        "2019-11-08",
    )
    withdrawn = add(reg, tmp_path, "A1", "draft.pdf", PDF + b"draft", "--effective", "2019-11-01")
    add(
        reg,
        tmp_path,
        "F1",
        "plan.pdf",
        PDF + b"plan",
        "--kind",
        "plan",
        "--effective",
        "2019-12-02",
    )
    assert (
        reg(
            "decide",
            "A1",
            "--status",
            "approved_subject_to",
            "--date",
            "2019-12-11",
            "--conditions",
            "Remediate F1",
            "--id",
            "D1",
            "--reason",
            "SSC",
        ).status
        == 0
    )
    assert reg("evidence", "withdraw", withdrawn, "--reason", "superseded").status == 0
    add(reg, tmp_path, "A1", "after.pdf", PDF + b"after")  # later: not what it rested on
    appendix = reg("report", "panel", "--month", "2019-12", "--part", "appendix")
    assert appendix.status == 0, appendix.stderr
    text = appendix.stdout
    assert "Evidence the decision rested on" in text
    import hashlib

    for name, kind, day, content in (
        ("Fenland FUSA report.pdf", "CIO assessment report", "8 November 2019", PDF + b"report"),
        ("draft.pdf (withdrawn since)", "Other document", "1 November 2019", PDF + b"draft"),
        ("plan.pdf", "Remediation plan", "2 December 2019", PDF + b"plan"),
    ):
        row = next(line for line in text.splitlines() if name in line)
        assert kind in row and day in row and hashlib.sha256(content).hexdigest()[:12] in row
    assert "after.pdf" not in text
    # The kinds are named by the policy of the run's Environment (here: its policy file).
    renamed = tmp_path / "renamed.toml"
    renamed.write_text('[evidence.kinds]\nreport = "Report of the CIO"\n')
    reg.policy_file = renamed
    text = reg("report", "panel", "--month", "2019-12", "--part", "appendix").stdout
    row = next(line for line in text.splitlines() if "Fenland FUSA report.pdf" in line)
    assert "Report of the CIO" in row and "CIO assessment report" not in text


def test_the_main_part_never_shows_evidence_above_its_classification(reg, tmp_path):
    add(reg, tmp_path, "A1", "Fenland pentest 2019 findings.pdf", PDF + b"x")
    assert (
        reg(
            "decide", "A1", "--status", "approved", "--date", "2019-12-11", "--reason", "SSC"
        ).status
        == 0
    )
    main = reg("report", "panel", "--month", "2019-12")
    assert main.status == 0 and "pentest" not in main.stdout
    # A GREEN highlight quoting the RED evidence's name: the guard refuses the whole part.
    assert (
        reg(
            "highlight",
            "add",
            "id=H1",
            "date=2019-12-11",
            "committee=SSC",
            "title=Testing",
            "text=The SSC reviewed Fenland pentest 2019 findings.pdf in full.",
            "--reason",
            "r",
        ).status
        == 0
    )
    refused = reg("report", "panel", "--month", "2019-12")
    assert refused.status == 2 and "evidence" in refused.stderr and "RED" in refused.stderr


def test_evidence_blocks_name_nothing_above_the_ceiling():
    from assurance.evidence.store import Evidence
    from assurance.policy import default_policy
    from assurance.report.evidence import evidence_blocks

    def item(eid: str, name: str, level: str) -> Evidence:
        return Evidence(
            eid,
            "A1",
            "report",
            name,
            "ab" * 32,
            10,
            "2019-12-01",
            "assessment",
            "application/pdf",
            level,
            "2019-12-01T00:00:00+00:00",
        )

    blocks = evidence_blocks(
        [item("E1", "public.pdf", "GREEN"), item("E2", "secret.pdf", "RED")],
        "GREEN",
        default_policy(),
    )
    text = repr(blocks)
    assert "public.pdf" in text and "secret.pdf" not in text and "1 further document" in text
    assert evidence_blocks([], "RED", default_policy()) == []
    assert dt.date  # the module's own import is used above
