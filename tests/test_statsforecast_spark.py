"""NumSeries on Spark (local[2]) through statsforecast's fugue backend gives the local numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from statsforecast import StatsForecast

from numseries.statsforecast import NumSeries, local_spark

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
