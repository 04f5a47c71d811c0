"""The per-device bundle of handles that the runtime's parts share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .instance import PhysicalDevice


@dataclass
class DeviceContext:
    """Handles of one logical device; owned and destroyed by `Device`."""

    vk: Any                         # the `vulkan` module (untyped)
    handle: Any                     # VkDevice
    physical: PhysicalDevice
    fns: Any                        # vkapi.DeviceFns
    queue: Any = None               # VkQueue
    submitter: Any = None           # submit.Submitter (which imports this module)
    staging: Any = None             # device_memory.StagingPool (likewise)
    pipeline_cache: Any = None      # VkPipelineCache
    direct_memory_type: int | None = None   # mappable device-local type, if used
    extra: dict = field(default_factory=dict)

    @property
    def ffi(self):
        return self.vk.ffi

    @property
    def lib(self):
        return self.vk.lib

    @property
    def limits(self):
        return self.physical.info.limits
