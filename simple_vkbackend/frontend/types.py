"""Type rules of the front end: implicit widenings, literal ranges, cast hints."""
from __future__ import annotations

import math
from typing import Optional

from ..lowering import ir, ir_verify
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


def float_of(value, t: ScalarType) -> float:
    """`value` as a constant of float type `t`: beyond the type's range it is infinite."""
    value = float(value)
    if math.isnan(value) or abs(value) <= FLOAT_MAX[t.bits]:
        return value
    return math.copysign(math.inf, value)


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


def convert_constant(value, t: ScalarType):
    """The value of `value as t` for a constant (Rust `as` rules; float->int truncates)."""
    if t.is_bool:
        return value != 0
    if t.is_float:
        return float_of(value, t)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return 0
        value = int(value)
    return wrap_int(int(value), t)
