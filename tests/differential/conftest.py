"""Differential tests: one Vulkan backend (lavapipe here) and one software backend
per session; the tests skip where there is no Vulkan device. Any validation-layer
message during a test fails it."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from simple_vkbackend import runtime

# fixtures/cases.py through the backend tests' loader (backend_helpers)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))


@pytest.fixture(scope="session")
def vk_backend():
    if not runtime.is_available():
        pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")
    from simple_vkbackend.backends.vulkan import VulkanBackend
    backend = VulkanBackend()
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def sw_backend():
    """The software backend with the Vulkan device's subgroup size (32 without one),
    so that subgroup operations agree."""
    from simple_vkbackend.backends.software import SoftwareBackend
    size = runtime.list_devices()[0].limits.subgroup_size if runtime.is_available() else 32
    return SoftwareBackend(subgroup_size=size)


@pytest.fixture(autouse=True)
def no_validation_messages():
    if not runtime.is_available():
        yield
        return
    from simple_vkbackend.runtime.validation import recent_messages
    before = runtime.validation_message_count()
    yield
    assert runtime.validation_message_count() == before, f"validation messages: {recent_messages()}"
