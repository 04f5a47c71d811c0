"""The lifetime stress test (findings 1 and 2): threads freeing devices, buffers and
kernels while others launch, in a fresh process under the Khronos validation layer
with synchronization validation (its thread-safety checks are on by default). Fixed
work, so bounded in time; pass/fail does not depend on the interleaving (see
stress_lifetimes.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "stress_lifetimes.py"
ROUNDS = 20


def test_threads_freeing_while_others_launch_under_sync_validation():
    env = dict(os.environ, SIMPLE_VK_VALIDATION="sync")
    r = subprocess.run([sys.executable, str(SCRIPT), str(ROUNDS)], capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stdout}\n{r.stderr[-3000:]}"
    assert f"stress: {ROUNDS} rounds, 0 failures" in r.stdout
    for marker in ("Traceback", "VUID", "SYNC-HAZARD", "THREADING"):
        assert marker not in r.stderr, r.stderr[-3000:]
