"""Multi-step forecasts with intervals, from sample paths through the model's quantile head. numpy only.

The path itself is the model's autoregressive forecast: each prediction is appended and fed back in.
Its bands come from ``paths`` sample paths per series: at every step each path draws its next value
from the model's (calibrated) predictive distribution given that path's own history, and feeds it
back in, so the bands widen as the uncertainty of earlier steps compounds. Step 1's band is the
model's own interval, read from its quantiles without sampling.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from numseries.intervals import intervals, sample_paths

Predictor = Any  # numseries.predict.Predictor, which imports this module: not imported back (no cycle)

MAX_ROWS = 200_000  # series x paths of one batched forecast call: bounds its memory


@dataclasses.dataclass(frozen=True)
class Forecast:
    """``steps`` values ahead of one series, with their intervals."""

    values: np.ndarray  # (K,) float64 the autoregressive path
    levels: tuple[float, ...]  # percent
    bounds: dict[float, np.ndarray]  # level -> (K, 2) [lo, hi] per step

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lo (K,), hi (K,)) at ``level`` percent, one of the levels asked for."""
        bounds = _bounds(self.bounds, level)
        return bounds[:, 0], bounds[:, 1]


@dataclasses.dataclass(frozen=True)
class BatchForecast:
    """``steps`` values ahead of N series, with their intervals."""

    values: np.ndarray  # (N, K) float64
    levels: tuple[float, ...]
    bounds: dict[float, np.ndarray]  # level -> (N, K, 2)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lo (N, K), hi (N, K)) at ``level`` percent, one of the levels asked for."""
        bounds = _bounds(self.bounds, level)
        return bounds[..., 0], bounds[..., 1]


def _bounds(bounds: dict[float, np.ndarray], level: float) -> np.ndarray:
    if float(level) not in bounds:
        asked = ", ".join(f"{x:g}" for x in bounds)
        raise ValueError(f"no {level}% interval: the forecast was made with level=[{asked}]; ask for it there")
    return bounds[float(level)]


def forecast_batch(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    paths: int,
    seed: int | None,
) -> BatchForecast:
    """Checked windows (each at most ``max_len`` values) -> their forecasts with ``levels`` bands."""
    rng = np.random.default_rng(seed)
    n = len(windows)
    values = np.empty((n, steps))
    bounds = {level: np.empty((n, steps, 2)) for level in levels}
    paths = paths if levels else 0
    per_call = max(1, MAX_ROWS // (paths + 1))
    for start in range(0, n, per_call):
        chunk = windows[start : start + per_call]
        path, bands = _forecast_chunk(predictor, chunk, steps, levels, paths, rng)
        values[start : start + len(chunk)] = path
        for level in levels:
            bounds[level][start : start + len(chunk)] = bands[level]
    return BatchForecast(values, tuple(levels), bounds)


def _forecast_chunk(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    paths: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    n = len(windows)
    lengths = np.array([len(w) for w in windows])
    width = predictor.max_len
    # Row i * (paths + 1) is series i's point path, the next ``paths`` rows its sample paths.
    rows_per_series = paths + 1
    history = np.zeros((n * rows_per_series, width + steps))  # values so far, each row left-aligned
    for i, window in enumerate(windows):
        history[i * rows_per_series : (i + 1) * rows_per_series, : len(window)] = window
    length = np.repeat(lengths, rows_per_series)  # (R,) values in each row so far
    point = np.arange(n) * rows_per_series  # (n,) the point paths' rows
    values = np.empty((n, steps))
    bands = {level: np.empty((n, steps, 2)) for level in levels}
    grid = predictor.quantile_levels
    for k in range(steps):
        used = np.minimum(length, width)
        start = length - used
        index = start[:, None] + np.arange(width)[None, :]  # (R, width)
        window = np.take_along_axis(history, np.minimum(index, history.shape[1] - 1), axis=1)
        outputs = predictor._predict_padded(window, used, None)
        values[:, k] = outputs["prediction"][point]
        rows = np.arange(len(length))
        if not levels:  # the point paths only
            history[rows, length] = outputs["prediction"]
            length = length + 1
            continue
        quantiles = predictor._quantiles(outputs, used)  # (R, Q) calibrated
        assert quantiles is not None  # forecasts with levels need a quantile head (checked by the caller)
        if k == 0:  # the model's own interval, without sampling noise
            for level, bound in intervals(quantiles[point], grid, levels).items():
                bands[level][:, k] = bound
        draws = sample_paths(quantiles, grid, rng, 1)[:, 0]  # (R,)
        draws[point] = outputs["prediction"][point]  # the point path feeds back its own prediction
        history[rows, length] = draws
        if k > 0:
            samples = draws.reshape(n, rows_per_series)[:, 1:]  # (n, paths)
            for level in levels:
                half = level / 200
                bands[level][:, k] = np.quantile(samples, [0.5 - half, 0.5 + half], axis=1).T
        length = length + 1
    return values, bands
