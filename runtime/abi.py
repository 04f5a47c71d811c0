"""The rt_vk_* C ABI as pure data: status codes, type names, function specs, the
order of `rt_vk_device_limits`, and the local-size policy every launch path follows.

Everything that speaks the ABI reads it from here: `ffi.py` binds its ctypes table,
the host glue (simple_vkbackend.hostgen) declares the functions in LLVM IR, and the
Python wrappers name statuses. This module imports nothing (no Vulkan, no ctypes).

Conventions: a status is 0 (success) or negative (failure); a function returning a
handle returns 0 on failure; pointers are read-only where `const` says so.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.IntEnum):
    """Status codes returned by the rt_vk_* functions (0 success, negative failure)."""

    OK = 0
    NOT_AVAILABLE = -1
    INVALID_HANDLE = -2
    ALLOCATION_FAILED = -3
    COMPILATION_FAILED = -4
    EXECUTION_FAILED = -5
    BUFFER_TOO_SMALL = -6
    INVALID_PARAMETER = -7


def status_name(status: int) -> str:
    """'invalid parameter' for -7: a status in words ('unknown status' if none)."""
    try:
        return Status(status).name.lower().replace("_", " ")
    except ValueError:
        return "unknown status"


@dataclass(frozen=True)
class AbiType:
    """One ABI type: its short name and how C, LLVM IR and ctypes spell it."""

    name: str
    c: str
    llvm: str
    ctypes: str  # attribute of the ctypes module; "" for void


TYPES: dict[str, AbiType] = {t.name: t for t in (
    AbiType("u64", "uint64_t", "i64", "c_uint64"),
    AbiType("i64", "int64_t", "i64", "c_int64"),
    AbiType("u32", "uint32_t", "i32", "c_uint32"),
    AbiType("i32", "int32_t", "i32", "c_int32"),
    AbiType("u16", "uint16_t", "i16", "c_uint16"),
    AbiType("i16", "int16_t", "i16", "c_int16"),
    AbiType("u8", "uint8_t", "i8", "c_uint8"),
    AbiType("i8", "int8_t", "i8", "c_int8"),
    AbiType("ptr", "void *", "ptr", "c_void_p"),
    # a NUL-terminated string the library owns (rt_vulkan_*: valid until the calling
    # thread's next call of a function returning one)
    AbiType("str", "const char *", "ptr", "c_void_p"),
    AbiType("void", "void", "void", ""),
)}


@dataclass(frozen=True)
class Param:
    """One parameter: ABI type, name, and for pointers the pointee and constness."""

    type: str
    name: str
    pointee: str = "uint8_t"
    const: bool = False

    def c_decl(self) -> str:
        if self.type == "ptr":
            return f"{'const ' if self.const else ''}{self.pointee} *{self.name}"
        return f"{TYPES[self.type].c} {self.name}"


@dataclass(frozen=True)
class FunctionSpec:
    """One rt_vk_* function. `on_error` is what it returns on failure when that is
    not its status code: 0 for handle-returning functions (and a few others)."""

    name: str
    params: tuple[Param, ...]
    ret: str
    on_error: int | None = None

    @property
    def param_types(self) -> tuple[str, ...]:
        return tuple(p.type for p in self.params)

    @property
    def c_signature(self) -> str:
        """The C prototype, e.g. "int32_t rt_vk_buffer_free(uint64_t buffer)"."""
        args = ", ".join(p.c_decl() for p in self.params) or "void"
        return f"{TYPES[self.ret].c} {self.name}({args})"


def _p(text: str, pointee: str = "uint8_t", const: bool = False) -> Param:
    typ, name = text.split()
    return Param(typ, name, pointee, const)


_LAUNCH = (_p("u64 kernel"), _p("ptr buffers", "uint64_t", const=True), _p("u64 count"))
_PUSH = (_p("ptr push", const=True), _p("u64 push_size"))
_GEOMETRY = tuple(_p(f"u32 {n}") for n in ("gx", "gy", "gz", "lx", "ly", "lz"))

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("rt_vk_available", (), "i32", 0),
    FunctionSpec("rt_vk_device_create", (), "u64", 0),
    FunctionSpec("rt_vk_device_free", (_p("u64 device"),), "i32"),
    FunctionSpec("rt_vk_device_sync", (_p("u64 device"),), "i32"),
    FunctionSpec("rt_vk_buffer_alloc", (_p("u64 device"), _p("u64 size")), "u64", 0),
    FunctionSpec("rt_vk_buffer_free", (_p("u64 buffer"),), "i32"),
    FunctionSpec("rt_vk_buffer_upload", (_p("u64 buffer"), _p("ptr data", const=True), _p("u64 size")), "i32"),
    FunctionSpec("rt_vk_buffer_download", (_p("u64 buffer"), _p("ptr data"), _p("u64 size")), "i32"),
    FunctionSpec("rt_vk_kernel_compile", (_p("u64 device"), _p("ptr spirv", const=True), _p("u64 len")),
                 "u64", 0),
    FunctionSpec("rt_vk_kernel_free", (_p("u64 kernel"),), "i32"),
    FunctionSpec("rt_vk_kernel_launch", _LAUNCH + _GEOMETRY, "i32"),
    FunctionSpec("rt_vk_kernel_launch_1d", _LAUNCH + (_p("u32 global"),), "i32"),
    FunctionSpec("rt_vk_kernel_launch_pc", _LAUNCH + _PUSH + _GEOMETRY, "i32"),
    FunctionSpec("rt_vk_kernel_launch_async", _LAUNCH + _PUSH + _GEOMETRY, "i32"),
    FunctionSpec("rt_vk_device_count", (), "i32"),
    FunctionSpec("rt_vk_device_create_index", (_p("i32 index"),), "u64", 0),
    FunctionSpec("rt_vk_device_limits", (_p("u64 device"), _p("ptr out", "uint32_t"), _p("u64 count")), "i32"),
    FunctionSpec("rt_vk_device_name", (_p("u64 device"), _p("ptr buf"), _p("u64 len")), "i32"),
    FunctionSpec("rt_vk_last_error", (_p("ptr buf"), _p("u64 len")), "i32", 0),
    FunctionSpec("rt_vk_last_status", (), "i32", 0),
)

SPECS: dict[str, FunctionSpec] = {f.name: f for f in FUNCTIONS}

# The values rt_vk_device_limits writes, in order. The first LOCAL_SIZE_LIMITS of
# them are what the local-size policy reads.
LIMITS_ORDER: tuple[str, ...] = (
    "maxComputeWorkGroupSize[0]", "maxComputeWorkGroupSize[1]", "maxComputeWorkGroupSize[2]",
    "maxComputeWorkGroupInvocations", "maxComputeWorkGroupCount[0]",
    "maxComputeWorkGroupCount[1]", "maxComputeWorkGroupCount[2]", "maxPushConstantsSize",
    "subgroupSize", "maxStorageBufferRange", "maxComputeSharedMemorySize",
)
LOCAL_SIZE_LIMITS = 7


# -- upstream's newer compute table (rt_vulkan_*) ---------------------------------------
#
# Simple's current compiler calls these by name. Every value is an int64_t, pointers
# included (passed as integers); "bool" results are 1 (success) or 0 (failure, the
# reason in rt_vulkan_get_last_error); handles are 0 on failure. They work on one
# process-wide device (rt_vulkan_init) and share handles with rt_vk_*: a buffer from
# rt_vulkan_alloc_buffer is an rt_vk_* buffer handle too.

def _v(name: str, params: str = "", ret: str = "i64") -> FunctionSpec:
    return FunctionSpec(name, tuple(_p(f"i64 {n}") for n in params.split()), ret, 0)


VULKAN_FUNCTIONS: tuple[FunctionSpec, ...] = (
    _v("rt_vulkan_init"),
    _v("rt_vulkan_shutdown"),
    _v("rt_vulkan_is_available"),
    _v("rt_vulkan_device_count"),
    _v("rt_vulkan_select_device", "id"),
    _v("rt_vulkan_get_device"),
    _v("rt_vulkan_device_name", "id", "str"),
    _v("rt_vulkan_device_type", "id", "str"),
    _v("rt_vulkan_selected_device_name", "", "str"),
    _v("rt_vulkan_selected_device_type", "", "str"),
    _v("rt_vulkan_alloc_buffer", "size usage"),
    _v("rt_vulkan_free_buffer", "buffer"),
    _v("rt_vulkan_copy_to_buffer_raw", "buffer data size offset"),
    _v("rt_vulkan_copy_from_buffer_raw", "data size buffer offset"),
    _v("rt_vulkan_compile_spirv_raw", "data size"),
    _v("rt_vulkan_destroy_shader", "shader"),
    _v("rt_vulkan_create_compute_pipeline", "shader entry push_size"),
    _v("rt_vulkan_destroy_pipeline", "pipeline"),
    _v("rt_vulkan_create_descriptor_set", "pipeline"),
    _v("rt_vulkan_bind_buffer", "set binding buffer"),
    _v("rt_vulkan_destroy_descriptor_set", "set"),
    _v("rt_vulkan_begin_compute"),
    _v("rt_vulkan_bind_pipeline", "cmd pipeline"),
    _v("rt_vulkan_bind_descriptors", "cmd set"),
    _v("rt_vulkan_push_constants_raw", "cmd pipeline data size"),
    _v("rt_vulkan_dispatch", "cmd x y z"),
    _v("rt_vulkan_end_compute", "cmd"),
    _v("rt_vulkan_submit_and_wait", "cmd"),
    _v("rt_vulkan_submit_and_wait_fence", "cmd"),
    _v("rt_vulkan_wait_fence", "fence timeout_ns"),
    _v("rt_vulkan_destroy_fence", "fence"),
    _v("rt_vulkan_wait_idle"),
    _v("rt_vulkan_get_last_error", "", "str"),
)

VULKAN_SPECS: dict[str, FunctionSpec] = {f.name: f for f in VULKAN_FUNCTIONS}

# Every function the native library exports, rt_vk_* first.
ALL_FUNCTIONS: tuple[FunctionSpec, ...] = FUNCTIONS + VULKAN_FUNCTIONS
