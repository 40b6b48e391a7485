"""Steep decays and growths at 64 values: how close the next value comes, exact, as typed and slightly noisy.

    python benchmarks/decays.py            # a few seconds

Each curve is given as its first 64 values (and, for comparison, its first 32), in three versions: exact;
rounded to 4 significant digits, as people type them; and times (1 + 1e-4 noise). The error is relative to
the true next value of that version. Exact curves are mostly answered by the rule finder; the others by
the network, which reads a shorter window when the last steps are far smaller than the window's mean
step, or, all going one way, far larger (``numseries.series.read_lengths``). The last column shows what the network gives reading the whole
window, for comparison. Then growths faster than exponential (their ratio grows each step), and compounding
growth with proportional noise forecast 8 steps, each with its read in logarithms and without it. Writes
benchmarks/results/decays.md and .json.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np

import numseries.forecast
import numseries.series
from numseries.forecast import LOG_PATHS
from numseries.predict import Predictor

from _output import RESULTS, replace_block, write_result

TARGET = 0.01  # the issue's: within 1% relative at 64 values
t = np.arange(65, dtype=np.float64)
CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "100·0.9^t": lambda t: 100 * 0.9**t,
    "100·0.8^t": lambda t: 100 * 0.8**t,
    "100·0.95^t": lambda t: 100 * 0.95**t,
    "100·0.9^t + 7": lambda t: 100 * 0.9**t + 7,
    "50·(1 − 0.9^t)": lambda t: 50 * (1 - 0.9**t),
    "t·0.9^t": lambda t: t * 0.9**t,
    "100·exp(−(t/30)²)": lambda t: 100 * np.exp(-((t / 30) ** 2)),
    "1/(1 + t)²": lambda t: 1 / (1 + t) ** 2,
    "100/(1 + exp(−(t − 20)/4))": lambda t: 100 / (1 + np.exp(-(t - 20) / 4)),
    "5·1.1^t": lambda t: 5 * 1.1**t,
    "2·1.2^t": lambda t: 2 * 1.2**t,
    "1.3^t": lambda t: 1.3**t,
    "0.5·1.5^t": lambda t: 0.5 * 1.5**t,
    "3·1.05^t": lambda t: 3 * 1.05**t,
}


def versions(x: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "exact": x,
        "4 significant digits": np.array([float(f"{v:.4g}") for v in x]),
        "noise 1e-4": x * (1 + 1e-4 * rng.normal(size=len(x))),
    }


def touchard(count: int, x: int) -> list[float]:
    """The first ``count`` sums over k of S(n, k) x^k (S: Stirling numbers of the second kind): Bell's numbers
    for ``x`` = 1 (1, 1, 2, 5, 15, 52, ...), OEIS A001861 for 2 (1, 2, 6, 22, 94, 454, ...)."""
    numbers, row = [], [1]  # row: S(n, 0 .. n)
    for _ in range(count):
        numbers.append(float(sum(s * x**k for k, s in enumerate(row))))
        row = [0] + [k * (row[k] if k < len(row) else 0) + row[k - 1] for k in range(1, len(row) + 1)]
    return numbers


GROWTHS: dict[str, list[float]] = {  # faster than exponential: the ratio grows each step
    "Bell numbers": touchard(16, 1),
    "A001861 (Σ 2^k S(n, k))": touchard(16, 2),
    "factorials": [float(math.factorial(k)) for k in range(1, 17)],
    "(t+1)^(t+1)": [float((k + 1) ** (k + 1)) for k in range(16)],
    "2^(t²/8)": [2 ** (k * k / 8) for k in range(16)],
    "exp(t^1.5 / 4)": [math.exp(k**1.5 / 4) for k in range(16)],
}
GROWTH_LENGTHS = (8, 12)
GROWTH_STEPS = 4


def growth_rows(network: Predictor, rng: np.random.Generator) -> list[dict]:
    """One step and ``GROWTH_STEPS`` ahead of each growth, as given and with 1% noise, read by the network (rules
    off: factorials have a ratio rule), with its reads in logarithms and without them (``LOG_GROWTH`` inf, and no
    rise by ratios: :func:`_no_rise`)."""
    rows = []
    for name, values in GROWTHS.items():
        exact = np.array(values, dtype=np.float64)
        for version, x in (("exact", exact), ("noise 1%", exact * (1 + 0.01 * rng.normal(size=len(exact))))):
            for n in GROWTH_LENGTHS:
                future = x[n : n + GROWTH_STEPS]
                results = {}
                for read, growth, straighter in (
                    ("logs", numseries.forecast.LOG_GROWTH, numseries.forecast.straighter_in_logs), ("values", np.inf, _no_rise)
                ):
                    saved = numseries.forecast.LOG_GROWTH, numseries.forecast.straighter_in_logs
                    numseries.forecast.LOG_GROWTH, numseries.forecast.straighter_in_logs = growth, straighter
                    try:
                        prediction = network.predict(x[:n], weights=False)
                        path = network.forecast(x[:n], GROWTH_STEPS)
                    finally:
                        numseries.forecast.LOG_GROWTH, numseries.forecast.straighter_in_logs = saved
                    results[read] = (prediction, path)
                prediction, path = results["logs"]
                rows.append({
                    "curve": name, "version": version, "n": n, "prediction": prediction.value, "true": float(x[n]),
                    "logs": prediction.logs, "error": abs(prediction.value - x[n]) / x[n],
                    "error_values": abs(results["values"][0].value - x[n]) / x[n],
                    "path_error": float(np.mean(np.abs(path - future) / future)),
                    "path_error_values": float(np.mean(np.abs(results["values"][1] - future) / future)),
                })
    return rows


COMPOUNDING_LENGTHS = (12, 24, 48)  # values given
COMPOUNDING_RATIOS = ((1.03, 1.15), (1.15, 1.3), (1.3, 1.45))  # each a bucket of ratios per step
COMPOUNDING_STEPS = 8
COMPOUNDING_CASES = 100  # per length and bucket


def _no_rise(_values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`numseries.forecast.straighter_in_logs` for none: no rise is read in logarithms."""
    return np.zeros(len(lengths), dtype=bool)


def compounding_rows(predictor: Predictor, rng: np.random.Generator) -> list[dict]:
    """Compounding growth with proportional noise (a·r^t·(1 + e), e normal with a standard deviation of 0.5–5%,
    the ratio r drawn from each bucket): forecast ``COMPOUNDING_STEPS`` steps with an 80% band from each length,
    read with rises by ratios read in logarithms and without (:func:`numseries.forecast.straighter_in_logs`
    False: no rise is a candidate)."""
    rows = []
    t = np.arange(max(COMPOUNDING_LENGTHS) + COMPOUNDING_STEPS)
    for n in COMPOUNDING_LENGTHS:
        for lo, hi in COMPOUNDING_RATIOS:
            ratio = rng.uniform(lo, hi, COMPOUNDING_CASES)[:, None]
            noise = rng.uniform(0.005, 0.05, COMPOUNDING_CASES)[:, None]
            scale = 10 ** rng.uniform(0, 4, COMPOUNDING_CASES)[:, None]
            x = (scale * ratio ** t * (1 + noise * rng.normal(size=(COMPOUNDING_CASES, len(t)))))[:, : n + COMPOUNDING_STEPS]
            future = x[:, n:]
            results = {}
            for read, straighter in (("logs", numseries.forecast.straighter_in_logs), ("values", _no_rise)):
                saved, numseries.forecast.straighter_in_logs = numseries.forecast.straighter_in_logs, straighter
                try:
                    results[read] = predictor.forecast_batch(list(x[:, :n]), COMPOUNDING_STEPS, level=[80])
                finally:
                    numseries.forecast.straighter_in_logs = saved
            row: dict = {"n": n, "ratios": f"{lo}–{hi}", "logs": float(results["logs"].logs.mean())}
            for read, forecast in results.items():
                error = np.median(np.abs(forecast.values - future) / future, axis=0)  # (steps,)
                low, high = forecast.interval(80)
                inside = (future >= low) & (future <= high)  # (cases, steps)
                suffix = "" if read == "logs" else "_values"
                row |= {f"error_1{suffix}": float(error[0]), f"error_4{suffix}": float(error[3]),
                        f"error_8{suffix}": float(error[7]), f"coverage_1{suffix}": float(inside[:, 0].mean()),
                        f"coverage_8{suffix}": float(inside[:, 7].mean())}
            rows.append(row)
    return rows


def _share(x: float) -> str:
    """A fraction as a percentage to 2 significant digits (0.00021 -> '0.021%')."""
    return f"{float(f'{100 * x:.2g}'):g}%"


def _plain_line(*_args) -> None:
    """:func:`numseries.forecast._recorded_log_line` for none: every line weighs its values evenly."""
    return None


def rounded_rows(predictor: Predictor, rng: np.random.Generator) -> list[dict]:
    """Compounding growth recorded as whole numbers (round(a·r^t), a from 2 to 50: the first values' rounding is
    a large share of them, the last ones' a small one): forecast ``COMPOUNDING_STEPS`` steps with an 80% band from
    each length, the line of the logarithms weighed by each value's rounding and weighed evenly
    (:func:`numseries.forecast._recorded_log_line` off)."""
    rows = []
    t = np.arange(max(COMPOUNDING_LENGTHS) + COMPOUNDING_STEPS)
    for n in COMPOUNDING_LENGTHS:
        ratio = rng.uniform(1.05, 1.4, 3 * COMPOUNDING_CASES)[:, None]
        x = np.round(rng.uniform(2, 50, 3 * COMPOUNDING_CASES)[:, None] * ratio**t)[:, : n + COMPOUNDING_STEPS]
        future = x[:, n:]
        row: dict = {"n": n}
        for read, weighed in (("weighed", numseries.forecast._recorded_log_line), ("even", _plain_line)):
            saved, numseries.forecast._recorded_log_line = numseries.forecast._recorded_log_line, weighed
            try:
                forecast = predictor.forecast_batch(list(x[:, :n]), COMPOUNDING_STEPS, level=[80])
            finally:
                numseries.forecast._recorded_log_line = saved
            lined = np.isin(forecast.log_path, [LOG_PATHS.index("rise"), LOG_PATHS.index("rise_steady")])
            error = np.median(np.abs(forecast.values - future) / future, axis=0)  # (steps,)
            low, high = forecast.interval(80)
            width = np.median((high - low) / future, axis=0)  # (steps,)
            inside = ((future >= low) & (future <= high)).mean(axis=0)  # (steps,)
            row |= {f"lined_{read}": float(lined.mean())}
            for step in (2, 8):
                row |= {f"error_{step}_{read}": float(error[step - 1]), f"width_{step}_{read}": float(width[step - 1]),
                        f"coverage_{step}_{read}": float(inside[step - 1])}
        rows.append(row)
    return rows


def main() -> None:
    predictor = Predictor.from_pretrained()
    network = Predictor.from_pretrained(rules=False)
    rng = np.random.default_rng(0)
    rows = []
    for name, curve in CURVES.items():
        for version, x in versions(curve(t), rng).items():
            for n in (32, 64):
                result = predictor.predict(x[:n], weights=False)
                read = int(numseries.series.read_lengths(x[None, :n], np.array([n]))[0])
                saved = numseries.series.TRIM_RATIO, numseries.series.GROWTH_RATIO
                reads = numseries.forecast.PREFER_LOG, numseries.forecast.SETTLE_OVERSHOOT
                numseries.series.TRIM_RATIO = numseries.series.GROWTH_RATIO = np.inf  # read_lengths trims nothing
                # and the network's own answer: not read again from the logarithms of the values or of the steps
                numseries.forecast.PREFER_LOG, numseries.forecast.SETTLE_OVERSHOOT = -1.0, np.inf
                try:
                    whole = network.predict(x[:n], weights=False).value
                finally:
                    numseries.series.TRIM_RATIO, numseries.series.GROWTH_RATIO = saved
                    numseries.forecast.PREFER_LOG, numseries.forecast.SETTLE_OVERSHOOT = reads
                rows.append({
                    "curve": name, "version": version, "n": n, "prediction": result.value, "true": float(x[n]),
                    "error": abs(result.value - x[n]) / abs(x[n]), "exact": result.exact, "read": read,
                    "error_whole_window": abs(whole - x[n]) / abs(x[n]),
                })
    at_64 = [r for r in rows if r["n"] == 64]
    worst = float(max(r["error"] for r in at_64))
    met = bool(worst <= TARGET)
    lines = [
        "# Steep decays and growths",
        "",
        "Measured by `python benchmarks/decays.py` on the shipped model. Relative error of the next value "
        "|prediction − true| / |true|; *read*: how many of the last values the network reads (– where an exact rule "
        "answered); *whole window*: the network's error (rule finder off) when it reads every value given, "
        "as before `read_lengths` (nor read again from the logarithms of the values or of the step sizes), for "
        "comparison.",
        "",
        f"Target (issue 17): within {TARGET:.0%} at 64 values for every curve and version: worst "
        f"{worst:.2%} ({'met' if met else '**not met**'}).",
        "",
        "| curve | version | values | prediction | true | error | exact rule | read | error, whole window |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        whole = f"{r['error_whole_window']:.2%}"
        lines.append(
            f"| {r['curve']} | {r['version']} | {r['n']} | {r['prediction']:.6g} | {r['true']:.6g} | "
            f"{r['error']:.2%} | {'yes' if r['exact'] else 'no'} | {'–' if r['exact'] else r['read']} | {whole} |"
        )
    growths = growth_rows(network, rng)
    lines += [
        "",
        "## Growth faster than exponential",
        "",
        "Sequences whose ratio grows each step, read by the network (rule finder off: factorials have a ratio "
        f"rule), as given and times (1 + 1% noise), from their first {' and '.join(map(str, GROWTH_LENGTHS))} values: "
        "the relative error of the next value, and the mean relative error of a forecast's "
        f"{GROWTH_STEPS} steps; *logs*: whether the prediction was read from the values' logarithms (then the "
        "forecast's path goes on in them from step 2); *values*: the same with the reads in logarithms off "
        "(`LOG_GROWTH` inf, and no rise by ratios a candidate).",
        "",
        f"| curve | version | values | prediction | true | logs | error | error, values | {GROWTH_STEPS} steps | {GROWTH_STEPS} steps, values |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in growths:
        lines.append(
            f"| {r['curve']} | {r['version']} | {r['n']} | {r['prediction']:.6g} | {r['true']:.6g} | "
            f"{'yes' if r['logs'] else 'no'} | {r['error']:.1%} | {r['error_values']:.1%} | {r['path_error']:.1%} | "
            f"{r['path_error_values']:.1%} |"
        )
    median = float(np.median([r["error"] for r in growths]))
    median_values = float(np.median([r["error_values"] for r in growths]))
    lines += ["", f"Median error of the next value: {median:.1%} ({median_values:.1%} with the read off)."]
    compounding = compounding_rows(predictor, rng)
    lines += [
        "",
        "## Compounding growth with proportional noise",
        "",
        f"{COMPOUNDING_CASES} series per row of a·r^t·(1 + e): the ratio r drawn from the row's bucket, e normal with a "
        "standard deviation drawn from 0.5–5% (each value off by about that share of itself: revenue, users), a "
        f"from 1 to 10^4; forecast {COMPOUNDING_STEPS} steps with an 80% band from the first *values*, rules on, as "
        "users get them. Median relative error at steps 1, 4 and 8, and the share of the true values inside the "
        "band at steps 1 and 8; *logs*: the share of paths read in logarithms from step 2 (a positive window that "
        "rises by ratios, its logarithms closer to a line than its values, and whose path read so backtests "
        "better; step 1 is read so where its one-step backtest says so); *values*: the same with no rise a "
        "candidate (`straighter_in_logs` False).",
        "",
        "| values | ratios | logs | step 1 | step 4 | step 8 | 80% band, step 1 / 8 | step 1, values | step 4, values | step 8, values | 80% band, step 1 / 8, values |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in compounding:
        lines.append(
            f"| {r['n']} | {r['ratios']} | {r['logs']:.0%} | {r['error_1']:.1%} | {r['error_4']:.1%} | {r['error_8']:.1%} | "
            f"{r['coverage_1']:.0%} / {r['coverage_8']:.0%} | {r['error_1_values']:.1%} | {r['error_4_values']:.1%} | "
            f"{r['error_8_values']:.1%} | {r['coverage_1_values']:.0%} / {r['coverage_8_values']:.0%} |"
        )
    step_1 = float(np.median([r["error_1"] for r in compounding]))
    step_1_values = float(np.median([r["error_1_values"] for r in compounding]))
    step_8 = float(np.median([r["error_8"] for r in compounding]))
    step_8_values = float(np.median([r["error_8_values"] for r in compounding]))
    band_8 = float(np.mean([r["coverage_8"] for r in compounding]))
    band_8_values = float(np.mean([r["coverage_8_values"] for r in compounding]))
    band_1 = float(np.mean([r["coverage_1"] for r in compounding]))
    band_1_values = float(np.mean([r["coverage_1_values"] for r in compounding]))
    lines += ["", f"Median of the rows' step-1 errors: {step_1:.1%} ({step_1_values:.1%} with no rise read so), step-8 "
              f"errors: {step_8:.1%} ({step_8_values:.1%}); mean of their 80% bands' coverage at step 1: {band_1:.0%} "
              f"({band_1_values:.0%}), at step 8: {band_8:.0%} ({band_8_values:.0%})."]
    rounded = rounded_rows(predictor, rng)
    lines += [
        "",
        "## Compounding growth recorded as whole numbers",
        "",
        f"{3 * COMPOUNDING_CASES} series per row of round(a·r^t), r from 1.05 to 1.4, a from 2 to 50: no noise but the "
        "rounding, a large share of the first values and a small one of the last; forecast "
        f"{COMPOUNDING_STEPS} steps with an 80% band from the first *values*. *weighed*: the line of the logarithms "
        "weighs each value by the inverse of its rounding's variance (where the values lie about it as their rounding "
        "alone does), as forecasts do; *even*: every value weighed the same. Median relative error, median width of "
        "the band relative to the true value, and the share of true values inside it, at steps 2 and 8; *lined*: the "
        "share of paths that went on by the line.",
        "",
        "| values | lined | step 2: error / width / inside | step 8: error / width / inside | lined, even | step 2, even | step 8, even |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounded:
        cells = [
            f"{_share(r[f'error_{step}_{read}'])} / {_share(r[f'width_{step}_{read}'])} / {r[f'coverage_{step}_{read}']:.0%}"
            for read in ("weighed", "even") for step in (2, 8)
        ]
        lines.append(f"| {r['n']} | {r['lined_weighed']:.0%} | {cells[0]} | {cells[1]} | {r['lined_even']:.0%} | {cells[2]} | {cells[3]} |")
    text = "\n".join(lines) + "\n"
    print(text)
    write_result(RESULTS / "decays.md", text)
    whole = max(r["error_whole_window"] for r in at_64)
    replace_block("decays", (
        f"  on {len(at_64)} steep decays and growths at 64 values (`python benchmarks/decays.py`), exact, rounded to "
        f"4 digits and slightly noisy, the worst error is {worst:.2%} of the next value, against {whole:.0%} "
        "reading the whole window."
    ))
    replace_block("growths", (
        f"  on {len(growths)} growths faster than exponential (`python benchmarks/decays.py`: Bell's numbers, "
        "factorials, (t+1)^(t+1), ... from 8 and 12 values, as given and with 1% noise), the median error of the next "
        f"value is {median:.1%}, against {median_values:.1%} read from the values."
    ))
    replace_block("compounding", (
        f"  on {len(compounding) * COMPOUNDING_CASES} such growths (`python benchmarks/decays.py`: a·r^t with 0.5–5% "
        f"proportional noise, r from 1.03 to 1.45, from {', '.join(map(str, COMPOUNDING_LENGTHS))} values), the median "
        f"error at step {COMPOUNDING_STEPS} is {step_8:.1%}, against {step_8_values:.1%} with no rise read so, and "
        f"{band_8:.0%} of the true values lie in the 80% band there ({band_8_values:.0%}); at step 1, {step_1:.1%} "
        f"({step_1_values:.1%}) and {band_1:.0%} ({band_1_values:.0%})."
    ))
    r = next(row for row in rounded if row["n"] == 24)
    replace_block("rounded-growth", (
        f"  from {r['n']} whole numbers (round(a·r^t), `python benchmarks/decays.py`), the 80% band at step 8 is "
        f"{_share(r['width_8_weighed'])} of the value wide and holds {r['coverage_8_weighed']:.0%} of the values "
        f"({_share(r['width_8_even'])} and {r['coverage_8_even']:.0%} with every value weighed the same), the median "
        f"error {_share(r['error_8_weighed'])} ({_share(r['error_8_even'])})."
    ))
    write_result(RESULTS / "decays.json", json.dumps({"target": TARGET, "worst_at_64": worst, "met": met,
                                                      "rows": rows, "growths": growths, "compounding": compounding,
                                                      "rounded": rounded},
                                                     indent=1, default=bool) + "\n")


if __name__ == "__main__":
    main()
