#!/usr/bin/env bash
# Regenerate every report under benchmarks/results/ with one command: runs each benchmarks/*.py in turn
# against the shipped model (all but compare_models.py, which compares two models you name). PYTHON picks the interpreter (default: python); extra arguments pass to
# every script (e.g. --weights DIR).
#     benchmarks/run_all.sh
#     PYTHON=.venv/bin/python benchmarks/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
for script in benchmarks/[!_]*.py; do
    [[ $script == benchmarks/compare_models.py ]] && continue  # compares two models named on its command line
    echo "== $script"
    "$PYTHON" "$script" "$@"
done
