"""What the native library imports: the C addresses of the runtime's implementations.

The library calls `addresses(names)` once, with the GIL held, and keeps the result:
one ctypes-callback address per name, in the order given (the order of
`abi.ALL_FUNCTIONS`, which the generated C source repeats).
"""
from __future__ import annotations

from .. import ffi, ffi_vulkan


def addresses(names: tuple[str, ...]) -> tuple[int, ...]:
    tables = {**ffi.TABLE, **ffi_vulkan.TABLE}
    missing = [n for n in names if n not in tables]
    if missing:
        raise LookupError(f"the runtime has no implementation of {', '.join(missing)}: "
                          "the library was built from another version of simple-vkbackend; rebuild it")
    return tuple(tables[n].address for n in names)
