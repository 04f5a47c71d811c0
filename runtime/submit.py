"""Queue submission ordered by a timeline semaphore, with batching.

Every submission signals the device's timeline semaphore with the next serial number,
so "wait for serial N" covers that submission and all earlier ones; buffers and kernels
remember the serial of their last use. Waiting (vkWaitSemaphores) takes no lock; only
the vkQueueSubmit call holds the queue lock, and recording holds the command-pool lock.

Work that does not wait (launches with wait=False, device-side copies and fills) is
recorded into one open command buffer, the batch, and submitted as one when anything
waits for it, when any other submission comes (which keeps queue order), or when it
holds MAX_BATCH commands. Launches that keep coming while the device is idle are
submitted every EARLY_SUBMIT launches instead, so that the device works on one part of
a long stream of launches while the host records the next (its cost: one idle check,
a counter read, per EARLY_SUBMIT launches). Its users get the serial the batch will
signal (the next one: every other submission flushes the batch first). A failure of a
batched command after it was accepted is kept and raised by the next sync() or
download, naming it.
"""
from __future__ import annotations

import collections
import functools
import os
import threading
from typing import Any, Optional
import time

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import ExecutionError, InvalidParameterError, RuntimeFailure

UINT64_MAX = (1 << 64) - 1
KEEP_FREE = 16      # recycled one-shot command buffers kept
MAX_BATCH = 256     # commands in one batch before it is submitted without a wait
MAX_UNBARRIERED = 64    # buffers tracked since the last barrier before a dispatch gets one regardless
EARLY_SUBMIT = 32   # every this many batched launches, the batch is submitted if the device is idle
WAIT_SLICE_NS = 50_000_000   # one vkWaitSemaphores slice: how soon Ctrl-C is seen
SPIN_NS = 100_000   # a wait polls the semaphore this long before it blocks (GPUs; see spin_ns)
VK_TIMEOUT = 2
TIMEOUT_ENV = "SIMPLE_VK_TIMEOUT"


def spin_ns(device_type: str) -> int:
    """How long a wait polls before it blocks: SPIN_NS, but not on a CPU device (its
    work runs on the cores a poll would take) nor with fewer than 4 cores."""
    return 0 if device_type == "cpu" or (os.cpu_count() or 1) < 4 else SPIN_NS


def launch_timeout(timeout: float | None) -> float | None:
    """The wait limit of a launch in seconds: `timeout`, else SIMPLE_VK_TIMEOUT, else
    None (no limit). Zero or negative values mean no limit; a malformed value is an
    InvalidParameterError."""
    if timeout is None:
        text = os.environ.get(TIMEOUT_ENV, "").strip()
        if not text:
            return None
        try:
            timeout = float(text)
        except ValueError:
            raise InvalidParameterError(f"{TIMEOUT_ENV}={text!r} is not a number of seconds") from None
    if not isinstance(timeout, (int, float)) or timeout != timeout:
        raise InvalidParameterError(f"timeout must be a number of seconds (got {timeout!r})")
    return float(timeout) if timeout > 0 else None


class Submitter:
    """Queue, timeline semaphore and command pool of one device."""

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx = ctx
        self.queue_lock = threading.Lock()
        self.pool_lock = threading.RLock()   # the command pool, the batch, the deferred errors
        self._batch: Any = None     # the open command buffer of non-waiting work
        self.batch_state = BatchState()
        self._batch_index = 0       # non-waiting launches numbered since the last sync or download
        self._batch_what: list = []     # per command: a label, or (launch number, kernel label)
        self._deferred: list[tuple[str, Exception]] = []
        self._serial = 0            # last submitted
        self._done = 0              # last known completed
        self._pending: collections.deque = collections.deque()   # (serial, cmd) one-shots
        self._free: list = []
        self.semaphore = self.pool = None
        try:
            self._create_semaphore()
            self._create_pool()
            self._prepare_submit()
        except BaseException:
            self._destroy_handles()
            raise

    def _create_semaphore(self) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        kind = ffi.new("VkSemaphoreTypeCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
            "semaphoreType": vk.VK_SEMAPHORE_TYPE_TIMELINE, "initialValue": 0})
        info = ffi.new("VkSemaphoreCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, "pNext": kind})
        out = ffi.new("VkSemaphore*")
        vkapi.check(ctx.lib.vkCreateSemaphore(ctx.handle, info, ffi.NULL, out), "vkCreateSemaphore")
        self.semaphore = tracking.created("VkSemaphore", out[0])

    def _create_pool(self) -> None:
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        info = ffi.new("VkCommandPoolCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
            "flags": vk.VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
            "queueFamilyIndex": ctx.physical.queue_family})
        out = ffi.new("VkCommandPool*")
        vkapi.check(ctx.lib.vkCreateCommandPool(ctx.handle, info, ffi.NULL, out), "vkCreateCommandPool")
        self.pool = tracking.created("VkCommandPool", out[0])

    def _prepare_submit(self) -> None:
        """Submit structures reused under the queue lock (no allocation per submit)."""
        vk, ffi = self.ctx.vk, self.ctx.ffi
        self._sig_value = ffi.new("uint64_t[1]")
        self._sig_sem = ffi.new("VkSemaphore[1]", [self.semaphore])
        self._cmds = ffi.new("VkCommandBuffer[1]")
        self._timeline_info = ffi.new("VkTimelineSemaphoreSubmitInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
            "signalSemaphoreValueCount": 1, "pSignalSemaphoreValues": self._sig_value})
        self._submit_info = ffi.new("VkSubmitInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SUBMIT_INFO, "pNext": self._timeline_info,
            "commandBufferCount": 1, "pCommandBuffers": self._cmds,
            "signalSemaphoreCount": 1, "pSignalSemaphores": self._sig_sem})
        self._null = ffi.NULL
        self._submit_fn = self.ctx.fns.QueueSubmit
        self._wait_fn = self.ctx.fns.WaitSemaphores
        self._device = self.ctx.handle
        self._wait_local = threading.local()     # per-thread VkSemaphoreWaitInfo
        self._counter_fn = self.ctx.fns.GetSemaphoreCounterValue
        self._spin_ns = spin_ns(self.ctx.physical.info.type)
        # what Submitter.dispatch calls and passes on every call, looked up once
        fns = self.ctx.fns
        self._cmd_barrier, self._cmd_bind_pipeline = fns.CmdPipelineBarrier, fns.CmdBindPipeline
        self._cmd_bind_sets, self._cmd_push = fns.CmdBindDescriptorSets, fns.CmdPushConstants
        self._cmd_dispatch = fns.CmdDispatch
        self._compute, self._compute_stage = vk.VK_PIPELINE_BIND_POINT_COMPUTE, vk.VK_SHADER_STAGE_COMPUTE_BIT
        src_stage, src_access, dst_stage, dst_access = _dispatch_barriers(vk)[0]
        self._before_dispatch = (src_stage, dst_stage, 0, 1, _memory_barrier(self.ctx, src_access, dst_access),
                                 0, ffi.NULL, 0, ffi.NULL)

    # -- command buffers ------------------------------------------------------------

    def allocate(self) -> object:
        """A new primary command buffer (caller holds pool_lock)."""
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        info = ffi.new("VkCommandBufferAllocateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, "commandPool": self.pool,
            "level": vk.VK_COMMAND_BUFFER_LEVEL_PRIMARY, "commandBufferCount": 1})
        out = ffi.new("VkCommandBuffer[1]")
        vkapi.check(ctx.fns.AllocateCommandBuffers(ctx.handle, info, out), "vkAllocateCommandBuffers")
        return tracking.created("VkCommandBuffer", out[0])

    def release(self, cmd) -> None:
        """Free a command buffer that is not pending (caller holds pool_lock)."""
        tracking.destroy("VkCommandBuffer", cmd, lambda h: self.ctx.fns.FreeCommandBuffers(
            self.ctx.handle, self.pool, 1, self.ctx.ffi.new("VkCommandBuffer[1]", [h])))

    def _recycle(self) -> None:
        """Move completed one-shot command buffers to the free list (pool_lock held)."""
        while self._pending and self._pending[0][0] <= self._done:
            self._free.append(self._pending.popleft()[1])
        if self._pending and self._pending[0][0] <= self.completed():
            self._recycle()
        while len(self._free) > KEEP_FREE:
            self.release(self._free.pop())

    # -- batching ---------------------------------------------------------------------

    def _open_batch(self):
        """Begin the batch's command buffer (pool_lock held)."""
        self._recycle()
        cmd = self._free.pop() if self._free else self.allocate()
        try:
            begin(self.ctx, cmd, one_time=True)
        except BaseException:
            self._free.append(cmd)
            raise
        self._batch = cmd
        self.batch_state = BatchState()
        return cmd

    def record(self, record, *args, users=(), what: str = "") -> int:
        """Record record(cmd, *args) into the batch (opened if none); returns the serial
        that will signal its completion. `what` names it in deferred errors."""
        with self.pool_lock:
            record(self._batch if self._batch is not None else self._open_batch(), *args)
            self.batch_state.accessed = None     # the next dispatch gets the full barrier
            serial = self._serial + 1
            for user in users:
                user.last_serial = serial
            self._batch_what.append(what)
            if len(self._batch_what) >= MAX_BATCH:
                self._flush_locked()
        return serial

    def dispatch(self, pipe, layout, bound, push: bytes, groups, kernel, label: str) -> int:
        """Append one dispatch of `kernel` to the batch (the caller holds pool_lock):
        the barrier before it unless it cannot race with the dispatches since the last
        one (BatchState), only the binds and push constants that changed, the dispatch.
        `bound` is a recording.BoundSet or None; `label` names the kernel in deferred
        errors (as "batched launch N (label)"). The kernel, the set and its buffers get
        the serial that will signal it (the batch's: the set's buffers need it only once
        per batch), which is returned. This is the whole per-launch recording work of a
        non-waiting launch."""
        cmd = self._batch
        if cmd is None:
            cmd = self._open_batch()
        state = self.batch_state
        serial = self._serial + 1
        if bound is not None:
            accessed = state.accessed
            if bound is state.last or accessed is None or len(accessed) >= MAX_UNBARRIERED \
                    or not accessed.isdisjoint(bound.members):
                self._cmd_barrier(cmd, *self._before_dispatch)
                state.accessed = bound.members
            else:                       # no buffer in common with the dispatches since the barrier
                state.accessed = accessed | bound.members
            state.last = bound
        if state.pipe is not pipe or state.layout is not layout:
            self._cmd_bind_pipeline(cmd, self._compute, pipe)
            state.pipe, state.layout, state.dset, state.push = pipe, layout, None, None
        if bound is not None:
            if state.dset is not bound.dset:
                self._cmd_bind_sets(cmd, self._compute, layout, 0, 1, bound.array, 0, self._null)
                state.dset = bound.dset
            if bound.last_serial != serial:
                bound.last_serial = serial
                for b in bound.buffers:
                    b.last_serial = serial
        if push and push != state.push:
            self._cmd_push(cmd, layout, self._compute_stage, 0, len(push), push)
            state.push = push
        self._cmd_dispatch(cmd, groups[0], groups[1], groups[2])
        kernel.last_serial = serial
        self._batch_index = index = self._batch_index + 1
        what = self._batch_what
        what.append((index, label))
        count = len(what)
        if count >= MAX_BATCH or (EARLY_SUBMIT and not count % EARLY_SUBMIT and self.completed() >= self._serial):
            self._flush_locked()
        return serial

    def claim_index(self) -> int:
        """The 1-based number of the next non-waiting launch since the last sync or
        download (failed ones count too; batches submitted in between do not restart
        it), for messages."""
        with self.pool_lock:
            self._batch_index += 1
            return self._batch_index

    @property
    def batched(self) -> int:
        """Commands recorded in the open batch."""
        return len(self._batch_what)

    def flush(self) -> None:
        """Submit the open batch, if any."""
        if self._batch is not None:
            with self.pool_lock:
                self._flush_locked()

    def _flush_locked(self) -> None:
        cmd, what = self._batch, self._batch_what
        if cmd is None:
            return
        self._batch, self._batch_what = None, []
        try:
            if self.batch_state.last is not None:     # a dispatch that bound buffers
                barrier_after_dispatch(self.ctx, cmd)
            vkapi.check(self.ctx.fns.EndCommandBuffer(cmd), "vkEndCommandBuffer")
            serial = self._submit_locked(cmd, ())
        except RuntimeFailure as exc:
            self._free.append(cmd)
            self._signal_only()         # the batch's serial must still be signalled
            names = ", ".join(describe(w) for w in what[:3])
            self.defer(f"batch of {len(what)} ({names}{', ...' if len(what) > 3 else ''})", exc)
            return
        self._pending.append((serial, cmd))

    def _signal_only(self) -> None:
        """Submit nothing but the next serial's signal (a failed batch's stand-in)."""
        with self.queue_lock:
            serial = self._serial + 1
            self._sig_value[0] = serial
            info = self.ctx.ffi.new("VkSubmitInfo*", {
                "sType": self.ctx.vk.VK_STRUCTURE_TYPE_SUBMIT_INFO, "pNext": self._timeline_info,
                "signalSemaphoreCount": 1, "pSignalSemaphores": self._sig_sem})
            if self._submit_fn(self.ctx.queue, 1, info, self._null) == 0:
                self._serial = serial

    def defer(self, what: str, exc: Exception) -> None:
        """Keep the failure of accepted non-waiting work for the next sync()."""
        with self.pool_lock:
            self._deferred.append((what, exc))

    def raise_deferred(self) -> None:
        """Raise (once) the first failure of batched work since the last call; the
        numbering of non-waiting launches starts again."""
        with self.pool_lock:
            failures, self._deferred = self._deferred, []
            self._batch_index = 0
        if failures:
            what, exc = failures[0]
            more = f" ({len(failures) - 1} more batched failure(s) after it)" if len(failures) > 1 else ""
            cls = type(exc) if isinstance(exc, RuntimeFailure) else ExecutionError
            raise cls(f"{what} failed: {exc}{more}") from None

    def run(self, record, *args, users=()) -> int:
        """Record a one-shot command buffer with record(cmd, *args), submit it; its serial."""
        with self.pool_lock:
            self._recycle()
            cmd = self._free.pop() if self._free else self.allocate()
            try:
                begin(self.ctx, cmd, one_time=True)
                record(cmd, *args)
                vkapi.check(self.ctx.fns.EndCommandBuffer(cmd), "vkEndCommandBuffer")
                serial = self.submit(cmd, users)
            except BaseException:
                self._free.append(cmd)
                raise
            self._pending.append((serial, cmd))
        return serial

    # -- submission and waits -------------------------------------------------------

    def submit(self, cmd, users=()) -> int:
        """Submit a recorded command buffer (after the open batch); returns the serial
        its completion signals.

        Each of `users` gets `last_serial` set to it, under the queue lock, so that the
        value only ever grows even when threads submit concurrently.
        """
        with self.pool_lock:
            self._flush_locked()
            return self._submit_locked(cmd, users)

    def _submit_locked(self, cmd, users) -> int:
        with self.queue_lock:
            serial = self._serial + 1
            self._sig_value[0] = serial
            self._cmds[0] = cmd
            result = self._submit_fn(self.ctx.queue, 1, self._submit_info, self._null)
            if result != 0:
                vkapi.check(result, "vkQueueSubmit")
            self._serial = serial
            for user in users:
                user.last_serial = serial
        return serial

    @property
    def last_submitted(self) -> int:
        return self._serial

    def completed(self) -> int:
        """The highest serial known complete (queries the semaphore)."""
        out = self.ctx.ffi.new("uint64_t*")
        vkapi.check(self.ctx.fns.GetSemaphoreCounterValue(self.ctx.handle, self.semaphore, out),
                    "vkGetSemaphoreCounterValue")
        if out[0] > self._done:
            self._done = out[0]
        return self._done

    def wait(self, serial: int, timeout: float | None = None, what: str = "") -> None:
        """Block until submission `serial` (and all earlier ones) completed. No lock held.

        Waits in slices of WAIT_SLICE_NS so that Ctrl-C (KeyboardInterrupt, raised by
        Python between two slices) ends the wait promptly; past `timeout` seconds
        raises ExecutionError naming `what` (the work itself is not cancelled)."""
        if serial <= self._done:
            return
        if serial > self._serial:
            self.flush()                # the batch holds it
        state = getattr(self._wait_local, "state", None)
        if state is None:
            state = self._wait_local.state = self._wait_info()
        if self._spin_ns and self._spin(serial, state[3]):
            return
        state[1][0] = serial
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            result = self._wait_fn(self._device, state[0], WAIT_SLICE_NS)
            if result == 0:
                break
            if result != VK_TIMEOUT:
                vkapi.check(result, "vkWaitSemaphores", ExecutionError)
            if deadline is not None and time.monotonic() >= deadline:
                raise ExecutionError(f"{what or f'submission {serial}'} did not finish within "
                                     f"{timeout:g} s (SIMPLE_VK_TIMEOUT or timeout=); "
                                     "the work is still running on the device")
        if serial > self._done:
            self._done = serial

    def _wait_info(self):
        """(VkSemaphoreWaitInfo, its value array, its semaphore array, a counter-value
        slot) for one thread."""
        vk, ffi = self.ctx.vk, self.ctx.ffi
        sems = ffi.new("VkSemaphore[1]", [self.semaphore])
        values = ffi.new("uint64_t[1]")
        info = ffi.new("VkSemaphoreWaitInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, "semaphoreCount": 1,
            "pSemaphores": sems, "pValues": values})
        return info, values, sems, ffi.new("uint64_t*")

    def _spin(self, serial: int, counter) -> bool:
        """Poll the semaphore's counter for up to SPIN_NS before a blocking wait: a short
        launch is seen done without the sleep and wake-up of a blocking wait (what a
        blocking launch costs beyond its submit). True when `serial` completed."""
        get, device, sem = self._counter_fn, self._device, self.semaphore
        deadline = time.perf_counter_ns() + self._spin_ns
        while True:
            if get(device, sem, counter) != 0:
                return False            # the blocking wait reports the failure
            if counter[0] >= serial:
                if counter[0] > self._done:
                    self._done = counter[0]
                return True
            if time.perf_counter_ns() >= deadline:
                return False

    def sync(self) -> None:
        """Submit the batch, wait for everything submitted so far, and raise the first
        failure of batched work since the last sync."""
        self.flush()
        self.wait(self._serial)
        self.raise_deferred()

    def destroy(self) -> None:
        """Wait for the queue, free command buffers, the pool and the semaphore."""
        try:
            self.flush()
            self.wait(self._serial)
        finally:
            with self.pool_lock:
                for cmd in [c for _, c in self._pending] + self._free:
                    self.release(cmd)
                self._pending.clear()
                self._free.clear()
            self._destroy_handles()

    def _destroy_handles(self) -> None:
        ctx, ffi = self.ctx, self.ctx.ffi
        if self.pool is not None:
            tracking.destroy("VkCommandPool", self.pool,
                             lambda h: ctx.lib.vkDestroyCommandPool(ctx.handle, h, ffi.NULL))
            self.pool = None
        if self.semaphore is not None:
            tracking.destroy("VkSemaphore", self.semaphore,
                             lambda h: ctx.lib.vkDestroySemaphore(ctx.handle, h, ffi.NULL))
            self.semaphore = None


def begin(ctx: DeviceContext, cmd, one_time: bool = False, simultaneous: bool = False) -> None:
    """vkBeginCommandBuffer with the usage flags asked for."""
    vk = ctx.vk
    flags = (vk.VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT if one_time else 0) | (
        vk.VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT if simultaneous else 0)
    info = ctx.ffi.new("VkCommandBufferBeginInfo*", {
        "sType": vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, "flags": flags})
    vkapi.check(ctx.fns.BeginCommandBuffer(cmd, info), "vkBeginCommandBuffer")


_BARRIERS: dict = {}     # (src access, dst access) -> VkMemoryBarrier, made once (read-only)


def describe(what) -> str:
    """A batched command's name in messages: its label, or "batched launch N (kernel ...)"."""
    return what if isinstance(what, str) else f"batched launch {what[0]} ({what[1]})"


def _memory_barrier(ctx: DeviceContext, src_access: int, dst_access: int):
    mb = _BARRIERS.get((src_access, dst_access))
    if mb is None:
        mb = _BARRIERS[(src_access, dst_access)] = ctx.ffi.new("VkMemoryBarrier*", {
            "sType": ctx.vk.VK_STRUCTURE_TYPE_MEMORY_BARRIER, "srcAccessMask": src_access,
            "dstAccessMask": dst_access})
    return mb


def barrier(ctx: DeviceContext, cmd, src_stage: int, src_access: int,
            dst_stage: int, dst_access: int) -> None:
    """A global memory barrier (buffers only, so no image layouts to care about)."""
    mb = _memory_barrier(ctx, src_access, dst_access)
    null = ctx.ffi.NULL
    ctx.fns.CmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, mb, 0, null, 0, null)


@functools.cache
def _dispatch_barriers(vk) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """(src stage, src access, dst stage, dst access) before and after a dispatch."""
    compute, transfer, host = (vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, vk.VK_PIPELINE_STAGE_TRANSFER_BIT,
                               vk.VK_PIPELINE_STAGE_HOST_BIT)
    shader_rw = vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
    before = (compute | transfer | host,
              vk.VK_ACCESS_SHADER_WRITE_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT | vk.VK_ACCESS_HOST_WRITE_BIT,
              compute, shader_rw)
    after = (compute, vk.VK_ACCESS_SHADER_WRITE_BIT, compute | transfer | host,
             shader_rw | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT
             | vk.VK_ACCESS_HOST_READ_BIT)
    return before, after


def barrier_before_dispatch(ctx: DeviceContext, cmd) -> None:
    """Earlier host, transfer and shader writes made visible to a dispatch."""
    barrier(ctx, cmd, *_dispatch_barriers(ctx.vk)[0])


def barrier_after_dispatch(ctx: DeviceContext, cmd) -> None:
    """A dispatch's writes made visible to later dispatches, transfers and the host."""
    barrier(ctx, cmd, *_dispatch_barriers(ctx.vk)[1])


class BatchState:
    """What the open batch has bound, so that consecutive dispatches skip binds that
    did not change, and which buffers the dispatches since the last barrier bound, so
    that a dispatch gets the barrier before it only when it shares a buffer with one of
    them (any bound buffer counts as read and written; a view counts as its whole
    buffer). A kernel reaches device memory only through its bound buffers (the
    runtime enables no buffer device addresses), so a dispatch that binds none needs
    no barrier, and one whose buffers are disjoint from those since the last barrier
    cannot race with them. The first dispatch of a batch, and the first after other
    recorded work, gets the barrier (accessed None); the batch ends with the barrier
    after its dispatches."""

    __slots__ = ("pipe", "layout", "dset", "push", "accessed", "last")

    def __init__(self) -> None:
        self.pipe: Any = None
        self.layout: Any = None
        self.dset: Any = None
        self.push: Optional[bytes] = None
        self.accessed: Optional[frozenset] = None   # buffers bound since the last barrier; None: barrier due
        self.last: Any = None       # the BoundSet of the last dispatch with buffers (None: the
        #                             batch has none, so it needs no barrier after it)
