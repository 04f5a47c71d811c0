"""Scalar conversions between every pair of IR scalar types (see ir.Cast)."""
from __future__ import annotations

import math

import numpy as np

from . import ir
from .lower_context import FunctionContext


def cast(fx: FunctionContext, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
    if src == dst:
        return value
    if dst.is_bool:
        return _to_bool(fx, value, src)
    if src.is_bool:
        one, zero = fx.t.const(dst, 1), fx.t.const(dst, 0)
        return fx.em.emit("OpSelect", fx.t.scalar(dst), value, one, zero)
    if src.is_int and dst.is_int:
        return int_to_int(fx, value, src, dst)
    result = fx.t.scalar(dst)
    if src.is_float and dst.is_float:
        return fx.em.emit("OpFConvert", result, value)
    if src.is_float:
        return _float_to_int(fx, value, src, dst)
    return fx.em.emit("OpConvertSToF" if src.is_signed else "OpConvertUToF", result, value)


def int_to_int(fx: FunctionContext, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
    """Wrap or extend: a signed source sign-extends, an unsigned one zero-extends
    (as Rust's `as`); a change of signedness alone is a bitcast."""
    if src.bits == 32 and dst.bits == 64 and src.is_signed:
        return _sign_extend_32_to_64(fx, value, dst)
    if src.bits != dst.bits:
        widened = ir.ScalarType(src.kind, dst.bits)
        value = fx.em.emit("OpSConvert" if src.is_signed else "OpUConvert", fx.t.scalar(widened), value)
        src = widened
    if src != dst:
        value = fx.em.emit("OpBitcast", fx.t.scalar(dst), value)
    return value


def _sign_extend_32_to_64(fx: FunctionContext, value: int, dst: ir.ScalarType) -> int:
    """i32 -> 64 bits as (zext(x) ^ 2^31) - 2^31 rather than OpSConvert: lavapipe
    (Mesa 22.3, LLVM 15) miscompiles a comparison of an OpSConvert'ed i32 with a
    64-bit constant (`(x as i64) < 5` was false for every x)."""
    u64 = fx.t.scalar(ir.U64)
    wide = fx.em.emit("OpUConvert", u64, fx.em.emit("OpBitcast", fx.t.scalar(ir.U32), value))
    sign = fx.t.const(ir.U64, 1 << 31)
    value = fx.em.emit("OpISub", u64, fx.em.emit("OpBitwiseXor", u64, wide, sign), sign)
    return value if dst == ir.U64 else fx.em.emit("OpBitcast", fx.t.scalar(dst), value)


def _float_to_int(fx: FunctionContext, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
    """Truncation toward zero that saturates at the type's range and gives 0 for
    NaN (Rust's `as`; SPIR-V leaves out-of-range conversions undefined)."""
    ty, tb = fx.t.scalar(dst), fx.t.bool
    low = -(1 << (dst.bits - 1)) if dst.is_signed else 0
    high = (1 << (dst.bits - 1)) if dst.is_signed else (1 << dst.bits)  # first value past the top
    result = fx.em.emit("OpConvertFToS" if dst.is_signed else "OpConvertFToU", ty, value)
    too_big = fx.em.emit("OpFOrdGreaterThanEqual", tb, value, fx.t.const(src, _float_bound(high, src)))
    result = fx.em.emit("OpSelect", ty, too_big, fx.t.const(dst, high - 1), result)
    too_small = fx.em.emit("OpFOrdLessThan", tb, value, fx.t.const(src, _float_bound(low, src)))
    result = fx.em.emit("OpSelect", ty, too_small, fx.t.const(dst, low), result)
    return fx.em.emit("OpSelect", ty, fx.em.emit("OpIsNan", tb, value), fx.t.const(dst, 0), result)


def _float_bound(value: int, t: ir.ScalarType) -> float:
    """`value` (a power of two or 0) as a float of `t`, infinity past its range."""
    largest = float(np.finfo(f"float{t.bits}").max)
    return float(value) if abs(value) <= largest else math.copysign(math.inf, value)


def _to_bool(fx: FunctionContext, value: int, src: ir.ScalarType) -> int:
    zero = fx.t.const(src, 0)
    # `x != 0`, with IEEE semantics for floats: NaN != 0 is true.
    op = "OpFUnordNotEqual" if src.is_float else "OpINotEqual"
    return fx.em.emit(op, fx.t.bool, value, zero)


def bitcast(fx: FunctionContext, value: int, dst_type: int) -> int:
    return fx.em.emit("OpBitcast", dst_type, value)
