"""Script for test_runtime_fork.py, run in a fresh process: start Vulkan, launch, then
fork(). The child (MODE "exit": leaves through sys.exit, so atexit runs; "_exit":
os._exit) checks that using the parent's objects, creating a device and calling the
rt_vk_* table fail at once with clear errors, and reports on stdout. The parent
bounds its wait for the child, then keeps using its own device."""
from __future__ import annotations

import ctypes
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runtime_spirv  # noqa: E402
from simple_vkbackend import runtime  # noqa: E402
from simple_vkbackend.runtime import ffi  # noqa: E402

CHILD_BOUND = 60.0


def say(text: str) -> None:
    os.write(1, (text + "\n").encode())


def table(name: str):
    entry = ffi.TABLE[name]
    return ctypes.CFUNCTYPE(ffi.CTYPES[entry.ret], *(ffi.CTYPES[p] for p in entry.params))(entry.address)


def child(kernel, buf, k_handle: int, b_handle: int) -> None:
    try:
        kernel.launch_1d([buf], 16)
        say("child: launch worked")
    except runtime.InvalidHandleError as exc:
        say(f"child: launch refused: {exc}")
    try:
        buf.download()
        say("child: download worked")
    except runtime.InvalidHandleError as exc:
        say(f"child: download refused: {exc}")
    try:
        runtime.Device()
        say("child: device created")
    except runtime.NotAvailableError as exc:
        say(f"child: device refused: {exc}")
    status = table("rt_vk_kernel_launch_1d")(k_handle, (ctypes.c_uint64 * 1)(b_handle), 1, 16)
    say(f"child: table launch status {status}")
    say(f"child: table device {table('rt_vk_device_create')()} status {table('rt_vk_last_status')()}")


def main(mode: str) -> int:
    dev = runtime.Device()
    kernel = dev.compile(runtime_spirv.fixture("add_one"))
    buf = dev.alloc(64)
    kernel.launch_1d([buf], 16, wait=False)       # work in flight at fork()
    k_handle, b_handle = ffi.REGISTRY.add(kernel), ffi.REGISTRY.add(buf)
    pid = os.fork()
    if pid == 0:
        try:
            child(kernel, buf, k_handle, b_handle)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            say(f"child: unexpected {exc!r}")
            os._exit(3)
        say("child: done")
        if mode == "_exit":
            os._exit(0)
        sys.exit(0)                               # atexit hooks run
    deadline = time.monotonic() + CHILD_BOUND
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            say("parent: child hung")
            return 1
        time.sleep(0.01)
    say(f"parent: child exit status {os.waitstatus_to_exitcode(status)}")
    kernel.launch_1d([buf], 16)
    say(f"parent: still works, {bytes(buf.download())[:4].hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
