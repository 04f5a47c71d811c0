"""SPIR-V reflection: entry point, bindings, push-constant size, local size."""
from __future__ import annotations

import pytest

from simple_vkbackend.runtime import CompilationError, reflect
from simple_vkbackend.runtime.spirv.grammar import grammar, grammar_path

import runtime_spirv

EXPECTED = {
    # name: (entry point, bindings, push size, default local size)
    "saxpy": ("saxpy", (0, 1), 8, (64, 1, 1)),
    "add_one": ("add_one", (0,), 0, (256, 1, 1)),
    "index3d": ("index3d", (0,), 12, (4, 4, 4)),
    "push_scalars": ("push_scalars", (0,), 20, (1, 1, 1)),
    "empty": ("empty", (), 0, (64, 1, 1)),
    "fixed_local": ("twice", (0,), 0, (32, 1, 1)),
}


def test_every_fixture_is_covered():
    assert set(runtime_spirv.FIXTURES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reflection(spirv, name):
    info = reflect(spirv(name))
    entry, bindings, push, local = EXPECTED[name]
    assert info.entry_point == entry
    assert info.bindings == bindings
    assert info.push_constant_size == push
    assert info.local_size == local
    if name == "fixed_local":
        assert info.local_size_spec_ids == (None, None, None) and not info.specializable
    else:
        assert info.local_size_spec_ids == (0, 1, 2) and info.specializable
    assert "Shader" in info.capabilities


def test_grammar_found_through_the_installed_package():
    assert grammar_path().name == "spirv.core.grammar.json"
    g = grammar()
    assert g.op("OpEntryPoint") == 15 and g.value("Decoration", "SpecId") == 1


def _variant(name: str, *pairs: str) -> bytes:
    text = runtime_spirv.fixture_text(name)
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text
        text = text.replace(old, new)
    return runtime_spirv.assemble_text(text, validate=False)


def test_descriptor_set_other_than_zero_is_refused():
    code = _variant("add_one", "OpDecorate %data DescriptorSet 0", "OpDecorate %data DescriptorSet 1")
    with pytest.raises(CompilationError, match="set 1"):
        reflect(code)


def test_uniform_buffer_is_refused():
    code = _variant("add_one", "OpTypePointer StorageBuffer %Buf", "OpTypePointer Uniform %Buf",
                    "OpVariable %ptr_buf StorageBuffer", "OpVariable %ptr_buf Uniform")
    # Uniform + Block is a uniform buffer, which the ABI has no way to pass.
    with pytest.raises(CompilationError, match="not a storage buffer"):
        reflect(code)


def test_spec_ids_other_than_012_are_reported():
    code = _variant("add_one", "OpDecorate %lx SpecId 0", "OpDecorate %lx SpecId 7")
    assert reflect(code).local_size_spec_ids == (7, 1, 2)


PUSH_LAYOUT = """
               OpCapability Shader
               OpMemoryModel Logical GLSL450
               OpEntryPoint GLCompute %main "layout"
               OpExecutionMode %main LocalSize 1 1 1
               OpMemberDecorate %PC 0 Offset 0
               OpMemberDecorate %PC 1 Offset 4
               OpMemberDecorate %PC 2 Offset 16
               OpMemberDecorate %PC 3 Offset 32
               OpMemberDecorate %PC 4 Offset 64
               OpDecorate %arr4 ArrayStride 8
               OpDecorate %PC Block
       %void = OpTypeVoid
     %fnvoid = OpTypeFunction %void
       %uint = OpTypeInt 32 0
      %float = OpTypeFloat 32
     %v3float = OpTypeVector %float 3
     %uint_4 = OpConstant %uint 4
       %arr4 = OpTypeArray %uint %uint_4
         %PC = OpTypeStruct %uint %float %v3float %arr4 %v3float
     %ptr_pc = OpTypePointer PushConstant %PC
         %pc = OpVariable %ptr_pc PushConstant
       %main = OpFunction %void None %fnvoid
      %entry = OpLabel
               OpReturn
               OpFunctionEnd
"""


def test_push_block_size_from_offsets_and_member_sizes():
    # last member: a vec3 of floats at offset 64 -> 76 bytes; the array (stride 8) ends at 64.
    info = reflect(runtime_spirv.assemble_text(PUSH_LAYOUT))
    assert info.push_constant_size == 76
    assert info.local_size == (1, 1, 1) and not info.specializable


@pytest.mark.parametrize("code, match", [
    (b"", "not a SPIR-V module"),
    (b"\x03\x02\x23\x07" * 4 + b"\x00", "multiple of 4"),
    (b"\x00" * 40, "bad magic"),
])
def test_malformed_modules(code, match):
    with pytest.raises(CompilationError, match=match):
        reflect(code)


def test_truncated_module(spirv):
    code = spirv("saxpy")
    # header (5 words) + the first word of the 2-word OpCapability
    with pytest.raises(CompilationError, match="bad instruction length at word 5"):
        reflect(code[:24])


def test_byte_swapped_module(spirv):
    import array
    words = array.array("I", spirv("saxpy"))
    words.byteswap()
    assert reflect(words.tobytes()).entry_point == "saxpy"


def test_module_without_compute_entry_point():
    text = """
               OpCapability Shader
               OpMemoryModel Logical GLSL450
       %void = OpTypeVoid
"""
    with pytest.raises(CompilationError, match="no GLCompute entry point"):
        reflect(runtime_spirv.assemble_text(text, validate=False))
