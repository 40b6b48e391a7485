"""Counts' intervals and forecasts stop at 0: a window of whole numbers none below 0, or one back up from a 0 it
reached, gets no interval, path or band below 0 (adversarial round 46: low counts got symmetric bands below 0)."""

from __future__ import annotations

import numpy as np
import pytest

from numseries.intervals import never_below_zero
from numseries.predict import Predictor

COUNTS = [3, 5, 2, 4, 6, 3, 5, 4, 2]
INTERMITTENT = [0, 2.5, 0, 1.5, 3, 0, 0, 1, 2, 0, 1]  # back up from its zeros
FALLING = [5.2, 3.1, 2.4, 1.3, 0.6]  # above 0 so far, not counts: it may cross


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained()


def test_which_windows_never_go_below_zero():
    rows = [COUNTS, INTERMITTENT, FALLING, [5, 3, 2, 1, 0], [2, -1, 3, 4], [0.5, 0, 0, 0]]
    values = np.full((len(rows), 11), np.nan)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    lengths = np.array([len(row) for row in rows])
    decimals = np.array([0, 1, 1, 0, 0, 1])
    assert never_below_zero(values, lengths, decimals).tolist() == [True, True, False, True, False, False]


def test_counts_get_intervals_and_bands_from_zero(shipped, monkeypatch):
    for window in (COUNTS, INTERMITTENT):
        prediction = shipped.predict(window, level=[80, 95])
        forecast = shipped.forecast(window, 6, level=[80, 95])
        batch = shipped.predict_batch([window, FALLING], level=[95])
        assert prediction.value >= 0 and prediction.interval(95)[0] >= 0
        if window is COUNTS:
            assert prediction.interval(95) == (0, 8)  # the README's
        assert batch.interval(95)[0][0] == prediction.interval(95)[0] == forecast.interval(95)[0][0]
        assert (forecast.values >= 0).all() and all((forecast.interval(level)[0] >= 0).all() for level in (80, 95))
        assert all((lo <= forecast.values).all() and (forecast.values <= hi).all()
                   for lo, hi in (forecast.interval(level) for level in (80, 95)))
    for module in ("numseries.intervals", "numseries.forecast"):  # no window is taken for counts
        monkeypatch.setattr(f"{module}.never_below_zero", lambda _values, lengths, _decimals: np.zeros(len(lengths), bool))
    assert shipped.predict(COUNTS, level=[95]).interval(95) == (-1, 8)  # without the floor (the README's)
    assert shipped.forecast(COUNTS, 6, level=[95]).interval(95)[0].min() < 0


def test_a_positive_decay_that_may_cross_zero_and_a_count_predicted_below_it_keep_their_bands(shipped):
    assert shipped.forecast(FALLING, 4, level=[80]).interval(80)[0].min() < 0  # decimals, no zero reached
    forecast = shipped.forecast([5, 3, 2, 1, 0], 3, level=[80])
    assert forecast.values[0] < 0 and (forecast.values[1:] < 0).all()  # step 1 below 0: not floored, nor its path
    lo, hi = forecast.interval(80)
    assert (lo <= forecast.values).all() and (forecast.values <= hi).all()


def test_an_intermittent_count_predicted_a_little_below_0_keeps_the_floor_from_step_2(shipped):
    # adversarial round 66: a step 1 of -0.336 took the floor off every step: bands down to -6 at steps 2-8
    window = [0, 0, 0, 0, 0, 3, 0, 0, 0, 6, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 6, 0, 0, 4]
    forecast = shipped.forecast(window, 8, level=[80, 95])
    assert forecast.values[0] < 0 and forecast.interval(95)[0][0] < 0  # step 1: predict's, as it is
    assert forecast.values[0] == shipped.predict(window).value
    assert (forecast.values[1:] >= 0).all()
    assert all((forecast.interval(level)[0][1:] >= 0).all() for level in (80, 95))
