"""The grammar-driven module builder."""
import struct

import pytest

from simple_vkbackend.runtime.spirv import tools as st
from simple_vkbackend.lowering.errors import LoweringError
from simple_vkbackend.runtime.spirv import reader
from simple_vkbackend.runtime.spirv.errors import GrammarError
from simple_vkbackend.lowering.spirv_builder import ModuleBuilder, encode_string


def minimal(b: ModuleBuilder) -> int:
    b.capability("Shader")
    b.instr("OpMemoryModel", "Logical", "GLSL450")
    void = b.type_void()
    fn = b.begin_function(void, b.type_function(void))
    b.label()
    b.instr("OpReturn")
    b.end_function()
    b.instr("OpEntryPoint", "GLCompute", fn, "main")
    b.instr("OpExecutionMode", fn, "LocalSize", 4, 2, 1)
    return fn


def words_of(b: ModuleBuilder, opname: str) -> list[list[int]]:
    """Every instruction with opcode `opname` in the assembled module, as words."""
    return reader.find(b.words(), opname)


def test_minimal_module_validates_and_has_header():
    b = ModuleBuilder((1, 3))
    minimal(b)
    spirv = b.assemble()
    magic, version, generator, bound, schema = struct.unpack("<5I", spirv[:20])
    assert (magic, version, schema) == (0x07230203, 0x00010300, 0)
    assert bound == b.bound
    st.validate(spirv, "vulkan1.1")


def test_operand_encoding_by_kind():
    b = ModuleBuilder()
    fn = minimal(b)
    b.decorate(fn, "SpecId", 3)  # enumerant parameter
    b.name(fn, "main")
    assert words_of(b, "OpExecutionMode")[0][1:] == [fn, b.g.enum_value("ExecutionMode", "LocalSize"), 4, 2, 1]
    assert words_of(b, "OpName")[0][2:] == encode_string("main")
    assert words_of(b, "OpDecorate")[0][1:] == [fn, 1, 3]
    assert encode_string("abcd") == [0x64636261, 0]


def test_bit_enum_masks_and_parameters():
    b = ModuleBuilder()
    minimal(b)
    u = b.type_int(32, False)
    p = b.type_pointer("Function", u)
    fn = b.begin_function(b.type_void(), b.type_function(b.type_void()))
    b.label()
    v = b.local_variable(p)
    b.instr("OpLoad", u, v, "Volatile|Aligned", 4)
    b.instr("OpReturn")
    b.end_function()
    load = words_of(b, "OpLoad")[0]
    assert load[4:] == [0x1 | 0x2, 4]


def test_types_and_constants_are_deduplicated():
    b = ModuleBuilder()
    assert b.type_int(32, True) == b.type_int(32, True) != b.type_int(32, False)
    f = b.type_float(32)
    assert b.constant(f, 1.5) == b.constant(f, 1.5) != b.constant(f, -1.5)
    assert b.constant(f, 0.0) != b.constant(f, -0.0)
    assert b.type_pointer("Function", f) == b.type_pointer("Function", f)


def test_aggregates_are_keyed_with_their_decorations():
    b = ModuleBuilder()
    f = b.type_float(32)
    ra = b.type_runtime_array(f, 4)
    assert ra == b.type_runtime_array(f, 4) != b.type_runtime_array(f)
    ro = b.type_struct([ra], [("Block",)], [(0, "Offset", 0), (0, "NonWritable")])
    rw = b.type_struct([ra], [("Block",)], [(0, "Offset", 0)])
    assert ro != rw
    assert ro == b.type_struct([ra], [("Block",)], [(0, "Offset", 0), (0, "NonWritable")])
    assert len(words_of(b, "OpMemberDecorate")) == 3


def test_constants_of_every_width():
    b = ModuleBuilder()
    assert words_of_const(b, b.type_int(8, True), -1) == [0xFFFFFFFF]
    assert words_of_const(b, b.type_int(16, False), 0xFFFF) == [0xFFFF]
    assert words_of_const(b, b.type_int(64, True), -2) == [0xFFFFFFFE, 0xFFFFFFFF]
    assert words_of_const(b, b.type_float(16), 1.0) == [0x3C00]
    assert words_of_const(b, b.type_float(64), 1.0) == [0, 0x3FF00000]
    assert {"Int8", "Int16", "Int64", "Float16", "Float64"} <= set(b.capabilities)


def words_of_const(b, t, value):
    cid = b.constant(t, value)
    for w in words_of(b, "OpConstant"):
        if w[2] == cid:
            return w[3:]
    raise AssertionError("constant not found")


def test_capabilities_only_on_demand_with_extensions_per_version():
    old, new = ModuleBuilder((1, 3)), ModuleBuilder((1, 5))
    for b in (old, new):
        b.capability("StorageBuffer8BitAccess")
        b.capability("StorageBuffer8BitAccess")
    assert old.extensions == ["SPV_KHR_8bit_storage"] and new.extensions == []
    assert old.capabilities == ["StorageBuffer8BitAccess"]
    assert len(words_of(old, "OpCapability")) == 1


def test_variables_go_to_the_entry_block_and_globals_to_types():
    b = ModuleBuilder()
    b.capability("Shader")
    b.instr("OpMemoryModel", "Logical", "GLSL450")
    u = b.type_int(32, False)
    void = b.type_void()
    fn = b.begin_function(void, b.type_function(void))
    b.label()
    second = b.new_id()
    b.instr("OpBranch", second)
    b.label(second)
    b.local_variable(b.type_pointer("Function", u))  # declared late, lands in the entry block
    g = b.global_variable(b.type_pointer("Private", u), "Private")
    b.instr("OpStore", g, b.constant(u, 1))
    b.instr("OpReturn")
    b.end_function()
    b.instr("OpEntryPoint", "GLCompute", fn, "main")
    b.instr("OpExecutionMode", fn, "LocalSize", 1, 1, 1)
    st.validate(b.assemble(), "vulkan1.1")
    text = st.disassemble(b.assemble())
    lines = [ln.strip() for ln in text.splitlines()]
    var_line = next(i for i, ln in enumerate(lines) if "OpVariable" in ln and "Function" in ln)
    assert "OpLabel" in lines[var_line - 1]
    private = next(i for i, ln in enumerate(lines) if "OpVariable" in ln and "Private" in ln)
    assert private < next(i for i, ln in enumerate(lines) if "OpFunction " in ln)


def test_same_calls_give_identical_bytes():
    def build():
        b = ModuleBuilder()
        minimal(b)
        b.constant(b.type_float(32), 2.5)
        return b.assemble()
    assert build() == build()


def test_encoding_errors_are_lowering_errors():
    b = ModuleBuilder()
    with pytest.raises(LoweringError, match="OpDecorate"):
        b.instr("OpDecorate", 1)
    with pytest.raises(LoweringError, match="too many"):
        b.instr("OpTypeVoid", 5)
    with pytest.raises(GrammarError, match="OpNope"):  # the toolkit's grammar
        b.instr("OpNope")
    with pytest.raises(LoweringError, match="outside a function"):
        b.instr("OpReturn")
    with pytest.raises(LoweringError, match="out of range of f16"):
        b.constant(b.type_float(16), 1e10)
