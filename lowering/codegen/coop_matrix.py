"""Cooperative matrices (ir.coop_matrix) as SPV_KHR_cooperative_matrix instructions.

A matrix type is OpTypeCooperativeMatrixKHR with Subgroup scope; a matrix local is a
Function variable of it (no initializer: the front end assigns a matrix where it
declares it). Loads and stores take a pointer to the element at the offset (an
access chain into the buffer or shared array), the layout (RowMajorKHR or
ColumnMajorKHR) and the stride in elements. Element-wise arithmetic is the scalar
opcode on the matrix type; a fill is OpCompositeConstruct of one scalar; scaling a
float matrix is OpMatrixTimesScalar. Every instruction here is a subgroup operation:
the kernel interface asks for the `cooperativeMatrix` feature, and the backend checks
the device's list of shapes (docs/spirv_lowering.md, "Cooperative matrices").
"""
from __future__ import annotations

from typing import Callable

from .. import ir
from ..errors import LoweringError
from .emitter import Emitter, Value
from .resources import ArraySlot

_USE = {"a": 0, "b": 1, "acc": 2}  # MatrixAKHR, MatrixBKHR, MatrixAccumulatorKHR
_LAYOUT = {"row_major": 0, "col_major": 1}  # RowMajorKHR, ColumnMajorKHR
_FLOAT_OPS = {"add": "OpFAdd", "sub": "OpFSub", "mul": "OpFMul", "div": "OpFDiv"}
_INT_OPS = {"add": "OpIAdd", "sub": "OpISub", "mul": "OpIMul"}
_SIGNED = ("MatrixASignedComponentsKHR", "MatrixBSignedComponentsKHR", "MatrixCSignedComponentsKHR",
           "MatrixResultSignedComponentsKHR")


class CoopLowering:
    """Matrix locals, expressions and statements of one kernel, for the codegen
    that owns it; `scalar(e)` lowers a scalar operand, `array(name)` finds a buffer
    or shared array, `exact`: float arithmetic decorated NoContraction."""

    def __init__(self, em: Emitter, where: str, scalar: Callable[[ir.Expr], Value],
                 array: Callable[[str], ArraySlot], exact: bool):
        self.em, self.where, self.scalar, self.array, self.exact = em, where, scalar, array, exact
        self.t, self.b, self.emit = em.t, em.b, em.emit
        self.locals: dict[str, tuple[int, ir.CoopMatrixType]] = {}

    def type(self, t: ir.CoopMatrixType) -> int:
        self.b.capability("CooperativeMatrixKHR")
        self.b.extension("SPV_KHR_cooperative_matrix")
        u32 = self.t.const_u32
        return self.b.type("OpTypeCooperativeMatrixKHR", self.t.scalar(t.elem), self.t.scope("Subgroup"),
                           u32(t.rows), u32(t.cols), u32(_USE[t.use]))

    def declare(self, local: ir.Local) -> int:
        assert isinstance(local.type, ir.CoopMatrixType)  # (the caller's test)
        var = self.b.local_variable(self.t.pointer("Function", self.type(local.type)))
        self.locals[local.name] = (var, local.type)
        return var

    # ------------------------------------------------------------------ statements

    def assign(self, s: ir.CoopAssign) -> None:
        local = self.locals.get(s.name)
        if local is None:
            raise LoweringError(f"{self.where}: {s.name!r} is not a matrix local")
        self.emit("OpStore", local[0], self.matrix(s.value))

    def store(self, s: ir.CoopStore) -> None:
        value = self.matrix(s.value)
        pointer, stride, access = self.pointer(s.base, s.offset, s.stride, s.value.type)
        self.emit("OpCooperativeMatrixStoreKHR", pointer, value, self.t.const_u32(_LAYOUT[s.layout]), stride, *access)

    def length(self, e: ir.CoopLength) -> Value:
        count = self.emit("OpCooperativeMatrixLengthKHR", self.t.u32, self.type(e.matrix))
        return Value(self.emit("OpBitcast", self.t.i32, count), ir.I32)

    def pointer(self, base: str, offset: ir.Expr, stride: ir.Expr,
                t: ir.CoopMatrixType) -> tuple[int, int, tuple[str, ...]]:
        """(pointer to base[offset], the stride's id, the memory operands)."""
        slot = self.array(base)
        if slot.as_bits or slot.storage_class == "Function" or slot.elem != t.elem:
            raise LoweringError(f"{self.where}: a {t} cannot be loaded from or stored to {base!r}")
        index = self.scalar(offset).id
        chain = (index,) if slot.length is not None else (self.t.const_i32(0), index)
        pointer = self.emit("OpAccessChain", slot.element_pointer, slot.var, *chain)
        return pointer, self.scalar(stride).id, self.t.memory_access(slot.storage_class)

    # ------------------------------------------------------------------ expressions

    def matrix(self, e: ir.CoopExpr) -> int:
        """The id of matrix expression `e`'s value."""
        t = e.type
        ty = self.type(t)
        if isinstance(e, ir.CoopVar):
            local = self.locals.get(e.name)
            if local is None:
                raise LoweringError(f"{self.where}: {e.name!r} is not a matrix local")
            return self.emit("OpLoad", ty, local[0])
        if isinstance(e, ir.CoopFill):
            return self.emit("OpCompositeConstruct", ty, self.scalar(e.value).id)
        if isinstance(e, ir.CoopLoad):
            pointer, stride, access = self.pointer(e.base, e.offset, e.stride, t)
            layout = self.t.const_u32(_LAYOUT[e.layout])
            return self.emit("OpCooperativeMatrixLoadKHR", ty, pointer, layout, stride, *access)
        if isinstance(e, ir.CoopMulAdd):
            a, b, c = self.matrix(e.a), self.matrix(e.b), self.matrix(e.c)
            signed = [m.type.elem.is_signed for m in (e.a, e.b, e.c, e)]
            flags = "|".join(f for f, s in zip(_SIGNED, signed) if s)
            if flags:
                return self.emit("OpCooperativeMatrixMulAddKHR", ty, a, b, c, flags)
            return self.emit("OpCooperativeMatrixMulAddKHR", ty, a, b, c)
        if isinstance(e, ir.CoopBinary):
            return self.arith(str(e.op), t, ty, self.matrix(e.lhs), self.matrix(e.rhs))
        if isinstance(e, ir.CoopScale):
            m, s = self.matrix(e.matrix), self.scalar(e.scalar).id
            if t.elem.is_float:
                return self.decorated(self.emit("OpMatrixTimesScalar", ty, m, s))
            return self.arith("mul", t, ty, m, self.emit("OpCompositeConstruct", ty, s))
        if isinstance(e, ir.CoopConvert):
            return self.emit("OpFConvert", ty, self.matrix(e.value))
        raise LoweringError(f"{self.where}: cannot lower matrix expression {type(e).__name__}")

    def arith(self, op: str, t: ir.CoopMatrixType, ty: int, lhs: int, rhs: int) -> int:
        if t.elem.is_float:
            return self.decorated(self.emit(_FLOAT_OPS[op], ty, lhs, rhs))
        opname = _INT_OPS.get(op) or ("OpSDiv" if t.elem.is_signed else "OpUDiv")
        return self.emit(opname, ty, lhs, rhs)

    def decorated(self, value: int) -> int:
        if self.exact:
            self.b.decorate(value, "NoContraction")
        return value
