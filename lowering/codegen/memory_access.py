"""Buffer and array elements: addresses (with @simd bounds checks), loads,
stores, lengths and atomics."""
from __future__ import annotations

from typing import Callable, Optional

from .. import ir
from ..errors import LoweringError

from .casts import CastLowering
from .emitter import Emitter, Value
from .resources import ArraySlot



_INT_ATOMICS = {"add": "OpAtomicIAdd", "sub": "OpAtomicISub", "and": "OpAtomicAnd", "or": "OpAtomicOr",
                "xor": "OpAtomicXor", "exchange": "OpAtomicExchange"}
_SIGNED_ATOMICS = {"min": "OpAtomicSMin", "max": "OpAtomicSMax"}
_UNSIGNED_ATOMICS = {"min": "OpAtomicUMin", "max": "OpAtomicUMax"}


def vector_component(em: Emitter, index: int, index_type: ir.ScalarType, n: int) -> tuple[int, int]:
    """(vector, component) of element `index` (an integer of 32 or 64 bits) in a
    buffer declared as `n`-element vectors (n a power of two; vector_access.py): a
    shift and a mask."""
    t = em.t
    shift, mask = t.const(index_type, n.bit_length() - 1), t.const(index_type, n - 1)
    scalar = t.scalar(index_type)
    op = "OpShiftRightArithmetic" if index_type.is_signed else "OpShiftRightLogical"
    return em.emit(op, scalar, index, shift), em.emit("OpBitwiseAnd", scalar, index, mask)


# ---------------------------------------------------------------------------- atomics


class AccessLowering:
    """Memory access and atomics of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter, where: str, casts: CastLowering,
                 array: Callable[[str], ArraySlot], guard: Callable[[int], None]):
        """`array` finds a buffer or array by name; `guard(ok)` ends the work item where `ok`
        is false (the owner's early return)."""
        self.where, self.casts, self.array, self.guard = where, casts, array, guard
        self.em, self.t, self.b = em, em.t, em.b
        self.emit = em.emit

    def length(self, slot: ArraySlot) -> int:
        """Element count as u32: OpArrayLength for buffers, a constant for arrays."""
        if slot.length is not None:
            return self.t.const_u32(slot.length)
        length = self.emit("OpArrayLength", self.t.u32, slot.var, 0)
        if slot.vector > 1:  # declared as whole vectors (vector_access.py)
            length = self.emit("OpIMul", self.t.u32, length, self.t.const_u32(slot.vector))
        return length

    def len_expr(self, name: str) -> Value:
        """`len(name)` as i32."""
        slot = self.array(name)
        if slot.length is not None:
            return Value(self.t.const_i32(slot.length), ir.I32)
        return Value(self.emit("OpBitcast", self.t.i32, self.length(slot)), ir.I32)

    def element_pointer(self, slot: ArraySlot, index_value: Value, checked: bool) -> Optional[int]:
        """A pointer to `slot[index]`; when `checked`, an index outside 0..len leaves
        the function first (the @simd rule). A constant index known to be out of
        bounds gives None (SPIR-V rejects such an access chain); the caller then reads
        a zero or writes nothing."""
        index, index_type = index_value.id, index_value.type
        if not index_type.is_int:
            raise LoweringError(f"{self.where}: index of {slot.name} has type {index_type}, not an integer")
        constant = self.b.int_constant_value(index)
        limit = slot.length if slot.length is not None else 1 << 31
        if constant is not None and not 0 <= constant < limit:
            if checked:
                self.guard(self.t.false())
            return None
        if index_type.bits < 32:
            widened = ir.ScalarType(index_type.kind, 32)
            index, index_type = self.casts.int_to_int(index, index_type, widened), widened
        if checked:
            self._check_bounds(slot, index, index_type)
        chain: tuple[int, ...] = (index,) if slot.length is not None else (self.t.const_i32(0), index)
        if slot.vector > 1:  # element `index` is component index % n of vector index / n
            chain = (self.t.const_i32(0), *vector_component(self.em, index, index_type, slot.vector))
        return self.emit("OpAccessChain", slot.element_pointer, slot.var, *chain)

    def _check_bounds(self, slot: ArraySlot, index: int, index_type: ir.ScalarType) -> None:
        """0 <= index < len as one unsigned comparison (a negative index wraps to a huge one)."""
        unsigned = ir.ScalarType("uint", index_type.bits)
        as_unsigned = self.casts.int_to_int(index, index_type, unsigned)
        limit = self.casts.int_to_int(self.length(slot), ir.U32, unsigned)
        self.guard(self.emit("OpULessThan", self.t.bool, as_unsigned, limit))

    def load(self, slot: ArraySlot, pointer: int) -> Value:
        value = self.emit("OpLoad", slot.stored_type, pointer, *self.t.memory_access(slot.storage_class))
        if slot.as_bits:
            value = self.emit("OpBitcast", self.t.scalar(slot.elem), value)
        return Value(value, slot.elem)

    def store(self, slot: ArraySlot, pointer: int, value: Value) -> None:
        stored = value.id
        if slot.as_bits:
            stored = self.emit("OpBitcast", slot.stored_type, stored)
        self.emit("OpStore", pointer, stored, *self.t.memory_access(slot.storage_class))

    def atomic(self, slot: ArraySlot, pointer: int, op: str, args: list[Value]) -> Value:
        """The atomic `op` on `*pointer`, returning the old value (of the element type)."""
        return Value(self._atomic(slot, pointer, op, [a.id for a in args]), slot.elem)

    def _atomic(self, slot: ArraySlot, pointer: int, op: str, args: list[int]) -> int:
        t = slot.elem
        if slot.storage_class == "Function":
            raise LoweringError(f"{self.where}: atomic {op} on private array {slot.name}")
        if t.bits == 64:
            self.b.capability("Int64Atomics")
        scope, relaxed = self.t.scope(slot.atomic_scope), self.t.semantics("Relaxed")
        if op == "add" and t.is_float:
            if slot.as_bits:
                return self._cas_float_add(slot, pointer, args[0], scope, relaxed)
            self.b.capability(f"AtomicFloat{t.bits}AddEXT")
            self.b.extension("SPV_EXT_shader_atomic_float_add")
            return self.emit("OpAtomicFAddEXT", self.t.scalar(t), pointer, scope, relaxed, args[0])
        stored = slot.stored_type
        if slot.as_bits:
            args = [self.emit("OpBitcast", stored, a) for a in args]
        if op == "compare_exchange":
            expected, desired = args
            old = self.emit("OpAtomicCompareExchange", stored, pointer, scope, relaxed, relaxed, desired, expected)
        else:
            table = _INT_ATOMICS if op in _INT_ATOMICS else _SIGNED_ATOMICS if t.is_signed else _UNSIGNED_ATOMICS
            if op not in table:
                raise LoweringError(f"{self.where}: unknown atomic operation {op!r}")
            old = self.emit(table[op], stored, pointer, scope, relaxed, args[0])
        return self.emit("OpBitcast", self.t.scalar(t), old) if slot.as_bits else old

    def _cas_float_add(self, slot: ArraySlot, pointer: int, value: int,
                       scope: int, semantics: int) -> int:
        """f32 atomic add as a compare-exchange loop on the u32 bits."""
        u32, f32 = slot.stored_type, self.t.scalar(slot.elem)
        initial = self.emit("OpAtomicLoad", u32, pointer, scope, semantics)
        with self.em.loop([(u32, initial)]) as lp:
            (expected,) = lp.values
            lp.enter()
            total = self.emit("OpFAdd", f32, self.emit("OpBitcast", f32, expected), value)
            seen = self.emit("OpAtomicCompareExchange", u32, pointer, scope, semantics, semantics,
                             self.emit("OpBitcast", u32, total), expected, result=lp.next[0])
            lp.exit_if(self.emit("OpIEqual", self.t.bool, seen, expected))
        return self.emit("OpBitcast", f32, expected)
