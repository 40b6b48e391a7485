"""ONNX export: one self-describing file, runnable by plain onnxruntime, checked against torch."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from numseries.cli import main
from numseries.explain import bucket_lengths, gradient_path
from numseries.export import TOLERANCES, compare_with_torch, export_onnx
from numseries.predict import Predictor
from numseries.weights import DIGEST_KEY, ONNX_FILE, WEIGHTS_FILE, file_sha256, load_model, shipped_weights_dir

MAX_LEN = 16  # of the tiny test model


def test_export_writes_one_file_that_describes_itself(tiny_onnx):
    onnx_files = sorted(path.name for path in tiny_onnx.iterdir() if ".onnx" in path.name)
    gradients = [gradient_path(ONNX_FILE, length).name for length in bucket_lengths(MAX_LEN)]
    assert onnx_files == sorted([ONNX_FILE, *gradients])  # weights embedded, no .onnx.data beside them
    proto = onnx.load(str(tiny_onnx / ONNX_FILE))
    onnx.checker.check_model(proto, full_check=True)
    metadata = {prop.key: prop.value for prop in proto.metadata_props}
    assert metadata["max_len"] == str(MAX_LEN)
    assert [i.name for i in proto.graph.input] == ["x", "mask"]
    assert [o.name for o in proto.graph.output] == ["prediction", "attention"]


def test_plain_onnxruntime_matches_torch_for_every_batch_size_length_and_mask(tiny_onnx):
    session = onnxruntime.InferenceSession(str(tiny_onnx / ONNX_FILE), providers=["CPUExecutionProvider"])
    model = load_model(tiny_onnx)
    rng = np.random.default_rng(0)
    for batch in (1, 2, 5):
        for length in range(2, MAX_LEN + 1):
            x = np.cumsum(rng.normal(size=(batch, length)), axis=1) * 10.0 ** rng.uniform(-3, 3)  # (B, T)
            lengths = rng.integers(2, length + 1, batch)
            lengths[0] = length
            mask = np.arange(length)[None, :] < lengths[:, None]  # (B, T) prefix masks
            prediction, attention = session.run(None, {"x": x, "mask": mask})
            with torch.inference_mode():
                expected, expected_attention = model(torch.from_numpy(x), torch.from_numpy(mask))
            scale = np.abs(np.diff(x, axis=1)).max()
            np.testing.assert_allclose(
                prediction, expected.numpy(), rtol=TOLERANCES["values"], atol=TOLERANCES["values"] * scale
            )
            np.testing.assert_allclose(attention, expected_attention.numpy(), atol=TOLERANCES["attention"])
            assert prediction.dtype == np.float64 and np.all(attention[~mask] == 0)


def test_compare_with_torch_catches_a_model_that_differs(tiny_onnx):
    model = load_model(tiny_onnx)
    errors = compare_with_torch(model, Predictor.from_pretrained(tiny_onnx))
    assert set(errors) == {"values", "attention"} and all(errors[k] < TOLERANCES[k] for k in errors)
    with torch.no_grad():
        model.head[-1].weight *= 1.5  # a bias would cancel out: the model is antisymmetric
    with pytest.raises(ValueError, match="the ONNX model differs from torch"):
        compare_with_torch(model, Predictor.from_pretrained(tiny_onnx))


def test_export_command_writes_and_checks_the_model(tiny_weights, tmp_path, capsys):
    out = tmp_path / "saved_models" / "model.onnx"
    argv = ["export", "--format", "onnx", "--weights", str(tiny_weights), "--out", str(out), "--no-weights"]
    assert main(argv) == 0  # the gradient graphs are exported (and checked) by the tiny_onnx fixture
    err = capsys.readouterr().err
    assert "checked against torch" in err and "network alone" not in err  # (its folder holds nothing more)
    result = Predictor.from_pretrained(out).predict([1.0, 2.0, 4.0])
    assert result.n_values == 3 and result.weights is None
    assert sorted(path.name for path in out.parent.iterdir()) == [ONNX_FILE]


def test_an_export_of_the_shipped_model_elsewhere_says_what_stays_behind(tmp_path, capsys):
    """Adversarial round 32b: alone, the .onnx gave uncalibrated bands (95% covering 88% at step 8) and the
    pattern head's names, without a word."""
    out = tmp_path / "m.onnx"
    assert main(["export", "--no-weights", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    shipped = shipped_weights_dir()
    assert f"note: {out} is the network alone; calibration.json, patterns.onnx, patterns.json, training_info.json" in err
    assert f"stay in {shipped}: predict with --weights {shipped}, or copy them beside {out}" in err


def test_export_command_rejects_a_name_that_is_not_onnx(tiny_weights, tmp_path, capsys):
    assert main(["export", "--weights", str(tiny_weights), "--out", str(tmp_path / "model.pt")]) == 2
    assert "--out must name an .onnx file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_shipped_onnx_is_an_export_of_the_shipped_weights_and_matches_them():
    """Fails when model.onnx is stale: re-export after changing the weights or model.py."""
    shipped = Predictor.from_pretrained(runtime="onnxruntime")  # refuses an export of other weights
    metadata = {prop.key: prop.value for prop in onnx.load(str(shipped_weights_dir() / ONNX_FILE)).metadata_props}
    assert metadata[DIGEST_KEY] == file_sha256(shipped_weights_dir() / WEIGHTS_FILE)
    assert Predictor.from_pretrained().runtime == "onnxruntime"
    errors = compare_with_torch(load_model(None), shipped)
    assert set(errors) == {"values", "attention", "quantiles", "pattern"}


def test_shipped_onnx_passes_the_check_on_20_seeds_in_a_row():
    """The tolerances hold float32 disagreement, not luck: `numseries export` failed one run in three at 1e-5."""
    model, shipped = load_model(None), Predictor.from_pretrained(runtime="onnxruntime")
    runs = [compare_with_torch(model, shipped, seed=seed) for seed in range(20)]  # each raises above tolerance
    worst = {name: max(run[name] for run in runs) for name in TOLERANCES}
    assert all(worst[name] < TOLERANCES[name] for name in TOLERANCES), worst


def test_shipped_gradient_graphs_match_torch_autograd():
    """Fails when the gradient graphs are stale or missing: re-export after changing the weights or model.py."""
    from numseries.gradient import TOLERANCE as GRADIENT_TOLERANCE
    from numseries.gradient import compare_gradient

    model = load_model(None)
    for length in bucket_lengths(model.config.max_len):
        path = gradient_path(shipped_weights_dir() / ONNX_FILE, length)
        metadata = {prop.key: prop.value for prop in onnx.load(str(path)).metadata_props}
        assert metadata[DIGEST_KEY] == file_sha256(shipped_weights_dir() / WEIGHTS_FILE)
        assert compare_gradient(model, path, length) < GRADIENT_TOLERANCE


def test_the_recorded_digest_is_that_of_the_saved_weights(tiny_onnx):
    metadata = {prop.key: prop.value for prop in onnx.load(str(tiny_onnx / ONNX_FILE)).metadata_props}
    assert metadata[DIGEST_KEY] == file_sha256(tiny_onnx / WEIGHTS_FILE)
    assert json.loads(metadata["config"]) == load_model(tiny_onnx).config.to_dict()


def test_exports_after_the_first_in_one_process_keep_the_length_dynamic(tiny_weights, tmp_path):
    """The session has exported already (tiny_onnx); each further export must still take any length."""
    model = load_model(tiny_weights)
    for k in range(2):
        path = export_onnx(model, tmp_path / f"again_{k}.onnx", gradients=False)  # the graphs take minutes
        predictor = Predictor.from_pretrained(path)
        assert predictor.predict(np.arange(5.0)).n_used == 5 and predictor.predict(np.arange(11.0)).n_used == 11


@pytest.mark.parametrize("max_len", [3, 4])
def test_a_model_of_3_or_4_values_exports(tmp_path, max_len):
    """Adversarial round 52: train takes --max-len 3, but the export's example of 5 values was past its T
    (a 134-line traceback from torch.export)."""
    from numseries.config import ModelConfig
    from numseries.model import LSTMWithAttention

    torch.manual_seed(0)
    model = LSTMWithAttention(ModelConfig(max_len=max_len, hidden_size=8, head_size=8))
    path = export_onnx(model, tmp_path / "short.onnx", gradients=False)
    predictor = Predictor.from_pretrained(path)
    for n in (3, max_len, 9):  # whole, and a longer sequence read from its last max_len values
        assert predictor.predict(np.arange(float(n)) ** 1.5).n_used == min(n, max_len)


def test_an_interrupted_export_leaves_the_folders_files_as_they_were(tiny_onnx, tmp_path, monkeypatch):
    """Adversarial round 25: export wrote model.onnx, then each gradient graph in place over minutes; a kill
    between them left new and old files, and predictions of long series failed ('gradient_48 was exported
    with other weights than model.onnx'). Now every file is written first and moved into place last."""
    import shutil

    import numseries.gradient
    from numseries.model import LSTMWithAttention
    from numseries.weights import save_pretrained

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    torch.manual_seed(1)
    save_pretrained(LSTMWithAttention(load_model(tiny_onnx).config), folder)  # new weights: the export is stale
    before = {path.name: path.read_bytes() for path in folder.glob("*.onnx")}

    def interrupted(model, path, metadata):  # the second graph's writing killed
        def killed(tmp):
            raise KeyboardInterrupt

        return [(gradient_path(path, bucket_lengths(MAX_LEN)[0]), lambda tmp: tmp.write_bytes(b"new")),
                (gradient_path(path, MAX_LEN), killed)]  # fmt: skip

    monkeypatch.setattr(numseries.gradient, "gradient_writes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_onnx(load_model(folder), folder / ONNX_FILE)
    assert {path.name: path.read_bytes() for path in folder.glob("*.onnx")} == before
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith(".")) == []  # no temporary files
    assert Predictor.from_pretrained(folder).runtime == "torch"  # the stale export is not run, as before


def test_an_export_beside_other_weights_is_refused_before_it_starts(tiny_weights, tmp_path):
    """Adversarial round 26: it ran (minutes, with the gradient graphs), then its own check refused the file it
    had written as stale beside the other model.safetensors, naming its temporary file as the fix."""
    from numseries.model import LSTMWithAttention
    from numseries.weights import save_pretrained

    torch.manual_seed(3)
    folder = save_pretrained(LSTMWithAttention(load_model(tiny_weights).config), tmp_path / "other")
    with pytest.raises(ValueError, match=r"^cannot export to .*model.onnx: .*model.safetensors beside it holds other "
                       r"weights, .*; export into the weights' own folder or a folder of its own$"):
        export_onnx(load_model(tiny_weights), folder / ONNX_FILE)
    assert not (folder / ONNX_FILE).exists()
