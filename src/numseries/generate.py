"""Procedurally generated sequences: a registry of families and a vectorised, seeded generator.

A family is a plain function ``fn(n, length, rng) -> (n, length)`` that returns ``n`` clean series of
``length`` steps at roughly unit scale. The generator then adds noise (for families registered with a
``noise`` range), a random scale and shift spanning many orders of magnitude, and cuts each series to a
random context length; the value right after the context is the label.

Extend it with one decorated function::

    from numseries.generate import register

    @register("fibonacci_like", weight=0.5)
    def fibonacci_like(n, length, rng):
        ...  # return an (n, length) float array
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from numseries.config import GENERATED_MIN_LEN, MIN_LENGTH, check_lengths
from numseries.series import SequenceBatch, mean_abs_step, step_scale

FamilyFn = Callable[[int, int, np.random.Generator], np.ndarray]

AFFINE_RANGE = (1e-3, 1e6)  # the magnitudes of the random scale and shift the generator applies to each series
# The largest magnitude a family may return: scaled by the largest scale it stays below 1e300, which leaves
# float64 (up to 1.8e308) room for the shift, the noise and the sums of steps the model scales by. The
# built-in families stay below e^600 (3.8e260) at any length.
MAX_FAMILY_VALUE = 1e300 / AFFINE_RANGE[1]


@dataclasses.dataclass(frozen=True)
class Family:
    """A registered family: its generating function and how it takes part in training."""

    name: str
    fn: FamilyFn
    weight: float = 1.0  # relative frequency in the default training mix
    holdout: bool = False  # kept out of training, to measure generalisation
    noise: tuple[float, float] | None = None  # log-uniform noise level range, in mean absolute steps
    stochastic: bool = False  # its next value is random even without noise (no clean value to predict)
    description: str = ""


FAMILIES: dict[str, Family] = {}

# The families that look like real series carry their own noise, so ``noisy_stochastic`` leaves them out.
REAL_LIKE = ("arima", "seasonal", "level_shift", "intermittent", "tsmixup")


def register(
    name: str,
    *,
    weight: float = 1.0,
    holdout: bool = False,
    noise: tuple[float, float] | None = None,
    stochastic: bool = False,
) -> Callable[[FamilyFn], FamilyFn]:
    """Decorator that adds ``fn(n, length, rng) -> (n, length) array`` to the family registry."""
    _check_name(name)
    _check_weight(name, weight)
    _check_noise(name, noise)

    def decorate(fn: FamilyFn) -> FamilyFn:
        if name in FAMILIES:
            raise ValueError(f"family {name!r} is already registered; pick another name")
        if not callable(fn):
            raise ValueError(f"family {name!r} must decorate a function fn(n, length, rng), got {type(fn).__name__}; decorate a def")
        doc = (fn.__doc__ or "").strip().splitlines()
        FAMILIES[name] = Family(name, fn, weight, holdout, noise, stochastic, doc[0] if doc else "")
        return fn

    return decorate


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name or any(char.isspace() for char in name):
        raise ValueError(f"family name must be a non-empty string without whitespace, got {name!r}; pass e.g. 'my_family'")
    if len(name) > 100:  # names a plot's file (evaluate --plots): a file name holds 255 bytes
        raise ValueError(f"family name {name[:20]!r}... has {len(name)} characters; give at most 100")
    if not name.isprintable() or name.startswith("-"):  # shown in errors as it is; --families reads "-x" as an option
        raise ValueError(
            f"family name {name!r} holds a control character or starts with '-' (which --families takes for an "
            "option); pass e.g. 'my_family'"
        )
    if any(char in name for char in '/\\:*?"<>|\0') or name.startswith("."):  # names a plot's file: evaluate --plots
        raise ValueError(
            f"family name {name!r} holds a character a file name cannot (/ \\ : * ? \" < > |) or starts with '.'; "
            "pass e.g. 'my_family'"
        )


def _is_finite_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_weight(name: str, weight: float) -> None:
    if not _is_finite_real(weight) or weight <= 0:
        raise ValueError(f"weight must be a finite number > 0, got {weight!r} for family {name!r}; pass e.g. weight=1.0")


def _check_noise(name: str, noise: tuple[float, float] | None) -> None:
    """``noise`` is ``None`` or a log-uniform range ``(lo, hi)`` with ``0 < lo <= hi``, both finite."""
    if noise is None:
        return
    pair = tuple(noise) if isinstance(noise, (tuple, list)) else ()
    if len(pair) != 2 or not all(_is_finite_real(v) for v in pair) or not 0 < pair[0] <= pair[1]:
        raise ValueError(
            f"noise must be None or a pair (lo, hi) with 0 < lo <= hi, got {noise!r} for family {name!r}; "
            "pass e.g. noise=(0.02, 1.0)"
        )


def training_families() -> list[str]:
    """Names of the families used for training (every registered family not held out)."""
    return [name for name, fam in FAMILIES.items() if not fam.holdout]


def holdout_families() -> list[str]:
    """Names of the families kept out of training, to measure how the model generalises."""
    return [name for name, fam in FAMILIES.items() if fam.holdout]


# --------------------------------------------------------------------------------------------------
# Families. Each returns clean values at roughly unit scale; the generator applies scale and shift.
# --------------------------------------------------------------------------------------------------


def _steps(n: int, length: int) -> np.ndarray:
    return np.broadcast_to(np.arange(length, dtype=np.float64), (n, length))


def _col(values: np.ndarray) -> np.ndarray:
    return values[:, None]


def _log_uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


@register("linear", weight=2.0)
def linear(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Arithmetic progressions with integer or fractional steps of either sign."""
    integer_step = rng.choice(np.r_[-5:0, 1:6], n).astype(np.float64)
    fractional_step = rng.uniform(-3, 3, n)
    step = np.where(rng.random(n) < 0.5, integer_step, fractional_step)
    start = rng.integers(-10, 11, n).astype(np.float64)
    return _col(start) + _col(step) * _steps(n, length)


@register("sinusoidal", weight=1.5)
def sinusoidal(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Sine waves with periods of 3 to 48 steps (a share at sin(t)), any phase and offset."""
    period = np.where(rng.random(n) < 0.15, 2 * np.pi, _log_uniform(rng, 3, 48, n))
    phase = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0, 2 * np.pi, n))
    offset = rng.uniform(-1, 1, n)
    return _col(offset) + np.sin(2 * np.pi * _steps(n, length) / _col(period) + _col(phase))


@register("log_decay")
def log_decay(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Logarithmic decay a - b*log(t + c)."""
    c = _log_uniform(rng, 0.3, 10, n)
    b = rng.uniform(0.5, 3, n)
    a = rng.uniform(-5, 5, n)
    return _col(a) - _col(b) * np.log(_steps(n, length) + _col(c))


@register("mixed", weight=1.5)
def mixed(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Compositions: damped oscillations, trend plus wave, amplitude-modulated waves, two-tone sums."""
    t = _steps(n, length)
    kind = rng.integers(0, 4, n)[:, None]
    omega = _col(2 * np.pi / _log_uniform(rng, 3, 40, n))
    phase = _col(rng.uniform(0, 2 * np.pi, n))
    wave = np.sin(omega * t + phase)
    damped = np.exp(-_col(_log_uniform(rng, 0.01, 0.3, n)) * t) * wave
    trend = _col(rng.normal(0, 0.3, n)) * t + wave
    modulated = (1 + _col(rng.normal(0, 0.05, n)) * t) * wave
    second = np.sin(_col(2 * np.pi / _log_uniform(rng, 3, 40, n)) * t + _col(rng.uniform(0, 6.3, n)))
    two_tone = wave + _col(rng.uniform(0.2, 1, n)) * second
    return np.choose(kind, [damped, trend, modulated, two_tone])


def noisy_bases(*, stochastic: bool) -> list[str]:
    """The families ``noisy`` (``stochastic=False``) and ``noisy_stochastic`` draw their clean series from:
    the noise-free training families that are (or are not) stochastic, real-like ones left out."""
    return [
        name
        for name in training_families()
        if FAMILIES[name].noise is None and FAMILIES[name].stochastic == stochastic and name not in REAL_LIKE
    ]


def _noisy_bases(n: int, length: int, rng: np.random.Generator, *, stochastic: bool) -> np.ndarray:
    """Clean series from :func:`noisy_bases`, each row's family drawn by weight."""
    return _draw(noisy_bases(stochastic=stochastic), n, length, rng)


def _shares(names: Sequence[str]) -> np.ndarray:
    """Each named family's share of the draws, in proportion to its weight; weights whose sum is past the float
    range (two of 1e308) are taken relative to the largest first."""
    weights = np.array([FAMILIES[name].weight for name in names])
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        weights = weights / weights.max()
        total = weights.sum()
    return weights / total


def _draw(names: Sequence[str], n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """(n, length) series of the named families, each row's family drawn in proportion to its weight."""
    choice = rng.choice(len(names), n, p=_shares(names))
    out = np.empty((n, length))
    for i, name in enumerate(names):
        rows = np.flatnonzero(choice == i)
        if rows.size:
            out[rows] = _call(name, rows.size, length, rng)
    return out


class _FamilyError(ValueError):
    """A family's function failed or returned bad values; the message names that family."""


def _call(name: str, n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """(n, length) float64 series of family ``name``; an error in its function or a bad result names it."""
    try:
        series = FAMILIES[name].fn(n, length, rng)
    except _FamilyError:
        raise  # a family it draws from failed, and the message names that one
    except (Exception, SystemExit) as err:  # the user's function may raise anything, sys.exit() included
        raise _FamilyError(f"family {name!r} raised {type(err).__name__}: {err}; fix its function") from err
    return _checked(name, series, (n, length))


def _checked(name: str, series: object, shape: tuple[int, int]) -> np.ndarray:
    """``series`` as a float64 array if it holds finite real numbers of ``shape``; else a ValueError naming ``name``."""
    try:
        array = np.asarray(series)
    except (ValueError, TypeError):  # a ragged nested list, or an object numpy cannot read
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":  # bool, integer or float
        raise _FamilyError(
            f"family {name!r} must return real numbers of shape {shape}, got {type(series).__name__} "
            f"of dtype {array.dtype}; fix its function"
        )
    array = array.astype(np.float64, copy=False)
    if array.shape != shape or not np.isfinite(array).all():
        raise _FamilyError(
            f"family {name!r} must return finite values of shape {shape}, got shape {array.shape} with "
            f"{array.size - np.isfinite(array).sum()} non-finite values; fix its function"
        )
    peak = float(np.abs(array).max(initial=0.0))
    if peak > MAX_FAMILY_VALUE:  # before the random scale, which would overflow it to inf
        raise _FamilyError(
            f"family {name!r} returns values up to {peak:.3g}, which the generator's random scale (up to "
            f"{AFFINE_RANGE[1]:g}) would overflow; return values at roughly unit scale (at most "
            f"{MAX_FAMILY_VALUE:g} in magnitude); fix its function"
        )
    return array


@register("noisy", weight=4.0, noise=(0.02, 1.0))
def noisy(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Any deterministic training family, with Gaussian noise of 2% to 100% of its mean absolute step.

    Stochastic families are left out, so the error of the noise-free next value is a true floor:
    their clean next value is itself a guess (they get noise in ``noisy_stochastic``).
    """
    return _noisy_bases(n, length, rng, stochastic=False)


@register("noisy_line", weight=2.0, noise=(0.02, 1.0))
def noisy_line(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Straight lines through 2% to 100% noise: the commonest short series, a metric with a trend.

    ``noisy`` draws lines too, but among six curved families; at 4 to 6 values a noisy line and a
    gentle curve look alike, and this family's weight tells the model how often such a context is
    a trend.
    """
    return linear(n, length, rng)


@register("noisy_stochastic", weight=1.5, noise=(0.02, 1.0), stochastic=True)
def noisy_stochastic(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Random walks, AR processes, steps and Gaussian processes seen through 2% to 100% noise, as sensors do."""
    return _noisy_bases(n, length, rng, stochastic=True)


@register("polynomial")
def polynomial(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Quadratic and cubic trends."""
    u = _steps(n, length) / _col(rng.uniform(8, 80, n))
    coef = rng.normal(0, 1, (n, 4))
    coef[:, 3] *= rng.random(n) < 0.5  # half are quadratic
    return sum(_col(coef[:, k]) * u**k for k in range(4))


@register("exponential", weight=0.7)
def exponential(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Geometric growth and decay a*r^t + c, with a share of integer ratios (1, 2, 4, 8, ...)."""
    ratio = np.where(
        rng.random(n) < 0.25,
        rng.choice([2.0, 3.0, 0.5], n),
        np.exp(rng.uniform(-1, 1, n) * np.log(1e3) / length),
    )
    c = np.where(rng.random(n) < 0.5, 0.0, rng.normal(0, 1, n))
    # Long growing series start lower (a = r^-t0), so the last value stays below e^600 at any length.
    t0 = np.maximum(0.0, (length - 1) - 600 / np.maximum(np.log(ratio), 1e-12))
    return _col(c) + _col(ratio) ** (_steps(n, length) - _col(t0))


@register("random_walk", weight=2.0, stochastic=True)
def random_walk(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Random walks with drift; a share with heavy-tailed (Student-t) steps."""
    gaussian = rng.normal(0, 1, (n, length))
    heavy = rng.standard_t(3, (n, length))
    steps = np.where(_col(rng.random(n) < 0.3), heavy, gaussian) + _col(rng.normal(0, 0.5, n))
    return np.cumsum(steps, axis=1)


@register("ar", stochastic=True)
def ar(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(2) processes (real or complex roots inside the unit circle)."""
    complex_roots = rng.random(n) < 0.5
    modulus = rng.uniform(0.5, 0.98, n)
    angle = rng.uniform(0, np.pi, n)
    r1, r2 = rng.uniform(-0.95, 0.95, n), rng.uniform(-0.95, 0.95, n)
    phi1 = np.where(complex_roots, 2 * modulus * np.cos(angle), r1 + r2)
    phi2 = np.where(complex_roots, -(modulus**2), -r1 * r2)
    burn_in = 30
    eps = rng.normal(0, 1, (n, length + burn_in))
    x = np.zeros((n, length + burn_in))
    for t in range(2, length + burn_in):
        x[:, t] = phi1 * x[:, t - 1] + phi2 * x[:, t - 2] + eps[:, t]
    return x[:, burn_in:]


@register("step", weight=0.5, stochastic=True)
def step(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Piecewise-constant levels with jumps at random times."""
    jump_rate = _col(rng.uniform(0.03, 0.25, n))
    jumps = (rng.random((n, length)) < jump_rate) * rng.normal(0, 1, (n, length))
    return np.cumsum(jumps, axis=1)


@register("wave")
def wave(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Sawtooth, triangle and square waves with periods of 3 to 32 steps."""
    period = np.where(rng.random(n) < 0.5, rng.integers(3, 13, n), _log_uniform(rng, 3, 32, n))
    cycle = np.mod(_steps(n, length) / _col(period) + _col(rng.random(n)), 1.0)
    saw = cycle
    triangle = 1 - 2 * np.abs(cycle - 0.5)
    square = (cycle < 0.5).astype(np.float64)
    return np.choose(rng.integers(0, 3, n)[:, None], [saw, triangle, square])


def _kernel(kind: int, u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random covariance over the times ``u`` (length,) -> (length, length)."""
    d = u[:, None] - u[None, :]
    if kind == 0:  # smooth (RBF)
        return np.exp(-0.5 * (d / rng.uniform(0.05, 1.0)) ** 2)
    if kind == 1:  # periodic
        period = rng.uniform(0.05, 0.5)
        return np.exp(-2 * np.sin(np.pi * np.abs(d) / period) ** 2 / rng.uniform(0.5, 2) ** 2)
    if kind == 2:  # linear trend
        return (u[:, None] - rng.uniform(-1, 1)) * (u[None, :] - rng.uniform(-1, 1)) + 0.1
    if kind == 3:  # rational quadratic
        alpha = rng.uniform(0.5, 3)
        return (1 + d**2 / (2 * alpha * rng.uniform(0.05, 1.0) ** 2)) ** -alpha
    return np.eye(len(u)) * rng.uniform(0.01, 0.1)  # white noise


@register("kernel_synth", weight=1.5, stochastic=True)
def kernel_synth(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """KernelSynth-style Gaussian-process samples from random sums and products of kernels."""
    u = np.linspace(0, 1, length) * rng.uniform(0.5, 2)
    n_kernels = 16  # a small bank of random compositions, each shared by n / 16 series
    covs = []
    for _ in range(n_kernels):
        cov = _kernel(int(rng.integers(0, 4)), u, rng)
        for _ in range(int(rng.integers(0, 3))):
            other = _kernel(int(rng.integers(0, 5)), u, rng)
            cov = cov + other if rng.random() < 0.5 else cov * other
        # A square root that tolerates near-singular kernels. One BLAS thread: on these tiny matrices
        # a threaded LAPACK is 40x slower, and far worse inside data-loader workers.
        with threadpool_limits(limits=1, user_api="blas"):
            eigval, eigvec = np.linalg.eigh(cov)
        covs.append(eigvec * np.sqrt(np.clip(eigval, 0, None)))
    kernel_ids = rng.integers(0, n_kernels, n)  # (n,)
    noise = rng.normal(0, 1, (n, length))
    out = np.empty((n, length))
    for k, root in enumerate(covs):  # one matmul per kernel: memory O(n * length), not O(n * length^2)
        rows = kernel_ids == k
        out[rows] = noise[rows] @ root.T  # (rows, length)
    return out


# Families that look like real series: what a metric, a sensor or a statistics office records.


def _innovations(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """(n, length) unit-scale shocks: Gaussian, a share heavy-tailed (Student-t, 3 degrees of freedom)."""
    heavy = _col(rng.random(n) < 0.25)
    return np.where(heavy, rng.standard_t(3, (n, length)) / np.sqrt(3), rng.normal(0, 1, (n, length)))


def _ar1(shocks: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """AR(1) filter ``x[t] = phi * x[t-1] + shocks[t]`` of (n, length) shocks, phi (n,) per row."""
    out = np.empty_like(shocks)
    out[:, 0] = shocks[:, 0]
    for t in range(1, shocks.shape[1]):
        out[:, t] = phi * out[:, t - 1] + shocks[:, t]
    return out


@register("arima", weight=2.0, stochastic=True)
def arima(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Integrated ARMA(1, 1) processes, as AutoARIMA fits them: once integrated with drift (trending
    levels: prices, output) or twice (smooth curves with momentum: rates, demographics), plus a little
    observation noise on a share."""
    burn_in = 20
    shocks = _innovations(n, length + burn_in + 1, rng)
    theta = _col(rng.uniform(-0.8, 0.8, n))
    arma = _ar1(shocks[:, 1:] + theta * shocks[:, :-1], rng.uniform(-0.5, 0.9, n))[:, burn_in:]  # (n, length)
    twice = rng.random(n) < 0.35
    once = np.cumsum(arma + _col(rng.normal(0, 0.7, n)), axis=1)
    smooth = np.cumsum(np.cumsum(0.15 * arma, axis=1) + _col(rng.normal(0, 1, n)), axis=1)
    out = np.where(_col(twice), smooth, once)
    noisy = _col(rng.random(n) < 0.3)
    scale = mean_abs_step(out, np.ones_like(out, dtype=bool))  # (n,)
    return out + noisy * _col(_log_uniform(rng, 0.05, 0.5, n) * scale) * rng.normal(0, 1, out.shape)


@register("seasonal", weight=2.0, stochastic=True)
def seasonal(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Trend + season + noise: one or two seasons (periods 4, 7, 12, 24, 52 or any of 3-30 steps) of a
    few harmonics, amplitude that drifts or follows the level, a linear or wandering trend, and AR(1)
    noise that may be heavy-tailed or grow with the level (heteroscedastic), like monthly sales or
    hourly load."""
    t = _steps(n, length)
    common = np.array([4.0, 7.0, 12.0, 24.0, 52.0])
    season = np.zeros((n, length))
    for k in range(2):
        period = np.where(rng.random(n) < 0.6, rng.choice(common, n), rng.uniform(3, 30, n))
        present = np.ones(n, dtype=bool) if k == 0 else rng.random(n) < 0.3
        weight = np.where(present, 1.0 if k == 0 else rng.uniform(0.2, 0.8, n), 0.0)
        for harmonic in range(1, 4):
            amp = rng.normal(0, 1, n) / harmonic**1.5 * (rng.random(n) < (1.0 if harmonic == 1 else 0.5))
            phase = rng.uniform(0, 2 * np.pi, n)
            season += _col(weight * amp) * np.sin(2 * np.pi * harmonic * t / _col(period) + _col(phase))
    season /= np.abs(season).max(axis=1, keepdims=True) + 1e-9
    amplitude = np.clip(1 + _col(rng.normal(0, 0.5, n)) * t / length, 0.1, None)  # growing or shrinking
    wander = np.cumsum(rng.normal(0, 1, (n, length)), axis=1) * _col(rng.uniform(0, 0.15, n) * (rng.random(n) < 0.5))
    trend = _col(rng.normal(0, 2, n)) * t / length + wander
    level = np.abs(trend + _col(rng.uniform(2, 6, n)))
    level /= _col(level.mean(axis=1))  # (n, length) the level relative to its mean
    multiplicative = _col(rng.random(n) < 0.3)
    season = np.where(multiplicative, season * level, season) * amplitude
    noise = _ar1(_innovations(n, length, rng), rng.uniform(0, 0.7, n)) * _col(_log_uniform(rng, 0.02, 0.6, n))
    hetero = _col(rng.random(n) < 0.25)
    noise = np.where(hetero, noise * level, noise)
    return trend + season + noise


@register("level_shift", weight=1.0, stochastic=True)
def level_shift(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Regime changes: a noisy level or trend whose level and slope shift at random times, with
    occasional outliers (single spikes of 3 to 8 noise levels), like a metric after a deploy."""
    shifts = (rng.random((n, length)) < _col(rng.uniform(0.01, 0.08, n))) * rng.normal(0, 3, (n, length))
    slope_changes = (rng.random((n, length)) < _col(rng.uniform(0, 0.04, n))) * rng.normal(0, 0.3, (n, length))
    slope = _col(rng.normal(0, 0.2, n) * (rng.random(n) < 0.6)) + np.cumsum(slope_changes, axis=1)
    base = np.cumsum(slope, axis=1) + np.cumsum(shifts, axis=1)
    noise = _ar1(_innovations(n, length, rng), rng.uniform(0, 0.6, n)) * _col(_log_uniform(rng, 0.1, 1.0, n))
    spikes = (rng.random((n, length)) < _col(rng.uniform(0, 0.04, n))) * rng.choice([-1.0, 1.0], (n, length))
    return base + noise + spikes * rng.uniform(3, 8, (n, length)) * _col(np.abs(noise).mean(axis=1) + 0.1)


@register("intermittent", weight=0.5, stochastic=True)
def intermittent(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Counts: Poisson counts around a steady, trending or seasonal rate, and intermittent demand
    (mostly zeros, occasional orders), like daily sales of one product."""
    t = _steps(n, length)
    rate = _log_uniform(rng, 0.5, 50, n)
    trend = 1 + _col(rng.normal(0, 0.5, n)) * t / length
    season = 1 + _col(rng.uniform(0, 0.6, n) * (rng.random(n) < 0.4)) * np.sin(
        2 * np.pi * t / _col(rng.choice([7.0, 12.0, 4.0], n)) + _col(rng.uniform(0, 2 * np.pi, n))
    )
    counts = rng.poisson(np.clip(_col(rate) * trend * season, 0, None)).astype(np.float64)
    demand = rng.random((n, length)) < _col(rng.uniform(0.1, 0.6, n))
    orders = demand * (1 + rng.poisson(_col(_log_uniform(rng, 0.5, 20, n)), (n, length)))
    return np.where(_col(rng.random(n) < 0.5), counts, orders.astype(np.float64))


@register("tsmixup", weight=1.0, stochastic=True)
def tsmixup(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """TSMixup: convex mixtures (Dirichlet weights) of two or three series of the other training
    families, each standardised first, so shapes combine (a trend under a season under a walk)."""
    k = rng.integers(2, 4, n)  # components per row
    mix = rng.dirichlet(np.ones(3), n) * (np.arange(3)[None, :] < k[:, None])
    mix /= mix.sum(axis=1, keepdims=True)
    names = [name for name in training_families() if name != "tsmixup"]
    parts = _draw(names, 3 * n, length, rng)  # (3n, length): one call per family for all three components
    parts -= parts.mean(axis=1, keepdims=True)
    parts /= parts.std(axis=1, keepdims=True) + 1e-9
    return np.einsum("nk,knt->nt", mix, parts.reshape(3, n, length))  # (n, length)


@register("logistic", holdout=True)
def logistic(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Held out: logistic (S-curve) growth."""
    k = _log_uniform(rng, 0.05, 1.0, n)
    midpoint = rng.uniform(-10, length + 10, n)
    return 1 / (1 + np.exp(-_col(k) * (_steps(n, length) - _col(midpoint))))


@register("chirp", holdout=True)
def chirp(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Held out: sine waves whose frequency drifts over time."""
    t = _steps(n, length)
    omega = _col(2 * np.pi / _log_uniform(rng, 6, 40, n))
    drift = _col(rng.uniform(-1, 1, n) * 0.5 / length) * omega
    return np.sin(omega * t + drift * t**2 + _col(rng.uniform(0, 2 * np.pi, n)))


@register("power_law", holdout=True)
def power_law(n: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Held out: power laws (t + c)^p, from square-root growth to super-linear."""
    p = rng.uniform(0.3, 2.5, n)
    c = _log_uniform(rng, 0.5, 10, n)
    return (_steps(n, length) + _col(c)) ** _col(p)


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------


def resolve_families(families: Sequence[str] | None) -> list[str]:
    """Family names to generate: ``None`` is every training family; unknown names are refused."""
    if isinstance(families, str):  # families="linear" means one family, not the letters of its name
        families = [families]
    names = training_families() if families is None else list(families)
    if not names:
        raise ValueError("families is empty; pass at least one of: " + ", ".join(FAMILIES))
    unknown = [name for name in names if name not in FAMILIES]
    if unknown:
        raise ValueError(
            f"unknown family {unknown[0]!r}; known families: {', '.join(FAMILIES)} (a family of your own: "
            "register it first, with --families-from FILE.py on the command line)"
        )
    return names


def sample_lengths(n: int, min_len: int, max_len: int, rng: np.random.Generator) -> np.ndarray:
    """Context lengths: half uniform on [min_len, min(16, max_len)], half uniform on the full range."""
    short_hi = min(max(min_len, 16), max_len)
    short = rng.integers(min_len, short_hi + 1, n)
    full = rng.integers(min_len, max_len + 1, n)
    return np.where(rng.random(n) < 0.5, short, full)


def generate_batch(
    num_samples: int,
    *,
    min_len: int = GENERATED_MIN_LEN,
    max_len: int = 64,
    families: Sequence[str] | None = None,
    lengths: np.ndarray | None = None,
    seed: int | np.random.Generator | None = 0,
) -> SequenceBatch:
    """Generate ``num_samples`` sequences with their next values, family ids and noise-free labels.

    ``families`` defaults to every training family, drawn in proportion to its weight; held-out
    families must be named. ``lengths`` (N,) fixes each context length instead of sampling them.
    """
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
        raise ValueError(f"num_samples must be a positive integer, got {num_samples!r}; pass e.g. 10_000")
    check_lengths(min_len, max_len)
    names = resolve_families(families)
    if seed is not None and not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):  # (round 57: numpy's own 'expected non-negative integer' named neither)
        raise ValueError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}; pass e.g. seed=0")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    if lengths is None:
        lengths = sample_lengths(num_samples, min_len, max_len, rng)
    else:
        given = np.asarray(lengths)
        if given.dtype.kind not in "iuf" or (given.dtype.kind == "f" and not (given == np.round(given)).all()):
            raise ValueError(  # (round 57: 7.99 became 7)
                f"lengths must be {num_samples} integers in [{MIN_LENGTH}, {max_len}], got {given.dtype} values such as "
                f"{given.ravel()[:3].tolist()}; pass whole numbers"
            )
        lengths = given.astype(np.int64)
        if lengths.shape != (num_samples,) or lengths.min() < MIN_LENGTH or lengths.max() > max_len:
            raise ValueError(
                f"lengths must be {num_samples} integers in [{MIN_LENGTH}, {max_len}], got shape "
                f"{lengths.shape} with range [{lengths.min()}, {lengths.max()}]"
            )
    family_ids = rng.choice(len(names), num_samples, p=_shares(names))

    width = max_len + 1  # the context plus its next value
    values = np.empty((num_samples, width))
    clean = np.empty((num_samples, width))
    for i, name in enumerate(names):
        rows = np.flatnonzero(family_ids == i)
        if rows.size == 0:
            continue
        fam = FAMILIES[name]
        series = _call(name, rows.size, width, rng)
        clean[rows] = series
        if fam.noise is not None:
            level = _log_uniform(rng, *fam.noise, rows.size)
            sigma = level * step_scale(series, np.ones_like(series, dtype=bool))
            series = series + _col(sigma) * rng.normal(0, 1, series.shape)
        values[rows] = series

    # Random affine map: scale and shift each span AFFINE_RANGE (1e-3 .. 1e6), either sign.
    scale = _log_uniform(rng, *AFFINE_RANGE, num_samples) * rng.choice([-1.0, 1.0], num_samples)
    shift = _log_uniform(rng, *AFFINE_RANGE, num_samples) * rng.choice([-1.0, 1.0], num_samples)
    shift *= rng.random(num_samples) < 0.8
    values = _col(scale) * values + _col(shift)
    clean = _col(scale) * clean + _col(shift)

    masks = np.arange(max_len)[None, :] < lengths[:, None]  # (N, T)
    rows = np.arange(num_samples)
    return SequenceBatch(
        data=np.where(masks, values[:, :max_len], 0.0),
        labels=values[rows, lengths],
        masks=masks,
        lengths=lengths.astype(np.int64),
        family_ids=family_ids.astype(np.int64),
        family_names=tuple(names),
        clean_labels=clean[rows, lengths],
    )


def generate_dataset(
    num_samples: int = 100_000,
    *,
    min_len: int = GENERATED_MIN_LEN,
    max_len: int = 64,
    families: Sequence[str] | None = None,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The original API: ``data, labels, masks = generate_dataset(num_samples=100_000)``.

    Returns float64 ``data`` (N, max_len) and ``labels`` (N,) (float64, because scales and shifts span
    1e-3 to 1e6), and bool ``masks`` (N, max_len). Use :func:`generate_batch` for family ids and
    noise-free labels.
    """
    batch = generate_batch(num_samples, min_len=min_len, max_len=max_len, families=families, seed=seed)
    return batch.data, batch.labels, batch.masks
