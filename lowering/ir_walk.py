"""Traversals and analyses of the kernel IR shared by every consumer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

from . import ir


def child_exprs(e: ir.Expr) -> list[ir.Expr]:
    """The direct sub-expressions of `e`, in evaluation order."""
    if isinstance(e, ir.Index):
        return [e.index]
    if isinstance(e, ir.Unary):
        return [e.operand]
    if isinstance(e, (ir.Binary, ir.Logical)):
        return [e.lhs, e.rhs]
    if isinstance(e, ir.Select):
        return [e.cond, e.then, e.otherwise]
    if isinstance(e, ir.Cast):
        return [e.value]
    if isinstance(e, (ir.Call, ir.Builtin)):
        return list(e.args)
    if isinstance(e, ir.Atomic):
        return [e.index, *e.args]
    return []


def walk_expr(e: ir.Expr) -> Iterator[ir.Expr]:
    """`e` and all its sub-expressions, pre-order."""
    yield e
    for c in child_exprs(e):
        yield from walk_expr(c)


def walk_stmts(block: ir.Block) -> Iterator[ir.Stmt]:
    """Every statement in `block`, nested ones included, pre-order."""
    for s in block.stmts:
        yield s
        for inner in child_blocks(s):
            yield from walk_stmts(inner)


def child_blocks(s: ir.Stmt) -> list[ir.Block]:
    if isinstance(s, ir.If):
        return [s.then, s.otherwise]
    if isinstance(s, ir.Loop):
        return [s.body, s.step]
    return []


def stmt_exprs(s: ir.Stmt) -> list[ir.Expr]:
    """The expressions a statement holds directly (not those of nested blocks)."""
    if isinstance(s, ir.Assign):
        return [s.target, s.value]
    if isinstance(s, ir.ExprStmt):
        return [s.expr]
    if isinstance(s, ir.If):
        return [s.cond]
    if isinstance(s, ir.Loop):
        return [s.cond] if s.cond is not None else []
    if isinstance(s, ir.Return):
        return [s.value] if s.value is not None else []
    return []


def all_exprs(block: ir.Block) -> Iterator[ir.Expr]:
    """Every expression in `block`, nested ones included."""
    for s in walk_stmts(block):
        for e in stmt_exprs(s):
            yield from walk_expr(e)


@dataclass
class BufferUsage:
    read: bool = False
    written: bool = False

    @property
    def access(self) -> str:
        """'read', 'write', 'readwrite', or 'none' (only its length is used)."""
        if self.read and self.written:
            return "readwrite"
        return "read" if self.read else "write" if self.written else "none"


def buffer_usage(kernel: ir.Kernel) -> dict[str, BufferUsage]:
    """How the kernel uses each buffer parameter (assignment targets are writes,
    atomics are both); keyed by parameter name, in parameter order."""
    usage = {p.name: BufferUsage() for p in kernel.params if isinstance(p.type, ir.BufferType)}
    written_targets = set()
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Assign) and isinstance(s.target, ir.Index) and s.target.base in usage:
            usage[s.target.base].written = True
            written_targets.add(id(s.target))
    for e in all_exprs(kernel.body):
        if isinstance(e, ir.Index) and e.base in usage and id(e) not in written_targets:
            usage[e.base].read = True
        elif isinstance(e, ir.Atomic) and e.base in usage:
            usage[e.base].read = usage[e.base].written = True
    return usage


def called_functions(module: ir.Module, root: Union[ir.Kernel, ir.Function]) -> list[ir.Function]:
    """Helpers reachable from `root`, callees before callers (no recursion assumed)."""
    order: list[ir.Function] = []
    seen: set[str] = set()

    def visit(fn: Union[ir.Kernel, ir.Function]) -> None:
        for e in all_exprs(fn.body):
            if isinstance(e, ir.Call) and e.func not in seen:
                seen.add(e.func)
                callee = module.function(e.func)
                visit(callee)
                order.append(callee)

    visit(root)
    return order
