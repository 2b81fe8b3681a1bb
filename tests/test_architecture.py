"""The walls of the design are enforced, not kept by habit: import contracts (pyproject.toml,
[tool.importlinter]), ruff and mypy run here, and breaking a wall in a copy of the package fails them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_passes():
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_checker_passes():
    """mypy on the package, as pyproject.toml's [tool.mypy] sets it (the modules not yet clean are listed there)."""
    result = subprocess.run([str(BIN / "mypy"), "--no-incremental", "--config-file", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module, line, contract", [
    ("plan/greedy.py", "from ..io import read_table", "fit and plan read no input files"),
    ("fit/score.py", "import ray", "Ray is an optional extra"),
    ("fit/score.py", "from ..io.write import write_atomic", "fit and plan read no input files"),
    ("check/rules.py", "from ..plan.constraints import to_int", "The checker shares no code"),
    ("check/overlap.py", "from ..fit.known import mean_known", "The checker shares no code"),
    ("report/analysis.py", "import streamlit", "never imports streamlit"),
    ("inputs/validate.py", "from ..pipeline import load", "Layers"),
    ("plan/solve.py", "from ..outcome import Outcome", "Layers"),
    ("jobs.py", "import fastapi", "never imports streamlit"),
    ("jobs.py", "from .api import create_app", "Layers"),
    ("lifecycle/history.py", "from .whatif import budget_sweep", "Layers"),
])
def test_breaking_a_wall_fails_the_contracts(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "matchmaker", tmp_path / "matchmaker", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "matchmaker" / module
    target.write_text(target.read_text() + f"\n{line}  # a wall broken on purpose\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [ln for ln in result.stdout.splitlines() if " BROKEN" in ln]  # may end "(1 ignored import)"
    assert any(contract in ln for ln in broken), result.stdout
