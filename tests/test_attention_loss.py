"""The attention-alignment loss (``numseries train --attention-loss``): what it measures, and that training
with it moves the attention towards each step's share of |weight|."""

import pytest
import torch

from conftest import TINY, train_tiny
from conftest import tiny_batch as _batch
from numseries.config import TrainConfig
from numseries.gradient import torch_weights
from numseries.model import LSTMWithAttention
from numseries.train import SequenceModule, attention_alignment


def test_alignment_is_the_kl_divergence_from_the_share_of_weight_to_the_attention():
    torch.manual_seed(0)
    model = LSTMWithAttention(TINY).eval()
    x, _, mask = _batch(32)
    x = x.double().requires_grad_(True)
    loss = attention_alignment(model.forward_all(x, mask), x, mask)

    weights = torch_weights(model, x.detach(), mask)  # the per-step weights users are shown
    share = weights.abs() / weights.abs().sum(dim=1, keepdim=True)
    attention = model.forward_all(x.detach(), mask).attention.double()
    valid = mask & (share > 0)
    kl = torch.where(valid, share * (share.clamp_min(1e-300).log() - attention.clamp_min(1e-300).log()), 0.0)
    assert loss.item() == pytest.approx(kl.sum(dim=1).mean().item(), rel=1e-4)
    assert loss.item() > 0.01  # an untrained attention is not the weights' share


def test_training_with_the_loss_aligns_the_attention():
    torch.manual_seed(0)
    module = SequenceModule(LSTMWithAttention(TINY), attention_loss=1.0)
    held_out = _batch(256, seed=1)

    def alignment() -> float:
        x, _, mask = held_out
        x = x.double().requires_grad_(True)
        return attention_alignment(module.model.forward_all(x, mask), x, mask).item()

    before = alignment()
    train_tiny(module, {"l1", "attention"})
    assert alignment() < 0.7 * before


def test_the_loss_weight_is_checked():
    with pytest.raises(ValueError, match="attention_loss"):
        TrainConfig(attention_loss=-1.0)
    with pytest.raises(ValueError, match="attention_loss"):
        TrainConfig(attention_loss=float("nan"))
