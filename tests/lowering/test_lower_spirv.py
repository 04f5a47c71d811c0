"""IR -> SPIR-V: every module validates, with the decorations, capabilities and
structure DESIGN.md asks for; output is deterministic; invalid output is an
InternalCompilerError."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fuzz_budget import examples

import lowering_kernels as lk
from ir_samples import every_node_module
from ir_strategies import modules
from lowering_irb import (F32, I8, I16, I64, U8, U16, assign, at, binop, buf, const, gid, if_, kernel, local,
                          logical, loop, module, param, saxpy, select, var)
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.codegen import arith as lower_arith
from simple_vkbackend.lowering.errors import InternalCompilerError, LoweringError
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.ir.verify import verify_module
from simple_vkbackend.lowering.lower import LoweredKernel, Target, lower_kernel, lower_module
from simple_vkbackend.runtime.spirv.tools import disassemble, validate

VERSIONS = [(1, 3), (1, 4), (1, 5), (1, 6)]
ZOO = lk.zoo()


def lowered_text(m: ir.Module, target: Target = Target()) -> str:
    return disassemble(lower_kernel(m, m.kernels[0].name, target).spirv)


def lines_with(text: str, *words: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if all(w in ln for w in words)]


# ---------------------------------------------------------------------------- validity

def test_zoo_modules_are_verified_ir():
    for name, m in ZOO.items():
        verify_module(m)


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"spv{v[0]}.{v[1]}")
def test_every_zoo_kernel_validates(version):
    for name, m in ZOO.items():
        for native in (False, True):
            k = lower_kernel(m, m.kernels[0].name, Target(spirv_version=version, float_atomic_add=native))
            validate(k.spirv, Target(spirv_version=version).env)  # lower_kernel validated too
            assert k.spirv[4:8] == bytes([0, version[1], version[0], 0])


def test_every_node_sample_lowers():
    kernels = lower_module(every_node_module())
    assert [k.name for k in kernels] == [k.name for k in every_node_module().kernels]


def _lowers_or_refuses_step_return(m: ir.Module, target: Target) -> None:
    try:
        lower_module(m, target)
    except LoweringError as e:
        assert "loop step cannot" in str(e), str(e)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules(), st.sampled_from(VERSIONS), st.booleans())
def test_random_modules_lower_to_valid_spirv(m, version, native):
    _lowers_or_refuses_step_return(m, Target(spirv_version=version, float_atomic_add=native))


# ---------------------------------------------------------------------------- interface and decorations

def test_saxpy_interface_and_decorations():
    k = lower_kernel(saxpy(), "saxpy")
    assert isinstance(k, LoweredKernel) and k.name == "saxpy"
    itf = k.interface
    assert [(p.name, p.binding, p.offset, p.access) for p in itf.params] == [
        ("a", None, 0, None), ("x", 0, None, "read"), ("y", 1, None, "readwrite"), ("n", None, 4, None)]
    assert itf.capabilities == ("Shader",) and itf.extensions == ()
    text = disassemble(k.spirv)
    assert lines_with(text, "OpEntryPoint GLCompute %saxpy \"saxpy\"")
    assert lines_with(text, "OpDecorate %x Binding 0") and lines_with(text, "OpDecorate %y Binding 1")
    assert len(lines_with(text, "DescriptorSet 0")) == 2
    assert lines_with(text, "ArrayStride 4")
    assert len(lines_with(text, "OpDecorate", "Block")) == 3  # two buffers, one push-constant block
    assert len(lines_with(text, "NonWritable")) == 1 and not lines_with(text, "NonReadable")
    assert lines_with(text, "OpMemberDecorate", "1 Offset 4")
    assert lines_with(text, "OpExecutionMode %saxpy LocalSize 256 1 1")
    for i, default in enumerate((256, 1, 1)):
        name = "local_size_" + "xyz"[i]
        assert lines_with(text, f"OpDecorate %{name} SpecId {i}")
        assert lines_with(text, f"%{name} = OpSpecConstant %uint {default}")
    assert lines_with(text, "BuiltIn WorkgroupSize") and lines_with(text, "OpSpecConstantComposite")
    assert lines_with(text, "OpVariable", "PushConstant")


def test_write_only_and_unused_buffers():
    text = lowered_text(lk.unused_buffer())
    ghost = [ln for ln in text.splitlines() if "OpMemberDecorate" in ln]
    assert len(lines_with(text, "NonReadable")) == 2  # ghost (unused) and out (write-only)
    assert len(lines_with(text, "NonWritable")) == 1  # ghost
    assert ghost


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: f"spv{v[0]}.{v[1]}")
def test_entry_point_interface_per_version(version):
    text = lowered_text(lk.reduction(), Target(spirv_version=version))
    entry = lines_with(text, "OpEntryPoint")[0]
    listed = set(re.findall(r"%(\w+)", entry)) - {"partial_sums"}
    if version < (1, 4):
        assert listed == {"LocalInvocationId", "GlobalInvocationId", "WorkgroupId"}
    else:
        assert listed == {"input", "out", "acc", "LocalInvocationId", "GlobalInvocationId", "WorkgroupId"}


def test_only_used_builtins_are_declared():
    text = lowered_text(saxpy())
    assert lines_with(text, "BuiltIn GlobalInvocationId")
    assert not lines_with(text, "BuiltIn LocalInvocationId") and not lines_with(text, "NumWorkgroups")


def test_local_size_hint_sets_defaults():
    text = lowered_text(lk.grid(3))
    assert lines_with(text, "%local_size_z = OpSpecConstant %uint 2")
    assert lines_with(text, "LocalSize 2 2 2")


def test_shared_and_private_arrays():
    text = lowered_text(lk.lengths())
    assert lines_with(text, "%tile = OpVariable", "Workgroup")
    assert lines_with(text, "%priv = OpVariable", "Function")
    assert lines_with(text, "OpConstantNull", "_arr_short")


def test_locals_are_named_and_zero_initialised():
    text = lowered_text(lk.loops())
    for name in ("j", "acc", "k"):
        (line,) = lines_with(text, f"%{name} = OpVariable")
        assert re.search(r"Function %\d+$", line)  # an OpConstantNull initializer
    assert lines_with(text, "OpName %acc \"acc\"")


# ---------------------------------------------------------------------------- capabilities

def test_capabilities_only_for_what_is_used():
    assert lower_kernel(lk.binary_op("add", ir.I32), "binop").interface.capabilities == ("Shader",)
    caps = lower_kernel(lk.binary_op("add", I64), "binop").interface.capabilities
    assert set(caps) == {"Shader", "Int64"}
    caps = lower_kernel(lk.binary_op("add", ir.F64), "binop").interface.capabilities
    assert set(caps) == {"Shader", "Float64"}


@pytest.mark.parametrize("t,caps", [
    (U8, {"Int8", "StorageBuffer8BitAccess"}), (I8, {"Int8", "StorageBuffer8BitAccess"}),
    (U16, {"Int16", "StorageBuffer16BitAccess"}), (I16, {"Int16", "StorageBuffer16BitAccess"}),
    (ir.F16, {"Float16", "StorageBuffer16BitAccess"}),
], ids=str)
def test_small_types_in_buffers(t, caps):
    m = lk.binary_op("add", t)
    old = lower_kernel(m, "binop", Target(spirv_version=(1, 3))).interface
    new = lower_kernel(m, "binop", Target(spirv_version=(1, 5))).interface
    assert set(old.capabilities) == caps | {"Shader"} == set(new.capabilities)
    assert old.extensions == (("SPV_KHR_8bit_storage",) if t.bits == 8 else ())
    assert new.extensions == ()


def test_small_push_constants():
    itf = lower_kernel(lk.scalars_and_locals(), "scalars").interface
    assert {"StoragePushConstant8", "StoragePushConstant16", "Int8", "Int16", "Int64", "Float64"} <= set(itf.capabilities)
    assert "SPV_KHR_8bit_storage" in itf.extensions


def test_bool_push_constant_is_a_u32():
    text = lowered_text(lk.scalars_and_locals())
    struct_line = [ln for ln in lines_with(text, "OpTypeStruct") if "%uint" in ln and "%char" in ln]
    assert struct_line and "%bool" not in struct_line[0]


@pytest.mark.parametrize("native", [False, True])
def test_float_atomic_add_both_ways(native):
    k = lower_kernel(lk.float_atomic_add(), "fadd", Target(float_atomic_add=native))
    text = disassemble(k.spirv)
    if native:
        assert "AtomicFloat32AddEXT" in k.interface.capabilities
        assert k.interface.extensions == ("SPV_EXT_shader_atomic_float_add",)
        assert len(lines_with(text, "OpAtomicFAddEXT")) == 3
        assert not lines_with(text, "OpAtomicCompareExchange")
    else:
        assert k.interface.capabilities == ("Shader",) and k.interface.extensions == ()
        assert len(lines_with(text, "OpAtomicCompareExchange")) == 3
        assert lines_with(text, "OpTypeRuntimeArray %uint")  # sums stored as u32 bits


def test_atomic_scopes():
    text = lowered_text(lk.atomics(ir.I32))
    device, workgroup = "%uint_1", "%uint_2"  # Scope Device, Workgroup
    assert lines_with(text, "OpAtomicSMin", device) and lines_with(text, "OpAtomicSMax", workgroup)
    assert lines_with(text, "OpAtomicCompareExchange", device)
    for op in ("IAdd", "ISub", "SMin", "SMax", "And", "Or", "Xor", "Exchange", "CompareExchange"):
        assert lines_with(text, f"OpAtomic{op} ")
    assert lines_with(lowered_text(lk.atomics(ir.U32)), "OpAtomicUMin")


def test_barrier_and_fence_semantics():
    text = lowered_text(lk.fences())
    # AcquireRelease | UniformMemory | WorkgroupMemory = 0x8 | 0x40 | 0x100
    assert lines_with(text, "OpControlBarrier %uint_2 %uint_2 %uint_328")
    assert lines_with(text, "OpMemoryBarrier %uint_1 %uint_328")


# ---------------------------------------------------------------------------- operations

@pytest.mark.parametrize("t,div,rem,shr", [(ir.I32, "OpSDiv", "OpISub", "OpShiftRightArithmetic"),
                                           (ir.U32, "OpUDiv", "OpUMod", "OpShiftRightLogical")], ids=str)
def test_integer_division_and_shifts(t, div, rem, shr):
    assert lines_with(lowered_text(lk.binary_op("div", t)), div)
    rem_text = lowered_text(lk.binary_op("rem", t))
    assert lines_with(rem_text, rem)
    # Vulkan leaves OpSRem/OpSMod undefined for negative operands (NVIDIA returns garbage)
    assert not lines_with(rem_text, "OpSMod") and not lines_with(rem_text, "OpSRem")
    text = lowered_text(lk.binary_op("shr", t))
    assert lines_with(text, shr) and lines_with(text, "OpBitwiseAnd", "_31")  # amount masked


def test_division_guards_only_unknown_divisors():
    def divide(divisor):
        return module(kernel("d", [buf("out", ir.I32), param("n")],
                             [assign(at("out", gid(), ir.I32), binop("div", var("n"), divisor))]))
    assert not lines_with(lowered_text(divide(const(2))), "OpSelect")
    assert lines_with(lowered_text(divide(const(-1))), "OpSelect")  # MIN / -1
    guarded = lowered_text(divide(gid()))
    assert lines_with(guarded, "OpSelect") and lines_with(guarded, "OpIEqual", "%int_0")


def test_float_to_int_saturates():
    text = lowered_text(lk.cast_op(F32, ir.I32))
    assert lines_with(text, "OpIsNan") and lines_with(text, "%float_2_14748365e_09")
    assert lines_with(text, "OpConvertFToS")


def test_float_min_max_propagate_nan():
    assert len(lines_with(lowered_text(lk.math_op("min")), "OpIsNan")) == 2
    assert len(lines_with(lowered_text(lk.math_op("clamp")), "OpIsNan")) == 3
    assert not lines_with(lowered_text(lk.math_op("min", ir.I32)), "OpIsNan")


def test_integer_pow_is_a_structured_loop():
    text = lowered_text(lk.binary_op("pow", ir.I32))
    assert len(lines_with(text, "OpLoopMerge")) == 1 and len(lines_with(text, "OpPhi")) == 3
    assert lines_with(lowered_text(lk.binary_op("pow", F32)), "Pow")


def test_math_through_glsl():
    text = lowered_text(lk.math_op("sqrt"))
    assert lines_with(text, "OpExtInstImport \"GLSL.std.450\"") and lines_with(text, "Sqrt")
    assert lines_with(lowered_text(lk.math_op("min", ir.U32)), "UMin")
    assert lines_with(lowered_text(lk.math_op("clamp", ir.I32)), "SClamp")
    assert lines_with(lowered_text(lk.math_op("isnan")), "OpIsNan")
    round_text = lowered_text(lk.math_op("round"))
    assert lines_with(round_text, "Trunc") and not lines_with(round_text, " Round ")
    sin64 = lowered_text(lk.math_op("sin", ir.F64))  # GLSL Sin is 16/32-bit only
    assert lines_with(sin64, "Sin %") and lines_with(sin64, "OpFConvert %float")


@pytest.mark.parametrize("src,dst,op", [
    (ir.I8, ir.I32, "OpSConvert"), (ir.U8, ir.I64, "OpUConvert"), (ir.I32, ir.U32, "OpBitcast"),
    (F32, ir.F64, "OpFConvert"), (F32, ir.I32, "OpConvertFToS"), (F32, ir.U16, "OpConvertFToU"),
    (ir.I16, F32, "OpConvertSToF"), (ir.U64, ir.F16, "OpConvertUToF"), (ir.BOOL, F32, "OpSelect"),
    (ir.I32, ir.BOOL, "OpINotEqual"), (F32, ir.BOOL, "OpFUnordNotEqual"),
], ids=str)
def test_cast_instructions(src, dst, op):
    assert lines_with(lowered_text(lk.cast_op(src, dst)), op)


# ---------------------------------------------------------------------------- control flow

def test_if_and_loops_are_structured():
    text = lowered_text(lk.loops())
    assert len(lines_with(text, "OpLoopMerge")) == 2
    assert len(lines_with(text, "OpSelectionMerge")) == 4  # the n guard and three ifs


def test_short_circuit_opens_selections_only_when_needed():
    text = lowered_text(lk.short_circuit())
    assert len(lines_with(text, "OpSelectionMerge")) == 4  # guard, and, or, select
    assert len(lines_with(text, "OpPhi")) == 3
    cheap = module(kernel("cheap", [buf("out", ir.I32), param("n")], [
        assign(at("out", gid(), ir.I32),
               select(logical("and", binop("lt", gid(), var("n")), binop("gt", var("n"), const(3))),
                      const(1), const(2)))]))
    text = lowered_text(cheap)
    assert not lines_with(text, "OpPhi") and lines_with(text, "OpLogicalAnd") and lines_with(text, "OpSelect")


def test_simd_checks_return_before_the_access():
    text = lowered_text(lk.simd_scale())
    assert len(lines_with(text, "OpArrayLength")) == 2
    assert len(lines_with(text, "OpULessThan")) == 2
    assert len(lines_with(text, "OpReturn")) == 3  # two failed checks, one at the end


def test_unreachable_code_is_dropped():
    text = lowered_text(lk.early_return())
    assert not lines_with(text, "%int_7") and not lines_with(text, "%int_99")
    assert lines_with(text, "%int_n2")


def test_infinite_loop_with_return_in_body():
    m = module(kernel("spin", [buf("out", ir.I32)], [
        loop(None, [if_(binop("gt", var("k"), const(3)), [assign(at("out", const(0), ir.I32), var("k")), ir.Return()]),
                    assign(var("k"), binop("add", var("k"), const(1)))]),
        assign(at("out", const(1), ir.I32), const(5))], [local("k")]))
    text = lowered_text(m)
    assert not lines_with(text, "%int_5")  # after a loop that never exits normally


def test_return_in_a_loop_step_is_refused_clearly():
    m = module(kernel("bad", [buf("out", ir.I32)], [loop(None, [ir.Break()], [ir.Return()])]))
    with pytest.raises(LoweringError, match="bad: a loop step cannot return"):
        lower_kernel(m, "bad")


def test_helpers_are_functions_callees_first():
    text = lowered_text(lk.helpers())
    order = [ln.split()[0] for ln in lines_with(text, "= OpFunction ")]
    assert order.index("%square") < order.index("%clamp_pos") < order.index("%helpers")
    assert len(lines_with(text, "OpFunctionCall")) == 4
    assert lines_with(text, "OpReturnValue")


def test_literal_out_of_bounds_index_reads_zero():
    m = module(kernel("oob", [buf("out", ir.I32)], [
        assign(at("out", const(0), ir.I32), at("arr", const(5), ir.I32)),
        assign(at("arr", const(-1), ir.I32), const(3))], [lk.private_array("arr", ir.I32, 2)]))
    text = lowered_text(m)
    assert not lines_with(text, "OpAccessChain", "%int_5") and not lines_with(text, "OpAccessChain", "%int_n1")
    (store,) = lines_with(text, "OpStore")  # arr[-1] = 3 writes nothing
    stored = store.split()[-1]
    assert lines_with(text, f"{stored} = OpConstantNull %int")  # out[0] = arr[5] reads a zero


# ---------------------------------------------------------------------------- determinism, errors, speed

def test_output_is_deterministic():
    for name in ("reduction", "helpers", "atomics_i32", "scalars", "loops"):
        m = ZOO[name]
        first = lower_kernel(m, m.kernels[0].name).spirv
        assert lower_kernel(m, m.kernels[0].name).spirv == first
        reparsed = parse_module(print_module(m))  # equal IR, fresh objects
        assert lower_kernel(reparsed, m.kernels[0].name).spirv == first


def test_lower_module_gives_one_per_kernel():
    a, b = saxpy().kernels[0], lk.fences().kernels[0]
    lowered = lower_module(module(a, b), Target(spirv_version=(1, 5)))
    assert [k.name for k in lowered] == ["saxpy", "fences"]
    assert all(k.spirv[4:8] == bytes([0, 5, 1, 0]) for k in lowered)


def test_unsupported_spirv_version_is_a_lowering_error():
    with pytest.raises(LoweringError, match=r"SPIR-V \(1, 2\) is not a supported target \(supported: 1.3, 1.4"):
        lower_kernel(saxpy(), "saxpy", Target(spirv_version=(1, 2)))


def test_unknown_kernel_is_a_lowering_error():
    with pytest.raises(LoweringError, match="no kernel named 'nope'"):
        lower_kernel(saxpy(), "nope")


def test_invalid_spirv_is_an_internal_compiler_error(monkeypatch):
    monkeypatch.setitem(lower_arith._FLOAT, "add", "OpIAdd")  # a bug: integer add on floats
    with pytest.raises(InternalCompilerError) as info:
        lower_kernel(saxpy(), "saxpy")
    message = str(info.value)
    assert "kernel 'saxpy'" in message and "spirv-val" in message and "OpIAdd" in message
