"""The next times ``predict_df`` and batch files infer from each series' own times (adversarial round 65a): a last
time a little off the series' grid, monthly data on no fixed day of the month, month starts stored in UTC across
a clock change, and float times."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from conftest import predict_cli as predict  # noqa: E402
from numseries import frames  # noqa: E402  (needs pandas, checked above)

Y = [5.0, 7, 6, 8, 9, 8, 10, 11]


def next_ds(predictor, ds, steps=2):
    """The next times ``predict_df`` gives one series at ``ds``."""
    frame = pd.DataFrame({"unique_id": "a", "ds": ds, "y": (Y * 10)[: len(ds)]})
    return predictor.predict_df(frame, steps=steps, level=[])["ds"].tolist()


def file_ds(capsys, tmp_path, model, text, steps):
    """The next times ``numseries predict --input FILE --output FILE`` writes for a CSV file of ``text``."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text)
    code, _, err = predict(capsys, "--weights", model, "--input", str(source), "--output", str(target), "--steps", str(steps))
    assert code == 0, err
    return pd.read_csv(target)["ds"].tolist()


# --------------------------------------------------------------------------------- a last time off the grid


def test_a_last_time_a_little_off_the_grid_stands_for_the_nearest_point_of_it(predictor):
    """#1: the next time was the grid's first point after the last time, however near (an hour after a daily
    series' last reading, an hour early); it is one spacing after the point nearest the last time."""
    early = pd.to_datetime(["2024-01-01 09:00", "2024-01-02 09:00", "2024-01-03 09:00", "2024-01-04 09:00", "2024-01-05 08:00"])
    assert next_ds(predictor, early) == list(pd.to_datetime(["2024-01-06 09:00", "2024-01-07 09:00"]))
    late = early[:-1].append(pd.DatetimeIndex(["2024-01-05 10:00"]))  # late: as before, on from the point before it
    assert next_ds(predictor, late) == list(pd.to_datetime(["2024-01-06 09:00", "2024-01-07 09:00"]))
    assert next_ds(predictor, [0, 10, 20, 30, 39]) == [50, 60]
    assert next_ds(predictor, [0, 10, 20, 30, 31]) == [40, 50]
    assert next_ds(predictor, [0, 10, 20, 30, 35]) == [50, 60]  # halfway, after a time at 30: it stands for 40
    assert next_ds(predictor, [0, 10, 20, 40, 50, 65]) == [70, 80]  # halfway, no time at 60: the earlier point
    # local midnights stored in UTC, the last after the spring clock change (1 April, 22:00 UTC): the next day
    # (it went on to 31 March, 23:00 UTC, an hour after it, on the same local day)
    utc = pd.date_range("2024-03-25", periods=8, freq="D", tz="Europe/Berlin").tz_convert("UTC")
    assert next_ds(predictor, utc) == list(pd.to_datetime(["2024-04-01 23:00", "2024-04-02 23:00"]).tz_localize("UTC"))
    assert next_ds(predictor, utc.tz_localize(None)) == list(pd.to_datetime(["2024-04-01 23:00", "2024-04-02 23:00"]))


def test_a_batch_file_whose_last_time_is_a_little_early_goes_on_a_spacing_after_its_grid_point(capsys, tmp_path, model):
    rows = "".join(f"a,2024-01-0{day} {'08' if day == 5 else '09'}:00,{y}\n" for day, y in zip(range(1, 6), Y, strict=False))
    written = file_ds(capsys, tmp_path, model, "unique_id,ds,y\n" + rows, 2)
    assert written == ["2024-01-06 09:00:00", "2024-01-07 09:00:00"]


# ------------------------------------------------------------------------------------------- float times


def test_float_times_go_on_as_integer_times_do(predictor):
    """#4: float times went on by their last spacing alone (2000.0 ... 2003.0, 2005.0 by 2, where the same
    integers went on by 1, and the same floats did too beside a missing time, read then as integers)."""
    years = [2000, 2001, 2002, 2003, 2005]
    assert next_ds(predictor, years) == [2006, 2007]
    floats = next_ds(predictor, [float(year) for year in years])
    assert floats == [2006.0, 2007.0] and all(isinstance(time, float) for time in floats)  # floats stay floats
    beside = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"], "ds": [*map(float, years), np.nan], "y": [*Y[:5], 1.0]})
    assert predictor.predict_df(beside, steps=2, level=[]).query("unique_id == 'a'")["ds"].tolist() == [2006, 2007]
    # back on the grid most times keep, in units of their last decimal, as integers are
    assert next_ds(predictor, [0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.4]) == [4.0, 4.5]
    assert next_ds(predictor, [0.1, 0.2, 0.3, 0.5]) == [0.6, 0.7]  # 0.1 missed: 0.1 apart, not 0.2
    times, known = frames.next_timestamps(np.array([[1 / 3, 2 / 3, 1.0, 4 / 3]]), np.array([4]), 2)  # no decimals
    assert known.all()
    np.testing.assert_allclose(times[0], [5 / 3, 2.0], rtol=1e-12)  # by the last spacing, as before


def test_a_batch_file_of_float_times_goes_on_at_their_most_common_spacing(capsys, tmp_path, model):
    rows = "".join(f"a,{year}.0,{y}\n" for year, y in zip([2000, 2001, 2002, 2003, 2005], Y, strict=False))
    assert file_ds(capsys, tmp_path, model, "unique_id,ds,y\n" + rows, 2) == [2006.0, 2007.0]


# ------------------------------------------------------------------------------- monthly, on no fixed day


def third_business_days(start, months):
    """The 3rd business day of each of ``months`` months from ``start``, as pandas steps to it."""
    return pd.DatetimeIndex([eve + pd.offsets.BusinessDay(3) for eve in pd.date_range(start, periods=months, freq="MS") - pd.Timedelta("1D")])


@pytest.mark.parametrize(
    ("given", "steps", "expected"),
    [  # #2: they went on by days (28 or 30 apart): twice in a month, skipping one, onto a weekend
        (pd.date_range("2023-01-01", periods=18, freq="WOM-1FRI"), 4, pd.date_range("2024-07-01", periods=4, freq="WOM-1FRI")),
        (pd.date_range("2023-01-01", periods=18, freq="WOM-2TUE"), 5, pd.date_range("2024-07-01", periods=5, freq="WOM-2TUE")),
        (pd.date_range("2023-01-01", periods=18, freq="WOM-3WED"), 3, pd.date_range("2024-07-01", periods=3, freq="WOM-3WED")),
        (pd.date_range("2023-01-01", periods=8, freq=pd.offsets.LastWeekOfMonth(weekday=4)), 3,
         pd.date_range("2023-09-01", periods=3, freq=pd.offsets.LastWeekOfMonth(weekday=4))),  # last Fridays
        (pd.date_range("2022-01-01", periods=7, freq="WOM-1FRI")[::3], 2, pd.to_datetime(["2022-10-07", "2023-01-06"])),
        (third_business_days("2023-01-01", 18), 4, third_business_days("2024-07-01", 4)),
        # report dates a few days apart: on the 3rd, the day most are on, moved off a weekend (none is on one)
        (pd.to_datetime(["2024-01-03", "2024-02-05", "2024-03-04", "2024-04-03", "2024-05-03", "2024-06-04"]), 12,
         pd.to_datetime(["2024-07-03", "2024-08-02", "2024-09-03", "2024-10-03", "2024-11-04", "2024-12-03", "2025-01-03",
                         "2025-02-03", "2025-03-03", "2025-04-03", "2025-05-02", "2025-06-03"])),
        (pd.to_datetime(["2024-01-31", "2024-02-27", "2024-03-29", "2024-04-30", "2024-05-30"]), 2,
         pd.to_datetime(["2024-06-28", "2024-07-30"])),  # the 30th, June's a Sunday: the Friday before (in June)
    ],
)
def test_monthly_data_on_no_fixed_day_goes_on_one_time_a_month(predictor, given, steps, expected):
    assert next_ds(predictor, given + pd.Timedelta("08:30:00"), steps) == list(expected + pd.Timedelta("08:30:00"))


def test_data_a_fixed_number_of_days_apart_goes_on_so(predictor):
    """Every 28 or 31 days is no monthly data, though each time is in a month of its own."""
    for spacing in ("28D", "31D"):
        given = pd.date_range("2024-01-05", periods=5, freq=spacing)
        assert next_ds(predictor, given) == list(given[-1] + pd.to_timedelta([spacing, spacing]) * [1, 2])


def test_a_batch_file_of_first_fridays_goes_on_on_first_fridays(capsys, tmp_path, model):
    fridays = pd.date_range("2023-01-01", "2024-06-30", freq="WOM-1FRI")
    text = "date,payrolls\n" + "".join(f"{day.date()},{100 + i}\n" for i, day in enumerate(fridays))
    written = file_ds(capsys, tmp_path, model, text, 4)
    assert pd.to_datetime(written).tolist() == list(pd.date_range("2024-07-01", periods=4, freq="WOM-1FRI"))


# ------------------------------------------------------------------------ month starts across a clock change


@pytest.mark.parametrize(
    ("zone", "freq", "expected"),
    [  # #3: went on every 31 days (2024-07-01 22:00Z, 08-01, 09-01: a day later each month); at the last time's clock
        ("Europe/Berlin", "MS", ["2024-06-30 22:00", "2024-07-31 22:00", "2024-08-31 22:00"]),
        ("Europe/London", "MS", ["2024-06-30 23:00", "2024-07-31 23:00", "2024-08-31 23:00"]),  # 00:00Z in winter
        ("America/New_York", "MS", ["2024-07-01 04:00", "2024-08-01 04:00", "2024-09-01 04:00"]),
        ("Europe/Berlin", "ME", ["2024-07-30 22:00", "2024-08-30 22:00", "2024-09-29 22:00"]),  # a day before, in UTC
    ],
)
def test_local_month_starts_stored_in_utc_across_a_clock_change_go_on_by_months(predictor, zone, freq, expected):
    given = pd.date_range("2024-01-01", periods=6, freq=freq, tz=zone).tz_convert("UTC")
    assert next_ds(predictor, given, 3) == list(pd.to_datetime(expected).tz_localize("UTC"))
    assert next_ds(predictor, given.tz_localize(None), 3) == list(pd.to_datetime(expected))  # naive, the same


def test_first_fridays_at_a_local_hour_stored_in_utc_keep_first_fridays(predictor):
    given = (pd.date_range("2023-11-01", periods=10, freq="WOM-1FRI") + pd.Timedelta("08:30:00")).tz_localize("America/New_York")
    expected = pd.to_datetime(["2024-09-06 12:30", "2024-10-04 12:30"]).tz_localize("UTC")  # 08:30 in New York
    assert next_ds(predictor, given.tz_convert("UTC")) == list(expected)


def test_a_batch_file_of_local_month_starts_in_utc_goes_on_by_months(capsys, tmp_path, model):
    given = pd.date_range("2024-01-01", periods=6, freq="MS", tz="Europe/Berlin").tz_convert("UTC")
    text = "unique_id,ds,y\n" + "".join(f"a,{time.isoformat()},{y}\n" for time, y in zip(given, Y, strict=False))
    written = file_ds(capsys, tmp_path, model, text, 3)
    assert pd.to_datetime(written).tolist() == list(pd.to_datetime(["2024-06-30 22:00", "2024-07-31 22:00", "2024-08-31 22:00"]).tz_localize("UTC"))
