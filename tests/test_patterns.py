"""Patterns in words from the pattern head's probabilities."""

from __future__ import annotations

import numpy as np

from numseries.patterns import UNCLEAR, describe_batch

NAMES = ("noisy_line", "random_walk", "ar", "sinusoidal")


def _describe(probabilities, values=(1.0, 4.0, 7.0, 10.0)):
    values = np.array([values])
    texts, confidence = describe_batch(np.array([probabilities]), NAMES, values, np.array([values.shape[1]]))
    return texts[0], float(confidence[0])


def test_a_clear_family_is_named_alone_with_its_probability():
    assert _describe([0.05, 0.05, 0.1, 0.8]) == ("sine wave", 0.8)


def test_a_trend_is_named_with_its_least_squares_step():
    text, _ = _describe([0.9, 0.05, 0.03, 0.02], values=(1.0, 4.5, 6.5, 10.0))
    assert text == "noisy straight line (+2.9 per step)"


def test_two_families_the_head_cannot_tell_apart_are_named_together():
    text, confidence = _describe([0.05, 0.45, 0.4, 0.1])
    assert text == "random walk or autoregressive oscillation"
    assert np.isclose(confidence, 0.85)


def test_no_clear_pattern_when_belief_is_spread():
    assert _describe([0.3, 0.3, 0.2, 0.2])[0] == UNCLEAR


def test_each_series_gets_its_own_slope_over_its_own_length():
    values = np.array([[0.0, 2, 4, 6, 0, 0], [9.0, 6, 3, 0, -3, -6]])
    probabilities = np.array([[1.0, 0, 0, 0], [1.0, 0, 0, 0]])
    texts, _ = describe_batch(probabilities, NAMES, values, np.array([4, 6]))
    assert texts == ["noisy straight line (+2 per step)", "noisy straight line (-3 per step)"]
