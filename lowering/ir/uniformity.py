"""Uniformity analysis: a work-group barrier must be reached by every work item of the
group or by none. A barrier (or a call of a helper that reaches one) under control flow
that depends on a value that may differ between the work items of a group is reported.

Uniform: constants, scalar parameters, `group_id`, `global_size`, `local_size`,
`num_groups`, `len(buffer)`, loads from buffers and shared arrays at uniform indices,
locals only ever assigned uniform values under uniform control, and results of helpers
that read no per-item id and use no atomics, called with uniform arguments.
Varying: `global_id`, `local_id`, `subgroup_local_id`, `subgroup_elect`, atomics'
results, anything computed from a varying value, and a local assigned under varying
control.

Divergent control: an `if` or a loop whose condition is varying; a loop left by a
`break`, `continue` or `return` under varying control; everything after a `return`
under varying control. A barrier after a divergent `if` (not inside it) is fine: the
work items reconverge there. Helper parameters are taken as uniform inside the helper,
and a call of a helper reaching a barrier counts as a barrier where it is made; a call
with varying arguments of a helper whose barrier sits under control depending on its
parameters is reported at that control.

Cooperative matrix statements (coop_matrix.py) are subgroup operations: every
invocation of a subgroup must run them, so one under varying control is reported
the same way (`BarrierProblem.is_coop`). The analysis knows work-group uniformity
only; a condition on `gpu.subgroup_id()` counts as uniform, one on `local_id` as
varying even where it is the same across a subgroup.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from . import nodes as ir
from .coop_matrix import CoopAssign, CoopStore
from .ops import BuiltinName
from .vector_nodes import VectorLoad, VectorStore
from .visitor import Visitor
from .walk import walk

VARYING_BUILTINS = frozenset({BuiltinName.GLOBAL_ID, BuiltinName.LOCAL_ID, BuiltinName.SUBGROUP_LOCAL_ID,
                              BuiltinName.SUBGROUP_ELECT})
Cause = Union[ir.If, ir.Loop]


@dataclass(frozen=True)
class BarrierProblem:
    """`barrier` (a Builtin or a Call of a helper reaching one) in function `function`
    is reached under `cause` (an If or a Loop whose control is varying)."""

    function: str
    barrier: Union[ir.Expr, CoopAssign, CoopStore]
    cause: Cause

    @property
    def is_coop(self) -> bool:
        """A cooperative matrix statement rather than a barrier."""
        return isinstance(self.barrier, (CoopAssign, CoopStore))

    def message(self) -> str:
        barrier = self.barrier
        kind = "condition" if isinstance(self.cause, ir.If) else "loop"
        if self.is_coop:
            return (f"a cooperative matrix operation is reached under a {kind} that differs between the work "
                    "items of a group; every invocation of a subgroup must run it together")
        what = ("`gpu.barrier()`" if not isinstance(barrier, ir.Call)
                else f"a call of `{barrier.func}` (it reaches a barrier)")
        return (f"{what} is reached under a {kind} that differs between the work items of a group; "
                "every work item of a group must reach a barrier, or none")


def barrier_problems(module: ir.Module) -> list[BarrierProblem]:
    """Every barrier reached under varying control, in kernels and helpers."""
    everything: list[Union[ir.Function, ir.Kernel]] = [*module.functions, *module.kernels]
    summaries = {f.name: _Summary.of(f) for f in everything}
    helpers = {f.name: f for f in module.functions}
    with_barrier = _closure(helpers, summaries, lambda s: s.has_barrier)
    varying_helpers = _closure(helpers, summaries, lambda s: s.reads_varying)
    # helpers whose barrier is under control depending on their parameters: the cause
    # inside the helper, reported at a call with varying arguments
    param_causes: dict[str, Cause] = {}
    for name in sorted(with_barrier):
        found = _FunctionAnalysis(helpers[name], with_barrier, varying_helpers, {}, varying_params=True).run()
        if found:
            param_causes[name] = found[0].cause
    problems: list[BarrierProblem] = []
    for fn in everything:
        summary = summaries[fn.name]
        if summary.has_barrier or summary.calls & with_barrier or (  # else nothing to report
                isinstance(fn, ir.Kernel) and walk(fn.body, (CoopAssign, CoopStore))):
            problems += _FunctionAnalysis(fn, with_barrier, varying_helpers, param_causes).run()
    return problems


@dataclass(frozen=True)
class _Summary:
    """What one walk over a function tells: whether it holds a barrier, whether it reads
    a per-item id or runs an atomic, and which helpers it calls."""

    has_barrier: bool
    reads_varying: bool
    calls: frozenset[str]

    @staticmethod
    def of(fn: Union[ir.Function, ir.Kernel]) -> "_Summary":
        nodes = walk(fn.body, (ir.Builtin, ir.Call, ir.Atomic))
        builtins = [n.name for n in nodes if isinstance(n, ir.Builtin)]
        return _Summary(BuiltinName.BARRIER in builtins,
                        any(b in VARYING_BUILTINS for b in builtins) or any(isinstance(n, ir.Atomic) for n in nodes),
                        frozenset(n.func for n in nodes if isinstance(n, ir.Call)))


def _closure(helpers: dict[str, ir.Function], summaries: dict[str, _Summary], seed) -> set[str]:
    """The helpers whose summary satisfies `seed`, and the helpers calling them, transitively."""
    found = {n for n in helpers if seed(summaries[n])}
    changed = True
    while changed:
        more = {n for n in helpers if n not in found and summaries[n].calls & found}
        changed, found = bool(more), found | more
    return found


class _Varying(Visitor[bool]):
    """Whether an expression may differ between the work items of a group."""

    def __init__(self, varying_names: set[str], varying_helpers: set[str]):
        self.names, self.helpers = varying_names, varying_helpers

    def visit_Expr(self, e: ir.Expr) -> bool:
        return any(self.visit(c) for c in e.children())

    def visit_Var(self, e: ir.Var) -> bool:
        return e.name in self.names

    def visit_Index(self, e: ir.Index) -> bool:
        return e.base in self.names or self.visit(e.index)

    def visit_Builtin(self, e: ir.Builtin) -> bool:
        return e.name in VARYING_BUILTINS or any(self.visit(a) for a in e.args)

    def visit_Atomic(self, e: ir.Atomic) -> bool:
        return True

    def visit_Call(self, e: ir.Call) -> bool:
        return e.func in self.helpers or any(self.visit(a) for a in e.args)


class _FunctionAnalysis(Visitor[None]):
    """Two phases over one function: find the varying locals (a fixpoint), then walk
    the body with the stack of divergent constructs and report barriers under it."""

    def __init__(self, fn: Union[ir.Function, ir.Kernel], with_barrier: set[str], varying_helpers: set[str],
                 param_causes: dict[str, Cause], varying_params: bool = False):
        self.fn, self.with_barrier, self.param_causes = fn, with_barrier, param_causes
        self.names: set[str] = {p.name for p in fn.params} if varying_params else set()
        self.varying = _Varying(self.names, varying_helpers)
        self.causes: list[Cause] = []  # the divergent constructs around the statement
        self.loops: list[ir.Loop] = []
        self.returned: Optional[Cause] = None  # a return under varying control was passed
        self.escaping: dict[int, Cause] = {}  # id(loop) -> the varying if that leaves it early
        self.problems: list[BarrierProblem] = []
        self.reporting = False

    def run(self) -> list[BarrierProblem]:
        while True:  # phase 1: grow the varying names until nothing changes
            before = (len(self.names), len(self.escaping))
            self.walk_body()
            if (len(self.names), len(self.escaping)) == before:
                break
        self.reporting = True
        self.walk_body()
        return self.problems

    def walk_body(self) -> None:
        self.causes, self.loops, self.returned = [], [], None
        self.visit(self.fn.body)

    def cause(self) -> Optional[Cause]:
        if self.causes:
            return self.causes[0]
        return self.returned

    # ----------------------------------------------------------------- statements

    def visit_Block(self, b: ir.Block) -> None:
        for s in b.stmts:
            self.visit(s)

    def visit_Assign(self, s: ir.Assign) -> None:
        self.expr(s.value)
        target = s.target
        if isinstance(target, ir.Index):
            self.expr(target.index)
        if self.cause() is not None or self.varying.visit(s.value) or (
                isinstance(target, ir.Index) and self.varying.visit(target.index)):
            name = target.name if isinstance(target, ir.Var) else target.base
            if isinstance(target, ir.Var) or self.is_private(name):
                self.names.add(name)

    def visit_VectorLoad(self, s: VectorLoad) -> None:
        self.expr(s.index)
        if self.cause() is not None or s.base in self.names or self.varying.visit(s.index):
            self.names.update(t.name for t in s.targets)

    def visit_VectorStore(self, s: VectorStore) -> None:
        for e in (s.index, *s.values):
            self.expr(e)

    def is_private(self, name: str) -> bool:
        return any(loc.name == name for loc in self.fn.locals)

    def visit_ExprStmt(self, s: ir.ExprStmt) -> None:
        self.expr(s.expr)

    def visit_CoopAssign(self, s: CoopAssign) -> None:
        self.coop(s)

    def visit_CoopStore(self, s: CoopStore) -> None:
        self.coop(s)

    def coop(self, s: Union[CoopAssign, CoopStore]) -> None:
        """A matrix statement: its scalar operands may call helpers with barriers, and
        the statement itself must be under uniform control."""
        for e in _scalar_operands(s):
            self.expr(e)
        cause = self.cause()
        if self.reporting and cause is not None:
            self.problems.append(BarrierProblem(self.fn.name, s, cause))

    def visit_If(self, s: ir.If) -> None:
        self.expr(s.cond)
        divergent = self.varying.visit(s.cond)
        if divergent:
            self.causes.append(s)
        self.visit(s.then)
        self.visit(s.otherwise)
        if divergent:
            self.causes.pop()

    def visit_Loop(self, s: ir.Loop) -> None:
        varying_cond = s.cond is not None and self.varying.visit(s.cond)
        cause: Optional[Cause] = self.escaping.get(id(s)) or (s if varying_cond else None)  # the early exit first
        if cause is not None:
            self.causes.append(cause)
        self.loops.append(s)
        if s.cond is not None:
            self.expr(s.cond)
        self.visit(s.body)
        self.visit(s.step)
        self.loops.pop()
        if cause is not None:
            self.causes.pop()

    def leave(self, s: ir.Stmt) -> None:
        """A break/continue/return: under varying control, the enclosing loops (and for a
        return, the rest of the function) diverge."""
        cause = self.causes[-1] if self.causes else None
        if cause is None:
            return
        loops = self.loops if isinstance(s, ir.Return) else self.loops[-1:]
        for loop in loops:
            self.escaping.setdefault(id(loop), cause)
        if isinstance(s, ir.Return) and self.returned is None:
            self.returned = self.causes[0]

    def visit_Break(self, s: ir.Break) -> None:
        self.leave(s)

    def visit_Continue(self, s: ir.Continue) -> None:
        self.leave(s)

    def visit_Return(self, s: ir.Return) -> None:
        if s.value is not None:
            self.expr(s.value)
        self.leave(s)

    # ----------------------------------------------------------------- barriers

    def expr(self, e: ir.Expr) -> None:
        if not self.reporting:
            return
        for node in walk(e, (ir.Builtin, ir.Call)):
            is_barrier = (isinstance(node, ir.Builtin) and node.name == BuiltinName.BARRIER) or (
                isinstance(node, ir.Call) and node.func in self.with_barrier)
            cause = self.cause()
            if is_barrier and cause is None and isinstance(node, ir.Call) and node.func in self.param_causes \
                    and any(self.varying.visit(a) for a in node.args):
                cause = self.param_causes[node.func]  # the helper's condition on a parameter, varying here
            if is_barrier and cause is not None:
                self.problems.append(BarrierProblem(self.fn.name, node, cause))


def _scalar_operands(node: ir.Node) -> list[ir.Expr]:
    """The outermost scalar expressions under a matrix statement or expression."""
    out: list[ir.Expr] = []
    for child in node.children():
        if isinstance(child, ir.Expr):
            out.append(child)
        else:
            out += _scalar_operands(child)
    return out
