"""Batch files read and written directly, without the CLI or a model: layouts, chunking, atomic output.

Ids are compared as text: how an id column is typed is the batch-file work's to decide.
"""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from numseries import batch_io  # noqa: E402  (needs the io extra, checked above)
from numseries.predict import BatchPrediction  # noqa: E402


def _read_all(path, max_len: int = 8) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every chunk of a file joined: ids as text, values (N, W) NaN-padded, n_values (N,)."""
    chunks = list(batch_io.read_chunks(path, max_len))
    ids = [str(i) for chunk in chunks for i in chunk.ids]
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


def test_a_missing_input_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"input file .*none.csv does not exist; check the path"):
        list(batch_io.read_chunks(tmp_path / "none.csv", 8))


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
    assert list(frame.columns) == ["unique_id", "n_values", "n_used", "prediction", "attention"]
    assert [str(i) for i in frame["unique_id"]] == ["s0", "s1", "s2", "s3"]
    np.testing.assert_array_equal(frame["prediction"], [4.0, 6.0, 5.0, 7.0])
    attention = [
        [float(w) for w in (cell.split(",") if isinstance(cell, str) else cell)] for cell in frame["attention"]
    ]
    assert attention == [[0.25, 0.25, 0.5], [0.5, 0.5]] * 2  # the weights of the used values only


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
