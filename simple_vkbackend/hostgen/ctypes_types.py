"""The host glue ABI's types as ctypes, for calling the compiled glue and the rt_vk_*
table from Python (their LLVM spelling is llvm_types.py's; this half imports no
llvmlite, so a process that loads cached glue never does)."""
from __future__ import annotations

import ctypes

from simple_vkbackend.runtime.abi import TYPES

# rt_vk_* type name -> ctypes type, as abi.TYPES spells them
FFI_CTYPES: dict[str, object] = {name: getattr(ctypes, t.ctypes) if t.ctypes else None
                                 for name, t in TYPES.items()}

_SCALAR_CTYPES: dict[str, object] = {
    "bool": ctypes.c_int32, "i8": ctypes.c_int8, "u8": ctypes.c_uint8, "i16": ctypes.c_int16,
    "u16": ctypes.c_uint16, "i32": ctypes.c_int32, "u32": ctypes.c_uint32, "i64": ctypes.c_int64,
    "u64": ctypes.c_uint64, "f16": ctypes.c_uint16, "f32": ctypes.c_float, "f64": ctypes.c_double,
}


def ffi_ctype(name: str):
    """ctypes type of an rt_vk_* parameter or result type string ('u64', 'ptr', ...)."""
    try:
        return FFI_CTYPES[name]
    except KeyError:
        raise ValueError(f"unknown rt_vk_* type {name!r}") from None


def scalar_ctype(name: str):
    """ctypes type in which a kernel scalar parameter of type `name` is passed."""
    return _SCALAR_CTYPES[name]
