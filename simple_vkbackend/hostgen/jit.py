"""JIT-compile host glue IR in-process (llvmlite MCJIT) and call it through ctypes.

The glue's rt_vk_* declarations are resolved to the addresses in the runtime's
table (`add_symbol`, LLVM's process-wide symbol table, which is why compiling
holds a lock). One `GlueLibrary` per compiled module; its functions keep state in
globals (the kernel cache), so calls into one library are serialised.
"""
from __future__ import annotations

import ctypes
import functools
import threading
from typing import Callable, Mapping, Optional, Protocol, Sequence

import llvmlite.binding as llvm

from simple_vkbackend.lowering.interface import KernelInterface

from .glue import RELEASE, glue_local_function_name
from .llvm_types import scalar_ctype

_COMPILE_LOCK = threading.Lock()


class TableEntry(Protocol):
    """What the glue needs of an rt_vk_* table entry (runtime.ffi.FfiFunction)."""

    params: Sequence[str]
    ret: str
    address: int


@functools.cache
def _initialize_native() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def _target_machine() -> llvm.TargetMachine:
    """A new target machine for the host: an MCJIT engine takes ownership of (and
    frees) the one it is given, so each engine gets its own."""
    _initialize_native()
    return llvm.Target.from_default_triple().create_target_machine(opt=2)


def _target_name(machine: llvm.TargetMachine) -> str:
    return f"{machine.triple}/{llvm.get_host_cpu_name()}/{llvm.get_host_cpu_features().flatten()}"


def launch_ctypes(interface: KernelInterface) -> Callable[[int], Callable[..., int]]:
    """The ctypes prototype of `@"simple_<kernel>.local"` (called with its address)."""
    args: list = [ctypes.c_uint64]
    for p in interface.params:
        if p.kind == "buffer":
            args += [ctypes.c_void_p, ctypes.c_uint64]
        else:
            args.append(scalar_ctype(p.type))
    return ctypes.CFUNCTYPE(ctypes.c_int32, *args, *[ctypes.c_uint32] * 6)


ObjectCache = Callable[[str, str], Optional[tuple[Callable, Callable]]]


class GlueLibrary:
    """The JIT-compiled host glue of one module.

    `object_cache(ir_text, target)`: llvmlite's (notify, getbuffer) pair that keeps the
    machine code, or None; the target string names the host triple, CPU and features."""

    def __init__(self, ir_text: str, interfaces: Mapping[str, KernelInterface],
                 table: Mapping[str, TableEntry], object_cache: Optional[ObjectCache] = None):
        machine = _target_machine()
        module = llvm.parse_assembly(ir_text)
        module.triple = machine.triple
        module.data_layout = str(machine.target_data)
        module.verify()
        with _COMPILE_LOCK:
            for name, entry in table.items():
                llvm.add_symbol(name, entry.address)
            self._engine = llvm.create_mcjit_compiler(module, machine)
            hooks = object_cache(ir_text, _target_name(machine)) if object_cache else None
            if hooks is not None:
                self._engine.set_object_cache(*hooks)
            self._engine.finalize_object()
        self._lock = threading.Lock()
        self._launch = {name: launch_ctypes(iface)(self._address(glue_local_function_name(name)))
                        for name, iface in interfaces.items()}
        self._release = ctypes.CFUNCTYPE(None, ctypes.c_uint64)(self._address(RELEASE))
        self.closed = False

    def _address(self, name: str) -> int:
        address = self._engine.get_function_address(name)
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
