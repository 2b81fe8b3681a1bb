"""The evaluation notebooks run end to end (small parameters) and end with a table and a plot."""


import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_are_stored_without_outputs():
    assert len(NOTEBOOKS) == 3
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_NB_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # as importing streamlit leaves it; the notebooks must still plot
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("MATCHMAKER_ROOT", str(ROOT))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    last = nb.cells[-1]
    kinds = {o.get("output_type") for o in last.outputs}
    data = [o.get("data", {}) for o in last.outputs]
    assert any("image/png" in d for d in data), f"{path.name}: no plot in the last cell"
    assert any("text/html" in d for d in data), f"{path.name}: no results table in the last cell ({kinds})"
