"""The ``numseries`` command line.

Each subcommand lives in ``numseries/commands/<name>.py`` with a ``configure(parser)`` that adds its
options and a ``run(args) -> int``; heavy imports stay inside ``run`` so that ``numseries predict``
never loads torch. Bad input raises ``ValueError`` anywhere below, and a missing optional dependency
``ImportError``; either is printed here as one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from importlib import import_module
from typing import Any, NoReturn

COMMANDS = {
    "predict": "Predict the next value of a sequence, with its interval, its pattern and each step's weight.",
    "train": "Train a model on freshly generated sequences and write a weights folder.",
    "export": "Export a trained model to ONNX and check it against torch.",
    "evaluate": "Score a model against classical baselines, per family and context length.",
    "calibrate": "Calibrate a model's prediction intervals on generated data (writes calibration.json).",
    "serve": "Serve the model over HTTP: a JSON API and a web page (needs the serve extra).",
}


DESCRIPTION = "Predict the next value of a short numeric sequence, and show which steps it relied on."
EXAMPLES = """examples:
  numseries predict 2 4 6 8 10                  the next value, with a table of the steps
  numseries predict --input series.csv --output predictions.csv

run 'numseries COMMAND --help' for the options of a command."""

# The extra that installs each optional dependency, for the one-line message when it is missing.
EXTRAS = {
    "torch": "train",
    "lightning": "train",
    "safetensors": "train",
    "onnx": "train",
    "onnxscript": "train",
    "tensorboard": "train",
    "matplotlib": "plot",
    "pandas": "io",
    "pyarrow": "io",
    "tqdm": "io",
    "statsforecast": "bench",
    "statsmodels": "bench",
    "scipy": "bench",
}


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, as every other error of the command line (argparse's own
    print the whole usage block above it)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="numseries",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, help_text in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        import_module(f"numseries.commands.{name}").configure(sub)
    return parser


def _version() -> str:
    from numseries import __version__

    return __version__


class _StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (which tests and ``contextlib`` may replace)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _log_to_stderr() -> None:
    """numseries' INFO messages on stderr, once; other libraries' loggers keep their own handlers.

    A handler on the root logger would print every Lightning message twice (Lightning has its own).
    """
    package = logging.getLogger("numseries")
    package.setLevel(logging.INFO)
    if not any(isinstance(handler, _StderrHandler) for handler in package.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        package.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    _log_to_stderr()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    # a trailing -- ends nothing ("1 2 3 --level 80 95 --", as the hint to end the levels with -- reads);
    # argparse refused it as an unrecognized argument
    args = parser.parse_args(argv[:-1] if argv[-1:] == ["--"] else argv)
    if args.command is None:  # `numseries` alone: the help, as `numseries --help` shows it
        parser.print_help()
        return 0
    args.command_line = ["numseries", *argv]  # as given, for records such as training_info.json
    try:
        _refuse_empty_options(argv, args)
        with warnings.catch_warnings():
            warnings.showwarning = _show_note
            return import_module(f"numseries.commands.{args.command}").run(args)
    except ValueError as err:
        print(f"numseries {args.command}: error: {err}", file=sys.stderr)
        return 2
    except ImportError as err:  # an optional dependency is missing: name the extra that installs it
        print(f"numseries {args.command}: error: {_missing_extra(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:  # Ctrl-C, or a training stopped by a signal (its message says how to go on)
        print(f"numseries {args.command}: interrupted{f': {err}' if str(err) else ''}", file=sys.stderr)
        return int(getattr(err, "exit_code", 130))  # 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM
    except BrokenPipeError:  # the reader closed the pipe (`numseries predict ... | head -1`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _refuse_empty_options(argv: list[str], args: argparse.Namespace) -> None:
    """An option given an empty value (``--out ""``, ``--output=``, as an unset shell variable gives) is a
    ``ValueError``: read as a path it was the current folder (``--out ""`` named ".") or no file at all.
    (A flag, which takes no value, is followed by whatever comes next.)"""
    for i, token in enumerate(argv):
        if not token.startswith("--") or token == "--":
            continue
        name, equals, value = token.partition("=")
        if isinstance(getattr(args, name[2:].replace("-", "_"), None), bool):
            continue
        if (equals and not value.strip()) or (not equals and i + 1 < len(argv) and not argv[i + 1].strip()):
            raise ValueError(f"{name} is given an empty value; give it one (is a shell variable unset?)")


def _show_note(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None
) -> None:
    """numseries' own warnings as the one-line notes its log gives (``note: ...``), not Python's two lines with
    a file name and a line of source; other libraries' warnings as Python shows them."""
    stream = file or sys.stderr
    from numseries.warn import NumseriesWarning

    if issubclass(category, NumseriesWarning) or issubclass(category, UserWarning) and os.sep + "numseries" + os.sep in filename:
        print(f"note: {message}", file=stream)
    else:
        stream.write(warnings.formatwarning(message, category, filename, lineno, line))


def _missing_extra(err: ImportError) -> str:
    """One line for a missing optional dependency, naming the extra that installs it."""
    module = (err.name or "").split(".")[0]
    if module in EXTRAS:
        extra = EXTRAS[module]
        return f"this needs {module}, which is not installed; install it with pip install 'numseries[{extra}]'"
    return f"{err}; reinstall numseries (pip install numseries) or the package named above"


if __name__ == "__main__":
    raise SystemExit(main())
