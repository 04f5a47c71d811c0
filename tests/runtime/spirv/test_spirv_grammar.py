"""The grammar tables come from the headers wheel's JSON."""
import json

import pytest

from simple_vkbackend.runtime.spirv.errors import GrammarError
from simple_vkbackend.runtime.spirv.grammar import CORE_GRAMMAR, grammar, grammar_dir


def test_grammar_is_found_in_the_headers_wheel():
    assert (grammar_dir() / CORE_GRAMMAR).is_file()
    assert "cmeel.prefix" in str(grammar_dir())


def test_opcodes_and_magic_match_the_json():
    raw = json.loads((grammar_dir() / CORE_GRAMMAR).read_text())
    g = grammar()
    assert g.magic_number == int(raw["magic_number"], 16) == 0x07230203
    for spec in raw["instructions"][:50]:
        assert g.opcode(spec["opname"]) == spec["opcode"]


def test_enumerants_bitmasks_and_aliases():
    g = grammar()
    assert g.enum_value("StorageClass", "StorageBuffer") == 12
    assert g.enum_value("Decoration", "ArrayStride") == 6
    assert g.enum_value("MemorySemantics", "AcquireRelease|WorkgroupMemory") == 0x108
    assert g.enum_value("MemorySemantics", "Relaxed") == g.enum_value("MemorySemantics", "None") == 0
    assert g.enum_value("Capability", "StorageUniformBufferBlock16") == g.enum_value("Capability", "StorageBuffer16BitAccess")


def test_operand_kinds_and_enumerant_parameters():
    g = grammar()
    ops = g.instruction("OpDecorate").operands
    assert [o.kind for o in ops] == ["IdRef", "Decoration"]
    assert [p.kind for p in g.enumerant("Decoration", "BuiltIn").parameters] == ["BuiltIn"]
    assert g.instruction("OpIAdd").has_result and g.instruction("OpIAdd").has_result_type
    assert not g.instruction("OpStore").has_result


def test_glsl_numbers():
    g = grammar()
    assert g.glsl_opcode("Sqrt") == 31
    assert g.glsl_opcode("FClamp") == 43


def test_capability_extensions_depend_on_version():
    g = grammar()
    assert g.capability_extensions("StorageBuffer8BitAccess", (1, 3)) == ("SPV_KHR_8bit_storage",)
    assert g.capability_extensions("StorageBuffer8BitAccess", (1, 5)) == ()
    assert g.capability_extensions("StorageBuffer16BitAccess", (1, 3)) == ()
    assert g.capability_extensions("AtomicFloat32AddEXT", (1, 6)) == ("SPV_EXT_shader_atomic_float_add",)


def test_unknown_names_are_clear_errors():
    g = grammar()
    with pytest.raises(GrammarError, match="OpFrobnicate"):
        g.opcode("OpFrobnicate")
    with pytest.raises(GrammarError, match="Decoration.Shiny"):
        g.enum_value("Decoration", "Shiny")
    with pytest.raises(GrammarError, match="Frob"):
        g.glsl_opcode("Frob")


def test_tables_built_on_lookup_are_complete_mappings():
    raw = json.loads((grammar_dir() / CORE_GRAMMAR).read_text())
    g = grammar()
    kinds = [k["kind"] for k in raw["operand_kinds"]]
    with_enumerants = [k["kind"] for k in raw["operand_kinds"] if k.get("enumerants")]
    assert list(g.kinds) == kinds and len(g.kinds) == len(kinds)
    assert list(g.enums) == list(g.names) == with_enumerants
    assert "StorageClass" in g.enums and "NoSuchKind" not in g.kinds
    with pytest.raises(KeyError):
        g.kinds["NoSuchKind"]
    for kind in with_enumerants:
        assert g.enums[kind] == {n: e.value for n, e in g.kinds[kind].by_name.items()}
        assert all(g.enums[kind][name] == value for value, name in g.names[kind].items())
