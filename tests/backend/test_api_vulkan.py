"""The Python API on the Vulkan backend (lavapipe here): every fixture case end to
end against its numpy reference, device-resident objects, the feature check, and
runtime failures. The validation layer is on; any message fails the test."""
from __future__ import annotations

import re

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_ir_samples import saxpy_module, scale64_module
from backend_helpers import CASES, FIXTURES, assert_matches, case_id, check_case_through_api
from simple_vkbackend.api import compile_ir
from simple_vkbackend.lowering import ir
from simple_vkbackend.backends.vulkan import VulkanBackend

pytestmark = pytest.mark.usefixtures("no_validation_messages")


def test_there_are_fixture_cases():
    assert len(CASES) > 0


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_case_through_the_api(case, vk_backend):
    check_case_through_api(case, vk_backend)


@pytest.fixture
def saxpy(vk_backend):
    return compile_ir(saxpy_module(), vk_backend)


def test_saxpy_on_the_default_path(saxpy):
    x = np.arange(1000, dtype=np.float32)
    y = np.ones(1000, dtype=np.float32)
    saxpy.saxpy(x, y, 2.0)
    np.testing.assert_array_equal(y, 2 * np.arange(1000, dtype=np.float32) + 1)
    saxpy.saxpy(x, y, a=-1.0, global_size=12, local_size=4)  # only the first 12 change
    np.testing.assert_array_equal(y[:12], np.arange(12) + 1)
    np.testing.assert_array_equal(y[12:], 2 * np.arange(12, 1000) + 1)


def test_compiled_module_exposes_spirv_manifest_and_glue(saxpy):
    assert saxpy.spirv("saxpy")[:4] == (0x07230203).to_bytes(4, "little")
    kernel = saxpy.manifest["kernels"][0]
    assert kernel["spirv"] == "saxpy.spv" and kernel["glue_function"] == "simple_saxpy"
    assert [p.get("access") for p in kernel["parameters"]] == ["read", "readwrite", None]
    assert 'define i32 @"simple_saxpy"' in saxpy.host_glue


def test_module_kernel_on_device_buffers(saxpy, vk_device):
    n = 4096
    x_host = np.linspace(0, 1, n, dtype=np.float32)
    with vk_device.buffer_from(x_host) as x, vk_device.buffer_from(np.zeros(n, np.float32)) as y, \
            saxpy.kernel("saxpy") as kernel:
        kernel.launch(x, y, 3.0)
        kernel.launch(x, y, 1.0, global_size=n, local_size=64, wait=False)
        np.testing.assert_allclose(y.to_numpy(), 4 * x_host, rtol=1e-6)


@pytest.mark.parametrize("native", [True, False])
def test_float_atomics_follow_the_device_features(vk_device, native):
    """float_sums adds f32 atomically on a buffer and on a shared array: native
    atomics where the features allow both, the compare-exchange loop otherwise."""
    float_atomics = {"shaderBufferFloat32AtomicAdd", "shaderSharedFloat32AtomicAdd"}
    if native and not float_atomics <= vk_device.enabled_features:
        pytest.skip(f"{vk_device.name} lacks native f32 atomic add")
    features = vk_device.enabled_features if native else vk_device.enabled_features - float_atomics
    case = next(c for c in CASES if c.kernel == "float_sums")
    with svk.compile_file(FIXTURES / case.file, backend=VulkanBackend(vk_device, features=features)) as module:
        interface = module.compiled.interface("float_sums")
        assert ("SPV_EXT_shader_atomic_float_add" in interface.extensions) == native
        assert (set(interface.features) == float_atomics) == native
        args = case.make_args(np.random.default_rng(7))
        expected = case.reference({k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()})
        module.float_sums(**args, global_size=case.global_size, local_size=case.local_size)
        for name, want in expected.items():
            assert_matches(name, args[name], want, case)


@pytest.fixture
def without_f64(vk_device):
    """A backend on the real device that believes shaderFloat64 is not enabled: the
    same check runs as on a device that lacks it, which lavapipe is not."""
    backend = VulkanBackend(device=vk_device, features=vk_device.enabled_features - {"shaderFloat64"})
    yield backend
    backend.close()


def test_missing_feature_is_reported_before_anything_runs(without_f64, vk_device):
    module = compile_ir(scale64_module(), without_f64)
    x = np.ones(16, np.float64)
    message = re.escape(f"kernel scale64 needs shaderFloat64 (f64 arithmetic), which device {vk_device.name} lacks")
    with pytest.raises(svk.MissingFeatureError, match=message):
        module.scale64(x, 2.0)
    assert module.compiled.runtime_state is None  # the host glue was never even loaded
    np.testing.assert_array_equal(x, 1.0)
    with pytest.raises(svk.MissingFeatureError, match=message):
        module.kernel("scale64")
    x32, y32 = np.ones(4, np.float32), np.ones(4, np.float32)
    module.saxpy(x32, y32, 1.0)  # the module's other kernel still runs
    np.testing.assert_array_equal(y32, 2.0)


def test_f64_kernel_runs_where_the_feature_is_enabled(vk_backend, vk_device):
    if "shaderFloat64" not in vk_device.enabled_features:
        pytest.skip(f"{vk_device.name} lacks shaderFloat64")
    module = compile_ir(scale64_module(), vk_backend)
    x = np.arange(16, dtype=np.float64)
    module.scale64(x, 0.5)
    np.testing.assert_array_equal(x, np.arange(16) * 0.5)


def test_runtime_failure_is_a_vulkan_error_with_the_runtime_message(saxpy, vk_device):
    too_big = vk_device.limits[3] * 2
    x, y = np.ones(4, np.float32), np.ones(4, np.float32)
    with pytest.raises(svk.VulkanError) as info:
        saxpy.saxpy(x, y, 1.0, local_size=too_big)
    assert info.value.status < 0 and info.value.detail
    assert isinstance(info.value, RuntimeError)
    np.testing.assert_array_equal(y, 1.0)
    saxpy.saxpy(x, y, 1.0)  # and the next call works
    np.testing.assert_array_equal(y, 2.0)


def test_device_target_has_the_drivers_workarounds(vk_backend):
    """The manifest names the device's driver and the workarounds emitted for it."""
    from simple_vkbackend.lowering.quirks import quirks_for
    info = vk_backend.device.info
    module = compile_ir(saxpy_module(), vk_backend)
    target = module.compiled.manifest["target"]
    assert target["driver"] == info.driver_id
    assert target["quirks"] == sorted(quirks_for(info.driver_id, info.driver_info))


def test_missing_subgroup_operations_are_named(vk_device):
    """On a device without subgroup arithmetic (faked on the real one) a kernel
    using subgroup_add is refused, naming the capability."""
    i = ir.Builtin(ir.I32, "global_id", [], 0)
    total = ir.Builtin(ir.I32, "subgroup_add", [ir.Index(ir.I32, "x", i)])
    kernel = ir.Kernel("k", [ir.Param("x", ir.BufferType(ir.I32, False)), ir.Param("out", ir.BufferType(ir.I32))],
                       ir.Block([ir.Assign(ir.Index(ir.I32, "out", i), total)]))
    backend = VulkanBackend(device=vk_device, features=vk_device.enabled_features - {"subgroupArithmetic"})
    try:
        module = compile_ir(ir.Module([kernel]), backend)
        with pytest.raises(svk.MissingFeatureError, match=r"subgroupArithmetic \(.*GroupNonUniformArithmetic"):
            module.k(np.ones(8, np.int32), np.zeros(8, np.int32))
    finally:
        backend.close()
