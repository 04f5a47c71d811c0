"""Buffer and array elements: addresses (with @simd bounds checks), loads,
stores, lengths and atomics."""
from __future__ import annotations

from typing import Optional

from . import ir
from .errors import LoweringError
from .lower_cast import int_to_int
from .lower_context import FunctionContext
from .lower_globals import ArraySlot

_INT_ATOMICS = {"add": "OpAtomicIAdd", "sub": "OpAtomicISub", "and": "OpAtomicAnd", "or": "OpAtomicOr",
                "xor": "OpAtomicXor", "exchange": "OpAtomicExchange"}
_SIGNED_ATOMICS = {"min": "OpAtomicSMin", "max": "OpAtomicSMax"}
_UNSIGNED_ATOMICS = {"min": "OpAtomicUMin", "max": "OpAtomicUMax"}


def length(fx: FunctionContext, slot: ArraySlot) -> int:
    """Element count as u32: OpArrayLength for buffers, a constant for arrays."""
    if slot.length is not None:
        return fx.t.const_u32(slot.length)
    return fx.em.emit("OpArrayLength", fx.t.u32, slot.var, 0)


def len_expr(fx: FunctionContext, name: str) -> int:
    """`len(name)` as i32."""
    slot = fx.array(name)
    if slot.length is not None:
        return fx.t.const_i32(slot.length)
    return fx.em.emit("OpBitcast", fx.t.i32, length(fx, slot))


def element_pointer(fx: FunctionContext, slot: ArraySlot, index: int, index_type: ir.ScalarType,
                    checked: bool) -> Optional[int]:
    """A pointer to `slot[index]`; when `checked`, an index outside 0..len leaves
    the function first (the @simd rule). A constant index known to be out of
    bounds gives None (SPIR-V rejects such an access chain); the caller then reads
    a zero or writes nothing."""
    if not index_type.is_int:
        raise LoweringError(f"{fx.fn.name}: index of {slot.name} has type {index_type}, not an integer")
    constant = fx.b.int_constant_value(index)
    limit = slot.length if slot.length is not None else 1 << 31
    if constant is not None and not 0 <= constant < limit:
        if checked:
            fx.guard(fx.t.false())
        return None
    if index_type.bits < 32:
        widened = ir.ScalarType(index_type.kind, 32)
        index, index_type = int_to_int(fx, index, index_type, widened), widened
    if checked:
        _check_bounds(fx, slot, index, index_type)
    chain = (index,) if slot.length is not None else (fx.t.const_i32(0), index)
    return fx.em.emit("OpAccessChain", slot.element_pointer, slot.var, *chain)


def _check_bounds(fx: FunctionContext, slot: ArraySlot, index: int, index_type: ir.ScalarType) -> None:
    """0 <= index < len as one unsigned comparison (a negative index wraps to a huge one)."""
    unsigned = ir.ScalarType("uint", index_type.bits)
    as_unsigned = int_to_int(fx, index, index_type, unsigned)
    limit = int_to_int(fx, length(fx, slot), ir.U32, unsigned)
    fx.guard(fx.em.emit("OpULessThan", fx.t.bool, as_unsigned, limit))


def load(fx: FunctionContext, slot: ArraySlot, pointer: int) -> int:
    value = fx.em.emit("OpLoad", slot.stored_type, pointer)
    if slot.as_bits:
        value = fx.em.emit("OpBitcast", fx.t.scalar(slot.elem), value)
    return value


def store(fx: FunctionContext, slot: ArraySlot, pointer: int, value: int) -> None:
    if slot.as_bits:
        value = fx.em.emit("OpBitcast", slot.stored_type, value)
    fx.em.emit("OpStore", pointer, value)


# ---------------------------------------------------------------------------- atomics

def atomic(fx: FunctionContext, slot: ArraySlot, pointer: int, op: str, args: list[int]) -> int:
    """The atomic `op` on `*pointer`, returning the old value (as the IR element type)."""
    t = slot.elem
    if slot.storage_class == "Function":
        raise LoweringError(f"{fx.fn.name}: atomic {op} on private array {slot.name}")
    if t.bits == 64:
        fx.b.capability("Int64Atomics")
    scope, relaxed = fx.t.scope(slot.atomic_scope), fx.t.semantics("Relaxed")
    if op == "add" and t.is_float:
        if slot.as_bits:
            return _cas_float_add(fx, slot, pointer, args[0], scope, relaxed)
        fx.b.capability(f"AtomicFloat{t.bits}AddEXT")
        fx.b.extension("SPV_EXT_shader_atomic_float_add")
        return fx.em.emit("OpAtomicFAddEXT", fx.t.scalar(t), pointer, scope, relaxed, args[0])
    stored = slot.stored_type
    if slot.as_bits:
        args = [fx.em.emit("OpBitcast", stored, a) for a in args]
    if op == "compare_exchange":
        expected, desired = args
        old = fx.em.emit("OpAtomicCompareExchange", stored, pointer, scope, relaxed, relaxed, desired, expected)
    else:
        table = _INT_ATOMICS if op in _INT_ATOMICS else _SIGNED_ATOMICS if t.is_signed else _UNSIGNED_ATOMICS
        if op not in table:
            raise LoweringError(f"{fx.fn.name}: unknown atomic operation {op!r}")
        old = fx.em.emit(table[op], stored, pointer, scope, relaxed, args[0])
    return fx.em.emit("OpBitcast", fx.t.scalar(t), old) if slot.as_bits else old


def _cas_float_add(fx: FunctionContext, slot: ArraySlot, pointer: int, value: int,
                   scope: int, semantics: int) -> int:
    """f32 atomic add as a compare-exchange loop on the u32 bits."""
    u32, f32 = slot.stored_type, fx.t.scalar(slot.elem)
    initial = fx.em.emit("OpAtomicLoad", u32, pointer, scope, semantics)
    with fx.em.loop([(u32, initial)]) as lp:
        (expected,) = lp.values
        lp.enter()
        total = fx.em.emit("OpFAdd", f32, fx.em.emit("OpBitcast", f32, expected), value)
        seen = fx.em.emit("OpAtomicCompareExchange", u32, pointer, scope, semantics, semantics,
                          fx.em.emit("OpBitcast", u32, total), expected, result=lp.next[0])
        lp.exit_if(fx.em.emit("OpIEqual", fx.t.bool, seen, expected))
    return fx.em.emit("OpBitcast", f32, expected)
