"""Cooperative matrices in the IR: verifier rules, the text form, the SPIR-V (validated
by SPIRV-Tools; lavapipe has no VK_KHR_cooperative_matrix, so it is not run here), the
features a kernel asks for, and the uniformity rule."""
from __future__ import annotations

import pytest

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRParseError, IRVerifyError
from simple_vkbackend.lowering.interface import required_features
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.ir.equal import ir_equal
from simple_vkbackend.lowering.ir.uniformity import barrier_problems
from simple_vkbackend.lowering.ir.verify import module_problems, verify_module
from simple_vkbackend.lowering.ir.walk import buffer_usage
from simple_vkbackend.lowering.lower import Target, lower_kernel
from simple_vkbackend.runtime.spirv.tools import disassemble

A = ir.CoopMatrixType(ir.F16, 16, 16, "a")
B = ir.CoopMatrixType(ir.F16, 16, 16, "b")
C = ir.CoopMatrixType(ir.F32, 16, 16, "acc")
H = ir.CoopMatrixType(ir.F16, 16, 16, "acc")
I8A, I8B = ir.CoopMatrixType(ir.I8, 16, 32, "a"), ir.CoopMatrixType(ir.I8, 32, 16, "b")
I32C = ir.CoopMatrixType(ir.I32, 16, 16, "acc")


def zero() -> ir.Const:
    return ir.Const(ir.I32, 0)


def n() -> ir.Var:
    return ir.Var(ir.I32, "n")


def params() -> list[ir.Param]:
    return [ir.Param("a", ir.BufferType(ir.F16, False)), ir.Param("b", ir.BufferType(ir.F16, False)),
            ir.Param("c", ir.BufferType(ir.F32)), ir.Param("h", ir.BufferType(ir.F16)), ir.Param("n", ir.I32)]


def matmul_kernel(stmts=None, shared=False) -> ir.Module:
    """Every matrix operation once: fill, loads (buffer or shared, both layouts),
    mul-add, + - * /, scale, convert, stores, length."""
    source = "s" if shared else "a"
    body = stmts if stmts is not None else [
        ir.CoopAssign("acc", ir.CoopFill(C, ir.Const(ir.F32, 0.0))),
        ir.CoopAssign("ma", ir.CoopLoad(A, source, zero(), n())),
        ir.CoopAssign("mb", ir.CoopLoad(B, "b", zero(), n(), "col_major")),
        ir.CoopAssign("acc", ir.CoopMulAdd(C, ir.CoopVar(A, "ma"), ir.CoopVar(B, "mb"), ir.CoopVar(C, "acc"))),
        ir.CoopAssign("acc", ir.CoopBinary(C, "add", ir.CoopScale(C, ir.CoopVar(C, "acc"), ir.Const(ir.F32, 2.0)),
                                           ir.CoopBinary(C, "div", ir.CoopVar(C, "acc"), ir.CoopVar(C, "acc")))),
        ir.CoopAssign("acc", ir.CoopBinary(C, "sub", ir.CoopBinary(C, "mul", ir.CoopVar(C, "acc"),
                                                                   ir.CoopVar(C, "acc")), ir.CoopVar(C, "acc"))),
        ir.CoopStore(ir.CoopVar(C, "acc"), "c", zero(), n()),
        ir.CoopStore(ir.CoopConvert(H, ir.CoopVar(C, "acc")), "h", zero(), n(), "col_major"),
        ir.Assign(ir.Index(ir.F32, "c", zero()), ir.Cast(ir.F32, ir.CoopLength(ir.I32, C))),
    ]
    k = ir.Kernel("mm", params(), ir.Block(body),
                  locals=[ir.Local("acc", C), ir.Local("ma", A), ir.Local("mb", B)], local_size=(32, 1, 1),
                  shared=[ir.SharedArray("s", ir.ArrayType(ir.F16, 256, "shared"))] if shared else [])
    return ir.Module([k], name="coop")


def test_every_operation_verifies_round_trips_and_lowers():
    m = matmul_kernel()
    verify_module(m)
    text = print_module(m)
    assert "(coop.mul_add coop<f32, 16, 16, acc> ma mb acc)" in text
    assert "coop_store (coop.convert coop<f16, 16, 16, acc> acc) h 0:i32 n col_major" in text
    assert ir_equal(parse_module(text), m)
    for version, env in (((1, 3), "vulkan1.1"), ((1, 6), "vulkan1.3")):
        lowered = lower_kernel(m, "mm", Target(spirv_version=version))
        asm = disassemble(lowered.spirv, env)
        for instruction in ("OpCapability CooperativeMatrixKHR", 'OpExtension "SPV_KHR_cooperative_matrix"',
                            "OpMemoryModel Logical Vulkan", "OpCooperativeMatrixMulAddKHR",
                            "OpCooperativeMatrixLoadKHR", "OpCooperativeMatrixStoreKHR",
                            "OpCooperativeMatrixLengthKHR", "OpMatrixTimesScalar", "OpFConvert",
                            "OpFAdd", "OpFSub", "OpFMul", "OpFDiv", "OpCompositeConstruct"):
            assert instruction in asm, instruction
        assert ("SPV_KHR_vulkan_memory_model" in asm) == (version < (1, 5))


def test_loads_from_shared_memory_lower():
    m = matmul_kernel(shared=True)
    verify_module(m)
    asm = disassemble(lower_kernel(m, "mm").spirv)
    assert "OpAccessChain %_ptr_Workgroup_half %s" in asm


def test_integer_matrices_mark_signed_components():
    k = ir.Kernel("imm", [ir.Param("x", ir.BufferType(ir.I8, False)), ir.Param("y", ir.BufferType(ir.I32))],
                  ir.Block([ir.CoopAssign("acc", ir.CoopMulAdd(I32C, ir.CoopLoad(I8A, "x", zero(), ir.Const(ir.I32, 32)),
                                                               ir.CoopLoad(I8B, "x", zero(), ir.Const(ir.I32, 16)),
                                                               ir.CoopFill(I32C, ir.Const(ir.I32, 1)))),
                            ir.CoopStore(ir.CoopScale(I32C, ir.CoopVar(I32C, "acc"), ir.Const(ir.I32, 3)), "y",
                                         zero(), ir.Const(ir.I32, 16))]),
                  locals=[ir.Local("acc", I32C)], local_size=(32, 1, 1))
    m = ir.Module([k])
    verify_module(m)
    asm = disassemble(lower_kernel(m, "imm").spirv)
    assert "MatrixASignedComponentsKHR|MatrixBSignedComponentsKHR|MatrixCSignedComponentsKHR|" \
           "MatrixResultSignedComponentsKHR" in asm
    assert "OpIMul" in asm


def test_features_and_buffer_usage():
    m = matmul_kernel()
    k = m.kernel("mm")
    assert {"cooperativeMatrix", "vulkanMemoryModel", "shaderFloat16", "storageBuffer16BitAccess"} <= set(
        required_features(m, k))
    usage = buffer_usage(k)
    assert (usage["a"].access, usage["b"].access, usage["c"].access, usage["h"].access) == \
        ("read", "read", "write", "write")


@pytest.mark.parametrize("stmt, problem", [
    (ir.CoopAssign("acc", ir.CoopMulAdd(C, ir.CoopVar(B, "mb"), ir.CoopVar(B, "mb"), ir.CoopVar(C, "acc"))),
     "operand a has use b, expected a"),
    (ir.CoopAssign("acc", ir.CoopMulAdd(C, ir.CoopVar(A, "ma"), ir.CoopVar(B, "mb"),
                                        ir.CoopFill(H, ir.Const(ir.F16, 0.0)))),
     "c has type coop<f16, 16, 16, acc>, the result coop<f32, 16, 16, acc>"),
    (ir.CoopAssign("ma", ir.CoopLoad(A, "c", zero(), n())), "'c' holds f32, the matrix f16"),
    (ir.CoopStore(ir.CoopVar(A, "ma"), "a", zero(), n()), "write to read-only buffer 'a'"),
    (ir.CoopAssign("acc", ir.CoopFill(C, ir.Const(ir.F16, 1.0))), "coop fill value has type f16"),
    (ir.CoopAssign("acc", ir.CoopBinary(C, "rem", ir.CoopVar(C, "acc"), ir.CoopVar(C, "acc"))),
     "op must be add, sub, mul or div"),
    (ir.CoopAssign("ma", ir.CoopVar(C, "acc")), "value has type coop<f32, 16, 16, acc>, local 'ma'"),
    (ir.CoopAssign("n", ir.CoopVar(C, "acc")), "coop assign to param 'n'"),
    (ir.CoopStore(ir.CoopVar(C, "acc"), "c", ir.Const(ir.F32, 0.0), n()), "offset must be i32, not f32"),
    (ir.CoopAssign("acc", ir.CoopConvert(ir.CoopMatrixType(ir.F32, 16, 8, "acc"), ir.CoopVar(C, "acc"))),
     "changes the shape or use"),
    (ir.Assign(ir.Var(ir.I32, "n"), ir.Var(ir.I32, "acc")), "Var 'acc' names a matrix"),
])
def test_verifier_rules(stmt, problem):
    m = matmul_kernel([stmt])
    problems = module_problems(m)
    assert any(problem in p for p in problems), problems


def test_matrix_locals_only_in_kernels():
    fn = ir.Function("helper", [], None, ir.Block([]), locals=[ir.Local("m", C)])
    problems = module_problems(ir.Module([], [fn]))
    assert any("cooperative matrices are only allowed in kernels" in p for p in problems), problems


def test_bad_matrix_type_is_reported():
    m = matmul_kernel([ir.CoopAssign("acc", ir.CoopFill(C, ir.Const(ir.F32, 0.0)))])
    m.kernel("mm").locals.append(ir.Local("bad", ir.CoopMatrixType(ir.BOOL, 16, 16, "a")))
    with pytest.raises(IRVerifyError, match="element type must be a number"):
        verify_module(m)


@pytest.mark.parametrize("text, message", [
    ("acc = (coop.fill coop<f32, 16, 16, c> 0.0:f32)", "a matrix use is a, b or acc"),
    ("acc = (coop.load coop<f32, 16, 16, acc> c 0:i32 n diagonal)", "row_major or col_major"),
    ("acc = (coop.pow coop<f32, 16, 16, acc> acc acc)", "unknown matrix operation 'coop.pow'"),
    ("acc = n", "'n' is not a matrix local"),
    ("c[0:i32] = (coop.fill coop<f32, 16, 16, acc> 0.0:f32)", "is a matrix, not a scalar expression"),
    ("c[0:i32] = acc", "'acc' is a matrix"),
])
def test_text_parse_errors(text, message):
    source = ("kernel k(c: buf<f32>, n: i32) dims=1 {\n  local acc: coop<f32, 16, 16, acc>\n"
              f"  {text}\n}}\n")
    with pytest.raises(IRParseError, match=message):
        parse_module(source)


def test_matrix_operations_under_varying_control_are_reported():
    store = ir.CoopStore(ir.CoopFill(C, ir.Const(ir.F32, 1.0)), "c", zero(), n())
    varying = ir.Binary(ir.BOOL, "lt", ir.Builtin(ir.I32, "local_id", [], 0), ir.Const(ir.I32, 16))
    uniform = ir.Binary(ir.BOOL, "lt", ir.Builtin(ir.I32, "subgroup_id"), ir.Const(ir.I32, 1))
    for cond, reported in ((varying, True), (uniform, False)):
        m = matmul_kernel([ir.If(cond, ir.Block([store]))])
        verify_module(m)
        problems = barrier_problems(m)
        assert bool(problems) == reported
        if reported:
            assert problems[0].is_coop and "every invocation of a subgroup" in problems[0].message()


def test_exact_kernels_mark_matrix_float_arithmetic():
    m = matmul_kernel()
    m.kernel("mm").exact = True
    asm = disassemble(lower_kernel(m, "mm").spirv)
    assert asm.count("NoContraction") == 5  # add, div, sub, mul and the scaling


@pytest.mark.parametrize("example, kernels", [
    ("matmul_f16", ["matmul_f16", "matmul_f16_shared", "matmul_f16_staged"]),
    ("matmul_f16_tiled", ["matmul_f16_tiled", "matmul_f16_tiled_wide", "matmul_f16_tiled_k16",
                          "matmul_f16_tiled_coopcopy"]),
])
def test_the_example_kernels_lower_to_valid_spirv(example, kernels):
    """examples/fast/matmul_f16*.spl (run on the software backend in tests/examples)."""
    from pathlib import Path

    from simple_vkbackend.frontend import compile_file
    from simple_vkbackend.lowering.lower import lower_module
    source = Path(__file__).resolve().parents[2] / "examples" / "fast" / f"{example}.spl"
    lowered = lower_module(compile_file(source), Target(spirv_version=(1, 6)))
    assert [k.name for k in lowered] == kernels
    for k in lowered:
        assert "cooperativeMatrix" in k.interface.features


@pytest.mark.parametrize("file", ["fixtures/coop_matrix.spl", "examples/fast/matmul_f16.spl",
                                  "examples/fast/matmul_f16_tiled.spl"])
@pytest.mark.parametrize("bounds, loop_limit", [("trap", None), (None, 65535)])
def test_matrix_kernels_with_trap_or_loop_recorders_declare_device_scope(file, bounds, loop_limit):
    """The bounds-trap and loop-limit recorders are device-scope atomics, which the
    Vulkan memory model of matrix kernels allows only with VulkanMemoryModelDeviceScope
    (an H200 run of the trap debug option found it missing: invalid SPIR-V)."""
    from pathlib import Path

    from simple_vkbackend.frontend import CompileOptions, compile_file
    from simple_vkbackend.lowering.lower import lower_module
    source = Path(__file__).resolve().parents[2] / file
    target = Target(spirv_version=(1, 6), loop_iteration_limit=loop_limit)
    recorders = 0
    for k in lower_module(compile_file(source, CompileOptions(bounds=bounds)), target):
        has_recorder = k.interface.trap_param is not None      # (validated by lowering either way)
        recorders += has_recorder
        assert ("vulkanMemoryModelDeviceScope" in k.interface.features) == has_recorder
        assert ("OpCapability VulkanMemoryModelDeviceScope" in disassemble(k.spirv)) == has_recorder
    assert recorders
