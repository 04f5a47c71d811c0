"""The lockstep interpreter: statements over the active lanes of a frame.

Every work item of every work-group is one lane of one vector, and all lanes
execute each statement together (lanes of a group in lockstep), so a barrier
needs no action: every write before it is visible after it. Control flow
narrows the set of active lanes: `If` splits it, `Loop` repeats while any lane
is still looping (per-lane `Break`/`Continue`), `Return` drops the lane for the
rest of the function (in helpers, recording its result).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.visitor import Visitor

from . import vector_access
from .coop_matrix import CoopEval
from .errors import SoftwareExecutionError
from .evaluate import Eval
from .frame import Frame, LoopState
from .geometry import Geometry
from .lanes import Lanes
from .memory import Place, array_place, array_storage, buffer_place


class KernelRun(Visitor[Lanes]):
    """One launch of one kernel: its memory, geometry and the statement executor
    (a method per statement kind, `visit(stmt, frame, lanes)` -> the lanes after it)."""

    def __init__(self, module: ir.Module, kernel: ir.Kernel, geometry: Geometry,
                 buffers: dict[str, np.ndarray], scalars: dict[str, np.generic]):
        self.module, self.kernel, self.geometry = module, kernel, geometry
        self.constants = {c.name: c for c in module.constants}
        self.functions = {f.name: f for f in module.functions}
        self.memory: dict[str, Place] = {}
        for p in kernel.params:
            if isinstance(p.type, ir.BufferType):
                self.memory[p.name] = buffer_place(p.name, p.type, buffers[p.name])
        groups = geometry.lanes // geometry.group_size
        for s in kernel.shared:
            self.memory[s.name] = array_place(s.name, s.type, array_storage(s.type, groups))
        self.scalars = scalars

    def execute(self) -> None:
        lanes = self.geometry.lanes
        if lanes:
            frame = Frame(self.kernel, lanes, None, dict(self.scalars))
            self.exec_block(frame, self.kernel.body, Lanes(lanes))

    def error(self, message: str) -> SoftwareExecutionError:
        return SoftwareExecutionError(f"kernel '{self.kernel.name}': {message}")

    def place(self, frame: Frame, name: str) -> Place:
        if name in frame.arrays:
            return frame.arrays[name]
        if frame.lane_ids is None and name in self.memory:
            return self.memory[name]
        raise self.error(f"unknown buffer or array '{name}' in {frame.fn.name}")

    def call(self, name: str, args: list[np.ndarray], lane_ids: np.ndarray) -> Optional[np.ndarray]:
        """Run helper `name` for the lanes `lane_ids` (kernel lanes); its result per lane."""
        fn = self.functions.get(name)
        if fn is None:
            raise self.error(f"call of unknown helper '{name}'")
        if len(args) != len(fn.params):
            raise self.error(f"helper '{name}' takes {len(fn.params)} arguments, got {len(args)}")
        frame = Frame(fn, len(lane_ids), lane_ids, {p.name: a for p, a in zip(fn.params, args)})
        if frame.width:
            self.exec_block(frame, fn.body, Lanes(frame.width))
        return frame.result

    # ----------------------------------------------------------------- statements

    def exec_block(self, frame: Frame, block: ir.Block, lanes: Lanes) -> Lanes:
        """Run `block` on `lanes`; the lanes that reach its end."""
        for stmt in block.stmts:
            if not lanes.count:
                break
            lanes = self.visit(stmt, frame, lanes)
        return lanes

    def generic_visit(self, node: ir.Node, *context: object) -> Lanes:
        raise self.error(f"cannot execute statement {type(node).__name__}")

    def visit_Assign(self, s: ir.Assign, frame: Frame, lanes: Lanes) -> Lanes:
        ev = Eval(self, frame, lanes)
        if isinstance(s.target, ir.Index):
            ev.store(s.target, s.value)
            return ev.survivors()
        if s.target.name not in frame.locals:
            raise self.error(f"assignment to '{s.target.name}', not a scalar local of {frame.fn.name}")
        value = ev.eval(s.value)
        survivors = ev.survivors()
        if ev.alive is not None:
            value = value[ev.alive]
        store = frame.locals[s.target.name]
        if survivors.full:
            store[...] = value
        else:
            store[survivors.idx] = value
        return survivors

    def visit_VectorLoad(self, s: ir.VectorLoad, frame: Frame, lanes: Lanes) -> Lanes:
        ev = Eval(self, frame, lanes)
        loaded = vector_access.load(ev, s)
        survivors = ev.survivors()
        if loaded is None:
            return survivors
        for target, value in zip(s.targets, loaded):
            if target.name not in frame.locals:
                raise self.error(f"vector load into '{target.name}', not a scalar local of {frame.fn.name}")
            value = value if ev.alive is None else value[ev.alive]
            if survivors.full:
                frame.locals[target.name][...] = value
            else:
                frame.locals[target.name][survivors.idx] = value
        return survivors

    def visit_VectorStore(self, s: ir.VectorStore, frame: Frame, lanes: Lanes) -> Lanes:
        ev = Eval(self, frame, lanes)
        vector_access.store(ev, s)
        return ev.survivors()

    def visit_CoopAssign(self, s: ir.CoopAssign, frame: Frame, lanes: Lanes) -> Lanes:
        store = frame.matrices.get(s.name)
        if store is None:
            raise self.error(f"assignment to '{s.name}', not a matrix local of {frame.fn.name}")
        value = CoopEval(Eval(self, frame, lanes), frame.matrices).visit(s.value)
        if lanes.full:
            store[...] = value
        else:
            store[lanes.idx] = value
        return lanes

    def visit_CoopStore(self, s: ir.CoopStore, frame: Frame, lanes: Lanes) -> Lanes:
        CoopEval(Eval(self, frame, lanes), frame.matrices).store(s)
        return lanes

    def visit_ExprStmt(self, s: ir.ExprStmt, frame: Frame, lanes: Lanes) -> Lanes:
        ev = Eval(self, frame, lanes)
        ev.visit(s.expr)
        return ev.survivors()

    def visit_If(self, s: ir.If, frame: Frame, lanes: Lanes) -> Lanes:
        ev = Eval(self, frame, lanes)
        cond = ev.eval(s.cond)
        then_lanes, else_lanes = lanes.subset(ev.live(cond)), lanes.subset(ev.live(~cond))
        return Lanes.union(frame.width, [self.exec_block(frame, s.then, then_lanes),
                                         self.exec_block(frame, s.otherwise, else_lanes)])

    def visit_Loop(self, s: ir.Loop, frame: Frame, lanes: Lanes) -> Lanes:
        done: list[Lanes] = []
        while lanes.count:
            if s.cond is not None:
                ev = Eval(self, frame, lanes)
                cond = ev.eval(s.cond)
                done.append(lanes.subset(ev.live(~cond)))
                lanes = lanes.subset(ev.live(cond))
                if not lanes.count:
                    break
            state = LoopState()
            frame.loops.append(state)
            try:
                lanes = self.exec_block(frame, s.body, lanes)
                lanes = Lanes.union(frame.width, [lanes, *state.continued])
                state.continued = []
                lanes = self.exec_block(frame, s.step, lanes)
                lanes = Lanes.union(frame.width, [lanes, *state.continued])
            finally:
                frame.loops.pop()
            done.extend(state.broken)
        return Lanes.union(frame.width, done)

    def visit_Break(self, s: ir.Break, frame: Frame, lanes: Lanes) -> Lanes:
        self._innermost_loop(frame, "break").broken.append(lanes)
        return Lanes.none(frame.width)

    def visit_Continue(self, s: ir.Continue, frame: Frame, lanes: Lanes) -> Lanes:
        self._innermost_loop(frame, "continue").continued.append(lanes)
        return Lanes.none(frame.width)

    def _innermost_loop(self, frame: Frame, what: str) -> LoopState:
        if not frame.loops:
            raise self.error(f"'{what}' outside a loop in {frame.fn.name}")
        return frame.loops[-1]

    def visit_Return(self, s: ir.Return, frame: Frame, lanes: Lanes) -> Lanes:
        if s.value is not None and frame.result is not None:
            ev = Eval(self, frame, lanes)
            value = ev.eval(s.value)
            survivors = ev.survivors()
            frame.result[survivors.idx] = value if ev.alive is None else value[ev.alive]
        return Lanes.none(frame.width)

