"""Property: the main part never shows a value of a record above its classification, in any format.

Hypothesis generates registers (Parties with random names and classifications, assessments,
decisions with conditions and notes, findings, Director's Letters, highlights of every
classification) and renders the main part as Markdown, HTML and DOCX.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import docx
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_registers import build_register

from assurance.policy import default_policy
from assurance.report import ClassificationError, main_part, render
from assurance.report.fold import fold as normalise
from assurance.store import Register

POLICY = default_policy()
LEVELS = POLICY.classification.order
MONTH = dt.date(2020, 3, 1)

# Secret values carry digits; public highlight text is lower-case words only, so a secret can
# only show in the main part if the report leaks it.
secrets = st.from_regex(r"\A[A-Z][a-z]{3,8}[0-9]{3}( [A-Za-z&'.<>-]{1,8}){0,2}\Z")
public_words = st.from_regex(r"\A[a-z]{3,10}( [a-z]{3,10}){0,6}\Z")
levels = st.sampled_from(LEVELS)
dates = st.sampled_from(["2020-02-28", "2020-03-01", "2020-03-11", "2020-03-31", "2020-04-01"])


@st.composite
def registers(draw) -> list[tuple[str, dict]]:
    records: list[tuple[str, dict]] = []
    parties = draw(st.integers(1, 4))
    for p in range(parties):
        roles = draw(
            st.lists(st.sampled_from(list(POLICY.roles)), min_size=1, max_size=2, unique=True)
        )
        records.append(
            (
                "party",
                {
                    "id": f"p{p}",
                    "name": draw(secrets),
                    "roles": roles,
                    "classification": draw(levels),
                    "contact": draw(secrets),
                },
            )
        )
        for a in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(list(POLICY.kinds)))
            status = draw(st.sampled_from(list(POLICY.statuses[POLICY.kinds[kind].statuses])))
            aid = f"a{p}_{a}"
            records.append(
                ("assessment", {"id": aid, "party": f"p{p}", "kind": kind, "cio": draw(secrets)})
            )
            records.append(
                (
                    "decision",
                    {
                        "id": f"d{aid}",
                        "subject": aid,
                        "date": draw(dates),
                        "status": status,
                        "conditions": draw(secrets),
                        "notes": draw(secrets),
                    },
                )
            )
            for f in range(draw(st.integers(0, 2))):
                records.append(
                    (
                        "finding",
                        {
                            "id": f"f{aid}_{f}",
                            "assessment": aid,
                            "sec_ref": "G5.14",
                            "title": draw(secrets),
                            "action": draw(secrets),
                        },
                    )
                )
        for n in range(draw(st.integers(0, 2))):
            lid = f"l{p}_{n}"
            records.append(
                (
                    "letter",
                    {
                        "id": lid,
                        "party": f"p{p}",
                        "received": "2020-02-01",
                        "summary": draw(secrets),
                    },
                )
            )
            records.append(
                (
                    "decision",
                    {
                        "id": f"d{lid}",
                        "subject": lid,
                        "date": draw(dates),
                        "status": draw(st.sampled_from(list(POLICY.statuses["letter"]))),
                    },
                )
            )
    for h in range(draw(st.integers(0, 4))):
        level = draw(levels)
        secret = not POLICY.classification.at_most(level, "GREEN")
        words = secrets if secret else public_words
        records.append(
            (
                "highlight",
                {
                    "id": f"h{h}",
                    "date": draw(dates),
                    "committee": draw(st.sampled_from(list(POLICY.highlights.committees))),
                    "classification": level,
                    "title": draw(words).capitalize() if not secret else draw(words),
                    "text": draw(words),
                },
            )
        )
    return records


def rendered_texts(document) -> dict[str, str]:
    """The main part as each format shows it, as text a reader sees."""
    markdown = render(document, "markdown")
    html = lxml.html.document_fromstring(render(document, "html")).text_content()
    word = docx.Document(io.BytesIO(render(document, "docx")))
    parts = [p.text for p in word.paragraphs]
    for section in word.sections:
        parts += [p.text for p in section.header.paragraphs] + [
            p.text for p in section.footer.paragraphs
        ]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return {"markdown": markdown, "html": html, "docx": "\n".join(parts)}


def values_above(records: list[tuple[str, dict]], level: str) -> list[str]:
    default = POLICY.classification.default
    return [
        value
        for type_name, data in records
        if not POLICY.classification.at_most(data.get("classification", default[type_name]), level)
        for field, value in data.items()
        if isinstance(value, str)
        and field
        in {"name", "contact", "cio", "conditions", "notes", "title", "action", "summary", "text"}
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=registers(), requested=st.sampled_from([None, "WHITE", "GREEN"]))
def test_main_part_never_shows_what_is_above_it(records, requested):
    with tempfile.TemporaryDirectory() as tmp:
        path = build_register(Path(tmp) / "r.db", records)
        with Register.open(path, actor="property") as register:
            report, document = main_part(register, MONTH, classification=requested)
    assert POLICY.classification.at_most(report.classification, "GREEN")
    texts = {name: normalise(text) for name, text in rendered_texts(document).items()}
    for secret in values_above(records, report.classification):
        for name, text in texts.items():
            assert normalise(secret) not in text, (name, secret)
    shown = [
        data
        for type_name, data in records
        if type_name == "highlight"
        and "2020-03" <= data["date"] < "2020-04"
        and POLICY.classification.at_most(data["classification"], report.classification)
    ]
    for highlight in shown:
        for name, text in texts.items():
            assert normalise(highlight["title"]) in text, name
            assert normalise(highlight["text"]) in text, name


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=secrets, party_level=st.sampled_from(["AMBER", "RED"]), words=public_words)
def test_a_public_highlight_quoting_a_secret_stops_the_report(name, party_level, words):
    records = [
        (
            "party",
            {"id": "p", "name": name, "roles": ["large_supplier"], "classification": party_level},
        ),
        (
            "highlight",
            {
                "id": "h",
                "date": "2020-03-11",
                "committee": "SSC",
                "classification": "GREEN",
                "title": "News",
                "text": f"{words} {name} {words}",
            },
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = build_register(Path(tmp) / "r.db", records)
        with Register.open(path, actor="property") as register, pytest.raises(ClassificationError):
            main_part(register, MONTH)


@pytest.mark.parametrize("field", ["title", "conditions"])
def test_a_highlight_quoting_a_record_of_another_month_stops_the_report(tmp_path, field):
    """Not only the month's records: nothing of any RED record of the register may show."""
    secret = "Unpatched head-end at Grimsby depot"
    records = [
        ("party", {"id": "p", "name": "Quiet Energy Ltd", "roles": ["large_supplier"]}),
        ("assessment", {"id": "a", "party": "p", "kind": "FUSA", "fieldwork_end": "2018-05-01"}),
        (
            "decision",
            {
                "id": "d",
                "subject": "a",
                "date": "2018-06-13",
                "status": "approved_subject_to",
                "conditions": secret if field == "conditions" else "Remediate by 2018-12-31",
            },
        ),
        (
            "finding",
            {
                "id": "f",
                "assessment": "a",
                "sec_ref": "G3.11",
                "title": secret if field == "title" else "Access not reviewed",
            },
        ),
        (
            "highlight",
            {
                "id": "h",
                "date": "2020-03-11",
                "committee": "SSC",
                "classification": "GREEN",
                "title": "News",
                "text": f"The SSC noted: {secret}.",
            },
        ),
    ]
    path = build_register(tmp_path / "r.db", records)
    with Register.open(path, actor="t") as register, pytest.raises(ClassificationError) as caught:
        main_part(register, MONTH)
    assert secret not in str(caught.value)  # the message names the record, never the value
