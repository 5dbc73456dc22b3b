"""Both CSV importers are strict: a malformed file never imports fewer rows than it holds (exit 2, line named)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SSC
from tests.test_cpa_import import CERT_HEADER, DEVICE_HEADER, PLAN_HEADER, snapshot

GOOD_PLAN = "Amber Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n"
OTHER_PLAN = "Brook Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            GOOD_PLAN + 'Cedar Energy,"CPA-1,2020-01-01,2020-03-01,,2.1.0\n' + OTHER_PLAN * 3,
            3,
            "malformed CSV",
        ),
        (
            GOOD_PLAN + 'Cedar "Energy",CPA-1,2020-01-01,2020-03-01,,2.1.0\n',
            3,
            None,
        ),  # a quote inside is text
        ('"Cedar" Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n' + GOOD_PLAN, 2, "malformed CSV"),
        (GOOD_PLAN + "Cedar\x00Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n", 3, "NUL"),
        (
            GOOD_PLAN + "\ufeffCedar Energy,CPA-1,2020-01-01,2020-03-01,,2.1.0\n",
            3,
            "byte-order mark",
        ),
        (GOOD_PLAN + "Cedar Energy,CPA-1,2020-01-01\n", 3, "expected 6 fields, found 3"),
    ],
)
def test_cpa_import_refuses_malformed_csv(ssc, tmp_path, body, line, message):
    path = tmp_path / "plans.csv"
    path.write_text("\ufeff" + PLAN_HEADER + body, encoding="utf-8")  # a leading BOM is fine
    certificates = tmp_path / "cpl.csv"
    certificates.write_text(
        CERT_HEADER + "CPA-1,EDMI,ESME,ES-10A,1.0,2.1.0,2019-01-01,2029-01-01,Active\n"
    )
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
    path.write_text(
        CERT_HEADER + 'CPA-1,EDMI,ESME,"ES-10A,1.0,2.1.0,2019-01-01,2029-01-01,Active\n'
        "CPA-2,EDMI,ESME,ES-10B,1.0,2.1.0,2019-01-01,2029-01-01,Active\n",
        encoding="utf-8",
    )
    result = ssc("cpa", "import", "certificates", str(path))
    assert result.status == 2 and f"{path}:2: malformed CSV" in result.stderr, result


def test_register_import_of_an_open_quote_names_its_line_and_stores_nothing(ssc, tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text(
        'id,name,roles\np1,"Fenland,other_user\np2,Solway,other_user\n', encoding="utf-8"
    )
    result = ssc("import", str(path))
    assert result.status == 2 and f"{path}:2: malformed CSV" in result.stderr
    assert json.loads(ssc("party", "list", "--format", "json").stdout) == []


# -- property: exit 0 means every row of the file was stored -----------------------------------
cell_text = (
    st.text(st.sampled_from(list("ab ,\"\n\r;'\\é")), min_size=1, max_size=8)
    .map(str.strip)
    .filter(bool)
)


def _damaged(text: str, data) -> str:
    """``text`` with one quote taken out or put in somewhere (or left whole)."""
    how = data.draw(st.sampled_from(["whole", "drop", "add"]))
    quotes = [i for i, c in enumerate(text) if c == '"']
    if how == "drop" and quotes:
        at = data.draw(st.sampled_from(quotes))
        return text[:at] + text[at + 1 :]
    if how == "add":
        at = data.draw(st.integers(0, len(text)))
        return text[:at] + '"' + text[at:]
    return text


def _rows(text: str) -> int | None:
    """Data rows of ``text`` as RFC 4180 reads it, each as wide as the header; None if it is not."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if any(row)]
    except csv.Error:
        return None
    return len(rows) - 1 if all(len(row) == len(rows[0]) for row in rows) else None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(cell_text, min_size=1, max_size=6), data=st.data())
def test_register_csv_import_never_stores_fewer_rows_than_written(tmp_path_factory, names, data):
    folder = tmp_path_factory.mktemp("csv")
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n ends rows, so a \r or \n in a cell is quoted
    writer.writerow(["id", "name", "roles"])
    writer.writerows([f"row{n}", name, "other_user"] for n, name in enumerate(names))
    path = folder / "parties.csv"
    text = _damaged(out.getvalue(), data)
    path.write_bytes(text.encode())
    register = SSC(folder / "r.db")
    result = register("import", str(path))
    assert result.status in (0, 2) and "Traceback" not in result.stderr, result
    stored = [r["id"] for r in map(json.loads, register("export").stdout.split("\n")[:-1])]
    if text == out.getvalue():  # whole: every row, exactly
        assert result.status == 0 and stored == [f"row{n}" for n in range(len(names))], result
    elif result.status == 0:  # damaged but still well-formed: every row it holds
        assert len(stored) == _rows(text), (text, stored)
    else:
        assert stored == [] and f"{path}:" in result.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(suppliers=st.lists(cell_text, min_size=1, max_size=6), data=st.data())
def test_cpa_csv_import_never_stores_fewer_rows_than_written(tmp_path_factory, suppliers, data):
    folder = tmp_path_factory.mktemp("cpa")
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n ends rows, so a \r or \n in a cell is quoted
    writer.writerow(DEVICE_HEADER.strip().split(","))
    writer.writerows(
        [supplier, f"D{n}", "ESME", "EDMI", "ES-10A", "1.0", "2.1.0"]
        for n, supplier in enumerate(suppliers)
    )
    path = folder / "inventory.csv"
    text = _damaged(out.getvalue(), data)
    path.write_bytes(text.encode())
    register = SSC(folder / "r.db")
    result = register("cpa", "import", "inventory", str(path))
    assert result.status in (0, 2) and "Traceback" not in result.stderr, result
    if result.status == 0:
        import sqlite3

        conn = sqlite3.connect(register.db)
        devices = sorted(d for (d,) in conn.execute("SELECT device_id FROM cpa_device"))
        conn.close()
        if text == out.getvalue():
            assert devices == sorted(f"D{n}" for n in range(len(suppliers)))
        else:
            assert len(devices) == _rows(text), (text, devices)
    else:
        assert text != out.getvalue() and f"{path}:" in result.stderr, result
