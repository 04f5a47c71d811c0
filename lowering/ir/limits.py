"""Limits every kernel module keeps, whatever the device: the front end reports them
against the source (FILE:LINE:COL), the IR verifier against the IR. One place for each.

- U32_MAX: SPIR-V literals and Vulkan sizes are 32-bit; an array length, a local or
  grid size, or an array's size in bytes above it would be truncated.
- PRIVATE_MEMORY_PER_ITEM: the private arrays of one function (a kernel or a helper)
  may hold 4 KiB (1024 floats) per work item. Vulkan sets no limit on function memory;
  drivers keep it in registers or spill it to scratch. lavapipe compiles private arrays
  element by element (LLVM promotes them), so its pipeline creation grows faster than
  the array: a kernel filling a private array in a loop took 14 s to load with 1 Ki
  floats, 406 s with 4 Ki floats, and more than 24 GiB of memory with 16 Mi floats
  (the process was killed). GPUs spill such arrays to slow scratch memory anyway.
  Larger data belongs in shared memory or a buffer.
- MAX_CALL_DEPTH: helpers inline or nest at most 64 calls deep (a kernel calling a
  helper is depth 1); the compiler's recursive passes stay far from Python's limit.
- MAX_IDENTIFIER_LENGTH: names are at most 255 characters (SPIR-V debug names are
  strings in one instruction of at most 65,535 words).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from . import nodes as ir

U32_MAX = 2**32 - 1
PRIVATE_MEMORY_PER_ITEM = 4 * 1024
MAX_CALL_DEPTH = 64
MAX_IDENTIFIER_LENGTH = 255


def array_bytes(ty: ir.ArrayType) -> int:
    """The size of an array in bytes."""
    return ty.length * ty.elem.size


def private_bytes(locals_: Iterable[ir.Local]) -> int:
    """The private memory the array locals of one function take per work item."""
    return sum(array_bytes(loc.type) for loc in locals_ if isinstance(loc.type, ir.ArrayType))


def shared_bytes(shared: Iterable[ir.SharedArray]) -> int:
    """The shared memory a kernel's arrays take per work-group."""
    return sum(array_bytes(a.type) for a in shared)


def show_bytes(n: int) -> str:
    """`n` bytes in words: '16384 bytes (16 KiB)'."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n} bytes ({n // size} {unit})"
    return f"{n} bytes"


def call_depths(callees: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How deep helper calls nest in each function of an acyclic call graph, the function
    counted: a helper calling nothing is 1 (names outside the graph are not counted).
    Computed without recursion."""
    depth: dict[str, int] = {}
    for root in callees:
        stack = [root]
        while stack:
            top = stack[-1]
            todo = [c for c in callees[top] if c in callees and c not in depth]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            depth[top] = 1 + max((depth[c] for c in callees[top] if c in callees), default=0)
    return depth
