"""The real-data suite loads offline from the files installed with statsmodels."""

from __future__ import annotations

import socket

import numpy as np
import pytest

pytest.importorskip("statsmodels")

from numseries.realdata import BUCKETS, FREQUENCIES, FREQUENCY, MAX_SERIES_LENGTH, load_series, real_cases  # noqa: E402


@pytest.fixture(scope="module")
def series():
    return load_series()


def test_suite_loads_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    datasets = load_series()
    for name in ["sunspots", "co2", "nile", "elnino", "macrodata"]:
        assert name in datasets
    assert {"realgdp", "cpi", "unemp", "tbilrate"} <= set(datasets["macrodata"])


def test_every_series_is_finite_and_long_enough(series):
    for dataset, columns in series.items():
        for name, values in columns.items():
            assert values.ndim == 1 and np.isfinite(values).all(), (dataset, name)
            assert len(values) > BUCKETS[0][0], (dataset, name)


def test_cases_are_consecutive_slices_followed_by_their_next_value(series):
    cases = real_cases(cases_per_bucket=10)
    sunspots = series["sunspots"]["SUNACTIVITY"]
    rows = np.flatnonzero(cases.families == "sunspots")
    assert len(rows) == 20
    for i in rows:
        context = cases.data[i, : cases.lengths[i]]
        n = len(context)
        starts = [s for s in range(len(sunspots) - n) if np.array_equal(sunspots[s : s + n], context)]
        assert any(sunspots[s + n] == cases.labels[i] for s in starts)


def test_cases_respect_buckets_budgets_and_seed():
    cases = real_cases(cases_per_bucket=12)
    assert cases.data.shape[1] == 64 and cases.masks.sum(axis=1).tolist() == cases.lengths.tolist()
    in_bucket = np.zeros(len(cases), dtype=bool)
    for lo, hi in BUCKETS:
        bucket = (cases.lengths >= lo) & (cases.lengths <= hi)
        in_bucket |= bucket
        for dataset in cases.family_names:
            assert (bucket & (cases.families == dataset)).sum() <= 12
    assert in_bucket.all()
    np.testing.assert_array_equal(cases.clean_labels, cases.labels)
    again = real_cases(cases_per_bucket=12)
    np.testing.assert_array_equal(again.data, cases.data)
    assert not np.array_equal(real_cases(cases_per_bucket=12, seed=1).lengths, cases.lengths)


def test_bad_budget_is_refused():
    with pytest.raises(ValueError, match="cases_per_bucket must be >= 1, got 0"):
        real_cases(cases_per_bucket=0)


def test_every_sampling_frequency_is_in_the_suite(series):
    assert set(FREQUENCY) == set(series)  # every dataset has its frequency, and only datasets of the suite
    assert set(FREQUENCY.values()) == set(FREQUENCIES)
    assert {"temp_max", "temp_min", "wind", "precipitation"} == set(series["seattle_weather"])
    assert (series["seattle_weather"]["precipitation"] == 0).mean() > 0.3  # intermittent: dry days are 0
    for values in series["hourly_temperature"].values():  # hourly: a daily cycle of 24 values
        detrended = values - np.convolve(values, np.ones(24) / 24, mode="same")
        inner = detrended[24:-24]
        day = np.corrcoef(inner[:-24], inner[24:])[0, 1]
        half_day = np.corrcoef(inner[:-12], inner[12:])[0, 1]
        assert day > 0.5 and half_day < 0, (day, half_day)


def test_long_series_keep_their_last_values(series):
    from statsmodels import datasets

    weekly = datasets.co2.load_pandas().data["co2"].interpolate().to_numpy()
    assert len(weekly) > MAX_SERIES_LENGTH
    np.testing.assert_array_equal(series["co2_weekly"]["co2"], weekly[-MAX_SERIES_LENGTH:])
    assert max(len(v) for columns in series.values() for v in columns.values()) == MAX_SERIES_LENGTH


def test_datasets_added_later_leave_the_cases_of_the_others_unchanged(series, monkeypatch):
    cases = real_cases(cases_per_bucket=10)
    for frequency in FREQUENCIES:
        assert any((cases.families == name).any() for name, f in FREQUENCY.items() if f == frequency), frequency
    import numseries.realdata as realdata

    first = {name: series[name] for name in ("sunspots", "nile")}  # as if the others were not there yet
    monkeypatch.setattr(realdata, "load_series", lambda: first)
    fewer = real_cases(cases_per_bucket=10)
    for name in first:
        np.testing.assert_array_equal(fewer.data[fewer.families == name], cases.data[cases.families == name])
        np.testing.assert_array_equal(fewer.labels[fewer.families == name], cases.labels[cases.families == name])
