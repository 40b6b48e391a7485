"""How well can any predictor do on a few values? A nearest-neighbour estimate of the best one.

    python benchmarks/achievable.py [--weights DIR] [--families noisy noisy_line] [--pool N]

At 4 to 6 values the generator's families overlap: four noisy points of a line look like four points
of a gentle curve, so no predictor is exact, and a target such as "half the best baseline's error"
may be out of reach of every predictor. This script estimates the best achievable error on a family
from the generator itself. For each evaluation case it takes the ``k`` most similar of ``pool``
fresh sequences of the same family and length, similar after the model's own normalisation (steps
divided by their mean absolute size; each pool sequence also counts mirrored, as the generator
draws either sign), and predicts the median of their normalised next values: a nearest-neighbour
estimate of the best predictor that knows the family. The model, trained on every family at once,
does not know it. The estimate is shown with a quarter of the pool too: where the two agree, a
larger pool would not do much better.

Writes benchmarks/results/achievable.md.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from numseries import Predictor
from numseries.baselines import ALL
from numseries.evaluate import MODEL, NOISE_FLOOR, bucket_name, evaluate, summarise, synthetic_cases
from numseries.generate import generate_batch
from numseries.weights import atomic_write

RESULTS = Path(__file__).resolve().parent / "results"
LENGTHS = (4, 5, 6)
NEAREST = "nearest_neighbours"
POOL_SEED = 7_919  # never the evaluation seed


def normalised_steps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, L) contexts -> steps over their mean absolute step (N, L-1), and that scale (N,) (1 if constant)."""
    steps = np.diff(values, axis=1)  # (N, L-1)
    scale = np.abs(steps).mean(axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    return steps / scale[:, None], scale


def nearest_neighbour_predictions(
    family: str, length: int, contexts: np.ndarray, *, pool: int, neighbours: int, seed: int
) -> np.ndarray:
    """(N, length) contexts -> (N,) the median next value of their nearest pool sequences, in their units."""
    batch = generate_batch(pool, max_len=length, families=[family], lengths=np.full(pool, length), seed=seed)
    steps, scale = normalised_steps(batch.data[:, :length])
    next_step = (batch.labels - batch.data[:, length - 1]) / scale  # (pool,)
    tree = cKDTree(np.concatenate([steps, -steps]))  # (2 pool, length-1): each sequence and its mirror
    targets = np.concatenate([next_step, -next_step])
    query, query_scale = normalised_steps(contexts)
    _, index = tree.query(query, k=neighbours)  # (N, neighbours)
    return contexts[:, -1] + query_scale * np.median(targets[index], axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--families", nargs="+", default=["noisy", "noisy_line"], help="families to score")
    parser.add_argument("--n-per-length", type=int, default=1000, help="evaluation cases per context length")
    parser.add_argument("--pool", type=int, default=4_000_000, help="generated sequences per family and length")
    parser.add_argument("--neighbours", type=int, default=100, help="neighbours per prediction")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the statistical baselines")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    buckets = [(n, n) for n in LENGTHS]
    cases = synthetic_cases(n_per_cell=args.n_per_length, families=args.families, buckets=buckets)
    predictor = Predictor.from_pretrained(args.weights)
    evaluation = evaluate(predictor, cases, baselines=ALL, n_jobs=args.jobs)
    pools = {NEAREST: args.pool, f"{NEAREST}, pool ÷ 4": args.pool // 4}
    for name, pool in pools.items():
        pred = np.full(len(cases), np.nan)
        for f, family in enumerate(cases.family_names):
            for n in LENGTHS:
                rows = np.flatnonzero((cases.families == family) & (cases.lengths == n))
                contexts = cases.data[rows, :n]
                pred[rows] = nearest_neighbour_predictions(
                    family, n, contexts, pool=pool, neighbours=args.neighbours, seed=POOL_SEED + 100 * f + n
                )
        evaluation.predictions[name] = pred
    rows = summarise(evaluation, buckets=buckets)
    median = {(r["group"], r["bucket"], r["method"]): r["median_scaled"] for r in rows}

    header = (
        "| family | length | model | best baseline | nearest neighbours | nearest neighbours, pool ÷ 4 | noise floor "
        "| model ÷ best baseline | nearest neighbours ÷ best baseline |"
    )
    lines = [header, "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for family in cases.family_names:
        for bucket, shown in [*((bucket_name(b), str(b[0])) for b in buckets), ("all", "4–6")]:
            value = {m: median.get((family, bucket, m), float("nan")) for m in (MODEL, NOISE_FLOOR, *pools, *ALL)}
            best = min(ALL, key=value.get)
            cells = [f"{value[m]:.3f}" for m in (MODEL, NEAREST, f"{NEAREST}, pool ÷ 4")]
            floor = "–" if np.isnan(value[NOISE_FLOOR]) else f"{value[NOISE_FLOOR]:.3f}"
            lines.append(
                f"| {family} | {shown} | {cells[0]} | {value[best]:.3f} ({best}) | {cells[1]} | {cells[2]} | {floor} "
                f"| {value[MODEL] / value[best]:.2f} | {value[NEAREST] / value[best]:.2f} |"
            )
    text = (
        "# How well can any predictor do at 4–6 values?\n\n"
        f"Generated by `python benchmarks/achievable.py` ({args.n_per_length} cases per family and context "
        f"length; {args.pool:,} pool sequences per family and length, {args.neighbours} neighbours; weights: "
        f"{args.weights or 'shipped'}; {predictor.runtime}; {platform.machine()}).\n\n"
        "Median scaled error (|prediction − next value| / mean absolute step of the context). "
        "`nearest neighbours` predicts each case from the most similar sequences of the same family "
        "(see the script): an estimate of the best predictor that knows which family the case came from. "
        "Its ratio to the best baseline estimates the best ratio any predictor can reach; where it "
        "agrees with the quarter pool, a larger pool would not lower it much. The best baseline is the "
        f"best of {', '.join(ALL)} on each line.\n\n" + "\n".join(lines) + "\n"
    )
    out = args.out / "achievable.md"
    atomic_write(out, lambda tmp: tmp.write_text(text))
    print(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
