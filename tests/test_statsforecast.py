"""numseries.statsforecast: NumSeries inside StatsForecast, checked against Predictor.forecast series by series."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Naive
from statsforecast.utils import ConformalIntervals
from utilsforecast.evaluation import evaluate
from utilsforecast.losses import mae

from numseries.generate import generate_batch
from numseries.statsforecast import NumSeries, load_predictor

README = Path(__file__).resolve().parent.parent / "README.md"
COLUMNS = ["NumSeries", "NumSeries-lo-80", "NumSeries-hi-80"]


def assert_forecasts_equal(local: pd.DataFrame, remote: pd.DataFrame) -> None:
    """A forecast computed elsewhere (Spark, Dask, Ray: as pandas) has the local one's rows, columns and numbers
    (to float32: the engines pass values through Arrow)."""
    local = local.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    remote = remote.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    assert list(remote.columns) == ["unique_id", "ds", *COLUMNS]
    assert remote[["unique_id", "ds"]].astype(str).equals(local[["unique_id", "ds"]].astype(str))
    np.testing.assert_allclose(remote[COLUMNS].to_numpy(float), local[COLUMNS].to_numpy(float), rtol=1e-5)


def long_frame(n_series: int = 6, seed: int = 0) -> pd.DataFrame:
    """Generated series of 8 to 40 values (the last one's values are its label) as unique_id, ds, y."""
    batch = generate_batch(n_series, min_len=8, max_len=40, seed=seed)
    frames = []
    for i in range(n_series):
        values = np.append(batch.data[i, : batch.lengths[i]], batch.labels[i])
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(len(values)), "y": values}))
    return pd.concat(frames, ignore_index=True)


def series_of(df: pd.DataFrame) -> dict[str, np.ndarray]:
    return {key: group["y"].to_numpy() for key, group in df.groupby("unique_id", sort=True)}


@pytest.fixture(scope="module")
def predictor():
    return load_predictor(None, True)


def test_forecast_gives_statsforecast_columns_equal_to_the_predictors_forecast(predictor):
    df = long_frame()
    out = StatsForecast(models=[NumSeries(), AutoETS()], freq=1).forecast(df=df, h=4, level=[80])
    assert [c for c in out.columns if c.startswith("NumSeries")] == COLUMNS
    assert {"AutoETS", "AutoETS-lo-80", "AutoETS-hi-80"} <= set(out.columns)
    for key, y in series_of(df).items():
        rows = out[out["unique_id"] == key]
        assert list(rows["ds"]) == list(range(len(y), len(y) + 4))
        expected = predictor.forecast(y, 4, level=[80])
        lo, hi = expected.interval(80)
        np.testing.assert_allclose(rows[COLUMNS].to_numpy(), np.column_stack([expected.values, lo, hi]), rtol=1e-5)
        assert (rows["NumSeries-lo-80"] <= rows["NumSeries-hi-80"]).all()


def test_levels_are_named_as_statsforecast_names_its_own_models_columns():
    """Adversarial round 15: 100/3 was named 33.3333333333333 (Naive: 33.333333333333336), and levels 80 and
    80.00000000000001 named alike crashed the call."""
    levels = [80, 100 / 3, 80.00000000000001]
    out = StatsForecast(models=[NumSeries(), Naive()], freq=1).forecast(df=long_frame(), h=2, level=levels)
    ours = {c.removeprefix("NumSeries") for c in out.columns if c.startswith("NumSeries-")}
    assert ours == {c.removeprefix("Naive") for c in out.columns if c.startswith("Naive-")} and len(ours) == 6


def test_float_levels_are_named_as_given_as_the_other_models_and_utilsforecast_name_them():
    """Adversarial round 40: level=[95.0] named NumSeries' columns lo-95 where statsforecast's models write lo-95.0,
    so a series too short (Naive's lo-95.0) was a KeyError, utilsforecast's evaluate refused the frame, and the
    fitted values of the same call were named lo-95.0."""
    from utilsforecast.losses import coverage

    df = long_frame()
    short = pd.DataFrame({"unique_id": "short", "ds": [0, 1], "y": [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note on the short series
        sf = StatsForecast(models=[NumSeries(), Naive()], freq=1)
        out = sf.forecast(df=pd.concat([df, short], ignore_index=True), h=2, level=[95.0, 80.0], fitted=True)
        fitted = sf.forecast_fitted_values()
    ours = [c.removeprefix("NumSeries") for c in out.columns if c.startswith("NumSeries-")]
    assert ours == ["-lo-95.0", "-lo-80.0", "-hi-80.0", "-hi-95.0"]
    assert set(ours) == {c.removeprefix("Naive") for c in out.columns if c.startswith("Naive-")}
    assert (np.diff(out[["NumSeries" + c for c in ours[:2]] + ["NumSeries"] + ["NumSeries" + c for c in ours[2:]]].to_numpy(), axis=1) >= 0).all()
    assert {"NumSeries-lo-95.0", "NumSeries-hi-80.0"} <= set(fitted.columns)
    cv = StatsForecast(models=[NumSeries()], freq=1).cross_validation(df=df, h=2, n_windows=2, step_size=2, level=[95.0])
    scores = evaluate(cv.drop(columns="cutoff"), metrics=[coverage], level=[95.0])
    assert 0 <= scores["NumSeries"].mean() <= 1


def test_fitted_values_of_levels_int_and_float_are_named_as_naives():
    """Adversarial round 41: level=[80, 95.0] with fitted=True was a KeyError (fitted-lo-80): statsforecast's models
    name fitted bands from np.asarray(level), 80.0 and 95.0."""
    df = long_frame()
    sf = StatsForecast(models=[NumSeries(), Naive()], freq=1)
    sf.forecast(df=df, h=2, level=[80, 95.0], fitted=True)
    fitted = sf.forecast_fitted_values()
    ours = {c.removeprefix("NumSeries") for c in fitted.columns if c.startswith("NumSeries-")}
    assert ours == {c.removeprefix("Naive") for c in fitted.columns if c.startswith("Naive-")} == {
        "-lo-80.0", "-lo-95.0", "-hi-80.0", "-hi-95.0"}


def test_one_model_asked_for_95_then_95_0_names_each_answer_as_asked():
    model, df = NumSeries(), long_frame()
    for level, name in ((95, "NumSeries-lo-95"), (95.0, "NumSeries-lo-95.0"), (95, "NumSeries-lo-95")):
        out = StatsForecast(models=[model], freq=1).forecast(df=df, h=2, level=[level])
        assert name in out.columns, (level, list(out.columns))


def test_an_exact_rule_continues_exactly_with_bands_of_zero_width():
    df = pd.DataFrame({"unique_id": "a", "ds": np.arange(5), "y": [2.0, 4, 6, 8, 10]})
    out = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=3, level=[80, 95])
    assert list(out["NumSeries"]) == [12, 14, 16]
    assert list(out["NumSeries-lo-95"]) == list(out["NumSeries-hi-95"]) == [12, 14, 16]


def test_a_daily_frame_gets_the_next_days():
    df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=6), "y": np.arange(6.0) ** 2})
    out = StatsForecast(models=[NumSeries()], freq="D").forecast(df=df, h=2)
    assert list(out["ds"]) == list(pd.date_range("2024-01-07", periods=2))
    assert list(out["NumSeries"]) == [36, 49]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cross_validation_scores_every_window_in_one_batch_with_the_single_series_numbers(predictor, monkeypatch, dtype):
    df = long_frame(5, seed=1).astype({"y": dtype})
    calls = []
    original = type(predictor).forecast_batch

    def counting(self, sequences, *args, **kwargs):
        calls.append(len(sequences))
        return original(self, sequences, *args, **kwargs)

    monkeypatch.setattr(type(predictor), "forecast_batch", counting)
    cv = StatsForecast(models=[NumSeries(), Naive()], freq=1).cross_validation(df=df, h=2, n_windows=3, step_size=2)
    assert calls[0] == 15  # 5 series x 3 windows in the first call; then one per check below
    assert len(calls) == 1
    monkeypatch.undo()
    for key, y in series_of(df).items():
        rows = cv[cv["unique_id"] == key]
        for cutoff, window in rows.groupby("cutoff"):
            expected = predictor.forecast(y[: cutoff + 1].astype(np.float64), 2)
            np.testing.assert_allclose(window["NumSeries"].to_numpy(), expected, rtol=1e-5)
    scores = evaluate(cv.drop(columns="cutoff"), metrics=[mae])
    assert {"NumSeries", "Naive"} <= set(scores.columns) and np.isfinite(scores["NumSeries"]).all()


def test_cross_validation_without_refit_forwards_the_same_numbers():
    df = long_frame(3, seed=2)
    sf = StatsForecast(models=[NumSeries()], freq=1)
    refit = sf.cross_validation(df=df, h=2, n_windows=2, level=[80])
    forward = sf.cross_validation(df=df, h=2, n_windows=2, level=[80], refit=False)
    np.testing.assert_allclose(forward[COLUMNS].to_numpy(), refit[COLUMNS].to_numpy())


def test_fit_then_predict_equals_forecast_and_fitted_values_are_one_step_predictions(predictor):
    df = long_frame(3, seed=3)
    sf = StatsForecast(models=[NumSeries()], freq=1)
    predicted = sf.fit(df=df).predict(h=3, level=[80])
    forecast = sf.forecast(df=df, h=3, level=[80], fitted=True)
    np.testing.assert_allclose(predicted[COLUMNS].to_numpy(), forecast[COLUMNS].to_numpy())
    fitted = sf.forecast_fitted_values()
    y = series_of(df)["s0"]
    rows = fitted[fitted["unique_id"] == "s0"]["NumSeries"].to_numpy()
    assert np.isnan(rows[0]) and rows[1] == y[0] and rows[2] == y[1]  # too few values before: the last value
    assert rows[5] == pytest.approx(predictor.predict(y[:5]).value, rel=1e-6)
    # with intervals: those Naive predicts get Naive's bands (they were NaN), the others the model's
    sf.forecast(df=df, h=1, level=[80], fitted=True)
    bands = sf.forecast_fitted_values()
    bands = bands[bands["unique_id"] == "s0"]
    naive = Naive().forecast(y=y, h=1, fitted=True, level=[80])
    np.testing.assert_allclose(bands["NumSeries-lo-80"].to_numpy()[1:3], naive["fitted-lo-80"][1:3])
    np.testing.assert_allclose(bands["NumSeries-hi-80"].to_numpy()[1:3], naive["fitted-hi-80"][1:3])
    assert np.isnan(bands["NumSeries-lo-80"].to_numpy()[0])
    assert bands["NumSeries-lo-80"].to_numpy()[5] == pytest.approx(predictor.predict(y[:5], level=[80]).interval(80)[0])


@pytest.mark.parametrize("call", ["forecast", "fit_predict"])
def test_series_too_short_get_naive_with_one_warning_naming_how_many(call):
    df = pd.DataFrame({"unique_id": ["a", "b", "b", "c", "c", "c", "c"], "ds": [0, 0, 1, 0, 1, 2, 3],
                       "y": [5.0, 1.0, 3.0, 1.0, 2.0, 3.0, 4.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = getattr(StatsForecast(models=[NumSeries()], freq=1), call)(df=df, h=2)
    messages = [str(w.message) for w in caught if "NumSeries" in str(w.message)]
    assert len(messages) == 1 and re.search(r"2 of 3 series have fewer than 3 values.*Naive", messages[0])
    assert list(out["NumSeries"]) == [5, 5, 3, 3, 5, 6]


def test_a_worker_warns_of_short_series_as_one_part_of_the_frame():
    """Adversarial round 25: with n_jobs=2 each worker warned '1 of 2 series', as if of the whole call. (In a
    process of its own: workers forked from pytest's would record their warnings where nobody reads them.)"""
    code = (
        "import numpy as np, pandas as pd\n"
        "from statsforecast import StatsForecast\n"
        "from numseries.statsforecast import NumSeries\n"
        "df = pd.DataFrame({'unique_id': np.repeat(['a', 'b', 'c', 'd'], [2, 5, 5, 5]),\n"
        "                   'ds': [0, 1, *range(5)] + [*range(5)] * 2, 'y': np.arange(17, dtype=float)})\n"
        "StatsForecast(models=[NumSeries()], freq=1, n_jobs=2).forecast(df=df, h=2)\n"
    )
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert re.search(r"NumSeries: 1 of \d series of one part of the frame \(statsforecast's workers each warn", err)


@pytest.mark.parametrize("short_id", ["0", "z"])  # the short series first or last
def test_bounds_of_two_levels_stay_in_their_columns_when_some_series_are_short(predictor, short_id):
    """statsforecast stacks each series' columns by position and names them from one series: Naive's order
    (lo-80, lo-95) under NumSeries' (lo-95, lo-80) put one set of series' 80% bounds in the 95% columns."""
    ya = [0.13, -0.01, 0.63, 0.74, 0.2, 0.56, 1.87, 2.82, 2.11, 0.85]
    df = pd.DataFrame({"unique_id": ["a"] * 10 + [short_id] * 2, "ds": [*range(10), 0, 1], "y": ya + [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note on the short series
        out = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=2, level=[95, 80])
    names = ["NumSeries-lo-95", "NumSeries-lo-80", "NumSeries", "NumSeries-hi-80", "NumSeries-hi-95"]
    assert [c for c in out.columns if c.startswith("NumSeries")] == ["NumSeries", *names[:2], *names[3:]]
    assert (np.diff(out[names].to_numpy(), axis=1) >= 0).all()  # nested bands around the forecast, every row
    expected = predictor.forecast(ya, 2, level=[80, 95])
    rows = out[out["unique_id"] == "a"]
    np.testing.assert_allclose(rows["NumSeries-lo-80"], expected.interval(80)[0], rtol=1e-6)
    np.testing.assert_allclose(rows["NumSeries-lo-95"], expected.interval(95)[0], rtol=1e-6)


@pytest.mark.parametrize("call", ["forecast", "fit_predict", "cross_validation"])
def test_a_series_with_a_missing_value_is_refused_naming_it(call):
    """Adversarial round 4: the error named 'sequence 0' for whichever series held the NaN."""
    df = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 5, "ds": [*range(5)] * 2,
                       "y": [1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, np.nan, 4.0, 5.0]})
    sf = StatsForecast(models=[NumSeries()], freq=1)
    with pytest.raises(ValueError, match=r"^series 'b' has nan at value 3 of \d; NumSeries needs finite values.*dropna"):
        sf.cross_validation(df=df, h=1, n_windows=2) if call == "cross_validation" else getattr(sf, call)(df=df, h=2)
    with pytest.raises(ValueError, match=r"^the series that starts 1, inf, 3 has inf at value 2 of 3"):
        NumSeries().forecast(np.array([1.0, np.inf, 3.0]), h=1)


def test_a_horizon_past_the_limit_is_named_h_as_statsforecast_calls_it():
    """Adversarial round 25: it said 'steps must be ...; e.g. steps=4', an argument statsforecast has not."""
    df = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 2, "ds": [*range(5), 0, 1], "y": [1.0, 2, 3, 5, 4, 1, 2]})
    with pytest.raises(ValueError, match=r"^h must be an integer from 1 to 10000, got 10001; e.g. h=4"):
        StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=10001)


def test_a_missing_value_in_another_process_names_the_series_by_its_values_not_a_wrong_number():
    # adversarial round 10: with n_jobs=2 (and on Spark or Dask) the loop walks a part of the frame, and the
    # error named 'series number 1 (in unique_id order)' for the third series
    t = np.arange(30)
    df = pd.DataFrame({
        "unique_id": np.repeat(["wave", "trend", "zzz"], [30, 30, 5]), "ds": np.concatenate([t, t, t[:5]]),
        "y": np.concatenate([np.sin(t / 3), 0.5 * t, [1, 2, np.nan, 4, 5]]),
    })  # fmt: skip
    with pytest.raises(ValueError, match=r"(series 'zzz'|the series that starts 1, 2, nan, 4, 5) has nan at value 3 of 5"):
        StatsForecast(models=[NumSeries()], freq=1, n_jobs=2).forecast(df=df, h=2)


def test_the_model_pickles_its_settings_only_and_reloads_the_predictor():
    model = NumSeries(alias="ns", paths=50)
    model.forecast(y=np.arange(10.0), h=2)  # loads the predictor, fills the batch state
    data = pickle.dumps(model)
    assert len(data) < 2_000 and b"Predictor" not in data
    copy = pickle.loads(data)
    assert repr(copy) == "ns" and copy.paths == 50
    y = np.sin(np.arange(20.0))
    np.testing.assert_array_equal(copy.forecast(y=y, h=3)["mean"], model.forecast(y=y, h=3)["mean"])


def test_worker_processes_get_the_same_forecasts():
    df = long_frame(4, seed=4)
    local = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=2, level=[80])
    pooled = StatsForecast(models=[NumSeries()], freq=1, n_jobs=2).forecast(df=df, h=2, level=[80])
    np.testing.assert_allclose(pooled[COLUMNS].to_numpy(), local[COLUMNS].to_numpy(), rtol=1e-6)


def test_conformal_intervals_replace_the_models_bands():
    df = long_frame(2, seed=5)
    intervals = ConformalIntervals(h=2, n_windows=2)
    out = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=2, level=[80], prediction_intervals=intervals)
    own = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=2, level=[80])
    np.testing.assert_allclose(out["NumSeries"], own["NumSeries"])
    assert (out["NumSeries-lo-80"] <= out["NumSeries"]).all() and not np.allclose(out[COLUMNS], own[COLUMNS])


def test_statsforecast_plots_the_forecast():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    df = long_frame(2, seed=6)
    out = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=3, level=[80])
    figure = StatsForecast.plot(df, out, level=[80])
    labels = {text.get_text() for ax in figure.axes for text in (ax.get_legend().get_texts() if ax.get_legend() else [])}
    legend = {text.get_text() for legend in figure.legends for text in legend.get_texts()}
    assert any("NumSeries" in label for label in labels | legend)


def test_readme_statsforecast_snippet_runs():
    code = README.read_text().split("<!-- statsforecast-api:start -->")[1].split("<!-- statsforecast-api:end -->")[0]
    namespace: dict = {}
    exec(code.strip().removeprefix("```python").removesuffix("```"), namespace)  # noqa: S102 (our own README)
    cv, scores = namespace["cv"], namespace["scores"]
    assert {"NumSeries", "NumSeries-lo-80", "AutoETS", "AutoETS-hi-80", "cutoff"} <= set(cv.columns)
    assert set(scores["metric"]) >= {"mae", "mase"} and np.isfinite(scores[["NumSeries", "AutoETS"]].to_numpy()).all()


def test_a_rule_past_2_53_within_h_forecasts_and_keeps_the_other_series():
    """Adversarial round 6: 3**k continued past 2**53 raised for the whole call, losing every other series."""
    a = [float(3**k) for k in range(10)]
    b = [3, 6.1, 9.2, 12, 14.8]
    df = pd.DataFrame({"unique_id": ["a"] * 10 + ["b"] * 5, "ds": [*range(10), *range(5)], "y": a + b})
    out = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=30, level=[80])
    path = out[out.unique_id == "a"]
    np.testing.assert_array_equal(path["NumSeries"], [float(3**k) for k in range(10, 40)])
    assert (path["NumSeries-lo-80"] <= path["NumSeries"]).all() and (path["NumSeries"] <= path["NumSeries-hi-80"]).all()
    assert len(out[out.unique_id == "b"]) == 30 and out["NumSeries"].notna().all()


def test_forecast_refuses_integers_float64_rounds():
    """Adversarial round 31: int64 2**53 + 1, 2**53 + 3, ... were forecast as the rounded floats (the CLI,
    predict and predict_df refuse them)."""
    y = np.array([2**53 + 1, 2**53 + 3, 2**53 + 5, 2**53 + 7])
    with pytest.raises(ValueError, match="holds 9007199254740993, an integer float64 cannot hold exactly"):
        NumSeries().forecast(y, h=2)
    with pytest.raises(ValueError, match="cannot hold exactly"):
        NumSeries().fit(y)
    assert NumSeries().forecast(y - 2**53, h=1)["mean"].tolist() == [9.0]


def test_a_series_whose_forecast_overflows_is_named_by_its_id_and_no_step_count_below_1():
    """Adversarial round 35a: the batch of series statsforecast walks failed as "the forecast of sequence 1"
    (its place in the batch), and a forecast overflowing at its first step said "forecast at most 0 steps"."""
    df = pd.DataFrame({
        "unique_id": ["a"] * 4 + ["zz"] * 3 + ["b"] * 4,
        "ds": [*range(4), *range(3), *range(4)],
        "y": [1.0, 2, 3, 4, 1e308, 1.3e308, 1.6e308, 5, 6, 7, 8],
    })  # fmt: skip
    with pytest.raises(ValueError, match=r"^the forecast of series 'zz' overflows float64 at step 1; divide the values"):
        StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=2)
    with pytest.raises(ValueError, match=r"^the forecast of the sequence overflows float64 at step 1; divide the values"):
        load_predictor(None).forecast([1e308, 1.3e308, 1.6e308], steps=3, level=[80])


def test_statsforecast_hands_integer_y_as_float32_as_the_readme_says():
    """Adversarial round 35a: an int64 y reaches NumSeries as float32 (statsforecast's doing, Naive's too):
    the README says so and how to keep the digits."""
    df = pd.DataFrame({"unique_id": "a", "ds": range(5), "y": [100000001, 100000003, 100000002, 100000005, 100000004]})
    as_given = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df, h=1)["NumSeries"].iloc[0]
    as_floats = StatsForecast(models=[NumSeries()], freq=1).forecast(df=df.astype({"y": "float64"}), h=1)
    assert as_given == 100000000.0  # every value read as 100000000
    assert as_floats["NumSeries"].iloc[0] == pytest.approx(load_predictor(None).forecast(df["y"].to_numpy(float), 1)[0])
    assert "(100000003 as 100000000)" in README.read_text()
