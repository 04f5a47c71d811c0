"""Without a loader or a driver: is_available() is False with a clear message, and
the table returns codes, never crashing. Run in subprocesses."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PROBE = """
import ctypes
{setup}
from simple_vkbackend import runtime
from simple_vkbackend.runtime import ffi
print("available:", runtime.is_available())
print("reason:", runtime.unavailable_reason())
F = {{n: ctypes.CFUNCTYPE(ffi.CTYPES[e.ret], *(ffi.CTYPES[p] for p in e.params))(e.address)
     for n, e in ffi.TABLE.items()}}
print("rt_vk_available:", F["rt_vk_available"]())
print("rt_vk_device_count:", F["rt_vk_device_count"]())
print("rt_vk_device_create:", F["rt_vk_device_create"](), F["rt_vk_last_status"]())
try:
    runtime.Device()
except runtime.NotAvailableError as exc:
    print("Device():", exc)
"""


def probe(setup: str, **env: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE.format(setup=setup))],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SIMPLE_VK_VALIDATION="0", **env))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    return r.stdout


def test_no_loader():
    # The `vulkan` binding raises OSError at import when libvulkan.so.1 cannot be opened.
    setup = """
import builtins
real_import = builtins.__import__
def fake_import(name, *args, **kw):
    if name == "vulkan":
        raise OSError("Cannot find Vulkan SDK version (simulated)")
    return real_import(name, *args, **kw)
builtins.__import__ = fake_import
"""
    out = probe(setup)
    assert "available: False" in out
    assert "apt install libvulkan1 mesa-vulkan-drivers" in out
    assert "rt_vk_available: 0" in out
    assert "rt_vk_device_count: -1" in out
    assert "rt_vk_device_create: 0 -1" in out
    assert "Device(): Vulkan loader not found" in out


def test_no_driver():
    out = probe("", VK_ICD_FILENAMES="/nonexistent/icd.json", VK_DRIVER_FILES="/nonexistent/icd.json")
    assert "available: False" in out
    assert "rt_vk_available: 0" in out
    assert "rt_vk_device_create: 0 -1" in out
    assert "mesa-vulkan-drivers" in out
