"""Device.close() racing with buffer use and buffer frees in other threads (issue
finding 1 through the Python wrappers): every call works or fails cleanly (the
wrapper's ValueError for a freed object, or VulkanError -2), nothing crashes, and
every Vulkan object is released. Fixed work per thread; the outcome does not depend
on the interleaving."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend import runtime
from simple_vkbackend.runtime.abi import Status

pytestmark = pytest.mark.usefixtures("no_validation_messages")

ROUNDS, USES = 30, 40


def clean(exc: BaseException) -> bool:
    if isinstance(exc, ValueError):
        return "freed" in str(exc) or "closed" in str(exc)
    return isinstance(exc, svk.VulkanError) and exc.status == int(Status.INVALID_HANDLE)


def test_close_while_other_threads_use_and_free_buffers(vk_device):
    before = runtime.live_objects()     # the instance exists (vk_device made it)
    failures: list = []
    for _ in range(ROUNDS):
        dev = svk.Device()
        bufs = [dev.buffer_from(np.arange(256, dtype=np.float32)) for _ in range(4)]
        start = threading.Barrier(4)

        def user(i):
            data = np.full(256, i, np.float32)
            for n in range(USES):
                try:
                    b = bufs[(i + n) % len(bufs)]
                    b.upload(data) if n % 2 else b.to_numpy()
                except Exception as exc:  # noqa: BLE001 - sorted below
                    if not clean(exc):
                        failures.append(repr(exc))

        def freer():
            for b in bufs[:2]:
                b.free()

        def run(fn, *args):
            try:
                start.wait()
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - reported
                failures.append(repr(exc))

        threads = [threading.Thread(target=run, args=(user, i)) for i in range(2)]
        threads += [threading.Thread(target=run, args=(freer,)),
                    threading.Thread(target=run, args=(dev.close,))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "a thread hung"
        assert dev.closed
    assert failures == []
    assert runtime.live_objects() == before, "objects of the closed devices leaked"
