"""In CI (CI=true) or with SIMPLE_VK_REQUIRE_DEVICE=1, a Vulkan device must exist, so
that the device tests cannot pass by skipping."""
import os

import pytest

from simple_vkbackend import runtime


@pytest.mark.skipif(not (os.environ.get("CI") == "true" or os.environ.get("SIMPLE_VK_REQUIRE_DEVICE") == "1"),
                    reason="only required in CI or with SIMPLE_VK_REQUIRE_DEVICE=1")
def test_vulkan_device_is_present():
    assert runtime.is_available(), runtime.unavailable_reason()
