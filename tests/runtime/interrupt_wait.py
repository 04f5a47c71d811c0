"""Script for test_runtime_interrupts.py, run in a fresh process: a long launch that
must end early. MODE "python" (Kernel.launch) or "table" (rt_vk_kernel_launch through
ctypes, as native code calls it): a watcher thread sends SIGINT once the main thread
is inside the runtime's semaphore wait, so the signal always lands during the wait;
prints "interrupted" when KeyboardInterrupt reached the caller. MODE "timeout": a
launch with SIMPLE_VK_TIMEOUT set; prints the error. Exits with os._exit (the work is
still running on the device; waiting for it at exit is what the test avoids)."""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runtime_kernels  # noqa: E402
from simple_vkbackend import runtime  # noqa: E402
from simple_vkbackend.runtime import ffi  # noqa: E402

GLOBAL = (1000, 1000, 1)    # a million work groups: minutes of work on lavapipe
LONG = (65535, 1000, 1)     # for the timeout: seconds even on a large discrete GPU


def interrupt_when_waiting(main_id: int) -> None:
    while True:
        frame = sys._current_frames().get(main_id)
        while frame is not None:
            if frame.f_code.co_name == "wait" and frame.f_code.co_filename.endswith("submit.py"):
                os.kill(os.getpid(), signal.SIGINT)
                return
            frame = frame.f_back
        time.sleep(0.005)


def main(mode: str) -> None:
    dev = runtime.Device()
    kernel = dev.compile(runtime_kernels.spin())
    buf = dev.alloc(4)
    if mode == "timeout":
        try:
            kernel.launch([buf], b"", LONG)
            print("finished", flush=True)
        except runtime.ExecutionError as exc:
            print("timed out:", exc, flush=True)
        os._exit(0)
    threading.Thread(target=interrupt_when_waiting, args=(threading.get_ident(),), daemon=True).start()
    try:
        if mode == "python":
            kernel.launch([buf], b"", GLOBAL)
        else:
            entry = ffi.TABLE["rt_vk_kernel_launch"]
            proto = ctypes.CFUNCTYPE(ffi.CTYPES[entry.ret], *(ffi.CTYPES[p] for p in entry.params))
            k, b = ffi.REGISTRY.add(kernel), ffi.REGISTRY.add(buf)
            status = proto(entry.address)(k, (ctypes.c_uint64 * 1)(b), 1, *GLOBAL, 0, 0, 0)
            print("returned", status, flush=True)
            ffi.raise_pending_interrupt()    # what a Python caller of native code does
        print("finished", flush=True)
        os._exit(1)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
