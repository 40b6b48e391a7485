"""The onnxruntime sessions that predictions run in: one way to open a model file for inference."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def cpu_session(path: str | Path) -> Any:
    """An ``onnxruntime.InferenceSession`` of ``path`` on the CPU, as numseries runs its graphs.

    One thread a run: the LSTM's small steps gain nothing from threads that wait on each other at every step,
    and a batch runs its length groups in parallel instead (``Predictor.workers``). No memory arena:
    onnxruntime's grows to the largest run it has seen and keeps it, 1.4 GB more after a batch of 200,000
    series than without it, at the same speed (``benchmarks/results/experiments.md``). Only errors are logged:
    onnxruntime's warnings are not for our users. Raises onnxruntime's own errors for a bad file."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
