"""The rt_vk_* table called from Python through ctypes, exactly as native code
calls it, with failures turned into VulkanError carrying the runtime's message.

The Vulkan backend hands this table to the JIT-compiled host glue and reads its
statuses here. The runtime's table is loaded on first use, not on import.
"""
from __future__ import annotations

import ctypes
import functools
from typing import Any, Callable

from ..errors import VulkanError
from ..hostgen.ctypes_types import ffi_ctype

LAST_ERROR_CAPACITY = 4096


@functools.cache
def table() -> dict:
    """The runtime's table: name -> entry with params, ret, address."""
    from simple_vkbackend.runtime.ffi import TABLE
    return dict(TABLE)


@functools.cache
def function(name: str) -> Callable[..., Any]:
    """The ctypes function of table entry `name`."""
    entry = table()[name]
    proto = ctypes.CFUNCTYPE(ffi_ctype(entry.ret), *[ffi_ctype(p) for p in entry.params])
    return proto(entry.address)


def call(name: str, *args: Any) -> Any:
    """Call table entry `name`; an interrupt (Ctrl-C) the call caught is re-raised."""
    result = function(name)(*args)
    reraise_interrupt()
    return result


def reraise_interrupt() -> None:
    """Raise the KeyboardInterrupt a table call on this thread caught, if any (after
    native code such as the host glue returns)."""
    from simple_vkbackend.runtime.ffi import raise_pending_interrupt
    raise_pending_interrupt()


def last_error() -> str:
    """The runtime's message for the last failure on this thread ('' when none)."""
    buf = ctypes.create_string_buffer(LAST_ERROR_CAPACITY)
    call("rt_vk_last_error", buf, LAST_ERROR_CAPACITY)
    return buf.value.decode("utf-8", "replace")


def error(status: int, what: str) -> VulkanError:
    """The VulkanError for a failed call. Its status and message come from the same
    record, the runtime's last failure on this thread: the host glue reports a failed
    allocation or kernel compile as -3 or -4 whatever the cause, and the cause (a -2
    for a freed device, a -7 for a size over the limit) must keep its own label."""
    message = last_error() or what
    code = call("rt_vk_last_status")
    if message != what and code < 0:
        status = code
    return VulkanError(status, message if message == what else f"{what}: {message}")


def check(status: int, what: str) -> None:
    """Raise VulkanError when `status` (from an rt_vk_* call doing `what`) is negative;
    KeyboardInterrupt when the call was interrupted."""
    reraise_interrupt()
    if status < 0:
        raise error(status, what)
