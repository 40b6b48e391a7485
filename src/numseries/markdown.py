"""Markdown tables and the full report of an evaluation (:mod:`numseries.evaluate`), for the CLI and
the benchmark scripts."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from numseries.baselines import STATISTICAL
from numseries.evaluate import (
    AGGREGATES,
    FREQUENCY_GROUPS,
    MODEL,
    NEW_FAMILIES,
    NOISE_FLOOR,
    Evaluation,
    Row,
    summarise,
)

EXACT = 1e-9  # scaled errors below this are float rounding of an exact prediction (a tie, not a ratio); errors
# in the series' units below this fraction of the values' size (a row's "size") too (adversarial round 62: an MAE
# of 1.9e-14 on values near 100 read "– (linear_fit exact)", the model's error to float noise)


def _fmt(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:.3g}"


def _ratio(a: float, b: float) -> float:
    """a / b, with 0 / 0 = 1 (both exact: a tie) and a / 0 = NaN, shown "–" (no ratio to an exact baseline:
    "inf" read like a failure of the model, adversarial report)."""
    if b == 0:
        return 1.0 if a == 0 else float("nan")
    return a / b


def _baseline(name: str, model: float, baseline: float) -> str:
    """The name of the baseline the model's error is divided by, said exact where that leaves no ratio
    (:func:`_ratio`)."""
    return f"{name} exact" if baseline == 0 != model else name


def metric_table(rows: list[Row], metric: str = "median_scaled") -> str:
    """A markdown table of one metric: a line per (group, bucket), a column per method, best in bold.

    The last columns compare the model with the best baseline and with AutoARIMA (model ÷ baseline).
    """
    methods = list(dict.fromkeys(row["method"] for row in rows))
    # scaled and relative errors have no unit; MAE and RMSE are in the series' own units: rounding of their size
    unitless = metric.endswith(("_scaled", "_relative"))
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
        exact = EXACT if unitless else EXACT * by_method[MODEL].get("size", 0.0)  # (the same cases each method)
        values = {m: 0.0 if abs(v) < exact else v for m, v in values.items()}  # float rounding of exact: ties
        competing = [values[m] for m in methods if m != NOISE_FLOOR and not np.isnan(values[m])]
        best = min(competing) if competing else float("nan")
        shown = [f"**{_fmt(v)}**" if m != NOISE_FLOOR and v == best else _fmt(v) for m, v in values.items()]
        best_baseline = min((m for m in baseline_names if not np.isnan(values[m])), key=lambda m: values[m], default=None)
        ratio = _ratio(values[MODEL], values[best_baseline]) if best_baseline else float("nan")
        against = _fmt(ratio)  # none scored: no "(None)"
        if best_baseline:
            against += f" ({_baseline(best_baseline, values[MODEL], values[best_baseline])})"
        line = [group, bucket, str(by_method[MODEL]["n"]), *shown, against]
        if "auto_arima" in methods:
            line.append(_fmt(_ratio(values[MODEL], values["auto_arima"])))
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def summary_table(rows: list[Row], metric: str = "median_scaled") -> str:
    """:func:`metric_table` of the groups of several families (training, new, held-out, real, and the real
    series of each sampling frequency), as the README shows them; of every group at all lengths when there
    is no such group."""
    short = [row for row in rows if row["group"] in (*AGGREGATES, NEW_FAMILIES, *FREQUENCY_GROUPS)]
    return metric_table(short or [row for row in rows if row["bucket"] == "all"], metric)


def fallback_table(rows: list[Row]) -> str:
    """A markdown table of how many cases each statistical baseline could not fit, per group."""
    methods = [m for m in dict.fromkeys(row["method"] for row in rows) if m in STATISTICAL]
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


def frequency_section(rows: list[Row]) -> list[str]:
    """The report's section on the real datasets grouped by sampling frequency (none without real cases):
    the median scaled error table and the groups where the model is worse than its best baseline."""
    by_frequency = [row for row in rows if row["group"] in FREQUENCY_GROUPS]
    if not by_frequency:
        return []
    medians = {(r["group"], r["method"]): r["median_scaled"] for r in by_frequency if r["bucket"] == "all"}
    groups = list(dict.fromkeys(r["group"] for r in by_frequency))
    behind = []
    for group in groups:
        baselines = {m: v for (g, m), v in medians.items() if g == group and m not in (MODEL, NOISE_FLOOR)}
        best = min(baselines, key=lambda m: baselines[m])
        if medians[group, MODEL] > baselines[best]:
            model, baseline = medians[group, MODEL], baselines[best]
            ratio = f"{_fmt(_ratio(model, baseline))}× {best}" if baseline else _baseline(best, model, baseline)
            behind.append(f"{group} ({ratio})")
    verdict = (
        f"The model is behind its best baseline, over all lengths, on {len(behind)} of {len(groups)} frequency "
        f"groups: {', '.join(behind)}." if behind else
        f"The model is ahead of every baseline, over all lengths, on all {len(groups)} frequency groups."
    )
    return ["## Median scaled error by sampling frequency", verdict, metric_table(by_frequency, "median_scaled")]


def report(
    evaluation: Evaluation,
    *,
    title: str = "Accuracy against the baselines",
    note: str = "",
    trained_on: Collection[str] | None = None,
) -> str:
    """The full markdown report: scaled errors, MAE, RMSE, fallbacks and speed; ``note`` goes under the title.
    ``trained_on`` as in :func:`~numseries.evaluate.summarise`."""
    every_row = summarise(evaluation, trained_on=trained_on)
    rows = [row for row in every_row if row["group"] not in FREQUENCY_GROUPS]
    n_constant = int(np.isnan(evaluation.scale).sum())
    sections = [
        f"# {title}",
        *([note] if note else []),
        f"{len(evaluation.cases)} one-step-ahead cases. Scaled error = |prediction − next value| / mean "
        "absolute step of the context (a last-value guess on a straight line scores 1). Lower is better; "
        "the best method of each line is in bold. `noise_floor` is the error of the noise-free next value. "
        f"{n_constant} cases with a constant context have no scale and are left out of the scaled errors. "
        "The statistical baselines see each context as the model does (shifted by its last value, divided by "
        "its mean absolute step) and fall back to the last value where they cannot fit. A ratio of the model to "
        "a baseline is – where that baseline is exact (error 0) and the model is not.",
        "## Median scaled error (primary)",
        metric_table(rows, "median_scaled"),
        *frequency_section(every_row),
        "## Error relative to the last value's (median over cases of |error| / |last value's error|)",
        "Each case scaled by its own naive miss, so the small recent steps of a decay or a growth count as "
        "much as the large early ones; below 1 beats the last value. Cases the last value gets exactly are "
        "left out.",
        metric_table(rows, "median_relative"),
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
