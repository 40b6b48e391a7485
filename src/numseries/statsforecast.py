"""numseries as a statsforecast model: ``StatsForecast(models=[NumSeries(), AutoETS()], freq=1)``.

Needs the ``bench`` extra (statsforecast). :class:`NumSeries` follows statsforecast's model protocol
(``forecast``, ``fit``/``predict``, ``forward``, ``predict_in_sample``, ``new``, ``alias``), so
``StatsForecast.forecast``, ``cross_validation``, its plots and ``utilsforecast.evaluation.evaluate``
take it beside statsforecast's own models, and its fugue backend runs it on Spark::

    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS
    from numseries.statsforecast import NumSeries

    sf = StatsForecast(models=[NumSeries(), AutoETS()], freq=1)
    sf.forecast(df=df, h=4, level=[80])  # columns NumSeries, NumSeries-lo-80, NumSeries-hi-80, AutoETS, ...

There is nothing to fit: each forecast is :meth:`numseries.Predictor.forecast` of the series' last
values (the model's window), the point path autoregressive and the bands from it (or, with ``paths``,
from sample paths seeded per series), so a series gets the same numbers whatever else is in the call
(on one machine or on Spark), up to float32 rounding: onnxruntime sums in another order for batches of
other sizes, which moves a forecast by a few parts in 100,000.
Series shorter than the model's minimum get statsforecast's :class:`~statsforecast.models.Naive`
forecast (the last value), with one warning per call that says how many.

The Predictor is loaded lazily, once per process, and never pickled: a model shipped to Spark
executors (or statsforecast's worker processes) loads the weights again there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from numseries.config import MIN_VALUES
from numseries.predict import THE_SEQUENCE, Predictor, check_flag, check_steps, load_predictor
from numseries.series import check_exact_integers

try:
    from statsforecast.models import _TS, Naive
except ImportError as err:  # pragma: no cover - the bench extra is part of the dev install
    raise ImportError(f"numseries.statsforecast needs statsforecast ({err}); pip install 'numseries[bench]'") from err

log = logging.getLogger(__name__)

PREFETCH_WINDOWS = 50_000  # most windows forecast in one batch while statsforecast walks a frame's series


def local_spark(cores: int = 2) -> Any:
    """A Spark session on this machine (``local[cores]``, no web UI), its executors on this Python.

    For trying the Spark path and for the tests; needs the ``spark`` extra and Java 17. Sets
    ``PYSPARK_PYTHON`` to this interpreter when it is not set, so the executors import this numseries.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise ImportError(f"Spark needs pyspark ({err}); pip install 'numseries[spark]'") from err
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # read by pyspark only from the environment
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class NumSeries(_TS):
    """numseries' shipped model (or ``weights``) as a statsforecast model; nothing is fitted per series.

    The bands beyond the first step come from the point path, or from ``paths`` sample paths (seeded by
    ``seed``), as in :meth:`numseries.Predictor.forecast`; ``rules=False`` turns off the exact rules. ``alias`` names the
    output columns; ``prediction_intervals`` (statsforecast's ``ConformalIntervals``) replaces the
    model's own bands by conformal ones, as for statsforecast's models.
    """

    uses_exog = False

    def __init__(
        self,
        weights: str | None = None,
        *,
        rules: bool = True,
        paths: int | None = None,
        seed: int = 0,
        alias: str = "NumSeries",
        prediction_intervals: Any = None,
    ) -> None:
        self.weights = None if weights is None else str(weights)
        self.rules = check_flag(rules, "rules")
        self.paths = paths
        self.seed = seed
        self.alias = alias
        self.prediction_intervals = prediction_intervals
        self._state = _CallState()

    def __getstate__(self) -> dict[str, Any]:
        """Settings only: neither the Predictor (a process-wide cache) nor this call's forecasts travel."""
        state = self.__dict__.copy()
        state.pop("_state", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._state = _CallState()

    @property
    def predictor(self) -> Predictor:
        return load_predictor(self.weights, self.rules)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> NumSeries:  # noqa: ARG002 (no exogenous inputs)
        """Keep the series (a copy): the model is fitted once, on generated data, not per series."""
        self.y_ = _checked(y, sys._getframe(1)).copy()
        self._note_short(self.y_, sys._getframe(1))
        self._store_cs(y=self.y_, X=None)
        return self

    def predict(self, h: int, X: np.ndarray | None = None, level: Sequence[int] | None = None) -> dict[str, np.ndarray]:  # noqa: ARG002
        """The forecast of the series given to :meth:`fit`."""
        if level is not None and self.prediction_intervals is not None:
            return self._add_predict_conformal_intervals(self._forecast(self.y_, h, None), sorted(level))
        return self._forecast(self.y_, h, level)

    def predict_in_sample(self, level: Sequence[int] | None = None) -> dict[str, np.ndarray]:
        """One-step-ahead predictions of every value of the series given to :meth:`fit` (``fitted``)."""
        return in_sample(self.predictor, self.y_, level)

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,  # noqa: ARG002 (no exogenous inputs)
        X_future: np.ndarray | None = None,  # noqa: ARG002
        level: Sequence[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        """``{"mean": (h,), "lo-80": (h,), "hi-80": (h,), ...}`` for the series ``y`` (and ``fitted``)."""
        y = _checked(y, sys._getframe(1))
        self._note_short(y, sys._getframe(1))
        if level is not None and self.prediction_intervals is not None:
            res = self._forecast(y, h, None, sys._getframe(1))
            res = self._add_conformal_intervals(fcst=res, y=y, X=None, level=sorted(level))
        else:
            res = self._forecast(y, h, level, sys._getframe(1))
        if fitted:
            res.update(in_sample(self.predictor, y, level))
        return res

    def forward(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: Sequence[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        """The same as :meth:`forecast`: there are no per-series parameters to carry to a new series."""
        return self.forecast(y, h, X, X_future, level, fitted)

    def _forecast(
        self, y: np.ndarray, h: int, level: Sequence[int] | None, caller: Any = None
    ) -> dict[str, np.ndarray]:
        check_steps(h, "h")  # (statsforecast's name for steps)
        levels = tuple(sorted(level)) if level is not None else ()
        if len(y) < MIN_VALUES:  # in the order of every other series' columns: statsforecast stacks them by position
            naive = Naive().forecast(y=y, h=h, level=list(levels) or None)
            return {name: naive[name] for name in _column_names(levels)}
        predictor = self.predictor
        if self.paths is not None and levels:  # sample paths, seeded per series: one series at a time
            return _columns(predictor.forecast_batch([y], h, level=levels, paths=self.paths, seed=self.seed), 0, levels)
        # Batched over the caller's series when statsforecast walks a frame
        key = _key(y, predictor.max_len)
        found = self._state.lookup(key, h, levels)
        if found is None and key is not None and caller is not None:
            self._state.prefetch(predictor, caller, h, levels, self.seed)
            found = self._state.lookup(key, h, levels)
        if found is None:  # (an error names the series by its unique_id where the loop tells which it is)
            uid = _series_id(caller)
            ids = THE_SEQUENCE if uid is None else [uid]
            found = _columns(predictor.forecast_batch([y], h, level=levels or None, seed=self.seed, ids=ids), 0, levels)
        return {name: column.copy() for name, column in found.items()}

    def _note_short(self, y: np.ndarray, caller: Any) -> None:
        """Warn, once per statsforecast call, how many of its series are too short and get Naive instead."""
        if len(y) >= MIN_VALUES:
            return
        walk = _series_walk(caller)
        if walk is None:
            warnings.warn(_short_message(1, 1, "series"), stacklevel=3)
            return
        if self._state.warned_for(walk.array):
            return
        lengths = [len(window) for window in walk.windows(0, walk.array.n_groups)]
        unit = "cross-validation windows" if walk.kind == "cross_validation" else "series"
        if _statsforecast_above(caller) is None:  # n_jobs > 1, Spark, Dask: one worker's part of the frame
            unit += " of one part of the frame (statsforecast's workers each warn of theirs)"
        warnings.warn(_short_message(sum(n < MIN_VALUES for n in lengths), len(lengths), unit), stacklevel=4)


def _checked(y: Any, caller: Any) -> np.ndarray:
    """``y`` as float64, refused (naming its series) where it holds NaN or inf, or an integer float64 would
    round (2**53 + 1, given as int64 or Python ints: the CLI and predict_df refuse it too)."""
    given = np.asarray(y)
    values = np.asarray(given, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if given.dtype.kind in "iuO" and (np.abs(values) >= 2.0**52).any():
            check_exact_integers(given, values, _series_name(caller, values))
    _check_finite(values, caller)
    return values


def _check_finite(y: np.ndarray, caller: Any) -> None:
    """Refuse a series with NaN or inf (statsforecast passes them through), naming it by its unique_id
    where the calling statsforecast loop tells which it is."""
    bad = np.flatnonzero(~np.isfinite(y))
    if not len(bad):
        return
    raise ValueError(
        f"{_series_name(caller, y)} has {y[bad[0]]} at value {bad[0] + 1} of {len(y)}"
        f"{f' ({len(bad)} in all)' if len(bad) > 1 else ''}; NumSeries needs finite values: fill or drop the "
        "missing ones first (df.dropna(subset=['y']), or df.interpolate())"
    )


def _series_name(caller: Any, y: np.ndarray) -> str:
    """``series 'a'`` for the series a statsforecast loop is at (its unique_id, from the StatsForecast object
    above the loop, in this process), else the series by its first values: on Spark, Dask or with n_jobs > 1
    the loop walks a part of the frame, and its position there names no series of the whole."""
    uid = _series_id(caller)
    if uid is not None:
        return f"series {uid!r}"
    shown = ", ".join(f"{value:g}" for value in y[:5].tolist())
    return f"the series that starts {shown}{', ...' if len(y) > 5 else ''}"


def _series_id(caller: Any) -> Any:
    """The unique_id of the series a statsforecast loop ``caller`` is at, where this process walks the whole
    frame; else None."""
    walk = _series_walk(caller)
    uids = getattr(_statsforecast_above(caller), "uids", None) if walk is not None else None
    if walk is not None and uids is not None:
        with contextlib.suppress(IndexError, TypeError):
            return uids[walk.position]
    return None


def _statsforecast_above(caller: Any) -> Any:
    """The StatsForecast object whose call walks the whole frame in this process, a few frames above the
    statsforecast loop ``caller``; None where the loop walks one part of it (n_jobs > 1, Spark, Dask)."""
    frame = caller
    for _ in range(6):
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        if getattr(owner, "uids", None) is not None and type(owner).__name__ == "StatsForecast":
            return owner
        frame = frame.f_back
    return None


def _short_message(short: int, total: int, unit: str) -> str:
    return (
        f"NumSeries: {short} of {total} {unit} have fewer than {MIN_VALUES} values; they get statsforecast's "
        f"Naive forecast (the last value); give at least {MIN_VALUES} values for numseries' own forecast"
    )


def in_sample(predictor: Predictor, y: np.ndarray, level: Sequence[int] | None) -> dict[str, np.ndarray]:
    """``fitted`` (n,): each value's one-step-ahead prediction from the values before it; the first value
    is NaN and those with fewer than ``MIN_VALUES`` values before them get the last value (Naive), as the
    forecast does. With ``level``, ``fitted-lo-L``/``fitted-hi-L`` from the quantile head (for those,
    statsforecast's Naive's; NaN for the first)."""
    n = len(y)
    fitted = np.full(n, np.nan)
    fitted[1:MIN_VALUES] = y[: min(n, MIN_VALUES) - 1]
    # named as statsforecast's models name their fitted bands, from np.asarray(level): [80, 95.0] as 80.0 and 95.0
    # (adversarial round 41: Naive's fitted-lo-80.0 was looked up as fitted-lo-80, a KeyError)
    levels = np.asarray(sorted(level)).tolist() if level is not None else []
    bands = {lv: np.full((2, n), np.nan) for lv in levels}
    if levels and n > 1:  # the values Naive predicts get Naive's bands
        naive = Naive().forecast(y=y, h=1, fitted=True, level=levels)
        for lv in levels:
            bands[lv][0, 1:MIN_VALUES] = naive[f"fitted-lo-{lv}"][1:MIN_VALUES]
            bands[lv][1, 1:MIN_VALUES] = naive[f"fitted-hi-{lv}"][1:MIN_VALUES]
    if n > MIN_VALUES:
        ends = np.arange(MIN_VALUES, n)  # (m,) each prediction sees y[:end]
        starts = np.maximum(ends - predictor.max_len, 0)
        windows: list[Any] = [y[start:end] for start, end in zip(starts, ends, strict=True)]
        batch = predictor.predict_batch(windows, level=levels or None)
        fitted[ends] = batch.values
        for lv in levels:
            bands[lv][:, ends] = batch.interval(lv)
    res = {"fitted": fitted}
    res.update({f"fitted-lo-{lv}": bands[lv][0] for lv in reversed(levels)})
    res.update({f"fitted-hi-{lv}": bands[lv][1] for lv in levels})
    return res


def _columns(result: Any, i: int, levels: Sequence[float]) -> dict[str, np.ndarray]:
    """Row ``i`` of a :class:`~numseries.forecast.BatchForecast` at ``levels`` (as statsforecast gave them) as
    statsforecast's columns: ``{"mean": (h,), "lo-95": (h,), "lo-80": ..., "hi-80": ..., "hi-95": ...}``."""
    columns = {"mean": np.array(result.values[i], dtype=np.float64)}
    for level in levels:
        lo, hi = result.interval(float(level))
        columns[f"lo-{level}"], columns[f"hi-{level}"] = lo[i], hi[i]
    return {name: columns[name] for name in _column_names(levels)}


def _column_names(levels: Sequence[float]) -> list[str]:
    """The columns of a forecast at ``levels``, in statsforecast's order (AutoETS' and AutoARIMA's): ``mean``, the
    lower bounds widest first, the upper bounds widest last; each level written as given, as statsforecast's
    models name theirs (``lo-95`` for 95, ``lo-95.0`` for 95.0: ``utilsforecast.evaluate`` looks for those)."""
    levels = sorted(levels)
    return [
        "mean",
        *(f"lo-{level}" for level in reversed(levels)),
        *(f"hi-{level}" for level in levels),
    ]


def _key(y: np.ndarray, max_len: int) -> bytes | None:
    """What a forecast depends on: the values in the model's window, when the whole series is finite."""
    if not np.isfinite(y).all():  # the Predictor names the bad value; never answer it from a cache
        return None
    return y[-max_len:].tobytes()


class _SeriesWalk:
    """statsforecast 2.x walking a GroupedArray: its series (``forecast``) or windows (``cross_validation``)."""

    def __init__(self, frame: Any) -> None:
        self.array = frame.f_locals["self"]
        self.kind = frame.f_code.co_name  # "fit", "forecast" or "cross_validation"
        self.position = int(frame.f_locals["i_ts" if self.kind == "cross_validation" else "i"])
        self.locals = frame.f_locals

    def windows(self, start: int, stop: int) -> list[np.ndarray]:
        """The target values statsforecast passes models for series ``start`` to ``stop``, in order."""
        array, out = self.array, []
        for i in range(start, stop):
            series = array.data[array.indptr[i] : array.indptr[i + 1]]
            series = np.asarray(series[:, 0] if series.ndim == 2 else series, dtype=np.float64)  # as forecast() keys it
            if self.kind != "cross_validation":
                out.append(series)
                continue
            h, test_size, step, input_size = (self.locals[k] for k in ("h", "test_size", "step_size", "input_size"))
            for cutoff in range(-test_size, -h + 1, step):  # as GroupedArray.cross_validation cuts them
                out.append(series[(cutoff - (cutoff if input_size is None else input_size)) : cutoff])
        return out


def _series_walk(frame: Any) -> _SeriesWalk | None:
    """The statsforecast loop that called the model, read from its frame, or None when it is not one.

    statsforecast (checked on 2.1.1) hands models one series, or one cross-validation window, at a time
    from ``GroupedArray.fit``, ``.forecast`` and ``.cross_validation``; the network is far faster on a
    batch. This reads which series that loop walks, so :class:`NumSeries` can forecast them in batches.
    It is only a speed-up: every answer is looked up by the values it was computed from, so a loop this
    does not recognise (another statsforecast version, a direct call) costs time, never a wrong number.
    """
    for _ in range(3):  # forecast() <- forward() <- the loop, at most
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        if (
            frame.f_code.co_name in ("fit", "forecast", "cross_validation")
            and type(owner).__name__ == "GroupedArray"
            and type(owner).__module__ == "statsforecast.core"
        ):
            try:
                return _SeriesWalk(frame)
            except (KeyError, TypeError, ValueError):
                return None
        frame = frame.f_back
    return None


class _CallState:
    """Per model instance, never pickled: point paths forecast ahead in a batch, and whom we warned."""

    def __init__(self) -> None:
        self.h = 0
        self.levels: tuple[float, ...] = ()
        self.paths: dict[bytes, dict[str, np.ndarray]] = {}  # window values -> its forecast's columns
        self.done: tuple[weakref.ReferenceType[Any], int, int] | None = None  # frame, series start, stop
        self._warned: weakref.ReferenceType[Any] | None = None

    def lookup(self, key: bytes | None, h: int, levels: tuple[float, ...]) -> dict[str, np.ndarray] | None:
        same = (h, list(map(str, levels))) == (self.h, list(map(str, self.levels)))  # as named: 95 == 95.0, "95" != "95.0"
        return self.paths.get(key) if key is not None and same else None

    def prefetch(self, predictor: Predictor, caller: Any, h: int, levels: tuple[float, ...], seed: int) -> None:
        """Forecast, in one batch, the series the calling statsforecast loop comes to next."""
        walk = _series_walk(caller)
        if walk is None:
            return
        if self.done is not None and self.done[0]() is walk.array and self.done[1] <= walk.position < self.done[2]:
            return  # this series was in the last batch, yet its values were not: answer it alone
        per_series = max(1, len(walk.windows(walk.position, walk.position + 1)))
        stop = min(walk.array.n_groups, walk.position + max(1, PREFETCH_WINDOWS // per_series))
        self.done = (weakref.ref(walk.array), walk.position, stop)
        keys = {}
        for window in walk.windows(walk.position, stop):
            key = _key(window, predictor.max_len) if len(window) >= MIN_VALUES else None
            if key is not None:
                keys[key] = window[-predictor.max_len :]
        self.h, self.levels, self.paths = h, levels, {}
        if keys:
            try:
                result = predictor.forecast_batch(list(keys.values()), h, level=levels or None, seed=seed)
            except ValueError:  # one of them overflows: each is forecast alone, the one that does named by its id
                log.debug("a series of %d to %d cannot be forecast: forecasting them one by one", walk.position, stop)
                return
            self.paths = {key: _columns(result, i, levels) for i, key in enumerate(keys)}
        log.debug("forecast %d windows of series %d to %d in one batch", len(keys), walk.position, stop)

    def warned_for(self, array: Any) -> bool:
        """True if this statsforecast frame was warned about already; else remember it, and False."""
        if self._warned is not None and self._warned() is array:
            return True
        self._warned = weakref.ref(array)
        return False
