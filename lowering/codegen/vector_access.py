"""Vector memory accesses (`VectorLoad`, `VectorStore`) as one 2- or 4-element
load or store.

A buffer the kernel accesses as vectors of `n` elements is declared as a runtime
array of `vecN` (ArrayStride `n * size`; resources.py), so a vector access is
one OpLoad/OpStore of a `vecN`, and an element access of the same buffer
addresses component `i % n` of vector `i / n` (memory_access.vector_component). OpArrayLength
then counts whole vectors: the kernel sees `n * (len / n)` elements, which is
why such a buffer's length must be a multiple of `n` (docs/kernel_ir.md,
"Vector accesses"; the launch checks it).
"""
from __future__ import annotations

from typing import Callable

from .. import ir
from .emitter import Emitter, Value
from .memory_access import AccessLowering
from .resources import ArraySlot


class VectorLowering:
    """Vector loads and stores of one kernel, for the codegen that owns it: the
    index first, then (a store) the values, then the bounds check and the access
    (the order an `Assign` to an element has)."""

    def __init__(self, em: Emitter, access: AccessLowering, array: Callable[[str], ArraySlot]):
        self.em, self.t, self.access, self.array = em, em.t, access, array
        self.emit = em.emit

    def view(self, name: str, n: int) -> ArraySlot:
        """The buffer `name` addressed by whole vectors (its `vecN` array elements)."""
        slot = self.array(name)
        if slot.vector != n or not slot.is_buffer:
            raise ValueError(f"internal: {name!r} is not declared as vectors of {n}")
        vector = self.em.b.type_vector(slot.stored_type, n)
        return ArraySlot(name, slot.elem, slot.var, slot.storage_class, vector,
                         self.t.pointer("StorageBuffer", vector), slot.as_bits, None, 1)

    def vector_type(self, slot: ArraySlot, n: int) -> int:
        return self.em.b.type_vector(self.t.scalar(slot.elem), n)

    def load(self, s: ir.VectorLoad, index: Value, targets: list[int]) -> None:
        """Loads vector `index` of the buffer into the Function variables `targets`."""
        n = len(targets)
        view = self.view(s.base, n)
        pointer = self.access.element_pointer(view, index, s.checked)
        elem_type = self.t.scalar(view.elem)
        if pointer is None:  # a constant index out of range: zeros, as an element read gives
            components = [self.t.null(elem_type)] * n
        else:
            vector = self.emit("OpLoad", view.stored_type, pointer)
            if view.as_bits:
                vector = self.emit("OpBitcast", self.vector_type(view, n), vector)
            components = [self.emit("OpCompositeExtract", elem_type, vector, j) for j in range(n)]
        for var, value in zip(targets, components):
            self.emit("OpStore", var, value)

    def store(self, s: ir.VectorStore, index: Value, values: list[Value]) -> None:
        n = len(values)
        view = self.view(s.base, n)
        pointer = self.access.element_pointer(view, index, s.checked)
        if pointer is None:
            return
        vector = self.emit("OpCompositeConstruct", self.vector_type(view, n), *(v.id for v in values))
        if view.as_bits:
            vector = self.emit("OpBitcast", view.stored_type, vector)
        self.emit("OpStore", pointer, vector)
