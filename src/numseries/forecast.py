"""Multi-step forecasts with intervals from the model's quantile head. numpy only.

The path itself is the model's autoregressive forecast: each prediction is appended and fed back in.
Its bands come, by default, from that path alone (:func:`numseries.intervals.path_bands`): at each
step the model's one-step interval reaches below and above it, these reaches add up along the path
(from long contexts in a p-norm, ``intervals.REACH_NORMS``), a factor per horizon calibrated on
held-out generated paths scales the sums (and for a window the family classifier names, that family's
own factor on top), and from ``intervals.RANGE_CAP_SHORT`` values the window's range (from
``intervals.RANGE_CAP_FROM`` values, the range itself; from fewer, a multiple of it) bounds them, beyond how far the path itself leaves that range (:func:`numseries.intervals.range_reach`); this costs nothing
beyond the path. With ``paths``, they come from sample paths instead: at every step each path draws
its next value from the model's (calibrated) predictive distribution given that path's own history,
and feeds it back in; this costs ``paths`` times as much. Either way, step 1's band is the model's
own interval.

A path read from a long window can run away: on a smooth decline the network extrapolates the slowing
of the steps, reads its own slower steps back as a turn, and the turn compounds into a climb that grows
geometrically (fertility rates falling steadily from 2.50 to 2.40 forecast to 11.97 eight years on). A path
with a step (among its first ``BACKTEST_STEPS``: a longer horizon changes none of them) more than
``RUNAWAY`` times the largest step of its window is read again from the window's
last ``SHORT_READ`` values only, path and bands from its second step on (:func:`guarded_roll_out`). So is a
path whose window, backtested, prefers the short read: its own last values (up to ``BACKTEST_STEPS``) are
forecast from the values before them both ways, and the short read's error is under ``PREFER_SHORT`` of the
whole read's (long smooth curves, whose whole-window paths drift). ``benchmarks/results/experiments.md`` has
the measurements behind these numbers.

However read, a path fed back into the network far enough can grow geometrically (a noisy line rising 3
a step, forecast 100 steps, doubled every step from about step 46). From the first step (after the first)
over ``STEADY`` times the largest step of the values it was read from, that step grown every step by as
much as their last steps grow where the path goes their way (:func:`step_growth`: by an exponential's ratio,
by 1 for a line or noise; shrunk every step by as much as their steps shrink where they settle, a decay's or
a saturating curve's: :func:`step_decay`; there measured by their last step, and a step back or past the
level they settle at ends the path too), a path goes on at their mean step instead (where they settle, its
distance to that level shrinking at their ratio: it levels off), its bands moved with it (:func:`steady_paths`);
``Forecast.steady`` says from which step.

The network damps a season: on monthly co2 it forecasts 8 months ahead with twice AutoARIMA's error. A window
that repeats (:func:`numseries.cycles.periods`, within ``SEASON_NEAR`` of a whole number ``k`` of steps or
``SEASON_NEAR_SHARE`` of it, :func:`whole_cycles`, with two cycles in it) gets a second candidate path: its last
``k`` values repeated, each repeat moved by the slope of its cycles' means where that is more than noise (:func:`seasonal_paths`, :func:`cycle_drift`).
Backtested the same way (its own last values forecast from the values before them, with the period of the whole
window; a short window too, read whole), where it misses by less than the path the network gave, it is the path
from the second step on, with a seasonal naive forecast's bands (:func:`cycle_bands`: the network's, moved onto
the cycle, were 5-40 times too wide). Step 1 is predict's, which is the cycle's own step where, one step at a
time, that predicts the window's last values better (``Predictor._read_cycles``).

The network continues a decay by its steps: a geometric decay rounded to a few digits (``100 80 64 51 41 33 26
21 17 13``) went on as a line, below 0 by step 5. A window that repeats no cycle, whose values read are all
positive and end below where they start, gets one more candidate: the network's path read from the logarithms
of those values, exponentiated (it goes on by their ratios, and never below 0), its bands too. Backtested the
same way (a window of 6 values holds out 2: ``LOG_PAST``), where it misses by under ``PREFER_LOG`` of what the
path the window got does, and it never climbs back above the last value (a decay to a level above 0, read
in logarithms, can turn and grow), it is the path from the second step on; ``Forecast.logs`` says so, and
``Forecast.log_path`` which path it took (``LOG_PATHS``). Held
steady in logarithms where it runs away there, it is not held steady again by its steps. A positive window that
rises by ratios (at least ``RISE_VALUES`` values, the last at least ``RISE_RATIO`` times the first, its
logarithms closer to a line than its values: compounding growth with proportional noise, revenue or users) gets
another candidate: the least-squares line of its logarithms, a steady ratio, with that line's prediction
intervals; backtested the same way (or missing by under 1 / ``PREFER_LOG`` times as much, where the path the
window got is held to a steady step within ``BACKTEST_STEPS`` steps: a steady step or a steady ratio), it is
the path from the second step on where it never falls below the last value: the network continues such a growth by its steps, ever further behind, or is held to a steady step (24
values of 100·1.3^t with 3% noise went on to 60% of the eighth value), and its own path in logarithms wandered
over long horizons. A line's or a wave's rise is left to the network's steps. A window below 0 is read as its
mirror image above 0, and mirrored back.

The network reads a saturating curve's slowing steps as a wave's on its way to a peak: a logistic share rising
to 76.9 of 100 turned back and fell below 0 (``1.5 2.7 4.7 8.3 14.2 23.1 35.4 50 64.6 76.9``). A window left with
the network's own path (no cycle, no logarithms), whose values read (at least ``SETTLE_VALUES``) all step one way,
the last step smaller than the largest, and that saturates (its steps shrink by about one ratio, not as a wave's
near its peak: :func:`step_decay`, :func:`_turning`; or the family classifier names it a logistic curve and its
steps have shrunk for 2 steps at least: a curve rising to a peak, daily cases, is named so too) settles from the
second step on, where the network's step 1 went its way (one that turned back reads a turn): from step 1 its
steps go that way, their sizes the network's path read from the logarithms of the window's step sizes (for up to
``BACKTEST_STEPS`` steps, then shrinking by the ratio below), each no larger than the one before nor than the
window's last step shrunk every step by the ratio its last steps shrank by (up to ``SETTLE_RECENT`` of them). Its
bands reach as far as the network's path's did, at most step 1's reach (or the window's last step shrunk by that
ratio, if larger) times the step, and from ``BACKTEST_STEPS`` on grow from there as a random walk's spread. It is not backtested: cut before
the last values, the window had not begun to saturate. A window of one sign keeps its path where settling would
cross 0. ``Forecast.settles`` says so; such a path never runs away, and is not held steady. Step 1 is predict's:
where the network's step overshoots such a window (over ``SETTLE_OVERSHOOT`` times its last step shrunk by that
ratio: ``131 40 13 4.6 2.1 1.32``, a cooling to 1, went on by 0.88), it is read from the step sizes too
(``Predictor._read_steps``; ``Prediction.settles``).
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from numseries.cycles import MIN_VALUES as CYCLE_VALUES
from numseries.cycles import periods
from numseries.formatting import levels_text, short_array
from numseries.intervals import (
    back_up_from_zero,
    floored_at_zero,
    never_below_zero,
    path_bands,
    quantile_draws,
    recorded_decimals,
    recorded_intervals,
    round_to_recording,
    t_quantiles,
)
from numseries.series import (
    LARGEST_FLOAT,
    keep_last,
    mean_abs_step,
    mirrored_back,
    padded_rows,
    read_lengths,
    unit_scaled,
)

Predictor = Any  # numseries.predict.Predictor, which imports this module: not imported back (no cycle)

MAX_ROWS = 200_000  # series x paths of one batched forecast call: bounds its memory
MAX_QUANTILES = 25_000_000  # series x steps x quantile levels kept by one call without sample paths (200 MB)
RUNAWAY = 2.0  # a path runs away when one of its steps is over this many times its window's largest step
SHORT_READ = 12  # values a path is read again from, when it runs away or backtests worse: the window's last ones
BACKTEST_STEPS = 8  # at most this many of a window's last values are forecast from the values before them
PREFER_SHORT = 0.5  # the short read wins the backtest when its error is under this share of the whole read's
SEASON_NEAR = 0.25  # a window whose period is this close to a whole number of steps may repeat its last cycle
SEASON_NEAR_SHARE = 0.02  # ... or this share of it, where more (a day of 24 hours read as 23.6: a 2% phase slip a cycle)
CYCLE_BACKTEST = 8  # a repeating window's step 1 is the cycle's where, predicting at most this many of its last values
CYCLE_HOLD = 3  # ... (at least this many, each one step from the values before it, two cycles at least)
PREFER_CYCLE = 0.8  # ... the cycle misses by under this share of what predict's own step did (Predictor._read_cycles)
CYCLE_AGREE = 0.25  # a window of two cycles and too few values after them to backtest repeats them where they agree
# within this share of its last cycle's spread (:func:`_few_cycles`)
DRIFT_Z = 2.0  # a repeated cycle's mean moves only by a slope of the cycle means this many standard errors from 0
STEADY = 2.0  # a path step (from step 2) over this many times its window's largest step ends the network's path
GROWTH_STEPS = 4  # a window's last steps that tell whether its steps grow, and by how much (step_growth)
GROWTH_SPREAD = 1.5  # ... when the largest of their ratios is at most this many times the least
DECAY_STEPS = 8  # a window's last steps that tell whether its steps settle, and by how much (step_decay)
DECAY_LEAST = 5  # ... as many as a shorter window has, down to this many (6 values)
SHORT_SPREAD = 1.2  # ... where the largest of their ratios is at most this many times the least
TREND = 0.01  # ... and they do not rise or fall all the way, by over this share of the first
ESCALATION = 1.5  # a path step this many times the one before (beyond the window's growth) escalates a runaway
TURN_RATIO = 0.95  # ... and whether their ratios fall as a wave's do near its peak (_turning), not steady
PREFER_LOG = 0.5  # a path read in logarithms wins its backtest when its error is under this share of the values'
LOG_PAST = 4  # values a log backtest forecasts from, at least (a window of 6 holds out 2)
LOG_GROWTH = 1.5  # a window growing by this many times at its last step, faster each step, may be read in logarithms
GROWTH_BACKTEST = 3  # ... where the network predicts its last this many values (one step each) better so
RISE_VALUES = 8  # a window that rises by ratios (straighter_in_logs) may be read in logarithms from this many values
RISE_RATIO = 2.0  # ... where its last value is at least this many times its first (a slow rise is near a line)
LOG_PATHS = ("", "rise", "growth", "decay", "rise_steady")  # Forecast.log_path: how a path read in logarithms went
# on, by code (the code in guarded_roll_out's result): "" not so; "rise" the least-squares line of a rise by ratios'
# logarithms; "rise_steady" that line where the path of its values went on at a steady step (_take_ratio_paths);
# "growth" the network's path of a growth's logarithms, as its step 1 was read; "decay" the network's path of a decay's
LINE_MISFIT = 2.0  # a step-1 interval reaches as far as the line of a rise's logarithms where it fits as well (grows_by_a_steady_ratio)
SETTLE_RECENT = 3  # a settling path's steps shrink by the ratio of the window's last steps, this many at most
SETTLE_VALUES = DECAY_LEAST + 1  # values read, at least, of a window whose path may settle (_take_settling_paths)
SETTLE_OVERSHOOT = 1.5  # a saturating window's step 1 is read from its step sizes where the network's step is over
# this many times its last step shrunk by its last steps' ratio (Predictor._read_steps)
SETTLE_NOISE = 1.5  # ... its interval reaching at least this many times the noise its steps show, in z units
SETTLE_STEP_REACH = 1.0  # ... and at 80% at least this many times the step


@dataclasses.dataclass(frozen=True, eq=False)  # arrays inside: == is identity (numpy's == is no bool)
class Forecast:
    """``steps`` values ahead of one series, with their intervals."""

    values: np.ndarray  # (K,) float64 the autoregressive path
    levels: tuple[float, ...]  # percent
    bounds: dict[float, np.ndarray]  # level -> (K, 2) [lo, hi] per step
    read: int | None = None  # the last values the path was read from: 12 when it ran away or backtested better so
    cycle: int | None = None  # from step 2 the path repeats the window's last cycle of this many values (None: not)
    steady: int | None = None  # from this step on the path goes on at the window's mean step (None: it never ran away)
    log_path: str = ""  # from step 2 the path was read from the logarithms of the values: which (LOG_PATHS); "" not
    settles: bool = False  # from step 2 the path settles: its steps go one way, shrinking (a saturating curve's)
    own_cycle: int | None = None  # from step own_cycle + 1 the path repeats its own first steps of the window's cycle

    def __post_init__(self) -> None:  # (it was a bool, logs, before log_path: a True given so is no path's name)
        if not isinstance(self.log_path, str) or self.log_path not in LOG_PATHS:
            raise ValueError(f"log_path must be one of {', '.join(map(repr, LOG_PATHS))}, got {self.log_path!r}")

    @property
    def logs(self) -> bool:
        """Whether from step 2 the path was read from the logarithms of the values (it goes on by their ratios)."""
        return bool(self.log_path)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lo (K,), hi (K,)) at ``level`` percent, one of the levels asked for (copies: editing them leaves
        the forecast as it is)."""
        bounds = _bounds(self.bounds, level)
        return bounds[:, 0].copy(), bounds[:, 1].copy()

    def __repr__(self) -> str:  # one line: the dataclass's dumped every band
        parts = [f"values={short_array(self.values)}"]
        if self.levels:
            parts.append(f"intervals={levels_text({level: self.interval(level) for level in self.levels})}")
        parts += [f"{name}={value}" for name, value in (("read", self.read), ("cycle", self.cycle), ("steady", self.steady), ("log_path", self.log_path), ("settles", self.settles), ("own_cycle", self.own_cycle)) if value]
        return f"Forecast({', '.join(parts)})"


@dataclasses.dataclass(frozen=True, eq=False)  # arrays inside: == is identity (numpy's == is no bool)
class BatchForecast:
    """``steps`` values ahead of N series, with their intervals."""

    values: np.ndarray  # (N, K) float64
    levels: tuple[float, ...]
    bounds: dict[float, np.ndarray]  # level -> (N, K, 2)
    read: np.ndarray | None = None  # (N,) int: the last values of each series its path was read from
    cycle: np.ndarray | None = None  # (N,) int: the cycle each path repeats from step 2 (0: the network's path)
    steady: np.ndarray | None = None  # (N,) int: the step each path goes on at its window's mean step from (0: none)
    log_path: np.ndarray | None = None  # (N,) int8: which path read in logarithms each took from step 2 (LOG_PATHS)
    settles: np.ndarray | None = None  # (N,) bool: the paths that settle from step 2, their steps shrinking one way
    own_cycle: np.ndarray | None = None  # (N,) int: the cycle k whose first k steps each path repeats from step k + 1

    @property
    def logs(self) -> np.ndarray | None:
        """(N,) bool: the paths read from the logarithms of their values from step 2."""
        return None if self.log_path is None else self.log_path > 0

    def forecast(self, i: int) -> Forecast:
        """Series ``i``'s forecast alone."""
        read = None if self.read is None else int(self.read[i])
        cycle = int(self.cycle[i]) if self.cycle is not None and self.cycle[i] else None
        steady = int(self.steady[i]) if self.steady is not None and self.steady[i] else None
        bounds = {level: b[i] for level, b in self.bounds.items()}
        log_path = "" if self.log_path is None else LOG_PATHS[int(self.log_path[i])]
        settles = self.settles is not None and bool(self.settles[i])
        own = int(self.own_cycle[i]) if self.own_cycle is not None and self.own_cycle[i] else None
        return Forecast(self.values[i], self.levels, bounds, read, cycle, steady, log_path, settles, own)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lo (N, K), hi (N, K)) at ``level`` percent, one of the levels asked for (copies, as above)."""
        bounds = _bounds(self.bounds, level)
        return bounds[..., 0].copy(), bounds[..., 1].copy()

    def __repr__(self) -> str:  # one line, as Forecast's
        n, steps = self.values.shape
        return f"BatchForecast(n={n}, steps={steps}, levels={list(self.levels)}, values={short_array(self.values)})"


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
    seed: int | np.random.Generator | None,
    name: Callable[[int], str] = "sequence {}".format,
) -> BatchForecast:
    """Checked windows (each at most ``max_len`` values) -> their forecasts with ``levels`` bands, from
    the point path (``paths`` 0) or from ``paths`` sample paths per series (:func:`series_streams`).
    ``name(i)`` names window i in an error."""
    n = len(windows)
    values = np.empty((n, steps))
    bounds = {level: np.empty((n, steps, 2)) for level in levels}
    read = np.empty(n, dtype=np.int64)
    cycle = np.empty(n, dtype=np.int64)
    steady = np.empty(n, dtype=np.int64)
    log_path = np.empty(n, dtype=np.int8)
    settles = np.empty(n, dtype=bool)
    own_cycle = np.empty(n, dtype=np.int64)
    paths = paths if levels else 0
    per_call = max(1, MAX_ROWS // (paths + 1))
    if levels and not paths:  # the one-step quantiles along each path are kept until the end
        per_call = max(1, min(per_call, MAX_QUANTILES // (max(steps, BACKTEST_STEPS) * len(predictor.quantile_levels))))
    streams = series_streams(windows, seed) if paths else []
    # Which read and which cycle a path takes is decided on its first BACKTEST_STEPS steps, whatever the
    # horizon: a shorter forecast is the longer one's first steps (a 3-step one backtested on 3 values took
    # another read than the 5-step one, whose second step lay outside the first's band).
    run = BACKTEST_STEPS if 1 < steps < BACKTEST_STEPS else steps
    for start in range(0, n, per_call):
        chunk = windows[start : start + per_call]
        # (C,) each window's period (NaN: none), which every test of a cycle below reads (a one-step forecast has none)
        found = periods(*padded_rows(chunk)) if run > 1 else np.full(len(chunk), np.nan)
        # a path fed back can overflow float64 (inf, then NaN): quietly, for steady_paths ends it before that
        with np.errstate(over="ignore", invalid="ignore"):
            path, bands, _, chunk_read, chunk_cycle, chunk_log_path, chunk_settles = guarded_roll_out(
                predictor, chunk, run, levels, paths, streams[start : start + per_call], found=found
            )
            free = (chunk_cycle == 0) & (chunk_log_path == 0) & ~chunk_settles  # the network's paths
            chunk_own = repeat_own_cycles(chunk, path, bands, free, found)
            # measured against the values each path was read from (its window's last 12, where read again; the
            # last of them the network reads, at the end of a steep decay or growth: read_lengths)
            # (a path read in logarithms was held steady there, by its ratio: not again here, by its steps; a
            # settling path's steps shrink: it never runs away)
            network = np.flatnonzero((chunk_log_path == 0) & ~chunk_settles)
            kept, kept_bands = path[network], {level: band[network] for level, band in bands.items()}
            from_step = np.zeros(len(chunk), dtype=np.int64)  # (len(chunk),) 0: none
            from_step[network] = steady_paths([chunk[i][-int(chunk_read[i]) :] for i in network], kept, kept_bands)
            path[network] = kept
            for level, band in kept_bands.items():
                bands[level][network] = band
            steady[start : start + len(chunk)] = np.where(from_step <= steps, from_step, 0)
            chunk_own[from_step > 0] = 0  # from there the path is steady_paths', not a repeat of its first cycle
        path, bands = path[:, :steps], {level: band[:, :steps] for level, band in bands.items()}
        # a count's path and bands stop at 0 from step 2 (step 1's interval is predict's: floored there, where
        # its prediction is not below 0 itself); where step 1 is below 0, only a window back up from a 0 it
        # reached (a floor it showed: a step 1 of -0.34 took it off an intermittent count's steps 2-8, whose bands
        # reached -6; adversarial round 66), not one that fell to 0 (5 3 2 1 0 may go on below it)
        padded, padded_lengths = padded_rows(chunk)
        floored = never_below_zero(padded, padded_lengths, recorded_decimals(padded, padded_lengths))  # (C,)
        counts = np.flatnonzero(floored & (~(path[:, 0] < 0) | back_up_from_zero(padded, padded_lengths)))
        path[counts, 1:] = np.maximum(path[counts, 1:], 0.0)
        for band in bands.values():
            band[counts, 1:] = np.maximum(band[counts, 1:], 0.0)
        _check_path_finite(path, start, name)
        values[start : start + len(chunk)] = path
        read[start : start + len(chunk)] = chunk_read
        cycle[start : start + len(chunk)] = chunk_cycle
        log_path[start : start + len(chunk)] = chunk_log_path
        settles[start : start + len(chunk)] = chunk_settles
        own_cycle[start : start + len(chunk)] = np.where(chunk_own < steps, chunk_own, 0)  # a repeat the path reaches
        for level in levels:
            bounds[level][start : start + len(chunk)] = bands[level]
    return BatchForecast(values, tuple(levels), bounds, read, cycle, steady, log_path, settles, own_cycle)


def repeat_own_cycles(
    windows: Sequence[np.ndarray], values: np.ndarray, bands: dict[float, np.ndarray], free: np.ndarray, found: np.ndarray
) -> np.ndarray:
    """Each window among ``free`` (N,) bool (the network's paths: no cycle, logarithms or settling taken) with a
    whole period ``k`` (:func:`whole_cycles` of ``found`` (N,), their periods) that it holds twice: its path (N, K) from step ``k + 1`` on repeats
    its own first ``k`` steps, each repeat moved by :func:`cycle_drift`, in place, and its bands
    ``{level: (N, K, 2)}`` move with it. The network follows a cycle's next turn closely, then damps the one
    after: hourly temperatures of two to two and a half days, forecast two days ahead, missed by 1.90 times the
    seasonal naive forecast's in-sample error, against 1.57 so (``benchmarks/results/experiments.md``).
    Returns (N,) each window's ``k`` (0: none)."""
    out = np.zeros(len(windows), dtype=np.int64)
    steps = values.shape[1]
    lengths = np.array([len(window) for window in windows], dtype=np.int64)
    rows = np.flatnonzero(free & (lengths >= CYCLE_VALUES))
    if steps < 3 or not rows.size:
        return out
    cycle, near = whole_cycles(found[rows])  # (R,) each
    near &= (cycle >= 2) & (cycle < steps) & (lengths[rows] >= 2 * cycle)
    for i, k in zip(rows[near].tolist(), cycle[near].tolist(), strict=True):
        drift = cycle_drift(windows[i], k)
        before = values[i].copy()
        for h in range(k, steps):  # (a repeat of a repeat: each cycle moves by the drift once more)
            values[i, h] = values[i, h - k] + drift
        moved = values[i] - before  # (K,)
        for band in bands.values():
            band[i] += moved[:, None]
        out[i] = k
    return out


def _check_path_finite(values: np.ndarray, offset: int, name: Callable[[int], str]) -> None:
    """A ValueError naming (``name``) the first path (N, K) that still overflows float64 (a growth it follows there)."""
    bad = ~np.isfinite(values)  # (N, K)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        step = int(bad[row].argmax()) + 1
        fewer = f"forecast at most {step - 1} step{'s' if step != 2 else ''}, or " if step > 1 else ""
        raise ValueError(
            f"the forecast of {name(offset + row)} overflows float64 at step {step}; {fewer}divide the values "
            "by a large constant first"
        )


def steady_paths(windows: Sequence[np.ndarray], values: np.ndarray, bands: dict[float, np.ndarray]) -> np.ndarray:
    """Each path (N, K) with a step into step k (from 2) over ``STEADY`` times its window's largest step or its
    own first step, if larger (times :func:`step_growth` to the power k, where the step goes the way the
    window's last steps grow, and times :func:`step_decay` to the power k; where the window's steps settle and
    do not turn as a wave's near its peak, :func:`_turning`, its last step instead of its largest, and a step
    back the other way or past the level they settle at runs away too) goes on from the step before at
    the window's mean step (its last value less its first, over its steps; 0 where their least-squares slope
    is within ``DRIFT_Z`` standard errors of 0, :func:`_trends`), from before the steps that escalated into it
    (each over ``ESCALATION`` times the one before), or where its steps settle
    (:func:`step_decay`), its distance to that level shrinking by their ratio every step, in place, and its bands ``{level: (N, K, 2)}`` reach as far below and above it as
    at the last step kept, times the square root of the steps' ratio (as a random walk's spread grows),
    rounded to the window's recorded decimals. The largest and the mean step are of the values the network
    reads (fewer at the end of a steep decay or growth: :func:`~numseries.series.read_lengths`). Returns (N,) the step
    (1-based) each path goes on steadily from, 0 where none ran away."""
    n, steps = values.shape
    out = np.zeros(n, dtype=np.int64)
    if steps < 2 or not n:
        return out
    padded, lengths, read, last, largest = _last_and_largest_step(windows, as_read=True)
    growth, direction = step_growth(padded, lengths)  # (N,) each
    shrink, settle_way = step_decay(padded, lengths)  # (N,) each: below 1 where the window's steps settle, their way
    with np.errstate(over="ignore", invalid="ignore"):  # near the float limits steps are inf: no path runs away from that
        opening = padded[np.arange(n), lengths - read]  # (N,) the first of the values the network read
        mean_step = np.where(read > 1, (last - opening) / np.maximum(read - 1, 1), 0.0)  # (N,)
        mean_step = np.where(_trends(padded, lengths, read), mean_step, 0.0)  # noise goes on flat, not adrift
        last_step = np.where(lengths > 1, last - padded[np.arange(n), np.maximum(lengths - 2, 0)], 0.0)  # (N,)
        signed = np.diff(values, axis=1)  # (N, K - 1): the steps into steps 2..K
        # the window's own growth carried on, the way its steps go: a step may grow by it every step (an
        # exponential's do); a step the other way may not (a climb that turns into a fall ran away)
        onward = np.sign(signed) == direction[:, None]  # (N, K - 1)
        grown = np.where(onward, growth[:, None] ** np.arange(2, steps + 1), 1.0)  # (N, K - 1)
        # a window whose steps settle (a decay, a saturating curve): the path's steps may settle no slower
        grown = grown * shrink[:, None] ** np.arange(2, steps + 1)
        # the path's own first step (the model's one-step prediction, never replaced) counts as a step seen: at
        # a turn after a plateau the steps read are small and the first steps of the turn larger
        # a window whose steps settle is measured by its last step, not its largest (the decay's first): its
        # steps go on shrinking the same way, so a path step back the other way ran away too, as did a path
        # past the window's limit (its last value plus its last step shrunk by their ratio every step, summed)
        settling = (settle_way != 0) & ~_turning(padded, lengths)  # (N,)
        scale = np.where(settling, np.abs(last_step), largest)  # (N,)
        base = np.nan_to_num(np.fmax(scale, np.abs(values[:, 0] - last)))  # (N,)
        away = np.abs(signed) > STEADY * base[:, None] * grown  # (N, K - 1)
        limit = last + last_step * shrink / np.where(shrink < 1.0, 1 - shrink, np.inf)  # (N,) the last value where none settle
        back = np.sign(signed) == -settle_way[:, None]  # (N, K - 1)
        past = (values[:, 1:] - limit[:, None]) * settle_way[:, None] > 0  # (N, K - 1)
        away |= settling[:, None] & (back | past)
    rows = np.flatnonzero(away.any(axis=1))
    if not rows.size:
        return out
    first = away[rows].argmax(axis=1) + 1  # (R,) 0-based index of the first step that ran away (>= 1)
    # from where the run of steps that escalated into it began (each one way, over ESCALATION times the one
    # before, beyond the window's own growth): a noisy flat window's path doubled 0.2, 0.4, ... 3.0 before a
    # step over the limit, and went on from 10.8, above every value the window had
    with np.errstate(over="ignore", invalid="ignore"):
        path_steps = np.diff(np.concatenate([last[rows, None], values[rows]], axis=1), axis=1)  # (R, K): into each
        factor = ESCALATION * np.maximum(growth[rows], 1.0)[:, None]  # (R, 1)
        rising = (np.sign(path_steps[:, 1:]) == np.sign(path_steps[:, :-1])) & (
            np.abs(path_steps[:, 1:]) > factor * np.abs(path_steps[:, :-1])
        )  # (R, K - 1): the step into values[j] escalated from the one before (j from 1)
    index = np.arange(1, steps)[None, :]  # (1, K - 1)
    calm = np.where(~rising & (index <= first[:, None]), index, 0).max(axis=1)  # (R,) the last step that did not
    first = np.where(rising[np.arange(len(rows)), first - 1], np.maximum(calm, 1), first)  # (R,)
    ahead = np.arange(steps)[None, :] - (first - 1)[:, None]  # (R, K): steps past the last kept one
    kept = values[rows, first - 1]  # (R,)
    after = ahead > 0  # (R, K) the steps replaced
    settles = shrink[rows] < 1.0  # (R,) these go on by their last step, shrunk by its ratio every step
    ratio = shrink[rows, None]  # (R, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        # a settling path's distance to the window's limit shrinks by their ratio every step from the last kept one
        settled = (limit[rows, None] - kept[:, None]) * (1 - ratio ** np.maximum(ahead, 0))  # (R, K)
        onward_steps = np.where(settles[:, None], settled, ahead * mean_step[rows, None])  # (R, K)
        values[rows] = np.where(after, kept[:, None] + onward_steps, values[rows])  # (R, K)
        growth = np.sqrt(np.maximum(ahead + first[:, None], 1) / first[:, None])[..., None]  # (R, K, 1)
    at = (np.arange(len(rows)), first - 1)
    for level in bands:
        band = bands[level][rows]  # (R, K, 2)
        reach = np.stack([kept - band[at][:, 0], band[at][:, 1] - kept], axis=-1)[:, None, :]  # (R, 1, 2)
        with np.errstate(over="ignore"):
            steady = values[rows][..., None] + np.array([-1.0, 1.0]) * reach * growth  # (R, K, 2)
        bands[level][rows] = np.where(after[..., None], np.clip(steady, -LARGEST_FLOAT, LARGEST_FLOAT), band)
    # rounded to the recorded decimals again, as every band is (the new reach is not a whole number of them)
    _put_recorded(bands, rows, windows, values, {level: bands[level][rows] for level in bands})
    out[rows] = first + 1
    return out


def _trends(padded: np.ndarray, lengths: np.ndarray, read: np.ndarray) -> np.ndarray:
    """(N, W) NaN-padded windows, (N,) lengths, (N,) how many of their last values to read -> (N,) bool:
    the least-squares slope of those values is more than ``DRIFT_Z`` standard errors from 0 (a line, a trend
    through noise; not noise about a level, whose first and last values differ by chance)."""
    column = np.arange(padded.shape[1])[None, :]  # (1, W)
    inside = (column >= (lengths - read)[:, None]) & (column < lengths[:, None])  # (N, W)
    count = inside.sum(axis=1).astype(np.float64)  # (N,)
    with np.errstate(all="ignore"):
        size = np.where(inside, np.abs(padded), 0.0).max(axis=1, keepdims=True)  # (N, 1): scaled out, near 1e308 too
        scaled = padded / np.where(size > 0, size, 1.0)
        y = np.where(inside, scaled, 0.0)
        t = np.where(inside, column, 0.0)
        t_mean, y_mean = t.sum(axis=1) / count, y.sum(axis=1) / count  # (N,)
        dt = np.where(inside, column - t_mean[:, None], 0.0)  # (N, W)
        dy = np.where(inside, scaled - y_mean[:, None], 0.0)
        sxx = (dt**2).sum(axis=1)
        slope = (dt * dy).sum(axis=1) / sxx  # (N,)
        residual = np.where(inside, dy - slope[:, None] * dt, 0.0)
        error = np.sqrt((residual**2).sum(axis=1) / np.maximum(count - 2, 1) / sxx)  # (N,)
        return np.asarray((count > 2) & (np.abs(slope) > DRIFT_Z * error) | (count == 2))


def step_growth(padded: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, W) NaN-padded windows and (N,) their lengths -> (N,) the factor their steps grow by, and (N,) the
    way they go (1 up, -1 down, 0 none): where the last ``GROWTH_STEPS`` steps go the same way, their ratios
    within ``GROWTH_SPREAD`` of each other, the median of those ratios (an exponential's ratio) and at least
    1, and their sign; 1 and 0 elsewhere (a line, a walk, a decay). A window of 4 values is read from its 3
    steps (two ratios): a doubling typed with 4 values grows as one with more does."""
    ratio, way, least, _ = _step_ratios(padded, lengths)
    growing = (way != 0) & (least > 1.0)  # (N,)
    return np.where(growing, ratio, 1.0), np.where(growing, way, 0.0)


def step_decay(padded: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`step_growth`, for steps that shrink: (N,) the median ratio of the last steps where they go
    one way and each is smaller than the one before by about the same factor (a decay settling, a curve
    saturating), else 1; and (N,) their way (0 elsewhere). Read from the last ``DECAY_STEPS`` steps, so
    that a real series' few steps that shrink by chance do not count; a window of 6 to 8 values from all of
    its steps, their ratios within ``SHORT_SPREAD`` and not trending (:func:`_ratios_trend`)."""
    ratio, way, least, most = _step_ratios(padded, lengths, DECAY_STEPS, DECAY_LEAST)
    shrinking = (way != 0) & (most < 1.0)  # (N,)
    # read from fewer steps: ratios closer together (noise shrinks a few steps by chance), and not rising all
    # the way (a logarithm's steps settle ever slower) or falling (a wave's on the way to its peak)
    short = np.flatnonzero(shrinking & (lengths <= DECAY_STEPS))  # (S,)
    shrinking[short] = (most[short] <= SHORT_SPREAD * least[short]) & ~_ratios_trend(padded[short], lengths[short])
    return np.where(shrinking, ratio, 1.0), np.where(shrinking, way, 0.0)


def _ratios_trend(padded: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(S, W) NaN-padded windows of fewer than DECAY_STEPS + 1 values -> (S,) bool: the ratios of their steps
    rise or fall all the way, the last over ``TREND`` from the first (a logarithm's settle ever slower, a
    wave's fall to its peak), not a decay's (one ratio, to the values' rounding)."""
    out = np.zeros(len(lengths), dtype=bool)
    for count in np.unique(lengths - 1):
        rows = np.flatnonzero(lengths - 1 == count)
        with np.errstate(all="ignore"):
            steps = np.abs(np.diff(padded[rows, : count + 1], axis=1))  # (R, count)
            ratios = steps[:, 1:] / steps[:, :-1]  # (R, count - 1)
            change = np.diff(ratios, axis=1)  # (R, count - 2)
            moved = np.abs(ratios[:, -1] - ratios[:, 0]) > TREND * ratios[:, 0]  # (R,) by more than rounding does
        out[rows] = moved & ((change > 0).all(axis=1) | (change < 0).all(axis=1))
    return out


def _turning(padded: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) NaN-padded windows, (N,) lengths -> (N,) bool: the ratios of the last ``DECAY_STEPS`` steps fall
    as a wave's do on its way to a peak (the mean of the last three under ``TURN_RATIO`` times that of the
    first three), not as steady as a decay's."""
    out = np.zeros(len(lengths), dtype=bool)
    rows = np.flatnonzero(lengths > DECAY_STEPS)
    if not rows.size:
        return out
    take = lengths[rows, None] - DECAY_STEPS - 1 + np.arange(DECAY_STEPS + 1)  # (R, DECAY_STEPS + 1)
    with np.errstate(all="ignore"):
        steps = np.abs(np.diff(padded[rows[:, None], take], axis=1))  # (R, DECAY_STEPS)
        ratios = steps[:, 1:] / steps[:, :-1]  # (R, DECAY_STEPS - 1)
        out[rows] = ratios[:, -3:].mean(axis=1) < TURN_RATIO * ratios[:, :3].mean(axis=1)
    return out


def _step_ratios(
    padded: np.ndarray, lengths: np.ndarray, most_steps: int = GROWTH_STEPS, least_steps: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) NaN-padded windows, (N,) lengths -> the ratios of their last ``most_steps`` steps (as many as
    a window has, down to ``least_steps``; none in shorter ones): (N,) their median, (N,) the steps' way where they all go one
    way with ratios within ``GROWTH_SPREAD`` of each other (else 0), and (N,) the least and (N,) the largest
    ratio (1 where not read)."""
    n = len(lengths)
    median, way, least, most = np.ones(n), np.zeros(n), np.ones(n), np.ones(n)
    for count in range(most_steps, least_steps - 1, -1):  # the steps read: most_steps where the window has them
        rows = np.flatnonzero(np.minimum(lengths - 1, most_steps) == count)
        if not rows.size:
            continue
        take = lengths[rows, None] - count - 1 + np.arange(count + 1)  # (R, G + 1) the last values
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            steps = np.diff(padded[rows[:, None], take], axis=1)  # (R, G)
            one_way = (np.sign(steps) == np.sign(steps[:, :1])).all(axis=1) & (steps[:, 0] != 0)  # (R,)
            ratios = np.abs(steps[:, 1:]) / np.abs(steps[:, :-1])  # (R, G - 1)
            low = np.nan_to_num(ratios.min(axis=1), nan=1.0, posinf=1.0)  # (R,)
            high = np.nan_to_num(ratios.max(axis=1), nan=1.0, posinf=np.inf)  # (R,)
            steady = high <= GROWTH_SPREAD * low  # (R,) one ratio, not a walk's chance run
            median[rows] = np.nan_to_num(np.median(ratios, axis=1), nan=1.0, posinf=1.0)
        way[rows] = np.where(one_way & steady & np.isfinite(high), np.sign(steps[:, 0]), 0.0)
        least[rows], most[rows] = low, high
    return median, way, least, most


def series_streams(windows: Sequence[np.ndarray], seed: int | np.random.Generator | None) -> list[np.random.Generator]:
    """One random stream per window, from ``seed`` and the window's own values as the model reads them (in
    float32): a series' sample paths are the same whatever else is in the batch, and wherever it is
    (``None``: fresh entropy; a Generator: one draw from it)."""
    if isinstance(seed, np.random.Generator):
        base = int(seed.integers(2**63))
    else:
        base = int(np.random.SeedSequence().entropy if seed is None else seed)  # type: ignore[arg-type]
    with np.errstate(over="ignore"):  # values past float32's range read as inf, as a window of them is the same stream
        return [np.random.default_rng([base, zlib.crc32(np.asarray(window, dtype=np.float32).tobytes())]) for window in windows]


def runs_away(windows: Sequence[np.ndarray], values: np.ndarray, factor: float = RUNAWAY) -> np.ndarray:
    """Windows (of at least 2 values) and their (N, K) paths -> (N,) bool: a step of the path (from the
    window's last value) is more than ``factor`` times the window's largest step."""
    _, _, _, last, largest = _last_and_largest_step(windows)
    with np.errstate(over="ignore"):  # near the float limits a step is inf: no path runs away from that
        path_steps = np.abs(np.diff(np.concatenate([last[:, None], values], axis=1), axis=1))  # (N, K)
        return path_steps.max(axis=1) > factor * largest


def _last_and_largest_step(
    windows: Sequence[np.ndarray], as_read: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Windows -> (N, W) their values NaN-padded, (N,) lengths, (N,) how many of their last values count
    (with ``as_read``, those the network reads: :func:`~numseries.series.read_lengths`; else all), (N,) last
    values and (N,) the largest absolute step among those counted (inf where a step passes the float range;
    NaN for a window of one value)."""
    padded, lengths = padded_rows(list(windows))  # (N, W), NaN after each window
    read = read_lengths(padded, lengths) if as_read else lengths  # (N,)
    last = padded[np.arange(len(lengths)), lengths - 1]  # (N,)
    unread = np.arange(padded.shape[1] - 1)[None, :] < (lengths - read)[:, None]  # (N, W - 1) steps before them
    with np.errstate(over="ignore", invalid="ignore"):  # the NaN steps past the end and before those read left out
        largest = np.fmax.reduce(np.where(unread, np.nan, np.abs(np.diff(padded, axis=1))), axis=1)  # (N,)
    return padded, lengths, read, last, largest


def guarded_roll_out(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    paths: int,
    streams: Sequence[np.random.Generator],
    found: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[float, np.ndarray], np.ndarray | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`roll_out`, with each path of more than one step from a window of more than ``SHORT_READ``
    values that runs away (:func:`runs_away`) or whose window backtests better read short
    (:func:`backtests_shorter`) rolled out again from that window's last ``SHORT_READ``: its path, bands
    and quantiles from the second step on replaced (the first step stays the model's prediction from the
    whole window), its bands no narrower than step 1's. Then each window that repeats, whose last cycle
    repeated (:func:`seasonal_paths`) backtests better than the path it got, takes that cycle from the
    second step on, its bands the cycle's own (:func:`cycle_bands`) and its quantiles moved with it. Then each positive window that repeats no cycle, whose
    path read from its values' logarithms backtests better, takes that path (:func:`_take_log_paths`). Then each
    window left whose steps go one way and saturate takes a path that settles (:func:`_take_settling_paths`).
    Returns roll_out's three results, (N,) how many values each path was read from, (N,) the cycle each repeats
    (0: none), (N,) int8 which path read in logarithms each took (its code in ``LOG_PATHS``; 0: none) and (N,) bool
    which settle. ``found`` (N,): the windows' periods (:func:`numseries.cycles.periods`), where known."""
    first_logs = np.zeros(len(windows), dtype=bool)  # (N,) step 1 read in logarithms
    values, bands, along = roll_out(predictor, windows, steps, levels, paths, streams, logs_first=True, first_logs=first_logs)
    whole = np.array([len(window) for window in windows], dtype=np.int64)  # (N,) every window read whole
    read = whole.copy()
    repeats = np.zeros(len(windows), dtype=np.int64)
    if steps == 1:  # the one-step prediction is never replaced
        return values, bands, along, read, repeats, np.zeros(len(windows), dtype=np.int8), np.zeros(len(windows), dtype=bool)
    if found is None:
        found = periods(*padded_rows(windows))  # (N,)
    rows, error_whole, error_short = backtest_errors(predictor, windows, steps, known=(windows, values))
    shorter = _prefers_short(len(windows), rows, error_whole, error_short)
    # a path's first BACKTEST_STEPS steps decide whether it ran away: a longer horizon does not change them
    redo = np.flatnonzero((runs_away(windows, values[:, :BACKTEST_STEPS]) | shorter) & (read > SHORT_READ))
    if redo.size:
        again, again_bands, again_along = roll_out(
            predictor, [windows[i][-SHORT_READ:] for i in redo], steps, levels, paths, [streams[int(i)] for i in redo] if paths else [],
            given=[windows[i] for i in redo],  # bands within the whole window's range, as the path read whole
        )
        values[redo, 1:] = again[:, 1:]  # the first step stays the model's prediction, as predict gives it
        for level in levels:
            bands[level][redo, 1:] = again_bands[level][:, 1:]
        # never narrower than step 1's interval, read from the whole window: twelve equal last values give
        # the short read a zero-width band, as an exact continuation gets, though the window before them varied
        _put_recorded(bands, redo, windows, values, _at_least_first_reach(values[redo], {lv: bands[lv][redo] for lv in levels}))
        if along is not None and again_along is not None:
            along[redo, 1:] = again_along[:, 1:]
        read[redo] = SHORT_READ
    # A window that repeats, whose last cycle repeated forecasts its own last values better than the network
    # did: its path from the second step on is that cycle's (the bands move with it)
    error_model = np.where(shorter[rows], error_short, error_whole)  # (R,) the backtest of the path it got
    rows, error_model, error_cycle = _with_short_cycles(
        predictor, windows, steps, rows, error_model, seasonal_backtest(windows, rows, steps, found), found
    )
    # NaN where none: never less; and the windows that hold too few values after two cycles to backtest so
    chosen = np.union1d(
        rows[error_cycle < error_model], _few_cycles(predictor, windows, steps, rows[np.isfinite(error_cycle)], found)
    )
    again, spans = seasonal_paths([windows[i] for i in chosen], steps, found[chosen])  # span 0: no cycle in the window
    chosen, again, spans = chosen[spans > 0], again[spans > 0], spans[spans > 0]
    if chosen.size:
        shift = again[:, 1:] - values[chosen, 1:]  # (C, steps - 1)
        values[chosen, 1:] = again[:, 1:]
        # from step 2 the cycle's own bands (step 1's is predict's), rounded to the recorded decimals as every band is
        sized = cycle_bands([windows[i] for i in chosen], spans, again, levels)
        _put_recorded(bands, chosen, windows, values, {
            level: np.concatenate([bands[level][chosen, :1], sized[level][:, 1:]], axis=1) for level in levels
        })  # fmt: skip
        if along is not None:
            along[chosen, 1:] += shift[..., None]
        repeats[chosen] = spans
        read[chosen] = whole[chosen]  # no short read is left in these paths
    # A positive window whose path read in logarithms (the network continuing its ratios, not its steps)
    # forecasts its own last values better: that path from the second step on, and its bands
    known = np.full(len(windows), np.nan)  # (N,) the backtest error of the path each window got, where measured
    known[rows] = error_model
    # step 1 read in logarithms as a fast growth's (above the last value; a decay's read stays at or below it), as
    # predict's note tells them apart (the window's first value against its last told a growth that followed a fall
    # as a decay)
    grew = first_logs & (np.abs(values[:, 0]) > np.abs(np.array([window[-1] for window in windows])))  # (a mirror's too)
    log_path = _take_log_paths(predictor, windows, steps, levels, paths, streams, values, bands, along, read, repeats, known, grew)
    settles = _take_settling_paths(predictor, windows, steps, levels, values, bands, along, read, (repeats > 0) | (log_path > 0))
    return values, bands, along, read, repeats, log_path, settles


def _take_log_paths(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    paths: int,
    streams: Sequence[np.random.Generator],
    values: np.ndarray,
    bands: dict[float, np.ndarray],
    along: np.ndarray | None,
    read: np.ndarray,
    repeats: np.ndarray,
    known: np.ndarray,
    grew: np.ndarray,
) -> np.ndarray:
    """(N,) int8, the code in ``LOG_PATHS`` of the path each took (0: none; "rise" or "rise_steady" where
    :func:`_take_ratio_paths` took it): the paths (of windows that repeat no cycle, whose values read are all positive, or all negative,
    read as their mirror image, and end nearer 0 than they start: decays, where a path of steps runs past 0; and
    where ``grew`` (N,) bool: its step 1 was read in logarithms, faster than exponential growth) replaced,
    in ``values``, ``bands`` and ``along``, from the second step on, by the network's path read from the
    logarithms of the same values, its bands and quantiles exponentiated (a path of ratios: it stays positive),
    where that forecasts the window's own last values (:func:`log_backtest`) with a mean absolute error under
    ``PREFER_LOG`` times the path the window got does (``known`` (N,): that path's backtest error, where
    :func:`guarded_roll_out` measured it, from the same values; NaN where not; a growth's step 1 backtested so
    already). A path that runs away in logarithms goes on
    steadily there (:func:`steady_paths`): by a steady ratio; one that climbs back above the window's last value
    (a growth's: falls below it) is not taken. Such paths are not held steady again by their steps
    (:func:`forecast_batch`). Windows that rise by ratios take :func:`_take_ratio_paths`' paths first."""
    kinds = np.zeros(len(windows), dtype=np.int8)
    # a window below 0 is read as its mirror image above 0, and mirrored back: the model's f(-x) = -f(x) holds here too
    given = windows
    signs = np.array([-1.0 if window.max() < 0 else 1.0 for window in windows])  # (N,)
    windows = [sign * window for sign, window in zip(signs, windows, strict=True)]
    # a positive window that rises by ratios (closer to a line in logarithms than as it is) is read whole: in
    # logarithms its growth is a line, which the short read (taken where the path of its values ran away) cuts
    padded, lengths = padded_rows(windows)  # (N, W), (N,)
    rises = (repeats == 0) & rises_by_ratios(padded, lengths)  # (N,) ... whose path in logarithms may not fall below the last value
    lined, steadied = _take_ratio_paths(predictor, windows, given, signs, np.flatnonzero(rises), steps, levels, values, bands, along, read, known)
    kinds[lined] = LOG_PATHS.index("rise")
    kinds[lined & steadied] = LOG_PATHS.index("rise_steady")
    sources = {  # the values each path was read from, of the positive windows that fall and repeat no cycle
        i: source for i, (window, count) in enumerate(zip(windows, read, strict=True))
        if not repeats[i] and not rises[i] and count >= LOG_PAST + 2
        and (source := window[len(window) - int(count) :]).min() > 0 and source[-1] < source[0]
    }
    holds = {i: log_hold(steps, len(source)) for i, source in sources.items()}  # the last values a backtest holds out
    # each read as its path was, from the values before those held out (the short read: the 12 before them)
    pasts = {i: windows[i][: len(windows[i]) - h][-int(read[i]) :] for i, h in holds.items()}
    rows = np.array([i for i, past in pasts.items() if past.min() > 0], dtype=np.int64)  # (R,)
    # (G,) read from the values step 1 was (predict's window), but those that took the line of their logarithms
    growths = np.flatnonzero(grew & (repeats == 0) & ~lined)
    sources.update({int(i): windows[i][-predictor.max_len :] for i in growths})
    if not rows.size and not growths.size:
        return kinds
    error_values, error_logs = log_backtest(
        predictor, [pasts[i] for i in rows], [windows[i][len(windows[i]) - holds[i] :] for i in rows], known[rows]
    ) if rows.size else (np.zeros(0), np.zeros(0))  # fmt: skip
    chosen = np.union1d(rows[error_logs < PREFER_LOG * error_values], growths)  # NaN (an overflowing exp) never less
    if not chosen.size:
        return kinds
    logarithms = [np.log(sources[i]) for i in chosen]
    again, again_bands, again_along = roll_out(
        predictor, logarithms, steps, levels, paths, [streams[int(i)] for i in chosen] if paths else [],
        given=[np.log(windows[i]) if windows[i].min() > 0 else logarithm for i, logarithm in zip(chosen, logarithms, strict=True)],
    )
    steady_paths(logarithms, again, again_bands)  # where it runs away in logarithms, it goes on steadily there
    # a decay's path that climbs back above its last value is no continuation of it (a decay to a level above 0,
    # 174 135 98 81 64 55 49 46 46 41, whose path in logarithms turned and grew to ten times that): not taken
    # (decided on the first BACKTEST_STEPS steps, whatever the horizon, as every read is: adversarial round 49)
    lasts = np.array([logarithm[-1] for logarithm in logarithms])[:, None]  # (C, 1)
    falls = np.where(grew[chosen][:, None], again[:, 1:BACKTEST_STEPS] >= lasts, again[:, 1:BACKTEST_STEPS] <= lasts).all(axis=1)
    chosen, again, again_along = chosen[falls], again[falls], None if again_along is None else again_along[falls]
    again_bands = {level: band[falls] for level, band in again_bands.items()}
    if not chosen.size:
        return kinds
    sign = signs[chosen]  # (C,)
    with np.errstate(over="ignore"):  # a growth past the float range: inf, which forecast_batch refuses
        values[chosen, 1:] = sign[:, None] * np.exp(again[:, 1:])  # the first step stays the model's prediction
        new = {
            level: np.concatenate([bands[level][chosen, :1], mirrored_back(sign, np.exp(again_bands[level][:, 1:]))], axis=1)
            for level in levels
        }  # (C, K, 2) each
        if along is not None and again_along is not None:
            along[chosen, 1:] = mirrored_back(sign, np.exp(again_along[:, 1:]))  # (C, K - 1, Q)
    _put_recorded(bands, chosen, given, values, new)
    kinds[chosen] = np.where(grew[chosen], LOG_PATHS.index("growth"), LOG_PATHS.index("decay"))
    read[chosen] = [len(sources[int(i)]) for i in chosen]  # (a decay's as its path was read; a growth's whole window)
    return kinds


def _take_ratio_paths(
    predictor: Predictor,
    windows: list[np.ndarray],
    given: list[np.ndarray],
    signs: np.ndarray,
    rows: np.ndarray,
    steps: int,
    levels: Sequence[float],
    values: np.ndarray,
    bands: dict[float, np.ndarray],
    along: np.ndarray | None,
    read: np.ndarray,
    known: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(N,) bool, and (N,) bool those of them taken where the path of values is held steady: of the windows ``rows``
    (R,), positive (``windows``: each as its mirror image where ``signs`` is -1,
    ``given`` as given) and rising by ratios, the paths replaced from the second step on, in ``values``, ``bands``
    and ``along``, by the least-squares line of their logarithms (a steady ratio), with its prediction intervals
    (:func:`_log_line_paths`), where that line, fitted to the values before the window's last ones (as many as
    :func:`log_hold` holds out), forecasts those with a mean absolute error under ``PREFER_LOG`` times the path the
    window got does (``known``, where measured; else its path read so), or, where that path is held to a steady step
    within ``BACKTEST_STEPS`` steps (:func:`steady_paths`), under 1 / ``PREFER_LOG`` times, and the path never falls
    below the last value. ``read`` says they read the whole window. The network's own path in logarithms wandered: over 50 steps
    its ratios reached 38,633 a step, and a clean doubling's drifted from 2.01 to 2.56 by step 8 (adversarial
    round 62)."""
    taken, steadied = np.zeros(len(windows), dtype=bool), np.zeros(len(windows), dtype=bool)
    if not rows.size:
        return taken, steadied
    holds = np.array([log_hold(steps, len(windows[i])) for i in rows])  # (R,)
    pasts = [windows[i][: len(windows[i]) - h] for i, h in zip(rows, holds, strict=True)]
    held = [windows[i][len(windows[i]) - h :] for i, h in zip(rows, holds, strict=True)]
    # (R,) each window's recording unit, 0 where it has none: the line weighs each value by its rounding too
    units = np.array([10.0 ** -float(d) if d >= 0 else 0.0 for d in recorded_decimals(*padded_rows([windows[i] for i in rows]))])
    error_values = known[rows].astype(np.float64)  # (R,)
    ask = np.flatnonzero(np.isnan(error_values))
    if ask.size:  # the path of the values, where guarded_roll_out did not measure it
        path, _, _ = roll_out(predictor, [pasts[j] for j in ask], int(holds[ask].max()), (), 0, [])
        error_values[ask] = [np.abs(path[k, : holds[j]] - held[j]).mean() for k, j in enumerate(ask)]
    with np.errstate(over="ignore", invalid="ignore"):
        error_line = np.array([
            np.abs(np.exp(log_line(past, len(future), unit)[0]) - future).mean()
            for past, future, unit in zip(pasts, held, units, strict=True)
        ])  # fmt: skip
    better = error_line < PREFER_LOG * error_values  # (R,) NaN never less
    # the path of values is held steady within BACKTEST_STEPS steps (its backtest, of the path before that, told
    # nothing of it): two steady paths are left, a steady step and the line's steady ratio, and the window lies closer
    # to a line in logarithms; taken where the line backtested no worse than 1 / PREFER_LOG times that path (24
    # values of 100·1.3^t with 3% noise, seed 3: the line missed by 480 against 466, and the path of the values
    # read from its last 12 went on at a steady step from step 7, to 39% of the eighth value; adversarial round 62)
    # where the whole window lies about the line as noise does (grows_by_a_steady_ratio): a growth whose ratio changed
    # within it took the line of both ratios, away from its last values (round 64: a growth sped up from 1.245 to
    # 1.44 a step went on from 101,308 to 91,676)
    later = np.flatnonzero(~better & (error_line < error_values / PREFER_LOG))
    later = later[np.array([grows_by_a_steady_ratio(windows[i]) for i in rows[later]], dtype=bool)] if later.size else later
    if later.size:
        kept = values[rows[later], :BACKTEST_STEPS].copy()  # (L, min(K, BACKTEST_STEPS)): steady_paths edits it
        better[later] = steady_paths([given[i][-int(read[i]) :] for i in rows[later]], kept, {}) > 0
        steadied[rows[later]] = better[later]
    rows, units = rows[better], units[better]
    if not rows.size:
        return taken, steadied
    fitted = [_log_line_paths(windows[i], steps, levels, unit) for i, unit in zip(rows, units, strict=True)]
    logs = np.stack([path for path, _ in fitted])  # (C, K) the path in logarithms, as the mirror's where below 0
    lasts = np.array([windows[i][-1] for i in rows])  # (C,)
    with np.errstate(over="ignore"):  # a growth past the float range: inf (refused by forecast_batch)
        keep = (np.exp(logs[:, 1:BACKTEST_STEPS]) >= lasts[:, None]).all(axis=1)  # (C,)
    steadied[rows[~keep]] = False
    rows, logs, fitted = rows[keep], logs[keep], [fit for fit, kept in zip(fitted, keep, strict=True) if kept]
    if not rows.size:
        return taken, steadied
    sign = signs[rows]  # (C,)
    new = {}
    with np.errstate(over="ignore"):
        first = values[rows, 0].copy()  # (C,) step 1 stays the model's prediction
        values[rows, 1:] = sign[:, None] * np.exp(logs[:, 1:])
        for level in levels:
            band = mirrored_back(sign, np.exp(np.stack([reach[level] for _, reach in fitted])))  # (C, K, 2)
            new[level] = np.concatenate([bands[level][rows, :1], band[:, 1:]], axis=1)
        if along is not None:  # step 1's quantiles, as ratios to its value, along the path
            along[rows, 1:] = values[rows, 1:, None] * (along[rows, :1] / first[:, None, None])
    # (not floored at step 1's band, in ratio to the path: step 1's, the network's interval and the line's together,
    # can be wider than the line's at step 2; floored so, the bands of steps 2-8 of 8-12 values held 89-94% at 80%;
    # round 64)
    _put_recorded(bands, rows, given, values, new)
    taken[rows] = True
    read[rows] = [len(windows[i]) for i in rows]
    return taken, steadied


def log_line(values: np.ndarray, steps: int, unit: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Positive ``values`` (n,) -> the least-squares line of their logarithms ``steps`` steps on (K,), and the
    standard error of a new value there (K,): sqrt(s² (1 + 1/n + (t - mean t)² / sum (t - mean t)²)), s² the
    residuals' variance, as ordinary least squares predicts a new value (a trend with noise of one size in ratio:
    compounding with proportional noise). Values recorded to a ``unit`` (> 0: whole multiples of it) carry
    rounding too, of a size in ratio that falls as they grow: :func:`_recorded_log_line`."""
    n = len(values)
    t, logs, slope, residual = _log_fit(values)
    ahead = (n - 1) / 2 + np.arange(1, steps + 1)  # (K,) the steps ahead, centred as t
    if unit > 0 and n > 2:
        recorded = _recorded_log_line(t, logs, ahead, unit / values)
        if recorded is not None:
            return recorded
    path = logs.mean() + slope * ahead  # (K,)
    return path, np.sqrt(residual @ residual / max(n - 2, 1) * (1 + 1 / n + ahead**2 / (t @ t)))


def _recorded_log_line(
    t: np.ndarray, logs: np.ndarray, ahead: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(n,) centred times and logarithms, (K,) the times ahead and (n,) each value's recording unit in ratio to it ->
    where the values lie about a line in logarithms as their rounding alone does, that line weighted by the inverse
    of each value's rounding variance there, (unit / value)² / 12 (to first order), and the standard error of a new
    value ahead, itself recorded to the unit; ``None`` where the residuals show more than the rounding (their weighted
    squares past the 99% quantile of chi-square with n - 2 degrees of freedom: noise, which the plain line weighs
    evenly, in ratio) or the weights do not hold in floats. The rounding of a whole-number growth from 10 is ±5% of
    its first value and ±0.02% of its last, which the plain line spread over all of them (24 values of
    round(10·1.25^t): an 80% band ±1.8% wide at step 2, 30 times step 1's; adversarial round 64)."""
    n = len(t)
    rounding = units**2 / 12  # (n,)
    with np.errstate(divide="ignore", over="ignore"):
        weights = 1 / rounding  # (n,)
    total = float(weights.sum())
    if not np.isfinite(total) or not total > 0:
        return None
    centre, level = float(weights @ t) / total, float(weights @ logs) / total
    moved = t - centre  # (n,)
    spread = float((weights * moved) @ moved)
    slope = float((weights * moved) @ (logs - level)) / spread
    left = logs - level - slope * moved  # (n,)
    shown = float((weights * left) @ left)  # chi-square with n - 2 degrees of freedom, where rounding is all there is
    if not shown <= _chi_square_quantile(0.99, n - 2):
        return None
    path = level + slope * (ahead - centre)  # (K,)
    with np.errstate(over="ignore"):
        ahead_rounding = (units[-1] * np.exp(logs[-1] - path)) ** 2 / 12  # (K,) the new value's own rounding
    return path, np.sqrt(shown / (n - 2) * (ahead_rounding + 1 / total + (ahead - centre) ** 2 / spread))


def _chi_square_quantile(level: float, df: int) -> float:
    """The chi-square quantile at ``level`` with ``df`` degrees of freedom, by Wilson and Hilferty's cube of a
    normal (within 1% of it from 2 degrees of freedom at 0.99)."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(level)
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def _log_fit(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Positive ``values`` (n,) -> (n,) their times centred on 0, (n,) their logarithms, the least-squares slope of
    those against the times and (n,) the residuals about that line."""
    t = np.arange(len(values)) - (len(values) - 1) / 2
    logs = np.log(values)
    slope = float(t @ logs / (t @ t))
    return t, logs, slope, logs - logs.mean() - slope * t


def grows_by_a_steady_ratio(values: np.ndarray) -> bool:
    """Whether positive ``values`` (n,) lie about the least-squares line of their logarithms as noise does, a step's
    ratio larger than that noise: their residuals' variance at most ``LINE_MISFIT`` times the noise their second
    differences show (a line with noise of variance s² gives second differences of variance 6 s²; a curve in
    logarithms, a power law's or a saturating one's, gives residuals far larger than its second differences), and
    the line's slope larger than their standard deviation (a noisy series that rose by chance: its noise is)."""
    _, logs, slope, residual = _log_fit(values)
    variance = residual @ residual / max(len(logs) - 2, 1)
    bends = np.diff(logs, 2)
    return bool(variance <= LINE_MISFIT * (bends @ bends) / len(bends) / 6 and slope * slope > variance)


def _log_line_paths(
    values: np.ndarray, steps: int, levels: Sequence[float], unit: float = 0.0
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Positive ``values`` (n,) (recorded to ``unit``, 0: not) -> the least-squares line of their logarithms ``steps`` steps on (K,), and for each
    level its prediction interval in logarithms (K, 2): the line's value plus or minus Student's t quantile (n - 2
    degrees of freedom) times the standard error of a new value (:func:`log_line`)."""
    from numseries.intervals import t_quantiles

    path, spread = log_line(values, steps, unit)  # (K,) each
    reach = {}
    for level in levels:
        t = float(t_quantiles(np.array(0.5 + level / 200), np.array(max(len(values) - 2, 6))))
        reach[level] = np.stack([path - t * spread, path + t * spread], axis=-1)  # (K, 2)
    return path, reach


def rises_by_ratios(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) values from column 0 (any padding after each row's length), (N,) lengths -> (N,) bool: the rows that
    rise by ratios: at least ``RISE_VALUES`` values, all above 0, the last at least ``RISE_RATIO`` times the first,
    closer to a line in logarithms than as they are (:func:`straighter_in_logs`: compounding growth)."""
    n = len(lengths)
    if not values.shape[1]:
        return np.zeros(n, dtype=bool)
    rises = (lengths >= RISE_VALUES) & (values[np.arange(n), np.maximum(lengths - 1, 0)] / RISE_RATIO >= values[:, 0])  # (N,)
    rises &= values[:, 0] > 0
    if rises.any():  # (the cheap tests first: most rows fail them)
        inside = np.arange(values.shape[1])[None, :] < lengths[rises, None]  # (R, W)
        rises[rises] = np.where(inside, values[rises], 1.0).min(axis=1) > 0
    if rises.any():
        rises[rises] = straighter_in_logs(values[rises], lengths[rises])
    return rises


def straighter_in_logs(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-padded values above 0 (any padding), (N,) lengths -> (N,) bool: whether each series lies
    closer to a line in logarithms than as it is (the squared correlation of each with time, R²), as an
    exponential's does: a line's, a wave's or a curve that levels off do not."""
    inside = np.arange(values.shape[1])[None, :] < lengths[:, None]  # (N, W)
    x = np.where(inside, values, 1.0)
    # each row scaled by a power of two to its largest value (exact): no square overflows, nor underflows where
    # they are all tiny (1e-200: scaled by at least 1, their squares were 0, and so no rise was read; round 63)
    _, exponent = np.frexp(np.where(inside, values, 0.0).max(axis=1, initial=0.0))  # (N,)
    scaled = np.ldexp(np.where(inside, values, 0.0), -exponent[:, None])  # (N, W) at most 1
    with np.errstate(invalid="ignore", divide="ignore"):
        fits = [_squared_correlation(series, inside, lengths) for series in (np.log(x), scaled)]
    return fits[0] > fits[1]  # (NaN never greater)


def _squared_correlation(y: np.ndarray, inside: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) values, (N, W) bool cells, (N,) counts -> (N,) the squared correlation of each row's cells with time."""
    t = np.broadcast_to(np.arange(y.shape[1], dtype=np.float64), y.shape)  # (N, W)
    dt, dy = (np.where(inside, v - np.where(inside, v, 0.0).sum(axis=1, keepdims=True) / lengths[:, None], 0.0) for v in (t, y))
    return (dt * dy).sum(axis=1) ** 2 / ((dt * dt).sum(axis=1) * (dy * dy).sum(axis=1))


@dataclasses.dataclass(frozen=True)
class StepShape:
    """How the steps of windows (C,) go, each array (C,): what decides whether a window settles."""

    way: np.ndarray  # the sign of the last step
    one_way: np.ndarray  # bool: every step goes that way (none 0)
    shrank: np.ndarray  # bool: the last step is smaller than the one before
    below_largest: np.ndarray  # bool: the last step is smaller than the largest
    since: np.ndarray  # int: steps from the first of the largest step sizes (to 1e-9 of it) to the last step
    recent: np.ndarray  # int: since, at least 1 and at most SETTLE_RECENT: the last steps the ratio is read over
    ratio: np.ndarray  # the mean change of the step sizes' logarithm over those steps (< 0: they shrink)
    last_size: np.ndarray  # the logarithm of the last step's size


def step_shape(windows: np.ndarray, counts: np.ndarray) -> StepShape:
    """The :class:`StepShape` of windows (C, width) whose ``counts`` (C,) values (2 at least) fill each row from
    its start (any padding after them is not read)."""
    rows, last = np.arange(len(counts)), counts - 2  # (C,) each: the row, its last step
    with np.errstate(over="ignore", invalid="ignore"):  # (steps past the float range: inf)
        steps = np.diff(windows, axis=1)  # (C, width - 1)
    inside = np.arange(steps.shape[1])[None, :] < (counts - 1)[:, None]  # (C, width - 1)
    way = np.sign(steps[rows, last])  # (C,)
    one_way = (way != 0) & np.where(inside, np.sign(steps) == way[:, None], True).all(axis=1)
    sizes = np.abs(steps)
    largest = np.where(inside, sizes, -np.inf).max(axis=1)  # (C,)
    since = last - np.argmax(inside & (sizes >= largest[:, None] * (1 - 1e-9)), axis=1)  # (C,)
    recent = np.clip(np.minimum(since, SETTLE_RECENT), 1, None)  # (C,)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(sizes)  # (C, width - 1)
        ratio = (logs[rows, last] - logs[rows, np.maximum(last - recent, 0)]) / recent  # (C,)
    shrank = sizes[rows, last] < sizes[rows, np.maximum(last - 1, 0)]
    return StepShape(way, one_way, shrank, sizes[rows, last] < largest, since, recent, ratio, logs[rows, last])


def _saturating(predictor: Predictor, sources: list[np.ndarray], texts: list[str] | None = None) -> np.ndarray:
    """(S,) bool: of windows whose values step one way, those whose steps shrink by about one ratio (a decay or
    growth settling at a level: :func:`step_decay`, not as a wave's near its peak, :func:`_turning`) or that the
    family classifier (or pattern head) names a logistic curve, saturating, whose steps have shrunk for 2 steps at
    least. ``texts`` (S,): their pattern lines where already known (predict's), else the classifier is asked."""
    from numseries.patterns import NAMES, UNSATURATED

    padded, lengths = padded_rows(sources)
    _, way = step_decay(padded, lengths)
    out = (way != 0) & ~_turning(padded, lengths)
    # named, and shrinking for 2 steps at least: a curve that rises to a peak (daily cases) is named so too, its
    # steps shrinking only just before it (adversarial round 48: 549 of 1,150 such windows named; 157 so). Only
    # the others are named: the classifier is a model call.
    ask = np.flatnonzero(~out & (step_shape(padded, lengths).since >= 2))  # (A,)
    if not ask.size:
        return out
    if texts is None:
        used = np.minimum(lengths[ask], predictor.max_len)
        left, _ = keep_last(padded[ask], lengths[ask], predictor.max_len)  # (A, <= max_len) each window's last values
        outputs = predictor._predict_padded(left, used, None, only=("pattern",), classify=True, exact_ok=True)
        asked, _ = predictor._patterns(outputs, left, used)  # ([], None) for a model without either
    else:
        asked = [texts[i] for i in ask]
    out[ask] = [NAMES["logistic"] in text and UNSATURATED not in text for text in asked] or False
    return out


def _take_settling_paths(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    values: np.ndarray,
    bands: dict[float, np.ndarray],
    along: np.ndarray | None,
    read: np.ndarray,
    taken: np.ndarray,
) -> np.ndarray:
    """(N,) bool: the paths (of windows whose path is the network's own, ``taken`` False: no cycle, no
    logarithms) of at least ``SETTLE_VALUES`` values read that all step one way, the last step smaller than the
    largest, that saturate (:func:`_saturating`) or whose path turns back past their last value within
    ``BACKTEST_STEPS`` steps (their steps not shrinking as a wave's do: :func:`_turning`), and whose step 1 (the
    model's prediction) goes their way, replaced
    in ``values`` from the second step on by a path that settles (the module's docstring says how), with its bands,
    rounded to the window's recorded decimals; ``along`` moves with the path. A window of one sign whose settling
    path would cross 0 keeps its path."""
    settles = np.zeros(len(windows), dtype=bool)
    rows = np.flatnonzero(~taken & (read >= SETTLE_VALUES))  # (C,)
    if not rows.size:
        return settles
    sources = [windows[i][len(windows[i]) - int(read[i]) :] for i in rows]  # the values each path was read from
    shape = step_shape(*padded_rows(sources))
    settling = np.flatnonzero(shape.one_way & shape.below_largest)  # (C',) of the candidates
    if not settling.size:
        return settles
    # or whose path turns back past the last value within BACKTEST_STEPS steps, its steps not shrinking as a wave's on
    # its way to a peak (:func:`_turning`): noisy S-curves (adoption, cumulative counts: their step sizes shrink by
    # no one ratio) went on by the network's wave past its peak, 69% below the last value by step 12 (round 66)
    candidates = [sources[k] for k in settling]
    lasts = np.array([source[-1] for source in candidates])  # (C'',)
    back = ((values[rows[settling], 1:BACKTEST_STEPS] - lasts[:, None]) * shape.way[settling, None] < 0).any(axis=1)
    back &= ~_turning(*padded_rows(candidates))
    settling = settling[_saturating(predictor, candidates) | back]  # (R,)
    rows = rows[settling]
    if not rows.size:
        return settles
    sizes = [np.log(np.abs(np.diff(sources[k]))) for k in settling]  # the logarithms of each window's step sizes
    run = min(steps, BACKTEST_STEPS)
    network, _, _ = roll_out(predictor, sizes, run, (), 0, [])  # (R, run) their point paths
    # each step shrinks by at least the ratio the window's last steps shrank by (up to SETTLE_RECENT of them, since
    # their largest: a logarithm's steps shrink ever slower, 1/t, and its first ones shrank fastest)
    ratio = shape.ratio[settling]  # (R,) < 0: the logarithm shrinks
    beyond = network[:, -1:] + ratio[:, None] * np.arange(1, steps - run + 1)  # (R, steps - run)
    ahead = np.concatenate([network[:, 1:], beyond], axis=1)  # (R, steps - 1): into steps 2..steps
    last = np.array([windows[i][-1] for i in rows])  # (R,)
    way = shape.way[settling]  # (R,)
    first = values[rows, 0]  # (R,) the model's prediction: the path goes on from it
    first_step = (first - last) * way  # (R,) step 1's size, the window's way (<= 0: back)
    last_size = shape.last_size[settling]  # (R,) the logarithm of the window's last step size
    last_step = np.exp(last_size)  # (R,)
    cap = last_size[:, None] + ratio[:, None] * np.arange(1, steps)  # (R, steps - 1): shrunk by the ratio each step
    ahead = np.minimum.accumulate(np.minimum(ahead, cap), axis=1)  # no step larger than the one before
    with np.errstate(over="ignore", invalid="ignore"):
        path = first[:, None] + way[:, None] * np.cumsum(np.exp(ahead), axis=1)  # (R, steps - 1)
    path = np.concatenate([first[:, None], path], axis=1)  # (R, steps)
    one_sign = np.array([windows[i].min() > 0 or windows[i].max() < 0 for i in rows])  # (R,)
    # (decided on the first BACKTEST_STEPS steps, whatever the horizon; further on such a path stops at 0)
    keeps = ~one_sign | (np.sign(path[:, :BACKTEST_STEPS]) == np.sign(last)[:, None]).all(axis=1)
    keeps &= ratio < 0  # its last steps shrink: where they grew again it does not settle (round 49: 5.39 a step)
    keeps &= first_step > 0  # the model's step 1 turned back already: it reads a turn, not a settling curve
    keeps &= np.isfinite(path).all(axis=1)
    rows, path, first, last_step, one_sign = rows[keeps], path[keeps], first[keeps], last_step[keeps], one_sign[keeps]
    next_step = last_step * np.exp(ratio[keeps])  # (R,) the last step shrunk once by the ratio: step 1's cap
    path = np.where(one_sign[:, None] & (np.sign(path) != np.sign(first)[:, None]), 0.0, path)  # (R, steps)
    if not rows.size:
        return settles
    shift = path[:, 1:] - values[rows, 1:]  # (R, steps - 1)
    values_before = values[rows].copy()  # (R, steps) the network's path, which its bands are around
    values[rows, 1:] = path[:, 1:]  # the first step stays the model's prediction
    # bands: the network's path's reach below and above it, moved with the path (as a cycle's), at most step 1's
    # (or the window's last step shrunk by the ratio, if larger) times the step; from step BACKTEST_STEPS on grown from there as a random walk's spread, no further (the
    # network's bands were its own turning path's, and grew without bound where that ran away)
    k = np.arange(1, steps + 1)  # (steps,)
    held = np.minimum(k, BACKTEST_STEPS) - 1  # (steps,) the step whose reach each grows from
    growth = np.sqrt(k / (held + 1))[None, :, None]  # (1, steps, 1)
    new = {}
    for level in levels:
        band = bands[level][rows]  # (R, steps, 2) the network path's
        reach = np.stack([values_before[:, :, None] - band[..., :1], band[..., 1:] - values_before[:, :, None]], axis=-1)[:, :, 0]
        base = np.maximum(reach[:, :1], next_step[:, None, None])  # (R, 1, 2) step 1's reach, or its cap if larger
        reach = np.minimum(reach, base * k[None, :, None])  # (R, steps, 2) at most that times the step
        with np.errstate(over="ignore"):
            grown = path[..., None] + np.array([-1.0, 1.0]) * reach[:, held] * growth  # (R, steps, 2)
        new[level] = np.clip(grown, -LARGEST_FLOAT, LARGEST_FLOAT)
    _put_recorded(bands, rows, windows, values, new)
    if along is not None:
        along[rows, 1:] += shift[..., None]
    settles[rows] = True
    return settles


def log_hold(steps: int, count: int) -> int:
    """How many of the last of ``count`` values read a log path's backtest holds out, for ``steps`` steps: at
    most ``BACKTEST_STEPS``, leaving at least ``LOG_PAST`` before them."""
    return min(steps, BACKTEST_STEPS, count - LOG_PAST)


def log_backtest(
    predictor: Predictor, pasts: list[np.ndarray], held: list[np.ndarray], known: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(R,) each: the mean absolute error with which the point path read from each positive series' values
    ``pasts`` (R,), and the one read from their logarithms (exponentiated), forecast the values ``held`` (R,, at
    most ``BACKTEST_STEPS`` each) that follow them. ``known`` (R,): the first error where already measured
    (NaN where not): only the logarithms' path is rolled out there."""
    n = len(pasts)
    known = np.full(n, np.nan) if known is None else np.asarray(known, dtype=np.float64)
    holds = np.array([len(values) for values in held])  # (R,)
    hold = int(holds.max())
    ask = np.flatnonzero(np.isnan(known))  # (A,)
    both, _, _ = roll_out(predictor, [pasts[i] for i in ask] + [np.log(values) for values in pasts], hold, (), 0, [])
    inside = np.arange(hold)[None, :] < holds[:, None]  # (R, hold)
    actual = np.zeros((n, hold))
    for i, values in enumerate(held):
        actual[i, : len(values)] = values
    with np.errstate(over="ignore", invalid="ignore"):
        error_values = known.copy()
        error_values[ask] = np.where(inside[ask], np.abs(both[: len(ask)] - actual[ask]), 0.0).sum(axis=1) / holds[ask]
        error_logs = np.where(inside, np.abs(np.exp(both[len(ask) :]) - actual), 0.0).sum(axis=1) / holds
    return error_values, error_logs


def _with_short_cycles(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    rows: np.ndarray,
    errors: np.ndarray,
    cycle_errors: np.ndarray,
    found: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backtested ``rows`` (R,), their path's ``errors`` (R,) and their cycle's (:func:`seasonal_backtest`,
    R,), with the windows too short to compare reads (at most ``SHORT_READ`` values before their last
    ``min(steps, BACKTEST_STEPS)``) whose values before those repeat added, each with the error of the
    network's path read whole: a cycle of 2 typed with 20 values is repeated as one typed with 40 is. ``found`` (N,):
    every window's period."""
    hold = min(steps, BACKTEST_STEPS)
    lengths = np.array([len(window) for window in windows])
    extra = np.setdiff1d(np.flatnonzero(lengths - hold >= CYCLE_VALUES), rows)  # (E,)
    extra_cycle = seasonal_backtest(windows, extra, steps, found) if extra.size else np.empty(0)  # (E,) NaN: no cycle
    extra, extra_cycle = extra[np.isfinite(extra_cycle)], extra_cycle[np.isfinite(extra_cycle)]
    if not extra.size:
        return rows, errors, cycle_errors
    past = [windows[i][:-hold] for i in extra]
    actual = np.stack([windows[i][-hold:] for i in extra])  # (E, hold)
    path, _, _ = roll_out(predictor, past, hold, (), 0, [])  # point paths only
    return (
        np.concatenate([rows, extra]),
        np.concatenate([errors, np.abs(path - actual).mean(axis=1)]),
        np.concatenate([cycle_errors, extra_cycle]),
    )


def _few_cycles(
    predictor: Predictor, windows: list[np.ndarray], steps: int, compared: np.ndarray, found: np.ndarray
) -> np.ndarray:
    """(C,) the windows (not among ``compared``, whose cycle was backtested) with a whole period ``k``
    (:func:`whole_cycles` of ``found`` (N,), every window's period) that hold two cycles and fewer than ``min(steps, BACKTEST_STEPS)`` values after
    them, whose last cycle repeated is their path: where at least ``CYCLE_HOLD`` values follow the two cycles,
    it forecasts those (:func:`seasonal_paths` of the values before them) with a smaller mean absolute error
    than the network's path from the same values; where fewer, the two last cycles agree, the root mean
    square of :func:`cycle_residuals` within ``CYCLE_AGREE`` of the last cycle's standard deviation. Two
    years of monthly values (24-31) or two days of hourly ones were never repeated (the backtests of
    :func:`seasonal_backtest` need two cycles before the last ``BACKTEST_STEPS`` values): two weeks and a few
    days of visitors went on as a wave, 5 times as far off as the week repeated (adversarial round 66).
    AirPassengers 1949-50 still is not repeated: its second summer grew faster than its year (0.39)."""
    hold = min(steps, BACKTEST_STEPS)
    lengths = np.array([len(window) for window in windows])
    rows = np.setdiff1d(np.flatnonzero(lengths >= CYCLE_VALUES), compared)  # (R,)
    if not rows.size:
        return rows
    cycle, near = whole_cycles(found[rows])  # (R,) each
    after = lengths[rows] - 2 * cycle  # (R,) values after two cycles
    near &= (cycle >= 2) & (after >= 0) & (after < hold)
    rows, cycle, after = rows[near], cycle[near], after[near]
    agree = np.array([cycles_agree(windows[i], k) for i, k in zip(rows.tolist(), cycle.tolist(), strict=True)], dtype=bool)
    test = np.flatnonzero(after >= CYCLE_HOLD)  # (T,) backtested on the values after their two cycles
    better = np.zeros(len(rows), dtype=bool)
    if test.size:
        past = [windows[i][: 2 * k] for i, k in zip(rows[test].tolist(), cycle[test].tolist(), strict=True)]
        network, _, _ = roll_out(predictor, past, int(after[test].max()), (), 0, [])  # (T, most after) point paths
        repeated, _ = seasonal_paths(past, int(after[test].max()), cycle[test].astype(np.float64))
        for j, i in enumerate(rows[test].tolist()):
            actual = windows[i][2 * cycle[test[j]] :]
            count = len(actual)
            better[test[j]] = np.abs(repeated[j, :count] - actual).mean() < np.abs(network[j, :count] - actual).mean()
    return rows[np.where(after >= CYCLE_HOLD, better, agree)]


def backtests_shorter(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    known: tuple[list[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """(N,) bool: read from its last ``SHORT_READ`` values, a window's path forecasts the window's own last
    ``min(steps, BACKTEST_STEPS)`` values from the values before them with a mean absolute error under
    ``PREFER_SHORT`` times that of the path read from all of them (:func:`backtest_errors`). Windows with at
    most ``SHORT_READ`` values before those are False: both reads are the same there."""
    rows, error_whole, error_short = backtest_errors(predictor, windows, steps, known)
    return _prefers_short(len(windows), rows, error_whole, error_short)


def _prefers_short(count: int, rows: np.ndarray, error_whole: np.ndarray, error_short: np.ndarray) -> np.ndarray:
    """(count,) bool from :func:`backtest_errors`' results: the short read's error is under ``PREFER_SHORT``
    of the whole read's (False for windows not backtested)."""
    shorter = np.zeros(count, dtype=bool)
    shorter[rows] = error_short < PREFER_SHORT * error_whole
    return shorter


def backtest_errors(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    known: tuple[list[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The windows with more than ``SHORT_READ`` values before their last ``min(steps, BACKTEST_STEPS)``
    (R,) and, for each, the mean absolute error of the point path that forecasts those last values from the
    values before them read from all of them (itself read again where it runs away) (R,), and read from the
    last ``SHORT_READ`` of them (R,).
    ``known``: windows and the point paths :func:`roll_out` already gave them (at least as many steps);
    a backtest from the same values takes its path from there instead of rolling it out again (in a
    rolling-origin evaluation, each window's backtest is the previous window's forecast)."""
    hold = min(steps, BACKTEST_STEPS)
    lengths = np.array([len(window) for window in windows])
    rows = np.flatnonzero(lengths - hold > SHORT_READ)
    if not rows.size:
        return rows, np.empty(0), np.empty(0)
    past = [windows[i][:-hold] for i in rows]
    actual = np.stack([windows[i][-hold:] for i in rows])  # (R, hold)
    whole = np.empty((len(rows), hold))
    found = {} if known is None else {window.tobytes(): i for i, window in enumerate(known[0])}
    seen = np.array([found.get(window.tobytes(), -1) for window in past])  # (R,) the known row, or -1
    if known is not None and (seen >= 0).any():
        whole[seen >= 0] = known[1][seen[seen >= 0], :hold]
    new = np.flatnonzero(seen < 0)
    both, _, _ = roll_out(  # one call: the whole reads not known, and every short read
        predictor, [past[i] for i in new] + [window[-SHORT_READ:] for window in past], hold, (), 0, []
    )  # point paths only: nothing is drawn
    whole[new], short = both[: len(new)], both[len(new) :]  # (R, hold) each
    ran = runs_away(past, whole)
    whole[ran, 1:] = short[ran, 1:]  # as guarded_roll_out reads it
    return rows, np.abs(whole - actual).mean(axis=1), np.abs(short - actual).mean(axis=1)


def seasonal_paths(
    windows: Sequence[np.ndarray], steps: int, found: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(N, steps): each window's last cycle repeated, each repeat moved by :func:`cycle_drift` (a season on a
    trend), where the window has a period (``found`` (N,), NaN for none; by default
    :func:`numseries.cycles.periods`) near a whole number ``k`` of steps (:func:`whole_cycles`) and holds two
    cycles; NaN rows for the others. And (N,) each window's ``k``, 0 for the others."""
    out = np.full((len(windows), steps), np.nan)
    cycles = np.zeros(len(windows), dtype=np.int64)
    if not len(windows):
        return out, cycles
    if found is None:
        found = periods(*padded_rows(list(windows)))  # (N,)
    k, near = whole_cycles(found)
    h = np.arange(steps)
    for i in np.flatnonzero(near).tolist():
        window, cycle = windows[i], int(k[i])
        if len(window) >= 2 * cycle:
            out[i] = window[len(window) - cycle + h % cycle] + (h // cycle + 1) * cycle_drift(window, cycle)
            cycles[i] = cycle
    return out, cycles


def whole_cycles(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,) periods (NaN: none) -> (N,) the whole number of steps nearest each, and (N,) bool: within
    ``SEASON_NEAR`` of it, or ``SEASON_NEAR_SHARE`` of it where more (a cycle that may be repeated; NaN never is).
    A long cycle's period is read less closely from the two or three of it a window holds (days of hourly
    temperatures read as 23.3 to 24.7), and repeating it slips its phase by the same share of a cycle each time."""
    k = np.rint(np.nan_to_num(found)).astype(np.int64)
    return k, np.abs(found - k) <= np.maximum(SEASON_NEAR, SEASON_NEAR_SHARE * k)  # (NaN compares False)


def cycle_backtests(after: np.ndarray | int) -> np.ndarray:
    """How many of a window's last values the cycle's step 1 is backtested on (``Predictor._read_cycles``), from
    ``after`` (N,) values after its two cycles (or one window's count): up to ``CYCLE_BACKTEST``, and
    ``CYCLE_HOLD`` where fewer follow them (a window seen about twice: its two cycles' last values too)."""
    return np.minimum(CYCLE_BACKTEST, np.maximum(after, CYCLE_HOLD))


def cycle_drift(window: np.ndarray, cycle: int) -> float:
    """How much a window's cycle mean moves per cycle: over its whole cycles (ending at its last value),
    the least-squares slope of their means where it clears ``DRIFT_Z`` standard errors, else 0 (noise in
    the means is no trend, and repeated it would compound over a long horizon); with two cycles, the
    difference of their means. On the window scaled by a power of two (:func:`~numseries.series.unit_scaled`),
    so that no square overflows."""
    window, exponent = unit_scaled(window)
    count = len(window) // cycle
    # less the last value: the drift is the same, and values near 1e15 keep the digits of their differences
    means = (window[len(window) - count * cycle :] - window[-1]).reshape(count, cycle).mean(axis=1)  # (C,)
    if count < 3:
        return float(np.ldexp(means[-1] - means[-2], exponent))
    t = np.arange(count) - (count - 1) / 2  # (C,) centred
    slope = float(t @ means / (t @ t))
    residual = means - means.mean() - slope * t
    error = np.sqrt(residual @ residual / (count - 2) / (t @ t))
    return float(np.ldexp(slope, exponent)) if abs(slope) > DRIFT_Z * error else 0.0


def cycle_drifts(values: np.ndarray, lengths: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """(M, W) prefix-padded values, (M,) their lengths and cycles (each length at least two cycles) -> (M,) each
    row's :func:`cycle_drift`, for all rows at once (a batch's cycle backtests asked it of each row, one at a
    time). The cycles' sums are differences of cumulative sums of the values less each row's last one (the
    drift is the same; the sums of values near 1e15 keep their digits), each row scaled by a power of two
    (:func:`~numseries.series.unit_scaled`: no square overflows)."""
    m = len(lengths)
    if not m:
        return np.zeros(0)
    values, exponent = unit_scaled(np.where(np.arange(values.shape[1])[None, :] < lengths[:, None], values, 0.0))
    rows = np.arange(m)[:, None]
    count = lengths // cycles  # (M,) whole cycles, ending at the last value
    inside = np.arange(values.shape[1])[None, :] < lengths[:, None]  # (M, W)
    shifted = np.where(inside, values - values[np.arange(m), lengths - 1][:, None], 0.0)
    sums = np.concatenate([np.zeros((m, 1)), np.cumsum(shifted, axis=1)], axis=1)  # (M, W + 1)
    back = np.arange(int(count.max()))[None, :]  # (1, J): 0 the last cycle, 1 the one before, ...
    valid = back < count[:, None]  # (M, J)
    end = np.where(valid, lengths[:, None] - back * cycles[:, None], cycles[:, None])  # (M, J)
    means = np.where(valid, (sums[rows, end] - sums[rows, end - cycles[:, None]]) / cycles[:, None], 0.0)
    t = np.where(valid, (count[:, None] - 1) / 2 - back, 0.0)  # (M, J) centred, later cycles above 0
    tt = (t * t).sum(axis=1)  # (M,)
    slope = (t * means).sum(axis=1) / tt
    mean = means.sum(axis=1) / count
    residual = np.where(valid, means - mean[:, None] - slope[:, None] * t, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # two cycles: no error (their difference is the drift)
        error = np.sqrt((residual * residual).sum(axis=1) / (count - 2) / tt)
    kept = np.where(np.abs(slope) > DRIFT_Z * error, slope, 0.0)
    return np.ldexp(np.where(count < 3, means[:, 0] - means[:, 1 % means.shape[1]], kept), exponent)


def cycle_weights(window: np.ndarray, cycle: int) -> np.ndarray:
    """(n,) the coefficients with which a window's last cycle repeated (:func:`seasonal_paths`) gives its first
    step: ``weights @ window == window[-cycle] + cycle_drift(window, cycle)`` (to float rounding): 1 on the value
    a cycle back, and the drift's own: the difference of the last two cycles' means, or the slope of all whole
    cycles' means where :func:`cycle_drift` keeps it."""
    n = len(window)
    out = np.zeros(n)
    out[n - cycle] = 1.0
    count = n // cycle
    if count < 3:
        out[n - cycle :] += 1.0 / cycle
        out[n - 2 * cycle : n - cycle] -= 1.0 / cycle
    elif cycle_drift(window, cycle) != 0.0:
        t = np.arange(count) - (count - 1) / 2  # (C,) centred, as cycle_drift's
        out[n - count * cycle :] += np.repeat(t / (t @ t) / cycle, cycle)
    return out


def cycle_bands(
    windows: Sequence[np.ndarray], cycles: np.ndarray, paths: np.ndarray, levels: Sequence[float]
) -> dict[float, np.ndarray]:
    """{level: (C, K, 2)} bands about each window's cycle path (:func:`seasonal_paths`, (C, K)) of ``cycles`` (C,)
    values, as a seasonal naive forecast's: Student's t times the root mean square of the window's differences
    ``x[t] - x[t - k] - drift`` (:func:`cycle_drift`), times the square root of the cycles ahead (1 for the first
    ``k`` steps, 2 for the next ``k``, ...). Degrees of freedom: the values past two cycles, at least 3 (the
    differences of one cycle share its noise with the next's; counted all, the 95% bands of 32 real values held
    89.8% at step 7). The network's path's bands, moved
    onto the cycle, held 97-99% at 80% (adversarial round 66): a cycle that repeats within ±1 got 100 wide."""
    out = {level: np.empty((len(windows), paths.shape[1], 2)) for level in levels}
    ahead = np.sqrt(np.arange(paths.shape[1]) // np.maximum(cycles, 1)[:, None] + 1)  # (C, K)
    for i, (window, k) in enumerate(zip(windows, cycles.tolist(), strict=True)):
        spread = cycle_spread(window, k) * ahead[i]  # (K,)
        for level in levels:
            reach = spread * float(t_quantiles(np.array([0.5 + level / 200]), np.array([cycle_freedom(len(window), k)]))[0])
            with np.errstate(over="ignore"):  # a reach past the float range ends at its largest float
                out[level][i] = np.clip(np.stack([paths[i] - reach, paths[i] + reach], axis=1), -LARGEST_FLOAT, LARGEST_FLOAT)
    return out


def cycle_freedom(length: int, cycle: int) -> int:
    """The degrees of freedom of a cycle's band (:func:`cycle_bands`) in a window of ``length`` values: the values
    past two cycles, at least 3."""
    return max(length - 2 * cycle, 3)


def cycle_residuals(window: np.ndarray, cycle: int) -> np.ndarray:
    """(n - cycle,) how each value of a window differs from the value a cycle back moved by the cycle's drift
    (:func:`cycle_drift`): a seasonal naive forecast's misses within the window."""
    return window[cycle:] - window[:-cycle] - cycle_drift(window, cycle)


def cycle_spread(window: np.ndarray, cycle: int) -> float:
    """The root mean square of :func:`cycle_residuals`: how far a seasonal naive forecast missed within the window
    (of the window scaled by a power of two, :func:`~numseries.series.unit_scaled`, so that no square overflows)."""
    scaled, exponent = unit_scaled(window)
    with np.errstate(over="ignore"):  # a spread past the float range: inf
        return float(np.ldexp(np.sqrt(np.mean(cycle_residuals(scaled, cycle) ** 2)), exponent))


def cycles_agree(window: np.ndarray, cycle: int) -> bool:
    """Whether a window's cycles agree: :func:`cycle_spread` within ``CYCLE_AGREE`` of its last cycle's standard
    deviation (a window of two cycles with too few values after them to backtest repeats its cycle where they do)."""
    window, _ = unit_scaled(window)  # the same answer, without overflow
    return cycle_spread(window, cycle) <= CYCLE_AGREE * float(np.std(window[-cycle:]))


def seasonal_backtest(windows: list[np.ndarray], rows: np.ndarray, steps: int, found: np.ndarray) -> np.ndarray:
    """(R,) for the windows ``rows``: the mean absolute error with which :func:`seasonal_paths` of the values
    before each window's last ``min(steps, BACKTEST_STEPS)`` forecasts those, as :func:`backtest_errors`
    measures the network's; NaN where the window has no seasonal path (no period, or too few cycles before those).
    The period is the whole window's: one that noise hid in the values before (a third of noisy weeks) is found
    in all of them (``found`` (N,): every window's period, :func:`numseries.cycles.periods`)."""
    hold = min(steps, BACKTEST_STEPS)
    past, _ = seasonal_paths([windows[i][:-hold] for i in rows], hold, found[rows])  # (R, hold)
    actual = np.stack([windows[i][-hold:] for i in rows]) if rows.size else np.empty((0, hold))
    return np.abs(past - actual).mean(axis=1)


def roll_out(
    predictor: Predictor,
    windows: list[np.ndarray],
    steps: int,
    levels: Sequence[float],
    paths: int,
    streams: Sequence[np.random.Generator],
    given: Sequence[np.ndarray] | None = None,
    logs_first: bool = False,
    first_logs: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[float, np.ndarray], np.ndarray | None]:
    """Checked windows -> (point paths (N, K), ``{level: (N, K, 2) bands}``, and without sample paths
    but with ``levels``, the (N, K, Q) calibrated one-step quantiles the model gave along each path).
    ``given``: the series the windows were cut from (default: the windows), whose extent and length cap the
    point paths' bands (:func:`~numseries.intervals.range_reach`). ``logs_first``: step 1 is predict's, read
    from the values' logarithms where that predicts a decay better than a value below 0, or a fast growth
    better (``Predictor._read_logs``); ``first_logs`` (N,) bool, where given, is set where it was so read."""
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
    inside = np.arange(width)[None, :] < lengths[:, None]  # (n, width) each window's values
    scale = mean_abs_step(history[point, :width], inside)  # (n,)
    values = np.empty((n, steps))
    bands = {level: np.full((n, steps, 2), np.nan) for level in levels}  # step 1's: predict's interval, at the end
    grid = predictor.quantile_levels
    along = np.empty((n, steps, len(grid))) if levels and not paths else None  # one-step quantiles on the path
    calibration = predictor.calibration
    # The windows' families, as predict names them: their one-step intervals, and the bands of the point paths
    by_family = bool(levels) and calibration is not None and calibration.by_family
    families = None  # (n,) index into calibration.families of the family each window is named, -1 for none
    first: np.ndarray | None = None
    for k in range(steps):
        used = np.minimum(length, width)
        start = length - used
        index = start[:, None] + np.arange(width)[None, :]  # (R, width)
        window = np.take_along_axis(history, np.minimum(index, history.shape[1] - 1), axis=1)
        named = by_family and k == 0
        only = ("quantiles", "pattern") if named else ("quantiles",) if levels else ()
        # a path fed back can overflow float64: steady_paths ends it before that, else forecast_batch refuses it
        if k == 0 and logs_first:  # every row of a series is its window yet: each series once, as predict reads it
            first_outputs = predictor._predict_padded(window[point], used[point], None, only=only, classify=named, exact_ok=True, logs=True)
            outputs = {name: np.repeat(output, rows_per_series, axis=0) for name, output in first_outputs.items()}
            if first_logs is not None:
                first_logs[:] = first_outputs["logs"]
        else:
            outputs = predictor._predict_padded(window, used, None, only=only, classify=named, exact_ok=True)
        if named:
            families = predictor._named(outputs)
            families = families[point] if families is not None else None
        values[:, k] = outputs["prediction"][point]
        rows = np.arange(len(length))
        ends = window[rows[:, None], used[:, None] - np.array([2, 1])]  # (R, 2) the last two values read
        quantiles = predictor._quantiles(outputs, ends) if levels else None  # (R, Q) calibrated (step 1: by family)
        if k == 0 and quantiles is not None:
            first = quantiles[point]  # (n, Q) the model's one-step quantiles: step 1's interval is predict's
        if not paths:  # the point paths only
            if along is not None:
                along[:, k] = quantiles
            history[rows, length] = outputs["prediction"]
            length = length + 1
            continue
        assert quantiles is not None  # forecasts with levels need a quantile head (checked by the caller)
        uniforms = np.concatenate([stream.random(rows_per_series) for stream in streams])  # (R,) each its own
        draws = quantile_draws(quantiles, grid, uniforms[:, None])[:, 0]  # (R,)
        draws[point] = outputs["prediction"][point]  # the point path feeds back its own prediction
        history[rows, length] = draws
        if k > 0:
            samples = draws.reshape(n, rows_per_series)[:, 1:]  # (n, paths)
            for level in levels:
                half = level / 200
                bands[level][:, k] = np.quantile(samples, [0.5 - half, 0.5 + half], axis=1).T
        length = length + 1
    if along is not None:
        if given is None:
            given_rows, range_lengths = np.where(inside, history[point, :width], np.nan), lengths  # (n, width)
        else:
            given_rows, range_lengths = padded_rows(list(given))
        extents = np.stack([np.nanmin(given_rows, axis=1), np.nanmax(given_rows, axis=1)], axis=1)  # (n, 2)
        bands = path_bands(values, along, lengths, scale, grid, levels, calibration, extents, families, range_lengths)
    bands = _recorded_bands(windows, values, bands)
    if first is not None and len(windows):  # step 1: the interval predict gives, at any level
        padded, padded_lengths = padded_rows(list(windows))
        decimals = recorded_decimals(padded, padded_lengths)  # (n,)
        first = floored_at_zero(round_to_recording(first, decimals), values[:, 0], padded, padded_lengths, decimals)
        for level, bound in recorded_intervals(first, grid, levels, decimals).items():
            bands[level][:, 0] = bound
    return values, bands, along


def _at_least_first_reach(values: np.ndarray, bands: dict[float, np.ndarray]) -> dict[float, np.ndarray]:
    """(N, K) paths and their ``{level: (N, K, 2)}`` bands -> the bands widened where they reach less far
    below or above their path than step 1's band reaches below or above step 1."""
    out = {}
    for level, band in bands.items():
        below = (values[:, :1] - band[:, :1, 0])[..., None]  # (N, 1, 1)
        above = (band[:, :1, 1] - values[:, :1])[..., None]  # (N, 1, 1)
        with np.errstate(over="ignore"):
            floor = np.clip(values[..., None] + np.concatenate([-below, above], axis=-1), -LARGEST_FLOAT, LARGEST_FLOAT)
        out[level] = np.stack([np.minimum(band[..., 0], floor[..., 0]), np.maximum(band[..., 1], floor[..., 1])], axis=-1)
    return out


def _put_recorded(
    bands: dict[float, np.ndarray],
    rows: np.ndarray,
    windows: Sequence[np.ndarray],
    values: np.ndarray,
    new: dict[float, np.ndarray],
) -> None:
    """The (R, K, 2) bands ``new`` of ``rows`` written into ``bands`` {level: (N, K, 2)}, each rounded to its
    window's recorded decimals around its path in ``values`` (N, K) (:func:`_recorded_bands`)."""
    rounded = _recorded_bands([windows[int(i)] for i in rows], values[rows], new)
    for level, band in rounded.items():
        bands[level][rows] = band


def _recorded_bands(
    windows: Sequence[np.ndarray], values: np.ndarray, bands: dict[float, np.ndarray]
) -> dict[float, np.ndarray]:
    """Every step's value is recorded to its window's decimals: each (N, K, 2) band rounded as the one-step
    quantiles are (round_to_recording), around the (N, K) path; zero-width bands (an exact continuation) stay."""
    if not bands or not len(windows):
        return bands
    n, steps = values.shape
    decimals = np.repeat(recorded_decimals(*padded_rows(list(windows))), steps)  # (n * K,)
    rounded = {}
    for level, band in bands.items():
        around = np.stack([band[..., 0], values, band[..., 1]], axis=-1)  # (n, K, 3)
        rounded[level] = round_to_recording(around.reshape(n * steps, 3), decimals)[:, ::2].reshape(n, steps, 2)
    return rounded
