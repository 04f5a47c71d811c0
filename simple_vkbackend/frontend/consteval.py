"""Compile-time evaluation.

Two kinds: exact arithmetic on untyped literals (Python ints and floats, as Go's
untyped constants), and folding of typed kernel IR expressions with the IR's
semantics (wrap-around, truncating division), used wherever the language needs
a constant: array lengths, range steps, id dimensions, local sizes, `const`.
"""
from __future__ import annotations

import math
import operator
from typing import Optional, Union

import numpy as np

from ..lowering import ir
from .check_values import type_of
from .types import FLOAT_DTYPES, convert_constant, float_of, wrap_int

Number = Union[int, float]
LIMIT = 1 << 64  # untyped integers beyond +-2**64 are rejected as overflow


class FoldError(Exception):
    """A constant operation is invalid (division by zero, overflow)."""


def trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def trunc_rem(a: int, b: int) -> int:
    return a - b * trunc_div(a, b)


def int_pow(a: int, b: int, limit: Optional[int] = LIMIT) -> int:
    """a ** b with the IR's rule for negative exponents."""
    if b < 0:
        return 1 if a == 1 else (1 if b % 2 == 0 else -1) if a == -1 else 0
    if limit is not None and abs(a) >= 2 and b > 130:
        raise FoldError("constant overflows")
    return a ** b


_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor}


def untyped_binary(op: str, a: Number, b: Number) -> Union[Number, bool]:
    """`a op b` on untyped constants, exactly. Raises FoldError."""
    if op in _COMPARE:
        return _COMPARE[op](a, b)
    if op in _BITWISE or op in ("<<", ">>"):
        if isinstance(a, float) or isinstance(b, float):
            raise FoldError(f"`{op}` needs integers")
        if op in _BITWISE:
            return _BITWISE[op](a, b)
        if b < 0:
            raise FoldError("negative shift amount")
        if op == ">>":
            return a >> b
        if b > 64:
            raise FoldError("constant overflows")
        return _check(a << b)
    if op in ("/", "%") and b == 0:
        raise FoldError("division by zero in a constant expression")
    if isinstance(a, float) or isinstance(b, float):
        return _float_op(op, float(a), float(b))
    if op == "/":
        return trunc_div(a, b)
    if op == "%":
        return trunc_rem(a, b)
    if op == "**":
        return _check(int_pow(a, b))
    return _check({"+": operator.add, "-": operator.sub, "*": operator.mul}[op](a, b))


def _float_op(op: str, a: float, b: float) -> float:
    try:
        if op == "**":
            return math.pow(a, b)
        if op == "%":
            return math.fmod(a, b)
        return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op](a, b)
    except (OverflowError, ValueError) as e:
        raise FoldError(f"invalid constant operation ({e})") from None


def _check(v: int) -> int:
    if not -LIMIT <= v <= LIMIT:
        raise FoldError("constant overflows")
    return v


# --------------------------------------------------------------------------- typed IR folding

NOT_CONSTANT = None


def fold(e: ir.Expr, constants: dict[str, ir.Constant]):
    """The value of `e` if it is a compile-time constant, else None. Module
    constants are looked up by name. Raises FoldError for invalid operations.
    A float constant stands for its value rounded to its type (a literal keeps
    the digits written; the backends round it)."""
    if isinstance(e, ir.Const):
        return _typed(e.value, type_of(e))
    if isinstance(e, ir.Var):
        c = constants.get(e.name)
        return _typed(c.value, c.type) if c is not None else None
    if isinstance(e, ir.Cast):
        v = fold(e.value, constants)
        return None if v is None else convert_constant(v, type_of(e), type_of(e.value))
    if isinstance(e, ir.Unary):
        v = fold(e.operand, constants)
        return None if v is None else _unary(e.op, v, type_of(e))
    if isinstance(e, ir.Binary):
        a = fold(e.lhs, constants)
        b = fold(e.rhs, constants) if a is not None else None
        return None if b is None else typed_binary(e.op, a, b, type_of(e.lhs))
    if isinstance(e, ir.Logical):
        a = fold(e.lhs, constants)
        if a is None or (e.op == "and" and not a) or (e.op == "or" and a):
            return a
        return fold(e.rhs, constants)
    if isinstance(e, ir.Select):
        c = fold(e.cond, constants)
        return None if c is None else fold(e.then if c else e.otherwise, constants)
    return None


def _typed(value, t: ir.ScalarType):
    return float_of(value, t) if t.is_float else value


def _unary(op: str, v, t: ir.ScalarType):
    if op == "not":
        return not v
    if op == "bitnot":
        return wrap_int(~v, t)
    return -v if t.is_float else wrap_int(-v, t)


_FLOAT_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                 "rem": np.fmod, "pow": np.power}
_IR_COMPARE = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


def typed_binary(op: str, a, b, t: ir.ScalarType):
    """`a op b` on constants of type `t` with the IR's semantics."""
    if op in _IR_COMPARE:
        return _COMPARE[_IR_COMPARE[op]](a, b)
    if t.is_float:  # in the type, as the software backend computes it (IEEE: x / 0 is inf)
        dtype = FLOAT_DTYPES[t.bits]
        with np.errstate(all="ignore"):
            return float(_FLOAT_UFUNCS[op](dtype(a), dtype(b)))
    if op in ("div", "rem") and b == 0:
        raise FoldError("division by zero in a constant expression")
    if op in ("shl", "shr"):
        amount = b % t.bits
        return wrap_int(a << amount, t) if op == "shl" else wrap_int(a >> amount, t)
    if op == "pow":
        return wrap_int(_wrapping_pow(a, b, t), t)
    fn = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": trunc_div,
          "rem": trunc_rem, "bitand": operator.and_, "bitor": operator.or_,
          "bitxor": operator.xor}[op]
    return wrap_int(fn(a, b), t)


def _wrapping_pow(a: int, b: int, t: ir.ScalarType) -> int:
    if b < 0:
        return int_pow(a, b)
    return pow(a, b, 1 << t.bits)
