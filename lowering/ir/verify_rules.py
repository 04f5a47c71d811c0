"""The rules of the kernel IR that more than the verifier reads: the builtin tables
(arity, which math builtins take integers, which return bool: the ones every consumer
of the IR should use), and what makes a name, a scalar type or a constant valid."""
from __future__ import annotations

import math
import re
from typing import Optional

import numpy as np

from . import nodes as ir
from .limits import MAX_IDENTIFIER_LENGTH

MATH_ARITY: dict[str, int] = {name: 1 for name in ir.MATH_BUILTINS} | {
    "atan2": 2, "pow": 2, "min": 2, "max": 2, "step": 2,
    "clamp": 3, "fma": 3, "mix": 3, "smoothstep": 3,
}
INT_MATH_BUILTINS = frozenset({"abs", "sign", "min", "max", "clamp"})  # also take integers
BOOL_MATH_BUILTINS = frozenset({"isnan", "isinf"})  # return bool
ATOMIC_INT_TYPES = (ir.I32, ir.U32)
MAX_WORKGROUP_INVOCATIONS = 1024
RESERVED_NAMES = frozenset({"true", "false"})  # the text form's bool literals

FLOAT_MAX = {bits: float(np.finfo(f"float{bits}").max) for bits in (16, 32, 64)}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def const_value_problem(ty: ir.ScalarType, value: object) -> Optional[str]:
    """Why `value` is not a valid literal of `ty` (Python type and range), or None."""
    if ty.is_bool:
        return None if type(value) is bool else f"bool value must be True or False, not {value!r}"
    if ty.is_int:
        if type(value) is not int:
            return f"{ty} value must be a Python int, not {value!r}"
        lo, hi = (-(1 << (ty.bits - 1)), (1 << (ty.bits - 1)) - 1) if ty.is_signed else (0, (1 << ty.bits) - 1)
        return None if lo <= value <= hi else f"value {value} out of range of {ty} ({lo}..{hi})"
    if type(value) is not float:
        return f"{ty} value must be a Python float, not {value!r}"
    if math.isfinite(value) and abs(value) > FLOAT_MAX[ty.bits]:
        return f"value {value!r} out of range of {ty}"
    return None


def name_problem(name: object) -> Optional[str]:
    if not isinstance(name, str) or not _IDENT.match(name):
        return f"name {name!r} is not an identifier"
    if len(name) > MAX_IDENTIFIER_LENGTH:
        return f"name {name[:20]}... has {len(name)} characters, more than {MAX_IDENTIFIER_LENGTH}"
    if name in RESERVED_NAMES:
        return f"name '{name}' is reserved"
    return None


def scalar_type_problem(ty: object) -> Optional[str]:
    return None if isinstance(ty, ir.ScalarType) and ty.name in ir.SCALAR_TYPES else f"{ty!r} is not a scalar type"
