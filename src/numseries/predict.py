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
    result.value, result.attention  # 12.0, (5,) weights summing to 1
    result.exact, result.pattern  # True, 'arithmetic, step 2'

Before the network, :mod:`numseries.rules` looks for an exact rule (Fibonacci, squares, factorials,
periods, ...) in the values the model reads; when one fits, the prediction is the rule's next value,
exactly, and ``exact`` is True. ``rules=False`` switches it off.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import numpy as np

from numseries.config import MIN_VALUES
from numseries.rules import Rule, find_rule, find_rules
from numseries.series import keep_last
from numseries.weights import ONNX_FILE, WeightsLocation, load_model, locate

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "onnxruntime", "torch")
MAX_STEPS = 10_000  # longest forecast: one model call a step, and errors compound with the horizon
_ROWS_IN_FLIGHT = 4096  # most series in model calls at once, over all workers: bounds a batch's memory
_MIN_GROUP_ROWS = 256  # fewest series per model call when workers share _ROWS_IN_FLIGHT

# x (B, T) float64, mask (B, T) bool -> prediction (B,) float64, attention (B, T) float32
Runner = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The next value of one sequence.

    ``attention`` has one weight per input value, summing to 1; values before the model's window
    (``cropped``) get 0. When an exact rule fits the values the model read, ``value`` is its next value,
    ``exact`` is True, ``pattern`` describes it and ``rule`` holds it (its exact next value, its
    coefficients on the inputs, its continuation); otherwise ``pattern`` is "" and ``rule`` None.
    """

    value: float
    attention: np.ndarray  # (n_values,) float32
    n_used: int  # values the model read: the last min(n_values, max_len)
    pattern: str = ""  # the rule, e.g. "Fibonacci-like: x[t] = x[t-1] + x[t-2]"; "" when none fits
    exact: bool = False  # value is a rule's exact continuation, not the network's estimate
    rule: Rule | None = None

    @property
    def n_values(self) -> int:
        return len(self.attention)

    @property
    def cropped(self) -> bool:
        return self.n_used < self.n_values


@dataclasses.dataclass(frozen=True)
class BatchPrediction:
    """Next values of N sequences.

    Row ``i`` of ``attention`` holds the weights of the last ``n_used[i]`` values of sequence ``i`` in its
    first ``n_used[i]`` columns (0 beyond), so the array is at most ``max_len`` wide.
    """

    values: np.ndarray  # (N,) float64
    attention: np.ndarray  # (N, W) float32, W = max(n_used)
    n_values: np.ndarray  # (N,) int64 values given
    n_used: np.ndarray  # (N,) int64 values the model read
    patterns: list[str] = dataclasses.field(default_factory=list)  # (N,) each series' exact rule, "" for none
    exact: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=bool))  # (N,) bool

    def __post_init__(self) -> None:
        if len(self.patterns) != len(self.values):  # built without rules: none found
            object.__setattr__(self, "patterns", [""] * len(self.values))
            object.__setattr__(self, "exact", np.zeros(len(self.values), dtype=bool))


class Predictor:
    """A loaded model that predicts next values. Build it with :meth:`from_pretrained` or :meth:`from_model`."""

    def __init__(
        self, run: Runner, max_len: int, runtime: str, source: str, workers: int = 1, rules: bool = True
    ) -> None:
        self._run = run
        self.max_len = max_len  # longest window the model reads; longer input keeps its last values
        self.runtime = runtime  # "onnxruntime" or "torch"
        self.source = source
        self.workers = workers  # groups of a batch run at once (onnxruntime: one thread each)
        self.rules = rules  # continue sequences that follow an exact rule exactly (numseries.rules)

    def __repr__(self) -> str:
        return f"Predictor(source={self.source!r}, runtime={self.runtime!r}, max_len={self.max_len})"

    @classmethod
    def from_pretrained(
        cls, path: str | Path | None = None, *, runtime: str = "auto", rules: bool = True
    ) -> Predictor:
        """Load a model: ``None`` is the shipped one; else a weights folder, ``.onnx``, ``.pt`` or ``.safetensors``.

        ``runtime="auto"`` runs ONNX files, and folders that hold a ``model.onnx``, on onnxruntime, and
        everything else on torch (which needs the ``train`` extra). A folder's ``model.onnx`` that is not
        an export of its ``model.safetensors`` (the weights were trained again since) is never run: the
        folder runs on torch with a logged note, or, without torch or with ``runtime="onnxruntime"``, a
        ``ValueError`` says to export it again. ``rules=False``: the network only.
        """
        predictor = cls._load(path, runtime)
        predictor.rules = rules
        return predictor

    @classmethod
    def _load(cls, path: str | Path | None, runtime: str) -> Predictor:
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        location = locate(path, as_onnx=runtime == "onnxruntime")
        if runtime == "torch" and location.onnx == location.path:
            raise ValueError(f"{location.path} is an ONNX file, which runs on onnxruntime only; use runtime='auto'")
        if runtime == "onnxruntime" or (runtime == "auto" and location.onnx is not None):
            if location.onnx is None:
                raise ValueError(
                    f"{location.path / ONNX_FILE if location.path.is_dir() else location.path} is not an ONNX "
                    "model file; create one with "
                    "`numseries export --format onnx --weights WEIGHTS_FOLDER --out FILE.onnx`"
                )
            predictor, stale = _from_onnx(location)
            if stale is None:
                return predictor
            fix = f"re-export it: numseries export --weights {location.folder} --out {location.onnx}"
            if runtime == "onnxruntime" or importlib.util.find_spec("torch") is None:
                raise ValueError(f"{location.onnx} {stale}, so it is stale; {fix}")
            log.warning("note: %s %s, so it is stale; running %s on torch instead (%s)",
                        location.onnx, stale, location.weights, fix)
        if importlib.util.find_spec("torch") is None:
            raise ValueError(f"loading {location.path} needs torch; install numseries[train] or use an .onnx model")
        return cls.from_model(load_model(location.path), source=str(location.path))

    @classmethod
    def from_model(cls, model: Any, *, source: str = "in-memory model", rules: bool = True) -> Predictor:
        """Serve a torch :class:`~numseries.model.LSTMWithAttention` held in memory (it is put in eval mode)."""
        import torch

        model.eval()

        def run(x: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with torch.inference_mode():
                prediction, attention = model(torch.from_numpy(x), torch.from_numpy(mask))
            return prediction.numpy(), attention.float().numpy()

        return cls(run, model.config.max_len, "torch", source, rules=rules)

    def predict(self, sequence: Sequence[float] | np.ndarray) -> Prediction:
        """Predict the value that follows ``sequence`` (at least ``MIN_VALUES`` finite numbers)."""
        values = _as_values(sequence)
        n = len(values)
        window, columns = keep_last(values[None], np.array([n]), self.max_len)  # (1, used)
        used = window.shape[1]
        prediction, attention = self._predict_padded(window, np.array([used]), None)
        weights = np.zeros(n, dtype=np.float32)
        weights[columns[0]] = attention[0]
        rule = find_rule(window[0]) if self.rules else None
        if rule is not None:
            return Prediction(float(rule.next_value), weights, used, rule.description, True, rule)
        return Prediction(float(prediction[0]), weights, used)

    def predict_batch(
        self, sequences: Sequence[Sequence[float]] | np.ndarray, ids: Sequence[Any] | None = None
    ) -> BatchPrediction:
        """Predict the next value of many sequences of any lengths.

        ``sequences`` is a list of sequences, or a 2-D float array with one sequence per row, shorter
        rows padded with trailing NaN. ``ids`` name the sequences in error messages. Series are
        grouped by length, so nothing is padded when the model runs. Anything else is a ``TypeError``.
        """
        sequences = _container(sequences, "sequences", "a list of sequences or a 2-D array")
        if not isinstance(sequences, Sequence) and np.ndim(sequences) == 1 and np.asarray(sequences).dtype == object:
            sequences = list(sequences)  # a pandas Series of lists, an array of arrays: one sequence each
        if ids is not None and len(ids) != len(sequences):
            raise ValueError(f"got {len(ids)} ids for {len(sequences)} sequences; give one id per sequence")
        if not isinstance(sequences, Sequence):  # an array
            values, n_values = _check_padded(_real_array(sequences, "sequences"), ids)
        else:
            rows = [_as_values(seq, _name(i, ids)) for i, seq in enumerate(sequences)]
            n_values = np.array([len(row) for row in rows], dtype=np.int64)
            values = np.full((len(rows), min(int(n_values.max(initial=0)), self.max_len)), np.nan)
            for i, row in enumerate(rows):  # each row's last values only: no (N, longest) array
                window = keep_last(row[None], n_values[i : i + 1], self.max_len)[0][0]
                values[i, : len(window)] = window
        values, _ = keep_last(values, n_values, self.max_len)
        n_used = np.minimum(n_values, self.max_len)
        predictions, attention = self._predict_padded(values, n_used, ids)
        patterns, exact = [""] * len(n_used), np.zeros(len(n_used), dtype=bool)
        for i, rule in (find_rules(values, n_used) if self.rules else {}).items():
            predictions[i], patterns[i], exact[i] = float(rule.next_value), rule.description, True
        return BatchPrediction(predictions, attention, n_values, n_used, patterns, exact)

    def forecast(self, sequence: Sequence[float] | np.ndarray, steps: int) -> np.ndarray:
        """Forecast ``steps`` values autoregressively: each prediction is appended and fed back in.

        Returns a (steps,) float64 array. Errors compound with the horizon: the model is trained for
        one step ahead. A sequence that follows an exact rule continues the rule instead.
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"steps must be an integer from 1 to {MAX_STEPS}, got {steps!r}; e.g. steps=5")
        values = _as_values(sequence)
        window, _ = keep_last(values[None], np.array([len(values)]), self.max_len)  # (1, used)
        rule = find_rule(window[0]) if self.rules else None
        if rule is not None:
            try:
                out = np.array([float(v) for v in rule.forecast(steps)])
            except OverflowError:
                out = np.array([np.inf])
            if not np.isfinite(out).all():
                raise ValueError(f"the forecast of {rule.description} overflows float64; forecast fewer steps")
            return out
        out = np.empty(steps)
        for k in range(steps):
            prediction, _ = self._predict_padded(window, np.array([window.shape[1]]), None)
            out[k] = prediction[0]
            grown = np.append(window, prediction[None], axis=1)  # (1, used + 1)
            window, _ = keep_last(grown, np.array([grown.shape[1]]), self.max_len)
        return out

    def _predict_padded(
        self, values: np.ndarray, lengths: np.ndarray, ids: Sequence[Any] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Checked (N, W) prefix-padded values with lengths in [MIN_VALUES, max_len] -> (N,), (N, max length)."""
        n = len(lengths)
        # Workers share _ROWS_IN_FLIGHT rows, so memory does not grow with the number of CPUs.
        workers = max(1, min(self.workers, _ROWS_IN_FLIGHT // _MIN_GROUP_ROWS))
        group_rows = _ROWS_IN_FLIGHT // workers
        predictions = np.empty(n)
        attention = np.zeros((n, int(lengths.max(initial=0))), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        sorted_lengths = lengths[order]
        edges = np.flatnonzero(sorted_lengths[1:] != sorted_lengths[:-1]) + 1  # where the length changes
        bounds = [0, *edges.tolist(), n] if n else []
        groups = [  # rows of one length, at most group_rows of them; longest first, to balance workers
            order[chunk : min(chunk + group_rows, stop)]
            for start, stop in zip(bounds[::-1][1:], bounds[::-1], strict=False)
            for chunk in range(start, stop, group_rows)
        ]

        def run_group(rows: np.ndarray) -> None:
            width = int(lengths[rows[0]])
            x = values[rows, :width]  # (b, width), a copy
            _, exponent = np.frexp(np.abs(x).max(axis=1))  # (b,): |x| / 2**exponent < 1
            x = np.ldexp(x, -exponent[:, None])  # exact: a power-of-two scale keeps every bit
            prediction, weights = self._run(x, np.ones(x.shape, dtype=bool))
            with np.errstate(over="ignore"):  # reported below, naming the series
                predictions[rows] = np.ldexp(prediction, exponent)
            attention[rows, :width] = weights

        if workers > 1 and len(groups) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(workers, len(groups))) as pool:
                list(pool.map(run_group, groups))
        else:
            for rows in groups:
                run_group(rows)
        bad = np.flatnonzero(~np.isfinite(predictions))
        if bad.size:
            raise ValueError(
                f"the prediction for {_name(int(bad[0]), ids)} overflows float64; "
                "divide the values by a large constant first"
            )
        return predictions, attention


def _from_onnx(location: WeightsLocation) -> tuple[Predictor, str | None]:
    """A Predictor running ``location.onnx`` on onnxruntime, and why that file is stale (``None``: it is not)."""
    import onnxruntime

    path = location.onnx
    assert path is not None
    try:
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: onnxruntime's warnings are not for our users
        # One thread: the LSTM's small steps gain nothing from threads that wait on each other at every
        # step. A batch runs its length groups in parallel instead (Predictor.workers).
        options.intra_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own error types for bad files
        raise ValueError(f"cannot load ONNX model {path}: {err}; re-export it with `numseries export`") from err
    names = ([i.name for i in session.get_inputs()], [o.name for o in session.get_outputs()])
    if names != (["x", "mask"], ["prediction", "attention"]):
        raise ValueError(
            f"{path} has inputs {names[0]} and outputs {names[1]}, not a numseries model's "
            "(x, mask -> prediction, attention); export one with `numseries export`"
        )
    metadata = session.get_modelmeta().custom_metadata_map
    if "max_len" in metadata:
        max_len = int(metadata["max_len"])
    elif location.config is not None:
        max_len = location.model_config().max_len
    else:
        raise ValueError(f"{path} does not record max_len; re-export it with `numseries export`")

    def run(x: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prediction, attention = session.run(None, {"x": x, "mask": mask})
        return prediction, attention

    return Predictor(run, max_len, "onnxruntime", str(path), workers=_cpus()), location.stale_onnx(metadata)


def _cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _name(index: int, ids: Sequence[Any] | None) -> str:
    return f"sequence {index}" if ids is None else f"series {ids[index]!r}"


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _container(data: Any, what: str, expected: str) -> Any:
    """Refuse what is not a list or an array (``TypeError``); a torch tensor comes back as a NumPy array."""
    if hasattr(data, "detach") and hasattr(data, "numpy"):  # torch, even with requires_grad or on a GPU
        return data.detach().cpu().numpy()
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{what} is a string, {_describe(data)}; pass numbers, e.g. [2, 4, 6]")
    if isinstance(data, (Mapping, AbstractSet)) or not (isinstance(data, Sequence) or hasattr(data, "__array__")):
        raise TypeError(f"{what} must be {expected}, got {type(data).__name__} {_describe(data)}")
    return data


def _real_array(data: Any, what: str) -> np.ndarray:
    """A list or array -> float64 array. Masked, complex and date-time values are a ``TypeError``; anything
    else that is not a number a ``ValueError``."""
    if np.ma.is_masked(data):
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
    if array.dtype.kind in "mM":
        raise TypeError(f"{what} holds {array.dtype} values, not numbers; pass numbers, e.g. seconds as floats")
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as err:  # words, None, ints beyond any float
        raise ValueError(f"{what} must hold numbers only, got {_describe(data)} ({err}); remove the rest") from None


def _as_values(sequence: Any, name: str | None = None) -> np.ndarray:
    """Check one sequence at the public boundary -> (n,) float64 of finite values, n >= MIN_VALUES.

    ``name`` says which sequence of a batch it is, in error messages.
    """
    where = f" in {name}" if name else ""
    name = name or "the sequence"
    values = _real_array(_container(sequence, name, "a list or array of numbers"), name)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional, got shape {values.shape}; use predict_batch for many sequences"
        )
    if len(values) < MIN_VALUES:
        raise ValueError(f"expected at least {MIN_VALUES} values, got {len(values)}{where}; give a longer sequence")
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(
            f"{name} has {values[bad[0]]} at position {bad[0] + 1}; numbers must be finite "
            "(|x| < 1.8e308, not NaN): fill or drop missing values"
        )
    return values


def _check_padded(values: np.ndarray, ids: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """Check a (N, W) float64 array whose rows are padded with trailing NaN -> values, lengths (N,)."""
    if values.ndim != 2:
        raise ValueError(
            f"expected a list of sequences or a 2-D array, got an array of shape {values.shape}; "
            "use predict() for a single sequence"
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

