"""Access to the `vulkan` cffi binding: lazy import, result checks, raw function tables.

The binding is imported on first use so that importing the runtime never fails on a
machine without a Vulkan loader; `load()` then raises NotAvailableError with the reason.
Hot paths call the driver through raw cffi function pointers (`DeviceFns`), skipping the
binding's per-call wrappers.
"""
from __future__ import annotations

import threading

from .errors import (
    INSTALL_HINT, AllocationError, ExecutionError, NotAvailableError, RuntimeFailure,
)

_lock = threading.Lock()
_module = None
_failure: str | None = None


def load():
    """The `vulkan` module; raises NotAvailableError if the loader cannot be opened."""
    global _module, _failure
    if _module is not None:
        return _module
    with _lock:
        if _module is None and _failure is None:
            try:
                import vulkan  # lazy on purpose: see the module docstring
                _module = vulkan
            except (OSError, ImportError) as exc:
                _failure = f"Vulkan loader not found ({exc}); {INSTALL_HINT}"
    if _module is None:
        raise NotAvailableError(_failure)
    return _module


def result_name(code: int) -> str:
    vk = load()
    for name in ("VK_SUCCESS", "VK_NOT_READY", "VK_TIMEOUT", "VK_INCOMPLETE",
                 "VK_ERROR_OUT_OF_HOST_MEMORY", "VK_ERROR_OUT_OF_DEVICE_MEMORY",
                 "VK_ERROR_INITIALIZATION_FAILED", "VK_ERROR_DEVICE_LOST",
                 "VK_ERROR_MEMORY_MAP_FAILED", "VK_ERROR_LAYER_NOT_PRESENT",
                 "VK_ERROR_EXTENSION_NOT_PRESENT", "VK_ERROR_FEATURE_NOT_PRESENT",
                 "VK_ERROR_INCOMPATIBLE_DRIVER", "VK_ERROR_TOO_MANY_OBJECTS",
                 "VK_ERROR_FRAGMENTED_POOL", "VK_ERROR_OUT_OF_POOL_MEMORY",
                 "VK_ERROR_INVALID_SHADER_NV", "VK_ERROR_UNKNOWN"):
        if getattr(vk, name, None) == code:
            return name
    return f"VkResult({code})"


def check(result: int, what: str, failure: type[RuntimeFailure] = ExecutionError) -> None:
    """Raise `failure` (AllocationError for out-of-memory results) unless VK_SUCCESS."""
    vk = load()
    if result == vk.VK_SUCCESS:
        return
    if result in (vk.VK_ERROR_OUT_OF_HOST_MEMORY, vk.VK_ERROR_OUT_OF_DEVICE_MEMORY,
                  vk.VK_ERROR_TOO_MANY_OBJECTS, vk.VK_ERROR_FRAGMENTED_POOL,
                  vk.VK_ERROR_OUT_OF_POOL_MEMORY):
        failure = AllocationError
    raise failure(f"{what} failed: {result_name(result)}")


def as_int(handle) -> int:
    """A Vulkan handle (cffi pointer) as an integer, for tracking and keys."""
    vk = load()
    return int(vk.ffi.cast("uintptr_t", handle))


def version_tuple(version: int) -> tuple[int, int, int]:
    vk = load()
    return (vk.VK_VERSION_MAJOR(version), vk.VK_VERSION_MINOR(version),
            vk.VK_VERSION_PATCH(version))


def make_version(major: int, minor: int, patch: int = 0) -> int:
    return load().VK_MAKE_VERSION(major, minor, patch)


class DeviceFns:
    """Device-level entry points fetched with vkGetDeviceProcAddr, called raw."""

    NAMES = (
        "vkQueueSubmit", "vkWaitSemaphores", "vkGetSemaphoreCounterValue",
        "vkAllocateCommandBuffers", "vkFreeCommandBuffers", "vkBeginCommandBuffer",
        "vkEndCommandBuffer", "vkResetCommandBuffer", "vkCmdPipelineBarrier",
        "vkCmdBindPipeline", "vkCmdBindDescriptorSets", "vkCmdPushConstants",
        "vkCmdDispatch", "vkCmdCopyBuffer", "vkAllocateDescriptorSets",
        "vkFreeDescriptorSets", "vkUpdateDescriptorSets",
    )
    # Vulkan 1.2 names that devices with only the KHR extension expose with a suffix.
    KHR_FALLBACK = {"vkWaitSemaphores", "vkGetSemaphoreCounterValue"}

    def __init__(self, device) -> None:
        vk = load()
        self.ffi = vk.ffi
        for name in self.NAMES:
            setattr(self, name[2:], self._get(vk, device, name))

    def _get(self, vk, device, name: str):
        ptr = vk.lib.vkGetDeviceProcAddr(device, name.encode())
        if ptr == vk.ffi.NULL and name in self.KHR_FALLBACK:
            ptr = vk.lib.vkGetDeviceProcAddr(device, (name + "KHR").encode())
        if ptr == vk.ffi.NULL:
            raise NotAvailableError(f"device does not provide {name}")
        return vk.ffi.cast("PFN_" + name, ptr)
