"""The main part of the monthly Panel report: the seed months word for word, zero and many, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from test_report_registers import DECEMBER_2019, build_register, february_2019

from assurance.report import main_part
from assurance.report.words import counted, in_words, join, with_article
from assurance.store import Register


def paragraphs(markdown: str) -> list[str]:
    return [p.strip() for p in markdown.split("\n\n") if p.strip()]


def section(markdown: str, number: str) -> list[str]:
    """The paragraphs under heading ``### {number} …`` up to the next heading of that level
    (or the page footer, after its rule)."""
    lines = paragraphs(markdown.split("\n\n---\n\n")[0])
    start = next(i for i, p in enumerate(lines) if p.startswith(f"### {number} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("### ")), len(lines))
    return lines[start + 1 : end]


@pytest.fixture
def december(ssc):
    build_register(ssc.db, DECEMBER_2019)
    return ssc


@pytest.fixture
def february(ssc):
    build_register(ssc.db, february_2019())
    return ssc


def test_december_2019_says_what_the_seed_says(december):
    result = december("report", "panel", "--month", "2019-12", "--paper-ref", "SECP_76_1701_19")
    assert result.status == 0, result.stderr
    out = result.stdout
    assert paragraphs(out)[0] == "Paper Reference: SECP_76_1701_19"
    assert paragraphs(out)[1] == (
        "This document is classified as White in accordance with the Panel Information Policy. "
        "Information can be shared with the public, and any members may publish the information, "
        "subject to copyright."
    )
    assert "## 3. Security Sub-Committee and SMKI PMA" in out
    assert section(out, "3.1") == [
        "The Security Sub-Committee (SSC) reviewed one Full User Security Assessment (FUSA) and set "
        "one assurance status for a Shared Resource Provider in December 2019. Details can be found "
        "in confidential Appendix A."
    ]
    assert section(out, "3.2") == [
        "The SSC reviewed no Verification User Security Assessments (VUSAs) in December 2019."
    ]
    assert section(out, "3.3") == ["The SSC reviewed no Director’s Letters in December 2019."]
    assert section(out, "3.4") == [
        "The SSC reviewed no Security Self-Assessments (SSAs) in December 2019."
    ]
    assert section(out, "3.5") == [
        "#### Meter Triage Use Cases",
        "The SSC discussed the outcome of a meeting held on 4 December 2019.",
    ]
    assert section(out, "3.6")[0] == "#### Progressing enforced XML Signing"
    assert "Fenland" not in out and "Remediate" not in out and "Risk assessment" not in out


def test_february_2019_says_what_the_seed_says(february):
    result = february("report", "panel", "--month", "2019-02", "--paper-ref", "SECP_66_1503_19")
    assert result.status == 0, result.stderr
    out = result.stdout
    assert paragraphs(out)[0] == "Paper Reference: SECP_66_1503_19"
    assert section(out, "3.1") == [
        "The Security Sub-Committee (SSC) reviewed one Full User Security Assessment (FUSA) and set "
        "one assurance status for a Large Supplier in February 2019. Details can be found in "
        "confidential Appendix A."
    ]
    assert section(out, "3.2") == [
        "As part of their wider obligations, the SSC review the outcomes of Verification "
        "Assessments. If the SSC believe that a User is non-compliant, or potentially non-compliant, "
        "with obligations contained in SEC Sections G3-G6, then they will notify the Panel.",
        "During February 2019, the SSC reviewed six Verification User Security Assessments (VUSAs) "
        "in which Compliance Statuses were set. Details of the VUSAs can be found in confidential "
        "Appendix A.",
    ]
    assert section(out, "3.3") == [
        "The SSC reviewed two Director’s Letters in February 2019 which were approved and can be "
        "found in confidential Appendix A."
    ]
    assert section(out, "3.4") == [
        "During February 2019, the SSC reviewed one Security Self-Assessment (SSA) and the details "
        "can be found in confidential Appendix A."
    ]
    assert section(out, "3.5")[0] == "#### Major Security Incident Management"
    assert section(out, "3.6") == [
        "The SMKI PMA had no further matters to highlight in February 2019."
    ]
    for name in ("Aldgate", "Brent", "Camden", "Hackney", "access control"):
        assert name not in out


def test_a_month_with_nothing(december):
    result = december("report", "panel", "--month", "2021-07")
    assert result.status == 0, result.stderr
    out = result.stdout
    assert not out.startswith("Paper Reference")
    assert section(out, "3.1") == [
        "The Security Sub-Committee (SSC) reviewed no Full User Security Assessments (FUSAs) and "
        "set no assurance statuses in July 2021."
    ]
    assert section(out, "3.2") == [
        "The SSC reviewed no Verification User Security Assessments (VUSAs) in July 2021."
    ]
    assert section(out, "3.3") == ["The SSC reviewed no Director’s Letters in July 2021."]
    assert section(out, "3.4") == [
        "The SSC reviewed no Security Self-Assessments (SSAs) in July 2021."
    ]
    assert section(out, "3.5") == ["The SSC had no further matters to highlight in July 2021."]
    assert section(out, "3.6") == ["The SMKI PMA had no further matters to highlight in July 2021."]


def many_of_everything() -> list[tuple[str, dict]]:
    roles = [
        "large_supplier",
        "large_supplier",
        "small_supplier",
        "other_user",
        "electricity_network_party",
    ]
    records: list[tuple[str, dict]] = [
        ("party", {"id": f"p{n}", "name": f"Party {n} Ltd", "roles": [role]})
        for n, role in enumerate(roles)
    ]
    records.append(
        (
            "party",
            {"id": "px", "name": "Dual Ltd", "roles": ["gas_network_party", "large_supplier"]},
        )
    )
    date = "2020-03-11"
    # 3.1: three FUSAs (two Large Suppliers, a Small Supplier) and a follow-up for the dual Party.
    for n in range(3):
        records += [
            ("assessment", {"id": f"a{n}", "party": f"p{n}", "kind": "FUSA"}),
            ("decision", {"id": f"d{n}", "subject": f"a{n}", "date": date, "status": "approved"}),
        ]
    records += [
        ("assessment", {"id": "ax", "party": "px", "kind": "FOLLOW_UP"}),
        ("decision", {"id": "dx", "subject": "ax", "date": date, "status": "deferred"}),
    ]
    # 3.2: three VUSAs, one non-compliant.
    for n, status in enumerate(["compliant", "compliant", "non_compliant"]):
        records += [
            ("assessment", {"id": f"v{n}", "party": f"p{n}", "kind": "VUSA"}),
            ("decision", {"id": f"dv{n}", "subject": f"v{n}", "date": date, "status": status}),
        ]
    # 3.3: three letters, two approved and one rejected.
    for n, status in enumerate(["approved", "rejected", "approved"]):
        records += [
            ("letter", {"id": f"l{n}", "party": f"p{n}", "received": "2020-02-01"}),
            ("decision", {"id": f"dl{n}", "subject": f"l{n}", "date": date, "status": status}),
        ]
    # 3.4: twelve SSAs, all potentially non-compliant.
    for n in range(12):
        records += [
            ("assessment", {"id": f"s{n}", "party": "p3", "kind": "SSA"}),
            (
                "decision",
                {
                    "id": f"ds{n}",
                    "subject": f"s{n}",
                    "date": date,
                    "status": "potentially_non_compliant",
                },
            ),
        ]
    return records


def test_a_month_with_many_of_everything(ssc):
    build_register(ssc.db, many_of_everything())
    out = ssc("report", "panel", "--month", "2020-03").stdout
    assert section(out, "3.1") == [
        "The Security Sub-Committee (SSC) reviewed three Full User Security Assessments (FUSAs) and "
        "one Follow-up Full User Security Assessment (FUSA) and set four assurance statuses for two "
        "Large Suppliers, a Small Supplier and a Party that is a Large Supplier and a Gas Network "
        "Party in March 2020. Details can be found in confidential Appendix A."
    ]
    assert section(out, "3.2")[1:] == [
        "During March 2020, the SSC reviewed three Verification User Security Assessments (VUSAs) "
        "in which Compliance Statuses were set. Details of the VUSAs can be found in confidential "
        "Appendix A.",
        "The SSC set a Compliance Status of Non-compliant for one of them, and so notifies the Panel.",
    ]
    assert section(out, "3.3") == [
        "The SSC reviewed three Director’s Letters in March 2020, of which two were approved and one "
        "was rejected. Details can be found in confidential Appendix A."
    ]
    assert section(out, "3.4") == [
        "During March 2020, the SSC reviewed twelve Security Self-Assessments (SSAs) and the details "
        "can be found in confidential Appendix A.",
        "The SSC set a Compliance Status of Potentially non-compliant for all of them, and so "
        "notifies the Panel.",
    ]


def test_one_letter_rejected_and_one_vusa(ssc):
    build_register(
        ssc.db,
        [
            ("party", {"id": "p", "name": "Solo Ltd", "roles": ["other_user"]}),
            ("letter", {"id": "l", "party": "p", "received": "2020-01-02"}),
            ("decision", {"id": "d", "subject": "l", "date": "2020-02-05", "status": "rejected"}),
            ("assessment", {"id": "v", "party": "p", "kind": "VUSA"}),
            ("decision", {"id": "dv", "subject": "v", "date": "2020-02-05", "status": "compliant"}),
        ],
    )
    out = ssc("report", "panel", "--month", "2020-02").stdout
    assert section(out, "3.3") == [
        "The SSC reviewed one Director’s Letter in February 2020 which was rejected and can be found "
        "in confidential Appendix A."
    ]
    assert section(out, "3.2")[1] == (
        "During February 2020, the SSC reviewed one Verification User Security Assessment (VUSA) in "
        "which a Compliance Status was set. Details of the VUSA can be found in confidential "
        "Appendix A."
    )


@pytest.mark.parametrize("month", ["2019-13", "2019-1", "December", "2019-00", ""])
def test_a_bad_month_is_a_usage_error(ssc, month):
    result = ssc("report", "panel", "--month", month)
    assert result.status == 2
    assert "YYYY-MM" in result.stderr


def test_usage_errors(ssc, tmp_path):
    ssc("party", "add", "id=P1", "name=Fenland Ltd", "roles=other_user")  # a register to refuse on
    assert ssc("report", "panel", "--month", "2019-12", "--format", "docx").status == 2
    assert ssc("report", "panel", "--month", "2019-12", "--paper-ref", "66/1503").status == 2
    result = ssc("report", "panel", "--month", "2019-12", "--classification", "AMBER")
    assert result.status == 2 and "WHITE or GREEN" in result.stderr
    assert ssc("report", "panel", "--month", "2019-12", "--part", "everything").status == 2


def test_classification_follows_the_highlights(ssc):
    build_register(
        ssc.db,
        [
            (
                "highlight",
                {
                    "id": "g",
                    "date": "2020-05-06",
                    "committee": "SSC",
                    "title": "Community news",
                    "text": "Shared with the community.",
                },
            ),
            (
                "highlight",
                {
                    "id": "a",
                    "date": "2020-05-06",
                    "committee": "SSC",
                    "classification": "AMBER",
                    "title": "Need to know",
                    "text": "Only within recipients.",
                },
            ),
        ],
    )
    result = ssc("report", "panel", "--month", "2020-05")
    assert "classified as Green" in result.stdout and "Community news" in result.stdout
    assert "Need to know" not in result.stdout and "highlight a is AMBER" in result.stderr
    white = ssc("report", "panel", "--month", "2020-05", "--classification", "white")
    assert white.status == 0 and "classified as White" in white.stdout
    assert "Community news" not in white.stdout


def test_a_highlight_quoting_a_party_stops_the_report(ssc, tmp_path):
    build_register(
        ssc.db,
        [
            *DECEMBER_2019,
            (
                "highlight",
                {
                    "id": "leak",
                    "date": "2019-12-12",
                    "committee": "SSC",
                    "title": "Thanks",
                    "text": "Thanks to Fenland Shared Services Ltd for hosting.",
                },
            ),
        ],
    )
    output = tmp_path / "main.md"
    result = ssc("report", "panel", "--month", "2019-12", "--output", str(output))
    assert result.status == 2
    assert "party p1" in result.stderr and "AMBER" in result.stderr
    assert "Fenland" not in result.stderr + result.stdout
    assert not output.exists()


def test_output_file(december, tmp_path):
    output = tmp_path / "section.md"
    result = december("report", "panel", "--month", "2019-12", "--output", str(output))
    assert result.status == 0 and result.stdout == ""
    assert "### 3.1 Assurance Status Decisions" in output.read_text(encoding="utf-8")


def test_the_package_function(tmp_path):
    path = build_register(tmp_path / "r.db", DECEMBER_2019)
    with Register.open(path, actor="t") as register:
        report, document = main_part(register, dt.date(2019, 12, 1))
    assert report.classification == "WHITE"
    assert report.section("assurance").reviewed == {"FUSA": 1}
    assert report.section("assurance").roles == {("shared_resource_provider",): 1}
    assert document.classification == "WHITE"


def test_words():
    assert [in_words(n) for n in (0, 1, 6, 12, 21, 40, 100, 121)] == [
        "no",
        "one",
        "six",
        "twelve",
        "twenty-one",
        "forty",
        "one hundred",
        "one hundred and twenty-one",
    ]
    assert in_words(1200) == "1,200"
    assert counted(0, "letter", "letters") == "no letters"
    assert counted(1, "letter", "letters") == "one letter"
    assert with_article("Other User") == "an Other User"
    assert join(["a", "b", "c"]) == "a, b and c"
    assert join(["a", "b"], "or") == "a or b"


def test_a_party_named_in_public_words_is_no_leak(ssc):
    build_register(
        ssc.db,
        [
            ("party", {"id": "p", "name": "Panel", "roles": ["shared_resource_provider"]}),
            ("assessment", {"id": "a", "party": "p", "kind": "FUSA"}),
            ("decision", {"id": "d", "subject": "a", "date": "2020-06-10", "status": "approved"}),
            (
                "highlight",
                {
                    "id": "h",
                    "date": "2020-06-10",
                    "committee": "SSC",
                    "classification": "WHITE",
                    "title": "Update",
                    "text": "The SSC will update the Panel next month.",
                },
            ),
        ],
    )
    result = ssc("report", "panel", "--month", "2020-06")
    assert result.status == 0, result.stderr
    assert "The SSC will update the Panel next month." in result.stdout


def test_an_output_directory_that_does_not_exist(december, tmp_path):
    result = december("report", "panel", "--month", "2019-12", "-o", str(tmp_path / "no" / "x.md"))
    assert result.status == 2 and "cannot write here" in result.stderr
