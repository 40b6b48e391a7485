"""How much of its window the network reads: all of it, or the last part at the end of a steep decay or growth."""

from __future__ import annotations

import numpy as np
import pytest

import numseries.predict as predict_module
from numseries.predict import Predictor
from numseries.series import TRIM_WIDTHS, read_lengths, shift_right

T = np.arange(70, dtype=np.float64)
DECAY = np.array([float(f"{v:.4g}") for v in 100 * 0.9**T])  # as typed: no exact rule fits
GROWTH = np.array([float(f"{v:.4g}") for v in 1.3**T])


def test_random_walks_and_noise_are_read_whole():
    rng = np.random.default_rng(0)
    walks = np.cumsum(rng.normal(size=(500, 64)), axis=1)
    noise = rng.normal(size=(500, 64))
    lengths = np.full(500, 64)
    assert (read_lengths(walks, lengths) == 64).all() and (read_lengths(noise, lengths) == 64).all()


def test_a_steep_decay_is_read_from_where_its_steps_are_comparable():
    x = np.stack([DECAY[:64], 100 * 0.8**T[:64], 50 * (1 - 0.9 ** T[:64])])
    read = read_lengths(x, np.full(3, 64))
    assert read.tolist() == [32, 16, 32]
    assert set(read.tolist()) <= {64, *TRIM_WIDTHS}
    for a, b in [(-3.0, 5.0), (1e-6, 1e6), (1e9, -2.0)]:  # scale-, shift- and sign-free
        np.testing.assert_array_equal(read_lengths(a * x + b, np.full(3, 64)), read)


def test_a_steep_growth_is_read_from_where_its_steps_are_comparable_and_jumps_whole():
    # 1.3^t and 2 * 1.2^t at 64 values: their last 8 steps' mean is over 3 times the window's; a jump, an
    # outlier or a run of rising steps among level values is not a growth: their last steps do not all go
    # one way, or are not that large
    rng = np.random.default_rng(1)
    jump = 10 + rng.normal(size=64)
    jump[60:] += 20
    outlier = 10 + rng.normal(size=64)
    outlier[-1] += 15
    x = np.stack([GROWTH[:64], 2 * 1.2 ** T[:64], jump, outlier, np.r_[np.zeros(56), np.arange(1.0, 9.0)]])
    read = read_lengths(x, np.full(5, 64))
    assert read.tolist() == [24, 32, 64, 64, 24]  # the last: 56 zeros then 1..8, read from the last 24
    for a, b in [(-3.0, 5.0), (1e-6, 1e6)]:  # scale-, shift- and sign-free
        np.testing.assert_array_equal(read_lengths(a * x + b, np.full(5, 64)), read)


def test_short_steep_decays_are_read_short_and_flat_ends_whole():
    # a short window compares its mean step with its last half's: 16 and 10 halvings are read from their last
    # 8; 6 values have nothing shorter to read; a gentle decay is read whole
    rows = [100 * 0.5 ** T[:16], 100 * 0.5 ** T[:10], 100 * 0.5 ** T[:6], 100 * 0.9 ** T[:12]]
    padded = np.stack([np.r_[row, np.full(64 - len(row), np.nan)] for row in rows])
    flat_end = np.r_[np.linspace(0, 100, 56), np.full(8, 100.0)]  # the last steps are 0: nothing to compare
    read = read_lengths(np.vstack([padded, flat_end]), np.array([16, 10, 6, 12, 64]))
    assert read.tolist() == [8, 8, 6, 12, 64]


def test_a_short_noisy_steep_decay_is_predicted_better_read_short(shipped, monkeypatch):
    # 100 * 0.5^t with 1% noise, 12 values (the last 1/2000 of the first): read whole, the network's next value
    # was off by a median 62%; read from the last 8, by under half that
    rng = np.random.default_rng(3)
    series = [100 * 0.5 ** T[:13] * (1 + 0.01 * rng.standard_normal(13)) for _ in range(20)]
    # the network's reads alone: none read again from its logarithms where it predicts below 0 (test_log_read.py)
    # nor from its step sizes where its step overshoots (test_step_read.py)
    monkeypatch.setattr("numseries.forecast.PREFER_LOG", -1.0)
    monkeypatch.setattr("numseries.forecast.SETTLE_OVERSHOOT", np.inf)
    short = shipped.predict_batch([x[:12] for x in series], weights=False)
    assert (short.n_read < 12).all()
    monkeypatch.setattr(predict_module, "read_lengths", lambda _values, lengths: np.asarray(lengths))
    whole = shipped.predict_batch([x[:12] for x in series], weights=False)
    truth = np.array([x[12] for x in series])
    error_short, error_whole = (np.median(np.abs(run.values - truth) / truth) for run in (short, whole))
    assert error_short < 0.5 * error_whole, (error_short, error_whole)


def test_shift_right_moves_each_row_and_fills_with_zeros():
    rows = np.array([[1.0, 2.0, 3.0, 0.0], [4.0, 5.0, 0.0, 0.0], [6.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(
        shift_right(rows, np.array([1, 2, 0])), [[0, 1, 2, 3], [0, 0, 4, 5], [6, 0, 0, 0]]
    )


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained()


def test_the_end_of_a_steep_decay_is_predicted_within_one_percent(shipped):
    result = shipped.predict(DECAY[:64])
    assert not result.exact and result.n_used == 64
    assert result.value == pytest.approx(DECAY[64], rel=0.01)  # reading all 64 values gave 22% low
    assert (result.weights[:32] == 0).all() and (result.attention[:32] == 0).all()  # not read
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.dot(result.weights, DECAY[:64]) == pytest.approx(result.value, abs=1e-4 * abs(DECAY[62] - DECAY[63]))
    assert result.attention[32:].sum() == pytest.approx(1.0, abs=1e-5)
    lo, hi = result.interval(80)
    assert lo < result.value < hi and hi - lo < 10 * abs(DECAY[63] - DECAY[62])  # in the last steps' units


def test_a_batch_reads_each_row_as_predict_does(shipped):
    rng = np.random.default_rng(1)
    series = [DECAY[:64], np.cumsum(rng.normal(size=50)), 100 * 0.8 ** T[:40] * (1 + 1e-4 * rng.normal(size=40)), DECAY[:20]]
    batch = shipped.predict_batch(series, weights=True, level=[80])
    for i, x in enumerate(series):
        single = shipped.predict(x, level=[80])
        row = batch.row(i)
        assert row.value == pytest.approx(single.value, rel=1e-6, abs=1e-9)
        np.testing.assert_allclose(row.weights, single.weights, atol=1e-6)
        np.testing.assert_allclose(row.attention, single.attention, atol=1e-6)
        np.testing.assert_allclose(row.interval(80), single.interval(80), rtol=1e-6)
        assert row.n_read == single.n_read and row.decimals == single.decimals  # row() dropped both
    assert batch.row(0).n_read is not None and batch.row(0).n_read < 64  # the steep decay's end


def test_forecasts_read_the_recent_steps_too(shipped):
    path = shipped.forecast(DECAY[:64], steps=3)
    np.testing.assert_allclose(path, DECAY[64:67], rtol=0.02)


def test_the_cli_says_when_the_network_read_only_the_last_values(capsys):
    from conftest import predict_cli

    code, out, err = predict_cli(capsys, *[f"{v:.4g}" for v in DECAY[:40]])
    assert code == 0 and out
    assert "note: the network read the last 32 of these values" in err
    code, _, err = predict_cli(capsys, *[f"{v:.3f}" for v in np.cumsum(np.random.default_rng(2).normal(size=40))])
    assert code == 0 and "network read" not in err


def test_the_end_of_a_steep_growth_is_predicted_within_one_percent(shipped):
    result = shipped.predict(GROWTH[:64])
    assert not result.exact and result.n_read == 24
    assert result.value == pytest.approx(GROWTH[64], rel=0.01)  # reading all 64 values gave 10.7% off
