"""Kernel IR -> validated SPIR-V: the lowering's public entry points.

    lower_kernel(module, "saxpy")            -> LoweredKernel (SPIR-V 1.3, vulkan1.1)
    lower_kernel(module, "saxpy", Target(spirv_version=(1, 5)))
    lower_module(module)                      -> one LoweredKernel per kernel

Every module is validated for the target environment before it is returned; a
module the validator rejects is a compiler bug and raises InternalCompilerError.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import ir
from .errors import InternalCompilerError, LoweringError
from .ir.limits import array_bytes, shared_bytes, show_bytes
from .interface import SPIRV_ENVS, KernelInterface, Target, kernel_interface
from .codegen.module import build_kernel_module
from ..runtime.spirv.tools import SpirvValidationError, validate

__all__ = ["LoweredKernel", "Target", "lower_kernel", "lower_module"]


@dataclass(frozen=True)
class LoweredKernel:
    """A kernel's SPIR-V module and its launch interface (capabilities and
    extensions filled in from the module)."""

    name: str
    spirv: bytes
    interface: KernelInterface


def lower_kernel(module: ir.Module, kernel_name: str, target: Target = Target()) -> LoweredKernel:
    if target.spirv_version not in SPIRV_ENVS:
        versions = ", ".join(f"{major}.{minor}" for major, minor in SPIRV_ENVS)
        raise LoweringError(f"SPIR-V {target.spirv_version} is not a supported target (supported: {versions})")
    try:
        kernel = module.kernel(kernel_name)
    except KeyError:
        raise LoweringError(f"no kernel named {kernel_name!r} in module {module.name!r}") from None
    check_shared_memory(kernel, target)
    interface = kernel_interface(module, kernel, target)
    builder = build_kernel_module(module, kernel, interface, target)
    spirv = builder.assemble()
    try:
        validate(spirv, target.env)
    except SpirvValidationError as e:
        raise InternalCompilerError(f"kernel {kernel_name!r}: generated SPIR-V is invalid: {e}") from None
    interface = dataclasses.replace(interface, capabilities=tuple(builder.capabilities),
                                    extensions=tuple(builder.extensions))
    return LoweredKernel(kernel_name, spirv, interface)


def check_shared_memory(kernel: ir.Kernel, target: Target) -> None:
    """The kernel's shared arrays fit the target's maxComputeSharedMemorySize (when known)."""
    used = shared_bytes(kernel.shared)
    if target.max_shared_memory is not None and used > target.max_shared_memory:
        arrays = ", ".join(f"{a.name}: {a.type} ({array_bytes(a.type)} bytes)" for a in kernel.shared)
        raise LoweringError(f"kernel {kernel.name}: its shared arrays take {show_bytes(used)} per work-group, "
                            f"more than the target's maxComputeSharedMemorySize of "
                            f"{show_bytes(target.max_shared_memory)} ({arrays})")


def lower_module(module: ir.Module, target: Target = Target()) -> list[LoweredKernel]:
    return [lower_kernel(module, k.name, target) for k in module.kernels]
