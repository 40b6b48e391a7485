"""Intervals from quantiles: levels, interpolation, conformal calibration and sample paths (numpy only)."""

from __future__ import annotations

import numpy as np
import pytest

from numseries.intervals import (
    LENGTH_BUCKETS,
    Calibration,
    calibrate,
    check_levels,
    intervals,
    level_name,
    quantiles_at,
    sample_paths,
)

GRID = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)


def _normal_quantiles(n: int, sigma: np.ndarray | float = 1.0, rng=None) -> np.ndarray:
    """(n, Q) quantiles of N(0, sigma^2) at GRID."""
    from statistics import NormalDist

    z = np.array([NormalDist().inv_cdf(q) for q in GRID])
    return np.broadcast_to(np.asarray(sigma, dtype=float).reshape(-1, 1) * z, (n, len(GRID))).copy()


@pytest.mark.parametrize("bad", [0, 100, -5, 150, float("nan"), "80", True])
def test_a_level_outside_0_100_or_not_a_number_is_refused(bad):
    with pytest.raises(ValueError, match="level"):
        check_levels([bad], GRID)


def test_a_level_beyond_the_outermost_quantiles_names_the_widest_allowed():
    assert check_levels([80, 95], GRID) == (80.0, 95.0)
    with pytest.raises(ValueError, match="use a level up to 95"):
        check_levels(99, GRID)


def test_level_names_follow_statsforecast():
    assert [level_name(x) for x in (80.0, 95.0, 97.5)] == ["80", "95", "97.5"]


def test_interpolation_hits_the_grid_and_is_linear_between():
    quantiles = np.array([[-4.0, -2, -1, 0, 1, 2, 4]])
    assert quantiles_at(quantiles, GRID, np.array(GRID)).tolist() == quantiles.tolist()
    assert quantiles_at(quantiles, GRID, np.array([0.3, 0.95])) == pytest.approx(np.array([[-0.8, 2 + 2 * 0.05 / 0.075]]))
    assert intervals(quantiles, GRID, [80])[80].tolist() == [[-2.0, 2.0]]


def test_calibration_widens_too_narrow_intervals_to_their_level_on_new_cases():
    rng = np.random.default_rng(0)
    n = 20_000
    lengths = rng.integers(3, 65, n)
    quantiles = _normal_quantiles(n, 0.5)  # claims sigma 0.5, truth is sigma 1
    calibration = calibrate(quantiles, rng.normal(size=n), lengths, GRID)
    assert (calibration.factors > 0).all()
    fresh = rng.normal(size=n)
    calibrated = calibration.apply(quantiles, lengths)
    for p, level in ((0, 0.95), (1, 0.8), (2, 0.5)):
        covered = (calibrated[:, p] <= fresh) & (fresh <= calibrated[:, -1 - p])
        assert abs(covered.mean() - level) < 0.015
    raw_covered = (quantiles[:, 1] <= fresh) & (fresh <= quantiles[:, -2])
    assert raw_covered.mean() < 0.6  # the raw 80% interval was far off


def test_calibration_keeps_zero_width_intervals_and_equivariance():
    rng = np.random.default_rng(1)
    quantiles = _normal_quantiles(3000, rng.uniform(0.5, 2.0, 3000))
    calibration = calibrate(quantiles, rng.normal(size=3000) * 3, rng.integers(3, 65, 3000), GRID)
    zero = np.zeros((1, len(GRID))) + 7.0
    assert (calibration.apply(zero, np.array([5])) == 7.0).all()
    a, b = -3.0, 11.0
    lengths = np.full(len(quantiles), 10)
    mirrored = calibration.apply(a * quantiles[:, ::-1] + b, lengths)  # the quantiles of a*y + b
    np.testing.assert_allclose(mirrored, a * calibration.apply(quantiles, lengths)[:, ::-1] + b, rtol=1e-12, atol=1e-12)


def test_calibrated_quantiles_never_cross():
    rng = np.random.default_rng(2)
    quantiles = np.sort(rng.normal(size=(500, len(GRID))), axis=1)
    factors = rng.uniform(-0.4, 3.0, (len(LENGTH_BUCKETS), len(GRID) // 2))
    calibrated = Calibration(GRID, factors, 0).apply(quantiles, rng.integers(3, 65, 500))
    assert (np.diff(calibrated, axis=1) >= 0).all()


def test_calibration_round_trips_through_its_file(tmp_path):
    import json

    calibration = Calibration(GRID, np.arange(9, dtype=float).reshape(3, 3) / 10, 123)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration.to_dict()))
    loaded = Calibration.load(path)
    assert loaded.grid == GRID and loaded.cases == 123
    np.testing.assert_array_equal(loaded.factors, calibration.factors)
    path.write_text('{"grid": [0.1, 0.5, 0.9], "factors": [[1]], "cases": 1}')
    with pytest.raises(ValueError, match="re-run the calibration"):
        Calibration.load(path)


def test_sample_paths_follow_the_quantile_function():
    rng = np.random.default_rng(3)
    quantiles = np.array([[-4.0, -2, -1, 0, 1, 2, 4], [5.0] * 7])
    draws = sample_paths(quantiles, GRID, rng, 40_000)
    assert draws.shape == (2, 40_000)
    assert (draws[1] == 5.0).all()  # a zero-width distribution draws its value
    for tau, expected in zip(GRID[1:-1], quantiles[0, 1:-1], strict=True):
        assert (draws[0] <= expected).mean() == pytest.approx(tau, abs=0.01)
    assert draws[0].min() >= -4.0 and draws[0].max() <= 4.0
