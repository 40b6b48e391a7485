"""Per-step weights on torch: the gradient of each prediction with respect to its inputs, and its export.

The model is affine-equivariant, ``f(a*x + b) = a*f(x) + b``, so its gradient ``w = df/dx`` sums to 1
and, by Euler's theorem for a function of degree 1, ``f(x) = sum_i w_i * x_i``: the weights add up to
the prediction. :func:`torch_weights` computes them with autograd on the model itself.

For onnxruntime, :func:`export_gradients` writes the gradient as ONNX graphs beside ``model.onnx``
(:mod:`numseries.explain` runs them). The exporter turns ``nn.LSTM`` into a loop that the gradient
cannot be traced through, so the graphs run a copy of the model whose LSTM is unrolled step by step
(:class:`UnrolledLSTM`). That fixes the length T of a graph, so there is one graph per length bucket
(:func:`bucket_lengths`); shorter rows are padded after their last step with ``mask`` False, which is
exact: steps after the last one never reach the prediction.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn

from numseries.explain import GRADIENT_INPUTS, GRADIENT_OUTPUT, bucket_lengths, gradient_path
from numseries.model import LSTMWithAttention
from numseries.weights import DIGEST_KEY, safetensors_bytes

log = logging.getLogger(__name__)

TOLERANCE = 1e-4  # largest difference allowed between the exported weights and torch autograd's
_EXAMPLE_BATCH = 7  # rows of the tracing example: unlike any size in the model, so B stays symbolic


class UnrolledLSTM(nn.Module):
    """``nn.LSTM``'s maths written out one step at a time, with the parameters of ``lstm`` (eval mode).

    A second copy of the LSTM, kept only so that the gradient can be traced for export; tests check
    that it equals ``nn.LSTM``. ``forward(x (B, T, F))`` -> ``(outputs (B, T, H), None)``.
    """

    def __init__(self, lstm: nn.LSTM) -> None:
        super().__init__()
        assert lstm.batch_first and not lstm.bidirectional and lstm.proj_size == 0
        self.lstm = lstm

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        lstm, size = self.lstm, self.lstm.hidden_size
        for layer in range(lstm.num_layers):
            w_ih, w_hh = getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}")
            bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
            h = c = x.new_zeros(x.shape[0], size)  # (B, H)
            outputs = []
            for step in (x @ w_ih.T + bias).unbind(1):  # T of (B, 4H)
                gates = step + h @ w_hh.T  # (B, 4H): input, forget, cell, output
                i, f, _, o = torch.sigmoid(gates).split(size, dim=1)  # (B, H) each
                c = f * c + i * torch.tanh(gates[:, 2 * size : 3 * size])
                h = o * torch.tanh(c)
                outputs.append(h)
            x = torch.stack(outputs, dim=1)  # (B, T, H)
        return x, None


def torch_weights(model: nn.Module, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The gradient of each prediction of ``model`` (an :class:`LSTMWithAttention`, or a module called like one)
    with respect to its own inputs: (B, T) float64, 0 on padding."""
    with torch.enable_grad():
        x = x.detach().double().requires_grad_(True)
        prediction, _ = model(x, mask)
        (weights,) = torch.autograd.grad(prediction.sum(), x)  # rows are independent: one backward pass
    return weights


def unrolled(model: LSTMWithAttention) -> LSTMWithAttention:
    """A copy of ``model`` (eval mode, no gradients to its parameters) whose LSTM is :class:`UnrolledLSTM`."""
    copied = copy.deepcopy(model).eval()
    copied.lstm = UnrolledLSTM(copied.lstm)  # type: ignore[assignment]  # same call, same outputs
    copied.requires_grad_(False)
    return copied


class _Gradient(nn.Module):
    """The traced gradient graph of one length, with the parameters it reads as buffers (for export)."""

    def __init__(self, graph: torch.fx.GraphModule, parameters: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.graph_module = graph
        self.names = list(parameters)
        for index, name in enumerate(self.names):
            self.register_buffer(f"p{index}", parameters[name])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        parameters = {name: getattr(self, f"p{index}") for index, name in enumerate(self.names)}
        return self.graph_module(parameters, x, mask)


def trace_gradient(model: LSTMWithAttention, length: int) -> _Gradient:
    """Trace :func:`torch_weights` of the unrolled ``model`` at T = ``length``, batch size symbolic."""
    from torch.fx.experimental.proxy_tensor import make_fx

    copied = unrolled(model)
    parameters = {name: tensor.detach() for name, tensor in copied.named_parameters()}

    def gradient(parameters: dict[str, torch.Tensor], x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch_weights(_Bound(copied, parameters), x, mask)

    x, mask = _example(length)
    graph = make_fx(gradient, tracing_mode="symbolic")(parameters, x, mask)  # parameters as inputs, so
    return _Gradient(graph, parameters)  # symbolic tracing sees no real tensors


class _Bound(nn.Module):
    """``module`` called with ``parameters`` in place of its own (how make_fx sees them as inputs)."""

    def __init__(self, module: nn.Module, parameters: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.module, self.parameters_ = module, parameters

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.func.functional_call(self.module, self.parameters_, (x, mask))


def _example(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(1.0, 2.0, _EXAMPLE_BATCH * length, dtype=torch.float64) ** 2  # (B, T)
    x = x.reshape(_EXAMPLE_BATCH, length)
    return x, torch.ones_like(x, dtype=torch.bool)


def export_gradients(model: LSTMWithAttention, onnx_path: str | Path, metadata: dict[str, str]) -> list[Path]:
    """Write one gradient graph per length bucket beside ``onnx_path``, each checked against torch autograd.

    Each file takes ``x`` (B, T) float64 and ``mask`` (B, T) bool and returns ``weights`` (B, T)
    float64; ``metadata`` (that of ``model.onnx``, whose weights digest ties the files to it; computed
    from ``model`` when absent) and the bucket ``length`` are recorded in it.
    Returns the paths written.
    """
    import hashlib

    import onnx

    from numseries.files import atomic_write

    metadata = {DIGEST_KEY: hashlib.sha256(safetensors_bytes(model)).hexdigest(), **metadata}
    written = []
    for length in bucket_lengths(model.config.max_len):
        module = trace_gradient(model, length)
        x, mask = _example(length)
        batch = torch.export.Dim("B")
        program = torch.export.export(module, (x, mask), dynamic_shapes=({0: batch}, {0: batch}), strict=False)
        onnx_program = torch.onnx.export(
            program, (x, mask), dynamo=True, verbose=False, input_names=list(GRADIENT_INPUTS),
            output_names=[GRADIENT_OUTPUT],
        )
        assert onnx_program is not None  # dynamo=True always returns the program
        proto = onnx_program.model_proto
        for key, value in {**metadata, "length": str(length)}.items():
            proto.metadata_props.add(key=key, value=value)
        path = gradient_path(onnx_path, length)

        def write(tmp: Path, proto=proto, length=length) -> None:
            onnx.save_model(proto, str(tmp), save_as_external_data=False)
            error = compare_gradient(model, tmp, length)
            log.info("gradient graph T=%d matches torch autograd: largest difference %.1e", length, error)

        atomic_write(path, write)
        written.append(path)
    return written


def compare_gradient(model: LSTMWithAttention, path: str | Path, length: int, *, seed: int = 0) -> float:
    """Largest difference between a gradient graph's weights and torch autograd's, on random walks.

    Rows of every length up to ``length`` are padded to it with mask False. Differences are relative to
    the row's largest |weight|. Raises ``ValueError`` above :data:`TOLERANCE`.
    """
    import onnxruntime

    rng = np.random.default_rng(seed)
    lengths = np.arange(2, length + 1).repeat(2)  # (N,)
    x = np.cumsum(rng.normal(size=(len(lengths), length)), axis=1) * 10.0 ** rng.uniform(-3, 3, (len(lengths), 1))
    mask = np.arange(length)[None, :] < lengths[:, None]  # (N, T) prefix masks
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (weights,) = session.run(None, {"x": x, "mask": mask})
    expected = torch_weights(model, torch.from_numpy(x), torch.from_numpy(mask)).numpy()
    error = float((np.abs(weights - expected).max(axis=1) / np.abs(expected).max(axis=1)).max())
    if error > TOLERANCE or np.any(weights[~mask] != 0):
        raise ValueError(
            f"the gradient graph {path} differs from torch autograd by {error:.1e} (allowed {TOLERANCE:.0e}) "
            "or weighs padding; report this with your torch and onnxruntime versions"
        )
    return error
