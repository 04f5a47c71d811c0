"""The SPIR-V module reader shared by reflection and the tests."""
import pytest

from simple_vkbackend.runtime.spirv import reader, tools
from simple_vkbackend.runtime.spirv.errors import SpirvFormatError

SOURCE = """OpCapability Shader
OpMemoryModel Logical GLSL450
OpEntryPoint GLCompute %main "main_entry"
OpExecutionMode %main LocalSize 8 1 1
%void = OpTypeVoid
%fn = OpTypeFunction %void
%main = OpFunction %void None %fn
%l = OpLabel
OpReturn
OpFunctionEnd
"""


def test_instructions_and_strings():
    words = reader.to_words(tools.assemble(SOURCE))
    (entry,) = reader.find(words, "OpEntryPoint")
    assert entry[0] & 0xFFFF == 15 and entry[0] >> 16 == len(entry)
    assert reader.literal_string(entry[3:])[0] == "main_entry"
    ops = [op for op, _ in reader.instructions(words)]
    assert ops[0] == 17 and len(ops) == 10  # OpCapability first, every instruction read


def test_byte_swapped_module_reads_the_same():
    code = tools.assemble(SOURCE)
    swapped = b"".join(code[i:i + 4][::-1] for i in range(0, len(code), 4))
    assert list(reader.to_words(swapped)) == list(reader.to_words(code))


@pytest.mark.parametrize("code, message", [
    (b"\0" * 18, "multiple of 4"),
    (b"\1\2\3\4" * 5, "bad magic"),
])
def test_malformed_modules_are_refused(code, message):
    with pytest.raises(SpirvFormatError, match=message):
        reader.to_words(code)


def test_bad_instruction_length_is_refused():
    words = list(reader.to_words(tools.assemble(SOURCE)))
    words[5] = (200 << 16) | (words[5] & 0xFFFF)
    with pytest.raises(SpirvFormatError, match="bad instruction length"):
        list(reader.instructions(words))
