"""The README's predict console block, each command run on the shipped model, prints what the README shows
(``benchmarks/example_table.py`` writes it; a forecast's bands changed once without it being run again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from numseries.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def runs() -> list[tuple[list[str], str]]:
    text = README.split("<!-- predict-console:start -->")[1].split("<!-- predict-console:end -->")[0]
    body = text.strip().removeprefix("```console").removesuffix("```").strip()
    out = []
    for run in body.split("\n$ "):
        command, _, printed = run.removeprefix("$ ").partition("\n")
        out.append((command.split()[2:], printed.rstrip()))  # after "numseries predict"
    return out


@pytest.mark.parametrize(("arguments", "printed"), runs(), ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_the_readme_console_block_prints_what_the_readme_shows(arguments, printed, capsys):
    assert main(["predict", *arguments]) == 0
    assert capsys.readouterr().out.rstrip() == printed, (
        "the README's predict console block is stale: run python benchmarks/example_table.py"
    )
