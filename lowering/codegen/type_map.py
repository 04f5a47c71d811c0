"""IR types and constants as SPIR-V ids, on top of the module builder."""
from __future__ import annotations

from typing import Union

from .. import ir
from ..spirv_builder import ModuleBuilder


ScalarValue = Union[bool, int, float]  # (written here: TypeMap.bool hides the builtin in the class)
Flag = bool  # (likewise)


class TypeMap:
    """SPIR-V type and constant ids for IR scalar types (deduplicated by the builder)."""

    def __init__(self, builder: ModuleBuilder):
        self.b = builder
        self._scalar: dict[ir.ScalarType, int] = {}

    def scalar(self, t: ir.ScalarType) -> int:
        tid = self._scalar.get(t)
        if tid is None:
            if t.is_bool:
                tid = self.b.type_bool()
            elif t.is_float:
                tid = self.b.type_float(t.bits)
            else:
                tid = self.b.type_int(t.bits, t.is_signed)
            self._scalar[t] = tid
        return tid

    def stored(self, t: ir.ScalarType) -> int:
        """The type a scalar has in externally laid-out memory (bool is a u32)."""
        return self.scalar(ir.U32 if t.is_bool else t)

    @property
    def void(self) -> int:
        return self.b.type_void()

    @property
    def bool(self) -> int:
        return self.scalar(ir.BOOL)

    @property
    def i32(self) -> int:
        return self.scalar(ir.I32)

    @property
    def u32(self) -> int:
        return self.scalar(ir.U32)

    def uvec3(self) -> int:
        return self.b.type_vector(self.u32, 3)

    def pointer(self, storage_class: str, pointee: int) -> int:
        return self.b.type_pointer(storage_class, pointee)

    def result(self, t: Union[ir.ScalarType, None]) -> int:
        """The SPIR-V type of an expression or function result (void for None)."""
        return self.void if t is None else self.scalar(t)

    def array(self, t: ir.ArrayType, element: int) -> int:
        return self.b.type_array(element, t.length)

    # ------------------------------------------------------------------ constants

    def const(self, t: ir.ScalarType, value: ScalarValue) -> int:
        return self.b.constant(self.scalar(t), value)

    def const_i32(self, value: int) -> int:
        return self.b.constant(self.i32, value)

    def const_u32(self, value: int) -> int:
        return self.b.constant(self.u32, value)

    def true(self) -> int:
        return self.b.constant(self.bool, True)

    def false(self) -> int:
        return self.b.constant(self.bool, False)

    def null(self, type_id: int) -> int:
        return self.b.constant_null(type_id)

    def scope(self, name: str) -> int:
        """A Scope operand (an id of a u32 constant), e.g. 'Device'."""
        return self.const_u32(self.b.g.enum_value("Scope", name))

    @property
    def vulkan_memory_model(self) -> Flag:
        """Whether the module uses the Vulkan memory model (kernels with cooperative matrices)."""
        return "VulkanMemoryModel" in self.b.capabilities

    def memory_access(self, storage_class: str) -> tuple[str, ...]:
        """The MemoryAccess operands of a load or store through a pointer of `storage_class`:
        in the Vulkan memory model, buffer and shared memory accesses are non-private, so
        barriers make them available and visible to the other invocations."""
        if self.vulkan_memory_model and storage_class in ("Workgroup", "StorageBuffer"):
            return ("NonPrivatePointer",)
        return ()

    def semantics(self, names: str) -> int:
        """A MemorySemantics operand from '|'-joined names, e.g. 'AcquireRelease|WorkgroupMemory'
        (in the Vulkan memory model, acquire and release also make memory visible and available)."""
        if self.vulkan_memory_model and ("Acquire" in names or "Release" in names):
            names += "|MakeAvailable|MakeVisible"
        return self.const_u32(self.b.g.enum_value("MemorySemantics", names))
