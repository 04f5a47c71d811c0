"""The native library: `librt_vk.so` and `rt_vk.h`, generated from `abi.py`.

The library exports every rt_vk_* and rt_vulkan_* function with the C signature the
ABI description gives; each forwards to the Python runtime's implementation (the
ctypes callbacks of `ffi.TABLE` and `ffi_vulkan.TABLE`), starting an embedded
interpreter on first use or attaching to the one already running when loaded into a
Python process. `header.py` writes the header, `shim.py` the C source, `build.py`
compiles them with the system C compiler; `bind.py` is what the library imports.

    python -m simple_vkbackend.runtime.native build -o DIR
"""
from .build import NativeBuildError, NativeLibrary, build_library
from .header import header_text
from .shim import shim_text

__all__ = ["NativeBuildError", "NativeLibrary", "build_library", "header_text", "shim_text"]
