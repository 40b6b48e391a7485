"""How well can any predictor do on a few values? A nearest-neighbour estimate of the best one.

    python benchmarks/achievable.py [--weights DIR] [--families noisy noisy_line random_walk] [--pool N]

At 4 to 6 values the generator's families overlap: four noisy points of a line look like four points
of a gentle curve, so no predictor is exact, and a target such as "half the best baseline's error"
may be out of reach of every predictor. This script estimates the best achievable error from the
generator itself. For each evaluation case it takes the ``k`` most similar of ``pool`` fresh
sequences of the same length, similar after the model's own normalisation (steps divided by their
mean absolute size; each pool sequence also counts mirrored, as the generator draws either sign),
and predicts the median of their normalised next values. Two pools:

- the case's own family: an estimate of the best predictor that knows which family the case came
  from. Its ratio to the best baseline estimates the best ratio any predictor can reach. It is
  shown with a quarter of the pool too: where the two agree, a larger pool would not do much better.
- the training mixture (every training family by its weight): an estimate of the best predictor
  that knows only what the model knows. Where the model is worse than this, more training or a
  better network can help; where this too is worse than a baseline, the families' overlap is to
  blame, and only a different mixture of training families would move the model.

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
from numseries.series import step_scale

from _output import RESULTS, write_result

LENGTHS = (4, 5, 6)
FAMILY_NN = "nearest neighbours, same family"
QUARTER_NN = "same family, pool ÷ 4"
MIXTURE_NN = "nearest neighbours, training mixture"
POOL_SEED = 7_919  # never the evaluation seed


def normalised_steps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, L) contexts -> steps over their mean absolute step (N, L-1), and that scale (N,) (1 if constant)."""
    scale = step_scale(values, np.ones_like(values, dtype=bool))
    return np.diff(values, axis=1) / scale[:, None], scale  # (N, L-1)


def nearest_neighbour_predictions(
    contexts: np.ndarray, family: str | None, *, pool: int, neighbours: int, seed: int
) -> np.ndarray:
    """(N, L) contexts -> (N,) the median next value of their nearest pool sequences, in their units.

    The pool holds ``pool`` sequences of length L from ``family`` (None: the training mixture).
    """
    length = contexts.shape[1]
    families = None if family is None else [family]
    batch = generate_batch(pool, max_len=length, families=families, lengths=np.full(pool, length), seed=seed)
    steps, scale = normalised_steps(batch.data[:, :length])
    next_step = (batch.labels - batch.data[:, length - 1]) / scale  # (pool,)
    tree = cKDTree(np.concatenate([steps, -steps]))  # (2 pool, L-1): each sequence and its mirror
    targets = np.concatenate([next_step, -next_step])
    query, query_scale = normalised_steps(contexts)
    _, index = tree.query(query, k=neighbours)  # (N, neighbours)
    return contexts[:, -1] + query_scale * np.median(targets[index], axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument(
        "--families", nargs="+", default=["noisy", "noisy_line", "random_walk"], help="families to score"
    )
    parser.add_argument("--n-per-length", type=int, default=1000, help="evaluation cases per context length")
    parser.add_argument("--pool", type=int, default=2_000_000, help="generated sequences per pool")
    parser.add_argument("--neighbours", type=int, default=100, help="neighbours per prediction")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the statistical baselines")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    buckets = [(n, n) for n in LENGTHS]
    cases = synthetic_cases(n_per_cell=args.n_per_length, families=args.families, buckets=buckets)
    predictor = Predictor.from_pretrained(args.weights)
    evaluation = evaluate(predictor, cases, baselines=ALL, n_jobs=args.jobs)
    estimates = {name: np.full(len(cases), np.nan) for name in (FAMILY_NN, QUARTER_NN, MIXTURE_NN)}
    options = {"neighbours": args.neighbours}
    for n in LENGTHS:
        at_n = cases.lengths == n
        contexts = cases.data[at_n, :n]
        estimates[MIXTURE_NN][at_n] = nearest_neighbour_predictions(
            contexts, None, pool=args.pool, seed=POOL_SEED + n, **options
        )
        for f, family in enumerate(cases.family_names):
            rows = np.flatnonzero(at_n & (cases.families == family))
            seed = POOL_SEED + 100 * (f + 1) + n
            for name, pool in ((FAMILY_NN, args.pool), (QUARTER_NN, args.pool // 4)):
                estimates[name][rows] = nearest_neighbour_predictions(
                    cases.data[rows, :n], family, pool=pool, seed=seed, **options
                )
    evaluation.predictions.update(estimates)
    median = {(r["group"], r["bucket"], r["method"]): r["median_scaled"] for r in summarise(evaluation, buckets=buckets)}

    columns = (MODEL, FAMILY_NN, QUARTER_NN, MIXTURE_NN)
    lines = [
        "| family | length | model | best baseline | " + " | ".join(columns[1:])
        + " | noise floor | model ÷ best baseline | same family ÷ best baseline | training mixture ÷ best baseline |",
        "|---|---|---:|---|" + "---:|" * 7,
    ]
    for family in cases.family_names:
        for bucket, shown in [*((bucket_name(b), str(b[0])) for b in buckets), ("all", "4–6")]:
            value = {m: median.get((family, bucket, m), float("nan")) for m in (*columns, NOISE_FLOOR, *ALL)}
            best = min(ALL, key=value.get)
            cells = [f"{value[m]:.3f}" for m in columns]
            floor = "–" if np.isnan(value[NOISE_FLOOR]) else f"{value[NOISE_FLOOR]:.3f}"
            ratios = [f"{value[m] / value[best]:.2f}" for m in (MODEL, FAMILY_NN, MIXTURE_NN)]
            lines.append(
                f"| {family} | {shown} | {cells[0]} | {value[best]:.3f} ({best}) | {' | '.join(cells[1:])} | {floor} "
                f"| {' | '.join(ratios)} |"
            )
    text = (
        "# How well can any predictor do at 4–6 values?\n\n"
        f"Generated by `python benchmarks/achievable.py` ({args.n_per_length} cases per family and context "
        f"length; pools of {args.pool:,} sequences, {args.neighbours} neighbours; weights: "
        f"{args.weights or 'shipped'}; {predictor.runtime}; {platform.machine()}).\n\n"
        "Median scaled error (|prediction − next value| / mean absolute step of the context). The nearest-"
        "neighbour columns predict each case from the most similar generated sequences (see the script): "
        "`same family` estimates the best predictor that knows which family the case came from, so its "
        "ratio to the best baseline estimates the best ratio any predictor can reach; `pool ÷ 4` shows how "
        "far that estimate still moves with the pool's size; `training mixture` estimates the best "
        "predictor that, like the model, knows only that the case came from the training families. The "
        f"best baseline is the best of {', '.join(ALL)} on each line.\n\n" + "\n".join(lines) + "\n"
    )
    print(text)
    write_result(args.out / "achievable.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
