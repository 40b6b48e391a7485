"""How fast ``numseries predict`` is, with every comparison measured in the same run.

    python benchmarks/predict_speed.py                    # the shipped model, full size (a few minutes)
    python benchmarks/predict_speed.py --weights DIR --file-series 100000   # another model, quicker

Measures: the cold start of ``numseries predict 2 4 6 8 10`` against ``python -c "import torch"``; one
prediction in-process at length 64; batch throughput on mixed lengths 4-64 (grouped by length, and
padded to 64 for comparison) against statsforecast's AutoETS; and the peak memory of predicting a
long-format Parquet file of a million series. Writes benchmarks/results/predict_speed.md and .json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

from numseries.files import atomic_write
from numseries.generate import generate_batch
from numseries.predict import Predictor
from numseries.weights import ONNX_FILE, shipped_weights_dir

from _output import RESULTS, replace_block

TARGETS = {  # name: (limit, "max" or "min")
    "cold_start_s": (0.3, "max"),
    "cold_start_vs_import_torch": (0.25, "max"),
    "single_prediction_ms": (0.3, "max"),
    "batch_series_per_s": (20_000, "min"),
    "speedup_vs_autoets": (30, "min"),
    "file_peak_memory_gib": (1.0, "max"),
    "weights_single_prediction_ms": (2.0, "max"),
    "weights_batch_series_per_s": (5_000, "min"),
}
WEIGHTS_KEYS = tuple(name for name in TARGETS if name.startswith("weights_"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="model folder or .onnx file (default: the shipped model)")
    parser.add_argument("--cold-runs", type=int, default=15, help="runs of the cold start (median)")
    parser.add_argument("--batch-series", type=int, default=50_000, help="series in the throughput batch")
    parser.add_argument("--ets-series", type=int, default=1_000, help="series given to AutoETS")
    parser.add_argument("--file-series", type=int, default=1_000_000, help="series in the file for peak memory")
    parser.add_argument("--weights-series", type=int, default=20_000, help="series in the batch with weights")
    parser.add_argument(
        "--only-weights", action="store_true",
        help="measure only the per-step weights' speeds (and the same without weights, in the same run); "
        "update them in the existing results",
    )
    args = parser.parse_args()

    predictor = Predictor.from_pretrained(args.weights)
    if predictor.runtime != "onnxruntime":
        raise SystemExit(f"{predictor.source} has no ONNX model; run `numseries export --format onnx` first")
    if args.only_weights:
        results = json.loads((RESULTS / "predict_speed.json").read_text())
        results.update(weights_speed(predictor, args))
        results["checks"] = {name: passes(name, results[name]) for name in TARGETS if name in results}
        write_reports(results)
        print(render(results))
        return
    results = {"environment": environment(predictor), "load_average_before": os.getloadavg()}
    results.update(cold_start(args))
    results.update(single_prediction(predictor))
    results.update(batch_throughput(predictor, args))
    results.update(file_memory(args))
    results.update(weights_speed(predictor, args))
    results["load_average_after"] = os.getloadavg()
    results["checks"] = {name: passes(name, results[name]) for name in TARGETS}
    write_reports(results)
    print(render(results))


def environment(predictor: Predictor) -> dict:
    model = Path(predictor.source)
    versions = {name: _version(name) for name in ("numseries", "onnxruntime", "numpy", "torch", "statsforecast")}
    return {
        "model": str(model.relative_to(Path.cwd()) if model.is_relative_to(Path.cwd()) else model),
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest()[:12],
        "model_is_shipped": model == shipped_weights_dir() / ONNX_FILE,
        "max_len": predictor.max_len,
        "cpu": _cpu_name(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


def _cli(*argv: str) -> list[str]:
    script = Path(sys.executable).with_name("numseries")
    return [str(script), *argv] if script.exists() else [sys.executable, "-m", "numseries", *argv]


# A user's processes start from compiled bytecode (pip compiles an installed package's modules, and Python
# caches an editable install's on first import). A shell that sets PYTHONDONTWRITEBYTECODE would have every
# cold start compile numseries' modules again (about 0.2 s on 2 CPUs) while torch's, compiled by pip, load.
_CACHED_BYTECODE = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_CACHED_BYTECODE)
    return time.perf_counter() - start


def cold_start(args: argparse.Namespace) -> dict:
    """Fresh processes, interleaved so that both commands see the same machine load."""
    weights = ["--weights", args.weights] if args.weights else []
    predict = _cli("predict", *weights, "2", "4", "6", "8", "10")
    torch = [sys.executable, "-c", "import torch"]
    _wall(predict), _wall(torch)  # warm the file cache, and write numseries' bytecode where it has none
    predict_times, torch_times = [], []
    for run in range(args.cold_runs):
        predict_times.append(_wall(predict))
        if run % 2 == 0:
            torch_times.append(_wall(torch))
    cold, baseline = statistics.median(predict_times), statistics.median(torch_times)
    return {
        "cold_start_command": " ".join(["numseries", *predict[1:]] if "numseries" in predict[0] else predict),
        "cold_start_s": cold,
        "cold_start_runs": len(predict_times),
        "import_torch_s": baseline,
        "import_torch_runs": len(torch_times),
        "cold_start_vs_import_torch": cold / baseline,
    }


def _single_times(predictor: Predictor, calls: int, weights: bool) -> list[float]:
    sequence = np.cumsum(np.random.default_rng(0).normal(size=64))
    for _ in range(100):
        predictor.predict(sequence, weights=weights)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predictor.predict(sequence, weights=weights)
        times.append(time.perf_counter() - start)
    return times


def single_prediction(predictor: Predictor, calls: int = 2_000) -> dict:
    times = _single_times(predictor, calls, weights=False)
    return {
        "single_prediction_ms": 1e3 * statistics.median(times),
        "single_prediction_p90_ms": 1e3 * float(np.percentile(times, 90)),
    }


def _mixed_series(n: int, seed: int, min_len: int = 4) -> list[np.ndarray]:
    lengths = np.random.default_rng(seed).integers(min_len, 65, n)
    batch = generate_batch(n, lengths=lengths, seed=seed)
    return [row[:length] for row, length in zip(batch.data, batch.lengths, strict=True)]


def _throughput(predictor: Predictor, sequences: list[np.ndarray], repeats: int = 3, weights: bool = False) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        predictor.predict_batch(sequences, weights=weights)
        best = min(best, time.perf_counter() - start)
    return len(sequences) / best


def _padded_throughput(predictor: Predictor, sequences: list[np.ndarray], rows: int = 4096) -> float:
    """The same series padded to max_len with masks, run straight through onnxruntime (no grouping), with
    the Predictor's threading: one thread a session, chunks spread over ``predictor.workers`` threads."""
    from concurrent.futures import ThreadPoolExecutor

    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(predictor.source, options, providers=["CPUExecutionProvider"])
    width = predictor.max_len
    x = np.zeros((len(sequences), width))
    for i, sequence in enumerate(sequences):
        x[i, : len(sequence)] = sequence
    lengths = np.array([len(s) for s in sequences])
    mask = np.arange(width)[None, :] < lengths[:, None]
    chunks = [slice(first, first + rows) for first in range(0, len(sequences), rows)]
    start = time.perf_counter()
    with ThreadPoolExecutor(predictor.workers) as pool:
        list(pool.map(lambda chunk: session.run(None, {"x": x[chunk], "mask": mask[chunk]}), chunks))
    return len(sequences) / (time.perf_counter() - start)


def _autoets_throughput(sequences: list[np.ndarray]) -> float:
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(len(sequences)), [len(s) for s in sequences]),
            "ds": np.concatenate([np.arange(len(s)) for s in sequences]),
            "y": np.concatenate(sequences),
        }
    )
    with warnings.catch_warnings():  # AutoETS warns on the short series it fits
        warnings.simplefilter("ignore")
        StatsForecast(models=[AutoETS()], freq=1, n_jobs=1).forecast(df=frame[frame.unique_id < 5], h=1)  # compile
        forecaster = StatsForecast(models=[AutoETS()], freq=1, n_jobs=os.cpu_count())
        start = time.perf_counter()
        forecaster.forecast(df=frame, h=1)
        return len(sequences) / (time.perf_counter() - start)


def batch_throughput(predictor: Predictor, args: argparse.Namespace) -> dict:
    mixed = _mixed_series(args.batch_series, seed=1)
    ets_subset = _mixed_series(args.ets_series, seed=2, min_len=7)  # AutoETS refuses fewer than 7 points
    ours_on_subset = _throughput(predictor, ets_subset)
    autoets = _autoets_throughput(ets_subset)
    return {
        "batch_series": len(mixed),
        "batch_series_per_s": _throughput(predictor, mixed),
        "batch_padded_series_per_s": _padded_throughput(predictor, mixed),
        "autoets_series": len(ets_subset),
        "autoets_series_per_s": autoets,
        "ours_on_autoets_subset_series_per_s": ours_on_subset,
        "speedup_vs_autoets": ours_on_subset / autoets,
    }


def weights_speed(predictor: Predictor, args: argparse.Namespace) -> dict:
    """Per-step weights: one prediction at length 64 and a batch of mixed lengths 4-64, each beside the
    same measured without weights in this run, interleaved so that both see the same machine load."""
    mixed = _mixed_series(args.weights_series, seed=3)
    load = os.getloadavg()
    with_weights, without = [], []
    for _ in range(3):
        with_weights += _single_times(predictor, 300, weights=True)
        without += _single_times(predictor, 300, weights=False)
    return {
        "weights_load_average_before": load,
        "weights_single_prediction_ms": 1e3 * statistics.median(with_weights),
        "weights_single_prediction_p90_ms": 1e3 * float(np.percentile(with_weights, 90)),
        "weights_single_prediction_without_ms": 1e3 * statistics.median(without),
        "weights_batch_series": len(mixed),
        "weights_batch_series_per_s": _throughput(predictor, mixed, repeats=2, weights=True),
        "weights_batch_without_series_per_s": _throughput(predictor, mixed, repeats=2),
        "weights_load_average_after": os.getloadavg(),
    }


def _write_long_parquet(path: Path, n: int, chunk: int = 100_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 0
    schema = pa.schema([("unique_id", pa.string()), ("ds", pa.int64()), ("y", pa.float64())])
    with pq.ParquetWriter(path, schema) as out:
        for first in range(0, n, chunk):
            sequences = _mixed_series(min(chunk, n - first), seed=100 + first)
            lengths = [len(s) for s in sequences]
            ids = np.repeat([f"series_{i:07d}" for i in range(first, first + len(sequences))], lengths)
            ds = np.concatenate([np.arange(length) for length in lengths])
            out.write_table(pa.table({"unique_id": ids, "ds": ds, "y": np.concatenate(sequences)}))
            rows += len(ds)
    return rows


def file_memory(args: argparse.Namespace) -> dict:
    """Peak resident memory of ``numseries predict --input FILE --output FILE`` (GNU time's %M)."""
    weights = ["--weights", args.weights] if args.weights else []
    with tempfile.TemporaryDirectory(prefix="numseries-bench-") as tmp:
        source, target, report = Path(tmp) / "series.parquet", Path(tmp) / "predictions.parquet", Path(tmp) / "rss"
        rows = _write_long_parquet(source, args.file_series)
        command = _cli("predict", *weights, "--input", str(source), "--output", str(target), "--no-progress")
        start = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(report), *command], check=True)
        seconds = time.perf_counter() - start
        peak_kib = int(report.read_text().split()[-1])
        return {
            "file_series": args.file_series,
            "file_rows": rows,
            "file_mib": source.stat().st_size / 2**20,
            "file_format": "long Parquet (unique_id, ds, y), lengths 4-64",
            "file_seconds": seconds,
            "file_series_per_s": args.file_series / seconds,
            "file_peak_memory_gib": peak_kib / 2**20,
        }


def passes(name: str, value: float) -> bool:
    limit, kind = TARGETS[name]
    return value <= limit if kind == "max" else value >= limit


def render(r: dict) -> str:
    env = r["environment"]
    check = {True: "yes", False: "**no**"}
    c = r["checks"]
    lines = [
        "# Prediction speed",
        "",
        "Measured by `python benchmarks/predict_speed.py`, every comparison in the same run on the same machine.",
        "",
        f"- Model: `{env['model']}` (sha256 {env['model_sha256']}, max_len {env['max_len']}"
        f"{', the shipped model' if env['model_is_shipped'] else ', NOT the shipped model'})",
        f"- Machine: {env['cpu']}, {env['cpus']} CPUs; Python {env['python']}; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items()),
        f"- Load average (1, 5, 15 min) before: {_triple(r['load_average_before'])}, "
        f"after: {_triple(r['load_average_after'])}",
        "",
        "| Measure | Result | Target | Met |",
        "|---|---|---|---|",
        f"| Cold start, `{r['cold_start_command']}` (median of {r['cold_start_runs']}; bytecode cached, as after "
        "`pip install`) "
        f"| {r['cold_start_s']:.3f} s | ≤ 0.3 s | {check[c['cold_start_s']]} |",
        f"| … relative to `python -c \"import torch\"` ({r['import_torch_s']:.3f} s, median of "
        f"{r['import_torch_runs']}) | {r['cold_start_vs_import_torch']:.3f}× | ≤ 0.25× "
        f"| {check[c['cold_start_vs_import_torch']]} |",
        f"| One prediction in-process, length 64 (median; p90 {r['single_prediction_p90_ms']:.3f} ms) "
        f"| {r['single_prediction_ms']:.3f} ms | ≤ 0.3 ms | {check[c['single_prediction_ms']]} |",
        f"| Batch of {r['batch_series']:,} series, lengths 4–64, grouped by length "
        f"| {r['batch_series_per_s']:,.0f} series/s | ≥ 20,000 | {check[c['batch_series_per_s']]} |",
        f"| … the same padded to 64 with masks (for comparison) "
        f"| {r['batch_padded_series_per_s']:,.0f} series/s | | |",
        f"| statsforecast AutoETS, {r['autoets_series']:,} series of lengths 7–64, {env['cpus']} processes "
        f"| {r['autoets_series_per_s']:,.1f} series/s | | |",
        f"| … numseries on those series ({r['ours_on_autoets_subset_series_per_s']:,.0f} series/s), speed-up "
        f"| {r['speedup_vs_autoets']:,.0f}× | ≥ 30× | {check[c['speedup_vs_autoets']]} |",
        f"| Peak memory predicting a file of {r['file_series']:,} series ({r['file_format']}, "
        f"{r['file_rows']:,} rows, {r['file_mib']:,.0f} MiB; {r['file_seconds']:.0f} s, "
        f"{r['file_series_per_s']:,.0f} series/s end to end) "
        f"| {r['file_peak_memory_gib']:.2f} GiB | ≤ 1 GiB | {check[c['file_peak_memory_gib']]} |",
        "",
    ]
    if all(key in r for key in WEIGHTS_KEYS):
        lines += [
            "Per-step weights (`predict(..., weights=True)`, `predict_batch(..., weights=True)`), each beside the "
            "same call without weights in the same run; load average before "
            f"{_triple(r['weights_load_average_before'])}, after {_triple(r['weights_load_average_after'])}:",
            "",
            "| Measure | With weights | Without | Target | Met |",
            "|---|---|---|---|---|",
            f"| One prediction in-process, length 64 (median; p90 with weights "
            f"{r['weights_single_prediction_p90_ms']:.3f} ms) | {r['weights_single_prediction_ms']:.3f} ms "
            f"| {r['weights_single_prediction_without_ms']:.3f} ms | ≤ 2 ms "
            f"| {check[c['weights_single_prediction_ms']]} |",
            f"| Batch of {r['weights_batch_series']:,} series, lengths 4–64 "
            f"| {r['weights_batch_series_per_s']:,.0f} series/s | {r['weights_batch_without_series_per_s']:,.0f} "
            f"series/s | ≥ 5,000 | {check[c['weights_batch_series_per_s']]} |",
            "",
        ]
    return "\n".join(lines)


def _triple(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def claim(r: dict) -> str:
    """The README's sentence on speed, from the shipped model's last run."""
    return (
        f"Measured on this project's {r['environment']['cpus']}-CPU machine (`benchmarks/results/predict_speed.md`): "
        f"one prediction of 64 values in {r['single_prediction_ms']:.2g} ms in-process, "
        f"{r['weights_single_prediction_ms']:.2g} ms with its per-step weights; "
        f"{r['batch_series_per_s']:,.0f} series a second in a batch of mixed lengths."
    )


def write_reports(results: dict) -> None:
    atomic_write(RESULTS / "predict_speed.json", lambda tmp: tmp.write_text(json.dumps(results, indent=2) + "\n"))
    atomic_write(RESULTS / "predict_speed.md", lambda tmp: tmp.write_text(render(results)))
    if results["environment"]["model_is_shipped"] and all(key in results for key in WEIGHTS_KEYS):
        replace_block("speed-claim", claim(results))


if __name__ == "__main__":
    main()
