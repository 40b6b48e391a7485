"""Are noisy series named for what lies under the noise? The noisy families, base family by base family.

    python benchmarks/patterns_noisy.py [--weights DIR] [--n-per-cell N]

``noisy`` adds Gaussian noise (2% to 100% of a step) to a series of one of the deterministic training
families, drawn by weight; ``noisy_stochastic`` does the same to a random walk, an AR process, a step
series or a Gaussian-process sample. ``benchmarks/patterns.py`` counts the words right on these cases only
when they name the noisy family (or a group holding it): a sine under 2% noise named "sinusoidal" counts as
wrong there, though the words describe what the generator drew, and the two cannot be told apart. Here
each base family gets cases of its own, made by the generator exactly as the noisy family makes them (the
base family's function, the noisy family's noise range, registered for this run only), and the words
are scored both ways: naming the noisy family, and naming the noisy family or the base. The noisy
family's share is the base families' shares weighted as the generator draws them.

Writes benchmarks/results/patterns_noisy.md and .json.
"""

from __future__ import annotations

import argparse
import platform
from collections import Counter
from pathlib import Path

import numpy as np

from numseries.evaluate import synthetic_cases
from numseries.files import json_text
from numseries.generate import FAMILIES, noisy_bases, register
from numseries.patterns import choose, group_name
from patterns import _pct, with_classifier

from _output import RESULTS, write_result

BUCKETS = ((8, 16), (24, 64))  # the target: 8+ values
SEED = 3_000_019  # never a training, validation or calibration stream; not patterns.py's
PARENTS = ("noisy", "noisy_stochastic")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=1000, help="cases per base family and length bucket")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    predictor, classifier = with_classifier(args.weights)
    names = classifier.names
    result: dict = {"model": predictor.source, "n_per_cell": args.n_per_cell, "seed": SEED, "parents": {},
                    "machine": f"{platform.machine()}, Python {platform.python_version()}"}  # fmt: skip
    for parent in PARENTS:
        fam = FAMILIES[parent]
        drawn = {base: f"{parent}+{base}" for base in noisy_bases(stochastic=fam.stochastic)}
        for base, name in drawn.items():  # the parent's generator, restricted to one base family
            register(name, holdout=True, noise=fam.noise, stochastic=fam.stochastic)(FAMILIES[base].fn)
        try:
            cases = synthetic_cases(n_per_cell=args.n_per_cell, families=list(drawn.values()), buckets=BUCKETS, seed=SEED)
        finally:
            for name in drawn.values():
                del FAMILIES[name]
        padded = np.where(cases.masks, cases.data, np.nan)
        probabilities = predictor.predict_batch(padded).pattern_probabilities
        assert probabilities is not None
        named, _ = choose(probabilities, cases.lengths, classifier.config)
        rows = {}
        for k, base in enumerate(drawn):
            members = np.flatnonzero(cases.family_ids == k)
            noisy, under = names.index(parent), names.index(base)
            strict = [any(noisy in group for group in named[i]) for i in members]
            either = [any(noisy in group or under in group for group in named[i]) for i in members]
            said = Counter(
                " or ".join(group_name([names[j] for j in group]) for group in named[i]) or "no clear pattern"
                for i in members
            )
            top = said.most_common(2)
            rows[base] = {"weight": FAMILIES[base].weight, "cases": len(members), "named_noisy": float(np.mean(strict)),
                          "named_noisy_or_base": float(np.mean(either)),
                          "said_most": [[words, count / len(members)] for words, count in top]}  # fmt: skip
        weights = np.array([r["weight"] for r in rows.values()])
        share = {key: float(np.average([r[key] for r in rows.values()], weights=weights)) for key in ("named_noisy", "named_noisy_or_base")}
        result["parents"][parent] = {"bases": rows, **share}
    text = report(result)
    write_result(args.out / "patterns_noisy.md", text)
    write_result(args.out / "patterns_noisy.json", json_text(result))
    print(text)
    return 0


def report(result: dict) -> str:
    lines = [
        "# Noisy families, named for what lies under the noise",
        "",
        f"Model: {result['model']}, family classifier `patterns.onnx` beside it; {result['n_per_cell']} generated cases "
        f"per base family and length bucket (8–16 and 24–64 values, seed {result['seed']}); {result['machine']}. "
        "Produced by `python benchmarks/patterns_noisy.py`.",
        "",
        "Each base family's cases are the noisy family's, restricted to that base: its clean series, the noisy "
        "family's noise (2% to 100% of a step), the generator's random scale and shift. Named: the words of "
        "`Prediction.pattern` name the noisy family (alone, in a group, or one of two named together); "
        "\"or base\": they name the noisy family or the family under the noise. A row of the noisy family is the "
        "base families' rows weighted as the generator draws them; `benchmarks/patterns.py` counts the first "
        "column only.",
        "",
    ]
    for parent, figures in result["parents"].items():
        lines += [f"## {parent}", "", "| under the noise | weight | cases | named noisy | named noisy or base | the words said most |",
                  "|---|---:|---:|---:|---:|---|"]  # fmt: skip
        for base, row in figures["bases"].items():
            said = "; ".join(f"{words} ({share:.0%})" for words, share in row["said_most"])
            lines.append(f"| {base} | {row['weight']:g} | {row['cases']:,} | {_pct(row['named_noisy'])} | "
                         f"{_pct(row['named_noisy_or_base'])} | {said} |")  # fmt: skip
        lines.append(f"| **{parent}, as drawn** | | | **{_pct(figures['named_noisy'])}** | "
                     f"**{_pct(figures['named_noisy_or_base'])}** | |")  # fmt: skip
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
