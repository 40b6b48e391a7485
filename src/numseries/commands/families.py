"""``--families-from FILE.py``: families of the user's own, for every command that generates sequences
(``train``, ``calibrate``, ``evaluate``): a model trained on them is calibrated and evaluated on them too."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--families-from",
        action="append",
        metavar="FILE.py",
        help="a Python file whose @register functions add families of your own (repeatable)",
    )


def load(paths: Sequence[str] | None) -> None:
    """Run each of the user's Python files, whose ``@register`` decorators add its families to the registry."""
    for path in paths or []:
        _load(Path(path))


def _load(path: Path) -> None:
    if path.is_dir():  # (adversarial round 52: "no such file" of a folder that is there)
        raise ValueError(f"--families-from {path} is a folder; give the path of the .py file in it that registers them")
    if not path.is_file():
        raise ValueError(f"--families-from {path}: no such file; give the path of a .py file")
    if path.suffix != ".py":
        raise ValueError(f"--families-from {path} is not a .py file; give the path of a Python file")
    name = f"numseries_user_families_{path.stem}"
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) == str(path.resolve()):
        return  # loaded already in this process (commands called in turn): its families are registered
    from numseries.generate import FAMILIES

    before = set(FAMILIES)
    spec = importlib.util.spec_from_file_location(name, path.resolve())
    assert spec is not None and spec.loader is not None  # a .py file always has a source loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that DataLoader worker processes can find its functions
    folder = str(path.resolve().parent)  # its own helper modules beside it import, as `python FILE.py` would
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as err:  # the user's code may raise anything, exit() too; name the file and it
        del sys.modules[name]
        raise ValueError(f"--families-from {path} failed: {type(err).__name__}: {err}; fix that file") from err
    finally:
        if added:
            sys.path.remove(folder)
    if set(FAMILIES) == before:  # a forgotten @register: the run would go on with the built-in families alone
        raise ValueError(
            f"--families-from {path} registers no family; decorate each family function with "
            "@register('name') (from numseries.generate import register)"
        )
