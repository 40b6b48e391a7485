"""How fast numseries generates data and trains, and how long the shipped model took to train.

    python benchmarks/train_speed.py                       # about a minute on 2 CPU threads
    python benchmarks/train_speed.py --seconds 2 --lengths 16 64 --weights DIR

Measures: sequences per second of the generator (``generate_dataset(num_samples=100_000)``); training
samples per second of the shipped architecture by context length, as optimizer steps (forward, the
scale-free loss, backward, gradient clipping, AdamW) on fixed-length batches without Lightning's
per-step overhead; and reads the wall time of the shipped model's training run from its
``training_info.json``. Writes benchmarks/results/train_speed.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch

from numseries.config import ModelConfig, TrainConfig
from numseries.files import atomic_write
from numseries.generate import generate_batch, generate_dataset
from numseries.model import LSTMWithAttention
from numseries.train import scaled_l1
from numseries.weights import INFO_FILE, read_training_info, shipped_weights_dir

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="weights folder whose training_info.json to report (default: shipped)")
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 16, 32, 64], help="context lengths to time")
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent training at each length")
    parser.add_argument("--batch-size", type=int, default=TrainConfig().batch_size)
    parser.add_argument("--threads", type=int, nargs="+", default=[2, 1], help="torch thread counts to time")
    parser.add_argument("--samples", type=int, default=100_000, help="sequences for the generator timing")
    args = parser.parse_args()

    results = {"environment": environment(args), "load_average_before": os.getloadavg()}
    results["generator"] = generator_speed(args.samples)
    results["training"] = [
        training_speed(length, threads, args) for threads in args.threads for length in args.lengths
    ]
    results["shipped_training"] = shipped_training(args.weights)
    results["load_average_after"] = os.getloadavg()
    write_reports(results)
    print(render(results))


def environment(args: argparse.Namespace) -> dict:
    return {
        "command": f"python benchmarks/train_speed.py {shlex.join(sys.argv[1:])}".rstrip(),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "cpu": _cpu_name(),
        "cpus": os.cpu_count(),
        "torch_threads": args.threads,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "batch_size": args.batch_size,
        "model_config": ModelConfig().to_dict(),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in ("numseries", "torch", "lightning", "numpy")},
    }


def generator_speed(samples: int, repeats: int = 2) -> dict:
    """Best of ``repeats`` timings of the seed's call, ``generate_dataset(num_samples=samples)``."""
    generate_dataset(num_samples=1_000)  # warm up imports and caches
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        generate_dataset(num_samples=samples, seed=seed)
        times.append(time.perf_counter() - start)
    return {"samples": samples, "seconds": min(times), "sequences_per_s": samples / min(times)}


def training_speed(length: int, threads: int, args: argparse.Namespace) -> dict:
    """Optimizer steps of the shipped architecture on batches of ``length``-step contexts, for ``args.seconds``."""
    torch.set_num_threads(threads)
    config = ModelConfig()
    torch.manual_seed(0)
    model = LSTMWithAttention(config).train()
    train = TrainConfig()
    optimizer = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=train.weight_decay)
    lengths = np.full(args.batch_size, min(length, config.max_len))
    batch = generate_batch(args.batch_size, max_len=length, lengths=lengths, seed=length)
    x, y, mask = (torch.from_numpy(a) for a in (batch.data, batch.labels, batch.masks))

    def step() -> None:
        z_hat, _, last, scale = model.forward_normalised(x, mask)
        loss = scaled_l1(z_hat, y, last, scale)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), train.grad_clip)
        optimizer.step()

    step()  # warm-up
    steps, start = 0, time.perf_counter()
    while steps < 2 or time.perf_counter() - start < args.seconds:
        step()
        steps += 1
    seconds = time.perf_counter() - start
    return {
        "threads": threads,
        "length": length,
        "steps": steps,
        "seconds": seconds,
        "ms_per_step": 1000 * seconds / steps,
        "samples_per_s": steps * args.batch_size / seconds,
    }


def shipped_training(weights: str | None) -> dict:
    folder = Path(weights) if weights else shipped_weights_dir()
    info = read_training_info(folder)
    keys = ("duration_seconds", "command", "hardware", "epochs", "stopped_early", "best_val_loss", "world_size")
    found = {key: info[key] for key in keys if key in info}
    if "data" in info:
        found["samples_seen"] = info["data"].get("samples_seen")
    return {"folder": _relative(folder / INFO_FILE), "found": bool(info), **found}


def render(results: dict) -> str:
    env, gen = results["environment"], results["generator"]
    lines = [
        "# Training speed",
        "",
        f"Generated by `{env['command']}` on {env['date']}. Machine: {env['cpu']}, {env['cpus']} CPUs; load average {_load(results['load_average_before'])} before and "
        f"{_load(results['load_average_after'])} after (a shared machine: other work competes for the CPUs). "
        + ", ".join(f"{name} {version}" for name, version in env["versions"].items())
        + ".",
        "",
        "## Generator",
        "",
        f"`generate_dataset(num_samples={gen['samples']:_})`: {gen['seconds']:.2f} s, "
        f"**{gen['sequences_per_s']:,.0f} sequences/s** (best of 2).",
        "",
        "## Training throughput by context length",
        "",
        f"The shipped architecture ({_config(env['model_config'])}), batches of {env['batch_size']} contexts "
        "all of the given length; one step is forward, scale-free loss, backward, gradient clipping and AdamW "
        "(no Lightning, no data generation).",
        "",
        "| torch threads | context length | steps | ms / step | samples / s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["training"]:
        lines.append(
            f"| {row['threads']} | {row['length']} | {row['steps']} | {row['ms_per_step']:.0f} | {row['samples_per_s']:,.0f} |"
        )
    lines += [
        "",
        "Two threads on two busy CPUs wait on each other at every small op of the LSTM; compare the rows with "
        "one thread before choosing a thread count for a training run on a shared machine.",
    ]
    lines += ["", "## The shipped model's training run", ""]
    shipped = results["shipped_training"]
    if not shipped["found"]:
        lines.append(f"No `{shipped['folder']}` yet: the shipped weights have not been trained, so there is no wall time to report.")
    else:
        minutes = shipped.get("duration_seconds", 0) / 60
        lines += [
            f"From `{shipped['folder']}`:",
            "",
            f"- wall time: **{shipped.get('duration_seconds')} s ({minutes:.1f} min)**",
            f"- command: `{shipped.get('command')}`",
            f"- hardware: {shipped.get('hardware', 'not recorded')}",
            f"- epochs: {shipped.get('epochs')} (stopped early: {shipped.get('stopped_early')}), "
            f"samples seen: {shipped.get('samples_seen')}, processes: {shipped.get('world_size')}",
            f"- best validation loss: {shipped.get('best_val_loss')}",
        ]
    return "\n".join(lines) + "\n"


def write_reports(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS / "train_speed.json", lambda tmp: tmp.write_text(json.dumps(results, indent=2) + "\n"))
    atomic_write(RESULTS / "train_speed.md", lambda tmp: tmp.write_text(render(results)))


def _config(config: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in config.items())


def _load(load: tuple[float, float, float]) -> str:
    return f"{load[0]:.1f}"


def _relative(path: Path) -> str:
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    main()
