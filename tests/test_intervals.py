"""Intervals from quantiles: levels, interpolation, conformal calibration, multi-step bands and sample paths
(numpy), and the shipped Predictor's intervals at any level."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from numseries.intervals import (
    FAMILY_MIN_CASES,
    HORIZONS,
    LENGTH_BUCKETS,
    LINE_COVERAGES,
    LINE_STEPS,
    RANGE_CAP_FROM,
    RANGE_CAP_LOOSER,
    RANGE_CAP_SHORT,
    REACH_NORMS,
    SPREAD_EDGES,
    Calibration,
    calibrate,
    calibrate_families,
    calibrate_family_horizons,
    calibrate_horizons,
    check_levels,
    default_levels,
    intervals,
    level_name,
    levels_checked,
    named_families,
    never_below_zero,
    path_bands,
    quantiles_at,
    recorded_decimals,
    round_to_recording,
    sample_paths,
    widen_lines,
)

GRID = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)


def _normal_quantiles(n: int, sigma: np.ndarray | float = 1.0, rng=None) -> np.ndarray:
    """(n, Q) quantiles of N(0, sigma^2) at GRID."""
    from statistics import NormalDist

    z = np.array([NormalDist().inv_cdf(q) for q in GRID])
    return np.broadcast_to(np.asarray(sigma, dtype=float).reshape(-1, 1) * z, (n, len(GRID))).copy()


@pytest.mark.parametrize("bad", [0, 100, -5, 150, float("nan"), "80", True, 10**400, Fraction(10**400, 3)])
def test_a_level_outside_0_100_or_not_a_number_is_refused(bad):
    """10**400 raised OverflowError, which a server answered with a 500 for every request batched with it."""
    with pytest.raises(ValueError, match="level"):
        check_levels([bad], GRID)


def test_quantiles_spanning_the_float_range_interpolate_to_finite_bounds(recwarn):
    """upper - lower overflowed to inf, and inf * 0 made the 80% bound of 1e300 1e305 1e308 NaN."""
    q = np.array([[-1.7e308, -1.6e308, -1e308, 1e308, 1.5e308, 1.6e308, 1.7e308]])
    out = quantiles_at(q, GRID, np.array([0.1, 0.2, 0.5, 0.8]))
    np.testing.assert_allclose(out[0], [-1.6e308, -1.2e308, 1e308, 1.5e308 / 3 * 2 + 1.6e308 / 3])  # weights 2/3, 1/3
    assert out[0, 0] == -1.6e308 and out[0, 2] == 1e308  # on the grid: exact
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


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


def test_a_family_named_with_wider_errors_gets_one_step_factors_of_its_own_never_below_the_pooled_ones():
    """Three families claim sigma 1: the first is right, the second's errors are twice that (its intervals
    far too narrow), the third's half (too wide); a fourth has too few cases. Named cases take their
    family's factors: the second covers each level on new cases, the third keeps the pooled intervals (never
    narrower: a family the calibration never saw may be named one it did), and so do the fourth and the
    cases named no family."""
    rng = np.random.default_rng(3)

    def cases(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        families = np.concatenate([rng.integers(0, 3, n), np.full(FAMILY_MIN_CASES - 1, 3), np.full(n // 4, -1)])
        sigma = np.array([1.0, 2.0, 0.5, 2.0])[families]
        sigma[families < 0] = 1.0
        return _normal_quantiles(len(families)), rng.normal(size=len(families)) * sigma, np.full(len(families), 40), families

    quantiles, targets, lengths, families = cases(30_000)
    pooled = calibrate(quantiles, targets, lengths, GRID)
    own = calibrate_families(quantiles, targets, lengths, families, 4, pooled)
    assert own.shape == (4, len(LENGTH_BUCKETS), 3)
    assert (own >= pooled.factors[None]).all()
    assert (own[1, 2] > pooled.factors[2] + 0.3).all()  # the noisy family, long contexts
    np.testing.assert_array_equal(own[[0, 2, 3], :2], np.repeat(pooled.factors[None, :2], 3, axis=0))  # no short cases
    np.testing.assert_array_equal(own[2], pooled.factors)  # too wide alone: never narrower than pooled
    np.testing.assert_array_equal(own[3], pooled.factors)  # too few cases
    calibration = Calibration(GRID, pooled.factors, 1, families=("a", "b", "c", "d"), family_one_step=own)
    quantiles, targets, lengths, families = cases(30_000)
    calibrated = calibration.apply(quantiles, lengths, families)
    alone = calibration.apply(quantiles, lengths)
    for p, level in ((0, 0.95), (1, 0.8), (2, 0.5)):
        covered = (calibrated[:, p] <= targets) & (targets <= calibrated[:, -1 - p])
        assert abs(covered[families == 1].mean() - level) < 0.02
        pooled_covered = (alone[:, p] <= targets) & (targets <= alone[:, -1 - p])
        assert pooled_covered[families == 1].mean() < level - 0.1  # what the pooled factors did
    same = families != 1
    np.testing.assert_array_equal(calibrated[same & (families != 0)], alone[same & (families != 0)])
    np.testing.assert_array_equal(calibration.apply(quantiles, lengths, np.full(len(families), -1)), alone)


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


def test_horizon_factors_round_trip_and_a_file_without_them_still_loads(tmp_path):
    import json

    steps = np.random.default_rng(0).uniform(1.0, 3.0, (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    calibration = Calibration(GRID, np.zeros((3, 3)), 10, steps, 77)
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration.to_dict()))
    loaded = Calibration.load(path)
    np.testing.assert_allclose(loaded.horizons, steps, atol=1e-6)
    assert loaded.horizon_cases == 77
    assert loaded.reach_norms == REACH_NORMS
    normed = Calibration(GRID, np.zeros((3, 3)), 10, steps, 77, (1.0, 1.5, 2.0))
    path.write_text(json.dumps(normed.to_dict()))
    assert Calibration.load(path).reach_norms == (1.0, 1.5, 2.0)
    old = normed.to_dict()
    del old["horizons"]["reach_norms"]  # written before the norms: its factors were measured on plain sums
    path.write_text(json.dumps(old))
    assert Calibration.load(path).reach_norms == (1.0, 1.0, 1.0)
    path.write_text(json.dumps(normed.to_dict() | {"horizons": normed.to_dict()["horizons"] | {"reach_norms": [1, 3, 1]}}))
    with pytest.raises(ValueError, match=r"reach norms \[1.0, 3.0, 1.0\]"):
        Calibration.load(path)
    path.write_text(json.dumps(Calibration(GRID, np.zeros((3, 3)), 10).to_dict()))  # written before horizons
    assert Calibration.load(path).horizons is None
    wrong = calibration.to_dict() | {"horizons": {"factors": [[1.0]], "cases": 1}}
    path.write_text(json.dumps(wrong))
    with pytest.raises(ValueError, match="horizon factors of shape"):
        Calibration.load(path)


def _paths(n: int, steps: int, sigma, rng) -> tuple[np.ndarray, np.ndarray]:
    """Point paths and the one-step N(path, sigma^2) quantiles along them: (n, K), (n, K, Q)."""
    values = np.cumsum(rng.normal(size=(n, steps)), axis=1)
    return values, values[:, :, None] + _normal_quantiles(n * steps, sigma).reshape(n, steps, len(GRID))


def test_path_bands_start_at_the_one_step_interval_contain_the_path_and_widen():
    rng = np.random.default_rng(4)
    values, quantiles = _paths(50, 6, 1.0, rng)
    bands = path_bands(values, quantiles, np.full(50, 20), np.ones(50), GRID, [50, 80, 95], None)
    for level, band in bands.items():
        np.testing.assert_array_equal(band[:, 0], intervals(quantiles[:, 0], GRID, [level])[level])
        assert (band[..., 0] <= values).all() and (values <= band[..., 1]).all()
        assert (np.diff(band[..., 1] - band[..., 0], axis=1) > 0).all()  # uncalibrated: the reaches add up
    assert (bands[95][..., 0] <= bands[80][..., 0]).all() and (bands[80][..., 1] <= bands[95][..., 1]).all()


def test_path_bands_keep_zero_width_and_follow_an_affine_map():
    rng = np.random.default_rng(5)
    values, quantiles = _paths(40, 5, rng.uniform(0.2, 2.0, 200), rng)
    steps = rng.uniform(1.0, 3.0, (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    calibration = Calibration(GRID, np.zeros((3, 3)), 1, steps, 1)
    lengths = rng.integers(3, 65, 40)
    scale = rng.uniform(0.1, 3.0, 40)
    bands = path_bands(values, quantiles, lengths, scale, GRID, [80], calibration)[80]
    a, b = -2.5, 7.0  # the quantiles of a*y + b, a < 0: mirrored
    mirrored = path_bands(a * values + b, a * quantiles[..., ::-1] + b, lengths, abs(a) * scale, GRID, [80], calibration)[80]
    np.testing.assert_allclose(mirrored, a * bands[..., ::-1] + b, rtol=1e-12, atol=1e-9)
    line = np.tile(np.arange(2.0, 7.0), (1, 1))  # an exact progression: zero-width one-step quantiles
    flat = path_bands(line, np.repeat(line[:, :, None], len(GRID), axis=2), np.array([5]), np.ones(1), GRID, [80], calibration)
    assert (flat[80][..., 0] == line).all() and (flat[80][..., 1] == line).all()


def test_horizon_factors_scale_the_bands_and_the_last_one_holds_beyond_the_table():
    rng = np.random.default_rng(6)
    steps = HORIZONS + 6
    values, quantiles = _paths(3, steps, 1.0, rng)
    raw = path_bands(values, quantiles, np.full(3, 30), np.ones(3), GRID, [80], None)[80]
    table = np.ones((len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    table[2, -1, :, 1] = np.arange(2.0, HORIZONS + 1)  # bucket 17+, widest spreads, 80% pair: step h gets h
    calibration = Calibration(GRID, np.zeros((3, 3)), 1, table, 1)
    calibrated = path_bands(values, quantiles, np.full(3, 30), np.ones(3), GRID, [80], calibration)[80]
    reach, raw_reach = calibrated[..., 1] - values, raw[..., 1] - values
    expected = np.minimum(np.arange(1, steps + 1), HORIZONS).astype(float)
    expected[0] = 1.0  # step 1: the one-step interval itself
    np.testing.assert_allclose(reach / raw_reach, np.broadcast_to(expected, reach.shape), rtol=1e-9)


def test_long_contexts_add_their_reaches_in_a_norm_short_ones_plainly_and_a_calibration_keeps_its_own():
    """Equal one-step reaches r: the raw band reaches r·h from up to 16 values, r·h^(1/p) from more
    (p = REACH_NORMS[2]); a calibration measured with other norms is applied in those."""
    from statistics import NormalDist

    rng = np.random.default_rng(9)
    steps = 8
    values = np.cumsum(rng.normal(size=(2, steps)), axis=1)
    quantiles = values[:, :, None] + _normal_quantiles(1, 1.0)[0]  # the same reaches at every step
    r = 1.0 * NormalDist().inv_cdf(0.9)  # the 80% interval's reach of N(0, 1)
    h = np.arange(1, steps + 1)
    bands = path_bands(values, quantiles, np.array([12, 40]), np.ones(2), GRID, [80], None)[80]
    np.testing.assert_allclose(bands[0, :, 1] - values[0], r * h, rtol=1e-9)
    np.testing.assert_allclose(bands[1, :, 1] - values[1], r * h ** (1 / REACH_NORMS[2]), rtol=1e-9)
    np.testing.assert_allclose(values - bands[..., 0], bands[..., 1] - values, rtol=1e-9)  # symmetric here
    ones = np.ones((3, len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    plain = Calibration(GRID, np.zeros((3, 3)), 1, ones, 1, (1.0, 1.0, 1.0))
    bands = path_bands(values, quantiles, np.array([12, 40]), np.ones(2), GRID, [80], plain)[80]
    np.testing.assert_allclose(bands[:, :, 1] - values, r * np.vstack([h, h]), rtol=1e-9)


def test_from_17_values_a_band_stays_within_the_context_range_scaled_by_its_level():
    """One-step reaches far beyond the context's range: from step 2 the band of a 40-value context reaches
    range × z(L)/z(95) from its path, the 95% band the whole range; a 12-value context's twice that (1.2 more
    of it for each value under 17), an 8-value context's is the uncapped band, as is step 1; a mirrored series
    gets the mirrored band."""
    from statistics import NormalDist

    rng = np.random.default_rng(10)
    values, quantiles = _paths(3, 8, 10.0, rng)
    lengths = np.array([8, 40, 12])
    extents = np.stack([values.min(axis=1) - 0.5, values.max(axis=1) + 0.5], axis=1)  # the paths stay within
    ranges = extents[:, 1] - extents[:, 0]
    assert (RANGE_CAP_FROM, RANGE_CAP_SHORT, RANGE_CAP_LOOSER) == (17, 10, 0.2)
    free = path_bands(values, quantiles, lengths, np.ones(3), GRID, [80, 95], None)
    capped = path_bands(values, quantiles, lengths, np.ones(3), GRID, [80, 95], None, extents)
    for level in (80, 95):
        np.testing.assert_array_equal(capped[level][0], free[level][0])  # 8 values: not capped
        np.testing.assert_array_equal(capped[level][1:, 0], free[level][1:, 0])  # step 1: the model's own interval
        z = NormalDist().inv_cdf(0.5 + level / 200) / NormalDist().inv_cdf(0.975)
        for row, looser in ((1, 1.0), (2, 2.0)):
            reach = looser * ranges[row] * z
            assert (free[level][row, 1:, 1] - values[row, 1:] > reach).all()  # the cap binds
            np.testing.assert_allclose(capped[level][row, 1:, 1] - values[row, 1:], reach, rtol=1e-12)
            np.testing.assert_allclose(values[row, 1:] - capped[level][row, 1:, 0], reach, rtol=1e-12)
    assert np.isclose(capped[95][1, -1, 1] - values[1, -1], ranges[1])  # 95%: the whole range
    a, b = -3.0, 1.0
    mirrored = path_bands(
        a * values + b, a * quantiles[..., ::-1] + b, lengths, np.ones(3) * 3, GRID, [80], None, a * extents[:, ::-1] + b
    )
    np.testing.assert_allclose(mirrored[80], a * capped[80][..., ::-1] + b, rtol=1e-12, atol=1e-9)


def test_a_path_that_leaves_the_context_range_is_capped_that_much_further():
    """Adversarial round 14: a growth's path left its window's range, and its bands stayed the range's width
    (1.3^t at t+24: 95% band +-0.2% of the path, the truth 51 half-widths outside)."""
    rng = np.random.default_rng(11)
    values, quantiles = _paths(1, 8, 10.0, rng)
    values, quantiles = values + np.arange(8) * 5.0, quantiles + (np.arange(8) * 5.0)[None, :, None]  # climbs out
    extents = np.array([[values[0, 0] - 1.0, values[0, 0] + 1.0]])
    capped = path_bands(values, quantiles, np.array([40]), np.ones(1), GRID, [95], None, extents)[95]
    free = path_bands(values, quantiles, np.array([40]), np.ones(1), GRID, [95], None)[95]
    beyond = np.maximum(values[0] - extents[0, 1], 0.0)  # (K,) how far above the range the path is
    reach = 2.0 + beyond[1:]  # the whole range at 95%, and that much further
    np.testing.assert_allclose(capped[0, 1:, 1], np.minimum(free[0, 1:, 1], values[0, 1:] + reach), rtol=1e-12)
    np.testing.assert_allclose(capped[0, 1:, 0], np.maximum(free[0, 1:, 0], values[0, 1:] - reach), rtol=1e-12)
    assert (capped[0, 1:, 1] - values[0, 1:] > 2.0).any()  # past the range's cap where the path left it


def _random_walks(n: int, sigma: float, rng) -> tuple[np.ndarray, ...]:
    """Paths that stay at the last value (0) while the truth walks on with unit steps, from a model whose
    one-step quantiles are those of N(0, sigma^2): (values, quantiles, targets, lengths, scale)."""
    lengths = rng.integers(17, 65, n)  # one length bucket
    values = np.zeros((n, HORIZONS))
    quantiles = np.broadcast_to(_normal_quantiles(1, sigma)[0], (n, HORIZONS, len(GRID))).copy()
    targets = np.cumsum(rng.normal(size=(n, HORIZONS)), axis=1)
    return values, quantiles, targets, lengths, np.ones(n)  # unit steps: the spread is the interval's width


def test_horizon_calibration_makes_too_narrow_bands_cover_their_level_on_new_paths():
    """One-step spreads a tenth of the truth: even their sum along the path is too narrow at every
    horizon; calibrated bands cover each step's level on new paths."""
    rng = np.random.default_rng(7)
    table = calibrate_horizons(*_random_walks(20_000, 0.1, rng), GRID)
    assert table.shape == (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3)
    assert (table[2, 1] > 1).all()  # the 80% interval is 0.26 steps wide: the second spread bucket
    calibration = Calibration(GRID, np.zeros((3, 3)), 1, table, 1)
    values, quantiles, targets, lengths, scale = _random_walks(20_000, 0.1, rng)
    for level in (50, 80, 95):
        band = path_bands(values, quantiles, lengths, scale, GRID, [level], calibration)[level]
        covered = ((band[..., 0] <= targets) & (targets <= band[..., 1])).mean(axis=0)
        np.testing.assert_allclose(covered[1:], level / 100, atol=0.02)


def test_horizon_factors_never_narrow_the_summed_reaches():
    """Right one-step spreads under a random walk: the sums grow like h, the truth like sqrt(h), so the
    conformal factors would fall below 1; they stay at 1 and the bands over-cover instead."""
    table = calibrate_horizons(*_random_walks(5_000, 1.0, np.random.default_rng(8)), GRID)
    assert (table >= 1).all() and (table[2, -1, -1] == 1).all()


def test_sample_paths_follow_the_quantile_function():
    rng = np.random.default_rng(3)
    quantiles = np.array([[-4.0, -2, -1, 0, 1, 2, 4], [5.0] * 7])
    draws = sample_paths(quantiles, GRID, rng, 40_000)
    assert draws.shape == (2, 40_000)
    assert (draws[1] == 5.0).all()  # a zero-width distribution draws its value
    for tau, expected in zip(GRID[1:-1], quantiles[0, 1:-1], strict=True):
        assert (draws[0] <= expected).mean() == pytest.approx(tau, abs=0.01)
    assert draws[0].min() >= -4.0 and draws[0].max() <= 4.0


def test_horizon_factors_follow_the_spread_of_the_first_step():
    """Two kinds of series in one calibration: smooth ones (one-step intervals a tenth of the truth) and
    noisy ones (right one-step intervals). Each spread bucket gets its own factors: large for the smooth,
    1 for the noisy, whose bands then stay the plain sums."""
    rng = np.random.default_rng(9)
    smooth, noisy = _random_walks(10_000, 0.1, rng), _random_walks(10_000, 1.0, rng)
    joined = [np.concatenate([a, b]) for a, b in zip(smooth, noisy, strict=True)]
    table = calibrate_horizons(*joined, GRID)
    assert (table[2, 1, :, 1] > 2).all() and (table[2, -1, -1] == 1).all()  # 80% pair; widest spreads
    calibration = Calibration(GRID, np.zeros((3, 3)), 1, table, 1)
    values, quantiles, _, lengths, scale = noisy
    calibrated = path_bands(values, quantiles, lengths, scale, GRID, [80], calibration)[80]
    raw = path_bands(values, quantiles, lengths, scale, GRID, [80], None)[80]
    np.testing.assert_array_equal(calibrated, raw)


def test_the_recorded_decimals_are_the_fewest_that_every_value_is_a_whole_multiple_at():
    rows = [
        [1.0, 2, 30, 4],  # whole numbers (tens are read as units)
        [0.1, 0.25, 0.3, 7],  # cents
        [237.468, 237.9, 238.0, 0],  # three decimals, with float products such as 237.468 * 1000
        [np.pi, 2, 3, 4],  # a float series
        [np.pi * 1e6, np.e * 1e6, 2e6, 3e6],  # large floats: their digits below 1e-6 count
        [0.0, 0, 0, 0],  # nothing to read a step from
        [1e-7, 2e-7, 3e-7, 4e-7],  # finer than RECORDED_DECIMALS
        [1e-20, 2e-20, 0, 5e-20],  # tiny values are not multiples of 1 for being within rounding of 0
        [-2.5, 1.5, np.nan, np.nan],  # padding past the length is not read
    ]
    lengths = np.array([4, 4, 4, 4, 4, 4, 4, 4, 2])
    expected = [0, 2, 3, -1, -1, -1, -1, -1, 1]
    assert recorded_decimals(np.array(rows), lengths).tolist() == expected
    assert recorded_decimals(np.array([[1.0, 2, 3.5]]), np.array([2])).tolist() == [0]
    many = np.tile(np.array(rows), (700, 1))  # a large batch: the finest step is looked at first
    assert recorded_decimals(many, np.tile(lengths, 700)).tolist() == expected * 700


def test_values_near_the_float_limit_read_as_float_data_without_a_warning():
    # 1e303 * 10**6 overflows: such a series has no recorded decimals (-1, its intervals are not rounded),
    # and numpy's overflow warning must not reach the user's terminal.
    rows = np.array([[1e308, 1e308, 1e308], [1e303, 2e303, 3e303], [-1.7e308, 0, 1.7e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert recorded_decimals(rows, np.array([3, 3, 3])).tolist() == [-1, -1, -1]
        assert recorded_decimals(np.tile(rows, (10, 1)), np.full(30, 3)).tolist() == [-1] * 30


def test_rounding_to_the_recording_keeps_the_order_and_the_median_and_leaves_zero_width_rows():
    quantiles = np.array([[-2.04, -1.2, 0.33, 0.4, 2.06], [5.0, 5, 5, 5, 5], [-2.04, -1.2, 0.33, 0.4, 2.06]])
    out = round_to_recording(quantiles, np.array([1, 0, -1]))
    assert out[0].tolist() == [-2.0, -1.2, 0.33, 0.4, 2.1]  # the 0.4 above the median 0.33 stays above it
    np.testing.assert_array_equal(out[1:], quantiles[1:])  # an exact continuation; no decimals
    whole = round_to_recording(np.array([[-0.9, -0.6, -0.4]]), np.array([0]))
    assert whole.tolist() == [[-1.0, -0.6, 0.0]] and str(whole[0, 2]) == "0.0"  # -0.4 rounds to 0, not -0
    # adversarial round 28: an upper bound rounding below the median was the median, off the recorded grid
    # ('0.8% interval: 4.00 to 4.36' for whole numbers): the recorded value at or above it
    assert round_to_recording(np.array([[3.7, 4.36, 4.4], [4.2, 4.64, 4.7]]), np.array([0, 0])).tolist() == [
        [4.0, 4.36, 5.0], [4.0, 4.64, 5.0]]  # fmt: skip
    # adversarial round 29: a median that is a recorded value, to float rounding (0.57 * 100 is 56.99999999999999),
    # had a bound a unit away
    for median in (0.57, 0.07, 0.3 + 1e-17, 4.0000001):
        q = np.array([[median - 0.004, median, median + 0.004]])
        decimals = np.array([0 if median > 1 else 2])
        lo, mid, hi = round_to_recording(q, decimals)[0]
        recorded = round(median, int(decimals[0]))
        assert lo <= mid == median <= hi and abs(lo - recorded) < 1e-6 and abs(hi - recorded) < 1e-6, (median, lo, hi)
    rng = np.random.default_rng(0)  # a value inside an interval is inside it once both are rounded
    x = rng.normal(size=(5000, 1)) * 3
    q = np.sort(np.concatenate([x - rng.random((5000, 1)), x, x + rng.random((5000, 1))], axis=1), axis=1)
    q[:, 1] = x[:, 0]
    y = x[:, 0] + rng.normal(size=5000) * 0.3
    inside = (q[:, 0] <= y) & (y <= q[:, 2])
    rounded = round_to_recording(q, np.ones(5000, dtype=int))
    y = np.round(y, 1)
    assert ((rounded[:, 0] <= y + 1e-12) & (y <= rounded[:, 2] + 1e-12))[inside].all()


def test_a_family_whose_paths_drift_gets_wider_bands_of_its_own_and_the_others_keep_the_pooled_ones():
    """Two families of the same one-step spread: random walks, and walks with a steady drift the paths
    miss. The pooled factors fit the mixture; the drifting family's factors widen its bands until they
    cover each step's level on new paths, the walks' stay 1, and unnamed contexts keep the pooled bands."""
    rng = np.random.default_rng(11)

    def mixture(n: int) -> tuple[list[np.ndarray], np.ndarray]:
        walks, drifting = _random_walks(n, 1.0, rng), list(_random_walks(n, 1.0, rng))
        drifting[2] = drifting[2] + 0.8 * np.arange(1, HORIZONS + 1)  # the truth drifts away from the path
        joined = [np.concatenate([a, b]) for a, b in zip(walks, drifting, strict=True)]
        return joined, np.repeat([0, 1], n)  # family 0 the walks, 1 the drifting

    paths, families = mixture(10_000)
    pooled = calibrate_horizons(*paths, GRID)
    by_family = calibrate_family_horizons(*paths, GRID, families, 2, pooled)
    assert by_family.shape == (2, len(LENGTH_BUCKETS), HORIZONS - 1, 3)
    assert (by_family[0] == 1).all() and (by_family[1, 2, 1:, 1] > 1.1).all()  # 80% pair, long contexts
    assert (by_family[:, :2] == 1).all()  # no paths in the shorter buckets: the pooled factors
    calibration = Calibration(GRID, np.zeros((3, 3)), 1, pooled, 1, families=("walk", "drift"), family_factors=by_family)
    (values, quantiles, targets, lengths, scale), families = mixture(10_000)
    drifting = families == 1
    for level in (80, 95):
        named = path_bands(values, quantiles, lengths, scale, GRID, [level], calibration, families=families)[level]
        alone = path_bands(values, quantiles, lengths, scale, GRID, [level], calibration)[level]
        covered = (named[..., 0] <= targets) & (targets <= named[..., 1])
        np.testing.assert_allclose(covered[drifting, 1:].mean(axis=0), level / 100, atol=0.025)
        pooled_covered = (alone[..., 0] <= targets) & (targets <= alone[..., 1])
        assert pooled_covered[drifting, -1].mean() < level / 100 - 0.04  # what the pooled bands did
        np.testing.assert_array_equal(named[~drifting], alone[~drifting])
        unnamed = path_bands(values, quantiles, lengths, scale, GRID, [level], calibration, families=-np.ones(len(values), int))
        np.testing.assert_array_equal(unnamed[level], alone)


def test_a_context_is_named_a_family_only_when_the_classifier_is_sure_enough():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.5, 0.4, 0.1], [0.0, 0.05, 0.95]], dtype=np.float32)
    np.testing.assert_array_equal(named_families(probabilities), [0, -1, 2])
    np.testing.assert_array_equal(named_families(probabilities, 0.4), [0, 0, 2])


def test_family_factors_round_trip_and_a_file_without_them_still_loads(tmp_path):
    import json

    steps = np.ones((len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    by_family = np.random.default_rng(1).uniform(1.0, 2.0, (2, len(LENGTH_BUCKETS), HORIZONS - 1, 3))
    calibration = Calibration(
        GRID, np.zeros((3, 3)), 10, steps, 77, families=("a", "b"), family_factors=by_family, path_families=("linear", "ar")
    )
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration.to_dict()))
    loaded = Calibration.load(path)
    assert loaded.families == ("a", "b") and loaded.path_families == ("linear", "ar")
    assert loaded.family_factors is not None
    np.testing.assert_allclose(loaded.family_factors, by_family, atol=1e-6)
    old = calibration.to_dict()
    del old["horizons"]["families"]  # written before family factors
    path.write_text(json.dumps(old))
    assert Calibration.load(path).family_factors is None and Calibration.load(path).families == ()
    assert Calibration.load(path).path_families == ("linear", "ar")
    del old["horizons"]["path_families"]  # written before the paths' families were recorded
    path.write_text(json.dumps(old))
    assert Calibration.load(path).path_families == ()
    wrong = calibration.to_dict()
    wrong["horizons"]["families"]["names"] = ["a"]  # factors for two families, one name
    path.write_text(json.dumps(wrong))
    with pytest.raises(ValueError, match="family horizon factors of shape"):
        Calibration.load(path)


def test_one_step_family_factors_round_trip_and_a_file_without_them_still_loads(tmp_path):
    import json

    pooled = np.full((len(LENGTH_BUCKETS), 3), 0.1)
    one_step = pooled[None] + np.random.default_rng(2).uniform(0.0, 0.5, (2, len(LENGTH_BUCKETS), 3))
    steps = np.ones((len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, 3))
    by_family = np.ones((2, len(LENGTH_BUCKETS), HORIZONS - 1, 3))
    calibration = Calibration(
        GRID, pooled, 10, steps, 77, families=("a", "b"), family_factors=by_family, family_one_step=one_step
    )
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(calibration.to_dict()))
    loaded = Calibration.load(path)
    assert loaded.families == ("a", "b") and loaded.by_family
    pooled = loaded.pooled()  # the pooled factors alone
    assert not pooled.by_family and pooled.families == () and pooled.horizons is not None
    np.testing.assert_array_equal(pooled.factors, loaded.factors)
    assert loaded.family_one_step is not None
    np.testing.assert_allclose(loaded.family_one_step, one_step, atol=1e-6)
    names = calibration.named(np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]]), ("b", "c"))
    np.testing.assert_array_equal(names, [1, -1, -1])  # "c" has no factors; the second row is named nothing
    old = calibration.to_dict()
    del old["families"]  # written before one-step factors per family
    path.write_text(json.dumps(old))
    assert Calibration.load(path).family_one_step is None and Calibration.load(path).families == ("a", "b")
    for key, value, message in (
        ("names", ["a", "c"], "names the families"),
        ("factors", (one_step - 1).tolist(), "one-step family factors outside"),  # narrower than pooled: here, crossing medians
    ):
        wrong = calibration.to_dict()
        wrong["families"][key] = value
        path.write_text(json.dumps(wrong))
        with pytest.raises(ValueError, match=message):
            Calibration.load(path)
    assert Calibration(GRID, pooled, 1).named(np.array([[1.0, 0.0]]), ("a", "b")) is None  # no factors per family
    narrower = calibration.to_dict()
    narrower["horizons"]["families"]["factors"][0][0][0][0] = 0.5  # a family's band never narrower than the pooled
    path.write_text(json.dumps(narrower))
    with pytest.raises(ValueError, match="re-run the calibration"):
        Calibration.load(path)


def test_a_level_given_as_text_is_refused_whole_not_read_as_characters():
    with pytest.raises(ValueError, match="got the text '80'"):  # once: "got '8'", a value never given
        check_levels("80", GRID)


@pytest.mark.parametrize("value", [-1.0, 1e308, float("nan")])
def test_a_calibration_with_factors_no_calibration_makes_is_refused_by_its_values(tmp_path, value):
    """A hand-damaged file: -1 gave zero-width intervals, 1e308 bounds at the float limits, and NaN was blamed
    on the factors' shape, which was right."""
    import json

    factors = np.zeros((3, 3))
    factors[1, 2] = value
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(Calibration(GRID, factors, 10).to_dict()))  # json writes NaN, and reads it
    with pytest.raises(ValueError, match=r"has factors outside \(-0.5, 1e\+06\], e.g. \S+: its intervals would cross"):
        Calibration.load(path)


@pytest.mark.parametrize(
    "values",
    [[3, 6.1, 9.2, 12, 14.8], [1, 5, 2, 8, 3], [0.12, -0.3, 0.45, 0.2, -0.05, 0.31, 0.6, 0.41]],
)
def test_an_interval_between_the_grids_levels_is_rounded_and_the_same_in_predict_batch_and_forecast(values):
    """predict() interpolated quantiles it had rounded already (2.335 to 6.665 for whole numbers), while a
    forecast's first step rounded after interpolating (2 to 6): two step-1 intervals in one --json answer."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    levels = [1, 10, 33.3, 50, 80, 98]
    one = predictor.predict(values, level=levels)
    batch = predictor.predict_batch([values, [7.0, 1.5, 2.25, 9.0]], level=levels)
    forecast = predictor.forecast(values, 3, level=levels)
    decimals = max(len(f"{v}".partition(".")[2]) for v in values)
    for level in levels:
        lo, hi = one.interval(level)
        assert (lo, hi) == (batch.interval(level)[0][0], batch.interval(level)[1][0]) == tuple(
            bound[0] for bound in forecast.interval(level)
        )
        # a value as recorded, or the prediction itself (bounds never cross it: round_to_recording)
        assert all(round(bound, decimals) == bound or bound == one.value for bound in (lo, hi))
        assert lo <= one.value <= hi


def test_sample_path_bands_of_a_series_do_not_depend_on_the_rest_of_its_batch():
    """One generator was shared across the batch: a series' bands moved with its neighbours and position."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    x, y = [3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3.5], [10.0, 12.5, 11, 14, 13, 15.5]
    alone = predictor.forecast_batch([x], 4, level=[80], paths=50, seed=1)
    second = predictor.forecast_batch([y, x], 4, level=[80], paths=50, seed=1)
    for bound in (0, 1):
        np.testing.assert_array_equal(alone.interval(80)[bound][0], second.interval(80)[bound][1])
    other = predictor.forecast_batch([x], 4, level=[80], paths=50, seed=2)
    assert not np.array_equal(alone.interval(80)[1], other.interval(80)[1])  # the seed still matters
    with warnings.catch_warnings():  # values past float32's range: no overflow warning from the stream's seed
        warnings.simplefilter("error")
        huge = predictor.forecast_batch([np.array(x) * 1e300], 4, level=[80], paths=50, seed=1)
    assert np.isfinite(huge.interval(80)).all()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"level": [80], "paths": 50, "seed": -1}, "seed must be None, a whole number >= 0 or a numpy Generator, got -1"),
        ({"level": [80], "paths": 50, "seed": 1.5}, "seed must be None, a whole number >= 0 or a numpy Generator"),
        ({"paths": 200}, "paths=200 draws sample paths for the bands: give level= too"),  # ignored silently
    ],
)
def test_forecast_options_numpy_or_nobody_checked_are_refused_naming_them(options, message):
    from numseries.predict import Predictor

    with pytest.raises(ValueError, match=re.escape(message)):
        Predictor.from_pretrained().forecast([1.0, 3, 2, 5, 4], 4, **options)


@pytest.mark.parametrize("level", [Fraction(80), Decimal("80"), np.array(80), np.float32(80)])
def test_a_level_is_any_one_real_number(level):
    """A Fraction, a Decimal or a 0-d array was iterated ('Fraction' object is not iterable)."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    assert predictor.predict([1.0, 3, 2, 5, 4], level=level).levels == (80.0,)


def test_predict_df_refuses_a_level_given_as_text():
    """frames made a list of it first: '80' became the levels '8' and '0'."""
    import pandas as pd

    from numseries.predict import Predictor

    frame = pd.DataFrame({"unique_id": "a", "ds": range(5), "y": [1.0, 3, 2, 5, 4]})
    with pytest.raises(ValueError, match="got the text '80'"):
        Predictor.from_pretrained().predict_df(frame, level="80")


def test_decimals_are_not_told_where_float_rounding_nears_their_unit():
    """At 1.2e8 the rounding of x * 1e6 is half a unit: every value counted as 'recorded to 6 decimals', and
    the constant 123456789.12345679 was continued as 123456789.123457."""
    rows = np.array([[123456789.123456789] * 3, [1e15 + 0.5, 1e15 + 1.5, 1e15 + 2.5], [1e15, 1e15 + 1, 1e15 + 2]])
    np.testing.assert_array_equal(recorded_decimals(rows, np.full(3, 3)), [-1, -1, 0])
    np.testing.assert_array_equal(recorded_decimals(np.repeat(rows, 20, axis=0), np.full(60, 3))[::20], [-1, -1, 0])
    from numseries.predict import Predictor

    assert Predictor.from_pretrained().predict([123456789.123456789] * 3).value == 123456789.123456789


def test_the_default_level_falls_back_to_the_widest_the_quantiles_give_or_to_none():
    """Adversarial report 5 section 5: a model trained with --quantile-levels 0.25 0.5 0.75 (or 0.5 alone)
    could not predict with the default 80% level."""
    assert default_levels(GRID) == (80.0,)
    assert default_levels((0.25, 0.5, 0.75)) == (50.0,)
    assert default_levels((0.5,)) == () and default_levels(()) == ()


def test_a_median_only_model_says_it_has_no_interval_levels_and_how_to_get_some():
    with pytest.raises(ValueError, match=r"no interval levels.*train it with --quantile-levels") as raised:
        check_levels([80], (0.5,))
    assert "up to 0" not in str(raised.value)


def test_a_level_below_1_warns_once_that_it_is_read_as_percent():
    """Adversarial report 5 section 8: level=0.8 was taken as 0.8 percent without a word."""
    with pytest.warns(UserWarning, match=r"^levels 0\.8, 0\.5 mean intervals of 0\.8, 0\.5 percent; for 80, 50 percent pass 80, 50$") as caught:
        assert check_levels([0.8, 0.5, 50], GRID) == (0.8, 0.5, 50.0)
    assert len(caught) == 1 and caught[0].filename == __file__  # it points at the caller
    with pytest.warns(UserWarning, match=r"^level 0\.8 means a 0\.8% interval \(levels are in percent\); for 80% pass 80$"):
        check_levels(0.8, GRID)
    # adversarial round 8: "for 1e-298% pass 1e-298": no fraction of 1 is meant by so small a level
    with pytest.warns(UserWarning, match=r"^level 1e-300 means 1e-300 percent \(levels are in percent, e\.g\. 80 or 95\)$"):
        check_levels(1e-300, GRID)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_levels([1, 80], GRID)
        check_levels([0.8], GRID, warn=False)
        with levels_checked():  # the levels were warned about at the public call already
            check_levels([0.8], GRID)


def test_widen_lines_reaches_its_steps_of_a_lines_step_from_a_zero_width_row_and_leaves_the_others():
    """A zero-width row one step of 2 on from its last value reaches LINE_STEPS x 2 at each pair's coverage; a row
    with a width of its own and a constant's (no step) stay as they are."""
    grid = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)  # pairs covering 0.95, 0.8, 0.5
    quantiles = np.array([[12.0] * 7, [9.0, 9.5, 9.8, 10.0, 10.2, 10.5, 11.0], [5.0] * 7])
    out = widen_lines(quantiles, grid, last=np.array([10.0, 9.0, 5.0]))
    reach = {c: s for c, s in zip(LINE_COVERAGES, LINE_STEPS, strict=True)}
    half = np.array([reach[0.95], reach[0.8], reach[0.5]]) * 2.0
    np.testing.assert_allclose(out[0], np.concatenate([12.0 - half, [12.0], 12.0 + half[::-1]]))
    np.testing.assert_array_equal(out[1:], quantiles[1:])
    mirrored = widen_lines(-quantiles[:, ::-1], grid, last=-np.array([10.0, 9.0, 5.0]))  # a mirrored line: mirrored
    np.testing.assert_allclose(mirrored[0], -out[0, ::-1])


def test_a_three_value_line_no_rule_continues_gets_an_interval_and_a_checked_one_keeps_zero_width():
    """1 2 3 is too short for an exact rule: its interval was 4 to 4 at every level (real series 3 values on a
    line go on along it 1 time in 5). 1 2 3 4 is the arithmetic rule: 5, exactly."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    short = predictor.predict([1, 2, 3], level=[80, 95])
    assert (short.value, short.exact) == (4.0, False)
    assert short.interval(80) == (3.0, 5.0)  # one step of the line either side at 80%
    lo, hi = short.interval(95)
    assert lo < 3 and hi > 5
    scaled = predictor.predict([10, 20, 30], level=[80])
    assert scaled.interval(80) == (30.0, 50.0)
    ruled = predictor.predict([1, 2, 3, 4], level=[80, 95])
    assert ruled.exact and ruled.interval(95) == (5.0, 5.0)
    bands = predictor.forecast([1, 2, 3], 3, level=80)
    lo, hi = bands.interval(80)
    assert (lo < bands.values).all() and (hi > bands.values).all()
    batch = predictor.predict_batch([[1, 2, 3], [1, 2, 3, 4]], level=[80])
    assert batch.interval(80)[0].tolist() == [3.0, 5.0]
    # adversarial round 17: as much a line, 1 2 3.00001 got 3.99991 to 4.00003, 1 2 3.0000001 4 to 4
    for near in ([1, 2, 3.00001], [1, 2, 3.0000001]):
        lo, hi = predictor.predict(near, level=[80]).interval(80)
        assert lo <= 3.0001 and hi >= 4.9999


def test_a_level_past_the_widest_is_named_as_given():
    """Adversarial round 16: 99.0000001 was refused as "level 99%", beside 99 itself accepted."""
    with pytest.raises(ValueError, match=r"^level 99\.0000001% needs quantiles beyond"):
        check_levels([99.0000001], (0.005, 0.5, 0.995))


def test_a_line_whose_next_value_is_no_float_gets_an_interval_holding_it():
    """Adversarial round 17: 9007199254740990 ..991 ..992 predicted 9007199254740992 (993 is no float64) with
    an interval of zero width, 992 to 992, everywhere: the median on the last value took the line's step as 0."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    line = [9007199254740990, 9007199254740991, 9007199254740992]
    for lo, hi in (
        predictor.predict(line, level=[80]).interval(80),
        tuple(bound[0] for bound in predictor.predict_batch([line, [1, 2, 3]], level=[80]).interval(80)),
        tuple(bound[0] for bound in predictor.forecast(line, 2, level=80).interval(80)),
    ):
        assert lo < 9007199254740992 and hi > 9007199254740993  # (exact comparisons of a float with an int)
    grid = (0.1, 0.5, 0.9)
    at = np.array([[2.0**53] * 3])  # a bound one step out that float64 rounds back in goes out to the next float
    widened = widen_lines(at, grid, last=at[:, 1], read=np.array([3]), previous=at[:, 1] - 1)
    assert widened.tolist() == [[2.0**53 - 1, 2.0**53, 2.0**53 + 2]]


def test_narrowing_quantiles_wider_than_the_float_range_keeps_them_apart():
    """Adversarial round 35a: quantiles of -1.7e308 and 1.7e308 are inf apart; narrowing by that width gave
    +inf below and -inf above, which the ordering spread over every level: 50%, 80% and 95% of
    ``1e308 -1e308 1e308`` were one interval, its lower bound far above what the series scaled down says."""
    quantiles = np.array([[-1.7e308, -1.2e308, -0.5e308, 0.0, 0.5e308, 1.2e308, 1.7e308]])
    factors = np.full((len(LENGTH_BUCKETS), len(GRID) // 2), -0.2)  # narrowing every pair
    calibrated = Calibration(GRID, factors, 0).apply(quantiles, np.array([5]))
    scaled = Calibration(GRID, factors, 0).apply(quantiles / 1e10, np.array([5])) * 1e10
    np.testing.assert_allclose(calibrated, scaled, rtol=1e-12)
    assert np.isfinite(calibrated).all() and (np.diff(calibrated) > 0).all()


def test_the_shipped_intervals_near_the_float_limit_nest_and_keep_their_sign():
    from numseries.predict import Predictor

    levels = [50, 80, 95]
    near = Predictor.from_pretrained().predict([1e308, -1e308, 1e308], level=levels).intervals
    scaled = Predictor.from_pretrained().predict([1e307, -1e307, 1e307], level=levels).intervals
    for inner, outer in zip(levels, levels[1:], strict=False):
        assert near[outer][0] < near[inner][0] and near[inner][1] < near[outer][1]  # each level its own
    assert near[50][0] < 0 < scaled[50][1] and scaled[50][0] < 0  # as 10x the series a tenth the size


def test_a_line_no_rule_continues_gets_the_readme_interval():
    """Adversarial round 35a: the README promised every arithmetic progression a zero-width interval; without
    rules a line is widened as a 3-value one is, and the README says so with this example."""
    from pathlib import Path

    from numseries.predict import Predictor

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    lo, hi = Predictor.from_pretrained(rules=False).predict([2, 4, 6, 8, 10], level=[80]).intervals[80]
    assert f"`2 4 6 8 10` without rules, 80% from {lo:g} to {hi:g}" in readme
    assert Predictor.from_pretrained().predict([2, 4, 6, 8, 10], level=[80]).intervals[80] == (12, 12)


def _shipped_copy(tmp_path):
    import shutil

    from numseries.weights import shipped_weights_dir

    return Path(shutil.copytree(shipped_weights_dir(), tmp_path / "weights"))


def test_a_calibration_records_its_weights_and_is_refused_beside_others(tmp_path):
    """Adversarial round 38: calibration.json named no weights, so after new weights were copied over a folder
    by hand its factors, measured on the old ones, were applied without a word."""
    import json

    from numseries.predict import Predictor
    from numseries.weights import file_sha256

    folder = _shipped_copy(tmp_path)
    path = folder / "calibration.json"
    values = json.loads(path.read_text())
    assert values["weights_sha256"] == file_sha256(folder / "model.safetensors")  # the shipped one records them
    Predictor.from_pretrained(folder)  # its own weights: loads
    path.write_text(json.dumps({**values, "weights_sha256": "0" * 64}))
    with pytest.raises(ValueError, match=r"was measured on other weights than .*model.safetensors \(copied over"):
        Predictor.from_pretrained(folder)
    assert Predictor.from_pretrained(folder, calibrated=False).calibration is None  # the way around it, as named
    del values["weights_sha256"]  # a file from before digests: taken as it is
    path.write_text(json.dumps(values))
    assert Predictor.from_pretrained(folder).calibration is not None


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),  # was a RecursionError
        (lambda path: path.mkdir(), "is not a file"),  # was skipped: uncalibrated intervals, no word
    ],
    ids=["nested", "folder"],
)
def test_a_damaged_calibration_is_one_line_naming_it(tmp_path, damage, message):
    from numseries.predict import Predictor

    folder = _shipped_copy(tmp_path)
    (folder / "calibration.json").unlink()
    damage(folder / "calibration.json")
    with pytest.raises(ValueError, match=message) as info:
        Predictor.from_pretrained(folder)
    assert "\n" not in str(info.value) and "calibration" in str(info.value)


def test_decimals_are_not_read_from_values_float64_holds_a_few_ulps_apart():
    """Adversarial round 58: 1e12 + 0.001 k passed as 'recorded to 1 decimal' (18 ulps of rounding forgiven at
    1e13), its interval rounded out to 0.1, 60 steps wide; values at 1e10 a few ulps apart likewise."""
    rows = np.array([
        [1e12, 1e12 + 0.002, 1e12 + 0.001, 1e12 + 0.003],
        [1e10, 1e10 + 12e-6, 1e10 + 5e-6, 1e10 + 19e-6],  # (1 or 2 ulps apart: no telling them from rounding)
        [1e9, 1e9 + 2e-6, 1e9 + 1e-6, 1e9 + 3e-6],
        [1e8 + 0.1, 1e8 + 0.2, 1e8 + 0.3, 1e8 + 0.5],  # one decimal float64 tells
        [1e10 + 0.1, 1e10 + 0.2, 1e10 + 0.3, 1e10 + 0.4],
    ])
    np.testing.assert_array_equal(recorded_decimals(rows, np.full(5, 4)), [-1, -1, -1, 1, 1])
    np.testing.assert_array_equal(recorded_decimals(np.repeat(rows, 20, axis=0), np.full(100, 4))[::20], [-1, -1, -1, 1, 1])


def test_a_line_at_a_large_offset_gets_an_interval_a_step_wide():
    """Adversarial round 58: 1e10 + 0.1 t, which no rule continues (steps float64 holds 1 ulp unequal), got a
    band of an ulp or two, rounded to one value at 80% and 95% with '(no exact rule)'."""
    from numseries.predict import Predictor

    for values, rules in (([1e10 + 0.1 * k for k in range(1, 6)], True), ([1e8 + 0.1 * k for k in range(1, 6)], False)):
        predictor = Predictor.from_pretrained(rules=rules)
        prediction = predictor.predict(values, level=[80, 95])
        assert not prediction.exact
        for level in (80, 95):
            lo, hi = prediction.interval(level)
            assert lo < prediction.value < hi and hi - lo >= 0.1


def test_floats_past_2_53_are_no_counts():
    """Adversarial round 58: every float from 2**53 up is whole, so 1e300 2e300 ... stopped at 0 as a count."""
    rows = np.array([[1e300, 2e300, 1.5e300, 3e300], [1.0, 3, 2, 4], [2.0**53, 2.0**53 + 2, 2.0**53 + 4, 2.0**53 + 2]])
    decimals = recorded_decimals(rows, np.full(3, 4))
    np.testing.assert_array_equal(never_below_zero(rows, np.full(3, 4), decimals), [False, True, False])


def test_values_from_arithmetic_keep_their_recorded_decimals():
    """Adversarial round 59: a count's 1 beside 0.1 * 10 (1.0000000000000002), 2.1 beside 0.7 * 3, 20.05 beside
    10.03 + 10.02 (pandas' sums and means) lost their decimals to the round-58 check, and the count its floor."""
    rows = np.array([
        [3, 1, 0.1 * 10, 1, 4, 1, 2, 1],
        [19.99, 20.05, 10.03 + 10.02, 20.1, 20.08, 20.12, 20.2, 20.15],
        [1.5, 2.1, 0.7 * 3, 2.4, 1.8, 2.2, 2.0, 2.1],
        [1e10, 1e10 + 12e-6, 1e10 + 5e-6, 1e10 + 19e-6, 1e10 + 7e-6, 1e10, 1e10 + 3e-6, 1e10 + 15e-6],  # still none
    ])
    np.testing.assert_array_equal(recorded_decimals(rows, np.full(4, 8)), [0, 2, 1, -1])
    np.testing.assert_array_equal(recorded_decimals(np.repeat(rows, 20, axis=0), np.full(80, 8))[::20], [0, 2, 1, -1])
    from numseries.predict import Predictor

    for level in (80, 95):
        assert Predictor.from_pretrained().predict(rows[0], level=[level]).interval(level)[0] >= 0
