"""The API's lean launch path (whole Buffers and plain numbers, checks cached per
kernel) does what the general path does: same results, same refusals every time,
and anything it does not take goes to the general path, which reports mistakes."""
import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import GUARDED_SAXPY
from simple_vkbackend import runtime
from simple_vkbackend.sizes import LaunchError

SOURCE = GUARDED_SAXPY + """
#[gpu(local_size=64)]
fn hinted(y: &mut [f32]):
    y[gpu.global_id(0)] += 1.0
"""
N = 300

pytestmark = pytest.mark.skipif(not runtime.is_available(), reason="no Vulkan device")


@pytest.fixture(scope="module")
def module():
    with svk.compile_source(SOURCE, "vulkan", filename="fast.spl") as m:
        yield m


def test_module_calls_on_buffers_take_the_lean_path_and_agree_with_arrays(module):
    device = svk.default_device()
    x = np.linspace(0, 1, N, dtype=np.float32)
    with device.buffer_from(x) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        for a in (1.0, 2, 0.5):                 # a float, an int, a float
            module.saxpy(a, dx, dy)
        module.saxpy(1.0, dx, dy[:100])        # a view: the general path
        y = np.zeros(N, np.float32)
        for a in (1.0, 2, 0.5):
            module.saxpy(a, x, y)              # arrays: the general path
        y[:100] += x[:100]
        np.testing.assert_array_equal(dy.to_numpy(), y)
        assert module.saxpy is module.saxpy     # the kernel function is made once


def test_the_lean_path_refuses_what_the_general_path_refuses_every_time(module):
    device = svk.default_device()
    k = module.kernel("hinted")
    with device.buffer_from(np.zeros(256, np.float32)) as y:
        for _ in range(3):
            k.launch(y, global_size=128)
            with pytest.raises(LaunchError, match="local_size=64"):
                k.launch(y, global_size=128, local_size=32)
            with pytest.raises(LaunchError, match="1-D"):
                k.launch(y, global_size=(128, 2))
        np.testing.assert_array_equal(y.to_numpy(), np.r_[np.full(128, 3), np.zeros(128)].astype(np.float32))


def test_freed_and_foreign_arguments_go_to_the_general_path(module):
    device = svk.default_device()
    k = module.kernel("saxpy")
    dx = device.buffer_from(np.ones(N, np.float32))
    dy = device.buffer_from(np.zeros(N, np.float32))
    k.launch(2.0, dx, dy)
    dx.free()
    for _ in range(2):
        with pytest.raises(ValueError, match="was freed"):
            k.launch(2.0, dx, dy)
    with pytest.raises(TypeError, match="takes a number"):
        k.launch("2", dy, dy)
    with pytest.raises(TypeError, match="float32"):
        k.launch(2.0, device.buffer_from(np.ones(N, np.int32)), dy)
    k.launch(a=1.0, x=dy, y=dy)                 # by name: the general path
    np.testing.assert_array_equal(dy.to_numpy(), np.full(N, 4, np.float32))
    dy.free()


def test_a_freed_kernel_refuses_launches_on_the_lean_path(module):
    device = svk.default_device()
    k = module.kernel("saxpy")
    with device.buffer_from(np.ones(N, np.float32)) as dx, device.buffer_from(np.zeros(N, np.float32)) as dy:
        k.launch(1.0, dx, dy, wait=False)
        k.free()
        with pytest.raises(ValueError, match="was freed"):
            k.launch(1.0, dx, dy, wait=False)
        device.sync()
        np.testing.assert_array_equal(dy.to_numpy(), np.ones(N, np.float32))


MIXED = """
#[gpu]
fn mixed(n: u32, flag: bool, a: f32, k: i32, x: &[f32], y: [f32], z: [i32]):
    val i = gpu.global_id(0)
    if i < n:
        if flag:
            y[i] = a * x[i] + k as f32
        z[i] = z[i] + k
"""


@pytest.mark.parametrize("flag", [True, False])
def test_mixed_scalars_bind_like_the_general_path(flag):
    """The per-kernel binder packs scalars of several types at their offsets as the
    general path does (Buffers: the lean path; arrays: the general path)."""
    device = svk.default_device()
    x = np.linspace(0, 1, N, dtype=np.float32)
    with svk.compile_source(MIXED, "vulkan", filename="mixed.spl") as m:
        with device.buffer_from(x) as dx, device.buffer_from(np.ones(N, np.float32)) as dy, \
                device.buffer_from(np.zeros(N, np.int32)) as dz:
            for k in (3, -2):
                m.mixed(200, flag, 0.5, k, dx, dy, dz)
                m.kernel("mixed").launch(200, flag, 0.5, k, dx, dy, dz, wait=False)
            got = dy.to_numpy(), dz.to_numpy()
            assert m.resident_kernel("mixed")._fast.bind((200, flag, 0.5, 3, dx, dy, dz), device) is not None
        y, z = np.ones(N, np.float32), np.zeros(N, np.int32)
        for k in (3, -2):
            for _ in range(2):
                m.mixed(200, flag, 0.5, k, x, y, z)
    np.testing.assert_array_equal(got[0], y)
    np.testing.assert_array_equal(got[1], z)
