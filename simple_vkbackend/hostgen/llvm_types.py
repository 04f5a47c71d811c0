"""Type mappings of the host glue ABI: rt_vk_* signature strings and kernel scalar
types to LLVM types (the same to ctypes: ctypes_types.py).

Scalars are passed by value in these LLVM types:
  bool -> i32 (0 is false, anything else true; stored as 0/1 in the push block),
  i8/u8 -> i8, i16/u16 -> i16, i32/u32 -> i32, i64/u64 -> i64,
  f16 -> i16 holding the IEEE binary16 bits (C has no portable half type),
  f32 -> float, f64 -> double.
"""
from __future__ import annotations

from llvmlite import ir as ll

from simple_vkbackend.runtime.abi import TYPES

I8, I16, I32, I64 = ll.IntType(8), ll.IntType(16), ll.IntType(32), ll.IntType(64)
PTR = ll.PointerType()
VOID = ll.VoidType()

_LLVM_NAMED: dict[str, ll.Type] = {"i64": I64, "i32": I32, "i16": I16, "i8": I8, "ptr": PTR, "void": VOID}

# rt_vk_* type name -> LLVM type, as abi.TYPES spells them
FFI_TYPES: dict[str, ll.Type] = {name: _LLVM_NAMED[t.llvm] for name, t in TYPES.items()}

_SCALAR_LLVM: dict[str, ll.Type] = {
    "bool": I32, "i8": I8, "u8": I8, "i16": I16, "u16": I16, "i32": I32, "u32": I32,
    "i64": I64, "u64": I64, "f16": I16, "f32": ll.FloatType(), "f64": ll.DoubleType(),
}


def ffi_type(name: str) -> ll.Type:
    """LLVM type of an rt_vk_* parameter or result type string ('u64', 'ptr', ...)."""
    try:
        return FFI_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown rt_vk_* type {name!r}") from None


def scalar_type(name: str) -> ll.Type:
    """LLVM type in which a kernel scalar parameter of type `name` is passed."""
    return _SCALAR_LLVM[name]
