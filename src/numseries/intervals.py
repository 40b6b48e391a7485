"""Prediction intervals from the model's quantile head: levels, calibration and sample paths. numpy only.

The quantile head predicts the next value at fixed levels (the model's ``quantile_levels``, e.g.
0.005 … 0.995). An interval at level ``L`` percent runs from the ``(1 - L/100) / 2`` quantile to the
``(1 + L/100) / 2`` quantile, read off the quantile function by linear interpolation between levels.

Raw quantiles learnt on generated data can be too narrow or too wide. :func:`calibrate` measures that
on held-out cases, per context-length bucket and per symmetric pair of levels, as in conformalised
quantile regression with a multiplicative score: the factor ``c`` by which each interval must widen
(``c > 0``) or narrow (``c < 0``), relative to its own width, to cover its level. Widening in
proportion to the width keeps every guarantee of the raw quantiles: an arithmetic progression's
interval stays zero-wide, and scaling or mirroring a series scales or mirrors its interval.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = "calibration.json"
LENGTH_BUCKETS = ((3, 6), (7, 16), (17, 10**9))  # context lengths calibrated separately
DEFAULT_LEVELS = (80.0,)  # percent, when the caller asks for intervals without naming levels


def check_levels(levels: Sequence[float] | float, grid: Sequence[float]) -> tuple[float, ...]:
    """Interval levels in percent, checked against the quantile levels ``grid`` the model predicts."""
    values = [levels] if isinstance(levels, (int, float, np.number)) else list(levels)
    widest = round(100 * (grid[-1] - grid[0]), 6)
    checked = []
    for level in values:
        if isinstance(level, bool) or not isinstance(level, (int, float, np.number)) or not np.isfinite(level):
            raise ValueError(f"a level must be a number of percent in (0, 100), got {level!r}; e.g. 80 or 95")
        if not 0 < level < 100:
            raise ValueError(f"a level must be in (0, 100) percent, got {level}; e.g. 80 or 95")
        if level > widest:
            raise ValueError(
                f"level {level:g}% needs quantiles beyond the model's outermost ({grid[0]:g} and {grid[-1]:g}); "
                f"use a level up to {widest:g}"
            )
        checked.append(float(level))
    return tuple(checked)


def level_name(level: float) -> str:
    """``80.0`` -> ``"80"``, ``97.5`` -> ``"97.5"``: the suffix of statsforecast's ``-lo-80`` columns."""
    return f"{level:g}"


def quantiles_at(quantiles: np.ndarray, grid: Sequence[float], taus: np.ndarray) -> np.ndarray:
    """(N, Q) quantiles at levels ``grid`` -> (N, M) quantiles at levels ``taus`` (within the grid),
    by linear interpolation of each row's quantile function."""
    grid_array = np.asarray(grid)
    taus = np.round(np.asarray(taus, dtype=np.float64), 12)  # 0.5 - 0.4 lands on the 0.1 level exactly
    index = np.clip(np.searchsorted(grid_array, taus, side="right") - 1, 0, len(grid_array) - 2)  # (M,)
    weight = (taus - grid_array[index]) / (grid_array[index + 1] - grid_array[index])  # (M,)
    lower = quantiles[:, index]  # (N, M)
    return lower + (quantiles[:, index + 1] - lower) * weight  # exact where the two are equal


def intervals(quantiles: np.ndarray, grid: Sequence[float], levels: Sequence[float]) -> dict[float, np.ndarray]:
    """(N, Q) quantiles -> ``{level: (N, 2) [lo, hi]}`` for each level in percent."""
    out = {}
    for level in levels:
        half = level / 200
        out[level] = quantiles_at(quantiles, grid, np.array([0.5 - half, 0.5 + half]))
    return out


def _bucket(lengths: np.ndarray) -> np.ndarray:
    """(N,) context lengths -> (N,) index into LENGTH_BUCKETS."""
    upper = np.array([hi for _, hi in LENGTH_BUCKETS])
    return np.minimum(np.searchsorted(upper, lengths), len(LENGTH_BUCKETS) - 1)


@dataclasses.dataclass(frozen=True)
class Calibration:
    """Widening factors ``(B, P)``: length bucket ``b``, symmetric level pair ``p`` (outermost first)."""

    grid: tuple[float, ...]  # the quantile levels the factors belong to
    factors: np.ndarray  # (len(LENGTH_BUCKETS), len(grid) // 2)
    cases: int  # held-out cases measured

    def apply(self, quantiles: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(N, Q) raw quantiles, (N,) context lengths -> (N, Q) calibrated quantiles, still increasing."""
        pairs = len(self.grid) // 2
        c = self.factors[_bucket(np.asarray(lengths))]  # (N, P)
        lo, hi = quantiles[:, :pairs], quantiles[:, ::-1][:, :pairs]  # (N, P) each, outermost first
        width = hi - lo
        out = quantiles.copy()
        out[:, :pairs] = lo - c * width
        out[:, ::-1][:, :pairs] = hi + c * width
        # Widening pairs by different factors could cross them: keep the quantile function increasing,
        # working outwards from the median on both sides.
        middle = len(self.grid) // 2
        out[:, middle:] = np.maximum.accumulate(out[:, middle:], axis=1)
        out[:, : middle + 1] = np.minimum.accumulate(out[:, middle::-1], axis=1)[:, ::-1]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "grid": list(self.grid),
            "length_buckets": [list(bucket) for bucket in LENGTH_BUCKETS],
            "factors": np.round(self.factors, 6).tolist(),
            "cases": self.cases,
        }

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        path = Path(path)
        try:
            values = json.loads(path.read_text())
            grid = tuple(float(q) for q in values["grid"])
            factors = np.asarray(values["factors"], dtype=np.float64)
            cases = int(values["cases"])
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ValueError(f"cannot read calibration {path}: {err}; re-run the calibration") from err
        if factors.shape != (len(LENGTH_BUCKETS), len(grid) // 2) or not np.isfinite(factors).all():
            raise ValueError(f"calibration {path} has factors of shape {factors.shape}; re-run the calibration")
        return cls(grid, factors, cases)


def calibrate(
    quantiles: np.ndarray, targets: np.ndarray, lengths: np.ndarray, grid: Sequence[float]
) -> Calibration:
    """Widening factors that make each symmetric pair of levels cover its nominal share of held-out cases.

    ``quantiles`` (N, Q) raw, ``targets`` (N,) true next values, ``lengths`` (N,) context lengths.
    The score of a case is how far outside its interval the target falls, in interval widths
    (negative inside); the factor is the score's conformal quantile at the pair's level. Cases whose
    interval has zero width (exact progressions) carry no information on widths and are skipped.
    """
    grid = tuple(grid)
    pairs = len(grid) // 2
    buckets = _bucket(np.asarray(lengths))
    factors = np.zeros((len(LENGTH_BUCKETS), pairs))
    for b in range(len(LENGTH_BUCKETS)):
        rows = buckets == b
        for p in range(pairs):
            lo, hi = quantiles[rows, p], quantiles[rows, -1 - p]
            width = hi - lo
            informative = width > 0
            if informative.sum() < 50:  # too few cases to say anything: keep the raw interval
                continue
            y = targets[rows][informative]
            score = np.maximum(lo[informative] - y, y - hi[informative]) / width[informative]
            coverage = grid[-1 - p] - grid[p]
            n = len(score)
            rank = min(1.0, coverage * (n + 1) / n)  # the finite-sample conformal quantile
            factors[b, p] = max(float(np.quantile(score, rank, method="higher")), -0.49)  # never inverts
    return Calibration(grid, factors, int(len(targets)))


def sample_paths(quantiles: np.ndarray, grid: Sequence[float], rng: np.random.Generator, n: int) -> np.ndarray:
    """(N, Q) quantiles -> (N, n) draws from each row's predictive distribution, by inverse transform.

    Between levels the quantile function is linear; draws beyond the outermost levels are held at
    them (the tails beyond ``grid[0]`` and ``grid[-1]`` are not modelled).
    """
    u = np.clip(rng.random(size=(quantiles.shape[0], n)), grid[0], grid[-1])  # (N, n)
    grid_array = np.asarray(grid)
    index = np.clip(np.searchsorted(grid_array, u, side="right") - 1, 0, len(grid_array) - 2)  # (N, n)
    weight = (u - grid_array[index]) / (grid_array[index + 1] - grid_array[index])
    lower = np.take_along_axis(quantiles, index, axis=1)
    upper = np.take_along_axis(quantiles, index + 1, axis=1)
    return lower + (upper - lower) * weight
