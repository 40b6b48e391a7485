"""Growth faster than exponential, whose ratio grows each step (Bell's numbers, factorials, OEIS A001861),
is read from its logarithms where that predicts its own last values better: the network, reading the values,
continued it by a far smaller ratio than its last (``1 2 6 22 94 454 2430`` went on to 2660, where 14214
comes), and its forecasts flattened."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import predict_cli
from numseries.predict import Predictor

TOUCHARD = [1, 2, 6, 22, 94, 454, 2430]  # OEIS A001861, sums of 2^k S(n, k): then 14214, 89918, 610182
BELL = [1, 1, 2, 5, 15, 52, 203, 877, 4140]  # then 21147
MOTZKIN = [1, 1, 2, 4, 9, 21, 51, 127, 323, 835]  # ratios about 2.6: the network reads them well


@pytest.fixture(scope="module")
def network():
    return Predictor.from_pretrained(rules=False)


def test_a_growth_whose_ratio_grows_is_predicted_by_its_ratio(network, monkeypatch):
    prediction = network.predict(TOUCHARD, level=[80])
    assert prediction.logs and prediction.value == pytest.approx(14002, abs=0.5)  # the README's; 14214 comes
    lo, hi = prediction.interval(80)
    assert lo <= 14214 <= hi
    # the weights stay exact: exp(f(log x)) scales with x, so the prediction is their weighted sum
    assert float(np.sum(prediction.weights * np.array(TOUCHARD))) == pytest.approx(prediction.value, rel=1e-6)
    path = network.forecast(TOUCHARD, 3)
    np.testing.assert_allclose(path[1:], [84434, 523534], atol=0.5)  # the README's
    monkeypatch.setattr("numseries.forecast.LOG_GROWTH", np.inf)  # never read in logarithms
    before = network.predict(TOUCHARD)
    assert not before.logs and before.value == pytest.approx(2660, abs=0.5)  # the README's
    np.testing.assert_allclose(network.forecast(TOUCHARD, 3)[1:], [2687, 2697], atol=0.5)  # the README's


@pytest.mark.parametrize(
    ("values", "following"),
    [(BELL, 21147), ([1, 2, 6, 24, 120, 720, 5040, 40320], 362880), (TOUCHARD + [14214, 89918], 610182)],
)
def test_faster_than_exponential_growths_come_within_a_few_percent(network, values, following):
    prediction = network.predict(values)
    assert prediction.logs and prediction.value == pytest.approx(following, rel=0.03)


def test_a_growth_the_network_reads_well_keeps_its_prediction(network):
    assert not network.predict(MOTZKIN).logs  # (within 1% of the next, 2188, as read)
    assert not network.predict([3.1, 4.7, 2.2, 8.9, 5.5, 9.1]).logs  # a jump, no growth
    assert not network.predict([5, 6, 7, 9, 12, 19]).logs  # faster at its end (19 / 12): its backtest keeps it


def test_the_batch_the_forecast_and_its_path_go_on_by_ratios(network):
    batch = network.predict_batch([TOUCHARD, MOTZKIN, BELL], level=[80])
    assert batch.logs.tolist() == [True, False, True]
    single = network.predict(TOUCHARD, level=[80])
    assert batch.values[0] == pytest.approx(single.value, rel=1e-6)
    for paths in (None, 50):
        forecast = network.forecast(TOUCHARD, 4, level=[80], paths=paths)
        assert forecast.values[0] == pytest.approx(single.value, rel=1e-6) and forecast.logs
        # then 89918, 610182, 4412798: by ratios, not flat (the path read from the values stayed near 15000)
        np.testing.assert_allclose(forecast.values[1:], [89918, 610182, 4412798], rtol=0.3)
        lo, hi = forecast.interval(80)
        assert (np.diff(hi / lo) > 0).all()  # bands that widen, in ratio, with the horizon


def test_the_cli_says_so(capsys):
    code, out, err = predict_cli(capsys, "--no-rules", *map(str, TOUCHARD), "--steps", "3")
    assert code == 0 and "they grow by ratios, and read from the values it predicted a smaller ratio than they grow by" in err
    assert "steps 2-3 are the path read from the logarithms of the values (it goes on by their ratios), as step 1" in err
    assert "predicted below 0" not in err and "missed by over twice as much" not in err
    code, out, _ = predict_cli(capsys, *map(str, TOUCHARD), "--json")
    answer = json.loads(out)
    assert code == 0 and answer["logs"] is True and answer["prediction"] == pytest.approx(14002, abs=0.5)


@pytest.mark.parametrize("scale", [1e-300, 1e-160, 1e160, 1e300])
def test_the_read_does_not_depend_on_the_scale(network, scale):
    """Adversarial round 59: the check multiplied values, whose products overflowed near 1e300 (and underflowed
    near 1e-300): the same growth went on flat there."""
    prediction = network.predict([value * scale for value in TOUCHARD])
    assert prediction.logs and prediction.value / scale == pytest.approx(network.predict(TOUCHARD).value, rel=1e-9)


def test_a_last_value_of_0_warns_nothing(network):
    """Adversarial round 60: the check divided by a last value of 0, and numpy's warning reached stderr."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for values in ([1, 0, 1, 0], [1, 0, -1, 0], [28, 26, 23, 16, 14, 14, 8, 3, 0, 0, 0, 0], [0, 0, 0, 1, 5]):
            network.predict(values)


def test_its_path_says_it_is_the_network_s_path_of_a_growth(network, capsys):
    assert network.forecast(TOUCHARD, 4, level=[80]).log_path == "growth"
    code, out, _ = predict_cli(capsys, "--no-rules", *map(str, TOUCHARD), "--steps", "3", "--json")
    assert code == 0 and json.loads(out)["forecast_log_path"] == "growth"
