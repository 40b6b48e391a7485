"""Multi-step bands of a context the classifier names a family widen by that family's calibrated factors
(``calibration.json``'s family horizon factors, shipped with the weights)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from numseries.forecast import family_indices
from numseries.generate import generate_batch
from numseries.predict import Predictor


@pytest.fixture(scope="module")
def shipped():
    return Predictor.from_pretrained(rules=False)


def test_level_shifts_named_so_get_the_wider_bands_they_need_and_other_series_keep_theirs(shipped):
    """The generated step family (level shifts), 24 values and 8 steps: its pooled 80% bands covered
    about 63% of steps 2-8; the factors of contexts named step widen them, and the bands of contexts not
    named a family stay as they were."""
    assert shipped.calibration is not None and shipped.calibration.family_factors is not None
    pooled = copy.copy(shipped)
    pooled.calibration = dataclasses.replace(shipped.calibration, families=(), family_factors=None)
    cases = generate_batch(600, min_len=32, max_len=32, families=["step"], lengths=np.full(600, 32), seed=12)
    walks = generate_batch(200, min_len=32, max_len=32, families=["random_walk"], lengths=np.full(200, 32), seed=13)
    context = np.concatenate([cases.data[:, :24], walks.data[:, :24]])
    future = np.concatenate([cases.data[:, 24:], walks.data[:, 24:]])
    named = family_indices(shipped.classifier.probabilities(context), shipped.pattern_names, shipped.calibration)
    assert named is not None
    own, plain = (predictor.forecast_batch(list(context), 8, level=[80]) for predictor in (shipped, pooled))
    np.testing.assert_array_equal(own.values, plain.values)  # the same paths
    (lo, hi), (plain_lo, plain_hi) = own.interval(80), plain.interval(80)
    np.testing.assert_array_equal(lo[:, 0], plain_lo[:, 0])  # step 1: the model's own interval
    unnamed = named < 0
    assert unnamed.any() and (~unnamed).any()
    np.testing.assert_array_equal(lo[unnamed], plain_lo[unnamed])
    np.testing.assert_array_equal(hi[unnamed], plain_hi[unnamed])
    assert ((hi - lo)[~unnamed] >= (plain_hi - plain_lo)[~unnamed]).all()  # never narrower
    step = np.arange(len(context)) < 600
    covered = ((lo <= future) & (future <= hi))[step, 1:].mean()
    plain_covered = ((plain_lo <= future) & (future <= plain_hi))[step, 1:].mean()
    assert plain_covered < 0.68 and covered > 0.72
