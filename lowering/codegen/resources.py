"""Module-scope resources of a kernel: storage buffers, the push-constant block,
shared arrays, the work-group size specialization constants and built-in inputs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import ir
from ..interface import KernelInterface, Target
from ..spirv_builder import ModuleBuilder
from ..ir.walk import vector_widths
from .prescan import float_add_arrays
from .type_map import TypeMap

_STORAGE_CAPS = {8: "StorageBuffer8BitAccess", 16: "StorageBuffer16BitAccess"}
_PUSH_CAPS = {8: "StoragePushConstant8", 16: "StoragePushConstant16"}


@dataclass(frozen=True)
class ArraySlot:
    """A buffer, shared array or private array as the lowering addresses it.

    `stored_type` is the element type in memory: the IR element type, except an
    f32 updated with a compare-exchange loop, stored as u32 bits (`as_bits`)."""

    name: str
    elem: ir.ScalarType
    var: int
    storage_class: str  # "StorageBuffer" | "Workgroup" | "Function"
    stored_type: int
    element_pointer: int
    as_bits: bool
    length: Optional[int]  # fixed arrays; None for buffers
    vector: int = 1  # a buffer declared as an array of vectors of this many elements (vector_access.py)

    @property
    def is_buffer(self) -> bool:
        return self.storage_class == "StorageBuffer"

    @property
    def atomic_scope(self) -> str:
        return "Device" if self.is_buffer else "Workgroup"


@dataclass(frozen=True)
class PushMember:
    index: int
    type: ir.ScalarType
    pointer: int  # pointer type to the member


def cas_float_arrays(kernel: ir.Kernel, target: Target) -> frozenset[str]:
    """Buffers and shared arrays whose f32 atomic add becomes a compare-exchange
    loop (no native float atomics): they are stored as u32 bits."""
    return frozenset() if target.float_atomic_add else float_add_arrays(kernel)


class KernelGlobals:
    """Declares the kernel's module-scope variables; built-ins are made on first use."""

    def __init__(self, b: ModuleBuilder, types: TypeMap, kernel: ir.Kernel,
                 interface: KernelInterface, target: Target):
        self.b, self.t = b, types
        t = types
        self.variables: list[int] = []  # every global variable, in declaration order
        self.inputs: list[int] = []  # Input variables (built-ins)
        self._builtins: dict[str, int] = {}
        cas = cas_float_arrays(kernel, target)
        self.arrays: dict[str, ArraySlot] = {}
        self._declare_buffers(kernel, interface, cas)
        self.push: dict[str, PushMember] = {}
        self.push_var: Optional[int] = None
        self._declare_push_constants(kernel, interface)
        for s in kernel.shared:
            self._declare_shared(s, cas)
        self.local_size = self._declare_workgroup_size(interface.local_size)
        self.loop_counter: Optional[int] = None  # Private u32: loop back edges and exits so far
        if interface.loop_limit is not None:
            self.loop_counter = self._variable(t.pointer("Private", t.u32), "Private", "__loop_count",
                                               t.const_u32(0))

    # ------------------------------------------------------------------ buffers

    def _declare_buffers(self, kernel: ir.Kernel, interface: KernelInterface, cas: frozenset[str]) -> None:
        elems = {p.name: p.type.elem for p in kernel.params if isinstance(p.type, ir.BufferType)}
        widths = vector_widths(kernel)
        for slot in interface.buffers:  # the kernel's, and a trap buffer the lowering adds (u32)
            assert slot.binding is not None and slot.access is not None  # a buffer slot has both
            self._declare_buffer(slot.name, elems.get(slot.name, ir.U32), slot.binding, slot.access,
                                 slot.name in cas, widths.get(slot.name, 1))

    def _declare_buffer(self, name: str, elem: ir.ScalarType, binding: int, access: str, as_bits: bool,
                        vector: int) -> None:
        """A buffer as a runtime array of its elements, or of `vector`-element vectors
        when the kernel accesses it as vectors (then an element is a vector's component)."""
        b, t = self.b, self.t
        if elem.bits in _STORAGE_CAPS:
            b.capability(_STORAGE_CAPS[elem.bits])
        stored = t.u32 if as_bits else t.scalar(elem)
        laid_out = stored if vector == 1 else b.type_vector(stored, vector)
        runtime_array = b.type_runtime_array(laid_out, stride=elem.size * vector)
        member: list[tuple] = [(0, "Offset", 0)]
        if access in ("read", "none"):
            member.append((0, "NonWritable"))
        if access in ("write", "none"):
            member.append((0, "NonReadable"))
        block = b.type_struct([runtime_array], decorations=[("Block",)], member_decorations=member)
        var = self._variable(t.pointer("StorageBuffer", block), "StorageBuffer", name)
        b.decorate(var, "DescriptorSet", 0)
        b.decorate(var, "Binding", binding)
        self.arrays[name] = ArraySlot(name, elem, var, "StorageBuffer", stored,
                                      t.pointer("StorageBuffer", stored), as_bits, None, vector)

    # ------------------------------------------------------------------ push constants

    def _declare_push_constants(self, kernel: ir.Kernel, interface: KernelInterface) -> None:
        scalars = [(p.name, p.type) for p in kernel.params if isinstance(p.type, ir.ScalarType)]
        if not scalars:
            return
        b, t = self.b, self.t
        offsets = {s.name: s.offset for s in interface.scalars}
        members = [t.stored(ty) for _, ty in scalars]
        for _, ty in scalars:
            if ty.bits in _PUSH_CAPS:
                b.capability(_PUSH_CAPS[ty.bits])
        block = b.type_struct(members, decorations=[("Block",)],
                              member_decorations=[(i, "Offset", offsets[name]) for i, (name, _) in enumerate(scalars)])
        for i, (name, ty) in enumerate(scalars):
            b.member_name(block, i, name)
            self.push[name] = PushMember(i, ty, t.pointer("PushConstant", members[i]))
        self.push_var = self._variable(t.pointer("PushConstant", block), "PushConstant", "params")

    # ------------------------------------------------------------------ shared arrays

    def _declare_shared(self, s: ir.SharedArray, cas: frozenset[str]) -> None:
        t = self.t
        as_bits = s.name in cas
        stored = t.u32 if as_bits else t.scalar(s.type.elem)
        array = self.b.type_array(stored, s.type.length)
        var = self._variable(t.pointer("Workgroup", array), "Workgroup", s.name)
        self.arrays[s.name] = ArraySlot(s.name, s.type.elem, var, "Workgroup", stored,
                                        t.pointer("Workgroup", stored), as_bits, s.type.length)

    # ------------------------------------------------------------------ work-group size, built-ins

    def _declare_workgroup_size(self, default: tuple[int, int, int]) -> tuple[int, int, int]:
        b, t = self.b, self.t
        x, y, z = (b.spec_constant(t.u32, value, spec_id) for spec_id, value in enumerate(default))
        sizes = (x, y, z)
        for axis, sid in zip("xyz", sizes):
            b.name(sid, f"local_size_{axis}")
        composite = b.instr("OpSpecConstantComposite", t.uvec3(), *sizes)
        b.decorate(composite, "BuiltIn", "WorkgroupSize")
        return sizes

    def builtin(self, name: str) -> int:
        """The Input variable of the uvec3 built-in `name` (e.g. 'GlobalInvocationId')."""
        var = self._builtins.get(name)
        if var is None:
            var = self._variable(self.t.pointer("Input", self.t.uvec3()), "Input", name)
            self.b.decorate(var, "BuiltIn", name)
            self._builtins[name] = var
            self.inputs.append(var)
        return var

    def scalar_builtin(self, name: str) -> int:
        """The Input variable of the u32 built-in `name` (e.g. 'SubgroupSize')."""
        var = self._builtins.get(name)
        if var is None:
            var = self._variable(self.t.pointer("Input", self.t.u32), "Input", name)
            self.b.decorate(var, "BuiltIn", name)
            self._builtins[name] = var
            self.inputs.append(var)
        return var

    def _variable(self, pointer: int, storage_class: str, name: str, initializer: Optional[int] = None) -> int:
        var = self.b.global_variable(pointer, storage_class, initializer)
        self.b.name(var, name)
        self.variables.append(var)
        return var

    def entry_point_interface(self, spirv_version: tuple[int, int]) -> list[int]:
        """The entry point's interface: Input/Output variables before SPIR-V 1.4,
        every global variable from 1.4 on."""
        return list(self.variables) if spirv_version >= (1, 4) else list(self.inputs)
