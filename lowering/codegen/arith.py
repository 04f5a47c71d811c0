"""Unary and binary operators of the IR (see ir.Unary, ir.Binary)."""
from __future__ import annotations

from .. import ir
from ..errors import LoweringError

from .builtin_math import BuiltinLowering
from .emitter import Emitter, Value
from .fmod import FmodLowering



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


class ArithLowering:
    """Unary and binary operators of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter, where: str, builtins: BuiltinLowering, fmod: FmodLowering,
                 exact: bool = False):
        self.where, self.builtins, self.fmod = where, builtins, fmod
        self.exact = exact  # float + - * / decorated NoContraction
        self.em, self.t, self.b = em, em.t, em.b
        self.emit = em.emit

    def unary(self, op: str, operand: Value) -> Value:
        """`op operand`; the result has the operand's type."""
        return Value(self._unary(op, operand.id, operand.type), operand.type)

    def binary(self, op: str, lhs: Value, rhs: Value) -> Value:
        """`lhs op rhs` (both of one type); comparisons give bool."""
        t = lhs.type
        return Value(self._binary(op, lhs.id, rhs.id, t), ir.BOOL if op in ir.COMPARE_OPS else t)

    def _unary(self, op: str, value: int, t: ir.ScalarType) -> int:
        result = self.t.scalar(t)
        if op == "neg":
            return self.emit("OpFNegate" if t.is_float else "OpSNegate", result, value)
        if op == "not":
            return self.emit("OpLogicalNot", result, value)
        if op == "bitnot":
            return self.emit("OpNot", result, value)
        raise LoweringError(f"{self.where}: unknown unary operator {op!r}")

    def _binary(self, op: str, lhs: int, rhs: int, t: ir.ScalarType) -> int:
        """`lhs op rhs` for operands of type `t`."""
        result = self.t.bool if op in ir.COMPARE_OPS else self.t.scalar(t)
        if op == "pow":
            return self.builtins.float_pow(lhs, rhs, t) if t.is_float else self.builtins.int_pow(lhs, rhs, t)
        if op == "rem" and t.is_float:
            return self.fmod.exact_rem(lhs, rhs, t)
        if t.is_bool:
            table = _BOOL
        elif t.is_float:
            table = _FLOAT
        else:
            if op in ("shl", "shr"):
                rhs = self.emit("OpBitwiseAnd", result, rhs, self.t.const(t, t.bits - 1))
                if op == "shl":
                    return self.emit("OpShiftLeftLogical", result, lhs, rhs)
            if op in ("div", "rem"):
                return self._int_divide(op, lhs, rhs, t)
            table = _SIGNED if t.is_signed and op in _SIGNED else _UNSIGNED if op in _UNSIGNED else _INT
        opname = table.get(op)
        if opname is None:
            raise LoweringError(f"{self.where}: operator {op!r} is not defined on {t}")
        value = self.emit(opname, result, lhs, rhs)
        if self.exact and t.is_float and op in _EXACT:
            self.b.decorate(value, "NoContraction")
        return value

    def _int_divide(self, op: str, lhs: int, rhs: int, t: ir.ScalarType) -> int:
        """Integer `/` and `%`, truncating. SPIR-V leaves x / 0 and MIN / -1 undefined
        (a CPU driver may trap); here they are defined as the software backend does:
        x / 0 = 0, x % 0 = 0, MIN / -1 = MIN, MIN % -1 = 0, by dividing by 1 instead.
        A constant divisor other than 0 (and -1 for signed types) needs no care."""
        ty, tb = self.t.scalar(t), self.t.bool
        table = _SIGNED if t.is_signed else _UNSIGNED
        divisor = self.b.int_constant_value(rhs)
        if divisor is not None and divisor != 0 and not (t.is_signed and divisor == -1):
            return self._remainder(lhs, rhs, t) if op == "rem" else self.emit(table[op], ty, lhs, rhs)
        zero, one = self.t.const(t, 0), self.t.const(t, 1)
        by_zero = self.emit("OpIEqual", tb, rhs, zero)
        unsafe = by_zero
        if t.is_signed:
            is_min = self.emit("OpIEqual", tb, lhs, self.t.const(t, -(1 << (t.bits - 1))))
            overflow = self.emit("OpLogicalAnd", tb, is_min, self.emit("OpIEqual", tb, rhs, self.t.const(t, -1)))
            unsafe = self.emit("OpLogicalOr", tb, by_zero, overflow)
        divisor = self.emit("OpSelect", ty, unsafe, one, rhs)
        if op == "rem":
            return self._remainder(lhs, divisor, t)
        return self.emit("OpSelect", ty, by_zero, zero, self.emit(table["div"], ty, lhs, divisor))

    def _remainder(self, lhs: int, rhs: int, t: ir.ScalarType) -> int:
        """Truncating remainder. Signed: lhs - rhs * (lhs / rhs), because the Vulkan
        SPIR-V environment leaves OpSRem undefined for negative operands (without
        VK_KHR_maintenance8), and NVIDIA's driver does return garbage for them."""
        ty = self.t.scalar(t)
        if not t.is_signed:
            return self.emit("OpUMod", ty, lhs, rhs)
        product = self.emit("OpIMul", ty, rhs, self.emit("OpSDiv", ty, lhs, rhs))
        return self.emit("OpISub", ty, lhs, product)
