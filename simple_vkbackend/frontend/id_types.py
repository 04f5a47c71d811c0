"""Thread ids take the integer type their uses need (docs/language.md).

An id builtin (`gpu.global_id(0)`, `gpu_thread_id_x()`, `this.index()` ...), an
untyped local bound to one (`val i = gpu_global_id(0)`), and arithmetic on such
values and literals are *flexible*: typed `i32` by default, but where a use
needs another integer type (`i < n` with `n: u32`, `out[i + 50u32]`), instead of
the mismatch error the value takes that type. A flexible local cannot change its
type in the middle of checking, so the use is recorded as a *demand* on the
local; the function is checked again with the local declared at the demanded
type (ids are non-negative and far below 2^31, so the conversion is exact).
Only places that would otherwise be type errors make demands: code that
compiled before keeps its meaning. Two demands of different types on one local
are an error naming both uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..lowering import ir
from .source import Span
from .types import fits


@dataclass
class Demand:
    name: str  # the local's source name
    type: ir.ScalarType
    span: Span  # the use that needs the type


@dataclass
class IdTyping:
    """The flexible values of one checking pass of one function, and the demands
    their uses made. `decided` (declaration offset -> (type, demand)) carries the
    outcome of earlier passes."""

    decided: dict[int, tuple[ir.ScalarType, Demand]] = field(default_factory=dict)
    flexible: dict[int, ir.Expr] = field(default_factory=dict)  # id(node) -> node (kept alive)
    locals: dict[str, tuple[str, int]] = field(default_factory=dict)  # IR name -> (source name, decl offset)
    demands: dict[int, list[Demand]] = field(default_factory=dict)  # decl offset -> demands
    inferred: dict[str, Demand] = field(default_factory=dict)  # IR name -> the demand that typed it

    def mark(self, e: Optional[ir.Expr]) -> Optional[ir.Expr]:
        if e is not None:
            self.flexible[id(e)] = e
        return e

    def is_flexible(self, e) -> bool:
        return isinstance(e, ir.Expr) and self.flexible.get(id(e)) is e

    def mark_if_derived(self, result, operands) -> None:
        """`result` of an operator is flexible when its operands are flexible values
        and constants, with at least one flexible."""
        flexible = self.flexible
        if not flexible or result.__class__ not in (ir.Binary, ir.Unary):
            return
        derived = False
        for o in operands:
            if flexible.get(id(o)) is o:
                derived = True
            elif o.__class__ is not ir.Const:
                return
        if derived and result.type.is_int:
            flexible[id(result)] = result

    def local_declared(self, ir_name: str, name: str, offset: int) -> Optional[tuple[ir.ScalarType, Demand]]:
        """Record a flexible local; its decided type if an earlier pass fixed one."""
        if offset in self.decided:
            self.inferred[ir_name] = self.decided[offset][1]
            return self.decided[offset]
        self.locals[ir_name] = (name, offset)
        return None

    def retype(self, e: ir.Expr, t: ir.ScalarType, span: Span) -> ir.Expr:
        """The flexible value `e` as a value of integer type `t`."""
        if isinstance(e, ir.Var) and e.name in self.locals:
            name, offset = self.locals[e.name]
            self.demands.setdefault(offset, []).append(Demand(name, t, span))
            return ir.Cast(t, e)
        if isinstance(e, ir.Binary) and e.op not in ir.COMPARE_OPS:
            return ir.Binary(t, e.op, self.operand(e.lhs, t, span), self.operand(e.rhs, t, span))
        if isinstance(e, ir.Unary):
            return ir.Unary(t, e.op, self.operand(e.operand, t, span))
        return ir.Cast(t, e)

    def operand(self, e: ir.Expr, t: ir.ScalarType, span: Span) -> ir.Expr:
        if isinstance(e, ir.Const):
            return ir.Const(t, e.value) if fits(e.value, t) else ir.Cast(t, e)
        return self.retype(e, t, span) if self.is_flexible(e) else ir.Cast(t, e)

    def new_decisions(self) -> tuple[dict[int, tuple[ir.ScalarType, Demand]], list[tuple[Demand, Demand]]]:
        """The types this pass's demands fix, and the pairs of conflicting demands."""
        fixed, conflicts = {}, []
        for offset, demands in self.demands.items():
            first = demands[0]
            other = next((d for d in demands if d.type != first.type), None)
            if other is not None:
                conflicts.append((first, other))
            fixed[offset] = (first.type, first)
        return fixed, conflicts
