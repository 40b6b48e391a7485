"""A window whose values all step one way and saturate goes on settling from the second step: its steps keep
their way and shrink, none larger than the one before (adversarial round 46: a logistic share in percent, named
"logistic (saturating)", was forecast to turn back and fall to -57, its 80% band below 0)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import predict_cli
from numseries.predict import Predictor

LOGISTIC = [1.5, 2.7, 4.7, 8.3, 14.2, 23.1, 35.4, 50, 64.6, 76.9]  # 100 / (1 + exp(-0.6 (t - 7))), to 0.1
LOGISTIC_NEXT = 100 / (1 + np.exp(-0.6 * (np.arange(10, 18) - 7)))
COOLING = list(np.round(20 + 60 * (2 / 3) ** np.arange(10), 1))  # toward a level of 20
COOLING_NEXT = 20 + 60 * (2 / 3) ** np.arange(10, 18)


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained()


def test_a_logistic_share_levels_off_instead_of_turning_back(shipped, monkeypatch):
    forecast = shipped.forecast(LOGISTIC, 8, level=[80, 95])
    assert forecast.settles and not forecast.logs and forecast.cycle is None
    assert (np.diff(np.r_[LOGISTIC[-1], forecast.values]) > 0).all()  # it goes on rising, by shrinking steps
    assert (np.diff(forecast.values[1:]) < np.diff(forecast.values[:-1])).all()
    assert np.abs(forecast.values - LOGISTIC_NEXT).max() < 2.5  # 84.8 90.6 94.4 96.7 98.3 99.5 100.6 101.6
    assert forecast.values[-1] == pytest.approx(101.65, abs=0.05) and LOGISTIC_NEXT[-1] == pytest.approx(99.75, abs=0.005)
    assert forecast.values[0] == shipped.predict(LOGISTIC).value  # step 1 stays the network's prediction
    for level in (80, 95):
        lo, hi = forecast.interval(level)
        assert (lo <= forecast.values).all() and (forecast.values <= hi).all()
    monkeypatch.setattr("numseries.forecast.SETTLE_VALUES", 10**9)  # never taken: the network's path
    network = shipped.forecast(LOGISTIC, 8, level=[80])
    assert not network.settles and network.values[-1] < 0  # it turned back, below 0 by step 8 (the README's)


def test_a_decay_to_a_level_above_zero_settles_at_that_level(shipped, monkeypatch):
    for window, truth in ((COOLING, COOLING_NEXT), (COOLING[:6], 20 + 60 * (2 / 3) ** np.arange(6, 14))):
        forecast = shipped.forecast(window, 8, level=[80])
        assert forecast.settles
        assert (np.diff(np.r_[window[-1], forecast.values]) < 0).all() and forecast.values.min() > 20
        error = np.abs(forecast.values - truth).max()
        assert error < 0.3  # 0.26 and 0.23 (the network's step 1 is off by 0.11 and 0.09; the path goes on from it)
        monkeypatch.setattr("numseries.forecast.SETTLE_VALUES", 10**9)
        assert np.abs(shipped.forecast(window, 8) - truth).max() > error  # the network's path missed by more
        monkeypatch.undo()


def test_a_wave_on_its_way_to_a_peak_keeps_the_network_s_turn(shipped):
    # steps that shrink as a sine's do near its peak (not by one ratio), named an oscillation: it turns
    wave = list(np.round(50 + 40 * np.sin(2 * np.pi * np.arange(12) / 30 - 1.2), 1))
    forecast = shipped.forecast(wave, 8, level=[80])
    assert not forecast.settles and forecast.values[-1] < wave[-1]


def test_a_batch_settles_the_same_windows_and_paths(shipped):
    walk = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    batch = shipped.forecast_batch([walk, LOGISTIC, COOLING], 6, level=[80])
    assert batch.settles.tolist() == [shipped.forecast(walk, 6, level=[80]).settles, True, True]
    np.testing.assert_allclose(batch.values[1], shipped.forecast(LOGISTIC, 6), rtol=1e-6)
    assert "settles=True" in repr(batch.forecast(1))


def test_the_cli_json_and_server_say_the_path_settles(capsys):
    code, out, err = predict_cli(capsys, *map(str, LOGISTIC), "--steps", "6")
    assert code == 0 and "settle: the values read all step one way" in err and "settling" in out
    code, out, _ = predict_cli(capsys, *map(str, LOGISTIC), "--steps", "6", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["forecast_settles"] is True and answer["forecast_logs"] is False
    code, out, err = predict_cli(capsys, "3", "6.1", "9.2", "12", "14.9", "--steps", "3", "--json")
    assert json.loads(out)["forecast_settles"] is False and "settle" not in err
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from numseries.serve import create_app

    with TestClient(create_app()) as client:
        assert client.post("/predict", json={"values": LOGISTIC, "steps": 6}).json() == answer
        batch = client.post("/predict/batch", json={"series": [LOGISTIC, [3, 6.1, 9.2, 12, 14.9]], "steps": 6}).json()
        assert [row["forecast_settles"] for row in batch["predictions"]] == [True, False]
        schema = client.get("/openapi.json").json()["components"]["schemas"]
        assert any("forecast_settles" in model.get("properties", {}) for model in schema.values())


def test_settling_paths_keep_their_shape_and_level_off_far_ahead(shipped):
    # adversarial round 48: step 2 went back against the window (measured from the last value, not from step 1),
    # steps grew again, the steps of the logistic share stopped shrinking (162 at step 100), and the bands were
    # the turning path's moved: the cooling curve's 80% band at step 1000 reached 1e90
    rng = np.random.default_rng(0)
    windows = [np.round(100 / (1 + np.exp(-k * (np.arange(n) - mid * n))), 1)
               for k in (0.4, 0.6, 0.9) for n in (8, 12, 16) for mid in (0.5, 0.7)]
    windows += [np.round(b + a * r ** np.arange(n), 1) for r in (0.6, 0.8) for n in (6, 10, 16)
                for b, a in [rng.uniform(10, 30, 2) * [1, 3]]]
    batch = shipped.forecast_batch(windows, 30, level=[80])
    assert batch.settles.sum() >= 10
    for i in np.flatnonzero(batch.settles):
        window, path = windows[i], batch.values[i]
        way = np.sign(window[-1] - window[-2])
        steps = np.diff(path) * way  # (29,) steps 2..30, the window's way: positive and shrinking
        assert (steps >= 0).all() and (np.diff(steps) <= 1e-9).all()
        assert steps[0] <= abs(window[-1] - window[-2]) + 1e-9 and (path[0] - window[-1]) * way > 0
        lo, hi = batch.interval(80)
        assert (lo[i] <= path).all() and (path <= hi[i]).all()
    share = shipped.forecast(LOGISTIC, 100, level=[80])
    assert share.settles and share.values.max() < 115  # 101.6 at step 8, 113.4 at step 100 (the curve: 100)
    cooling = shipped.forecast(COOLING, 1000, level=[80])
    lo, hi = cooling.interval(80)
    assert cooling.settles and hi[-1] - lo[-1] < np.ptp(COOLING) and 20 < cooling.values[-1] < 20.5


def test_a_rise_the_network_reads_as_turning_is_not_settled(shipped):
    # adversarial round 48: a daily-cases curve before its peak, named logistic, settled and climbed to 10,361
    # (its truth fell to 35); its steps shrink only at the last step. And a window whose step 1 the network
    # turns back zigzagged: down at step 1, up from step 2
    for window in ([9, 16, 46, 79, 164, 351, 700, 1284, 1822], [6.76, 14.94, 31.56, 61.66, 105.69, 153.34, 190.38, 215.3, 224.9]):
        forecast = shipped.forecast(window, 8, level=[80])
        assert not forecast.settles and forecast.values[-1] < forecast.values.max()


def test_a_noisy_s_curve_whose_path_turns_back_settles(shipped):
    # adversarial round 66: every step rose, their sizes shrinking by no one ratio (noise); the network's path read a
    # wave past its peak and fell to 19.7 by step 12 (the curve goes on to about 69.5); the README's example
    window = [7.4, 10.4, 14.6, 19.8, 25.9, 32.9, 39.5, 46.3, 50.7, 56.4, 58.7, 63]
    forecast = shipped.forecast(window, 12, level=[80])
    assert forecast.settles and (np.diff(forecast.values) >= 0).all() and forecast.values[0] == shipped.predict(window).value
    assert f"{forecast.values[-1]:.1f}" == "109.8"  # (the README's; the curve: about 69.5)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr("numseries.forecast._saturating", lambda _predictor, sources: np.zeros(len(sources), bool))
    try:  # (nor saturating by its step sizes: settled only for turning back)
        assert shipped.forecast(window, 12, level=[80]).settles
        monkeypatch.setattr("numseries.forecast._turning", lambda _padded, lengths: np.ones(len(lengths), bool))
        before = shipped.forecast(window, 12, level=[80])  # (read as a wave's: no turn taken back)
    finally:
        monkeypatch.undo()
    assert not before.settles and f"{before.values[-1]:.1f}" == "19.7"
