"""Shared arrays start zeroed, on every backend: a kernel that declares shared
arrays begins with a prologue in which each work item of the group zeroes a
strided part of each array, then a barrier. The software backend zeroes them
anyway; on Vulkan, workgroup memory starts undefined. The prologue is the
kernel's first statement, so every work item reaches its barrier (shared arrays
belong to kernels: helpers cannot name them).

    k = local_id(0) + local_size(0) * (local_id(1) + local_size(1) * local_id(2))
    while k < len(s): s[k] = 0; k += local_size(0) * local_size(1) * local_size(2)
    barrier()
"""
from __future__ import annotations

from typing import Callable

from ..lowering import ir
from ..lowering.ir import BOOL, I32
from .ir_util import clone_expr


def _id(name: str, dim: int) -> ir.Expr:
    return ir.Builtin(I32, name, [], dim)


def _mul(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Binary(I32, "mul", a, b)


def _add(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Binary(I32, "add", a, b)


def zero_shared(shared: list[ir.SharedArray], locals_: list[ir.Local], fresh: Callable[[str], str]) -> list[ir.Stmt]:
    """The prologue zeroing `shared` (adds its counter to `locals_`); [] without shared arrays."""
    if not shared:
        return []
    k = fresh("shared_zero")
    locals_.append(ir.Local(k, I32))
    linear = _add(_id("local_id", 0), _mul(_id("local_size", 0), _add(
        _id("local_id", 1), _mul(_id("local_size", 1), _id("local_id", 2)))))
    group = _mul(_mul(_id("local_size", 0), _id("local_size", 1)), _id("local_size", 2))
    out: list[ir.Stmt] = []
    for s in shared:
        elem = s.type.elem
        zero = ir.Const(elem, False if elem == BOOL else 0.0 if elem.is_float else 0)
        counter = ir.Var(I32, k)
        out.append(ir.Assign(ir.Var(I32, k), clone_expr(linear)))
        out.append(ir.Loop(ir.Binary(BOOL, "lt", counter, ir.Const(I32, s.type.length)),
                           ir.Block([ir.Assign(ir.Index(elem, s.name, ir.Var(I32, k)), zero)]),
                           ir.Block([ir.Assign(ir.Var(I32, k), _add(ir.Var(I32, k), clone_expr(group)))])))
    out.append(ir.ExprStmt(ir.Builtin(None, "barrier", [])))
    return out

