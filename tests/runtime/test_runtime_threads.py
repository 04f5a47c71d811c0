"""Concurrency: many threads allocating, uploading, launching and downloading at once."""
from __future__ import annotations

import struct
import threading

import numpy as np

from simple_vkbackend import runtime

THREADS = 8


def run_threads(target) -> list:
    errors: list = []
    barrier = threading.Barrier(THREADS)

    def wrapped(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append((i, exc))

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def test_python_layer_threads_share_a_device_and_kernel(device, spirv):
    kernel = device.compile(spirv("saxpy"))
    device.trim()  # idle staging buffers (discrete GPUs) are a bounded cache, not a leak
    before = runtime.live_objects()

    def work(i):
        rng = np.random.default_rng(i)
        for round_ in range(10):
            n = int(rng.integers(1, 5000))
            x = rng.random(n, dtype=np.float32)
            y = rng.random(n, dtype=np.float32)
            with device.alloc(x.nbytes) as bx, device.alloc(y.nbytes) as by:
                bx.upload(x)
                by.upload(y)
                kernel.launch([bx, by], struct.pack("<fI", float(i), n), n, wait=round_ % 2 == 0)
                out = np.frombuffer(by.download(), np.float32)
                np.testing.assert_allclose(out, np.float32(i) * x + y, rtol=1e-6)

    assert run_threads(work) == []
    kernel.free()
    device.trim()
    after = runtime.live_objects()
    assert after.get("VkBuffer", 0) <= before.get("VkBuffer", 0)


def test_ffi_threads_each_with_kernels_and_buffers(rt, spirv):
    dev = rt.device_create()
    code = spirv("add_one")

    def work(i):
        k = rt.kernel_compile(dev, code, len(code))
        assert k, rt.error()
        n = 1000 + 37 * i
        data = np.full(n, i, np.uint32)
        for _ in range(10):
            b = rt.buffer_alloc(dev, data.nbytes)
            assert b, rt.error()
            assert rt.buffer_upload(b, data.ctypes.data, data.nbytes) == 0
            for _ in range(3):
                assert rt.kernel_launch_1d(k, rt.handles(b), 1, n) == 0, rt.error()
            out = np.zeros_like(data)
            assert rt.buffer_download(b, out.ctypes.data, out.nbytes) == 0
            assert (out == i + 3).all()
            assert rt.buffer_free(b) == 0
        assert rt.kernel_free(k) == 0

    assert run_threads(work) == []
    assert rt.device_free(dev) == 0


def test_free_while_other_threads_launch(device, spirv):
    """Freeing a buffer that other threads are launching with never crashes: they
    either finish or get InvalidHandleError."""
    kernel = device.compile(spirv("add_one"))
    buf = device.alloc(4 * 4096)
    stop = threading.Event()
    outcomes: list = []

    def launcher(i):
        if i == 0:
            for _ in range(20):
                kernel.launch_1d([buf], 4096, wait=False)
            buf.free()
            stop.set()
            return
        while not stop.is_set():
            try:
                kernel.launch_1d([buf], 4096, wait=i % 2 == 0)
            except runtime.InvalidHandleError:
                outcomes.append("freed")
                return

    assert run_threads(launcher) == []
    kernel.free()
    assert not buf.alive
