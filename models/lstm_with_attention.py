"""Seed entry point, kept so that ``from models.lstm_with_attention import LSTMWithAttention`` works.

The model lives in :mod:`numseries.model`; this module only re-exports it.
"""

from numseries.config import ModelConfig
from numseries.model import LSTMWithAttention

__all__ = ["LSTMWithAttention", "ModelConfig"]
