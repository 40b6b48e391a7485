"""The ``numseries`` command line. Each subcommand lives in ``numseries/commands/<name>.py`` with a
``configure(parser)`` that adds its options and a ``run(args) -> int``; heavy imports stay inside
``run`` so that ``numseries predict`` never loads torch.

Bad input raises ``ValueError`` anywhere below; it is printed here as one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import import_module

COMMANDS = {
    "predict": "Predict the next value of a sequence and show the attention over its steps.",
    "train": "Train a model on freshly generated sequences and write a weights folder.",
    "export": "Export a trained model to ONNX and check it against torch.",
    "evaluate": "Score a model against classical baselines, per family and context length.",
    "serve": "Serve the model over HTTP: a JSON API and a web page (needs the serve extra).",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="numseries", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        import_module(f"numseries.commands.{name}").configure(sub)
    return parser


def _version() -> str:
    from numseries import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.command_line = ["numseries", *argv]  # as given, for records such as training_info.json
    try:
        return import_module(f"numseries.commands.{args.command}").run(args)
    except ValueError as err:
        print(f"numseries {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"numseries {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader closed the pipe (`numseries predict ... | head -1`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
