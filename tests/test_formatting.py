"""Numbers as shown: predictions to the digits the data's steps make meaningful, inputs as typed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from numseries.formatting import (
    STEP_FRACTION,
    format_input,
    format_value,
    format_values,
    last_digit,
    mean_step,
    percent_text,
)


def test_a_prediction_keeps_the_digits_the_steps_make_meaningful():
    step = mean_step([123456.7, 123457.9, 123459.1])
    assert step == pytest.approx(1.2)
    assert format_value(123460.30000001, step=step) == "123460.3"  # not 123460
    assert format_value(14.642134, step=mean_step([3, 6.1, 9.2, 12])) == "14.64"


def test_large_whole_numbers_are_shown_whole_not_in_scientific_notation():
    step = mean_step([1000000000000001, 1000000000000002, 1000000000000003])
    assert format_value(1000000000000004.0, step=step) == "1000000000000004"  # not 1e+15, no digits below a float's
    assert format_value(123460.0, step=10_000.0) == "123460"  # never rounded to tens, however large the steps


@pytest.mark.parametrize(
    ("value", "values", "shown"),
    [
        (5.93465e-20, [1e-20, 2e-20, 3e-20, 5e-20], "5.93e-20"),
        (-0.00510253, [-0.001, -0.0021, -0.0029, -0.0042], "-0.0051"),
        (-0.961029, [0.0, 0.84, 0.91, 0.14, -0.76], "-0.961"),
        (3.21e20, [1e20, 2e20, 3e20], "3.21e+20"),
        (-2.5e300, [1e300, -2e300, 3e300], "-2.5e+300"),
        (0.5, [0, 1000, -500], "0.5"),  # at least 3 significant digits, however large the steps
        (-7.0, [-1, -3, -5], "-7"),
    ],
)
def test_small_negative_and_scientific_values(value, values, shown):
    assert format_value(value, step=mean_step(values)) == shown


def test_exact_values_are_shown_in_full():
    assert format_value(2432902008176640000, exact=True) == "2432902008176640000"
    assert format_value(21.0, exact=True) == "21"
    assert format_value(0.1 + 0.2, exact=True) == "0.3"


def test_steps_past_the_float_range_still_set_the_digits():
    # adversarial round 9: 1e308 -1e308 1e308 has steps of inf: shown to 15 digits, 9.9902069568634e+307
    assert mean_step([1e308, -1e308, 1e308]) == 1.7976931348623157e308
    assert mean_step([1e308, -1e308, 1e308, 1e308]) == pytest.approx(1e308 / 3 * 4, rel=1e-12)  # steps 2e308, 2e308, 0
    assert format_value(9.9902069568634e307, step=mean_step([1e308, -1e308, 1e308])) == "9.99e+307"


def test_a_value_that_is_not_a_whole_number_never_reads_as_one():
    """Adversarial round 50: a network's 14.996 beside steps of 3 was shown ``15``, as a rule's exact 15 is."""
    assert format_value(14.996, step=3.0) == "15.00"
    assert format_value(-20.0004, step=1.0) == "-20.00"
    assert format_value(9.9999, step=0.5) == "10.000"  # to the thousandths, as 9.999 is (last_digit 0.001)
    # Adversarial round 53: the decimals are the value's own, not those of the power of ten it rounds up to
    assert [format_value(x, step=3.0) for x in (9.996, 99.996, -9.996)] == ["10.00", "100.00", "-10.00"]
    assert format_value(0.99996, step=0.03) == "1.0000" and format_value(0.5123, step=0.03) == "0.5123"
    assert all(  # the last digit shown is the unit last_digit gives, which sums written beside it are held to
        len(format_value(x, step=step).partition(".")[2]) == -round(math.log10(last_digit(x, step=step)))
        for x, step in [(9.996, 3.0), (99.996, 3.0), (0.99996, 0.03), (14.996, 3.0), (9.9999, 0.5), (-20.0004, 1.0)]
    )
    assert format_value(15.0, step=3.0) == "15"  # a whole number is shown whole
    assert format_value(123460.0001, step=10_000.0) == "123460"  # no decimals shown beside such steps: no zeros
    assert format_value(14.75, step=3.0) == "14.75" and format_value(14.5, step=3.0) == "14.5"  # zeros dropped


def test_without_a_step_a_value_gets_fifteen_digits():
    assert mean_step([7, 7, 7]) is None and mean_step([1]) is None
    assert format_value(7.0, step=None) == "7"
    assert format_value(1e15 + 1, step=None) == "1000000000000001"
    assert format_value(float("nan"), step=1.0) == "nan"


def test_shown_values_are_within_a_two_hundredth_of_a_step_of_the_value():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        value = float(rng.normal() * 10.0 ** rng.uniform(-12, 12))
        step = abs(value) * 10.0 ** rng.uniform(-9, 3)
        shown = format_value(value, step=step)
        allowed = max(step / STEP_FRACTION / 2, abs(value) * 5e-3)  # half the last digit shown
        assert abs(float(shown) - value) <= allowed * (1 + 1e-9), (value, step, shown)
        assert "0e" not in shown and not shown.endswith(".")  # no trailing zeros
        digits = len(shown.lstrip("-").split("e")[0].replace(".", "").lstrip("0"))
        assert digits <= 17


def test_inputs_given_as_numbers_get_their_shortest_round_trip_form():
    assert [format_input(v) for v in (2.0, 0.1, -0.0042, 3, np.int64(5))] == ["2", "0.1", "-0.0042", "3", "5"]
    assert format_input(1e20) == "1e+20" and float(format_input(math.pi)) == math.pi


def test_numbers_shown_together_share_their_decimals():
    assert format_values([2.98, 2.992], step=0.3) == ["2.980", "2.992"]  # not 2.98 beside 2.992
    assert format_values([12.0000001, 12.5], step=2.0) == ["12.00", "12.50"]  # 12.0000001 is not 12
    assert format_values([12.0, 12.5], step=2.0) == ["12.0", "12.5"]
    assert format_values([12.0], step=2.0) == ["12"]
    assert format_values([21, 21.5], exact=True) == ["21", "21.5"]  # a rule's values stay in full
    assert format_values([1.17e-19, float("inf")], step=1e-20) == ["1.17e-19", "inf"]


def test_subnormal_values_and_steps_are_shown_not_an_overflow_error(capsys):
    # adversarial round 7: `numseries predict 1e-320 2e-320 4e-320 3e-320` died in an OverflowError (exit 1)
    from numseries.cli import main

    assert float(format_value(2.4e-320, step=1e-320)) == 2.4e-320  # to 15 digits: the subnormal's own
    assert [float(text) for text in format_values([1e-320, 3e-320], step=1e-320)] == [1e-320, 3e-320]
    assert main(["predict", "1e-320", "2e-320", "4e-320", "3e-320"]) == 0
    assert capsys.readouterr().out.startswith("next value: ")


@pytest.mark.parametrize(
    ("value", "step"),
    [(10000000000000008.0, 2.0), (18014398509482016.0, 8.0), (18014398509482024.0, 8.0), (1e15 + 0.125, 0.001),
     (72057594037927952.0, 16.0)],
)
def test_a_value_past_the_float_s_units_is_shown_as_itself(value, step):
    """Adversarial round 14: 1e16 + 8 with steps of 2 was shown 1.000000000000001e+16 (1e16 + 10, another
    float), and two forecast steps 8 apart as one text: the digits the float resolves are shown."""
    assert float(format_value(value, step=step)) == value


def test_float_rounding_of_a_sum_is_shown_as_0():
    """3.3 2.2 1.1 gives 1.5 x 1.1 - 0.5 x 3.3 = 2.2e-16, shown as 2.22e-16 (and a -1e-17 as -0.0): below 1e-12
    of the mean step a value is rounding; above it, a small value keeps its digits, as does a rule's."""
    assert format_value(2.220446049250313e-16, step=1.1) == "0"
    assert format_values([-1e-17, 1.1], step=1.1) == ["0.0", "1.1"]
    assert last_digit(2.220446049250313e-16, step=1.1) == last_digit(0.0, step=1.1)
    assert format_value(0.004, step=1.1) == "0.004" and format_value(123, step=1e6) == "123"
    assert format_value(2.220446049250313e-16, exact=True) == "2.220446049250313e-16"  # its shortest digits


def test_an_exact_value_of_16_digits_is_shown_in_full():
    """Adversarial round 42: 1.1**15, exactly 4.177248169415651, was shown 4.17724816941565 beside "(exact)";
    a float with 17 digits is float arithmetic's noise, shown to 15."""
    assert format_value(4.177248169415651, exact=True) == "4.177248169415651"
    assert format_value(0.30000000000000004, exact=True) == "0.3"
    assert format_value(4.177248169415651, step=0.3) != "4.177248169415651"  # (not a rule's: to the steps)


def test_a_mean_step_whose_sum_passes_the_float_range_is_measured_without_a_warning():
    """Adversarial round 35a: steps of 1.6e308 each are floats, their sum is not: mean() warned of an overflow
    and gave inf, so 8e307 -8e307 8e307 -8e307 8.1e307 had no mean step and its numbers were shown in full."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step = mean_step([8e307, -8e307, 8e307, -8e307, 8.1e307])
    assert step == pytest.approx(1.6025e308)


def test_a_value_is_never_shown_past_its_shortest_round_trip_digits():
    """Adversarial round 35a: twenty 5s then 5.000000000001 showed 5.0000000000010001 (the float's noise past
    its own digits); numbers shown together still share decimals, and a sum's last digit is unchanged."""
    values = [5.0] * 19 + [5.000000000001]
    step = mean_step(values)
    assert format_value(5.000000000001, step=step) == "5.000000000001"
    assert format_values([5.0, 5.000000000001], step=step) == ["5.000000000000", "5.000000000001"]
    assert format_value(123460.0, step=10_000.0) == "123460" and format_value(6.0, step=1.0) == "6"
    assert last_digit(6.0, step=1.0) == pytest.approx(0.01)  # 6.00, shown 6: a sum beside it adds up to 0.01


@pytest.mark.parametrize(
    ("share", "decimals", "text"),
    [
        (0.99909, 0, "99.9%"),  # 6 of 6,600 missed: not "100%"
        (0.99985, 1, "99.98%"),
        (1.0, 0, "100%"),
        (1.0, 1, "100.0%"),
        (0.0, 0, "0%"),
        (0.00004, 0, "0.004%"),  # not "0%"
        (0.138, 0, "14%"),
        (0.797, 1, "79.7%"),
        (1 - 1e-9, 0, "99.9999999%"),  # review round 39: was "100%"
        (1e-12, 0, "0.0000000001%"),  # and "1e-10%"
    ],
)
def test_a_share_that_is_not_all_or_none_never_reads_as_all_or_none(share, decimals, text):
    assert percent_text(share, decimals) == text
