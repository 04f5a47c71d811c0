"""The loop budget of a target whose driver ends loops after a number of
iterations per work item (`Target.loop_iteration_limit`; lavapipe: 65535).

lavapipe keeps one counter per invocation for all its loops (helpers are inlined):
every pass over a loop's end costs one, the last pass of each loop (the one that
leaves) included; once the total reaches the limit, the loop being run is left as
if its condition had failed. The lowering keeps the same count in a Private
variable (zero at kernel start): +1 on each back edge and +1 on each loop exit, so
the count at a back edge is the driver's. A back edge of a source loop whose
count has reached the limit is one the driver does not take: the work item
records the loop-limit site in the hidden trap buffer (compare-exchange of word 0
from 0 to site + 1, the first writer wins), and the host raises an error naming
the kernel and the limit. The lowering's own small loops (f32 atomic-add retries,
integer pow, fmod) count alike and check at their exit.
"""
from __future__ import annotations

from .. import ir
from .emitter import Emitter
from .resources import KernelGlobals
from .type_map import TypeMap


class LoopBudget:
    """Emits the counting and the check; one per kernel module, shared by its functions."""

    def __init__(self, t: TypeMap, g: KernelGlobals, limit: int, site: int):
        self.t, self.limit, self.site = t, limit, site
        self.counter = g.loop_counter
        self.trap = g.arrays[ir.TRAP_PARAM]

    def _count(self, em: Emitter, passes: int = 1) -> int:
        u32 = self.t.u32
        value = em.emit("OpIAdd", u32, em.emit("OpLoad", u32, self.counter), self.t.const_u32(passes))
        em.emit("OpStore", self.counter, value)
        return value

    def back_edge(self, em: Emitter) -> None:
        """At a source loop's back edge (its continue construct): count it; record
        the trap when the driver would leave the loop here instead."""
        count = self._count(em)
        with em.if_then(em.emit("OpUGreaterThanEqual", self.t.bool, count, self.t.const_u32(self.limit))):
            self._record(em)

    def counted_back_edge(self, em: Emitter) -> None:
        """At the back edge of one of the lowering's own loops: count only (its
        continue block stays one block; the check is at its exit)."""
        self._count(em)

    def exit(self, em: Emitter, check: bool = False, loops: int = 1) -> None:
        """Where `loops` loops are left (a return inside nested loops leaves them
        all): count the driver's last pass over the end of each. `check` (the
        lowering's own loops): record the trap when an earlier back edge of the loop
        reached the limit (the count is then past it)."""
        count = self._count(em, loops)
        if check:
            with em.if_then(em.emit("OpUGreaterThan", self.t.bool, count, self.t.const_u32(self.limit))):
                self._record(em)

    def _record(self, em: Emitter) -> None:
        t = self.t
        element = em.emit("OpAccessChain", self.trap.element_pointer, self.trap.var, t.const_i32(0), t.const_i32(0))
        relaxed = t.semantics("Relaxed")
        em.emit("OpAtomicCompareExchange", t.u32, element, t.scope("Device"), relaxed, relaxed,
                t.const_u32(self.site + 1), t.const_u32(0))
