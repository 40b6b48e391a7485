"""Batch files for ``numseries predict --input FILE --output FILE``: CSV or Parquet, streamed in chunks.

Two layouts are read, told apart by their columns:

- **long**: columns ``unique_id, ds, y``, one row per observation, as statsforecast and neuralforecast
  use. The rows of a series must be contiguous and ordered by ``ds``; a series may be of any length
  (the model reads its last ``max_len`` values) and may straddle chunks.
- **wide**: one series per row, its steps in the columns in order, shorter series leaving trailing
  cells empty; a ``unique_id`` column names the rows, else they are numbered from 0. A CSV whose first
  line holds only numbers has no header.

Ids are opaque text, read and written as strings end to end: ``007`` stays ``007``, ``1.0`` and ``1``
are two series, ``NA`` is an id; an empty id is an error.

The output has one row per series: ``unique_id`` (or ``row``), ``n_values``, ``n_used``, ``prediction``,
the intervals ``lo-80``, ``hi-80`` (for each level asked for, as statsforecast names them), ``pattern``,
``exact`` and ``attention``, the weights of the last ``n_used`` values (comma-separated text in CSV, a list in
Parquet); with per-step weights (``predict_batch(..., weights=True)``), ``weights`` too, laid out the same.
A name ending in ``.csv.gz``, ``.csv.bz2`` or ``.csv.xz`` is compressed. It is written to a
temporary file and moved into place at the end, so a failure leaves no half-written output. Needs the
``io`` extra (pandas, pyarrow).
"""

from __future__ import annotations

import bz2
import contextlib
import dataclasses
import errno
import gzip
import io
import lzma
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from numseries.files import atomic_write, check_writable
from numseries.predict import BatchPrediction

LONG_COLUMNS = ("unique_id", "ds", "y")
ID_COLUMN = "unique_id"
LONG_CHUNK_ROWS = 500_000  # observations per chunk of a long file
WIDE_CHUNK_ROWS = 50_000  # most series per chunk of a wide file
WIDE_CHUNK_CELLS = 50_000 * 64  # most cells per chunk of a wide file: fewer rows when rows are long
MAX_LINE_BYTES = 1 << 20  # longest first line read to tell a CSV's layout: a longer one is refused
MAX_COLUMNS = 10_000  # most columns of a file: a wide row holds at most this many steps
COMPRESSORS = {".gz": gzip.GzipFile, ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile}  # for CSV output
WEIGHT_FORMAT = "{:.4g}"  # attention weights in CSV output
PER_STEP_FORMAT = "{:.9g}"  # per-step weights in CSV output: enough digits for sum(w * x) to give the prediction


@dataclasses.dataclass(frozen=True)
class Chunk:
    """Series read from a file, one per row."""

    id_name: str  # "unique_id", or "row" for a wide file without ids
    ids: np.ndarray  # (N,) object: unique_id as str, or the row number (int) of a wide file without one
    values: np.ndarray  # (N, W) float64, each series' values (its last max_len in long files), NaN-padded
    n_values: np.ndarray  # (N,) int64 values the series has in the file


def file_format(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"``, from the file name."""
    path = Path(path)
    if path.suffix in (".parquet", ".pq"):
        return "parquet"
    if ".csv" in path.suffixes:
        return "csv"
    raise ValueError(f"cannot tell the format of {path} from its name; use a .csv or .parquet file")


def check_output(path: str | Path) -> None:
    """Refuse an output that could not be written, before any work: a name of no known format or
    compression, a folder, a device, a name too long, a folder where files cannot be created."""
    path = Path(path)
    if file_format(path) == "csv" and path.suffix != ".csv" and path.suffix not in COMPRESSORS:
        raise ValueError(
            f"cannot write {path}: {path.suffix} is not a compression numseries writes; "
            f"name the output .csv, {', '.join('.csv' + suffix for suffix in COMPRESSORS)} or .parquet"
        )
    try:
        check_writable(path)
    except OSError as err:
        raise ValueError(_unwritable(path, err)) from None


def read_chunks(path: str | Path, max_len: int) -> Iterator[Chunk]:
    """Stream the series of a CSV or Parquet file, long or wide, in chunks of bounded size."""
    path = Path(path)
    kind = file_format(path)
    if not path.is_file():
        raise ValueError(f"input file {path} does not exist; check the path")
    frames = _csv_frames(path) if kind == "csv" else _parquet_frames(path)
    first = next(frames, None)
    if first is None or first.empty:
        raise ValueError(f"input file {path} has no rows; give a file with one series per row or unique_id, ds, y")
    frames = _chain(first, frames)
    if "y" in first.columns or "ds" in first.columns:
        missing = [name for name in LONG_COLUMNS if name not in first.columns]
        if missing:
            raise ValueError(
                f"{path} looks like long format but has no column {missing[0]!r}; "
                f"long format needs the columns {', '.join(LONG_COLUMNS)}"
            )
        yield from _long_chunks(frames, max_len)
    else:
        yield from _wide_chunks(frames)


def write_predictions(path: str | Path, results: Iterable[tuple[Chunk, BatchPrediction]]) -> int:
    """Write each series' prediction and attention to ``path`` (CSV or Parquet); returns the series count."""
    path = Path(path)
    check_output(path)
    kind = file_format(path)
    count = 0

    def write_csv(tmp: Path) -> None:
        nonlocal count
        with _text_file(tmp, COMPRESSORS.get(path.suffix)) as handle:
            for chunk, batch in results:
                frame = pd.DataFrame(_columns(chunk, batch))
                frame["attention"] = _attention_text(batch)
                if batch.weights is not None:
                    frame["weights"] = _text(batch.weights, batch.n_used, PER_STEP_FORMAT)
                frame.to_csv(handle, header=count == 0, index=False)
                count += len(frame)
        if count == 0:
            raise ValueError("no series to write; the input has none")

    def write_parquet(tmp: Path) -> None:
        nonlocal count
        writer = None
        try:
            for chunk, batch in results:
                table = pa.table({**_columns(chunk, batch), "attention": _attention_list(batch)})
                if batch.weights is not None:
                    table = table.append_column("weights", _list(batch.weights, batch.n_used, pa.float64()))
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


def _columns(chunk: Chunk, batch: BatchPrediction) -> dict[str, Any]:
    """The output columns before ``attention``: ids, counts, the prediction, its intervals as statsforecast
    names them (``lo-80``, ``hi-80``, ...), and the pattern with whether an exact rule gave the value."""
    columns: dict[str, Any] = {
        chunk.id_name: chunk.ids,
        "n_values": chunk.n_values,
        "n_used": batch.n_used,
        "prediction": batch.values,
    }
    for level in batch.levels:
        columns[f"lo-{level:g}"], columns[f"hi-{level:g}"] = batch.interval(level)
    if batch.patterns:
        columns["pattern"] = batch.patterns
    if len(batch.exact) == len(batch.values):
        columns["exact"] = batch.exact
    return columns


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


def _csv_frames(path: Path) -> Iterator[pd.DataFrame]:
    first_line = _first_line(path)
    if not first_line:
        raise ValueError(f"input file {path} is empty; give a file with one series per row or unique_id, ds, y")
    _check_columns(path, first_line.count(",") + 1)
    cells = [cell.strip().strip('"') for cell in first_line.split(",")]
    header = None if all(_is_number(cell) for cell in cells) else "infer"
    long = header and {"ds", "y"} & set(cells)
    chunk_rows = LONG_CHUNK_ROWS if long else _wide_chunk_rows(len(cells))
    try:
        options = {"header": header, "chunksize": chunk_rows, "low_memory": False, "float_precision": "round_trip"}
        # ids as the text in the file: no number parsing (007, 1.0), no missing-value words (NA)
        with pd.read_csv(path, converters={ID_COLUMN: str}, **options) as reader:
            yield from reader
    except (ValueError, OSError) as err:  # pandas' parser errors are ValueErrors
        raise ValueError(
            f"cannot read {path} as CSV: {_one_line(err)}; give comma-separated text, with the trailing "
            "cells of shorter rows left empty"
        ) from err


def _first_line(path: Path) -> str:
    """The first line of a CSV file (.gz, .bz2 and .xz decompressed), read no further than ``MAX_LINE_BYTES``."""
    try:
        with COMPRESSORS.get(path.suffix, open)(path, "rb") as handle:
            line = handle.readline(MAX_LINE_BYTES + 1)
    except (OSError, EOFError, lzma.LZMAError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"cannot read {path}: {_one_line(err)}; check that the file is complete") from err
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(
            f"the first line of {path} is longer than {MAX_LINE_BYTES >> 20} MiB; give long series in long "
            "format (unique_id, ds, y), one row per value"
        )
    return line.decode("utf-8", errors="replace").strip()


def _check_columns(path: Path, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise ValueError(
            f"{path} has {columns} columns, more than the {MAX_COLUMNS} a row may hold (the model reads the last "
            "64 values); give long series in long format (unique_id, ds, y), one row per value"
        )


def _wide_chunk_rows(columns: int) -> int:
    """Rows per chunk of a wide file of ``columns`` columns: memory bounded by cells, not rows."""
    return max(1, min(WIDE_CHUNK_ROWS, WIDE_CHUNK_CELLS // max(columns, 1)))


def _parquet_frames(path: Path) -> Iterator[pd.DataFrame]:
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)  # pre-buffering keeps what it read: memory grows
        schema = parquet.schema_arrow
        long = {"ds", "y"} & set(schema.names)
        ids = schema.get_field_index(ID_COLUMN)  # -1: none
        if ids >= 0 and pa.types.is_nested(schema.field(ids).type):
            raise ValueError(
                f"column {ID_COLUMN} of {path} holds {schema.field(ids).type} values; "
                "ids must be text or integers, one per row"
            )
        _check_columns(path, len(schema.names))
        rows = LONG_CHUNK_ROWS if long else _wide_chunk_rows(len(schema.names))
        for batch in parquet.iter_batches(batch_size=rows):
            if ids >= 0:  # ids as text, as from a CSV file
                batch = batch.set_column(ids, ID_COLUMN, batch.column(ids).cast(pa.string()))
            yield batch.to_pandas()
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"cannot read {path} as Parquet: {_one_line(err)}; check that the file is complete") from err


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell.strip() == ""
    return True


def _numeric(column: pd.Series, what: str, ids: np.ndarray | None = None) -> np.ndarray:
    """A column as float64; a cell that is not a number is an error naming it."""
    if pd.api.types.is_bool_dtype(column) or not (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_object_dtype(column)
    ):
        raise ValueError(f"{what} holds {column.dtype} values, not numbers; give numbers only")
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(values) & column.notna().to_numpy())
    if bad.size:
        where = f"series {ids[bad[0]]!r}" if ids is not None else f"row {column.index[bad[0]]}"
        raise ValueError(f"{what} has {column.iloc[bad[0]]!r} in {where}, which is not a number; give numbers only")
    return values


def _wide_chunks(frames: Iterator[pd.DataFrame]) -> Iterator[Chunk]:
    offset = 0
    for frame in frames:
        if ID_COLUMN in frame.columns:
            id_name, ids = ID_COLUMN, _ids(frame.pop(ID_COLUMN))
        else:
            id_name, ids = "row", np.arange(offset, offset + len(frame)).astype(object)
        if frame.shape[1] == 0:
            raise ValueError("the input has no value columns; give one series per row, one step per column")
        numbers = np.array([dtype.kind in "iuf" for dtype in frame.dtypes])  # (C,): already numeric columns
        values = np.empty(frame.shape)  # (N, C)
        values[:, numbers] = frame.loc[:, numbers].to_numpy(dtype=np.float64, na_value=np.nan)  # all at once
        for column in np.flatnonzero(~numbers):  # text in a column: each checked, naming what is not a number
            values[:, column] = _numeric(frame.iloc[:, column], f"column {frame.columns[column]!r}", ids)
        present = ~np.isnan(values)  # (N, C)
        n_values = np.where(present.any(axis=1), values.shape[1] - np.argmax(present[:, ::-1], axis=1), 0)
        offset += len(frame)
        yield Chunk(id_name, ids, values, n_values.astype(np.int64))


def _order_key(ds: pd.Series) -> np.ndarray:
    """``ds`` as something ordered: numbers and datetimes stay, text is read as ISO dates."""
    if pd.api.types.is_numeric_dtype(ds) or pd.api.types.is_datetime64_any_dtype(ds):
        return ds.to_numpy()
    parsed = pd.to_datetime(ds, format="ISO8601", errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy() & ds.notna().to_numpy())
    if bad.size:
        raise ValueError(
            f"column ds has {ds.iloc[bad[0]]!r}, which is neither a number nor a date; "
            "use integers or ISO dates such as 2024-01-31"
        )
    return parsed.to_numpy()


def _long_chunks(frames: Iterator[pd.DataFrame], max_len: int) -> Iterator[Chunk]:
    """Group contiguous rows by unique_id. A chunk's last series may go on in the next chunk, so it is
    carried over (its last ``max_len`` rows, and a count of the rest) and finished with the next one.
    """
    seen = np.empty(0, dtype=np.int64)  # sorted hashes of finished series' ids: 8 bytes a series
    carry: list[np.ndarray] = []  # ids, ds, y of the unfinished series
    dropped = 0  # rows of the unfinished series left out of the carry
    for frame in frames:
        ids = _ids(frame[ID_COLUMN])
        y = _numeric(frame["y"], "column y", ids)
        missing = np.flatnonzero(np.isnan(y))
        if missing.size:
            raise ValueError(
                f"series {ids[missing[0]]!r} has a missing y at ds={frame['ds'].iloc[missing[0]]}; "
                "fill or drop missing values"
            )
        arrays = [ids, _order_key(frame["ds"]), y]
        if carry and (carry[1].dtype.kind == "M") != (arrays[1].dtype.kind == "M"):  # pandas types each chunk
            raise ValueError(
                f"column ds holds numbers and dates (from row {frame.index[0]} on, {frame['ds'].iloc[0]!r}); "
                "use numbers or ISO dates throughout"
            )
        if carry:
            arrays = [np.concatenate([old, new]) for old, new in zip(carry, arrays, strict=True)]
        ids, ds, y = arrays
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])  # (G,) first row of each series
        _check_layout(ids, ds, starts, seen)
        last = starts[-1]
        if len(starts) > 1:
            yield _pad(ids, y, starts[:-1], np.r_[starts[1:-1], last], max_len, dropped)
            seen = np.sort(np.concatenate([seen, _hashes(ids[starts[:-1]])]), kind="stable")
            dropped = 0
        keep = max(last, len(ids) - max_len)
        carry = [ids[keep:], ds[keep:], y[keep:]]
        dropped += keep - last
    if carry:
        yield _pad(carry[0], carry[2], np.array([0]), np.array([len(carry[0])]), max_len, dropped)


def _ids(column: pd.Series) -> np.ndarray:
    """The unique_id column -> (N,) object array of str; a missing or empty id is an error naming its row."""
    ids = column.to_numpy(dtype=object)
    missing = np.flatnonzero(column.isna().to_numpy() | (ids == ""))
    if missing.size:
        raise ValueError(f"row {column.index[missing[0]]} has no unique_id; give every row the id of its series")
    return ids


def _hashes(ids: np.ndarray) -> np.ndarray:
    return np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))


def _check_layout(ids: np.ndarray, ds: np.ndarray, starts: np.ndarray, seen: np.ndarray) -> None:
    """Each series in one block of rows, strictly increasing in ds. ``seen``: sorted hashes of finished ids.

    Matching hashes stand for matching ids: two of a million ids share a 64-bit hash with odds of 1e-8.
    """
    firsts = ids[starts]
    hashes = _hashes(firsts)
    found = np.minimum(np.searchsorted(seen, hashes), len(seen) - 1)
    earlier = firsts[seen[found] == hashes].tolist() if len(seen) else []
    repeated = earlier or pd.Index(firsts)[pd.Index(firsts).duplicated()].tolist()
    if repeated:
        raise ValueError(
            f"series {repeated[0]!r} appears in separate blocks of rows; the rows of each series must be "
            "contiguous and ordered by ds: sort the file by unique_id, ds"
        )
    same = np.ones(len(ids) - 1, dtype=bool)  # (R-1,): row i+1 continues the series of row i
    same[starts[1:] - 1] = False
    disorder = np.flatnonzero(same & ~(ds[1:] > ds[:-1]))
    if disorder.size:
        row = disorder[0] + 1
        raise ValueError(
            f"series {ids[row]!r} is not ordered by ds: {ds[row]} comes after {ds[row - 1]}; "
            "the rows of each series must be contiguous and strictly increasing in ds: sort the file by unique_id, ds"
        )


def _pad(ids: np.ndarray, y: np.ndarray, starts: np.ndarray, ends: np.ndarray, max_len: int, dropped: int) -> Chunk:
    """Series in rows [starts, ends) of ``y`` -> a chunk of their last ``max_len`` values, NaN-padded.

    ``dropped`` rows of the first series were read before and are counted in its ``n_values``.
    """
    sizes = ends - starts  # (G,)
    used = np.minimum(sizes, max_len)  # (G,)
    offset = np.repeat(np.cumsum(used) - used, used)  # (K,) where each series' kept values begin
    column = np.arange(used.sum()) - offset  # (K,) position within the series' kept values
    values = np.full((len(starts), int(used.max())), np.nan)  # (G, W)
    values[np.repeat(np.arange(len(starts)), used), column] = y[np.repeat(ends - used, used) + column]
    n_values = sizes.astype(np.int64)
    n_values[0] += dropped
    return Chunk(ID_COLUMN, ids[starts], values, n_values)
