"""statsforecast cross_validation with NumSeries beside AutoETS on the real-data suite, and NumSeries on Spark.

    python benchmarks/statsforecast_cv.py            # about 8 minutes on 2 CPUs
    python benchmarks/statsforecast_cv.py --windows 1 --spark-series 1000   # quicker

Cross-validation: every series of numseries.realdata (statsmodels' and vega_datasets' series, at most 1,000
values each, integer time steps), the last ``--windows`` windows of ``--horizon`` steps, each model in its own ``StatsForecast.cross_validation``
call, timed, first without intervals and then with 80% and 95% ones. AutoETS falls back to Naive where it
refuses a window (counted). Accuracy and coverage by ``utilsforecast.evaluation.evaluate`` (MAE, MASE with
the training part of each window as the scale, coverage), over every (series, window).

Spark: ``StatsForecast(models=[NumSeries()]).forecast(df=spark_df, h=1)`` and ``Predictor.predict_df(spark_df)``
on ``local[2]`` against the plain batch path (``Predictor.predict_batch``) and the same two calls on pandas, on
generated series of 8-64 values. Writes benchmarks/results/statsforecast_cv.md and .json and the README's statsforecast-cv block.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from functools import partial

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, Naive
from utilsforecast.evaluation import evaluate
from utilsforecast.losses import coverage, mae, mase

from numseries.generate import generate_batch
from numseries.realdata import load_series
from numseries.statsforecast import NumSeries, load_predictor, local_spark
from predict_speed import _version, environment

from _output import RESULTS, replace_block, write_result

LEVELS = [80, 95]
TIME_RATIO_TARGET = 1 / 20  # NumSeries' cross-validation time ÷ AutoETS's (issue 16)


class CountingNaive(Naive):
    """statsforecast's Naive as the fallback model, counting the windows it answers."""

    calls = 0

    def forecast(self, *args, **kwargs):
        CountingNaive.calls += 1
        return super().forecast(*args, **kwargs)


def real_frame() -> pd.DataFrame:
    """Every real series as long format: unique_id 'dataset/series', ds 0..n-1, y."""
    frames = [
        pd.DataFrame({"unique_id": f"{dataset}/{name}", "ds": np.arange(len(values)), "y": values})
        for dataset, series in load_series().items()
        for name, values in series.items()
    ]
    return pd.concat(frames, ignore_index=True)


def timed_cv(make, df: pd.DataFrame, args: argparse.Namespace, level: list[int] | None, repeats: int = 1):
    """``make()``'s cross-validation, and its best wall and CPU seconds (this process, all its threads) over
    ``repeats`` runs; a new model each run (NumSeries keeps its last batch)."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        sf = StatsForecast(models=[make()], freq=1, fallback_model=CountingNaive())
        start, start_cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsforecast's and NumSeries' notes on short windows: counted below
            cv = sf.cross_validation(df=df, h=args.horizon, n_windows=args.windows, step_size=args.horizon, level=level)
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return cv, {"wall": wall, "cpu": cpu}


def cross_validation(args: argparse.Namespace) -> dict:
    df = real_frame()
    seconds: dict[str, dict[str, dict[str, float]]] = {}
    fallbacks, outputs = {}, {}
    for name, make in (("NumSeries", partial(NumSeries, args.weights)), ("AutoETS", AutoETS)):
        point, point_seconds = timed_cv(make, df, args, None, repeats=3)
        CountingNaive.calls = 0
        outputs[name], band_seconds = timed_cv(make, df, args, LEVELS)
        fallbacks[name] = CountingNaive.calls
        seconds[name] = {"point": point_seconds, "bands": band_seconds}
        np.testing.assert_allclose(point[name], outputs[name][name], rtol=1e-6)  # the same point forecasts
    cv = outputs["NumSeries"].merge(outputs["AutoETS"], on=["unique_id", "ds", "cutoff", "y"], validate="one_to_one")
    metrics = [mae, partial(mase, seasonality=1), coverage]
    scores = evaluate(cv, metrics=metrics, train_df=df, level=LEVELS)  # one row per (series, window, metric)
    lengths = df.groupby("unique_id").size()
    horizon = cv.groupby(["unique_id", "cutoff"]).cumcount() + 1  # (rows,) 1..h within each window
    return {
        "series": int(lengths.size),
        "lengths": [int(lengths.min()), int(lengths.max())],
        "windows": int(cv[["unique_id", "cutoff"]].drop_duplicates().shape[0]),
        "horizon": args.horizon,
        "n_windows": args.windows,
        "seconds": seconds,
        "ratios": {
            call: {clock: seconds["NumSeries"][call][clock] / seconds["AutoETS"][call][clock] for clock in ("wall", "cpu")}
            for call in ("point", "bands")
        },
        "fallbacks": fallbacks,
        "scores": {
            metric: {model: {"mean": float(group[model].mean()), "median": float(group[model].median())}
                     for model in ("NumSeries", "AutoETS")}
            for metric, group in scores.groupby("metric")
        },
        "coverage_by_dataset": coverage_by(cv, cv["unique_id"].str.split("/").str[0]),
        "coverage_by_horizon": coverage_by(cv, horizon),
    }


def coverage_by(cv: pd.DataFrame, key: pd.Series) -> dict:
    """Share of the values inside each model's intervals, per value of ``key`` (a dataset, a horizon)."""
    out = {}
    for value, rows in cv.groupby(key):
        inside = {
            model: {str(level): float(rows["y"].between(rows[f"{model}-lo-{level}"], rows[f"{model}-hi-{level}"]).mean())
                    for level in LEVELS}
            for model in ("NumSeries", "AutoETS")
        }
        out[str(value)] = {"values": len(rows), "series": int(rows["unique_id"].nunique()), **inside}
    return out


def generated_frame(n: int, seed: int = 0) -> tuple[pd.DataFrame, list[np.ndarray]]:
    batch = generate_batch(n, min_len=8, max_len=64, seed=seed)
    sequences = [batch.data[i, : batch.lengths[i]] for i in range(n)]
    df = pd.DataFrame({
        "unique_id": np.repeat(np.arange(n), batch.lengths).astype(str),
        "ds": np.concatenate([np.arange(length) for length in batch.lengths]),
        "y": np.concatenate(sequences),
    })
    return df, sequences


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def spark_speed(args: argparse.Namespace) -> dict:
    df, sequences = generated_frame(args.spark_series)
    predictor = load_predictor(args.weights, True)
    n = len(sequences)
    batch_s = best_of(3, lambda: predictor.predict_batch(sequences))
    def statsforecast() -> StatsForecast:  # a new model each time: NumSeries keeps its last batch
        return StatsForecast(models=[NumSeries(args.weights)], freq=1)

    pandas_s = best_of(2, lambda: statsforecast().forecast(df=df, h=1))
    local = statsforecast().forecast(df=df, h=1)
    out = {"spark_series": n, "batch_per_s": n / batch_s, "pandas_per_s": n / pandas_s}
    try:
        start = time.perf_counter()
        spark = local_spark(2)
    except ImportError as err:
        return {**out, "spark": str(err)}
    spark_df = spark.createDataFrame(df).cache()
    spark_df.count()
    out["spark_start_s"] = time.perf_counter() - start
    runs = []
    for _ in range(2):  # the first run starts the Python workers and loads the model in each
        start = time.perf_counter()
        remote = statsforecast().forecast(df=spark_df, h=1).toPandas()
        runs.append(time.perf_counter() - start)
    frame_local = predictor.predict_df(df)
    out["frame_pandas_per_s"] = n / best_of(2, lambda: predictor.predict_df(df))
    frame_runs = []
    for _ in range(2):  # predict_df of the Spark frame: whole series, many to a partition (numseries.distributed)
        start = time.perf_counter()
        frame_remote = predictor.predict_df(spark_df).toPandas()
        frame_runs.append(time.perf_counter() - start)
    spark.stop()
    # Float32 rounding differs between batches of other sizes (one series at a time in Spark's groups, a
    # partition of series in predict_df's): equal within 1e-5 of the value or of the series' largest |value|.
    size = df.groupby("unique_id")["y"].apply(lambda y: y.abs().max())

    def matches(local_frame, remote_frame, column: str) -> bool:
        merged = local_frame.merge(remote_frame, on=["unique_id", "ds"], suffixes=("", "_spark"))
        tolerance = 1e-5 * np.maximum(merged[column].abs(), merged["unique_id"].map(size))
        return bool(len(merged) == n and (np.abs(merged[column] - merged[f"{column}_spark"]) <= tolerance).all())

    out.update({
        "spark_cold_per_s": n / runs[0],
        "spark_warm_per_s": n / runs[1],
        "spark_matches": matches(local, remote, "NumSeries"),
        "frame_spark_cold_per_s": n / frame_runs[0],
        "frame_spark_warm_per_s": n / frame_runs[1],
        "frame_spark_matches": matches(frame_local, frame_remote, "numseries"),
    })
    return out


def _ratio(ratio: float) -> str:
    return f"1/{1 / ratio:.0f}" if ratio < 1 else f"{ratio:.1f}×"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def render(r: dict) -> str:
    env, cv = r["environment"], r["cv"]
    t, sc = cv["seconds"], cv["scores"]
    met = {True: "yes", False: "**no**"}
    lines = [
        "# NumSeries in statsforecast's cross_validation, beside AutoETS, and on Spark",
        "",
        "Measured by `python benchmarks/statsforecast_cv.py`, every comparison in the same run on the same machine.",
        "",
        f"- Model: `{env['model']}` (sha256 {env['model_sha256']}); machine: {env['cpu']}, {env['cpus']} CPUs; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items()),
        f"- Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in r['load_before'])}, "
        f"after: {', '.join(f'{x:.2f}' for x in r['load_after'])}",
        f"- Cases: the {cv['series']} series of the real-data suite (lengths {cv['lengths'][0]}–{cv['lengths'][1]}), "
        f"the last {cv['n_windows']} windows of {cv['horizon']} steps each: {cv['windows']} (series, window) pairs. "
        f"AutoETS refused {cv['fallbacks']['AutoETS']} of them (too few values), answered by statsforecast's Naive "
        f"as its fallback model; NumSeries {cv['fallbacks']['NumSeries']}.",
        "",
        "## Time of `cross_validation`, one model per call",
        "",
        "Wall time, and CPU time of this process (all its threads; what other users of the machine take does not "
        "count). Point forecasts: the best of 3 runs; with intervals: one run.",
        "",
        "| Call | NumSeries wall / CPU | AutoETS wall / CPU | NumSeries ÷ AutoETS, wall / CPU | Target ≤ 1/20 |",
        "|---|---:|---:|---:|---|",
    ]
    for call, label in (("point", "point forecasts"), ("bands", "with 80% and 95% intervals")):
        ns, ets, ratio = t["NumSeries"][call], t["AutoETS"][call], cv["ratios"][call]
        lines.append(
            f"| {label} | {_s(ns['wall'])} / {_s(ns['cpu'])} | {_s(ets['wall'])} / {_s(ets['cpu'])} | "
            f"{_ratio(ratio['wall'])} / {_ratio(ratio['cpu'])} | "
            f"{met[ratio['wall'] <= TIME_RATIO_TARGET]} / {met[ratio['cpu'] <= TIME_RATIO_TARGET]} |"
        )
    lines += [
        "",
        "NumSeries forecasts all the windows statsforecast walks as one batch, with or without intervals "
        f"(`Predictor.forecast_batch`): the paths of {cv['horizon']} steps, a backtest of each window's last "
        f"{cv['horizon']} values read whole and read from its last 12, and the paths read again from 12 values "
        "where they run away or backtest better so; its bands from the forecast path. Loading "
        f"the model once took {r['load_predictor_s']:.2f} s (before the runs, not counted).",
        "",
        "## Accuracy and coverage (`utilsforecast.evaluation.evaluate`, over every series and window)",
        "",
        "| Metric | NumSeries mean | NumSeries median | AutoETS mean | AutoETS median |",
        "|---|---:|---:|---:|---:|",
    ]
    for metric in ("mae", "mase", *(f"coverage_level{level}" for level in LEVELS)):
        ns, ets = sc[metric]["NumSeries"], sc[metric]["AutoETS"]
        lines.append(f"| {metric} | {ns['mean']:.4g} | {ns['median']:.4g} | {ets['mean']:.4g} | {ets['median']:.4g} |")
    lines += [
        "",
        "MAE is in each series' own units (the mean is dominated by the large-valued series); MASE divides each "
        "window's MAE by the mean absolute step of its training part. Coverage: the share of the window's values "
        "inside the interval (nominal 0.80 and 0.95).",
        "",
        *coverage_tables(cv),
        "## Spark local against the batch path",
        "",
    ]
    s = r["spark"]
    lines += [
        f"{s['spark_series']:,} generated series of 8–64 values, one step ahead, without intervals.",
        "",
        "| Path | series/s |",
        "|---|---:|",
        f"| `Predictor.predict_batch` (the plain batch path) | {s['batch_per_s']:,.0f} |",
        f"| `StatsForecast(models=[NumSeries()]).forecast(df=pandas_df, h=1)` | {s['pandas_per_s']:,.0f} |",
    ]
    if "spark_warm_per_s" in s:
        lines += [
            f"| the same on Spark `local[2]`, first run (starts the workers, loads the model) | {s['spark_cold_per_s']:,.0f} |",
            f"| the same on Spark `local[2]`, second run | {s['spark_warm_per_s']:,.0f} |",
            f"| `Predictor.predict_df(pandas_df)` | {s['frame_pandas_per_s']:,.0f} |",
            f"| `Predictor.predict_df(spark_df)` on Spark `local[2]`, first run (loads the model) "
            f"| {s['frame_spark_cold_per_s']:,.0f} |",
            f"| the same, second run | {s['frame_spark_warm_per_s']:,.0f} |",
            "",
            f"Spark session start and caching the frame: {s['spark_start_s']:.1f} s (not counted). On Spark, "
            "statsforecast's fugue backend hands the model one series at a time (a group per `unique_id`); "
            "`predict_df` sends whole series to the executors, many to a partition, each predicted as one batch. "
            "Spark's answers equal the pandas ones (within 1e-5 of the value or of the series' largest value): "
            f"statsforecast {met[s['spark_matches']]}, `predict_df` {met[s['frame_spark_matches']]}.",
        ]
    else:
        lines += ["", f"Spark: {s['spark']}."]
    return "\n".join(lines) + "\n"


def largest_dataset(by_dataset: dict) -> str:
    """The dataset with the most values among ``coverage_by``'s rows: the one that decides overall coverage."""
    return max(by_dataset, key=lambda name: by_dataset[name]["values"])


def coverage_tables(cv: dict) -> list[str]:
    """The coverage per dataset and per horizon, as markdown lines."""
    by_dataset, by_horizon = cv["coverage_by_dataset"], cv["coverage_by_horizon"]
    largest = largest_dataset(by_dataset)
    head = " | ".join(f"{model} {level}%" for model in ("NumSeries", "AutoETS") for level in LEVELS)
    rule = "|---|---:|---:|" + "---:|" * 2 * len(LEVELS)

    def cells(row: dict) -> str:
        return " | ".join(f"{row[model][str(level)]:.1%}" for model in ("NumSeries", "AutoETS") for level in LEVELS)

    lines = [
        "## Coverage per dataset and per step ahead",
        "",
        f"The share of the values inside the intervals, over every window. {largest} holds "
        f"{by_dataset[largest]['series']} of the {cv['series']} series, so "
        "it decides the overall figures above.",
        "",
        f"| Dataset | series | values | {head} |",
        rule,
    ]
    lines += [f"| {name} | {row['series']} | {row['values']:,} | {cells(row)} |" for name, row in sorted(by_dataset.items())]
    lines += ["", f"| Step ahead | series | values | {head} |", rule]
    lines += [f"| {step} | {row['series']} | {row['values']:,} | {cells(row)} |" for step, row in by_horizon.items()]
    return [*lines, ""]


def readme_block(r: dict) -> str:
    cv, s = r["cv"], r["spark"]
    t, sc, ratios = cv["seconds"], cv["scores"], cv["ratios"]
    text = (
        f"Measured by `python benchmarks/statsforecast_cv.py` ({cv['series']} real series, the last "
        f"{cv['n_windows']} windows of {cv['horizon']} steps; full report in `benchmarks/results/statsforecast_cv.md`): "
        f"`cross_validation` took {_s(t['NumSeries']['point']['wall'])} for NumSeries' point forecasts against "
        f"{_s(t['AutoETS']['point']['wall'])} for AutoETS ({_ratio(ratios['point']['wall'])} of its wall time, "
        f"{_ratio(ratios['point']['cpu'])} of its CPU time; target ≤ 1/20: "
        f"{'met' if max(ratios['point'].values()) <= TIME_RATIO_TARGET else 'not met'}), and "
        f"{_s(t['NumSeries']['bands']['wall'])} against {_s(t['AutoETS']['bands']['wall'])} with 80% and 95% "
        f"intervals ({_ratio(ratios['bands']['wall'])}). Median MASE {sc['mase']['NumSeries']['median']:.3f} (NumSeries) and "
        f"{sc['mase']['AutoETS']['median']:.3f} (AutoETS), mean {sc['mase']['NumSeries']['mean']:.3f} and "
        f"{sc['mase']['AutoETS']['mean']:.3f}; 80% intervals covered {sc['coverage_level80']['NumSeries']['mean']:.0%} "
        f"and {sc['coverage_level80']['AutoETS']['mean']:.0%} of the values, 95% ones "
        f"{sc['coverage_level95']['NumSeries']['mean']:.0%} and {sc['coverage_level95']['AutoETS']['mean']:.0%}."
    )
    by_dataset = cv["coverage_by_dataset"]
    largest = largest_dataset(by_dataset)
    others = [row for name, row in by_dataset.items() if name != largest]
    if others:
        values = sum(row["values"] for row in others)

        def rest(model: str) -> float:  # the other datasets' values inside the 80% intervals, as a share
            return sum(row[model]["80"] * row["values"] for row in others) / values

        text += (
            f" {largest.capitalize()} ({by_dataset[largest]['series']} of the {cv['series']} series) decides these "
            f"coverages: the 80% intervals covered {by_dataset[largest]['NumSeries']['80']:.0%} of its values "
            f"(AutoETS {by_dataset[largest]['AutoETS']['80']:.0%}) and {rest('NumSeries'):.0%} of the other "
            f"datasets' ({rest('AutoETS'):.0%})."
        )
    if "spark_warm_per_s" in s:
        text += (
            f" On Spark `local[2]` NumSeries forecast {s['spark_warm_per_s']:,.0f} series/s through statsforecast "
            f"(second run; {s['spark_cold_per_s']:,.0f} the first) and `predict_df` of the Spark frame "
            f"{s['frame_spark_warm_per_s']:,.0f} series/s ({s['frame_spark_cold_per_s']:,.0f} the first), against "
            f"{s['batch_per_s']:,.0f} series/s on the plain batch path, {s['pandas_per_s']:,.0f} through "
            f"statsforecast on pandas and {s['frame_pandas_per_s']:,.0f} with `predict_df` on pandas "
            f"({s['spark_series']:,} series)."
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder or .onnx file (default: the shipped model)")
    parser.add_argument("--horizon", type=int, default=4, help="steps per cross-validation window")
    parser.add_argument("--windows", type=int, default=3, help="cross-validation windows per series")
    parser.add_argument("--spark-series", type=int, default=5_000, help="generated series for the Spark speed")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    predictor = load_predictor(args.weights, True)
    results: dict = {"load_predictor_s": time.perf_counter() - start, "environment": environment(predictor)}
    results["environment"]["versions"].update({name: _version(name) for name in ("utilsforecast", "pyspark")})
    results["load_before"] = os.getloadavg()
    results["cv"] = cross_validation(args)
    results["spark"] = spark_speed(args)
    results["load_after"] = os.getloadavg()
    write_result(RESULTS / "statsforecast_cv.json", json.dumps(results, indent=2) + "\n")
    write_result(RESULTS / "statsforecast_cv.md", render(results))
    replace_block("statsforecast-cv", readme_block(results))
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
