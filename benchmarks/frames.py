"""``Predictor.predict_df`` against the batch-file path on the same series: time and peak memory.

    python benchmarks/frames.py                    # 1,000,000 series (several minutes)
    python benchmarks/frames.py --series 200000    # quicker

The data: a long-format Parquet file of N series of mixed lengths 4-64 (predict_speed.py's generator),
and the same rows shuffled. Each measurement is a fresh process under GNU time (peak resident memory):
``numseries predict --input FILE --output out.parquet``, and a Python process that reads FILE with pandas
then calls ``predict_df`` on the frame (its time is the call's, its memory includes the frame). Writes
benchmarks/results/frames.md and frames.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from numseries.files import atomic_write
from numseries.predict import Predictor
from predict_speed import _cli, _write_long_parquet, environment

from _output import RESULTS, replace_block, write_result

TARGETS = {"time_ratio": 1.5, "frame_peak_gib": 2.0}  # predict_df / file path; predict_df's peak memory

FRAME_SCRIPT = """
import gc, json, sys, time
from pathlib import Path
import pandas as pd
from numseries import Predictor

def resident(field):  # GiB, from /proc/self/status: VmRSS now, VmHWM the peak
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field + ":"))
    return int(line.split()[1]) / 2**20

source, weights, ids = sys.argv[1], sys.argv[2] or None, sys.argv[3]
predictor = Predictor.from_pretrained(weights)
start = time.perf_counter()
frame = pd.read_parquet(source)
if ids == "category":
    frame["unique_id"] = frame["unique_id"].astype("category")
read = time.perf_counter() - start
gc.collect()
as_read = resident("VmRSS")  # the frame held, and what the reader freed but its allocators kept
import ctypes, pyarrow
pyarrow.default_memory_pool().release_unused()  # hand the reader's freed buffers back to the system
ctypes.CDLL("libc.so.6").malloc_trim(0)
before = resident("VmRSS")  # the frame held, the model loaded, the reading's temporaries gone
Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM: the peak from here on
start = time.perf_counter()
out = predictor.predict_df(frame)
seconds = time.perf_counter() - start
print(json.dumps({"read_s": read, "predict_s": seconds, "rows_out": len(out), "rss_before_gib": before,
                  "rss_as_read_gib": as_read,
                  "peak_gib": resident("VmHWM"), "failed": int(out["error"].notna().sum())}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="model folder or .onnx file (default: the shipped model)")
    parser.add_argument("--series", type=int, default=1_000_000, help="series in the data")
    parser.add_argument("--render", action="store_true", help="only write the reports again from frames.json")
    args = parser.parse_args()
    if args.render:
        results = json.loads((RESULTS / "frames.json").read_text())
        write_result(RESULTS / "frames.md", render(results))
        replace_block("frames-bench", summary(results))
        return
    predictor = Predictor.from_pretrained(args.weights)
    results: dict = {"environment": environment(predictor), "series": args.series, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="numseries-frames-") as tmp:
        ordered, shuffled = Path(tmp) / "ordered.parquet", Path(tmp) / "shuffled.parquet"
        results["rows"] = _write_long_parquet(ordered, args.series)
        _shuffle(ordered, shuffled)
        results["file_mib"] = ordered.stat().st_size / 2**20
        for name, source in (("ordered", ordered), ("shuffled", shuffled)):
            results[name] = {
                "file": _file_path(source, args.weights, tmp),
                "frame": _frame(source, args.weights, tmp, "text"),
                "frame_category": _frame(source, args.weights, tmp, "category"),
            }
            print(name, json.dumps(results[name]))
    results["load_after"] = os.getloadavg()
    for name in ("ordered", "shuffled"):
        run = results[name]
        for kind in ("frame", "frame_category"):
            frame = run[kind]
            frame["time_ratio"] = frame["predict_s"] / run["file"]["seconds"]
            frame["checks"] = {
                "time_ratio": frame["time_ratio"] <= TARGETS["time_ratio"],
                "frame_peak_gib": frame["peak_gib"] <= TARGETS["frame_peak_gib"],
            }
    atomic_write(RESULTS / "frames.json", lambda path: path.write_text(json.dumps(results, indent=2) + "\n"))
    write_result(RESULTS / "frames.md", render(results))
    replace_block("frames-bench", summary(results))
    print(render(results))


def _shuffle(source: Path, target: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(source)
    order = np.random.default_rng(0).permutation(table.num_rows)
    pq.write_table(table.take(order), target)


def _peak(command: list[str], tmp: str) -> tuple[float, float, str]:
    """Run ``command`` under GNU time: its wall seconds, peak resident memory in GiB, and its stdout."""
    report = Path(tmp) / "rss"
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(report), *command], check=True,
                          capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - start
    return seconds, int(report.read_text().split()[-1]) / 2**20, done.stdout


def _file_path(source: Path, weights: str | None, tmp: str) -> dict:
    target = Path(tmp) / "predictions.parquet"
    options = ["--weights", weights] if weights else []
    command = _cli("predict", *options, "--input", str(source), "--output", str(target), "--no-progress")
    seconds, peak, _ = _peak(command, tmp)
    return {"seconds": seconds, "peak_gib": peak}


def _frame(source: Path, weights: str | None, tmp: str, ids: str) -> dict:
    """predict_df in a fresh process, on the file read by pandas: ids as text (objects), or as a category."""
    seconds, peak, out = _peak([sys.executable, "-c", FRAME_SCRIPT, str(source), weights or "", ids], tmp)
    measured = json.loads(out)  # its peak_gib: during predict_df, with the frame held
    return {
        **measured,
        "process_s": seconds,
        "process_peak_gib": peak,
        "added_gib": measured["peak_gib"] - measured["rss_before_gib"],
    }


def summary(r: dict) -> str:
    """The README's sentence: predict_df against the file path, in order and shuffled."""
    ordered, shuffled = r["ordered"], r["shuffled"]
    text, category = ordered["frame"], ordered["frame_category"]
    return (
        f"On {r['series']:,} series of lengths 4–64 ({r['rows']:,} rows; `benchmarks/results/frames.md`), "
        f"`predict_df` took {text['predict_s']:.0f} s, {text['time_ratio']:.2f}× the batch-file path's "
        f"{ordered['file']['seconds']:.0f} s. It added {text['added_gib']:.2f} GiB to the "
        f"{text['rss_before_gib']:.2f} GiB the process held with the frame read by pandas"
        + (f" ({text['rss_as_read_gib']:.2f} GiB before the reader's freed buffers went back to the system)"
           if "rss_as_read_gib" in text else "")
        + ", a peak during the call of "
        f"{text['peak_gib']:.2f} GiB ({category['peak_gib']:.2f} GiB with the ids as a category), "
        f"{'within' if text['checks']['frame_peak_gib'] else 'over'} the 2 GiB target, where the file path peaks at "
        f"{ordered['file']['peak_gib']:.2f} GiB. Shuffled rows: "
        f"{shuffled['frame']['predict_s']:.0f} s ({shuffled['frame']['time_ratio']:.2f}×), "
        f"{shuffled['frame']['added_gib']:.2f} GiB added, a peak of {shuffled['frame']['peak_gib']:.2f} GiB "
        f"({'within' if shuffled['frame']['checks']['frame_peak_gib'] else 'over'} the target; "
        f"{shuffled['frame_category']['peak_gib']:.2f} GiB with the ids as a category); the file path sorts them on disk in "
        f"{shuffled['file']['seconds']:.0f} s at a peak of {shuffled['file']['peak_gib']:.2f} GiB."
    )


def _frame_cell(frame: dict) -> str:
    if "rss_as_read_gib" not in frame:  # measured before the reader's buffers were handed back
        return f"{frame['rss_before_gib']:.2f} GiB"
    return f"{frame['rss_before_gib']:.2f} GiB ({frame['rss_as_read_gib']:.2f})"


def render(r: dict) -> str:
    env = r["environment"]
    check = {True: "yes", False: "**no**"}
    lines = [
        "# DataFrames against batch files",
        "",
        "Measured by `python benchmarks/frames.py"
        + (f" --series {r['series']}`" if r["series"] != 1_000_000 else "`")
        + f": {r['series']:,} series of lengths 4–64 ({r['rows']:,} rows, a {r['file_mib']:,.0f} MiB long Parquet "
        "file), each measurement a fresh process under GNU time. The file path is `numseries predict --input FILE "
        "--output out.parquet` end to end (read, predict, write). `predict_df` is the call on a frame already "
        "read with `pd.read_parquet`, its ids as text (Python strings) or turned into a category. *Frame*: the "
        "process's resident memory before the call (the frame held, the model loaded) once the reader's freed "
        "buffers are handed back to the system (`pyarrow.default_memory_pool().release_unused()`, "
        "`malloc_trim`), and in brackets before that. "
        "*Peak*: the peak during the call (VmHWM, reset just before it); *added*: peak minus the process before "
        "the call. The shuffled file holds the same rows in random order, which both paths sort first.",
        "",
        f"- Model: `{env['model']}` (sha256 {env['model_sha256']}, max_len {env['max_len']}); machine: {env['cpu']}, {env['cpus']} CPUs; "
        f"load average before {', '.join(f'{v:.2f}' for v in r['load_before'])}, after "
        f"{', '.join(f'{v:.2f}' for v in r['load_after'])}",
        "",
        "| Rows | Path | Time | Time ratio to the file path (target ≤ 1.5×) | Frame | Peak memory (target ≤ 2 GiB) "
        "| Added |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("ordered", "shuffled"):
        run = r[name]
        file = run["file"]
        lines.append(
            f"| {name} | file | {file['seconds']:.1f} s ({r['series'] / file['seconds']:,.0f} series/s) | | "
            f"| {file['peak_gib']:.2f} GiB | |"
        )
        for kind, ids in (("frame", "text ids"), ("frame_category", "category ids")):
            frame = run[kind]
            lines.append(
                f"| {name} | `predict_df`, {ids} | {frame['predict_s']:.1f} s (reading {frame['read_s']:.1f} s) "
                f"| {frame['time_ratio']:.2f}× {check[frame['checks']['time_ratio']]} | {_frame_cell(frame)} "
                f"| {frame['peak_gib']:.2f} GiB {check[frame['checks']['frame_peak_gib']]} "
                f"| {frame['added_gib']:.2f} GiB |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
