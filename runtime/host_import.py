"""Host memory imported as device memory (VK_EXT_external_memory_host).

Where the device offers the extension, a transfer can import the host array's own
pages as device memory and let the GPU copy from or into them: no host memcpy, no
staging. The imported range is the array's byte range widened to
minImportedHostPointerAlignment on both ends (whole pages of the process, so always
valid memory); only the array's bytes are copied. Imports are kept for reuse by the
device's registration cache (host_registry); transfer.py decides when to import.
SIMPLE_VK_HOST_IMPORT=0 turns it off (staging then serves every transfer, as on
devices without the extension).
"""
from __future__ import annotations

import os

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import AllocationError
from .host_registry import HostRegistry

EXTENSION = "VK_EXT_external_memory_host"


def wanted(extensions) -> bool:
    """Whether a device with `extensions` gets the extension enabled."""
    return EXTENSION in extensions and os.environ.get("SIMPLE_VK_HOST_IMPORT", "1").strip() not in (
        "0", "false", "no", "off")


def setup(ctx: DeviceContext) -> None:
    """Record the import alignment and entry point in ctx.extra, and make the device's
    registration cache (device creation, with the extension enabled)."""
    vk, ffi = ctx.vk, ctx.ffi
    props = ffi.new("VkPhysicalDeviceExternalMemoryHostPropertiesEXT*", {
        "sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT})
    props2 = ffi.new("VkPhysicalDeviceProperties2*", {
        "sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, "pNext": props})
    vk.lib.vkGetPhysicalDeviceProperties2(ctx.physical.handle, props2)
    ptr = ctx.lib.vkGetDeviceProcAddr(ctx.handle, b"vkGetMemoryHostPointerPropertiesEXT")
    if ptr == ffi.NULL or not props.minImportedHostPointerAlignment:
        return
    ctx.extra["host_import"] = (int(props.minImportedHostPointerAlignment),
                                ffi.cast("PFN_vkGetMemoryHostPointerPropertiesEXT", ptr))
    ctx.extra["host_registry"] = HostRegistry(ctx, lambda address, size: ImportedRange(ctx, address, size))


def available(ctx: DeviceContext) -> bool:
    """Whether the device imports host memory."""
    return "host_registry" in ctx.extra


def registry(ctx: DeviceContext) -> HostRegistry:
    """The device's registration cache (asked of a device that imports)."""
    return ctx.extra["host_registry"]


class ImportedRange:
    """Host bytes [address, address + size) as a VkBuffer of `length` bytes (whole
    alignment units); `offset` is where they start in it. Raises RuntimeFailure when
    the driver refuses the import."""

    def __init__(self, ctx: DeviceContext, address: int, size: int) -> None:
        self.ctx = ctx
        self.handle = self.memory = None
        align, props_fn = ctx.extra["host_import"]
        base = address - address % align
        end = -(-(address + size) // align) * align
        self.offset, self.length = address - base, end - base
        length = self.length
        try:
            self._create(base, length, props_fn)
        except BaseException:
            self.destroy()
            raise

    def _create(self, base: int, length: int, props_fn) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        handle_type = vk.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT
        pointer = ffi.cast("void*", base)
        host = ffi.new("VkMemoryHostPointerPropertiesEXT*", {
            "sType": vk.VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT})
        vkapi.check(props_fn(ctx.handle, handle_type, pointer, host), "vkGetMemoryHostPointerPropertiesEXT")
        external = ffi.new("VkExternalMemoryBufferCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO, "handleTypes": handle_type})
        info = ffi.new("VkBufferCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, "pNext": external, "size": length,
            "usage": vk.VK_BUFFER_USAGE_TRANSFER_SRC_BIT | vk.VK_BUFFER_USAGE_TRANSFER_DST_BIT,
            "sharingMode": vk.VK_SHARING_MODE_EXCLUSIVE})
        out = ffi.new("VkBuffer*")
        vkapi.check(ctx.lib.vkCreateBuffer(ctx.handle, info, ffi.NULL, out), "vkCreateBuffer(import)")
        self.handle = tracking.created("VkBuffer", out[0])
        req = ffi.new("VkMemoryRequirements*")
        ctx.lib.vkGetBufferMemoryRequirements(ctx.handle, self.handle, req)
        bits = req.memoryTypeBits & host.memoryTypeBits
        if not bits or req.size > length:
            raise AllocationError("no memory type can import these host pages")
        index = (bits & -bits).bit_length() - 1
        imported = ffi.new("VkImportMemoryHostPointerInfoEXT*", {
            "sType": vk.VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT, "handleType": handle_type,
            "pHostPointer": pointer})
        alloc = ffi.new("VkMemoryAllocateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, "pNext": imported,
            "allocationSize": length, "memoryTypeIndex": index})
        mem = ffi.new("VkDeviceMemory*")
        vkapi.check(ctx.lib.vkAllocateMemory(ctx.handle, alloc, ffi.NULL, mem), "vkAllocateMemory(import)")
        self.memory = tracking.created("VkDeviceMemory", mem[0])
        vkapi.check(ctx.lib.vkBindBufferMemory(ctx.handle, self.handle, self.memory, 0),
                    "vkBindBufferMemory(import)")

    def destroy(self) -> None:
        ctx, ffi = self.ctx, self.ctx.ffi
        if self.handle is not None:
            tracking.destroy("VkBuffer", self.handle, lambda h: ctx.lib.vkDestroyBuffer(ctx.handle, h, ffi.NULL))
            self.handle = None
        if self.memory is not None:
            tracking.destroy("VkDeviceMemory", self.memory,
                             lambda h: ctx.lib.vkFreeMemory(ctx.handle, h, ffi.NULL))
            self.memory = None
