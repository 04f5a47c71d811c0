"""Logical devices: creation with the optional kernel features enabled, and ownership.

A `Device` owns its queue, timeline semaphore, command pool, pipeline cache, staging
pool, and every buffer and kernel made from it; `free()` releases all of them (kernels,
then buffers, then the device's own objects). Devices alive at interpreter exit are
freed by the instance's atexit hook.
"""
from __future__ import annotations

import os
import threading
import time

from . import features as feat
from . import host_import, pipeline_store, tracking, vkapi
from .buffer import Buffer
from .device_context import DeviceContext
from .errors import NotAvailableError
from .instance import Instance, PhysicalDevice, select_device
from .kernel import Kernel
from .device_memory import StagingPool
from .resource import Resource, release_all
from .submit import Submitter


SPARE_BYTES = 64 << 20      # recycled buffers kept per device, in bytes
SPARES_PER_SIZE = 4
SAVE_INTERVAL_S = 1.0      # least time between saves of the pipeline cache after new pipelines


class Device(Resource):
    """A Vulkan logical device with one compute queue.

    selector: an index into `list_devices()` or part of a device name; None uses
    SIMPLE_VK_DEVICE or else the best device. force_staging: never map buffers
    directly (transfers import host pages or stage, as on a discrete GPU), for
    testing those paths; None reads SIMPLE_VK_FORCE_STAGING=1.
    """

    kind = "device"

    def __init__(self, selector: str | int | None = None, *, force_staging: bool | None = None) -> None:
        super().__init__()
        self._instance = Instance.get()
        phys = select_device(selector)
        self.info = phys.info
        if force_staging is None:
            force_staging = os.environ.get("SIMPLE_VK_FORCE_STAGING", "").strip() in ("1", "true", "yes", "on")
        self.force_staging = force_staging
        self._children: set = set()
        self._spares: dict[int, list] = {}     # size -> buffers kept by recycle()
        self._spare_bytes = 0
        self._children_lock = threading.Lock()
        self.enabled_features: frozenset[str] = frozenset(
            n for n in feat.KERNEL_FEATURES if phys.supported.get(n))
        self.ctx = DeviceContext(vk=vkapi.load(), handle=self._create(phys), physical=phys, fns=None)
        try:
            self._setup()
        except BaseException:
            self._destroy_own()
            raise
        self._instance.register(self)

    # -- creation -------------------------------------------------------------------

    def _create(self, phys: PhysicalDevice):
        vk = vkapi.load()
        ffi = vk.ffi
        if not phys.supported.get("timelineSemaphore"):
            raise NotAvailableError(f"{phys.info.name} lacks timeline semaphores (Vulkan 1.2 or "
                                    "VK_KHR_timeline_semaphore), which the runtime needs")
        wanted: dict[str, bool] = {n: ok for n, ok in phys.supported.items() if ok}
        chain = feat.FeatureChain(feat.applicable(phys.api, phys.info.extensions), wanted)
        exts = sorted(chain.extensions_needed())
        if "VK_KHR_portability_subset" in phys.info.extensions:
            exts.append("VK_KHR_portability_subset")
        if host_import.wanted(phys.info.extensions) and host_import.EXTENSION not in exts:
            exts.append(host_import.EXTENSION)
        self._enabled_extensions = frozenset(exts)
        keep = [ffi.new("char[]", e.encode()) for e in exts]
        ext_arr = ffi.new("char*[]", keep) if keep else ffi.NULL
        priority = ffi.new("float[1]", [1.0])
        queue_info = ffi.new("VkDeviceQueueCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
            "queueFamilyIndex": phys.queue_family, "queueCount": 1, "pQueuePriorities": priority})
        info = ffi.new("VkDeviceCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, "pNext": chain.root,
            "queueCreateInfoCount": 1, "pQueueCreateInfos": queue_info,
            "enabledExtensionCount": len(keep), "ppEnabledExtensionNames": ext_arr})
        out = ffi.new("VkDevice*")
        vkapi.check(vk.lib.vkCreateDevice(phys.handle, info, ffi.NULL, out),
                    f"vkCreateDevice({phys.info.name})", NotAvailableError)
        return tracking.created("VkDevice", out[0])

    def _setup(self) -> None:
        ctx, ffi = self.ctx, self.ctx.ffi
        ctx.fns = vkapi.DeviceFns(ctx.handle)
        queue = ffi.new("VkQueue*")
        ctx.lib.vkGetDeviceQueue(ctx.handle, ctx.physical.queue_family, 0, queue)
        ctx.queue = queue[0]
        ctx.pipeline_cache = self._create_pipeline_cache(pipeline_store.load(self.info))
        self._last_cache_save = -SAVE_INTERVAL_S
        ctx.extra["pipeline_created"] = self._pipeline_created
        ctx.submitter = Submitter(ctx)
        if host_import.EXTENSION in self._enabled_extensions:
            host_import.setup(ctx)
        ctx.staging = StagingPool(ctx)

    def _create_pipeline_cache(self, initial: bytes | None):
        """A VkPipelineCache seeded with `initial` (the saved data; a driver that
        refuses it gets an empty cache)."""
        ctx, vk, ffi = self.ctx, self.ctx.vk, self.ctx.ffi
        # pipeline_cache_loaded: bytes of saved data the cache started with (0: none)
        self._saved_cache_size = self.pipeline_cache_loaded = len(initial) if initial else 0
        keep = ffi.from_buffer(initial) if initial else ffi.NULL
        info = ffi.new("VkPipelineCacheCreateInfo*", {
            "sType": vk.VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
            "initialDataSize": len(initial) if initial else 0, "pInitialData": keep})
        out = ffi.new("VkPipelineCache*")
        result = ctx.lib.vkCreatePipelineCache(ctx.handle, info, ffi.NULL, out)
        if result != 0 and initial:
            return self._create_pipeline_cache(None)
        vkapi.check(result, "vkCreatePipelineCache")
        return tracking.created("VkPipelineCache", out[0])

    def _pipeline_created(self) -> None:
        """After a new VkPipeline: save the pipeline cache when it grew, at most once per
        SAVE_INTERVAL_S (and when the device is freed), so that a process that never
        reaches its exit hook (killed, os._exit) still leaves its first pipelines."""
        now = time.monotonic()
        if now - self._last_cache_save < SAVE_INTERVAL_S:
            return
        self._last_cache_save = now
        try:
            self.save_pipeline_cache()
        except Exception:  # noqa: BLE001 - a cache that cannot be saved is not an error
            pass

    def save_pipeline_cache(self) -> bool:
        """Write the pipeline cache to the on-disk cache when it grew since loaded or
        last saved (also done when the device is freed). True when written."""
        ctx, ffi = self.ctx, self.ctx.ffi
        if ctx.pipeline_cache is None or pipeline_store.path_for(self.info) is None:
            return False
        size = ffi.new("size_t*")
        if ctx.lib.vkGetPipelineCacheData(ctx.handle, ctx.pipeline_cache, size, ffi.NULL) != 0 \
                or size[0] == self._saved_cache_size:
            return False
        data = ffi.new("char[]", size[0])
        if ctx.lib.vkGetPipelineCacheData(ctx.handle, ctx.pipeline_cache, size, data) != 0:
            return False
        written = pipeline_store.save(self.info, bytes(ffi.buffer(data, size[0])))
        if written:
            self._saved_cache_size = size[0]
        return written

    # -- properties -----------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def index(self) -> int:
        return self.info.index

    @property
    def api_version(self) -> tuple[int, int, int]:
        return self.info.api_version

    @property
    def limits(self):
        """`DeviceLimits` of the physical device."""
        return self.info.limits

    # -- children -------------------------------------------------------------------

    def _adopt(self, make):
        with self.pinned():
            child = make()
            with self._children_lock:
                self._children.add(child)
            return child

    def alloc(self, size: int, reuse: bool = False) -> Buffer:
        """A device-local storage buffer of `size` bytes (contents undefined); `reuse`
        takes one of that size handed to `recycle` when there is one."""
        if reuse:
            with self._children_lock:
                spares = self._spares.get(size)
                if spares:
                    self._spare_bytes -= size
                    return spares.pop()
        return self._adopt(lambda: Buffer(self, self.ctx, size, staged=self.force_staging))

    def recycle(self, buffer: Buffer) -> None:
        """The caller is done with `buffer`: keep it for a later `alloc(size,
        reuse=True)` (a few, up to SPARE_BYTES in all; its cached descriptor sets and
        recordings stay valid), else free it. Callers that allocate and free buffers
        of the same sizes on every call (the host glue) skip the allocation."""
        size = buffer.size
        with self._children_lock:
            keep = buffer.alive and self.alive and self._spare_bytes + size <= SPARE_BYTES \
                and len(self._spares.get(size, ())) < SPARES_PER_SIZE
            if keep:
                self._spares.setdefault(size, []).append(buffer)
                self._spare_bytes += size
        if not keep:
            buffer.free()

    def compile(self, spirv) -> Kernel:
        """A kernel from SPIR-V bytes (any buffer-protocol object)."""
        return self._adopt(lambda: Kernel(self, self.ctx, bytes(spirv)))

    def forget(self, child) -> None:
        """Called by a child's free()."""
        with self._children_lock:
            self._children.discard(child)

    def children(self) -> list:
        with self._children_lock:
            return list(self._children)

    def sync(self) -> None:
        """Wait for all work submitted to this device."""
        with self.pinned():
            self.ctx.submitter.sync()

    def interval(self):
        """A `timing.Interval`: GPU time between its start() and stop()."""
        from .timestamps import Interval
        with self.pinned():
            return Interval(self.ctx)

    def trim(self) -> None:
        """Release cached idle resources (the staging buffers kept for reuse, the
        registered host imports)."""
        with self.pinned():
            self.ctx.staging.trim()
            if host_import.available(self.ctx):
                host_import.registry(self.ctx).trim()

    # -- lifetime -------------------------------------------------------------------

    def _release(self) -> None:
        """Free everything made from the device, then the device. A child that another
        thread is freeing is waited for (Resource.free); a child that fails to free
        does not stop the others nor the device's own destruction: the first failure
        is raised once everything was released."""
        kids = self.children()
        order = [k for k in kids if isinstance(k, Kernel)] + [b for b in kids if isinstance(b, Buffer)]
        release_all(*(child.free for child in order), self._destroy_own,
                    lambda: self._instance.unregister(self))

    def _destroy_own(self) -> None:
        ctx, ffi = self.ctx, self.ctx.ffi

        def submitter():
            if ctx.submitter is not None:
                ctx.submitter.destroy()

        def staging():
            stamps = ctx.extra.pop("timestamps", None)
            if stamps is not None:
                stamps.destroy()
            registry = ctx.extra.pop("host_registry", None)
            if registry is not None:
                registry.destroy()
            if ctx.staging is not None:
                ctx.staging.destroy()

        def cache():
            ctx.extra.pop("pipeline_created", None)
            if ctx.pipeline_cache is not None:
                try:
                    self.save_pipeline_cache()
                except Exception:  # noqa: BLE001 - a cache that cannot be saved is not an error
                    pass
                tracking.destroy("VkPipelineCache", ctx.pipeline_cache,
                                 lambda h: ctx.lib.vkDestroyPipelineCache(ctx.handle, h, ffi.NULL))

        def device():
            ctx.submitter = ctx.staging = ctx.pipeline_cache = None
            tracking.destroy("VkDevice", ctx.handle, lambda h: ctx.lib.vkDestroyDevice(h, ffi.NULL))

        release_all(submitter, staging, cache, device)

    def __repr__(self) -> str:
        return f"<Device {self.index}: {self.name}{'' if self.alive else ', freed'}>"
