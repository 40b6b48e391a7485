"""The README's example table, produced from the shipped model (never typed by hand).

    python benchmarks/example_table.py [--weights DIR]

Writes benchmarks/results/example_table.md and figures/example_prediction.png (drawn by ``numseries predict
--plot`` for a whole period of sin(t)), and fills README.md's ``example-table`` block, its ``predict-console`` block
(what ``numseries predict 2 4 6 8 10`` and a noisy forecast print) and its ``shipped-model`` block (how the model
was trained, from its training_info.json).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

from numseries import Predictor
from numseries.explain import weighted_sum
from numseries.formatting import format_input, format_value, mean_step
from numseries.intervals import CALIBRATION_FILE
from numseries.weights import locate

from _output import RESULTS, replace_block, write_result

# The seed README's examples, then two more of the generated kinds.
EXAMPLES = [
    [2.0, 4.0, 6.0, 8.0, 10.0],
    [3.0, 6.1, 9.2, 12.0],
    [0.0, 0.84, 0.91, 0.14, -0.76],
    [4.39, 3.91, 3.58, 3.33, 3.14],
    [1.0, 2.0, 2.5, 2.0, 1.0],
    [1.0, 2.0, 4.0, 8.0, 16.0],
    [1.0, 4.0, 9.0, 16.0, 25.0],
]
NO_PATTERN = "— (no exact rule: the network's estimate)"
SINE = ["0", "0.84", "0.91", "0.14", "-0.76", "-0.96", "-0.28", "0.66", "0.99", "0.41"]  # sin(t): a whole period


def table(predictor: Predictor) -> str:
    """One row per example; the pattern column is what ``Prediction.pattern`` says."""
    lines = [
        "| Input Sequence | Predicted Next Value | As a weighted sum (largest terms) | Attention Focus "
        "| Pattern Description |",
        "|---|---|---|---|---|",
    ]
    for values in EXAMPLES:
        result = predictor.predict(values)
        attention = [f"{weight:.3f}" for weight in result.attention]
        value = format_value(result.value, step=mean_step(values), exact=result.exact)
        value += " (exact)" if result.exact else ""
        terms = weighted_sum(np.array(values), result.weights, result.value)
        shown = ", ".join(format_input(v) for v in values)
        lines.append(f"| `{shown}` | **{value}** | {terms} | `{attention}` | {result.pattern or NO_PATTERN} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    predictor = Predictor.from_pretrained(args.weights)
    text = table(predictor)
    write_result(args.out / "example_table.md", text + "\n")

    figure = args.out / "figures" / "example_prediction.png"
    _numseries("predict", *SINE, "--plot", str(figure), *(["--weights", args.weights] if args.weights else []))
    print(f"wrote {figure}")

    replace_block("example-table", text, results=args.out)
    replace_block("predict-console", predict_console(args.weights), results=args.out)
    replace_block("shipped-model", shipped_model(args.weights), results=args.out)
    return 0


CONSOLE = (["2", "4", "6", "8", "10"], ["3", "6.1", "9.2", "12", "--steps", "3"])  # the README's two examples


def predict_console(weights: str | None) -> str:
    """What ``numseries predict 2 4 6 8 10`` and a noisy forecast print, run for real."""
    options = ["--weights", weights] if weights else []
    runs = []
    for arguments in CONSOLE:
        output = _numseries("predict", *arguments, *options)
        runs.append(f"$ numseries predict {' '.join(arguments)}\n{output.rstrip()}")
    return "```console\n" + "\n\n".join(runs) + "\n```"


def _numseries(*arguments: str) -> str:
    """Run the ``numseries`` command for real; its stdout."""
    command = [sys.executable, "-m", "numseries", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _stages(info: dict) -> list[dict]:
    """The training_info of each training stage, oldest first (a fine-tuning run records its origin's)."""
    stages = []
    while info:
        stages.append(info)
        info = (info.get("init_weights") or {}).get("training_info") or {}
    return stages[::-1]


def _summary(info: dict) -> str:
    data = info["data"]
    train = info.get("train_config") or {}
    heads_only = train.get("heads_only", False)
    model = info.get("model_config") or {}
    head_losses = [loss for key, loss in (("quantile_levels", "pinball"), ("pattern_names", "pattern")) if model.get(key)]
    loss = "mean scaled error"
    heads = f"the heads' {' and '.join(head_losses)} loss{'es' * (len(head_losses) > 1)}"
    if heads_only:  # the frozen network's L1 is in the validation loss, beside the losses of the heads it has
        loss = f"the point L1, unchanged, plus {heads}"
    elif head_losses:  # the whole network trained; the validation loss adds the heads' losses to its L1
        loss = f"the point L1 plus {heads}"
    how = ""
    if heads_only:
        how = ", the heads alone on the frozen network"
    elif head_losses and train.get("detach_heads"):
        how = ", the heads' losses kept from the network (`--detach-heads`)"
    return (
        f"{info['epochs']} epochs ({data['samples_seen']:,} freshly generated sequences of {data['min_len']}–"
        f"{data['max_len']} values from {len(data['families'])} families) in {info['duration_seconds'] / 60:.0f} "
        f"minutes on {info['hardware']}{how}; best "
        f"validation loss ({loss}) {info['best_val_loss']:.4f}{', stopped early' if info.get('stopped_early') else ''}"
    )


def shipped_model(weights: str | None) -> str:
    """How the model was trained, from its training_info.json."""
    stages = _stages(locate(weights).training_info())
    if not stages:
        return "No training_info.json beside these weights."
    export = (
        "Then `numseries export --format onnx --weights src/numseries/weights --out "
        "src/numseries/weights/model.onnx` wrote the ONNX file that `numseries predict` runs"
    )
    folder = locate(weights).folder
    if folder is not None and (folder / CALIBRATION_FILE).is_file():
        export += ", and `numseries calibrate --weights src/numseries/weights` its intervals' calibration.json"
    export += "."
    if len(stages) == 1:
        return (
            "Trained with one command, recorded in `src/numseries/weights/training_info.json`:\n\n"
            f"```bash\n{stages[0]['command']}\n```\n\n{_summary(stages[0])}. {export}"
        )
    commands = "\n".join(stage["command"] for stage in stages)
    summaries = "\n".join(f"{i}. {_summary(stage)}." for i, stage in enumerate(stages, 1))
    return (
        f"Trained in {len(stages)} stages, each later one fine-tuning the weights of the one before "
        "(`--init-weights`); `src/numseries/weights/training_info.json` records every command, and "
        "`benchmarks/results/experiments.md` the commit each one ran on:\n\n"
        f"```bash\n{commands}\n```\n\n{summaries}\n\nThe last stage's folder was copied into "
        f"`src/numseries/weights`. {export}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
