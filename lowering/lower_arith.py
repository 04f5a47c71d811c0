"""Unary and binary operators of the IR (see ir.Unary, ir.Binary)."""
from __future__ import annotations

from . import ir
from .errors import LoweringError
from .lower_context import FunctionContext
from .lower_fmod import exact_rem
from .lower_math import float_pow, int_pow

_INT = {"add": "OpIAdd", "sub": "OpISub", "mul": "OpIMul", "bitand": "OpBitwiseAnd",
        "bitor": "OpBitwiseOr", "bitxor": "OpBitwiseXor", "eq": "OpIEqual", "ne": "OpINotEqual"}
_SIGNED = {"div": "OpSDiv", "shr": "OpShiftRightArithmetic",
           "lt": "OpSLessThan", "le": "OpSLessThanEqual", "gt": "OpSGreaterThan", "ge": "OpSGreaterThanEqual"}
_UNSIGNED = {"div": "OpUDiv", "shr": "OpShiftRightLogical",
             "lt": "OpULessThan", "le": "OpULessThanEqual", "gt": "OpUGreaterThan", "ge": "OpUGreaterThanEqual"}
# Comparisons follow IEEE: `!=` is true when either side is NaN, the others false.
_FLOAT = {"add": "OpFAdd", "sub": "OpFSub", "mul": "OpFMul", "div": "OpFDiv",
          "eq": "OpFOrdEqual", "ne": "OpFUnordNotEqual", "lt": "OpFOrdLessThan",
          "le": "OpFOrdLessThanEqual", "gt": "OpFOrdGreaterThan", "ge": "OpFOrdGreaterThanEqual"}
_EXACT = ("add", "sub", "mul", "div")
_BOOL = {"bitand": "OpLogicalAnd", "bitor": "OpLogicalOr", "bitxor": "OpLogicalNotEqual",
         "eq": "OpLogicalEqual", "ne": "OpLogicalNotEqual"}


def unary(fx: FunctionContext, op: str, value: int, t: ir.ScalarType) -> int:
    result = fx.t.scalar(t)
    if op == "neg":
        return fx.em.emit("OpFNegate" if t.is_float else "OpSNegate", result, value)
    if op == "not":
        return fx.em.emit("OpLogicalNot", result, value)
    if op == "bitnot":
        return fx.em.emit("OpNot", result, value)
    raise LoweringError(f"{fx.fn.name}: unknown unary operator {op!r}")


def binary(fx: FunctionContext, op: str, lhs: int, rhs: int, t: ir.ScalarType) -> int:
    """`lhs op rhs` for operands of type `t`."""
    result = fx.t.bool if op in ir.COMPARE_OPS else fx.t.scalar(t)
    if op == "pow":
        return float_pow(fx, lhs, rhs, t) if t.is_float else int_pow(fx, lhs, rhs, t)
    if op == "rem" and t.is_float:
        return exact_rem(fx, lhs, rhs, t)
    if t.is_bool:
        table = _BOOL
    elif t.is_float:
        table = _FLOAT
    else:
        if op in ("shl", "shr"):
            rhs = fx.em.emit("OpBitwiseAnd", result, rhs, fx.t.const(t, t.bits - 1))
            if op == "shl":
                return fx.em.emit("OpShiftLeftLogical", result, lhs, rhs)
        if op in ("div", "rem"):
            return _int_divide(fx, op, lhs, rhs, t)
        table = _SIGNED if t.is_signed and op in _SIGNED else _UNSIGNED if op in _UNSIGNED else _INT
    opname = table.get(op)
    if opname is None:
        raise LoweringError(f"{fx.fn.name}: operator {op!r} is not defined on {t}")
    value = fx.em.emit(opname, result, lhs, rhs)
    if t.is_float and op in _EXACT:
        fx.b.decorate(value, "NoContraction")
    return value


def _int_divide(fx: FunctionContext, op: str, lhs: int, rhs: int, t: ir.ScalarType) -> int:
    """Integer `/` and `%`, truncating. SPIR-V leaves x / 0 and MIN / -1 undefined
    (a CPU driver may trap); here they are defined as the software backend does:
    x / 0 = 0, x % 0 = 0, MIN / -1 = MIN, MIN % -1 = 0, by dividing by 1 instead.
    A constant divisor other than 0 (and -1 for signed types) needs no care."""
    ty, tb = fx.t.scalar(t), fx.t.bool
    table = _SIGNED if t.is_signed else _UNSIGNED
    divisor = fx.b.int_constant_value(rhs)
    if divisor is not None and divisor != 0 and not (t.is_signed and divisor == -1):
        return _remainder(fx, lhs, rhs, t) if op == "rem" else fx.em.emit(table[op], ty, lhs, rhs)
    zero, one = fx.t.const(t, 0), fx.t.const(t, 1)
    by_zero = fx.em.emit("OpIEqual", tb, rhs, zero)
    unsafe = by_zero
    if t.is_signed:
        overflow = fx.em.emit("OpLogicalAnd", tb, fx.em.emit("OpIEqual", tb, lhs, fx.t.const(t, -(1 << (t.bits - 1)))),
                           fx.em.emit("OpIEqual", tb, rhs, fx.t.const(t, -1)))
        unsafe = fx.em.emit("OpLogicalOr", tb, by_zero, overflow)
    divisor = fx.em.emit("OpSelect", ty, unsafe, one, rhs)
    if op == "rem":
        return _remainder(fx, lhs, divisor, t)
    return fx.em.emit("OpSelect", ty, by_zero, zero, fx.em.emit(table["div"], ty, lhs, divisor))


def _remainder(fx: FunctionContext, lhs: int, rhs: int, t: ir.ScalarType) -> int:
    """Truncating remainder. Signed: lhs - rhs * (lhs / rhs), because the Vulkan
    SPIR-V environment leaves OpSRem undefined for negative operands (without
    VK_KHR_maintenance8), and NVIDIA's driver does return garbage for them."""
    ty = fx.t.scalar(t)
    if not t.is_signed:
        return fx.em.emit("OpUMod", ty, lhs, rhs)
    product = fx.em.emit("OpIMul", ty, rhs, fx.em.emit("OpSDiv", ty, lhs, rhs))
    return fx.em.emit("OpISub", ty, lhs, product)
