"""A small family classifier, apart from the point model: which generator family a sequence looks like.

The point model's pattern head reads the frozen backbone's features, which were trained to predict a
value, not to name a family. This model is trained for that alone, on the generator's family labels,
and ships as ONNX beside the weights (``patterns.onnx`` and ``patterns.json``, see
:mod:`numseries.patterns`). It is a 1-D CNN over the normalised values and their first and second
differences, with a few scale-free statistics, so ``x -> a*x + b`` (``a > 0``) leaves its answer
unchanged by construction. Needs torch (the ``train`` extra)::

    python -m numseries.family --out src/numseries/weights --minutes 35

trains it (one thread), measures its confusion per length bucket on held-out generated data, groups
the families it cannot tell apart (:func:`numseries.patterns.confusion_groups`), and writes both files.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from numseries.config import MIN_VALUES
from numseries.generate import generate_batch
from numseries.patterns import (
    GROUP_BUCKETS,
    GROUP_THRESHOLD,
    ClassifierConfig,
    Groups,
    bucket_index,
    confusion_groups,
    save_classifier,
)

log = logging.getLogger(__name__)

# The shipped point model's pattern_names: the 14 training families and the 3 held out of the point model.
FAMILY_NAMES = (
    "linear", "sinusoidal", "log_decay", "mixed", "noisy", "noisy_line", "noisy_stochastic", "polynomial",
    "exponential", "random_walk", "ar", "step", "wave", "kernel_synth", "logistic", "chirp", "power_law",
)  # fmt: skip
VALIDATION_SEED = 2_000_029  # the held-out cases the groups are measured on; never a training stream
_FLOOR = 1e-4  # a scale below this share of the one above it is rounding error, not signal
N_SCALARS = 5


def _rms(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt((x * x).mean(dim=1, keepdim=True))  # (B, 1)


def _floored(scale: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """``scale`` raised to ``_FLOOR * reference``; 1 where both are 0 (a constant input)."""
    floored = torch.maximum(scale, _FLOOR * reference)
    return torch.where(floored > 0, floored, torch.ones_like(floored))


def features(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T) float64 values, T >= 3 -> ((B, 4, T) float32 channels, (B, N_SCALARS) float32 statistics).

    Channels: the values centred and divided by their RMS, the first and the second differences each
    divided by its RMS (0 before they start), and the position from -1 to 1. Statistics: the log-ratios
    of the three RMS, the lag-1 correlation of the first differences, their mean over their RMS (a
    trend's sign and steadiness), and the log of the length. All are unchanged by ``a*x + b``, ``a > 0``.
    """
    centred = x - x.mean(dim=1, keepdim=True)  # (B, T) float64: the shift cancels here, exactly
    s0 = _rms(centred)
    d1 = x[:, 1:] - x[:, :-1]  # (B, T-1)
    s1 = _floored(_rms(d1), s0)
    d2 = d1[:, 1:] - d1[:, :-1]  # (B, T-2)
    s2 = _floored(_rms(d2), s1)
    s0 = torch.where(s0 > 0, s0, torch.ones_like(s0))
    z = (centred / s0).float()
    z1 = nn.functional.pad((d1 / s1).float(), (1, 0))  # (B, T)
    z2 = nn.functional.pad((d2 / s2).float(), (2, 0))  # (B, T)
    ones = torch.ones_like(z)
    position = 2 * (torch.cumsum(ones, dim=1) - 1) / (ones.sum(dim=1, keepdim=True) - 1) - 1  # (B, T)
    channels = torch.stack([z, z1, z2, position], dim=1)  # (B, 4, T)
    n1 = d1.shape[1]
    lag1 = (z1[:, 2:] * z1[:, 1:-1]).sum(dim=1, keepdim=True) / n1  # (B, 1)
    scalars = torch.cat(
        [
            torch.log(s1 / s0).float(),
            torch.log(s2 / s1).float(),
            lag1,
            z1[:, 1:].mean(dim=1, keepdim=True),
            torch.log(ones.sum(dim=1, keepdim=True)) / math.log(64),
        ],
        dim=1,
    )  # (B, N_SCALARS)
    return channels, scalars


class FamilyClassifier(nn.Module):
    """(B, T) float64 values -> (B, K) float32 probabilities over ``names``; any T >= 3, no padding."""

    def __init__(self, names: Sequence[str] = FAMILY_NAMES, channels: int = 16, hidden: int = 64) -> None:
        super().__init__()
        self.names = tuple(names)
        self.convs = nn.ModuleList(
            [nn.Conv1d(4, channels, 3, padding=1)]
            + [nn.Conv1d(channels, channels, 3, padding=d, dilation=d) for d in (2, 4, 8)]
        )
        self.head = nn.Sequential(
            nn.Linear(2 * channels + N_SCALARS, hidden), nn.ReLU(), nn.Linear(hidden, len(self.names))
        )

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        h, scalars = features(x)  # (B, 4, T), (B, S)
        for conv in self.convs:
            h = torch.relu(conv(h))  # (B, C, T)
        pooled = torch.cat([h.mean(dim=2), h.amax(dim=2), scalars], dim=1)  # (B, 2C + S)
        return self.head(pooled)  # (B, K)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(x), dim=1)


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """What :func:`train_classifier` made: the model, its steps and seconds, and its held-out accuracy."""

    model: FamilyClassifier
    steps: int
    seconds: float
    validation_top1: float


def _pool(
    names: Sequence[str], lengths: Sequence[int], per_cell: int, rng: np.random.Generator, width: int
) -> dict:
    """{length: ((names * per_cell, length) values, family indices)} of fresh generated cases.

    Each context is the start of a series generated ``width`` values long, as the point model's training
    data and the benchmarks draw them: several families scale with the generated length (an exponential
    grows 1000-fold over it, a logistic's midpoint and a Gaussian process's time scale fall within it).
    """
    pool = {}
    for length in lengths:
        parts = [
            generate_batch(per_cell, families=[name], lengths=np.full(per_cell, length), max_len=width,
                           seed=rng).data[:, :length]
            for name in names
        ]  # fmt: skip
        pool[length] = (np.concatenate(parts), np.repeat(np.arange(len(names)), per_cell))
    return pool


def train_classifier(
    *,
    names: Sequence[str] = FAMILY_NAMES,
    minutes: float = 35.0,
    max_steps: int | None = None,
    min_len: int = MIN_VALUES,
    max_len: int = 64,
    per_cell: int = 128,
    batch_per_family: int = 32,
    channels: int = 16,
    hidden: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
    init: FamilyClassifier | None = None,
) -> TrainResult:
    """Train a :class:`FamilyClassifier` on fresh generated data for ``minutes`` (or ``max_steps``).

    Each step is one context length, drawn uniformly from ``[min_len, max_len]``, with
    ``batch_per_family`` cases of every family (classes balanced); a new pool of ``per_cell`` cases per
    family and length is drawn whenever the last one has been seen about twice. Adam with a cosine-decayed ``lr``.
    ``init``: go on training that model instead of a new one.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng([seed, 17])
    model = FamilyClassifier(names, channels=channels, hidden=hidden) if init is None else init.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    lengths = list(range(min_len, max_len + 1))
    budget = minutes * 60
    steps_per_pool = 2 * len(lengths) * per_cell // batch_per_family  # each case is seen about twice
    start, step, pool, running = time.monotonic(), 0, {}, 0.0
    while (max_steps is None or step < max_steps) and time.monotonic() - start < budget:
        if step % steps_per_pool == 0:
            pool = _pool(names, lengths, per_cell, rng, max_len)
        values, labels = pool[lengths[int(rng.integers(len(lengths)))]]
        picks = rng.integers(per_cell, size=(len(names), batch_per_family))  # (K, b): cases of each family
        rows = (np.arange(len(names))[:, None] * per_cell + picks).ravel()  # (K * b,)
        progress = (time.monotonic() - start) / budget if max_steps is None else step / max_steps
        for group in optimizer.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        loss = nn.functional.cross_entropy(model.logits(torch.from_numpy(values[rows])), torch.from_numpy(labels[rows]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        running = 0.99 * running + 0.01 * loss.item()
        if step % 1000 == 0:
            log.info("step %d, %.0f s, loss %.3f (running mean)", step, time.monotonic() - start, running / (1 - 0.99**step))
    model.eval()
    truth, top1, _ = evaluate(model, n_per_cell=64, seed=VALIDATION_SEED, min_len=min_len, max_len=max_len)
    return TrainResult(model, step, time.monotonic() - start, float((truth == top1).mean()))


def evaluate(
    model: FamilyClassifier, *, n_per_cell: int, seed: int, min_len: int = MIN_VALUES, max_len: int = 64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out cases, ``n_per_cell`` per family and length -> (true (N,), top-1 (N,), lengths (N,))."""
    rng = np.random.default_rng(seed)
    truth, top1, lengths = [], [], []
    with torch.inference_mode():
        lengths_here = range(min_len, max_len + 1)
        for length, (values, labels) in _pool(model.names, lengths_here, n_per_cell, rng, max_len).items():
            truth.append(labels)
            top1.append(model.logits(torch.from_numpy(values)).argmax(dim=1).numpy())
            lengths.append(np.full(len(labels), length))
    return np.concatenate(truth), np.concatenate(top1), np.concatenate(lengths)


def measured_groups(
    model: FamilyClassifier, *, n_per_cell: int = 100, seed: int = VALIDATION_SEED, threshold: float = GROUP_THRESHOLD
) -> Groups:
    """For each bucket of :data:`numseries.patterns.GROUP_BUCKETS`, the groups of families this model
    confuses (:func:`numseries.patterns.confusion_groups`), measured on held-out cases."""
    truth, top1, lengths = evaluate(model, n_per_cell=n_per_cell, seed=seed)
    buckets = bucket_index(lengths, GROUP_BUCKETS)
    groups = []
    for b in range(len(GROUP_BUCKETS)):
        confusion = np.zeros((len(model.names),) * 2)
        np.add.at(confusion, (truth[buckets == b], top1[buckets == b]), 1)
        groups.append(confusion_groups(confusion, threshold))
    return groups


def onnx_bytes(model: FamilyClassifier) -> bytes:
    """The model as an ONNX graph: input ``x`` (B, T) float64, output ``probabilities`` (B, K) float32."""
    from numseries.export import _quiet_exporter

    model = model.eval()
    example = torch.from_numpy(np.random.default_rng(0).normal(size=(3, 16)))
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", min=MIN_VALUES, max=4096)
    with _quiet_exporter():
        program = torch.onnx.export(
            model, (example,), dynamo=True, verbose=False, input_names=["x"], output_names=["probabilities"],
            dynamic_shapes={"x": {0: batch, 1: length}},
        )  # fmt: skip
    assert program is not None
    return program.model_proto.SerializeToString()


def export_classifier(
    model: FamilyClassifier, directory: str | Path, groups: Groups, training: dict[str, Any] | None = None
) -> Path:
    """Check the ONNX graph of ``model`` against torch, then write ``patterns.onnx`` and ``patterns.json``
    (its names, ``groups`` per bucket of :data:`GROUP_BUCKETS` and how it was trained) to ``directory``."""
    import onnxruntime

    graph = onnx_bytes(model)
    x = np.random.default_rng(1).normal(size=(64, 40)).cumsum(axis=1)  # (64, 40) random walks
    with torch.inference_mode():
        expected = model(torch.from_numpy(x)).numpy()
    session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])
    error = float(np.abs(session.run(None, {"x": x})[0] - expected).max())
    if error > 1e-4:
        raise ValueError(f"the ONNX export of the family classifier differs from torch by {error:.2g}; export again")
    config = ClassifierConfig(model.names, GROUP_BUCKETS, groups, GROUP_THRESHOLD, training or {})
    return save_classifier(directory, graph, config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the family classifier and write it beside the weights.")
    parser.add_argument("--out", type=Path, required=True, help="weights folder to write patterns.onnx/.json to")
    parser.add_argument("--minutes", type=float, default=35.0, help="training time (default 35)")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many steps instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=3e-3, help="peak learning rate (default 3e-3)")
    parser.add_argument("--channels", type=int, default=16, help="channels of each convolution (default 16)")
    parser.add_argument("--hidden", type=int, default=64, help="width of the hidden layer of the head (default 64)")
    parser.add_argument("--init", type=Path, help="go on training the classifier saved in this patterns.safetensors")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(1)
    init = None
    if args.init is not None:
        from safetensors.torch import load_file

        init = FamilyClassifier(channels=args.channels, hidden=args.hidden)
        init.load_state_dict(load_file(str(args.init)))
    result = train_classifier(
        minutes=args.minutes, max_steps=args.max_steps, channels=args.channels, hidden=args.hidden, lr=args.lr,
        seed=args.seed, init=init,
    )  # fmt: skip
    log.info("trained %d steps in %.0f s; held-out top-1 %.3f", result.steps, result.seconds, result.validation_top1)
    from safetensors.torch import save_file

    args.out.mkdir(parents=True, exist_ok=True)
    save_file(result.model.state_dict(), str(args.out / "patterns.safetensors"))  # kept should the export fail
    groups = measured_groups(result.model)
    training = {"command": "python -m numseries.family " + " ".join(argv if argv is not None else sys.argv[1:]),
                "steps": result.steps, "seconds": round(result.seconds), "validation_top1": round(result.validation_top1, 4)}  # fmt: skip
    export_classifier(result.model, args.out, groups, training)
    log.info("wrote %s with groups %s", args.out, groups)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
