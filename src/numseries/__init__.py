"""numseries: predict the next value of a short numeric sequence, and show which steps it used.

Light to import: torch and the other heavy libraries load only when a name that needs them is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "generate_batch": "numseries.generate",
    "generate_dataset": "numseries.generate",
    "register": "numseries.generate",
    "ModelConfig": "numseries.config",
    "LSTMWithAttention": "numseries.model",
    "load_model": "numseries.weights",
    "save_pretrained": "numseries.weights",
    "Predictor": "numseries.predict",
    "train_model": "numseries.train",
    "run_training": "numseries.train",
    "TrainConfig": "numseries.config",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'numseries' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
