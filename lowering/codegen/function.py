"""The codegen of one kernel or helper: a visitor over the IR with a method per
statement and expression kind, emitting through its Emitter (`em`).

Statements follow structured control flow: if/else with OpSelectionMerge, loops with
OpLoopMerge and a continue target that runs the step, break, continue and early
return. Code after a terminator is unreachable and not emitted; a merge block no path
reaches is kept (structured control flow names it) and closed like any other, so
every loop keeps its one back edge. Expressions become instructions in the current
block (short-circuit and conditional expressions may open selection constructs).

The operator, conversion, builtin, subgroup and memory lowerings are helper objects
this class owns (arith, fmod, casts, builtins, subgroup, access), each given the emitter and what else it
uses explicitly, so none of them imports this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from .. import ir
from ..errors import LoweringError
from ..ir.visitor import Visitor
from ..ir.walk import all_exprs, walk_stmts
from ..quirks import ALL_QUIRKS, Quirk
from ..spirv_builder import ModuleBuilder
from .arith import ArithLowering
from .builtin_math import BuiltinLowering
from .casts import CastLowering
from .coop_matrix import CoopLowering
from .emitter import Emitter, Value
from .fmod import FmodLowering
from .loop_budget import LoopBudget
from .memory_access import AccessLowering
from .resources import ArraySlot, KernelGlobals
from .subgroup import SubgroupLowering
from .type_map import TypeMap
from .vector_access import VectorLowering


@dataclass
class LoopTargets:
    merge: int
    cont: int
    broke: bool = False
    continued: bool = False


class FunctionCodegen(Visitor[Optional[Value]]):
    """Lowers one kernel or helper into the module builder `b`; `visit` of an
    expression returns its Value (None for a call or builtin without result).
    `exact`: the kernel's float arithmetic is decorated NoContraction (helpers are
    lowered in the mode of the kernel whose module they are part of); `quirks`: the
    driver workarounds to emit (quirks.py)."""

    def __init__(self, b: ModuleBuilder, t: TypeMap, g: KernelGlobals, module: ir.Module,
                 fn: Union[ir.Kernel, ir.Function], function_ids: dict[str, int],
                 constants: dict[str, ir.Constant], exact: bool = False,
                 quirks: frozenset[Quirk] = ALL_QUIRKS, budget: Optional[LoopBudget] = None):
        self.b, self.t, self.g, self.module, self.fn = b, t, g, module, fn
        self.budget = budget  # loop counting for a target with a loop limit
        self.function_ids = function_ids
        self.constants = constants
        self.is_kernel = isinstance(fn, ir.Kernel)
        self.loops: list[LoopTargets] = []
        self.locals: dict[str, tuple[int, ir.ScalarType]] = {}
        self.params: dict[str, int] = {}  # helper parameters (SSA values)
        self.arrays: dict[str, ArraySlot] = {}
        self.em = Emitter(b, t)
        self.em.budget = budget
        self.emit = self.em.emit
        where = fn.name
        self.casts = CastLowering(self.em, quirks)
        self.fmod = FmodLowering(self.em)
        self.builtins = BuiltinLowering(self.em, where, self.casts, g, quirks)
        self.arith = ArithLowering(self.em, where, self.builtins, self.fmod, exact)
        self.subgroup = SubgroupLowering(self.em, where, g)
        self.access = AccessLowering(self.em, where, self.casts, self.array, self.guard)
        self.vectors = VectorLowering(self.em, self.access, self.array)
        self.coop = CoopLowering(self.em, where, self.expr, self.array, exact)

    def array(self, name: str) -> ArraySlot:
        try:
            return self.arrays[name]
        except KeyError:
            raise LoweringError(f"{self.fn.name}: {name!r} is not a buffer or array here") from None

    def return_early(self) -> None:
        """Leave the function here: a kernel's work item ends; a helper returns a zero."""
        ret = self.fn.ret if isinstance(self.fn, ir.Function) else None
        if self.budget is not None and self.loops:
            self.budget.exit(self.em, loops=len(self.loops))
        if ret is None:
            self.em.terminate("OpReturn")
        else:
            self.em.terminate("OpReturnValue", self.t.null(self.t.scalar(ret)))

    def guard(self, ok: int) -> None:
        """Go on only where `ok` holds; elsewhere leave the function (checked index)."""
        with self.em.unless(ok):
            self.return_early()

    def declare_local(self, local: ir.Local) -> None:
        """A zero-initialised Function variable for a scalar local or private array."""
        b, t = self.b, self.t
        if isinstance(local.type, ir.CoopMatrixType):
            var = self.coop.declare(local)
        elif isinstance(local.type, ir.ArrayType):
            element = t.scalar(local.type.elem)
            array = b.type_array(element, local.type.length)
            var = b.local_variable(t.pointer("Function", array), t.null(array))
            self.arrays[local.name] = ArraySlot(local.name, local.type.elem, var, "Function", element,
                                                t.pointer("Function", element), False, local.type.length)
        else:
            scalar = t.scalar(local.type)
            var = b.local_variable(t.pointer("Function", scalar), t.null(scalar))
            self.locals[local.name] = (var, local.type)
        b.name(var, local.name)

    def generic_visit(self, node: ir.Node) -> Optional[Value]:
        kind = "expression" if isinstance(node, ir.Expr) else "statement"
        raise LoweringError(f"{self.fn.name}: cannot lower {kind} {type(node).__name__}")

    # ------------------------------------------------------------------ statements

    def block(self, blk: ir.Block) -> None:
        for s in blk.stmts:
            if not self.em.live:
                return
            if not isinstance(s, ir.Stmt):
                raise LoweringError(f"{self.fn.name}: cannot lower statement {type(s).__name__}")
            self.visit(s)

    def visit_Assign(self, s: ir.Assign) -> None:
        """The target's index, then the value, then the bounds check and the write
        (the order the software backend uses too)."""
        target = s.target
        if isinstance(target, ir.Var):
            local = self.locals.get(target.name)
            if local is None:
                raise LoweringError(f"{self.fn.name}: assignment to {target.name!r}, which is not a local")
            self.emit("OpStore", local[0], self.expr(s.value).id)
            return
        slot = self.array(target.base)
        index = self.expr(target.index)
        value = self.expr(s.value)
        pointer = self.access.element_pointer(slot, index, target.checked)
        if pointer is not None:
            self.access.store(slot, pointer, value)

    def visit_VectorLoad(self, s: ir.VectorLoad) -> None:
        targets = []
        for target in s.targets:
            local = self.locals.get(target.name)
            if local is None:
                raise LoweringError(f"{self.fn.name}: vector load into {target.name!r}, which is not a local")
            targets.append(local[0])
        self.vectors.load(s, self.expr(s.index), targets)

    def visit_VectorStore(self, s: ir.VectorStore) -> None:
        index = self.expr(s.index)
        self.vectors.store(s, index, [self.expr(v) for v in s.values])

    def visit_ExprStmt(self, s: ir.ExprStmt) -> None:
        self.visit(s.expr)

    def visit_CoopAssign(self, s: ir.CoopAssign) -> None:
        self.coop.assign(s)

    def visit_CoopStore(self, s: ir.CoopStore) -> None:
        self.coop.store(s)

    def visit_If(self, s: ir.If) -> None:
        cond = self.expr(s.cond)
        with self.em.if_else(cond.id, has_else=bool(s.otherwise.stmts)) as sel:
            with sel.then():
                self.block(s.then)
            if s.otherwise.stmts:
                with sel.otherwise():
                    self.block(s.otherwise)

    def visit_Loop(self, s: ir.Loop) -> None:
        self._check_step(s.step)
        header, body, cont, merge = (self.em.new_label() for _ in range(4))
        self.em.branch(header)
        self.em.start_block(header)
        self.emit("OpLoopMerge", merge, cont, "None")
        if s.cond is None:
            self.em.branch(body)
        else:
            check = self.em.new_label()
            self.em.branch(check)
            self.em.start_block(check)
            self.em.terminate("OpBranchConditional", self.expr(s.cond).id, body, merge)
        targets = LoopTargets(merge, cont)
        self.loops.append(targets)
        self.em.start_block(body)
        self.block(s.body)
        if self.em.open:
            targets.continued = targets.continued or not self.em.dead
            self.em.branch(cont)
        self.loops.pop()
        self.em.start_block(cont)
        if targets.continued:
            self.block(s.step)
        if self.em.open:
            if self.budget is not None:
                self.budget.back_edge(self.em)
            self.em.branch(header)
        if s.cond is not None or targets.broke:
            self.em.start_block(merge)
            if self.budget is not None:
                self.budget.exit(self.em)
        else:
            self.em.dead_block(merge)

    def _check_step(self, step: ir.Block) -> None:
        """The step runs in the loop's continue construct, which SPIR-V lets end only
        in the back edge: a return (or @simd bounds check) there has no structured form."""
        checked_vectors = any(s.checked for s in walk_stmts(step) if isinstance(s, (ir.VectorLoad, ir.VectorStore)))
        if _returns(step) or checked_vectors or any(type(e) is ir.Index and e.checked for e in all_exprs(step)):
            raise LoweringError(f"{self.fn.name}: a loop step cannot return or use a checked index; "
                                f"move that code into the loop body")

    def _innermost_loop(self, what: str) -> LoopTargets:
        if not self.loops:
            raise LoweringError(f"{self.fn.name}: {what} outside a loop")
        return self.loops[-1]

    def visit_Break(self, s: ir.Break) -> None:
        loop = self._innermost_loop("break")
        loop.broke = True
        self.em.branch(loop.merge)

    def visit_Continue(self, s: ir.Continue) -> None:
        loop = self._innermost_loop("continue")
        loop.continued = True
        self.em.branch(loop.cont)

    def visit_Return(self, s: ir.Return) -> None:
        if s.value is None:
            self.return_early()
            return
        if self.is_kernel:
            raise LoweringError(f"{self.fn.name}: a kernel returns no value")
        value = self.expr(s.value).id
        if self.budget is not None and self.loops:
            self.budget.exit(self.em, loops=len(self.loops))
        self.em.terminate("OpReturnValue", value)

    # ------------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr) -> Value:
        """`e`'s value (a call or builtin that returns nothing has none: refused)."""
        value = self.visit(e)
        if value is None:
            raise LoweringError(f"{self.fn.name}: {type(e).__name__} returns nothing, but its value is used")
        return value

    def type_of(self, e: ir.Expr) -> ir.ScalarType:
        """`e`'s type (only a call or builtin may have none)."""
        if e.type is None:
            raise LoweringError(f"{self.fn.name}: {type(e).__name__} has no type")
        return e.type

    def visit_CoopLength(self, e: ir.CoopLength) -> Value:
        return self.coop.length(e)

    def visit_Const(self, e: ir.Const) -> Value:
        ty = self.type_of(e)
        return Value(self.t.const(ty, e.value), ty)

    def visit_Var(self, e: ir.Var) -> Value:
        return Value(self._variable(e.name), self.type_of(e))

    def _variable(self, name: str) -> int:
        local = self.locals.get(name)
        if local is not None:
            return self.emit("OpLoad", self.t.scalar(local[1]), local[0])
        param = self.params.get(name)
        if param is not None:
            return param
        member = self.g.push.get(name) if self.is_kernel else None
        if member is not None:
            pointer = self.emit("OpAccessChain", member.pointer, self.g.push_var, self.t.const_i32(member.index))
            value = self.emit("OpLoad", self.t.stored(member.type), pointer)
            if member.type.is_bool:
                value = self.emit("OpINotEqual", self.t.bool, value, self.t.const_u32(0))
            return value
        constant = self.constants.get(name)
        if constant is not None:
            return self.t.const(constant.type, constant.value)
        raise LoweringError(f"{self.fn.name}: unknown name {name!r}")

    def visit_Index(self, e: ir.Index) -> Value:
        slot = self.array(e.base)
        pointer = self.address(slot, e.index, e.checked)
        if pointer is None:
            return Value(self.t.null(self.t.scalar(slot.elem)), slot.elem)
        return self.access.load(slot, pointer)

    def address(self, slot: ArraySlot, index: ir.Expr, checked: bool) -> Optional[int]:
        """The pointer for `slot[index]` (None: a constant index out of bounds)."""
        return self.access.element_pointer(slot, self.expr(index), checked)

    def visit_Len(self, e: ir.Len) -> Value:
        return self.access.len_expr(e.base)

    def visit_Unary(self, e: ir.Unary) -> Value:
        return self.arith.unary(e.op, self.expr(e.operand))

    def visit_Binary(self, e: ir.Binary) -> Value:
        lhs = self.expr(e.lhs)
        return self.arith.binary(e.op, lhs, self.expr(e.rhs))

    def visit_Logical(self, e: ir.Logical) -> Value:
        if e.op not in ("and", "or"):
            raise LoweringError(f"{self.fn.name}: unknown logical operator {e.op!r}")
        lhs = self.expr(e.lhs)
        if is_pure(e.rhs):
            op = "OpLogicalAnd" if e.op == "and" else "OpLogicalOr"
            return Value(self.emit(op, self.t.bool, lhs.id, self.expr(e.rhs).id), ir.BOOL)
        return self.em.short_circuit(lhs, e.op == "and", lambda: self.expr(e.rhs))

    def visit_Select(self, e: ir.Select) -> Value:
        cond, ty = self.expr(e.cond), self.type_of(e)
        if is_pure(e.then) and is_pure(e.otherwise):
            result = self.t.scalar(ty)
            then = self.expr(e.then)
            return Value(self.emit("OpSelect", result, cond.id, then.id, self.expr(e.otherwise).id), ty)
        return self.em.if_value(cond, ty, lambda: self.expr(e.then), lambda: self.expr(e.otherwise))

    def visit_Cast(self, e: ir.Cast) -> Value:
        return self.casts.cast(self.expr(e.value), self.type_of(e))

    def visit_Call(self, e: ir.Call) -> Optional[Value]:
        fn_id = self.function_ids.get(e.func)
        if fn_id is None:
            raise LoweringError(f"{self.fn.name}: call of unknown function {e.func!r}")
        args = [self.expr(a).id for a in e.args]
        result = self.emit("OpFunctionCall", self.t.result(e.type), fn_id, *args)
        return None if e.type is None else Value(result, e.type)

    def visit_Builtin(self, e: ir.Builtin) -> Optional[Value]:
        if e.name in ir.ID_BUILTINS:
            return self.builtins.id_builtin(e.name, e.dim)
        if e.name in ir.SYNC_BUILTINS:
            self.builtins.sync_builtin(e.name)
            return None
        if e.name in ir.MATH_BUILTINS:
            args = [self.expr(a) for a in e.args]
            return self.builtins.math_builtin(e.name, args)
        if e.name in ir.SUBGROUP_BUILTINS:
            return self.subgroup.builtin(e.name, [self.expr(a) for a in e.args])
        raise LoweringError(f"{self.fn.name}: unknown builtin {e.name!r}")

    def visit_Atomic(self, e: ir.Atomic) -> Value:
        slot = self.array(e.base)
        pointer = self.address(slot, e.index, False)
        args = [self.expr(a) for a in e.args]
        if pointer is None:
            return Value(self.t.null(self.t.scalar(slot.elem)), slot.elem)
        return self.access.atomic(slot, pointer, e.op, args)


def _returns(blk: ir.Block) -> bool:
    """True when a return statement is in `blk`, nested blocks included."""
    for s in blk.stmts:
        if isinstance(s, ir.Return):
            return True
        if isinstance(s, ir.If) and (_returns(s.then) or _returns(s.otherwise)):
            return True
        if isinstance(s, ir.Loop) and (_returns(s.body) or _returns(s.step)):
            return True
    return False


_TRAPPING_INT_OPS = ("div", "rem", "pow")


def is_pure(e: ir.Expr) -> bool:
    """True when evaluating `e` has no effect, reads no memory and cannot fault,
    so it may be evaluated even where the source would skip it."""
    if isinstance(e, (ir.Const, ir.Var, ir.Len)):
        return True
    if isinstance(e, (ir.Unary, ir.Cast)):
        return is_pure(e.operand if isinstance(e, ir.Unary) else e.value)
    if isinstance(e, ir.Binary):
        if e.op in _TRAPPING_INT_OPS and not (e.lhs.type and e.lhs.type.is_float and e.op != "pow"):
            return False
        return is_pure(e.lhs) and is_pure(e.rhs)
    if isinstance(e, ir.Logical):
        return is_pure(e.lhs) and is_pure(e.rhs)
    if isinstance(e, ir.Select):
        return is_pure(e.cond) and is_pure(e.then) and is_pure(e.otherwise)
    if isinstance(e, ir.Builtin):
        if e.name in ir.ID_BUILTINS:
            return True
        return e.name in ir.MATH_BUILTINS and e.name != "pow" and all(is_pure(a) for a in e.args)
    return False
