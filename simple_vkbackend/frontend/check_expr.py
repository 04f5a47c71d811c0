"""Type checking and lowering of expressions to kernel IR.

Untyped constants: a literal, and any operator applied to untyped constants
only, is folded exactly at compile time (an `Untyped`); it takes its type from
where it is used (the other operand, the variable, the parameter), and when
nothing says, an integer is `i32` and a float `f32`. A checker method returns an
`ir.Expr`, an `Untyped`, or None after an error was reported (callers then stay
silent, so that one mistake gives one message).
"""
from __future__ import annotations

from typing import Callable, Optional, Union

from ..lowering import ir
from ..lowering.ir import BOOL, I32, ScalarType
from . import ast, bounds
from .check_call import CallChecker
from .check_coerce import Coercions
from .check_vector import VectorExprs
from .check_coop import CoopChecker
from .check_values import ARITH, BITWISE, COMPARE, SHIFTS, Untyped, Value, name_of, source_text, suggest, type_of
from .consteval import FoldError, fold, untyped_binary
from .context import ExprContext, ModuleContext
from .diagnostics import DiagnosticBag
from .host_items import skipped_hint
from .ir_util import has_effects
from .scope import BUFFER, ERROR, INDEXABLE_KINDS, MATRIX, SCALAR_KINDS, Binding
from .source import Span
from .types import scalar_type
from .vector_types import VECTOR


class ExprChecker(Coercions):
    """Expression checking in the context `ctx` (context.ExprContext: the names in
    scope and where what it learns goes); calls are checked by its `calls`
    (check_call.CallChecker). `diags`: where errors go (None: the module's bag)."""

    def __init__(self, ctx: ExprContext, diags: Optional[DiagnosticBag] = None):
        self.ctx = ctx
        self.m: ModuleContext = ctx.m
        self.simd, self.bounds, self.ids = ctx.simd, ctx.bounds, ctx.ids
        self.diags = diags
        self.calls = CallChecker(self)
        self.coop = CoopChecker(self)
        # the scope's own lookup, called directly (a hot path)
        self.lookup: Callable[[str], Optional[Binding]] = ctx.lookup

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        (self.diags or self.m.diags).error(message, span, hint)

    def call(self, node: ast.Call, hint, allow_void: bool = False) -> Value:
        vectors = self.vectors()
        if vectors.is_vector(node):
            self.error(f"a vector `{node.span.text}` where a scalar is expected", node.span,
                       "bind it: `val v = ...`, then use its elements")
            return None
        handled, reduced = vectors.scalar_call(node)
        if handled:
            return reduced
        return self.calls.call(node, hint, allow_void)

    # ------------------------------------------------------------------ entry points

    def expr(self, node: ast.Expr, hint: Optional[ScalarType] = None) -> Value:
        """A value (never void); `hint` is the type an untyped constant should take."""
        method = _DISPATCH.get(type(node))
        if type(node) is ast.Call and self.coop.is_matrix(node):
            self.coop.not_scalar(node)
            return None
        if method is None:
            self.error("this is not an expression", node.span)
            return None
        v = method(self, node, hint)
        if isinstance(v, ir.Expr) and v.type is None:
            self.error(f"`{node.span.text}` does not produce a value", node.span)
            return None
        return v

    def typed(self, node: ast.Expr, hint: Optional[ScalarType] = None) -> Optional[ir.Expr]:
        return self.materialize(self.expr(node, hint), hint, node)

    def expect_type(self, node: ast.Expr, t: ScalarType, context: str = "") -> Optional[ir.Expr]:
        return self.coerce(self.expr(node, t), t, node, context)

    def condition(self, node: ast.Expr) -> Optional[ir.Expr]:
        v = self.expr(node, BOOL)
        if isinstance(v, ir.Expr) and not type_of(v).is_bool:
            self.error(f"a condition must be `bool`, found `{v.type}`", node.span,
                       f"write `{source_text(node)} != 0`")
            return None
        return self.coerce(v, BOOL, node, " as a condition")

    # ------------------------------------------------------------------ conversions

    # ------------------------------------------------------------------ leaves

    def int_lit(self, node: ast.IntLit, hint) -> Value:
        if node.suffix is None:
            return Untyped(node.value)
        return self.constant(Untyped(node.value), ir.scalar(node.suffix), node)

    def float_lit(self, node: ast.FloatLit, hint) -> Value:
        if node.suffix is None:
            return Untyped(node.value)
        return self.constant(Untyped(node.value), ir.scalar(node.suffix), node)

    def bool_lit(self, node: ast.BoolLit, hint) -> Value:
        return ir.Const(BOOL, node.value)

    def name(self, node: ast.Name, hint) -> Value:
        b = self.lookup(node.id)
        if b is None:
            self.unknown_name(node.id, node.span)
            return None
        if b.kind in SCALAR_KINDS:
            var = ir.Var(b.scalar, b.ir_name)
            if self.ids is not None and b.ir_name in self.ids.locals:
                self.ids.mark(var)
            return var
        if b.kind == VECTOR:
            self.error(f"`{node.id}` is a vector `{b.type}` where a scalar is expected", node.span,
                       f"use an element (`{node.id}.x`, `{node.id}[0]`) or a reduction (`{node.id}.sum()`)")
        if b.kind == MATRIX:
            self.coop.not_scalar(node)
        elif b.kind != ERROR:
            self.error(f"`{node.id}` is a {b.kind}, not a value", node.span,
                       f"use an element `{node.id}[i]` or its length `len({node.id})`")
        return None

    def unknown_name(self, name: str, span: Span) -> None:
        if name in ("gpu", "math", "this"):
            self.error(f"`{name}` is a namespace, not a value", span,
                       "call one of its functions, e.g. `gpu.global_id(0)`")
        elif name in self.m.functions:
            self.error(f"`{name}` is a function, not a value", span, f"call it: `{name}(...)`")
        elif name in self.m.skipped:
            self.error(f"`{name}` cannot be used in a kernel", span, skipped_hint(self.m.skipped[name]))
        else:
            self.error(f"unknown name `{name}`", span, self.name_hint(name))

    def name_hint(self, name: str) -> Optional[str]:
        return self.ctx.name_hint(name)

    # ------------------------------------------------------------------ operators

    def unary(self, node: ast.Unary, hint) -> Value:
        op = node.op
        if op == "not":
            operand = self.coerce(self.expr(node.operand, BOOL), BOOL, node.operand, " for `not`")
            if operand is None:
                return None
            return self.folded(ir.Unary(BOOL, "not", operand), node)
        if op == "&":
            self.error("`&` is only allowed in the first argument of an atomic", node.span,
                       "write `gpu.atomic_add(&a[i], v)`")
            return None
        v = self.expr(node.operand, hint)
        if v is None:
            return None
        if op == "~" and isinstance(v, Untyped) and hint is not None and hint.is_int:
            v = self.constant(v, hint, node.operand)
            if v is None:
                return None
        if isinstance(v, Untyped):
            return self._untyped_unary(op, v, node)
        t = type_of(v)
        if t.is_bool or (op == "~" and not t.is_int):
            need = "an integer" if op == "~" else "a number"
            self.error(f"`{op}` needs {need}, found `{t}`", node.span,
                       "write `not x` for a bool" if t.is_bool else None)
            return None
        if op == "+":
            return v
        result = self.folded(ir.Unary(v.type, "neg" if op == "-" else "bitnot", v), node)
        if self.ids is not None:
            self.ids.mark_if_derived(result, [v])
        return result

    def _untyped_unary(self, op: str, v: Untyped, node) -> Value:
        if op == "~":
            if v.is_float:
                self.error("`~` needs an integer, found a float literal", node.span)
                return None
            return Untyped(~int(v.value))
        return Untyped(-v.value if op == "-" else v.value)

    def binary(self, node: ast.Binary, hint) -> Value:
        op = node.op
        if op in ("and", "or"):
            return self.logical(node)
        if op in COMPARE:
            l = self.expr(node.lhs, None)
            return self.compare(op, l, node.lhs, node.rhs, node)
        l = self.expr(node.lhs, hint)
        return self.binop(op, l, node.lhs, node.rhs, node, hint)

    def binop(self, op: str, l: Value, lnode, rnode, node, hint) -> Value:
        """`l op rhs` for arithmetic, bitwise and shift operators; `l` is checked."""
        if op in SHIFTS:
            return self.shift(op, l, lnode, rnode, node, hint)
        r = self.expr(rnode, l.type if isinstance(l, ir.Expr) else hint)
        if l is None or r is None:
            return None
        if isinstance(l, Untyped) and isinstance(r, Untyped):
            return self.fold_untyped(op, l, r, node)
        pair = self.unify(l, r, lnode, rnode, op)
        if pair is None:
            return None
        l, r = pair
        t = type_of(l)
        if t.is_bool or (op in BITWISE and not t.is_int):
            need = "integers" if op in BITWISE else "numbers"
            self.error(f"`{op}` needs {need}, found `{t}`", node.span,
                       {"&": "write `and`", "|": "write `or`", "^": "write `!=`"}.get(op) if t.is_bool else None)
            return None
        result = self.folded(ir.Binary(t, ARITH.get(op) or BITWISE[op], l, r), node)
        if self.ids is not None:
            self.ids.mark_if_derived(result, [l, r])
        return result

    def fold_untyped(self, op: str, l: Untyped, r: Untyped, node) -> Value:
        try:
            return Untyped(untyped_binary(op, l.value, r.value))
        except FoldError as e:
            self.error(str(e), node.span)
            return None

    def shift(self, op: str, l: Value, lnode, rnode, node, hint) -> Value:
        r = self.expr(rnode, None)
        if l is None or r is None:
            return None
        if isinstance(l, Untyped) and isinstance(r, Untyped):
            return self.fold_untyped(op, l, r, node)
        l = self.materialize(l, hint, lnode)
        if l is None:
            return None
        lt = type_of(l)
        if not lt.is_int:
            self.error(f"`{op}` needs an integer to shift, found `{lt}`", lnode.span)
            return None
        if isinstance(r, Untyped):
            if r.is_float or not 0 <= r.value < lt.bits:
                self.error(f"shift amount must be an integer in 0..{lt.bits} for `{lt}`", rnode.span)
                return None
            r = ir.Const(lt, r.value)
        elif not type_of(r).is_int:
            self.error(f"shift amount must be an integer, found `{r.type}`", rnode.span,
                       f"write `{source_text(rnode)} as {lt}`")
            return None
        elif r.type != lt:
            r = ir.Cast(lt, r)
        return self.folded(ir.Binary(lt, SHIFTS[op], l, r), node)

    def compare(self, op: str, l: Value, lnode, rnode, node) -> Optional[ir.Expr]:
        r = self.expr(rnode, l.type if isinstance(l, ir.Expr) else None)
        if l is None or r is None:
            return None
        if isinstance(l, Untyped) and isinstance(r, Untyped):
            return ir.Const(BOOL, untyped_binary(op, l.value, r.value))
        pair = self.unify(l, r, lnode, rnode, op)
        if pair is None:
            return None
        l, r = pair
        if type_of(l).is_bool and op not in ("==", "!="):
            self.error(f"`{op}` cannot compare `bool` values", node.span)
            return None
        return self.folded(ir.Binary(BOOL, COMPARE[op], l, r), node)

    def chain_compare(self, node: ast.ChainCompare, hint) -> Value:
        """`a < b <= c`: `a < b and b <= c`, `b` evaluated once (so it must not
        have effects), `c` only when `a < b` holds."""
        parts: list[ir.Expr] = []
        left = self.expr(node.operands[0], None)
        for k, op in enumerate(node.ops):
            lnode, rnode = node.operands[k], node.operands[k + 1]
            pair_node = ast.Binary(op, lnode, rnode, lnode.span.to(rnode.span), node.op_spans[k])
            part = self.compare(op, left, lnode, rnode, pair_node)
            if part is None:
                return None
            parts.append(part)
            if k + 1 < len(node.ops):
                left = self.expr(rnode, None)
                if isinstance(left, ir.Expr) and has_effects(left):
                    self.error("the middle operand of a chained comparison must not call functions or atomics",
                               rnode.span, "compute it into a `val` first")
                    return None
        result = parts[0]
        for part in parts[1:]:
            if isinstance(result, ir.Const) and isinstance(part, ir.Const):
                result = ir.Const(BOOL, result.value and part.value)
            else:
                result = ir.Logical(BOOL, "and", result, part)
        return result

    def string(self, node: ast.StrLit, hint) -> Value:
        self.error("string literals are not supported", node.span)
        return None

    def logical(self, node: ast.Binary) -> Value:
        l = self.coerce(self.expr(node.lhs, BOOL), BOOL, node.lhs, f" for `{node.op}`")
        r = self.coerce(self.expr(node.rhs, BOOL), BOOL, node.rhs, f" for `{node.op}`")
        if l is None or r is None:
            return None
        if isinstance(l, ir.Const) and isinstance(r, ir.Const):
            return ir.Const(BOOL, (l.value and r.value) if node.op == "and" else (l.value or r.value))
        return ir.Logical(BOOL, node.op, l, r)

    def conditional(self, node: ast.Conditional, hint) -> Value:
        cond = self.condition(node.cond)
        then = self.expr(node.then, hint)
        other = self.expr(node.otherwise, then.type if isinstance(then, ir.Expr) else hint)
        if cond is None or then is None or other is None:
            return None
        if isinstance(then, Untyped) and isinstance(other, Untyped):
            if isinstance(cond, ir.Const):
                return then if cond.value else other
            then = self.materialize(then, hint, node.then)
        pair = self.unify(then, other, node.then, node.otherwise, "if/else")
        if pair is None:
            return None
        if isinstance(cond, ir.Const):
            return pair[0] if cond.value else pair[1]
        return ir.Select(pair[0].type, cond, pair[0], pair[1])

    def cast(self, node: ast.Cast, hint) -> Value:
        t = self.scalar(node.type)
        v = self.expr(node.value, t)
        return None if t is None or v is None else self.convert(v, t)

    def folded(self, e: Union[ir.Unary, ir.Binary], node) -> Optional[ir.Expr]:
        """`e` as a constant when all its operands are constants (typed folding
        with the IR's semantics), else `e` itself."""
        operands = (e.operand,) if isinstance(e, ir.Unary) else (e.lhs, e.rhs)
        if not all(isinstance(o, ir.Const) for o in operands):
            return e
        try:
            value = fold(e, {})
        except FoldError as err:
            self.error(str(err), node.span)
            return None
        return ir.Const(e.type, value)

    def scalar(self, tnode) -> Optional[ScalarType]:
        if isinstance(tnode, ast.VectorTypeExpr):
            self.error(f"a vector `{tnode.span.text}` cannot be used here", tnode.span,
                       "vectors are local values of a kernel or helper; pass or return their elements")
            return None
        if isinstance(tnode, ast.TypeName):
            t = scalar_type(tnode.name)
            if t is not None:
                return t
            self.error(f"unknown type `{tnode.name}`", tnode.span, suggest(tnode.name, ir.SCALAR_TYPES))
        else:
            self.error("expected a scalar type such as `f32`", tnode.span)
        return None

    # ------------------------------------------------------------------ indexing

    def indexable(self, node: ast.Expr) -> Optional[Binding]:
        """The buffer or array that `node` names."""
        if not isinstance(node, ast.Name):
            self.error("only a buffer or array name can be indexed", node.span)
            return None
        b = self.lookup(node.id)
        if b is None:
            self.unknown_name(node.id, node.span)
            return None
        if b.kind == ERROR:
            return None
        if b.kind not in INDEXABLE_KINDS:
            self.error(f"`{node.id}` is a {b.kind} of type `{b.type}`, not a buffer or array", node.span)
            return None
        return b

    def index_value(self, node: ast.Expr, base: Optional[Binding]) -> Optional[ir.Expr]:
        v = self.expr(node, I32)
        if isinstance(v, Untyped):
            if v.is_float or v.value < 0:
                self.error("an index must be a non-negative integer", node.span)
                return None
            length = getattr(base.type, "length", None) if base is not None else None
            if length is not None and v.value >= length:
                self.error(f"index {v.value} is out of bounds for an array of length {length}", node.span)
                return None
            return self.constant(v, I32, node)
        if v is not None and not type_of(v).is_int:
            self.error(f"an index must be an integer, found `{v.type}`", node.span,
                       f"write `{source_text(node)} as i32`")
            return None
        return v

    def index(self, node: ast.Index, hint) -> Value:
        if self.vectors().is_vector(node.obj):
            return self.vectors().lane_index(node)
        b = self.indexable(node.obj)
        i = self.index_value(node.index, b)
        if b is None or i is None:
            return None
        traps = self.ctx.traps
        if traps is not None and traps.covers(b.kind == BUFFER, i) and self.trap_index_ok(i, node.index):
            return ir.Index(b.elem, b.ir_name, traps.index(b.ir_name, name_of(node.obj), i, node.span), True)
        if self.simd and b.kind == BUFFER:
            if not self.policy_index_ok(i, node.index):
                return None
            return bounds.read(self.bounds, b.elem, b.ir_name, i)
        return ir.Index(b.elem, b.ir_name, i, False)

    def trap_index_ok(self, i: ir.Expr, node) -> bool:
        """A trapping index is evaluated more than once: under `@bounds(default=trap)`
        one with effects is an error; under the debug option that access stays an
        ordinary one (docs/language.md)."""
        if not has_effects(i):
            return True
        if self.ctx.traps is not None and self.ctx.traps.explicit:
            self.error("under `@bounds(default=trap)` an index must not call functions or atomics",
                       node.span, "compute it into a `val` first")
        return False

    def policy_index_ok(self, i: ir.Expr, node) -> bool:
        """`clamp` and `zero` evaluate an index more than once: it must not have effects."""
        if self.bounds in ("clamp", "zero") and has_effects(i):
            self.error(f"under `@bounds(default={self.bounds})` an index must not call functions or atomics",
                       node.span, "compute it into a `val` first")
            return False
        return True

    def vectors(self) -> VectorExprs:
        """Vector expressions inside this scalar expression (no statements to add)."""
        return VectorExprs(self)

    def vector_in_scalar(self, node: ast.VecExpr, hint) -> Value:
        self.error(f"a vector `{node.span.text}` where a scalar is expected", node.span,
                   "bind it: `val v = ...`, then use its elements")
        return None

    def coop_type_value(self, node: ast.CoopMatrixTypeExpr, hint) -> Value:
        self.error("`coop_matrix[...]` is a type, not a value", node.span,
                   "make a matrix with `.fill(x)`, `.load(buf, offset, stride)` or `.load_col_major(...)`")
        return None

    def attribute(self, node: ast.Attribute, hint) -> Value:
        if self.vectors().is_vector(node.obj):
            return self.vectors().lane_attribute(node)
        self.error(f"`{node.span.text}` must be called", node.span, f"write `{node.span.text}()`")
        return None

    def readonly_error(self, name: str, b: Binding, span: Span) -> None:
        if name in self.ctx.implicit_readonly:
            self.error(f"cannot write to `{name}`: it is an immutable storage buffer (a bare buffer parameter of "
                       "a `@gpu(\"...\")` kernel, or of any kernel in strict mode, is read-only unless declared "
                       "`mut`)", span, f"declare it writable: `mut {name}: [{b.elem}]`")
            return
        self.error(f"cannot write to `{name}`: it is a read-only buffer (`&[{b.elem}]`)", span,
                   f"declare the parameter as `{name}: &mut [{b.elem}]` or `{name}: [{b.elem}]`")

    def constant_int(self, node: ast.Expr, what: str) -> Optional[int]:
        """The value of an integer compile-time constant expression."""
        v = self.expr(node, I32)
        if v is None:
            return None
        if isinstance(v, Untyped):
            value = v.value
        else:
            try:
                value = fold(v, self.m.constants)
            except FoldError as e:
                self.error(str(e), node.span)
                return None
        if not isinstance(value, int) or isinstance(value, bool):
            if value is None:
                self.error(f"{what} must be a compile-time constant", node.span,
                           "use a literal, a `const`, or arithmetic on them")
            else:
                self.error(f"{what} must be an integer", node.span)
            return None
        return value


_DISPATCH: dict[type, Callable[..., Value]] = {
    ast.IntLit: ExprChecker.int_lit,
    ast.FloatLit: ExprChecker.float_lit,
    ast.BoolLit: ExprChecker.bool_lit,
    ast.Name: ExprChecker.name,
    ast.Unary: ExprChecker.unary,
    ast.Binary: ExprChecker.binary,
    ast.Conditional: ExprChecker.conditional,
    ast.Cast: ExprChecker.cast,
    ast.Index: ExprChecker.index,
    ast.Attribute: ExprChecker.attribute,
    ast.Call: ExprChecker.call,
    ast.ChainCompare: ExprChecker.chain_compare,
    ast.StrLit: ExprChecker.string,
    ast.VecExpr: ExprChecker.vector_in_scalar,
    ast.CoopMatrixTypeExpr: ExprChecker.coop_type_value,
}


def constants_checker(m: ModuleContext) -> ExprChecker:
    """An expression checker for module level: only the module constants are in scope."""
    return ExprChecker(ExprContext(m, m.const_binding, lambda name: suggest(name, m.const_defs)))
