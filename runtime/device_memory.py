"""Memory types, raw buffers (VkBuffer + VkDeviceMemory + optional mapping), staging.

Device buffers live in device-local memory. Where a device-local type is also host
visible and coherent (lavapipe, integrated GPUs; discrete GPUs only if it is also host
cached, since reading uncached BAR memory is slow), buffers are mapped persistently.
Staging buffers (pooled here) and the memcpy split over threads serve transfer.py,
which decides how each transfer runs.
"""
from __future__ import annotations

import concurrent.futures
import ctypes
import os
import threading

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import AllocationError, InvalidParameterError

STAGING_CHUNK = 8 << 20      # largest staging buffer; bigger transfers are chunked
STAGING_KEEP = 4             # idle staging buffers kept for reuse (the pipeline's ring)
PARALLEL_BYTES = 2 << 20     # memcpy of at least this much is split over threads
THREADS_ENV = "SIMPLE_VK_COPY_THREADS"


def find_memory_type(ctx: DeviceContext, type_bits: int, want: int) -> int | None:
    """Index of the first memory type allowed by `type_bits` having all `want` flags."""
    mem = ctx.physical.memory
    for i in range(mem.memoryTypeCount):
        if type_bits & (1 << i) and (mem.memoryTypes[i].propertyFlags & want) == want:
            return i
    return None


def direct_type(ctx: DeviceContext, type_bits: int) -> int | None:
    """A device-local, host-visible, coherent type suitable for direct mapping, if any."""
    vk = ctx.vk
    want = (vk.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | vk.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
            | vk.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
    if ctx.physical.info.type == "discrete":
        want |= vk.VK_MEMORY_PROPERTY_HOST_CACHED_BIT
    return find_memory_type(ctx, type_bits, want)


def heap_size(ctx: DeviceContext, type_index: int) -> int:
    mem = ctx.physical.memory
    return mem.memoryHeaps[mem.memoryTypes[type_index].heapIndex].size


class RawBuffer:
    """A VkBuffer bound to its own VkDeviceMemory, mapped when host visible."""

    def __init__(self, ctx: DeviceContext, size: int, usage: int, kind: str) -> None:
        """kind: "device" (device-local, direct-mapped where allowed), "staging", "device-unmapped"."""
        self.ctx, self.size = ctx, size
        self.handle = self.memory = None
        self.address: int | None = None
        try:
            self._create(usage, kind)
        except BaseException:
            self.destroy()
            raise

    @property
    def host_address(self) -> int:
        """The address it is mapped at (asked of a mapped buffer only)."""
        if self.address is None:
            raise InvalidParameterError("internal: the buffer is not mapped")
        return self.address

    def _create(self, usage: int, kind: str) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        info = ffi.new("VkBufferCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, "size": self.size, "usage": usage,
            "sharingMode": vk.VK_SHARING_MODE_EXCLUSIVE})
        out = ffi.new("VkBuffer*")
        vkapi.check(ctx.lib.vkCreateBuffer(ctx.handle, info, ffi.NULL, out), "vkCreateBuffer", AllocationError)
        self.handle = tracking.created("VkBuffer", out[0])
        req = ffi.new("VkMemoryRequirements*")
        ctx.lib.vkGetBufferMemoryRequirements(ctx.handle, self.handle, req)
        type_index, mapped = self._choose_type(req.memoryTypeBits, kind)
        if req.size > heap_size(ctx, type_index):
            raise AllocationError(f"{self.size} bytes exceed the memory heap "
                                  f"({heap_size(ctx, type_index)} bytes)")
        self._allocate(req.size, type_index)
        vkapi.check(ctx.lib.vkBindBufferMemory(ctx.handle, self.handle, self.memory, 0),
                    "vkBindBufferMemory", AllocationError)
        if mapped:
            self.address = self._map(req.size)

    def _choose_type(self, bits: int, kind: str) -> tuple[int, bool]:
        vk = self.ctx.vk
        if kind == "staging":
            host = vk.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | vk.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
            t = find_memory_type(self.ctx, bits, host | vk.VK_MEMORY_PROPERTY_HOST_CACHED_BIT)
            t = t if t is not None else find_memory_type(self.ctx, bits, host)
            if t is None:
                raise AllocationError("no host-visible coherent memory type for staging")
            return t, True
        if kind == "device":
            t = direct_type(self.ctx, bits)
            if t is not None:
                return t, True
        t = find_memory_type(self.ctx, bits, vk.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
        t = t if t is not None else find_memory_type(self.ctx, bits, 0)
        if t is None:
            raise AllocationError("no memory type for the buffer")
        return t, False

    def _allocate(self, size: int, type_index: int) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        info = ffi.new("VkMemoryAllocateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, "allocationSize": size,
            "memoryTypeIndex": type_index})
        out = ffi.new("VkDeviceMemory*")
        vkapi.check(ctx.lib.vkAllocateMemory(ctx.handle, info, ffi.NULL, out),
                    f"vkAllocateMemory({size} bytes)", AllocationError)
        self.memory = tracking.created("VkDeviceMemory", out[0])

    def _map(self, size: int) -> int:
        ffi = self.ctx.ffi
        out = ffi.new("void**")
        vkapi.check(self.ctx.lib.vkMapMemory(self.ctx.handle, self.memory, 0, size, 0, out),
                    "vkMapMemory", AllocationError)
        return int(ffi.cast("uintptr_t", out[0]))

    def destroy(self) -> None:
        """Release the buffer and its memory (idempotent)."""
        ctx, ffi = self.ctx, self.ctx.ffi
        if self.handle is not None:
            tracking.destroy("VkBuffer", self.handle,
                             lambda h: ctx.lib.vkDestroyBuffer(ctx.handle, h, ffi.NULL))
            self.handle = None
        if self.memory is not None:
            # vkFreeMemory unmaps implicitly.
            tracking.destroy("VkDeviceMemory", self.memory,
                             lambda h: ctx.lib.vkFreeMemory(ctx.handle, h, ffi.NULL))
            self.memory = None
            self.address = None


def memmove(dst: int, src: int, size: int) -> None:
    """Copy `size` bytes between raw addresses."""
    if size:
        ctypes.memmove(dst, src, size)


_copiers: concurrent.futures.ThreadPoolExecutor | None = None
_copier_count = 0
_copiers_lock = threading.Lock()


def copy_threads() -> int:
    """Threads of a large memcpy: SIMPLE_VK_COPY_THREADS, else min(4, CPU count)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if text:
        try:
            return max(1, int(text))
        except ValueError:
            raise InvalidParameterError(f"{THREADS_ENV}={text!r} is not a number of threads") from None
    return max(1, min(4, os.cpu_count() or 1))


def copy_memory(dst: int, src: int, size: int) -> None:
    """memmove, split over copy_threads() threads when large (ctypes releases the GIL
    during each piece; the calling thread copies the last piece itself)."""
    threads = copy_threads() if size >= PARALLEL_BYTES else 1
    if threads == 1:
        memmove(dst, src, size)
        return
    global _copiers, _copier_count
    with _copiers_lock:
        if _copiers is None or _copier_count < threads - 1:
            if _copiers is not None:
                _copiers.shutdown(wait=False)
            _copiers = concurrent.futures.ThreadPoolExecutor(threads - 1, thread_name_prefix="simple-vk-copy")
            _copier_count = threads - 1
        pool = _copiers
    piece = ((size + threads - 1) // threads + 63) // 64 * 64
    starts = range(0, size, piece)
    futures = [pool.submit(memmove, dst + at, src + at, min(piece, size - at)) for at in starts[:-1]]
    try:
        last = starts[-1]
        memmove(dst + last, src + last, size - last)
    finally:
        for f in futures:
            f.result()


def _forget_copiers() -> None:
    """After fork: the pool's threads did not survive; a new pool is made on demand."""
    global _copiers, _copiers_lock
    _copiers, _copiers_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_copiers)


class StagingPool:
    """Reusable host-visible buffers for transfers to and from unmapped device memory.

    A staging buffer is `acquire`d for one chunk and `release`d with the serial of the
    last submission that reads or writes it; it is reused only once that is complete.
    Buffers are STAGING_CHUNK bytes, and STAGING_KEEP stay idle: a persistent ring
    that small transfers and the chunks of large ones cycle through, oldest first.
    """

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._idle: list[tuple[int, RawBuffer]] = []    # (busy-until serial, buffer)

    def acquire(self, size: int) -> RawBuffer:
        size = min(max(size, 1), STAGING_CHUNK)
        with self._lock:
            for i, (serial, buf) in enumerate(self._idle):  # noqa: B007 - serial is used after the break
                if buf.size >= size:
                    del self._idle[i]
                    break
            else:
                serial, buf = 0, None
        if buf is None:
            vk = self.ctx.vk
            usage = vk.VK_BUFFER_USAGE_TRANSFER_SRC_BIT | vk.VK_BUFFER_USAGE_TRANSFER_DST_BIT
            return RawBuffer(self.ctx, STAGING_CHUNK, usage, "staging")   # one size: any chunk fits any
        self.ctx.submitter.wait(serial)
        return buf

    def release(self, buf: RawBuffer, serial: int) -> None:
        with self._lock:
            self._idle.append((serial, buf))
            extra = []
            while len(self._idle) > STAGING_KEEP:      # keep the largest (oldest first among equals)
                smallest = min(range(len(self._idle)), key=lambda i: self._idle[i][1].size)
                extra.append(self._idle.pop(smallest))
        for s, b in extra:
            self.ctx.submitter.wait(s)
            b.destroy()

    def trim(self) -> None:
        """Destroy the idle buffers once the work that used them is complete."""
        with self._lock:
            idle, self._idle = self._idle, []
        for serial, buf in idle:
            self.ctx.submitter.wait(serial)
            buf.destroy()

    def destroy(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, buf in idle:
            buf.destroy()


def check_size(ctx: DeviceContext, size: int) -> None:
    """Refuse sizes a storage buffer cannot have on this device."""
    if size <= 0:
        raise InvalidParameterError(f"buffer size must be positive (got {size})")
    limit = ctx.limits.max_storage_buffer_range
    if size > limit:
        raise InvalidParameterError(
            f"buffer size {size} exceeds the device's maxStorageBufferRange ({limit} bytes)")
