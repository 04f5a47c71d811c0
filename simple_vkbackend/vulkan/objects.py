"""Keeping data on a Vulkan device between launches: Device, Buffer, Kernel, thin
typed wrappers over the runtime's objects (simple_vkbackend.runtime). The runtime
does the work and the lifetime bookkeeping; these add numpy types, the kernel's
interface (argument binding, local-size policy, feature check) and `VulkanError`s."""
from __future__ import annotations

import math
import weakref
from typing import Any, Callable, Optional, Sequence, TypeVar, Union

import numpy as np

from simple_vkbackend import runtime
from simple_vkbackend.lowering.interface import KernelInterface
from simple_vkbackend.runtime import ffi
from simple_vkbackend.runtime.abi import LOCAL_SIZE_LIMITS, Status

from .. import traps
from ..arguments import check_scalar, dtype_of, signature
from ..dtypes import numeric_dtype
from ..errors import BackendUnavailableError, MissingFeatureError, VulkanError
from ..sizes import Size3, SizeArg, as_size3, check_launch, choose_local_size
from .device_info import DeviceInfo, describe_device, resolve_device, unavailable_reason
from .feature_check import describe_missing, missing_features

T = TypeVar("T")


def runtime_call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args) on a runtime object; its failure becomes a VulkanError saying `what`."""
    try:
        return fn(*args, **kwargs)
    except runtime.RuntimeFailure as exc:
        raise VulkanError(int(exc.code), f"{what}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - as the rt_vk_* table reports it: never a traceback
        raise VulkanError(int(Status.EXECUTION_FAILED), f"{what}: internal error: {exc!r}") from None


class Resident:
    """The lifetime of a wrapper: `release` runs once, on free()/close(), on leaving a
    `with` block, or when the wrapper is garbage collected."""

    def _hold(self, release: Callable[[], Any]) -> None:
        self._finalizer = weakref.finalize(self, release)

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def free(self) -> None:
        """Release what the object holds on the device; idempotent."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()


def _free_device(handle: int) -> None:
    try:
        ffi.rt_vk_device_free(handle)
    except runtime.RuntimeFailure:
        pass  # already freed through the table


class Device(Resident):
    """A Vulkan device: `Device()` (the default, or SIMPLE_VK_DEVICE), `Device(1)`
    (by index) or `Device("llvmpipe")` (by part of its name). `handle` is its rt_vk_*
    table handle, for the host glue."""

    def __init__(self, which: Union[int, str, None] = None):
        if which is None:
            reason = unavailable_reason()
            if reason:
                raise BackendUnavailableError(reason)
            device = runtime_call("cannot create a Vulkan device", runtime.Device)
        else:
            device = runtime_call("cannot create a Vulkan device", runtime.Device, resolve_device(which))
        self.runtime_device = device
        self.handle = ffi.register_device(device)
        self._hold(lambda handle=self.handle: _free_device(handle))
        self.info: DeviceInfo = describe_device(device)
        self.index = self.info.index
        self._limits = tuple(device.limits.as_abi()[:LOCAL_SIZE_LIMITS])

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

    def sync(self) -> None:
        """Wait until the device has finished all submitted work."""
        runtime_call("device sync failed", self.runtime_device.sync)
        traps.drain(self)

    def close(self) -> None:
        """Free the device and everything created on it; idempotent."""
        self.free()

    def __repr__(self) -> str:
        return f"<Device {self.index}: {self.name}{' (closed)' if self.closed else ''}>"

    def buffer_from(self, array: np.ndarray) -> "Buffer":
        """A device buffer holding a copy of `array` (any shape, C-contiguous)."""
        array = np.asarray(array)
        numeric_dtype(array.dtype, "buffer_from")
        if not array.flags.c_contiguous:
            raise TypeError("buffer_from needs a C-contiguous array (use np.ascontiguousarray)")
        buffer = Buffer(self, array.shape, array.dtype)
        buffer.upload(array)
        return buffer

    def empty(self, shape: Union[int, Sequence[int]], dtype: Any = np.float32) -> "Buffer":
        """A device buffer of `shape` elements of `dtype` with undefined contents."""
        return Buffer(self, shape, dtype)


def _shape(shape: Union[int, Sequence[int]]) -> tuple[int, ...]:
    """A shape as a tuple of non-negative Python ints (numpy integers accepted)."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    for n in dims:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"a buffer shape takes non-negative integers, got {shape!r}")
    return tuple(int(n) for n in dims)


class Buffer(Resident):
    """A storage buffer on a device, typed by a numpy dtype and shape."""

    def __init__(self, device: Device, shape: Union[int, Sequence[int]], dtype: Any):
        self.device = device
        self.shape = _shape(shape)
        self.dtype = numeric_dtype(dtype, "Buffer")
        self.size = math.prod(self.shape)     # Python ints: no 64-bit wrap-around
        self.nbytes = self.size * self.dtype.itemsize
        if self.size <= 0:
            raise ValueError(f"a buffer needs at least one element, got shape {self.shape}")
        self.runtime_buffer = runtime_call(f"cannot allocate a buffer of {self.nbytes} bytes",
                                           device.runtime_device.alloc, self.nbytes)
        self._hold(self.runtime_buffer.free)

    def upload(self, array: np.ndarray) -> None:
        """Copy `array` (same dtype and element count, C-contiguous) to the device."""
        if array.dtype != self.dtype or array.size != self.size:
            raise TypeError(f"upload needs {self.size} elements of {self.dtype}, got {array.size} of {array.dtype}")
        if not array.flags.c_contiguous:
            raise TypeError("upload needs a C-contiguous array (use np.ascontiguousarray)")
        self._check_open()
        runtime_call("upload failed", self.runtime_buffer.upload_from, array.ctypes.data, self.nbytes)

    def to_numpy(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The buffer's contents, in a new array (or in `out`)."""
        if out is None:
            out = np.empty(self.shape, self.dtype)
        elif out.dtype != self.dtype or out.size != self.size or not out.flags.c_contiguous:
            raise TypeError(f"to_numpy(out=) needs a C-contiguous array of {self.size} {self.dtype}")
        self._check_open()
        runtime_call("download failed", self.runtime_buffer.download_to, out.ctypes.data, self.nbytes)
        traps.drain(self.device)
        return out

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("the buffer was freed")
        if self.device.closed:
            raise ValueError("the buffer's device was closed")

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<Buffer {self.shape} {self.dtype} on {self.device.name}>"


class Kernel(Resident):
    """A kernel compiled for one device, launched on Buffers and scalars."""

    def __init__(self, device: Device, spirv: bytes, interface: KernelInterface,
                 features: Optional[frozenset[str]] = None):
        missing = missing_features(interface, device.enabled_features if features is None else features)
        if missing:
            raise MissingFeatureError(describe_missing(interface.name, missing, device.name))
        self.device, self.name = device, interface.name
        self.interface, self.compiled_interface = traps.user_view(interface), interface
        self.runtime_kernel = runtime_call(f"cannot load kernel {self.name}", device.runtime_device.compile,
                                           bytes(spirv))
        self._hold(self.runtime_kernel.free)

    def launch(self, *args: Any, global_size: SizeArg = None, local_size: SizeArg = None,
               wait: bool = True, timeout: Optional[float] = None) -> None:
        """Run over `global_size` work items (default for 1-D kernels: the largest
        buffer's element count). Buffer parameters take Buffers of the element dtype
        on this kernel's device; scalars take numbers. `wait=False` returns once the
        work is submitted; `device.sync()` waits for it, and a buffer's `to_numpy()`
        waits for the kernels that use the buffer. `timeout` (seconds; default
        SIMPLE_VK_TIMEOUT, unset: none) bounds the wait: past it a VulkanError names
        the kernel. Ctrl-C during the wait raises KeyboardInterrupt."""
        if self.closed or self.device.closed:
            raise ValueError(f"kernel {self.name} (or its device) was freed")
        buffers, push = self._bind(args)
        size = self._global_size(buffers, global_size)
        given = as_size3(local_size, "local_size") if local_size is not None else None
        check_launch(self.interface, size, given)
        local = given or choose_local_size(self.interface, size, self.device.limits)
        trap = traps.launch_buffer(self.device, self.compiled_interface)
        runtime_call(f"launch of kernel {self.name} failed", self.runtime_kernel.launch,
                     [b.runtime_buffer for b in buffers + trap], push, size, local, wait=wait, timeout=timeout)
        traps.watch(self.device, self.compiled_interface, trap, wait)

    def _bind(self, args: Sequence[Any]) -> tuple[list[Buffer], bytes]:
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
        return buffers, bytes(block)

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
