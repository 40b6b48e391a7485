"""How well is a sequence's family named? The family classifier beside the old pattern head.

    python benchmarks/patterns.py [--weights DIR] [--n-per-cell N] [--speed-series N]

For every family the classifier knows and every context-length bucket, fresh generated cases (a seed of
their own, never a training or validation stream) are predicted with ``predict_batch``. Reported per
family and bucket: plain top-1 (the family with the highest probability is the true one), grouped top-1
(the group of families named together at that length, ``patterns.json``, with the most probability holds
the true one), how often the words name the true family (alone, in its group, or as one of two named
together) and how often they say ``no clear pattern``. Each group is listed with the confusion measured
here that justifies it, beside the confusion matrices per bucket. The old pattern head on the same cases
is the comparison, and ``predict_batch`` is timed on mixed lengths with and without the classifier.
Words are scored from the probabilities (``numseries.patterns.choose``), so an exact rule that names a
sequence instead does not hide the classifier's answer.

Writes benchmarks/results/patterns.md and .json, and (to the default --out) the README's patterns block.
"""

from __future__ import annotations

import argparse
import platform
import textwrap
import time
from pathlib import Path

import numpy as np

from numseries import Predictor
from numseries.evaluate import bucket_name, synthetic_cases
from numseries.files import json_text
from numseries.generate import generate_batch
from numseries.patterns import (
    CLEAR,
    GROUP_THRESHOLD,
    PAIR,
    UNCLEAR,
    Classifier,
    bucket_index,
    choose,
    group_name,
    plain_name,
    top_groups,
)

from _output import RESULTS, replace_block, write_result

BUCKETS = ((4, 6), (8, 16), (24, 64))
SEED = 3_000_017  # never a training, validation or calibration stream
TARGET = 0.9  # the top-1 at 8+ values, on the families that can be told apart


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--n-per-cell", type=int, default=1000, help="cases per family and length bucket")
    parser.add_argument("--speed-series", type=int, default=20_000, help="series in the timed batch")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    predictor, classifier = with_classifier(args.weights)
    names, config = classifier.names, classifier.config
    cases = synthetic_cases(n_per_cell=args.n_per_cell, families=list(names), buckets=BUCKETS, seed=SEED)
    padded = np.where(cases.masks, cases.data, np.nan)
    truth = np.array([names.index(family) for family in cases.families])
    bucket = bucket_index(cases.lengths, BUCKETS)
    probabilities = predictor.predict_batch(padded).pattern_probabilities
    assert probabilities is not None
    new = score(probabilities, truth, cases.lengths, config)

    old = None
    if predictor.head_pattern_names:
        predictor.classifier = None  # the same model's pattern head
        head = predictor.predict_batch(padded).pattern_probabilities
        predictor.classifier = classifier
        assert head is not None
        known = predictor.head_pattern_names  # a family the head never learned (-1) is never named right by it
        head_truth = np.array([known.index(family) if family in known else -1 for family in cases.families])
        old = score(head, head_truth, cases.lengths, None)
    speed = batch_speed(predictor, args.speed_series)

    result = summary(new, old, truth, bucket, cases.lengths, names, config, speed)
    result.update(model=predictor.source, n_per_cell=args.n_per_cell, seed=SEED, cases=len(truth))
    text = report(result, names, truth, bucket, new)
    write_result(args.out / "patterns.md", text)
    write_result(args.out / "patterns.json", json_text(result))
    if args.out == RESULTS:  # a trial run elsewhere leaves the README alone
        replace_block("patterns", readme_block(result))
    print(text)
    return 0


def with_classifier(weights: str | None) -> tuple[Predictor, Classifier]:
    """The predictor of ``weights`` (None: the shipped model) and its family classifier; refused without one."""
    predictor = Predictor.from_pretrained(weights)
    if predictor.classifier is None:
        raise SystemExit(f"{predictor.source} has no family classifier ({predictor.source}/patterns.onnx)")
    return predictor, predictor.classifier


def score(probabilities: np.ndarray, truth: np.ndarray, lengths: np.ndarray, config) -> dict[str, np.ndarray]:
    """Per case (N,): the top-1 answer, whether it is right, whether the top group holds the truth,
    whether the words name the truth, and whether they say no clear pattern."""
    top1 = probabilities.argmax(axis=1)
    named, _ = choose(probabilities, lengths, config)
    return {
        "top1": top1,
        "right": top1 == truth,
        "grouped": np.array([t in group for t, group in zip(truth, top_groups(probabilities, lengths, config), strict=True)]),
        "named": np.array([any(t in group for group in groups) for t, groups in zip(truth, named, strict=True)]),
        "unclear": np.array([not groups for groups in named]),
    }  # fmt: skip


def group_confusion(top1: np.ndarray, truth: np.ndarray, group: list[int]) -> float:
    """The share of a group's cases whose top-1 answer is another family of the group."""
    rows = np.isin(truth, group)
    return float((np.isin(top1[rows], group) & (top1[rows] != truth[rows])).mean())


def summary(new, old, truth, bucket, lengths, names, config, speed) -> dict:
    """The figures of the results file, as JSON values."""
    long = bucket >= 1
    families = {}
    for k, name in enumerate(names):
        rows = truth == k
        cell = {bucket_name(b): float(new["right"][rows & (bucket == i)].mean()) for i, b in enumerate(BUCKETS)}
        families[name] = {
            "top1": cell,
            "grouped_top1": {bucket_name(b): float(new["grouped"][rows & (bucket == i)].mean()) for i, b in enumerate(BUCKETS)},
            "grouped_top1_8plus": float(new["grouped"][rows & long].mean()),
            "named_8plus": float(new["named"][rows & long].mean()),
            "unclear_8plus": float(new["unclear"][rows & long].mean()),
            "head_top1": {bucket_name(b): float(old["right"][rows & (bucket == i)].mean()) for i, b in enumerate(BUCKETS)} if old else None,
        }  # fmt: skip
    apart = [name for name, f in families.items() if f["grouped_top1_8plus"] >= TARGET]
    apart_rows = np.isin(truth, [names.index(name) for name in apart]) & long
    groups = []
    for i, (lo, hi) in enumerate(config.buckets):
        for group in config.groups[i]:
            rows = bucket_index(lengths, config.buckets) == i
            groups.append({
                "lengths": f"{lo}-{hi}",
                "families": [names[k] for k in group],
                "confusion_here": group_confusion(new["top1"][rows], truth[rows], group) if rows.any() else None,
            })  # fmt: skip
    overall = {
        "top1": {bucket_name(b): float(new["right"][bucket == i].mean()) for i, b in enumerate(BUCKETS)},
        "grouped_top1": {bucket_name(b): float(new["grouped"][bucket == i].mean()) for i, b in enumerate(BUCKETS)},
        "named_8plus": float(new["named"][long].mean()),
        "unclear_8plus": float(new["unclear"][long].mean()),
        "head_top1": {bucket_name(b): float(old["right"][bucket == i].mean()) for i, b in enumerate(BUCKETS)} if old else None,
        "head_named_8plus": float(old["named"][long].mean()) if old else None,
        "head_unclear_8plus": float(old["unclear"][long].mean()) if old else None,
        "told_apart_8plus": apart,
        "told_apart_grouped_top1_8plus": float(new["grouped"][apart_rows].mean()) if apart else None,
        "told_apart_top1_8plus": float(new["right"][apart_rows].mean()) if apart else None,
    }  # fmt: skip
    return {"families": families, "all": overall, "groups": groups, "threshold": GROUP_THRESHOLD, "speed": speed,
            "clear": CLEAR, "pair": PAIR, "machine": f"{platform.machine()}, Python {platform.python_version()}"}  # fmt: skip


def batch_speed(predictor: Predictor, n: int, repeats: int = 5) -> dict:
    """``predict_batch`` on n series of lengths 4-64 (as benchmarks/predict_speed.py draws them), series/s
    with the classifier and without it (the fastest of ``repeats`` alternating runs: on a shared machine the
    others are slowed by other work), and the classifier and the point model alone, per series, one thread."""
    rng = np.random.default_rng(1)
    lengths = np.where(rng.random(n) < 0.5, rng.integers(4, 17, n), rng.integers(4, 65, n))
    batch = generate_batch(n, lengths=lengths, seed=rng)
    sequences = [row[:length] for row, length in zip(batch.data, batch.lengths, strict=True)]
    classifier, times = predictor.classifier, {"with": [], "without": []}
    assert classifier is not None
    predictor.predict_batch(sequences[:1000])  # warm up
    for _ in range(repeats):
        for key, present in (("with", classifier), ("without", None)):
            predictor.classifier = present
            start = time.perf_counter()
            predictor.predict_batch(sequences)
            times[key].append(time.perf_counter() - start)
    predictor.classifier = classifier
    alone = {"classifier": [], "model": []}
    for _ in range(repeats):
        for key, run in (("classifier", classifier.probabilities), ("model", lambda x: predictor._run(x, np.ones(x.shape, dtype=bool)))):
            start = time.perf_counter()
            for length in np.unique(lengths):
                run(batch.data[lengths == length, :length])
            alone[key].append(time.perf_counter() - start)
    with_s, without_s = min(times["with"]), min(times["without"])
    return {"series": n, "with_per_s": n / with_s, "without_per_s": n / without_s, "slowdown": with_s / without_s - 1,
            "workers": predictor.workers, "classifier_us": min(alone["classifier"]) / n * 1e6,
            "model_us": min(alone["model"]) / n * 1e6, "repeats": repeats}  # fmt: skip


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def report(result: dict, names, truth, bucket, new) -> str:
    fam, overall, speed = result["families"], result["all"], result["speed"]
    b = [bucket_name(x) for x in BUCKETS]
    head = overall["head_top1"] is not None
    lines = [
        "| family | " + " | ".join(f"top-1, {x}" for x in b) + " | " + " | ".join(f"grouped, {x}" for x in b)
        + " | named, 8+ | no clear pattern, 8+ |" + (" head top-1, " + ", ".join(b) + " |" if head else ""),
        "|---|" + "---:|" * (2 * len(b) + 2 + head),
    ]  # fmt: skip
    for name in names:
        f = fam[name]
        cells = [_pct(f["top1"][x]) for x in b] + [_pct(f["grouped_top1"][x]) for x in b]
        cells += [_pct(f["named_8plus"]), _pct(f["unclear_8plus"])]
        if head:
            cells.append(" / ".join(_pct(f["head_top1"][x]) for x in b))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    cells = [_pct(overall["top1"][x]) for x in b] + [_pct(overall["grouped_top1"][x]) for x in b]
    cells += [_pct(overall["named_8plus"]), _pct(overall["unclear_8plus"])]
    if head:
        cells.append(" / ".join(_pct(overall["head_top1"][x]) for x in b))
    lines.append("| **all** | " + " | ".join(f"**{c}**" for c in cells) + " |")

    group_lines = ["| lengths | named together | their cases named as another of the group, here |", "|---|---|---:|"]
    for g in result["groups"]:
        group_lines.append(f"| {g['lengths']} | {group_name(g['families'])} "
                           f"| {_pct(g['confusion_here'])} |")  # fmt: skip
    if not result["groups"]:
        group_lines.append("| – | none | |")

    matrices = []
    short = [name[:6] for name in names]
    for i, x in enumerate(b):
        confusion = np.zeros((len(names), len(names)), dtype=np.int64)
        np.add.at(confusion, (truth[bucket == i], new["top1"][bucket == i]), 1)
        share = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
        matrices += [f"### {x} values", "", "| true \\ top-1 | " + " | ".join(short) + " |", "|---|" + "---:|" * len(names)]
        for k, name in enumerate(names):
            matrices.append(f"| {name} | " + " | ".join(f"{v:.0%}" if v >= 0.005 else "·" for v in share[k]) + " |")
        matrices.append("")

    apart = overall["told_apart_8plus"]
    return "\n".join(
        [
            "# Pattern naming",
            "",
            f"Model: {result['model']}, family classifier `patterns.onnx` beside it. {result['n_per_cell']} generated "
            f"cases per family and length bucket (seed {result['seed']}), {result['cases']} in all; {result['machine']}. "
            "Produced by `python benchmarks/patterns.py`.",
            "",
            "Top-1: the family with the highest probability is the true one. Grouped: the group of families named "
            "together at that length (below) with the most probability holds the true one. Named: the words of "
            "`Prediction.pattern` name the true family (alone, in its group, or as one of two named together; "
            f"a group is named alone from {CLEAR:.0%} of the probability, two together from {PAIR:.0%}), and no "
            f"clear pattern otherwise. Head: the point model's pattern head on the same cases (top-1), as before.",
            "",
            *lines,
            "",
            f"At 8–64 values the old head named the true family in {_pct(overall['head_named_8plus'])} of cases and "
            f"said no clear pattern in {_pct(overall['head_unclear_8plus'])}; the classifier names it in "
            f"{_pct(overall['named_8plus'])} and says no clear pattern in {_pct(overall['unclear_8plus'])}.",
            "",
            f"Families told apart at 8+ values (grouped top-1 ≥ {TARGET:.0%} at 8–64 values): {len(apart)} of "
            f"{len(names)} ({', '.join(apart) or 'none'}); on their cases grouped top-1 "
            f"{_pct(overall['told_apart_grouped_top1_8plus'])}, plain top-1 {_pct(overall['told_apart_top1_8plus'])}. "
            f"The others stay below the target even with their groups: "
            f"{', '.join(n for n in names if n not in apart) or 'none'}.",
            "",
            "## Groups named together",
            "",
            f"Made by `python -m numseries.family` on its own held-out cases (seed 2000029): at each length bucket, "
            f"two groups merge while at least {result['threshold']:.0%} of their cases are named as the other "
            "(then at least one of them is named right less than 90% of the time, and naming it alone is a guess "
            "between them), up to 4 families a group. The share below is measured on this benchmark's cases.",
            "",
            *group_lines,
            "",
            f"## Speed: `predict_batch` on {speed['series']:,} series of lengths 4–64 (fastest of {speed['repeats']}, "
            f"{speed['workers']} workers)",
            "",
            f"With the classifier {speed['with_per_s']:,.0f} series/s, without it {speed['without_per_s']:,.0f} series/s: "
            f"{speed['slowdown']:+.1%} time. Alone, on one thread, grouped by length: the classifier "
            f"{speed['classifier_us']:.1f} µs a series, the point model {speed['model_us']:.1f} µs "
            f"({speed['classifier_us'] / speed['model_us']:.0%} of it).",
            "",
            "## Confusion of the classifier per length bucket (share of each true family's cases, by top-1 answer)",
            "",
            *matrices,
        ]
    )


def readme_block(result: dict) -> str:
    overall, speed = result["all"], result["speed"]
    apart = overall["told_apart_8plus"]
    groups = {}
    for g in result["groups"]:
        groups.setdefault(g["lengths"], []).append(group_name(g["families"]))
    listed = "; ".join(f"at {lengths} values {', '.join(f'*{n}*' for n in names)}" for lengths, names in groups.items())
    text = (
        "- **A family classifier.** `pattern` comes from a small 1-D CNN trained apart from the point model on the "
        f"generator's {len(result['families'])} family labels (`patterns.onnx` beside the weights, "
        "`python -m numseries.family`), which reads the values normalised inside it, so `a·x + b` (a > 0) "
        "never changes its answer. Families it cannot tell apart at a given length are named together "
        f"({listed or 'none'}); a group is named when it holds {result['clear']:.0%} of the probability, two "
        f"together from {result['pair']:.0%}, and `{UNCLEAR}` otherwise. On held-out generated cases "
        f"(`benchmarks/results/patterns.md`) its top-1 is {_pct(overall['top1']['8-16'])} at 8–16 values and "
        f"{_pct(overall['top1']['24-64'])} at 24–64 (the old pattern head: {_pct(overall['head_top1']['8-16'])} "
        f"and {_pct(overall['head_top1']['24-64'])}), with the groups {_pct(overall['grouped_top1']['8-16'])} and "
        f"{_pct(overall['grouped_top1']['24-64'])}; {len(apart)} of {len(result['families'])} families reach 90% at 8+ "
        f"values with their groups ({_pct(overall['told_apart_grouped_top1_8plus'])} on their cases; below it: "
        f"{', '.join(plain_name(n) for n in result['families'] if n not in apart) or 'none'}), and it says "
        f"`{UNCLEAR}` for {_pct(overall['unclear_8plus'])} of them. It costs {speed['classifier_us']:.1f} µs a series "
        f"({speed['classifier_us'] / speed['model_us']:.0%} of the point model's time; {speed['slowdown']:+.0%} measured on "
        "a batch of mixed lengths). A weights folder without it (an older one, a user's training) names patterns "
        "with the pattern head as before."
    )
    return textwrap.fill(text, width=108, subsequent_indent="  ", break_on_hyphens=False)


if __name__ == "__main__":
    raise SystemExit(main())
