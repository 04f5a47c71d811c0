"""The emitter's block discipline and structured helpers."""
import pytest

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.codegen.emitter import Emitter
from simple_vkbackend.lowering.errors import LoweringError
from simple_vkbackend.lowering.codegen.type_map import TypeMap
from simple_vkbackend.lowering.spirv_builder import ModuleBuilder
from simple_vkbackend.runtime.spirv import reader, tools


def function_emitter() -> tuple[ModuleBuilder, Emitter, TypeMap]:
    b = ModuleBuilder((1, 3))
    b.capability("Shader")
    b.instr("OpMemoryModel", "Logical", "GLSL450")
    t = TypeMap(b)
    fn = b.begin_function(t.void, b.type_function(t.void))
    b.instr("OpEntryPoint", "GLCompute", fn, "main")
    b.instr("OpExecutionMode", fn, "LocalSize", 1, 1, 1)
    return b, Emitter(b, t), t


def test_refuses_an_instruction_before_the_first_block_and_after_a_terminator():
    b, em, t = function_emitter()
    with pytest.raises(LoweringError, match="no block"):
        em.emit("OpNop")
    em.start_block(em.new_label())
    em.terminate("OpReturn")
    with pytest.raises(LoweringError, match="terminated"):
        em.emit("OpNop")


def test_refuses_a_block_inside_an_open_block():
    b, em, t = function_emitter()
    em.start_block(em.new_label())
    with pytest.raises(LoweringError, match="inside unterminated block"):
        em.start_block(em.new_label())


def test_loop_with_carried_values_and_unless_make_a_valid_module():
    b, em, t = function_emitter()
    em.start_block(em.new_label())
    u32 = t.scalar(ir.U32)
    with em.loop([(u32, t.const(ir.U32, 0))]) as lp:
        (i,) = lp.values
        lp.enter_while(em.emit("OpULessThan", t.bool, i, t.const(ir.U32, 10)))
        em.emit("OpIAdd", u32, i, t.const(ir.U32, 1), result=lp.next[0])
    with em.unless(em.emit("OpIEqual", t.bool, i, t.const(ir.U32, 10))):
        em.terminate("OpReturn")
    em.terminate("OpReturn")
    b.end_function()
    spirv = b.assemble()
    tools.validate(spirv, "vulkan1.1")
    words = reader.to_words(spirv)
    assert len(reader.find(words, "OpLoopMerge")) == 1
    assert len(reader.find(words, "OpPhi")) == 1
    assert len(reader.find(words, "OpSelectionMerge")) == 1


def test_if_then_and_if_else_with_a_merge_no_arm_reaches():
    b, em, t = function_emitter()
    em.start_block(em.new_label())
    yes = t.true()
    with em.if_then(yes):
        em.emit("OpNop")
    assert em.live
    with em.if_else(yes) as sel:
        with sel.then():
            em.terminate("OpReturn")
        with sel.otherwise():
            em.terminate("OpReturn")
    assert em.open and em.dead  # the merge is kept for structure, no path reaches it
    em.terminate("OpUnreachable")
    b.end_function()
    spirv = b.assemble()
    tools.validate(spirv, "vulkan1.1")
    assert len(reader.find(reader.to_words(spirv), "OpSelectionMerge")) == 2


def test_else_arm_needs_a_selection_with_one():
    b, em, t = function_emitter()
    em.start_block(em.new_label())
    with pytest.raises(LoweringError, match="else arm"):
        with em.if_else(t.true(), has_else=False) as sel:
            with sel.otherwise():
                pass
