"""Statements and structured control flow: if/else with OpSelectionMerge, loops
with OpLoopMerge and a continue target that runs the step, break, continue and
early return. Code after a terminator is unreachable and not emitted; a merge
block no path reaches is kept (structured control flow names it) and closed like
any other, so every loop keeps its one back edge."""
from __future__ import annotations

from . import ir
from .errors import LoweringError
from .lower_scan import expressions
from .lower_context import FunctionContext, LoopTargets
from .lower_expr import expr
from .lower_memory import element_pointer, store


def block(fx: FunctionContext, blk: ir.Block) -> None:
    for s in blk.stmts:
        if not fx.em.live:
            return
        handler = _HANDLERS.get(type(s))
        if handler is None:
            raise LoweringError(f"{fx.fn.name}: cannot lower statement {type(s).__name__}")
        handler(fx, s)


def _assign(fx: FunctionContext, s: ir.Assign) -> None:
    """The target's index, then the value, then the bounds check and the write
    (the order the software backend uses too)."""
    target = s.target
    if isinstance(target, ir.Var):
        local = fx.locals.get(target.name)
        if local is None:
            raise LoweringError(f"{fx.fn.name}: assignment to {target.name!r}, which is not a local")
        fx.em.emit("OpStore", local[0], expr(fx, s.value))
        return
    slot = fx.array(target.base)
    index = expr(fx, target.index)
    value = expr(fx, s.value)
    pointer = element_pointer(fx, slot, index, target.index.type, target.checked)
    if pointer is not None:
        store(fx, slot, pointer, value)


def _expr_stmt(fx: FunctionContext, s: ir.ExprStmt) -> None:
    expr(fx, s.expr)


def _if(fx: FunctionContext, s: ir.If) -> None:
    cond = expr(fx, s.cond)
    then_label, merge = fx.em.new_label(), fx.em.new_label()
    else_label = fx.em.new_label() if s.otherwise.stmts else merge
    fx.em.emit("OpSelectionMerge", merge, "None")
    fx.em.terminate("OpBranchConditional", cond, then_label, else_label)
    reaches_merge = else_label == merge
    for label, body in ((then_label, s.then), (else_label, s.otherwise)):
        if label == merge:
            continue
        fx.em.start_block(label)
        block(fx, body)
        if fx.em.open:
            reaches_merge = reaches_merge or not fx.em.dead
            fx.em.branch(merge)
    if reaches_merge:
        fx.em.start_block(merge)
    else:
        fx.em.dead_block(merge)


def _loop(fx: FunctionContext, s: ir.Loop) -> None:
    _check_step(fx, s.step)
    header, body, cont, merge = (fx.em.new_label() for _ in range(4))
    fx.em.branch(header)
    fx.em.start_block(header)
    fx.em.emit("OpLoopMerge", merge, cont, "None")
    if s.cond is None:
        fx.em.branch(body)
    else:
        check = fx.em.new_label()
        fx.em.branch(check)
        fx.em.start_block(check)
        fx.em.terminate("OpBranchConditional", expr(fx, s.cond), body, merge)
    targets = LoopTargets(merge, cont)
    fx.loops.append(targets)
    fx.em.start_block(body)
    block(fx, s.body)
    if fx.em.open:
        targets.continued = targets.continued or not fx.em.dead
        fx.em.branch(cont)
    fx.loops.pop()
    fx.em.start_block(cont)
    if targets.continued:
        block(fx, s.step)
    if fx.em.open:
        fx.em.branch(header)
    if s.cond is not None or targets.broke:
        fx.em.start_block(merge)
    else:
        fx.em.dead_block(merge)


def _check_step(fx: FunctionContext, step: ir.Block) -> None:
    """The step runs in the loop's continue construct, which SPIR-V lets end only
    in the back edge: a return (or @simd bounds check) there has no structured form."""
    if _returns(step) or any(type(e) is ir.Index and e.checked for e in expressions(step)):
        raise LoweringError(f"{fx.fn.name}: a loop step cannot return or use a checked index; "
                            f"move that code into the loop body")


def _returns(blk: ir.Block) -> bool:
    """True when a return statement is in `blk`, nested blocks included."""
    for s in blk.stmts:
        if isinstance(s, ir.Return):
            return True
        if isinstance(s, ir.If) and (_returns(s.then) or _returns(s.otherwise)):
            return True
        if isinstance(s, ir.Loop) and (_returns(s.body) or _returns(s.step)):
            return True
    return False


def _innermost_loop(fx: FunctionContext, what: str) -> LoopTargets:
    if not fx.loops:
        raise LoweringError(f"{fx.fn.name}: {what} outside a loop")
    return fx.loops[-1]


def _break(fx: FunctionContext, s: ir.Break) -> None:
    loop = _innermost_loop(fx, "break")
    loop.broke = True
    fx.em.branch(loop.merge)


def _continue(fx: FunctionContext, s: ir.Continue) -> None:
    loop = _innermost_loop(fx, "continue")
    loop.continued = True
    fx.em.branch(loop.cont)


def _return(fx: FunctionContext, s: ir.Return) -> None:
    if s.value is None:
        fx.return_early()
        return
    if fx.is_kernel:
        raise LoweringError(f"{fx.fn.name}: a kernel returns no value")
    fx.em.terminate("OpReturnValue", expr(fx, s.value))


_HANDLERS = {
    ir.Assign: _assign, ir.ExprStmt: _expr_stmt, ir.If: _if, ir.Loop: _loop,
    ir.Break: _break, ir.Continue: _continue, ir.Return: _return,
}
