"""Exact rules: when a sequence follows a closed-form rule, continue it exactly instead of guessing.

``find_rule(values)`` runs before the network. It looks for the simplest rule that reproduces every
given value exactly: integers exactly (Python ints and fractions, so ``1 1 2 3 5 8 13`` gives the int
``21`` and factorials stay exact), other numbers to 1e-9 of their steps, and values written to at most 15
digits (1.1, 6.000000001) as written too. It returns a :class:`Rule` or None::

    from numseries.rules import find_rule

    rule = find_rule([1, 1, 2, 3, 5, 8, 13])
    rule.next_value, rule.description  # 21, 'Fibonacci-like: x[t] = x[t-1] + x[t-2]'
    rule.forecast(3)                    # [21, 34, 55]

Classes, tried in this order of simplicity (fewest free parameters first; the first that fits wins):

1. constant; 2. arithmetic (a polynomial of degree 1); 3. geometric, any ratio (sign changes
included); 4. consecutive powers ``±k^2``, ``±k^3``, ``±k^4`` of integers (a polynomial with one free
parameter, the first ``k``); 5. periodic, the shortest period ``p <= n/2``, else the shortest period
``p <= (n - 1)/2`` whose values all move by one constant a cycle, ``x[t] = x[t-p] + c`` (a season on a line,
``1 5 2 | 2 6 3 | 3 7 4``; not on values that step by amounts within a unit of their recording of each other,
a rounded line); 6. polynomials of degree
2 to 4 (finite differences); 7. linear recurrences ``x[t] = c1 x[t-1] + ... + ck x[t-k] (+ d)`` of
order 1 (with a constant: ``a x + b`` maps), 2, 2 with a constant, 3, 3 with a constant, whose
coefficients are simple (denominator <= 4, absolute value <= 10; when the shortest recurrence the
values fix has coefficients that are not simple, as a sampled sine wave's, no longer one is tried);
8. ratio rules ``x[t] = x[t-1] r(t)``
with ``r`` linear in the position ``t`` (factorials), then a ratio of two linear functions (Catalan
numbers, central binomial coefficients), small integer coefficients; 9. quadratic maps on integers,
``x[t] = x[t-1]^2 + b x[t-1] + c`` with integers ``|b|, |c| <= 10`` (repeated squaring ``2 4 16 256``,
Sylvester's ``2 3 7 43 1807``, Fermat numbers, Lucas-Lehmer).

Margin. A rule with ``P`` free parameters (values it fits, such as a start, a step, a ratio, the
coefficients, the first ``k`` values of a recurrence) must reproduce at least ``P + 2`` given values:
two exact checks beyond what it was fitted to. One check would accept any five numbers with a zero
fourth difference as a cubic, which rounded smooth data does often; two independent exact equalities
are rare by chance, and the benchmark (``benchmarks/rules.py``) measures the rate on noise and real
data. Hence: constant >= 3 values, arithmetic and geometric >= 4, polynomial of degree d >= d + 3, a
recurrence of order k >= 2k + 2 (+1 with a constant), a linear ratio >= 5, a rational ratio >= 6, a
quadratic map >= 4 (``x^2 + c``) or 5 (with a ``b x`` term).
Where equalities are not rare, checks count for less: on integers of a small range (counts 0, 1, 2)
a polynomial or recurrence needs enough checks that ``1 / (span + 1) ** checks`` stays within 1%
(a 0/1 series: 7; ``1 1 2 3 5 8``, of a wider range, is Fibonacci from two checks); a recurrence needs three equations reading something other than 0 for each of its
coefficients (sparse data's zeros fit any); and on decimals (values whole multiples of 0.1, 0.01, ...)
a polynomial of degree 2 or more needs a top difference over one unit, which rounding a slow curve
gives by chance. Integers of a wide range are read as a puzzle's terms: triangular numbers' second
difference of 1 is a rule.
Powers have one free parameter but need 4 values (3 checks): consecutive cubes are a cubic known
from 4 values, and ``1 8 27 64 125`` must continue to 216. A period ``p`` must be seen twice
(``n >= 2p``), so it is checked ``p`` times; one that moves by a constant, once more (``n >= 2p + 1``).

Tolerance for non-integers: a check ``x[t] = sum of terms`` passes when the gap is at most 1e-9 of the
largest step among the values it reads (``x[t-span] .. x[t]``) plus 32 ulps of what was summed (the
float rounding of exact data: a sampled sine wave repeats only to rounding): twice the largest of those
values, and each term ``c * x[t-lag]`` as it is, so that a huge coefficient on a tiny value (a "ratio"
of 1e286 from 2e-313 to 1e-26) does not widen the tolerance beyond the terms it multiplies. Relative to the local
step, not the level: noise above rounding on a large offset is never exact, and a geometric decay is
checked as tightly at its tail as at its head.
Values written to at most 15 significant digits (as typed or as a spreadsheet writes them; not float
arithmetic's 0.30000000000000004) are read as written, too: a rule must hold on those decimals exactly,
but for the rounding of values written to 15 digits, half a unit of the last (:meth:`_Series.holds_as_written`),
so that 1 2 3 4 5 6.000000001, within 1e-9 of a step of an arithmetic sequence, is none.

Explanation weights. Every rule gives the next value as an affine map of the given values,
``next = weights @ values + intercept``, and :attr:`Rule.weights` holds that map's coefficients: 1 on
each of the last two values for Fibonacci; the difference extrapolation ``(-1, 2)``, ``(1, -3, 3)``, ...
on the last ``d + 1`` values for a polynomial of degree ``d``; 1 on ``x[t-p]`` for a period ``p``. For
the rules that are not linear in the values (geometric, ratio rules, quadratic maps) the weight is this
step's multiplier on the last value (the ratio ``r``, or ``r(t)``: 6 on 120 for ``1 2 6 24 120``; ``x + b``
for a quadratic map, whose constant ``c`` is the intercept: 256 on 256 for ``2 4 16 256``): exactly how
the next value follows from the inputs, though the multiplier itself was fitted from them.

Pure Python and numpy: no torch. Quick: each class rejects noise on a few equations before any full
check (a few microseconds per class). For a batch, :func:`find_rules` first screens every class at
once with vectorised necessary conditions (``_gate``), then settles what it can for all series at once
with the finders' own checks (``_settle``: float polynomials, and the first tests of the other classes),
and runs the finder only where that leaves a class open (``benchmarks/results/rules.md`` has the timings).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from fractions import Fraction
from functools import partial, reduce
from typing import Any

import numpy as np

from numseries.config import MIN_VALUES
from numseries.intervals import RECORDED_DECIMALS, recorded_decimals, recorded_to, whole_multiples
from numseries.series import LARGEST_FLOAT

REL_TOL = 1e-9  # relative tolerance of a check on non-integer values
_ULPS = 32 * 2.0**-52  # float rounding of exact data: 32 ulps of the terms
_DRIFT_CYCLES = 2  # a period that moves by a constant must be seen this many times and one value more
_MAX_EXACT = 2**53  # integers up to this (inclusive) are exact in float64; larger ones: see _named_integers
NAMED_DIGITS = 15  # a float past 2**53 whose shortest decimal has at most this many significant digits names it
_MAX_DENOMINATOR = 4  # simple coefficients: denominators up to 4 ...
_MAX_COEFFICIENT = 10  # ... and absolute values up to 10
_MAX_RATIO_COEFFICIENT = 64  # integer coefficients of a ratio rule's r(t), after clearing denominators
# The checks forgive 32 ulps of the values for float rounding. Where the steps are hardly larger than that
# (1e12 + 0.001 t, 1e16 + 2 t), every class fits within it, and the simplest, "constant", would win with
# a wrong next value: float series whose mean step is under this many ulps of their largest value have
# no rule (the network answers). Above it, the rounding forgiven (3 x 32 ulps) is under 1e-3 of a step.
_MIN_STEP_ULPS = 3e3 * _ULPS
# Tolerances are sums of small multiples of the values and steps, each multiplied in an order that cannot
# overflow: near the float limits an infinite tolerance would let every check pass. A step between values
# of opposite signs near the limits is larger than any float: it counts as the largest (LARGEST_FLOAT).

# int, Fraction or float. Any, because mypy cannot follow arithmetic that mixes the three (a Fraction
# times a float is a float): the checks' tests pin the types instead.
Number = Any


@dataclasses.dataclass(frozen=True, eq=False)  # arrays inside: == is identity (numpy's == is no bool)
class Rule:
    """A rule that reproduces every given value, and continues the sequence.

    ``next_value`` is exact: an ``int`` or ``Fraction`` when the values are integers, else a float; it
    may lie beyond float64 (an int past 1.8e308, or ``inf``), which the predictor reports as an overflow.
    ``weights`` (n,) and ``intercept``: ``next_value == weights @ values + intercept`` (see the module
    docstring for the rules that are not linear in the values).
    """

    kind: str  # constant, arithmetic, geometric, powers, periodic, polynomial, recurrence, ratio, map
    description: str  # the rule with its parameters, e.g. "geometric, ratio 2"
    next_value: Number
    weights: np.ndarray  # (n,) float64
    intercept: Number
    parameters: int  # free parameters fitted to the values
    exact: bool  # integer input, so next_value and forecast() are exact ints or fractions
    history: tuple[Number, ...] = dataclasses.field(repr=False)
    step: Callable[[list[Number]], Number] = dataclasses.field(repr=False, compare=False)

    @property
    def precise(self) -> bool:
        """Whether ``next_value`` is the rule's value itself: False for float arithmetic's past 2**53
        (:func:`float_arithmetics`)."""
        return not float_arithmetics(self.next_value)

    def forecast(self, steps: int) -> list[Number]:
        """The next ``steps`` values of the rule (each computed from the ones before)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}; e.g. steps=5")
        history = list(self.history)
        for _ in range(steps):
            history.append(self.step(history))
        return history[len(self.history) :]


def float_arithmetics(value: Number) -> bool:
    """Whether a rule's value is a float past 2**53, where floats are whole numbers far apart: float
    arithmetic's value of a rule checked on floats (computed rather than typed: see :func:`_find`), not the
    rule's own."""
    return isinstance(value, float) and math.isfinite(value) and abs(value) >= _MAX_EXACT


class _Series:
    """One sequence as Python numbers, with the check that decides what "reproduces" means."""

    def __init__(self, values: np.ndarray, gated: bool = False, whole: list[int] | None = None) -> None:
        """``whole``: the integers the values stand for, where they are past 2**53 (see :func:`_find`)."""
        floats = values.tolist()
        self.n = len(floats)
        self.exact = whole is not None or (
            floats[0].is_integer() and all(map(float.is_integer, floats)) and max(map(abs, floats)) <= _MAX_EXACT
        )
        self.x: list[Number] = whole if whole is not None else [int(v) for v in floats] if self.exact else floats
        self.floats: list[float] = floats
        self.values = values  # (n,) float64
        self._differences: list[Number] | None = None
        self._head_size = 0.0
        self._abs: tuple[np.ndarray, np.ndarray] | None = None
        self._windows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.gated = gated  # the batch gate (_gate) has run its tests on this series
        self._no_polynomial: bool | None = None
        self._written: list[Fraction] | None = None  # the values as written (shortest decimals), where short
        self._rounding: list[Fraction] | None = None  # how far each may be from the number it was rounded from
        self._computed: list[Fraction] | None = None  # the values as the decimals computed ones stand for, or []

    def fits(self, coeffs: Sequence[tuple[int, Number | Sequence[Number]]], const: Number, start: int) -> bool:
        """Whether ``x[t] = sum(c * x[t - lag]) + const`` holds for every t from ``start``.

        A coefficient is a number, or a sequence with one value per t from ``start`` (ratio rules).
        Integers must match exactly. Other values pass when the gap is at most 1e-9 of the largest step
        within the values the check reads (``x[t - span] .. x[t]``) plus 32 ulps of what was summed
        (float rounding of exact data). The first, middle and last equations are checked alone first,
        so that noise costs one equation.
        """
        x, n = self.x, self.n
        if self.exact:
            if x[start] != const + sum(c * x[start - lag] for lag, c in _at(coeffs, 0)):
                return False
            predictions = [const] * (n - start)
            for lag, c in coeffs:
                factors = [c] * (n - start) if _is_number(c) else c
                predictions = [p + f * v for p, f, v in zip(predictions, factors, x[start - lag : n - lag], strict=False)]
            return predictions == x[start:]
        middle = (start + n) // 2
        if not all(self.holds(_at(coeffs, t - start), const, t) for t in (start, n - 1, middle)):
            return False
        span = max(lag for lag, _ in coeffs)
        checked = self._float_gaps(coeffs, const, start)
        if checked is None:  # a term past the float range (a huge ratio) fits nothing
            return False
        gap, target, rounding = checked
        if (gap <= _ULPS * 2 * target + rounding).all():  # a stricter test, without the windows: usually enough
            return bool(_within_4_ulps(gap, target, rounding).all()) or self._exactly_as_written(coeffs, const, start)
        level, steps = self._window(span)
        with np.errstate(over="ignore", invalid="ignore"):
            allowed = _ULPS * 2 * level[start - span :] + rounding + _ULPS * abs(const) + REL_TOL * steps[start - span :]
        return bool((gap <= allowed).all()) and self._exactly_as_written(coeffs, const, start)

    def _float_gaps(
        self, coeffs: Sequence[tuple[int, Number | Sequence[Number]]], const: Number, start: int
    ) -> tuple[np.ndarray, np.ndarray, Any] | None:
        """(n - start,) each: |x[t] - sum(c * x[t - lag]) - const| in float64, |x[t]|, and 32 ulps of each
        |c * x[t - lag]| summed (a float or an array); None where a term passes the float range."""
        values, n = self.values, self.n
        rounding: Any = 0.0
        predicted: Any = float(const)
        with np.errstate(over="ignore", invalid="ignore"):  # values near the float limits: inf/NaN fail
            for lag, c in coeffs:
                c = c if _is_number(c) else np.asarray(c, dtype=np.float64)
                product = c * values[start - lag : n - lag]
                predicted = predicted + product
                rounding = rounding + _ULPS * np.abs(product)  # scaled first: no overflow near the float limit
            gap = np.abs(values[start:] - predicted)
        if not np.isfinite(rounding).all():
            return None
        return gap, np.abs(values[start:]), rounding

    def holds_as_written(self, coeffs: Sequence[tuple[int, Number | Sequence[Number]]], const: Number, start: int) -> bool:
        """Whether a rule that fits float values holds on them as written (see :meth:`_exactly_as_written`):
        at once where it holds to 4 ulps of its terms (the rounding of float arithmetic on such values)."""
        if self.exact:
            return True
        checked = self._float_gaps(coeffs, const, start)
        if checked is not None and _within_4_ulps(*checked).all():
            return True
        return self._exactly_as_written(coeffs, const, start)

    def _exactly_as_written(self, coeffs: Sequence[tuple[int, Number | Sequence[Number]]], const: Number, start: int) -> bool:
        """Whether the rule holds on the values as written, where each is written to at most 15 significant
        digits (1.1, 6.000000001; not float arithmetic's 0.30000000000000004) and its coefficients are so
        written too (or fractions): exactly, but for half a unit of the 15th digit of each value written to
        15 digits, which may be rounded so (a spreadsheet's 0.333333333333333 steps); not to 1e-9 of a step
        (1 2 3 4 5 6.000000001 is no arithmetic sequence, though its last step is within 1e-9 of 1). A
        constant not so written (one solved from the values, 100.00000002) is the one the first equation
        has. Values of more digits among them (float arithmetic's 3.0000000000000004) are read as the decimals
        they stand for (:meth:`_as_written_or_computed`). True where it does not apply."""
        written, errors = self._as_written_or_computed()
        if written is None:
            return True
        terms = []
        for lag, c in coeffs:
            exact = _all_written([_fraction_of(c)] * (self.n - start) if _is_number(c) else c)
            if exact is None:
                return True
            terms.append((lag, exact))
        constant, slack = _written_number(const), Fraction(0)
        if constant is None:
            constant = written[start] - sum(c[0] * written[start - lag] for lag, c in terms)
            slack = errors[start] + sum(abs(c[0]) * errors[start - lag] for lag, c in terms)
        for i, t in enumerate(range(start, self.n)):
            gap = abs(written[t] - constant - sum(c[i] * written[t - lag] for lag, c in terms))
            if gap > errors[t] + sum(abs(c[i]) * errors[t - lag] for lag, c in terms) + slack:
                return False
        return True

    def ratios_as_written(self, lag: int) -> tuple[Fraction | None, Fraction | None] | None:
        """The ratios r that give ``x[t] = r x[t - lag]`` for every t on the values as written (the first
        equation too, which a ratio solved from it holds by construction), each within a spreadsheet's
        rounding, as (lowest, highest) (None: no bound), or None where no ratio does: ``0.500000000001 1 2 4``
        has none (1 / 0.500000000001 is not 2), the 15-digit ``1 0.333333333333333 0.111111111111111`` has 1/3."""
        written = self._as_written()
        assert written is not None  # (the caller's check)
        # each value as a spreadsheet may have rounded it (to 15 digits, then its trailing zeros dropped:
        # 4.29546544957980 is written 4.2954654495798): one ratio's rounding errors do not add up over terms
        errors = [_fifteenth_digit(value) for value in self.floats]
        low: Fraction | None = None
        high: Fraction | None = None
        for t in range(lag, self.n):
            above = (written[t] - errors[t], written[t] + errors[t])  # where x[t] was, as an interval
            below = (written[t - lag] - errors[t - lag], written[t - lag] + errors[t - lag])
            if below[0] <= 0 <= below[1]:  # any ratio takes a zero to one
                if above[0] <= 0 <= above[1]:
                    continue
                return None
            ratios = [a / b for a in above for b in below]  # the ratio's interval: its ends are among these
            low = min(ratios) if low is None else max(low, min(ratios))
            high = max(ratios) if high is None else min(high, max(ratios))
            if low > high:
                return None
        return low, high

    def _rounded_by(self) -> list[Fraction]:
        """Each value's rounding as written: half a unit of its last digit where it has 15, else none."""
        if self._rounding is None:
            self._rounding = [_rounding_of(value) for value in self.floats]
        return self._rounding

    def _as_written_or_computed(self) -> tuple[list[Fraction] | None, list[Fraction]]:
        """The values as written with their rounding (:meth:`_as_written`, :meth:`_rounded_by`). Where some have
        more digits, float arithmetic's on decimals (3.0000000000000004, or (1000 + 0.1) - 1000's
        0.10000000000002274), each as the decimal it is within 1e-11 of, of at most 10 digits
        (:func:`_computed_decimal`), beside the others as written: 1 2 3.0000000000000004 4 5 6.000000001 is
        no arithmetic sequence. (None, []) where one is no such decimal: values computed otherwise, whose
        rounding is the float check's (1e-9 of a step)."""
        written = self._as_written()
        if written is not None:
            return written, self._rounded_by()
        if self._computed is None:
            self._computed = []
            for value in self.floats:  # (values computed otherwise: their first long one ends it, at once)
                number = _written_number(value)
                number = _computed_decimal(value) if number is None else number
                if number is None:
                    self._computed = []
                    break
                self._computed.append(number)
        return (self._computed, self._rounded_by()) if self._computed else (None, [])

    def _as_written(self) -> list[Fraction] | None:
        if self._written is None:
            self._written = _all_written(self.floats) or []
        return self._written or None

    def holds(self, coeffs: Sequence[tuple[int, Number]], const: Number, t: int) -> bool:
        """The check of one float equation, as in fits()."""
        x = self.x
        window = x[t - max([lag for lag, _ in coeffs]) : t + 1]
        products = [c * x[t - lag] for lag, c in coeffs]
        gap = abs(x[t] - const - sum(products))
        rounding = sum([_ULPS * abs(product) for product in products])
        step = min(max(map(abs, map(operator.sub, window[1:], window))), LARGEST_FLOAT)
        if not math.isfinite(rounding):  # a term past the float range would make the tolerance infinite too
            return False
        return gap <= _ULPS * 2 * max(map(abs, window)) + rounding + _ULPS * abs(const) + REL_TOL * step

    def _window(self, span: int) -> tuple[np.ndarray, np.ndarray]:
        """(n - span,) each: the largest |x| in x[i .. i + span], and the largest |step| within them."""
        if span not in self._windows:
            if self._abs is None:
                self._abs = (np.abs(self.values), _abs_steps(self.values))
            self._windows[span] = (_sliding_max(self._abs[0], span + 1), _sliding_max(self._abs[1], span))
        return self._windows[span]

    def fifths_rule_out(self) -> bool:
        """Whether the whole series' fifth differences leave no polynomial of degree <= 4 (the batch gate's test)."""
        if self._no_polynomial is None:  # asked once per degree tried
            with np.errstate(all="ignore"):  # values near the float limits: inf steps, and the test says nothing
                self._no_polynomial = bool(_fifths_rule_out_polynomials(*self._as_row())[0])
        return self._no_polynomial

    def steps_follow_no_recurrence(self) -> bool:
        """Whether the whole series' steps leave no recurrence of order <= 3 (the batch gate's test)."""
        with np.errstate(all="ignore"):  # as above
            steps, level, biggest = self._as_row()
            return bool(_steps_follow_no_recurrence(steps, np.array([self.n]), level, biggest)[0])

    def _as_row(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The series as the batch gate reads a row: its steps (1, n - 1), largest |x| (1,) and |step| (1,)."""
        steps = np.diff(self.values)[None]
        return steps, np.abs(self.values).max(keepdims=True), np.abs(steps).max(axis=1)

    def div(self, a: Number, b: Number) -> Number:
        return _norm(Fraction(a, b)) if self.exact else a / b

    def may_be_polynomial(self, degree: int) -> bool:
        """A quick, looser screen than fits(): is the (degree + 1)-th difference of x[0..degree+1] ~ 0?"""
        if self._differences is None:
            head = self.x[:6]
            self._head_size = max(map(abs, head))
            self._differences = [head[0]]  # the first column of the difference table
            while len(head) > 1:
                head = list(map(operator.sub, head[1:], head))
                self._differences.append(head[0])
        if len(self._differences) <= degree + 1:
            return True
        difference = self._differences[degree + 1]
        if self.exact:
            return difference == 0
        # The check's terms sum to at most (2^(d+1) + 1) times the largest value.
        return abs(difference) <= 3 * REL_TOL * (2 ** (degree + 1) + 1) * self._head_size


def _abs_steps(values: np.ndarray) -> np.ndarray:
    """(..., n) -> (..., n - 1) |x[t+1] - x[t]|, at most the largest float (see LARGEST_FLOAT)."""
    with np.errstate(over="ignore"):
        return np.minimum(np.abs(np.diff(values, axis=-1)), LARGEST_FLOAT)


def _sliding_max(values: np.ndarray, width: int) -> np.ndarray:
    """(..., n) -> (..., n - width + 1) the largest of each ``width`` consecutive values along the last axis."""
    if width > 8:
        return np.lib.stride_tricks.sliding_window_view(values, width, axis=-1).max(axis=-1)
    stop = values.shape[-1] - width + 1
    out = values[..., :stop]
    for k in range(1, width):
        out = np.maximum(out, values[..., k : k + stop])
    return out


def _at(coeffs: Sequence[tuple[int, Number | Sequence[Number]]], k: int) -> list[tuple[int, Number]]:
    """The coefficients of the k-th equation checked."""
    return [(lag, c if _is_number(c) else c[k]) for lag, c in coeffs]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Fraction))


def _within_4_ulps(gap: np.ndarray, target: np.ndarray, rounding: Any) -> np.ndarray:
    """Element-wise: a check's float ``gap`` within an eighth of its strict bound (32 ulps: twice ``target``,
    each |x[t]|, and ``rounding``, each |c * x[t - lag]|), 4 ulps: float arithmetic's rounding of values as
    written. Past it, values written to at most 15 digits are read as written (:meth:`_Series.holds_as_written`)."""
    return np.asarray(gap <= (_ULPS * 2 * target + rounding) / 8)


_WRITTEN_DIGITS = 15  # as a spreadsheet writes a number: values of at most this many digits are as written
_COMPUTED_DIGITS = 10  # float arithmetic on decimals of at most this many digits: see _computed_decimal


def shortest_decimal(value: float | np.floating) -> Decimal:
    """A float's shortest decimal (its repr), trailing zeros dropped: 1.5e14's 150000000000000.0 has 2 digits."""
    return Decimal(repr(float(value))).normalize()


def _rounding_of(value: float) -> Fraction:
    """Half a unit of the 15th significant digit of a value written to 13 to 15 of them (it may be a number
    rounded to 15 whose last zeros were dropped: 13006.1474370370 is written 13006.147437037), else 0: a value
    written to fewer is exactly that (typed; a 15-digit rounding ends in three zeros once in a thousand)."""
    digits = shortest_decimal(value).as_tuple()
    if len(digits.digits) < _WRITTEN_DIGITS - 2 or not isinstance(digits.exponent, int):
        return Fraction(0)
    return _fifteenth_digit(value)


def _computed_decimal(value: float) -> Fraction | None:
    """The decimal of at most 10 significant digits that a float of more digits is within 1e-11 of (relative):
    float arithmetic's result on such decimals (0.1 for 0.10000000000002274, 3 for 3.0000000000000004), or
    None (1/3's 0.3333333333333333, an exponential's -982.7551595563181: computed otherwise)."""
    if not math.isfinite(value) or value == 0:
        return None
    exact, shortest = Fraction(value), shortest_decimal(value)
    for digits in range(1, _COMPUTED_DIGITS + 1):
        near = Fraction(shortest.quantize(Decimal(1).scaleb(shortest.adjusted() - digits + 1)))
        if abs(exact - near) <= Fraction(1, 10**11) * abs(exact):
            return near
    return None


def _fifteenth_digit(value: float) -> Fraction:
    """Half a unit of a value's 15th significant digit (0 for 0): how far a value rounded to 15 digits may be
    from the number it was rounded from."""
    if value == 0:
        return Fraction(0)
    return Fraction(1, 2) * Fraction(10) ** (shortest_decimal(value).adjusted() - (_WRITTEN_DIGITS - 1))


def _all_written(values: Sequence[Number]) -> list[Fraction] | None:
    """:func:`_written_number` of each value, or None where one is not so written."""
    numbers = []
    for value in values:
        number = _written_number(value)
        if number is None:
            return None
        numbers.append(number)
    return numbers


def _written_number(value: object) -> Fraction | None:
    """A whole number or a fraction, or a float written to at most 15 significant digits, exactly; else None."""
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, Fraction):
        return value
    if not isinstance(value, (float, np.floating)) or not math.isfinite(value):
        return None
    written = shortest_decimal(value)
    return Fraction(written) if len(written.as_tuple().digits) <= _WRITTEN_DIGITS else None


def find_rule(values: Sequence[float] | np.ndarray) -> Rule | None:
    """The simplest rule that reproduces every value of ``values`` (n >= 3 finite numbers), or None."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (OverflowError, TypeError, ValueError):  # ints past the float range, words, ragged rows
        array = np.array([np.nan])
    if array.ndim != 1 or len(array) < MIN_VALUES or not np.isfinite(array).all():
        shown = " ".join(repr(values).split())  # as given, on one line
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise ValueError(f"expected at least {MIN_VALUES} finite values in one dimension, got {shown}; check the input")
    return _find(array)


def _find(values: np.ndarray, classes: Sequence[bool] | None = None, moves: bool = False) -> Rule | None:
    """find_rule on checked values; ``classes`` (from the batch gate) skips the finders that cannot fit;
    ``moves``: the batch has found the steps clear of the values' rounding (:func:`_settle`).

    Whole numbers past 2**53, where float64 holds few of them, are read exactly as the integers they name
    (:func:`_named_integers`): as floats, a rule's next value was float arithmetic's (4e23 + 1e23 is
    4.9999999999999999e23, one float off the 5e23 the values name). Floats computed rather than typed
    (``float(n!)`` for n = 18 .. 25) name no integers that follow the rule exactly: they are checked as
    floats after all, and the rule's next value is float arithmetic's, which the predictor does not call
    exact."""
    gated = classes is not None
    if float(values[0]).is_integer():  # (most series are not whole numbers: their first value says so)
        floats = values.tolist()
        if all(map(float.is_integer, floats)) and max(map(abs, floats)) > _MAX_EXACT:
            rule = _find_in(_Series(values, gated, _named_integers(floats)), values, classes, moves)
            if rule is not None:
                return rule
    return _find_in(_Series(values, gated), values, classes, moves)


def _named_integers(floats: list[float]) -> list[int]:
    """Whole floats, some past 2**53 -> the integers they name: where each one's shortest decimal has at most
    ``NAMED_DIGITS`` significant digits, that decimal's (``1e23``, ``2.5e20``: 10**23, not the float's
    99999999999999991611392); else the floats' own (``2**59`` in full, 576460752303423488, whose shortest
    decimal is 5.764607523034235e17)."""
    texts = [repr(value) for value in floats]
    if all(len(Decimal(text).normalize().as_tuple().digits) <= NAMED_DIGITS for text in texts):
        return [int(Decimal(text)) for text in texts]
    return [int(value) for value in floats]


def _find_in(series: _Series, values: np.ndarray, classes: Sequence[bool] | None, moves: bool) -> Rule | None:
    for finder, gate in _FINDERS:
        if classes is not None and not classes[gate]:
            continue
        rule = finder(series)
        if rule is not None:  # asked only here: most series find no rule, and the test costs as much as a finder
            return None if not series.exact and not moves and _steps_within_rounding(values) else _checked(rule)
    return None


def _steps_within_rounding(values: np.ndarray) -> bool:
    """Whether a float series moves, but by steps too close to its values' rounding to tell rules apart."""
    with np.errstate(over="ignore"):  # steps past the float range are inf: far from rounding
        step = float(np.abs(np.diff(values)).mean())
    return 0 < step < _MIN_STEP_ULPS * float(np.abs(values).max())


def _checked(rule: Rule) -> Rule | None:
    """The rule, unless float arithmetic failed to compute a next value that float64 holds (None: the
    network answers), or a geometric one's next value underflowed to 0, or its checks were no evidence
    (:func:`_unit_sized`, :func:`_read_too_seldom`). A next value truly beyond float64 (an int past 1.8e308, or ``inf`` where the affine
    map ``weights @ values + intercept`` computed exactly is past it) is kept: the predictor reports it."""
    if _unit_sized(rule) or _read_too_seldom(rule) or _by_chance(rule):
        return None
    try:
        if float(rule.next_value) == 0 and rule.kind == "geometric":  # 1e-320, 1e-321, ...: past the subnormals
            return None if rule.history[-1] != 0 else rule
        if math.isfinite(float(rule.next_value)):
            return rule
    except OverflowError:  # an exact int past the float range
        return rule
    try:
        exact = sum(Fraction(w) * Fraction(v) for w, v in zip(rule.weights.tolist(), rule.history, strict=True))
        beyond = abs(exact + Fraction(rule.intercept)) > LARGEST_FLOAT
    except (OverflowError, ValueError):  # an infinite or NaN coefficient
        return None
    return rule if beyond else None  # e.g. 3 x[t-1] - 3 x[t-2] + x[t-3] through inf - inf, though finite


def _unit_sized(rule: Rule) -> bool:
    """Whether a polynomial of degree 2 or more on decimals (a float series whose values are whole multiples
    of a unit, 0.1 or 0.01, ...) has a top difference of one unit or less: what rounding a slow, smooth curve
    to that unit gives by chance, its differences of that degree all within a unit of each other
    (``5.0 5.0 4.9 4.7 4.4``, an unemployment rate: "quadratic, -0.1", 4.0, where 4.1 came). Integers are
    read as a puzzle's terms (triangular numbers: second difference 1) and are not asked."""
    if rule.kind != "polynomial" or rule.exact:
        return False
    top = abs(float(_top_difference(rule.history, rule.parameters - 1)))  # > 0: a polynomial of this degree
    # The finest unit over 2/3 of it: values that are multiples of a coarser unit are multiples of this one.
    decimals = min(math.ceil(-math.log10(top / 1.5)) - 1, RECORDED_DECIMALS)
    return decimals >= 1 and recorded_to(np.asarray(rule.history, dtype=np.float64), decimals)


_CHANCE = 0.01  # the largest chance, as 1 / (values a check may land on) ** checks, of a rule's checks passing
_SMALL_SPAN = 2  # integers within this of each other (0, 1, 2: counts) are asked for more checks


def _by_chance(rule: Rule) -> bool:
    """Whether a recurrence or polynomial on integers of a small range (counts: 0, 1, 2) may have passed its
    checks by chance: each lands on one of the ``span + 1`` values the series takes with a chance near
    ``1 / (span + 1)``, so a 0/1 series needs 7 checks and a 0/1/2 series 5. ``1 0 1 2 2 1 0 1`` is no quartic
    (its 3 checks passed: 7 next). Wider ranges keep two checks: ``1 1 2 3 5 8`` is Fibonacci. Quadratic maps too:
    ``1 0 1 0 0 1`` is no ``x^2 - 2x + 1``."""
    drifts = rule.kind == "periodic" and rule.intercept != 0  # a period that moves by a constant: checked as these
    if not rule.exact or (rule.kind not in ("recurrence", "polynomial", "map") and not drifts):
        return False
    span = max(rule.history) - min(rule.history)
    return bool(1 <= span <= _SMALL_SPAN and (span + 1) ** -(len(rule.history) - rule.parameters) > _CHANCE)


def _read_too_seldom(rule: Rule) -> bool:
    """Whether a linear recurrence has a coefficient that fewer than three of its equations read a value
    other than 0 for: one to fit it, two to check it, as the margin asks of every parameter. On sparse data
    (intermittent counts) the zeros fit any coefficient, so ``0 0 1 0 0 3 0 0`` fitted x[t] = 3 x[t-3] from
    its one 1 and "checked" it on zeros only, and went on 9 (exact)."""
    if rule.kind != "recurrence":
        return False
    n = len(rule.history)
    lags = n - np.flatnonzero(rule.weights)  # the lags with a coefficient (weights[n - lag] is its coefficient)
    if not lags.size:
        return False
    nonzero = np.array([value != 0 for value in rule.history])  # (n,)
    order = int(lags.max())
    return any(int(nonzero[order - lag : n - lag].sum()) < 3 for lag in lags.tolist())


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------


def _norm(value: Number) -> Number:
    """A Fraction with denominator 1 becomes an int."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def fmt(value: Number) -> str:
    """A number as a rule prints it: 21, 3/2, 0.1 (floats to 10 significant digits, or their shortest digits
    where fewer), 1e+23 (an integer of more
    than 20 digits, at most NAMED_DIGITS of them significant: 100000000000000000000000 is hard to read)."""
    if isinstance(value, float):  # (the shortest digits where fewer: 1e-320, a subnormal, not 9.999888672e-321)
        return min(f"{value:.10g}", repr(value), key=len)
    value = _norm(value)
    if isinstance(value, int) and len(str(abs(value))) > 20 and len(str(abs(value)).rstrip("0")) <= NAMED_DIGITS:
        return f"{float(value):.{NAMED_DIGITS}g}"  # the float nearest it, to those digits, writes it back
    return str(value)


def _term(coefficient: Number, name: str, first: bool) -> str:
    """``+ 2x[t-1]``, ``- x[t-2]``, ``+ (1/2)x[t-1]``; no sign on the first term when positive."""
    sign = "-" if coefficient < 0 else "+"
    size = abs(coefficient)
    text = fmt(size)
    if name:
        text = "" if size == 1 else f"({text})" if "/" in text else text
    text = f"{text}{name}"
    if first:
        return f"-{text}" if sign == "-" else text
    return f" {sign} {text}"


def _linear_text(coeffs: Sequence[tuple[int, Number]], const: Number) -> str:
    parts = [(c, f"x[t-{lag}]") for lag, c in coeffs if c != 0]
    if const != 0:
        parts.append((const, ""))
    return "".join(_term(c, name, i == 0) for i, (c, name) in enumerate(parts)) or "0"


# --------------------------------------------------------------------------------------------------
# Rules linear in the values
# --------------------------------------------------------------------------------------------------


def _linear_rule(
    s: _Series,
    kind: str,
    description: str,
    coeffs: Sequence[tuple[int, Number]],
    const: Number,
    parameters: int,
    step: Callable[[list[Number]], Number] | None = None,
) -> Rule:
    """A rule whose next value is ``sum(c * x[t - lag]) + const``; ``step`` overrides how it continues."""
    if not s.exact:
        coeffs = [(lag, float(c)) for lag, c in coeffs]
        const = float(const)

    weights = np.zeros(s.n)
    for lag, c in coeffs:
        weights[s.n - lag] += float(c)
    step = step or (None if s.exact else _decimal_step(s, coeffs, const)) or partial(_linear_next, const, tuple(coeffs))
    return Rule(kind, description, step(s.x), weights, const, parameters, s.exact, tuple(s.x), step)


def _decimal_step(s: _Series, coeffs: Sequence[tuple[int, float]], const: float) -> Callable[[list[Number]], Number] | None:
    """:func:`_recorded_step`, else :func:`_written_step`: a float series' rule continued in its decimals."""
    return _recorded_step(s, coeffs, const) or _written_step(s, coeffs, const)


def _recorded_step(s: _Series, coeffs: Sequence[tuple[int, float]], const: float) -> Callable[[list[Number]], Number] | None:
    """For float values recorded to d >= 1 decimals (1.1 2.2 3.3) and a rule with whole coefficients and a
    constant on that grid, the rule's step in whole units of 10**-d: the values it gives are the floats
    nearest the exact decimals, as an exact rule's would be (7.7, where float sums give 7.699999999999999).
    None where that does not hold (other coefficients leave the grid: ratio 0.5 takes 12.5 to 6.25; more
    decimals: :func:`_written_step`)."""
    if not all(float(c).is_integer() for _, c in coeffs) or not _few_decimals(s.floats[-1]):
        return None
    decimals = int(recorded_decimals(s.values[None], np.array([s.n]))[0])
    if decimals < 1:
        return None
    scale = 10**decimals
    if not max(map(abs, s.floats)) * scale < _MAX_EXACT or not abs(const) * scale < _MAX_EXACT:
        return None  # whole units of 10**-d past 2**53 are not exact
    units = round(const * scale)
    if abs(const * scale - units) > 1e-6 * max(1.0, abs(const * scale)):
        return None
    return partial(_decimal_next, units, tuple((lag, int(c)) for lag, c in coeffs), scale)


def _written_step(s: _Series, coeffs: Sequence[tuple[int, float]], const: float) -> Callable[[list[Number]], Number] | None:
    """For values written to at most 15 digits and a rule with whole or simple fractional coefficients (an
    affine map 1.5x + c, x[t] = 0.5 x[t-1] + 0.5 x[t-2]), the rule's step in fractions of each value as
    written: the float nearest the exact decimal (8.69334375e-05, where float arithmetic gives
    8.693343749999999e-05; 6e-20 for 1e-20 2e-20 3e-20 4e-20, not 5.999999999999999e-20). Its constant is the
    one the last value leaves, as written. None where the values are not so written, or a coefficient is no
    simple fraction."""
    written = s._as_written()
    if written is None:
        return None
    fractions = [(lag, Fraction(c).limit_denominator(12)) for lag, c in coeffs]
    if any(float(exact) != float(c) for (_, exact), (_, c) in zip(fractions, coeffs, strict=True)):
        return None
    constant = written[-1] - sum(c * written[-1 - lag] for lag, c in fractions)
    if abs(float(constant) - float(const)) > 1e-9 * max(abs(value) for value in s.floats):
        return None
    return partial(_written_next, constant, tuple(fractions))


# The steps of rules, at module level so that a Rule (and a prediction that holds one) pickles


def _linear_next(const: Number, coeffs: tuple[tuple[int, Number], ...], history: list[Number]) -> Number:
    return _norm(const + sum(c * history[-lag] for lag, c in coeffs))


def _written_next(const: Fraction, coeffs: tuple[tuple[int, Fraction], ...], history: list[Number]) -> Number:
    try:
        terms = [c * (_written_number(history[-lag]) or Fraction(history[-lag])) for lag, c in coeffs]
        return float(const + sum(terms))
    except (OverflowError, ValueError):  # past the float range (an inf before, or the sum): the caller names it
        return math.inf


def _decimal_next(units: int, whole: tuple[tuple[int, int], ...], scale: int, history: list[Number]) -> Number:
    try:
        return (units + sum(c * round(history[-lag] * scale) for lag, c in whole)) / scale  # int / int: rounded once
    except OverflowError:  # past the float range (an inf before, or the quotient): the caller names it
        return math.inf


def _written_ratio_next(last: Decimal, ratio: Decimal, n: int, history: list[Number]) -> Number:
    # Exact where its digits are few enough (a value halfway between two floats then rounds to even, as float()
    # of a Fraction does: 1.25**k), else to _MIDPOINT_DIGITS, more than any such halfway value has (an exact
    # Fraction grew with each step: 10,000 steps took 35 s); past the float range inf (or -inf), which the
    # caller names.
    k = len(history) + 1 - n
    digits = len(last.as_tuple().digits) + k * len(ratio.as_tuple().digits)
    context = _DECIMALS.copy()
    context.prec = min(digits + 1, _MIDPOINT_DIGITS)
    return float(context.multiply(last, context.power(ratio, k)))


def _fraction_ratio_next(last: Fraction, ratio: Fraction, n: int, history: list[Number]) -> Number:
    # the k-th next value of a geometric rule whose ratio is a simple fraction (2/3), from the last value as written
    try:
        return float(last * ratio ** (len(history) + 1 - n))
    except OverflowError:  # past the float range: the caller names it
        return math.copysign(math.inf, last * ratio)


def _written_ratio_rule_next(num: tuple[int, int], den: tuple[int, int], history: list[Number]) -> Number:
    # a ratio rule's next value from the last one as written (at most 15 digits; else its float, exactly)
    last = _written_number(history[-1]) or Fraction(history[-1])
    try:
        return float(last * _ratio_at(num, den, True, len(history) + 1))
    except (OverflowError, ValueError):  # past the float range (an inf before, or the product): the caller names it
        return math.copysign(math.inf, history[-1])


def _power_next(sign: int, k0: int, direction: int, power: int, history: list[Number]) -> Number:
    return sign * (k0 + direction * len(history)) ** power


def _ratio_at(num: tuple[int, int], den: tuple[int, int], exact: bool, t: int) -> Number:
    """x[t] / x[t-1] of a ratio rule, at position ``t`` (1 at the first value)."""
    value = Fraction(num[0] * t + num[1], den[0] * t + den[1])
    return _norm(value) if exact else float(value)


def _ratio_next(num: tuple[int, int], den: tuple[int, int], exact: bool, history: list[Number]) -> Number:
    return _norm(history[-1] * _ratio_at(num, den, exact, len(history) + 1))


def _few_decimals(value: float) -> bool:
    """A quick screen before :func:`recorded_decimals` reads a whole series: ``value`` is a whole multiple of
    10**-RECORDED_DECIMALS, as recorded_decimals tests it (most float data is not)."""
    return bool(whole_multiples(np.array([[value]]), np.array([abs(value)]), RECORDED_DECIMALS)[0])


def _difference_coeffs(degree: int) -> list[tuple[int, int]]:
    """x[t] = sum over lags 1..d+1 of (-1)^(lag+1) C(d+1, lag) x[t-lag]: a zero (d+1)-th difference."""
    return [(lag, (-1) ** (lag + 1) * math.comb(degree + 1, lag)) for lag in range(1, degree + 2)]


_DIFFERENCES = {degree: _difference_coeffs(degree) for degree in range(5)}


_DEGREE_NAMES = {2: ("quadratic", "second"), 3: ("cubic", "third"), 4: ("quartic", "fourth")}


def _polynomial(s: _Series, degrees: range) -> Rule | None:
    x = s.x
    for degree in degrees:
        if s.n < degree + 3:
            return None
        coeffs = _DIFFERENCES[degree]
        if not s.may_be_polynomial(degree):
            continue
        if degree >= 2 and not s.gated and s.fifths_rule_out():  # the batch gate's test, for one series (n >= 5 here)
            return None
        if not s.fits(coeffs, 0, degree + 1):
            continue
        if degree >= 2 and _top_difference(x, degree) == 0:
            continue
        return _polynomial_rule(s, degree)
    return None


def _top_difference(x: Sequence[Number], degree: int) -> Number:
    """The ``degree``-th difference of the first values, which a polynomial of that degree keeps constant."""
    return sum((-1) ** (degree - k) * math.comb(degree, k) * x[k] for k in range(degree + 1))


def _polynomial_rule(s: _Series, degree: int) -> Rule:
    """The rule of a series that fits a polynomial of ``degree`` (and, for degrees 2 to 4, none lower)."""
    x, coeffs = s.x, _DIFFERENCES[degree]
    if degree == 0:
        return _linear_rule(s, "constant", f"constant {fmt(x[0])}", coeffs, 0, 1)
    if degree == 1:
        step = s.div(x[-1] - x[0], s.n - 1)  # the mean step: exact for integers, least rounding for floats
        # continued from the last value by the mean step (on a float series recorded to decimals, in their units)
        add = (None if s.exact else _decimal_step(s, [(1, 1)], step)) or partial(_add_step, step, x[-1], s.n)
        return _linear_rule(s, "arithmetic", f"arithmetic, step {fmt(_shown(s, step))}", coeffs, 0, 2, add)
    name, ordinal = _DEGREE_NAMES[degree]
    top = _top_difference(x, degree)
    return _linear_rule(s, "polynomial", f"{name}: {ordinal} difference {fmt(_shown(s, top))}", coeffs, 0, degree + 1)


def _shown(s: _Series, value: Number) -> Number:
    """A step or difference of a float series as its description shows it: rounded to the decimals its
    values' own float rounding leaves exact (1000000.1 - 1000000.0 is 0.10000000009313226: shown 0.1)."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    noise = max(map(abs, s.floats)) * 2.0**-48  # a few units in the last place of the largest value
    return round(value, max(0, math.ceil(-math.log10(noise)) - 1)) if noise > 0 else value


def _add_step(step: Number, last: Number, n: int, history: list[Number]) -> Number:
    """The series' ``last`` (its ``n``-th) value plus as many steps as the history is past it: rounded once, as
    a float step added step by step was not (1e300 2e300 3e300 4e300 went to 1.00040000000013e+304 by step
    10,000)."""
    return _norm(last + (len(history) + 1 - n) * step)


def _constant_or_arithmetic(s: _Series) -> Rule | None:
    return _polynomial(s, range(0, 2))


def _higher_polynomial(s: _Series) -> Rule | None:
    return _polynomial(s, range(2, 5))


def _geometric(s: _Series) -> Rule | None:
    x = s.x
    if s.n < 4 or x[0] == 0 or x[1] == 0:
        return None
    ratio = s.div(x[1], x[0])
    if not s.exact and math.isfinite(ratio) and round(ratio) != 0 and abs(ratio - round(ratio)) <= 4e-16 * abs(ratio):
        ratio = float(round(ratio))  # 0.3 / 0.1 is 2.9999999999999996: a whole ratio continues in whole units
    if ratio == 1 or not s.fits([(1, ratio)], 0, 2):  # x[1] = ratio x[0] by construction
        return None
    if not s.exact and _simple(ratio) is None and (rule := _recurrence_in_units(s)) is not None:
        return rule  # decimals that a recurrence continues exactly, and a ratio that only nears it
    bounds = s.ratios_as_written(1) if not s.exact and s._as_written() is not None else (None, None)
    if bounds is None:  # the ratio fits to float rounding, but no ratio fits the values as written
        return None
    written = None if s.exact else s._as_written()
    fraction = None if written is None else _written_fraction(written, ratio)
    if fraction is not None and written is not None:  # the ratio as that fraction, in its name (2/3, as of 27 18 12 8) and weight
        step: Callable[[list[Number]], Number] | None = partial(_fraction_ratio_next, written[-1], fraction, s.n)
        ratio = fraction
    else:
        step = None if s.exact else _written_geometric(s, ratio, bounds)
    return _linear_rule(s, "geometric", f"geometric, ratio {fmt(ratio)}", [(1, ratio)], 0, 2, step)


def _written_fraction(written: list[Fraction], ratio: float) -> Fraction | None:
    """For values ``written`` to at most 15 digits (:meth:`_Series._as_written`), ``ratio`` as a simple fraction
    with no decimal (2/3) where it takes each value as written to the next exactly, else None: such a ratio
    continues as that fraction, where its 15 digits (0.666666666666667) drift by an ulp more each step (8.1 5.4 3.6 2.4 1.6 went on to 0.474074074074075;
    adversarial round 65). (A spreadsheet's 15 digits of 1/3^k hold it only to their rounding: they go on by the
    15-digit ratio they show, :func:`_written_geometric`.)"""
    simple = _simple(ratio) if math.isfinite(ratio) else None
    if simple is None or _written_number(float(simple)) == simple:
        return None
    return simple if all(after == before * simple for before, after in itertools.pairwise(written)) else None


def _written_geometric(
    s: _Series, ratio: float, bounds: tuple[Fraction | None, Fraction | None]
) -> Callable[[list[Number]], Number] | None:
    """For values written to at most 15 digits that follow a ratio so written (0.9; or one a float rounds
    away from: 1.21 / 1.1 is 1.0999999999999999, for 1.1) as written (within ``bounds``, those of
    :meth:`_Series.ratios_as_written`), the step continuing them in decimals: the k-th next value is the
    float nearest x[-1] ratio**k (65.61, where 72.9 * 0.9 is 65.61000000000001). None where none holds."""
    written = s._as_written()
    if written is None or not math.isfinite(ratio) or s.floats[-2] == 0:
        return None
    candidates = []
    for given in (ratio, s.floats[-1] / s.floats[-2]):  # (the last: 1 / 0.333333333333333 is no 3, 9 / 3 is)
        near = [value for value in (given, *(round(given, places) for places in range(1, 16)))
                if abs(value - given) <= 4 * math.ulp(given)]  # fmt: skip
        candidates += [number for number in map(_written_number, near) if number]  # (0 is no ratio here)
    low, high = bounds
    for exact in sorted(candidates, key=_digits):  # the fewest digits first (7, not 6.99999999999999, for
        if (low is None or low <= exact) and (high is None or exact <= high):  # 1 / 0.142857142857143), then in order
            return partial(_written_ratio_next, _decimal(written[-1]), _decimal(exact), s.n)
    return None


def _digits(value: Fraction) -> int:
    """How many significant digits a decimal Fraction has (0.333333333333333: 15, 7: 1)."""
    return len(_decimal(value).normalize().as_tuple().digits)


def _decimal(value: Fraction) -> Decimal:
    """A Fraction of a decimal (its denominator divides a power of 10) as that Decimal."""
    return _DECIMALS.divide(Decimal(value.numerator), Decimal(value.denominator))


# Decimal arithmetic for a rule's next values: exponents of any size (past the float range: inf or 0 when made
# a float); a value halfway between two floats has at most 767 significant digits (a 54-bit odd multiple of a
# power of two down to 2**-1075), so one of more digits is none, and this many decide float64's rounding
_MIDPOINT_DIGITS = 800
_DECIMALS = Context(prec=_MIDPOINT_DIGITS, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


_POWER_NAMES = {2: "squares", 3: "cubes", 4: "fourth powers"}


def _powers(s: _Series) -> Rule | None:
    """x = sign * (k0 + direction * t)^p for integers k0, p in 2..4: one free parameter, k0."""
    if not s.exact or s.n < 4:
        return None
    x = s.x
    for power in (2, 3, 4):
        fits = []  # (sign, k0, direction) of each way to write them as powers
        for sign in (1, -1):
            y0 = sign * x[0]
            root = _iroot(abs(y0), power)
            if root is None or (power % 2 == 0 and y0 < 0):
                continue
            starts = {root, -root} if power % 2 == 0 else {root if y0 >= 0 else -root}
            for k0 in sorted(starts, reverse=True):
                for direction in (1, -1):
                    if all(x[t] == sign * (k0 + direction * t) ** power for t in range(1, s.n)):
                        fits.append((sign, k0, direction))
        if fits:  # the way whose k are the most positive: k = -2..3 for 4 1 0 1 4 9, not 2..-3; 4..1 for 16 9 4 1;
            # -k^3 for k = 1..4 for -1 -8 -27 -64, as -k^2 for k = 1..5 is written (adversarial round 56)
            sign, k0, direction = max(fits, key=lambda fit: 2 * fit[1] + fit[2] * (s.n - 1))
            return _power_rule(s, power, sign, k0, direction)
    return None


def _iroot(value: int, power: int) -> int | None:
    root = round(value ** (1 / power))
    for candidate in (root - 1, root, root + 1):
        if candidate >= 0 and candidate**power == value:
            return candidate
    return None


def _power_rule(s: _Series, power: int, sign: int, k0: int, direction: int) -> Rule:
    last = k0 + direction * (s.n - 1)
    name = _POWER_NAMES[power] if sign > 0 else f"negative {_POWER_NAMES[power]}"
    description = f"{name}: {'-' if sign < 0 else ''}k^{power} for k = {k0}..{last}"

    step = partial(_power_next, sign, k0, direction, power)
    # the zero (power + 1)-th difference reaches power + 1 values back: of 4 fourth powers, one before the first,
    # the rule's own value there, which its term adds as a constant (its weight wrapped onto the last value: 1 16
    # 81 256 gave 625 = 6 × 256 − 10 × 81 + 10 × 16 − 5 × 1, which is 881; adversarial round 65)
    coeffs = [(lag, c) for lag, c in _DIFFERENCES[power] if lag <= s.n]
    const = sum(c * sign * (k0 + direction * (s.n - lag)) ** power for lag, c in _DIFFERENCES[power] if lag > s.n)
    return _linear_rule(s, "powers", description, coeffs, const, 1, step)


def _periodic(s: _Series) -> Rule | None:
    x = s.x
    first = x[0]
    stop = s.n // 2 + 1
    if s.exact:
        periods = [p for p in range(2, stop) if x[p] == first and x[p + 1] == x[1] and x[-1] == x[-1 - p]]
    else:  # a looser screen than the check: within 1e-9 of the largest value
        limit = 3 * REL_TOL * max(abs(min(x)), abs(max(x)))
        periods = [
            p for p in range(2, stop)
            if abs(x[p] - first) <= limit and abs(x[p + 1] - x[1]) <= limit and abs(x[-1] - x[-1 - p]) <= limit
        ]
    for period in periods:
        if x[period:] != x[:-period]:  # not equal: close enough (float rounding), or not periodic
            if s.exact:
                continue
            # the first value that differs must pass (quick: data with steps repeat values exactly)
            first_gap = next(t for t in range(period, s.n) if x[t] != x[t - period])
            if not (s.holds([(period, 1)], 0, first_gap) and s.fits([(period, 1)], 0, period)):
                continue
        cycle = " ".join(fmt(v) for v in x[:period])
        return _linear_rule(s, "periodic", f"period {period}: {cycle}", [(period, 1)], 0, period)
    return _drifting_period(s)


def _rounded_line(s: _Series) -> bool:
    """Whether the values step by amounts within one unit of their recording of each other (integers: 1; decimals
    recorded to d places: 10**-d): a line so rounded (steps of 0.0363 and 0.0364) repeats its steps' pattern of
    ups with some period by chance."""
    x = s.x
    if s.exact:
        unit: float = 1 if all(isinstance(v, int) for v in x) else 0
    else:
        decimals = int(recorded_decimals(np.asarray([x], dtype=np.float64), np.array([s.n]))[0])
        unit = 10.0**-decimals if decimals >= 0 else 0
    steps = [b - a for a, b in itertools.pairwise(x)]
    return bool(unit) and max(steps) - min(steps) <= unit * (1 + 1e-9)


def _drifting_period(s: _Series) -> Rule | None:
    """A period ``p`` whose every value moves by one constant ``c`` a cycle, ``x[t] = x[t-p] + c`` (c not 0: a
    season on a line, a puzzle's groups each one more: ``1 5 2 | 2 6 3 | 3 7 4``), seen twice and one value more
    (``n >= 2p + 1``: ``p + 1`` free parameters, the first cycle and ``c``, checked ``p`` times); the least such
    ``p``. Periods 2 and 3 are recurrences of order 2 and 3 with a constant too, which need 7 and 9 values. None
    where the values step by amounts within one unit of their recording of each other (a rounded line)."""
    x, n = s.x, s.n
    limit = 0 if s.exact else 6 * REL_TOL * max(abs(min(x)), abs(max(x)))  # a looser screen than the check's
    first, second, last = x[0], x[1], x[-1]
    for period in range(2, (n - 1) // _DRIFT_CYCLES + 1):
        const = x[period] - first
        if const == 0 or abs(x[period + 1] - second - const) > limit or abs(last - x[-1 - period] - const) > limit:
            continue  # (a constant of 0: plainly periodic, or no period, is _periodic's)
        if not s.fits([(period, 1)], const, period):
            continue
        if _rounded_line(s):  # (its steps fit every period they happen to repeat with: none is the rule)
            return None
        sign, size = ("+", const) if const > 0 else ("-", -const)
        description = f"period {period}, each cycle {sign}{fmt(size)}: x[t] = x[t-{period}] {sign} {fmt(size)}"
        return _linear_rule(s, "periodic", description, [(period, 1)], const, period + 1)
    return None


# --------------------------------------------------------------------------------------------------
# Linear recurrences with simple coefficients
# --------------------------------------------------------------------------------------------------

_RECURRENCES = ((1, True), (2, False), (2, True), (3, False), (3, True))  # (order, constant term), simplest first
_NAMED = {
    (1, 1): "Fibonacci-like",
    (2, 1): "Pell-like",
    (1, 2): "Jacobsthal-like",
    (1, 1, 1): "tribonacci-like",
    (0, 1, 1): "Padovan-like",
}


def _recurrence(s: _Series) -> Rule | None:
    configs = [(order, constant) for order, constant in _RECURRENCES if s.n >= 2 * order + constant + 2]
    if not configs or not _may_recur(s, *configs[-1]):
        return None  # each class is contained in the next: the largest one screens them all
    if not s.gated and s.n >= 8 and s.steps_follow_no_recurrence():  # the batch gate's test, for one series
        return None
    # Order 2 with a constant contains the classes before it: one determinant can rule them all out.
    skip = (2, True) if (2, True) in configs[:-1] and not _may_recur(s, 2, True) else (0, False)
    for order, constant in configs:
        if (order, constant) <= skip:
            continue
        if (order, constant) != configs[-1] and not _may_recur(s, order, constant):
            continue
        solution = _solve_recurrence(s, order, constant)
        if solution is None:
            continue  # not fixed by the values (zeros, or a simpler rule): try the next class
        coeffs, const, simple = solution
        if not simple:
            # The values fix coefficients that are not simple. If the last value follows them too, the
            # series has this rule (a sine wave, an exponential with an offset), and every larger class
            # is fixed no better (its solutions form a family): stop here. Not on integers: far along
            # Fibonacci the steps grow by the golden ratio to within 1e-9, though x[t] = 1.618 x[t-1] + b
            # holds on no integer exactly, and the larger classes' checks are exact there.
            if not s.exact and s.holds(coeffs, const, s.n - 1):
                return None
            continue
        if coeffs[-1][1] == 0 or not s.fits(coeffs, const, order):
            continue
        return _recurrence_rule(s, coeffs, const, order, constant)
    return None


def _recurrence_rule(s: _Series, coeffs: list[tuple[int, Number]], const: Number, order: int, constant: bool) -> Rule:
    key = tuple(c for _, c in coeffs)
    name = _NAMED.get(key) if const == 0 else None
    if name is None:
        name = "affine map" if order == 1 else "linear recurrence"
    description = f"{name}: x[t] = {_linear_text(coeffs, const)}"
    return _linear_rule(s, "recurrence", description, coeffs, const, 2 * order + constant)


def _recurrence_in_units(s: _Series) -> Rule | None:
    """For float values recorded to d >= 1 decimals: the recurrence their whole units of 10**-d follow
    exactly (:func:`_recurrence` on them), as a rule on the values; else None. Far along Fibonacci in
    tenths (4636.8 7502.5 ...) the values are geometric with the golden ratio to within 1e-10, and
    that float fit would continue them off their grid (352457.8000453 for 352457.8)."""
    decimals = int(recorded_decimals(s.values[None], np.array([s.n]))[0])
    scale = 10**decimals
    if decimals < 1 or not max(map(abs, s.floats)) * scale < _MAX_EXACT:
        return None
    units = _recurrence(_Series(np.round(s.values * scale)))
    if units is None:
        return None
    order = max(s.n - i for i in np.flatnonzero(units.weights))  # the largest lag with a coefficient
    coeffs = [(lag, units.weights[s.n - lag]) for lag in range(1, order + 1)]
    const = units.intercept / scale
    if not s.fits(coeffs, const, order):
        return None
    return _recurrence_rule(s, [(lag, _norm(_simple(c) or c)) for lag, c in coeffs], const, order, units.intercept != 0)


def _may_recur(s: _Series, order: int, constant: bool) -> bool:
    """Whether the first values let a recurrence of this class exist: its matrix of rows
    ``(x[t], x[t-1], ..., x[t-order], [1])`` is singular. With a constant term the matrix of the
    differences' rows (a Hankel matrix, one size smaller) is checked instead: differences cancel the
    constant, and with it any offset, which would make every raw row look alike.

    Singular to within 1e-9 of the rows' sizes (plus the rounding of a large offset): exact data, even
    typed to ten digits, is far inside; a smooth curve (a logarithm, a power law) is not, though its
    matrices are nearly singular. A thousand times tighter than the batch gate (:func:`candidates`),
    which stays a superset of what this accepts."""
    x = s.floats[: 2 * order + 2]
    level = max(map(abs, x))
    differences = list(map(operator.sub, x[1:], x))
    step = max(map(abs, differences))
    if step == 0:
        return True  # constant: let the checks decide
    if constant:
        x = differences  # y[t] = c1 y[t-1] + ... : the same order, no constant
        tolerance = _gate_slack(level, step) / 1000
    else:
        tolerance = 1e-9  # raw rows are as large as the values: rounding does not grow with an offset
    rows = [x[t::-1][: order + 1] for t in range(order, 2 * order + 1)]  # (x[t], x[t-1], ..., x[t-order])
    sizes = math.prod([math.sqrt(sum(map(operator.mul, row, row))) for row in rows])
    if not math.isfinite(sizes * level):
        return True  # too large to judge: let the checks decide
    return bool(abs(_det(rows)) <= tolerance * sizes)


def _det(rows: list[list[Any]]) -> Any:
    """Determinant of a 2x2, 3x3 or 4x4 matrix of floats, or of (N,) arrays (N matrices at once, the same
    float operations in the same order)."""
    if len(rows) == 2:
        (a, b), (c, d) = rows
        return a * d - b * c
    if len(rows) == 3:
        (a, b, c), (d, e, f), (g, h, i) = rows
        return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return _det4(rows)


def _gate_slack(level: float | np.ndarray, step: float | np.ndarray) -> float | np.ndarray:
    """How far from singular a row-normalised matrix of values that follow a rule can be: checks pass
    within 1e-9 of a step or 32 ulps of the level, and the determinant grows that ~60-fold."""
    return 1e-6 + 1e-10 * level / step


def _det4(rows: list[list[Any]]) -> Any:
    """Determinant of a 4x4 matrix (Laplace expansion by the 2x2 minors of its first two rows)."""
    (a0, a1, a2, a3), (b0, b1, b2, b3), (c0, c1, c2, c3), (d0, d1, d2, d3) = rows
    s0, s1, s2 = a0 * b1 - a1 * b0, a0 * b2 - a2 * b0, a0 * b3 - a3 * b0
    s3, s4, s5 = a1 * b2 - a2 * b1, a1 * b3 - a3 * b1, a2 * b3 - a3 * b2
    m23, m13, m12 = c2 * d3 - c3 * d2, c1 * d3 - c3 * d1, c1 * d2 - c2 * d1
    m03, m02, m01 = c0 * d3 - c3 * d0, c0 * d2 - c2 * d0, c0 * d1 - c1 * d0
    return s0 * m23 - s1 * m13 + s2 * m12 + s3 * m03 - s4 * m02 + s5 * m01


def _near_singular(matrices: np.ndarray, tolerance: Any) -> np.ndarray:
    """(N, m, m), (N,) -> (N,) bool: |det| of the row-normalised matrix at most ``tolerance``.

    If the rows satisfy a linear relation to within a fraction f of their size, this determinant is
    below ~60 f whatever the relation's coefficients (Cramer's rule and Hadamard's bound).
    """
    norms = np.linalg.norm(matrices, axis=2, keepdims=True)  # (N, m, 1)
    unit = matrices / np.where(norms > 0, norms, 1.0)
    det = np.linalg.det(unit)
    return ~(np.abs(det) > tolerance)  # NaN counts as possibly singular


def _fraction_of(value: Number) -> Number:
    """A float coefficient that is a simple fraction's nearest float (to 4 ulps: 1/3 solved from the values
    as 0.3333333333333333), as that fraction, for the check as written; any other number as it is."""
    if not isinstance(value, float) or _written_number(value) is not None:
        return value
    simple = _simple(value)
    return simple if simple is not None and abs(float(simple) - value) <= 4 * math.ulp(value) else value


def _simple(value: float) -> Fraction | None:
    """The simple rational (denominator <= 4, |value| <= 10) within 1e-6 of ``value``, or None."""
    twelfths = value * 12  # every denominator up to 4 divides 12
    if not abs(twelfths) <= 12 * _MAX_COEFFICIENT + 1:  # also rejects NaN
        return None
    nearest = round(twelfths)
    if abs(twelfths - nearest) > 12e-6 * max(1.0, abs(value)):
        return None
    snapped = Fraction(nearest, 12)
    return snapped if snapped.denominator <= _MAX_DENOMINATOR and abs(snapped) <= _MAX_COEFFICIENT else None


def _solve_recurrence(
    s: _Series, order: int, constant: bool
) -> tuple[list[tuple[int, Number]], Number, bool] | None:
    """Coefficients and constant of ``x[t] = sum c_lag x[t-lag] (+ d)`` fixed by the first equations,
    and whether they are simple; None when the equations leave them open.

    Solved in floats. Simple coefficients are snapped to their fractions, and the constant is then
    exact (integers) or the mean residual (floats); others are returned as solved (floats).
    """
    x, floats = s.x, s.floats
    rows = ([floats[t - lag] for lag in range(1, order + 1)] + [1.0] * constant for t in range(order, s.n))
    solution: list[Any] | None = _solve_float(rows, floats[order:], order + constant)
    if s.exact and (solution is None or None in map(_simple, solution[:order])):
        # Far along Fibonacci, rows (x[t-1], x[t-2]) are parallel to within 1e-9 (their ratio nears the
        # golden ratio): floats find them dependent, or fix unsimple coefficients. Integers solve exactly.
        exact_rows = ([Fraction(x[t - lag]) for lag in range(1, order + 1)] + [Fraction(1)] * constant
                      for t in range(order, s.n))
        solution = _solve_float(exact_rows, x[order:], order + constant, exact=True)
    if solution is None:
        return None
    snapped = [_simple(c) for c in solution[:order]]
    simple = [c for c in snapped if c is not None]
    if len(simple) < order:
        return list(enumerate(solution[:order], start=1)), solution[order] if constant else 0.0, False
    coeffs = [(lag, _norm(c) if s.exact else float(c)) for lag, c in enumerate(simple, start=1)]
    if not constant:
        return coeffs, 0, True
    if s.exact:
        return coeffs, _norm(x[order] - sum(c * x[order - lag] for lag, c in coeffs)), True
    with np.errstate(over="ignore", invalid="ignore"):  # near the float limits: inf or NaN, which no check passes
        residuals = s.values[order:] - sum(c * s.values[order - lag : s.n - lag] for lag, c in coeffs)
        return coeffs, float(residuals.mean()), True


def _solve_float(rows: Iterable[list[Any]], rhs: list[Any], m: int, exact: bool = False) -> list[Any] | None:
    """The ``m`` unknowns fixed by the first independent equations (Gaussian elimination), or None if
    the equations leave them undetermined. Rows are read only until ``m`` independent ones are found.
    Floats, with rows within 1e-9 of the kept ones dependent; ``exact``: Fraction rows, dependent only when
    exactly so."""
    basis: list[list[float]] = []  # reduced rows [coefficients..., value], each with its own pivot column
    pivots: list[int] = []
    for k, (row, value) in enumerate(zip(rows, rhs, strict=False)):
        if k == m + 4:
            return None  # not fixed by the first equations: leave it to the other classes
        row = [*row, value]
        size = max(abs(v) for v in row[:m])
        for brow, col in zip(basis, pivots, strict=False):
            if row[col]:
                factor = row[col] / brow[col]
                row = [u - factor * v for u, v in zip(row, brow, strict=False)]
        col = 0
        for j in range(1, m):
            if abs(row[j]) > abs(row[col]):
                col = j
        if abs(row[col]) <= (0 if exact else 1e-9 * size):
            continue  # dependent on the rows kept
        basis.append(row)
        pivots.append(col)
        if len(basis) == m:
            break
    if len(basis) < m:
        return None
    solution: list[Any] = [0 if exact else 0.0] * m  # (a float times a Fraction of 1e308 overflows)
    for row, col in reversed(list(zip(basis, pivots, strict=False))):
        solution[col] = (row[m] - sum(row[j] * solution[j] for j in range(m) if j != col)) / row[col]
    return solution


# --------------------------------------------------------------------------------------------------
# Ratio rules: x[t] = x[t-1] * (a t + b) / (c t + d), t = 1 at the first value

RATIO_ORIGIN = "t = 1 at the first value"  # where a ratio rule's description counts t from
# --------------------------------------------------------------------------------------------------


def _ratio(s: _Series) -> Rule | None:
    x = s.x
    if s.n < 5 or 0 in x:
        return None
    if not _may_be_moebius(*(float(x[i + 1]) / float(x[i]) for i in range(4))):
        return None
    head = s.floats[:10]
    ratios = [b / a for a, b in zip(head, head[1:], strict=False)]  # ratios[i] = x[i+1] / x[i], at t = i + 2
    linear = _ratio_fit(s, ratios, rational=False)
    if linear is not None:
        return linear
    return _ratio_fit(s, ratios, rational=True) if s.n >= 6 else None


def _may_be_moebius(r2: Any, r3: Any, r4: Any, r5: Any) -> Any:
    """Whether the ratios x[t] / x[t-1] at t = 2..5 (floats, or (N,) arrays) may come from a ratio rule.

    A Moebius map keeps cross-ratios: a non-constant r(t) at t = 2..5 has distinct values whose
    cross-ratio is that of 2, 3, 4, 5, i.e. 3 (r4 - r2)(r5 - r3) = 4 (r4 - r3)(r5 - r2), to 1e-5 (a
    smooth curve's ratios come close; rules' cross-ratios hold to rounding, 1e-12 for float data)."""
    left, right = 3 * (r4 - r2) * (r5 - r3), 4 * (r4 - r3) * (r5 - r2)
    far = abs(left - right) > 1e-5 * (abs(left) + abs(right))
    return np.logical_not((r2 == r3) | (r3 == r4) | (r4 == r5) | far)


def _ratio_rows(growth: np.ndarray) -> np.ndarray:
    """(N, 4) growth u = r - 1 at t = 2..5 -> (N, 4, 4) rows (t u, u, t, 1): singular iff r(t) is a
    Moebius map there (r (c t + d) = a t + b is u (c t + d) = (a - c) t + b - d). The growth, scaled
    to at most 1, not the ratio: with a large offset every ratio is ~1 and such rows all look alike."""
    t = np.arange(2.0, 6.0)
    return np.stack([t * growth, growth, np.broadcast_to(t, growth.shape), np.ones_like(growth)], axis=-1)


def _ratio_fit(s: _Series, ratios: list[float], rational: bool) -> Rule | None:
    """Fit r(t) = (a t + b) / (t + d) (rational) or a t + b, with small integer coefficients."""
    ts = range(2, s.n + 1)  # position of the value each ratio produces
    # r (t + d) = a t + b  ->  a t + b - d r = r t; linear: a t + b = r
    rows = [[t, 1.0, -r] if rational else [t, 1.0] for t, r in zip(ts, ratios, strict=False)]
    rhs = [r * t if rational else r for t, r in zip(ts, ratios, strict=False)]
    solution = _solve_float(rows, rhs, 3 if rational else 2)
    if solution is None or not all(abs(v) <= 1e6 for v in solution):  # also NaN; r's coefficients are small
        return None
    twelfths = [Fraction(round(v * 12), 12) for v in solution]  # r's coefficients (checked below)
    a, b, d = (*twelfths, Fraction(0)) if not rational else twelfths
    c = 1 if rational else 0
    if not rational and a == 0:
        return None  # a constant ratio: geometric
    scale = math.lcm(a.denominator, b.denominator, d.denominator)
    num = (int(a * scale), int(b * scale))
    den = (c * scale, int(d * scale)) if rational else (0, scale)
    if max(map(abs, num + den)) > _MAX_RATIO_COEFFICIENT:
        return None
    if rational and (num[0] * den[1] == num[1] * den[0] or (den[1] % den[0] == 0 and -den[1] // den[0] >= 2)):
        return None  # r constant (geometric), or a zero denominator at a position t >= 2
    if not rational and den[1] == 0:
        return None

    r = partial(_ratio_at, num, den, s.exact)

    x = s.x
    for i in (1, s.n // 2, s.n - 1):  # three equations first: most near-misses fail one
        if not (x[i] == r(i + 1) * x[i - 1] if s.exact else s.holds([(1, r(i + 1))], 0, i)):
            return None
    if not s.fits([(1, [r(t) for t in range(2, s.n + 1)])], 0, 1):
        return None
    if not s.exact and not s.holds_as_written([(1, [_ratio_at(num, den, True, t) for t in range(2, s.n + 1)])], 0, 1):
        return None  # (fits reads r(t) as floats: 4/3 is none as written)

    # a float series' values as written, times the ratio as a fraction: the float nearest the exact decimal (7.2,
    # where float arithmetic gives 7.199999999999999 for 0.01 0.02 0.06 0.24 1.2; adversarial round 65)
    written = not s.exact and s._as_written() is not None
    step = partial(_written_ratio_rule_next, num, den) if written else partial(_ratio_next, num, den, s.exact)

    numerator = _poly_text(*num)
    if den == (0, 1):
        formula = f"{numerator} * x[t-1]" if num[1] == 0 else f"({numerator}) * x[t-1]"
        name = "factorial-like" if num[0] == 1 else "ratio rule"
    else:
        # in brackets where a sum: (t - 1)/t, (2t + 9)/(2t + 10), t/2 (not '(t)/(2)': adversarial round 56)
        numerator, denominator = (f"({text})" if " " in text else text for text in (numerator, _poly_text(*den)))
        formula = f"{numerator}/{denominator} * x[t-1]"
        name = "ratio rule"
    description = f"{name}: x[t] = {formula}, {RATIO_ORIGIN}"
    parameters = 4 if rational else 3
    weights = np.zeros(s.n)
    weights[-1] = float(r(s.n + 1))
    return Rule("ratio", description, step(x), weights, 0, parameters, s.exact, tuple(x), step)


def _poly_text(a: int, b: int) -> str:
    """a t + b as text: 4t - 6, t + 1, t, 2."""
    if a == 0:
        return str(b)
    head = "t" if a == 1 else "-t" if a == -1 else f"{a}t"
    return head if b == 0 else f"{head} {'-' if b < 0 else '+'} {abs(b)}"


# --------------------------------------------------------------------------------------------------
# Quadratic maps on integers: x[t] = x[t-1]^2 + b x[t-1] + c
# --------------------------------------------------------------------------------------------------

_MAP_NAMES = {(0, 0): "squaring", (-1, 1): "Sylvester-like", (-2, 2): "Fermat-like"}
_MAP_LIMIT = 2**1100  # past the float range: a path's value beyond it is inf (an overflow), not a longer int


def _quadratic_map(s: _Series) -> Rule | None:
    """``x[t] = x[t-1]^2 + b x[t-1] + c`` on integers, ``b`` and ``c`` integers of at most _MAX_COEFFICIENT:
    repeated squaring (``2 4 16 256``), Sylvester's sequence (``2 3 7 43 1807``: x^2 - x + 1), Fermat numbers
    (``3 5 17 257``: x^2 - 2x + 2), Lucas-Lehmer (``4 14 194``: x^2 - 2). Free parameters: the first value and
    ``c`` where ``b`` is 0 (4 values), else also ``b`` (5 values). Only orbits that never repeat a value (that
    grow): a fixed point's or a cycle's repeats check the same equation again, so ``1 0 -1 0`` (x^2 - 1 from 1)
    is no rule, and ``0 1 1 1`` no Sylvester. The last class: a rule linear in the values that fits wins."""
    if not s.exact or s.n < 4:
        return None
    x = s.x
    if x[0] == x[1]:
        return None  # a fixed point: the map keeps it, so a constant series, which the first class answers
    first, second = x[1] - x[0] * x[0], x[2] - x[1] * x[1]  # b x[t-1] + c: the two equations that fix b, c
    if (second - first) % (x[1] - x[0]):
        return None
    b = (second - first) // (x[1] - x[0])
    c = first - b * x[0]
    parameters = 2 if b == 0 else 3
    if max(abs(b), abs(c)) > _MAX_COEFFICIENT or s.n < parameters + 2:
        return None
    step = partial(_map_next, b, c)
    if any(x[t] != step(x[t - 1 : t]) for t in range(3, s.n)):
        return None
    if len(set(x)) < s.n:  # a fixed point's or a cycle's repeats check an equation again: only growth is read
        return None
    formula = "x[t-1]^2" + (_term(b, "x[t-1]", False) if b else "") + (_term(c, "", False) if c else "")
    name = _MAP_NAMES.get((b, c), "quadratic map")
    weights = np.zeros(s.n)
    weights[-1] = float(x[-1] + b)  # next == (x[t-1] + b) x[t-1] + c: this step's multiplier, and the constant
    return Rule("map", f"{name}: x[t] = {formula}", step(x), weights, c, parameters, True, tuple(x), step)


def _map_next(b: int, c: int, history: list[Number]) -> Number:
    last = history[-1]
    if not isinstance(last, int) or abs(last) > _MAP_LIMIT:  # far past float64 already: no larger int
        return math.inf
    return last * last + b * last + c


# The classes the batch gate screens separately (see _gate), and the finders in order of simplicity,
# each with the class that screens it.
_GATES = ("polynomial", "geometric", "periodic", "recurrence", "ratio", "map")
_FINDERS: tuple[tuple[Callable[[_Series], Rule | None], int], ...] = (
    (_constant_or_arithmetic, 0),
    (_geometric, 1),
    (_powers, 0),
    (_periodic, 2),
    (_higher_polynomial, 0),
    (_recurrence, 3),
    (_ratio, 4),
    (_quadratic_map, 5),
)


# --------------------------------------------------------------------------------------------------
# A batch: which series could have a rule (vectorised), then the finder on those only
# --------------------------------------------------------------------------------------------------


def candidates(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-aligned values, lengths (N,) -> (N,) bool: False only where no rule can fit."""
    return np.asarray(_gate(values, lengths).any(axis=1))


def _gate(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-aligned values, lengths (N,) -> (N, 6) bool: which classes (``_GATES``) may fit.

    Necessary conditions on each series' first 8 values, with ten times the checks' tolerances, so a
    superset of what :func:`find_rule` accepts, class by class: a polynomial of degree <= 4 (constants,
    progressions, powers) has a zero fifth difference; a geometric series has x[0] x[2] = x[1]^2; a
    period p has x[p] = x[0] and x[p+1] = x[1]; a recurrence of order <= 3 with a constant makes its
    differences' 4x4 Hankel matrix singular (unless its shortest recurrence has coefficients that are not
    simple); a ratio rule makes a 4x4 matrix of the first ratios singular; a quadratic map on integers puts
    ``(x[t-1], x[t] - x[t-1]^2)`` on a line (:func:`_on_a_parabola`). Series shorter than 8 values
    may have any. Steps rather than levels make the tests blind to a shift, so an offset lets no noise pass.
    """
    n, width = values.shape
    if width < 8:
        return np.ones((n, len(_GATES)), dtype=bool)
    long = lengths >= 8
    head = np.where(long[:, None], values[:, :8], 1.0)  # (N, 8), finite
    out = np.zeros((n, len(_GATES)), dtype=bool)
    with np.errstate(all="ignore"):  # overflowing rows give inf/NaN: kept as candidates below
        level = np.abs(head).max(axis=1)  # (N,)
        steps = np.diff(head, axis=1)  # (N, 7)
        step = np.abs(steps).max(axis=1)  # (N,)
        slack = _gate_slack(level, np.where(step > 0, step, np.inf))  # (N,), constant rows: 1e-6
        fifth = np.diff(head[:, :6], n=5, axis=1)[:, 0]  # (N,)
        binomial = np.array([1, 5, 10, 10, 5, 1], dtype=np.float64)
        out[:, 0] = np.abs(fifth) <= 10 * (REL_TOL * step + _ULPS * (np.abs(head[:, :6]) @ binomial + level))
        x0, x1, x2 = head[:, 0], head[:, 1], head[:, 2]
        out[:, 1] = np.abs(x0 * x2 - x1 * x1) <= 10 * np.abs(x0) * (_ULPS * 3 * level + REL_TOL * step)
        out[:, 2] = _periodic_gate(values, lengths)
        hankel = np.stack([steps[:, 3 - lag : 7 - lag] for lag in range(4)], axis=-1)  # (N, 4, 4)
        whole = (level <= _MAX_EXACT) & (head == np.round(head)).all(axis=1)  # integers: as _recurrence, no shortcut
        out[:, 3] = _near_singular(hankel, slack) & (whole | ~_unsimple_recurrence(steps, level))
        # Over the whole series: a polynomial's fifth differences all vanish, and a recurrence of order
        # <= 3 cannot jump after four equal values (steps, square waves).
        # (Only on the rows still in question: the tests read every value.)
        asked = np.flatnonzero(long & (out[:, 0] | out[:, 3]))
        every = np.diff(values[asked], axis=1)  # (n, W - 1), NaN past each length
        top, biggest = np.nanmax(np.abs(values[asked]), axis=1), np.nanmax(np.abs(every), axis=1)  # (n,)
        polynomial = out[asked, 0]
        out[asked[polynomial], 0] = ~_fifths_rule_out_polynomials(every[polynomial], top[polynomial],
                                                                  biggest[polynomial])
        recurrence = np.flatnonzero(out[asked, 3])
        every, top, biggest = every[recurrence], top[recurrence], biggest[recurrence]
        flat = (every[:, :-4] == 0) & (every[:, 1:-3] == 0) & (every[:, 2:-2] == 0)  # (n, W - 4)
        jump = np.abs(every[:, 3:-1]) > 1e3 * _ULPS * top[:, None]
        rows = asked[recurrence]
        out[rows, 3] = ~(flat & jump).any(axis=1) & ~_steps_follow_no_recurrence(every, lengths[rows], top, biggest)
        nonzero = (head[:, :5] != 0).all(axis=1)
        growth = steps[:, :4] / np.where(nonzero[:, None], head[:, :4], 1.0)  # (N, 4) x[t]/x[t-1] - 1
        largest = np.abs(growth).max(axis=1, keepdims=True)  # (N, 1)
        out[:, 4] = nonzero & _near_singular(_ratio_rows(growth / np.where(largest > 0, largest, 1.0)), slack)
        out[:, 5] = whole & _on_a_parabola(head)
    out[~long | ~np.isfinite(slack)] = True
    return out


def _on_a_parabola(head: np.ndarray) -> np.ndarray:
    """(N, 8) first values -> (N,) bool: whether the points ``(x[t-1], x[t] - x[t-1]^2)`` may lie on one line, as
    a quadratic map's (:func:`_quadratic_map`) do, to 1e-9 of the terms and of the squares' float rounding (the
    finder reads integers exactly: this only screens)."""
    u = head[:, :-1]  # (N, 7) x[t-1]
    squares = u * u
    v = head[:, 1:] - squares  # (N, 7) x[t] - x[t-1]^2
    du, dv = np.diff(u, axis=1), np.diff(v, axis=1)  # (N, 6)
    cross = du[:, :-1] * dv[:, 1:] - du[:, 1:] * dv[:, :-1]  # (N, 5) zero for three points on a line
    square = squares.max(axis=1, keepdims=True)  # (N, 1)
    slack = 1e-9 * (np.abs(du[:, :-1] * dv[:, 1:]) + np.abs(du[:, 1:] * dv[:, :-1]) + (np.abs(du[:, :-1]) + np.abs(du[:, 1:])) * square)
    return np.asarray((np.abs(cross) <= slack).all(axis=1))


def _fifths_rule_out_polynomials(steps: np.ndarray, level: np.ndarray, biggest: np.ndarray) -> np.ndarray:
    """(N, W - 1) steps (NaN past each series), (N,) largest |x| and |step| -> (N,) bool: True where some fifth
    difference is too large for a polynomial of degree <= 4 (constants, progressions, powers) to pass the
    checks, with ten times their tolerance."""
    fifths = np.diff(steps, n=4, axis=1)  # (N, W - 5)
    return np.asarray((np.abs(fifths) > 10 * (REL_TOL * biggest + _ULPS * 33 * level)[:, None]).any(axis=1))


def _steps_follow_no_recurrence(
    steps: np.ndarray, lengths: np.ndarray, level: np.ndarray, biggest: np.ndarray
) -> np.ndarray:
    """(N, W - 1) steps (NaN past each series), (N,) lengths, largest |x| and |step| -> (N,) bool: True where no
    recurrence of order <= 3 (with or without a constant) can pass :meth:`_Series.fits` on the whole series.

    Such a recurrence makes the steps ``y`` follow ``y[k] = c1 y[k-1] + c2 y[k-2] + c3 y[k-3]`` (the constant
    cancels) for k = 3 .. n - 2, each equation to within twice the check's tolerance on the values, A: with
    coefficients of at most _MAX_COEFFICIENT, ``A <= _ULPS (size + |const|) level + REL_TOL * biggest``.
    So the least-squares residual of those n - 4 equations is at most ``2 sqrt(n - 4) A``, whatever
    the coefficients; twice that, plus 1e-10 of the targets for the rounding of the fit, is the limit.
    Over every value, not the first 8 of the determinant above, whose test a near-arithmetic series passes
    (its Hankel matrix is nearly of rank 1, so the determinant is tiny) however noisy its steps: values
    rounded to a few decimals, for one.
    """
    n, width = steps.shape
    if width < 7:
        return np.zeros(n, dtype=bool)
    target = steps[:, 3:]  # (N, W - 4): y[k], k = 3 .. W - 2
    design = np.stack([steps[:, 2:-1], steps[:, 1:-2], steps[:, :-3]], axis=-1)  # (N, W - 4, 3)
    equations = np.arange(3, width)[None, :] <= (lengths - 2)[:, None]  # (N, W - 4): k <= n - 2
    usable = (lengths >= 8) & np.isfinite(level) & np.isfinite(biggest) & (level < 1e300)
    target = np.where(equations & usable[:, None], target, 0.0)
    design = np.where((equations & usable[:, None])[..., None], design, 0.0)
    q, _ = np.linalg.qr(design)  # (N, W - 4, 3) orthonormal columns spanning the design's (more where it is rank-deficient)
    residual = target - np.einsum("nkc,nc->nk", q, np.einsum("nkc,nk->nc", q, target))
    size = 2 + 3 * _MAX_COEFFICIENT + 1 + 3 * _MAX_COEFFICIENT  # the terms summed, and |const|, over level
    tolerance = _ULPS * size * level + REL_TOL * biggest  # (N,) A
    equations_count = np.maximum(lengths - 4, 0)
    limit = 4 * np.sqrt(equations_count) * tolerance + 1e-10 * np.linalg.norm(target, axis=1)
    return usable & (np.linalg.norm(residual, axis=1) > limit)


def _unsimple_recurrence(steps: np.ndarray, level: np.ndarray) -> np.ndarray:
    """(N, 7) first steps, (N,) largest |x| -> (N,): the first 8 values clearly follow a shortest
    recurrence (``a x + b``, or order 2 with a constant) whose coefficients are clearly not simple: a
    sine wave, a damped one, an exponential with an offset. The finder stops at such a relation
    (no longer recurrence is fixed by the values), so these need not be asked.
    """
    y = steps  # y[k] = x[k+1] - x[k]: x[t] = a x[t-1] + b is y[t] = a y[t-1], and so on
    noise = 64 * 2.0**-52 * level  # rounding of a step of values this large

    def follows(c1: np.ndarray, c2: np.ndarray, first: int) -> np.ndarray:
        predicted = c1[:, None] * y[:, first - 1 : 6] + c2[:, None] * y[:, first - 2 : 5]  # (N, 7 - first)
        gap = np.abs(y[:, first:] - predicted)
        return (gap <= 1e-8 * (np.abs(y[:, first:]) + np.abs(predicted)) + noise[:, None] * 8).all(axis=1)

    def unsimple(c: np.ndarray) -> np.ndarray:
        twelfths = 12 * c
        return ~(np.abs(c) <= _MAX_COEFFICIENT + 0.5) | (np.abs(twelfths - np.round(twelfths)) > 1e-2)

    zero = np.zeros(len(y))
    with np.errstate(all="ignore"):
        a = y[:, 1] / y[:, 0]
        first_order = np.isfinite(a) & (np.abs(y[:, 0]) > 1e3 * noise) & follows(a, zero, 2)
        det = y[:, 1] * y[:, 1] - y[:, 0] * y[:, 2]
        c1 = (y[:, 2] * y[:, 1] - y[:, 3] * y[:, 0]) / det
        c2 = (y[:, 3] * y[:, 1] - y[:, 2] * y[:, 2]) / det
        size = y[:, 1] ** 2 + np.abs(y[:, 0] * y[:, 2])
        unique = np.isfinite(c1) & np.isfinite(c2) & (np.abs(det) > 1e-3 * size) & (size > 1e6 * noise**2)
        second_order = ~first_order & unique & follows(c1, c2, 2)
    return (first_order & unsimple(a)) | (second_order & (unsimple(c1) | unsimple(c2)))


def _periodic_gate(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) -> (N,): some period p <= length / 2 has x[p] - x[0] ~ x[p+1] - x[1] (both ~ 0 for a plain
    period; one constant for a period that drifts, :func:`_drifting_period`), to within twenty times the
    check's tolerance on the largest |x| and |step| among the values read (x[0] .. x[W // 2 + 1]), which are
    at least those of the values each check reads: a superset of what the checks accept."""
    last = values.shape[1] // 2  # the longest period
    if last < 2:
        return np.zeros(len(values), dtype=bool)
    values = values[:, : last + 2]  # the values the test reads
    with np.errstate(invalid="ignore"):  # NaN padding: fmax skips it
        level = np.fmax.reduce(np.abs(values), axis=1)  # (N,)
        step = np.fmax.reduce(np.abs(np.diff(values, axis=1)), axis=1)  # (N,)
    tolerance = (10 * (REL_TOL * step + _ULPS * 3 * level))[:, None]  # (N, 1)
    with np.errstate(invalid="ignore", over="ignore"):  # (inf - inf: NaN, no period)
        same = np.abs((values[:, 2 : last + 1] - values[:, :1]) - (values[:, 3 : last + 2] - values[:, 1:2])) <= 2 * tolerance
    # (N, P): periods 2 .. last
    return (same & (2 * np.arange(2, last + 1)[None, :] <= lengths[:, None])).any(axis=1)


def find_rules(values: np.ndarray, lengths: np.ndarray) -> dict[int, Rule]:
    """(N, W) prefix-aligned values (any padding), lengths (N,) -> {row: rule} for the rows with a rule: the same
    rules as :func:`find_rule` row by row, with the finder run only on the classes the gate lets through.

    The rows the gate keeps are then settled as far as can be done for all at once (:func:`_settle`): float
    polynomials (constants, progressions, degrees 2 to 4: the commonest rules in float data) are decided
    there, and the geometric, recurrence and ratio finders' first tests drop the classes they rule out,
    so most series skip the per-series finder, and the rest skip the finders that would find nothing.
    Up to ``_FEW_ROWS`` series go to the finder one by one: the batch's tests cost more than it saves there
    (a fixed ~0.5 ms, where the finder takes ~40 us on a series without a rule)."""
    if len(lengths) <= _FEW_ROWS:
        found = ((i, _find(values[i, : lengths[i]])) for i in range(len(lengths)))
        return {i: rule for i, rule in found if rule is not None}
    # The batch's tests read NaN past each length (whatever the caller padded with: zeros would look like values).
    values = np.where(np.arange(values.shape[1])[None, :] < lengths[:, None], values, np.nan)
    # Whole numbers past 2**53 are fitted exactly as the integers they name (_find), which the batch's float
    # tests cannot decide: each goes to the finder alone.
    with np.errstate(invalid="ignore"):  # (the few rows past 2**53 first: the rest are never rounded)
        big = np.fmax.reduce(np.abs(values), axis=1) > _MAX_EXACT  # (N,)
        big[big] = ((values[big] == np.round(values[big])) | np.isnan(values[big])).all(axis=1)  # whole numbers
    rules = {i: rule for i in np.flatnonzero(big).tolist() if (rule := _find(values[i, : lengths[i]])) is not None}
    gate = _gate(values, lengths)
    gate[big] = False
    rows = np.flatnonzero(gate.any(axis=1))
    degrees, classes, moves = _settle(values[rows], lengths[rows], gate[rows])
    for i, degree, kept, clear in zip(rows.tolist(), degrees.tolist(), classes.tolist(), moves.tolist(), strict=True):
        if degree == _NO_RULE:
            continue
        row = values[i, : lengths[i]]
        if degree in (0, 1) or (2 <= degree <= 4 and not kept[1] and not kept[2]):
            # The first finder's answer, or a higher polynomial's where geometric and periodic (the finders
            # before it) are ruled out; powers need integers.
            rule = _checked(_polynomial_rule(_Series(row, gated=True), degree))
        else:
            rule = _find(row, kept, clear) if any(kept) else None
        if rule is not None:
            rules[i] = rule
    return rules


_FEW_ROWS = 12  # measured: up to about this many series, one by one is quicker than the batch's tests
_UNSETTLED, _NO_RULE, _NO_POLYNOMIAL = -1, -2, 5  # _settle's answers besides a degree 0 .. 4


def _settle(
    values: np.ndarray, lengths: np.ndarray, gate: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, W) prefix-aligned values, (N,) lengths, (N, 6) classes the gate kept -> what the finder on one
    series would decide, for all rows at once, as far as it can be:

    - (N,) int: for a float series (not all integers) whose polynomial class passed the gate, the degree
      (0 .. 4) of the polynomial rule :func:`_polynomial` finds, or ``_NO_POLYNOMIAL``; ``_NO_RULE``
      for a float series with no rule at all (:func:`_steps_within_rounding`); ``_UNSETTLED`` otherwise
      (integer series, values near the float limits, a mean step within 1e-9 of the rounding threshold);
    - (N, 6) bool: the gate's classes less those found empty: polynomials where no degree fits; geometric
      where a float series' ratio does not fit (:func:`_geometric`); recurrences where the first values
      rule out the largest class (:func:`_may_recur`); ratio rules where the first ratios cannot come from
      one (:func:`_may_be_moebius`);
    - (N,) bool: the float series whose steps :func:`_steps_within_rounding` finds clear of rounding (the
      finder need not ask again).

    The same screens, checks and tolerances as one series gets, with the float operations in the same
    order, so the answers are the same bit for bit.
    """
    n, width = values.shape
    out = np.full(n, _UNSETTLED)
    classes = gate.copy()
    if n == 0 or width < 3:
        return out, classes, np.zeros(n, dtype=bool)
    inside = np.arange(width)[None, :] < lengths[:, None]  # (N, W)
    with np.errstate(all="ignore"):  # NaN padding past each length, masked below
        magnitude = np.where(inside, np.abs(values), 0.0)  # (N, W)
        top = magnitude.max(axis=1)  # (N,)
        finite = np.isfinite(magnitude).all(axis=1) & (top < 1e300) & (lengths >= MIN_VALUES)
        integers = np.where(inside, values == np.floor(values), True).all(axis=1) & (top <= _MAX_EXACT)
        steps = np.abs(np.diff(values, axis=1))  # (N, W - 1), NaN past each length
        mean_step = np.where(inside[:, 1:], steps, 0.0).sum(axis=1) / np.maximum(lengths - 1, 1)  # (N,)
        threshold = _MIN_STEP_ULPS * top
        within = (mean_step > 0) & (mean_step < threshold)  # as _steps_within_rounding decides
        floats = finite & ~integers & (np.abs(mean_step - threshold) > 1e-9 * threshold)  # summation order
        out[floats & within] = _NO_RULE  # could decide the borderline ones
        floats &= ~within
        polynomial = floats & gate[:, 0]
        out[polynomial] = _polynomial_degrees(values[polynomial], magnitude[polynomial], steps[polynomial],
                                              lengths[polynomial])
        classes[:, 0] &= out != _NO_POLYNOMIAL
        geometric = np.flatnonzero(floats & gate[:, 1])
        classes[geometric, 1] = _geometric_fits(values[geometric], magnitude[geometric], steps[geometric],
                                                lengths[geometric])
        classes[:, 2] &= ~finite | _may_repeat_rows(values, lengths, np.where(integers, 0.0, 3 * REL_TOL * top))
        classes[:, 3] &= ~finite | _may_recur_rows(values, lengths)
        zeros = (inside & (values == 0)).any(axis=1)
        ratios = [values[:, i + 1] / values[:, i] for i in range(4)] if width >= 5 else [np.zeros(n)] * 4
        classes[:, 4] &= ~finite | ((lengths >= 5) & ~zeros & _may_be_moebius(*ratios))
    return out, classes, floats


def _polynomial_degrees(values: np.ndarray, magnitude: np.ndarray, steps: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(n, W) float series, their |x| (0 past each length), |steps| (n, W - 1), lengths -> (n,) the degree
    of the polynomial rule :func:`_polynomial` finds on each (degrees 0 to 4), or ``_NO_POLYNOMIAL``."""
    width = values.shape[1]
    out = np.full(len(values), _NO_POLYNOMIAL)
    head_size = magnitude[:, :6].max(axis=1)  # max(|min|, |max|) of the first values
    pending = np.ones(len(values), dtype=bool)
    for degree in range(5):
        pending &= lengths >= degree + 3
        if not pending.any() or width < degree + 3:
            break
        span = degree + 1
        difference = np.diff(values[:, : span + 1], n=span, axis=1)[:, 0]  # may_be_polynomial's screen
        screen = (np.minimum(lengths, 6) <= span) | (np.abs(difference) <= 3 * REL_TOL * (2**span + 1) * head_size)
        fits, tight = _fits_rows(values, magnitude, steps, lengths, _DIFFERENCES[degree], span)
        if degree >= 2:
            fits &= _top_difference([values[:, k] for k in range(degree + 1)], degree) != 0
        found = pending & screen & fits
        out[found] = np.where(tight[found], degree, _UNSETTLED)  # (past 4 ulps: read as written, by the finder)
        pending &= ~found
    return out


def _geometric_fits(values: np.ndarray, magnitude: np.ndarray, steps: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(n, W) float series, as :func:`_polynomial_degrees` reads them -> (n,) bool: :func:`_geometric` finds
    a rule."""
    if values.shape[1] < 4:
        return np.zeros(len(values), dtype=bool)
    x0, x1 = values[:, 0], values[:, 1]
    ratio = x1 / np.where(x0 != 0, x0, 1.0)
    possible = (lengths >= 4) & (x0 != 0) & (x1 != 0) & (ratio != 1)
    return possible & _fits_rows(values, magnitude, steps, lengths, [(1, ratio)], 2)[0]


def _fits_rows(
    values: np.ndarray,
    magnitude: np.ndarray,
    steps: np.ndarray,
    lengths: np.ndarray,
    coeffs: Sequence[tuple[int, Number]],
    start: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`_Series.fits` of float series with the constant 0, all rows at once -> (n,) bool, as far as
    float bounds decide it, and (n,) bool: within 4 ulps of the terms, where fits() decides it so.

    A coefficient is a number or (n,) one per row. fits() checks three equations first, then all of them
    against a strict bound, then against the windowed one; each of the first two implies the last, so
    the windowed bound alone decides, computed as fits() computes it; but past 4 ulps of the terms, fits()
    also reads values written to at most 15 digits as written (:meth:`_Series.holds_as_written`)."""
    width = values.shape[1]
    span = max(lag for lag, _ in coeffs)
    predicted: Any = 0.0
    rounding: Any = 0.0  # (n, W - start): 32 ulps of each |c * x[t - lag]|, summed
    with np.errstate(over="ignore", invalid="ignore"):  # a term past the float range fails below
        for lag, c in coeffs:
            c = c if _is_number(c) else c[:, None]
            product = c * values[:, start - lag : width - lag]
            predicted = predicted + product
            rounding = rounding + _ULPS * np.abs(product)
        gap = np.abs(values[:, start:] - predicted)  # (n, W - start)
        level = _sliding_max(magnitude, span + 1)[:, start - span :]  # largest |x| in x[t - span .. t]
        local_step = _sliding_max(steps, span)[:, start - span :]  # largest |step| among them
        allowed = _ULPS * 2 * level + rounding + REL_TOL * local_step
        tight = _within_4_ulps(gap, np.abs(values[:, start:]), rounding)
    beyond = np.arange(start, width)[None, :] >= lengths[:, None]
    finite = np.isfinite(rounding)
    return ((finite & (gap <= allowed)) | beyond).all(axis=1), ((finite & tight) | beyond).all(axis=1)


def _may_repeat_rows(values: np.ndarray, lengths: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """(N, W) series, (N,) -> (N,) bool: :func:`_periodic`'s screen, some period p <= n / 2 moves the first two
    values and the last one by the same amount (0 for a plain period; one constant for a period that drifts,
    :func:`_drifting_period`) to within twice ``limit`` (0 for integer series: exactly)."""
    n, width = values.shape
    last = np.take_along_axis(values, np.maximum(lengths - 1, 0)[:, None], axis=1)[:, 0]  # (N,)
    out = np.zeros(n, dtype=bool)
    for period in range(2, width // 2 + 1):
        rows = np.flatnonzero(~out & (lengths >= 2 * period))
        if not rows.size:
            break
        within = 2 * limit[rows]
        moved = values[rows, period] - values[rows, 0]  # (R,)
        out[rows] = (np.abs(values[rows, period + 1] - values[rows, 1] - moved) <= within) & (
            np.abs(last[rows] - values[rows, lengths[rows] - 1 - period] - moved) <= within
        )
    return out


def _may_recur_rows(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) series -> (N,) bool: :func:`_recurrence`'s first test, :func:`_may_recur` on the largest
    class the length allows, False where none is (fewer than 5 values). Rows must be finite."""
    out = np.zeros(len(values), dtype=bool)
    needed = [2 * order + constant + 2 for order, constant in _RECURRENCES]  # increasing
    for k, (order, constant) in enumerate(_RECURRENCES):
        upper = needed[k + 1] if k + 1 < len(needed) else np.inf
        rows = np.flatnonzero((lengths >= needed[k]) & (lengths < upper))  # the largest class is this one
        if not rows.size or values.shape[1] < needed[k]:
            continue
        x = [values[rows, j] for j in range(2 * order + 2)]  # the first values, as columns
        with np.errstate(all="ignore"):
            level = reduce(np.maximum, map(np.abs, x))
            step = reduce(np.maximum, (np.abs(b - a) for a, b in zip(x, x[1:], strict=False)))
            if constant:
                x = [b - a for a, b in zip(x, x[1:], strict=False)]
                tolerance: Any = _gate_slack(level, step) / 1000
            else:
                tolerance = 1e-9
            matrix = [[x[t - lag] for lag in range(order + 1)] for t in range(order, 2 * order + 1)]
            sizes = reduce(np.multiply, (np.sqrt(reduce(np.add, (v * v for v in row))) for row in matrix))
            out[rows] = (step == 0) | ~np.isfinite(sizes * level) | (np.abs(_det(matrix)) <= tolerance * sizes)
    return out
