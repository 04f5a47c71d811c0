"""Subgroup builtins over the lockstep lanes (ir.SUBGROUP_BUILTINS).

The software backend's subgroups have `Geometry.subgroup_size` lanes (default 32;
`SoftwareBackend(subgroup_size=...)` chooses): subgroup k of a work-group holds its
local linear ids k*S .. k*S + S - 1 (the last one partial when the work-group size is
not a multiple of S), its lane n the local linear id k*S + n. Operations see only the
active lanes (those running the builtin), as SPIR-V's non-uniform group operations.

Reductions and scans run in lane order (floats: a device may add in another order);
a shuffle from outside the subgroup gives the lane's own value (as the lowering
defines it); reading a lane that is inside the subgroup but inactive is undefined in
Vulkan, so the reference refuses it (SoftwareExecutionError), as it refuses a
`subgroup_ballot` with more than 64 lanes.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from simple_vkbackend.lowering import ir

from .errors import SoftwareExecutionError
from .geometry import Geometry
from .values import uniform

DEFAULT_SUBGROUP_SIZE = 32

_UFUNCS = {"add": np.add, "mul": np.multiply, "min": np.minimum, "max": np.maximum,
           "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}


def _identity(op: str, dtype: np.dtype):
    """The value an inactive lane contributes to `op` (it changes nothing)."""
    if op in ("add", "or", "xor"):
        return dtype.type(-0.0) if dtype.kind == "f" else dtype.type(0)
    if op == "mul":
        return dtype.type(1)
    if op == "and":
        return ~dtype.type(0)
    big = np.inf if dtype.kind == "f" else np.iinfo(dtype).max
    small = -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    return dtype.type(big if op == "min" else small)


class Subgroups:
    """The subgroups of a set of active lanes (their kernel-wide lane numbers)."""

    def __init__(self, geometry: Geometry, kernel_lanes: np.ndarray,
                 error: Callable[[str], SoftwareExecutionError]):
        self.size = geometry.subgroup_size
        group_size = geometry.group_size
        local = kernel_lanes % group_size
        per_group = -(-group_size // self.size)
        key = (kernel_lanes // group_size) * per_group + local // self.size
        self.keys, self.row = np.unique(key, return_inverse=True)
        self.lane = local % self.size
        self.local = local
        self.per_group = per_group
        self.error = error
        self.active = np.zeros((len(self.keys), self.size), dtype=bool)
        self.active[self.row, self.lane] = True

    def matrix(self, values: np.ndarray, fill) -> np.ndarray:
        """`values` (one per active lane) as [subgroup, lane], `fill` elsewhere."""
        out = np.full((len(self.keys), self.size), fill, dtype=values.dtype)
        out[self.row, self.lane] = values
        return out

    def arithmetic(self, name: str, x: np.ndarray) -> np.ndarray:
        kind, op = ir.subgroup_arithmetic(name)
        ufunc, identity = _UFUNCS[op], _identity(op, x.dtype)
        m = self.matrix(x, identity)
        if kind == "reduce":
            return ufunc.reduce(m, axis=1)[self.row]
        scan = ufunc.accumulate(m, axis=1)
        if kind == "exclusive":
            scan = np.concatenate([np.full((len(self.keys), 1), identity, dtype=x.dtype), scan[:, :-1]], axis=1)
        return scan[self.row, self.lane]

    def read(self, name: str, x: np.ndarray, source: np.ndarray) -> np.ndarray:
        """x from subgroup lane `source` of each lane; outside the subgroup: own x."""
        inside = (source >= 0) & (source < self.size)
        src = np.where(inside, source, self.lane)
        missing = ~self.active[self.row, src]
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise self.error(f"{name}: lane {int(self.lane[i])} reads lane {int(src[i])} of its subgroup, "
                             f"which is not active (undefined on a GPU)")
        return self.matrix(x, x.dtype.type(0))[self.row, src]

    def first_lane(self) -> np.ndarray:
        return np.argmax(self.active, axis=1)[self.row]


def subgroup_builtin(name: str, geometry: Geometry, kernel_lanes: np.ndarray, args: list[np.ndarray],
                     error: Callable[[str], SoftwareExecutionError]) -> Optional[np.ndarray]:
    """The value of subgroup builtin `name` for each active lane (None: barrier)."""
    count = len(kernel_lanes)
    if name == "subgroup_barrier":
        return None  # lockstep: every earlier write is already visible
    if name == "subgroup_size":
        return uniform(ir.I32, geometry.subgroup_size, count)
    sg = Subgroups(geometry, np.asarray(kernel_lanes, dtype=np.int64), error)
    if name == "subgroup_local_id":
        return sg.lane.astype(np.int32)
    if name == "subgroup_id":
        return (sg.local // sg.size).astype(np.int32)
    if name == "num_subgroups":
        return uniform(ir.I32, sg.per_group, count)
    if name == "subgroup_elect":
        return sg.lane == sg.first_lane()
    if name in ir.SUBGROUP_ARITHMETIC:
        return sg.arithmetic(name, args[0])
    if name in ("subgroup_any", "subgroup_all"):
        m = sg.matrix(args[0], name == "subgroup_all")
        return np.asarray(m.any(axis=1) if name == "subgroup_any" else m.all(axis=1))[sg.row]
    if name == "subgroup_ballot":
        if sg.size > 64:
            raise error(f"subgroup_ballot gives lanes 0..63; subgroups of {sg.size} lanes are not supported")
        bits = np.where(args[0], np.left_shift(np.uint64(1), sg.lane.astype(np.uint64)), np.uint64(0))
        return np.bitwise_or.reduce(sg.matrix(bits.astype(np.uint64), np.uint64(0)), axis=1)[sg.row]
    x = args[0]
    if name == "subgroup_broadcast_first":
        return sg.read(name, x, sg.first_lane())
    operand = args[1].astype(np.int64)
    if name in ("subgroup_broadcast", "subgroup_shuffle"):
        source = operand
    elif name == "subgroup_shuffle_xor":
        source = sg.lane ^ operand
    elif name == "subgroup_shuffle_up":
        source = sg.lane - operand
    elif name == "subgroup_shuffle_down":
        source = sg.lane + operand
    else:
        raise error(f"unknown subgroup builtin '{name}'")
    if name == "subgroup_broadcast" and not ((operand >= 0) & (operand < sg.size)).all():
        raise error(f"subgroup_broadcast from lane {int(operand[0])}, outside subgroups of {sg.size} lanes")
    return sg.read(name, x, source)
