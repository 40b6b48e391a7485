"""Two models side by side on the same cases: point accuracy per family group and the attention's faithfulness.

    python benchmarks/compare_models.py --candidate runs/align/weights          # against the shipped model
    python benchmarks/compare_models.py --candidate A --baseline B --n-per-cell 300 --cases 30

For deciding whether a trained model replaces another. Point accuracy: the median scaled error (|error| /
the context's mean absolute step) of each model, rules off so that the network itself is compared, on
``--n-per-cell`` generated cases per family and length bucket (``numseries.evaluate``'s cases and
groups) and on the real-data suite; the ratio candidate / baseline per group (the issues ask for every
family group within 2%, a ratio of at most 1.02). Faithfulness: ``benchmarks/faithfulness.py``'s measures
of the attention and of the weights on ``--cases`` cases per family and length bucket. Writes
benchmarks/results/compare_<candidate>.md and .json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from faithfulness import BUCKETS, MEASURES, METHODS, measure, summary
from numseries.evaluate import AGGREGATES, summarise, synthetic_cases
from numseries.evaluate import evaluate as evaluate_cases
from numseries.predict import Predictor
from numseries.realdata import real_cases

from _output import write_result

RESULTS = Path(__file__).resolve().parent / "results"
TOLERANCE = 1.02  # a group may get at most 2% worse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", required=True, help="weights folder or .onnx of the new model")
    parser.add_argument("--baseline", help="weights folder or .onnx to compare with (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=300, help="generated cases per family and length bucket")
    parser.add_argument("--cases-per-bucket", type=int, default=60, help="real cases per dataset and bucket")
    parser.add_argument("--cases", type=int, default=30, help="faithfulness cases per family and length bucket")
    parser.add_argument("--name", help="name of the result files (default: the candidate folder's parent name)")
    args = parser.parse_args()

    models = {
        "baseline": Predictor.from_pretrained(args.baseline, rules=False),
        "candidate": Predictor.from_pretrained(args.candidate, rules=False),
    }
    accuracy = {name: _accuracy(predictor, args) for name, predictor in models.items()}
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
        "faithfulness": faithfulness,
        "settings": vars(args),
    }
    name = args.name or Path(args.candidate).resolve().parent.name
    text = markdown(report)
    print(text)
    write_result(RESULTS / f"compare_{name}.json", json.dumps(report, indent=2) + "\n")
    write_result(RESULTS / f"compare_{name}.md", text)


def _accuracy(predictor: Predictor, args: argparse.Namespace) -> dict[str, float]:
    """Median scaled error of the model, per family, dataset and aggregate, over all lengths."""
    out = {}
    for cases in (synthetic_cases(n_per_cell=args.n_per_cell), real_cases(cases_per_bucket=args.cases_per_bucket)):
        rows = summarise(evaluate_cases(predictor, cases, baselines=()))
        out.update({r["group"]: r["median_scaled"] for r in rows if r["bucket"] == "all" and r["method"] == "model"})
    return out


def markdown(report: dict) -> str:
    base, cand = report["accuracy"]["baseline"], report["accuracy"]["candidate"]
    groups = [g for g in AGGREGATES if g in base] + [g for g in base if g not in AGGREGATES]
    lines = [
        f"# {Path(report['candidate']).name} against {Path(report['baseline']).name}",
        "",
        f"Produced by `python benchmarks/compare_models.py` ({report['settings']}). Candidate: "
        f"`{report['candidate']}`; baseline: `{report['baseline']}`. Rules off: the networks are compared.",
        "",
        "## Point accuracy (median scaled error, all lengths; lower is better)",
        "",
        "| group | baseline | candidate | ratio | within 2% |",
        "|---|---:|---:|---:|---|",
    ]
    for group in groups:
        ratio = cand[group] / base[group] if base[group] > 0 else float("nan")
        ok = "yes" if ratio <= TOLERANCE or cand[group] <= base[group] else "**no**"
        lines.append(f"| {group} | {base[group]:.4g} | {cand[group]:.4g} | {ratio:.3f} | {ok} |")
    lines += ["", "## Faithfulness", "", "| model | method | " + " | ".join(t for t, _ in MEASURES.values()) + " |"]
    lines.append("|---|---|" + "---:|" * len(MEASURES))
    for name, figures in report["faithfulness"].items():
        for method in METHODS:
            cells = [fmt.format(figures[method][key]) for key, (_, fmt) in MEASURES.items()]
            lines.append(f"| {name} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
