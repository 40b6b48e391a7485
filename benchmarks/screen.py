"""Screen a change to the predictions in seconds, before accuracy.py's hour: the model column of accuracy.py's
primary tables (the median scaled error of every family or dataset, group and length bucket, generated and
real), on the same seeded cases, without the statistical baselines that take its time.

    python benchmarks/screen.py --save /tmp/before.json     # on the code before (about 10 s on 2 CPUs)
    python benchmarks/screen.py --against /tmp/before.json  # on the code after: every cell that moved

The figures equal accuracy.py's model column (the same cases, ``evaluate`` and ``summarise``); they are for
deciding what to run, and for experiments.md's development measurements. Published results come from accuracy.py.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from numseries.evaluate import AGGREGATES, MODEL, NEW_FAMILIES, evaluate, summarise, synthetic_cases
from numseries.files import atomic_write
from numseries.predict import Predictor
from numseries.realdata import real_cases
from numseries.weights import locate, trained_families


def model_cells(weights: str | None = None, n_per_cell: int = 300, cases_per_bucket: int = 60) -> dict[str, float]:
    """{"generated|group|bucket" or "real|group|bucket": the model's median scaled error} on accuracy.py's cases."""
    predictor = Predictor.from_pretrained(weights)
    trained_on = trained_families(locate(weights).training_info())
    suites = {
        "generated": summarise(evaluate(predictor, synthetic_cases(n_per_cell=n_per_cell), baselines=()), trained_on=trained_on),
        "real": summarise(evaluate(predictor, real_cases(cases_per_bucket=cases_per_bucket), baselines=())),
    }
    return {
        f"{suite}|{row['group']}|{row['bucket']}": row["median_scaled"]
        for suite, rows in suites.items()
        for row in rows
        if row["method"] == MODEL
    }


def moved(before: dict[str, float], after: dict[str, float]) -> list[str]:
    """One line per cell whose median differs (or that only one side has), largest relative move first."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, math.nan), after.get(key, math.nan)
        if old == new or (math.isnan(old) and math.isnan(new)):
            continue
        change = new / old - 1 if old and not math.isnan(old) else math.nan
        lines.append((abs(change) if not math.isnan(change) else math.inf, f"{key:60s} {old:.5g} -> {new:.5g} ({change:+.2%})"))
    return [line for _, line in sorted(lines, key=lambda pair: -pair[0])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=300, help="synthetic cases per family and bucket (accuracy.py's)")
    parser.add_argument("--cases-per-bucket", type=int, default=60, help="real cases per dataset and bucket (accuracy.py's)")
    parser.add_argument("--save", type=Path, help="write the cells to this JSON file")
    parser.add_argument("--against", type=Path, help="a file written by --save: print the cells that moved from it")
    args = parser.parse_args(argv)
    cells = model_cells(args.weights, args.n_per_cell, args.cases_per_bucket)
    if args.save:
        atomic_write(args.save, lambda tmp: tmp.write_text(json.dumps(cells, indent=1, sort_keys=True)))
        print(f"wrote {len(cells)} cells to {args.save}")
    if args.against:
        lines = moved(json.loads(args.against.read_text()), cells)
        print("\n".join(lines) if lines else f"no cell moved from {args.against}")
    if not args.save and not args.against:  # the groups of several families, all lengths
        for group in (*AGGREGATES, NEW_FAMILIES):
            for key in (f"generated|{group}|all", f"real|{group}|all"):
                if key in cells:
                    print(f"{key:60s} {cells[key]:.5g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
