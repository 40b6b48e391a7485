"""NumSeries on Dask through statsforecast's fugue backend gives the local numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
from statsforecast import StatsForecast

from numseries import Predictor
from numseries.statsforecast import NumSeries

pytest.importorskip("fugue_dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")

from test_statsforecast import assert_forecasts_equal, long_frame  # noqa: E402
from test_statsforecast_spark import _code, assert_frames_equal  # noqa: E402

pytestmark = pytest.mark.slow


def test_readme_dask_snippet_gives_the_local_forecast():
    namespace: dict = {}
    exec(_code("statsforecast-api"), namespace)  # noqa: S102 (our own README): defines df and forecast
    exec(_code("statsforecast-dask"), namespace)  # noqa: S102
    assert_forecasts_equal(namespace["forecast"], namespace["on_dask"].compute())


def test_cross_validation_on_dask_equals_the_local_one():
    df = long_frame(8, seed=7)
    sf = StatsForecast(models=[NumSeries()], freq=1)
    local = sf.cross_validation(df=df, h=3, n_windows=2).sort_values(["unique_id", "cutoff", "ds"])
    with distributed.Client(processes=False):
        remote = sf.cross_validation(df=dd.from_pandas(df, npartitions=2), h=3, n_windows=2).compute()
    remote = remote.sort_values(["unique_id", "cutoff", "ds"])
    assert len(remote) == len(local) == 8 * 2 * 3
    np.testing.assert_array_equal(remote[["ds", "cutoff"]].to_numpy(int), local[["ds", "cutoff"]].to_numpy(int))
    np.testing.assert_allclose(
        remote[["y", "NumSeries"]].to_numpy(float), local[["y", "NumSeries"]].to_numpy(float), rtol=1e-5
    )


def test_predict_df_on_dask_equals_the_local_frame():
    predictor = Predictor.from_pretrained()
    df = long_frame(9, seed=5)
    local = predictor.predict_df(df, steps=2, level=[80])
    with distributed.Client(processes=False):
        on_dask = predictor.predict_df(dd.from_pandas(df, npartitions=3), steps=2, level=[80])
        assert isinstance(on_dask, dd.DataFrame)  # a Dask frame in, a Dask frame out
        remote = on_dask.compute()
        # adversarial round 41: a level given twice named two columns alike, which Dask's schema refused
        twice = predictor.predict_df(dd.from_pandas(df, npartitions=3), steps=2, level=[80, 80]).compute()
    assert_frames_equal(local, remote)
    assert_frames_equal(local, twice)


def test_predict_df_on_dask_takes_categorical_ids():
    predictor = Predictor.from_pretrained()
    df = long_frame(4, seed=6).astype({"unique_id": "category"})  # fugue reads no categorical column as it is
    with distributed.Client(processes=False):
        remote = predictor.predict_df(dd.from_pandas(df, npartitions=2)).compute()
    assert_frames_equal(predictor.predict_df(df), remote)


@pytest.mark.parametrize("times", ["dates", "zoned", "steps"])
def test_predict_df_on_dask_gives_the_dtypes_of_the_local_frame(times):
    """Adversarial round 21: ds came back timestamp[us][pyarrow] and the values Float64, so the answer did not
    merge with the local one (nor with the user's frame) on ds."""
    import pandas as pd

    predictor = Predictor.from_pretrained()
    df = long_frame(4, seed=8)
    dates = pd.Timestamp("2024-01-31") + pd.to_timedelta(df["ds"], unit="D")
    df["ds"] = {"dates": dates, "zoned": dates.dt.tz_localize("Europe/Berlin"), "steps": df["ds"]}[times]
    local = predictor.predict_df(df, steps=2, level=[80])
    with distributed.Client(processes=False):
        remote = predictor.predict_df(dd.from_pandas(df, npartitions=2), steps=2, level=[80]).compute()
    nullable = {"ds": "Int64"} if times == "steps" else {}  # a partition cannot know every next time is known
    assert {name: str(kind) for name, kind in remote.dtypes.items() if name != "unique_id"} == {
        name: nullable.get(name, str(kind)) for name, kind in local.dtypes.items() if name != "unique_id"
    }  # (the ids: as Dask reads the frame's, string)
    merged = local.merge(remote, on=["unique_id", "ds"], suffixes=("", "_dask"))
    assert len(merged) == len(local) == 8
    np.testing.assert_allclose(merged["numseries"], merged["numseries_dask"], rtol=1e-5)


def test_predict_df_on_dask_without_a_client_runs_in_a_script_without_a_main_guard(tmp_path):
    """Adversarial round 16: with no client running, fugue started worker processes, which a script without
    `if __name__ == "__main__":` cannot start (hundreds of lines of tracebacks, no answer)."""
    import subprocess
    import sys

    script = tmp_path / "plain.py"
    script.write_text(
        "import pandas as pd, dask.dataframe as dd\n"
        "from numseries import Predictor\n"
        "df = pd.DataFrame({'unique_id': ['a'] * 5, 'ds': range(5), 'y': [1.0, 2, 3, 4, 5]})\n"
        "out = Predictor.from_pretrained().predict_df(dd.from_pandas(df, npartitions=1), steps=2).compute()\n"
        "print(out['numseries'].tolist())\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[6.0, 7.0]"
    assert "started one in this process" in done.stderr and "Traceback" not in done.stderr


def test_predict_df_on_dask_reads_integer_text_times_as_steps():
    """Adversarial round 31: "1000" ... "5000" came back as 1970-01-01 00:00:00.000006 (the steps cast to the
    timestamps text was typed as); steps not multiples of 1000 were an ArrowInvalid traceback. A partition
    whose text reads the other way (dates) gets each series' error, not a time cast to the wrong kind."""
    import pandas as pd

    predictor = Predictor.from_pretrained()
    df = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 5, "ds": [str(k) for k in range(1000, 6000, 1000)] * 2})
    df["y"] = [1.0, 2, 3, 4, 5] * 2
    with distributed.Client(processes=False):
        remote = predictor.predict_df(dd.from_pandas(df, npartitions=1)).compute().sort_values("unique_id")
        assert remote["ds"].tolist() == [6000, 6000] and remote["error"].isna().all()
        df["ds"] = ["0", "1", "2", "3", "4"] + [f"2024-01-0{k}" for k in range(1, 6)]
        mixed = predictor.predict_df(dd.from_pandas(df, npartitions=2)).compute().set_index("unique_id")
    assert mixed.loc["a", "ds"] == 5 and mixed.loc["a", "numseries"] == 6
    assert mixed.loc["b", "error"].startswith("column ds is text read as dates in this series and as integer steps")
    assert pd.isna(mixed.loc["b", "ds"]) and np.isnan(mixed.loc["b", "numseries"])


def test_predict_df_on_dask_steps_by_freq_as_the_local_frame():
    """``freq`` reaches the workers: the next times are each a business day after the last, as on pandas; a
    frequency that cannot step the times is refused before any worker starts; a partition whose text times
    read as the other kind gets its series' error, not a worker's traceback."""
    import pandas as pd

    predictor = Predictor.from_pretrained()
    df = long_frame(4, seed=9)
    df["ds"] = pd.Timestamp("2024-01-31") + pd.to_timedelta(df["ds"], unit="D")
    local = predictor.predict_df(df, steps=3, freq="B")
    with distributed.Client(processes=False):
        remote = predictor.predict_df(dd.from_pandas(df, npartitions=2), steps=3, freq="B").compute()
        assert_frames_equal(local, remote)
        assert pd.DatetimeIndex(remote["ds"]).dayofweek.max() <= 4
        with pytest.raises(ValueError, match="freq 1 does not step the time column, which holds dates"):
            predictor.predict_df(dd.from_pandas(df, npartitions=2), freq=1)
        text = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 5, "y": [1.0, 2, 3, 4, 5] * 2})
        text["ds"] = ["0", "1", "2", "3", "4"] + [f"2024-01-0{k}" for k in range(1, 6)]
        mixed = predictor.predict_df(dd.from_pandas(text, npartitions=2), freq=2).compute().set_index("unique_id")
    assert mixed.loc["a", "ds"] == 6 and mixed.loc["a", "numseries"] == 6
    assert mixed.loc["b", "error"].startswith("column ds is text read as dates in this series")


def test_statsforecast_on_dask_answers_in_float32_and_predict_df_in_float64():
    """As the README says (adversarial round 54): statsforecast's backend declares the models' columns float32,
    so 100000006 comes back 100000008; predict_df of the same Dask frame answers in float64."""
    import pandas as pd

    df = pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 5), "ds": np.tile(range(5), 3),
                       "y": np.concatenate([1e8 + np.arange(1, 6), 1e300 * np.arange(1, 6), 1e-50 * np.arange(1, 6)])})  # fmt: skip
    with distributed.Client(processes=False):
        on_dask = StatsForecast(models=[NumSeries()], freq=1).forecast(df=dd.from_pandas(df, npartitions=1), h=1)
        forecast = on_dask.compute().sort_values("unique_id")
        predicted = Predictor.from_pretrained().predict_df(dd.from_pandas(df, npartitions=1)).compute()
    predicted = predicted.sort_values("unique_id")
    assert str(forecast["NumSeries"].dtype).lower() == "float32"
    assert forecast["NumSeries"].tolist() == [100000008.0, np.inf, 0.0]
    assert predicted["numseries"].dtype == np.float64 and predicted["numseries"].tolist() == [100000006.0, 6e300, 6e-50]


def test_predict_df_on_dask_refuses_the_columns_the_pandas_call_refuses_alike():
    """Adversarial round 54: periods or durations as times and complex values failed inside fugue and pyarrow
    ('Cannot interpret period[M] as a data type'), where the pandas call names the fix."""
    import pandas as pd

    predictor = Predictor.from_pretrained()
    frames = {
        "holds periods": pd.DataFrame({"ds": pd.period_range("2024-01", periods=5, freq="M"), "y": np.arange(5.0)}),
        "holds durations": pd.DataFrame({"ds": pd.to_timedelta(np.arange(5), unit="D"), "y": np.arange(5.0)}),
        "holds complex numbers": pd.DataFrame({"ds": range(5), "y": np.arange(5) + 1j}),
    }
    for said, frame in frames.items():
        frame = frame.assign(unique_id="a")
        with pytest.raises((ValueError, TypeError)) as local:
            predictor.predict_df(frame)
        with pytest.raises(type(local.value), match=re.escape(str(local.value))):
            predictor.predict_df(dd.from_pandas(frame, npartitions=1))  # before any worker starts
        assert said in str(local.value)
