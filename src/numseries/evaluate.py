"""Evaluation: the model beside the classical baselines, scored on the same cases, per family (or real
dataset) and per context-length bucket.

    from numseries.evaluate import evaluate, synthetic_cases
    from numseries.markdown import report
    evaluation = evaluate(load_model(), synthetic_cases(n_per_cell=50), n_jobs=2)
    print(report(evaluation))

The primary metric is the median scaled error (see :mod:`numseries.metrics`). Noisy deterministic families
also get a *noise floor*: the error of the noise-free next value, ``|label - clean_label| / scale``.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from numseries import baselines as baselines_module
from numseries.generate import FAMILIES, generate_batch, holdout_families, training_families
from numseries.metrics import context_scale, median_relative_error, score
from numseries.realdata import FREQUENCIES, FREQUENCY
from numseries.series import SequenceBatch, keep_last

if TYPE_CHECKING:
    from numseries.model import LSTMWithAttention
    from numseries.predict import Predictor

Row = dict[str, Any]  # one line of summarise(): group, bucket, method, the score() statistics, median_relative, fallbacks, size

BUCKETS = ((4, 6), (8, 16), (24, 64))  # context-length buckets (inclusive)
EVAL_SEED = 20_261_127  # not a training seed (training uses 0, validation 1_000_003)
MODEL = "model"
NOISE_FLOOR = "noise_floor"
AGGREGATES = ("training families", "held-out families", "all real series")  # the groups of several families
NEW_FAMILIES = "new families (not in the weights' training)"  # registered training families the weights never saw
FREQUENCY_GROUPS = tuple(f"{frequency} series" for frequency in FREQUENCIES)  # real datasets by sampling interval


def bucket_name(bucket: tuple[int, int]) -> str:
    return f"{bucket[0]}-{bucket[1]}"


def synthetic_cases(
    *,
    n_per_cell: int = 100,
    families: Sequence[str] | None = None,
    buckets: Sequence[tuple[int, int]] = BUCKETS,
    seed: int = EVAL_SEED,
) -> SequenceBatch:
    """``n_per_cell`` generated cases for every family and length bucket, lengths uniform in each bucket.

    ``families`` defaults to the training families followed by the held-out ones. Each family draws
    from its own seed derived from ``seed`` and its name, so its cases do not change with the list.
    """
    names = list(families) if families is not None else training_families() + holdout_families()
    if not isinstance(n_per_cell, int) or n_per_cell < 1:
        raise ValueError(f"n_per_cell must be a positive integer, got {n_per_cell!r}; pass e.g. 50")
    max_len = max(hi for _, hi in buckets)
    parts = []
    for name in names:
        rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
        lengths = np.concatenate([rng.integers(lo, hi + 1, n_per_cell) for lo, hi in buckets])
        parts.append(generate_batch(len(lengths), max_len=max_len, families=[name], lengths=lengths, seed=rng))
    return SequenceBatch(
        data=np.concatenate([p.data for p in parts]),
        labels=np.concatenate([p.labels for p in parts]),
        masks=np.concatenate([p.masks for p in parts]),
        lengths=np.concatenate([p.lengths for p in parts]),
        family_ids=np.repeat(np.arange(len(parts)), [len(p) for p in parts]),
        family_names=tuple(names),
        clean_labels=np.concatenate([p.clean_labels for p in parts]),
    )


def _predictor(model: Predictor | LSTMWithAttention) -> Predictor:
    """A :class:`numseries.Predictor` as is, or one serving a torch model held in memory."""
    from numseries.predict import Predictor

    return model if isinstance(model, Predictor) else Predictor.from_model(model)


def predict_cases(predictor: Predictor, cases: SequenceBatch) -> tuple[np.ndarray, np.ndarray]:
    """Run a :class:`numseries.Predictor` on every case: predictions (N,) and attention (N, T).

    The predictor groups the cases by length; contexts longer than its window are cropped, and their
    dropped steps get no attention.
    """
    result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan))
    _, columns = keep_last(cases.data, cases.lengths, predictor.max_len)  # (N, W): where each weight goes
    width = result.attention.shape[1]
    attention = np.zeros(cases.data.shape)
    np.put_along_axis(attention, columns[:, :width], result.attention, axis=1)  # 0 past each length
    return result.values, attention


def predict_loader(model: LSTMWithAttention, loader: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predictions (N,), targets (N,) and attention (N, T) for a loader of ``(x, y, mask)`` batches."""
    import torch

    model.eval()
    preds, targets, attentions = [], [], []
    with torch.no_grad():
        for x, y, mask in loader:
            pred, attn = model(x, mask)  # (B,), (B, T)
            preds.append(pred.numpy())
            targets.append(y.numpy())
            attentions.append(attn.numpy())
    return np.concatenate(preds), np.concatenate(targets), np.concatenate(attentions)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Predictions of the model and each baseline on the same cases, with their wall times."""

    cases: SequenceBatch
    predictions: dict[str, np.ndarray]  # method -> (N,), the model first
    fell_back: dict[str, np.ndarray]  # method -> (N,) bool, the cases that fell back to the last value
    seconds: dict[str, float]  # method -> wall seconds for all N cases
    attention: np.ndarray  # (N, T) the model's attention
    n_jobs: int  # processes that fitted the statistical baselines

    @property
    def scale(self) -> np.ndarray:
        """(N,) mean absolute step of each context, NaN where it is constant."""
        return context_scale(self.cases.data, self.cases.masks)

    @property
    def size(self) -> np.ndarray:
        """(N,) the largest absolute value of each case, its context and next value: what float64 rounds
        relative to (an error in the series' units far below it is rounding, not a miss)."""
        cases = self.cases
        return np.maximum(np.where(cases.masks, np.abs(cases.data), 0.0).max(axis=1), np.abs(cases.labels))


def _no_progress(method: str, done: int) -> None:  # noqa: ARG001
    """What :func:`evaluate` reports to when no ``progress`` is given."""


def evaluate(
    model: Predictor | LSTMWithAttention,
    cases: SequenceBatch,
    *,
    baselines: Sequence[str] = baselines_module.ALL,
    n_jobs: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> Evaluation:
    """Score ``model`` and ``baselines`` on ``cases``.

    ``model`` is a torch :class:`LSTMWithAttention` or a :class:`numseries.Predictor` (the shipped ONNX
    model, say). ``baselines`` names any of :data:`numseries.baselines.ALL` (the statistical ones need
    the ``bench`` extra and take most of the time); ``n_jobs`` processes fit them. ``progress(method, done)``
    is called as each method (the model, then each baseline) starts and as it goes, with its cases done so far.
    """
    unknown = [name for name in baselines if name not in baselines_module.ALL]
    if unknown:
        raise ValueError(f"unknown baseline {unknown[0]!r}; choose from: {', '.join(baselines_module.ALL)}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, got {n_jobs!r}; pass e.g. n_jobs=2")
    predictor = _predictor(model)
    report = progress or _no_progress
    report(MODEL, 0)
    predict_cases(predictor, cases)  # warm-up: the runtime sets up its kernels once per context length
    start = time.perf_counter()
    model_pred, attention = predict_cases(predictor, cases)
    seconds = {MODEL: time.perf_counter() - start}
    report(MODEL, len(cases))
    predictions = {MODEL: model_pred}
    fell_back = {MODEL: np.zeros(len(cases), dtype=bool)}
    for name in baselines:
        report(name, 0)
        start = time.perf_counter()
        # The slow statistical fits in chunks, so that progress moves; each case is fitted alone either way.
        chunk = max(100, 20 * n_jobs) if name in baselines_module.STATISTICAL else len(cases)
        parts = []
        for begin in range(0, len(cases), chunk):
            rows = slice(begin, begin + chunk)
            parts.append(baselines_module.forecast(name, cases.data[rows], cases.masks[rows], n_jobs=n_jobs))
            report(name, min(begin + chunk, len(cases)))
        predictions[name] = np.concatenate([pred for pred, _ in parts])
        fell_back[name] = np.concatenate([fell for _, fell in parts])
        seconds[name] = time.perf_counter() - start
    return Evaluation(cases, predictions, fell_back, seconds, attention, n_jobs)


def cell_spread(evaluation: Evaluation, *, draws: int = 200, seed: int = 0) -> float | None:
    """How far the model's median scaled error of one family and length bucket moves under resampling.

    Half the 5-95% bootstrap range of each cell's median, relative to the median, then the median over cells;
    None where no cell has two cases with an error to resample (one case per cell, or constant series only).
    """
    rng = np.random.default_rng(seed)
    cases = evaluation.cases
    errors = np.abs(evaluation.predictions[MODEL] - cases.labels) / evaluation.scale  # (N,), NaN if constant
    spreads = []
    for family in np.unique(cases.families):
        for lo, hi in BUCKETS:
            cell = errors[(cases.families == family) & (cases.lengths >= lo) & (cases.lengths <= hi)]
            cell = cell[~np.isnan(cell)]
            if len(cell) < 2 or np.median(cell) == 0:
                continue
            medians = np.median(rng.choice(cell, size=(draws, len(cell))), axis=1)  # (draws,)
            low, high = np.quantile(medians, [0.05, 0.95])
            spreads.append((high - low) / 2 / np.median(cell))
    return float(np.median(spreads)) if spreads else None


def untrained_families(trained_on: Collection[str] | None) -> list[str]:
    """The registered training families outside ``trained_on`` (the families some weights were trained on,
    :func:`numseries.weights.trained_families`; None: not recorded, so none), in registry order."""
    return [] if trained_on is None else [name for name in training_families() if name not in trained_on]


def groups(names: Sequence[str], trained_on: Collection[str] | None = None) -> dict[str, list[str]]:
    """Each family or dataset alone, then the aggregates that hold at least two of them, then the real
    datasets of each sampling frequency (one is enough: the frequency is the group)."""
    out = {name: [name] for name in names}
    training, held_out, real = AGGREGATES
    registered = [n for n in names if n in FAMILIES and not FAMILIES[n].holdout]
    new = untrained_families(trained_on)
    # a family the registry holds out that these weights trained on is one of their training families, not
    # held out (adversarial round 52: weights trained on logistic were scored on it as "held-out")
    learnt = [n for n in names if n in FAMILIES and FAMILIES[n].holdout and trained_on is not None and n in trained_on]
    kinds = {
        training: [n for n in names if (n in registered and n not in new) or n in learnt],
        NEW_FAMILIES: [n for n in registered if n in new],
        held_out: [n for n in names if n in FAMILIES and FAMILIES[n].holdout and n not in learnt],
        real: [n for n in names if n not in FAMILIES],
    }
    out.update({kind: members for kind, members in kinds.items() if len(members) >= 2})
    for frequency, group in zip(FREQUENCIES, FREQUENCY_GROUPS, strict=True):
        members = [n for n in names if n not in FAMILIES and FREQUENCY.get(n) == frequency]
        if members:
            out[group] = members
    return out


def summarise(
    evaluation: Evaluation,
    *,
    buckets: Sequence[tuple[int, int]] = BUCKETS,
    trained_on: Collection[str] | None = None,
) -> list[Row]:
    """One row per (group, bucket, method): the :func:`numseries.metrics.score` statistics, the median
    error relative to the last value's (``median_relative``, :func:`numseries.metrics.median_relative_error`),
    fallbacks and ``size``: the median of the cases' largest absolute values (:attr:`Evaluation.size`).

    Groups are each family (or real dataset), then the training families, the held-out families, all
    real datasets together and the real datasets of each sampling frequency (``"yearly series"``, ...,
    :data:`FREQUENCY_GROUPS`); buckets are each length bucket holding cases, then ``"all"`` lengths.
    ``trained_on`` names the families the evaluated weights were trained on
    (:func:`numseries.weights.trained_families`): registered training families outside it are grouped
    apart, as :data:`NEW_FAMILIES`, instead of among the training families.
    Methods are the model, each baseline and, where every label carries noise on a deterministic family,
    the ``noise_floor``.
    """
    cases = evaluation.cases
    scale = evaluation.scale
    size = evaluation.size
    families = cases.families
    lengths = cases.lengths
    bucket_masks = {bucket_name(b): (lengths >= b[0]) & (lengths <= b[1]) for b in buckets}
    bucket_masks = {name: rows for name, rows in bucket_masks.items() if rows.any()}
    bucket_masks["all"] = np.ones(len(cases), dtype=bool)
    last = baselines_module.last_value(cases.data, cases.masks)[0]  # (N,) the naive guess errors are relative to
    rows = []
    for group, members in groups(cases.family_names, trained_on).items():
        in_group = np.isin(families, members)
        # A floor only where every label is noisy and no family is stochastic (whose clean value is a guess).
        deterministic = not any(FAMILIES[m].stochastic for m in members if m in FAMILIES)
        for bucket, in_bucket in bucket_masks.items():
            selected = in_group & in_bucket
            if not selected.any():
                continue
            methods = dict(evaluation.predictions)
            if deterministic and np.all(cases.clean_labels[selected] != cases.labels[selected]):
                methods[NOISE_FLOOR] = cases.clean_labels
            for method, pred in methods.items():
                stats = score(pred[selected], cases.labels[selected], scale[selected])
                stats["median_relative"] = median_relative_error(pred[selected], cases.labels[selected], last[selected])
                fallbacks = int(evaluation.fell_back[method][selected].sum()) if method in evaluation.fell_back else 0
                rows.append({
                    "group": group, "bucket": bucket, "method": method, **stats, "fallbacks": fallbacks,
                    # the median (one of them: no sum to overflow near 1e308), not the mean: one series of
                    # 1e12 among ones of size 1 made any miss on those a tie (adversarial round 63)
                    "size": float(np.quantile(size[selected], 0.5, method="lower")),
                })  # fmt: skip
    return rows
