"""The adversary's tests of the main part's classification: no leak gets out, however it is dressed.

Two layers, each tested on its own:
- the control: the main part's builder is given a ``BoundedView`` and never reads a record
  above its ceiling (nor can it be given the register);
- the tripwire: where a value above the report does reach the text (a highlight quoting it, or
  a section that injects it through the public API), every rendering is refused, whatever the
  transformation: invisible characters inside a word, Cyrillic look-alikes, fullwidth letters,
  a Party's name without "plc"/"Ltd", HTML entities, ``*emphasis*``, backslash escapes,
  ``<!-- -->`` and tags, no-break spaces; ids, numbers and dates; extra fields whatever their
  names; values as they were before an edit. Checked in Markdown, HTML and DOCX (body,
  headers, footers and docProps).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_registers import DECEMBER_2019, build_register

from assurance.formats import PANEL
from assurance.report import ClassificationError, main_part, render
from assurance.report.bounded import BoundedView
from assurance.report.document import Paragraph
from assurance.report.panel import build_panel_report
from assurance.store import Register
from core.errors import InputError

MONTH = dt.date(2020, 3, 1)
SPAN = (MONTH, dt.date(2020, 4, 1))
FORMATS = PANEL.names  # every Panel format, a new one included, is searched for leaks

# -- transformations a leak may wear ------------------------------------------------------
_CYRILLIC = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")


def _inside(word: str, mark: str) -> str:
    middle = len(word) // 2
    return word[:middle] + mark + word[middle:]


def _each_word(text: str, change) -> str:
    return " ".join(change(word) if len(word) > 1 else word for word in text.split(" "))


TRANSFORMS = {
    "plain": lambda s: s,
    "zero-width space": lambda s: _each_word(s, lambda w: _inside(w, "\u200b")),
    "soft hyphen": lambda s: _each_word(s, lambda w: _inside(w, "\u00ad")),
    "word joiner": lambda s: _each_word(s, lambda w: _inside(w, "\u2060")),
    "no-break spaces": lambda s: s.replace(" ", "\u00a0"),
    "narrow no-break spaces": lambda s: s.replace(" ", "\u202f"),
    "cyrillic": lambda s: s.translate(_CYRILLIC),
    "fullwidth": lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s),
    "entities": lambda s: "".join(
        f"&#{ord(c)};" if c.isalpha() and i % 2 else c for i, c in enumerate(s)
    ),
    "hex entities": lambda s: "".join(
        f"&#x{ord(c):x};" if c.isalpha() and i % 3 == 1 else c for i, c in enumerate(s)
    ),
    "emphasis": lambda s: _each_word(s, lambda w: f"*{w[:2]}*{w[2:]}"),
    "strong inside": lambda s: _each_word(s, lambda w: _inside(w, "**")),
    "backslash escapes": lambda s: "".join(
        "\\" + c if c.isalpha() and i % 2 else c for i, c in enumerate(s)
    ),
    "comment inside": lambda s: _each_word(s, lambda w: _inside(w, "<!-- x -->")),
    "tag inside": lambda s: _each_word(s, lambda w: _inside(w, "<b></b>")),
    "spaced letters": lambda s: " ".join(s),
    "right-to-left override": lambda s: "\u202e" + s[::-1] + "\u202c",
    "accents": lambda s: "".join(
        c + "\u0301" if c.isalpha() and i % 2 else c for i, c in enumerate(s)
    ),
}

names = st.from_regex(r"\A[A-Z][a-z]{4,8}[a-z]{2} [A-Z][a-z]{4,8}\Z")
suffixes = st.sampled_from(["Ltd", "plc", "Limited", "LLP"])
titles = st.from_regex(r"\A[A-Z][a-z]{5,9} [a-z]{5,9} [a-z]{6,10}\Z")
transforms = st.sampled_from(sorted(TRANSFORMS))


def _highlight(text: str, level: str = "GREEN") -> tuple[str, dict]:
    return (
        "highlight",
        {
            "id": "h-leak",
            "date": "2020-03-11",
            "committee": "SSC",
            "classification": level,
            "title": "Update",
            "text": f"The SSC noted {text} this month.",
        },
    )


def _base(name: str, suffix: str, title: str) -> list[tuple[str, dict]]:
    return [
        (
            "party",
            {
                "id": "p-secret",
                "name": f"{name} {suffix}",
                "roles": ["large_supplier"],
                "domestic_sms": 1_234_567,
            },
        ),
        (
            "assessment",
            {
                "id": "A-2020-0417",
                "party": "p-secret",
                "kind": "FUSA",
                "cycle_year": 1,
                "fieldwork_end": "2020-01-17",
            },
        ),
        (
            "decision",
            {
                "id": "D-2020-0311",
                "subject": "A-2020-0417",
                "date": "2020-03-11",
                "status": "approved",
            },
        ),
        (
            "finding",
            {
                "id": "F-2020-0042",
                "assessment": "A-2020-0417",
                "sec_ref": "G5.14",
                "title": title,
                "due": "2020-06-19",
                "status": "open",
            },
        ),
    ]


def _refused(records: list[tuple[str, dict]], secret: str | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = build_register(Path(tmp) / "r.db", records)
        with (
            Register.open(path, actor="leak") as register,
            pytest.raises(ClassificationError) as caught,
        ):
            main_part(register, MONTH)
    message = str(caught.value)
    assert secret is None or secret not in message  # names the record, never the value
    return message


# -- the tripwire: a highlight that quotes a restricted value -----------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names,
    suffix=suffixes,
    title=titles,
    transform=transforms,
    what=st.sampled_from(["name", "name without suffix", "title"]),
)
def test_a_dressed_up_quote_of_a_restricted_value_is_refused(name, suffix, title, transform, what):
    secret = {"name": f"{name} {suffix}", "name without suffix": name, "title": title}[what]
    records = [*_base(name, suffix, title), _highlight(TRANSFORMS[transform](secret))]
    message = _refused(records, secret)
    assert (
        ("party p-secret" in message)
        if what.startswith("name")
        else ("finding F-2020-0042" in message)
    )


@pytest.mark.parametrize(
    "quote, record",
    [
        ("A-2020-0417", "assessment A-2020-0417"),  # an id
        ("F\u200b-2020-0042", "finding F-2020-0042"),  # an id with an invisible character
        ("1,234,567 premises", "party p-secret"),  # a number, grouped
        ("1234567", "party p-secret"),  # the same, plain
        ("19 June 2020", "finding F-2020-0042"),  # a date of this month's records
        ("2020-06-19", "finding F-2020-0042"),
        ("19/06/2020", "finding F-2020-0042"),
        ("17 Jan 2020", "assessment A-2020-0417"),
        ("the 19th June 2020", "finding F-2020-0042"),
        ("June 19th, 2020", "finding F-2020-0042"),
    ],
)
def test_ids_numbers_and_dates_of_restricted_records_are_refused(quote, record):
    records = [*_base("Quillan Harrowgate", "Ltd", "Tokens never rotated"), _highlight(quote)]
    is_id = record.endswith(quote.replace("\u200b", ""))  # an id is the record's name
    assert record in _refused(records, None if is_id else quote)


def test_public_dates_and_round_figures_are_no_leak(tmp_path):
    """The SSC's meeting date is published; 250,000 is a threshold any paper may quote."""
    records = [
        *_base("Quillan Harrowgate", "Ltd", "Tokens never rotated"),
        _highlight("at its meeting on 11 March 2020 the threshold of 250,000 premises"),
    ]
    path = build_register(tmp_path / "r.db", records)
    with Register.open(path, actor="t") as register:
        _, document = main_part(register, MONTH)
        for name in FORMATS:
            render(document, name)


@pytest.mark.parametrize("field", ["received", "status", "notes_2", "code"])
def test_free_text_in_an_extra_field_is_refused_whatever_its_name(field):
    secret = "Wolverton Relay Cabinet"
    records = _base("Quillan Harrowgate", "Ltd", "Tokens never rotated")
    records[1][1][field] = secret  # an assessment has no field of that name: an extra
    records.append(_highlight(TRANSFORMS["soft hyphen"](secret)))
    assert f"the {field} of assessment A-2020-0417" in _refused(records, secret)


def test_an_extra_number_is_refused():
    records = [
        *_base("Quillan Harrowgate", "Ltd", "Tokens never rotated"),
        ("letter", {"id": "L-78", "party": "p-secret", "received": "2019-01-05", "meters": 73_519}),
        _highlight("73,519 meters"),
    ]
    assert "the meters of letter L-78" in _refused(records, "73,519")


def test_a_value_before_an_edit_is_refused(tmp_path):
    """The audit trail keeps a finding's old title: quoting it is a leak too."""
    old = "Unencrypted backups at Thornbury depot"
    path = build_register(tmp_path / "r.db", [*_base("Quillan Harrowgate", "Ltd", old)])
    with Register.open(path, actor="t") as register:
        register.edit(
            "finding", "F-2020-0042", {"title": "Backups not encrypted"}, reason="reworded"
        )
        register.edit("party", "p-secret", {"name": "Renamed Energy Ltd"}, reason="renamed")
        for type_name, data in [_highlight(TRANSFORMS["cyrillic"](old))]:
            from assurance.store import validate

            register.add(validate(type_name, data, register.policy))
        with pytest.raises(ClassificationError) as caught:
            main_part(register, MONTH)
    assert "an earlier title (audit event" in str(caught.value) and "finding F-2020-0042" in str(
        caught.value
    )
    assert old not in str(caught.value)


def test_a_record_declassified_may_be_shown_with_its_value(tmp_path):
    """A highlight once AMBER, now WHITE: its title is published with it, no leak."""
    path = build_register(
        tmp_path / "r.db",
        [
            (
                "highlight",
                {
                    "id": "h",
                    "date": "2020-03-11",
                    "committee": "SSC",
                    "classification": "AMBER",
                    "title": "Cabinet locks replaced",
                    "text": "The SSC noted the lock replacement.",
                },
            )
        ],
    )
    with Register.open(path, actor="t") as register:
        register.edit("highlight", "h", {"classification": "WHITE"}, reason="declassified")
        report, document = main_part(register, MONTH)
        assert report.classification == "WHITE"
        assert "Cabinet locks replaced" in render(document, "markdown")


# -- the tripwire behind a buggy section: every format, every part of the file ------------
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transform=transforms,
    where=st.sampled_from(["body", "header", "footer", "title"]),
    format_name=st.sampled_from(FORMATS),
)
def test_a_section_that_prints_a_red_value_through_the_public_api_is_refused(
    transform, where, format_name
):
    """A test-only section adds a RED finding title to the built document, as a bug in a
    builder might; rendering refuses it in every format and wherever it sits (the DOCX title
    goes to docProps/core.xml)."""
    secret = "Tokens never rotated"
    with tempfile.TemporaryDirectory() as tmp:
        path = build_register(Path(tmp) / "r.db", _base("Quillan Harrowgate", "Ltd", secret))
        with Register.open(path, actor="t") as register:
            _, document = main_part(register, MONTH)
    leak = TRANSFORMS[transform](secret)
    if where == "body":
        document.blocks.append(Paragraph(leak))
    elif where == "header":
        document.header = (*document.header, leak)
    elif where == "footer":
        document.footer = (*document.footer, leak)
    else:
        document.title = leak
        if format_name == "markdown":  # Markdown has no place for a title: nothing to leak
            assert "never" not in render(document, format_name)
            return
    with pytest.raises(ClassificationError) as caught:
        render(document, format_name)
    assert "finding F-2020-0042" in str(caught.value)


# -- the control: the bounded read never sees a restricted value --------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, title=titles, ceiling=st.sampled_from(["WHITE", "GREEN"]))
def test_the_bounded_view_never_returns_what_is_above_its_ceiling(name, title, ceiling):
    records = [
        *_base(name, "Ltd", title),
        _highlight("nothing secret", "AMBER"),
        (
            "highlight",
            {
                "id": "h-red",
                "date": "2020-03-12",
                "committee": "SSC",
                "classification": "RED",
                "title": title,
                "text": name,
            },
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = build_register(Path(tmp) / "r.db", records)
        with Register.open(path, actor="t") as register:
            view = BoundedView(register, ceiling)
            seen = [
                view.records(type_name, (dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
                for type_name in ("highlight", "decision", "letter", "finding", "assessment")
            ]
            seen.append(view.decision_counts(SPAN, ["FUSA", "FOLLOW_UP"]))
            seen.append(view.count_above("highlight", SPAN))
            report = build_panel_report(view, MONTH)
    text = repr(seen) + repr(report)
    for secret in (
        name,
        title,
        "A-2020-0417",
        "F-2020-0042",
        "D-2020-0311",
        "p-secret",
        "h-red",
        "h-leak",
    ):
        assert secret not in text
    assert all(
        record.classification in ("WHITE", "GREEN")[: 1 + (ceiling == "GREEN")]
        for group in seen[:5]
        for record in group
    )
    assert report.section("assurance").reviewed == {"FUSA": 1}
    assert report.withheld_counts == {"AMBER": 1, "RED": 1}


def test_the_builder_cannot_be_given_the_register(tmp_path):
    path = build_register(tmp_path / "r.db", DECEMBER_2019)
    with Register.open(path, actor="t") as register:
        with pytest.raises(TypeError, match="BoundedView"):
            build_panel_report(register, dt.date(2019, 12, 1))  # type: ignore[arg-type]
        view = BoundedView(register, "GREEN")
        reachable = [getattr(view, name) for name in dir(view) if not name.startswith("__")]
        assert not any(isinstance(value, Register | sqlite3.Connection) for value in reachable)
        with pytest.raises(AttributeError):
            view.conn = register.conn  # type: ignore[attr-defined]  # __slots__: no place for it


def test_the_classification_is_computed_from_what_flowed_in(tmp_path):
    path = build_register(
        tmp_path / "r.db",
        [
            *DECEMBER_2019,
            (
                "highlight",
                {
                    "id": "g",
                    "date": "2019-12-11",
                    "committee": "SSC",
                    "classification": "GREEN",
                    "title": "Community news",
                    "text": "Shared with the community.",
                },
            ),
        ],
    )
    with Register.open(path, actor="t") as register:
        white, _ = main_part(register, dt.date(2019, 11, 1))  # counts only
        green, _ = main_part(register, dt.date(2019, 12, 1))  # a GREEN highlight flowed in
        asked, document = main_part(register, dt.date(2019, 12, 1), classification="WHITE")
    assert white.classification == "WHITE" and green.classification == "GREEN"
    assert asked.classification == "WHITE" and "Community news" not in render(document, "markdown")
    assert dataclasses.replace(green).withheld_counts == {}


def test_a_row_changed_outside_ssc_is_refused_not_shown(tmp_path):
    """A decision's status or a Party's roles rewritten behind ssc's back (say, a name put in
    the status column) never reaches the paper as a group key: exit 2, nothing shown."""
    path = build_register(tmp_path / "r.db", DECEMBER_2019)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE decisions SET status = 'Fenland Shared Services Ltd' WHERE id = 'd1'")
    conn.commit()
    conn.close()
    with Register.open(path, actor="t") as register, pytest.raises(InputError) as caught:
        main_part(register, dt.date(2019, 12, 1))
    assert "status the policy does not know" in str(caught.value)
    assert "Fenland" not in str(caught.value)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE decisions SET status = 'approved' WHERE id = 'd1'")
    conn.execute("UPDATE parties SET roles = '[\"Fenland\"' WHERE id = 'p1'")
    conn.commit()
    conn.close()
    with Register.open(path, actor="t") as register, pytest.raises(InputError) as caught:
        main_part(register, dt.date(2019, 12, 1))
    assert "roles the policy does not know" in str(caught.value)
