"""The periods the pattern line gives (``sine wave, period ≈ 6.3``): how often one is found where a series
repeats, how close it is, and how often one is claimed where nothing repeats.

    python benchmarks/periods.py          # about a minute on 2 CPUs

Periodic cases: sine, square, sawtooth and triangle waves and a season with a trend (half of the periods
drawn log-uniform from 3 to a third of the length, half from the calendar's 4, 7, 12 and 24 where they
fit three times), any phase, amplitude and offset, with Gaussian noise of 0, 20% and 50% of the
amplitude. Non-periodic cases: the generator's families that do not repeat (lines, curves, random walks,
level shifts, ARIMA, ...) and white noise and AR(1) controls. Lengths 8-16 and 24-64. Real series: windows
of 48 values of every dataset of the real suite, and the periods given there (months: 12, hours: 24).
Writes benchmarks/results/periods.md and .json and the README's periods block.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import textwrap
import time

import numpy as np

from numseries.cycles import periods
from numseries.generate import generate_batch
from numseries.realdata import FREQUENCY, load_series

from _output import RESULTS, replace_block, write_result

SHAPES = ("sine", "square", "sawtooth", "triangle", "season + trend")
NOISE = (0.0, 0.2, 0.5)  # noise sd as a share of the amplitude
LENGTHS = ((8, 16), (24, 64))
NOT_PERIODIC = ("linear", "noisy_line", "log_decay", "polynomial", "exponential", "logistic", "power_law",
                "random_walk", "arima", "step", "level_shift")
TOLERANCE = 0.1  # a period within 10% of the truth is right
REAL_WINDOW = 48  # values in each window of a real series
REAL_WINDOWS = 200  # windows drawn per dataset (fewer series than that: as many from each)


def _wave(shape: str, phase: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, T) cycle positions in [0, 1) -> one period of ``shape``, amplitude 1."""
    if shape == "sine":
        return np.sin(2 * np.pi * phase)
    if shape == "square":
        return np.where(phase < 0.5, 1.0, -1.0)
    if shape == "sawtooth":
        return 2 * phase - 1
    if shape == "triangle":
        return 1 - 4 * np.abs(phase - 0.5)
    # a season: two harmonics with random weights, on a trend of up to 5% of the amplitude a step
    n = len(phase)
    second = rng.uniform(0, 0.6, (n, 1))
    return np.sin(2 * np.pi * phase) + second * np.sin(4 * np.pi * phase + rng.uniform(0, 2 * np.pi, (n, 1)))


def periodic_cases(shape: str, noise: float, n: int, lengths: tuple[int, int], rng: np.random.Generator):
    """(n, hi) values (NaN past each length), (n,) lengths, (n,) true periods."""
    length = rng.integers(lengths[0], lengths[1] + 1, n)
    calendar = np.array([4.0, 7.0, 12.0, 24.0])
    drawn = np.exp(rng.uniform(np.log(3), np.log(np.maximum(length / 3, 3.01)), n))
    fits = calendar[None, :] <= length[:, None] / 3  # (n, 4) calendar periods seen three times
    pick = np.array([rng.choice(calendar[f]) if f.any() else np.nan for f in fits])
    period = np.where((rng.random(n) < 0.5) & np.isfinite(pick), pick, drawn)
    t = np.arange(lengths[1])[None, :]
    phase = np.mod(t / period[:, None] + rng.random((n, 1)), 1.0)
    amplitude = np.exp(rng.uniform(np.log(0.01), np.log(1e4), (n, 1)))
    trend = rng.normal(0, 0.05, (n, 1)) * t if shape == "season + trend" else 0.0
    values = amplitude * (_wave(shape, phase, rng) + trend + noise * rng.normal(size=(n, lengths[1])))
    values += rng.normal(0, 10, (n, 1)) * amplitude  # an offset
    return np.where(t < length[:, None], values, np.nan), length, period


def ar1(phi: float, n: int, lengths: tuple[int, int], rng: np.random.Generator):
    """AR(1) series (phi 0: white noise), NaN past each length, and their lengths."""
    length = rng.integers(lengths[0], lengths[1] + 1, n)
    noise = rng.normal(size=(n, lengths[1]))
    values = np.empty_like(noise)
    values[:, 0] = noise[:, 0]
    for k in range(1, lengths[1]):
        values[:, k] = phi * values[:, k - 1] + noise[:, k]
    return np.where(np.arange(lengths[1])[None, :] < length[:, None], values, np.nan), length


def _bucket(lengths: tuple[int, int]) -> str:
    return f"{lengths[0]}-{lengths[1]}"


def measure(cases: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    found: dict = {}
    for shape in SHAPES:
        for noise in NOISE:
            for lengths in LENGTHS:
                values, length, truth = periodic_cases(shape, noise, cases, lengths, rng)
                p = periods(values, length)
                hit = np.isfinite(p)
                error = np.abs(p[hit] - truth[hit]) / truth[hit]
                found[f"{shape}|{noise}|{_bucket(lengths)}"] = {
                    "found": float(hit.mean()),
                    "right": float((error <= TOLERANCE).mean()) if hit.any() else float("nan"),
                    "median_error": float(np.median(error)) if hit.any() else float("nan"),
                }
    false: dict = {}
    for lengths in LENGTHS:
        for family in NOT_PERIODIC:
            batch = generate_batch(cases, min_len=lengths[0], max_len=lengths[1], families=[family], seed=rng)
            false[f"{family}|{_bucket(lengths)}"] = float(np.isfinite(periods(np.where(batch.masks, batch.data, np.nan), batch.lengths)).mean())
        for name, phi in (("white noise", 0.0), ("AR(1), 0.5", 0.5), ("AR(1), 0.9", 0.9)):
            values, length = ar1(phi, cases, lengths, rng)
            false[f"{name}|{_bucket(lengths)}"] = float(np.isfinite(periods(values, length)).mean())
    return {"periodic": found, "not_periodic": false}


def real(seed: int) -> dict:
    """Per real dataset: windows of REAL_WINDOW values drawn at random from its series (those that long),
    the share given a period, and the median and 10th-90th percentiles of the periods given."""
    rng = np.random.default_rng(seed)
    out = {}
    for dataset, series in load_series().items():
        long = [np.asarray(v, dtype=np.float64) for v in series.values() if len(v) >= REAL_WINDOW]
        if not long:
            continue
        per = max(1, REAL_WINDOWS // len(long))
        windows = [v[s : s + REAL_WINDOW] for v in long for s in rng.integers(0, len(v) - REAL_WINDOW + 1, per)]
        found = periods(np.array(windows), np.full(len(windows), REAL_WINDOW))
        given = found[np.isfinite(found)]
        out[dataset] = {
            "frequency": FREQUENCY[dataset],
            "windows": len(windows),
            "found": float(np.isfinite(found).mean()),
            "median": float(np.median(given)) if given.size else None,
            "p10": float(np.percentile(given, 10)) if given.size else None,
            "p90": float(np.percentile(given, 90)) if given.size else None,
        }
    return out


def speed(seed: int) -> dict:
    """Warm timings: a batch of generated series of 4-64 values, and one random walk of 64 values."""
    batch = generate_batch(50_000, min_len=4, max_len=64, seed=seed)
    values = np.where(batch.masks, batch.data, np.nan)
    periods(values, batch.lengths)  # warm: the first call pays for its memory
    best = min(_timed(lambda: periods(values, batch.lengths)) for _ in range(3))
    walk = np.cumsum(np.random.default_rng(seed).normal(size=64))[None, :]
    one = np.array([64])
    singles = [_timed(lambda: periods(walk, one)) for _ in range(2000)]
    return {"batch_us": 1e6 * best / len(batch.lengths), "single_us": 1e6 * float(np.median(singles))}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def render(r: dict, env: str) -> str:
    lines = [
        "# Periods in the pattern line",
        "",
        f"Measured by `python benchmarks/periods.py` ({r['cases']:,} cases per cell, seed {r['seed']}). {env}",
        "",
        "A period is found where a series' detrended autocorrelation peaks after a trough, high enough not to be "
        "noise, with the cycle seen at least twice (`numseries.cycles`). *Found*: the share of cases given a "
        f"period; *right*: of those, the share within {TOLERANCE:.0%} of the true period; *median error*: relative.",
        "",
        "## Series that repeat",
        "",
        "| shape | noise (× amplitude) | " + " | ".join(f"found, {_bucket(b)} | right, {_bucket(b)} | median error, {_bucket(b)}" for b in LENGTHS) + " |",
        "|---|---:|" + "---:|---:|---:|" * len(LENGTHS),
    ]
    for shape in SHAPES:
        for noise in NOISE:
            cells = []
            for b in LENGTHS:
                c = r["periodic"][f"{shape}|{noise}|{_bucket(b)}"]
                cells += [f"{c['found']:.1%}", f"{c['right']:.1%}", f"{c['median_error']:.3f}"]
            lines.append(f"| {shape} | {noise:g} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Series that do not repeat: how often a period is claimed",
        "",
        "| series | " + " | ".join(_bucket(b) for b in LENGTHS) + " |",
        "|---|" + "---:|" * len(LENGTHS),
    ]
    for name in (*NOT_PERIODIC, "white noise", "AR(1), 0.5", "AR(1), 0.9"):
        lines.append(f"| {name} | " + " | ".join(f"{r['not_periodic'][f'{name}|{_bucket(b)}']:.1%}" for b in LENGTHS) + " |")
    worst = max(r["not_periodic"].items(), key=lambda item: item[1])
    lines += [
        "",
        f"Most claimed on a series that does not repeat: {worst[1]:.1%} ({worst[0].replace('|', ', ')} values).",
        "",
        f"## Real series: windows of {REAL_WINDOW} values",
        "",
        f"Up to {REAL_WINDOWS} windows per dataset of the real suite (`numseries.realdata`), drawn at random from its series "
        f"of {REAL_WINDOW} values or more; the periods given, where any.",
        "",
        "| dataset | sampled | windows | given a period | median period | 10th–90th percentile |",
        "|---|---|---:|---:|---:|---|",
    ]
    for dataset, d in r["real"].items():
        spread = f"{d['p10']:.3g}–{d['p90']:.3g}" if d["median"] is not None else "–"
        median = f"{d['median']:.3g}" if d["median"] is not None else "–"
        lines.append(f"| {dataset} | {d['frequency']} | {d['windows']} | {d['found']:.1%} | {median} | {spread} |")
    lines += [
        "",
        "## Speed",
        "",
        f"{r['speed']['batch_us']:.1f} µs a series on a batch of 50,000 generated series of 4–64 values (numpy, one "
        f"thread); {r['speed']['single_us']:.0f} µs for one random walk of 64 values (median of 2,000 calls, mostly "
        "numpy's cost per call).",
    ]
    return "\n".join(lines) + "\n"


def _at_least(share: float) -> str:
    """A lower bound in whole percent, rounded down (97.6% is "97%" as a least, not "98%")."""
    return f"{math.floor(share * 100 + 1e-9)}%"


def _at_most(share: float) -> str:
    """An upper bound to 0.1%, rounded up (0.83% is "0.9%" as a most, not "0.8%")."""
    return f"{math.ceil(share * 1000 - 1e-9) / 10:.1f}%"


def readme_block(r: dict) -> str:
    """The README's paragraph on periods, from the measured figures (bounds rounded outwards)."""
    long = _bucket(LENGTHS[-1])
    cells = [r["periodic"][f"{shape}|{noise}|{long}"] for shape in SHAPES for noise in NOISE]
    clean = [r["periodic"][f"{shape}|0.0|{long}"]["found"] for shape in SHAPES]
    worst = max(r["not_periodic"].items(), key=lambda item: item[1])
    text = (
        "- **Periods.** Where a series plainly repeats, the pattern line gives its period (`sine wave, period ≈ 6.3`; "
        "`repeating, period ≈ 12` where the classifier names nothing clearer), from the autocorrelation of the "
        "series without its trend (`numseries.cycles`, no model). On waves of five shapes with periods of 3 to a third "
        f"of the length (`benchmarks/results/periods.md`), at {long} values it finds one in {_at_least(min(clean))}–"
        f"{max(clean):.0%} of noise-free series and {_at_least(min(c['found'] for c in cells))}–{max(c['found'] for c in cells):.0%} "
        f"with noise up to half the amplitude, within 10% of the true period in {_at_least(min(c['right'] for c in cells))} "
        "or more of them; at 8–16 values it speaks less often. On series that do not repeat (lines, curves, random "
        f"walks, level shifts, ARIMA, white noise, AR(1)) it claims a period in at most {_at_most(worst[1])} "
        f"({worst[0].replace('|', ', ')} values). On windows of {REAL_WINDOW} values of the real suite it gives "
        + "; ".join(f"{name} ({d['frequency']}) ≈ {d['median']:.3g} in {d['found']:.0%}" for name, d in r["real"].items()
                    if d["found"] >= 0.25)
        + "; in the others' windows a period in at most "
        + f"{_at_most(max(d['found'] for d in r['real'].values() if d['found'] < 0.25))} ("
        + ", ".join(f"{name} {d['found']:.1%}" for name, d in r["real"].items() if d["found"] < 0.25)
        + f"). It costs {r['speed']['batch_us']:.1f} µs a series on a batch."
    )
    return textwrap.fill(text, width=110, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2_000, help="cases per shape, noise and length bucket")
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    results = {"cases": args.cases, "seed": args.seed, **measure(args.cases, args.seed), "real": real(args.seed),
               "speed": speed(args.seed)}
    env = (f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy "
           f"{np.__version__}; load average before: {load[0]:.2f}, after: {os.getloadavg()[0]:.2f}.")
    text = render(results, env)
    print(text)
    write_result(RESULTS / "periods.md", text)
    write_result(RESULTS / "periods.json", json.dumps(results, indent=1) + "\n")
    replace_block("periods", readme_block(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
