"""Recorded dispatches, cached per kernel so a repeated launch is a single vkQueueSubmit.

A `Recording` is a command buffer (simultaneous-use) holding: a barrier making earlier
host, transfer and shader writes visible to this dispatch, the pipeline and descriptor
set binds, the push constants, the dispatch, and a barrier making its writes visible to
later transfers, host reads and dispatches. Descriptor sets are keyed by the buffer
tuple (buffer identities) and their byte ranges; recordings by (set, push bytes, group
counts, local size). Both caches are bounded; entries are evicted only once the GPU is
done with them, and every entry that refers to a buffer is dropped when it is freed.

The caller holds the device's submitter pool lock around every method: launches look
entries up, record and submit under that one lock.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from . import vkapi
from .device_context import DeviceContext
from .descriptors import DescriptorAllocator
from .pipeline import Program
from .submit import barrier_after_dispatch, barrier_before_dispatch, begin

MAX_RECORDINGS = 32
MAX_SETS = 32
MAX_REQUESTS = 256      # launch-argument spellings remembered per kernel (see LaunchCache.requests)


@dataclass(eq=False)
class BoundSet:
    """A descriptor set written for one tuple of buffers."""

    dset: object
    pool: list
    buffers: tuple
    ranges: tuple | None = None     # (offset, size) per buffer; None: whole buffers
    last_serial: int = 0
    array: object = None            # VkDescriptorSet[1], what vkCmdBindDescriptorSets takes
    recordings: set = field(default_factory=set)
    dropped: bool = False           # freed: a launch that looked it up without the lock looks again
    members: frozenset = frozenset()    # the buffers, for the batch's barrier decisions


@dataclass(eq=False)
class Recording:
    cmd: object
    key: tuple
    bound: BoundSet | None
    last_serial: int = 0


class LaunchCache:
    """Descriptor sets and recorded command buffers of one kernel (caller holds the
    submitter's pool lock).

    `requests` maps the (buffers, ranges) of a launch as the caller spelled them to
    the set they resolved to, so that a repeated launch skips the range checks and
    normalisation: one dict lookup. It only holds keys of live sets (cleared whenever
    a set is dropped)."""

    def __init__(self, ctx: DeviceContext, program: Program) -> None:
        self.ctx, self.program = ctx, program
        self.descriptors = DescriptorAllocator(ctx, program.set_layout, program.info.bindings)
        self.sets: OrderedDict[tuple, BoundSet] = OrderedDict()
        self.requests: dict[tuple, BoundSet] = {}
        self.recordings: OrderedDict[tuple, Recording] = OrderedDict()

    def get(self, local, groups, bound: BoundSet | None, push: bytes, pipe=None) -> Recording:
        """The recording of a dispatch of `groups` with `bound` and `push` (local size
        `local`, pipeline `pipe` when the caller has it), recorded now if not cached."""
        key = (bound, push, groups, local)
        rec = self.recordings.get(key)
        if rec is not None:
            self.recordings.move_to_end(key)
            return rec
        cmd = self._record(local, groups, bound, push, pipe)
        rec = self.recordings[key] = Recording(cmd, key, bound)
        if bound is not None:
            bound.recordings.add(rec)
        self._evict(keep_rec=rec)
        return rec

    def bound_set(self, buffers: tuple, ranges: tuple | None = None) -> BoundSet:
        """The descriptor set for these buffers (and ranges), written now if not cached.
        The buffers must be alive (pinned, or seen alive under the pool lock); each
        learns that this kernel's caches refer to it."""
        key = (buffers, ranges)
        bound = self.sets.get(key)
        if bound is None:
            dset, pool = self.descriptors.allocate(buffers, ranges)
            bound = self.sets[key] = BoundSet(dset, pool, buffers, ranges,
                                              array=self.ctx.ffi.new("VkDescriptorSet[1]", [dset]),
                                              members=frozenset(buffers))
            self._evict(keep_set=bound)
        else:
            self.sets.move_to_end(key)
        return bound

    def remember(self, request: tuple, bound: BoundSet) -> None:
        """Map a launch's (buffers, ranges) spelling to its set (bounded)."""
        if len(self.requests) >= MAX_REQUESTS:
            self.requests.clear()
        self.requests[request] = bound

    def _record(self, local, groups, bound: BoundSet | None, push: bytes, pipe=None):
        ctx, fns = self.ctx, self.ctx.fns
        sub = ctx.submitter
        if pipe is None:
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

    def _evict(self, keep_rec: Recording | None = None, keep_set: BoundSet | None = None) -> None:
        if len(self.recordings) <= MAX_RECORDINGS and len(self.sets) <= MAX_SETS:
            return
        done = self.ctx.submitter.completed()
        for rec in list(self.recordings.values()):
            if len(self.recordings) <= MAX_RECORDINGS:
                break
            if rec is not keep_rec and rec.last_serial <= done:
                self._drop_recording(rec)
        for bound in list(self.sets.values()):
            if len(self.sets) <= MAX_SETS:
                break
            if bound is not keep_set and not bound.recordings and bound.last_serial <= done:
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
        bound.dropped = True
        self.requests.clear()
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


def _bind_and_dispatch(ctx: DeviceContext, cmd, pipe, layout, bound: BoundSet | None,
                       push: bytes, groups) -> None:
    """Bind `pipe` and `bound` (each unless None), push `push` (unless empty), dispatch."""
    vk, ffi, fns = ctx.vk, ctx.ffi, ctx.fns
    if pipe is not None:
        fns.CmdBindPipeline(cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, pipe)
    if bound is not None:
        fns.CmdBindDescriptorSets(cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, bound.array, 0,
                                  ffi.NULL)
    if push:
        fns.CmdPushConstants(cmd, layout, vk.VK_SHADER_STAGE_COMPUTE_BIT, 0, len(push), push)
    fns.CmdDispatch(cmd, *groups)
