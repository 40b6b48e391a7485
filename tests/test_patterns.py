"""Patterns in words from the family probabilities, groups of families named together, and the
classifier's files. numpy only: the classifier's training and export are in test_family.py."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import benchmark_module
from numseries.patterns import (
    CLASSIFIER_CONFIG,
    CLASSIFIER_FILE,
    UNCLEAR,
    ClassifierConfig,
    bucket_index,
    confusion_groups,
    describe_batch,
    load_classifier,
    top_groups,
)

NAMES = ("noisy_line", "random_walk", "ar", "sinusoidal")


def _describe(probabilities, values=(1.0, 4.0, 7.0, 10.0)):
    values = np.array([values])
    texts, confidence = describe_batch(np.array([probabilities]), NAMES, values, np.array([values.shape[1]]))
    return texts[0], float(confidence[0])


def test_a_clear_family_is_named_alone_with_its_probability():
    assert _describe([0.05, 0.05, 0.1, 0.8]) == ("sine wave", 0.8)


def test_a_trend_is_named_with_its_least_squares_step():
    text, _ = _describe([0.9, 0.05, 0.03, 0.02], values=(1.0, 4.5, 6.5, 10.0))
    assert text == "noisy straight line (+2.9 per step)"


def test_a_logarithm_is_named_decay_or_growth_as_the_series_goes():
    """Adversarial round 14: the classifier reads x and -x alike, and a rising 3 ln t + 1 was a 'logarithmic decay'."""
    names, probabilities = ("log_decay", "sinusoidal"), np.array([[0.95, 0.05], [0.95, 0.05]])
    values = np.log(np.arange(1.0, 9.0))[None] * np.array([[-1.0], [1.0]])  # (2, 8) falling, rising
    texts, _ = describe_batch(probabilities, names, values, np.array([8, 8]))
    assert texts == ["logarithmic decay", "logarithmic growth"]


def test_two_families_the_head_cannot_tell_apart_are_named_together():
    text, confidence = _describe([0.05, 0.45, 0.4, 0.1])
    assert text == "random walk or autoregressive oscillation"
    assert np.isclose(confidence, 0.85)


def test_no_clear_pattern_when_belief_is_spread():
    assert _describe([0.3, 0.3, 0.2, 0.2])[0] == UNCLEAR


def test_each_series_gets_its_own_slope_over_its_own_length():
    values = np.array([[0.0, 2, 4, 6, 0, 0], [9.0, 6, 3, 0, -3, -6]])
    probabilities = np.array([[1.0, 0, 0, 0], [1.0, 0, 0, 0]])
    texts, _ = describe_batch(probabilities, NAMES, values, np.array([4, 6]))
    assert texts == ["noisy straight line (+2 per step)", "noisy straight line (-3 per step)"]


def test_a_trend_near_the_float_limit_gets_its_slope_without_overflow(recwarn):
    text, _ = _describe([0.9, 0.05, 0.03, 0.02], values=(1e308, 1.1e308, 1.2e308, 1.3e308))
    assert text == "noisy straight line (+1e+307 per step)"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]  # no overflow in the sums


def test_families_that_swap_cases_beyond_the_threshold_are_grouped_and_the_rest_stay_alone():
    confusion = np.array(
        [
            [80, 20, 0, 0],  # 0 and 1 swap 15% of their cases
            [10, 90, 0, 0],
            [0, 0, 95, 5],  # 2 and 3 swap 5%: told apart
            [0, 0, 5, 95],
        ]
    )
    assert confusion_groups(confusion, threshold=0.10) == [[0, 1]]
    assert confusion_groups(confusion, threshold=0.04) == [[0, 1], [2, 3]]
    assert confusion_groups(confusion, threshold=0.20) == []


def test_a_one_sided_confusion_groups_too_and_groups_keep_growing_up_to_their_cap():
    confusion = np.array([[100, 0, 0], [40, 60, 0], [0, 30, 70]])  # 1 is often called 0; 2 often called 1
    assert confusion_groups(confusion, threshold=0.10) == [[0, 1, 2]]
    assert confusion_groups(confusion, threshold=0.10, max_size=2) == [[0, 1]]


def test_a_group_is_named_together_with_its_summed_probability_at_its_lengths_only():
    config = ClassifierConfig(names=NAMES, buckets=((3, 6), (7, 64)), groups=[[], [[1, 2]]])
    probabilities = np.array([[0.05, 0.35, 0.35, 0.25]] * 2)
    values = np.tile(np.arange(8.0), (2, 1))  # (not constant: that is named "constant")
    texts, confidence = describe_batch(probabilities, NAMES, values, np.array([5, 8]), config)
    assert texts[1] == "random process (random walk or autoregressive)" and np.isclose(confidence[1], 0.7)
    assert texts[0] == UNCLEAR  # at 5 values they are apart, and no family holds 60% alone or 75% in a pair
    assert top_groups(probabilities, np.array([5, 8]), config) == [[1], [1, 2]]


def test_buckets_with_the_same_groups_each_name_their_own_series():
    config = ClassifierConfig(names=NAMES, buckets=((3, 6), (7, 64)), groups=[[], []])
    probabilities = np.array([[0.05, 0.05, 0.1, 0.8], [0.8, 0.1, 0.05, 0.05], [0.05, 0.05, 0.1, 0.8]])
    texts, _ = describe_batch(probabilities, NAMES, np.tile(np.arange(8.0), (3, 1)), np.array([5, 8, 8]), config)
    assert texts == ["sine wave", "noisy straight line (+1 per step)", "sine wave"]


def test_lengths_fall_in_their_bucket_and_beyond_the_ends_in_the_end_buckets():
    buckets = ((3, 6), (7, 16), (17, 64))
    assert bucket_index(np.array([2, 3, 6, 7, 16, 17, 64, 500]), buckets).tolist() == [0, 0, 0, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"names": ["a"]}, "names must be 2 or more distinct"),
        ({"names": ["a", "b"], "groups": [[[0, 1]]]}, "one list per bucket"),
        ({"names": ["a", "b"], "buckets": [[3, 64]], "groups": [[[0, 2]]]}, "disjoint lists of indices"),
        ({"names": ["a", "b"], "colour": 1}, "unknown fields"),
    ],
)
def test_a_bad_classifier_config_is_one_line_naming_the_field(values, message):
    with pytest.raises(ValueError, match=message):
        ClassifierConfig.from_dict(values)


def test_a_weights_folder_without_a_classifier_has_none(tmp_path):
    assert load_classifier(tmp_path) is None and load_classifier(None) is None


def test_a_classifier_without_its_config_is_refused_naming_the_fix(tmp_path):
    (tmp_path / CLASSIFIER_FILE).write_bytes(b"onnx")
    with pytest.raises(ValueError, match=f"has no {CLASSIFIER_CONFIG} beside it"):
        load_classifier(tmp_path)


def test_a_classifier_config_reads_back_what_it_wrote():
    config = ClassifierConfig(names=NAMES, groups=[[[0, 1]], [], [[1, 2, 3]]], training={"steps": 10})
    assert ClassifierConfig.from_dict(config.to_dict()) == config


def test_the_benchmark_scores_plain_top1_apart_from_the_group_and_the_words():
    bench = benchmark_module("patterns.py")
    config = ClassifierConfig(names=NAMES, buckets=((3, 64),), groups=[[[1, 2]]])
    probabilities = np.array(
        [
            [0.0, 0.45, 0.55, 0.0],  # a random walk read as AR: top-1 wrong, its group right and named
            [0.9, 0.05, 0.05, 0.0],  # a line read as a line
            [0.3, 0.3, 0.1, 0.3],  # a sine wave nobody is sure of: top-1 wrong, no clear pattern
        ]
    )
    truth = np.array([1, 0, 3])
    scores = bench.score(probabilities, truth, np.array([10, 10, 10]), config)
    assert scores["right"].tolist() == [False, True, False]
    assert scores["grouped"].tolist() == [True, True, False]
    assert scores["named"].tolist() == [True, True, False]
    assert scores["unclear"].tolist() == [False, False, True]
    assert bench.group_confusion(scores["top1"], truth, [1, 2]) == 1.0  # its one case went to the other


def test_a_group_is_named_by_what_its_families_share_and_carries_a_trend_s_step():
    from numseries.patterns import group_name

    assert group_name(["sinusoidal", "mixed", "chirp"]) == "oscillation (sine, modulated or changing frequency)"
    assert group_name(["noisy", "noisy_line"], 2.5) == "noisy trend (curve or line, +2.5 per step)"
    assert group_name(["polynomial", "random_walk"]) == "polynomial curve or random walk"  # under no umbrella
    assert group_name(["noisy_line"], -3.0) == "noisy straight line (-3 per step)"


def test_the_batch_words_equal_each_row_named_on_its_own_with_its_own_slope():
    from numseries.cycles import periods
    from numseries.patterns import TREND_SHARE, _slopes, choose, group_name, with_period

    names = ("linear", "noisy_line", "noisy", "random_walk", "sinusoidal", "mixed")
    config = ClassifierConfig(names=names, buckets=((3, 6), (7, 64)), groups=[[[0, 2], [4, 5]], [[1, 2]]])
    rng = np.random.default_rng(0)
    n = 400
    probabilities = rng.dirichlet(np.full(len(names), 0.3), size=n)
    probabilities[:40] = 0.0
    probabilities[:40, 0] = probabilities[:40, 1] = 0.5  # both trend families named together: two slopes
    lengths = rng.integers(3, 20, size=n)
    values = np.where(np.arange(20) < lengths[:, None], rng.normal(size=(n, 20)).cumsum(axis=1) * 1e3, np.nan)
    texts, _ = describe_batch(probabilities, names, values, lengths, config)
    named, _ = choose(probabilities, lengths, config)
    slopes, shares = _slopes(values, lengths, explained=True)
    cycles = periods(values, lengths)
    assert np.allclose(slopes[:3], [np.polyfit(np.arange(k), v[:k], 1)[0] for v, k in zip(values[:3], lengths[:3], strict=True)])
    assert np.allclose(shares[:3], [np.corrcoef(np.arange(k), v[:k])[0, 1] ** 2 for v, k in zip(values[:3], lengths[:3], strict=True)])
    for i in range(n):  # the words made once per choice of groups, each row's slope put in where a line explains it
        slope = slopes[i] if shares[i] >= TREND_SHARE else None  # (round 36b: a noisy sine got a made-up slope)
        expected = " or ".join(group_name([names[k] for k in g], slope) for g in named[i]) if named[i] else UNCLEAR
        expected = expected if slope is not None else expected.replace("noisy trend (", "noisy (")
        assert texts[i] == (with_period(expected, cycles[i]) if np.isfinite(cycles[i]) else expected)
    assert sum(text.count("per step") == 2 for text in texts) >= 1
    assert len(set(texts)) > 100  # each row its own slope, not one row's text repeated
    # A few rows are grouped in Python, many with numpy: the same words either way.
    alone = [describe_batch(probabilities[i : i + 3], names, values[i : i + 3], lengths[i : i + 3], config)[0]
             for i in range(0, n, 9)]
    assert alone == [texts[i : i + 3] for i in range(0, n, 9)]


def test_the_noisy_families_are_scored_base_by_base_on_the_generator_s_own_noise(tmp_path):
    import json

    from numseries.generate import FAMILIES, noisy_bases

    before = set(FAMILIES)
    assert benchmark_module("patterns_noisy.py").main(["--n-per-cell", "4", "--out", str(tmp_path)]) == 0
    assert set(FAMILIES) == before  # the restricted families were registered for the run only
    result = json.loads((tmp_path / "patterns_noisy.json").read_text())
    for parent, stochastic in (("noisy", False), ("noisy_stochastic", True)):
        rows = result["parents"][parent]["bases"]
        assert sorted(rows) == sorted(noisy_bases(stochastic=stochastic))  # the JSON sorts its keys
        for row in rows.values():
            assert row["cases"] == 8  # 4 per length bucket
            assert row["named_noisy"] <= row["named_noisy_or_base"]  # naming the base as well only adds
        assert result["parents"][parent]["named_noisy"] <= result["parents"][parent]["named_noisy_or_base"]


def test_a_mirrored_series_gets_the_same_family_and_mirrored_intervals_and_bands():
    """Adversarial round 7: the shipped classifier called 1 2 4.1 ... 64.5 an exponential and its mirror a
    logistic curve; the mirror's interval was 2.9x wider (its family's calibration), bands at step 21 8x."""
    from numseries.patterns import orientation
    from numseries.predict import Predictor

    rng = np.random.default_rng(7)
    series = [np.cumsum(rng.normal(rng.normal(), 1, n)) * 10 ** rng.uniform(-2, 3) for n in rng.integers(4, 65, 200)]
    series.append(np.array([1, 2, 4.1, 8, 16.2, 32, 64.5]))
    rows = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 3.0], [0.0, 0.0, 0.0], [1.0, -1.0, 1.0]])
    np.testing.assert_array_equal(rows * orientation(rows)[:, None], -rows * orientation(-rows)[:, None])
    shipped = Predictor.from_pretrained(rules=False)
    up, down = shipped.predict_batch(series, level=[80]), shipped.predict_batch([-s for s in series], level=[80])
    np.testing.assert_array_equal(up.pattern_probabilities, down.pattern_probabilities)
    lo, hi = up.interval(80)
    mirror_lo, mirror_hi = down.interval(80)
    np.testing.assert_allclose(mirror_lo, -hi, rtol=1e-5, atol=1e-6 * np.abs(hi).max())
    np.testing.assert_allclose(mirror_hi, -lo, rtol=1e-5, atol=1e-6 * np.abs(hi).max())
    path, mirror = shipped.forecast(series[-1], 21, level=[80]), shipped.forecast(-series[-1], 21, level=[80])
    np.testing.assert_allclose(mirror.interval(80)[0], -path.interval(80)[1], rtol=1e-4)


def test_an_empty_batch_is_an_empty_prediction():
    """Adversarial round 16: predict_batch([]) raised IndexError naming the rising logarithms' first value."""
    from numseries.predict import Predictor

    predictor = Predictor.from_pretrained()
    for empty in ([], np.empty((0, 5))):
        batch = predictor.predict_batch(empty, level=[80])
        assert batch.values.shape == (0,) and batch.patterns == [] and batch.interval(80)[0].shape == (0,)


def test_patterns_do_not_claim_what_the_series_does_not_show():
    """Adversarial round 36b: 20% compound growth (rounded to cents: no geometric rule) was a "logistic
    (saturating) curve" at confidence 1 beside a forecast growing 20% a step; a noisy sine with no trend got
    "noisy trend (curve or line, -0.04492 per step)"; with rules off a constant was "level shifts"."""
    from numseries.predict import Predictor

    shipped, network = Predictor.from_pretrained(), Predictor.from_pretrained(rules=False)
    growth = shipped.predict([round(100 * 1.2**k, 2) for k in range(12)]).pattern
    assert "saturating)" not in growth and growth.startswith("exponential curve")
    t = np.arange(40)
    wave = (5 * np.sin(2 * np.pi * t / 8) + np.random.default_rng(0).normal(0, 0.2, 40)).round(3)
    assert "per step" not in shipped.predict(wave).pattern and "period ≈ 8" in shipped.predict(wave).pattern
    line = (0.5 * np.arange(30) + np.random.default_rng(1).normal(0, 0.3, 30)).round(3)
    assert "per step)" in shipped.predict(line).pattern  # a trend keeps its step
    assert network.predict([7] * 5).pattern == network.predict([7.5] * 30).pattern == "constant"
    falling = network.predict([100, 99, 97, 93, 85, 69, 37]).pattern  # round 37: "... or exponential curve"
    assert falling.count("exponential curve") == 1, falling
