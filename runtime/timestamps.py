"""GPU timers: timestamp queries around a dispatch or around a stretch of queue work.

`Timestamps` is a device's query pool, handed out in pairs. A timed launch records
its own command buffer (reset the pair, timestamp, the dispatch with its barriers,
timestamp), submits it, waits and reads the pair; `Interval` writes one timestamp
when opened and one when closed, so it spans everything submitted in between.
Times are milliseconds of GPU time (ticks x timestampPeriod).
"""
from __future__ import annotations

import threading

from . import tracking, vkapi
from .device_context import DeviceContext
from .errors import InvalidParameterError, NotAvailableError

PAIRS = 32


class Timestamps:
    """A device's timestamp query pool (PAIRS start/end pairs)."""

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx = ctx
        vk, ffi = ctx.vk, ctx.ffi
        period = ctx.limits.timestamp_period
        families = vk.vkGetPhysicalDeviceQueueFamilyProperties(ctx.physical.handle)
        self.valid_bits = families[ctx.physical.queue_family].timestampValidBits
        if not period or not self.valid_bits:
            raise NotAvailableError(f"{ctx.physical.info.name} has no timestamps on its compute queue")
        self.period_ns = period
        info = ffi.new("VkQueryPoolCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
            "queryType": vk.VK_QUERY_TYPE_TIMESTAMP, "queryCount": 2 * PAIRS})
        out = ffi.new("VkQueryPool*")
        vkapi.check(ctx.lib.vkCreateQueryPool(ctx.handle, info, ffi.NULL, out), "vkCreateQueryPool")
        self.pool = tracking.created("VkQueryPool", out[0])
        self._free = list(range(PAIRS))
        self._lock = threading.Condition()
        self._results = ffi.new("uint64_t[2]")

    @classmethod
    def of(cls, ctx: DeviceContext) -> "Timestamps":
        """The device's pool, made on first use."""
        found = ctx.extra.get("timestamps")
        if found is None:
            found = ctx.extra["timestamps"] = cls(ctx)
        return found

    def acquire(self) -> int:
        with self._lock:
            while not self._free:
                self._lock.wait()
            return self._free.pop()

    def release(self, pair: int) -> None:
        with self._lock:
            self._free.append(pair)
            self._lock.notify()

    def record_reset(self, cmd, pair: int) -> None:
        self.ctx.lib.vkCmdResetQueryPool(cmd, self.pool, 2 * pair, 2)

    def record_stamp(self, cmd, pair: int, end: bool) -> None:
        vk = self.ctx.vk
        stage = vk.VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT if end else vk.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT
        self.ctx.lib.vkCmdWriteTimestamp(cmd, stage, self.pool, 2 * pair + int(end))

    def elapsed_ms(self, pair: int) -> float:
        """The time between the pair's stamps (their work must be complete)."""
        ctx, vk = self.ctx, self.ctx.vk
        with self._lock:
            vkapi.check(ctx.lib.vkGetQueryPoolResults(
                ctx.handle, self.pool, 2 * pair, 2, 16, self._results, 8,
                vk.VK_QUERY_RESULT_64_BIT | vk.VK_QUERY_RESULT_WAIT_BIT), "vkGetQueryPoolResults")
            mask = (1 << self.valid_bits) - 1 if self.valid_bits < 64 else (1 << 64) - 1
            ticks = (self._results[1] - self._results[0]) & mask
        return ticks * self.period_ns / 1e6

    def destroy(self) -> None:
        ctx, ffi = self.ctx, self.ctx.ffi
        tracking.destroy("VkQueryPool", self.pool, lambda h: ctx.lib.vkDestroyQueryPool(ctx.handle, h, ffi.NULL))


class Interval:
    """GPU time from `start()` to `stop()`: a timestamp submitted at each end."""

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx, self.stamps = ctx, Timestamps.of(ctx)
        self.pair: int | None = None
        self.ms: float | None = None

    def start(self) -> None:
        self.pair = self.stamps.acquire()
        self.ctx.submitter.run(self._record_start)

    def _record_start(self, cmd) -> None:
        assert self.pair is not None  # (set by start)
        self.stamps.record_reset(cmd, self.pair)
        self.stamps.record_stamp(cmd, self.pair, end=False)

    def stop(self) -> float:
        """Stamp the end, wait for it, and return the milliseconds between the stamps."""
        if self.pair is None:
            raise InvalidParameterError("Interval.stop() before start()")
        try:
            serial = self.ctx.submitter.run(self.stamps.record_stamp, self.pair, True)
            self.ctx.submitter.wait(serial)
            self.ms = self.stamps.elapsed_ms(self.pair)
        finally:
            self.stamps.release(self.pair)
        return self.ms
