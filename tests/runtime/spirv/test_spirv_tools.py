"""The SPIRV-Tools binding: validate, disassemble, assemble, optimize."""
import pytest

from simple_vkbackend.runtime.spirv import tools as st
from simple_vkbackend.runtime.spirv.errors import SpirvToolsError

SOURCE = """\
OpCapability Shader
OpMemoryModel Logical GLSL450
OpEntryPoint GLCompute %main "main"
OpExecutionMode %main LocalSize 1 1 1
OpName %main "main"
%void = OpTypeVoid
%fn = OpTypeFunction %void
%uint = OpTypeInt 32 0
%ptr = OpTypePointer Function %uint
%seven = OpConstant %uint 7
%main = OpFunction %void None %fn
%entry = OpLabel
%v = OpVariable %ptr Function
OpStore %v %seven
OpReturn
OpFunctionEnd
"""


def test_assemble_validate_disassemble_round_trip():
    spirv = st.assemble(SOURCE)
    assert spirv[:4] == (0x07230203).to_bytes(4, "little")
    st.validate(spirv, "vulkan1.1")
    text = st.disassemble(spirv)
    assert "OpEntryPoint GLCompute %main \"main\"" in text
    assert "; SPIR-V" not in text and "\x1b[" not in text  # no header comment, no colour
    assert st.assemble(text) == spirv
    assert st.disassemble(spirv) == text  # deterministic


def test_validate_quotes_the_validator():
    bad = st.assemble(SOURCE.replace("OpStore %v %seven\n", "OpStore %v %v\n"))
    with pytest.raises(st.SpirvValidationError, match=r"spirv-val \(vulkan1.1\): .*OpStore"):
        st.validate(bad, "vulkan1.1")


def test_assemble_error_has_position():
    with pytest.raises(SpirvToolsError, match=r"spirv-as: 2:\d+: .*OpBogus"):
        st.assemble("OpCapability Shader\n%x = OpBogus\n")


def test_bad_binary_and_env_are_clear_errors():
    with pytest.raises(SpirvToolsError, match="32-bit words"):
        st.validate(b"abc")
    with pytest.raises(SpirvToolsError, match="target environment"):
        st.validate(st.assemble(SOURCE), "vulkan9.9")
    with pytest.raises(SpirvToolsError, match="spirv-dis"):
        st.disassemble(b"\0" * 20)


def test_optimize_keeps_the_module_valid_and_removes_dead_code():
    spirv = st.assemble(SOURCE)
    optimized = st.optimize(spirv, ("-O",), "vulkan1.1")
    st.validate(optimized, "vulkan1.1")
    assert "OpStore" not in st.disassemble(optimized)


def test_optimize_reports_failure():
    with pytest.raises(SpirvToolsError, match="spirv-opt"):
        st.optimize(st.assemble(SOURCE), ("--no-such-pass",))
