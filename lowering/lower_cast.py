"""Scalar conversions between every pair of IR scalar types (see ir.Cast)."""
from __future__ import annotations

from . import ir
from .lower_context import FunctionContext


def cast(fx: FunctionContext, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
    if src == dst:
        return value
    if dst.is_bool:
        return _to_bool(fx, value, src)
    if src.is_bool:
        one, zero = fx.t.const(dst, 1), fx.t.const(dst, 0)
        return fx.emit("OpSelect", fx.t.scalar(dst), value, one, zero)
    if src.is_int and dst.is_int:
        return int_to_int(fx, value, src, dst)
    result = fx.t.scalar(dst)
    if src.is_float and dst.is_float:
        return fx.emit("OpFConvert", result, value)
    if src.is_float:
        return fx.emit("OpConvertFToS" if dst.is_signed else "OpConvertFToU", result, value)
    return fx.emit("OpConvertSToF" if src.is_signed else "OpConvertUToF", result, value)


def int_to_int(fx: FunctionContext, value: int, src: ir.ScalarType, dst: ir.ScalarType) -> int:
    """Wrap or extend: a signed source sign-extends, an unsigned one zero-extends
    (as Rust's `as`); a change of signedness alone is a bitcast."""
    if src.bits != dst.bits:
        widened = ir.ScalarType(src.kind, dst.bits)
        value = fx.emit("OpSConvert" if src.is_signed else "OpUConvert", fx.t.scalar(widened), value)
        src = widened
    if src != dst:
        value = fx.emit("OpBitcast", fx.t.scalar(dst), value)
    return value


def _to_bool(fx: FunctionContext, value: int, src: ir.ScalarType) -> int:
    zero = fx.t.const(src, 0)
    # `x != 0`, with IEEE semantics for floats: NaN != 0 is true.
    op = "OpFUnordNotEqual" if src.is_float else "OpINotEqual"
    return fx.emit(op, fx.t.bool, value, zero)


def bitcast(fx: FunctionContext, value: int, dst_type: int) -> int:
    return fx.emit("OpBitcast", dst_type, value)
