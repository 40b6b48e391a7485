"""The period a sequence repeats with, where it plainly repeats: a plain function of the values, numpy only.

Each series has its least-squares line removed and its autocorrelation taken at every lag up to half its
length (one matrix product for a whole batch). A cycle of ``p`` values shows as a peak of the
autocorrelation at lag ``p`` after a trough near ``p / 2``. A peak counts when it holds :data:`PEAK`
(:data:`TWICE_PEAK` where the series holds the cycle only twice), clears white noise's autocorrelation
:data:`NOISE_Z`-fold, rises by :data:`SWING` from a trough that lies between :data:`TROUGH_AT` of its lag:
lines, smooth curves, random walks and noise seldom do (``benchmarks/results/periods.md``). The highest
such peak is a repeat; the period is its lag (read between lags by a parabola) divided by the cycles it
spans, the most for which the autocorrelation also peaks at every fraction of the lag: sampled once a
step, a cycle of 4.67 values repeats closely only every 14 values, with lower peaks at 5 and 9. Among the
series whose autocorrelation rises so, one that repeats a cycle of ``k`` values nearly exactly (its differences
``x[t] - x[t-k]`` all but equal, by :data:`REPEAT` of how unequal its steps are) has the least such ``k`` for its
period, where the peaks found none or a whole period that ``k`` is a multiple of (a cycle of 4 whose lag 2
peaks too); not where they found one between whole steps (7.5, which repeats exactly only every 15).
"""

from __future__ import annotations

import numpy as np

MIN_VALUES = 8  # shorter series are not searched: a cycle seen twice needs at least 2 x 3 values and more
PEAK = 0.5  # least autocorrelation at the period's lag
TWICE_PEAK = 0.8  # least autocorrelation at a lag the series holds only twice (more than a third of it)
SWING = 1.0  # least rise of the autocorrelation from its lowest point before the period's lag to the peak
WEAK = 0.3  # least autocorrelation of a peak at a fraction of the period's lag that makes it the period
NOISE_Z = 2.5  # the peak's autocorrelation at least this many times white noise's (1 / sqrt(pairs))
TROUGH_AT = (0.25, 0.75)  # the lowest autocorrelation before the period's lag lies within these shares of it (a week
# whose low is 2 of 7 days before its peak, 0.286, was found in two thirds of noisy cases at (0.3, 0.7): round 69)
MOST_CYCLES = 32  # the most cycles one repeat is read as spanning (a 64-value window holds at most 32)
REPEAT = 0.1  # a near-exact repeat of k values: its differences x[t] - x[t-k] spread by at most this share of the steps
WHOLE = 0.25  # a period the peaks found within this of a whole number q gives way to a near-exact repeat of a multiple of q
NEAR_REPEAT = 0.3  # ... unless q itself repeats within this (REPEAT's measure): a noisy week is not read as two
MULTIPLE_GAIN = 3.0  # ... and within this many times as closely as the multiple does
INNER = 0.5  # ... and the repeat's first cycle must step by at least this share of the series' mean step
_BLOCK_ROWS = 2048  # rows whose lagged windows are multiplied at once (about 36 MB at 64 values)
LINE = 1e-26  # mean square left after the line, the largest value 1, below which a series is a line (float rounding)


def periods(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-padded values and (N,) lengths -> (N,) the period of each series (float, in steps),
    NaN where it does not plainly repeat (or has fewer than :data:`MIN_VALUES` values)."""
    values = np.asarray(values, dtype=np.float64)
    lengths = np.asarray(lengths)
    out = np.full(len(lengths), np.nan)
    rows = np.flatnonzero(lengths >= MIN_VALUES)
    if not rows.size:
        return out
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN lags and rows compare False throughout
        r = _autocorrelation(values[rows], lengths[rows])  # (R, W // 2 + 2), NaN past each row's half length
        # Only a row whose autocorrelation rises again to PEAK after lag 1 may repeat (most do not: a quick exit)
        rises = np.flatnonzero(((r[:, 2:] > r[:, 1:-1]) & (r[:, 2:] >= PEAK)).any(axis=1))
        if not rises.size:
            return out
        r, rows = r[rises], rows[rises]
        lag, weak = _best_peaks(r, lengths[rows])  # (R,) lag, 0 for none; (R, L) the peaks of at least WEAK
        hit = np.flatnonzero(lag > 0)
        if hit.size:
            out[rows[hit]] = _vertex(r[hit], np.arange(len(hit)), lag[hit]) / _spans(lag[hit], weak[hit])
        # A near-exact repeat of k values is the period where the peaks found none, or a whole one that k is a
        # multiple of (4 read as 2); not one between whole steps, which repeats exactly only every k (7.5 every
        # 15), nor one near a whole number that k is no multiple of (a sine of 3.2 repeats every 16)
        repeat = _repeats(values[rows], lengths[rows], r >= PEAK)  # (R,) a near-exact repeat's cycle, 0 for none
        found = out[rows]
        whole = np.rint(np.nan_to_num(found)).astype(np.int64)  # (R,) 0 where none was found
        divides = (np.abs(found - whole) <= WHOLE) & (whole >= 2) & (repeat % np.maximum(whole, 1) == 0)
        # ... unless the whole period itself all but repeats (within NEAR_REPEAT of the steps' spread, and within
        # MULTIPLE_GAIN times the multiple's): a week of noisy days that repeats by 0.102 of its steps (REPEAT: 0.1)
        # and its two weeks by 0.047 was read as a cycle of 14 (round 66); a cycle of 6 whose halves are alike
        # repeats by 0.224 in 3 and by 0.004 in 6
        twice = np.flatnonzero(divides & (repeat > whole))
        if twice.size:
            x, count = values[rows[twice]], lengths[rows[twice]]
            steps, by_period = _repeat_spread(x, count, np.ones_like(twice)), _repeat_spread(x, count, whole[twice])
            divides[twice] = ~(
                (by_period <= NEAR_REPEAT * steps) & (by_period <= MULTIPLE_GAIN * _repeat_spread(x, count, repeat[twice]))
            )
        take = (repeat > 0) & (np.isnan(found) | divides)
        out[rows[take]] = repeat[take]
    return out


def _repeats(values: np.ndarray, lengths: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(R, W) prefix-padded values, (R,) lengths, (R, L) where their autocorrelation reaches PEAK (a near-exact
    repeat's lag does: only those lags are asked) -> (R,) the least ``k`` (2 <= k <= length / 2) for which the
    differences ``x[t] - x[t-k]`` spread (mean absolute deviation from their mean) by at most :data:`REPEAT` of
    what the steps ``x[t] - x[t-1]`` spread by: the series repeats a cycle of ``k`` values nearly exactly, on a
    line or not, and its first ``k`` values step by at least :data:`INNER` of its mean step (a level that steps
    once, halfway, repeats its flat half so); 0 for none. The autocorrelation misses some such cycles (four weeks of a weekly shape whose
    trough before the peak lies outside TROUGH_AT, a cycle of 4 whose lag 2 peaks too, read as 2)."""
    width = values.shape[1]
    valid = np.arange(width)[None, :] < lengths[:, None]  # (R, W)
    x = np.where(valid, values, 0.0)
    out = np.zeros(len(x), dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):  # values near the float limits: inf/NaN, never a repeat
        step = np.diff(x, axis=1)  # (R, W - 1)
        steps = np.abs(step)
        spread_1 = _spread(step, valid[:, 1:])  # (R,)
        mean_step = np.where(valid[:, 1:], steps, 0.0).sum(axis=1) / np.maximum(lengths - 1, 1)  # (R,)
        inner = np.cumsum(steps, axis=1)  # (R, W - 1): inner[:, k - 2] sums the steps within the first k values
        for k in range(2, min(width // 2, high.shape[1] - 1) + 1):
            # the first cycle moves as the series does: one step halfway, of a level, is no cycle of its half
            ask = np.flatnonzero(high[:, k] & (out == 0) & (2 * k <= lengths) & (spread_1 > 0)
                                 & (inner[:, k - 2] / (k - 1) >= INNER * mean_step))
            if ask.size:
                spread_k = _spread(x[ask, k:] - x[ask, :-k], valid[ask, k:])  # (A,)
                out[ask[spread_k <= REPEAT * spread_1[ask]]] = k
    return out


def _repeat_spread(values: np.ndarray, lengths: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """(R, W) prefix-padded values, (R,) lengths and lags ``k`` -> (R,) how the differences ``x[t] - x[t-k]``
    spread (:func:`_spread`; k = 1: the steps), as :func:`_repeats` measures a repeat."""
    valid = np.arange(values.shape[1])[None, :] < lengths[:, None]  # (R, W)
    x = np.where(valid, values, 0.0)
    out = np.full(len(x), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in np.unique(cycles).tolist():
            rows = np.flatnonzero(cycles == k)
            out[rows] = _spread(x[rows, k:] - x[rows, :-k], valid[rows, k:])  # (K,)
    return out


def _spread(differences: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """(R, M) differences, (R, M) which are a series' -> (R,) their mean absolute deviation from their mean."""
    count = valid.sum(axis=1)  # (R,) > 0: a row has 2k <= length values here
    mean = np.where(valid, differences, 0.0).sum(axis=1) / np.maximum(count, 1)
    return np.where(valid, np.abs(differences - mean[:, None]), 0.0).sum(axis=1) / np.maximum(count, 1)


def _autocorrelation(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(R, W) prefix-padded values, (R,) lengths (>= MIN_VALUES) -> (R, W // 2 + 2) autocorrelation of each
    detrended series at lags 0 .. W // 2 + 1 (each lag's products averaged over the pairs it has), NaN at
    lags past a row's half length + 1 and for rows with nothing left after the line (0 variance)."""
    width, top = values.shape[1], values.shape[1] // 2 + 2
    t = np.arange(width, dtype=np.float64)
    mask = t < lengths[:, None]  # (R, W)
    x = np.where(mask, values, 0.0)
    x /= np.abs(x).max(axis=1, keepdims=True)  # |x| <= 1: no overflow (all zeros: NaN, nothing repeats)
    n = lengths.astype(np.float64)
    mean = x.sum(axis=1) / n  # (R,)
    slope = (x @ t - (n - 1) / 2 * n * mean) / (n * (n * n - 1) / 12)  # least squares (sum of (t - mean t)^2 in closed form)
    padded = np.zeros((len(x), width + top))
    np.subtract(x, (mean - slope * (n - 1) / 2)[:, None] + slope[:, None] * t, out=padded[:, :width], where=mask)
    # windows[i, t, k] = padded[i, t + k]: sums[i, k] = sum over t of residual[i, t] * residual[i, t + k]. The
    # product copies the strided windows (W x L values a row, 17 kB at 64 values), so rows go in blocks: a
    # batch of 200,000 series took 2.4 GB at once
    step = padded.strides[1]
    sums = np.empty((len(x), top))  # (R, L)
    for start in range(0, len(x), _BLOCK_ROWS):
        block = padded[start : start + _BLOCK_ROWS]
        windows = np.lib.stride_tricks.as_strided(block, (len(block), width, top), (block.strides[0], step, step))
        sums[start : start + _BLOCK_ROWS] = (block[:, None, :width] @ windows)[:, 0]
    lags = np.arange(top)
    pairs = lengths[:, None] - lags  # (R, L) products summed at each lag; lags past half a row are dropped below
    r = np.where((lags <= (lengths // 2 + 1)[:, None]) & (sums[:, :1] > LINE * n[:, None]), sums / pairs, np.nan)
    return r / r[:, :1]


def _best_peaks(r: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, L) autocorrelations, (R,) lengths -> (R,) the lag of the highest peak that qualifies (PEAK,
    SWING, NOISE_Z, seen twice), 0 where none does, and (R, L) bool: the peaks of at least WEAK."""
    lags = np.arange(r.shape[1])[None, :]
    peak = np.zeros(r.shape, dtype=bool)
    peak[:, 2:-1] = (r[:, 2:-1] >= r[:, 1:-2]) & (r[:, 2:-1] > r[:, 3:])  # local maxima at lags 2 .. L - 2
    trough = np.fmin.accumulate(np.where(lags >= 1, r, np.inf), axis=1)  # (R, L) lowest up to each lag
    at = np.maximum.accumulate(np.where((r <= trough) & (lags >= 1), lags, 0), axis=1)  # (R, L) the lag of that low
    good = peak & (lags <= (n // 2)[:, None]) & (r >= PEAK) & (r - trough >= SWING)
    good &= (at >= TROUGH_AT[0] * lags) & (at <= TROUGH_AT[1] * lags)  # a trough halfway, as a cycle has
    good &= r >= NOISE_Z / np.sqrt(np.maximum(n[:, None] - lags, 1))
    good &= (3 * lags <= n[:, None]) | (r >= TWICE_PEAK)  # seen only twice: it must repeat closely
    weak = peak & (r >= WEAK)
    best = np.where(good.any(axis=1), np.argmax(np.where(good, r, -np.inf), axis=1), 0)  # (R,)
    return best, weak


def _spans(lag: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """(R,) lags of the best peaks (> 0), (R, L) the peaks of at least WEAK -> (R,) the cycles each lag
    spans: the most ``d`` such that every fraction ``j / d`` of the lag (0 < j < d) falls on a peak, at its
    nearest lag or, when it lies between two, at the other. A cycle of 4.67 values repeats closely only
    every 14 (its peak at lag 5 is low, but there is one, and one at 9): 14 spans 3 cycles."""
    most = min(int(lag.max()) // 2, MOST_CYCLES)  # the most cycles a lag may span (each at least 2 long)
    if most < 2:
        return np.ones(len(lag))
    d, j = _FRACTIONS[: _STARTS[most - 1]].T  # (P,) each: the fractions of denominators 2 .. most
    at = lag[:, None] * (j / d)[None, :]  # (R, P)
    nearest = np.rint(at).astype(np.int64)
    other = np.where(at > nearest, nearest + 1, nearest - 1)
    rows = np.arange(len(lag))[:, None]
    on_peak = weak[rows, nearest] | ((np.abs(at - nearest) > 0.3) & weak[rows, other])
    every = np.logical_and.reduceat(on_peak & (nearest >= 2), _STARTS[: most - 1], axis=1)  # (R, most - 1)
    holds = every.any(axis=1)
    return np.where(holds, most - np.argmax(every[:, ::-1], axis=1), 1).astype(np.float64)  # the last d that holds


_FRACTIONS = np.array([(d, j) for d in range(2, MOST_CYCLES + 1) for j in range(1, d)])  # (P, 2) every j / d
_STARTS = np.r_[0, np.cumsum(np.arange(1, MOST_CYCLES))]  # _STARTS[d - 2]: where the fractions of d begin


def _vertex(r: np.ndarray, rows: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """(R,) whole lags of peaks -> (R,) the vertex of the parabola through the autocorrelation at lag - 1,
    lag and lag + 1 (the lag itself where those are not all known)."""
    lag = np.asarray(lag)
    before = r[rows, np.maximum(lag - 1, 0)]
    here = r[rows, lag]
    after = r[rows, np.minimum(lag + 1, r.shape[1] - 1)]
    curve = before - 2 * here + after
    shift = np.where(curve < 0, np.clip(0.5 * (before - after) / curve, -0.5, 0.5), 0.0)  # NaN < 0 is False
    return lag + shift
