"""Cooperative matrices (ir.coop_matrix) on the software backend.

A matrix value is an array [lane, rows, cols]: every lane holds the whole matrix of
its subgroup (subgroups as subgroups.py defines them, `Geometry.subgroup_size` lanes).
Every matrix operation is a subgroup operation, so the reference refuses
(SoftwareExecutionError) what a GPU leaves undefined: a subgroup that runs one with
some of its lanes inactive, offsets, strides, fill values or scale factors that differ
between the lanes of a subgroup, an element outside the buffer or array, and a load or
store whose offset or stride (in bytes) is not a multiple of the lesser of 16 bytes and
a row's size (a column's, column-major), the alignment Vulkan asks for.

A multiply-add computes per subgroup with numpy: float inputs are converted to f32
(f64 for f64 matrices), products summed in that precision (numpy's order), and the
sum rounded once to the result type; integer ones are summed in 64 bits and wrapped
to the result type. Element-wise operations compute in the element type, as scalars do.
`length` is rows*cols/subgroup size, rounded up.
"""
from __future__ import annotations

from typing import Callable, Optional, Protocol

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.visitor import Visitor

from . import numpy_ops as ops
from .errors import SoftwareExecutionError
from .frame import Frame, KernelContext
from .lanes import Lanes
from .memory import Place
from .subgroups import Subgroups
from .values import dtype_of


class _Evaluator(Protocol):
    """What matrix evaluation uses of the scalar evaluator (evaluate.Eval)."""

    run: KernelContext
    frame: Frame
    lanes: Lanes
    alive: Optional[np.ndarray]

    def eval(self, e: ir.Expr) -> np.ndarray: ...

    def kernel_lanes(self) -> np.ndarray: ...


def coop_length(t: ir.CoopMatrixType, subgroup_size: int) -> int:
    return -(-t.count // subgroup_size)


class CoopEval(Visitor[np.ndarray]):
    """Matrix expressions over the lanes of the expression evaluator `ev`; `locals`
    are the frame's matrix locals ([width, rows, cols] each)."""

    def __init__(self, ev: _Evaluator, locals: dict[str, np.ndarray]):
        self.ev, self.locals = ev, locals
        self.run = ev.run
        self.error: Callable[[str], SoftwareExecutionError] = ev.run.error
        self._subgroups: Optional[Subgroups] = None

    # ----------------------------------------------------------------- subgroups

    def subgroups(self, what: str) -> Subgroups:
        """The subgroups of the lanes; each must run `what` with all its lanes."""
        if self._subgroups is None:
            geometry = self.run.geometry
            lanes = np.asarray(self.ev.kernel_lanes(), dtype=np.int64)
            sg = Subgroups(geometry, lanes, self.error)
            local_first = (sg.keys % sg.per_group) * sg.size
            present = np.minimum(sg.size, geometry.group_size - local_first)
            active = sg.active.sum(axis=1)
            if (active != present).any():
                i = int(np.flatnonzero(active != present)[0])
                raise self.error(f"{what}: a cooperative matrix operation runs on {int(active[i])} of the "
                                 f"{int(present[i])} lanes of a subgroup; every lane of the subgroup must run it "
                                 f"(uniform control flow; undefined on a GPU otherwise)")
            self._subgroups = sg
        return self._subgroups

    def uniform(self, values: np.ndarray, what: str) -> np.ndarray:
        """One value per subgroup of a lane vector that must agree within each subgroup."""
        sg = self.subgroups(what)
        first = np.zeros(len(sg.keys), dtype=np.int64)
        first[sg.row[::-1]] = np.arange(len(sg.row))[::-1]
        per_group = values[first]
        if (values != per_group[sg.row]).any():
            i = int(np.flatnonzero(values != per_group[sg.row])[0])
            raise self.error(f"{what} differs between the lanes of a subgroup ({values[i]!r} in lane "
                             f"{int(sg.lane[i])}, {per_group[sg.row[i]]!r} in its first lane); a cooperative "
                             f"matrix operation takes the same value in every lane")
        return per_group

    def scalar(self, e: ir.Expr, what: str) -> np.ndarray:
        value = self.ev.eval(e)
        if self.ev.alive is not None:
            raise self.error(f"{what}: a lane ended (checked index) inside a cooperative matrix operation")
        return np.broadcast_to(value, (self.ev.lanes.count,))

    # ----------------------------------------------------------------- memory

    def addresses(self, place: Place, offset: ir.Expr, stride: ir.Expr, t: ir.CoopMatrixType,
                  layout: str, what: str) -> np.ndarray:
        """Flat addresses [subgroup, rows, cols] of the elements a load or store touches."""
        off = self.uniform(self.scalar(offset, what).astype(np.int64), f"{what}: the offset")
        step = self.uniform(self.scalar(stride, what).astype(np.int64), f"{what}: the stride")
        size = place.flat.dtype.itemsize
        align = min(16, (t.cols if layout == "row_major" else t.rows) * size)
        for name, values in (("offset", off), ("stride", step)):
            bad_align = (values * size) % align != 0
            if bad_align.any():
                value = int(values[np.flatnonzero(bad_align)[0]])
                raise self.error(f"{what}: the {name} {value} ({value * size} bytes) is not a multiple of "
                                 f"{align} bytes; Vulkan asks cooperative matrix loads and stores for the "
                                 f"lesser of 16 bytes and a {'row' if layout == 'row_major' else 'column'}'s size")
        i = np.arange(t.rows, dtype=np.int64)[None, :, None]
        j = np.arange(t.cols, dtype=np.int64)[None, None, :]
        off, step = off[:, None, None], step[:, None, None]
        index = off + i * step + j if layout == "row_major" else off + j * step + i
        bad = (index < 0) | (index >= place.length)
        if bad.any():
            g = int(np.flatnonzero(bad.any(axis=(1, 2)))[0])
            raise self.error(f"{what}: element {int(index[bad][0])} of {place.kind} '{place.name}' (length "
                             f"{place.length}) is out of bounds (offset {int(off[g, 0, 0])}, stride "
                             f"{int(step[g, 0, 0])}, {t.rows}x{t.cols} {layout})")
        if place.kind == "shared":
            sg = self.subgroups(what)
            groups = sg.keys // sg.per_group
            index = index + place.row_offsets(groups)[:, None, None]
        elif place.kind != "buffer":
            raise self.error(f"{what}: '{place.name}' is a private array; matrices load from buffers and shared arrays")
        return index

    def store(self, s: ir.CoopStore) -> None:
        value = self.visit(s.value)
        place = self.run.place(self.ev.frame, s.base)
        if not place.writable:
            raise self.error(f"coop store to read-only buffer '{place.name}'")
        addr = self.addresses(place, s.offset, s.stride, s.value.type, str(s.layout), f"store to '{s.base}'")
        sg = self.subgroups("store")
        first = np.zeros(len(sg.keys), dtype=np.int64)
        first[sg.row[::-1]] = np.arange(len(sg.row))[::-1]
        np.put(place.flat, addr.reshape(-1), value[first].reshape(-1))

    # ----------------------------------------------------------------- expressions

    def generic_visit(self, node: ir.Node) -> np.ndarray:
        raise self.error(f"cannot evaluate matrix expression {type(node).__name__}")

    def per_lane(self, per_subgroup: np.ndarray, what: str) -> np.ndarray:
        return per_subgroup[self.subgroups(what).row]

    def visit_CoopVar(self, e: ir.CoopVar) -> np.ndarray:
        store = self.locals.get(e.name)
        if store is None:
            raise self.error(f"unknown matrix '{e.name}'")
        return self.ev.lanes.take(store)

    def visit_CoopFill(self, e: ir.CoopFill) -> np.ndarray:
        value = self.uniform(self.scalar(e.value, "fill"), "the fill value")
        t = e.type
        full = np.broadcast_to(value.astype(dtype_of(t.elem))[:, None, None], (len(value), t.rows, t.cols))
        return self.per_lane(full, "fill")

    def visit_CoopLoad(self, e: ir.CoopLoad) -> np.ndarray:
        place = self.run.place(self.ev.frame, e.base)
        addr = self.addresses(place, e.offset, e.stride, e.type, str(e.layout), f"load from '{e.base}'")
        return self.per_lane(np.take(place.flat, addr), "load")

    def visit_CoopMulAdd(self, e: ir.CoopMulAdd) -> np.ndarray:
        a, b, c = self.visit(e.a), self.visit(e.b), self.visit(e.c)
        sg = self.subgroups("mul_add")
        first = np.zeros(len(sg.keys), dtype=np.int64)
        first[sg.row[::-1]] = np.arange(len(sg.row))[::-1]
        a, b, c = a[first], b[first], c[first]
        result = e.type.elem
        if result.is_float:
            wide = np.float64 if np.float64 in (a.dtype, b.dtype, c.dtype) else np.float32
            with np.errstate(all="ignore"):
                out = np.matmul(a.astype(wide), b.astype(wide)) + c.astype(wide)
        else:
            out = np.matmul(a.astype(np.int64), b.astype(np.int64)) + c.astype(np.int64)
        return out.astype(dtype_of(result))[sg.row]

    def visit_CoopBinary(self, e: ir.CoopBinary) -> np.ndarray:
        self.subgroups(str(e.op))
        return ops.binary(str(e.op), e.type.elem, self.visit(e.lhs), self.visit(e.rhs))

    def visit_CoopScale(self, e: ir.CoopScale) -> np.ndarray:
        m = self.visit(e.matrix)
        factor = self.uniform(self.scalar(e.scalar, "scale"), "the scale factor")
        lanes = self.per_lane(factor, "scale").astype(m.dtype)
        return ops.binary("mul", e.type.elem, m, lanes[:, None, None])

    def visit_CoopConvert(self, e: ir.CoopConvert) -> np.ndarray:
        self.subgroups("convert")
        return ops.cast(e.value.type.elem, e.type.elem, self.visit(e.value))
