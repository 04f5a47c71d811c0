"""What the runtime says about devices: names, enabled features, limits. The one
place that reads the runtime's device descriptions (simple_vkbackend.runtime)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    type: str  # "discrete", "integrated", "virtual", "cpu", "other"
    enabled_features: frozenset[str]
    limits: tuple[int, ...]  # maxComputeWorkGroupSize x, y, z; ...Invocations; ...Count x, y, z
    extra: tuple[tuple[str, str], ...] = ()  # more (label, value) pairs for `simple-vk devices`
    driver_id: Optional[str] = None  # "MESA_LLVMPIPE", "NVIDIA_PROPRIETARY", ...; None: unknown
    driver_info: str = ""
    subgroup_size: int = 0
    coop_shapes: tuple = ()  # the runtime's CoopShape list (cooperative matrices)
    withheld: tuple[tuple[str, str], ...] = ()  # (extension, why the runtime does not use it)


def _describe(info, features: frozenset[str]) -> DeviceInfo:
    lim = info.limits
    extra = (
        ("API version", ".".join(map(str, info.api_version))),
        ("maxStorageBufferRange", f"{lim.max_storage_buffer_range} bytes"),
        ("maxComputeSharedMemorySize", f"{lim.max_compute_shared_memory_size} bytes"),
        ("maxPushConstantsSize", f"{lim.max_push_constants_size} bytes"),
        ("subgroupSize", str(lim.subgroup_size)),
        ("cooperative matrices", ", ".join(map(str, info.coop_shapes)) or "none"),
        *((name, why) for name, why in info.withheld),
        ("driver", f"{info.driver_id or 'unknown'} ({info.driver_info})" if info.driver_info
         else info.driver_id or "unknown"),
    )
    return DeviceInfo(info.index, info.name, info.type, frozenset(features),
                      (*lim.max_compute_work_group_size, lim.max_compute_work_group_invocations,
                       *lim.max_compute_work_group_count), extra,
                      info.driver_id, info.driver_info, lim.subgroup_size, tuple(info.coop_shapes),
                      tuple(info.withheld))


def list_device_infos() -> list[DeviceInfo]:
    """Every usable device; the features are those a device created on it enables."""
    from simple_vkbackend import runtime
    return [_describe(info, info.features) for info in runtime.list_devices()]


def describe_device(device) -> DeviceInfo:
    """A runtime Device (simple_vkbackend.runtime.Device), with its enabled features."""
    return _describe(device.info, device.enabled_features)


def resolve_device(which: Union[int, str]) -> int:
    """The index of the device `which` names: an index or part of a name (the
    runtime's rule: among matching names, the best-ranked device)."""
    from simple_vkbackend.runtime.errors import NotAvailableError
    from simple_vkbackend.runtime.instance import select_device

    from ..errors import BackendUnavailableError
    reason = unavailable_reason()
    if reason:
        raise BackendUnavailableError(reason)
    try:
        return select_device(which).info.index
    except NotAvailableError as err:
        raise BackendUnavailableError(str(err)) from None


def unavailable_reason() -> str:
    """Why Vulkan cannot be used here ("" when it can)."""
    from simple_vkbackend import runtime
    return runtime.unavailable_reason() or ""
