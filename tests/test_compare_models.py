"""benchmarks/compare_models.py: the ratio of two models' median errors comes with a bootstrap interval that
says how far sampling alone could move it on the cases measured."""

from __future__ import annotations

import numpy as np

from conftest import benchmark_module


def test_the_ratio_interval_is_exact_for_a_scaled_copy_and_shrinks_with_more_cases():
    interval = benchmark_module("compare_models.py")._ratio_interval
    rng = np.random.default_rng(1)
    base = np.abs(rng.standard_cauchy(2000))  # heavy-tailed, as scaled errors are
    assert np.allclose(interval(base, base), [1.0, 1.0])
    assert np.allclose(interval(base, 1.1 * base), [1.1, 1.1])  # paired: the same resampled cases for both
    widths = []
    for n in (300, 30_000):
        base, cand = np.abs(rng.normal(size=n)), np.abs(rng.normal(size=n))  # equally good models
        lo, hi = interval(base, cand, resamples=400)
        assert lo < np.median(cand) / np.median(base) < hi and lo < 1 < hi
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 5  # about sqrt(100) = 10 times narrower on 100 times the cases


def test_a_group_whose_baseline_median_is_zero_has_no_interval():
    interval = benchmark_module("compare_models.py")._ratio_interval
    assert interval(np.zeros(50), np.ones(50)) is None
