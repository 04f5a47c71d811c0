"""The Backend trait, what a backend's compile produces, and the manifest.

A backend turns a kernel IR module into a `CompiledModule` and runs its kernels.
`run` receives arguments already checked by `simple_vkbackend.arguments`:
buffers as 1-D C-contiguous numpy arrays of the exact element dtype (views of
the caller's arrays), scalars as numpy
scalars of the parameter's type (bool as `numpy.bool_`), keyed by parameter name;
it writes the results of written buffers into those arrays.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Optional

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import KernelInterface, Target
from simple_vkbackend.lowering.ir import TRAP_WORDS

MANIFEST_FORMAT = 1
Size3 = tuple[int, int, int]


@dataclass(eq=False)
class CompiledModule:
    """A module compiled by one backend.

    `spirv` is empty and `host_glue` (LLVM IR) is "" for backends that
    produce neither; `runtime_state` belongs to the backend that made it (for the
    Vulkan backend: the JIT-compiled host glue, created on first run)."""

    backend: str
    module: ir.Module
    interfaces: dict[str, KernelInterface]
    manifest: dict
    spirv: dict[str, bytes] = field(default_factory=dict)
    host_glue: str = ""
    target: Optional[Target] = None
    runtime_state: Any = field(default=None, repr=False)

    @property
    def kernels(self) -> list[str]:
        """Kernel names in source order."""
        return list(self.interfaces)

    def interface(self, kernel: str) -> KernelInterface:
        try:
            return self.interfaces[kernel]
        except KeyError:
            raise KeyError(f"no kernel named {kernel!r} (kernels: {', '.join(self.kernels) or 'none'})") from None


class Backend(ABC):
    """A way to run kernel IR modules. Subclasses set `name`."""

    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def is_available(cls) -> bool:
        """Whether this backend can run kernels in this process."""

    @classmethod
    def unavailable_reason(cls) -> str:
        """Why `is_available()` is False ("" when it is True)."""
        return ""

    @abstractmethod
    def compile(self, module: ir.Module) -> CompiledModule:
        """Compile every kernel of `module`."""

    @abstractmethod
    def run(self, compiled: CompiledModule, kernel: str, args: Mapping[str, Any],
            global_size: Size3, local_size: Optional[Size3] = None) -> None:
        """Run `kernel` over `global_size` work items (local size: the backend's
        choice when None); written buffers in `args` receive the results."""

    def close(self) -> None:  # noqa: B027 - a default that does nothing, not abstract
        """Release what the backend holds (devices, caches); idempotent."""


def kernel_manifest(interface: KernelInterface, spirv_file: Optional[str] = None,
                    glue_function: Optional[str] = None) -> dict:
    """The manifest entry of one kernel (see docs/backend.md)."""
    params = []
    for p in interface.params:
        entry: dict[str, Any] = {"name": p.name, "kind": p.kind, "type": p.type}
        if p.kind == "buffer":
            entry.update(binding=p.binding, access=p.access)
            if p.vector > 1:  # accessed as vectors: the length must be a multiple of it
                entry.update(vector=p.vector)
        else:
            entry.update(offset=p.offset)
        if p.name == interface.trap_param:
            entry.update(hidden=True)  # the bounds-trap buffer: callers zero it and read it back
        params.append(entry)
    trap = None if interface.trap_param is None else {
        "parameter": interface.trap_param,
        "words": TRAP_WORDS,
        "sites": [{"buffer": b, "location": loc, "signed": signed} for b, loc, signed in interface.trap_sites],
    }
    if trap is not None and interface.loop_limit is not None:
        trap["loop_limit"] = interface.loop_limit  # site len(sites): the launch reached the driver's loop limit
    return {
        "name": interface.name,
        "entry_point": interface.name,
        "spirv": spirv_file,
        "glue_function": glue_function,
        "parameters": params,
        "push_constant_size": interface.push_size,
        "local_size_hint": list(interface.local_size_hint) if interface.local_size_hint else None,
        "default_local_size": list(interface.local_size),
        "dims": interface.dims,
        "exact": interface.exact,
        "capabilities": list(interface.capabilities),
        "extensions": list(interface.extensions),
        "features": list(interface.features),
        "target_tag": interface.target_tag,
        "default_global_size": list(interface.grid_size) if interface.grid_size else None,
        "trap": trap,
    }


def module_manifest(module_name: str, backend: str, kernels: list[dict],
                    target: Optional[Target] = None, host_glue: Optional[str] = None) -> dict:
    """The manifest of a compiled module: JSON-serialisable, deterministic."""
    return {
        "format": MANIFEST_FORMAT,
        "module": module_name,
        "backend": backend,
        "target": None if target is None else {
            "spirv_version": "%d.%d" % target.spirv_version,
            "env": target.env,
            "driver": target.driver,
            "quirks": sorted(target.quirks),
        },
        "host_glue": host_glue,
        "kernels": kernels,
    }
