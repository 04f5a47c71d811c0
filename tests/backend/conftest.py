"""Fixtures for the backend tests: one Vulkan device and backend per session, and a
check that no test provokes a validation message."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def vk_device():
    from simple_vkbackend.vulkan.objects import Device
    device = Device()
    yield device
    device.close()


@pytest.fixture(scope="session")
def vk_backend(vk_device):
    from simple_vkbackend.backends.vulkan import VulkanBackend
    backend = VulkanBackend(device=vk_device)
    yield backend
    backend.close()


@pytest.fixture
def no_validation_messages():
    """Fails the test when the Khronos validation layer reported anything during it."""
    from simple_vkbackend.runtime import validation_message_count
    before = validation_message_count()
    yield
    from simple_vkbackend.runtime.validation import recent_messages
    assert validation_message_count() == before, f"validation messages: {recent_messages()}"
