"""Expressions: each IR expression becomes instructions in the current block
(short-circuit and conditional expressions may open selection constructs)."""
from __future__ import annotations

from typing import Callable, Optional

from . import ir
from .errors import LoweringError
from .lower_arith import binary, unary
from .lower_cast import cast
from .lower_context import FunctionContext
from .lower_globals import ArraySlot
from .lower_math import id_builtin, math_builtin, sync_builtin
from .lower_memory import atomic, element_pointer, len_expr, load


def expr(fx: FunctionContext, e: ir.Expr) -> Optional[int]:
    """The id of `e`'s value (None for a call or builtin that returns nothing)."""
    handler = _HANDLERS.get(type(e))
    if handler is None:
        raise LoweringError(f"{fx.fn.name}: cannot lower expression {type(e).__name__}")
    return handler(fx, e)


def _const(fx: FunctionContext, e: ir.Const) -> int:
    return fx.t.const(e.type, e.value)


def _var(fx: FunctionContext, e: ir.Var) -> int:
    name = e.name
    local = fx.locals.get(name)
    if local is not None:
        return fx.em.emit("OpLoad", fx.t.scalar(local[1]), local[0])
    param = fx.params.get(name)
    if param is not None:
        return param
    member = fx.g.push.get(name) if fx.is_kernel else None
    if member is not None:
        pointer = fx.em.emit("OpAccessChain", member.pointer, fx.g.push_var, fx.t.const_i32(member.index))
        value = fx.em.emit("OpLoad", fx.t.stored(member.type), pointer)
        if member.type.is_bool:
            value = fx.em.emit("OpINotEqual", fx.t.bool, value, fx.t.const_u32(0))
        return value
    constant = fx.constants.get(name)
    if constant is not None:
        return fx.t.const(constant.type, constant.value)
    raise LoweringError(f"{fx.fn.name}: unknown name {name!r}")


def _index(fx: FunctionContext, e: ir.Index) -> int:
    slot = fx.array(e.base)
    pointer = address(fx, slot, e.index, e.checked)
    return fx.t.null(fx.t.scalar(slot.elem)) if pointer is None else load(fx, slot, pointer)


def address(fx: FunctionContext, slot: ArraySlot, index: ir.Expr, checked: bool) -> Optional[int]:
    """The pointer for `slot[index]` (None: a constant index out of bounds)."""
    return element_pointer(fx, slot, expr(fx, index), index.type, checked)


def _len(fx: FunctionContext, e: ir.Len) -> int:
    return len_expr(fx, e.base)


def _unary(fx: FunctionContext, e: ir.Unary) -> int:
    return unary(fx, e.op, expr(fx, e.operand), e.type)


def _binary(fx: FunctionContext, e: ir.Binary) -> int:
    lhs = expr(fx, e.lhs)
    return binary(fx, e.op, lhs, expr(fx, e.rhs), e.lhs.type)


def _logical(fx: FunctionContext, e: ir.Logical) -> int:
    if e.op not in ("and", "or"):
        raise LoweringError(f"{fx.fn.name}: unknown logical operator {e.op!r}")
    lhs = expr(fx, e.lhs)
    if is_pure(e.rhs):
        op = "OpLogicalAnd" if e.op == "and" else "OpLogicalOr"
        return fx.em.emit(op, fx.t.bool, lhs, expr(fx, e.rhs))
    return fx.em.short_circuit(lhs, e.op == "and", lambda: expr(fx, e.rhs))


def _select(fx: FunctionContext, e: ir.Select) -> int:
    cond = expr(fx, e.cond)
    result = fx.t.scalar(e.type)
    if is_pure(e.then) and is_pure(e.otherwise):
        then = expr(fx, e.then)
        return fx.em.emit("OpSelect", result, cond, then, expr(fx, e.otherwise))
    return fx.em.if_value(cond, result, lambda: expr(fx, e.then), lambda: expr(fx, e.otherwise))


def _cast(fx: FunctionContext, e: ir.Cast) -> int:
    return cast(fx, expr(fx, e.value), e.value.type, e.type)


def _call(fx: FunctionContext, e: ir.Call) -> Optional[int]:
    fn_id = fx.function_ids.get(e.func)
    if fn_id is None:
        raise LoweringError(f"{fx.fn.name}: call of unknown function {e.func!r}")
    args = [expr(fx, a) for a in e.args]
    return fx.em.emit("OpFunctionCall", fx.t.result(e.type), fn_id, *args)


def _builtin(fx: FunctionContext, e: ir.Builtin) -> Optional[int]:
    if e.name in ir.ID_BUILTINS:
        return id_builtin(fx, e.name, e.dim)
    if e.name in ir.SYNC_BUILTINS:
        sync_builtin(fx, e.name)
        return None
    if e.name in ir.MATH_BUILTINS:
        args = [expr(fx, a) for a in e.args]
        return math_builtin(fx, e.name, args, e.args[0].type)
    raise LoweringError(f"{fx.fn.name}: unknown builtin {e.name!r}")


def _atomic(fx: FunctionContext, e: ir.Atomic) -> int:
    slot = fx.array(e.base)
    pointer = address(fx, slot, e.index, False)
    args = [expr(fx, a) for a in e.args]
    return fx.t.null(fx.t.scalar(slot.elem)) if pointer is None else atomic(fx, slot, pointer, e.op, args)


_HANDLERS: dict[type, Callable] = {
    ir.Const: _const, ir.Var: _var, ir.Index: _index, ir.Len: _len, ir.Unary: _unary,
    ir.Binary: _binary, ir.Logical: _logical, ir.Select: _select, ir.Cast: _cast,
    ir.Call: _call, ir.Builtin: _builtin, ir.Atomic: _atomic,
}

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
