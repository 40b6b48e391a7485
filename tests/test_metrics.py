"""Metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numseries.metrics import context_scale, scaled_errors, score


def test_context_scale_is_the_mean_absolute_step_of_the_valid_prefix():
    data = np.array([[1.0, 2.0, 4.0, 0.0], [5.0, 3.0, 0.0, 0.0]])
    masks = np.array([[True, True, True, False], [True, True, False, False]])
    np.testing.assert_allclose(context_scale(data, masks), [1.5, 2.0])  # (1 + 2) / 2 and |3 - 5|


def test_constant_context_has_no_scale():
    data = np.array([[7.0, 7.0, 7.0]])
    assert np.isnan(context_scale(data, np.ones_like(data, dtype=bool))[0])


def test_last_value_on_a_straight_line_scores_exactly_one():
    data = np.array([[3.0, 5.0, 7.0, 9.0]])  # step 2
    scale = context_scale(data, np.ones_like(data, dtype=bool))
    assert scaled_errors(np.array([9.0]), np.array([11.0]), scale)[0] == 1.0


def test_scaled_error_by_hand():
    data = np.array([[1.0, 2.0, 4.0]])  # mean absolute step 1.5
    scale = context_scale(data, np.ones_like(data, dtype=bool))
    assert scaled_errors(np.array([5.0]), np.array([7.0]), scale)[0] == pytest.approx(2 / 1.5)


@pytest.mark.parametrize("a, b", [(1000.0, -3.0), (-0.001, 5e5), (-7.0, 0.0)])
def test_scaled_error_does_not_change_under_affine_maps(a, b):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(20, 6)).cumsum(axis=1)
    masks = np.ones_like(data, dtype=bool)
    targets, preds = rng.normal(size=20), rng.normal(size=20)
    before = scaled_errors(preds, targets, context_scale(data, masks))
    after = scaled_errors(a * preds + b, a * targets + b, context_scale(a * data + b, masks))
    np.testing.assert_allclose(after, before, rtol=1e-5)  # float64 rounding of the shift


def test_score_by_hand():
    stats = score(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0]), np.array([1.0, 2.0, np.nan]))
    # errors -1, 0, -2; the third case has a constant context, so scaled errors are 1 and 0
    assert stats == {
        "n": 3,
        "n_constant": 1,
        "median_scaled": 0.5,
        "mean_scaled": 0.5,
        "mae": 1.0,
        "rmse": pytest.approx(math.sqrt(5 / 3)),
    }


def test_score_of_no_cases_is_nan():
    stats = score(np.array([]), np.array([]), np.array([]))
    assert stats["n"] == 0 and math.isnan(stats["median_scaled"]) and math.isnan(stats["mae"])


def test_score_agrees_with_utilsforecast_losses():
    """The reference oracle (the bench extra): MAE and RMSE over all cases, MASE per case (one step ahead,
    scaled by the in-sample mean absolute step of its own context), averaged over the non-constant cases."""
    pd = pytest.importorskip("pandas")
    losses = pytest.importorskip("utilsforecast.losses")
    from numseries.baselines import drift
    from numseries.generate import generate_batch

    batch = generate_batch(300, min_len=3, max_len=24, seed=11)
    data = batch.data.copy()
    data[:5] = 2.5  # constant contexts: no scale, left out of the scaled errors
    predictions, _ = drift(data, batch.masks)
    ours = score(predictions, batch.labels, context_scale(data, batch.masks))

    everything = pd.DataFrame({"unique_id": "all", "y": batch.labels, "model": predictions})
    assert ours["mae"] == pytest.approx(float(losses.mae(everything, ["model"])["model"].iloc[0]), rel=1e-12)
    assert ours["rmse"] == pytest.approx(float(losses.rmse(everything, ["model"])["model"].iloc[0]), rel=1e-12)

    scale = context_scale(data, batch.masks)
    varying = np.flatnonzero(~np.isnan(scale))  # the step family has constant contexts of its own
    test = pd.DataFrame({"unique_id": varying, "ds": 0, "y": batch.labels[varying], "model": predictions[varying]})
    train = pd.DataFrame({
        "unique_id": np.repeat(varying, batch.lengths[varying]),
        "ds": np.concatenate([np.arange(-n, 0) for n in batch.lengths[varying]]),
        "y": np.concatenate([data[i, : batch.lengths[i]] for i in varying]),
    })
    mase = losses.mase(test, ["model"], seasonality=1, train_df=train)["model"].to_numpy()
    assert ours["n_constant"] == len(data) - len(varying) >= 5
    assert ours["mean_scaled"] == pytest.approx(float(np.mean(mase)), rel=1e-12)
    assert ours["median_scaled"] == pytest.approx(float(np.median(mase)), rel=1e-12)
