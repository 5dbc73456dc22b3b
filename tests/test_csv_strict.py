"""Both CSV importers are strict: a malformed file never imports fewer rows than it holds (exit 2, line named)."""

from __future__ import annotations

import json

import pytest

from tests.test_cpa_import import CERT_HEADER, DEVICE_HEADER, PLAN_HEADER, snapshot

GOOD_PLAN = "Amber Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n"
OTHER_PLAN = "Brook Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n"


@pytest.mark.parametrize(("body", "line", "message"), [
    (GOOD_PLAN + 'Cedar Energy,"CPA-1,2020-01-01,2020-03-01,,2.1.0\n' + OTHER_PLAN * 3, 3, "malformed CSV"),
    (GOOD_PLAN + 'Cedar "Energy",CPA-1,2020-01-01,2020-03-01,,2.1.0\n', 3, None),  # a quote inside is text
    ('"Cedar" Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n' + GOOD_PLAN, 2, "malformed CSV"),
    (GOOD_PLAN + "Cedar\x00Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n", 3, "NUL"),
    (GOOD_PLAN + "\ufeffCedar Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n", 3, "byte-order mark"),
    (GOOD_PLAN + "Cedar Energy,CPA-1,2020-01-01\n", 3, "expected 6 fields, found 3"),
])
def test_cpa_import_refuses_malformed_csv(ssc, tmp_path, body, line, message):
    path = tmp_path / "plans.csv"
    path.write_text("\ufeff" + PLAN_HEADER + body, encoding="utf-8")  # a leading BOM is fine
    certificates = tmp_path / "cpl.csv"
    certificates.write_text(CERT_HEADER + "CPA-1,EDMI,ESME,ES-10A,1.0,2.1.0,2019-01-01,2029-01-01,Active\n")
    assert ssc("cpa", "import", "certificates", str(certificates)).status == 0
    before = snapshot(ssc.db)
    result = ssc("cpa", "import", "plans", str(path))
    if message is None:
        assert result.status == 0, result.stderr
        return
    assert result.status == 2, result
    assert f"{path}:{line}:" in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ssc.db) == before


def test_cpa_bom_split_across_read_blocks_is_found(ssc, tmp_path):
    # The file is scanned in blocks: a byte-order mark straddling two is still seen.
    row = "Supplier {n:07d},D{n:07d},ESME,EDMI,ES-10A,1.0,2.1.0\n"
    text = DEVICE_HEADER + "".join(row.format(n=n) for n in range(40_000))
    raw = text.encode()
    cut = (1 << 20) - 1  # the reader's buffer size: the mark starts one byte before the boundary
    cut = raw.rfind(b"\n", 0, cut) + 1
    pad = (1 << 20) - 1 - cut
    raw = raw[:cut] + b"X" * pad + b"\xef\xbb\xbf" + raw[cut:]
    path = tmp_path / "inventory.csv"
    path.write_bytes(raw)
    result = ssc("cpa", "import", "inventory", str(path))
    line = raw[:cut].count(b"\n") + 1
    assert result.status == 2 and f"{path}:{line}: a byte-order mark" in result.stderr, result


def test_cpa_certificates_with_an_open_quote_swallow_nothing(ssc, tmp_path):
    path = tmp_path / "cpl.csv"
    path.write_text(CERT_HEADER + 'CPA-1,EDMI,ESME,"ES-10A,1.0,2.1.0,2019-01-01,2029-01-01,Active\n'
                    "CPA-2,EDMI,ESME,ES-10B,1.0,2.1.0,2019-01-01,2029-01-01,Active\n", encoding="utf-8")
    result = ssc("cpa", "import", "certificates", str(path))
    assert result.status == 2 and f"{path}:2: malformed CSV" in result.stderr, result


def test_register_import_of_an_open_quote_names_its_line_and_stores_nothing(ssc, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text('id,name,roles\np1,"Fenland,other_user\np2,Solway,other_user\n', encoding="utf-8")
    result = ssc("import", str(path))
    assert result.status == 2 and f"{path}:2: malformed CSV" in result.stderr
    assert json.loads(ssc("party", "list", "--format", "json").stdout) == []
