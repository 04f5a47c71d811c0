"""Modules and calls the runtime refuses before the driver sees them (issue findings
5, 7, 11, 12): binding numbers and counts, shared memory, capabilities without their
feature, malformed modules (validated before reflection), the 64-bit SPIR-V length of
rt_vk_kernel_compile, and every status reported with its own label."""
from __future__ import annotations

import ctypes

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.errors import VulkanError
from simple_vkbackend.runtime import abi, ffi
from simple_vkbackend.runtime.abi import Status

import runtime_spirv

COMPILE, INVALID_PARAM, INVALID_HANDLE = (int(Status.COMPILATION_FAILED), int(Status.INVALID_PARAMETER),
                                          int(Status.INVALID_HANDLE))


def add_one(**replace: str) -> str:
    text = runtime_spirv.fixture_text("add_one")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


# -- bindings (finding 5) ---------------------------------------------------------

def test_binding_4294967295_is_refused_with_a_clear_error(device):
    code = runtime_spirv.assemble_text(add_one(**{"OpDecorate %data Binding 0":
                                                  "OpDecorate %data Binding 4294967295"}))
    before = runtime.live_objects()
    with pytest.raises(runtime.CompilationError,
                       match="'add_one': a binding number of 4294967295 exceeds .*65535"):
        device.compile(code)
    assert runtime.live_objects() == before


def many_buffers(count: int) -> bytes:
    """A module declaring `count` storage buffers (bindings 0..count-1), storing to the first."""
    decos = "\n".join(f"OpDecorate %b{i} DescriptorSet 0\nOpDecorate %b{i} Binding {i}" for i in range(count))
    variables = "\n".join(f"%b{i} = OpVariable %ptr_buf StorageBuffer" for i in range(count))
    return runtime_spirv.assemble_text(f"""
        OpCapability Shader
        OpMemoryModel Logical GLSL450
        OpEntryPoint GLCompute %main "many"
        OpExecutionMode %main LocalSize 1 1 1
        OpDecorate %rt ArrayStride 4
        OpMemberDecorate %Buf 0 Offset 0
        OpDecorate %Buf Block
        {decos}
        %void = OpTypeVoid
        %fn = OpTypeFunction %void
        %uint = OpTypeInt 32 0
        %rt = OpTypeRuntimeArray %uint
        %Buf = OpTypeStruct %rt
        %ptr_buf = OpTypePointer StorageBuffer %Buf
        {variables}
        %main = OpFunction %void None %fn
        %entry = OpLabel
        OpReturn
        OpFunctionEnd
    """)


def test_storage_buffer_count_is_checked_against_the_device(device):
    limit = device.limits.max_storage_buffer_bindings
    if limit > 1024:
        pytest.skip(f"the device allows {limit} storage buffers per kernel")
    with device.compile(many_buffers(limit)) as k:
        assert k.binding_count == limit
    with pytest.raises(runtime.CompilationError,
                       match=f"'many': storage buffers of {limit + 1} exceeds maxPerStageDescriptor"
                             f"StorageBuffers \\({limit}\\)"):
        device.compile(many_buffers(limit + 1))


# -- shared memory (finding 7, runtime side) --------------------------------------

SHARED = """
               OpCapability Shader
               {caps}
               OpMemoryModel Logical GLSL450
               OpEntryPoint GLCompute %main "shared_user"
               OpExecutionMode %main LocalSize 64 1 1
       %void = OpTypeVoid
     %fnvoid = OpTypeFunction %void
       %uint = OpTypeInt 32 0
      {len_type}
        %len = OpConstant {len_ty} {length}
        %arr = OpTypeArray %uint %len
    %ptr_arr = OpTypePointer Workgroup %arr
     %uint_0 = OpConstant %uint 0
     %uint_7 = OpConstant %uint 7
   %ptr_wg_u = OpTypePointer Workgroup %uint
     %shared = OpVariable %ptr_arr Workgroup
       %main = OpFunction %void None %fnvoid
      %entry = OpLabel
          %p = OpAccessChain %ptr_wg_u %shared %uint_0
               OpStore %p %uint_7
               OpReturn
               OpFunctionEnd
"""


def shared_module(length: int, wide: bool = False) -> bytes:
    return runtime_spirv.assemble_text(SHARED.format(
        caps="OpCapability Int64" if wide else "", len_type="%ulong = OpTypeInt 64 0" if wide else "",
        len_ty="%ulong" if wide else "%uint", length=length))


def test_shared_memory_over_the_device_limit_is_refused_at_load(device):
    limit = device.limits.max_compute_shared_memory_size
    with device.compile(shared_module(limit // 4)) as k:
        assert k.info.shared_memory_size == limit
    with pytest.raises(runtime.CompilationError,
                       match=f"'shared_user': shared memory of {limit + 4} bytes exceeds "
                             f"maxComputeSharedMemorySize \\({limit} bytes\\)"):
        device.compile(shared_module(limit // 4 + 1))


def test_a_64_bit_array_length_is_read_whole(device):
    """2**32 + 1 elements: reading only the low word would see 1 element and accept it."""
    if "shaderInt64" not in device.enabled_features:
        pytest.skip("needs shaderInt64")
    with pytest.raises(runtime.CompilationError, match=f"shared memory of {(2**32 + 1) * 4} bytes"):
        device.compile(shared_module(2**32 + 1, wide=True))


# -- capabilities (finding 12) ----------------------------------------------------

CAPABILITIES = {
    "RayQueryKHR": 'OpExtension "SPV_KHR_ray_query"',
    "ShaderClockKHR": 'OpExtension "SPV_KHR_shader_clock"',
    "Int64ImageEXT": 'OpExtension "SPV_EXT_shader_image_int64"',
    "Geometry": "",
}


def with_capability(cap: str, extension: str) -> bytes:
    text = runtime_spirv.fixture_text("empty")
    text = text.replace("OpCapability Shader", f"OpCapability Shader\n               OpCapability {cap}"
                        + (f"\n               {extension}" if extension else ""), 1)
    return runtime_spirv.assemble_text(text)


@pytest.mark.parametrize("cap", sorted(CAPABILITIES))
def test_capabilities_the_runtime_never_enables_are_refused(device, cap):
    code = with_capability(cap, CAPABILITIES[cap])
    before = runtime.live_objects()
    with pytest.raises(runtime.CompilationError, match=f"declares capability {cap}, which the runtime"):
        device.compile(code)
    assert runtime.live_objects() == before


def test_atomic_float64_add_needs_its_feature(spirv):
    code = with_capability("AtomicFloat64AddEXT", 'OpExtension "SPV_EXT_shader_atomic_float_add"')
    with runtime.Device() as dev:
        dev.enabled_features = frozenset()
        with pytest.raises(runtime.CompilationError,
                           match="AtomicFloat64AddEXT.*shaderBufferFloat64AtomicAdd"):
            dev.compile(code)


def test_malformed_module_gets_the_validators_message_not_an_internal_error(rt, device, spirv):
    """An OpDecorate with one operand: reflection alone would index past it."""
    words = list(memoryview(spirv("add_one")).cast("I"))
    truncated = words[:5] + [(2 << 16) | 71, 1] + words[5:]     # OpDecorate %1 (no decoration)
    code = b"".join(w.to_bytes(4, "little") for w in truncated)
    dev = ffi.register_device(device)
    try:
        assert rt.kernel_compile(dev, code, len(code)) == 0
        assert rt.last_status() == COMPILE, rt.error()
        assert "invalid SPIR-V" in rt.error() and "internal error" not in rt.error()
    finally:
        ffi.REGISTRY.pop(dev, runtime.Device)


def test_reflection_alone_reports_malformed_modules_as_compilation_errors(spirv):
    words = list(memoryview(spirv("add_one")).cast("I"))
    truncated = words[:5] + [(2 << 16) | 71, 1] + words[5:]
    code = b"".join(w.to_bytes(4, "little") for w in truncated)
    with pytest.raises(runtime.CompilationError, match="malformed SPIR-V"):
        runtime.reflect(code)


# -- rt_vk_kernel_compile's 64-bit length (finding 11) ----------------------------

def test_kernel_compile_takes_its_length_as_u64():
    spec = abi.SPECS["rt_vk_kernel_compile"]
    assert [(p.type, p.name) for p in spec.params] == [("u64", "device"), ("ptr", "spirv"), ("u64", "len")]
    assert ffi.TABLE["rt_vk_kernel_compile"].params == ("u64", "ptr", "u64")
    assert ffi.CTYPES["u64"] is ctypes.c_uint64


@pytest.mark.parametrize("extra", [1 << 32, 1 << 40, (1 << 64) - 1 - 10_000])
def test_kernel_compile_does_not_truncate_its_length(rt, spirv, extra):
    """(1 << 32) + n must not compile n bytes (a 32-bit read of the length)."""
    code = spirv("add_one")
    dev = rt.device_create()
    try:
        length = (extra + len(code)) % (1 << 64)
        assert rt.kernel_compile(dev, code, length) == 0
        assert rt.last_status() == INVALID_PARAM, rt.error()
        assert f"SPIR-V length {length} bytes exceeds" in rt.error()
        k = rt.kernel_compile(dev, code, len(code))       # the exact length still works
        assert k != 0
        assert rt.kernel_free(k) == 0
    finally:
        rt.device_free(dev)


# -- statuses and their labels (finding 12) ---------------------------------------

@pytest.mark.parametrize("status", [s for s in Status if s < 0])
def test_every_status_has_its_own_label(status):
    text = str(VulkanError(int(status), "something failed"))
    assert f"(status {int(status)}: {abi.status_name(status)})" in text
    others = [abi.status_name(s) for s in Status if s < 0 and s != status]
    assert not any(f": {name})" in text for name in others)


def test_table_failures_carry_their_own_status(rt, spirv):
    dev = rt.device_create()
    try:
        cases = [
            (lambda: rt.buffer_free(987654321), INVALID_HANDLE),
            (lambda: rt.kernel_compile(dev, b"\x03\x02\x23\x07" + bytes(16), 20), COMPILE),
            (lambda: rt.buffer_alloc(dev, 0), INVALID_PARAM),
        ]
        for call, status in cases:
            result = call()
            assert result in (0, status)
            assert rt.last_status() == status, rt.error()
    finally:
        rt.device_free(dev)
