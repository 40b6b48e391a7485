"""Classical one-step-ahead baselines, scored beside the model on the same cases.

Every baseline takes right-padded contexts ``data`` (N, T) with prefix ``masks`` (N, T) and returns the
predicted next values (N,) and a (N,) bool array marking the series it could not fit, which fell back
to the last value. The simple ones are exact and vectorised:

- ``last_value``: the last value of the context.
- ``drift``: the last value plus the mean step (the line through the first and last values).
- ``linear_fit``: the least-squares straight line through the context, one step past its end.

The statistical ones (the ``bench`` extra) fit statsforecast's ``AutoETS``, ``AutoTheta`` and
``AutoARIMA`` (non-seasonal) to each series separately. They see the context in the units the model
uses: shifted by its last value and divided by its mean absolute step, the forecast mapped back. The
forecast then no longer depends on how a series is scaled or shifted (generated series span 1e-3 to
1e6), and fits do not fail on badly conditioned raw values. A series they refuse (AutoETS needs 7
values or more) or whose forecast is not finite falls back to the last value.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from numseries.series import step_scale

Result = tuple[np.ndarray, np.ndarray]  # predictions (N,) float64, fell_back (N,) bool


def _last(data: np.ndarray, masks: np.ndarray) -> np.ndarray:
    lengths = masks.sum(axis=1)
    return data[np.arange(len(data)), lengths - 1]


def last_value(data: np.ndarray, masks: np.ndarray) -> Result:
    """The last value of each context."""
    return _last(data, masks), np.zeros(len(data), dtype=bool)


def drift(data: np.ndarray, masks: np.ndarray) -> Result:
    """The last value plus the mean step of the context: ``last + (last - first) / (length - 1)``."""
    lengths = masks.sum(axis=1)
    last = _last(data, masks)
    return last + (last - data[:, 0]) / (lengths - 1), np.zeros(len(data), dtype=bool)


def linear_fit(data: np.ndarray, masks: np.ndarray) -> Result:
    """The least-squares line through each context, extrapolated one step past its end."""
    lengths = masks.sum(axis=1).astype(np.float64)  # (N,)
    last = _last(data, masks)
    y = np.where(masks, data - last[:, None], 0.0)  # (N, T) relative to the last value, for precision
    t = np.arange(data.shape[1], dtype=np.float64)[None, :]  # (1, T)
    t_mean = (lengths - 1) / 2  # (N,)
    y_mean = y.sum(axis=1) / lengths  # (N,)
    dt = np.where(masks, t - t_mean[:, None], 0.0)  # (N, T)
    slope = (dt * y).sum(axis=1) / (dt**2).sum(axis=1)  # (N,)
    return last + y_mean + slope * (lengths - t_mean), np.zeros(len(data), dtype=bool)


STATISTICAL = {"auto_ets": "AutoETS", "auto_theta": "AutoTheta", "auto_arima": "AutoARIMA"}


def _fit_statistical(model_name: str, contexts: list[np.ndarray]) -> list[float]:
    """Fit one statsforecast model per normalised context; NaN where it refuses or diverges."""
    import statsforecast.models

    model_class = getattr(statsforecast.models, model_name)
    forecasts = []
    for y in contexts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                forecasts.append(float(model_class(season_length=1).forecast(y=y, h=1)["mean"][0]))
            except Exception:  # statsforecast raises many kinds of errors on series it cannot fit
                forecasts.append(float("nan"))
    return forecasts


def _statistical(name: str, data: np.ndarray, masks: np.ndarray, n_jobs: int) -> Result:
    from concurrent.futures import ProcessPoolExecutor

    last = _last(data, masks)  # (N,)
    scale = step_scale(data, masks)  # (N,)
    lengths = masks.sum(axis=1)
    contexts = [(row[:n] - z) / s for row, n, z, s in zip(data, lengths, last, scale, strict=True)]
    if n_jobs == 1 or len(contexts) < 2 * n_jobs:
        z_hat = _fit_statistical(STATISTICAL[name], contexts)
    else:
        chunks = [contexts[i::n_jobs] for i in range(n_jobs)]
        with ProcessPoolExecutor(n_jobs) as pool:
            parts = list(pool.map(_fit_statistical, [STATISTICAL[name]] * n_jobs, chunks))
        z_hat = [0.0] * len(contexts)
        for i, part in enumerate(parts):
            z_hat[i::n_jobs] = part
    forecasts = np.asarray(z_hat)  # (N,) normalised
    fell_back = ~np.isfinite(forecasts)
    return last + scale * np.where(fell_back, 0.0, forecasts), fell_back


SIMPLE: dict[str, Callable[[np.ndarray, np.ndarray], Result]] = {
    "last_value": last_value,
    "drift": drift,
    "linear_fit": linear_fit,
}
ALL = (*SIMPLE, *STATISTICAL)


def forecast(name: str, data: np.ndarray, masks: np.ndarray, *, n_jobs: int = 1) -> Result:
    """Run the baseline ``name`` (one of :data:`ALL`) on (N, T) contexts with prefix masks (N, T).

    Returns predictions (N,) and a (N,) bool array of the series that fell back to the last value.
    ``n_jobs`` processes fit the statistical baselines in parallel.
    """
    if name in SIMPLE:
        return SIMPLE[name](data, masks)
    if name not in STATISTICAL:
        raise ValueError(f"unknown baseline {name!r}; choose from: {', '.join(ALL)}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, got {n_jobs!r}; pass e.g. n_jobs=2")
    try:
        import statsforecast  # noqa: F401
    except ImportError as err:
        raise ValueError(
            f"baseline {name!r} needs statsforecast ({err}); pip install 'numseries[bench]', "
            "or leave out the statistical baselines"
        ) from err
    return _statistical(name, data, masks, n_jobs)
