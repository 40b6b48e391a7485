"""``numseries export``: write a trained model as one ONNX file and check it against torch.

    numseries export --format onnx                       shipped weights -> saved_models/model.onnx
    numseries export --format onnx --weights src/numseries/weights --out src/numseries/weights/model.onnx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("saved_models") / "model.onnx"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["onnx"], default="onnx", help="export format (default: onnx)")
    parser.add_argument("--weights", help="weights folder, .pt or .safetensors (default: the shipped weights)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"file to write (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--no-weights", action="store_true",
        help="skip the per-step weights' gradient graphs (minutes to export); predictions then come without weights",
    )


def run(args: argparse.Namespace) -> int:
    from numseries.export import export_onnx
    from numseries.files import check_output
    from numseries.intervals import CALIBRATION_FILE
    from numseries.weights import CLASSIFIER_FILES, INFO_FILE, file_sha256, load_model, locate

    if Path(args.out).suffix != ".onnx":
        raise ValueError(f"--out must name an .onnx file, got {args.out!r}; e.g. --out {DEFAULT_OUT}")
    check_output(Path(args.out), "the ONNX model")
    location = locate(args.weights)
    source = location.weights
    # The digest of the file itself, so that the export is current even if another tool wrote that file.
    digest = file_sha256(source) if source is not None and source.suffix.lower() == ".safetensors" else None
    path = export_onnx(load_model(args.weights), args.out, weights_sha256=digest, gradients=not args.no_weights)
    also = "" if args.no_weights else " and its per-step weights' gradient graphs"
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB){also}, checked against torch", file=sys.stderr)
    folder = location.folder
    left = [] if folder is None or path.resolve().parent == folder.resolve() else [
        name for name in (CALIBRATION_FILE, *CLASSIFIER_FILES, INFO_FILE) if (folder / name).is_file()
    ]  # fmt: skip
    if left:  # alone, the .onnx gives the raw intervals, the pattern head's names and no record of training
        gives = {CALIBRATION_FILE: "calibrated intervals", CLASSIFIER_FILES[0]: "the family classifier", INFO_FILE: "what it was trained on"}
        what = ", ".join(gives[name] for name in left if name in gives)
        print(
            f"note: {path} is the network alone; {', '.join(left)} ({what}) stay in {folder}: predict with "
            f"--weights {folder}, or copy them beside {path}",
            file=sys.stderr,
        )
    return 0
