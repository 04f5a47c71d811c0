"""Addressable memory of a kernel run: buffers, shared arrays, private arrays.

Each is seen as one flat numpy array. Shared arrays are stored per work-group
(shape [groups, length]) and private arrays per lane of their frame (shape
[lanes, length]); an element's flat address adds the row of the lane's group or
of the lane itself.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simple_vkbackend.lowering import ir

from .values import dtype_of


@dataclass
class Place:
    kind: str  # "buffer" | "shared" | "private"
    name: str
    elem: ir.ScalarType
    flat: np.ndarray  # 1-D; a view of the storage, written in place
    length: int  # elements per row (the array's or buffer's length)
    writable: bool = True

    def row_offsets(self, rows: np.ndarray) -> np.ndarray:
        """Flat offsets of the rows (groups or lanes) that the lanes address."""
        return rows.astype(np.int64) * self.length


def buffer_place(name: str, t: ir.BufferType, array: np.ndarray) -> Place:
    return Place("buffer", name, t.elem, array, len(array), t.writable)


def array_storage(t: ir.ArrayType, rows: int) -> np.ndarray:
    """Zeroed storage for `rows` copies of an array of type `t`."""
    return np.zeros((rows, t.length), dtype=dtype_of(t.elem))


def array_place(name: str, t: ir.ArrayType, storage: np.ndarray) -> Place:
    return Place(t.space, name, t.elem, storage.reshape(-1), t.length)
