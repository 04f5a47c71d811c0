#!/usr/bin/env bash
# Main job: set up if needed, then compile a fixture kernel and run it on the default device.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
exec .venv/bin/python examples/demo.py "$@"
