"""Scalar conversions between every pair of IR scalar types (see ir.Cast)."""
from __future__ import annotations

import math
import numpy as np

from .. import ir

from ..quirks import ALL_QUIRKS, Quirk
from .emitter import Emitter, Value



def _float_bound(value: int, t: ir.ScalarType) -> float:
    """`value` (a power of two or 0) as a float of `t`, infinity past its range."""
    largest = float(np.finfo(f"float{t.bits}").max)
    return float(value) if abs(value) <= largest else math.copysign(math.inf, value)


class CastLowering:
    """Conversions of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter, quirks: frozenset[Quirk] = ALL_QUIRKS):
        self.em, self.t, self.b = em, em.t, em.b
        self.quirks = quirks
        self.emit = em.emit

    def cast(self, value: Value, dst: ir.ScalarType) -> Value:
        """`value` converted to `dst` (see ir.Cast)."""
        return Value(self.convert(value.id, value.type, dst), dst)

    def convert(self, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
        """The id of `value` (of type `src`) converted to `dst`."""
        if src == dst:
            return value
        if dst.is_bool:
            return self._to_bool(value, src)
        if src.is_bool:
            one, zero = self.t.const(dst, 1), self.t.const(dst, 0)
            return self.emit("OpSelect", self.t.scalar(dst), value, one, zero)
        if src.is_int and dst.is_int:
            return self.int_to_int(value, src, dst)
        result = self.t.scalar(dst)
        if src.is_float and dst.is_float:
            return self.emit("OpFConvert", result, value)
        if src.is_float:
            return self._float_to_int(value, src, dst)
        return self.emit("OpConvertSToF" if src.is_signed else "OpConvertUToF", result, value)

    def int_to_int(self, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
        """Wrap or extend: a signed source sign-extends, an unsigned one zero-extends
        (as Rust's `as`); a change of signedness alone is a bitcast."""
        if src.bits == 32 and dst.bits == 64 and src.is_signed and Quirk.SCONVERT_COMPARE in self.quirks:
            return self._sign_extend_32_to_64(value, dst)
        if src.bits != dst.bits:
            widened = ir.ScalarType(src.kind, dst.bits)
            value = self.emit("OpSConvert" if src.is_signed else "OpUConvert", self.t.scalar(widened), value)
            src = widened
        if src != dst:
            value = self.emit("OpBitcast", self.t.scalar(dst), value)
        return value

    def _sign_extend_32_to_64(self, value: int, dst: ir.ScalarType) -> int:
        """i32 -> 64 bits as (zext(x) ^ 2^31) - 2^31 rather than OpSConvert (quirk
        SCONVERT_COMPARE): lavapipe (Mesa 22.3, LLVM 15) miscompiles a comparison of an OpSConvert'ed i32 with a
        64-bit constant (`(x as i64) < 5` was false for every x)."""
        u64 = self.t.scalar(ir.U64)
        wide = self.emit("OpUConvert", u64, self.emit("OpBitcast", self.t.scalar(ir.U32), value))
        sign = self.t.const(ir.U64, 1 << 31)
        value = self.emit("OpISub", u64, self.emit("OpBitwiseXor", u64, wide, sign), sign)
        return value if dst == ir.U64 else self.emit("OpBitcast", self.t.scalar(dst), value)

    def _float_to_int(self, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
        """Truncation toward zero that saturates at the type's range and gives 0 for
        NaN (Rust's `as`; SPIR-V leaves out-of-range conversions undefined)."""
        ty, tb = self.t.scalar(dst), self.t.bool
        low = -(1 << (dst.bits - 1)) if dst.is_signed else 0
        high = (1 << (dst.bits - 1)) if dst.is_signed else (1 << dst.bits)  # first value past the top
        result = self.emit("OpConvertFToS" if dst.is_signed else "OpConvertFToU", ty, value)
        too_big = self.emit("OpFOrdGreaterThanEqual", tb, value, self.t.const(src, _float_bound(high, src)))
        result = self.emit("OpSelect", ty, too_big, self.t.const(dst, high - 1), result)
        too_small = self.emit("OpFOrdLessThan", tb, value, self.t.const(src, _float_bound(low, src)))
        result = self.emit("OpSelect", ty, too_small, self.t.const(dst, low), result)
        return self.emit("OpSelect", ty, self.emit("OpIsNan", tb, value), self.t.const(dst, 0), result)

    def _to_bool(self, value: int, src: ir.ScalarType) -> int:
        zero = self.t.const(src, 0)
        # `x != 0`, with IEEE semantics for floats: NaN != 0 is true.
        op = "OpFUnordNotEqual" if src.is_float else "OpINotEqual"
        return self.emit(op, self.t.bool, value, zero)

    def bitcast(self, value: int, dst_type: int) -> int:
        return self.emit("OpBitcast", dst_type, value)
