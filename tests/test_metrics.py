"""Metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numseries.metrics import (
    context_scale,
    coverage,
    interval_score,
    quantile_loss,
    scaled_errors,
    scaled_quantile_loss,
    score,
)


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


def test_coverage_counts_bounds_as_inside_and_leaves_out_refused_cases():
    lo = np.array([0.0, 0.0, 0.0, np.nan, 1.0])
    hi = np.array([1.0, 1.0, 1.0, np.nan, 2.0])
    targets = np.array([0.0, 1.0, 1.5, 0.5, 0.5])
    assert coverage(lo, hi, targets) == 0.5  # 2 of the 4 finite intervals; the NaN one is left out
    assert np.isnan(coverage(np.array([np.nan]), np.array([np.nan]), np.array([1.0])))


def test_coverage_tolerance_lets_a_zero_width_interval_cover_a_rounded_target():
    exact = np.array([12.0, 12.0])
    targets = np.array([12.0 + 1e-12, 12.5])  # float rounding, and a real miss
    assert coverage(exact, exact, targets) == 0.0
    assert coverage(exact, exact, targets, 1e-9 * np.abs(targets)) == 0.5


def test_interval_score_by_hand():
    # width 2; at 80% (alpha 0.2) a miss by 0.5 costs 2 / 0.2 * 0.5 = 5
    scores = interval_score(np.array([0.0, 0.0, 0.0]), np.array([2.0, 2.0, 2.0]), np.array([1.0, -0.5, 2.5]), 80)
    np.testing.assert_allclose(scores, [2.0, 7.0, 7.0])
    assert interval_score(np.array([3.0]), np.array([3.0]), np.array([3.0]), 95)[0] == 0.0  # exact and zero-wide
    with pytest.raises(ValueError, match="level must be in"):
        interval_score(np.zeros(1), np.ones(1), np.zeros(1), 100)


def test_quantile_loss_by_hand_and_refuses_levels_outside_0_1():
    loss = quantile_loss(np.array([[1.0, 2.0, 3.0]]), np.array([2.5]), np.array([0.1, 0.5, 0.9]))
    np.testing.assert_allclose(loss, [[0.1 * 1.5, 0.5 * 0.5, 0.1 * 0.5]])
    with pytest.raises(ValueError, match="taus must be quantile levels"):
        quantile_loss(np.zeros((1, 1)), np.zeros(1), np.array([50.0]))


@pytest.mark.parametrize("a, b", [(1000.0, -3.0), (-0.01, 5e3)])
def test_scaled_quantile_loss_does_not_change_under_affine_maps(a, b):
    rng = np.random.default_rng(1)
    taus = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    quantiles = np.sort(rng.normal(size=(30, len(taus))), axis=1)
    targets, scale = rng.normal(size=30), rng.uniform(0.5, 2.0, 30)
    before = scaled_quantile_loss(quantiles, targets, taus, scale)
    # a negative a mirrors the distribution: the tau quantile of a*y + b is a * q_(1 - tau) + b
    mapped = a * (quantiles[:, ::-1] if a < 0 else quantiles) + b
    after = scaled_quantile_loss(mapped, a * targets + b, taus, abs(a) * scale)
    np.testing.assert_allclose(after, before, rtol=1e-6)


def _frame(rng, n_ids: int, context: int):
    """One forecast row per series with its context as training rows: what utilsforecast scores."""
    pd = pytest.importorskip("pandas")
    train = rng.normal(size=(n_ids, context)).cumsum(axis=1)
    targets = train[:, -1] + rng.normal(size=n_ids)
    ids = np.arange(n_ids)
    train_df = pd.DataFrame({"unique_id": np.repeat(ids, context), "ds": np.tile(np.arange(context), n_ids),
                             "y": train.ravel()})
    df = pd.DataFrame({"unique_id": ids, "ds": context, "y": targets})
    return train, targets, train_df, df


def test_interval_metrics_match_utilsforecast():
    losses = pytest.importorskip("utilsforecast.losses")
    rng = np.random.default_rng(2)
    _, targets, _, df = _frame(rng, 200, 8)
    centre = targets + rng.normal(size=200)
    half = rng.uniform(0.2, 2.0, 200)
    df["m-lo-80"], df["m-hi-80"] = centre - half, centre + half
    theirs = losses.coverage(df, models=["m"], level=80)["m"].to_numpy()
    assert coverage(centre - half, centre + half, targets) == pytest.approx(theirs.mean())
    assert 0.2 < theirs.mean() < 0.9  # some inside, some outside: the check means something
    theirs = losses.winkler_score(df, models=["m"], level=80)["m"].to_numpy()
    np.testing.assert_allclose(interval_score(centre - half, centre + half, targets, 80), theirs, rtol=1e-12)


def test_quantile_losses_match_utilsforecast():
    losses = pytest.importorskip("utilsforecast.losses")
    rng = np.random.default_rng(3)
    train, targets, train_df, df = _frame(rng, 100, 6)
    taus = np.array([0.025, 0.1, 0.5, 0.9, 0.975])
    quantiles = np.sort(targets[:, None] + rng.normal(size=(100, len(taus))), axis=1)
    columns = [f"m-q{k}" for k in range(len(taus))]
    for column, values in zip(columns, quantiles.T, strict=True):
        df[column] = values
    theirs = losses.mqloss(df, models={"m": columns}, quantiles=taus)["m"].to_numpy()
    np.testing.assert_allclose(quantile_loss(quantiles, targets, taus).mean(axis=1), theirs, rtol=1e-12)
    scale = context_scale(train, np.ones_like(train, dtype=bool))  # utilsforecast: MAE of the naive forecast
    theirs = np.mean([
        losses.scaled_quantile_loss(df, models={"m": column}, seasonality=1, train_df=train_df, q=tau)["m"].to_numpy()
        for column, tau in zip(columns, taus, strict=True)
    ], axis=0)
    np.testing.assert_allclose(scaled_quantile_loss(quantiles, targets, taus, scale), theirs, rtol=1e-10)


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


def test_relative_error_divides_each_case_by_the_reference_miss_and_skips_its_exact_cases():
    from numseries.metrics import median_relative_error

    targets = np.array([1.0, 1.0, 1.0, 5.0])
    reference = np.array([3.0, 0.0, 1.5, 5.0])  # misses by 2, 1, 0.5; the last case exactly
    predictions = np.array([2.0, 0.5, 1.0, 9.0])  # errors 1, 0.5, 0 (and 4 where the reference is exact)
    assert median_relative_error(predictions, targets, reference) == pytest.approx(0.5)  # of 0.5, 0.5, 0
    assert np.isnan(median_relative_error(predictions, targets, targets))
