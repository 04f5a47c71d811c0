"""Stress script (run by test_runtime_stress.py in a fresh process, under the validation
layer with synchronization validation): threads free devices, buffers and kernels,
through the Python objects and through the rt_vk_* table, while other threads launch
on them and transfer. Fixed work per thread (bounded time); the outcome does not
depend on the interleaving: every operation either works or fails with the runtime's
clean errors (a freed handle or object), nothing crashes, and at the end every Vulkan
object is released and the layer reported nothing.

Usage: python stress_lifetimes.py ROUNDS
"""
from __future__ import annotations

import ctypes
import random
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runtime_spirv  # noqa: E402
from simple_vkbackend import runtime  # noqa: E402
from simple_vkbackend.runtime import ffi  # noqa: E402

CLEAN = (runtime.InvalidHandleError,)
CLEAN_STATUSES = (0, int(runtime.Status.INVALID_HANDLE))
LAUNCHERS, LAUNCHES = 4, 25


class Table:
    """The rt_vk_* functions through ctypes, as native code calls them."""

    def __init__(self) -> None:
        for name, entry in ffi.TABLE.items():
            proto = ctypes.CFUNCTYPE(ffi.CTYPES[entry.ret], *(ffi.CTYPES[p] for p in entry.params))
            setattr(self, name.removeprefix("rt_vk_"), proto(entry.address))


def one_round(seed: int, rt: Table, code: bytes, failures: list) -> None:
    py_dev = runtime.Device()
    py_kernel = py_dev.compile(code)
    py_bufs = [py_dev.alloc(4 * 1024) for _ in range(4)]
    c_dev = rt.device_create()
    c_kernel = rt.kernel_compile(c_dev, code, len(code))
    c_bufs = [rt.buffer_alloc(c_dev, 4 * 1024) for _ in range(4)]
    if not (c_dev and c_kernel and all(c_bufs)):
        failures.append("setup through the table failed")
        return
    start = threading.Barrier(LAUNCHERS + 5)
    underway = threading.Event()    # set once every launcher has launched a few times
    started = [0]
    lock = threading.Lock()

    def progress(n):
        if n == 4:
            with lock:
                started[0] += 1
                if started[0] == LAUNCHERS:
                    underway.set()

    def wait_underway():
        underway.wait(60)

    def guarded(fn):
        def run(*args):
            try:
                start.wait()
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - collected, reported below
                failures.append(f"{fn.__name__}: {exc!r}")
        return run

    def py_launcher(i):
        rng = random.Random(seed * 100 + i)
        data = bytearray(4 * 1024)
        for n in range(LAUNCHES):
            progress(n)
            buf = rng.choice(py_bufs)
            try:
                if rng.random() < 0.2:
                    buf.upload(data)
                else:
                    py_kernel.launch_1d([buf], 1024, wait=rng.random() < 0.5)
            except CLEAN:
                pass

    def c_launcher(i):
        rng = random.Random(seed * 100 + 50 + i)
        for n in range(LAUNCHES):
            progress(n)
            handles = (ctypes.c_uint64 * 1)(rng.choice(c_bufs))
            status = rt.kernel_launch_1d(c_kernel, handles, 1, 1024)
            if status not in CLEAN_STATUSES:
                failures.append(f"rt_vk_kernel_launch_1d: status {status}")

    def py_free_buffers():
        wait_underway()
        for buf in py_bufs[:2]:
            buf.free()

    def py_free_kernel_then_device():
        wait_underway()
        py_kernel.free()
        py_dev.free()

    def py_free_device():
        wait_underway()
        py_dev.free()

    def c_free_buffers_and_kernel():
        wait_underway()
        for h in c_bufs[:2]:
            if rt.buffer_free(h) not in CLEAN_STATUSES:
                failures.append("rt_vk_buffer_free failed")
        if rt.kernel_free(c_kernel) not in CLEAN_STATUSES:
            failures.append("rt_vk_kernel_free failed")

    def c_free_device():
        wait_underway()
        if rt.device_free(c_dev) != 0:
            failures.append("rt_vk_device_free failed")

    threads = [threading.Thread(target=guarded(py_launcher), args=(i,)) for i in range(LAUNCHERS // 2)]
    threads += [threading.Thread(target=guarded(c_launcher), args=(i,)) for i in range(LAUNCHERS // 2)]
    threads += [threading.Thread(target=guarded(f)) for f in (
        py_free_buffers, py_free_kernel_then_device, py_free_device, c_free_buffers_and_kernel,
        c_free_device)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        if t.is_alive():
            failures.append("a thread hung")
            return


def main() -> int:
    rounds = int(sys.argv[1])
    code = runtime_spirv.fixture("add_one")
    rt = Table()
    warm = runtime.Device()   # the instance and the validation layer, loaded once
    warm.free()
    before, handles = runtime.live_objects(), ffi.REGISTRY.live()
    failures: list = []
    for seed in range(rounds):
        one_round(seed, rt, code, failures)
    after = runtime.live_objects()
    if after != before:
        failures.append(f"live Vulkan objects {before} -> {after}")
    if ffi.REGISTRY.live() != handles:
        failures.append(f"table handles {handles} -> {ffi.REGISTRY.live()}")
    messages = runtime.validation_message_count()
    if messages:
        failures.append(f"{messages} validation message(s): {runtime.validation.recent_messages()[-3:]}")
    for f in failures:
        print("FAILURE:", f)
    print(f"stress: {rounds} rounds, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
