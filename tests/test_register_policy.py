"""SSC_POLICY is validated on load: every invariant the register and the report rely on, each
error one line naming the file and the key, exit 2, never a traceback, nothing written."""

from __future__ import annotations

import pytest

CASES = [
    # Finding transitions and every status a rule names must exist.
    (
        '[register.findings.transitions]\nopen = ["bogus"]',
        "register.findings.transitions.open: unknown status 'bogus'",
    ),
    (
        '[register.findings.transitions]\nlimbo = ["open"]',
        "register.findings.transitions.limbo: unknown status 'limbo'",
    ),
    (
        '[register.findings]\nclosed_statuses = ["shut"]',
        "register.findings.closed_statuses: unknown status 'shut'",
    ),
    (
        '[register.findings]\nstatuses = ["in_remediation", "remediated", "closed"]\ndone_statuses = ["closed"]\n'
        '[register.findings.transitions]\nclosed = ["in_remediation"]',
        "register.findings.transitions.open: unknown status 'open'",
    ),
    (
        '[register.transitions.assurance]\napproved = ["granted"]',
        "register.transitions.assurance.approved: unknown status 'granted'",
    ),
    (
        "[register.transitions.appeals]\napproved = []",
        "register.transitions.appeals: no such status vocabulary",
    ),
    (
        '[register.kinds.FUSA]\nname = "F"\nplural = "Fs"\nabbreviation = "F"\nstatuses = "nothing"',
        "register.kinds.FUSA.statuses: no status vocabulary 'nothing'",
    ),
    (
        '[[register.cycle.schedule]]\nroles = ["wizard"]\nyears = ["FUSA", "VUSA", "SSA"]',
        "register.cycle.schedule[0].roles: unknown role 'wizard'",
    ),
    (
        '[register.transitions.assurance]\nwithdrawn = ["approved"]',
        "register.transitions.assurance.withdrawn: unknown status 'withdrawn'",
    ),
    (
        '[register.findings]\nstatuses = ["open", "in_remediation", "open", "remediated", "closed"]',
        "register.findings.statuses: a status is listed twice",
    ),
    (
        '[register.findings]\ndone_statuses = ["finished"]',
        "register.findings.done_statuses: unknown status 'finished'",
    ),
    (
        '[[register.cycle.schedule]]\nroles = ["other_user"]\nyears = ["FUSA", "VUSA"]',
        "register.cycle.schedule[0].years: expected 3 kinds",
    ),
    (
        '[[register.cycle.schedule]]\nroles = ["other_user"]\nyears = ["FUSA", "VUSA", "MOT"]',
        "register.cycle.schedule[0].years: unknown kind 'MOT'",
    ),
    (
        '[register.roles]\nhermit = "Hermit"',
        "register.roles_plural.hermit: every role needs its plural",
    ),
    (
        '[register.roles_plural]\nhermits = "Hermits"',
        "register.roles_plural.hermits: not a role in [roles]",
    ),
    (
        '[register.classification]\norder = ["WHITE", "GREEN", "AMBER"]',
        "register.classification.default.assessment: 'RED' is not one of",
    ),
    (
        '[register.classification.default]\nmeter = "RED"',
        "register.classification.default.meter: not a record type",
    ),
    ('[register.statuses.letter.approved]\nname = ""', "register.statuses.letter.approved.name:"),
    (
        "[register.statuses.letter.approved]\nrequires_conditions = 1",
        "register.statuses.letter.approved.requires_conditions:",
    ),
    ('[register.findings]\nsec_sections = ["H1"]', "register.findings.sec_sections.0:"),
    # A record type's own table (Security Incidents): vocabularies and a workflow of known statuses.
    (
        '[register.types.incident.workflow.transitions]\nreported = ["bogus"]',
        "register.types.incident.workflow: transitions.reported: unknown status 'bogus'",
    ),
    (
        '[register.types.incident.workflow]\nclosed_statuses = ["shut"]',
        "register.types.incident.workflow: closed_statuses: unknown status 'shut'",
    ),
    (
        '[register.types.incident.choices]\nseverity = ["minor"]',
        "register.types.incident.choices.severity:",
    ),
    (
        '[register.types.incident.choices]\ncolour = { red = "Red" }',
        "register.types.incident.choices.colour: not a choice field of the type",
    ),
    (
        '[register.types.incident.workflow.statuses]\nreported = ""',
        "register.types.incident.workflow.statuses.reported:",
    ),
    # Numbers: sane, bounded, and numbers (not booleans, not text).
    (
        "[register.deadlines]\nresponse_days_after_report = 99999999999999999999",
        "register.deadlines.response_days_after_report:",
    ),
    (
        "[register.deadlines]\nresponse_days_after_report = -1",
        "register.deadlines.response_days_after_report:",
    ),
    (
        "[register.deadlines]\nletter_decision_days = true",
        "register.deadlines.letter_decision_days: Input should be a valid integer",
    ),
    (
        "[register.deadlines]\nfollow_up_months_after_decision = 6.0",
        "register.deadlines.follow_up_months_after_decision:",
    ),
    ("[register.cycle]\nyears = 0", "register.cycle.years:"),
    ("[register.cycle]\nmonths_between = 100000000", "register.cycle.months_between:"),
    ("[register.cycle.thresholds]\ndomestic_sms = -5", "register.cycle.thresholds.domestic_sms:"),
    ("[register]\nunknown_table = 1", "register.unknown_table: is not a key this policy knows"),
    # The report's wording: regexes compile, templates name only what they are filled with.
    (
        '[report.paper]\nreference_pattern = "(unclosed"',
        "report.paper.reference_pattern: not a valid regular expression",
    ),
    (
        '[report.paper]\nreference_pattern = "a{99999999999}"',
        "report.paper.reference_pattern: not a valid regular expression",
    ),
    (
        '[report.highlights]\nnone = "The {committe} had nothing in {month}."',
        "report.highlights.none: unknown placeholder {committe}",
    ),
    (
        '[report.highlights]\nnone = "{committee.__class__}"',
        "report.highlights.none: unknown placeholder",
    ),
    (
        '[report.highlights]\nnone = "{month!r}"',
        "report.highlights.none: unknown placeholder {month!r}",
    ),
    ('[report.highlights]\nnone = "{0}"', "report.highlights.none: unknown placeholder {0}"),
    ('[report.highlights]\nnone = "In {month"', "report.highlights.none: not a valid template"),
    (
        '[report.paper]\nreference = "Ref: {ref}"',
        "report.paper.reference: unknown placeholder {ref}",
    ),
    ("[report.words]\nup_to = 100000000000000000000000", "report.words.up_to:"),
    ("[report.paper]\nsection_number = 0", "report.paper.section_number:"),
    (
        '[report.counts.incidents]\ntype = "party"',
        "report.counts.incidents.type: 'party' is not a record type counted as 'incidents'",
    ),
    (
        '[report.counts.incidents]\ncommittee = "PANEL"',
        "report.counts.incidents.committee: unknown committee 'PANEL'",
    ),
    (
        '[report.counts.incidents]\none = "{records} at {party}"',
        "report.counts.incidents.one: unknown placeholder {party}",
    ),
]


@pytest.mark.parametrize(("toml", "message"), CASES)
def test_bad_policy_content_is_one_line_naming_file_and_key(ssc, tmp_path, toml, message):
    policy = tmp_path / "policy.toml"
    policy.write_text(toml + "\n", encoding="utf-8")
    command = (
        ("report", "panel", "--month", "2020-01")
        if "[report" in toml
        else ("due", "--as-of", "2020-01-10")
    )
    result = ssc.create().process(*command, env={"SSC_POLICY": str(policy)})
    assert result.status == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"ssc: error: {policy}: "), lines[0]
    assert message in lines[0], lines[0]


def test_a_policy_that_breaks_a_template_breaks_no_register(ssc, tmp_path):
    assert ssc.process("party", "add", "id=P1", "name=A Ltd", "roles=other_user").status == 0
    before = ssc.process("export").stdout
    policy = tmp_path / "policy.toml"
    policy.write_text('[register.findings.transitions]\nopen = ["bogus"]\n', encoding="utf-8")
    result = ssc.process(
        "party", "add", "id=P2", "name=B Ltd", "roles=other_user", env={"SSC_POLICY": str(policy)}
    )
    assert result.status == 2
    assert ssc.process("export").stdout == before


def test_a_valid_override_is_taken(ssc, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[register.findings.transitions]\nopen = ["closed"]\n'
        '[report.highlights]\nnone = "Nothing from the {committee} in {month}."\n',
        encoding="utf-8",
    )
    env = {"SSC_POLICY": str(policy)}
    for argv in (
        ("party", "add", "id=P1", "name=A Ltd", "roles=other_user"),
        ("assessment", "add", "id=A1", "party=P1", "kind=FUSA"),
        ("finding", "add", "id=F1", "assessment=A1", "sec_ref=G5.14", "title=Late"),
    ):
        assert ssc.process(*argv, env=env).status == 0
    result = ssc.process("finding", "edit", "F1", "status=in_remediation", env=env)
    assert result.status == 2 and "allowed: closed" in result.stderr
    assert (
        "Nothing from the SSC"
        in ssc.process("report", "panel", "--month", "2020-01", env=env).stdout
    )
