"""Structural equality of kernel IR trees (IR nodes compare by identity otherwise).

Two trees are equal when they have the same node classes and equal fields, in
order. Python value types count (`True` differs from `1`, `1` from `1.0`);
floats compare by value and sign (`0.0` differs from `-0.0`) and every NaN
equals every NaN, since the text form does not keep NaN payloads.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Optional


def ir_equal(a: object, b: object) -> bool:
    """Whether `a` and `b` (modules, items, statements, expressions, types) are equal."""
    return ir_diff(a, b) is None


def ir_diff(a: object, b: object, path: str = "") -> Optional[str]:
    """Where `a` and `b` first differ, as 'PATH: A != B', or None if equal."""
    here = path or type(a).__name__
    if type(a) is not type(b):
        return f"{here}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, float):
        same = (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
        return None if same else f"{here}: {a!r} != {b!r}"
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{here}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            diff = ir_diff(x, y, f"{here}[{i}]")
            if diff:
                return diff
        return None
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            diff = ir_diff(getattr(a, f.name), getattr(b, f.name), f"{here}.{f.name}")
            if diff:
                return diff
        return None
    return None if a == b else f"{here}: {a!r} != {b!r}"
