"""Host cost of non-waiting launches: the time of N launches with no sync in between
(the sync after them is not timed), so that only the work on the host is measured.

Three paths, interleaved round by round (the machine may be busy): Kernel.launch
(wait=False) of saxpy on two device Buffers (the Python API), rt_vk_kernel_launch_async
of an empty kernel through ctypes at its table address (the C table, as bench/launch.py
calls it), and the runtime kernel's launch_async on the same Buffers (no API layer).
Prints the median over rounds of the mean µs per launch. Validation layer off.

    .venv/bin/python bench/launch_host.py [--rounds R] [--count N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import struct
import sys
import time
from pathlib import Path

os.environ["SIMPLE_VK_VALIDATION"] = "0"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import simple_vkbackend as svk  # noqa: E402
from runtime import abi, assemble  # noqa: E402  (bench/runtime.py)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=25)
    p.add_argument("--count", type=int, default=200, help="launches per round")
    args = p.parse_args()
    count = args.count
    device = svk.default_device()
    module = svk.compile_file(ROOT / "fixtures" / "saxpy.spl")
    kernel = module.kernel("saxpy")
    x, y = device.buffer_from(np.ones(64, np.float32)), device.buffer_from(np.zeros(64, np.float32))
    empty = assemble("empty")
    launch_c, sync_c = abi("rt_vk_kernel_launch_async"), abi("rt_vk_device_sync")
    k_h = abi("rt_vk_kernel_compile")(device.handle, empty, len(empty))
    rt_kernel = kernel.runtime_kernel
    buffers = (x.runtime_buffer, y.runtime_buffer)
    push = struct.pack("<f", 2.0) + bytes(rt_kernel.push_constant_size - 4)
    size, local = (64, 1, 1), rt_kernel.local_1d()

    def api() -> int:
        start = time.perf_counter_ns()
        for _ in range(count):
            kernel.launch(2.0, x, y, wait=False)
        return time.perf_counter_ns() - start

    def table() -> int:
        start = time.perf_counter_ns()
        for _ in range(count):
            launch_c(k_h, None, 0, None, 0, 1, 1, 1, 1, 1, 1)
        return time.perf_counter_ns() - start

    def runtime_level() -> int:
        start = time.perf_counter_ns()
        for _ in range(count):
            rt_kernel.launch_async(buffers, push, size, local)
        return time.perf_counter_ns() - start

    paths = {"Kernel.launch(wait=False)": api, "rt_vk_kernel_launch_async (C table, empty kernel)": table,
             "runtime Kernel.launch_async": runtime_level}
    times: dict[str, list[float]] = {name: [] for name in paths}
    for round_ in range(args.rounds + 2):
        for name, fn in paths.items():
            ns = fn()
            sync_c(device.handle)
            if round_ >= 2:                 # two warm-up rounds
                times[name].append(ns / count / 1e3)
    print(f"host µs per non-waiting launch on {device.name} (median of {args.rounds} rounds of {count}):")
    for name, values in times.items():
        print(f"  {name:52s} {statistics.median(values):6.2f}")
    abi("rt_vk_kernel_free")(k_h)
    kernel.free()
    module.close()
    x.free()
    y.free()
    return 0


if __name__ == "__main__":
    sys.exit(main())
