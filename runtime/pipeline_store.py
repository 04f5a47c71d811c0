"""VkPipelineCache data kept on disk per device, so a new process skips pipeline
compilation it has done before.

The file is keyed by vendor, device, driver version and pipelineCacheUUID; on load
the Vulkan header inside it (VkPipelineCacheHeaderVersionOne) is checked against the
device too, so a foreign or corrupt file is ignored (and rewritten at the next save),
never handed to the driver blindly.
"""
from __future__ import annotations

import struct
from pathlib import Path

from . import disk_cache
from .instance import DeviceInfo

SECTION = "pipelines"
_VK_HEADER = struct.Struct("<IIII16s")  # headerSize, headerVersion, vendorID, deviceID, UUID
HEADER_VERSION_ONE = 1


def path_for(info: DeviceInfo) -> Path | None:
    name = (f"{info.vendor_id:04x}-{info.device_id:04x}-{info.driver_version:08x}-"
            f"{info.pipeline_cache_uuid.hex()}.bin")
    return disk_cache.entry_path(SECTION, name)


def matches(info: DeviceInfo, data: bytes) -> bool:
    """True when `data` starts with a pipeline cache header for this device."""
    if len(data) < _VK_HEADER.size:
        return False
    size, version, vendor, device, uuid = _VK_HEADER.unpack_from(data)
    return (size >= _VK_HEADER.size and size <= len(data) and version == HEADER_VERSION_ONE
            and vendor == info.vendor_id and device == info.device_id
            and uuid == info.pipeline_cache_uuid)


def load(info: DeviceInfo) -> bytes | None:
    """The saved pipeline cache data for this device, or None (none, corrupt, foreign)."""
    data = disk_cache.read_entry(path_for(info))
    return data if data is not None and matches(info, data) else None


def save(info: DeviceInfo, data: bytes) -> bool:
    """Store the device's pipeline cache data (only data with this device's header)."""
    if not matches(info, data):
        return False
    return disk_cache.write_entry(path_for(info), data)
