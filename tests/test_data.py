"""Torch data: fixed loaders for validation, and an endless stream of fresh, reproducible batches."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

import numseries.data
from numseries.data import StreamingDataset, batch_tensors, make_loader
from numseries.generate import generate_batch


def _epoch(dataset: StreamingDataset) -> list[tuple[torch.Tensor, ...]]:
    return list(iter(dataset))


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and torch.equal(x, y) for batch_a, batch_b in zip(a, b, strict=True) for x, y in zip(batch_a, batch_b, strict=True)
    )


def test_stream_yields_batches_per_epoch_padded_batches_with_prefix_masks():
    dataset = StreamingDataset(batch_size=16, batches_per_epoch=12, min_len=4, max_len=64, seed=0)
    batches = _epoch(dataset)
    assert len(batches) == len(dataset) == 12
    for x, y, mask in batches:
        assert x.dtype == y.dtype == torch.float64 and mask.dtype == torch.bool
        assert x.shape == mask.shape and x.shape[0] == 16 and y.shape == (16,)
        assert x.shape[1] in dataset.widths and x.shape[1] <= 64
        lengths = mask.sum(dim=1)
        assert (lengths >= 4).all()
        torch.testing.assert_close(mask, torch.arange(x.shape[1])[None, :] < lengths[:, None])
        assert (x[~mask] == 0).all() and torch.isfinite(x).all() and torch.isfinite(y).all()
    assert len({x.shape[1] for x, _, _ in batches}) > 1  # widths vary, so short batches pad little


def test_stream_is_reproducible_and_fresh_every_epoch():
    first = _epoch(StreamingDataset(8, 4, max_len=16, seed=3))
    again = _epoch(StreamingDataset(8, 4, max_len=16, seed=3))
    assert _same(first, again)
    dataset = StreamingDataset(8, 4, max_len=16, seed=3)
    dataset.set_epoch(1)
    assert not _same(first, _epoch(dataset))
    assert not _same(first, _epoch(StreamingDataset(8, 4, max_len=16, seed=4)))


def test_workers_split_an_epoch_without_repeating_batches(monkeypatch):
    dataset = StreamingDataset(4, 7, max_len=16, seed=0)
    per_worker = []
    for worker_id in (0, 1):
        monkeypatch.setattr(numseries.data, "get_worker_info", lambda i=worker_id: SimpleNamespace(id=i, num_workers=2))
        per_worker.append(_epoch(dataset))
    assert [len(batches) for batches in per_worker] == [4, 3]  # 7 batches in all
    assert not _same(per_worker[0][:3], per_worker[1])


def test_ranks_see_different_data(monkeypatch):
    dataset = StreamingDataset(4, 3, max_len=16, seed=0)
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    epochs = []
    for rank in (0, 1):
        monkeypatch.setattr(torch.distributed, "get_rank", lambda r=rank: r)
        epochs.append(_epoch(dataset))
    assert not _same(*epochs)


def test_stream_draws_only_the_named_families(monkeypatch):
    seen = []
    real = numseries.data.generate_batch

    def spy(*args, **kwargs):
        batch = real(*args, **kwargs)
        seen.extend(batch.families)
        return batch

    monkeypatch.setattr(numseries.data, "generate_batch", spy)
    _epoch(StreamingDataset(32, 2, max_len=16, families=["linear", "wave"], seed=0))
    assert set(seen) == {"linear", "wave"}


def test_fixed_loader_serves_every_sequence_once_in_a_seeded_order():
    batch = generate_batch(50, max_len=16, seed=1)
    x, y, mask = batch_tensors(batch)
    assert np.shares_memory(x.numpy(), batch.data)  # no copy
    in_order = torch.cat([b[1] for b in make_loader(batch, batch_size=16)])
    torch.testing.assert_close(in_order, y)
    shuffled = [torch.cat([b[1] for b in make_loader(batch, batch_size=16, shuffle=True, seed=s)]) for s in (0, 0, 1)]
    torch.testing.assert_close(shuffled[0], shuffled[1])
    assert not torch.equal(shuffled[0], shuffled[2])
    torch.testing.assert_close(shuffled[0].sort().values, y.sort().values)


@pytest.mark.parametrize(("batch_size", "batches"), [(0, 10), (16, 0)])
def test_empty_batches_are_refused(batch_size, batches):
    with pytest.raises(ValueError, match=rf"batch_size and batches_per_epoch must be >= 1, got {batch_size} and {batches}"):
        StreamingDataset(batch_size, batches)


def test_stream_refuses_unknown_families_and_bad_lengths():
    with pytest.raises(ValueError, match="unknown family 'fibonacci'; known families: linear"):
        StreamingDataset(8, 2, families=["fibonacci"])
    with pytest.raises(ValueError, match="got min_len=32, max_len=16"):
        StreamingDataset(8, 2, min_len=32, max_len=16)
