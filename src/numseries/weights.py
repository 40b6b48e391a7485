"""Saving and loading model weights: one loading path for the shipped model, a training run's output,
a ``.pt`` state_dict and a test checkpoint. Nothing is unpickled: safetensors, or
``torch.load(weights_only=True)`` for ``.pt`` files.

A weights folder holds ``config.json`` (a :class:`ModelConfig`), ``model.safetensors`` and, when it
came from ``numseries train``, ``training_info.json``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from numseries.config import ModelConfig

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
ONNX_FILE = "model.onnx"
INFO_FILE = "training_info.json"


def shipped_weights_dir() -> Path:
    """The folder of the weights that ship inside the package."""
    return Path(str(resources.files("numseries") / "weights"))


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then move the file into place, so ``path`` is never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a written file is for everyone to read
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path: str | Path, values: dict[str, Any]) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(values, indent=2, sort_keys=True) + "\n"))


def save_pretrained(model, directory: str | Path, training_info: dict[str, Any] | None = None) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (and ``training_info.json``) to ``directory``."""
    from safetensors.torch import save_file

    directory = Path(directory)
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(state, str(tmp)))
    write_json(directory / CONFIG_FILE, model.config.to_dict())
    if training_info is not None:
        write_json(directory / INFO_FILE, training_info)
    return directory


def _why_unreadable(err: Exception) -> str:
    """One line for a loading error. torch.load's refusals run to paragraphs that suggest
    ``weights_only=False``, which would run the pickled code: never the advice here."""
    text = str(err)
    pickled = re.search(r"Unsupported global: GLOBAL (\S+)", text)
    if pickled:
        return (
            f"it pickles a {pickled.group(1)}, and only tensors are loaded (nothing is unpickled); "
            "save model.state_dict() or use numseries.save_pretrained"
        )
    if "Weights only load failed" in text:
        return "it is not a state_dict saved by torch.save; re-train or re-download it"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f"{lines[0] if lines else type(err).__name__}; re-train or re-download it"


def _read_state(path: Path) -> dict[str, Any]:
    import torch

    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # corrupt or foreign files raise many different errors
        raise ValueError(f"cannot read weights file {path}: {_why_unreadable(err)}") from err
    if not isinstance(state, dict):
        raise ValueError(f"{path} holds a {type(state).__name__}, not a state_dict; save model.state_dict()")
    return state


def resolve_weights(path: str | Path | None) -> tuple[Path, Path, Path | None]:
    """Find ``(weights_file, config_file, folder)`` for a folder, a ``.safetensors`` or a ``.pt`` file.

    ``None`` means the shipped weights. A lone ``.pt`` or ``.safetensors`` file uses the
    ``config.json`` beside it; without one it is assumed to be the default architecture.
    """
    path = shipped_weights_dir() if path is None else Path(path)
    if path.is_dir():
        weights = path / WEIGHTS_FILE
        if not weights.is_file():
            raise ValueError(f"no {WEIGHTS_FILE} in {path}; pass a folder written by `numseries train`")
        return weights, path / CONFIG_FILE, path
    if not path.is_file():
        raise ValueError(f"weights path {path} does not exist; pass a weights folder, .pt or .safetensors file")
    if path.suffix not in (".pt", ".pth", ".safetensors"):
        raise ValueError(
            f"unsupported weights file {path}; load_model takes a weights folder, .pt, .pth or .safetensors "
            "file (an .onnx file runs with `numseries predict --weights FILE.onnx`)"
        )
    return path, path.with_name(CONFIG_FILE), None


def load_model(path: str | Path | None = None):
    """Load a :class:`LSTMWithAttention` in eval mode from a weights folder or file (``None``: shipped)."""
    from numseries.model import LSTMWithAttention

    weights, config_file, _ = resolve_weights(path)
    config = ModelConfig.load(config_file) if config_file.is_file() else ModelConfig()
    model = LSTMWithAttention(config)
    state = _read_state(weights)
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]  # [header, first problem, ...]
        where = config_file.name if config_file.is_file() else "the default ModelConfig (no config.json beside them)"
        raise ValueError(
            f"weights in {weights} do not fit the architecture in {where} ({lines[min(1, len(lines) - 1)]}); "
            "keep the config.json that was saved with them"
        ) from err
    return model.eval()


def read_training_info(directory: str | Path | None = None) -> dict[str, Any]:
    """The ``training_info.json`` of a weights folder (``None``: shipped), or ``{}`` if it has none."""
    path = (shipped_weights_dir() if directory is None else Path(directory)) / INFO_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
