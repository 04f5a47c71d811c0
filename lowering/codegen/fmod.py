"""Float `%` exactly, as C's fmod and Rust's `%`.

OpFRem is only as precise as `x - y * trunc(x / y)` in Vulkan, which is far off
once the quotient is large (lavapipe: 4.375 for 918052.94 % 4.7115173, exact
4.3619385). The remainder is computed by long division instead, every step an
exact subtraction: with a = |x|, b = |y|, scale t = b up by doubling while
2t <= a, then for t = b*2^k down to b subtract t from a where a >= t (always
t <= a < 2t there, so a - t is exact). At most about two loops of 2 * (exponent
range) steps, and a handful when |x / y| is small.
"""
from __future__ import annotations

from typing import Optional

from .. import ir
from .emitter import Emitter



class FmodLowering:
    """Exact float remainder of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter):
        self.em, self.t, self.b = em, em.t, em.b
        self.emit = em.emit

    def exact_rem(self, x: int, y: int, t: ir.ScalarType) -> int:
        """fmod(x, y): NaN when x is infinite or NaN, or y is 0 or NaN; x when y is
        infinite; else x - n*y for the integer n = trunc(x / y), exactly."""
        ty, tb, c = self.t.scalar(t), self.t.bool, self.t.const
        finite_x = self._finite(x)
        safe = self.emit("OpLogicalAnd", tb, finite_x, self.emit("OpLogicalAnd", tb, self._finite(y),
                                                                 self.emit("OpFUnordNotEqual", tb, y, c(t, 0.0))))
        a = self.emit("OpSelect", ty, safe, self.b.glsl(ty, "FAbs", x), c(t, 0.0))
        b = self.emit("OpSelect", ty, safe, self.b.glsl(ty, "FAbs", y), c(t, 1.0))
        top = self._scale_up(a, b, t)
        rest = self._reduce(a, b, top, t)
        negative = self.emit("OpFOrdLessThan", tb, x, c(t, 0.0))
        signed = self.emit("OpSelect", ty, negative, self._exact("OpFNegate", ty, rest), rest)
        signed = self.emit("OpSelect", ty, self.emit("OpFOrdEqual", tb, x, c(t, 0.0)), x, signed)  # keeps -0
        special = self.emit("OpSelect", ty, self.emit("OpLogicalAnd", tb, finite_x, self.emit("OpIsInf", tb, y)), x,
                            c(t, float("nan")))
        return self.emit("OpSelect", ty, safe, signed, special)

    def _finite(self, v: int) -> int:
        tb = self.t.bool
        return self.emit("OpLogicalNot", tb, self.emit("OpLogicalOr", tb, self.emit("OpIsInf", tb, v),
                                                       self.emit("OpIsNan", tb, v)))

    def _exact(self, opname: str, ty: int, *operands: int, result: Optional[int] = None) -> int:
        """An arithmetic instruction the driver may not fuse or reassociate."""
        value = self.emit(opname, ty, *operands, result=result)
        self.b.decorate(value, "NoContraction")
        return value

    def _scale_up(self, a: int, b: int, t: ir.ScalarType) -> int:
        """The largest t = b * 2^k with 2t <= a (b itself when a < 2b)."""
        ty = self.t.scalar(t)
        with self.em.loop([(ty, b)]) as lp:
            (step,) = lp.values
            lp.enter_while(self.emit("OpFOrdLessThanEqual", self.t.bool, step, self._exact("OpFSub", ty, a, step)))
            self._exact("OpFMul", ty, step, self.t.const(t, 2.0), result=lp.next[0])
        return step

    def _reduce(self, a: int, b: int, top: int, t: ir.ScalarType) -> int:
        """a reduced by each of top, top/2, ..., b that fits: a mod b, in [0, b)."""
        ty, tb = self.t.scalar(t), self.t.bool
        with self.em.loop([(ty, a), (ty, top)]) as lp:
            rest, step = lp.values
            lp.enter_while(self.emit("OpFOrdGreaterThanEqual", tb, step, b))
            fits = self.emit("OpFOrdGreaterThanEqual", tb, rest, step)
            self.emit("OpSelect", ty, fits, self._exact("OpFSub", ty, rest, step), rest, result=lp.next[0])
            self._exact("OpFMul", ty, step, self.t.const(t, 0.5), result=lp.next[1])
        return rest
