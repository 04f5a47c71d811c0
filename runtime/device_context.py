"""The per-device bundle of handles that the runtime's parts share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .instance import PhysicalDevice

if TYPE_CHECKING:
    from .device_memory import StagingPool
    from .submit import Submitter


@dataclass
class DeviceContext:
    """Handles of one logical device; owned and destroyed by `Device`."""

    vk: Any                         # the `vulkan` module (untyped)
    handle: Any                     # VkDevice
    physical: PhysicalDevice
    fns: Any                        # vkapi.DeviceFns
    queue: Any = None               # VkQueue
    # Made by Device._setup and dropped when the device is destroyed; the parts use
    # them only while it lives, so they are typed as present.
    submitter: Submitter = None     # type: ignore[assignment]  # see above
    staging: StagingPool = None     # type: ignore[assignment]  # see above
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
