"""The state of lowering one function (its emitter is codegen/emitter.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from . import ir
from .codegen.emitter import Emitter
from .errors import LoweringError
from .lower_globals import ArraySlot, KernelGlobals
from .lower_types import TypeMap
from .spirv_builder import ModuleBuilder


@dataclass
class LoopTargets:
    merge: int
    cont: int
    broke: bool = False
    continued: bool = False


@dataclass
class FunctionContext:
    """Where the lowering of one kernel or helper stands: its names and loops; `em`
    emits its instructions (block discipline, structured constructs)."""

    b: ModuleBuilder
    t: TypeMap
    g: KernelGlobals
    module: ir.Module
    fn: Union[ir.Kernel, ir.Function]
    function_ids: dict[str, int]
    loops: list[LoopTargets] = field(default_factory=list)
    locals: dict[str, tuple[int, ir.ScalarType]] = field(default_factory=dict)
    params: dict[str, int] = field(default_factory=dict)  # helper parameters (SSA values)
    arrays: dict[str, ArraySlot] = field(default_factory=dict)
    constants: dict[str, ir.Constant] = field(default_factory=dict)
    em: Emitter = field(init=False)

    def __post_init__(self) -> None:
        self.em = Emitter(self.b, self.t)

    @property
    def is_kernel(self) -> bool:
        return isinstance(self.fn, ir.Kernel)

    def return_early(self) -> None:
        """Leave the function here: a kernel's work item ends; a helper returns a zero."""
        ret = None if self.is_kernel else self.fn.ret
        if ret is None:
            self.em.terminate("OpReturn")
        else:
            self.em.terminate("OpReturnValue", self.t.null(self.t.scalar(ret)))

    def guard(self, ok: int) -> None:
        """Go on only where `ok` holds; elsewhere leave the function (checked index)."""
        with self.em.unless(ok):
            self.return_early()

    # ------------------------------------------------------------------ names

    def array(self, name: str) -> ArraySlot:
        try:
            return self.arrays[name]
        except KeyError:
            raise LoweringError(f"{self.fn.name}: {name!r} is not a buffer or array here") from None
