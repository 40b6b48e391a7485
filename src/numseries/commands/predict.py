"""``numseries predict``: the next value of a sequence and each step's weight in it, or a whole file.

    numseries predict 2 4 6 8 10              a table with a signed bar per step's weight
    numseries predict 2 4 6 8 10 --json       machine-readable
    echo "2,4,6,8,10" | numseries predict -   numbers from stdin (spaces, commas or newlines)
    numseries predict 2 4 6 8 10 --steps 5    an autoregressive forecast of 5 steps
    numseries predict 2 4 6 8 --plot p.png    a PNG of the prediction, its interval and the weights
    numseries predict --input series.parquet --output predictions.parquet
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from numseries.config import MAX_STEPS

BAR_HALF = 16  # characters each side of the axis for the largest |weight|
WEIGHTS_NOTE = (
    "weight: how far the prediction moves per unit move of that value; the prediction is the sum of",
    "  weight × value over the steps (exactly: the model scales with its input).",
    "attention: where the model's attention layer looked, not what the prediction depends on.",
)
RULE_NOTE = (
    "weight: the rule's coefficient on that value (the next value is the weighted sum of the values, plus",
    "  the rule's constant if it has one; a ratio rule's weight is this step's ratio, a quadratic map's",
    "  x[t-1] + b).",
    "attention: where the network's attention layer looked; an exact rule gave this value, not the network.",
)
NO_PATTERN = "no exact rule; the network's estimate"  # the pattern, in the table and --json, without a rule or head


# argparse reads a token that starts with '-' as an option unless its private `_negative_number_matcher`
# calls it a negative number: before CPython 3.14 (r'^-\d+$|^-\d*\.\d+$') only -5 and -.5, from 3.14
# (r'-\.?\d') -1e5 too, on no version -inf or -nan. Here anything that starts like a negative number
# (-1e5, -1_000, -0x10, -inf, -nan) is a value, which _parse_values reads or refuses with its own message.
# The pattern is added to argparse's own matcher, so the override never narrows it.
_NEGATIVE_VALUES = r"^-(\.?\d|inf|nan)"
# 1,000: a thousands separator, or the values 1 and 0? Also 1 000 with a no-break or thin space between, as
# French or Russian spreadsheets write thousands (Python's split() splits there: 1 and 000)
_THOUSANDS = re.compile("\\d[,\u00a0\u202f\u2009]\\d{3}(?!\\d)")
_NO_BREAK = re.compile("[\u00a0\u202f\u2009]")  # shown as a space in messages
# 1.234,56 (German), 1'234,56 (Swiss): thousands grouped by '.' or an apostrophe, then a decimal comma
# (0.123,4 is a list: no group starts 0, in any script's digits: the first is checked apart, _grouped_decimal)
_GROUPED_DECIMAL = re.compile("[+-]?(\\d)\\d{0,2}(?:[.'\u2019]\\d{3})+,\\d+")
_GROUPED = re.compile("[+-]?\\d{1,3}(?:[.'\u2019]\\d{3})+")  # 1.234.567, 1'000: thousands separators
_DIGIT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:_\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?")  # 1_000, -2_500.5: as Python
# 1,5 among other values (1,5 2,5 or 1,5, 2,5, or with semicolons 1,5;2,5): a decimal comma, or the values
# 1 and 5? (1,2,3 alone is a list: not asked)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def _accept_negative_values(parser: argparse.ArgumentParser) -> None:
    own = getattr(parser, "_negative_number_matcher", None)
    if own is not None:  # a private attribute: leave argparse alone if it is gone
        pattern = f"(?:{own.pattern})|(?:{_NEGATIVE_VALUES})"
        parser._negative_number_matcher = re.compile(pattern, re.IGNORECASE)


def configure(parser: argparse.ArgumentParser) -> None:
    _accept_negative_values(parser)
    parser.add_argument("values", nargs="*", help="the sequence, oldest first; '-' reads it from stdin")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--steps", type=int, help=f"forecast this many steps (1 to {MAX_STEPS}), feeding each prediction back in"
    )
    parser.add_argument(
        "--level",
        type=float,
        nargs="+",
        action="extend",  # --level 80 --level 95: both (a second --level replaced the first)
        metavar="PERCENT",
        help="prediction intervals to show, in percent (default: 80, when the model has a quantile head)",
    )
    parser.add_argument(
        "--plot", metavar="IMAGE",
        help="also draw the prediction and each step's weight to this .png, .pdf or .svg file (plot extra)"
    )
    parser.add_argument("--weights", help="model: a weights folder, .onnx, .pt or .safetensors (default: shipped)")
    parser.add_argument(
        "--no-rules", action="store_true", help="the network only: do not continue exact rules (Fibonacci, squares, ...)"
    )
    batch = parser.add_argument_group("batch files (needs the io extra: pip install numseries[io])")
    batch.add_argument("--input", help="CSV or Parquet: long (unique_id, ds, y), one series per row, one series down a column, or a series down each column beside a time column (date,sales,...)")
    batch.add_argument(
        "--output", help="CSV or Parquet file for the predictions and attention; - writes CSV to stdout"
    )
    batch.add_argument("--no-progress", action="store_true", help="hide the progress bar of long runs")
    batch.add_argument(
        "--with-weights", action="store_true", help="also write each series' per-step weights (column weights; slower)"
    )
    batch.add_argument(
        "--freq", type=_freq,
        help="the next times' spacing: a pandas frequency (D, B, W-FRI, MS, h, 15min) or an integer step "
        "(default: each series' own spacing)",
    )
    batch.add_argument(
        "--strict", action="store_true",
        help="stop at the first series that cannot be predicted (default: give it an empty prediction and an error)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from numseries.intervals import fraction_note, levels_checked

    note = fraction_note(args.level or [])
    if note:
        _say(f"note: {note.replace(' pass ', ' pass --level ')}")
    with levels_checked():  # said once above: the library's calls do not warn again
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from numseries.predict import THE_SEQUENCE, Predictor

    if args.plot is not None and (args.input or args.output):
        raise ValueError("--plot draws a single sequence; drop it with --input, or give values instead")
    if args.input or args.output:
        _check_batch_args(args)
        predictor = Predictor.from_pretrained(args.weights, rules=not args.no_rules)
        try:
            with _signals_interrupt():
                return _predict_file(args, predictor)
        except _Signalled as stop:
            _say(f"numseries predict: stopped by {stop.name}; nothing was written to {_output_name(args.output)}")
            return 128 + stop.signum
    if args.with_weights:
        raise ValueError("--with-weights adds a column to --output files; a single prediction always shows its weights")
    if args.strict:
        raise ValueError("--strict works with --input FILE --output FILE: a single sequence is predicted or refused")
    if args.freq is not None:
        raise ValueError("--freq steps the times of --input FILE's series; a single sequence has none: drop --freq")
    if not args.values and args.level and len(args.level) > 2:  # argparse gave --level the values typed after it
        taken = " ".join(f"{level:g}" for level in args.level)
        raise ValueError(
            f"no values given: --level took {taken} as its levels; put the values first "
            "(numseries predict 1 2 3 --level 80 95) or end the levels with -- (--level 80 95 -- 1 2 3)"
        )
    values, labels = _parse_values(args.values)
    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise ValueError(f"--steps must be an integer from 1 to {MAX_STEPS}, got {args.steps}; e.g. --steps 5")
    if args.plot is not None:  # (--plot '' drew nothing and said nothing)
        _check_plot(args.plot)
    predictor = Predictor.from_pretrained(args.weights, rules=not args.no_rules)
    levels = predictor.levels_or_default(args.level)
    result = predictor.predict(values, level=levels)
    forecast: Any = None
    bands: dict[float, tuple[Any, Any]] = {}
    path_read = None  # how many of the last values the path was read from
    path_cycle = None  # the cycle the path repeats from step 2, if it does
    path_steady = None  # the step the path goes on at the window's mean step from, if it ran away
    log_path = ""  # which path read from the values' logarithms it took from step 2 (Forecast.log_path; "": none)
    path_settles = False  # whether the path settles from step 2, its steps shrinking one way
    path_own = None  # the cycle whose first steps the network's path repeats after them, if it does
    if args.steps:
        batch = predictor.forecast_batch([values], args.steps, level=levels or None, ids=THE_SEQUENCE)
        forecast = batch.values[0]
        bands = {level: (lo[0], hi[0]) for level in batch.levels for lo, hi in [batch.interval(level)]}
        path_read = forecast_read(batch, result.n_used)
        path_cycle = forecast_cycle(batch)
        path_steady = forecast_steady(batch)
        log_path = forecast_log_path(batch)
        path_settles = forecast_settles(batch)
        path_own = forecast_own_cycle(batch)
        from numseries.forecast import BACKTEST_STEPS, RUNAWAY, STEADY  # loaded by forecast_batch already

        held = min(args.steps, BACKTEST_STEPS)  # the last values a forecast's backtest forecasts
    if forecast is not None and result.rule is not None and _exact_rule(result.rule):
        forecast = result.rule.forecast(args.steps)  # the same values, exact: whole numbers stay whole
    if result.cropped:
        print(
            f"note: the model reads at most {predictor.max_len} values; "
            f"it used the last {result.n_used} of {result.n_values}",
            file=sys.stderr,
        )
    if result.n_read is not None:
        print(
            f"note: the network read the last {result.n_read} of these values: the earlier steps are far larger "
            "than the last ones (the end of a steep decay, or a jump), or far smaller, all going one way (a steep growth), "
            "and it predicts such a series better without them",
            file=sys.stderr,
        )
    # read in logarithms as a growth's (by ratios, or faster), not a decay's; a series below 0 as its mirror image
    grew = result.logs and abs(result.value) > abs(values[-1])
    sizes, mirror = _sizes(values), "" if values[-1] > 0 else "; they are all below 0: read as their mirror image"
    if grew:
        from numseries.forecast import GROWTH_BACKTEST, LOG_PAST

        print(
            f"note: the network read the logarithms of these {sizes} (its prediction a ratio): they grow by ratios, "
            "and read from the values it predicted a smaller ratio than they grow by; predicting each of their last "
            f"{min(GROWTH_BACKTEST, result.n_used - LOG_PAST - 1)} values from those before, it missed by under half "
            f"as much reading their logarithms{mirror}",
            file=sys.stderr,
        )
    elif result.logs:
        from numseries.forecast import BACKTEST_STEPS, log_hold

        side, across, way = ("above", "below", "fall") if values[-1] > 0 else ("below", "above", "rise")
        print(
            f"note: the network read the logarithms of these {sizes} (its prediction a ratio: {side} 0): read from the "
            f"values, it predicted {across} 0, though they are all {side} 0 and {way}, and forecasting their last "
            f"{log_hold(BACKTEST_STEPS, result.n_used)} values from those before, the path read from their logarithms "
            "missed by under half as much",
            file=sys.stderr,
        )
    if result.settles:
        from numseries.forecast import SETTLE_OVERSHOOT

        print(
            "note: the step was read from the logarithms of the step sizes: these values step one way and saturate "
            "(their steps shrink by about one ratio, or the pattern is a logistic curve and they shrank for 2 steps), "
            f"their last step smaller than the one before, and the network's own step went on over {SETTLE_OVERSHOOT:g}x "
            "further than their last step shrunk by their last steps' ratio; it is at most that far",
            file=sys.stderr,
        )
    if result.cycle:
        from numseries.forecast import CYCLE_AGREE, CYCLE_HOLD, PREFER_CYCLE, cycle_backtests

        after = result.n_used - 2 * result.cycle  # values after two cycles
        tested = f"predicting each of the last {int(cycle_backtests(after))} values so from the values before it"
        chosen = (
            f"{tested} missed by under {PREFER_CYCLE:g}x what the network did; the weights are the cycle's own, and the "
            "interval comes from its misses there"
            if after >= CYCLE_HOLD
            else f"its two cycles agree (within {CYCLE_AGREE:g} of the last one's spread) and, moved by the whole "
            f"sequence's trend, {tested} missed by under {PREFER_CYCLE:g}x what the network did; the weights are the "
            "cycle's own, and the interval comes from its misses within the sequence"
        )
        print(
            f"note: the prediction is the value {result.cycle} steps back (the sequence's cycle), moved by the trend of "
            f"the cycles' means, if any: {chosen}",
            file=sys.stderr,
        )
    if path_read is not None and path_read < result.n_used:
        print(
            f"note: {_later_steps(args.steps, 'is', 'are')} the path read from the last {path_read} values: the path "
            f"read from all {result.n_used} ran away (a step over {RUNAWAY:g}x their largest) or, forecasting their last "
            f"{held} from the values before, missed by over twice as much",
            file=sys.stderr,
        )
    if path_steady is not None:
        print(
            f"note: from step {path_steady} the path goes on at the mean step of the {path_read} values it was read "
            f"from (flat where that is noise), or levels off where their steps settle: the network's path, each prediction fed back in, ran "
            f"away there (a step over {STEADY:g}x their largest, grown or shrunk as their last steps are; where their "
            "steps settle, over that of their last, or back, or past the level they settle at)",
            file=sys.stderr,
        )
    if path_cycle is not None:
        print(
            f"note: {_later_steps(args.steps, 'repeats', 'repeat')} the last {path_cycle} values (the sequence's "
            f"cycle), each repeat moved by the trend of the cycles' means, if any: {_cycle_test(result.n_used, path_cycle)}",
            file=sys.stderr,
        )
    if path_own is not None:
        print(
            f"note: from step {path_own + 1} the path repeats its own first {path_own} steps (the sequence's cycle), "
            "each repeat moved by the trend of the cycles' means, if any: the network's path, fed back in, damps "
            "a cycle's later turns",
            file=sys.stderr,
        )
    if log_path == "growth":  # a growth's, as step 1 was read
        print(
            f"note: {_later_steps(args.steps, 'is', 'are')} the path read from the logarithms of the {sizes} (it goes "
            f"on by their ratios), as step 1 was read{mirror}",
            file=sys.stderr,
        )
    elif log_path:
        from numseries.forecast import BACKTEST_STEPS, log_hold

        held = log_hold(BACKTEST_STEPS, path_read or result.n_used)  # (decided on BACKTEST_STEPS steps, whatever the horizon)
        if log_path in ("rise", "rise_steady"):
            why = (
                f"under twice as much as the path read from the values, which went on at a steady step within "
                f"{BACKTEST_STEPS} steps (it ran away)" if log_path == "rise_steady"
                else "under half as much as the path read from the values"
            )  # fmt: skip
            text = (
                f"{_later_steps(args.steps, 'goes', 'go')} on by the steady ratio of the {sizes} (the least-squares "
                f"line of their logarithms): forecasting the last {held} values from those before, that line missed by "
                f"{why}{mirror}"
            )
        else:
            text = (
                f"{_later_steps(args.steps, 'is', 'are')} the path read from the logarithms of the {sizes} (it goes on "
                f"by their ratios, and never {'below' if values[-1] > 0 else 'above'} 0): forecasting the last {held} "
                f"values from those before, the path read from the values missed by over twice as much{mirror}"
            )
        print(
            f"note: {text}",
            file=sys.stderr,
        )
    if path_settles:
        print(
            f"note: {_later_steps(args.steps, 'settles', 'settle')}: the values read all step one way, their last step "
            "smaller than their largest, and saturate (their steps shrink by about one ratio, or the pattern is a "
            "logistic curve and they shrank for 2 steps), and step 1 goes their way, so the steps ahead go that way "
            "too, their sizes the network's path read from the logarithms of the step sizes, none larger than the "
            "one before or than the last step shrunk by the last steps' ratio: the path levels off, "
            "not turning back",
            file=sys.stderr,
        )
    if args.plot:
        _plot(args.plot, values, labels, result, forecast, bands)
    if args.json:
        _print(json.dumps(_as_json(result, forecast, bands, path_read, path_cycle, path_steady, log_path, path_settles, path_own)))
    else:
        _print(_table(values, result, forecast, bands, _faithfulness(predictor.source), labels=labels, cycle=path_cycle,
                      logs=log_path, settles=path_settles))
    return 0


def _grouped_decimal(token: str) -> bool:
    """Whether ``token`` is a number with thousands separators and a decimal comma (1.234,5 in any script's digits:
    ١.٢٣٤,٥ too), its first digit not 0."""
    import unicodedata

    match = _GROUPED_DECIMAL.fullmatch(token)
    return match is not None and unicodedata.digit(match.group(1)) != 0


def _count(n: int, noun: str) -> str:
    """``1 step``, ``3 steps``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _later_steps(steps: int, singular: str, plural: str) -> str:
    """The steps after the first with their verb: ``step 2 is``, ``steps 2-8 are``."""
    return f"step 2 {singular}" if steps == 2 else f"steps 2-{steps} {plural}"


def _check_plot(path: str) -> None:
    """Before any work: matplotlib is there (else ImportError, which the CLI names the plot extra for) and
    ``path`` can be written."""
    import matplotlib  # noqa: F401

    from numseries.files import check_output
    from numseries.plots import image_format

    check_output(path, "the plot")
    image_format(path)


def _plot(path: str, values: list[float], labels: list[str], result, forecast, bands: dict) -> None:
    from numseries.plots import plot_prediction, save_figure

    first = result.n_values - result.n_used
    shown = labels[first:] if len(labels) - first <= 12 else [*labels[first : first + 3], "…", *labels[-3:]]
    exact = _exact_rule(result.rule)
    pattern = f"{result.pattern or 'no clear pattern'}{' (exact)' if exact else ''}"
    figure = plot_prediction(
        np.asarray(values[first:]), prediction=result.rule.next_value if exact else result.value,
        attention=result.attention[first:],
        weights=None if result.weights is None else result.weights[first:], intervals=result.intervals,
        forecast=forecast, forecast_intervals=bands, first_step=first + 1, exact=exact, read=result.n_read,
        title=f"{' '.join(shown)}: {pattern}",
    )
    save_figure(figure, path)
    _say(f"wrote {path}")


def _faithfulness(source: str) -> dict | None:
    """The figures ``benchmarks/faithfulness.py`` measured for this model, if it wrote them beside it."""
    from numseries.weights import FAITHFULNESS_FILE

    path = Path(source)
    path = (path if path.is_dir() else path.parent) / FAITHFULNESS_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _print(text: str) -> None:
    """Print to stdout; a stdout that is closed or full is one error line, not a traceback."""
    try:
        if sys.stdout is None:  # started with stdout closed
            raise OSError("it is closed")
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader stopped reading: the CLI exits quietly
    except OSError as err:
        if sys.stdout is not None:  # drop what could not be written, so that exiting does not retry it
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise ValueError(
            f"cannot write to standard output: {err.strerror or err}; redirect it to a file that can be written"
        ) from None


def _say(text: str) -> None:
    """A line on stderr, if stderr can still take it (a hangup may have closed the terminal)."""
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)


class _Signalled(BaseException):
    """SIGTERM or SIGHUP during a batch run: a BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` stops it on its way out and every ``finally`` (removing the temp output) runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`_Signalled`, as Ctrl-C raises KeyboardInterrupt."""

    def stop(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]  # no SIGHUP on Windows
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        names = []
    previous = {name: signal.signal(getattr(signal, name), stop) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _parse_values(tokens: list[str]) -> tuple[list[float], list[str]]:
    """Command-line tokens, or stdin for '-', -> the numbers, and each as it was typed (for the table).
    Separators: spaces, commas, semicolons, newlines."""
    if tokens == ["-"]:
        text = sys.stdin.read().removeprefix("\ufeff")  # a UTF-8 byte-order mark, as some editors write
        if not text.strip():
            raise ValueError("no values on stdin; pipe a sequence in (echo 2 4 6 8 10 | numseries predict -)")
        if any("\udc80" <= char <= "\udcff" for char in text):  # bytes that are not UTF-8, as Python reads them
            raise ValueError("stdin is not UTF-8 text; save the values as UTF-8 (or plain ASCII) and try again")
    elif "-" in tokens:
        raise ValueError("'-' reads the values from stdin and cannot be mixed with values; give one or the other")
    elif not tokens:
        raise ValueError(
            "no values given; pass a sequence (numseries predict 2 4 6 8 10), '-' to read it from stdin, "
            "or --input FILE --output FILE"
        )
    else:
        text = " ".join(tokens)
    empty = re.search(r"[,;][^\S\n]*[,;]", text.strip())
    if empty:  # 1,,2 or 1, ,2: a spreadsheet row or column with a gap, as batch files read it
        position = len([t for t in re.split(r"[\s,;]+", text.strip()[: empty.start()]) if t]) + 1
        raise ValueError(
            f"value {position} is empty (nothing between {empty.group()!r}): a missing value; fill or drop it"
        )
    if _THOUSANDS.search(text):
        token = next(token for token in re.split(r"[ \t\r\n\f\v]+", text) if _THOUSANDS.search(token))
        raise ValueError(
            f"{_NO_BREAK.sub(' ', token)!r} is ambiguous: a thousands separator or a "
            f"{'space' if _NO_BREAK.search(token) else 'comma'} between values? Write numbers "
            "without thousands separators and separate values with spaces, ', ' or newlines"
        )
    grouped = next((t for t in re.split(r"[\s;]+", text) if _grouped_decimal(t.strip(","))), None)
    if grouped is not None:  # 1.234,56 split at its comma gave 1.234 and 56
        number = re.sub(r"[.'\u2019]", "", grouped.strip(",")).replace(",", ".")
        raise ValueError(
            f"{grouped.strip(',')!r} is ambiguous: {number} written with thousands separators and a decimal comma, "
            f"or a comma between values? Write numbers without thousands separators, decimals with '.' ({number}), "
            "and separate values with spaces, ', ' or newlines"
        )
    decimal = _decimal_comma(text)
    if decimal is not None:
        raise ValueError(
            f"{decimal!r} is ambiguous: a decimal comma or a comma between values? Write decimals with '.' "
            f"({decimal.replace(',', '.')}) and separate values with spaces, ', ' or newlines"
        )
    values, labels = [], [t for t in re.split(r"[\s,;]+", text) if t]
    for position, token in enumerate(labels, start=1):
        if "_" in token and not _DIGIT_GROUPS.fullmatch(token):  # Python's float() reads 1_0.5 as 10.5
            raise ValueError(
                f"{token!r} (value {position}) has an underscore that groups no thousands; write numbers without "
                f"one ({token.replace('_', '')})"
            )
        try:
            values.append(float(token))
        except ValueError:
            fix = (
                "type the minus sign as '-'"
                if any(dash in token for dash in "\u2212\u2013\u2014")
                else f"write it without thousands separators ({re.sub(r'[^0-9+-]', '', token)})"
                if _GROUPED.fullmatch(token)  # 1.234.567, 1'000
                else f"give the numbers without their header ({token!r}), or the file with --input FILE --output FILE"
                if position == 1 and len(labels) > 1 and re.fullmatch(r"[^\W\d]\w*", token)  # a pasted column's name
                else "leave out the brackets: give the numbers alone"
                if re.search(r"[\[\](){}]", token)  # a pasted list, [1, 1, 2, 3] (adversarial round 65)
                else "leave it out: give the numbers alone"
                if re.fullmatch(r"[.…?]+", token)  # a puzzle's 1 1 2 3 5 8 ... or ?
                else "separate numbers with spaces, commas or newlines"
            )
            raise ValueError(f"{token!r} (value {position}) is not a number; {fix}") from None
        if values[-1] == 0:  # 1e-400: below float64
            from numseries.series import BELOW_FLOAT, underflowed

            if underflowed(token, values[-1]):
                raise ValueError(f"{token} (value {position}) {BELOW_FLOAT}")
        if math.isinf(values[-1]) and not re.search(r"inf", token, re.IGNORECASE):  # 1e400: above float64
            from numseries.series import above_float

            shown = token if len(token) <= 30 else f"{token[:20]}... ({len(token):,} characters)"
            raise ValueError(f"{shown} (value {position}) {above_float(values[-1])}")
        if math.isfinite(values[-1]) and abs(values[-1]) >= 2.0**52:  # an integer (a fraction) typed may not be a float
            from numseries.series import lost_fraction, lost_integer, rounded_integer

            if lost_integer(token, values[-1]) is not None:
                raise ValueError(f"{token} (value {position}) is {rounded_integer(int(values[-1]))}")
            if lost_fraction(token, values[-1]):  # 40000000000000001.5, read as 40000000000000000
                raise ValueError(f"{token} (value {position}) is {rounded_integer(int(values[-1]), 'a number')}")
    return values, labels


def _decimal_comma(text: str) -> str | None:
    """The first number written with a decimal comma among other values, as typed (``1,5`` of ``1,5 2,5``,
    ``1,5, 2,5,`` or ``1,5;2,5``, the lists of decimal-comma locales), else None. Commas alone between
    values (``1,2,3``, ``1, 2, 3``) are a list."""
    if ";" in text:  # semicolons between the values: a comma between digits is inside a value
        found = _DECIMAL_COMMA.search(text)
        return found.group() if found else None
    tokens = [token.strip(",") for token in text.split()]  # 1,5, 2,5,: a comma after each value too
    if len(tokens) < 2:
        return None
    return next((token for token in tokens if _DECIMAL_COMMA.fullmatch(token)), None)


def _signed_bar(weight: float, largest: float, glyphs: tuple[str, str, str, str]) -> str:
    """A bar from the axis: left for a negative weight, right for a positive one, in half characters."""
    full, left_half, axis, right_half = glyphs
    halves = round(abs(weight) / largest * BAR_HALF * 2) if largest > 0 else 0
    if weight < 0:
        return f"{(left_half * (halves % 2) + full * (halves // 2)):>{BAR_HALF}}{axis}{'':<{BAR_HALF}}"
    return f"{'':>{BAR_HALF}}{axis}{(full * (halves // 2) + right_half * (halves % 2)):<{BAR_HALF}}"


def _glyphs() -> tuple[str, str, str, str]:
    """Full block, left and right half blocks and the axis, or ASCII where stdout cannot encode them."""
    try:
        "█▐▌│".encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except UnicodeEncodeError:
        return ("#", "+", "|", "+")
    return ("█", "▐", "│", "▌")


def _exact_rule(rule: Any) -> bool:
    """Whether an exact rule answered, its value the rule's own (not float arithmetic's past 2**53): shown
    exactly, as whole numbers where it is one."""
    return rule is not None and rule.precise


def _pattern(result) -> str:
    if result.rule is not None:  # (past 2**53, a rule of floats is float arithmetic's: no exact value)
        return f"pattern: {result.pattern} ({'exact' if result.rule.precise else 'a rule, to float64 precision'})"
    if result.pattern:  # the model's pattern head: what the sequence looks like
        return f"pattern: {result.pattern} (no exact rule)"
    return f"pattern: {NO_PATTERN}"


def _table(
    values: list[float],
    result,
    forecast,
    bands: dict | None = None,
    faithfulness: dict | None = None,
    *,
    labels: list[str] | None = None,
    cycle: int | None = None,
    logs: str = "",
    settles: bool = False,
) -> str:
    """The printed answer. ``labels`` are the values as typed (default: each value's shortest form);
    ``cycle``: the forecast repeats the sequence's last cycle of that many values from its second step; ``logs``: how
    its path went on in logarithms from its second step (:attr:`~numseries.forecast.Forecast.log_path`; "": it did not); ``settles``: its
    path settles from there."""
    from numseries.explain import weighted_sum
    from numseries.formatting import format_input, format_values, mean_step, percent_text
    from numseries.intervals import level_name

    first = result.n_values - result.n_used
    labels = labels or [format_input(value) for value in values]
    step = mean_step(values[result.n_values - (result.n_read or result.n_used) :])  # of the values the network read
    ruled = _exact_rule(result.rule)  # an exact rule answered: printed exactly (past 2**53 too)

    def numbers(*values) -> list[str]:
        return format_values(values, step=step, exact=ruled)

    lines = [f"next value: {numbers(result.rule.next_value if ruled else result.value)[0]}"]
    for level, (lo, hi) in result.intervals.items():  # a rule's: zero width at its exact value
        bounds = (result.rule.next_value,) * 2 if ruled else (lo, hi)
        lines.append(f"{level_name(level)}% interval: {' to '.join(numbers(*bounds))}")
    lines.append(_pattern(result))
    used = slice(first, result.n_values)
    weights = result.weights
    if weights is None:  # the table has no weight columns, and its notes name none
        lines += ["(no per-step weights: this model was exported without them; export it again without --no-weights)"]
    else:  # a rule's: its coefficients, and its constant (as the page writes it)
        value, shown = (float(result.rule.next_value), numbers(result.rule.next_value)[0]) if ruled else (result.value, None)
        constant = result.rule.intercept if ruled and result.rule.exact else None  # an integer rule's, exactly
        lines += [weighted_sum(np.asarray(values[used]), weights[used], value, labels=labels[used], read=result.n_read,
                               exact=shown, constant=constant)]
    largest = 0.0 if weights is None else float(np.nanmax(np.abs(weights[first:]), initial=0.0))
    glyphs = _glyphs()
    width = max(12, *(len(label) for label in labels[used]))
    # (+ 0.0: -0.0001 is 0.000, not -0.000); a column as wide as its widest (a quadratic map's 65536.000), and past
    # 1e7 (a quadratic map's, far along) to 4 significant digits
    weight_texts = [] if weights is None else [
        f"{round(float(w), 3) + 0.0:.3f}" if abs(w) < 1e7 else f"{float(w):.4g}" for w in weights[first:]
    ]
    wide = max(8, *map(len, weight_texts)) if weight_texts else 8
    weighed = "" if weights is None else f"  {'weight':>{wide}}  {'−  weight  +':^{2 * BAR_HALF + 1}}"
    lines += ["", f"{'step':>6}  {'value':>{width}}{weighed}  {'attention':>9}"]
    for at in range(first, result.n_values):  # (not `step`: numbers() reads the mean step by that name)
        if weights is None:
            weighed = ""
        else:
            weight = float(weights[at])
            bar = _signed_bar(weight, largest, glyphs) if np.isfinite(weight) else " " * (2 * BAR_HALF + 1)
            weighed = f"  {weight_texts[at - first]:>{wide}}  {bar}"
        lines.append(f"{at + 1:>6}  {labels[at]:>{width}}{weighed}  {float(result.attention[at]):>9.3f}")
    notes = RULE_NOTE if ruled else WEIGHTS_NOTE
    lines += ["", *(notes if weights is not None else notes[-1:])]
    if faithfulness and not ruled:
        by_weights, by_attention = faithfulness["weights"], faithfulness["attention"]
        top, rank = (
            ("", "") if weights is None  # (no weights shown to compare with)
            else (f" (weights: {percent_text(by_weights['top'])})", f" (weights: {by_weights['spearman']:.2f})")
        )  # fmt: skip
        lines += [
            f"  On {faithfulness['cases']:,} test cases its top step was the most influential in "
            f"{percent_text(by_attention['top'])}{top};",
            f"  rank correlation with influence {by_attention['spearman']:.2f}{rank}.",
        ]
    if forecast is not None:
        sizes = _sizes(values)
        how = (
            "the rule continued" if ruled
            else f"the last {cycle} values repeated" if cycle and result.cycle == cycle
            else f"step 1 the network's, then the last {cycle} values repeated" if cycle
            else f"from step 2 the steady ratio of the {sizes}" if logs.startswith("rise")
            else f"autoregressive, from step 2 in the logarithms of the {sizes}" if logs
            else "autoregressive, from step 2 settling: steps one way, shrinking" if settles
            else "autoregressive: each prediction is fed back in"
        )
        bands = bands or {}
        lines += ["", f"forecast, {_count(len(forecast), 'step')} ({how}):"]
        columns = [forecast, *(bound for lo, hi in bands.values() for bound in (lo, hi))]
        if ruled:  # its exact values (float64's either side past 2**53 in bands): zero width
            columns = [forecast] * len(columns)
        # one number format for the path and one for the bounds (recorded values: 17, not 17.00 beside 20.43)
        path, limits = iter(numbers(*forecast)), iter(numbers(*(column[k] for k in range(len(forecast)) for column in columns[1:])))
        rows = [[next(path), *(next(limits) for _ in columns[1:])] for _ in forecast]
        heads_width = max((len(f"lo-{level_name(level)}") for level in bands), default=0)  # long levels' names
        width = max(12, heads_width, *(len(cell) for row in rows for cell in row))
        if bands:
            heads = "".join(f"  {f'lo-{level_name(level)}':>{width}}  {f'hi-{level_name(level)}':>{width}}" for level in bands)
            lines.append(f"{'':>6}  {'value':>{width}}{heads}")
        for k, row in enumerate(rows):
            lines.append(f"{f't+{k + 1}':>6}" + "".join(f"  {cell:>{width}}" for cell in row))
    return "\n".join(lines)


def forecast_read(forecast: Any, n_used: int, row: int = 0) -> int:
    """How many of the last values the forecast of a BatchForecast's ``row`` (of ``n_used`` values) was read from."""
    return n_used if forecast.read is None else min(n_used, int(forecast.read[row]))


def _cycle_test(n_used: int, cycle: int) -> str:
    """How the forecast's cycle of a sequence of ``n_used`` values was chosen (:func:`~numseries.forecast._few_cycles`)."""
    from numseries.forecast import BACKTEST_STEPS, CYCLE_AGREE, CYCLE_HOLD

    after = n_used - 2 * cycle
    if after >= BACKTEST_STEPS:  # (chosen on BACKTEST_STEPS steps, whatever the horizon)
        return f"forecasting the last {BACKTEST_STEPS} values from those before, that missed by less than the network's path"
    if after >= CYCLE_HOLD:
        return f"forecasting the {after} values after two cycles from them, that missed by less than the network's path"
    return f"its two cycles agree (within {CYCLE_AGREE:g} of the last one's spread), too few values after them to test its path"


def forecast_cycle(forecast: Any, row: int = 0) -> int | None:
    """The cycle the forecast of a BatchForecast's ``row`` repeats from step 2; None: none."""
    return forecast.forecast(row).cycle


def forecast_steady(forecast: Any, row: int = 0) -> int | None:
    """The step the forecast of a BatchForecast's ``row`` goes on at its window's mean step from, where its
    path ran away; None: it did not."""
    return forecast.forecast(row).steady


def _sizes(values: Sequence[float]) -> str:
    """What a read in logarithms read: "values", or for values below 0 (read as their mirror image) their sizes."""
    return "values" if values[-1] > 0 else "values' sizes"


def forecast_log_path(forecast: Any, row: int = 0) -> str:
    """Which path read from the logarithms of its values the forecast of a BatchForecast's ``row`` took from step 2:
    "rise" (the least-squares line of a rise by ratios' logarithms), "rise_steady" (that line, where the path of
    the values went on at a steady step), "growth" (the network's path of a growth's logarithms, as its step 1 was
    read), "decay" (the network's path of a decay's); "" none."""
    return forecast.forecast(row).log_path


def forecast_settles(forecast: Any, row: int = 0) -> bool:
    """Whether the forecast of a BatchForecast's ``row`` settles from step 2 (its steps shrinking one way)."""
    return forecast.forecast(row).settles


def forecast_own_cycle(forecast: Any, row: int = 0) -> int | None:
    """The cycle whose first steps the forecast of a BatchForecast's ``row`` repeats after them; None: none."""
    return forecast.forecast(row).own_cycle


def _as_json(
    result, forecast, bands: dict | None = None, read: int | None = None, cycle: int | None = None,
    steady: int | None = None, log_path: str = "", settles: bool = False, own_cycle: int | None = None,
) -> dict:
    from numseries.intervals import level_name

    out = json_answer(
        result.value,
        result.rule,
        result.pattern,
        None if result.weights is None else result.weights.tolist(),
        round_attention(result.attention).tolist(),
        result.n_values,
        result.n_used,
        result.n_used if result.n_read is None else result.n_read,
        {level_name(level): [lo, hi] for level, (lo, hi) in result.intervals.items()} if result.levels else None,
        result.logs,
        result.settles,
        result.cycle,
    )
    if forecast is not None:
        add_forecast(
            out, result.rule, forecast, bands, result.n_used if read is None else read, cycle, steady, log_path, settles, own_cycle
        )
    return out


def add_forecast(
    out: dict, rule: Any, path: Any, bands: dict | None, read: int, cycle: int | None, steady: int | None,
    log_path: str = "",
    settles: bool = False,
    own_cycle: int | None = None,
) -> None:
    """Add a forecast's fields to a ``--json`` answer: its ``path`` (a rule's whole numbers as integers, as
    its prediction), how many values it was read from, its cycle and steady step, whether it was read from
    the values' logarithms and which path so (``log_path``, :func:`forecast_log_path`; null where none), whether
    it settles, the cycle whose first steps it repeats after them (``own_cycle``; null where none), and its ``bands``
    (``{level: (lo (K,), hi (K,))}``)."""
    from numseries.intervals import level_name

    out["forecast"] = [
        value if isinstance(value, int)
        else int(value) if _exact_rule(rule) and float(value).is_integer() else float(value)
        for value in path
    ]  # fmt: skip
    out["forecast_read"] = read
    out["forecast_cycle"] = cycle
    out["forecast_steady"] = steady
    out["forecast_logs"] = bool(log_path)
    out["forecast_log_path"] = log_path or None
    out["forecast_settles"] = settles
    out["forecast_own_cycle"] = own_cycle
    if bands and _exact_rule(rule):  # the rule's values themselves, as the table shows them (past 2**53 too)
        out["forecast_intervals"] = {level_name(level): [out["forecast"], out["forecast"]] for level in bands}
    elif bands:
        out["forecast_intervals"] = {level_name(level): [lo.tolist(), hi.tolist()] for level, (lo, hi) in bands.items()}


def json_answer(
    value: float,
    rule: Any,
    pattern: str,
    weights: list[float] | None,
    attention: list[float],
    n_values: int,
    n_used: int,
    n_read: int,
    intervals: dict[str, list[float]] | None = None,
    logs: bool = False,
    settles: bool = False,
    cycle: int = 0,
) -> dict:
    """The ``--json`` answer's fields of one prediction (its ``rule``: the exact rule, or None), as lists;
    ``pattern``: the rule's or the pattern head's ("": neither, said as the table's pattern line says it);
    ``n_read``: how many of the ``n_used`` the network read (fewer at the end of a steep decay or growth);
    ``logs``: whether it read their logarithms (:attr:`~numseries.predict.Prediction.logs`); ``settles``: whether
    it read a saturating curve's step sizes (:attr:`~numseries.predict.Prediction.settles`); ``cycle``: the cycle
    whose value that many steps back it is (:attr:`~numseries.predict.Prediction.cycle`; 0, null in JSON: none);
    ``intervals`` ``{level name: [lo, hi]}``, an exact rule's at its value (zero width, as the table shows it,
    not float64's values either side past 2**53)."""
    exact = _exact_rule(rule)
    whole = exact and (isinstance(rule.next_value, int) or float(rule.next_value).is_integer())
    prediction = int(rule.next_value) if whole else value  # an exact rule's whole number stays whole
    answer: dict[str, Any] = {
        "prediction": prediction,
        "exact": exact,
        "rule": rule is not None,  # exact, or (past 2**53, floats) to float64 precision
        "pattern": pattern or NO_PATTERN,  # as the table's pattern line (was "", adversarial report)
        "weights": weights,
        "attention": attention,
        "n_values": n_values,
        "n_used": n_used,
        "n_read": n_read,
        "logs": logs,
        "settles": settles,
        "cycle": cycle or None,
    }
    if intervals is not None:
        answer["intervals"] = {name: [prediction, prediction] for name in intervals} if exact else intervals
    return answer


def round_attention(attention: np.ndarray) -> np.ndarray:
    """Attention for JSON: float64 (before rounding), 6 decimals: a short answer."""
    return np.round(attention.astype(np.float64), 6)


def _freq(text: str) -> int | float | str:
    """``--freq``: an integer or decimal step as a number, anything else as a pandas frequency (checked later)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _check_batch_args(args: argparse.Namespace) -> None:
    if not (args.input and args.output):
        raise ValueError("batch prediction needs both --input FILE and --output FILE (.csv or .parquet)")
    if args.values:
        raise ValueError("give either values or --input FILE, not both")
    if args.json:
        raise ValueError("--json works on a single sequence; drop it with --input (the output file holds it all)")

    if args.steps is not None and not 1 <= args.steps <= MAX_STEPS:
        raise ValueError(f"--steps must be an integer from 1 to {MAX_STEPS}, got {args.steps}; e.g. --steps 5")
    if args.with_weights and (args.steps or 1) > 1:
        raise ValueError("--with-weights writes the weights of a one-step prediction; drop it or --steps")
    try:
        from numseries import batch_io
    except ImportError as err:
        raise ValueError(f"batch files need the io extra ({err}); pip install 'numseries[io]'") from None
    batch_io.file_format(args.input)
    batch_io.check_freq(args.freq)
    if args.output == "-":  # CSV on stdout: written to a temporary file first (_predict_file)
        return
    if Path(args.input).resolve() == Path(args.output).resolve():
        raise ValueError(f"--output {args.output} would overwrite --input; choose another output file")
    batch_io.check_output(args.output)


def _output_name(output: str) -> str:
    return "stdout" if output == "-" else output


def _predict_file(args: argparse.Namespace, predictor, shown: str | None = None) -> int:
    """Predict ``--input`` into ``--output`` (``shown`` so in notes); ``-``: CSV on stdout, once it is whole (a
    file out of order is sorted on disk and its rows written again), through a temporary file."""
    if args.output == "-":
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory(prefix="numseries-") as folder:
            written = Path(folder) / "stdout.csv"
            try:
                return _predict_file(argparse.Namespace(**{**vars(args), "output": str(written)}), predictor, "stdout")
            finally:  # written where none could be predicted too: each one's error, with exit code 2
                if written.exists():
                    with open(written, "rb") as rows:
                        shutil.copyfileobj(rows, sys.stdout.buffer)
                    sys.stdout.flush()
    from tqdm import tqdm

    from numseries import batch_io

    levels = predictor.levels_or_default(args.level) or ()
    bar = "{percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]"  # the file's size gives the total and the ETA
    with tqdm(total=1.0, bar_format=bar, delay=2.0, file=sys.stderr, disable=args.no_progress or None) as progress:

        def advance(done: float) -> None:
            if done < progress.n:  # an unsorted file, found out: it is sorted on disk, from the start
                progress.reset(total=1.0)
            progress.update(done - progress.n)

        summary = batch_io.predict_file(
            predictor, args.input, args.output, levels=levels, steps=args.steps or 1, weights=args.with_weights,
            strict=args.strict, on_progress=advance, freq=args.freq,
        )  # fmt: skip
    if summary.sorted:
        _say(f"note: the rows of {args.input} were not grouped by series and ordered by ds; sorted them on disk")
    if summary.cropped:
        _say(
            f"note: {summary.cropped} series had more than {predictor.max_len} values; the model read the last "
            f"{predictor.max_len} of each (see n_values and n_used)"
        )
    if summary.failed:
        _say(
            f"note: {summary.failed} of {summary.series} series could not be predicted; their error column says "
            "why (--strict stops at the first)"
        )
    what = _count(summary.series, "prediction")
    if (args.steps or 1) > 1:
        what = f"{_count(summary.series, 'forecast')} of {args.steps} steps ({summary.rows} rows)"
    _say(f"wrote {what} to {shown or args.output}")
    if summary.series and summary.failed == summary.series:  # a file without one prediction is no success
        none = "the one series" if summary.series == 1 else f"none of the {summary.series} series"
        raise ValueError(
            f"{none} of {args.input} could{' not' if summary.series == 1 else ''} be predicted; the error column "
            f"of {shown or args.output} says why"
        )
    return 0
