"""Subgroup builtins (ir.SUBGROUP_BUILTINS) as GroupNonUniform instructions.

Each builtin declares the capability of its class (ir.SUBGROUP_CLASS: basic ->
GroupNonUniform, arithmetic -> GroupNonUniformArithmetic, ...); the kernel interface
asks the device for the matching subgroup feature. Every operation has Subgroup
scope. A shuffle whose source lane is outside the subgroup gives the lane's own
value (a select around the shuffle, so `x + subgroup_shuffle_down(x, 16)` is
defined everywhere); a source lane that is inside but inactive stays undefined
(docs/kernel_ir.md, "Subgroups").
"""
from __future__ import annotations

from typing import Optional

from .. import ir
from ..errors import LoweringError
from .emitter import Emitter, Value
from .resources import KernelGlobals

_CAPABILITY = {"basic": "GroupNonUniform", "vote": "GroupNonUniformVote",
               "arithmetic": "GroupNonUniformArithmetic", "ballot": "GroupNonUniformBallot",
               "shuffle": "GroupNonUniformShuffle", "shuffle_relative": "GroupNonUniformShuffleRelative"}
_VALUE_BUILTINS = {"subgroup_size": "SubgroupSize", "subgroup_local_id": "SubgroupLocalInvocationId",
                   "subgroup_id": "SubgroupId", "num_subgroups": "NumSubgroups"}
_GROUP_OPERATION = {"reduce": "Reduce", "inclusive": "InclusiveScan", "exclusive": "ExclusiveScan"}
_SHUFFLES = {"subgroup_shuffle": "OpGroupNonUniformShuffle", "subgroup_shuffle_xor": "OpGroupNonUniformShuffleXor",
             "subgroup_shuffle_up": "OpGroupNonUniformShuffleUp",
             "subgroup_shuffle_down": "OpGroupNonUniformShuffleDown"}
_SYNC_SEMANTICS = "AcquireRelease|UniformMemory|WorkgroupMemory"


def _arithmetic_opcode(op: str, t: ir.ScalarType) -> str:
    if op in ir.SUBGROUP_BITWISE_OPS:
        return "OpGroupNonUniformBitwise" + op.capitalize()
    if op in ("add", "mul"):
        return f"OpGroupNonUniform{'F' if t.is_float else 'I'}{op.capitalize()}"
    prefix = "F" if t.is_float else "S" if t.is_signed else "U"
    return f"OpGroupNonUniform{prefix}{op.capitalize()}"


class SubgroupLowering:
    """Subgroup builtins of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter, where: str, g: KernelGlobals):
        self.em, self.where, self.g = em, where, g
        self.t, self.b, self.emit = em.t, em.b, em.emit

    def builtin(self, name: str, args: list[Value]) -> Optional[Value]:
        self.b.capability("GroupNonUniform")
        self.b.capability(_CAPABILITY[ir.SUBGROUP_CLASS[name]])
        scope = self.t.scope("Subgroup")
        if name in _VALUE_BUILTINS:
            value = self.emit("OpLoad", self.t.u32, self.g.scalar_builtin(_VALUE_BUILTINS[name]))
            return Value(self.emit("OpBitcast", self.t.i32, value), ir.I32)
        if name == "subgroup_barrier":
            self.emit("OpControlBarrier", scope, scope, self.t.semantics(_SYNC_SEMANTICS))
            return None
        if name == "subgroup_elect":
            return Value(self.emit("OpGroupNonUniformElect", self.t.bool, scope), ir.BOOL)
        if name in ir.SUBGROUP_ARITHMETIC:
            kind, op = ir.subgroup_arithmetic(name)
            x = args[0]
            ty = self.t.scalar(x.type)
            return Value(self.emit(_arithmetic_opcode(op, x.type), ty, scope, _GROUP_OPERATION[kind], x.id), x.type)
        if name in ("subgroup_any", "subgroup_all"):
            opname = "OpGroupNonUniformAny" if name == "subgroup_any" else "OpGroupNonUniformAll"
            return Value(self.emit(opname, self.t.bool, scope, args[0].id), ir.BOOL)
        if name == "subgroup_ballot":
            return self._ballot(scope, args[0])
        x = args[0]
        ty = self.t.scalar(x.type)
        if name == "subgroup_broadcast_first":
            return Value(self.emit("OpGroupNonUniformBroadcastFirst", ty, scope, x.id), x.type)
        if name == "subgroup_broadcast":
            constant = self.b.int_constant_value(args[1].id)
            if constant is None:
                raise LoweringError(f"{self.where}: subgroup_broadcast needs a constant lane "
                                    f"(subgroup_shuffle takes one computed at run time)")
            lane = self.t.const_u32(constant & 0xFFFFFFFF)
            return Value(self.emit("OpGroupNonUniformBroadcast", ty, scope, x.id, lane), x.type)
        return self._shuffle(name, scope, x, self.emit("OpBitcast", self.t.u32, args[1].id))

    def _ballot(self, scope: int, cond: Value) -> Value:
        """The lanes 0..63 of the ballot as a u64 (bit n: lane n voted true)."""
        u32, u64 = self.t.u32, self.t.scalar(ir.U64)
        words = self.emit("OpGroupNonUniformBallot", self.b.type_vector(u32, 4), scope, cond.id)
        low = self.emit("OpUConvert", u64, self.emit("OpCompositeExtract", u32, words, 0))
        high = self.emit("OpUConvert", u64, self.emit("OpCompositeExtract", u32, words, 1))
        shifted = self.emit("OpShiftLeftLogical", u64, high, self.t.const(ir.U64, 32))
        return Value(self.emit("OpBitwiseOr", u64, shifted, low), ir.U64)

    def _shuffle(self, name: str, scope: int, x: Value, lane: int) -> Value:
        """The shuffle, and the lane's own value where the source lane is outside
        the subgroup (`lane` is the u32 operand: a lane, mask or delta)."""
        ty, tb, u32 = self.t.scalar(x.type), self.t.bool, self.t.u32
        moved = self.emit(_SHUFFLES[name], ty, scope, x.id, lane)
        me = self.emit("OpLoad", u32, self.g.scalar_builtin("SubgroupLocalInvocationId"))
        size = self.emit("OpLoad", u32, self.g.scalar_builtin("SubgroupSize"))
        if name == "subgroup_shuffle":
            source = lane
        elif name == "subgroup_shuffle_xor":
            source = self.emit("OpBitwiseXor", u32, me, lane)
        elif name == "subgroup_shuffle_down":
            source = self.emit("OpIAdd", u32, me, lane)
        else:  # up: me - delta wraps to a huge u32 below lane 0
            source = self.emit("OpISub", u32, me, lane)
        inside = self.emit("OpULessThan", tb, source, size)
        if name == "subgroup_shuffle_down":  # me + delta may wrap round to a small number
            inside = self.emit("OpLogicalAnd", tb, inside, self.emit("OpUGreaterThanEqual", tb, source, me))
        return Value(self.emit("OpSelect", ty, inside, moved, x.id), x.type)
