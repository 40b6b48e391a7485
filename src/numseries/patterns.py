"""What a sequence looks like, in words, from the model's pattern head. numpy only.

The pattern head gives a probability for each generator family it was trained on (the model's
``pattern_names``). :func:`describe_batch` names the likeliest family when it is clear; when the head
splits its belief between two families (short contexts often cannot tell a noisy line from a curve,
or a random walk from an AR process) it names both; when no one or two families hold most of the
probability it says so.
"""

from __future__ import annotations

import numpy as np

CLEAR = 0.6  # the likeliest family is named alone from this probability
PAIR = 0.75  # two families are named together when they hold this much between them
UNCLEAR = "no clear pattern"

# Plain names of the generator's families; a family without one is named by its registry name.
NAMES = {
    "linear": "straight line",
    "noisy_line": "noisy straight line",
    "sinusoidal": "sine wave",
    "log_decay": "logarithmic decay",
    "mixed": "oscillation with a trend or changing amplitude",
    "noisy": "noisy smooth curve",
    "noisy_stochastic": "noisy random process",
    "polynomial": "polynomial curve",
    "exponential": "exponential growth or decay",
    "random_walk": "random walk",
    "ar": "autoregressive oscillation",
    "step": "level shifts",
    "wave": "sawtooth, triangle or square wave",
    "kernel_synth": "smooth random process",
    "logistic": "logistic (saturating) curve",
    "chirp": "wave of changing frequency",
    "power_law": "power law",
}
TRENDS = ("linear", "noisy_line")  # families whose description gives the step per value


def describe_batch(
    probabilities: np.ndarray, names: tuple[str, ...], values: np.ndarray, lengths: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Patterns of N series: (N, K) head probabilities over ``names``, (N, W) prefix-padded values and
    (N,) lengths -> (N texts, (N,) confidence: the probability of what each text names)."""
    order = np.argsort(probabilities, axis=1)[:, ::-1]  # (N, K)
    rows = np.arange(len(probabilities))
    p1 = probabilities[rows, order[:, 0]].astype(np.float64)
    p2 = probabilities[rows, order[:, 1]].astype(np.float64)
    slopes = _slopes(values, lengths)
    texts, confidence = [], np.where(p1 >= CLEAR, p1, np.where(p1 + p2 >= PAIR, p1 + p2, p1))
    for i in rows:
        first = _name(names[order[i, 0]], slopes[i])
        if p1[i] >= CLEAR:
            texts.append(first)
        elif p1[i] + p2[i] >= PAIR:
            texts.append(f"{first} or {_name(names[order[i, 1]], slopes[i])}")
        else:
            texts.append(UNCLEAR)
    return texts, confidence


def _name(family: str, slope: float) -> str:
    name = NAMES.get(family, family.replace("_", " "))
    return f"{name} ({slope:+.4g} per step)" if family in TRENDS else name


def _slopes(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-padded values, (N,) lengths -> (N,) least-squares slope of each series."""
    width = values.shape[1]
    mask = np.arange(width)[None, :] < lengths[:, None]  # (N, W)
    t = np.where(mask, np.arange(width, dtype=np.float64)[None, :], 0.0)
    x = np.where(mask, values, 0.0)
    t_mean = t.sum(axis=1) / lengths
    x_mean = x.sum(axis=1) / lengths
    dt = np.where(mask, t - t_mean[:, None], 0.0)
    return (dt * np.where(mask, x - x_mean[:, None], 0.0)).sum(axis=1) / (dt**2).sum(axis=1)
