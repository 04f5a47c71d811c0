"""Vector memory accesses of the kernel IR: one 2- or 4-element load or store.

The front end scalarizes vector values (`vec[N, T]` is N scalar locals), so the
IR has no vector types; what it keeps is the access itself, which the lowering
emits as one 8- or 16-byte (or 4-, 32-byte) memory operation. Vector `k` of a
buffer of length `len` is elements `n*k .. n*k + n-1`; it is in range when
`0 <= k < len / n` (integer division: a vector that runs past the end is out of
range as a whole). `checked` (from `@simd` kernels) ends the work item when `k`
is out of range, before touching memory, as a checked `Index` does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .nodes import Expr, Stmt, Var

VECTOR_ACCESS_WIDTHS = (2, 4)  # element counts of one vector access


def vector_length_problem(width: int, length: int) -> str:
    """What is wrong with a buffer of `length` elements that a kernel accesses as
    vectors of `width` (a buffer accessed as vectors holds whole vectors)."""
    return (f"the kernel accesses it as vectors of {width} elements, so its length must be a multiple of "
            f"{width}, got {length} (pad it, or handle the tail with a second buffer)")


@dataclass(eq=False)
class VectorLoad(Stmt):
    """`targets[j] = base[n*index + j]` for j < n = len(targets), as one access of
    the buffer `base`; every target is a local of the buffer's element type."""

    targets: list[Var]
    base: str
    index: Expr
    checked: bool = False

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("index", "targets")


@dataclass(eq=False)
class VectorStore(Stmt):
    """`base[n*index + j] = values[j]` for j < n = len(values), as one access of the
    buffer `base`; the values (of its element type) are evaluated in order first."""

    base: str
    index: Expr
    values: list[Expr]
    checked: bool = False

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("index", "values")
