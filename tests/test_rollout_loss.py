"""The rollout loss (``numseries train --rollout-loss``): forecasts of several steps with the model's own
predictions fed back, scored at every step; and that training with it lowers the error of such forecasts."""

import pytest
import torch

from conftest import TINY, train_tiny
from conftest import tiny_batch as _batch
from numseries.config import TrainConfig
from numseries.model import LSTMWithAttention
from numseries.train import ROLLOUT_MIN_CONTEXT, SequenceModule, rollout_l1


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
