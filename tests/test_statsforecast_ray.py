"""NumSeries on Ray through statsforecast's fugue backend gives the local numbers.

Ray is not in the CI install (its wheel is large, and starting it on 2 CPUs takes minutes there): this
module runs where the ``ray`` extra is installed and skips elsewhere.
"""

from __future__ import annotations

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("fugue_ray")

from test_statsforecast import assert_forecasts_equal  # noqa: E402
from test_statsforecast_spark import _code  # noqa: E402

pytestmark = pytest.mark.slow


def test_readme_ray_snippet_gives_the_local_forecast():
    namespace: dict = {}
    exec(_code("statsforecast-api"), namespace)  # noqa: S102 (our own README): defines df and forecast
    try:
        exec(_code("statsforecast-ray"), namespace)  # noqa: S102
        remote = namespace["on_ray"].to_pandas()
    finally:
        ray.shutdown()
    assert_forecasts_equal(namespace["forecast"], remote)
