"""A stand-in rt_vk_* table implemented in Python (ctypes callbacks), for testing
the host glue's logic — call order, caching, local-size choice, push-constant
packing, failure paths — without Vulkan. Kernels are Python functions chosen by
their 'SPIR-V' bytes."""
from __future__ import annotations

import ctypes
import itertools
from dataclasses import dataclass
from typing import Callable

from simple_vkbackend.runtime.abi import FUNCTIONS
from simple_vkbackend.hostgen.ctypes_types import ffi_ctype

# fn(buffers: list[bytearray], push: bytes, global_size, local_size) -> None
KernelFn = Callable[[list, bytes, tuple, tuple], None]


@dataclass
class Entry:
    name: str
    params: tuple
    ret: str
    address: int


class FakeRuntime:
    def __init__(self, kernels: dict[bytes, KernelFn], limits=(1024, 1024, 64, 1024, 65535, 65535, 65535)):
        self.kernel_fns = kernels
        self.limits = limits
        self.handles = itertools.count(1)
        self.buffers: dict[int, bytearray] = {}
        self.kernels: dict[int, bytes] = {}
        self.calls: list[tuple] = []
        self.fail: dict[str, int] = {}  # function name -> value to return instead
        self._callbacks = []
        self.table = {f.name: self._entry(f.name, f.param_types, f.ret)
                      for f in FUNCTIONS if hasattr(self, f.name)}

    def _entry(self, name: str, params: tuple, ret: str) -> Entry:
        def call(*args):
            self.calls.append((name, *args))
            if name in self.fail:
                return self.fail[name]
            return getattr(self, name)(*args)  # looked up per call, so tests may replace it
        proto = ctypes.CFUNCTYPE(ffi_ctype(ret), *[ffi_ctype(p) for p in params])
        cb = proto(call)
        self._callbacks.append(cb)
        return Entry(name, params, ret, ctypes.cast(cb, ctypes.c_void_p).value)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    # the rt_vk_* functions
    def rt_vk_kernel_compile(self, dev, spirv, length):
        code = ctypes.string_at(spirv, length)
        if code not in self.kernel_fns:
            return 0
        h = next(self.handles)
        self.kernels[h] = code
        return h

    def rt_vk_kernel_free(self, k):
        return 0 if self.kernels.pop(k, None) is not None else -2

    def rt_vk_device_limits(self, dev, out, count):
        arr = (ctypes.c_uint32 * count).from_address(out)
        for i in range(count):
            arr[i] = self.limits[i]
        return 0

    def rt_vk_buffer_alloc(self, dev, size):
        h = next(self.handles)
        self.buffers[h] = bytearray(size)
        return h

    def rt_vk_buffer_upload(self, buf, data, size):
        self.buffers[buf][:] = ctypes.string_at(data, size)
        return 0

    def rt_vk_buffer_download(self, buf, data, size):
        ctypes.memmove(data, bytes(self.buffers[buf]), size)
        return 0

    def rt_vk_buffer_free(self, buf):
        return 0 if self.buffers.pop(buf, None) is not None else -2

    def rt_vk_kernel_launch_pc(self, k, bufs, count, push, push_size, gx, gy, gz, lx, ly, lz):
        handles = (ctypes.c_uint64 * count).from_address(bufs) if count else []
        block = ctypes.string_at(push, push_size) if push_size else b""
        self.kernel_fns[self.kernels[k]]([self.buffers[h] for h in handles], block, (gx, gy, gz),
                                         (lx, ly, lz))
        return 0

    def rt_vk_device_sync(self, dev):
        return 0
