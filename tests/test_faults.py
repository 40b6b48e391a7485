"""Fault injection (issue 18): a kill, a crash or a damaged file costs at most the step it hit, and what
cannot be used is one line naming the file and the field, never a wrong answer or a traceback.

Checkpoints (item 5), weights folders (item 6), sizes (item 7) and types (item 12) read from files are here;
items 1, 2 and 4 have theirs beside the code they test: tests/test_batch_io.py (a series across a chunk
boundary where pandas typed the ids differently), tests/test_weights.py and tests/test_train.py (a stale
model.onnx is never run), tests/test_cli_predict.py (SIGTERM, SIGHUP and SIGKILL during a batch run).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import torch

from conftest import TINY
from numseries import train
from numseries.cli import main
from numseries.config import TrainConfig
from numseries.model import LSTMWithAttention
from numseries.train import BEST_CHECKPOINT, CHECKPOINT_DIR, LAST_CHECKPOINT, AtomicCheckpointIO, run_training
from numseries.weights import CONFIG_FILE, INFO_FILE, MANIFEST_FILE, ONNX_FILE, WEIGHTS_FILE, load_model, locate

TOY = [
    "--batch-size", "16", "--batches-per-epoch", "2", "--val-samples", "32", "--hidden-size", "8",
    "--num-layers", "1", "--head-size", "8", "--families", "linear", "sinusoidal", "--no-progress",
]  # fmt: skip


def _train(tmp_path: Path, *extra: str) -> int:
    return main(["train", "--out", str(tmp_path / "out"), "--run-dir", str(tmp_path / "run"), *TOY, *extra])


def _one_line_error(code: int, err: str, command: str) -> str:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"numseries {command}: error: "), err
    assert "Traceback" not in err
    return err


def _hand_made_copy(folder: Path, tmp_path: Path) -> Path:
    """A copy of a weights folder without its manifest (as from before manifests), to be edited by hand."""
    copy = tmp_path / "weights"
    shutil.copytree(folder, copy)
    (copy / MANIFEST_FILE).unlink(missing_ok=True)
    return copy


# --------------------------------------------------------------------------------------------------
# Item 5: checkpoints are written in the run directory itself; --resume falls back to a readable one
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["emptied", "zeroed"])
def test_a_damaged_last_checkpoint_resumes_from_best_and_says_so(tmp_path, capsys, damage):
    assert _train(tmp_path, "--max-len", "12", "--max-epochs", "2") == 0
    last = tmp_path / "run" / CHECKPOINT_DIR / LAST_CHECKPOINT
    last.write_bytes(b"" if damage == "emptied" else bytes(last.stat().st_size))  # what a kill mid-copy left
    capsys.readouterr()

    assert _train(tmp_path, "--max-len", "12", "--max-epochs", "3", "--resume") == 0
    err = capsys.readouterr().err
    assert f"{last} is not a readable checkpoint" in err, err
    assert f"resuming from {last.with_name(BEST_CHECKPOINT)} instead" in err, err
    assert json.loads((tmp_path / "out" / INFO_FILE).read_text())["epochs"] == 3
    assert "state_dict" in torch.load(last, weights_only=True)  # the resumed run wrote a whole last.ckpt again


def test_when_no_checkpoint_is_readable_resume_names_each_one(tmp_path):
    folder = tmp_path / "run" / CHECKPOINT_DIR
    folder.mkdir(parents=True)
    (folder / BEST_CHECKPOINT).write_bytes(bytes(64))
    (folder / LAST_CHECKPOINT).write_bytes(b"")
    config = TrainConfig(batch_size=16, batches_per_epoch=2, val_samples=32, max_epochs=1)
    with pytest.raises(ValueError, match=r"cannot resume: .*last.ckpt is not a readable checkpoint \(\w+\), .*best.ckpt is not a readable checkpoint \(\w+\); delete the run directory and train again$"):
        run_training(tmp_path / "out", config=config, model_config=TINY, run_dir=tmp_path / "run", resume=True)


@pytest.mark.slow
def test_checkpoints_are_written_in_the_run_directory_never_through_tmpdir(tmp_path, monkeypatch):
    """Lightning's writer staged each checkpoint in TMPDIR and copied it over the old one when TMPDIR was on
    another file system; a kill during the copy left last.ckpt empty. Without a usable TMPDIR it cannot run."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-tmpdir"))
    config = TrainConfig(batch_size=16, batches_per_epoch=2, val_samples=32, max_epochs=2, families=("linear",))
    run_training(tmp_path / "out", config=config, model_config=TINY, run_dir=tmp_path / "run", progress_bar=False)
    checkpoints = tmp_path / "run" / CHECKPOINT_DIR
    assert sorted(path.name for path in checkpoints.iterdir()) == [BEST_CHECKPOINT, LAST_CHECKPOINT]


def test_a_checkpoint_write_that_dies_midway_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    path = tmp_path / CHECKPOINT_DIR / LAST_CHECKPOINT
    AtomicCheckpointIO().save_checkpoint({"state_dict": {"w": torch.ones(3)}, "epoch": 1}, path)

    def dies_midway(obj, file):
        file.write(b"PK\x03\x04 the first half of a checkpoint")
        raise KeyboardInterrupt  # a kill, as far as this process can see one

    monkeypatch.setattr(torch, "save", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        AtomicCheckpointIO().save_checkpoint({"state_dict": {"w": torch.zeros(3)}, "epoch": 2}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True)["epoch"] == 1
    assert list(path.parent.iterdir()) == [path]  # no temporary file left


# --------------------------------------------------------------------------------------------------
# Item 6: a weights folder is written as one set: a reader gets the old set, the new one or one line
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def old_and_new():
    """Two models with the same tensor shapes and different configs: only the manifest can tell a mix."""
    torch.manual_seed(3)
    old = LSTMWithAttention(TINY).eval()
    torch.manual_seed(4)
    new = LSTMWithAttention(dataclasses.replace(TINY, max_len=12)).eval()
    return old, new


def _what_loads(folder: Path, old: LSTMWithAttention, new: LSTMWithAttention) -> str:
    """"old" or "new" when ``folder`` loads as that whole set, "error" for a one-line error, else "mix"."""
    try:
        loaded = load_model(folder)
    except ValueError as err:
        assert "\n" not in str(err)
        return "error"
    for name, model in (("old", old), ("new", new)):
        same = zip(loaded.state_dict().values(), model.state_dict().values(), strict=True)
        if loaded.config == model.config and all(torch.equal(a, b) for a, b in same):
            return name
    return "mix"


@pytest.mark.parametrize("manifest", [True, False], ids=["with-manifest", "from-before-manifests"])
@pytest.mark.parametrize("crash_at", range(5))
def test_a_write_stopped_between_files_never_pairs_new_weights_with_an_old_config(
    tmp_path, monkeypatch, old_and_new, manifest, crash_at
):
    from numseries import weights

    old, new = old_and_new
    folder = weights.save_pretrained(old, tmp_path / "weights", training_info={"run": "old"})
    if not manifest:
        (folder / MANIFEST_FILE).unlink()
    writes = []
    atomic_write = weights.atomic_write

    def crashing(path, write):
        if len(writes) == crash_at:
            raise KeyboardInterrupt(f"killed before writing {Path(path).name}")
        writes.append(Path(path).name)
        atomic_write(path, write)

    monkeypatch.setattr(weights, "atomic_write", crashing)
    try:
        weights.save_pretrained(new, folder, training_info={"run": "new"})
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    replaced = [name for name in writes if name in (CONFIG_FILE, WEIGHTS_FILE, INFO_FILE)]
    finished = MANIFEST_FILE in writes and writes[-1] == MANIFEST_FILE and replaced
    expected = "new" if finished else "old" if not replaced else "error"
    assert _what_loads(folder, old, new) == expected, writes


@pytest.mark.slow
def test_a_folder_killed_while_being_written_loads_as_one_set_or_says_it_is_incomplete(tmp_path, old_and_new):
    from numseries.weights import save_pretrained

    old, new = old_and_new
    sources = [save_pretrained(model, tmp_path / name) for name, model in (("old", old), ("new", new))]
    target = save_pretrained(old, tmp_path / "target")
    code = (
        "import sys\n"
        "from numseries.weights import load_model, save_pretrained\n"
        "models = [load_model(sys.argv[1]), load_model(sys.argv[2])]\n"
        "print('ready', flush=True)\n"
        "i = 0\n"
        "while True:\n"
        "    save_pretrained(models[i % 2], sys.argv[3], training_info={'i': i})\n"
        "    i += 1\n"
    )
    seen = []
    for delay in (0.05, 0.2, 0.5):
        child = subprocess.Popen(
            [sys.executable, "-c", code, *map(str, sources), str(target)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        seen.append(_what_loads(target, old, new))
    assert "mix" not in seen, seen


def test_weights_replaced_by_hand_in_a_folder_with_a_manifest_are_one_line_naming_the_fix(tiny_onnx, old_and_new, tmp_path, capsys):
    from numseries.weights import save_pretrained

    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    shutil.copy(save_pretrained(old_and_new[1], tmp_path / "other") / WEIGHTS_FILE, folder / WEIGHTS_FILE)
    err = _one_line_error(main(["predict", "--weights", str(folder), "1", "2", "3"]), capsys.readouterr().err, "predict")
    assert f"{folder} is not one set of weights: {WEIGHTS_FILE} is not the one listed in {MANIFEST_FILE}" in err


def test_a_file_listed_in_the_manifest_but_gone_is_named_missing_from_the_folder(tiny_onnx, tmp_path, capsys):
    """Adversarial round 57: it was 'config.json is missing in manifest.json', where the manifest lists it."""
    folder = tmp_path / "weights"
    shutil.copytree(tiny_onnx, folder)
    (folder / "config.json").unlink()
    err = _one_line_error(main(["predict", "--weights", str(folder), "1", "2", "3"]), capsys.readouterr().err, "predict")
    assert f"{folder} is not one set of weights: config.json is listed in {MANIFEST_FILE} but missing from the folder" in err


# --------------------------------------------------------------------------------------------------
# Item 7: sizes from files are bounded before anything is allocated
# --------------------------------------------------------------------------------------------------


def _allocated(*args, **kwargs):
    raise AssertionError("something was allocated before the sizes were checked")


@pytest.fixture()
def nothing_is_built(monkeypatch):
    """Fail the test if a model is built or a weights file read whole."""
    import safetensors.torch

    monkeypatch.setattr(LSTMWithAttention, "__init__", _allocated)
    monkeypatch.setattr(safetensors.torch, "load_file", _allocated)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hidden_size": 20_000}, "hidden_size must be an integer from 1 to 8,192, got 20000"),
        ({"num_layers": 1_000_000}, "num_layers must be an integer from 1 to 64, got 1000000"),
        ({"num_layers": 1e6}, "num_layers must be an integer from 1 to 64, got 1000000.0"),
        ({"head_size": 10**9}, "head_size must be an integer from 1 to 8,192, got 1000000000"),
        ({"hidden_size": 4096, "num_layers": 8}, "parameters (hidden_size 4096, num_layers 8, head_size 16), over the limit of 100,000,000"),
        ({"hidden_size": 32}, "size mismatch for lstm.weight_ih_l0: [64, 3] in the weights, [128, 3] in the config"),
        ({"num_layers": 2}, "missing key lstm.weight_ih_l1"),
    ],
)
def test_sizes_in_a_config_json_are_checked_before_a_model_is_built(tiny_weights, tmp_path, nothing_is_built, changes, message):
    folder = _hand_made_copy(tiny_weights, tmp_path)
    (folder / CONFIG_FILE).write_text(json.dumps({**TINY.to_dict(), **changes}))
    with pytest.raises(ValueError) as info:
        load_model(folder)
    assert message in str(info.value) and str(folder / CONFIG_FILE) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "config",
    [TINY, dataclasses.replace(TINY, num_layers=3, dropout=0.1), dataclasses.replace(TINY, quantile_levels=(0.1, 0.5, 0.9), pattern_names=("a", "b", "c"))],
    ids=["tiny", "three-layers", "heads"],
)
def test_the_shapes_a_config_names_are_those_of_the_model_it_builds(config):
    model = LSTMWithAttention(config)
    assert config.tensor_shapes() == {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}
    assert config.parameter_count() == sum(parameter.numel() for parameter in model.parameters())


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"\xff" * 8, "its header length is wrong"),
        (b"\x05", "its header length is wrong"),
        (len(b"[1, 2]").to_bytes(8, "little") + b"[1, 2]", "its header is not a JSON object"),
        (len(b'{"w": {"shape": "big"}}').to_bytes(8, "little") + b'{"w": {"shape": "big"}}', "gives tensor 'w' no shape"),
        ((200_000).to_bytes(8, "little") + b"[" * 100_000 + b"]" * 100_000, "its header is not JSON (RecursionError)"),
    ],
    ids=["huge-length", "short", "list", "no-shape", "deeply-nested"],
)
def test_a_damaged_safetensors_header_is_one_line_naming_the_file(tiny_weights, tmp_path, nothing_is_built, header, message):
    folder = _hand_made_copy(tiny_weights, tmp_path)
    (folder / WEIGHTS_FILE).write_bytes(header)
    with pytest.raises(ValueError, match=rf"cannot read weights file .*{WEIGHTS_FILE}: .*; re-train or re-download it") as info:
        load_model(folder)
    assert message in str(info.value)


def test_a_training_run_too_large_for_the_memory_is_refused_before_anything_is_allocated(tmp_path, capsys, monkeypatch):
    """Issue 18 item 7: `train --val-samples 1000000000` was killed by the kernel; 1,000,000 at max_len 4096
    (the largest values allowed) still need over 100 GB."""
    monkeypatch.setattr(train, "available_memory", lambda: 8 * 10**9)
    monkeypatch.setattr(train, "generate_batch", _allocated)
    code = _train(tmp_path, "--val-samples", "1000000", "--max-len", "4096")
    err = _one_line_error(code, capsys.readouterr().err, "train")
    assert re.search(r"training would need about 16\d\.\d GB of memory \(validation set 163\.9 GB, ", err), err
    assert "8.0 GB are available; lower --val-samples, --batch-size or --max-len" in err
    assert not (tmp_path / "run").exists() and not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="reads the peak memory from Linux's /proc")
def test_the_validation_set_takes_no_more_memory_per_value_than_estimated():
    """The estimate's largest part, against the peak memory of making validation sets of two sizes in fresh
    processes (the peak since the imports, reset through /proc/self/clear_refs); their difference per value,
    so that what a process holds anyway cancels out."""
    code = (
        "import sys\n"
        "from numseries.data import make_loader\n"
        "from numseries.generate import generate_batch\n"
        "def kb(field):\n"
        "    return next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith(field))\n"
        "open('/proc/self/clear_refs', 'w').write('5')  # the peak so far (the imports') is forgotten\n"
        "before = kb('VmRSS:')\n"
        "loader = make_loader(generate_batch(int(sys.argv[1]), min_len=3, max_len=128, seed=1), batch_size=1024)\n"
        "print((kb('VmHWM:') - before) * 1024)\n"
    )
    peaks = [
        int(subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True, text=True, check=True).stdout)
        for n in (20_000, 80_000)
    ]
    per_value = (peaks[1] - peaks[0]) / (60_000 * 129)
    assert 0.6 * train._BYTES_PER_VALIDATION_VALUE < per_value <= train._BYTES_PER_VALIDATION_VALUE, (per_value, peaks)


def test_what_a_default_training_run_needs_is_counted_part_by_part():
    from numseries.config import ModelConfig

    parts = train.training_memory(TrainConfig(), ModelConfig())
    assert parts["validation set"] == 40 * 20_000 * 65
    assert parts["weights and optimizer"] == 20 * ModelConfig().parameter_count()
    assert parts["training step"] == 200 * 256 * 64 * 64
    assert "training step" not in train.training_memory(TrainConfig(), ModelConfig(), accelerator="gpu")


# --------------------------------------------------------------------------------------------------
# Item 12: config and metadata of the wrong type: one line naming the file and the field, exit 2
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"hidden_size": true}', "hidden_size must be an integer"),
        ('{"max_len": "64"}', "max_len must be an integer"),
        ('{"dropout": null}', "dropout must be a number"),
        ('{"quantile_levels": 0.5}', "quantile_levels must be a list of numbers"),
        ('{"pattern_names": [1, 2]}', "pattern_names must be a list of names"),
        ("[" * 100_000 + "]" * 100_000, "it is nested too deeply"),
        ("[1, 2]", "expected a JSON object of settings, got a list"),
        ("{not json", "Expecting property name"),
        (b"\xff\xfe{}", "can't decode byte"),
    ],
    ids=["bool", "text", "null", "number-for-list", "numbers-for-names", "deeply-nested", "list", "corrupt", "not-utf8"],
)
def test_a_config_json_of_the_wrong_type_is_one_line_naming_the_file_and_the_field(tiny_weights, tmp_path, capsys, content, field):
    folder = _hand_made_copy(tiny_weights, tmp_path)
    path = folder / CONFIG_FILE
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    err = _one_line_error(main(["predict", "--weights", str(folder), "1", "2", "3"]), capsys.readouterr().err, "predict")
    assert str(path) in err and field in err, err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "holds a JSON list, not an object of fields"),
        ("{broken", "cannot read training info"),
        ('{"run_dir": 5}', "run_dir must be a folder name, got 5"),
        # adversarial round 38: calibrate and evaluate read these and crashed (AttributeError), or took a
        # family name for no record and calibrated on every family
        ('{"data": "x"}', "data is a JSON str, not an object"),
        ('{"train_config": 5}', "train_config is a JSON int, not an object"),
        ('{"init_weights": "x"}', "init_weights is a JSON str, not an object"),
        ('{"data": {"families": "linear"}}', "data.families is not a list of family names"),
        ('{"init_weights": {"training_info": {"data": []}}}', "init_weights.training_info.data is a JSON list"),
    ],
    ids=["list", "corrupt", "run-dir-number", "data", "train-config", "init-weights", "families", "nested"],
)
def test_a_training_info_json_of_the_wrong_type_is_one_line_naming_the_file(tiny_weights, tmp_path, content, message):
    folder = _hand_made_copy(tiny_weights, tmp_path)
    (folder / INFO_FILE).write_text(content)
    with pytest.raises(ValueError) as info:
        locate(folder).run_dir()
    assert message in str(info.value) and str(folder / INFO_FILE) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.slow
def test_train_init_weights_with_a_broken_training_info_is_one_line_naming_it(tiny_weights, tmp_path, capsys):
    folder = _hand_made_copy(tiny_weights, tmp_path)
    (folder / INFO_FILE).write_text("[1, 2]")
    architecture = ["--max-len", "16", "--hidden-size", "16", "--head-size", "16"]
    code = _train(tmp_path, *architecture, "--init-weights", str(folder))
    err = _one_line_error(code, capsys.readouterr().err, "train")
    assert f"training info {folder / INFO_FILE} holds a JSON list" in err


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("max_len", "0", "its metadata field max_len is '0', not a length from 2 to 4096"),
        ("max_len", "-1", "its metadata field max_len is '-1', not a length from 2 to 4096"),
        ("max_len", "abc", "its metadata field max_len is 'abc', not a length from 2 to 4096"),
        ("max_len", "12", "its metadata fields max_len (12) and config (16) differ"),
        ("config", "{", "its metadata field config is not JSON"),
        ("config", '{"hidden_size": true}', "its metadata field config: hidden_size must be an integer"),
    ],
)
def test_onnx_metadata_of_the_wrong_type_is_one_line_naming_the_file_and_the_field(tiny_onnx, tmp_path, capsys, key, value, message):
    import onnx

    path = tmp_path / ONNX_FILE
    proto = onnx.load(str(tiny_onnx / ONNX_FILE))
    kept = [prop for prop in proto.metadata_props if prop.key != key]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    proto.metadata_props.add(key=key, value=value)
    onnx.save_model(proto, str(path))
    err = _one_line_error(main(["predict", "--weights", str(path), "1", "2", "3"]), capsys.readouterr().err, "predict")
    assert f"{path}: " in err and message in err, err


class _Exploit:
    """A pickle that runs a command when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["plain", "exploit"])
def test_a_raw_pickle_given_as_weights_is_one_line_with_no_warning_before_it(tmp_path, kind):
    marker = tmp_path / "unpickled"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weights": [1.0, 2.0]} if kind == "plain" else _Exploit(marker), protocol=4))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    result = subprocess.run(
        [sys.executable, "-m", "numseries", "predict", "--weights", str(path), "1", "2", "3"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("numseries predict: error: cannot read weights file"), result.stderr
    assert not marker.exists()
