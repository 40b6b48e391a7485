"""The LSTM with attention: shapes, attention over the valid steps, affine equivariance, long input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TINY
from numseries.config import ModelConfig
from numseries.generate import generate_batch
from numseries.model import LSTMWithAttention, keep_last, normalise
from numseries.series import keep_last as keep_last_numpy
from numseries.series import step_scale


def _model(config: ModelConfig | None = None, seed: int = 0) -> LSTMWithAttention:
    torch.manual_seed(seed)
    return LSTMWithAttention(config).eval()


@pytest.fixture(scope="module")
def model():
    """The shipped architecture, randomly initialised (seeded)."""
    return _model()


def _assert_close_in_steps(actual: torch.Tensor, expected: torch.Tensor, x: torch.Tensor, mask: torch.Tensor) -> None:
    """Equal up to float32 rounding inside the network: 1e-5 of each series' mean absolute step."""
    step = torch.from_numpy(step_scale(x.numpy(), mask.numpy()))
    error = (actual - expected).abs()
    assert (error <= 1e-5 * step).all(), (error / step).max()


def _batch(n: int = 32, max_len: int = 24, seed: int = 0):
    batch = generate_batch(n, max_len=max_len, seed=seed)
    return torch.from_numpy(batch.data), torch.from_numpy(batch.masks), batch


@torch.no_grad()
def test_default_model_is_the_shipped_architecture_and_returns_value_and_attention(model):
    assert model.config == ModelConfig()
    x, mask, _ = _batch(n=5, max_len=12)
    prediction, attention = model(x, mask)
    assert prediction.shape == (5,) and attention.shape == (5, 12)
    assert torch.isfinite(prediction).all()


@torch.no_grad()
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_prediction_keeps_the_input_dtype(model, dtype):
    x, mask, _ = _batch(n=4, max_len=8)
    prediction, _ = model(x.to(dtype), mask)
    assert prediction.dtype == dtype


@torch.no_grad()
def test_attention_is_zero_on_padding_and_sums_to_one(model):
    x, mask, _ = _batch(n=64, max_len=32, seed=1)
    _, attention = model(x, mask)
    assert (attention[~mask] == 0).all()
    assert (attention[mask] > 0).all()
    torch.testing.assert_close(attention.sum(dim=1), torch.ones(64), atol=1e-6, rtol=0)


@torch.no_grad()
def test_no_mask_means_every_step_is_valid(model):
    x = torch.randn(3, 10, dtype=torch.float64).cumsum(dim=1)
    unmasked = model(x)
    masked = model(x, torch.ones(3, 10, dtype=torch.bool))
    torch.testing.assert_close(unmasked, masked, rtol=0, atol=0)


@torch.no_grad()
def test_extra_padding_does_not_change_the_prediction(model):
    x, mask, _ = _batch(n=16, max_len=12, seed=2)
    wide_x = torch.nn.functional.pad(x, (0, 20))  # (16, 32), zeros after every series
    wide_mask = torch.nn.functional.pad(mask, (0, 20))
    prediction, attention = model(x, mask)
    wide_prediction, wide_attention = model(wide_x, wide_mask)
    _assert_close_in_steps(wide_prediction, prediction, x, mask)
    torch.testing.assert_close(wide_attention[:, :12], attention, rtol=1e-6, atol=1e-7)
    assert (wide_attention[:, 12:] == 0).all()


@torch.no_grad()
@settings(max_examples=30, deadline=None)
@given(
    log_scale=st.floats(min_value=-3, max_value=6),
    negative=st.booleans(),
    shift=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_prediction_is_affine_equivariant(model, log_scale, negative, shift, seed):
    """f(a*x + b) = a*f(x) + b for |a| in [1e-3, 1e6] of either sign and any b, up to float rounding."""
    a = (-1.0 if negative else 1.0) * 10.0**log_scale
    x, mask, batch = _batch(n=8, max_len=16, seed=seed)
    prediction, attention = model(x, mask)
    moved, moved_attention = model(torch.where(mask, a * x + shift, 0.0), mask)
    step = torch.from_numpy(step_scale(batch.data, batch.masks))
    magnitude = abs(a) * x.abs().amax(dim=1) + abs(shift)  # float64 rounding of a*x + b grows with it
    error = (moved - (a * prediction + shift)).abs()
    assert (error <= 1e-6 * abs(a) * step + 1e-13 * magnitude).all(), (error / (abs(a) * step)).max()
    torch.testing.assert_close(moved_attention, attention, rtol=1e-4, atol=1e-5)


@torch.no_grad()
@pytest.mark.parametrize("value", [0.0, 7.25, -3.5, 1e-3, -2.5e6])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_constant_sequence_predicts_the_constant(model, value, dtype):
    lengths = torch.tensor([2, 5, 17, 24])
    mask = torch.arange(24)[None, :] < lengths[:, None]  # (4, 24)
    x = torch.where(mask, torch.tensor(value, dtype=dtype), torch.tensor(0.0, dtype=dtype))
    prediction, attention = model(x, mask)
    assert (prediction == torch.tensor(value, dtype=dtype)).all(), prediction
    torch.testing.assert_close(attention.sum(dim=1), torch.ones(4), atol=1e-6, rtol=0)


@torch.no_grad()
def test_constant_sequence_predicts_the_constant_beside_other_series(model):
    x, mask, _ = _batch(n=8, max_len=10, seed=3)
    x[3] = torch.where(mask[3], 42.0, 0.0)
    prediction, _ = model(x, mask)
    assert prediction[3] == 42.0


@torch.no_grad()
@pytest.mark.parametrize(
    ("start", "step"), [(2.0, 2.0), (0.1, 0.1), (-7.0, -0.25), (1e6, 1e-3), (3.0, 1e5)]
)
def test_arithmetic_progression_continues_exactly_even_untrained(start, step):
    """The network only corrects the straight line, and its gate is closed when the steps are equal."""
    for seed in (0, 1):
        model = _model(seed=seed)
        for length in (3, 5, 20, 64):
            x = start + step * torch.arange(length, dtype=torch.float64)[None, :]
            prediction, _ = model(x)
            expected = start + step * length
            assert abs(prediction.item() - expected) <= 1e-9 * abs(step) * length + 1e-12 * abs(expected)


@torch.no_grad()
def test_input_longer_than_max_len_keeps_its_last_values():
    model = _model(TINY)
    full = torch.randn(3, 40, dtype=torch.float64).cumsum(dim=1)  # (3, 40), max_len is 16
    prediction, attention = model(full)
    expected, expected_attention = model(full[:, -16:])
    torch.testing.assert_close(prediction, expected, rtol=0, atol=0)
    assert attention.shape == (3, 40)
    assert (attention[:, :24] == 0).all()
    torch.testing.assert_close(attention[:, 24:], expected_attention, rtol=0, atol=0)


@torch.no_grad()
def test_long_padded_input_keeps_the_last_values_of_each_row():
    model = _model(TINY)
    lengths = torch.tensor([30, 16, 5])
    mask = torch.arange(40)[None, :] < lengths[:, None]  # (3, 40)
    x = torch.where(mask, torch.randn(3, 40, dtype=torch.float64).cumsum(dim=1), 0.0)
    prediction, attention = model(x, mask)
    for row, length in enumerate(lengths.tolist()):
        start = max(0, length - 16)
        kept = x[row : row + 1, start:length]
        alone, alone_attention = model(kept)
        _assert_close_in_steps(prediction[row : row + 1], alone, kept, torch.ones_like(kept, dtype=torch.bool))
        torch.testing.assert_close(attention[row, start:length], alone_attention[0], rtol=1e-6, atol=1e-7)
        assert attention[row, :start].sum() == 0 and attention[row, length:].sum() == 0


def test_gradients_reach_every_parameter():
    model = _model(TINY).train()
    x, mask, batch = _batch(n=8, max_len=16, seed=4)
    prediction, _ = model(x, mask)
    loss = ((prediction - torch.from_numpy(batch.labels)) / torch.from_numpy(batch.labels).abs().clamp(min=1)).abs().mean()
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all(), name


# --------------------------------------------------------------------------------------------------
# The config: bad values are refused with the value and what is allowed
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# The graph's own scaling and cropping agree with the numpy helpers the rest of the package uses
# --------------------------------------------------------------------------------------------------


def test_the_models_scale_is_the_numpy_step_scale():
    batch = generate_batch(64, min_len=2, max_len=24, seed=3)
    data = batch.data.copy()
    data[:4] = 5.0  # constant contexts: scale 1 in both
    _, last, scale = normalise(torch.from_numpy(data), torch.from_numpy(batch.masks), 24)
    np.testing.assert_allclose(scale.numpy(), step_scale(data, batch.masks), rtol=1e-14)  # sums in another order
    np.testing.assert_array_equal(last.numpy(), data[np.arange(len(data)), batch.lengths - 1])


@pytest.mark.parametrize("width", [2, 5, 16, 40])
def test_the_models_keep_last_is_the_numpy_keep_last(width):
    batch = generate_batch(64, min_len=2, max_len=24, seed=4)
    x, mask = torch.from_numpy(batch.data), torch.from_numpy(batch.masks)
    if width >= x.shape[1]:  # the model crops only longer input; numpy returns it as it is
        values, index = keep_last_numpy(batch.data, batch.lengths, width)
        assert values is batch.data and index.shape == batch.data.shape
        return
    cropped, cropped_mask, index = keep_last(x, mask, width)
    values, numpy_index = keep_last_numpy(batch.data, batch.lengths, width)
    np.testing.assert_array_equal(index.numpy(), numpy_index)
    np.testing.assert_array_equal(cropped.numpy(), values)
    np.testing.assert_array_equal(cropped_mask.numpy(), numpy_index < batch.lengths[:, None])
