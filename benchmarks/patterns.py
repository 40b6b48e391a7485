"""How well does the pattern head name a sequence's family? Top-1 accuracy and the confusion matrix.

    python benchmarks/patterns.py [--weights DIR] [--n-per-cell N]

For every family the head knows and every context-length bucket, fresh generated cases (a seed of
their own) are predicted; the family with the highest probability is the head's top-1 answer. Also
reported: how often the words ``Prediction.pattern`` shows name the true family (alone, or as one of
the two it names together), and how often they say ``no clear pattern``. The confusion matrix at 8
or more values shows which families the generator itself makes hard to tell apart.

Writes benchmarks/results/patterns.md.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np

from numseries import Predictor
from numseries.evaluate import bucket_name, synthetic_cases
from numseries.patterns import NAMES, UNCLEAR

from _output import write_result

RESULTS = Path(__file__).resolve().parent / "results"
BUCKETS = ((4, 6), (8, 16), (24, 64))
SEED = 3_000_017  # never a training, validation or calibration stream


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=1000, help="cases per family and length bucket")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    predictor = Predictor.from_pretrained(args.weights)
    names = predictor.pattern_names
    if not names:
        raise SystemExit(f"{predictor.source} has no pattern head")
    cases = synthetic_cases(n_per_cell=args.n_per_cell, families=list(names), buckets=BUCKETS, seed=SEED)
    result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan))
    assert result.pattern_probabilities is not None
    truth = np.array([names.index(family) for family in cases.families])
    top1 = result.pattern_probabilities.argmax(axis=1)
    words = np.array(result.patterns, dtype=object)
    plain = np.array([NAMES.get(name, name.replace("_", " ")) for name in names], dtype=object)
    named = np.array([plain[t] in text for t, text in zip(truth, words, strict=True)])
    unclear = words == UNCLEAR
    bucket_of = np.select([(cases.lengths >= lo) & (cases.lengths <= hi) for lo, hi in BUCKETS], range(len(BUCKETS)))

    header = "| family | " + " | ".join(f"top-1, {bucket_name(b)}" for b in BUCKETS)
    header += " | named (alone or in a pair), 8+ | no clear pattern, 8+ |"
    lines = [header, "|---|" + "---:|" * (len(BUCKETS) + 2)]
    long_rows = bucket_of >= 1
    for k, name in enumerate(names):
        cells = []
        for b in range(len(BUCKETS)):
            rows = (truth == k) & (bucket_of == b)
            cells.append(f"{(top1[rows] == k).mean():.0%}")
        rows = (truth == k) & long_rows
        cells += [f"{named[rows].mean():.0%}", f"{unclear[rows].mean():.0%}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    overall = [f"{(top1[bucket_of == b] == truth[bucket_of == b]).mean():.0%}" for b in range(len(BUCKETS))]
    overall += [f"{named[long_rows].mean():.0%}", f"{unclear[long_rows].mean():.0%}"]
    lines.append("| **all** | " + " | ".join(overall) + " |")

    confusion = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(confusion, (truth[long_rows], top1[long_rows]), 1)
    share = confusion / confusion.sum(axis=1, keepdims=True)
    short = [name[:6] for name in names]
    matrix = ["| true \\ top-1 | " + " | ".join(short) + " |", "|---|" + "---:|" * len(names)]
    for k, name in enumerate(names):
        matrix.append(f"| {name} | " + " | ".join(f"{v:.0%}" if v >= 0.005 else "·" for v in share[k]) + " |")

    text = "\n".join(
        [
            "# Pattern naming",
            "",
            f"Model: {predictor.source}. {args.n_per_cell} generated cases per family and length bucket "
            f"(seed {SEED}), {len(cases.labels)} in all; {platform.machine()}, Python {platform.python_version()}. "
            "Produced by `python benchmarks/patterns.py`.",
            "",
            "Top-1: the family with the highest probability is the true one. Named: the words of "
            "`Prediction.pattern` name the true family, alone or as one of two named together.",
            "",
            *lines,
            "",
            "## Confusion at 8–64 values (share of each true family's cases, by top-1 answer)",
            "",
            *matrix,
            "",
        ]
    )
    write_result(args.out / "patterns.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
