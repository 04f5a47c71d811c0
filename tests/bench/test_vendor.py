"""bench/vendor.py --quick runs every workload on the device, checking each result
against numpy before timing it (a wrong kernel ends the run with an error)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from simple_vkbackend import runtime

ROOT = Path(__file__).resolve().parents[2]


def test_vendor_quick_runs_and_checks_every_workload(capsys):
    if not runtime.is_available():
        pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")
    spec = importlib.util.spec_from_file_location("bench_vendor", ROOT / "bench" / "vendor.py")
    vendor = importlib.util.module_from_spec(spec)
    sys.modules["bench_vendor"] = vendor  # its dataclasses look their module up
    spec.loader.exec_module(vendor)
    assert vendor.main(["--quick", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("saxpy", "saxpy vec4", "saxpy vec4 wide", "saxpy vec4x2", "saxpy vec4x2 wide", "sum", "sum vec4",
                 "inclusive scan", "inclusive scan vec4", "softmax", "matmul", "matmul vec4", "f16 matmul"):
        assert name in out
