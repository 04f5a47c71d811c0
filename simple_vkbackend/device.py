"""Keeping data on a Vulkan device between launches: Device, Buffer, Kernel, built
on the rt_vk_* table (simple_vkbackend.rt)."""
from __future__ import annotations

import ctypes
import weakref
from typing import Any, Optional, Sequence, Union

import numpy as np

from simple_vkbackend.lowering.interface import KernelInterface

from . import rt
from .arguments import check_scalar, dtype_of, signature
from .errors import BackendUnavailableError, MissingFeatureError
from .features import describe_missing, missing_features
from .hostgen.glue import LIMIT_COUNT
from .launch import Size3, SizeArg, as_size3, choose_local_size
from .runtime_info import DeviceInfo, device_info, resolve_device, unavailable_reason

STATUS_NOT_AVAILABLE = -1
STATUS_ALLOCATION_FAILED = -3
STATUS_COMPILATION_FAILED = -4


class Device:
    """A Vulkan device: `Device()` (the default, or SIMPLE_VK_DEVICE), `Device(1)`
    (by index) or `Device("llvmpipe")` (by part of its name)."""

    def __init__(self, which: Union[int, str, None] = None):
        if which is None:
            reason = unavailable_reason()
            if reason:
                raise BackendUnavailableError(reason)
            handle = rt.call("rt_vk_device_create")
        else:
            handle = rt.call("rt_vk_device_create_index", resolve_device(which))
        self.handle = rt.check_handle(handle, STATUS_NOT_AVAILABLE, "cannot create a Vulkan device")
        self._finalizer = weakref.finalize(self, rt.call, "rt_vk_device_free", self.handle)
        self.info: DeviceInfo = device_info(self.handle)
        self.index = self.info.index
        out = (ctypes.c_uint32 * LIMIT_COUNT)()
        rt.check(rt.call("rt_vk_device_limits", self.handle, out, LIMIT_COUNT), "cannot read device limits")
        self._limits = tuple(out)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def enabled_features(self) -> frozenset[str]:
        return self.info.enabled_features

    @property
    def limits(self) -> tuple[int, ...]:
        """maxComputeWorkGroupSize x, y, z, maxComputeWorkGroupInvocations,
        maxComputeWorkGroupCount x, y, z (what the local-size policy uses)."""
        return self._limits

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def sync(self) -> None:
        """Wait until the device has finished all submitted work."""
        rt.check(rt.call("rt_vk_device_sync", self.handle), "device sync failed")

    def close(self) -> None:
        """Free the device and everything created on it; idempotent."""
        self._finalizer()

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Device {self.index}: {self.name}{' (closed)' if self.closed else ''}>"

    def buffer_from(self, array: np.ndarray) -> "Buffer":
        """A device buffer holding a copy of `array` (any shape, C-contiguous)."""
        array = np.asarray(array)
        if not array.flags.c_contiguous:
            raise TypeError("buffer_from needs a C-contiguous array (use np.ascontiguousarray)")
        buffer = Buffer(self, array.shape, array.dtype)
        buffer.upload(array)
        return buffer

    def empty(self, shape: Union[int, Sequence[int]], dtype: Any = np.float32) -> "Buffer":
        """A device buffer of `shape` elements of `dtype` with undefined contents."""
        return Buffer(self, shape, dtype)


class Buffer:
    """A storage buffer on a device, typed by a numpy dtype and shape."""

    def __init__(self, device: Device, shape: Union[int, Sequence[int]], dtype: Any):
        self.device = device
        self.shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.dtype = np.dtype(dtype)
        self.size = int(np.prod(self.shape, dtype=np.int64))
        self.nbytes = self.size * self.dtype.itemsize
        if self.size <= 0:
            raise ValueError(f"a buffer needs at least one element, got shape {self.shape}")
        handle = rt.call("rt_vk_buffer_alloc", device.handle, self.nbytes)
        self.handle = rt.check_handle(handle, STATUS_ALLOCATION_FAILED,
                                      f"cannot allocate a buffer of {self.nbytes} bytes")
        self._finalizer = weakref.finalize(self, rt.call, "rt_vk_buffer_free", self.handle)

    def upload(self, array: np.ndarray) -> None:
        """Copy `array` (same dtype and element count, C-contiguous) to the device."""
        if array.dtype != self.dtype or array.size != self.size:
            raise TypeError(f"upload needs {self.size} elements of {self.dtype}, got {array.size} of {array.dtype}")
        if not array.flags.c_contiguous:
            raise TypeError("upload needs a C-contiguous array (use np.ascontiguousarray)")
        self._check_open()
        rt.check(rt.call("rt_vk_buffer_upload", self.handle, array.ctypes.data, self.nbytes), "upload failed")

    def to_numpy(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The buffer's contents, in a new array (or in `out`)."""
        if out is None:
            out = np.empty(self.shape, self.dtype)
        elif out.dtype != self.dtype or out.size != self.size or not out.flags.c_contiguous:
            raise TypeError(f"to_numpy(out=) needs a C-contiguous array of {self.size} {self.dtype}")
        self._check_open()
        rt.check(rt.call("rt_vk_buffer_download", self.handle, out.ctypes.data, self.nbytes), "download failed")
        return out

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("the buffer was freed")
        if self.device.closed:
            raise ValueError("the buffer's device was closed")

    def free(self) -> None:
        """Free the device memory; idempotent."""
        self._finalizer()

    def __enter__(self) -> "Buffer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<Buffer {self.shape} {self.dtype} on {self.device.name}>"


class Kernel:
    """A kernel compiled for one device, launched on Buffers and scalars."""

    def __init__(self, device: Device, spirv: bytes, interface: KernelInterface,
                 features: Optional[frozenset[str]] = None):
        missing = missing_features(interface, device.enabled_features if features is None else features)
        if missing:
            raise MissingFeatureError(describe_missing(interface.name, missing, device.name))
        self.device, self.interface, self.name = device, interface, interface.name
        code = ctypes.create_string_buffer(spirv, len(spirv))
        handle = rt.call("rt_vk_kernel_compile", device.handle, code, len(spirv))
        self.handle = rt.check_handle(handle, STATUS_COMPILATION_FAILED, f"cannot load kernel {self.name}")
        self._finalizer = weakref.finalize(self, rt.call, "rt_vk_kernel_free", self.handle)

    def launch(self, *args: Any, global_size: SizeArg = None, local_size: SizeArg = None,
               wait: bool = True) -> None:
        """Run over `global_size` work items (default for 1-D kernels: the largest
        buffer's element count). Buffer parameters take Buffers of the element dtype
        on this kernel's device; scalars take numbers. `wait=False` returns once the
        work is submitted; `device.sync()` waits for it, and a buffer's `to_numpy()`
        waits for the kernels that use the buffer."""
        if self.closed or self.device.closed:
            raise ValueError(f"kernel {self.name} (or its device) was freed")
        buffers, push = self._bind(args)
        size = self._global_size(buffers, global_size)
        local = as_size3(local_size, "local_size") if local_size is not None else \
            choose_local_size(self.interface, size, self.device.limits)
        handles = (ctypes.c_uint64 * max(len(buffers), 1))(*[b.handle for b in buffers])
        launch = "rt_vk_kernel_launch_pc" if wait else "rt_vk_kernel_launch_async"
        status = rt.call(launch, self.handle, handles, len(buffers), push, self.interface.push_size,
                         *size, *local)
        rt.check(status, f"launch of kernel {self.name} failed")

    def _bind(self, args: Sequence[Any]) -> tuple[list[Buffer], Any]:
        params = self.interface.params
        if len(args) != len(params):
            raise TypeError(f"{self.name}.launch() takes {len(params)} arguments "
                            f"({signature(self.interface)}), got {len(args)}")
        buffers: list[Buffer] = []
        block = bytearray(self.interface.push_size)
        for p, value in zip(params, args):
            if p.kind == "buffer":
                buffers.append(self._check_buffer(p, value))
            else:
                raw = np.array(check_scalar(self.name, p, value)).astype(
                    np.int32 if p.type == "bool" else dtype_of(p.type)).tobytes()
                block[p.offset:p.offset + len(raw)] = raw
        push = (ctypes.c_uint8 * len(block)).from_buffer(block) if block else None
        return buffers, push

    def _check_buffer(self, p, value: Any) -> Buffer:
        where = f"{self.name}.launch(): buffer parameter {p.name!r}"
        if not isinstance(value, Buffer):
            raise TypeError(f"{where} takes a Buffer, got {type(value).__name__}")
        if value.dtype != dtype_of(p.type):
            raise TypeError(f"{where} takes a Buffer of {dtype_of(p.type)}, got one of {value.dtype}")
        if value.device is not self.device:
            raise ValueError(f"{where}: the buffer lives on another device")
        if value.closed:
            raise ValueError(f"{where}: the buffer was freed")
        return value

    def _global_size(self, buffers: list[Buffer], global_size: SizeArg) -> Size3:
        if global_size is not None:
            return as_size3(global_size, "global_size")
        if self.interface.grid_size is not None:
            return self.interface.grid_size
        if self.interface.dims != 1 or not buffers:
            raise TypeError(f"{self.name}.launch() needs global_size for this kernel")
        return (max(b.size for b in buffers), 1, 1)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def free(self) -> None:
        self._finalizer()

    def __enter__(self) -> "Kernel":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()
