"""Masked evaluation of IR expressions over the active lanes of a frame.

An `Eval` computes each expression as a lane vector over its `lanes`. A checked
index that is out of bounds ends its lane there (as `Return`): the lane is
marked dead in `alive`, and from then on it touches no memory, runs no atomic
and calls no helper; statements continue with `survivors()`. `Logical` and
`Select` evaluate an operand only on the lanes that need it.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.visitor import Visitor

from . import numpy_ops as ops
from .atomics import apply_atomic
from .coop_matrix import coop_length
from .errors import SoftwareExecutionError
from .frame import Frame, KernelContext
from .lanes import Lanes
from .memory import Place
from .subgroups import subgroup_builtin
from .values import dtype_of, uniform

_LANE_IDS = ("global_id", "local_id", "group_id")


class Eval(Visitor[Optional[np.ndarray]]):
    """A method per expression kind; `eval(e)` gives `e`'s lane vector."""

    def __init__(self, run: KernelContext, frame: Frame, lanes: Lanes):
        self.run, self.frame, self.lanes = run, frame, lanes
        self.alive: Optional[np.ndarray] = None  # None: no lane has died

    def eval(self, e: ir.Expr) -> np.ndarray:
        """`e`'s lane vector (a call or builtin that returns nothing has none: refused)."""
        value = self.visit(e)
        if value is None:
            raise self.run.error(f"{type(e).__name__} returns nothing, but its value is used")
        return value

    def type_of(self, e: ir.Expr) -> ir.ScalarType:
        """`e`'s type (only a call or builtin may have none)."""
        if e.type is None:
            raise self.run.error(f"{type(e).__name__} has no type")
        return e.type

    def generic_visit(self, node: ir.Node) -> Optional[np.ndarray]:
        raise self.run.error(f"cannot evaluate expression {type(node).__name__}")

    def survivors(self) -> Lanes:
        return self.lanes.subset(self.alive)

    def kill(self, mask: np.ndarray) -> None:
        if mask.any():
            self.alive = ~mask if self.alive is None else self.alive & ~mask

    def eval_on(self, e: ir.Expr, mask: np.ndarray) -> np.ndarray:
        """`e` on the live lanes where `mask` is true; deaths there carry over."""
        if mask.all():
            return self.eval(e)
        sub = Eval(self.run, self.frame, self.lanes.subset(mask))
        value = sub.eval(e)
        if sub.alive is not None:
            died = np.zeros(len(mask), dtype=bool)
            died[np.flatnonzero(mask)[~sub.alive]] = True
            self.kill(died)
        return value

    def live(self, mask: np.ndarray) -> np.ndarray:
        return mask if self.alive is None else mask & self.alive

    def kernel_lanes(self) -> np.ndarray:
        """The kernel-wide lane numbers of this context's lanes."""
        ids = self.frame.lane_ids
        return self.lanes.idx if ids is None else self.lanes.take(ids)

    def kernel_take(self, kernel_vector: np.ndarray) -> np.ndarray:
        if self.frame.lane_ids is None:
            return self.lanes.take(kernel_vector)
        return kernel_vector[self.lanes.take(self.frame.lane_ids)]

    # ----------------------------------------------------------------- leaves

    def visit_Const(self, e: ir.Const) -> np.ndarray:
        return uniform(self.type_of(e), e.value, self.lanes.count)

    def visit_Var(self, e: ir.Var) -> np.ndarray:
        frame = self.frame
        if e.name in frame.locals:
            return self.lanes.take(frame.locals[e.name])
        if e.name in frame.params:
            value = frame.params[e.name]
            if isinstance(value, np.ndarray):
                return self.lanes.take(value)
            return np.broadcast_to(value, (self.lanes.count,))
        if e.name in self.run.constants:
            c = self.run.constants[e.name]
            return uniform(c.type, c.value, self.lanes.count)
        raise self.run.error(f"unknown variable '{e.name}' in {frame.fn.name}")

    def visit_CoopLength(self, e: ir.CoopLength) -> np.ndarray:
        return uniform(ir.I32, coop_length(e.matrix, self.run.geometry.subgroup_size), self.lanes.count)

    def visit_Len(self, e: ir.Len) -> np.ndarray:
        return uniform(ir.I32, self.run.place(self.frame, e.base).length, self.lanes.count)

    def visit_Builtin(self, e: ir.Builtin) -> Optional[np.ndarray]:
        geometry = self.run.geometry
        if e.name in _LANE_IDS:
            return self.kernel_take(geometry.id_vector(e.name, e.dim))
        if e.name in ir.ID_BUILTINS:
            return uniform(ir.I32, geometry.uniform_id(e.name, e.dim), self.lanes.count)
        if e.name in ir.SYNC_BUILTINS:
            return None  # lanes run in lockstep: every earlier write is already visible
        if e.name in ir.MATH_BUILTINS:
            return ops.math(e.name, self.type_of(e.args[0]), [self.eval(a) for a in e.args])
        if e.name in ir.SUBGROUP_BUILTINS:
            return self.subgroup(e, [self.eval(a) for a in e.args])
        raise self.run.error(f"unknown builtin '{e.name}'")

    def subgroup(self, e: ir.Builtin, args: list[np.ndarray]) -> Optional[np.ndarray]:
        """A subgroup builtin over the lanes still alive (a lane that ended in an
        argument, at a checked index, no longer takes part, as on a GPU)."""
        lanes = self.kernel_lanes()
        if self.alive is None:
            return subgroup_builtin(e.name, self.run.geometry, lanes, args, self.run.error)
        alive = self.alive
        value = subgroup_builtin(e.name, self.run.geometry, lanes[alive], [a[alive] for a in args], self.run.error)
        if value is None:
            return None
        full = np.zeros(self.lanes.count, dtype=value.dtype)
        full[alive] = value
        return full

    # ----------------------------------------------------------------- operators

    def visit_Unary(self, e: ir.Unary) -> np.ndarray:
        return ops.unary(e.op, self.type_of(e.operand), self.eval(e.operand))

    def visit_Binary(self, e: ir.Binary) -> np.ndarray:
        return ops.binary(e.op, self.type_of(e.lhs), self.eval(e.lhs), self.eval(e.rhs))

    def visit_Cast(self, e: ir.Cast) -> np.ndarray:
        return ops.cast(self.type_of(e.value), self.type_of(e), self.eval(e.value))

    def visit_Logical(self, e: ir.Logical) -> np.ndarray:
        lhs = self.eval(e.lhs)
        need = self.live(lhs if e.op == "and" else ~lhs)
        if not need.any():
            return lhs
        if need.all():
            return self.eval(e.rhs)
        result = lhs.copy()
        result[need] = self.eval_on(e.rhs, need)
        return result

    def visit_Select(self, e: ir.Select) -> np.ndarray:
        cond = self.eval(e.cond)
        then_mask, else_mask = self.live(cond), self.live(~cond)
        if then_mask.all():
            return self.eval(e.then)
        if else_mask.all():
            return self.eval(e.otherwise)
        result = np.zeros(self.lanes.count, dtype=dtype_of(self.type_of(e)))
        if then_mask.any():
            result[then_mask] = self.eval_on(e.then, then_mask)
        if else_mask.any():
            result[else_mask] = self.eval_on(e.otherwise, else_mask)
        return result

    def visit_Call(self, e: ir.Call) -> Optional[np.ndarray]:
        args = [self.eval(a) for a in e.args]
        lane_ids = self.kernel_lanes()
        if self.alive is not None:
            args, lane_ids = [a[self.alive] for a in args], lane_ids[self.alive]
        result = self.run.call(e.func, args, lane_ids)
        if result is None or self.alive is None:
            return result
        full = np.zeros(self.lanes.count, dtype=result.dtype)
        full[self.alive] = result
        return full

    # ----------------------------------------------------------------- memory

    def visit_Index(self, e: ir.Index) -> np.ndarray:
        place = self.run.place(self.frame, e.base)
        addr = self.address(place, self.eval(e.index), e.checked)
        if addr is None:
            return np.zeros(self.lanes.count, dtype=dtype_of(place.elem))
        return np.take(place.flat, addr)

    def visit_Atomic(self, e: ir.Atomic) -> np.ndarray:
        place = self.run.place(self.frame, e.base)
        index = self.eval(e.index)
        args = [self.eval(a) for a in e.args]
        addr = self.address(place, index, checked=False)
        if addr is None:
            return np.zeros(self.lanes.count, dtype=dtype_of(place.elem))
        if self.alive is None:
            return apply_atomic(e.op, place.flat, addr, args)
        old = np.zeros(self.lanes.count, dtype=dtype_of(place.elem))
        old[self.alive] = apply_atomic(e.op, place.flat, addr[self.alive],
                                       [a[self.alive] for a in args])
        return old

    def store(self, target: ir.Index, value: ir.Expr) -> None:
        """`target = value`: the index first, then the value, then the write. When
        several lanes write one element, the highest lane wins (np.put applies the
        lanes in order)."""
        place = self.run.place(self.frame, target.base)
        if not place.writable:
            raise self.run.error(f"write to read-only buffer '{place.name}'")
        index = self.eval(target.index)
        values = self.eval(value)
        addr = self.address(place, index, target.checked)
        if addr is None:
            return
        if self.alive is not None:
            addr, values = addr[self.alive], values[self.alive]
        np.put(place.flat, addr, values)

    def address(self, place: Place, index: np.ndarray, checked: bool) -> Optional[np.ndarray]:
        """Flat addresses of `place[index]` for every lane (dead lanes get a harmless
        address); an out-of-bounds index ends its lane if `checked`, else raises.
        None when no lane is left to touch memory."""
        i = index.astype(np.int64, copy=False)
        if checked or self.alive is not None or _any_outside(i, place.length):
            outside = (i < 0) | (i >= place.length)
            if checked:
                self.kill(outside)
            elif self.live(outside).any():
                raise self.out_of_bounds(place, i, self.live(outside))
            if self.alive is not None:
                if not self.alive.any() or place.length == 0:
                    return None
                i = np.where(self.alive, i, 0)
        if place.kind == "buffer":
            return i
        if place.kind == "shared":
            rows = self.kernel_take(self.run.geometry.group_of_lane())
        else:
            rows = self.lanes.idx
        return place.row_offsets(rows) + i

    def out_of_bounds(self, place: Place, i: np.ndarray, bad: np.ndarray) -> SoftwareExecutionError:
        first = int(np.argmax(bad))
        lane = int(self.kernel_lanes()[first])
        ids = self.run.geometry.ids_of_lane(lane)
        return self.run.error(
            f"index {int(i[first])} is out of bounds for {place.kind} array '{place.name}' "
            f"of length {place.length} (work item with global id {ids}, "
            f"{int(bad.sum())} work item(s) out of bounds)")


def _any_outside(i: np.ndarray, length: int) -> bool:
    return len(i) > 0 and (int(i.min()) < 0 or int(i.max()) >= length)

