"""Availability, device listing and selection, enabled features."""
from __future__ import annotations

import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import features, instance


def test_available():
    assert runtime.is_available()
    assert runtime.unavailable_reason() is None


def test_list_devices_describes_each_device():
    devices = runtime.list_devices()
    assert devices
    for i, d in enumerate(devices):
        assert d.index == i
        assert d.name and d.type in ("discrete", "integrated", "virtual", "cpu", "other")
        assert d.api_version >= (1, 1, 0)
        lim = d.limits
        assert all(n >= 1 for n in lim.max_compute_work_group_size)
        assert lim.max_compute_work_group_invocations >= 128
        assert all(n >= 1 for n in lim.max_compute_work_group_count)
        assert lim.max_storage_buffer_range >= 1 << 20
        assert lim.max_push_constants_size >= 128
        assert lim.subgroup_size >= 1
        assert d.features <= features.KERNEL_FEATURES
        assert tuple(lim)[:4] == (*lim.max_compute_work_group_size, lim.max_compute_work_group_invocations)


def test_lavapipe_is_listed_as_cpu():
    names = {d.name: d for d in runtime.list_devices()}
    llvmpipe = [d for n, d in names.items() if "llvmpipe" in n]
    if not llvmpipe:
        pytest.skip("lavapipe not installed")
    assert llvmpipe[0].type == "cpu"
    assert llvmpipe[0].limits.max_storage_buffer_range == 128 << 20


def test_device_properties(device):
    info = runtime.list_devices()[device.index]
    assert device.name == info.name
    assert device.api_version == info.api_version
    assert device.limits == info.limits
    assert isinstance(device.enabled_features, frozenset)
    assert device.enabled_features <= features.KERNEL_FEATURES
    assert device.enabled_features == info.features


def test_enabled_feature_names_are_vulkan_member_names(device):
    """Feature struct members, and the subgroup operations (named after their
    VK_SUBGROUP_FEATURE_*_BIT)."""
    names = set(features.BASE_MEMBERS) | {m for s in features.FEATURE_STRUCTS for m in s.members}
    assert device.enabled_features <= names | set(features.SUBGROUP_FEATURES)
    assert "timelineSemaphore" not in device.enabled_features
    if "llvmpipe" in device.name:
        for name in ("shaderInt64", "shaderFloat64", "shaderInt16", "shaderInt8", "shaderFloat16",
                     "storageBuffer8BitAccess", "storageBuffer16BitAccess",
                     "shaderBufferFloat32AtomicAdd", "shaderBufferInt64Atomics", *features.SUBGROUP_FEATURES):
            assert name in device.enabled_features


def test_driver_properties(device):
    info = runtime.list_devices()[device.index]
    if "llvmpipe" in device.name:
        assert info.driver_id == "MESA_LLVMPIPE" and info.driver_info.startswith("Mesa ")
    assert info.driver_id is None or info.driver_id.isupper()


def test_best_device_ranking():
    best = instance.select_device()
    ranks = sorted(instance.physical_devices(), key=instance._rank)
    assert best is ranks[0]


@pytest.mark.parametrize("selector", ["0", "llvm"])
def test_env_selects_device(monkeypatch, selector):
    if selector == "llvm" and not any("llvm" in d.name for d in runtime.list_devices()):
        pytest.skip("no lavapipe")
    monkeypatch.setenv("SIMPLE_VK_DEVICE", selector)
    with runtime.Device() as dev:
        if selector == "0":
            assert dev.index == 0
        else:
            assert "llvm" in dev.name.lower()


def test_env_naming_no_device_is_refused(monkeypatch):
    monkeypatch.setenv("SIMPLE_VK_DEVICE", "no-such-gpu-xyz")
    with pytest.raises(runtime.NotAvailableError, match="no-such-gpu-xyz"):
        runtime.Device()
    with pytest.raises(runtime.NotAvailableError):
        runtime.Device(99)


def test_validation_layer_on_in_tests(validation_on):
    assert validation_on, "tests run with SIMPLE_VK_VALIDATION=1 and the layer installed"


def test_device_context_manager_and_double_free():
    before = runtime.live_objects()
    dev = runtime.Device()
    dev.free()
    dev.free()
    assert not dev.alive
    with pytest.raises(runtime.InvalidHandleError):
        dev.alloc(16)
    assert runtime.live_objects() == before
