"""Argument checking of kernel calls through the Python API (a recording backend,
so no device is needed): count, kind, dtype, layout, range, global size."""
from __future__ import annotations

import numpy as np
import pytest

from backend_fake_backends import Recording
from backend_ir_samples import saxpy_module, scalars_module
from simple_vkbackend.api import compile_ir


@pytest.fixture
def saxpy():
    return compile_ir(saxpy_module(), Recording())


@pytest.fixture
def fill2d():
    return compile_ir(scalars_module(), Recording())


def vectors(n=8, dtype=np.float32):
    return np.arange(n, dtype=dtype), np.ones(n, dtype=dtype)


def test_positional_and_keyword_arguments_reach_the_backend(saxpy):
    x, y = vectors()
    saxpy.saxpy(x, y=y, a=2)
    kernel, args, global_size, local_size = saxpy.backend.runs[-1]
    assert kernel == "saxpy" and global_size == (8, 1, 1) and local_size is None
    assert args["a"] == np.float32(2) and args["a"].dtype == np.float32
    assert np.shares_memory(args["y"], y)


def test_global_size_defaults_to_the_largest_buffer(saxpy):
    x, _ = vectors(8)
    saxpy.saxpy(x, np.zeros(20, np.float32), 1.0)
    assert saxpy.backend.runs[-1][2] == (20, 1, 1)


def test_explicit_sizes_are_normalised(saxpy):
    x, y = vectors()
    saxpy.saxpy(x, y, 1.0, global_size=5, local_size=(4,))
    assert saxpy.backend.runs[-1][2:] == ((5, 1, 1), (4, 1, 1))


def test_multidimensional_array_is_passed_flat(saxpy):
    x, y = np.zeros((2, 4), np.float32), np.zeros((2, 4), np.float32)
    saxpy.saxpy(x, y, 1.0)
    args = saxpy.backend.runs[-1][1]
    assert args["y"].shape == (8,) and np.shares_memory(args["y"], y)


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: m.saxpy(x, y), "missing argument a"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, 2.0), "takes 3 arguments"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, b=2), "no parameter 'b'"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, a=2.0), "two values for parameter 'a'"),
    (lambda m, x, y: m.saxpy(x.astype(np.float64), y, 1.0), "'x' takes a numpy array of float32, got one of float64"),
    (lambda m, x, y: m.saxpy(list(x), y, 1.0), "'x' takes a numpy array or a device Buffer of float32, got list"),
    (lambda m, x, y: m.saxpy(x, y[::2], 1.0), "'y' needs a C-contiguous array"),
    (lambda m, x, y: m.saxpy(x, y, "2"), "'a' .* takes a number, got str"),
    (lambda m, x, y: m.saxpy(x, y, True), "'a' .* takes a number, got bool"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, global_size=(1, 2, 3, 4)), "global_size must be an int or a tuple"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, global_size=2.5), "global_size must be"),
])
def test_type_errors_name_the_parameter(saxpy, call, message):
    x, y = vectors()
    with pytest.raises(TypeError, match=message):
        call(saxpy, x, y)
    assert saxpy.backend.runs == []


@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: m.saxpy(x[:0], y, 1.0), "'x' got an empty array"),
    (lambda m, x, y: m.saxpy(x, y, 1e300), "'a' .* out of range for f32"),
    (lambda m, x, y: m.saxpy(x, y, 1.0, global_size=0), "global_size must be between 1"),
])
def test_value_errors_name_the_parameter(saxpy, call, message):
    x, y = vectors()
    with pytest.raises(ValueError, match=message):
        call(saxpy, x, y)


def test_read_only_array_for_a_written_buffer_is_refused(saxpy):
    x, y = vectors()
    y.flags.writeable = False
    with pytest.raises(ValueError, match="'y' is written by the kernel but the array is read-only"):
        saxpy.saxpy(x, y, 1.0)


def test_read_only_array_for_a_read_buffer_is_fine(saxpy):
    x, y = vectors()
    x.flags.writeable = False
    saxpy.saxpy(x, y, 1.0)


def test_integer_scalars_are_range_checked(fill2d):
    out = np.zeros(4, np.int32)
    with pytest.raises(ValueError, match="'n' \\(u8\\) must be between 0 and 255, got 256"):
        fill2d.fill2d(out, 256, True, 1.0, global_size=(2, 2))
    with pytest.raises(TypeError, match="'n' \\(u8\\) takes an integer"):
        fill2d.fill2d(out, 1.5, True, 1.0, global_size=(2, 2))
    with pytest.raises(TypeError, match="'flag' \\(bool\\) takes a bool, got int"):
        fill2d.fill2d(out, 1, 1, 1.0, global_size=(2, 2))
    fill2d.fill2d(out, np.uint8(255), np.bool_(True), 3, global_size=(2, 2))
    args = fill2d.backend.runs[-1][1]
    assert args["n"] == 255 and args["scale"] == 3.0 and args["scale"].dtype == np.float64


def test_multidimensional_kernel_needs_a_global_size(fill2d):
    with pytest.raises(TypeError, match="2-D kernel: pass global_size=\\(x, y\\)"):
        fill2d.fill2d(np.zeros(4, np.int32), 1, True, 1.0)


def test_kernels_are_listed_and_reachable_by_name(saxpy):
    assert saxpy.kernels == ["saxpy"]
    assert saxpy["saxpy"].name == "saxpy"
    assert "saxpy(x: [f32], y: [f32], a: f32)" in saxpy.saxpy.__doc__
    with pytest.raises(AttributeError, match="no attribute or kernel 'nope'"):
        saxpy.nope
    with pytest.raises(KeyError, match="no kernel named 'nope'"):
        saxpy["nope"]


def test_spirv_of_a_backend_without_spirv_is_a_clear_error(saxpy):
    with pytest.raises(ValueError, match="produces no SPIR-V"):
        saxpy.spirv("saxpy")


def test_package_import_does_not_load_vulkan_or_llvm():
    import subprocess
    import sys
    code = ("import sys, simple_vkbackend as s; s.compile_file; s.VulkanError; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('vulkan', 'llvmlite') "
            "or m.startswith('simple_vkbackend.runtime')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
