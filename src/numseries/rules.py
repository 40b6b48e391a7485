"""Exact rules: when a sequence follows a closed-form rule, continue it exactly instead of guessing.

``find_rule(values)`` runs before the network. It looks for the simplest rule that reproduces every
given value exactly: integers exactly (Python ints and fractions, so ``1 1 2 3 5 8 13`` gives the int
``21`` and factorials stay exact), other numbers to 1e-9 relative. It returns a :class:`Rule` or None::

    from numseries.rules import find_rule

    rule = find_rule([1, 1, 2, 3, 5, 8, 13])
    rule.next_value, rule.description  # 21, 'Fibonacci-like: x[t] = x[t-1] + x[t-2]'
    rule.forecast(3)                    # [21, 34, 55]

Classes, tried in this order of simplicity (fewest free parameters first; the first that fits wins):

1. constant; 2. arithmetic (a polynomial of degree 1); 3. geometric, any ratio (sign changes
included); 4. consecutive powers ``±k^2``, ``±k^3``, ``±k^4`` of integers (a polynomial with one free
parameter, the first ``k``); 5. periodic, the shortest period ``p <= n/2``; 6. polynomials of degree
2 to 4 (finite differences); 7. linear recurrences ``x[t] = c1 x[t-1] + ... + ck x[t-k] (+ d)`` of
order 1 (with a constant: ``a x + b`` maps), 2, 2 with a constant, 3, 3 with a constant, whose
coefficients are simple (denominator <= 4, absolute value <= 10); 8. ratio rules ``x[t] = x[t-1] r(t)``
with ``r`` linear in the position ``t`` (factorials), then a ratio of two linear functions (Catalan
numbers, central binomial coefficients), small integer coefficients.

Margin. A rule with ``P`` free parameters (values it fits, such as a start, a step, a ratio, the
coefficients, the first ``k`` values of a recurrence) must reproduce at least ``P + 2`` given values:
two exact checks beyond what it was fitted to. One check would accept any five numbers with a zero
fourth difference as a cubic, which rounded smooth data does often; two independent exact equalities
are rare by chance, and the benchmark (``benchmarks/rules.py``) measures the rate on noise and real
data. Hence: constant >= 3 values, arithmetic and geometric >= 4, polynomial of degree d >= d + 3, a
recurrence of order k >= 2k + 2 (+1 with a constant), a linear ratio >= 5, a rational ratio >= 6.
Powers have one free parameter but need 4 values (3 checks): consecutive cubes are a cubic known
from 4 values, and ``1 8 27 64 125`` must continue to 216. A period ``p`` must be seen twice
(``n >= 2p``), so it is checked ``p`` times.

Tolerance for non-integers: a check ``x[t] = sum of terms`` passes when the gap is at most 1e-9 of the
smaller of the terms' magnitude and the sequence's mean absolute step, or at most 32 ulps of the
terms (what float rounding of exact data can produce). Relative to the step, not the level, so noise
of any size above rounding on a large offset is never exact.

Explanation weights. Every rule gives the next value as an affine map of the given values,
``next = weights @ values + intercept``, and :attr:`Rule.weights` holds that map's coefficients: 1 on
each of the last two values for Fibonacci; the difference extrapolation ``(-1, 2)``, ``(1, -3, 3)``, ...
on the last ``d + 1`` values for a polynomial of degree ``d``; 1 on ``x[t-p]`` for a period ``p``. For
the rules that are not linear in the values (geometric, ratio rules) the weight is this step's
multiplier on the last value (the ratio ``r``, or ``r(t)``: 6 on 120 for ``1 2 6 24 120``): exactly how
the next value follows from the inputs, though the multiplier itself was fitted from them.

Pure Python and numpy: no torch. Quick: each class rejects noise on its first values before any full
check (a few microseconds per class); :func:`candidates` does the same over a whole batch at once.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

import numpy as np

REL_TOL = 1e-9  # relative tolerance of a check on non-integer values
_ULPS = 32 * 2.0**-52  # float rounding of exact data: 32 ulps of the terms
_GATE_TOL = 1e-6  # the batch gate's tolerance: looser than any check, so it never drops a rule
_MAX_EXACT = 2**53  # integers up to this are exact in float64; larger values are treated as floats
_MAX_DENOMINATOR = 4  # simple coefficients: denominators up to 4 ...
_MAX_COEFFICIENT = 10  # ... and absolute values up to 10
_MAX_RATIO_COEFFICIENT = 64  # integer coefficients of a ratio rule's r(t), after clearing denominators

Number = int | Fraction | float


@dataclasses.dataclass(frozen=True)
class Rule:
    """A rule that reproduces every given value, and continues the sequence.

    ``next_value`` is exact: an ``int`` or ``Fraction`` when the values are integers, else a float.
    ``weights`` (n,) and ``intercept``: ``next_value == weights @ values + intercept`` (see the module
    docstring for the rules that are not linear in the values).
    """

    kind: str  # constant, arithmetic, geometric, powers, periodic, polynomial, recurrence, ratio
    description: str  # the rule with its parameters, e.g. "geometric, ratio 2"
    next_value: Number
    weights: np.ndarray  # (n,) float64
    intercept: Number
    parameters: int  # free parameters fitted to the values
    exact: bool  # integer input, so next_value and forecast() are exact ints or fractions
    history: tuple[Number, ...] = dataclasses.field(repr=False)
    step: Callable[[list[Number]], Number] = dataclasses.field(repr=False, compare=False)

    def forecast(self, steps: int) -> list[Number]:
        """The next ``steps`` values of the rule (each computed from the ones before)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}; e.g. steps=5")
        history = list(self.history)
        for _ in range(steps):
            history.append(self.step(history))
        return history[len(self.history) :]


class _Series:
    """One sequence as Python numbers, with the check that decides what "reproduces" means."""

    def __init__(self, values: np.ndarray) -> None:
        floats = values.tolist()
        self.n = len(floats)
        self.exact = (
            floats[0].is_integer() and all(map(float.is_integer, floats)) and max(map(abs, floats)) < _MAX_EXACT
        )
        self.x: list[Number] = [int(v) for v in floats] if self.exact else floats
        self.values = values  # (n,) float64
        self._scale: float | None = None
        self._differences: list[Number] | None = None

    @property
    def scale(self) -> float:
        """Mean absolute step (computed on first use: most checks never need it)."""
        if self._scale is None:
            with np.errstate(over="ignore"):
                self._scale = float(np.abs(np.diff(self.values)).mean())
        return self._scale

    def close(self, value: Number, predicted: Number, terms: float, local: float) -> bool:
        """Whether ``predicted`` reproduces ``value``: ``terms`` is the size of what was summed, ``local``
        the largest value the check reads. Exact for integers."""
        if self.exact:
            return value == predicted
        gap = abs(value - predicted)
        return gap <= _ULPS * (terms + local) or (gap <= REL_TOL * local and gap <= REL_TOL * self.scale)

    def fits(self, coeffs: Sequence[tuple[int, Number | Sequence[Number]]], const: Number, start: int) -> bool:
        """Whether ``x[t] = sum(c * x[t - lag]) + const`` holds for every t from ``start``.

        A coefficient is a number, or a sequence with one value per t from ``start`` (ratio rules).
        The first t is checked alone first, so that noise costs one equation.
        """
        x, n = self.x, self.n
        span = max(lag for lag, _ in coeffs)
        head = [(lag, c if _is_number(c) else c[0]) for lag, c in coeffs]
        predicted = const + sum(c * x[start - lag] for lag, c in head)
        terms = abs(const) + abs(x[start]) + sum(abs(c * x[start - lag]) for lag, c in head)
        local = max(map(abs, x[start - span : start + 1]))
        if self.exact:
            if x[start] != predicted:
                return False
            predictions = [const] * (n - start)
            for lag, c in coeffs:
                factors = [c] * (n - start) if _is_number(c) else c
                predictions = [p + f * v for p, f, v in zip(predictions, factors, x[start - lag : n - lag])]
            return predictions == x[start:]
        gap = abs(x[start] - predicted)
        if gap > _ULPS * (terms + local) and gap > REL_TOL * local:  # a looser test than close(): quick reject
            return False
        target = self.values[start:]
        predicted, terms = np.full(n - start, float(const)), abs(float(const)) + np.abs(target)
        with np.errstate(over="ignore", invalid="ignore"):  # values near the float limits: inf/NaN fail below
            for lag, c in coeffs:
                term = (c if _is_number(c) else np.asarray(c, dtype=np.float64)) * self.values[start - lag : n - lag]
                predicted += term
                terms += np.abs(term)
            window = np.lib.stride_tricks.sliding_window_view(np.abs(self.values), span + 1)  # (n - span, span + 1)
            local = window.max(axis=1)[start - span :]  # (n - start,) largest |x| in x[t-span .. t]
            gap = np.abs(target - predicted)
            ok = (gap <= _ULPS * (terms + local)) | ((gap <= REL_TOL * local) & (gap <= REL_TOL * self.scale))
        return bool(ok.all())

    def div(self, a: Number, b: Number) -> Number:
        return _norm(Fraction(a, b)) if self.exact else a / b

    def may_be_polynomial(self, degree: int) -> bool:
        """A quick, looser screen than fits(): is the (degree + 1)-th difference of x[0..degree+1] ~ 0?"""
        if self._differences is None:
            head = self.x[:6]
            self._differences = [head[0]]  # the first column of the difference table
            while len(head) > 1:
                head = [b - a for a, b in zip(head, head[1:])]
                self._differences.append(head[0])
        if len(self._differences) <= degree + 1:
            return True
        difference = self._differences[degree + 1]
        if self.exact:
            return difference == 0
        size = sum(abs(c * v) for (_, c), v in zip(_DIFFERENCES[degree], self.x[degree::-1])) + abs(self.x[degree + 1])
        return abs(difference) <= 2 * REL_TOL * size


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Fraction))


def find_rule(values: Sequence[float] | np.ndarray) -> Rule | None:
    """The simplest rule that reproduces every value of ``values`` (n >= 3 finite numbers), or None."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or len(values) < 3 or not np.isfinite(values).all():
        raise ValueError(f"expected at least 3 finite values in one dimension, got {values!r}; check the input")
    return _find(values)


def _find(values: np.ndarray) -> Rule | None:
    """find_rule on checked values."""
    series = _Series(values)
    for finder in _FINDERS:
        rule = finder(series)
        if rule is not None:
            return _checked(rule)
    return None


def _checked(rule: Rule) -> Rule | None:
    """None when the next value is beyond float64 (the network then answers, or reports the overflow)."""
    try:
        return rule if math.isfinite(float(rule.next_value)) else None
    except OverflowError:
        return None


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------


def _norm(value: Number) -> Number:
    """A Fraction with denominator 1 becomes an int."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def fmt(value: Number) -> str:
    """A number as a rule prints it: 21, 3/2, 0.1 (floats to 10 significant digits)."""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(_norm(value))


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

    def linear_step(history: list[Number]) -> Number:
        return _norm(const + sum(c * history[-lag] for lag, c in coeffs))

    weights = np.zeros(s.n)
    for lag, c in coeffs:
        weights[s.n - lag] += float(c)
    step = step or linear_step
    return Rule(kind, description, step(s.x), weights, const, parameters, s.exact, tuple(s.x), step)


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
        if not s.may_be_polynomial(degree) or not s.fits(coeffs, 0, degree + 1):
            continue
        if degree == 0:
            return _linear_rule(s, "constant", f"constant {fmt(x[0])}", coeffs, 0, 1)
        if degree == 1:
            step = s.div(x[-1] - x[0], s.n - 1)  # the mean step: exact for integers, least rounding for floats
            return _linear_rule(
                s, "arithmetic", f"arithmetic, step {fmt(step)}", coeffs, 0, 2, lambda h: _norm(h[-1] + step)
            )
        top = sum((-1) ** (degree - k) * math.comb(degree, k) * x[k] for k in range(degree + 1))  # d-th difference
        if top == 0:
            continue
        name, ordinal = _DEGREE_NAMES[degree]
        return _linear_rule(s, "polynomial", f"{name}: {ordinal} difference {fmt(top)}", coeffs, 0, degree + 1)
    return None


def _constant_or_arithmetic(s: _Series) -> Rule | None:
    return _polynomial(s, range(0, 2))


def _higher_polynomial(s: _Series) -> Rule | None:
    return _polynomial(s, range(2, 5))


def _geometric(s: _Series) -> Rule | None:
    x = s.x
    if s.n < 4 or x[0] == 0 or x[1] == 0:
        return None
    ratio = s.div(x[1], x[0])
    if ratio == 1 or not s.fits([(1, ratio)], 0, 2):  # x[1] = ratio x[0] by construction
        return None
    return _linear_rule(s, "geometric", f"geometric, ratio {fmt(ratio)}", [(1, ratio)], 0, 2)


_POWER_NAMES = {2: "squares", 3: "cubes", 4: "fourth powers"}


def _powers(s: _Series) -> Rule | None:
    """x = sign * (k0 + direction * t)^p for integers k0, p in 2..4: one free parameter, k0."""
    if not s.exact or s.n < 4:
        return None
    x = s.x
    for power in (2, 3, 4):
        for sign in (1, -1):
            y0 = sign * x[0]
            root = _iroot(abs(y0), power)
            if root is None or (power % 2 == 0 and y0 < 0):
                continue
            starts = {root, -root} if power % 2 == 0 else {root if y0 >= 0 else -root}
            for k0 in sorted(starts, reverse=True):
                for direction in (1, -1):
                    if all(x[t] == sign * (k0 + direction * t) ** power for t in range(1, s.n)):
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

    def step(history: list[Number]) -> Number:
        return sign * (k0 + direction * len(history)) ** power

    return _linear_rule(s, "powers", description, _DIFFERENCES[power], 0, 1, step)


def _periodic(s: _Series) -> Rule | None:
    x = s.x
    first = x[0]
    stop = s.n // 2 + 1
    if s.exact:
        periods = [p for p in range(2, stop) if x[p] == first]
    else:  # a looser screen than the check: within 1e-9 of the largest value
        limit = REL_TOL * max(map(abs, x))
        periods = [p for p in range(2, stop) if abs(x[p] - first) <= limit]
    for period in periods:
        if s.fits([(period, 1)], 0, period):
            cycle = " ".join(fmt(v) for v in x[:period])
            return _linear_rule(s, "periodic", f"period {period}: {cycle}", [(period, 1)], 0, period)
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
    gate = _recurrence_gate(s)
    if not gate:
        return None
    for order, constant in _RECURRENCES:
        parameters = 2 * order + constant
        if s.n < parameters + 2 or (order, constant) > gate:
            return None
        solution = _solve_recurrence(s, order, constant)
        if solution is None:
            continue
        coeffs, const = solution
        if coeffs[-1][1] == 0 or not s.fits(coeffs, const, order):
            continue
        key = tuple(c for _, c in coeffs)
        name = _NAMED.get(key) if const == 0 else None
        if name is None:
            name = "affine map" if order == 1 else "linear recurrence"
        description = f"{name}: x[t] = {_linear_text(coeffs, const)}"
        return _linear_rule(s, "recurrence", description, coeffs, const, parameters)
    return None


def _recurrence_gate(s: _Series) -> tuple[int, bool] | None:
    """The largest recurrence the length allows, if the first values let one exist; None rules all out.

    Each class is contained in the next (``a x + b`` maps satisfy an order-2 recurrence, order 2 with
    a constant satisfies order 3, ...), so one determinant screens them all: a recurrence of order 3
    with a constant needs the 5x5 matrix of rows ``(x[t], x[t-1], x[t-2], x[t-3], 1)`` to be singular,
    which is the 4x4 matrix of the differences' rows; shorter series have smaller matrices. A loose
    screen (1e-4 of the rows' sizes): the checks decide.
    """
    largest = None
    for order, constant in _RECURRENCES:
        if s.n >= 2 * order + constant + 2:
            largest = (order, constant)
    if largest is None:
        return None
    order, constant = largest
    x = [float(v) for v in s.x[:8]]
    if constant and order == 3:
        x = [b - a for a, b in zip(x, x[1:])]  # differences cancel the constant: a 4x4 Hankel matrix
        constant = False
    size = order + 1 + constant
    rows = [[x[t - lag] for lag in range(order + 1)] + [1.0] * constant for t in range(order, order + size)]
    if size == 3:
        (a, b, c), (d, e, f), (g, h, i) = rows
        det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    else:
        det = _det4(rows)
    sizes = math.prod(math.sqrt(sum(v * v for v in row)) for row in rows)
    return largest if abs(det) <= 1e-4 * sizes or not math.isfinite(sizes) else None


def _det4(rows: list[list[float]]) -> float:
    """Determinant of a 4x4 matrix (Laplace expansion by the 2x2 minors of its first two rows)."""
    (a0, a1, a2, a3), (b0, b1, b2, b3), (c0, c1, c2, c3), (d0, d1, d2, d3) = rows
    s0, s1, s2 = a0 * b1 - a1 * b0, a0 * b2 - a2 * b0, a0 * b3 - a3 * b0
    s3, s4, s5 = a1 * b2 - a2 * b1, a1 * b3 - a3 * b1, a2 * b3 - a3 * b2
    m23, m13, m12 = c2 * d3 - c3 * d2, c1 * d3 - c3 * d1, c1 * d2 - c2 * d1
    m03, m02, m01 = c0 * d3 - c3 * d0, c0 * d2 - c2 * d0, c0 * d1 - c1 * d0
    return s0 * m23 - s1 * m13 + s2 * m12 + s3 * m03 - s4 * m02 + s5 * m01


def _lag_matrix(x: np.ndarray, order: int, constant: bool) -> np.ndarray:
    """(N, W) values -> (N, W - order, order + 1 + constant) rows (x[t], x[t-1], ..., x[t-order], [1])."""
    rows = x.shape[1] - order
    columns = [x[:, order - lag : order - lag + rows] for lag in range(order + 1)]
    if constant:
        columns.append(np.ones_like(columns[0]))
    return np.stack(columns, axis=-1)


def _near_singular(matrices: np.ndarray) -> np.ndarray:
    """(N, m, m) -> (N,) bool: |det| of the row-normalised matrix below the gate tolerance.

    If the rows satisfy a linear relation to within 1e-9 of their terms (what the checks accept), this
    determinant is below ~3e-7 whatever the relation's coefficients, so the gate never drops a rule.
    """
    norms = np.linalg.norm(matrices, axis=2, keepdims=True)  # (N, m, 1)
    unit = matrices / np.where(norms > 0, norms, 1.0)
    with np.errstate(invalid="ignore"):
        det = np.linalg.det(unit)
    return ~(np.abs(det) > _GATE_TOL)  # NaN (overflowing rows) counts as possibly singular


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


def _solve_recurrence(s: _Series, order: int, constant: bool) -> tuple[list[tuple[int, Number]], Number] | None:
    """Coefficients of ``x[t] = sum c_lag x[t-lag] (+ d)``, simple ones only, or None.

    Solved in floats, snapped to simple fractions; the constant is then exact (integers) or the mean
    residual (floats), and ``fits`` checks it all.
    """
    x = s.x
    floats = s.values.tolist()
    rows = ([floats[t - lag] for lag in range(1, order + 1)] + [1.0] * constant for t in range(order, s.n))
    solution = _solve_float(rows, floats[order:], order + constant)
    if solution is None:
        return None
    simple = [_simple(c) for c in solution[:order]]
    if any(c is None for c in simple):
        return None
    coeffs = [(lag, _norm(c) if s.exact else float(c)) for lag, c in enumerate(simple, start=1)]
    if not constant:
        return coeffs, 0
    if s.exact:
        return coeffs, _norm(x[order] - sum(c * x[order - lag] for lag, c in coeffs))
    residuals = s.values[order:] - sum(c * s.values[order - lag : s.n - lag] for lag, c in coeffs)
    return coeffs, float(residuals.mean())


def _solve_float(rows: Iterable[list[float]], rhs: list[float], m: int) -> list[float] | None:
    """The ``m`` unknowns fixed by the first independent equations (Gaussian elimination), or None if
    the equations leave them undetermined. Rows are read only until ``m`` independent ones are found."""
    basis: list[list[float]] = []  # reduced rows [coefficients..., value], each with its own pivot column
    pivots: list[int] = []
    for row, value in zip(rows, rhs):
        row = [*row, value]
        size = max(abs(v) for v in row[:m])
        for brow, col in zip(basis, pivots):
            if row[col]:
                factor = row[col] / brow[col]
                row = [u - factor * v for u, v in zip(row, brow)]
        col = 0
        for j in range(1, m):
            if abs(row[j]) > abs(row[col]):
                col = j
        if abs(row[col]) <= 1e-9 * size:
            continue  # dependent on the rows kept
        basis.append(row)
        pivots.append(col)
        if len(basis) == m:
            break
    if len(basis) < m:
        return None
    solution = [0.0] * m
    for row, col in reversed(list(zip(basis, pivots))):
        solution[col] = (row[m] - sum(row[j] * solution[j] for j in range(m) if j != col)) / row[col]
    return solution


# --------------------------------------------------------------------------------------------------
# Ratio rules: x[t] = x[t-1] * (a t + b) / (c t + d), t = 1 at the first value
# --------------------------------------------------------------------------------------------------


def _ratio(s: _Series) -> Rule | None:
    x = s.x
    if s.n < 5 or any(v == 0 for v in x):
        return None
    r2, r3, r4, r5 = (float(x[i + 1]) / float(x[i]) for i in range(4))
    # A Moebius map keeps cross-ratios: a non-constant r(t) at t = 2..5 has distinct values whose
    # cross-ratio is that of 2, 3, 4, 5, i.e. 3 (r4 - r2)(r5 - r3) = 4 (r4 - r3)(r5 - r2). A loose screen.
    left, right = 3 * (r4 - r2) * (r5 - r3), 4 * (r4 - r3) * (r5 - r2)
    if r2 == r3 or r3 == r4 or r4 == r5 or abs(left - right) > 1e-3 * (abs(left) + abs(right)):
        return None
    ratios = [s.div(b, a) for a, b in zip(x, x[1:])]  # ratios[i] = x[i+1] / x[i], at t = i + 2
    linear = _ratio_fit(s, ratios, rational=False)
    if linear is not None:
        return linear
    return _ratio_fit(s, ratios, rational=True) if s.n >= 6 else None


def _ratio_rows(ratios: np.ndarray) -> np.ndarray:
    """(N, 4) ratios at t = 2..5 -> (N, 4, 4) rows (t r, r, t, 1): singular iff r(t) is a Moebius map there."""
    t = np.arange(2.0, 6.0)
    return np.stack([t * ratios, ratios, np.broadcast_to(t, ratios.shape), np.ones_like(ratios)], axis=-1)


def _ratio_fit(s: _Series, ratios: list[Number], rational: bool) -> Rule | None:
    """Fit r(t) = (a t + b) / (t + d) (rational) or a t + b, with small integer coefficients."""
    ts = range(2, s.n + 1)  # position of the value each ratio produces
    # r (t + d) = a t + b  ->  a t + b - d r = r t; linear: a t + b = r
    rows = [[t, 1.0, -float(r)] if rational else [t, 1.0] for t, r in zip(ts, ratios)]
    rhs = [float(r) * t if rational else float(r) for t, r in zip(ts, ratios)]
    solution = _solve_float(rows, rhs, 3 if rational else 2)
    if solution is None or not all(abs(v) <= 1e6 for v in solution):  # also NaN; r's coefficients are small
        return None
    solution = [Fraction(round(v * 12), 12) for v in solution]  # r's coefficients: twelfths (checked below)
    a, b, d = (*solution, Fraction(0)) if not rational else solution
    c = 1 if rational else 0
    if not rational and a == 0:
        return None  # a constant ratio: geometric
    scale = math.lcm(*(Fraction(v).denominator for v in (a, b, d)))
    num = (int(a * scale), int(b * scale))
    den = (c * scale, int(d * scale)) if rational else (0, scale)
    if max(map(abs, num + den)) > _MAX_RATIO_COEFFICIENT:
        return None
    if rational and (num[0] * den[1] == num[1] * den[0] or (den[1] % den[0] == 0 and -den[1] // den[0] >= 2)):
        return None  # r constant (geometric), or a zero denominator at a position t >= 2
    if not rational and den[1] == 0:
        return None

    def r(t: int) -> Number:
        value = Fraction(num[0] * t + num[1], den[0] * t + den[1])
        return _norm(value) if s.exact else float(value)

    if not s.fits([(1, [r(t) for t in range(2, s.n + 1)])], 0, 1):
        return None

    def step(history: list[Number]) -> Number:
        return _norm(history[-1] * r(len(history) + 1))

    numerator = _poly_text(*num)
    if den == (0, 1):
        formula = f"{numerator} * x[t-1]" if num[1] == 0 else f"({numerator}) * x[t-1]"
        name = "factorial-like" if num[0] == 1 else "ratio rule"
    else:
        denominator = _poly_text(*den)
        denominator = denominator if denominator == "t" else f"({denominator})"
        formula = f"({numerator})/{denominator} * x[t-1]"
        name = "ratio rule"
    description = f"{name}: x[t] = {formula}, t = 1 at the first value"
    parameters = 4 if rational else 3
    weights = np.zeros(s.n)
    weights[-1] = float(r(s.n + 1))
    x = s.x
    return Rule("ratio", description, step(x), weights, 0, parameters, s.exact, tuple(x), step)


def _poly_text(a: int, b: int) -> str:
    """a t + b as text: 4t - 6, t + 1, t, 2."""
    if a == 0:
        return str(b)
    head = "t" if a == 1 else "-t" if a == -1 else f"{a}t"
    return head if b == 0 else f"{head} {'-' if b < 0 else '+'} {abs(b)}"


_FINDERS: tuple[Callable[[_Series], Rule | None], ...] = (
    _constant_or_arithmetic,
    _geometric,
    _powers,
    _periodic,
    _higher_polynomial,
    _recurrence,
    _ratio,
)


# --------------------------------------------------------------------------------------------------
# A batch: which series could have a rule (vectorised), then the finder on those only
# --------------------------------------------------------------------------------------------------


def candidates(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-aligned values (W >= 8), lengths (N,) -> (N,) bool: False only where no rule fits.

    A superset of the series :func:`find_rule` accepts, from necessary conditions on each series'
    first values, checked with a tolerance looser than any check's. Series shorter than 8 values are
    all candidates. Every rule with n >= 8 is a recurrence of order <= 3 with a constant (the 5x5
    determinant), a quartic (zero fifth difference), a period p (x[p] = x[0], x[p+1] = x[1]) or a
    ratio rule (the 4x4 determinant of the first ratios).
    """
    n, width = values.shape
    out = lengths < 8
    if width < 8:
        return np.ones(n, dtype=bool)
    head = values[:, :8]  # (N, 8), finite where lengths >= 8
    long = ~out
    out |= long & _near_singular(_lag_matrix(head, 3, True)[:, :5])  # (N, 5, 5)
    fifth = np.diff(head[:, :6], n=5, axis=1)[:, 0]  # (N,)
    binomial = np.array([1, 5, 10, 10, 5, 1], dtype=np.float64)
    out |= long & (np.abs(fifth) <= _GATE_TOL * (np.abs(head[:, :6]) @ binomial))
    periods = np.arange(2, width // 2 + 1)  # (P,)
    if periods.size:
        with np.errstate(invalid="ignore"):
            reach = np.fmax.accumulate(np.abs(values), axis=1)  # (N, W) largest |x| so far
            same0 = np.abs(values[:, periods] - values[:, :1]) <= _GATE_TOL * reach[:, periods]  # (N, P)
            after = np.minimum(periods + 1, width - 1)
            same1 = np.abs(values[:, after] - values[:, 1:2]) <= _GATE_TOL * reach[:, after]  # (N, P)
        out |= long & (same0 & same1 & (2 * periods[None, :] <= lengths[:, None])).any(axis=1)
    nonzero = (head[:, :5] != 0).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = head[:, 1:5] / np.where(nonzero[:, None], head[:, :4], 1.0)  # (N, 4)
    out |= long & nonzero & _near_singular(_ratio_rows(ratios))
    return out


def find_rules(values: np.ndarray, lengths: np.ndarray) -> dict[int, Rule]:
    """(N, W) prefix-aligned values, lengths (N,) -> {row: rule} for the rows with a rule (the gate, then
    the finder on the candidates only)."""
    rules = {}
    for i in np.flatnonzero(candidates(values, lengths)).tolist():
        rule = _find(values[i, : lengths[i]])
        if rule is not None:
            rules[i] = rule
    return rules
