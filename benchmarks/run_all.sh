#!/usr/bin/env bash
# Regenerate the shipped model's reports under benchmarks/results/ with one command: runs each benchmarks/*.py
# in turn, with its defaults, against the shipped model. Not the tools among them that need arguments of their
# own (TOOLS): compare_models.py compares two models you name (the compare_*.md reports), prune_hidden.py
# makes a smaller network to fine-tune, screen.py screens a change to the predictions before accuracy.py (it
# writes no report). PYTHON picks the interpreter (default: python).
#     benchmarks/run_all.sh
#     PYTHON=.venv/bin/python benchmarks/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
TOOLS=" compare_models.py prune_hidden.py screen.py "
for script in benchmarks/[!_]*.py; do
    [[ $TOOLS == *" $(basename "$script") "* ]] && continue
    echo "== $script"
    "$PYTHON" "$script"
done
