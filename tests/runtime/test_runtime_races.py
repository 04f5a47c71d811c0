"""Lifetime races (issue findings 1 and 2): a device outlives every operation on its
children, a device free waits for children other threads are freeing, and a destroy
path that meets a failure still frees the rest and reports it."""
from __future__ import annotations

import threading

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime.resource import Resource, release_all

import runtime_kernels


class Slow(Resource):
    """A resource whose release blocks until `go` is set."""

    kind = "slow"

    def __init__(self):
        super().__init__()
        self.entered, self.go, self.done = threading.Event(), threading.Event(), False

    def _release(self):
        self.entered.set()
        self.go.wait(30)
        self.done = True


def test_a_second_free_waits_for_the_release_in_progress():
    thing = Slow()
    first = threading.Thread(target=thing.free)
    first.start()
    assert thing.entered.wait(30)
    seen = []
    second = threading.Thread(target=lambda: (thing.free(), seen.append(thing.done)))
    second.start()
    second.join(0.5)
    assert second.is_alive(), "free() returned while another thread was still releasing"
    thing.go.set()
    first.join(30)
    second.join(30)
    assert seen == [True]


def test_device_free_waits_for_a_buffer_another_thread_is_freeing(spirv):
    before = runtime.live_objects()
    dev = runtime.Device()
    buf = dev.alloc(256)
    kernel = dev.compile(spirv("add_one"))
    kernel.launch_1d([buf], 64)
    entered, go = threading.Event(), threading.Event()
    real_destroy = buf.raw.destroy

    def slow_destroy():
        entered.set()
        go.wait(30)
        real_destroy()

    buf.raw.destroy = slow_destroy
    freeing_buffer = threading.Thread(target=buf.free)
    freeing_buffer.start()
    assert entered.wait(30)
    freeing_device = threading.Thread(target=dev.free)
    freeing_device.start()
    freeing_device.join(0.5)
    assert freeing_device.is_alive(), "the device was destroyed under a buffer still being freed"
    go.set()
    freeing_buffer.join(30)
    freeing_device.join(30)
    assert not dev.alive and not kernel.alive
    assert runtime.live_objects() == before


def test_device_free_that_meets_a_failing_child_frees_the_rest_and_reports(spirv):
    before = runtime.live_objects()
    dev = runtime.Device()
    kernels = [dev.compile(spirv("add_one")) for _ in range(2)]
    buffers = [dev.alloc(64) for _ in range(4)]
    broken = buffers[1]
    real_destroy = broken.raw.destroy

    def failing_destroy():
        real_destroy()
        raise runtime.ExecutionError("injected failure")

    broken.raw.destroy = failing_destroy
    with pytest.raises(runtime.ExecutionError, match="injected failure"):
        dev.free()
    assert not dev.alive
    assert not any(k.alive for k in kernels) and not any(b.alive for b in buffers)
    assert runtime.live_objects() == before, "children after the failing one leaked"


def test_kernel_release_runs_every_step_when_one_fails(device, spirv):
    before = runtime.live_objects()
    kernel = device.compile(spirv("add_one"))
    real_destroy = kernel.cache.destroy

    def failing_destroy():
        real_destroy()
        raise runtime.ExecutionError("injected cache failure")

    kernel.cache.destroy = failing_destroy
    with pytest.raises(runtime.ExecutionError, match="injected cache failure"):
        kernel.free()
    assert runtime.live_objects() == before, "the pipeline objects leaked"
    assert kernel not in device.children()


def test_release_all_runs_every_step_and_raises_the_first_failure():
    ran = []

    def fail(n):
        ran.append(n)
        raise ValueError(f"step {n}")

    with pytest.raises(ValueError, match="step 1") as info:
        release_all(lambda: ran.append(0), lambda: fail(1), lambda: fail(2), lambda: ran.append(3))
    assert ran == [0, 1, 2, 3]
    assert "step 2" in "".join(getattr(info.value, "__notes__", []))


def test_a_launch_keeps_its_device_pinned_while_it_waits():
    dev = runtime.Device()
    kernel = dev.compile(runtime_kernels.spin())
    buf = dev.alloc(4)
    observed = []
    # enough spinning work to be watched: a CPU device runs few work items at once, a
    # discrete GPU thousands (3000 work items took under a millisecond on an H200)
    size = (3000, 1, 1) if dev.info.type == "cpu" else (65535, 64, 1)
    launched = threading.Thread(target=kernel.launch, args=([buf], b"", size))
    launched.start()
    while not kernel.last_serial:
        threading.Event().wait(0.001)
    sub = dev.ctx.submitter
    serial = kernel.last_serial
    while launched.is_alive() and sub.completed() < serial:
        observed.append(dev._pins)
        threading.Event().wait(0.005)
    launched.join(120)
    dev.free()
    assert observed, "the kernel finished before it could be observed (too fast a device?)"
    assert min(observed) >= 1, "the device was not pinned during the launch's wait"


def test_launch_after_its_device_was_freed_fails_cleanly(spirv):
    dev = runtime.Device()
    kernel = dev.compile(spirv("add_one"))
    buf = dev.alloc(64)
    dev.free()
    with pytest.raises(runtime.InvalidHandleError, match="freed"):
        kernel.launch_1d([buf], 16)
