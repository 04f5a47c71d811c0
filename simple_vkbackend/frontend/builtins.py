"""The builtin functions of the language and their spellings (aliases)."""
from __future__ import annotations

from typing import Optional

from ..lowering import ir
from ..lowering.ir_verify import BOOL_MATH_BUILTINS, INT_MATH_BUILTINS, MATH_ARITY

# The math tables are the IR verifier's (the ones every consumer of the IR uses).
INT_MATH = INT_MATH_BUILTINS  # also take integers
BOOL_RESULT_MATH = BOOL_MATH_BUILTINS

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
