"""``numseries calibrate``: measure how far a model's intervals are off, and write the correction beside it.

    numseries calibrate --weights my_weights            writes my_weights/calibration.json

The model predicts fresh generated sequences of its training mixture (a seed of their own, never the
training or validation data); per context-length bucket and interval level, the factor by which the
intervals must widen or narrow to cover their level is written to ``calibration.json``, which
``Predictor`` applies from then on; and the same among the cases the family classifier (or the pattern
head) names each family (:func:`numseries.intervals.calibrate_families`), for the contexts named so.
Then it forecasts ``--horizon-cases`` generated sequences of the families its quantile head learnt from
(as ``training_info.json`` records them, which may include families held out of the point network;
``--path-families`` to choose) 24 steps ahead, with those one-step intervals, and measures per step the
factor of the multi-step bands (:func:`numseries.intervals.calibrate_horizons`), and, among the paths
whose context the family classifier (or the pattern head) names, each family's own factor beyond it
(:func:`numseries.intervals.calibrate_family_horizons`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from numseries.commands import families
from numseries.config import repeated, seed_argument

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import numpy as np

    from numseries.predict import Predictor

CALIBRATION_SEED = 2_000_003  # never a training (seed) or validation (seed + 1_000_003) stream


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help="weights folder of a model with a quantile head")
    parser.add_argument("--cases", type=int, default=200_000, help="generated sequences (default: %(default)s)")
    parser.add_argument("--horizon-cases", type=int, default=50_000, help="generated paths for the multi-step bands (default: %(default)s)")
    parser.add_argument("--seed", type=seed_argument, default=CALIBRATION_SEED, help="seed of those sequences (default: %(default)s)")
    parser.add_argument(
        "--path-families",
        nargs="+",
        metavar="NAME",
        help="generator families of the paths (default: those the weights' quantile head learnt from, as "
        "training_info.json records them; without a record, the generator's training families)",
    )
    families.add_option(parser)


def run(args: argparse.Namespace) -> int:
    families.load(args.families_from)  # before any family name is read
    from pathlib import Path

    import numpy as np

    from numseries.files import check_output, write_json
    from numseries.generate import generate_batch, resolve_families
    from numseries.intervals import (
        CALIBRATION_FILE,
        HORIZONS,
        LENGTH_BUCKETS,
        REACH_NORMS,
        calibrate,
        calibrate_families,
        calibrate_family_horizons,
        calibrate_horizons,
        named_families,
    )
    from numseries.predict import Predictor
    from numseries.weights import WEIGHTS_FILE, file_sha256

    if not 1_000 <= args.cases <= 10_000_000:
        raise ValueError(f"--cases must be in [1000, 10000000], got {args.cases}; e.g. --cases 200000")
    if not 1_000 <= args.horizon_cases <= 1_000_000:
        raise ValueError(
            f"--horizon-cases must be in [1000, 1000000], got {args.horizon_cases}; e.g. --horizon-cases 50000"
        )
    twice = repeated(args.path_families or ())
    if twice:  # (before the one-step cases are generated and predicted)
        raise ValueError(f"--path-families names {', '.join(twice)} more than once; name each family once")
    folder = Path(args.weights)
    if not folder.is_dir():
        raise ValueError(f"--weights {folder} is not a weights folder; give the folder that holds config.json")
    check_output(folder / CALIBRATION_FILE, "the calibration")  # before minutes of work (round 52: after them)
    predictor = Predictor.from_pretrained(folder, calibrated=False)  # measure the raw quantiles
    if not predictor.quantile_levels:
        raise ValueError(f"{folder} has no quantile head, so nothing to calibrate; train one with --quantile-levels")
    if len(predictor.quantile_levels) < 2:  # the median alone: no interval to widen
        raise ValueError(
            f"{folder}'s quantile head predicts the median alone, no interval, so nothing to calibrate; "
            "train it with --quantile-levels 0.1 0.5 0.9 (for example)"
        )
    try:  # one step: the families the point network learnt
        served = resolve_families(learnt_families(folder, heads=False))
    except ValueError as err:  # a name the record holds that no registered family has
        raise ValueError(f"{folder / 'training_info.json'} names the point network's families; {err}") from None
    cases = generate_batch(args.cases, min_len=3, max_len=predictor.max_len, families=served, seed=args.seed)
    result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan))
    assert result.quantiles is not None  # the model has a quantile head
    calibration = calibrate(result.quantiles, cases.labels, cases.lengths, predictor.quantile_levels)
    raw = [f"{low}-{high}" if high < 10**6 else f"{low} or more" for (low, high), row in zip(LENGTH_BUCKETS, calibration.factors, strict=True)
           if not np.any(row) and low <= predictor.max_len]  # fmt: skip
    if raw:  # (adversarial round 52: kept without a word; a measured factor is never 0 at every level)
        print(
            f"note: contexts of {' and '.join(raw)} values keep the model's raw intervals: fewer than 50 of their "
            "cases had an interval of any width (an exact rule's has none); give more --cases, or families with noise",
            file=sys.stderr,
        )
    names = tuple(predictor.pattern_names)
    if result.pattern_probabilities is not None:  # a classifier (or pattern head) names each case's family
        named_cases = named_families(result.pattern_probabilities)
        one_step = calibrate_families(result.quantiles, cases.labels, cases.lengths, named_cases, len(names), calibration)
        calibration = dataclasses.replace(calibration, families=names, family_one_step=one_step)
    predictor.calibration = calibration  # the multi-step bands build on the calibrated one-step intervals
    drawn = resolve_families(args.path_families or learnt_families(folder))
    paths = horizon_paths(predictor, args.horizon_cases, args.seed + 1, drawn)
    values, quantiles, targets, lengths, scale, named = paths
    grid = predictor.quantile_levels
    factors = calibrate_horizons(values, quantiles, targets, lengths, scale, grid, REACH_NORMS)
    if np.all(np.asarray(factors) == 1.0):  # every path inside its bands at any width: nothing was measured
        print(
            f"note: every multi-step factor is 1: on the paths of {', '.join(drawn)} the raw bands beyond one "
            "step already covered their levels, so none is widened",
            file=sys.stderr,
        )
    calibration = dataclasses.replace(
        calibration,
        horizons=factors,
        horizon_cases=args.horizon_cases,
        reach_norms=REACH_NORMS,
        path_families=tuple(drawn),
    )
    if named is not None:  # a classifier (or pattern head) names each context's family: factors per family
        by_family = calibrate_family_horizons(
            values, quantiles, targets, lengths, scale, grid, named, len(names), factors, REACH_NORMS
        )
        calibration = dataclasses.replace(calibration, families=names, family_factors=by_family)
    if (folder / WEIGHTS_FILE).is_file():  # the weights it was measured on: weights copied over them are not
        calibration = dataclasses.replace(calibration, weights_sha256=file_sha256(folder / WEIGHTS_FILE))
    write_json(folder / CALIBRATION_FILE, calibration.to_dict())
    print(
        f"wrote {folder / CALIBRATION_FILE} from {args.cases} generated cases of the families {', '.join(served)} "
        f"and {args.horizon_cases} paths of {HORIZONS} steps of the families {', '.join(drawn)}",
        file=sys.stderr,
    )
    return 0


def learnt_families(folder: Path, *, heads: bool = True) -> list[str] | None:
    """The generator families the weights in ``folder`` learnt from (:func:`numseries.weights.trained_families`):
    for the quantile head (``heads``) every run's, for the point network those of the runs that trained it
    whole; in registry order; None when not recorded (then the generator's training families)."""
    from numseries.generate import FAMILIES
    from numseries.weights import read_training_info, trained_families

    learnt = trained_families(read_training_info(folder), heads=heads)
    if not learnt:
        return None
    # Names not registered in this process are kept, so that generating them names them in an error.
    return [name for name in FAMILIES if name in learnt] + sorted(learnt - set(FAMILIES))


def horizon_paths(
    predictor: Predictor, cases: int, seed: int, families: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Generated contexts of ``families`` (None: the training mixture; at most max_len values), forecast
    HORIZONS steps without rules (network only): (point paths (N, H), calibrated one-step quantiles along them
    (N, H, Q), what followed (N, H), the contexts' lengths (N,) and mean absolute steps (N,), and the
    index into ``predictor.pattern_names`` of the family each context is named
    (:func:`~numseries.intervals.named_families`, -1 for none) (N,), or None when the model names none)."""
    import numpy as np

    from numseries.forecast import guarded_roll_out
    from numseries.generate import generate_batch, sample_lengths
    from numseries.intervals import HORIZONS, named_families
    from numseries.series import mean_abs_step

    rng = np.random.default_rng(seed)
    lengths = sample_lengths(cases, 3, predictor.max_len, rng)
    batch = generate_batch(
        cases, max_len=predictor.max_len + HORIZONS, families=families, lengths=lengths + HORIZONS - 1, seed=rng
    )  # each context with all but the last of its next HORIZONS values; that one is the label
    full = np.concatenate([batch.data, np.zeros((cases, 1))], axis=1)
    full[np.arange(cases), lengths + HORIZONS - 1] = batch.labels
    windows = [full[i, :n] for i, n in enumerate(lengths)]  # sample_lengths gives at most max_len
    masks = np.arange(predictor.max_len)[None, :] < lengths[:, None]  # (N, max_len)
    targets = np.stack([full[i, n : n + HORIZONS] for i, n in enumerate(lengths)])  # (N, H)
    values, _, quantiles, _, _, _, _ = guarded_roll_out(predictor, windows, HORIZONS, (50.0,), 0, [])  # as forecasts are made
    assert quantiles is not None  # a model with a quantile head, forecast without sample paths
    probabilities = predictor.predict_batch(np.where(masks, full[:, : predictor.max_len], np.nan)).pattern_probabilities
    named = None if probabilities is None else named_families(probabilities)
    return values, quantiles, targets, lengths, mean_abs_step(full[:, : predictor.max_len], masks), named
