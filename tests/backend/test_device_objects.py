"""Device, Buffer and Kernel on the real runtime (lavapipe), and the host glue JIT
against the real rt_vk_* table, with a hand-written GLSL saxpy (bench/saxpy.comp,
compiled by glslangValidator) so they do not depend on the lowering."""
from __future__ import annotations

import ctypes
import gc
import subprocess

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import ROOT
from simple_vkbackend.hostgen.glue import emit_glue
from simple_vkbackend.hostgen.jit import GlueLibrary
from simple_vkbackend.lowering.interface import KernelInterface, ParamSlot
from simple_vkbackend.vulkan import table as rt

pytestmark = pytest.mark.usefixtures("no_validation_messages")

SAXPY = KernelInterface(
    "saxpy", (ParamSlot("x", "buffer", "f32", binding=0, access="read"),
              ParamSlot("y", "buffer", "f32", binding=1, access="readwrite"),
              ParamSlot("a", "scalar", "f32", offset=0)),
    push_size=4, local_size=(256, 1, 1), local_size_hint=None, dims=1, features=())


@pytest.fixture(scope="module")
def saxpy_spirv(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("glsl") / "saxpy.spv"
    subprocess.run(["glslangValidator", "-V", "--target-env", "vulkan1.1", str(ROOT / "bench" / "saxpy.comp"),
                    "-o", str(out)], check=True, capture_output=True)
    return out.read_bytes()


def test_device_reports_name_limits_and_features(vk_device):
    assert vk_device.name and vk_device.index >= 0
    assert len(vk_device.limits) == 7 and min(vk_device.limits) >= 1
    assert isinstance(vk_device.enabled_features, frozenset)
    assert repr(vk_device).startswith(f"<Device {vk_device.index}: ")


def test_device_by_index_and_by_name(vk_device):
    with svk.Device(vk_device.index) as by_index, svk.Device(vk_device.name[:4]) as by_name:
        assert by_index.name == by_name.name == vk_device.name
        assert by_index.handle != vk_device.handle
    assert by_index.closed
    with pytest.raises(svk.BackendUnavailableError, match="no Vulkan device matches 'no such device'"):
        svk.Device("no such device")


def test_buffers_round_trip(vk_device):
    data = np.arange(12, dtype=np.int16).reshape(3, 4)
    with vk_device.buffer_from(data) as buffer:
        assert (buffer.shape, buffer.dtype, buffer.nbytes) == ((3, 4), np.int16, 24)
        np.testing.assert_array_equal(buffer.to_numpy(), data)
        buffer.upload(data[::-1].copy())
        out = np.empty((3, 4), np.int16)
        assert buffer.to_numpy(out=out) is out
        np.testing.assert_array_equal(out, data[::-1])
        with pytest.raises(TypeError, match="upload needs 12 elements of int16"):
            buffer.upload(np.zeros(12, np.int32))
    with pytest.raises(ValueError, match="freed"):
        buffer.to_numpy()
    buffer.free()  # idempotent
    with pytest.raises(ValueError, match="at least one element"):
        vk_device.empty(0, np.float32)


def test_kernel_launches_on_device_buffers(vk_device, saxpy_spirv):
    n = 5000
    x_host = np.linspace(0, 1, n, dtype=np.float32)
    with svk.Kernel(vk_device, saxpy_spirv, SAXPY) as kernel, vk_device.buffer_from(x_host) as x, \
            vk_device.empty(n, np.float32) as y:
        y.upload(np.zeros(n, np.float32))
        kernel.launch(x, y, 3.0)
        kernel.launch(x, y, np.float32(1.0), global_size=n, local_size=64, wait=False)
        kernel.launch(x, y, 1.0, wait=False)
        np.testing.assert_allclose(y.to_numpy(), 5 * x_host, rtol=1e-6)
        vk_device.sync()
        with vk_device.empty(n, np.int32) as wrong, \
                pytest.raises(TypeError, match="'x' takes a Buffer of float32, got one of int32"):
            kernel.launch(wrong, y, 1.0)
        with pytest.raises(TypeError, match="'y' takes a numpy array or a device Buffer of float32, got list"):
            kernel.launch(x, list(x_host), 1.0)
        with pytest.raises(TypeError, match="missing argument a"):
            kernel.launch(x, y)
        with pytest.raises(svk.VulkanError, match="local size") as info:
            kernel.launch(x, y, 1.0, local_size=vk_device.limits[0] + 1)
        assert info.value.status == -7 and "invalid parameter" in str(info.value)


def test_kernel_rejects_buffers_of_another_device(vk_device, saxpy_spirv):
    with svk.Device() as other, other.empty(4, np.float32) as foreign, vk_device.empty(4, np.float32) as y, \
            svk.Kernel(vk_device, saxpy_spirv, SAXPY) as kernel:
        with pytest.raises(ValueError, match="'x': the buffer lives on another device"):
            kernel.launch(foreign, y, 1.0)


def test_bad_spirv_is_a_vulkan_error(vk_device):
    with pytest.raises(svk.VulkanError) as info:
        svk.Kernel(vk_device, b"\x03\x02\x23\x07" + bytes(16), SAXPY)
    assert info.value.status == -4


def glue_args(x: np.ndarray, y: np.ndarray, a: float) -> list:
    return [ctypes.c_void_p(x.ctypes.data), x.nbytes, ctypes.c_void_p(y.ctypes.data), y.nbytes, a]


def test_host_glue_runs_on_the_real_runtime(vk_device, saxpy_spirv):
    from simple_vkbackend.runtime import live_objects
    gc.collect()  # earlier tests' garbage must not be freed in the middle of the count
    before = live_objects()
    library = GlueLibrary(emit_glue("m", [(SAXPY, saxpy_spirv)]),
                          {"saxpy": SAXPY}, rt.table())
    x, y = np.arange(1000, dtype=np.float32), np.ones(1000, np.float32)
    assert library.launch("saxpy", vk_device.handle, glue_args(x, y, 3.0), (1000, 1, 1)) == 0
    np.testing.assert_array_equal(y, 3 * np.arange(1000) + 1)
    assert library.launch("saxpy", vk_device.handle, glue_args(x, y, 1.0), (10, 1, 1), (100000, 1, 1)) == -7
    assert "local size" in rt.last_error()
    np.testing.assert_array_equal(y, 3 * np.arange(1000) + 1)  # nothing downloaded after the failure
    assert library.launch("saxpy", 0, glue_args(x, y, 1.0), (10, 1, 1)) == -4  # no such device
    library.close()
    gc.collect()
    assert live_objects() == before  # buffers freed on every path, the cached kernel by close()
