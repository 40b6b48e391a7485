"""Series that repeat a cycle with noise: step 1 and a two-cycle forecast against the seasonal naive forecast.

    python benchmarks/cycles.py          # about a minute on 2 CPUs

Three kinds, 300 series each (seeded): a store's visitors by weekday (a week of 7 values, each series its own
scale of it within 10%, any phase, 28-63 values), a monthly season on a trend (12 values, 36-63 values) and
hourly temperatures (24 values, 48-64 values), with Gaussian noise of three sizes; and the first two seen about
twice (14-20 and 24-30 values: too few after two cycles to backtest 8 values). Scored by the mean absolute
error scaled by the in-sample error of the seasonal naive forecast (MASE: the value a cycle back scores about 1
one step ahead). Step 1 with and without the cycle's step (``Predictor._read_cycles``, off with
``numseries.forecast.PREFER_CYCLE = 0``), the coverage of its 80% and 95% intervals; and a forecast of two
cycles: its mean MASE, the coverage of its bands over every step and how often it repeats the cycle
(``Forecast.cycle``) or the network's path its own first one (``Forecast.own_cycle``). Writes
benchmarks/results/cycles.md and .json and the README's cycles block.
"""

from __future__ import annotations

import json
import platform

import numpy as np

import numseries.forecast
from numseries import Predictor

from _output import RESULTS, replace_block, write_result

SERIES = 300
SEED = 20261207
WEEK = np.array([121, 130, 127, 135, 160, 89, 79], dtype=np.float64)


def kinds(rng: np.random.Generator) -> dict[str, tuple[int, list[np.ndarray]]]:
    """{name: (cycle, full series: history and two cycles after it)}."""
    out: dict[str, tuple[int, list[np.ndarray]]] = {}
    for sd in (1.0, 3.0, 6.0):  # the week's values step by 23 on average
        rows = []
        for _ in range(SERIES):
            n, week, phase = int(rng.integers(28, 64)), WEEK * rng.uniform(0.9, 1.1, 7), int(rng.integers(7))
            rows.append(np.tile(week, 12)[phase : phase + n + 14] + rng.normal(0, sd, n + 14))
        out[f"weekday visitors, noise sd {sd:g}"] = (7, rows)
    for share in (0.1, 0.3):
        rows = []
        for _ in range(SERIES):
            n, t = int(rng.integers(36, 64)), np.arange(90.0)
            amplitude, trend = rng.uniform(5, 20), rng.uniform(-0.3, 0.6)
            season = amplitude * (np.sin(2 * np.pi * (t + rng.integers(12)) / 12) + 0.4 * np.sin(4 * np.pi * t / 12))
            rows.append((100 + trend * t + season + rng.normal(0, share * amplitude, 90))[: n + 24])
        out[f"monthly season on a trend, noise {share:.0%} of the season"] = (12, rows)
    rows = []
    for _ in range(SERIES):
        n, t = int(rng.integers(48, 65)), np.arange(120.0)
        day = 12 + 6 * np.sin(2 * np.pi * (t - 9) / 24) + rng.normal(0, 0.5, 120)  # a little weather in every hour
        rows.append((day + np.cumsum(rng.normal(0, 0.15, 120)))[: n + 48])
    out["hourly temperatures"] = (24, rows)
    rows = []  # two cycles and fewer than BACKTEST_STEPS values after them (adversarial round 66 #4a)
    for _ in range(SERIES):
        n, week, phase = int(rng.integers(14, 21)), WEEK * rng.uniform(0.9, 1.1, 7), int(rng.integers(7))
        rows.append(np.tile(week, 12)[phase : phase + n + 14] + rng.normal(0, 3.0, n + 14))
    out["two weeks and up to 6 days of visitors, noise sd 3"] = (7, rows)
    rows = []
    for _ in range(SERIES):
        n, t = int(rng.integers(24, 31)), np.arange(90.0)
        amplitude, trend = rng.uniform(5, 20), rng.uniform(-0.3, 0.6)
        season = amplitude * (np.sin(2 * np.pi * (t + rng.integers(12)) / 12) + 0.4 * np.sin(4 * np.pi * t / 12))
        rows.append((100 + trend * t + season + rng.normal(0, 0.1 * amplitude, 90))[: n + 24])
    out["two years and up to 6 months of a monthly season on a trend, noise 10%"] = (12, rows)
    return out


def main() -> None:
    predictor = Predictor.from_pretrained()
    rng = np.random.default_rng(SEED)
    results = []
    for name, (cycle, rows) in kinds(rng).items():
        horizon = 2 * cycle
        windows = [row[:-horizon] for row in rows]
        futures = np.stack([row[-horizon:] for row in rows])  # (N, H)
        scale = np.array([np.abs(w[cycle:] - w[:-cycle]).mean() for w in windows])  # (N,) in-sample seasonal naive
        naive = np.stack([np.tile(w[-cycle:], 2) for w in windows])  # (N, H)
        batch = predictor.predict_batch(windows, level=[80, 95], weights=False)
        saved = numseries.forecast.PREFER_CYCLE
        numseries.forecast.PREFER_CYCLE = 0.0  # the cycle's step never wins: predict's step without it
        try:
            network = predictor.predict_batch(windows, level=[80, 95], weights=False)
        finally:
            numseries.forecast.PREFER_CYCLE = saved
        forecast = predictor.forecast_batch(windows, horizon, level=[80, 95])
        row = {"kind": name, "cycle": cycle, "series": len(rows), "taken_step": float(np.mean(batch.cycles == cycle)),
               "taken_path": float(np.mean(forecast.cycle == cycle)),
               "own_path": float(np.mean(forecast.own_cycle == cycle))}  # fmt: skip
        for label, answer in (("model", batch), ("network", network)):
            row[f"mase_{label}"] = float(np.median(np.abs(answer.values - futures[:, 0]) / scale))
            for level in (80, 95):
                lo, hi = answer.interval(level)
                row[f"coverage_{level}_{label}"] = float(np.mean((lo <= futures[:, 0]) & (futures[:, 0] <= hi)))
        row["mase_naive"] = float(np.median(np.abs(naive[:, 0] - futures[:, 0]) / scale))
        row["path_model"] = float(np.median(np.abs(forecast.values - futures).mean(axis=1) / scale))
        row["path_naive"] = float(np.median(np.abs(naive - futures).mean(axis=1) / scale))
        for level in (80, 95):
            lo, hi = forecast.interval(level)
            row[f"path_coverage_{level}"] = float(np.mean((lo <= futures) & (futures <= hi)))
        results.append(row)
        print(row, flush=True)
    lines = [
        "# Series that repeat a cycle",
        "",
        f"Measured by `python benchmarks/cycles.py` ({SERIES} series per kind, seed {SEED}). Machine: "
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}.",
        "",
        "MASE: the median over series of the absolute error scaled by the in-sample error of the seasonal naive "
        "forecast (the value a cycle back). *Step 1*: the model as it ships, the model without the cycle's step "
        "(`PREFER_CYCLE = 0`), and the seasonal naive forecast, with the coverage of the model's 80% / 95% "
        "intervals. *Two cycles*: a forecast of twice the cycle, how often its path repeats the window's last cycle "
        "(`Forecast.cycle`) or, the network's path, its own first cycle (`Forecast.own_cycle`), the mean over its "
        "steps of the scaled error, and its bands' coverage over every step.",
        "",
        "| series | cycle | step 1 takes the cycle | step 1: model | without the cycle step | seasonal naive | "
        "coverage 80 / 95%, model | without | path repeats the cycle | ... its own first cycle | two cycles: model | "
        "seasonal naive | "
        "coverage 80 / 95% |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['kind']} | {r['cycle']} | {r['taken_step']:.0%} | {r['mase_model']:.3f} | {r['mase_network']:.3f} | "
            f"{r['mase_naive']:.3f} | {r['coverage_80_model']:.1%} / {r['coverage_95_model']:.1%} | "
            f"{r['coverage_80_network']:.1%} / {r['coverage_95_network']:.1%} | {r['taken_path']:.0%} | {r['own_path']:.0%} | "
            f"{r['path_model']:.3f} | {r['path_naive']:.3f} | {r['path_coverage_80']:.1%} / {r['path_coverage_95']:.1%} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    write_result(RESULTS / "cycles.md", text)
    write_result(RESULTS / "cycles.json", json.dumps(results, indent=1) + "\n")
    replace_block("cycles", "\n".join(lines[6:]))


if __name__ == "__main__":
    main()
