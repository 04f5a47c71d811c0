"""fork() (issue finding 14): a child of a process that started Vulkan gets clear
errors, never a hang, whether it launches, creates a device, calls the rt_vk_* table
or just exits (atexit included). The fork happens in a fresh process (fork_child.py)
whose parent bounds its wait for the child; this test bounds the whole run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simple_vkbackend.runtime.abi import Status

SCRIPT = Path(__file__).resolve().parent / "fork_child.py"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")
@pytest.mark.parametrize("mode", ["exit", "_exit"])
def test_a_forked_child_gets_clear_errors_and_exits(mode, gpu):
    try:
        r = subprocess.run([sys.executable, str(SCRIPT), mode], capture_output=True, text=True,
                           env=dict(os.environ, SIMPLE_VK_VALIDATION="1"), timeout=180)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"hung: {exc.stdout!r}")
    out = r.stdout
    assert r.returncode == 0, f"{out}\n{r.stderr[-2000:]}"
    assert "child: launch refused: device belongs to the parent process" in out
    assert "child: download refused: buffer belongs to the parent process" in out
    assert "child: device refused: the Vulkan runtime was started in process" in out
    assert f"child: table launch status {int(Status.INVALID_HANDLE)}" in out
    assert f"child: table device 0 status {int(Status.NOT_AVAILABLE)}" in out
    if mode == "exit" and "parent: child exit status -11" in out and "NVIDIA" in gpu.device.name:
        # Seen on an H200 (driver 580): the child did all of the above, then died of
        # SIGSEGV inside the driver's own exit handlers (C-level, after Python's).
        # docs/runtime.md tells forked children to end with os._exit there.
        pytest.xfail("NVIDIA's driver crashes in its exit handlers in a forked child")
    assert "parent: child exit status 0" in out
    assert "parent: still works" in out
    assert "Traceback" not in r.stderr and "VUID" not in r.stderr
