"""The prediction written as its weighted terms, and the choice of gradient graph by length."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from numseries.explain import bucket_lengths, gradient_path, weighted_sum


def test_a_straight_line_reads_as_its_two_terms():
    values, weights = np.array([2.0, 4, 6, 8, 10]), np.array([-0.25, 1e-9, -2e-9, 0.0, 1.25])
    assert weighted_sum(values, weights, 12.0) == "12 = 1.25 × 10 − 0.25 × 2"


def test_long_sequences_show_their_largest_terms_and_what_the_others_add():
    values = np.arange(1.0, 11.0)  # 1..10
    weights = np.array([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, -0.5, 0.3, 0.6])
    prediction = float(weights @ values)  # 7.5
    text = weighted_sum(values, weights, prediction)
    assert text == "7.5 = 0.6 × 10 − 0.5 × 8 + 0.3 × 9 + 2.8 (the other 7 steps)"
    assert weighted_sum(values, -weights, -prediction).startswith("-7.5 = −0.6 × 10 + 0.5 × 8")


def test_the_terms_shown_are_those_that_add_the_most():
    """Adversarial round 42: terms were ordered by |weight|, so for the Bell numbers 7.213 × 2 (14) was shown
    and 2.012 × 203 (408, 65% of the prediction) left among "the other steps"."""
    values = np.array([1.0, 1, 2, 5, 15, 52, 203])
    weights = np.array([0.409, -3.316, 7.213, -21.086, 13.6, 2.167, 2.012])
    text = weighted_sum(values, weights, float(weights @ values))
    assert text.startswith("631.2 = 2.012 × 203 + 13.6 × 15 + 2.167 × 52 "), text
    assert text.endswith("(the other 4 steps)")


def test_the_remainder_counts_only_steps_with_a_weight():
    """At a steep decay's end the network reads the last values only: the steps before them weigh nothing."""
    values = np.arange(1.0, 11.0)
    weights = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, -0.5, 0.3, 0.6])  # five steps not read
    assert weighted_sum(values, weights, float(weights @ values)).endswith("+ 1.3 (the other 2 steps)")
    # every weighted step shown: what is left is the float sum's rounding, not steps
    big = np.array([9007199254740000.0, 9007199254740001.0, 9007199254740002.0])
    text = weighted_sum(big, np.array([0.0, -1.0, 2.0]), 9007199254740005.0)
    assert text.endswith("(float rounding)"), text


@pytest.mark.parametrize("start", [1e15, 2.0**53, 3e14, 1e12])
def test_terms_that_add_up_exactly_leave_no_float_rounding_term(start):
    """Adversarial round 40: 1.5 × (1e15 + 4) − 0.5 × 1e15 summed over 1e15 + 6 itself came 0.1 short, written as
    "+ 0.1 (float rounding)"; near 2**53, "+ 1". Over a power of two the terms are summed exactly."""
    values = np.array([start, start + 2, start + 4])
    text = weighted_sum(values, np.array([-0.5, 0.0, 1.5]), start + 6)
    assert text == f"{start + 6:.0f} = 1.5 × {start + 4:.0f} − 0.5 × {start:.0f}", text


def test_each_length_runs_in_the_smallest_bucket_that_holds_it():
    assert bucket_lengths(64) == (8, 12, 16, 24, 32, 48, 64) and bucket_lengths(40) == (8, 12, 16, 24, 32, 40)
    assert gradient_path("weights/model.onnx", 16).as_posix() == "weights/model.gradient_16.onnx"


def test_terms_near_the_float_limit_leave_no_infinite_remainder(recwarn):
    """1.29 x 1.5e308 overflows as a float sum: the remainder was printed as "- inf (float rounding)"."""
    values = np.array([1e300, 1e305, 1e307, 1e308, 1.5e308])
    weights = np.array([-0.452, 0.143, 0.363, -0.343, 1.29])
    prediction = float(weights @ (values / 1e308)) * 1e308  # 1.627e308, every term shown
    text = weighted_sum(values, weights, prediction)
    assert text == "1.628e+308 = 1.29 × 1.5e+308 − 0.343 × 1e+308 + 0.363 × 1e+307 + 0.143 × 1e+305 − 0.452 × 1e+300"
    # the rest adds up to the prediction as shown, 1.612e+308 (round 36b: it was to 1.61222...e+308)
    assert weighted_sum(values, weights, prediction * 0.99).endswith("− 1.64e+306 (float rounding)")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def _terms_sum(text: str) -> tuple[float, float]:
    """'p = a × x − b × y + r (the other 2 steps)' -> (p, the right side as written)."""
    left, right = text.split(" = ")
    total, sign = 0.0, 1.0
    for token in re.split(r" (?=[+−] )", right.replace("−", "− ", 1) if right.startswith("−") else "+ " + right):
        sign = -1.0 if token.startswith("−") else 1.0
        term = token[2:].split(" (")[0]
        factors = [float(f.replace("−", "-")) for f in term.split(" × ")]
        total += sign * math.prod(factors)
    return float(left), total


@pytest.mark.parametrize("offset", [0.0, 1e6, -3e9, "steps"])
def test_the_terms_as_written_add_up_to_the_prediction_far_from_zero(offset):
    """Adversarial round 14: weights to 3 digits times values near 1e6 summed to 1002002.99 for a prediction
    of 1000002.986 (each weight's rounding multiplied by the level). Round 36b: the terms added up to within
    half a digit of the prediction as computed, so often to another last digit than the one shown (the
    README's 14.65 = ... added up to 14.6438): now to the prediction as shown."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        if offset == "steps":  # large against its steps (adversarial round 15: 1 1000000 2 999999 3, shown to the unit)
            n = int(rng.integers(3, 9))
            values = np.where(np.arange(n) % 2, 1e6, 1.0) + rng.integers(0, 5, n)
        else:
            values = offset + rng.normal(size=int(rng.integers(3, 9))).cumsum().round(2)
        weights = rng.normal(size=len(values))
        weights /= weights.sum()
        prediction = float(weights @ values)
        text = weighted_sum(values, weights, prediction)
        shown, total = _terms_sum(text)
        written = text.split(" = ")[0]
        half = 10.0 ** -len(written.partition(".")[2]) / 2 if "e" not in written else abs(shown) * 1e-15
        assert abs(total - shown) <= half * (1 + 1e-9) + abs(shown) * 1e-15  # the terms add up to the prediction
        # as shown, to half its last digit (what is written, summed in floats)
        step = float(np.abs(np.diff(values)).mean())
        assert abs(shown - prediction) <= 0.006 * step


def test_what_the_other_steps_add_is_written_to_the_prediction_s_last_digit_and_digits_only_where_they_help():
    """Adversarial round 37: the rest was written to the unit where the prediction is shown to thousands
    (+ 3732412278553784 beside 9.0718573928732e+16: digits it does not have); and up to 4 more weight digits
    were kept where they did not bring the sum to the prediction (1.65150300259 × 919384, where 1.651503 did
    as well: float rounding stays)."""
    rng = np.random.default_rng(0)
    values = 9.07e16 + rng.normal(size=8).cumsum() * 1e14
    weights = np.r_[np.full(5, 0.01), rng.uniform(0.2, 0.5, 3)]
    weights /= weights.sum()
    text = weighted_sum(values, weights, float(weights @ values))
    shown, rest = text.split(" = ")[0], text.rsplit(" (the other", 1)[0].rsplit(" ", 1)[1]
    mantissa, _, power = shown.partition("e")
    unit = 10 ** (int(power) - len(mantissa.partition(".")[2]))  # the last digit shown: 1e11 for 9.08773e+16
    assert "e" not in rest and int(rest) % unit == 0, text
    # a prediction the weights cannot reach however many digits they get: their first digits kept
    values = np.array([129471000.0, 37584000.0, 10910200.0, 3167130.0, 919384.0])
    weights = np.array([-0.058693403, 0.39970864, -0.70431806, -0.28820018, 1.651503])
    line = weighted_sum(values, weights, float(weights @ values) - 2.0)
    assert line.startswith("344901 = 0.39970864 × 37584000 ") and line.endswith(" (float rounding)"), line


def test_an_exact_rule_s_coefficient_with_no_decimal_is_written_as_its_fraction():
    # adversarial round 65: '5.333333333333333 = 0.666666666666667 × 8', which multiplies out to 5.333333333333336
    from numseries.explain import fraction_text

    assert [fraction_text(w) for w in (2 / 3, -22 / 7, 1 / 3, 0.5, 2.0, 0.9, 0.1234567, 1 / 997)] == [
        "2/3", "-22/7", "1/3", None, None, None, None, "1/997"]
    assert weighted_sum(np.array([27.0, 18, 12, 8]), np.array([0, 0, 0, 2 / 3]), 16 / 3, exact="5.333333333333333") == (
        "5.333333333333333 = 2/3 × 8")
    assert weighted_sum(np.array([42.0]), np.array([-22 / 7]), -132.0, exact="-132") == "-132 = −22/7 × 42"
    assert "/" not in weighted_sum(np.array([27.0, 18]), np.array([0.5, 2 / 3]), 25.5)  # the network's: decimals
