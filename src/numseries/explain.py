"""Per-step weights on onnxruntime, without torch: the gradient graphs ``numseries export`` writes.

A weight is ``w_i = df/dx_i``, how far the prediction moves per unit move of step ``i``. The model
is affine-equivariant, so the weights sum to 1 and the prediction is exactly their weighted sum of
the inputs: ``f(x) = sum_i w_i * x_i`` (:func:`weighted_sum` writes it out). :mod:`numseries.gradient`
exports one graph per length bucket beside ``model.onnx`` (``model.gradient_16.onnx`` holds T = 16);
a row runs in the smallest bucket that holds it, padded after its last step with ``mask`` False.
A graph gives the model's outputs too (``prediction``, ``attention``, the heads'), from the forward pass
the weights were taken through: a prediction with weights runs one graph.
"""

from __future__ import annotations

import math
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from numseries.formatting import format_input, format_value, last_digit, mean_step
from numseries.rules import fmt
from numseries.weights import DIGEST_KEY  # the metadata that ties a gradient graph to its model.onnx

FRACTION_DENOMINATOR = 1000  # an exact rule's coefficient is written as a fraction up to this denominator
BUCKETS = (8, 12, 16, 24, 32, 48, 64)  # lengths of the gradient graphs, then max_len: a row pads to at most 1.5x
GRADIENT_INPUTS = ("x", "mask")


def bucket_lengths(max_len: int) -> tuple[int, ...]:
    """Lengths of the gradient graphs of a model that reads up to ``max_len`` values."""
    return tuple(length for length in BUCKETS if length < max_len) + (max_len,)


def gradient_path(onnx_path: str | Path, length: int) -> Path:
    """The gradient graph of length ``length`` that belongs beside ``onnx_path``."""
    onnx_path = Path(onnx_path)
    return onnx_path.with_name(f"{onnx_path.stem}.gradient_{length}.onnx")


class Explainer:
    """The gradient graphs of one ONNX model, each loaded on first use (thread-safe).

    ``explainer(x)``: (B, W) float64 values, every row W long -> ``weights`` (B, W) float64 and, from
    graphs exported since they carry them, the model's outputs for those rows (``prediction``,
    ``attention`` (B, W), ...) as ``model.onnx`` names them.
    """

    def __init__(self, onnx_path: Path, max_len: int, digest: str | None) -> None:
        self._paths = {length: gradient_path(onnx_path, length) for length in bucket_lengths(max_len)}
        self._onnx_path, self._digest = onnx_path, digest
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, x: np.ndarray) -> dict[str, np.ndarray]:
        rows, width = x.shape
        length = min(length for length in self._paths if length >= width)
        padded = np.zeros((rows, length))  # (B, length): steps after the last never reach the prediction
        padded[:, :width] = x
        mask = np.broadcast_to(np.arange(length) < width, (rows, length))  # (B, length)
        session = self._session(length)
        outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"x": padded, "mask": mask}), strict=True))
        for name in ("weights", "attention"):  # per step: the padding's columns go
            if name in outputs:
                outputs[name] = outputs[name][:, :width]
        return outputs

    def _session(self, length: int) -> Any:
        with self._lock:
            if length not in self._sessions:
                self._sessions[length] = self._load(self._paths[length], length)
            return self._sessions[length]

    def _load(self, path: Path, length: int) -> Any:
        from numseries.sessions import cpu_session

        folder = self._onnx_path.parent  # (without --weights, export writes the shipped model over it)
        fix = f"export the model again: numseries export --weights {folder} --out {self._onnx_path}"
        if not path.is_file():
            raise ValueError(f"{path} is missing: per-step weights need the gradient graphs; {fix}")
        try:
            session = cpu_session(path)
        except Exception as err:  # onnxruntime raises its own error types for bad files
            raise ValueError(f"cannot load gradient graph {path}: {err}; {fix}") from err
        recorded = session.get_modelmeta().custom_metadata_map.get(DIGEST_KEY)
        if recorded != self._digest:
            raise ValueError(f"{path} was exported with other weights than {self._onnx_path.name}; {fix}")
        width = next((node.shape[1] for node in session.get_inputs() if node.name == "x" and len(node.shape) == 2), None)
        if width != length:  # another bucket's graph under this one's name: onnxruntime would refuse its input
            raise ValueError(f"{path} is the gradient graph of {width} values, not {length}; {fix}")
        return session


def load_explainer(onnx_path: Path, max_len: int, metadata: dict[str, str]) -> Explainer | None:
    """The gradient graphs beside ``onnx_path``, or ``None`` when there are none (an older export)."""
    explainer = Explainer(onnx_path, max_len, metadata.get(DIGEST_KEY))
    return explainer if any(path.is_file() for path in explainer._paths.values()) else None


def fraction_text(weight: float) -> str | None:
    """``weight`` as ``p/q`` where it is the float nearest a fraction of a denominator up to ``FRACTION_DENOMINATOR``
    with a prime factor other than 2 and 5 (2/3, -22/7: no decimal writes them), the least such denominator; else
    None. (The page's fractionText finds the same: two such fractions are over 1e-6 apart, so at most one is
    within a float's rounding of a weight under about 1e9, the nearest, which ``limit_denominator`` gives.)"""
    if not math.isfinite(weight):
        return None
    fraction = Fraction(weight).limit_denominator(FRACTION_DENOMINATOR)
    rest = fraction.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    return f"{fraction.numerator}/{fraction.denominator}" if rest > 1 and float(fraction) == weight else None


def _half_up(x: float) -> int:
    """``x`` >= 0 to the nearest whole number, halves up, exactly, as JavaScript's Math.round (the page's):
    math.floor(x + 0.5) rounded an odd whole number between 2**52 and 2**53 up by one."""
    whole = math.floor(x)
    return whole + (x - whole >= 0.5)


def _in_order(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` added left to right, as the page adds its terms (np.dot rounds in another order: the
    "(float rounding)" term differed by 1 between the CLI and the page, adversarial round 41)."""
    total = 0.0
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        total += x * y
    return total


def weighted_sum(
    values: np.ndarray,
    weights: np.ndarray,
    prediction: float,
    *,
    terms: int = 3,
    labels: list[str] | None = None,
    read: int | None = None,
    exact: str | None = None,
    constant: Any = None,
) -> str:
    """The prediction as its largest weighted terms, e.g. ``"12 = 1.25 × 10 − 0.25 × 2"``.

    Weights are shown to 3 significant digits, or more where that many leave the terms short of adding
    up to the prediction as shown, to half its last digit (values far from 0, or large against their steps). Terms are
    ordered by what they add, |weight × value|: all of them when at most two more than ``terms``, else ``terms``,
    leaving out weights under 0.005; what the left-out steps add, when it exceeds half the last digit the
    prediction is shown to, is written as one last term. ``labels`` (L,) show the values as typed; the
    prediction is shown by :func:`numseries.formatting.format_value`, to the mean step of the last ``read``
    values where the network read only those (the end of a steep decay), else of all. ``exact``: an exact
    rule's value as shown (its weights are the rule's coefficients): every term with a weight is shown, they
    add up to that value, and what they leave of it is the rule's constant; ``constant``: that constant itself
    (an integer rule's int or Fraction), written as it is (past 2**53, what float terms leave of the value is not).
    """
    labels = labels or [format_input(value) for value in values]
    step = None if exact else mean_step(values[-read:] if read else values)  # (a rule's value: in full)
    # the terms are summed over the largest number's power of two: no overflow near 1.8e308, and dividing by it
    # is exact (by the largest itself, the sum of 1.5 × 1e15+4 − 0.5 × 1e15 was 0.1 off 1e15+6: "+ 0.1 (float rounding)")
    biggest = max(float(np.abs(values).max(initial=0.0)), abs(prediction))
    scale = math.ldexp(1.0, min(math.frexp(biggest)[1], 1023)) if biggest else 1.0  # the least power of two above it
    shown = len(weights) if len(weights) <= terms + 2 else terms
    adds = np.abs(weights) * np.abs(values / scale)  # (L,) what each term adds: the largest first (adversarial 42:
    # by |weight|, 2.012 × 203, 65% of the Bell numbers' 631.3, was left among the others for 7.213 × 2)
    ranked = np.lexsort((-np.abs(weights), -adds))  # on a tie (values of 0) the larger weight first: '0 = 1 × 0'
    # of a count that stayed at 0, not '0 = 0' (the first steps' weights of 0 taking the places shown)
    order = [i for i in ranked if weights[i] != 0] if exact else [i for i in ranked[:shown] if abs(weights[i]) >= 0.005]
    # Weights to 3 significant digits, or as many more as it takes for the terms as shown to add up: on values
    # far from 0 (1000003.14, steps of 0.3) each weight's rounding is multiplied by the level.
    unit = last_digit(prediction, step=step)
    scaled, unseen = values[order] / scale, unit / 2  # below the digits the prediction is shown to
    shown_value = prediction if exact else float(format_value(prediction, step=step))  # what a reader adds them up to
    left = np.ones(len(weights), dtype=bool)
    left[order] = False
    others = int(np.count_nonzero(weights[left]))  # steps with a weight: those before the read window have none

    def rounded_to(digits: int) -> np.ndarray:
        return np.array([float(f"{w:.{digits}g}") for w in weights[order]])

    for digits in range(3, 18):
        rounded = rounded_to(digits)
        if abs(_in_order(weights[order] - rounded, scaled)) * scale <= unseen:
            break
    def rest_of(rounded: np.ndarray) -> float:  # what terms as written leave of the prediction as shown (not as
        return (shown_value / scale - _in_order(rounded, scaled)) * scale  # computed: 14.65 = ... made 14.6438)

    if not others and not exact and abs(rest_of(rounded)) > unseen:  # every term shown: up to 4 more digits, where they bring
        for more in range(digits + 1, min(digits + 4, 17) + 1):  # the sum to the prediction as shown (else none)
            if abs(rest_of(candidate := rounded_to(more))) <= unseen:
                digits, rounded = more, candidate
                break
    # an exact rule's coefficient that is a fraction with no decimal, as that fraction (2/3 × 8, 22/7 × 42: their 15
    # digits, 0.666666666666667 × 8, multiply out to another value; adversarial round 65)
    fractions = [fraction_text(float(weights[i])) if exact else None for i in order]
    rounded = np.array([weights[i] if text else w for text, w, i in zip(fractions, rounded.tolist(), order, strict=True)])
    parts = []
    for w, i, fraction in zip(rounded.tolist(), order, fractions, strict=True):
        # an exact rule's whole coefficient in full (a quadratic map's 18446744073709551616, not 1.844674407370955e+19)
        whole = exact and float(weights[i]).is_integer() and abs(weights[i]) >= 1e15
        size = fraction.removeprefix("-") if fraction else int(abs(weights[i])) if whole else f"{abs(w):.{digits}g}"
        parts += ["−" if w < 0 else "+", f"{size} × {labels[i]}"]
    rest = rest_of(rounded)
    if exact and constant is not None:  # the rule's own constant, exactly
        if constant != 0:
            parts += ["−" if constant < 0 else "+", f"{fmt(abs(constant))} (the rule's constant)"]
    elif abs(rest) > unseen:
        what = "the rule's constant" if exact else "the other step" if others == 1 else f"the other {others} steps" if others else "float rounding"
        places = -math.floor(math.log10(unit)) if unit > 0 else 0  # to the prediction's own last digit
        amount = (
            f"{abs(rest):.{places}f}".rstrip("0").rstrip(".") if 0 < places <= 20
            else str(_half_up(abs(rest) / unit) * round(unit)) if unit >= 1 and abs(rest) < 1e16  # to its last digit
            else format_value(abs(rest), step=step)
        )  # fmt: skip
        parts += ["−" if rest < 0 else "+", f"{amount} ({what})"]
    sides = f"{'−' if parts[0] == '−' else ''}{' '.join(parts[1:])}" if parts else "0"
    return f"{exact or format_value(prediction, step=step)} = {sides}"
