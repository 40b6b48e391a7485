"""Batch files read and written directly, without the CLI or a model: layouts, chunking, atomic output,
ids as opaque text, compressed output, bounded sniffing, outputs that cannot be written, and the temp
files a killed run leaves behind."""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import stat
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from numseries import batch_io  # noqa: E402  (needs the io extra, checked above)
from numseries.files import atomic_write  # noqa: E402
from numseries.predict import BatchPrediction  # noqa: E402


def _read_all(path, max_len: int = 8) -> tuple[list, np.ndarray, np.ndarray]:
    """Every chunk of a file joined: ids as read (text, or row numbers), values (N, W) NaN-padded, n_values (N,)."""
    chunks = list(batch_io.read_chunks(path, max_len))
    ids = [i for chunk in chunks for i in chunk.ids]
    width = max(chunk.values.shape[1] for chunk in chunks)
    values = np.concatenate(
        [np.pad(c.values, ((0, 0), (0, width - c.values.shape[1])), constant_values=np.nan) for c in chunks]
    )
    return ids, values, np.concatenate([chunk.n_values for chunk in chunks])


def _long_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "unique_id": ["a"] * 5 + ["b"] * 3,
        "ds": [1, 2, 3, 4, 5, 1, 2, 3],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 30.0],
    })


@pytest.mark.parametrize(
    ("name", "kind"), [("x.csv", "csv"), ("x.csv.gz", "csv"), ("x.parquet", "parquet"), ("x.pq", "parquet")]
)
def test_the_format_comes_from_the_file_name(name, kind):
    assert batch_io.file_format(name) == kind


def test_a_name_of_no_known_format_is_refused():
    with pytest.raises(ValueError, match=r"cannot tell the format of x.txt from its name; use a .csv or .parquet"):
        batch_io.file_format("x.txt")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_long_file_gives_one_row_per_series_with_its_last_values(tmp_path, suffix):
    path = tmp_path / f"long{suffix}"
    frame = _long_frame()
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    ids, values, n_values = _read_all(path, max_len=4)
    assert ids == ["a", "b"]
    np.testing.assert_array_equal(n_values, [5, 3])  # the values the file has, beyond max_len too
    np.testing.assert_array_equal(values, [[2.0, 3.0, 4.0, 5.0], [10.0, 20.0, 30.0, np.nan]])


def test_a_series_straddling_chunks_is_read_as_one(tmp_path, monkeypatch):
    path = tmp_path / "long.csv"
    _long_frame().to_csv(path, index=False)
    whole = _read_all(path)
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 2)  # series a spans three chunks
    chunked = _read_all(path)
    assert chunked[0] == whole[0] == ["a", "b"]
    np.testing.assert_array_equal(chunked[1], whole[1])
    np.testing.assert_array_equal(chunked[2], whole[2])


def test_a_wide_csv_without_a_header_numbers_its_rows(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("1,2,3,\n4,5,6,7\n")  # shorter rows leave their trailing cells empty
    chunk = next(batch_io.read_chunks(path, 8))
    assert chunk.id_name == "row" and [str(i) for i in chunk.ids] == ["0", "1"]
    np.testing.assert_array_equal(chunk.n_values, [3, 4])
    np.testing.assert_array_equal(chunk.values, [[1.0, 2.0, 3.0, np.nan], [4.0, 5.0, 6.0, 7.0]])


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_headerless_wide_csv_takes_rows_longer_than_the_first(tmp_path, monkeypatch, suffix):
    """Adversarial round 8: one series per row, each as long as it is, was refused (pandas' "Expected 3
    fields in line 2, saw 4") unless the shorter rows were padded with empty cells. A longer row far into
    the file, past the first chunk and the first read block, counts too."""
    monkeypatch.setattr(batch_io, "WIDE_CHUNK_ROWS", 2)
    monkeypatch.setattr(batch_io, "READ_BLOCK_BYTES", 7)  # lines cut across blocks
    rows = ["1,2,3", "4,5,6,7", *["1,2,3,4,5"] * 30, "9,8,7,6,5,4,3,2"]
    path = tmp_path / f"ragged{suffix}"
    text = "\n".join(rows) + "\n"
    if suffix == ".csv.gz":
        import gzip

        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    chunks = list(batch_io.read_chunks(path, 8))
    assert sum(len(chunk.ids) for chunk in chunks) == len(rows)
    np.testing.assert_array_equal(chunks[0].values[:2, :4], [[1.0, 2.0, 3.0, np.nan], [4.0, 5.0, 6.0, 7.0]])
    np.testing.assert_array_equal(chunks[0].n_values, [3, 4])
    last = chunks[-1]
    np.testing.assert_array_equal(last.values[-1][: last.n_values[-1]], [9, 8, 7, 6, 5, 4, 3, 2])


@pytest.mark.parametrize(
    "first",
    ["\ufeff1,2,3,4", "1,2,3,NA", "1,2,3,NaN", "1,2,3,", "1,2,3,null", "\ufeff1,2,3,#N/A"],
    ids=["byte-order mark", "NA", "NaN", "empty", "null", "both"],
)
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_wide_first_line_of_numbers_and_missing_values_is_a_series_not_a_header(tmp_path, first, suffix):
    """Adversarial round 4, defect 4: a byte-order mark (Excel's CSV UTF-8) or a missing-value word in the first
    line made it the header: the first series lost, the others renumbered."""
    path = tmp_path / f"wide{suffix}"
    text = (first + "\n2,4,6,8\n1,1,2,3\n").encode()
    path.write_bytes(gzip.compress(text) if suffix == ".csv.gz" else text)
    ids, values, n_values = _read_all(path)
    assert ids == [0, 1, 2]
    np.testing.assert_array_equal(values[0, :3], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(n_values, [4 if first.endswith("4") else 3, 4, 4])
    np.testing.assert_array_equal(values[1:], [[2.0, 4.0, 6.0, 8.0], [1.0, 1.0, 2.0, 3.0]])


def test_the_column_labels_pandas_writes_are_a_header_with_a_note(tmp_path, caplog):
    """Adversarial round 4, defect 4: pd.DataFrame(rows).to_csv(index=False) writes the header 0,1,2,3, which was
    read as a phantom series [0, 1, 2, 3] with every real row numbered one on."""
    path = tmp_path / "wide.csv"
    pd.DataFrame([[1, 2, 3, 4], [2, 4, 6, None]]).to_csv(path, index=False)
    assert path.read_text().startswith("0,1,2,3\n")
    with caplog.at_level("WARNING", logger="numseries"):
        ids, values, n_values = _read_all(path)
    assert ids == [0, 1]
    np.testing.assert_array_equal(values, [[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, np.nan]])
    np.testing.assert_array_equal(n_values, [4, 3])
    assert [record.getMessage() for record in caplog.records] == [
        f"note: read the first line of {path} (0,1,2,3) as column labels, as pandas' to_csv writes them, not as a "
        "series; to predict it as a series, add a line of labels above it (t1,t2,...)"
    ]


@pytest.mark.parametrize("index", [None, ["a", "b"]], ids=["numbered", "named"])
def test_the_index_pandas_writes_names_the_rows(tmp_path, caplog, index):
    """Adversarial round 4: pd.DataFrame(rows).to_csv(path), index and all, wrote `,0,1,2,3` above rows that
    each start with their label: the label was read as each series' first value (10 20 30 40 -> 50.08) and the
    first line as a series with a missing value."""
    path = tmp_path / "wide.csv"
    pd.DataFrame([[1, 2, 3, 4], [10, 20, 30, None]], index=index).to_csv(path)
    assert path.read_text().startswith(",0,1,2,3\n")
    with caplog.at_level("WARNING", logger="numseries"):
        ids, values, n_values = _read_all(path)
    assert list(ids) == (index or ["0", "1"])
    np.testing.assert_array_equal(values, [[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, np.nan]])
    np.testing.assert_array_equal(n_values, [4, 3])
    assert "the first column as the rows' unique_id" in caplog.text


@pytest.mark.parametrize("text", [",0,1,2\n5,6\n", ",1,2,3\n5,6,7,8\n"], ids=["above a shorter line", "from 1"])
def test_a_first_line_with_a_missing_value_unlike_pandas_labels_stays_a_series(tmp_path, caplog, text):
    path = tmp_path / "wide.csv"
    path.write_text(text)
    with caplog.at_level("WARNING", logger="numseries"):
        ids, values, _ = _read_all(path)
    assert ids == [0, 1] and not caplog.records
    first = [float(cell) for cell in text.split("\n")[0].split(",")[1:]]  # a series from its first value (round 40)
    np.testing.assert_array_equal(values[0, : len(first)], first)


def test_the_index_pandas_stores_in_parquet_names_the_rows(tmp_path, caplog):
    """Adversarial round 4: a frame with an index other than 0..n-1 (here 7, 9) stores it in Parquet as the
    column __index_level_0__, which was read as each series' last value (1 2 3 4 -> 7.95)."""
    path = tmp_path / "wide.parquet"
    pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]], index=[7, 9]).to_parquet(path)
    with caplog.at_level("WARNING", logger="numseries"):
        ids, values, n_values = _read_all(path)
    assert list(ids) == ["7", "9"]
    np.testing.assert_array_equal(values, [[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    assert "(__index_level_0__) as the rows' unique_id" in caplog.text


def test_a_long_frames_stored_index_is_left_out_and_an_index_named_unique_id_is_data(tmp_path):
    frame = _long_frame()
    frame[frame.y > 1].to_parquet(tmp_path / "filtered.parquet")  # index 1..7: __index_level_0__
    frame.set_index("unique_id").to_parquet(tmp_path / "by_id.parquet")
    for name, first in [("filtered.parquet", [2.0, 3.0, 4.0, 5.0]), ("by_id.parquet", [1.0, 2.0, 3.0, 4.0, 5.0])]:
        ids, values, n_values = _read_all(tmp_path / name)
        assert list(ids) == ["a", "b"], name
        np.testing.assert_array_equal(values[0, : len(first)], first)
        np.testing.assert_array_equal(n_values, [len(first), 3])


@pytest.mark.parametrize(
    "text", ["0,1,2,3\n", "0,1,2,3\n5,6\n", "1,2,3,4\n5,6,7,8\n", "0,1,2,4\n5,6,7,8\n"],
    ids=["alone", "above a shorter line", "from 1", "not 0 to n-1"],
)
def test_a_first_line_unlike_pandas_labels_stays_a_series(tmp_path, caplog, text):
    path = tmp_path / "wide.csv"
    path.write_text(text)
    with caplog.at_level("WARNING", logger="numseries"):
        ids, values, _ = _read_all(path)
    assert ids == list(range(text.count("\n"))) and not caplog.records
    np.testing.assert_array_equal(values[0], [float(cell) for cell in text.split("\n")[0].split(",")])


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"input file .*none.csv does not exist; check the path"):
        list(batch_io.read_chunks(tmp_path / "none.csv", 8))


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-16-tabs", "utf-32"])
def test_a_csv_not_in_utf_8_is_told_to_be_saved_as_utf_8(tmp_path, encoding):
    """Adversarial round 40: the fix named was 'give comma-separated text, with as many cells ...'; round 41:
    Excel's "Unicode Text" (UTF-16, tab-separated) was read as one column of garbled text."""
    path = tmp_path / "munich.csv"
    text = "unique_id,ds,y\nm\u00fcnchen,1,1\nm\u00fcnchen,2,2\nm\u00fcnchen,3,3\n"
    path.write_bytes((text.replace(",", "\t") if encoding.endswith("tabs") else text).encode(encoding.removesuffix("-tabs")))
    with pytest.raises(ValueError, match=r"^cannot read .*munich.csv as CSV: (it is UTF-16|'utf-8' codec can't decode).*; save it as UTF-8"):
        list(batch_io.read_chunks(path, 8))


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("parquet", "it is a Parquet file, not text; name it .parquet"),
        ("gzip", "it is gzip-compressed, not text; name it .csv.gz"),
        ("bzip2", "it is bzip2-compressed, not text; name it .csv.bz2"),
        ("xz", "it is xz-compressed, not text; name it .csv.xz"),
        ("zip", "it is a zip archive (an Excel workbook?), not text; save the sheet as CSV"),
        ("binary", "it is not text (it holds bytes no text has); give a CSV file (UTF-8 text) or a .parquet file"),
    ],
)
def test_a_file_of_another_kind_named_csv_is_named_for_what_it_is(tmp_path, kind, message):
    """Adversarial round 65: a Parquet or gzip file named .csv was called 'UTF-16 or UTF-32 text', to be saved
    from Excel as UTF-8."""
    import bz2
    import lzma
    import zipfile

    import pandas as pd

    text = b"unique_id,ds,y\na,1,1\na,2,2\na,3,3\n"
    path = tmp_path / "series.csv"
    if kind == "parquet":
        pd.DataFrame({"unique_id": ["a"] * 3, "ds": [1, 2, 3], "y": [1.0, 2, 3]}).to_parquet(path)
    elif kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("sheet.csv", text)
    else:
        compress = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress, "binary": lambda b: b"\x01\x00\x00" + b}
        path.write_bytes(compress[kind](text))
    with pytest.raises(ValueError, match=rf"^cannot read .*series.csv as CSV: {re.escape(message)}"):
        list(batch_io.read_chunks(path, 8))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unique_id,ds,y,y\na,1,1,5\na,2,2,6\na,3,3,7\n", "names two columns 'y' (columns 3 and 4)"),  # one dropped
        ("id,2019,2020,2020,2021\na,1,2,3,4\n", "names two columns '2020' (columns 3 and 4)"),  # read with no times
        ("date,sales,sales\n2024-01-01,1,2\n2024-01-02,2,3\n2024-01-03,3,4\n", "names two columns 'sales'"),  # sales.1
        ("unique_id,ds, y ,y\na,1,1,5\na,2,2,6\na,3,3,7\n", "names two columns 'y' (columns 3 and 4)"),  # as stripped
    ],
)
def test_a_header_that_names_a_column_twice_is_refused(tmp_path, text, message):
    """Adversarial round 65: pandas resolved duplicated names silently (the second y dropped, two 2020 columns
    read as values of no time, a second sales named sales.1)."""
    path = tmp_path / "twice.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"twice.csv {re.escape(message)}.*; give each column its own name$"):
        list(batch_io.read_chunks(path, 8))


def _results(n_chunks: int = 2):
    """Chunks of two series each, with made-up predictions."""
    for k in range(n_chunks):
        chunk = batch_io.Chunk(
            id_name="unique_id",
            ids=np.array([f"s{2 * k}", f"s{2 * k + 1}"], dtype=object),
            values=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]]),
            n_values=np.array([3, 2], dtype=np.int64),
        )
        attention = np.array([[0.25, 0.25, 0.5], [0.5, 0.5, 0.0]], dtype=np.float32)
        yield chunk, BatchPrediction(np.array([4.0, 6.0]) + k, attention, chunk.n_values, chunk.n_values)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_predictions_are_written_one_row_per_series(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    assert batch_io.write_predictions(path, _results()) == 4
    frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert list(frame.columns) == ["unique_id", "n_values", "n_used", "prediction", "exact", "attention"]
    assert [str(i) for i in frame["unique_id"]] == ["s0", "s1", "s2", "s3"]
    np.testing.assert_array_equal(frame["prediction"], [4.0, 6.0, 5.0, 7.0])
    attention = [
        [float(w) for w in (cell.split(",") if isinstance(cell, str) else cell)] for cell in frame["attention"]
    ]
    assert attention == [[0.25, 0.25, 0.5], [0.5, 0.5]] * 2  # the weights of the used values only


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_intervals_and_patterns_get_statsforecast_style_columns(tmp_path, suffix):
    chunk, batch = next(_results(1))
    grid = (0.1, 0.25, 0.5, 0.75, 0.9)
    quantiles = np.array([[1.0, 2, 4, 5, 7], [6.0, 6, 6, 6, 6]])
    batch = dataclasses.replace(
        batch, quantiles=quantiles, quantile_levels=grid, levels=(50.0, 80.0),
        patterns=["random walk", "straight line (+1 per step)"], exact=np.array([False, True]),
    )  # fmt: skip
    path = tmp_path / f"out{suffix}"
    batch_io.write_predictions(path, [(chunk, batch)])
    frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert list(frame.columns) == [
        "unique_id", "n_values", "n_used", "prediction", "lo-50", "hi-50", "lo-80", "hi-80", "pattern", "exact",
        "attention",
    ]  # fmt: skip
    assert frame[["lo-50", "hi-50", "lo-80", "hi-80"]].values.tolist() == [[2, 5, 1, 7], [6, 6, 6, 6]]
    assert frame["pattern"].tolist() == ["random walk", "straight line (+1 per step)"]
    assert frame["exact"].tolist() == [False, True]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_failure_while_writing_leaves_the_old_output_and_no_temporary_file(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    path.write_text("old")

    def failing():
        yield from _results(1)
        raise ValueError("series 's2' has a bad value")

    with pytest.raises(ValueError, match="series 's2' has a bad value"):
        batch_io.write_predictions(path, failing())
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_no_series_is_an_error_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="no series to write; the input has none"):
        batch_io.write_predictions(tmp_path / "out.csv", iter([]))
    assert list(tmp_path.iterdir()) == []


def _fake_results(chunks):
    """(chunk, prediction) pairs without a model: the prediction is the last value, attention all on it."""
    for chunk in chunks:
        n_used = np.minimum(chunk.n_values, chunk.values.shape[1])
        attention = np.zeros(chunk.values.shape, dtype=np.float32)
        attention[np.arange(len(n_used)), n_used - 1] = 1.0
        last = chunk.values[np.arange(len(n_used)), n_used - 1]
        yield chunk, BatchPrediction(last, attention, chunk.n_values, n_used)


# Ids that numbers, dates or missing-value words would change: each is its own series, written as given.
TRICKY_IDS = ["007", "008", "1.0", "1", "01", "1e3", "1000", "NA", "null", "nan", "True", " x"]


def test_ids_are_opaque_text_from_csv(tmp_path):
    source = tmp_path / "in.csv"
    lines = [f'"{i}",{t},{t}' if i.startswith(" ") else f"{i},{t},{t}" for i in TRICKY_IDS for t in range(3)]
    source.write_text("unique_id,ds,y\n" + "\n".join(lines) + "\n")
    ids, _, n_values = _read_all(source)
    assert ids == TRICKY_IDS
    assert n_values.tolist() == [3] * len(TRICKY_IDS)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_ids_are_written_as_text(tmp_path, suffix):
    source, target = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    source.write_text("unique_id,ds,y\n" + "".join(f"{i},{t},{t}\n" for i in TRICKY_IDS[:8] for t in range(3)))
    assert batch_io.write_predictions(target, _fake_results(batch_io.read_chunks(source, 16))) == 8
    if suffix == ".parquet":
        assert pq.read_schema(target).field("unique_id").type == pa.string()
        written = pd.read_parquet(target)["unique_id"].tolist()
    else:
        written = pd.read_csv(target, dtype=str, keep_default_na=False)["unique_id"].tolist()
    assert written == TRICKY_IDS[:8]


def test_parquet_integer_ids_become_text(tmp_path):
    source = tmp_path / "in.parquet"
    pd.DataFrame({"unique_id": [7, 7, 7, 10, 10, 10], "ds": [0, 1, 2] * 2, "y": np.arange(6.0)}).to_parquet(source)
    assert _read_all(source)[0] == ["7", "10"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_numeric_ids_then_a_text_id_keep_the_series_that_straddles_a_chunk(tmp_path, monkeypatch, suffix):
    """Fault injection for issue 18 item 1: pandas typed the ids of each chunk (int, then str once a text
    id appears), so the series across that boundary came out as two (4 and 3 values), and Parquet output
    failed. Chunks of 67 rows put the boundary 3 rows before the end of series 9."""
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 67)
    frame = pd.DataFrame({"unique_id": np.repeat(np.arange(10), 7), "ds": np.tile(np.arange(7), 10), "y": 1.0})
    frame = pd.concat([frame, pd.DataFrame({"unique_id": ["id10"] * 3, "ds": [0, 1, 2], "y": 1.0})])
    source, target = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    frame.to_csv(source, index=False)
    count = batch_io.write_predictions(target, _fake_results(batch_io.read_chunks(source, 16)))
    assert count == 11
    written = pd.read_parquet(target) if suffix == ".parquet" else pd.read_csv(target, dtype={"unique_id": str})
    assert written["unique_id"].tolist() == [str(i) for i in range(10)] + ["id10"]
    assert written["n_values"].tolist() == [7] * 10 + [3]


@pytest.mark.parametrize("value", [[1], {"a": 1}])
def test_parquet_ids_of_nested_type_are_refused(tmp_path, value):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"unique_id": [value] * 3, "ds": [0, 1, 2], "y": [1.0, 2.0, 3.0]}), source)
    with pytest.raises(ValueError, match="column unique_id of .* holds (list|struct).* values; ids must be text"):
        _read_all(source)


def test_empty_id_is_an_error_naming_its_row(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("unique_id,t0,t1,t2\na,1,2,3\n,4,5,6\n")
    with pytest.raises(ValueError, match="row 1 has no unique_id"):
        _read_all(source)


def test_ds_that_turns_from_numbers_to_dates_between_chunks_is_one_error(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 4)
    source = tmp_path / "in.csv"
    source.write_text("unique_id,ds,y\na,1,1\na,2,1\na,3,1\na,4,1\na,2024-01-01,1\na,2024-01-02,1\n")
    with pytest.raises(ValueError, match="column ds holds numbers and dates"):
        _read_all(source)


@pytest.mark.parametrize(("suffix", "opener"), [(".gz", gzip.open), (".bz2", None), (".xz", None)])
def test_compressed_csv_output_is_compressed(tmp_path, suffix, opener):
    source, target = tmp_path / "in.csv", tmp_path / f"out.csv{suffix}"
    source.write_text("1,2,3\n4,5,6\n")
    batch_io.write_predictions(target, _fake_results(batch_io.read_chunks(source, 16)))
    assert target.read_bytes()[:2] != b"ro"  # not the plain text "row,..."
    assert pd.read_csv(target)["prediction"].tolist() == [3.0, 6.0]  # pandas decompresses by the suffix
    if opener:
        assert opener(target, "rt").readline() == "row,n_values,n_used,prediction,exact,attention,error\n"


def test_compressed_wide_input_without_header_keeps_its_first_row(tmp_path):
    source = tmp_path / "in.csv.gz"
    with gzip.open(source, "wt") as handle:
        handle.write("1,2,3,\n4,5,6,7\n")  # no header: its first line is numbers
    ids, _, n_values = _read_all(source)
    assert ids == [0, 1] and n_values.tolist() == [3, 4]


def test_unknown_output_compression_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\.zip is not a compression numseries writes; name the output .csv"):
        batch_io.check_output(tmp_path / "out.csv.zip")


def test_a_huge_first_line_is_refused_before_it_is_read_whole(tmp_path):
    """Issue 18 item 7: the first line was read whole and split, 9.6 GB for a 1 GB line."""
    source = tmp_path / "in.csv"
    with open(source, "w") as handle:
        handle.write("1" * (batch_io.MAX_LINE_BYTES + 1) + "\n1\n")
    with pytest.raises(ValueError, match="the first line of .* is longer than 1 MiB; give long series in long format"):
        _read_all(source)


@pytest.mark.parametrize("size", [200_000, batch_io.MAX_LINE_BYTES + 1])
def test_a_first_line_of_one_long_field_is_one_line_in_the_cli(tmp_path, capsys, size):
    """Adversarial round 60: a field past csv's 128 KiB limit was a traceback (_csv.Error, exit 1) from the
    check of the file's calendar, before the size check."""
    from numseries.cli import main

    source = tmp_path / "in.csv"
    source.write_text("x" * size + "\n1\n2\n3\n")
    code = main(["predict", "--input", str(source), "--output", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert "Traceback" not in err and (code == 0 if size < batch_io.MAX_LINE_BYTES else code == 2 and "longer than 1 MiB" in err)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_of_too_many_columns_is_refused_before_it_is_parsed(tmp_path, suffix):
    """A sparse CSV of a million columns took minutes and gigabytes to parse, cell by cell."""
    source = tmp_path / f"in{suffix}"
    frame = pd.DataFrame(np.ones((2, batch_io.MAX_COLUMNS + 1))).rename(columns=str)
    frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source)
    with pytest.raises(ValueError, match="has 10001 columns, more than the 10000 a row may hold"):
        _read_all(source)


def test_wide_chunks_are_bounded_by_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_io, "WIDE_CHUNK_CELLS", 100)
    source = tmp_path / "in.parquet"
    pd.DataFrame(np.arange(50 * 30.0).reshape(50, 30)).rename(columns=str).to_parquet(source)
    sizes = [len(chunk.ids) for chunk in batch_io.read_chunks(source, 16)]
    assert sizes == [3] * 16 + [2]  # 100 cells // 30 columns (plus none for an index) = 3 rows


def _unwritable_output(tmp_path, case):
    """A path that cannot be written, and what the error says."""
    if case == "a folder":
        (tmp_path / "folder.csv").mkdir()
        return tmp_path / "folder.csv", "it is a folder; give a file name in that folder"
    if case == "a pipe":  # as a device would be: replacing it with a file would be wrong
        os.mkfifo(tmp_path / "pipe.csv")
        return tmp_path / "pipe.csv", "it exists and is not a regular file; give another name"
    if case == "a 300-character name":
        return tmp_path / ("a" * 296 + ".csv"), "File name too long; give a shorter name"
    return "/proc/out.csv", "No such file or directory; choose a folder where you can create files"


UNWRITABLE = ["a folder", "a pipe", "a 300-character name", "/proc"]


@pytest.mark.parametrize("case", UNWRITABLE)
def test_unwritable_outputs_are_refused_before_any_work(tmp_path, case):
    path, message = _unwritable_output(tmp_path, case)
    with pytest.raises(ValueError, match=f"cannot write .*: {message}$"):
        batch_io.check_output(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ValueError, match="cannot write .*Permission denied"):
            batch_io.check_output(tmp_path / "out.csv")
    finally:
        tmp_path.chmod(0o755)


def test_a_name_that_fits_gets_a_temp_file_that_fits(tmp_path):
    target = tmp_path / ("b" * 250 + ".csv")  # 254 bytes: the temp name must be cut, not the output's
    source = tmp_path / "in.csv"
    source.write_text("1,2,3\n")
    assert batch_io.write_predictions(target, _fake_results(batch_io.read_chunks(source, 16))) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([source.name, target.name])


def _dead_pid():
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_dead_process_temp_file_is_removed_by_the_next_write(tmp_path):
    """The temp file a killed writer leaves is named for its output and process; the next write to that
    output removes it when that process is gone, and leaves a live writer's and other outputs' alone."""
    target = tmp_path / "out.csv"
    dead = tmp_path / f".out.csv.{_dead_pid()}.abc123_x.tmp"
    live = tmp_path / f".out.csv.{os.getppid()}.abc123_y.tmp"
    other = tmp_path / f".other.csv.{_dead_pid()}.abc123_z.tmp"
    for path in (dead, live, other):
        path.write_text("half")
    atomic_write(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new"
    assert not dead.exists() and live.exists() and other.exists()


def test_numbers_between_spaces_are_refused_as_not_comma_separated(tmp_path):
    """Adversarial round 5: the first line was taken as a header (a series lost), the rest as 'not a number'."""
    path = tmp_path / "spaces.csv"
    path.write_text("3 6.1 9.2 12 14.8\n1 2 3 4 5\n")
    with pytest.raises(ValueError, match="its values are separated by spaces, not commas"):
        _read_all(path)
    named = tmp_path / "named.csv"
    named.write_text("my values\n1\n2\n")  # a one-column header with a space in its name is a header
    ids, values, n_values = _read_all(named)  # above one series, read down the column
    assert ids == ["my values"] and values[0].tolist() == [1, 2] and n_values.tolist() == [2]


def test_suffixes_in_capitals_are_read_and_an_unknown_compression_is_named(tmp_path):
    source = tmp_path / "LONG.CSV"
    _long_frame().to_csv(source, index=False)
    assert _read_all(source)[0] == ["a", "b"]
    packed = tmp_path / "wide.CSV.GZ"
    packed.write_bytes(gzip.compress(b"1,2,3,4\n"))
    np.testing.assert_array_equal(_read_all(packed)[1], [[1.0, 2.0, 3.0, 4.0]])
    batch_io.check_output(tmp_path / "OUT.CSV")
    zst = tmp_path / "wide.csv.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd")
    with pytest.raises(ValueError, match=r"\.zst is not a compression numseries reads; give \.csv, \.csv\.gz"):
        _read_all(zst)


def test_a_text_first_column_under_a_header_is_told_to_be_named_unique_id(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("label,t0,t1,t2,t3\na,1,2,3,4\n")  # (a column named id, sku, ... is read as the ids)
    (chunk,) = batch_io.read_chunks(path, 8)
    assert chunk.errors[0].endswith("(or, if column 'label' names the series, call it unique_id)")


def test_an_atomic_write_keeps_the_files_permissions_and_writes_through_a_link(tmp_path, monkeypatch):
    # adversarial round 10: every output came out 0644 (a private 0600 file made readable to all, the umask
    # ignored), and a symbolic link was replaced by a file while the file it named kept the old content
    import numseries.files as files

    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    files.atomic_write(private, lambda tmp: tmp.write_text("new"))
    assert private.read_text() == "new" and stat.S_IMODE(private.stat().st_mode) == 0o600
    monkeypatch.setattr(files, "_UMASK", 0o077)
    files.atomic_write(tmp_path / "fresh.csv", lambda tmp: tmp.write_text("new"))
    assert stat.S_IMODE((tmp_path / "fresh.csv").stat().st_mode) == 0o600
    target, link = tmp_path / "target.csv", tmp_path / "link.csv"
    target.write_text("old")
    link.symlink_to(target.name)
    files.atomic_write(link, lambda tmp: tmp.write_text("new"))
    assert link.is_symlink() and target.read_text() == "new"


def test_rows_that_start_late_are_noted_once_a_file_not_once_a_chunk(tmp_path, caplog, monkeypatch):
    """Adversarial round 41: the note was said again for every chunk of a large file."""
    monkeypatch.setattr(batch_io, "WIDE_CHUNK_CELLS", 15)
    path = tmp_path / "wide.csv"
    path.write_text("id,t1,t2,t3,t4\n" + "".join(f"r{k},{',' if k % 2 else '1,'}2,3,4\n" for k in range(10)))
    with caplog.at_level("INFO", logger="numseries"):
        ids, values, n_values = _read_all(path)
    assert [r.getMessage() for r in caplog.records].count(
        "note: rows that start after the first value column (r1 first) are read from their first value") == 1
    assert n_values.tolist() == [4, 3] * 5 and values[1, :3].tolist() == [2.0, 3.0, 4.0]


def test_a_failed_write_leaves_no_folder_it_made(tmp_path, capsys, model):
    """Adversarial round 54: a refused run (an input that is not there, a --strict error found while the file is
    streamed out) left the empty folders made for its output; a folder that was there stays."""
    from conftest import predict_cli
    from numseries.files import atomic_write

    def fail(_tmp):
        raise ValueError("refused")

    (tmp_path / "kept").mkdir()
    with pytest.raises(ValueError, match="refused"):
        atomic_write(tmp_path / "kept" / "new" / "deeper" / "out.csv", fail)
    assert [path.name for path in tmp_path.rglob("*")] == ["kept"]
    source = tmp_path / "in.csv"
    source.write_text("unique_id,ds,y\na,1,x\na,2,2\na,3,3\n")
    for extra in (["--input", str(tmp_path / "missing.csv")], ["--input", str(source), "--strict"]):
        code, _, _ = predict_cli(capsys, "--weights", model, *extra, "--output", str(tmp_path / "a" / "b" / "o.csv"))
        assert code == 2 and not (tmp_path / "a").exists()
    code, _, _ = predict_cli(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "a" / "b" / "o.csv"))
    assert code == 2 and (tmp_path / "a" / "b" / "o.csv").is_file()  # every series failed: the file is written
