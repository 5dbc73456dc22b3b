"""smki stands below the register: importing any of it never brings in ``assurance`` or ``tui``."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_smki_imports_no_assurance_or_tui():
    code = (
        "import importlib, pkgutil, sys, smki, smki.cpa\n"
        "for m in pkgutil.walk_packages(smki.__path__, 'smki.'):\n"
        "    importlib.import_module(m.name)\n"
        "from smki.cpa import importer, schema\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('assurance', 'tui')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_register_and_the_cpa_import_share_one_audit_trail_module():
    import assurance.audit
    import ssc.audit

    assert assurance.audit is ssc.audit
