"""main.ipynb runs top to bottom, headless, on the public API (outputs go to a temporary copy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from numseries.weights import WEIGHTS_FILE, shipped_weights_dir

NOTEBOOK = Path(__file__).resolve().parents[1] / "main.ipynb"


@pytest.mark.slow
def test_notebook_executes_top_to_bottom(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("statsforecast")
    # The notebook loads the shipped weights: missing ones are a packaging fault, so this fails, never skips.
    assert (shipped_weights_dir() / WEIGHTS_FILE).is_file(), "the package lacks src/numseries/weights/model.safetensors"
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    images = [
        output for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.outputs if "image/png" in output.get("data", {})
    ]
    assert len(images) >= 6  # data, training curves, two error plots, predictions, heatmap
    streams = [
        (index, output) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
        for output in cell.outputs if output.output_type == "stream"
    ]
    noise = [f"cell {index}: {output.text.strip()[:200]}" for index, output in streams if output.name == "stderr"]
    assert not noise, "\n".join(noise)  # no warnings, no Lightning lines, no progress bars
    printed = "".join(output.text for _, output in streams)
    assert "Lightning" not in printed and "Warning" not in printed and "GPU available" not in printed
