"""Plots (matplotlib, PNG). Each function draws on ``ax`` (a new figure when ``None``) and returns the
figure; nothing here calls ``plt.show()`` or touches pyplot's global state, so figures are safe in
scripts, tests and notebooks (run ``%matplotlib inline`` there to display returned figures).

Prediction scatter plots use each series' own units: steps from its last value, in mean absolute steps
of its context, so series of any scale share one axis.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from numseries.evaluate import MODEL, NOISE_FLOOR, Evaluation, Row, summarise
from numseries.files import atomic_write
from numseries.formatting import format_values, mean_step
from numseries.weights import TRAINING_LOGS

COLORS = {
    MODEL: "tab:red",
    "last_value": "tab:gray",
    "drift": "tab:blue",
    "linear_fit": "tab:green",
    "auto_ets": "tab:purple",
    "auto_theta": "tab:brown",
    "auto_arima": "tab:orange",
    NOISE_FLOOR: "black",
}
HUGE = 1e300  # values past this are drawn in a unit of a power of ten: near the float limit (1.8e308)
# matplotlib's spans, margins and ticks overflow
TINY = 1e-200  # ... and values all under this: near the smallest floats (5e-324), matplotlib finds no span
LOG_FLOOR = 1e-4  # log-scale error plots draw smaller errors (exact baselines score ~1e-16) at this value


def _labelled(ax, xlabel: str, ylabel: str, title: str) -> Figure:
    """Axis labels, a title and a small legend: the finish of most plots here."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax.figure


def _axes(ax, figsize: tuple[float, float]):
    if ax is None:
        ax = Figure(figsize=figsize, layout="constrained").subplots()
    return ax


def _series(values: Any, name: str, length: int | None = None, finite: bool = False) -> np.ndarray:
    """``values`` as a (L,) float64 array, checked: one dimension, at least one value, ``length`` of them
    when given, and (``finite``) no NaN or infinity; a one-line ValueError naming ``name`` otherwise."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or not array.size:
        raise ValueError(f"{name} must be a sequence of at least one number, got shape {array.shape}")
    if finite and not np.isfinite(array).all():
        at = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ValueError(f"{name} holds {array[at]} at step {at + 1}; pass the values the prediction was made from")
    if length is not None and len(array) != length:
        raise ValueError(f"{name} has {len(array)} values, not {length}: one per step")
    return array


def _value_axis(*values) -> tuple[float, str]:
    """The unit that ``values`` (arrays, numbers or None) are drawn in and the value axis' label: 1 and
    "value", or where a finite one is over :data:`HUGE` or every one is under :data:`TINY` (and one is not
    0), the largest's power of ten and its label, so that no span between them overflows or vanishes."""
    sizes = np.abs(np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in values if v is not None]))
    largest = float(np.max(sizes[np.isfinite(sizes)], initial=0.0))
    if TINY <= largest <= HUGE or largest == 0:
        return 1.0, "value"
    power = math.floor(math.log10(largest))
    return 10.0**power, f"value ($\\times10^{{{power}}}$)"


def plot_prediction(
    values: np.ndarray,
    *,
    prediction: float | int,
    attention: np.ndarray,
    weights: np.ndarray | None = None,
    target: float | None = None,
    intervals: Mapping[float, tuple[float, float]] | None = None,
    forecast: np.ndarray | None = None,
    forecast_intervals: Mapping[float, tuple[np.ndarray, np.ndarray]] | None = None,
    first_step: int = 1,
    exact: bool = False,
    read: int | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """A context (L,) with its predicted next value above, and a bar per step below.

    With ``weights`` (L,), the bars are the per-step weights, signed (the prediction is their sum of
    weight × value), with the attention (L,) faintly outlined beside them; without, the attention.
    ``intervals`` ({level: (lo, hi)}) band the prediction; ``forecast`` (K,) continues it, banded by
    ``forecast_intervals`` ({level: (lo (K,), hi (K,))}). Steps are numbered from ``first_step``, as the
    ``numseries predict`` table numbers them; legend numbers are shown as that table shows them
    (:mod:`numseries.formatting`; ``exact``: a rule's value, in full, as the integer ``prediction`` may be
    past 2**53; ``read``: the network read only the last that many values, whose mean step sets the digits).
    A given ``ax`` is split in two panels.
    """
    values = _series(values, "values", finite=True)
    attention = _series(attention, "attention", len(values))
    weights = None if weights is None else _series(weights, "weights", len(values))
    top, bottom = _two_panels(ax, (7, 4.8))
    steps = first_step + np.arange(len(values))  # (L,)
    after = steps[-1] + 1
    step = mean_step(values[-read:] if read else values)  # the digits of the values the network read

    def numbers(*values: float) -> list[str]:
        return format_values(values, step=step, exact=exact)

    predicted, true = numbers(prediction, np.nan if target is None else target)  # in one format
    prediction = float(prediction)  # drawn as float64 (a rule's 2**53 + 1 is shown in full above)

    path = np.r_[prediction] if forecast is None else np.asarray(forecast, dtype=np.float64)
    bands = dict(forecast_intervals or {})  # {level: (lo (K,), hi (K,))}
    if not bands:
        bands = {level: (np.r_[lo], np.r_[hi]) for level, (lo, hi) in (intervals or {}).items()}
    unit, ylabel = _value_axis(values, path, prediction, target, *bands.values())
    top.plot(steps, values / unit, "o-", color="tab:blue", label="inputs")
    top.plot(np.r_[steps[-1], after + np.arange(len(path))], np.r_[values[-1], path] / unit, ":", color=COLORS[MODEL])
    if forecast is not None:
        top.plot(after + np.arange(len(path)), path / unit, ".", color=COLORS[MODEL],
                 label=f"forecast, {len(path)} steps")
    top.plot(after, prediction / unit, "*", ms=14, color=COLORS[MODEL], label=f"predicted {predicted}")
    for k, level in enumerate(sorted(bands, reverse=True)):  # widest first, so narrower bands lie on top
        lo, hi = (np.asarray(bound, dtype=np.float64) for bound in bands[level])
        if np.array_equal(lo, hi):
            continue  # an exact rule's interval has no width to draw
        x = after + np.arange(len(lo)) if len(lo) > 1 else np.r_[after - 0.2, after + 0.2]
        label = f"{level:g}% interval" + (f" {' to '.join(numbers(lo[0], hi[0]))}" if len(lo) == 1 else "")
        top.fill_between(x, np.resize(lo, len(x)) / unit, np.resize(hi, len(x)) / unit, color=COLORS[MODEL], lw=0,
                         alpha=0.12 + 0.25 * (k + 1) / len(bands), label=label)
    if target is not None:
        top.plot(after, target / unit, "o", ms=9, mfc="none", color="black", label=f"true {true}")
    top.set_ylabel(ylabel)
    top.legend(loc="best", fontsize=8)
    if title:  # a long pattern line wraps at the figure's edge rather than running past it
        top.set_title(title, fontsize=10, wrap=True)
    _step_bars(bottom, steps, attention, weights)
    for axis in (top, bottom):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    return top.figure


def _step_bars(ax, steps: np.ndarray, attention: np.ndarray, weights: np.ndarray | None) -> None:
    """A bar per step (L,): the signed weights with the attention faintly outlined, or the attention alone,
    on a y axis that the bars fill."""
    if weights is None:
        ax.bar(steps, attention, color="tab:orange", alpha=0.6, width=0.8, label="attention")
        ax.set_ylabel("attention")
        caption, heights = "attention per step", attention
    else:
        colors = np.where(weights < 0, "tab:purple", "tab:green")
        ax.bar(steps, weights, color=colors, alpha=0.6, width=0.8, label="weight")
        ax.bar(steps, attention, fill=False, edgecolor="tab:orange", alpha=0.5, width=0.8, label="attention")
        ax.set_ylabel("weight")
        caption, heights = "weight per step (green +, purple −); the attention faintly outlined", np.r_[weights, attention]
    ax.axhline(0.0, color="gray", lw=0.6)
    low, high = float(np.nanmin(heights, initial=0.0)), float(np.nanmax(heights, initial=0.0))
    ax.set_ylim(*((1.2 * low, 1.2 * high) if high > low else (-1.0, 1.0)))
    ax.set_xlabel("step")
    ax.set_title(caption, fontsize=8, loc="left")  # a caption, not a legend over the bars


def _two_panels(ax, figsize: tuple[float, float]):
    """A tall panel above a short one sharing its x axis: a new figure's, or ``ax``'s place split in two."""
    if ax is None:
        figure = Figure(figsize=figsize, layout="constrained")
        spec = figure.add_gridspec(2, 1, height_ratios=(2, 1))
    else:
        figure = ax.figure
        spec = ax.get_subplotspec().subgridspec(2, 1, height_ratios=(2, 1))
        ax.remove()
    top = figure.add_subplot(spec[0])
    return top, figure.add_subplot(spec[1], sharex=top)


def plot_attention_heatmap(
    attention: np.ndarray, lengths: np.ndarray, *, labels: Sequence[str] | None = None, ax=None
) -> Figure:
    """Attention of a batch (N, T) as a heatmap, each row aligned on its last step (the right edge); ``lengths``
    (N,): the steps of each row that hold attention (a BatchPrediction's ``n_used``)."""
    attention, lengths = np.asarray(attention, dtype=np.float64), np.asarray(lengths)
    if attention.ndim != 2 or lengths.shape != (len(attention),) or not len(lengths):
        raise ValueError(
            f"attention must be (N, T) with one length per row, got attention {attention.shape} and lengths "
            f"{lengths.shape}; pass a BatchPrediction's attention and n_used"
        )
    outside = np.flatnonzero((lengths < 1) | (lengths > attention.shape[1]))
    if outside.size:
        i = outside[0]
        raise ValueError(
            f"lengths[{i}] is {lengths[i]}, outside 1 to the {attention.shape[1]} steps of attention; pass each "
            "row's n_used"
        )
    width = int(lengths.max())
    aligned = np.full((len(lengths), width), np.nan)  # (N, width), NaN before each context starts
    for i, length in enumerate(lengths):
        aligned[i, width - length :] = attention[i, :length]
    ax = _axes(ax, (8, 1.5 + 0.22 * len(lengths)))
    image = ax.imshow(aligned, aspect="auto", cmap="viridis", interpolation="nearest")
    ticks = np.unique(np.linspace(0, width - 1, min(width, 8)).round().astype(int))
    ax.set_xticks(ticks, [str(t - width + 1) for t in ticks])
    ax.set_xlabel("step relative to the last value (0 = last)")
    if labels is not None:
        ax.set_yticks(np.arange(len(labels)), list(labels), fontsize=7)
    ax.figure.colorbar(image, ax=ax, label="attention")
    return ax.figure


def plot_predicted_vs_true(
    evaluation: Evaluation, *, family: str, methods: Sequence[str] = (MODEL, "drift"), ax=None
) -> Figure:
    """Predicted against true next values of one family, in mean absolute steps from the last value."""
    cases = evaluation.cases
    if family not in cases.family_names:
        raise ValueError(f"no family {family!r} in this evaluation; choose from: {', '.join(cases.family_names)}")
    rows = np.flatnonzero((cases.families == family) & ~np.isnan(evaluation.scale))
    ax = _axes(ax, (4.5, 4.5))
    last = cases.data[rows, cases.lengths[rows] - 1]
    scale = evaluation.scale[rows]
    true = (cases.labels[rows] - last) / scale
    limit = float(np.percentile(np.abs(true), 98)) * 1.2 + 1e-9 if len(rows) else 1.0
    for method in methods:
        predicted = (evaluation.predictions[method][rows] - last) / scale
        ax.scatter(true, predicted, s=9, alpha=0.6, color=COLORS.get(method), label=method)
    ax.plot([-limit, limit], [-limit, limit], color="gray", lw=1)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_xlabel("true next value − last (mean abs. steps)")
    ax.set_ylabel("predicted − last (mean abs. steps)")
    ax.set_title(family)
    ax.legend(fontsize=8)
    return ax.figure


def _methods(rows: list[Row], methods: Sequence[str] | None) -> list[str]:
    return list(methods) if methods is not None else list(dict.fromkeys(row["method"] for row in rows))


def plot_error_by_family(
    rows: list[Row], *, bucket: str = "all", methods: Sequence[str] | None = None, ax=None
) -> Figure:
    """Median scaled error per family (``rows`` from :func:`numseries.evaluate.summarise`), per method."""
    methods = _methods(rows, methods)
    groups = list(dict.fromkeys(row["group"] for row in rows))
    table = {(r["group"], r["method"]): r["median_scaled"] for r in rows if r["bucket"] == bucket}
    ax = _axes(ax, (max(7.0, 0.75 * len(groups)), 4))
    width = 0.8 / len(methods)
    for k, method in enumerate(methods):
        heights = np.maximum([table.get((group, method), np.nan) for group in groups], LOG_FLOOR)
        x = np.arange(len(groups)) + (k - (len(methods) - 1) / 2) * width
        ax.bar(x, heights, width, label=method, color=COLORS.get(method))
    ax.set_yscale("log")
    ax.set_xticks(np.arange(len(groups)), groups, rotation=40, ha="right")
    ax.set_ylabel(f"median scaled error (floored at {LOG_FLOOR:g})")
    ax.set_title(f"Error by family (context lengths: {bucket})")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)  # beside the bars
    return ax.figure


def plot_error_by_length(
    rows: list[Row], *, group: str = "training families", methods: Sequence[str] | None = None, ax=None
) -> Figure:
    """Median scaled error per context-length bucket for one group of rows, a line per method."""
    methods = _methods(rows, methods)
    selected = [r for r in rows if r["group"] == group and r["bucket"] != "all"]
    if not selected:
        known = ", ".join(dict.fromkeys(r["group"] for r in rows))
        raise ValueError(f"no rows for group {group!r}; choose from: {known}")
    buckets = list(dict.fromkeys(r["bucket"] for r in selected))
    table = {(r["bucket"], r["method"]): r["median_scaled"] for r in selected}
    ax = _axes(ax, (6, 4))
    for method in methods:
        values = np.maximum([table.get((bucket, method), np.nan) for bucket in buckets], LOG_FLOOR)
        ax.plot(buckets, values, "o-", label=method, color=COLORS.get(method), lw=2.5 if method == MODEL else 1.2)
    ax.set_yscale("log")
    ax.set_xlabel("context length")
    ax.set_ylabel(f"median scaled error (floored at {LOG_FLOOR:g})")
    ax.set_title(f"Error by context length ({group})")
    ax.legend(fontsize=7)
    return ax.figure


def read_training_log(run_dir: str | Path) -> dict[str, np.ndarray]:
    """The Lightning CSV logs of a run (``<run_dir>/logs/version_*/metrics.csv``, in version order, or one
    ``metrics.csv``): ``{column: (step, value) array (K, 2)}`` for each logged column."""
    path = Path(run_dir)
    files = [path] if path.is_file() else sorted(
        path.glob(TRAINING_LOGS), key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0)
    )
    if not files:
        raise ValueError(f"no training logs under {path}; pass a run directory with logs/version_*/metrics.csv")
    series: dict[str, list[tuple[float, float]]] = {}
    for file in files:
        with open(file, newline="") as handle:
            reader = csv.DictReader(handle)
            if "step" not in (reader.fieldnames or []):
                raise ValueError(
                    f"training log {file} has no 'step' column (its header: {','.join(reader.fieldnames or [])!r}); "
                    "pass a run directory with logs/version_*/metrics.csv, as numseries train writes"
                )
            for record in reader:
                for column, value in record.items():
                    if column in ("epoch", "step") or not value:
                        continue
                    try:
                        point = (float(record["step"]), float(value))
                    except (TypeError, ValueError):  # a line cut short by a run killed while writing it
                        raise ValueError(
                            f"training log {file}, line {reader.line_num}: {column} {value!r} (step "
                            f"{record['step']!r}) is not a number; remove that line (a run killed while writing "
                            "cuts its last line short)"
                        ) from None
                    series.setdefault(column, []).append(point)
    if not series:
        raise ValueError(f"training log {path} holds no logged values; pass the run directory of a run that logged some")
    return {column: np.array(points) for column, points in series.items()}


def plot_training_curves(run_dir: str | Path, *, ax=None, title: str = "Training curves") -> Figure:
    """Training and validation loss (scaled L1) against the training step, from a run's CSV logs."""
    log = read_training_log(run_dir)
    ax = _axes(ax, (6, 4))
    styles = {"train_loss_step": ("train (step)", 0.35), "train_loss_epoch": ("train (epoch)", 1.0),
              "val_loss": ("validation", 1.0)}
    for column, (label, alpha) in styles.items():
        if column in log:
            points = log[column]
            ax.plot(points[:, 0], points[:, 1], "o-" if column != "train_loss_step" else "-", label=label,
                    alpha=alpha, ms=3)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _labelled(ax, "training step", "loss (scaled L1)", title)


IMAGE_FORMATS = ("png", "pdf", "svg")  # what a figure is written as, by the file's suffix


def image_format(path: str | Path) -> str:
    """The format a figure at ``path`` is written in, from its suffix; a ValueError for any other suffix (a
    PNG under the name p.pdf would not open as a PDF)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in IMAGE_FORMATS:
        raise ValueError(
            f"cannot tell the image format of {str(path)!r}: name the file .png, .pdf or .svg"
        )
    return suffix


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` to ``path`` atomically, as PNG, PDF or SVG by its suffix (:func:`image_format`)."""
    path = Path(path)
    kind = image_format(path)
    atomic_write(path, lambda tmp: figure.savefig(tmp, format=kind, dpi=110))
    return path


def turns(values: np.ndarray) -> int:
    """How often a series (L,) changes direction: three turns (peak, trough, peak) show a wave's whole period."""
    steps = np.diff(np.asarray(values, dtype=np.float64))
    signs = np.sign(steps[steps != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _example_rows(evaluation: Evaluation, family: str, count: int) -> np.ndarray:
    """The first ``count`` cases of a family, from the middle length bucket when it has cases, and among
    them those that turn at least three times when there are enough (a wave shown over a whole period)."""
    cases = evaluation.cases
    rows = np.flatnonzero(cases.families == family)
    lengths = cases.lengths[rows]
    middle = rows[(lengths >= 8) & (lengths <= 16)]
    rows = middle if len(middle) else rows
    turning = [i for i in rows if turns(cases.data[i, : cases.lengths[i]]) >= 3]
    return np.array(turning[:count]) if len(turning) >= count else rows[:count]


def write_plots(evaluation: Evaluation, out_dir: str | Path, *, run_dir: str | Path | None = None) -> list[Path]:
    """Write every evaluation plot as PNG to ``out_dir``; return the paths.

    ``prediction_<family>.png`` (one case with its attention), ``attention_heatmap.png`` (two cases per
    family), ``predicted_vs_true_<family>.png``, ``error_by_family.png``, ``error_by_length_<group>.png``
    and, with ``run_dir``, ``training_curves.png``.
    """
    out_dir = Path(out_dir)
    cases = evaluation.cases
    rows = summarise(evaluation)
    written = []
    for family in cases.family_names:
        (i,) = _example_rows(evaluation, family, 1)
        n = cases.lengths[i]
        figure = plot_prediction(
            cases.data[i, :n], prediction=evaluation.predictions[MODEL][i], attention=evaluation.attention[i, :n],
            target=cases.labels[i], title=family,
        )
        written.append(save_figure(figure, out_dir / f"prediction_{family}.png"))
        figure = plot_predicted_vs_true(evaluation, family=family)
        written.append(save_figure(figure, out_dir / f"predicted_vs_true_{family}.png"))
    batch = np.concatenate([_example_rows(evaluation, family, 2) for family in cases.family_names])
    figure = plot_attention_heatmap(evaluation.attention[batch], cases.lengths[batch], labels=cases.families[batch])
    written.append(save_figure(figure, out_dir / "attention_heatmap.png"))
    written.append(save_figure(plot_error_by_family(rows), out_dir / "error_by_family.png"))
    aggregates = [group for group in dict.fromkeys(r["group"] for r in rows) if group not in cases.family_names]
    for group in aggregates or cases.family_names:
        figure = plot_error_by_length(rows, group=group)
        written.append(save_figure(figure, out_dir / f"error_by_length_{group.replace(' ', '_')}.png"))
    if run_dir is not None:
        written.append(save_figure(plot_training_curves(run_dir), out_dir / "training_curves.png"))
    return written


def plot_forecast_fan(
    values: np.ndarray,
    forecast,
    *,
    levels: Sequence[float] | None = None,
    actual: np.ndarray | None = None,
    title: str | None = None,
    color: str = COLORS[MODEL],
    ax=None,
) -> Figure:
    """A fan chart: the context (L,), the forecast's path (K,) and a shaded band per level.

    ``forecast`` is what :meth:`numseries.Predictor.forecast` returns: the path (K,) alone (made without
    ``level``: no band is drawn), or ``.values`` (K,), ``.levels`` and ``.interval(level) -> (lo (K,), hi (K,))``
    for each of ``levels`` (percent; by default the forecast's ``.levels``). For one series of a
    :class:`~numseries.forecast.BatchForecast`, pass its ``.forecast(i)``. Wider bands are drawn lighter.
    ``actual`` (K,), when known, marks the values that came next.
    """
    path, levels = _path_and_levels(forecast, levels)
    bands = {level: [np.asarray(bound, dtype=np.float64) for bound in forecast.interval(level)] for level in levels}
    values = _series(values, "values", finite=True)
    actual = None if actual is None else _series(actual, "actual", len(path))
    ax = _axes(ax, (7, 3.5))
    unit, ylabel = _value_axis(values, path, actual, *bands.values())
    steps = np.arange(len(values), len(values) + len(path))
    ax.plot(np.arange(len(values)), values / unit, "o-", color="tab:blue", label="context")
    for k, level in enumerate(sorted(bands, reverse=True)):  # widest first, so narrower bands lie on top
        lo, hi = bands[level]
        alpha = 0.15 + 0.45 * (k + 1) / len(bands)
        ax.fill_between(steps, lo / unit, hi / unit, color=color, alpha=alpha, lw=0, label=f"{level:g}% interval")
    ax.plot(np.r_[len(values) - 1, steps], np.r_[values[-1], path] / unit, "-", color=color, label="forecast path")
    if actual is not None:
        ax.plot(steps, actual / unit, "o", mfc="none", color="black", label="actual")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title, wrap=True)
    return ax.figure


def _path_and_levels(forecast, levels: Sequence[float] | None) -> tuple[np.ndarray, Sequence[float]]:
    """A forecast's path (K,) and the levels to band it at: ``levels``, by default the forecast's own (none
    for a path alone); a ValueError for a batch's paths, or for levels asked of a path alone."""
    banded = hasattr(forecast, "interval")
    path = np.asarray(forecast.values if banded else forecast, dtype=np.float64)
    if path.ndim != 1:
        raise ValueError(
            f"forecast holds paths of shape {path.shape}, not one path (K,): for series i of a BatchForecast, "
            "pass its .forecast(i)"
        )
    if not banded and levels:
        raise ValueError(
            f"levels={list(levels)} asks for intervals, but this forecast is a path alone: make it with "
            f"level={list(levels)}, or leave levels out"
        )
    if levels is None:
        levels = forecast.levels if banded else ()
    return path, levels


def plot_calibration(
    nominal: Sequence[float],
    observed: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    title: str = "Calibration of the intervals",
    ax=None,
) -> Figure:
    """Observed against nominal coverage, in percent: a line per method with the diagonal of perfect calibration.

    ``nominal`` (K,) levels; ``observed`` (M, K) (or (K,) for one method) the share of true values each
    method's intervals held, NaN where unknown. ``labels`` (M,) name the methods (colours follow
    :data:`COLORS` where a label is one of its keys).
    """
    levels = np.asarray(nominal, dtype=np.float64)  # (K,)
    observed = np.atleast_2d(np.asarray(observed, dtype=np.float64))  # (M, K)
    if not len(levels):
        raise ValueError("no nominal levels: pass the levels the intervals were made at, in percent, e.g. [50, 80, 95]")
    if levels.max() <= 1:
        raise ValueError(f"nominal level {levels.max():g} is a fraction: pass levels in percent (e.g. 80, not 0.8)")
    _check_percent("nominal level", levels)
    _check_percent("observed coverage", observed[~np.isnan(observed)])  # NaN: unknown
    if observed.shape[1] != len(levels):
        raise ValueError(
            f"observed has {observed.shape[1]} levels per method, nominal {len(levels)}; pass one per level"
        )
    labels = list(labels) if labels is not None else [f"method {m + 1}" for m in range(len(observed))]
    if len(labels) != len(observed):
        raise ValueError(f"got {len(labels)} labels for {len(observed)} methods; pass one label per row of observed")
    ax = _axes(ax, (4.8, 4.5))
    ax.plot([0, 100], [0, 100], "--", color="gray", lw=1, label="perfect calibration")
    for label, row in zip(labels, observed, strict=True):
        ax.plot(levels, row, "o-", label=label, color=COLORS.get(label), lw=2.5 if label == MODEL else 1.2)
    low = float(min(levels.min(), np.nanmin(observed, initial=100.0))) - 5
    ax.set_xlim(max(low, 0), 100)
    ax.set_ylim(max(low, 0), 100)
    ax.set_aspect("equal")
    return _labelled(ax, "nominal coverage (%)", "observed coverage (%)", title)


def _check_percent(name: str, values: np.ndarray) -> None:
    """A ValueError naming the first of ``values`` outside 0 to 100 (NaN included)."""
    outside = values[~((values >= 0) & (values <= 100))]
    if len(outside):
        raise ValueError(f"{name} {outside[0]:g} is not a percent (0 to 100): pass percent (e.g. 80, not 0.8)")
