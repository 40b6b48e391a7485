"""Baselines: exact on straight lines, hand-computed elsewhere, fallbacks on series they refuse."""

from __future__ import annotations

import numpy as np
import pytest

from numseries.baselines import ALL, drift, forecast, last_value, linear_fit


def _lines(lengths, width=12):
    """Straight lines of the given lengths, right-padded with zeros, and their next values."""
    lengths = np.asarray(lengths)
    slopes = np.linspace(-3e5, 2.0, len(lengths)) + 0.37
    starts = np.linspace(1e6, -4.0, len(lengths))
    t = np.arange(width)[None, :]
    masks = t < lengths[:, None]
    data = np.where(masks, starts[:, None] + slopes[:, None] * t, 0.0)
    return data, masks, starts + slopes * lengths, slopes


@pytest.mark.parametrize("baseline", [drift, linear_fit])
def test_drift_and_linear_fit_are_exact_on_straight_lines(baseline):
    data, masks, next_values, slopes = _lines([2, 3, 5, 8, 12])
    predictions, fell_back = baseline(data, masks)
    np.testing.assert_allclose((predictions - next_values) / slopes, 0.0, atol=1e-9)
    assert not fell_back.any()


def test_last_value_is_the_last_valid_value():
    data, masks, _, _ = _lines([2, 5, 12])
    predictions, _ = last_value(data, masks)
    np.testing.assert_array_equal(predictions, data[[0, 1, 2], [1, 4, 11]])


def test_drift_and_linear_fit_by_hand():
    data = np.array([[0.0, 1.0, 0.0, 1.0]])
    masks = np.ones_like(data, dtype=bool)
    assert drift(data, masks)[0][0] == pytest.approx(1 + 1 / 3)
    # the least-squares line has slope 0.2 through (1.5, 0.5): at t = 4 it is 0.5 + 0.2 * 2.5
    assert linear_fit(data, masks)[0][0] == pytest.approx(1.0)


# AutoETS fits lines exactly and AutoTheta nearly; on a noise-free line AutoARIMA sometimes picks a model
# without drift (it depends on rounding in the last digit) and predicts the last value, one step off.
@pytest.mark.parametrize("name, tolerance", [("auto_ets", 1e-9), ("auto_theta", 1e-2), ("auto_arima", 1.0 + 1e-9)])
def test_statistical_baselines_follow_straight_lines(name, tolerance):
    pytest.importorskip("statsforecast")
    data, masks, next_values, slopes = _lines([8, 10, 12])
    predictions, fell_back = forecast(name, data, masks)
    np.testing.assert_allclose((predictions - next_values) / slopes, 0.0, atol=tolerance)
    assert not fell_back.any()


def test_series_a_baseline_refuses_fall_back_to_the_last_value_and_are_marked():
    pytest.importorskip("statsforecast")
    data, masks, _, _ = _lines([5, 6, 9])  # AutoETS needs at least 7 values
    predictions, fell_back = forecast("auto_ets", data, masks)
    np.testing.assert_array_equal(fell_back, [True, True, False])
    np.testing.assert_array_equal(predictions[:2], last_value(data[:2], masks[:2])[0])


def test_statistical_baselines_run_in_parallel_processes_with_the_same_result():
    pytest.importorskip("statsforecast")
    data, masks, _, _ = _lines([8, 9, 10, 11, 12])
    serial, _ = forecast("auto_theta", data, masks)
    parallel, _ = forecast("auto_theta", data, masks, n_jobs=2)
    np.testing.assert_allclose(parallel, serial)


def test_unknown_baseline_names_the_known_ones():
    data, masks, _, _ = _lines([4])
    with pytest.raises(ValueError, match="unknown baseline 'naive'; choose from: last_value"):
        forecast("naive", data, masks)
    assert "auto_arima" in ALL


def test_bad_n_jobs_is_refused():
    data, masks, _, _ = _lines([4])
    with pytest.raises(ValueError, match="n_jobs must be a positive integer, got 0"):
        forecast("auto_ets", data, masks, n_jobs=0)
