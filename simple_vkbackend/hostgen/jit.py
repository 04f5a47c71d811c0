"""Host glue IR made callable in-process and called through ctypes: its machine code
loaded from the on-disk cache when there is one (object_loader.py: no LLVM in the
process), else JIT-compiled by llvmlite's MCJIT (and the object kept for next time).

The glue's rt_vk_* declarations are resolved to the addresses in the runtime's
table (`add_symbol`, LLVM's process-wide symbol table, which is why compiling
holds a lock). One `GlueLibrary` per compiled module; its functions keep state in
globals (the kernel cache), so calls into one library are serialised. The machine
code is for a generic CPU of the host's architecture (no host-specific features),
so an object is keyed by the glue IR and the architecture alone.
"""
from __future__ import annotations

import ctypes
import functools
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Protocol, Sequence

from simple_vkbackend.lowering.interface import KernelInterface

from . import object_loader
from .ctypes_types import scalar_ctype
from .glue_names import RELEASE, glue_local_function_name

if TYPE_CHECKING:
    import llvmlite.binding as llvm

_COMPILE_LOCK = threading.Lock()


class TableEntry(Protocol):
    """What the glue needs of an rt_vk_* table entry (runtime.ffi.FfiFunction)."""

    params: Sequence[str]
    ret: str
    address: int


@functools.cache
def _initialize_native() -> None:
    import llvmlite.binding as llvm
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def _target_machine() -> "llvm.TargetMachine":
    """A new target machine for the host (generic CPU): an MCJIT engine takes
    ownership of (and frees) the one it is given, so each engine gets its own.
    Code generation at -O0 (fast instruction selection) takes a quarter of -O2's
    time; the glue only moves arguments between calls into the runtime, so what
    -O2 would save per launch is nanoseconds beside the Python call around it."""
    import llvmlite.binding as llvm
    _initialize_native()
    return llvm.Target.from_default_triple().create_target_machine(opt=0)


def host_target() -> str:
    """What the glue's machine code depends on beside its IR: the platform and the
    machine architecture (the code is for a generic CPU of it)."""
    if hasattr(os, "uname"):
        machine = os.uname().machine
    else:                               # Windows
        import platform
        machine = platform.machine()
    return f"{sys.platform}/{machine}/generic"


def launch_ctypes(interface: KernelInterface) -> Callable[[int], Callable[..., int]]:
    """The ctypes prototype of `@"simple_<kernel>.local"` (called with its address)."""
    args: list = [ctypes.c_uint64]
    for p in interface.params:
        if p.kind == "buffer":
            args += [ctypes.c_void_p, ctypes.c_uint64]
        else:
            args.append(scalar_ctype(p.type))
    return ctypes.CFUNCTYPE(ctypes.c_int32, *args, *[ctypes.c_uint32] * 6)


class ObjectStore(Protocol):
    """Where compiled glue objects are kept (module_cache.GlueObjects)."""

    def load(self, ir_text: str, target: str) -> Optional[bytes]: ...

    def store(self, ir_text: str, target: str, data: bytes) -> None: ...


class GlueLibrary:
    """The compiled host glue of one module.

    `objects`: where the machine code is kept between processes, or None. A kept
    object is loaded without LLVM (`loaded_from_cache` then says so); when there is
    none, or the loader refuses it, MCJIT compiles the IR and the store keeps the
    object it makes."""

    def __init__(self, ir_text: str, interfaces: Mapping[str, KernelInterface],
                 table: Mapping[str, TableEntry], objects: Optional[ObjectStore] = None):
        externals = {name: entry.address for name, entry in table.items()}
        target = host_target()
        self._engine: Any = None
        self._object: Optional[object_loader.LoadedObject] = None
        cached = objects.load(ir_text, target) if objects is not None else None
        if cached is not None:
            try:
                self._object = object_loader.load(cached, externals)
            except object_loader.UnsupportedObject:
                self._object = None
        if self._object is None:
            self._engine = _jit(ir_text, externals, objects, target)
        self.loaded_from_cache = self._object is not None
        self._lock = threading.Lock()
        self._launch = {name: launch_ctypes(iface)(self._address(glue_local_function_name(name)))
                        for name, iface in interfaces.items()}
        self._release = ctypes.CFUNCTYPE(None, ctypes.c_uint64)(self._address(RELEASE))
        self.closed = False

    def _address(self, name: str) -> int:
        address = (self._object.address(name) if self._object is not None
                   else self._engine.get_function_address(name))
        if not address:
            raise RuntimeError(f"the host glue has no function {name}")
        return address

    def launch(self, kernel: str, device: int, args: Sequence, global_size: Sequence[int],
               local_size: Sequence[int] = (0, 0, 0)) -> int:
        """Call `simple_<kernel>.local`; `args` are the ctypes-ready values after the
        device handle (data pointer and byte count per buffer, scalars). Returns the
        status."""
        if self.closed:
            raise RuntimeError("the host glue library was closed")
        with self._lock:
            return self._launch[kernel](device, *args, *global_size, *local_size)

    def release(self, device: int = 0) -> None:
        """Free the kernels compiled for `device` (0: every device)."""
        if not self.closed:
            with self._lock:
                self._release(device)

    def close(self) -> None:
        """Free every cached kernel; the library cannot be called afterwards."""
        if not self.closed:
            self.release(0)
            self.closed = True


def _jit(ir_text: str, externals: Mapping[str, int], objects: Optional[ObjectStore], target: str):
    """An MCJIT engine holding the glue compiled (its object given to `objects`)."""
    import llvmlite.binding as llvm
    machine = _target_machine()
    module = llvm.parse_assembly(ir_text)
    module.triple = machine.triple
    module.data_layout = str(machine.target_data)
    module.verify()
    with _COMPILE_LOCK:
        for name, address in externals.items():
            llvm.add_symbol(name, address)
        engine = llvm.create_mcjit_compiler(module, machine)
        if objects is not None:
            engine.set_object_cache(lambda _module, buffer: objects.store(ir_text, target, bytes(buffer)),
                                    lambda _module: None)
        engine.finalize_object()
    return engine
