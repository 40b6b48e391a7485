"""``numseries serve``: the model behind an HTTP API and a web page (needs the serve extra).

numseries serve                         http://127.0.0.1:8000: the page; /docs: the API
numseries serve --port 9000 --weights my_weights
numseries serve --host 0.0.0.0          reachable from other machines: only on a network you trust
"""

from __future__ import annotations

import argparse
import logging
import time

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--weights", help="model: a weights folder, .onnx, .pt or .safetensors (default: shipped)")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"], help="server log detail"
    )


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535, got {args.port}")
    try:
        import uvicorn

        from numseries.serve import create_app
    except ImportError as err:
        raise ValueError(f"{err}; pip install 'numseries[serve]'") from None
    app = create_app(args.weights)
    log.info(
        "numseries serve: model loaded in %.2f s; the page: http://%s:%d/",
        time.perf_counter() - started,
        args.host,
        args.port,
    )
    # uvicorn stops gracefully on SIGINT and SIGTERM: it finishes the requests in flight, then exits 0
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0
