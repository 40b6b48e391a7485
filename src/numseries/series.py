"""Arrays of series and the numpy helpers every module shares: no generator, no torch.

Contexts are right-padded (N, T) arrays with prefix masks: row ``i`` holds its ``lengths[i]`` values in
its first columns. The model (:mod:`numseries.model`) has its own torch versions of :func:`keep_last`
and :func:`step_scale` inside its graph; tests check that the two agree.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class SequenceBatch:
    """Contexts with their next values, right-padded with zeros. ``N`` series, ``T`` steps."""

    data: np.ndarray  # (N, T) float64 context values, 0 after each length
    labels: np.ndarray  # (N,) float64 the value right after the context
    masks: np.ndarray  # (N, T) bool, True on the first ``lengths[i]`` steps
    lengths: np.ndarray  # (N,) int64 context lengths
    family_ids: np.ndarray  # (N,) int64 index into ``family_names``
    family_names: tuple[str, ...]
    clean_labels: np.ndarray  # (N,) float64 the next value before noise (== labels when noise-free)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def families(self) -> np.ndarray:
        """(N,) family name of each series."""
        return np.asarray(self.family_names, dtype=object)[self.family_ids]


def mean_abs_step(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N, T) values with prefix masks -> (N,) mean absolute step of each context (0 when constant)."""
    valid = masks[:, 1:] & masks[:, :-1]
    steps = np.abs(np.diff(values, axis=1)) * valid
    return steps.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)


def step_scale(values: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """(N,) the scale the model divides by: the mean absolute step, 1 where the context is constant."""
    step = mean_abs_step(values, masks)
    return np.where(step > 0, step, 1.0)


def keep_last(values: np.ndarray, lengths: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Crop (N, T) prefix-padded rows to (N, min(T, width)), keeping each row's last ``width`` values.

    Returns the cropped values and the (N, min(T, width)) column of ``values`` each came from; rows of
    ``width`` values or fewer keep their place (columns past their length hold the padding).
    """
    columns = min(values.shape[1], width)
    start = np.maximum(np.asarray(lengths) - width, 0)  # (N,)
    index = start[:, None] + np.arange(columns)  # (N, columns), all < T
    if values.shape[1] <= width:  # nothing to crop: no copy
        return values, index
    return np.take_along_axis(values, index, axis=1), index
