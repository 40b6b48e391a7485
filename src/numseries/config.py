"""Typed configuration, saved as ``config.json`` next to the weights. No torch import here."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from numseries.generate import MAX_LENGTH, MIN_LENGTH


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Architecture of :class:`numseries.model.LSTMWithAttention`."""

    max_len: int = 64  # longest context the model reads; longer input keeps its last max_len values
    hidden_size: int = 64  # LSTM hidden units
    num_layers: int = 1  # stacked LSTM layers
    head_size: int = 64  # hidden units of the output MLP
    dropout: float = 0.0  # between LSTM layers (training only)

    def __post_init__(self) -> None:
        if not MIN_LENGTH <= self.max_len <= MAX_LENGTH:
            raise ValueError(f"max_len must be in [{MIN_LENGTH}, {MAX_LENGTH}], got {self.max_len}")
        for name in ("hidden_size", "num_layers", "head_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown model config key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        path = Path(path)
        try:
            values = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"cannot read model config {path}: {err}; re-save the weights folder") from err
        return cls.from_dict(values)
