"""Sizes and dtypes the Device/Buffer wrappers and the API refuse (issue findings 6
and 11): non-numeric dtypes name the dtype; element counts are computed without
64-bit wrap-around and checked against the device before anything is allocated."""
from __future__ import annotations

import datetime
import re

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_fake_backends import Recording
from backend_ir_samples import saxpy_module
from simple_vkbackend.api import compile_ir

pytestmark = pytest.mark.usefixtures("no_validation_messages")

NON_NUMERIC = [
    np.array([1, "a", None], dtype=object),
    np.array(["ab", "cd"]),
    np.array([b"ab", b"cd"]),
    np.zeros(3, dtype="V8"),
    np.zeros(3, dtype=[("a", np.int32), ("b", np.float32)]),
    np.array([datetime.datetime(2020, 1, 1)], dtype="datetime64[s]"),
    np.array([1], dtype="timedelta64[s]"),
    np.zeros(3, dtype=np.complex64),
]


@pytest.mark.parametrize("array", NON_NUMERIC, ids=lambda a: str(a.dtype))
def test_buffer_from_refuses_non_numeric_dtypes(vk_device, array):
    with pytest.raises(TypeError, match=f"dtype {re.escape(str(array.dtype))} is not numeric"):
        vk_device.buffer_from(array)


@pytest.mark.parametrize("dtype", [object, str, "V4", "M8[s]", "m8[s]"])
def test_empty_refuses_non_numeric_dtypes(vk_device, dtype):
    with pytest.raises(TypeError, match="is not numeric"):
        vk_device.empty(4, dtype)


@pytest.mark.parametrize("array", NON_NUMERIC[:3], ids=lambda a: str(a.dtype))
def test_kernel_call_refuses_non_numeric_arrays(array):
    module = compile_ir(saxpy_module(), Recording())
    with pytest.raises(TypeError, match=f"saxpy\\(\\): argument 1: dtype {array.dtype} is not numeric"):
        module.saxpy(array, np.ones(3, np.float32), 2.0)
    with pytest.raises(TypeError, match=f"saxpy\\(\\): y: dtype {array.dtype} is not numeric"):
        module.saxpy(np.ones(3, np.float32), y=array, a=2.0)


@pytest.mark.parametrize("shape", [2**62 + 1, (2**62 + 1, 4), (2**33, 2**31), 2**40])
def test_sizes_beyond_the_device_are_refused(vk_device, shape):
    """(2**62 + 1, 4) wraps to 4 elements in 64-bit arithmetic: it must not give a
    buffer claiming 2**64 + 4 elements backed by 16 bytes."""
    with pytest.raises(svk.VulkanError, match="maxStorageBufferRange"):
        vk_device.empty(shape, np.float32)


@pytest.mark.parametrize("shape", [-1, (4, -2), (2.5,), (True,)])
def test_malformed_shapes_are_refused(vk_device, shape):
    with pytest.raises(ValueError, match="non-negative integers"):
        vk_device.empty(shape, np.float32)
