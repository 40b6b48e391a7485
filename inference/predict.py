"""The seed's entry point, kept working: ``python inference/predict.py 2 4 6 8 10`` is ``numseries predict``.

It takes the same options (``--json``, ``--steps``, ``--weights``, ``--input``/``--output``, ``-`` for
stdin); see ``numseries predict --help``. Needs the package installed (``pip install -e .``).
"""

import sys

from numseries.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["predict", *sys.argv[1:]]))
