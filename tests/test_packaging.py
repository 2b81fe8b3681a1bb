"""matchmaker is real software: one set of pins, a wheel that installs and runs outside the checkout, a README
that is an entry page, and docs that build strictly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import matchmaker
from matchmaker.config import load_config, sample_campaign
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            out[match.group(1).lower().replace("_", "-")] = match.group(2)
    return out


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_pyproject_and_requirements_pin_the_same_versions():
    project = _project()
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += [r for r in extra if not r.startswith("matchmaker[")]
    assert all(PIN.match(r) for r in declared), [r for r in declared if not PIN.match(r)]
    requirements = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert _pins(declared) == requirements


def test_the_lock_agrees_with_the_pins():
    lock = _pins((ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines())
    requirements = _pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())
    for name, version in requirements.items():
        assert lock.get(name, "").split("+")[0] == version, name  # torch's lock entry carries +cpu
    assert "matchmaker" not in lock


def test_the_default_install_does_not_pull_torch():
    assert not any(r.startswith(("torch", "sentence-transformers", "ray")) for r in _project()["dependencies"])


def test_version_is_one_figure():
    result = subprocess.run([str(BIN / "matchmaker"), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"matchmaker {matchmaker.__version__}"


def test_the_sample_is_package_data():
    path = sample_campaign()
    assert path.parent.parent == Path(matchmaker.__file__).parent
    config = load_config(path)
    assert config.input_path("creators").is_file() and config.input_path("products").is_file()
    assert (ROOT / "data" / "campaign.toml").resolve() == path.resolve()  # the checkout's data/ is the same files


def test_readme_is_an_entry_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 40_000
    assert "./setup.sh && .venv/bin/matchmaker demo" in readme
    assert "./setup.sh dev && .venv/bin/python -m pytest" in readme
    assert (ROOT / "LICENSE").is_file()


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "./setup.sh dev && .venv/bin/python -m pytest"
    assert command in readme and command in ci


@pytest.mark.slow
def test_the_readmes_python_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## In Python", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    result = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "MATCHMAKER_STORE": ""})
    assert result.returncode == 0, result.stderr
    assert "1200000 optimal" in result.stdout or "1200000 feasible" in result.stdout


@pytest.mark.slow
def test_docs_build_strictly(tmp_path):
    result = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "site" / "inputs" / "index.html").read_text(encoding="utf-8")
    assert "<code>creator_id</code>" in page and "达人昵称" in page  # the column tables, written from the code
    assert "<!-- columns" not in page


@pytest.mark.slow
def test_a_wheel_runs_the_demo_outside_the_checkout(tmp_path):
    """The wheel built from the checkout, unpacked away from it, runs `matchmaker demo` in an empty folder:
    the sample comes from the package, not from a data/ folder beside the code."""
    source = tmp_path / "source"  # a copy: setuptools leaves build/ in the tree it builds
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "out", "site", "__pycache__", ".matchmaker*", ".hypothesis", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                    str(source)], check=True, capture_output=True, timeout=300, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("matchmaker-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "matchmaker/sample/campaign.toml" in names and "matchmaker/sample/creators.csv" in names
    metadata = zipfile.ZipFile(wheel).read(f"matchmaker-{matchmaker.__version__}.dist-info/METADATA").decode()
    assert "Requires-Dist: ortools==" in metadata and "License-Expression: MIT" in metadata
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    empty = tmp_path / "empty"
    empty.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import matchmaker; "
            "assert matchmaker.__file__.startswith(sys.argv[1]), matchmaker.__file__; "
            "from matchmaker.entry import main_exit; sys.argv = ['matchmaker', 'demo', '--time-limit', '5']; "
            "main_exit()")
    env = {**os.environ, "MATCHMAKER_STORE": ""}
    result = subprocess.run([sys.executable, "-c", code, str(site)], cwd=empty, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (empty / "out" / "demo-plan.csv").is_file()
