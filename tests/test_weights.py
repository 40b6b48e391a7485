"""Saving and loading weights: one loading path, nothing unpickled, errors that say what to do."""

from __future__ import annotations

import json
import os

import pytest
import torch

from numseries.config import ModelConfig
from numseries.generate import generate_batch
from numseries.model import LSTMWithAttention
from numseries.weights import (
    CONFIG_FILE,
    INFO_FILE,
    WEIGHTS_FILE,
    load_model,
    read_training_info,
    resolve_weights,
    save_pretrained,
    shipped_weights_dir,
)

TINY = ModelConfig(max_len=16, hidden_size=8, num_layers=1, head_size=8)


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(1)
    return LSTMWithAttention(TINY).eval()


@torch.no_grad()
def _predictions(model):
    batch = generate_batch(32, max_len=16, seed=0)
    return model(torch.from_numpy(batch.data), torch.from_numpy(batch.masks))


def _assert_same_predictions(a, b):
    for left, right in zip(_predictions(a), _predictions(b)):
        torch.testing.assert_close(left, right, rtol=0, atol=0)


def test_weights_folder_reloads_to_identical_predictions(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == [CONFIG_FILE, WEIGHTS_FILE]  # no temporary files left
    assert json.loads((folder / CONFIG_FILE).read_text()) == TINY.to_dict()
    loaded = load_model(folder)
    assert loaded.config == TINY and not loaded.training
    _assert_same_predictions(tiny_model, loaded)


def test_saved_files_are_readable_by_everyone(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        assert os.stat(folder / name).st_mode & 0o044 == 0o044, name  # group and others may read


def test_training_info_is_written_and_read_back(tiny_model, tmp_path):
    info = {"command": "numseries train --out x", "duration_seconds": 1.5, "world_size": 1}
    folder = save_pretrained(tiny_model, tmp_path / "model", training_info=info)
    assert read_training_info(folder) == info
    assert read_training_info(save_pretrained(tiny_model, tmp_path / "bare")) == {}
    assert not (tmp_path / "bare" / INFO_FILE).exists()


def test_saving_again_replaces_the_weights(tiny_model, tmp_path):
    save_pretrained(LSTMWithAttention(TINY), tmp_path / "model")
    loaded = load_model(save_pretrained(tiny_model, tmp_path / "model"))
    _assert_same_predictions(tiny_model, loaded)


def test_state_dict_pt_file_loads_back_without_unpickling(tmp_path):
    """The seed's format: torch.save(model.state_dict(), "weights/....pt")."""
    torch.manual_seed(2)
    model = LSTMWithAttention().eval()  # the default architecture: no config.json needed
    path = tmp_path / "lstm_with_attention_best.pt"
    torch.save(model.state_dict(), path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    restored = LSTMWithAttention()
    restored.load_state_dict(state)
    _assert_same_predictions(model, restored.eval())
    _assert_same_predictions(model, load_model(path))


def test_pt_file_uses_the_config_json_beside_it(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    torch.save(tiny_model.state_dict(), folder / "best.pt")
    assert resolve_weights(folder / "best.pt") == (folder / "best.pt", folder / CONFIG_FILE, None)
    _assert_same_predictions(tiny_model, load_model(folder / "best.pt"))


def test_a_lone_safetensors_file_loads(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    _assert_same_predictions(tiny_model, load_model(folder / WEIGHTS_FILE))


def test_shipped_weights_load_through_the_same_path():
    if not (shipped_weights_dir() / WEIGHTS_FILE).is_file():
        pytest.skip("no weights shipped yet: train them with `numseries train --out src/numseries/weights`")
    model = load_model()
    assert isinstance(model, LSTMWithAttention) and not model.training
    prediction, attention = _predictions(model)
    assert torch.isfinite(prediction).all() and torch.isfinite(attention).all()
    info = read_training_info()
    assert {"command", "duration_seconds", "world_size"} <= set(info)


# --------------------------------------------------------------------------------------------------
# A missing, corrupt or foreign weights file: a clear error that names the file and the fix
# --------------------------------------------------------------------------------------------------


def test_missing_path_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"weights path .*nowhere.pt does not exist; pass a weights folder, .pt or .safetensors"):
        load_model(tmp_path / "nowhere.pt")


def test_folder_without_weights_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=rf"no {WEIGHTS_FILE} in .*empty; pass a folder written by `numseries train`"):
        load_model(tmp_path / "empty")


@pytest.mark.parametrize("name", ["model.safetensors", "weights.pt"])
def test_corrupt_weights_file_is_named_with_the_fix(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x00garbage, not weights")
    with pytest.raises(ValueError, match=rf"cannot read weights file .*{name}: .*; re-train or re-download it$") as info:
        load_model(path)
    assert "\n" not in str(info.value)


def test_corrupt_weights_in_a_folder_are_named(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    (folder / WEIGHTS_FILE).write_bytes((folder / WEIGHTS_FILE).read_bytes()[:100])  # truncated
    with pytest.raises(ValueError, match=r"cannot read weights file .*model.safetensors: .*; re-train or re-download it"):
        load_model(folder)


def test_a_pickled_whole_model_is_refused_never_unpickled(tiny_model, tmp_path):
    path = tmp_path / "whole_model.pt"
    torch.save(tiny_model, path)  # a pickle: loading it would run code
    with pytest.raises(ValueError, match=r"whole_model.pt: it pickles a numseries.model.LSTMWithAttention, .*save model.state_dict\(\)") as info:
        load_model(path)
    assert "\n" not in str(info.value) and "weights_only=False" not in str(info.value)


def test_a_pt_file_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), path)
    with pytest.raises(ValueError, match=r"tensor.pt holds a Tensor, not a state_dict; save model.state_dict\(\)"):
        load_model(path)


def test_weights_of_another_architecture_point_to_the_missing_config(tiny_model, tmp_path):
    path = tmp_path / "tiny.pt"
    torch.save(tiny_model.state_dict(), path)  # tiny weights, no config.json beside them
    with pytest.raises(ValueError, match=r"do not fit the architecture in the default ModelConfig \(no config.json beside them\) \((size mismatch|Missing key).*\); keep the config.json"):
        load_model(path)


def test_corrupt_config_is_named(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    (folder / CONFIG_FILE).write_text('{"max_len": 16, "hidden": 8}')
    with pytest.raises(ValueError, match="unknown model config key 'hidden'"):
        load_model(folder)


def test_unsupported_file_type_says_what_load_model_takes(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"onnx")
    with pytest.raises(ValueError, match=r"unsupported weights file .*model.onnx; load_model takes a weights folder, .pt, .pth or .safetensors"):
        load_model(path)
