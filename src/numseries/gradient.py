"""Per-step weights on torch: the gradient of each prediction with respect to its inputs, and its export.

The model is affine-equivariant, ``f(a*x + b) = a*f(x) + b``, so its gradient ``w = df/dx`` sums to 1
and, by Euler's theorem for a function of degree 1, ``f(x) = sum_i w_i * x_i``: the weights add up to
the prediction. :func:`torch_weights` computes them with autograd on the model itself.

For onnxruntime, :func:`gradient_writes` exports the gradient as ONNX graphs beside ``model.onnx``
(:mod:`numseries.explain` runs them). The exporter turns ``nn.LSTM`` into a loop that the gradient
cannot be traced through, so the graphs run a copy of the model whose LSTM is unrolled step by step
(:class:`UnrolledLSTM`). That fixes the length T of a graph, so there is one graph per length bucket
(:func:`bucket_lengths`); shorter rows are padded after their last step with ``mask`` False, which is
exact: steps after the last one never reach the prediction. Each graph also gives every output of
``model.onnx`` (prediction, attention, the heads'), computed by the same forward pass as the weights, so
a prediction with weights runs one graph, not two (they agree with ``model.onnx``'s to float32 rounding).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from numseries.explain import GRADIENT_INPUTS, bucket_lengths, gradient_path
from numseries.model import LSTMWithAttention
from numseries.weights import DIGEST_KEY, safetensors_bytes

log = logging.getLogger(__name__)

TOLERANCE = 1e-4  # largest difference allowed between the exported weights and torch autograd's
_EXAMPLE_BATCH = 7  # rows of the tracing example: unlike any size in the model, so B stays symbolic


class UnrolledLSTM(nn.Module):
    """``nn.LSTM``'s maths written out one step at a time, with the parameters of ``lstm`` (eval mode).

    A second copy of the LSTM, kept only so that the gradient can be traced for export; tests check
    that it equals ``nn.LSTM`` and that its gradient equals autograd's through ``nn.LSTM``. Each layer
    is a :class:`_LSTMLayer`, whose backward pass is written out too: autograd's own, traced step by
    step, gave graphs of ~45 nodes per step, mostly shape bookkeeping, which onnxruntime runs one by
    one. ``forward(x (B, T, F))`` -> ``(outputs (B, T, H), None)``.
    """

    def __init__(self, lstm: nn.LSTM) -> None:
        super().__init__()
        assert lstm.batch_first and not lstm.bidirectional and lstm.proj_size == 0
        self.lstm = lstm

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        lstm = self.lstm
        for layer in range(lstm.num_layers):
            w_ih, w_hh = getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}")
            bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
            x = _LSTMLayer.apply(x, w_ih, w_hh, bias)  # (B, T, H)
        return x, None


class _LSTMLayer(torch.autograd.Function):
    """One LSTM layer, ``(x (B, T, F), w_ih (4H, F), w_hh (4H, H), bias (4H,))`` -> ``(B, T, H)``, with a
    hand-written backward pass to its input only (the weights are constants of the export).

    The steps are laid side by side, ``(B, T * width)``, so that one Split cuts them into 2-D ``(B, width)``
    tensors and one Concat joins them (no reshape per step), and the backward's factors that do not
    depend on the incoming gradient are computed for every step at once: ~11 nodes per step forward, 7 back.
    """

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        w_ih: torch.Tensor,
        w_hh: torch.Tensor,
        bias: torch.Tensor,
    ) -> torch.Tensor:
        batch, length, _ = x.shape
        size = w_hh.shape[1]
        h = c = x.new_zeros(batch, size)  # (B, H)
        steps = (x @ w_ih.T + bias).reshape(batch, length * 4 * size).split(4 * size, dim=1)  # T of (B, 4H)
        kept: list[list[torch.Tensor]] = [[] for _ in range(6)]  # per step: i, f, g, o, tanh(c), c before
        for step in steps:
            gates = step + h @ w_hh.T  # (B, 4H): input, forget, cell, output
            i, f, _, o = torch.sigmoid(gates).split(size, dim=1)  # (B, H) each
            g = torch.tanh(gates[:, 2 * size : 3 * size])
            kept[5].append(c)
            c = f * c + i * g
            tanh_c = torch.tanh(c)
            h = o * tanh_c
            for store, value in zip(kept[:5], (i, f, g, o, tanh_c), strict=True):
                store.append(value)
        joined = [torch.cat(store, dim=1).reshape(batch, length, size) for store in kept]  # 6 of (B, T, H)
        ctx.save_for_backward(w_ih, w_hh, *joined)
        return joined[3] * joined[4]  # (B, T, H): h = o * tanh(c)

    @staticmethod
    def backward(ctx: Any, grad_outputs: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        w_ih, w_hh, i, f, g, o, tanh_c, previous_cells = ctx.saved_tensors  # (B, T, H) each after the weights
        batch, length, size = grad_outputs.shape
        # The gate gradients are the gradients of h and c times these factors, for every step at once:
        # d(i, f, g) = dc * factors[:3H], d(o) = dh * factors[3H:], and dc gains dh * to_cell.
        factors = torch.cat([g * i * (1 - i), previous_cells * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)], 2)
        to_cell = o * (1 - tanh_c * tanh_c)  # (B, T, H)

        def by_step(t: torch.Tensor) -> tuple[torch.Tensor, ...]:  # (B, T, w) -> T of (B, w)
            return t.reshape(batch, -1).split(t.shape[2], dim=1)

        dh = dc = grad_outputs.new_zeros(batch, size)  # (B, H) from the steps after
        gate_grads = []
        per_step = list(zip(*map(by_step, (grad_outputs, factors, to_cell, f)), strict=True))  # T of 4 (B, .)
        for d_out, factor, cell, forget in reversed(per_step):
            dh = dh + d_out
            dc = dc + dh * cell
            gates = torch.cat([dc, dc, dc, dh], dim=1) * factor  # (B, 4H)
            gate_grads.append(gates)
            dh = gates @ w_hh  # (B, H)
            dc = dc * forget
        grads = torch.cat(gate_grads[::-1], dim=1).reshape(batch, length, 4 * size)  # (B, T, 4H)
        return grads @ w_ih, None, None, None  # (B, T, F)


class _HasOutputs(Protocol):
    def outputs(self, x: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]: ...


def torch_outputs(model: _HasOutputs, x: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every output of ``model.outputs`` (an :class:`LSTMWithAttention`, or a module called like one) and
    ``weights``, the gradient of each prediction with respect to its own inputs: (B, T) float64, 0 on
    padding. One forward and one backward pass (rows are independent)."""
    with torch.enable_grad():
        x = x.detach().double().requires_grad_(True)
        outputs = model.outputs(x, mask)
        (weights,) = torch.autograd.grad(outputs["prediction"].sum(), x)
    return {"weights": weights, **{name: value.detach() for name, value in outputs.items()}}


def torch_weights(model: _HasOutputs, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The weights of :func:`torch_outputs` alone."""
    return torch_outputs(model, x, mask)["weights"]


def unrolled(model: LSTMWithAttention) -> LSTMWithAttention:
    """A copy of ``model`` (eval mode, no gradients to its parameters) whose LSTM is :class:`UnrolledLSTM`."""
    copied = copy.deepcopy(model).eval()
    copied.lstm = UnrolledLSTM(copied.lstm)  # type: ignore[assignment]  # same call, same outputs
    copied.requires_grad_(False)
    return copied


class _Gradient(nn.Module):
    """The traced gradient graph of one length, with the parameters it reads as buffers (for export).

    ``forward(x, mask)`` -> the tensors of :func:`torch_outputs`, in the order of ``output_names``."""

    def __init__(self, graph: torch.fx.GraphModule, parameters: dict[str, torch.Tensor], names: list[str]) -> None:
        super().__init__()
        self.graph_module = graph
        self.names = list(parameters)
        self.output_names = names
        for index, name in enumerate(self.names):
            self.register_buffer(f"p{index}", parameters[name])

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        parameters = {name: getattr(self, f"p{index}") for index, name in enumerate(self.names)}
        return tuple(self.graph_module(parameters, x, mask))


def trace_gradient(model: LSTMWithAttention, length: int) -> _Gradient:
    """Trace :func:`torch_outputs` of the unrolled ``model`` at T = ``length``, batch size symbolic."""
    from torch.fx.experimental.proxy_tensor import make_fx

    copied = unrolled(model)
    parameters = {name: tensor.detach() for name, tensor in copied.named_parameters()}
    x, mask = _example(length)
    names = list(torch_outputs(copied, x[:1], mask[:1]))  # weights, then the model's outputs

    def gradient(parameters: dict[str, torch.Tensor], x: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        outputs = torch_outputs(_Bound(copied, parameters), x, mask)
        return [outputs[name] for name in names]

    graph = make_fx(gradient, tracing_mode="symbolic")(parameters, x, mask)  # parameters as inputs, so
    return _Gradient(graph, parameters, names)  # symbolic tracing sees no real tensors


class _Bound(nn.Module):
    """``module.outputs`` called with ``parameters`` in place of its own (how make_fx sees them as inputs)."""

    def __init__(self, module: LSTMWithAttention, parameters: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.wrapped = _Outputs(module)
        self.parameters_ = {f"model.{name}": tensor for name, tensor in parameters.items()}

    def outputs(self, x: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        return torch.func.functional_call(self.wrapped, self.parameters_, (x, mask))


class _Outputs(nn.Module):
    """``model.outputs`` as a module's forward (what ``functional_call`` calls)."""

    def __init__(self, model: LSTMWithAttention) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.model.outputs(x, mask)


def _example(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(1.0, 2.0, _EXAMPLE_BATCH * length, dtype=torch.float64) ** 2  # (B, T)
    x = x.reshape(_EXAMPLE_BATCH, length)
    return x, torch.ones_like(x, dtype=torch.bool)


def gradient_writes(
    model: LSTMWithAttention, onnx_path: str | Path, metadata: dict[str, str]
) -> list[tuple[Path, Callable[[Path], None]]]:
    """The gradient graphs of ``model``, one per length bucket, each as its place beside ``onnx_path`` and the
    function that writes it to a file checked against torch autograd, for
    :func:`numseries.files.atomic_write_all` (the export, minutes of it, done here; the writing there).

    Each file takes ``x`` (B, T) float64 and ``mask`` (B, T) bool and returns ``weights`` (B, T)
    float64; ``metadata`` (that of ``model.onnx``, whose weights digest ties the files to it; computed
    from ``model`` when absent) and the bucket ``length`` are recorded in it.
    """
    import hashlib

    import onnx

    metadata = {DIGEST_KEY: hashlib.sha256(safetensors_bytes(model)).hexdigest(), **metadata}
    writes: list[tuple[Path, Callable[[Path], None]]] = []
    for length in bucket_lengths(model.config.max_len):
        module = trace_gradient(model, length)
        x, mask = _example(length)
        batch = torch.export.Dim("B")
        program = torch.export.export(module, (x, mask), dynamic_shapes=({0: batch}, {0: batch}), strict=False)
        onnx_program = torch.onnx.export(
            program, (x, mask), dynamo=True, verbose=False, input_names=list(GRADIENT_INPUTS),
            output_names=module.output_names,
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

        writes.append((path, write))
    return writes


def compare_gradient(model: LSTMWithAttention, path: str | Path, length: int, *, seed: int = 0) -> float:
    """Largest difference between a gradient graph's outputs and torch's, on random walks.

    Rows of every length up to ``length`` are padded to it with mask False. Differences of the weights
    are relative to the row's largest |weight|; of the predictions and quantiles, to the row's mean
    absolute step. Raises ``ValueError`` above :data:`TOLERANCE`.
    """
    import onnxruntime

    rng = np.random.default_rng(seed)
    lengths = np.arange(2, length + 1).repeat(2)  # (N,)
    x = np.cumsum(rng.normal(size=(len(lengths), length)), axis=1) * 10.0 ** rng.uniform(-3, 3, (len(lengths), 1))
    mask = np.arange(length)[None, :] < lengths[:, None]  # (N, T) prefix masks
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    got = dict(zip(names, session.run(None, {"x": x, "mask": mask}), strict=True))
    expected = {name: value.numpy() for name, value in torch_outputs(model, torch.from_numpy(x), torch.from_numpy(mask)).items()}
    steps = np.abs(np.diff(x, axis=1)).sum(axis=1, where=mask[:, 1:]) / (lengths - 1)  # (N,) mean steps
    scales = {"weights": np.abs(expected["weights"]).max(axis=1), "prediction": steps, "quantiles": steps}

    def error(name: str) -> float:  # largest over rows of the row's largest difference, relative to its scale
        difference = np.abs(got[name] - expected[name]).reshape(len(x), -1).max(axis=1)  # (N,)
        return float((difference / scales.get(name, np.ones(len(x)))).max())

    errors = {name: error(name) for name in names if name in expected}
    worst = max(errors, key=errors.__getitem__)
    if set(names) != set(expected) or errors[worst] > TOLERANCE or np.any(got["weights"][~mask] != 0):
        raise ValueError(
            f"the gradient graph {path} differs from torch ({worst} by {errors[worst]:.1e}, allowed {TOLERANCE:.0e}; "
            f"outputs {names}) or weighs padding; report this with your torch and onnxruntime versions"
        )
    return errors["weights"]
