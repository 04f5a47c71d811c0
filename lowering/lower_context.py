"""The state of lowering one function, and the block-level primitives of
structured control flow that statements and expressions share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from . import ir
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
    """Where the lowering of one kernel or helper stands.

    `label` is the current block; `open` is False once that block has its
    terminator. `dead` marks an open block no path reaches (the merge after all
    paths left); the code after a break, continue or return is skipped, and a dead
    block is closed like a live one, so enclosing constructs keep their shape."""

    b: ModuleBuilder
    t: TypeMap
    g: KernelGlobals
    module: ir.Module
    fn: Union[ir.Kernel, ir.Function]
    function_ids: dict[str, int]
    label: int = 0
    open: bool = False
    dead: bool = False
    loops: list[LoopTargets] = field(default_factory=list)
    locals: dict[str, tuple[int, ir.ScalarType]] = field(default_factory=dict)
    params: dict[str, int] = field(default_factory=dict)  # helper parameters (SSA values)
    arrays: dict[str, ArraySlot] = field(default_factory=dict)
    constants: dict[str, ir.Constant] = field(default_factory=dict)

    @property
    def is_kernel(self) -> bool:
        return isinstance(self.fn, ir.Kernel)

    # ------------------------------------------------------------------ blocks

    def emit(self, opname: str, *operands) -> Optional[int]:
        return self.b.instr(opname, *operands)

    def new_label(self) -> int:
        return self.b.new_id()

    def start_block(self, label: int) -> None:
        self.b.label(label)
        self.label, self.open, self.dead = label, True, False

    @property
    def live(self) -> bool:
        """Code emitted now can run."""
        return self.open and not self.dead

    def terminate(self, opname: str, *operands) -> None:
        self.b.instr(opname, *operands)
        self.open = False

    def branch(self, target: int) -> None:
        self.terminate("OpBranch", target)

    def dead_block(self, label: int) -> None:
        """Start a block no path reaches (a merge after all paths left); it is kept
        for structure and later closed by the enclosing construct."""
        self.start_block(label)
        self.dead = True

    def return_early(self) -> None:
        """Leave the function here: a kernel's work item ends; a helper returns a zero."""
        ret = None if self.is_kernel else self.fn.ret
        if ret is None:
            self.terminate("OpReturn")
        else:
            self.terminate("OpReturnValue", self.t.null(self.t.scalar(ret)))

    # ------------------------------------------------------------------ value-producing selections

    def if_value(self, cond: int, result_type: int,
                 then: Callable[[], int], otherwise: Callable[[], int]) -> int:
        """A selection construct evaluating only the chosen side; an OpPhi joins them."""
        then_label, else_label, merge = self.new_label(), self.new_label(), self.new_label()
        self.emit("OpSelectionMerge", merge, "None")
        self.terminate("OpBranchConditional", cond, then_label, else_label)
        self.start_block(then_label)
        then_value, then_end = then(), self.label
        self.branch(merge)
        self.start_block(else_label)
        else_value, else_end = otherwise(), self.label
        self.branch(merge)
        self.start_block(merge)
        return self.emit("OpPhi", result_type, then_value, then_end, else_value, else_end)

    def short_circuit(self, lhs: int, is_and: bool, rhs: Callable[[], int]) -> int:
        """`lhs and rhs()` / `lhs or rhs()`, evaluating rhs only when needed."""
        rhs_label, merge, start = self.new_label(), self.new_label(), self.label
        self.emit("OpSelectionMerge", merge, "None")
        if is_and:
            self.terminate("OpBranchConditional", lhs, rhs_label, merge)
        else:
            self.terminate("OpBranchConditional", lhs, merge, rhs_label)
        self.start_block(rhs_label)
        rhs_value, rhs_end = rhs(), self.label
        self.branch(merge)
        self.start_block(merge)
        skipped = self.t.false() if is_and else self.t.true()
        return self.emit("OpPhi", self.t.bool, skipped, start, rhs_value, rhs_end)

    def guard(self, ok: int) -> None:
        """Go on only where `ok` holds; elsewhere leave the function (checked index)."""
        ok_label, fail_label = self.new_label(), self.new_label()
        self.emit("OpSelectionMerge", ok_label, "None")
        self.terminate("OpBranchConditional", ok, ok_label, fail_label)
        self.start_block(fail_label)
        self.return_early()
        self.start_block(ok_label)

    # ------------------------------------------------------------------ names

    def array(self, name: str) -> ArraySlot:
        try:
            return self.arrays[name]
        except KeyError:
            raise LoweringError(f"{self.fn.name}: {name!r} is not a buffer or array here") from None
