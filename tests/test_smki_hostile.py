"""The hostile corpus (testdata/smki_hostile.py): each case gets exactly its expected verdicts."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest

from smki.keysep import check_key_separation
from testdata.smki_hostile import EXPECTED, build
from testdata.smki_pki import AS_OF


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("hostile"))


def _verdicts(folder: Path) -> tuple[dict[str, set[str]], list]:
    report = check_key_separation([folder / "docs"], [folder / "store"], AS_OF, jobs=1)
    got: dict[str, set[str]] = defaultdict(set)
    for f in report.findings:
        got[os.path.relpath(f.path.removesuffix(" (embedded)"), folder)].add(f.rule)
    return dict(got), report.findings


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_gets_exactly_its_verdicts(corpus, case):
    got, findings = _verdicts(corpus / case)
    assert got == EXPECTED[case], [(f.rule, f.path, f.message) for f in findings]
    for f in findings:  # one honest line each, whatever the document held
        assert f.message.isprintable() and "\u202e" not in f.message, f.message
