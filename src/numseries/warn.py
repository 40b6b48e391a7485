"""Warnings that point at the user's code: the first caller outside numseries, however deep the call."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PACKAGE = str(Path(__file__).parent)


class NumseriesWarning(UserWarning):
    """A note of numseries' own (the CLI prints it as a one-line ``note:``), wherever it points."""


def warn_caller(message: str, category: type[Warning] = NumseriesWarning) -> None:
    """``warnings.warn`` with the stack level of the first frame outside this package (Python 3.12's
    ``skip_file_prefixes``), so that the warning names the user's line, not one of numseries' own."""
    frame, stacklevel = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, stacklevel = frame.f_back, stacklevel + 1
    warnings.warn(message, category, stacklevel=stacklevel)
