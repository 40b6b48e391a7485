"""``/predict`` requests on many event loops at once (TestClient without ``with``: one loop per request)."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("fastapi", reason="needs the serve extra")
from fastapi.testclient import TestClient  # noqa: E402

from numseries import serve  # noqa: E402


def test_concurrent_requests_on_different_event_loops_are_all_answered(monkeypatch):
    group = serve._predict_group

    def slow_group(*args):  # a slow model call, so that the requests of the other threads arrive meanwhile
        time.sleep(0.3)
        return group(*args)

    monkeypatch.setattr(serve, "_predict_group", slow_group)
    client = TestClient(serve.create_app())  # without `with`: each request runs on a loop of its own
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    statuses: list[int] = []

    def post() -> None:
        statuses.append(client.post("/predict", json={"values": values}).status_code)

    # Daemon threads: a request that never returns cannot keep the test process from exiting.
    threads = [threading.Thread(target=post, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert statuses == [200] * 4, f"{4 - len(statuses)} of 4 requests got no answer in 30 s"
