"""Writing files atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> None:
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


def json_text(values: dict[str, Any]) -> str:
    """``values`` as the JSON text numseries writes: indented, keys sorted, a final newline."""
    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def write_json(path: str | Path, values: dict[str, Any]) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(json_text(values)))
