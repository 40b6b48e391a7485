"""The CLI dispatcher: bad input is one line with exit code 2; a closed pipe ends quietly."""

from __future__ import annotations

import subprocess
import sys


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
