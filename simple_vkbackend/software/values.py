"""Typed lane vectors: one numpy element per work item (lane).

A value of IR type `t` is a 1-D numpy array of `dtype_of(t)` with one element
per lane of the context that computed it; bool is numpy bool, f16 is float16.
Uniform values (constants, scalar parameters) are zero-copy broadcast views, so
values must never be written in place.
"""
from __future__ import annotations

import numpy as np

from simple_vkbackend.lowering import ir

_DTYPES = {
    "bool": np.dtype(np.bool_),
    "i8": np.dtype(np.int8), "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32), "i64": np.dtype(np.int64),
    "u8": np.dtype(np.uint8), "u16": np.dtype(np.uint16),
    "u32": np.dtype(np.uint32), "u64": np.dtype(np.uint64),
    "f16": np.dtype(np.float16), "f32": np.dtype(np.float32), "f64": np.dtype(np.float64),
}


def dtype_of(t: ir.ScalarType) -> np.dtype:
    """The numpy dtype that holds values of the IR scalar type `t`."""
    return _DTYPES[t.name]


def unsigned_dtype(t: ir.ScalarType) -> np.dtype:
    """The unsigned integer dtype of the same width as the integer type `t`."""
    return np.dtype(f"u{t.bits // 8}")


def scalar_value(t: ir.ScalarType, value) -> np.generic:
    """`value` (a Python or numpy scalar) as a numpy scalar of type `t`; integers
    wrap around to the type's width (as an IR constant does)."""
    dtype = dtype_of(t)
    if t.is_bool:
        return np.bool_(bool(value))
    if t.is_int:
        wrapped = int(value) & ((1 << t.bits) - 1)
        if t.is_signed and wrapped >= 1 << (t.bits - 1):
            wrapped -= 1 << t.bits
        return dtype.type(wrapped)
    return dtype.type(value)


def uniform(t: ir.ScalarType, value, n: int) -> np.ndarray:
    """A read-only lane vector of `n` lanes all holding `value`."""
    return np.broadcast_to(np.asarray(scalar_value(t, value)), (n,))


def zeros(t: ir.ScalarType, shape) -> np.ndarray:
    return np.zeros(shape, dtype=dtype_of(t))
