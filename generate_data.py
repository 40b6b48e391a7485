"""Seed entry point, kept so that ``from generate_data import generate_dataset`` works from a checkout.

The generator lives in :mod:`numseries.generate`; this module only re-exports it.
"""

from numseries.generate import FAMILIES, SequenceBatch, generate_batch, generate_dataset, register

__all__ = ["FAMILIES", "SequenceBatch", "generate_batch", "generate_dataset", "register"]
