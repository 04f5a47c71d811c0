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

from . import ir
from .lower_context import FunctionContext


def exact_rem(fx: FunctionContext, x: int, y: int, t: ir.ScalarType) -> int:
    """fmod(x, y): NaN when x is infinite or NaN, or y is 0 or NaN; x when y is
    infinite; else x - n*y for the integer n = trunc(x / y), exactly."""
    ty, tb, c = fx.t.scalar(t), fx.t.bool, fx.t.const
    finite_x = _finite(fx, x)
    safe = fx.em.emit("OpLogicalAnd", tb, finite_x, fx.em.emit("OpLogicalAnd", tb, _finite(fx, y),
                                                          fx.em.emit("OpFUnordNotEqual", tb, y, c(t, 0.0))))
    a = fx.em.emit("OpSelect", ty, safe, fx.b.glsl(ty, "FAbs", x), c(t, 0.0))
    b = fx.em.emit("OpSelect", ty, safe, fx.b.glsl(ty, "FAbs", y), c(t, 1.0))
    top = _scale_up(fx, a, b, t)
    rest = _reduce(fx, a, b, top, t)
    signed = fx.em.emit("OpSelect", ty, fx.em.emit("OpFOrdLessThan", tb, x, c(t, 0.0)), _exact(fx, "OpFNegate", ty, rest),
                     rest)
    signed = fx.em.emit("OpSelect", ty, fx.em.emit("OpFOrdEqual", tb, x, c(t, 0.0)), x, signed)  # keeps -0
    special = fx.em.emit("OpSelect", ty, fx.em.emit("OpLogicalAnd", tb, finite_x, fx.em.emit("OpIsInf", tb, y)), x,
                      c(t, float("nan")))
    return fx.em.emit("OpSelect", ty, safe, signed, special)


def _finite(fx: FunctionContext, v: int) -> int:
    tb = fx.t.bool
    return fx.em.emit("OpLogicalNot", tb, fx.em.emit("OpLogicalOr", tb, fx.em.emit("OpIsInf", tb, v),
                                               fx.em.emit("OpIsNan", tb, v)))


def _exact(fx: FunctionContext, opname: str, ty: int, *operands: int, result: Optional[int] = None) -> int:
    """An arithmetic instruction the driver may not fuse or reassociate."""
    value = fx.em.emit(opname, ty, *operands, result=result)
    fx.b.decorate(value, "NoContraction")
    return value


def _scale_up(fx: FunctionContext, a: int, b: int, t: ir.ScalarType) -> int:
    """The largest t = b * 2^k with 2t <= a (b itself when a < 2b)."""
    ty = fx.t.scalar(t)
    with fx.em.loop([(ty, b)]) as lp:
        (step,) = lp.values
        lp.enter_while(fx.em.emit("OpFOrdLessThanEqual", fx.t.bool, step, _exact(fx, "OpFSub", ty, a, step)))
        _exact(fx, "OpFMul", ty, step, fx.t.const(t, 2.0), result=lp.next[0])
    return step


def _reduce(fx: FunctionContext, a: int, b: int, top: int, t: ir.ScalarType) -> int:
    """a reduced by each of top, top/2, ..., b that fits: a mod b, in [0, b)."""
    ty, tb = fx.t.scalar(t), fx.t.bool
    with fx.em.loop([(ty, a), (ty, top)]) as lp:
        rest, step = lp.values
        lp.enter_while(fx.em.emit("OpFOrdGreaterThanEqual", tb, step, b))
        fits = fx.em.emit("OpFOrdGreaterThanEqual", tb, rest, step)
        fx.em.emit("OpSelect", ty, fits, _exact(fx, "OpFSub", ty, rest, step), rest, result=lp.next[0])
        _exact(fx, "OpFMul", ty, step, fx.t.const(t, 0.5), result=lp.next[1])
    return rest
