"""Bringing checked values to the types their uses need: untyped constants take a
type, exact widenings are implicit, thread-id locals adapt to their first use;
anything else is an error that says which cast to write. A base of ExprChecker."""
from __future__ import annotations

from typing import Callable, Optional, Union

from ..lowering import ir
from ..lowering.ir import F32, I32, ScalarType
from . import ast
from .check_values import Untyped, Value, source_text, type_of
from .id_types import IdTyping
from .scope import Binding
from .source import Span
from .types import cast_target, convert_constant, fits, int_range, widens


class Coercions:
    """Type adaptation for ExprChecker (which provides `error`, `ids` and `lookup`)."""

    ids: Optional[IdTyping]
    lookup: Callable[[str], Optional[Binding]]

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        raise NotImplementedError

    def materialize(self, v: Value, hint: Optional[ScalarType], node) -> Optional[ir.Expr]:
        """An untyped constant given a type: the hint's if numeric, else i32 / f32."""
        if not isinstance(v, Untyped):
            return v
        if hint is not None and not hint.is_bool and (hint.is_float or not v.is_float):
            t = hint
        else:
            t = F32 if v.is_float else I32
        return self.constant(v, t, node)

    def constant(self, v: Untyped, t: ScalarType, node) -> Optional[ir.Expr]:
        value = float(v.value) if t.is_float else v.value
        if not fits(value, t):
            if t.is_int:
                lo, hi = int_range(t)
                self.error(f"literal `{v.value}` is out of range for `{t}` ({lo}..={hi})", node.span,
                           f"write `{source_text(node)} as {t}` to wrap it, or use a wider type")
            else:
                self.error(f"literal is out of range for `{t}`", node.span)
            return None
        return ir.Const(t, value)

    def coerce(self, v: Value, t: ScalarType, node, context: str = "") -> Optional[ir.Expr]:
        """`v` as a value of type `t`: an untyped constant adapts, an exact
        widening is implicit, anything else is an error with the cast to write."""
        if v is None:
            return None
        if isinstance(v, Untyped):
            if t.is_bool or (v.is_float and not t.is_float):
                hint = None if t.is_bool else f"write `{source_text(node)} as {t}` to truncate it"
                self.error(f"expected `{t}`{context}, found {v.describe()}", node.span, hint)
                return None
            return self.constant(v, t, node)
        if v.type == t:
            return v
        if widens(type_of(v), t):
            return ir.Cast(t, v)
        if self.ids is not None and t.is_int and self.ids.is_flexible(v):
            return self.ids.retype(v, t, node.span)
        self.error(f"mismatched types: expected `{t}`{context}, found `{v.type}`", node.span,
                   self.cast_hint(node, type_of(v), t))
        return None

    def cast_hint(self, node, src: ScalarType, dst: ScalarType) -> str:
        if dst.is_bool:
            return f"write `{source_text(node)} != 0`"
        return self.inferred_note(node) + f"write `{source_text(node)} as {dst}`"

    def inferred_note(self, node) -> str:
        """Where a thread id's local got its type, when `node` mentions one."""
        if self.ids is None:
            return ""
        for name in sorted(_names_in(node)):
            b = self.lookup(name)
            demand = self.ids.inferred.get(b.ir_name) if b is not None else None
            if demand is not None:
                return (f"`{name}` is a thread id of type `{demand.type}`, from its use on line "
                        f"{demand.span.line}; an id takes one type: ")
        return ""

    def unify(self, l: Value, r: Value, lnode, rnode, op: str) -> Optional[tuple[ir.Expr, ir.Expr]]:
        """Both operands brought to one type; None after an error."""
        if l is None or r is None:
            return None
        if isinstance(l, Untyped):
            return self._adapt(l, r, lnode, rnode, op, left=True)
        if isinstance(r, Untyped):
            return self._adapt(r, l, rnode, lnode, op, left=False)
        lt, rt = type_of(l), type_of(r)
        if lt == rt:
            return l, r
        if widens(lt, rt):
            return ir.Cast(rt, l), r
        if widens(rt, lt):
            return l, ir.Cast(lt, r)
        if self.ids is not None and lt.is_int and rt.is_int:
            if self.ids.is_flexible(l) and not self.ids.is_flexible(r):
                return self.ids.retype(l, rt, lnode.span), r
            if self.ids.is_flexible(r) and not self.ids.is_flexible(l):
                return l, self.ids.retype(r, lt, rnode.span)
        target = cast_target(lt, rt)
        node, src = (rnode, rt) if target == lt else (lnode, lt)
        self.error(f"mismatched types: `{lt}` and `{rt}` in `{op}`", node.span,
                   self.cast_hint(node, src, target))
        return None

    def _adapt(self, u: Untyped, other: Value, unode, onode, op: str,
               left: bool) -> Optional[tuple[ir.Expr, ir.Expr]]:
        if not isinstance(other, ir.Expr):
            raise TypeError("internal: unify of two untyped constants")
        t = type_of(other)
        if u.is_float and t.is_int:
            self.error(f"mismatched types: `{t}` and {u.describe()} in `{op}`", onode.span,
                       f"write `{source_text(onode)} as f32`")
            return None
        if t.is_bool:
            self.error(f"mismatched types: `bool` and {u.describe()} in `{op}`", unode.span)
            return None
        c = self.constant(u, t, unode)
        if c is None:
            return None
        return (c, other) if left else (other, c)

    def convert(self, v: Union[ir.Expr, Untyped], t: ScalarType) -> ir.Expr:
        if isinstance(v, Untyped):
            return ir.Const(t, convert_constant(v.value, t))
        if isinstance(v, ir.Const):
            return ir.Const(t, convert_constant(v.value, t, v.type))
        return v if v.type == t else ir.Cast(t, v)


def _names_in(node) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Binary):
        return _names_in(node.lhs) | _names_in(node.rhs)
    if isinstance(node, ast.Unary):
        return _names_in(node.operand)
    return set()
