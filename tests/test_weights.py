"""Saving and loading weights: one loading path, nothing unpickled, errors that say what to do."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import torch

from conftest import TINY
from numseries.generate import generate_batch
from numseries.model import LSTMWithAttention
from numseries.weights import (
    CONFIG_FILE,
    INFO_FILE,
    MANIFEST_FILE,
    ONNX_FILE,
    WEIGHTS_FILE,
    load_model,
    locate,
    read_training_info,
    recorded_run_dir,
    save_pretrained,
    shipped_weights_dir,
    trained_families,
)


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(1)
    return LSTMWithAttention(TINY).eval()


@torch.no_grad()
def _predictions(model):
    batch = generate_batch(32, max_len=16, seed=0)
    return model(torch.from_numpy(batch.data), torch.from_numpy(batch.masks))


def _assert_same_predictions(a, b):
    for left, right in zip(_predictions(a), _predictions(b), strict=True):
        torch.testing.assert_close(left, right, rtol=0, atol=0)


def test_weights_folder_reloads_to_identical_predictions(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == sorted([CONFIG_FILE, MANIFEST_FILE, WEIGHTS_FILE])  # no temporary files left
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
    location = locate(folder / "best.pt")
    assert (location.weights, location.config, location.folder, location.onnx) == (folder / "best.pt", folder / CONFIG_FILE, None, None)
    _assert_same_predictions(tiny_model, load_model(folder / "best.pt"))


def test_a_lone_safetensors_file_loads(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    _assert_same_predictions(tiny_model, load_model(folder / WEIGHTS_FILE))


def test_shipped_weights_load_through_the_same_path():
    """Fails, never skips, when the package lacks its weights: the packaging fault CI exists to catch."""
    shipped = locate()
    assert shipped.folder == shipped_weights_dir()
    assert (shipped.weights, shipped.onnx) == (shipped_weights_dir() / WEIGHTS_FILE, shipped_weights_dir() / ONNX_FILE)
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
    with pytest.raises(ValueError, match=r"weights path .*nowhere.pt does not exist; pass a weights folder, .onnx, .pt or .safetensors"):
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
    (folder / MANIFEST_FILE).unlink()  # a folder from before manifests: the file itself is read
    (folder / WEIGHTS_FILE).write_bytes((folder / WEIGHTS_FILE).read_bytes()[:100])  # truncated
    with pytest.raises(ValueError, match=r"cannot read weights file .*model.safetensors: .*; re-train or re-download it"):
        load_model(folder)


def test_a_pickled_whole_model_is_refused_never_unpickled(tiny_model, tmp_path):
    path = tmp_path / "whole_model.pt"
    torch.save(tiny_model, path)  # a pickle: loading it would run code
    with pytest.raises(ValueError, match=r"whole_model.pt: it pickles a numseries.model.LSTMWithAttention, .*save model.state_dict\(\)") as info:
        load_model(path)
    assert "\n" not in str(info.value) and "weights_only=False" not in str(info.value)


class _Runs:
    """Pickles a call of os.system: loading it with torch's full unpickler would run the command."""

    def __reduce__(self):
        import os

        return (os.system, ("touch PWNED",))


def test_a_pickled_call_of_a_blocked_module_is_named_never_run(tmp_path, monkeypatch):
    """Adversarial round 31a: it was "not a state_dict saved by torch.save" (torch 2.13 words a blocked module's
    global otherwise); nothing ran then either."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    torch.save({"lstm.weight_ih_l0": _Runs()}, path)
    with pytest.raises(ValueError, match=r"evil.pt: it pickles a (posix|os|nt)\.system, and only tensors are loaded"):
        load_model(path)
    assert not (tmp_path / "PWNED").exists()


def test_a_pt_file_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), path)
    with pytest.raises(ValueError, match=r"tensor.pt holds a Tensor, not a state_dict; save model.state_dict\(\)"):
        load_model(path)


def test_weights_of_another_architecture_point_to_the_missing_config(tiny_model, tmp_path):
    path = tmp_path / "tiny.pt"
    torch.save(tiny_model.state_dict(), path)  # tiny weights, no config.json beside them
    with pytest.raises(ValueError, match=r"do not fit the architecture in the default ModelConfig \(no config.json beside them\) \((size mismatch|missing key).*\); keep the config.json"):
        load_model(path)


def test_corrupt_config_is_named(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    (folder / MANIFEST_FILE).unlink()  # a folder from before manifests: the file itself is read
    (folder / CONFIG_FILE).write_text('{"max_len": 16, "hidden": 8}')
    with pytest.raises(ValueError, match="unknown model config key 'hidden'"):
        load_model(folder)


def test_unsupported_file_type_says_what_load_model_takes(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"onnx")
    with pytest.raises(ValueError, match=r"unsupported weights file .*model.onnx; load_model takes a weights folder, .pt, .pth or .safetensors"):
        load_model(path)


@pytest.mark.parametrize("name", ["model.bin", "weights.h5"])
def test_a_file_of_another_kind_is_refused_naming_what_is_taken(tmp_path, name):
    (tmp_path / name).write_bytes(b"weights")
    with pytest.raises(ValueError, match=rf"unsupported weights file .*{name}; pass a weights folder, .onnx, .pt, .pth"):
        locate(tmp_path / name)


# --------------------------------------------------------------------------------------------------
# One resolver: what each kind of location holds, and the training run recorded beside the weights
# --------------------------------------------------------------------------------------------------


def test_a_folder_a_weights_file_and_an_onnx_file_resolve_to_their_files(tiny_onnx):
    folder = locate(tiny_onnx)
    assert (folder.weights, folder.config, folder.onnx, folder.folder) == (
        tiny_onnx / WEIGHTS_FILE, tiny_onnx / CONFIG_FILE, tiny_onnx / ONNX_FILE, tiny_onnx
    )
    own = locate(tiny_onnx / WEIGHTS_FILE)  # the folder's own weights file: the folder's other files with it
    assert (own.weights, own.config, own.onnx, own.folder) == (tiny_onnx / WEIGHTS_FILE, tiny_onnx / CONFIG_FILE, None, tiny_onnx)
    onnx = locate(tiny_onnx / ONNX_FILE)
    assert (onnx.weights, onnx.config, onnx.onnx, onnx.folder) == (None, tiny_onnx / CONFIG_FILE, tiny_onnx / ONNX_FILE, tiny_onnx)
    assert folder.model_config() == onnx.model_config() == TINY


def test_a_folder_with_only_an_onnx_file_runs_but_does_not_load_into_torch(tiny_onnx, tmp_path):
    from numseries.predict import Predictor

    folder = tmp_path / "onnx_only"
    folder.mkdir()
    shutil.copy(tiny_onnx / ONNX_FILE, folder / ONNX_FILE)
    assert Predictor.from_pretrained(folder).runtime == "onnxruntime"
    with pytest.raises(ValueError, match=rf"no {WEIGHTS_FILE} in .*onnx_only; pass a folder written by `numseries train`"):
        load_model(folder)


def test_the_training_run_recorded_beside_the_weights_is_found_from_the_folder_or_its_onnx_file(tiny_onnx, tmp_path):
    from numseries.files import write_json

    run_dir = tmp_path / "run"
    (run_dir / "logs" / "version_0").mkdir(parents=True)
    (run_dir / "logs" / "version_0" / "metrics.csv").write_text("epoch,step,val_loss\n0,7,0.5\n")
    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    (folder / MANIFEST_FILE).unlink()  # training_info.json is added by hand below
    assert recorded_run_dir(folder) is None  # no training_info.json
    write_json(folder / INFO_FILE, {"run_dir": str(run_dir)})
    assert recorded_run_dir(folder / ONNX_FILE) == recorded_run_dir(folder) == recorded_run_dir(folder / WEIGHTS_FILE) == run_dir
    shutil.copy(folder / WEIGHTS_FILE, tmp_path / "other.safetensors")
    assert recorded_run_dir(tmp_path / "other.safetensors") is None  # a lone weights file has no training_info.json
    shutil.rmtree(run_dir / "logs")
    assert recorded_run_dir(folder) is None  # the run's logs are gone


# --------------------------------------------------------------------------------------------------
# Fault injection: an export left beside weights that changed since is never run in their place
# --------------------------------------------------------------------------------------------------


@pytest.fixture()
def other_model():
    torch.manual_seed(7)
    return LSTMWithAttention(TINY).eval()


def _value(predictor) -> float:
    return predictor.predict([1.0, 3.0, 2.0, 5.0, 4.0]).value


def test_saving_into_a_folder_with_an_export_removes_it(tiny_onnx, other_model, tmp_path):
    from numseries.predict import Predictor

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    stale = _value(Predictor.from_pretrained(folder))
    (folder / "faithfulness.json").write_text('{"cases": 1}')  # figures measured on the old weights
    save_pretrained(other_model, folder)  # what `numseries train --out FOLDER` does at the end
    assert not (folder / ONNX_FILE).exists() and not (folder / "faithfulness.json").exists()
    predictor = Predictor.from_pretrained(folder)
    assert predictor.runtime == "torch"
    assert _value(predictor) == _value(Predictor.from_model(other_model)) != stale


def _replace_weights_by_hand(folder, model, tmp_path):
    """New weights copied over model.safetensors, as `cp` would, in a folder without a manifest (from before
    manifests, or assembled by hand): the old model.onnx stays."""
    (folder / MANIFEST_FILE).unlink()
    save_pretrained(model, tmp_path / "elsewhere")
    shutil.copy(tmp_path / "elsewhere" / WEIGHTS_FILE, folder / WEIGHTS_FILE)


def test_an_export_of_other_weights_is_not_run_and_torch_runs_the_new_ones(tiny_onnx, other_model, tmp_path, caplog):
    from numseries.predict import Predictor

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    stale = _value(Predictor.from_pretrained(folder))
    _replace_weights_by_hand(folder, other_model, tmp_path)
    with caplog.at_level("WARNING", logger="numseries.predict"):
        predictor = Predictor.from_pretrained(folder)
    assert predictor.runtime == "torch"
    assert _value(predictor) == _value(Predictor.from_model(other_model)) != stale
    assert "was exported from other weights than model.safetensors, so it is stale" in caplog.text
    assert f"numseries export --weights {folder} --out {folder / ONNX_FILE}" in caplog.text


def test_without_torch_a_stale_export_is_refused_naming_the_fix(tiny_onnx, other_model, tmp_path, monkeypatch):
    import importlib.util

    from numseries.predict import Predictor

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    _replace_weights_by_hand(folder, other_model, tmp_path)
    with pytest.raises(ValueError, match=r"stale; re-export it: numseries export --weights .* --out .*model.onnx$") as info:
        Predictor.from_pretrained(folder, runtime="onnxruntime")
    assert "\n" not in str(info.value)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else find_spec(name, *a))
    with pytest.raises(ValueError, match="stale; re-export it: numseries export"):
        Predictor.from_pretrained(folder)


def test_a_stale_export_named_by_its_file_is_refused_not_run(tiny_onnx, other_model, tmp_path):
    """Adversarial round 25: --weights FOLDER/model.onnx ran the old network silently, with the calibration and
    patterns of the new weights beside it. Alone in a folder of its own, an export runs as it is."""
    from numseries.predict import Predictor

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    assert Predictor.from_pretrained(folder / ONNX_FILE).runtime == "onnxruntime"  # a current export runs
    _replace_weights_by_hand(folder, other_model, tmp_path)
    for runtime in ("auto", "onnxruntime"):
        with pytest.raises(ValueError, match=r"model.onnx was exported from other weights than model.safetensors "
                           r"beside it, so it is stale .*; re-export it: numseries export .*, or move it to a folder"):
            Predictor.from_pretrained(folder / ONNX_FILE, runtime=runtime)
    (folder / WEIGHTS_FILE).write_bytes(b"")  # adversarial round 26: an empty one was 'other weights'
    with pytest.raises(ValueError, match=r"cannot read weights file .*model.safetensors: .*; re-train or re-download "
                       r"it, or move .*model.onnx to a folder of its own$"):
        Predictor.from_pretrained(folder / ONNX_FILE)
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(folder / ONNX_FILE, alone / ONNX_FILE)
    assert Predictor.from_pretrained(alone / ONNX_FILE).runtime == "onnxruntime"


def test_an_export_without_a_digest_or_of_another_config_counts_as_stale(tiny_onnx, tmp_path):
    import onnx

    from numseries.predict import Predictor
    from numseries.weights import DIGEST_KEY

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    proto = onnx.load(str(folder / ONNX_FILE))
    kept = [prop for prop in proto.metadata_props if prop.key != DIGEST_KEY]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)  # an export from before digests were recorded
    onnx.save_model(proto, str(folder / ONNX_FILE))
    with pytest.raises(ValueError, match="records no digest of the weights it was exported from"):
        Predictor.from_pretrained(folder, runtime="onnxruntime")
    assert Predictor.from_pretrained(folder).runtime == "torch"

    shutil.copy(tiny_onnx / ONNX_FILE, folder / ONNX_FILE)
    assert Predictor.from_pretrained(folder).runtime == "onnxruntime"  # a current export runs
    (folder / MANIFEST_FILE).unlink()  # the config is changed by hand below
    (folder / CONFIG_FILE).write_text(json.dumps({**TINY.to_dict(), "max_len": 12}))
    with pytest.raises(ValueError, match="was exported with another config than"):
        Predictor.from_pretrained(folder, runtime="onnxruntime")


def test_weights_with_nan_or_inf_are_refused_by_name(tmp_path):
    """Issue 18 item 10: weights saved by a diverged run loaded, and predicting blamed the input's size."""
    import torch

    from numseries.config import ModelConfig
    from numseries.model import LSTMWithAttention

    model = LSTMWithAttention(ModelConfig(max_len=8, hidden_size=4, head_size=4))
    with torch.no_grad():
        model.head[0].weight[0, 0] = float("nan")
    save_pretrained(model, tmp_path / "diverged")
    with pytest.raises(ValueError, match=r"non-finite values \(NaN or inf\) in head\.0\.weight; .* lower --lr"):
        load_model(tmp_path / "diverged")


def test_trained_families_follow_the_runs_that_trained_the_network():
    backbone = {"data": {"families": ["linear", "noisy"]}, "train_config": {"heads_only": False}}
    fine_tune = {"data": {"families": ["linear", "arima"]}, "init_weights": {"training_info": backbone}}
    heads = {
        "data": {"families": ["linear", "logistic"]},
        "train_config": {"heads_only": True},
        "init_weights": {"path": "x", "training_info": fine_tune},
    }
    assert trained_families(heads) == {"linear", "noisy", "arima"}  # the heads-only run left the network alone
    assert trained_families(heads, heads=True) == {"linear", "noisy", "arima", "logistic"}
    assert trained_families({}) is None and trained_families({"epochs": 3}) is None  # nothing recorded
    shipped = trained_families(read_training_info())
    # the shipped network trained on arima (run 30); only its heads saw level_shift (run 33, heads only)
    assert shipped is not None and {"linear", "arima"} <= shipped and "level_shift" not in shipped


@pytest.mark.parametrize(
    ("convert", "kind"),
    [
        (lambda t: t.to(torch.int32), "int32"),
        (lambda t: t.to(torch.bool), "bool"),
        (lambda t: t.to(torch.uint8), "uint8"),
        (lambda t: t.to(torch.complex64), "complex64"),
        (lambda t: t.to_sparse() if t.dim() == 2 else t, "a sparse_coo tensor"),
    ],
)
def test_weights_that_are_not_dense_float_tensors_are_refused_by_name(tiny_model, tmp_path, convert, kind):
    """Adversarial report 5 section 6: int, bool, uint8 and complex weights were cast into the model and
    predicted garbage; sparse ones gave a traceback."""
    folder = save_pretrained(tiny_model, tmp_path / "model")
    torch.save({name: convert(tensor) for name, tensor in tiny_model.state_dict().items()}, folder / "other.pt")
    with pytest.raises(ValueError, match=rf"\S+ in \S+other\.pt is {kind}, not a dense floating-point tensor; these are not a numseries model's weights"):
        load_model(folder / "other.pt")


def test_a_safetensors_header_that_says_int32_for_float_bytes_is_refused(tiny_model, tmp_path):
    """Adversarial report 5 section 6: a header claiming I32 (same byte size as F32) read the floats as integers."""
    import struct

    folder = save_pretrained(tiny_model, tmp_path / "model")
    raw = (folder / WEIGHTS_FILE).read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    header["lstm.weight_ih_l0"]["dtype"] = "I32"
    text = json.dumps(header).encode()
    (folder / MANIFEST_FILE).unlink()  # the file is changed by hand
    (folder / WEIGHTS_FILE).write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + size :])
    with pytest.raises(ValueError, match=r"lstm\.weight_ih_l0 in \S+ is int32, not a dense floating-point tensor"):
        load_model(folder)


def test_half_precision_weights_still_load(tiny_model, tmp_path):
    folder = save_pretrained(tiny_model, tmp_path / "model")
    for dtype in (torch.float16, torch.bfloat16, torch.float64):
        torch.save({name: tensor.to(dtype) for name, tensor in tiny_model.state_dict().items()}, folder / "half.pt")
        assert load_model(folder / "half.pt").config == TINY


def test_a_weights_suffix_in_capitals_loads_and_a_device_is_named_as_one(tiny_weights, tmp_path):
    # adversarial round 10: W.PT was "unsupported" (data files match .CSV), /dev/null "does not exist"
    shutil.copy(tiny_weights / "model.safetensors", tmp_path / "MODEL.SAFETENSORS")
    shutil.copy(tiny_weights / "config.json", tmp_path / "config.json")
    torch.save(load_model(tiny_weights).state_dict(), tmp_path / "W.PT")
    for name in ("MODEL.SAFETENSORS", "W.PT"):
        assert load_model(tmp_path / name).config == load_model(tiny_weights).config
    with pytest.raises(ValueError, match="^weights path /dev/null is not a file or folder; pass a weights folder"):
        locate("/dev/null")


def test_a_weights_folders_own_safetensors_file_brings_the_folders_classifier_and_calibration():
    """Adversarial round 16: --weights FOLDER/model.safetensors named another pattern than the folder (its
    patterns.onnx and calibration.json were not loaded)."""
    from numseries.predict import Predictor
    from numseries.weights import WEIGHTS_FILE, locate, shipped_weights_dir

    folder = shipped_weights_dir()
    assert locate(folder / WEIGHTS_FILE).folder == folder
    by_file, by_folder = Predictor.from_pretrained(folder / WEIGHTS_FILE), Predictor.from_pretrained(folder)
    assert by_file.classifier is not None and by_file.calibration is not None
    series = [3, 6.1, 9.2, 12, 14.8]
    assert by_file.predict(series).pattern == by_folder.predict(series).pattern


def test_a_text_file_named_pt_says_what_it_is_not(tmp_path):
    """Adversarial round 61: torch's error was a bare number, 'cannot read weights file junk.pt: 174812789'."""
    path = tmp_path / "junk.pt"
    path.write_text("hello\n")
    with pytest.raises(ValueError, match=r"junk.pt: it is not a file torch.save wrote \(nor safetensors\); re-train or re-download it$"):
        load_model(path)
