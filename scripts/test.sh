#!/usr/bin/env bash
# The test command: installs the test dependencies (idempotent), then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh
exec "${PYTHON:-python3}" -m pytest -q "$@"
