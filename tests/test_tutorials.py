"""The notebook tutorials run from start to end, at a small scale, so that they cannot rot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="needs the dev extra")
nbformat = pytest.importorskip("nbformat", reason="needs the dev extra")

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "docs" / "tutorials").glob("*.ipynb"))


def test_there_is_a_tutorial() -> None:
    assert TUTORIALS, "docs/tutorials holds no notebook"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GREATTERROR_TUTORIAL_SCALE", "0.0001")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=dict(os.environ))
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    # the ensemble's bands were computed and shown
    last_tables = [c for c in notebook.cells if "ens.bands()" in c.source]
    assert last_tables and last_tables[0].outputs
