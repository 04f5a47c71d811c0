"""Keeping data on a Vulkan device between launches: Device, Buffer, Kernel, thin
typed wrappers over the runtime's objects (simple_vkbackend.runtime). The runtime
does the work and the lifetime bookkeeping; these add numpy types, the kernel's
interface (argument binding, local-size policy, feature check) and `VulkanError`s."""
from __future__ import annotations

import contextlib
import functools
import os
import struct
import threading
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence, Union

import numpy as np

from simple_vkbackend import runtime
from simple_vkbackend.lowering.interface import KernelInterface
from simple_vkbackend.runtime import ffi
from simple_vkbackend.runtime.abi import LOCAL_SIZE_LIMITS

from .. import traps
from ..arguments import bind_arguments, dtype_of, signature, vector_length_error
from ..dtypes import numeric_dtype
from ..errors import BackendUnavailableError, MissingFeatureError
from ..sizes import Size3, SizeArg, as_size3, check_launch, choose_local_size
from .device_array import Buffer
from .device_info import DeviceInfo, describe_device, resolve_device, unavailable_reason
from .feature_check import describe_missing, missing_features
from .objects_base import Resident, runtime_call, vulkan_error

__all__ = ["Buffer", "Device", "Kernel", "default_device"]

_default_lock = threading.Lock()
_default: Optional["Device"] = None


class GpuTimer:
    """What `Device.timer()` yields: `ms` is set when the block is left."""

    ms: Optional[float] = None

    def __repr__(self) -> str:
        return f"<GpuTimer {'running' if self.ms is None else f'{self.ms:.4f} ms'}>"


def default_device() -> "Device":
    """The process's default device (SIMPLE_VK_DEVICE, else the best one), made on
    first use and shared by every module compiled without an explicit device."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Device()
        return _default


def _forget_default_in_child() -> None:
    global _default
    _default = None     # a forked child must not use its parent's device


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_default_in_child)


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
        self._hold(functools.partial(_free_device, self.handle))
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

    @contextlib.contextmanager
    def timer(self) -> Iterator["GpuTimer"]:
        """`with device.timer() as t: ...` then `t.ms`: the GPU time from entering to
        leaving the block (timestamps submitted at both ends; leaving waits)."""
        interval = runtime_call("cannot start a GPU timer", self.runtime_device.interval)
        timer = GpuTimer()
        runtime_call("cannot start a GPU timer", interval.start)
        try:
            yield timer
        finally:
            timer.ms = runtime_call("GPU timer failed", interval.stop)

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


class Kernel(Resident):
    """A kernel compiled for one device, launched on Buffers, numpy arrays and scalars."""

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
        self._fast = _FastBinder(self.interface) if interface.trap_param is None else None
        self._local: dict = {}          # global size -> local size by the policy
        self._sizes: dict = {}          # (global_size, local_size, longest buffer) -> checked sizes
        self._last_sizes: tuple = (object(), object(), 0, None)  # the last launch's sizes, kept by identity
        self._failed = f"launch of kernel {self.name} failed"

    def launch(self, *args: Any, global_size: SizeArg = None, local_size: SizeArg = None,
               wait: bool = True, timed: bool = False, timeout: Optional[float] = None,
               **kwargs: Any) -> Optional[float]:
        """Run over `global_size` work items (default: the kernel's grid size, else for
        1-D kernels the largest buffer's element count). Arguments go positionally or
        by parameter name: buffers take Buffers (or views) on this kernel's device or
        numpy arrays of the element dtype, scalars take numbers. Buffers move no data;
        an array is copied in, and out again when the kernel writes it (such a launch
        waits). `wait=False` otherwise returns once the work is submitted;
        `device.sync()` waits for it, and a buffer's `to_numpy()` waits for the
        kernels using it. `timed=True`: a blocking launch between GPU timestamps;
        returns its GPU time in milliseconds (None otherwise). `timeout` (seconds;
        default SIMPLE_VK_TIMEOUT, unset: none) bounds the wait: past it a VulkanError
        names the kernel. Ctrl-C during the wait raises KeyboardInterrupt."""
        if not (self._open[0] and self.device._open[0]):     # (closed, cheaper)
            raise ValueError(f"kernel {self.name} (or its device) was freed")
        if not kwargs and not timed and self.launch_fast(args, global_size, local_size, wait, timeout):
            return None
        bound = bind_arguments(self.interface, args, kwargs)
        return self.launch_bound(bound, global_size, local_size, wait, timed, timeout)

    def launch_fast(self, args: Sequence[Any], global_size: SizeArg, local_size: SizeArg, wait: bool,
                    timeout: Optional[float]) -> bool:
        """The common launch, positional whole Buffers on this device and plain numbers,
        made with the checks cached: True when it was launched, False when the
        arguments need the general path (`bind_arguments`, which reports mistakes)."""
        if self._fast is None:
            return False
        fast = self._fast.bind(args, self.device)
        if fast is None:
            return False
        buffers, push, longest = fast
        if global_size is not None:
            longest = 0
        last = self._last_sizes
        if last[0] is global_size and last[1] is local_size and last[2] == longest:
            size, local = last[3]
        else:
            key = (global_size, local_size, longest)
            try:
                size, local = self._sizes[key]
            except TypeError:           # sizes given as lists: checked every time
                size = self._global_size_n(longest, global_size)
                local = self._local_size(size, local_size)
            except KeyError:
                size = self._global_size_n(longest, global_size)
                local = self._local_size(size, local_size)
                if len(self._sizes) >= 256:
                    self._sizes.clear()
                self._sizes[key] = (size, local)
            else:
                if type(global_size) in _IMMUTABLE and type(local_size) in _IMMUTABLE:
                    self._last_sizes = (global_size, local_size, longest, (size, local))   # (hashable)
        kernel = self.runtime_kernel
        try:
            if wait:
                kernel.launch_wait(buffers, push, size, local, None, timeout)
            else:
                kernel.launch_async(buffers, push, size, local)
        except Exception as exc:  # noqa: BLE001 - reported as runtime_call reports it
            raise vulkan_error(self._failed, exc) from None
        return True

    def _local_size(self, size: Size3, local_size: SizeArg) -> Size3:
        """The launch check (sizes.check_launch), then the given local size or the policy's."""
        given = as_size3(local_size, "local_size") if local_size is not None else None
        check_launch(self.interface, size, given)
        return given or self._policy(size)

    def _policy(self, size: Size3) -> Size3:
        local = self._local.get(size)
        if local is None:
            if len(self._local) > 256:
                self._local.clear()
            local = self._local[size] = choose_local_size(self.interface, size, self.device.limits)
        return local

    def launch_bound(self, bound: Mapping[str, Any], global_size: SizeArg, local_size: SizeArg,
                     wait: bool = True, timed: bool = False, timeout: Optional[float] = None
                     ) -> Optional[float]:
        """launch() of arguments already checked by `arguments.bind_arguments`."""
        elapsed = None
        staged: list[tuple[Buffer, np.ndarray, bool]] = []
        try:
            buffers, push = self._split(bound, staged)
            size = self._global_size(buffers, global_size)
            local = self._local_size(size, local_size)
            trap = traps.launch_buffer(self.device, self.compiled_interface)
            byte_ranges = [b.byte_range for b in buffers] + [None] * len(trap)
            handles = [b.runtime_buffer for b in buffers + trap]
            ranges = None if not any(byte_ranges) else byte_ranges
            what = f"launch of kernel {self.name} failed"
            wait = wait or bool(staged) or timed
            if timed:
                elapsed = runtime_call(what, self.runtime_kernel.launch_timed, handles, push, size, local,
                                       ranges=ranges)
            else:
                runtime_call(what, self.runtime_kernel.launch, handles, push, size, local,
                             wait=wait, ranges=ranges, timeout=timeout)
            traps.watch(self.device, self.compiled_interface, trap, wait)
            for buffer, array, written in staged:
                if written:
                    buffer.copy_to(array.reshape(-1))
        finally:
            for buffer, _, _ in staged:
                buffer.free()
        return elapsed

    def _split(self, bound: Mapping[str, Any], staged: list) -> tuple[list[Buffer], bytes]:
        """The kernel's buffers in binding order (arrays uploaded to temporary Buffers,
        recorded in `staged`) and its push-constant block."""
        buffers: list[Buffer] = []
        block = bytearray(self.interface.push_size)
        for p in self.interface.params:
            value = bound[p.name]
            if p.kind == "buffer":
                if isinstance(value, np.ndarray):
                    temp = Buffer(self.device, value.size, value.dtype, _scratch=True)
                    temp.upload(value.reshape(-1))
                    staged.append((temp, value, p.access in ("write", "readwrite")))
                    value = temp
                buffers.append(self._check_buffer(p, value))
            else:
                raw = np.array(value).astype(np.int32 if p.type == "bool" else dtype_of(p.type)).tobytes()
                assert p.offset is not None  # a scalar slot has an offset
                block[p.offset:p.offset + len(raw)] = raw
        return buffers, bytes(block)

    def _check_buffer(self, p, value: Buffer) -> Buffer:
        where = f"{self.name}.launch(): buffer parameter {p.name!r}"
        if value.device is not self.device:
            raise ValueError(f"{where}: the buffer lives on another device")
        if value.closed:
            raise ValueError(f"{where}: the buffer was freed")
        if value.size % p.vector:
            raise ValueError(vector_length_error(where, p.vector, value.size))
        align = self.device.runtime_device.limits.min_storage_buffer_offset_alignment
        if value.byte_offset % align:
            raise ValueError(f"{where}: the view starts at byte {value.byte_offset}, not a multiple of "
                             f"the device's minStorageBufferOffsetAlignment ({align} bytes = "
                             f"{max(1, align // value.dtype.itemsize)} elements of {value.dtype})")
        return value

    def _global_size(self, buffers: list[Buffer], global_size: SizeArg) -> Size3:
        return self._global_size_n(max((b.size for b in buffers), default=0), global_size)

    def _global_size_n(self, longest: int, global_size: SizeArg) -> Size3:
        """The launch's global size: as given, else the kernel's grid size, else (a 1-D
        kernel) `longest`, the largest buffer's element count (0: no buffers)."""
        if global_size is not None:
            return as_size3(global_size, "global_size")
        if self.interface.grid_size is not None:
            return self.interface.grid_size
        if self.interface.dims != 1 or not longest:
            raise TypeError(f"{self.name}.launch() needs global_size for this kernel")
        return (longest, 1, 1)

    def __repr__(self) -> str:
        return f"<Kernel {signature(self.interface)} on {self.device.name}>"


_IMMUTABLE = (tuple, int, type(None))   # size arguments the last checked sizes are kept by identity for

_PACK = {"f16": "e", "f32": "f", "f64": "d", "i8": "b", "u8": "B", "i16": "h", "u16": "H",
         "i32": "i", "u32": "I", "i64": "q", "u64": "Q", "bool": "i"}


class _FastBinder:
    """The common launch (positional whole Buffers on the kernel's device, Python
    numbers) bound without the general checks: `bind(args, device)` gives (runtime
    buffers, push-constant bytes, largest buffer's element count), or None for
    anything else, which goes through `arguments.bind_arguments` (it reports
    mistakes).

    `bind` is generated per kernel signature (straight-line code, no loops: it runs
    on every launch); for `saxpy(a: f32, x: &[f32], y: [f32])` it reads

        if len(args) != 3: return None
        a0, a1, a2 = args
        if type(a1) is not Buffer or a1.base is not None or a1.device is not device
                or (a1.dtype is not d1 and a1.dtype != d1) or not a1._open[0]: return None
        ... the same for a2 ...
        if type(a0) not in t0: return None
        return (a1.runtime_buffer, a2.runtime_buffer), pack(a0), max(a1.size, a2.size)
    """

    def __init__(self, interface: KernelInterface):
        params = interface.params
        scalars = sorted((p.offset or 0, i, p.type)  # (a scalar slot has an offset)
                         for i, p in enumerate(params) if p.kind == "scalar")
        fmt, at = "<", 0
        for offset, _, type_name in scalars:
            fmt += "x" * (offset - at) + _PACK[type_name]
            at = offset + struct.calcsize("<" + _PACK[type_name])
        fmt += "x" * (interface.push_size - at)
        self.struct = struct.Struct(fmt)
        names = {"Buffer": Buffer, "pack": self.struct.pack, "struct_error": struct.error}
        buffers = [i for i, p in enumerate(params) if p.kind == "buffer"]
        lines = ["def bind(args, device):",
                 f"    if len(args) != {len(params)}:",
                 "        return None"]
        if params:
            lines.append(f"    {', '.join(f'a{i}' for i in range(len(params)))}, = args")
        for i in buffers:
            names[f"d{i}"] = dtype_of(params[i].type)
            lines += [f"    if type(a{i}) is not Buffer or a{i}.base is not None or a{i}.device is not device \\",
                      f"            or (a{i}.dtype is not d{i} and a{i}.dtype != d{i}) or not a{i}._open[0]:",
                      "        return None"]
        for _, i, type_name in scalars:
            names[f"t{i}"] = (bool,) if type_name == "bool" else (float, int) if type_name[0] == "f" else (int,)
            lines += [f"    if type(a{i}) not in t{i}:", "        return None"]
        handles = "".join(f"a{i}.runtime_buffer, " for i in buffers)
        longest = f"max({', '.join(f'a{i}.size' for i in buffers)})" if len(buffers) > 1 else \
            f"a{buffers[0]}.size" if buffers else "0"
        lines += ["    try:",
                  f"        return ({handles}), pack({', '.join(f'a{i}' for _, i, _ in scalars)}), {longest}",
                  "    except (struct_error, OverflowError):",
                  "        return None"]
        exec("\n".join(lines), names)     # our own source, generated from the interface
        self.bind: Callable[[Sequence[Any], Any], Optional[tuple[tuple, bytes, int]]] = \
            names["bind"]  # type: ignore[assignment]  # the function exec just defined
