"""Batch files for ``numseries predict --input FILE --output FILE``: CSV or Parquet, streamed in chunks.

Four layouts are read, told apart by their columns:

- **long**: columns ``unique_id, ds, y``, one row per observation, as statsforecast and neuralforecast
  use, in any order (``ds`` and ``y`` may be named otherwise: ``unique_id``, one column named as times
  are, ``date``, and one value column, with a note). A file whose series are each contiguous and ordered by ``ds`` streams through in one
  pass; otherwise it is sorted first, on disk: its rows are spread over bucket files by a hash of their id
  (in the system's temporary folder, ``TMPDIR``), and each bucket is sorted by ``unique_id, ds`` in
  memory, so memory stays bounded. The predictions of a sorted file then come bucket by bucket, each
  bucket's in id order: match them by ``unique_id``, not by position. A series may be of any length (the
  model reads its last ``max_len`` values).
- **wide**: one series per row, its steps in the columns in order, shorter series leaving trailing
  cells empty (or, in a CSV without a header, ending early: its rows may differ in length; leading empty
  cells are padding too: a row is read from its first value); a ``unique_id`` column names the rows, else
  they are numbered from 0. Columns named by times in order (years ``1960,1961,...``, dates, months
  ``2024-01``, quarters ``2024Q1``) are each row's times, as a long file's ``ds`` is. A CSV whose first
  line holds only numbers and missing values (empty, ``NA``, ``NaN`` and pandas' other missing-value words;
  a UTF-8 byte-order mark aside) has no header, except the labels ``0,1,...,n-1`` that
  ``pd.DataFrame(rows).to_csv(path, index=False)`` writes, above a line as long: those are read as column
  labels, and a note on stderr says so (a first line ``1,2,...,n`` stays a series: a phantom series,
  numbered 0, where it is labels, but no series lost). Likewise ``,0,1,...,n-1`` above rows one cell
  longer, as ``df.to_csv(path)`` writes a frame with its index: the first column is the rows' labels,
  read as their ``unique_id`` (under named columns, an empty first label likewise; beside one column, or a
  time column and values, the labels are left out). In Parquet, an index pandas stored (``__index_level_0__``, or its name)
  is not data either: a wide file's one index column names its rows unless it has a ``unique_id``; an
  index named ``unique_id``, ``ds`` or ``y`` is that column.
- **one column** (with or without a header line, and no ``unique_id``, ``ds`` or ``y``): one series, read
  down the column, as a metric exported from a spreadsheet is (read as rows, each would be a series of one
  value, which no series is). An empty line is a missing value (blank lines that end the file are
  nothing; a missing value that ends the column is the series' error: predicted from the values before it,
  the answer would be for its place); its output row's ``column`` is the column's label (``1`` without a
  header line). A comma ending every line (as spreadsheets write) makes no second column.
- **a time and values** (named columns, no ``unique_id`` or ``y``, exactly one of them named as times are,
  ``date``, ``year``, ``ds``...; of two columns, also one holding dates, or ``ds`` or ``y`` beside another;
  in Parquet, an index of dates or periods, or of integers named as times or beside one column): a series
  down each value column, read as long format with the column's label as its ``unique_id`` (``date,sales``:
  ds from ``date``, y from ``sales``; ``year,jan,feb,...``: one series a month, at the years); a note on
  stderr says so. Two columns named as times (``year,month,sales``) are refused. In Parquet, a date index
  beside ``unique_id`` and one column is that column's ds, and an index of ids over times (series x dates)
  is unique_id and ds.
- **quantities** (3 or more named columns of numbers, none named with a digit, one letter, or as a month,
  a weekday, a position or a time is: ``temperature,humidity,pressure``): rows of observations, a series
  down each column at steps 0, 1, ... (:func:`~numseries.series.quantity_names`), or at the times of a
  column that holds dates under another name (``created_at``); a note on stderr says so.
- **ids** (columns named as ids are, ``id``, ``sku``, ``store_id``, ``Country Code``: the first ones, or any
  beside a time column): the series' unique_id, several joined by ``/`` (``date,store,item,sales``; a
  ``/`` within an id escaped as ``\\/``).

Ids are opaque text, read and written as strings end to end: ``007`` stays ``007``, ``1.0`` and ``1``
are two series, ``NA`` is an id; an empty id is an error.

A series that cannot be predicted (too short, a missing or non-numeric value, two values at one ``ds``;
missing values that end a series of times are left out, with a note) does not stop the file: its prediction is empty and the ``error`` column says why (``strict`` stops at
the first instead). Grouping, checking and predicting are :mod:`numseries.frames`', shared with
``Predictor.predict_df``.

The output has one row per series: ``unique_id`` (or ``row``), ``ds`` (long input, or wide columns named by
times: the time of the predicted value, from the series' spacing, written in one form for the whole file
as pandas writes a column: dates alone, or all with the time of day where any has one; times written with a UTC offset, ``2024-04-01T00:00:00+02:00``,
continue by their wall clock and get the offset of the series' last time), ``n_values``, ``n_used``,
``prediction`` (in CSV an exact rule's whole numbers from integers as integers, ``34``), the intervals
``lo-80``, ``hi-80`` (for each level asked for, as statsforecast names them), ``pattern``, ``exact``,
``attention``, the weights of the last ``n_used`` values (comma-separated text in CSV, a list in Parquet),
with per-step weights (``weights=True``) ``weights`` too, laid out the same, and ``error``. With ``steps``
K > 1 it has one row per series and step instead: ``unique_id``, ``ds``, ``step``, ``prediction``, the
intervals, ``exact`` and ``error``. A name ending in ``.csv.gz``, ``.csv.bz2`` or ``.csv.xz`` is
compressed. It is written to a temporary file and moved into place at the end, so a failure leaves no
half-written output. Needs the ``io`` extra (pandas, pyarrow).
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import dataclasses
import datetime
import errno
import functools
import gzip
import io
import json
import logging
import lzma
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from numseries.files import atomic_write, check_file_name, check_writable
from numseries.frames import (
    MONTH_NAME,
    QUARTER,
    Chunk,
    Predicted,
    Rows,
    Unsorted,
    check_freq,
    check_rows,
    group,
    instants,
    mark_misread,
    numeric,
    predict_chunk,
    read_rows,
    read_times,
)
from numseries.intervals import level_name
from numseries.predict import BatchPrediction, Predictor, check_steps
from numseries.series import (
    ID_COLUMN,
    id_named,
    index_named,
    narrow_float,
    quantity_names,
    time_labels,
    time_named,
    widened,
)

log = logging.getLogger(__name__)

LONG_COLUMNS = ("unique_id", "ds", "y")
ID_JOIN = "/"  # between the columns that together name a series (store/item), as hierarchicalforecast joins levels
LONG_CHUNK_ROWS = 500_000  # observations per chunk of a long file
BUCKET_ROWS = 1_000_000  # rows per bucket when a long file is sorted on disk: each is sorted in memory
MAX_BUCKETS = 512  # bucket files open at once
WIDE_CHUNK_ROWS = 50_000  # most series per chunk of a wide file
WIDE_CHUNK_CELLS = 50_000 * 64  # most cells per chunk of a wide file: fewer rows when rows are long
MAX_LINE_BYTES = 1 << 20  # longest first line read to tell a CSV's layout: a longer one is refused
READ_BLOCK_BYTES = 1 << 20  # a CSV read through for its widest line, this much at a time
MAX_COLUMNS = 10_000  # most columns of a file: a wide row holds at most this many steps
COMPRESSORS = {".gz": gzip.GzipFile, ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile}  # for CSV output
WEIGHT_FORMAT = "{:.4g}"  # attention weights in CSV output
PER_STEP_FORMAT = "{:.9g}"  # per-step weights in CSV output: enough digits for sum(w * x) to give the prediction


def _suffix(path: Path) -> str:
    """A file name's last suffix in lower case: ``LONG.CSV`` is a CSV file, ``x.CSV.GZ`` a gzipped one."""
    return path.suffix.lower()


def file_format(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"``, from the file name."""
    path = Path(path)
    if _suffix(path) in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in [suffix.lower() for suffix in path.suffixes]:
        return "csv"
    raise ValueError(f"cannot tell the format of {path} from its name; use a .csv or .parquet file")


def check_output(path: str | Path) -> None:
    """Refuse an output that could not be written, before any work: a name of no known format or
    compression, a folder, a device, a name too long, a folder where files cannot be created."""
    check_file_name(path, "the predictions")
    path = Path(path)
    try:
        folder = path.is_dir()  # (its name would be refused first, as of no known format)
    except OSError:  # a name too long to look up: refused below
        folder = False
    if folder:
        raise ValueError(f"cannot write {path}: it is a folder; give a file name in that folder")
    if file_format(path) == "csv" and _suffix(path) != ".csv" and _suffix(path) not in COMPRESSORS:
        raise ValueError(
            f"cannot write {path}: {_suffix(path)} is not a compression numseries writes; "
            f"name the output .csv, {', '.join('.csv' + suffix for suffix in COMPRESSORS)} or .parquet"
        )
    try:
        check_writable(path)
    except OSError as err:
        raise ValueError(_unwritable(path, err)) from None


Progress = Callable[[float], None]  # called with the fraction of the work done, from 0 to 1


def read_chunks(
    path: str | Path, max_len: int, *, sort: bool = False, on_progress: Progress | None = None
) -> Iterator[Chunk]:
    """Stream the series of a CSV or Parquet file, long or wide, in chunks of bounded size.

    A long file is read in one pass and raises :class:`~numseries.frames.Unsorted` at the first series that
    is split or out of order; ``sort=True`` sorts it on disk first (two passes over the data).
    ``on_progress`` is told the fraction of the file read (of both passes when sorting).
    """
    with _notes_once(sort):
        yield from _read_chunks(Path(path), max_len, sort, on_progress)


@contextlib.contextmanager
def _notes_once(again: bool) -> Iterator[None]:
    """Within, when a file is read ``again`` (sorted, after a first pass found it out of order), the notes
    on how it is read are not logged a second time."""
    if not again:
        yield
        return
    quiet = _SaidOnce()
    log.addFilter(quiet)
    try:
        yield
    finally:
        log.removeFilter(quiet)


class _SaidOnce(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("note: read", "note: left"))


def _read_chunks(path: Path, max_len: int, sort: bool, on_progress: Progress | None) -> Iterator[Chunk]:
    kind = file_format(path)
    if kind == "csv" and _suffix(path) != ".csv" and _suffix(path) not in COMPRESSORS:
        raise ValueError(
            f"cannot read {path}: {path.suffix} is not a compression numseries reads; give "
            f".csv, {', '.join('.csv' + suffix for suffix in COMPRESSORS)} or .parquet"
        )
    if not path.is_file():
        raise ValueError(f"input file {path} does not exist; check the path")
    report = on_progress or (lambda _: None)
    share = 0.5 if sort else 1.0  # of the progress the first pass over the file stands for
    frames = (
        _csv_frames(path, lambda done: report(share * done))
        if kind == "csv"
        else _parquet_frames(path, lambda done: report(share * done))
    )
    first = next(frames, None)
    if first is None or first.empty:
        raise ValueError(f"input file {path} has no rows; give a file with one series per row or unique_id, ds, y")
    frames = _chain(first, frames)
    labels = list(first.columns)
    if kind == "csv" and len(labels) >= 2 and labels[0] == _PANDAS_INDEX and ID_COLUMN not in labels:
        # df.to_csv(path) writes the frame's index first, under an empty label: the rows' labels, not values.
        # Beside one column, or a time column and values, they are left out; beside rows of values they name them.
        rest = first.iloc[:, 1:]
        rest_heads = dict(zip(rest.columns, rest.iloc[0].tolist(), strict=True))
        rest_timed = _time_and_values(rest_heads)
        # an index of dates beside columns of values (none of them times): the times of a series down each
        dated = _holds_time(first.iloc[0, 0]) and not rest_timed and "ds" not in rest_heads
        beside = not dated and (
            rest.shape[1] == 1
            or rest_timed
            or (_quantities(rest_heads) and not _texts(first.iloc[:, 0]))  # (text labels beside quantities: ids)
        )
        label = "ds" if dated else ID_COLUMN
        log.warning(
            "note: read the first column of %s, under an empty label, as the row labels pandas writes, %s", path,
            "as the rows' times (ds)" if dated else "and left it out" if beside else "as the rows' unique_id",
        )  # fmt: skip
        frames = (frame.iloc[:, 1:] if beside else frame.rename(columns={_PANDAS_INDEX: label}) for frame in frames)
        first = rest if beside else first.rename(columns={_PANDAS_INDEX: label})
    named_ids = id_named(list(first.columns))
    if named_ids and time_labels(list(first.columns)):
        # beside a time column, a different "id" on every row names no series: a row id, left out
        rowed = [label for label in named_ids if first[label].nunique() == len(first) > 1]
        for label in rowed:
            log.warning("note: left column %r of %s out: a different value on every row, as a row id has", label, path)
        frames = map(functools.partial(pd.DataFrame.drop, columns=rowed), frames)  # (bound now: rowed is kept)
        first, named_ids = first.drop(columns=rowed), [label for label in named_ids if label not in rowed]
    if named_ids:  # sku,week,units; product_id,jan,feb,...; date,store,item,sales: the series' ids, never values
        log.warning(
            "note: read %s %s of %s as the series' ids (unique_id%s)", "columns" if len(named_ids) > 1 else "column",
            _few(named_ids), path, f", joined by {ID_JOIN!r}" if len(named_ids) > 1 else "",
        )  # fmt: skip
        where = _csv_lines(path) if kind == "csv" else _parquet_row
        frames = (_with_ids(frame, named_ids, where) for frame in frames)
        first = _with_ids(first, named_ids, where)
    if first.shape[1] == 1 and ID_COLUMN not in first.columns:  # a row of one value is no series: the column is
        yield _column_chunk(frames, csv=kind == "csv")
        return
    heads = dict(zip(first.columns, first.iloc[0].tolist(), strict=True))  # {label: first cell}
    named = time_labels(list(heads)) if not {"ds", "y"} & set(heads) else []  # date, year, ... (no ds or y)
    observations = {name: cell for name, cell in heads.items() if name != ID_COLUMN}
    if (
        ID_COLUMN in heads and not named and not {"ds", "y"} & set(heads) and _quantities(observations, least=2)
        and first[ID_COLUMN].duplicated().any()
    ):  # fmt: skip
        # sensor_id,temperature,humidity, a sensor's id on each of its rows: each row was a series of a
        # temperature, a humidity, ... (one row an id: a wide file, whatever its labels, enero,febrero,...)
        raise ValueError(
            f"{path} has ids ({' and '.join(map(repr, named_ids or [ID_COLUMN]))}) beside columns named as quantities "
            f"are ({_few(list(observations))}): its rows are observations, no series; give long format, unique_id, "
            "ds, y, with one value column (pandas: df.melt), or each quantity its own file"
        )
    if ID_COLUMN in heads and len(named) == 1:
        # unique_id,date,sales: long format with its time and value columns named otherwise
        time = named[0]
        values = [name for name in heads if name not in (ID_COLUMN, time)]
        if len(values) != 1:
            raise ValueError(
                f"{path} has ids ({' and '.join(map(repr, named_ids or [ID_COLUMN]))}), a time column {time!r} and {len(values)} value "
                "columns: long format has one, "
                f"y (rename {time!r} to ds and keep one value column as y, or give each its own file)"
            )
        log.warning("note: read %s as long format: column %r as ds, column %r as y", path, time, values[0])
        frames = (frame.rename(columns={time: "ds", values[0]: "y"}) for frame in frames)
        first = first.rename(columns={time: "ds", values[0]: "y"})
        heads = dict(zip(first.columns, first.iloc[0].tolist(), strict=True))
    timed = _time_and_values(heads) or _dated_quantities(heads)
    numbered = timed is None and ID_COLUMN not in heads and _quantities(heads)
    if numbered:  # temperature,humidity,pressure: rows of observations, not series (their labels are no times)
        log.warning(
            "note: read %s as %d series, one down each of the columns %s, at steps 0, 1, ... (named as quantities "
            "are, not as times; for one series a row, name the columns t1, t2, ...)", path, len(heads), _few(list(heads)),
        )  # fmt: skip
        frames = (frame.assign(ds=frame.index.to_numpy(dtype=np.int64)) for frame in frames)  # rows counted from 0
        timed = ("ds", list(heads))
    if timed is None and ID_COLUMN not in heads and len(named) > 1:  # year,month,sales: rows of [2020, 1, 100]
        raise ValueError(  # were predicted
            f"{path} has {len(named)} columns named as times are, {' and '.join(map(repr, named))}: give one "
            "time column (ds, a date such as 2020-01) beside the values, or unique_id, ds, y"
        )
    if timed is None and _two_columns(heads) and "y" not in heads:
        names = " and ".join(map(repr, heads))
        if _quantities(heads, least=2):  # temperature,humidity (round 54: advice on times and rows that did not fit)
            raise ValueError(
                f"{path} has two columns, {names}, named as quantities are and no time column: two may be an id "
                "and a value, so they are not read as two series alone; add a time column (ds: 0, 1, 2, ... or "
                "dates) to read a series down each"
            )
        raise ValueError(
            f"{path} has two columns, {names}, and neither is named as times are (ds, date, year, ...) or holds "
            "dates: for one series, name its time column ds and its values y; for many, give each row a series "
            "of at least 3 values"
        )
    if timed is not None:  # date,sales: one series (date,sales,cost: one a column), long format
        time, values = timed
        if not numbered:
            _note_down_columns(path, time, values)
        frames = (_down_columns(frame.rename(columns={time: "ds"}), None) for frame in frames)
    if timed is not None or "y" in first.columns or "ds" in first.columns:
        missing = [] if timed else [name for name in LONG_COLUMNS if name not in first.columns]
        if missing:
            raise ValueError(
                f"{path} looks like long format but has no column {missing[0]!r}; "
                f"long format needs the columns {', '.join(LONG_COLUMNS)}"
                + (" (for one series, a unique_id naming it on every row)" if missing[0] == ID_COLUMN else "")
            )
        where = _csv_lines(path) if kind == "csv" else _parquet_row
        blocks: Iterator[Rows] = (read_rows(frame, where=where) for frame in frames)
        if sort:
            blocks = _sorted_on_disk(blocks, _buckets(path), lambda done: report(0.5 + 0.5 * done))
        yield from group(blocks, max_len)
    else:
        yield from _wide_chunks(frames, _csv_lines(path) if kind == "csv" else _parquet_row)


@dataclasses.dataclass
class Summary:
    """What :func:`predict_file` did."""

    series: int = 0  # series in the input
    rows: int = 0  # rows written: one per series and step
    failed: int = 0  # series without a prediction: their error column says why
    cropped: int = 0  # series longer than the model's window: it read their last max_len values
    sorted: bool = False  # the input was not in order, and was sorted on disk first


def predict_file(
    predictor: Predictor,
    source: str | Path,
    target: str | Path,
    *,
    levels: Iterable[float] = (),
    steps: int = 1,
    weights: bool = False,
    strict: bool = False,
    on_progress: Progress | None = None,
    freq: Any = None,
) -> Summary:
    """Predict every series of ``source`` into ``target``: streamed when its rows are in order, else sorted
    on disk and read again. ``steps`` > 1 forecasts that many steps, one output row per series and step.
    ``freq``: the next times' spacing, as ``predict_df`` takes it (:func:`numseries.frames.check_freq`)."""
    steps = check_steps(steps)
    freq = check_freq(freq)
    check_output(target)
    levels = tuple(levels)
    calendar = _calendar(Path(source)) if file_format(source) == "csv" and Path(source).is_file() else None
    zone = _zone(Path(source)) if file_format(source) == "parquet" and Path(source).is_file() else None
    for sort in (False, True):
        summary = Summary(sorted=sort)

        def results(summary: Summary = summary, sort: bool = sort) -> Iterator[Predicted]:
            for chunk in read_chunks(source, predictor.max_len, sort=sort, on_progress=on_progress):
                predicted = predict_chunk(
                    predictor, chunk, levels=levels, steps=steps, weights=weights, strict=strict, freq=freq
                )
                summary.series += len(chunk.ids)
                summary.failed += int(predicted.failed.sum())
                summary.cropped += int((~predicted.failed & (chunk.n_values > predictor.max_len)).sum())
                yield predicted

        try:
            summary.rows = write_predictions(target, results(), calendar=calendar, zone=zone)
        except Unsorted:
            log.debug("the rows of %s are not grouped by series and ordered by ds: sorting them on disk", source)
            continue
        return summary
    raise AssertionError("a file sorted on disk came back out of order")


def write_predictions(
    path: str | Path,
    results: Iterable[Predicted | tuple[Chunk, BatchPrediction]],
    *,
    calendar: str | None = None,
    zone: str | None = None,
) -> int:
    """Write each series' prediction and attention, or its steps, to ``path`` (CSV or Parquet); returns the
    rows written (one per series, or per series and step). ``calendar``: ``"months"`` or ``"quarters"``, the
    input wrote its times as months (2024-05) or quarters (2024Q2), and a CSV writes the next times of the
    series whose times all are so too. ``zone``: the time zone of the input's times (a Parquet column's), the
    next times in it (``Predicted.ds_column``)."""
    path = Path(path)
    check_output(path)
    kind = file_format(path)
    count = 0

    def write_csv(tmp: Path) -> None:
        nonlocal count
        compressor = COMPRESSORS.get(_suffix(path))
        forms: list[int] = []  # the form of the times written so far, chunk by chunk (TIME_FORMS' index)
        with _text_file(tmp, compressor) as handle:
            for predicted in map(_predicted, results):
                frame = pd.DataFrame(_columns(predicted, "csv", zone))
                ds = frame.get("ds")
                if ds is not None and pd.api.types.is_datetime64_dtype(ds):  # naive times: one form for the file
                    own = time_form(ds)
                    forms.append(max(forms[-1:] + [own]))
                    if forms[-1] > own:  # a time of day came before: dates alone would not parse beside it
                        frame["ds"] = ds = ds.dt.strftime(TIME_FORMS[forms[-1]])
                if calendar and ds is not None:  # the series whose times are all months (quarters), as written
                    mine = np.repeat(_on_calendar(predicted.chunk.ds, calendar), predicted.steps)
                    text = ds.astype(str).mask(ds.isna()) if pd.api.types.is_datetime64_any_dtype(ds) else ds
                    frame["ds"] = text.where(~mine, _as_calendar(text, calendar))  # (as text: '2024-05' stays)
                frame.to_csv(handle, header=count == 0, index=False)
                count += len(frame)
        if count == 0:
            raise ValueError("no series to write; the input has none")
        if forms and forms[0] < forms[-1]:  # rows written before the first time of day (or part of a second)
            _rewrite_times(tmp, compressor, forms[-1])

    def write_parquet(tmp: Path) -> None:
        nonlocal count
        writer = None
        try:
            for predicted in map(_predicted, results):
                table = pa.table(_columns(predicted, "parquet", zone))
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
                count += table.num_rows
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            raise ValueError(f"cannot write the ids: {_one_line(err)}; give unique_id values of one type") from err
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError("no series to write; the input has none")

    try:
        atomic_write(path, write_csv if kind == "csv" else write_parquet)
    except OSError as err:  # a full disk, a quota, a file size limit
        raise ValueError(_unwritable(path, err)) from None
    return count


_WRITE_FIXES = {
    errno.EISDIR: "give a file name in that folder",
    errno.EEXIST: "give another name",
    errno.ENAMETOOLONG: "give a shorter name",
    errno.ENOSPC: "free some space or write elsewhere",
    errno.EDQUOT: "free some space or write elsewhere",
    errno.EFBIG: "write elsewhere, or split the input",
}


def _unwritable(path: Path, err: OSError) -> str:
    fix = _WRITE_FIXES.get(err.errno or 0, "choose a folder where you can create files")
    return f"cannot write {path}: {err.strerror or _one_line(err)}; {fix}"


@contextlib.contextmanager
def _text_file(path: Path, compressor: Any = None) -> Iterator[io.TextIOWrapper]:
    """``path`` opened for UTF-8 text, through ``compressor`` (a GzipFile, BZ2File or LZMAFile class) if given."""
    with open(path, "wb") as raw, contextlib.ExitStack() as stack:
        stream: Any = raw  # or a compressor writing into it
        if compressor is gzip.GzipFile:  # no file name or time in the header: the same output, byte for byte
            stream = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0))
        elif compressor is not None:
            stream = stack.enter_context(compressor(raw, mode="wb"))
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            yield text
        finally:
            text.detach()  # flushes; the stream is closed by its own context


TIME_FORMS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")  # a CSV's naive times, as pandas writes them
_COARSE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?")  # a time written in a coarser form


def time_form(times: pd.Series) -> int:
    """The form pandas' ``to_csv`` writes naive ``times`` in (``TIME_FORMS``' index): 0 dates alone, where all
    are at midnight; 1 with the time of day; 2 with part of a second. One form for a whole file, or
    ``pd.read_csv(parse_dates=...)`` leaves its column as text."""
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    ns = ns[ns != np.iinfo(np.int64).min]  # (not NaT)
    return 2 if (ns % 10**9 != 0).any() else int((ns % (86_400 * 10**9) != 0).any())


def _rewrite_times(path: Path, compressor: Any, form: int) -> None:
    """Write again, in ``TIME_FORMS[form]``, the times of a CSV's ``ds`` column that an earlier chunk wrote in a
    coarser form (dates alone, or to the second); every other cell as it was."""
    again = path.with_name(path.name + ".times")
    try:
        with (compressor or open)(path, "rb") as raw:
            lines = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            with _text_file(again, compressor) as handle:
                out = csv.writer(handle, lineterminator="\n")
                header = next(lines)
                out.writerow(header)
                at = header.index("ds")
                for row in lines:
                    if _COARSE_TIME.fullmatch(row[at]):
                        row[at] = pd.Timestamp(row[at]).strftime(TIME_FORMS[form])
                    out.writerow(row)
        os.replace(again, path)
    finally:
        if again.exists():
            again.unlink()


def _predicted(result: Predicted | tuple[Chunk, BatchPrediction]) -> Predicted:
    if isinstance(result, Predicted):
        return result
    chunk, batch = result
    return Predicted(chunk, batch, chunk.errors)


def _columns(predicted: Predicted, kind: str, zone: str | None = None) -> dict[str, Any]:
    """The output columns of a chunk for a ``kind`` ("csv" or "parquet") file: ids, the predicted times, counts,
    the prediction, its intervals as statsforecast names them (``lo-80``, ``hi-80``, ...), the pattern with
    whether an exact rule gave the value, the attention (and weights), and the error; or, for several steps,
    one row per series and step."""
    chunk, batch, steps = predicted.chunk, predicted.batch, predicted.steps
    columns: dict[str, Any] = {chunk.id_name: np.repeat(chunk.ids, steps) if steps > 1 else chunk.ids}
    if predicted.next_ds is not None:
        columns["ds"] = predicted.ds_column(text=kind == "csv", zone=zone)
    if steps > 1:
        columns["step"] = np.tile(np.arange(1, steps + 1), len(chunk.ids))
    else:
        columns["n_values"], columns["n_used"] = chunk.n_values, batch.n_used
    as_written = functools.partial(_whole_where_exact, predicted) if kind == "csv" else np.ravel
    columns["prediction"] = as_written(predicted.values())
    for level in predicted.forecast.levels if steps > 1 else batch.levels:
        lo, hi = predicted.interval(level)  # (an exact rule's bounds, its value: written as it is, 21,21,21)
        columns[f"lo-{level_name(level)}"], columns[f"hi-{level_name(level)}"] = as_written(lo), as_written(hi)
    if batch.patterns and steps == 1:
        columns["pattern"] = batch.patterns
    if len(batch.exact) == len(batch.values):  # a series in error has no value, exact or not: an empty cell
        exact = pd.array(np.repeat(batch.exact, steps), dtype="boolean")
        exact[np.repeat(predicted.failed, steps)] = pd.NA
        columns["exact"] = pa.array(exact) if kind == "parquet" else exact
    if steps == 1:
        text = kind == "csv"
        columns["attention"] = _attention_text(batch) if text else _attention_list(batch)
        if batch.weights is not None:
            columns["weights"] = (
                _text(batch.weights, batch.n_used, PER_STEP_FORMAT) if text
                else _list(batch.weights, batch.n_used, pa.float64())
            )  # fmt: skip
    if predicted.errors is not None:
        errors = np.repeat(predicted.errors, steps)
        columns["error"] = errors if kind == "csv" else pa.array(errors, type=pa.string())
    return columns


def _whole_where_exact(predicted: Predicted, values: np.ndarray) -> np.ndarray:
    """A column for CSV text from (N, K) ``values`` (the prediction, or an interval's bound): the whole numbers an
    exact rule gives from integers as integers (``34``, as the command line and its JSON write them, not ``34.0``),
    the rest as floats, written as before. Up to 2**53, where float64 holds every integer: the column reads back
    as the same numbers."""
    exact = np.zeros(len(values), dtype=bool)  # (N,) rows an exact rule continues from integers
    exact[[row for row, rule in predicted.batch.rules.items() if rule.exact]] = True
    with np.errstate(invalid="ignore"):
        whole = (exact & ~predicted.failed)[:, None] & (np.abs(values) < 2.0**53) & (values == np.round(values))
    if not whole.any():
        return values.ravel()
    out = values.ravel().astype(object)  # floats, written as a float column writes them
    out[whole.ravel()] = values[whole].astype(np.int64).astype(object)
    return out


def _used(values: np.ndarray, n_used: np.ndarray) -> np.ndarray:
    """(N, W) rows of which the first ``n_used`` count -> those values, one row after another."""
    return values[np.arange(values.shape[1]) < n_used[:, None]]


def _list(values: np.ndarray, n_used: np.ndarray, kind: pa.DataType) -> pa.ListArray:
    offsets = np.r_[0, np.cumsum(n_used)].astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(_used(values, n_used), type=kind))


def _text(values: np.ndarray, n_used: np.ndarray, number: str) -> list[str]:
    used = _used(values, n_used).tolist()
    ends = np.cumsum(n_used).tolist()
    starts = [0, *ends[:-1]]
    return [",".join(map(number.format, used[a:b])) for a, b in zip(starts, ends, strict=True)]


def _attention_list(batch: BatchPrediction) -> pa.ListArray:
    return _list(batch.attention, batch.n_used, pa.float32())


def _attention_text(batch: BatchPrediction) -> list[str]:
    return _text(batch.attention, batch.n_used, WEIGHT_FORMAT)


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _csv_frames(path: Path, on_read: Progress) -> Iterator[pd.DataFrame]:
    first_line = _first_line(path)
    if not first_line:
        scanned = _scan(path)
        if scanned.lines > scanned.blank_tail:  # ("is empty" was said of a file that only begins with one)
            raise ValueError(
                f"the first line of {path} is empty; remove the empty lines above its first row (its header line, "
                "or its first series)"
            )
        raise ValueError(f"input file {path} is empty; give a file with one series per row or unique_id, ds, y")
    _check_columns(path, first_line.count(",") + 1)
    cells = [cell.strip().strip('"') for cell in first_line.split(",")]
    header = None if all(_is_number(cell) for cell in cells) else "infer"
    # pd.DataFrame(rows).to_csv(path) writes its index too: an empty first label and each row's label first
    indexed = cells[0] == "" and _pandas_labels(cells[1:])
    if header is None and (_pandas_labels(cells) or indexed) and _second_line_cells(path) >= len(cells):
        header = "infer"  # the labels pandas writes above a frame of rows: not a series
        log.warning(
            "note: read the first line of %s (%s) as column labels%s, as pandas' to_csv writes them, not as a series; "
            "to predict it as a series, add a line of labels above it (t1,t2,...)", path, _shown(cells),
            " and the first column as the rows' unique_id" if indexed else "",
        )  # fmt: skip
    else:
        indexed = False
    if header and len(cells) == 1:
        _check_separator(path, cells[0])
    # 2024-01-01,5: a time and a value with no header line (its first line is data, not labels)
    timed = bool(header) and len(cells) == 2 and _holds_time(cells[0]) and _is_number(cells[1])
    header = None if timed else header
    if header:
        _check_names(path, cells)
    long = header and {"ds", "y"} & set(cells)
    # ids as the text in the file: no number parsing (007, 1.0), no missing-value words (NA); under the name
    # as pandas reads it, spaces and all (`a, unique_id`); the names are stripped once read
    # (a column named as ids are, which _read_chunks takes for unique_id, likewise: sku 007 stays 007)
    named = id_named(cells) if header and cells[0] != "" else []
    ids: dict[Any, type] = dict.fromkeys({
        ID_COLUMN, *(cell for cell in first_line.split(",") if cell.strip().strip('"') in (ID_COLUMN, *named))
    }, str)  # fmt: skip
    if indexed:
        ids[0] = str  # the row labels, as text
    options: dict[str, Any] = {"header": header, "low_memory": False, "float_precision": "round_trip"}
    scanned = _scan(path)
    columns = scanned.columns
    # a comma ending every line (spreadsheets write them): an empty column, named by nothing in the header
    # line (or a headerless file of one value a line), dropped as it is read; a value in it is refused
    trailing = len(cells) > 1 and cells[-1] == "" and (header is not None or columns == 2)
    # one series down a column: an empty line is a missing value, not nothing; a series a row without a header
    # line: an empty line is an empty series (an error row in its place, as a line of empty cells is: the rows
    # after it keep their numbers); but the empty lines that end the file are nothing. (A header line may name
    # ids, times or quantities, whose rows an empty line would break: there it is skipped, round 53.)
    if columns - trailing == 1 or header is None and not timed and not indexed:
        options["skip_blank_lines"] = False
        options["nrows"] = max(scanned.lines - scanned.blank_tail - (header is not None), 0)
    if header is not None and not trailing and scanned.comma_ended == scanned.lines - 1 - scanned.blank_tail > 0:
        # every line but the header ends with a comma: the empty cell it makes is no column, and no row labels
        options["index_col"] = False
    if header is None:  # rows of numbers: a later row may be longer than the first (pandas refuses those)
        _check_columns(path, columns)
        options["names"] = ["time", "value"] if timed else range(columns)
    if scanned.misread:  # the values as text, so that an integer float64 would round (or 1e-400) is refused, whatever else is there
        names = list(options["names"]) if header is None else [
            name for raw in first_line.split(",") for name in {raw, raw.strip(), raw.strip().strip('"')}
        ]  # as pandas may name them, quotes and spaces kept or not: names not among the columns are ignored
        options["dtype"] = {
            name: str for name in names if name not in ids and (not long or str(name).strip().strip('"') == "y")
        }
    options["chunksize"] = LONG_CHUNK_ROWS if long else _wide_chunk_rows(columns)
    try:
        with open(path, "rb") as raw, contextlib.ExitStack() as stack:
            size = max(os.fstat(raw.fileno()).st_size, 1)
            stream = raw if _suffix(path) not in COMPRESSORS else stack.enter_context(_decompressed(raw, _suffix(path)))
            with pd.read_csv(stream, converters=ids, encoding="utf-8", **options) as reader:
                for frame in reader:
                    on_read(min(raw.tell() / size, 1.0))  # how far into the file, compressed or not
                    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the extra cells as row labels
                        raise ValueError(  # (a one-line error, completed below)
                            f"its rows have more cells than its header line names ({frame.shape[1]}): a decimal "
                            "comma (1,5)? Write decimals with '.'"
                        )
                    if trailing:
                        frame = _without_trailing(frame, header is not None)
                    if indexed:
                        frame = frame.rename(columns={frame.columns[0]: ID_COLUMN})
                    yield frame.rename(columns=str.strip) if header else frame  # `unique_id, ds, y` is long
    except (ValueError, OSError, EOFError, lzma.LZMAError) as err:  # pandas' parser errors are ValueErrors
        below = _header_below(path) if header else None
        if below is not None:
            raise ValueError(
                f"cannot read {path} as CSV: its line {below + 1} looks like its header line ({_header_cells(path, below)}), "
                + ("and the line above it describes" if below == 1 else f"and the {below} lines above it describe")
                + " the file, as a World Bank download's do; remove "
                + ("it" if below == 1 else "them")
            ) from err
        fix = (  # (a Latin-1 file, or Excel's "Unicode text", which is UTF-16)
            'save it as UTF-8 (in Excel: Save As "CSV UTF-8")' if isinstance(err, UnicodeDecodeError)
            else "give comma-separated text, with as many cells in each row as the header line names"
        )  # fmt: skip
        raise ValueError(f"cannot read {path} as CSV: {_one_line(err)}; {fix}") from err


def _check_names(path: Path, cells: list[str]) -> None:
    """A header line that names one column twice is refused: pandas kept one of two ``y`` columns, took two
    ``2020`` columns of a wide file for values with no time, and named a second ``sales`` ``sales.1``, a name
    the file does not have (adversarial round 65)."""
    seen: dict[str, int] = {}
    for column, name in enumerate(cells, start=1):
        if name and name in seen:
            raise ValueError(
                f"{path} names two columns {name!r} (columns {seen[name]} and {column}); give each column its own name"
            )
        seen.setdefault(name, column)


def _header_below(path: Path) -> int | None:
    """Where a CSV's first lines are a short description of it (``"Data Source","World Development
    Indicators"``, a blank line, ...) above its header line: that line's index (from 0), the first of the
    first 10 with a name among its cells and at least 4 of them, twice as many as any line above it has, and
    a line after it with as many (a row with cells too many is no header). None where there is none."""
    rows = list(csv.reader(line.decode("utf-8", errors="replace") for line in _lines(path, 10)))
    named = [any(cell.strip() and not _is_number(cell) for cell in row) for row in rows]
    if not rows or not named[0]:
        return None
    above = len(rows[0])
    for at, row in enumerate(rows[1:], start=1):
        after = next((len(later) for later in rows[at + 1 :] if any(cell.strip() for cell in later)), 0)
        if len(row) >= max(4, 2 * above) and named[at] and after == len(row):
            return at
        above = max(above, len(row))
    return None


def _header_cells(path: Path, at: int) -> str:
    """Line ``at`` of a CSV file, shown short: its first 2 cells, ..., its last."""
    cells = [cell.strip() for cell in next(csv.reader([_lines(path, at + 1)[at].decode("utf-8", errors="replace")]))]
    cells = [cell for cell in cells if cell] or [""]
    return ",".join(cells if len(cells) <= 4 else [*cells[:2], "...", cells[-1]])


def _without_trailing(frame: pd.DataFrame, header: bool) -> pd.DataFrame:
    """A CSV frame without its last column, which the commas ending its lines made: empty, or a ValueError
    naming the first line that holds something there."""
    filled = np.flatnonzero(frame.iloc[:, -1].notna().to_numpy())
    if filled.size:  # (a one-line error, completed by _csv_frames)
        row, cell = int(frame.index[filled[0]]), frame.iat[filled[0], -1]
        raise ValueError(
            f"line {row + 1 + header} has {cell.item() if isinstance(cell, np.generic) else cell!r} in its last "
            "cell, which the first line leaves unnamed (a trailing comma): name it, or end no line with a comma"
        )
    return frame.iloc[:, :-1]


def _check_separator(path: Path, name: str) -> None:
    """Refuse a CSV whose one column's name holds a semicolon, a tab, or numbers between spaces: its values
    are not comma-separated, and every row would be read as one value."""
    spaced = len(name.split()) > 1 and all(_is_number(part) for part in name.split())  # 3 6.1 9.2 12
    for separator, word in ((";", "semicolons"), ("\t", "tabs"), (" ", "spaces")):
        if separator in name and (separator != " " or spaced):
            raise ValueError(
                f"{path} has one column, {name!r}: its values are separated by {word}, not commas; save it "
                "as comma-separated values (unique_id,ds,y), with '.' for decimals"
            )


def _csv_lines(path: Path) -> Callable[[Any], str]:
    """Where a CSV file's data row (a label counted from 0 by pandas) is: its line in the file, counting the
    header. Blank lines (pandas skips them) and cells quoted across lines put rows below their count (round 54:
    line 5 named the row on line 8); the file is read for them once, for the first message that names a line."""
    found: list[np.ndarray] = []  # once scanned: (S,) the labels where line - label changes, and (S,) it from there

    def scan() -> None:
        shifts = [(-1, 2)]  # (label, line - label) from that row on: the header's line 1, where nothing is above it
        shift, label, before = 2, -2, 0
        try:
            with contextlib.ExitStack() as stack:
                raw = stack.enter_context(open(path, "rb"))
                stream = raw if _suffix(path) not in COMPRESSORS else stack.enter_context(_decompressed(raw, _suffix(path)))
                text = stack.enter_context(io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=""))
                reader = csv.reader(text)
                for record in reader:
                    start, before = before + 1, reader.line_num
                    if not record or (len(record) == 1 and not record[0].strip()):
                        continue  # a blank line, or one of spaces: pandas skips both
                    label += 1
                    if start - label != shift:
                        shift = start - label
                        shifts.append((label, shift))
        except (OSError, EOFError, lzma.LZMAError, csv.Error, ValueError):  # (a cell past csv's field limit)
            del shifts[1:]
        found.extend(np.array(column) for column in zip(*shifts, strict=True))

    def where(label: Any) -> str:
        if not found:
            scan()
        labels, shifts = found
        at = max(int(np.searchsorted(labels, label, side="right")) - 1, 0)  # the last change at or before it
        return f"line {label + shifts[at]} of the file, counting the header"

    return where


def _parquet_row(_: Any) -> str:
    return "rows counted from 0"


def _decompressed(raw: Any, suffix: str) -> Any:
    """A binary file object read through the decompressor for ``suffix`` (.gz, .bz2, .xz)."""
    return gzip.GzipFile(fileobj=raw, mode="rb") if suffix == ".gz" else COMPRESSORS[suffix](raw, mode="rb")


_NOT_CSV = {  # the first bytes of files that are not CSV text: (what the file is, what to do)
    b"PAR1": ("a Parquet file", "name it .parquet"),
    b"\x1f\x8b": ("gzip-compressed", "name it .csv.gz"),
    b"BZh": ("bzip2-compressed", "name it .csv.bz2"),
    b"\xfd7zXZ\x00": ("xz-compressed", "name it .csv.xz"),
    b"PK\x03\x04": ("a zip archive (an Excel workbook?)", 'save the sheet as CSV (in Excel: Save As "CSV UTF-8")'),
}


def _first_line(path: Path) -> str:
    """The first line of a CSV file (.gz, .bz2 and .xz decompressed), read no further than ``MAX_LINE_BYTES``,
    without a UTF-8 byte-order mark (pandas skips one too)."""
    line = _lines(path, 1)[0]
    for magic, (kind, fix) in _NOT_CSV.items():  # a file of another kind under a CSV's name (adversarial round 65)
        if line.startswith(magic):
            raise ValueError(f"cannot read {path} as CSV: it is {kind}, not text; {fix}")
    marked = line.startswith((b"\xff\xfe", b"\xfe\xff"))  # a UTF-16 or UTF-32 byte-order mark
    if marked or b"\x00" in line:  # (round 41: Excel's "Unicode Text")
        start = line[:64].rstrip(b"\n")  # (UTF-16's ASCII: every other byte NUL; UTF-32's three in four)
        if not (marked or not start[1::2].strip(b"\x00") or not start[::2].strip(b"\x00")):
            raise ValueError(  # NULs, not every other byte: no text of any encoding
                f"cannot read {path} as CSV: it is not text (it holds bytes no text has); give a CSV file (UTF-8 text) "
                "or a .parquet file"
            )
        raise ValueError(
            f"cannot read {path} as CSV: it is UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8 (in Excel: Save As "
            '"CSV UTF-8")'
        )
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(
            f"the first line of {path} is longer than {MAX_LINE_BYTES >> 20} MiB; give long series in long "
            "format (unique_id, ds, y), one row per value"
        )
    return line.decode("utf-8", errors="replace").removeprefix("\ufeff").strip()


def _second_line_cells(path: Path) -> int:
    """How many cells the second line of a CSV file has (0 if none; a line over ``MAX_LINE_BYTES`` read
    that far)."""
    lines = _lines(path, 2)
    return lines[1].count(b",") + 1 if len(lines) > 1 and lines[1].strip() else 0


# a whole number of 16 digits or more may be past 2**53 (9007199254740992); a number below 5e-324 has an
# exponent of -100 or less (1e-400), or a run of 16 zeros (0.000...3)
_MISREAD = re.compile(rb"\d{16}|[eE]-\d{3}")


class _Scanned(NamedTuple):
    columns: int  # the most cells a line holds (its commas + 1)
    misread: bool  # a run of 16 digits or more, or an exponent of -100 or less: values read as text
    lines: int  # lines in the file, the last counted if it has no newline
    blank_tail: int  # blank lines that end it (within its last block)
    comma_ended: int  # lines that end with a comma


def _scan(path: Path) -> _Scanned:
    """A CSV file read through once in blocks: the most cells a line holds (the columns of a headerless wide
    file whose rows have as many cells as their series has values), whether it holds a run of 16 digits or
    more (an integer float64 may not hold) or an exponent of -100 or less (a number it may read as 0), which
    its value columns are then read as text to check (parsed as floats, 9007199254740993 is
    9007199254740992, and 1e-400 is 0, before anything can see it), and how many lines it has and how many
    blank ones end it (a one-column file's blank lines are missing values, but not those at its end)."""
    widest, digits, tail, count, commas = 0, False, b"", 0, 0
    last: list[bytes] = []  # the lines of the last block that had any
    try:
        with COMPRESSORS.get(_suffix(path), open)(path, "rb") as handle:
            while block := handle.read(READ_BLOCK_BYTES):
                chunk = tail + block
                lines = chunk.split(b"\n")
                tail = lines.pop()
                count += len(lines)
                commas += chunk.count(b",\n") + chunk.count(b",\r\n")  # each newline is in one chunk only
                last = lines or last
                widest = max(widest, *(line.count(b",") for line in lines)) if lines else widest
                digits = digits or any(_MISREAD.search(line) for line in lines)
    except (OSError, EOFError, lzma.LZMAError) as err:
        raise ValueError(f"cannot read {path}: {_one_line(err)}; check that the file is complete") from err
    ending = [*last, tail] if tail else last
    # (a line of commas alone is blank too: a spreadsheet's empty row, where every line ends with a comma)
    blank = next((i for i, line in enumerate(reversed(ending)) if line.strip(b" \t\r,")), len(ending))
    commas += tail.rstrip(b"\r").endswith(b",")
    return _Scanned(
        max(widest, tail.count(b",")) + 1, digits or bool(_MISREAD.search(tail)), count + bool(tail), blank, commas
    )


_MONTH = re.compile(r"\d{4}-\d{2}")  # 2024-05: a month, as pandas reads it (its first day) and a CSV writes it back
_MONTH_START = r"^(\d{4}-\d{2})-01(?: 00:00:00)?$"
_QUARTER_START = r"^(\d{4})-(01|04|07|10)-01(?: 00:00:00)?$"  # a quarter's first day, written back as the quarter (2024Q2)


def _zone(path: Path) -> str | None:
    """The time zone of a Parquet file's times (``Europe/Berlin``), where its timestamps name one (and only
    one); else None."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError):
        return None  # (the read that follows names the problem)
    times = [field for field in schema if pa.types.is_timestamp(field.type)]
    named = [field for field in times if field.name.strip() == "ds"]  # the times, where named so (a zoned index
    zones = {field.type.tz for field in named or times}  # pandas stored beside them is no zone of theirs)
    return zones.pop() if len(zones) == 1 else None


def _calendar(path: Path) -> str | None:
    """``"months"`` where a long-format CSV file writes its first time as a month alone (``2024-05``, ``May 2024``), or a wide
    one names its last column so, ``"quarters"`` where as a quarter (``2024Q2``), else None: its next times are
    then written so too."""
    lines = _lines(path, 2)
    if len(lines) < 2:
        return None
    try:  # (a cell past csv's field limit, 128 KiB: the size checks after this refuse the file; round 60)
        header, first = (next(csv.reader([line.decode("utf-8", errors="replace").removeprefix("\ufeff")]), []) for line in lines)
    except csv.Error:
        return None
    cells = dict(zip((name.strip() for name in header), first, strict=False))
    timed = _time_and_values(cells)  # month,sales: the time column
    time = cells.get(timed[0] if timed else "ds", "").strip()
    if not time:  # id,2024-01,2024-02,...: a wide file's columns named by months (its last, a trailing comma aside)
        time = next((label.strip() for label in reversed(header) if label.strip()), "")
    return "months" if _MONTH.fullmatch(time) or MONTH_NAME.fullmatch(time) else "quarters" if QUARTER.fullmatch(time) else None


def _on_calendar(ds: np.ndarray | None, calendar: str) -> np.ndarray:
    """(N, W) the times of a chunk's series (NaT padded) -> (N,) bool: every time of the series is the first
    day of a month (``calendar="months"``) or a quarter (``"quarters"``), at midnight."""
    if ds is None or ds.dtype.kind != "M":
        return np.zeros(0 if ds is None else len(ds), dtype=bool)
    months = ds.astype("datetime64[M]")  # (N, W)
    start = months.astype(ds.dtype) == ds  # the month's first instant
    if calendar == "quarters":
        start &= months.astype(np.int64) % 3 == 0  # (months since 1970-01)
    return (start | np.isnat(ds)).all(axis=1)


def _as_calendar(times: pd.Series, calendar: str) -> pd.Series:
    """A CSV's time column as text (or integer steps) with each month's (``calendar="months"``) or quarter's
    (``"quarters"``) first day written as the month (2024-05) or quarter (2024Q2). A series' times on the
    calendar are all at midnight: written as dates alone, or at 00:00:00 beside times of day (``time_form``)."""
    if times.dtype != object:  # integer steps
        return times
    if calendar == "months":
        return times.str.replace(_MONTH_START, r"\1", regex=True)
    return times.str.replace(_QUARTER_START, lambda m: f"{m[1]}Q{(int(m[2]) + 2) // 3}", regex=True)


def _lines(path: Path, count: int) -> list[bytes]:
    """The first ``count`` lines of a file (.gz, .bz2 and .xz decompressed), each read no further than one
    byte past ``MAX_LINE_BYTES``; fewer where the file ends before."""
    try:
        with COMPRESSORS.get(_suffix(path), open)(path, "rb") as handle:
            lines = [handle.readline(MAX_LINE_BYTES + 1) for _ in range(count)]
    except (OSError, EOFError, lzma.LZMAError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"cannot read {path}: {_one_line(err)}; check that the file is complete") from err
    return [line for line in lines if line] or [b""]


def _check_columns(path: Path, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise ValueError(
            f"{path} has {columns} columns, more than the {MAX_COLUMNS} a row may hold (the model reads the last "
            "64 values); give long series in long format (unique_id, ds, y), one row per value"
        )


def _wide_chunk_rows(columns: int) -> int:
    """Rows per chunk of a wide file of ``columns`` columns: memory bounded by cells, not rows."""
    return max(1, min(WIDE_CHUNK_ROWS, WIDE_CHUNK_CELLS // max(columns, 1)))


def _parquet_frames(path: Path, on_read: Progress) -> Iterator[pd.DataFrame]:
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)  # pre-buffering keeps what it read: memory grows
        schema = parquet.schema_arrow
        columns, times = _parquet_columns(path, schema)
        names = [name.strip() for name in columns.values()]  # `unique_id, ds, y` is long
        long = times is not None or {"ds", "y"} & set(names)
        period = _period(schema.field(times)) if times is not None else None
        periods = {  # columns of pandas periods, stored as their ordinals (a long file's ds, or its date)
            columns[name].strip(): freq for name in columns if times is None and (freq := _period(schema.field(name)))
        }
        ids = names.index(ID_COLUMN) if ID_COLUMN in names else -1
        id_type = schema.field(list(columns)[ids]).type if ids >= 0 else None
        if id_type is not None and pa.types.is_nested(id_type):
            raise ValueError(
                f"column {ID_COLUMN} of {path} holds {id_type} values; "
                "ids must be text or integers, one per row"
            )
        _check_columns(path, len(columns))
        rows = LONG_CHUNK_ROWS if long else _wide_chunk_rows(len(columns))
        done, total = 0, max(parquet.metadata.num_rows, 1)
        for batch in parquet.iter_batches(batch_size=rows, columns=list(columns)):
            batch = batch.rename_columns([columns[name].strip() for name in batch.schema.names])
            if ids >= 0:  # ids as text, as from a CSV file
                at = batch.schema.get_field_index(ID_COLUMN)
                batch = batch.set_column(at, ID_COLUMN, batch.column(at).cast(pa.string()))
            frame = batch.to_pandas()
            frame.index += done  # rows numbered through the file, not the batch
            if times is not None:
                frame = _down_columns(frame, period)
            for name, freq in periods.items():  # read as their start times, as an index of periods is
                frame[name] = _period_starts(frame[name], freq)
            done += batch.num_rows
            on_read(done / total)
            yield frame
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"cannot read {path} as Parquet: {_one_line(err)}; check that the file is complete") from err


def _parquet_columns(path: Path, schema: pa.Schema) -> tuple[dict[str, str], str | None]:
    """The columns of a Parquet file to read, each to its name, and the one that holds the times of series
    down its other columns, if one does: all but the index pandas stored with a frame (``__index_level_0__``
    or the index's name; not data), which names the rows where a wide file has one such column and no
    unique_id. An index named unique_id, ds or y is data. An index of times (dates, periods, or integers
    named as times are, ``year``, or beside one column any integers) is the times of a series down each
    column (a frame of series with a DatetimeIndex), each named by its column; beside one column and a
    unique_id, the times of that column (``df.set_index("ds")``); as the second level under a level of ids
    (series x dates), the times of each id's series in the one column. Another index beside one column is
    left out: the column is one series, in its stored order (rows of one value are no series)."""
    index = [
        name for name in (schema.pandas_metadata or {}).get("index_columns", [])
        if isinstance(name, str) and name in schema.names and name.strip() not in {ID_COLUMN, "ds", "y"}
    ]  # fmt: skip
    columns = {name: name for name in schema.names if name not in index}
    stripped = {name.strip() for name in columns}
    timed = [_time_index(schema.field(name), alone=len(columns) == 1) for name in index]
    if len(index) == 1 and timed[0] and ID_COLUMN in stripped and len(columns) == 2:  # id, value
        value = next(name for name in columns if name.strip() != ID_COLUMN)
        log.warning("note: read the index pandas stored in %s (%s) as ds, column %r as y", path, index[0], value)
        return {**columns, value: "y", index[0]: "ds"}, None
    if len(index) == 2 and timed[1] and len(columns) == 1 and not {ID_COLUMN, "ds", "y"} & stripped:  # ids x times
        value = next(iter(columns))
        log.warning(
            "note: read the index pandas stored in %s (%s, %s) as unique_id and ds, column %r as y", path, *index, value
        )
        return {index[0]: ID_COLUMN, index[1]: "ds", value: "y"}, None
    if len(index) == 1 and not {ID_COLUMN, "ds", "y"} & stripped:
        if timed[0]:
            _note_down_columns(path, "index" if index[0] == "__index_level_0__" else index[0], list(columns))
            return {**columns, index[0]: "ds"}, index[0]
        if len(columns) > 1:
            columns = {index[0]: ID_COLUMN, **columns}
    if index:
        log.warning(
            "note: read the index pandas stored in %s (%s) %s, not as values", path, ", ".join(index),
            "as the rows' unique_id" if index[0] in columns else "as row labels, and left it out",
        )  # fmt: skip
    return columns, None


def _time_index(field: pa.Field, alone: bool) -> bool:
    """Whether an index pandas stored holds times: dates, periods, or integers named as times are (year), or
    any integers beside one column (``alone``)."""
    if pa.types.is_temporal(field.type) or _period(field) is not None:
        return True
    return pa.types.is_integer(field.type) and (alone or time_named(field.name))


def _few(names: list[str]) -> str:
    """Labels for a note: all of up to 6, else the first 3 and the last 2 (a file of 3,000 columns)."""
    shown = [repr(name) for name in names]
    return ", ".join(shown if len(shown) <= 6 else [*shown[:3], "...", *shown[-2:]])


def _note_down_columns(path: Path, time: str, values: list[str]) -> None:
    how = (
        f"one series, {values[0]!r}: column {time!r} as its times (ds), column {values[0]!r} as its values (y)"
        if len(values) == 1
        else f"{len(values)} series, one down each of the columns {_few(values)}: column {time!r} as their times (ds)"
    )  # fmt: skip
    log.warning("note: read %s as %s", path, how)


def _period(field: pa.Field) -> str | None:
    """The frequency of a column of pandas periods (stored as their ordinals, under Arrow's extension type
    metadata; read as pandas' extension type where pandas has registered it), else None."""
    if isinstance(field.type, pa.ExtensionType):
        freq = getattr(field.type, "freq", None)
        return freq if isinstance(freq, str) else None
    meta = field.metadata or {}
    if meta.get(b"ARROW:extension:name") != b"pandas.period":
        return None
    try:
        freq = json.loads(meta.get(b"ARROW:extension:metadata", b"{}")).get("freq")
    except (ValueError, AttributeError):
        return None
    return freq if isinstance(freq, str) else None


def _period_starts(ds: pd.Series, period: str | None) -> pd.Series:
    """Periods (of pandas' dtype, or their ordinals as a Parquet file stores them, of frequency ``period``) as
    their start times; other times as they are."""
    if isinstance(ds.dtype, pd.PeriodDtype):
        return ds.dt.to_timestamp()
    if period is None:
        return ds
    ordinals = ds.fillna(np.iinfo(np.int64).min).to_numpy(dtype=np.int64)  # a missing one: NaT
    return pd.Series(pd.PeriodIndex.from_ordinals(ordinals, freq=period).to_timestamp(), index=ds.index, name=ds.name)


def _down_columns(frame: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """A frame of series down its columns beside their times (``ds``) -> long format, one series a column
    (named by it). Periods (``ds`` their ordinals, of frequency ``period``) are read as their start times."""
    frame = frame.assign(ds=_period_starts(frame["ds"], period))
    values = [str(name) for name in frame.columns if name != "ds"]
    narrow = [name for name in values if narrow_float(frame[name].dtype)]
    if narrow:  # float32 columns as the decimals they hold, before they are stacked with wider ones
        frame = frame.assign(**{name: widened(frame[name].to_numpy()) for name in narrow})
    if len(values) == 1:  # (which may be y)
        return frame.rename(columns={values[0]: "y"}).assign(**{ID_COLUMN: values[0]})
    # each row's label kept, for messages that name its line
    return frame.melt("ds", values, ID_COLUMN, "y", ignore_index=False).astype({ID_COLUMN: str})


# the cells pandas reads as missing (read_csv's default na_values), which are no column names
_MISSING_WORDS = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
    "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})  # fmt: skip


def _is_number(cell: str) -> bool:
    """Whether a cell of a CSV's first line is a number or missing (empty, NA, ...): a value, not a name."""
    try:
        float(cell)
    except ValueError:
        return cell.strip() in _MISSING_WORDS
    return True


def _pandas_labels(cells: list[str]) -> bool:
    """Whether ``cells`` are exactly ``0,1,...,n-1`` (n >= 2): the column labels pandas writes above a frame
    of rows, or a series 0, 1, 2, ...?"""
    return len(cells) >= 2 and cells == [str(i) for i in range(len(cells))]


def _shown(cells: list[str]) -> str:
    """A first line of numbered cells, short: 0,1,2 or 0,1,...,63."""
    return ",".join(cells) if len(cells) <= 4 else f"{cells[0]},{cells[1]},...,{cells[-1]}"


def _ids(column: pd.Series, where: Callable[[Any], str]) -> np.ndarray:
    """The unique_id column -> (N,) object array of str; a missing or empty id is an error naming its row."""
    ids = column.to_numpy(dtype=object)
    missing = np.flatnonzero(column.isna().to_numpy() | (ids == ""))
    if missing.size:
        label = column.index[missing[0]]
        raise ValueError(f"row {label} has no unique_id ({where(label)}); give every row the id of its series")
    return ids


def _header_named(frame: pd.DataFrame) -> bool:
    """Whether a wide frame's columns came from a header line (names), not pandas' numbering."""
    return not all(isinstance(column, (int, np.integer)) for column in frame.columns)


def _column_name(label: Any) -> str:
    """A value column as messages name it: by its label, or in a file without a header line, as the value it
    holds, counted from 1 (``value 3``, not ``column np.int64(2)``)."""
    return f"value {int(label) + 1}" if isinstance(label, (int, np.integer)) else f"column {label!r}"


def _cell_name(ids: np.ndarray, column: Any, row: int) -> str:
    return f"{_column_name(column)} of series {ids[row]!r}"


_PANDAS_INDEX = "Unnamed: 0"  # how pandas names a CSV's first column under an empty label


def _id_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _with_ids(frame: pd.DataFrame, labels: list[str], where: Callable[[Any], str]) -> pd.DataFrame:
    """``frame`` with its columns ``labels`` as one unique_id, in the first one's place: their text (as a
    unique_id column is read: 17, not 17.0 where a missing id made the column floats), joined by ID_JOIN (a
    separator or backslash within an id escaped by a backslash). A missing id is a ValueError naming its
    column and row."""
    texts = []
    for label in labels:
        column = frame[label]
        missing = np.flatnonzero(column.isna().to_numpy() | (column.to_numpy(dtype=object) == ""))
        if missing.size:
            row = column.index[missing[0]]
            raise ValueError(f"row {row} has no {label!r} ({where(row)}); give every row the id of its series")
        # a whole float as the integer it is (17, not 17.0, where a missing id made the column floats), value by
        # value: chunk by chunk, 2.0 would be "2" in one and "2.0" in another
        text = column.map(_id_text) if column.dtype.kind == "f" else column.astype(str)
        if len(labels) > 1:  # ids that hold the separator stay apart: store a/b, item c is a\/b/c; store a, item b/c a/b\/c
            text = text.str.replace("\\", "\\\\").str.replace(ID_JOIN, "\\" + ID_JOIN)
        texts.append(text.astype(object))
    ids = functools.reduce(lambda left, right: left + ID_JOIN + right, texts)
    return frame.drop(columns=labels).assign(**{ID_COLUMN: ids})[
        [ID_COLUMN if name == labels[0] else name for name in frame.columns if name not in labels[1:]]
    ]


def _quantities(cells: dict[Any, Any], least: int = 3) -> bool:
    """Whether a file's columns (``{label: first cell}``) are ``least`` or more quantities observed row by
    row: named as quantities are (:func:`~numseries.series.quantity_names`), each holding a number
    (``city,temperature,...`` holds names: its rows are no observations of one system)."""
    return quantity_names(list(cells), least) and not any(map(_is_text, cells.values()))


def _dated_quantities(cells: dict[Any, Any]) -> tuple[str, list[str]] | None:
    """The time label and the value labels of a file of quantities beside one column that holds times under
    another name than times have (``created,temperature,humidity``) or is named as a row's index is
    (``index,temperature,...``: what ``df.reset_index().to_csv(index=False)`` writes), else None."""
    if not all(isinstance(name, str) for name in cells) or ID_COLUMN in cells:
        return None
    dated = [name for name, cell in cells.items() if _holds_time(cell) or index_named(name)]
    rest = {name: cell for name, cell in cells.items() if name not in dated}
    return (dated[0], list(rest)) if len(dated) == 1 and _quantities(rest, least=1) else None


def _texts(column: pd.Series) -> bool:
    """Whether a column holds text that is no number (a name, a date) among its first 100 cells."""
    return any(map(_is_text, column.head(100)))


def _is_text(cell: Any) -> bool:
    """Whether a cell is text that is no number (a name, a date)."""
    return isinstance(cell, str) and not _is_number(cell.strip())


def _two_columns(cells: dict[Any, Any]) -> bool:
    """Whether a file's columns (``{label: first cell}``) are two named ones and no unique_id."""
    return len(cells) == 2 and all(isinstance(name, str) for name in cells) and ID_COLUMN not in cells


def _time_and_values(cells: dict[Any, Any]) -> tuple[str, list[str]] | None:
    """The time label and the value labels of a file of named columns without unique_id, ``{label: first
    cell}``: a series down each value column at the times of the time column. Of two columns, where one is
    ``ds``, the other ``y``, or exactly one is named as times are (``date``, ``year``, ...) or holds times
    (dates, months, quarters): as rows, each would be a series of two values, which no series is. Of more,
    where exactly one is named as times (``date,sales,cost``; ``year,jan,feb,...``: the year is no value of a
    series) and none is ``y``: a first column that holds dates under another name may be each row's start.
    Else None."""
    names = list(cells)
    if len(names) < 2 or not all(isinstance(name, str) for name in names) or ID_COLUMN in names:
        return None
    if len(names) > 2 and "y" in names:  # long format without unique_id: refused as such
        return None
    timed = (
        ["ds"] if "ds" in names
        else [name for name in names if name != "y"] if "y" in names
        else time_labels(names) if len(names) > 2  # (a first column of dates may be each row's start)
        else [name for name in names if time_named(name) or index_named(name) or _holds_time(cells[name])]
    )  # fmt: skip
    return (timed[0], [name for name in names if name != timed[0]]) if len(timed) == 1 else None


def _holds_time(cell: Any) -> bool:
    """Whether a first cell is a time: a datetime, or text of an ISO date, a month (2024-05, Jan 2024) or a quarter."""
    if isinstance(cell, (datetime.date, np.datetime64)):
        return True
    if not isinstance(cell, str) or _is_number(cell.strip()):
        return False
    text = cell.strip()
    return bool(QUARTER.fullmatch(text) or MONTH_NAME.fullmatch(text)) or not pd.isna(pd.to_datetime(text, format="ISO8601", errors="coerce"))


def _column_chunk(frames: Iterator[pd.DataFrame], csv: bool) -> Chunk:
    """A file of one column: one series, read down it (its id the column's label; 1 without a header line).
    Its first problem (text, a number float64 misreads, a missing value) is the series' error."""
    parts, rows, error, label = [], [], None, None
    for frame in frames:
        column, label = frame.iloc[:, 0], frame.columns[0]
        name, where = _column_place(label, csv)
        values, words = numeric(column, name)  # (R,)
        errors = np.full(len(values), None, dtype=object)
        for row in np.flatnonzero(words).tolist():
            errors[row] = f"{name} has {column.iloc[row]!r} at {where(frame.index[row])}, which is not a number; give numbers only"
        mark_misread(column, values, errors, functools.partial(_column_row, name, where, frame.index))
        wrong = np.flatnonzero(errors != None)  # noqa: E711 (element-wise)
        error = error if error is not None or not wrong.size else errors[wrong[0]]
        parts.append(values)
        rows.append(frame.index.to_numpy())
    values, labels = np.concatenate(parts), np.concatenate(rows)  # (R,) each
    present = np.flatnonzero(~np.isnan(values))
    gaps = np.flatnonzero(np.isnan(values)) if present.size else present
    if error is None and gaps.size:  # (blank lines that end a CSV file were never read)
        error = f"{name} has a missing value at {where(labels[gaps[0]])}, " + (
            "before its last value; fill or drop it" if gaps[0] < present[-1] else
            "after its last number, so the next value would be predicted for that place, not the one after it; "
            "fill it, or drop the missing values that end the column"
        )  # fmt: skip
    ids = np.array([label if isinstance(label, str) else 1], dtype=object)
    errors = np.array([error], dtype=object)
    n_values = check_rows(values[None], ids, errors)
    return Chunk("column", ids, values[None], n_values, errors=errors)


def _column_row(name: str, where: Callable[[int], str], labels: pd.Index, row: int) -> str:
    return f"{name} at {where(labels[row])}"


def _column_place(label: Any, csv: bool) -> tuple[str, Callable[[int], str]]:
    """How messages name a one-column file's column (by its label, if it has a header line) and its rows."""
    header = isinstance(label, str)
    name = f"column {label!r}" if header else "the column"
    return name, (lambda row: f"line {row + 1 + header}") if csv else (lambda row: f"row {row} (counted from 0)")


def _wide_chunks(frames: Iterator[pd.DataFrame], where: Callable[[Any], str]) -> Iterator[Chunk]:
    offset, said_late, said_reversed = 0, False, False
    seen: np.ndarray | None = np.empty(0, dtype=np.uint64)  # sorted hashes of the ids so far, till one repeats
    for frame in frames:
        if ID_COLUMN in frame.columns:
            id_name, ids = ID_COLUMN, _ids(frame.pop(ID_COLUMN), where)
            if seen is not None:
                seen = _note_repeated_id(ids, frame.index, seen, where)
        else:
            id_name, ids = "row", np.arange(offset, offset + len(frame)).astype(object)
        if frame.shape[1] == 0:
            raise ValueError("the input has no value columns; give one series per row, one step per column")
        named = _header_times(frame.columns)  # (C,) the columns' times (years, dates, months), or None
        if named is not None and named[0] > named[-1]:  # 2022,2021,2020,...: newest first, read in time order
            if not said_reversed:
                log.warning("note: the columns of the file are named by times from the newest to the oldest (%s "
                            "first): each row is read from the oldest", _column_name(frame.columns[0]))
                said_reversed = True
            frame, named = frame.iloc[:, ::-1], named[::-1]
        # (C,) already numeric columns, read at once; float32 ones are read by numeric(), as their decimals
        numbers = np.array([dtype.kind in "iuf" and not narrow_float(dtype) for dtype in frame.dtypes])
        values = np.empty(frame.shape)  # (N, C)
        values[:, numbers] = frame.loc[:, numbers].to_numpy(dtype=np.float64, na_value=np.nan)  # all at once
        errors = np.full(len(frame), None, dtype=object)  # (N,)
        for column in np.flatnonzero(~numbers):  # text (or float32) in a column: each checked, naming what is not a number
            label = frame.columns[column]
            name = _column_name(label)
            values[:, column], words = numeric(frame.iloc[:, column], name)
            for row in np.flatnonzero(words & (errors == None)):  # noqa: E711 (element-wise)
                cell = frame.iloc[row, column]
                hint = f" (or, if {name} names the series, call it {ID_COLUMN})" if column == 0 and _header_named(frame) else ""
                found = f"{name} has {cell!r} in series {ids[row]!r}" if name.startswith("column") else (
                    f"series {ids[row]!r} has {cell!r} as its {name}"
                )  # fmt: skip
                errors[row] = f"{found}, which is not a number; give numbers only{hint}"
        # integers float64 rounds (beyond 2**53), as numbers or text (columns of a file with 16 digits in a row
        # are read as text: _scan); float columns were never exact
        for i in np.flatnonzero([dtype.kind in "iuO" for dtype in frame.dtypes]):
            mark_misread(frame.iloc[:, i], values[:, i], errors, functools.partial(_cell_name, ids, frame.columns[i]))
        values, late = _from_first_value(values, errors)
        ds = None if named is None else _times_from(named, late)
        if late.any() and not said_late:  # (once a file, not once a chunk)
            first = ids[int(np.argmax(late > 0))]
            log.info("note: rows that start after the first value column (%s first) are read from their first value",
                     first if id_name == ID_COLUMN else f"row {first}")
            said_late = True
        n_values = check_rows(values, ids, errors, late, None if named is None else list(frame.columns))
        offset += len(frame)
        yield Chunk(id_name, ids, values, n_values, ds=ds, errors=errors)


def _header_times(labels: pd.Index) -> np.ndarray | None:
    """(C,) the times a wide file's value columns are named by: years (``1960,1961,...``: int64), dates, months
    or quarters (datetime64[ns]), rising or falling; None where any is not a time, or they are out of order."""
    try:
        times, unread, offsets = read_times(pd.Series([str(label).strip() for label in labels], dtype=object))
    except ValueError:
        return None
    if unread.any() or not np.isnan(offsets).all() or times.dtype.kind not in "iM" or len(times) < 2:
        return None
    if times.dtype.kind == "i" and not ((times >= 1000) & (times <= 9999)).all():  # 0,1,2,...: positions, no years
        return None
    steps = np.diff(times.view(np.int64))
    return times if (steps > 0).all() or (steps < 0).all() else None


def _times_from(named: np.ndarray, late: np.ndarray) -> np.ndarray:
    """(C,) the columns' times and (N,) each row's leading empty cells -> (N, C) the time of each row's cell
    once read from its first value (:func:`_from_first_value`); past the last column, none (NaT)."""
    ds, past = _moved_left(np.broadcast_to(named, (len(late), len(named))), late)
    ds.view(np.int64)[past] = np.iinfo(np.int64).min  # NaT (int64's least: no time)
    return ds


def _moved_left(cells: np.ndarray, late: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) cells, (N,) how far to move each row left -> the rows moved (a new array) and (N, C) bool, the
    cells past each row's end (which hold its last cell: fill them)."""
    columns = np.arange(cells.shape[1])[None, :] + late[:, None]  # (N, C) where each cell comes from
    moved = np.take_along_axis(cells, np.minimum(columns, cells.shape[1] - 1), axis=1)
    return moved, columns >= cells.shape[1]


def _from_first_value(values: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) a wide file's rows -> each from its first value, the empty cells before it moved to its end, and
    (N,) how many each had: a series that starts later than the file's first column (a World Bank indicator from
    1970 in a file from 1960) was refused for a missing value at position 1. A row in error is left as it is."""
    present = ~np.isnan(values)  # (N, C)
    late = np.argmax(present, axis=1) * present.any(axis=1) * (errors == None)  # (N,) leading empty cells  # noqa: E711
    if not late.any():
        return values, late
    moved, past = _moved_left(values, late)
    moved[past] = np.nan
    return moved, late


def _note_repeated_id(ids: np.ndarray, labels: pd.Index, seen: np.ndarray, where: Callable[[Any], str]) -> np.ndarray | None:
    """Say (once) where a wide file's id is on a second row: each row is its own series, and the output's rows
    of that id cannot be told apart but by their order. ``seen``: the sorted hashes of the earlier rows' ids;
    returns them with these rows', or None once said."""
    hashes = pd.util.hash_array(ids, categorize=True)  # (N,) uint64: two ids of a million share one with odds 1e-8
    again = pd.Index(hashes).duplicated() | np.isin(hashes, seen)
    if not again.any():
        return np.union1d(seen, hashes)
    row = int(np.flatnonzero(again)[0])
    log.warning(
        "note: unique_id %r names more than one row (again at row %s, %s): each row is predicted as its own "
        "series, under that one id", ids[row], labels[row], where(labels[row]),
    )  # fmt: skip
    return None


# ------------------------------------------------------------------------------------------ sorting


def _buckets(path: Path) -> int:
    """How many buckets to sort ``path`` in: enough for ``BUCKET_ROWS`` rows each, at most ``MAX_BUCKETS``."""
    if file_format(path) == "parquet":
        rows = pq.ParquetFile(path).metadata.num_rows
    else:  # at least 6 bytes a row ("a,1,1\n"); a compressed file holds several times its size
        rows = path.stat().st_size // 6 * (8 if _suffix(path) in COMPRESSORS else 1)
    return max(1, min(MAX_BUCKETS, math.ceil(rows / BUCKET_ROWS)))


def _sorted_on_disk(blocks: Iterator[Rows], buckets: int, on_sorted: Progress) -> Iterator[Rows]:
    """Rows in any order -> the same rows, each series contiguous and ordered by ds, in bounded memory:
    spread over ``buckets`` files by a hash of the id, then each file read back and sorted on its own."""
    with tempfile.TemporaryDirectory(prefix="numseries-sort-") as folder:
        files = [Path(folder) / f"bucket{b}.arrows" for b in range(buckets)]
        try:
            rows = _spread(blocks, files)
        except OSError as err:
            raise ValueError(
                f"cannot sort the input in {folder}: {err}; set TMPDIR to a folder with room for the data"
            ) from None
        done = 0
        for file in files:
            if not file.exists():
                continue
            with pa.ipc.open_stream(file) as reader:
                table = reader.read_all()
            file.unlink()
            table = _sorted_by_instant(table)
            for start in range(0, table.num_rows, LONG_CHUNK_ROWS):
                part = table.slice(start, LONG_CHUNK_ROWS)
                columns = (part.column(name).to_numpy(zero_copy_only=False) for name in part.column_names)
                yield Rows(*columns)
            done += table.num_rows
            on_sorted(done / max(rows, 1))


def _sorted_by_instant(table: pa.Table) -> pa.Table:
    """A bucket's rows by id, then time: the instant, where times have a UTC offset (a clock set back repeats
    a wall-clock hour: 02:00+02:00 comes before 02:00+01:00), as ``frames`` orders and checks them."""
    offsets = table.column("offsets").to_numpy(zero_copy_only=False)
    if not np.isfinite(offsets).any():
        return table.sort_by([(ID_COLUMN, "ascending"), ("ds", "ascending")])
    ds = table.column("ds").to_numpy(zero_copy_only=False)
    order = table.append_column("instant", pa.array(instants(ds, offsets), from_pandas=True))
    return order.sort_by([(ID_COLUMN, "ascending"), ("instant", "ascending")]).drop_columns(["instant"])


def _spread(blocks: Iterator[Rows], files: list[Path]) -> int:
    """Append each block's rows to the file of their id's bucket; return the rows written."""
    writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
    schema = None
    rows = 0
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    try:
        for block in blocks:
            table = pa.table({
                ID_COLUMN: pa.array(block.ids, type=pa.string()),
                "ds": pa.array(block.ds, from_pandas=True),
                "y": pa.array(block.y, from_pandas=True),
                "errors": pa.array(block.errors, type=pa.string()),
                "offsets": pa.array(block.offsets, type=pa.float32()),
            })  # fmt: skip
            if schema is None:
                schema = table.schema
            if table.schema != schema:
                try:
                    table = table.cast(schema)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise ValueError(
                        f"column ds holds {table.schema.field('ds').type} values after {schema.field('ds').type} "
                        "ones; use integers or ISO dates throughout"
                    ) from None
            bucket = (pd.util.hash_array(block.ids, categorize=True) % len(files)).astype(np.int64)  # (R,)
            counts = np.bincount(bucket, minlength=len(files))
            table = table.take(np.argsort(bucket, kind="stable"))
            offsets = np.r_[0, np.cumsum(counts)]
            for b in np.flatnonzero(counts).tolist():
                if b not in writers:
                    writers[b] = pa.ipc.new_stream(files[b], schema, options=options)
                writers[b].write_table(table.slice(offsets[b], counts[b]))
            rows += len(block)
    finally:
        for writer in writers.values():
            writer.close()
    return rows
