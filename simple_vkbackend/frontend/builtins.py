"""The builtin functions of the language and their spellings (aliases)."""
from __future__ import annotations

from typing import Optional

from ..lowering import ir
from ..lowering.ir.verify import BOOL_MATH_BUILTINS, INT_MATH_BUILTINS, MATH_ARITY  # noqa: F401 - for check_call

# The math tables are the IR verifier's (the ones every consumer of the IR uses).
INT_MATH = INT_MATH_BUILTINS  # also take integers
BOOL_RESULT_MATH = BOOL_MATH_BUILTINS

ATOMICS: dict[str, str] = {f"atomic_{op}": op for op in ir.ATOMIC_OPS}
ATOMICS["atomic_cas"] = "compare_exchange"  # upstream's (and CUDA's) name

# `gpu.NAME()` spellings of the barrier besides `gpu.barrier()`
GPU_SYNC_ALIASES = {"barrier_and_fence": "barrier", "sync": "barrier", "syncthreads": "barrier"}
# bare barrier and fence spellings (underscore and CUDA style)
SYNC_ALIASES = {"gpu_barrier": "barrier", "gpu_sync": "barrier", "gpu_syncthreads": "barrier",
                "gpu_mem_fence": "mem_fence"}
# bare atomics: `gpu_atomic_add(&a[i], v)` ... `gpu_atomic_cas(&a[i], expected, desired)`
ATOMIC_ALIASES = {f"gpu_{name}": name for name in ATOMICS}
# `gpu_shared_mem<T>(n)` is `gpu.shared_memory<T>(n)`
SHARED_MEMORY_NAMES = frozenset({"gpu_shared_mem"})

# `this.NAME()` -> id builtin of dimension 0
THIS_METHODS = {"index": "global_id", "thread_index": "local_id", "group_index": "group_id"}

AXES = {"x": 0, "y": 1, "z": 2}


# CUDA-style names of the ids
CUDA_IDS = {"block_id": "group_id", "thread_id": "local_id", "block_dim": "local_size", "grid_dim": "num_groups"}


def _id_aliases() -> dict[str, tuple[str, Optional[int]]]:
    """`gpu_NAME(d)` and `gpu_NAME_x()` / `_y()` / `_z()` for every id builtin and
    its CUDA-style name, and `vulkan_NAME_x()` ... for every id builtin."""
    aliases: dict[str, tuple[str, Optional[int]]] = {}
    names: dict[str, str] = {**{n: n for n in ir.ID_BUILTINS}, **CUDA_IDS}
    for spelling, name in names.items():
        aliases[f"gpu_{spelling}"] = (name, None)
        for axis, dim in AXES.items():
            aliases[f"gpu_{spelling}_{axis}"] = (name, dim)
    for name in ir.ID_BUILTINS:
        for axis, dim in AXES.items():
            aliases[f"vulkan_{name}_{axis}"] = (name, dim)
    return aliases


ID_ALIASES = _id_aliases()

GPU_NAMESPACE = frozenset({*ir.ID_BUILTINS, *ir.SYNC_BUILTINS, *GPU_SYNC_ALIASES, *ATOMICS, "shared_memory",
                           *ir.SUBGROUP_BUILTINS})
# every bare builtin name (for "did you mean")
BARE_BUILTINS = frozenset({*ID_ALIASES, *SYNC_ALIASES, *ATOMIC_ALIASES, *SHARED_MEMORY_NAMES})
