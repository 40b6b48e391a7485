"""The generator: seeded, vectorised, padded with prefix masks, and every family of its kind."""

from __future__ import annotations

import dataclasses
import inspect
import warnings

import numpy as np
import pytest

from numseries.config import MAX_LENGTH
from numseries.generate import (
    FAMILIES,
    REAL_LIKE,
    generate_batch,
    generate_dataset,
    holdout_families,
    noisy_bases,
    register,
    resolve_families,
    training_families,
)
from numseries.series import mean_abs_step

N, LENGTH = 400, 65  # series per family check, steps per series (the default max_len plus the label)


def _family(name: str, n: int = N, length: int = LENGTH, seed: int = 0) -> np.ndarray:
    """(n, length) clean series of one family at unit scale, straight from its function."""
    return FAMILIES[name].fn(n, length, np.random.default_rng(seed))


def _turning_points(x: np.ndarray) -> np.ndarray:
    """(n, length) -> (n,) number of times the direction of travel changes."""
    direction = np.sign(np.diff(x, axis=1))
    return (np.diff(direction, axis=1) != 0).sum(axis=1)


# --------------------------------------------------------------------------------------------------
# Each family is what its name says. A new family needs a check here (test_every_family_is_checked).
# --------------------------------------------------------------------------------------------------


def _linear(x):
    steps = np.diff(x, axis=1)
    np.testing.assert_allclose(steps, steps[:, :1].repeat(steps.shape[1], axis=1), atol=1e-9)


def _sinusoidal(x):
    offset = (x.max(axis=1) + x.min(axis=1)) / 2
    assert np.abs(x - offset[:, None]).max() <= 1 + 1e-9  # amplitude 1 around its offset
    assert (_turning_points(x) >= 1).all()  # periods of at most 48 steps: it turns within 65


def _log_decay(x):
    steps = np.diff(x, axis=1)
    assert (steps < 0).all()  # monotone down
    assert (np.diff(np.abs(steps), axis=1) < 0).all()  # with shrinking steps


def _mixed(x):
    assert (x.std(axis=1) > 0).all()
    assert np.median(_turning_points(x)) >= 2  # oscillatory compositions


def _noisy(x):
    assert (x.std(axis=1) > 0).all()  # the clean base; noise is added by the generator (tested below)


def _noisy_stochastic(x):
    assert (x.std(axis=1) > 0).all()
    assert np.median(_turning_points(x)) >= 2  # walks, AR and Gaussian processes turn; noise comes later


def _polynomial(x):
    fourth = np.diff(x, n=4, axis=1)  # zero for quadratics and cubics
    assert np.abs(fourth).max() <= 1e-9 * np.abs(x).max()
    assert np.abs(np.diff(x, n=2, axis=1)).max() > 0  # not a straight line


def _exponential(x):
    steps = np.diff(x[:, :12], axis=1)  # early steps, before a decaying curve sinks below rounding
    np.testing.assert_allclose(steps[:, 1:] / steps[:, :-1], (steps[:, 1:2] / steps[:, :1]).repeat(10, axis=1), rtol=1e-6)
    all_steps = np.diff(x, axis=1)
    assert ((all_steps >= 0).all(axis=1) | (all_steps <= 0).all(axis=1)).all()  # monotone


def _random_walk(x):
    steps = np.diff(x, axis=1)
    assert (steps.std(axis=1) > 0).all()  # random increments
    assert np.median(_turning_points(x)) >= 5


def _ar(x):
    assert np.abs(x).max() < 1e3  # stationary: it does not wander off
    assert np.median(_turning_points(x)) >= 5


def _step(x):
    steps = np.diff(x, axis=1)
    assert np.mean(steps == 0) > 0.5  # piecewise constant
    assert (steps != 0).any(axis=1).mean() > 0.9  # with jumps


def _wave(x):
    assert x.min() >= 0 and x.max() <= 1  # sawtooth, triangle and square in [0, 1]
    assert (_turning_points(x) >= 2).all()  # periods of at most 32 steps


def _kernel_synth(x):
    assert (x.std(axis=1) > 0).all()
    assert np.abs(x).max() < 100  # Gaussian-process samples of unit-ish variance


def _logistic(x):
    assert (x > 0).all() and (x <= 1).all()
    assert (np.diff(x, axis=1) >= 0).all()  # an S-curve only rises


def _chirp(x):
    assert np.abs(x).max() <= 1 + 1e-12
    assert (_turning_points(x) >= 1).all()


def _power_law(x):
    assert (x > 0).all()
    assert (np.diff(x, axis=1) > 0).all()


def _autocorrelation(x, lag):
    x = x - x.mean(axis=1, keepdims=True)
    return (x[:, lag:] * x[:, :-lag]).sum(axis=1) / (x * x).sum(axis=1)


def _arima(x):
    assert (np.diff(x, axis=1).std(axis=1) > 0).all()  # random
    assert np.quantile(_autocorrelation(x, 1), 0.1) > 0.8  # integrated: levels persist, unlike AR noise


def _seasonal(x):
    t = np.arange(x.shape[1])
    slope, intercept = np.polyfit(t, x.T, 1)
    detrended = x - (slope[:, None] * t + intercept[:, None])
    seasonality = np.max([_autocorrelation(detrended, lag) for lag in range(3, 31)], axis=0)
    assert np.median(seasonality) > 0.5  # a season of 3 to 30 steps repeats after the trend is gone


def _level_shift(x):
    steps = np.abs(np.diff(x, axis=1))
    assert np.median(steps.max(axis=1) / np.median(steps, axis=1)) > 5  # shifts and spikes stand out of the noise


def _intermittent(x):
    assert (x >= 0).all() and (x == np.round(x)).all()  # counts
    assert ((x == 0).mean(axis=1) > 0.3).mean() > 0.3  # many of them mostly zeros


def _tsmixup(x):
    np.testing.assert_allclose(x.mean(axis=1), 0, atol=1e-9)  # mixtures of standardised series
    assert (x.std(axis=1) > 0).all() and (x.std(axis=1) <= 1 + 1e-9).all()


KIND_CHECKS = {
    "linear": _linear,
    "sinusoidal": _sinusoidal,
    "log_decay": _log_decay,
    "mixed": _mixed,
    "noisy": _noisy,
    "noisy_line": _linear,  # the clean base; noise is added by the generator
    "noisy_stochastic": _noisy_stochastic,
    "polynomial": _polynomial,
    "exponential": _exponential,
    "random_walk": _random_walk,
    "ar": _ar,
    "step": _step,
    "wave": _wave,
    "kernel_synth": _kernel_synth,
    "logistic": _logistic,
    "chirp": _chirp,
    "power_law": _power_law,
    "arima": _arima,
    "seasonal": _seasonal,
    "level_shift": _level_shift,
    "intermittent": _intermittent,
    "tsmixup": _tsmixup,
}


def test_every_family_is_checked():
    assert set(FAMILIES) == set(KIND_CHECKS), "add a check of its kind for each new family"


@pytest.mark.parametrize("name", sorted(KIND_CHECKS))
def test_family_is_finite_and_of_its_kind(name):
    x = _family(name)
    assert x.shape == (N, LENGTH)
    assert np.isfinite(x).all()
    KIND_CHECKS[name](x)


@pytest.mark.parametrize("name", sorted(KIND_CHECKS))
def test_family_survives_the_generator_finite_with_labels_that_continue_the_series(name):
    batch = generate_batch(300, families=[name], seed=1)
    assert np.isfinite(batch.data).all() and np.isfinite(batch.labels).all()
    assert set(batch.families) == {name}
    if FAMILIES[name].noise is None:
        np.testing.assert_array_equal(batch.labels, batch.clean_labels)


def test_linear_label_is_the_next_term_after_scale_and_shift():
    batch = generate_batch(500, families=["linear"], seed=2)
    rows = np.arange(len(batch))
    last, before = batch.data[rows, batch.lengths - 1], batch.data[rows, batch.lengths - 2]
    scale = np.abs(last - before) + np.abs(last)
    np.testing.assert_allclose(batch.labels, 2 * last - before, atol=1e-9 * scale.max(), rtol=1e-9)


def test_noisy_labels_differ_from_clean_labels():
    batch = generate_batch(500, families=["noisy"], seed=3)
    assert (batch.labels != batch.clean_labels).all()
    noise = np.abs(batch.labels - batch.clean_labels) / np.maximum(mean_abs_step(batch.data, batch.masks), 1e-300)
    assert np.median(noise) < 3  # noise of 2% to 100% of a step, not a different series


def test_long_series_stay_finite_at_the_longest_supported_contexts():
    batch = generate_batch(200, max_len=1000, families=["exponential"], seed=4)  # 3**1000 overflows
    assert np.isfinite(batch.data).all() and np.isfinite(batch.labels).all()


# --------------------------------------------------------------------------------------------------
# Shapes, masks, lengths, scales and reproducibility
# --------------------------------------------------------------------------------------------------


def test_generate_dataset_keeps_the_seed_signature_and_shapes():
    assert inspect.signature(generate_dataset).parameters["num_samples"].default == 100_000
    data, labels, masks = generate_dataset(num_samples=1000)
    assert data.shape == (1000, 64) and data.dtype == np.float64
    assert labels.shape == (1000,) and labels.dtype == np.float64
    assert masks.shape == (1000, 64) and masks.dtype == bool


def test_masks_are_prefixes_and_padding_is_zero():
    batch = generate_batch(2000, max_len=32, seed=5)
    np.testing.assert_array_equal(batch.masks, np.arange(32)[None, :] < batch.lengths[:, None])
    assert (batch.data[~batch.masks] == 0).all()
    assert batch.masks.sum(axis=1).tolist() == batch.lengths.tolist()


def test_lengths_run_from_very_short_to_a_configurable_maximum():
    batch = generate_batch(3000, min_len=2, max_len=128, seed=6)
    assert batch.data.shape == (3000, 128)
    assert batch.lengths.min() == 2 and batch.lengths.max() == 128
    assert np.mean(batch.lengths <= 16) > 0.4  # short contexts are common


def test_fixed_lengths_are_used_as_given():
    lengths = np.array([2, 5, 64, 17])
    batch = generate_batch(4, lengths=lengths, seed=7)
    np.testing.assert_array_equal(batch.lengths, lengths)


def test_scale_and_shift_span_orders_of_magnitude():
    batch = generate_batch(5000, families=["linear", "sinusoidal"], seed=8)
    step = mean_abs_step(batch.data, batch.masks)
    decades = np.log10(step[step > 0])
    assert decades.max() - decades.min() > 7
    assert (batch.labels < 0).any() and (batch.labels > 0).any()


def test_same_seed_gives_identical_data_and_another_seed_differs():
    a, b, c = (generate_batch(500, seed=s) for s in (9, 9, 10))
    for field in ("data", "labels", "masks", "lengths", "family_ids", "clean_labels"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.data, c.data)


def test_family_ids_name_the_default_training_mix_without_holdouts():
    batch = generate_batch(3000, seed=11)
    assert batch.family_names == tuple(training_families())
    assert not set(holdout_families()) & set(batch.family_names)
    assert set(batch.families) == set(training_families())
    counts = np.bincount(batch.family_ids, minlength=len(batch.family_names))
    linear, step = batch.family_names.index("linear"), batch.family_names.index("step")
    assert counts[linear] > counts[step]  # drawn in proportion to weight (2.0 vs 0.5)


def test_holdout_families_are_generated_when_named():
    batch = generate_batch(300, families=holdout_families(), seed=12)
    assert set(batch.families) == set(holdout_families())


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def restore_registry():
    before = dict(FAMILIES)
    yield
    FAMILIES.clear()
    FAMILIES.update(before)


def test_registry_extends_with_one_decorated_function(restore_registry):
    @register("doubling_plus_one", weight=0.5)
    def doubling_plus_one(n, length, rng):
        """x_{t+1} = 2 x_t + 1."""
        return 2.0 ** np.arange(length)[None, :] - 1 + np.zeros((n, 1))

    assert FAMILIES["doubling_plus_one"].description == "x_{t+1} = 2 x_t + 1."
    assert "doubling_plus_one" in training_families()
    batch = generate_batch(200, max_len=16, families=["doubling_plus_one"], seed=13)
    rows = np.arange(200)
    last, before = batch.data[rows, batch.lengths - 1], batch.data[rows, batch.lengths - 2]
    rounding = 1e-12 * (np.abs(last) + np.abs(before) + np.abs(batch.labels))
    assert (np.abs(batch.labels - (last + 2 * (last - before))) <= rounding).all()  # survives scale and shift
    assert "doubling_plus_one" in generate_batch(2000, max_len=16, seed=14).family_names


def test_noisy_draws_only_deterministic_bases_so_its_noise_floor_is_a_floor(restore_registry):
    @register("coin_flips", weight=1000.0, stochastic=True)
    def coin_flips(n, length, rng):
        return np.full((n, length), np.nan)  # poisons the batch if noisy ever draws it

    assert "coin_flips" in training_families()
    batch = generate_batch(300, max_len=16, families=["noisy"], seed=15)
    assert np.isfinite(batch.data).all() and np.isfinite(batch.clean_labels).all()


def test_noisy_stochastic_leaves_out_the_real_like_families_that_carry_their_own_noise(restore_registry):
    for name in REAL_LIKE:  # poison them: noisy_stochastic must never draw one
        FAMILIES[name] = dataclasses.replace(FAMILIES[name], fn=lambda n, length, _rng: np.full((n, length), np.nan))
    batch = generate_batch(500, max_len=16, families=["noisy_stochastic"], seed=16)
    assert np.isfinite(batch.data).all()


def test_the_noisy_families_bases_are_the_noise_free_training_families_of_their_kind():
    assert noisy_bases(stochastic=False) == ["linear", "sinusoidal", "log_decay", "mixed", "polynomial", "exponential", "wave"]
    assert noisy_bases(stochastic=True) == ["random_walk", "ar", "step", "kernel_synth"]


def test_registering_a_taken_name_is_refused(restore_registry):
    with pytest.raises(ValueError, match="'linear' is already registered; pick another name"):
        register("linear")(lambda n, length, _rng: np.zeros((n, length)))


def _zeros(n, length, _rng):
    return np.zeros((n, length))


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (5, {}, "family name must be a non-empty string without whitespace, got 5; pass e.g. 'my_family'"),
        ("", {}, "family name must be a non-empty string without whitespace, got ''; pass e.g."),
        ("my fam", {}, "family name must be a non-empty string without whitespace, got 'my fam'; pass e.g."),
        # adversarial round 32b: evaluate --plots wrote prediction_x/../../E.png outside its folder
        ("x/../../E", {}, r"family name 'x/../../E' holds a character a file name cannot \(/ "),
        (".hidden", {}, r"family name '.hidden' holds a character a file name cannot .* or starts with '.'"),
        ("f" * 250, {}, r"family name 'ffffffffffffffffffff'... has 250 characters; give at most 100"),  # round 33
        # adversarial round 38: --families could not name it, and escapes reached the terminal in every error
        ("-neg", {}, r"family name '-neg' holds a control character or starts with '-' \(which --families takes"),
        ("e\x1b[31mvil", {}, r"family name 'e\\x1b\[31mvil' holds a control character"),
        ("never", {"weight": 0}, "weight must be a finite number > 0, got 0 for family 'never'; pass e.g. weight=1.0"),
        ("never", {"weight": -1.0}, "weight must be a finite number > 0, got -1.0 for family 'never'; pass e.g."),
        ("never", {"weight": float("nan")}, "weight must be a finite number > 0, got nan for family 'never'; pass e.g."),
        ("never", {"weight": float("inf")}, "weight must be a finite number > 0, got inf for family 'never'; pass e.g."),
        ("never", {"weight": True}, "weight must be a finite number > 0, got True for family 'never'; pass e.g."),
        ("never", {"weight": "2"}, "weight must be a finite number > 0, got '2' for family 'never'; pass e.g."),
        ("never", {"noise": (1.0, 0.1)}, r"noise must be None or a pair \(lo, hi\) with 0 < lo <= hi, got \(1.0, 0.1\) for family 'never'"),
        ("never", {"noise": (-1.0, 0.1)}, r"noise must be None or a pair .*, got \(-1.0, 0.1\) for family 'never'; pass e.g."),
        ("never", {"noise": (0.0, 1.0)}, r"noise must be None or a pair .*, got \(0.0, 1.0\) for family 'never'; pass e.g."),
        ("never", {"noise": (0.1, float("inf"))}, r"noise must be None or a pair .*, got \(0.1, inf\) for family 'never'"),
        ("never", {"noise": 0.5}, r"noise must be None or a pair .*, got 0.5 for family 'never'; pass e.g. noise=\(0.02, 1.0\)"),
    ],
)
def test_a_bad_registration_is_refused_at_once_naming_the_family(restore_registry, name, options, message):
    with pytest.raises(ValueError, match=message):
        register(name, **options)(_zeros)
    assert name not in FAMILIES
    assert generate_batch(50, max_len=12, seed=0).family_names == tuple(training_families())  # the default mix still works


def test_registering_something_not_callable_is_refused(restore_registry):
    with pytest.raises(ValueError, match=r"family 'answer' must decorate a function fn\(n, length, rng\), got int; decorate a def"):
        register("answer")(42)
    assert "answer" not in FAMILIES


def _explodes(n, length, rng):
    raise RuntimeError("generator exploded")


def _exits(n, length, rng):
    raise SystemExit(5)  # adversarial round 9: ended `numseries train` with exit 5 and no word


def _nan_column(n, length, rng):
    x = np.ones((n, length))
    x[:, 3] = np.nan
    return x


BAD_FAMILIES = {  # fn, what the error says about it
    "raises": (_explodes, "raised RuntimeError: generator exploded; fix its function"),
    "exits": (_exits, "raised SystemExit: 5; fix its function"),
    "nan": (_nan_column, r"must return finite values of shape \(\d+, 13\), got shape \(\d+, 13\) with \d+ non-finite values; fix"),
    "too_wide": (lambda n, length, _rng: np.zeros((n, length + 1)), r"must return finite values of shape \(\d+, 13\), got shape \(\d+, 14\)"),
    "one_row": (lambda _n, length, _rng: np.arange(length, dtype=float), r"must return finite values of shape \(\d+, 13\), got shape \(13,\)"),
    "strings": (lambda n, length, _rng: np.full((n, length), "1"), r"must return real numbers of shape \(\d+, 13\), got ndarray of dtype <U1"),
    "none": (lambda _n, _length, _rng: None, r"must return real numbers of shape \(\d+, 13\), got NoneType of dtype object"),
    "ragged": (lambda n, length, _rng: [[0.0] * length, [0.0]] * n, r"must return real numbers .*, got list of dtype object; fix"),
}


@pytest.mark.parametrize("kind", ["exits", "none", "ragged", "raises", "strings"])  # a wrong shape or NaN: see above
def test_a_failing_family_is_named_as_a_value_error(restore_registry, kind):
    fn, message = BAD_FAMILIES[kind]
    register("mine")(fn)
    with pytest.raises(ValueError, match=rf"^family 'mine' {message}"):
        generate_batch(20, max_len=12, families=["linear", "mine"], seed=0)


@pytest.mark.parametrize("mixer", ["noisy", "tsmixup"])
@pytest.mark.parametrize("kind", sorted(BAD_FAMILIES))
def test_a_failing_family_drawn_by_a_mixing_family_is_named_not_the_mixer(restore_registry, kind, mixer):
    fn, message = BAD_FAMILIES[kind]
    register("mine", weight=1000.0)(fn)  # a deterministic, noise-free training family: noisy and tsmixup draw it
    with pytest.raises(ValueError, match=rf"^family 'mine' {message}"):
        generate_batch(20, max_len=12, families=[mixer], seed=0)


def test_a_family_returning_bad_values_is_named(restore_registry):
    @register("broken")
    def broken(n, length, rng):
        return np.full((n, length), np.inf)

    with pytest.raises(ValueError, match=r"family 'broken' must return finite values .* non-finite values; fix its function"):
        generate_batch(10, families=["broken"])


def test_a_family_too_large_for_the_random_scale_is_named_before_it_overflows(restore_registry):
    """Finite values near 1e307 passed the check, then the scale (up to 1e6) made them inf: RuntimeWarnings
    leaked and training "diverged" with advice to lower --lr (adversarial round 5, section 7)."""

    @register("huge")
    def huge(n, length, rng):
        return np.cumsum(np.full((n, length), 1e306), axis=1)  # (n, length) up to 1e306 * length

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow's RuntimeWarning fails the test
        with pytest.raises(ValueError, match=r"^family 'huge' returns values up to 1.3e\+307, which the generator's "
                           r"random scale \(up to 1e\+06\) would overflow; return values at roughly unit scale \(at "
                           r"most 1e\+294 in magnitude\); fix its function$"):  # fmt: skip
            generate_batch(20, max_len=12, families=["linear", "huge"], seed=0)
    register("large")(lambda n, length, _rng: np.full((n, length), np.exp(600.0)))  # the built-ins' largest: fine
    assert np.isfinite(generate_batch(20, max_len=12, families=["large"], seed=0).labels).all()


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown family 'fibonacci'; known families: linear, sinusoidal, .*power_law"):
        generate_batch(10, families=["linear", "fibonacci"])


def test_a_single_family_name_is_one_family_not_its_letters():
    assert generate_batch(5, families="linear", seed=0).family_names == ("linear",)


def test_empty_family_list_is_refused():
    with pytest.raises(ValueError, match="families is empty; pass at least one of: linear"):
        generate_batch(10, families=[])


@pytest.mark.parametrize("num_samples", [0, -5, 2.5, True, "100"])
def test_num_samples_must_be_a_positive_integer(num_samples):
    with pytest.raises(ValueError, match=rf"num_samples must be a positive integer, got {num_samples!r}; pass e.g."):
        generate_batch(num_samples)


@pytest.mark.parametrize(
    ("min_len", "max_len"), [(1, 64), (4, 3), (4, MAX_LENGTH + 1), (0, 0)]
)
def test_lengths_out_of_range_are_refused_with_the_allowed_range(min_len, max_len):
    with pytest.raises(ValueError, match=rf"lengths must satisfy 2 <= min_len <= max_len <= {MAX_LENGTH}, got min_len={min_len}, max_len={max_len}; pass e.g."):
        generate_dataset(10, min_len=min_len, max_len=max_len)


def test_fixed_lengths_out_of_range_are_refused():
    with pytest.raises(ValueError, match=r"lengths must be 3 integers in \[2, 64\], got shape \(3,\) with range \[1, 65\]"):
        generate_batch(3, lengths=[1, 10, 65])


def test_resolve_families_defaults_to_the_training_families_and_reads_one_name_as_one_family():
    assert resolve_families(None) == training_families()
    assert resolve_families("linear") == ["linear"]
    with pytest.raises(ValueError, match="families is empty; pass at least one of: linear"):
        resolve_families([])
    with pytest.raises(ValueError, match="unknown family 'fibonacci'; known families: linear"):
        resolve_families(["linear", "fibonacci"])


def test_weights_whose_sum_is_past_the_float_range_are_drawn_in_proportion(restore_registry):
    """Adversarial round 38: two families of weight 1e308 made the shares NaN ("Probabilities do not sum to 1",
    naming nothing)."""
    register("huge_a", weight=1e308)(_zeros)
    register("huge_b", weight=1e308)(_zeros)
    batch = generate_batch(2000, max_len=12, families=["huge_a", "huge_b", "linear"], seed=0)
    counts = np.bincount(batch.family_ids, minlength=3)
    assert counts[2] == 0 and 800 < counts[0] < 1200 and counts[0] + counts[1] == 2000


def test_fractional_lengths_and_negative_seeds_are_refused_naming_the_value():
    """Adversarial round 57: lengths 7.99 became 7 silently; seed=-1 gave numpy's 'expected non-negative integer'."""
    with pytest.raises(ValueError, match=r"lengths must be 3 integers in \[2, 64\], got float64 values such as \[5.5, 5.9, 7.99\]"):
        generate_batch(3, lengths=np.array([5.5, 5.9, 7.99]))
    assert generate_batch(3, lengths=np.array([5.0, 6.0, 7.0])).lengths.tolist() == [5, 6, 7]  # whole floats: read
    for seed in (-1, 1.5, True):
        with pytest.raises(ValueError, match=f"seed must be a non-negative integer or a numpy Generator, got {seed!r}"):
            generate_batch(3, seed=seed)
