"""Forecast paths that run away (a step over twice the window's largest), or whose window backtests better read
short, are read again from the window's last values."""

from __future__ import annotations

import json

import numpy as np
import pytest

import numseries.forecast as forecast_module
from conftest import predict_cli
from numseries.forecast import (
    LOG_PATHS,
    RUNAWAY,
    SHORT_READ,
    _turning,
    backtests_shorter,
    guarded_roll_out,
    roll_out,
    runs_away,
    step_decay,
    step_growth,
)
from numseries.predict import Predictor
from numseries.realdata import load_series
from numseries.series import padded_rows


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained(rules=False)


@pytest.fixture(scope="module")
def decline():
    """Brazil's fertility rate, 32 years falling steadily from 5.33 to 2.40 (the last steps about -0.025)."""
    return np.asarray(load_series()["fertility"]["BRA"][8:40], dtype=np.float64)


def test_runs_away_compares_each_path_step_with_the_windows_largest_step():
    windows = [np.array([0.0, 1.0, 2.0, 3.0]), np.array([5.0, 4.0, 4.5]), np.array([0.0, -2.0, -1.0, 0.0, 1.0])]
    paths = np.array(
        [
            [4.0, 6.0 + 1e-9],  # its second step is 2.000000001: over twice the largest (1)
            [2.4, 0.4],  # steps of 2.1 and 2 against a largest of 1: over
            [5.0, 9.0],  # steps of 4 and 4 against a largest of 2: not over
        ]
    )
    assert runs_away(windows, paths).tolist() == [True, True, False]
    assert not runs_away(windows[:1], np.array([[5.0, 7.0]])).any()  # exactly twice: not over


def test_a_smooth_decline_whose_long_read_path_runs_away_is_read_from_its_last_values(shipped, decline):
    unguarded, _, _ = roll_out(shipped, [decline], 8, (), 0, [])
    assert runs_away([decline], unguarded)[0]  # the network's path from all 32 values turns and climbs
    short, _, _ = roll_out(shipped, [decline[-SHORT_READ:]], 8, (), 0, [])
    in_logs, _, _ = roll_out(shipped, [np.log(decline[-SHORT_READ:])], 8, (), 0, [])
    values, _, _, read, _, log_path, _ = guarded_roll_out(shipped, [decline], 8, (), 0, [])
    assert read.tolist() == [SHORT_READ]
    assert values[0, 0] == unguarded[0, 0] == pytest.approx(shipped.predict(decline).value, rel=1e-6)
    # from step 2 the path read from those 12 values: in logarithms, which backtested better (since round 46)
    assert [LOG_PATHS[code] for code in log_path] == ["decay"]
    np.testing.assert_allclose(values[0, 1:], np.exp(in_logs[0, 1:]), rtol=1e-12)
    assert not runs_away([decline], values)[0]
    assert np.all(np.diff(values[0]) < 0)  # it keeps falling, as the series did after (2.36, 2.32, ... 1.94)
    future = np.asarray(load_series()["fertility"]["BRA"][40:48], dtype=np.float64)
    assert np.abs(values[0, 1:] - future[1:]).mean() < np.abs(short[0, 1:] - future[1:]).mean()


def test_the_guard_leaves_ordinary_paths_and_short_windows_alone(shipped):
    rng = np.random.default_rng(1)
    t = np.arange(40.0)
    windows = [np.sin(t / 3), 0.5 * t + rng.normal(0, 0.3, 40), np.cumsum(rng.normal(size=12))]
    guarded, _, _, read, _, _, _ = guarded_roll_out(shipped, windows, 6, (), 0, [])
    plain, _, _ = roll_out(shipped, windows, 6, (), 0, [])
    assert read.tolist() == [40, 40, 12]
    np.testing.assert_array_equal(guarded, plain)


@pytest.mark.parametrize("paths", [None, 50])
def test_forecast_bands_follow_the_path_read_again(shipped, decline, paths):
    forecast = shipped.forecast(decline, 8, level=[80], paths=paths)
    assert forecast.read == SHORT_READ
    lo, hi = forecast.interval(80)
    assert np.all(lo <= forecast.values) and np.all(forecast.values <= hi)
    assert hi[-1] < decline[-1]  # the whole band at 8 steps is below the last value: no climb in it
    sine = np.sin(np.arange(40.0) / 3)
    batch = shipped.forecast_batch([decline, decline[-20:], sine], 8, level=[80], paths=paths)
    assert batch.read.tolist()[0] == SHORT_READ and batch.read.tolist()[2] == 40


def test_the_cli_says_when_the_path_was_read_again_and_json_gives_how_many_values(capsys, decline):
    values = [f"{v:g}" for v in decline]
    code, out, err = predict_cli(capsys, *values, "--steps", "8")
    assert code == 0
    assert f"a step over {RUNAWAY:g}x their largest" in err and f"from the last {SHORT_READ} values" in err
    code, out, _ = predict_cli(capsys, *values, "--steps", "8", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["forecast_read"] == SHORT_READ and answer["n_used"] == 32
    code, out, err = predict_cli(capsys, "3", "6.1", "9.2", "12", "14.9", "--steps", "3", "--json")
    assert json.loads(out)["forecast_read"] == 5 and "ran away" not in err


def test_a_long_smooth_curve_that_backtests_better_read_short_is_forecast_from_its_last_values(shipped):
    t = np.arange(72.0)
    curve = 1 / (1 + np.exp(-(t - 30) / 8))  # a logistic curve: 64 values given, the 8 after them to forecast
    window, after = curve[:64], curve[64:]
    assert not runs_away([window], roll_out(shipped, [window], 8, (), 0, [])[0])[0]
    assert backtests_shorter(shipped, [window], 8).tolist() == [True]
    whole = roll_out(shipped, [window], 8, (), 0, [])[0][0]
    forecast = shipped.forecast_batch([window], 8)
    # step 1 is predict's, read whole (here from the step sizes, where the network's step overshoots: 0.985938,
    # where 0.985937 comes next; test_step_read.py)
    assert forecast.read.tolist() == [SHORT_READ] and forecast.values[0, 0] == shipped.predict(window).value
    assert np.abs(forecast.values[0] - after).mean() < np.abs(whole - after).mean() / 10
    # too few values before the backtested ones for a shorter read: never preferred
    assert backtests_shorter(shipped, [window[-SHORT_READ - 8 :]], 8).tolist() == [False]


def test_a_long_forecast_band_of_a_river_stays_within_the_flows_it_has_seen(shipped):
    """The Nile's flow, 30 years: summed one-step reaches put the 80% band below 0 by step 8; the window's
    range (774 to 1370) bounds it: from step 2 no further than 0.65 of the range from the path at 80%."""
    nile = np.asarray(load_series()["nile"]["volume"][:30], dtype=np.float64)
    forecast = shipped.forecast_batch([nile], 8, level=[80, 95])
    spread = nile.max() - nile.min()
    for level, share in ((80, 0.6539), (95, 1.0)):
        lo, hi = forecast.interval(level)
        reach = np.maximum(forecast.values - lo, hi - forecast.values)[0, 1:]
        assert (reach <= share * spread + 1).all() and (lo > 0).all()  # + 1: bounds rounded out to whole flows


def test_a_path_read_again_from_the_last_values_keeps_the_whole_windows_range_cap(shipped):
    """24 values of a sine, 24 steps: read again from its last 12 values, whose length is below the cap's 17,
    the 80% band reached 5.8 from the path, 4x the 0.65 of the window's range (2) that caps it."""
    sine = np.round(np.sin(np.arange(24) / 2), 4)
    forecast = shipped.forecast_batch([sine], 24, level=[80, 95])
    assert forecast.read[0] == SHORT_READ  # the case in question: the path was read again
    spread = sine.max() - sine.min()
    for level, share in ((80, 0.6539), (95, 1.0)):
        lo, hi = forecast.interval(level)
        reach = np.maximum(forecast.values - lo, hi - forecast.values)[0, 1:]
        assert (reach <= share * spread + 1e-4).all()  # + 1e-4: bounds rounded out to the values' 4 decimals


def test_a_backtest_takes_the_path_of_a_window_forecast_from_the_same_values(shipped, monkeypatch):
    """Rolling origins 4 values apart: each window's backtest of its last 4 values starts from the previous
    window's values, whose path the forecast already rolled out: it is taken from there (fewer rows rolled
    out), and the answers are the same as rolling it out again."""
    import numseries.forecast as forecast

    series = np.asarray(load_series()["fertility"]["BRA"][:56], dtype=np.float64)
    windows = [series[:cut] for cut in (44, 48, 52, 56)]  # each window's first 4 values before the next's last 4
    values, _, _ = roll_out(shipped, windows, 4, (), 0, [])
    counted = []
    real_roll_out = forecast.roll_out
    monkeypatch.setattr(forecast, "roll_out", lambda p, w, *a: counted.append(len(w)) or real_roll_out(p, w, *a))
    alone = backtests_shorter(shipped, windows, 4)
    taken = backtests_shorter(shipped, windows, 4, known=(windows, values))
    assert counted == [8, 5]  # 4 whole reads and 4 short ones; then the first window's whole read alone
    np.testing.assert_array_equal(taken, alone)
    assert alone[1:].all()  # this smooth decline backtests better read short
    perfect = values.copy()
    perfect[:3] = [window[-4:] for window in windows[1:]]  # known paths that hit what followed exactly
    assert not backtests_shorter(shipped, windows, 4, known=(windows, perfect))[1:].any()  # they are read
    monkeypatch.undo()
    past_path, _, _ = roll_out(shipped, [windows[0]], 4, (), 0, [])
    np.testing.assert_allclose(values[0], past_path[0], rtol=1e-6)  # the same path, in any batch


# A noisy line rising 3 a step (adversarial round 5): its 100-step path doubled every step from about step 46
NOISY_LINE = [0.17, 3.41, 6.17, 8.35, 12.45, 15.22, 17.73, 21.29, 24.18, 27.15, 30.01, 33.27, 35.63, 38.92, 41.76, 45.3,
              48.02, 50.85, 53.61, 56.87, 60.0, 62.86, 66.65, 69.5, 70.64, 74.06, 77.91, 80.79, 84.11, 87.11, 91.06, 92.44]  # fmt: skip


def test_a_long_path_that_runs_away_goes_on_at_the_windows_mean_step(shipped, monkeypatch):
    window = np.array(NOISY_LINE)
    mean_step = (window[-1] - window[0]) / (len(window) - 1)
    forecast = shipped.forecast(window, 100, level=[50, 80])
    assert forecast.steady is not None and 2 < forecast.steady <= 100
    kept = forecast.steady - 2  # the last step (0-based) of the network's path
    np.testing.assert_allclose(np.diff(forecast.values[kept:]), mean_step, rtol=1e-9)
    assert abs(forecast.values[-1] - (window[-1] + 100 * mean_step)) < 100  # a line's reach, not 2.8e17
    lo50, hi50 = forecast.interval(50)
    lo80, hi80 = forecast.interval(80)
    assert np.isfinite([lo80, hi80]).all() and (lo80 <= lo50).all() and (hi50 <= hi80).all()
    assert (lo80 <= forecast.values).all() and (forecast.values <= hi80).all()
    assert (np.diff(hi80[kept:] - lo80[kept:]) >= 0).all()  # from there the band only widens
    # up to there the path is the network's, as without the check, which went on to 2.8e17
    monkeypatch.setattr(forecast_module, "STEADY", np.inf)
    unchecked = shipped.forecast(window, 100)
    np.testing.assert_array_equal(unchecked[: kept + 1], forecast.values[: kept + 1])
    line = window[-1] + 100 * mean_step
    assert abs(unchecked[-1] - line) > 2 * abs(forecast.values[-1] - line) + 100  # it climbed away from the line


def test_short_windows_stay_within_a_lines_reach_over_long_horizons(shipped):
    paths = shipped.forecast_batch([[3, 6.1, 9.2, 12], NOISY_LINE[:8], [5.0, 4.0, 6.0, 5.5, 4.8]], 300, level=[80])
    assert np.isfinite(paths.values).all() and np.abs(paths.values).max() < 1e4
    assert np.isfinite(paths.interval(80)).all()
    assert paths.steady is not None and (paths.steady >= 0).all()


def test_the_cli_says_from_which_step_the_path_goes_on_steadily(capsys):
    code, out, err = predict_cli(capsys, *map(str, NOISY_LINE), "--steps", "100", "--json")
    assert code == 0, err
    steady = json.loads(out)["forecast_steady"]
    assert isinstance(steady, int) and f"note: from step {steady} the path goes on at the mean step" in err
    assert json.loads(predict_cli(capsys, *map(str, NOISY_LINE), "--steps", "8", "--json")[1])["forecast_steady"] is None


def test_step_growth_is_an_exponentials_ratio_and_one_for_lines_walks_and_decays():
    windows = [
        [1, 2, 4.1, 8, 16.2, 32, 64.5],  # doubling, 1% noise
        [64.5, 32, 16.2, 8, 4.1, 2, 1],  # halving: its steps shrink
        [0, 3.1, 5.9, 9.2, 12, 15.1],  # a noisy line
        [49.28, 46.34, 45.6, 45.54, 44.75, 43.81, 41.78],  # a walk whose last steps grew by chance: 13x, 1.19x, 2.16x
        [5, -10, 20, -40, 80],  # steps that change sign
        [1, 2, 3],  # too few steps to tell
    ]
    growth, way = step_growth(*padded_rows([np.asarray(w, dtype=np.float64) for w in windows]))
    assert 1.9 < growth[0] < 2.1 and way[0] == 1
    np.testing.assert_array_equal(growth[1:], 1.0)
    np.testing.assert_array_equal(way[1:], 0.0)
    growth, way = step_growth(*padded_rows([-np.asarray(windows[0], dtype=np.float64)]))
    assert 1.9 < growth[0] < 2.1 and way[0] == -1  # the mirror grows the other way


def test_exponential_growth_is_forecast_as_growth_not_flattened_to_a_line(shipped):
    # adversarial round 6: from step 2 these paths went on at the window's mean step (131, 142, 152, 163)
    forecast = shipped.forecast([1, 2, 4.1, 8, 16.2, 32, 64.5], 4, level=[80])
    assert forecast.steady is None
    truth = 64.5 * 2.0 ** np.arange(1, 5)
    assert (np.abs(forecast.values - truth) < 0.1 * truth).all(), forecast.values
    lo, hi = forecast.interval(80)
    assert (hi - lo)[-1] > (hi - lo)[0]


def test_a_doubling_typed_with_four_values_keeps_growing(shipped):
    # adversarial round 8: with 4 values step_growth read no growth, so the guard ended 94 of 100 such paths
    # by step 3 and went on at the window's mean step (1 2 4 8.1: 16.25, 32.29, 34.65, 37.02)
    rng = np.random.default_rng(8)
    ratios, starts = rng.uniform(1.5, 3, 100), rng.uniform(0.5, 20, 100)
    truth = starts[:, None] * ratios[:, None] ** np.arange(8)  # (100, 8)
    windows = list(np.round(truth[:, :4] * (1 + rng.normal(0, 0.002, (100, 4))), 4))
    paths = shipped.forecast_batch(windows, 4)
    assert paths.steady is not None and not paths.steady.any()
    error = np.abs(paths.values - truth[:, 4:]) / truth[:, 4:]  # (100, 4)
    assert np.median(error[:, -1]) < 0.15, np.median(error, axis=0)  # the mean step's 0.88
    growth, way = step_growth(*padded_rows([np.array([1, 2, 4, 8.1]), np.array([5, 4.6, 5.3, 5.1])]))
    assert 1.9 < growth[0] < 2.1 and way[0] == 1 and growth[1] == 1 and way[1] == 0


def test_steady_steps_bands_are_rounded_to_the_recorded_decimals(shipped):
    counts = [round(v * 100) for v in NOISY_LINE]  # whole numbers: every band is too
    forecast = shipped.forecast(counts, 100, level=[80])
    assert forecast.steady is not None
    lo, hi = forecast.interval(80)
    np.testing.assert_array_equal(lo, np.round(lo))
    np.testing.assert_array_equal(hi, np.round(hi))


def test_a_short_read_of_equal_values_keeps_step_ones_band_at_every_step(shipped):
    # adversarial round 6: a walk ending in 12 equal values (a stuck sensor, zero demand) got zero-width 80%
    # and 95% bands from step 2 on, read from those 12, though step 1's interval from the whole window was wide
    rng = np.random.default_rng(6)
    windows = []
    for _ in range(20):
        walk = np.round(50 + np.cumsum(rng.normal(0, 1, 26)), 1)
        windows.append(np.concatenate([walk, np.full(SHORT_READ, walk[-1])]))
    paths = shipped.forecast_batch(windows, 6, level=[80, 95])
    assert (paths.read == SHORT_READ).any()  # the short read was taken somewhere
    for level in (80, 95):
        lo, hi = paths.interval(level)
        below, above = paths.values - lo, hi - paths.values  # (N, 6)
        assert (below[:, :1] > 0).all() and (above[:, :1] > 0).all()
        grain = 0.1 + 1e-9  # bands are rounded to the recorded decimal around a path that is not
        assert (below[:, 1:] >= below[:, :1] - grain).all() and (above[:, 1:] >= above[:, :1] - grain).all()


def test_a_growing_path_that_turns_the_other_way_is_caught(shipped):
    # adversarial round 7: the growth allowance let a rising exponential's path fall to -1.67e11 by step 77
    forecast = shipped.forecast([9.67, 14.48, 21.82, 34.32, 50.76, 77.58, 115.55], 100, level=[80])
    assert forecast.values.min() > 115.55 and forecast.steady is not None


def test_the_steady_guard_measures_the_values_the_path_was_read_from(shipped):
    # adversarial round 7: a decay settled at 5 was read from its last 12 values but measured against all 40
    # (largest step 400, mean step -25.6): forecast to 1,509 at step 116, then falling 25.6 a step
    window = [round(1000 * 0.6**t + 5, 4) for t in range(40)]
    # (now the network reads its last 12 values whole, read_lengths, and the guard measures those; since a
    # path's windows whose last steps grow one way are read short too, its drift no longer starts at all)
    forecast = shipped.forecast(window, 120, level=[80])
    assert np.abs(forecast.values - 5).max() < 0.001


def test_a_longer_horizon_changes_none_of_a_paths_first_steps(shipped):
    # adversarial round 7: a runaway far out read the whole path again from step 2 (302.61 became 301.22)
    window = np.round(3 * np.arange(100) + np.random.default_rng(7).normal(0, 1, 100), 2)
    short, long = shipped.forecast(window, 50, level=[80]), shipped.forecast(window, 100, level=[80])
    np.testing.assert_array_equal(short.values, long.values[:50])
    np.testing.assert_array_equal(short.interval(80)[0], long.interval(80)[0][:50])
    assert short.read == long.read


def test_a_forecast_shorter_than_the_backtest_is_the_first_steps_of_a_longer_one(shipped):
    """Adversarial round 16: a saturating curve backtested on its last 3 values (steps=3) was read again from
    its last 12, on 5 from all 25: step 2 was 49.9 in [49.1, 50.8] with 3 steps, 51.0 with 5."""
    window = [
        0.32, -0.03, 0.48, 0.33, 0.83, 1.3, 2.66, 3.91, 6.45, 9.25, 13.62, 19.05, 24.88, 31.11, 36.82, 40.8, 44.08,
        46.2, 47.75, 48.46, 49.07, 49.5, 49.69, 49.62, 50.06,
    ]  # fmt: skip
    long = shipped.forecast(window, 12, level=[80])
    for steps in range(2, 12):
        short = shipped.forecast(window, steps, level=[80])
        np.testing.assert_array_equal(short.values, long.values[:steps])
        np.testing.assert_array_equal(np.stack(short.interval(80)), np.stack(long.interval(80))[:, :steps])
        assert (short.read, short.cycle, short.steady) == (long.read, long.cycle, long.steady)


def test_a_long_horizon_goes_on_steadily_where_the_networks_path_would_overflow(shipped):
    # adversarial round 7: 2,000 steps of a noisy line were refused ("overflows float64") though the steady
    # path had the answer; a path that truly follows its growth past the float range is still refused
    forecast = shipped.forecast([3, 6.1, 9.2, 12, 14.8], 2000, level=[80])
    assert np.isfinite(forecast.values).all() and np.isfinite(forecast.interval(80)).all()
    assert forecast.steady is not None and abs(forecast.values[-1] - 14.8 - 2000 * 2.95) < 100
    with pytest.raises(ValueError, match=r"the forecast of the sequence overflows float64 at step \d+; forecast at most"):
        shipped.forecast([1, 2, 4.1, 8, 16.2, 32, 64.5], 2000)
    # adversarial round 11: forecast_batch named the position among the series no rule continued ("sequence 0")
    with pytest.raises(ValueError, match=r"^the forecast of sequence 1 overflows float64 at step 2; forecast at most 1 step,"):
        shipped.forecast_batch([[1, 2, 3, 4], [1e308, 1.5e308, 1.7e308]], 3)
    with pytest.raises(ValueError, match=r"^the forecast of series 'b' overflows float64"):
        shipped.forecast_batch([[1, 2, 3, 4], [1e308, 1.5e308, 1.7e308]], 3, ids=["a", "b"])


def test_a_turn_after_a_plateau_is_not_taken_for_a_runaway(shipped):
    # Afghanistan's fertility rate rising to a plateau and turning down: its last 12 values step by at most
    # 0.045, the path's first steps by 0.08-0.09; at twice the largest step read, the guard sent the path back up
    # at the mean step of those 12 values (7.74, 7.75, 7.77 where 7.62, 7.48, 7.32 followed)
    series = np.asarray(load_series()["fertility"]["AFG"], dtype=np.float64)
    window, after = series[:-12][-64:], series[-12:-8]
    forecast = shipped.forecast(window, 4, level=[80])
    assert forecast.steady is None
    assert (np.diff(forecast.values) < 0).all() and np.abs(forecast.values - after).max() < 0.15


def test_a_noisy_decay_keeps_settling_and_a_wave_near_its_peak_turns(shipped):
    # 100 * 0.7^t with 1% noise, 16 values: the network's paths turned back up or fell past the decay's limit
    # (0) in 20 of 20 windows, by step 6 a median 11 times the true value away; a step back the other way, past
    # the limit, or over twice the last step (shrunk at the window's ratio) now ends the path, which settles on
    rng = np.random.default_rng(4)
    windows, futures = [], []
    for _ in range(20):
        series = 100 * 0.7 ** np.arange(22) * (1 + 0.01 * rng.standard_normal(22))
        windows.append(series[:16])
        futures.append(series[16:])
    paths = shipped.forecast_batch(windows, 6).values
    last = np.array([window[-1] for window in windows])
    assert (np.diff(paths, axis=1) <= 0).all() and (paths > -0.15 * last[:, None]).all()  # the limit 0, as estimated
    relative = np.abs(paths - np.array(futures)) / np.array(futures)
    assert np.median(relative[:, -1]) < 2.0, np.median(relative[:, -1])
    # 12 halvings with 1% noise, of which the network reads the last 8: measured by those, they settle too
    # (a CLI example went 0.011, -0.006, -0.016, ... -0.030 after 0.1, 0.048)
    halvings = [100 * 0.5 ** np.arange(12) * (1 + 0.01 * rng.standard_normal(12)) for _ in range(20)]
    forecast = shipped.forecast_batch(halvings, 6)
    paths = forecast.values
    last = np.array([window[-1] for window in halvings])
    # from step 2 (step 1 is the network's prediction, which misses by up to 1.4 times the last value here)
    assert (np.diff(paths[:, 1:], axis=1) <= 0).all() and (paths > -0.15 * last[:, None]).all()
    # read in logarithms (most of them, since adversarial round 46), they go on halving: within 20% from step 2
    truth = 100 * 0.5 ** np.arange(12, 18)
    logs = forecast.logs
    assert logs.sum() >= 15
    np.testing.assert_allclose(paths[logs, 1:], np.broadcast_to(truth[1:], (int(logs.sum()), 5)), rtol=0.2)
    # a wave's steps shrink on the way to its peak too, their ratios falling faster: it is not taken to settle
    wave = np.sin(np.arange(16) * 0.08)  # its last 8 steps' ratios fall from 0.94 to 0.85
    turning = _turning(*padded_rows([wave, windows[0], 100 * 0.7 ** np.arange(16)]))
    assert turning.tolist() == [True, False, False]


def test_a_settling_decay_and_a_saturating_curve_settle_over_long_horizons(shipped):
    # adversarial round 8: a settled decay (100 e^(-t/5) + 1, 30 values) climbed to 73 by step 75, then fell
    # at the whole window's mean step to -509 by step 200; a noise-free logistic curve ran to 170 by step 24,
    # its 80% band above the plateau of 100
    decay = 100 * np.exp(-np.arange(30) / 5) + 1
    t = np.arange(30)
    logistic = 100 / (1 + np.exp(-(t - 15) / 3))
    paths = shipped.forecast_batch([decay, logistic], 200, level=[80])
    assert np.abs(paths.values[0] - 1).max() < 0.5, paths.values[0][::20]
    assert paths.values[1].max() < 110 and paths.values[1, 23] > 99
    lo, hi = paths.interval(80)
    assert lo[1, 23] < 100 < hi[1, 23]
    shrink, way = step_decay(*padded_rows([decay, logistic, np.array(NOISY_LINE), np.array([5.0, 4, 6, 5.5, 4.8] * 4)]))
    assert 0.8 < shrink[0] < 0.84 and way[0] == -1 and 0 < shrink[1] < 1 and way[1] == 1  # e^(-1/5) = 0.819
    np.testing.assert_array_equal(shrink[2:], 1.0)


@pytest.mark.parametrize("count", [6, 7, 8])
def test_a_short_decay_or_rise_to_a_level_settles_there(shipped, count):
    # adversarial round 11: with 6-8 values (fewer than the 8 steps step_decay read) 10 + 100 * 0.7^t went down
    # to 11.4 and climbed back to 19.6 by step 20; 100 - 90 * 0.7^t rose to 98.7 and fell back to 90.4
    t = np.arange(count)
    decay, rise = np.round(10 + 100 * 0.7**t, 2), np.round(100 - 90 * 0.7**t, 2)
    paths = shipped.forecast_batch([decay, rise], 30).values
    # within 3% of the distance left to the level at step 30 (they settle from step 2 by the network's path of
    # their steps' logarithms, which with 8 values ends 0.21 above 10 of the 8.2 left)
    assert (np.diff(paths[0]) <= 1e-9).all() and abs(paths[0, -1] - 10) < 0.03 * (decay[-1] - 10), paths[0][::5]
    assert (np.diff(paths[1]) >= -1e-9).all() and abs(paths[1, -1] - 100) < 0.03 * (100 - rise[-1]), paths[1][::5]
    # their ratios are one (to rounding); a logarithm's rise all the way, a wave's fall on the way to its peak:
    # neither settles to a level
    log, wave = np.log(np.arange(1, count + 1) + 4.0), np.sin(np.arange(count) * 0.15)
    shrink, way = step_decay(*padded_rows([decay, rise, log, wave]))
    assert np.abs(shrink[:2] - 0.7).max() < 0.01 and way[:2].tolist() == [-1, 1]
    assert shrink[2:].tolist() == [1.0, 1.0] and way[2:].tolist() == [0, 0]


def test_a_longer_horizon_keeps_the_bands_of_the_earlier_steps(shipped):
    # adversarial round 11: from 915 steps on, a noisy line's bands were 0 wide from step 2 to the end (the
    # network's raw path grew to 1e261 far ahead, and the early reaches, divided by that, vanished)
    window = [
        2.041, 0.444, 6.418, 8.432, 11.547, 14.784, 15.98, 20.768, 23.135, 30.323, 30.226, 32.647, 35.719, 38.332,
        40.945, 44.609, 48.482, 50.761, 54.958, 56.8, 60.024, 64.546, 66.545, 68.495, 71.817, 75.541, 79.935, 80.73,
        83.756, 88.002, 89.114, 92.708, 96.883, 99.58, 102.092, 105.67, 105.172, 112.021, 113.04, 115.331,
    ]  # fmt: skip
    short, long = shipped.forecast(window, 100, level=[80]), shipped.forecast(window, 1000, level=[80])
    lo, hi = long.interval(80)
    assert (hi[1:] - lo[1:] > 0).all()
    np.testing.assert_allclose(np.stack(short.interval(80)), np.stack(long.interval(80))[:, :100], rtol=1e-9)


def test_noise_about_a_level_goes_on_flat_from_before_its_path_escalated(shipped):
    # adversarial round 11: 40 values of 5 + N(0, 1): the network's path doubled its steps from step 150 (0.2,
    # 0.4, ... 3.0), was kept up to 10.8 (above every value the window had), then drifted at the first-to-last
    # mean step to -26 by step 1000
    rng = np.random.default_rng(3)
    rng.normal(0, 1, 40)
    window = np.round(5 + rng.normal(0, 1, 40), 3)
    forecast = shipped.forecast(window, 1000, level=[80])
    assert forecast.steady is not None
    assert window.min() <= forecast.values.min() and forecast.values.max() <= window.max()
    assert np.ptp(forecast.values[forecast.steady :]) < 1e-9  # flat: no trend beyond noise
    # a line through noise still goes on at its mean step
    line = np.round(3 * np.arange(40) + rng.normal(0, 1, 40), 3)
    path = shipped.forecast(line, 1000)
    assert path[-1] > line[-1] + 2000
