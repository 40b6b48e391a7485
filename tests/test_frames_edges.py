"""Batch files and ``predict_df`` at the edges: integers float64 cannot hold, times past what int64 and
datetime64[ns] hold, headers with spaces or another separator, and messages naming the row or the mix."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from conftest import predict_cli as predict  # noqa: E402
from numseries import batch_io, frames  # noqa: E402  (needs the io extra, checked above)
from numseries.predict import load_predictor  # noqa: E402

BIG = 2**62  # beyond 2**53: 2**62 + 1 is read by float64 as 2**62
ROUNDED = "holds 4611686018427387905, an integer float64 cannot hold exactly"


def write(frame, path):
    frame.to_csv(path, index=False) if path.suffix == ".csv" else frame.to_parquet(path)


def predict_text(capsys, model, tmp_path, text, *options):
    """``predict_file`` on a CSV file holding ``text``."""
    source = tmp_path / "in.csv"
    source.write_text(text)
    return predict_file(capsys, model, tmp_path, source, *options)


def predict_file(capsys, model, tmp_path, source, *options):
    """``numseries predict --input source`` -> (exit code, stderr, the output frame)."""
    target = tmp_path / "out.csv"
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), *options)
    return code, err, (pd.read_csv(target, dtype={"unique_id": str}) if target.exists() else None)


def progression_and_good(first: int) -> pd.DataFrame:
    """Series 'a': first, first + 1, ... (4 int64 values), and a plain series 'good'."""
    y = np.array([first + k for k in range(4)] + [1, 2, 3, 4], dtype=np.int64)
    return pd.DataFrame({"unique_id": ["a"] * 4 + ["good"] * 4, "ds": [1, 2, 3, 4] * 2, "y": y})


# -------------------------------------------------------------------------- integers beyond 2**53


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_long_file_refuses_integers_float64_rounds_for_that_series_only(capsys, tmp_path, model, suffix):
    source = tmp_path / f"in{suffix}"
    write(progression_and_good(BIG), source)
    code, err, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0 and "1 of 2 series could not be predicted" in err
    a, good = out.set_index("unique_id").loc["a"], out.set_index("unique_id").loc["good"]
    assert f"series 'a' at ds=2 {ROUNDED} (it would be read as 4611686018427387904)" in a["error"]
    assert np.isnan(a["prediction"]) and pd.isna(a["exact"])  # never "constant 4.6e18, exact"
    assert pd.isna(good["error"]) and np.isfinite(good["prediction"])


def test_a_csv_integer_beyond_int64_is_refused_too(capsys, tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_text("unique_id,ds,y\n" + "".join(f"a,{t},{2**70 + t}\n" for t in range(1, 5)))
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 2 and f"holds {2**70 + 1}, an integer float64 cannot hold exactly" in out["error"][0]


def test_a_wide_file_refuses_integers_float64_rounds(capsys, tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_text(f"unique_id,t0,t1,t2\na,{BIG},{BIG + 1},{BIG + 2}\ngood,1,2,3\n")
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0
    assert out["error"][0].startswith(f"column 't1' of series 'a' {ROUNDED}") and pd.isna(out["error"][1])


def test_integers_float64_holds_exactly_are_predicted(capsys, tmp_path, model):
    source = tmp_path / "in.csv"
    write(pd.DataFrame({"unique_id": ["a"] * 3, "ds": [1, 2, 3], "y": [BIG, 2 * BIG, 3 * BIG]}), source)
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0 and pd.isna(out["error"][0]) and np.isfinite(out["prediction"][0])


@pytest.mark.parametrize("dtype", ["int64", "Int64", "uint64", object, str])
def test_predict_df_refuses_integers_float64_rounds(predictor, dtype):
    frame = progression_and_good(BIG).astype({"y": dtype})
    out = predictor.predict_df(frame).set_index("unique_id")
    assert ROUNDED in out.loc["a", "error"] and np.isnan(out.loc["a", "numseries"])
    assert pd.isna(out.loc["good", "error"])
    with pytest.raises(ValueError, match=ROUNDED):
        predictor.predict_df(frame, strict=True)


def test_predict_df_refuses_integers_float64_rounds_typed_as_decimals_too(predictor):
    """'4611686018427387905.0' is the integer 2**62 + 1 as text with a fraction: read as 2**62, and claimed exact."""
    frame = progression_and_good(BIG)
    frame["y"] = [f"{y}.0" if key == "a" else str(y) for key, y in zip(frame["unique_id"], frame["y"], strict=True)]
    out = predictor.predict_df(frame).set_index("unique_id")
    assert ROUNDED in out.loc["a", "error"] and pd.isna(out.loc["good", "error"])


# ------------------------------------------------------------------------- numbers below float64

BELOW = "which is smaller than float64 holds (about 5e-324) and would be read as 0"


@pytest.mark.parametrize("tiny", ["1e-400", "-2.5E-999", "0.3e-330"])
def test_a_long_file_refuses_numbers_below_float64_for_that_series_only(capsys, tmp_path, model, tiny):
    """Read as 0, they were predicted as 0 with exit 0: 1e-400 2e-400 3e-400 is no constant 0."""
    text = f"unique_id,ds,y\na,1,{tiny}\na,2,2e-400\na,3,3\ngood,1,1e-300\ngood,2,2e-300\ngood,3,3e-300\n"
    code, err, out = predict_text(capsys, model, tmp_path, text)
    out = out.set_index("unique_id")
    assert code == 0 and "1 of 2 series could not be predicted" in err
    assert out.loc["a", "error"].startswith(f"series 'a' at ds=1 is {tiny}, {BELOW}")
    assert np.isnan(out.loc["a", "prediction"]) and pd.isna(out.loc["good", "error"])


def test_a_wide_file_refuses_numbers_below_float64(capsys, tmp_path, model):
    code, _, out = predict_text(capsys, model, tmp_path, "1,2,3,1e-400\n1,2,3,4\n")
    assert code == 0 and out["error"][0].startswith(f"value 4 of series 0 is 1e-400, {BELOW}")
    assert pd.isna(out["error"][1])


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "arrow"])
def test_predict_df_refuses_numbers_below_float64_given_as_text(predictor, dtype):
    # adversarial round 13: a pyarrow string column crashed ("assignment destination is read-only")
    pa = pytest.importorskip("pyarrow")
    y = pd.Series(["1", "2", "1e-400", "1", "2", "0"], dtype=pd.ArrowDtype(pa.string()) if dtype == "arrow" else dtype)
    frame = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": [1, 2, 3] * 2, "y": y})
    out = predictor.predict_df(frame).set_index("unique_id")
    assert out.loc["a", "error"].startswith(f"series 'a' at ds=3 is 1e-400, {BELOW}")
    assert pd.isna(out.loc["b", "error"])  # a true 0 is a number like any other


@pytest.mark.skipif(np.finfo(np.longdouble).bits <= 64, reason="long double is float64 on this platform")
def test_predict_df_refuses_long_doubles_float64_misreads(predictor):
    y = np.array([np.longdouble("1e-400"), 1, 2, 2**53 + 1, 2**53 + 3, 2**53 + 5, 1.5, 2.5, 3.5], dtype=np.longdouble)
    out = predictor.predict_df(pd.DataFrame({"unique_id": np.repeat(["a", "b", "c"], 3), "ds": [0, 1, 2] * 3, "y": y}))
    assert out["error"][0].startswith(f"series 'a' at ds=0 holds 1e-400, {BELOW}")
    assert out["error"][1].startswith("series 'b' at ds=0 holds 9007199254740993, an integer float64 cannot")
    assert out["error"][2] is None and out["numseries"][2] == 4.5


def test_numbers_read_as_text_are_the_floats_they_write(tmp_path):
    """A file with 16 digits in a row is read as text (to refuse integers float64 rounds); pandas' text parser
    then read a third of the 17-digit floats pandas writes an ulp off: a file no longer held its frame."""
    values = np.random.default_rng(1).normal(size=(50, 8)) * 10.0 ** np.arange(-3, 5)  # (50, 8)
    frame = pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(50)], 8), "ds": np.tile(range(8), 50),
                          "y": values.ravel()})  # fmt: skip
    frame.to_csv(tmp_path / "long.csv", index=False)
    pd.DataFrame(values).to_csv(tmp_path / "wide.csv", index=False)
    for name in ("long.csv", "wide.csv"):
        read = np.vstack([chunk.values for chunk in batch_io.read_chunks(tmp_path / name, 8)])
        assert np.array_equal(read, values), name
    texts = frames.numeric(pd.Series([repr(float(v)) for v in values.ravel()] + ["x"]), "y")
    assert np.array_equal(texts[0][:-1], values.ravel()) and texts[1].tolist() == [False] * 400 + [True]


# ------------------------------------------------------------------------- times past the limits


def test_next_times_past_datetime64_ns_are_unknown_not_wrapped():
    ds = np.array([["2262-04-01", "2262-04-05", "2262-04-09"], ["2262-03-28", "2262-04-01", "2262-04-05"]])
    times, known = frames.next_timestamps(ds.astype("datetime64[ns]"), np.array([3, 3]), steps=3)
    assert known.tolist() == [[False] * 3, [True, False, False]]  # 2262-04-09 fits; 2262-04-13 does not
    assert times[1, 0] == np.datetime64("2262-04-09") and np.isnat(times[0]).all() and np.isnat(times[1, 1:]).all()


def test_next_months_past_datetime64_ns_are_unknown_not_wrapped():
    ds = np.array([["2261-12-31", "2262-01-31", "2262-02-28", "2262-03-31"]], dtype="datetime64[ns]")
    times, known = frames.next_timestamps(ds, np.array([4]), steps=2)
    assert known.tolist() == [[False, False]] and np.isnat(times).all()  # not 1677-...


@pytest.mark.parametrize(
    ("last", "spacing", "expected"),
    [
        (2**63 - 3, 1, [True, True, False]),  # 2**63 - 2, 2**63 - 1, then past int64
        (2**63 - 5, 10, [False, False, False]),
        (-(2**63) + 5, -2, [True, True, False]),
        (2**62, 2**62 - 1, [True, False, False]),  # 2**63 - 1 fits; twice the spacing, and 3 times, do not
    ],
)
def test_next_integer_times_past_int64_are_unknown_not_wrapped(last, spacing, expected):
    ds = np.array([[last - spacing, last]], dtype=np.int64)
    times, known = frames.next_timestamps(ds, np.array([2]), steps=3)
    assert known[0].tolist() == expected
    assert [int(t) for t, k in zip(times[0], known[0], strict=True) if k] == [
        last + spacing * k for k in range(1, 4) if expected[k - 1]
    ]


def test_a_spacing_past_int64_is_unknown():
    ds = np.array([[-(2**63) + 1, 2**63 - 1]], dtype=np.int64)
    _, known = frames.next_timestamps(ds, np.array([2]), steps=1)
    assert not known.any()


@pytest.mark.parametrize(
    "ds", [["2262-04-01", "2262-04-05", "2262-04-09"], [2**63 - 30, 2**63 - 20, 2**63 - 10]], ids=["dates", "ints"]
)
def test_a_file_past_the_time_limits_gets_empty_times(capsys, tmp_path, model, ds):
    source = tmp_path / "in.csv"
    write(pd.DataFrame({"unique_id": ["a"] * 3, "ds": ds, "y": [1.0, 2.0, 3.0]}), source)
    code, _, out = predict_file(capsys, model, tmp_path, source, "--steps", "3")
    assert code == 0 and out["ds"].isna().all() and out["error"].isna().all()
    assert np.isfinite(out["prediction"]).all()


def test_predict_df_past_datetime64_ns_gives_no_time_and_says_so(predictor):
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": pd.to_datetime(["2262-04-01", "2262-04-05", "2262-04-09"])})
    with pytest.warns(UserWarning, match=r"1 series' next times pass what datetime64\[ns\] or int64 holds .* 'a'"):
        out = predictor.predict_df(frame.assign(y=[1.0, 2.0, 3.0]), steps=2)  # adversarial round 7: silently
    assert out["ds"].isna().all()  # not 1677-09-22


# ------------------------------------------------------------------------------------------ UTC offsets

ACROSS_DST = [  # local midnights in Central Europe, on either side of the change to summer time (2024-03-31)
    "2024-03-30T00:00:00+01:00",
    "2024-03-31T00:00:00+01:00",
    "2024-04-01T00:00:00+02:00",
    "2024-04-02T00:00:00+02:00",
]


def offsets_frame(shuffle: bool = False) -> pd.DataFrame:
    """Series 'a' across the change to summer time; 'b' at -05:00 throughout."""
    other = [f"2024-01-0{day}T09:30:00-05:00" for day in range(1, 5)]
    frame = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": ACROSS_DST + other, "y": [1, 2, 3, 4] * 2})
    return frame.sample(frac=1, random_state=0) if shuffle else frame


@pytest.mark.filterwarnings("error")  # pandas warned of mixed offsets, and of datetime64's lack of time zones
@pytest.mark.parametrize("shuffle", [False, True], ids=["sorted", "sorted on disk"])
def test_a_file_of_times_with_utc_offsets_writes_the_next_times_with_their_offset(capsys, tmp_path, model, shuffle):
    """Adversarial round 4, defect 9: times across a daylight-saving change were continued in UTC and written
    without an offset (2024-04-02 22:00:00, read as local time the evening before)."""
    source = tmp_path / "in.csv"
    offsets_frame(shuffle).to_csv(source, index=False)
    code, err, out = predict_file(capsys, model, tmp_path, source, "--steps", "2")
    assert code == 0 and "Warning" not in err
    out = out.sort_values(["unique_id", "step"])
    assert out["ds"].tolist() == [
        "2024-04-03 00:00:00+02:00",  # the next local midnight, at the offset of the series' last time
        "2024-04-04 00:00:00+02:00",
        "2024-01-05 09:30:00-05:00",
        "2024-01-06 09:30:00-05:00",
    ]
    target = tmp_path / "out.parquet"
    assert predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")[0] == 0
    stamps = pd.read_parquet(target).sort_values(["unique_id", "step"])["ds"]  # the same instants, offset-aware
    assert stamps.dt.tz is not None
    assert stamps.tolist() == [pd.Timestamp(text) for text in out["ds"]]


@pytest.mark.filterwarnings("error")
def test_predict_df_gives_times_with_utc_offsets_an_offset(predictor):
    out = predictor.predict_df(offsets_frame().head(4), steps=2)  # one offset at the end: that one
    assert str(out["ds"].dt.tz) == "UTC+02:00"
    assert out["ds"].tolist() == [pd.Timestamp("2024-04-03T00:00+02:00"), pd.Timestamp("2024-04-04T00:00+02:00")]
    out = predictor.predict_df(offsets_frame(), steps=1)  # series that end at different offsets: UTC
    assert str(out["ds"].dt.tz) == "UTC"
    assert out["ds"].tolist() == [pd.Timestamp("2024-04-03T00:00+02:00"), pd.Timestamp("2024-01-05T09:30-05:00")]


def test_times_without_an_offset_stay_without_one(predictor):
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": ["2024-01-01 06:00", "2024-01-01 12:00", "2024-01-01 18:00"]})
    out = predictor.predict_df(frame.assign(y=[1.0, 2.0, 3.0]))
    assert out["ds"].dt.tz is None and out["ds"].tolist() == [pd.Timestamp("2024-01-02")]


def test_a_wall_clock_hour_a_clock_change_repeats_is_read_by_instant(predictor):
    """Closing note 36: 02:00+02:00 then 02:00+01:00 were "two values at ds=2024-10-27 02:00:00" (times were
    ordered and compared by their wall clock): they are an hour apart, in any row order."""
    ds = [f"2024-10-27T0{hour}:00:00{offset}" for hour, offset in [(1, "+02:00"), (2, "+02:00"), (2, "+01:00"), (3, "+01:00")]]
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2.0, 3.0, 4.0]})
    for rows in (frame, frame.iloc[[2, 0, 3, 1]]):
        out = predictor.predict_df(rows)
        assert out["error"].isna().all() and out["numseries"][0] == 5
        assert out["ds"].tolist() == [pd.Timestamp("2024-10-27T04:00+01:00")]
    one_instant = [f"2024-10-27T0{hour}:00:00{offset}" for hour, offset in [(1, "+02:00"), (2, "+02:00"), (1, "+01:00")]]
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": one_instant, "y": [1.0, 2.0, 3.0]}))
    assert out["error"][0] == (
        "series 'a' has two values at ds=2024-10-27 01:00:00+01:00, the instant 2024-10-27 02:00:00+02:00 is; "
        "keep one value per instant"
    )


def test_times_without_an_offset_among_series_with_offsets_keep_their_own(capsys, tmp_path, model, predictor):
    """Adversarial round 32a: pandas gives a time written without an offset the offset of the time before it,
    so series c (0..4, no offsets), interleaved with series at -05:00 and +02:00, was ordered by those
    instants as 2 3 4 0 1 and predicted 1.995 (exit 0); as a frame, an Unsorted traceback. A series mixing
    both is its own error, and a midnight in a message is a time, not a date with an offset."""
    rows = [("b", "2023-06-01T00:00:00-05:00", 5), ("c", "2023-06-01 00:00", 0), ("c", "2023-06-01 01:00", 1),
            ("a", "2023-06-01T00:00:00+02:00", 1), ("c", "2023-06-01 02:00", 2), ("c", "2023-06-01 03:00", 3),
            ("c", "2023-06-01 04:00", 4), ("a", "2023-06-01T01:00:00+02:00", 2), ("a", "2023-06-01T02:00:00+02:00", 3),
            ("b", "2023-06-01T01:00:00-05:00", 6), ("b", "2023-06-01T02:00:00-05:00", 7),
            ("g", "2023-10-29T00:00:00+02:00", 1), ("g", "2023-10-29 01:00", 2), ("g", "2023-10-29T02:00:00+02:00", 3),
            ("g", "2023-10-29T02:00:00+01:00", 4),
            ("e", "2023-06-01T00:00:00+01:00", 1), ("e", "2023-06-01T01:00:00+02:00", 2), ("e", "2023-06-01T03:00:00+02:00", 3)]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
    code, _, out = predict_text(capsys, model, tmp_path, frame.to_csv(index=False))
    out = out.set_index("unique_id")
    assert code == 0 and out.loc["c", "prediction"] == 5 and out.loc["c", "ds"] == "2023-06-01 05:00:00"
    assert out.loc["a", "ds"] == "2023-06-01 03:00:00+02:00" and out.loc["b", "ds"] == "2023-06-01 03:00:00-05:00"
    assert out.loc["g", "error"].startswith("series 'g' has times with a UTC offset and times without one")
    assert out.loc["e", "error"].startswith(
        "series 'e' has two values at ds=2023-06-01 01:00:00+02:00, the instant 2023-06-01 00:00:00+01:00 is"
    )
    answer = predictor.predict_df(frame).set_index("unique_id")
    assert answer.loc["c", "numseries"] == 5 and answer.loc["g", "error"] == out.loc["g", "error"]


def test_an_arrow_column_in_a_time_zone_gives_its_times_in_that_zone(predictor):
    """Adversarial round 32a: its zone was lost, and a daily Berlin series across the autumn change went on at
    +02:00, 23:00 Berlin the day before."""
    days = pd.date_range("2024-10-24", periods=4, freq="D", tz="Europe/Berlin")
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.array(days, dtype="timestamp[ns, tz=Europe/Berlin][pyarrow]")})
    out = predictor.predict_df(frame.assign(y=[1.0, 2, 3, 4]), steps=2)
    assert out["ds"].tolist() == list(pd.date_range("2024-10-28", periods=2, freq="D", tz="Europe/Berlin"))


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_time_zones_column_across_the_autumn_clock_change_goes_on_in_real_time(capsys, tmp_path, model, predictor, shuffled):
    """Closing note 36: a tz-aware quarter-hourly series through the repeated hour was refused ("two values at
    ds=2024-10-27 02:00:00"); a file of its rows in any order, sorted on disk, too."""
    ds = pd.date_range("2024-10-27 01:00", periods=10, freq="15min", tz="Europe/Berlin")  # to 02:15+01:00
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(10.0)})
    frame = frame.sample(frac=1, random_state=0) if shuffled else frame
    expected = ["2024-10-27 02:30:00+01:00", "2024-10-27 02:45:00+01:00"]
    out = predictor.predict_df(frame, steps=2)
    assert out["error"].isna().all() and out["numseries"].tolist() == [10, 11]
    assert out["ds"].tolist() == [pd.Timestamp(time, tz="Europe/Berlin") for time in expected]
    code, _, written = predict_text(capsys, model, tmp_path, frame.to_csv(index=False), "--steps", "2")
    assert code == 0 and written["ds"].tolist() == expected and written["prediction"].tolist() == [10, 11]
    days = pd.date_range("2024-10-20", periods=10, freq="D", tz="Europe/Berlin")  # daily: local midnights go on
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": days, "y": np.arange(10) + 0.5}), steps=3)
    assert out["ds"].tolist() == list(pd.date_range("2024-10-30", periods=3, freq="D", tz="Europe/Berlin"))


@pytest.mark.parametrize(
    ("start", "freq", "expected"),
    [  # adversarial round 12: sub-daily steps were taken on the wall clock, then put back in the zone
        ("2024-03-30 23:00", "h", ["04:00+02:00", "05:00+02:00", "06:00+02:00"]),  # 01:00+01:00, 03:00+02:00: 1 h apart
        ("2024-03-31 01:00", "15min", ["03:00+02:00", "03:15+02:00", "03:30+02:00"]),  # not 03:00 three times
        ("2024-10-26 22:00", "h", ["02:00+02:00", "02:00+01:00", "03:00+01:00"]),  # the repeated hour, both times
    ],
)
def test_sub_daily_times_in_a_time_zone_go_on_in_real_time_across_a_clock_change(predictor, start, freq, expected):
    ds = pd.date_range(start, periods=4, freq=freq, tz="Europe/Berlin")
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2.1, 2.9, 4.2]}), steps=3)
    assert [stamp.isoformat(timespec="minutes")[11:] for stamp in out["ds"]] == expected
    assert str(out["ds"].dt.tz) == "Europe/Berlin"


@pytest.mark.parametrize(
    ("days", "expected"),
    [  # adversarial round 21: 2024-05-30 03:00, 06-29 04:00, 07-29 05:00 (the last wall-clock spacing, 30 d 1 h)
        (["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"], ["2024-05-31", "2024-06-30", "2024-07-31"]),
        (["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"], ["2024-05-01", "2024-06-01", "2024-07-01"]),
    ],
)
def test_months_at_midnight_utc_read_in_a_time_zone_go_on_by_months(predictor, days, expected):
    ds = pd.to_datetime(days).tz_localize("UTC").tz_convert("Europe/Berlin")  # 01:00+01:00, ..., 02:00+02:00
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds, "y": [2.0, 4.1, 7.9, 16.2]}), steps=3)
    assert out["ds"].tolist() == list(pd.to_datetime(expected).tz_localize("UTC").tz_convert("Europe/Berlin"))
    local = pd.to_datetime(days).tz_localize("Europe/Berlin")  # local midnights stay local midnights
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": local, "y": [2.0, 4.1, 7.9, 16.2]}), steps=3)
    assert out["ds"].tolist() == list(pd.to_datetime(expected).tz_localize("Europe/Berlin"))


def test_sub_daily_times_with_offsets_in_a_file_go_on_in_real_time(capsys, tmp_path, model):
    text = (
        "unique_id,ds,y\na,2024-03-30T23:00:00+01:00,1.0\na,2024-03-31T00:00:00+01:00,2.1\n"
        "a,2024-03-31T01:00:00+01:00,2.9\na,2024-03-31T03:00:00+02:00,4.2\n"
    )
    code, _, out = predict_text(capsys, model, tmp_path, text, "--steps", "2")
    assert code == 0 and out["ds"].tolist() == ["2024-03-31 04:00:00+02:00", "2024-03-31 05:00:00+02:00"]  # not 05:00, 07:00


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_parquet_time_zone_comes_back_as_the_offset_of_each_series_last_time(capsys, tmp_path, model, suffix):
    # adversarial round 8: New York times in Parquet were written back as naive wall-clock times
    ds = pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC").tz_convert("America/New_York")
    source, target = tmp_path / "in.parquet", tmp_path / f"out{suffix}"
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2.0, 3.0, 4.5]}).to_parquet(source)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", "2")
    assert code == 0, err
    out = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
    expected = ["2024-01-04 19:00:00-05:00", "2024-01-05 19:00:00-05:00"]  # the instants after 2024-01-04 00:00 UTC
    assert [str(pd.Timestamp(stamp)) for stamp in out["ds"]] == expected


@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reversed"])
def test_a_missing_time_is_the_series_error_wherever_its_row_is(predictor, reverse):
    # adversarial round 8: NaT was placed by row order (108.52, or 108.67 reversed) with a warning about 2262
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.to_datetime(["2024-01-01", "2024-01-02", None, "2024-01-04"])})
    frame = frame.assign(y=[10.0, 20.0, 30.0, 100.0])
    out = predictor.predict_df(frame.iloc[::-1] if reverse else frame)
    assert np.isnan(out["numseries"][0])
    assert out["error"][0] == "series 'a' has a missing ds (.loc[2]); give every row its time, or drop the row"


# ------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_long_header_with_spaces_is_read_as_long(capsys, tmp_path, model, suffix):
    frame = pd.DataFrame({"unique_id": ["007"] * 4, "ds": [1, 2, 3, 4], "y": [1.0, 2.0, 3.0, 4.0]})
    source = tmp_path / f"in{suffix}"
    write(frame.rename(columns={"unique_id": "unique_id ", "ds": " ds", "y": " y "}), source)
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0 and out["unique_id"].tolist() == ["007"] and out["n_values"].tolist() == [4]
    assert out["ds"].tolist() == [5] and out["error"].isna().all()


@pytest.mark.parametrize(("separator", "word"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_of_another_separator_is_one_clear_error(capsys, tmp_path, model, separator, word):
    source = tmp_path / "in.csv"
    source.write_text("".join(separator.join(row) + "\n" for row in [["unique_id", "ds", "y"], ["a", "1", "1,5"]]))
    code, err, _ = predict_file(capsys, model, tmp_path, source)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"its values are separated by {word}, not commas; save it as comma-separated values" in err


# ------------------------------------------------------------------------------------------- messages


def test_a_ds_column_mixing_numbers_and_dates_says_so(capsys, tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_text("unique_id,ds,y\na,2024-01-01,1\na,1,2\na,2024-01-03,3\n")
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 2
    assert out["error"][0].startswith("column ds holds numbers and dates ('1' in series 'a' is a number")


@pytest.mark.parametrize("odd", ["x", "1/9/2024"])
def test_one_bad_time_among_integer_steps_fails_its_own_series_only(capsys, tmp_path, model, odd):
    """Adversarial round 28: one cell that is neither an integer nor a date made every row of the column
    unread ("'9', which is neither a number nor a date, in series 'b'"): every series failed, exit 0."""
    source = tmp_path / "in.csv"
    source.write_text(f"unique_id,ds,y\nb,9,9\nb,10,10\nb,11,11\nb,12,12\na,3,9\na,{odd},10\na,5,11\n")
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0
    rows = out.set_index("unique_id")
    assert rows.loc["b", "prediction"] == 13 and pd.isna(rows.loc["b", "error"]) and rows.loc["b", "ds"] == 13
    # adversarial round 29: the bad time, read as 0, made an ordered file "not grouped by series and ordered by ds"
    source.write_text(f"unique_id,ds,y\na,1,1\na,2,2\na,3,3\na,{odd},4\nb,1,10\nb,2,20\nb,3,30\n")
    code, err, out = predict_file(capsys, model, tmp_path, source)
    assert code == 0 and "not grouped by series" not in err and out["unique_id"].tolist() == ["a", "b"]
    assert rows.loc["a", "error"].startswith(f"column ds has {odd!r}, which is neither a number nor a date, in series 'a'")


def test_a_ds_column_of_words_is_still_neither_numbers_nor_dates(predictor):
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": ["2024-01-01", "monday", "2024-01-03"], "y": [1, 2, 3]})
    assert "'monday', which is neither a number nor a date" in predictor.predict_df(frame)["error"][0]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("unique_id,ds,y\na,1,1\na,2,2\n,3,3\n", "row 2 has no unique_id (line 4 of the file, counting the header)"),
        ("unique_id,t0,t1\na,1,2\n,4,5\n", "row 1 has no unique_id (line 3 of the file, counting the header)"),
        # adversarial round 54: ids quoted across lines, and blank lines (pandas skips them), put rows below
        # their count: line 5 was named for the row on line 8
        ('unique_id,ds,y\n"a\nb",1,1\n"a\nb",2,2\n"a\nb",3,3\n,1,1\n', "row 3 has no unique_id (line 8 of the file, counting the header)"),
        ("unique_id,ds,y\na,1,1\n\n   \na,2,2\n,3,3\n", "row 2 has no unique_id (line 6 of the file, counting the header)"),
        ('unique_id,ds,y\n"a\r\nb",1,1\r\n\r\n,3,3\r\n', "row 1 has no unique_id (line 5 of the file, counting the header)"),
    ],
    ids=["long", "wide", "quoted", "blank", "crlf"],
)
def test_a_row_without_an_id_names_its_line_in_a_csv(tmp_path, text, where):
    source = tmp_path / "in.csv"
    source.write_text(text)
    with pytest.raises(ValueError, match=f"^{re.escape(where)}; give every row the id"):
        list(batch_io.read_chunks(source, 8))


def test_a_row_without_an_id_in_parquet_is_counted_through_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(batch_io, "LONG_CHUNK_ROWS", 2)  # the missing id is in the third batch
    source = tmp_path / "in.parquet"
    pd.DataFrame({"unique_id": ["a"] * 5 + [None], "ds": range(6), "y": [1.0] * 6}).to_parquet(source)
    with pytest.raises(ValueError, match=r"row 5 has no unique_id \(rows counted from 0\)"):
        list(batch_io.read_chunks(source, 8))


def test_predict_df_names_a_row_without_an_id_by_its_label(predictor):
    frame = pd.DataFrame({"unique_id": ["a", "a", None], "ds": [1, 2, 3], "y": [1.0, 2.0, 3.0]}, index=[10, 11, 12])
    with pytest.raises(ValueError, match=r"row 12 has no unique_id \(\.loc\[12\]\)"):
        predictor.predict_df(frame)


def test_unsigned_times_beyond_int64_are_refused_not_wrapped():
    frame = pd.DataFrame(
        {"unique_id": ["a"] * 4, "ds": np.array([2**64 - 40, 2**64 - 30, 2**64 - 20, 2**64 - 10], dtype=np.uint64),
         "y": [1.0, 2.0, 3.5, 4.0]}
    )
    with pytest.raises(ValueError, match="column ds holds 18446744073709551576, beyond the integers int64 holds"):
        load_predictor(None).predict_df(frame)


def test_a_ds_column_of_periods_says_how_to_convert_it(predictor):
    """Each row was 'neither a number nor a date', though periods are dates."""
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.period_range("2024-01", periods=5, freq="M"), "y": [1.0, 3, 2, 5, 4]})
    with pytest.raises(ValueError, match=r"column ds holds periods \(period\[M\]\).*\.dt\.to_timestamp\(\)"):
        predictor.predict_df(frame)
    frame["ds"] = frame["ds"].dt.to_timestamp()
    assert predictor.predict_df(frame)["ds"].iloc[0] == pd.Timestamp("2024-06-01")


@pytest.mark.parametrize(
    ("ds", "message"),
    [  # adversarial round 25: pandas' "Can only use .str accessor with string values!" (a traceback)
        (pd.to_timedelta([1, 2, 3, 4], unit="D"), r"column when holds durations \(timedelta64\[ns\]\), not times; "
         r"add them to a start: df\['when'\] = pd.Timestamp"),
        ([True, False, True, False], r"column when holds booleans \(bool\), not times; give integers or dates"),
        # adversarial round 26: pyarrow's durations were still the traceback
        (pd.array(pd.to_timedelta([1, 2, 3, 4], unit="D"), dtype="duration[ns][pyarrow]"),
         r"column when holds durations \(duration\[ns\]\[pyarrow\]\), not times"),
    ],
    ids=["durations", "booleans", "pyarrow-durations"],
)
def test_a_time_column_of_durations_or_booleans_is_refused_by_name(predictor, ds, message):
    frame = pd.DataFrame({"unique_id": "a", "when": ds, "y": [1.0, 2, 3, 4]})
    with pytest.raises(ValueError, match=f"^{message}"):
        predictor.predict_df(frame, time_col="when")


@pytest.mark.parametrize("where", [1, 2], ids=["last-but-one", "last"])
def test_a_series_failed_on_an_unread_time_gets_no_made_up_next_time(capsys, tmp_path, model, predictor, where):
    """Adversarial round 30: the unread cell was read as 0, so 1 2 x 4 was given the next ds 8 (4 + (4 - 0))."""
    times = ["1", "2", "3", "4"]
    times[-where] = "x"
    text = "unique_id,ds,y\n" + "".join(f"a,{t},{k}\n" for k, t in enumerate(times, 1)) + "b,1,2\nb,2,4\nb,3,6\nb,4,8\n"
    code, _, out = predict_text(capsys, model, tmp_path, text)
    assert code == 0 and "'x'" in out["error"][0] and pd.isna(out["ds"][0]) and out["ds"][1] == 5
    frame = pd.read_csv(tmp_path / "in.csv", dtype={"ds": str})
    answer = predictor.predict_df(frame)
    assert pd.isna(answer["ds"][0]) and answer["ds"][1] == 5


def test_integer_times_come_back_as_int64_as_statsforecast_gives_them(predictor):
    """They were the nullable Int64 in every answer, where statsforecast's models give int64."""
    frame = pd.DataFrame({"unique_id": ["a"] * 4, "ds": [1, 2, 3, 4], "y": [2.0, 4, 6, 8]})
    assert predictor.predict_df(frame)["ds"].dtype == np.int64
    assert predictor.predict_df(frame, steps=3)["ds"].tolist() == [5, 6, 7]
    frame["ds"] = [0, 2**61, 2**62, 2**62 + 2**61]  # the next time passes int64: unknown, so nullable
    with pytest.warns(UserWarning, match="ds is left empty"):
        assert predictor.predict_df(frame)["ds"].dtype == "Int64"


def test_a_time_column_of_numbers_with_a_word_names_the_word(predictor):
    """Each number's row was 'column ds has 1, which is neither a number nor a date': the number, not 'x'."""
    frame = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": pd.Series([1, 2, "x", 4, 1, 2, 3, 4], dtype=object)})
    frame["y"] = [1.0, 2, 3, 4, 2, 4, 6, 8]
    errors = predictor.predict_df(frame)["error"].tolist()
    assert errors == [
        "column ds mixes numbers and text (1 is a number, 'x' text that is no number); give numbers only, e.g. "
        "df['ds'] = pd.to_numeric(df['ds'], errors='coerce') and drop the rows left without a time"
    ] * 2


@pytest.mark.parametrize("kind", ["timestamp[ns][pyarrow]", "timestamp[us, tz=UTC][pyarrow]", "date32[pyarrow]"])
def test_arrow_times_are_read_as_numpy_ones(predictor, kind):
    """Adversarial round 31: an AttributeError (".str accessor") for pd.read_parquet(..., dtype_backend="pyarrow")."""
    dates = pd.Series(pd.date_range("2024-01-01", periods=5))
    frame = pd.DataFrame({"unique_id": "a", "ds": dates.astype(kind), "y": [1.0, 2, 3, 4, 5]})
    answer = predictor.predict_df(frame)
    assert answer["ds"][0].tz_localize(None) == pd.Timestamp("2024-01-06") and answer["numseries"][0] == 6


@pytest.mark.parametrize("kind", ["string", "string[pyarrow]", "Int64"])
def test_a_missing_id_of_a_nullable_column_is_named(predictor, kind):
    """Adversarial round 31: "boolean value of NA is ambiguous" (pd.NA == "" is NA); on Dask always (its ids are
    string[pyarrow])."""
    frame = pd.DataFrame({"unique_id": [1] * 5 + [None] * 3, "ds": [0, 1, 2, 3, 4, 0, 1, 2]})
    frame["y"] = [1.0, 2, 3, 4, 5, 2, 4, 8]
    frame["unique_id"] = frame["unique_id"].astype("Int64").astype(kind)
    with pytest.raises(ValueError, match=re.escape("row 5 has no unique_id (.loc[5]); give every row the id")):
        predictor.predict_df(frame)


def test_a_row_error_names_its_time_as_the_file_path_does(predictor):
    """Adversarial round 31: predict_df wrote ds=2023-06-30 00:00:00 where the CLI wrote ds=2023-06-30; a float
    time was cut to 6 digits (ds=1.23457e+06) in the message of two values at one time."""
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2023-05-31", periods=4, freq="ME"), "y": [1, None, 3, 4.0]})
    assert predictor.predict_df(frame)["error"][0].startswith("series 'a' has a missing y at ds=2023-06-30;")
    frame = pd.DataFrame({"unique_id": "a", "ds": [1234566.5, 1234567.5, 1234567.5, 1234568.5], "y": [1.0, 2, 3, 4]})
    assert predictor.predict_df(frame)["error"][0].startswith("series 'a' has two values at ds=1234567.5")


def test_a_time_column_mixing_numbers_and_text_says_so(predictor):
    """Adversarial round 25: its 1 was 'neither a number nor a date; use integers'."""
    frame = pd.DataFrame({"unique_id": "a", "ds": [1, "2", 3, 4], "y": [1.0, 2, 3, 4]})
    assert predictor.predict_df(frame)["error"][0] == (
        "column ds mixes numbers and text (1 is a number, '2' text); give one kind throughout, e.g. "
        "df['ds'] = pd.to_numeric(df['ds'])"
    )
    # adversarial round 26: text that is no number is named as before (pd.to_numeric would fail on it), and
    # numbers held as objects are numbers (they were 'neither a number nor a date')
    frame["ds"] = pd.Series(["abc", 2, 3, 4], dtype=object)
    assert predictor.predict_df(frame)["error"][0].startswith("column ds has 'abc', which is neither a number nor a date")
    frame["ds"] = pd.Series([1, 2, 3, 4], dtype=object)
    assert predictor.predict_df(frame)[["ds", "numseries"]].values.tolist() == [[5, 5.0]]
    # adversarial round 27: NumPy durations (NumPy's integers) were a pandas traceback, complex numbers were read
    frame["ds"] = pd.Series([np.timedelta64(k, "D") for k in range(4)], dtype=object)
    assert "which is neither a number nor a date" in predictor.predict_df(frame)["error"][0]
    frame["ds"] = pd.Series([1 + 5j, 2, 3, 4], dtype=object)
    assert predictor.predict_df(frame)["error"][0] == "column ds holds (1+5j) (complex) among numbers; give numbers only"
    # a bool among numbers is the cell named (each row's 'column ds has 1, which is neither ...'); Decimals are
    # numbers; an int past int64 is refused, not read as a float (2**64 + 1 and 2**64 merged: 'two values at ds')
    frame["ds"] = pd.Series([1, True, 3, 4], dtype=object)
    assert predictor.predict_df(frame)["error"][0] == "column ds holds True (bool) among numbers; give numbers only"
    frame["ds"] = pd.Series([Decimal(k) for k in range(1, 5)], dtype=object)
    assert predictor.predict_df(frame)[["ds", "numseries"]].values.tolist() == [[5, 5.0]]
    frame["ds"] = pd.Series([2**64 + 1, 2**64 + 2, np.int64(3), 4], dtype=object)
    with pytest.raises(ValueError, match=r"^column ds holds 18446744073709551617, beyond the integers int64 holds"):
        predictor.predict_df(frame)


def test_frames_with_a_column_twice_or_the_ids_as_index_say_how_to_fix_them(predictor):
    """Adversarial round 25: a column named twice was pandas' "'DataFrame' object has no attribute 'dtype'"; ids
    in the index were 'name its columns with id_col=', which names no index."""
    twice = pd.DataFrame([["a", 0, 1.0, 1.0], ["a", 1, 2.0, 2.0], ["a", 2, 3.0, 3.0]], columns=["unique_id", "ds", "y", "y"])
    with pytest.raises(ValueError, match=re.escape("the frame has 2 columns named 'y'; keep one, e.g. df = df.loc[:, ~df.columns.duplicated()]")):
        predictor.predict_df(twice)
    indexed = pd.DataFrame({"unique_id": ["a"] * 4, "ds": range(4), "y": [1.0, 2, 3, 4]}).set_index("unique_id")
    with pytest.raises(ValueError, match=re.escape("the frame's 'unique_id' is its index, not a column; make it one with df.reset_index()")):
        predictor.predict_df(indexed)
    assert predictor.predict_df(indexed.reset_index())["numseries"].tolist() == [5.0]


FUTURE = [f"{year}-01-01" for year in range(2300, 2304)]  # past what datetime64[ns] holds (2262-04-11)
OUT_OF_RANGE = "column ds has 2300-01-01 in series 'a', a date outside 1677-09-22 to 2262-04-11"


@pytest.mark.parametrize("unit", ["us", "ms", "s"])
def test_dates_past_nanoseconds_in_a_coarser_unit_are_refused_not_wrapped(predictor, unit):
    """As datetime64[ns] they wrapped round to 1719 and were given as the next times, exit 0."""
    frame = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "y": [1.0, 2.3, 2.9, 4.2] * 2})
    frame["ds"] = pd.Series(np.array(FUTURE + ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"], dtype=f"datetime64[{unit}]"))
    out = predictor.predict_df(frame)
    assert out["error"][0].startswith(OUT_OF_RANGE) and "integer steps" in out["error"][0]
    assert pd.isna(out["ds"][0]) and out["ds"][1] == pd.Timestamp("2024-01-01")
    frame["ds"] = frame["ds"].dt.tz_localize("UTC")
    assert predictor.predict_df(frame)["error"][0].startswith(OUT_OF_RANGE)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_dates_past_nanoseconds_in_a_file_name_the_range(capsys, tmp_path, model, suffix):
    source = tmp_path / f"in{suffix}"
    frame = pd.DataFrame({"unique_id": ["a"] * 4, "ds": FUTURE, "y": [1.0, 2.3, 2.9, 4.2]})
    if suffix == ".parquet":
        frame["ds"] = pd.Series(np.array(FUTURE, dtype="datetime64[us]"))  # a Parquet timestamp[us]
    write(frame, source)
    code, _, out = predict_file(capsys, model, tmp_path, source)
    assert code == 2 and out["error"][0].startswith(OUT_OF_RANGE)  # not 'neither a number nor a date'


def test_a_series_without_offsets_is_written_without_one_beside_a_series_with_one(capsys, tmp_path, model):
    # adversarial round 12: naive dates came out as '2024-01-11 00:00:00.000000+00:00', a UTC claim the input
    # never made, with the microseconds of another series' times; round 40: the naive ones in one form (dates
    # at 00:00:00 beside times of day), as pandas writes a column
    text = (
        "unique_id,ds,y\na,2024-01-01T00:00:00.5Z,1\na,2024-01-02T00:00:00.5Z,2\na,2024-01-03T00:00:00.5Z,3\n"
        "b,2024-01-08,1\nb,2024-01-09,2\nb,2024-01-10,4\nc,2024-01-08 06:00,1\nc,2024-01-08 12:00,2\nc,2024-01-08 18:00,4\n"
    )
    code, _, out = predict_text(capsys, model, tmp_path, text, "--steps", "2")
    assert code == 0
    assert out["ds"].tolist() == [
        "2024-01-04 00:00:00.500000+00:00", "2024-01-05 00:00:00.500000+00:00", "2024-01-11 00:00:00",
        "2024-01-12 00:00:00",
        "2024-01-09 00:00:00", "2024-01-09 06:00:00",
    ]


@pytest.mark.parametrize("zones", [["UTC", "Europe/Berlin", "UTC", "UTC"], ["America/New_York"] * 4])
def test_timestamps_of_several_utc_offsets_are_read_as_the_same_times_as_text(predictor, zones):
    """Adversarial round 12: each was "neither a number nor a date"; then "mixes time zones", and round 40: the
    same instants written as text (each with its own offset, as over a clock change) were read."""
    days = ["2024-03-08", "2024-03-09", "2024-03-10", "2024-03-11"]  # New York's clock moves on the 10th
    ds = pd.Series([pd.Timestamp(day, tz=zone) for day, zone in zip(days, zones, strict=True)], dtype=object)
    objects = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2, 3, 4.5]}), steps=2)
    text = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds.map(pd.Timestamp.isoformat), "y": [1.0, 2, 3, 4.5]}), steps=2)
    assert objects["error"].isna().all()
    pd.testing.assert_frame_equal(objects, text)


CALENDARS = {  # a file of months or quarters -> each series' next times, for 1 and 2 steps
    # adversarial round 12: 2024-01 ... 2024-04 came back as 2024-05-01; a day within the month stays a date
    "months": (
        "unique_id,ds,y\na,2024-01,1\na,2024-02,2\na,2024-03,3\na,2024-04,4.5\n"
        "b,2024-01-15,5\nb,2024-02-15,3\nb,2024-03-15,1\nb,2024-04-15,0.5\n",
        {"1": ["2024-05", "2024-05-15"], "2": ["2024-05", "2024-06", "2024-05-15", "2024-06-15"]},
    ),
    # 2024Q1 was 'neither a number nor a date'; quarterly series are where classical baselines are strong
    # round 54: months by name, as spreadsheets head their columns, were 'neither a number nor a date'
    "month names": (
        "unique_id,ds,y\na,Oct 2024,1\na,Nov 2024,2\na,Dec 2024,3\na,Jan 2025,4.5\n"
        "b,January 2024,5\nb,February 2024,3\nb,March 2024,1\nb,April 2024,0.5\n",
        {"1": ["2025-02", "2024-05"], "2": ["2025-02", "2025-03", "2024-05", "2024-06"]},
    ),
    "quarters": (
        "unique_id,ds,y\na,2023Q3,1\na,2023Q4,2\na,2024Q1,3\na,2024Q2,4.5\n"
        "b,2024-Q1,5\nb,2024-Q2,3\nb,2024-Q3,1\nb,2024-Q4,0.5\n",
        {"1": ["2024Q3", "2025Q1"], "2": ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]},
    ),
}


@pytest.mark.parametrize("calendar", sorted(CALENDARS))
@pytest.mark.parametrize("steps", ["1", "2"])
def test_months_and_quarters_come_back_as_months_and_quarters(capsys, tmp_path, model, calendar, steps):
    text, expected = CALENDARS[calendar]
    code, _, out = predict_text(capsys, model, tmp_path, text, "--steps", steps)
    assert code == 0 and out["error"].isna().all()
    assert out["ds"].tolist() == expected[steps]


def test_months_and_quarters_are_written_back_for_their_own_series_only(capsys, tmp_path, model):
    # adversarial round 13: a file's first time decided for every series (a daily series' next day, 2024-04-01,
    # came back as 2024-04); quarters were read only where the file's first time was one
    text = (
        "unique_id,ds,y\na,2024-01,1\na,2024-02,2\na,2024-03,3\na,2024-04,4.5\n"
        "b,2024-03-28,5\nb,2024-03-29,3\nb,2024-03-30,1\nb,2024-03-31,0.5\n"
    )
    code, _, out = predict_text(capsys, model, tmp_path, text, "--steps", "2")
    assert code == 0 and out["ds"].tolist() == ["2024-05", "2024-06", "2024-04-01", "2024-04-02"]
    text = "unique_id,ds,y\nb,2024-01-01,1\nb,2024-01-02,2\nb,2024-01-03,3\na,2024Q1,1\na,2024Q2,2\na,2024Q3,3\n"
    code, _, out = predict_text(capsys, model, tmp_path, text)
    assert code == 0 and out["error"].isna().all() and out["ds"].tolist() == ["2024-01-04", "2024-10-01"]


def test_months_and_quarters_with_one_missed_go_on_by_their_last_spacing_in_months(predictor):
    # adversarial round 13: 2024-01-01, 2024-04-01, 2024-10-01 went on to 2025-04-02 (183 days), not 2025-04-01
    ds = pd.to_datetime(["2024-01-01", "2024-04-01", "2024-10-01", "2024-01-31", "2024-02-29", "2024-04-30"])
    frame = pd.DataFrame({"unique_id": np.repeat(["q", "m"], 3), "ds": ds, "y": [1.0, 2, 3.5] * 2})
    out = predictor.predict_df(frame, steps=2)
    assert out["ds"].tolist() == [pd.Timestamp(t) for t in ("2025-04-01", "2025-10-01", "2024-06-30", "2024-08-31")]


def test_predict_df_reads_quarters_as_their_first_days(predictor):
    frame = pd.DataFrame({"unique_id": "a", "ds": ["2024q2", "2024q3", "2024q4", "2025q1"], "y": [1.0, 2, 3, 4.5]})
    assert predictor.predict_df(frame)["ds"].tolist() == [pd.Timestamp("2025-04-01")]


@pytest.mark.parametrize("written", [["Jan 2024", "Feb 2024", "Mar 2024"], ["2024-Jan", "2024-Feb", "2024-Mar"],
                                     ["january 2024", "FEBRUARY 2024", "Mar. 2024"], ["Jan-2024", "Feb-2024", "Mar-2024"]])
def test_months_by_name_are_read_as_their_first_days(predictor, written):
    frame = pd.DataFrame({"unique_id": "a", "ds": written, "y": [1.0, 2, 3.5]})
    assert predictor.predict_df(frame)["ds"].tolist() == [pd.Timestamp("2024-04-01")]


def test_a_wide_file_headed_by_month_names_gets_its_next_months(capsys, tmp_path, model):
    """Adversarial round 54: a wide file's columns headed Jan 2024, Feb 2024, ... gave no ds column; Jan-24
    (Excel's mmm-yy, a day of January to others) is no month."""
    code, _, out = predict_text(capsys, model, tmp_path, "unique_id,Jan 2024,Feb 2024,Mar 2024\na,1,2,3.5\n", "--steps", "2")
    assert code == 0 and out["ds"].tolist() == ["2024-04", "2024-05"]
    code, _, out = predict_text(capsys, model, tmp_path, "unique_id,Jan-24,Feb-24,Mar-24\na,1,2,3.5\n")
    assert code == 0 and "ds" not in out.columns


@pytest.mark.parametrize("naive_last", [True, False])
def test_a_series_mixing_times_with_and_without_an_offset_is_refused(predictor, naive_last):
    # adversarial round 12: the offset was used or dropped silently, by whichever row came last
    zoned = ["2024-01-01T00:00+05:00", "2024-01-02T00:00+05:00", "2024-01-03T00:00+05:00"]
    ds = [*zoned, "2024-01-04"] if naive_last else ["2023-12-31", *zoned]
    out = predictor.predict_df(pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": ds + zoned + ["2024-01-04T00:00+05:00"],
                                             "y": [1.0, 2, 3, 4.5] * 2}))  # fmt: skip
    assert out["error"][0].startswith("series 'a' has times with a UTC offset and times without one")
    assert out["error"][1] is None and out["ds"][1] == pd.Timestamp("2024-01-05T00:00+05:00")


def test_a_forecast_that_overflows_is_named_by_its_series_id():
    """Adversarial round 17: predict_df's error column named series 'a' 'sequence 0' (and a batch file's row 4 too)."""
    from numseries import Predictor

    frame = pd.DataFrame({
        "unique_id": ["b"] * 4 + ["a"] * 5,
        "ds": list(range(4)) + list(range(5)),
        "y": [1.0, 2, 3, 5, 1e305, 2.1e305, 4.3e305, 9e305, 1.9e306],
    })
    out = Predictor.from_pretrained().predict_df(frame, steps=7)
    errors = out.loc[out["unique_id"] == "a", "error"]
    assert errors.str.startswith("the forecast of series 'a' overflows float64 at step 7").all()
    assert out.loc[out["unique_id"] == "b", "error"].isna().all()


def test_a_time_column_of_text_is_read_as_a_files_cells_are(predictor):
    """Adversarial round 18: predict_df of a frame read with dtype=str refused '10', '20', ... as "neither a
    number nor a date ... use integers", read '1001' as a year pandas cannot hold, and refused ' 2024-01-01';
    the same cells in a batch file are integer steps and a date."""
    y = [1.0, 2, 4, 8.5]

    def next_ds(ds: list) -> list:
        out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds, "y": y}), steps=2)
        assert out["error"].isna().all(), out["error"][0]
        return out["ds"].tolist()

    assert next_ds(["10", "20", "30", "40"]) == [50, 60]
    assert next_ds(["1001", "1002", "1003", "1004"]) == [1005, 1006]
    assert next_ds([" 2024-01-01", "2024-01-02 ", "2024-01-03", "2024-01-04"]) == list(
        pd.to_datetime(["2024-01-05", "2024-01-06"])
    )


def test_values_around_a_missing_time_are_read_one_after_another(predictor):
    """The README says so (adversarial round 34: nothing did): the prediction is that of the values alone, and
    the next time goes on at the usual spacing."""
    ds = list(pd.date_range("2024-03-01", periods=6)) + [pd.Timestamp("2024-03-08")]
    y = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]
    out = predictor.predict_df(pd.DataFrame({"unique_id": "a", "ds": ds, "y": y}))
    assert out["numseries"][0] == pytest.approx(predictor.predict(y).value, rel=1e-6)
    assert out["ds"][0] == pd.Timestamp("2024-03-09")


def test_complex_values_are_refused_not_cast_to_their_real_parts(predictor):
    """Adversarial round 40: predict_df cast complex y to float (numpy's ComplexWarning) and predicted 6 for
    1..5 whatever the imaginary parts; predict refuses complex values."""
    frame = pd.DataFrame({"unique_id": "a", "ds": range(5), "y": np.array([1, 2, 3, 4, 5]) * (1 + 1j)})
    with pytest.raises(TypeError, match=r"^column y holds complex numbers \(complex128\); give real numbers"):
        predictor.predict_df(frame)
    frame["y"] = pd.Series([1 + 0j, 2, 3, 4, 5 + 1j], dtype=object)  # round 41: complex objects among the cells
    with pytest.raises(TypeError, match=r"^column y holds complex numbers; give real numbers"):
        predictor.predict_df(frame)


def test_quarters_are_read_whatever_the_frame_index(capsys, tmp_path, model, predictor):
    """Adversarial round 42: a quarter column beside two value columns (its rows stacked under a repeated
    index), and predict_df on pd.concat of quarter frames, were a pandas InvalidIndexError with a traceback."""
    code, err, out = predict_text(capsys, model, tmp_path, "quarter,sales,cost\n" + "".join(
        f"2020Q{q},{q},{2 * q}\n" for q in range(1, 5)), "--steps", "2")  # fmt: skip
    assert code == 0, err
    assert out[["unique_id", "ds", "prediction"]].values.tolist() == [
        ["sales", "2021Q1", 5], ["sales", "2021Q2", 6], ["cost", "2021Q1", 10], ["cost", "2021Q2", 12]
    ]  # fmt: skip
    a = pd.DataFrame({"unique_id": "a", "ds": ["2020Q1", "2020Q2", "2020Q3", "2020Q4"], "y": [1.0, 2, 3, 4]})
    out = predictor.predict_df(pd.concat([a, a.assign(unique_id="b", y=[2.0, 4, 6, 8])]), steps=2, level=[])
    assert out["ds"].tolist() == [pd.Timestamp("2021-01-01"), pd.Timestamp("2021-04-01")] * 2
    assert out["numseries"].tolist() == [5, 6, 10, 12]


def test_values_missing_at_a_series_end_are_left_out_with_a_note(capsys, tmp_path, model, predictor):
    """Adversarial round 42: year,sales,cost with cost not yet reported for 2022 failed the cost series ("has a
    missing y at ds=2022"), where a wide row's trailing empty cells pad it. Missing values that end a series
    are left out: it is predicted from the values before them, for the time after its last value."""
    code, err, out = predict_text(capsys, model, tmp_path, "year,sales,cost\n2019,1,10\n2020,2,12\n2021,3,14\n2022,4,\n")
    assert code == 0 and "some series end with missing values" in err
    assert out[["unique_id", "ds", "n_values", "prediction"]].values.tolist() == [["sales", 2023, 4, 5], ["cost", 2022, 3, 16]]
    frame = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 4 + ["c"] * 3, "ds": [*range(5), *range(4), *range(3)],
                          "y": [1, 2, 3, None, None, 1, None, 3, 4, None, None, None]})  # fmt: skip
    with pytest.warns(UserWarning, match=r"some series end with missing values \(unique_id 'a' the first\)"):
        result = predictor.predict_df(frame, level=[])  # (round 54: it named none)
    assert result["ds"].tolist() == [3, 4, 3] and result["numseries"].tolist()[0] == 4
    assert result["error"].tolist()[0] is None  # before a gap, or with no value at all: the series' error
    assert result["error"].tolist()[1].startswith("series 'b' has a missing y at ds=1;")
    assert result["error"].tolist()[2].startswith("series 'c' has a missing y at ds=0;")


@pytest.mark.parametrize("blanks", [30, 70])
def test_missing_values_that_end_the_last_series_of_a_block_leave_its_window_whole(predictor, blanks):
    """Adversarial round 44: the unfinished series of a block was carried on as its last 64 rows before its
    missing end was left out, so, placed last, 100 values and 30 blanks were read from 34 values, and with
    70 blanks the series failed; placed first it was read from 64."""
    values = np.random.default_rng(0).normal(size=100).cumsum()
    series = {"a": pd.DataFrame({"unique_id": "a", "ds": range(100 + blanks), "y": [*values, *[np.nan] * blanks]}),
              "b": pd.DataFrame({"unique_id": "b", "ds": range(100), "y": values})}  # fmt: skip
    first = predictor.predict_df(pd.concat([series["a"], series["b"]], ignore_index=True), level=[])
    last = predictor.predict_df(pd.concat([series["b"], series["a"]], ignore_index=True), level=[])
    assert first["error"].isna().all() and last["error"].isna().all()
    pd.testing.assert_frame_equal(first.iloc[::-1].reset_index(drop=True), last)
    assert first["ds"].tolist() == [100, 100]


def test_an_empty_last_line_is_a_missing_value_too(capsys, tmp_path, model):
    """Adversarial round 44: a spreadsheet's empty last line (',,') failed every series of a time-and-values
    file, the one whose value ended early for its own empty cell."""
    text = "year,sales,cost\n2019,1,10\n2020,2,12\n2021,3,14\n2022,4,\n,,\n"
    code, err, out = predict_text(capsys, model, tmp_path, text)
    assert code == 0 and err.count("some series end with missing values") == 1
    assert out[["unique_id", "ds", "prediction"]].values.tolist() == [["sales", 2023, 5], ["cost", 2022, 16]]
    code, _, out = predict_text(capsys, model, tmp_path, "year,sales\n2019,1\n,\n2021,3\n2022,4\n")  # not at the end
    assert "has an empty row" in out["error"][0] and "fill or drop missing values" in out["error"][0]


def test_integer_times_stay_integers_beside_a_missing_one(capsys, tmp_path, model, predictor):
    """Adversarial round 45: a missing time (an empty last line; Int64's NA) made pandas read the times as
    floats, so the next ones were written 4.0 and 2023.0."""
    code, _, out = predict_text(capsys, model, tmp_path, "unique_id,ds,y\na,1,1\na,2,2\na,3,3\na,,\n")
    assert code == 0 and out["ds"].tolist() == [4] and str(out["ds"].dtype) == "int64"
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.array([1, 2, 3, None], dtype="Int64"), "y": [1.0, 2, 3, None]})
    with pytest.warns(UserWarning, match="some series end with missing values"):
        assert predictor.predict_df(frame, level=[])["ds"].tolist() == [4]
    floats = pd.DataFrame({"unique_id": "a", "ds": [1.0, 2.0, 3.0], "y": [1.0, 2, 3]})  # floats throughout stay floats
    assert predictor.predict_df(floats, level=[])["ds"].dtype == np.float64


def test_predict_df_warnings_point_at_the_callers_line(predictor):
    """The warnings of predict_df named a line of numseries (``frames.py:1502: ... return [``), not the user's:
    each points at the first caller outside the package, as a library's warnings do."""
    frames = {
        "some series end with missing values": pd.DataFrame({"unique_id": "a", "ds": range(5), "y": [1, 2, 3, 4, None]}),
        "read as dates written as integers": pd.DataFrame(
            {"unique_id": "a", "ds": [20240128, 20240129, 20240130, 20240131], "y": [1.0, 2.0, 3.0, 4.0]}
        ),
        "pass what datetime64": pd.DataFrame(
            {"unique_id": "a", "ds": pd.to_datetime(["2262-04-01", "2262-04-05", "2262-04-09"]), "y": [1.0, 2.0, 3.0]}
        ),
    }
    for said, frame in frames.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            predictor.predict_df(frame, steps=2)
        ours = [w for w in caught if said in str(w.message)]
        assert len(ours) == 1 and ours[0].filename == __file__, (said, [(str(w.message), w.filename) for w in caught])


@pytest.mark.parametrize("block_rows", [250_000, 50, 7])
def test_missing_values_that_start_a_series_are_left_out_as_those_that_end_one(predictor, monkeypatch, block_rows):
    """Adversarial round 54: a panel whose series start late (World Bank data, melted to long format) failed
    every such series ('has a missing y at ds=2020'), where its wide file is read from each row's first value.
    Leading missing values are left out with a note, also where a series straddles blocks of rows (carried on
    from one block to the next: ``block_rows``, the rows read at once, small here)."""
    from numseries import frames

    monkeypatch.setattr(frames, "BLOCK_ROWS", block_rows)
    values = np.random.default_rng(1).normal(size=90).cumsum()
    parts = [
        pd.DataFrame({"unique_id": "a", "ds": range(100), "y": [*[np.nan] * 80, *values[:20]]}),  # 80 first
        pd.DataFrame({"unique_id": "b", "ds": range(95), "y": [np.nan] * 5 + list(values)}),  # a window of 64 after
        pd.DataFrame({"unique_id": "c", "ds": range(6), "y": [np.nan, 1.0, np.nan, 3.0, 4.0, 5.0]}),  # then a gap
        pd.DataFrame({"unique_id": "d", "ds": range(4), "y": [np.nan] * 4}),  # nothing else: its error
    ]
    with pytest.warns(UserWarning, match=r"some series start with missing values \(unique_id 'a' the first\)"):
        result = predictor.predict_df(pd.concat(parts, ignore_index=True), level=[])
    alone = predictor.predict_batch([values[:20], values], level=[])
    np.testing.assert_allclose(result["numseries"].to_numpy()[:2], alone.values, rtol=1e-6)
    assert result["ds"].tolist()[:2] == [100, 95] and result["error"].tolist()[:2] == [None, None]
    assert result["error"][2].startswith("series 'c' has a missing y at ds=2;")
    assert result["error"][3].startswith("series 'd' has a missing y at ds=0;")


def test_leading_missing_values_are_said_before_a_full_window_and_repeat_no_time(predictor):
    """Adversarial round 55: 3 missing values before exactly 64 (the window) were left out without the note; a
    missing row at the time of the first value made that value a second one at its time."""
    full = pd.DataFrame({"unique_id": "a", "ds": range(67), "y": [np.nan] * 3 + list(np.arange(64.0))})
    with pytest.warns(UserWarning, match="some series start with missing values"):
        assert predictor.predict_df(full, level=[])["ds"].tolist() == [67]
    shared = pd.DataFrame({"unique_id": "a", "ds": [0, 1, 1, 2, 3, 4], "y": [np.nan, np.nan, 1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(UserWarning, match="some series start with missing values"):
        result = predictor.predict_df(shared, level=[])
    assert result["error"].tolist() == [None] and result["ds"].tolist() == [5]
