"""Export a trained model to one self-contained ONNX file, and check it against torch.

The graph is the model's whole ``forward``: inputs ``x`` (B, T) float64 and ``mask`` (B, T) bool,
outputs ``prediction`` (B,) float64 and ``attention`` (B, T) float32, with B and T dynamic, T in
[2, max_len]; a model with heads adds ``quantiles`` (B, Q) float64 in the input's units and
``pattern`` (B, K) float32 probabilities. Normalisation and masking are inside it; the weights are
embedded (no ``.onnx.data``); ``max_len``, the architecture and the sha256 of the ``model.safetensors``
it came from are stored as metadata, so the file runs without any Python class and a later training
cannot leave it stale unseen::

    numseries export --format onnx --weights src/numseries/weights --out src/numseries/weights/model.onnx
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch

from numseries import __version__
from numseries.config import MIN_VALUES
from numseries.files import atomic_write_all
from numseries.model import LSTMWithAttention
from numseries.predict import Predictor
from numseries.series import keep_last, mean_abs_step
from numseries.weights import DIGEST_KEY, WEIGHTS_FILE, file_sha256, safetensors_bytes

log = logging.getLogger(__name__)

# Largest difference allowed between onnxruntime and torch, per output: values and quantiles relative to
# the series' scale, attention and pattern probabilities absolute. Measured on the shipped model over 500
# seeds x 201 random walks (OMP_NUM_THREADS=1), the worst float32 disagreements were values 2.5e-06,
# attention 1.1e-06, quantiles 1.9e-05 and pattern 3.6e-06; an export reported in issue 14 saw 1.3e-05 on
# attention or pattern (threads unknown). Each tolerance is several times the worst seen, so the check fails on a
# broken export (errors of 1e-2 and more), not on the order of float32 sums.
TOLERANCES = {"values": 2e-5, "attention": 1e-4, "quantiles": 1e-4, "pattern": 1e-4}


class Exported(torch.nn.Module):
    """What the ONNX graph computes: :meth:`LSTMWithAttention.outputs`, as a tuple in a fixed order."""

    def __init__(self, model: LSTMWithAttention) -> None:
        super().__init__()
        self.model = model

    @staticmethod
    def output_names(model: LSTMWithAttention) -> list[str]:
        heads = [("quantiles", model.config.quantile_levels), ("pattern", model.config.pattern_names)]
        return ["prediction", "attention", *(name for name, present in heads if present)]

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs = self.model.outputs(x, mask)
        return tuple(outputs[name] for name in self.output_names(self.model))


def export_onnx(
    model: LSTMWithAttention,
    path: str | Path,
    *,
    check: bool = True,
    weights_sha256: str | None = None,
    gradients: bool = True,
) -> Path:
    """Write ``model`` to ``path`` as ONNX; with ``check``, load it back and compare with torch first.

    ``weights_sha256`` is the digest of the ``model.safetensors`` the model was loaded from; by default,
    that of the file :func:`numseries.save_pretrained` writes for it. With ``gradients``, the per-step
    weights' graphs go beside it too (:func:`numseries.gradient.gradient_writes`), recording the same digest;
    every file is moved into place once all are written, ``path`` last.
    """
    import hashlib

    import onnx

    model = model.eval()
    digest = weights_sha256 or hashlib.sha256(safetensors_bytes(model)).hexdigest()
    beside = Path(path).parent / WEIGHTS_FILE
    if beside.is_file() and file_sha256(beside) != digest:  # checked before the minutes of exporting
        raise ValueError(
            f"cannot export to {path}: {beside} beside it holds other weights, whose calibration and patterns "
            "it would be run with (and refused, as stale); export into the weights' own folder or a folder of its own"
        )
    max_len = model.config.max_len
    width = min(5, max_len)  # (a model of 3 or 4 values at most: 5 was past its T, adversarial round 52)
    example = torch.linspace(1.0, 2.0, 2 * width, dtype=torch.float64).reshape(2, width)  # (B, T) = (2, <= 5)
    example_mask = torch.ones_like(example, dtype=torch.bool)
    batch, length = torch.export.Dim("B"), torch.export.Dim("T", min=2, max=max_len)
    _forget_lstm_kernel()
    with _quiet_exporter():
        program = torch.onnx.export(
            Exported(model),
            (example, example_mask),
            dynamo=True,
            verbose=False,
            input_names=["x", "mask"],
            output_names=Exported.output_names(model),
            dynamic_shapes={"x": {0: batch, 1: length}, "mask": {0: batch, 1: length}},
        )
    assert program is not None  # dynamo=True always returns the program
    proto = program.model_proto
    for value in proto.graph.input:
        if not all(dim.dim_param for dim in value.type.tensor_type.shape.dim):
            raise ValueError(
                f"the exporter fixed the shape of input {value.name!r}; run `numseries export` in a fresh process "
                "and report this with your torch version"
            )
    metadata = {
        "max_len": str(max_len),
        "config": json.dumps(model.config.to_dict()),
        "numseries": __version__,
        DIGEST_KEY: digest,
    }
    for key, value in metadata.items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto, full_check=True)
    path = Path(path)

    def write(tmp: Path) -> None:
        onnx.save_model(proto, str(tmp), save_as_external_data=False)
        if check:
            errors = compare_with_torch(model, Predictor.from_pretrained(tmp, runtime="onnxruntime"))
            log.info("onnxruntime matches torch: %s", ", ".join(f"{k} {v:.1e}" for k, v in errors.items()))

    writes: list[tuple[Path, Callable[[Path], None]]] = []
    if gradients:  # exported first (minutes), then every file moved into place, model.onnx last: a kill during
        from numseries.gradient import gradient_writes  # the export leaves the folder's files as they were

        with _quiet_exporter():
            writes = gradient_writes(model, path, metadata)
    atomic_write_all([*writes, (path, write)])
    return path


_exports_in_this_process = 0
_LSTM_CACHE_TORCH = ((2, 13),)  # torch versions (major, minor) seen to need _forget_lstm_kernel


def _forget_lstm_kernel() -> None:
    """Let the exporter's LSTM decomposition, which keeps T dynamic, take effect again in a later export.

    torch.onnx registers that decomposition only while it exports, but ``aten.lstm`` caches the kernel it
    dispatched to in a private ``_dispatch_cache`` (seen in torch 2.13; no upstream issue found), so a
    second export in one process would use the cached kernel and fix T. The first export of a process
    (``numseries export``) never touches the private attribute; later ones (tests, notebooks) clear it,
    on the torch versions above only. Elsewhere the check of the input shapes below names the problem.
    """
    global _exports_in_this_process
    _exports_in_this_process += 1
    version = tuple(int(part) for part in torch.__version__.split(".")[:2])
    if _exports_in_this_process == 1 or version not in _LSTM_CACHE_TORCH:
        return
    cache = getattr(torch.ops.aten.lstm.input, "_dispatch_cache", None)
    if cache is not None:
        cache.clear()


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """Silence the exporter's warnings and progress logs: they are about its internals, not our model."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "onnxscript", "onnx_ir")]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def compare_with_torch(model: LSTMWithAttention, onnx_predictor: Predictor, *, seed: int = 0) -> dict[str, float]:
    """Largest difference of the two runtimes, per output, on random walks of every length up to ``max_len``.

    Values and quantiles are compared relative to the larger of the prediction's size and the series'
    mean absolute step, so a prediction near 0 is not judged by its digits alone; attention and pattern
    probabilities absolutely. Returns the errors by output name (those the model has); raises
    ``ValueError`` when one exceeds its entry in :data:`TOLERANCES`.
    """
    rng = np.random.default_rng(seed)
    max_len = model.config.max_len
    lengths = np.repeat(np.arange(MIN_VALUES, max_len + 3), 3)  # every length, and two beyond max_len
    sequences = [np.cumsum(rng.normal(size=n)) * 10.0 ** rng.uniform(-3, 3) for n in lengths]
    # The pooled calibration: factors per named family follow a threshold on the pattern probabilities, where
    # float32 rounding can tip a series across it (a different factor, not a broken export).
    calibration = onnx_predictor.calibration
    pooled = None if calibration is None else calibration.pooled()
    reference = Predictor.from_model(model, calibration=pooled).predict_batch(sequences)
    classifier, onnx_predictor.classifier = onnx_predictor.classifier, None  # the model's own heads: the family
    onnx_predictor.calibration = pooled  # classifier beside it is another model, checked when it is written
    try:  # (numseries.family)
        candidate = onnx_predictor.predict_batch(sequences)
    finally:
        onnx_predictor.classifier, onnx_predictor.calibration = classifier, calibration
    windows = [keep_last(s[None], np.array([len(s)]), max_len)[0] for s in sequences]  # (1, used) each
    scale = np.maximum(np.abs(reference.values), [mean_abs_step(w, np.ones_like(w, dtype=bool))[0] for w in windows])
    relative = np.abs(candidate.values - reference.values) / scale  # (N,)
    errors = {
        "values": float(relative.max()),
        "attention": float(np.abs(candidate.attention - reference.attention).max()),
    }
    where = {"values": f" at length {lengths[int(np.argmax(relative))]}"}
    if reference.quantiles is not None and candidate.quantiles is not None:
        spread = np.abs(candidate.quantiles - reference.quantiles).max(axis=1) / scale  # (N,)
        errors["quantiles"] = float(spread.max())
        where["quantiles"] = f" at length {lengths[int(np.argmax(spread))]}"
    if reference.pattern_confidence is not None and candidate.pattern_confidence is not None:
        errors["pattern"] = float(np.abs(candidate.pattern_confidence - reference.pattern_confidence).max())
    failed = [name for name, error in errors.items() if error > TOLERANCES[name]]
    if failed:
        details = ", ".join(
            f"{name} error {errors[name]:.1e}{where.get(name, '')} (allowed {TOLERANCES[name]:.0e})" for name in failed
        )
        raise ValueError(
            f"the ONNX model differs from torch: {details}; report this with your torch and onnxruntime versions"
        )
    return errors
