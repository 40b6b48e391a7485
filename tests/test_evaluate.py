"""Evaluation: cases per family and bucket, the model beside the baselines, tables, the seed's test_model."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from numseries.cli import main
from numseries.data import make_loader
from numseries.evaluate import (
    BUCKETS,
    FREQUENCY_GROUPS,
    MODEL,
    NEW_FAMILIES,
    NOISE_FLOOR,
    cell_spread,
    evaluate,
    summarise,
    synthetic_cases,
)
from numseries.generate import generate_batch, holdout_families, training_families
from numseries.markdown import frequency_section, metric_table, report
from numseries.metrics import context_scale, score
from numseries.weights import load_model

SIMPLE = ("last_value", "drift", "linear_fit")


@pytest.fixture(scope="module")
def model(tiny_weights):
    return load_model(tiny_weights)


@pytest.fixture(scope="module")
def evaluation(model):
    cases = synthetic_cases(n_per_cell=4, families=["linear", "noisy", "logistic"])
    return evaluate(model, cases, baselines=SIMPLE)


def test_synthetic_cases_fill_every_family_and_bucket():
    cases = synthetic_cases(n_per_cell=5)
    assert cases.family_names == tuple(training_families() + holdout_families())
    for family in cases.family_names:
        lengths = cases.lengths[cases.families == family]
        for lo, hi in BUCKETS:
            assert ((lengths >= lo) & (lengths <= hi)).sum() == 5
    assert len(cases) == 5 * len(BUCKETS) * len(cases.family_names)


def test_synthetic_cases_of_a_family_do_not_depend_on_the_others():
    alone = synthetic_cases(n_per_cell=3, families=["sinusoidal"])
    together = synthetic_cases(n_per_cell=3, families=["linear", "sinusoidal"])
    np.testing.assert_array_equal(together.data[together.families == "sinusoidal"], alone.data)
    np.testing.assert_array_equal(together.labels[together.families == "sinusoidal"], alone.labels)


def _padded(model, batch):
    """The model on one padded batch: predictions (N,) and attention (N, T)."""
    import torch

    with torch.no_grad():
        prediction, attention = model(torch.from_numpy(batch.data), torch.from_numpy(batch.masks))
    return prediction.numpy(), attention.numpy()


def test_model_predictions_and_attention_match_one_padded_batch_even_when_cropped(model):
    cases = synthetic_cases(n_per_cell=3, families=["sinusoidal", "noisy"])  # lengths up to 64, window 16
    evaluation = evaluate(model, cases, baselines=[])
    predictions, attention = _padded(model, cases)
    scale = np.abs(cases.data).max(axis=1)
    np.testing.assert_allclose(evaluation.predictions[MODEL] / scale, predictions / scale, atol=1e-6)
    np.testing.assert_allclose(evaluation.attention, attention, atol=1e-5)
    assert (evaluation.attention[cases.lengths > 16, 0] == 0).all()  # cropped steps get no attention


def test_the_shipped_onnx_path_scores_like_torch(model, tiny_onnx):
    pytest.importorskip("onnxruntime")
    from numseries.predict import Predictor

    cases = synthetic_cases(n_per_cell=2, families=["mixed"])
    onnx = evaluate(Predictor.from_pretrained(tiny_onnx), cases, baselines=[])
    torch_run = evaluate(model, cases, baselines=[])
    scale = np.abs(cases.data).max(axis=1)
    np.testing.assert_allclose(onnx.predictions[MODEL] / scale, torch_run.predictions[MODEL] / scale, atol=1e-5)


def test_summary_rows_cover_each_group_bucket_and_method(evaluation):
    rows = summarise(evaluation)
    keys = {(row["group"], row["bucket"], row["method"]) for row in rows}
    for group in ["linear", "noisy", "logistic", "training families"]:
        for bucket in ["4-6", "8-16", "24-64", "all"]:
            for method in (MODEL, *SIMPLE):
                assert (group, bucket, method) in keys
    assert ("noisy", "all", NOISE_FLOOR) in keys
    assert ("linear", "all", NOISE_FLOOR) not in keys  # no noise, no floor
    assert ("training families", "all", NOISE_FLOOR) not in keys  # partly noisy: a median floor of 0 misleads
    assert "held-out families" not in {row["group"] for row in rows}  # one held-out family is no aggregate


def test_noise_on_a_stochastic_family_gets_no_floor(model):
    cases = synthetic_cases(n_per_cell=3, families=["noisy_stochastic"])
    assert (cases.labels != cases.clean_labels).all()  # noisy labels, yet the clean value is no floor
    groups = {(row["group"], row["method"]) for row in summarise(evaluate(model, cases, baselines=SIMPLE))}
    assert ("noisy_stochastic", MODEL) in groups and ("noisy_stochastic", NOISE_FLOOR) not in groups


def test_summary_agrees_with_the_metrics_and_the_noise_floor_definition(evaluation):
    cases = evaluation.cases
    rows = {(r["group"], r["bucket"], r["method"]): r for r in summarise(evaluation)}
    noisy = cases.families == "noisy"
    scale = context_scale(cases.data, cases.masks)[noisy]
    expected = score(evaluation.predictions[MODEL][noisy], cases.labels[noisy], scale)
    assert {k: rows[("noisy", "all", MODEL)][k] for k in expected} == expected
    floor = np.abs(cases.labels[noisy] - cases.clean_labels[noisy]) / scale
    assert rows[("noisy", "all", NOISE_FLOOR)]["median_scaled"] == pytest.approx(np.median(floor))
    assert rows[("linear", "all", "last_value")]["median_scaled"] == pytest.approx(1.0)
    assert rows[("linear", "all", "drift")]["median_scaled"] == pytest.approx(0.0, abs=1e-9)


def test_statistical_fallbacks_are_counted(model):
    pytest.importorskip("statsforecast")
    cases = synthetic_cases(n_per_cell=2, families=["linear"], buckets=((4, 6), (8, 10)))
    rows = summarise(evaluate(model, cases, baselines=["auto_ets"]), buckets=((4, 6), (8, 10)))
    fallbacks = {r["bucket"]: r["fallbacks"] for r in rows if r["method"] == "auto_ets"}
    assert fallbacks == {"4-6": 2, "8-10": 0, "all": 2}  # AutoETS refuses fewer than 7 values
    assert "Cases a statistical baseline could not fit" in report(evaluate(model, cases, baselines=["auto_ets"]))


def test_report_has_every_metric_and_the_speed(evaluation):
    text = report(evaluation)
    for heading in ["Median scaled error", "Mean scaled error", "MAE", "RMSE", "Speed"]:
        assert f"## {heading}" in text
    assert "| linear | 4-6 | 4 |" in text


def test_evaluate_refuses_unknown_baselines_and_bad_n_jobs(model):
    cases = synthetic_cases(n_per_cell=1, families=["linear"])
    with pytest.raises(ValueError, match="unknown baseline 'naive'"):
        evaluate(model, cases, baselines=["naive"])
    with pytest.raises(ValueError, match="n_jobs must be a positive integer"):
        evaluate(model, cases, n_jobs=0)


def test_seed_test_model_returns_predictions_targets_and_attention(model, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    sys.modules.pop("test_and_visualize", None)
    test_model = importlib.import_module("test_and_visualize").test_model
    batch = generate_batch(70, max_len=16, seed=5)
    preds, targs, attns = test_model(model, make_loader(batch, batch_size=32))
    assert preds.shape == (70,) and attns.shape == (70, 16)
    np.testing.assert_array_equal(targs, batch.labels)
    np.testing.assert_allclose(attns.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(preds, _padded(model, batch)[0])


def test_cli_prints_a_summary_shows_progress_and_writes_the_full_report(tiny_weights, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the report goes to ./evaluation.md by default
    code = main(["evaluate", "--weights", str(tiny_weights), "--no-stats", "--n-per-cell", "2",
                 "--families", "linear", "noisy"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "| training families | 4-6 | 4 |" in captured.out and "| noisy |" not in captured.out  # the summary
    assert "2 per family and length" in captured.out and "auto_arima" not in captured.out
    assert re.search(r"moves by ±\d+% when its cases are resampled", captured.out)
    assert "synthetic suite: drift" in captured.err and "48/48" in captured.err  # which method, and a bar
    full = (tmp_path / "evaluation.md").read_text()
    assert full.startswith("# Accuracy: synthetic suite") and "| noisy | 4-6 | 2 |" in full


def test_the_spread_of_cell_medians_is_not_measured_from_one_case_per_cell(tiny_weights, model, capsys, tmp_path):
    """Adversarial round 28: one case per cell printed 'moves by ±0%', a figure nothing measured."""
    assert cell_spread(evaluate(model, synthetic_cases(n_per_cell=1, families=["noisy"]), baselines=[])) is None
    assert main(["evaluate", "--weights", str(tiny_weights), "--no-stats", "--n-per-cell", "1", "--families", "noisy",
                 "--report", str(tmp_path / "report.md")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "±0%" not in out and "was not measured: no cell has two cases" in out


def test_the_spread_of_cell_medians_shrinks_with_more_cases(model):
    few, many = (
        cell_spread(evaluate(model, synthetic_cases(n_per_cell=n, families=["noisy", "sinusoidal"]), baselines=[]))
        for n in (8, 200)
    )
    assert 0 < many < few / 2


def test_ratio_of_two_errors_at_float_rounding_is_a_tie():
    rows = [
        {"group": "linear", "bucket": "all", "method": method, "n": 3, "median_scaled": value}
        for method, value in (("model", 2e-15), ("last_value", 1.0), ("drift", 1e-15))
    ]
    assert "| linear | all | 3 | **0** | 1 | **0** | 1 (drift) |" in metric_table(rows)  # both exact: a tie
    rows[0]["median_scaled"] = 0.5
    assert "| – (drift exact) |" in metric_table(rows)  # a real error against an exact baseline: no ratio
    # adversarial round 28: errors relative to the last value's have no unit either ('inf (linear_fit)' for a
    # rule's 2.28e-15), and a group no baseline scored (constant series) read '– (None)'
    relative = [{**row, "median_relative": row.pop("median_scaled")} for row in rows]
    relative[0]["median_relative"] = 2e-15
    assert "| linear | all | 3 | **0** | 1 | **0** | 1 (drift) |" in metric_table(relative, "median_relative")
    unscored = [{**row, "median_scaled": float("nan") if row["method"] != "model" else 0.1} for row in rows]
    assert "None" not in metric_table(unscored)


@pytest.mark.parametrize("metric", ["mae", "rmse"])
def test_errors_in_units_at_float_rounding_of_the_values_size_are_a_tie(metric):
    """Adversarial round 62: the model and drift missed a line near 100 by an MAE of 1.9e-14 and linear_fit by 0;
    the cell read '– (linear_fit exact)'. Rounding is measured against the values' size, whatever their unit:
    the same line scaled to values near 1e-12 ties too, and there a miss of 1e-14 (1%) is a miss."""
    rows = [
        {"group": "linear", "bucket": "24-64", "method": method, "n": 3, metric: value, "size": 120.0}
        for method, value in (("model", 1.89e-14), ("last_value", 3.4), ("drift", 1.89e-14), ("linear_fit", 0.0))
    ]
    assert "| linear | 24-64 | 3 | **0** | 3.4 | **0** | **0** | 1 (drift) |" in metric_table(rows, metric)
    tiny = [{**row, metric: row[metric] * 1e-14, "size": 1.2e-12} for row in rows]
    assert "| linear | 24-64 | 3 | **0** | 3.4e-14 | **0** | **0** | 1 (drift) |" in metric_table(tiny, metric)
    tiny[0][metric] = tiny[2][metric] = 1e-14  # 1% of the values' size: a miss, not rounding
    assert "| 1e-14 | 3.4e-14 | 1e-14 | **0** | – (linear_fit exact) |" in metric_table(tiny, metric)


def test_each_row_states_the_size_of_its_values(evaluation):
    cases = evaluation.cases
    largest = [max(abs(cases.labels[i]), *np.abs(cases.data[i, cases.masks[i]])) for i in range(len(cases))]
    rows = summarise(evaluation)
    for row in rows:
        if row["group"] == "linear" and row["bucket"] == "all":
            # the median (one of them), not the mean: one large series set every tie of its group (round 63)
            assert row["size"] == np.quantile(np.asarray(largest)[cases.families == "linear"], 0.5, method="lower")
    assert all(row["size"] > 0 for row in rows)


def test_no_ratio_to_an_exact_baseline_reads_inf():
    """Adversarial report: with one case per cell the ratio to an exact last value read 'inf (last_value)',
    like a failure; it is '–', the baseline said exact, in the table, the AutoARIMA column and the verdict."""
    rows = [
        {"group": "weekly series", "bucket": "all", "method": method, "n": 1, "median_scaled": value}
        for method, value in (("model", 0.00944), ("last_value", 0.0), ("drift", 0.5), ("auto_arima", 0.0))
    ]
    table = metric_table(rows)
    assert "| weekly series | all | 1 | 0.00944 | **0** | 0.5 | **0** | – (last_value exact) | – |" in table
    verdict = frequency_section(rows)[1]
    assert "weekly series (last_value exact)" in verdict and "inf" not in verdict


def test_cli_bad_input_is_one_line_and_exit_2(tiny_weights, capsys):
    assert main(["evaluate", "--weights", str(tiny_weights), "--families", "fibonacci"]) == 2
    assert "unknown family 'fibonacci'" in capsys.readouterr().err
    # --no-stats dropped the only baseline asked for, and every row said "– (None)" (adversarial round 5)
    assert main(["evaluate", "--weights", str(tiny_weights), "--baselines", "auto_ets", "--no-stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--no-stats leaves none of --baselines auto_ets" in err
    # adversarial round 21: an option of the other suite was ignored, exit 0 (all 1,493 real cases scored)
    for options, option, suite in [(["--suite", "real", "--families", "linear"], "--families", "synthetic"),
                                   (["--suite", "real", "--n-per-cell", "2"], "--n-per-cell", "synthetic"),
                                   (["--cases-per-bucket", "3"], "--cases-per-bucket", "real")]:  # fmt: skip
        assert main(["evaluate", "--weights", str(tiny_weights), "--no-stats", *options]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{option} is an option of --suite {suite}, not of --suite " in err


def test_families_the_weights_never_saw_are_grouped_apart(model):
    cases = synthetic_cases(n_per_cell=2, families=["linear", "noisy", "arima", "seasonal"])
    evaluation = evaluate(model, cases, baselines=["last_value"])
    n = {(r["group"], r["bucket"]): r["n"] for r in summarise(evaluation) if r["method"] == MODEL}
    assert n["training families", "all"] == 4 * 6 and (NEW_FAMILIES, "all") not in n  # no record: all are training
    n = {
        (r["group"], r["bucket"]): r["n"]
        for r in summarise(evaluation, trained_on={"linear", "noisy", "sinusoidal"})
        if r["method"] == MODEL
    }
    assert n["training families", "all"] == 2 * 6 and n[NEW_FAMILIES, "all"] == 2 * 6


def test_held_out_families_the_weights_trained_on_are_among_their_training_families(model):
    """Adversarial round 52: weights trained on logistic and chirp were scored on them as "held-out families"."""
    cases = synthetic_cases(n_per_cell=2, families=["linear", "noisy", "logistic", "chirp", "power_law"])
    evaluation = evaluate(model, cases, baselines=["last_value"])
    n = {(r["group"], r["bucket"]): r["n"] for r in summarise(evaluation) if r["method"] == MODEL}
    assert n["training families", "all"] == 2 * 6 and n["held-out families", "all"] == 3 * 6
    trained_on = {"linear", "noisy", "logistic", "chirp"}
    n = {(r["group"], r["bucket"]): r["n"] for r in summarise(evaluation, trained_on=trained_on) if r["method"] == MODEL}
    assert n["training families", "all"] == 4 * 6 and ("held-out families", "all") not in n  # power_law alone


def test_weights_trained_on_a_family_not_registered_here_are_not_scored_without_it(tmp_path, tiny_weights, capsys):
    """Adversarial round 52: their family was left out without a word, and no training families row shown."""
    from numseries.weights import load_model, save_pretrained

    info = {"data": {"families": ["fibonacci_like", "linear"]}}
    folder = save_pretrained(load_model(tiny_weights), tmp_path / "w", training_info=info)
    args = ["evaluate", "--weights", str(folder), "--no-stats", "--n-per-cell", "2", "--report", str(tmp_path / "r.md")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "trained on family 'fibonacci_like', which is not registered here" in err, err
    assert not (tmp_path / "r.md").exists()
    assert main([*args, "--families", "linear"]) == 0 and (tmp_path / "r.md").is_file()


def test_real_datasets_are_also_grouped_by_sampling_frequency(model):
    pytest.importorskip("statsmodels")
    from numseries.realdata import FREQUENCY, real_cases

    evaluation = evaluate(model, real_cases(cases_per_bucket=2), baselines=["last_value"])
    rows = summarise(evaluation)
    n = {r["group"]: r["n"] for r in rows if r["method"] == MODEL and r["bucket"] == "all"}
    for group in FREQUENCY_GROUPS:
        members = [name for name, frequency in FREQUENCY.items() if f"{frequency} series" == group]
        assert n[group] == sum(n[name] for name in members) > 0, group
    assert sum(n[group] for group in FREQUENCY_GROUPS) == n["all real series"]
    text = report(evaluation)
    primary = text.split("## Median scaled error by sampling frequency")[0]
    assert "yearly series" not in primary  # the frequency groups have their own section
    section = text.split("## Median scaled error by sampling frequency")[1].split("\n## ")[0]
    assert re.search(r"(behind its best baseline, over all lengths, on \d of 6|ahead of every baseline)", section)
    assert "| sub-daily series | all |" in section


def test_cli_groups_the_families_the_shipped_weights_never_saw_apart(capsys, tmp_path):
    code = main(["evaluate", "--no-stats", "--n-per-cell", "2", "--families", "linear", "noisy", "level_shift",
                 "intermittent", "--report", str(tmp_path / "report.md")])
    assert code == 0
    out = capsys.readouterr().out
    assert f"| {NEW_FAMILIES} | all | 12 |" in out  # only the shipped weights' heads trained on these two
    assert "| training families | all | 12 |" in out


@pytest.mark.parametrize(
    ("log", "message"),
    [
        ("a,b\n1,2\n", "has no 'step' column (its header: 'a,b')"),
        ("step,val_loss\n1,0.5\n2,0.3e", "line 3: val_loss '0.3e' (step '2') is not a number; remove that line"),
        ("step,val_loss\n", "holds no logged values"),
    ],
    ids=["not-a-log", "cut-short", "empty"],
)
def test_a_run_dir_that_cannot_be_plotted_is_one_line_before_the_evaluation(tiny_weights, tmp_path, capsys, log, message):
    # adversarial round 12: a KeyError traceback, or a message naming neither file nor fix, after the whole
    # evaluation had run and most plots were written
    (tmp_path / "metrics.csv").write_text(log)
    code = main(["evaluate", "--weights", str(tiny_weights), "--no-stats", "--n-per-cell", "2", "--families", "linear",
                 "--report", str(tmp_path / "e.md"), "--plots", str(tmp_path / "plots"), "--run-dir", str(tmp_path / "metrics.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "plots").exists() and not (tmp_path / "e.md").exists()  # nothing done before it


@pytest.mark.parametrize("text", ["[1,2", "[1, 2]"], ids=["not-json", "not-an-object"])
def test_an_unreadable_training_info_is_a_note_and_the_evaluation_goes_on(tiny_weights, tmp_path, capsys, text):
    """Adversarial report: predict answers from a folder (no manifest) whose training_info.json is corrupt, as it
    never reads it, but evaluate refused it; now it evaluates, and says once what the report leaves out."""
    import shutil

    folder = tmp_path / "w"
    shutil.copytree(tiny_weights, folder, ignore=shutil.ignore_patterns("manifest.json", "*.onnx"))
    (folder / "training_info.json").write_text(text)
    assert main(["predict", "--weights", str(folder), "1", "2", "3"]) == 0
    capsys.readouterr()
    code = main(["evaluate", "--weights", str(folder), "--n-per-cell", "1", "--no-stats", "--families", "linear",
                 "--report", str(tmp_path / "e.md"), "--plots", str(tmp_path / "plots")])  # fmt: skip
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert code == 0 and "Traceback" not in err and "error" not in err, err
    assert len(notes) == 1 and f"training info {folder / 'training_info.json'}" in notes[0]
    assert notes[0].endswith("not by what these weights were trained on, and leaves out the run that trained them")
    assert (tmp_path / "e.md").is_file() and any((tmp_path / "plots").iterdir())
