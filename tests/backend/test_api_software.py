"""The Python API on the software backend: every fixture case end to end against
its numpy reference, the compiled module (interfaces and manifest as on vulkan, no
SPIR-V), the local-size choice, the shared argument checks, and run-time failures
as the API's error type. Needs no Vulkan device."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_ir_samples import saxpy_module, scalars_module
from backend_helpers import CASES, FIXTURES, case_id, check_case_through_api
from simple_vkbackend.api import compile_ir
from simple_vkbackend.backends.software import SoftwareBackend
from simple_vkbackend.backends.vulkan import compile_for_vulkan
from simple_vkbackend.frontend import compile_file

# manifest entries only a backend that makes SPIR-V and host glue fills in
SPIRV_ONLY = {"spirv", "glue_function", "capabilities", "extensions"}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_case_through_the_api(case):
    check_case_through_api(case, "software")


@pytest.fixture
def saxpy():
    return compile_ir(saxpy_module(), "software")


def test_saxpy_writes_into_the_callers_array(saxpy):
    x = np.arange(1000, dtype=np.float32)
    y = np.ones((10, 100), dtype=np.float32)  # any shape, passed flat
    saxpy.saxpy(x, y, 2.0)
    np.testing.assert_array_equal(y.ravel(), 2 * x + 1)
    saxpy.saxpy(x, y, a=-1.0, global_size=12, local_size=4)  # only the first 12 change
    np.testing.assert_array_equal(y.ravel()[:12], np.arange(12) + 1)
    np.testing.assert_array_equal(y.ravel()[12:], 2 * x[12:] + 1)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.spl")), ids=lambda p: p.name)
def test_interfaces_and_manifest_are_the_vulkan_backends(path):
    module = compile_file(str(path))
    software = SoftwareBackend().compile(module)
    vulkan = compile_for_vulkan(module)
    assert software.interfaces.keys() == vulkan.interfaces.keys()
    for name, interface in software.interfaces.items():
        assert interface.params == vulkan.interfaces[name].params
        assert interface.local_size == vulkan.interfaces[name].local_size
        assert interface.push_size == vulkan.interfaces[name].push_size
    assert software.manifest["backend"] == "software" and software.manifest["host_glue"] is None
    assert software.manifest["target"] is None and software.spirv == {} and software.host_glue == ""
    for mine, theirs in zip(software.manifest["kernels"], vulkan.manifest["kernels"], strict=True):
        assert {k: v for k, v in mine.items() if k not in SPIRV_ONLY} == \
               {k: v for k, v in theirs.items() if k not in SPIRV_ONLY}
        assert mine["spirv"] is None and mine["glue_function"] is None


def test_no_spirv_and_no_device(saxpy):
    with pytest.raises(ValueError, match="software backend produces no SPIR-V"):
        saxpy.spirv("saxpy")
    with pytest.raises(ValueError, match="software backend has no device"):
        saxpy.kernel("saxpy")
    with pytest.raises(TypeError, match="takes no device"):
        compile_ir(saxpy_module(), "software", device=0)


LOCAL_SIZES = """
#[gpu]
fn plain(out: [i32]):
    out[gpu.global_id(0)] = gpu.local_size(0)

#[gpu(local_size=64)]
fn hinted(out: [i32]):
    out[gpu.global_id(0)] = gpu.local_size(0)

#[gpu]
fn grid(out: [i32]):
    out[gpu.global_id(1) * gpu.global_size(0) + gpu.global_id(0)] = gpu.local_size(0) * 100 + gpu.local_size(1)
"""


@pytest.mark.parametrize("kernel, global_size, local_size, expected", [
    ("plain", 1000, None, 256),    # the default 1-D size
    ("plain", 40, None, 40),       # shrunk to a smaller global size
    ("hinted", 1000, None, 64),    # the hint
    ("hinted", 16, None, 64),      # a hint is never shrunk
    ("plain", 1000, 8, 8),         # as given
])
def test_local_size_is_chosen_as_on_vulkan(kernel, global_size, local_size, expected):
    module = svk.compile_source(LOCAL_SIZES, backend="software")
    out = np.zeros(2048, np.int32)  # room for the lanes past the global size
    module[kernel](out, global_size=global_size, local_size=local_size)
    assert out[0] == expected


def test_two_dimensional_default_local_size_shrinks_per_dimension():
    module = svk.compile_source(LOCAL_SIZES, backend="software")
    out = np.zeros(32 * 4, np.int32)
    module.grid(out, global_size=(32, 4))
    assert out[0] == 16 * 100 + 4


@pytest.mark.parametrize("call, error, message", [
    (lambda m, x, y: m.saxpy(x.astype(np.float64), y, 1.0), TypeError,
     "'x' takes a numpy array of float32, got one of float64"),
    (lambda m, x, y: m.saxpy(x, y[::2], 1.0), TypeError, "'y' needs a C-contiguous array"),
    (lambda m, x, y: m.saxpy(x, y), TypeError, "missing argument a"),
    (lambda m, x, y: m.saxpy(x, y, 1e300), ValueError, "'a' .* out of range for f32"),
    (lambda m, x, y: m.saxpy(x[:0], y, 1.0), ValueError, "'x' got an empty array"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, local_size=0), ValueError, "local_size must be between 1"),
])
def test_argument_mistakes_are_the_apis_errors(saxpy, call, error, message):
    x, y = np.ones(8, np.float32), np.ones(8, np.float32)
    with pytest.raises(error, match=message):
        call(saxpy, x, y)
    np.testing.assert_array_equal(y, 1.0)


def test_scalar_types_reach_the_kernel():
    module = compile_ir(scalars_module(), "software")
    out = np.zeros(4, np.int32)
    module.fill2d(out, np.uint8(255), True, 1.5, global_size=(2, 2))
    np.testing.assert_array_equal(out, [255, 255, 0, 0])  # global_id(0) of a 2x2 grid is 0 or 1


OUT_OF_BOUNDS = """
#[gpu]
fn spill(out: [i32]):
    out[gpu.global_id(0) + 1] = 7
"""


def test_run_time_failure_is_a_backend_error_naming_the_work_item():
    module = svk.compile_source(OUT_OF_BOUNDS, backend="software")
    out = np.zeros(8, np.int32)
    with pytest.raises(svk.SoftwareRunError) as info:
        module.spill(out)
    message = str(info.value)
    assert isinstance(info.value, svk.BackendError) and isinstance(info.value, RuntimeError)
    assert "kernel spill failed on the software backend" in message
    assert "index 8 is out of bounds for buffer array 'out' of length 8" in message
    assert "global id (7, 0, 0)" in message
    module.spill(out, global_size=7)  # and the next call works
    np.testing.assert_array_equal(out, [0, 7, 7, 7, 7, 7, 7, 7])


def test_launch_too_large_for_i32_ids_is_a_backend_error(saxpy):
    x, y = np.ones(4, np.float32), np.ones(4, np.float32)
    with pytest.raises(svk.SoftwareRunError, match="does not fit i32 ids"):
        saxpy.saxpy(x, y, 1.0, global_size=2**31)
    np.testing.assert_array_equal(y, 1.0)


def test_registry_lists_software_as_available():
    assert "software" in svk.available_backends()
    assert isinstance(svk.get_backend("software"), SoftwareBackend)


def test_auto_falls_back_to_software_when_vulkan_is_unavailable(monkeypatch, capsys):
    from simple_vkbackend.backends.vulkan import VulkanBackend
    monkeypatch.setattr(VulkanBackend, "unavailable_reason", classmethod(lambda cls: "simulated: no driver"))
    module = svk.compile_file(FIXTURES / "saxpy.spl")  # backend="auto"
    assert module.compiled.backend == "software"
    err = capsys.readouterr().err
    assert err == "simple-vk: warning: no Vulkan device (simulated: no driver); using the software backend\n"
    x, y = np.arange(4, dtype=np.float32), np.ones(4, np.float32)
    module.saxpy(3.0, x, y)
    np.testing.assert_array_equal(y, 3 * x + 1)
