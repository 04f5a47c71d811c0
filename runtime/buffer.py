"""Device storage buffers with host transfers.

Transfers copy bytes [0, size) between host memory and the buffer: straight memcpy into
a persistent mapping where the memory is host visible, otherwise through staging buffers
in chunks. Each waits first for the GPU work that last used the buffer.
"""
from __future__ import annotations

import weakref

import collections

from . import device_memory, host_import
from .device_context import DeviceContext
from .errors import BufferTooSmallError, InvalidParameterError, RuntimeFailure
from .resource import Resource, release_all
from .submit import barrier


def host_address(obj, writable: bool, ffi) -> tuple[int, int, object]:
    """(address, size in bytes, keepalive) of a contiguous buffer-protocol object."""
    try:
        view = ffi.from_buffer(obj, require_writable=writable)
    except (TypeError, ValueError, BufferError) as exc:
        need = "writable contiguous" if writable else "contiguous"
        raise InvalidParameterError(f"expected a {need} buffer-protocol object: {exc}") from None
    return int(ffi.cast("uintptr_t", view)), len(view), view


class Buffer(Resource):
    """A device-local storage buffer of `size` bytes on `device`."""

    kind = "buffer"

    def __init__(self, device, ctx: DeviceContext, size: int, staged: bool = False) -> None:
        super().__init__()
        device_memory.check_size(ctx, size)
        self.device, self.ctx, self.size = device, ctx, size
        vk = ctx.vk
        usage = (vk.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | vk.VK_BUFFER_USAGE_TRANSFER_SRC_BIT
                 | vk.VK_BUFFER_USAGE_TRANSFER_DST_BIT)
        self.raw = device_memory.RawBuffer(ctx, size, usage, "device-unmapped" if staged else "device")
        self.last_serial = 0            # last submission that used the buffer
        self.users: weakref.WeakSet = weakref.WeakSet()  # kernels whose caches may refer to this buffer

    @property
    def handle(self):
        return self.raw.handle

    @property
    def mapped(self) -> bool:
        """True when transfers are direct memcpy (no staging)."""
        return self.raw.address is not None

    # -- Python-level transfers -----------------------------------------------------

    def upload(self, data, size: int | None = None) -> None:
        """Copy bytes of a buffer-protocol object (bytes, bytearray, numpy array, ...) in."""
        addr, length, keep = host_address(data, False, self.ctx.ffi)
        self.upload_from(addr, length if size is None else size, source_size=length)
        del keep

    def download(self, out=None, size: int | None = None):
        """Copy bytes out into `out` (writable buffer) or a new bytearray, which is returned."""
        if out is None:
            out = bytearray(self.size if size is None else size)
        addr, length, keep = host_address(out, True, self.ctx.ffi)
        self.download_to(addr, length if size is None else size, dest_size=length)
        del keep
        return out

    # -- raw transfers (addresses) ---------------------------------------------------

    def upload_from(self, address: int, size: int, source_size: int | None = None,
                    offset: int = 0) -> None:
        """Copy `size` bytes from host `address` into the buffer at byte `offset`."""
        self._check(address, size, source_size, offset)
        if size == 0:
            return
        with self.pinned():
            if self.mapped:
                self.ctx.submitter.wait(self.last_serial)
                device_memory.memmove(self.raw.host_address + offset, address, size)
            elif not self._imported_copy(address, size, offset, upload=True):
                self._staged_upload(address, size, offset)

    def download_to(self, address: int, size: int, dest_size: int | None = None,
                    offset: int = 0) -> None:
        """Copy `size` bytes from the buffer at byte `offset` to host `address`."""
        self._check(address, size, dest_size, offset)
        if size == 0:
            return
        with self.pinned():
            self.ctx.submitter.wait(self.last_serial)
            self.ctx.submitter.raise_deferred()
            if self.mapped:
                device_memory.memmove(address, self.raw.host_address + offset, size)
            elif not self._imported_copy(address, size, offset, upload=False):
                self._staged_download(address, size, offset)

    def _check(self, address: int, size: int, host_size: int | None, offset: int = 0) -> None:
        if not address:
            raise InvalidParameterError("null host pointer")
        if size < 0 or offset < 0:
            raise InvalidParameterError(f"negative transfer size {size} or offset {offset}")
        if offset + size > self.size:
            raise BufferTooSmallError(f"transfer of {size} bytes at offset {offset} into a buffer "
                                      f"of {self.size} bytes")
        if host_size is not None and size > host_size:
            raise BufferTooSmallError(f"transfer of {size} bytes but the host buffer has {host_size}")

    def _staged_upload(self, address: int, size: int, base: int = 0) -> None:
        sub, pool = self.ctx.submitter, self.ctx.staging
        for offset in range(0, size, device_memory.STAGING_CHUNK):
            n = min(device_memory.STAGING_CHUNK, size - offset)
            stage = pool.acquire(n)
            try:
                device_memory.memmove(stage.host_address, address + offset, n)
                serial = sub.run(self._record_copy, stage.handle, self.raw.handle, base + offset, n, True,
                                 users=(self,))
            except BaseException:
                pool.release(stage, sub.last_submitted)
                raise
            pool.release(stage, serial)

    def _staged_download(self, address: int, size: int, base: int = 0) -> None:
        """Chunks copied into staging buffers; the memcpy out of one chunk overlaps the
        GPU copy of the next (two chunks in flight)."""
        sub, pool = self.ctx.submitter, self.ctx.staging
        inflight: collections.deque = collections.deque()
        try:
            for offset in range(0, size, device_memory.STAGING_CHUNK):
                n = min(device_memory.STAGING_CHUNK, size - offset)
                stage = pool.acquire(n)
                try:
                    serial = sub.run(self._record_copy, self.raw.handle, stage.handle, base + offset, n, False,
                                     users=(self,))
                except BaseException:
                    pool.release(stage, sub.last_submitted)
                    raise
                inflight.append((offset, n, stage, serial))
                if len(inflight) > 1:
                    self._drain(address, inflight.popleft())
            while inflight:
                self._drain(address, inflight.popleft())
        finally:
            for _, _, stage, serial in inflight:
                pool.release(stage, serial)

    def _drain(self, address: int, chunk) -> None:
        offset, n, stage, serial = chunk
        try:
            self.ctx.submitter.wait(serial)
            device_memory.memmove(address + offset, stage.address, n)
        finally:
            self.ctx.staging.release(stage, serial)

    def _imported_copy(self, address: int, size: int, offset: int, upload: bool) -> bool:
        """Copy between the host bytes themselves (imported, VK_EXT_external_memory_host)
        and the buffer at `offset`, waiting for the copy; False when the device cannot
        import them (the caller then stages)."""
        if not host_import.usable(self.ctx, size):
            return False
        try:
            imported = host_import.ImportedRange(self.ctx, address, size)
        except RuntimeFailure:
            return False
        sub, serial = self.ctx.submitter, 0
        try:
            src, dst = (imported.handle, self.raw.handle) if upload else (self.raw.handle, imported.handle)
            src_off, dst_off = (imported.offset, offset) if upload else (offset, imported.offset)
            serial = sub.run(record_copy, self.ctx, src, dst, src_off, dst_off, size, users=(self,))
            sub.wait(serial)
        finally:
            if serial:
                sub.wait(serial)        # the pages are released only once the GPU is done with them
            imported.destroy()
        return True

    def _record_copy(self, cmd, src, dst, offset: int, n: int, upload: bool) -> None:
        """Copy between staging (offset 0) and this buffer (at offset), with barriers."""
        ctx, vk = self.ctx, self.ctx.vk
        region = ctx.ffi.new("VkBufferCopy*", {
            "srcOffset": 0 if upload else offset, "dstOffset": offset if upload else 0, "size": n})
        transfer, compute = vk.VK_PIPELINE_STAGE_TRANSFER_BIT, vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
        shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
        barrier(ctx, cmd, compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
                transfer, vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT)
        ctx.fns.CmdCopyBuffer(cmd, src, dst, 1, region)
        barrier(ctx, cmd, transfer, vk.VK_ACCESS_TRANSFER_WRITE_BIT,
                compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_HOST_READ_BIT)

    # -- device-side copies ------------------------------------------------------------

    def copy_to_buffer(self, dst: "Buffer", size: int, src_offset: int = 0, dst_offset: int = 0,
                       wait: bool = True) -> int:
        """Copy `size` bytes from this buffer at `src_offset` into `dst` at `dst_offset`
        on the GPU (after the work already submitted on either). Returns the serial."""
        if getattr(dst, "device", None) is not self.device:
            raise InvalidParameterError("the destination buffer belongs to another device")
        for buf, off in ((self, src_offset), (dst, dst_offset)):
            if off < 0 or size < 0 or off + size > buf.size:
                raise BufferTooSmallError(f"copy of {size} bytes at offset {off} in a buffer of {buf.size} bytes")
        if dst is self and abs(src_offset - dst_offset) < size:
            raise InvalidParameterError("overlapping copy inside one buffer")
        if size == 0:
            return 0
        with self.pinned(), dst.pinned():
            sub = self.ctx.submitter
            serial = (sub.run if wait else sub.record)(self._record_transfer, "copy", dst.raw.handle,
                                                       src_offset, dst_offset, size, users=(self, dst))
        if wait:
            self.ctx.submitter.wait(serial)
        return serial

    def fill_u32(self, pattern: int, offset: int = 0, size: int | None = None, wait: bool = True) -> int:
        """Fill `size` bytes at `offset` (both multiples of 4) with a 32-bit pattern on the GPU."""
        size = self.size - offset if size is None else size
        if offset % 4 or size % 4 or offset < 0 or size < 0 or offset + size > self.size:
            raise InvalidParameterError(f"fill of {size} bytes at offset {offset}: both must be multiples "
                                        f"of 4 inside the buffer of {self.size} bytes")
        if size == 0:
            return 0
        with self.pinned():
            sub = self.ctx.submitter
            serial = (sub.run if wait else sub.record)(self._record_transfer, "fill", pattern & 0xFFFFFFFF,
                                                       offset, 0, size, users=(self,))
        if wait:
            self.ctx.submitter.wait(serial)
        return serial

    def _record_transfer(self, cmd, what: str, arg, offset: int, dst_offset: int, n: int) -> None:
        """A copy into buffer `arg` or a fill with pattern `arg`, between barriers."""
        if what == "copy":
            record_copy(cmd, self.ctx, self.raw.handle, arg, offset, dst_offset, n)
            return
        ctx, vk = self.ctx, self.ctx.vk
        transfer, compute = vk.VK_PIPELINE_STAGE_TRANSFER_BIT, vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
        shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
        barrier(ctx, cmd, compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
                transfer, vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT)
        ctx.lib.vkCmdFillBuffer(cmd, self.raw.handle, offset, n, arg)
        barrier(ctx, cmd, transfer, vk.VK_ACCESS_TRANSFER_WRITE_BIT,
                compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_HOST_READ_BIT)

    # -- lifetime -------------------------------------------------------------------

    def _release(self) -> None:
        """Wait for GPU work using the buffer, drop kernel caches that refer to it, destroy
        (every step runs even if an earlier one fails; the first failure is raised)."""
        def caches():
            for kernel in list(self.users):
                kernel.forget_buffer(self)
            self.users.clear()

        release_all(lambda: self.ctx.submitter.wait(self.last_serial), caches, self.raw.destroy,
                    lambda: self.device.forget(self))

    def __repr__(self) -> str:
        state = "" if self.alive else ", freed"
        return f"<Buffer {self.size} bytes{', mapped' if self.mapped else ''}{state}>"


def record_copy(cmd, ctx: DeviceContext, src, dst, src_offset: int, dst_offset: int, n: int) -> None:
    """vkCmdCopyBuffer between barriers: earlier writes (shader, transfer, host) before
    it, its writes visible to later shaders, transfers and host reads."""
    vk = ctx.vk
    transfer, compute = vk.VK_PIPELINE_STAGE_TRANSFER_BIT, vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
    shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
    barrier(ctx, cmd, compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
            shader_rw | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
            transfer, vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT)
    region = ctx.ffi.new("VkBufferCopy*", {"srcOffset": src_offset, "dstOffset": dst_offset, "size": n})
    ctx.fns.CmdCopyBuffer(cmd, src, dst, 1, region)
    barrier(ctx, cmd, transfer, vk.VK_ACCESS_TRANSFER_WRITE_BIT,
            compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
            shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_HOST_READ_BIT)
