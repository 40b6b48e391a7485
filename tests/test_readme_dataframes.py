"""The README's DataFrames block, run as written on the shipped model, prints what the README shows."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

pytest.importorskip("pandas")

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def block(name: str) -> str:
    """The text between ``<!-- name:start -->`` and ``<!-- name:end -->``, its code fence dropped."""
    text = README.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0].strip()
    return "\n".join(text.splitlines()[1:-1])  # without the ``` lines


def test_the_readme_dataframes_snippet_prints_what_the_readme_shows():
    printed = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(printed):
        exec(block("dataframes"), namespace)  # noqa: S102 (our own README)
    assert printed.getvalue().rstrip("\n") == block("dataframes-output"), (
        "the README's DataFrames output is stale: paste what the snippet prints between the dataframes-output markers"
    )
    forecast = namespace["forecast"]
    assert forecast["numseries"][:2].tolist() == [16.0, 32.0]  # 1, 2, 4, 8: a rule, continued exactly
    assert forecast["error"][4].startswith("expected at least 3 values")
