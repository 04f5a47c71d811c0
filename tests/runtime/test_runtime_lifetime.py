"""Lifetimes: no growth in live Vulkan objects; clean release at interpreter exit."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

from simple_vkbackend import runtime
from simple_vkbackend.runtime import ffi

import runtime_spirv


def test_10000_alloc_free_cycles_do_not_grow(rt):
    dev = rt.device_create()
    data = np.arange(64, dtype=np.uint8)
    for i in range(100):   # warm up lazily created objects (staging, transfer commands, the
        b = rt.buffer_alloc(dev, 64 + (i % 7) * 4)    # buffers the device keeps for reuse)
        rt.buffer_upload(b, data.ctypes.data, 64)
        rt.buffer_free(b)
    before, handles_before = runtime.live_objects(), ffi.REGISTRY.live()
    for i in range(10_000):
        b = rt.buffer_alloc(dev, 64 + (i % 7) * 4)
        assert b != 0
        if i % 100 == 0:
            assert rt.buffer_upload(b, data.ctypes.data, 64) == 0
        assert rt.buffer_free(b) == 0
    assert runtime.live_objects() == before
    assert ffi.REGISTRY.live() == handles_before
    rt.device_free(dev)


def test_launch_cycles_with_fresh_buffers_do_not_grow(device, spirv):
    kernel = device.compile(spirv("add_one"))
    for i in range(10):    # warm up: includes a batch's command buffer, kept for reuse
        with device.alloc(256) as b:
            kernel.launch_1d([b], 64, wait=i % 3 == 0)
    before = runtime.live_objects()
    for i in range(500):
        with device.alloc(256) as b:
            kernel.launch_1d([b], 64, wait=i % 3 == 0)
    assert runtime.live_objects() == before
    kernel.free()


def test_device_free_releases_everything(spirv):
    before = runtime.live_objects()
    dev = runtime.Device()
    kernels = [dev.compile(spirv(name)) for name in ("saxpy", "add_one", "index3d")]
    bufs = [dev.alloc(1024) for _ in range(5)]
    kernels[1].launch_1d([bufs[0]], 256, wait=False)
    kernels[1].launch([bufs[1]], b"", 100, (4, 1, 1), wait=False)
    dev.free()
    assert all(not k.alive for k in kernels) and all(not b.alive for b in bufs)
    assert runtime.live_objects() == before


EXIT_SCRIPT = """
import ctypes, sys
sys.path.insert(0, {tests!r})
import numpy as np
from simple_vkbackend.runtime import Device, ffi
from runtime_spirv import fixture
code = fixture("add_one")
dev = Device()
k = dev.compile(code)
bufs = [dev.alloc(4096) for _ in range(3)]
bufs[0].upload(np.zeros(1024, np.uint32))
for _ in range(5):
    k.launch_1d([bufs[0]], 1024, wait=False)   # still in flight at exit
F = {{n: ctypes.CFUNCTYPE(ffi.CTYPES[e.ret], *(ffi.CTYPES[p] for p in e.params))(e.address)
     for n, e in ffi.TABLE.items()}}
d2 = F["rt_vk_device_create"]()
b2 = F["rt_vk_buffer_alloc"](d2, 1 << 20)
k2 = F["rt_vk_kernel_compile"](d2, code, len(code))
assert d2 and b2 and k2
assert F["rt_vk_kernel_launch_async"](k2, (ctypes.c_uint64 * 1)(b2), 1, None, 0, 1 << 18, 1, 1, 0, 0, 0) == 0
print("exiting with objects alive")
"""


def test_clean_exit_with_objects_alive():
    env = dict(os.environ, SIMPLE_VK_VALIDATION="1")
    script = EXIT_SCRIPT.format(tests=str(runtime_spirv.ROOT / "tests" / "runtime"))
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "exiting with objects alive" in r.stdout
    for marker in ("Traceback", "Validation", "VUID", "Error", "error"):
        assert marker not in r.stderr, r.stderr
        assert marker not in r.stdout, r.stdout


def test_shutdown_refuses_new_work_afterwards():
    script = textwrap.dedent("""
        from simple_vkbackend.runtime import Device, NotAvailableError, instance, live_objects
        dev = Device()
        buf = dev.alloc(64)
        instance.shutdown()
        assert not dev.alive and not buf.alive
        assert live_objects() == {}, live_objects()
        try:
            Device()
        except NotAvailableError as exc:
            print("refused:", exc)
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env=dict(os.environ, SIMPLE_VK_VALIDATION="1"), timeout=120)
    assert r.returncode == 0, r.stderr
    assert "refused: the Vulkan runtime has been shut down" in r.stdout
    assert "Validation" not in r.stderr and "Traceback" not in r.stderr
