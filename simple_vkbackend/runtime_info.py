"""What the runtime's Python layer says about devices: names, enabled features,
limits. The one place that knows the runtime's object-layer names."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional, Union

DEVICE_ENV = "SIMPLE_VK_DEVICE"


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    enabled_features: frozenset[str]
    limits: tuple[int, int, int, int]  # maxComputeWorkGroupSize x, y, z; maxComputeWorkGroupInvocations
    extra: tuple[tuple[str, str], ...] = ()  # more (label, value) pairs for `simple-vk devices`


def list_device_infos() -> list[DeviceInfo]:
    from simple_vkbackend import runtime
    return [_info(i, d) for i, d in enumerate(runtime.list_devices())]


def _info(index: int, device) -> DeviceInfo:
    limits = device.limits
    return DeviceInfo(index, device.name, frozenset(device.enabled_features), tuple(limits)[:4])


def device_info(handle: int, index: int) -> DeviceInfo:
    return list_device_infos()[index]


def resolve_device(which: Union[int, str, None]) -> int:
    """The index of the device meant by `which`: an index, part of a name, or None
    for SIMPLE_VK_DEVICE (itself an index or part of a name) or else device 0."""
    if which is None:
        which = os.environ.get(DEVICE_ENV) or 0
    infos = list_device_infos()
    if not infos:
        from .errors import BackendUnavailableError
        raise BackendUnavailableError("no Vulkan device found")
    if isinstance(which, str) and which.strip().isdigit():
        which = int(which)
    if isinstance(which, int):
        if not 0 <= which < len(infos):
            raise ValueError(f"no Vulkan device {which}; there are {len(infos)}: {_names(infos)}")
        return which
    matches = [d.index for d in infos if which.lower() in d.name.lower()]
    if not matches:
        raise ValueError(f"no Vulkan device named like {which!r}; devices: {_names(infos)}")
    return matches[0]


def _names(infos: list[DeviceInfo]) -> str:
    return ", ".join(f"{d.index}: {d.name}" for d in infos)


def device_count() -> Optional[int]:
    from simple_vkbackend import runtime
    return len(runtime.list_devices())
