"""The fast example kernels (examples/fast) against numpy, on the Vulkan device and
on the software backend (subgroups of 8 and 32 lanes), through their host code
(examples/fast/host.py, which bench/vendor.py times)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import simple_vkbackend as svk

from simple_vkbackend import runtime
from simple_vkbackend.backends.software import SoftwareBackend

HOST_PATH = Path(__file__).resolve().parents[2] / "examples" / "fast" / "host.py"
_spec = importlib.util.spec_from_file_location("fast_examples_host", HOST_PATH)
host = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(host)


@pytest.fixture(scope="module", params=["vulkan", "software8", "software32"])
def backend(request):
    if request.param == "vulkan":
        if not runtime.is_available():
            pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")
        from simple_vkbackend.backends.vulkan import VulkanBackend
        b = VulkanBackend()
        yield b
        b.close()
    else:
        yield SoftwareBackend(subgroup_size=int(request.param.removeprefix("software")))


def test_saxpy(backend):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(70_001).astype(np.float32), rng.standard_normal(70_001).astype(np.float32)
    want = np.float64(1.5) * x + y
    host.saxpy(host.compile_example("saxpy", backend), 1.5, x, y)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", [3, 4, 70_001])
def test_saxpy_with_16_byte_vectors(backend, n):
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    want = np.float64(1.5) * x + y
    host.saxpy_vec4(host.compile_example("saxpy_vec4", backend), 1.5, x, y)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("n", [3, 4, 12, 70_001])
def test_saxpy_with_two_16_byte_vectors_per_iteration(backend, n, wide):
    """Odd and even numbers of whole vectors per stride, the last 0 to 3 on the host."""
    rng = np.random.default_rng(10)
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    want = np.float64(1.5) * x + y
    host.saxpy_vec4x2(host.compile_example("saxpy_vec4", backend), 1.5, x, y, wide)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


def test_saxpy_pairs_over_several_strides(backend):
    """Fewer work items than vectors: the loop's pairs, then one left over."""
    n = 4 * (2 * 256 * 3 + 5)
    rng = np.random.default_rng(11)
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    want = np.float64(-2.0) * x + y
    host.compile_example("saxpy_vec4", backend).saxpy_vec4x2(-2.0, x, y, n, global_size=256)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", [2, 300_001])
def test_sum_with_16_byte_vectors(backend, n):
    """Whole numbers: every order of additions gives the exact sum."""
    x = np.random.default_rng(8).integers(-8, 9, n).astype(np.float32)
    assert host.total_vec4(host.compile_example("reduce_vec4", backend), x) == x.astype(np.float64).sum()


def test_sum_in_one_launch(backend):
    """Whole numbers: every order of additions gives the exact sum."""
    x = np.random.default_rng(2).integers(-8, 9, 300_001).astype(np.float32)
    assert host.total(host.compile_example("reduce", backend), x) == x.astype(np.float64).sum()


@pytest.mark.parametrize("n", [1, 255, 256, 70_000])
def test_inclusive_scan(backend, n):
    data = np.random.default_rng(3).integers(-8, 9, n).astype(np.float32)
    want = np.cumsum(data.astype(np.float64))
    host.inclusive_scan(host.compile_example("scan", backend), data)
    np.testing.assert_array_equal(data, want)


def test_scan_of_two_levels_of_block_sums(backend):
    """More than 2048 blocks: the block sums are scanned through block sums too."""
    if isinstance(backend, SoftwareBackend):
        pytest.skip("4 Mi values: the device only")
    data = np.random.default_rng(6).integers(-3, 4, 2048 * 2048 + 77).astype(np.float32)
    want = np.cumsum(data.astype(np.float64))
    host.inclusive_scan(host.compile_example("scan", backend), data)
    np.testing.assert_array_equal(data, want)


@pytest.mark.parametrize("n", [1, 3, 4, 7, 1021, 4096, 4099, 4096 * 3 + 5, 70_001])
def test_inclusive_scan_with_16_byte_vectors(backend, n):
    """Partial vectors (the host's tail), partial blocks, block sums not a multiple of 4."""
    data = np.random.default_rng(12).integers(-8, 9, n).astype(np.float32)
    want = np.cumsum(data.astype(np.float64))
    host.inclusive_scan_vec4(host.compile_example("scan_vec4", backend), data)
    np.testing.assert_array_equal(data, want)


def test_scan_vec4_of_three_levels(backend):
    """More than 4096 blocks: the block sums are scanned through block sums too."""
    if isinstance(backend, SoftwareBackend):
        pytest.skip("16 Mi values: the device only")
    data = np.random.default_rng(13).integers(-3, 4, 4096 * 4097 + 6).astype(np.float32)
    want = np.cumsum(data.astype(np.float64))
    host.inclusive_scan_vec4(host.compile_example("scan_vec4", backend), data)
    np.testing.assert_array_equal(data, want)


def test_scan_levels():
    assert host.scan_levels(4096, 4096, 4) == [4096]
    assert host.scan_levels(4097, 4096, 4) == [4097, 4]
    assert host.scan_levels(4096 * 4097, 4096, 4) == [4096 * 4097, 4100, 4]
    assert host.scan_levels(2048 * 2049, 2048) == [2048 * 2049, 2049, 2]


@pytest.mark.parametrize("cols", [1000, 8193])  # cached in shared memory, and not
def test_softmax(backend, cols):
    x = (np.random.default_rng(4).standard_normal((3, cols)) * 4).astype(np.float32)
    y = np.zeros_like(x)
    host.softmax(host.compile_example("softmax", backend), x, y)
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-8)


def test_register_blocked_matmul(backend):
    n = 128 if isinstance(backend, SoftwareBackend) else 256
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
    c = np.zeros((n, n), np.float32)
    host.matmul(host.compile_example("matmul", backend), a, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)


def test_register_blocked_matmul_with_16_byte_accesses(backend):
    n = 128 if isinstance(backend, SoftwareBackend) else 256
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
    c = np.zeros((n, n), np.float32)
    host.matmul_vec4(host.compile_example("matmul_vec4", backend), a, b, c)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(64, 16, 64), (128, 48, 192)])
def test_cooperative_matrix_f16_matmul(backend, shape):
    """f16 inputs, f32 accumulation; on a device without VK_KHR_cooperative_matrix the
    compile is refused with an error naming the extension."""
    m, k, n = shape
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((m, k)).astype(np.float16), rng.standard_normal((k, n)).astype(np.float16)
    c = np.zeros((m, n), np.float32)
    if not isinstance(backend, SoftwareBackend) and "cooperativeMatrix" not in backend.features:
        with pytest.raises(svk.MissingFeatureError, match="VK_KHR_cooperative_matrix"):
            host.compile_example("matmul_f16", backend)
        return
    subgroup = backend.subgroup_size if isinstance(backend, SoftwareBackend) else backend.device.info.subgroup_size
    host.matmul_f16(host.compile_example("matmul_f16", backend), a, b, c, subgroup)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kernel", ["matmul_f16_shared", "matmul_f16_staged"])
def test_cooperative_matrix_f16_matmul_through_shared_memory(backend, kernel):
    m, k, n = 128, 64, 256
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((m, k)).astype(np.float16), rng.standard_normal((k, n)).astype(np.float16)
    c = np.zeros((m, n), np.float32)
    if not isinstance(backend, SoftwareBackend) and "cooperativeMatrix" not in backend.features:
        pytest.skip(f"{backend.device.name} lacks VK_KHR_cooperative_matrix (the refusal: the test above)")
    host.matmul_f16_shared(host.compile_example("matmul_f16", backend), a, b, c, kernel)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kernel", sorted(host.TILED))
@pytest.mark.parametrize("tiles_m, steps", [(1, 1), (2, 3), (9, 2)])
def test_tuned_cooperative_matrix_f16_matmul(backend, kernel, tiles_m, steps):
    """matmul_f16_tiled.spl: one step along k (no prefetch), several (both shared stages,
    the last without a prefetch), and 9 rows of tiles (a whole band of 8 and one of 1), 2 columns."""
    rows, cols, step = host.TILED[kernel]
    m, k, n = tiles_m * rows, steps * step, 2 * cols
    rng = np.random.default_rng(10)
    a, b = rng.standard_normal((m, k)).astype(np.float16), rng.standard_normal((k, n)).astype(np.float16)
    c = np.zeros((m, n), np.float32)
    if not isinstance(backend, SoftwareBackend) and "cooperativeMatrix" not in backend.features:
        with pytest.raises(svk.MissingFeatureError, match="VK_KHR_cooperative_matrix"):
            host.compile_example("matmul_f16_tiled", backend)
        return
    host.matmul_f16_tiled(host.compile_example("matmul_f16_tiled", backend), a, b, c, kernel)
    np.testing.assert_allclose(c, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


def test_tuned_f16_matmul_refuses_shapes_off_its_tile():
    a, b = np.zeros((128, 40), np.float16), np.zeros((40, 128), np.float16)
    module = host.compile_example("matmul_f16_tiled", SoftwareBackend())
    with pytest.raises(ValueError, match="k a positive multiple of 32"):
        host.matmul_f16_tiled(module, a, b, np.zeros((128, 128), np.float32))


def test_tuned_f16_matmul_refuses_subgroups_of_more_than_32():
    a, b = np.zeros((128, 32), np.float16), np.zeros((32, 128), np.float16)
    module = host.compile_example("matmul_f16_tiled", SoftwareBackend(subgroup_size=64))
    with pytest.raises(ValueError, match="subgroups of at most 32 work items"):
        host.matmul_f16_tiled(module, a, b, np.zeros((128, 128), np.float32))
