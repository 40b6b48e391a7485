"""What a sequence looks like, in words: a family classifier's (or the pattern head's) probabilities
turned into a name. numpy and onnxruntime only.

The probabilities come from the family classifier shipped beside the weights (``patterns.onnx``, trained
by :mod:`numseries.family`) or, in a weights folder without one, from the point model's pattern head.
Families that the classifier cannot tell apart at a given length (measured on held-out generated data,
recorded in ``patterns.json`` per length bucket) form a group whose probabilities add up and which is
named as one, by what its families share ("random process (noisy, random walk or autoregressive)"). :func:`describe_batch` names the likeliest
group when it holds :data:`CLEAR` of the probability, the two likeliest together when they hold
:data:`PAIR`, and says ``no clear pattern`` otherwise. Where the series plainly repeats
(:func:`numseries.cycles.periods`), the words end with its period: "sine wave, period ≈ 6.3".
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from numseries.config import read_json
from numseries.cycles import periods
from numseries.files import json_text
from numseries.series import unit_scaled
from numseries.weights import CLASSIFIER_CONFIG, CLASSIFIER_FILE, add_to_set

CLEAR = 0.6  # the likeliest group is named alone from this probability
PAIR = 0.75  # two groups are named together when they hold this much between them
UNCLEAR = "no clear pattern"
REPEATING = "repeating"  # what a series with a period and no clearer pattern is
_SLOT = -1.234e-300  # written "-1.234e-300", in no family's name: marks where a description gives its slope
# Length buckets of the groups: a context is grouped by the bucket of the values it reads (the last
# bucket is open above). Their edges match the benchmark's buckets (4-6, 8-16, 24-64) and fill the gaps.
GROUP_BUCKETS = ((3, 6), (7, 16), (17, 64))
# Two groups merge when at least this share of their held-out cases is named as the other: then at
# least one of them is named right less than 90% of the time (the target) and its name is a
# guess between the two. A one-sided confusion counts too: it means the classifier cannot find the one.
GROUP_THRESHOLD = 0.10
MAX_GROUP = 4  # no group of more families: beyond that the words say nothing; its cases stay apart

# Plain names of the generator's families; a family without one is named by its registry name.
NAMES = {
    "linear": "straight line",
    "noisy_line": "noisy straight line",
    "sinusoidal": "sine wave",
    "log_decay": "logarithmic decay",
    "mixed": "trending or modulated oscillation",
    "noisy": "noisy smooth curve",
    "noisy_stochastic": "noisy random process",
    "polynomial": "polynomial curve",
    "exponential": "exponential curve",
    "random_walk": "random walk",
    "ar": "autoregressive oscillation",
    "step": "level shifts",
    "wave": "sawtooth, triangle or square wave",
    "kernel_synth": "smooth random process",
    "logistic": "logistic (saturating) curve",
    "chirp": "wave of changing frequency",
    "power_law": "power law",
    "arima": "wandering trend (integrated ARMA)",
    "seasonal": "seasonal (trend, season and noise)",
    "level_shift": "regime changes (shifts and outliers)",
    "intermittent": "counts (intermittent demand)",
}
TRENDS = ("linear", "noisy_line")  # families whose description gives the step per value
# A group of families is named by what they share, then a short word for each of them:
# "oscillation (sine, modulated or changing frequency)". The first umbrella that holds the group names it;
# a group under none is its families' plain names, "a, b or c".
UMBRELLAS = (
    (frozenset({"sinusoidal", "mixed", "chirp", "wave", "seasonal"}), "oscillation"),
    (frozenset({"noisy", "noisy_line", "linear"}), "noisy trend"),
    (frozenset({"noisy_stochastic", "random_walk", "ar", "kernel_synth", "arima", "intermittent"}), "random process"),
    (frozenset({"polynomial", "exponential", "logistic", "power_law", "log_decay"}), "smooth growth or decay"),
    (frozenset({"step", "wave", "level_shift"}), "jumps"),
    (frozenset({"noisy", "noisy_line", "arima", "random_walk", "kernel_synth", "level_shift"}), "noisy trend or random process"),
)
SHORT = {
    "sinusoidal": "sine",
    "mixed": "modulated",
    "chirp": "changing frequency",
    "wave": "sawtooth/square",
    "noisy": "curve",
    "noisy_line": "line",
    "linear": "exact line",
    "noisy_stochastic": "noisy",
    "random_walk": "random walk",
    "ar": "autoregressive",
    "kernel_synth": "smooth",
    "polynomial": "polynomial",
    "exponential": "exponential",
    "logistic": "logistic",
    "power_law": "power law",
    "log_decay": "logarithmic",
    "step": "level shifts",
    "arima": "wandering trend",
    "seasonal": "seasonal",
    "level_shift": "regime changes",
    "intermittent": "counts",
}

Groups = list[list[list[int]]]  # per length bucket, the groups of two or more family indices


def plain_name(family: str) -> str:
    return NAMES.get(family, family.replace("_", " "))


def bucket_index(lengths: np.ndarray, buckets: Sequence[tuple[int, int]] = GROUP_BUCKETS) -> np.ndarray:
    """(N,) lengths -> (N,) index of the bucket each falls in (below the first: 0; above the last: the last)."""
    starts = np.array([lo for lo, _ in buckets])
    return np.clip(np.searchsorted(starts, lengths, side="right") - 1, 0, len(buckets) - 1)


def confusion_groups(
    confusion: np.ndarray, threshold: float = GROUP_THRESHOLD, max_size: int = MAX_GROUP
) -> list[list[int]]:
    """(K, K) counts (true family, top-1 answer) -> the groups of two or more families to name together.

    Greedy, closest first: the two groups that give the largest share of their cases to each other,
    ``(C[G, H] + C[H, G]) / (cases of G + cases of H)``, merge while that share is at least
    ``threshold`` and the merged group has at most ``max_size`` families.
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    groups = [[k] for k in range(len(confusion))]
    refused: set[tuple[int, ...]] = set()
    while True:
        best, pair = threshold, None
        for i, g in enumerate(groups):
            for j in range(i + 1, len(groups)):
                h = groups[j]
                if tuple(sorted(g + h)) in refused:
                    continue
                cases = confusion[g].sum() + confusion[h].sum()
                shared = confusion[np.ix_(g, h)].sum() + confusion[np.ix_(h, g)].sum()
                if cases > 0 and shared / cases >= best:
                    best, pair = shared / cases, (i, j)
        if pair is None:
            return sorted(sorted(g) for g in groups if len(g) > 1)
        i, j = pair
        merged = sorted(groups[i] + groups[j])
        if len(merged) > max_size:
            refused.add(tuple(merged))
            continue
        groups = [g for k, g in enumerate(groups) if k not in pair] + [merged]


@dataclasses.dataclass(frozen=True)
class ClassifierConfig:
    """``patterns.json``: the classifier's family names and, per length bucket, the groups named together."""

    names: tuple[str, ...]
    buckets: tuple[tuple[int, int], ...] = GROUP_BUCKETS
    groups: Groups = dataclasses.field(default_factory=list)  # one list per bucket; [] means none anywhere
    threshold: float = GROUP_THRESHOLD  # the confusion the groups were made at, for the record
    training: dict[str, Any] = dataclasses.field(default_factory=dict)  # how it was trained, for the record

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(self.names))
        object.__setattr__(self, "buckets", tuple(tuple(b) for b in self.buckets))
        if len(self.names) < 2 or len(set(self.names)) != len(self.names) or not all(
            isinstance(n, str) for n in self.names
        ):
            raise ValueError(f"names must be 2 or more distinct family names, got {list(self.names)}")
        if not self.buckets or any(len(b) != 2 or not 0 < b[0] <= b[1] for b in self.buckets):
            raise ValueError(f"buckets must be (first, last) length pairs, got {list(self.buckets)}")
        groups = self.groups or [[] for _ in self.buckets]
        object.__setattr__(self, "groups", groups)
        if len(groups) != len(self.buckets):
            raise ValueError(f"groups must hold one list per bucket ({len(self.buckets)}), got {len(groups)}")
        for bucket in groups:
            members = [k for group in bucket for k in group]
            if len(set(members)) != len(members) or not all(
                isinstance(k, int) and 0 <= k < len(self.names) for k in members
            ):
                raise ValueError(f"groups must be disjoint lists of indices into names, got {bucket}")

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "buckets": [list(b) for b in self.buckets], "groups": self.groups,
                "threshold": self.threshold, "training": self.training}  # fmt: skip

    @classmethod
    def from_dict(cls, values: Any) -> ClassifierConfig:
        if not isinstance(values, dict) or not isinstance(values.get("names"), list):
            raise ValueError("it is not an object with a list of names")
        unknown = set(values) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        try:
            return cls(**values)
        except TypeError as err:  # a field of the wrong type
            raise ValueError(str(err)) from None


class Classifier:
    """``patterns.onnx`` on onnxruntime: (B, T) float64 values -> (B, K) float32 probabilities over ``names``."""

    def __init__(self, path: Path, config: ClassifierConfig) -> None:
        from numseries.sessions import cpu_session

        try:
            self._session = cpu_session(path)
        except Exception as err:  # onnxruntime raises its own error types for bad files
            raise ValueError(f"cannot load the family classifier {path}: {err}; train it again") from err
        outputs = self._session.get_outputs()
        if [i.name for i in self._session.get_inputs()] != ["x"] or outputs[0].shape[-1] != len(config.names):
            raise ValueError(
                f"{path} is not a family classifier for the {len(config.names)} names of its "
                f"{CLASSIFIER_CONFIG}; write both again with `python -m numseries.family`"
            )
        self.path = path
        self.config = config
        self.names = config.names

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """(B, T) float64 values of one length T >= 3 -> (B, K) float32 probabilities; a series and its
        mirror image get the same (each is read the way :func:`orientation` turns it)."""
        scaled, _ = unit_scaled(x * orientation(x)[:, None])  # an exact power-of-two scale: no overflow
        return self._session.run(None, {"x": scaled})[0]


def orientation(x: np.ndarray) -> np.ndarray:
    """(B, T) values -> (B,) 1 or -1 such that ``x * orientation(x)`` is the same for ``x`` and ``-x``: the
    sign of the last value less the first, else of the last less the mean, else of the summed cubes about
    the mean (1 where all are 0). The family classifier was trained on both signs (the generator's affine
    map takes either), but is not exactly symmetric: this makes it so, as the network's pattern head is."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.sign(np.nan_to_num(x[:, -1] - x[:, 0]))  # (B,)
        tie = np.flatnonzero(out == 0)  # the rest only where the ends are level (few: it costs a pass)
        if tie.size:
            centred = x[tie] - x[tie].mean(axis=1, keepdims=True)  # (R, T)
            for cue in (centred[:, -1], (centred * centred * centred).sum(axis=1)):
                out[tie] = np.where(out[tie] == 0, np.sign(np.nan_to_num(cue)), out[tie])
    return np.where(out == 0, 1.0, out)


def load_classifier(folder: str | Path | None) -> Classifier | None:
    """The family classifier in a weights folder, or ``None`` when it has none (older folders, test models)."""
    if folder is None:
        return None
    folder = Path(folder)
    path, config_path = folder / CLASSIFIER_FILE, folder / CLASSIFIER_CONFIG
    if not path.is_file():
        return None
    if not config_path.is_file():
        raise ValueError(f"{path} has no {CLASSIFIER_CONFIG} beside it; write both with `python -m numseries.family`")
    try:
        config = ClassifierConfig.from_dict(read_json(config_path, "family classifier config"))
    except ValueError as err:
        raise ValueError(f"family classifier config {config_path}: {err}; write it again") from None
    return Classifier(path, config)


def save_classifier(directory: str | Path, onnx_model: bytes, config: ClassifierConfig) -> Path:
    """Write ``patterns.onnx`` and ``patterns.json`` into a weights folder, each atomically, and record
    them in its manifest (when it has one) last."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    add_to_set(directory, {CLASSIFIER_FILE: onnx_model, CLASSIFIER_CONFIG: json_text(config.to_dict()).encode()})
    return directory


def describe_batch(
    probabilities: np.ndarray,
    names: tuple[str, ...],
    values: np.ndarray,
    lengths: np.ndarray,
    config: ClassifierConfig | None = None,
    found: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray]:
    """Patterns of N series: (N, K) probabilities over ``names``, (N, W) prefix-padded values and (N,)
    lengths -> (N texts, (N,) confidence: the probability of what each text names). ``config`` holds the
    groups to name together per length bucket; ``None``: every family alone. ``found``: the series' periods
    where already measured (:func:`~numseries.cycles.periods` of these values)."""
    choices, confidence = _choices(probabilities, lengths, config)
    texts: list[str] = [""] * len(lengths)
    cycles = periods(values, lengths) if found is None else found  # (N,) NaN where a series does not plainly repeat
    for (groups, first, second), rows in choices.items():  # each choice of groups' words made once
        named = [groups[g] for g in (first, second) if g >= 0]
        text = " or ".join(group_name([names[k] for k in g], _SLOT) for g in named) if named else UNCLEAR
        pieces = text.split(f"{_SLOT:+.4g}")  # split where the slope goes (nowhere, once, or once per trend group)
        if len(pieces) == 1:
            for i in rows.tolist():
                texts[i] = text
        else:  # the step per value where a line explains most of the series (a noisy sine has none to give)
            # (a trend group with none: "noisy (curve or line)", not "noisy trend (curve or line)")
            flat = " or ".join(group_name([names[k] for k in g]) for g in named).replace("noisy trend (", "noisy (")
            slopes, explained = _slopes(values[rows], lengths[rows], explained=True)
            for i, slope, share in zip(rows.tolist(), slopes.tolist(), explained.tolist(), strict=True):
                texts[i] = f"{slope:+.4g}".join(pieces) if share >= TREND_SHARE else flat
    for i in np.flatnonzero(np.isfinite(cycles)).tolist():
        texts[i] = with_period(texts[i], float(cycles[i]))
    # The family is a logarithm of either sign, and the classifier cannot tell them apart (it reads x and -x
    # alike): a rising one is named as it goes.
    rows = np.arange(len(lengths))
    rising = values[rows, np.maximum(lengths - 1, 0)] > values[rows, 0] if len(rows) else np.zeros(0, dtype=bool)
    for i in np.flatnonzero(rising).tolist():
        texts[i] = texts[i].replace(NAMES["log_decay"], "logarithmic growth")
    # Growth whose steps still grow at its end shows no saturation: 20% a step is named logistic at
    # confidence 1 (the classifier reads the curve's shape, and a logistic curve starts as an exponential)
    for i in np.flatnonzero(_accelerating(values, lengths)).tolist():
        texts[i] = texts[i].replace(NAMES["logistic"], UNSATURATED)
        for twice in (f"{UNSATURATED} or {NAMES['exponential']}", f"{NAMES['exponential']} or {UNSATURATED}"):
            texts[i] = texts[i].replace(twice, UNSATURATED)  # (not "exponential curve ... or exponential curve")
    for i in np.flatnonzero(_constant(values, lengths)).tolist():  # (rules off: no rule named it)
        texts[i] = CONSTANT
    return texts, confidence


TREND_SHARE = 0.5  # a description gives the step per value where a line explains this share of the variance
UNSATURATED = "exponential curve (or logistic, not saturating yet)"
CONSTANT = "constant"


def _accelerating(values: np.ndarray, lengths: np.ndarray, last: int = 6) -> np.ndarray:
    """(N, W) prefix-padded values, (N,) lengths -> (N,) bool: at least 4 values that move one way, each of
    their last ``last`` steps larger than the one before (no turn towards a level yet)."""
    n = len(values)
    if not n:
        return np.zeros(0, dtype=bool)
    at = lengths[:, None] - 1 - np.arange(last + 1)[::-1][None, :]  # (N, last+1) oldest first
    cells = at >= 0  # (N, last+1) each row's own last values (as many as it has: the same alone or in a batch)
    window = np.where(cells, values[np.arange(n)[:, None], np.maximum(at, 0)], np.nan)
    with np.errstate(over="ignore", invalid="ignore"):  # (steps past the float range: inf, not growing)
        steps = np.diff(window, axis=1)  # (N, last)
        moved = cells[:, 1:] & cells[:, :-1]  # (N, last)
        one_way = np.where(moved, steps > 0, True).all(axis=1) | np.where(moved, steps < 0, True).all(axis=1)
        growing = np.where(moved[:, 1:] & moved[:, :-1], np.diff(np.abs(steps), axis=1) > 0, True).all(axis=1)
        finite = np.where(cells, np.isfinite(window), True).all(axis=1)
    return (lengths >= 4) & one_way & growing & finite


def _constant(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(N, W) prefix-padded values, (N,) lengths -> (N,) bool: every value the same."""
    cells = np.arange(values.shape[1])[None, :] < lengths[:, None]
    first = values[:, :1] if values.shape[1] else np.zeros((len(values), 1))
    return (lengths > 0) & np.where(cells, values == first, True).all(axis=1)


def with_period(text: str, period: float) -> str:
    """A description with the period its series repeats with: "sine wave, period ≈ 6.3"; a series with no
    clearer pattern than that is "repeating, period ≈ 12"."""
    return f"{REPEATING if text == UNCLEAR else text}, period ≈ {period:.2g}"


def choose(
    probabilities: np.ndarray, lengths: np.ndarray, config: ClassifierConfig | None = None
) -> tuple[list[list[list[int]]], np.ndarray]:
    """What :func:`describe_batch` names: for each of N series, the one or two groups of family indices it
    names (none: no clear pattern), and the probability they hold (N,)."""
    named: list[list[list[int]]] = [[] for _ in lengths]
    choices, confidence = _choices(probabilities, lengths, config)
    for (groups, first, second), rows in choices.items():
        for i in rows.tolist():
            named[i] = [list(groups[g]) for g in (first, second) if g >= 0]
    return named, confidence


def _choices(
    probabilities: np.ndarray, lengths: np.ndarray, config: ClassifierConfig | None
) -> tuple[dict[tuple[tuple[tuple[int, ...], ...], int, int], np.ndarray], np.ndarray]:
    """The rows of N series by what they name: ``{(the bucket's groups, first group, second group): rows}``
    (-1: no group; both -1: no clear pattern), and the probability the named groups hold (N,). A group is
    named alone from CLEAR of the probability, the two most probable together from PAIR."""
    choices: dict[tuple[tuple[tuple[int, ...], ...], int, int], np.ndarray] = {}
    confidence = np.zeros(len(lengths))
    for rows, groups, mass in _group_masses(probabilities, lengths, config):
        order = np.argsort(mass, axis=1)[:, ::-1]  # (n, G)
        p1 = np.take_along_axis(mass, order[:, :1], axis=1)[:, 0]
        p2 = np.take_along_axis(mass, order[:, 1:2], axis=1)[:, 0] if mass.shape[1] > 1 else np.zeros(len(rows))
        clear, pair = p1 >= CLEAR, (p1 < CLEAR) & (p1 + p2 >= PAIR)
        confidence[rows] = np.where(clear, p1, np.where(pair, p1 + p2, p1))
        first = np.where(clear | pair, order[:, 0], -1)  # (n,)
        second = np.where(pair, order[:, 1] if mass.shape[1] > 1 else -1, -1)  # (n,)
        for (a, b), picked in _by_pair(first, second, rows):  # buckets with the same groups share their choices' rows
            key = (groups, a, b)
            choices[key] = np.concatenate([choices[key], picked]) if key in choices else picked
    return choices, confidence


def _by_pair(first: np.ndarray, second: np.ndarray, rows: np.ndarray) -> list[tuple[tuple[int, int], np.ndarray]]:
    """(n,) ints, (n,) ints, (n,) rows -> the rows of each distinct (first, second) pair: in Python for a
    few rows (``np.unique`` on rows costs a single prediction ~50 us), vectorised for many."""
    if len(rows) <= _FEW:
        pairs: dict[tuple[int, int], list[int]] = {}
        for pair, row in zip(zip(first.tolist(), second.tolist(), strict=True), rows.tolist(), strict=True):
            pairs.setdefault(pair, []).append(row)
        return [(pair, np.array(picked, dtype=rows.dtype)) for pair, picked in pairs.items()]
    keys, inverse = np.unique(np.stack([first, second], axis=1), axis=0, return_inverse=True)
    return [((a, b), rows[inverse.ravel() == j]) for j, (a, b) in enumerate(keys.tolist())]


_FEW = 16  # up to this many rows, grouping in Python is quicker than numpy's sorting


def top_groups(probabilities: np.ndarray, lengths: np.ndarray, config: ClassifierConfig | None) -> list[list[int]]:
    """For each of N series, the group of family indices with the most probability, however little."""
    top: list[list[int]] = [[] for _ in lengths]
    for rows, groups, mass in _group_masses(probabilities, lengths, config):
        for i, g in zip(rows, mass.argmax(axis=1), strict=True):
            top[i] = list(groups[g])
    return top


def _group_masses(
    probabilities: np.ndarray, lengths: np.ndarray, config: ClassifierConfig | None
) -> list[tuple[np.ndarray, tuple[tuple[int, ...], ...], np.ndarray]]:
    """Per length bucket: its rows (n,), its groups (every family in one), and their probabilities (n, G)."""
    buckets = bucket_index(lengths, config.buckets) if config else np.zeros(len(lengths), dtype=np.int64)
    out = []
    for b in sorted(set(buckets.tolist())) if len(buckets) <= _FEW else np.unique(buckets).tolist():
        rows = np.flatnonzero(buckets == b)
        key = tuple(map(tuple, config.groups[b])) if config else ()
        groups, member = _membership(probabilities.shape[1], key)
        out.append((rows, groups, probabilities[rows].astype(np.float64) @ member))  # (n, G)
    return out


@functools.lru_cache(maxsize=64)
def _membership(k: int, grouped: tuple[tuple[int, ...], ...]) -> tuple[tuple[tuple[int, ...], ...], np.ndarray]:
    """The partition of ``k`` families with these groups, and its (K, G) matrix: 1 where family k is in
    group g. Made once per bucket's groups (a single prediction spent a third of its naming here)."""
    groups = tuple(map(tuple, _partition(k, [list(group) for group in grouped])))  # shared: immutable
    member = np.zeros((k, len(groups)))
    for g, group in enumerate(groups):
        member[group, g] = 1.0
    member.flags.writeable = False  # shared between calls
    return groups, member


def _partition(k: int, groups: list[list[int]]) -> list[list[int]]:
    """The groups, then every family in none of them alone: a partition of range(k)."""
    grouped = {i for group in groups for i in group}
    return [list(group) for group in groups] + [[i] for i in range(k) if i not in grouped]


def group_name(families: list[str], slope: float | None = None) -> str:
    """A group's families named together: "oscillation (sine, modulated or changing frequency)", with the
    step per value when it holds a trend and ``slope`` is given; one family alone by its plain name."""
    if len(families) == 1:
        return _name(families[0], slope)
    umbrella = next((word for members, word in UMBRELLAS if set(families) <= members), None)
    words = [SHORT.get(family, plain_name(family)) if umbrella else plain_name(family) for family in families]
    listed = f"{', '.join(words[:-1])} or {words[-1]}"
    if slope is not None and any(family in TRENDS for family in families):
        listed += f", {slope:+.4g} per step"
    return f"{umbrella} ({listed})" if umbrella else listed


def _name(family: str, slope: float | None) -> str:
    name = plain_name(family)
    return f"{name} ({slope:+.4g} per step)" if family in TRENDS and slope is not None else name


def _slopes(values: np.ndarray, lengths: np.ndarray, explained: bool = False) -> Any:
    """(N, W) prefix-padded values, (N,) lengths -> (N,) least-squares slope of each series; with
    ``explained``, and (N,) the share of each series' variance the line explains (R², 0 for a constant)."""
    width = values.shape[1]
    mask = np.arange(width)[None, :] < lengths[:, None]  # (N, W)
    t = np.where(mask, np.arange(width, dtype=np.float64)[None, :], 0.0)
    x = np.where(mask, values, 0.0)
    x, exponent = unit_scaled(x)  # (N,): |x| / 2**exponent < 1, so no sum overflows
    t_mean = t.sum(axis=1) / lengths
    x_mean = x.sum(axis=1) / lengths
    dt = np.where(mask, t - t_mean[:, None], 0.0)
    dx = np.where(mask, x - x_mean[:, None], 0.0)
    slope = (dt * dx).sum(axis=1) / (dt**2).sum(axis=1)
    with np.errstate(over="ignore"):  # a slope beyond the float range is inf
        scaled = np.ldexp(slope, exponent)
    if not explained:
        return scaled
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nan_to_num(slope**2 * (dt**2).sum(axis=1) / (dx**2).sum(axis=1), nan=0.0)
    return scaled, share
