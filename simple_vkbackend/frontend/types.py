"""Type rules of the front end: implicit widenings, literal ranges, cast hints."""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from ..lowering import ir
from ..lowering.ir import verify as ir_verify
from ..lowering.ir import ScalarType

# The only implicit conversions (exact widenings); everything else needs `as`.
WIDENINGS = frozenset({(ir.I32, ir.I64), (ir.F32, ir.F64), (ir.U32, ir.U64)})

FLOAT_MAX = ir_verify.FLOAT_MAX  # the largest finite value of each float width

# Names that cannot be bound: builtin namespaces and scalar type names.
RESERVED_NAMES = frozenset({"gpu", "math", "this", *ir.SCALAR_TYPES})


def scalar_type(name: str) -> Optional[ScalarType]:
    return ir.SCALAR_TYPES.get(name)


def widens(src: ScalarType, dst: ScalarType) -> bool:
    return (src, dst) in WIDENINGS


INT_RANGES = {
    t: ((-(1 << (t.bits - 1)), (1 << (t.bits - 1)) - 1) if t.is_signed else (0, (1 << t.bits) - 1))
    for t in ir.SCALAR_TYPES.values() if t.is_int
}


def int_range(t: ScalarType) -> tuple[int, int]:
    return INT_RANGES[t]


def wrap_int(value: int, t: ScalarType) -> int:
    """`value` reduced to `t` with two's-complement wrap-around."""
    mask = (1 << t.bits) - 1
    value &= mask
    if t.is_signed and value >> (t.bits - 1):
        value -= 1 << t.bits
    return value


def fits(value, t: ScalarType) -> bool:
    """Whether a constant is representable in `t` (floats: finite and in range)."""
    if t.is_int:
        lo, hi = int_range(t)
        return isinstance(value, int) and lo <= value <= hi
    if t.is_float:
        return math.isfinite(value) and abs(value) <= FLOAT_MAX[t.bits]
    return isinstance(value, bool)


FLOAT_DTYPES = {16: np.float16, 32: np.float32, 64: np.float64}
MANTISSA_BITS = {16: 11, 32: 24, 64: 53}


def float_of(value, t: ScalarType) -> float:
    """`value` (a Python int or float) rounded to the float type `t` as a conversion
    at run time rounds it: to nearest, ties to even, infinite beyond the range."""
    if isinstance(value, int):
        value = _round_int(value, MANTISSA_BITS[t.bits])
    with np.errstate(over="ignore"):
        return float(FLOAT_DTYPES[t.bits](value))


def _round_int(value: int, precision: int) -> float:
    """`value` rounded to `precision` significant bits, exactly (float(int) would
    round to 53 bits first, and rounding twice can differ from rounding once)."""
    magnitude = abs(value)
    shift = magnitude.bit_length() - precision
    if shift > 0:
        q, r = divmod(magnitude, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        magnitude = q << shift
    return float(magnitude) if value >= 0 else -float(magnitude)


def zero(t: ScalarType):
    return False if t.is_bool else 0.0 if t.is_float else 0


def cast_target(a: ScalarType, b: ScalarType) -> ScalarType:
    """The type a mismatched pair is best cast to: float over int, wider over
    narrower, else the left one."""
    if a.is_float != b.is_float:
        return a if a.is_float else b
    if a.is_bool or b.is_bool:
        return a
    return b if b.bits > a.bits else a


def convert_constant(value, t: ScalarType, src: Optional[ScalarType] = None):
    """The value of `value as t` for a constant of type `src` (None: an untyped,
    exact constant), as the conversion computes it at run time: Rust `as` rules,
    float -> int truncates and saturates, NaN -> 0."""
    if src is not None and src.is_float:
        value = float_of(value, src)
    if t.is_bool:
        return value != 0
    if t.is_float:
        return float_of(value, t)
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        lo, hi = int_range(t)
        if math.isinf(value):
            return lo if value < 0 else hi
        return max(lo, min(hi, int(value)))
    return wrap_int(int(value), t)
