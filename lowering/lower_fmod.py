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
    safe = fx.emit("OpLogicalAnd", tb, finite_x, fx.emit("OpLogicalAnd", tb, _finite(fx, y),
                                                          fx.emit("OpFUnordNotEqual", tb, y, c(t, 0.0))))
    a = fx.emit("OpSelect", ty, safe, fx.b.glsl(ty, "FAbs", x), c(t, 0.0))
    b = fx.emit("OpSelect", ty, safe, fx.b.glsl(ty, "FAbs", y), c(t, 1.0))
    top = _scale_up(fx, a, b, t)
    rest = _reduce(fx, a, b, top, t)
    signed = fx.emit("OpSelect", ty, fx.emit("OpFOrdLessThan", tb, x, c(t, 0.0)), _exact(fx, "OpFNegate", ty, rest),
                     rest)
    signed = fx.emit("OpSelect", ty, fx.emit("OpFOrdEqual", tb, x, c(t, 0.0)), x, signed)  # keeps -0
    special = fx.emit("OpSelect", ty, fx.emit("OpLogicalAnd", tb, finite_x, fx.emit("OpIsInf", tb, y)), x,
                      c(t, float("nan")))
    return fx.emit("OpSelect", ty, safe, signed, special)


def _finite(fx: FunctionContext, v: int) -> int:
    tb = fx.t.bool
    return fx.emit("OpLogicalNot", tb, fx.emit("OpLogicalOr", tb, fx.emit("OpIsInf", tb, v),
                                               fx.emit("OpIsNan", tb, v)))


def _exact(fx: FunctionContext, opname: str, ty: int, *operands: int, result: Optional[int] = None) -> int:
    """An arithmetic instruction the driver may not fuse or reassociate."""
    value = fx.b.instr(opname, ty, *operands, result=result)
    fx.b.decorate(value, "NoContraction")
    return value


def _scale_up(fx: FunctionContext, a: int, b: int, t: ir.ScalarType) -> int:
    """The largest t = b * 2^k with 2t <= a (b itself when a < 2b)."""
    ty = fx.t.scalar(t)
    start, header, body, cont, merge = fx.label, *(fx.new_label() for _ in range(4))
    doubled = fx.b.new_id()
    fx.branch(header)
    fx.start_block(header)
    step = fx.emit("OpPhi", ty, b, start, doubled, cont)
    more = fx.emit("OpFOrdLessThanEqual", fx.t.bool, step, _exact(fx, "OpFSub", ty, a, step))
    fx.emit("OpLoopMerge", merge, cont, "None")
    fx.terminate("OpBranchConditional", more, body, merge)
    fx.start_block(body)
    _exact(fx, "OpFMul", ty, step, fx.t.const(t, 2.0), result=doubled)
    fx.branch(cont)
    fx.start_block(cont)
    fx.branch(header)
    fx.start_block(merge)
    return step


def _reduce(fx: FunctionContext, a: int, b: int, top: int, t: ir.ScalarType) -> int:
    """a reduced by each of top, top/2, ..., b that fits: a mod b, in [0, b)."""
    ty, tb = fx.t.scalar(t), fx.t.bool
    start, header, body, cont, merge = fx.label, *(fx.new_label() for _ in range(4))
    a_next, t_next = fx.b.new_id(), fx.b.new_id()
    fx.branch(header)
    fx.start_block(header)
    rest = fx.emit("OpPhi", ty, a, start, a_next, cont)
    step = fx.emit("OpPhi", ty, top, start, t_next, cont)
    more = fx.emit("OpFOrdGreaterThanEqual", tb, step, b)
    fx.emit("OpLoopMerge", merge, cont, "None")
    fx.terminate("OpBranchConditional", more, body, merge)
    fx.start_block(body)
    fits = fx.emit("OpFOrdGreaterThanEqual", tb, rest, step)
    fx.b.instr("OpSelect", ty, fits, _exact(fx, "OpFSub", ty, rest, step), rest, result=a_next)
    _exact(fx, "OpFMul", ty, step, fx.t.const(t, 0.5), result=t_next)
    fx.branch(cont)
    fx.start_block(cont)
    fx.branch(header)
    fx.start_block(merge)
    return rest
