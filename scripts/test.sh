#!/usr/bin/env bash
# The test command: installs the test dependencies (idempotent), then runs the whole suite,
# in as many processes as the machine has cores, up to four (pytest-xdist; `-n 0` runs it in
# this one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh
exec "${PYTHON:-python3}" -m pytest -q -n auto --maxprocesses=4 "$@"
