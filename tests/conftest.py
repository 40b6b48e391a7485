"""Shared fixtures. Tests run on CPU, offline; heavy libraries are imported only by tests that need them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from numseries.config import ModelConfig

# One torch thread per test process (and the subprocesses tests start), set before anything imports
# torch. Toy models gain nothing from more; on a shared 2-core machine two OpenMP threads wait on each
# other at every op: a training step of the default model took 3 s with 2 threads, 70 ms with 1.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# The one tiny architecture of the tests (`from conftest import TINY`): quick to train and to export.
TINY = ModelConfig(max_len=16, hidden_size=16, num_layers=1, head_size=16)


def tiny_batch(n: int = 128, seed: int = 0) -> tuple:
    """``n`` generated training sequences of up to TINY's length, as the (x, y, mask, ...) tensors of a batch."""
    from numseries.data import batch_tensors  # torch: only for the tests that train
    from numseries.generate import generate_batch

    return batch_tensors(generate_batch(n, min_len=3, max_len=TINY.max_len, seed=seed))


def train_tiny(module, losses: set[str], steps: int = 60) -> None:
    """Real training at toy size: ``steps`` Adam steps of a SequenceModule on fresh generated batches,
    each batch's losses named ``losses``."""
    import torch

    optimizer = torch.optim.Adam(module.parameters(), lr=3e-3)
    for step in range(steps):
        batch_losses = module._losses(tiny_batch(128, seed=100 + step))
        assert set(batch_losses) == losses
        optimizer.zero_grad()
        sum(batch_losses.values()).backward()
        optimizer.step()


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory):
    """A weights folder of a tiny, randomly initialised (seeded) model: config.json + model.safetensors."""
    import torch

    from numseries.model import LSTMWithAttention
    from numseries.weights import save_pretrained

    torch.manual_seed(0)
    model = LSTMWithAttention(TINY)
    return save_pretrained(model, tmp_path_factory.mktemp("tiny") / "weights")


@pytest.fixture(scope="session")
def tiny_onnx(tiny_weights, tmp_path_factory):
    """A copy of ``tiny_weights`` with the model exported beside it as ``model.onnx`` (checked against torch)."""
    import shutil

    from numseries.export import export_onnx
    from numseries.weights import ONNX_FILE, load_model

    folder = tmp_path_factory.mktemp("tiny_onnx") / "weights"
    shutil.copytree(tiny_weights, folder)
    export_onnx(load_model(folder), folder / ONNX_FILE)
    return folder


@pytest.fixture(scope="module")
def model(tiny_onnx):
    """The tiny exported model's path, as the CLI's --weights takes it."""
    return str(tiny_onnx)


@pytest.fixture(scope="module")
def predictor(tiny_onnx):
    from numseries.predict import Predictor

    return Predictor.from_pretrained(tiny_onnx)


def predict_cli(capsys, *argv):
    """``numseries predict ARGV`` in-process -> (exit code, stdout, stderr)."""
    from numseries.cli import main

    code = main(["predict", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def benchmark_module(filename: str):
    """``benchmarks/<filename>`` loaded as a module, with its folder on the path while it loads (its
    neighbours: _output, faithfulness, ...)."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(Path(filename).stem + "_benchmark", folder / filename)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
    return module
