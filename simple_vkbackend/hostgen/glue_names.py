"""The names the host glue exports (what its callers look up), without llvmlite."""
from __future__ import annotations

RELEASE = "simple.release"


def glue_function_name(kernel: str) -> str:
    return f"simple_{kernel}"


def glue_local_function_name(kernel: str) -> str:
    return f"simple_{kernel}.local"
