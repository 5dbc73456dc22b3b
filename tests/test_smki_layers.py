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
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('assurance', 'tui')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout
    assert out.strip() == "[]"


def test_there_is_one_audit_trail_module():
    # The register and the CPA import both write through core.audit; no alias under the domain.
    import importlib.util

    assert importlib.util.find_spec("assurance.audit") is None
    assert importlib.util.find_spec("ssc.audit") is None


#: Run ``ssc`` with the packages of the ``all`` extra made unimportable: the base install.
_WITHOUT_EXTRAS = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in {'pydantic', 'textual', 'sqlite_utils', 'docx'}:\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
    "sys.meta_path.insert(0, Block())\n"
    "from ssc.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _slim(*argv: str, tmp_path) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS, *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "SSC_DB": str(tmp_path / "r.db")},
    )


def test_check_keys_runs_on_the_base_install_and_other_commands_say_what_to_install(tmp_path):
    from testdata.smki_pki import build

    pki = build(tmp_path / "pki")
    for case in ("clean", "tampered-body"):
        result = _slim(
            "smki",
            "check-keys",
            "--as-of",
            "2026-06-01",
            "--certs",
            str(pki.certs),
            str(pki.request(case)),
            tmp_path=tmp_path,
        )
        assert result.returncode == (0 if case == "clean" else 1), result.stderr
        assert "Traceback" not in result.stderr
    listing = _slim("smki", "certs", "--as-of", "2026-06-01", str(pki.certs), tmp_path=tmp_path)
    assert listing.returncode == 1 and "xmlsign-supplier.pem" in listing.stdout, listing.stderr
    other = _slim("tui", "--demo", tmp_path=tmp_path)
    assert other.returncode == 2 and "Traceback" not in other.stderr
    assert "needs textual" in other.stderr and "pip install 'ssc[all]'" in other.stderr
