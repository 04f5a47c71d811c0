"""The per-device bundle of handles that the runtime's parts share."""
from __future__ import annotations

from dataclasses import dataclass, field

from .instance import PhysicalDevice


@dataclass
class DeviceContext:
    """Handles of one logical device; owned and destroyed by `Device`."""

    vk: object                      # the `vulkan` module
    handle: object                  # VkDevice
    physical: PhysicalDevice
    fns: object                     # vkapi.DeviceFns
    queue: object = None            # VkQueue
    submitter: object = None        # submit.Submitter
    staging: object = None          # memory.StagingPool
    pipeline_cache: object = None   # VkPipelineCache
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
