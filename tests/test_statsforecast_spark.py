"""On Spark (local[2]): NumSeries through statsforecast's fugue backend, and ``predict_df`` of a Spark frame,
give the local numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsforecast import StatsForecast

from numseries import Predictor
from numseries.statsforecast import NumSeries, local_spark
from numseries.weights import load_model

pytest.importorskip("pyspark")
pytest.importorskip("fugue_spark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (17 on this project's machines)", allow_module_level=True)

from test_statsforecast import assert_forecasts_equal, long_frame  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    session = local_spark(2)
    yield session
    session.stop()


def _code(block: str) -> str:
    text = README.read_text().split(f"<!-- {block}:start -->")[1].split(f"<!-- {block}:end -->")[0]
    return text.strip().removeprefix("```python").removesuffix("```")


def test_readme_spark_snippet_gives_the_local_forecast(spark):
    namespace: dict = {}
    exec(_code("statsforecast-api"), namespace)  # noqa: S102 (our own README): defines df and forecast
    exec(_code("statsforecast-spark"), namespace)  # noqa: S102
    assert_forecasts_equal(namespace["forecast"], namespace["on_spark"].toPandas())


def test_cross_validation_on_spark_equals_the_local_one(spark):
    df = long_frame(8, seed=7)
    sf = StatsForecast(models=[NumSeries()], freq=1)
    local = sf.cross_validation(df=df, h=3, n_windows=2).sort_values(["unique_id", "cutoff", "ds"])
    remote = sf.cross_validation(df=spark.createDataFrame(df), h=3, n_windows=2).toPandas()
    remote = remote.sort_values(["unique_id", "cutoff", "ds"])
    assert len(remote) == len(local) == 8 * 2 * 3
    np.testing.assert_array_equal(remote[["ds", "cutoff"]].to_numpy(), local[["ds", "cutoff"]].to_numpy())
    np.testing.assert_allclose(remote[["y", "NumSeries"]].to_numpy(), local[["y", "NumSeries"]].to_numpy(), rtol=1e-5)


def assert_frames_equal(local: pd.DataFrame, remote: pd.DataFrame) -> None:
    """``predict_df`` of an engine's frame (as pandas) has the pandas answer's rows, columns, errors and numbers
    (to float32 rounding: a partition is a batch of other sizes)."""
    local = local.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    remote = remote.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    assert list(remote.columns) == list(local.columns)
    assert remote[["unique_id", "ds"]].astype(str).equals(local[["unique_id", "ds"]].astype(str))
    assert remote["error"].fillna("").tolist() == local["error"].fillna("").tolist()
    numbers = [column for column in local.columns if column.startswith("numseries")]
    np.testing.assert_allclose(remote[numbers].to_numpy(float), local[numbers].to_numpy(float), rtol=1e-5)


def test_predict_df_on_spark_equals_the_local_frame(spark):
    predictor = Predictor.from_pretrained()
    df = long_frame(12, seed=3)
    df.loc[df["unique_id"] == "s4", "y"] = df["y"].where(df["ds"] != 2)  # a gap: that series' error row
    local = predictor.predict_df(df, steps=3, level=[80, 95])
    on_spark = predictor.predict_df(spark.createDataFrame(df), steps=3, level=[80, 95])
    assert type(on_spark).__module__.startswith("pyspark")  # a Spark frame in, a Spark frame out
    remote = on_spark.toPandas()
    assert remote.loc[remote["unique_id"] == "s4", "error"].str.contains("missing y").all()
    assert_frames_equal(local, remote)


def test_predict_df_on_spark_continues_timestamps(spark):
    predictor = Predictor.from_pretrained()
    df = long_frame(5, seed=4)
    df["ds"] = pd.Timestamp("2024-01-31") + pd.to_timedelta(7 * df["ds"], unit="D")  # weekly
    remote = predictor.predict_df(spark.createDataFrame(df), steps=2).toPandas()
    local = predictor.predict_df(df, steps=2)
    assert pd.api.types.is_datetime64_any_dtype(remote["ds"])
    assert_frames_equal(local, remote)


def test_predict_df_on_spark_checks_before_it_runs(spark):
    predictor = Predictor.from_pretrained()
    frame = spark.createDataFrame(long_frame(2))
    with pytest.raises(ValueError, match="no column 'value'"):
        predictor.predict_df(frame, target_col="value")
    with pytest.raises(ValueError, match="strict=True is for a pandas or polars frame"):
        predictor.predict_df(frame, strict=True)
    with pytest.raises(ValueError, match="a level must be in"):
        predictor.predict_df(frame, level=[120])
    in_memory = Predictor.from_model(load_model())
    with pytest.raises(ValueError, match="save_pretrained"):
        in_memory.predict_df(frame)


def test_readme_predict_df_on_spark_snippet_gives_the_pandas_frame(spark):
    namespace: dict = {}
    exec(_code("statsforecast-api"), namespace)  # noqa: S102 (our own README): defines df
    exec(_code("statsforecast-spark"), namespace)  # noqa: S102 (defines spark)
    exec(_code("dataframes-spark"), namespace)  # noqa: S102
    local = Predictor.from_pretrained().predict_df(namespace["df"], steps=4, level=[80])
    assert_frames_equal(local, namespace["predicted"].toPandas())


def test_predict_df_on_spark_fails_the_job_with_the_pandas_message_for_a_row_without_an_id(spark):
    # adversarial round 21: "row 0 has no unique_id" named the row of a partition (the user's row 0 has one)
    df = pd.DataFrame({"unique_id": ["a", "a", "a", None], "ds": [0, 1, 2, 7], "y": [1.0, 2.0, 3.0, 4.5]})
    with pytest.raises(Exception, match=r"a row \(ds 7, y 4\.5\) has no unique_id; give every row the id of its series"):  # noqa: PT011 (Spark's own error type)
        Predictor.from_pretrained().predict_df(spark.createDataFrame(df)).toPandas()
