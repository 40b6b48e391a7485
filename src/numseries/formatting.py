"""How numbers are shown to people: inputs as they were typed, predictions to the digits that mean something.

A prediction is shown to the digit below a hundredth of the data's mean absolute step (``123456.7 123457.9
123459.1`` -> ``123460.3``, not ``123460``), with at least 3 significant digits, never past what a float64
holds (``1000000000000004``, not ``1e+15``), and with trailing zeros dropped, except where a value would then
read as a whole number it is not (14.996 beside steps of 3 is ``15.00``, not ``15``). Exact predictions of a rule are
shown in full (``21``, ``2432902008176640000``, ``0.3``). The CLI tables, ``--plot``, the plots' legends and
the README's examples all go through :func:`format_value`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

SIGNIFICANT = 3  # at least this many significant digits, however large the steps
STEP_FRACTION = 100  # the last digit shown is below 1/STEP_FRACTION of the mean absolute step
MAX_DIGITS = 17  # a float64 round-trips in 17 significant digits; more would show noise


def mean_step(values: Sequence[float] | np.ndarray) -> float | None:
    """The mean absolute step of ``values`` (L,), or None where there is none (a constant, one value)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore"):  # a step between values near both float limits is past the float range
        steps = np.abs(np.diff(values))
        if not np.isfinite(steps).all():  # measured in halves, and the mean capped at the largest float
            steps = np.abs(np.diff(values / 2))
            steps = steps[np.isfinite(steps)]
            step = min(2 * float(np.sum(steps / len(steps))), sys.float_info.max) if len(steps) else 0.0  # no sum past it
            return step if step > 0 else None
        step = float(steps.mean()) if len(steps) else 0.0
        if math.isinf(step):  # steps each in the float range whose sum is not (8e307 -8e307 8e307): their shares
            step = float(np.sum(steps / len(steps)))
    return step if step > 0 and math.isfinite(step) else None


def format_input(value: float) -> str:
    """A value given as a number, not typed: its shortest round-trip form, whole numbers without ``.0``."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


NOISE = 1e-12  # a value below this fraction of the mean step is float rounding of a sum, shown as 0


def _denoised(value: float, step: float | None, exact: bool) -> float:
    """``value``, or 0.0 where it is float rounding beside data of mean step ``step``: 3.3 2.2 1.1 gives
    1.5 × 1.1 − 0.5 × 3.3 = 2.2e-16, which 3 significant digits showed as 2.22e-16 (a -0 is 0 too)."""
    if _in_full(value, step, exact) or step is None:
        return value
    return 0.0 if abs(value) < step * NOISE else value


def format_value(value: float, *, step: float | None = None, exact: bool = False) -> str:
    """``value`` as shown beside data whose mean absolute step is ``step`` (see :func:`mean_step`).

    ``exact`` (a rule's value), or no ``step`` (a constant series): whole numbers in full, others to 15
    significant digits (drops float noise: 0.30000000000000004 -> 0.3), a rule's to its float's shortest
    digits where they are at most 16 (an exact decimal may have 16: 1.1**15 = 4.177248169415651).
    """
    if isinstance(value, (int, np.integer)) and exact:  # a rule's exact value, as its description writes it
        from numseries.rules import fmt

        return fmt(int(value))
    value = _denoised(float(value), step, exact)
    if _in_full(value, step, exact):  # a whole number in full below 2**53; past it, a float's shortest digits
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        if exact and math.isfinite(value) and (abs(value) >= 2**53 or _digit_count(repr(value)) <= 16):
            return repr(value)  # a rule's float: digits naming it (1.1**15 is 4.177248169415651, 16 digits)
        return min(f"{value:.15g}", repr(value), key=len)  # 0.3 for 0.30000000000000004; 5e-320, not 4.99994e-320
    assert step is not None  # for mypy: _in_full took the values without a step
    digits = _digits(value, step)
    text = f"{value:.{digits}g}"  # 'g' drops trailing zeros, and writes 1e-20 and 1e+20 with an exponent
    if text.lstrip("-").isdigit() and float(text) != value:  # 14.996 is not 15: its zeros stay (15.00)
        decimals = digits - 1 - math.floor(math.log10(abs(value)))  # of its own magnitude: 9.996 is 10.00, not 10.0
        return f"{value:.{decimals}f}" if decimals > 0 else text
    return text


def _digit_count(text: str) -> int:
    """The significant digits of a number written as ``repr`` writes a float (``-4.177e-05``: 4)."""
    return len(text.lstrip("-").partition("e")[0].replace(".", "").lstrip("0"))


def last_digit(value: float, *, step: float | None = None) -> float:
    """The unit of the last digit :func:`format_value` keeps of ``value`` (before 'g' drops trailing zeros:
    ``6.00`` is shown ``6``, to 0.01): what a sum written beside it must add up to within half of."""
    value = _denoised(float(value), step, False)
    if not math.isfinite(value) or value == 0 and _in_full(value, step, False):
        return 0.0
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    if _in_full(value, step, False):
        return 10.0 ** (magnitude - 14)  # 15 significant digits
    assert step is not None  # for mypy: _in_full took the values without a step
    return 10.0 ** (magnitude + 1 - _digits(value, step, round_trip=False))  # 6.0 to 0.01 beside steps of 1


def format_values(values: Sequence[float], *, step: float | None = None, exact: bool = False) -> list[str]:
    """Numbers shown together (an interval's bounds, a forecast's table), each as :func:`format_value` shows
    it but with the decimals of the one that shows most: ``2.980 to 2.992``, not ``2.98 to 2.992``."""
    if not exact:  # (a rule's values stay as given: an int past 2**53 is no float)
        values = [_denoised(float(value), step, exact) for value in values]
    texts = [format_value(value, step=step, exact=exact) for value in values]
    shown = [None if "e" in text or "n" in text else len(text.partition(".")[2]) for text in texts]  # not 1e-20, inf
    most = max((count for count in shown if count is not None), default=0)
    return [
        text if count in (None, most) or step is None or _in_full(float(value), step, exact)
        else f"{float(value):.{min(most, _decimals(float(value), step))}f}"
        for value, text, count in zip(values, texts, shown, strict=True)
    ]


def _in_full(value: float, step: float | None, exact: bool) -> bool:
    """Whether ``value`` is shown in full rather than to the step's digits (also where the step is so small,
    a subnormal float, that its digits are past the float range)."""
    return (
        exact or step is None or not step > 0 or not math.isfinite(step) or not math.isfinite(value)
        or not math.isfinite(STEP_FRACTION / step)
    )


def _digits(value: float, step: float, round_trip: bool = True) -> int:
    """The significant digits :func:`format_value` shows ``value`` to beside data of mean step ``step``: to
    :func:`_decimals`, but (``round_trip``) not past the value's shortest round-trip digits (5.000000000001
    beside steps of 5e-14, not 5.0000000000010001: the digits after those are the float's noise)."""
    magnitude = math.floor(math.log10(abs(value))) if value else 0  # 10**magnitude <= |value|
    decimals = _decimals(value, step)
    if round_trip:  # (whole numbers below 1e16 whole: 123460, not 1.2346e+05)
        from numseries.rules import shortest_decimal  # (as format_value's fmt: rules imports no formatting)

        shortest = -int(shortest_decimal(value).as_tuple().exponent)
        decimals = min(decimals, max(shortest, 0) if abs(value) < 1e16 else shortest)
    return min(max(magnitude + 1 + decimals, 1), MAX_DIGITS)


def _decimals(value: float, step: float) -> int:
    """The decimals that put the last digit below 1/STEP_FRACTION of ``step``, with SIGNIFICANT digits at
    least and none finer than the float resolves (negative from 2**56, where floats are 16 apart: rounded to tens
    or more)."""
    magnitude = math.floor(math.log10(abs(value))) if value else 0  # 10**magnitude <= |value|
    decimals = max(math.ceil(math.log10(STEP_FRACTION / step)), SIGNIFICANT - 1 - magnitude)
    # no digit finer than the float resolves, but every one it does: the text reads back as the same float
    decimals = min(decimals, math.ceil(-math.log10(math.ulp(abs(value)))))
    return max(decimals, 0) if abs(value) < 1e16 else decimals  # below 1e16 whole numbers are shown whole


def short_array(values: Any) -> str:
    """An array in one line as a result's repr shows it: to 6 significant digits, the first and last 3 numbers
    of a longer row (``[0, 0, 0, ..., 0, -1, 2]``), the first 2 and the last of more than 3 rows."""
    array = np.asarray(values)
    if array.ndim > 1:
        rows = [short_array(row) for row in array] if len(array) <= 3 else [
            *map(short_array, array[:2]), "...", short_array(array[-1])
        ]  # fmt: skip
        return "[" + ", ".join(rows) + "]"
    shown = [f"{float(x):.6g}" for x in (array if len(array) <= 6 else np.r_[array[:3], array[-3:]])]
    return "[" + ", ".join(shown if len(array) <= 6 else [*shown[:3], "...", *shown[3:]]) + "]"


def levels_text(bounds: dict[float, tuple[Any, Any]]) -> str:
    """``{80: (lo, hi), ...}`` as a result's repr shows its intervals: ``{80: (4.9, 5.1)}``."""
    shown = (f"{float(level):g}: ({_short(lo)}, {_short(hi)})" for level, (lo, hi) in bounds.items())
    return "{" + ", ".join(shown) + "}"


def _short(value: Any) -> str:
    return short_array(value) if np.ndim(value) else repr(float(value))


def percent_text(share: float, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage with at least ``decimals`` decimals (``14%``), and as many more as keep a
    share that is not all or none from reading as all or none (0.99909 is ``99.9%``, not ``100%``; 0.00004 is
    ``0.004%``)."""
    for shown in range(decimals, decimals + 18):  # (float64 tells shares apart to about 17 digits)
        text = f"{100 * share:.{shown}f}"
        if (share < 1 and float(text) >= 100) or (share > 0 and float(text) <= 0):
            continue
        return text + "%"
    return "under 100%" if share < 1 else "over 0%"  # 100 x share rounded to 100 (or 0) itself
