"""``numseries predict --input FILE --output FILE`` on real-world files: any row order (sorted on disk),
series that cannot be predicted (an error column, or ``--strict``), ``--steps`` and the progress."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from conftest import predict_cli as predict  # noqa: E402
from numseries import batch_io  # noqa: E402  (needs the io extra, checked above)
from numseries.predict import load_predictor  # noqa: E402


def long_frame(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [(f"s{i}", t, float(v)) for i, n in enumerate(lengths) for t, v in enumerate(np.cumsum(rng.normal(size=n)))],
        columns=["unique_id", "ds", "y"],
    )


def write(frame, path):
    frame.to_csv(path, index=False) if ".csv" in path.suffixes else frame.to_parquet(path)


def read(path):
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype={"unique_id": str})


# Each series problem: the file, and the error that names it (the whole message with --strict).
SERIES_PROBLEMS = {
    "mixed_y.csv": ("unique_id,ds,y\na,1,1\na,2,x\na,3,3\n", "column y has 'x' in series 'a', which is not a number"),
    "missing_y.csv": ("unique_id,ds,y\na,1,1\na,2,\na,3,1\n", "series 'a' has a missing y at ds=2"),
    "short.csv": ("unique_id,ds,y\na,1,1\na,2,1\n", "expected at least 3 values, got 2 in series 'a'"),
    "twice.csv": ("unique_id,ds,y\na,1,1\na,2,1\na,2,5\na,3,1\n", "series 'a' has two values at ds=2"),
    "bad_dates.csv": ("unique_id,ds,y\na,monday,1\na,tuesday,2\na,wed,4\n", "'monday', which is neither a number"),
    "gap.csv": ("a,b,c,d\n1,,3,4\n", "has a missing value (NaN) at position 2, before its end"),
    "mixed_wide.csv": ("a,b,c\n1,2,3\n4,foo,6\n", "column 'b' has 'foo' in series 1"),
    # adversarial round 10: "column np.int64(2) has 'x' in series 1", counted from 0
    "mixed_headerless.csv": ("1,2,3,4\n1,2,x,4\n", "series 1 has 'x' as its value 3, which is not a number"),
    # adversarial round 10: another series' decimal made the column float, and 9007199254740993 was read
    # as 9007199254740992 and predicted, where alone it was refused
    "big_long.csv": (
        "unique_id,ds,y\na,1,9007199254740993\na,2,9007199254740994\na,3,9007199254740995\nb,1,1.5\nb,2,2\nb,3,3\n",
        "series 'a' at ds=1 holds 9007199254740993, an integer float64 cannot hold exactly",
    ),
    "big_wide.csv": (
        "9007199254740993,9007199254740994,9007199254740995,9007199254740996\n1.5,2,3,4\n",
        "value 1 of series 0 holds 9007199254740993, an integer float64 cannot hold exactly",
    ),
    # adversarial round 28: a number past the float range was "'1e400' ..., which is not a number"
    "above_float.csv": (
        "unique_id,ds,y\na,1,1\na,2,1e400\na,3,3\n",
        "series 'a' at ds=2 is 1e400, which is larger than float64 holds (about 1.8e308) and would be read as inf",
    ),
    # adversarial round 30: from 2**52 on, where floats are whole, as the other paths refuse it
    "fraction_2_52.csv": (
        "unique_id,ds,y\na,1,4503599627370496.5\na,2,4503599627370498.5\na,3,4503599627370500.5\n",
        "series 'a' at ds=1 holds 4503599627370496.5, a number float64 cannot hold exactly",
    ),
    # adversarial round 28: a fraction past 2**53 (read as 4e16) was continued 'exactly' to 5e16
    "big_fraction.csv": (
        "unique_id,ds,y\na,1,1e16\na,2,2e16\na,3,3e16\na,4,40000000000000001.5\n",
        "series 'a' at ds=4 holds 40000000000000001.5, a number float64 cannot hold exactly (it would be read as 4",
    ),
}


@pytest.mark.parametrize("name", sorted(SERIES_PROBLEMS))
def test_a_bad_series_gets_an_error_and_the_rest_are_predicted(capsys, tmp_path, model, predictor, name):
    text, message = SERIES_PROBLEMS[name]
    wide = not text.startswith("unique_id")
    width = text.index("\n") // 2 + 1  # columns of a wide file
    times = [f"2024-01-0{t}" if "dates" in name else t for t in range(1, 5)]  # as the file's other times
    good = (
        ",".join(map(str, range(5, 5 + width))) + "\n"
        if wide
        else "".join(f"good,{t},{2 * k}\n" for k, t in enumerate(times, 1))
    )
    source, target = tmp_path / name, tmp_path / "out.csv"
    source.write_text(text + good)
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and out == ""
    assert "note: 1 of " in err and "could not be predicted; their error column says why" in err
    result = pd.read_csv(target)
    bad = result["error"].notna()
    assert bad.sum() == 1 and message in result.loc[bad, "error"].iloc[0]
    assert result.loc[bad, "prediction"].isna().all()
    expected = predictor.predict(list(range(5, 5 + width)) if wide else [2, 4, 6, 8]).value
    assert result.loc[~bad, "prediction"].iloc[-1] == pytest.approx(expected)  # the good series, last in the file


@pytest.mark.parametrize("name", sorted(SERIES_PROBLEMS))
def test_strict_stops_at_the_first_bad_series_and_writes_nothing(capsys, tmp_path, model, name):
    text, message = SERIES_PROBLEMS[name]
    source, target = tmp_path / name, tmp_path / "out.csv"
    source.write_text(text)
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--strict")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("numseries predict: error: ") and message in err
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".csv.gz"])
@pytest.mark.parametrize("order", ["shuffled", "by date"])
def test_rows_in_any_order_give_the_predictions_of_the_sorted_file(capsys, monkeypatch, tmp_path, model, suffix, order):
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 13)  # many chunks
    monkeypatch.setattr(batch_io, "BUCKET_ROWS", 40)  # several buckets
    frame = long_frame([3, 30, 4, 9, 12, 3, 25, 2, 7])
    ordered, unordered = tmp_path / f"ordered{suffix}", tmp_path / f"unordered{suffix}"
    write(frame, ordered)
    shuffled = frame.sample(frac=1.0, random_state=0) if order == "shuffled" else frame.sort_values(["ds", "unique_id"])
    write(shuffled, unordered)
    assert predict(capsys, "--weights", model, "--input", str(ordered), "--output", str(tmp_path / "a.parquet"))[0] == 0
    code, _, err = predict(
        capsys, "--weights", model, "--input", str(unordered), "--output", str(tmp_path / "b.parquet")
    )
    assert code == 0 and "were not grouped by series and ordered by ds; sorted them on disk" in err
    expected = read(tmp_path / "a.parquet").set_index("unique_id")
    got = read(tmp_path / "b.parquet").set_index("unique_id")
    assert sorted(got.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(got.loc[expected.index], expected)


def test_ids_stay_opaque_text_when_sorted(capsys, tmp_path, model):
    ids = ["007", "7", "1.0", "1", "NA", "null", " x"]
    frame = pd.DataFrame([(i, t, float(t)) for t in range(4) for i in ids], columns=["unique_id", "ds", "y"])
    source, target = tmp_path / "in.parquet", tmp_path / "out.csv"
    frame.to_parquet(source)
    assert predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))[0] == 0
    written = pd.read_csv(target, dtype=str, keep_default_na=False)["unique_id"].tolist()
    assert sorted(written) == sorted(ids)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_steps_with_input_write_one_row_per_series_and_step(capsys, tmp_path, model, predictor, suffix):
    frame = long_frame([5, 9, 2])
    frame["ds"] = frame["ds"] * 7 + 100  # weekly, as integers
    source, target = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    frame.to_csv(source, index=False)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "3")
    assert code == 0 and "wrote 3 forecasts of 3 steps (9 rows)" in err
    result = read(target)
    assert list(result.columns) == ["unique_id", "ds", "step", "prediction", "exact", "error"]
    assert result["unique_id"].tolist() == ["s0"] * 3 + ["s1"] * 3 + ["s2"] * 3
    assert result["step"].tolist() == [1, 2, 3] * 3
    assert result["ds"].tolist()[:6] == [135, 142, 149, 163, 170, 177]
    series = [g["y"].to_numpy() for _, g in frame.groupby("unique_id")][:2]
    np.testing.assert_allclose(
        result["prediction"][:6].to_numpy().reshape(2, 3), predictor.forecast_batch(series, 3).values
    )
    assert result["prediction"][6:].isna().all() and result["error"][6:].str.contains("got 2 in series 's2'").all()


def test_freq_gives_the_next_times_of_every_series_even_one_of_one_row(capsys, tmp_path, model):
    """Closing note 37: a one-row series got no next ds; ``--freq`` steps each series' last time, as
    ``predict_df(freq=)`` and statsforecast's ``freq`` do (an integer step for integer times)."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("unique_id,ds,y\na,2024-02-01,1\na,2024-02-02,2\na,2024-02-05,3\nb,2024-05-03,7\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2", "--freq", "B")
    assert code == 0, err
    assert read(target)["ds"].tolist() == ["2024-02-06", "2024-02-07", "2024-05-06", "2024-05-07"]  # b: Friday, then Monday
    source.write_text("unique_id,ds,y\na,10,1\na,20,2\na,30,3\n")
    assert predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--freq", "5")[0] == 0
    assert read(target)["ds"].tolist() == [35]


@pytest.mark.parametrize(
    ("content", "freq", "message"),
    [
        ("unique_id,ds,y\na,1,1\na,2,2\na,3,3\n", "D", "freq 'D' does not step the time column, which holds integers"),
        ("unique_id,ds,y\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-03,3\n", "1", "freq 1 does not step the time column, which holds dates"),
        ("1,2,3,4\n", "D", "freq 'D' steps the series' times, and these series have none"),
        ("unique_id,ds,y\na,1,1\na,2,2\na,3,3\n", "fortnightly", "freq 'fortnightly' is no pandas frequency"),
        # adversarial round 36a: an OverflowError traceback, exit 1
        ("unique_id,ds,y\na,1,1\na,2,2\na,3,3\n", "9223372036854775808", "freq must be a positive step below 2**63"),
    ],
)
def test_a_freq_that_cannot_step_the_times_is_refused_and_nothing_written(capsys, tmp_path, model, content, freq, message):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(content)
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--freq", freq)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and not target.exists()


def test_a_series_whose_rule_overflows_is_not_exact_in_its_error_rows(capsys, tmp_path, model):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("1e300,1e302,1e304,1e306\n1,2,3,4\n")  # geometric, ratio 100: past float64 at step 2
    assert predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "3")[0] == 0
    result = pd.read_csv(target)
    assert result["error"][:3].str.contains("overflows float64").all() and result["prediction"][:3].isna().all()
    assert result["exact"][:3].isna().all() and result["exact"][3:].tolist() == [True] * 3  # no value: no exact cell
    assert result["prediction"][3:].tolist() == [5.0, 6.0, 7.0]


def test_an_exact_rule_s_bounds_are_written_as_its_value_is(capsys, tmp_path):
    # adversarial round 65: '21,21.0,21.0' for the Fibonacci numbers (--json: [21, 21])
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("1,1,2,3,5,8,13\n1,2,3,4.5,5,6,7\n")
    for steps, first in (("1", "0,7,7,21,21,21,"), ("2", "0,1,21,21,21,True")):
        assert predict(capsys, "--input", str(source), "--output", str(target), "--steps", steps)[0] == 0  # (the shipped
        rows = target.read_text().splitlines()  # model: intervals)
        assert rows[0].startswith("row,n_values,n_used,prediction,lo-80,hi-80," if steps == "1" else "row,step,prediction,lo-80,hi-80,")
        assert rows[1].startswith(first), rows[1]
    assert rows[2].startswith("0,2,34,34,34,True")


def test_steps_with_a_wide_file_number_the_steps(capsys, tmp_path, model, predictor):
    source, target = tmp_path / "wide.csv", tmp_path / "out.csv"
    source.write_text("1,2,3,4\n3,1,4,1\n")
    assert predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")[0] == 0
    result = pd.read_csv(target)
    assert list(result.columns) == ["row", "step", "prediction", "exact", "error"]
    np.testing.assert_allclose(
        result["prediction"], predictor.forecast_batch([[1, 2, 3, 4], [3, 1, 4, 1]], 2).values.ravel()
    )


@pytest.mark.parametrize("steps", [1, 2])
def test_an_exact_rules_whole_numbers_are_written_as_integers_in_csv(capsys, tmp_path, model, predictor, steps):
    """Adversarial round 4, item 10: an exact rule's 10 was written 10.0 where the command line and its JSON give
    10. Other values keep their text; Parquet keeps a float64 column."""
    source = tmp_path / "wide.csv"
    source.write_text("2,4,6,8,\n0.5,1,1.5,2,2.5\n3,1,4,1,\n")  # from integers; from decimals (3.0, as JSON); none
    rows = [[2, 4, 6, 8], [0.5, 1, 1.5, 2, 2.5], [3, 1, 4, 1]]
    network = predictor.forecast_batch([rows[2]], steps).values[0] if steps > 1 else [predictor.predict(rows[2]).value]
    for suffix in (".csv", ".parquet"):
        target = tmp_path / f"out{suffix}"
        argv = ["--weights", model, "--input", str(source), "--output", str(target), "--steps", str(steps)]
        assert predict(capsys, *argv)[0] == 0
    header, *lines = (tmp_path / "out.csv").read_text().splitlines()
    column = header.split(",").index("prediction")
    expected = ["10", "12"][:steps] + ["3.0", "3.5"][:steps] + [str(float(value)) for value in network]
    assert [line.split(",")[column] for line in lines] == expected
    parquet = pd.read_parquet(tmp_path / "out.parquet")["prediction"]
    assert parquet.dtype == np.float64 and parquet.tolist() == [float(text) for text in expected]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--steps", "0"], "--steps must be an integer from 1 to 10000, got 0"),
        (["--steps", "2", "--with-weights"], "--with-weights writes the weights of a one-step prediction"),
        (["--json"], "--json works on a single sequence"),
    ],
)
def test_bad_batch_options_are_one_line(capsys, tmp_path, model, argv, message):
    source = tmp_path / "in.csv"
    long_frame([4]).to_csv(source, index=False)
    code, out, err = predict(
        capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "o.csv"), *argv
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_strict_without_input_is_refused(capsys, model):
    code, _, err = predict(capsys, "--weights", model, "--strict", "1", "2", "3")
    assert code == 2 and "--strict works with --input FILE --output FILE" in err


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_progress_runs_from_zero_to_the_whole_file(monkeypatch, tmp_path, predictor, suffix, shuffle):
    """The progress bar's total is the file: the fraction read (of both passes when sorting) grows to 1.
    An unsorted file starts again once it is found out of order: the figures go back once, to 0."""
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 5_000)
    frame = long_frame([20] * 3_000)  # 1.5 MB of CSV: pandas reads 256 KiB at a time
    source = tmp_path / f"in{suffix}"
    write(frame.sample(frac=1.0, random_state=0) if shuffle else frame, source)
    seen: list[float] = []
    summary = batch_io.predict_file(predictor, source, tmp_path / "out.csv", on_progress=seen.append)
    assert summary.sorted == shuffle and summary.series == 3_000
    backs = [i for i in range(1, len(seen)) if seen[i] < seen[i - 1]]
    assert len(backs) == shuffle
    last_pass = seen[backs[-1] :] if backs else seen
    assert len(last_pass) >= 5 and 0 < last_pass[0] < 0.5 and last_pass[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("strict", [False, True])
def test_sorting_on_disk_leaves_no_bucket_files(capsys, monkeypatch, tmp_path, model, strict):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(batch_io, "BUCKET_ROWS", 10)
    frame = pd.concat([long_frame([8] * 6), pd.DataFrame({"unique_id": ["z"] * 2, "ds": [0, 1], "y": [1.0, 2.0]})])
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.sample(frac=1.0, random_state=0).to_csv(source, index=False)
    argv = ["--weights", model, "--input", str(source), "--output", str(target)] + (["--strict"] if strict else [])
    code, _, err = predict(capsys, *argv)
    assert code == (2 if strict else 0), err
    assert list(scratch.iterdir()) == []
    assert target.exists() != strict


def test_one_series_is_one_forecast(capsys, tmp_path, model):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    long_frame([6]).to_csv(source, index=False)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "3")
    assert code == 0 and "wrote 1 forecast of 3 steps (3 rows)" in err


DAYS_AND_HOURS = (
    "unique_id,ds,y\n"
    + "".join(f"a,{day},{k}\n" for k, day in enumerate(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]))
    + "".join(f"b,2024-01-01 0{k}:00,{k}\n" for k in range(4))
    + "".join(f"c,{day},{k}\n" for k, day in enumerate(["2024-01-05", "2024-01-08", "2024-01-09", "2024-01-10"]))
)


def test_next_times_are_written_in_one_form_that_pandas_reads_back(capsys, tmp_path, model):
    # adversarial round 40: dates alone beside times of day ("2024-05-31", "2024-01-01 04:00:00") in one column,
    # so pd.read_csv(parse_dates=["ds"]) left it as text; pandas' to_csv writes such a column at 00:00:00
    source, target = tmp_path / "ds.csv", tmp_path / "out.csv"
    source.write_text(DAYS_AND_HOURS)
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")
    assert code == 0
    assert pd.read_csv(target, dtype=str)["ds"].tolist() == [
        "2024-05-31 00:00:00", "2024-06-30 00:00:00", "2024-01-01 04:00:00", "2024-01-01 05:00:00",
        "2024-01-11 00:00:00", "2024-01-12 00:00:00",
    ]  # fmt: skip
    assert pd.api.types.is_datetime64_dtype(pd.read_csv(target, parse_dates=["ds"])["ds"])


@pytest.mark.parametrize("name", ["out.csv", "out.csv.gz"])
def test_times_of_a_later_chunk_rewrite_the_dates_written_before_them(capsys, tmp_path, model, monkeypatch, name):
    """The first chunk's series are all at midnight (dates alone), a later one's have times of day: the dates
    already written are written again at 00:00:00, every other cell as it was."""
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 4)  # a chunk per series
    source, target = tmp_path / "ds.csv", tmp_path / name
    source.write_text(DAYS_AND_HOURS.replace("a,", '"a,1",'))  # an id that is quoted in the output
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0
    written = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert written["ds"].tolist() == ["2024-05-31 00:00:00", "2024-01-01 04:00:00", "2024-01-11 00:00:00"]
    assert written["unique_id"].tolist() == ["a,1", "b", "c"]
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 500_000)  # the same file in one chunk: the same cells
    again = tmp_path / ("again" + name[3:])
    predict(capsys, "--weights", model, "--input", str(source), "--output", str(again))
    assert written.equals(pd.read_csv(again, dtype=str, keep_default_na=False))


# ------------------------------------------------------------------------------- one column


@pytest.mark.parametrize(
    ("text", "label"),
    [("1\n2\n3\n4\n", 1), ("sales\n1\n2\n3\n4\n", "sales"), ('"sales"\n1\n2\n3\n4\n\n', "sales"), ("y\n1\n2\n3\n4\n", "y"),
     ("\ufeffsales\n1\n2\n3\n4\n", "sales")],
)
def test_a_file_of_one_column_is_one_series_read_down_it(capsys, tmp_path, model, text, label):
    """Read as rows, each line was a series of one value: four errors and no prediction."""
    source, target = tmp_path / "metric.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target, dtype={"column": str})
    assert code == 0 and "could not be predicted" not in err
    assert result[["column", "n_values", "prediction"]].values.tolist() == [[str(label), 4, 5]]
    assert result["exact"].tolist() == [True]


def test_a_parquet_file_of_one_column_is_one_series(capsys, tmp_path, model, predictor):
    source, target = tmp_path / "metric.parquet", tmp_path / "out.parquet"
    values = np.cumsum(np.random.default_rng(3).normal(size=100))  # longer than the window: its last 64 read
    pd.DataFrame({"temperature": values}).to_parquet(source)
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_parquet(target)
    assert code == 0 and result["column"].tolist() == ["temperature"] and result["n_values"].tolist() == [100]
    assert result["prediction"][0] == pytest.approx(predictor.predict(values).value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sales\n1\n2\nabc\n4\n", "column 'sales' has 'abc' at line 4, which is not a number"),
        ("sales\n1\n2\n\n4\n5\n", "column 'sales' has a missing value at line 4, before its last value"),
        ("1\n2\n3e-999\n4\n", "the column at line 3 is 3e-999, which is smaller than float64"),
        ("sales\n1\n2\n", "expected at least 3 values, got 2 in series 'sales'"),
    ],
)
def test_a_column_s_first_problem_is_its_error(capsys, tmp_path, model, text, message):
    source, target = tmp_path / "metric.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 2 and "1 of 1 series could not be predicted" in err
    assert f"error: the one series of {source} could not be predicted; the error column of {target} says why" in err
    assert message in result["error"][0] and np.isnan(result["prediction"][0])


def test_a_file_of_which_no_series_could_be_predicted_exits_2(capsys, tmp_path, model):
    """Adversarial round 42: every series failed (1%, a decimal comma) and the exit code was 0, so a script
    that checks it took an output without one prediction for a success. One predicted is a success."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text('id,t1,t2,t3,t4\nA,1%,2%,3%,4%\nB,"1,5","2,5","3,5","4,5"\n')
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and f"error: none of the 2 series of {source} could be predicted" in err
    assert pd.read_csv(target)["error"].notna().all()  # each one's reason, written
    source.write_text("id,t1,t2,t3,t4\nA,1%,2%,3%,4%\nB,1,2,3,4\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "1 of 2 series could not be predicted" in err and "error:" not in err


@pytest.mark.parametrize(
    ("text", "note", "expected"),
    [
        ("date,sales\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,4\n", "column 'date' as its times",
         ["sales", "2024-01-05", 4, 5]),
        ("month,sales\n2024-04,7\n2024-03,5\n2024-02,3\n2024-01,1\n", "column 'month' as its times",
         ["sales", "2024-05", 4, 9]),  # newest first, as exports often are: sorted, and months stay months
        ("y,ds\n2,1\n4,2\n6,3\n8,4\n", "column 'ds' as its times", ["y", "5", 4, 10]),
        # adversarial round 13: the first column was taken for the times whatever it held (a year came out
        # as the value column, exact)
        ("sales,year\n2,2021\n4,2022\n6,2023\n8,2024\n", "column 'year' as its times", ["sales", "2025", 4, 10]),
        ("sales,when\n2,2024-01-01\n4,2024-01-02\n6,2024-01-03\n8,2024-01-04\n", "column 'when' as its times",
         ["sales", "2024-01-05", 4, 10]),
        # without a header line: its first line was taken for the labels, and one value lost
        ("2024-01-01,2\n2024-01-02,4\n2024-01-03,6\n2024-01-04,8\n", "column 'time' as its times",
         ["value", "2024-01-05", 4, 10]),
    ],
)
def test_a_file_of_a_time_and_a_value_column_is_one_series(capsys, tmp_path, model, text, note, expected):
    """Read as rows, each line was a series of two values: an error per line, exit 0, no prediction."""
    source, target = tmp_path / "metric.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target, dtype={"unique_id": str, "ds": str})
    assert code == 0 and note in err and err.count("as one series") == 1
    assert result[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [expected]


@pytest.mark.parametrize(
    ("text", "message"),
    [  # adversarial round 13: two columns of numbers were read as times and values, sorted by the first
        ("temp,humidity\n20,50\n15,60\n25,55\n", "has two columns, 'temp' and 'humidity', named as quantities are and no "
         "time column: two may be an id and a value, so they are not read as two series alone; add a time column"),
        ("x,value\n20,50\n15,60\n25,55\n", "has two columns, 'x' and 'value', and neither is named as times"),
        # rows one cell longer than the header: pandas took the first cells as row labels (1,5 2,5 ... read as
        # a constant 5, exact)
        ("sales\n1,5\n2,5\n3,5\n4,5\n", "its rows have more cells than its header line names (1): a decimal comma"),
        ("a,b,c\n1,2,3,4\n5,6,7,8\n", "its rows have more cells than its header line names (3)"),
    ],
)
def test_a_layout_that_cannot_be_read_right_is_refused(capsys, tmp_path, model, text, message):
    source = tmp_path / "in.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert code == 2 and message in err and not (tmp_path / "o.csv").exists()


def test_a_long_file_without_unique_id_says_how_to_name_one_series(capsys, tmp_path, model):
    source = tmp_path / "one.csv"
    source.write_text("ds,y,note\n1,2,a\n2,4,b\n3,6,c\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert code == 2 and "(for one series, a unique_id naming it on every row)" in err


@pytest.mark.parametrize("name", ["when", None])
def test_a_parquet_column_with_a_time_index_is_one_series_at_those_times(capsys, tmp_path, model, name):
    """df.to_parquet of a frame indexed by time: the index named 5 rows of one value each, 5 errors."""
    source, target = tmp_path / "metric.parquet", tmp_path / "out.csv"
    index = pd.date_range("2024-01-01", periods=5, freq="h", name=name)
    pd.DataFrame({"load": [1.0, 2, 3, 4, 5]}, index=index).to_parquet(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 0 and f"column {name or 'index'!r} as its times" in err
    assert result[["unique_id", "ds", "prediction"]].values.tolist() == [["load", "2024-01-01 05:00:00", 6]]


@pytest.mark.parametrize(
    ("index", "expected_ds"),
    [  # adversarial round 14: an integer or period index was read as ids, each row a series of one value
        (pd.Index([2019, 2020, 2021, 2022, 2023], name="t"), "2024"),
        (pd.period_range("2024Q1", periods=5, freq="Q"), "2025-04-01"),
        (pd.period_range("2024-01", periods=5, freq="M"), "2024-06-01"),
    ],
)
def test_a_parquet_column_with_any_index_is_one_series_at_those_times(capsys, tmp_path, model, index, expected_ds):
    source, target = tmp_path / "metric.parquet", tmp_path / "out.csv"
    pd.DataFrame({"sales": [2.0, 4, 6, 8, 10]}, index=index).to_parquet(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target, dtype={"ds": str})
    assert code == 0 and "as one series, 'sales'" in err
    assert result[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [["sales", expected_ds, 5, 12]]


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_series_down_the_columns_beside_a_time_column_are_one_a_column(capsys, tmp_path, model, monkeypatch, kind):
    """A time column (or a DatetimeIndex) beside several value columns: each row was read as a series, the
    date an error in each (or, for a year column, a value of it: the year predicted on, exit 0)."""
    monkeypatch.setattr(batch_io, "WIDE_CHUNK_ROWS", 3)  # the columns' series span chunks: sorted on disk
    source, target = tmp_path / f"metrics.{kind}", tmp_path / "out.csv"
    frame = pd.DataFrame(
        {"sales": [2.0, 4, 6, 8, 10], "cost": [5.0, 5, 5, 5, 5]}, index=pd.date_range("2024-01-01", periods=5, name="date")
    )
    frame.to_parquet(source) if kind == "parquet" else frame.to_csv(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target).sort_values("unique_id")
    assert code == 0 and "as 2 series, one down each of the columns 'sales', 'cost'" in err
    assert result[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [
        ["cost", "2024-01-06", 5, 5], ["sales", "2024-01-06", 5, 12]
    ]  # fmt: skip


def test_a_year_column_is_the_times_of_the_columns_beside_it(capsys, tmp_path, model):
    source, target = tmp_path / "table.csv", tmp_path / "out.csv"
    source.write_text("year,jan,feb,mar\n2021,1,10,100\n2022,2,20,200\n2023,3,30,300\n2024,4,40,400\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 0 and "column 'year' as their times" in err
    assert result[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [
        ["jan", 2025, 4, 5], ["feb", 2025, 4, 50], ["mar", 2025, 4, 500]
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["sales,\n2,\n4,\n6,\n8,\n", "2,\n4,\n6,\n8,\n", "sales\n2\n4\n6\n8\n\n\n", "sales,\n2,\n4,\n6,\n8,\n,\n"]
)
def test_trailing_commas_and_blank_lines_leave_one_column_one_series(capsys, tmp_path, model, text):
    """Adversarial round 13: a comma ending every line made a second, empty column ('Unnamed: 1'), and the
    file was read as times and values, its one series an error."""
    source, target = tmp_path / "one.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 0 and result[["n_values", "prediction", "error"]].values.tolist()[0][:2] == [4, 10]
    assert result["error"].isna().all()


def test_a_blank_line_between_rows_keeps_its_place(capsys, tmp_path, model):
    """Adversarial round 42b: a blank line in a headerless file of one series a row was skipped without a word,
    and every row after it got the number of the row before (row 2 written as row 1): it is an empty series in
    its place now, as a line of empty cells is, with its error; blank lines that end the file are nothing."""
    source, target = tmp_path / "rows.csv", tmp_path / "out.csv"
    source.write_text("1,2,3,4\n\n2,4,6,8\n,,,\n5,10,15,20\n\n\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 0 and "2 of 5 series could not be predicted" in err
    assert result["row"].tolist() == [0, 1, 2, 3, 4] and result["n_values"].tolist() == [4, 0, 4, 0, 4]
    assert result["prediction"].tolist()[::2] == [5, 10, 25] and result["error"].notna().tolist() == [0, 1, 0, 1, 0]
    assert result["error"][1].startswith("series 1 is empty (an empty line, or a row of empty cells)")


@pytest.mark.parametrize(
    "text",
    [
        "unique_id,date,sales\na,2024-01-01,1\na,2024-01-02,2\n\na,2024-01-03,3\nb,2024-01-01,5\nb,2024-01-02,6\nb,2024-01-03,7\n",
        "sku,jan,feb,mar\na,1,2,3\n\nb,5,6,7\n",
        "date,sales,cost\n2024-01-01,1,5\n2024-01-02,2,6\n\n2024-01-03,3,7\n",
        "temperature,humidity,pressure\n1,5,9\n2,6,8\n\n3,7,7\n",
    ],
)
def test_a_blank_line_in_a_file_with_a_header_line_is_skipped(capsys, tmp_path, model, text):
    """Adversarial round 53: kept as an empty row, it broke the ids, times and quantities a header names (a
    whole file refused, or every series failed)."""
    source, target = tmp_path / "named.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    result = pd.read_csv(target)
    assert code == 0 and result["error"].isna().all() and (result["n_values"] == 3).all(), err


def test_a_file_that_begins_with_a_blank_line_is_not_called_empty(capsys, tmp_path, model):
    source = tmp_path / "rows.csv"
    source.write_text("\n1,2,3,4\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert code == 2 and "the first line of" in err and "is empty; remove the empty lines above" in err


def test_a_value_under_a_trailing_comma_is_refused(capsys, tmp_path, model):
    source = tmp_path / "one.csv"
    source.write_text("sales,\n2,\n4,9\n6,\n8,\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert code == 2 and "line 3 has 9.0 in its last cell, which the first line leaves unnamed" in err


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_missing_value_that_ends_a_column_is_its_error(capsys, tmp_path, model, kind):
    """Adversarial round 13: dropped without a word, the values before it were predicted on, as if the next
    value were the missing one's."""
    source, target = tmp_path / f"one.{kind}", tmp_path / "out.csv"
    if kind == "csv":
        source.write_text("sales\n2\n4\n6\nNaN\n")
    else:
        pd.DataFrame({"sales": [2.0, 4, 6, None]}).to_parquet(source)
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    (error,) = pd.read_csv(target)["error"]
    assert code == 2 and "has a missing value at " in error and "after its last number" in error


def test_warnings_are_one_line_notes_and_dates_written_as_integers_are_named(capsys, tmp_path, model):
    """Adversarial round 13: a time past 2262 printed Python's warning with a file name and a line of source;
    times written as YYYYMMDD integers stepped to 20240132 without a word."""
    late, ymd, target = tmp_path / "late.csv", tmp_path / "ymd.csv", tmp_path / "out.csv"
    late.write_text("unique_id,ds,y\na,2262-04-07,1\na,2262-04-08,2\na,2262-04-09,3\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(late), "--output", str(target), "--steps", "5")
    assert code == 0 and err.startswith("note: 1 series' next times pass what datetime64[ns]") and "predict_chunk(" not in err
    ymd.write_text("unique_id,ds,y\na,20240128,1\na,20240129,2\na,20240130,3\na,20240131,4\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(ymd), "--output", str(target))
    assert code == 0 and "note: unique_id 'a' has times that read as dates written as integers" in err
    assert "its next time is 20240132; write the times as dates" in err


@pytest.mark.parametrize(
    ("times", "steps", "said"),
    [  # adversarial round 40: only a first next time that was no YYYYMMDD date got the note
        ([202409, 202410, 202411, 202412], 2, "(its last, 202412, as YYYYMM), and integers step as integers: its next time is 202413;"),
        ([20240127, 20240128, 20240129, 20240130], 3, "its next times are 20240131, 20240132;"),
        ([20231130, 20231231, 20240131, 20240229], 2, "(its last, 20240229, as YYYYMMDD), and integers step as integers: its next time is 20240327;"),
        ([20240101, 20240102, 20240103, 20240104], 3, None),  # days stepped as integers within a month: right
        ([2020, 2021, 2022, 2023], 3, None),
        ([100009, 100010, 100011, 100012], 3, None),  # a count, not the months of the year 1000
        # round 41: months, years and quarters stepped right were noted too
        ([202401, 202402, 202403, 202404], 2, None),
        ([20200101, 20210101, 20220101, 20230101], 2, None),
        ([202401, 202404, 202407], 1, None),
        ([202401, 202404, 202407], 2, "its next times are 202410, 202413;"),
    ],
)
def test_dates_written_as_integers_that_step_off_the_calendar_are_named(capsys, tmp_path, model, times, steps, said):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("unique_id,ds,y\n" + "".join(f"a,{t},{k}\n" for k, t in enumerate(times, 1)))
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", str(steps))
    assert code == 0 and len(pd.read_csv(target)) == steps
    if said is None:
        assert "dates written as integers" not in err
    else:
        assert "note: unique_id 'a' has times that read as dates written as integers" in err and said in err


def test_two_time_columns_are_refused_and_a_start_date_column_is_no_time_column(capsys, tmp_path, model):
    """Adversarial round 15: year,month,sales was read as rows of [2020, 1, 100], each predicted (exit 0); a
    first column of dates under another name (each row's start) was read down the columns, sorted by it."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("year,month,sales\n2020,1,100\n2020,2,110\n2020,3,120\n2020,4,130\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and "has 2 columns named as times are, 'year' and 'month': give one time column" in err
    source.write_text("start,t1,t2,t3,t4\n2024-03-01,1,2,3,4\n2024-01-01,5,6,7,8\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and "one down each of the columns" not in err  # rows: each row's start date is no value
    assert pd.read_csv(target)["error"].str.startswith("column 'start' has '2024-").all()


def test_parquet_indexes_of_ids_and_times_are_read_as_long_format(capsys, tmp_path, model):
    """Adversarial round 15: a (series x dates) index was left out and the series glued into one ('exact'
    across the seam); a date index beside unique_id and one column, and an integer index named year beside
    two columns, gave every row a one-value series; a label index beside one column read as dates."""
    dates = pd.date_range("2024-01-01", periods=5)
    frames = {
        "multi": pd.DataFrame({"v": range(10)}, index=pd.MultiIndex.from_product([["x", "y"], dates])),
        "ids": pd.DataFrame({"unique_id": ["x"] * 5, "a": [1, 2, 3, 4, 5]}, index=dates),
        "year": pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 4, 6, 8, 10]}, index=pd.Index(list(range(2020, 2025)), name="year")),
        "labels": pd.DataFrame({"sales": [10, 12, 14, 16]}, index=["Jan", "Feb", "Mar", "Apr"]),
    }
    expected = {
        "multi": [["x", "2024-01-06", 5], ["y", "2024-01-06", 10]],
        "ids": [["x", "2024-01-06", 6]],
        "year": [["a", "2025", 6], ["b", "2025", 12]],
        "labels": [["sales", None, 18]],
    }
    for name, frame in frames.items():
        source, target = tmp_path / f"{name}.parquet", tmp_path / f"{name}.csv"
        frame.to_parquet(source)
        code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
        result = pd.read_csv(target, dtype=str)
        ids = result["unique_id"] if "unique_id" in result else result["column"]
        times = result["ds"] if "ds" in result else [None] * len(result)
        got = [[i, t, float(v)] for i, t, v in zip(ids, times, result["prediction"], strict=True)]
        assert code == 0 and got == expected[name], name


def test_the_row_labels_df_to_csv_writes_first_are_no_values(capsys, tmp_path, model):
    """Adversarial round 15: df.to_csv(path) writes the index first under an empty label; beside named columns
    the row numbers were read as values (,a,b,c: each row a series [0, a, b, c], predicted)."""
    one, rows, target = tmp_path / "one.csv", tmp_path / "rows.csv", tmp_path / "out.csv"
    pd.DataFrame({"sales": [2.0, 4, 6, 8]}).to_csv(one)
    code, _, err = predict(capsys, "--weights", model, "--input", str(one), "--output", str(target))
    assert code == 0 and "as the row labels pandas writes, and left it out" in err
    assert pd.read_csv(target)[["n_values", "prediction"]].values.tolist() == [[4, 10]]
    pd.DataFrame({"t1": [1.0, 5], "t2": [2.0, 6], "t3": [3.0, 7], "t4": [4.0, 8]}).to_csv(rows)
    code, _, err = predict(capsys, "--weights", model, "--input", str(rows), "--output", str(target))
    assert code == 0 and "as the rows' unique_id" in err
    assert pd.read_csv(target)[["unique_id", "n_values", "prediction"]].values.tolist() == [[0, 4, 5], [1, 4, 9]]


def test_long_format_with_its_time_and_value_columns_named_otherwise(capsys, tmp_path, model):
    """Adversarial round 15: unique_id,date,sales gave every row an error, with a hint to call 'date' unique_id."""
    source, target = tmp_path / "long.csv", tmp_path / "out.csv"
    source.write_text("unique_id,date,sales\na,2024-01-01,2\na,2024-01-02,4\na,2024-01-03,6\na,2024-01-04,8\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "column 'date' as ds, column 'sales' as y" in err
    assert pd.read_csv(target)[["unique_id", "ds", "prediction"]].values.tolist() == [["a", "2024-01-05", 10]]
    source.write_text("unique_id,date,sales,cost\na,2024-01-01,1,2\na,2024-01-02,2,3\na,2024-01-03,3,4\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and "has ids ('unique_id'), a time column 'date' and 2 value columns" in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_column_named_as_ids_are_names_the_series_and_is_never_a_value(capsys, tmp_path, model, suffix):
    """Adversarial round 16: product_id,jan,feb,... read each product's number as its series' first value (exit 0,
    ids lost); sku,week,units predicted the sku as a constant series; id,timestamp,value failed every series."""
    source, target = tmp_path / f"in{suffix}", tmp_path / "out.csv"

    def read(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source, index=False)
        code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
        assert code == 0, err
        return pd.read_csv(target), err

    wide = pd.DataFrame({"product_id": [17, 18], "jan": [10, 1], "feb": [20, 2], "mar": [30, 4], "apr": [40, 8]})
    out, err = read(wide)
    assert "read column 'product_id'" in err and "as the series' ids" in err
    assert out[["unique_id", "n_values", "prediction"]].values.tolist() == [[17, 4, 50], [18, 4, 16]]
    long = pd.DataFrame({"sku": [1001] * 4, "week": [1, 2, 3, 4], "units": [5.0, 7, 6, 8]})
    out, err = read(long)
    assert "column 'week' as ds, column 'units' as y" in err
    assert out[["unique_id", "ds", "n_values"]].values.tolist() == [[1001, 5, 4]]
    if suffix == ".csv":  # ids as the text in the file, as unique_id's are
        source.write_text("sku,week,units\n007,1,5\n007,2,7\n007,3,6\n")
        predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
        assert pd.read_csv(target, dtype={"unique_id": str})["unique_id"].tolist() == ["007"]
    several = pd.DataFrame({"id": ["a"] * 3 + ["b"] * 3, "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"] * 2,
                            "value": [1.0, 2, 3, 9, 6, 3]})  # fmt: skip
    out, _ = read(several)
    assert out[["unique_id", "ds", "prediction"]].values.tolist() == [["a", "2024-01-04", 4], ["b", "2024-01-04", 0]]
    out, _ = read(pd.DataFrame({"Country Code": ["BRA"], "1960": [6.1], "1961": [6.0], "1962": [5.9], "1963": [5.8]}))
    assert out[["unique_id", "prediction"]].values.tolist() == [["BRA", 5.7]]
    # adversarial round 40: ticker,date,close was read as two series, 'ticker' and 'close', each failing (exit 0)
    tickers = pd.DataFrame({"ticker": ["AAPL"] * 4 + ["MSFT"] * 4, "date": ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"] * 2,
                            "close": [185.6, 184.2, 181.9, 181.2, 370.8, 370.6, 367.9, 367.7]})  # fmt: skip
    out, err = read(tickers)
    assert "read column 'ticker'" in err and out["unique_id"].tolist() == ["AAPL", "MSFT"] and out["error"].isna().all()
    # round 41: names measurements go by too stay values (sar's user%, a meter's reading, a state)
    cpu = pd.DataFrame({"time": ["2024-01-01 00:00", "2024-01-01 00:01", "2024-01-01 00:02", "2024-01-01 00:03"],
                        "user": [12.3, 14.0, 11.9, 13.1], "system": [4.1, 4.0, 4.4, 4.2], "idle": [80.2, 79.1, 81.0, 80.3]})  # fmt: skip
    out, _ = read(cpu)
    assert sorted(out["unique_id"]) == ["idle", "system", "user"]
    meters = pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"], "meter": [1007, 1014, 1020, 1029],
                           "kwh": [7.0, 6, 9, 8]})  # fmt: skip
    assert sorted(read(meters)[0]["unique_id"]) == ["kwh", "meter"]
    stations = pd.DataFrame({"station": [101] * 3 + [102] * 3, "date": ["2024-01-01", "2024-01-02", "2024-01-03"] * 2,
                             "temp": [1.0, 2, 3, 9, 6, 3]})  # fmt: skip
    out, _ = read(stations)
    assert out[["unique_id", "n_values"]].values.tolist() == [[101, 3], [102, 3]]
    # adversarial round 17: numeric ids in date order (sorted on disk) crashed pyarrow with a traceback
    stores = pd.DataFrame({"store": [1, 2] * 3, "date": ["2024-01-01"] * 2 + ["2024-01-02"] * 2 + ["2024-01-03"] * 2,
                           "sales": [10.0, 11, 12, 13, 14, 15]})  # fmt: skip
    out, _ = read(stores)
    assert out[["unique_id", "n_values", "prediction"]].values.tolist() == [[1, 3, 16], [2, 3, 17]]
    # a different "id" on every row beside a time column is a row id: left out, not the series' ids
    rows = pd.DataFrame({"id": [1, 2, 3, 4], "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
                         "sales": [10.0, 11, 12, 13], "cost": [1.0, 2, 3, 4]})  # fmt: skip
    out, err = read(rows)
    assert "left column 'id'" in err and out[["unique_id", "prediction"]].values.tolist() == [["sales", 14], ["cost", 5]]
    # closing note 36: Favorita's store_nbr,date,sales was read as 2 series (store_nbr, sales), each refused for
    # two values at one date; predict_batch took such a frame as rows of values
    favorita = stores.rename(columns={"store": "store_nbr"})
    out, err = read(favorita)
    assert "read column 'store_nbr'" in err and out[["unique_id", "prediction"]].values.tolist() == [[1, 16], [2, 17]]
    with pytest.raises(TypeError, match=r"is a DataFrame of series ids and values \('store_nbr', 'date', 'sales'\)"):
        load_predictor(model).predict_batch(favorita)
    # adversarial round 32a: counts named so are values, not ids (visits_num was left out as a row id)
    counts = pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "2024-01-03"], "sales": [10.0, 11, 12], "visits_num": [1, 2, 3]})
    out, err = read(counts)
    assert "as the series' ids" not in err and out[["unique_id", "prediction"]].values.tolist() == [["sales", 13], ["visits_num", 4]]


def test_a_wide_file_with_an_id_on_two_rows_says_so(capsys, tmp_path, model):
    """Closing note 36: two rows of product 17 gave two answers for 17 without a word."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("product_id,jan,feb,mar,apr\n17,1,2,3,4\n18,2,4,6,8\n17,5,6,7,8\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "note: unique_id '17' names more than one row (again at row 2, line 4 of the file" in err
    assert pd.read_csv(target)[["unique_id", "prediction"]].values.tolist() == [[17, 5], [18, 10], [17, 9]]
    source.write_text("unique_id,jan,feb,mar,apr\n17,1,2,3,4\n18,2,4,6,8\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "more than one row" not in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_wide_row_that_starts_late_is_read_from_its_first_value(capsys, tmp_path, model, suffix):
    """Adversarial round 40: a World Bank row whose data starts after 1960 (most indicators) was refused for a
    missing value at position 1, though its leading empty cells pad it as trailing ones do."""
    source, target = tmp_path / f"in{suffix}", tmp_path / "out.csv"
    frame = pd.DataFrame({"Country Code": ["AFG", "ALB", "BAD"], "1960": [None, 1.0, None], "1961": [None, 2.0, 1.0],
                          "1962": [3.0, 4, None], "1963": [4.0, 8, 3], "1964": [6.0, 16, 4]})  # fmt: skip
    frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source, index=False)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    out = pd.read_csv(target).set_index("unique_id")
    assert code == 0 and "note: rows that start after the first value column (AFG first) are read from their first value" in err
    assert out.loc["AFG", "n_values"] == 3 and pd.isna(out.loc["AFG", "error"]) and np.isfinite(out.loc["AFG", "prediction"])
    assert out.loc["ALB", "prediction"] == 32 and "missing value (NaN) at 1962," in out.loc["BAD", "error"]  # the file's cell


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_wide_columns_named_by_years_give_each_row_its_next_year(capsys, tmp_path, model, suffix):
    """Adversarial round 40: a wide file's header years were not read, so the output had no ds: a row ending
    early (Aruba, to 1963) was predicted for 1964 and a full one for 1966 with nothing to tell them apart."""
    source, target = tmp_path / f"in{suffix}", tmp_path / "out.csv"
    frame = pd.DataFrame({"Country Code": ["ABW", "BEL", "AFG"], "1960": [1.0, 1, None], "1961": [2.0, 2, None],
                          "1962": [3.0, 3, 3], "1963": [4.0, 4, 4], "1964": [None, 5, 5], "1965": [None, 6, 6]})  # fmt: skip
    frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source, index=False)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")
    assert code == 0, err
    out = pd.read_csv(target)
    assert out[["unique_id", "ds", "step", "prediction"]].values.tolist() == [
        ["ABW", 1964, 1, 5], ["ABW", 1965, 2, 6], ["BEL", 1966, 1, 7], ["BEL", 1967, 2, 8], ["AFG", 1966, 1, 7], ["AFG", 1967, 2, 8]
    ]  # fmt: skip


def test_wide_columns_named_by_years_newest_first_are_read_oldest_first(capsys, tmp_path, model):
    """Adversarial round 42: country,2022,2021,2020,2019 (as Eurostat writes) read each row backwards and predicted
    the year before 2019, exact, exit 0: A,4,3,2,1 gave 0 and B,10,20,40,80 gave 160."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("country,2022,2021,2020,2019\nA,4,3,2,1\nB,10,20,40,80\nC,,3,2,1\nE,4,3,,1\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "named by times from the newest to the oldest (column '2022' first)" in err
    out = pd.read_csv(target).set_index("unique_id")
    assert out.loc[["A", "B"], "prediction"].tolist() == [5, 5] and out.loc[["A", "B", "C"], "ds"].tolist() == [2023, 2023, 2022]
    assert "missing value (NaN) at 2020, before its end" in out.loc["E", "error"]  # the file's column, by its year


@pytest.mark.parametrize(
    ("header", "written"),
    [("2024-01,2024-02,2024-03,2024-04", ["2024-05", "2024-06"]), ("2024Q1,2024Q2,2024Q3,2024Q4", ["2025Q1", "2025Q2"]),
     ("2024-01-01,2024-01-08,2024-01-15,2024-01-22", ["2024-01-29", "2024-02-05"]),
     ("0,1,2,3", None), ("t1,t2,t3,t4", None), ("1960,1962,1961,1963", None), ("2020,2020.1,2021,2022", None)],
)  # fmt: skip
def test_wide_columns_named_by_times_in_order_are_the_rows_times(capsys, tmp_path, model, header, written):
    """Months and quarters are written back as months and quarters; positions, names and times out of order
    give no ds."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(f"id,{header},\na,1,2,3,4,\n" if header.endswith("Q4") else f"id,{header}\na,1,2,3,4\n")  # (Excel's trailing comma)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")
    assert code == 0, err
    out = pd.read_csv(target, dtype=str)
    assert (out["ds"].tolist() if "ds" in out else None) == written and out["prediction"].tolist() == ["5", "6"]

@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_several_columns_named_as_ids_are_together_the_series_id(capsys, tmp_path, model, suffix):
    """Adversarial round 17: World Bank files (Country Name, Country Code, Indicator Name, Indicator Code, 1960,
    ...) failed every series on its country's name, and Kaggle's date,store,item,sales was read as 3 series
    (store, item, sales), each refused for two values at one date: more than one id-named column was none."""
    source, target = tmp_path / f"in{suffix}", tmp_path / "out.csv"

    def read(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        frame.to_csv(source, index=False) if suffix == ".csv" else frame.to_parquet(source, index=False)
        code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
        assert code == 0, err
        return pd.read_csv(target, dtype={"unique_id": str}), err

    world = pd.DataFrame({"Country Name": ["Korea, Rep.", "Brazil"], "Country Code": ["KOR", "BRA"],
                          "Indicator Name": ["Population, total"] * 2, "Indicator Code": ["SP.POP.TOTL"] * 2,
                          "2000": [1.0, 5], "2001": [2.0, 10], "2002": [4.0, 15], "2003": [8.0, 20]})  # fmt: skip
    out, err = read(world)
    assert "'Country Name', 'Country Code', 'Indicator Name', 'Indicator Code'" in err and "joined by '/'" in err
    assert out[["unique_id", "prediction", "exact"]].values.tolist() == [
        ["Korea, Rep./KOR/Population, total/SP.POP.TOTL", 16, True], ["Brazil/BRA/Population, total/SP.POP.TOTL", 25, True]
    ]  # fmt: skip
    days = ["2013-01-01", "2013-01-02", "2013-01-03", "2013-01-04"]
    sales = pd.DataFrame([(day, store, item, 10 * store + item * t) for t, day in enumerate(days)
                          for store in (1, 2) for item in (1, 2)], columns=["date", "store", "item", "sales"])  # fmt: skip
    out, _ = read(sales)
    assert out[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [
        ["1/1", "2013-01-05", 4, 14], ["1/2", "2013-01-05", 4, 18], ["2/1", "2013-01-05", 4, 24], ["2/2", "2013-01-05", 4, 28]
    ]  # fmt: skip
    out, err = read(sales.assign(id=range(len(sales))))  # a row id beside them is left out, the others kept
    assert "left column 'id'" in err and out["unique_id"].tolist() == ["1/1", "1/2", "2/1", "2/2"]
    # adversarial round 19: store a/b, item c and store a, item b/c were one series, a/b/c
    slashed = sales.assign(store=sales["store"].map({1: "a/b", 2: "a"}), item=sales["item"].map({1: "c", 2: "b/c"}))
    out, _ = read(slashed)
    assert out[["unique_id", "prediction"]].values.tolist() == [
        ["a/b\\/c", 28], ["a/c", 24], ["a\\/b/b\\/c", 18], ["a\\/b/c", 14]
    ]  # fmt: skip


@pytest.mark.parametrize("write", ["csv", "csv with its index", "parquet"])
def test_columns_named_as_quantities_are_a_series_each(capsys, tmp_path, model, write):
    """Adversarial round 18: temperature,humidity,pressure,wind above rows of observations was read one series
    a row (20.1, 55, 1013, 3 -> 64.4, 80%: -978 to 1154), exit 0, no note."""
    frame = pd.DataFrame({"sales": [10.0, 20, 30, 40, 50], "cost": [1.0, 2, 4, 8, 16], "units": [5.0] * 5})
    source, target = tmp_path / ("in.parquet" if write == "parquet" else "in.csv"), tmp_path / "out.csv"
    if write == "parquet":
        frame.to_parquet(source)
    else:
        frame.to_csv(source, index=write == "csv with its index")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "as 3 series, one down each of the columns 'sales', 'cost', 'units', at steps 0, 1" in err
    out = pd.read_csv(target)
    assert out[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [
        ["sales", 5, 5, 60], ["cost", 5, 5, 32], ["units", 5, 5, 5]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # adversarial round 19: positions are no quantities, and a column of names or times is no quantity
        ("first,second,third,fourth\n1,2,3,4\n10,20,30,40\n", [["row", 0, 5], ["row", 1, 50]]),
        ("start,middle,end\n3,6,9\n", [["row", 0, 12]]),
        (",first,second,third\na,1,2,3\nb,2,4,6\n", [["unique_id", "a", 4], ["unique_id", "b", 8]]),
        ("created_at,temperature,humidity\n2024-01-01 00:00,20,50\n2024-01-01 01:00,21,52\n"
         "2024-01-01 02:00,22,54\n2024-01-01 03:00,23,56\n", [["unique_id", "temperature", 24], ["unique_id", "humidity", 58]]),
        # adversarial round 20: times named so (hour, created_at) but holding numbers made each row a series
        ("hour,temperature,humidity,pressure\n0,20,50,1010\n1,21,51,1011\n2,22,52,1012\n",
         [["unique_id", "temperature", 23], ["unique_id", "humidity", 53], ["unique_id", "pressure", 1013]]),
        ("created_at,temperature,humidity,pressure\n1700000000,20,50,1010\n1700003600,21,51,1011\n1700007200,22,52,1012\n",
         [["unique_id", "temperature", 23], ["unique_id", "humidity", 53], ["unique_id", "pressure", 1013]]),
        # one list of time words for both readings: index (df.reset_index()), idx, when, updated_on, createdAt
        # beside quantities made each row a series ([0, 20, 50, 1010] -> 1022), exit 0
        *[
            (f"{label},temperature,humidity,pressure\n0,20,50,1010\n1,21,51,1011\n2,22,52,1012\n",
             [["unique_id", "temperature", 23], ["unique_id", "humidity", 53], ["unique_id", "pressure", 1013]])
            for label in ("index", "idx", "when", "updated_on", "createdAt", "Timestamp (UTC)")
        ],
        # runtime, uptime are quantities (any word holding "time" was a time): rows were read
        ("uptime,runtime,downtime\n1,2,3\n2,4,6\n3,6,9\n",
         [["unique_id", "uptime", 4], ["unique_id", "runtime", 8], ["unique_id", "downtime", 12]]),
        # a name with a digit that numbers no positions (pm2_5, pm10 beside t1, t2, t3) is a quantity's: rows were read
        ("pm2_5,pm10,temperature\n10,20,5\n11,22,6\n12,24,7\n",
         [["unique_id", "pm2_5", 13], ["unique_id", "pm10", 26], ["unique_id", "temperature", 8]]),
        ("t1,t2,t3,pm10\n1,2,3,4\n2,4,6,8\n", [["row", 0, 5], ["row", 1, 10]]),
        # adversarial round 24: o3 (one letter) and pm1 beside pm10 (one stem) numbered positions: rows were read
        ("co2,no2,o3\n400,20,30\n401,22,31\n402,24,32\n",
         [["unique_id", "co2", 403], ["unique_id", "no2", 26], ["unique_id", "o3", 33]]),
        ("pm1,pm2_5,pm10\n4,10,20\n5,11,22\n6,12,24\n",
         [["unique_id", "pm1", 7], ["unique_id", "pm2_5", 13], ["unique_id", "pm10", 26]]),
        ("h0,h6,h12,h18\n1,2,3,4\n2,4,6,8\n", [["row", 0, 5], ["row", 1, 10]]),  # evenly spaced: positions
        ("t1,t2,t3,t5\n1,2,3,4\n2,4,6,8\n", [["row", 0, 5], ["row", 1, 10]]),  # one position missing
        # adversarial round 26: positions far apart were read as quantities (the first fix for pm1 beside pm10)
        ("t1,t2,t3,t5,t8,t13\n1,2,3,4,5,6\n2,4,6,8,10,12\n", [["row", 0, 7], ["row", 1, 14]]),
        ("t1,t2,t10\n1,2,3\n2,4,6\n", [["row", 0, 4], ["row", 1, 8]]),
        # an index beside columns of a series' positions is each row's label, not a value of its series
        ("index,1,2,3,4\n0,2,4,6,8\n1,3,6,9,12\n", [["unique_id", 0, 10], ["unique_id", 1, 15]]),
    ],
)
def test_positions_names_and_times_are_no_quantities(capsys, tmp_path, model, text, expected):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0, err
    out = pd.read_csv(target)
    assert [[expected[0][0], *row] for row in out[[expected[0][0], "prediction"]].values.tolist()] == expected


def test_a_column_of_names_beside_quantities_makes_no_series_of_them(capsys, tmp_path, model):
    """Adversarial round 19: city,temperature,humidity,pressure read each quantity down every city's rows
    (temperature 24, exact, exit 0). Round 40: city names the series, as sensor_id would, so the rows are
    observations of several quantities, refused as such (they were rows of 4 values, each failing on its city)."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("city,temperature,humidity,pressure\nx,20,50,1000\nx,21,52,1001\ny,22,54,1002\ny,23,56,1003\n")
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and "has ids ('city') beside columns named as quantities are" in err and not target.exists()


@pytest.mark.parametrize(
    "header",
    [  # adversarial round 22: refused as ids beside quantities (base read them one series a row)
        "unique_id,enero,febrero,marzo,abril", "patient_id,baseline,midpoint,followup", "id,Montag,Dienstag,Mittwoch",
        "unique_id,spring,summer,autumn,winter", "unique_id,pre,mid,post",
    ],
)
def test_a_wide_file_of_ids_and_any_labels_is_one_series_a_row(capsys, tmp_path, model, header):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    width = header.count(",")
    source.write_text(f"{header}\na,{','.join(str(k) for k in range(1, width + 1))}\n"
                      f"b,{','.join(str(2 * k) for k in range(1, width + 1))}\n")  # fmt: skip
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0, err
    assert pd.read_csv(target)[["unique_id", "prediction"]].values.tolist() == [["a", width + 1], ["b", 2 * width + 2]]


def test_ids_beside_quantities_are_refused(capsys, tmp_path, model):
    """sensor_id,temperature,humidity,pressure predicted each row as a series of a temperature, a humidity and a
    pressure (1099.1, exit 0). (With a date column too, long format's error names its value columns.)"""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = "".join(f"{sensor},{20 + day},{50 + day},{1010 + day}\n" for sensor in "ab" for day in (1, 2, 3))
    source.write_text(f"sensor_id,temperature,humidity,pressure\n{rows}")
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and out == "" and not target.exists()
    assert err.strip().splitlines()[-1].endswith(
        "has ids ('sensor_id') beside columns named as quantities are ('temperature', 'humidity', 'pressure'): its "
        "rows are observations, no series; give long format, unique_id, ds, y, with one value column (pandas: "
        "df.melt), or each quantity its own file"
    )


def test_lines_describing_a_file_above_its_header_line_are_named(capsys, tmp_path, model):
    """A World Bank download starts with 4 lines about the data ("Data Source",...) above its header line:
    pandas' 'Expected 3 fields in line 5, saw 15' did not say what to remove."""
    source, target = tmp_path / "API_SP.POP.TOTL.csv", tmp_path / "out.csv"
    source.write_text(
        '"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-06-28",\n\n'
        '"Country Name","Country Code","Indicator Name","Indicator Code","1960","1961","1962","1963",\n'
        '"Aruba","ABW","Population, total","SP.POP.TOTL","54608","55811","56682","57475",\n'
    )
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and out == "" and err.strip().splitlines()[-1].endswith(
        "its line 5 looks like its header line (Country Name,Country Code,...,1963), and the 4 lines above it "
        "describe the file, as a World Bank download's do; remove them"
    )
    ragged = tmp_path / "ragged.csv"  # adversarial rounds 19, 20: a row with cells too many is no header line
    for text, expected in (("unique_id,ds,y\nA,1,1\nA,2,2\nA,3,3\nB,1,1,\n", "Expected 3 fields in line 5, saw 4"),
                           ("name,value\nfoo,1\nbar,2,extra,more\n", "Expected 2 fields in line 3, saw 4")):  # fmt: skip
        ragged.write_text(text)
        code, _, err = predict(capsys, "--weights", model, "--input", str(ragged), "--output", str(target))
        assert code == 2 and expected in err and "World Bank" not in err
    source.write_text("\n".join(source.read_text().splitlines()[4:]) + "\n")  # as told
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0, err
    assert pd.read_csv(target)["unique_id"].tolist() == ["Aruba/ABW/Population, total/SP.POP.TOTL"]


def test_a_row_without_its_id_in_a_column_named_as_ids_names_that_column(capsys, tmp_path, model):
    """Adversarial round 17: an empty store in store,date,sales was 'row 1 has no unique_id', a column the file lacks."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("store,date,sales\n1,2024-01-01,10\n,2024-01-02,11\n1,2024-01-03,12\n")
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 2 and out == "" and err.strip().splitlines()[-1] == (
        "numseries predict: error: row 1 has no 'store' (line 3 of the file, counting the header); "
        "give every row the id of its series"
    )
    assert not target.exists()


def test_a_file_read_again_sorted_says_how_it_is_read_once(capsys, tmp_path, model):
    """Adversarial round 15: an unsorted time index printed its 'read ... as one series' note on both passes."""
    source, target = tmp_path / "unsorted.parquet", tmp_path / "out.csv"
    pd.DataFrame({"a": [3.0, 1, 2, 5, 4]}, index=pd.date_range("2024-01-01", periods=5)[[2, 0, 1, 4, 3]]).to_parquet(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and err.count("as one series, 'a'") == 1
    # adversarial round 19: a row id's note was printed on both passes
    text = "id,date,store,sales\n" + "".join(f"{3 * d + s},2024-01-0{d + 1},{s},{d + s}\n" for d in range(3) for s in range(3))
    source = tmp_path / "rows.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "sorted them on disk" in err and err.count("left column 'id'") == 1, err


def test_a_comma_ending_every_data_line_but_not_the_header_makes_no_column(capsys, tmp_path, model):
    """Adversarial round 15: refused, with a guess of a decimal comma that was not there."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("date,sales,cost\n2024-01-01,1,5,\n2024-01-02,2,6,\n2024-01-03,3,7,\n2024-01-04,4,8,\n")
    code, _, _ = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0
    assert pd.read_csv(target)[["unique_id", "prediction"]].values.tolist() == [["sales", 5], ["cost", 9]]


def test_a_parquet_files_time_zone_is_kept_across_a_clock_change(capsys, tmp_path, model, predictor):
    """Adversarial round 18: the next times of a Europe/Berlin column kept the last row's +01:00, so across
    the spring change the forecast said 2024-04-01 00:00+01:00 (01:00 there), and the zone was lost."""
    frame = pd.DataFrame({"unique_id": ["a"] * 4, "y": [1.0, 2, 4, 8.5],
                          "ds": pd.date_range("2024-03-26", periods=4, freq="D", tz="Europe/Berlin")})  # fmt: skip
    source = tmp_path / "in.parquet"
    frame.to_parquet(source)
    for target in (tmp_path / "out.parquet", tmp_path / "out.csv"):
        code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "4")
        assert code == 0, err
    times = pd.read_parquet(tmp_path / "out.parquet")["ds"]
    assert str(times.dtype) == "datetime64[ns, Europe/Berlin]"
    assert times.tolist() == predictor.predict_df(frame, steps=4)["ds"].tolist()
    assert [str(t) for t in times] == [f"2024-03-{d} 00:00:00+01:00" for d in (30, 31)] + [
        "2024-04-01 00:00:00+02:00", "2024-04-02 00:00:00+02:00"
    ]  # fmt: skip
    assert pd.read_csv(tmp_path / "out.csv")["ds"].tolist() == [str(t) for t in times]
    # adversarial round 19: the zone of a stored index, not the times, was put on naive ds
    naive = frame.assign(ds=frame["ds"].dt.tz_localize(None)).set_index(pd.date_range("2024-05-01", periods=4, tz="Asia/Tokyo"))
    naive.to_parquet(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(tmp_path / "out.parquet"))
    assert code == 0 and str(pd.read_parquet(tmp_path / "out.parquet")["ds"].dtype) == "datetime64[ns]", err


def test_float_ids_are_the_same_text_in_every_chunk(capsys, tmp_path, model, monkeypatch):
    """Adversarial round 19: a chunk holding 2.5 wrote the store 2.0 as '2.0', one without it as '2': one
    series split in two."""
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 4)
    source, target = tmp_path / "in.parquet", tmp_path / "out.csv"
    pd.DataFrame({"store": [2.0, 2.5, 2.0, 2.5, 2.0, 2.5], "date": pd.date_range("2024-01-01", periods=3).repeat(2),
                  "sales": [1.0, 10, 2, 20, 3, 30]}).to_parquet(source)  # fmt: skip
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0, err
    out = pd.read_csv(target, dtype={"unique_id": str})
    assert out[["unique_id", "n_values"]].values.tolist() == [["2", 3], ["2.5", 3]]


@pytest.mark.parametrize("columns", [["sales"], ["sales", "cost"], ["temperature", "humidity", "pressure"]])
def test_a_frame_indexed_by_dates_written_by_to_csv_is_a_series_down_each_column(capsys, tmp_path, model, columns):
    """Adversarial round 20: a one-column frame with a date index became one-value series, one a date, all
    failed, exit 0 (a regression); with more columns the dates were ids and each row a series (older)."""
    frame = pd.DataFrame({name: np.arange(1.0, 7.0) * (k + 1) for k, name in enumerate(columns)},
                         index=pd.date_range("2024-01-01", periods=6))  # fmt: skip
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target))
    assert code == 0 and "as the rows' times (ds)" in err, err
    out = pd.read_csv(target)
    expected = [[name, "2024-01-07", 7.0 * (k + 1)] for k, name in enumerate(columns)]
    assert out[["unique_id", "ds", "prediction"]].values.tolist() == expected


def test_freq_on_a_single_sequence_is_refused(capsys, model):
    code, out, err = predict(capsys, "--weights", model, "1", "2", "3", "--freq", "D")
    assert code == 2 and not out and "--freq steps the times of --input FILE's series" in err


@pytest.mark.parametrize(("start", "freq", "written"), [("2023-10", "M", ["2024-02-01", "2024-03-01"]),
                                                        ("2020Q1", "Q", ["2021-01-01", "2021-04-01"])])  # fmt: skip
def test_a_parquet_ds_of_pandas_periods_is_read_as_their_start_times(capsys, tmp_path, model, start, freq, written):
    """Adversarial round 42: a long Parquet file's ds of periods was read as their ordinals (649 for 2024-02,
    204 for 2021Q1), written back as integer steps with exit 0."""
    source, target = tmp_path / "in.parquet", tmp_path / "out.csv"
    periods = pd.period_range(start, periods=4, freq=freq)
    for names in (("ds", "y"), ("date", "sales")):  # round 43: a column named otherwise was still read as ordinals
        pd.DataFrame({"unique_id": "a", names[0]: periods, names[1]: [1.0, 2, 3, 4]}).to_parquet(source)
        code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")
        assert code == 0, err
        assert pd.read_csv(target, dtype=str)[["ds", "prediction"]].values.tolist() == [[written[0], "5"], [written[1], "6"]]


@pytest.mark.parametrize("steps", [1, 3])
def test_output_dash_writes_the_csv_to_stdout(capsys, monkeypatch, tmp_path, model, steps):
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 13)  # many chunks, and a shuffled file sorted on disk
    monkeypatch.setattr(batch_io, "BUCKET_ROWS", 40)
    frame = long_frame([3, 30, 4, 9, 12])
    source = tmp_path / "in.csv"
    frame.sample(frac=1.0, random_state=0).to_csv(source, index=False)
    argv = ["--weights", model, "--input", str(source), "--steps", str(steps), "--no-progress"]
    assert predict(capsys, *argv, "--output", str(tmp_path / "file.csv"))[0] == 0
    code, out, err = predict(capsys, *argv, "--output", "-")
    assert code == 0 and out == (tmp_path / "file.csv").read_text()
    assert "sorted them on disk" in err and err.rstrip().endswith("to stdout")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.csv", "in.csv"]  # no file named -


def test_output_dash_writes_each_error_when_none_could_be_predicted(capsys, tmp_path, model):
    source = tmp_path / "bad.csv"
    source.write_text("unique_id,ds,y\na,1,1\na,2,x\na,3,3\n")
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", "-")
    assert code == 2 and "which is not a number" in out.splitlines()[1]
    assert "the error column of stdout says why" in err
    code, out, err = predict(capsys, "--weights", model, "--input", str(source), "--output", "-", "--strict")
    assert code == 2 and out == "" and err.count("\n") == 1
