"""The Vulkan backend: lowering to SPIR-V for the chosen device, a feature check
before anything runs, and launches through the JIT-compiled host glue."""
from __future__ import annotations

import ctypes
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Union

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import KernelInterface, Target, required_features

from ..errors import BackendUnavailableError, MissingFeatureError
from ..hostgen.glue import emit_glue, glue_function_name
from ..vulkan.feature_check import describe_missing, missing_features
from .base import Backend, CompiledModule, Size3, kernel_manifest, module_manifest

if TYPE_CHECKING:
    from ..vulkan.objects import Device


class VulkanBackend(Backend):
    """Runs kernels on a Vulkan device.

    `device`: a simple_vkbackend.Device, an index, part of a device name, or None
    (SIMPLE_VK_DEVICE, else the first device). `features`: the feature set to compile
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
        from ..vulkan.objects import Device
        self.owns_device = not isinstance(device, Device)
        self.device: Device = Device(device) if self.owns_device else device
        self.features = frozenset(self.device.enabled_features if features is None else features)
        self._libraries: "weakref.WeakSet" = weakref.WeakSet()

    # --------------------------------------------------------------- compile

    def target_for(self, module: ir.Module, kernel: ir.Kernel) -> Target:
        """Native f32 atomic add for a kernel that uses it where the features cover
        every memory it uses it on; the portable target (compare-exchange loops)
        otherwise."""
        shared = self.device.runtime_device.limits.max_compute_shared_memory_size
        loops = driver_loop_limit(self.device.name)
        native = Target(float_atomic_add=True, max_shared_memory=shared, loop_iteration_limit=loops)
        portable = Target(max_shared_memory=shared, loop_iteration_limit=loops)
        needs = set(required_features(module, kernel, native))
        if needs != set(required_features(module, kernel, portable)) and needs <= self.features:
            return native
        return portable

    def compile(self, module: ir.Module) -> CompiledModule:
        return compile_for_vulkan(module, self.target_for)

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
            compiled.runtime_state = GlueLibrary(compiled.host_glue, compiled.interfaces, rt.table())
            weakref.finalize(compiled, compiled.runtime_state.close)
        self._libraries.add(compiled.runtime_state)
        return compiled.runtime_state

    def run(self, compiled: CompiledModule, kernel: str, args: Mapping[str, Any],
            global_size: Size3, local_size: Optional[Size3] = None) -> None:
        from ..vulkan import table as rt
        interface = compiled.interface(kernel)
        self.check_features(interface)
        glue = self.glue(compiled)
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


LAVAPIPE_LOOP_LIMIT = 65535  # Mesa gallivm's LP_MAX_TGSI_LOOP_ITERATIONS


def driver_loop_limit(device_name: str) -> Optional[int]:
    """Loop iterations per work item after which the device's driver ends its loops:
    lavapipe (llvmpipe) counts them across all loops of an invocation; None: no limit."""
    return LAVAPIPE_LOOP_LIMIT if device_name.startswith("llvmpipe") else None


def compile_for_vulkan(module: ir.Module,
                       target_for: Callable[[ir.Module, ir.Kernel], Target] = lambda m, k: Target()
                       ) -> CompiledModule:
    """SPIR-V, interfaces, manifest and host glue for every kernel; needs no device
    (the default target is portable: no optional features beyond the types used)."""
    from simple_vkbackend.lowering.lower import lower_kernel
    lowered = [lower_kernel(module, k.name, target_for(module, k)) for k in module.kernels]
    interfaces = {k.name: k.interface for k in lowered}
    host_glue = emit_glue(module.name, [(k.interface, k.spirv) for k in lowered])
    return CompiledModule(
        backend=VulkanBackend.name, module=module, interfaces=interfaces,
        spirv={k.name: k.spirv for k in lowered}, host_glue=host_glue, target=Target(),
        manifest=vulkan_manifest(module.name, interfaces, Target()))


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
    kernels = [kernel_manifest(iface, spirv_file=f"{name}.spv", glue_function=glue_function_name(name))
               for name, iface in interfaces.items()]
    return module_manifest(module_name, VulkanBackend.name, kernels, target=target,
                           host_glue=f"{module_name}.ll")
