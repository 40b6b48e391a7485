"""Predict the next value of a sequence, with the attention over its steps.

``Predictor`` loads a model once and serves single sequences, batches of mixed lengths and
autoregressive forecasts. The shipped model is an ONNX file run by onnxruntime: this path never imports
torch, so an install without the ``train`` extra predicts. A model held in memory (one just trained in a
notebook) runs on torch through the same class. Both run the whole model, normalisation and masking
included; this module only checks the input, crops it to the model's window, groups a batch by length
and rescales each series by a power of two so that values near the float limits cannot overflow::

    from numseries import Predictor

    predictor = Predictor.from_pretrained()  # the shipped model
    result = predictor.predict([2, 4, 6, 8, 10])
    result.value, result.weights  # 12.0, (5,) per-step weights: for a rule, its own coefficients
    result.exact, result.pattern  # True, 'arithmetic, step 2'

Before the network, :mod:`numseries.rules` looks for an exact rule (Fibonacci, squares, factorials,
periods, ...) in the values the model reads; when one fits, the prediction is the rule's next value,
exactly, ``exact`` is True, ``pattern`` names the rule and its interval has zero width. ``rules=False``
switches it off.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import logging
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import numpy as np

from numseries.config import MAX_STEPS, MIN_VALUES
from numseries.explain import load_explainer
from numseries.formatting import levels_text, short_array
from numseries.intervals import (
    CALIBRATION_FILE,
    Calibration,
    check_levels,
    curve_noise,
    default_levels,
    floored_at_zero,
    intervals,
    never_below_zero,
    recorded_decimals,
    recorded_intervals,
    round_to_recording,
    t_quantiles,
    widen_lines,
    widened_by_noise,
)
from numseries.patterns import Classifier, load_classifier
from numseries.rules import RATIO_ORIGIN, Rule, find_rule, find_rules, float_arithmetics, fmt
from numseries.series import (
    ID_COLUMN,
    LARGEST_FLOAT,
    above_float,
    check_exact_integers,
    check_narrowed,
    clipped,
    id_named,
    index_named,
    integer_text,
    keep_last,
    mirrored_back,
    narrow_float,
    padded_rows,
    past_float,
    quantity_names,
    read_lengths,
    shift_right,
    timed_labels,
    unit_scaled,
    widened,
)
from numseries.weights import (
    ONNX_FILE,
    WEIGHTS_FILE,
    WeightsLocation,
    load_model,
    locate,
    onnx_architecture,
    safetensors_shapes,
)

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "onnxruntime", "torch")
_OUTPUTS = (  # the output names of an exported numseries model, by the heads it has
    ["prediction", "attention"],
    ["prediction", "attention", "quantiles"],
    ["prediction", "attention", "pattern"],
    ["prediction", "attention", "quantiles", "pattern"],
)
_ROWS_IN_FLIGHT = 4096  # most series in model calls at once, over all workers: bounds a batch's memory
_MIN_GROUP_ROWS = 256  # fewest series per model call when workers share _ROWS_IN_FLIGHT
# Most values (series x length) in one model call: past about 16,000, onnxruntime's LSTM runs 1.5-2.5x slower
# per series (its per-step buffers leave the cache and are mapped afresh; benchmarks/results/experiments.md)
_GROUP_VALUES = 8192
_OVERLAP_ROWS = 512  # from this many series, predict_batch finds rules while the model runs
_BLOCK_SERIES = 8192  # predict_batch predicts more series than this in blocks of this many

# x (B, T) float64, mask (B, T) bool -> {"prediction": (B,) float64, "attention": (B, T) float32, and for
# models with heads "quantiles": (B, Q) float64, "pattern": (B, K) float32 probabilities}
Runner = Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]]
# The same with the names of the outputs wanted, computing only those (and what they need)
SelectingRunner = Callable[[np.ndarray, np.ndarray, Sequence[str]], dict[str, np.ndarray]]
Explainer = Callable[[np.ndarray], dict[str, np.ndarray]]  # x (B, T) float64, no padding -> weights (B, T) and outputs


@dataclasses.dataclass(frozen=True, eq=False)  # arrays inside: == is identity (numpy's == is no bool)
class Prediction:
    """The next value of one sequence.

    ``attention`` has one weight per input value, summing to 1; values before the model's window
    (``cropped``) get 0. ``weights`` are the exact per-step weights ``d value / d x_i``: they sum to 1
    and ``value == sum(weights * x)`` (see :mod:`numseries.explain`; where the network read the values'
    logarithms, ``logs``, they still give the value so but need not sum to 1; where it read a saturating curve's
    step sizes, ``settles``, they sum to 1 too); 0 before the window, ``None``
    when not asked for or when the model has no gradient graphs. When an exact rule fits the values
    the model read, ``value`` is its next value, ``exact`` is True, ``pattern`` describes the rule
    (confidence 1, quantiles all equal to ``value``), ``weights`` are the rule's coefficients on the
    inputs, and ``rule`` holds it: its exact next value, its coefficients, its continuation.
    """

    value: float
    attention: np.ndarray  # (n_values,) float32
    n_used: int  # the model's window: the last min(n_values, max_len) values (the network may read fewer of
    # them at the end of a steep decay or growth, numseries.series.read_lengths: 0 attention and weight before those)
    weights: np.ndarray | None = None  # (n_values,) float64
    quantiles: np.ndarray | None = None  # (Q,) at quantile_levels, calibrated, rounded to the series' decimals; None: no head
    quantile_levels: tuple[float, ...] = ()
    levels: tuple[float, ...] = ()  # interval levels asked for, in percent
    pattern: str = ""  # what the sequence looks like (with its period where it repeats); "" without a pattern head
    pattern_confidence: float = 0.0  # the probability of what ``pattern`` names
    exact: bool = False  # value is an exact rule's continuation, not the network's estimate
    rule: Rule | None = None  # that rule (numseries.rules.Rule); None when none fits
    n_read: int | None = None  # values the network read, when fewer than n_used (a steep decay's or growth's end)
    decimals: int = -1  # the decimals the values are recorded to, which intervals are rounded to; -1: none
    logs: bool = False  # the network read the values' logarithms: from the values it predicted below 0 (read_logs)
    settles: bool = False  # the step read from a saturating curve's step sizes: the network's overshot (read_steps)
    cycle: int = 0  # the value this many steps back, moved by its cycle's drift: it backtested better (read_cycles)

    @property
    def n_values(self) -> int:
        return len(self.attention)

    @property
    def cropped(self) -> bool:
        return self.n_used < self.n_values

    def interval(self, level: float) -> tuple[float, float]:
        """The central interval holding the next value with probability ``level`` percent: (lo, hi)."""
        lo, hi = _interval(self.quantiles, self.quantile_levels, level, np.array([self.decimals]))
        return float(lo[0]), float(hi[0])

    @property
    def intervals(self) -> dict[float, tuple[float, float]]:
        """``{level: (lo, hi)}`` for the levels asked for."""
        return {level: self.interval(level) for level in self.levels}

    def __repr__(self) -> str:  # one line: the dataclass's dumped every array (17 quantiles, ...)
        parts = [f"value={self.value!r}"]
        if self.levels and self.quantiles is not None:
            parts.append(f"intervals={levels_text(self.intervals)}")
        if self.pattern:
            parts.append(f"pattern={self.pattern!r}")
        parts += [f"exact={self.exact}", f"n_values={self.n_values}", f"n_used={self.n_used}"]
        if self.weights is not None:
            parts.append(f"weights={short_array(self.weights)}")
        parts.append(f"attention={short_array(self.attention)}")
        return f"Prediction({', '.join(parts)})"


@dataclasses.dataclass(frozen=True, eq=False)  # arrays inside: == is identity (numpy's == is no bool)
class BatchPrediction:
    """Next values of N sequences.

    Row ``i`` of ``attention`` holds the weights of the last ``n_used[i]`` values of sequence ``i`` in its
    first ``n_used[i]`` columns (0 beyond), so the array is at most ``max_len`` wide.
    """

    values: np.ndarray  # (N,) float64
    attention: np.ndarray  # (N, W) float32, W = max(n_used)
    n_values: np.ndarray  # (N,) int64 values given
    n_used: np.ndarray  # (N,) int64 the model's window, as Prediction.n_used
    weights: np.ndarray | None = None  # (N, W) float64 per-step weights laid out as attention, on request
    quantiles: np.ndarray | None = None  # (N, Q) at quantile_levels, calibrated, rounded to each series' decimals
    quantile_levels: tuple[float, ...] = ()
    levels: tuple[float, ...] = ()  # interval levels asked for, in percent
    patterns: list[str] = dataclasses.field(default_factory=list)  # (N,) as Prediction.pattern
    pattern_confidence: np.ndarray | None = None  # (N,) float64
    pattern_probabilities: np.ndarray | None = None  # (N, K) float32 over the model's pattern_names
    exact: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=bool))  # (N,) as Prediction.exact
    rules: dict[int, Rule] = dataclasses.field(default_factory=dict)  # row -> the exact rule found for it
    decimals: np.ndarray | None = None  # (N,) int as Prediction.decimals; None: none recorded
    n_read: np.ndarray | None = None  # (N,) int values the network read (Prediction.n_read; here n_used where all)
    logs: np.ndarray | None = None  # (N,) bool as Prediction.logs
    settles: np.ndarray | None = None  # (N,) bool as Prediction.settles
    cycles: np.ndarray | None = None  # (N,) int as Prediction.cycle

    def __post_init__(self) -> None:
        if len(self.exact) != len(self.values):  # built without rules: none found
            object.__setattr__(self, "exact", np.zeros(len(self.values), dtype=bool))

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The central intervals at ``level`` percent: (lo (N,), hi (N,))."""
        return _interval(self.quantiles, self.quantile_levels, level, self.decimals)

    def joined(
        self,
        parts: list[tuple[np.ndarray, BatchPrediction]],
        n_values: np.ndarray,
        predictor: Predictor,
        levels: tuple[float, ...],
        weights: bool,
    ) -> BatchPrediction:
        """Predictions of some rows ``(rows, part)`` -> one for all ``len(n_values)`` rows: NaN, no attention and
        n_used 0 elsewhere (a file's rows in error; none where the parts cover every row, as predict_batch's blocks
        do). This prediction gives the result's type and its other fields."""
        n = len(n_values)
        width = max((part.attention.shape[1] for _, part in parts), default=0)
        values = np.full(n, np.nan)
        attention = np.zeros((n, width), dtype=np.float32)  # (N, W)
        n_used = np.zeros(n, dtype=np.int64)
        per_step = np.zeros((n, width)) if weights else None
        quantiles = np.full((n, len(predictor.quantile_levels)), np.nan) if predictor.quantile_levels else None
        patterns = [""] * n if predictor.pattern_names or predictor.rules else []  # the same columns for every chunk
        confidence = np.zeros(n) if predictor.pattern_names else None
        probabilities = np.zeros((n, len(predictor.pattern_names)), dtype=np.float32) if predictor.pattern_names else None
        exact = np.zeros(n, dtype=bool)
        recorded = any(part.decimals is not None for _, part in parts)  # (a model without a quantile head: none)
        decimals = np.full(n, -1, dtype=np.int64) if recorded else None  # rows not predicted: no recording
        n_read = np.zeros(n, dtype=np.int64)
        logs = np.zeros(n, dtype=bool)
        settles = np.zeros(n, dtype=bool)
        cycles = np.zeros(n, dtype=np.int64)
        rules = {}  # row of the result -> its rule (each part's rules are numbered by its own rows)
        for rows, part in parts:
            columns = part.attention.shape[1]
            if decimals is not None and part.decimals is not None:
                decimals[rows] = part.decimals
            n_read[rows] = part.n_used if part.n_read is None else part.n_read
            if part.logs is not None:
                logs[rows] = part.logs
            if part.settles is not None:
                settles[rows] = part.settles
            if part.cycles is not None:
                cycles[rows] = part.cycles
            rules.update({int(rows[i]): rule for i, rule in part.rules.items()})
            values[rows], n_used[rows], exact[rows] = part.values, part.n_used, part.exact
            attention[rows, :columns] = part.attention
            if per_step is not None and part.weights is not None:
                per_step[rows, :columns] = part.weights
            if quantiles is not None and part.quantiles is not None:
                quantiles[rows] = part.quantiles
            for row, pattern in zip(rows.tolist(), part.patterns, strict=False):
                patterns[row] = pattern
            if confidence is not None and part.pattern_confidence is not None:
                confidence[rows] = part.pattern_confidence
            if probabilities is not None and part.pattern_probabilities is not None:
                probabilities[rows] = part.pattern_probabilities
        return dataclasses.replace(
            self, values=values, attention=attention, n_values=n_values, n_used=n_used, weights=per_step,
            quantiles=quantiles, quantile_levels=predictor.quantile_levels, levels=levels, patterns=patterns,
            pattern_confidence=confidence, pattern_probabilities=probabilities, exact=exact, rules=rules,
            decimals=decimals, n_read=n_read, logs=logs, settles=settles, cycles=cycles,
        )  # fmt: skip

    def __repr__(self) -> str:  # one line, as Prediction's
        parts = [f"n={len(self.values)}", f"values={short_array(self.values)}"]
        if self.levels and self.quantiles is not None:
            parts.append(f"intervals={levels_text({level: self.interval(level) for level in self.levels})}")
        if self.patterns:
            shown = self.patterns[:2] + (["..."] if len(self.patterns) > 2 else [])
            parts.append(f"patterns={shown!r}".replace("'...'", "..."))
        parts += [f"exact={int(self.exact.sum())} of {len(self.exact)}", f"n_used={short_array(self.n_used)}"]
        return f"BatchPrediction({', '.join(parts)})"

    def row(self, i: int) -> Prediction:
        """Series ``i`` as :meth:`Predictor.predict` gives it."""
        n_values, n_used = int(self.n_values[i]), int(self.n_used[i])
        attention = np.zeros(n_values, dtype=self.attention.dtype)  # (n_values,): 0 before the window
        attention[n_values - n_used :] = self.attention[i, :n_used]
        weights = None
        if self.weights is not None:
            weights = np.zeros(n_values)
            weights[n_values - n_used :] = self.weights[i, :n_used]
        return Prediction(
            float(self.values[i]),
            attention,
            n_used,
            weights,
            quantiles=None if self.quantiles is None else self.quantiles[i].copy(),  # (not a view of the batch's)
            quantile_levels=self.quantile_levels,
            levels=self.levels,
            pattern=self.patterns[i] if self.patterns else "",
            pattern_confidence=float(self.pattern_confidence[i]) if self.pattern_confidence is not None else 0.0,
            exact=bool(self.exact[i]),
            rule=self.rules.get(i),
            n_read=int(self.n_read[i]) if self.n_read is not None and self.n_read[i] < n_used else None,
            decimals=int(self.decimals[i]) if self.decimals is not None else -1,
            logs=self.logs is not None and bool(self.logs[i]),
            settles=self.settles is not None and bool(self.settles[i]),
            cycle=int(self.cycles[i]) if self.cycles is not None else 0,
        )


class Predictor:
    """A loaded model that predicts next values. Build it with :meth:`from_pretrained` or :meth:`from_model`."""

    def __init__(
        self,
        run: Runner,
        max_len: int,
        runtime: str,
        source: str,
        workers: int = 1,
        *,
        quantile_levels: Sequence[float] = (),
        pattern_names: Sequence[str] = (),
        calibration: Calibration | None = None,
        rules: bool = True,
        explain: Explainer | None = None,
        select: SelectingRunner | None = None,
    ) -> None:
        self._run = run
        self._select = select  # run, fetching only the outputs wanted; None: run gives them all
        self._explain = explain  # per-step weights; None: this model has none (an ONNX export without them)
        self.max_len = max_len  # longest window the model reads; longer input keeps its last values
        self.runtime = runtime  # "onnxruntime" or "torch"
        self.source = source
        self.workers = workers  # groups of a batch run at once (onnxruntime: one thread each)
        self.quantile_levels = tuple(quantile_levels)  # () when the model has no quantile head
        self.head_pattern_names = tuple(pattern_names)  # () when the model has no pattern head
        self.classifier: Classifier | None = None  # the family classifier beside the weights, when there is one
        self.rules = rules  # continue sequences that follow an exact rule exactly (numseries.rules)
        # What from_pretrained was given (path, runtime, calibrated): the workers of a Spark or Dask frame load
        # the same files (numseries.distributed); None for a model held in memory
        self.origin: tuple[str | None, str, bool] | None = None
        if calibration is not None and calibration.grid != self.quantile_levels:
            raise ValueError(
                f"the calibration is for quantile levels {list(calibration.grid)}, the model predicts "
                f"{list(self.quantile_levels)}; re-run `numseries calibrate` for these weights"
            )
        self.calibration = calibration

    @property
    def pattern_names(self) -> tuple[str, ...]:
        """The families ``pattern_probabilities`` are over: the family classifier's, else the pattern head's."""
        return self.classifier.names if self.classifier is not None else self.head_pattern_names

    def __repr__(self) -> str:
        return f"Predictor(source={self.source!r}, runtime={self.runtime!r}, max_len={self.max_len})"

    def __reduce__(self) -> tuple[Any, tuple]:
        """Pickled (multiprocessing, joblib, copy.deepcopy) as what loaded it: the files are loaded again where
        it is unpickled. Its runtime session cannot be pickled, so a model held in memory cannot be."""
        if self.origin is None:
            raise TypeError(
                f"{self!r} holds a model in memory, which cannot be pickled; save it with "
                "numseries.weights.save_pretrained(model, folder) and load Predictor.from_pretrained(folder), "
                "which can"
            )
        return _reloaded, (*self.origin, self.rules, self.workers)

    @classmethod
    def from_pretrained(
        cls, path: str | Path | None = None, *, runtime: str = "auto", rules: bool = True, calibrated: bool = True
    ) -> Predictor:
        """Load a model: ``None`` is the shipped one; else a weights folder, ``.onnx``, ``.pt`` or ``.safetensors``.

        ``runtime="auto"`` runs ONNX files, and folders that hold a ``model.onnx``, on onnxruntime, and
        everything else on torch (which needs the ``train`` extra). A folder's ``model.onnx`` that is not
        an export of its ``model.safetensors`` (the weights were trained again since) is never run: the
        folder runs on torch with a logged note, or, without torch or with ``runtime="onnxruntime"``, a
        ``ValueError`` says to export it again. ``rules=False``: the network only, no exact rules.
        ``calibrated=False``: the quantile head's raw intervals, without the folder's ``calibration.json``.
        """
        rules, calibrated = check_flag(rules, "rules"), check_flag(calibrated, "calibrated")
        predictor = cls._load(path, runtime, calibrated)
        predictor.rules = rules
        predictor.origin = (None if path is None else str(Path(path).resolve()), runtime, calibrated)
        return predictor

    @classmethod
    def _load(cls, path: str | Path | None, runtime: str, calibrated: bool) -> Predictor:
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        location = locate(path, as_onnx=runtime == "onnxruntime")
        named = location.onnx == location.path  # an ONNX file asked for by name
        if runtime == "torch" and named:
            raise ValueError(f"{location.path} is an ONNX file, which runs on onnxruntime only; use runtime='auto'")
        beside = location.folder / WEIGHTS_FILE if named and location.folder is not None else None
        if beside is not None and beside.is_file():  # its folder's calibration and patterns are those weights'
            location = dataclasses.replace(location, weights=beside)
        if runtime == "onnxruntime" or (runtime == "auto" and location.onnx is not None):
            if location.onnx is None:
                raise ValueError(
                    f"{location.path / ONNX_FILE if location.path.is_dir() else location.path} is not an ONNX "
                    "model file; create one with "
                    "`numseries export --format onnx --weights WEIGHTS_FOLDER --out FILE.onnx`"
                )
            predictor, stale = _from_onnx(location, calibrated)
            if stale is None:
                predictor.classifier = load_classifier(location.folder)
                return predictor
            fix = f"re-export it: numseries export --weights {location.folder} --out {location.onnx}"
            if named:  # run as asked, it would use the intervals and patterns of the weights beside it
                assert location.weights is not None  # (named: set above)
                try:
                    safetensors_shapes(location.weights)  # one unreadable is that, not other weights
                except ValueError as err:
                    raise ValueError(f"{err}, or move {location.onnx} to a folder of its own") from None
                raise ValueError(
                    f"{location.onnx} {stale} beside it, so it is stale (and the calibration and patterns beside it "
                    f"are not its own); {fix}, or move it to a folder of its own"
                )
            if runtime == "onnxruntime" or importlib.util.find_spec("torch") is None:
                raise ValueError(f"{location.onnx} {stale}, so it is stale; {fix}")
            log.warning("note: %s %s, so it is stale; running %s on torch instead (%s)",
                        location.onnx, stale, location.weights, fix)
        if importlib.util.find_spec("torch") is None:
            raise ValueError(f"loading {location.path} needs torch; install numseries[train] or use an .onnx model")
        model = load_model(location.path)
        calibration = _calibration(location) if model.config.quantile_levels and calibrated else None
        predictor = cls.from_model(model, source=str(location.path), calibration=calibration)
        predictor.classifier = load_classifier(location.folder)
        return predictor

    @classmethod
    def from_model(
        cls,
        model: Any,
        *,
        source: str = "in-memory model",
        calibration: Calibration | None = None,
        rules: bool = True,
    ) -> Predictor:
        """Serve a torch :class:`~numseries.model.LSTMWithAttention` held in memory (it is put in eval mode)."""
        import torch

        from numseries.model import LSTMWithAttention

        if not isinstance(model, LSTMWithAttention):
            raise TypeError(
                f"from_model takes a numseries LSTMWithAttention (one just trained, or load_model(path)), got "
                f"{type(model).__name__}; for weights on disk use Predictor.from_pretrained(path)"
            )
        rules = check_flag(rules, "rules")
        model.eval()

        def run(x: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
            with torch.inference_mode():
                outputs = model.outputs(torch.from_numpy(x), torch.from_numpy(mask))
            return {name: value.numpy() for name, value in outputs.items()}

        def explain(x: np.ndarray) -> dict[str, np.ndarray]:
            from numseries.gradient import torch_outputs

            tensor = torch.from_numpy(x)
            outputs = torch_outputs(model, tensor, torch.ones_like(tensor, dtype=torch.bool))
            return {name: value.numpy() for name, value in outputs.items()}

        config = model.config
        return cls(
            run,
            config.max_len,
            "torch",
            source,
            quantile_levels=config.quantile_levels,
            pattern_names=config.pattern_names,
            calibration=calibration,
            rules=rules,
            explain=explain,
        )

    def predict(
        self,
        sequence: Sequence[float] | np.ndarray,
        *,
        level: Sequence[float] | float | None = None,
        weights: bool = True,
    ) -> Prediction:
        """Predict the value that follows ``sequence`` (at least ``MIN_VALUES`` finite numbers).

        ``level`` (percent, e.g. ``[80, 95]``) names the intervals to report; any level within the
        model's quantiles can be read with ``Prediction.interval`` either way. ``weights``: also compute
        the per-step weights (when the model has them; about 1 ms more at 64 values).
        """
        weights = check_flag(weights, "weights")
        levels = self._check_levels(level)
        values = _as_values(sequence)
        n = len(values)
        window, columns = keep_last(values[None], np.array([n]), self.max_len)  # (1, used)
        used = window.shape[1]
        rule = find_rule(window[0]) if self.rules else None
        # a rule's weights are its coefficients and its pattern its own: the network gives its attention alone
        # (the gradient graph and the family classifier were a ruled sequence's cold start's slowest steps)
        outputs = self._predict_padded(
            window, np.array([used]), THE_SEQUENCE, weights and rule is None and self._explain is not None,
            classify=rule is None, exact_ok=True, logs=True,  # (a read in logarithms gives its own attention)
        )
        attention = np.zeros(n, dtype=np.float32)
        attention[columns[0]] = outputs["attention"][0]
        per_step = None
        if "weights" in outputs:
            per_step = np.zeros(n)
            per_step[columns[0]] = outputs["weights"][0]
        decimals = recorded_decimals(window, np.array([used])) if "quantiles" in outputs else None  # (1,)
        if rule is not None:  # the rule's next value, exactly, with an interval of zero width
            value, held = _rule_value(rule, 0, THE_SEQUENCE)
            if weights:  # the rule's own coefficients: value == sum(weights * x) + rule.intercept
                per_step = np.zeros(n)
                per_step[columns[0]] = rule.weights
            return Prediction(
                value,
                attention,
                used,
                per_step,
                quantiles=_rule_quantiles(rule.next_value, value, self.quantile_levels) if "quantiles" in outputs else None,
                quantile_levels=self.quantile_levels,
                levels=levels,
                pattern=_described(rule, n, used),
                pattern_confidence=1.0,
                exact=held,
                rule=rule,
                decimals=int(decimals[0]) if decimals is not None else -1,
            )
        _check_finite(outputs["prediction"], THE_SEQUENCE)  # the network's prediction, with no rule to replace it
        quantiles = self._quantiles(outputs, window[:, used - 2 : used], decimals, (window, np.array([used])))
        patterns, confidence = self._patterns(outputs, window, np.array([used]))
        read = int(outputs["read"][0])
        return Prediction(
            float(outputs["prediction"][0]),
            attention,
            used,
            per_step,
            quantiles=None if quantiles is None else quantiles[0],
            quantile_levels=self.quantile_levels,
            levels=levels,
            pattern=patterns[0] if patterns else "",
            pattern_confidence=float(confidence[0]) if confidence is not None else 0.0,
            n_read=read if read < used else None,
            decimals=int(decimals[0]) if decimals is not None else -1,
            logs=bool(outputs["logs"][0]),
            settles=bool(outputs["settles"][0]),
            cycle=int(outputs["cycle"][0]),
        )

    def predict_batch(
        self,
        sequences: Sequence[Sequence[float]] | np.ndarray,
        ids: Sequence[Any] | None = None,
        *,
        level: Sequence[float] | float | None = None,
        weights: bool = False,
    ) -> BatchPrediction:
        """Predict the next value of many sequences of any lengths.

        ``sequences`` is a list of sequences, or a 2-D float array with one sequence per row, shorter
        rows padded with trailing NaN. ``ids`` name the sequences in error messages. Series are
        grouped by length, so nothing is padded when the model runs. Anything else is a ``TypeError``.
        ``level`` as in :meth:`predict`. ``weights``: also compute the per-step weights
        (``BatchPrediction.weights``).
        """
        weights = check_flag(weights, "weights")
        levels = self._check_levels(level)
        if weights and self._explain is None:
            raise ValueError(
                f"{self.source} has no per-step weights (an export without gradient graphs); "
                "export it again with `numseries export`"
            )
        ids = _checked_ids(ids)
        values, n_values = self._batch_rows(sequences, ids)
        if len(n_values) <= _BLOCK_SERIES:
            return self._predict_rows(values, n_values, ids, levels, weights)
        # In blocks: their temporaries stay small and are reused (50,000 series at once ran 25% slower than in
        # blocks of 10,000, and took over twice the memory); rows are named by their place in the whole batch
        parts = []
        for start in range(0, len(n_values), _BLOCK_SERIES):
            stop = min(start + _BLOCK_SERIES, len(n_values))
            named = range(start, stop) if ids is None else ids[start:stop]
            parts.append((np.arange(start, stop), self._predict_rows(values[start:stop], n_values[start:stop], named, levels, weights)))
        joined = parts[0][1].joined(parts, n_values, self, levels, weights)
        # no patterns where no block has any (no pattern head, no rule found), as in one piece (joined keeps a
        # file's columns the same in every chunk instead)
        return joined if any(part.patterns for _, part in parts) else dataclasses.replace(joined, patterns=[])

    def _predict_rows(
        self,
        values: np.ndarray,
        n_values: np.ndarray,
        ids: Sequence[Any] | None,
        levels: tuple[float, ...],
        weights: bool,
    ) -> BatchPrediction:
        """:meth:`predict_batch` of checked (N, W) rows with (N,) counts of values, in one piece."""
        n_used = np.minimum(n_values, self.max_len)
        if self.rules and len(n_used) >= _OVERLAP_ROWS:  # look for rules (Python) while the model runs
            finding = _threads("rules", 1).submit(find_rules, values, n_used)  # (onnxruntime releases the GIL)
            outputs = self._predict_padded(values, n_used, ids, weights, classify=True, exact_ok=True, logs=True)
            rules = finding.result()
        else:
            outputs = self._predict_padded(values, n_used, ids, weights, classify=True, exact_ok=True, logs=True)
            rules = find_rules(values, n_used) if self.rules else {}
        patterns, confidence = self._patterns(outputs, values, n_used)
        decimals = recorded_decimals(values, n_used) if "quantiles" in outputs else None  # (N,)
        ends = np.take_along_axis(values, n_used[:, None] - np.array([2, 1]), axis=1)  # (N, 2)
        quantiles = self._quantiles(outputs, ends, decimals, (values, n_used))
        exact = np.zeros(len(n_used), dtype=bool)
        per_step = outputs.get("weights")
        if rules:  # exact rules override the network: their next value, zero-width intervals
            patterns = patterns or [""] * len(n_used)
            for i, rule in rules.items():
                (outputs["prediction"][i], exact[i]) = _rule_value(rule, i, ids)
                patterns[i] = _described(rule, int(n_values[i]), int(n_used[i]))
                if per_step is not None:  # the rule's own coefficients on the values it read
                    per_step[i] = 0.0
                    per_step[i, : n_used[i]] = rule.weights
                if quantiles is not None:
                    quantiles[i] = _rule_quantiles(rule.next_value, outputs["prediction"][i], self.quantile_levels)
                if confidence is not None:
                    confidence[i] = 1.0
                outputs["read"][i] = n_used[i]  # a rule reads every value of the window, as predict's does
                outputs["logs"][i] = outputs["settles"][i] = False
                outputs["cycle"][i] = 0
        _check_finite(outputs["prediction"], ids)  # the network's, where no rule replaced it
        return BatchPrediction(
            outputs["prediction"],
            outputs["attention"],
            n_values,
            n_used,
            per_step,
            quantiles=quantiles,
            quantile_levels=self.quantile_levels,
            levels=levels,
            patterns=patterns,
            pattern_confidence=confidence,
            pattern_probabilities=outputs.get("family", outputs.get("pattern")),
            exact=exact,
            rules=rules,
            decimals=decimals,
            n_read=outputs["read"],
            logs=outputs["logs"],
            settles=outputs["settles"],
            cycles=outputs["cycle"],
        )

    def _batch_rows(self, sequences: Any, ids: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
        """Many sequences, as predict_batch and forecast_batch take them (a list of sequences, or a 2-D array
        padded with trailing NaN), checked -> (N, W) each one's last ``max_len`` values from column 0, and
        (N,) how many values each has."""
        sequences = _container(sequences, "sequences", "a list of sequences or a 2-D array")
        if not isinstance(sequences, Sequence) and np.ndim(sequences) == 1 and np.asarray(sequences).dtype == object:
            sequences = list(sequences)  # a pandas Series of lists, an array of arrays: one sequence each
        if ids is not None and len(ids) != len(sequences):
            raise ValueError(f"got {len(ids)} ids for {len(sequences)} sequences; give one id per sequence")
        if not isinstance(sequences, Sequence):  # an array
            values, n_values = _check_padded(_real_array(sequences, "sequences"), ids)
        else:
            rows = [  # plain float arrays that fit the window are checked below, all at once
                seq if _plain(seq, self.max_len) else _as_values(seq, _name(i, ids)) for i, seq in enumerate(sequences)
            ]
            n_values = np.array([len(row) for row in rows], dtype=np.int64)
            values, _ = padded_rows([row[-self.max_len :] for row in rows])  # each row's last values: no (N, longest)
            inside = np.arange(values.shape[1])[None, :] < n_values[:, None]  # (N, W)
            bad = np.flatnonzero(~(np.isfinite(values) | ~inside).all(axis=1))
            if bad.size:  # the first series with a value that is not finite: _as_values names it
                _as_values(sequences[int(bad[0])], _name(int(bad[0]), ids))
        values, _ = keep_last(values, n_values, self.max_len)
        return values, n_values

    @property
    def has_weights(self) -> bool:
        """Whether this model gives per-step weights (torch, or an ONNX export with its gradient graphs)."""
        return self._explain is not None

    def predict_df(
        self,
        df: Any,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        steps: int = 1,
        level: Sequence[float] | float | None = None,
        *,
        strict: bool = False,
        freq: Any = None,
    ) -> Any:
        """Predict each series of a long-format pandas (or polars) frame -> a frame of the same kind with one
        row per series and step: ``unique_id``, ``ds`` (the next times, from each series' spacing, or each
        ``freq`` after the one before: a pandas frequency such as ``"D"``, ``"B"``, ``"MS"``, ``"h"`` for
        dates, an integer step for integer times, as statsforecast's ``freq``), ``numseries``,
        ``numseries-lo-80``, ``numseries-hi-80``, ... as statsforecast names them, and ``error``. ``level``
        None gives the default levels, ``[]`` none. Rows may come in any order.
        A series that cannot be predicted gets NaN and its ``error`` says why (``strict=True`` raises it).
        Needs pandas (the ``io`` extra); the same code predicts batch files (:mod:`numseries.frames`).
        A Spark or Dask DataFrame gives one of the same engine, its partitions of series predicted on its
        workers (:mod:`numseries.distributed`; needs fugue: the ``spark`` or ``dask`` extra).
        """
        check_steps(steps)
        strict = check_flag(strict, "strict")
        try:
            from numseries.distributed import is_distributed, predict_distributed
            from numseries.frames import predict_frame
        except ImportError as err:
            raise ImportError(f"predict_df needs pandas ({err}); pip install 'numseries[io]'") from err
        if is_distributed(df):
            if strict:
                raise ValueError(
                    "strict=True is for a pandas or polars frame: a Spark or Dask frame is predicted when it "
                    "is computed; drop strict and keep the rows whose error column is empty"
                )
            return predict_distributed(
                self,
                df,
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
                steps=steps,
                level=level,
                load=load_predictor,
                freq=freq,
            )
        return predict_frame(
            self, df, id_col=id_col, time_col=time_col, target_col=target_col, steps=steps, level=level, strict=strict,
            freq=freq,
        )  # fmt: skip

    def levels_or_default(self, level: Sequence[float] | None) -> list[float] | None:
        """The interval levels to show: those asked for (``[]``: none), else 80% (or the widest the model's
        quantiles give, when narrower; none for a model without intervals)."""
        if level is not None:
            return list(level)
        return list(default_levels(self.quantile_levels)) or None

    def _check_levels(self, level: Sequence[float] | float | None) -> tuple[float, ...]:
        if level is None:
            return ()
        if not self.quantile_levels:
            if isinstance(level, (list, tuple)) and not level:  # none asked for
                return ()
            raise ValueError(f"the model {self.source} has no quantile head, so no intervals; drop level= (--level on the command line)")
        return check_levels(level, self.quantile_levels)

    def _quantiles(
        self,
        outputs: dict[str, np.ndarray],
        ends: np.ndarray,
        decimals: np.ndarray | None = None,
        windows: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray | None:
        """(N, Q) calibrated quantiles (by the length of what the network read), or None without a quantile head;
        a straight line's, of zero width, and any read from 3 values, widened by steps of its line (``ends``
        (N, 2): each context's last two values; :func:`~numseries.intervals.widen_lines`). With the (N,) ``decimals`` the series are recorded
        to (:func:`~numseries.intervals.recorded_decimals`), rounded to them
        (:func:`~numseries.intervals.round_to_recording`): the quantiles of the recorded value; and with the
        ``windows`` themselves ((N, W) prefix-padded values, (N,) lengths), a count's stop at 0
        (:func:`~numseries.intervals.floored_at_zero`)."""
        if "quantiles" not in outputs:
            return None
        # A quantile beyond the float range (an interval around a value near it) is the largest float there:
        # no value can lie beyond it, and the point prediction may still be finite.
        quantiles = np.clip(outputs["quantiles"], -LARGEST_FLOAT, LARGEST_FLOAT)
        if self.calibration is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # widened past the float range: clipped again
                calibrated = self.calibration.apply(quantiles, outputs["read"], self._named(outputs))
            quantiles = np.where(np.isnan(calibrated), quantiles, calibrated)
        lined = widen_lines(quantiles, self.quantile_levels, ends[:, 1], outputs.get("read"), ends[:, 0])
        if "cycle" in outputs:  # a cycle's band is its misses' (none where it repeated exactly), not a line's steps
            lined[outputs["cycle"] > 0] = quantiles[outputs["cycle"] > 0]  # (a staircase got -47 to 82 about 17.5)
        quantiles = lined
        quantiles = np.clip(quantiles, -LARGEST_FLOAT, LARGEST_FLOAT)
        if "logs" in outputs:  # read in logarithms: a ratio, never below 0, its quantiles neither once calibrated
            rows = outputs["logs"]
            turned = ends[rows, 1] < 0  # (a series below 0, read as its mirror image: never above 0)
            quantiles[rows] = np.where(turned[:, None], np.minimum(quantiles[rows], 0.0), np.maximum(quantiles[rows], 0.0))
        if "line_quantiles" in outputs:  # a rise by ratios: reaching as far as the line of its logarithms' (_rise_line)
            rows = np.flatnonzero(~np.isnan(outputs["line_quantiles"][:, 0]))
            line, levels = outputs["line_quantiles"][rows], np.asarray(self.quantile_levels)  # (R, Q), (Q,)
            # only where the line's reaches further (the median stays; the rest keep their every bit)
            further = ((levels < 0.5) & (line < quantiles[rows])) | ((levels > 0.5) & (line > quantiles[rows]))  # (R, Q)
            quantiles[rows] = np.clip(np.where(further, line, quantiles[rows]), -LARGEST_FLOAT, LARGEST_FLOAT)
        if "spread" in outputs:  # a step read from the step sizes: no narrower than its noise and step (_read_steps)
            rows = outputs["settles"]
            quantiles[rows] = widened_by_noise(
                quantiles[rows], self.quantile_levels, outputs["spread"][rows], outputs["prediction"][rows]
            )
        if decimals is not None:
            quantiles = round_to_recording(quantiles, decimals)
            if windows is not None:  # counts' intervals stop at 0
                quantiles = floored_at_zero(quantiles, outputs["prediction"], *windows, decimals)
        return quantiles

    def _named(self, outputs: dict[str, np.ndarray]) -> np.ndarray | None:
        """(N,) the index into the calibration's families of the family each row is named (-1 for none), from
        the classifier's (or pattern head's) probabilities among ``outputs``; None without them or factors per
        family."""
        if self.calibration is None:
            return None
        return self.calibration.named(outputs.get("family", outputs.get("pattern")), self.pattern_names)

    def _patterns(
        self, outputs: dict[str, np.ndarray], values: np.ndarray, lengths: np.ndarray
    ) -> tuple[list[str], np.ndarray | None]:
        """Each series' pattern in words and its confidence, from the family classifier or else the pattern
        head; ``([], None)`` without either."""
        from numseries.patterns import describe_batch

        found = outputs.get("period")  # (N,) the periods _read_cycles measured on these values, if it did
        if "family" in outputs:
            assert self.classifier is not None
            return describe_batch(outputs["family"], self.classifier.names, values, lengths, self.classifier.config, found)
        if "pattern" not in outputs:
            return [], None
        return describe_batch(outputs["pattern"], self.head_pattern_names, values, lengths, found=found)

    def forecast(
        self,
        sequence: Sequence[float] | np.ndarray,
        steps: int,
        *,
        level: Sequence[float] | float | None = None,
        paths: int | None = None,
        seed: int | np.random.Generator | None = 0,
    ) -> Any:
        """Forecast ``steps`` values autoregressively: each prediction is appended and fed back in.

        Without ``level``, returns the (steps,) float64 path. With ``level`` (percent), returns a
        :class:`~numseries.forecast.Forecast`: ``.values`` the same path and ``.interval(level)`` its
        bands per step, as a rule wider further ahead (not always: the factors are per horizon): by default
        the one-step intervals along the path, added up and scaled by factors calibrated per horizon (no
        extra cost); with ``paths``, from that
        many sample paths drawn from the model's predictive distribution (seeded by ``seed`` and each series'
        own values, so a series gets the same bands whatever else is in its batch). A path that
        runs away (a step over twice the largest step of its window), or whose window's own last values it
        forecasts over twice as badly as a read of 12 values does, is read again, from its second step on,
        from the window's last 12 values (:mod:`numseries.forecast`); ``Forecast.read`` says from how many.
        A window that repeats (a period in its pattern line, near a whole number of steps, seen twice), whose
        last cycle repeated forecasts its own last values better than the network's path does, repeats that
        cycle from the second step on, moved by its trend; ``Forecast.cycle`` says how long it is (seen twice
        with fewer values after: where those forecast so better, or with under 3, where its two cycles agree).
        A window with such a cycle that keeps the network's path repeats that path's own first cycle after it,
        moved the same way (the network damps a cycle's second turn); ``Forecast.own_cycle`` says how long. From a
        step (after the first) over twice the window's largest step, where a path fed back into the network
        runs away (long horizons), it goes on at the window's mean step (where the window's steps settle, a
        decay's or a saturating curve's, measured by its last step, a step back or past the level they settle
        at runs away too, and the path levels off at that level); ``Forecast.steady`` says from which. A
        positive decay (its last value below its first) whose path read from the logarithms of its values
        forecasts its own last values over twice as well as the path it got, and never climbs back above its
        last value, goes on by that path from the second step on (by its ratios, never below 0); a positive
        window that rises by ratios (8 values or more, the last at least twice the first, closer to a line in
        logarithms than as it is: compounding growth) goes on by the least-squares line of its logarithms, a
        steady ratio, with that line's prediction intervals, where that line forecasts its own last values over
        twice as well; a window below 0, as its mirror image; ``Forecast.logs`` says so, and ``Forecast.log_path``
        which path it took: "rise" or "rise_steady" (the line), "growth" or "decay" (the network's path). A window whose values (at
        least 6) all step one way, the last step smaller
        than the largest, that saturates (its steps shrink by about one ratio, not as a wave's near its peak,
        or its pattern is a logistic curve and its steps have shrunk for 2 steps), and whose step 1 goes its way,
        settles from the second step on: its steps go the same way, each no larger than the one before nor than
        its last step shrunk by the ratio its last steps shrank by (their sizes the network's path read from the
        logarithms of the step sizes); ``Forecast.settles`` says so.
        """
        result = self.forecast_batch([sequence], steps, level=level, paths=paths, seed=seed, ids=THE_SEQUENCE)
        return result.values[0] if level is None else result.forecast(0)

    def forecast_batch(
        self,
        sequences: Sequence[Sequence[float] | np.ndarray],
        steps: int,
        *,
        level: Sequence[float] | float | None = None,
        paths: int | None = None,
        seed: int | np.random.Generator | None = 0,
        ids: Sequence[Any] | None = None,
    ) -> Any:
        """:meth:`forecast` for many sequences at once -> a :class:`~numseries.forecast.BatchForecast`
        (``.values`` (N, steps), ``.interval(level)`` (N, steps) arrays, ``.read`` (N,) how many of each
        sequence's last values its path was read from, ``.cycle`` (N,) the cycle it repeats, 0 for none,
        ``.steady`` (N,) the step it goes on at its window's mean step from, 0 for none, ``.logs`` (N,) whether
        it was read from the logarithms of its values from step 2, ``.log_path`` (N,) which path so (a code in
        :data:`~numseries.forecast.LOG_PATHS`; ``.forecast(i).log_path`` its name), ``.settles`` (N,) whether it settles from
        step 2, ``.own_cycle`` (N,) the cycle whose first steps the path repeats after them, 0 for none). ``ids`` name the
        sequences in errors, as :meth:`predict_batch`'s do."""
        from numseries.forecast import BatchForecast, forecast_batch

        ids = ids if ids is THE_SEQUENCE else _checked_ids(ids)
        steps = check_steps(steps)
        if paths is not None and (
            isinstance(paths, bool) or not isinstance(paths, (int, np.integer)) or not 10 <= paths <= 10_000
        ):
            raise ValueError(f"paths must be None or an integer in [10, 10000], got {paths!r}; e.g. paths=200")
        paths = 0 if paths is None else int(paths)
        levels = self._check_levels(level)
        if paths and not levels:
            raise ValueError(f"paths={paths} draws sample paths for the bands: give level= too (e.g. level=[80]), or leave paths out")
        if seed is not None and not isinstance(seed, np.random.Generator) and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(f"seed must be None, a whole number >= 0 or a numpy Generator, got {seed!r}; e.g. seed=0")
        values, n_values = self._batch_rows(sequences, ids)  # as predict_batch takes them
        windows = [row[:n] for row, n in zip(values, np.minimum(n_values, self.max_len).tolist(), strict=True)]
        ruled = find_rules(*padded_rows(windows)) if self.rules and windows else {}
        if not ruled:
            return forecast_batch(self, windows, steps, levels, paths, seed, lambda i: _name(i, ids))
        rest = [i for i in range(len(windows)) if i not in ruled]
        values = np.empty((len(windows), steps))  # (N, steps)
        around = np.empty((len(windows), steps, 2))  # (N, steps, 2): a rule's bands
        for i, rule in ruled.items():  # exact rules continue, with bands of zero width (float64's two either side
            values[i], around[i] = _continued(rule, steps, i, ids)  # of a value it cannot hold); first: a rule
        network = forecast_batch(  # that leaves the float range fails before the network's work
            self, [windows[i] for i in rest], steps, levels, paths, seed, lambda i: _name(rest[i], ids)
        )
        values[rest] = network.values
        around[rest] = np.repeat(network.values[:, :, None], 2, axis=2)
        bounds = {level: around.copy() for level in levels}  # (N, steps, 2)
        for level in levels:
            bounds[level][rest] = network.bounds[level]
        read = np.array([len(window) for window in windows], dtype=np.int64)  # a rule reads the whole window
        if network.read is not None:
            read[rest] = network.read
        cycle = np.zeros(len(windows), dtype=np.int64)  # a rule continues itself
        if network.cycle is not None:
            cycle[rest] = network.cycle
        steady = np.zeros(len(windows), dtype=np.int64)  # a rule never runs away
        if network.steady is not None:
            steady[rest] = network.steady
        log_path = np.zeros(len(windows), dtype=np.int8)  # a rule continues its own values
        if network.log_path is not None:
            log_path[rest] = network.log_path
        settles = np.zeros(len(windows), dtype=bool)
        if network.settles is not None:
            settles[rest] = network.settles
        own_cycle = np.zeros(len(windows), dtype=np.int64)
        if network.own_cycle is not None:
            own_cycle[rest] = network.own_cycle
        return BatchForecast(values, network.levels, bounds, read, cycle, steady, log_path, settles, own_cycle)

    def _predict_padded(
        self,
        values: np.ndarray,
        lengths: np.ndarray,
        ids: Sequence[Any] | None,
        weights: bool = False,
        *,
        classify: bool = False,
        only: tuple[str, ...] | None = None,
        exact_ok: bool = False,
        logs: bool = False,
        cycles: bool = True,
    ) -> dict[str, np.ndarray]:
        """Checked (N, W) prefix-padded values with lengths in [MIN_VALUES, max_len] -> the runner's
        outputs for every row: ``prediction`` (N,), ``attention`` (N, max length), and the heads' (``only``
        these of them, when given: a forecast's steps need no attention); with
        ``weights``, the per-step ``weights`` (N, max length) float64 too; with ``classify`` and a family
        classifier, its probabilities ``family`` (N, K) float32; and ``read`` (N,), how many of each row's
        last values the network read (:func:`~numseries.series.read_lengths`: fewer than its length at
        the end of a steep decay or growth), with 0 attention and weight on the values before them. With ``logs``,
        rows predicted below 0 may be read again from their logarithms (:meth:`_read_logs`), and ``logs`` (N,) bool
        says which were; saturating rows whose step overshot, from the logarithms of their step sizes
        (:meth:`_read_steps`), and ``settles`` (N,) bool says which were; with ``cycles`` too, rows that repeat a
        cycle which backtests better take its step (:meth:`_read_cycles`), and ``cycle`` (N,) int says which cycle
        (0: none). A prediction that
        overflows float64 is a ValueError naming its series; with ``exact_ok``, the caller's to check
        (:func:`_check_finite`) once exact rules have replaced the network's predictions they give."""
        n = len(lengths)
        read = read_lengths(values, lengths)  # (N,)
        offsets = lengths - read  # (N,) values each row's window drops at its start
        width = int(lengths.max(initial=0))
        given, given_lengths = values, lengths  # the classifier reads every value, not the network's window
        if offsets.any():  # each row's last read values, from column 0
            values, _ = keep_last(values, lengths, read)
            lengths = read
        # Workers share _ROWS_IN_FLIGHT rows, so memory does not grow with the number of CPUs; and a batch
        # that is mostly one length is split too, so that every worker gets a share of it.
        workers = max(1, min(self.workers, _ROWS_IN_FLIGHT // _MIN_GROUP_ROWS))
        group_rows = min(_ROWS_IN_FLIGHT // workers, max(_MIN_GROUP_ROWS, -(-n // (2 * workers))))
        classifier = self.classifier if classify else None
        wanted = {"prediction", "attention", "quantiles", "pattern"} if only is None else {"prediction", *only}
        if classifier is not None:  # its probabilities name the pattern, not the pattern head's
            wanted.discard("pattern")
        names = tuple(sorted(wanted))
        predictions = np.empty(n)
        attention = np.zeros((n, width), dtype=np.float32) if "attention" in wanted else None
        quantiles = np.empty((n, len(self.quantile_levels))) if self.quantile_levels and "quantiles" in wanted else None
        pattern = (
            np.empty((n, len(self.head_pattern_names)), dtype=np.float32)
            if self.head_pattern_names and "pattern" in wanted
            else None
        )
        family = np.empty((n, len(classifier.names)), dtype=np.float32) if classifier is not None else None
        per_step = np.zeros((n, width)) if weights else None
        order = np.argsort(lengths, kind="stable")
        sorted_lengths = lengths[order]
        edges = np.flatnonzero(sorted_lengths[1:] != sorted_lengths[:-1]) + 1  # where the length changes
        bounds = [0, *edges.tolist(), n] if n else []
        groups = [  # rows of one length, at most group_rows of them and _GROUP_VALUES values
            order[chunk : min(chunk + rows, stop)]
            for start, stop in zip(bounds[::-1][1:], bounds[::-1], strict=False)
            for rows in [min(group_rows, max(1, _GROUP_VALUES // int(sorted_lengths[start])))]
            for chunk in range(start, stop, rows)
        ]
        groups.sort(key=lambda rows: -len(rows) * int(lengths[rows[0]]))  # the most work first, to balance workers

        def run_group(rows: np.ndarray) -> None:
            width = int(lengths[rows[0]])
            x = values[rows, :width]  # (b, width), a copy
            x, exponent = unit_scaled(x)  # (b,): |x| / 2**exponent < 1, exact: a power-of-two scale keeps every bit
            if per_step is not None:
                assert self._explain is not None  # predict and predict_batch ask for weights only then
                # scale-free: the power-of-two scale leaves them. The weights' graph gives the outputs too, but
                # computed in another order they differ in the sixth digit from the model's: the outputs
                # come from the model, so that predict, predict_batch and forecast give the same numbers.
                per_step[rows, :width] = self._explain(x)["weights"]
            if self._select is not None:
                outputs = self._select(x, np.ones(x.shape, dtype=bool), names)
            else:
                outputs = self._run(x, np.ones(x.shape, dtype=bool))
            with np.errstate(over="ignore"):  # reported below, naming the series
                predictions[rows] = np.ldexp(outputs["prediction"], exponent)
                if quantiles is not None:
                    quantiles[rows] = np.ldexp(outputs["quantiles"], exponent[:, None])
            if attention is not None:
                attention[rows, :width] = outputs["attention"]
            if pattern is not None:
                pattern[rows] = outputs["pattern"]
            if classifier is not None and family is not None:
                whole = offsets[rows] == 0  # rows the network reads whole: x holds all their values
                if whole.any():
                    family[rows[whole]] = classifier.probabilities(x[whole])

        if workers > 1 and len(groups) > 1:
            list(_threads("groups", workers).map(run_group, groups))
        else:
            for rows in groups:
                run_group(rows)
        if classifier is not None and family is not None and offsets.any():  # the rows read shorter, by given length
            cut = np.flatnonzero(offsets)
            for length in np.unique(given_lengths[cut]):
                rows = cut[given_lengths[cut] == length]
                family[rows] = classifier.probabilities(given[rows, :length])
        if not exact_ok:
            _check_finite(predictions, ids)
        if offsets.any():  # back to each row's own columns
            attention = shift_right(attention, offsets) if attention is not None else None
            per_step = shift_right(per_step, offsets) if per_step is not None else None
        outputs: dict[str, np.ndarray] = {"prediction": predictions, "read": read}
        if attention is not None:
            outputs["attention"] = attention
        if quantiles is not None:
            outputs["quantiles"] = quantiles
        if pattern is not None:
            outputs["pattern"] = pattern
        if family is not None:
            outputs["family"] = family
        if per_step is not None:
            outputs["weights"] = per_step
        if logs:
            self._read_logs(given, given_lengths, outputs, only)
            self._read_steps(given, given_lengths, outputs, only)
            self._read_cycles(given, given_lengths, outputs, cycles)
            _stay_at_zero(given, given_lengths, outputs)
            if "quantiles" in outputs:
                _rise_line(given, given_lengths, outputs, self.quantile_levels)
        return outputs

    def _read_logs(
        self, values: np.ndarray, lengths: np.ndarray, outputs: dict[str, np.ndarray], only: tuple[str, ...] | None
    ) -> None:
        """Where the network predicted below 0 from (N, W) prefix-padded values of (N,) ``lengths`` all above 0
        that end below where they start (a decay); or, from values above 0 that grow by ``LOG_GROWTH`` times or
        more at their last step, by a larger ratio than at the step before, a smaller ratio than their last
        (growth faster than exponential, ``1 2 6 22 94 454 2430``, went on to 2660), or that rise by ratios
        (:func:`~numseries.forecast.straighter_in_logs`: compounding growth) a smaller ratio than their mean
        one; and the network reading their logarithms forecasts their own last values with under ``PREFER_LOG``
        of the error of its read of the values (a decay's as a forecast's log path is backtested:
        :func:`~numseries.forecast.log_backtest`, holding out ``log_hold(BACKTEST_STEPS, length)`` of them; a
        growth's one step at a time, :meth:`_growth_reads_better_in_logs`): ``outputs``' prediction, quantiles,
        attention, weights and read replaced by those of the values' logarithms, exponentiated (a ratio: above
        0; not where that climbs above the last value, a decay that levelled off, nor a growth's below it, nor
        leaves the float range). Values all below 0 are read as their mirror image, and mirrored back (the
        model's f(-x) = -f(x)). Their weights stay exact: ``exp(f(log x))`` grows as x is scaled, so the
        prediction is still ``sum(weights * x)``, each weight the prediction times the logarithm's weight over
        its value (they need not sum to 1). Sets ``outputs["logs"]`` (N,) bool: the rows replaced."""
        from numseries.forecast import (
            BACKTEST_STEPS,
            LOG_GROWTH,
            LOG_PAST,
            PREFER_LOG,
            RISE_RATIO,
            RISE_VALUES,
            log_backtest,
            log_hold,
            rises_by_ratios,
        )

        n = len(lengths)
        outputs["logs"] = replaced = np.zeros(n, dtype=bool)
        at = np.arange(n)
        sign = np.where(values[at, np.maximum(lengths - 1, 0)] < 0, -1.0, 1.0)  # (N,) a row below 0: its mirror image
        prediction = sign * outputs["prediction"]  # (N,) as the mirror's
        first = sign * values[:, 0] if values.shape[1] else np.zeros(n)  # (N,)
        last, before, earlier = (sign * values[at, np.maximum(lengths - k, 0)] for k in (1, 2, 3))  # (N,) each
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # (a last value of 0: round 60)
            # growing by LOG_GROWTH times or more at the last step, by a larger ratio than the step before, where
            # the network's ratio is smaller (compared as ratios: products of values near 1e300 overflow, round 59)
            ratio = last / before  # (N,)
            grows = (earlier > 0) & (before > 0) & (ratio >= LOG_GROWTH) & (ratio > before / earlier)
            grows &= prediction / last < ratio
            # rising, where the network's ratio is smaller than the mean ratio (whether by ratios: decided below)
            rises = (first > 0) & (last >= RISE_RATIO * first) & ~grows & (lengths >= RISE_VALUES)
            rises &= prediction / last < np.exp(np.log(last / first) / np.maximum(lengths - 1, 1))
        below = prediction < 0
        if not (below | grows | rises).any():  # (most): nothing to read again
            return
        values = sign[:, None] * values  # (N, W) each row as its mirror image where below 0
        inside = np.arange(values.shape[1])[None, :] < lengths[:, None]  # (N, W)
        with np.errstate(invalid="ignore"):
            positive = np.where(inside, values, 1.0).min(axis=1) > 0  # (N,)
        if rises.any():  # (none, most often: a pass over no rows costs a single prediction ~0.1 ms)
            rises[rises] = rises_by_ratios(values[rises], lengths[rises])
        grows |= rises  # (read as a growth: one step at a time)
        rows = np.flatnonzero(((below & (last < first)) | grows) & positive & (lengths >= LOG_PAST + 2))
        if not rows.size:
            return
        decays = rows[~grows[rows]]
        cuts = [lengths[i] - log_hold(BACKTEST_STEPS, lengths[i]) for i in decays]  # where each backtest holds out from
        error_values, error_logs = log_backtest(
            self, [values[i, :cut] for i, cut in zip(decays, cuts, strict=True)],
            [values[i, cut : lengths[i]] for i, cut in zip(decays, cuts, strict=True)],
        ) if decays.size else (np.zeros(0), np.zeros(0))  # fmt: skip
        growths = rows[grows[rows]]
        rows = np.sort(np.concatenate([
            decays[error_logs < PREFER_LOG * error_values],  # (NaN never less)
            growths[self._growth_reads_better_in_logs(values[growths], lengths[growths])],
        ]))  # fmt: skip
        if not rows.size:
            return
        logarithms = np.where(inside[rows], np.log(np.where(inside[rows], values[rows], 1.0)), 0.0)  # (R, W)
        again = self._predict_padded(logarithms, lengths[rows], None, "weights" in outputs, only=only, exact_ok=True)
        with np.errstate(over="ignore", under="ignore"):
            value = np.exp(again["prediction"])  # (R,) the mirror's, where below 0
        # not where it climbs back above the last value (a decay that levelled off, 1000 200 40 8 1.6 1.5, read so
        # jumped to 7.84: adversarial round 49), nor where it leaves the float range (0 or inf)
        keep = np.where(grows[rows], value >= last[rows], value <= last[rows]) & (value > 0) & np.isfinite(value)  # (R,)
        rows, again, value = rows[keep], {name: output[keep] for name, output in again.items()}, value[keep]
        if not rows.size:
            return
        with np.errstate(over="ignore", under="ignore"):
            if "quantiles" in outputs and "quantiles" in again:
                outputs["quantiles"][rows] = mirrored_back(sign[rows], np.exp(again["quantiles"]))  # (R, Q)
        value = sign[rows] * value
        outputs["prediction"][rows] = value
        outputs["read"][rows] = again["read"]
        for name in ("attention", "weights"):
            if name in outputs and name in again:
                outputs[name][rows] = 0.0
                outputs[name][rows, : again[name].shape[1]] = again[name]
        if "weights" in outputs and "weights" in again:  # (value over each value: the mirror's signs cancel)
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                outputs["weights"][rows] = np.where(
                    inside[rows], value[:, None] * outputs["weights"][rows] / np.where(inside[rows], sign[rows, None] * values[rows], 1.0), 0.0
                )
        replaced[rows] = True

    def _growth_reads_better_in_logs(self, values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(G, W) prefix-padded values above 0 of (G,) lengths (at least ``LOG_PAST`` + 2) -> (G,) bool: where
        the network, predicting each of their last ``GROWTH_BACKTEST`` values one step from the values before it
        (at least ``LOG_PAST`` + 1), misses by under ``PREFER_LOG`` of its error on their values when it reads
        their logarithms; errors are measured in logarithms (ratios: a fast growth's last value weighs as its
        first). One step, as the prediction is: a path of several from the first few values missed both ways."""
        from numseries.forecast import GROWTH_BACKTEST, LOG_PAST, PREFER_LOG

        if not len(lengths):  # (decays alone: no network call)
            return np.zeros(0, dtype=bool)
        holds = np.minimum(GROWTH_BACKTEST, lengths - LOG_PAST - 1)  # (G,) 1 at least
        starts = np.cumsum(holds) - holds  # (G,) each series' first backtest
        row = np.repeat(np.arange(len(lengths)), holds)  # (M,) each backtest's series
        cut = lengths[row] - (np.arange(len(row)) - np.repeat(starts, holds)) - 1  # (M,) its past
        past = np.where(np.arange(values.shape[1])[None, :] < cut[:, None], values[row], 1.0)  # (M, W)
        truth = np.log(values[row, cut])  # (M,)
        read = self._predict_padded(past, cut, None, only=(), exact_ok=True)["prediction"]
        logs = self._predict_padded(np.log(past), cut, None, only=(), exact_ok=True)["prediction"]
        with np.errstate(invalid="ignore", divide="ignore"):
            miss_values = np.where(read > 0, np.abs(np.log(np.where(read > 0, read, 1.0)) - truth), np.inf)  # (M,)
        miss_logs = np.abs(logs - truth)  # (M,)
        mean_values = np.add.reduceat(miss_values, starts) / holds
        mean_logs = np.add.reduceat(miss_logs, starts) / holds
        return np.asarray(mean_logs < PREFER_LOG * mean_values)

    def _read_steps(
        self, values: np.ndarray, lengths: np.ndarray, outputs: dict[str, np.ndarray], only: tuple[str, ...] | None
    ) -> None:
        """Where a window's values (at least ``SETTLE_VALUES``, all of them, as a forecast's settling path decides)
        all step one way, the last step smaller than the largest and than the one before, saturate
        (:func:`~numseries.forecast._saturating`), and the network's step goes their way but over
        ``SETTLE_OVERSHOOT`` times the window's last step shrunk by the ratio its last steps shrank by (``131 40 13
        4.6 2.1 1.32``, a cooling to 1, went on by 0.88 to 0.44 where its steps shrink by 0.3): ``outputs``'
        prediction, quantiles, attention, weights and read replaced by those of the network's read of the
        logarithms of the step sizes, its step no larger than that shrunk last step (as a settling forecast's steps
        are, :func:`~numseries.forecast._take_settling_paths`); the quantiles reach from their median at least
        ``SETTLE_NOISE`` times the noise its steps show (:func:`~numseries.intervals.curve_noise`) and, at 80%,
        ``SETTLE_STEP_REACH`` times the step, in normal units.
        A window of one sign keeps its prediction where this would cross 0. The weights stay exact: the step read
        scales with the values (a size is a difference of values), so the prediction is still
        ``sum(weights * x)``, and they sum to 1. Sets ``outputs["settles"]`` (N,) bool: the rows replaced (none
        read from logarithms, ``outputs["logs"]``)."""
        from statistics import NormalDist

        from numseries.forecast import (
            SETTLE_NOISE,
            SETTLE_OVERSHOOT,
            SETTLE_STEP_REACH,
            SETTLE_VALUES,
            _saturating,
            step_shape,
        )

        n = len(lengths)
        outputs["settles"] = replaced = np.zeros(n, dtype=bool)
        # every value of the window, as a forecast's settling path decides on (not the network's shorter read)
        candidates = np.flatnonzero((lengths >= SETTLE_VALUES) & ~outputs.get("logs", replaced))
        if not candidates.size:
            return
        tail = values[candidates[:, None], lengths[candidates, None] - np.arange(SETTLE_VALUES, 0, -1)]  # (C, 6)
        with np.errstate(invalid="ignore", over="ignore"):  # (steps past the float range: ±inf, their sign kept)
            way = np.sign(tail[:, -1] - tail[:, -2])  # (C,)
            goes = (outputs["prediction"][candidates] - tail[:, -1]) * way  # (C,) the network's step, their way
            # its way (back is a turn; NaN is no number), and the last 6 values one way (most windows step both
            # ways: a quick look first), else the network's
            forward = (goes > 0) & (np.sign(np.diff(tail, axis=1)) == way[:, None]).all(axis=1)
        candidates, goes = candidates[forward], goes[forward]
        if not candidates.size:
            return
        counts = lengths[candidates]  # (C,)
        windows = values[candidates, : int(counts.max())]  # (C, width) left-aligned
        shape = step_shape(windows, counts)
        # one way, the last step smaller than the one before (so than the largest, as a settling path asks): steps
        # that grew again (a second wave, 22 8 3 4) are no curve settling now
        ratio, recent, way = shape.ratio, shape.recent, shape.way  # (C,) each
        with np.errstate(over="ignore", invalid="ignore"):
            shrunk = np.exp(shape.last_size + ratio)  # (C,) the last step shrunk by the ratio
            over = shape.one_way & shape.shrank & (ratio < 0) & (goes > SETTLE_OVERSHOOT * shrunk)
        picked = np.flatnonzero(over)
        if not picked.size:
            return
        # the pattern lines where this call named them as _saturating would (the classifier's, or without one the
        # pattern head's) on these very windows, every value of each; else it asks
        head = "family" if "family" in outputs else "pattern" if self.classifier is None else ""
        named = {head: outputs[head][candidates[picked]]} if head in outputs else {}
        texts = self._patterns(named, windows[picked], counts[picked])[0] if named else None
        saturating = _saturating(self, [windows[k, : counts[k]] for k in picked], texts or None)  # (P,)
        picked = picked[saturating]
        if not picked.size:
            return
        sources = [windows[k, : counts[k]] for k in picked]  # (R,) the windows taken, every value
        rows_array, ratio, recent, way = candidates[picked], ratio[picked], recent[picked], way[picked]  # (R,)
        with np.errstate(over="ignore"):
            sizes, size_lengths = padded_rows([np.log(np.abs(np.diff(source))) for source in sources])  # (R, S)
        again = self._predict_padded(sizes, size_lengths, None, "weights" in outputs, only=only, exact_ok=True)
        last_size = sizes[np.arange(len(sources)), size_lengths - 1]  # (R,)
        cap = last_size + ratio  # (R,) the last step shrunk by the ratio, in logarithms
        capped = again["prediction"] > cap  # (R,) the network's step larger than that: the cap's
        size = np.where(capped, cap, again["prediction"])  # (R,) the step's logarithm
        last = np.array([source[-1] for source in sources])
        with np.errstate(over="ignore"):
            value = last + way * np.exp(size)  # (R,)
        one_sign = np.array([source.min() > 0 or source.max() < 0 for source in sources])
        keep = np.isfinite(value) & (~one_sign | (np.sign(value) == np.sign(last)))
        if not keep.any():
            return
        rows_array, value, size, way, last, capped, recent = (
            rows_array[keep], value[keep], size[keep], way[keep], last[keep], capped[keep], recent[keep]
        )
        sources = [source for source, kept in zip(sources, keep.tolist(), strict=True) if kept]
        again = {name: output[keep] for name, output in again.items()}
        size_lengths = size_lengths[keep]
        outputs["prediction"][rows_array] = value
        if "quantiles" in outputs and "quantiles" in again:  # the sizes' quantiles, moved with the step, as values
            with np.errstate(over="ignore"):
                steps = np.exp(again["quantiles"] - (again["prediction"] - size)[:, None])  # (R, Q)
            quantiles = last[:, None] + way[:, None] * steps
            outputs["quantiles"][rows_array] = np.where(way[:, None] > 0, quantiles, quantiles[:, ::-1])
            # once calibrated, no narrower than the noise its steps show (the sizes' read sees steps, not noise:
            # with noise of 0.1% of the range, its intervals covered a third of coolings' next values) and, at
            # 80%, the step itself (noise smooth steps hid: 602 200 105 84 78 77, ratio 0.24, noise 0.2; round 51)
            noise = np.array([curve_noise(source) for source in sources])  # (R,)
            outputs["spread"] = np.zeros(n)  # (N,) in normal units (Predictor._quantiles)
            outputs["spread"][rows_array] = np.maximum(
                SETTLE_NOISE * noise, SETTLE_STEP_REACH * np.exp(size) / NormalDist().inv_cdf(0.9)
            )
        for k, (i, source) in enumerate(zip(rows_array.tolist(), sources, strict=True)):  # (each from column 0)
            if "attention" in outputs and "attention" in again:  # a step size's attention on the value it ends at
                outputs["attention"][i] = 0.0
                outputs["attention"][i, 1 : len(source)] = again["attention"][k, : size_lengths[k]]
            if "weights" in outputs:
                # d value / d x: the last value's 1, and the step exp(h) times h's weight on each step size's
                # logarithm over that size, + on the value it ends at, - on the one it starts from
                if capped[k]:  # h = u[-1] + (u[-1] - u[-1 - r]) / r
                    on_sizes = np.zeros(len(source) - 1)
                    on_sizes[-1] += 1.0 + 1.0 / recent[k]
                    on_sizes[-1 - recent[k]] -= 1.0 / recent[k]
                else:
                    on_sizes = again["weights"][k, : size_lengths[k]]
                per_size = np.exp(size[k]) * on_sizes / np.abs(np.diff(source))  # (S,)
                weights = np.zeros(len(source))
                weights[1:] += per_size
                weights[:-1] -= per_size
                weights[-1] += 1.0
                outputs["weights"][i] = 0.0
                outputs["weights"][i, : len(source)] = weights
        outputs["read"][rows_array] = lengths[rows_array]  # every value's step size
        replaced[rows_array] = True

    def _read_cycles(self, values: np.ndarray, lengths: np.ndarray, outputs: dict[str, np.ndarray], ask: bool) -> None:
        """Where (N, W) prefix-padded values of (N,) ``lengths`` repeat (:func:`~numseries.cycles.periods`, near a
        whole number ``k`` of steps, :func:`~numseries.forecast.whole_cycles`; two cycles before at least
        ``CYCLE_HOLD`` of their last values) and, predicting each of their last ``CYCLE_BACKTEST`` values so (at
        most; two cycles before each) one step from the values before it, the value ``k`` steps back moved by its cycle's drift
        (:func:`~numseries.forecast.cycle_drift`: a forecast's cycle path's step 1,
        :func:`~numseries.forecast.seasonal_paths`) misses by under ``PREFER_CYCLE`` of what the network's own
        step did (not read again in logarithms or by step sizes: that took 3-8% of a batch's time, and moved no
        decision on 20,000 generated and 4,479 real series, one of accuracy.py's 300 noisy ones of 24-64 values,
        whose cycle had been taken): ``outputs``' prediction is that value (a week of
        noisy days went on by the network's smooth read, 3 units from every earlier Monday: adversarial round 66), its quantiles Student's t
        about it with as many degrees of freedom as backtests, scaled by the root mean square of the cycle's misses
        there (the network's reach, kept, held 99% at 80% on weekly cycles: 5-40 times too wide), its weights the cycle's own
        coefficients (:func:`~numseries.forecast.cycle_weights`: still exact) and read every value. So too where a
        window holds two cycles and fewer than ``CYCLE_HOLD`` values after them, its cycles agree
        (:func:`~numseries.forecast.cycles_agree`, as where a forecast's path repeats the cycle from step 2) and,
        predicting its last ``CYCLE_HOLD`` values so, the value a cycle back moved by the whole window's drift misses
        by under ``PREFER_CYCLE`` of the network's step (two weeks and up to 2 days of noisy visitors: 1.57 -> 1.18
        times the seasonal naive error; without that backtest, smooth waves of a period near a whole number gave way
        to the value a cycle back, ``benchmarks/results/experiments.md``); its quantiles there are the path's band
        (:func:`~numseries.forecast.cycle_bands`: the cycle's misses within the window). Not where a
        read in logarithms or of step sizes took the row (``logs``, ``settles``). Sets ``outputs["cycle"]`` (N,)
        int: ``k`` for the rows replaced, 0 elsewhere (everywhere without ``ask``); with ``ask``, ``outputs["period"]``
        (N,) every row's period (NaN: none), which the pattern line names (:meth:`_patterns`)."""
        from numseries.cycles import periods
        from numseries.forecast import (
            CYCLE_HOLD,
            PREFER_CYCLE,
            cycle_backtests,
            cycle_drift,
            cycle_drifts,
            cycle_freedom,
            cycle_spread,
            cycle_weights,
            cycles_agree,
            whole_cycles,
        )

        n = len(lengths)
        outputs["cycle"] = taken = np.zeros(n, dtype=np.int64)
        if not ask:
            return
        outputs["period"] = periods(values, lengths)  # (N,) NaN where none
        seen, near = whole_cycles(outputs["period"])  # (N,) each
        after = lengths - 2 * seen  # (N,) values after two cycles
        near &= ~outputs["logs"] & ~outputs["settles"] & (seen >= 2) & (after >= 0)
        twice = near & (after < CYCLE_HOLD)  # (N,) too few values after two cycles to backtest them so
        twice[twice] = [cycles_agree(values[i, : lengths[i]], int(seen[i])) for i in np.flatnonzero(twice).tolist()]
        rows = np.flatnonzero(near & ((after >= CYCLE_HOLD) | twice))  # (R,)
        if not rows.size:
            return
        cycle, twice = seen[rows], twice[rows]  # (R,) each
        holds = cycle_backtests(after[rows])  # (R,)
        starts = np.cumsum(holds) - holds  # (R,) each row's first backtest
        row = np.repeat(np.arange(len(rows)), holds)  # (M,) each backtest's row
        cut = lengths[rows][row] - (np.arange(len(row)) - starts[row]) - 1  # (M,) the values before the one predicted
        windows = values[rows[row]]  # (M, W)
        past = np.where(np.arange(values.shape[1])[None, :] < cut[:, None], windows, 0.0)  # (M, W)
        network = self._predict_padded(past, cut, None, only=(), exact_ok=True, logs=False, cycles=False)["prediction"]
        inside = np.arange(values.shape[1])[None, :] < lengths[rows][:, None]  # (R, W)
        _, exponent = unit_scaled(np.where(inside, values[rows], 0.0))  # (R,) each row's scale, a power of two
        windows, network = np.ldexp(windows, -exponent[row, None]), np.ldexp(network, -exponent[row])  # exact
        at = np.arange(len(row))
        # the drift of the cycles before the value predicted; seen twice, of the whole window's two cycles
        drift = cycle_drifts(windows, np.where(twice[row], lengths[rows][row], cut), cycle[row])  # (M,)
        repeated = windows[at, cut - cycle[row]] + drift  # (M,)
        truth = windows[at, cut]  # (M,)
        with np.errstate(invalid="ignore", over="ignore"):
            error_network = np.add.reduceat(np.abs(network - truth), starts) / holds  # (R,)
            error_cycle = np.add.reduceat(np.abs(repeated - truth), starts) / holds  # (R,)
            spread_cycle = np.sqrt(np.add.reduceat((repeated - truth) ** 2, starts) / holds)  # (R,) root mean square
        better = error_cycle < PREFER_CYCLE * error_network  # (NaN never less)
        with np.errstate(over="ignore"):  # (R,) in the values' own scale, at most the largest float
            spread_cycle = np.minimum(np.ldexp(spread_cycle, exponent), LARGEST_FLOAT)
        rows, cycle, twice, holds, spread_cycle = rows[better], cycle[better], twice[better], holds[better], spread_cycle[better]
        if not rows.size:
            return
        sources = [values[i, : lengths[i]] for i in rows.tolist()]
        value = np.array([source[-k] + cycle_drift(source, k) for source, k in zip(sources, cycle.tolist(), strict=True)])
        if "quantiles" in outputs:  # Student's t about it, scaled by the cycle's own backtest misses
            freedom = holds.copy()  # (R,) as many degrees of freedom as backtests
            for j in np.flatnonzero(twice).tolist():  # seen twice: as the path's band (cycle_bands), from its misses within
                spread_cycle[j] = min(cycle_spread(sources[j], int(cycle[j])), LARGEST_FLOAT)
                freedom[j] = cycle_freedom(len(sources[j]), int(cycle[j]))
            with np.errstate(over="ignore"):  # past the float range: its largest float
                spread = spread_cycle[:, None] * t_quantiles(np.asarray(self.quantile_levels), freedom[:, None])
                outputs["quantiles"][rows] = np.clip(value[:, None] + spread, -LARGEST_FLOAT, LARGEST_FLOAT)  # (R, Q)
        outputs["prediction"][rows] = value
        if "weights" in outputs:
            outputs["weights"][rows] = 0.0
            for i, source, k in zip(rows.tolist(), sources, cycle.tolist(), strict=True):
                outputs["weights"][i, : len(source)] = cycle_weights(source, k)
        outputs["read"][rows] = lengths[rows]
        taken[rows] = cycle


_POOLS: dict[tuple[str, int], tuple[int, ThreadPoolExecutor]] = {}  # (use, threads) -> (process id, pool)
_POOLS_LOCK = threading.Lock()


def _threads(use: str, threads: int) -> ThreadPoolExecutor:
    """The process's pool of ``threads`` threads for ``use``, made on first use and kept: starting threads
    for every batch cost more than a small batch's model calls. A forked child makes its own (it has none
    of its parent's threads). Its tasks never wait for each other, so callers in several threads only queue."""
    from concurrent.futures import ThreadPoolExecutor  # not on a single prediction's path

    with _POOLS_LOCK:
        pid, pool = _POOLS.get((use, threads), (None, None))
        if pool is None or pid != os.getpid():
            pool = ThreadPoolExecutor(threads, thread_name_prefix=f"numseries-{use}")
            _POOLS[use, threads] = (os.getpid(), pool)
        return pool


def _continued(rule: Rule, steps: int, index: int, ids: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """(steps,) float64: the rule continued, and (steps, 2) the float64 values either side of each (the value
    twice where float64 holds it; past 2**53 most whole numbers it rounds); ValueError when it leaves the
    float range."""
    _rule_value(rule, index, ids)
    path = rule.forecast(steps)
    try:
        out = np.array([float(v) for v in path])
    except OverflowError:
        out = np.array([np.inf])
    if not np.isfinite(out).all():
        raise ValueError(f"the forecast of {rule.description} overflows float64; forecast fewer steps")
    return out, np.array([_either_side(exact, value) for exact, value in zip(path, out.tolist(), strict=True)])


def _stay_at_zero(values: np.ndarray, lengths: np.ndarray, outputs: dict[str, np.ndarray]) -> None:
    """Where (N, W) prefix-padded values of (N,) ``lengths`` cannot go below 0 as far as they show (counts:
    :func:`~numseries.intervals.never_below_zero`) and their last two are 0, a count that fell to 0 and stayed
    there, and the network predicted below 0 (``28 26 23 16 14 14 8 3 0 0 0 0`` went on to -1.32, adversarial
    round 56): ``outputs``' prediction is the last value, 0, its weights 1 on that value (so still exact, summing
    to 1), its quantiles none below 0. A forecast's path then stays at 0 or above, as a count's does
    (:func:`~numseries.forecast.forecast_batch`)."""
    rows = np.arange(len(lengths))
    last, before = (values[rows, np.maximum(lengths - back, 0)] for back in (1, 2))
    rows = np.flatnonzero((outputs["prediction"] < 0) & (lengths >= 3) & (last == 0) & (before == 0))
    if rows.size:
        rows = rows[never_below_zero(values[rows], lengths[rows], recorded_decimals(values[rows], lengths[rows]))]
    if not rows.size:
        return
    outputs["prediction"][rows] = 0.0
    if "quantiles" in outputs:
        outputs["quantiles"][rows] = np.maximum(outputs["quantiles"][rows], 0.0)
    if "weights" in outputs:
        outputs["weights"][rows] = 0.0
        outputs["weights"][rows, lengths[rows] - 1] = 1.0


def _described(rule: Rule, n_values: int, n_used: int) -> str:
    """A rule's description for a sequence of ``n_values`` whose last ``n_used`` it was found in: where values
    were left out, it says over which (the values before may not follow it) and a ratio rule's t counts from the
    first value read (adversarial round 56: '(t + 5)/(t + 6), t = 1 at the first value' of 1/n over 70 values)."""
    if n_values <= n_used:
        return rule.description
    first = n_values - n_used + 1
    text = rule.description.replace(RATIO_ORIGIN, f"t = 1 at value {first}")
    if rule.kind == "periodic" and rule.intercept == 0:  # its cycle from the phase of the sequence's first value, as typed: 4 1 7 repeated
        # 30 times was 'period 3: 7 4 1', the cycle from the first value read (adversarial round 65)
        period = rule.parameters
        cycle = " ".join(fmt(rule.history[(k - first + 1) % period]) for k in range(period))
        text = f"period {period}: {cycle}"
    return f"{text}, over the last {n_used} values"


def _rule_value(rule: Rule, index: int, ids: Sequence[Any] | None) -> tuple[float, bool]:
    """The rule's next value as a float, and whether float64 holds it exactly (2**53 - 1, 2**53 continue to
    2**53 + 1, which float64 rounds to 2**53); a ValueError naming the series and its rule when it overflows
    float64 (``1 1e100 1e200 1e300`` continues to 1e400)."""
    try:
        value = float(rule.next_value)
    except OverflowError:  # an exact int past the float range
        value = math.inf
    if not math.isfinite(value):
        fix = (  # a quadratic map squares its values: no scale brings its next one back within float64
            "predict with the rules off (--no-rules, rules=False) for the network's value" if rule.kind == "map"
            else "divide the values by a large constant first"
        )
        raise ValueError(f"{_name(index, ids)} follows the rule {rule.description}, whose next value overflows float64; {fix}")
    return value, not _inexact(rule.next_value)


def _inexact(value: Any) -> bool:
    """Whether a rule's exact value (an int, or a Fraction) is one float64 rounds past 2**53, where it
    cannot hold every whole number (a Fraction below that is a decimal: its float is its recorded value);
    or a float past 2**53, float arithmetic's value of a rule on floats (:func:`numseries.rules._find`)."""
    if isinstance(value, float):
        return float_arithmetics(value)
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        return False
    return abs(Fraction(value)) > 2**53 and float(value) != value


def _either_side(exact: Any, value: float) -> tuple[float, float]:
    """The float64 values either side of a rule's ``exact`` value, of which ``value`` is the nearest:
    ``value`` twice where float64 holds it; never past the largest float (the value next to it is inf, and an
    interval reaching it came back as NaN: a period whose next value is 1.7976931348623157e308)."""
    if not _inexact(exact):
        return value, value
    value = float(value)  # a NumPy float compares with an int by rounding it to a float: a Python float exactly
    if isinstance(exact, float):  # float arithmetic's: the value it stands for may lie on either side
        below, above = math.nextafter(value, -math.inf), math.nextafter(value, math.inf)
    elif value < exact:  # an int or a Fraction (_inexact): compared exactly
        below, above = value, math.nextafter(value, math.inf)
    else:
        below, above = math.nextafter(value, -math.inf), value
    return max(below, -LARGEST_FLOAT), min(above, LARGEST_FLOAT)


def _rise_line(
    values: np.ndarray, lengths: np.ndarray, outputs: dict[str, np.ndarray], levels: Sequence[float]
) -> None:
    """Where (N, W) values (from column 0) of (N,) ``lengths`` rise by ratios
    (:func:`~numseries.forecast.rises_by_ratios`; values all below 0 as their mirror image) and their last half
    (``RISE_VALUES`` at least) grows by a steady ratio (:func:`~numseries.forecast.grows_by_a_steady_ratio`), sets
    ``outputs["line_quantiles"]`` (N, Q): at the quantile ``levels``, the prediction interval of the least-squares
    line of that half's logarithms one step on (:func:`~numseries.forecast.log_line`, Student's t with the
    residuals' degrees of freedom), mirrored back where below 0; NaN elsewhere. ``Predictor._quantiles`` widens
    their quantiles to reach at least as far. The network's are as narrow as a clean exponential's (the
    generator's has no noise), and centred on its own prediction: 80% intervals held 47-66% of the next values of
    compounding growths with proportional noise. The last half: the recent noise, not the rounding of the first
    small values (10 12 16 20 ... recorded as whole numbers: round 63)."""
    from numseries.forecast import RISE_VALUES, grows_by_a_steady_ratio, log_line, rises_by_ratios

    n = len(lengths)
    if not n or not values.shape[1]:
        return
    last = values[np.arange(n), np.maximum(lengths - 1, 0)]  # (N,)
    sign = np.where(last < 0, -1.0, 1.0)  # (N,)
    rows = np.flatnonzero(rises_by_ratios(sign[:, None] * values, lengths))
    halves = {int(i): sign[i] * values[i, lengths[i] - max(RISE_VALUES, -(-lengths[i] // 2)) : lengths[i]] for i in rows}
    rows = np.array([i for i, half in halves.items() if grows_by_a_steady_ratio(half)], dtype=np.int64)
    if not rows.size:
        return
    lines = [log_line(halves[int(i)], 1) for i in rows]
    path, spread = (np.array([fit[k][0] for fit in lines]) for k in (0, 1))  # (R,) each, in logarithms
    df = np.array([len(halves[int(i)]) - 2 for i in rows])  # (R,) the residuals' degrees of freedom
    t = t_quantiles(np.asarray(levels)[None, :], df[:, None])  # (R, Q) < 0 below the median
    with np.errstate(over="ignore"):  # (past the float range: clipped by _quantiles)
        reach = np.exp(path[:, None] + spread[:, None] * t)  # (R, Q) the mirror's, where below 0
    outputs["line_quantiles"] = np.full((n, len(levels)), np.nan)
    outputs["line_quantiles"][rows] = mirrored_back(sign[rows], reach)


def _rule_quantiles(exact: Any, value: float, levels: Sequence[float]) -> np.ndarray:
    """(Q,) a rule's quantiles: its value at every level, or past 2**53 the float64 values either side of it
    below and above the median."""
    below, above = _either_side(exact, value)
    grid = np.asarray(levels, dtype=np.float64)
    return np.where(grid < 0.5, below, np.where(grid > 0.5, above, value))


def _from_onnx(location: WeightsLocation, calibrated: bool = True) -> tuple[Predictor, str | None]:
    """A Predictor running ``location.onnx`` on onnxruntime, and why that file is stale (``None``: it is not)."""
    from numseries.sessions import cpu_session

    path = location.onnx
    assert path is not None
    try:
        session = cpu_session(path)
    except Exception as err:  # onnxruntime raises its own error types for bad files
        raise ValueError(f"cannot load ONNX model {path}: {err}; re-export it with `numseries export`") from err
    names = ([i.name for i in session.get_inputs()], [o.name for o in session.get_outputs()])
    if names[0] != ["x", "mask"] or names[1] not in _OUTPUTS:
        raise ValueError(
            f"{path} has inputs {names[0]} and outputs {names[1]}, not a numseries model's "
            "(x, mask -> prediction, attention); export one with `numseries export`"
        )
    metadata = session.get_modelmeta().custom_metadata_map
    max_len, recorded = onnx_architecture(location, metadata)  # the heads' levels and names are in its config
    quantile_levels = recorded.quantile_levels if recorded and "quantiles" in names[1] else ()
    pattern_names = recorded.pattern_names if recorded and "pattern" in names[1] else ()

    def run(x: np.ndarray, mask: np.ndarray, wanted: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        fetch = names[1] if wanted is None else [name for name in names[1] if name in wanted]
        # onnxruntime runs only the nodes the fetched outputs need (not the heads nobody reads)
        return dict(zip(fetch, session.run(fetch, {"x": x, "mask": mask}), strict=True))

    predictor = Predictor(
        run,
        max_len,
        "onnxruntime",
        str(path),
        workers=_cpus(),
        quantile_levels=quantile_levels,
        pattern_names=pattern_names,
        calibration=_calibration(location) if quantile_levels and calibrated else None,
        explain=load_explainer(path, max_len, metadata),
        select=run,
    )
    return predictor, location.stale_onnx(metadata)


@functools.lru_cache(maxsize=4)
def load_predictor(
    weights: str | None, rules: bool = True, runtime: str = "auto", calibrated: bool = True
) -> Predictor:
    """``Predictor.from_pretrained(weights, ...)`` (``None``: the shipped model), loaded once per process: what
    statsforecast's workers and a Spark or Dask frame's workers predict with (numseries.distributed)."""
    return Predictor.from_pretrained(weights, runtime=runtime, rules=rules, calibrated=calibrated)


def check_flag(value: Any, name: str) -> bool:
    """A switch (``rules``, ``weights``, ...), checked: True or False (a numpy bool too). The string 'false' is
    true to Python: ``rules="false"`` left the rules on (adversarial round 54)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_steps(steps: Any, name: str = "steps") -> int:
    """``steps`` of a forecast, checked: an integer from 1 to :data:`MAX_STEPS` (``name``: as the caller calls it)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_STEPS}, got {steps!r}; e.g. {name}=4")
    return int(steps)


def _calibration(location: WeightsLocation) -> Calibration | None:
    """The interval calibration beside the weights, or None when there is none; a ValueError where it is no
    file, or records other weights than those beside it (copied over it since: its factors are not theirs)."""
    path = location.folder / CALIBRATION_FILE if location.folder else None
    if path is None or not path.exists():
        return None
    if not path.is_file():
        raise ValueError(f"calibration {path} is not a file; remove it, or make it with `numseries calibrate`")
    calibration = Calibration.load(path)
    digest = location.weights_sha256  # (None without a weights file beside it: nothing to check against)
    if calibration.weights_sha256 is not None and digest is not None and digest != calibration.weights_sha256:
        raise ValueError(
            f"calibration {path} was measured on other weights than {location.weights} (copied over them since?): "
            f"calibrate these with `numseries calibrate --weights {location.folder}`, or remove it "
            "(Predictor.from_pretrained(..., calibrated=False) leaves it unread)"
        )
    return calibration


def _cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _interval(
    quantiles: np.ndarray | None, grid: tuple[float, ...], level: float, decimals: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(N, Q) or (Q,) quantiles (rounded to the (N,) recorded ``decimals``, when given) -> the (lo (N,),
    hi (N,)) interval at ``level`` percent, each bound a value as recorded."""
    if quantiles is None:
        raise ValueError("this prediction has no quantiles (the model has no quantile head), so no intervals")
    (level,) = check_levels([level], grid, warn=False)  # warned about where it was asked for
    quantiles = np.atleast_2d(quantiles)
    if decimals is None:
        bounds = intervals(quantiles, grid, [level])[level]  # (N, 2)
    else:
        bounds = recorded_intervals(quantiles, grid, [level], decimals)[level]
    return bounds[:, 0], bounds[:, 1]


def _check_finite(predictions: np.ndarray, ids: Sequence[Any] | None) -> None:
    """A ValueError naming the first series whose (N,) prediction is not finite."""
    bad = np.flatnonzero(~np.isfinite(predictions))
    if bad.size:
        raise ValueError(
            f"the prediction for {_name(int(bad[0]), ids)} overflows float64; "
            "divide the values by a large constant first"
        )


THE_SEQUENCE: tuple[str] = ("the sequence",)  # ids of one sequence (predict, forecast, the CLI's): "the sequence", not "sequence 0"


def _name(index: int, ids: Sequence[Any] | None) -> str:
    """How an error names row ``index``: by its id, or as "sequence i" (``ids`` a range: a block of a batch,
    its rows numbered in the whole batch)."""
    if ids is THE_SEQUENCE:
        return ids[0]
    if ids is None or isinstance(ids, range):
        return f"sequence {index if ids is None else ids[index]}"
    return f"series {ids[index]!r}"


def _describe(value: Any) -> str:
    return clipped(" ".join(repr(value).split()))  # one line, whatever the repr (a pandas Series' has several)


def _reloaded(path: str | None, runtime: str, calibrated: bool, rules: bool, workers: int) -> Predictor:
    """A pickled :class:`Predictor`, loaded again from its files (:meth:`Predictor.__reduce__`)."""
    predictor = Predictor.from_pretrained(path, runtime=runtime, rules=rules, calibrated=calibrated)
    predictor.workers = workers
    return predictor


def _container(data: Any, what: str, expected: str) -> Any:
    """Refuse what is not a list or an array (``TypeError``); a torch tensor comes back as a NumPy array."""
    if hasattr(data, "detach") and hasattr(data, "numpy"):  # torch, even with requires_grad or on a GPU
        return data.detach().cpu().numpy()
    if isinstance(data, (str, bytes, bytearray)):
        raise TypeError(f"{what} is a string, {_describe(data)}; pass numbers, e.g. [2, 4, 6]")
    if not _list_like(data):
        raise TypeError(f"{what} must be {expected}, got {type(data).__name__} {_describe(data)}")
    _check_time_index(data, what)
    columns = getattr(data, "columns", None)
    timed = timed_labels(columns) if columns is not None else []
    labels = [] if columns is None or len(getattr(data, "shape", ())) != 2 else list(columns)
    # unique_id, t, y; sku, week, units: one row per value (a unique_id column is no value of a sequence either way)
    if ID_COLUMN in labels or ((timed or "ds" in labels) and [c for c in id_named(labels) if not index_named(c)]):
        shown = ", ".join(map(repr, labels[:4])) + (", ..." if len(labels) > 4 else "")  # (index, hour: rows' steps)
        raise TypeError(
            f"{what} is a DataFrame of series ids and values ({shown}), whose rows would be read as sequences, ids "
            "and times included; in long format (a row per value) pass it to predict_df: predictor.predict_df(df, "
            "id_col=..., time_col=..., target_col=...)"
        )
    if quantity_names([c for c in labels if c not in timed]):
        # (beside any columns of times: index,hour,temperature,... as df.reset_index() gives)
        values = [str(column) for column in labels if column not in timed]
        shown = ", ".join(map(repr, values[:3])) + (", ..." if len(values) > 3 else "")
        turned = f"df.set_index({timed[0] if len(timed) == 1 else timed!r}).T" if timed else "df.T"
        raise TypeError(
            f"{what} is a DataFrame of columns named as quantities are ({shown}): its columns are series, and its "
            f"rows would be read as sequences; pass one series a row as {turned} (polars: df.transpose()), or long "
            "format to predict_df"
        )
    return _na_as_nan(data)


def _na_as_nan(data: Any) -> Any:
    """A pandas Series or DataFrame of nullable dtypes (``Int64``, ``Float64``) with its ``pd.NA`` as NaN, in
    objects (integers stay exact): a frame's ragged rows pad with it, as with NaN (NumPy refused pd.NA as
    "a string or a real number"). Anything else as it is."""
    dtypes = getattr(data, "dtypes", None)
    kinds: list[Any] = [getattr(data, "dtype", None)] if dtypes is None or not hasattr(dtypes, "__iter__") else list(dtypes)
    nullable = [kind for kind in kinds if type(kind).__module__.startswith("pandas") and kind.kind in "iuf"]
    if not nullable or not hasattr(data, "isna"):
        return data
    missing = data.isna()
    return data.astype(object).mask(missing, np.nan) if missing.to_numpy().any() else data


def _check_time_index(data: Any, what: str) -> None:
    """Refuse pandas data indexed by time that would be read another way than pandas means it: a frame
    (its columns are the series, its rows would be read as them) or a Series out of time order."""
    index: Any = getattr(data, "index", None)
    if type(index).__name__ not in ("DatetimeIndex", "PeriodIndex", "TimedeltaIndex"):
        return
    if np.ndim(data) == 2:
        raise TypeError(
            f"{what} is a DataFrame indexed by time: its columns are series, and its rows would be read as "
            "sequences; pass one series per column as df.T (or long format to predict_df)"
        )
    if not index.is_monotonic_increasing:
        raise ValueError(f"{what} is a Series whose times are not in order; sort it first: x.sort_index()")


def _list_like(data: Any) -> bool:
    """A sequence or an array, and not a mapping or a set (whose iteration gives their keys)."""
    return not isinstance(data, (Mapping, AbstractSet)) and (isinstance(data, Sequence) or hasattr(data, "__array__"))


def _refuse_huge_integer(array: np.ndarray, what: str) -> None:
    """A ValueError naming the first integer of ``array`` (object dtype) past the float range, if any."""
    flat = array.ravel()
    huge = [i for i, item in enumerate(flat.tolist()) if isinstance(item, int) and past_float(item)]
    if huge:
        where = f"row {huge[0] // array.shape[1]} of {what}" if array.ndim == 2 else what
        item = flat[huge[0]]
        raise ValueError(f"{where} holds {integer_text(item)}, which {above_float(math.inf if item > 0 else -math.inf)}")


def _real_array(data: Any, what: str) -> np.ndarray:
    """A list or array -> float64 array. Masked, complex and date-time values are a ``TypeError``; anything
    else that is not a number a ``ValueError``."""
    # (only an ndarray subclass can be masked: np.ma, imported on first use, cost every cold start 15 ms)
    if isinstance(data, np.ndarray) and type(data) is not np.ndarray and np.ma.is_masked(data):
        raise TypeError(
            f"{what} is a masked array with masked values, which would be read as numbers; fill them with NaN "
            "(x.filled(np.nan)) or drop them (x.compressed())"
        )
    try:
        array = np.asarray(data)  # as given: a float64 conversion would drop imaginary parts, count nanoseconds
    except (TypeError, ValueError, OverflowError) as err:  # ragged rows, ints beyond any float
        raise ValueError(f"{what} must hold numbers only, got {_describe(data)} ({err}); remove the rest") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{what} holds complex numbers; pass real numbers (np.real(x) if the imaginary parts are 0)")
    if array.dtype.kind == "b":  # predict_df, batch files and the server refuse them too
        raise TypeError(f"{what} holds booleans, not numbers; pass numbers (1 and 0: np.asarray(x, dtype=float))")
    if array.dtype.kind in "mM":
        raise TypeError(f"{what} holds {array.dtype} values, not numbers; pass numbers, e.g. seconds as floats")
    try:  # float32 and float16 values as the decimals they hold (0.1, not 0.10000000149011612)
        values = widened(array) if narrow_float(array.dtype) else array.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as err:  # words, None, ints beyond any float
        if isinstance(err, OverflowError):  # an integer past the float range (JSON's 400 nines): named as the CLI does
            _refuse_huge_integer(array, what)
        raise ValueError(f"{what} must hold numbers only, got {_describe(data)} ({err}); remove the rest") from None
    if array.dtype.kind in "USa" or (  # numpy read "1.5" as 1.5: text is parsed by whoever reads it, not here
        array.dtype.kind == "O" and any(isinstance(item, (str, bytes)) for item in array.flat)
    ):
        raise TypeError(f"{what} holds text ({_describe(data)}), not numbers; convert it first, e.g. [float(v) for v in x]")
    if array.dtype.kind in "iuO":
        check_exact_integers(array, values, what)
    if array.dtype.kind == "O" or (array.dtype.kind == "f" and array.dtype.itemsize > 8):
        check_narrowed(array, values, what)  # Decimal('1e-400'), np.longdouble(2**53 + 1): float64 misreads them
    return values


def _plain(sequence: Any, max_len: int) -> TypeGuard[np.ndarray]:
    """Whether ``sequence`` is a 1-D float64 array of MIN_VALUES to ``max_len`` values: all that is left to
    check is that they are finite (predict_batch does it for all such rows at once)."""
    return (
        type(sequence) is np.ndarray
        and sequence.dtype == np.float64
        and sequence.ndim == 1
        and MIN_VALUES <= len(sequence) <= max_len
    )


def _as_values(sequence: Any, name: str | None = None) -> np.ndarray:
    """Check one sequence at the public boundary -> (n,) float64 of finite values, n >= MIN_VALUES.

    ``name`` says which sequence of a batch it is, in error messages.
    """
    if (  # the common case, checked quickly: a long enough 1-D float64 array of finite values
        type(sequence) is np.ndarray
        and sequence.dtype == np.float64
        and sequence.ndim == 1
        and len(sequence) >= MIN_VALUES
        and np.isfinite(sequence).all()
    ):
        return sequence.copy()
    where = f" in {name}" if name else ""
    name = name or "the sequence"
    if type(sequence) is not list:  # a list (what JSON gives) is a container of the right kind
        sequence = _container(sequence, name, "a list or array of numbers")
    values = _real_array(sequence, name)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional, got shape {values.shape}; use predict_batch for many sequences"
        )
    if len(values) < MIN_VALUES:
        raise ValueError(f"expected at least {MIN_VALUES} values, got {len(values)}{where}; give a longer sequence")
    finite = np.isfinite(values)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        fix = "fill or drop missing values" if np.isnan(values[bad[0]]) else "replace or drop it"  # (inf: no gap)
        raise ValueError(
            f"{name} has {values[bad[0]]} at position {bad[0] + 1}; numbers must be finite "
            f"(|x| < 1.8e308, not NaN): {fix}"
        )
    return values


def _checked_ids(ids: Any) -> Sequence[Any] | None:
    """The names of a batch's sequences (in its error messages) as a list; a mapping or a set is a TypeError.
    THE_SEQUENCE stays itself (a batch of one named "the sequence", as /predict/batch checks each alone)."""
    if ids is None or ids is THE_SEQUENCE:
        return ids
    if isinstance(ids, (str, bytes)) or not _list_like(ids):
        raise TypeError(f"ids must be a list of names, one per sequence, got {type(ids).__name__} {_describe(ids)}")
    return np.asarray(ids, dtype=object).tolist() if hasattr(ids, "__array__") else list(ids)  # numpy's str as str


def _check_padded(values: np.ndarray, ids: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Check a (N, W) float64 array whose rows are padded with trailing NaN -> values, lengths (N,)."""
    if values.ndim != 2:
        raise ValueError(
            f"expected a list of sequences or a 2-D array, got an array of shape {values.shape}; "
            "use predict() or forecast() for a single sequence"
        )
    present = ~np.isnan(values)  # (N, W)
    lengths = present.sum(axis=1)  # (N,)
    gaps = np.argwhere(present != (np.arange(values.shape[1]) < lengths[:, None]))
    if gaps.size:
        row, step = gaps[0]
        raise ValueError(
            f"{_name(int(row), ids)} has a missing value (NaN) at position {step + 1}, before its end; "
            "only trailing NaN may pad a row: fill or drop missing values"
        )
    infinite = np.argwhere(np.isinf(values))
    if infinite.size:
        row, step = infinite[0]
        raise ValueError(
            f"{_name(int(row), ids)} has {values[row, step]} at position {step + 1}; "
            "numbers must be finite (|x| < 1.8e308)"
        )
    short = np.flatnonzero(lengths < MIN_VALUES)
    if short.size:
        raise ValueError(
            f"expected at least {MIN_VALUES} values, got {lengths[short[0]]} in {_name(int(short[0]), ids)}; "
            "give longer sequences or drop the short ones"
        )
    return values, lengths.astype(np.int64)

