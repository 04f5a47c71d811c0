"""Host transfers of device buffers: one policy picks the route, then the copy runs.

Routes:
  MAPPED   memcpy through the buffer's persistent mapping (host-visible memory).
  IMPORT   the GPU copies from or into the host bytes themselves, imported as device
           memory (VK_EXT_external_memory_host); the import is kept in the device's
           registration cache (host_registry) when the bytes' owner is known, so only
           the first transfer of an array pays the page pinning (a large range is
           imported piece by piece, each piece copied while the next is pinned).
  STAGING  chunks through pinned staging buffers, pipelined: the memcpy of one chunk
           (split over threads when large) overlaps the GPU copy of the previous one.

`choose` is the policy, by size, memory type, device and what the cache knows. Every
path leaves the host bytes untouched outside the range and unused once the call
returns (an IMPORT transfer waits for its copy; an upload through staging returns
once its bytes are in staging; a download waits for the data).
"""
from __future__ import annotations

import collections
import enum
from typing import Any

from . import device_memory, host_import
from .device_context import DeviceContext
from .errors import RuntimeFailure
from .submit import barrier

SMALL_BYTES = 64 << 10       # below: fixed costs dominate; staging (or the mapping) always
IMPORT_FIRST_BYTES = 8 << 20   # from here on an import pays off at the first transfer
MAPPED_GPU_BYTES = 1 << 20   # a mapped buffer of a discrete GPU: from here on the GPU copies
DOWNLOAD_DEPTH = 3           # staged download chunks in flight
IMPORT_CHUNK_BYTES = 16 << 20   # a fresh import of 32 MiB or more: pinned and copied in pieces this size


class Route(enum.Enum):
    MAPPED = "mapped"
    IMPORT = "import"
    STAGING = "staging"


def choose(ctx: DeviceContext, mapped: bool, size: int, owner: Any) -> Route:
    """The path of a transfer of `size` bytes for a buffer (`mapped`: host visible)
    whose host bytes belong to `owner` (None: unknown).

    A mapped buffer is copied by memcpy, except on a discrete GPU that can import:
    there its mapping is PCIe memory (BAR), slower for the CPU than the copy engine
    is for imported pages. An unmapped buffer imports the host pages when the
    transfer is large, or when the owner's pages are registered or were transferred
    before (the cache then pays off); otherwise it stages."""
    importing = size >= SMALL_BYTES and host_import.available(ctx)
    if mapped and not (importing and size >= MAPPED_GPU_BYTES and ctx.physical.info.type == "discrete"):
        return Route.MAPPED
    if importing and (size >= IMPORT_FIRST_BYTES or host_import.registry(ctx).repeated(owner)):
        return Route.IMPORT
    return Route.MAPPED if mapped else Route.STAGING


def upload(buffer, address: int, size: int, offset: int, owner: Any) -> Route:
    """Copy host [address, address+size) into `buffer` at `offset`; the route taken."""
    ctx = buffer.ctx
    path = choose(ctx, buffer.mapped, size, owner)
    if path is Route.IMPORT and not imported_copy(buffer, address, size, offset, True, owner):
        path = Route.MAPPED if buffer.mapped else Route.STAGING      # the driver refused the import
    if path is Route.MAPPED:
        ctx.submitter.wait(buffer.last_serial)
        device_memory.copy_memory(buffer.raw.host_address + offset, address, size)
    elif path is Route.STAGING:
        staged_upload(buffer, address, size, offset)
    return path


def download(buffer, address: int, size: int, offset: int, owner: Any) -> Route:
    """Copy `buffer` at `offset` into host [address, address+size) (after the GPU work
    that used the buffer); the route taken."""
    ctx = buffer.ctx
    ctx.submitter.wait(buffer.last_serial)
    ctx.submitter.raise_deferred()
    path = choose(ctx, buffer.mapped, size, owner)
    if path is Route.IMPORT and not imported_copy(buffer, address, size, offset, False, owner):
        path = Route.MAPPED if buffer.mapped else Route.STAGING
    if path is Route.MAPPED:
        device_memory.copy_memory(address, buffer.raw.host_address + offset, size)
    elif path is Route.STAGING:
        staged_download(buffer, address, size, offset)
    return path


def imported_copy(buffer, address: int, size: int, offset: int, upload: bool, owner: Any) -> bool:
    """The GPU copy between the host bytes (registered imports, else new ones) and
    `buffer` at `offset`, waited for; False when the driver refuses an import (the
    caller then stages the whole transfer). A large range imported afresh is imported
    in IMPORT_CHUNK_BYTES pieces, each copied while the next is imported (pinned)."""
    ctx = buffer.ctx
    registry, sub = host_import.registry(ctx), ctx.submitter
    used: list = []         # [registration, serial of its copy]
    try:
        found = registry.find(address, size, owner)
        if found is not None:
            used = [[reg, 0] for reg in found]
            serial = sub.run(_record_pieces, buffer, found, address, size, offset, upload, users=(buffer,))
            for entry in used:
                entry[1] = serial
            sub.wait(serial)
            return True
        serial = 0
        for at, n in _pieces(address, size):
            try:
                reg = registry.register(at, n, owner)
            except RuntimeFailure:
                sub.wait(serial)        # the pieces copied so far; the caller redoes it all
                return False
            used.append([reg, 0])
            serial = used[-1][1] = sub.run(_record_pieces, buffer, [reg], at, n, offset + (at - address), upload,
                                           users=(buffer,))
        sub.wait(serial)
        return True
    finally:
        for reg, serial in used:
            registry.done(reg, serial)  # an uncached import is released once its copy completed


def _pieces(address: int, size: int):
    """(address, size) pieces of a fresh import: one below 2 IMPORT_CHUNK_BYTES, else
    split at multiples of IMPORT_CHUNK_BYTES (whole pages: the pieces share none)."""
    end = address + size
    if size < 2 * IMPORT_CHUNK_BYTES:
        yield address, size
        return
    at = address
    while at < end:
        stop = min(end, (at // IMPORT_CHUNK_BYTES + 1) * IMPORT_CHUNK_BYTES)
        yield at, stop - at
        at = stop


def _record_pieces(cmd, buffer, regs: list, address: int, size: int, offset: int, upload: bool) -> None:
    """Copies between host [address, address+size), covered by the imports `regs` in
    address order, and `buffer` at `offset`."""
    copies, at, end = [], address, address + size
    for reg in regs:
        stop = min(reg.end, end)
        host, host_off, buf_off = reg.imported.handle, reg.offset_of(at), offset + (at - address)
        if upload:
            copies.append((host, buffer.raw.handle, host_off, buf_off, stop - at))
        else:
            copies.append((buffer.raw.handle, host, buf_off, host_off, stop - at))
        at = stop
    record_copies(cmd, buffer.ctx, copies)


def staged_upload(buffer, address: int, size: int, base: int) -> None:
    """Chunks memcpy'd into staging buffers, each copied by the GPU while the next is
    filled (the pool hands a staging buffer out again once its copy completed)."""
    ctx = buffer.ctx
    sub, pool, chunk = ctx.submitter, ctx.staging, device_memory.STAGING_CHUNK
    for offset in range(0, size, chunk):
        n = min(chunk, size - offset)
        stage = pool.acquire(n)
        try:
            device_memory.copy_memory(stage.host_address, address + offset, n)
            serial = sub.run(record_copy, ctx, stage.handle, buffer.raw.handle, 0, base + offset, n,
                             users=(buffer,))
        except BaseException:
            pool.release(stage, sub.last_submitted)
            raise
        pool.release(stage, serial)


def staged_download(buffer, address: int, size: int, base: int) -> None:
    """GPU copies into staging buffers, DOWNLOAD_DEPTH chunks ahead of the memcpy out."""
    ctx = buffer.ctx
    sub, pool, chunk = ctx.submitter, ctx.staging, device_memory.STAGING_CHUNK
    inflight: collections.deque = collections.deque()
    try:
        for offset in range(0, size, chunk):
            n = min(chunk, size - offset)
            stage = pool.acquire(n)
            try:
                serial = sub.run(record_copy, ctx, buffer.raw.handle, stage.handle, base + offset, 0, n,
                                 users=(buffer,))
            except BaseException:
                pool.release(stage, sub.last_submitted)
                raise
            inflight.append((offset, n, stage, serial))
            if len(inflight) >= DOWNLOAD_DEPTH:
                _drain(ctx, address, inflight.popleft())
        while inflight:
            _drain(ctx, address, inflight.popleft())
    finally:
        for _, _, stage, serial in inflight:
            pool.release(stage, serial)


def _drain(ctx: DeviceContext, address: int, chunk) -> None:
    offset, n, stage, serial = chunk
    try:
        ctx.submitter.wait(serial)
        device_memory.copy_memory(address + offset, stage.host_address, n)
    finally:
        ctx.staging.release(stage, serial)


def record_copy(cmd, ctx: DeviceContext, src, dst, src_offset: int, dst_offset: int, n: int) -> None:
    """One vkCmdCopyBuffer between barriers (record_copies)."""
    record_copies(cmd, ctx, [(src, dst, src_offset, dst_offset, n)])


def record_copies(cmd, ctx: DeviceContext, copies) -> None:
    """vkCmdCopyBuffer of each (src, dst, src offset, dst offset, size) between
    barriers: earlier writes (shader, transfer, host) before them, their writes
    visible to later shaders, transfers and host reads."""
    vk = ctx.vk
    transfer, compute = vk.VK_PIPELINE_STAGE_TRANSFER_BIT, vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
    shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
    barrier(ctx, cmd, compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
            shader_rw | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
            transfer, vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT)
    for src, dst, src_offset, dst_offset, n in copies:
        region = ctx.ffi.new("VkBufferCopy*", {"srcOffset": src_offset, "dstOffset": dst_offset, "size": n})
        ctx.fns.CmdCopyBuffer(cmd, src, dst, 1, region)
    barrier(ctx, cmd, transfer, vk.VK_ACCESS_TRANSFER_WRITE_BIT,
            compute | transfer | vk.VK_PIPELINE_STAGE_HOST_BIT,
            shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_HOST_READ_BIT)
