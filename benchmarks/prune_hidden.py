"""Cut a trained model's LSTM to fewer hidden units, as the starting point of a fine-tune (an experiment
towards a cheaper network: the LSTM is about two thirds of onnxruntime's time).

    python benchmarks/prune_hidden.py --weights src/numseries/weights --hidden-size 48 --out /work/runs/p48/init
    numseries train --init-weights /work/runs/p48/init --out /work/runs/p48/weights ...

Which units stay: those whose hidden state varies most, weighted by how much the layers that read it
(the next step's gates, the attention's key and query, the heads) depend on it, measured on generated
series. The attention's internal dimensions (key, query, score) are cut to the same size by the size of
their score weights. Every layer that reads the hidden state keeps the columns of the units that stay;
nothing else changes, so the cut model is the trained one minus the dropped units' contributions, and
the fine-tune starts from there rather than from random weights.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import torch

from numseries.config import N_FEATURES
from numseries.generate import generate_batch
from numseries.model import LSTMWithAttention, _mirror, normalise
from numseries.weights import load_model, save_pretrained


def unit_importance(model: LSTMWithAttention, n: int = 4000, seed: int = 5) -> np.ndarray:
    """(H,) how much each hidden unit carries: its standard deviation over the steps of generated series
    (both passes) times the norm of the weights that read it."""
    rng = np.random.default_rng(seed)
    batch = generate_batch(n, lengths=rng.integers(8, model.config.max_len + 1, n), seed=seed)
    mask = torch.from_numpy(np.arange(batch.data.shape[1])[None, :] < batch.lengths[:, None])
    x = torch.from_numpy(np.nan_to_num(batch.data))
    with torch.no_grad():
        features, _, _ = normalise(x, mask, model.config.max_len)
        outputs, _ = model.lstm(torch.cat([features, _mirror(features)]))  # (2N, T, H)
        h = outputs[torch.cat([mask, mask])]  # (steps, H)
    hidden = model.config.hidden_size
    readers = [model.lstm.weight_hh_l0, model.key.weight, model.query.weight, model.head[0].weight[:, : 2 * hidden]]
    reads = sum((w.detach().reshape(w.shape[0], -1, hidden) ** 2).sum(dim=(0, 1)) for w in readers)  # (H,)
    return (h.std(dim=0) * reads.sqrt()).numpy()


def prune(model: LSTMWithAttention, hidden: int) -> LSTMWithAttention:
    """A copy of ``model`` with ``hidden`` LSTM units (and attention dimensions), the rest dropped."""
    c = model.config
    keep = torch.from_numpy(np.sort(np.argsort(-unit_importance(model))[:hidden]))
    attend = torch.sort(torch.argsort(-model.score.weight.detach().abs()[0])[:hidden]).values
    gates = torch.cat([keep + k * c.hidden_size for k in range(4)])  # rows of the i, f, g, o blocks
    head_columns = torch.cat([keep, c.hidden_size + keep, 2 * c.hidden_size + torch.arange(N_FEATURES)])
    small = LSTMWithAttention(dataclasses.replace(c, hidden_size=hidden))
    old = model.state_dict()
    new = {
        "lstm.weight_ih_l0": old["lstm.weight_ih_l0"][gates],
        "lstm.weight_hh_l0": old["lstm.weight_hh_l0"][gates][:, keep],
        "lstm.bias_ih_l0": old["lstm.bias_ih_l0"][gates],
        "lstm.bias_hh_l0": old["lstm.bias_hh_l0"][gates],
        "query.weight": old["query.weight"][attend][:, keep],
        "key.weight": old["key.weight"][attend][:, keep],
        "key.bias": old["key.bias"][attend],
        "score.weight": old["score.weight"][:, attend],
    }
    for name, value in old.items():
        if name in new:
            continue
        if name.endswith("0.weight") and name.split(".")[0] in ("head", "quantile_head", "pattern_head"):
            new[name] = value[:, head_columns]  # the first layer of a head reads [context, h_last, features]
        else:
            new[name] = value
    small.load_state_dict(new)
    return small.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", default="src/numseries/weights")
    parser.add_argument("--hidden-size", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    model = load_model(args.weights)
    if not 0 < args.hidden_size < model.config.hidden_size:
        parser.error(f"--hidden-size must be in 1..{model.config.hidden_size - 1}, got {args.hidden_size}")
    small = prune(model, args.hidden_size)
    save_pretrained(small, Path(args.out), {"pruned_from": str(args.weights), "hidden_size": args.hidden_size})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
