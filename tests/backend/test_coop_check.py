"""The check of a kernel's cooperative matrices against a device, before anything runs:
the feature and extension named when missing, the shapes the device lists when a
multiply-add or a matrix type is not among them (here with the list an NVIDIA H200
reports), and the device query on this machine."""
from __future__ import annotations

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.lowering import ir
from simple_vkbackend.frontend import compile_source
from simple_vkbackend.runtime.coop_matrix import CoopShape
from simple_vkbackend.runtime.features import CAPABILITY_FEATURES, KERNEL_FEATURES, withheld_by_layer
from simple_vkbackend.vulkan.coop_check import coop_problem

H200 = (
    *(CoopShape(16, n, k, "f16", "f16", c, c) for n, k in ((16, 16), (8, 16), (8, 8)) for c in ("f16", "f32")),
    CoopShape(16, 16, 32, "i8", "i8", "i32", "i32"), CoopShape(16, 8, 32, "i8", "i8", "i32", "i32"),
    CoopShape(16, 16, 16, "bfloat16", "bfloat16", "f32", "f32"),
)
FEATURES = frozenset({"cooperativeMatrix", "vulkanMemoryModel"})


def kernel(a: str, b: str, c: str) -> ir.Kernel:
    source = f"""#[gpu(local_size=32)]
fn k(x: &[f16], y: [f32]):
    val a = coop_matrix[{a}, a].fill(1.0)
    val b = coop_matrix[{b}, b].fill(1.0)
    gpu.coop_mul_add(a, b, coop_matrix[{c}, acc].fill(0.0)).store(y, 0, 16)
"""
    return compile_source(source).kernels[0]


def test_listed_shapes_pass():
    assert coop_problem(kernel("f16, 16, 16", "f16, 16, 16", "f32, 16, 16"), H200, FEATURES, "H200") is None
    assert coop_problem(kernel("f16, 16, 8", "f16, 8, 8", "f32, 16, 8"), H200, FEATURES, "H200") is None


def test_an_unlisted_multiply_add_names_the_shapes_the_device_lists():
    problem = coop_problem(kernel("f16, 32, 16", "f16, 16, 16", "f32, 32, 16"), H200, FEATURES, "H200")
    assert "the multiply-add 32x16x16 f16*f16+f32->f32 is not a shape the device runs" in problem
    assert "device H200 lists these shapes (MxNxK a*b+c->result): 16x16x16 f16*f16+f16->f16" in problem


def test_a_missing_extension_is_named():
    problem = coop_problem(kernel("f16, 16, 16", "f16, 16, 16", "f32, 16, 16"), (), frozenset(), "llvmpipe")
    assert "need the device extension VK_KHR_cooperative_matrix (feature cooperativeMatrix" in problem


def test_an_extension_withheld_under_an_older_validation_layer_says_why():
    """The validation layer of Debian 12 (1.3.239) predates VK_KHR_cooperative_matrix
    (1.3.255) and reports its SPIR-V as invalid: under it the runtime does not enable
    the extension, and the refusal says so."""
    withheld = withheld_by_layer((1, 3, 239), frozenset({"VK_KHR_cooperative_matrix", "VK_KHR_8bit_storage"}))
    assert list(withheld) == ["VK_KHR_cooperative_matrix"]
    assert withheld_by_layer((1, 3, 255), frozenset({"VK_KHR_cooperative_matrix"})) == {}
    problem = coop_problem(kernel("f16, 16, 16", "f16, 16, 16", "f32, 16, 16"), (), frozenset(), "H200", withheld)
    assert ("device H200 has it, not enabled: the validation layer (1.3.239) predates VK_KHR_cooperative_matrix "
            "(1.3.255); run without SIMPLE_VK_VALIDATION") in problem


def test_kernels_without_matrices_need_nothing():
    k = compile_source("#[gpu]\nfn k(y: [f32]):\n    y[0] = 1.0\n").kernels[0]
    assert coop_problem(k, (), frozenset(), "any") is None


def test_the_feature_tables_know_cooperative_matrices():
    assert {"cooperativeMatrix", "vulkanMemoryModel"} <= KERNEL_FEATURES
    assert CAPABILITY_FEATURES["CooperativeMatrixKHR"] == ("cooperativeMatrix",)


def test_the_device_query_lists_shapes_only_with_the_extension():
    if not runtime.is_available():
        pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")
    for info in runtime.list_devices():
        if "VK_KHR_cooperative_matrix" not in info.extensions:
            assert info.coop_shapes == () and "cooperativeMatrix" not in info.features
        assert all(s.m > 0 and s.n > 0 and s.k > 0 for s in info.coop_shapes)
