"""The README's example table, produced from the shipped model (never typed by hand).

    python benchmarks/example_table.py [--weights DIR]

Writes benchmarks/results/example_table.md and figures/example_prediction.png, and replaces the block
between ``<!-- example-table:start -->`` and ``<!-- example-table:end -->`` in README.md when it has one.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from numseries import Predictor
from numseries.plots import plot_prediction, save_figure
from numseries.weights import atomic_write

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- example-table:start -->", "<!-- example-table:end -->"

# The seed README's examples, then two more of the generated kinds.
EXAMPLES = [
    ([2.0, 4.0, 6.0, 8.0, 10.0], "Linear (+2)"),
    ([3.0, 6.1, 9.2, 12.0], "Linear with noise"),
    ([0.0, 0.84, 0.91, 0.14, -0.76], "Sinusoidal"),
    ([4.39, 3.91, 3.58, 3.33, 3.14], "Logarithmic decay"),
    ([1.0, 2.0, 2.5, 2.0, 1.0], "Oscillatory/wave"),
    ([1.0, 2.0, 4.0, 8.0, 16.0], "Geometric (×2)"),
    ([1.0, 4.0, 9.0, 16.0, 25.0], "Squares (quadratic)"),
]


def table(predictor: Predictor) -> str:
    lines = [
        "| Input Sequence | Predicted Next Value | Attention Focus | Pattern Description |",
        "|---|---|---|---|",
    ]
    for values, description in EXAMPLES:
        result = predictor.predict(values)
        attention = [f"{weight:.3f}" for weight in result.attention]
        lines.append(f"| `{values}` | **{result.value:.4f}** | `{attention}` | {description} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    predictor = Predictor.from_pretrained(args.weights)
    text = table(predictor)
    atomic_write(args.out / "example_table.md", lambda tmp: tmp.write_text(text + "\n"))
    print(f"wrote {args.out / 'example_table.md'}")

    values, description = EXAMPLES[2]
    result = predictor.predict(values)
    figure = plot_prediction(values, prediction=result.value, attention=result.attention,
                             title=f"{description}: {values}")
    print(f"wrote {save_figure(figure, args.out / 'figures' / 'example_prediction.png')}")

    readme = ROOT / "README.md"
    old = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _: f"{START}\n{text}\n{END}", old)
        atomic_write(readme, lambda tmp: tmp.write_text(new))
        print(f"updated the example table in {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
