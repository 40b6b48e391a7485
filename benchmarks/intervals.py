"""Prediction intervals of numseries against statsforecast's AutoARIMA, AutoETS and AutoTheta, on the same cases.

    python benchmarks/intervals.py                  # the shipped model (about 10 minutes on 2 CPUs)
    python benchmarks/intervals.py --per-group 90 --real-per-bucket 4 --multi-per-dataset 3 --batch-series 2000 --generated-per-family 50

One-step cases: generated series of the training families and of the held-out families (lengths 4-64,
the buckets of numseries.evaluate), of the registered training families the weights were never trained on
("new families", when there are such), and the real suite (numseries.realdata, rolling origin). Multi-step
cases: windows of the real series, a context of 32 values with the 8 that follow, and of 12 with 6; and
windows of 24 values and 8 of each generated family, the model's bands alone, with and without the
calibration's per-family factors.
Every method sees the context alone. The statsforecast models fit each context (shifted by its last
value and divided by its mean absolute step, as numseries.baselines does, the intervals mapped back)
and give their intervals at 50/80/90/95%; a context a model refuses counts as refused, not as a miss.

Scores: coverage of the 50/80/90/95% intervals; Winkler's interval score at 80% and the weighted
quantile loss over the 9 quantiles those intervals bound (0.025 ... 0.975, the median included), both
divided by the context's mean absolute step. Speed: one prediction with intervals, a batch with
intervals and an 8-step forecast with 80% bands. Writes benchmarks/results/intervals.md and .json,
figures/calibration.png and figures/forecast_fan.png, and the README's intervals block.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path

import numpy as np

from numseries import Predictor
from numseries.evaluate import BUCKETS, EVAL_SEED, MODEL, bucket_name, synthetic_cases, untrained_families
from numseries.generate import SequenceBatch, generate_batch, holdout_families, mean_abs_step, training_families
from numseries.intervals import LINE_COVERAGES, LINE_STEPS, SPREAD_EDGES, named_families
from numseries.metrics import context_scale, coverage, interval_score, scaled_quantile_loss
from numseries.plots import COLORS, plot_calibration, plot_forecast_fan, save_figure
from numseries.realdata import REAL_SEED, load_series, real_cases
from numseries.weights import locate, trained_families

from _output import RESULTS, replace_block, write_result

LEVELS = (50, 80, 90, 95)  # percent
TAUS = tuple(round((100 - level) / 200, 4) for level in LEVELS[::-1]) + (0.5,) + tuple(
    round((100 + level) / 200, 4) for level in LEVELS
)  # (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975): the quantiles the intervals bound
STATISTICAL = {"auto_arima": "AutoARIMA", "auto_ets": "AutoETS", "auto_theta": "AutoTheta"}
SAMPLED = "model, sample paths"  # the model's multi-step bands from sample paths, for comparison
MULTI_STEP = ((32, 8), (12, 6))  # (context length, horizon) of the multi-step cases
GENERATED_MULTI_STEP = (24, 8)  # (context length, horizon) of the generated families' multi-step windows
SCORED_LEVEL = 80  # the level of the interval score
KINDS = ("training families", "new families", "held-out families", "real series")
TARGET_KINDS = ("training families", "held-out families", "real series")  # the kinds the issue sets targets on
TARGETS = {  # name: (limit, "max", "min" or "within"), as the issue states them
    "coverage_within": 3.0,  # points of nominal, one-step, at 80% and 95%, per kind of cases
    "multi_step_coverage_within": 5.0,  # points of nominal at every horizon, real series
    "interval_score_vs_best": 0.8,  # model's median scaled interval score at 80% ÷ the best statsforecast model's
    "single_prediction_ms": 0.3,
    "batch_series_per_s": 20_000,
    "forecast_series_per_s": 1_000,
}


@dataclasses.dataclass(frozen=True)
class Cases:
    """Contexts (N, T) with prefix masks, the values that follow them (N, H), and what each case is."""

    data: np.ndarray  # (N, T), right-padded
    masks: np.ndarray  # (N, T) bool
    futures: np.ndarray  # (N, H)
    groups: np.ndarray  # (N,) family or dataset name
    kinds: np.ndarray  # (N,) one of KINDS

    def __len__(self) -> int:
        return len(self.data)

    @property
    def lengths(self) -> np.ndarray:
        return self.masks.sum(axis=1)

    @property
    def scale(self) -> np.ndarray:
        """(N,) mean absolute step of each context, NaN where it is constant."""
        return context_scale(self.data, self.masks)


def _from_batch(batch: SequenceBatch, kind: str) -> Cases:
    return Cases(batch.data, batch.masks, batch.labels[:, None], batch.families, np.full(len(batch), kind))


def one_step_cases(per_group: int, real_per_bucket: int, trained: set[str] | None = None) -> Cases:
    """At least ``per_group`` generated cases of the training families and of the held-out families (the
    same number per family and length bucket), and the real suite with ``real_per_bucket`` per dataset
    and bucket. Registered training families outside ``trained`` (the families the weights were trained
    on; None: all) are the kind "new families", with as many cases per family as the training families."""
    parts = []
    new = untrained_families(trained)
    seen = [name for name in training_families() if name not in new]
    n_per_cell = math.ceil(per_group / (len(seen) * len(BUCKETS)))
    if new:
        parts.append(_from_batch(synthetic_cases(n_per_cell=n_per_cell, families=new), "new families"))
    for kind, families in (("training families", seen), ("held-out families", holdout_families())):
        n_per_cell = math.ceil(per_group / (len(families) * len(BUCKETS)))
        parts.append(_from_batch(synthetic_cases(n_per_cell=n_per_cell, families=families), kind))
    parts.append(_from_batch(real_cases(cases_per_bucket=real_per_bucket), "real series"))
    width = max(part.data.shape[1] for part in parts)
    pad = [((0, 0), (0, width - part.data.shape[1])) for part in parts]
    return Cases(
        np.concatenate([np.pad(part.data, p) for part, p in zip(parts, pad, strict=True)]),
        np.concatenate([np.pad(part.masks, p) for part, p in zip(parts, pad, strict=True)]),
        *(np.concatenate([getattr(part, name) for part in parts]) for name in ("futures", "groups", "kinds")),
    )


def multi_step_cases(context: int, horizon: int, per_dataset: int, seed: int = REAL_SEED) -> Cases:
    """Up to ``per_dataset`` windows of each real dataset: ``context`` values and the ``horizon`` after them,
    drawn without replacement from every window its series hold."""
    windows, groups = [], []
    for dataset, series in load_series().items():
        rng = np.random.default_rng([seed, zlib.crc32(dataset.encode()), context])
        starts = [(values, start) for values in series.values() for start in range(len(values) - context - horizon + 1)]
        for k in np.sort(rng.choice(len(starts), size=min(per_dataset, len(starts)), replace=False)):
            values, start = starts[k]
            windows.append(values[start : start + context + horizon])
            groups.append(dataset)
    windows = np.array(windows)  # (N, context + horizon)
    return Cases(
        windows[:, :context], np.ones((len(windows), context), dtype=bool), windows[:, context:],
        np.array(groups), np.full(len(windows), "real series"),
    )


# statsforecast ---------------------------------------------------------------------------------------

COLUMNS = [f"lo-{level}" for level in LEVELS[::-1]] + ["mean"] + [f"hi-{level}" for level in LEVELS]  # TAUS order


def _fit_chunk(model_name: str, contexts: list[np.ndarray], horizon: int) -> tuple[np.ndarray, float]:
    """Quantiles (n, horizon, len(TAUS)) of one statsforecast model on each context (NaN where it refuses),
    and the CPU seconds it took."""
    import statsforecast.models

    model_class = getattr(statsforecast.models, model_name)
    out = np.full((len(contexts), horizon, len(TAUS)), np.nan)
    start = time.process_time()
    for i, y in enumerate(contexts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                forecast = model_class(season_length=1).forecast(y=y, h=horizon, level=list(LEVELS))
                out[i] = np.stack([forecast[column] for column in COLUMNS], axis=-1)  # (horizon, Q)
            except Exception:  # statsforecast raises many kinds of errors on series it cannot fit
                pass
    out[~np.isfinite(out).all(axis=(1, 2))] = np.nan
    return out, time.process_time() - start


def statsforecast_subset(cases: Cases, per_kind: int) -> np.ndarray:
    """(N,) bool: every real case, and a seeded random ``per_kind`` of each kind of generated cases: what the
    statsforecast models fit (slow), where the model is scored on every case (its coverage needs many)."""
    chosen = cases.kinds == "real series"
    for kind in dict.fromkeys(cases.kinds[~chosen]):
        rows = np.flatnonzero(cases.kinds == kind)
        chosen[np.random.default_rng(0).permutation(rows)[:per_kind]] = True
    return chosen


def statistical_quantiles(
    pool: ProcessPoolExecutor, cases: Cases, share: dict[str, float], eligible: np.ndarray | None = None, chunk: int = 40
):
    """Start fitting each statsforecast model on a seeded random ``share[method]`` of the ``eligible`` cases
    (all of them for a method not named; every case by default); the
    returned ``collect()`` waits for the fits and gives ``{method: (N, H, Q) quantiles}`` (NaN where a model
    refused a case or did not try it), ``{method: (N,) bool tried}`` and ``{method: CPU seconds}``."""
    last = cases.data[np.arange(len(cases)), cases.lengths - 1]  # (N,)
    step = mean_abs_step(cases.data, cases.masks)
    step = np.where(step > 0, step, 1.0)  # a constant context keeps its units
    contexts = [(row[mask] - z) / s for row, mask, z, s in zip(cases.data, cases.masks, last, step, strict=True)]
    horizon = cases.futures.shape[1]
    tried = {}
    pool_rows = np.flatnonzero(eligible) if eligible is not None else np.arange(len(cases))
    for method in STATISTICAL:
        count = math.ceil(share.get(method, 1.0) * len(pool_rows))
        tried[method] = np.isin(np.arange(len(cases)), np.random.default_rng(0).permutation(pool_rows)[:count])
    jobs = {}
    for method, name in STATISTICAL.items():
        picked = [contexts[i] for i in np.flatnonzero(tried[method])]
        starts = range(0, len(picked), chunk)
        jobs[method] = [pool.submit(_fit_chunk, name, picked[i : i + chunk], horizon) for i in starts]

    def collect() -> tuple[dict, dict, dict]:
        quantiles, seconds = {}, {}
        for method, futures in jobs.items():
            parts = [future.result() for future in futures]
            q = np.full((len(cases), horizon, len(TAUS)), np.nan)
            q[tried[method]] = np.concatenate([part for part, _ in parts])
            quantiles[method] = last[:, None, None] + step[:, None, None] * q
            seconds[method] = sum(s for _, s in parts)
        return quantiles, tried, seconds

    return collect


# numseries -------------------------------------------------------------------------------------------


def has_intervals(predictor: Predictor) -> bool:
    """Whether the predictor's model has a quantile head (weights without one have no quantile levels)."""
    return bool(getattr(predictor, "quantile_levels", ()))


def _stack(interval, median: np.ndarray) -> np.ndarray:
    """``interval(level) -> (lo, hi)`` arrays (N, H) and the median (N, H) -> quantiles (N, H, Q) in TAUS order."""
    bounds = {level: interval(level) for level in LEVELS}
    columns = [bounds[level][0] for level in LEVELS[::-1]] + [median] + [bounds[level][1] for level in LEVELS]
    return np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=-1)


def model_quantiles(predictor: Predictor, cases: Cases, paths: int | None) -> np.ndarray:
    """The model's quantiles (N, H, Q) on every case: one step from ``predict_batch``, more from
    ``forecast_batch`` (bands from the path, or from ``paths`` sample paths)."""
    horizon = cases.futures.shape[1]
    if horizon == 1:
        result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan), level=LEVELS)
        median = result.quantiles[:, list(predictor.quantile_levels).index(0.5)]
        return _stack(lambda level: [bound[:, None] for bound in result.interval(level)], median[:, None])
    result = predictor.forecast_batch(cases.data, steps=horizon, level=LEVELS, paths=paths, seed=0)
    return _stack(result.interval, result.values)


def straight_lines(length: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window of ``length`` values of the real series (realdata.load_series) on a straight line (its
    steps equal and not 0) -> windows (N, length), the values after them (N,), and their halves (N,): 0 for
    the series whose "dataset/name" has an even CRC-32 (intervals.LINE_STEPS were measured on those), 1 else."""
    windows, nexts, halves = [], [], []
    for dataset, series in load_series().items():
        for name, values in series.items():
            half = zlib.crc32(f"{dataset}/{name}".encode()) % 2
            for i in range(len(values) - length):
                window = values[i : i + length]
                steps = np.diff(window)
                tolerance = 1e-9 * max(1.0, float(np.abs(window).max()))
                if steps[0] != 0 and np.allclose(steps, steps[0], rtol=1e-9, atol=tolerance):
                    windows.append(window)
                    nexts.append(values[i + length])
                    halves.append(half)
    return np.array(windows), np.array(nexts), np.array(halves)


def short_line_rows(predictor: Predictor) -> list[dict]:
    """The model's coverage on the real series' three-value straight lines, per half (0: the half LINE_STEPS
    were measured on), with how many went on along their line and the steps measured again on each half."""
    windows, nexts, halves = straight_lines()
    steps = windows[:, -1] - windows[:, -2]
    off = np.abs(nexts - (windows[:, -1] + steps)) / np.abs(steps)  # (N,) in steps of the line
    batch = predictor.predict_batch(windows, level=list(LEVELS))
    rows = []
    for half in (0, 1):
        inside = halves == half
        cover = {}
        for level in LEVELS:
            lo, hi = batch.interval(level)
            slack = 1e-9 * np.maximum(np.abs(nexts), np.abs(steps))
            hit = (nexts >= lo - slack) & (nexts <= hi + slack)
            cover[str(level)] = 100 * float(hit[inside].mean())
        rows.append({
            "half": "measured on (LINE_STEPS)" if half == 0 else "held out",
            "n": int(inside.sum()),
            "on_the_line": 100 * float((off[inside] < 1e-9).mean()),
            "coverage": cover,
            "steps": [float(v) for v in np.quantile(off[inside], LINE_COVERAGES, method="higher")],
            "exact": int(batch.exact[inside].sum()),
        })
    return rows


def short_line_table(rows: list[dict]) -> str:
    return _table(
        ["series", "n", "went on along the line", "coverage 50 / 80 / 90 / 95", "steps at " + " / ".join(
            f"{c:g}" for c in LINE_COVERAGES)],
        [[r["half"], f"{r['n']:,}", f"{r['on_the_line']:.1f}%", " / ".join(_fmt(r["coverage"][str(level)], ".1f")
          for level in LEVELS), " / ".join(f"{v:.3g}" for v in r["steps"])] for r in rows],
    )


# scores ----------------------------------------------------------------------------------------------


def _interval(quantiles: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    i = TAUS.index(round((100 - level) / 200, 4))
    return quantiles[..., i], quantiles[..., -1 - i]


def scores(quantiles: np.ndarray, futures: np.ndarray, scale: np.ndarray, tried: np.ndarray | None = None) -> dict:
    """Every statistic of one method on a set of cases at one horizon: quantiles (n, Q), futures (n,),
    scale (n,), on the cases it ``tried`` (n,) (all by default). Cases it refused count only in
    ``refused``; constant contexts (no scale) count in the coverage but not in the scaled scores."""
    if tried is not None:
        quantiles, futures, scale = quantiles[tried], futures[tried], scale[tried]
    fitted = np.isfinite(quantiles).all(axis=1)
    scored = fitted & np.isfinite(scale)
    lo, hi = _interval(quantiles[scored], SCORED_LEVEL)
    winkler = interval_score(lo, hi, futures[scored], SCORED_LEVEL) / scale[scored]
    loss = scaled_quantile_loss(quantiles[scored], futures[scored], np.array(TAUS), scale[scored])
    nan = float("nan")
    return {
        "n": int(len(futures)),
        "refused": int((~fitted).sum()),
        "coverage": {str(level): 100 * coverage(*_interval(quantiles, level), futures, _rounding(futures, scale))
                     for level in LEVELS},
        "interval_score_median": float(np.median(winkler)) if len(winkler) else nan,
        "quantile_loss_mean": float(np.mean(loss)) if len(loss) else nan,
        "quantile_loss_median": float(np.median(loss)) if len(loss) else nan,
    }


def _rounding(futures: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(n,) how far a target may lie outside an interval and still count as inside it: float rounding,
    1e-9 of its size and of the context's mean step, the tolerance within which an exact rule reproduces
    the values it was given (its interval has zero width, and the generator's values carry rounding)."""
    return 1e-9 * (np.abs(futures) + np.nan_to_num(scale))


def _versus(quantiles: dict, futures: np.ndarray, scale: np.ndarray) -> dict:
    """The model's median scaled interval score and mean quantile loss ÷ each statsforecast model's, on
    the cases both gave quantiles for: ``{"interval_score": {method: ratio}, "quantile_loss": {...}}``."""
    ratios: dict[str, dict[str, float]] = {"interval_score": {}, "quantile_loss": {}}
    ours = quantiles[MODEL]
    for method, theirs in quantiles.items():
        both = np.isfinite(theirs).all(axis=1) & np.isfinite(ours).all(axis=1)
        if method not in STATISTICAL or not both.any():
            continue
        a, b = scores(ours[both], futures[both], scale[both]), scores(theirs[both], futures[both], scale[both])
        ratios["interval_score"][method] = a["interval_score_median"] / b["interval_score_median"]
        ratios["quantile_loss"][method] = a["quantile_loss_mean"] / b["quantile_loss_mean"]
    return ratios


def _rows(selection: dict, quantiles: dict, tried: dict, futures: np.ndarray, scale: np.ndarray) -> list[dict]:
    rows = []
    for method, q in quantiles.items():
        row = {**selection, "method": method, **scores(q, futures, scale, tried.get(method))}
        if method == MODEL:
            row["model_vs"] = _versus(quantiles, futures, scale)
        rows.append(row)
    return rows


def one_step_rows(cases: Cases, quantiles: dict, tried: dict, exact: np.ndarray | None = None) -> list[dict]:
    """A row per (group, length bucket, method): each kind of cases by length bucket and in all, all
    generated cases, then each family and real dataset. With ``exact`` (N,) (the cases an exact rule
    answered), the model's rows also give the coverage of the other cases (``coverage_network``) and the
    count of exact ones (``exact``)."""
    lengths, scale, futures = cases.lengths, cases.scale, cases.futures[:, 0]
    selections = []
    for kind in KINDS:
        in_kind = cases.kinds == kind
        if not in_kind.any():
            continue
        for lo, hi in BUCKETS:
            in_bucket = in_kind & (lengths >= lo) & (lengths <= hi)
            if in_bucket.any():
                selections.append((kind, bucket_name((lo, hi)), in_bucket))
        selections.append((kind, "all", in_kind))
    selections.append(("all generated", "all", cases.kinds != "real series"))
    selections += [(str(group), "all", cases.groups == group) for group in dict.fromkeys(cases.groups)]
    rows = []
    for group, bucket, chosen in selections:
        picked = {method: q[chosen, 0] for method, q in quantiles.items()}
        picked_tried = {method: t[chosen] for method, t in tried.items()}
        rows += _rows({"group": group, "bucket": bucket}, picked, picked_tried, futures[chosen], scale[chosen])
        if exact is not None and MODEL in quantiles:
            network = ~exact[chosen]
            next(row for row in rows[-len(picked):] if row["method"] == MODEL).update(
                coverage_network=scores(picked[MODEL], futures[chosen], scale[chosen], network)["coverage"],
                exact=int(exact[chosen].sum()),
            )
    return rows


def pooled_predictor(predictor: Predictor) -> Predictor:
    """The same model with the calibration's pooled factors alone (no factors per named family)."""
    import copy

    pooled = copy.copy(predictor)
    if predictor.calibration is not None:
        pooled.calibration = predictor.calibration.pooled()
    return pooled


def named_family_rows(predictor: Predictor, cases: Cases, quantiles: np.ndarray, exact: np.ndarray) -> list[dict]:
    """The model's one-step coverage on the cases no exact rule answered, per kind of cases and the family the
    classifier names (one at 60% or more; "none" otherwise), with the calibration's factors per named family
    and with the pooled ones alone (at least 30 cases a row)."""
    x = np.where(cases.masks, cases.data, np.nan)
    probabilities = predictor.predict_batch(x).pattern_probabilities
    if predictor.calibration is None or probabilities is None:
        return []
    top = named_families(probabilities)
    pooled = model_quantiles(pooled_predictor(predictor), cases, None)[:, 0]
    rows = []
    for kind in KINDS:
        for index in [-1, *range(len(predictor.pattern_names))]:
            chosen = (cases.kinds == kind) & ~exact & (top == index)
            if chosen.sum() < 30:
                continue
            own = scores(quantiles[chosen, 0], cases.futures[chosen, 0], cases.scale[chosen])
            plain = scores(pooled[chosen], cases.futures[chosen, 0], cases.scale[chosen])
            rows.append({"kind": kind, "named": predictor.pattern_names[index] if index >= 0 else "none",
                         "n": own["n"], "coverage": own["coverage"], "pooled": plain["coverage"]})
    return rows


def named_family_table(rows: list[dict]) -> str:
    return _table(["cases", "named", "n", "80 / 95%", "pooled factors alone: 80 / 95%"], [
        [r["kind"], r["named"], f"{r['n']:,}", " / ".join(f"{r['coverage'][lv]:.1f}" for lv in ("80", "95")),
         " / ".join(f"{r['pooled'][lv]:.1f}" for lv in ("80", "95"))]
        for r in rows
    ])


def spread_rows(cases: Cases, quantiles: np.ndarray, exact: np.ndarray) -> list[dict]:
    """The model's one-step coverage on the cases no exact rule answered, per kind of cases and spread bucket
    of its 80% interval (its width in mean steps of the context, the buckets of the multi-step factors):
    where over- or under-confidence sits."""
    q = quantiles[:, 0]  # (N, Q) at TAUS
    lo, hi = _interval(q, 80)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = (hi - lo) / cases.scale
    edges = (0.0, *SPREAD_EDGES, np.inf)
    rows = []
    for kind in KINDS:
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            chosen = (cases.kinds == kind) & ~exact & (spread >= a) & (spread < b)
            if chosen.any():
                stats = scores(q[chosen], cases.futures[chosen, 0], cases.scale[chosen])
                rows.append({"kind": kind, "spread": f"{a:g}–{b:g}", "n": stats["n"], "coverage": stats["coverage"]})
    return rows


def spread_table(rows: list[dict]) -> str:
    return _table(["cases", "80% interval in mean steps", "n", "coverage of the 50 / 80 / 90 / 95% intervals"], [
        [r["kind"], r["spread"], f"{r['n']:,}", " / ".join(f"{r['coverage'][str(lv)]:.1f}" for lv in LEVELS)]
        for r in rows
    ])


def multi_step_rows(cases: Cases, quantiles: dict, tried: dict) -> list[dict]:
    """A row per (horizon, method)."""
    rows = []
    for h in range(cases.futures.shape[1]):
        picked = {method: q[:, h] for method, q in quantiles.items()}
        rows += _rows({"horizon": h + 1}, picked, tried, cases.futures[:, h], cases.scale)
    return rows


def generated_multi_step_rows(predictor: Predictor, per_family: int) -> list[dict]:
    """Per generator family: the coverage of the model's 80% and 95% bands over steps 2 .. horizon of
    ``GENERATED_MULTI_STEP`` windows (rules on, as users get them), and of the same bands without the
    calibration's per-family factors (the pooled ones alone)."""
    context, horizon = GENERATED_MULTI_STEP
    pooled = pooled_predictor(predictor)
    rows = []
    for kind, families in (("training", training_families()), ("held-out", holdout_families())):
        for family in families:
            rng = np.random.default_rng([EVAL_SEED, zlib.crc32(family.encode())])
            lengths = np.full(per_family, context + horizon)
            batch = generate_batch(per_family, max_len=context + horizon, families=[family], lengths=lengths, seed=rng)
            windows, futures = list(batch.data[:, :context]), batch.data[:, context:]
            tolerance = _rounding(futures, mean_abs_step(batch.data[:, :context], batch.masks[:, :context])[:, None])
            row = {"family": family, "kind": kind, "n": per_family}
            for name, model in (("coverage", predictor), ("pooled", pooled)):
                forecast = model.forecast_batch(windows, horizon, level=[80, 95])
                row[name] = {
                    str(level): 100 * coverage(*(bound[:, 1:] for bound in forecast.interval(level)), futures[:, 1:],
                                               tolerance[:, 1:])
                    for level in (80, 95)
                }
            rows.append(row)
    return rows


def generated_multi_step_table(rows: list[dict]) -> str:
    return _table(
        ["family", "kind", "n", "80% / 95%", "without the family factors 80% / 95%"],
        [[r["family"], r["kind"], f"{r['n']:,}", f"{r['coverage']['80']:.1f} / {r['coverage']['95']:.1f}",
          f"{r['pooled']['80']:.1f} / {r['pooled']['95']:.1f}"] for r in rows],
    )


# speed -----------------------------------------------------------------------------------------------


def _mixed_series(n: int, seed: int) -> list[np.ndarray]:
    lengths = np.random.default_rng(seed).integers(4, 65, n)
    batch = generate_batch(n, lengths=lengths, seed=seed)
    return [row[:length] for row, length in zip(batch.data, batch.lengths, strict=True)]


def _best_rate(run, n: int, repeats: int = 3) -> float:
    """Series per second of the fastest of ``repeats`` calls of ``run()`` on ``n`` series."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n / best


def speed(predictor: Predictor, batch_series: int, forecast_series: int, paths: int | None) -> dict:
    sequence = np.cumsum(np.random.default_rng(0).normal(size=64))
    for _ in range(100):
        predictor.predict(sequence, level=[80, 95], weights=False)
    times: dict[bool, list[float]] = {True: [], False: []}
    for call in range(4_000):  # with and without intervals in turn, so that both see the same load
        with_level = call % 2 == 0
        start = time.perf_counter()  # without the per-step weights (their cost is predict_speed.py's)
        predictor.predict(sequence, level=[80, 95] if with_level else None, weights=False)
        times[with_level].append(time.perf_counter() - start)
    mixed = _mixed_series(batch_series, seed=1)

    def forecast_rate(paths: int | None) -> tuple[int, float]:
        start = time.perf_counter()
        predictor.forecast_batch(mixed[:20], steps=8, level=[80], paths=paths, seed=0)  # warm-up, and a first rate
        rate = 20 / (time.perf_counter() - start)
        few = mixed[: int(np.clip(rate * 10, 20, forecast_series))]  # about 10 s a call, however fast it is
        run = lambda: predictor.forecast_batch(few, steps=8, level=[80], paths=paths, seed=0)  # noqa: E731
        return len(few), _best_rate(run, len(few), repeats=2)

    few, rate = forecast_rate(None)
    sampled_few, sampled_rate = forecast_rate(paths or 200)
    return {
        "single_prediction_ms": 1e3 * statistics.median(times[True]),
        "single_prediction_p90_ms": 1e3 * float(np.percentile(times[True], 90)),
        "single_prediction_without_intervals_ms": 1e3 * statistics.median(times[False]),
        "batch_series": len(mixed),
        "batch_series_per_s": _best_rate(lambda: predictor.predict_batch(mixed, level=[80, 95]), len(mixed)),
        "batch_without_intervals_series_per_s": _best_rate(lambda: predictor.predict_batch(mixed), len(mixed)),
        "forecast_series": few,
        "forecast_series_per_s": rate,
        "forecast_paths": paths or 200,
        "forecast_paths_series": sampled_few,
        "forecast_paths_series_per_s": sampled_rate,
    }


# report ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Bands:
    """One case's quantiles (H, Q) in TAUS order, read as a forecast by :func:`plot_forecast_fan`."""

    quantiles: np.ndarray

    @property
    def values(self) -> np.ndarray:
        return self.quantiles[:, TAUS.index(0.5)]

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        return _interval(self.quantiles, level)


def held_out_note(weights: str | None) -> str:
    """Which held-out families the weights' last training run saw, from its training_info.json."""
    seen = locate(weights).training_info().get("data", {}).get("families")
    if not seen:
        return "The weights record no training families (no training_info.json)."
    overlap = [family for family in holdout_families() if family in seen]
    if not overlap:
        return "The weights' last training run saw none of the held-out families."
    return (f"**The weights' last training run saw the held-out families {', '.join(overlap)}** (training_info.json), "
            "so for its heads they are not held out.")


def checks(results: dict) -> list[dict]:
    """The issue's targets, each with the measured value; none for the model when it was not measured."""
    out = []
    one = {(r["group"], r["bucket"], r["method"]): r for r in results["one_step"]}

    def add(name: str, value: float, limit: str, met: bool) -> None:
        out.append({"target": name, "value": value, "limit": limit, "met": bool(met)})

    if not results["model"]:
        return out
    within = TARGETS["coverage_within"]
    for kind in TARGET_KINDS:
        for level in (80, 95):
            row = one[kind, "all", MODEL]
            value = row.get("coverage_network", row["coverage"])[str(level)]
            n = row["n"] - row.get("exact", 0)
            error = 100 * math.sqrt(value / 100 * (1 - value / 100) / max(n, 1))  # binomial standard error
            note = f" (the {n:,} not answered by an exact rule" if row.get("exact") else f" ({n:,} cases"
            note += f"; standard error {error:.2f} points)"
            add(f"coverage at {level}%, one step, {kind}{note}", value, f"{level} ± {within:g}",
                abs(value - level) <= within)
    within = TARGETS["multi_step_coverage_within"]
    for key, rows in results["multi_step"].items():
        for level in (80, 95):
            values = [r["coverage"][str(level)] for r in rows if r["method"] == MODEL]
            worst = max(values, key=lambda v: abs(v - level))
            add(f"coverage at {level}%, real series, {key}, the worst of horizons 1–{len(values)}", worst,
                f"{level} ± {within:g}", abs(worst - level) <= within)
    limit = TARGETS["interval_score_vs_best"]
    for group in ("all generated", "real series"):
        ratios = one[group, "all", MODEL]["model_vs"]["interval_score"]
        hardest = max(ratios, key=ratios.get)
        add(f"median interval score at 80% ÷ the best statsforecast model's ({hardest}), one step, {group}",
            ratios[hardest], f"≤ {limit:g}", ratios[hardest] <= limit)
    speed = results["speed"]
    add("one prediction with 80% and 95% intervals, length 64, without per-step weights (ms, median)",
        speed["single_prediction_ms"],
        f"≤ {TARGETS['single_prediction_ms']:g}", speed["single_prediction_ms"] <= TARGETS["single_prediction_ms"])
    add(f"batch of {speed['batch_series']:,} series (lengths 4–64) with 80% and 95% intervals (series/s)",
        speed["batch_series_per_s"], f"≥ {TARGETS['batch_series_per_s']:,}",
        speed["batch_series_per_s"] >= TARGETS["batch_series_per_s"])
    add("8-step forecast with 80% bands from the path (series/s)", speed["forecast_series_per_s"],
        f"≥ {TARGETS['forecast_series_per_s']:,}", speed["forecast_series_per_s"] >= TARGETS["forecast_series_per_s"])
    return out


def _fmt(value: float, digits: str = ".3g") -> str:
    return "–" if value is None or not np.isfinite(value) else format(value, digits)


def _coverage_cell(row: dict, levels=LEVELS, total: int | None = None) -> str:
    """Coverage at ``levels``, with how many cases the method tried when fewer than ``total``, and refused."""
    notes = ([f"of {row['n']:,}"] if total is not None and row["n"] < total else []) + (
        [f"{row['refused']:,} refused"] if row["refused"] else [])
    cell = " / ".join(_fmt(row["coverage"][str(level)], ".1f") for level in levels)
    return cell + (f" ({', '.join(notes)})" if notes else "")


def _table(header: list[str], lines: list[list[str]]) -> str:
    rule = "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"
    return "\n".join(["| " + " | ".join(header) + " |", rule] + ["| " + " | ".join(line) + " |" for line in lines])


def _hardest(row: dict, metric: str) -> str:
    ratios = row.get("model_vs", {}).get(metric, {})
    if not ratios:
        return "–"
    method = max(ratios, key=ratios.get)
    return f"{_fmt(ratios[method])} ({method})"


def one_step_tables(rows: list[dict], methods: list[str], with_model: bool) -> list[str]:
    cells: dict[tuple[str, str], dict[str, dict]] = {}
    for row in rows:
        cells.setdefault((row["group"], row["bucket"]), {})[row["method"]] = row
    main = [key for key in cells if key[0] in KINDS or key[0] == "all generated"]
    per_group = [key for key in cells if key not in main]
    ratio = ["model ÷ hardest statsforecast model"] if with_model else []

    def lines(keys, cell, extra=None):
        total = {key: max(row["n"] for row in cells[key].values()) for key in keys}
        return [[g, b, f"{total[g, b]:,}", *(cell(cells[g, b][m], total[g, b]) for m in methods),
                 *([extra(cells[g, b][MODEL])] if extra and with_model else [])] for g, b in keys]

    head = ["cases", "length", "n", *methods]
    return [
        "## One step: coverage (%) of the 50 / 80 / 90 / 95% intervals",
        _table(head, lines(main, lambda r, n: _coverage_cell(r, LEVELS, n))),
        f"## One step: median interval score at {SCORED_LEVEL}% (scaled; lower is better)",
        "Each method on the cases it gave an interval for; the last column divides the model's median by each "
        "statsforecast model's on the cases both fitted and shows the largest quotient.",
        _table(head + ratio, lines(main, lambda r, _n: _fmt(r["interval_score_median"]),
                                   lambda r: _hardest(r, "interval_score"))),
        "## One step: weighted quantile loss (mean scaled pinball loss over the 9 quantiles; lower is better)",
        "Each cell: mean / median over the cases.",
        _table(head + ratio, lines(main, lambda r, _n: f"{_fmt(r['quantile_loss_mean'])} / "
                                                       f"{_fmt(r['quantile_loss_median'])}",
                                   lambda r: _hardest(r, "quantile_loss"))),
        "## One step, per family and real dataset: coverage (%) of the 80 / 95% intervals",
        _table(head, lines(per_group, lambda r, n: _coverage_cell(r, (80, 95), n))),
    ]


def multi_step_table(rows: list[dict], methods: list[str], with_model: bool) -> str:
    by = {(r["horizon"], r["method"]): r for r in rows}
    horizons = sorted({r["horizon"] for r in rows})
    head = ["horizon", "n", *(f"{m} 80 / 95%" for m in methods), *(f"{m} interval score" for m in methods)]
    if with_model:
        head.append("model ÷ hardest (interval score)")
    lines = []
    for h in horizons:
        total = max(by[h, m]["n"] for m in methods)
        line = [str(h), f"{total:,}"]
        line += [_coverage_cell(by[h, m], (80, 95), total) for m in methods]
        line += [_fmt(by[h, m]["interval_score_median"]) for m in methods]
        if with_model:
            line.append(_hardest(by[h, MODEL], "interval_score"))
        lines.append(line)
    return _table(head, lines)


def speed_table(results: dict) -> str:
    timed = [c for c in results["checks"] if "series/s" in c["target"] or "ms" in c["target"]]
    lines = [[c["target"], _fmt(c["value"], ",.3g") if c["value"] < 1e3 else f"{c['value']:,.0f}", c["limit"],
              "yes" if c["met"] else "**no**"] for c in timed]
    speed = results["speed"]
    if "batch_without_intervals_series_per_s" in speed:
        lines.insert(1, ["… the same without intervals (ms, median)",
                         _fmt(speed["single_prediction_without_intervals_ms"], ".3g"), "", ""])
        lines.insert(3, ["… the same batch without intervals (series/s)",
                         f"{speed['batch_without_intervals_series_per_s']:,.0f}", "", ""])
        lines.append([f"… the same from {speed['forecast_paths']} sample paths a series "
                      f"({speed['forecast_paths_series']:,} series, as many as take about 10 s) (series/s)",
                      _fmt(speed["forecast_paths_series_per_s"], ",.3g"), "", ""])
    for key, seconds in results["statsforecast_cpu_seconds"].items():
        for method, s in seconds.items():
            n = results["statsforecast_fits"][key][method]
            lines.append([f"statsforecast {STATISTICAL[method]}, {key} (series/s per CPU, fit + intervals)",
                          f"{n / s:,.1f}", "", ""])
    return _table(["measure", "result", "target", "met"], lines)


def render(results: dict) -> str:
    methods = [MODEL] * results["model"] + list(STATISTICAL)
    meta = results["meta"]
    sections = [
        "# Prediction intervals against statsforecast",
        f"Generated by `{meta['command']}` on {meta['date']}. Model: {meta['model']}. Machine: {meta['machine']}; "
        f"load average before {meta['load_before']}, after {meta['load_after']}; {meta['versions']}. "
        f"Wall time {meta['seconds']:.0f} s.",
        "Cases: " + ", ".join(f"{key}: {n:,}" for key, n in results["cases"].items()) + ". " + meta["cases_note"]
        + " " + meta["held_out"],
        "Coverage counts the cases where the true value lies inside the interval (bounds included, give or take "
        "float rounding: 1e-9 of the value and of the context's mean step, so that an exact rule's zero-width "
        "interval covers the generator's value), among those the method gave an interval for; AutoETS refuses contexts of fewer than 7 values. The interval score is "
        f"Winkler's at {SCORED_LEVEL}% (width plus 2 / 0.2 times any miss), the weighted quantile loss the mean "
        "pinball loss over the quantiles 0.025 … 0.975 (the bounds of the four intervals and the median); "
        "both are divided by the context's mean absolute step (constant contexts left out). The statsforecast "
        "models' median is their mean (their intervals are symmetric).",
    ]
    if not results["model"]:
        sections.append("**The model is not measured here**: these weights give no intervals (no `quantile_levels`), "
                        "or the run asked for the baselines only.")
    if results["checks"]:
        sections += ["## Targets", _table(["target", "measured", "limit", "met"], [
            [c["target"], _fmt(c["value"], ",.4g"), c["limit"], "yes" if c["met"] else "**no**"]
            for c in results["checks"]])]
    sections += one_step_tables(results["one_step"], methods, results["model"])
    if results.get("one_step_by_spread"):
        sections += [
            "## One step: the model's coverage (%) by the width of its interval",
            "On the cases no exact rule answered, by the width of the model's 80% interval in mean steps of the "
            "context (the spread buckets of the multi-step factors). Under-coverage that sits in the narrow "
            "buckets comes from confidence the generated families taught and the series do not bear out.",
            spread_table(results["one_step_by_spread"]),
        ]
    if results.get("one_step_by_named_family"):
        sections += [
            "## One step: the model's coverage (%) by the family the classifier names",
            "On the cases no exact rule answered, by the family the classifier names (one family with 60% of "
            "the probability or more; none otherwise), with the calibration's one-step factors of that family "
            "(measured among the generated calibration cases named so, never narrower than the pooled ones) and "
            "with the pooled factors alone. Rows of 30 cases or more.",
            named_family_table(results["one_step_by_named_family"]),
        ]
    if results.get("short_lines"):
        sections += [
            "## One step: straight lines of three values, real series",
            "Every window of three values on a straight line (equal steps, not 0) in the real series, whatever its "
            "place, with the value after it: too short for an exact rule, the network continues the line and its "
            "interval (zero-wide for a line) is widened by `intervals.LINE_STEPS` steps of the line, measured on "
            "the first half of the series and held out from the second. The last column measures those steps "
            f"again on each half: {' / '.join(f'{v:g}' for v in LINE_STEPS)} in the code.",
            short_line_table(results["short_lines"]),
        ]
    for key, rows in results["multi_step"].items():
        present = [m for m in [MODEL, SAMPLED] if any(r["method"] == m for r in rows)] + list(STATISTICAL)
        sections += [f"## Several steps, real series, {key}: coverage (%) and median interval score at "
                     f"{SCORED_LEVEL}% per horizon", multi_step_table(rows, present, results["model"])]
    if results.get("generated_multi_step"):
        context, horizon = GENERATED_MULTI_STEP
        sections += [
            f"## Several steps, generated families: coverage (%) of the model's bands over steps 2–{horizon}",
            f"Windows of {context} values and the {horizon} that follow, generated per family (seed {EVAL_SEED} and "
            "the family's name), forecast with the exact rules on, as users get them. Beside each family, the same "
            "bands without the calibration's per-family factors (the factors pooled over the mixture alone): a "
            "context the family classifier names (one family at 60% or more) widens by its family's factor. "
            "No target is set on these; the held-out families are held out of the point network, not of the "
            "quantile head or of the multi-step calibration's paths.",
            generated_multi_step_table(results["generated_multi_step"]),
        ]
    sections += ["## Speed", speed_table(results)]
    return "\n\n".join(sections) + "\n"


def readme_block(results: dict) -> str:
    methods = [MODEL] * results["model"] + list(STATISTICAL)
    one = {(r["group"], r["bucket"], r["method"]): r for r in results["one_step"]}
    head = ["cases", "n", *(f"{m} 80 / 95%" for m in methods)]
    if results["model"]:
        head.append("model's interval score ÷ hardest")
    lines = []
    for kind in (kind for kind in KINDS if (kind, "all", methods[0]) in one):
        rows = [one[kind, "all", m] for m in methods]
        total = max(r["n"] for r in rows)
        cells = [_coverage_cell(r, (80, 95), total) for r in rows]
        if results["model"] and rows[0].get("exact"):
            cells[0] = f"{_coverage_cell(_network(rows[0]), (80, 95))} ({rows[0]['exact']:,} exact)"
        line = [f"{kind}, one step", f"{total:,}", *cells]
        lines.append(line + ([_hardest(rows[0], "interval_score")] if results["model"] else []))
    for key, rows in results["multi_step"].items():
        last = max(r["horizon"] for r in rows)
        by = {r["method"]: r for r in rows if r["horizon"] == last}
        total = max(r["n"] for r in by.values())
        line = [f"real series, {key}, step {last}", f"{total:,}",
                *(_coverage_cell(by[m], (80, 95), total) for m in methods)]
        lines.append(line + ([_hardest(by[MODEL], "interval_score")] if results["model"] else []))
    intro = (
        "Coverage (%) of the 80% and 95% intervals on held-out cases (nominal: 80 / 95), against statsforecast; "
        "the model's one-step coverage counts the cases no exact rule answered (an exact rule's zero-width "
        "interval holds its value, right or wrong: see the rules section); "
        "full tables, the 50% and 90% levels, interval scores, quantile losses and speed in "
        "`benchmarks/results/intervals.md` (`benchmarks/intervals.py`)."
    )
    intro += " " + results["meta"]["held_out"]
    if not results["model"]:
        intro += " The model's intervals are not measured yet."
    return intro + "\n\n" + _table(head, lines)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _network(row: dict) -> dict:
    """The model's one-step row with its coverage on the cases no exact rule answered, when it has it:
    an exact rule's zero-width interval holds its value, right or wrong, and says nothing of the others."""
    return {**row, "coverage": row["coverage_network"]} if row.get("exact") else row


def calibration_figure(results: dict, out: Path) -> None:
    """calibration.png: observed against nominal coverage per kind of cases (one step: the model on the
    cases no exact rule answered, as in the tables) and at the last step of each multi-step set."""
    from matplotlib.figure import Figure

    rows = {(r["group"], r["bucket"], r["method"]): r for r in results["one_step"]}
    methods = [MODEL] * results["model"] + list(STATISTICAL)
    panels = [(kind, [_network(rows[kind, "all", m]) if m == MODEL else rows[kind, "all", m] for m in methods])
              for kind in KINDS if (kind, "all", methods[0]) in rows]
    for key, step_rows in results["multi_step"].items():
        last = max(r["horizon"] for r in step_rows)
        panels.append((f"real, {key}, step {last}", [r for m in methods for r in step_rows
                                                      if r["method"] == m and r["horizon"] == last]))
    figure = Figure(figsize=(4.2 * len(panels), 4.4), layout="constrained")
    for ax, (title, picked) in zip(figure.subplots(1, len(panels)), panels, strict=True):
        observed = np.array([[r["coverage"][str(level)] for level in LEVELS] for r in picked])
        plot_calibration(LEVELS, observed, labels=methods, title=title, ax=ax)
    save_figure(figure, out / "figures" / "calibration.png")


def fan_figure(fan: tuple[Cases, dict], out: Path, fan_case: str) -> None:
    """forecast_fan.png: the first multi-step case of ``fan_case`` with the model's and AutoARIMA's bands
    (``fan``: cases, quantiles)."""
    from matplotlib.figure import Figure

    cases, quantiles = fan
    shown = [m for m in (MODEL, "auto_arima") if m in quantiles]
    every = np.all([np.isfinite(quantiles[m]).all(axis=(1, 2)) for m in shown], axis=0)
    (i,) = np.flatnonzero((cases.groups == fan_case) & every)[:1]  # the first case every method shown fitted
    figure = Figure(figsize=(6 * len(shown), 3.6), layout="constrained")
    for ax, method in zip(np.atleast_1d(figure.subplots(1, len(shown), sharey=True)), shown, strict=True):
        plot_forecast_fan(cases.data[i], _Bands(quantiles[method][i]), levels=(50, 80, 95), actual=cases.futures[i],
                          title=f"{method}: {fan_case}, {len(cases.futures[i])} steps ahead", ax=ax,
                          color=COLORS[method])
    save_figure(figure, out / "figures" / "forecast_fan.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--per-group", type=int, default=10_000, help="one-step generated cases, at least, of the "
                        "training families and of the held-out families, that the model is scored on (a coverage "
                        "of 80%% on 1,000 cases has a standard error of 1.3 points, on 10,000 of 0.4)")
    parser.add_argument("--statsforecast-per-group", type=int, default=1_000, help="of those, the statsforecast "
                        "models fit a seeded random subset of this many per group (and every real case)")
    parser.add_argument("--real-per-bucket", type=int, default=40, help="one-step real cases per dataset and bucket")
    parser.add_argument("--multi-per-dataset", type=int, default=40, help="multi-step windows per real dataset")
    parser.add_argument("--paths", type=int, default=None, help="sample paths of the model's multi-step forecasts "
                        "(default: bands from the path)")
    parser.add_argument("--compare-paths", type=int, default=200, help="also score the multi-step bands of this many "
                        "sample paths (0: not)")
    parser.add_argument("--generated-per-family", type=int, default=600, help="multi-step windows of each generated "
                        "family (0: not measured)")
    parser.add_argument("--batch-series", type=int, default=50_000, help="series in the batch-speed run")
    parser.add_argument("--forecast-series", type=int, default=2_000, help="series in the forecast-speed run, at most "
                        "(fewer when a call would take more than about 10 s)")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes fitting the statsforecast models")
    parser.add_argument("--arima-share", type=float, default=0.25, help="AutoARIMA (0.1-0.2 CPU s a fit) fits "
                        "this share of the cases (a seeded random subset); the other models fit every case")
    parser.add_argument("--baselines-only", action="store_true", help="leave the model out")
    parser.add_argument("--fan-case", default="co2",
                        help="real dataset whose first multi-step case the fan chart shows")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--render-only", action="store_true", help="rewrite the reports from intervals.json")
    args = parser.parse_args(argv)
    if args.render_only:
        results = json.loads((args.out / "intervals.json").read_text())
        write_result(args.out / "intervals.md", render(results))
        replace_block("intervals", readme_block(results), results=args.out)
        calibration_figure(results, args.out)
        return 0

    started, load_before = time.perf_counter(), os.getloadavg()
    predictor = Predictor.from_pretrained(args.weights)
    with_model = has_intervals(predictor) and not args.baselines_only
    one = one_step_cases(args.per_group, args.real_per_bucket, trained_families(locate(args.weights).training_info(), heads=True))
    multi = {f"context {c}, {h} steps": multi_step_cases(c, h, args.multi_per_dataset) for c, h in MULTI_STEP}
    exact = predictor.predict_batch(np.where(one.masks, one.data, np.nan)).exact if with_model else None
    with ProcessPoolExecutor(args.n_jobs) as pool:
        share = {"auto_arima": args.arima_share}
        subset = statsforecast_subset(one, args.statsforecast_per_group)
        pending = [statistical_quantiles(pool, one, share, subset)]
        pending += [statistical_quantiles(pool, cases, share) for cases in multi.values()]
        ours = [model_quantiles(predictor, c, args.paths) for c in [one, *multi.values()]] if with_model else None
        sampled = [model_quantiles(predictor, c, args.compare_paths) for c in multi.values()] if (
            with_model and args.compare_paths) else []
        fitted = [collect() for collect in pending]
    quantiles = [{**({MODEL: ours[k]} if with_model else {}), **fitted[k][0]} for k in range(len(fitted))]
    for k, q in enumerate(sampled, start=1):
        quantiles[k] = {MODEL: quantiles[k][MODEL], SAMPLED: q, **fitted[k][0]}
    tried = [f[1] for f in fitted]
    keys = ["one step", *multi]
    results = {
        "model": with_model,
        "cases": {"one step": len(one), **{key: len(c) for key, c in multi.items()}},
        "statsforecast_fits": {key: {m: int(t.sum()) for m, t in f[1].items()}
                               for key, f in zip(keys, fitted, strict=True)},
        "statsforecast_cpu_seconds": {key: f[2] for key, f in zip(keys, fitted, strict=True)},
        "one_step": one_step_rows(one, quantiles[0], tried[0], exact),
        "one_step_by_spread": spread_rows(one, quantiles[0][MODEL], exact) if with_model else [],
        "one_step_by_named_family": named_family_rows(predictor, one, quantiles[0][MODEL], exact)
        if with_model and not args.paths else [],
        "multi_step": {key: multi_step_rows(c, q, t)
                       for (key, c), q, t in zip(multi.items(), quantiles[1:], tried[1:], strict=True)},
        "generated_multi_step": generated_multi_step_rows(predictor, args.generated_per_family)
        if with_model and args.generated_per_family and not args.paths else [],
        "short_lines": short_line_rows(predictor) if with_model else [],
        "speed": speed(predictor, args.batch_series, args.forecast_series, args.paths) if with_model else {},
    }
    results["checks"] = checks(results)
    per_kind = ", ".join(f"{kind} {int((one.kinds == kind).sum()):,}" for kind in KINDS if (one.kinds == kind).any())
    results["meta"] = {
        "command": shlex.join(["python", "benchmarks/intervals.py", *(argv if argv is not None else sys.argv[1:])]),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "model": f"{predictor.source} ({predictor.runtime})",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, statsforecast on {args.n_jobs} process(es)",
        "versions": ", ".join(f"{n} {_version(n)}" for n in ("numseries", "statsforecast", "onnxruntime", "numpy")),
        "load_before": ", ".join(f"{v:.1f}" for v in load_before),
        "load_after": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
        "seconds": time.perf_counter() - started,
        "held_out": held_out_note(args.weights),
        "cases_note": (
            f"One step: {per_kind} (generated with seed {EVAL_SEED}, the same number per family and length bucket "
            f"4–6, 8–16, 24–64; real series rolling origin, seed {REAL_SEED}, up to {args.real_per_bucket} per "
            f"dataset and bucket 8–16, 24–64). Several steps: up to {args.multi_per_dataset} windows per real "
            "dataset; the model's multi-step intervals "
            + (f"from {args.paths} sample paths (seed 0)" if args.paths else "from the forecast path (the one-step "
               "intervals' reaches summed along it, times factors per horizon calibrated on generated paths)")
            + (f", and for comparison from {args.compare_paths} sample paths (seed 0)" if args.compare_paths else "")
            + f". The model is scored on every case; the statsforecast models (slow) on every real case and a "
            f"random {args.statsforecast_per_group:,} of each group of generated one-step cases (seed 0), AutoARIMA "
            f"(0.1–0.2 CPU s a fit) on a random {args.arima_share:.0%} of those of each set (seed 0); each method's n "
            "below counts the cases it tried, and comparisons between methods use the cases both fitted."
        ),
    }
    write_result(args.out / "intervals.json", json.dumps(results, indent=1) + "\n")
    write_result(args.out / "intervals.md", render(results))
    replace_block("intervals", readme_block(results), results=args.out)
    calibration_figure(results, args.out)
    fan_figure((next(iter(multi.values())), quantiles[1]), args.out, args.fan_case)
    print(render(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
