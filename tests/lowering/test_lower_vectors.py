"""Vector loads and stores in the IR: verified, printed and parsed back, lowered to
validated SPIR-V with one vector access each, run on the Vulkan device and on the
software backend with the same results."""
from __future__ import annotations

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir import verify
from simple_vkbackend.lowering.ir.equal import ir_equal
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.lower import Target, lower_kernel
from simple_vkbackend.runtime.spirv.tools import disassemble
from simple_vkbackend.runtime.validation import recent_messages
from simple_vkbackend.software.errors import SoftwareExecutionError
from simple_vkbackend.software.launch import run_kernel

I32 = ir.I32
NP = {"f32": np.float32, "f16": np.float16, "f64": np.float64, "i32": np.int32, "u8": np.uint8,
      "i16": np.int16, "u64": np.uint64}


@pytest.fixture(autouse=True)
def no_validation_messages():
    before = runtime.validation_message_count()
    yield
    assert runtime.validation_message_count() == before, recent_messages()


def reverse_module(elem: ir.ScalarType, n: int, checked: bool, scalar_tail: bool = False) -> ir.Module:
    """y's vector k = x's vector k reversed, plus 1 (k = global id); with
    `scalar_tail`, the work item of the last vector then copies x's last element to
    y element by element."""
    k = ir.Builtin(I32, "global_id", [], 0)
    names = [f"e{j}" for j in range(n)]
    body = [ir.VectorLoad([ir.Var(elem, v) for v in names], "x", k, checked),
            ir.VectorStore("y", ir.Builtin(I32, "global_id", [], 0),
                           [ir.Binary(elem, "add", ir.Var(elem, v), ir.Const(elem, 1.0 if elem.is_float else 1))
                            for v in reversed(names)], checked)]
    if scalar_tail:
        last = ir.Binary(I32, "sub", ir.Len(I32, "x"), ir.Const(I32, 1))
        last_vector = ir.Binary(I32, "sub", ir.Binary(I32, "div", ir.Len(I32, "y"), ir.Const(I32, n)), ir.Const(I32, 1))
        body.append(ir.If(ir.Binary(ir.BOOL, "eq", ir.Builtin(I32, "global_id", [], 0), last_vector),
                          ir.Block([ir.Assign(ir.Index(elem, "y", last, True), ir.Index(elem, "x", last, True))])))
    kernel = ir.Kernel("rev", [ir.Param("x", ir.BufferType(elem, False)), ir.Param("y", ir.BufferType(elem))],
                       ir.Block(body), [ir.Local(v, elem) for v in names], local_size=(64, 1, 1), simd=checked)
    return ir.Module([kernel], name="vectors")


def expected(x: np.ndarray, y: np.ndarray, n: int, items: int) -> np.ndarray:
    out = y.copy()
    whole = min(items, len(x) // n)
    for k in range(whole):
        out[n * k:n * k + n] = x[n * k:n * k + n][::-1] + out.dtype.type(1)
    return out


def test_verified_and_text_round_trip():
    m = reverse_module(ir.F32, 4, True)
    verify.verify_module(m)
    text = print_module(m)
    assert "vload e0, e1, e2, e3 = x[!(gpu.global_id.i32 0)]" in text
    assert "vstore y[!(gpu.global_id.i32 0)] = (add.f32 e3 1.0:f32)" in text
    back = parse_module(text)
    assert ir_equal(back, m) and print_module(back) == text


@pytest.mark.parametrize("problem, mutate", [
    ("a vector access has 2 or 4", lambda s: s.targets.pop()),
    ("element type is f32", lambda s: setattr(s.targets[0], "type", ir.I32)),
    ("not a buffer parameter", lambda s: setattr(s, "base", "e1")),
])
def test_verifier_refuses_bad_vector_loads(problem, mutate):
    m = reverse_module(ir.F32, 4, True)
    mutate(m.kernels[0].body.stmts[0])
    with pytest.raises(verify.IRVerifyError, match=problem):
        verify.verify_module(m)


def test_verifier_refuses_vector_store_to_read_only_buffer():
    m = reverse_module(ir.F32, 2, False)
    m.kernels[0].body.stmts[1].base = "x"
    with pytest.raises(verify.IRVerifyError, match="read-only buffer 'x'"):
        verify.verify_module(m)


def test_spirv_declares_vector_arrays_with_one_access_each():
    text = disassemble(lower_kernel(reverse_module(ir.F32, 4, True, scalar_tail=True), "rev", Target()).spirv)
    assert text.count("ArrayStride 16") == 1 and "ArrayStride 4" not in text  # one vec4 array type, both buffers
    assert text.count("= OpLoad %v4float") == 1
    assert text.count("OpCompositeConstruct %v4float") == 1
    assert "OpShiftRightArithmetic" in text  # the element accesses pick a component


@pytest.mark.parametrize("elem, n", [(ir.F32, 4), (ir.F32, 2), (ir.F16, 4), (ir.F64, 2), (ir.I32, 4),
                                     (ir.U8, 4), (ir.I16, 2), (ir.U64, 2)])
@pytest.mark.parametrize("checked", [True, False])
def test_runs_on_device_and_software_alike(gpu, elem, n, checked):
    module = reverse_module(elem, n, checked, scalar_tail=checked)
    lowered = lower_kernel(module, "rev", Target())
    if not gpu.supports(lowered.interface.features):
        pytest.skip(f"device lacks {lowered.interface.features}")
    length = 4 * 37
    items = length // n + (9 if checked else 0)  # checked: the work items past the last vector stop
    rng = np.random.default_rng(7)
    x = (rng.random(length) * 100).astype(NP[elem.name])
    y = np.zeros(length, dtype=NP[elem.name])
    want = expected(x, y, n, items)
    if checked:
        want[-1] = x[-1]
    device_y, soft_y = y.copy(), y.copy()
    gpu.run(lowered, [x.copy(), device_y], {}, (1, 1, 1), local=(items, 1, 1))
    run_kernel(module, "rev", {"x": x, "y": soft_y}, (items,), (items,))
    np.testing.assert_array_equal(device_y, want)
    np.testing.assert_array_equal(soft_y, want)


def test_software_refuses_unchecked_vector_past_the_end():
    module = reverse_module(ir.F32, 4, False)
    x, y = np.ones(8, np.float32), np.zeros(8, np.float32)
    with pytest.raises(SoftwareExecutionError, match=r"index 2 is out of bounds for buffer array 'x \(as vectors of 4\)' of length 2"):
        run_kernel(module, "rev", {"x": x, "y": y}, (3,), (3,))


@pytest.mark.parametrize("checked", [False, True])
def test_a_checked_vector_access_in_a_loop_step_is_refused_like_a_checked_index(checked):
    """A checked access leaves the function when out of range, which a loop's continue
    construct cannot do (found by the random IR modules: invalid SPIR-V instead of the
    refusal a checked scalar index gets)."""
    from simple_vkbackend.lowering.errors import LoweringError
    store = ir.VectorStore("y", ir.Const(I32, 0), [ir.Const(I32, 0)] * 4, checked)
    loop = ir.Loop(ir.Const(ir.BOOL, False), ir.Block([]), ir.Block([store]))
    kernel = ir.Kernel("step", [ir.Param("y", ir.BufferType(I32))], ir.Block([loop]), [], local_size=(1, 1, 1),
                       simd=checked)
    module = ir.Module([kernel], name="vectors")
    if checked:
        with pytest.raises(LoweringError, match="a loop step cannot return or use a checked index"):
            lower_kernel(module, "step", Target())
    else:
        assert lower_kernel(module, "step", Target()).spirv
