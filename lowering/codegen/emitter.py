"""The emitter of one function's instructions, block by block.

It keeps the current block and refuses to emit into a block that has its
terminator (or before the first one), as rspirv's builder does; it gives the
structured constructs SPIR-V asks for as helpers, so no lowering writes out
merge and continue blocks by hand:

    with em.loop([(ty, initial)]) as lp:      # header: one OpPhi per carried value
        (value,) = lp.values
        lp.enter_while(condition)           # OpLoopMerge; leave when false
        ... em.emit(..., result=lp.next[0])  # the value for the next iteration
                                            # (then: continue block, back edge, merge)
    with em.if_else(cond) as sel:           # if/else; the merge follows
        with sel.then(): ...
        with sel.otherwise(): ...
    with em.if_then(cond): ...
    with em.unless(ok):                     # a selection whose body runs where ok fails
        ...                                 # (code goes on at the merge)

`if_value` and `short_circuit` give a value chosen by a condition, evaluating only
the side taken. Expressions are `Value`s: a result id with its IR type.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Protocol, Sequence

from .. import ir
from ..errors import LoweringError
from ..spirv_builder import ModuleBuilder
from .type_map import TypeMap


class LoopCounter(Protocol):
    """What `Emitter.loop` asks of the loop budget (codegen/loop_budget.py)."""

    def counted_back_edge(self, em: "Emitter") -> None: ...

    def exit(self, em: "Emitter", check: bool = False, loops: int = 1) -> None: ...


@dataclass(slots=True)
class Value:
    """A value of the IR: its SPIR-V result id and its IR scalar type. (Not frozen:
    one is made per expression, and a frozen dataclass is slower to make.)"""

    id: int
    type: ir.ScalarType


@dataclass
class Loop:
    """The blocks of a structured loop and the values its header carries: `values`
    are the header's OpPhi results, `next` the ids to give their next values."""

    em: "Emitter"
    header: int
    body: int
    cont: int
    merge: int
    next: list[int]
    values: list[int] = field(default_factory=list)

    def enter_while(self, condition: int) -> None:
        """End the header: run the body while `condition` holds, else leave."""
        self.em.emit("OpLoopMerge", self.merge, self.cont, "None")
        self.em.terminate("OpBranchConditional", condition, self.body, self.merge)
        self.em.start_block(self.body)

    def enter(self) -> None:
        """End the header: always run the body (leave it with `exit_if`)."""
        self.em.emit("OpLoopMerge", self.merge, self.cont, "None")
        self.em.branch(self.body)
        self.em.start_block(self.body)

    def exit_if(self, done: int) -> None:
        """End the body: leave when `done` holds, else go round again."""
        self.em.terminate("OpBranchConditional", done, self.merge, self.cont)


class Selection:
    """An if/else construct under way (see `Emitter.if_else`): `then()` and
    `otherwise()` are its arms; it records whether any arm reaches the merge."""

    def __init__(self, em: "Emitter", cond: int, has_else: bool):
        self.em = em
        self.then_label, self.merge = em.new_label(), em.new_label()
        self.else_label = em.new_label() if has_else else self.merge
        em.emit("OpSelectionMerge", self.merge, "None")
        em.terminate("OpBranchConditional", cond, self.then_label, self.else_label)
        self.reaches_merge = not has_else  # a missing else arm goes straight there

    @contextmanager
    def then(self) -> Iterator[None]:
        with self._arm(self.then_label):
            yield

    @contextmanager
    def otherwise(self) -> Iterator[None]:
        if self.else_label == self.merge:
            raise LoweringError("internal: else arm of a selection made without one")
        with self._arm(self.else_label):
            yield

    @contextmanager
    def _arm(self, label: int) -> Iterator[None]:
        self.em.start_block(label)
        yield
        if self.em.open:
            self.reaches_merge = self.reaches_merge or not self.em.dead
            self.em.branch(self.merge)


class Emitter:
    """Appends instructions to the current block of a function under construction.

    `label` is the current block; `open` is False once that block has its
    terminator. `dead` marks an open block no path reaches (the merge after all
    paths left); a dead block is closed like a live one, so enclosing constructs
    keep their shape."""

    def __init__(self, b: ModuleBuilder, t: TypeMap):
        self.b, self.t = b, t
        self.budget: Optional[LoopCounter] = None  # counts loop passes (Target.loop_iteration_limit)
        self.label = 0
        self.open = False
        self.dead = False

    # ------------------------------------------------------------------ blocks

    def emit(self, opname: str, *operands, result: Optional[int] = None) -> int:
        """Append to the current block; the result id (0 for an instruction without one)."""
        if not self.open:
            where = f"block %{self.label}, which is terminated" if self.label else "no block"
            raise LoweringError(f"internal: {opname} emitted into {where}")
        if result is None:
            return self.b.instr(opname, *operands)
        return self.b.instr(opname, *operands, result=result)

    def new_label(self) -> int:
        return self.b.new_id()

    def start_block(self, label: int) -> None:
        if self.open:
            raise LoweringError(f"internal: block %{label} starts inside unterminated block %{self.label}")
        self.b.label(label)
        self.label, self.open, self.dead = label, True, False

    @property
    def live(self) -> bool:
        """Code emitted now can run."""
        return self.open and not self.dead

    def terminate(self, opname: str, *operands) -> None:
        self.emit(opname, *operands)
        self.open = False

    def branch(self, target: int) -> None:
        self.terminate("OpBranch", target)

    def dead_block(self, label: int) -> None:
        """Start a block no path reaches (a merge after all paths left); it is kept
        for structure and later closed by the enclosing construct."""
        self.start_block(label)
        self.dead = True

    # ------------------------------------------------------------------ structured constructs

    @contextmanager
    def loop(self, carried: Sequence[tuple[int, int]] = ()) -> Iterator[Loop]:
        """A structured loop from the current block. `carried` is (SPIR-V type,
        initial value) per value the header carries in an OpPhi. The body must
        start with `enter` or `enter_while`; when it ends open it branches to the
        continue block, which branches back to the header; code goes on at the merge."""
        start = self.label
        header, body, cont, merge = (self.new_label() for _ in range(4))
        lp = Loop(self, header, body, cont, merge, [self.b.new_id() for _ in carried])
        self.branch(header)
        self.start_block(header)
        lp.values = [self.emit("OpPhi", ty, initial, start, nxt, cont)
                     for (ty, initial), nxt in zip(carried, lp.next)]
        yield lp
        if self.open:
            self.branch(cont)
        self.start_block(cont)
        if self.budget is not None:
            self.budget.counted_back_edge(self)
        self.branch(header)
        self.start_block(merge)
        if self.budget is not None:
            self.budget.exit(self, check=True)

    @contextmanager
    def if_else(self, cond: int, has_else: bool = True) -> Iterator[Selection]:
        """A selection construct: emit its arms inside `with sel.then():` and
        `with sel.otherwise():`. Code goes on at the merge, which is a dead block
        when no arm reaches it."""
        sel = Selection(self, cond, has_else)
        yield sel
        if sel.reaches_merge:
            self.start_block(sel.merge)
        else:
            self.dead_block(sel.merge)

    @contextmanager
    def if_then(self, cond: int) -> Iterator[None]:
        """`if cond:` the body of the `with`; code goes on after it."""
        with self.if_else(cond, has_else=False) as sel, sel.then():
            yield

    @contextmanager
    def unless(self, ok: int) -> Iterator[None]:
        """A selection whose body runs only where `ok` is false; code after it
        goes on (where `ok` holds) in the merge block."""
        merge, body = self.new_label(), self.new_label()
        self.emit("OpSelectionMerge", merge, "None")
        self.terminate("OpBranchConditional", ok, merge, body)
        self.start_block(body)
        yield
        if self.open:
            self.branch(merge)
        self.start_block(merge)

    def if_value(self, cond: Value, ty: ir.ScalarType,
                 then: Callable[[], Value], otherwise: Callable[[], Value]) -> Value:
        """A selection construct evaluating only the chosen side; an OpPhi of type
        `ty` joins them."""
        result_type = self.t.scalar(ty)
        then_label, else_label, merge = self.new_label(), self.new_label(), self.new_label()
        self.emit("OpSelectionMerge", merge, "None")
        self.terminate("OpBranchConditional", cond.id, then_label, else_label)
        self.start_block(then_label)
        then_value, then_end = then(), self.label
        self.branch(merge)
        self.start_block(else_label)
        else_value, else_end = otherwise(), self.label
        self.branch(merge)
        self.start_block(merge)
        return Value(self.emit("OpPhi", result_type, then_value.id, then_end, else_value.id, else_end), ty)

    def short_circuit(self, lhs: Value, is_and: bool, rhs: Callable[[], Value]) -> Value:
        """`lhs and rhs()` / `lhs or rhs()`, evaluating rhs only when needed."""
        rhs_label, merge, start = self.new_label(), self.new_label(), self.label
        self.emit("OpSelectionMerge", merge, "None")
        if is_and:
            self.terminate("OpBranchConditional", lhs.id, rhs_label, merge)
        else:
            self.terminate("OpBranchConditional", lhs.id, merge, rhs_label)
        self.start_block(rhs_label)
        rhs_value, rhs_end = rhs(), self.label
        self.branch(merge)
        self.start_block(merge)
        skipped = self.t.false() if is_and else self.t.true()
        return Value(self.emit("OpPhi", self.t.bool, skipped, start, rhs_value.id, rhs_end), ir.BOOL)
