"""`@simd` bounds policies of vector accesses (bounds.py's, for whole vectors):
vector `k` of a buffer is in range when `0 <= k < len / n`."""
from __future__ import annotations

from ..lowering import ir
from ..lowering.ir import BOOL, I32, I64, U64, ScalarType
from . import bounds
from .check_values import type_of
from .ir_util import clone_expr


def _wide(k: ir.Expr) -> ir.Expr:
    t = I64 if type_of(k).is_signed else U64
    return k if k.type == t else ir.Cast(t, k)


def _vectors(base: str, t: ScalarType, n: int) -> ir.Expr:
    """The number of whole vectors of `n` in `base`, as `t`."""
    return ir.Binary(t, "div", ir.Cast(t, ir.Len(I32, base)), ir.Const(t, n))


def in_range_vector(base: str, k: ir.Expr, n: int) -> ir.Expr:
    """`0 <= k < len(base) / n`."""
    i = _wide(k)
    t = type_of(i)
    below = ir.Binary(BOOL, "lt", i, _vectors(base, t, n))
    if not t.is_signed:
        return below
    return ir.Logical(BOOL, "and", ir.Binary(BOOL, "ge", clone_expr(i), ir.Const(t, 0)), below)


def clamped_vector(base: str, k: ir.Expr, n: int) -> ir.Expr:
    """`k` clamped to the whole vectors of `base` (the nearest vector is accessed)."""
    i = _wide(k)
    t = type_of(i)
    last = ir.Binary(t, "sub", _vectors(base, t, n), ir.Const(t, 1))
    top = ir.Select(t, ir.Binary(BOOL, "ge", i, _vectors(base, t, n)), last, clone_expr(i))
    if not t.is_signed:
        return top
    return ir.Select(t, ir.Binary(BOOL, "lt", clone_expr(i), ir.Const(t, 0)), ir.Const(t, 0), top)


def trap_vector_index(base: str, k: ir.Expr, n: int, site: int) -> ir.Expr:
    """The index of a trapping vector access (as bounds.trap_index): out of range it
    records the vector's last element index `n*k + n-1` (the first one past the end
    is at or before it) before the checked access ends the work item."""
    i = _wide(k)
    t = type_of(i)
    last_element = ir.Binary(t, "add", ir.Binary(t, "mul", i, ir.Const(t, n)), ir.Const(t, n - 1))
    out_of_range = ir.Select(k.type, bounds.recorded(base, last_element, site), clone_expr(k), clone_expr(k))
    return ir.Select(k.type, in_range_vector(base, clone_expr(k), n), clone_expr(k), out_of_range)
