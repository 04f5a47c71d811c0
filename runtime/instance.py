"""The Vulkan instance (one per process), physical device listing and selection.

`Instance.get()` creates the instance on first use (with the validation layer and its
messenger when SIMPLE_VK_VALIDATION=1) and registers an atexit hook that frees every
live device, then the instance. `list_devices()` describes the physical devices;
`select_device()` picks the best one or the one SIMPLE_VK_DEVICE names.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from . import coop_matrix
from . import features as feat
from . import tracking, validation, vkapi
from .coop_matrix import CoopShape
from .errors import INSTALL_HINT, NotAvailableError, RuntimeFailure

log = logging.getLogger("simple_vkbackend.runtime")

TYPE_NAMES = ("other", "integrated", "discrete", "virtual", "cpu")  # VkPhysicalDeviceType order
TYPE_RANK = {"discrete": 0, "integrated": 1, "virtual": 2, "cpu": 3, "other": 4}


@dataclass(frozen=True)
class DeviceLimits:
    """The limits of a device that matter for compute launches."""

    max_compute_work_group_size: tuple[int, int, int]
    max_compute_work_group_invocations: int
    max_compute_work_group_count: tuple[int, int, int]
    max_storage_buffer_range: int
    max_push_constants_size: int
    max_compute_shared_memory_size: int
    max_memory_allocation_count: int
    max_bound_descriptor_sets: int
    subgroup_size: int
    min_storage_buffer_offset_alignment: int = 1   # a view bound at an offset must be a multiple
    timestamp_period: float = 0.0                  # ns per timestamp tick (0: no timestamps)
    max_per_stage_descriptor_storage_buffers: int = 0xFFFFFFFF
    max_descriptor_set_storage_buffers: int = 0xFFFFFFFF
    max_per_stage_resources: int = 0xFFFFFFFF

    @property
    def max_storage_buffer_bindings(self) -> int:
        """How many storage buffers one compute kernel may bind."""
        return min(self.max_per_stage_descriptor_storage_buffers,
                   self.max_descriptor_set_storage_buffers, self.max_per_stage_resources)

    def as_abi(self) -> tuple[int, ...]:
        """The values in `rt_vk_device_limits` order (abi.LIMITS_ORDER), clamped to u32."""
        values = (*self.max_compute_work_group_size, self.max_compute_work_group_invocations,
                  *self.max_compute_work_group_count, self.max_push_constants_size,
                  self.subgroup_size, self.max_storage_buffer_range,
                  self.max_compute_shared_memory_size)
        return tuple(min(v, 0xFFFFFFFF) for v in values)

    def __iter__(self):
        """Iterating gives the `as_abi()` values (first four: work-group size x, y, z, invocations)."""
        return iter(self.as_abi())


@dataclass(frozen=True)
class DeviceInfo:
    """A physical device as `list_devices()` reports it."""

    index: int
    name: str
    type: str                       # "discrete", "integrated", "virtual", "cpu", "other"
    api_version: tuple[int, int, int]
    vendor_id: int
    device_id: int
    device_local_bytes: int         # size of the largest device-local heap
    limits: DeviceLimits
    features: frozenset[str]        # supported kernel features (Vulkan member names)
    extensions: frozenset[str] = field(repr=False, default=frozenset())
    driver_id: str | None = None    # VkDriverId without VK_DRIVER_ID_ ("MESA_LLVMPIPE"); None: unknown
    driver_info: str = ""           # VkPhysicalDeviceDriverProperties::driverInfo ("Mesa 22.3.6 ...")
    driver_version: int = 0
    pipeline_cache_uuid: bytes = field(repr=False, default=b"")
    coop_shapes: tuple[CoopShape, ...] = ()  # cooperative-matrix shapes it runs (coop_matrix.py)
    # extensions the device has but the runtime does not use, with why (features.withheld_by_layer)
    withheld: tuple[tuple[str, str], ...] = ()

    @property
    def enabled_features(self) -> frozenset[str]:
        """The kernel features a `Device` on this GPU enables (all it supports)."""
        return self.features


@dataclass
class PhysicalDevice:
    """Internal: a physical device handle with what device creation needs."""

    handle: Any
    info: DeviceInfo
    api: tuple[int, int]            # effective API (min of instance and device)
    queue_family: int
    supported: dict[str, bool]      # every queried feature member, internal ones included
    memory: Any                     # VkPhysicalDeviceMemoryProperties (cffi)


def _strings(ffi, items: list[str]):
    """A char*[] with its strings kept alive alongside: (array, keepalive list)."""
    keep = [ffi.new("char[]", s.encode()) for s in items]
    return ffi.new("char*[]", keep) if keep else ffi.NULL, keep


class Instance:
    """The process-wide VkInstance."""

    _lock = threading.Lock()
    _current: "Instance | None" = None
    _failure: str | None = None        # why creation failed (not retried)
    _shut_down = False
    _forked_from: int | None = None     # in a fork()ed child: the parent's pid

    @classmethod
    def get(cls) -> "Instance":
        inst = cls._current
        if inst is not None:
            return inst
        with cls._lock:
            if cls._forked_from is not None:
                raise NotAvailableError(
                    f"the Vulkan runtime was started in process {cls._forked_from} before fork(); "
                    "a forked child cannot use Vulkan: start worker processes with "
                    "multiprocessing's 'spawn' or 'forkserver' method, or fork before using Vulkan")
            if cls._shut_down:
                raise NotAvailableError("the Vulkan runtime has been shut down (interpreter exit)")
            if cls._failure is not None:
                raise NotAvailableError(cls._failure)
            if cls._current is None:
                try:
                    cls._current = Instance()
                except NotAvailableError as exc:
                    cls._failure = str(exc)
                    raise
                atexit.register(shutdown)
            return cls._current

    def __init__(self) -> None:
        vk = vkapi.load()
        self.api = self._api_version(vk)
        self.layer_version = self._layer_version(vk) if validation.requested() else None
        self.validation = self.layer_version is not None
        self.messenger = validation.Messenger() if self.validation else None
        self.handle = self._create(vk)
        self.devices: set = set()          # live Device objects (for shutdown)
        self.devices_lock = threading.Lock()
        try:
            if self.messenger:
                self.messenger.create(self.handle)
            self.physical = self._enumerate(vk)
        except BaseException:
            self._destroy_handle()
            raise

    @staticmethod
    def _api_version(vk) -> tuple[int, int]:
        try:
            version = vk.vkEnumerateInstanceVersion()
        except (AttributeError, vk.ProcedureNotFoundError):
            version = vk.VK_API_VERSION_1_0
        api = vkapi.version_tuple(version)[:2]
        if api < (1, 1):
            raise NotAvailableError(f"Vulkan loader {api[0]}.{api[1]} is too old; 1.1 or newer is needed")
        return min(api, (1, 3))

    @staticmethod
    def _layer_version(vk) -> tuple[int, int, int] | None:
        """The validation layer's spec version; None (with a warning) when it is missing."""
        for p in vk.vkEnumerateInstanceLayerProperties():
            if p.layerName == validation.LAYER:
                return vkapi.version_tuple(p.specVersion)[:3]
        log.warning("SIMPLE_VK_VALIDATION is set but %s is not installed "
                    "(apt install vulkan-validationlayers); running without it", validation.LAYER)
        return None

    def _create(self, vk):
        ffi = vk.ffi
        available = {p.extensionName for p in vk.vkEnumerateInstanceExtensionProperties(None)}
        exts = ["VK_EXT_debug_utils"] if self.validation and "VK_EXT_debug_utils" in available else []
        flags = 0
        if "VK_KHR_portability_enumeration" in available:
            exts.append("VK_KHR_portability_enumeration")
            flags |= vk.VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR
        ext_arr, keep_e = _strings(ffi, exts)
        layer_arr, keep_l = _strings(ffi, [validation.LAYER] if self.validation else [])
        app_name = ffi.new("char[]", b"simple-vkbackend")
        app = ffi.new("VkApplicationInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_APPLICATION_INFO, "pApplicationName": app_name,
            "pEngineName": app_name, "apiVersion": vkapi.make_version(*self.api)})
        info = ffi.new("VkInstanceCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, "flags": flags,
            "pApplicationInfo": app, "enabledLayerCount": len(keep_l), "ppEnabledLayerNames": layer_arr,
            "enabledExtensionCount": len(keep_e), "ppEnabledExtensionNames": ext_arr})
        if self.messenger is not None and "VK_EXT_debug_utils" in exts:
            info.pNext = self.messenger.info
        elif self.messenger is not None:
            self.messenger = None
        if self.validation and validation.sync_requested():
            keep_sync = validation.features_info(vk, info.pNext)
            info.pNext = keep_sync[0]
        out = ffi.new("VkInstance*")
        result = vk.lib.vkCreateInstance(info, ffi.NULL, out)
        if result != vk.VK_SUCCESS:
            raise NotAvailableError(f"cannot create a Vulkan instance ({vkapi.result_name(result)}): "
                                    f"is a Vulkan driver installed? {INSTALL_HINT}")
        return tracking.created("VkInstance", out[0])

    def _enumerate(self, vk) -> list[PhysicalDevice]:
        try:
            handles = vk.vkEnumeratePhysicalDevices(self.handle)
        except vk.VkError as exc:
            raise NotAvailableError(f"cannot list Vulkan devices: {type(exc).__name__}") from None
        out: list[PhysicalDevice] = []
        for number, handle in enumerate(handles):
            try:
                out.append(describe(vk, len(out), handle, self.api, self.handle, self.layer_version))
            except RuntimeFailure as exc:
                log.warning("skipping Vulkan device %d: %s", number, exc)
        return out

    def _destroy_handle(self) -> None:
        vk = vkapi.load()
        if self.messenger is not None:
            self.messenger.destroy(self.handle)
        tracking.destroy("VkInstance", self.handle, lambda h: vk.lib.vkDestroyInstance(h, vk.ffi.NULL))

    def register(self, device) -> None:
        with self.devices_lock:
            self.devices.add(device)

    def unregister(self, device) -> None:
        with self.devices_lock:
            self.devices.discard(device)


def describe(vk, index: int, handle, instance_api: tuple[int, int], instance=None,
             layer: tuple[int, int, int] | None = None) -> PhysicalDevice:
    """Query a physical device's properties, limits, memory, queues and features
    (`layer`: the validation layer's version, when it is on)."""
    ffi = vk.ffi
    subgroup = ffi.new("VkPhysicalDeviceSubgroupProperties*",
                       {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES})
    props2 = ffi.new("VkPhysicalDeviceProperties2*",
                     {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, "pNext": subgroup})
    vk.lib.vkGetPhysicalDeviceProperties2(handle, props2)
    props = props2.properties
    api = min(vkapi.version_tuple(props.apiVersion)[:2], instance_api)
    extensions = frozenset(p.extensionName for p in vk.vkEnumerateDeviceExtensionProperties(handle, None))
    withheld = feat.withheld_by_layer(layer, extensions) if layer else {}
    extensions -= withheld.keys()
    chain = feat.FeatureChain(feat.applicable(api, extensions))
    vk.lib.vkGetPhysicalDeviceFeatures2(handle, chain.root)
    supported = chain.read()
    supported.update(feat.subgroup_features(vk, subgroup))
    driver_id, driver_info = feat.driver_properties(vk, handle, api, extensions)
    memory = ffi.new("VkPhysicalDeviceMemoryProperties*")
    vk.lib.vkGetPhysicalDeviceMemoryProperties(handle, memory)
    info = DeviceInfo(
        index=index, name=ffi.string(props.deviceName).decode("utf-8", "replace"),
        type=TYPE_NAMES[props.deviceType] if props.deviceType < len(TYPE_NAMES) else "other",
        api_version=vkapi.version_tuple(props.apiVersion), vendor_id=props.vendorID,
        device_id=props.deviceID, device_local_bytes=_device_local_bytes(vk, memory),
        limits=_limits(props.limits, subgroup.subgroupSize),
        features=frozenset(n for n, ok in supported.items() if ok and n in feat.KERNEL_FEATURES),
        extensions=extensions, driver_id=driver_id, driver_info=driver_info,
        driver_version=props.driverVersion,
        pipeline_cache_uuid=bytes(ffi.buffer(props.pipelineCacheUUID, vk.VK_UUID_SIZE)),
        coop_shapes=coop_matrix.query(vk, instance, handle, extensions),
        withheld=tuple(sorted(withheld.items())))
    return PhysicalDevice(handle, info, api, _compute_family(vk, handle), supported, memory)


def _limits(lim, subgroup_size: int) -> DeviceLimits:
    return DeviceLimits(
        max_compute_work_group_size=tuple(lim.maxComputeWorkGroupSize[i] for i in range(3)),
        max_compute_work_group_invocations=lim.maxComputeWorkGroupInvocations,
        max_compute_work_group_count=tuple(lim.maxComputeWorkGroupCount[i] for i in range(3)),
        max_storage_buffer_range=lim.maxStorageBufferRange,
        max_push_constants_size=lim.maxPushConstantsSize,
        max_compute_shared_memory_size=lim.maxComputeSharedMemorySize,
        max_memory_allocation_count=lim.maxMemoryAllocationCount,
        max_bound_descriptor_sets=lim.maxBoundDescriptorSets,
        subgroup_size=subgroup_size,
        min_storage_buffer_offset_alignment=lim.minStorageBufferOffsetAlignment,
        timestamp_period=lim.timestampPeriod if lim.timestampComputeAndGraphics else 0.0,
        max_per_stage_descriptor_storage_buffers=lim.maxPerStageDescriptorStorageBuffers,
        max_descriptor_set_storage_buffers=lim.maxDescriptorSetStorageBuffers,
        max_per_stage_resources=lim.maxPerStageResources)


def _device_local_bytes(vk, memory) -> int:
    sizes = [memory.memoryHeaps[i].size for i in range(memory.memoryHeapCount)
             if memory.memoryHeaps[i].flags & vk.VK_MEMORY_HEAP_DEVICE_LOCAL_BIT]
    return max(sizes, default=0)


def _compute_family(vk, handle) -> int:
    for i, fam in enumerate(vk.vkGetPhysicalDeviceQueueFamilyProperties(handle)):
        if fam.queueFlags & vk.VK_QUEUE_COMPUTE_BIT and fam.queueCount > 0:
            return i
    raise NotAvailableError("device has no compute queue")


def physical_devices() -> list[PhysicalDevice]:
    return Instance.get().physical


def list_devices() -> list[DeviceInfo]:
    """Every usable Vulkan device, in enumeration order (the index SIMPLE_VK_DEVICE uses)."""
    return [p.info for p in physical_devices()]


def _rank(p: PhysicalDevice):
    return (TYPE_RANK.get(p.info.type, 4), -p.info.device_local_bytes, p.info.index)


def select_device(selector: str | int | None = None) -> PhysicalDevice:
    """The device `selector` names (index or name part), else SIMPLE_VK_DEVICE, else the best."""
    devices = physical_devices()
    if not devices:
        raise NotAvailableError(f"no Vulkan device found; {INSTALL_HINT}")
    if selector is None:
        selector = os.environ.get("SIMPLE_VK_DEVICE", "").strip() or None
    if selector is None:
        return min(devices, key=_rank)
    return _match(devices, selector)


def _match(devices: list[PhysicalDevice], selector: str | int) -> PhysicalDevice:
    text = str(selector).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        for p in devices:
            if p.info.index == index:
                return p
    else:
        for p in sorted(devices, key=_rank):
            if text.lower() in p.info.name.lower():
                return p
    names = ", ".join(f"{p.info.index}: {p.info.name}" for p in devices)
    raise NotAvailableError(f"no Vulkan device matches {text!r} (devices: {names})")


def is_available() -> bool:
    """True when a Vulkan loader, driver and at least one device are usable."""
    return unavailable_reason() is None


def unavailable_reason() -> str | None:
    """Why Vulkan cannot be used, or None when it can."""
    try:
        if not physical_devices():
            return f"no Vulkan device found; {INSTALL_HINT}"
    except RuntimeFailure as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a broken driver must not crash callers
        return f"Vulkan initialisation failed: {exc!r}"
    return None


def shutdown() -> None:
    """Free every live device, then the instance (atexit; safe to call twice)."""
    with Instance._lock:
        inst, Instance._current = Instance._current, None
        Instance._shut_down = True
    if inst is None:
        return
    with inst.devices_lock:
        devices = list(inst.devices)
    try:
        for dev in devices:
            try:
                dev.free()
            except Exception:  # keep releasing the rest (logged)
                log.exception("freeing a device at exit failed")
    except KeyboardInterrupt:   # Ctrl-C while exit waits for running work: abandon it
        log.warning("interrupted while waiting for device work at exit; not released")
        return
    inst._destroy_handle()


FORKED = "belongs to the parent process (made before fork()); a forked child cannot use it"


def _after_fork_in_child() -> None:
    """In a fork()ed child: the parent's instance, devices, buffers and kernels are
    unusable (the driver's threads and the GPU queue stayed with the parent). Mark
    them dead without releasing anything, so that every use fails at once with a
    clear error, `Instance.get()` refuses, and exit does not wait on the parent's
    work. Locks a parent thread may have held at fork() are replaced."""
    Instance._lock = threading.Lock()
    inst, Instance._current = Instance._current, None
    if inst is None:
        return                          # Vulkan never started: the child may use it
    Instance._forked_from = os.getppid()
    for dev in list(inst.devices):
        for child in list(getattr(dev, "_children", ())):
            child.abandon(FORKED)
        dev.abandon(FORKED)
    inst.devices = set()
    inst.devices_lock = threading.Lock()
    tracking.after_fork()
    validation.after_fork()
    _skip_driver_exit_handlers()


def _skip_driver_exit_handlers() -> None:
    """In a forked child of a process that started Vulkan: end the process with
    `_exit(status)` as the first C-level exit handler, after Python has finalized, so the
    driver's own exit handlers (inherited from the parent) do not run. NVIDIA's (driver
    580 on an H200) crash there, and can take the parent's GPU work down with them.
    glibc's on_exit passes the exit status, so the child's status is kept; elsewhere
    nothing is changed."""
    import ctypes
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        on_exit, end = libc.on_exit, libc._exit
    except (OSError, AttributeError):
        return
    # on_exit calls f(status, arg); _exit(status) ignores the second argument
    on_exit.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    on_exit(ctypes.cast(end, ctypes.c_void_p), None)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
