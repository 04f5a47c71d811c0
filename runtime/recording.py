"""Recorded dispatches, cached per kernel so a repeated launch is a single vkQueueSubmit.

A `Recording` is a command buffer (simultaneous-use) holding: a barrier making earlier
host, transfer and shader writes visible to this dispatch, the pipeline and descriptor
set binds, the push constants, the dispatch, and a barrier making its writes visible to
later transfers, host reads and dispatches. Recordings are keyed by (local size, group
counts, buffers, push bytes); descriptor sets by the buffer tuple. Both caches are
bounded; entries are evicted only once the GPU is done with them.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from . import vkapi
from .device_context import DeviceContext
from .descriptors import DescriptorAllocator
from .pipeline import Program
from .submit import BatchState, barrier_after_dispatch, barrier_before_dispatch, begin

MAX_RECORDINGS = 32
MAX_SETS = 32


@dataclass(eq=False)
class BoundSet:
    """A descriptor set written for one tuple of buffers."""

    dset: object
    pool: list
    buffers: tuple
    ranges: tuple | None = None     # (offset, size) per buffer; None: whole buffers
    last_serial: int = 0
    array: object = None            # VkDescriptorSet[1] for binding, made on first use
    recordings: set = field(default_factory=set)


@dataclass(eq=False)
class Recording:
    cmd: object
    key: tuple
    bound: BoundSet | None
    last_serial: int = 0


class LaunchCache:
    """Descriptor sets and recorded command buffers of one kernel (caller holds its lock)."""

    def __init__(self, ctx: DeviceContext, program: Program) -> None:
        self.ctx, self.program = ctx, program
        self.descriptors = DescriptorAllocator(ctx, program.set_layout, program.info.bindings)
        self.sets: OrderedDict[tuple, BoundSet] = OrderedDict()
        self.recordings: OrderedDict[tuple, Recording] = OrderedDict()

    def get(self, local, groups, buffers: tuple, push: bytes, ranges: tuple | None = None) -> Recording:
        """The recording for these launch parameters, recorded now if not cached."""
        key = (local, groups, buffers, push, ranges)
        rec = self.recordings.get(key)
        if rec is not None:
            self.recordings.move_to_end(key)
            return rec
        bound = self.bound_set(buffers, ranges) if buffers else None
        cmd = self._record(local, groups, bound, push)
        rec = self.recordings[key] = Recording(cmd, key, bound)
        if bound is not None:
            bound.recordings.add(rec)
        self._evict(keep=rec)
        return rec

    def bound_set(self, buffers: tuple, ranges: tuple | None = None) -> BoundSet:
        """The descriptor set for these buffers (and ranges), written now if not cached."""
        key = (buffers, ranges)
        bound = self.sets.get(key)
        if bound is None:
            dset, pool = self.descriptors.allocate(buffers, ranges)
            bound = self.sets[key] = BoundSet(dset, pool, buffers, ranges)
        else:
            self.sets.move_to_end(key)
        return bound

    def _record(self, local, groups, bound: BoundSet | None, push: bytes):
        ctx, fns = self.ctx, self.ctx.fns
        sub = ctx.submitter
        pipe = self.program.pipeline(local)
        with sub.pool_lock:
            cmd = sub.allocate()
            try:
                begin(ctx, cmd, simultaneous=True)
                record_dispatch(ctx, cmd, pipe, self.program.layout, bound, push, groups)
                vkapi.check(fns.EndCommandBuffer(cmd), "vkEndCommandBuffer")
            except BaseException:
                sub.release(cmd)
                raise
        return cmd

    def _evict(self, keep: Recording) -> None:
        if len(self.recordings) <= MAX_RECORDINGS and len(self.sets) <= MAX_SETS:
            return
        done = self.ctx.submitter.completed()
        for rec in list(self.recordings.values()):
            if len(self.recordings) <= MAX_RECORDINGS:
                break
            if rec is not keep and rec.last_serial <= done:
                self._drop_recording(rec)
        for bound in list(self.sets.values()):
            if len(self.sets) <= MAX_SETS:
                break
            if not bound.recordings and bound.last_serial <= done:
                self._drop_set(bound)

    def _drop_recording(self, rec: Recording) -> None:
        del self.recordings[rec.key]
        if rec.bound is not None:
            rec.bound.recordings.discard(rec)
        with self.ctx.submitter.pool_lock:
            self.ctx.submitter.release(rec.cmd)

    def _drop_set(self, bound: BoundSet) -> None:
        for rec in list(bound.recordings):
            self._drop_recording(rec)
        del self.sets[(bound.buffers, bound.ranges)]
        self.descriptors.free(bound.dset, bound.pool)

    def forget(self, buffer) -> None:
        """Drop every set and recording that refers to `buffer` (GPU done with it)."""
        for bound in [b for b in self.sets.values() if buffer in b.buffers]:
            self._drop_set(bound)

    def buffers(self) -> set:
        return {b for bound in self.sets.values() for b in bound.buffers}

    def destroy(self) -> None:
        for rec in list(self.recordings.values()):
            self._drop_recording(rec)
        for bound in list(self.sets.values()):
            self._drop_set(bound)
        self.descriptors.destroy()


def record_dispatch(ctx: DeviceContext, cmd, pipe, layout, bound: BoundSet | None,
                    push: bytes, groups) -> None:
    """Barrier, bind, push, dispatch, barrier."""
    barrier_before_dispatch(ctx, cmd)
    _bind_and_dispatch(ctx, cmd, pipe, layout, bound, push, groups)
    barrier_after_dispatch(ctx, cmd)


def record_batched_dispatch(ctx: DeviceContext, cmd, state: BatchState, pipe, layout,
                            bound: BoundSet | None, push: bytes, groups) -> None:
    """A dispatch appended to a batch: one barrier after the previous command, and
    only the binds and push constants that changed."""
    if state.dispatched or state.pipe is None:
        barrier_before_dispatch(ctx, cmd)
    if state.pipe is not pipe or state.layout is not layout:
        state.pipe, state.layout, state.dset, state.push = pipe, layout, None, None
        _bind_and_dispatch(ctx, cmd, pipe, layout, bound, push, groups)
    else:
        _bind_and_dispatch(ctx, cmd, None, layout, bound if bound is None or state.dset is not bound.dset
                           else None, push if push != state.push else b"", groups)
    if bound is not None:
        state.dset = bound.dset
    state.push = push
    state.dispatched = True


def _bind_and_dispatch(ctx: DeviceContext, cmd, pipe, layout, bound: BoundSet | None,
                       push: bytes, groups) -> None:
    """Bind `pipe` and `bound` (each unless None), push `push` (unless empty), dispatch."""
    vk, ffi, fns = ctx.vk, ctx.ffi, ctx.fns
    if pipe is not None:
        fns.CmdBindPipeline(cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, pipe)
    if bound is not None:
        if bound.array is None:
            bound.array = ffi.new("VkDescriptorSet[1]", [bound.dset])
        fns.CmdBindDescriptorSets(cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, bound.array, 0,
                                  ffi.NULL)
    if push:
        fns.CmdPushConstants(cmd, layout, vk.VK_SHADER_STAGE_COMPUTE_BIT, 0, len(push), ffi.from_buffer(push))
    fns.CmdDispatch(cmd, *groups)
