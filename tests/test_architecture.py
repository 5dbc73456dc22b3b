"""The tree's shape, checked: the import contract (``lint-imports``) and the type check (mypy).

Both run as real processes over the real tree, configured in ``pyproject.toml``; a broken
contract or a type error fails the suite (CI runs it), never skips it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # --no-cache: a cache from another tree (the copies below) must not answer for this one.
    return run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"], tree)


def layers() -> list[str]:
    (contract,) = [
        c for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    return contract["layers"]


def test_the_import_contract_is_kept():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_has_a_place_in_the_layers():
    # A new top-level package must be given a layer, or it would escape the contract.
    named = {name.strip() for layer in layers() for name in layer.replace("|", ":").split(":")}
    packages = {p.name for p in REPO.iterdir() if (p / "__init__.py").exists()}
    assert set(PYPROJECT["tool"]["importlinter"]["root_packages"]) == packages
    assert named == packages


def test_the_policies_are_data_only():
    # policies/ holds TOML and a docstring: it imports nothing, so nothing can go round through it.
    import ast

    assert sorted(p.name for p in (REPO / "policies").glob("*.py")) == ["__init__.py"]
    tree = ast.parse((REPO / "policies" / "__init__.py").read_text(encoding="utf-8"))
    assert [type(node).__name__ for node in tree.body] == ["Expr"]  # the docstring


@pytest.fixture
def tree_copy(tmp_path):
    """The packages and pyproject.toml copied, to break the contract without touching the tree."""
    for name in PYPROJECT["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("smki/expiry.py", "import assurance.store  # smki reaching into assurance"),
        ("assurance/due.py", "import smki.keysep  # assurance reaching into smki"),
        ("core/db.py", "import assurance.store  # the core reaching up"),
        ("policies/__init__.py", "import core.db  # the data reaching up"),
        ("assurance/models.py", "import tui  # the domain reaching into the TUI"),
        (
            "assurance/report/bounded.py",
            "from assurance.report import panel  # a cycle in a subpackage",
        ),
        (
            "assurance/models.py",
            "import assurance.store  # a cycle: the store builds on the models",
        ),
        ("tui/due_worker.py", "import tui.sources  # a cycle: the sources start the worker"),
        ("tui/screens/party.py", "import tui.screens.records  # a cycle: a record opens its Party"),
    ],
)
def test_a_breach_of_the_contract_fails_the_check(tree_copy, module, line):
    path = tree_copy / module
    source = path.read_text(encoding="utf-8")
    head, sep, rest = source.partition("\nfrom __future__ import annotations\n")
    path.write_text(
        head + sep + line + "\n" + rest if sep else line + "\n" + source, encoding="utf-8"
    )
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_mypy_checks_every_package_and_every_module():
    # Every package of the contract is type-checked, the TUI included; nothing is left out.
    config = PYPROJECT["tool"]["mypy"]
    assert set(config["packages"]) == set(PYPROJECT["tool"]["importlinter"]["root_packages"])
    assert "exclude" not in config and "files" not in config
    assert not [o for o in config.get("overrides", []) if o.get("ignore_errors")]
    for name in config["packages"]:
        assert not [
            o for o in config.get("overrides", []) if any(m.startswith(name) for m in o["module"])
        ]


def test_mypy_finds_no_error_in_the_packages():
    # pyproject's [tool.mypy] names the packages.
    result = run([sys.executable, "-m", "mypy", "--no-incremental"], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("core/env.py", "\n\nWRONG: int = 'text'\n", "[assignment]"),
        # The TUI's screens see the app as the SSCApp (tui.typed.OfApp), not Textual's bare App:
        # a misspelt attribute of the app is an error that names the app's class.
        (
            "tui/screens/chase.py",
            "\n\nclass Wrong(AppScreen):\n    def wrong(self) -> None:\n        self.app.registr.close()\n",
            '"SSCApp" has no attribute "registr"',
        ),
        (
            "tui/widgets/record_table.py",
            "\n\ndef wrong(table: RecordTable) -> str:\n    return table.app.session.db_path\n",
            "[return-value]",
        ),
    ],
)
def test_mypy_fails_on_a_type_error(tree_copy, module, line, expected):
    # The check is live: a wrong type in a package fails it (the config, not just the tree).
    path = tree_copy / module
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    result = run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tree_copy / ".mypy")],
        tree_copy,
    )
    assert result.returncode == 1
    assert module in result.stdout and expected in result.stdout, result.stdout


def test_the_cli_names_the_packages_the_base_install_leaves_out():
    # A command that needs a package of the `all` extra says so in one line under the base
    # install; the list it checks is the extra's, as import names (python-docx is `docx`).
    from importlib.metadata import packages_distributions

    from ssc.cli import OPTIONAL_PACKAGES

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    extra = {
        norm(re.split(r"[<>=!~ \[;]", requirement)[0])
        for requirement in PYPROJECT["project"]["optional-dependencies"]["all"]
    }
    modules = {
        module
        for module, dists in packages_distributions().items()
        if any(norm(dist) in extra for dist in dists)
    }
    assert set(OPTIONAL_PACKAGES) == modules


def ruff(*args: str, tree: Path = REPO) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "ruff", *args, "--no-cache", "."], tree)


def test_the_tree_is_formatted_and_lint_free():
    # pyproject's [tool.ruff] is the style; `ruff format .` and `ruff check --fix .` fix a failure.
    formatted = ruff("format", "--check")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    linted = ruff("check")
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_an_unformatted_or_unsorted_file_fails_the_check(tree_copy):
    shutil.copy(REPO / "pyproject.toml", tree_copy / "pyproject.toml")
    path = tree_copy / "core" / "env.py"
    source = path.read_text(encoding="utf-8")
    path.write_text(source + "\n\nWRONG = {  'a':1 }\n", encoding="utf-8")
    formatted = ruff("format", "--check", tree=tree_copy)
    assert formatted.returncode == 1 and "core/env.py" in formatted.stdout
    path.write_text("import sys\nimport os\n" + source, encoding="utf-8")
    linted = ruff("check", tree=tree_copy)
    assert linted.returncode == 1 and "I001" in linted.stdout
