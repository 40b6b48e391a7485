"""Helpers of the benchmark reports: a multi-step path that runs away is counted, coverage is split per
dataset and step ahead, and the shipped model's training stages are described by the losses they used."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import benchmark_module


def test_a_path_that_runs_away_from_its_context_is_counted_and_a_steady_one_is_not():
    multistep = benchmark_module("multistep.py")
    contexts = np.array([[0.0, 1, 2, 3], [10, 9, 8, 7], [0, 1, 0, 1]])  # largest steps 1, 1, 1
    cases = multistep.Cases(contexts, np.ones(contexts.shape, bool), np.zeros((3, 2)), np.array(["a"] * 3), np.array(["r"] * 3))
    paths = np.array([
        [4.0, 5.0],  # steps 1, 1: the trend goes on
        [6.0, 10.0],  # steps 1, 4: turns and runs away (4 > 3 x 1)
        [0.0, 3.0],  # steps 1, 3: at the bound, not beyond it
    ])
    assert multistep.runaway(paths, cases).tolist() == [False, True, False]


def test_coverage_is_split_per_dataset_and_step_ahead():
    cv_module = benchmark_module("statsforecast_cv.py")
    cv = pd.DataFrame({
        "unique_id": ["a/1", "a/1", "b/1", "b/1"],
        "y": [1.0, 5.0, 1.0, 1.0],
        **{f"{model}-lo-{level}": [0.0] * 4 for model in ("NumSeries", "AutoETS") for level in cv_module.LEVELS},
        **{f"{model}-hi-{level}": [2.0] * 4 for model in ("NumSeries", "AutoETS") for level in cv_module.LEVELS},
    })
    by_dataset = cv_module.coverage_by(cv, cv["unique_id"].str.split("/").str[0])
    assert by_dataset["a"]["NumSeries"]["80"] == 0.5 and by_dataset["b"]["AutoETS"]["95"] == 1.0
    assert by_dataset["a"]["values"] == 2 and by_dataset["a"]["series"] == 1
    by_step = cv_module.coverage_by(cv, pd.Series([1, 2, 1, 2]))
    assert by_step["1"]["NumSeries"]["80"] == 1.0 and by_step["2"]["NumSeries"]["80"] == 0.5


@pytest.mark.parametrize(
    ("train_config", "words"),
    [
        ({"heads_only": True}, "the heads alone on the frozen network; best validation loss (the point L1, unchanged, plus"),
        ({"detach_heads": True}, "(`--detach-heads`); best validation loss (the point L1 plus the heads' pinball loss)"),
        ({}, "; best validation loss (the point L1 plus the heads' pinball loss)"),
    ],
)
def test_each_training_stage_names_the_loss_it_was_validated_on(train_config, words):
    info = {
        "data": {"samples_seen": 1000, "min_len": 3, "max_len": 64, "families": ["linear"]},
        "train_config": train_config,
        "model_config": {"quantile_levels": [0.1, 0.5, 0.9]},
        "epochs": 2,
        "duration_seconds": 120,
        "hardware": "1 x CPU",
        "best_val_loss": 1.5,
    }
    assert words in benchmark_module("example_table.py")._summary(info)
    if train_config.get("heads_only"):
        return  # a heads-only stage has heads
    info["model_config"] = {}  # no heads: the loss is the point model's scaled error alone
    assert "best validation loss (mean scaled error) 1.5000" in benchmark_module("example_table.py")._summary(info)


def test_a_run_whose_results_go_elsewhere_leaves_the_readme_block_alone(tmp_path):
    output = benchmark_module("_output.py")
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- speed:start -->\nold\n<!-- speed:end -->\nafter\n")
    assert not output.replace_block("speed", "quick", readme, results=tmp_path / "quick")
    assert "old" in readme.read_text()
    assert output.replace_block("speed", "new", readme, results=output.RESULTS)
    assert readme.read_text() == "before\n<!-- speed:start -->\nnew\n<!-- speed:end -->\nafter\n"


def _benchmarks_run_all_runs() -> tuple[list[Path], list[str]]:
    """The scripts ``benchmarks/run_all.sh`` runs (every benchmarks/*.py not starting with _, less its TOOLS),
    and its TOOLS."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "benchmarks" / "run_all.sh").read_text()
    tools = re.search(r'^TOOLS="([^"]*)"', text, re.MULTILINE)
    assert tools is not None, "run_all.sh names the scripts it skips in TOOLS"
    skipped = tools.group(1).split()
    scripts = sorted(p for p in (root / "benchmarks").glob("[!_]*.py") if p.name not in skipped)
    return scripts, skipped


def test_every_script_run_all_runs_needs_no_argument_and_the_readme_names_it():
    """run_all.sh runs each script with its defaults: one with a required argument stopped the loop (set -e)
    before the scripts after it, and the README's Benchmarks section names what it regenerates."""
    scripts, skipped = _benchmarks_run_all_runs()
    assert len(scripts) >= 10 and {"compare_models.py", "prune_hidden.py"} <= set(skipped)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Benchmarks", 1)[1].split("\n## ", 1)[0]
    for script in scripts:
        tree = ast.parse(script.read_text())
        required = [
            node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument"
            and any(k.arg == "required" and getattr(k.value, "value", False) is True for k in node.keywords)
        ]  # fmt: skip
        assert not required, f"{script.name} has required arguments (lines {required}): add it to run_all.sh's TOOLS"
        assert f"`{script.name}`" in section, f"the README's Benchmarks section does not name {script.name}"
    for tool in skipped:
        assert f"`{tool}`" in section


def test_screen_lists_the_cells_that_moved_largest_first(tmp_path):
    screen = benchmark_module("screen.py")
    before = {"generated|a|all": 1.0, "generated|b|all": 2.0, "real|c|all": float("nan"), "real|d|all": 4.0}
    after = {"generated|a|all": 1.0, "generated|b|all": 2.2, "real|c|all": float("nan"), "real|d|all": 3.0, "real|e|all": 1.0}
    lines = screen.moved(before, after)
    assert [line.split()[0] for line in lines] == ["real|e|all", "real|d|all", "generated|b|all"]  # new, -25%, +10%
    assert "(-25.00%)" in lines[1] and "(+10.00%)" in lines[2]
    cells = screen.model_cells(n_per_cell=1, cases_per_bucket=1)  # the shipped model on a few of accuracy.py's cases
    assert "generated|training families|all" in cells and "real|all real series|all" in cells
    saved = tmp_path / "cells.json"
    assert screen.main(["--n-per-cell", "1", "--cases-per-bucket", "1", "--save", str(saved)]) == 0
    assert screen.moved(json.loads(saved.read_text()), cells) == []  # the same code: nothing moved
