"""Seed entry point, kept so that ``from train_loop import train_model`` works from a checkout.

Training lives in :mod:`numseries.train`; this module only re-exports it.
"""

from numseries.config import TrainConfig
from numseries.train import run_training, train_model

__all__ = ["TrainConfig", "run_training", "train_model"]
