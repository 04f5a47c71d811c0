"""Batched submission: non-waiting launches (Python API and rt_vk_* table) recorded
into one command buffer give the results of blocking launches, report their failures
at the next sync naming the launch, and are submitted when a batch outgrows its
bound. The whole file runs again under synchronization validation (in a subprocess:
the validation features are fixed when the Vulkan instance is made)."""
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import GUARDED_SAXPY
from simple_vkbackend.runtime import ffi as rt_ffi
from simple_vkbackend.runtime import submit

CHAIN = GUARDED_SAXPY + """
#[gpu]
fn square_into(src: &[f32], dst: [f32]):
    val i = gpu.global_id(0)
    if i < src.len() and i < len(dst):
        dst[i] = src[i] * src[i] + dst[i]
"""
N = 1000


@pytest.fixture(autouse=True)
def silent_validation(no_validation_messages):
    yield


@pytest.fixture(scope="module")
def chain():
    with svk.compile_source(CHAIN, "vulkan", filename="chain.spl") as module:
        yield module.kernel("saxpy"), module.kernel("square_into")


def run_chain(device, saxpy, square, wait: bool) -> tuple[np.ndarray, np.ndarray]:
    """Launches where each reads what the one before wrote (and views)."""
    x = np.linspace(0, 1, N, dtype=np.float32)
    with device.buffer_from(x) as dx, device.buffer_from(np.ones(N, np.float32)) as dy, \
            device.buffer_from(np.zeros(N, np.float32)) as dz:
        for step in range(5):
            saxpy.launch(float(step), dx, dy, wait=wait)
            square.launch(dy, dz, wait=wait)
            saxpy.launch(0.5, dz[256:512], dy[256:512], wait=wait)
        dx.copy_from(dy[:N]) if wait else None
        if not wait:
            dy.runtime_buffer.copy_to_buffer(dx.runtime_buffer, dy.nbytes, wait=False)   # batched copy
        square.launch(dx, dz, wait=wait)
        device.sync()
        return dy.to_numpy(), dz.to_numpy()


def test_dependent_launches_in_a_batch_equal_blocking_launches(chain):
    device = svk.default_device()
    saxpy, square = chain
    blocking = run_chain(device, saxpy, square, wait=True)
    sub = device.runtime_device.ctx.submitter
    before = sub.last_submitted
    batched = run_chain(device, saxpy, square, wait=False)
    np.testing.assert_array_equal(batched[0], blocking[0])
    np.testing.assert_array_equal(batched[1], blocking[1])
    # the 17 non-waiting commands went in one submission (plus the uploads' and
    # downloads' own), not one each
    assert sub.last_submitted - before < 10


def test_reading_a_buffer_submits_the_batch_first(chain):
    device = svk.default_device()
    saxpy, _ = chain
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        for _ in range(3):
            saxpy.launch(1.0, dx, dy, wait=False)
        assert device.runtime_device.ctx.submitter.batched == 3
        np.testing.assert_array_equal(dy.to_numpy(), np.full(N, 3, np.float32))
        assert device.runtime_device.ctx.submitter.batched == 0


def test_a_failed_launch_surfaces_at_the_next_sync_naming_it(chain):
    device = svk.default_device()
    saxpy, _ = chain
    too_big = device.limits[0] + 1
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        saxpy.launch(1.0, dx, dy, wait=False)
        saxpy.launch(1.0, dx, dy, wait=False, local_size=too_big)      # accepted, fails in the batch
        saxpy.launch(1.0, dx, dy, wait=False)
        with pytest.raises(svk.VulkanError, match=r"batched launch 2 \(kernel 'saxpy'\) failed: .*local size") as info:
            device.sync()
        assert info.value.status == -7
        device.sync()                           # reported once
        np.testing.assert_array_equal(dy.to_numpy(), np.full(N, 2, np.float32))   # the others ran


def test_a_batch_outgrowing_its_bound_is_submitted(chain, monkeypatch):
    monkeypatch.setattr(submit, "EARLY_SUBMIT", 0)      # only the bound submits
    device = svk.default_device()
    saxpy, _ = chain
    sub = device.runtime_device.ctx.submitter
    count = submit.MAX_BATCH + 10
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        device.sync()
        before = sub.last_submitted
        for _ in range(count):
            saxpy.launch(1.0, dx, dy, wait=False)
        assert sub.last_submitted == before + 1 and sub.batched == 10     # one full batch went
        device.sync()
        np.testing.assert_array_equal(dy.to_numpy(), np.full(N, count, np.float32))


def test_launches_reaching_the_early_submit_mark_on_an_idle_device_are_submitted(chain):
    device = svk.default_device()
    saxpy, _ = chain
    sub = device.runtime_device.ctx.submitter
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        device.sync()
        before = sub.last_submitted
        for _ in range(submit.EARLY_SUBMIT - 1):
            saxpy.launch(1.0, dx, dy, wait=False)
        assert sub.last_submitted == before and sub.batched == submit.EARLY_SUBMIT - 1
        saxpy.launch(1.0, dx, dy, wait=False)           # the device is idle: this part goes now
        assert sub.last_submitted == before + 1 and sub.batched == 0
        for _ in range(5):
            saxpy.launch(1.0, dx, dy, wait=False)
        saxpy.launch(1.0, dx, dy, wait=False, local_size=device.limits[0] + 1)     # fails in the batch
        # numbered since the last sync, across the batches submitted in between
        with pytest.raises(svk.VulkanError, match=rf"batched launch {submit.EARLY_SUBMIT + 6} \(kernel 'saxpy'\)"):
            device.sync()
        np.testing.assert_array_equal(dy.to_numpy(), np.full(N, submit.EARLY_SUBMIT + 5, np.float32))


def test_interleaved_kernels_pushes_and_buffer_sets_in_one_batch(chain):
    """The batch skips binds that did not change: switching kernels, buffer sets,
    views and push values between launches must still bind what each one needs."""
    device = svk.default_device()
    saxpy, square = chain
    x = np.linspace(-1, 1, N, dtype=np.float32)

    def run(wait: bool):
        with device.buffer_from(x) as a, device.buffer_from(np.ones(N, np.float32)) as b, \
                device.buffer_from(np.zeros(N, np.float32)) as c:
            for step in range(4):
                saxpy.launch(float(step), a, b, wait=wait)
                saxpy.launch(float(step), a, b, wait=wait)       # same everything
                saxpy.launch(0.25, b, c, wait=wait)              # other set, other push
                square.launch(c, a, wait=wait)                   # other kernel
                saxpy.launch(0.25, b, c, wait=wait)              # back: rebinds all
                saxpy.launch(2.0, a[:512], c[512:], wait=wait)   # views
                square.launch(b, c, wait=wait)
            device.sync()
            return a.to_numpy(), b.to_numpy(), c.to_numpy()

    for got, want in zip(run(False), run(True)):
        np.testing.assert_array_equal(got, want)


IDLE = """
#[gpu]
fn idle(a: f32):
    val i = gpu.global_id(0)
"""


def test_a_barrier_only_before_a_dispatch_sharing_a_buffer_with_those_since_the_last(chain, monkeypatch):
    """Dispatches with disjoint buffers share one barrier; one that reads what an
    earlier one wrote (or writes what it read, or repeats it) gets its own; a kernel
    binding no buffers needs none; other batched work resets the tracking. The results
    equal blocking launches', and under synchronization validation (this file runs
    again under it) a missing barrier would be reported as a hazard."""
    device = svk.default_device()
    saxpy, square = chain
    sub = device.runtime_device.ctx.submitter
    count = [0]
    real = sub._cmd_barrier

    def counting(*args):
        count[0] += 1
        return real(*args)

    with svk.compile_source(IDLE, "vulkan", filename="idle.spl") as idle_module:
        idle = idle_module.kernel("idle")

        def run(wait: bool) -> tuple[list, list]:
            seen = []
            arrays = [np.linspace(i, i + 1, N, dtype=np.float32) for i in range(8)]
            bufs = [device.buffer_from(v) for v in arrays]
            a, b, c, d, e, f, g, h = bufs
            try:
                device.sync()
                monkeypatch.setattr(sub, "_cmd_barrier", counting)
                count[0] = 0
                steps = [
                    lambda: saxpy.launch(1.0, a, b, wait=wait),     # first of the batch: barrier
                    lambda: saxpy.launch(2.0, c, d, wait=wait),     # disjoint: none
                    lambda: square.launch(d, e, wait=wait),         # reads d, written just before
                    lambda: square.launch(a, f, wait=wait),         # disjoint from {d, e}: none
                    lambda: saxpy.launch(3.0, g, a, wait=wait),     # writes a, read just before
                    lambda: saxpy.launch(3.0, g, a, wait=wait),     # the same again
                    lambda: idle.launch(1.0, global_size=64, wait=wait),    # no buffers: none
                    lambda: saxpy.launch(0.5, b, c, wait=wait),     # disjoint from {g, a}: none
                    lambda: h.runtime_buffer.copy_to_buffer(d.runtime_buffer, h.nbytes, wait=wait),
                    lambda: saxpy.launch(0.5, e, f, wait=wait),     # after other work: barrier
                    lambda: saxpy.launch(0.5, a[:512], b[512:], wait=wait),     # disjoint from {e, f}: none
                    lambda: saxpy.launch(0.5, a[512:], b[:512], wait=wait),     # views count as whole buffers
                ]
                for step in steps:
                    step()
                    seen.append(count[0])
                monkeypatch.setattr(sub, "_cmd_barrier", real)
                device.sync()
                return [buf.to_numpy() for buf in bufs], seen
            finally:
                monkeypatch.setattr(sub, "_cmd_barrier", real)
                for buf in bufs:
                    buf.free()

        blocking, _ = run(True)
        batched, seen = run(False)
    for got, want in zip(batched, blocking):
        np.testing.assert_array_equal(got, want)
    assert seen == [1, 1, 2, 2, 3, 4, 4, 4, 4, 5, 5, 6]


def test_batches_through_the_c_table(chain):
    device = svk.default_device()
    saxpy, _ = chain
    table = {name: ctypes.CFUNCTYPE(*sig)(rt_ffi.TABLE[name].address) for name, sig in {
        "rt_vk_kernel_launch_async": (ctypes.c_int32, ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64),
                                      ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64,
                                      *[ctypes.c_uint32] * 6),
        "rt_vk_device_sync": (ctypes.c_int32, ctypes.c_uint64),
        "rt_vk_last_error": (ctypes.c_int32, ctypes.c_char_p, ctypes.c_uint64),
    }.items()}
    kernel = rt_ffi.REGISTRY.add(saxpy.runtime_kernel)
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        handles = (ctypes.c_uint64 * 2)(rt_ffi.REGISTRY.add(dx.runtime_buffer), rt_ffi.REGISTRY.add(dy.runtime_buffer))
        push = np.float32(2.0).tobytes()
        launch = table["rt_vk_kernel_launch_async"]
        for _ in range(4):
            assert launch(kernel, handles, 2, push, 4, N, 1, 1, 64, 1, 1) == 0
        assert launch(kernel, handles, 2, push, 4, N, 1, 1, 100000, 1, 1) == 0    # fails at the sync
        status = table["rt_vk_device_sync"](device.handle)
        message = ctypes.create_string_buffer(1024)
        table["rt_vk_last_error"](message, 1024)
        assert status < 0 and b"batched launch 5 (kernel 'saxpy')" in message.value
        assert table["rt_vk_device_sync"](device.handle) == 0
        np.testing.assert_array_equal(dy.to_numpy(), np.full(N, 8, np.float32))


@pytest.mark.skipif(os.environ.get("SIMPLE_VK_VALIDATION") == "sync", reason="already under sync validation")
def test_under_synchronization_validation():
    here = Path(__file__)
    env = dict(os.environ, SIMPLE_VK_VALIDATION="sync")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(here)],
                            cwd=here.parent.parent.parent, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout and "skipped" in result.stdout
