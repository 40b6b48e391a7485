"""Training for real at toy size: the loss falls, early stopping, best weights, resuming, saved weights."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
import torch

from conftest import TINY
from numseries.config import TrainConfig
from numseries.data import StreamingDataset, make_loader
from numseries.generate import generate_batch
from numseries.model import LSTMWithAttention
from numseries.train import (
    CHECKPOINT_DIR,
    SequenceModule,
    TrainerOptions,
    fit,
    run_training,
    scaled_l1,
    train_model,
)
from numseries.weights import CONFIG_FILE, INFO_FILE, MANIFEST_FILE, WEIGHTS_FILE, load_model

pytestmark = pytest.mark.slow

FAMILIES = ("linear", "sinusoidal")
QUIET = {"progress_bar": False}


def _toy_config(**changes) -> TrainConfig:
    values = dict(batch_size=32, batches_per_epoch=8, val_samples=256, max_epochs=3, seed=0, families=FAMILIES)
    return TrainConfig(**{**values, **changes})


def _val_loader():
    return make_loader(generate_batch(256, max_len=16, families=FAMILIES, seed=99), batch_size=256)


@torch.no_grad()
def _val_loss(model: LSTMWithAttention, loader) -> float:
    ((x, y, mask),) = list(loader)  # one batch
    z_hat, _, last, scale = model.eval().forward_normalised(x, mask)
    return float(scaled_l1(z_hat, y, last, scale))


def _logged_val_losses(run_dir: Path, version: int = 0) -> dict[int, float]:
    with open(run_dir / "logs" / f"version_{version}" / "metrics.csv") as f:
        return {int(row["epoch"]): float(row["val_loss"]) for row in csv.DictReader(f) if row["val_loss"]}


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_toy_training_lowers_the_loss_and_restores_the_best_weights(tmp_path, monkeypatch):
    original = SequenceModule.on_train_epoch_start

    def spoil_the_last_epoch(self):
        original(self)
        if self.current_epoch == 3:  # so that the best epoch is not the last one
            with torch.no_grad():
                for parameter in self.model.parameters():
                    parameter.add_(torch.randn_like(parameter))

    monkeypatch.setattr(SequenceModule, "on_train_epoch_start", spoil_the_last_epoch)
    torch.manual_seed(0)
    model = LSTMWithAttention(TINY)
    val = _val_loader()
    before = _val_loss(model, val)
    train = torch.utils.data.DataLoader(StreamingDataset(32, 8, max_len=16, families=FAMILIES), batch_size=None)
    schedule = TrainConfig(max_epochs=4, lr=5e-3, grad_clip=0.5)
    result = fit(model, train, val, schedule, TrainerOptions(out_dir=tmp_path, **QUIET))
    trained, trainer = result.model, result.trainer
    after = _val_loss(trained, val)
    assert after < 0.8 * before, (before, after)
    logged = _logged_val_losses(tmp_path)
    assert len(logged) == 4 and logged[3] > min(logged.values())
    assert after == pytest.approx(min(logged.values()), rel=1e-5)  # the best epoch's weights, not the last's
    assert result.best_val_loss == pytest.approx(min(logged.values())) and not result.stopped_early
    assert 0 < result.seconds < 600  # Lightning's Timer measured the run
    assert trainer.gradient_clip_val == 0.5
    assert {p.name for p in (tmp_path / CHECKPOINT_DIR).iterdir()} == {"best.ckpt", "last.ckpt"}
    assert not trained.training and next(trained.parameters()).device.type == "cpu"


@pytest.mark.parametrize("ema_decay", [0.9, 0.0])
def test_the_weights_kept_are_the_moving_average_unless_it_is_off(tmp_path, ema_decay):
    torch.manual_seed(0)
    train = torch.utils.data.DataLoader(StreamingDataset(32, 8, max_len=16, families=FAMILIES), batch_size=None)
    schedule = TrainConfig(max_epochs=2, lr=5e-3, ema_decay=ema_decay)
    trained = fit(LSTMWithAttention(TINY), train, _val_loader(), schedule, TrainerOptions(out_dir=tmp_path, **QUIET)).model
    best = torch.load(tmp_path / CHECKPOINT_DIR / "best.ckpt", map_location="cpu", weights_only=True)
    kept = {key.removeprefix("model."): value for key, value in best["state_dict"].items()}
    assert all(torch.equal(value, trained.state_dict()[key]) for key, value in kept.items())
    if ema_decay:
        raw = {key.removeprefix("model."): value for key, value in best["current_model_state"].items()}
        assert any(not torch.equal(value, raw[key]) for key, value in kept.items())  # an average, not the last step
    else:
        assert "current_model_state" not in best


def test_training_stops_early_on_a_plateau_and_logs_to_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    config = _toy_config(batches_per_epoch=2, val_samples=64, max_epochs=20, patience=2, lr=1e-12)
    run_training(tmp_path / "out", config=config, model_config=TINY, run_dir=tmp_path / "run", logger="tensorboard", **QUIET)
    info = json.loads((tmp_path / "out" / INFO_FILE).read_text())
    assert info["stopped_early"] is True
    assert info["epochs"] == 3  # epoch 0 sets the best; 1 and 2 do not beat it by min_delta
    assert list((tmp_path / "run" / "tensorboard").rglob("events.out.tfevents.*"))
    assert (tmp_path / "run" / "logs" / "version_0" / "metrics.csv").is_file()


def test_run_training_writes_a_weights_folder_that_reloads_to_identical_predictions(tmp_path):
    model = run_training(tmp_path / "out", config=_toy_config(max_epochs=1), model_config=TINY, run_dir=tmp_path / "run", command=["numseries", "train"], **QUIET)
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {CONFIG_FILE, WEIGHTS_FILE, INFO_FILE, MANIFEST_FILE}
    batch = generate_batch(64, max_len=16, seed=5)
    x, mask = torch.from_numpy(batch.data), torch.from_numpy(batch.masks)
    with torch.no_grad():
        expected = model(x, mask)
        for reloaded in (load_model(out), _via_state_dict_pt(model, tmp_path)):
            for left, right in zip(reloaded(x, mask), expected, strict=True):
                torch.testing.assert_close(left, right, rtol=0, atol=0)

    info = json.loads((out / INFO_FILE).read_text())
    assert info["command"] == "numseries train"
    assert info["world_size"] == 1 and info["epochs"] == 1 and info["stopped_early"] is False
    assert info["duration_seconds"] >= 0 and "CPU" in info["hardware"]
    assert info["model_config"] == TINY.to_dict() and info["train_config"]["families"] == list(FAMILIES)
    assert info["data"]["samples_seen"] == 8 * 32
    assert info["best_val_loss"] == pytest.approx(min(_logged_val_losses(tmp_path / "run").values()))
    assert {"torch", "lightning", "numseries"} <= set(info["versions"])


def _via_state_dict_pt(model: LSTMWithAttention, tmp_path: Path) -> LSTMWithAttention:
    """The seed's path: torch.save(state_dict) to .pt, then torch.load(weights_only=True)."""
    path = tmp_path / "lstm_with_attention_best.pt"
    torch.save(model.state_dict(), path)
    restored = LSTMWithAttention(TINY)
    restored.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return restored.eval()


def test_an_interrupted_run_resumes_to_the_weights_of_an_uninterrupted_one(tmp_path, monkeypatch):
    uninterrupted = run_training(tmp_path / "full", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "full_run", **QUIET)

    original = SequenceModule.on_train_epoch_start

    def crash_in_epoch_two(self):
        original(self)
        if self.current_epoch == 2:
            raise RuntimeError("simulated crash")

    monkeypatch.setattr(SequenceModule, "on_train_epoch_start", crash_in_epoch_two)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_training(tmp_path / "out", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "run", **QUIET)
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(SequenceModule, "on_train_epoch_start", original)

    resumed = run_training(tmp_path / "out", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "run", resume=True, **QUIET)
    assert _logged_val_losses(tmp_path / "run", version=1).keys() == {2}  # only the epoch left to run
    assert json.loads((tmp_path / "out" / INFO_FILE).read_text())["epochs"] == 3
    assert _same_weights(resumed, uninterrupted)


def test_init_weights_fine_tunes_saved_weights_and_records_where_they_came_from(tmp_path):
    base = run_training(tmp_path / "base", config=_toy_config(max_epochs=1), model_config=TINY, run_dir=tmp_path / "base_run", **QUIET)
    still = _toy_config(max_epochs=1, lr=1e-9, seed=5)  # a step too small to move the weights
    tuned = run_training(
        tmp_path / "tuned", config=still, model_config=TINY, run_dir=tmp_path / "tuned_run", init_weights=tmp_path / "base", **QUIET
    )
    fresh = run_training(tmp_path / "fresh", config=still, model_config=TINY, run_dir=tmp_path / "fresh_run", **QUIET)
    for a, b, c in zip(base.state_dict().values(), tuned.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.allclose(a, b, atol=1e-6)
        assert not torch.allclose(a, c, atol=1e-6)
    info = json.loads((tmp_path / "tuned" / INFO_FILE).read_text())
    base_info = json.loads((tmp_path / "base" / INFO_FILE).read_text())
    assert info["init_weights"] == {"path": str(tmp_path / "base"), "training_info": base_info}
    assert json.loads((tmp_path / "fresh" / INFO_FILE).read_text())["init_weights"] is None


def test_init_weights_of_another_architecture_is_refused_before_training(tmp_path):
    run_training(tmp_path / "base", config=_toy_config(max_epochs=1), model_config=TINY, run_dir=tmp_path / "base_run", **QUIET)
    wider = dataclasses.replace(TINY, hidden_size=32)
    with pytest.raises(ValueError, match=r"has another architecture: hidden_size 16 \(this run's 32\); give its values: --hidden-size 16$"):
        run_training(tmp_path / "out", config=_toy_config(), model_config=wider, run_dir=tmp_path / "run", init_weights=tmp_path / "base")
    assert not (tmp_path / "run").exists()


def test_a_fine_tuning_run_resumes_from_its_checkpoint_and_keeps_its_origin(tmp_path):
    run_training(tmp_path / "base", config=_toy_config(max_epochs=1), model_config=TINY, run_dir=tmp_path / "base_run", **QUIET)
    options = dict(model_config=TINY, run_dir=tmp_path / "run", init_weights=tmp_path / "base", **QUIET)
    first = run_training(tmp_path / "out", config=_toy_config(max_epochs=1), **options)
    resumed = run_training(tmp_path / "out", config=_toy_config(max_epochs=2), resume=True, **options)
    assert _logged_val_losses(tmp_path / "run", version=1).keys() == {1}  # continued at epoch 1
    assert not _same_weights(first, resumed)
    info = json.loads((tmp_path / "out" / INFO_FILE).read_text())
    assert info["epochs"] == 2 and info["init_weights"]["path"] == str(tmp_path / "base")


def test_a_model_in_eval_mode_still_trains_in_training_mode(tmp_path, monkeypatch):
    """A model from load_model() is in eval mode; fine-tuning it must not silently skip dropout."""
    modes = []
    original = SequenceModule.training_step
    monkeypatch.setattr(SequenceModule, "training_step", lambda self, *a: modes.append(self.model.training) or original(self, *a))
    model = LSTMWithAttention(dataclasses.replace(TINY, num_layers=2, dropout=0.5)).eval()
    loader = _val_loader()
    trained = train_model(model, loader, loader, out_dir=tmp_path, max_epochs=1, **QUIET)
    assert modes == [True] and not trained.training


def test_the_same_seed_trains_the_same_weights(tmp_path):
    config = _toy_config(batches_per_epoch=2, val_samples=64, max_epochs=1)
    a = run_training(tmp_path / "a", config=config, model_config=TINY, run_dir=tmp_path / "run_a", **QUIET)
    b = run_training(tmp_path / "b", config=config, model_config=TINY, run_dir=tmp_path / "run_b", **QUIET)
    assert _same_weights(a, b)


# --------------------------------------------------------------------------------------------------
# Bad input: a clear error naming the value and the fix, before any training starts
# --------------------------------------------------------------------------------------------------


def test_resume_without_a_checkpoint_says_to_train_first(tmp_path):
    with pytest.raises(ValueError, match=r"cannot resume: .*last.ckpt does not exist; train without --resume first"):
        run_training(tmp_path / "out", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "run", resume=True)


def test_an_existing_run_is_not_overwritten(tmp_path):
    (tmp_path / "run" / CHECKPOINT_DIR).mkdir(parents=True)
    (tmp_path / "run" / CHECKPOINT_DIR / "last.ckpt").write_bytes(b"")
    with pytest.raises(ValueError, match="already holds a training run; pass --resume to continue it, or another run directory"):
        run_training(tmp_path / "out", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "run")


def test_a_corrupt_checkpoint_on_resume_is_named(tmp_path):
    (tmp_path / "run" / CHECKPOINT_DIR).mkdir(parents=True)
    (tmp_path / "run" / CHECKPOINT_DIR / "last.ckpt").write_bytes(b"\x00 not a checkpoint")
    with pytest.raises(ValueError, match=r"cannot resume: .*last.ckpt is not a readable checkpoint \(.*\); delete the run directory and train again"):
        run_training(tmp_path / "out", config=_toy_config(), model_config=TINY, run_dir=tmp_path / "run", resume=True, **QUIET)


def test_a_training_loader_without_batches_is_an_error_not_a_missing_checkpoint(tmp_path):
    empty = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(0, 16), torch.zeros(0), torch.zeros(0, 16, dtype=torch.bool)))
    with pytest.raises(ValueError, match="training stopped after 0 steps, before its first validation, so no weights were kept; give it a training loader that yields batches"):
        train_model(LSTMWithAttention(TINY), empty, _val_loader(), out_dir=tmp_path, **QUIET)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # adversarial round 10: (B, 1) labels broadcast against (B,) and trained a far worse model, no word said
        (lambda x, y, m: (x, y[:, None], m), r"got y of shape \(8, 1\) for x of shape \(8, 16\): pass labels as a 1-D tensor"),
        (lambda x, y, _m: (x, y), r"got 2 items: yield \(x, y, mask\) from the loader"),
        (lambda x, y, m: (x, y, m.float()), r"got mask of shape \(8, 16\) and dtype torch.float32: True on each row's values"),
        (lambda x, y, m: (x[..., None], y, m), r"got x of shape \(8, 16, 1\) and dtype torch.float32: one row of values"),
    ],
)
def test_batches_of_the_wrong_shape_are_named_not_trained_on(tmp_path, change, message):
    x, y, mask = torch.randn(8, 16), torch.randn(8), torch.ones(8, 16, dtype=torch.bool)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*change(x, y, mask)), batch_size=8)
    with pytest.raises(ValueError, match=r"batches must be \(x \(B, T\) float, y \(B,\) float, mask \(B, T\) bool.*" + message):
        train_model(LSTMWithAttention(TINY), loader, _val_loader(), out_dir=tmp_path, max_epochs=1, **QUIET)


def test_hardware_options_lightning_refuses_are_named(tmp_path):
    loader = _val_loader()
    with pytest.raises(ValueError, match=r"Lightning cannot run accelerator='cpu', devices='abc', num_nodes=1, strategy='auto': .*; check these options"):
        train_model(LSTMWithAttention(TINY), loader, loader, out_dir=tmp_path, devices="abc")


def test_train_model_checks_its_schedule_like_the_cli(tmp_path):
    loader = _val_loader()
    with pytest.raises(ValueError, match="max_minutes must be > 0, got 0; leave it out for no time limit"):
        train_model(LSTMWithAttention(TINY), loader, loader, out_dir=tmp_path, max_minutes=0)
    assert not (tmp_path / "checkpoints").exists()


def test_unknown_logger_is_refused(tmp_path):
    loader = _val_loader()
    with pytest.raises(ValueError, match="logger must be 'csv' or 'tensorboard', got 'wandb'"):
        train_model(LSTMWithAttention(TINY), loader, loader, out_dir=tmp_path, logger="wandb")


def test_unknown_families_are_refused_before_training(tmp_path):
    config = _toy_config(families=("linear", "fibonacci"))  # checked where the data is made, not in the config
    with pytest.raises(ValueError, match="unknown family 'fibonacci'; known families: linear"):
        run_training(tmp_path / "out", config=config, model_config=TINY, run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_train_model_refuses_an_unknown_option(tmp_path):
    loader = _val_loader()
    with pytest.raises(TypeError, match="epochs"):
        train_model(LSTMWithAttention(TINY), loader, loader, out_dir=tmp_path, epochs=3)


def test_min_len_longer_than_the_model_reads_is_refused(tmp_path):
    with pytest.raises(ValueError, match="got min_len=32, max_len=16; pass e.g."):
        run_training(tmp_path / "out", config=_toy_config(min_len=32), model_config=TINY, run_dir=tmp_path / "run")


def test_training_into_a_folder_with_an_old_export_never_predicts_with_it(tiny_onnx, tmp_path):
    """Issue 18's fault: train, export, train again into the same folder; predict must use the new weights."""
    import shutil

    from numseries.predict import Predictor
    from numseries.weights import ONNX_FILE

    out = tmp_path / "weights"
    shutil.copytree(tiny_onnx, out)  # an export of other weights of the same architecture
    old = Predictor.from_pretrained(out).predict([1.0, 3.0, 2.0, 5.0]).value
    model = run_training(out, config=_toy_config(max_epochs=1), model_config=TINY, run_dir=tmp_path / "run", **QUIET)
    assert not (out / ONNX_FILE).exists()
    predictor = Predictor.from_pretrained(out)
    assert predictor.runtime == "torch"
    assert predictor.predict([1.0, 3.0, 2.0, 5.0]).value == Predictor.from_model(model).predict([1.0, 3.0, 2.0, 5.0]).value != old


def test_a_diverging_loss_stops_training_with_a_clear_error(tmp_path, monkeypatch):
    """Issue 18 item 10: a non-finite loss used to train on and save NaN weights with exit 0."""
    import numseries.train

    monkeypatch.setattr(numseries.train, "scaled_l1", lambda *_: torch.tensor(float("inf"), requires_grad=True))
    schedule = TrainConfig(batch_size=8, batches_per_epoch=2, val_samples=16, max_epochs=1)
    with pytest.raises(ValueError, match="training diverged: the loss is inf at step 0; train again with a lower --lr"):
        run_training(tmp_path / "out", config=schedule, model_config=TINY, run_dir=tmp_path / "run", progress_bar=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("signal_error", [KeyboardInterrupt, "sigterm"])
def test_a_training_stopped_by_a_signal_is_an_interruption_that_says_how_to_resume(tmp_path, signal_error):
    """Lightning ends a run stopped by Ctrl-C with sys.exit(1) and one stopped by SIGTERM with a SystemExit of
    code None: the command exited 1 or 0, silently. It is a KeyboardInterrupt (exit 130 in the CLI, 143 for SIGTERM)
    naming --resume."""
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    class Stopping(torch.utils.data.IterableDataset):
        def __iter__(self):
            yield from _val_loader()
            raise SIGTERMException() if signal_error == "sigterm" else KeyboardInterrupt

    loader = torch.utils.data.DataLoader(Stopping(), batch_size=None)
    with pytest.raises(KeyboardInterrupt, match=r"its checkpoints are in .*: continue it with numseries train --resume \(in Python: resume=True\)") as stopped:
        train_model(LSTMWithAttention(TINY), loader, _val_loader(), out_dir=tmp_path, **QUIET)
    assert stopped.value.exit_code == (143 if signal_error == "sigterm" else 130)  # 128 + the signal, as predict
