"""Checking a kernel call's arguments against its interface, for every backend.

Buffers take C-contiguous numpy arrays of exactly the element dtype (never a silent
conversion) or device Buffers of that dtype (the Vulkan backend's); scalars take Python
or numpy numbers, range-checked for integers.
Mistakes raise TypeError (wrong count, kind, dtype, layout) or ValueError (out of
range, empty buffer), naming the parameter.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from simple_vkbackend.lowering.interface import KernelInterface, ParamSlot
from simple_vkbackend.lowering.ir import SCALAR_TYPES
from simple_vkbackend.lowering.ir.vector_nodes import vector_length_problem

from .sizes import Size3, SizeArg, as_size3

DTYPES: dict[str, np.dtype] = {
    t.name: np.dtype("bool" if t.is_bool else f"{t.kind}{t.bits}") for t in SCALAR_TYPES.values()}


def dtype_of(type_name: str) -> np.dtype:
    """The numpy dtype of a kernel scalar type name ('f32' -> float32)."""
    return DTYPES[type_name]


def bind_arguments(interface: KernelInterface, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter name -> checked value (numpy array or numpy scalar), in parameter order."""
    params = interface.params
    kernel = interface.name
    if len(args) > len(params):
        raise TypeError(f"{kernel}() takes {len(params)} arguments ({signature(interface)}), "
                        f"got {len(args) + len(kwargs)}")
    given = dict(zip((p.name for p in params), args))
    for name, value in kwargs.items():
        if name not in {p.name for p in params}:
            raise TypeError(f"{kernel}() has no parameter {name!r} ({signature(interface)})")
        if name in given:
            raise TypeError(f"{kernel}() got two values for parameter {name!r}")
        given[name] = value
    missing = [p.name for p in params if p.name not in given]
    if missing:
        raise TypeError(f"{kernel}() is missing argument{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)} ({signature(interface)})")
    return {p.name: check_argument(kernel, p, given[p.name]) for p in params}


def signature(interface: KernelInterface) -> str:
    parts = [f"{p.name}: [{p.type}]" if p.kind == "buffer" else f"{p.name}: {p.type}" for p in interface.params]
    return f"{interface.name}({', '.join(parts)})"


def check_argument(kernel: str, param: ParamSlot, value: Any) -> Any:
    if param.kind == "buffer":
        return check_buffer(kernel, param, value)
    return check_scalar(kernel, param, value)


def check_buffer(kernel: str, param: ParamSlot, value: Any) -> Any:
    where = f"{kernel}(): buffer parameter {param.name!r}"
    expected = dtype_of(param.type)
    if getattr(value, "is_device_buffer", False):
        if value.dtype != expected:
            raise TypeError(f"{where} takes a Buffer of {expected}, got one of {value.dtype}")
        if value.closed:
            raise ValueError(f"{where}: the buffer was freed")
        if value.size % param.vector:
            raise ValueError(vector_length_error(where, param.vector, value.size))
        return value
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{where} takes a numpy array or a device Buffer of {expected}, "
                        f"got {type(value).__name__}")
    if value.dtype != expected:
        raise TypeError(f"{where} takes a numpy array of {expected}, got one of {value.dtype} "
                        f"(convert it yourself, e.g. arr.astype(np.{expected}))")
    if not value.flags.c_contiguous:
        raise TypeError(f"{where} needs a C-contiguous array (use np.ascontiguousarray)")
    if value.size == 0:
        raise ValueError(f"{where} got an empty array; a buffer needs at least one element")
    if param.access in ("write", "readwrite") and not value.flags.writeable:
        raise ValueError(f"{where} is written by the kernel but the array is read-only")
    if value.size % param.vector:
        raise ValueError(vector_length_error(where, param.vector, value.size))
    return value


def check_scalar(kernel: str, param: ParamSlot, value: Any) -> np.generic:
    where = f"{kernel}(): scalar parameter {param.name!r} ({param.type})"
    dtype = dtype_of(param.type)
    if param.type == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where} takes a bool, got {type(value).__name__}")
        return np.bool_(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where} takes a number, got {type(value).__name__}")
    if dtype.kind in "iu":
        if isinstance(value, (float, np.floating)):
            raise TypeError(f"{where} takes an integer, got {value!r} (use int() to truncate)")
        info = np.iinfo(dtype)
        if not info.min <= int(value) <= info.max:
            raise ValueError(f"{where} must be between {info.min} and {info.max}, got {int(value)}")
        return dtype.type(int(value))
    try:
        with np.errstate(over="ignore"):
            converted = dtype.type(value)
        in_range = not math.isfinite(float(value)) or np.isfinite(converted)
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"{where}: {value!r} is out of range for {param.type}")
    return converted


def default_global_size(interface: KernelInterface, bound: Mapping[str, Any], global_size: SizeArg) -> Size3:
    """The launch's global size: as given, else the kernel's own default
    (`@simd(grid_size=...)`), else for a 1-D kernel the largest buffer argument's
    element count."""
    if global_size is not None:
        return as_size3(global_size, "global_size")
    if interface.grid_size is not None:
        return interface.grid_size
    if interface.dims != 1:
        raise TypeError(f"{interface.name}() is a {interface.dims}-D kernel: pass "
                        f"global_size=({', '.join('xyz'[:interface.dims])})")
    lengths = [bound[p.name].size for p in interface.buffers]
    if not lengths:
        raise TypeError(f"{interface.name}() has no buffer parameter to take the size from: pass global_size")
    return (max(lengths), 1, 1)


def local_size_arg(local_size: SizeArg) -> Optional[Size3]:
    return None if local_size is None else as_size3(local_size, "local_size")



def vector_length_error(where: str, vector: int, length: int) -> str:
    """The message for a buffer that a kernel reads or writes as vectors of `vector`
    elements and whose length is not a multiple of it."""
    return f"{where}: {vector_length_problem(vector, length)}"
