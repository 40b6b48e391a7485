"""benchmarks/prune_hidden.py: cutting a model's LSTM to fewer units keeps exactly what the kept units
compute, so a fine-tune starts from the trained model minus the dropped units."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from conftest import TINY, benchmark_module
from numseries.model import LSTMWithAttention


def test_units_nothing_reads_are_cut_and_the_predictions_stay_the_same():
    prune = benchmark_module("prune_hidden.py")
    torch.manual_seed(0)
    config = dataclasses.replace(TINY, quantile_levels=(0.1, 0.5, 0.9))
    model = LSTMWithAttention(config)
    hidden, kept = config.hidden_size, 12
    dropped = torch.arange(kept, hidden)
    with torch.no_grad():  # units kept..hidden-1 are read by nothing, attention dims kept.. score nothing
        model.lstm.weight_hh_l0[:, dropped] = 0.0
        for layer in (model.key, model.query):
            layer.weight[:, dropped] = 0.0
        model.score.weight[:, dropped] = 0.0
        model.score.weight[:, :kept] += torch.sign(model.score.weight[:, :kept]) * 0.5  # clearly the largest
        for head in (model.head, model.quantile_head):
            head[0].weight[:, dropped] = 0.0
            head[0].weight[:, hidden + dropped] = 0.0
    model.eval()
    small = prune.prune(model, kept)
    assert small.config.hidden_size == kept and small.lstm.weight_hh_l0.shape == (4 * kept, kept)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(64, config.max_len)).cumsum(axis=1))
    with torch.no_grad():
        before, after = model.outputs(x), small.outputs(x)
    for name in ("prediction", "attention", "quantiles"):
        np.testing.assert_allclose(after[name].numpy(), before[name].numpy(), rtol=1e-5, atol=1e-6)


def test_cutting_the_real_units_changes_the_model():
    prune = benchmark_module("prune_hidden.py")
    torch.manual_seed(1)
    model = LSTMWithAttention(TINY).eval()
    small = prune.prune(model, 8)
    x = torch.from_numpy(np.random.default_rng(1).normal(size=(16, TINY.max_len)).cumsum(axis=1))
    with torch.no_grad():
        assert not torch.allclose(small(x)[0], model(x)[0])
