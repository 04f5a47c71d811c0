"""The Vulkan backend: lowering to SPIR-V for the chosen device, a feature check
before anything runs, and launches through the JIT-compiled host glue."""
from __future__ import annotations

import ctypes
import dataclasses
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Union

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import KernelInterface, Target, required_features
from simple_vkbackend.lowering.quirks import loop_limit_for, quirks_for

from ..errors import BackendUnavailableError, MissingFeatureError
from ..vulkan.coop_check import coop_problem
from ..vulkan.feature_check import describe_missing, missing_features
from .base import Backend, CompiledModule, Size3, kernel_manifest, module_manifest

if TYPE_CHECKING:
    from ..vulkan.objects import Device


class VulkanBackend(Backend):
    """Runs kernels on a Vulkan device.

    `device`: a simple_vkbackend.Device, an index, part of a device name, or None
    (the process's default device, shared: SIMPLE_VK_DEVICE, else the first device).
    `features`: the feature set to compile
    and check against instead of the device's enabled features (to target a lesser
    device, and in tests)."""

    name = "vulkan"

    @classmethod
    def unavailable_reason(cls) -> str:
        from simple_vkbackend.runtime.errors import INSTALL_HINT

        from ..vulkan.device_info import unavailable_reason
        reason = unavailable_reason()
        return f"{reason}; {INSTALL_HINT}" if reason and "apt install" not in reason else reason

    @classmethod
    def is_available(cls) -> bool:
        return not cls.unavailable_reason()

    def __init__(self, device: Union["Device", int, str, None] = None,
                 features: Optional[Iterable[str]] = None):
        reason = self.unavailable_reason()
        if reason:
            raise BackendUnavailableError(f"the vulkan backend cannot run here: {reason}")
        from ..vulkan.objects import Device, default_device
        self.owns_device = device is not None and not isinstance(device, Device)
        if device is None:
            device = default_device()
        self.device: Device = device if isinstance(device, Device) else Device(device)
        self.features = frozenset(self.device.enabled_features if features is None else features)
        self._libraries: "weakref.WeakSet" = weakref.WeakSet()

    # --------------------------------------------------------------- compile

    def target_for(self, module: ir.Module, kernel: ir.Kernel) -> Target:
        """The device's driver workarounds (lowering/quirks.py); native f32 atomic add
        for a kernel that uses it where the features cover every memory it uses it
        on, compare-exchange loops otherwise."""
        portable = self.device_target()
        native = dataclasses.replace(portable, float_atomic_add=True)
        needs = set(required_features(module, kernel, native))
        if needs != set(required_features(module, kernel, portable)) and needs <= self.features:
            return native
        return portable

    def device_target(self) -> Target:
        """The portable target with this device's driver workarounds and shared memory size."""
        info = self.device.info
        shared = self.device.runtime_device.limits.max_compute_shared_memory_size
        return Target(quirks=quirks_for(info.driver_id, info.driver_info), driver=info.driver_id,
                      max_shared_memory=shared, loop_iteration_limit=loop_limit_for(info.driver_id))

    def compile(self, module: ir.Module) -> CompiledModule:
        for kernel in module.kernels:
            info = self.device.info
            problem = coop_problem(kernel, info.coop_shapes, self.features, self.device.name, dict(info.withheld))
            if problem:
                raise MissingFeatureError(problem)
        return compile_for_vulkan(module, self.target_for, self.device_target())

    def cache_tag(self) -> str:
        """What, beside the source, decides this backend's output (the on-disk cache key)."""
        return "features=" + ",".join(sorted(self.features))

    # --------------------------------------------------------------- run

    def check_features(self, interface: KernelInterface) -> None:
        missing = missing_features(interface, self.features)
        if missing:
            raise MissingFeatureError(describe_missing(interface.name, missing, self.device.name))

    def glue(self, compiled: CompiledModule):
        """The JIT-compiled host glue of `compiled`, made on first use."""
        if compiled.runtime_state is None:
            from ..vulkan import table as rt
            from ..hostgen.jit import GlueLibrary
            from ..module_cache import GlueObjects
            compiled.runtime_state = GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table(),
                                                 objects=GlueObjects())
            weakref.finalize(compiled, compiled.runtime_state.close)
        self._libraries.add(compiled.runtime_state)
        return compiled.runtime_state

    def run(self, compiled: CompiledModule, kernel: str, args: Mapping[str, Any],
            global_size: Size3, local_size: Optional[Size3] = None) -> None:
        from simple_vkbackend.runtime.host_registry import owners

        from ..vulkan import table as rt
        interface = compiled.interface(kernel)
        self.check_features(interface)
        glue = self.glue(compiled)
        arrays = [v for v in args.values() if isinstance(v, np.ndarray)]
        with owners(arrays):    # the glue's transfers may keep these arrays' imports registered
            status = glue.launch(kernel, self.device.handle, glue_arguments(interface, args), global_size,
                                 local_size or (0, 0, 0))
        rt.check(status, f"kernel {kernel} failed on {self.device.name}")

    def close(self) -> None:
        """Free the kernels compiled for this backend's device and, if the backend
        created its device, the device."""
        if self.device.closed:
            return
        for library in list(self._libraries):
            library.release(self.device.handle)
        if self.owns_device:
            self.device.close()


def compile_for_vulkan(module: ir.Module,
                       target_for: Optional[Callable[[ir.Module, ir.Kernel], Target]] = None,
                       target: Target = Target()) -> CompiledModule:  # noqa: B008 - frozen
    """SPIR-V, interfaces, manifest and host glue for every kernel; needs no device
    (the default target is portable: no optional features beyond the types used,
    every driver workaround). `target` is the one the manifest records (its driver
    and quirks); `target_for` may refine it per kernel."""
    from simple_vkbackend.lowering.lower import lower_kernel

    from ..hostgen.glue import emit_glue
    choose = target_for or (lambda m, k: target)
    lowered = [lower_kernel(module, k.name, choose(module, k)) for k in module.kernels]
    interfaces = {k.name: k.interface for k in lowered}
    host_glue = emit_glue(module.name, [(k.interface, k.spirv) for k in lowered])
    return CompiledModule(
        backend=VulkanBackend.name, module=module, interfaces=interfaces,
        spirv={k.name: k.spirv for k in lowered}, host_glue=host_glue, target=target,
        manifest=vulkan_manifest(module.name, interfaces, target))


def glue_arguments(interface: KernelInterface, args: Mapping[str, Any]) -> list:
    """The values after the device handle in a call of the host glue (hostgen ABI)."""
    values: list = []
    for p in interface.params:
        value = args[p.name]
        if p.kind == "buffer":
            values += [ctypes.c_void_p(value.ctypes.data), value.nbytes]
        elif p.type == "bool":
            values.append(int(bool(value)))
        elif p.type == "f16":
            values.append(int(np.float16(value).view(np.uint16)))
        elif p.type.startswith("f"):
            values.append(float(value))
        else:
            values.append(int(value))
    return values


def vulkan_manifest(module_name: str, interfaces: Mapping[str, KernelInterface], target: Target) -> dict:
    from ..hostgen.glue import glue_function_name
    kernels = [kernel_manifest(iface, spirv_file=f"{name}.spv", glue_function=glue_function_name(name))
               for name, iface in interfaces.items()]
    return module_manifest(module_name, VulkanBackend.name, kernels, target=target,
                           host_glue=f"{module_name}.ll")
