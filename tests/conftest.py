"""Shared fixtures. Tests run on CPU, offline; heavy libraries are imported only by tests that need them."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory):
    """A weights folder of a tiny, randomly initialised (seeded) model: config.json + model.safetensors."""
    import torch

    from numseries.config import ModelConfig
    from numseries.model import LSTMWithAttention
    from numseries.weights import save_pretrained

    torch.manual_seed(0)
    model = LSTMWithAttention(ModelConfig(max_len=16, hidden_size=8, num_layers=1, head_size=8))
    return save_pretrained(model, tmp_path_factory.mktemp("tiny") / "weights")
