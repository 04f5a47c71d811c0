"""The rt_vk_* C ABI: C-callable function pointers over the runtime's object layer.

`TABLE` maps each function name to an `FfiFunction` (name, parameter and return type
strings of abi.TYPES, the C signature, and `address`, a C function pointer valid for
the life of the process), bound from the specs in abi.py. Native host glue calls the addresses;
Python callers use ctypes with the same prototypes.

Conventions: status codes are `Status` values (0 success, negative failure);
functions returning a handle return 0 on failure. Handles come from one counter shared
by devices, buffers and kernels; a handle of another kind is invalid (-2). No Python
exception crosses the boundary: a failure is logged (logger simple_vkbackend.runtime)
and stored as the calling thread's last error (`rt_vk_last_error`, `rt_vk_last_status`).
"""
from __future__ import annotations

import ctypes
import itertools
import logging
import os
import threading
import types
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Protocol

from . import abi
from .buffer import Buffer
from .device import Device
from .errors import InvalidHandleError, InvalidParameterError, RuntimeFailure, Status
from .instance import list_devices, unavailable_reason
from .kernel import Kernel

log = logging.getLogger("simple_vkbackend.runtime")

CTYPES = {name: getattr(ctypes, t.ctypes) for name, t in abi.TYPES.items() if t.ctypes}
MAX_LAUNCH_BUFFERS = 1 << 16
MAX_SPIRV_BYTES = 1 << 28          # rt_vk_kernel_compile refuses larger modules (256 MiB)


@dataclass(frozen=True)
class FfiFunction:
    """One rt_vk_* function: its types, C signature and C-callable address."""

    name: str
    params: tuple[str, ...]
    ret: str
    c_signature: str
    address: int


# -- handle registry (the only global mutable state besides per-thread errors) ------

class Handled(Protocol):
    """What the registry holds: an object that names its kind ("buffer", "kernel", ...)."""

    kind: str


class Registry:
    """Handles -> objects, from one counter for every kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[int, Handled] = {}
        self._next = itertools.count(1)

    def add(self, obj) -> int:
        with self._lock:
            handle = next(self._next)
            self._objects[handle] = obj
        return handle

    def get(self, handle: int, cls: type[Handled]):
        obj = self._objects.get(handle)     # a single dict read is atomic; writers lock
        if obj.__class__ is cls:
            return obj
        return self._checked(handle, obj, cls)

    def pop(self, handle: int, cls: type[Handled]):
        with self._lock:
            obj = self._objects.get(handle)
            self._checked(handle, obj, cls)
            del self._objects[handle]
        return obj

    @staticmethod
    def _checked(handle: int, obj, cls: type[Handled]):
        if obj is None:
            raise InvalidHandleError(f"{cls.kind} handle {handle} does not exist (never made or freed)")
        if not isinstance(obj, cls):
            raise InvalidHandleError(f"handle {handle} is a {obj.kind}, not a {cls.kind}")
        return obj

    def drop_children(self, device: Device) -> None:
        """Forget the handles of a device's buffers and kernels (the device frees them)."""
        with self._lock:
            for handle in [h for h, o in self._objects.items() if getattr(o, "device", None) is device]:
                del self._objects[handle]

    def live(self) -> dict[str, int]:
        """Number of live handles per kind."""
        with self._lock:
            counts: dict[str, int] = {}
            for obj in self._objects.values():
                counts[obj.kind] = counts.get(obj.kind, 0) + 1
        return counts


REGISTRY = Registry()
_errors = threading.local()


def _after_fork_in_child() -> None:
    REGISTRY._lock = threading.Lock()   # a parent thread may have held it at fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def register_device(device: Device) -> int:
    """A table handle for a Device made in Python, so native code (the host glue) can
    use it; `rt_vk_device_free(handle)` forgets it and frees the device."""
    return REGISTRY.add(device)



def last_error() -> tuple[int, str]:
    """(status, message) of the calling thread's last failure; (0, "") if none."""
    return getattr(_errors, "code", 0), getattr(_errors, "message", "")


def _fail(name: str, code: int, message: str) -> None:
    _errors.code, _errors.message = int(code), f"{name}: {message}"
    level = logging.WARNING if code in (Status.EXECUTION_FAILED, Status.ALLOCATION_FAILED) else logging.INFO
    log.log(level, "%s failed (%d): %s", name, code, message)


def take_interrupt() -> BaseException | None:
    """The KeyboardInterrupt/SystemExit a table call on this thread caught (and
    forgets it), or None."""
    exc = getattr(_errors, "interrupt", None)
    _errors.interrupt = None
    return exc


def raise_pending_interrupt() -> None:
    """Re-raise, at the Python level, an interrupt a table call on this thread caught.
    Python code that calls into native code using the table calls this once the
    native code returned (simple_vkbackend.vulkan.table does, after every call)."""
    exc = take_interrupt()
    if exc is not None:
        raise exc


def _guard(name: str, impl, on_error: int | None):
    """Wrap impl so that any exception becomes `on_error` (status or 0 handle).

    Only `Exception`s are failures. A KeyboardInterrupt or SystemExit raised inside
    (Ctrl-C during a wait) cannot cross the C boundary either (ctypes would print it
    and return garbage): the call fails with EXECUTION_FAILED and the message
    "interrupted (KeyboardInterrupt)", and the exception is kept for the thread, so
    that the Python code that called into native code re-raises it when that returns
    (`raise_pending_interrupt`)."""
    def call(*args):
        try:
            return impl(*args)
        except RuntimeFailure as exc:
            _fail(name, exc.code, str(exc))
            return exc.code if on_error is None else on_error
        except Exception as exc:  # noqa: BLE001 - nothing may cross the C boundary
            _fail(name, Status.EXECUTION_FAILED, f"internal error: {exc!r}")
            return int(Status.EXECUTION_FAILED) if on_error is None else on_error
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, SystemExit: report, keep
            _fail(name, Status.EXECUTION_FAILED, f"interrupted ({type(exc).__name__})")
            _errors.interrupt = exc
            return int(Status.EXECUTION_FAILED) if on_error is None else on_error
    call.__name__ = name
    return call


# -- argument helpers ----------------------------------------------------------------

def _need(ptr, what: str) -> int:
    if not ptr:
        raise InvalidParameterError(f"{what} is a null pointer")
    return ptr


def _buffers(ptr, count: int) -> tuple:
    if count == 0:
        return ()
    if count > MAX_LAUNCH_BUFFERS:
        raise InvalidParameterError(f"{count} buffers")
    handles = (ctypes.c_uint64 * count).from_address(_need(ptr, "buffer handle array"))
    get = REGISTRY.get
    return tuple([get(h, Buffer) for h in handles])


def _push(kernel: Kernel, ptr, size: int) -> bytes:
    """The push-constant bytes; the size is checked before anything is read."""
    if size > kernel.push_constant_size:
        raise InvalidParameterError(f"{size} push-constant bytes given; the kernel takes "
                                    f"{kernel.push_constant_size}")
    return ctypes.string_at(_need(ptr, "push-constant data"), size) if size else b""


# -- the functions -------------------------------------------------------------------

def rt_vk_available() -> int:
    reason = unavailable_reason()
    if reason:
        _fail("rt_vk_available", Status.NOT_AVAILABLE, reason)
    return 0 if reason else 1


def rt_vk_device_count() -> int:
    return len(list_devices())


def rt_vk_device_create() -> int:
    return REGISTRY.add(Device())


def rt_vk_device_create_index(index: int) -> int:
    count = len(list_devices())
    if not 0 <= index < count:
        raise InvalidParameterError(f"device index {index} out of range (0..{count - 1})")
    return REGISTRY.add(Device(index))


def rt_vk_device_free(dev: int) -> int:
    device = REGISTRY.pop(dev, Device)
    REGISTRY.drop_children(device)
    device.free()
    return 0


def rt_vk_device_sync(dev: int) -> int:
    REGISTRY.get(dev, Device).sync()
    return 0


def rt_vk_device_limits(dev: int, out, count: int) -> int:
    values = REGISTRY.get(dev, Device).limits.as_abi()
    if count == 0:
        raise InvalidParameterError("count is 0")
    n = min(count, len(values))
    ctypes.memmove(_need(out, "out"), (ctypes.c_uint32 * n)(*values[:n]), 4 * n)
    return 0


def rt_vk_buffer_alloc(dev: int, size: int) -> int:
    buf = REGISTRY.get(dev, Device).alloc(size, reuse=True)
    return REGISTRY.add(buf)


def rt_vk_buffer_free(buf: int) -> int:
    """The handle is gone at once; the buffer is kept by its device for the next
    rt_vk_buffer_alloc of its size (host glue allocates the same sizes every call)."""
    buffer = REGISTRY.pop(buf, Buffer)
    buffer.device.recycle(buffer)
    return 0


def rt_vk_buffer_upload(buf: int, data, size: int) -> int:
    buffer = REGISTRY.get(buf, Buffer)
    buffer.upload_from(_need(data, "data"), size)
    return 0


def rt_vk_buffer_download(buf: int, data, size: int) -> int:
    buffer = REGISTRY.get(buf, Buffer)
    buffer.download_to(_need(data, "data"), size)
    return 0


def rt_vk_kernel_compile(dev: int, spirv, length: int) -> int:
    device = REGISTRY.get(dev, Device)
    if length > MAX_SPIRV_BYTES:
        raise InvalidParameterError(f"SPIR-V length {length} bytes exceeds the runtime's "
                                    f"limit of {MAX_SPIRV_BYTES} bytes")
    # read exactly `length` bytes as a 64-bit count (ctypes.string_at takes a C int)
    code = bytes((ctypes.c_char * length).from_address(_need(spirv, "spirv")))
    return REGISTRY.add(device.compile(code))


def rt_vk_kernel_free(k: int) -> int:
    REGISTRY.pop(k, Kernel).free()
    return 0


def rt_vk_kernel_launch(k, bufs, count, gx, gy, gz, lx, ly, lz) -> int:
    REGISTRY.get(k, Kernel).launch_wait(_buffers(bufs, count), b"", (gx, gy, gz), (lx, ly, lz))
    return 0


def rt_vk_kernel_launch_pc(k, bufs, count, push, push_size, gx, gy, gz, lx, ly, lz) -> int:
    kernel = REGISTRY.get(k, Kernel)
    kernel.launch_wait(_buffers(bufs, count), _push(kernel, push, push_size), (gx, gy, gz), (lx, ly, lz))
    return 0


def rt_vk_kernel_launch_async(k, bufs, count, push, push_size, gx, gy, gz, lx, ly, lz) -> int:
    kernel = REGISTRY.get(k, Kernel)
    kernel.launch_async(_buffers(bufs, count) if count else (),
                        _push(kernel, push, push_size) if push_size else b"", (gx, gy, gz), (lx, ly, lz))
    return 0


def rt_vk_kernel_launch_1d(k, bufs, count, n) -> int:
    kernel = REGISTRY.get(k, Kernel)
    kernel.launch_1d(_buffers(bufs, count), n)
    return 0


def _copy_string(text: str, buf, length: int) -> int:
    """Copy `text` NUL-terminated into buf[0:length] (truncated); its full length in bytes."""
    data = text.encode("utf-8", "replace")
    if buf and length > 0:
        n = min(len(data), length - 1)
        ctypes.memmove(buf, data, n)
        ctypes.memset(buf + n, 0, 1)
    return len(data)


def rt_vk_device_name(dev: int, buf, length: int) -> int:
    return _copy_string(REGISTRY.get(dev, Device).name, buf, length)


def rt_vk_last_error(buf, length: int) -> int:
    return _copy_string(getattr(_errors, "message", ""), buf, length)


def rt_vk_last_status() -> int:
    return getattr(_errors, "code", 0)


# -- the table -----------------------------------------------------------------------

def _implementations() -> dict:
    """abi name -> the function of that name above; every spec has one and vice versa."""
    defined = {name: fn for name, fn in globals().items() if name.startswith("rt_vk_") and callable(fn)}
    if set(defined) != set(abi.SPECS):
        raise ImportError(f"rt_vk_* implementations and abi.FUNCTIONS differ: "
                          f"{sorted(set(defined) ^ set(abi.SPECS))}")
    return defined


_CALLBACKS: dict[str, object] = {}     # keeps the ctypes callbacks alive for the process


def bind_table(specs: Iterable[abi.FunctionSpec],
               implementations: Mapping[str, Callable[..., Any]]) -> types.MappingProxyType:
    """name -> FfiFunction for each spec: a ctypes callback (kept alive in _CALLBACKS)
    around its guarded implementation, with its C address."""
    table = {}
    for spec in specs:
        proto = ctypes.CFUNCTYPE(CTYPES[spec.ret], *(CTYPES[k] for k in spec.param_types))
        callback = proto(_guard(spec.name, implementations[spec.name], spec.on_error))
        _CALLBACKS[spec.name] = callback
        address = ctypes.cast(callback, ctypes.c_void_p).value
        assert address  # a ctypes callback has one
        table[spec.name] = FfiFunction(spec.name, spec.param_types, spec.ret, spec.c_signature, address)
    return types.MappingProxyType(table)


def _build() -> types.MappingProxyType:
    return bind_table(abi.FUNCTIONS, _implementations())


TABLE = _build()
STATUS_CODES = {s.name: int(s) for s in Status}
LIMITS_ORDER = abi.LIMITS_ORDER
