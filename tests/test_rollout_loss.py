"""The rollout loss (``numseries train --rollout-loss``): forecasts of several steps with the model's own
predictions fed back, scored at every step; and that training with it lowers the error of such forecasts."""

import dataclasses

import pytest
import torch

from conftest import TINY, train_tiny
from conftest import tiny_batch as _batch
from numseries.config import TrainConfig
from numseries.model import LSTMWithAttention
from numseries.train import ROLLOUT_MIN_CONTEXT, SequenceModule, check_rollout, rollout_l1, run_training


def test_the_loss_is_the_mean_scaled_error_of_forecasts_that_feed_each_prediction_back():
    torch.manual_seed(0)
    model = LSTMWithAttention(TINY).eval()
    x, _, mask = _batch(64)
    steps = 3
    loss = rollout_l1(model, x, mask, steps)

    errors = []
    for row, length in zip(x.double(), mask.sum(dim=1).tolist(), strict=True):
        if length < steps + ROLLOUT_MIN_CONTEXT:  # too short to forecast from: left out
            continue
        context = row[: length - steps]
        steps_of_context = (context[1:] - context[:-1]).abs().mean()
        scale = steps_of_context if steps_of_context > 0 else torch.tensor(1.0, dtype=torch.float64)
        for k in range(steps):  # one series at a time, its predictions appended
            prediction, _ = model(context[None])
            errors.append(((prediction[0] - row[length - steps + k]) / scale).abs().clamp(max=100.0).item())
            context = torch.cat([context, prediction])
    assert len(errors) > 20 * steps
    assert loss.item() == pytest.approx(sum(errors) / len(errors), rel=1e-4)


def test_the_loss_reaches_the_weights_through_every_step_and_training_lowers_it():
    torch.manual_seed(0)
    module = SequenceModule(LSTMWithAttention(TINY), rollout_loss=1.0, rollout_steps=4)
    held_out = _batch(256, seed=1)
    before = rollout_l1(module.model, held_out[0], held_out[2], 4).item()
    train_tiny(module, {"l1", "rollout"})
    with torch.no_grad():
        assert rollout_l1(module.model, held_out[0], held_out[2], 4).item() < 0.8 * before


def test_no_sequence_long_enough_gives_zero_and_the_options_are_checked():
    x, _, mask = _batch(16)
    short = mask & (torch.arange(mask.shape[1])[None, :] < 5)
    assert rollout_l1(LSTMWithAttention(TINY), x, short, 4).item() == 0.0
    with pytest.raises(ValueError, match="rollout_loss"):
        TrainConfig(rollout_loss=-1.0)
    with pytest.raises(ValueError, match="rollout_steps"):
        TrainConfig(rollout_steps=0)


def test_a_rollout_loss_no_sequence_is_long_enough_for_is_refused_before_training(tmp_path):
    """--max-len below --rollout-steps + ROLLOUT_MIN_CONTEXT trained with a rollout loss of 0 throughout, and
    training_info.json recorded it as used (adversarial round 5, section 3)."""
    config = TrainConfig(rollout_loss=1.0, rollout_steps=32, batch_size=32, batches_per_epoch=3, val_samples=200)
    model_config = dataclasses.replace(TINY, max_len=30)
    message = (
        "^--rollout-steps 32 needs sequences of at least 40 values, but --max-len is 30, so --rollout-loss would "
        "train nothing; raise --max-len to 40 or lower --rollout-steps to 22$"
    )
    with pytest.raises(ValueError, match=message):
        run_training(tmp_path / "out", config=config, model_config=model_config, run_dir=tmp_path / "run")
    assert not (tmp_path / "out").exists() and not (tmp_path / "run").exists()
    with pytest.raises(ValueError, match="at least 12 values, but --max-len is 8, .* raise --max-len to 12$"):
        check_rollout(TrainConfig(rollout_loss=1.0, rollout_steps=4), 8)  # no shorter --rollout-steps would do
    check_rollout(TrainConfig(rollout_loss=1.0, rollout_steps=4), 4 + ROLLOUT_MIN_CONTEXT)  # long enough
    check_rollout(TrainConfig(rollout_loss=0.0, rollout_steps=32), 30)  # no rollout loss: nothing to check
