"""`@bounds(default=...)` policies of `@simd` kernels, written with the IR the
lowering already knows (no new IR node): every buffer access of a `@simd`
kernel stays a checked `Index` (an index outside 0..len ends the work item);
`clamp` and `zero` first bring the index into range, so the check fires only
for an empty buffer.

    return  a[i]                      (today's checked access)
    clamp   a[clamp(i, 0, len - 1)]   reads and writes the nearest element
    zero    reads: `a[clamp(i)] if 0 <= i < len else 0`; writes: skipped when out of range
"""
from __future__ import annotations

from ..lowering import ir
from ..lowering.ir import BOOL, I32
from .ir_util import clone_expr


def _wide(i: ir.Expr) -> ir.Expr:
    """The index in a 64-bit type of its signedness (no value changes)."""
    t = ir.U64 if not i.type.is_signed else ir.I64
    return i if i.type == t else ir.Cast(t, i)


def _length(base: str, t: ir.ScalarType) -> ir.Expr:
    return ir.Cast(t, ir.Len(I32, base))


def in_range(base: str, index: ir.Expr) -> ir.Expr:
    """`0 <= index < len(base)` (the index is evaluated once per use: no effects)."""
    i = _wide(clone_expr(index))
    below = ir.Binary(BOOL, "lt", i, _length(base, i.type))
    if not i.type.is_signed:
        return below
    return ir.Logical(BOOL, "and", ir.Binary(BOOL, "ge", clone_expr(i), ir.Const(i.type, 0)), below)


def clamped(base: str, index: ir.Expr) -> ir.Expr:
    """`index` clamped to 0..len(base) - 1 (-1 or the top value for an empty buffer,
    which the checked access then refuses)."""
    i = _wide(index)
    t = i.type
    last = ir.Binary(t, "sub", _length(base, t), ir.Const(t, 1))
    top = ir.Select(t, ir.Binary(BOOL, "ge", i, _length(base, t)), last, clone_expr(i))
    if not t.is_signed:
        return top
    return ir.Select(t, ir.Binary(BOOL, "lt", clone_expr(i), ir.Const(t, 0)), ir.Const(t, 0), top)


def read(policy: str, elem: ir.ScalarType, base: str, index: ir.Expr) -> ir.Expr:
    """A checked read of `base[index]` under `policy`."""
    if policy == "clamp":
        return ir.Index(elem, base, clamped(base, index), True)
    if policy == "zero":
        value = ir.Index(elem, base, clamped(base, clone_expr(index)), True)
        return ir.Select(elem, in_range(base, index), value, ir.Const(elem, 0.0 if elem.is_float else 0))
    return ir.Index(elem, base, index, True)


def write_index(policy: str, base: str, index: ir.Expr) -> ir.Expr:
    """The index a write under `policy` stores to (`zero` guards it with `in_range`)."""
    return clamped(base, index) if policy in ("clamp", "zero") else index
