"""Small helpers over kernel IR used while building it."""
from __future__ import annotations

import copy

from ..lowering import ir
from ..lowering.ir.walk import child_blocks, walk_expr


def clone_expr(e: ir.Expr) -> ir.Expr:
    """A copy of the expression tree (IR nodes are never shared between places)."""
    c = copy.copy(e)
    if isinstance(c, ir.Index):
        c.index = clone_expr(c.index)
    elif isinstance(c, ir.Unary):
        c.operand = clone_expr(c.operand)
    elif isinstance(c, (ir.Binary, ir.Logical)):
        c.lhs, c.rhs = clone_expr(c.lhs), clone_expr(c.rhs)
    elif isinstance(c, ir.Select):
        c.cond, c.then, c.otherwise = clone_expr(c.cond), clone_expr(c.then), clone_expr(c.otherwise)
    elif isinstance(c, ir.Cast):
        c.value = clone_expr(c.value)
    elif isinstance(c, (ir.Call, ir.Builtin)):
        c.args = [clone_expr(a) for a in c.args]
    elif isinstance(c, ir.Atomic):
        c.index = clone_expr(c.index)
        c.args = [clone_expr(a) for a in c.args]
    return c


def has_effects(e: ir.Expr) -> bool:
    """Whether evaluating `e` twice could differ from once (calls, atomics). A bounds
    trap's own atomics do not count: they run only on the way to ending the work item
    (the checked access they guard)."""
    return any(isinstance(x, ir.Call) or isinstance(x, ir.Atomic) and x.base != ir.TRAP_PARAM
               for x in walk_expr(e))


def always_returns(block: ir.Block) -> bool:
    """Whether every path through `block` ends in a `Return` (or loops forever)."""
    for s in block.stmts:
        if isinstance(s, ir.Return):
            return True
        if isinstance(s, ir.If) and always_returns(s.then) and always_returns(s.otherwise):
            return True
        if isinstance(s, ir.Loop) and s.cond is None and not _breaks(s.body):
            return True
    return False


def _breaks(block: ir.Block) -> bool:
    """Whether a `Break` in `block` (not in a nested loop) leaves the loop."""
    for s in block.stmts:
        if isinstance(s, ir.Break):
            return True
        if isinstance(s, ir.If) and any(_breaks(b) for b in child_blocks(s)):
            return True
    return False
