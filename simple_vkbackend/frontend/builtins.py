"""The builtin functions of the language and their spellings (aliases)."""
from __future__ import annotations

from typing import Optional

from ..lowering import ir

# Argument counts of the math builtins; the names come from ir.MATH_BUILTINS.
_ARITY = {"atan2": 2, "pow": 2, "min": 2, "max": 2, "step": 2, "clamp": 3, "fma": 3, "mix": 3,
          "smoothstep": 3}
MATH_ARITY: dict[str, int] = {name: _ARITY.get(name, 1) for name in ir.MATH_BUILTINS}
INT_MATH = frozenset({"abs", "sign", "min", "max", "clamp"})  # also take integers
BOOL_RESULT_MATH = frozenset({"isnan", "isinf"})

ATOMICS: dict[str, str] = {f"atomic_{op}": op for op in ir.ATOMIC_OPS}

# `this.NAME()` -> id builtin of dimension 0
THIS_METHODS = {"index": "global_id", "thread_index": "local_id", "group_index": "group_id"}

AXES = {"x": 0, "y": 1, "z": 2}


def _id_aliases() -> dict[str, tuple[str, Optional[int]]]:
    """`gpu_NAME(d)` and `gpu_NAME_x()` / `_y()` / `_z()` for every id builtin."""
    aliases: dict[str, tuple[str, Optional[int]]] = {}
    for name in ir.ID_BUILTINS:
        aliases[f"gpu_{name}"] = (name, None)
        for axis, dim in AXES.items():
            aliases[f"gpu_{name}_{axis}"] = (name, dim)
    return aliases


ID_ALIASES = _id_aliases()

GPU_NAMESPACE = frozenset({*ir.ID_BUILTINS, *ir.SYNC_BUILTINS, *ATOMICS, "shared_memory"})
