"""Quick passes over function bodies for what the lowering must know before it
emits code: the helpers a kernel calls and the arrays whose f32 atomic adds
become compare-exchange loops."""
from __future__ import annotations

from typing import Union

from .. import ir
from ..errors import LoweringError
from ..ir.walk import all_exprs


def called_helpers(module: ir.Module, root: Union[ir.Kernel, ir.Function]) -> list[ir.Function]:
    """Helpers reachable from `root`, callees before callers (the IR has no recursion)."""
    order: list[ir.Function] = []
    seen: set[str] = set()

    def visit(fn: Union[ir.Kernel, ir.Function]) -> None:
        for e in all_exprs(fn.body):
            if type(e) is ir.Call and e.func not in seen:
                seen.add(e.func)
                try:
                    callee = module.function(e.func)
                except KeyError:
                    raise LoweringError(f"{fn.name}: call of unknown function {e.func!r}") from None
                visit(callee)
                order.append(callee)

    visit(root)
    return order


def float_add_arrays(kernel: ir.Kernel) -> frozenset[str]:
    """Buffers and shared arrays that an f32 atomic add updates."""
    return frozenset(e.base for e in all_exprs(kernel.body)
                     if type(e) is ir.Atomic and e.op == "add" and e.type is not None and e.type.is_float)
