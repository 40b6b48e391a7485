"""The path DataFrames and batch files share: rows grouped into series, each series checked on its own,
predicted, and its next timestamps; ``Predictor.predict_df`` on pandas (and polars) frames."""

from __future__ import annotations

import datetime
import re
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from numseries import frames  # noqa: E402  (needs pandas, checked above)
from numseries.generate import generate_batch  # noqa: E402
from numseries.predict import Predictor  # noqa: E402


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained()


def long_frame(lengths, seed=0) -> pd.DataFrame:
    """Series s0, s1, ... of the given lengths from our generator, in long format, sorted."""
    batch = generate_batch(len(lengths), lengths=np.clip(lengths, 2, 64), seed=seed)
    rows = [
        (f"s{i}", t, float(batch.data[i, t % batch.lengths[i]] + t // batch.lengths[i]))
        for i, n in enumerate(lengths)
        for t in range(n)
    ]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


def series_of(frame: pd.DataFrame) -> list[np.ndarray]:
    return [group["y"].to_numpy() for _, group in frame.groupby("unique_id", sort=False)]


def blocks(frame: pd.DataFrame, rows: int):
    for start in range(0, len(frame), rows):
        yield frames.read_rows(frame.iloc[start : start + rows])


# ------------------------------------------------------------------------------------------- grouping


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 1000])
def test_grouping_is_the_same_whatever_the_block_size(rows):
    frame = long_frame([3, 9, 4, 20, 5])
    chunks = list(frames.group(blocks(frame, rows), max_len=6))
    ids = [i for chunk in chunks for i in chunk.ids]
    assert ids == ["s0", "s1", "s2", "s3", "s4"]
    assert [n for chunk in chunks for n in chunk.n_values] == [3, 9, 4, 20, 5]
    kept = [row[~np.isnan(row)] for chunk in chunks for row in chunk.values]
    for values, series in zip(kept, series_of(frame), strict=True):
        np.testing.assert_array_equal(values, series[-6:])  # the last max_len values


@pytest.mark.parametrize("rows", [2, 100])
def test_a_series_split_or_out_of_order_asks_for_a_sort(rows):
    split = pd.concat([long_frame([3, 4]), long_frame([3]).assign(ds=[7, 8, 9])])
    with pytest.raises(frames.Unsorted):
        list(frames.group(blocks(split, rows), max_len=8))
    backwards = long_frame([5]).iloc[::-1]
    with pytest.raises(frames.Unsorted):
        list(frames.group(blocks(backwards, rows), max_len=8))


@pytest.mark.parametrize("rows", [1, 3, 100])
def test_each_series_problem_is_its_own(rows):
    frame = pd.DataFrame({
        "unique_id": ["ok"] * 4 + ["short"] * 2 + ["gap"] * 4 + ["twice"] * 4 + ["word"] * 3 + ["inf"] * 3,
        "ds": [1, 2, 3, 4, 1, 2, 1, 2, 3, 4, 1, 2, 2, 3, 1, 2, 3, 1, 2, 3],
        "y": [1, 2, 3, 4, 1, 2, 1, None, 3, 4, 1, 2, 3, 4, 1, "x", 3, 1, float("inf"), 3],
    })  # fmt: skip
    chunks = list(frames.group(blocks(frame, rows), max_len=8))
    errors = dict(zip([i for c in chunks for i in c.ids], [e for c in chunks for e in c.errors], strict=True))
    assert errors["ok"] is None
    assert errors["short"] == "expected at least 3 values, got 2 in series 'short'; give a longer sequence"
    assert errors["gap"] == "series 'gap' has a missing y at ds=2; fill or drop missing values"
    assert errors["twice"] == "series 'twice' has two values at ds=2; keep one value per ds"
    assert errors["word"].startswith("column y has 'x' in series 'word', which is not a number")
    assert errors["inf"].startswith("series 'inf' has inf at ds=2; numbers must be finite")


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 1000])
def test_missing_values_end_a_series_only_at_its_end_and_in_order(rows):
    """Adversarial round 45: a missing value at a time before the series' last (a,1 a,2 a,4 a,3,'') was left
    out as its end, and a run of them was carried from block to block whole (1.5 million: 15 s)."""
    def group(frame: pd.DataFrame) -> frames.Chunk:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (chunk,) = list(frames.group(blocks(frame, rows), max_len=4))
        return chunk

    ended = pd.DataFrame({"unique_id": "a", "ds": range(16), "y": [*range(6), *[None] * 10]})
    chunk = group(ended)
    assert chunk.errors[0] is None and chunk.n_values[0] == 6 and chunk.values[0].tolist() == [2, 3, 4, 5]
    assert chunk.ds[0].tolist() == [2, 3, 4, 5]
    gap = pd.concat([ended, pd.DataFrame({"unique_id": ["a"], "ds": [16], "y": [7.0]})], ignore_index=True)
    assert group(gap).errors[0] == "series 'a' has a missing y at ds=6; fill or drop missing values"
    early = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 4, 3], "y": [1.0, 2, 4, None]})
    with pytest.raises(frames.Unsorted):
        group(early)


def test_a_problem_in_rows_beyond_the_window_still_marks_the_series():
    """The rows of a long series that fall out of the model's window are dropped as they are read: a
    problem among them must be remembered, across blocks too."""
    y = [1.0, None] + [float(t) for t in range(30)]
    frame = pd.DataFrame({"unique_id": "a", "ds": range(len(y)), "y": y})
    for rows in (3, 10, 100):
        (chunk,) = list(frames.group(blocks(frame, rows), max_len=4))
        assert chunk.n_values[0] == 32
        assert chunk.errors[0] == "series 'a' has a missing y at ds=1; fill or drop missing values"


# ----------------------------------------------------------------------------------------- timestamps


def test_integer_times_continue_at_their_most_common_recent_spacing():
    """Adversarial round 34: 10 20 30 35 went on by 5 (the last spacing): a step missed or shortened once is
    no new spacing (45, 55, 65; three times keep a grid of 10: too few to go back onto it); on a tie, the
    latest spacing (1 3 6 goes on by 3)."""
    ds = np.array([[1, 2, 3, 0], [10, 20, 30, 35], [5, 0, 0, 0], [1, 3, 6, 0]])
    times, known = frames.next_timestamps(ds, np.array([3, 4, 1, 3]), 3)
    assert times.dtype == np.int64
    assert times[[0, 1, 3]].tolist() == [[4, 5, 6], [45, 55, 65], [9, 12, 15]]
    assert known.tolist() == [[True] * 3, [True] * 3, [False] * 3, [True] * 3]  # one time: no spacing


@pytest.mark.parametrize(
    ("dates", "expected"),
    [  # adversarial round 34: one missing period at the end set every forecast's spacing
        (["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-08"],
         ["2024-03-09", "2024-03-10"]),  # daily, a day missed: not every 2 days
        (["2024-03-01 00:00", "2024-03-01 01:00", "2024-03-01 02:00", "2024-03-01 03:00", "2024-03-01 05:00"],
         ["2024-03-01 06:00", "2024-03-01 07:00"]),  # hourly, an hour missed
        (["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-06-01"], ["2024-07-01", "2024-08-01"]),  # a month
        # Fridays, Thanksgiving week's report on Thursday: back on Fridays (went on Wednesday, then Tuesday); it is
        # that week's report (round 55: the next is the next week's, not the Friday the day after it)
        (["2024-11-01", "2024-11-08", "2024-11-15", "2024-11-22", "2024-11-28"], ["2024-12-06", "2024-12-13"]),
    ],
)
def test_a_series_missing_a_period_goes_on_at_its_usual_spacing(dates, expected):
    ds = pd.to_datetime(dates).to_numpy()[None]
    times, known = frames.next_timestamps(ds, np.array([len(dates)]), 2)
    assert known.all() and list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))


@pytest.mark.parametrize(
    ("first", "last", "holidays", "expected"),
    [  # adversarial round 34: two holidays together (a step of 3 weekdays) went on to Saturday and Sunday
        ("2024-11-10", "2025-02-14", ["2024-12-25", "2024-12-26", "2025-01-01"], ["2025-02-17", "2025-02-18", "2025-02-19"]),
        ("2024-02-28", "2024-05-31", ["2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09", "2024-05-20"],
         ["2024-06-03", "2024-06-04", "2024-06-05"]),  # Good Friday and Easter Monday, and three more
        ("2024-03-18", "2024-04-02", ["2024-03-29", "2024-04-01"], ["2024-04-03", "2024-04-04", "2024-04-05"]),
    ],
)
def test_business_days_over_holidays_together_go_on_on_weekdays(first, last, holidays, expected):
    days = pd.bdate_range(first, last).drop(pd.DatetimeIndex(holidays))[-64:]
    times, known = frames.next_timestamps(days.to_numpy()[None], np.array([len(days)]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))


@pytest.mark.parametrize("freq", ["BMS", "BME", "BQS", "BQE", "BYS", "MS", "ME"])
def test_business_month_starts_and_ends_go_on_on_weekdays(freq):
    """Closing note 37: a month's first or last weekday (pandas' BMS, BME) went on by the most common spacing
    in days, onto weekends and other days of the month; each time goes on as pandas' calendar of it does."""
    given = pd.date_range("2021-01-01 09:30", periods=12, freq=freq)  # BQE's all on a month's last day till 2022Q4
    times, known = frames.next_timestamps(given.to_numpy()[None], np.array([12]), 6)
    expected = pd.date_range(given[-1], periods=7, freq=freq)[1:]
    assert known.all() and list(pd.to_datetime(times[0])) == list(expected)


@pytest.mark.parametrize(
    ("freq", "start", "off", "to", "periods"),
    [  # adversarial round 54: one time a day or two off its place in the month (a holiday) left every next time
        # to day steps that drift: 2024-05-31, 06-30 after 05-01 where 06-01, 07-01 come
        ("MS", "2023-09-01", 4, "2024-01-02", 8),  # New Year's Day, inside
        ("MS", "2024-01-01", 1, "2024-02-02", 5),  # of 5: all but one, 4
        ("MS", "2024-01-01", 4, "2024-05-02", 5),  # the last one
        ("ME", "2024-01-31", 4, "2024-05-29", 5),
        ("QS", "2023-01-01", 1, "2023-04-03", 5),
        ("YS-JUL", "2019-07-01", 4, "2023-07-03", 6),
        ("BME", "2024-01-31", 2, "2024-03-28", 8),  # Good Friday: the month's last weekday but one
        ("BMS", "2024-01-01", 0, "2024-01-02", 8),  # New Year's Day: the month's first weekday but one
        ("MS", "2024-01-15", 2, "2024-03-16", 6),  # the 15th (MS from the 15th: pandas keeps the day)
        # round 55: a day off into the next month (or the one before) shares that month with its neighbour: the
        # next months are counted from the last time that keeps the place (a month was skipped, or none went on)
        ("ME", "2024-01-31", 5, "2024-07-01", 6),  # June's report on July 1st, the last
        ("QE", "2023-06-30", 4, "2024-07-01", 5),
        ("YE", "2019-12-31", 4, "2024-01-02", 5),
        ("ME", "2024-01-31", 3, "2024-05-01", 6),  # April's on May 1st, inside
        ("MS", "2024-01-01", 5, "2024-05-31", 6),  # June's on May 31st, the last
    ],
)
def test_months_with_one_time_off_their_day_go_on_by_months(freq, start, off, to, periods):
    given = pd.date_range(start, periods=periods, freq=freq) if freq != "MS" or start.endswith("01") else (
        pd.DatetimeIndex([pd.Timestamp(start) + pd.DateOffset(months=i) for i in range(periods)])
    )  # fmt: skip
    expected = (
        pd.date_range(given[-1], periods=4, freq=freq)[1:] if freq != "MS" or start.endswith("01")
        else pd.DatetimeIndex([given[-1] + pd.DateOffset(months=i) for i in range(1, 4)])
    )  # fmt: skip
    shifted = given.to_numpy().copy()
    shifted[off] = np.datetime64(to)
    times, known = frames.next_timestamps(shifted[None], np.array([periods]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(expected)


@pytest.mark.parametrize(
    ("days", "start"),
    [  # closing note 37: Monday-Wednesday-Friday data went on by 2 days, onto a Sunday after a Friday
        ([0, 2, 4], "2024-03-04"),
        ([6, 0, 1, 2, 3], "2024-03-03"),  # Sunday to Thursday
        ([0, 1, 2, 3, 4, 5], "2024-03-04"),  # closed on Sundays
        ([1, 3], "2024-03-04"),
        ([2, 5], "2024-03-06"),
    ],
)
def test_a_series_on_some_days_of_the_week_goes_on_on_those_days(days, start):
    every = pd.date_range(start, periods=120, freq="D")
    on_days = every[every.dayofweek.isin(days)]
    times, known = frames.next_timestamps(on_days[:15].to_numpy()[None], np.array([15]), 4)
    assert known.all() and list(pd.to_datetime(times[0])) == list(on_days[15:19])
    assert pd.to_datetime(times[0]).dayofweek.isin(days).all()


def test_days_of_the_week_need_two_weeks_of_them_and_steps_to_the_next():
    """Monday, Wednesday, Friday alone (four days) shows no week: it goes on by its spacing; days that skip
    days they are on (Monday, Tuesday, Saturday, Tuesday, ...) are no days of the week either; round 36a: a
    daily series that missed one Wednesday in 11 days went on skipping Wednesdays."""
    daily = pd.date_range("2024-03-01", "2024-03-11").drop(pd.Timestamp("2024-03-06"))
    times, known = frames.next_timestamps(daily.to_numpy()[None], np.array([len(daily)]), 3)
    assert known.all() and list(pd.to_datetime(times[0]).strftime("%m-%d")) == ["03-12", "03-13", "03-14"]
    short = pd.DatetimeIndex(["2024-03-04", "2024-03-06", "2024-03-08"])
    scattered = pd.DatetimeIndex(["2024-03-04", "2024-03-05", "2024-03-09", "2024-03-12", "2024-03-13", "2024-03-17"])
    ds = np.full((2, 6), np.datetime64("NaT"), dtype="datetime64[ns]")
    ds[0, :3], ds[1] = short.to_numpy(), scattered.to_numpy()
    times, known = frames.next_timestamps(ds, np.array([3, 6]), 2)
    assert known.all()
    assert list(pd.to_datetime(times[0]).strftime("%a %m-%d")) == ["Sun 03-10", "Tue 03-12"]
    assert list(pd.to_datetime(times[1]).strftime("%a %m-%d")) == ["Thu 03-21", "Mon 03-25"]  # by 4 days: the latest
    # adversarial round 54: two weeks of Monday, Wednesday, Friday (6 values, 11 days) or of Sunday to Thursday
    # (10) went on by their spacing, onto a Sunday; two of each day they are on is enough where they skip two
    # days or more (a daily series of 12 days that missed both its Wednesdays skips one: it goes on daily)
    for days, start, count, expected in (
        ([0, 2, 4], "2024-01-01", 6, ["Mon 01-15", "Wed 01-17", "Fri 01-19"]),
        ([6, 0, 1, 2, 3], "2024-01-07", 10, ["Sun 01-21", "Mon 01-22", "Tue 01-23"]),
        ([0, 1, 3, 4, 5, 6], "2024-01-01", 10, ["Sat 01-13", "Sun 01-14", "Mon 01-15"]),
    ):
        every = pd.date_range(start, periods=30, freq="D")
        on_days = every[every.dayofweek.isin(days)][:count]
        times, known = frames.next_timestamps(on_days.to_numpy()[None], np.array([count]), 3)
        assert known.all() and list(pd.to_datetime(times[0]).strftime("%a %m-%d")) == expected, days


@pytest.mark.parametrize(
    ("ds", "expected"),
    [
        ([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]),  # was 0.5, 0.6000000000000001, 0.7000000000000002, ...
        ([0.7, 0.8, 0.9, 1.0], [1.1, 1.2, 1.3, 1.4]),
        ([2.25, 2.5, 2.75, 3.0], [3.25, 3.5, 3.75, 4.0]),
        ([1e6 + 0.01, 1e6 + 0.02, 1e6 + 0.03, 1e6 + 0.04], [1e6 + 0.05, 1e6 + 0.06, 1e6 + 0.07, 1e6 + 0.08]),
        ([1 / 3, 2 / 3, 1.0, 4 / 3], [4 / 3 + 1 / 3, 4 / 3 + 2 / 3, 4 / 3 + 1.0, 4 / 3 + 4 / 3]),  # no decimals
    ],
)
def test_float_times_continue_without_float_error(ds, expected):
    """Adversarial round 4, item 10: float times were last + k * step, float error and all."""
    times, known = frames.next_timestamps(np.array([ds]), np.array([4]), 4)
    assert known.all()
    if ds[0] == 1 / 3:  # not recorded to decimals: as computed
        np.testing.assert_allclose(times[0], expected, rtol=1e-12)
    else:
        assert times[0].tolist() == expected


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2024-01-01", "2024-01-02", "2024-01-03"], ["2024-01-04", "2024-01-05"]),  # daily
        (["2024-01-01", "2024-01-08", "2024-01-15"], ["2024-01-22", "2024-01-29"]),  # weekly
        (["2024-01-15", "2024-02-15", "2024-03-15"], ["2024-04-15", "2024-05-15"]),  # monthly, by day
        (["2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29"], ["2024-03-31", "2024-04-30"]),  # month ends
        (["2023-01-31", "2023-03-31", "2023-05-31"], ["2023-07-31", "2023-09-30"]),  # every 2 months, clipped
        (["2022-03-31", "2022-06-30", "2022-09-30"], ["2022-12-31", "2023-03-31"]),  # quarter ends
        # adversarial round 10: the 30th, on February's 29th once, went on every 30 days (04-29, 05-29, 06-28)
        (["2023-12-30", "2024-01-30", "2024-02-29", "2024-03-30"], ["2024-04-30", "2024-05-30"]),
        (["2023-12-30", "2024-01-30", "2024-02-29"], ["2024-03-30", "2024-04-30"]),  # last on the shorter month
        (["2021-02-28", "2022-02-28", "2023-02-28"], ["2024-02-29", "2025-02-28"]),  # year ends of February
        (["2024-01-01", "2024-01-03", "2024-01-06"], ["2024-01-09", "2024-01-12"]),  # irregular: the last spacing
        (["2024-01-31", "2024-02-01", "2024-02-02"], ["2024-02-03", "2024-02-04"]),  # daily across a month end
        (["2024-01-01 06:00", "2024-01-01 12:00", "2024-01-01 18:00"], ["2024-01-02 00:00", "2024-01-02 06:00"]),
    ],
)
def test_dates_continue_by_their_frequency(dates, expected):
    ds = pd.to_datetime(dates).to_numpy()[None]
    times, known = frames.next_timestamps(ds, np.array([len(dates)]), 2)
    assert known.all()
    assert list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))


# ------------------------------------------------------------------------------------------ predict_df


def test_predict_df_gives_statsforecast_columns_and_the_batch_predictions(shipped):
    frame = long_frame([5, 12, 30, 70])
    out = shipped.predict_df(frame)
    assert list(out.columns) == ["unique_id", "ds", "numseries", "numseries-lo-80", "numseries-hi-80", "error"]
    assert out["unique_id"].tolist() == ["s0", "s1", "s2", "s3"]
    assert out["ds"].tolist() == [5, 12, 30, 70]  # the next integer of each series
    batch = shipped.predict_batch(series_of(frame), level=80)
    np.testing.assert_allclose(out["numseries"], batch.values, rtol=1e-12)
    lo, hi = batch.interval(80)
    np.testing.assert_allclose(out["numseries-lo-80"], lo, rtol=1e-12)
    np.testing.assert_allclose(out["numseries-hi-80"], hi, rtol=1e-12)
    assert out["error"].isna().all()


@pytest.mark.parametrize(("renamed", "option"), [("numseries", "id_col"), ("error", "time_col"), ("numseries-lo-80", "time_col")])
def test_predict_df_refuses_an_id_or_time_column_named_as_an_answer_s_column(shipped, renamed, option):
    """Adversarial round 29: the answer's columns were written over the ids or times (ids s1, s2 became predictions)."""
    frame = pd.DataFrame({"store": ["s1"] * 4 + ["s2"] * 4, "ds": [0, 1, 2, 3] * 2, "y": [1.0, 2, 4, 7, 3, 5, 4, 6]})
    old = "store" if option == "id_col" else "ds"
    names = {"id_col": "store", "time_col": "ds", option: renamed}
    with pytest.raises(ValueError, match=rf"^{option} '{renamed}' is also the name of a column of the answer"):
        shipped.predict_df(frame.rename(columns={old: renamed}), **names)


def test_predict_df_levels_follow_statsforecast(shipped):
    frame = long_frame([6, 8])
    none = shipped.predict_df(frame, level=[])
    assert list(none.columns) == ["unique_id", "ds", "numseries", "error"]
    two = shipped.predict_df(frame, level=[95, 80])
    assert list(two.columns)[2:-1] == [
        "numseries",
        "numseries-lo-95",
        "numseries-lo-80",
        "numseries-hi-80",
        "numseries-hi-95",
    ]
    assert (two["numseries-lo-95"] <= two["numseries-lo-80"]).all()
    assert (two["numseries-hi-80"] <= two["numseries-hi-95"]).all()


def test_predict_df_names_a_float_level_as_statsforecast_and_utilsforecast_do(shipped):
    """Adversarial round 40: level=[95.0] gave numseries-lo-95, which utilsforecast's evaluate(level=[95.0])
    does not find (statsforecast's models name that level lo-95.0)."""
    frame = long_frame([6, 8])
    floats = shipped.predict_df(frame, level=[95.0, np.float64(80)])
    assert list(floats.columns)[3:-1] == ["numseries-lo-95.0", "numseries-lo-80.0", "numseries-hi-80.0", "numseries-hi-95.0"]
    ints = shipped.predict_df(frame, level=[95, np.int64(80)])
    assert list(ints.columns)[3:-1] == ["numseries-lo-95", "numseries-lo-80", "numseries-hi-80", "numseries-hi-95"]
    np.testing.assert_array_equal(floats.iloc[:, 2:-1].to_numpy(), ints.iloc[:, 2:-1].to_numpy())
    assert list(shipped.predict_df(frame).columns)[3:-1] == ["numseries-lo-80", "numseries-hi-80"]  # the default
    assert list(shipped.predict_df(frame, level=97.5).columns)[3:-1] == ["numseries-lo-97.5", "numseries-hi-97.5"]
    assert list(shipped.predict_df(frame, level=[80, 80]).columns)[3:-1] == ["numseries-lo-80", "numseries-hi-80"]  # round 41


def test_predict_df_steps_are_the_forecast_one_row_per_series_and_step(shipped):
    frame = long_frame([6, 20, 9], seed=3)
    frame["ds"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["ds"], unit="D")
    out = shipped.predict_df(frame, steps=3, level=[80])
    assert out["unique_id"].tolist() == ["s0"] * 3 + ["s1"] * 3 + ["s2"] * 3
    lasts = frame.groupby("unique_id", sort=False)["ds"].max()
    expected_ds = [last + pd.Timedelta(days=k) for last in lasts for k in (1, 2, 3)]
    assert out["ds"].tolist() == expected_ds
    forecast = shipped.forecast_batch(series_of(frame), 3, level=[80])
    np.testing.assert_allclose(out["numseries"].to_numpy().reshape(3, 3), forecast.values, rtol=1e-12)
    lo, hi = (out[f"numseries-{side}-80"].to_numpy().reshape(3, 3) for side in ("lo", "hi"))
    np.testing.assert_allclose(hi[:, 0], forecast.interval(80)[1][:, 0], rtol=1e-12)  # step 1: the model's own
    assert (lo <= out["numseries"].to_numpy().reshape(3, 3)).all() and (lo < hi).any()  # later: bands from the path


def test_predict_df_sorts_rows_in_any_order(shipped):
    frame = long_frame([4, 9, 15, 3, 7], seed=5)
    ordered = shipped.predict_df(frame)
    shuffled = shipped.predict_df(frame.sample(frac=1.0, random_state=1))
    by_date = shipped.predict_df(frame.sort_values(["ds", "unique_id"]))
    pd.testing.assert_frame_equal(shuffled, ordered)  # an unsorted frame comes out sorted by id
    pd.testing.assert_frame_equal(by_date, ordered)


def test_predict_df_gives_bad_series_an_error_or_raises_with_strict(tiny_onnx):
    predictor = Predictor.from_pretrained(tiny_onnx)
    frame = pd.concat([
        long_frame([6, 8]),
        pd.DataFrame({"unique_id": ["short"] * 2, "ds": [0, 1], "y": [1.0, 2.0]}),
        pd.DataFrame({"unique_id": ["gap"] * 4, "ds": [0, 1, 2, 3], "y": [1.0, np.nan, 2.0, 3.0]}),
    ])  # fmt: skip
    out = predictor.predict_df(frame)
    assert out["unique_id"].tolist() == ["s0", "s1", "short", "gap"]
    assert out["numseries"].notna().tolist() == [True, True, False, False]
    assert out["error"].tolist()[:2] == [None, None]
    assert out["error"].tolist()[2].startswith("expected at least 3 values, got 2 in series 'short'")
    assert out["error"].tolist()[3].startswith("series 'gap' has a missing y at ds=1")
    with pytest.raises(ValueError, match="expected at least 3 values, got 2 in series 'short'"):
        predictor.predict_df(frame, strict=True)


def test_predict_df_keeps_the_ids_and_column_names_it_was_given(shipped):
    frame = long_frame([5, 6]).rename(columns={"unique_id": "store", "ds": "week", "y": "sales"})
    frame["store"] = frame["store"].str[1:].astype(int) + 100
    out = shipped.predict_df(frame, id_col="store", time_col="week", target_col="sales", level=[])
    assert list(out.columns) == ["store", "week", "numseries", "error"]
    assert out["store"].tolist() == [100, 101] and out["store"].dtype == frame["store"].dtype


def test_a_series_that_overflows_is_its_own_error(shipped):
    frame = pd.DataFrame({"unique_id": ["big"] * 3 + ["ok"] * 3, "ds": [0, 1, 2] * 2,
                          "y": [-1.7e308, 0.0, 1.7e308, 1.0, 2.0, 3.5]})  # fmt: skip
    out = Predictor.from_pretrained(rules=False).predict_df(frame, level=[])
    assert out["error"][0].startswith("the prediction for series 'big' overflows float64")
    assert np.isnan(out["numseries"][0]) and np.isfinite(out["numseries"][1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda p, f: p.predict_df(f.values), TypeError, "predict_df takes a pandas or polars DataFrame, got ndarray"),
        (lambda p, f: p.predict_df(f.drop(columns="ds")), ValueError, "the frame has no column 'ds'"),
        (lambda p, f: p.predict_df(f, steps=0), ValueError, "steps must be an integer from 1 to 10000, got 0"),
        (lambda p, f: p.predict_df(f, level=[150]), ValueError, "a level must be in \\(0, 100\\) percent"),
        (lambda p, f: p.predict_df(f.iloc[:0]), ValueError, "the frame has no rows"),
        (lambda p, f: p.predict_df(f.assign(unique_id=None)), ValueError, "row 0 has no unique_id"),
    ],
)
def test_bad_calls_are_one_clear_error(shipped, call, error, message):
    with pytest.raises(error, match=message):
        call(shipped, long_frame([4]))


def test_predict_df_on_polars_gives_polars(shipped):
    pl = pytest.importorskip("polars")
    frame = long_frame([5, 9])
    out = shipped.predict_df(pl.from_pandas(frame))
    assert isinstance(out, pl.DataFrame)
    np.testing.assert_allclose(out["numseries"].to_numpy(), shipped.predict_df(frame)["numseries"].to_numpy())


def test_polars_128_bit_integers_are_read_as_numbers_and_ids(shipped):
    """Adversarial round 54: a polars Int128 column raised pyarrow's ArrowInvalid ('_pli128'). Values are read
    exactly (as text), or refused where float64 would round them; ids come back as Int128."""
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"unique_id": pl.Series([7] * 5, dtype=pl.Int128), "ds": list(range(5)),
                          "y": pl.Series([1, 2, 3, 4, 5], dtype=pl.Int128)})  # fmt: skip
    out = shipped.predict_df(frame)
    assert out.schema["unique_id"] == pl.Int128 and out["unique_id"].to_list() == [7] and out["numseries"][0] == 6
    rounded = frame.with_columns(pl.Series("y", [1, 2, 3, 4, 2**60 + 1], dtype=pl.Int128))
    assert "1152921504606846977" in shipped.predict_df(rounded)["error"][0]
    # round 55: times as int64 reads them (epoch nanoseconds were refused as text), and back as Int128
    times = frame.with_columns(pl.Series("ds", [1_700_000_000_000_000_000 + i for i in range(5)], dtype=pl.Int128))
    out = shipped.predict_df(times, steps=2)
    assert out.schema["ds"] == pl.Int128 and out["ds"].to_list() == [1_700_000_000_000_000_005, 1_700_000_000_000_000_006]


def test_polars_durations_step_a_polars_frame_as_statsforecast_does(shipped):
    """Adversarial round 54: read as pandas aliases, polars' '1w' went on on Sundays, '1q' and '1y' at quarter and
    year ends, and '1mo' was refused; statsforecast reads them as polars does with a polars frame."""
    pl = pytest.importorskip("polars")
    pytest.importorskip("statsforecast")
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    frame = pl.DataFrame({"unique_id": ["a"] * 5, "ds": [datetime.date(2024, 1, day) for day in range(1, 6)],
                          "y": [1.0, 2, 3, 4, 5]})  # fmt: skip
    for freq in ("1w", "1mo", "1q", "1y", "2d"):  # (statsforecast refuses pandas aliases with a polars frame)
        expected = StatsForecast(models=[Naive()], freq=freq).forecast(df=frame, h=2)["ds"].to_list()
        assert shipped.predict_df(frame, freq=freq, steps=2)["ds"].to_list() == expected, freq
    # round 55: months from month ends go on on month ends there ('1mo' went on on the 30th); nothing is no step
    ends = frame.head(4).with_columns(pl.Series("ds", [datetime.date(2024, m, d) for m, d in ((1, 31), (2, 29), (3, 31), (4, 30))]))
    for freq in ("1mo", "2mo", "1q"):
        expected = StatsForecast(models=[Naive()], freq=freq).forecast(df=ends, h=3)["ds"].to_list()
        assert shipped.predict_df(ends, freq=freq, steps=3)["ds"].to_list() == expected, freq
    assert shipped.predict_df(ends, freq="1mo", steps=2)["ds"].to_list() == [datetime.date(2024, 5, 31), datetime.date(2024, 6, 30)]
    for freq in ("0mo", "0d"):
        with pytest.raises(ValueError, match=f"^freq '{freq}' steps back or not at all"):
            shipped.predict_df(frame, freq=freq)
    assert frames.polars_offset("3h30m") == pd.DateOffset(hours=3, minutes=30) and frames.polars_offset("2i") == 2
    assert frames.polars_offset("15min") == "15min"  # a pandas alias, as given


def test_messages_name_a_polars_frames_rows_by_position_not_loc(shipped):
    """Adversarial round 54: polars users were told '.loc[1]', which polars has not."""
    pl = pytest.importorskip("polars")
    with pytest.raises(ValueError, match=r"^row 1 has no unique_id \(row 1, counted from 0\); give every row"):
        shipped.predict_df(pl.DataFrame({"unique_id": ["a", None, "a", "a"], "ds": [0, 1, 2, 3], "y": [1.0, 2, 3, 4]}))
    frame = pl.DataFrame({"unique_id": ["a"] * 5, "ds": [0, 1, None, 3, 4], "y": [1.0, 2, 3, 4, 5]})
    assert shipped.predict_df(frame)["error"][0].startswith("series 'a' has a missing ds (row 2, counted from 0);")


def test_the_next_times_keep_the_input_columns_type(shipped):
    # adversarial round 12: a polars Date came back as a Datetime, and a microsecond column as nanoseconds
    pl = pytest.importorskip("polars")
    dates = pl.DataFrame({"unique_id": ["a"] * 4, "ds": [datetime.date(2024, 1, day) for day in range(1, 5)],
                          "y": [1.0, 2, 3, 4.5]})  # fmt: skip
    out = shipped.predict_df(dates, steps=2)
    assert out.schema["ds"] == pl.Date and out["ds"].to_list() == [datetime.date(2024, 1, 5), datetime.date(2024, 1, 6)]
    for kind in (pl.Datetime("us"), pl.Datetime("ms", "Europe/Berlin")):
        assert shipped.predict_df(dates.with_columns(pl.col("ds").cast(kind))).schema["ds"] == kind
    micro = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4).astype("datetime64[us]"),
                          "y": [1.0, 2, 3, 4.5]})  # fmt: skip
    out = shipped.predict_df(micro)
    assert out["ds"].dtype == "datetime64[us]" and out["ds"][0] == pd.Timestamp("2024-01-05")


def test_predict_df_and_a_batch_file_agree(shipped, tmp_path):
    """One implementation: the file path's predictions are the DataFrame's."""
    from numseries import batch_io

    frame = long_frame([4, 9, 2, 30], seed=7).sample(frac=1.0, random_state=0)
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    frame.to_parquet(source)
    summary = batch_io.predict_file(shipped, source, target, levels=[80])
    written = pd.read_parquet(target).sort_values("unique_id", ignore_index=True)
    out = shipped.predict_df(frame)
    assert summary.sorted and summary.failed == 1 and written["unique_id"].tolist() == out["unique_id"].tolist()
    np.testing.assert_array_equal(written["prediction"], out["numseries"])
    np.testing.assert_array_equal(written["hi-80"], out["numseries-hi-80"])
    assert written["ds"].tolist()[:2] == out["ds"].tolist()[:2]
    assert written["error"].tolist() == out["error"].tolist()


def test_predict_df_without_pandas_says_what_to_install(shipped, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "numseries.frames", None)  # as when pandas is missing: the import fails
    with pytest.raises(ImportError, match=r"predict_df needs pandas .*; pip install 'numseries\[io\]'"):
        shipped.predict_df(long_frame([4]))


@pytest.mark.parametrize("kind", ["int", "datetime"])
def test_a_series_with_two_values_at_its_last_ds_gets_its_rows_at_the_next_times(shipped, kind):
    """Adversarial round 5: its error rows both got ds 3 (the last spacing, 0, repeated): duplicate
    (unique_id, ds) keys, one of them a time the series has, which break merges such as utilsforecast's."""
    df = pd.DataFrame({"unique_id": ["d"] * 5 + ["e"] * 4, "ds": [0, 1, 2, 3, 3, 0, 1, 2, 3], "y": [1, 2, 3, 4, 5, 1, 2, 3, 4.0]})
    if kind == "datetime":
        df["ds"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["ds"], unit="D")
    out = shipped.predict_df(df, steps=2)
    rows = out[out["unique_id"] == "d"]
    assert rows["error"].str.contains("two values at ds").all()
    assert rows["ds"].tolist() == out[out["unique_id"] == "e"]["ds"].tolist()  # the next times after 3, as e's
    assert not out.duplicated(["unique_id", "ds"]).any()


@pytest.mark.parametrize("kind", ["int", "datetime"])
def test_a_series_all_at_one_ds_gets_error_rows_with_unknown_times_not_duplicates(shipped, kind):
    """Adversarial round 6: every value at one ds gave its error rows that ds again, each a duplicate key."""
    df = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"] * 4, "ds": [5, 5, 5, 5, 1, 2, 3, 4], "y": [1, 2, 3, 4, 1, 2, 3, 4.0]})
    if kind == "datetime":
        df["ds"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["ds"], unit="D")
    out = shipped.predict_df(df, steps=3)
    rows = out[out["unique_id"] == "a"]
    assert len(rows) == 3 and rows["error"].str.contains("two values at ds").all() and rows["ds"].isna().all()
    assert out[out["unique_id"] == "b"]["ds"].notna().all()


def test_business_day_series_go_on_on_weekdays_and_calendar_days_on_every_day(shipped):
    """Adversarial round 6: Monday-Friday data's last spacing (Friday to Monday, 3 days) was repeated, so its
    next times fell on Thursday, Sunday, Wednesday, Saturday."""
    trading = pd.bdate_range("2024-05-01", periods=40)
    trading = trading[trading != pd.Timestamp("2024-05-27")]  # a holiday skipped
    daily = pd.date_range("2024-03-04", periods=8, freq="D")  # every day: weekends too
    every_other = pd.date_range("2024-03-04", periods=8, freq="2D")
    df = pd.concat(
        [pd.DataFrame({"unique_id": name, "ds": ds, "y": np.arange(len(ds), dtype=float)})
         for name, ds in (("trading", trading), ("daily", daily), ("other", every_other))]
    )
    out = shipped.predict_df(df, steps=4)
    days = {name: rows["ds"].dt.strftime("%a %m-%d").tolist() for name, rows in out.groupby("unique_id")}
    assert trading[-1].strftime("%a %m-%d") == "Tue 06-25"
    assert days["trading"] == ["Wed 06-26", "Thu 06-27", "Fri 06-28", "Mon 07-01"]
    assert days["daily"] == ["Tue 03-12", "Wed 03-13", "Thu 03-14", "Fri 03-15"]
    assert days["other"] == ["Wed 03-20", "Fri 03-22", "Sun 03-24", "Tue 03-26"]


def test_a_short_business_day_series_with_one_holiday_goes_on_on_weekdays(shipped):
    """Adversarial round 25: one holiday in fewer than ten steps was more than HOLIDAYS' share, and the last
    spacing went on: Thursday, Sunday, Wednesday after ten weekdays without Monday the 11th."""
    autumn = pd.bdate_range("2024-11-04", "2024-11-18")
    christmas = pd.bdate_range("2024-12-16", "2024-12-27")
    sparse = pd.DatetimeIndex(["2024-03-04", "2024-03-06", "2024-03-08", "2024-03-11"])  # Mon Wed Fri Mon
    df = pd.concat(
        [pd.DataFrame({"unique_id": name, "ds": ds, "y": np.arange(len(ds), dtype=float) ** 1.5})
         for name, ds in (("autumn", autumn[autumn != "2024-11-11"]),
                          ("christmas", christmas[christmas != "2024-12-25"]), ("sparse", sparse))]
    )
    out = shipped.predict_df(df, steps=3)
    days = {name: rows["ds"].dt.strftime("%a %m-%d").tolist() for name, rows in out.groupby("unique_id")}
    assert days["autumn"] == ["Tue 11-19", "Wed 11-20", "Thu 11-21"]
    assert days["christmas"] == ["Mon 12-30", "Tue 12-31", "Wed 01-01"]
    assert days["sparse"][0] != "Tue 03-12"  # mostly two weekdays apart: not one weekday after another


@pytest.mark.parametrize("dtype", ["float32", "Float32", "float16"])
def test_float32_values_are_the_decimals_they_hold(shipped, tmp_path, capsys, dtype):
    """Adversarial round 14: a float32 0.1 is 0.10000000149011612 as float64, so 0.1 0.2 0.3 0.4 stored as
    float32 (numpy, pandas, a Parquet float column) met no exact rule: 0.5000000074505806, 'straight line'."""
    from numseries.cli import main

    df = pd.DataFrame({"unique_id": ["a"] * 4, "ds": range(4), "y": [0.1, 0.2, 0.3, 0.4]}).astype({"y": dtype})
    assert shipped.predict_df(df)["numseries"].tolist() == [0.5]
    assert shipped.predict(np.asarray(df["y"].to_numpy(), dtype=np.float16 if dtype == "float16" else np.float32)).exact
    wide = np.array([[0.1, 0.2, 0.3, 0.4], [1.5, 2.5, 3.5, 4.5]], dtype=np.float32)
    assert shipped.predict_batch(wide).values.tolist() == [0.5, 5.5]
    if dtype == "float16":
        return
    df.to_parquet(tmp_path / "long.parquet")
    # beside wider columns, stacked into one by a time index (adversarial round 15: not widened there)
    pd.DataFrame(
        {"a": df["y"].to_numpy(), "b": [1.5, 2.5, 3.5, 4.5]}, index=pd.date_range("2024-01-01", periods=4, name="date")
    ).to_parquet(tmp_path / "mixed.parquet")
    assert main(["predict", "--input", str(tmp_path / "mixed.parquet"), "--output", str(tmp_path / "o.csv")]) == 0
    assert pd.read_csv(tmp_path / "o.csv")["exact"].all()
    pd.DataFrame(wide).rename(columns=str).to_parquet(tmp_path / "wide.parquet")
    for name in ("long", "wide"):
        assert main(["predict", "--input", str(tmp_path / f"{name}.parquet"), "--output", str(tmp_path / "o.csv")]) == 0
        assert pd.read_csv(tmp_path / "o.csv")["exact"].all()
    capsys.readouterr()


def test_widened_gives_each_float32_its_shortest_decimal():
    from numseries.series import widened

    rng = np.random.default_rng(0)
    narrow = (rng.normal(size=2000) * 10.0 ** rng.uniform(-40, 38, 2000)).astype(np.float32)
    narrow = np.concatenate([narrow, np.array([0.0, -0.0, np.inf, np.nan, 1e-45, 3.4e38], dtype=np.float32)])
    wide = widened(narrow.reshape(2, -1)).ravel()
    shortest = [  # whole numbers as stored (adversarial round 15: 1e9 + 64 was read as 1000000060)
        float(np.format_float_scientific(x, unique=True)) if np.isfinite(x) and x != np.round(x) else float(x) for x in narrow
    ]
    np.testing.assert_array_equal(wide, np.array(shortest))
    assert widened(np.array([1e9 + 64, 16777217], dtype=np.float32)).tolist() == [1000000064, 16777216]


# --------------------------------------------------------------------------------------------------- freq


@pytest.mark.parametrize("freq", ["D", "B", "W-FRI", "MS", "QE", "h", "15min", "2D"])
def test_freq_steps_each_series_as_statsforecast_does(shipped, freq):
    """Closing note 37: a one-row series got no next ds, and an ambiguous calendar (four 1sts of quarters,
    all weekdays) could not be told: ``freq`` gives the next times, each ``k * freq`` after the last, as
    statsforecast's ``freq`` steps them."""
    from pandas.tseries.frequencies import to_offset

    times = {"a": pd.date_range("2024-01-29 09:00", periods=5, freq="D"), "b": pd.DatetimeIndex(["2024-05-01"])}
    df = pd.concat([pd.DataFrame({"unique_id": k, "ds": ds, "y": np.arange(len(ds), dtype=float)}) for k, ds in times.items()])
    out = shipped.predict_df(df, steps=3, freq=freq)
    offset = to_offset(freq)
    for name, ds in times.items():
        expected = [ds[-1] + k * offset for k in (1, 2, 3)]
        assert out[out["unique_id"] == name]["ds"].tolist() == expected
    assert out[out["unique_id"] == "b"]["error"].str.contains("at least").all()  # one value: still refused


def test_freq_steps_integer_and_float_times_and_the_clock_change(shipped):
    ints = pd.DataFrame({"unique_id": "a", "ds": [10, 20, 30, 40], "y": [1.0, 2, 3, 4]})
    out = shipped.predict_df(ints, steps=2, freq=5)
    assert out["ds"].tolist() == [45, 50] and out["ds"].dtype == np.int64
    floats = ints.assign(ds=[0.1, 0.2, 0.3, 0.4])
    assert shipped.predict_df(floats, steps=3, freq=0.1)["ds"].tolist() == [0.5, 0.6, 0.7]
    # hourly in Berlin through the spring change: instants, not the skipped wall-clock hour twice
    berlin = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-03-31 00:00", periods=2, freq="h", tz="Europe/Berlin"), "y": [1.0, 2]})
    stamps = shipped.predict_df(berlin, steps=3, freq="h")["ds"]
    assert stamps.diff().dropna().eq(pd.Timedelta("1h")).all() and str(stamps.dt.tz) == "Europe/Berlin"
    assert stamps.dt.strftime("%H:%M%z").tolist() == ["03:00+0200", "04:00+0200", "05:00+0200"]


def test_freq_past_what_datetime64_holds_leaves_ds_empty(shipped):
    far = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2261-12-01", periods=4, freq="MS"), "y": [1.0, 2, 3, 4]})
    with pytest.warns(UserWarning, match="pass what datetime64"):
        out = shipped.predict_df(far, steps=4, freq="MS")  # 2262-04-01, then past 2262-04-11
    assert out["ds"].isna().tolist() == [False, True, True, True] and out["numseries"].notna().all()


@pytest.mark.parametrize(
    ("freq", "times", "message"),
    [
        ("x", "dates", "freq 'x' is no pandas frequency"),
        (0, "dates", "freq must be a positive step below 2**63, got 0"),
        (2**63, "integers", "freq must be a positive step below 2**63, got 9223372036854775808"),  # round 36a: a traceback
        (True, "dates", "freq must be a frequency, got True"),
        ([1], "dates", "freq must be a frequency, got list"),
        ("-1D", "dates", "freq '-1D' steps back"),
        (pd.DateOffset(months=0), "dates", "freq <DateOffset: months=0> steps back or not at all"),  # round 55: NaT
        (1, "dates", "freq 1 does not step the time column, which holds dates; give a pandas frequency"),
        ("D", "integers", "freq 'D' does not step the time column, which holds integers; give an integer step"),
        (1.5, "integers", "freq 1.5 does not step the time column, which holds integers"),
    ],
)
def test_a_bad_freq_is_refused_naming_it(shipped, freq, times, message):
    ds = pd.date_range("2024-01-01", periods=4) if times == "dates" else [1, 2, 3, 4]
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": [1.0, 2, 3, 4]})
    with pytest.raises(ValueError, match=re.escape(message)):
        shipped.predict_df(df, freq=freq)


def test_freq_edges_found_in_review(shipped):
    """Adversarial round 36a: a weekly freq past 2262 wrapped to 1677 without a word; a freq finer than the
    column (hours on dates, ms on seconds) was cut back to it (the last date three times); '24h' stepped the
    wall clock across a clock change (23 real hours); an np.timedelta64 freq was its count of units."""
    weekly = pd.DataFrame({"unique_id": "a", "ds": pd.date_range(end="2262-04-03", periods=5, freq="W-FRI"), "y": np.arange(5.0)})
    with pytest.warns(UserWarning, match="pass what datetime64"):
        assert shipped.predict_df(weekly, steps=3, freq="W-FRI")["ds"].isna().tolist() == [False, False, True]
    seconds = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5).astype("datetime64[s]"), "y": np.arange(5.0)})
    stepped = shipped.predict_df(seconds, steps=2, freq="ms")["ds"]
    assert stepped.tolist() == [pd.Timestamp("2024-01-05 00:00:00.001"), pd.Timestamp("2024-01-05 00:00:00.002")]
    assert str(shipped.predict_df(seconds, steps=2)["ds"].dtype) == "datetime64[s]"  # the input's unit, where it holds them
    pl = pytest.importorskip("polars")
    dates = pl.DataFrame({"unique_id": ["a"] * 5, "ds": [datetime.date(2024, 1, d) for d in range(1, 6)], "y": [1.0, 2, 3, 4, 5]})
    hourly = shipped.predict_df(dates, steps=2, freq="h")["ds"].to_list()
    assert hourly == [datetime.datetime(2024, 1, 5, 1), datetime.datetime(2024, 1, 5, 2)]
    assert shipped.predict_df(dates, steps=1, freq="D")["ds"].to_list() == [datetime.date(2024, 1, 6)]
    zoned = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-03-06 12:00", periods=4, tz="America/New_York"), "y": np.arange(4.0)})
    across = shipped.predict_df(zoned, steps=1, freq="24h")["ds"].iloc[0]
    assert across - zoned["ds"].iloc[-1] == pd.Timedelta("24h") and across.hour == 13  # 24 real hours: 13:00 EDT
    assert shipped.predict_df(zoned, steps=1, freq="D")["ds"].iloc[0].hour == 12  # a calendar day
    ints = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3, 4], "y": np.arange(4.0)})
    with pytest.raises(ValueError, match="freq 'h' does not step the time column, which holds integers"):
        shipped.predict_df(ints, freq=np.timedelta64(1, "h"))
    daily = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": np.arange(4.0)})
    assert shipped.predict_df(daily, steps=1, freq=np.timedelta64(6, "h"))["ds"].iloc[0] == pd.Timestamp("2024-01-04 06:00")


@pytest.mark.parametrize(("freq", "start"), [("SMS", "2024-01-01"), ("SMS", "2023-11-15"), ("SME", "2024-01-15"), ("SME", "2023-12-31")])
def test_times_twice_a_month_go_on_twice_a_month(shipped, freq, start):
    """Adversarial round 40: the 1st and the 15th (pandas' SMS) went on at the most common spacing in days
    (2024-03-29, 04-12, 04-26 after 03-15), off the series' own grid."""
    full = pd.date_range(start, periods=9, freq=freq) + pd.Timedelta("9h")
    frame = pd.DataFrame({"unique_id": "a", "ds": full[:6], "y": np.arange(6) * 1.5 + 3})
    assert list(shipped.predict_df(frame, steps=3)["ds"]) == list(full[6:])
    assert list(shipped.predict_df(frame.iloc[1:], steps=3)["ds"]) == list(full[6:])  # from the other half


def test_times_14_days_apart_that_fall_on_the_1st_and_15th_go_on_every_14_days(shipped):
    """Adversarial round 41: 2023-02-01, 02-15, 03-01 (a February of 28 days) went on twice a month."""
    frame = pd.DataFrame({"unique_id": "a", "ds": pd.to_datetime(["2023-02-01", "2023-02-15", "2023-03-01"]), "y": [1.0, 2, 3]})
    assert list(shipped.predict_df(frame, steps=3)["ds"]) == list(pd.to_datetime(["2023-03-15", "2023-03-29", "2023-04-12"]))


@pytest.mark.parametrize(
    ("freq", "start", "off", "to"),
    [  # adversarial round 55: twice-a-month times with one a day or two off (a holiday) went on by day steps
        # (2024-06-29, 07-13, 07-27 after 06-15)
        ("SMS", "2024-01-01", 5, "2024-03-18"),  # the 15th on a Monday the 18th, inside
        ("SMS", "2024-01-01", 9, "2024-05-16"),  # the last
        ("SMS", "2024-01-15", 3, "2024-03-02"),  # the 1st a day late
        ("SMS", "2024-01-01", 2, "2024-01-31"),  # February's 1st a day early, in January
        ("SME", "2024-01-15", 4, "2024-03-14"),
        ("SME", "2024-01-15", 9, "2024-06-01"),  # May's end a day late, in June: the last
        ("SME", "2024-01-31", 6, "2024-04-29"),
    ],
)
def test_times_twice_a_month_with_one_off_its_day_go_on_twice_a_month(freq, start, off, to):
    given = pd.date_range(start, periods=10, freq=freq)
    expected = pd.date_range(given[-1], periods=4, freq=freq)[1:]
    shifted = given.to_numpy().copy()
    shifted[off] = np.datetime64(to)
    times, known = frames.next_timestamps(shifted[None], np.array([10]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(expected)


def test_times_twice_a_month_with_two_off_their_days_go_on_twice_a_month_three_by_their_spacing():
    """All but one or two of the last 9 keep the place (round 59: two holidays went on by 14-day steps); three
    off their days are no twice-a-month series."""
    given = pd.date_range("2024-01-01", periods=10, freq="SMS").to_numpy().copy()
    given[[5, 7]] = np.datetime64("2024-03-18"), np.datetime64("2024-04-16")
    times, _ = frames.next_timestamps(given[None], np.array([10]), 2)
    assert list(pd.to_datetime(times[0])) == [pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-15")]
    given[8] = np.datetime64("2024-05-02")
    times, _ = frames.next_timestamps(given[None], np.array([10]), 1)
    assert pd.Timestamp(times[0, 0]) != pd.Timestamp("2024-06-01")


@pytest.mark.parametrize(
    ("days", "moved", "to", "expected"),
    [  # adversarial round 55: Monday-Wednesday-Friday data with one report moved a day for a holiday went on by
        # its spacing in days (a Sunday, a Tuesday, a Thursday)
        ([0, 2, 4], "2024-03-13", "2024-03-14", ["2024-04-08", "2024-04-10", "2024-04-12"]),  # inside
        ([0, 2, 4], "2024-04-03", "2024-04-04", ["2024-04-05", "2024-04-08", "2024-04-10"]),  # Wednesday's, last
        ([0, 2, 4], "2024-03-29", "2024-03-28", ["2024-04-08", "2024-04-10", "2024-04-12"]),  # Good Friday's early
        ([1, 3], "2024-03-21", "2024-03-22", ["2024-04-09", "2024-04-11", "2024-04-16"]),
    ],
)
def test_days_of_the_week_with_one_time_moved_go_on_on_those_days(days, moved, to, expected):
    given = [day for day in pd.date_range("2024-03-04", "2024-04-05") if day.dayofweek in days]
    given = [pd.Timestamp(to) if day == pd.Timestamp(moved) else day for day in given]
    given = [day for day in given if day <= pd.Timestamp(to)] if moved >= "2024-04-01" else given
    times, known = frames.next_timestamps(pd.DatetimeIndex(given).to_numpy()[None], np.array([len(given)]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))


@pytest.mark.parametrize(("moves", "end", "expected"), [
    # adversarial round 59: two moved (Thursday, Saturday) in 15 went on by spacing, onto Sundays
    ({4: 1, 9: 1}, "2024-02-02", ["2024-02-05", "2024-02-07", "2024-02-09"]),
    ({5: 1, 20: -1, 33: 1}, "2024-04-30", ["2024-05-01", "2024-05-03", "2024-05-06"]),  # 3 in 52 values
])
def test_days_of_the_week_with_a_few_times_moved_go_on_on_those_days(moves, end, expected):
    given = [day for day in pd.date_range("2024-01-01", end) if day.dayofweek in (0, 2, 4)]
    for at, days in moves.items():
        given[at] += pd.Timedelta(days=days)
    times, known = frames.next_timestamps(pd.DatetimeIndex(given).to_numpy()[None], np.array([len(given)]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))


def test_days_of_the_week_with_two_times_moved_together_or_too_many_go_on_by_their_spacing():
    """A holiday moves one time; two in a row on other days, or more than a tenth of them, are no days-of-the-week
    series."""
    given = [day for day in pd.date_range("2024-03-04", "2024-04-05") if day.dayofweek in (0, 2, 4)]
    together = [day + pd.Timedelta("1D") if day in (pd.Timestamp("2024-03-13"), pd.Timestamp("2024-03-15")) else day for day in given]
    many = [day + pd.Timedelta("1D") if day.day in (6, 13, 20) else day for day in given]  # three Wednesdays of 15
    for ds in (together, many):
        times, _ = frames.next_timestamps(pd.DatetimeIndex(ds).to_numpy()[None], np.array([len(ds)]), 1)
        assert pd.Timestamp(times[0, 0]) != pd.Timestamp("2024-04-08")


def test_naive_and_aware_series_in_one_column_come_back_each_as_given(shipped):
    """Adversarial round 54: an object column of naive and aware datetimes gave every next time in UTC, the
    naive series' read as UTC (05:00 naive came back 05:00+00:00)."""
    naive = pd.date_range("2024-01-01", periods=5, freq="h")
    paris = pd.date_range("2024-01-01", periods=5, freq="h", tz="Europe/Paris")
    frame = pd.concat([
        pd.DataFrame({"unique_id": uid, "ds": list(times), "y": np.arange(5.0)})
        for uid, times in (("a", naive), ("b", paris), ("c", naive), ("d", paris))
    ], ignore_index=True)  # fmt: skip
    assert frame["ds"].dtype == object
    out = shipped.predict_df(frame, steps=2)
    after = {uid: list(group["ds"]) for uid, group in out.groupby("unique_id")}
    for uid in "ac":
        assert after[uid] == [pd.Timestamp("2024-01-01 05:00"), pd.Timestamp("2024-01-01 06:00")]
    for uid in "bd":
        assert after[uid] == [pd.Timestamp("2024-01-01 05:00", tz="Europe/Paris"), pd.Timestamp("2024-01-01 06:00", tz="Europe/Paris")]
        assert all(stamp.utcoffset() == pd.Timedelta("1h") for stamp in after[uid])


@pytest.mark.parametrize(("freq", "quoted"), [("YS", "'YS'"), ("W", "'W'"), ("QS-FEB", "'QS-FEB'"), ("2YE", "'2YE'")])
def test_a_freq_that_cannot_step_the_times_is_quoted_as_given(shipped, freq, quoted):
    """Adversarial round 54: --freq YS was quoted back as 'YS-JAN', pandas' name for it."""
    ints = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=f"^freq {quoted} does not step the time column"):
        shipped.predict_df(ints, freq=freq)


@pytest.mark.parametrize(("days", "start", "moved_to", "expected"), [
    # adversarial round 59: New Year's Day's report on the 2nd, the first time, went on every 2 days
    ([0, 2, 4], "2024-01-01", "2024-01-02", ["2024-02-05", "2024-02-07", "2024-02-09"]),
    ([1, 3], "2024-01-02", "2024-01-03", ["2024-02-06", "2024-02-08", "2024-02-13"]),
])
def test_days_of_the_week_with_the_first_time_moved_go_on_on_those_days(days, start, moved_to, expected):
    given = [day for day in pd.date_range(start, "2024-02-02") if day.dayofweek in days]
    given[0] = pd.Timestamp(moved_to)
    times, known = frames.next_timestamps(pd.DatetimeIndex(given).to_numpy()[None], np.array([len(given)]), 3)
    assert known.all() and list(pd.to_datetime(times[0])) == list(pd.to_datetime(expected))
