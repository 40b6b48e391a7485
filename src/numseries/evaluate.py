"""Evaluation: the model beside the classical baselines, scored on the same cases, per family (or real
dataset) and per context-length bucket.

    from numseries.evaluate import evaluate, synthetic_cases, report
    evaluation = evaluate(load_model(), synthetic_cases(n_per_cell=50), n_jobs=2)
    print(report(evaluation))

The primary metric is the median scaled error (see :mod:`numseries.metrics`). Noisy deterministic families
also get a *noise floor*: the error of the noise-free next value, ``|label - clean_label| / scale``.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from collections.abc import Sequence

import numpy as np

from numseries import baselines as baselines_module
from numseries.generate import FAMILIES, SequenceBatch, generate_batch, holdout_families, training_families
from numseries.metrics import context_scale, score

BUCKETS = ((4, 6), (8, 16), (24, 64))  # context-length buckets (inclusive)
EVAL_SEED = 20_261_127  # not a training seed (training uses 0, validation 1_000_003)
MODEL = "model"
NOISE_FLOOR = "noise_floor"


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


def _predictor(model):
    """A :class:`numseries.Predictor` as is, or one serving a torch model held in memory."""
    from numseries.predict import Predictor

    return model if isinstance(model, Predictor) else Predictor.from_model(model)


def predict_cases(predictor, cases: SequenceBatch) -> tuple[np.ndarray, np.ndarray]:
    """Run a :class:`numseries.Predictor` on every case: predictions (N,) and attention (N, T).

    The predictor groups the cases by length; contexts longer than its window are cropped, and their
    dropped steps get no attention.
    """
    result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan))
    attention = np.zeros(cases.data.shape)
    for i, (n, used) in enumerate(zip(cases.lengths, result.n_used)):
        attention[i, n - used : n] = result.attention[i, :used]
    return result.values, attention


def predict_loader(model, loader) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def evaluate(
    model, cases: SequenceBatch, *, baselines: Sequence[str] = baselines_module.ALL, n_jobs: int = 1
) -> Evaluation:
    """Score ``model`` and ``baselines`` on ``cases``.

    ``model`` is a torch :class:`LSTMWithAttention` or a :class:`numseries.Predictor` (the shipped ONNX
    model, say). ``baselines`` names any of :data:`numseries.baselines.ALL` (the statistical ones need
    the ``bench`` extra and take most of the time); ``n_jobs`` processes fit them.
    """
    unknown = [name for name in baselines if name not in baselines_module.ALL]
    if unknown:
        raise ValueError(f"unknown baseline {unknown[0]!r}; choose from: {', '.join(baselines_module.ALL)}")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, got {n_jobs!r}; pass e.g. n_jobs=2")
    predictor = _predictor(model)
    predict_cases(predictor, cases)  # warm-up: the runtime sets up its kernels once per context length
    start = time.perf_counter()
    model_pred, attention = predict_cases(predictor, cases)
    seconds = {MODEL: time.perf_counter() - start}
    predictions = {MODEL: model_pred}
    fell_back = {MODEL: np.zeros(len(cases), dtype=bool)}
    for name in baselines:
        start = time.perf_counter()
        predictions[name], fell_back[name] = baselines_module.forecast(name, cases.data, cases.masks, n_jobs=n_jobs)
        seconds[name] = time.perf_counter() - start
    return Evaluation(cases, predictions, fell_back, seconds, attention, n_jobs)


def _groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Each family or dataset alone, then the aggregates that hold at least two of them."""
    groups = {name: [name] for name in names}
    kinds = {
        "training families": [n for n in names if n in FAMILIES and not FAMILIES[n].holdout],
        "held-out families": [n for n in names if n in FAMILIES and FAMILIES[n].holdout],
        "all real series": [n for n in names if n not in FAMILIES],
    }
    groups.update({kind: members for kind, members in kinds.items() if len(members) >= 2})
    return groups


def summarise(evaluation: Evaluation, *, buckets: Sequence[tuple[int, int]] = BUCKETS) -> list[dict]:
    """One row per (group, bucket, method): the :func:`numseries.metrics.score` statistics and fallbacks.

    Groups are each family (or real dataset), then the training families, the held-out families or all
    real datasets together; buckets are each length bucket holding cases, then ``"all"`` lengths.
    Methods are the model, each baseline and, where every label carries noise on a deterministic family,
    the ``noise_floor``.
    """
    cases = evaluation.cases
    scale = evaluation.scale
    families = cases.families
    lengths = cases.lengths
    bucket_masks = {bucket_name(b): (lengths >= b[0]) & (lengths <= b[1]) for b in buckets}
    bucket_masks = {name: rows for name, rows in bucket_masks.items() if rows.any()}
    bucket_masks["all"] = np.ones(len(cases), dtype=bool)
    rows = []
    for group, members in _groups(cases.family_names).items():
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
                fallbacks = int(evaluation.fell_back[method][selected].sum()) if method in evaluation.fell_back else 0
                rows.append({"group": group, "bucket": bucket, "method": method, **stats, "fallbacks": fallbacks})
    return rows


def _fmt(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:.3g}"


def _ratio(a: float, b: float) -> float:
    """a / b, with 0 / 0 = 1 (both exact) and a / 0 = inf."""
    if b == 0:
        return 1.0 if a == 0 else float("inf")
    return a / b


def metric_table(rows: list[dict], metric: str = "median_scaled") -> str:
    """A markdown table of one metric: a line per (group, bucket), a column per method, best in bold.

    The last columns compare the model with the best baseline and with AutoARIMA (model ÷ baseline).
    """
    methods = list(dict.fromkeys(row["method"] for row in rows))
    baseline_names = [m for m in methods if m not in (MODEL, NOISE_FLOOR)]
    cells: dict[tuple[str, str], dict[str, dict]] = {}
    for row in rows:
        cells.setdefault((row["group"], row["bucket"]), {})[row["method"]] = row
    header = ["group", "length", "n", *methods, "model ÷ best baseline"]
    if "auto_arima" in methods:
        header.append("model ÷ auto_arima")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    for (group, bucket), by_method in cells.items():
        values = {m: by_method[m][metric] if m in by_method else float("nan") for m in methods}
        competing = [values[m] for m in methods if m != NOISE_FLOOR and not np.isnan(values[m])]
        best = min(competing) if competing else float("nan")
        shown = [f"**{_fmt(v)}**" if m != NOISE_FLOOR and v == best else _fmt(v) for m, v in values.items()]
        best_baseline = min((m for m in baseline_names if not np.isnan(values[m])), key=values.get, default=None)
        ratio = _ratio(values[MODEL], values[best_baseline]) if best_baseline else float("nan")
        line = [group, bucket, str(by_method[MODEL]["n"]), *shown, f"{_fmt(ratio)} ({best_baseline})"]
        if "auto_arima" in methods:
            line.append(_fmt(_ratio(values[MODEL], values["auto_arima"])))
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def fallback_table(rows: list[dict]) -> str:
    """A markdown table of how many cases each statistical baseline could not fit, per group."""
    methods = [m for m in dict.fromkeys(row["method"] for row in rows) if m in baselines_module.STATISTICAL]
    if not methods:
        return ""
    lines = ["| group | n | " + " | ".join(methods) + " |", "|---|" + "---:|" * (len(methods) + 1)]
    for group in dict.fromkeys(row["group"] for row in rows):
        by_method = {row["method"]: row for row in rows if row["group"] == group and row["bucket"] == "all"}
        counts = [str(by_method[m]["fallbacks"]) for m in methods]
        lines.append(f"| {group} | {by_method[MODEL]['n']} | " + " | ".join(counts) + " |")
    return "\n".join(lines)


def speed_table(evaluation: Evaluation) -> str:
    """A markdown table of the wall time per case of each method, and how many times the model's."""
    n = len(evaluation.cases)
    model_per_case = evaluation.seconds[MODEL] / n
    lines = ["| method | seconds, all cases | seconds per case | × model |", "|---|---:|---:|---:|"]
    for method, seconds in evaluation.seconds.items():
        lines.append(f"| {method} | {seconds:.3g} | {seconds / n:.3g} | {seconds / n / model_per_case:.3g} |")
    return "\n".join(lines)


def report(evaluation: Evaluation, *, title: str = "Accuracy against the baselines", note: str = "") -> str:
    """The full markdown report: scaled errors, MAE, RMSE, fallbacks and speed; ``note`` goes under the title."""
    rows = summarise(evaluation)
    n_constant = int(np.isnan(evaluation.scale).sum())
    sections = [
        f"# {title}",
        *([note] if note else []),
        f"{len(evaluation.cases)} one-step-ahead cases. Scaled error = |prediction − next value| / mean "
        "absolute step of the context (a last-value guess on a straight line scores 1). Lower is better; "
        "the best method of each line is in bold. `noise_floor` is the error of the noise-free next value. "
        f"{n_constant} cases with a constant context have no scale and are left out of the scaled errors. "
        "The statistical baselines see each context as the model does (shifted by its last value, divided by "
        "its mean absolute step) and fall back to the last value where they cannot fit.",
        "## Median scaled error (primary)",
        metric_table(rows, "median_scaled"),
        "## Mean scaled error",
        metric_table(rows, "mean_scaled"),
        "## MAE (in each series' units; dominated by the largest-scale series)",
        metric_table(rows, "mae"),
        "## RMSE (in each series' units)",
        metric_table(rows, "rmse"),
    ]
    fallbacks = fallback_table(rows)
    if fallbacks:
        sections += ["## Cases a statistical baseline could not fit (scored as the last value)", fallbacks]
    sections += [
        f"## Speed (statistical baselines on {evaluation.n_jobs} process(es); the model batched by length)",
        speed_table(evaluation),
    ]
    return "\n\n".join(sections) + "\n"
