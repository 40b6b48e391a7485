"""``numseries serve``: the model behind an HTTP API and a web page (needs the serve extra).

numseries serve                         http://127.0.0.1:8000: the page; /docs: the API
numseries serve --port 9000 --weights my_weights
numseries serve --host 0.0.0.0          reachable from other machines: only on a network you trust
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import time

log = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 30  # on SIGTERM, the requests in flight get this long to finish; then their connections close


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--weights", help="model: a weights folder, .onnx, .pt or .safetensors (default: shipped)")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"], help="server log detail"
    )
    parser.add_argument(
        "--shutdown-timeout", type=float, default=SHUTDOWN_SECONDS, metavar="SECONDS",
        help=f"on SIGTERM or Ctrl+C, how long the requests in flight get to finish (default: {SHUTDOWN_SECONDS})",
    )


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be between 0 and 65535, got {args.port}")
    if not 0 <= args.shutdown_timeout < float("inf"):  # (NaN too)
        raise ValueError(f"--shutdown-timeout must be a number of seconds, 0 or more, got {args.shutdown_timeout}; e.g. 30")
    try:
        import uvicorn

        from numseries.serve import create_app
    except ImportError as err:  # numseries.serve's own message names the extra; uvicorn's does not
        advice = "" if "numseries[serve]" in str(err) else "; pip install 'numseries[serve]'"
        raise ValueError(f"{err}{advice}") from None
    listening = _bound(args.host, args.port)  # before the model loads: a port in use is one line at once
    try:
        app = create_app(args.weights)
        port = listening.getsockname()[1]  # --port 0: the one the system chose
        log.info("numseries serve: model loaded in %.2f s; the page: %s", time.perf_counter() - started, page_url(args.host, port))
        # uvicorn stops gracefully on SIGINT and SIGTERM: it finishes the requests in flight, then re-raises the
        # signal (uvicorn 0.55: the process ends by it, status -15 for SIGTERM; older versions exited 0)
        config = uvicorn.Config(
            app, host=args.host, port=port, log_level=args.log_level, access_log=False,
            timeout_graceful_shutdown=args.shutdown_timeout,  # (round 61: a client holding half a body held it forever)
        )
        uvicorn.Server(config).run(sockets=[listening])
    finally:
        listening.close()
    return 0


def _bound(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (as uvicorn binds one); a host that does not resolve or an
    address that cannot be bound (a port in use) is a one-line ValueError naming the option to change."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as err:
        raise ValueError(
            f"--host {host!r} is no address of this machine ({err.strerror}); use 127.0.0.1 (this machine only) "
            "or 0.0.0.0 (every network it is on)"
        ) from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as err:
        listening.close()
        if err.errno == errno.EADDRINUSE:
            raise ValueError(f"port {port} on {host} is in use; pick another with --port (or stop what listens there)") from None
        raise ValueError(f"cannot listen on {host}:{port}: {err.strerror or err}; pick another --host or --port") from None
    return listening


def page_url(host: str, port: int) -> str:
    """The page's address: an IPv6 host in brackets (http://[::1]:8000/, not http://::1:8000/)."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
