"""The house rules of the package, checked: imports run one way (the import-linter contract
in pyproject.toml), the contract can fail, no module is a room too big to live in, and every
module says what it is for."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "compiler" / "skyspec"
# Modules allowed past ~600 lines, with the reason (see docs/architecture.md).
LONG: dict[str, str] = {}


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency (pip install -e '.[test]')"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(pythonpath), "HOME": str(cwd)}
    return subprocess.run([exe, "--config", str(cwd / "pyproject.toml"), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_layers_contract_is_kept():
    r = _lint(ROOT, ROOT / "compiler")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 kept, 0 broken" in r.stdout


def test_the_contract_lists_no_exceptions():
    text = (ROOT / "pyproject.toml").read_text()
    section = text[text.index("[tool.importlinter]"):]
    assert "ignore_imports" not in section and "unmatched_ignore" not in section


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract is not vacuous: a function-level import of the pipeline from the front
    end (the cycle this contract was written to end) is caught."""
    shutil.copytree(PKG, tmp_path / "src" / "skyspec", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    loc = tmp_path / "src" / "skyspec" / "frontend" / "loc.py"
    loc.write_text(loc.read_text() + "\n\ndef _sneaky():\n    from ..pipeline import Session\n    return Session\n")
    r = _lint(tmp_path, tmp_path / "src")
    assert r.returncode != 0
    assert "skyspec.frontend is not allowed to import skyspec.pipeline" in r.stdout


def _modules():
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_module_is_readable(path):
    rel = path.relative_to(PKG).as_posix()
    lines = path.read_text(encoding="utf-8").count("\n")
    if rel not in LONG:
        assert lines <= 650, f"{rel} has {lines} lines: split it by responsibility"
    if rel != "__main__.py":
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{rel} has no module docstring"


def test_no_stray_exemptions():
    for rel in LONG:
        assert (PKG / rel).is_file(), f"{rel} no longer exists: drop its exemption"
