"""Error metrics for one-step-ahead predictions.

The primary metric is the *scaled error*: the absolute error divided by the mean absolute step of the
context (the same scale the model normalises by). A last-value guess on a straight line scores exactly 1,
and the metric does not change when a series is multiplied by a constant or shifted.

A constant context has no scale (its mean absolute step is 0): its scaled error is undefined, so it is
NaN here, left out of the scaled-error statistics and counted in ``n_constant``. MAE and RMSE, in the
series' own units, still include it.
"""

from __future__ import annotations

import numpy as np

from numseries.series import mean_abs_step


def context_scale(data: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N, T) contexts with prefix masks -> (N,) mean absolute step, NaN where the context is constant."""
    scale = mean_abs_step(data, masks)
    return np.where(scale > 0, scale, np.nan)


def scaled_errors(predictions: np.ndarray, targets: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(N,) |prediction - target| / scale, in mean absolute steps of the context (NaN where scale is)."""
    return np.abs(np.asarray(predictions) - np.asarray(targets)) / scale


def score(predictions: np.ndarray, targets: np.ndarray, scale: np.ndarray) -> dict[str, float]:
    """Summary statistics of one method on a set of cases.

    Returns ``n`` (cases), ``n_constant`` (constant contexts, left out of the scaled errors),
    ``median_scaled`` and ``mean_scaled`` (scaled error), ``mae`` and ``rmse`` (in the series' units).
    Statistics of an empty set are NaN.
    """
    errors = np.asarray(predictions, dtype=np.float64) - np.asarray(targets, dtype=np.float64)
    scaled = scaled_errors(predictions, targets, scale)
    scaled = scaled[~np.isnan(scale)]
    n = len(errors)
    return {
        "n": n,
        "n_constant": n - len(scaled),
        "median_scaled": float(np.median(scaled)) if len(scaled) else float("nan"),
        "mean_scaled": float(np.mean(scaled)) if len(scaled) else float("nan"),
        "mae": float(np.mean(np.abs(errors))) if n else float("nan"),
        "rmse": float(np.sqrt(np.mean(errors**2))) if n else float("nan"),
    }
