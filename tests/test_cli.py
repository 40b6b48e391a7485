"""The CLI dispatcher: bad input is one line with exit code 2; a closed pipe ends quietly."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_unknown_command_exits_2():
    result = subprocess.run([sys.executable, "-m", "numseries", "fly"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice: 'fly'" in result.stderr


def test_a_reader_that_closes_the_pipe_gets_no_traceback(tiny_weights):
    # A long forecast fills the pipe after the reader has gone.
    command = (
        f"{sys.executable} -m numseries predict 1 2 3 4 --steps 5000 --weights {tiny_weights} | head -c 10"
    )
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 141
    assert len(result.stdout) == 10


def _numseries(*args: str, code: str = "") -> subprocess.CompletedProcess:
    """Run the CLI in a fresh interpreter; ``code`` runs first (e.g. to hide a module)."""
    script = f"{code}\nfrom numseries.cli import main\nraise SystemExit(main({list(args)!r}))"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


def test_numseries_alone_shows_the_help_with_commands_and_examples():
    alone, with_help = _numseries(), _numseries("--help")
    assert alone.returncode == 0 and with_help.returncode == 0
    assert alone.stdout == with_help.stdout
    help_text = alone.stdout
    assert help_text.splitlines()[2] == "Predict the next value of a short numeric sequence, and show which steps it relied on."
    for name in ("predict", "train", "export", "evaluate", "numseries predict 2 4 6 8 10"):
        assert name in help_text
    assert "``" not in help_text  # no developer docstring


def test_predict_help_gives_the_steps_limit_the_command_holds_to():
    """Adversarial round 50: the limit was in the error only."""
    from numseries.predict import MAX_STEPS

    result = _numseries("predict", "--help")
    assert result.returncode == 0 and f"(1 to {MAX_STEPS})" in " ".join(result.stdout.split())  # as its error says
    refused = _numseries("predict", "1", "2", "3", "--steps", str(MAX_STEPS + 1))
    assert refused.returncode == 2 and f"from 1 to {MAX_STEPS}, got {MAX_STEPS + 1}" in refused.stderr


@pytest.mark.parametrize("command", [["train", "--out", "x"], ["export"]])
def test_training_commands_without_torch_name_the_extra_in_one_line(command):
    result = _numseries(*command, code="import sys; sys.modules['torch'] = None")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"numseries {command[0]}: error: this needs torch, which is not installed; "
        "install it with pip install 'numseries[train]'"
    )


@pytest.mark.parametrize("command", ["calibrate", "evaluate"])
def test_a_seed_outside_the_range_is_named_with_its_option(capsys, command):
    """numpy's own words were 'expected non-negative integer', naming no option."""
    from numseries.cli import main

    with pytest.raises(SystemExit) as stop:
        main([command, "--seed", "-5"])
    assert stop.value.code == 2
    assert "argument --seed: must be an integer from 0 to 4,294,967,295, got '-5'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_evaluate_refuses_a_job_count_below_one_before_its_progress_bar(capsys, value):
    """The refusal came from evaluate() after the progress bar had started: two lines, the bar left behind."""
    from numseries.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "--no-stats", "--n-jobs", value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --n-jobs: must be a whole number of at least 1, got '{value}'; e.g. 2" in err
    assert "suite" not in err.splitlines()[-1] and "%" not in err
