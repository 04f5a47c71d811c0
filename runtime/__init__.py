"""Vulkan runtime: devices, buffers, pipelines, launches, and the rt_vk_* FFI table.

Imports nothing else of the project. Importing it does not start Vulkan: the instance
is created on first use (`is_available()`, `list_devices()`, `Device()`).

    from simple_vkbackend.runtime import Device
    with Device() as dev:
        buf = dev.alloc(4096)
        kernel = dev.compile(spirv_bytes)
        kernel.launch([buf], push=b"...", global_size=(1024, 1, 1))
        data = buf.download()

The C-ABI table for native host glue lives in `simple_vkbackend.runtime.ffi.TABLE`,
bound from its pure-data description `simple_vkbackend.runtime.abi`.
"""
from .buffer import Buffer
from .device import Device
from .errors import (
    AllocationError, BufferTooSmallError, CompilationError, ExecutionError,
    InvalidHandleError, InvalidParameterError, NotAvailableError, RuntimeFailure, Status,
)
from .instance import DeviceInfo, DeviceLimits, is_available, list_devices, unavailable_reason
from .kernel import Kernel
from .reflect import ModuleInfo, reflect
from .tracking import live_objects, live_total
from .validation import validation_message_count

__all__ = [
    "AllocationError", "Buffer", "BufferTooSmallError", "CompilationError", "Device",
    "DeviceInfo", "DeviceLimits", "ExecutionError", "InvalidHandleError",
    "InvalidParameterError", "Kernel", "ModuleInfo", "NotAvailableError", "RuntimeFailure",
    "Status", "is_available", "list_devices", "live_objects", "live_total", "reflect",
    "unavailable_reason", "validation_message_count",
]
