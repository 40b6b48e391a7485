"""How fast ``numseries serve`` answers, measured against a real server process on 127.0.0.1.

    python benchmarks/serve_load.py                        # the full run (a few minutes)
    python benchmarks/serve_load.py --requests 2000 --soak 5000 --stacks single   # quicker

For each server stack (``single``: ``numseries serve``, one process, uvloop + httptools; ``workers2``:
uvicorn with 2 worker processes; ``h11``: one process on the pure-Python asyncio loop and h11 parser),
it measures: the time from starting the server to its first answer on /health; latency p50/p99 and
requests/s of ``POST /predict`` with 1 and 16 concurrent keep-alive clients; series/s of
``POST /predict/batch`` with batches of 1,000 series of mixed lengths. On the default stack it then sends
``--soak`` requests and samples the server's resident memory (RSS) as they go, to show whether it grows.

The load generator is a minimal HTTP/1.1 client on asyncio in this process; it shares the machine's CPUs
with the server, as a client on the same host would. Every request stays on 127.0.0.1; each phase is
bounded in count and in time. Writes benchmarks/results/serve_load.md and .json, and the README block.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from numseries.generate import generate_batch
from numseries.predict import Predictor

from _output import RESULTS, replace_block, write_result

HOST = "127.0.0.1"  # never anything else
PHASE_SECONDS = 60.0  # no phase runs longer than this, whatever the counts
TARGETS = {  # name: (limit, "max" or "min"), from issue 15
    "p99_ms_16_clients": (10.0, "max"),
    "requests_per_s_16_clients": (1_000, "min"),
    "batch_series_per_s": (15_000, "min"),
    "ready_s": (2.0, "max"),
}
STACKS = {  # name: (how the server starts, the command after the interpreter)
    "single": ("numseries serve (1 process, uvloop + httptools)", ["-m", "numseries", "serve"]),
    "workers2": (
        "uvicorn --workers 2 (2 processes, uvloop + httptools)",
        ["-m", "uvicorn", "numseries.serve:create_app", "--factory", "--workers", "2"],
    ),
    "h11": (
        "uvicorn, 1 process, --loop asyncio --http h11 (no compiled extras)",
        ["-m", "uvicorn", "numseries.serve:create_app", "--factory", "--loop", "asyncio", "--http", "h11"],
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests per latency phase")
    parser.add_argument("--batches", type=int, default=30, help="batch requests of 1,000 series")
    parser.add_argument("--soak", type=int, default=100_000, help="requests of the memory run (16 clients)")
    parser.add_argument("--stacks", default=",".join(STACKS), help=f"comma-separated, of {', '.join(STACKS)}")
    parser.add_argument("--render-only", action="store_true", help="rewrite the reports from serve_load.json")
    args = parser.parse_args()
    if args.render_only:
        return write_reports(json.loads((RESULTS / "serve_load.json").read_text()))
    stacks = args.stacks.split(",")
    if unknown := set(stacks) - set(STACKS):
        raise SystemExit(f"unknown stacks {sorted(unknown)}; choose from {', '.join(STACKS)}")

    rng = np.random.default_rng(0)
    single = json.dumps({"values": np.cumsum(rng.normal(size=20)).round(4).tolist()}).encode()
    series = _mixed_series(1_000, rng)
    batch = json.dumps({"series": series}).encode()
    results = {"environment": environment(), "load_average_before": os.getloadavg(), "stacks": {}}
    results["in_process_batch_series_per_s"] = in_process_batch(series, args.batches)
    for name in stacks:
        print(f"== {name}: {STACKS[name][0]}", flush=True)
        with Server(STACKS[name][1]) as server:
            figures = {"ready_s": server.ready_s}
            for clients in (1, 16):
                figures.update(_suffix(run_load(server.port, "/predict", single, clients, args.requests), clients))
            figures.update(batch_load(server.port, batch, len(series), args.batches))
            if name == stacks[0] and args.soak:
                figures.update(soak(server, single, args.soak))
        figures["checks"] = {key: passes(key, figures[key]) for key in TARGETS}
        results["stacks"][name] = figures
        print(json.dumps(figures, indent=1), flush=True)
    results["load_average_after"] = os.getloadavg()
    results["payloads"] = {
        "predict_bytes": len(single),
        "batch_bytes": len(batch),
        "batch_values": sum(map(len, series)),
    }
    write_result(RESULTS / "serve_load.json", json.dumps(results, indent=2) + "\n")
    write_reports(results)


def write_reports(results: dict) -> None:
    write_result(RESULTS / "serve_load.md", render(results))
    replace_block("serve-load", table(results))


def _mixed_series(n: int, rng: np.random.Generator) -> list[list[float]]:
    """``n`` generated series of every training family, lengths 4-64 (the generator's default range)."""
    batch = generate_batch(n, seed=rng)
    return [row[:length].round(4).tolist() for row, length in zip(batch.data, batch.lengths, strict=True)]


def _suffix(figures: dict, clients: int) -> dict:
    return {f"{key}_{clients}_client{'s' if clients > 1 else ''}": value for key, value in figures.items()}


def environment() -> dict:
    from importlib import metadata

    versions = {}
    for name in ("numseries", "fastapi", "starlette", "pydantic", "uvicorn", "uvloop", "httptools", "onnxruntime"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(), "versions": versions}


class Server:
    """A server process on a free port of 127.0.0.1; ``ready_s`` from its start to its first /health answer."""

    def __init__(self, command: list[str]) -> None:
        self.command = command

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        argv = [sys.executable, *self.command, "--host", HOST, "--port", str(self.port), "--log-level", "warning"]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        start = time.perf_counter()
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while time.perf_counter() - start < 30:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                status, _ = asyncio.run(_one(self.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
                if status == 200:
                    break
            except OSError:
                time.sleep(0.005)
        else:
            raise SystemExit("server not ready after 30 s")
        self.ready_s = time.perf_counter() - start
        return self

    def rss_mib(self) -> float:
        """Resident memory of the server and its children (workers), MiB."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total / 1024

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _request(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    return int(head.split(b" ", 2)[1]), await reader.readexactly(length)


async def _one(port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(raw)
        return await _read_response(reader)
    finally:
        writer.close()


async def _clients(
    port: int, raw: bytes, clients: int, requests: int, on_done=None, seconds: float = PHASE_SECONDS
) -> tuple[list[float], float]:
    """``clients`` keep-alive connections sending ``raw`` until ``requests`` answers -> latencies (s), wall (s)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    remaining = requests

    async def client() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                writer.write(raw)
                status, body = await _read_response(reader)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    raise SystemExit(f"HTTP {status}: {body[:200]!r}")
                if on_done is not None:
                    on_done(len(latencies))
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - start


def run_load(port: int, path: str, body: bytes, clients: int, requests: int) -> dict:
    raw = _request(path, body)
    asyncio.run(_clients(port, raw, clients, min(requests, 500)))  # warm up
    latencies, wall = asyncio.run(_clients(port, raw, clients, requests))
    ms = np.array(latencies) * 1e3
    return {
        "requests": len(ms),
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "requests_per_s": len(ms) / wall,
    }


def batch_load(port: int, body: bytes, n_series: int, batches: int) -> dict:
    raw = _request("/predict/batch", body)
    asyncio.run(_clients(port, raw, 1, 2))
    latencies, wall = asyncio.run(_clients(port, raw, 1, batches))
    return {
        "batches": len(latencies),
        "batch_series_per_s": n_series * len(latencies) / wall,
        "batch_p50_ms": float(statistics.median(latencies) * 1e3),
    }


def in_process_batch(series: list[list[float]], batches: int) -> float:
    """The same batch through ``Predictor.predict_batch`` in this process, no HTTP: the model's share."""
    predictor = Predictor.from_pretrained()
    predictor.predict_batch(series)
    start = time.perf_counter()
    for _ in range(batches):
        predictor.predict_batch(series)
    return len(series) * batches / (time.perf_counter() - start)


def soak(server: Server, body: bytes, requests: int) -> dict:
    """``requests`` /predict with 16 clients; RSS sampled every ``requests // 20`` answers (bounded: 10 min)."""
    samples = [(0, server.rss_mib())]
    every = max(requests // 20, 1)

    def sample(done: int) -> None:
        if done % every == 0:
            samples.append((done, server.rss_mib()))

    latencies, wall = asyncio.run(_clients(server.port, _request("/predict", body), 16, requests, sample, 600.0))
    samples.append((len(latencies), server.rss_mib()))
    half = next(rss for done, rss in samples if done >= len(latencies) // 2)
    return {
        "soak_requests": len(latencies),
        "soak_seconds": wall,
        "soak_rss_mib": samples,
        "soak_rss_growth_second_half_mib": samples[-1][1] - half,
    }


def passes(name: str, value: float) -> bool:
    limit, kind = TARGETS[name]
    return value <= limit if kind == "max" else value >= limit


def table(r: dict) -> str:
    check = {True: "yes", False: "**no**"}
    lines = [
        "| Stack | Ready | /predict, 1 client: p50 / p99 | req/s | 16 clients: p50 / p99 | req/s | batch series/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in r["stacks"].items():
        c = f["checks"]
        lines.append(
            f"| {STACKS[name][0]} | {f['ready_s']:.2f} s ({check[c['ready_s']]}) "
            f"| {f['p50_ms_1_client']:.2f} / {f['p99_ms_1_client']:.2f} ms | {f['requests_per_s_1_client']:,.0f} "
            f"| {f['p50_ms_16_clients']:.2f} / {f['p99_ms_16_clients']:.2f} ms ({check[c['p99_ms_16_clients']]}) "
            f"| {f['requests_per_s_16_clients']:,.0f} ({check[c['requests_per_s_16_clients']]}) "
            f"| {f['batch_series_per_s']:,.0f} ({check[c['batch_series_per_s']]}) |"
        )
    first = next(iter(r["stacks"].values()))
    if "soak_requests" in first:
        rss = first["soak_rss_mib"]
        lines += [
            "",
            f"Memory over {first['soak_requests']:,} requests ({first['soak_seconds']:.0f} s, 16 clients) on the "
            f"first stack: RSS {rss[0][1]:.1f} MiB after warm-up, {rss[len(rss) // 2][1]:.1f} MiB halfway, "
            f"{rss[-1][1]:.1f} MiB at the end ({first['soak_rss_growth_second_half_mib']:+.1f} MiB over the "
            "second half).",
        ]
    lines += [
        "",
        "Targets (issue 15): p99 ≤ 10 ms and ≥ 1,000 req/s with 16 clients; ≥ 15,000 series/s for batches of "
        "1,000 series of lengths 4–64; ready ≤ 2 s. The load generator runs on the same "
        f"{r['environment']['cpus']} CPUs as the server, and other work ran beside them: load average "
        f"{r['load_average_before'][0]:.2f} before, {r['load_average_after'][0]:.2f} after. The same batch "
        "through `Predictor.predict_batch` in-process, without HTTP, ran at "
        f"{r['in_process_batch_series_per_s']:,.0f} series/s in this run.",
    ]
    return "\n".join(lines)


def render(r: dict) -> str:
    env = r["environment"]
    return "\n".join(
        [
            "# Serving speed",
            "",
            "Measured by `python benchmarks/serve_load.py` against real server processes on 127.0.0.1.",
            "",
            f"- Machine: {env['cpu']}, {env['cpus']} CPUs (shared with the load generator); Python {env['python']}; "
            + ", ".join(f"{k} {v}" for k, v in env["versions"].items()),
            f"- Load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in r['load_average_before'])}, "
            f"after: {', '.join(f'{v:.2f}' for v in r['load_average_after'])}",
            f"- Payloads: /predict {r['payloads']['predict_bytes']} bytes (20 values); /predict/batch "
            f"{r['payloads']['batch_bytes']:,} bytes (1,000 series, {r['payloads']['batch_values']:,} values)",
            "",
            table(r),
            "",
        ]
    )


if __name__ == "__main__":
    main()
