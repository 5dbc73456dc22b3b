"""The large-inventory generator makes returns that import cleanly and report consistently."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "testdata" / "cpa" / "generate.py"


def test_generated_returns_import_and_every_device_is_accounted_for(ssc, tmp_path):
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        import generate
    finally:
        sys.path.remove(str(GENERATOR.parent))
    generate.main([str(tmp_path), "--devices", "5000", "--suppliers", "7", "--certificates", "40"])
    for kind, name in [("certificates", "certificates"), ("inventory", "inventory"),
                       ("plans", "plans")]:  # fmt: skip
        result = ssc("cpa", "import", kind, str(tmp_path / f"{name}.csv"))
        assert result.status == 0, result.stderr
    with (tmp_path / "inventory.csv").open(newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 5001
    result = ssc("cpa", "report", "--as-of", "2020-01-10", "--horizon", "100000",
                 "--format", "json")  # fmt: skip
    data = json.loads(result.stdout)
    listed = sum(c["installed_devices"] for c in data["certificates"])
    uncovered = sum(u["devices"] for u in data["uncovered"])
    assert uncovered > 0
    assert listed + uncovered == 5000  # every certificate within a horizon that long
