"""Khronos validation layer support: a VK_EXT_debug_utils messenger routed to logging.

Warnings and errors from the layer (and the loader) are logged on the logger
`simple_vkbackend.runtime.validation` and counted; tests assert the count did not grow.
"""
from __future__ import annotations

import collections
import logging
import os
import threading

from . import vkapi

LAYER = "VK_LAYER_KHRONOS_validation"
log = logging.getLogger("simple_vkbackend.runtime.validation")

_lock = threading.Lock()
_count = 0
_recent: collections.deque[str] = collections.deque(maxlen=50)


def after_fork() -> None:
    """In a fork()ed child: a fresh lock (a parent thread may have held the old one)."""
    global _lock
    _lock = threading.Lock()


def requested() -> bool:
    """True when SIMPLE_VK_VALIDATION asks for the validation layer."""
    return os.environ.get("SIMPLE_VK_VALIDATION", "").strip().lower() in ("1", "true", "yes", "on", "sync")


def sync_requested() -> bool:
    """True when SIMPLE_VK_VALIDATION=sync also asks for synchronization validation
    (the layer's thread-safety checks are on whenever the layer is)."""
    return os.environ.get("SIMPLE_VK_VALIDATION", "").strip().lower() == "sync"


def features_info(vk, next_struct):
    """A VkValidationFeaturesEXT enabling synchronization validation, chained to
    `next_struct` (keep the returned objects alive until the instance is created)."""
    enables = vk.ffi.new("VkValidationFeatureEnableEXT[1]",
                         [vk.VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT])
    info = vk.ffi.new("VkValidationFeaturesEXT*", {
        "sType": vk.VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT, "pNext": next_struct,
        "enabledValidationFeatureCount": 1, "pEnabledValidationFeatures": enables})
    return info, enables


def validation_message_count() -> int:
    """Number of validation warnings and errors reported so far in this process."""
    return _count


def recent_messages() -> list[str]:
    """The last few validation messages (for test failure reports)."""
    with _lock:
        return list(_recent)


def _record(severity: int, text: str) -> None:
    global _count
    vk = vkapi.load()
    error = severity & vk.VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT
    with _lock:
        _count += 1
        _recent.append(text)
    log.log(logging.ERROR if error else logging.WARNING, "%s", text)


def _on_message(severity, types, data, user):
    try:
        vk = vkapi.load()
        text = vk.ffi.string(data.pMessage).decode("utf-8", "replace") if data.pMessage else "?"
        _record(severity, text)
    except Exception:  # noqa: BLE001 - a callback from the driver must not raise
        pass
    return 0


class Messenger:
    """The create-info (chainable into VkInstanceCreateInfo) and the messenger object."""

    def __init__(self) -> None:
        vk = vkapi.load()
        self._callback = vk.ffi.callback("PFN_vkDebugUtilsMessengerCallbackEXT", _on_message)
        self.info = vk.ffi.new("VkDebugUtilsMessengerCreateInfoEXT*")
        self.info.sType = vk.VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        self.info.messageSeverity = (vk.VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT
                                     | vk.VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
        self.info.messageType = (vk.VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT
                                 | vk.VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT
                                 | vk.VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT)
        self.info.pfnUserCallback = self._callback
        self.handle = None
        self._destroy_fn = None

    def create(self, instance) -> None:
        vk = vkapi.load()
        ffi = vk.ffi
        create = ffi.cast("PFN_vkCreateDebugUtilsMessengerEXT",
                          vk.lib.vkGetInstanceProcAddr(instance, b"vkCreateDebugUtilsMessengerEXT"))
        self._destroy_fn = ffi.cast(
            "PFN_vkDestroyDebugUtilsMessengerEXT",
            vk.lib.vkGetInstanceProcAddr(instance, b"vkDestroyDebugUtilsMessengerEXT"))
        out = ffi.new("VkDebugUtilsMessengerEXT*")
        vkapi.check(create(instance, self.info, ffi.NULL, out), "vkCreateDebugUtilsMessengerEXT")
        self.handle = out[0]

    def destroy(self, instance) -> None:
        if self.handle is not None:
            self._destroy_fn(instance, self.handle, vkapi.load().ffi.NULL)
            self.handle = None
