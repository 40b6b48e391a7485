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


def median_relative_error(predictions: np.ndarray, targets: np.ndarray, reference: np.ndarray) -> float:
    """Median over cases of |error| / |the reference's error| (e.g. the last value's), over the cases the
    reference misses; NaN when it misses none. Scaled by each case's own miss, it does not let the large
    early steps of a decay or a growth hide an error in its small recent ones."""
    targets = np.asarray(targets, dtype=np.float64)
    miss = np.abs(np.asarray(reference, dtype=np.float64) - targets)
    kept = miss > 0
    if not kept.any():
        return float("nan")
    return float(np.median(np.abs(np.asarray(predictions, dtype=np.float64)[kept] - targets[kept]) / miss[kept]))


# Intervals and quantiles. Every function scores each case on its own and returns (N,) arrays, so the
# caller chooses the cases and the statistic; a case whose interval or quantiles are NaN (a model that
# refused the series) scores NaN.


def coverage(
    lo: np.ndarray, hi: np.ndarray, targets: np.ndarray, tolerance: np.ndarray | float = 0.0
) -> float:
    """Share of cases with ``lo - tolerance <= target <= hi + tolerance`` (bounds included), among those
    with finite bounds.

    ``lo``, ``hi``, ``targets`` (and ``tolerance``, e.g. float rounding of an exact rule's zero-width
    interval) are arrays of one shape; cases where ``lo`` or ``hi`` is NaN are left out, and the
    coverage of no cases is NaN.
    """
    lo, hi, targets, tolerance = np.broadcast_arrays(
        np.asarray(lo, float), np.asarray(hi, float), np.asarray(targets, float), np.asarray(tolerance, float)
    )
    known = np.isfinite(lo) & np.isfinite(hi)
    if not known.any():
        return float("nan")
    lo, hi, targets, tolerance = lo[known], hi[known], targets[known], tolerance[known]
    return float(np.mean((lo - tolerance <= targets) & (targets <= hi + tolerance)))


def interval_score(lo: np.ndarray, hi: np.ndarray, targets: np.ndarray, level: float) -> np.ndarray:
    """Winkler's interval score of each case for a central interval at ``level`` percent, in the series' units.

    The width ``hi - lo``, plus ``2 / alpha`` times the distance by which the target falls outside,
    with ``alpha = 1 - level / 100``. Lower is better; divide by :func:`context_scale` to compare series.
    """
    if not 0 < level < 100:
        raise ValueError(f"level must be in (0, 100) percent, got {level!r}; e.g. 80")
    lo, hi, targets = (np.asarray(a, dtype=np.float64) for a in (lo, hi, targets))
    alpha = 1 - level / 100
    below = np.maximum(lo - targets, 0.0)
    above = np.maximum(targets - hi, 0.0)
    return (hi - lo) + (2 / alpha) * (below + above)


def quantile_loss(quantiles: np.ndarray, targets: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """The pinball loss of each case at each level: (..., M) quantiles at levels ``taus`` (M,) in (0, 1),
    targets (...) -> (..., M), ``max(tau * d, (tau - 1) * d)`` with ``d = target - quantile``."""
    taus = np.asarray(taus, dtype=np.float64)
    if taus.ndim != 1 or np.any((taus <= 0) | (taus >= 1)):
        raise ValueError(f"taus must be quantile levels in (0, 1), got {taus.tolist()!r}; e.g. [0.1, 0.5, 0.9]")
    d = np.asarray(targets, dtype=np.float64)[..., None] - np.asarray(quantiles, dtype=np.float64)  # (..., M)
    return np.maximum(taus * d, (taus - 1) * d)


def scaled_quantile_loss(quantiles: np.ndarray, targets: np.ndarray, taus: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The weighted quantile loss of each case: its pinball loss averaged over the levels ``taus``, divided
    by the case's ``scale`` (its context's mean absolute step, as :func:`context_scale` gives).

    Quantiles (..., M), targets (...) and scale (...) -> (...). Weighting each case by ``1 / scale``
    (rather than by ``1 / |target|``, as GluonTS's weighted quantile loss does) keeps the loss unchanged
    when a series is scaled or shifted; with ``scale`` the mean absolute step it is M5's scaled pinball
    loss. Twice the loss approximates the CRPS in mean absolute steps.
    """
    return quantile_loss(quantiles, targets, taus).mean(axis=-1) / np.asarray(scale, dtype=np.float64)
