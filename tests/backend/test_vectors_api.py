"""Vector loads and stores through the public API on both backends: bounds
policies, traps naming the vector's last element, and the length rule (a buffer
accessed as vectors of n holds a multiple of n elements)."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import FIXTURES
from simple_vkbackend.traps import BoundsTrapError

pytestmark = pytest.mark.usefixtures("no_validation_messages")

PATH = FIXTURES / "traps" / "vector_bounds.spl"
VECTORS = FIXTURES / "vectors.spl"


@pytest.fixture(params=["software", "vulkan"])
def backend(request):
    return request.getfixturevalue("vk_backend") if request.param == "vulkan" else "software"


@pytest.fixture
def module(backend):
    return svk.compile_file(PATH, backend=backend)


def test_zero_policy_reads_zeros_and_skips_writes_past_the_end(module):
    x = np.arange(16, dtype=np.float32)
    y = np.full(16, -1.0, np.float32)
    module.zero_tail(x, y, global_size=(8,), local_size=(8,))
    np.testing.assert_array_equal(y, x + 1)


def test_clamp_policy_uses_the_last_whole_vector(module):
    x = np.arange(8, dtype=np.float32)
    y = np.zeros(8, np.float32)
    module.clamp_tail(x, y, global_size=(5,), local_size=(5,))
    np.testing.assert_array_equal(y, x + 1)


def test_trap_names_the_last_element_of_the_vector(module):
    x = np.arange(6, dtype=np.float32)
    y = np.zeros(6, np.float32)
    module.trap_tail(x, y, 0, global_size=(3,), local_size=(3,))
    np.testing.assert_array_equal(y, x)
    with pytest.raises(BoundsTrapError) as info:
        module.trap_tail(x, np.zeros(6, np.float32), 1, global_size=(3,), local_size=(3,))
    err = info.value
    assert (err.kernel, err.buffer, err.index, err.length) == ("trap_tail", "x", 7, 6)
    assert err.location == f"{PATH}:17:33"


def test_a_length_that_is_not_a_multiple_is_refused(backend):
    module = svk.compile_file(VECTORS, backend=backend)
    x, y = np.ones(10, np.float32), np.zeros(10, np.float32)
    with pytest.raises(ValueError, match="accesses it as vectors of 4 elements, so its "
                                                                  "length must be a multiple of 4, got 10"):
        module.saxpy4(np.float32(2), x, y, global_size=(3,))


def test_the_software_backend_refuses_it_too():
    from simple_vkbackend.frontend import compile_file
    from simple_vkbackend.software.errors import SoftwareArgumentError
    from simple_vkbackend.software.launch import run_kernel
    m = compile_file(VECTORS)
    with pytest.raises(SoftwareArgumentError, match="multiple of 4, got 6"):
        run_kernel(m, "saxpy4", {"a": 2.0, "x": np.ones(6, np.float32), "y": np.zeros(8, np.float32)}, (2,), (2,))


def test_atomics_on_a_buffer_accessed_as_vectors(backend):
    """Atomics address an element of the vector layout (a float add through its u32
    bits where the device has no float atomics)."""
    module = svk.compile_source("""
#[gpu]
fn k(x: [u32], y: [f32]):
    val i = gpu.global_id(0)
    val v = vec[4, u32].load(x, i * 4)
    gpu.atomic_add(&x[0], v.y)
    val w = vec[2, f32].load(y, i * 2)
    gpu.atomic_add(&y[1], w.x)
    (w * 2.0).store(y, (i + 2) * 2)
""", backend=backend)
    x, y = np.arange(8, dtype=np.uint32), np.arange(8, dtype=np.float32)
    module.k(x, y, global_size=(2,), local_size=(2,))
    assert x.tolist() == [6, 1, 2, 3, 4, 5, 6, 7]
    assert y.tolist() == [0, 3, 2, 3, 0, 2, 4, 6]
