"""IR operations on lane vectors, with the IR's semantics (lowering/ir.py).

Every function computes in the operand type (f32 stays f32, f16 stays f16) and
never warns: integers wrap around, integer division by zero gives 0, float->int
casts saturate (NaN gives 0, as Rust's `as` does).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from simple_vkbackend.lowering import ir

from .errors import SoftwareExecutionError
from .values import dtype_of, unsigned_dtype

_COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
            "gt": np.greater, "ge": np.greater_equal}
_FLOAT_ARITH = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
                "div": np.divide, "rem": np.fmod, "pow": np.power}
_WRAPPING = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
             "bitand": np.bitwise_and, "bitor": np.bitwise_or, "bitxor": np.bitwise_xor}
_BOOL_BITS = {"bitand": np.logical_and, "bitor": np.logical_or, "bitxor": np.logical_xor}


def unary(op: str, t: ir.ScalarType, x: np.ndarray) -> np.ndarray:
    """`neg`, `not` or `bitnot` of a value of type `t`."""
    with np.errstate(all="ignore"):
        if op == "neg" and not t.is_bool:
            return np.negative(x)
        if op == "not" and t.is_bool:
            return np.logical_not(x)
        if op == "bitnot" and t.is_int:
            return np.invert(x)
    raise SoftwareExecutionError(f"unary '{op}' is not defined on {t}")


def binary(op: str, t: ir.ScalarType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The binary operator `op` on two values of type `t`."""
    with np.errstate(all="ignore"):
        if op in _COMPARE:
            return _COMPARE[op](a, b)
        if t.is_float and op in _FLOAT_ARITH:
            return _FLOAT_ARITH[op](a, b)
        if t.is_int:
            return _int_binary(op, t, a, b)
        if t.is_bool and op in _BOOL_BITS:
            return _BOOL_BITS[op](a, b)
    raise SoftwareExecutionError(f"binary '{op}' is not defined on {t}")


def _int_binary(op: str, t: ir.ScalarType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if op in _WRAPPING:
        return _WRAPPING[op](a, b)
    if op in ("div", "rem"):
        return _int_div_rem(op, t, a, b)
    if op == "pow":
        return _int_pow(t, a, b)
    if op in ("shl", "shr"):
        amount = np.bitwise_and(b, t.bits - 1)
        if op == "shr":  # arithmetic on signed dtypes, logical on unsigned ones
            return np.right_shift(a, amount)
        u = unsigned_dtype(t)
        return np.left_shift(a.astype(u), amount.astype(u)).astype(a.dtype)
    raise SoftwareExecutionError(f"binary '{op}' is not defined on {t}")


def _int_div_rem(op: str, t: ir.ScalarType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Truncating division / remainder with the dividend's sign (Rust); x/0 and
    x%0 give 0, MIN/-1 wraps to MIN."""
    zero = b == 0
    minus_one = (b == -1) if t.is_signed else np.zeros_like(zero)
    special = zero | minus_one
    safe = np.where(special, 1, b).astype(a.dtype)
    if t.is_signed:
        rem = np.fmod(a, safe)  # C remainder: sign of the dividend
        quot = (a - rem) // safe  # exact: a - rem is a multiple of safe
        quot = np.where(minus_one, np.negative(a), quot)
    else:
        quot, rem = np.floor_divide(a, safe), np.remainder(a, safe)
    result = quot if op == "div" else rem
    return np.where(zero | (minus_one & (op == "rem")), 0, result).astype(a.dtype)


def _int_pow(t: ir.ScalarType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a**b by squaring, wrapping; a negative exponent gives 0 except for bases
    1 and -1."""
    u = unsigned_dtype(t)
    exponent = (np.where(b < 0, 0, b) if t.is_signed else b).astype(u)
    base, result = a.astype(u), np.ones(len(a), dtype=u)
    one = u.type(1)
    while True:
        result = np.where(exponent & one, result * base, result)
        exponent = exponent >> one
        if not exponent.any():
            break
        base = base * base
    result = result.astype(a.dtype)
    if t.is_signed:
        negative_power = np.where(a == 1, 1, np.where(a == -1, np.where(b & 1, -1, 1), 0))
        result = np.where(b < 0, negative_power, result).astype(a.dtype)
    return result


def cast(src: ir.ScalarType, dst: ir.ScalarType, x: np.ndarray) -> np.ndarray:
    """Conversion per ir.Cast: int<->int wraps, float->int truncates toward zero
    (saturating at the type's range, NaN -> 0), number->bool is `!= 0`."""
    if src == dst:
        return x
    with np.errstate(all="ignore"):
        if dst.is_bool:
            return x != 0
        if src.is_float and dst.is_int:
            return _float_to_int(x, dtype_of(dst))
        return x.astype(dtype_of(dst))


def _float_to_int(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    f = x.astype(np.float64)
    info = np.iinfo(dtype)
    low, high = float(info.min), float(info.max) + 1.0  # both exact powers of two
    in_range = (f >= low) & (f < high)  # False for NaN
    result = np.where(in_range, f, 0.0).astype(dtype)
    result = np.where(f >= high, info.max, result)
    return np.where(f < low, info.min, result).astype(dtype)


# --------------------------------------------------------------------------- math builtins

_FLOAT_MATH = {
    "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
    "acos": np.arccos, "atan": np.arctan, "atan2": np.arctan2, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "exp": np.exp, "exp2": np.exp2, "log": np.log,
    "log2": np.log2, "pow": np.power, "floor": np.floor, "ceil": np.ceil, "trunc": np.trunc,
    "isnan": np.isnan, "isinf": np.isinf,
}
_ANY_MATH = {"abs": np.abs, "sign": np.sign, "min": np.minimum, "max": np.maximum}


def math(name: str, t: ir.ScalarType, args: list[np.ndarray]) -> np.ndarray:
    """The math builtin `name` on arguments of type `t` (see ir.Builtin)."""
    with np.errstate(all="ignore"):
        if name in _ANY_MATH and not t.is_bool:
            return _ANY_MATH[name](*args)
        if name == "clamp" and not t.is_bool:
            x, low, high = args
            return np.minimum(np.maximum(x, low), high)
        if t.is_float and name in _FLOAT_MATH:
            return _FLOAT_MATH[name](*args)
        if t.is_float and name in _SHAPED_MATH:
            return _SHAPED_MATH[name](dtype_of(t).type(1), *args)
    raise SoftwareExecutionError(f"math builtin '{name}' is not defined on {t}")


def _round_half_away(one, x):
    whole = np.trunc(x)
    away = np.abs(x - whole) >= one / 2  # x - trunc(x) is exact
    return np.where(away, whole + np.copysign(one, x), whole).astype(x.dtype)


def _fma(one, a, b, c):
    """a * b + c rounded once, as the one-instruction fma of a GPU: for f16 and f32
    the product is exact in f64 and only the sum rounds (to f64, then to the type: a
    second rounding that can differ from the fused result only in rare ties); f64 keeps
    two roundings (numpy has no fused multiply-add)."""
    if one.dtype.itemsize < 8:
        return (np.float64(1) * a * b + c).astype(one.dtype)
    return a * b + c


def _smoothstep(one, edge0, edge1, x):
    t = np.minimum(np.maximum((x - edge0) / (edge1 - edge0), one * 0), one)
    return t * t * (one * 3 - one * 2 * t)


_SHAPED_MATH: dict[str, Callable[..., np.ndarray]] = {
    "rsqrt": lambda one, x: one / np.sqrt(x),
    "round": _round_half_away,
    "fract": lambda one, x: x - np.floor(x),
    "fma": _fma,
    "mix": lambda one, x, y, a: x * (one - a) + y * a,
    "step": lambda one, edge, x: np.where(x < edge, one * 0, one),
    "smoothstep": _smoothstep,
}
