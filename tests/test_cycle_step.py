"""A window that repeats a cycle, which predicts its own last values one step at a time better than predict's own
step does, takes the cycle's step: the value a cycle back moved by the cycle's drift, with the cycle's own weights
and an interval from its misses; a forecast that repeats the cycle gets the cycle's bands from step 2."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from conftest import predict_cli
from numseries.forecast import cycle_bands, cycle_drift, cycle_drifts, cycle_weights, seasonal_paths
from numseries.predict import Predictor
from numseries.series import padded_rows

WEEK = np.array([121, 130, 127, 135, 160, 89, 79], dtype=np.float64)  # a store's visitors by weekday
# five weeks of it, typed with noise of about 1 (adversarial round 66: step 1 went on by 117.9, the week's 121)
VISITORS = [121, 130, 127, 135, 160, 89, 79, 122, 131, 126, 135, 161, 88, 80, 121, 129, 127, 136, 160, 89, 79, 120,
            130, 128, 135, 159, 90, 79, 121, 131, 127, 134, 160, 89, 80]  # fmt: skip


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained()


def _weeks(count: int, sd: float, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """``count`` noisy weekly series of 28-63 values, each its own scaled week and phase, and their next values."""
    rng = np.random.default_rng(seed)
    windows, nexts = [], []
    for _ in range(count):
        n, week, phase = int(rng.integers(28, 64)), WEEK * rng.uniform(0.9, 1.1, 7), int(rng.integers(7))
        series = np.tile(week, 11)[phase : phase + n + 1] + rng.normal(0, sd, n + 1)
        windows.append(series[:n])
        nexts.append(series[n])
    return windows, np.array(nexts)


@pytest.mark.parametrize("n", [14, 20, 21, 35, 40])
@pytest.mark.parametrize("trend", [0.0, 0.7])
def test_the_cycle_weights_give_the_cycle_step(n, trend):
    t = np.arange(n, dtype=np.float64)
    window = 50 + trend * t + np.tile(WEEK - WEEK.mean(), 6)[:n] + np.random.default_rng(n).normal(0, 0.3, n)
    weights = cycle_weights(window, 7)
    assert weights @ window == pytest.approx(window[-7] + cycle_drift(window, 7), rel=1e-12)
    path, cycles = seasonal_paths([window], 1)
    assert cycles.tolist() == [7] and weights @ window == pytest.approx(path[0, 0], rel=1e-12)
    if trend == 0.0 and n >= 21:  # no drift in the cycles' means: the value a cycle back, alone
        assert cycle_drift(window, 7) == 0.0 and weights.tolist() == np.eye(n)[n - 7].tolist()


@pytest.mark.parametrize("offset", [0.0, 1e6, 1e14])
def test_the_drifts_of_a_batch_are_each_window_s_drift(offset):
    rng = np.random.default_rng(int(offset) % 1000)
    windows, cycles = [], []
    for _ in range(500):  # cycles of 2-19 values, 2 or more of them, with or without a trend worth keeping
        k = int(rng.integers(2, 20))
        n, t = int(rng.integers(2 * k, 65)), np.arange(64.0)
        trend = rng.normal() * rng.choice([0.0, 0.1, 1.0]) * t
        windows.append((offset + trend + np.tile(rng.normal(size=k), 32)[:64] + rng.normal(0, rng.choice([0.01, 1.0]), 64))[:n])
        cycles.append(k)
    one_by_one = np.array([cycle_drift(window, k) for window, k in zip(windows, cycles, strict=True)])
    at_once = cycle_drifts(*padded_rows(windows), np.array(cycles))
    assert ((one_by_one == 0) == (at_once == 0)).all()  # the same slopes kept
    assert 0 < (one_by_one != 0).mean() < 1
    np.testing.assert_allclose(at_once, one_by_one, rtol=1e-9, atol=1e-12)


def test_a_noisy_week_is_predicted_by_its_cycle_with_its_weights_and_a_narrow_interval(shipped, monkeypatch):
    x = np.array(VISITORS, dtype=np.float64)
    with monkeypatch.context() as patch:  # the network's own step, as the README quotes it
        patch.setattr("numseries.forecast.PREFER_CYCLE", 0.0)
        network = shipped.predict(x, level=[80])
    assert round(network.value, 1) == 117.9 and network.interval(80) == (90.0, 136.0) and network.cycle == 0
    result = shipped.predict(x, level=[80])
    assert result.cycle == 7 and not result.exact
    assert result.value == 121.0 and result.interval(80) == (119.0, 123.0)  # as the README says
    assert result.value == pytest.approx(x[-7] + cycle_drift(x, 7))
    assert 120 <= result.value <= 122  # every earlier first day of the week was 120-122
    assert result.weights @ x == pytest.approx(result.value, rel=1e-12)  # the cycle's own coefficients
    lo, hi = result.interval(80)
    assert lo <= 121 <= hi and hi - lo <= 6  # the network's own was 90 to 136
    walk = np.cumsum(np.random.default_rng(2).normal(size=35))
    batch = shipped.predict_batch([x, walk], level=[80])
    assert batch.cycles.tolist() == [7, 0] and batch.values[0] == result.value
    assert batch.row(0).cycle == 7 and batch.row(1).cycle == 0
    forecast = shipped.forecast(x, 14, level=[80])
    assert forecast.cycle == 7 and forecast.values[0] == result.value  # step 1 is predict's, and the cycle's
    expected, _ = seasonal_paths([x], 14)
    np.testing.assert_allclose(forecast.values, expected[0])
    low, high = forecast.interval(80)
    assert (high - low)[1:].max() <= 8  # the network's bands moved onto the cycle were 40-110 wide


def test_the_cycle_step_beats_the_network_on_noisy_weeks_and_its_interval_holds(shipped, monkeypatch):
    windows, nexts = _weeks(300, 3.0, seed=69)
    batch = shipped.predict_batch(windows, level=[80, 95])
    taken = batch.cycles == 7
    assert taken.sum() >= 150
    lo, hi = batch.interval(80)
    held = (lo <= nexts) & (nexts <= hi)
    assert 0.72 <= held[taken].mean() <= 0.9
    with monkeypatch.context() as patch:
        patch.setattr("numseries.forecast.PREFER_CYCLE", 0.0)  # never taken: the network's own step
        network = shipped.predict_batch(windows, level=[80])
    assert (network.cycles == 0).all()
    error_cycle = np.abs(batch.values - nexts)[taken].mean()
    assert error_cycle < 0.6 * np.abs(network.values - nexts)[taken].mean()
    low, high = network.interval(80)
    assert np.median((hi - lo)[taken]) < 0.6 * np.median((high - low)[taken])


@pytest.mark.parametrize("scale", [1e160, 1e300])
def test_a_cycle_of_huge_values_gets_the_same_step_and_finite_intervals(shipped, scale):
    # the cycle's backtest misses, drift and spread were squared as they stood: past about 1e154 they overflowed
    # to inf, and the 80% interval of five weeks of visitors times 1e160 was (nan, nan), with exit 0 in the CLI
    x = np.array(VISITORS, dtype=np.float64)
    one = shipped.predict(x, level=[80, 95])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing overflows on the way either
        huge = shipped.predict(x * scale, level=[80, 95])
        batch = shipped.predict_batch([x * scale, x], level=[80])
        forecast = shipped.forecast(x * scale, 10, level=[80])
    assert huge.cycle == one.cycle == 7
    assert huge.value == pytest.approx(one.value * scale, rel=1e-12)
    for level in (80, 95):
        lo, hi = huge.interval(level)
        assert np.isfinite([lo, hi]).all() and lo <= huge.value <= hi
        # within the interval at scale 1, which is rounded out to whole visitors (the values are whole numbers)
        assert one.interval(level)[0] <= lo / scale < one.value < hi / scale <= one.interval(level)[1]
    assert batch.values[0] == huge.value and np.isfinite(batch.interval(80)).all()
    assert np.isfinite(forecast.interval(80)).all() and forecast.values[0] == huge.value
    assert cycle_drift(x * scale, 7) == pytest.approx(cycle_drift(x, 7) * scale, rel=1e-9)


def test_cycle_bands_widen_by_the_root_of_the_cycles_ahead():
    window = np.tile(WEEK, 4) + np.random.default_rng(5).normal(0, 2, 28)
    paths, cycles = seasonal_paths([window], 21, np.array([7.0]))  # (its periods() reads 14 here: two weeks)
    bands = cycle_bands([window], cycles, paths, (80.0, 95.0))
    for band in bands.values():
        width = band[0, :, 1] - band[0, :, 0]  # (21,)
        np.testing.assert_allclose(width[:7], width[0])
        np.testing.assert_allclose(width[7:14], width[0] * np.sqrt(2))
        np.testing.assert_allclose(width[14:], width[0] * np.sqrt(3))
        np.testing.assert_allclose(band[0].mean(axis=1), paths[0])
    assert (bands[95.0][0, :, 1] - bands[95.0][0, :, 0] > bands[80.0][0, :, 1] - bands[80.0][0, :, 0]).all()
    residual = window[7:] - window[:-7] - cycle_drift(window, 7)
    # Student's t at 0.9 with 14 degrees of freedom (28 values, 14 past two cycles of 7): 1.3450
    assert bands[80.0][0, 0, 1] - paths[0, 0] == pytest.approx(1.3450 * np.sqrt(np.mean(residual**2)), rel=1e-3)


def test_an_exact_cycle_is_still_an_exact_rule_and_one_that_moves_by_a_constant_too(shipped):
    x = np.tile([1.0, 5.0, 2.0, 8.0], 6)
    result = shipped.predict(x)
    assert result.exact and result.value == 1.0 and result.cycle == 0
    assert shipped.predict_batch([x]).cycles.tolist() == [0]
    # a week each 1.5 higher than the last: before this rule, its cycle's step with zero misses, whose interval a
    # line's widening took to -47 .. 82 about 17.5
    stairs = np.tile(WEEK, 5) + np.repeat(np.arange(5.0), 7) * 1.5
    result = shipped.predict(stairs, level=[80])
    assert result.exact and result.value == stairs[-7] + 1.5 and result.cycle == 0
    assert result.pattern == "period 7, each cycle +1.5: x[t] = x[t-7] + 1.5"


def test_the_cli_json_and_server_say_which_cycle(shipped, capsys):
    code, out, err = predict_cli(capsys, *map(str, VISITORS), "--json")
    assert code == 0 and json.loads(out)["cycle"] == 7
    code, out, err = predict_cli(capsys, *map(str, VISITORS))
    assert code == 0 and "the prediction is the value 7 steps back" in err
    code, out, err = predict_cli(capsys, *map(str, VISITORS), "--steps", "9")
    assert code == 0 and "(the last 7 values repeated)" in out
    code, out, _ = predict_cli(capsys, "3", "1", "4", "1", "5", "9", "2", "6", "--json")
    assert code == 0 and json.loads(out)["cycle"] is None
    from fastapi.testclient import TestClient

    from numseries.serve import create_app

    client = TestClient(create_app())
    answer = client.post("/predict", json={"values": VISITORS}).json()
    assert answer["cycle"] == 7 and answer["prediction"] == pytest.approx(shipped.predict(VISITORS).value)
    batch = client.post("/predict/batch", json={"series": [VISITORS, [1, 2, 4, 7, 11]]}).json()
    assert [p["cycle"] for p in batch["predictions"]] == [7, None]
