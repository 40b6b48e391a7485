"""Several steps ahead on real series: the point path of numseries against the last value, drift and
statsforecast's AutoARIMA, AutoETS and AutoTheta, per horizon.

    python benchmarks/multistep.py                                   # the shipped model
    python benchmarks/multistep.py --weights src/numseries/weights runs/x/weights --name compare_x

Cases: windows of the real-data suite (``intervals.multi_step_cases``: up to ``--per-dataset`` windows of
each dataset, drawn at random from every window its series hold), with 12 values and the 6 after them,
and 32 values and the 8 after them. The error of each step is |forecast − actual| / the mean absolute step
of the context; the tables give its median over the cases per horizon, and the mean of those medians
over the horizons (the figure issue 17's targets use), with each method's ratio to AutoARIMA. The
statistical models see each context as the model does (shifted by its last value, divided by its mean
absolute step) and fall back to the last value where they cannot fit. Writes
benchmarks/results/multistep.md and .json (or ``--name``.md and .json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from intervals import MULTI_STEP, STATISTICAL, TAUS, Cases, _fmt, multi_step_cases, statistical_quantiles
from numseries import Predictor
from numseries.forecast import runs_away
from numseries.metrics import context_scale

from _output import RESULTS, replace_block, write_result

TARGET_RATIO = 0.85  # issue 17: mean over horizons ≤ 0.85× AutoARIMA's, and better at every horizon
REFERENCE = "auto_arima"
RUNAWAY = 3  # a path runs away when one of its steps is more than this many times its context's largest step


def simple_paths(cases: Cases) -> dict[str, np.ndarray]:
    """(N, H) paths of the last value and of drift (the context's mean step continued)."""
    horizon = cases.futures.shape[1]
    last = cases.data[:, -1]
    mean_step = (cases.data[:, -1] - cases.data[:, 0]) / (cases.data.shape[1] - 1)
    ahead = np.arange(1, horizon + 1)[None, :]
    return {"last_value": np.repeat(last[:, None], horizon, axis=1), "drift": last[:, None] + mean_step[:, None] * ahead}


def model_path(predictor: Predictor, cases: Cases) -> tuple[np.ndarray, float]:
    """(N, H) forecast path of one model, and the seconds it took."""
    start = time.perf_counter()
    values = predictor.forecast_batch(list(cases.data), steps=cases.futures.shape[1]).values
    return np.asarray(values, dtype=np.float64), time.perf_counter() - start


def runaway(path: np.ndarray, cases: Cases) -> np.ndarray:
    """(N,) whether a path (N, H) takes a step more than RUNAWAY times the largest step of its context."""
    return runs_away(list(cases.data), path, RUNAWAY)


def errors(paths: dict[str, np.ndarray], cases: Cases) -> dict[str, np.ndarray]:
    """{method: (N, H) scaled absolute errors}; cases with a constant context (no scale) are dropped later."""
    scale = context_scale(cases.data, cases.masks)[:, None]
    return {method: np.abs(path - cases.futures) / scale for method, path in paths.items()}


def summary(scaled: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, dict]:
    """Per method: the median per horizon, their mean over horizons, and the median error relative to the
    last value's (per case and horizon)."""
    out = {}
    naive = scaled["last_value"][keep]
    for method, error in scaled.items():
        error = error[keep]
        per_horizon = np.median(error, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = error / naive
        out[method] = {
            "per_horizon": per_horizon.tolist(),
            "mean_over_horizons": float(per_horizon.mean()),
            "relative_to_last_value": float(np.nanmedian(np.where(np.isfinite(relative), relative, np.nan))),
        }
    return out


def versus_reference(summary: dict, method: str) -> tuple[float, bool]:
    """A method's mean over horizons ÷ AutoARIMA's, and whether it is better than AutoARIMA at every horizon."""
    row, reference = summary[method], summary[REFERENCE]
    every = all(a < b for a, b in zip(row["per_horizon"], reference["per_horizon"], strict=True))
    return row["mean_over_horizons"] / reference["mean_over_horizons"], every


def _cells(values: list[float]) -> list[str]:
    """Formatted values, the smallest in bold."""
    best = min(values)
    return [f"**{_fmt(v)}**" if v == best else _fmt(v) for v in values]


def table(result: dict, methods: list[str]) -> str:
    horizon = len(result["summary"][methods[0]]["per_horizon"])
    head = "| method | " + " | ".join(f"h={h}" for h in range(1, horizon + 1))
    head += " | mean over horizons | ÷ AutoARIMA | better than AutoARIMA at every horizon | ÷ last value (median per case) "
    head += f"| paths with a step > {RUNAWAY}× the context's largest |"
    lines = [head, "|---|" + "---:|" * (horizon + 5)]
    per_horizon = np.array([result["summary"][m]["per_horizon"] for m in methods])  # (methods, horizons)
    columns = [_cells(list(column)) for column in per_horizon.T]  # each horizon's best method in bold
    for i, method in enumerate(methods):
        row = result["summary"][method]
        cells = [column[i] for column in columns]
        ratio, every = versus_reference(result["summary"], method)
        lines.append(
            f"| {method} | " + " | ".join(cells) + f" | {_fmt(row['mean_over_horizons'])} | {ratio:.3f} | "
            + ("–" if method == REFERENCE else ("yes" if every else "no")) + f" | {_fmt(row['relative_to_last_value'])} | "
            + f"{result['runaway'][method]:.1%} |"
        )
    lines.append(
        "| the actual values | " + " | ".join("" for _ in range(horizon + 4)) + f" | {result['runaway']['actual']:.1%} |"
    )
    return "\n".join(lines)


def dataset_table(result: dict, methods: list[str]) -> str:
    lines = ["| dataset | n | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
    for dataset, row in result["per_dataset"].items():
        cells = _cells([row[m] for m in methods])
        lines.append(f"| {dataset} | {row['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_table(results: dict, models: list[str]) -> str:
    """The README's summary: the mean over horizons of each method's median error, per setting."""
    methods = models + ["last_value", "drift", *STATISTICAL]
    lines = [
        "Several steps ahead on real series (`python benchmarks/multistep.py`; full tables with every horizon and "
        "dataset in `benchmarks/results/multistep.md`): the mean over horizons of the median scaled error (windows "
        "whose values are all equal left out: they have no scale).",
        "",
        "| values, steps | windows | " + " | ".join(methods) + " | model ÷ AutoARIMA | better than AutoARIMA at every horizon |",
        "|---|---:|" + "---:|" * (len(methods) + 2),
    ]
    for result in results.values():
        cells = _cells([result["summary"][m]["mean_over_horizons"] for m in methods])
        ratio, every = versus_reference(result["summary"], models[0])
        lines.append(
            f"| {result['context']}, {result['horizon']} | {result['cases']} | " + " | ".join(cells)
            + f" | {ratio:.3f} | {'yes' if every else 'no'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", default=[None], help="weights folders to compare (default: shipped)")
    parser.add_argument("--per-dataset", type=int, default=40, help="windows per real dataset and setting")
    parser.add_argument("--name", default="multistep", help="name of the result files in benchmarks/results/")
    args = parser.parse_args()

    predictors = {}
    for weights in args.weights:
        name = "model" if weights is None else f"model ({Path(weights).resolve().parent.name})"
        predictors[name] = Predictor.from_pretrained(weights)
    models = list(predictors)
    results = {}
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for context, horizon in MULTI_STEP:
            cases = multi_step_cases(context, horizon, args.per_dataset)
            collect = statistical_quantiles(pool, cases, {})
            paths = simple_paths(cases)
            seconds = {}
            for name, predictor in predictors.items():
                paths[name], seconds[name] = model_path(predictor, cases)
            quantiles, _tried, cpu = collect()
            median = TAUS.index(0.5)
            for method, q in quantiles.items():
                path = q[..., median]
                paths[method] = np.where(np.isfinite(path), path, paths["last_value"])  # refused: the last value
            seconds.update(cpu)
            scaled = errors(paths, cases)
            keep = np.isfinite(context_scale(cases.data, cases.masks))
            per_dataset = {}
            for dataset in dict.fromkeys(cases.groups):
                rows = keep & (cases.groups == dataset)
                per_dataset[str(dataset)] = {"n": int(rows.sum())} | {
                    method: float(np.median(error[rows], axis=0).mean()) for method, error in scaled.items()
                }
            results[f"{context}/{horizon}"] = {
                "context": context,
                "horizon": horizon,
                "cases": int(keep.sum()),
                "summary": summary(scaled, keep),
                "per_dataset": per_dataset,
                "runaway": {method: float(runaway(path, cases)[keep].mean())
                            for method, path in {**paths, "actual": cases.futures}.items()},
                "seconds": seconds,
            }
    methods = models + ["last_value", "drift", *STATISTICAL]
    report = {
        "weights": {name: predictor.source for name, predictor in predictors.items()},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "results": results,
    }
    write_result(RESULTS / f"{args.name}.json", json.dumps(report, indent=2) + "\n")
    lines = [
        "# Several steps ahead on real series: the point path",
        "",
        f"Generated by `python benchmarks/multistep.py{'' if args.weights == [None] else ' --weights ' + ' '.join(map(str, args.weights))}`"
        f" on {time.strftime('%Y-%m-%d')}. Models: "
        + "; ".join(f"{name}: `{predictor.source}`" for name, predictor in predictors.items())
        + f". Machine: {report['machine']}.",
        "",
        "Windows of the real-data suite (up to "
        f"{args.per_dataset} per dataset, drawn at random from every window its series hold). Error of each step: "
        "|forecast − actual| / the mean absolute step of the context; each cell is the median over the windows. "
        "Statistical models fit the context as the model sees it and fall back to the last value where they cannot "
        "fit. Issue 17's targets: the mean over horizons ≤ 0.85× AutoARIMA's, and better than AutoARIMA at every "
        "horizon. The column after them is the median, over windows and horizons, of each method's error divided "
        f"by the last value's; the last, how often a path takes a step more than {RUNAWAY} times the largest step of "
        "its context (a path that runs away), beside how often the actual values do.",
    ]
    for result in results.values():
        context, horizon = result["context"], result["horizon"]
        lines += ["", f"## {context} values, {horizon} steps ({result['cases']} windows)", "", table(result, methods)]
        lines += ["", f"Per dataset (mean over horizons of the median error), {context} values, {horizon} steps:", ""]
        lines += [dataset_table(result, methods)]
        lines += ["", "Seconds: " + ", ".join(f"{m} {s:.2f}" for m, s in result["seconds"].items()) + " (statistical: CPU)."]
    write_result(RESULTS / f"{args.name}.md", "\n".join(lines) + "\n")
    if args.name == "multistep":
        replace_block("multistep", readme_table(results, models))
    for key, result in results.items():
        for name in models:
            ratio, _ = versus_reference(result["summary"], name)
            print(f"{key}: {name} {result['summary'][name]['mean_over_horizons']:.3f} ({ratio:.3f}× AutoARIMA)")


if __name__ == "__main__":
    main()
