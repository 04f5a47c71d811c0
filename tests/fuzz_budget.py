"""How many examples a property test draws.

In CI every property test is derandomized (tests/conftest.py) and draws its own default
count. `SIMPLE_VK_FUZZ=N` (N > 1) makes it a long random run: every property test draws N
examples instead (`SIMPLE_VK_FUZZ=1` keeps the default counts but draws new examples).
A test-specific variable (e.g. FRONTEND_FUZZ_EXAMPLES) still wins when it is set.
"""
from __future__ import annotations

import os


def fuzz_n() -> int:
    """N from SIMPLE_VK_FUZZ=N, 0 when unset or not a number."""
    text = os.environ.get("SIMPLE_VK_FUZZ", "0").strip()
    return int(text) if text.isdigit() else 0


def examples(default: int, override: str = "") -> int:
    """`default` in CI; N under SIMPLE_VK_FUZZ=N (N > 1); `override`'s value when that
    environment variable is set."""
    if override and os.environ.get(override, "").strip().isdigit():
        return int(os.environ[override])
    n = fuzz_n()
    return n if n > 1 else default
