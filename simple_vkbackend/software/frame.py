"""What one activation of a function holds while the software backend runs it, and what
expression evaluation needs of the running kernel (`KernelContext`), so that the
evaluator (evaluate.py) and the statement executor (interp.py) share these without
importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Protocol, Union

import numpy as np

from simple_vkbackend.lowering import ir

from .errors import SoftwareExecutionError
from .geometry import Geometry
from .lanes import Lanes
from .memory import Place, array_place, array_storage
from .values import dtype_of, zeros


@dataclass
class LoopState:
    broken: list[Lanes] = field(default_factory=list)
    continued: list[Lanes] = field(default_factory=list)


class Frame:
    """One activation of the kernel or of a helper: `width` lanes, each a work item.

    `lane_ids` maps the frame's lanes to kernel lanes (None in the kernel frame).
    Locals are frame-wide vectors (private arrays: [width, length]); parameters are
    vectors in helpers and uniform numpy scalars in the kernel."""

    def __init__(self, fn: Union[ir.Kernel, ir.Function], width: int,
                 lane_ids: Optional[np.ndarray], params: dict):
        self.fn, self.width, self.lane_ids, self.params = fn, width, lane_ids, params
        self.locals: dict[str, np.ndarray] = {}
        self.arrays: dict[str, Place] = {}
        self.matrices: dict[str, np.ndarray] = {}  # cooperative matrix locals: [width, rows, cols]
        for local in fn.locals:
            if isinstance(local.type, ir.CoopMatrixType):
                t = local.type
                self.matrices[local.name] = np.zeros((width, t.rows, t.cols), dtype=dtype_of(t.elem))
            elif isinstance(local.type, ir.ArrayType):
                storage = array_storage(local.type, width)
                self.arrays[local.name] = array_place(local.name, local.type, storage)
            else:
                self.locals[local.name] = zeros(local.type, width)
        ret = getattr(fn, "ret", None)
        self.result = zeros(ret, width) if ret is not None else None
        self.loops: list[LoopState] = []


class KernelContext(Protocol):
    """The running kernel as the expression evaluator sees it (interp.KernelRun)."""

    constants: dict[str, ir.Constant]
    geometry: Geometry

    def error(self, message: str) -> SoftwareExecutionError: ...

    def place(self, frame: Frame, name: str) -> Place: ...

    def call(self, name: str, args: list[np.ndarray], lane_ids: np.ndarray) -> Optional[np.ndarray]: ...
