"""The LSTM with attention: a plain ``nn.Module`` that reads a padded batch and predicts the next value.

Scaling lives inside the model, computed from the context only: each series is shifted by its last
value and divided by its mean absolute step (1 where the series is constant). The network sees the
normalised values and their steps, and predicts the next value in those units; the prediction is then
mapped back.

The network predicts a correction to the straight line: ``z_next = drift + gate * correction``, where
``drift`` is the context's mean signed step and ``gate = tanh(GATE_SHARPNESS * roughness)`` grows
with how far the steps are from constant (``roughness`` is the mean absolute change of step). An
arithmetic progression therefore continues exactly, and a constant sequence predicts the constant.
Both passes ``g(z)`` and ``g(-z)`` run and the correction is ``(g(z) - g(-z)) / 2``, so
``f(a*x + b) = a*f(x) + b`` holds for every real ``a`` (either sign) and ``b``, up to float rounding.

Two optional heads read the same features (``ModelConfig.quantile_levels``, ``pattern_names``):

- **Quantiles** of the next value, built so that the guarantees carry over: each pass gives increasing
  offsets ``m_tau`` (a cumulative sum of softplus terms, 0 at the median); the quantile offsets are
  ``u_tau(z) = (m_tau(z) - m_{1-tau}(-z)) / 2``, so ``u_tau(-z) = -u_{1-tau}(z)`` (a mirrored series
  gets mirrored quantiles) and they stay increasing in ``tau``; ``q_tau = z_hat + gate * u_tau``, so the
  median is the point prediction and an arithmetic progression (gate 0) gets a zero-width interval.
- **Pattern** logits over generator families, the mean of both passes: a family does not change when
  a series is scaled by a negative number, so neither does the pattern.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from numseries.config import N_FEATURES, ModelConfig


@dataclasses.dataclass
class ModelOutput:
    """Everything one forward pass computes; ``prediction = last + scale * z_hat`` in the input's units."""

    z_hat: torch.Tensor  # (B,) float32 point prediction, normalised
    attention: torch.Tensor  # (B, T)
    last: torch.Tensor  # (B,) float64
    scale: torch.Tensor  # (B,) float64
    quantiles: torch.Tensor | None  # (B, Q) float32 normalised, increasing; None without a quantile head
    pattern_logits: torch.Tensor | None  # (B, K) float32; None without a pattern head


GATE_SHARPNESS = 10.0  # the gate is ~0.5 when the step changes by 5% of the mean step on average


class LSTMWithAttention(nn.Module):
    """Next-value predictor. ``forward(x, mask)`` -> ``(prediction (B,), attention (B, T))``."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        super().__init__()
        self.config = config or ModelConfig()
        c = self.config
        self.lstm = nn.LSTM(
            N_FEATURES,
            c.hidden_size,
            num_layers=c.num_layers,
            batch_first=True,
            dropout=c.dropout if c.num_layers > 1 else 0.0,
        )
        self.query = nn.Linear(c.hidden_size, c.hidden_size, bias=False)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.score = nn.Linear(c.hidden_size, 1, bias=False)
        self.head = _mlp(2 * c.hidden_size + N_FEATURES, c.head_size, 1)
        if c.quantile_levels:
            self.quantile_head = _mlp(2 * c.hidden_size + N_FEATURES, c.head_size, len(c.quantile_levels))
        if c.pattern_names:
            self.pattern_head = _mlp(2 * c.hidden_size + N_FEATURES, c.head_size, len(c.pattern_names))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Predict the next value of each series.

        Args:
            x: (B, T) values, any float dtype; each series occupies a prefix of its row.
            mask: (B, T) bool, True on the valid prefix (at least 2 steps). Defaults to all True.
        Returns:
            prediction (B,) in the units and dtype of ``x``, and attention (B, T): the weight of each
            input step, exactly 0 on padding, summing to 1 over each row.
        """
        out = self.forward_all(x, mask)
        prediction = out.last + out.scale * out.z_hat.double()
        return prediction.to(x.dtype), out.attention

    def forward_normalised(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Like :meth:`forward`, but returns the prediction in normalised units.

        Returns ``(z_hat (B,) float32, attention (B, T), last (B,) float64, scale (B,) float64)``;
        the prediction is ``last + scale * z_hat``. Training uses this for a scale-free loss.
        """
        out = self.forward_all(x, mask)
        return out.z_hat, out.attention, out.last, out.scale

    def outputs(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Every output in the input's units: ``prediction`` (B,), ``attention`` (B, T) and, for the heads
        the model has, ``quantiles`` (B, Q) and ``pattern`` (B, K) probabilities. Export and
        ``Predictor`` serve these."""
        out = self.forward_all(x, mask)
        outputs = {"prediction": (out.last + out.scale * out.z_hat.double()).to(x.dtype), "attention": out.attention}
        if out.quantiles is not None:
            outputs["quantiles"] = (out.last[:, None] + out.scale[:, None] * out.quantiles.double()).to(x.dtype)
        if out.pattern_logits is not None:
            outputs["pattern"] = torch.softmax(out.pattern_logits, dim=1)
        return outputs

    def forward_all(self, x: torch.Tensor, mask: torch.Tensor | None = None, detach_heads: bool = False) -> ModelOutput:
        """The point prediction, attention and the optional heads' outputs, in normalised units.

        ``detach_heads`` stops the heads' gradients at the features and the point prediction they read,
        so their losses train the heads alone (the outputs are the same)."""
        if mask is None:
            mask = torch.ones_like(x, dtype=torch.bool)
        full_x = x
        if x.shape[1] > self.config.max_len:
            x, mask, kept = keep_last(x, mask, self.config.max_len)
        features, last, scale = normalise(x.double(), mask, self.config.max_len)
        # Antisymmetrise: run the series and its mirror image in one batch.
        both = torch.cat([features, _mirror(features)])  # (2B, T, F)
        z_both, attn_both, head_input = self._network(both, torch.cat([mask, mask]))  # (2B,), (2B, T), (2B, D)
        batch = x.shape[0]
        correction = (z_both[:batch] - z_both[batch:]) / 2  # (B,) the antisymmetric part
        drift, roughness = straight_line(features, mask)
        gate = torch.tanh(GATE_SHARPNESS * roughness)  # (B,)
        z_hat = drift + gate * correction
        attention = (attn_both[:batch] + attn_both[batch:]) / 2
        if x is not full_x:  # cropped input: the dropped steps get no attention
            attention = torch.zeros_like(full_x, dtype=attention.dtype).scatter(1, kept, attention)
        quantiles = pattern_logits = None
        if detach_heads:
            head_input, z_base = head_input.detach(), z_hat.detach()
        else:
            z_base = z_hat
        if self.config.quantile_levels:
            offsets = torch.cumsum(nn.functional.softplus(self.quantile_head(head_input)), dim=1)  # (2B, Q)
            offsets = offsets - offsets[:, len(self.config.quantile_levels) // 2, None]  # 0 at the median
            u = (offsets[:batch] - offsets[batch:].flip(1)) / 2  # (B, Q): level tau pairs with 1 - tau
            quantiles = z_base[:, None] + gate[:, None] * u  # (B, Q)
        if self.config.pattern_names:
            logits = self.pattern_head(head_input)  # (2B, K)
            pattern_logits = (logits[:batch] + logits[batch:]) / 2  # (B, K)
        return ModelOutput(z_hat, attention, last, scale, quantiles, pattern_logits)

    def _network(
        self, features: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, T, F) normalised features -> normalised prediction (B,), attention (B, T) and the
        features the heads read (B, 2H + F)."""
        outputs, _ = self.lstm(features)  # (B, T, H)
        last_index = mask.sum(dim=1) - 1  # (B,)
        gather_index = last_index[:, None, None].expand(-1, 1, outputs.shape[2])  # (B, 1, H)
        h_last = outputs.gather(1, gather_index).squeeze(1)  # (B, H)
        energy = torch.tanh(self.key(outputs) + self.query(h_last)[:, None, :])  # (B, T, H)
        scores = self.score(energy).squeeze(-1)  # (B, T)
        scores = scores.masked_fill(~mask, float("-inf"))
        attention = torch.softmax(scores, dim=1)  # (B, T)
        context = torch.bmm(attention[:, None, :], outputs).squeeze(1)  # (B, H)
        last_features = features.gather(1, last_index[:, None, None].expand(-1, 1, features.shape[2]))
        head_input = torch.cat([context, h_last, last_features.squeeze(1)], dim=1)  # (B, 2H + F)
        return self.head(head_input).squeeze(-1), attention, head_input


def _mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    """The output MLP shape every head uses."""
    return nn.Sequential(
        nn.Linear(inputs, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, outputs)
    )


def _mirror(features: torch.Tensor) -> torch.Tensor:
    """Negate the value and step features; the position feature stays."""
    return torch.cat([-features[..., :2], features[..., 2:]], dim=-1)


def straight_line(features: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T, F) features -> the mean signed step (B,) and the mean absolute change of step (B,).

    Both are in normalised units. For an arithmetic progression the steps are equal, so the drift
    is its step and the roughness is exactly 0 (also after rounding to float32).
    """
    lengths = mask.sum(dim=1)  # (B,)
    dz = features[..., 1]  # (B, T), 0 at the first step and on padding
    drift = dz.sum(dim=1) / (lengths - 1).clamp(min=1)  # (B,)
    change = (dz[:, 2:] - dz[:, 1:-1]).abs() * mask[:, 2:]  # (B, T-2)
    roughness = change.sum(dim=1) / (lengths - 2).clamp(min=1)  # (B,)
    return drift, roughness


def normalise(
    x: torch.Tensor, mask: torch.Tensor, max_len: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Scale each series by its own context: (B, T) float64 -> features (B, T, 3) float32, last, scale.

    ``z = (x - last) / scale`` with ``scale`` the mean absolute step (1 for a constant series).
    Features: ``z``, its step ``z_t - z_{t-1}`` (0 at the first step), and the position counted back
    from the last step, divided by ``max_len``. Padded steps are 0.
    """
    lengths = mask.sum(dim=1)  # (B,)
    last = x.gather(1, (lengths - 1)[:, None]).squeeze(1)  # (B,)
    step_valid = mask[:, 1:]  # (B, T-1): prefix masks make the previous step valid too
    steps = (x[:, 1:] - x[:, :-1]).abs() * step_valid  # (B, T-1)
    mean_step = steps.sum(dim=1) / (lengths - 1).clamp(min=1)  # (B,)
    scale = torch.where(mean_step > 0, mean_step, torch.ones_like(mean_step))
    z = torch.where(mask, (x - last[:, None]) / scale[:, None], torch.zeros_like(x))  # (B, T)
    dz = nn.functional.pad((z[:, 1:] - z[:, :-1]) * step_valid, (1, 0))  # (B, T)
    positions = torch.arange(x.shape[1], device=x.device, dtype=x.dtype)[None, :]  # (1, T)
    position = torch.where(mask, (positions - (lengths[:, None] - 1)) / max_len, torch.zeros_like(x))
    features = torch.stack([z, dz, position], dim=-1).float()  # (B, T, 3)
    return features, last, scale


def keep_last(
    x: torch.Tensor, mask: torch.Tensor, width: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Crop (B, T) prefix-padded rows to (B, width), keeping each row's last ``width`` valid values.

    Returns the cropped values and mask, and the (B, width) indices they came from.
    """
    lengths = mask.sum(dim=1)  # (B,)
    start = (lengths - width).clamp(min=0)  # (B,)
    index = start[:, None] + torch.arange(width, device=x.device)[None, :]  # (B, width), all < T
    return x.gather(1, index), index < lengths[:, None], index
