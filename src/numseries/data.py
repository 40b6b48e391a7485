"""Torch data for training: a fixed dataset from generated arrays, and an endless stream of fresh batches.

Every batch is a tuple ``(x (B, T) float64, y (B,) float64, mask (B, T) bool)``, followed, when given the
pattern head's ``classes`` (family names), by each series' index into them ``(B,) int64`` (-1 for a
family outside them: its series train the other heads only).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, TensorDataset, get_worker_info

from numseries.config import GENERATED_MIN_LEN, check_lengths
from numseries.generate import generate_batch, resolve_families
from numseries.series import SequenceBatch

Batch = tuple[torch.Tensor, ...]


def batch_tensors(batch: SequenceBatch, classes: Sequence[str] | None = None) -> Batch:
    """Generated arrays -> ``(x, y, mask)`` tensors, and each series' index into ``classes`` when given."""
    tensors = (torch.from_numpy(batch.data), torch.from_numpy(batch.labels), torch.from_numpy(batch.masks))
    if classes is None:
        return tensors
    index = np.array([classes.index(name) if name in classes else -1 for name in batch.family_names], dtype=np.int64)
    return (*tensors, torch.from_numpy(index[batch.family_ids]))


def make_loader(
    batch: SequenceBatch,
    batch_size: int = 256,
    shuffle: bool = False,
    seed: int = 0,
    classes: Sequence[str] | None = None,
) -> DataLoader:
    """A DataLoader over a fixed set of generated sequences (validation and tests)."""
    generator = torch.Generator().manual_seed(seed)
    dataset = TensorDataset(*batch_tensors(batch, classes))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)


class StreamingDataset(IterableDataset):
    """Endless fresh data: each epoch yields ``batches_per_epoch`` new batches, never seen before.

    The random stream depends on ``(seed, epoch, rank, worker)``, so runs are reproducible, resumed
    runs continue with new data, and DDP ranks see different sequences. Each batch draws its longest
    length from a ladder of widths (short contexts are common and cheap), so little is padded.
    """

    def __init__(
        self,
        batch_size: int = 256,
        batches_per_epoch: int = 500,
        *,
        min_len: int = GENERATED_MIN_LEN,
        max_len: int = 64,
        families: Sequence[str] | None = None,
        seed: int = 0,
        classes: Sequence[str] | None = None,
    ) -> None:
        if batch_size < 1 or batches_per_epoch < 1:
            raise ValueError(
                f"batch_size and batches_per_epoch must be >= 1, got {batch_size} and {batches_per_epoch}"
            )
        check_lengths(min_len, max_len)
        self.families = resolve_families(families)
        self.batch_size = batch_size
        self.batches_per_epoch = batches_per_epoch
        self.min_len, self.max_len = min_len, max_len
        self.seed = seed
        self.classes = None if classes is None else list(classes)
        self.epoch = 0
        ladder = sorted({max(min_len, w) for w in (6, 12, 24, 48) if w < max_len} | {max_len})
        self.widths = np.array(ladder)
        weights = np.linspace(1.0, 2.0, len(ladder))  # longer widths a little more often
        self.width_weights = weights / weights.sum()

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.batches_per_epoch

    def __iter__(self) -> Iterator[Batch]:
        rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
        worker = get_worker_info()
        worker_id, n_workers = (worker.id, worker.num_workers) if worker else (0, 1)
        rng = np.random.default_rng([self.seed, self.epoch, rank, worker_id])
        for _ in range(worker_id, self.batches_per_epoch, n_workers):
            width = int(rng.choice(self.widths, p=self.width_weights))
            batch = generate_batch(
                self.batch_size, min_len=self.min_len, max_len=width, families=self.families, seed=rng
            )
            yield batch_tensors(batch, self.classes)
