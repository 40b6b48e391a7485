"""The rule finder: each class of rule, exact big integers, the margin, noise and near-misses, the batch gate."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from functools import partial

import numpy as np
import pytest

from numseries.generate import generate_batch
from numseries.rules import _FEW_ROWS, _GATES, _add_step, _gate, candidates, find_rule, find_rules

FIB = [1, 1, 2, 3, 5, 8, 13]

RULED = [  # (sequence, next value, words the description holds)
    ([7, 7, 7], 7, "constant 7"),
    ([2, 4, 6, 8, 10], 12, "arithmetic, step 2"),
    ([10, 7, 4, 1], -2, "arithmetic, step -3"),
    ([1, 2, 4, 8, 16], 32, "geometric, ratio 2"),
    ([1, -1, 1, -1, 1], -1, "geometric, ratio -1"),
    ([-3, 6, -12, 24], -48, "geometric, ratio -2"),
    ([16, 24, 36, 54], 81, "geometric, ratio 3/2"),
    ([1, 4, 9, 16, 25], 36, "squares: k^2 for k = 1..5"),
    ([1, 8, 27, 64, 125], 216, "cubes: k^3 for k = 1..5"),
    ([-1, -8, -27, -64], -125, "cubes"),
    ([25, 16, 9, 4], 1, "squares: k^2 for k = 5..2"),
    # adversarial round 65: of 4 fourth powers, the fifth lag's weight wrapped onto the last value (625 = 6 × 256 ...)
    ([1, 16, 81, 256], 625, "fourth powers: k^4 for k = 1..4"),
    ([0, 1, 16, 81], 256, "fourth powers: k^4 for k = 0..3"),
    # adversarial round 56: k written the way that makes them most positive ('k = 2..-3'; 'cubes: k^3 for k =
    # -1..-4' beside 'negative squares: -k^2 for k = 1..5')
    ([4, 1, 0, 1, 4, 9], 16, "squares: k^2 for k = -2..3"),
    ([-1, -8, -27, -64], -125, "negative cubes: -k^3 for k = 1..4"),
    ([1, 2, 3, 1, 2, 3], 1, "period 3: 1 2 3"),
    ([5, 0, 5, 0], 5, "period 2: 5 0"),
    ([1, 5, 2, 2, 6, 3, 3, 7, 4], 4, "period 3, each cycle +1: x[t] = x[t-3] + 1"),  # groups, each one more
    ([10, 40, 20, 8, 38, 18, 6], 36, "period 3, each cycle -2: x[t] = x[t-3] - 2"),
    ([2, 5, 10, 17, 26], 37, "quadratic: second difference 2"),
    ([0, 1, 7, 24, 58, 115], 201, "cubic: third difference 6"),
    ([1, 3, 9, 24, 55, 111, 203], 344, "quartic"),
    (FIB, 21, "Fibonacci-like: x[t] = x[t-1] + x[t-2]"),
    ([2, 1, 3, 4, 7, 11, 18], 29, "Fibonacci-like"),
    ([0, 1, 2, 5, 12, 29], 70, "Pell-like: x[t] = 2x[t-1] + x[t-2]"),
    ([0, 1, 1, 3, 5, 11, 21, 43], 85, "Jacobsthal-like: x[t] = x[t-1] + 2x[t-2]"),
    ([0, 0, 1, 1, 2, 4, 7, 13, 24], 44, "tribonacci-like: x[t] = x[t-1] + x[t-2] + x[t-3]"),
    ([1, 1, 1, 2, 2, 3, 4, 5, 7, 9, 12], 16, "Padovan-like: x[t] = x[t-2] + x[t-3]"),
    ([1, 3, 7, 15, 31], 63, "affine map: x[t] = 2x[t-1] + 1"),
    ([1, 2, 6, 24, 120], 720, "factorial-like: x[t] = t * x[t-1]"),
    ([1, 1, 2, 5, 14, 42], 132, "ratio rule: x[t] = (4t - 6)/t * x[t-1]"),
    ([16, 16, 24, 48, 120, 360], 1260, "ratio rule: x[t] = t/2 * x[t-1]"),  # round 56: '(t)/(2)'
    ([1, 2, 6, 20, 70, 252], 924, "ratio rule"),
    ([2, 4, 16, 256], 65536, "squaring: x[t] = x[t-1]^2"),
    ([2, 3, 7, 43, 1807], 3263443, "Sylvester-like: x[t] = x[t-1]^2 - x[t-1] + 1"),
    ([3, 5, 17, 257, 65537], 4294967297, "Fermat-like: x[t] = x[t-1]^2 - 2x[t-1] + 2"),
    ([4, 14, 194, 37634], 1416317954, "quadratic map: x[t] = x[t-1]^2 - 2"),
    ([1, 3, 15, 255, 65535], 4294967295, "quadratic map: x[t] = x[t-1]^2 + 2x[t-1]"),
]


@pytest.mark.parametrize(("sequence", "expected", "words"), RULED)
def test_each_class_continues_exactly_and_names_its_rule(sequence, expected, words):
    rule = find_rule(sequence)
    assert rule is not None, sequence
    assert rule.next_value == expected and type(rule.next_value) is int
    assert words in rule.description


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [(FIB, 21), ([2, 1, 3, 4, 7, 11, 18], 29), ([1, 8, 27, 64, 125], 216), ([1, 2, 6, 24, 120], 720),
     ([1, -1, 1, -1, 1], -1), ([1, 4, 9, 16, 25], 36), ([0, 1, 2, 5, 12, 29], 70)],
)
def test_the_issue_table_gives_the_expected_values(sequence, expected):
    assert find_rule(sequence).next_value == expected


def test_the_next_value_is_the_weights_applied_to_the_values():
    for sequence, expected, _ in RULED:
        rule = find_rule(sequence)
        assert float(rule.weights @ np.array(sequence, dtype=float) + float(rule.intercept)) == pytest.approx(expected)


def test_fibonacci_weighs_the_last_two_values_and_a_quadratic_its_difference_extrapolation():
    np.testing.assert_array_equal(find_rule(FIB).weights, [0, 0, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(find_rule([2, 5, 10, 17, 26]).weights, [0, 0, 1, -3, 3])
    assert find_rule([1, 2, 6, 24, 120]).weights[-1] == 6  # this step's multiplier


def test_forecast_continues_the_rule():
    assert find_rule(FIB).forecast(4) == [21, 34, 55, 89]
    assert find_rule([1, 2, 3, 1, 2, 3, 1]).forecast(3) == [2, 3, 1]
    assert find_rule([1, 1, 2, 5, 14, 42]).forecast(3) == [132, 429, 1430]
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        find_rule(FIB).forecast(0)


def test_fractional_rules_on_integers_are_exact_fractions():
    rule = find_rule([16, 24, 36, 54, 81])
    assert rule.next_value == Fraction(243, 2) and rule.exact


def test_big_integers_stay_exact_beyond_two_to_the_53():
    factorials = [math.factorial(k) for k in range(1, 19)]  # 18! < 2**53 < 19!
    rule = find_rule(factorials)
    assert rule.next_value == math.factorial(19) and rule.forecast(3)[-1] == math.factorial(21)
    fib = [1, 1]
    while fib[-1] + fib[-2] < 2**53:
        fib.append(fib[-1] + fib[-2])
    assert find_rule(fib).next_value == fib[-1] + fib[-2] > 2**53


@pytest.mark.parametrize(
    "sequence, following",
    [
        ([2.0**60, 2.0**61, 2.0**62, 2.0**63], 2**64),
        ([1e16 + 2 * t for t in range(4)], 10**16 + 8),  # steps of one ulp of the values: whole numbers all
        ([2.0**53 + 2 * t for t in range(5)], 2**53 + 10),
    ],
)
def test_whole_floats_past_2_53_are_checked_as_the_integers_they_hold(sequence, following):
    """As floats their steps were within the rounding forgiven (no rule), or a rule's next value float
    arithmetic's; as integers each holds exactly, they follow their rule exactly, one by one and in a batch."""
    rule = find_rule(sequence)
    assert rule.exact and rule.next_value == following
    values = np.array([sequence] * 20)  # more than a few rows: the batch's own tests decide
    assert find_rules(values, np.full(20, len(sequence)))[0].next_value == following


@pytest.mark.parametrize(
    "sequence",
    [
        [1e12 + 0.001 * t for t in range(6)],  # steps of about eight ulps, rounded
        [1e15 + 0.5 * t for t in range(6)],
    ],
)
def test_steps_within_the_values_rounding_get_no_rule(sequence):
    # every class fits these within the rounding forgiven; "constant" used to win, with the last value
    assert find_rule(sequence) is None
    values = np.array([sequence] * 20)  # more than a few rows: the batch's own tests decide
    assert find_rules(values, np.full(20, len(sequence))) == {}


def test_steps_well_above_the_values_rounding_keep_their_rule():
    assert find_rule([1e6 + 0.1 * t for t in range(5)]).next_value == pytest.approx(1e6 + 0.5, rel=1e-15)
    assert find_rule([2**53 - 10 + t for t in range(5)]).next_value == 2**53 - 5  # integers: exact arithmetic
    assert find_rule([1e16] * 4).description.startswith("constant")


def test_a_ratio_past_the_float_range_fits_nothing():
    # x[1] / x[0] = 1e600 is inf, and an infinite coefficient once made every check's tolerance infinite
    rule = find_rule([1e-300, 1e300, 1e-300, 1e300])
    assert rule.description == "period 2: 1e-300 1e+300" and rule.next_value == 1e-300


@pytest.mark.parametrize(
    "values",
    [
        [1, 1e13, 1.05e26, 1.1e39],  # x[2] / x[1] is 1.05e13, x[3] / x[2] 1.05e13: 5% off ratio 1e13
        [1.5, 3e14, 6.3e28, 1.2e43, 2.3e57],
        [2, -4e13, 8.4e26, -1.6e40],
        [2.2e-313, 1e-26, 1, 4e21],  # a "ratio" of 4.5e286 from a subnormal
    ],
)
def test_a_huge_ratio_does_not_widen_the_tolerance_past_its_terms(values):
    """The rounding allowed for ratio * x[t-1] was 32 ulps of the ratio times the largest value read, x[t]:
    a ratio of 1e13 allowed 7% of x[t], and these were "geometric" (1.1e52 next, exact, for the first)."""
    x = np.array(values, dtype=np.float64)
    assert find_rule(x) is None
    rows = np.tile(x, (_FEW_ROWS + 1, 1))  # the batch's own tests
    assert find_rules(rows, np.full(len(rows), len(x))) == {}
    ratio = x[1] / x[0]
    with np.errstate(over="ignore"):  # the subnormal's ratio overflows by x[2]
        true = x[0] * ratio ** np.arange(4.0)  # the same ratio, kept: still geometric
    if np.isfinite(true * ratio).all():
        rule = find_rule(true)
        assert rule.kind == "geometric" and rule.next_value == pytest.approx(true[-1] * ratio, rel=1e-14)


def test_steps_past_the_float_range_are_far_from_rounding(recwarn):
    assert find_rule([1e308, -1e308, 1e308, -1e308]).description == "geometric, ratio -1"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]  # steps of -2e308 are inf, quietly


def test_decimals_follow_rules_to_float_precision():
    assert find_rule([0.1, 0.2, 0.3, 0.4]).next_value == pytest.approx(0.5, rel=1e-12)
    assert find_rule([1.1, 1.21, 1.331, 1.4641]).next_value == pytest.approx(1.61051, rel=1e-12)
    assert find_rule(np.sin(np.arange(40) * 2 * np.pi / 8)).description.startswith("period 8")


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [  # adversarial round 21: float products, 65.61000000000001 and 1.0000000000000002e-06, marked exact
        ([100, 90, 81, 72.9], [65.61, 59.049, 53.1441]),
        ([1.1, 1.21, 1.331, 1.4641], [1.61051, 1.771561, 1.9487171]),  # a ratio of 1.0999999999999999
        ([1, 0.1, 0.01, 0.001, 0.0001], [1e-05, 1e-06, 1e-07]),
    ],
)
def test_a_geometric_rule_on_decimals_goes_on_in_decimals(predictor, sequence, expected):
    assert find_rule(sequence).next_value == expected[0]
    np.testing.assert_array_equal(predictor.forecast(sequence, 3), expected)


def test_a_geometric_rule_on_decimals_goes_on_to_the_floats_nearest_its_exact_values_far_ahead(predictor):
    """Adversarial round 23: each step's exact Fraction grew with the steps (10,000 steps of 1 0.99999 ... took
    35 s); the 40 digits kept now round to the same floats."""
    path = predictor.forecast([100, 90, 81, 72.9], 400)
    exact = [float(Fraction("72.9") * Fraction(9, 10) ** k) for k in range(1, 401)]
    assert path.tolist() == exact
    assert predictor.forecast([-1.5, 3, -6, 12], 1020).tolist()[-2:] == [-1.5 * 2.0**1022, 1.5 * 2.0**1023]
    # adversarial round 24: 40 digits rounded values halfway between two floats away from even
    exact = float(Fraction("1.953125") * Fraction(5, 4) ** 20)  # 169.40658945086005, not ...008
    assert predictor.forecast([1, 1.25, 1.5625, 1.953125], 20).tolist()[-1] == exact
    assert predictor.forecast([3, 1.5, 0.75, 0.375], 1072).tolist()[-1] == float(Fraction(3, 8) / 2**1072)  # 1e-323


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [  # adversarial round 23: the first ratio, 3.000000000000003, is no 3 (27.00000000000003, marked exact)
        ([0.333333333333333, 1, 3, 9], [27, 81, 243]),
        ([0.142857142857143, 1, 7, 49], [343, 2401, 16807]),  # (342.9999999999997)
    ],
)
def test_a_geometric_rule_from_a_rounded_first_value_takes_the_ratio_of_its_last_ones(predictor, sequence, expected):
    assert find_rule(sequence).next_value == expected[0]
    assert predictor.forecast(sequence, 3).tolist() == expected


def test_a_whole_number_written_with_trailing_zeros_is_read_as_written():
    """Adversarial round 23: 1.5e14's repr, 150000000000000.0, counted 16 digits, which turned the as-written
    check off for the whole series: 15.000000001 passed as 'geometric, ratio 10'."""
    values = [0.15 * 10**k for k in range(16)]
    values[2] = 15.000000001
    assert find_rule([float(f"{v:.10g}") if k != 2 else v for k, v in enumerate(values)]) is None


@pytest.mark.parametrize(
    "sequence",
    [
        [1, 2, 4],  # geometric needs 4 values
        [2, 5, 10, 17],  # quadratic needs 5
        [1, 1, 2, 3, 5],  # Fibonacci needs 6
        [1, 2, 1],  # a period must be seen twice
        [1, 2, 3, 1, 2],
        [1, 5, 2, 2, 6, 3],  # a period that moves by a constant needs 2p + 1 values
        [2, 3, 7, 43],  # a quadratic map with a b x term needs 5
        [2, 4, 16],  # x^2 + c needs 4
    ],
)
def test_too_few_values_for_the_margin_give_no_rule(sequence):
    assert find_rule(sequence) is None


@pytest.mark.parametrize(
    "sequence",
    [
        [1, 1, 2, 3, 5, 8, 14],  # Fibonacci, last value off by one
        [2, 4, 6, 8, 10.000001],  # arithmetic, last value off by 1e-7 relative
        [1, 4, 9, 16, 25, 37],  # squares, last off by one
        [1, 2, 4, 8, 16, 32, 64, 128, 257],  # geometric, late error
        [1, 2, 3, 1, 2, 3, 1, 2, 4],  # periodic, one change
        [1, 2, 6, 24, 120, 721],  # factorial, last off by one
        [2, 3, 5, 7, 11, 13, 17, 19, 23, 29],  # primes
        [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9],  # digits of pi
        [4.39, 3.91, 3.58, 3.33, 3.14],  # rounded logarithmic decay
        [0.0, 0.84, 0.91, 0.14, -0.76],  # rounded sine
        [2, 4, 16, 256, 65537],  # squaring, last value off by one
        [1, 0, -1, 0],  # x^2 - 1 from 1 is a cycle: its checks repeat one equation (a cosine's quarter steps)
        [0, 1, 1, 1, 1],  # x^2 - x + 1 from 0 stops at its fixed point
        [1, -1, 3, 3, 3],  # x^2 - 2x from 1, the same
        [2, 4, 16, 256, 65536, 4294967296.5],  # a float: quadratic maps are read on integers only
    ],
)
def test_near_misses_and_sequences_without_a_rule_give_none(sequence):
    assert find_rule(sequence) is None


def test_noise_never_gets_a_rule():
    rng = np.random.default_rng(0)
    walks = [np.cumsum(rng.normal(size=n)) * 10.0 ** rng.uniform(-3, 6) for n in rng.integers(3, 65, 2000)]
    assert all(find_rule(w) is None for w in walks)
    noisy = generate_batch(2000, families=["noisy", "noisy_line", "noisy_stochastic"], seed=1)
    found = find_rules(np.where(noisy.masks, noisy.data, np.nan), noisy.lengths)
    assert found == {}


@pytest.mark.parametrize(
    "sequence",
    [  # adversarial round 14: each was continued 'exactly', with a zero-width interval
        [0, 0, 1, 0, 0, 3, 0, 0],  # x[t] = 3 x[t-3], from its one 1; the zeros 'checked' it: 9
        [0, 0, 4, 0, 0, 1, 0, 0],  # x[t] = (1/4) x[t-3]: 1/4
        [1, 0, 1, 0, 0, 0, 1, 1, 0],  # x[t] = -x[t-2] - x[t-3] + 1: -1
        [1, 0, 1, 1, 0, 2, 0, 1, 2],  # -1
        [1, 0, 1, 2, 2, 1, 0, 1],  # a quartic: 7
        [5.0, 5.0, 4.9, 4.7, 4.4],  # an unemployment rate: 'quadratic, -0.1', 4.0 (4.1 came)
        [1.00, 1.10, 1.21, 1.33, 1.46],  # 10% growth to cents: 'quadratic, 0.01', 1.6 (1.61)
        [38.9, 38.8, 38.6, 38.4, 38.3, 38.4],  # hourly temperatures: 'cubic, 0.1'
    ],
)
def test_counts_and_rounded_measurements_get_no_rule_from_checks_that_pass_by_chance(sequence):
    assert find_rule(sequence) is None
    assert find_rules(np.array([sequence] * (_FEW_ROWS + 1), dtype=float), np.full(_FEW_ROWS + 1, len(sequence))) == {}


@pytest.mark.parametrize(
    "sequence",
    [  # adversarial round 21: within 1e-9 of a step of a rule, not as written: 'arithmetic, step 1 (exact)'
        [1, 2, 3, 4, 5, 6.000000001],  # 7.0000000012, though 2 x 6.000000001 - 5 (its weights) is 7.000000002
        [100, 200, 300, 400, 500, 600.0000001],  # then 'affine map: x[t] = x[t-1] + 100', 700.00000012
        [2, 3, 2, 3, 2, 3.0000000001],  # 'period 2: 2 3', going on 2, 3.0000000001, 2
        [1, 2, 3, 4, 5, 6.000000001, 7.000000002],  # then 'ratio rule: x[t] = t/(t - 1) x[t-1]'
        # adversarial round 22: then 'quadratic: second difference -0' (the tolerance grew with the terms)
        [1000.1, 1000.2, 1000.3, 1000.4, 1000.5, 1000.60000000005],
        [-7.24999999999963, -6.91666666666628, -6.58333333333296, -6.24999999999962, -5.91666666666623,
         -5.58333333333253, -5.24999999999909, -4.91666666666578],  # 'cubic: third difference 1e-13'
        # 'geometric, ratio 2 (exact)' going on 7.999999999984: 1 / 0.500000000001 fits to 1e-9 of a step
        [0.500000000001, 1, 2, 4],
        # adversarial round 26: then 'affine map: x[t] = 0.3333333333x[t-1] - 5.999997374e-12 (exact)', its
        # coefficient the float 1/3, which the check as written let pass (as it had 'geometric, ratio 1/3')
        [3, 1, 0.3333333333, 0.1111111111, 0.03703703704, 0.01234567901],
        # one value of 16 or 17 digits (float arithmetic's) turned the check as written off: 'arithmetic, step 1
        # (exact)' going on 7.0000000012, 'period 2: 2 3', 'geometric, ratio 2', 'Fibonacci-like' going on 21.000000001
        [1, 2, 3.0000000000000004, 4, 5, 6.000000001],
        [0, 1, 2, 3.0000000000000004, 4, 5, 6.000000001],  # (a 0 turned the check off again)
        [2, 3, 2, 3.0000000000000004, 2, 3.0000000001],
        [0.500000000001, 1, 2, 4, 8.000000000000002],
        [1, 1, 2, 3, 5, 8.000000000000002, 13.000000001],
        [1000.1, 1000.2, 1000.3000000000001, 1000.4, 1000.5, 1000.60000000005],
    ],
)
def test_values_as_written_that_no_rule_reproduces_get_none(sequence):
    assert find_rule(sequence) is None
    assert find_rules(np.array([sequence] * (_FEW_ROWS + 1), dtype=float), np.full(_FEW_ROWS + 1, len(sequence))) == {}


def test_a_geometric_rule_goes_on_by_the_ratio_its_values_show():
    """Adversarial round 27: of the 15-digit ratios within the values' rounding it took 0.333333333333334 (its
    fraction's text was shorter), one unit of the 15th digit off."""
    rule = find_rule([1, 0.333333333333333, 0.111111111111111, 0.037037037037037, 0.0123456790123457])
    assert rule.next_value == float(Decimal("0.0123456790123457") * Decimal("0.333333333333333"))
    assert find_rule([98765.4321, 65843.6214, 43895.7476, 29263.8317333333, 19509.2211555556, 13006.147437037,
                      8670.76495802469]).next_value == pytest.approx(5780.50997201646, rel=1e-15)  # fmt: skip


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [  # rules that hold on the values as written, to the 15 digits a spreadsheet writes
        ([0.333333333333333, 0.666666666666667, 1, 1.33333333333333], "arithmetic"),
        ([100, 90, 81, 72.9], "geometric, ratio 0.9"),
        ([1, 0.333333333333333, 0.111111111111111, 0.037037037037037], "geometric, ratio 0.33"),  # 1/3, rounded
        ([5, -0.5, 0.05, -0.005], "geometric, ratio -0.1"),
        # adversarial round 26: 2.5 x 1.07**k and 3 x 1.001**k as a spreadsheet writes them (to 15 digits, trailing
        # zeros dropped: 4.29546544957980 is 4.2954654495798) lost their rule
        ([2.5, 2.675, 2.86225, 3.0626075, 3.276990025, 3.50637932675, 3.7518258796225, 4.01445369119608,
          4.2954654495798], "geometric, ratio 1.07"),
        ([3, 3.003, 3.006003, 3.009009003, 3.012018012003, 3.015030030015], "geometric, ratio 1.001"),
        ([0.500000000000001, 1, 2, 4], "geometric, ratio 2"),  # 0.5 to 15 digits' rounding: going on 8
        # adversarial round 27: 13006.1474370370 written 13006.147437037 had no rounding, and 2/3 checked as 2/3
        # lost the rule (the network's 5778)
        ([98765.4321, 65843.6214, 43895.7476, 29263.8317333333, 19509.2211555556, 13006.147437037, 8670.76495802469],
         "geometric, ratio 0.6666666667"),
        ([0.1, 0.2, 0.30000000000000004, 0.4], "arithmetic, step 0.1"),  # float arithmetic's: as before
        ([0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001], "arithmetic, step 0.1"),
        (list(0.1 * np.arange(12) ** 2 - 2.1 * np.arange(12) + 11), "quadratic"),  # 1.7763568394002505e-15 for 0
        (list(1.5 * np.array([1, 1, 2, 3, 5, 8, 13, 21, 34])), "Fibonacci-like"),
        # adversarial round 29: values computed from larger ones, an offset taken away, lost their rule when some
        # came out short (0.0, 0.5) beside ones of 17 digits (0.10000000000002274)
        ([(1000 + 0.1 * k) - 1000 for k in range(10)], "arithmetic, step 0.1"),
        ([(1e4 + 0.1 * k) - 1e4 for k in range(1, 12)], "arithmetic, step 0.1"),
        ([((45000 + k / 24) - 45000) * 24 for k in range(10)], "arithmetic, step 1"),
        (list(np.diff([1000.0 + 0.1 * k * k for k in range(12)])), "arithmetic, step 0.2"),
        # computed values may print with 13 to 15 digits (-8.74112008380811, 22 ulps from its earlier -8.74112008380807):
        # read as typed, they lost their rule (28 of 3,000 generated exponentials, 2 waves)
        ([-8.74112008380807, 1.2345678901234567, 2.3456789012345678, -8.74112008380811, 1.2345678901234567,
          2.3456789012345678, -8.74112008380807, 1.2345678901234567, 2.3456789012345678], "period 3"),
    ],
)
def test_values_as_written_that_a_rule_reproduces_keep_it(sequence, expected):
    assert find_rule(sequence).description.startswith(expected)
    found = find_rules(np.array([sequence] * (_FEW_ROWS + 1), dtype=float), np.full(_FEW_ROWS + 1, len(sequence)))
    assert found[0].description.startswith(expected)


def test_no_series_of_zeros_and_ones_gets_a_recurrence_or_polynomial():
    """Of the 1,792 0/1 series of 8 to 10 values, 18 got one, most going on 2 or -1."""
    for n in (8, 9, 10):
        series = np.array(np.meshgrid(*[[0.0, 1.0]] * n)).reshape(n, -1).T  # (2**n, n) every 0/1 series
        found = find_rules(series, np.full(len(series), n))
        assert {rule.kind for rule in found.values()} <= {"constant", "periodic"}


def test_puzzles_of_a_small_range_or_in_decimals_keep_their_rule():
    assert find_rule([3.1, 1.85, 1.1, 0.85, 1.1, 1.85, 3.1, 4.85]).next_value == pytest.approx(7.1)  # second difference 0.5
    assert find_rule([1, 1, 0, -1, -1, 0, 1, 1, 0]).next_value == -1  # x[t] = x[t-1] - x[t-2], 7 checks
    assert find_rule([0, 1, 3, 6, 10, 15]).next_value == 21  # triangular: integers of a wide range
    assert find_rule([3, 0, 2, 3, 2, 5, 5, 7, 10, 12, 17]).next_value == 22  # Perrin, a 0 among its values
    # adversarial round 15: a chance check on every span under 9 took these short puzzles' rules
    assert find_rule([1, 1, 2, 3, 5, 8]).next_value == 13 and find_rule([0, 1, 1, 2, 3, 5]).next_value == 8
    assert find_rule([1, 1, 2, 2, 3, 3, 4]).next_value == 4 and find_rule([3, 1, 0, 0, 1, 3]).next_value == 6
    assert find_rule([1, 4, 2, 5, 3, 6, 4]).next_value == 7


def test_a_noise_free_line_or_polynomial_at_any_scale_is_found():
    batch = generate_batch(500, families=["linear", "polynomial"], min_len=8, seed=2)
    for row, length, label in zip(batch.data, batch.lengths, batch.clean_labels, strict=False):
        rule = find_rule(row[:length])
        if rule is not None:  # large offsets can hide a small step below float resolution
            assert float(rule.next_value) == pytest.approx(label, rel=1e-6, abs=1e-6 * np.abs(np.diff(row[:length])).mean())
    found = sum(find_rule(row[:length]) is not None for row, length in zip(batch.data, batch.lengths, strict=False))
    assert found >= 0.9 * len(batch)


def _ruled_examples(rng):
    """Ruled sequences of every class at random scales, and integer ones: the gate must keep them all."""
    out = []
    for sequence, _, _ in RULED:
        out.append(np.array(sequence, dtype=float))
        scale = 10.0 ** rng.uniform(-3, 6)
        out.append(np.array(sequence, dtype=float) * scale)
    out += [np.sin(np.arange(n) * 2 * np.pi / p) for n, p in [(20, 5), (64, 32), (12, 6)]]
    return out


def test_the_batch_gate_keeps_every_series_with_a_rule():
    rng = np.random.default_rng(3)
    batch = generate_batch(3000, families=["linear", "polynomial", "exponential", "wave", "step"], seed=3)
    rows = [row[:length] for row, length in zip(batch.data, batch.lengths, strict=False)] + _ruled_examples(rng)
    width = max(len(r) for r in rows)
    values = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    lengths = np.array([len(r) for r in rows])
    gate = candidates(values, lengths)
    single = [find_rule(r) for r in rows]
    ruled = np.array([rule is not None for rule in single])
    assert ruled.sum() > 1000
    assert not (ruled & ~gate).any(), np.flatnonzero(ruled & ~gate)[:5]
    batch = find_rules(values, lengths)  # the finder on the classes the gate lets through
    assert {i: r.description for i, r in batch.items()} == {i: r.description for i, r in enumerate(single) if r}
    noise = np.cumsum(rng.normal(size=(2000, 64)), axis=1)
    assert candidates(noise, np.full(2000, 64)).mean() < 0.01


def _growing_maps() -> list[list[int]]:
    """Orbits of x^2 + b x + c (|b|, |c| <= 10) of 8 or more distinct values, all within 2**53: the ones the
    batch reads with its gate (larger ones each go to the finder alone)."""
    orbits = []
    for b in range(-10, 11):
        for c in range(-10, 11):
            for start in range(-40, 41):
                orbit = [start]
                while len(orbit) < 12 and abs(orbit[-1]) <= 2**26 and orbit[-1] not in orbit[:-1]:
                    orbit.append(orbit[-1] ** 2 + b * orbit[-1] + c)
                if len(set(orbit)) == len(orbit) >= 8 and max(map(abs, orbit)) <= 2**53:
                    orbits.append(orbit)
    return orbits


def test_the_batch_finds_the_quadratic_maps_the_finder_finds_one_by_one():
    orbits = _growing_maps()
    assert len(orbits) >= 10
    rows = [np.array(o, dtype=float) for o in orbits]
    rows += [np.array(o[:-1] + [o[-1] + 1], dtype=float) for o in orbits]  # one off: no rule
    rows += [np.array([2, 4, 16, 256, 65536, 2**32, 2**64, 2**128], dtype=float)]  # past 2**53: alone
    width = max(map(len, rows))
    values = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    lengths = np.array([len(r) for r in rows])
    assert _gate(values, lengths)[: len(orbits), _GATES.index("map")].all()
    single = {i: rule.description for i, row in enumerate(rows) if (rule := find_rule(row)) is not None}
    assert {i: rule.description for i, rule in find_rules(values, lengths).items()} == single
    assert all(i in single and "x[t-1]^2" in single[i] for i in range(len(orbits)))
    assert not set(single) & set(range(len(orbits), 2 * len(orbits)))
    assert single[len(rows) - 1] == "squaring: x[t] = x[t-1]^2"


def test_a_quadratic_map_continues_exactly_and_a_long_forecast_is_an_overflow_not_a_hang():
    rule = find_rule([2, 3, 7, 43, 1807])
    assert rule.forecast(3) == [3263443, 10650056950807, 113423713055421844361000443]
    assert rule.weights[-1] * 1807 + rule.intercept == 3263443  # (x + b) x + c
    path = find_rule([2, 4, 16, 256]).forecast(40)  # 2**(2**44) has 5e12 digits: the path stops growing at inf
    assert path[:3] == [65536, 2**32, 2**64] and path[-1] == math.inf


def test_the_gate_drops_recurrences_that_steps_rounded_to_decimals_cannot_follow():
    t = np.arange(40.0)
    typed = np.stack([np.round(1.7 + 0.036317 * t, 4), np.round(100 * np.exp(-t / 9), 2)])  # typed to 4 and 2 decimals
    lucas = np.array([2.0, 1.0])
    for _ in range(38):
        lucas = np.append(lucas, lucas[-1] + lucas[-2])
    rows = np.vstack([typed, lucas / 8, 0.5 * 2**t + 3])  # exact recurrences, at a float scale
    recurrence = _gate(rows, np.full(4, 40))[:, _GATES.index("recurrence")]
    # Rounded steps are noise to an exact check: near-arithmetic steps made the first values' determinant tiny,
    # so the finder tried every recurrence class on them; the whole series' residual rules them out.
    assert recurrence.tolist() == [False, False, True, True]
    assert [find_rule(row) is None for row in typed] == [True, True]
    assert [find_rule(row).kind for row in rows[2:]] == ["recurrence", "recurrence"]


def test_one_series_skips_the_recurrence_search_its_steps_rule_out(monkeypatch):
    import numseries.rules

    def searched(*args):
        raise AssertionError(f"the recurrence search ran on {args[0].values[:4]}")

    monkeypatch.setattr(numseries.rules, "_solve_recurrence", searched)
    t = np.arange(64.0)
    # A slow trend typed to 4 decimals (steps 0.0003 and 0.0004) and one rounded to integers: their first values'
    # determinants are tiny, their whole series' residual is not (find_rule cost 450 and 170 us on them).
    assert find_rule(np.round(1.7 + 0.00031 * t, 4)) is None
    assert find_rule(np.round(50 + 0.3 * t)) is None


def test_one_series_skips_the_polynomial_checks_its_fifth_differences_rule_out(monkeypatch):
    import numseries.rules

    checked = []
    fits = numseries.rules._Series.fits
    monkeypatch.setattr(numseries.rules._Series, "fits", lambda s, coeffs, *a: checked.append(coeffs) or fits(s, coeffs, *a))
    t = np.arange(64.0)
    assert find_rule(np.round(1.7 + 0.00031 * t, 4)) is None  # its first values pass the screens of degrees 2-4
    assert not [c for c in checked if c in (numseries.rules._DIFFERENCES[d] for d in (2, 3, 4))]
    assert find_rule(np.arange(64.0) ** 2 / 7).kind == "polynomial"  # a float polynomial still found


def test_find_rules_matches_find_rule_row_by_row():
    rows = [np.array(s, dtype=float) for s, _, _ in RULED] + [np.cumsum(np.ones(10) * 0.5)]
    values = np.full((len(rows), 12), np.nan)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    found = find_rules(values, np.array([len(r) for r in rows]))
    assert [found[i].description for i in range(len(rows))] == [find_rule(r).description for r in rows]


def _near_rules(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Float series of every class (polynomials of degree 0-4, geometric, periodic, recurrences, ratio rules)
    at random scales and offsets, some typed to a few decimals, some with noise from below float rounding to
    well above the checks' tolerance, so that many sit near a check's limit; and integer ones."""
    rows = []
    for _ in range(count):
        n = int(rng.integers(3, 65))
        t = np.arange(n, dtype=float)
        kind = rng.choice(["polynomial", "polynomial", "geometric", "periodic", "recurrence", "ratio"])
        if kind == "polynomial":
            coefficients = rng.normal(size=int(rng.integers(1, 6))) * 10.0 ** rng.uniform(-6, 8)
            y = sum(c * t**k for k, c in enumerate(coefficients))
        elif kind == "geometric":
            y = rng.normal() * rng.choice([-1, 1]) * rng.uniform(0.3, 2.5) ** t
        elif kind == "periodic":
            y = np.resize(rng.normal(size=int(rng.integers(2, 9))), n)
        elif kind == "recurrence":
            y = list(rng.normal(size=3))
            c1, c2, c3 = rng.choice([-1, -0.5, 0, 0.5, 1, 2], size=3)
            while len(y) < n:
                y.append(c1 * y[-1] + c2 * y[-2] + c3 * y[-3])
            y = np.array(y[:n]) / (np.abs(y[:n]).max() + 1e-300)
        else:
            y = np.cumprod(np.maximum(t, 1.0) * rng.choice([0.5, 1.0, 2.0]))
        y = y * 10.0 ** rng.uniform(-3, 3) + rng.choice([0.0, 10.0 ** rng.uniform(-3, 12)])
        if rng.random() < 0.3:
            y = np.round(y, int(rng.integers(0, 6)))
        if rng.random() < 0.4:
            y = y + rng.normal(size=n) * 10.0 ** rng.uniform(-17, -6) * np.abs(y).max()
        rows.append(np.asarray(y, dtype=float))
    rows += [1e12 + 0.001 * np.arange(n) for n in (3, 5, 9, 40)] + [np.full(n, 3.7) for n in (3, 4, 9)]
    return rows


def test_find_rules_gives_the_same_rules_as_find_rule_on_series_near_the_checks_limits():
    # The batch settles what it can for all rows at once (_settle: float polynomials, and the first tests of
    # the geometric, periodic, recurrence and ratio finders); it must agree with the finder on one series bit
    # for bit: the same rule, next value and weights, the same "no rule".
    rows = _near_rules(np.random.default_rng(11), 2500)
    values = np.full((len(rows), 64), np.nan)
    for i, row in enumerate(rows):
        values[i, : len(row)] = row
    found = find_rules(values, np.array([len(r) for r in rows]))
    single = {i: rule for i, rule in enumerate(map(find_rule, rows)) if rule is not None}
    assert 600 < len(single) < len(rows) - 600  # both answers are common
    assert {rule.kind for rule in single.values()} >= {"constant", "arithmetic", "polynomial", "geometric",
                                                        "periodic", "recurrence", "ratio"}
    assert found.keys() == single.keys()
    for i, rule in single.items():
        assert (found[i].description, found[i].next_value) == (rule.description, rule.next_value), rows[i]
        assert np.array_equal(found[i].weights, rule.weights)
    zero_padded = find_rules(np.where(np.isnan(values), 0.0, values), np.array([len(r) for r in rows]))
    assert {i: r.description for i, r in zero_padded.items()} == {i: r.description for i, r in single.items()}


def _recurrence_terms(coefficients: tuple[int, ...], first: tuple[int, ...], count: int) -> list[int]:
    terms = list(first)
    while len(terms) < count:
        terms.append(sum(c * terms[-1 - i] for i, c in enumerate(coefficients)))
    return terms


@pytest.mark.parametrize(
    "coefficients, first",
    [((1, 1), (0, 1)), ((1, 1), (2, 1)), ((2, 1), (0, 1)), ((1, 1, 1), (0, 0, 1)), ((3, -1), (0, 1))],
    ids=["Fibonacci", "Lucas", "Pell", "tribonacci", "3x[t-1]-x[t-2]"],
)
@pytest.mark.parametrize("start", [0, 20, 30, 45])
def test_integer_recurrences_far_along_keep_their_rule(coefficients, first, start):
    """Far along, the steps grow by an irrational ratio (the golden one) to within 1e-9: x[t] = 1.618 x[t-1] + b
    was taken as the series' shortest rule, which ended the search: 28657 .. 1346269 was continued as 2178890."""
    terms = _recurrence_terms(coefficients, first, start + 11)
    window, truth = terms[start : start + 10], terms[start + 10]
    if max(map(abs, window)) >= 2**53:
        pytest.skip("past exact float integers")
    assert find_rule(window).next_value == truth
    rows = np.tile(np.array(window, dtype=np.float64), (_FEW_ROWS + 1, 1))  # the batch's own gate
    assert find_rules(rows, np.full(len(rows), len(window)))[0].next_value == truth


@pytest.mark.parametrize("start", [10, 24, 30, 40])
def test_fibonacci_in_tenths_far_along_is_fibonacci_not_a_golden_ratio(start):
    """From its 24th term Fibonacci / 10 is geometric with ratio 1.618033989 to within 1e-10, which the
    float check passed: 4636.8 ... 217830.9 was continued "exactly" as 352457.8000452898."""
    terms = _recurrence_terms((1, 1), (0, 1), start + 13)
    window = [t / 10 for t in terms[start : start + 9]]
    rule = find_rule(window)
    assert rule.description.startswith("Fibonacci-like")
    assert rule.forecast(4) == [t / 10 for t in terms[start + 9 : start + 13]]
    rows = np.tile(np.array(window), (_FEW_ROWS + 1, 1))
    assert find_rules(rows, np.full(len(rows), len(window)))[0].next_value == terms[start + 9] / 10


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="at least 3 finite values"):
        find_rule([1, 2])
    with pytest.raises(ValueError, match="at least 3 finite values"):
        find_rule([1, 2, float("nan")])
    for bad in ([1, 2, 10**400], [1, 2, "three"], [[1, 2], [3]]):
        with pytest.raises(ValueError, match="at least 3 finite values"):
            find_rule(bad)


# --------------------------------------------------------------------------------------------------
# Through the Predictor and the command line
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def predictor(tiny_onnx):
    from numseries.predict import Predictor

    return Predictor.from_pretrained(tiny_onnx)


def test_predictor_gives_the_rule_exactly_and_rules_false_gives_the_network(predictor, tiny_onnx):
    from numseries.predict import Predictor

    result = predictor.predict(FIB)
    assert (result.value, result.exact, result.pattern) == (21.0, True, "Fibonacci-like: x[t] = x[t-1] + x[t-2]")
    assert result.rule.next_value == 21 and result.attention.sum() == pytest.approx(1.0, abs=1e-5)
    network = Predictor.from_pretrained(tiny_onnx, rules=False).predict(FIB)
    assert (network.exact, network.pattern, network.rule) == (False, "", None)
    assert network.value != 21.0
    walk = predictor.predict([0.3, -1.2, 0.4, 2.2, 1.9])
    assert (walk.exact, walk.pattern) == (False, "")


def test_the_rule_is_found_in_the_values_the_model_reads(predictor):
    rng = np.random.default_rng(4)
    sequence = [*rng.normal(size=20), *range(0, 32, 2)]  # noise, then 16 values of a line (the tiny window)
    result = predictor.predict(sequence)
    assert result.cropped and result.exact and result.value == 32.0


def test_batch_patterns_and_exact_match_the_single_predictions(predictor):
    rng = np.random.default_rng(5)
    sequences = [s for s, _, _ in RULED] + [np.cumsum(rng.normal(size=n)) for n in (3, 5, 9, 16, 30)]
    batch = predictor.predict_batch(sequences)
    singles = [predictor.predict(s) for s in sequences]
    assert batch.patterns == [r.pattern for r in singles]
    np.testing.assert_array_equal(batch.exact, [r.exact for r in singles])
    np.testing.assert_allclose(batch.values, [r.value for r in singles], rtol=1e-6)
    assert batch.exact.sum() == len(RULED)


def test_forecast_continues_the_rule_through_the_predictor(predictor):
    np.testing.assert_array_equal(predictor.forecast([1, 2, 6, 24, 120], 3), [720, 5040, 40320])
    np.testing.assert_array_equal(predictor.forecast([1, 2, 4, 8], 3), [16, 32, 64])  # the README's example
    with pytest.raises(ValueError, match="overflows float64"):
        predictor.forecast([1e300, 1e301, 1e302, 1e303], 10)


def test_a_rule_on_decimals_that_overflows_far_ahead_is_the_one_line_error(predictor, tiny_onnx, capsys):
    """Adversarial round 10: 1.5 3 6 12 continued in units of 0.1 raised OverflowError at step 1019 (a
    traceback, and a batch file's good series lost with it)."""
    from numseries.cli import main

    for values in ([1.5, 3, 6, 12], [0.1, 0.1, 0.2, 0.3, 0.5, 0.8, 1.3], [-1.5, 3, -6, 12]):
        with pytest.raises(ValueError, match="overflows float64; forecast fewer steps"):
            predictor.forecast(values, 1500)
    # 1.5 * 2**1023 is a float, 1.5 * 2**1024 none (in units of 0.1 the first overflowed too, at step 1019)
    assert predictor.forecast([1.5, 3, 6, 12], 1020)[-1] == 1.5 * 2.0**1023
    assert main(["predict", "--weights", str(tiny_onnx), "1.5", "3", "6", "12", "--steps", "1021"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_float_arithmetic_rule_is_continued_from_its_last_value_rounded_once(predictor):
    # adding the step 10,000 times went to 1.00040000000013e+304, outside its own zero-width band
    path = predictor.forecast([1e300, 2e300, 3e300, 4e300], 10_000)
    assert abs(path[-1] - 10_004e300) <= 2 * np.spacing(10_004e300)  # the step itself is a float: within 2 ulp
    assert abs(path[99] - 104e300) <= 2 * np.spacing(104e300)


def test_a_rule_whose_next_value_overflows_is_an_error_not_the_networks_answer(predictor, tiny_onnx, capsys):
    """1 1e100 1e200 1e300 continues to 1e400: the rule was once dropped, and the network answered 1e300."""
    from numseries.cli import main

    values = [1, 1e100, 1e200, 1e300]
    assert find_rule(values).next_value == 10**400  # whole numbers past 2**53: the integers they name, exactly
    expected = "follows the rule geometric, ratio 1e\\+100, whose next value overflows float64"
    with pytest.raises(ValueError, match="^the sequence " + expected):  # adversarial round 10: "sequence 0"
        predictor.predict(values)
    with pytest.raises(ValueError, match="sequence 1 " + expected):
        predictor.predict_batch([[1, 2, 3], values])
    with pytest.raises(ValueError, match="series 'b' " + expected):
        predictor.predict_batch([[1, 2, 3], values], ids=["a", "b"])
    with pytest.raises(ValueError, match=expected):
        predictor.forecast(values, 2)
    assert main(["predict", "--weights", str(tiny_onnx), *map(str, values)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "divide the values by a large constant" in err


def test_a_rule_past_2_53_is_printed_exactly_and_in_floats_bracketed_not_claimed_exact(tiny_onnx, capsys):
    """Adversarial round 5: 2**53 - 3 .. 2**53 (each held exactly) lost its rule, and the network answered
    2**53 again with a zero-width interval; the next value, 2**53 + 1, is one float64 cannot hold. Round 6:
    refusing it lost every other series of a StatsForecast call, and a whole series in frames. The command
    line prints it exactly; floats give float64's nearest, not exact, with the two floats either side."""
    from numseries.cli import main
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()  # the shipped model: it has intervals
    top = 2**53
    values = [top - 3, top - 2, top - 1, top]
    rule = find_rule(values)
    assert rule is not None and rule.next_value == top + 1 and isinstance(rule.next_value, int)
    assert find_rules(np.array([values] * (_FEW_ROWS + 1), dtype=float), np.full(_FEW_ROWS + 1, 4))[0].next_value == top + 1
    result = predictor.predict(values, level=[80])
    assert result.value == float(top + 1) and not result.exact and result.pattern == "arithmetic, step 1"
    lo, hi = result.interval(80)
    assert lo < top + 1 < hi and (lo, hi) == (float(top), float(top + 2))
    batch = predictor.predict_batch([[1, 2, 3, 4], values], level=[80])
    assert batch.exact.tolist() == [True, False] and batch.values[1] == result.value
    # adversarial round 13: the batch's float (a NumPy float) was compared with the rule's int by rounding it,
    # and took the floats below: [2**53 - 1, 2**53], which leaves out 2**53 + 1
    assert (batch.interval(80)[0][1], batch.interval(80)[1][1]) == (lo, hi)
    assert main(["predict", "--weights", str(tiny_onnx), *map(str, values), "--steps", "2", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["prediction"] == top + 1 and answer["forecast"] == [top + 1, top + 2] and answer["exact"] is True
    assert main(["predict", "--weights", str(tiny_onnx), *map(str, values)]) == 0
    assert "next value: 9007199254740993\n" in capsys.readouterr().out
    # a forecast: exact while float64 holds the values, then their nearest between the floats either side
    forecast = predictor.forecast([top - 7, top - 6, top - 5, top - 4], 6, level=[80])
    np.testing.assert_array_equal(forecast.values, [float(top - 4 + k) for k in range(1, 7)])
    lo, hi = forecast.interval(80)
    np.testing.assert_array_equal(lo[:4], forecast.values[:4])
    np.testing.assert_array_equal(hi[:4], forecast.values[:4])
    assert float(lo[4]) < top + 1 < float(hi[4]) and hi[4] - lo[4] == 2  # 2**53 + 1: between 2**53 and 2**53 + 2
    assert lo[5] == hi[5] == top + 2  # float64 holds 2**53 + 2: zero width again


@pytest.mark.parametrize(
    ("values", "expected"),
    [  # adversarial round 13: printed to 15 digits (2.7021597764223e+16, 1.84467440737096e+19), marked exact
        ([2**52 * k for k in range(1, 6)], 2**52 * 6),
        ([2**60, 2**61, 2**62, 2**63], 2**64),
    ],
)
def test_a_rule_s_whole_number_past_2_53_is_printed_in_full(tiny_onnx, capsys, values, expected):
    from numseries.cli import main

    assert main(["predict", "--weights", str(tiny_onnx), *map(str, values)]) == 0
    out = capsys.readouterr().out
    assert f"next value: {expected}\n" in out and "(exact)" in out
    assert main(["predict", "--weights", str(tiny_onnx), *map(str, values), "--json", "--steps", "2"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["prediction"] == expected and isinstance(answer["prediction"], int)
    assert answer["forecast"][0] == expected and isinstance(answer["forecast"][0], int)


def test_subnormal_rules_print_their_shortest_digits_and_an_underflowing_one_is_no_rule(tiny_onnx, capsys):
    # adversarial round 13: 4.99994433591342e-320 printed for 5e-320; a geometric rule whose next value
    # underflowed was claimed exact with 0
    from numseries.cli import main

    assert main(["predict", "--weights", str(tiny_onnx), "1e-320", "2e-320", "3e-320", "4e-320"]) == 0
    out = capsys.readouterr().out
    assert "next value: 5e-320\n" in out and "pattern: arithmetic, step 1e-320 (exact)" in out  # round 42: 9.999888672e-321
    assert find_rule([1e-320, 1e-321, 1e-322, 1e-323]) is None
    assert find_rules(np.array([[1e-320, 1e-321, 1e-322, 1e-323]] * (_FEW_ROWS + 1)), np.full(_FEW_ROWS + 1, 4)) == {}
    assert find_rule([8.0, 4.0, 2.0, 1.0]).next_value == 0.5


def test_a_rule_whose_float_arithmetic_overflowed_short_of_the_limit_is_dropped():
    """A float map like 3 x[t-1] - 3 x[t-2] + x[t-3] can overflow (3 * 6e307 = inf) where the next value
    does not: such a rule is dropped (the network answers), one truly past 1.8e308 is kept (an error)."""
    from numseries.rules import Rule, _checked

    def rule(history, weights):
        step = partial(_add_step, 1.0, history[-1], len(history))  # never called: the next value is inf
        return Rule("polynomial", "quadratic", np.inf, np.array(weights), 0.0, 3, False, tuple(history), step)

    history = [2.5e307, 4e307, 6e307]
    assert _checked(rule(history, [1.0, -3.0, 3.0])) is None  # 8.5e307
    assert _checked(rule(history, [0.0, 0.0, 3.0])) is not None  # 1.8e308
    assert _checked(rule(history, [np.nan, 0.0, 3.0])) is None


def test_a_batch_forecast_continues_each_series_rule_whatever_the_others_lengths(predictor):
    rng = np.random.default_rng(0)
    noise = list(rng.normal(size=9))
    series = [noise, [1, 2, 6, 24, 120], list(range(3, 200, 2)), [1, 1, 2, 3, 5, 8, 13, 21], noise[:5]]
    batch = predictor.forecast_batch(series, 3)
    np.testing.assert_array_equal(batch.values[1], [720, 5040, 40320])
    np.testing.assert_array_equal(batch.values[2], [201, 203, 205])  # the last 64 values are read: still +2
    np.testing.assert_array_equal(batch.values[3], [34, 55, 89])
    for i in (0, 4):  # no rule: the network's path, as alone
        np.testing.assert_array_equal(batch.values[i], predictor.forecast(series[i], 3))


def test_cli_prints_the_pattern_and_the_exact_value(capsys, tiny_onnx):
    import json

    from numseries.cli import main
    from numseries.commands.predict import NO_PATTERN

    assert main(["predict", "--weights", str(tiny_onnx), "1", "1", "2", "3", "5", "8", "13"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["next value: 21", "pattern: Fibonacci-like: x[t] = x[t-1] + x[t-2] (exact)"]
    assert main(["predict", "--weights", str(tiny_onnx), "--json", "--steps", "2", "1", "2", "6", "24", "120"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["prediction"], out["exact"], out["forecast"]) == (720, True, [720, 5040])
    assert out["pattern"].startswith("factorial-like")
    assert main(["predict", "--weights", str(tiny_onnx), "--json", "--no-rules", "1", "1", "2", "3", "5", "8", "13"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["exact"], out["pattern"]) == (False, NO_PATTERN) and out["prediction"] != 21


def test_cli_writes_a_quadratic_map_as_its_product_and_widens_the_weight_column_for_it(capsys):
    from numseries.cli import main

    assert main(["predict", "2", "3", "7", "43", "1807", "3263443"]) == 0  # the shipped model: its weights
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "next value: 10650056950807"
    assert "10650056950807 = 3263442 × 3263443 + 1 (the rule's constant)" in lines
    header = next(line for line in lines if line.lstrip().startswith("step"))
    last = next(line for line in lines if line.lstrip().startswith("6 "))
    assert "3263442.000" in last
    assert last.index("3263442.000") + len("3263442.000") == header.index("weight") + len("weight")  # aligned
    assert any("a quadratic map's" in line for line in lines)


def test_the_rule_s_constant_is_written_exactly_past_2_53(capsys):
    # adversarial round 47: what float terms left of the value past 2**53 dropped Sylvester's + 1
    from numseries.cli import main

    assert main(["predict", "2", "3", "7", "43", "1807", "3263443", "10650056950807"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "113423713055421844361000443 = 10650056950806 × 10650056950807 + 1 (the rule's constant)" in lines


def test_a_quadratic_map_far_along_writes_its_coefficient_in_full_and_its_overflow_names_the_fix(capsys):
    from numseries.cli import main

    squares = [str(2 ** 2**k) for k in range(7)]  # 2 4 16 ... 2**64: float64 holds each exactly
    assert main(["predict", *squares]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{2**128} = {2**64} × {2**64}" in lines  # (the float's 16 digits, 1.844674407370955e+19, were not exact)
    assert any(line.split()[:3] == ["7", str(2**64), "1.845e+19"] for line in lines)  # the table's column stays narrow
    assert main(["predict", *squares, str(2**128), str(2**256), str(2**512)]) == 2  # its next value, 2**1024: past float64
    assert "overflows float64; predict with the rules off (--no-rules, rules=False)" in capsys.readouterr().err


def test_with_the_shipped_heads_a_rule_has_a_zero_width_interval_and_the_rest_keep_the_head():
    from numseries.predict import Predictor

    shipped = Predictor.from_pretrained()
    result = shipped.predict(FIB, level=80)
    assert result.exact and result.interval(80) == (21.0, 21.0) and result.pattern_confidence == 1.0
    walk = [0.3, -1.2, 0.4, 2.2, 1.9, 0.7]
    batch = shipped.predict_batch([FIB, walk], level=80)
    lo, hi = batch.interval(80)
    assert list(batch.exact) == [True, False] and lo[0] == hi[0] == 21.0 and lo[1] < hi[1]
    assert batch.patterns[0].startswith("Fibonacci-like") and batch.patterns[1] == shipped.predict(walk).pattern
    forecast = shipped.forecast(FIB, 3, level=80)
    np.testing.assert_array_equal(forecast.values, [21, 34, 55])
    np.testing.assert_array_equal(forecast.interval(80)[0], forecast.interval(80)[1])


@pytest.mark.parametrize(
    "values",
    [
        [1.0e308, 1.066e308, 1.135e308, 1.199e308, 1.267e308, 1.332e308],  # ratios 1.051-1.066: not geometric
        [1e308, 1.1e308, 1.2e308, 1.3e308, 1.4e308, 1.5e308, 0.2e308, 1e308],
        [1e308, -1e308, 1e308, -1e308, 0.5e308, 0.7e308],
    ],
)
def test_no_rule_passes_near_the_float_limits_for_want_of_a_finite_tolerance(values):
    """The checks' tolerances are sums of multiples of the values: near 1.8e308 they once overflowed to inf,
    and every sequence there fitted the first class asked (geometric, arithmetic with step 0)."""
    x = np.array(values)
    assert find_rule(x) is None
    rows = np.tile(np.append(x, np.full(8 - len(x), np.nan)), (_FEW_ROWS + 1, 1))  # the batch's own tests
    assert find_rules(rows, np.full(len(rows), len(x))) == {}


def test_a_rule_between_values_near_both_float_limits_is_still_found():
    rule = find_rule(np.array([-1.7e308, 1.7e308, -1.7e308, 1.7e308]))
    assert rule is not None and float(rule.next_value) == -1.7e308


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9]),  # float sums: 7.699999999999999, 8.799999999999999
        ([0.4, 0.5, 0.6, 0.7], [0.8, 0.9, 1.0, 1.1]),  # 0.7 + the mean step 0.09999999999999999: 0.7999999999999999
        ([0.1, 0.1, 0.2, 0.3, 0.5, 0.8], [1.3, 2.1, 3.4, 5.5]),  # Fibonacci-like on tenths
        ([0.1, 0.4, 0.9, 1.6, 2.5], [3.6, 4.9, 6.4, 8.1]),  # quadratic on tenths
        ([100.0, 50.0, 25.0, 12.5], [6.25, 3.125, 1.5625, 0.78125]),  # ratio 0.5 leaves the grid: not rounded to it
        ([0.1, 0.3, 0.9, 2.7], [8.1, 24.3, 72.9, 218.7]),  # ratio 0.3 / 0.1 = 2.9999999999999996: 24.299999999999994
        ([0.7, -1.4, 2.8, -5.6], [11.2, -22.4, 44.8, -89.6]),  # ratio -2 on tenths
    ],
)
def test_a_rule_on_values_recorded_to_decimals_continues_on_those_decimals(values, expected):
    x = np.array(values)
    rule = find_rule(x)
    assert rule is not None and not rule.exact
    assert rule.next_value == expected[0] and rule.forecast(4) == expected  # the floats nearest the decimals
    rows = np.tile(np.append(x, np.full(8 - len(x), np.nan)), (_FEW_ROWS + 1, 1))
    assert find_rules(rows, np.full(len(rows), len(x)))[0].forecast(4) == expected


@pytest.fixture(scope="module")
def shipped():
    from numseries.predict import Predictor

    return Predictor.from_pretrained()


@pytest.mark.parametrize(
    "values",
    [
        [1, 1, 2, 3, 5, 8, 13],  # a recurrence
        [1, 2, 6, 24, 120],  # a ratio rule
        [1, 8, 27, 64, 125],  # powers
        [1.1, 2.2, 3.3, 4.4],  # arithmetic on decimals, in their units
        [2, 4, 6, 8],  # arithmetic
    ],
)
def test_a_prediction_that_holds_a_rule_pickles_and_continues_the_same(shipped, values):
    """Rule.step was a closure: multiprocessing, joblib and Dask failed only on series that follow a rule."""
    import pickle

    prediction = shipped.predict(values)
    assert prediction.exact
    again = pickle.loads(pickle.dumps(prediction))
    assert again.value == prediction.value and again.rule.forecast(5) == prediction.rule.forecast(5)
    batch = pickle.loads(pickle.dumps(shipped.predict_batch([values, [3, 1, 4, 1, 5]])))
    assert batch.rules[0].forecast(5) == prediction.rule.forecast(5)


def test_results_compare_by_identity_instead_of_raising(shipped):
    """The generated == compared tuples of arrays: 'the truth value of an array ... is ambiguous'."""
    one, other = shipped.predict_batch([[1, 2, 3]]), shipped.predict_batch([[1, 2, 3]])
    assert one == one and one != other and len({one, other}) == 2
    forecast = shipped.forecast([3, 1, 4, 1, 5], 3, level=80)
    assert forecast != shipped.forecast([3, 1, 4, 1, 5], 3, level=80)
    assert shipped.predict([1, 2, 3]) != shipped.predict([1, 2, 3]) and hash(find_rule([1, 2, 3]))


def test_a_float_rules_step_is_described_without_the_values_float_noise():
    # adversarial round 10: "quadratic: second difference 0.2000000001" for 1000000.0 1000000.1 1000000.4 ...
    quadratic = find_rule([1000000.0, 1000000.1, 1000000.4, 1000000.9, 1000001.6, 1000002.5])
    assert quadratic.description == "quadratic: second difference 0.2" and quadratic.next_value == 1000003.6
    assert find_rule([1.0000001, 1.0000002, 1.0000003, 1.0000004]).description == "arithmetic, step 1e-07"
    assert find_rule([2.5, 3.7, 4.9, 6.1]).description == "arithmetic, step 1.2"


def test_whole_numbers_past_2_53_follow_a_rule_on_the_integers_they_name():
    """Adversarial round 16: 1e23 2e23 3e23 4e23 (floats, past 2**53) were fitted as floats, and 4e23 + 1e23 in
    float arithmetic, 499999999999999991611392, was printed as the exact next value (5e23 is another float);
    its forecast's second step, 5.9999999999999995e23, was 'exact' with a band leaving out 6e23."""
    rule = find_rule([1e23, 2e23, 3e23, 4e23])
    assert (rule.next_value, rule.description, rule.exact) == (5 * 10**23, "arithmetic, step 1e+23", True)
    assert rule.forecast(2) == [5 * 10**23, 6 * 10**23]
    assert find_rule([1e22, 1e23, 1e24, 1e25]).next_value == 10**26
    assert find_rule([1e23] * 4).description == "constant 1e+23"
    powers = [2.0**k for k in range(59, 63)]  # 576460752303423488 ...: shortest decimals of 16 digits
    assert find_rule(powers).next_value == 2**63  # the floats' own integers, as typed in full
    rows = np.tile(np.array([1e23, 2e23, 3e23, 4e23]), (_FEW_ROWS + 1, 1))  # the batch's own gate
    assert find_rules(rows, np.full(len(rows), 4))[0].next_value == 5 * 10**23


def test_a_rule_past_2_53_is_the_nearest_float_with_the_floats_either_side_and_shown_as_named(capsys):
    from conftest import predict_cli
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    prediction = predictor.predict([1e23, 2e23, 3e23, 4e23], level=[80])
    assert prediction.value == 5e23 and not prediction.exact  # float64's nearest to 5 * 10**23, not it
    lo, hi = prediction.interval(80)
    assert lo < 5 * 10**23 < hi and (lo, hi) == (5e23, math.nextafter(5e23, math.inf))
    lo, hi = predictor.forecast([1e23, 2e23, 3e23, 4e23], 2, level=80).interval(80)
    assert float(lo[1]) < 6 * 10**23 < float(hi[1])  # Python floats: compared with the int exactly
    code, out, _ = predict_cli(capsys, "1e23", "2e23", "3e23", "4e23")
    assert code == 0 and out.splitlines()[:3] == [
        "next value: 5e+23", "80% interval: 5e+23 to 5e+23", "pattern: arithmetic, step 1e+23 (exact)"
    ]


def test_whole_floats_computed_past_2_53_keep_their_rule_without_an_exact_claim(capsys):
    """Adversarial round 17: float(n!) for n = 18 .. 25 name no integers that are factorials, and lost the
    factorial rule (the network answered 1.5e25, 24 times too low); checked as floats, the rule's next value is
    float arithmetic's: not exact, its interval the floats either side."""
    from conftest import predict_cli
    from numseries.predict import Predictor

    values = [float(math.factorial(n)) for n in range(18, 26)]
    rule = find_rule(values)
    assert rule is not None and not rule.precise and rule.next_value == pytest.approx(math.factorial(26), rel=1e-14)
    prediction = Predictor.from_pretrained().predict(values, level=[80])
    lo, hi = prediction.interval(80)
    assert not prediction.exact and lo < prediction.value < hi
    code, out, _ = predict_cli(capsys, *map(repr, values))
    assert code == 0 and "(a rule, to float64 precision)" in out and "(exact)" not in out


def test_short_runs_of_counts_are_rules_and_rules_false_leaves_them_to_the_network():
    """What the README's DataFrames section says (adversarial round 34): 7 7 7 7 and 1 0 1 0 are answered by a
    rule with a zero-width interval; without rules the network answers them, 1 0 1 0 with an interval of some
    width (a constant has no steps to scale one by: zero width still)."""
    from numseries import Predictor

    ruled, plain = Predictor.from_pretrained(), Predictor.from_pretrained(rules=False)
    for values, value, pattern in (([7, 7, 7, 7], 7, "constant"), ([1, 0, 1, 0], 1, "period 2")):
        answer = ruled.predict(values, level=[95])
        assert answer.exact and answer.value == value and answer.pattern.startswith(pattern)
        assert answer.interval(95) == (value, value)
        network = plain.predict(values, level=[95])
        lo, hi = network.interval(95)
        assert not network.exact and (hi > lo) == (pattern != "constant")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1e-20, 2e-20, 3e-20, 4e-20], [5e-20, 6e-20, 7e-20]),  # float sums: 5.999999999999999e-20
        ([-6.1e-19, -5.8e-19, -5.5e-19, -5.2e-19, -4.9e-19], [-4.6e-19, -4.3e-19, -4e-19]),
        ([8.1e-05, 9.45e-05, 0.000118, 0.0001515, 0.000195, 0.0002485], [0.000312, 0.0003855, 0.000469]),  # quadratic
        ([1.2e-20, 7.1e-20, 8.3e-20, 1.54e-19, 2.37e-19, 3.91e-19, 6.28e-19], [1.019e-18, 1.647e-18, 2.666e-18]),
        ([4.5e-20, 9.69e-20, 2.007e-19, 4.083e-19, 8.235e-19, 1.6539e-18], [3.3147e-18, 6.6363e-18, 1.32795e-17]),
    ],
)
def test_rules_on_values_written_to_few_digits_continue_in_those_decimals(values, expected):
    """Adversarial round 42: past the 6 decimals a series was read as recorded to, rules went on by float
    arithmetic, off the exact decimals by an ulp (1.0190000000000001e-18 for a Fibonacci-like 1.019e-18)."""
    assert find_rule(values).forecast(3) == expected


def test_rules_with_fractional_coefficients_on_written_values_continue_in_their_decimals():
    """Adversarial round 43: an affine map 1.5x + 9.12e-06 went on by float arithmetic, 8.693343749999999e-05
    beside "(exact)" where the value is 8.69334375e-05."""
    rule = find_rule([-4.39e-06, 2.535e-06, 1.29225e-05, 2.850375e-05, 5.1875625e-05])
    assert rule.next_value == 8.69334375e-05 and rule.forecast(2) == [8.69334375e-05, 0.000139520156250]
    assert find_rule([0.00229, 0.005115, 0.0121775, 0.02983375, 0.073974375]).forecast(2)[1] == 0.46020484375


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.01, 0.02, 0.06, 0.24, 1.2], [7.2, 50.4, 403.2]),  # factorial-like: 7.199999999999999 by float products
        ([0.1, 0.1, 0.2, 0.5, 1.4, 4.2], [13.2, 42.9, 143.0, 486.2, 1679.6, 5878.6]),  # Catalan × 0.1: 5878.599999999999
        ([0.2, 0.6, 2, 7, 25.2, 92.4], [343.2, 1287.0, 4862.0]),  # central binomial × 0.1
    ],
)
def test_a_ratio_rule_on_decimals_goes_on_in_their_decimals(values, expected):
    # adversarial round 65: ratio rules went on by float products, beside "(exact)"
    rule = find_rule(values)
    assert rule is not None and rule.kind == "ratio" and rule.forecast(len(expected)) == expected


def test_a_geometric_rule_on_decimals_whose_ratio_is_a_fraction_goes_on_by_that_fraction():
    # adversarial round 65: ratio 2/3 went on by its 15 digits, 0.666666666666667: 0.7111111111111118 at step 2
    rule = find_rule([8.1, 5.4, 3.6, 2.4, 1.6])
    assert rule.forecast(5) == [float(Fraction("1.6") * Fraction(2, 3) ** k) for k in range(1, 6)]
    assert rule.description == "geometric, ratio 2/3"  # as of 27 18 12 8
    assert find_rule([2.7, 1.8, 1.2, 0.8]).next_value == 0.5333333333333333
    assert find_rule([2.7, 3.6, 4.8, 6.4]).description == "geometric, ratio 4/3"
    assert find_rule([100, 90, 81, 72.9]).description == "geometric, ratio 0.9"  # a decimal ratio stays one


def test_a_period_that_moves_by_a_constant_continues_in_its_decimals_and_a_rounded_line_has_none():
    rule = find_rule([0.1, 0.5, 0.2, 0.2, 0.6, 0.3, 0.3, 0.7, 0.4])
    assert rule.description == "period 3, each cycle +0.1: x[t] = x[t-3] + 0.1"
    assert rule.forecast(4) == [0.4, 0.8, 0.5, 0.5]  # the decimals, not float sums' 0.30000000000000004
    stairs = np.tile([10.0, 50.0, 20.0, 80.0, 40.0, 60.0, 30.0], 5) + np.repeat(np.arange(5.0), 7) * 1.5
    assert find_rule(stairs).next_value == 17.5 and find_rule(stairs + 0.001 * np.arange(35)).next_value == 17.535
    # a line rounded to 4 decimals steps by 0.0363 or 0.0364: their pattern repeats every 6 steps by chance
    assert find_rule(np.round(1.7 + 0.036317 * np.arange(40.0), 4)) is None


def test_the_readme_s_primes_from_5_follow_a_rule_the_next_prime_breaks():
    # adversarial round 65: a rule the values given follow, not the one meant (README, the rules)
    rule = find_rule([5, 7, 11, 13, 17, 19, 23])
    assert rule.next_value == 25 and rule.description == "period 2, each cycle +6: x[t] = x[t-2] + 6"
    assert find_rule([5, 7, 11, 13, 17, 19, 23, 29]) is None
