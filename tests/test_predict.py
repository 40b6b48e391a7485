"""The Predictor API: loading paths, both runtimes, batches, forecasts, cropping and bad input."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from numseries.config import MIN_VALUES
from numseries.predict import Predictor
from numseries.series import LARGEST_FLOAT, keep_last, step_scale
from numseries.weights import ONNX_FILE, WEIGHTS_FILE

MAX_LEN = 16  # of the tiny test model


@pytest.fixture(scope="module")
def onnx_predictor(tiny_onnx):
    return Predictor.from_pretrained(tiny_onnx)


@pytest.fixture(scope="module")
def network_predictor(tiny_onnx):
    """The tiny model without the rule finder."""
    return Predictor.from_pretrained(tiny_onnx, rules=False)


@pytest.fixture(scope="module")
def torch_predictor(tiny_onnx):
    return Predictor.from_pretrained(tiny_onnx, runtime="torch")


def random_walks(rng, lengths):
    return [np.cumsum(rng.normal(size=n)) * 10.0 ** rng.uniform(-6, 6) + rng.normal() for n in lengths]


def mean_step(values):
    """The scale the model divides by, over the values it reads."""
    values = np.asarray(values, dtype=np.float64)[None]  # (1, n)
    window, _ = keep_last(values, np.array([values.shape[1]]), MAX_LEN)
    return float(step_scale(window, np.ones_like(window, dtype=bool))[0])


def test_folder_with_onnx_runs_on_onnxruntime_and_torch_on_request(tiny_onnx):
    assert Predictor.from_pretrained(tiny_onnx).runtime == "onnxruntime"
    assert Predictor.from_pretrained(tiny_onnx / ONNX_FILE).runtime == "onnxruntime"
    assert Predictor.from_pretrained(tiny_onnx, runtime="torch").runtime == "torch"
    assert Predictor.from_pretrained(tiny_onnx / WEIGHTS_FILE).runtime == "torch"


def test_folder_without_onnx_runs_on_torch(tiny_weights):
    predictor = Predictor.from_pretrained(tiny_weights)
    assert (predictor.runtime, predictor.max_len) == ("torch", MAX_LEN)


def test_max_len_is_read_from_the_onnx_file_alone(tiny_onnx, tmp_path):
    lone = tmp_path / "lone.onnx"
    lone.write_bytes((tiny_onnx / ONNX_FILE).read_bytes())
    assert Predictor.from_pretrained(lone).max_len == MAX_LEN


def test_from_model_serves_a_model_in_memory(tiny_weights, onnx_predictor):
    from numseries.weights import load_model

    predictor = Predictor.from_model(load_model(tiny_weights))
    expected = onnx_predictor.predict([1.0, 3.0, 2.0, 5.0]).value
    assert predictor.predict([1.0, 3.0, 2.0, 5.0]).value == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("model", [None, "weights", "torch.nn.Linear"])
def test_from_model_refuses_what_is_not_a_model_naming_it(model):
    # adversarial round 9: AttributeError: 'NoneType' object has no attribute 'eval'
    import torch

    given = torch.nn.Linear(2, 2) if model == "torch.nn.Linear" else model
    with pytest.raises(TypeError, match=r"^from_model takes a numseries LSTMWithAttention .*, got (NoneType|str|Linear); "):
        Predictor.from_model(given)


def test_onnxruntime_and_torch_agree_on_every_length(onnx_predictor, torch_predictor):
    rng = np.random.default_rng(0)
    sequences = random_walks(rng, np.repeat(np.arange(MIN_VALUES, MAX_LEN + 5), 8))
    ort, ref = onnx_predictor.predict_batch(sequences), torch_predictor.predict_batch(sequences)
    scale = np.maximum(np.abs(ref.values), [mean_step(s) for s in sequences])
    assert np.max(np.abs(ort.values - ref.values) / scale) < 1e-5
    np.testing.assert_allclose(ort.attention, ref.attention, atol=1e-5)


def test_shipped_model_loads_without_torch():
    code = (
        "import sys; from numseries import Predictor; "
        "p = Predictor.from_pretrained(); r = p.predict([2, 4, 6, 8, 10]); "
        "assert p.runtime == 'onnxruntime' and r.n_values == 5, p; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_onnx_path_never_imports_torch(tiny_onnx):
    code = (
        f"import sys; from numseries.predict import Predictor; "
        f"Predictor.from_pretrained({str(tiny_onnx)!r}).predict_batch([[1, 2, 3], [4, 5, 6, 7]]); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prediction_has_one_attention_weight_per_step_summing_to_one(onnx_predictor):
    result = onnx_predictor.predict([2, 4, 6, 8, 10])
    assert result.attention.shape == (5,)
    assert result.attention.sum() == pytest.approx(1.0, abs=1e-5)
    assert (result.n_values, result.n_used, result.cropped) == (5, 5, False)


def test_batch_of_mixed_lengths_matches_single_predictions(onnx_predictor):
    rng = np.random.default_rng(1)
    sequences = random_walks(rng, rng.integers(MIN_VALUES, 2 * MAX_LEN, 40))
    batch = onnx_predictor.predict_batch(sequences)
    for i, sequence in enumerate(sequences):
        single = onnx_predictor.predict(sequence)
        assert batch.values[i] == pytest.approx(single.value, rel=1e-6, abs=1e-6 * mean_step(sequence))
        used = batch.n_used[i]
        np.testing.assert_allclose(batch.attention[i, :used], single.attention[-used:], atol=1e-6)
        assert np.all(batch.attention[i, used:] == 0)
    assert batch.n_values.tolist() == [len(s) for s in sequences]


def test_batch_accepts_rows_padded_with_trailing_nan(onnx_predictor):
    sequences = [[1.0, 2.0, 4.0], [3.0, 1.0, 4.0, 1.0, 5.0]]
    padded = np.array([[1.0, 2.0, 4.0, np.nan, np.nan], [3.0, 1.0, 4.0, 1.0, 5.0]])
    from_list, from_array = onnx_predictor.predict_batch(sequences), onnx_predictor.predict_batch(padded)
    np.testing.assert_array_equal(from_list.values, from_array.values)
    assert from_array.n_values.tolist() == [3, 5]


@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_a_nullable_frame_padded_with_pd_na_reads_as_padded_with_nan(onnx_predictor, dtype):
    """Closing note 36: pd.NA was "must hold numbers only ... not 'NAType'", where NaN pads a ragged row."""
    frame = pd.DataFrame([[1, 2, 4, pd.NA, pd.NA], [3, 1, 4, 1, 5]], dtype=dtype)
    padded = np.array([[1.0, 2.0, 4.0, np.nan, np.nan], [3.0, 1.0, 4.0, 1.0, 5.0]])
    np.testing.assert_array_equal(onnx_predictor.predict_batch(frame).values, onnx_predictor.predict_batch(padded).values)
    with pytest.raises(ValueError, match="has nan at position 4; numbers must be finite"):
        onnx_predictor.predict(pd.Series([1, 2, 3, pd.NA], dtype=dtype))
    with pytest.raises(ValueError, match="holds 9007199254740993, an integer float64 cannot hold exactly"):
        onnx_predictor.predict_batch(pd.DataFrame([[2**53 + 1, 2, 3, 4], [2, 4, 6, pd.NA]], dtype="Int64"))


def test_long_sequence_uses_its_last_values_and_says_so(onnx_predictor):
    sequence = np.sin(np.arange(40.0))
    result = onnx_predictor.predict(sequence)
    assert (result.cropped, result.n_used, result.n_values) == (True, MAX_LEN, 40)
    assert result.value == onnx_predictor.predict(sequence[-MAX_LEN:]).value
    assert np.all(result.attention[:-MAX_LEN] == 0)


def test_forecast_feeds_each_prediction_back_in(onnx_predictor):
    sequence = [1.0, 4.0, 2.0, 8.0]
    forecast = onnx_predictor.forecast(sequence, steps=3)
    window = list(sequence)
    for value in forecast:  # without weights: model.onnx answers, as in forecast (the gradient graph's
        # forward pass, which answers with weights, agrees to float32 rounding: tests/test_gradient.py)
        assert value == pytest.approx(onnx_predictor.predict(window, weights=False).value, rel=1e-9)
        window.append(value)


@pytest.mark.parametrize("constant", [0.0, -7.0, 5.0, 1e300, 1e-300])
def test_constant_sequence_predicts_the_constant(onnx_predictor, torch_predictor, constant):
    assert onnx_predictor.predict([constant] * 5).value == constant
    assert torch_predictor.predict([constant] * 5).value == constant


@pytest.mark.parametrize("sequence", [[1e300, 2e300, -3e300, 5e299], [1e-300, 3e-300, 2e-300], [1e300, -1e300, 1e300]])
def test_values_near_the_float_limits_predict_finite_values(onnx_predictor, sequence):
    """Huge and tiny values must succeed: predictions are rescaled by a power of two, so nothing overflows."""
    value = onnx_predictor.predict(sequence).value
    assert np.isfinite(value) and abs(value) < 1e305


def test_a_prediction_beyond_float64_is_refused_and_says_so(onnx_predictor):
    """The next value of a straight line from -1.5e308 to 1.5e308 is past the largest float64 (1.8e308)."""
    with pytest.raises(ValueError, match="the prediction for the sequence overflows float64; divide the values"):
        onnx_predictor.predict([-1.5e308, 0.0, 1.5e308])


@pytest.mark.parametrize(
    "sequence, message",
    [
        ([], "expected at least 3 values, got 0; give a longer sequence"),
        ([1.0, 2.0], "expected at least 3 values, got 2"),
        ([1.0, float("nan"), 3.0], "has nan at position 2; numbers must be finite"),
        ([1.0, 2.0, float("inf")], "has inf at position 3"),
        ([1.0, 2.0, -float("inf")], "has -inf at position 3.*: replace or drop it$"),  # (no missing value to fill)
        ([1.0, float("nan"), 2.0], "has nan at position 2.*: fill or drop missing values$"),
        ([1.0, "two", 3.0], "must hold numbers only"),
        ([[1.0, 2.0, 3.0]], "must be one-dimensional.*use predict_batch"),
        ([10**400, 1, 2], r"holds 10000000000000000000\.\.\. \(401 digits\), which is larger than float64 holds"),
        ([1.0, [2.0, 3.0], 4.0], "the sequence must hold numbers only"),  # ragged: not numpy's own words
        (  # float64 would read it as 2**53, and a wrong progression
            [9007199254740993, 9007199254740994, 9007199254740995],
            "holds 9007199254740993, an integer float64 cannot hold exactly \\(it would be read as "
            "9007199254740992\\); subtract a common offset",
        ),
    ],
)
def test_bad_sequence_raises_a_teaching_error(onnx_predictor, sequence, message):
    with pytest.raises(ValueError, match=message):
        onnx_predictor.predict(sequence)


@pytest.mark.parametrize("kind", [Decimal, Fraction])
def test_integers_float64_rounds_are_refused_as_decimals_and_fractions_too(onnx_predictor, kind):
    """Read as 2**53, + 4, + 8, + 12, they were continued 'exactly' to 2**53 + 16 with a zero-width band."""
    big = [kind(2**53 + 1 + 4 * t) for t in range(4)]
    with pytest.raises(ValueError, match="holds 9007199254740993, an integer float64 cannot hold exactly"):
        onnx_predictor.predict(big)
    with pytest.raises(ValueError, match="sequence 1 holds 9007199254740993"):
        onnx_predictor.predict_batch([[1, 2, 3, 4], big])
    onnx_predictor.predict([kind(2**53 + 2 * t) for t in range(4)])  # exactly representable: taken


@pytest.mark.parametrize("kind", [Decimal, Fraction])
def test_a_fraction_past_2_53_is_refused_where_float64_holds_whole_numbers_only(onnx_predictor, kind):
    """Adversarial round 28: 40000000000000001.5, read as 4e16, gave 'arithmetic (exact)' going on 5e16."""
    given = [kind("1e16"), kind("2e16"), kind("3e16"), kind("40000000000000001.5" if kind is not Fraction else "80000000000000003/2")]
    with pytest.raises(ValueError, match=r"holds (40000000000000001\.5|80000000000000003/2), a number float64 cannot hold exactly \(it would be read as 40000000000000000\)"):
        onnx_predictor.predict(given)
    onnx_predictor.predict([kind("1e16"), kind("2e16"), kind("3e16"), kind("4e16")])  # whole: taken
    # adversarial round 29: floats are whole from 2**52, not 2**53: 4503599627370496.5 ... went on 'exactly'
    halves = [kind(f"{2**52 + 2 * k}.5") if kind is Decimal else Fraction(2 * (2**52 + 2 * k) + 1, 2) for k in range(4)]
    with pytest.raises(ValueError, match=r"holds (4503599627370496\.5|9007199254740993/2), a number float64 cannot hold"):
        onnx_predictor.predict(halves)
    with pytest.raises(ValueError, match=r"holds 4503599627370496\.5, a number float64 cannot hold exactly"):
        onnx_predictor.predict(np.array([np.longdouble(f"{2**52 + 2 * k}.5") for k in range(4)]))


@pytest.mark.parametrize("tiny", [Decimal("1e-400"), Fraction(-1, 10**400)])
def test_decimals_and_fractions_below_float64_are_refused_not_read_as_0(onnx_predictor, tiny):
    with pytest.raises(ValueError, match=r"^the sequence holds -?1.*, which is smaller than float64 holds"):
        onnx_predictor.predict([1, 2, tiny])
    with pytest.raises(ValueError, match="sequence 1 holds"):
        onnx_predictor.predict_batch([[1, 2, 3], [tiny, 2 * tiny, 3 * tiny]])
    assert onnx_predictor.predict([Decimal(0), Fraction(1), 2, 3]).value == 4  # a true 0 is taken


def test_pandas_data_indexed_by_time_is_read_as_pandas_means_it_or_refused(onnx_predictor):
    """Adversarial round 13: a time-indexed frame's rows were predicted as sequences (its columns are the
    series), and a Series with its dates descending was read backwards (0.0, where by date 5 comes next)."""
    frame = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 4, 6, 8, 10], "c": [5.0] * 5},
                         index=pd.date_range("2024-01-01", periods=5))  # fmt: skip
    with pytest.raises(TypeError, match=r"^sequences is a DataFrame indexed by time: its columns are series"):
        onnx_predictor.predict_batch(frame)
    assert onnx_predictor.predict_batch(frame.T).values.tolist() == [6, 12, 5]
    backwards = pd.Series([4.0, 3, 2, 1], index=pd.date_range("2024-01-01", periods=4)[::-1])
    with pytest.raises(ValueError, match=r"^the sequence is a Series whose times are not in order; sort it first"):
        onnx_predictor.predict(backwards)
    assert onnx_predictor.predict(backwards.sort_index()).value == 5


def test_a_row_or_a_band_taken_out_and_edited_leaves_the_result_as_it_is():
    """Adversarial round 29: BatchPrediction.row() and Forecast.interval() gave views; editing them edited the result."""
    onnx_predictor = Predictor.from_pretrained()  # (the shipped model: it has intervals)
    batch = onnx_predictor.predict_batch([[2, 4, 6, 8, 10], [3, 6.1, 9.2, 12, 14.8]], level=80)
    before = batch.interval(80)
    batch.row(1).quantiles[:] = -1
    np.testing.assert_array_equal(batch.interval(80), before)
    forecast = onnx_predictor.forecast([3, 6.1, 9.2, 12, 14.8], 3, level=[80])
    lo, _ = forecast.interval(80)
    lo[:] = -9
    assert (forecast.interval(80)[0] > -9).all()


def test_a_predictor_pickles_as_the_files_it_was_loaded_from():
    """Adversarial round 29: 'Can't pickle local object' for multiprocessing and joblib, which pickle a bound
    predict; a model held in memory says how to make one that pickles."""
    import copy
    import pickle

    predictor = Predictor.from_pretrained(rules=False)
    again = pickle.loads(pickle.dumps(predictor))
    assert (again.source, again.rules) == (predictor.source, False)
    assert again.predict([1, 2, 4, 8]).value == predictor.predict([1, 2, 4, 8]).value
    assert copy.deepcopy(predictor).predict([3, 6.1, 9.2, 12]).value == predictor.predict([3, 6.1, 9.2, 12]).value
    predictor.origin = None  # as Predictor.from_model leaves it
    with pytest.raises(TypeError, match=r"holds a model in memory, which cannot be pickled; save it with"):
        pickle.dumps(predictor)


def test_a_long_format_frame_is_sent_to_predict_df_not_read_a_row_a_sequence(onnx_predictor):
    """Adversarial round 29: with numeric ids, predict_batch read each (unique_id, ds, y) row as a sequence of 3
    values and gave 10 predictions for 2 series, without a word; predict() sent the user to predict_batch."""
    pd = pytest.importorskip("pandas")
    long = pd.DataFrame({"unique_id": [1] * 5 + [2] * 5, "ds": list(range(5)) * 2, "y": np.r_[np.arange(5) * 2.0, np.arange(5) * 3.0]})
    renamed = [{"unique_id": "sku", "ds": "week", "y": "units"}, {"ds": "t"}]  # round 30: unique_id, t, y slipped through
    for frame in (long, *(long.rename(columns=names) for names in renamed)):
        for call in (onnx_predictor.predict_batch, onnx_predictor.predict, lambda df: onnx_predictor.forecast_batch(df, 2)):
            with pytest.raises(TypeError, match=r"is a DataFrame of series ids and values .*pass it to predict_df"):
                call(frame)
    assert onnx_predictor.predict_df(long)["numseries"].tolist() == [10.0, 15.0]
    wide = pd.DataFrame(np.arange(12.0).reshape(3, 4), columns=["a", "b", "c", "d"])  # no column of times: rows
    assert len(onnx_predictor.predict_batch(wide).values) == 3


def test_a_frame_of_quantities_is_refused_and_a_frame_of_positions_is_read_by_rows(onnx_predictor):
    """Adversarial round 18: a frame with its default index (or a polars frame), columns sales, cost, units,
    had its rows predicted as sequences, silently: 5 answers where its series give 60, 32 and 5."""
    frame = pd.DataFrame({"sales": [10, 20, 30, 40, 50], "cost": [1, 2, 4, 8, 16], "units": [5] * 5})
    frames = [frame]
    try:
        import polars as pl

        frames.append(pl.from_pandas(frame))
    except ImportError:
        pass
    for data in frames:
        with pytest.raises(TypeError, match=r"^sequences is a DataFrame of columns named as quantities are \('sales', "):
            onnx_predictor.predict_batch(data)
    assert onnx_predictor.predict_batch(frame.T).values.tolist() == [60, 32, 5]
    hourly = frame.assign(hour=range(5))[["hour", "sales", "cost", "units"]]  # (rows were [0, 10, 1, 5])
    with pytest.raises(TypeError, match=r"\('sales', 'cost', 'units'\): .* as df.set_index\('hour'\).T "):
        onnx_predictor.predict_batch(hourly)
    assert onnx_predictor.predict_batch(hourly.set_index("hour").T).values.tolist() == [60, 32, 5]
    indexed = hourly.reset_index()  # index,hour,sales,...: adversarial round 22, rows were read
    with pytest.raises(TypeError, match=r"as df.set_index\(\['index', 'hour'\]\).T "):
        onnx_predictor.predict_batch(indexed)
    for labels in (["t1", "t2", "t3"], ["first", "second", "third"]):  # one series a row, as wide files
        rows = pd.DataFrame([[1, 2, 3], [2, 4, 6]], columns=labels)  # (positions: adversarial round 19)
        assert onnx_predictor.predict_batch(rows).values.tolist() == [4, 8]


@pytest.mark.skipif(np.finfo(np.longdouble).bits <= 64, reason="long double is float64 on this platform")
def test_long_doubles_float64_misreads_are_refused(onnx_predictor):
    """Adversarial round 13: np.longdouble was narrowed unchecked (1e-400 read as 0, 2**53 + 1 rounded)."""
    with pytest.raises(ValueError, match=r"^the sequence holds 1e-400, which is smaller than float64 holds"):
        onnx_predictor.predict(np.array([np.longdouble("1e-400"), 1, 2]))
    with pytest.raises(ValueError, match=r"^row 1 of sequences holds 9007199254740993, an integer float64 cannot"):
        onnx_predictor.predict_batch(np.array([[1, 2, 3], [2**53 + 1, 2**53 + 3, 2**53 + 5]], dtype=np.longdouble))
    assert onnx_predictor.predict(np.array([1.5, 2.5, 3.5, 4.5], dtype=np.longdouble)).value == 5.5  # digits lost: taken


@pytest.mark.parametrize("text", [pd.Series(["1", "2", "3", "4"]), np.array(["1", 2, 3], dtype=object)])
def test_text_among_objects_is_refused_like_text_arrays(onnx_predictor, text):
    with pytest.raises(TypeError, match="holds text .*not numbers; convert it first") as error:
        onnx_predictor.predict(text)
    assert "\n" not in str(error.value)  # a Series' repr is several lines


def test_decimals_are_taken_to_the_digits_typed(onnx_predictor):
    """1e300 is no integer float64 holds, but it is read as the float that prints as 1e+300: no refusal."""
    onnx_predictor.predict([Decimal("1e300"), Decimal("-2e300"), Decimal("3.5e300"), Decimal("4611686018427387904")])


@pytest.mark.parametrize(
    "sequences, message",
    [
        ([[1, 2, 3], [1, 2]], "expected at least 3 values, got 2 in sequence 1; give a longer sequence"),
        ([[1, 2, 3], [1, float("nan"), 3]], "sequence 1 has nan at position 2"),
        ([[1, 2, 3], [1.0, [2.0, 3.0], 4.0]], "sequence 1 must hold numbers only"),
        (np.array([[1.0, np.nan, 2.0, 3.0]]), "sequence 0 has a missing value \\(NaN\\) at position 2, before its end"),
        (np.array([[1.0, np.inf, 2.0]]), "sequence 0 has inf at position 2"),
        (np.array([[1.0, 2.0, np.nan]]), "expected at least 3 values, got 2 in sequence 0"),
        (np.array([1.0, 2.0, 3.0]), "use predict\\(\\) or forecast\\(\\) for a single sequence"),
        # float arrays, checked together after padding: the window's values and those before it
        ([np.ones(3), np.array([1.0, 2.0, np.inf])], "sequence 1 has inf at position 3"),
        ([np.ones(3), np.r_[np.nan, np.ones(MAX_LEN)]], "sequence 1 has nan at position 1"),
        (np.array([[1, 2, 3], [2**62 + 1, 2, 3]]), "row 1 of sequences holds 4611686018427387905, an integer float64"),
    ],
)
def test_bad_batch_raises_a_teaching_error(onnx_predictor, sequences, message):
    with pytest.raises(ValueError, match=message):
        onnx_predictor.predict_batch(sequences)


def test_integers_beyond_two_to_the_53_that_float64_holds_are_taken(onnx_predictor):
    onnx_predictor.predict([2**53, 2**53 + 2, 2**53 + 4, 2**53 + 6])  # exactly representable: no error
    onnx_predictor.predict_batch(np.array([[2**60, 2**60 + 2**8, 2**60 + 2**9]]))


def test_batch_errors_name_the_series_by_id(onnx_predictor):
    with pytest.raises(ValueError, match="series 'b'"):
        onnx_predictor.predict_batch([[1, 2, 3], [1, 2]], ids=["a", "b"])
    with pytest.raises(ValueError, match="got 1 ids for 2 sequences"):
        onnx_predictor.predict_batch([[1, 2, 3], [1, 2, 3]], ids=["a"])


@pytest.mark.parametrize("steps", [0, -1, 1.5, True, 10_001, 10**11])
def test_forecast_needs_a_bounded_positive_integer_of_steps(onnx_predictor, steps):
    with pytest.raises(ValueError, match=f"steps must be an integer from 1 to 10000, got {steps!r}"):
        onnx_predictor.forecast([1, 2, 3], steps=steps)


@pytest.mark.parametrize(
    "sequence, message",
    [
        (None, "the sequence must be a list or array of numbers, got NoneType None"),
        (5, "must be a list or array of numbers, got int 5"),
        ({"a": 1, "b": 2, "c": 3}, "got dict"),
        ({1.0, 2.0, 3.0}, "got set"),
        ((x for x in [1, 2, 3]), "got generator"),
        ("1 2 3", "the sequence is a string, '1 2 3'; pass numbers"),
        (b"123", "is a string"),
        (bytearray(b"\x01\x02\x03\x04"), "is a string"),  # adversarial round 29: predicted as 1 2 3 4
        ([1, 2, 3 + 1j], "holds complex numbers; pass real numbers"),
        (np.array([1, 2, 3]) * (1 + 0j), "holds complex numbers"),
        (
            np.array(["2020-01-01", "2020-01-02", "2020-01-03"], dtype="datetime64[ns]"),
            "holds datetime64\\[ns\\] values, not numbers",
        ),
        (np.array([1, 2, 3], dtype="timedelta64[s]"), "holds timedelta64\\[s\\] values, not numbers"),
        (np.ma.masked_array([1.0, 2.0, 99.0, 4.0], mask=[0, 0, 1, 0]), "is a masked array with masked values"),
        (["1", "2", "3"], "holds text \\(\\['1', '2', '3'\\]\\), not numbers"),  # a single string is refused too
        (np.array(["1.5", "2", "3"]), "holds text"),
        ([True, False, True, False], "holds booleans, not numbers"),  # adversarial round 8: "period 2: 1 0", exact
        (np.array([1, 0, 1, 1], dtype=bool), "holds booleans"),
    ],
)
def test_what_is_not_a_sequence_of_real_numbers_is_a_type_error(onnx_predictor, sequence, message):
    with pytest.raises(TypeError, match=message):
        onnx_predictor.predict(sequence)


@pytest.mark.parametrize(
    "sequences, message",
    [
        (None, "sequences must be a list of sequences or a 2-D array, got NoneType None"),
        ("1 2 3", "sequences is a string"),
        ({"a": [1, 2, 3]}, "got dict"),
        ([[1, 2, 3], None], "sequence 1 must be a list or array of numbers, got NoneType"),
        ([[1, 2, 3], [1, 2, 3j]], "sequence 1 holds complex numbers"),
        ([[1, 2, 3], ["4", "5", "6"]], "sequence 1 holds text"),
        (np.ones((2, 3)) * 1j, "sequences holds complex numbers"),
        (np.ma.masked_invalid([[1.0, 2.0, 3.0], [np.nan, 2.0, 3.0]]), "sequences is a masked array"),
        ([[1, 2, 3], [True, False, True]], "sequence 1 holds booleans"),
    ],
)
def test_what_is_not_a_batch_of_real_numbers_is_a_type_error(onnx_predictor, sequences, message):
    with pytest.raises(TypeError, match=message):
        onnx_predictor.predict_batch(sequences)


def test_a_series_of_lists_is_a_batch(onnx_predictor):
    rows = [[1.0, 2.0, 4.0], [3.0, 1.0, 2.0, 5.0]]
    expected = onnx_predictor.predict_batch(rows).values
    np.testing.assert_array_equal(onnx_predictor.predict_batch(pd.Series(rows, index=["a", "b"])).values, expected)


def test_a_masked_array_without_masked_values_is_its_numbers(onnx_predictor):
    plain = onnx_predictor.predict([1.0, 2.0, 4.0, 8.0]).value
    assert onnx_predictor.predict(np.ma.masked_array([1.0, 2.0, 4.0, 8.0], mask=False)).value == plain


def test_tensors_that_require_grad_predict_like_lists(onnx_predictor):
    import torch

    rows = [[1.0, 2.0, 4.0, 8.0], [3.0, 1.0, 2.0, 5.0]]
    expected = onnx_predictor.predict_batch(rows).values
    tensor = torch.tensor(rows, requires_grad=True)
    assert onnx_predictor.predict(tensor[0]).value == expected[0]
    np.testing.assert_array_equal(onnx_predictor.predict_batch(tensor).values, expected)
    np.testing.assert_array_equal(onnx_predictor.predict_batch(list(tensor)).values, expected)


def test_rows_in_flight_are_bounded_whatever_the_number_of_workers(onnx_predictor):
    """Issue 18 item 8: each worker ran up to 4096 rows, so memory grew with the CPUs (8 workers, 6.4 GB).
    The workers now share one bound; the results are those of one worker."""
    from numseries.predict import _ROWS_IN_FLIGHT

    lock, in_flight, most = threading.Lock(), [0], [0]

    def counting_run(x, mask):
        with lock:
            in_flight[0] += len(x)
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.01)  # let the workers overlap
        try:
            return onnx_predictor._run(x, mask)
        finally:
            with lock:
                in_flight[0] -= len(x)

    rng = np.random.default_rng(0)
    lengths = rng.integers(3, MAX_LEN + 1, size=3 * _ROWS_IN_FLIGHT)
    batch = random_walks(rng, lengths)
    expected = onnx_predictor.predict_batch(batch).values
    for workers in (2, 8, 64):  # (equal to float32 rounding: onnxruntime's products round by the rows of a call)
        wide = Predictor(counting_run, MAX_LEN, "onnxruntime", "test", workers=workers)
        np.testing.assert_allclose(wide.predict_batch(batch).values, expected, rtol=1e-6, atol=0)
        assert 0 < most[0] <= _ROWS_IN_FLIGHT


def _main_pass_only(_predictor, _values, lengths, outputs, _only):
    """Predictor._read_logs reading none again: the model calls counted are the batch's own."""
    outputs["logs"] = np.zeros(len(lengths), dtype=bool)


def _no_cycles(_predictor, _values, lengths, outputs, _ask):
    """Predictor._read_cycles backtesting none: a walk the periods read as repeating calls again."""
    outputs["cycle"] = np.zeros(len(lengths), dtype=np.int64)


def test_a_batch_of_one_length_is_shared_between_the_workers(onnx_predictor, monkeypatch):
    """1,000 series of one length ran as one model call, on one of the workers, the others idle."""
    calls, lock = [], threading.Lock()

    def counting_run(x, mask):
        with lock:
            calls.append(len(x))
        return onnx_predictor._run(x, mask)

    batch = random_walks(np.random.default_rng(1), np.full(1000, 12))
    monkeypatch.setattr(Predictor, "_read_logs", _main_pass_only)  # a decay read again in logarithms calls again
    expected = onnx_predictor.predict_batch(batch).values
    shared = Predictor(counting_run, MAX_LEN, "onnxruntime", "test", workers=2)
    np.testing.assert_array_equal(shared.predict_batch(batch).values, expected)
    assert sum(calls) == 1000 and len(calls) >= 2 and max(calls) <= 500


def test_a_model_call_holds_at_most_group_values_values(onnx_predictor, monkeypatch):
    """A batch of one length ran in calls of up to 2,048 series: at 64 values each, onnxruntime's LSTM ran 2.5x
    slower per series than in calls of 128 (its buffers leave the cache). Calls now hold at most
    _GROUP_VALUES values (series x length); the predictions are each series' alone, to float32 rounding."""
    from numseries.predict import _GROUP_VALUES

    calls, lock = [], threading.Lock()

    def counting_run(x, mask):
        with lock:
            calls.append(x.shape)
        return onnx_predictor._run(x, mask)

    rng = np.random.default_rng(3)
    batch = random_walks(rng, np.concatenate([np.full(3000, MAX_LEN), np.full(700, 5), rng.integers(3, MAX_LEN, 200)]))
    monkeypatch.setattr(Predictor, "_read_logs", _main_pass_only)  # a decay read again in logarithms calls again
    monkeypatch.setattr(Predictor, "_read_cycles", _no_cycles)  # and a cycle's backtest
    one_by_one = np.array([onnx_predictor.predict(row, weights=False).value for row in batch])
    capped = Predictor(counting_run, MAX_LEN, "onnxruntime", "test", workers=2)
    np.testing.assert_allclose(capped.predict_batch(batch).values, one_by_one, rtol=1e-6, atol=0)
    assert sum(rows for rows, _ in calls) == len(batch)
    assert max(rows * width for rows, width in calls) <= _GROUP_VALUES
    assert max(rows for rows, width in calls if width == 5) > 512  # short series still go many to a call


def test_the_onnx_runner_fetches_only_the_outputs_asked_for(onnx_predictor):
    x = random_walks(np.random.default_rng(2), np.full(5, 9))
    x = np.array(x)
    mask = np.ones(x.shape, dtype=bool)
    full = onnx_predictor._run(x, mask)
    some = onnx_predictor._run(x, mask, ("prediction",))
    assert set(some) == {"prediction"} and set(full) >= {"prediction", "attention"}
    np.testing.assert_array_equal(some["prediction"], full["prediction"])
    # a forecast's steps ask for the prediction only, and give the same path
    path = np.asarray(onnx_predictor.forecast(x[0], steps=3))  # (3,)
    assert path[0] == onnx_predictor.predict(x[0], weights=False).value and np.isfinite(path).all()


def test_bad_model_paths_raise_teaching_errors(tiny_onnx, tiny_weights, tmp_path):
    with pytest.raises(ValueError, match="does not exist; pass a weights folder, .onnx"):
        Predictor.from_pretrained(tmp_path / "missing.onnx")
    with pytest.raises(ValueError, match="runtime must be one of auto, onnxruntime, torch"):
        Predictor.from_pretrained(tiny_onnx, runtime="tf")
    with pytest.raises(ValueError, match="runs on onnxruntime only"):
        Predictor.from_pretrained(tiny_onnx / ONNX_FILE, runtime="torch")
    with pytest.raises(ValueError, match="is not an ONNX model file; create one with `numseries export"):
        Predictor.from_pretrained(tiny_weights, runtime="onnxruntime")
    foreign = tmp_path / "foreign.onnx"
    foreign.write_bytes(_identity_model().SerializeToString())
    with pytest.raises(ValueError, match="not a numseries model's"):
        Predictor.from_pretrained(foreign)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="cannot load ONNX model .*re-export it"):
        Predictor.from_pretrained(broken)


def _identity_model():
    from onnx import TensorProto, helper

    value = helper.make_tensor_value_info("input", TensorProto.DOUBLE, ["N"])
    output = helper.make_tensor_value_info("output", TensorProto.DOUBLE, ["N"])
    graph = helper.make_graph([helper.make_node("Identity", ["input"], ["output"])], "identity", [value], [output])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(finite, min_size=MIN_VALUES, max_size=2 * MAX_LEN))
def test_every_finite_sequence_gives_a_finite_prediction(onnx_predictor, sequence):
    result = onnx_predictor.predict(sequence)
    assert np.isfinite(result.value)
    assert np.all(np.isfinite(result.attention)) and result.attention.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.fixture(scope="module")
def shipped_predictor():
    return Predictor.from_pretrained()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cycle=st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=8),
    repeats=st.floats(1.5, 5),
    noise=st.sampled_from([0.0, 1e-3, 0.1]),
    trend=st.sampled_from([0.0, 0.3]),
    exponent=st.integers(-300, 300),
)
def test_a_cycle_at_any_scale_gets_finite_nested_intervals_and_bands(shipped_predictor, cycle, repeats, noise, trend, exponent):
    # the shipped model, whose cycle step and cycle bands square the cycle's misses: past about 1e154 they
    # overflowed, and five weeks of visitors times 1e160 got the interval (nan, nan)
    n = max(MIN_VALUES, int(len(cycle) * repeats))
    t = np.arange(n)
    x = (np.resize(cycle, n) + trend * t + noise * np.sin(7.3 * t)) * 10.0**exponent
    assume(np.isfinite(x).all() and np.ptp(x) > 0)
    result = shipped_predictor.predict(x, level=[80, 95])
    (lo80, hi80), (lo95, hi95) = result.interval(80), result.interval(95)
    assert np.isfinite([result.value, lo80, hi80, lo95, hi95]).all()
    assert lo95 <= lo80 <= result.value <= hi80 <= hi95
    forecast = shipped_predictor.forecast(x, 6, level=[80])
    assert np.isfinite(forecast.values).all() and np.isfinite(forecast.interval(80)).all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sequence=st.lists(st.integers(-1000, 1000).map(float), min_size=MIN_VALUES, max_size=MAX_LEN),
    a=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3),
    b=st.floats(-1e6, 1e6),
)
def test_affine_equivariance_through_the_public_api(network_predictor, sequence, a, b):
    # The network's: the rule finder reads integers exactly and decimals to 1e-9, so an integer series may
    # have a rule its transform has not (3 0 0 3 3 0 0: x[t] = -x[t-2] + 3, none at 920 + x / 64).
    network = network_predictor
    x = np.array(sequence)
    # a count that sat at 0 (its last two values) is not predicted below 0, which reads where the values lie (README,
    # as the log read does): 1 0 0 was floored at 0, 0.5 0 0 not (hypothesis, 2026-12-07, the untrained network)
    assume(not (x[-1] == x[-2] == 0 or a * x[-1] + b == a * x[-2] + b == 0))
    original, mapped = network.predict(x), network.predict(a * x + b)
    # nor is a read from the logarithms (positive values, a decay predicted below 0 or a growth faster than
    # exponential: README), which scales with the values but does not shift with them
    assume(not (original.logs or mapped.logs))
    transformed = mapped.value
    expected = a * original.value + b
    tolerance = 1e-4 * abs(a) * mean_step(x) + 1e-12 * (abs(b) + abs(a) * np.abs(x).max())
    assert abs(transformed - expected) <= tolerance


def test_the_readme_python_example_runs_and_says_what_it_gets():
    """The README's From Python block, run as written, on the shipped model."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = readme.split("<!-- python-api:start -->")[1].split("<!-- python-api:end -->")[0]
    namespace: dict = {}
    exec(code.strip().removeprefix("```python").removesuffix("```"), namespace)  # noqa: S102 (our own README)
    result, noisy, batch, path = (namespace[name] for name in ("result", "noisy", "batch", "path"))
    assert (result.value, result.exact, result.pattern) == (12.0, True, "arithmetic, step 2")
    lo, hi = noisy.interval(80)
    assert noisy.interval(95)[0] < lo < noisy.value < hi < noisy.interval(95)[1]
    assert len(noisy.quantiles) == 17 and noisy.pattern and 0 < noisy.pattern_confidence <= 1
    assert batch.values.shape == (3,) and batch.attention.shape == (3, 5) and len(batch.patterns) == 3
    assert list(namespace["predictor"].forecast([1, 2, 4, 8], steps=3)) == [16, 32, 64]
    assert path.values.shape == path.interval(80)[0].shape == (4,)


def test_a_child_forked_after_a_batch_predicts_with_threads_of_its_own(onnx_predictor):
    """A batch's thread pools are kept for the next batch. A child forked after one has none of its
    parent's threads, so it must make its own pools: with its parent's it would wait forever."""
    import multiprocessing

    rng = np.random.default_rng(3)
    batch = random_walks(rng, rng.integers(3, MAX_LEN + 1, size=600))  # several groups, and the rules' thread
    wide = Predictor(onnx_predictor._run, MAX_LEN, "onnxruntime", "test", workers=2)
    expected = wide.predict_batch(batch).values  # the pools now exist in this process
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(wide.predict_batch(batch).values))
    child.start()
    answered = receive.poll(60)
    got = receive.recv() if answered else None
    child.join(5)
    if child.is_alive():
        child.kill()
    assert answered, "the forked child did not answer within 60 s"
    np.testing.assert_array_equal(got, expected)


def test_batches_from_several_threads_at_once_share_the_kept_pools_and_get_their_own_answers(onnx_predictor):
    """The pools a batch runs on are the process's; batches from several threads queue on them and each
    gets the answers it would get alone."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(4)
    batches = [random_walks(rng, rng.integers(3, MAX_LEN + 1, size=700)) for _ in range(4)]
    wide = Predictor(onnx_predictor._run, MAX_LEN, "onnxruntime", "test", workers=2)
    alone = [wide.predict_batch(batch).values for batch in batches]
    with ThreadPoolExecutor(4) as callers:
        together = list(callers.map(lambda batch: wide.predict_batch(batch).values, batches * 2))
    for got, expected in zip(together, alone * 2, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_predict_with_weights_gives_the_numbers_every_other_path_gives():
    """The weights' graph computes the outputs too, in another order (the sixth digit differs): predict() took
    them from there while predict_batch, forecasts and the server's batches took the model's."""
    shipped = Predictor.from_pretrained()
    assert shipped.has_weights
    for x in ([3, 1, 4, 1, 5, 9, 2, 6], list(random_walks(np.random.default_rng(5), [40])[0])):
        single = shipped.predict(x, level=[80])
        assert single.weights is not None
        others = (
            shipped.predict(x, level=[80], weights=False).value,
            shipped.predict_batch([x]).values[0],
            shipped.forecast(x, 3)[0],
        )
        assert all(value == single.value for value in others), (single.value, others)
        assert single.interval(80) == shipped.predict_batch([x], level=[80]).row(0).interval(80)


def test_values_near_the_float_limits_get_their_rule_or_a_finite_prediction_with_finite_intervals():
    shipped = Predictor.from_pretrained()
    alternating = shipped.predict([-1.7e308, 1.7e308, -1.7e308, 1.7e308], level=[80, 95])
    assert alternating.rule is not None and alternating.value == -1.7e308  # the network overflows; the rule does not
    # (not exact: the values name -1.7 * 10**308, which float64 holds none of, nor the 1.7e308 either side)
    lo, hi = alternating.interval(95)
    assert not alternating.exact and lo < -17 * 10**307 < hi
    x = [1.5e308, 1e308, 1.2e308, 0.9e308, 1.1e308]  # the network's prediction is finite, its outer quantiles not
    single = shipped.predict(x, level=[80, 95])
    batch = shipped.predict_batch([x, [1, 2, 3.5, 4]], level=[80, 95])
    forecast = shipped.forecast(x, 3, level=[80, 95])
    for level in (80, 95):
        lo, hi = single.interval(level)
        assert np.isfinite([single.value, lo, hi]).all() and lo <= single.value <= hi
        assert np.isfinite(batch.interval(level)).all() and np.isfinite(forecast.interval(level)).all()
    assert batch.values[0] == single.value


def test_a_rule_whose_next_value_is_the_largest_float_gets_a_finite_interval():
    # the value either side of a float rule's next value was the next float up: inf past the largest float, and
    # its interval came back (1.7976931348623155e+308, nan), NaN in the server's JSON too
    shipped = Predictor.from_pretrained()
    for top in (LARGEST_FLOAT, -LARGEST_FLOAT):
        x = [top, 1.5, 2.25] * 4  # period 3, its next value the largest float (or the least)
        single = shipped.predict(x, level=[80, 95])
        assert single.rule is not None and single.value == top
        for level in (80, 95):
            lo, hi = single.interval(level)
            assert np.isfinite([lo, hi]).all() and lo <= top <= hi
            assert np.isfinite(shipped.predict_batch([x], level=[level]).interval(level)).all()
            assert np.isfinite(shipped.forecast(x, 4, level=[level]).interval(level)).all()


def test_forecast_batch_takes_batches_as_predict_batch_does(onnx_predictor):
    """forecast_batch iterated what it was given: a DataFrame's column labels, a dict's keys, and it refused
    the NaN-padded array predict_batch documents."""
    rows = [[1.0, 2.0, 4.0, np.nan], [3.0, 1.0, 2.0, 5.0]]
    expected = onnx_predictor.forecast_batch([[1.0, 2.0, 4.0], [3.0, 1.0, 2.0, 5.0]], 3).values
    for batch in (np.array(rows), pd.DataFrame(rows)):
        np.testing.assert_array_equal(onnx_predictor.forecast_batch(batch, 3).values, expected)
    with pytest.raises(TypeError, match="sequences must be a list of sequences or a 2-D array, got dict"):
        onnx_predictor.forecast_batch({"a": [1.0, 2.0, 3.0]}, 3)


def test_ids_are_a_list_of_names(onnx_predictor):
    with pytest.raises(TypeError, match="ids must be a list of names, one per sequence, got dict"):
        onnx_predictor.predict_batch([[1, 2, 3], [1, 2, 3]], ids={"x": 1, "y": 2})  # KeyError: 0
    with pytest.raises(ValueError, match="in series 'b';"):  # not np.str_('b')
        onnx_predictor.predict_batch([[1, 2, 3], [1, 2]], ids=np.array(["a", "b"]))


@pytest.fixture(scope="module")
def narrow_weights(tmp_path_factory):
    """Weights folders of tiny models whose quantiles give at most a 50% interval, and none (the median alone)."""
    import dataclasses

    import torch

    from conftest import TINY
    from numseries.model import LSTMWithAttention
    from numseries.weights import save_pretrained

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("narrow")
    return {
        name: save_pretrained(LSTMWithAttention(dataclasses.replace(TINY, quantile_levels=grid)), folder / name)
        for name, grid in (("q50", (0.25, 0.5, 0.75)), ("median", (0.5,)))
    }


def test_without_a_level_asked_for_a_narrow_model_shows_what_its_quantiles_give(narrow_weights):
    """Adversarial report 5 section 5: predict_df (and the CLI, batch files, the server) applied the default 80%
    to a model trained with --quantile-levels 0.25 0.5 0.75 or 0.5, and refused ("use a level up to 0")."""
    frame = pd.DataFrame({"unique_id": ["a"] * 5, "ds": range(5), "y": [3, 6.1, 9.2, 12, 14.8]})
    q50 = Predictor.from_pretrained(narrow_weights["q50"])
    assert q50.levels_or_default(None) == [50.0]
    assert [c for c in q50.predict_df(frame).columns if "-lo-" in c or "-hi-" in c] == ["numseries-lo-50", "numseries-hi-50"]
    assert q50.predict_df(frame, steps=3).shape[0] == 3
    with pytest.raises(ValueError, match="use a level up to 50"):
        q50.predict_df(frame, level=[80])
    median = Predictor.from_pretrained(narrow_weights["median"])
    assert median.levels_or_default(None) is None
    assert list(median.predict_df(frame).columns) == ["unique_id", "ds", "numseries", "error"]
    assert median.predict_df(frame, steps=2).shape[0] == 2
    with pytest.raises(ValueError, match="no interval levels.*--quantile-levels") as raised:
        median.predict([3, 6.1, 9.2, 12], level=80)
    assert "up to 0" not in str(raised.value)


def test_a_level_below_1_warns_once_per_call_that_it_is_percent(narrow_weights):
    """Adversarial report 5 section 8: level=0.8 was read as 0.8 percent without a word."""
    import warnings

    predictor = Predictor.from_pretrained(narrow_weights["q50"])
    values = [3, 6.1, 9.2, 12, 14.8]
    frame = pd.DataFrame({"unique_id": ["a"] * 5 + ["b"] * 5, "ds": [*range(5)] * 2, "y": values * 2})
    calls = {
        "predict": lambda: predictor.predict(values, level=0.8).intervals,
        "predict_batch": lambda: predictor.predict_batch([values, values], level=[0.8, 30]).interval(0.8),
        "forecast": lambda: predictor.forecast(values, 3, level=[0.8]),
        "forecast_batch": lambda: predictor.forecast_batch([values], 3, level=[0.8]),
        "predict_df": lambda: predictor.predict_df(frame, level=[0.8]),
        "predict_df steps": lambda: predictor.predict_df(frame, level=[0.8], steps=3),
    }
    for name, call in calls.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert [(str(w.message), w.filename) for w in caught] == [
            ("level 0.8 means a 0.8% interval (levels are in percent); for 80% pass 80", __file__)
        ], name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predictor.predict_df(frame, level=[30], steps=2)


def test_results_show_in_one_short_line():
    """Closing note 36: the dataclass reprs dumped every array (17 quantiles, the pattern probabilities of
    every row), hundreds of lines for a batch in a notebook."""
    predictor = Predictor.from_pretrained()
    one = repr(predictor.predict(np.arange(64.0) ** 0.5, level=[80]))
    assert one.startswith("Prediction(value=") and "intervals={80: (" in one and "pattern='" in one
    assert "\n" not in one and "quantiles" not in one and "..." in one and len(one) < 400
    batch = repr(predictor.predict_batch(np.arange(400.0).reshape(50, 8) ** 1.5, level=[80, 95]))
    assert batch.startswith("BatchPrediction(n=50, values=[") and "exact=" in batch and "\n" not in batch and len(batch) < 600
    paths = predictor.forecast_batch([np.arange(8.0) ** 2] * 5, 4, level=[80])
    assert repr(paths).startswith("BatchForecast(n=5, steps=4, levels=[80.0], values=[[") and "\n" not in repr(paths)
    assert repr(paths.forecast(0)).startswith("Forecast(values=[") and "intervals={80: ([" in repr(paths.forecast(0))


def test_weights_of_a_series_longer_than_the_window_line_up_as_the_readme_says():
    """Adversarial round 36b: predict gives one weight per value, predict_batch the last n_used of each row
    from its first column: the README says how to line them up."""
    predictor = Predictor.from_pretrained()
    x = np.cos(np.arange(70) / 3) * 10 + np.arange(70) * 0.1
    single = predictor.predict(x).weights
    batch = predictor.predict_batch([x, x[:20]], weights=True)
    used = int(batch.n_used[0])
    assert len(single) == 70 and used == 64 and (single[:6] == 0).all()
    np.testing.assert_allclose(batch.weights[0, :used], single[-used:], rtol=1e-5, atol=1e-7)
    assert (batch.weights[1, 20:] == 0).all()


def test_a_large_batch_is_predicted_in_blocks_as_one_and_names_rows_by_their_place(monkeypatch, tiny_onnx):
    """Over ``_BLOCK_SERIES`` series, predict_batch predicts in blocks (50,000 series at once ran 25% slower and
    took twice the memory): the same answers as each block alone, every field joined, and an error names the
    row by its place in the whole batch, or by its id."""
    import numseries.predict as predict_module

    onnx_predictor = Predictor.from_pretrained()  # the shipped model: intervals, patterns, weights, rules
    rng = np.random.default_rng(3)
    series = [np.cumsum(rng.normal(size=int(n))) for n in rng.integers(3, 40, size=23)]
    series[5] = np.array([1.0, 2.0, 3.0, 4.0])  # an exact rule, in the first block
    series[19] = np.array([2.0, 4.0, 8.0, 16.0])  # and one in the last
    whole = onnx_predictor.predict_batch(series, level=[80], weights=True)
    monkeypatch.setattr(predict_module, "_BLOCK_SERIES", 7)
    blocks = onnx_predictor.predict_batch(series, level=[80], weights=True)
    alone = [onnx_predictor.predict_batch(series[start : start + 7], level=[80], weights=True) for start in (0, 7, 14, 21)]
    assert np.array_equal(blocks.values, np.concatenate([part.values for part in alone]))
    assert np.array_equal(blocks.quantiles, np.concatenate([part.quantiles for part in alone]))
    assert blocks.patterns == [pattern for part in alone for pattern in part.patterns]
    assert sorted(blocks.rules) == [5, 19] == sorted(whole.rules) and blocks.exact[[5, 19]].all()
    assert blocks.attention.shape == whole.attention.shape and blocks.weights.shape == whole.weights.shape
    for name in ("n_values", "n_used", "n_read", "decimals", "exact"):
        assert np.array_equal(getattr(blocks, name), getattr(whole, name)), name
    np.testing.assert_allclose(blocks.values, whole.values, rtol=1e-5)  # (float32 groups of other sizes)
    network = Predictor.from_pretrained(tiny_onnx, rules=True)  # no pattern head: no patterns, blocks or not
    plain = network.predict_batch(series[:4] + series[6:19])
    assert plain.patterns == [] and plain.decimals is None  # (review round 39: [""] * n and -1s, blocked)
    series[16] = np.array([-1.5e308, 0.0, 1.5e308])  # in the third block: its 3rd row
    with pytest.raises(ValueError, match="the prediction for sequence 16 overflows float64"):
        onnx_predictor.predict_batch(series)
    with pytest.raises(ValueError, match="the prediction for series 'id16' overflows float64"):
        onnx_predictor.predict_batch(series, ids=[f"id{i}" for i in range(len(series))])


def test_floats_written_with_17_significant_digits_are_read_as_the_floats_they_are(capsys):
    """Adversarial round 40: '%.17g' text of floats from 2**53 on (numpy's savetxt, C's printf) was refused as
    an integer float64 cannot hold, 1,299 of 2,000 random floats between 1e16 and 1e300; integers that round
    are still refused."""
    from numseries.series import lost_integer

    floats = 10.0 ** np.random.default_rng(4).uniform(16, 300, 2000)
    assert all(lost_integer(f"{x:.17g}", float(x)) is None for x in floats)
    assert lost_integer("2.2345678901234567e+300", 2.2345678901234566e300) is None  # typed: 17 digits, no integer
    assert lost_integer("9.007199254740993e15", 9007199254740992.0) == 9007199254740993  # 16: an exact integer
    assert lost_integer("9007199254740993.0", 9007199254740992.0) == 9007199254740993
    assert lost_integer("12345678901234567890", float("12345678901234567890")) == 12345678901234567890
    from numseries.cli import main

    assert main(["predict", "--json", *[f"{k * 1e20 / 7:.17g}" for k in range(1, 5)]]) == 0  # (the CLI reads text)


def test_a_switch_given_as_text_is_refused_not_read_as_true(tiny_onnx, onnx_predictor):
    """Adversarial round 54: ``rules="false"`` is a true string, so it left the rules on without a word."""
    for make in (
        lambda: Predictor.from_pretrained(tiny_onnx, rules="false"),
        lambda: Predictor.from_pretrained(tiny_onnx, calibrated="no"),
        lambda: onnx_predictor.predict([1, 2, 3, 4], weights="False"),
        lambda: onnx_predictor.predict_batch([[1, 2, 3, 4]], weights=1),
    ):
        with pytest.raises(TypeError, match=r"^(rules|calibrated|weights) must be True or False, got (str|int) "):
            make()
    assert Predictor.from_pretrained(tiny_onnx, rules=np.bool_(False)).predict([1, 2, 3, 4]).exact is False
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"unique_id": "a", "ds": range(4), "y": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(TypeError, match=r"^strict must be True or False, got str 'yes'$"):
        onnx_predictor.predict_df(frame, strict="yes")
    pytest.importorskip("statsforecast")
    from numseries.statsforecast import NumSeries

    with pytest.raises(TypeError, match=r"^rules must be True or False, got str 'false'$"):
        NumSeries(rules="false")


def test_a_rule_found_in_the_last_values_says_so_and_counts_t_from_the_value_it_starts_at(onnx_predictor):
    """Adversarial round 56: past the window (16 values here, 64 in the shipped model) a ratio rule said 't = 1 at
    the first value' of t counted from the first value read (1/n: (t + 5)/(t + 6) of 70 values), and a rule that
    the values before the window break was called exact with no word of them."""
    from fractions import Fraction

    reciprocals = [Fraction(1, n) for n in range(1, 21)]
    result = onnx_predictor.predict([float(x) for x in reciprocals])
    assert result.exact and result.pattern.endswith(", t = 1 at value 5, over the last 16 values")
    assert "x[t] = (t + 3)/(t + 4) * x[t-1]" in result.pattern  # at value 5 + 1 = 6: (2 + 3)/(2 + 4) = 5/6 = x6/x5
    broken = [5, 5, 5, 5] + [k * (k + 1) // 2 for k in range(5, 21)]
    batch = onnx_predictor.predict_batch([broken, broken[4:]])
    assert batch.patterns == ["quadratic: second difference 1, over the last 16 values", "quadratic: second difference 1"]
    assert onnx_predictor.predict(broken).pattern == batch.patterns[0]


def test_a_period_found_in_the_last_values_lists_its_cycle_from_the_sequence_s_first_value(onnx_predictor):
    # adversarial round 65: 4 1 7 typed 30 times was 'period 3: 7 4 1, over the last 64 values' (the window's start)
    result = onnx_predictor.predict([4, 1, 7] * 7)  # 21 values, the last 16 read: from a 1
    assert result.exact and result.value == 4 and result.pattern == "period 3: 4 1 7, over the last 16 values"
    assert onnx_predictor.predict_batch([[4.5, 1, 7, 2] * 5 + [4.5]]).patterns == ["period 4: 4.5 1 7 2, over the last 16 values"]


def test_a_count_that_fell_to_0_and_stayed_there_is_not_predicted_below_0():
    """Adversarial round 56: the shipped network went on falling (-1.32, then -3.10, ... -10.15 over 6 steps) after
    four 0s of a count. Its prediction is the last value, 0, with its weight on it (still exact, summing to 1), its
    interval none below 0, and a forecast stays at 0 or above; a count still above 0 is the network's to predict."""
    from numseries.explain import weighted_sum

    shipped = Predictor.from_pretrained()
    counts = [28, 26, 23, 16, 14, 14, 8, 3, 0, 0, 0, 0]
    result = shipped.predict(counts, level=[80, 95])
    assert result.value == 0 and not result.exact and result.interval(95)[0] >= 0
    assert result.weights.tolist() == [0.0] * 11 + [1.0]
    assert weighted_sum(np.array(counts, dtype=float), result.weights, result.value) == "0 = 1 × 0"
    path = shipped.forecast(counts, steps=6, level=[80])
    assert path.values[0] == 0 and (path.values >= 0).all() and (path.interval(80)[0] >= 0).all()
    assert shipped.predict(counts[:-3]).value != 0  # one 0: no floor seen yet


def test_values_near_the_float_limits_warn_nothing():
    """Adversarial round 61: near ±1.8e308, a step's overflow (the step read) and a recurrence's residuals (the
    rule finder) printed numpy's RuntimeWarnings with their source lines on stderr; answers and refusals are
    the same without them."""
    import warnings

    predictor = Predictor.from_pretrained()
    rng = np.random.default_rng(1)
    top = 1.7976931348623157e308
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        predictor.predict([top, -top, top, -top, top, 1], level=[80, 95])
        for _ in range(40):
            x = rng.choice([-top, top, 1.0, 0.0, 1e308, -1e308, 5e307], size=int(rng.integers(3, 12)))
            try:
                predictor.predict(list(x), level=[80, 95])
            except ValueError:
                pass  # (a next value past the float range: refused, naming it)
