"""Saving and loading model weights: one resolver for every weights location (the shipped model, a
training run's output, a ``.pt`` state_dict, an ONNX export and a test checkpoint) and one loading
path. Nothing is unpickled: safetensors, or ``torch.load(weights_only=True)`` for ``.pt`` files.

A weights folder holds ``config.json`` (a :class:`ModelConfig`), ``model.safetensors``, when it came
from ``numseries train`` ``training_info.json`` (which names the training run), and when exported
``model.onnx``. The ONNX file records the sha256 of the ``model.safetensors`` it was exported from, so
an export left behind by a later training (a stale one) is never run in its place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numseries.config import ModelConfig
from numseries.files import atomic_write, write_json

if TYPE_CHECKING:
    from numseries.model import LSTMWithAttention

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
ONNX_FILE = "model.onnx"
INFO_FILE = "training_info.json"
TRAINING_LOGS = "logs/version_*/metrics.csv"  # Lightning's CSV logs, under a training run directory
DIGEST_KEY = "weights_sha256"  # ONNX metadata: sha256 of the model.safetensors it was exported from
WEIGHT_SUFFIXES = (".pt", ".pth", ".safetensors")


def shipped_weights_dir() -> Path:
    """The folder of the weights that ship inside the package."""
    return Path(str(resources.files("numseries") / "weights"))


@dataclasses.dataclass(frozen=True)
class WeightsLocation:
    """The files of one set of weights, as :func:`locate` found them (``None``: not there)."""

    path: Path  # what was asked for; the shipped folder for None
    folder: Path | None  # the folder of training_info.json: a weights folder, or the one beside a lone .onnx
    weights: Path | None  # model.safetensors, or the .pt / .safetensors file asked for
    config: Path | None  # the config.json of these weights; None: the default architecture
    onnx: Path | None  # model.onnx in the folder, or the .onnx file asked for

    def model_config(self) -> ModelConfig:
        return ModelConfig.load(self.config) if self.config else ModelConfig()

    def training_info(self) -> dict[str, Any]:
        """``training_info.json`` beside the weights, or ``{}``."""
        return read_training_info(self.folder) if self.folder else {}

    def run_dir(self) -> Path | None:
        """The training run recorded in ``training_info.json``, or ``None`` when there is none or its logs are gone."""
        recorded = self.training_info().get("run_dir")
        return Path(recorded) if recorded and any(Path(recorded).glob(TRAINING_LOGS)) else None

    def stale_onnx(self, metadata: dict[str, str]) -> str | None:
        """Why the ONNX file beside ``model.safetensors`` is not an export of it, or ``None`` if it is.

        ``metadata`` is the ONNX file's. A lone ``.onnx`` file asked for by name is taken as it is.
        """
        if self.onnx is None or self.weights is None:
            return None
        recorded = metadata.get(DIGEST_KEY)
        if recorded is None:
            return f"records no digest of the weights it was exported from ({DIGEST_KEY})"
        if recorded != file_sha256(self.weights):
            return f"was exported from other weights than {self.weights.name}"
        try:
            exported = ModelConfig.from_dict(json.loads(metadata.get("config", "")))
        except (ValueError, TypeError):
            return "records no readable config"
        if exported != self.model_config():
            return f"was exported with another config than {self.config or 'the default'}"
        return None


def locate(path: str | Path | None = None, *, as_onnx: bool = False) -> WeightsLocation:
    """Find the files of a weights folder, a ``.safetensors``, ``.pt``/``.pth`` or ``.onnx`` file (``None``: shipped).

    A lone weights file uses the ``config.json`` beside it; without one it is the default architecture.
    With ``as_onnx``, a file of any other name is taken for an ONNX file.
    """
    path = shipped_weights_dir() if path is None else Path(path)
    if path.is_dir():
        weights, onnx = path / WEIGHTS_FILE, path / ONNX_FILE
        if not weights.is_file() and not onnx.is_file():
            raise ValueError(f"no {WEIGHTS_FILE} in {path}; pass a folder written by `numseries train`")
        config = path / CONFIG_FILE
        return WeightsLocation(
            path,
            folder=path,
            weights=weights if weights.is_file() else None,
            config=config if config.is_file() else None,
            onnx=onnx if onnx.is_file() else None,
        )
    if not path.is_file():
        raise ValueError(
            f"weights path {path} does not exist; pass a weights folder, .onnx, .pt or .safetensors file"
        )
    config = path.with_name(CONFIG_FILE)
    config_or_none = config if config.is_file() else None
    if path.suffix == ".onnx" or (as_onnx and path.suffix not in WEIGHT_SUFFIXES):
        return WeightsLocation(path, folder=path.parent, weights=None, config=config_or_none, onnx=path)
    if path.suffix not in WEIGHT_SUFFIXES:
        raise ValueError(
            f"unsupported weights file {path}; pass a weights folder, .onnx, .pt, .pth or .safetensors file"
        )
    return WeightsLocation(path, folder=None, weights=path, config=config_or_none, onnx=None)


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def safetensors_bytes(model: LSTMWithAttention) -> bytes:
    """The ``model.safetensors`` that :func:`save_pretrained` writes for ``model``, byte for byte."""
    from safetensors.torch import save

    return save({name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()})


def save_pretrained(
    model: LSTMWithAttention, directory: str | Path, training_info: dict[str, Any] | None = None
) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (and ``training_info.json``) to ``directory``.

    A ``model.onnx`` already there, and its gradient graphs, are exports of other weights: they are removed
    (export these again).
    """
    directory = Path(directory)
    for stale in [directory / ONNX_FILE, *directory.glob(f"{Path(ONNX_FILE).stem}.gradient_*.onnx")]:
        if stale.is_file():
            stale.unlink()
            log.info("removed %s: it was exported from the weights this replaces; run `numseries export` again", stale)
    data = safetensors_bytes(model)
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: tmp.write_bytes(data))
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


def load_model(path: str | Path | None = None) -> LSTMWithAttention:
    """Load a :class:`LSTMWithAttention` in eval mode from a weights folder or file (``None``: shipped)."""
    from numseries.model import LSTMWithAttention

    location = locate(path)
    if location.weights is None:
        if location.onnx == location.path:
            raise ValueError(
                f"unsupported weights file {location.path}; load_model takes a weights folder, .pt, .pth or "
                ".safetensors file (an .onnx file runs with `numseries predict --weights FILE.onnx`)"
            )
        raise ValueError(f"no {WEIGHTS_FILE} in {location.path}; pass a folder written by `numseries train`")
    model = LSTMWithAttention(location.model_config())
    state = _read_state(location.weights)
    for name, tensor in state.items():  # a diverged training run saves NaN or inf weights: refuse them by name
        if hasattr(tensor, "is_floating_point") and tensor.is_floating_point() and not tensor.isfinite().all():
            raise ValueError(
                f"weights in {location.weights} hold non-finite values (NaN or inf) in {name}; the training that "
                "wrote them diverged: train again with a lower --lr"
            )
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]  # [header, first problem, ...]
        where = location.config.name if location.config else "the default ModelConfig (no config.json beside them)"
        raise ValueError(
            f"weights in {location.weights} do not fit the architecture in {where} "
            f"({lines[min(1, len(lines) - 1)]}); keep the config.json that was saved with them"
        ) from err
    return model.eval()


def recorded_run_dir(weights: str | Path | None = None) -> Path | None:
    """The training run recorded beside ``weights`` (``None``: shipped), or ``None`` when there is none
    or its CSV logs are gone. An ``.onnx`` file looks beside itself."""
    return locate(weights).run_dir()


def read_training_info(directory: str | Path | None = None) -> dict[str, Any]:
    """The ``training_info.json`` of a weights folder (``None``: shipped), or ``{}`` if it has none."""
    path = (shipped_weights_dir() if directory is None else Path(directory)) / INFO_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
