"""Device storage buffers with host transfers.

Transfers copy bytes between host memory and the buffer by the path transfer.choose
picks (memcpy through a persistent mapping, a GPU copy from or into the imported host
pages, or pipelined staging). Each comes after the GPU work that last used the buffer.
"""
from __future__ import annotations

import weakref
from typing import Any

from . import device_memory, host_registry, transfer
from .device_context import DeviceContext
from .errors import BufferTooSmallError, InvalidParameterError
from .resource import Resource, release_all
from .submit import barrier
from .transfer import record_copy


def host_address(obj, writable: bool, ffi) -> tuple[int, int, object]:
    """(address, size in bytes, keepalive) of a contiguous buffer-protocol object."""
    try:
        view = ffi.from_buffer(obj, require_writable=writable)
    except (TypeError, ValueError, BufferError) as exc:
        need = "writable contiguous" if writable else "contiguous"
        raise InvalidParameterError(f"expected a {need} buffer-protocol object: {exc}") from None
    return int(ffi.cast("uintptr_t", view)), len(view), view


def _owner(owner: Any, address: int, size: int) -> Any:
    """The owner of the host bytes: the memory owner of the array-like given (a view's
    base), else the one an enclosing host_registry.owners() block knows."""
    if owner is not None:
        return host_registry.memory_owner(owner)
    return host_registry.hinted_owner(address, size)


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
        self.upload_from(addr, length if size is None else size, source_size=length, owner=data)
        del keep

    def download(self, out=None, size: int | None = None):
        """Copy bytes out into `out` (writable buffer) or a new bytearray, which is returned."""
        if out is None:
            out = bytearray(self.size if size is None else size)
        addr, length, keep = host_address(out, True, self.ctx.ffi)
        self.download_to(addr, length if size is None else size, dest_size=length, owner=out)
        del keep
        return out

    # -- raw transfers (addresses) ---------------------------------------------------

    def upload_from(self, address: int, size: int, source_size: int | None = None,
                    offset: int = 0, owner: Any = None) -> None:
        """Copy `size` bytes from host `address` into the buffer at byte `offset`.
        `owner`: the array-like the host bytes belong to (a numpy array or view), whose
        import the device may keep for the next transfer (transfer.py); None: looked
        up among the arrays of an enclosing host_registry.owners() block, else unknown."""
        self._check(address, size, source_size, offset)
        if size == 0:
            return
        with self.pinned():
            transfer.upload(self, address, size, offset, _owner(owner, address, size))

    def download_to(self, address: int, size: int, dest_size: int | None = None,
                    offset: int = 0, owner: Any = None) -> None:
        """Copy `size` bytes from the buffer at byte `offset` to host `address`
        (`owner` as for upload_from)."""
        self._check(address, size, dest_size, offset)
        if size == 0:
            return
        with self.pinned():
            transfer.download(self, address, size, offset, _owner(owner, address, size))

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
        copy_stage, compute = vk.VK_PIPELINE_STAGE_TRANSFER_BIT, vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
        shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
        barrier(ctx, cmd, compute | copy_stage | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
                copy_stage, vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT)
        ctx.lib.vkCmdFillBuffer(cmd, self.raw.handle, offset, n, arg)
        barrier(ctx, cmd, copy_stage, vk.VK_ACCESS_TRANSFER_WRITE_BIT,
                compute | copy_stage | vk.VK_PIPELINE_STAGE_HOST_BIT,
                shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_HOST_READ_BIT)

    # -- lifetime -------------------------------------------------------------------

    def _release(self) -> None:
        """Wait for GPU work using the buffer, drop kernel caches that refer to it, destroy
        (every step runs even if an earlier one fails; the first failure is raised).
        Launches do not pin their buffers: they check, under the pool lock, that each
        is alive, so the serial read here under that lock covers every launch that
        recorded the buffer (retire() marked it dead before)."""
        def caches():
            for kernel in list(self.users):
                kernel.forget_buffer(self)
            self.users.clear()

        def wait():
            sub = self.ctx.submitter
            with sub.pool_lock:         # after any launch that saw the buffer alive (kernel.py)
                serial = self.last_serial
            sub.wait(serial)

        release_all(wait, caches, self.raw.destroy, lambda: self.device.forget(self))

    def __repr__(self) -> str:
        state = "" if self.alive else ", freed"
        return f"<Buffer {self.size} bytes{', mapped' if self.mapped else ''}{state}>"

