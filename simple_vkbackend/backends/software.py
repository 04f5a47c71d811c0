"""The software backend: the kernel IR run by the numpy interpreter
(`simple_vkbackend.software`), for machines without a Vulkan device and as the
reference the Vulkan backend is checked against.

`compile` produces no SPIR-V and no host glue: the interpreter runs the IR
itself, so lowering would only cost time (and could refuse a kernel the
interpreter runs). The interfaces and the manifest are the Vulkan backend's,
from the same `kernel_interface`, without the SPIR-V-specific entries.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import kernel_interface

from ..errors import SoftwareRunError
from ..sizes import choose_local_size
from .base import Backend, CompiledModule, Size3, kernel_manifest, module_manifest


class SoftwareBackend(Backend):
    """Runs kernels on the CPU with numpy; always available. It has no device:
    passing one is a TypeError. `subgroup_size`: the lanes of its subgroups (a power
    of two up to 128; 32 by default): pass a device's to compare with it."""

    name = "software"

    @classmethod
    def is_available(cls) -> bool:
        return True

    def __init__(self, device: Any = None, subgroup_size: int = 32):
        if device is not None:
            raise TypeError(f"the software backend runs on the CPU and takes no device (got {device!r})")
        self.subgroup_size = subgroup_size

    def compile(self, module: ir.Module) -> CompiledModule:
        interfaces = {k.name: kernel_interface(module, k) for k in module.kernels}
        return CompiledModule(backend=self.name, module=module, interfaces=interfaces,
                              manifest=software_manifest(module.name, interfaces.values()))

    def run(self, compiled: CompiledModule, kernel: str, args: Mapping[str, Any],
            global_size: Size3, local_size: Optional[Size3] = None) -> None:
        from ..software import SoftwareError, run_kernel
        interface = compiled.interface(kernel)
        local = local_size or choose_local_size(interface, global_size, limits=None)
        try:
            run_kernel(compiled.module, kernel, args, global_size, local, self.subgroup_size)
        except SoftwareError as err:
            raise SoftwareRunError(f"kernel {kernel} failed on the software backend: {err}") from err
        except MemoryError:
            raise SoftwareRunError(
                f"kernel {kernel}: the software backend ran out of memory for a launch of "
                f"{global_size} work items in groups of {local}") from None


def software_manifest(module_name: str, interfaces) -> dict:
    """The manifest of a module compiled for the software backend: every kernel
    entry as the Vulkan backend writes it, with no SPIR-V file, glue function or
    target."""
    return module_manifest(module_name, SoftwareBackend.name, [kernel_manifest(i) for i in interfaces])
