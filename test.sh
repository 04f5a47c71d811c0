#!/usr/bin/env bash
# Tests: set up if needed, then run the whole suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
export SIMPLE_VK_VALIDATION=1
exec .venv/bin/python -m pytest "$@"
