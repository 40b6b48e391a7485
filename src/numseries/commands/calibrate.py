"""``numseries calibrate``: measure how far a model's intervals are off, and write the correction beside it.

    numseries calibrate --weights my_weights            writes my_weights/calibration.json

The model predicts fresh generated sequences of its training mixture (a seed of their own, never the
training or validation data); per context-length bucket and interval level, the factor by which the
intervals must widen or narrow to cover their level is written to ``calibration.json``, which
``Predictor`` applies from then on.
"""

from __future__ import annotations

import argparse
import sys

CALIBRATION_SEED = 2_000_003  # never a training (seed) or validation (seed + 1_000_003) stream


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help="weights folder of a model with a quantile head")
    parser.add_argument("--cases", type=int, default=200_000, help="generated sequences (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=CALIBRATION_SEED, help="seed of those sequences")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np

    from numseries.files import write_json
    from numseries.generate import generate_batch
    from numseries.intervals import CALIBRATION_FILE, calibrate
    from numseries.predict import Predictor

    if not 1_000 <= args.cases <= 10_000_000:
        raise ValueError(f"--cases must be in [1000, 10000000], got {args.cases}; e.g. --cases 200000")
    folder = Path(args.weights)
    if not folder.is_dir():
        raise ValueError(f"--weights {folder} is not a weights folder; give the folder that holds config.json")
    predictor = Predictor.from_pretrained(folder)
    if not predictor.quantile_levels:
        raise ValueError(f"{folder} has no quantile head, so nothing to calibrate; train one with --quantile-levels")
    predictor.calibration = None  # measure the raw quantiles
    cases = generate_batch(args.cases, min_len=3, max_len=predictor.max_len, seed=args.seed)
    result = predictor.predict_batch(np.where(cases.masks, cases.data, np.nan))
    assert result.quantiles is not None  # the model has a quantile head
    calibration = calibrate(result.quantiles, cases.labels, cases.lengths, predictor.quantile_levels)
    write_json(folder / CALIBRATION_FILE, calibration.to_dict())
    print(f"wrote {folder / CALIBRATION_FILE} from {args.cases} generated cases", file=sys.stderr)
    return 0
