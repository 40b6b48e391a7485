"""Prediction intervals from the model's quantile head: levels, calibration, multi-step bands and sample paths.

The quantile head predicts the next value at fixed levels (the model's ``quantile_levels``, e.g.
0.005 … 0.995). An interval at level ``L`` percent runs from the ``(1 - L/100) / 2`` quantile to the
``(1 + L/100) / 2`` quantile, read off the quantile function by linear interpolation between levels.

Raw quantiles learnt on generated data can be too narrow or too wide. :func:`calibrate` measures that
on held-out cases, per context-length bucket and per symmetric pair of levels, as in conformalised
quantile regression with a multiplicative score: the factor ``c`` by which each interval must widen
(``c > 0``) or narrow (``c < 0``), relative to its own width, to cover its level. Widening in
proportion to the width keeps every guarantee of the raw quantiles: scaling or mirroring a series scales
or mirrors its interval. An arithmetic progression's raw interval has zero width; one too short for an
exact rule to continue it (3 values) is widened by steps of its line measured on real series
(:func:`widen_lines`).

Several steps ahead (:func:`path_bands`), the band at step ``h`` reaches from the point path by the sum
of the one-step half-widths the model gave along that path up to step ``h`` (for contexts of more than 16
values their ``p``-norm, ``REACH_NORMS``: successive errors of a long context's path persist less), times a factor per
horizon, level, length bucket and spread bucket (:func:`calibrate_horizons`) measured the same way on
held-out generated paths. The spread is the first step's 80% interval in mean steps of the context: a
smooth series (narrow one-step intervals) drifts from its path by more than its one-step intervals add
up to, a noisy one by less, so they get factors of their own. Those factors fit the mixture of families;
the paths of a family the network errs on steadily (level shifts, modulated waves, smooth random
processes) drift by more still, so a context the family classifier names (one family holding at least
``FAMILY_CONFIDENCE`` of its probability) widens by that family's own factor, measured among the paths
named so (:func:`calibrate_family_horizons`), never narrower. It costs nothing beyond the point path. The
one-step intervals of such a context are calibrated the same way (:func:`calibrate_families`): among the
calibration cases named that family, never narrower than the pooled ones (noisy series, smooth random
processes and random processes seen through noise get intervals too narrow for them from the pooled factors).

A series recorded to a decimal step (:func:`recorded_decimals`: whole numbers, cents, 0.001 …) has its
next value recorded to that step too. Rounding keeps order, so the quantiles of the recorded value are
the model's quantiles rounded to the step (:func:`round_to_recording`): an interval that holds a value
holds it rounded. The model learnt its quantiles on unrounded generated data; without this, a smooth
series recorded to three decimals got intervals narrower than its last digit that missed the value as
recorded, and a count series got bounds between whole numbers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import numbers
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

from numseries.series import LARGEST_FLOAT
from numseries.warn import warn_caller

CALIBRATION_FILE = "calibration.json"
LENGTH_BUCKETS = ((3, 6), (7, 16), (17, 10**9))  # context lengths calibrated separately
DEFAULT_LEVELS = (80.0,)  # percent, when the caller asks for intervals without naming levels
MAX_FACTOR = 1e6  # a calibration factor beyond this is a damaged file (the shipped ones are under 200)
HORIZONS = 24  # steps ahead calibrated separately; later steps take the last step's factor
# Edges of the spread buckets of the multi-step factors: the first step's 80% interval width divided by
# the context's mean absolute step (exact rules: 0; noise of a step's size: about 1 and more).
SPREAD_EDGES = (0.05, 0.3, 1.0)
# Per length bucket, the p of the p-norm in which a path's one-step reaches add up to its band (1: a plain
# sum, as if successive errors were fully correlated; 2: in quadrature, as if independent). Real series'
# paths need the plain sum from up to 16 values and less from more; the generated paths' horizon factors
# cannot tell (their errors cancel more than real ones, and factors stay >= 1), so this is chosen on real
# windows the benchmarks never use (benchmarks/results/experiments.md).
REACH_NORMS = (1.0, 1.0, 1.25)
# From this many values, a context's range bounds its multi-step bands: from step 2 on, the band at level L
# reaches at most range × z(L) / z(95) from the path (the whole range at 95%, 0.65 of it at 80%). Summed
# reaches grow without end; a series that has stayed within a range rarely leaves it by more (a river's
# flow, a sensor). Chosen on real windows the benchmarks never use (benchmarks/results/experiments.md).
RANGE_CAP_FROM = 17
# From this many values up to RANGE_CAP_FROM, a looser cap: RANGE_CAP_LOOSER more of the range for each value
# short of RANGE_CAP_FROM (1.2x it at 16 values, 2x at 12, 2.4x at 10). Uncapped, real windows of 14-16 values had
# 80% bands that covered 84-90% of their steps 3-6, as wide as those of 8 values; under 10 values, where bands
# cover under 80% already, none (benchmarks/results/experiments.md).
RANGE_CAP_SHORT = 10
RANGE_CAP_LOOSER = 0.2
# A family the classifier names (in a length bucket) gets factors of its own from this many calibration
# cases (one-step) or paths (multi-step); with fewer it keeps the pooled ones.
FAMILY_MIN_CASES = 100
# A context counts as of a family when the classifier gives that family at least this probability (the
# pattern line names a family alone from the same, patterns.CLEAR); the others keep the pooled factors.
FAMILY_CONFIDENCE = 0.6
# A context on a straight line (its steps all equal) has roughness 0, so the network's gate closes and its
# quantiles meet at the line's next value: an interval of zero width. An exact rule continues a line of 4
# values or more (rules.py); one of 3 values has too few to check one, and a real series 3 values on a line
# goes on along it 1 time in 5. Such a context (any read from 3 values, and a longer line no rule continues) takes, for each pair of
# levels covering LINE_COVERAGES, at least LINE_STEPS of its step either side: the quantiles of
# |next value - the line's| / |step| over the 478 three-value lines in half the real series of
# realdata.load_series (those whose "dataset/name" has an even CRC-32); benchmarks/intervals.py checks
# them on the other half.
LINE_COVERAGES = (0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 0.95, 0.99)
LINE_STEPS = (0.0078, 0.0727, 0.25, 0.3636, 1.0, 1.65, 3.5, 7.0)
RECORDED_DECIMALS = 6  # recorded steps looked for: 1, 0.1, ..., 1e-6
_FEW_ROWS = 16  # up to this many series, recorded_decimals tries every step at once


def check_levels(levels: Sequence[float] | float, grid: Sequence[float], *, warn: bool = True) -> tuple[float, ...]:
    """Interval levels in percent, checked against the quantile levels ``grid`` the model predicts.

    ``warn``: a warning for levels below 1 (``0.8`` is 0.8%, not 80%), once per public call
    (:func:`levels_checked` keeps the calls it makes quiet)."""
    if isinstance(levels, (str, bytes)):  # a sequence too, but of characters: "80" is not 8 and 0
        raise ValueError(f"a level must be a number of percent in (0, 100), got the text {levels!r}; e.g. 80 or [80, 95]")
    values: list[Any] = [levels] if _one_number(levels) else list(levels)  # type: ignore[arg-type]
    widest = widest_level(grid)
    checked = []
    for given in values:
        try:  # an int or Fraction past the float range raises OverflowError
            level = float(given) if _one_number(given) and not isinstance(given, (bool, np.bool_)) else math.nan
        except OverflowError:
            level = math.inf
        if not np.isfinite(level):
            shown = repr(given) if len(repr(given)) <= 40 else repr(given)[:37] + "..."
            raise ValueError(f"a level must be a number of percent in (0, 100), got {shown}; e.g. 80 or 95")
        if not 0 < level < 100:
            raise ValueError(f"a level must be in (0, 100) percent, got {level:g}; e.g. 80 or 95")
        if level > widest and widest <= 0:
            raise ValueError(
                f"level {level:g}%: the model has no interval levels (its only quantile level is the median); "
                "train it with --quantile-levels 0.1 0.5 0.9 (for example) to get some"
            )
        if level > widest:
            raise ValueError(
                f"level {level_name(level)}% needs quantiles beyond the model's outermost ({grid[0]:g} and {grid[-1]:g}); "
                f"use a level up to {widest:g}"
            )
        checked.append(level)
    if warn and not _LEVELS_CHECKED.get():
        _warn_fractions(checked)
    return tuple(checked)


def widest_level(grid: Sequence[float]) -> float:
    """The widest interval level, in percent, that the quantile levels ``grid`` give (0: none)."""
    return round(100 * (grid[-1] - grid[0]), 6) if len(grid) else 0.0


def default_levels(grid: Sequence[float]) -> tuple[float, ...]:
    """The levels shown when none are asked for: ``DEFAULT_LEVELS``, each at most the widest the quantile
    levels ``grid`` give; none when that is under 1% (a median-only quantile head, or none)."""
    widest = widest_level(grid)
    return tuple(min(level, widest) for level in DEFAULT_LEVELS) if widest >= 1 else ()


def fraction_note(levels: Sequence[float]) -> str | None:
    """The note for levels below 1, which are read as percent (``0.8`` is a 0.8% interval), or ``None``."""
    small = [level for level in levels if 0 < level < 1]
    if not small:
        return None
    shown = ", ".join(f"{level:g}" for level in small)
    wanted = ", ".join(f"{100 * level:g}" for level in small)
    if any(level < 0.01 for level in small):  # a fraction times 100 would still be under 1: no level meant
        return f"level{'s' if len(small) > 1 else ''} {shown} mean{'' if len(small) > 1 else 's'} {shown} percent (levels are in percent, e.g. 80 or 95)"
    if len(small) == 1:
        return f"level {shown} means a {shown}% interval (levels are in percent); for {wanted}% pass {wanted}"
    return f"levels {shown} mean intervals of {shown} percent; for {wanted} percent pass {wanted}"


_LEVELS_CHECKED: ContextVar[bool] = ContextVar("numseries_levels_checked", default=False)


@contextlib.contextmanager
def levels_checked() -> Iterator[None]:
    """Within: the levels were checked (and warned about) once at the public call, so the calls it makes
    (``predict_batch`` per chunk, ``forecast_batch``) check them again without warning again."""
    token = _LEVELS_CHECKED.set(True)
    try:
        yield
    finally:
        _LEVELS_CHECKED.reset(token)


def _warn_fractions(levels: Sequence[float]) -> None:
    note = fraction_note(levels)
    if note is None:
        return
    warn_caller(note)


def _one_number(value: object) -> bool:
    """A single real number: Python's, NumPy's (a 0-d array too), a Fraction or a Decimal."""
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, (numbers.Real, Decimal))


def level_name(level: float) -> str:
    """``80.0`` -> ``"80"``, ``97.5`` -> ``"97.5"``: the suffix of statsforecast's ``-lo-80`` columns, and the key
    of a level's interval. Whole levels as integers; others as Python writes them (``str``, as statsforecast
    names its own models' columns: 100/3 is ``33.333333333333336``), so that two levels are never named alike."""
    level = float(level)
    return str(int(level)) if level.is_integer() else repr(level)


def column_level(given: Any, checked: float) -> float:
    """A level as a DataFrame's and statsforecast's columns name it, ``f"lo-{level}"`` (statsforecast's own
    models name theirs by the level as the caller gave it): an integer stays an integer (95: ``lo-95``), any
    other number is its float (95.0: ``lo-95.0``, as AutoETS's column for ``level=[95.0]``). ``checked``: its
    value, from :func:`check_levels`."""
    whole = isinstance(given, (int, np.integer)) and not isinstance(given, (bool, np.bool_))
    return int(given) if whole else checked


def quantiles_at(quantiles: np.ndarray, grid: Sequence[float], taus: np.ndarray) -> np.ndarray:
    """(N, Q) quantiles at levels ``grid`` -> (N, M) quantiles at levels ``taus`` (within the grid),
    by linear interpolation of each row's quantile function."""
    grid_array = np.asarray(grid)
    taus = np.round(np.asarray(taus, dtype=np.float64), 12)  # 0.5 - 0.4 lands on the 0.1 level exactly
    index = np.clip(np.searchsorted(grid_array, taus, side="right") - 1, 0, len(grid_array) - 2)  # (M,)
    weight = (taus - grid_array[index]) / (grid_array[index + 1] - grid_array[index])  # (M,)
    lower, upper = quantiles[:, index], quantiles[:, index + 1]  # (N, M) each
    with np.errstate(over="ignore", invalid="ignore"):  # a gap past the float range: inf, or inf * 0 = NaN
        out = lower + (upper - lower) * weight  # exact where the two are equal
    past = ~np.isfinite(out) & np.isfinite(lower) & np.isfinite(upper)
    if past.any():  # two quantiles near -1.8e308 and 1.8e308: the weighted mean, which cannot overflow
        out[past] = (lower * (1 - weight) + upper * weight)[past]
    return out


def intervals(quantiles: np.ndarray, grid: Sequence[float], levels: Sequence[float]) -> dict[float, np.ndarray]:
    """(N, Q) quantiles -> ``{level: (N, 2) [lo, hi]}`` for each level in percent."""
    out = {}
    for level in levels:
        half = level / 200
        out[level] = quantiles_at(quantiles, grid, np.array([0.5 - half, 0.5 + half]))
    return out


def recorded_intervals(
    quantiles: np.ndarray, grid: Sequence[float], levels: Sequence[float], decimals: np.ndarray
) -> dict[float, np.ndarray]:
    """:func:`intervals` of (N, Q) quantiles rounded to each row's (N,) recorded ``decimals``
    (:func:`round_to_recording`): a level between the grid's is interpolated and rounded again, so that every
    bound is a value as recorded (at the grid's levels, the quantiles themselves)."""
    out = intervals(quantiles, grid, levels)
    middle = quantiles[:, len(grid) // 2 : len(grid) // 2 + 1]  # (N, 1) the median, which each bound stays beyond
    for level, bounds in out.items():
        out[level] = round_to_recording(np.concatenate([bounds[:, :1], middle, bounds[:, 1:]], axis=1), decimals)[:, ::2]
    return out


def floored_at_zero(
    quantiles: np.ndarray, predictions: np.ndarray, values: np.ndarray, lengths: np.ndarray, decimals: np.ndarray
) -> np.ndarray:
    """(N, Q) quantiles of the next values of (N, T) windows (each row's first ``lengths`` count, recorded to
    (N,) ``decimals``), (N,) the point predictions -> the quantiles, none below 0 in the rows whose values cannot
    go below 0 as far as they show (:func:`never_below_zero`) and whose prediction is not below 0 itself (it stays
    inside its interval)."""
    if not (quantiles < 0).any():  # none below 0 (most): nothing to floor
        return quantiles
    rows = never_below_zero(values, lengths, decimals) & ~(predictions < 0)  # (N,)
    return np.where(rows[:, None], np.maximum(quantiles, 0.0), quantiles)


def back_up_from_zero(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, T) values (each row's first ``lengths`` count) -> (N,) bool: a value above 0 after a 0 (a floor shown)."""
    inside = np.arange(values.shape[1])[None, :] < np.asarray(lengths)[:, None]  # (N, T)
    width = values.shape[1]
    with np.errstate(invalid="ignore"):
        zero, positive = inside & (values == 0), inside & (values > 0)  # (N, T) each
    first_zero = np.where(zero.any(axis=1), zero.argmax(axis=1), width)  # (N,)
    last_positive = np.where(positive.any(axis=1), width - 1 - positive[:, ::-1].argmax(axis=1), -1)  # (N,)
    return first_zero < last_positive


def never_below_zero(values: np.ndarray, lengths: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """(N, T) values (each row's first ``lengths`` count), (N,) their recorded decimals -> (N,) bool: none below
    0, and whole numbers below 2**53 (counts: ``decimals`` 0; every float from 2**53 up is whole, so 1e300 2e300
    is no count, adversarial round 58) or back up from a 0 they reached (a floor, not a crossing)."""
    inside = np.arange(values.shape[1])[None, :] < np.asarray(lengths)[:, None]  # (N, T)
    width = values.shape[1]
    if not width:  # no values (an empty batch)
        return np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        below = (inside & (values < 0)).any(axis=1)  # (N,)
    counts = (np.asarray(decimals) == 0) & (np.where(inside, np.abs(values), 0.0).max(axis=1) < 2.0**53)  # (N,)
    return ~below & (counts | back_up_from_zero(values, lengths))


def recorded_decimals(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, T) values (each row's first ``lengths`` count), (N,) lengths -> (N,) the fewest decimals
    ``k`` in 0 … RECORDED_DECIMALS with every value a whole multiple of ``10**-k`` (to float64 rounding;
    tens and hundreds read as 0), -1 for a row that has none (float data) or is all zeros."""
    lengths = np.asarray(lengths)
    inside = np.arange(values.shape[1])[None, :] < lengths[:, None]  # (N, T)
    x = np.where(inside, values, 0.0)  # (N, T)
    largest = np.abs(x).max(axis=1, initial=0.0)  # (N,)
    with np.errstate(over="ignore", invalid="ignore"):
        steps = np.where(inside[:, 1:], np.abs(np.diff(x, axis=1)), 0.0).max(axis=1, initial=0.0)  # (N,) the largest
    if len(x) <= _FEW_ROWS:  # every step at once: the fewest calls, for a single series
        hit = whole_multiples(x[:, None, :], largest[:, None], np.arange(RECORDED_DECIMALS + 1)[None, :], steps[:, None])  # (N, D)
        return _discernible(np.where(hit[:, -1] & (largest > 0), hit.argmax(axis=1), -1), largest)  # the coarsest step
    decimals = np.full(len(x), -1)
    # The finest step first, on each row's last value and then on all of them: a row that is no multiple of
    # it is a multiple of none (most float data, dropped by its last value).
    last = x[np.arange(len(x)), np.maximum(lengths - 1, 0), None]  # (N, 1)
    rows = np.flatnonzero(whole_multiples(last, largest, RECORDED_DECIMALS) & (largest > 0))
    rows = rows[whole_multiples(x[rows], largest[rows], RECORDED_DECIMALS, steps[rows])]
    for k in range(RECORDED_DECIMALS):  # coarsest first, each step on the rows no coarser one held
        hit = whole_multiples(x[rows], largest[rows], k, steps[rows])
        decimals[rows[hit]] = k
        rows = rows[~hit]
    decimals[rows] = RECORDED_DECIMALS
    return _discernible(decimals, largest)


def recorded_to(values: np.ndarray, decimals: int) -> bool:
    """Whether one series' (T,) values are whole multiples of ``10**-decimals`` (decimals >= 1), as
    :func:`recorded_decimals` reads them: to float64 rounding, and discernibly so (not all zeros)."""
    largest = np.abs(values).max(initial=0.0, keepdims=True)  # (1,)
    with np.errstate(over="ignore", invalid="ignore"):
        steps = np.abs(np.diff(values)).max(initial=0.0, keepdims=True)  # (1,)
    if not largest[0] > 0 or not whole_multiples(values[None], largest, decimals, steps)[0]:
        return False
    return bool(_discernible(np.array([decimals]), largest)[0] == decimals)


def _discernible(decimals: np.ndarray, largest: np.ndarray) -> np.ndarray:
    """(N,) recorded decimals, -1 where the float rounding of a row's values at them nears a unit (values of
    14 or more significant digits there): any value is then within it of a multiple, and the decimals cannot be
    told (123456789.12345679 is no value 'to 6 decimals'; 1e15 + 0.5 none 'to 1 decimal')."""
    return np.where((decimals > 0) & (_product_rounding(largest, 10.0 ** np.maximum(decimals, 0)) >= 0.05), -1, decimals)


def whole_multiples(
    x: np.ndarray, largest: np.ndarray, decimals: int | np.ndarray, steps: np.ndarray | None = None
) -> np.ndarray:
    """(..., T) values, (...) their rows' largest size, decimals (a number or broadcasting to (...)) ->
    (...) whether every value is a whole multiple of 10**-decimals, to float64 rounding (a tiny nonzero
    value is no multiple of 1 for being within rounding of 0); with ``steps`` (...), each row's largest step,
    and that step half a unit or more, or within the rounding (no move)."""
    power = 10.0 ** np.asarray(decimals, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # beyond 1.8e308 / power the product is inf: not whole
        scaled = x * power[..., None]
        nearest = np.rint(scaled)
        # the float rounding of a typed value times the power: at most an ulp of each, 2 allowed (adversarial
        # round 58: 18 of them, at 1e12, let values to 3 decimals pass as multiples of 0.1, their interval 0.1 wide)
        tolerance = 1e-6 + np.where(power == 1, 0.0, _TYPED_ROUNDING * largest * power)  # none in a product by 1
        close = np.abs(scaled - nearest) <= tolerance[..., None]
        whole = (close & ((nearest != 0) | (x == 0))).all(axis=-1)
        if steps is not None:  # and moving by half a unit somewhere, where they move beyond its rounding: values
            # a few ulps apart (1e10 + 2e-6, 1e10 + 4e-6, ...) are within the tolerance of one multiple, not
            # recorded to it (round 58); a count's 1 beside 0.1 * 10 (1.0000000000000002) still is (round 59)
            moved = np.asarray(steps) * power
            whole &= (moved >= 0.5) | (moved <= tolerance)
    return whole


_TYPED_ROUNDING = 4.4e-16  # 2 ulps: a typed decimal's float64 error, and that of its product by a power of 10


def _product_rounding(largest: np.ndarray, power: np.ndarray) -> np.ndarray:
    """The float64 rounding of values up to ``largest`` in size multiplied by ``power`` (about 18 ulps)."""
    return 4e-15 * largest * power


def round_to_recording(quantiles: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """(N, Q) quantiles (the median in the middle), (N,) recorded decimals -> (N, Q) the quantiles of the
    value as recorded: each rounded to its row's decimals, those below the median no higher than the recorded
    value at or below it and those above no lower than the one at or above it (the median stays the point
    prediction, inside its bounds, and the bounds stay recorded values: 4 to 5 around 4.36, not 4 to 4.36).
    Rows without decimals and zero-width rows (an exact continuation: its value is recorded as it is) stay
    as they are."""
    out = quantiles.copy()
    rows = np.flatnonzero((decimals >= 0) & (quantiles[:, -1] > quantiles[:, 0]))
    if not len(rows):
        return out
    power = 10.0 ** decimals[rows, None]  # (n, 1)
    rounded = np.rint(quantiles[rows] * power) / power + 0.0  # (n, Q) the floats nearest the decimals, no -0
    middle = quantiles.shape[1] // 2
    median = quantiles[rows, middle : middle + 1]  # (n, 1)
    scaled = median * power  # (n, 1): a median that is a recorded value (0.57) may be 56.99999999999999 units
    on = np.abs(scaled - np.rint(scaled)) <= 1e-6  # a recorded value, to float rounding: its bounds round to it
    floor = np.where(on, np.rint(scaled), np.floor(scaled)) / power + 0.0  # (n, 1)
    ceil = np.where(on, np.rint(scaled), np.ceil(scaled)) / power + 0.0  # (n, 1)
    out[rows, :middle] = np.minimum(rounded[:, :middle], np.where(floor <= median, floor, median))
    out[rows, middle + 1 :] = np.maximum(rounded[:, middle + 1 :], np.where(ceil >= median, ceil, median))
    return out


LINE_ULPS = 16  # a band this many ulps of a line's last value wide is as narrow as float64 tells: zero width


def widen_lines(
    quantiles: np.ndarray,
    grid: Sequence[float],
    last: np.ndarray,
    read: np.ndarray | None = None,
    previous: np.ndarray | None = None,
) -> np.ndarray:
    """(N, Q) quantiles (the median in the middle), (N,) the last value of each context -> the same, with the
    rows of zero width (to ``LINE_ULPS`` of ``last``) one step on from ``last`` (a straight line's continuation: the step is the median's
    distance from ``last``), and those of contexts read from 3 values (``read`` (N,): ``1 2 3.00001`` is as
    much a line as ``1 2 3``), reaching at least ``LINE_STEPS`` of that step from the median, by each pair's
    coverage (interpolated in ``LINE_COVERAGES``, from 0 at coverage 0; the widest beyond 0.99). Where the
    median is ``last`` itself, the step is the context's own last step, from the (N,) value ``previous`` to
    it: past 2**53 a line's next value may be no float (9007199254740993 rounds to its last value)."""
    middle = len(grid) // 2
    median = quantiles[:, middle]  # (N,)
    with np.errstate(over="ignore", invalid="ignore"):
        step = np.abs(median - last)  # (N,)
        if previous is not None:
            step = np.where(step == 0, np.abs(last - previous), step)
        # zero width, or a few ulps of the values (round 58: 1e10 + 0.1 t, steps float64 holds 1 ulp unequal,
        # got a band of an ulp or two, which the recorded decimals rounded to one value)
        flat = quantiles[:, -1] - quantiles[:, 0] <= 1e-9 * step + LINE_ULPS * np.spacing(np.abs(last))
        if read is not None:
            flat |= np.asarray(read) <= 3
        flat &= (step > 0) & np.isfinite(step)
    rows = np.flatnonzero(flat)
    if not len(rows):
        return quantiles
    coverage = 1 - 2 * np.asarray(grid[:middle], dtype=np.float64)  # (P,) outermost first
    reach = np.interp(coverage, (0.0, *LINE_COVERAGES), (0.0, *LINE_STEPS))  # (P,) in steps
    centre = median[rows, None]  # (n, 1)
    out = quantiles.copy()
    with np.errstate(over="ignore"):  # a step near the float range reaches past it: clipped by the caller
        half = reach[None, :] * step[rows, None]  # (n, P)
        low, high = centre - half, centre + half[:, ::-1]
        # where float64 rounds a bound towards the centre (992 + 1 is 992 past 2**53), the next float out
        low = np.where(centre - low < half, np.nextafter(low, -np.inf), low)
        high = np.where(high - centre < half[:, ::-1], np.nextafter(high, np.inf), high)
        out[rows, :middle] = np.minimum(quantiles[rows, :middle], low)
        out[rows, middle + 1 :] = np.maximum(quantiles[rows, middle + 1 :], high)
    return out


CURVE_STEPS = 7  # a saturating curve's last step sizes that tell its noise (curve_noise)


def curve_noise(values: np.ndarray) -> float:
    """The noise a saturating curve's smooth steps hide, from its last ``CURVE_STEPS`` step sizes (at least 4):
    the spread of their logarithms about a straight line (a steady ratio), a share of the last step, as values'
    own noise (a step's is sqrt(2) of theirs). 0 where the steps shrink by one ratio exactly."""
    sizes = np.abs(np.diff(np.asarray(values, dtype=np.float64)))[-CURVE_STEPS:]
    if len(sizes) < 4 or not (sizes > 0).all() or not np.isfinite(sizes).all():
        return 0.0
    logs = np.log(sizes)
    at = np.arange(len(logs)) - (len(logs) - 1) / 2
    slope = float(at @ (logs - logs.mean()) / (at @ at))
    left = logs - logs.mean() - slope * at  # (M,)
    return float(sizes[-1] * math.sqrt((left @ left) / (len(logs) - 2)) / math.sqrt(2))


def t_quantiles(levels: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Student's t quantiles at ``levels`` (fractions in (0, 1)) with ``df`` degrees of freedom (3 or more),
    broadcast: the Cornish-Fisher expansion of the normal quantile z in 1 / df (Abramowitz and Stegun 26.7.5),
    within 2e-3 of the exact quantile at 6 degrees of freedom and 0.995, closer with more; at 3, within 0.1% up to
    0.975 and 0.8% at 0.995 (5.795 for 5.841). (A line fitted to 8
    values leaves 6: its 95% interval with normal quantiles held 90% of new values; round 64.)"""
    z = np.vectorize(NormalDist().inv_cdf)(np.asarray(levels, dtype=np.float64))
    v = np.asarray(df, dtype=np.float64)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def widened_by_noise(
    quantiles: np.ndarray, grid: Sequence[float], spread: np.ndarray, centre: np.ndarray
) -> np.ndarray:
    """(N, Q) quantiles at the levels ``grid``, each reaching from the (N,) ``centre`` (the prediction) at least
    the (N,) ``spread`` times the normal quantile of its level (no narrower than a normal spread's)."""
    z = np.array([NormalDist().inv_cdf(level) for level in grid])  # (Q,) < 0 below the median
    with np.errstate(over="ignore", invalid="ignore"):
        floor = centre[:, None] + spread[:, None] * z[None, :]  # (N, Q)
    return np.where(z < 0, np.minimum(quantiles, floor), np.maximum(quantiles, floor))


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
    # (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, len(grid) // 2), each >= 1: steps
    # 2 .. HORIZONS of :func:`path_bands`; None: not measured, the raw bands (in REACH_NORMS) are used
    horizons: np.ndarray | None = None
    horizon_cases: int = 0
    reach_norms: tuple[float, ...] = REACH_NORMS  # per length bucket, the p-norms ``horizons`` were measured in
    # The families a classifier names (Predictor.pattern_names) and, per family, length bucket, step 2 ..
    # HORIZONS and pair, the factor (>= 1) by which the bands of contexts it names so widen beyond
    # ``horizons``' (:func:`calibrate_family_horizons`); () and None: not measured, ``horizons`` alone.
    families: tuple[str, ...] = ()
    family_factors: np.ndarray | None = None  # (len(families), len(LENGTH_BUCKETS), HORIZONS - 1, P)
    path_families: tuple[str, ...] = ()  # the generator families of the paths ``horizons`` were measured on
    # Per family and length bucket, the one-step factors (each at least ``factors``') of the contexts named
    # that family, in place of ``factors`` (:func:`calibrate_families`); None: not measured.
    family_one_step: np.ndarray | None = None  # (len(families), len(LENGTH_BUCKETS), P)
    # The sha256 of the model.safetensors it was measured on (None: not recorded, files written before it):
    # weights copied over the folder since are not those (numseries.predict refuses the pair).
    weights_sha256: str | None = None

    def pooled(self) -> Calibration:
        """The same calibration without factors per named family: the pooled factors alone."""
        return dataclasses.replace(self, families=(), family_factors=None, family_one_step=None)

    @property
    def by_family(self) -> bool:
        """Whether some factors are per named family (one-step or multi-step)."""
        return self.family_factors is not None or self.family_one_step is not None

    def named(self, probabilities: np.ndarray | None, names: Sequence[str]) -> np.ndarray | None:
        """(N, F) a classifier's probabilities over the families ``names`` -> (N,) the index into
        ``families`` of the family each row is named (:func:`named_families`; -1 where none is, or this
        calibration has no factors for it), or None without probabilities or factors per family."""
        if probabilities is None or not self.by_family:
            return None
        where = {name: i for i, name in enumerate(self.families)}
        lookup = np.array([where.get(name, -1) for name in names] + [-1], dtype=np.int64)  # (F + 1,): -1 stays -1
        return lookup[named_families(probabilities)]

    def apply(self, quantiles: np.ndarray, lengths: np.ndarray, families: np.ndarray | None = None) -> np.ndarray:
        """(N, Q) raw quantiles, (N,) context lengths -> (N, Q) calibrated quantiles, still increasing. With
        ``families`` (N,) (:meth:`named`), the rows named a family take its factors (``family_one_step``)."""
        pairs = len(self.grid) // 2
        buckets = _bucket(np.asarray(lengths))
        c = self.factors[buckets]  # (N, P)
        if families is not None and self.family_one_step is not None:
            families = np.asarray(families)
            rows = np.flatnonzero(families >= 0)
            c[rows] = self.family_one_step[families[rows], buckets[rows]]
        lo, hi = quantiles[:, :pairs], quantiles[:, ::-1][:, :pairs]  # (N, P) each, outermost first
        with np.errstate(over="ignore", invalid="ignore"):
            width = hi - lo
            # a width past the float range (quantiles of -1e308 and 1e308) is inf, and narrowing by it gave
            # +inf below and -inf above, which the ordering below spread over every level: halves there
            past = np.isinf(width) & np.isfinite(lo) & np.isfinite(hi)
            half = np.where(past, hi / 2 - lo / 2, 0.0)
            out = quantiles.copy()
            out[:, :pairs] = np.where(past, 2 * (lo / 2 - c * half), lo - c * width)
            out[:, ::-1][:, :pairs] = np.where(past, 2 * (hi / 2 + c * half), hi + c * width)
        # Widening pairs by different factors could cross them: keep the quantile function increasing,
        # working outwards from the median on both sides.
        middle = len(self.grid) // 2
        out[:, middle:] = np.maximum.accumulate(out[:, middle:], axis=1)
        out[:, : middle + 1] = np.minimum.accumulate(out[:, middle::-1], axis=1)[:, ::-1]
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "grid": list(self.grid),
            "length_buckets": [list(bucket) for bucket in LENGTH_BUCKETS],
            "factors": np.round(self.factors, 6).tolist(),
            "cases": self.cases,
        }
        if self.weights_sha256 is not None:
            out["weights_sha256"] = self.weights_sha256
        if self.family_one_step is not None:
            out["families"] = {"names": list(self.families), "factors": np.round(self.family_one_step, 6).tolist()}
        if self.horizons is not None:
            out["horizons"] = {
                "factors": np.round(self.horizons, 6).tolist(),
                "cases": self.horizon_cases,
                "reach_norms": list(self.reach_norms),
            }
            if self.path_families:
                out["horizons"]["path_families"] = list(self.path_families)
            if self.family_factors is not None:
                out["horizons"]["families"] = {
                    "names": list(self.families),
                    "factors": np.round(self.family_factors, 6).tolist(),
                }
        return out

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        path = Path(path)
        try:
            values = json.loads(path.read_text())
            grid = tuple(float(q) for q in values["grid"])
            factors = np.asarray(values["factors"], dtype=np.float64)
            cases = int(values["cases"])
            horizons = values.get("horizons")  # absent in files written before multi-step calibration
            steps = None if horizons is None else np.asarray(horizons["factors"], dtype=np.float64)
            horizon_cases = 0 if horizons is None else int(horizons["cases"])
            plain = (1.0,) * len(LENGTH_BUCKETS)  # files written before the norms: plain sums
            norms = tuple(float(p) for p in (horizons or {}).get("reach_norms", plain))
            path_families = tuple(str(name) for name in (horizons or {}).get("path_families", ()))  # not in older files
            by_family = (horizons or {}).get("families")  # absent in files written before family factors
            families = () if by_family is None else tuple(str(name) for name in by_family["names"])
            family_factors = None if by_family is None else np.asarray(by_family["factors"], dtype=np.float64)
            one_step = values.get("families")  # absent in files written before one-step factors per family
            one_step_names = None if one_step is None else tuple(str(name) for name in one_step["names"])
            family_one_step = None if one_step is None else np.asarray(one_step["factors"], dtype=np.float64)
            digest = values.get("weights_sha256")  # absent in files written before it was recorded
            if digest is not None and not isinstance(digest, str):
                raise TypeError(f"weights_sha256 is {digest!r}, not a digest")
        except RecursionError:  # nested too deeply for Python's JSON parser
            raise ValueError(f"cannot read calibration {path}: it is nested too deeply; re-run the calibration") from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ValueError(f"cannot read calibration {path}: {err}; re-run the calibration") from err
        if factors.shape != (len(LENGTH_BUCKETS), len(grid) // 2):
            raise ValueError(f"calibration {path} has factors of shape {factors.shape}; re-run the calibration")
        for name, table in (("factors", factors), ("one-step family factors", family_one_step)):
            # a pair of quantiles widened by c keeps (1 + 2c) of its width: c <= -0.5 crosses the median
            bad = None if table is None else table[~((table > -0.5) & (table <= MAX_FACTOR))]  # NaN: not inside
            if bad is not None and bad.size:
                raise ValueError(
                    f"calibration {path} has {name} outside (-0.5, {MAX_FACTOR:g}], e.g. {bad[0]}: its intervals "
                    "would cross their medians or reach past any data; re-run the calibration"
                )
        shape = (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1, HORIZONS - 1, len(grid) // 2)
        if steps is not None and (steps.shape != shape or not ((steps >= 1) & (steps <= MAX_FACTOR)).all()):
            raise ValueError(f"calibration {path} has horizon factors of shape {steps.shape}; re-run the calibration")
        if len(norms) != len(LENGTH_BUCKETS) or not all(1 <= p <= 2 for p in norms):
            raise ValueError(
                f"calibration {path} has reach norms {list(norms)}, not one p in [1, 2] per length bucket; "
                "re-run the calibration"
            )
        shape = (len(families), len(LENGTH_BUCKETS), HORIZONS - 1, len(grid) // 2)
        if family_factors is not None and (
            steps is None
            or family_factors.shape != shape
            or not ((family_factors >= 1) & (family_factors <= MAX_FACTOR)).all()
        ):
            raise ValueError(
                f"calibration {path} has family horizon factors of shape {family_factors.shape} for "
                f"{len(families)} families; re-run the calibration"
            )
        if one_step_names is not None and by_family is not None and one_step_names != families:
            raise ValueError(
                f"calibration {path} names the families {list(one_step_names)} for one step and {list(families)} "
                "for several; re-run the calibration"
            )
        families = one_step_names if one_step_names is not None else families
        if family_one_step is not None and (
            family_one_step.shape != (len(families), len(LENGTH_BUCKETS), len(grid) // 2)
            or not np.isfinite(family_one_step).all()
            or (family_one_step < factors[None] - 1e-6).any()
        ):
            raise ValueError(
                f"calibration {path} has one-step family factors of shape {family_one_step.shape} for "
                f"{len(families)} families; re-run the calibration"
            )
        return cls(
            grid, factors, cases, steps, horizon_cases, norms, families, family_factors, path_families, family_one_step,
            digest,
        )  # fmt: skip


def calibrate(
    quantiles: np.ndarray, targets: np.ndarray, lengths: np.ndarray, grid: Sequence[float]
) -> Calibration:
    """Widening factors that make each symmetric pair of levels cover its nominal share of held-out cases.

    ``quantiles`` (N, Q) raw, ``targets`` (N,) true next values, ``lengths`` (N,) context lengths.
    The score of a case is how far outside its interval the target falls, in interval widths
    (negative inside); the factor is the score's conformal quantile at the pair's level. Cases whose
    interval has zero width (exact progressions) carry no information on widths and are skipped; with
    fewer than 50 informative cases a factor is 0 (the raw interval).
    """
    factors = _conformal_factors(quantiles, targets, _bucket(np.asarray(lengths)), tuple(grid), 50)
    return Calibration(tuple(grid), np.nan_to_num(factors, nan=0.0), int(len(targets)))


def calibrate_families(
    quantiles: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    families: np.ndarray,
    n_families: int,
    pooled: Calibration,
) -> np.ndarray:
    """Per named family, the one-step factors of the contexts named it: (n_families, len(LENGTH_BUCKETS), P).

    The arguments as :func:`calibrate`'s, and ``families`` (N,) the family a classifier names for each case
    (an index below ``n_families``; -1 for none), ``pooled`` the calibration of all the cases. Within the
    cases named each family (conditioning on what is known at prediction time, so the guarantee holds per
    name), the factors are measured as :func:`calibrate` measures them, but never below the pooled ones: a
    series of a family the calibration never saw can be named one it did (a chirp named a sine wave), and
    narrower intervals would fail it. ``pooled``'s where fewer than ``FAMILY_MIN_CASES`` cases inform them.
    """
    buckets = _bucket(np.asarray(lengths))
    out = np.repeat(pooled.factors[None], n_families, axis=0)  # (F, B, P)
    for f in range(n_families):
        rows = np.asarray(families) == f
        own = _conformal_factors(quantiles[rows], targets[rows], buckets[rows], pooled.grid, FAMILY_MIN_CASES)
        out[f] = np.fmax(own, pooled.factors)  # NaN (too few cases): the pooled factor
    return out


def _conformal_factors(
    quantiles: np.ndarray, targets: np.ndarray, buckets: np.ndarray, grid: tuple[float, ...], least: int
) -> np.ndarray:
    """(N, Q) raw quantiles, (N,) targets and length buckets -> (len(LENGTH_BUCKETS), P) per bucket and pair
    of levels, the conformal quantile of the widening scores (see :func:`calibrate`); NaN where fewer than
    ``least`` cases have an interval of some width."""
    pairs = len(grid) // 2
    factors = np.full((len(LENGTH_BUCKETS), pairs), np.nan)
    for b in range(len(LENGTH_BUCKETS)):
        rows = buckets == b
        for p in range(pairs):
            lo, hi = quantiles[rows, p], quantiles[rows, -1 - p]
            width = hi - lo
            informative = width > 0
            if informative.sum() < least:  # too few cases to say anything
                continue
            y = targets[rows][informative]
            score = np.maximum(lo[informative] - y, y - hi[informative]) / width[informative]
            coverage = grid[-1 - p] - grid[p]
            n = len(score)
            rank = min(1.0, coverage * (n + 1) / n)  # the finite-sample conformal quantile
            factors[b, p] = max(float(np.quantile(score, rank, method="higher")), -0.49)  # never inverts
    return factors


def path_half_widths(
    values: np.ndarray, quantiles: np.ndarray, grid: Sequence[float], level: float, norms: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """How far below and above the point path the raw band at ``level`` reaches at each step.

    ``values`` (N, K) point path, ``quantiles`` (N, K, Q) the one-step quantiles the model gave at
    each step of it, ``norms`` (N,) each row's p >= 1 -> (below (N, K), above (N, K)): the p-norms, up to
    each step, of the one-step interval's reaches below and above that step's point prediction (p = 1:
    their sums).
    """
    n, steps, q = quantiles.shape
    half = level / 200
    bounds = quantiles_at(quantiles.reshape(n * steps, q), grid, np.array([0.5 - half, 0.5 + half]))
    bounds = bounds.reshape(n, steps, 2)
    normed = np.flatnonzero(np.asarray(norms) != 1)  # rows whose reaches add up in a p-norm, not plainly
    p = np.asarray(norms, dtype=np.float64)[normed, None]  # (M, 1)
    reaches = []
    for reach in (np.maximum(values - bounds[..., 0], 0.0), np.maximum(bounds[..., 1] - values, 0.0)):
        total = np.cumsum(reach, axis=1)  # (N, K) p = 1
        if normed.size:  # summed as logarithms, so that powers neither overflow nor vanish: divided by the largest
            # reach, the early ones of a path that grows to 1e261 far ahead went to 0, and so did their bands
            with np.errstate(divide="ignore"):  # a reach of 0: log -inf, adding nothing
                logs = p * np.log(reach[normed])  # (M, K)
            total[normed] = np.exp(np.logaddexp.accumulate(logs, axis=1) / p)
        reaches.append(total)
    return reaches[0], reaches[1]


def _pair_coverages(grid: Sequence[float]) -> np.ndarray:
    """(P,) the nominal coverage of each symmetric pair of levels, outermost (widest) first."""
    return np.array([grid[-1 - p] - grid[p] for p in range(len(grid) // 2)])


def relative_spread(quantiles: np.ndarray, grid: Sequence[float], scale: np.ndarray) -> np.ndarray:
    """(N, Q) one-step quantiles, (N,) the contexts' mean absolute steps -> (N,) the 80% interval's width
    in mean steps (0 for a zero-width interval; inf for a constant context with a non-zero width)."""
    bounds = quantiles_at(quantiles, grid, np.array([0.1, 0.9]))  # (N, 2)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # near the float limits: inf
        width = bounds[:, 1] - bounds[:, 0]
        return np.where(width > 0, width / np.asarray(scale, dtype=np.float64), 0.0)


def _spread_bucket(spread: np.ndarray) -> np.ndarray:
    """(N,) relative spreads -> (N,) index of their bucket (SPREAD_EDGES)."""
    return np.searchsorted(np.array(SPREAD_EDGES), np.nan_to_num(spread, nan=0.0), side="right")


def _at_level(table: np.ndarray, grid: Sequence[float], level: float) -> np.ndarray:
    """(..., P) factors per pair of levels (outermost first) -> (...) at ``level`` percent: between two
    calibrated pairs, interpolated in their coverage; beyond them, the nearest pair's."""
    coverages = _pair_coverages(grid)[::-1]  # increasing
    table = table[..., ::-1]  # pairs narrowest first
    if len(coverages) == 1:
        return table[..., 0]
    c = float(np.clip(level / 100, coverages[0], coverages[-1]))
    i = min(int(np.searchsorted(coverages, c, side="right")) - 1, len(coverages) - 2)
    w = (c - coverages[i]) / (coverages[i + 1] - coverages[i])
    return table[..., i] * (1 - w) + table[..., i + 1] * w


def _horizon_factors(
    calibration: Calibration | None,
    lengths: np.ndarray,
    spread: np.ndarray,
    steps: int,
    level: float,
    families: np.ndarray | None = None,
) -> np.ndarray:
    """(N, K) factors of steps 1..K at ``level`` for contexts of ``lengths`` and one-step ``spread``
    (1 where not measured); with ``families`` (N,) (index into ``calibration.families``, -1 for none),
    times the factors of each named family."""
    factors = np.ones((len(lengths), steps))
    if calibration is None or calibration.horizons is None or steps < 2:
        return factors
    buckets = _bucket(np.asarray(lengths))
    k = _at_level(calibration.horizons, calibration.grid, level)[buckets, _spread_bucket(spread)]  # (N, HORIZONS - 1)
    if families is not None and calibration.family_factors is not None:
        families = np.asarray(families)
        named = np.flatnonzero(families >= 0)
        by_family = _at_level(calibration.family_factors, calibration.grid, level)  # (F, B, HORIZONS - 1)
        k[named] = k[named] * by_family[families[named], buckets[named]]
    later = np.minimum(np.arange(steps - 1), HORIZONS - 2)  # steps past HORIZONS keep the last factor
    factors[:, 1:] = k[:, later]
    return factors


def path_bands(
    values: np.ndarray,
    quantiles: np.ndarray,
    lengths: np.ndarray,
    scale: np.ndarray,
    grid: Sequence[float],
    levels: Sequence[float],
    calibration: Calibration | None,
    extents: np.ndarray | None = None,
    families: np.ndarray | None = None,
    range_lengths: np.ndarray | None = None,
) -> dict[float, np.ndarray]:
    """Bands of multi-step point paths: ``{level: (N, K, 2) [lo, hi]}``.

    ``values`` (N, K) point paths, ``quantiles`` (N, K, Q) the (calibrated) one-step quantiles the
    model gave at each step, ``lengths`` (N,) the context lengths and ``scale`` (N,) their mean absolute
    steps. Step 1's band is the model's own
    interval; step ``h``'s reaches below and above the path by :func:`path_half_widths` (in the norms the
    horizon factors were measured with; without them, ``REACH_NORMS``) times the calibrated factor of step
    ``h`` (with ``families`` (N,), the index into ``calibration.families`` of the family each context is
    named, -1 for none: times that family's factor), and with ``extents`` (N, 2) (each context's smallest and
    largest value), no further from the path than :func:`range_reach` allows (for contexts of
    ``range_lengths`` (N,) values, by default ``lengths``: a path read again from a window's last values keeps
    the whole window's cap), plus as far as the path has left the context's range at that step: a series
    forecast to stay within its range rarely leaves it by more, but one forecast to leave it (a growth) has
    no such bound. Wider levels never give narrower bands.
    """
    bands: dict[float, np.ndarray] = {}
    previous = None
    spread = relative_spread(quantiles[:, 0], grid, scale)
    measured = calibration.reach_norms if calibration is not None and calibration.horizons is not None else None
    norms = np.asarray(measured or REACH_NORMS)[_bucket(np.asarray(lengths))]  # (N,) the factors' own norms
    for level in sorted(levels):
        with np.errstate(over="ignore"):  # a reach past the float range ends at its largest float, below
            below, above = path_half_widths(values, quantiles, grid, level, norms)
            k = _horizon_factors(calibration, lengths, spread, values.shape[1], level, families)  # (N, K)
            band = np.stack([values - k * below, values + k * above], axis=-1)  # (N, K, 2)
        band = np.clip(band, -LARGEST_FLOAT, LARGEST_FLOAT)
        if extents is not None:  # from step 2: within the context's range of the path
            low, high = extents[:, :1], extents[:, 1:]  # (N, 1) each
            with np.errstate(over="ignore", invalid="ignore"):  # inf for contexts spanning more than the float range
                cap = range_reach(high[:, 0] - low[:, 0], lengths if range_lengths is None else range_lengths, level)
                cap = cap[:, None] + np.maximum(np.maximum(values[:, 1:] - high, low - values[:, 1:]), 0.0)  # (N, K - 1)
            band[:, 1:, 0] = np.maximum(band[:, 1:, 0], values[:, 1:] - cap)
            band[:, 1:, 1] = np.minimum(band[:, 1:, 1], values[:, 1:] + cap)
        band[:, 0] = intervals(quantiles[:, 0], grid, [level])[level]  # step 1: the one-step interval
        if previous is not None:  # nested: at least as wide as the narrower level's band
            band[..., 0] = np.minimum(band[..., 0], previous[..., 0])
            band[..., 1] = np.maximum(band[..., 1], previous[..., 1])
        bands[level] = previous = band
    return {level: bands[level] for level in levels}


def range_reach(ranges: np.ndarray, lengths: np.ndarray, level: float) -> np.ndarray:
    """(N,) context ranges and lengths -> (N,) the most a band at ``level`` percent reaches from its path
    after step 1: ``range × z(level) / z(95)`` from ``RANGE_CAP_FROM`` values, ``1 + RANGE_CAP_LOOSER`` times
    that for each value fewer down to ``RANGE_CAP_SHORT``, inf for shorter contexts."""
    normal = NormalDist()
    z = normal.inv_cdf(0.5 + level / 200) / normal.inv_cdf(0.975)
    lengths = np.asarray(lengths)
    looser = 1.0 + RANGE_CAP_LOOSER * np.maximum(RANGE_CAP_FROM - lengths, 0)  # (N,)
    return np.where(lengths >= RANGE_CAP_SHORT, looser * z * np.asarray(ranges, dtype=np.float64), np.inf)


def named_families(probabilities: np.ndarray, confidence: float = FAMILY_CONFIDENCE) -> np.ndarray:
    """(N, F) a classifier's probabilities -> (N,) the index of each row's likeliest family where it holds
    at least ``confidence``, else -1."""
    top = np.argmax(probabilities, axis=1)
    return np.where(probabilities[np.arange(len(top)), top] >= confidence, top, -1)


def _path_needs(
    values: np.ndarray,
    quantiles: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    grid: Sequence[float],
    reach_norms: Sequence[float],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per symmetric pair of levels (outermost first): (N, K) the factor each path's raw band needs at each
    step to reach its target (a smaller one leaves it out), and (N, K) bool where that band has width."""
    miss_low, miss_high = values - targets, targets - values  # (N, K) how far the target is past the path
    norms = np.asarray(reach_norms, dtype=np.float64)[_bucket(np.asarray(lengths))]  # (N,)
    out = []
    for coverage in _pair_coverages(grid):
        below, above = path_half_widths(values, quantiles, grid, 100 * coverage, norms)
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.maximum(miss_low / below, miss_high / above)
        out.append((need, (below > 0) & (above > 0)))
    return out


def _conformal_steps(
    need: np.ndarray, informative: np.ndarray, groups: np.ndarray, n_groups: int, coverage: float, least: int
) -> np.ndarray:
    """(N, K) needed factors, (N, K) which count, (N,) each path's group -> (n_groups, K - 1): per group
    and step from the second, the needs' finite-sample conformal quantile at ``coverage``, never below 1;
    1 where fewer than ``least`` paths count."""
    out = np.ones((n_groups, need.shape[1] - 1))
    for g in range(n_groups):
        for h in range(1, need.shape[1]):
            score = need[(groups == g) & informative[:, h], h]
            if len(score) < least:
                continue
            rank = min(1.0, coverage * (len(score) + 1) / len(score))
            out[g, h - 1] = max(float(np.quantile(score, rank, method="higher")), 1.0)
    return out


def calibrate_horizons(
    values: np.ndarray,
    quantiles: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    scale: np.ndarray,
    grid: Sequence[float],
    reach_norms: Sequence[float] = REACH_NORMS,
) -> np.ndarray:
    """Factors for :func:`path_bands` from held-out paths: (len(LENGTH_BUCKETS), len(SPREAD_EDGES) + 1,
    HORIZONS - 1, P).

    ``values`` (N, HORIZONS) point paths, ``quantiles`` (N, HORIZONS, Q) the calibrated one-step
    quantiles along them, ``targets`` (N, HORIZONS) what followed, ``lengths`` (N,) context lengths,
    ``scale`` (N,) their mean absolute steps, ``reach_norms`` the p-norm of each length bucket in which
    the raw band adds up the one-step reaches (:func:`path_half_widths`).
    At each step from the second, the score of a case is the factor its raw band needs to reach the
    target; the factor is the score's conformal quantile at the pair's level, but never below 1: the raw
    band is the narrowest a band gets. On generated paths, whose one-step errors partly cancel, the
    quantile can fall below 1; on real series the narrower bands under-covered
    (benchmarks/results/experiments.md).
    Cases whose band has zero width carry no information and are skipped; with fewer than 50
    informative cases a factor stays 1 (the raw band).
    """
    spreads = len(SPREAD_EDGES) + 1
    groups = _bucket(np.asarray(lengths)) * spreads + _spread_bucket(relative_spread(quantiles[:, 0], grid, scale))
    needs = _path_needs(values, quantiles, targets, lengths, grid, reach_norms)
    table = [
        _conformal_steps(need, informative, groups, len(LENGTH_BUCKETS) * spreads, coverage, 50)
        for (need, informative), coverage in zip(needs, _pair_coverages(grid), strict=True)
    ]  # P of (B * S, HORIZONS - 1)
    return np.stack(table, axis=-1).reshape(len(LENGTH_BUCKETS), spreads, HORIZONS - 1, len(table))


def calibrate_family_horizons(
    values: np.ndarray,
    quantiles: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    scale: np.ndarray,
    grid: Sequence[float],
    families: np.ndarray,
    n_families: int,
    horizons: np.ndarray,
    reach_norms: Sequence[float] = REACH_NORMS,
) -> np.ndarray:
    """Per named family, the factors by which its bands widen beyond the pooled ``horizons``
    (:func:`calibrate_horizons`' table on the same paths): (n_families, len(LENGTH_BUCKETS), HORIZONS - 1, P).

    The arguments as :func:`calibrate_horizons`', and ``families`` (N,) the family a classifier names for
    each context (an index below ``n_families``; -1 for none). The pooled factors fit the mixture: the
    paths of a smooth family the network errs on steadily (a logistic curve's) drift from it by more,
    a noisy one's by less. Within the paths named each family (conditioning on what is known at forecast
    time, so the guarantee holds per name), the score is the factor the pooled band needs; the factor is
    its conformal quantile, never below 1 (never narrower than the pooled band, which real series need),
    and 1 with fewer than ``FAMILY_MIN_CASES`` informative paths in the length bucket.
    """
    buckets = _bucket(np.asarray(lengths))
    spread = _spread_bucket(relative_spread(quantiles[:, 0], grid, scale))
    families = np.asarray(families)
    groups = np.where(families >= 0, families * len(LENGTH_BUCKETS) + buckets, -1)
    needs = _path_needs(values, quantiles, targets, lengths, grid, reach_norms)
    table = []
    for p, ((need, informative), coverage) in enumerate(zip(needs, _pair_coverages(grid), strict=True)):
        pooled = np.ones_like(need)
        pooled[:, 1:] = horizons[buckets, spread, :, p][:, : need.shape[1] - 1]
        n_groups = n_families * len(LENGTH_BUCKETS)
        table.append(_conformal_steps(need / pooled, informative, groups, n_groups, coverage, FAMILY_MIN_CASES))
    return np.stack(table, axis=-1).reshape(n_families, len(LENGTH_BUCKETS), HORIZONS - 1, len(table))


def sample_paths(quantiles: np.ndarray, grid: Sequence[float], rng: np.random.Generator, n: int) -> np.ndarray:
    """(N, Q) quantiles -> (N, n) draws from each row's predictive distribution, by inverse transform.

    Between levels the quantile function is linear; draws beyond the outermost levels are held at
    them (the tails beyond ``grid[0]`` and ``grid[-1]`` are not modelled).
    """
    return quantile_draws(quantiles, grid, rng.random(size=(quantiles.shape[0], n)))


def quantile_draws(quantiles: np.ndarray, grid: Sequence[float], uniforms: np.ndarray) -> np.ndarray:
    """(N, Q) quantiles, (N, n) uniform numbers in [0, 1) -> (N, n) the quantile function of each row at them
    (:func:`sample_paths`' draws, from uniforms drawn elsewhere)."""
    u = np.clip(uniforms, grid[0], grid[-1])  # (N, n)
    grid_array = np.asarray(grid)
    index = np.clip(np.searchsorted(grid_array, u, side="right") - 1, 0, len(grid_array) - 2)  # (N, n)
    weight = (u - grid_array[index]) / (grid_array[index + 1] - grid_array[index])
    lower = np.take_along_axis(quantiles, index, axis=1)
    upper = np.take_along_axis(quantiles, index + 1, axis=1)
    return lower + (upper - lower) * weight
