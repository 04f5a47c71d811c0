"""Walks and analyses of the kernel IR shared by every consumer, all built on the
nodes' declared children (`Node.children()`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

from . import nodes as ir
from .vector_nodes import VectorLoad, VectorStore
from .coop_matrix import CoopExpr, CoopLength, CoopLoad, CoopMatrixType, CoopMulAdd, CoopStore


def walk(root: ir.Node, only: Union[type, tuple[type, ...]] = ir.Node) -> list:
    """`root` and every node below it that is an instance of `only`, pre-order
    (evaluation order). (The children are read from CHILD_FIELDS here directly,
    without `children()`: the lowering walks every function several times, and
    this is its hottest loop.)"""
    found: list = []
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if isinstance(node, only):
            found.append(node)
        for name in node.CHILD_FIELDS_REVERSED:
            value = getattr(node, name)
            if value is None:
                continue
            if type(value) is list:
                extend(reversed(value))
            else:
                push(value)
    return found


def child_exprs(e: ir.Expr) -> list[ir.Expr]:
    """The direct sub-expressions of `e`, in evaluation order."""
    return e.children()  # type: ignore[return-value]  # an Expr's children are Exprs


def walk_expr(e: ir.Expr) -> list[ir.Expr]:
    """`e` and all its sub-expressions, pre-order."""
    return walk(e)


def walk_stmts(block: ir.Block) -> Iterator[ir.Stmt]:
    """Every statement in `block`, nested ones included, pre-order."""
    return iter(walk(block, ir.Stmt))


def child_blocks(s: ir.Stmt) -> list[ir.Block]:
    """The blocks a statement holds directly (If: then, otherwise; Loop: body, step)."""
    return [c for c in s.children() if type(c) is ir.Block]


def stmt_exprs(s: ir.Stmt) -> list[ir.Expr]:
    """The expressions a statement holds directly (not those of nested blocks)."""
    return [c for c in s.children() if type(c) is not ir.Block]  # type: ignore[misc]  # the rest are Exprs


def all_exprs(block: ir.Block) -> list[ir.Expr]:
    """Every expression in `block`, nested ones included: statements pre-order,
    each statement's expressions pre-order."""
    return walk(block, ir.Expr)


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
    """How the kernel uses each buffer parameter (assignment targets and matrix stores
    are writes, matrix loads reads, atomics both); keyed by parameter name, in
    parameter order."""
    usage = {p.name: BufferUsage() for p in kernel.params if isinstance(p.type, ir.BufferType)}
    for node in walk(kernel.body, (CoopLoad, CoopStore)):
        if node.base in usage:
            if isinstance(node, CoopStore):
                usage[node.base].written = True
            else:
                usage[node.base].read = True
    written_targets = set()
    for s in walk_stmts(kernel.body):
        if isinstance(s, ir.Assign) and isinstance(s.target, ir.Index) and s.target.base in usage:
            usage[s.target.base].written = True
            written_targets.add(id(s.target))
        elif isinstance(s, VectorStore) and s.base in usage:
            usage[s.base].written = True
        elif isinstance(s, VectorLoad) and s.base in usage:
            usage[s.base].read = True
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


def vector_widths(kernel: ir.Kernel) -> dict[str, int]:
    """The buffers the kernel accesses as vectors (`VectorLoad`, `VectorStore`) and
    the element count of those accesses (one per buffer: the verifier checks it)."""
    widths: dict[str, int] = {}
    for s in walk(kernel.body, (VectorLoad, VectorStore)):
        widths.setdefault(s.base, len(s.targets) if isinstance(s, VectorLoad) else len(s.values))
    return widths


def coop_types_of(root: ir.Node) -> list[CoopMatrixType]:
    """The matrix types `root` (a kernel or function: its matrix locals too; a block)
    uses, in first-use order."""
    seen: dict[CoopMatrixType, None] = {}
    for local in getattr(root, "locals", []):
        if isinstance(local.type, CoopMatrixType):
            seen[local.type] = None
    for node in walk(root, (CoopExpr, CoopLength)):
        seen[node.type if isinstance(node, CoopExpr) else node.matrix] = None
    return list(seen)


def coop_mul_adds(root: ir.Node) -> list[CoopMulAdd]:
    return walk(root, CoopMulAdd)
