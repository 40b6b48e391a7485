"""Two models side by side on the same cases: point accuracy per family group and the attention's faithfulness.

    python benchmarks/compare_models.py --candidate runs/align/weights          # against the shipped model
    python benchmarks/compare_models.py --candidate A --baseline B --n-per-cell 300 --cases 3   # a quick look

For deciding whether a trained model replaces another. Point accuracy: the median scaled error (|error| /
the context's mean absolute step) of each model, rules off so that the network itself is compared, on
``--n-per-cell`` generated cases per family and length bucket (``numseries.evaluate``'s cases and
groups) and on the real-data suite; the ratio candidate / baseline per group (the issues ask for every
family group within 2%, a ratio of at most 1.02), with its 95% interval from a paired bootstrap over the
cases. The defaults (3,000 cases per cell, 300 real ones per dataset and bucket; their accuracy part
took 3.5 minutes for two models on 2 CPUs) resolve a few percent per family; at 300 per cell a family's
interval spans 5-15% (benchmarks/results/experiments.md, run 30). Faithfulness: ``benchmarks/faithfulness.py``'s measures
of the attention and of the weights on ``--cases`` cases per family and length bucket. Writes
benchmarks/results/compare_<candidate>.md and .json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from faithfulness import BUCKETS, MEASURES, METHODS, measure, summary
from numseries.evaluate import AGGREGATES, MODEL, groups, synthetic_cases
from numseries.evaluate import evaluate as evaluate_cases
from numseries.metrics import scaled_errors
from numseries.predict import Predictor
from numseries.realdata import real_cases

from _output import RESULTS, write_result

TOLERANCE = 1.02  # a group may get at most 2% worse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", required=True, help="weights folder or .onnx of the new model")
    parser.add_argument("--baseline", help="weights folder or .onnx to compare with (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=3000, help="generated cases per family and length bucket")
    parser.add_argument("--cases-per-bucket", type=int, default=300, help="real cases per dataset and bucket")
    parser.add_argument("--cases", type=int, default=30, help="faithfulness cases per family and length bucket")
    parser.add_argument("--name", help="name of the result files (default: the candidate folder's parent name)")
    args = parser.parse_args()

    models = {
        "baseline": Predictor.from_pretrained(args.baseline, rules=False),
        "candidate": Predictor.from_pretrained(args.candidate, rules=False),
    }
    accuracy, errors = {}, {}
    for name, predictor in models.items():
        accuracy[name], errors[name] = _accuracy(predictor, args)
    intervals = {group: _ratio_interval(errors["baseline"][group], errors["candidate"][group]) for group in errors["baseline"]}
    cases = synthetic_cases(n_per_cell=args.cases, buckets=BUCKETS)
    faithfulness = {}
    for name, predictor in models.items():
        sequences = [cases.data[i, max(0, n - predictor.max_len) : n] for i, n in enumerate(cases.lengths)]
        per_case = measure(predictor, sequences, np.random.default_rng(0))
        faithfulness[name] = summary(per_case, np.ones(len(sequences), dtype=bool))
    report = {
        "baseline": models["baseline"].source,
        "candidate": models["candidate"].source,
        "accuracy": accuracy,
        "ratio_intervals": intervals,
        "faithfulness": faithfulness,
        "settings": vars(args),
    }
    name = args.name or Path(args.candidate).resolve().parent.name
    text = markdown(report)
    print(text)
    write_result(RESULTS / f"compare_{name}.json", json.dumps(report, indent=2) + "\n")
    write_result(RESULTS / f"compare_{name}.md", text)


def _accuracy(predictor: Predictor, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Median scaled error of the model, per family, dataset and aggregate, over all lengths; and each
    group's scaled errors case by case (constant contexts left out), in the same order for every model."""
    errors = {}
    for cases in (synthetic_cases(n_per_cell=args.n_per_cell), real_cases(cases_per_bucket=args.cases_per_bucket)):
        evaluation = evaluate_cases(predictor, cases, baselines=())
        scale = evaluation.scale
        scaled = scaled_errors(evaluation.predictions[MODEL], cases.labels, scale)  # (N,)
        for group, members in groups(cases.family_names).items():
            errors[group] = scaled[np.isin(cases.families, members) & ~np.isnan(scale)]
    return {group: float(np.median(e)) for group, e in errors.items()}, errors  # summarise's median_scaled


def _ratio_interval(baseline: np.ndarray, candidate: np.ndarray, resamples: int = 1000) -> list[float] | None:
    """95% interval of median(candidate) / median(baseline) by a paired bootstrap over the cases (the same
    resampled cases for both models; seed 0), or None where the baseline's median is 0 in some resample
    (a family both models continue exactly has no ratio)."""
    rng = np.random.default_rng(0)
    medians = np.empty((resamples, 2))  # (B, 2) baseline's and candidate's median in each resample
    for b in range(resamples):  # one resample at a time: a group holds up to ~70,000 cases
        rows = rng.integers(0, len(baseline), len(baseline))
        medians[b] = np.median(baseline[rows]), np.median(candidate[rows])
    if (medians[:, 0] <= 0).any():
        return None
    return [float(q) for q in np.quantile(medians[:, 1] / medians[:, 0], [0.025, 0.975])]


def markdown(report: dict) -> str:
    base, cand = report["accuracy"]["baseline"], report["accuracy"]["candidate"]
    order = [g for g in AGGREGATES if g in base] + [g for g in base if g not in AGGREGATES]
    lines = [
        f"# {Path(report['candidate']).name} against {Path(report['baseline']).name}",
        "",
        f"Produced by `python benchmarks/compare_models.py` ({report['settings']}). Candidate: "
        f"`{report['candidate']}`; baseline: `{report['baseline']}`. Rules off: the networks are compared.",
        "",
        "## Point accuracy (median scaled error, all lengths; lower is better)",
        "",
        "The ratio's 95% interval comes from a paired bootstrap over the cases (1,000 resamples of each group's "
        "cases, the same ones for both models): how far sampling alone could move the ratio on this many cases.",
        "",
        "| group | baseline | candidate | ratio | 95% interval | within 2% |",
        "|---|---:|---:|---:|---:|---|",
    ]
    intervals = report.get("ratio_intervals", {})
    for group in order:
        ratio = cand[group] / base[group] if base[group] > 0 else float("nan")
        ok = "yes" if ratio <= TOLERANCE or cand[group] <= base[group] else "**no**"
        bounds = intervals.get(group)
        spread = "–" if bounds is None else f"{bounds[0]:.3f}–{bounds[1]:.3f}"
        lines.append(f"| {group} | {base[group]:.4g} | {cand[group]:.4g} | {ratio:.3f} | {spread} | {ok} |")
    lines += ["", "## Faithfulness", "", "| model | method | " + " | ".join(t for t, _ in MEASURES.values()) + " |"]
    lines.append("|---|---|" + "---:|" * len(MEASURES))
    for name, figures in report["faithfulness"].items():
        for method in METHODS:
            cells = [fmt.format(figures[method][key]) for key, (_, fmt) in MEASURES.items()]
            lines.append(f"| {name} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
