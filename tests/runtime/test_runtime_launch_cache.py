"""The launch paths' caches: launch plans, descriptor sets by buffer tuple (dropped
when a buffer is freed), pre-recorded command buffers of blocking launches (reused,
same results as fresh recordings), and the rt_vk_* table on the same paths."""
from __future__ import annotations

import struct
import threading

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import ffi, submit

N = 256


def floats(buf) -> np.ndarray:
    return np.frombuffer(bytes(buf.download()), np.float32)


def saxpy_push(a: float, n: int = N) -> bytes:
    return struct.pack("<fI", a, n)


@pytest.fixture
def saxpy(device, spirv):
    with device.compile(spirv("saxpy")) as k, device.alloc(4 * N) as x, device.alloc(4 * N) as y:
        x.upload(np.arange(N, dtype=np.float32))
        y.upload(np.zeros(N, np.float32))
        yield k, x, y


def test_a_repeated_launch_plans_and_binds_once(device, saxpy):
    k, x, y = saxpy
    for wait in (False, True, False, True):
        k.launch([x, y], saxpy_push(1.0), N, (64, 1, 1), wait=wait)
    assert len(k.cache.sets) == 1 and len(k.cache.recordings) == 1
    assert list(k._plans) == [(N, (64, 1, 1))]
    device.sync()
    np.testing.assert_array_equal(floats(y), 4 * np.arange(N, dtype=np.float32))


def test_swapped_buffers_get_their_own_set(device, saxpy):
    k, x, y = saxpy
    k.launch([x, y], saxpy_push(1.0), N, wait=False)        # y = x
    k.launch([y, x], saxpy_push(1.0), N, wait=False)        # x = 2x
    k.launch([x, y], saxpy_push(1.0), N, wait=False)        # y = 3x
    device.sync()
    assert len(k.cache.sets) == 2
    np.testing.assert_array_equal(floats(y), 3 * np.arange(N, dtype=np.float32))


def test_freeing_a_buffer_drops_its_sets_recordings_and_requests(device, spirv):
    device.sync()                           # batched launches are numbered from here
    with device.compile(spirv("saxpy")) as k, device.alloc(4 * N) as x:
        y, z = device.alloc(4 * N), device.alloc(4 * N)
        x.upload(np.arange(N, dtype=np.float32))
        for out in (y, z):
            out.upload(np.zeros(N, np.float32))
            k.launch([x, out], saxpy_push(1.0), N, wait=False)
            k.launch([x, out], saxpy_push(1.0), N)
        assert len(k.cache.sets) == 2 and len(k.cache.recordings) == 2 and len(k.cache.requests) == 2
        y.free()
        assert [b.buffers for b in k.cache.sets.values()] == [(x, z)]
        assert len(k.cache.recordings) == 1
        assert all(y not in key[0] for key in k.cache.requests)
        with pytest.raises(runtime.InvalidHandleError, match="buffer was freed"):
            k.launch([x, y], saxpy_push(1.0), N)
        k.launch([x, y], saxpy_push(1.0), N, wait=False)     # refused at the next sync
        with pytest.raises(runtime.InvalidHandleError, match=r"batched launch 3 \(kernel 'saxpy'\).*buffer was freed"):
            device.sync()
        k.launch([x, z], saxpy_push(1.0), N)                  # the other set still works
        np.testing.assert_array_equal(floats(z), 3 * np.arange(N, dtype=np.float32))
        z.free()


def test_a_recycled_buffer_keeps_its_set(device, spirv):
    """rt_vk_buffer_free hands buffers back for reuse: their cached sets stay valid."""
    with device.compile(spirv("saxpy")) as k, device.alloc(4 * N) as x:
        x.upload(np.arange(N, dtype=np.float32))
        y = device.alloc(4 * N, reuse=True)
        k.launch([x, y], saxpy_push(1.0), N)
        device.recycle(y)
        again = device.alloc(4 * N, reuse=True)
        assert again is y and len(k.cache.sets) == 1
        again.upload(np.zeros(N, np.float32))
        k.launch([x, again], saxpy_push(2.0), N)
        np.testing.assert_array_equal(floats(again), 2 * np.arange(N, dtype=np.float32))


def test_prerecorded_blocking_launches_equal_fresh_recordings(device, spirv):
    """Dependent blocking launches replayed from cached command buffers give what
    launches recorded afresh (after the caches were emptied) give."""
    def run(fresh: bool) -> np.ndarray:
        with device.compile(spirv("saxpy")) as k, device.alloc(4 * N) as x, device.alloc(4 * N) as y:
            x.upload(np.linspace(0, 1, N, dtype=np.float32))
            y.upload(np.ones(N, np.float32))
            for step in range(12):
                a = float(step % 3)
                k.launch([x, y], saxpy_push(a), N)          # y += a x
                k.launch([y, x], saxpy_push(0.5), N)        # x += y / 2 (reads what the last wrote)
                if fresh:
                    with device.ctx.submitter.pool_lock:
                        k.cache.destroy()
                        k.cache = type(k.cache)(k.ctx, k.program)
            assert fresh or len(k.cache.recordings) == 4
            return floats(y)
    np.testing.assert_array_equal(run(False), run(True))


def test_ranges_are_checked_once_per_spelling_and_always_when_wrong(device, saxpy):
    k, x, y = saxpy
    ranges = ((0, 512), (512, 512))
    for _ in range(3):
        k.launch([x, y], saxpy_push(1.0, 128), 128, ranges=ranges, wait=False)
    device.sync()
    assert len(k.cache.sets) == 1
    np.testing.assert_array_equal(floats(y)[128:], 3 * np.arange(128, dtype=np.float32))
    for _ in range(2):
        with pytest.raises(runtime.InvalidParameterError, match="outside the buffer"):
            k.launch([x, y], saxpy_push(1.0), N, ranges=((0, 512), (512, 1024)))
    k.launch([x, y], saxpy_push(1.0, 128), 128, ranges=[(0, 512), [512, 512]])   # lists: checked each time
    device.sync()


def test_geometry_errors_are_never_cached(device, saxpy):
    k, x, y = saxpy
    for _ in range(2):
        with pytest.raises(runtime.InvalidParameterError, match="dimension 0"):
            k.launch([x, y], saxpy_push(1.0), N, (4096, 1, 1))
        with pytest.raises(runtime.InvalidParameterError, match="takes 2 buffers"):
            k.launch([x], saxpy_push(1.0), N)
    assert not k.cache.sets


def test_freeing_a_kernel_with_launches_in_the_batch_runs_them_first(device, spirv):
    device.sync()                           # batched launches are numbered from here
    with device.alloc(4 * N) as x, device.alloc(4 * N) as y:
        x.upload(np.ones(N, np.float32))
        y.upload(np.zeros(N, np.float32))
        k = device.compile(spirv("saxpy"))
        for _ in range(5):
            k.launch([x, y], saxpy_push(1.0), N, wait=False)
        k.free()
        with pytest.raises(runtime.InvalidHandleError, match="kernel was freed"):
            k.launch([x, y], saxpy_push(1.0), N)
        k.launch([x, y], saxpy_push(1.0), N, wait=False)
        with pytest.raises(runtime.InvalidHandleError, match=r"batched launch 6 \(kernel 'saxpy'\).*kernel was freed"):
            device.sync()   # the refused launches left nothing behind
        np.testing.assert_array_equal(floats(y), np.full(N, 5, np.float32))


def test_threads_launching_while_one_frees_the_kernel(device, spirv):
    """Launches check the kernel under the pool lock instead of pinning it: a free
    racing with them must wait for what they recorded and refuse the rest."""
    with device.alloc(4 * N) as x, device.alloc(4 * N) as y:
        x.upload(np.ones(N, np.float32))
        for _ in range(5):
            k = device.compile(spirv("saxpy"))
            errors: list = []

            def launcher(k=k, errors=errors):
                for i in range(200):
                    try:
                        k.launch([x, y], saxpy_push(1.0), N, wait=i % 5 == 0)
                    except runtime.InvalidHandleError:
                        return
                    except Exception as exc:  # noqa: BLE001 - reported below
                        errors.append(exc)
                        return
            threads = [threading.Thread(target=launcher) for _ in range(3)]
            for t in threads:
                t.start()
            k.free()
            for t in threads:
                t.join(60)
            try:
                device.sync()
            except runtime.InvalidHandleError:
                pass                        # a batched launch refused after the free
            assert not errors, errors


def test_the_c_table_launches_through_the_same_caches(device, spirv, rt):
    k = device.compile(spirv("saxpy"))
    x, y = device.alloc(4 * N), device.alloc(4 * N)
    x.upload(np.arange(N, dtype=np.float32))
    y.upload(np.zeros(N, np.float32))
    kh, xh, yh = ffi.REGISTRY.add(k), ffi.REGISTRY.add(x), ffi.REGISTRY.add(y)
    try:
        handles = rt.handles(xh, yh)
        for a in (1.0, 2.0, 1.0):
            assert rt.kernel_launch_async(kh, handles, 2, saxpy_push(a), 8, N, 1, 1, 64, 1, 1) == 0
        assert rt.kernel_launch_pc(kh, handles, 2, saxpy_push(1.0), 8, N, 1, 1, 64, 1, 1) == 0
        assert rt.kernel_launch_pc(kh, handles, 2, saxpy_push(1.0), 8, N, 1, 1, 64, 1, 1) == 0
        assert len(k.cache.sets) == 1 and len(k.cache.recordings) == 1
        np.testing.assert_array_equal(floats(y), 6 * np.arange(N, dtype=np.float32))
    finally:
        for h, obj in ((kh, k), (xh, x), (yh, y)):
            ffi.REGISTRY.pop(h, type(obj))
        k.free()
        x.free()
        y.free()


@pytest.mark.parametrize("spin", [1, 5_000_000])
def test_waits_that_poll_before_blocking_see_every_launch_done(device, saxpy, monkeypatch, spin):
    """GPUs poll the semaphore briefly before a blocking wait (never a CPU device:
    submit.spin_ns); forced on here, with a poll that always gives up (1 ns) and one
    that outlasts the launches."""
    k, x, y = saxpy
    assert submit.spin_ns("cpu") == 0
    monkeypatch.setattr(device.ctx.submitter, "_spin_ns", spin)
    for i in range(20):
        k.launch([x, y], saxpy_push(1.0), N)
        assert device.ctx.submitter.completed() >= k.last_serial
    np.testing.assert_array_equal(floats(y), 20 * np.arange(N, dtype=np.float32))


def test_evicted_sets_are_rebuilt_on_their_next_launch(device, spirv):
    from simple_vkbackend.runtime import recording
    with device.compile(spirv("saxpy")) as k, device.alloc(4 * N) as x:
        x.upload(np.arange(N, dtype=np.float32))
        outs = [device.alloc(4 * N) for _ in range(recording.MAX_SETS + 8)]
        try:
            for rounds in range(2):
                for out in outs:
                    if rounds == 0:
                        out.upload(np.zeros(N, np.float32))
                    k.launch([x, out], saxpy_push(1.0), N, wait=False)
                    if len(k.cache.sets) > recording.MAX_SETS:
                        device.sync()       # idle sets become evictable
            device.sync()
            assert len(k.cache.sets) <= recording.MAX_SETS + 1
            for out in outs:
                np.testing.assert_array_equal(floats(out), 2 * np.arange(N, dtype=np.float32))
        finally:
            for out in outs:
                out.free()
