"""Where the benchmarks write: results files, and generated blocks of README.md."""

from __future__ import annotations

import re
from pathlib import Path

from numseries.files import atomic_write

README = Path(__file__).resolve().parent.parent / "README.md"
RESULTS = Path(__file__).resolve().parent / "results"


def replace_block(name: str, text: str, readme: Path = README, results: Path | None = None) -> bool:
    """Replace the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; put ``text`` between the block's markers; False (and nothing written) if README has no such block.

    ``results``: the folder the run wrote its results to; a run written anywhere but ``benchmarks/results``
    (a quick check with ``--out``) leaves the README alone, so its block keeps describing the committed results.
    """
    if results is not None and Path(results).resolve() != RESULTS:
        print(f"left the {name} block of {readme} as it is: the results went to {results}")
        return False
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    old = readme.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(old):
        return False
    new = pattern.sub(lambda _: f"{start}\n{text}\n{end}", old)
    atomic_write(readme, lambda tmp: tmp.write_text(new))
    print(f"updated the {name} block of {readme}")
    return True


def write_result(path: Path, text: str) -> None:
    """Write a results file atomically and say so."""
    atomic_write(path, lambda tmp: tmp.write_text(text))
    print(f"wrote {path}")
