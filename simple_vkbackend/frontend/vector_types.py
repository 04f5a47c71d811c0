"""The front end's vector types: `vec[N, T]` and the locals a vector binding owns.

Vectors exist only in the front end: a vector value is N scalar IR expressions
(its lanes) and a vector variable is N scalar locals; the IR keeps only vector
memory accesses (`VectorLoad`, `VectorStore`; docs/kernel_ir.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..lowering import ir

VECTOR_COUNTS = (2, 3, 4)
LANE_NAMES = "xyzw"  # `.x .y .z .w`: elements 0..3
VECTOR = "vector"  # the binding kind of a vector variable (scope.py)


@dataclass(frozen=True)
class VectorType:
    """`vec[count, elem]`: `count` (2, 3 or 4) numeric scalars of type `elem`."""

    count: int
    elem: ir.ScalarType

    def __str__(self) -> str:
        return f"vec[{self.count}, {self.elem}]"


@dataclass(frozen=True)
class VectorSlots:
    """A vector variable: its type and the IR locals holding its elements."""

    type: VectorType
    lanes: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.type)
