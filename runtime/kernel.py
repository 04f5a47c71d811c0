"""Kernels: a validated SPIR-V module turned into pipelines, and their launches."""
from __future__ import annotations

import os
from collections.abc import Sequence

from . import features as feat
from . import kernel_facts
from .device_context import DeviceContext
from .errors import CompilationError, InvalidHandleError, InvalidParameterError, RuntimeFailure
from . import timestamps as timing
from .recording import LaunchCache, record_dispatch
from .local_size import choose_local_size
from .pipeline import Program
from .resource import Resource, pinned, release_all
from .submit import TIMEOUT_ENV, launch_timeout

DEFAULT_LOCAL_1D = 256
MAX_BINDING_NUMBER = 65535   # binding numbers above are refused (drivers size tables by them)
_IMMUTABLE = (tuple, int, type(None))   # sizes a launch plan may be remembered by identity for
_NO_PLAN: tuple = (object(), object(), None)


def _triple(value, name: str) -> tuple[int, int, int]:
    vals = (value,) if isinstance(value, int) else tuple(value)
    if not 1 <= len(vals) <= 3 or not all(isinstance(v, int) for v in vals):
        raise InvalidParameterError(f"{name} must be 1 to 3 integers (got {value!r})")
    return tuple(vals) + (1,) * (3 - len(vals))


class Kernel(Resource):
    """A compute kernel compiled for one device."""

    kind = "kernel"

    def __init__(self, device, ctx: DeviceContext, code: bytes) -> None:
        super().__init__()
        self.device, self.ctx = device, ctx
        code = bytes(code)
        api = ctx.physical.api
        self.info = kernel_facts.checked_info(code, f"vulkan{api[0]}.{api[1]}")   # validated, reflected
        self._check_support()
        self.program: Program = Program(ctx, code, self.info)
        self._plans: dict = {}      # (global, local) as given -> (local, groups, pipeline)
        self._last_plan: tuple = _NO_PLAN   # (global, local, plan) of the last launch's sizes
        self._label = f"kernel {self.info.entry_point!r}"
        self._what_wait = self._label
        self._push_size = self.info.push_constant_size
        self._bindings = len(self.info.bindings)
        self._layout = self.program.layout
        self.last_serial = 0
        try:
            if self._local_problem(self.info.local_size) is None:
                self.program.pipeline(self.info.local_size)   # compile errors surface now
            elif not self.info.specializable:
                raise CompilationError(f"kernel {self.info.entry_point!r}: "
                                       f"{self._local_problem(self.info.local_size)}")
            self.cache = LaunchCache(ctx, self.program)
            self._requests = self.cache.requests    # (the same dict for the kernel's life)
        except BaseException:
            self.program.destroy()
            raise

    def _check_support(self) -> None:
        """Refuse, before the driver sees it, a module this device cannot run: a
        capability whose feature is not enabled (or that the runtime never enables),
        push constants, storage-buffer bindings or shared memory over the limits."""
        name, lim = self.info.entry_point, self.ctx.limits
        have = self.device.enabled_features
        for cap in sorted(self.info.capabilities):
            if cap in feat.CORE_CAPABILITIES:
                continue
            need = feat.CAPABILITY_FEATURES.get(cap)
            if need is None:
                raise CompilationError(f"kernel {name!r} declares capability {cap}, which the "
                                       f"runtime does not enable on {self.device.name}")
            if not have.intersection(need):
                raise CompilationError(f"kernel {name!r} needs capability {cap} (device feature "
                                       f"{' or '.join(need)}) which {self.device.name} lacks")
        checks = (
            ("push constants", self.info.push_constant_size, lim.max_push_constants_size,
             "maxPushConstantsSize", " bytes"),
            ("storage buffers", len(self.info.bindings), lim.max_storage_buffer_bindings,
             "maxPerStageDescriptorStorageBuffers", ""),
            ("a binding number", max(self.info.bindings, default=0), MAX_BINDING_NUMBER,
             "the runtime's binding-number ceiling", ""),
            ("shared memory", self.info.shared_memory_size, lim.max_compute_shared_memory_size,
             "maxComputeSharedMemorySize", " bytes"),
        )
        for what, value, limit, limit_name, unit in checks:
            if value > limit:
                raise CompilationError(f"kernel {name!r}: {what} of {value}{unit} exceeds "
                                       f"{limit_name} ({limit}{unit}) of {self.device.name}")

    @property
    def entry_point(self) -> str:
        return self.info.entry_point

    @property
    def binding_count(self) -> int:
        return len(self.info.bindings)

    @property
    def push_constant_size(self) -> int:
        return self.info.push_constant_size

    @property
    def default_local_size(self) -> tuple[int, int, int]:
        return self.info.local_size

    # -- launch parameters ----------------------------------------------------------

    def resolve_local(self, local) -> tuple[int, int, int]:
        """The local size to use: `local`, or the module default for None / (0, 0, 0)."""
        local = self.info.local_size if local is None else _triple(local, "local size")
        if local == (0, 0, 0):
            local = self.info.local_size
        problem = self._local_problem(local)
        if problem:
            raise InvalidParameterError(problem)
        return local

    def _local_problem(self, local: tuple[int, int, int]) -> str | None:
        """Why `local` cannot be used on this device with this module, or None."""
        lim = self.ctx.limits
        for i, (n, spec) in enumerate(zip(local, self.info.local_size_spec_ids)):
            if n < 1 or n > lim.max_compute_work_group_size[i]:
                return (f"local size {local}: dimension {i} must be 1.."
                        f"{lim.max_compute_work_group_size[i]}")
            if spec is None and n != self.info.local_size[i]:
                return f"local size {local}: the module fixes dimension {i} to {self.info.local_size[i]}"
        if local[0] * local[1] * local[2] > lim.max_compute_work_group_invocations:
            return f"local size {local} exceeds {lim.max_compute_work_group_invocations} invocations"
        return None

    def local_1d(self) -> tuple[int, int, int]:
        """Local size of a 1-D launch: x by the local-size policy from 256 (kept as a
        hint: the global size does not shrink it), within the invocations the fixed
        y and z leave; fixed dims kept."""
        lim = self.ctx.limits
        dims = [n if spec is None else 1 for n, spec in zip(self.info.local_size, self.info.local_size_spec_ids)]
        if self.info.local_size_spec_ids[0] is not None:
            rest = dims[1] * dims[2]
            x_limits = (lim.max_compute_work_group_size[0], 1, 1, lim.max_compute_work_group_invocations // rest)
            dims[0] = choose_local_size((DEFAULT_LOCAL_1D, 1, 1), (DEFAULT_LOCAL_1D, 1, 1), x_limits,
                                        hinted=True)[0]
        x, y, z = dims
        return (x, y, z)

    def groups(self, global_size, local) -> tuple[int, int, int]:
        glob = _triple(global_size, "global size")
        if any(g < 0 or g > 0xFFFFFFFF for g in glob):
            raise InvalidParameterError(f"global size {glob} out of range")
        groups = tuple(-(-g // n) for g, n in zip(glob, local))
        limit = self.ctx.limits.max_compute_work_group_count
        if any(c > m for c, m in zip(groups, limit)):
            raise InvalidParameterError(f"global size {glob} with local size {local} needs "
                                        f"{groups} work groups; the device allows {limit}")
        return groups

    def push_bytes(self, push) -> bytes:
        size = self.info.push_constant_size
        if type(push) is bytes and len(push) == size:
            return push
        data = bytes(push) if push else b""
        if len(data) > size:
            raise InvalidParameterError(f"{len(data)} push-constant bytes given; the kernel takes {size}")
        return data + bytes(size - len(data))

    def check_buffers(self, buffers: Sequence) -> tuple:
        buffers = tuple(buffers)
        if len(buffers) != len(self.info.bindings):
            raise InvalidParameterError(f"kernel {self.entry_point!r} takes {len(self.info.bindings)} "
                                        f"buffers, {len(buffers)} given")
        for b in buffers:
            if getattr(b, "device", None) is not self.device:
                raise InvalidParameterError("buffer belongs to another device" if hasattr(b, "device")
                                            else f"not a buffer: {b!r}")
        return buffers

    # -- launching ------------------------------------------------------------------

    def check_ranges(self, buffers: tuple, ranges) -> tuple | None:
        """`ranges` ((offset, size) per buffer, or None for a whole buffer) checked:
        inside the buffer, offset a multiple of minStorageBufferOffsetAlignment."""
        if ranges is None:
            return None
        ranges = tuple(ranges)
        if len(ranges) != len(buffers):
            raise InvalidParameterError(f"{len(ranges)} buffer ranges for {len(buffers)} buffers")
        align = self.ctx.limits.min_storage_buffer_offset_alignment
        out: list[tuple[int, int]] = []
        for i, (b, r) in enumerate(zip(buffers, ranges)):
            offset, size = (0, b.size) if r is None else (int(r[0]), int(r[1]))
            if offset < 0 or size <= 0 or offset + size > b.size:
                raise InvalidParameterError(f"binding {i}: range of {size} bytes at offset {offset} "
                                            f"is outside the buffer of {b.size} bytes")
            if offset % align:
                raise InvalidParameterError(f"binding {i}: offset {offset} is not a multiple of the "
                                            f"device's minStorageBufferOffsetAlignment ({align})")
            out.append((offset, size))
        return None if all(r == (0, b.size) for b, r in zip(buffers, out)) else tuple(out)

    def launch(self, buffers: Sequence = (), push=b"", global_size=1, local_size=None,
               wait: bool = True, timeout: float | None = None, ranges=None) -> int:
        """Dispatch ceil(global/local) groups; waits unless wait=False. Returns the serial.
        `ranges`: (offset, size) in bytes per buffer to bind a sub-range (a view).

        The device stays pinned for the whole launch, the wait included, so that no
        other thread can destroy it (and its semaphore) under the wait. `timeout`
        (seconds; None reads SIMPLE_VK_TIMEOUT, unset: no limit) bounds the wait: past
        it, ExecutionError names the kernel (the work itself keeps running)."""
        if not wait:
            return self.launch_async(buffers, push, global_size, local_size, ranges)
        return self.launch_wait(buffers, push, global_size, local_size, ranges, timeout)

    # The two launch paths below do, per launch, only what may change between launches:
    # the launch plan (local size, group counts, pipeline: validated once per (global,
    # local) spelling; the last one made kept by identity, else a dict lookup), a dict lookup
    # of the descriptor set by the buffer tuple (validated once per tuple: count,
    # device, ranges), and under the submitter's pool lock (the one lock a launch takes,
    # besides the queue lock of a submit): the liveness of the kernel and of each buffer
    # (a buffer being freed is refused, never used: Buffer._release reads the buffer's
    # last serial under the same lock, so it waits for every launch that saw it alive),
    # then either the batch's binds and dispatch (non-waiting) or the submit of a
    # pre-recorded command buffer (blocking).

    def launch_async(self, buffers: Sequence = (), push=b"", global_size=1, local_size=None,
                     ranges=None) -> int:
        """Record the launch into the device's batch; returns the serial that will
        signal it. A failure is kept for the next sync (naming this launch), not raised
        (unless the device is gone: then there is no sync to report it)."""
        sub = self.ctx.submitter
        if sub is None:
            raise self._freed()
        try:
            if not self._alive:
                raise self._freed()
            local, groups, pipe, push, bufs, request, bound = self._prepare(
                buffers, push, global_size, local_size, ranges)
            with sub.pool_lock:
                bound = self._check_alive(bufs, request, bound, ranges)
                if pipe is None:                        # no groups: nothing to run
                    return 0
                return sub.dispatch(pipe, self._layout, bound, push, groups, self, self._label)
        except RuntimeFailure as exc:
            if not self.device.alive:
                raise           # no device left to report it at a sync
            sub.defer(f"batched launch {sub.claim_index()} ({self._label})", exc)
            return 0

    def launch_wait(self, buffers: Sequence = (), push=b"", global_size=1, local_size=None,
                    ranges=None, timeout: float | None = None) -> int:
        """A blocking launch: the pre-recorded command buffer of these exact parameters
        (recorded on first use: simultaneous use, so a repeat needs no wait for the
        previous one) submitted after the open batch, then a wait on the timeline
        semaphore. Returns the serial."""
        if not self._alive:
            raise self._freed()
        local, groups, pipe, push, bufs, request, bound = self._prepare(
            buffers, push, global_size, local_size, ranges)
        limit = launch_timeout(timeout) if timeout is not None or self._timeout_env() else None
        device = self.device
        device.pin()
        try:
            sub = self.ctx.submitter
            with sub.pool_lock:
                bound = self._check_alive(bufs, request, bound, ranges)
                if pipe is None:
                    return 0
                rec = self.cache.get(local, groups, bound, push, pipe)
                users = (self, rec, bound, *bufs) if bound is not None else (self, rec)
                serial = sub.submit(rec.cmd, users)     # after the open batch, if any
            sub.wait(serial, timeout=limit, what=self._what_wait)
        finally:
            device.unpin()
        return serial

    def _prepare(self, buffers, push, global_size, local_size, ranges) -> tuple:
        """(local, groups, pipe, push bytes, buffer tuple, request, bound set or None)
        of a launch: its plan, packed push constants and the descriptor set already
        made for these buffers (None: made under the lock by `_check_alive`)."""
        last = self._last_plan
        if last[0] is global_size and last[1] is local_size:
            local, groups, pipe = last[2]
        else:
            try:
                local, groups, pipe = self._plans[(global_size, local_size)]
            except (KeyError, TypeError):
                local, groups, pipe = self.plan(global_size, local_size)
        if type(push) is not bytes or len(push) != self._push_size:
            push = self.push_bytes(push)
        if type(buffers) is not tuple:
            buffers = tuple(buffers)
        key = (buffers, ranges)
        bound = self._requests.get(key) if ranges is None else None   # checked before
        request: tuple | None = key
        if bound is None and (buffers or self._bindings):
            request = self._request(buffers, ranges)
        return local, groups, pipe, push, buffers, request, bound

    def _check_alive(self, buffers: tuple, request, bound, ranges):
        """Under the pool lock: the kernel and every buffer still alive (else the error
        naming it), and the launch's descriptor set (made now when it was not cached or
        was evicted since the lookup)."""
        if not self._alive:
            raise self._freed()
        for b in buffers:
            if not b._alive:
                raise b.dead_error()
        if buffers and (bound is None or bound.dropped):
            bound = self._bound(request, buffers, ranges)
        return bound

    def _freed(self) -> InvalidHandleError:
        """The error of a launch on a dead kernel, naming the device when that is dead
        (freed, or after fork(): made by the parent)."""
        dead = self.device if not self.device.alive else self
        return InvalidHandleError(f"{dead.kind} {dead._gone or 'was freed'}")

    @staticmethod
    def _timeout_env() -> bool:
        return bool(os.environ.get(TIMEOUT_ENV))

    def plan(self, global_size, local_size) -> tuple:
        """(local size, group counts, pipeline or None when there are no groups) of a
        launch, validated (local size against the device and the module, group counts
        against the device); kept per (global, local) spelling, and the last one made
        also by the identity of the sizes given (when immutable: tuples, ints), which a
        caller that passes the same objects again (the Python API does) hits without
        hashing them."""
        local = self.resolve_local(local_size)
        groups = self.groups(global_size, local)
        pipe = None
        if 0 not in groups:
            sub = self.ctx.submitter
            if sub is None:
                raise self._freed()
            with sub.pool_lock:             # the program is destroyed under it
                if not self._alive:
                    raise self._freed()
                pipe = self.program.pipeline(local)
        found = (local, groups, pipe)
        try:
            key = (global_size, local_size)
            hash(key)
        except TypeError:
            return found                # a list: validated every time
        if len(self._plans) >= 256:
            self._plans.clear()
        self._plans[key] = found
        if type(global_size) in _IMMUTABLE and type(local_size) in _IMMUTABLE:
            self._last_plan = (global_size, local_size, found)  # these objects: the next launch's
        return found

    def geometry(self, global_size, local_size) -> tuple[tuple, tuple]:
        """(local size, group counts) for a launch, validated."""
        local, groups, _ = self.plan(global_size, local_size)
        return local, groups

    def _request(self, buffers: tuple, ranges) -> tuple | None:
        """The descriptor-set cache key of a launch's buffers and ranges as given; the
        buffers checked (count, device) unless that key was seen before (a key names
        the buffer objects themselves, so a hit means they passed). None: ranges that
        cannot be a key (lists); checked every time."""
        if ranges is not None and type(ranges) is not tuple:
            ranges = tuple(ranges)
        request: tuple | None = (buffers, ranges)
        try:
            if request in self.cache.requests:
                return request
        except TypeError:
            request = None
        self.check_buffers(buffers)
        return request

    def _bound(self, request, buffers: tuple, ranges):
        """The descriptor set of a launch (pool lock held; buffers seen alive under it)."""
        cache = self.cache
        bound = cache.requests.get(request) if request is not None else None
        if bound is None:
            normal = self.check_ranges(buffers, ranges)
            bound = cache.bound_set(buffers, normal)
            if bound.buffers is buffers:            # made now: the buffers learn of it
                for b in buffers:
                    b.users.add(self)
            if request is not None:
                cache.remember(request, bound)
        return bound

    def launch_timed(self, buffers: Sequence = (), push=b"", global_size=1, local_size=None,
                     ranges=None) -> float:
        """A blocking launch in its own command buffer between two timestamps; returns
        its GPU time in milliseconds."""
        local, groups, pipe = self.plan(global_size, local_size)
        buffers = self.check_buffers(buffers)
        push = self.push_bytes(push)
        stamps = timing.Timestamps.of(self.ctx)
        with self.pinned(), pinned(buffers):
            if pipe is None:
                return 0.0
            sub = self.ctx.submitter
            pair = stamps.acquire()
            try:
                with sub.pool_lock:
                    bound = self._bound(None, buffers, ranges) if buffers else None
                    users = (self, bound, *buffers) if bound is not None else (self,)
                    serial = sub.run(self._record_timed, stamps, pair, pipe, bound, push, groups, users=users)
                sub.wait(serial)
                return stamps.elapsed_ms(pair)
            finally:
                stamps.release(pair)

    def _record_timed(self, cmd, stamps, pair: int, pipe, bound, push: bytes, groups) -> None:
        stamps.record_reset(cmd, pair)
        stamps.record_stamp(cmd, pair, end=False)
        record_dispatch(self.ctx, cmd, pipe, self.program.layout, bound, push, groups)
        stamps.record_stamp(cmd, pair, end=True)

    def launch_1d(self, buffers: Sequence = (), n: int = 1, push=b"", wait: bool = True,
                  timeout: float | None = None) -> int:
        """A 1-D launch over `n` items with a local size the runtime chooses."""
        return self.launch(buffers, push, (n, 1, 1), self.local_1d(), wait, timeout)

    # -- lifetime -------------------------------------------------------------------

    def forget_buffer(self, buffer) -> None:
        """Called by Buffer.free: drop cached sets and recordings that use `buffer`."""
        sub = self.ctx.submitter
        if sub is None:
            return
        with sub.pool_lock:
            if self.program is not None:
                self.cache.forget(buffer)

    def _release(self) -> None:
        """Wait for the kernel's GPU work, then destroy its Vulkan objects (every step
        runs even if an earlier one fails; the first failure is raised). Launches do
        not pin the kernel: they check that it is alive under the pool lock, so once
        this has taken that lock no launch can record it any more."""
        sub = self.ctx.submitter

        def wait():
            with sub.pool_lock:
                serial = self.last_serial
            sub.wait(serial)

        def caches():
            with sub.pool_lock:
                for b in self.cache.buffers():
                    b.users.discard(self)
                self.cache.destroy()

        def program():
            with sub.pool_lock:
                self._plans.clear()
                self._last_plan = _NO_PLAN
                if self.program is not None:
                    self.program.destroy()
                self.program = None  # type: ignore[assignment]  # freed: the kernel is dead

        release_all(wait, caches, program, lambda: self.device.forget(self))

    def __repr__(self) -> str:
        return (f"<Kernel {self.info.entry_point!r} bindings={len(self.info.bindings)} "
                f"push={self.info.push_constant_size} local={self.info.local_size}"
                f"{'' if self.alive else ', freed'}>")
