"""Typed configuration: validation with teaching errors, the JSON round trip, the shared length limits."""

from __future__ import annotations

import re

import pytest

from conftest import TINY
from numseries.config import MAX_LENGTH, MIN_LENGTH, MIN_VALUES, ModelConfig, TrainConfig, check_lengths
from numseries.model import LSTMWithAttention


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_len": 2}, "max_len must be an integer from 3 to 4,096, got 2"),
        ({"max_len": 5000}, "max_len must be an integer from 3 to 4,096, got 5000"),
        ({"hidden_size": 0}, "hidden_size must be an integer from 1 to 8,192, got 0"),
        ({"num_layers": 1.5}, "num_layers must be an integer from 1 to 64, got 1.5"),
        ({"head_size": -8}, "head_size must be an integer from 1 to 8,192, got -8"),
        ({"dropout": 1.0}, r"dropout must be a number in \[0, 1\), got 1.0"),
    ],
)
def test_bad_model_config_is_refused(values, message):
    with pytest.raises(ValueError, match=message):
        LSTMWithAttention(ModelConfig(**values))


def test_config_round_trips_through_a_dict_and_refuses_unknown_keys():
    assert ModelConfig.from_dict(TINY.to_dict()) == TINY
    with pytest.raises(ValueError, match="unknown model config key 'hidden'; known keys: dropout, head_size"):
        ModelConfig.from_dict({"hidden": 8})


def test_unreadable_config_file_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"cannot read model config .*config.json: .*; re-save the weights folder"):
        ModelConfig.load(path)
    with pytest.raises(ValueError, match="cannot read model config .*missing.json"):
        ModelConfig.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"batch_size": 0}, "batch_size must be >= 1, got 0"),
        ({"val_samples": 0}, "val_samples must be >= 1, got 0"),
        ({"batches_per_epoch": -1}, "batches_per_epoch must be >= 1, got -1"),
        ({"lr": 0.0}, "lr must be > 0, got 0.0"),
        ({"num_workers": -1}, "num_workers must be >= 0, got -1"),
        ({"ema_decay": 1.0}, r"ema_decay must be in \[0, 1\), got 1.0; 0 turns weight averaging off"),
        ({"max_minutes": 0.0}, "max_minutes must be > 0, got 0.0; leave it out for no time limit"),
    ],
)
def test_bad_train_config_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes)


def test_train_config_trains_on_what_a_prediction_accepts_by_default():
    assert TrainConfig().min_len == MIN_VALUES
    assert MIN_LENGTH <= MIN_VALUES <= ModelConfig().max_len <= MAX_LENGTH


@pytest.mark.parametrize(("min_len", "max_len"), [(MIN_LENGTH, MIN_LENGTH), (3, 64), (MIN_LENGTH, MAX_LENGTH)])
def test_lengths_within_the_limits_are_accepted(min_len, max_len):
    check_lengths(min_len, max_len)


@pytest.mark.parametrize(("min_len", "max_len"), [(MIN_LENGTH - 1, 64), (5, 4), (4, MAX_LENGTH + 1)])
def test_lengths_outside_the_limits_name_the_range_and_an_example(min_len, max_len):
    with pytest.raises(ValueError, match=rf"lengths must satisfy 2 <= min_len <= max_len <= 4096, got min_len={min_len}, max_len={max_len}; pass e.g. min_len=4, max_len=64"):
        check_lengths(min_len, max_len)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lr", float("inf"), "lr must be a finite number"),
        ("lr", 0.0, "lr must be > 0"),
        ("grad_clip", float("nan"), "grad_clip must be a finite number"),
        ("grad_clip", -1.0, "grad_clip must be > 0"),
        ("min_delta", float("nan"), "min_delta must be a finite number"),
        ("min_delta", -1.0, "min_delta must be >= 0"),
        ("max_minutes", float("inf"), "max_minutes must be a finite number"),
        ("max_minutes", float("nan"), "max_minutes must be a finite number"),
        ("batch_size", 100_000, "batch_size must be an integer from 1 to 16,384"),
        ("val_samples", 1_000_000_000, "val_samples must be an integer from 1 to 1,000,000"),
        ("seed", 2**64, "seed must be an integer from 0 to 4,294,967,295"),
        ("seed", True, "seed must be an integer"),
        ("patience", 2.5, "patience must be an integer"),
    ],
)
def test_every_training_number_is_checked_with_a_one_line_error(field, value, message):
    """Issue 18 items 10 and 14: `--lr inf` trained to NaN weights and exited 0; a huge --val-samples was killed."""
    from numseries.config import TrainConfig

    with pytest.raises(ValueError, match=re.escape(message)):
        TrainConfig(**{field: value})
