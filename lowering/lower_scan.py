"""Quick passes over function bodies for what the lowering must know before it
emits code: the helpers a kernel calls and the arrays whose f32 atomic adds
become compare-exchange loops. (A flat, stack-based walk: cheaper than the
generator walks of ir_walk, and lowering time matters.)"""
from __future__ import annotations

from typing import Union

from . import ir
from .errors import LoweringError


def expressions(block: ir.Block) -> list[ir.Expr]:
    """Every expression in `block`, nested ones included, in ir_walk.all_exprs order
    (statements pre-order; each statement's expressions pre-order)."""
    found: list[ir.Expr] = []
    stmts = list(reversed(block.stmts))
    while stmts:
        s = stmts.pop()
        t = type(s)
        if t is ir.Assign:
            _preorder(s.target, found)
            _preorder(s.value, found)
        elif t is ir.ExprStmt:
            _preorder(s.expr, found)
        elif t is ir.If:
            _preorder(s.cond, found)
            stmts.extend(reversed(s.otherwise.stmts))
            stmts.extend(reversed(s.then.stmts))
        elif t is ir.Loop:
            if s.cond is not None:
                _preorder(s.cond, found)
            stmts.extend(reversed(s.step.stmts))
            stmts.extend(reversed(s.body.stmts))
        elif t is ir.Return and s.value is not None:
            _preorder(s.value, found)
    return found


def _preorder(root: ir.Expr, found: list[ir.Expr]) -> None:
    stack = [root]
    while stack:
        e = stack.pop()
        found.append(e)
        children = _children(e)
        if children:
            stack.extend(reversed(children))


def _children(e: ir.Expr) -> tuple:
    t = type(e)
    if t is ir.Binary or t is ir.Logical:
        return e.lhs, e.rhs
    if t is ir.Index:
        return (e.index,)
    if t is ir.Unary:
        return (e.operand,)
    if t is ir.Cast:
        return (e.value,)
    if t is ir.Select:
        return e.cond, e.then, e.otherwise
    if t is ir.Call or t is ir.Builtin:
        return tuple(e.args)
    if t is ir.Atomic:
        return (e.index, *e.args)
    return ()


def called_helpers(module: ir.Module, root: Union[ir.Kernel, ir.Function]) -> list[ir.Function]:
    """Helpers reachable from `root`, callees before callers (the IR has no recursion)."""
    order: list[ir.Function] = []
    seen: set[str] = set()

    def visit(fn: Union[ir.Kernel, ir.Function]) -> None:
        for e in expressions(fn.body):
            if type(e) is ir.Call and e.func not in seen:
                seen.add(e.func)
                try:
                    callee = module.function(e.func)
                except KeyError:
                    raise LoweringError(f"{fn.name}: call of unknown function {e.func!r}") from None
                visit(callee)
                order.append(callee)

    visit(root)
    return order


def float_add_arrays(kernel: ir.Kernel) -> frozenset[str]:
    """Buffers and shared arrays that an f32 atomic add updates."""
    return frozenset(e.base for e in expressions(kernel.body)
                     if type(e) is ir.Atomic and e.op == "add" and e.type is not None and e.type.is_float)
