"""Typed configuration, saved as ``config.json`` next to the weights, and the length limits every module
shares. Imports nothing from the package (and no torch), so any module can import it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MIN_LENGTH = 2  # shortest context the model and the generator compute with (one step to scale by)
MAX_LENGTH = 4096  # longest
MIN_VALUES = 3  # shortest sequence a prediction accepts; training's shortest context by default
GENERATED_MIN_LEN = 4  # default shortest context of generate_batch, generate_dataset and StreamingDataset
N_FEATURES = 3  # what the model reads per step: normalised value, normalised step, position from the end
MAX_STEPS = 10_000  # longest forecast: one model call a step, and errors compound with the horizon

# Sizes a config.json may ask for, checked before anything is allocated: a hidden_size of 20,000 took
# 27 s and 9.6 GB before it failed (issue 18). The shipped model has 66,000 parameters.
_MODEL_INT_RANGES = {
    "max_len": (MIN_VALUES, MAX_LENGTH),  # a model reads at least the fewest values a prediction takes (the rules need 3)
    "hidden_size": (1, 8192),
    "num_layers": (1, 64),
    "head_size": (1, 8192),
}
MAX_PARAMETERS = 100_000_000  # 400 MB of float32 weights


def check_lengths(min_len: int, max_len: int) -> None:
    """Refuse context lengths outside ``MIN_LENGTH <= min_len <= max_len <= MAX_LENGTH``."""
    if not MIN_LENGTH <= min_len <= max_len <= MAX_LENGTH:
        raise ValueError(
            f"lengths must satisfy {MIN_LENGTH} <= min_len <= max_len <= {MAX_LENGTH}, got "
            f"min_len={min_len}, max_len={max_len}; pass e.g. min_len={GENERATED_MIN_LEN}, max_len=64"
        )


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Architecture of :class:`numseries.model.LSTMWithAttention`."""

    max_len: int = 64  # longest context the model reads; longer input keeps its last max_len values
    hidden_size: int = 64  # LSTM hidden units
    num_layers: int = 1  # stacked LSTM layers
    head_size: int = 64  # hidden units of the output MLP
    dropout: float = 0.0  # between LSTM layers (training only)
    # Optional heads on the same features (empty: no head). Quantile levels of the predictive
    # distribution, symmetric around the median 0.5 (which is the point prediction); and the names of
    # the generator families a pattern head tells apart.
    quantile_levels: tuple[float, ...] = ()
    pattern_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name, kind in (("quantile_levels", "numbers"), ("pattern_names", "names")):
            items = getattr(self, name)
            wanted = str if kind == "names" else numbers.Real
            if not isinstance(items, (list, tuple)) or not all(
                isinstance(item, wanted) and not isinstance(item, bool) for item in items
            ):
                raise ValueError(f"{name} must be a list of {kind}, got {items!r}")
        object.__setattr__(self, "quantile_levels", tuple(float(q) for q in self.quantile_levels))
        object.__setattr__(self, "pattern_names", tuple(self.pattern_names))
        levels = self.quantile_levels
        edge = next((q for q in levels if 0 < q < 1 and not 0 < 1 - q < 1), None)
        if edge is not None:  # 1e-20: its pair 1 - 1e-20 is 1.0 in floating point
            raise ValueError(
                f"quantile level {edge!r} is too close to 0 or 1: its pair 1 - q rounds to {1 - edge:g}; "
                "use levels such as 0.01 0.5 0.99"
            )
        if levels:
            symmetric = all(abs(a + b - 1.0) < 1e-9 for a, b in zip(levels, reversed(levels), strict=True))
            inside = 0 < levels[0] and levels[-1] < 1
            if not (0.5 in levels and symmetric and list(levels) == sorted(set(levels)) and inside):
                raise ValueError(
                    f"quantile_levels must be increasing in (0, 1), hold 0.5 and pair each level q with 1 - q, "
                    f"got {list(levels)}; e.g. 0.1 0.5 0.9"
                )
        if len(set(self.pattern_names)) != len(self.pattern_names) or len(self.pattern_names) == 1:
            raise ValueError(f"pattern_names must be 2 or more distinct names, got {list(self.pattern_names)}")
        for name, (low, high) in _MODEL_INT_RANGES.items():  # checked before any arithmetic on them
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer from {low} to {high:,}, got {value!r}")
        dropout = self.dropout
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
        count = self.parameter_count()
        if count > MAX_PARAMETERS:
            raise ValueError(
                f"this architecture has {count:,} parameters (hidden_size {self.hidden_size}, num_layers "
                f"{self.num_layers}, head_size {self.head_size}), over the limit of {MAX_PARAMETERS:,} "
                f"({4 * MAX_PARAMETERS // 10**6:,} MB of float32 weights); choose smaller sizes"
            )

    def tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every tensor in the model's state_dict, by name, computed without building the model
        (:class:`numseries.model.LSTMWithAttention` makes tensors of exactly these shapes)."""
        hidden, head, features = self.hidden_size, self.head_size, N_FEATURES
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(self.num_layers):
            inputs = features if layer == 0 else hidden
            shapes |= {
                f"lstm.weight_ih_l{layer}": (4 * hidden, inputs),
                f"lstm.weight_hh_l{layer}": (4 * hidden, hidden),
                f"lstm.bias_ih_l{layer}": (4 * hidden,),
                f"lstm.bias_hh_l{layer}": (4 * hidden,),
            }
        shapes |= {"query.weight": (hidden, hidden), "key.weight": (hidden, hidden), "key.bias": (hidden,)}
        shapes["score.weight"] = (1, hidden)
        heads = [("head", 1), ("quantile_head", len(self.quantile_levels)), ("pattern_head", len(self.pattern_names))]
        for name, outputs in heads:
            if outputs:  # each head is the MLP Linear(2H + F, S), GELU, Linear(S, S), GELU, Linear(S, outputs)
                layers = ((2 * hidden + features, head), (head, head), (head, outputs))  # (inputs, outputs)
                for index, (n_in, n_out) in zip((0, 2, 4), layers, strict=True):
                    shapes |= {f"{name}.{index}.weight": (n_out, n_in), f"{name}.{index}.bias": (n_out,)}
        return shapes

    def parameter_count(self) -> int:
        return sum(math.prod(shape) for shape in self.tensor_shapes().values())

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        for name in ("quantile_levels", "pattern_names"):  # saved only when present: older readers still load
            if not values[name]:
                del values[name]
            else:
                values[name] = list(values[name])
        return values

    def without_heads(self) -> ModelConfig:
        """The same backbone with no optional heads."""
        return dataclasses.replace(self, quantile_levels=(), pattern_names=())

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        if not isinstance(values, dict):
            raise ValueError(f"expected a JSON object of settings, got a {type(values).__name__}")
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known, key=str)
        if unknown:
            raise ValueError(f"unknown model config key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        """The config in a ``config.json``; a ``ValueError`` naming the file (and the field) when it is not one."""
        path = Path(path)
        values = read_json(path, "model config")
        try:
            return cls.from_dict(values)
        except ValueError as err:
            raise ValueError(f"model config {path}: {err}; re-save the weights folder") from None


MAX_JSON_BYTES = 10 * 2**20  # config.json and training_info.json are a few kB


def read_json(path: str | Path, what: str) -> Any:
    """The JSON value in ``path``; a one-line ``ValueError`` naming ``what`` and the file when it cannot be
    read: missing, too large, not UTF-8, not JSON, or nested too deeply for Python's parser."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise ValueError(f"it is over {MAX_JSON_BYTES // 2**20} MiB")
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError(f"cannot read {what} {path}: it is nested too deeply; re-save the weights folder") from None
    except (OSError, ValueError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ValueError(f"cannot read {what} {path}: {reason}; re-save the weights folder") from None


# Ranges of TrainConfig's numbers: (lowest, highest) for integers; (lowest, highest, lowest excluded) for
# floats. A batch of 16,384 sequences of 64 steps already needs ~2 GB of LSTM activations, and 1,000,000
# validation sequences ~1 GB; seeds go to torch, numpy and Lightning, which takes 32 bits.
_TRAIN_INT_RANGES = {
    "batch_size": (1, 16_384),
    "batches_per_epoch": (1, 10_000_000),
    "val_samples": (1, 1_000_000),
    "max_epochs": (1, 1_000_000),
    "patience": (1, 1_000_000),
    "seed": (0, 2**32 - 1),
    "num_workers": (0, 256),
    "rollout_steps": (1, 32),
}
_TRAIN_FLOAT_RANGES = {
    "lr": (0.0, 10.0, True),
    "weight_decay": (0.0, 10.0, False),
    "grad_clip": (0.0, 1e6, True),
    "min_delta": (0.0, 1e6, False),
    "ema_decay": (0.0, 1.0 - 1e-12, False),
    "max_minutes": (0.0, 525_600.0, True),  # a year
    "attention_loss": (0.0, 100.0, False),
    "rollout_loss": (0.0, 100.0, False),
}


def positive_argument(text: str) -> int:
    """An option that counts something, such as ``--n-jobs``: a whole number of at least 1, refused by argparse
    (one line naming the option) before any work starts."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}; e.g. 2")
    return value


def repeated(names: Sequence[str]) -> list[str]:
    """The names ``names`` holds more than once, sorted (a family named twice on a command line)."""
    return sorted({name for name in names if names.count(name) > 1})


def seed_argument(text: str) -> int:
    """``--seed`` of a command: an integer in the range TrainConfig's seed has (what numpy, torch and Lightning take)."""
    low, high = _TRAIN_INT_RANGES["seed"]
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be an integer from {low} to {high:,}, got {text!r}; e.g. 0")
    return value


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """What ``numseries train`` trains on and how long; saved in ``training_info.json``."""

    batch_size: int = 256
    batches_per_epoch: int = 500
    val_samples: int = 20_000
    max_epochs: int = 100
    max_minutes: float | None = None
    patience: int = 6
    min_delta: float = 1e-4
    lr: float = 2e-3
    weight_decay: float = 1e-5
    grad_clip: float = 1.0
    ema_decay: float = 0.999  # validate and keep an exponential moving average of the weights; 0: off
    seed: int = 0
    min_len: int = MIN_VALUES  # the shortest context trained on: what a prediction accepts
    num_workers: int = 0  # DataLoader processes generating training batches
    families: tuple[str, ...] | None = None  # None: every training family; checked where the data is made
    heads_only: bool = False  # train only the optional heads of --init-weights' model, the rest frozen
    attention_loss: float = 0.0  # weight of the loss that aligns the attention with the per-step weights; 0: off
    detach_heads: bool = False  # the heads' losses train the heads only; the point prediction learns from its L1 alone
    rollout_loss: float = 0.0  # weight of the scaled L1 of forecasts that feed the model's predictions back; 0: off
    rollout_steps: int = 4  # steps of those forecasts

    def __post_init__(self) -> None:
        twice = repeated(self.families or ())  # linear twice: twice its share?
        if twice:
            raise ValueError(
                f"families names {', '.join(twice)} more than once; name each family once (a family's share of "
                "the data is set where it is registered, by its weight)"
            )
        if self.num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, got {self.num_workers}")
        for name in ("batch_size", "batches_per_epoch", "val_samples", "max_epochs", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}; 0 turns weight averaging off")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be > 0, got {self.max_minutes}; leave it out for no time limit")
        for name, (low, high) in _TRAIN_INT_RANGES.items():  # whole numbers, bounded so memory stays sane
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer from {low} to {high:,}, got {value!r}")
        for name, (floor, ceiling, open_floor) in _TRAIN_FLOAT_RANGES.items():  # finite numbers in their range
            number = getattr(self, name)
            if name == "max_minutes" and number is None:
                continue
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
                raise ValueError(f"{name} must be a finite number, got {number!r}")
            if number < floor or number > ceiling or (open_floor and number == floor):
                bound = f"> {floor:g}" if open_floor else f">= {floor:g}"
                raise ValueError(f"{name} must be {bound} and <= {ceiling:g}, got {number!r}")
