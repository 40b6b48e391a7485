"""The optional heads (quantiles, pattern) through config, model, heads-only training, export and Predictor."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from numseries.config import ModelConfig
from numseries.generate import training_families
from numseries.intervals import CALIBRATION_FILE, LENGTH_BUCKETS, Calibration
from numseries.model import LSTMWithAttention
from numseries.predict import Predictor
from numseries.weights import CONFIG_FILE, ONNX_FILE, load_model, save_pretrained

LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
NAMES = ("linear", "sinusoidal", "random_walk")
HEADS = ModelConfig(max_len=16, hidden_size=8, head_size=8, quantile_levels=LEVELS, pattern_names=NAMES)


def _model(seed: int = 0) -> LSTMWithAttention:
    torch.manual_seed(seed)
    return LSTMWithAttention(HEADS).eval()


@pytest.fixture(scope="module")
def heads_folder(tmp_path_factory):
    """A weights folder of a tiny model with both heads, exported to ONNX beside its weights."""
    from numseries.export import export_onnx

    folder = save_pretrained(_model(), tmp_path_factory.mktemp("heads") / "weights")
    export_onnx(load_model(folder), folder / ONNX_FILE)
    return folder


def _walks(n: int = 40, length: int = 12, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.from_numpy(np.cumsum(rng.normal(size=(n, length)), axis=1))


@pytest.mark.parametrize(
    "levels", [(0.1, 0.9), (0.1, 0.5, 0.8), (0.5, 0.1, 0.9), (0.0, 0.5, 1.0), (0.1, 0.1, 0.5, 0.9, 0.9)]
)
def test_quantile_levels_must_be_symmetric_increasing_and_hold_the_median(levels):
    with pytest.raises(ValueError, match="quantile_levels"):
        ModelConfig(quantile_levels=levels)


@pytest.mark.parametrize("levels", [(1e-20, 0.5, 1.0), (1e-20, 0.5, 1 - 1e-20)])
def test_a_quantile_level_whose_pair_rounds_to_0_or_1_is_refused(levels):
    """Adversarial report 5 section 5: 1 - 1e-20 is 1.0, and 1e-20 0.5 1.0 was accepted as in (0, 1)."""
    with pytest.raises(ValueError, match=r"quantile level 1e-20 is too close to 0 or 1: its pair 1 - q rounds to 1"):
        ModelConfig(quantile_levels=levels)


def test_a_config_without_heads_reads_and_writes_as_before():
    assert "quantile_levels" not in ModelConfig().to_dict()
    assert ModelConfig.from_dict(HEADS.to_dict()) == HEADS
    assert HEADS.without_heads() == ModelConfig(max_len=16, hidden_size=8, head_size=8)


@torch.no_grad()
def test_quantiles_increase_and_their_median_is_the_point_prediction():
    model = _model()
    x = _walks()
    out = model.forward_all(x)
    assert (out.quantiles.diff(dim=1) >= 0).all()
    torch.testing.assert_close(out.quantiles[:, LEVELS.index(0.5)], out.z_hat, rtol=0, atol=0)


@torch.no_grad()
def test_an_arithmetic_progression_gets_a_zero_width_interval():
    outputs = _model().outputs(torch.tensor([[3.0, 5, 7, 9, 11]], dtype=torch.float64))
    assert outputs["quantiles"].tolist() == [[13.0] * len(LEVELS)]


@torch.no_grad()
@pytest.mark.parametrize("a", [2.5, -0.3])
def test_quantiles_follow_an_affine_map_and_patterns_ignore_it(a):
    model, x, b = _model(), _walks(), 7.0
    base, mapped = model.outputs(x), model.outputs(a * x + b)
    expected = a * base["quantiles"] + b
    if a < 0:  # a mirrored series has mirrored quantiles: level tau of a*y is a times level 1 - tau of y
        expected = expected.flip(1)
    step = x.diff(dim=1).abs().mean(dim=1, keepdim=True)
    assert ((mapped["quantiles"] - expected).abs() <= 1e-4 * abs(a) * step).all()
    torch.testing.assert_close(mapped["pattern"], base["pattern"], rtol=0, atol=1e-5)


def test_heads_only_training_keeps_the_backbone_bit_for_bit(tmp_path):
    from numseries.config import TrainConfig
    from numseries.train import run_training

    base = LSTMWithAttention(HEADS.without_heads())
    save_pretrained(base, tmp_path / "base")
    schedule = TrainConfig(batch_size=16, batches_per_epoch=3, val_samples=48, max_epochs=2, heads_only=True)
    trained = run_training(
        tmp_path / "out", config=schedule, model_config=HEADS, run_dir=tmp_path / "run",
        init_weights=tmp_path / "base", progress_bar=False,
    )  # fmt: skip
    before, after = base.state_dict(), trained.state_dict()
    assert all(torch.equal(before[name], after[name]) for name in before)
    fresh = LSTMWithAttention(HEADS).state_dict()
    assert any(not torch.equal(fresh[name], after[name]) for name in after if name.startswith("quantile_head"))
    assert json.loads((tmp_path / "out" / CONFIG_FILE).read_text())["pattern_names"] == list(NAMES)
    info = json.loads((tmp_path / "out" / "training_info.json").read_text())
    assert info["data"]["families"] == list(NAMES)


def test_families_the_pattern_head_does_not_name_train_the_other_heads_only(tmp_path):
    from numseries.config import TrainConfig
    from numseries.data import batch_tensors
    from numseries.generate import generate_batch
    from numseries.train import SequenceModule, run_training

    batch = generate_batch(200, max_len=16, families=["linear", "noisy", "random_walk"], seed=0)
    labels = batch_tensors(batch, NAMES)[3].numpy()  # (B,) index into NAMES, -1 outside them
    names = np.array(batch.family_names)[batch.family_ids]
    assert (labels == -1).sum() == (names == "noisy").sum() > 0
    assert all(NAMES[k] == name for k, name in zip(labels, names, strict=True) if k >= 0)
    # The pattern loss reads only the named series; a batch with none of them adds nothing.
    module = SequenceModule(_model())
    x, y, mask, ids = batch_tensors(batch, NAMES)
    named = ids >= 0
    alone = module._losses((x[named], y[named], mask[named], ids[named]))["pattern"]
    torch.testing.assert_close(module._losses((x, y, mask, ids))["pattern"], alone)
    assert module._losses((x[~named], y[~named], mask[~named], ids[~named]))["pattern"] == 0

    save_pretrained(LSTMWithAttention(HEADS.without_heads()), tmp_path / "base")
    schedule = TrainConfig(batch_size=16, batches_per_epoch=3, val_samples=48, max_epochs=1, heads_only=True,
                           families=("linear", "noisy", "random_walk"))  # fmt: skip
    run_training(tmp_path / "out", config=schedule, model_config=HEADS, run_dir=tmp_path / "run",
                 init_weights=tmp_path / "base", progress_bar=False)  # fmt: skip
    info = json.loads((tmp_path / "out" / "training_info.json").read_text())
    assert info["data"]["families"] == ["linear", "noisy", "random_walk"]
    disjoint = TrainConfig(batch_size=16, batches_per_epoch=3, val_samples=48, max_epochs=1, heads_only=True,
                           families=("noisy", "ar"))  # fmt: skip
    with pytest.raises(ValueError, match="hold none of --pattern-names"):
        run_training(tmp_path / "out2", config=disjoint, model_config=HEADS, run_dir=tmp_path / "run2",
                     init_weights=tmp_path / "base", progress_bar=False)  # fmt: skip


def test_detached_heads_give_the_same_outputs_and_leave_the_backbone_to_the_point_loss():
    from numseries.config import TrainConfig
    from numseries.train import SequenceModule, pinball

    model = _model()
    x, mask = _walks(), torch.ones(40, 12, dtype=torch.bool)
    y = x[:, -1] + torch.randn(40, dtype=torch.float64)
    for detach in (False, True):
        out = model.forward_all(x, mask, detach_heads=detach)
        reference = model.forward_all(x, mask)
        torch.testing.assert_close(out.quantiles, reference.quantiles, rtol=0, atol=0)
        model.zero_grad()
        levels = torch.tensor(LEVELS, dtype=torch.float32)
        (pinball(out.quantiles, levels, y, out.last, out.scale) + out.pattern_logits.sum()).backward()
        lstm_moved = any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.lstm.parameters())
        head_moved = model.quantile_head[0].weight.grad.abs().sum() > 0
        assert head_moved and lstm_moved == (not detach)
    module = SequenceModule(model, detach_heads=TrainConfig(detach_heads=True).detach_heads)
    assert module.detach_heads


def test_fine_tuning_can_drop_a_head_and_keeps_the_rest(tmp_path):
    from numseries.train import _load_init_weights

    save_pretrained(_model(), tmp_path / "base")
    quantiles_only = ModelConfig(max_len=16, hidden_size=8, head_size=8, quantile_levels=LEVELS)
    model = _load_init_weights(tmp_path / "base", quantiles_only)
    assert not hasattr(model, "pattern_head")
    before = _model().state_dict()
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())


def test_heads_only_needs_weights_to_start_from(tmp_path):
    from numseries.config import TrainConfig
    from numseries.train import run_training

    with pytest.raises(ValueError, match="--init-weights"):
        run_training(tmp_path / "out", config=TrainConfig(heads_only=True), model_config=HEADS, run_dir=tmp_path / "run")


def test_onnx_and_torch_serve_the_same_intervals_and_patterns(heads_folder):
    onnx = Predictor.from_pretrained(heads_folder)
    torch_path = Predictor.from_pretrained(heads_folder, runtime="torch")
    assert onnx.runtime == "onnxruntime" and onnx.quantile_levels == LEVELS and onnx.pattern_names == NAMES
    sequences = [np.cumsum(np.random.default_rng(i).normal(size=n)) for i, n in enumerate(range(3, 30))]
    a, b = onnx.predict_batch(sequences, level=[80]), torch_path.predict_batch(sequences, level=[80])
    np.testing.assert_allclose(a.quantiles, b.quantiles, rtol=1e-5, atol=1e-6)
    assert a.patterns == b.patterns


def test_prediction_intervals_read_the_quantiles(heads_folder):
    result = Predictor.from_pretrained(heads_folder).predict([1.0, 3, 2, 5, 4, 6], level=[80, 90])
    lo, hi = result.interval(80)
    assert (lo, hi) == (result.quantiles[LEVELS.index(0.1)], result.quantiles[LEVELS.index(0.9)])
    assert set(result.intervals) == {80.0, 90.0}
    assert result.interval(90)[0] <= lo <= result.value <= hi <= result.interval(90)[1]
    assert isinstance(result.pattern, str) and result.pattern


@pytest.mark.parametrize(("level", "message"), [(100, r"\(0, 100\)"), ("80", "number"), (99, "up to 90")])
def test_a_bad_level_is_one_clear_error(heads_folder, level, message):
    with pytest.raises(ValueError, match=message):
        Predictor.from_pretrained(heads_folder).predict([1.0, 2, 4], level=level)


def test_asking_a_model_without_a_quantile_head_for_intervals_says_so(tiny_onnx):
    with pytest.raises(ValueError, match="no quantile head"):
        Predictor.from_pretrained(tiny_onnx).predict([1.0, 2, 4], level=80)


def test_a_calibration_beside_the_weights_is_applied(heads_folder, tmp_path):
    import shutil

    folder = tmp_path / "calibrated"
    shutil.copytree(heads_folder, folder)
    factors = np.full((len(LENGTH_BUCKETS), len(LEVELS) // 2), 0.5)  # every interval twice as wide
    (folder / CALIBRATION_FILE).write_text(json.dumps(Calibration(LEVELS, factors, 1).to_dict()))
    sequence = np.array([1.0, 3, 2, 5, 4, 6]) * np.pi  # no decimal step: no widening for the recording
    raw = Predictor.from_pretrained(heads_folder).predict(sequence).interval(50)
    wide = Predictor.from_pretrained(folder).predict(sequence).interval(50)
    assert wide[1] - wide[0] == pytest.approx(2 * (raw[1] - raw[0]))
    # Whole numbers: both intervals are the calibrated ones rounded to whole numbers (as recorded).
    for folder_used in (heads_folder, folder):
        lo, hi = Predictor.from_pretrained(folder_used).predict([1.0, 3, 2, 5, 4, 6]).interval(50)
        assert lo == round(lo) and hi == round(hi)


def test_the_calibrate_command_writes_one_step_and_horizon_factors_that_forecasts_use(heads_folder, tmp_path):
    import shutil

    from numseries.cli import main
    from numseries.intervals import HORIZONS, SPREAD_EDGES

    folder = tmp_path / "weights"
    shutil.copytree(heads_folder, folder)
    (folder / CALIBRATION_FILE).write_text("{}")  # an unreadable calibration stops predictions, not its remaking
    with pytest.raises(ValueError, match="re-run the calibration"):
        Predictor.from_pretrained(folder)
    assert main(["calibrate", "--weights", str(folder), "--cases", "2000", "--horizon-cases", "1000"]) == 0
    calibration = Calibration.load(folder / CALIBRATION_FILE)
    assert calibration.horizons is not None and calibration.horizon_cases == 1000
    assert calibration.horizons.shape == (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, len(LEVELS) // 2)
    assert (calibration.horizons >= 1).all() and (calibration.horizons > 1).any()  # measured, not the default
    names = Predictor.from_pretrained(folder).pattern_names  # the pattern head's: this model has no classifier
    assert names and calibration.families == tuple(names) and calibration.family_factors is not None
    assert calibration.family_factors.shape == (len(names), len(LENGTH_BUCKETS), HORIZONS - 1, len(LEVELS) // 2)
    assert (calibration.family_factors >= 1).all()
    assert calibration.family_one_step is not None  # one-step factors per named family, never below the pooled
    assert calibration.family_one_step.shape == (len(names), len(LENGTH_BUCKETS), len(LEVELS) // 2)
    assert (calibration.family_one_step >= calibration.factors[None]).all()
    assert calibration.path_families == tuple(training_families())  # no training_info.json: the training mixture
    noisy = [1.0, 3, 2, 2, 5, 4, 7, 6]  # (1 3 2 5 4 6 5 8 is two cycles of 4, the second 3 higher: repeated)
    calibrated = Predictor.from_pretrained(folder).forecast(noisy, 4, level=[80])
    raw = Predictor.from_pretrained(heads_folder).forecast(noisy, 4, level=[80])
    assert not np.array_equal(calibrated.interval(80)[1], raw.interval(80)[1])
    assert main(["calibrate", "--weights", str(folder), "--horizon-cases", "5"]) == 2  # one line, exit 2
    assert main(["calibrate", "--weights", str(folder), "--path-families", "nope"]) == 2


def test_calibrate_says_it_cannot_write_its_file_before_the_work_not_after_it(heads_folder, tmp_path, capsys, monkeypatch):
    """Adversarial round 52: a folder it could not write in (weights root installed) was found after minutes of
    generating and predicting, with a traceback."""
    import shutil

    import numseries.predict
    from numseries.cli import main

    folder = tmp_path / "weights"
    shutil.copytree(heads_folder, folder)
    (folder / CALIBRATION_FILE).mkdir()  # a folder where the file goes: no file can be written there
    monkeypatch.setattr(numseries.predict.Predictor, "from_pretrained", None)  # (nothing is loaded before the check)
    assert main(["calibrate", "--weights", str(folder), "--cases", "2000", "--horizon-cases", "1000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot write the calibration to {folder / CALIBRATION_FILE}" in err, err


def test_calibrate_draws_its_paths_from_the_families_the_heads_learnt_unless_told(heads_folder, tmp_path):
    import shutil

    from numseries.cli import main
    from numseries.commands.calibrate import learnt_families
    from numseries.weights import INFO_FILE

    record = tmp_path / "record"
    record.mkdir()
    assert learnt_families(record) is None  # nothing recorded: the generator's training mixture
    head_run = {"data": {"families": ["logistic", "linear"]}, "train_config": {"heads_only": True}}
    earlier = {"training_info": {"data": {"families": ["ar"]}}}
    (record / INFO_FILE).write_text(json.dumps(head_run | {"init_weights": earlier}))
    assert learnt_families(record) == ["linear", "ar", "logistic"]  # every run's, in registry order
    folder = tmp_path / "weights"
    shutil.copytree(heads_folder, folder)
    small = ["--cases", "1000", "--horizon-cases", "1000"]
    assert main(["calibrate", "--weights", str(folder), *small, "--path-families", "random_walk", "sinusoidal"]) == 0
    assert Calibration.load(folder / CALIBRATION_FILE).path_families == ("random_walk", "sinusoidal")


def test_forecast_bands_follow_the_path_or_sample_paths_and_continue_a_rule_exactly(heads_folder):
    predictor = Predictor.from_pretrained(heads_folder)
    noisy = [1.0, 3, 2, 5, 4, 6, 5, 8]
    forecast = predictor.forecast(noisy, 5, level=[80, 90])  # bands from the point path: no sampling
    np.testing.assert_array_equal(forecast.values, predictor.forecast(noisy, 5))
    lo, hi = forecast.interval(80)
    assert lo.shape == hi.shape == (5,) and (lo <= forecast.values).all() and (forecast.values <= hi).all()
    assert (lo[0], hi[0]) == predictor.predict(noisy).interval(80)  # step 1: the model's own interval
    assert (forecast.interval(90)[0] <= lo).all() and (hi <= forecast.interval(90)[1]).all()
    sampled = predictor.forecast(noisy, 5, level=[80], paths=100, seed=1)
    np.testing.assert_array_equal(sampled.values, forecast.values)
    assert (sampled.interval(80)[0][0], sampled.interval(80)[1][0]) == (lo[0], hi[0])
    again = predictor.forecast(noisy, 5, level=[80], paths=100, seed=1)
    np.testing.assert_array_equal(again.interval(80)[1], sampled.interval(80)[1])  # seeded
    with pytest.raises(ValueError, match="paths must be None or an integer"):
        predictor.forecast(noisy, 5, level=[80], paths=5)
    line = predictor.forecast([2.0, 4, 6, 8], 3, level=[80])
    assert line.values.tolist() == line.interval(80)[0].tolist() == line.interval(80)[1].tolist() == [10, 12, 14]
    with pytest.raises(ValueError, match="level=\\[80, 90\\]"):
        forecast.interval(95)


def test_a_series_recorded_to_three_decimals_gets_intervals_and_bands_rounded_to_three_decimals(heads_folder):
    predictor = Predictor.from_pretrained(heads_folder)
    recorded = [4.299, 4.25, 4.193, 4.125, 4.042, 3.942]  # three decimals: the next value has three too
    unrecorded = np.array(recorded) + 1e-9  # the same numbers to the model, but no decimal step
    lo, hi = predictor.predict(recorded, level=80).interval(80)
    raw_lo, raw_hi = predictor.predict(unrecorded, level=80).interval(80)
    value = predictor.predict(recorded).value
    assert (lo, hi) == (min(round(raw_lo, 3), value), max(round(raw_hi, 3), value))
    batch = predictor.predict_batch([recorded, unrecorded], level=80).interval(80)
    assert (batch[0][0], batch[1][0]) == (lo, hi)
    for paths in (None, 50):
        forecast = predictor.forecast(recorded, 3, level=[80], paths=paths, seed=0)
        raw = predictor.forecast(unrecorded, 3, level=[80], paths=paths, seed=0)
        assert (forecast.interval(80)[0][0], forecast.interval(80)[1][0]) == (lo, hi)  # step 1: predict's
        for bound, raw_bound in zip(forecast.interval(80), raw.interval(80), strict=True):
            np.testing.assert_allclose(bound, np.round(bound, 3), rtol=0, atol=1e-12)
            assert np.abs(bound - raw_bound).max() <= 0.0005 + 1e-9


def test_a_batch_forecast_matches_one_forecast_per_series(heads_folder):
    predictor = Predictor.from_pretrained(heads_folder)
    sequences = [[1.0, 3, 2, 5, 4], [0.0, 1, 0, 1, 0, 1, 0], [5.0, 4, 4, 2]]
    batch = predictor.forecast_batch(sequences, 4)
    for row, sequence in zip(batch.values, sequences, strict=True):
        np.testing.assert_allclose(row, predictor.forecast(sequence, 4), rtol=1e-12)
