"""Many series at once, from long rows (``unique_id, ds, y``) or padded arrays: one path for batch files
(:mod:`numseries.batch_io`) and DataFrames (:meth:`~numseries.predict.Predictor.predict_df`). Needs pandas.

Rows are grouped into series (:func:`group`), each series is checked on its own, the good ones are
predicted (:func:`predict_chunk`), and the timestamps of the predicted steps are inferred from each
series' spacing (:func:`next_timestamps`). A series that cannot be predicted (too short, a missing or
non-numeric ``y``, an integer float64 would round, two values at one ``ds``, a prediction that overflows)
does not stop the others: it gets an empty prediction and an ``error`` naming the problem, or, with
``strict=True``, that message is raised at the first one. A time past what the times' type holds is left
empty, as one that cannot be inferred is.

The grouping reads rows in order and needs each series' rows contiguous and ordered by ``ds``; when they
are not, it raises :class:`Unsorted` and the caller sorts (a DataFrame in memory, a file on disk) and
starts again.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from numseries.config import MIN_VALUES
from numseries.intervals import column_level, levels_checked, recorded_decimals
from numseries.series import (
    BELOW_FLOAT,
    above_float,
    check_exact_integers,
    check_narrowed,
    isolating,
    keep_last,
    narrow_float,
    underflowed,
    widened,
)
from numseries.warn import warn_caller

# numseries.predict imports this module (Predictor.predict_df), so its classes are not imported back (no cycle)
Predictor = Any  # numseries.predict.Predictor
BatchPrediction = Any  # numseries.predict.BatchPrediction, built from the ones predict_batch returns

MODEL_NAME = "numseries"  # the prediction column of predict_df, as statsforecast names a model's column
# rows of a DataFrame read at a time (a million shuffled series, 34 million rows, peaked at 2.010 GiB in blocks
# of 500,000, 1.988 GiB in 250,000, 1.985 GiB in 125,000: benchmarks/results/experiments.md)
BLOCK_ROWS = 250_000


class Unsorted(Exception):  # noqa: N818 (a signal to sort, caught by the caller; never reaches a user)
    """The rows of a series are not contiguous and ordered by ``ds``: sort the input and start again."""


@dataclasses.dataclass(frozen=True)
class Rows:
    """A block of long-format rows: ``R`` observations."""

    ids: np.ndarray  # (R,) object: each row's series id
    ds: np.ndarray  # (R,) int64, float64 or datetime64[ns]: each row's time; NaN or NaT where unreadable
    y: np.ndarray  # (R,) float64 values; NaN where missing or not a number
    errors: np.ndarray  # (R,) object: None, or what is wrong with the row
    offsets: np.ndarray  # (R,) float32 minutes east of UTC of each row's time as written; NaN: none (or a number)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: slice | np.ndarray) -> Rows:
        return Rows(self.ids[rows], self.ds[rows], self.y[rows], self.errors[rows], self.offsets[rows])


@dataclasses.dataclass(frozen=True)
class Chunk:
    """Series, one per row."""

    id_name: str  # "unique_id", or "row" for a wide file without ids
    ids: np.ndarray  # (N,) object: unique_id as str, or the row number (int) of a wide file without one
    values: np.ndarray  # (N, W) float64, each series' values (its last max_len in long input), NaN-padded
    n_values: np.ndarray  # (N,) int64 values the series has in the input
    ds: np.ndarray | None = None  # (N, W) the time of each cell of ``values`` (long input only)
    errors: np.ndarray | None = None  # (N,) object: None, or why series i cannot be predicted
    offsets: np.ndarray | None = None  # (N,) float32 minutes east of UTC of each series' last time; NaN: none
    cell_offsets: np.ndarray | None = None  # (N, W) float32 the same for each cell of ``ds``; None: no offsets at all


@dataclasses.dataclass(frozen=True)
class Predicted:
    """The predictions of one chunk, a row for every series; empty (NaN) where ``errors`` names a problem."""

    chunk: Chunk
    batch: BatchPrediction  # the next value of every series: NaN, n_used 0 and no attention where in error
    errors: np.ndarray | None  # (N,) object: the chunk's errors and any found while predicting; None: unchecked
    forecast: Any = None  # steps > 1: a BatchForecast, (N, K) values and bands, NaN where in error
    next_ds: np.ndarray | None = None  # (N, K) the time of each predicted step (long input)
    next_ds_known: np.ndarray | None = None  # (N, K) bool: False where a series' spacing is unknown
    next_ds_instant: np.ndarray | None = None  # (N,) bool: stepped in UTC, at its last time's offset

    @property
    def failed(self) -> np.ndarray:
        """(N,) bool: the series without a prediction."""
        if self.errors is None:
            return np.zeros(len(self.chunk.ids), dtype=bool)
        return np.asarray(self.errors != None)  # noqa: E711 (element-wise)

    @property
    def steps(self) -> int:
        return 1 if self.forecast is None else self.forecast.values.shape[1]

    def values(self) -> np.ndarray:
        """(N, K) the predicted values, step by step."""
        return self.batch.values[:, None] if self.forecast is None else self.forecast.values

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """(lo (N, K), hi (N, K)) at ``level`` percent."""
        if self.forecast is not None:
            return self.forecast.interval(level)
        lo, hi = self.batch.interval(level)
        return lo[:, None], hi[:, None]

    def ds_column(self, text: bool = False, zone: Any = None) -> pd.Series | None:
        """The predicted steps' times, series by series then step by step: integers stay integers. Times read
        with a UTC offset (``2024-04-01T00:00:00+02:00``) get the offset of their series' last time: as text
        (``text=True``, for CSV) each its own, ``2024-04-03 00:00:00+02:00``; else time-zone-aware, at the
        offset all the series share, or in UTC where they differ; where some series had none (an object column
        of naive and aware datetimes), each as it was given, naive or at its offset. ``zone``: the input's time zone, the times
        in it (a wall-clock time the zone skips moves forward; one it repeats is NaT, unless the series was
        stepped in UTC: then its instant)."""
        if self.next_ds is None:
            return None
        times = self.next_ds.ravel()
        known = self.next_ds_known.ravel() if self.next_ds_known is not None else np.ones(len(times), dtype=bool)
        if times.dtype.kind in "iu":  # int64 as statsforecast's; nullable where a next time is unknown
            return pd.Series(times) if known.all() else pd.Series(pd.array(times, dtype="Int64")).mask(~known)
        offsets = self.chunk.offsets
        if zone is not None and times.dtype.kind == "M":
            return self._zoned(times, zone)
        if times.dtype.kind != "M" or offsets is None or np.isnan(offsets).all():
            return pd.Series(times)  # naive times: a CSV writes them in one form (batch_io.time_form)
        if text:  # each series as its times were written: with its offset, or (where it had none) without one
            offset = np.repeat(offsets, self.steps)  # (N * K,) NaN: none
            has = np.isfinite(offset)
            written = pd.Series(times).astype(object)
            written[has] = (_clock_text(times[has]) + pd.Series(offset[has]).map(_offset_text)).to_numpy()
            return written.mask(np.isnat(times))
        if np.isnan(offsets).any():  # naive and aware series together (round 54: the naive were read as UTC)
            written = pd.Series(times).astype(object)
            offset = np.repeat(offsets, self.steps)  # (N * K,)
            for minutes in np.unique(offset[np.isfinite(offset)]):
                rows = offset == minutes
                written[rows] = list(pd.Series(times[rows]).dt.tz_localize(_fixed_offset(float(minutes))))
            return written.mask(np.isnat(times))
        offsets = np.repeat(offsets, self.steps)  # (N * K,)
        utc = pd.Series(times - offsets.astype(np.int64) * np.timedelta64(60, "s")).dt.tz_localize("UTC")
        shared = np.unique(offsets)
        return utc.dt.tz_convert(_fixed_offset(shared[0])) if len(shared) == 1 else utc

    def _zoned(self, times: np.ndarray, zone: Any) -> pd.Series:
        """(N * K,) wall-clock times -> in ``zone``: each series' calendar steps (days, months) as the wall
        clock reads them there, its sub-daily steps as instants."""
        local = pd.Series(times).dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        instant = self.next_ds_instant
        if instant is None or not instant.any() or self.chunk.offsets is None:
            return local
        rows = np.repeat(instant, self.steps)  # (N * K,)
        minutes = np.repeat(np.nan_to_num(self.chunk.offsets), self.steps).astype(np.int64)
        utc = pd.Series(times - minutes * np.timedelta64(60, "s")).dt.tz_localize("UTC").dt.tz_convert(zone)
        return local.where(~rows, utc)


def _clock_text(times: np.ndarray) -> pd.Series:
    """(M,) datetime64 times as text with the time of day, to the microsecond where any has part of a second."""
    fractions = (times.view(np.int64) % 10**9 != 0) & ~np.isnat(times)
    return pd.Series(times).dt.strftime("%Y-%m-%d %H:%M:%S" + (".%f" if fractions.any() else ""))


# ---------------------------------------------------------------------------------------------- rows


def read_rows(
    frame: pd.DataFrame,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    where: Callable[[Any], str | None] | None = None,
) -> Rows:
    """A long-format frame -> its rows checked one by one. A row with no id is an error for the whole input
    (it cannot be given to a series); a time or value that cannot be read marks the row. ``where`` tells a
    user how to find the row of an index label (a file's line; nothing where the label says no more; None
    where the label names no row of the user's, which is then named by its time and value); by default, as
    ``.loc`` of the frame."""
    ids = frame[id_col].to_numpy(dtype=object)
    absent = frame[id_col].isna().to_numpy()  # (R,) (a nullable column's pd.NA compares to "" as NA: first)
    absent[~absent] = ids[~absent] == ""
    missing = np.flatnonzero(absent)
    if missing.size:
        label = frame.index[missing[0]]
        place = (where or _loc)(label)
        if place is None:  # a Spark partition's row 0 is none of the user's: the row named by its time and value
            raise ValueError(
                f"a row ({time_col} {frame[time_col].iloc[missing[0]]}, {target_col} {frame[target_col].iloc[missing[0]]}) "
                f"has no {id_col}; give every row the id of its series"
            )
        raise ValueError(
            f"row {label} has no {id_col}{f' ({place})' if place else ''}; give every row the id of its series"
        )
    errors = np.full(len(frame), None, dtype=object)
    raw_ds, raw_y = frame[time_col], frame[target_col]
    ds, bad_ds, offsets = read_times(raw_ds)
    numbers = _numbers_among_dates(raw_ds, bad_ds)  # (R,) bool
    mixed = _numbers_and_text(raw_ds) if bad_ds.any() else None
    for row in np.flatnonzero(bad_ds):
        if pd.isna(raw_ds.iloc[row]):  # NaT, NaN, None or an empty cell: no time to place the value at
            place = (where or _loc)(frame.index[row])
            if pd.isna(raw_y.iloc[row]):  # nothing at all (a spreadsheet's empty last line): a missing value
                errors[row] = f"series {ids[row]!r} has an empty row{f' ({place})' if place else ''}; " + MISSING_FIX
                continue
            errors[row] = (
                f"series {ids[row]!r} has a missing {time_col}{f' ({place})' if place else ''}; give every row "
                "its time, or drop the row"
            )
            continue
        errors[row] = (
            f"column {time_col} holds numbers and dates ({raw_ds.iloc[row]!r} in series {ids[row]!r} is a number, "
            "other rows dates); use numbers or ISO dates throughout"
            if numbers[row]
            else f"column {time_col} has {show_time(raw_ds.iloc[row])} in series {ids[row]!r}, a date outside "
            f"{_RANGE}, the times datetime64[ns] holds; give the times as integer steps (0, 1, 2, ...)"
            if _beyond_nanoseconds(raw_ds.iloc[row])
            else f"column {time_col} mixes time zones ({raw_ds.iloc[row]} in series {ids[row]!r} is in one of "
            f"them); convert it to one: df['{time_col}'] = pd.to_datetime(df['{time_col}'], utc=True)"
            if isinstance(raw_ds.iloc[row], datetime.datetime) and raw_ds.iloc[row].tzinfo is not None
            else mixed
            if mixed is not None and not _wordy(raw_ds.iloc[row])
            else f"column {time_col} has {raw_ds.iloc[row]!r}, which is neither a number nor a date, in series "
            f"{ids[row]!r}; use integers or ISO dates such as 2024-01-31"
        )
    y, not_numbers = numeric(raw_y, f"column {target_col}")
    for row in np.flatnonzero(not_numbers & (errors == None)):  # noqa: E711 (element-wise)
        errors[row] = (
            f"column {target_col} has {raw_y.iloc[row]!r} in series {ids[row]!r}, which is not a number; "
            "give numbers only"
        )
    mark_misread(raw_y, y, errors, lambda row: f"series {ids[row]!r} at {time_col}={show_time(raw_ds.iloc[row])}")
    for row in np.flatnonzero(~np.isfinite(y) & ~not_numbers & (errors == None)):  # noqa: E711
        if np.isnan(y[row]):
            errors[row] = (
                f"series {ids[row]!r} has a missing {target_col} at {time_col}={show_time(raw_ds.iloc[row])}; "
                + MISSING_FIX
            )
        else:
            errors[row] = (
                f"series {ids[row]!r} has {y[row]} at {time_col}={show_time(raw_ds.iloc[row])}; numbers must be finite "
                "(|x| < 1.8e308)"
            )
    return Rows(ids, ds, y, errors, offsets)


_RANGE = f"{pd.Timestamp.min.ceil('D').date()} to {pd.Timestamp.max.floor('D').date()}"


def _beyond_nanoseconds(value: Any) -> bool:
    """Whether a time column's cell is a date (text, a datetime, a Timestamp of any unit) that datetime64[ns]
    cannot hold."""
    if isinstance(value, (int, float, np.number)):
        return False
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return False
    if stamp is pd.NaT:
        return False
    stamp = stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
    return bool(stamp < pd.Timestamp.min or stamp > pd.Timestamp.max)


def _loc(label: Any) -> str:
    """A DataFrame row by its index label, as a user would look it up (``.loc[12]``, ``.loc['x']``)."""
    return f".loc[{(label.item() if isinstance(label, np.generic) else label)!r}]"


def _polars_row(label: Any) -> str:
    """A polars frame's row as messages name it: by its position (polars has no ``.loc``, round 54)."""
    return f"row {label}, counted from 0"


def _numbers_among_dates(ds: pd.Series, unread: np.ndarray) -> np.ndarray:
    """(R,) bool: the ``unread`` rows of a time column that hold a number among rows read as dates: the column
    mixes the two, which the user fixes in the column, not in a row that is "neither a number nor a date"."""
    if not unread.any() or unread.all() or pd.api.types.is_numeric_dtype(ds) or pd.api.types.is_datetime64_any_dtype(ds):
        return np.zeros(len(ds), dtype=bool)
    return unread & pd.to_numeric(ds, errors="coerce").notna().to_numpy()


def _wordy(cell: Any) -> bool:
    """Whether a time column's cell is text that is no number ('abc'): it, not the column, is named."""
    return isinstance(cell, str) and bool(np.isnan(pd.to_numeric(cell.strip(), errors="coerce")))


def _numbers_and_text(ds: pd.Series) -> str | None:
    """The error of an unread time in a column of objects that holds numbers and numeric text (``[1, "2", 3]``:
    its 1 was "neither a number nor a date"), or numbers and something else (a bool, which is named); None
    where it does not."""
    if ds.dtype != object:
        return None
    texts, numeric, present = ds.map(type).eq(str).to_numpy(), ds.map(_is_number).to_numpy(), ds.notna().to_numpy()
    text, numbers, others = ds[texts], ds[numeric & present], ds[~texts & ~numeric & present]
    if not numbers.empty and not others.empty:  # a bool among numbers: that cell, not a number, is named
        odd = others.iloc[0]
        return f"column {ds.name} holds {odd!r} ({type(odd).__name__}) among numbers; give numbers only"
    if text.empty or numbers.empty:
        return None
    words = pd.to_numeric(text, errors="coerce").isna()  # text no number ('x'), named in its own rows
    if words.any():  # the numbers' rows ('neither a number nor a date' named 1)
        return (
            f"column {ds.name} mixes numbers and text ({numbers.iloc[0]!r} is a number, {text[words].iloc[0]!r} "
            f"text that is no number); give numbers only, e.g. df['{ds.name}'] = pd.to_numeric(df['{ds.name}'], "
            "errors='coerce') and drop the rows left without a time"
        )
    return (
        f"column {ds.name} mixes numbers and text ({numbers.iloc[0]!r} is a number, {text.iloc[0]!r} text); give "
        f"one kind throughout, e.g. df['{ds.name}'] = pd.to_numeric(df['{ds.name}'])"
    )


def _is_number(cell: Any) -> bool:
    """Whether a cell of a column of objects is a real number (an int, a float, NumPy's, a Decimal; no bool, no
    NumPy duration, which NumPy counts among its integers, no complex number)."""
    return isinstance(cell, (int, float, np.integer, np.floating, Decimal)) and not isinstance(cell, (bool, np.timedelta64))


def check_time_dtype(dtype: Any, name: Any) -> None:
    """A time column's dtype that holds no times (periods, durations, booleans), refused naming the fix; a
    Spark or Dask frame's is checked before its workers start (:mod:`numseries.distributed`)."""
    if isinstance(dtype, pd.PeriodDtype):  # each row was 'neither a number nor a date'
        raise ValueError(
            f"column {name} holds periods ({dtype}), which numseries does not read; convert them to "
            f"timestamps first: df['{name}'] = df['{name}'].dt.to_timestamp()"
        )
    if dtype.kind == "m":  # timedelta64, or pyarrow's durations (pandas' .str accessor failed on them)
        raise ValueError(
            f"column {name} holds durations ({dtype}), not times; add them to a start: "
            f"df['{name}'] = pd.Timestamp('2024-01-01') + df['{name}']"
        )
    if pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"column {name} holds booleans ({dtype}), not times; give integers or dates")


def read_times(ds: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A time column as read, the (R,) bool rows it could not read, and the (R,) float32 UTC offset of each
    time read from text or in a time zone's column, in minutes east of UTC (NaN: none). Numbers and datetimes
    stay (datetimes as datetime64[ns], a time zone's as its wall-clock time), text is read as ISO dates (a
    time with a UTC offset as its wall-clock time, the offset aside: :func:`instants` orders them). Offsets
    that change within the column (a daylight-saving change: ``+01:00`` then ``+02:00``) are each row's own."""
    none = np.full(len(ds), np.nan, dtype=np.float32)
    check_time_dtype(ds.dtype, ds.name)
    if isinstance(ds.dtype, pd.ArrowDtype) and ds.dtype.kind == "M":  # timestamp[ns][pyarrow], date32[pyarrow]
        import pyarrow as pa  # (an Arrow column: it is installed)

        ds = pd.Series(pa.array(ds).to_pandas(date_as_object=False), index=ds.index, name=ds.name)
    if pd.api.types.is_datetime64_any_dtype(ds):
        offsets = none
        if getattr(ds.dtype, "tz", None) is not None:  # each row's wall-clock time, and its offset in its zone
            wall = ds.dt.tz_localize(None)
            offsets = ((wall - ds.dt.tz_convert(None)).dt.total_seconds() / 60).to_numpy(np.float32, na_value=np.nan)
            ds = wall
        if ds.dt.unit != "ns":  # seconds to microseconds reach past 2262, where nanoseconds would wrap round
            ds = ds.where((ds >= pd.Timestamp.min) & (ds <= pd.Timestamp.max))  # NaT there: each row's error
        times = ds.to_numpy(dtype="datetime64[ns]")
        return times, np.isnat(times), offsets
    if pd.api.types.is_numeric_dtype(ds) and not pd.api.types.is_bool_dtype(ds):
        values = ds.to_numpy()
        if values.dtype.kind not in "iu":
            values = ds.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.isnan(values)
            given = values[~missing]
            if missing.any() and (pd.api.types.is_integer_dtype(ds.dtype) or (
                (given == np.round(given)).all() and (np.abs(given) < 2**53).all()
            )):  # integers pandas made floats for their missing cells (an empty last line), or Int64 with NA
                return np.where(missing, _NAT, np.nan_to_num(values)).astype(np.int64), missing, none
            return values, missing, none
        largest = np.iinfo(np.int64).max
        if values.dtype.kind == "u" and (values > largest).any():  # as int64 they would wrap round to negatives
            beyond = values[values > largest][0]
            raise ValueError(
                f"column ds holds {beyond}, beyond the integers int64 holds ({largest}); "
                "subtract a common offset from the times"
            )
        return values.astype(np.int64), np.zeros(len(ds), dtype=bool), none
    present = ds.notna().to_numpy()  # (R,)
    first = int(present.argmax())  # the first cell present: a number before every cell is looked at (text is usual)
    if ds.dtype == object and present[first] and _is_number(ds.iloc[first]) and ds[present].map(_is_number).all():
        largest = np.iinfo(np.int64).max
        beyond = next((cell for cell in ds if isinstance(cell, (int, np.integer)) and abs(int(cell)) > largest), None)
        if beyond is not None:  # numbers as objects; as floats (pandas' reading), distinct times would merge
            raise ValueError(
                f"column {ds.name} holds {beyond}, beyond the integers int64 holds ({largest}); "
                "subtract a common offset from the times"
            )
        return read_times(pd.to_numeric(ds))
    texts = ds.map(type).eq(str).to_numpy()  # (R,) the cells that are text
    others = np.flatnonzero(~texts & present)  # (none in a CSV's column: all text)
    if others.size:  # datetimes of several UTC offsets (a database driver's, over a clock change): read as their
        cells = ds.to_numpy(dtype=object)  # text is, each with its own offset
        aware = [i for i in others.tolist() if isinstance(cells[i], datetime.datetime) and cells[i].utcoffset() is not None]
        if aware:
            cells = cells.copy()
            cells[aware] = [cells[i].isoformat() for i in aware]
            ds, texts[aware] = pd.Series(cells, index=ds.index, name=ds.name), True
    whole = np.zeros(len(ds), dtype=bool)  # (R,) text cells of a whole number
    if texts.any():  # as a CSV's cells are read: ' 2024-01-01' is a date, and whole numbers are integer steps
        ds = ds.where(~texts, ds.astype(object).str.strip())
        whole[texts] = ds[texts].str.fullmatch(STEP_TEXT).to_numpy(dtype=bool)
        if whole[texts].all() and texts.sum() == ds.notna().sum():  # '10', '20', ...: integers as a file's; '1001' no year
            numbers = pd.to_numeric(ds, errors="coerce")
            bad = numbers.isna().to_numpy()
            return numbers.fillna(_NAT).to_numpy(dtype=np.int64), bad, none
    with warnings.catch_warnings():  # pandas 2 warns of several offsets, and gives each row's Timestamp
        warnings.simplefilter("ignore", FutureWarning)
        parsed = pd.to_datetime(ds, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy()
        unread = ds[bad & ds.map(type).eq(str).to_numpy()].str.strip()  # text no ISO date: quarters (2024Q1)?
        quarters = unread.str.fullmatch(QUARTER.pattern).to_numpy(dtype=bool)
        # or months by name, as spreadsheets head their columns (Jan 2024, January 2024, 2024-Jan: round 54)
        months = ~quarters & unread.str.fullmatch(MONTH_NAME.pattern, flags=re.IGNORECASE).to_numpy(dtype=bool)
        if quarters.any() or months.any():  # each read as its first day (by position: an index may repeat)
            cells = ds.to_numpy(dtype=object, copy=True)
            at = np.flatnonzero(bad & ds.map(type).eq(str).to_numpy())
            cells[at[quarters]] = unread[quarters].str.replace(QUARTER.pattern, _quarter_start, regex=True).to_numpy()
            cells[at[months]] = [_month_start(MONTH_NAME.fullmatch(text)) for text in unread[months]]
            ds = pd.Series(cells, index=ds.index, name=ds.name)
            parsed = pd.to_datetime(ds, format="ISO8601", errors="coerce")
            bad = parsed.isna().to_numpy()
    if whole.any() and not (~bad & ~whole).any() and texts.sum() == ds.notna().sum():
        # integer steps with text among them that is no date either ('x', the US '1/9/2024'): the integers
        # read, each other cell its own row's error (as dates, every row failed as "neither a number nor a date"),
        # int64's least there (as NaT is): its series' next time is not stepped from it, as it was from 0
        numbers = pd.to_numeric(ds.where(whole), errors="coerce")
        return numbers.fillna(_NAT).to_numpy(dtype=np.int64), numbers.isna().to_numpy(), none
    # pandas gives a time written without an offset the offset of the time before it: only a cell's own counts
    if parsed.dtype == object:  # several UTC offsets: each row's wall-clock time and its own offset
        utc = pd.to_datetime(ds, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
        offsets = np.array([np.nan if stamp is pd.NaT else _minutes(stamp) for stamp in parsed], dtype=np.float32)
        wall = utc.to_numpy(dtype="datetime64[ns]") + np.nan_to_num(offsets).astype(np.int64) * np.timedelta64(60, "s")
        naive = ~_own_offsets(ds, texts) & ~bad  # (R,) read alone, as written (utc=True shifted them by it too)
        if naive.any():
            offsets[naive] = np.nan
            wall[naive] = pd.to_datetime(ds[naive], format="ISO8601", errors="coerce").to_numpy(dtype="datetime64[ns]")
        return wall, bad, np.where(bad, np.nan, offsets).astype(np.float32)
    if getattr(parsed.dtype, "tz", None) is not None:  # one offset (or Z) throughout
        wall = parsed.dt.tz_localize(None)
        offsets = ((wall - parsed.dt.tz_convert(None)).dt.total_seconds() / 60).to_numpy(np.float32, na_value=np.nan)
        offsets[~_own_offsets(ds, texts)] = np.nan
        return wall.to_numpy(dtype="datetime64[ns]"), bad, offsets
    return parsed.to_numpy(dtype="datetime64[ns]"), bad, none


STEP_TEXT = r"[+-]?\d{1,18}"  # a whole number as text is an integer step, as a file's 1, 2, 3 ("2024" too: no year)
QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")  # 2024Q1 or 2024-Q1, as spreadsheets and pandas' periods write them


def _quarter_start(match: re.Match) -> str:
    return f"{match[1]}-{3 * int(match[2]) - 2:02d}-01"


_MONTHS = {name: number for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_WORD = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# a month by its English name (or first three letters) and a year of four digits, either first: Jan 2024,
# January 2024, Jan-2024, 2024 Jan, 2024-Jan (not Jan-24: Excel's mmm-yy, a day to others)
MONTH_NAME = re.compile(rf"(?i:({_MONTH_WORD})\.?[ \-/]?(\d{{4}})|(\d{{4}})[ \-/]?({_MONTH_WORD})\.?)")


def _month_start(match: re.Match | None) -> str:
    assert match is not None  # (only text that matched is read)
    word, year = (match[1], match[2]) if match[1] else (match[4], match[3])
    return f"{year}-{_MONTHS[word[:3].lower()]:02d}-01"


_OWN_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"  # a clock time, then Z or +hh[:mm]


def _own_offsets(ds: pd.Series, texts: np.ndarray) -> np.ndarray:
    """(R,) bool: the cells of a time column that carry their own UTC offset: text ending in a clock time and
    ``Z`` or ``+hh:mm`` (``texts``: which cells are text), or a zone-aware datetime."""
    own = np.zeros(len(ds), dtype=bool)
    if texts.any():
        own[texts] = ds[texts].str.contains(_OWN_OFFSET).to_numpy(dtype=bool)
    others = ~texts & ds.notna().to_numpy()
    if others.any():
        own[others] = [getattr(cell, "tzinfo", None) is not None for cell in ds[others]]
    return own


def _minutes(stamp: Any) -> float:
    """A Timestamp's UTC offset in minutes east of UTC; NaN for one without."""
    offset = stamp.utcoffset()
    return np.nan if offset is None else offset.total_seconds() / 60


def _offset_text(minutes: float) -> str:
    """Minutes east of UTC -> ``+02:00``, ``-05:30``."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(round(abs(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _fixed_offset(minutes: float) -> datetime.timezone:
    return datetime.timezone(datetime.timedelta(minutes=round(minutes)))


def check_value_dtype(dtype: Any, what: str) -> None:
    """A value column's dtype that holds no real numbers (complex, booleans, dates, ...), refused naming the fix."""
    if pd.api.types.is_complex_dtype(dtype):  # a cast would drop the imaginary parts (as predict refuses them)
        raise TypeError(f"{what} holds complex numbers ({dtype}); give real numbers (np.real if the imaginary parts are 0)")
    if pd.api.types.is_bool_dtype(dtype) or not (
        pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    ):
        raise ValueError(f"{what} holds {dtype} values, not numbers; give numbers only")


def numeric(column: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """A column as float64, and the (R,) bool cells that hold something other than a number (NaN there)."""
    check_value_dtype(column.dtype, what)
    if pd.api.types.is_numeric_dtype(column):
        if narrow_float(column.dtype):  # float32: the decimals they hold (0.1, not 0.100000001)
            native = getattr(column.dtype, "numpy_dtype", column.dtype)  # (pandas' Float32: numpy's float32)
            values = widened(column.to_numpy(dtype=native, na_value=np.nan))
        else:
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, np.zeros(len(values), dtype=bool)
    parsed = pd.to_numeric(column, errors="coerce")
    if pd.api.types.is_complex_dtype(parsed):  # complex objects among the cells (round 41): refused as above
        raise TypeError(f"{what} holds complex numbers; give real numbers (np.real if the imaginary parts are 0)")
    parsed = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    values = np.array(parsed)  # a copy: pyarrow's array is read-only
    # the numbers read again with Python's float, which rounds text correctly: pandas' parser is an ulp off
    # in a third of 17-digit numbers
    read = np.flatnonzero(~np.isnan(values))
    cells = column.to_numpy(dtype=object)[read]
    try:
        values[read] = cells.astype(np.float64)
    except (TypeError, ValueError, OverflowError):  # text only pandas reads: those cells as it read them
        values[read] = [_float_or(cell, value) for cell, value in zip(cells.tolist(), values[read].tolist(), strict=True)]
    unread = np.flatnonzero(np.isnan(values) & column.notna().to_numpy())  # pandas' NaN for '1e400', which is a number
    values[unread] = [_float_or(cell, np.nan) for cell in column.to_numpy(dtype=object)[unread].tolist()]
    return values, np.isnan(values) & column.notna().to_numpy()


def _float_or(cell: Any, value: float) -> float:
    try:
        return float(cell)
    except (TypeError, ValueError, OverflowError):
        return value


def mark_misread(column: pd.Series, values: np.ndarray, errors: np.ndarray, name: Callable[[int], str]) -> None:
    """Mark in ``errors`` (R,) each row of ``column`` (integers, or text) that its float64 ``values`` (R,)
    misread, unless the row has an error already: an integer rounded (beyond 2**53), or a number below float64
    read as 0 (``1e-400`` as text, a Decimal or a Fraction): the refusals the command line and Predictor.predict
    give, for the series ``name(row)`` names. A float column was never exact: left."""
    types = pd.api.types
    if column.dtype == np.longdouble:  # more range and digits than float64
        given = column.to_numpy()
        for row in np.flatnonzero((values.astype(np.longdouble) != given) & (errors == None)).tolist():  # noqa: E711
            try:
                check_narrowed(given[row : row + 1], values[row : row + 1], name(row))
            except ValueError as err:
                errors[row] = str(err)
        return
    if types.is_object_dtype(column) or types.is_string_dtype(column):
        zeros = np.flatnonzero((values == 0) & (errors == None))  # noqa: E711 (element-wise)
        for row, cell in zip(zeros.tolist(), column.iloc[zeros].tolist(), strict=True):
            if underflowed(cell, 0.0):
                errors[row] = f"{name(row)} is {str(cell).strip()[:60]}, which {BELOW_FLOAT}"
        beyond = np.flatnonzero(np.isinf(values) & (errors == None))  # noqa: E711 (element-wise)
        for row, cell in zip(beyond.tolist(), column.iloc[beyond].tolist(), strict=True):
            if isinstance(cell, str) and not re.search("inf", cell, re.IGNORECASE):  # 1e400, not 'inf' itself
                errors[row] = f"{name(row)} is {cell.strip()[:60]}, which {above_float(values[row])}"
    if not (types.is_integer_dtype(column) or types.is_object_dtype(column) or types.is_string_dtype(column)):
        return
    with np.errstate(invalid="ignore"):
        # integers rounded from 2**53 on, fractions lost from 2**52 on (check_exact_integers)
        rows = np.flatnonzero((np.abs(values) >= 2.0**52) & np.isfinite(values) & (errors == None))  # noqa: E711
    if not rows.size:
        return
    given = column.iloc[rows].to_numpy()  # (M,) integers, or cells of text (lost_integer reads them)
    try:
        check_exact_integers(given, values[rows], "the column")  # at once: most files have none
    except ValueError:
        for i, row in enumerate(rows.tolist()):  # each with its own message
            try:
                check_exact_integers(given[i : i + 1], values[row : row + 1], name(row))
            except ValueError as err:
                errors[row] = str(err)


def concat(blocks: Sequence[Rows]) -> Rows:
    if blocks[0].ds.dtype.kind == "M" and any(block.ds.dtype.kind != "M" for block in blocks):
        raise ValueError("column ds holds numbers and dates; use numbers or ISO dates throughout")
    if blocks[0].ds.dtype.kind != "M" and any(block.ds.dtype.kind == "M" for block in blocks):
        raise ValueError("column ds holds numbers and dates; use numbers or ISO dates throughout")
    return Rows(*(np.concatenate([getattr(b, f.name) for b in blocks]) for f in dataclasses.fields(Rows)))


# -------------------------------------------------------------------------------------------- grouping


def group(blocks: Iterable[Rows], max_len: int, id_name: str = "unique_id") -> Iterator[Chunk]:
    """Rows in which each series is contiguous and ordered by ds -> chunks of whole series, each holding its
    last ``max_len`` values and their times. A series may straddle blocks: its rows are carried over (its
    last ``max_len``, with a count and the first error of the rest) and finished with the next block.

    Raises :class:`Unsorted` when a series' rows are split or out of order. Two rows of a series at the same
    ds mark that series, as do its rows' errors and too few values.
    """
    seen = np.empty(0, dtype=np.int64)  # sorted hashes of finished series' ids: 8 bytes a series
    noted: set[str] = set()

    def note(message: str, first: str) -> None:  # each once a call (a file, a frame), however many blocks
        if message not in noted:
            warn_caller(message.format(first=first))  # the first series it is true of named
            noted.add(message)

    carry: Rows | None = None  # the unfinished series' last rows
    dropped = 0  # rows of the unfinished series left out of the carry
    dropped_error = None  # the first problem in those rows
    for block in blocks:
        if not len(block):
            continue
        if carry is not None:
            try:
                block = concat([carry, block])
            except ValueError:
                raise ValueError(
                    f"column ds holds numbers and dates (from {show_time(block.ds[0])} on); "
                    "use numbers or ISO dates throughout"
                ) from None
        starts = np.flatnonzero(np.r_[True, block.ids[1:] != block.ids[:-1]])  # (G,) first row of each series
        repeats = _check_layout(block, starts, seen)
        last = starts[-1]
        if len(starts) > 1:
            ends = np.r_[starts[1:-1], last]
            yield _series(block, starts[:-1], ends, repeats, max_len, id_name, dropped, dropped_error, note)
            seen = np.sort(np.concatenate([seen, _hashes(block.ids[starts[:-1]])]), kind="stable")
            dropped, dropped_error = 0, None
        # its last max_len rows, and past them any that miss their value (they may be the series' end): of a
        # longer run of those, its first (the series' error, should a value follow) and its last max_len
        run = _missing_run(block, last, len(block))
        keep = max(last, len(block) - max_len - run)
        # of the rows about to be dropped, those that begin the series missing their value are no values of it
        skipped = _leading_run(block, last, keep) if dropped == 0 else 0
        if keep > last + skipped and dropped_error is None:  # the rows about to be dropped, and keep's own repeat
            dropped_error = _first_problem(block, repeats, last + skipped, keep)
        rows = np.arange(keep, len(block))
        if run > max_len + 1:
            rows = rows[(rows <= len(block) - run) | (rows >= len(block) - max_len)]
        carry = block.take(rows)
        dropped += keep - last - skipped
        if skipped:  # said now: the carry starts after them (round 55: not said where it starts at the first value)
            note(LEADING_NOTE, f"{id_name} {block.ids[last]!r}")
    if carry is not None:
        repeats = _check_layout(carry, np.array([0]), seen)
        yield _series(carry, np.array([0]), np.array([len(carry)]), repeats, max_len, id_name, dropped, dropped_error, note)


def _hashes(ids: np.ndarray) -> np.ndarray:
    return np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))


def _check_layout(block: Rows, starts: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Raise :class:`Unsorted` unless each series is one block of rows, increasing in ds; return the (R,) bool
    rows whose ds equals the row before's in the same series. ``seen``: sorted hashes of finished ids.

    Matching hashes stand for matching ids: two of a million ids share a 64-bit hash with odds of 1e-8, and
    then the input is only sorted when it need not be.
    """
    firsts = block.ids[starts]
    hashes = _hashes(firsts)
    found = np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)
    if (len(seen) and (seen[found] == hashes).any()) or pd.Index(hashes).has_duplicates:
        raise Unsorted("a series appears in separate blocks of rows")
    same = np.ones(len(block), dtype=bool)  # (R,): row i continues the series of row i-1
    same[starts] = False
    ds = instants(block.ds, block.offsets)  # (R,) a clock set back repeats a wall-clock hour, not an instant
    with np.errstate(invalid="ignore"):
        readable = ~np.isnat(ds) if ds.dtype.kind == "M" else ~np.isnan(ds.astype(np.float64, copy=False))
        if ds.dtype.kind in "iu":
            readable &= ds != _NAT
        # a row's error may be its time (unread); a row that misses only its value has its time, in order
        readable &= (block.errors == None) | _value_missing(block)  # noqa: E711 (element-wise)
        step = np.r_[False, readable[1:] & readable[:-1]] & same  # both rows have a time to compare
        if (step[1:] & (ds[1:] < ds[:-1])).any():
            raise Unsorted("a series is not ordered by ds")
        return np.r_[False, step[1:] & (ds[1:] == ds[:-1])]


def _first_problem(block: Rows, repeats: np.ndarray, start: int, stop: int) -> str | None:
    """The first row error in rows [start, stop), else the first repeated ds in (start, stop]."""
    bad = np.flatnonzero(block.errors[start:stop] != None)  # noqa: E711 (element-wise)
    if bad.size:
        return block.errors[start + bad[0]]
    twice = np.flatnonzero(repeats[start + 1 : stop + 1])
    return _repeat_message(block, start + 1 + twice[0]) if twice.size else None


def _repeat_message(block: Rows, row: int) -> str:
    message = f"series {block.ids[row]!r} has two values at ds={show_time(block.ds[row])}"
    before, after = block.offsets[max(row - 1, 0)], block.offsets[row]
    if np.isfinite(before) and np.isfinite(after) and before != after:  # one instant at two offsets
        now, earlier = (pd.Timestamp(block.ds[i]) for i in (row, max(row - 1, 0)))  # (in full: no date alone)
        return (
            f"series {block.ids[row]!r} has two values at ds={now}{_offset_text(after)}, the instant "
            f"{earlier}{_offset_text(before)} is; keep one value per instant"
        )
    return f"{message}; keep one value per ds"


def instants(ds: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(R,) times as read (wall-clock datetimes, or numbers) and their UTC offsets in minutes (NaN: none) ->
    what orders them: datetimes in UTC where they have an offset (a clock set back repeats a wall-clock hour,
    02:00+02:00 then 02:00+01:00), as given elsewhere; numbers as they are."""
    if ds.dtype.kind != "M" or not np.isfinite(offsets).any():
        return ds
    shift = np.nan_to_num(offsets).astype(np.int64) * np.timedelta64(60, "s")  # (R,)
    return ds.astype("datetime64[ns]") - shift


def show_time(value: Any) -> str:
    """A time as a user wrote it: 2024-01-31, 2024-01-31 06:00:00, 7, 2.5."""
    if isinstance(value, (np.datetime64, datetime.datetime)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else str(stamp)
    if isinstance(value, (float, np.floating)):  # shortest, in full: 2.5, 7, 1234567.5 (not 1.23457e+06)
        return np.format_float_positional(value, trim="-")
    return str(value)


MISSING_FIX = "fill or drop missing values"  # how a row's missing value ends its error, and only that error's
LEADING_NOTE = (
    "some series start with missing values ({first} the first): they are left out, and each such series is read "
    "from its first value"
)
TRAILING_NOTE = (
    "some series end with missing values ({first} the first): they are left out, and each such series is read to "
    "its last value, its ds the time after it"
)


def _only_missing(block: Rows, row: int) -> bool:
    """Whether the one problem of ``row`` is its missing value (its time read or not)."""
    return bool(np.isnan(block.y[row])) and str(block.errors[row]).endswith(MISSING_FIX)


def _value_missing(block: Rows) -> np.ndarray:
    """(R,) bool: the rows whose one problem is a missing value (:func:`_only_missing`)."""
    missing = np.zeros(len(block), dtype=bool)
    for row in np.flatnonzero(np.isnan(block.y) & (block.errors != None)):  # noqa: E711 (element-wise; few)
        missing[row] = _only_missing(block, int(row))
    return missing


def _missing_run(block: Rows, start: int, end: int) -> int:
    """How many of rows [start, end) at their end miss their value and have no other problem."""
    row = end - 1
    while row >= start and _only_missing(block, row):
        row -= 1
    return end - 1 - row


def _leading_run(block: Rows, start: int, end: int) -> int:
    """How many of rows [start, end) at their start miss their value and have no other problem."""
    row = start
    while row < end and _only_missing(block, row):
        row += 1
    return row - start


def _leading_missing(block: Rows, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(G,) how many rows at the start of each series [starts, ends) miss their value and have no other problem,
    where a value follows them (a series that began later than the frame's first time, as a wide file's row
    that starts after its first column); a series of nothing else keeps them (its error)."""
    leading = np.zeros(len(starts), dtype=np.int64)
    for i in np.flatnonzero(np.isnan(block.y[starts])):
        run = _leading_run(block, int(starts[i]), int(ends[i]))
        if run < ends[i] - starts[i] and np.isfinite(block.y[starts[i] + run]):  # a value after them
            leading[i] = run
    return leading


def _trailing_missing(block: Rows, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(G,) how many rows at the end of each series [starts, ends) miss their value and have no other problem
    (a metric not yet reported for its last times, as a spreadsheet's column ends); a series of nothing else
    keeps them (its error). As a wide row's trailing empty cells pad it, they are left out."""
    trailing = np.zeros(len(starts), dtype=np.int64)
    for i in np.flatnonzero(np.isnan(block.y[ends - 1])):
        run = _missing_run(block, int(starts[i]), int(ends[i]))
        if run < ends[i] - starts[i] and np.isfinite(block.y[ends[i] - 1 - run]):  # a value before them
            trailing[i] = run
    return trailing


def _series(
    block: Rows,
    starts: np.ndarray,
    ends: np.ndarray,
    repeats: np.ndarray,
    max_len: int,
    id_name: str,
    dropped: int,
    dropped_error: str | None,
    on_missing: Callable[[str, str], None],
) -> Chunk:
    """Series in rows [starts, ends) -> a chunk of their last ``max_len`` values and times, NaN-padded, with
    each series' first problem. ``dropped`` earlier rows of the first series count in its ``n_values``. Rows
    that end a series without a value are left out (:func:`_trailing_missing`), as are those that start one
    (:func:`_leading_missing`; not the first series' where ``dropped`` rows of it came before), and ``on_missing``
    is called with :data:`TRAILING_NOTE` or :data:`LEADING_NOTE` and the first such series' name (``unique_id 'a'``)."""
    trailing = _trailing_missing(block, starts, ends)
    if trailing.any():
        on_missing(TRAILING_NOTE, f"{id_name} {block.ids[starts[np.argmax(trailing > 0)]]!r}")
        ends = ends - trailing
    leading = _leading_missing(block, starts, ends)
    if dropped:
        leading[0] = 0  # (its rows before these: missing values there are a gap)
    if leading.any():
        on_missing(LEADING_NOTE, f"{id_name} {block.ids[starts[np.argmax(leading > 0)]]!r}")
        starts = starts + leading
        repeats = repeats.copy()
        repeats[starts] = False  # a first value at the time of a row left out is no second value there (round 55)
    sizes = ends - starts  # (G,)
    used = np.minimum(sizes, max_len)  # (G,)
    offset = np.repeat(np.cumsum(used) - used, used)  # (K,) where each series' kept values begin
    column = np.arange(used.sum()) - offset  # (K,) position within the series' kept values
    where = (np.repeat(np.arange(len(starts)), used), column)
    source = np.repeat(ends - used, used) + column  # (K,) the row of each kept value
    values = np.full((len(starts), int(used.max())), np.nan)  # (G, W)
    values[where] = block.y[source]
    ds = np.zeros(values.shape, dtype=block.ds.dtype)  # (G, W)
    ds[where] = block.ds[source]
    n_values = sizes.astype(np.int64)
    n_values[0] += dropped
    offsets = block.offsets[ends - 1]  # (G,) of each series' last time
    cell_offsets = None
    if np.isfinite(block.offsets[starts[0] : ends[-1]]).any():
        cell_offsets = np.full(values.shape, np.nan, dtype=np.float32)  # (G, W)
        cell_offsets[where] = block.offsets[source]
    errors = np.full(len(starts), None, dtype=object)  # (G,)
    errors[0] = dropped_error  # (rows before the first series' kept ones: its first problem, if any)
    ids = block.ids[starts]

    def flag(rows: np.ndarray, message: Callable[[Rows, int], str] | None) -> None:  # (R,) rows -> their series
        flagged = np.flatnonzero(rows[starts[0] : ends[-1]]) + starts[0]
        series = np.searchsorted(starts, flagged, side="right") - 1  # (F,) the series of each flagged row
        first_series, first = np.unique(series, return_index=True)
        inside = flagged[first] < ends[first_series]
        for i, row in zip(first_series[inside], flagged[first][inside], strict=True):
            if errors[i] is None:
                errors[i] = block.errors[row] if message is None else message(block, row)

    # each series' first problem: a row's own; times with and without an offset (their instants compare as
    # if the naive ones were in UTC: not "two values at one instant" then); a time repeated
    flag(block.errors != None, None)  # noqa: E711 (element-wise)
    if cell_offsets is not None:  # (its last time's offset would decide the next times')
        with_offset = np.isfinite(cell_offsets).sum(axis=1)  # (G,)
        for i in np.flatnonzero((with_offset > 0) & (with_offset < used) & (errors == None)):  # noqa: E711
            errors[i] = (
                f"series {ids[i]!r} has times with a UTC offset and times without one; give every time of a series "
                "an offset (2024-01-01T00:00+05:00), or none"
            )
    flag(repeats, _repeat_message)
    _mark_short(n_values, ids, errors)
    return Chunk(id_name, ids, values, n_values, ds, errors, offsets, cell_offsets)


def _mark_short(n_values: np.ndarray, ids: np.ndarray, errors: np.ndarray) -> None:
    for i in np.flatnonzero((n_values < MIN_VALUES) & (errors == None)):  # noqa: E711 (element-wise)
        errors[i] = (
            f"series {ids[i]!r} is empty (an empty line, or a row of empty cells); give it at least {MIN_VALUES} "
            "values, or drop it" if n_values[i] == 0 else  # (round 53: "got 0 values" of an empty line)
            f"expected at least {MIN_VALUES} values, got {n_values[i]} in series {ids[i]!r}; give a longer sequence"
        )


def check_rows(
    values: np.ndarray,
    ids: np.ndarray,
    errors: np.ndarray,
    late: np.ndarray | None = None,
    times: Sequence[Any] | None = None,
) -> np.ndarray:
    """(N, C) rows padded with trailing NaN (wide input) -> each row's count of values (N,); marks in
    ``errors`` (N,) each row's first problem, unless it has one already. ``late`` (N,): the empty cells each row
    had before its first value (moved to its end), so that a position names the row's cell as the file has it;
    ``times`` (C,): the columns' labels where they name times (``2020``), which then name a cell."""
    present = ~np.isnan(values)  # (N, C)
    n_values = np.where(present.any(axis=1), values.shape[1] - np.argmax(present[:, ::-1], axis=1), 0)
    gaps = np.argwhere(~present & (np.arange(values.shape[1]) < n_values[:, None]))
    infinite = np.argwhere(np.isinf(values))
    for found, message in (
        (gaps, "series {id!r} has a missing value (NaN) at {cell}, before its end; "
         "only trailing NaN may pad a row: fill or drop missing values"),
        (infinite, "series {id!r} has {value} at {cell}; numbers must be finite (|x| < 1.8e308)"),
    ):  # fmt: skip
        for row, step in found:
            if errors[row] is None:
                at = step + (late[row] if late is not None else 0)  # the cell's column, counted from 0
                cell = f"position {at + 1}" if times is None else str(times[at]).strip()
                errors[row] = message.format(id=ids[row], cell=cell, value=values[row, step])
    _mark_short(n_values, ids, errors)
    return n_values.astype(np.int64)


# ------------------------------------------------------------------------------------------ prediction


def predict_chunk(
    predictor: Predictor,
    chunk: Chunk,
    *,
    levels: Sequence[float] = (),
    steps: int = 1,
    weights: bool = False,
    strict: bool = False,
    freq: Any = None,
    month_ends: bool = False,
) -> Predicted:
    """Predict every series of ``chunk`` that has no problem; ``steps`` > 1 forecasts that many steps.
    ``freq`` (:func:`check_freq`'s): the next times' spacing; None, each series' own (:func:`next_timestamps`);
    ``month_ends``: a series that ends on a month's last day goes on on months' last days (:func:`times_by_freq`).

    A series whose prediction fails (it overflows float64) is found by halving the batch and gets the
    error; ``strict`` raises the first problem instead, in the chunk's order.
    """
    n = len(chunk.ids)
    errors = np.full(n, None, dtype=object) if chunk.errors is None else chunk.errors.copy()
    if strict and (errors != None).any():  # noqa: E711 (element-wise)
        raise ValueError(errors[np.flatnonzero(errors != None)[0]])  # noqa: E711
    level = list(levels) or None
    checked = predictor._check_levels(level)  # before any work: a bad level is no series' problem
    present = np.minimum(chunk.n_values, chunk.values.shape[1])  # (N,) values of each row in the chunk
    window, _ = keep_last(chunk.values, present, predictor.max_len)  # (N, W) each row's last values
    n_used = np.minimum(present, predictor.max_len)  # (N,)

    def predict(rows: np.ndarray) -> BatchPrediction:
        return predictor.predict_batch(
            window[rows, : n_used[rows].max()], ids=chunk.ids[rows], level=level, weights=weights
        )

    parts = isolating(predict, np.flatnonzero(errors == None), errors, strict)  # noqa: E711
    template = (
        parts[0][1] if parts else predictor.predict_batch(np.empty((0, MIN_VALUES)), level=level, weights=weights)
    )
    batch = template.joined(parts, chunk.n_values, predictor, checked, weights)
    forecast = None
    if steps > 1:
        from numseries.forecast import BatchForecast

        def forecast_rows(rows: np.ndarray) -> Any:
            windows = [window[i, : n_used[i]] for i in rows]  # (an error names the series by its id)
            return predictor.forecast_batch(windows, steps, level=level, ids=chunk.ids[rows])

        paths = np.full((n, steps), np.nan)  # (N, K)
        bounds = {value: np.full((n, steps, 2), np.nan) for value in checked}  # level -> (N, K, 2)
        for rows, part in isolating(forecast_rows, np.flatnonzero(errors == None), errors, strict):  # noqa: E711
            paths[rows] = part.values
            for value in checked:
                bounds[value][rows] = part.bounds[value]
        batch.values[errors != None] = np.nan  # noqa: E711 (a forecast that failed: no first step either)
        forecast = BatchForecast(paths, checked, bounds)
    next_ds = known = instant = None
    if freq is not None and chunk.ds is None:
        raise ValueError(
            f"freq {_freq_text(freq)} steps the series' times, and these "
            "series have none (one series per row, or down columns without a time column); leave freq out"
        )
    if chunk.ds is not None and freq is not None:
        next_ds, known, instant = times_by_freq(chunk.ds, present, steps, freq, month_ends)
    elif chunk.ds is not None:
        next_ds, known, regular = _next_times(chunk.ds, present, steps)
        if chunk.cell_offsets is not None and next_ds.dtype.kind == "M":
            instant = _in_utc(chunk.ds, chunk.cell_offsets, present, steps, next_ds, known, regular)
        _warn_dates_as_integers(chunk, present, next_ds, errors)
    if next_ds is not None and known is not None:
        lost = np.flatnonzero((errors == None) & ~known.all(axis=1))  # noqa: E711 (answered, a time unknown)
        if lost.size:
            warn_caller(
                f"{lost.size} series' next times pass what datetime64[ns] or int64 holds (2262-04-11, 2**63 - 1), "
                f"e.g. {chunk.id_name} {chunk.ids[lost[0]]!r}: their ds is left empty; forecast fewer steps"
            )
    return Predicted(chunk, batch, errors, forecast, next_ds, known, instant)


_DAY_NS = 86_400 * 10**9


def _warn_dates_as_integers(chunk: Chunk, lengths: np.ndarray, next_ds: np.ndarray, errors: np.ndarray) -> None:
    """A warning where a series' times are dates written as integers (YYYYMMDD: 20240131, or months as YYYYMM:
    202412) and stepping them as integers leaves the calendar: a next time that is no date (20240132, 202413), or
    dates a number of days apart that the series' are not (month ends, 20240229 + 29 = 20240327). Integers stay
    integers, so say how to step by the calendar."""
    if chunk.ds is None or next_ds.dtype.kind not in "iu" or not len(lengths):
        return
    rows = np.flatnonzero((errors == None) & (lengths >= 2))  # noqa: E711 (answered, with a spacing)
    last = chunk.ds[rows, lengths[rows] - 1].astype(np.int64)
    for form, low, high in (("%Y%m%d", 10000101, 99991231), ("%Y%m", 190001, 210012)):  # (100012: a count, likelier)
        dated = rows[_as_dates(last, form, low, high).notna()]  # (D,) series whose last time reads as a date
        if not dated.size:
            continue
        span = min(4, int(lengths[dated].min()))  # each series' last times, as dates, and its next ones
        seen = np.take_along_axis(chunk.ds[dated], lengths[dated, None] - np.arange(span, 0, -1), axis=1).astype(np.int64)
        ahead = next_ds[dated].astype(np.int64)  # (D, K)
        seen_days = _as_dates(seen.ravel(), form, low, high).to_numpy().reshape(seen.shape)
        ahead_days = _as_dates(ahead.ravel(), form, low, high).to_numpy().reshape(ahead.shape)
        gaps = np.diff(seen_days, axis=1)  # (D, span - 1) of NaT where a time is no date
        uneven = (gaps != gaps[:, :1]).any(axis=1) & ~np.isnat(seen_days).any(axis=1)  # months or years apart
        # ... stepped as integers onto another day of the month (month ends: 20240229 + 29 = 20240327); a
        # year or a month later on the same day (20240101 after 20230101; 202405 after 202404) is right
        day_of = seen_days.astype("datetime64[D]") - seen_days.astype("datetime64[M]").astype("datetime64[D]")
        ahead_day_of = ahead_days.astype("datetime64[D]") - ahead_days.astype("datetime64[M]").astype("datetime64[D]")
        moved = uneven & ((ahead_day_of != day_of[:, -1:]) & ~np.isnat(ahead_days)).any(axis=1)
        odd = np.flatnonzero(np.isnat(ahead_days).any(axis=1) | moved)
        if odd.size:
            i = odd[0]
            off = np.isnat(ahead_days[i]) | (moved[i] & (ahead_day_of[i] != day_of[i, -1]))  # (K,) the steps off it
            step = int(np.argmax(off))
            shape = "YYYYMMDD" if form == "%Y%m%d" else "YYYYMM"
            warn_caller(
                f"{chunk.id_name} {chunk.ids[dated[i]]!r} has times that read as dates written as integers (its last, "
                f"{seen[i, -1]}, as {shape}), and integers step as integers: its next time"
                + (f" is {ahead[i, 0]}" if step == 0 else f"s are {', '.join(map(str, ahead[i, : step + 1]))}")
                + "; write the times as dates (2024-01-31) to step by the calendar"
            )
            return


def _as_dates(values: np.ndarray, form: str, low: int, high: int) -> pd.Series:
    """Integers read as dates of ``form`` (``%Y%m%d``, ``%Y%m``) where they are one, else NaT."""
    text = pd.Series(np.where((values >= low) & (values <= high), values, 0)).astype(str)
    return pd.to_datetime(text, format=form, errors="coerce")


def _in_utc(
    ds: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    steps: int,
    times: np.ndarray,
    known: np.ndarray,
    wall_regular: np.ndarray,
) -> np.ndarray:
    """Series whose times carry UTC offsets step in UTC, not on the wall clock, where they are less than a day
    apart, in UTC and on the wall clock (an hourly series across a clock change goes on an hour at a time: on
    the wall clock, 01:00+01:00 then 03:00+02:00 are two hours apart), or regular in UTC but not on the wall
    clock (month ends at midnight UTC read in Berlin: 01:00+01:00, then 02:00+02:00 after the change, went on
    by the last wall-clock spacing, 30 days and an hour at a time); each next time written at the offset of
    its last. ``times``, ``known`` (N, K) and ``wall_regular`` (N,), :func:`_next_times` on the wall clock;
    ``times`` and ``known`` are replaced in those rows; returns (N,) bool, which they are."""
    given = np.isfinite(offsets)  # (N, W)
    shift = np.where(given, offsets, 0).astype(np.int64) * np.timedelta64(60, "s")  # (N, W) each cell's offset
    clock = ds.astype("datetime64[ns]")  # (N, W) wall-clock times
    utc = np.where(given, clock - shift, np.datetime64("NaT"))  # (N, W)
    ahead, utc_known, utc_regular = _next_times(utc, lengths, steps)  # (N, K)
    rows, last_i = np.arange(len(lengths)), np.maximum(lengths - 1, 0)
    gap = ahead[:, 0].view(np.int64) - utc[rows, last_i].view(np.int64)  # (N,) the UTC spacing
    wall = times[:, 0].view(np.int64) - clock[rows, last_i].view(np.int64)  # (N,) on the clock
    # daily data stays on the wall clock: local midnights are 23 or 25 hours apart across a clock change
    sub_daily = (np.abs(gap) < _DAY_NS) & (gap != 0) & (np.abs(wall) < _DAY_NS)
    instant = utc_known[:, 0] & known[:, 0] & (sub_daily | utc_regular & ~wall_regular)
    if instant.any():
        back = shift[rows, last_i]  # (N,) the last time's offset
        times[instant] = ahead[instant] + back[instant, None]
        known[instant] = utc_known[instant]
    return instant


# -------------------------------------------------------------------------------------------- timestamps

_DAY = np.int64(86_400 * 10**9)  # nanoseconds
HOLIDAYS = 0.1  # business-day data may skip a weekday (a holiday) in at most this share of its steps (or once)


def next_timestamps(ds: np.ndarray, lengths: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, W) times of each series' values (its first ``lengths[i]``) -> the times of the next ``steps``
    values (N, steps), and (N, steps) bool: False where unknown (fewer than 2 times, or all at one time,
    unreadable ones, or a time past what int64 or datetime64[ns] holds: 2262-04-11 or 2**63 - 1).

    Numbers (integers stay integers) and datetimes at a fixed spacing continue it; datetimes a whole number
    of calendar months apart, on the same day of the month (or a shorter month's last day: the 30th, and
    February's 29th), each on the month's last day, or each on its first or last weekday (business month
    starts and ends), continue by months (monthly, quarterly, yearly data), as do those one a month on no
    fixed day (first Fridays, the 3rd business day: :func:`_months_on_no_fixed_day`), and those that would be
    but for clocks a few hours apart (local month starts stored in UTC across a clock change: at the last time's
    clock, :func:`_months_off_the_clock`); datetimes on consecutive weekdays,
    over a weekend at least once, continue on weekdays (business days, up to three holidays together), and
    those on some days of the week, each to the next such day over two weeks or more, on those days (Monday,
    Wednesday, Friday); anything irregular repeats the most common of its last ``SPACINGS`` spacings (the
    latest of those on a tie).
    """
    times, known, _ = _next_times(ds, lengths, steps)
    return times, known


def check_freq(freq: Any) -> Any:
    """``freq`` of ``predict_df``, checked -> None (each series goes on at its own spacing), a positive int or
    float (the step of integer or float times) or a pandas ``DateOffset`` (of datetimes: ``"D"``, ``"B"``,
    ``"W-FRI"``, ``"MS"``, ``"h"``, ``"15min"``, a ``Timedelta``), as statsforecast takes ``freq``."""
    if freq is None:
        return None
    hint = "give a pandas frequency for dates ('D', 'B', 'W-FRI', 'MS', 'h'), an integer step for integer times, or leave freq out"
    if isinstance(freq, (bool, np.bool_)):
        raise ValueError(f"freq must be a frequency, got {freq!r}; {hint}")
    if isinstance(freq, np.timedelta64):  # (an np.integer too: read as the duration it is, not its count)
        freq = pd.Timedelta(freq)
    elif isinstance(freq, (int, np.integer)):
        if not 0 < freq < 2**63:
            raise ValueError(f"freq must be a positive step below 2**63, got {freq!r}; {hint}")
        return int(freq)
    elif isinstance(freq, (float, np.floating)):
        if not np.isfinite(freq) or freq <= 0:
            raise ValueError(f"freq must be a positive step, got {freq!r}; {hint}")
        return float(freq)
    if not isinstance(freq, (str, pd.DateOffset, datetime.timedelta)):
        raise ValueError(f"freq must be a frequency, got {type(freq).__name__} {freq!r}; {hint}")
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, OverflowError):
        raise ValueError(f"freq {freq!r} is no pandas frequency; {hint}") from None
    if offset.n <= 0 or type(offset) is pd.DateOffset and offset.kwds and not any(offset.kwds.values()):  # (months=0)
        raise ValueError(f"freq {freq!r} steps back or not at all; give a step forward, e.g. 'D', or leave freq out")
    return offset


_POLARS_UNITS = {
    "ns": "nanoseconds", "us": "microseconds", "ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours",
    "d": "days", "w": "weeks", "mo": "months", "q": "quarters", "y": "years", "i": "steps",
}  # fmt: skip


def polars_offset(freq: Any) -> Any:
    """``freq`` of a polars frame: a polars duration (``"1d"``, ``"1w"``, ``"1mo"``, ``"1q"``, ``"1y"``, ``"3h30m"``;
    ``"2i"``, a step of integer times) as the pandas offset that steps as polars does, which is how statsforecast
    reads ``freq`` with a polars frame; anything else as given. (Read as pandas aliases, ``"1w"`` went on on Sundays,
    ``"1q"`` and ``"1y"`` at quarter and year ends, and ``"1mo"`` was refused: adversarial round 54.)"""
    if not isinstance(freq, str):
        return freq
    parts = re.findall(r"(\d+)(ns|us|ms|mo|[smhdwqyi])", freq)
    if not parts or "".join(count + unit for count, unit in parts) != freq:
        return freq
    amounts: dict[str, int] = {}
    for count, unit in parts:
        amounts[_POLARS_UNITS[unit]] = amounts.get(_POLARS_UNITS[unit], 0) + int(count)
    if not any(amounts.values()):  # (a DateOffset of nothing is a day)
        raise ValueError(f"freq {freq!r} steps back or not at all; give a step forward, e.g. '1d', or leave freq out")
    if "steps" in amounts:  # an index count: integer times (with nothing else)
        return amounts["steps"] if len(amounts) == 1 else freq
    amounts["months"] = amounts.get("months", 0) + 3 * amounts.pop("quarters", 0) + 12 * amounts.pop("years", 0)
    return pd.DateOffset(**{name: amount for name, amount in amounts.items() if amount})


class FreqMismatch(ValueError):
    """A ``freq`` that cannot step the times (a frequency of dates for integer times)."""


def check_freq_steps(freq: Any, kind: str) -> None:
    """A checked ``freq`` and the NumPy kind of the times it steps ('M' datetimes, 'i' integers, 'f' floats):
    a ValueError where it cannot step them (a frequency of dates for integer times, a float step for integers)."""
    if freq is None or (kind == "M") == isinstance(freq, pd.DateOffset) and (kind not in "iu" or isinstance(freq, int)):
        return
    held = "dates" if kind == "M" else "integers" if kind in "iu" else "numbers"
    want = {"dates": "a pandas frequency such as 'D'", "integers": "an integer step such as 1", "numbers": "a number"}[held]
    raise FreqMismatch(f"freq {_freq_text(freq)} does not step the time column, which holds {held}; give {want}, or leave freq out")


def _freq_text(freq: Any) -> str:
    """A checked ``freq`` as a message quotes it: 'D' for a pandas offset (not <Day>), 5 for a step; 'YS', not
    the 'YS-JAN' pandas makes of it (round 54), where its anchor is the default one."""
    if not isinstance(freq, pd.DateOffset):
        return repr(freq)
    text, _, anchor = freq.freqstr.rpartition("-")
    try:
        return repr(text if anchor and text and pd.tseries.frequencies.to_offset(text) == freq else freq.freqstr)
    except ValueError:  # (a prefix that is no frequency alone)
        return repr(freq.freqstr)


def times_by_freq(
    ds: np.ndarray, lengths: np.ndarray, steps: int, freq: Any, month_ends: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) times of each series' values (its first ``lengths[i]``) and a checked ``freq`` -> the times of
    the next ``steps`` values (N, K), each ``k * freq`` after the series' last time as statsforecast steps
    them (an anchored frequency first goes onto its anchor: 'W-FRI' after a Thursday is that Friday), (N, K)
    bool: False where unknown (no time read, or past what int64 or datetime64[ns] holds), and (N,) bool:
    stepped as instants (a fixed duration, '24h' too: an hourly series goes on through a clock change; a day,
    'D', is a calendar day in a time zone's column, as pandas 3 adds it). ``month_ends`` (a polars frame's
    ``"1mo"``, a ``DateOffset`` of months): a series whose last time is its month's last day goes on on months'
    last days (05-31 after 04-30, not 05-30), as statsforecast steps a polars frame whose times end months."""
    rows, ahead = np.arange(len(lengths)), np.arange(1, steps + 1, dtype=np.int64)
    last = ds[rows, np.maximum(lengths - 1, 0)]  # (N,)
    has = lengths >= 1  # (N,)
    instant = np.zeros(len(lengths), dtype=bool)
    check_freq_steps(freq, ds.dtype.kind)
    if ds.dtype.kind == "f":
        times = _to_recording(last[:, None] + freq * ahead, np.stack([last, last + freq], axis=1))
        return times, has[:, None] & np.isfinite(times), instant
    if ds.dtype.kind in "iu":
        numbers = last.astype(np.int64)
        with np.errstate(over="ignore"):
            times, fits = _stepped(numbers, numbers - freq, ahead)
        return times, has[:, None] & (numbers != _NAT)[:, None] & fits, instant
    ns = last.astype("datetime64[ns]").view(np.int64)  # (N,)
    read = has & (ns != _NAT)
    if isinstance(freq, pd.offsets.Tick):  # a fixed spacing: in nanoseconds, its overflow found
        with np.errstate(over="ignore"):
            times, fits = _stepped(ns, np.where(read, ns, 0) - freq.nanos, ahead)
        instant[:] = not isinstance(freq, pd.offsets.Day)
    else:
        times = np.full((len(ns), steps), _NAT, dtype=np.int64)
        lasts, back = np.unique(ns, return_inverse=True)  # a panel's series mostly end together: each end once
        ends = np.zeros(len(lasts), dtype=bool)  # (U,) last times on their month's last day, where they go on so
        if month_ends:
            day = lasts.view("datetime64[ns]").astype("datetime64[D]")
            ends = (lasts != _NAT) & ((day + 1).astype("datetime64[M]") != day.astype("datetime64[M]"))
        for k in ahead.tolist():
            shifted = _shifted(lasts, k * freq)
            if ends.any():
                shifted[ends] = _shifted(lasts[ends], pd.offsets.MonthEnd(k * freq.kwds.get("months", 0)))
            times[:, k - 1] = shifted[back]
        # each later than the one before (pandas adds a week past 2262 without a word: 1677-09-22)
        fits = (times != _NAT) & (times > np.concatenate([ns[:, None], times[:, :-1]], axis=1))
        fits = np.logical_and.accumulate(fits, axis=1)
    known = read[:, None] & fits
    times[~known] = _NAT
    return times.view("datetime64[ns]"), known, instant & read


def _shifted(ns: np.ndarray, offset: pd.DateOffset) -> np.ndarray:
    """(N,) int64 ns times (int64's least: NaT) plus a calendar ``offset`` -> (N,) int64 ns, NaT where one
    passes what datetime64[ns] holds (pandas raises for the whole lot then: each is tried alone)."""
    index = pd.DatetimeIndex(ns.view("datetime64[ns]"))
    with warnings.catch_warnings():  # a custom business day is added one by one: pandas says so
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        try:
            return (index + offset).to_numpy(dtype="datetime64[ns]").view(np.int64)
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            out = np.full(len(ns), _NAT, dtype=np.int64)
            for i, stamp in enumerate(index):
                try:
                    out[i] = (stamp + offset).as_unit("ns").value
                except (OverflowError, pd.errors.OutOfBoundsDatetime, ValueError):
                    pass  # past 2262: unknown
            return out


def _next_times(ds: np.ndarray, lengths: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`next_timestamps`, and (N,) bool: which series of datetimes are regular, each a whole number of
    calendar months, a business day or one spacing after the one before (not repeating a last spacing)."""
    rows = np.arange(len(lengths))
    last_i, prev_i = np.maximum(lengths - 1, 0), _previous(ds, lengths)
    spaced = (lengths >= 2) & (ds[rows, last_i] != ds[rows, prev_i])  # (N,) a series all at one time has no spacing
    if ds.dtype.kind in "iuM":  # a time unread (int64's least, NaT): its series' next times are not guessed
        cells = np.arange(ds.shape[1]) < lengths[:, None]  # (N, W)
        spaced &= ~((ds.view(np.int64) == _NAT) & cells).any(axis=1)
    regular = np.zeros(len(lengths), dtype=bool)
    ahead = np.arange(1, steps + 1, dtype=np.int64)  # (K,)
    if ds.dtype.kind == "f":
        times, fits = _next_floats(ds, lengths, prev_i, ahead)
        return times, spaced[:, None] & fits, regular
    if ds.dtype.kind != "M":
        numbers = ds.astype(np.int64)
        base, spacing = _grid_base(numbers, lengths, _common_spacing(numbers, lengths, numbers[rows, prev_i]))
        times, fits = _stepped(base, base - spacing, ahead)
        return times, spaced[:, None] & fits, regular
    ds = ds.astype("datetime64[ns]")
    unknown = ~spaced | np.isnat(ds[rows, last_i]) | np.isnat(ds[rows, prev_i])  # (N,)
    ns = ds.view(np.int64)  # (N, W)
    # the most common recent spacing, repeated (a day missed is no 2-day series) on the grid most times keep
    base, spacing = _grid_base(ns, lengths, _common_spacing(ns, lengths, ns[rows, prev_i]))
    times, fits = _stepped(base, base - spacing, ahead)  # (N, K)
    day, clock, month, at_end = _calendar(ds)
    monthly, by_month, month_fits = _monthly(ds, day, clock, month, at_end, lengths, ahead)
    times = np.where(monthly[:, None], by_month, times)
    fits = np.where(monthly[:, None], month_fits, fits)
    drifted, by_month, month_fits = _months_off_the_clock(ns, clock, lengths, ahead, ~monthly & ~unknown)
    times[drifted], fits[drifted] = by_month, month_fits  # (not regular: on the clock of the last time only)
    semi, by_half, half_fits = _semi_monthly(day, clock, month, lengths, ahead)
    times = np.where(semi[:, None], by_half, times)
    fits = np.where(semi[:, None], half_fits, fits)
    monthly |= semi  # (regular: whole steps of the calendar)
    business, by_weekday = _business_days(day, clock, lengths, ahead)
    times = np.where(business[:, None], by_weekday, times)
    fits |= business[:, None]  # a weekday within years of the last fits datetime64[ns]
    known = ~unknown[:, None] & fits & (times != _NAT)  # (N, K)
    times[~known] = _NAT
    pairs = np.arange(ds.shape[1] - 1) < (lengths - 1)[:, None]  # (N, W-1)
    with np.errstate(over="ignore"):
        even = np.where(pairs, np.diff(ns, axis=1) == (ns[rows, last_i] - ns[rows, prev_i])[:, None], True).all(axis=1)
    return times.view("datetime64[ns]"), known, ~unknown & (monthly | business | even)


def _calendar(ds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) datetime64[ns] times -> (N, W) each: their days (datetime64[D]), ns into the day, months since
    1970-01, and whether each is on its month's last day."""
    with np.errstate(invalid="ignore", over="ignore"):
        day = ds.astype("datetime64[D]")  # (N, W)
        clock = ds.view(np.int64) - day.astype("datetime64[ns]").view(np.int64)  # (N, W) ns into the day
        month = ds.astype("datetime64[M]").view(np.int64)  # (N, W) months since 1970-01
        at_end = (day + np.timedelta64(1, "D")).astype("datetime64[M]").view(np.int64) != month  # its month's last day
    return day, clock, month, at_end


CLOCK_SHIFT = 3 * 3600 * 10**9  # ns: times a month or more apart at clocks this near go on by the calendar


def _months_off_the_clock(
    ns: np.ndarray, clock: np.ndarray, lengths: np.ndarray, ahead: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) int64 ns times and their ns into the day, (N,) lengths, (K,) steps ahead and (N,) the series
    still free -> the series among them (R,) int64 indices that step by calendar months where each time is
    moved to the last time's clock (a few hours at most: ``CLOCK_SHIFT``), their (R, K) next times at that
    clock, and (R, K) bool: False where past datetime64[ns]. Local month starts stored in UTC across a clock
    change (23:00 in winter, 22:00 in summer, the day before) went on every 31 days (round 65a)."""
    rows = np.arange(len(lengths))
    last_clock = clock[rows, np.maximum(lengths - 1, 0)]  # (N,)
    cells = np.arange(ns.shape[1]) < lengths[:, None]  # (N, W)
    pairs = cells[:, 1:]  # (N, W-1)
    with np.errstate(over="ignore"):
        off = np.mod(clock - last_clock[:, None] + _DAY // 2, _DAY) - _DAY // 2  # (N, W) ns from it, -12 to 12 hours
        apart = np.where(pairs, np.diff(ns, axis=1) >= 27 * _DAY, True).all(axis=1)  # (N,) a month or more apart
    near = np.where(cells, np.abs(off) <= CLOCK_SHIFT, True).all(axis=1)
    drifted = np.flatnonzero(free & apart & near & (cells & (off != 0)).any(axis=1) & (lengths >= 2))
    if not drifted.size:
        return drifted, np.zeros((0, len(ahead)), dtype=np.int64), np.zeros((0, len(ahead)), dtype=bool)
    with np.errstate(over="ignore"):
        midnight = ns[drifted] - off[drifted] - last_clock[drifted, None]  # (R, W) each time's day, at 00:00
    midnight = np.where(cells[drifted], midnight, _NAT).view("datetime64[ns]")
    monthly, times, fits = _monthly(midnight, *_calendar(midnight), lengths[drifted], ahead)
    at = last_clock[drifted[monthly], None]  # (R, 1)
    with np.errstate(over="ignore"):
        times = times[monthly] + at  # (R, K)
    return drifted[monthly], times, fits[monthly] & (times >= at)  # (not wrapped round past int64)


_NAT = np.iinfo(np.int64).min  # NaT as int64 nanoseconds
_INT64_MAX = np.iinfo(np.int64).max
SPACINGS = 8  # a series that is not regular goes on by the most common of its last this many spacings


def _common_spacing(values: np.ndarray, lengths: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """(N, W) int64 times (steps or ns; int64's least where unread), (N,) lengths and (N,) each series'
    previous time (:func:`_previous`) -> (N,) the spacing to go on by: the most common of the series' last
    ``SPACINGS`` spacings, the latest of those on a tie (a daily series missing its last day but one goes on
    daily, not every 2 days; 1 3 6 by 3, as before); where none is readable, the last one (last - previous)."""
    n, width = values.shape
    rows = np.arange(n)
    last = values[rows, np.maximum(lengths - 1, 0)]
    k = min(SPACINGS, width - 1)
    if k < 1 or not n:
        return last - previous
    later = np.maximum(lengths - 1, 0)[:, None] - np.arange(k)[::-1][None, :]  # (N, k) oldest pair first
    valid = later >= 1
    later = np.maximum(later, 1)
    a, b = values[rows[:, None], later], values[rows[:, None], later - 1]  # (N, k)
    with np.errstate(over="ignore"):
        spacing = a - b
    valid &= (a != _NAT) & (b != _NAT) & (spacing != 0) & (((a ^ b) & (a ^ spacing)) >= 0)  # read, moved, not wrapped
    best, _ = _most_common(spacing, valid)
    with np.errstate(over="ignore"):
        return np.where(valid[rows, best], spacing[rows, best], last - previous)


def _most_common(values: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, k) values, oldest first, and which count -> (N,) the index of each row's most common valid value (the
    latest on a tie; any where none is valid) and (N,) how many of the row's valid values equal it."""
    k = values.shape[1]
    counts = ((values[:, :, None] == values[:, None, :]) & valid[:, None, :]).sum(axis=2)  # (N, k)
    best = np.where(valid, counts * (k + 1) + np.arange(k)[None, :], -1).argmax(axis=1)
    return best, counts[np.arange(len(values)), best]


def _grid_base(values: np.ndarray, lengths: np.ndarray, spacing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, W) int64 times, (N,) lengths and spacings -> (N,) the time one spacing before each series' next one,
    and the spacings: where all but one of the series' last ``SPACINGS`` + 1 times (at least 4 of them) keep
    the grid of that spacing, the last time stands for the point of it nearest to it and the next is one
    spacing after that point, so weekly Friday data with one report on a Thursday goes on on the next week's
    Friday, and 0 10 20 30 39 on 50 (round 65a: on 40, an hour after a daily series' last time an hour early);
    halfway between two points, the earlier, unless the series has a time there; otherwise it goes on from its
    last time."""
    n, width = values.shape
    rows = np.arange(n)
    last = values[rows, np.maximum(lengths - 1, 0)]
    k = min(SPACINGS + 1, width)
    if not n or k < 2:
        return last, spacing
    at = np.maximum(lengths - 1, 0)[:, None] - np.arange(k)[::-1][None, :]  # (N, k) oldest first
    valid = at >= 0
    times = values[rows[:, None], np.maximum(at, 0)]  # (N, k)
    positive = spacing > 0  # (N,) a grid only for a spacing forward
    step = np.where(positive, spacing, 1)[:, None]
    valid &= (times != _NAT) & positive[:, None]
    residue = np.mod(times, step)  # (N, k) where each time falls on its series' grid
    best, kept = _most_common(residue, valid)
    keep = residue[rows, best]  # (N,) the grid most keep
    ahead = np.mod(keep - np.mod(last, step[:, 0]), step[:, 0])  # (N,) from the last time to the grid: 0 on it
    # a grid at least 4 times keep, and all but one (Mon Wed Fri Mon keeps no 2-day grid: it goes on by 2 days)
    onto = positive & (kept >= 4) & (kept >= valid.sum(axis=1) - 1) & (ahead > 0)
    with np.errstate(over="ignore"):
        before = last + ahead - spacing  # (N,) the grid's point before the last time
        taken = (valid & (times == before[:, None])).any(axis=1)  # (N,) the series has a time there
        # nearer the point after it (halfway: where the series has one before); one past int64's end is none
        after = ((2 * ahead < step[:, 0]) | (2 * ahead == step[:, 0]) & taken) & (last <= _INT64_MAX - ahead)
        return np.where(onto, np.where(after, last + ahead, before), last), spacing


def _previous(ds: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) times, (N,) lengths -> (N,) the index of each series' last time other than its last one: the
    one before it, except where a series repeats its last time (two values at one ds: the series is
    refused, and the times of its rows go on from its last real spacing, not at that one time again)."""
    rows = np.arange(len(lengths))
    last_i = np.maximum(lengths - 1, 0)
    before = np.arange(ds.shape[1])[None, :] < last_i[:, None]  # (N, W)
    differs = (ds != ds[rows, last_i][:, None]) & before  # (N, W)
    latest = ds.shape[1] - 1 - np.argmax(differs[:, ::-1], axis=1)  # (N,) the last such index
    return np.where(differs.any(axis=1), latest, np.maximum(lengths - 2, 0))


def _next_floats(ds: np.ndarray, lengths: np.ndarray, prev_i: np.ndarray, ahead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, W) float times (NaN where unread), (N,) lengths and each series' previous time's index, (K,) steps
    ahead -> (N, K) the next times and (N, K) bool: False where one is not finite. Times written to some
    decimals (whole numbers: years as 2000.0; 0.5 steps) go on as integer times do, in units of their last
    decimal (the most common recent spacing, back on the grid: round 65a, they went on by their last spacing
    alone, 2000.0 ... 2003.0 2005.0 by 2 where 2000 ... 2003 2005 went on by 1); the rest (1/3, 2/3, 1.0,
    4/3: no decimals, each spacing a little off the others) by their last spacing."""
    rows = np.arange(len(lengths))
    last_i = np.maximum(lengths - 1, 0)
    last, prev = ds[rows, last_i], ds[rows, prev_i]
    times = _to_recording(last[:, None] + (last - prev)[:, None] * ahead, np.stack([prev, last], axis=1))  # (N, K)
    cells = np.arange(ds.shape[1]) < lengths[:, None]  # (N, W)
    given = np.where(cells, ds, 0.0)  # (N, W)
    with np.errstate(invalid="ignore", over="ignore"):
        decimals = recorded_decimals(np.nan_to_num(given, nan=0.0, posinf=0.0, neginf=0.0), lengths)  # (N,)
        scale = 10.0 ** np.maximum(decimals, 0)  # (N,)
        units = given * scale[:, None]  # (N, W) the times in units of their last decimal
        exact = np.where(np.isnan(units), 0.0, np.abs(units)).max(axis=1, initial=0.0) < 2**53  # (N,) held exactly
    steady = np.flatnonzero((decimals >= 0) & exact & (lengths >= 2))  # (S,)
    if steady.size:
        whole = units[steady]  # (S, W)
        numbers = np.where(np.isnan(whole), _NAT, np.round(np.nan_to_num(whole))).astype(np.int64)  # NaN: unread
        length, before = lengths[steady], numbers[np.arange(len(steady)), prev_i[steady]]
        base, spacing = _grid_base(numbers, length, _common_spacing(numbers, length, before))
        stepped, fits = _stepped(base, base - spacing, ahead)  # (S, K)
        times[steady] = np.where(
            fits, _to_recording(stepped / scale[steady, None], np.stack([prev, last], axis=1)[steady]), np.nan
        )
    return times, np.isfinite(times)


def _to_recording(times: np.ndarray, given: np.ndarray) -> np.ndarray:
    """(N, K) float times, each row rounded to the decimals its (N, 2) ``given`` times are written to (0.1,
    0.2 -> 0.3, 0.4, not 0.30000000000000004, 0.4000000000000001); rows of no such decimals as they are."""
    with np.errstate(invalid="ignore"):
        decimals = recorded_decimals(np.nan_to_num(given, nan=0.0, posinf=0.0, neginf=0.0), np.full(len(given), 2))
    out = times.copy()
    for places in np.unique(decimals[decimals >= 0]).tolist():
        rows = decimals == places
        out[rows] = np.round(times[rows], places)
    return out


def _stepped(last: np.ndarray, prev: np.ndarray, ahead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,) int64 last and previous times -> ``last + (last - prev) * ahead`` (N, K), and (N, K) bool: False
    where any part of that overflows int64. NumPy wraps round silently (2**63 + 1 becomes -2**63 + 1): a
    wrapped time is a wrong time, so it is found and marked unknown instead."""
    with np.errstate(over="ignore"):
        spacing = last - prev  # (N,)
        offset = spacing[:, None] * ahead  # (N, K)
        times = last[:, None] + offset  # (N, K)
    fits = ((last ^ prev) & (last ^ spacing)) >= 0  # a - b wrapped: a, b differ in sign and a - b has b's
    fits = fits[:, None] & (offset // ahead == spacing[:, None])  # a product that wrapped is no multiple
    return times, fits & (((last[:, None] ^ times) & (offset ^ times)) >= 0)  # a + b wrapped: sign of neither


def _monthly(
    ds: np.ndarray, day: np.ndarray, clock: np.ndarray, month: np.ndarray, at_end: np.ndarray, lengths: np.ndarray,
    ahead: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) datetime64[ns] times, their days, ns into the day, months since 1970-01 and whether each is on its
    month's last day -> which series step by whole calendar months (N,) bool, their next times by months (N, K)
    int64 ns, and (N, K) bool: False where such a time is past what datetime64[ns] holds (NumPy wraps it round
    silently)."""
    rows = np.arange(len(lengths))
    last_i, prev_i = np.maximum(lengths - 1, 0), np.maximum(lengths - 2, 0)
    width = ds.shape[1]
    with np.errstate(invalid="ignore", over="ignore"):
        into = ds.view(np.int64) - month.astype("datetime64[M]").astype("datetime64[ns]").view(np.int64)  # ns into month
        cells = np.arange(width) < lengths[:, None]  # (N, W)
        pairs = np.arange(width - 1) < (lengths - 1)[:, None]  # (N, W-1)
        months = _common_spacing(month, lengths, month[rows, prev_i])  # (N,) the most common recent spacing

        def constant(a: np.ndarray) -> np.ndarray:
            return np.asarray(np.where(pairs, a[:, 1:] == a[:, :-1], True).all(axis=1))

        # months apart, on one day of the month: by the most common of the last spacings in months where one
        # is missed (2024Q1, 2024Q2, 2024Q4 go on to 2025Q2: the latest on a tie), as other times go on
        even = np.where(pairs, np.diff(month, axis=1) > 0, True).all(axis=1) & (months > 0)
        ends = np.where(cells, at_end, True).all(axis=1) & constant(clock)  # (N,) each on its month's last day
        # each on one day of the month, or on a shorter month's last day (the 30th, then February's 29th)
        date = day.view(np.int64)  # (N, W) days since 1970-01-01
        starts = month.astype("datetime64[M]").astype("datetime64[D]").view(np.int64)  # (N, W) its month's first day
        length = (month + 1).astype("datetime64[M]").astype("datetime64[D]").view(np.int64) - starts  # (N, W) its days
        nth = np.where(cells, date - starts, -1)  # (N, W) 0 on the 1st
        latest = nth.max(axis=1)  # (N,) the day of the month they keep, where a month has it
        clamped = np.where(cells, nth == np.minimum(latest[:, None], length - 1), True).all(axis=1) & constant(clock)
        calendar = even & (lengths >= 2) & (ends | constant(into) | clamped)
        # each on its month's first weekday, or each on its last (business month starts, ends: 2024-06-03 as
        # June 1st is a Saturday), where no calendar day of the month is kept
        maybe = np.flatnonzero(even & (lengths >= 2) & ~calendar & constant(clock))
        business_start, business_end = np.zeros(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool)
        if maybe.size:
            month_days = starts[maybe].astype("datetime64[D]"), (starts + length - 1)[maybe].astype("datetime64[D]")
            on = np.where(cells[maybe], date[maybe], 0)  # (R, W)
            for found, edge, forward in ((business_start, month_days[0], True), (business_end, month_days[1], False)):
                found[maybe] = np.where(cells[maybe], on == _weekday(edge, forward).view(np.int64), True).all(axis=1)
        monthly = calendar | business_start | business_end
        target = month[rows, last_i][:, None] + months[:, None] * ahead  # (N, K) months since 1970-01
        first = target.astype("datetime64[M]").astype("datetime64[ns]").view(np.int64)  # (N, K)
        last_day = (target + 1).astype("datetime64[M]").astype("datetime64[ns]").view(np.int64) - _DAY
        on_end = last_day + clock[rows, last_i][:, None]
        kept = latest * _DAY + clock[rows, last_i]  # (N,) ns into the month of the day they keep
        # the 31st of a 30-day month: its last day
        on_day = np.minimum(first + np.where(clamped, kept, into[rows, last_i])[:, None], on_end)
        times = np.where(ends[:, None], on_end, on_day)  # (N, K)
        for found, edge, forward in ((business_start, first, True), (business_end, on_end, False)):
            if found.any():
                weekday = _weekday(edge[found].view("datetime64[ns]").astype("datetime64[D]"), forward)  # (R, K)
                times[found] = weekday.astype("datetime64[ns]").view(np.int64) + clock[rows[found], last_i[found]][:, None]
        # all but one of the last times on one day of the month, its last day, or its first or last weekday (at
        # least 4): one report a day or two off (a holiday) left every time to day steps that drift (round 54)
        # (one time a day off into its neighbour's month shares that month with it: one step of 0 months at most)
        shared = np.where(pairs, np.diff(month, axis=1) <= 0, False).sum(axis=1)  # (N,)
        loose = np.flatnonzero((months > 0) & (shared <= 1) & (lengths >= 4) & ~monthly)
        if loose.size:
            found, found_times, found_target = _months_but_one(
                date[loose], nth[loose], clock[loose], starts[loose], length[loose], at_end[loose], month[loose],
                lengths[loose], months[loose], ahead,
            )
            monthly[loose[found]] = True
            times[loose[found]] = found_times[found]
            target[loose[found]] = found_target[found]
        # one time a calendar month (or every few), on no fixed day of it: first Fridays, the 3rd business day,
        # report dates a few days apart (round 65a: they went on by days, twice in a month or onto a weekend)
        gaps = np.diff(date, axis=1)  # (N, W-1) days between times
        # each a few days of the month from the one before, counted from the month's start or from its end
        # (the last Friday: the 22nd to the 31st)
        near = (np.abs(np.diff(nth, axis=1)) <= MONTH_SLACK) | (np.abs(np.diff(length - nth, axis=1)) <= MONTH_SLACK)
        spread = (pairs[:, 1:] & (gaps[:, 1:] != gaps[:, :-1])).any(axis=1)  # (N,) not every 28 days: that goes on so
        odd = ~monthly & even & (lengths >= 3) & constant(clock) & spread & np.where(pairs, near, True).all(axis=1)
        odd = np.flatnonzero(odd)
        if odd.size:
            monthly[odd] = True
            target[odd] = month[odd, last_i[odd]][:, None] + months[odd, None] * ahead
            times[odd] = _months_on_no_fixed_day(
                date[odd], nth[odd], starts[odd], length[odd], cells[odd], lengths[odd], target[odd]
            ) + clock[odd, last_i[odd]][:, None]
        fits = times.view("datetime64[ns]").astype("datetime64[M]").view(np.int64) == target  # not wrapped round
    return monthly, times, fits


def _months_but_one(
    date: np.ndarray, nth: np.ndarray, clock: np.ndarray, starts: np.ndarray, length: np.ndarray, at_end: np.ndarray,
    month: np.ndarray, lengths: np.ndarray, months: np.ndarray, ahead: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_monthly`'s rule for series (R,) some months apart of which all but one of the last ``SPACINGS`` + 1
    times (at least 4) keep one place in the month, at one time of day: a day of the month (on a shorter month's
    last day where it has none), its last day, or its first or last weekday. (R, W) each: the times' days since
    1970-01-01, days into their month (0 on the 1st), ns into their day, their months' first days and lengths in
    days, whether on their month's last day, and their months since 1970-01; (R,) the months between times,
    (K,) the steps ahead -> (R,) bool: the series that keep one, (R, K) int64 ns: their next times at that
    place, and (R, K) the months of those (since 1970-01), counted on from the last time that keeps the place
    (a last one a day late, in the next month, is the month after the one before it: round 55)."""
    n = len(lengths)
    rows = np.arange(n)
    k = min(SPACINGS + 1, date.shape[1])
    at = lengths[:, None] - k + np.arange(k)[None, :]  # (R, k) the last k times, oldest first
    valid = at >= 0
    at = np.maximum(at, 0)

    def last(a: np.ndarray) -> np.ndarray:
        return np.asarray(a[rows[:, None], at])  # (R, k)

    date_k, nth_k, clock_k, length_k, end_k = last(date), last(nth), last(clock), last(length), last(at_end)
    start_k = last(starts)
    need = np.maximum(4, valid.sum(axis=1) - 1)  # all but one of the last times, at least 4
    hour, _ = _most_common(clock_k, valid)
    hour = clock_k[rows, hour]  # (R,) the time of day most keep
    valid &= clock_k == hour[:, None]
    mode, _ = _most_common(nth_k, valid)
    days = np.stack([nth_k[rows, mode], np.where(valid, nth_k, -1).max(axis=1)], axis=1)  # (R, 2) the day most
    # keep, and the latest (the 31st, kept in months that have one: the 30th in those that do not)
    on_day = valid[:, None, :] & (nth_k[:, None, :] == np.minimum(days[:, :, None], length_k[:, None, :] - 1))
    counts = on_day.sum(axis=2)  # (R, 2)
    pick = (counts[:, 1] >= counts[:, 0]).astype(np.intp)  # (R,) the latest where it keeps as many
    day = days[rows, pick]  # (R,)
    on_end = valid & end_k
    month_first = start_k.astype("datetime64[D]")
    month_last = (start_k + length_k - 1).astype("datetime64[D]")
    on_first = valid & (date_k == _weekday(month_first, True).view(np.int64))
    on_last = valid & (date_k == _weekday(month_last, False).view(np.int64))
    by_day = counts.max(axis=1) >= need
    by_end, by_first, by_last = (on.sum(axis=1) >= need for on in (on_end, on_first, on_last))
    kept = np.where(  # (R, k) the times that keep the place taken (as below: the month's end first)
        by_end[:, None], on_end, np.where(by_day[:, None], on_day[rows, pick], np.where(by_first[:, None], on_first, on_last))
    )  # fmt: skip
    latest = k - 1 - np.argmax(kept[:, ::-1], axis=1)  # (R,) the last of them
    target = last(month)[rows, latest][:, None] + months[:, None] * ((k - 1 - latest)[:, None] + ahead[None, :])  # (R, K)
    first = target.astype("datetime64[M]").astype("datetime64[ns]").view(np.int64)  # (R, K)
    last_day = (target + 1).astype("datetime64[M]").astype("datetime64[ns]").view(np.int64) - _DAY
    times = np.minimum(first + day[:, None] * _DAY, last_day)  # (R, K) on the day, or the month's last
    times = np.where(by_end[:, None], last_day, times)
    weekdays = ~by_end & ~by_day
    for found, edge, forward in ((weekdays & by_first, first, True), (weekdays & ~by_first & by_last, last_day, False)):
        if found.any():
            times[found] = _weekday(edge[found].view("datetime64[ns]").astype("datetime64[D]"), forward).astype(
                "datetime64[ns]"
            ).view(np.int64)
    return by_day | by_end | by_first | by_last, times + hour[:, None], target


MONTH_SLACK = 7  # days: monthly data on no fixed day of the month keeps its days of the month this near


def _day_of_week(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (int64, any shape) -> their weekdays, 0 on Monday: 1970-01-01 was a Thursday."""
    return (days + 3) % 7


def _months_on_no_fixed_day(
    date: np.ndarray, nth: np.ndarray, starts: np.ndarray, length: np.ndarray, cells: np.ndarray, lengths: np.ndarray,
    target: np.ndarray,
) -> np.ndarray:
    """:func:`_monthly`'s rule for series (R,) one time a calendar month or every few, on no fixed day of it: each
    next time in its (R, K) ``target`` month (months since 1970-01) on the place every given time keeps, as
    pandas' offsets find it: one weekday of one week of the month (``WeekOfMonth``: first Fridays, 2nd
    Tuesdays) or of its last (``LastWeekOfMonth``), else the k-th business day (``BusinessDay``), else the
    day of the month most of them are on, or the day before its end most are on where more are (the latest on
    a tie; a shorter month's last day where it has none),
    moved off a weekend to the month's nearest weekday where none of them is on one. (R, W) each: the times'
    days since 1970-01-01, days into their month (0 on the 1st), their months' first days and lengths in days,
    and which are the series'; (R,) lengths -> (R, K) int64 ns, the next times at midnight."""
    at = np.arange(len(lengths))
    last_i = lengths - 1
    date = np.where(cells, date, date[at, last_i][:, None])  # (R, W) padding as the last time
    nth = np.where(cells, nth, nth[at, last_i][:, None])
    length = np.where(cells, length, length[at, last_i][:, None])
    start = np.where(cells, starts, starts[at, last_i][:, None]).astype("datetime64[D]")
    days = date.astype("datetime64[D]")
    weekday = _day_of_week(date)  # (R, W) 0 on Monday
    workday = np.busday_count(start, days) + 1  # (R, W) the how-manieth weekday of its month, where it is one

    def kept(a: np.ndarray) -> np.ndarray:
        return np.asarray((a == a[at, last_i][:, None]).all(axis=1))  # (R,) every time's as the last's

    by_week = kept(weekday) & kept(nth // 7) & (nth[at, last_i] // 7 <= 3)  # (R,) pandas' weeks: 0 to 3
    by_last_week = ~by_week & kept(weekday) & (length - nth <= 7).all(axis=1)
    by_workday = ~by_week & ~by_last_week & np.is_busday(days).all(axis=1) & kept(workday)
    by_workday &= workday[at, last_i] < 20  # (R,) a month has 20 weekdays at least
    first = target.astype("datetime64[M]").astype("datetime64[ns]").view(np.int64)  # (R, K)
    days_in = np.diff(np.stack([target, target + 1]).astype("datetime64[M]").astype("datetime64[D]").view(np.int64), axis=0)[0]
    to_end = length - 1 - nth  # (R, W) days before the month's last (local month ends stored in UTC: 1)
    (mode, count), (end_mode, end_count) = _most_common(nth, cells), _most_common(to_end, cells)
    on_day = np.minimum(nth[at, mode][:, None], days_in - 1)  # (R, K) days into the month: that day, or the last
    from_end = np.maximum(days_in - 1 - to_end[at, end_mode][:, None], 0)  # (R, K) or as many days before its end
    times = first + np.where((end_count > count)[:, None], from_end, on_day) * _DAY  # (R, K)
    weekdays = np.asarray(~(cells & (weekday >= 5)).any(axis=1))[:, None]  # (R, 1) none on a weekend: none goes on on one
    on = times.view("datetime64[ns]").astype("datetime64[D]")
    saturday, sunday = (weekdays & (_day_of_week(on.view(np.int64)) == weekend) for weekend in (5, 6))  # (R, K)
    # to the nearest weekday of the month: Saturday to Friday, Sunday to Monday (unless that leaves the month)
    times[saturday] = np.busday_offset(on[saturday], 0, roll="modifiedpreceding").astype("datetime64[ns]").view(np.int64)
    times[sunday] = np.busday_offset(on[sunday], 0, roll="modifiedfollowing").astype("datetime64[ns]").view(np.int64)
    kind = np.select([by_week, by_last_week, by_workday], [0, 1, 2], -1)  # (R,) -1: on the day most are on
    keys = np.stack([kind, np.where(by_week, nth[at, last_i] // 7, 0), np.where(kind < 2, weekday[at, last_i], 0),
                     np.where(by_workday, workday[at, last_i], 0)], axis=1)  # (R, 4) each row's offset, as numbers
    for key in np.unique(keys[kind >= 0], axis=0):
        rows = np.flatnonzero((keys == key).all(axis=1))
        eve = (first[rows] - _DAY).ravel()  # (G * K,) each month's eve: the offset's first day after it is the one
        times[rows] = _shifted(eve, _month_offset(*key.tolist())).reshape(len(rows), -1)
    return times


def _month_offset(kind: int, week: int, weekday: int, workday: int) -> pd.DateOffset:
    """:func:`_months_on_no_fixed_day`'s place in the month as pandas' offset: 0, the ``weekday`` (0 Monday) of
    the ``week`` (0 the first seven days; ``WOM-1FRI``); 1, of the last week (``LWOM-FRI``); 2, the
    ``workday``-th business day (stepped from the month's eve)."""
    if kind == 0:
        return pd.offsets.WeekOfMonth(week=week, weekday=weekday)
    if kind == 1:
        return pd.offsets.LastWeekOfMonth(weekday=weekday)
    return pd.offsets.BusinessDay(workday)


def _semi_monthly(
    day: np.ndarray, clock: np.ndarray, month: np.ndarray, lengths: np.ndarray, ahead: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`_monthly`, for times twice a month (pandas' ``SMS``, the 1st and the 15th, and ``SME``, the 15th
    and the month's last day: payrolls, fortnightly reports): which series keep one of the two, half a month or
    whole halves apart (N,) bool, their next times (N, K) int64 ns, and (N, K) bool: False where past datetime64[ns].
    (They went on at their most common spacing in days: 2024-03-15 after 2024-03-01 was followed by 2024-03-29.)
    As there, the last ``SPACINGS`` + 1 times are read, and all but one of them (at least 4), or two (at least 6),
    may keep the place: one a few days off (a holiday) counts as the half it is nearest (rounds 55 and 59: it
    left them to day steps).
    ``month`` (N, W): months since 1970-01 (:func:`_monthly`'s)."""
    n, width = day.shape
    semi, times, fits = np.zeros(n, dtype=bool), np.zeros((n, len(ahead)), dtype=np.int64), np.zeros((n, len(ahead)), dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        first_day = month.astype("datetime64[M]").astype("datetime64[D]").view(np.int64)  # (N, W)
        nth = day.view(np.int64) - first_day  # (N, W) 0 on the 1st
        days = (month + 1).astype("datetime64[M]").astype("datetime64[D]").view(np.int64) - first_day  # (N, W)
        index = np.arange(width)[None, :]
        window = (index < lengths[:, None]) & (index >= (lengths - SPACINGS - 1)[:, None])  # (N, W) the last times
        # each time's nearest place and the half-month it is (2 × months + 1 in the second half), per kind: SMS's
        # the 1st, the 15th and the next 1st; SME's the last month's end, the 15th and this month's end
        places = {
            "starts": (np.stack([np.abs(nth), np.abs(nth - 14), np.abs(days - nth)]), np.array([0, 1, 2])),
            "ends": (np.stack([nth + 1, np.abs(nth - 14), np.abs(days - 1 - nth)]), np.array([-1, 0, 1])),
        }
        kinds = {}
        for kind, (apart, halves_on) in places.items():
            nearest = apart.argmin(axis=0)  # (N, W)
            off = np.take_along_axis(apart, nearest[None], axis=0)[0]  # (N, W) days from it
            misses = (window & (off > 0)).sum(axis=1)
            kept = (window & (off == 0)).sum(axis=1)
            near = np.where(window, off, 0).max(axis=1) <= 3  # (N,) a holiday's few days at most
            fine = ((misses == 0) & (lengths >= 3)) | (((misses == 1) & (kept >= 4) | (misses == 2) & (kept >= 6)) & near)
            kinds[kind] = fine, misses, 2 * month + halves_on[nearest]
        on_starts, start_misses, start_half = kinds["starts"]
        on_ends, end_misses, end_half = kinds["ends"]
        starts = on_starts & (~on_ends | (start_misses <= end_misses))  # (N,) SMS where both fit as well
        rows = np.flatnonzero(on_starts | on_ends)  # the rest, for these only: few series are
        if not rows.size:
            return semi, times, fits
        lengths, starts, clock, window = lengths[rows], starts[rows], clock[rows], window[rows]
        day, at = day[rows], np.arange(len(rows))
        half = np.where(starts[:, None], start_half[rows], end_half[rows])  # (R, W) half-months since 1970-01
        last_i, prev_i = lengths - 1, lengths - 2
        pairs = window[:, 1:] & window[:, :-1]  # (R, W-1) the read times' neighbours
        steady = np.where(pairs, clock[:, 1:] == clock[:, :-1], True).all(axis=1)
        second = half % 2 == 1
        halves = _common_spacing(half, lengths, half[at, prev_i])  # (R,)
        rising = np.where(pairs, np.diff(half, axis=1) > 0, True).all(axis=1)
        both = np.where(window, second, False).any(axis=1) & np.where(window, ~second, False).any(axis=1)
        days_apart = np.diff(day.view(np.int64), axis=1)  # (R, W-1)
        fixed = np.where(pairs, days_apart == days_apart[at, last_i - 1][:, None], True).all(axis=1)  # 14 days apart
        semi[rows] = steady & rising & both & ~fixed & (halves > 0) & (halves % 2 == 1)  # (whole months: _monthly's)
        target = half[at, last_i][:, None] + halves[:, None] * ahead  # (R, K)
        months, later = target // 2, target % 2 == 1
        first = months.astype("datetime64[M]").astype("datetime64[ns]").view(np.int64)  # (R, K) the 1st
        last_day = (months + 1).astype("datetime64[M]").astype("datetime64[ns]").view(np.int64) - _DAY
        fifteenth = first + 14 * _DAY
        times[rows] = np.where(starts[:, None], np.where(later, fifteenth, first), np.where(later, last_day, fifteenth))
        times[rows] += clock[at, last_i][:, None]
        fits[rows] = times[rows].view("datetime64[ns]").astype("datetime64[M]").view(np.int64) == months  # not wrapped round
    return semi, times, fits


def _weekday(days: np.ndarray, forward: bool) -> np.ndarray:
    """datetime64[D] days -> each where it is a weekday, else the next weekday (``forward``) or the one before."""
    if forward:
        return np.busday_offset(days, 0, roll="forward")
    return np.busday_offset(days, 0, roll="backward")


def _business_days(
    day: np.ndarray, clock: np.ndarray, lengths: np.ndarray, ahead: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(N, W) days of the times and their ns into the day -> which series (N,) bool step from each weekday to
    the next, Friday to Monday at least once, at one time of day (business-day data: markets, offices; at
    most a ``HOLIDAYS`` share of the steps skip a weekday), or likewise from each of the days of the week they
    are on to the next such day over two weeks or more (Monday, Wednesday, Friday data; Sunday to Thursday
    weeks; over three weeks, a time now and then on another day: a report moved a day for a holiday, rounds 55
    and 59), and their next times (N, K) int64 ns, the next such days."""
    n, width = day.shape
    cells = np.arange(width) < lengths[:, None]  # (N, W)
    pairs = np.arange(width - 1) < (lengths - 1)[:, None]  # (N, W-1)
    day = np.where(cells & ~np.isnat(day), day, np.datetime64("2024-01-01", "D"))  # (N, W) a Monday where none
    gaps = np.diff(day.view(np.int64), axis=1)  # (N, W-1) days
    same_clock = np.where(pairs, clock[:, 1:] == clock[:, :-1], True).all(axis=1)  # (N,)
    uneven = (pairs & (gaps != gaps[:, :1])).any(axis=1)  # (N,) Friday to Monday once, perhaps
    maybe = (lengths >= 3) & uneven & same_clock & np.where(pairs, (gaps >= 1) & (gaps <= 7), True).all(axis=1)
    business = np.zeros(n, dtype=bool)
    masks = np.zeros((n, 7), dtype=bool)  # (N, 7) the days of the week each goes on on, Monday first
    rows = np.flatnonzero(maybe)  # the calendar checked only where the gaps allow it (cheap first)
    if rows.size:
        days = day[rows]  # (R, W)
        weekday = _day_of_week(days.view(np.int64))  # (R, W) 0 on Monday
        count = np.zeros((rows.size, 7), dtype=np.int64)  # (R, 7) values on each day of the week
        at = np.nonzero(cells[rows])
        np.add.at(count, (at[0], weekday[at]), 1)
        seen = count > 0
        weekdays = ~seen[:, 5:].any(axis=1) & (pairs[rows] & (gaps[rows] >= 3)).any(axis=1)  # over a weekend
        # (R,) two weeks or more of them, each day they are not on passed over twice (a daily series that
        # missed one Wednesday is not closed on Wednesdays); or two of each day they are on, where they are not
        # on two days or more (Monday, Wednesday, Friday: two weeks of them, 6 values, went on on a Sunday)
        week = days[:, 0] + 14 <= days[np.arange(rows.size), lengths[rows] - 1]
        week |= (np.where(seen, count >= 2, True).all(axis=1)) & (seen.sum(axis=1) <= 5)
        masks[rows[weekdays]] = np.arange(7) < 5  # on weekdays over a weekend: Monday to Friday
        moved = np.zeros(n, dtype=np.int64)  # (N,) how many times may be off the days of the week the others keep
        _weekly_steps(day, cells, rows[weekdays], masks, lengths, business, moved)
        again = week & (seen.sum(axis=1) < 7) & ~business[rows]  # else the days they are on, two weeks of them
        # days of the week seen once, or a quarter as often as the most seen (3 times or more): times moved for
        # holidays, up to a HOLIDAYS share of them (or two)
        most = count.max(axis=1)  # (R,)
        rare = seen & ((count == 1) | (4 * count <= most[:, None])) & (most >= 3)[:, None]  # (R, 7)
        off = np.where(rare, count, 0).sum(axis=1)  # (R,)
        allowed = again & rare.any(axis=1) & (off <= np.maximum(2, HOLIDAYS * lengths[rows]))
        moved[rows] = np.where(allowed, off, 0)
        masks[rows[again]] = (seen & ~np.where(allowed[:, None], rare, False))[again]
        _weekly_steps(day, cells, rows[again], masks, lengths, business, moved)
    times = np.zeros((n, len(ahead)), dtype=np.int64)
    for mask, group in _by_mask(masks, np.flatnonzero(business)):
        last_i = lengths[group] - 1
        last = day[group, last_i]  # (G,) datetime64[D]
        off = ~np.is_busday(last, weekmask=mask)  # (G,) the moved time the last: the day it stands for
        if off.any():
            last[off] = _moved_from(last[off], day[group[off]], cells[group[off]], mask)
        nxt = np.busday_offset(last[:, None], ahead[None, :], weekmask=mask)  # (G, K) datetime64[D]
        times[group] = nxt.astype("datetime64[ns]").view(np.int64) + clock[group, last_i][:, None]
    return business, times


def _moved_from(moved: np.ndarray, day: np.ndarray, cells: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(G,) days off the week mask (a time moved for a holiday), (G, W) their series' days and which are the
    series' -> (G,) the day of the mask each stands for: the nearer of the ones before and after it that the
    series lacks (the one before on a tie: a report a day late is the commoner)."""
    before = np.busday_offset(moved, 0, roll="backward", weekmask=mask)
    after = np.busday_offset(moved, 0, roll="forward", weekmask=mask)
    days = np.where(cells, day, np.datetime64("NaT"))  # (G, W) the series' own days
    has_before, has_after = ((days == side[:, None]).any(axis=1) for side in (before, after))
    nearer_before = moved - before <= after - moved
    return np.where(has_after | (~has_before & nearer_before), before, after)


def _weekly_steps(
    day: np.ndarray, cells: np.ndarray, rows: np.ndarray, masks: np.ndarray, lengths: np.ndarray, business: np.ndarray,
    moved: np.ndarray,
) -> None:
    """(N, W) days and which are the series' (``cells``), the ``rows`` to check and their (N, 7) days of the
    week -> ``business`` set where a row steps from each such day to the next (at most a ``HOLIDAYS`` share
    of its steps skipping one); ``moved`` (N,): up to that many times may be on another day, none two together
    (the steps to and from each are not read, and the step over it is read as one)."""
    for mask, group in _by_mask(masks, rows):
        on = np.is_busday(day[group], weekmask=mask)  # (G, W)
        off = cells[group] & ~on  # (G, W) the moved times, where some are
        count = off.sum(axis=1)  # (G,)
        loose = (count > 0) & (count <= moved[group]) & ~(off[:, 1:] & off[:, :-1]).any(axis=1)  # (G,)
        off &= loose[:, None]
        apart = np.busday_count(day[group, :-1], day[group, 1:], weekmask=mask)  # (G, W-1) such days to the next
        among = cells[group, 1:] & ~off[:, 1:]  # (G, W-1) a step from each cell to the next, none to a moved time
        among[:, 0] &= ~off[:, 0]  # none from a moved first time (round 59)
        over = off[:, :-1].copy()  # (G, W-1) the step from a moved time: over it, from the time before it
        over[:, 0] = False
        over &= among
        g, i = np.nonzero(over)
        apart[g, i] = np.busday_count(day[group[g], i - 1], day[group[g], i + 1], weekmask=mask)
        # a holiday: 2; up to three together (Christmas and Boxing Day, Good Friday and Easter Monday): 4
        up_to_four = np.where(among, (apart >= 1) & (apart <= 4), True).all(axis=1)
        skipped = np.where(among, apart - 1, 0).sum(axis=1)  # (G,) such days without a value
        ones = np.where(among, apart == 1, False).sum(axis=1)  # (G,)
        longer = np.where(among, apart > 1, False).sum(axis=1)  # (G,)
        # up to three holidays even among fewer than 3 / HOLIDAYS steps (ten weekdays round Christmas), where
        # most steps are one such day (Monday, Wednesday, Friday data is not one weekday after another)
        mostly_one = (skipped <= np.maximum(3, HOLIDAYS * (lengths[group] - 1))) & (longer < ones)
        on_days = np.where(cells[group], on, True).all(axis=1) | loose
        business[group] = on_days & up_to_four & mostly_one


def _by_mask(masks: np.ndarray, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(N, 7) days of the week and some rows -> each distinct mask among those rows, and its rows (numpy's
    busday functions take one week mask a call)."""
    for mask in np.unique(masks[rows], axis=0):
        yield mask, rows[(masks[rows] == mask).all(axis=1)]


# -------------------------------------------------------------------------------------------- DataFrames


def predict_frame(
    predictor: Predictor,
    df: Any,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    steps: int = 1,
    level: Sequence[float] | float | None = None,
    strict: bool = False,
    where: Callable[[Any], str | None] | None = None,
    freq: Any = None,
) -> Any:
    """:meth:`Predictor.predict_df`: a long-format frame -> one row per series and step (``steps`` checked).
    ``where``: as in :func:`read_rows` (a partition of a distributed frame has no index a user could look up)."""
    polars = _polars_of(df)
    given = freq
    freq = check_freq(polars_offset(freq) if polars is not None else freq)
    # a polars duration of months ("1mo") goes on on month ends from one, as statsforecast steps it there
    month_ends = isinstance(given, str) and "mo" in given and isinstance(freq, pd.DateOffset) and set(freq.kwds) == {"months"}
    polars_time, polars_id, wide = None, None, []
    if polars is not None:
        where = where or _polars_row  # (a polars frame has no .loc)
        polars_time = df.schema.get(time_col) if time_col in df.columns else None
        bits_128 = (polars.Int128, getattr(polars, "UInt128", None))
        wide = [name for name, kind in df.schema.items() if kind in bits_128]
        if wide:  # 128-bit integers, which pyarrow cannot take ('_pli128', round 54): as text, read exactly or refused
            polars_id = df.schema[id_col] if id_col in wide else None  # (ids and times come back as they were given)
            held = time_col in wide and df[time_col].cast(polars.Int64, strict=False).null_count() == df[time_col].null_count()
            times = [polars.col(time_col).cast(polars.Int64)] if held else []  # (as int64 holds them: steps, round 55)
            df = df.with_columns(*times, polars.col([name for name in wide if not (held and name == time_col)]).cast(polars.String))
        df = df.to_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"predict_df takes a pandas or polars DataFrame, got {type(df).__name__}; for lists of sequences "
            "use predict_batch"
        )
    names = (id_col, time_col, target_col)
    check_columns(list(df.columns), names, [name for name in df.index.names if name is not None])
    levels = frame_levels(predictor, level)
    output_columns(names, levels)  # (an id or time column named as an answer's column is refused)
    if df.empty:
        raise ValueError("the frame has no rows; give one row per observation (unique_id, ds, y)")
    frame = df  # not df[list(names)]: that would copy every row
    kind = df[time_col].dtype  # the next times are given in the column's zone (an Arrow column's: its type's)
    tz = getattr(kind.pyarrow_dtype, "tz", None) if isinstance(kind, pd.ArrowDtype) else getattr(kind, "tz", None)

    def run(order: np.ndarray | None) -> list[pd.DataFrame]:
        chunks = group(_frame_blocks(frame, names, order, where), predictor.max_len, id_col)
        return [
            _frame_part(
                predict_chunk(
                    predictor, c, levels=levels, steps=int(steps), strict=strict, freq=freq, month_ends=month_ends
                ),
                names, levels, tz,
            )
            for c in chunks
        ]

    with levels_checked():  # warned about above: the chunks' predict_batch calls check them quietly
        try:
            parts = run(None)
        except Unsorted:
            parts = run(_sort_order(frame, names))
    out = pd.concat(_one_zone(parts, time_col), ignore_index=True)
    out[id_col] = _like(out[id_col], df[id_col])
    given = df[time_col].dtype
    if pd.api.types.is_datetime64_any_dtype(df[time_col]) and str(out[time_col].dtype) != str(given):
        arrow = given.pyarrow_dtype if isinstance(given, pd.ArrowDtype) else None  # (date32: days)
        unit = getattr(arrow, "unit", "D") if arrow is not None else getattr(given, "unit", None) or np.datetime_data(given)[0]
        if _held_at(out[time_col], pd.Timedelta(1, unit=unit).value):  # (freq='ms' on seconds: ns kept)
            out[time_col] = out[time_col].astype(given)  # the input's unit (datetime64[us] stays so)
    if polars is None:
        return out
    result = polars.from_pandas(out)
    if polars_time is not None and polars_time.is_temporal():  # a Date stays a Date, a Datetime its unit and zone
        unit = getattr(polars_time, "time_unit", None)
        resolution = pd.Timedelta(1, unit=unit).value if unit else int(_DAY)  # (freq='h' on a Date: a Datetime)
        if not pd.api.types.is_datetime64_any_dtype(out[time_col]) or _held_at(out[time_col], resolution):
            result = result.with_columns(polars.col(time_col).cast(polars_time))
    if polars_id is not None:
        result = result.with_columns(polars.col(id_col).cast(polars_id))
    if polars_time is not None and time_col in wide:
        result = result.with_columns(polars.col(time_col).cast(polars_time, strict=False))  # (past it: null, as past int64)
    return result


def _held_at(times: pd.Series, resolution: int) -> bool:
    """Whether datetimes hold no part of ``resolution`` nanoseconds (a column of that unit holds them all):
    a frequency finer than the input's times (freq='h' on dates) keeps its answer's finer unit."""
    index = pd.DatetimeIndex(times)  # (an Arrow column's, date32 too, as NumPy's)
    wall = index.tz_localize(None) if index.tz is not None else index
    ns = wall.dropna().as_unit("ns").asi8
    return bool((ns % resolution == 0).all())


def _one_zone(parts: list[pd.DataFrame], time_col: str) -> list[pd.DataFrame]:
    """Parts whose times are at different UTC offsets (times read with offsets) -> all in UTC: one column of
    datetimes, not objects; where some parts' times have no offset (an object column of naive and aware
    datetimes), objects: each as it was given (round 54: the naive were read as UTC)."""
    zones = {str(part[time_col].dtype) for part in parts if part[time_col].dtype.kind == "M"}
    if len(zones) < 2 or not any(isinstance(part[time_col].dtype, pd.DatetimeTZDtype) for part in parts):
        return parts
    if any(part[time_col].dtype.kind == "M" and not isinstance(part[time_col].dtype, pd.DatetimeTZDtype) for part in parts):
        return [part.assign(**{time_col: part[time_col].astype(object)}) for part in parts]
    return [
        part.assign(**{
            time_col: part[time_col].dt.tz_convert("UTC") if isinstance(part[time_col].dtype, pd.DatetimeTZDtype)
            else part[time_col].dt.tz_localize("UTC")
        })
        for part in parts
    ]  # fmt: skip


def check_columns(columns: Sequence[Any], names: tuple[str, str, str], index: Sequence[Any] = ()) -> None:
    """A ValueError unless the frame's ``columns`` hold the three different columns ``names`` (id, time, target),
    each once; ``index``: the names of a pandas frame's index levels, which name no column."""
    missing = [name for name in names if name not in columns]
    if missing and missing[0] in index:
        raise ValueError(f"the frame's {missing[0]!r} is its index, not a column; make it one with df.reset_index()")
    if missing:
        raise ValueError(
            f"the frame has no column {missing[0]!r} (it has {', '.join(map(repr, columns))}); "
            "name its columns with id_col=, time_col= and target_col="
        )
    if len(set(names)) < 3:
        raise ValueError(f"id_col, time_col and target_col must be three different columns, got {names}")
    doubled = [name for name in names if list(columns).count(name) > 1]
    if doubled:
        raise ValueError(
            f"the frame has {list(columns).count(doubled[0])} columns named {doubled[0]!r}; keep one, e.g. "
            "df = df.loc[:, ~df.columns.duplicated()]"
        )


def frame_levels(predictor: Predictor, level: Sequence[float] | float | None) -> list[float]:
    """The interval levels of a frame's answer, checked: ``None`` the default ones (whole ones as integers),
    ``[]`` none; each as its columns name it (:func:`~numseries.intervals.column_level`: 95 or 95.0)."""
    if level is None:
        defaults = predictor._check_levels(predictor.levels_or_default(None) or None)
        return [int(lv) if lv.is_integer() else lv for lv in defaults]
    if not isinstance(level, (str, bytes)) and np.ndim(level) == 1 and len(level) == 0:  # type: ignore[arg-type]
        return []  # none asked for, even of a model without a quantile head
    checked = predictor._check_levels(level)  # a number, numbers, or text it refuses
    given = [level] if np.ndim(level) == 0 else list(level)  # type: ignore[arg-type]
    levels = [column_level(lv, value) for lv, value in zip(given, checked, strict=True)]
    return list({str(lv): lv for lv in levels}.values())  # each column once: [80, 80] named two alike (Dask refused them)


def output_columns(names: tuple[str, str, str], levels: Sequence[float]) -> list[str]:
    """The columns of a frame's answer, in order: id, time, the prediction, its bounds, ``error``; a ValueError
    where the id or time column has the name of another of them (its ids or times were written over)."""
    id_col, time_col, _ = names
    for option, name, usual in (("id_col", id_col, "unique_id"), ("time_col", time_col, "ds")):
        if isinstance(name, str) and (name in (MODEL_NAME, "error") or name.startswith((f"{MODEL_NAME}-lo-", f"{MODEL_NAME}-hi-"))):
            raise ValueError(
                f"{option} {name!r} is also the name of a column of the answer, which would be written over it; "
                f"rename it first, e.g. df.rename(columns={{{name!r}: {usual!r}}})"
            )
    return [
        id_col,
        time_col,
        MODEL_NAME,
        *(f"{MODEL_NAME}-lo-{level}" for level in sorted(levels, reverse=True)),  # (frame_levels': 95 or 95.0)
        *(f"{MODEL_NAME}-hi-{level}" for level in sorted(levels)),
        "error",
    ]


def _polars_of(df: Any) -> Any:
    """The polars module if ``df`` is a polars DataFrame, else None (polars is never imported for pandas)."""
    if type(df).__module__.split(".")[0] != "polars":
        return None
    import polars

    return polars if isinstance(df, polars.DataFrame) else None


def _frame_blocks(
    frame: pd.DataFrame, names: tuple[str, str, str], order: np.ndarray | None, where: Callable[[Any], str | None] | None
) -> Iterator[Rows]:
    for start in range(0, len(frame), BLOCK_ROWS):
        stop = start + BLOCK_ROWS
        yield read_rows(frame.iloc[start:stop] if order is None else frame.take(order[start:stop]), *names, where)


def _sort_order(frame: pd.DataFrame, names: tuple[str, str, str]) -> np.ndarray:
    """The row order that sorts ``frame`` by id (by first appearance where ids cannot be compared), then time."""
    try:
        codes, _ = pd.factorize(frame[names[0]], sort=True)
    except TypeError:  # ids of mixed types
        codes, _ = pd.factorize(frame[names[0]])
    codes = codes.astype(np.int32) if len(codes) < 2**31 else codes  # half the memory: one code per row
    key, _, offsets = read_times(frame[names[1]])
    key = instants(key, offsets)
    return np.lexsort((key.view(np.int64) if key.dtype.kind == "M" else key, codes))


def _frame_part(
    predicted: Predicted, names: tuple[str, str, str], levels: Sequence[float], zone: Any = None
) -> pd.DataFrame:
    """One row per series and step: id, time (``zone``: the input column's time zone, the times in it),
    ``numseries``, its intervals as statsforecast names them, error."""
    steps = predicted.steps
    bands = {level: predicted.interval(level) for level in levels}
    assert predicted.errors is not None  # predict_chunk always checks
    values = [
        np.repeat(predicted.chunk.ids, steps),
        predicted.ds_column(zone=zone),
        predicted.values().ravel(),
        *(bands[level][0].ravel() for level in sorted(levels, reverse=True)),
        *(bands[level][1].ravel() for level in sorted(levels)),
        np.repeat(predicted.errors, steps),
    ]
    return pd.DataFrame(dict(zip(output_columns(names, levels), values, strict=True)))


def _like(ids: pd.Series, original: pd.Series) -> pd.Series:
    """Output ids in the input's type (integers stay integers, categories stay categories)."""
    try:
        return ids.astype(original.dtype)
    except (TypeError, ValueError):
        return ids
