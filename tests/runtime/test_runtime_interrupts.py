"""Interrupts and time (issue finding 13): Ctrl-C during a launch's wait raises
KeyboardInterrupt promptly, through Python and through the rt_vk_* table; the C
boundary never swallows it into a status only; an optional launch timeout names the
kernel. The long launches run in a fresh process (interrupt_wait.py) whose wait the
test bounds: without sliced waits they would run for minutes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simple_vkbackend.runtime import ffi
from simple_vkbackend.runtime.abi import Status
from simple_vkbackend.runtime.errors import InvalidParameterError
from simple_vkbackend.runtime.submit import launch_timeout

SCRIPT = Path(__file__).resolve().parent / "interrupt_wait.py"
BOUND = 90    # seconds; the launches take minutes unless cut short


def run_script(mode: str, **env: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, str(SCRIPT), mode], capture_output=True, text=True,
                              env=dict(os.environ, **env), timeout=BOUND)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{mode}: the launch was not cut short ({exc.stdout!r})")


@pytest.mark.parametrize("mode", ["python", "table"])
def test_ctrl_c_during_a_launch_raises_keyboard_interrupt(mode):
    r = run_script(mode)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr[-2000:]}"
    assert "interrupted" in r.stdout
    assert "Exception ignored" not in r.stderr and "VulkanError" not in r.stderr
    if mode == "table":
        assert f"returned {int(Status.EXECUTION_FAILED)}" in r.stdout


def test_launch_timeout_from_the_environment_names_the_kernel():
    r = run_script("timeout", SIMPLE_VK_TIMEOUT="0.2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "timed out: kernel 'spin' did not finish within 0.2 s" in r.stdout


def test_guard_reports_an_interrupt_and_keeps_it_for_the_caller():
    def impl():
        raise KeyboardInterrupt

    call = ffi._guard("rt_vk_test", impl, None)
    assert call() == int(Status.EXECUTION_FAILED)
    assert ffi.last_error() == (int(Status.EXECUTION_FAILED), "rt_vk_test: interrupted (KeyboardInterrupt)")
    with pytest.raises(KeyboardInterrupt):
        ffi.raise_pending_interrupt()
    ffi.raise_pending_interrupt()       # raised once only


def test_timeout_values():
    assert launch_timeout(2) == 2.0 and launch_timeout(0) is None
    os.environ.pop("SIMPLE_VK_TIMEOUT", None)
    assert launch_timeout(None) is None
    try:
        os.environ["SIMPLE_VK_TIMEOUT"] = "1.5"
        assert launch_timeout(None) == 1.5
        os.environ["SIMPLE_VK_TIMEOUT"] = "soon"
        with pytest.raises(InvalidParameterError, match="SIMPLE_VK_TIMEOUT='soon'"):
            launch_timeout(None)
    finally:
        os.environ.pop("SIMPLE_VK_TIMEOUT", None)
