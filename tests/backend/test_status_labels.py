"""Every failure keeps its own status label (issue finding 12): the host glue reports a
failed kernel compile as -4 and a failed allocation as -3 whatever the runtime said;
the VulkanError must carry the runtime's status (here -2, a freed device) with the
runtime's message, not -4's label."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_ir_samples import saxpy_module
from simple_vkbackend.api import compile_ir
from simple_vkbackend.backends.vulkan import VulkanBackend
from simple_vkbackend.runtime import ffi
from simple_vkbackend.runtime.abi import Status, status_name

pytestmark = pytest.mark.usefixtures("no_validation_messages")


def test_a_freed_device_under_the_glue_is_reported_as_invalid_handle():
    device = svk.Device()
    backend = VulkanBackend(device=device)
    module = compile_ir(saxpy_module(), backend)
    assert ffi.rt_vk_device_free(device.handle) == 0      # behind the wrapper's back
    x, y = np.arange(8, dtype=np.float32), np.ones(8, dtype=np.float32)
    with pytest.raises(svk.VulkanError) as info:
        module.saxpy(x, y, 2.0)
    err = info.value
    assert err.status == int(Status.INVALID_HANDLE), str(err)
    assert f"(status -2: {status_name(-2)})" in str(err)
    assert "does not exist" in str(err) and status_name(-4) not in str(err)
    module.close()
    backend.close()
    device.close()


def test_an_allocation_over_the_limit_keeps_its_invalid_parameter_label(vk_backend, vk_device):
    limit = vk_device.runtime_device.limits.max_storage_buffer_range
    module = compile_ir(saxpy_module(), vk_backend)
    n = limit // 4 + 1
    if n * 4 > 1 << 30:
        pytest.skip(f"maxStorageBufferRange {limit} too large to exceed cheaply")
    x = np.zeros(n, np.float32)
    y = np.zeros(n, np.float32)
    with pytest.raises(svk.VulkanError) as info:
        module.saxpy(x, y, 1.0)
    assert info.value.status == int(Status.INVALID_PARAMETER), str(info.value)
    assert "maxStorageBufferRange" in str(info.value)
