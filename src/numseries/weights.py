"""Saving and loading model weights: one resolver for every weights location (the shipped model, a
training run's output, a ``.pt`` state_dict, an ONNX export and a test checkpoint) and one loading
path. Nothing is unpickled: safetensors, or ``torch.load(weights_only=True)`` for ``.pt`` files.

A weights folder holds ``config.json`` (a :class:`ModelConfig`), ``model.safetensors``, when it came
from ``numseries train`` ``training_info.json`` (which names the training run), and when exported
``model.onnx``. The ONNX file records the sha256 of the ``model.safetensors`` it was exported from, so
an export left behind by a later training (a stale one) is never run in its place.

The folder is written as one set: ``manifest.json``, written last, records the sha256 of ``config.json``,
``model.safetensors`` and ``training_info.json`` (and of the family classifier ``patterns.onnx`` and
``patterns.json`` when one is written beside them, :mod:`numseries.patterns`), and loading refuses a
folder whose files are not the set it lists, so a write stopped between two files (a kill, a full disk)
never pairs new weights with an old config. Sizes are checked before anything is allocated: the config's
(:class:`ModelConfig`), then the config against the tensor shapes in the ``.safetensors`` header.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from numseries.config import MAX_LENGTH, MIN_LENGTH, ModelConfig, read_json
from numseries.files import atomic_write, json_text
from numseries.intervals import CALIBRATION_FILE

if TYPE_CHECKING:
    from numseries.model import LSTMWithAttention

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
ONNX_FILE = "model.onnx"
FAITHFULNESS_FILE = "faithfulness.json"  # written by benchmarks/faithfulness.py; `predict` quotes it
INFO_FILE = "training_info.json"
MANIFEST_FILE = "manifest.json"  # the sha256 of each file of the set, written last
CLASSIFIER_FILE = "patterns.onnx"  # the family classifier (numseries.patterns), a model apart from this one
CLASSIFIER_CONFIG = "patterns.json"  # its family names and the groups it names together per length bucket
CLASSIFIER_FILES = (CLASSIFIER_FILE, CLASSIFIER_CONFIG)
SET_FILES = (CONFIG_FILE, WEIGHTS_FILE, INFO_FILE, *CLASSIFIER_FILES)  # what save_pretrained and add_to_set write
MAX_HEADER_BYTES = 100_000_000  # the largest .safetensors header the safetensors library reads
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

    @functools.cached_property
    def weights_sha256(self) -> str | None:
        """The sha256 of ``weights`` (None where there is no such file), read once: what an export, a calibration
        and a fine-tune's run record of these weights are checked against."""
        return file_sha256(self.weights) if self.weights is not None and self.weights.is_file() else None

    def training_info(self) -> dict[str, Any]:
        """``training_info.json`` beside the weights, or ``{}``."""
        return read_training_info(self.folder) if self.folder else {}

    def run_dir(self) -> Path | None:
        """The training run recorded in ``training_info.json``, or ``None`` when there is none or its logs are gone."""
        recorded = self.training_info().get("run_dir")
        if recorded is not None and not isinstance(recorded, str):
            assert self.folder is not None  # training_info() found a file
            raise ValueError(
                f"training info {self.folder / INFO_FILE}: run_dir must be a folder name, got {recorded!r}; "
                "train again or correct that field"
            )
        return Path(recorded) if recorded and any(Path(recorded).glob(TRAINING_LOGS)) else None

    def stale_onnx(self, metadata: dict[str, str]) -> str | None:
        """Why the ONNX file beside ``model.safetensors`` is not an export of it, or ``None`` if it is.

        ``metadata`` is the ONNX file's. An ``.onnx`` file asked for by name is checked against the
        ``model.safetensors`` beside it, if any (``Predictor.from_pretrained``); a lone one is taken as it is.
        """
        if self.onnx is None or self.weights is None:
            return None
        recorded = metadata.get(DIGEST_KEY)
        if recorded is None:
            return f"records no digest of the weights it was exported from ({DIGEST_KEY})"
        if recorded != self.weights_sha256:
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
        check_set(path)
        return WeightsLocation(
            path,
            folder=path,
            weights=weights if weights.is_file() else None,
            config=config if config.is_file() else None,
            onnx=onnx if onnx.is_file() else None,
        )
    if not path.is_file():
        problem = "is not a file or folder" if path.exists() else "does not exist"  # /dev/null exists
        raise ValueError(
            f"weights path {path} {problem}; pass a weights folder, .onnx, .pt or .safetensors file"
        )
    config = path.with_name(CONFIG_FILE)
    config_or_none = config if config.is_file() else None
    suffix = path.suffix.lower()  # MODEL.PT as model.pt, as data files are matched
    if suffix == ".onnx" or (as_onnx and suffix not in WEIGHT_SUFFIXES):
        return WeightsLocation(path, folder=path.parent, weights=None, config=config_or_none, onnx=path)
    if suffix not in WEIGHT_SUFFIXES:
        raise ValueError(
            f"unsupported weights file {path}; pass a weights folder, .onnx, .pt, .pth or .safetensors file"
        )
    if path.name == WEIGHTS_FILE:  # a weights folder's own file: the folder's classifier and calibration with it
        check_set(path.parent)
        return WeightsLocation(path, folder=path.parent, weights=path, config=config_or_none, onnx=None)
    return WeightsLocation(path, folder=None, weights=path, config=config_or_none, onnx=None)


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def safetensors_bytes(model: LSTMWithAttention) -> bytes:
    """The ``model.safetensors`` that :func:`save_pretrained` writes for ``model``, byte for byte."""
    from safetensors.torch import save

    return save({name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()})


def check_weights_out(directory: str | Path) -> bool:
    """Before training into ``directory``: a ValueError if it holds files but no weights set (saving there
    would overwrite its config.json and remove its model.onnx and calibration.json, made from something else);
    True if it holds a weights set, which the new weights replace when the run ends (the caller says so once
    its other checks pass)."""
    directory = Path(directory)
    if not directory.is_dir():
        return False
    held = sorted(path.name for path in directory.iterdir())
    if not held:
        return False
    config = directory / CONFIG_FILE
    bare = (directory / WEIGHTS_FILE).is_file() and not config.exists()  # read with the default config, as locate does
    if not (directory / MANIFEST_FILE).is_file() and not bare and not _numseries_config(config):
        # another tool's model (a Hugging Face folder holds a model.safetensors and a config.json of its own)
        shown = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
        raise ValueError(
            f"{directory} holds other files ({shown}) and no numseries weights; give a new or empty folder, "
            "or a weights folder whose weights this run should replace"
        )
    return True


def _numseries_config(path: Path) -> bool:
    """Whether ``path`` is a numseries ``config.json`` (one that :meth:`ModelConfig.load` reads)."""
    if not path.is_file():
        return False
    try:
        ModelConfig.load(path)
    except (ValueError, TypeError):
        return False
    return True


def save_pretrained(
    model: LSTMWithAttention, directory: str | Path, training_info: dict[str, Any] | None = None
) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (and ``training_info.json``) to ``directory`` as one set.

    Each file is written atomically and ``manifest.json`` last, so a reader sees the old set, the new one,
    or (after a write stopped between files) a one-line error, never a mix. Files made from the weights
    this replaces are removed: ``model.onnx`` and its gradient graphs (export these again), the interval
    calibration (calibrate again), the faithfulness figures (``benchmarks/faithfulness.py`` measures them) and,
    without ``training_info``, the old one; unless the config and weights are byte for byte those already there
    (a resumed run that trained no further step), which those files were made from.
    """
    directory = Path(directory)
    old_set = {name: directory / name for name in SET_FILES if (directory / name).is_file()}
    if old_set and not (directory / MANIFEST_FILE).is_file():  # a folder from before manifests: record it first
        _write_manifest(directory, {name: file_sha256(path) for name, path in old_set.items()})
    files = {CONFIG_FILE: json_text(model.config.to_dict()).encode(), WEIGHTS_FILE: safetensors_bytes(model)}
    # the same weights again (a resumed run that trained no further step): what was made from them still holds
    same = all((directory / name).is_file() and (directory / name).read_bytes() == data for name, data in files.items())
    derived = [] if same else [directory / ONNX_FILE, *directory.glob(f"{Path(ONNX_FILE).stem}.gradient_*.onnx")]
    derived += [] if same else [directory / CALIBRATION_FILE, directory / FAITHFULNESS_FILE]
    if training_info is None:
        derived.append(directory / INFO_FILE)
    for stale in derived:
        if stale.is_file():
            stale.unlink()
            log.info("removed %s: it was made from the weights this replaces; make it again for the new ones", stale)
    if training_info is not None:
        files[INFO_FILE] = json_text(training_info).encode()
    for name, data in files.items():
        _write_bytes(directory / name, data)
    kept = {name: file_sha256(directory / name) for name in CLASSIFIER_FILES if (directory / name).is_file()}
    _write_manifest(directory, kept | {name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
    return directory


def add_to_set(directory: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (names of ``SET_FILES``) into a weights folder, each atomically, and then its manifest
    with their digests, when it has one (a folder without a manifest is taken as it is)."""
    manifest = directory / MANIFEST_FILE
    recorded = read_json(manifest, "weights manifest") if manifest.is_file() else None
    for name, data in files.items():
        _write_bytes(directory / name, data)
    if isinstance(recorded, dict):
        _write_manifest(directory, recorded | {name: hashlib.sha256(data).hexdigest() for name, data in files.items()})


def _write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def _write_manifest(directory: Path, digests: dict[str, str]) -> None:
    _write_bytes(directory / MANIFEST_FILE, json_text(digests).encode())


def check_set(folder: Path) -> None:
    """Refuse a weights folder whose files are not the set its ``manifest.json`` lists: a write of the folder
    stopped between two files. A folder without a manifest (the shipped one, older ones) is taken as it is."""
    manifest = folder / MANIFEST_FILE
    if not manifest.is_file():
        return
    recorded = read_json(manifest, "weights manifest")
    listed = isinstance(recorded, dict) and set(recorded) <= set(SET_FILES)
    if not listed or not all(isinstance(digest, str) for digest in recorded.values()):
        raise ValueError(
            f"weights manifest {manifest} is not a list of {', '.join(SET_FILES)} and their sha256; "
            "write the folder again (numseries train --out)"
        )
    for name in SET_FILES:
        path = folder / name
        if (file_sha256(path) if path.is_file() else None) != recorded.get(name):
            listed_here = "is not the one listed" if name in recorded else "is not listed"
            # (round 57: a file listed but gone was 'missing in manifest.json')
            what = f"{listed_here} in {MANIFEST_FILE}" if path.is_file() else f"is listed in {MANIFEST_FILE} but missing from the folder"
            raise ValueError(
                f"{folder} is not one set of weights: {name} {what} (a write of the folder "
                "stopped before it ended); train into it again, or delete the manifest if you changed the file "
                "on purpose"
            )


def safetensors_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The shape of each tensor in a ``.safetensors`` file, from its header alone (8 bytes of length, then
    JSON), so that a config can be checked against the weights before a model is built."""

    def unreadable(why: str) -> ValueError:
        return ValueError(f"cannot read weights file {path}: {why}; re-train or re-download it")

    with path.open("rb") as file:
        size = int.from_bytes(file.read(8), "little")
        if size > min(MAX_HEADER_BYTES, path.stat().st_size - 8):
            raise unreadable("it is not a safetensors file (its header length is wrong)")
        try:
            header = json.loads(file.read(size))
        except (ValueError, RecursionError) as err:
            raise unreadable(f"its header is not JSON ({type(err).__name__})") from None
    if not isinstance(header, dict):
        raise unreadable("its header is not a JSON object")
    shapes = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(_is_size(n) for n in shape):
            raise unreadable(f"its header gives tensor {name!r} no shape")
        shapes[name] = tuple(shape)
    return shapes


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_shapes(location: WeightsLocation, config: ModelConfig, shapes: dict[str, tuple[int, ...]]) -> None:
    """Refuse weights whose tensors are not those of ``config``, naming the first difference."""
    expected = config.tensor_shapes()
    problems = [f"missing key {name}" for name in expected if name not in shapes]
    problems += [f"unexpected key {name}" for name in shapes if name not in expected]
    problems += [
        f"size mismatch for {name}: {list(shapes[name])} in the weights, {list(shape)} in the config"
        for name, shape in expected.items()
        if name in shapes and shapes[name] != shape
    ]
    if problems:
        where = location.config if location.config else "the default ModelConfig (no config.json beside them)"
        raise ValueError(
            f"weights in {location.weights} do not fit the architecture in {where} ({problems[0]}); "
            "keep the config.json that was saved with them"
        )


def _check_dtypes(location: WeightsLocation, state: dict[str, Any]) -> None:
    """Refuse any tensor that is not a dense floating-point one: integer, bool, complex or sparse values
    (or a safetensors header that says I32 for float bytes) would be cast into the parameters and predict
    garbage."""
    import torch

    floats = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    for name, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            kind = type(tensor).__name__
        elif tensor.layout != torch.strided:
            kind = f"a {str(tensor.layout).removeprefix('torch.')} tensor"
        elif tensor.dtype not in floats:
            kind = str(tensor.dtype).removeprefix("torch.")
        else:
            continue
        raise ValueError(
            f"{name} in {location.weights} is {kind}, not a dense floating-point tensor; these are not a "
            "numseries model's weights: save model.state_dict() or use numseries.save_pretrained"
        )


def _why_unreadable(err: Exception) -> str:
    """One line for a loading error. torch.load's refusals run to paragraphs that suggest
    ``weights_only=False``, which would run the pickled code: never the advice here."""
    text = str(err)
    # torch's wordings: "Unsupported global: GLOBAL x.Y", and for a blocked module "unsupported GLOBAL posix.system"
    pickled = re.search(r"unsupported (?:global: )?global (\S+)", text, re.IGNORECASE)
    if pickled:
        return (
            f"it pickles a {pickled.group(1)}, and only tensors are loaded (nothing is unpickled); "
            "save model.state_dict() or use numseries.save_pretrained"
        )
    if "Weights only load failed" in text:
        return "it is not a state_dict saved by torch.save; re-train or re-download it"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or re.fullmatch(r"[\d\s]+", lines[0]):  # pickle's bare opcode number (a text file named .pt: round 61)
        return "it is not a file torch.save wrote (nor safetensors); re-train or re-download it"
    return f"{lines[0]}; re-train or re-download it"


def _read_state(path: Path) -> dict[str, Any]:
    import torch

    try:
        if path.suffix.lower() == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        with warnings.catch_warnings():  # a foreign pickle draws torch's notices; the one line below says it all
            warnings.simplefilter("ignore")
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
    config = location.model_config()
    if location.weights.suffix.lower() == ".safetensors":  # the header first: nothing the config asks for is allocated yet
        _check_shapes(location, config, safetensors_shapes(location.weights))
    state = _read_state(location.weights)
    _check_shapes(location, config, {name: tuple(getattr(value, "shape", ())) for name, value in state.items()})
    _check_dtypes(location, state)
    for name, tensor in state.items():  # a diverged training run saves NaN or inf weights: refuse them by name
        if not tensor.isfinite().all():
            raise ValueError(
                f"weights in {location.weights} hold non-finite values (NaN or inf) in {name}; the training that "
                "wrote them diverged: train again with a lower --lr"
            )
    model = LSTMWithAttention(config)
    model.load_state_dict(state)  # the shapes are checked above
    return model.eval()


def recorded_run_dir(weights: str | Path | None = None) -> Path | None:
    """The training run recorded beside ``weights`` (``None``: shipped), or ``None`` when there is none
    or its CSV logs are gone. An ``.onnx`` file looks beside itself."""
    return locate(weights).run_dir()


def read_training_info(directory: str | Path | None = None) -> dict[str, Any]:
    """The ``training_info.json`` of a weights folder (``None``: shipped), or ``{}`` if it has none."""
    path = (shipped_weights_dir() if directory is None else Path(directory)) / INFO_FILE
    if not path.is_file():
        return {}
    info = read_json(path, "training info")
    if not isinstance(info, dict):
        raise ValueError(
            f"training info {path} holds a JSON {type(info).__name__}, not an object of fields; "
            "train again or remove it"
        )
    field = _misshapen_info(info)
    if field is not None:
        raise ValueError(f"training info {path}: {field}; train again or remove it")
    return info


def _misshapen_info(info: dict[str, Any], at: str = "") -> str | None:
    """What in a training_info.json object is not of the shape :func:`trained_families` reads (``data`` and
    ``train_config`` objects, ``data.families`` a list of names, ``init_weights`` an object whose
    ``training_info`` is one too, and so on down), or ``None``."""
    for name in ("data", "train_config", "init_weights"):
        value = info.get(name)
        if value is not None and not isinstance(value, dict):
            return f"{at}{name} is a JSON {type(value).__name__}, not an object"
    families = (info.get("data") or {}).get("families")
    if families is not None and not (isinstance(families, list) and all(isinstance(f, str) for f in families)):
        return f"{at}data.families is not a list of family names"
    inner = (info.get("init_weights") or {}).get("training_info")
    if inner is None:
        return None
    if not isinstance(inner, dict):
        return f"{at}init_weights.training_info is a JSON {type(inner).__name__}, not an object"
    return _misshapen_info(inner, f"{at}init_weights.training_info.")


def trained_families(info: dict[str, Any], *, heads: bool = False) -> set[str] | None:
    """The generator families a model was trained on, from its ``training_info.json`` (``info``) and those
    of the weights each run started from (``init_weights``): for the point prediction the families of the
    runs that trained the whole network, for the heads (``heads``) those of every run. ``None`` when no
    run records its families (weights trained before they were recorded, or not by ``numseries train``)."""
    found: set[str] | None = None
    while isinstance(info, dict) and info:
        families = (info.get("data") or {}).get("families")
        heads_only = bool((info.get("train_config") or {}).get("heads_only", False))
        if isinstance(families, list) and (heads or not heads_only):
            found = (found or set()) | {str(name) for name in families}
        info = (info.get("init_weights") or {}).get("training_info") or {}
    return found


def onnx_architecture(location: WeightsLocation, metadata: dict[str, str]) -> tuple[int, ModelConfig | None]:
    """``max_len`` and the architecture (``None``: not recorded) in an ONNX file's metadata, checked; without
    a recorded ``max_len``, that of the config beside it. A bad field is one line naming the file and the field."""
    path = location.onnx
    fix = "re-export it with `numseries export`"
    config = None
    if metadata.get("config"):
        try:
            values = json.loads(metadata["config"])
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
            raise ValueError(f"{path}: its metadata field config is not JSON; {fix}") from None
        try:
            config = ModelConfig.from_dict(values)
        except ValueError as err:
            raise ValueError(f"{path}: its metadata field config: {err}; {fix}") from None
    if "max_len" in metadata:
        text = metadata["max_len"]
        if not re.fullmatch(r"[0-9]{1,5}", text) or not MIN_LENGTH <= int(text) <= MAX_LENGTH:
            raise ValueError(
                f"{path}: its metadata field max_len is {text!r}, not a length from {MIN_LENGTH} to {MAX_LENGTH}; {fix}"
            )
        max_len = int(text)
    elif location.config is not None:
        max_len = location.model_config().max_len
    else:
        raise ValueError(f"{path} does not record max_len; {fix}")
    if config is not None and config.max_len != max_len:
        raise ValueError(f"{path}: its metadata fields max_len ({max_len}) and config ({config.max_len}) differ; {fix}")
    return max_len, config
