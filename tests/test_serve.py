"""The HTTP API of ``numseries serve``, through the ASGI app in-process (a real server: test_serve_live.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="needs the serve extra")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from numseries.cli import main  # noqa: E402
from numseries.predict import Predictor  # noqa: E402
from numseries.serve import MAX_BATCH, MAX_BODY_BYTES, MAX_VALUES, PredictAnswer, create_app  # noqa: E402
from numseries.weights import ONNX_FILE, shipped_weights_dir  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


def _post(client, path: str, body: bytes, content_type: str = "application/json"):
    return client.post(path, content=body, headers={"content-type": content_type})


@pytest.mark.parametrize("steps", [None, 1, 4])
def test_predict_returns_the_json_of_predict_json(client, capsys, steps):
    values = [3, 6.1, 9.2, 12]
    argv = ["predict", *map(str, values), "--json"] + (["--steps", str(steps)] if steps else [])
    assert main(argv) == 0
    expected = json.loads(capsys.readouterr().out)
    body = {"values": values} | ({"steps": steps} if steps else {})
    response = client.post("/predict", json=body)
    assert response.status_code == 200
    assert response.json() == expected
    assert ("forecast" in response.json()) == (steps is not None)
    assert response.json().keys() <= PredictAnswer.model_fields.keys()  # /docs describes every field


def test_a_forecast_that_repeats_the_sequence_s_cycle_says_so_as_the_cli_does(client, capsys):
    t = np.arange(48)  # with a little noise: rounded to 3 decimals, the season on its line is an exact rule
    noise = np.random.default_rng(1).normal(0, 0.05, 48)  # (x[t] = x[t-12] + 1.2), continued exactly
    values = [round(float(v), 3) for v in 300 + 0.1 * t + 3 * np.sin(2 * np.pi * t / 12) + noise]
    assert main(["predict", *map(str, values), "--json", "--steps", "6"]) == 0
    expected = json.loads(capsys.readouterr().out)
    answer = client.post("/predict", json={"values": values, "steps": 6}).json()
    assert answer == expected and answer["forecast_cycle"] == 12


def test_level_chooses_the_intervals_as_the_cli_does(client, capsys):
    values = [3, 6.1, 9.2, 12, 14.8]
    assert main(["predict", *map(str, values), "--json", "--level", "50", "95"]) == 0
    expected = json.loads(capsys.readouterr().out)
    answer = client.post("/predict", json={"values": values, "level": [50, 95]}).json()
    assert answer == expected and list(answer["intervals"]) == ["50", "95"]
    exact = client.post("/predict/batch", json={"series": [[1, 1, 2, 3, 5, 8, 13]]}).json()["predictions"][0]
    assert exact["exact"] and exact["intervals"]["80"] == [21, 21] and exact["pattern"].startswith("Fibonacci")


def test_a_level_below_1_is_noted_in_the_answer_not_warned_on_the_servers_stderr(client, recwarn):
    # adversarial round 6: each such request printed a UserWarning on the server, and the client saw nothing
    for body in ({"values": [3, 6.1, 9.2, 12, 14.8], "level": [0.5]}, {"values": [3, 6.1, 9.2, 12], "level": [0.5], "steps": 2}):
        answer = client.post("/predict", json=body).json()
        assert answer["note"].startswith("level 0.5 means a 0.5% interval") and list(answer["intervals"]) == ["0.5"]
    assert not [w for w in recwarn if "percent" in str(w.message)]
    assert "note" not in client.post("/predict", json={"values": [3, 6.1, 9.2, 12], "level": [80]}).json()


def test_an_empty_level_list_asks_for_no_intervals_as_in_python(client):
    # adversarial round 7: the server refused level [] ("at least 1 item"), which Python reads as none
    for body in ({"values": [3, 6.1, 9.2, 12]}, {"values": [3, 6.1, 9.2, 12], "steps": 3}):
        answer = client.post("/predict", json={**body, "level": []}).json()
        assert "intervals" not in answer and "forecast_intervals" not in answer, answer
        assert answer["prediction"] == client.post("/predict", json=body).json()["prediction"]


def test_an_exact_rule_s_big_integer_reaches_the_client_to_the_last_digit(client, capsys):
    import math

    values = [math.factorial(k) for k in range(1, 18)]  # 17 factorials: the next, 18!, has 16 digits
    assert main(["predict", *map(str, values), "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["prediction"]
    response = client.post("/predict", json={"values": values})
    assert response.json()["prediction"] == math.factorial(18) == expected
    assert f'"prediction":{math.factorial(18)},' in response.text


@pytest.mark.parametrize(
    "values",
    [  # adversarial round 28: JavaScript's JSON.stringify writes 2**64 as 18446744073709552000, an integer the
        # server refused ("an integer float64 cannot hold exactly") though the CLI and the page read that text
        ["18446744073709552000", "1", "2"],
        ["100000000000000000000000", "200000000000000000000000", "300000000000000000000000", "400000000000000000000000"],
    ],
)
def test_an_integer_written_as_its_float_s_shortest_digits_is_read_as_the_cli_reads_it(client, capsys, values):
    assert main(["predict", *values, "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    body = f'{{"values": [{", ".join(values)}]}}'
    response = client.post("/predict", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json() == expected
    batch = client.post("/predict/batch", content=f'{{"series": [[{", ".join(values)}]]}}',
                        headers={"Content-Type": "application/json"})  # fmt: skip
    assert batch.json()["predictions"][0]["prediction"] == expected["prediction"]


def test_predict_crops_a_long_sequence_as_the_cli_does(client):
    values = np.sin(np.arange(100) / 5).round(6).tolist()
    data = client.post("/predict", json={"values": values}).json()
    assert (data["n_values"], data["n_used"]) == (100, 64)
    assert data["attention"][:36] == [0.0] * 36
    assert data["prediction"] == pytest.approx(Predictor.from_pretrained().predict(values).value)


def test_batch_items_have_the_predict_json_of_each_series(client):
    halvings = [round(100 * 0.5**t * (1 + 0.01 * np.sin(t)), 6) for t in range(12)]  # the network reads the last 8
    exact = [100 * 0.5**t for t in range(12)]  # a rule reads them all
    series = [[1, 2, 3], [5, 3, 1, -1], np.cos(np.arange(80) / 3).round(5).tolist(), halvings, exact]
    response = client.post("/predict/batch", json={"series": series})
    assert response.status_code == 200
    items = response.json()["predictions"]
    assert len(items) == len(series)
    for values, item in zip(series, items, strict=True):
        single = client.post("/predict", json={"values": values}).json()
        assert item.keys() == single.keys()
        assert (item["n_values"], item["n_used"], item["n_read"]) == (single["n_values"], single["n_used"], single["n_read"])
        assert item["prediction"] == pytest.approx(single["prediction"], rel=1e-5, abs=1e-6)
        assert item["attention"] == pytest.approx(single["attention"], abs=1e-5)
    # adversarial round 11: the JSON left out n_read, which the table's note gives
    assert [item["n_read"] for item in items] == [3, 4, 64, 8, 12]


def test_a_batch_takes_levels_and_steps_as_predict_does(client):
    """Adversarial round 18: /predict/batch refused level and steps ('extra inputs are not permitted'), so a
    batch client got no 95% interval and no forecast."""
    series = [[1, 2, 3, 4], [3, 6.1, 9.2, 12], [1, 1, 2, 3, 5, 8], np.sin(np.arange(30) / 2).round(4).tolist()]
    body = {"level": [80, 95], "steps": 3}
    items = client.post("/predict/batch", json={"series": series, **body}).json()["predictions"]
    for values, item in zip(series, items, strict=True):
        single = client.post("/predict", json={"values": values, **body}).json()
        assert item.keys() == single.keys() and item["weights"] is None
        _assert_same({**item, "weights": single["weights"]}, single)
    assert items[0]["forecast"] == [5, 6, 7] and items[0]["forecast_intervals"]["95"] == [[5, 6, 7], [5, 6, 7]]
    fraction = client.post("/predict/batch", json={"series": series, "level": [0.8]}).json()
    assert fraction["note"].startswith("level 0.8 means a 0.8% interval")
    too_many = client.post("/predict/batch", json={"series": series, "steps": 0})
    assert too_many.status_code == 422 and too_many.json()["error"].startswith("steps: input should be greater")


def test_batch_answers_are_each_rows_predict_json():
    from numseries.commands.predict import _as_json
    from numseries.serve import _rows_json

    rng = np.random.default_rng(5)
    series = [rng.normal(size=int(n)).cumsum().tolist() for n in rng.integers(3, 90, 50)]
    series += [[1, 1, 2, 3, 5, 8, 13], [2, 4, 6, 8], [7, 7, 7]]  # exact rules: integer predictions
    for level in ([80, 95], None):
        batch = Predictor.from_pretrained().predict_batch(series, level=level)
        assert _rows_json(batch) == [_as_json(batch.row(i), None) for i in range(len(series))]


def _assert_same(got, expected, path="answer"):
    """JSON answers equal, numbers to float32 rounding of the model (1e-6 relative)."""
    if isinstance(expected, dict):
        assert got.keys() == expected.keys(), path
        for key in expected:
            _assert_same(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), path
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-9), path
    else:
        assert got == expected and type(got) is type(expected), path


def test_concurrent_requests_share_model_calls_and_each_gets_its_own_answer():
    import asyncio

    import httpx

    from numseries.serve import _predict_one

    app = create_app()
    rng = np.random.default_rng(3)
    bodies = [{"values": rng.normal(size=int(n)).cumsum().round(4).tolist()} for n in rng.integers(3, 70, 60)]
    bodies += [
        {"values": [1, 4, 9, 16, 25]},  # exact rules: integer answers, their coefficients as weights
        {"values": [2, 4, 6, 8]},
        {"values": [3, 6.1, 9.2, 12], "level": [50, 95]},  # other levels: a group of its own
        {"values": [1e308, -1e308, 1e308]},  # overflows: its own 422, the others unharmed
        {"values": [5, 5, 5, 5]},
    ]

    async def send_all():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://numseries") as http:
            return await asyncio.gather(*(http.post("/predict", json=body) for body in bodies))

    responses = asyncio.run(send_all())
    batcher = app.state.batcher
    assert 1 <= batcher.calls <= len(bodies) // 4  # requests that arrived together shared model calls
    for body, response in zip(bodies, responses, strict=True):
        try:
            expected = _predict_one(batcher.predictor, body["values"], None, body.get("level"))
        except ValueError as err:
            assert response.status_code == 422 and response.json() == {"error": str(err)}
            continue
        assert response.status_code == 200, response.text
        _assert_same(response.json(), expected)
    assert responses[-5].json()["prediction"] == 36 and responses[-5].json()["exact"]


BAD = [7, 1, 7, 1, 7, 1, 9]  # the series whose prediction fails, in the tests below, with an unexpected error


def _send_together(app, bodies: list[dict]) -> list:
    """``bodies`` posted to /predict at once; the first model call waits, so that the others share the next."""
    import asyncio
    import time

    import httpx

    from numseries import serve

    group, groups = serve._predict_group, []

    def recorded(predictor, items):
        groups.append([values for values, _ in items])
        if len(groups) == 1:
            time.sleep(0.3)
        return group(predictor, items)

    async def send_all():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # a 500 is an answer, not a raise
        async with httpx.AsyncClient(transport=transport, base_url="http://numseries") as http:
            return await asyncio.gather(*(http.post("/predict", json=body) for body in bodies))

    serve._predict_group = recorded
    try:
        responses = asyncio.run(send_all())
    finally:
        serve._predict_group = group
    assert any(BAD in values and len(values) > 1 for values in groups), groups  # it shared a model call
    return responses


@pytest.mark.parametrize("fails_in", ["predict", "levels_or_default"])
def test_an_unexpected_error_of_one_request_is_its_own_answer_only(monkeypatch, fails_in):
    from numseries.serve import _predict_one

    app = create_app()
    predictor = app.state.batcher.predictor
    bodies = [{"values": [1, 2, 3, 5, 8]}, {"values": [3, 6.1, 9.2, 12]}, {"values": BAD}, {"values": [2, 4, 6, 8]}]
    bodies += [{"values": [1, 4, 9, 16, 25]}, {"values": [1, 2, 3], "level": [10**400]}, {"values": [5, 3, 1, 0.5]}]
    expected = {}
    for i, body in enumerate(bodies):
        if body["values"] != BAD and "level" not in body:
            expected[i] = _predict_one(predictor, body["values"], None, None)

    def failing(method):
        def call(series, *args, **kwargs):  # series: one (predict), or a list of them (predict_batch)
            if series == BAD or (isinstance(series, list) and BAD in series):
                raise OverflowError("math range error")
            return method(series, *args, **kwargs)

        return call

    if fails_in == "predict":  # the batch call fails, then the request alone
        monkeypatch.setattr(predictor, "predict_batch", failing(predictor.predict_batch))
        monkeypatch.setattr(predictor, "predict", failing(predictor.predict))
    else:  # before any model call, reading the request's levels
        levels = failing(predictor.levels_or_default)
        monkeypatch.setattr(predictor, "levels_or_default", lambda level: levels(BAD if level == [3] else level))
        bodies[2]["level"] = [3]
    responses = _send_together(app, bodies)
    assert responses[2].status_code == 500
    assert responses[2].json() == {"error": "internal error (OverflowError); the server logged it and keeps serving"}
    assert responses[5].status_code == 422 and responses[5].json()["error"].startswith(
        "level[0]: got 10000000000000000000... (401 digits), which is larger than float64 holds"
    )
    for i, answer in expected.items():
        assert responses[i].status_code == 200, (bodies[i], responses[i].text)
        _assert_same(responses[i].json(), answer)


def test_a_model_call_that_fails_as_a_whole_is_retried_request_by_request(monkeypatch):
    from numseries import serve

    app = create_app()
    group = serve._predict_group

    def failing(predictor, items):  # a fault no request's own isolation caught: the call fails as a whole
        if any(values == BAD for values, _ in items):
            raise RuntimeError("the model call failed")
        return group(predictor, items)

    monkeypatch.setattr(serve, "_predict_group", failing)
    bodies = [{"values": [2, 4, 6, 8]}, {"values": BAD}, {"values": [1, 4, 9, 16, 25]}]
    responses = _send_together(app, bodies)
    assert [response.status_code for response in responses] == [200, 500, 200]
    assert [responses[0].json()["prediction"], responses[2].json()["prediction"]] == [10, 36]


def test_the_app_freezes_what_it_loaded_so_the_collector_skips_it():
    import gc

    gc.unfreeze()
    create_app()
    assert gc.get_freeze_count() > 10_000  # the model, numpy, FastAPI: walked by no collection under load


def test_health_names_the_version_and_the_model_digest(client):
    health = client.get("/health").json()
    model = shipped_weights_dir() / ONNX_FILE
    assert health["status"] == "ok"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", health["version"])
    assert health["model"]["sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert (health["model"]["source"], health["model"]["max_len"]) == ("model.onnx", 64)
    # adversarial round 28: the calibration, the pattern classifier and the gradient graphs shape the answers too
    for name in ("calibration.json", "patterns.onnx", "patterns.json", "config.json", "model.gradient_64.onnx"):
        digest = hashlib.sha256((shipped_weights_dir() / name).read_bytes()).hexdigest()
        assert health["model"]["files"][name] == digest, name


def test_other_weights_are_served_through_the_same_loader(tiny_onnx):
    client = TestClient(create_app(tiny_onnx / ONNX_FILE))
    assert client.get("/health").json()["model"]["max_len"] == 16
    data = client.post("/predict", json={"values": list(range(20))}).json()
    assert (data["n_values"], data["n_used"]) == (20, 16)


def test_a_model_without_a_pattern_head_answers_the_pattern_the_cli_writes(tiny_onnx, capsys):
    """Adversarial report: "pattern": "" where the CLI's table says "no exact rule; the network's estimate"."""
    client = TestClient(create_app(tiny_onnx))
    values = [3, 6.1, 9.2, 12]
    assert main(["predict", "--weights", str(tiny_onnx), "--json", *map(str, values)]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert client.post("/predict", json={"values": values}).json() == expected
    (item,) = client.post("/predict/batch", json={"series": [values]}).json()["predictions"]
    assert item["pattern"] == expected["pattern"] == "no exact rule; the network's estimate"


BAD_REQUESTS = [  # body, content type, status, what the error must say
    (b"2 4 6 8", "application/json", 400, r"not valid JSON"),
    (b'{"values": [1, 2, 3', "application/json", 400, r"not valid JSON \(.* at character 19\)"),
    (b'{"values": [1, 2, 3]}', "text/plain", 422, r"JSON object sent with Content-Type: application/json"),
    (b"", "application/json", 422, r"the body is empty"),
    (b"[1, 2, 3]", "application/json", 422, r"the body: .*dictionary"),
    (b'{"values": [1, "2", 3]}', "application/json", 422, r"values\[1\]: input should be a valid number"),
    (b'{"values": [1, true, 3]}', "application/json", 422, r"^values\[1\]: input should be a valid number, got true$"),
    (  # an integer float64 would round: the Predictor's error, not a prediction for 9007199254740992
        b'{"values": [9007199254740993, 9007199254740994, 9007199254740995]}',
        "application/json",
        422,
        r"holds 9007199254740993, an integer float64 cannot hold exactly",
    ),
    (  # the same integer written as a float (adversarial round 14: a 200 for the series 990, 991, 992, 992)
        b'{"values": [9007199254740990, 9007199254740991, 9007199254740992, 9007199254740993.0]}',
        "application/json",
        422,
        r"^values\[3\]: got 9007199254740993\.0, which is an integer float64 cannot hold exactly \(it would be read as 9007199254740992\)",
    ),
    (b'{"values": [1, 2, 9.007199254740995e15]}', "application/json", 422, r"^values\[2\]: got 9\.007199254740995e15, which is an integer"),
    (  # adversarial round 28: a fraction past 2**53, read as 4e16: 'arithmetic (exact)' going on 5e16
        b'{"values": [1e16, 2e16, 3e16, 40000000000000001.5]}',
        "application/json",
        422,
        r"^values\[3\]: got 40000000000000001\.5, which is a number float64 cannot hold exactly \(it would be read as 40000000000000000\)",
    ),
    (  # adversarial round 29: floats are whole from 2**52 on
        b'{"values": [4503599627370496.5, 4503599627370498.5, 4503599627370500.5]}',
        "application/json",
        422,
        r"^values\[0\]: got 4503599627370496\.5, which is a number float64 cannot hold exactly",
    ),
    (b'{"values": "1 2 3"}', "application/json", 422, r"values: input should be a valid list"),
    (b'{"values": [1, 2]}', "application/json", 422, r"values: .*at least 3 items"),
    (b'{"values": [1, 2, NaN]}', "application/json", 422, r"values\[2\]: .*finite number, got NaN"),
    (b'{"values": [1, 2, -Infinity]}', "application/json", 422, r"values\[2\]: .*finite number, got -Infinity"),
    (b'{"values": [1, 2, 1e999]}', "application/json", 422, r"values\[2\]: .*finite number"),
    (  # a number past the float range: named as sent, not as the Infinity that JSON parsing read it as
        b'{"values": [1, 2, 1.0e400]}',
        "application/json",
        422,
        r"^values\[2\]: input should be a finite number, got 1\.0e400, which is beyond the float range",
    ),
    (  # below float64: JSON parsing reads it as 0, a wrong prediction; refused as the CLI and the page refuse it
        b'{"values": [1, 2, 3, -1.5e-400]}',
        "application/json",
        422,
        r"^values\[3\]: got -1\.5e-400, which is smaller than float64 holds \(about 5e-324\) and would be read as 0",
    ),
    (
        b'{"values": [1, 2, 3], "level": [1e-300, 80, 0.5e-330]}',
        "application/json",
        422,
        r"^level\[2\]: got 0\.5e-330, which is smaller",
    ),
    (b'{"values": [1, 2, 3], "level": [-1E999]}', "application/json", 422, r"^level\[0\]: .*got -1E999, which is beyond"),
    (b'{"values": [1, 2, Infinity]}', "application/json", 422, r"^values\[2\]: .*finite number, got Infinity$"),
    (b'{"values": [1, 2, 3], "steps": 1.5}', "application/json", 422, r"steps: .*valid integer"),
    (b'{"values": [1, 2, 3], "steps": 0}', "application/json", 422, r"steps: .*greater than or equal to 1"),
    (b'{"values": [1, 2, 3], "steps": 100000}', "application/json", 422, r"steps: .*less than or equal to 256"),
    (b'{"values": [1, 2, 3], "level": [150]}', "application/json", 422, r"level must be in \(0, 100\)"),
    (b'{"values": [1, 2, 3], "level": [' + b", ".join(b"%d" % k for k in range(5, 60, 5)) + b"]}", "application/json",
     422, r"level: .*at most 10 items"),  # the README's limits
    (b'{"values": [1, 2, 3], "quantiles": [80]}', "application/json", 422, r"quantiles: extra inputs are not permitted"),
    (b'{"vals": [1, 2, 3]}', "application/json", 422, r"values: field required|vals: extra"),
    # adversarial round 18: FastAPI said only "There was an error parsing the body"
    (b"[" * 50_000 + b"]" * 50_000, "application/json", 400, r"^the body nests arrays or objects 50,000 deep; send"),
    (b'{"values": ' + b"[" * 5_000 + b"1" + b"]" * 5_000 + b"}", "application/json", 400, r"nests .* 5,001 deep"),
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "application/json", 400, r"nests .* 5,000 deep"),  # (round 20)
    (  # past Python's integer-string limit: FastAPI said only "There was an error parsing the body"
        b'{"values": [1, 2, ' + b"9" * 5000 + b"]}",
        "application/json",
        422,
        r"^the body holds an integer of 5,000 digits, more than the 4,300 Python reads",
    ),
    # adversarial round 35b: "There was an error parsing the body", after two regexes ran over the whole body
    # on the event loop (seconds a megabyte: every client waited)
    (b'{"values": [1, 2, 3]}\xff', "application/json", 400, r"^the body is not UTF-8 text: byte 0xff at position 21; send"),
    (gzip.compress(b'{"values": [1, 2, 3]}', mtime=0), "application/json", 400, r"byte 0x8b at position 1 \(gzip's header"),
    (b'{"v": "[[[[[", "values": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "application/json", 400, r"nests .* 5,001 deep"),
    # round 36a: the string "a\\" ends at its second quote (it was read as escaped: "1 deep")
    (b'{"s": "a\\\\", "values": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "application/json", 400, r"nests .* 5,001 deep"),
    (b'{"s": "a\\"[[", "values": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", "application/json", 400, r"nests .* 5,001 deep"),
]


def test_a_compressed_body_is_refused_with_415_naming_its_encoding(client):
    response = client.post(
        "/predict", content=gzip.compress(b'{"values": [1, 2, 3]}', mtime=0),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )  # fmt: skip
    assert response.status_code == 415
    assert response.json() == {
        "error": "the body is compressed (Content-Encoding: gzip), which numseries serve does not read; send it uncompressed"
    }
    plain = client.post("/predict", json={"values": [1, 2, 3]}, headers={"Content-Encoding": "identity"})
    assert plain.status_code == 200


@pytest.mark.parametrize(("body", "content_type", "status", "message"), BAD_REQUESTS)
def test_a_bad_request_gets_a_4xx_json_error_naming_the_problem(client, body, content_type, status, message):
    response = _post(client, "/predict", body, content_type)
    assert str(response.status_code).startswith(str(status)), response.text
    error = response.json()["error"]
    assert re.search(message, error), error
    assert "Traceback" not in error and "\n" not in error
    assert client.post("/predict", json={"values": [2, 4, 6]}).status_code == 200  # still serving


def test_a_series_that_fails_alone_gets_its_error_and_the_others_their_answers(client):
    """A forecast past the float range made the whole batch one 422 (batch files mark the one series)."""
    body = {"series": [[1, 2, 3, 4], [1e300, 1e302, 1e304, 1e306], [2, 4, 8, 16]], "steps": 3}
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 200
    first, failed, last = response.json()["predictions"]
    assert first["forecast"] == [5, 6, 7] and last["forecast"] == [32, 64, 128]
    assert failed == {"error": "series[1]: the forecast of geometric, ratio 100 overflows float64; forecast fewer steps"}
    # adversarial round 23: a bad level was every series' error (HTTP 200); it is the request's
    response = client.post("/predict/batch", json={**body, "level": [150]})
    assert response.status_code == 422 and response.json()["error"].startswith("a level must be in (0, 100)")
    alone = client.post("/predict/batch", json={"series": [body["series"][1]], "steps": 3})
    assert alone.status_code == 200 and alone.json()["predictions"] == [{"error": failed["error"].replace("[1]", "[0]")}]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "SeriesError" in json.dumps(schema["BatchAnswer"])


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [  # adversarial round 21: "values: field required (and 1 more problem)" named neither the key sent nor the fix
        ("/predict", {"valuez": [1, 2, 3]}, "values: field required, and the body's key 'valuez' is none of this "
         "request's; did you mean 'values'?"),
        ("/predict/batch", {"serie": [[1, 2, 3]], "steps": 2}, "series: field required, and the body's key 'serie'"),
    ],
)
def test_a_misspelled_key_is_named_beside_the_field_it_misses(client, path, body, message):
    response = client.post(path, json=body)
    assert response.status_code == 422 and response.json()["error"].startswith(message)


def test_an_integer_past_the_float_range_is_named_as_the_cli_names_it(client):
    """Adversarial round 21: 400 nines were "must hold numbers only, got [9999...] (int too large to convert to
    float); remove the rest", the digits twice; 10**308 an error of 748 characters."""
    nines = "9" * 400
    response = _post(client, "/predict", f'{{"values": [{nines}, 1, 2]}}'.encode())
    assert response.status_code == 422
    assert response.json()["error"] == (
        "values[0]: got 99999999999999999999... (400 digits), which is larger than float64 holds (about "
        "1.8e308) and would be read as inf; divide the values by a large constant first (numseries scales its "
        "answer the same way)"
    )
    largest = int(sys.float_info.max) + 1  # read as the largest float, not inf (adversarial round 24)
    response = _post(client, "/predict", f'{{"values": [{largest}, 1, 2]}}'.encode())
    assert response.status_code == 422 and "an integer float64 cannot hold exactly" in response.json()["error"]
    response = _post(client, "/predict", f'{{"values": [{10**308 + 1}, 1, 2]}}'.encode())
    assert response.status_code == 422 and len(response.json()["error"]) < 250
    assert response.json()["error"].startswith("the sequence holds 10000000000000000000... (309 digits), an integer")
    response = _post(client, "/predict", f'{{"values": [{10**308}, 1, 2]}}'.encode())  # 1e308's digits: as the CLI
    assert response.status_code == 200 and response.json()["n_values"] == 3
    response = _post(client, "/predict/batch", f'{{"series": [[1, 2, 3], [1, 2, -{nines}]]}}'.encode())
    assert response.status_code == 422  # as 1e400 there: the request's error, named by its place
    assert response.json()["error"].startswith("series[1][2]: got -99999999999999999999... (400 digits), which is larger")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"series": []}, r"series: .*at least 1 item"),
        ({"series": [[1, 2, 3], [1, 2]]}, r"series\[1\]: .*at least 3 items"),
        ({"series": [[1, 2, 3], [1, None, 3]]}, r"series\[1\]\[1\]: .*valid number"),
        ({"series": [[1, 2, 3]] * (MAX_BATCH + 1)}, rf"series: .*at most {MAX_BATCH} items"),
        ({"values": [1, 2, 3]}, r"series: field required|values: extra"),
    ],
)
def test_a_bad_batch_gets_a_422_naming_the_series(client, body, message):
    response = client.post("/predict/batch", json=body)
    assert response.status_code == 422
    assert re.search(message, response.json()["error"], re.IGNORECASE), response.json()["error"]


def test_numbers_below_float64_are_refused_by_place_and_small_ones_answered(client):
    batch = b'{"series": [[1, 2, 3], [4, 5, 6, 7], [8, 9, 1E-999]]}'
    response = _post(client, "/predict/batch", batch)
    assert response.status_code == 422
    assert re.search(r"^series\[2\]\[2\]: got 1E-999, which is smaller than float64", response.json()["error"])
    zeros = _post(client, "/predict", b'{"values": [1, 2, 0.' + b"0" * 400 + b'3]}')
    assert re.search(r"^values\[2\]: got 0\.0000.*, which is smaller", zeros.json()["error"]), zeros.text
    small = _post(client, "/predict", b'{"values": [1e-300, 2e-300, 3e-300, 0.0e-999, 4.9e-324]}')  # all held
    assert small.status_code == 200, small.text
    assert small.json()["n_values"] == 5


def test_a_body_of_full_precision_floats_is_parsed_once(client, monkeypatch):
    """Only a body that may hold a number JSON parsing misreads is read a second time: 17 significant digits
    (as clients write floats) are no sign of one, 16 digits before the point or an exponent of 15 are."""
    from numseries import serve

    again = []
    monkeypatch.setattr(serve, "_misread_or_float", lambda text: again.append(text) or float(text))
    assert _post(client, "/predict", b'{"values": [0.30000000000000004, 1.2345678901234567, 2.5]}').status_code == 200
    assert again == []
    assert _post(client, "/predict", b'{"values": [1e15, 2e15, 3e15]}').status_code == 200
    assert again == ["1e15", "2e15", "3e15"]


def test_huge_arrays_are_refused_before_any_prediction(client):
    long = client.post("/predict", json={"values": [1.0] * (MAX_VALUES + 1)})
    assert long.status_code == 422
    assert re.search(rf"values: .*at most {MAX_VALUES} items", long.json()["error"])
    huge = _post(client, "/predict", b'{"values": [' + b"1," * (MAX_BODY_BYTES // 2) + b"1]}")
    assert huge.status_code == 413
    assert re.search(r"body over the limit of 16,777,216 bytes", huge.json()["error"])


def test_unknown_paths_and_methods_get_json_errors(client):
    assert client.get("/nothing").json()["error"].startswith("GET /nothing: Not Found")
    response = client.get("/predict")
    assert response.status_code == 405
    assert "Method Not Allowed" in response.json()["error"]
    # adversarial round 40: no Allow header (RFC 9110 asks a 405 for one), and no word of the method to use
    response = client.put("/predict/batch")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json()["error"] == "PUT /predict/batch: Method Not Allowed; use POST; see /docs"


def test_health_answers_head_as_the_page_does(client):
    """Adversarial round 16: HEAD / was 200 and HEAD /health 405 (uptime checks send HEAD); round 40: /docs."""
    assert client.head("/health").status_code == client.head("/").status_code == client.head("/docs").status_code == 200


@pytest.mark.parametrize("body", ['{"values": [1, 2, 3], "%s": 1}', '{"%s": [1, 2, 3]}'], ids=["extra", "misspelled"])
def test_a_key_of_a_megabyte_is_quoted_by_its_first_characters(client, body):
    """Adversarial round 40: the key was echoed whole, a one-line error of 1 MB."""
    response = _post(client, "/predict", (body % ("k" * 1_000_000)).encode())
    assert response.status_code == 422 and len(response.json()["error"]) < 200
    assert "kkkk..." in response.json()["error"]
    if '"values"' not in body:  # round 41: the misspelled key's quote is closed
        assert "'" + "k" * 57 + "...'" in response.json()["error"]


def test_query_parameters_are_refused_not_ignored(client):
    """Adversarial round 16: POST /predict?steps=3 answered 200 without the forecast it asked for."""
    response = client.post("/predict?steps=3", json={"values": [1, 2, 3, 4]})
    assert response.status_code == 422 and "query parameters are not read (steps)" in response.json()["error"]
    response = client.post("/predict/batch?level=95", json={"series": [[1, 2, 3, 4]]})
    assert response.status_code == 422 and "(level)" in response.json()["error"]
    assert client.post("/predict", json={"values": [1, 2, 3, 4], "steps": 3}).json()["forecast"] == [5, 6, 7]


def test_a_field_named_twice_is_refused_not_the_last_one_taken(client):
    """Adversarial round 24: {"values": [1, 2, 3], "values": [4, 5, 6]} was answered for 4 5 6 (JSON keeps the last)."""
    response = _post(client, "/predict", b'{"values": [1, 2, 3], "values": [4, 5, 6]}')
    assert response.status_code == 422
    assert response.json()["error"] == 'the body names "values" 2 times; send each field once'
    response = _post(client, "/predict/batch", b'{"series": [[1, 2, 3]], "level": [80], "level": [95]}')
    assert response.status_code == 422 and response.json()["error"].startswith('the body names "level" 2 times')
    # adversarial round 26: an escaped name, or a body in UTF-16, passed as one field
    response = _post(client, "/predict", b'{"values": [1, 2, 3], "\\u0076alues": [4, 5, 6]}')
    assert response.status_code == 422 and response.json()["error"].startswith('the body names "values" 2 times')
    response = _post(client, "/predict", '{"values": [1, 2, 3], "values": [4, 5, 6]}'.encode("utf-16"))
    assert response.status_code == 422 and response.json()["error"].startswith('the body names "values" 2 times')
    # each field once: answered as before
    assert _post(client, "/predict", b'{"values": [2, 4, 6], "level": [80]}').json()["prediction"] == 8


def test_a_level_below_float64_is_told_so_without_advice_for_values(client):
    """Adversarial round 16: level [1e-400] was told to "scale the values up first"."""
    response = _post(client, "/predict", b'{"values": [1, 2, 4], "level": [1e-400]}')
    error = response.json()["error"]
    assert response.status_code == 422 and error.startswith("level[0]: got 1e-400, which is smaller than float64")
    assert "values" not in error


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.sampled_from(["values", "steps", "series", "x"]), inner)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON, path=st.sampled_from(["/predict", "/predict/batch"]))
def test_no_json_body_gets_a_5xx(client, body, path):
    response = _post(client, path, json.dumps(body).encode())  # NaN and Infinity tokens included
    assert response.status_code < 500, (body, response.text)
    assert response.status_code == 200 or "error" in response.json()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=64))
def test_no_byte_string_gets_a_5xx(client, body):
    assert _post(client, "/predict", body).status_code < 500


def test_the_page_and_its_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'id="values"' in page.text and "/static/app.js" in page.text
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_head_of_the_page_and_its_files_answers_as_get_without_a_body(client):
    for path in ("/", "/static/app.js", "/static/style.css"):
        head, get = client.head(path), client.get(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert int(head.headers["content-length"]) == len(get.content), path


def test_docs_load_nothing_from_another_host(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", docs.text)
    assert urls and all(url.startswith("/") for url in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    schema = client.get("/openapi.json").json()
    assert {"/predict", "/predict/batch", "/health"} <= schema["paths"].keys()
    assert f'"maxItems": {MAX_BATCH}' in json.dumps(schema)  # the limits are documented in the schema
    # adversarial round 61: the 415 of a compressed body and the batch's note were not documented
    for path in ("/predict", "/predict/batch"):
        assert {"400", "408", "413", "415", "422"} <= schema["paths"][path]["post"]["responses"].keys()
    assert "note" in schema["components"]["schemas"]["BatchAnswer"]["properties"]


def test_serve_with_missing_weights_is_one_line_and_exit_2(capsys):
    assert main(["serve", "--weights", "no/such/weights", "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert re.fullmatch(r"numseries serve: error: weights path no/such/weights does not exist; .*\n", error)


def test_predict_never_imports_the_server_and_the_server_never_imports_torch():
    code = (
        "import sys; from numseries.cli import main; assert main(['predict', '2', '4', '6']) == 0\n"
        "assert not {'fastapi', 'uvicorn', 'pydantic'} & set(sys.modules), 'predict imported the server'\n"
        "from numseries.serve import create_app; create_app()\n"
        "assert 'torch' not in sys.modules, 'the server imported torch'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_batch_nested_deep_is_shown_the_batch_body(client):
    response = _post(client, "/predict/batch", b"[" * 5_000 + b"]" * 5_000, "application/json")
    assert response.status_code == 400 and response.json()["error"].endswith('send {"series": [[1, 2, 3], [5, 3, 1]]}')


def test_intervals_from_a_model_without_a_quantile_head_are_refused_naming_the_field(model):
    """Adversarial round 18: the 422 named the server's model file and "--level on the command line"."""
    client = TestClient(create_app(model), raise_server_exceptions=False)
    for path, body in (("/predict", {"values": [1, 2, 4, 7]}), ("/predict/batch", {"series": [[1, 2, 4, 7]]})):
        response = client.post(path, json={**body, "level": [80]})
        assert response.status_code == 422
        assert response.json()["error"] == (
            "this server's model has no quantile head, so no intervals; leave out level (or send [])"
        )
        assert client.post(path, json={**body, "level": []}).status_code == 200


def test_a_batch_with_a_failing_series_finds_it_in_few_model_calls(monkeypatch):
    """Adversarial round 23: one failing series made the batch predict every series again, one at a time
    (3,000 series: 5.1 s; 2,000 with 32 steps: 52 s); a rule's path past the float range is found alone."""
    from fastapi.testclient import TestClient

    from numseries.predict import Predictor

    calls = []
    original = Predictor.predict_batch

    def counted(self, sequences, **kwargs):
        calls.append(len(sequences))
        return original(self, sequences, **kwargs)

    monkeypatch.setattr(Predictor, "predict_batch", counted)
    series = [[1, 2, 3, 4.5]] * 511 + [[1e300, 1e302, 1e304, 1e306]]
    with TestClient(create_app()) as client:
        response = client.post("/predict/batch", json={"series": series, "steps": 2})
    answers = response.json()["predictions"]
    assert response.status_code == 200 and "error" in answers[-1] and all("error" not in a for a in answers[:-1])
    assert len(calls) <= 4  # the whole batch, its rules, the rest: not 512 calls, one per series
    calls.clear()  # adversarial round 24: where many failed, halving re-ran them all, level by level (2-4x slower)
    series = [[1, 2, 3, 4.5], [1e300, 1e302, 1e304, 1e306]] * 256
    with TestClient(create_app()) as client:
        answers = client.post("/predict/batch", json={"series": series, "steps": 2}).json()["predictions"]
    assert ["error" in answer for answer in answers] == [False, True] * 256
    assert len(calls) <= 4


def test_the_page_address_puts_an_ipv6_host_in_brackets():
    """Adversarial round 35b: --host ::1 logged http://::1:8799/, which no browser opens."""
    from numseries.commands.serve import page_url

    assert page_url("::1", 8799) == "http://[::1]:8799/"
    assert page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"


# The search _refuse_misread ran as one regular expression (8.5 ms on a batch of 1,000 series): the pieces that
# replaced it must say the same of every body.
_ONE_EXPRESSION = re.compile(rb"[eE]-\d{3}|\.0{300}|(?<![.\d])\d{16}|[eE]\+?(?:1[5-9]|[2-9]\d|\d{3})")
_NUMBER_PIECES = st.sampled_from(["0", "1", "9", "12345678", "0" * 8, ".", "e", "E", "-", "+", ",", " ", "[", '"', "a"])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_NUMBER_PIECES, max_size=40))
def test_the_search_for_misread_numbers_finds_what_one_expression_found(pieces):
    """... and more (round 41): what it finds is a superset, where an exponent follows a number's digits."""
    from numseries.serve import _may_be_misread

    body = "".join(pieces).encode()
    assume(not re.search(rb"(^|[^\d.])[eE]", body))  # (an e after a letter is no number's: "series")
    assert _may_be_misread(body) or not _ONE_EXPRESSION.search(body), body


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"values": [900719925474099.3e1, 1, 2]}', r"^values\[0\]: got 900719925474099\.3e1, which is an integer float64 cannot hold"),
        (b'{"values": [0.' + b"0" * 250 + b'1e-99, 1, 2]}', r"^values\[0\]: got 0\.0+, which is smaller than float64 holds"),
    ],
)
def test_the_server_refuses_what_the_cli_refuses_whatever_the_exponent(client, body, message):
    """Adversarial round 41: both were answered (read as 9007199254740992 and as 0) where the CLI refuses them."""
    response = _post(client, "/predict", body)
    assert response.status_code == 422 and re.search(message, response.json()["error"]), response.json()


@pytest.mark.parametrize(
    "body, found",
    [
        (b"[1.1234567890123456789, 2]", False),  # 19 digits after a point: read as written to float64's digits
        (b"[1, 1234567890123456]", True),
        (b"[-1234567890123456.5]", True),
        (b"[0.12345678901234567, 12345678901234567]", True),  # a run after a point, then an integer one
        (b"[1e-05, 2E+14, 3e14]", False),
        (b"[1e-400]", True),
        (b"[2E+15]", True),
        (b"[0." + b"0" * 300 + b"1]", True),
        (b"[0." + b"0" * 299 + b"1]", False),
        # adversarial round 41: the same sizes from the digits beside a smaller exponent
        (b"[900719925474099.3e1, 1, 2]", True),
        (b"[90071992547409.93e2]", True),
        (b"[12345.6e3, 1.5e14]", False),
        (b"[0." + b"0" * 250 + b"1e-99]", True),
        (b"[0.0001e-99, 0.5e-20]", False),
    ],
)
def test_numbers_float64_may_misread_are_searched_for(body, found):
    from numseries.serve import _may_be_misread

    assert _may_be_misread(body) is found


def test_the_pages_limits_are_the_servers():
    """The page checks the count of values and the steps before it sends them (adversarial round 40)."""
    from numseries.predict import MIN_VALUES
    from numseries.serve import MAX_STEPS

    script = (Path(__file__).resolve().parents[1] / "src" / "numseries" / "static" / "app.js").read_text()
    limits = re.search(r"const \[MIN_VALUES, MAX_VALUES, MAX_STEPS\] = \[(\d+), (\d+), (\d+)\];", script)
    assert limits is not None and tuple(map(int, limits.groups())) == (MIN_VALUES, MAX_VALUES, MAX_STEPS)


def test_the_schema_states_the_range_of_a_level(client):
    """Adversarial round 40: the README says /openapi.json states the limits; a level's (0, 100) was not there."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("PredictRequest", "BatchRequest"):
        (array,) = [option for option in schemas[name]["properties"]["level"]["anyOf"] if option.get("type") == "array"]
        assert (array["items"]["exclusiveMinimum"], array["items"]["maximum"], array["maxItems"]) == (0, 99, 10)


@pytest.mark.parametrize("quantiles", [None, (0.1, 0.5, 0.9)], ids=["shipped", "up-to-80"])
def test_the_schema_bounds_a_level_where_the_server_refuses_one_above_it(quantiles, tmp_path):
    """Adversarial report: the schema said a level is below 100; the server refused any above 99 ("use a level
    up to 99", the widest the shipped model's quantiles give). The bound is the model's, as its refusal."""
    weights = None
    if quantiles is not None:  # a tiny model whose quantiles give levels up to 80
        import dataclasses

        import torch

        from conftest import TINY
        from numseries.model import LSTMWithAttention
        from numseries.weights import save_pretrained

        torch.manual_seed(0)
        model = LSTMWithAttention(dataclasses.replace(TINY, quantile_levels=quantiles))
        weights = save_pretrained(model, tmp_path / "weights")
    client = TestClient(create_app(weights), raise_server_exceptions=False)
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    bounds = set()
    for name in ("PredictRequest", "BatchRequest"):
        (array,) = [option for option in schemas[name]["properties"]["level"]["anyOf"] if option.get("type") == "array"]
        bounds.add(array["items"]["maximum"])
    (bound,) = bounds
    for path, body in (("/predict", {"values": [3, 6.1, 9.2, 12]}), ("/predict/batch", {"series": [[3, 6.1, 9.2, 12]]})):
        refused = client.post(path, json={**body, "level": [bound + 0.001]})
        said = re.search(r"use a level up to (\S+)$", refused.json()["error"])
        assert refused.status_code == 422 and said is not None and float(said.group(1)) == bound, refused.json()
        assert client.post(path, json={**body, "level": [bound]}).status_code == 200
    assert bound == (99 if quantiles is None else 80)


def test_a_path_with_a_trailing_slash_is_a_404_json_not_a_redirect():
    """Adversarial round 61: POST /predict/ answered an empty 307 to a Location taken from the Host header."""
    client = TestClient(create_app(), raise_server_exceptions=False, follow_redirects=False)
    answer = client.post("/predict/", json={"values": [1, 2, 3]}, headers={"Host": "elsewhere.example"})
    assert answer.status_code == 404 and answer.json() == {"error": "POST /predict/: Not Found; see /docs"}
    assert "location" not in answer.headers
