"""Type checking and lowering of expressions to kernel IR.

Untyped constants: a literal, and any operator applied to untyped constants
only, is folded exactly at compile time (an `Untyped`); it takes its type from
where it is used (the other operand, the variable, the parameter), and when
nothing says, an integer is `i32` and a float `f32`. A checker method returns an
`ir.Expr`, an `Untyped`, or None after an error was reported (callers then stay
silent, so that one mistake gives one message).
"""
from __future__ import annotations

import difflib
from typing import Optional, Union

from ..lowering import ir
from ..lowering.ir import BOOL, F32, I32, ScalarType
from . import ast
from .builtins import (ATOMICS, BOOL_RESULT_MATH, GPU_NAMESPACE, ID_ALIASES, INT_MATH, MATH_ARITY,
                       THIS_METHODS)
from .consteval import FoldError, fold, untyped_binary
from .context import ModuleContext
from .scope import BUFFER, ERROR, INDEXABLE_KINDS, PRIVATE, SCALAR_KINDS, Binding
from .source import Span
from .types import cast_target, convert_constant, fits, int_range, scalar_type, widens


class Untyped:
    """An exact compile-time number whose type is not fixed yet."""

    __slots__ = ("value",)

    def __init__(self, value: Union[int, float]):
        self.value = value

    @property
    def is_float(self) -> bool:
        return isinstance(self.value, float)

    def describe(self) -> str:
        return "a float literal" if self.is_float else "an integer literal"


Value = Union[ir.Expr, Untyped, None]

ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "**": "pow"}
BITWISE = {"&": "bitand", "|": "bitor", "^": "bitxor"}
SHIFTS = {"<<": "shl", ">>": "shr"}
COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
ATOMIC_FORM = "gpu.{name}(&a[i], {args})"


def suggest(name: str, candidates) -> Optional[str]:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.8)
    return f"did you mean `{close[0]}`?" if close else None


def source_text(node) -> str:
    """The node's source text, parenthesized when it is not a simple operand."""
    text = node.span.text
    if len(text) > 40:
        text = "..."
    simple = isinstance(node, (ast.Name, ast.IntLit, ast.FloatLit, ast.BoolLit, ast.Call, ast.Index))
    return text if simple or _wrapped(text) else f"({text})"


def _wrapped(text: str) -> bool:
    """Whether `text` is one parenthesized group, like `(a + b)` (not `(a) + (b)`)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i < len(text) - 1:
            return False
    return True


class ExprChecker:
    """Expression checking. The host class provides `m` (ModuleContext),
    `lookup(name)`, `simd`, `note_dim(d)` and `note_call(name, span)`."""

    m: ModuleContext
    simd: bool = False

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.m.diags.error(message, span, hint)

    def lookup(self, name: str) -> Optional[Binding]:
        return self.m.const_binding(name)

    def note_dim(self, dim: int) -> None:
        pass

    def note_call(self, name: str, span: Span) -> None:
        pass

    # ------------------------------------------------------------------ entry points

    def expr(self, node: ast.Expr, hint: Optional[ScalarType] = None) -> Value:
        """A value (never void); `hint` is the type an untyped constant should take."""
        method = _DISPATCH.get(type(node))
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
        if isinstance(v, ir.Expr) and not v.type.is_bool:
            self.error(f"a condition must be `bool`, found `{v.type}`", node.span,
                       f"write `{source_text(node)} != 0`")
            return None
        return self.coerce(v, BOOL, node, " as a condition")

    # ------------------------------------------------------------------ conversions

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
        if widens(v.type, t):
            return ir.Cast(t, v)
        self.error(f"mismatched types: expected `{t}`{context}, found `{v.type}`", node.span,
                   self.cast_hint(node, v.type, t))
        return None

    def cast_hint(self, node, src: ScalarType, dst: ScalarType) -> str:
        if dst.is_bool:
            return f"write `{source_text(node)} != 0`"
        return f"write `{source_text(node)} as {dst}`"

    def unify(self, l: Value, r: Value, lnode, rnode, op: str):
        """Both operands brought to one type; None after an error."""
        if l is None or r is None:
            return None
        if isinstance(l, Untyped):
            return self._adapt(l, r, lnode, rnode, op, left=True)
        if isinstance(r, Untyped):
            return self._adapt(r, l, rnode, lnode, op, left=False)
        if l.type == r.type:
            return l, r
        if widens(l.type, r.type):
            return ir.Cast(r.type, l), r
        if widens(r.type, l.type):
            return l, ir.Cast(l.type, r)
        target = cast_target(l.type, r.type)
        node, src = (rnode, r.type) if target == l.type else (lnode, l.type)
        self.error(f"mismatched types: `{l.type}` and `{r.type}` in `{op}`", node.span,
                   self.cast_hint(node, src, target))
        return None

    def _adapt(self, u: Untyped, other: ir.Expr, unode, onode, op: str, left: bool):
        t = other.type
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

    # ------------------------------------------------------------------ leaves

    def int_lit(self, node: ast.IntLit, hint) -> Value:
        if node.suffix is None:
            return Untyped(node.value)
        return self.constant(Untyped(node.value), scalar_type(node.suffix), node)

    def float_lit(self, node: ast.FloatLit, hint) -> Value:
        if node.suffix is None:
            return Untyped(node.value)
        return self.constant(Untyped(node.value), scalar_type(node.suffix), node)

    def bool_lit(self, node: ast.BoolLit, hint) -> Value:
        return ir.Const(BOOL, node.value)

    def name(self, node: ast.Name, hint) -> Value:
        b = self.lookup(node.id)
        if b is None:
            self.unknown_name(node.id, node.span)
            return None
        if b.kind in SCALAR_KINDS:
            return ir.Var(b.type, b.ir_name)
        if b.kind != ERROR:
            self.error(f"`{node.id}` is a {b.kind}, not a value", node.span,
                       f"use an element `{node.id}[i]` or its length `len({node.id})`")
        return None

    def unknown_name(self, name: str, span: Span) -> None:
        if name in ("gpu", "math", "this"):
            self.error(f"`{name}` is a namespace, not a value", span,
                       "call one of its functions, e.g. `gpu.global_id(0)`")
        elif name in self.m.functions:
            self.error(f"`{name}` is a function, not a value", span, f"call it: `{name}(...)`")
        else:
            self.error(f"unknown name `{name}`", span, self.name_hint(name))

    def name_hint(self, name: str) -> Optional[str]:
        return suggest(name, self.m.const_defs)

    # ------------------------------------------------------------------ operators

    def unary(self, node: ast.Unary, hint) -> Value:
        op = node.op
        if op == "not":
            v = self.coerce(self.expr(node.operand, BOOL), BOOL, node.operand, " for `not`")
            if v is None:
                return None
            return self.folded(ir.Unary(BOOL, "not", v), node)
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
        if v.type.is_bool or (op == "~" and not v.type.is_int):
            need = "an integer" if op == "~" else "a number"
            self.error(f"`{op}` needs {need}, found `{v.type}`", node.span,
                       "write `not x` for a bool" if v.type.is_bool else None)
            return None
        if op == "+":
            return v
        return self.folded(ir.Unary(v.type, "neg" if op == "-" else "bitnot", v), node)

    def _untyped_unary(self, op: str, v: Untyped, node) -> Value:
        if op == "~":
            if v.is_float:
                self.error("`~` needs an integer, found a float literal", node.span)
                return None
            return Untyped(~v.value)
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
        t = l.type
        if t.is_bool or (op in BITWISE and not t.is_int):
            need = "integers" if op in BITWISE else "numbers"
            self.error(f"`{op}` needs {need}, found `{t}`", node.span,
                       {"&": "write `and`", "|": "write `or`", "^": "write `!=`"}.get(op) if t.is_bool else None)
            return None
        return self.folded(ir.Binary(t, ARITH.get(op) or BITWISE[op], l, r), node)

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
        if not l.type.is_int:
            self.error(f"`{op}` needs an integer to shift, found `{l.type}`", lnode.span)
            return None
        if isinstance(r, Untyped):
            if r.is_float or not 0 <= r.value < l.type.bits:
                self.error(f"shift amount must be an integer in 0..{l.type.bits} for `{l.type}`", rnode.span)
                return None
            r = ir.Const(l.type, r.value)
        elif not r.type.is_int:
            self.error(f"shift amount must be an integer, found `{r.type}`", rnode.span,
                       f"write `{source_text(rnode)} as {l.type}`")
            return None
        elif r.type != l.type:
            r = ir.Cast(l.type, r)
        return self.folded(ir.Binary(l.type, SHIFTS[op], l, r), node)

    def compare(self, op: str, l: Value, lnode, rnode, node) -> Value:
        r = self.expr(rnode, l.type if isinstance(l, ir.Expr) else None)
        if l is None or r is None:
            return None
        if isinstance(l, Untyped) and isinstance(r, Untyped):
            return ir.Const(BOOL, untyped_binary(op, l.value, r.value))
        pair = self.unify(l, r, lnode, rnode, op)
        if pair is None:
            return None
        l, r = pair
        if l.type.is_bool and op not in ("==", "!="):
            self.error(f"`{op}` cannot compare `bool` values", node.span)
            return None
        return self.folded(ir.Binary(BOOL, COMPARE[op], l, r), node)

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

    def convert(self, v: Union[ir.Expr, Untyped], t: ScalarType) -> ir.Expr:
        if isinstance(v, Untyped):
            return ir.Const(t, convert_constant(v.value, t))
        if isinstance(v, ir.Const):
            return ir.Const(t, convert_constant(v.value, t, v.type))
        return v if v.type == t else ir.Cast(t, v)

    def folded(self, e: ir.Expr, node) -> Optional[ir.Expr]:
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
        if v is not None and not v.type.is_int:
            self.error(f"an index must be an integer, found `{v.type}`", node.span,
                       f"write `{source_text(node)} as i32`")
            return None
        return v

    def index(self, node: ast.Index, hint) -> Value:
        b = self.indexable(node.obj)
        i = self.index_value(node.index, b)
        if b is None or i is None:
            return None
        return ir.Index(b.type.elem, b.ir_name, i, self.simd and b.kind == BUFFER)

    def attribute(self, node: ast.Attribute, hint) -> Value:
        self.error(f"`{node.span.text}` must be called", node.span, f"write `{node.span.text}()`")
        return None

    # ------------------------------------------------------------------ calls

    def call(self, node: ast.Call, hint, allow_void: bool = False) -> Value:
        f = node.func
        if node.type_args:
            self.error("`gpu.shared_memory<T>(n)` is only allowed as the value of a declaration", node.span,
                       "write `val tile = gpu.shared_memory<f32>(256)`")
            return None
        if isinstance(f, ast.Name):
            return self.call_name(f.id, node, hint)
        if isinstance(f, ast.Attribute):
            obj = f.obj
            if isinstance(obj, ast.Name) and obj.id == "gpu":
                return self.gpu_call(f.name, node, hint, allow_void)
            if isinstance(obj, ast.Name) and obj.id == "math":
                if f.name in MATH_ARITY:
                    return self.math(f.name, node.args, node, hint)
                self.error(f"unknown math function `math.{f.name}`", f.name_span, suggest(f.name, MATH_ARITY))
                return None
            if isinstance(obj, ast.Name) and obj.id == "this":
                return self.this_call(f, node)
            return self.method(f, node, hint)
        self.error("this expression cannot be called", f.span)
        return None

    def call_name(self, name: str, node: ast.Call, hint) -> Value:
        sig = self.m.functions.get(name)
        if sig is not None:
            return self.call_helper(sig, node)
        t = scalar_type(name)
        if t is not None:
            if not self.arity(name, node, 1):
                return None
            v = self.expr(node.args[0], t)
            return None if v is None else self.convert(v, t)
        if name == "len":
            return self.length(node.args, node)
        if name == "range":
            self.error("`range(...)` is only allowed as the iterable of a `for` loop", node.span)
            return None
        if name in ID_ALIASES:
            builtin, dim = ID_ALIASES[name]
            return self.id_builtin(builtin, dim, node)
        if name in MATH_ARITY:
            return self.math(name, node.args, node, hint)
        b = self.lookup(name)
        if b is not None and b.kind != ERROR:
            self.error(f"`{name}` is a {b.kind}, not a function", node.func.span)
            return None
        if name in GPU_NAMESPACE:
            self.error(f"unknown function `{name}`", node.func.span, f"did you mean `gpu.{name}(...)`?")
            return None
        self.error(f"unknown function `{name}`", node.func.span,
                   suggest(name, [*self.m.functions, *MATH_ARITY, *ID_ALIASES, "len"]))
        return None

    def arity(self, name: str, node: ast.Call, n: int, most: Optional[int] = None) -> bool:
        got = len(node.args)
        most = n if most is None else most
        if n <= got <= most:
            return True
        want = f"{n}" if n == most else f"{n} to {most}"
        plural = "" if want == "1" else "s"
        self.error(f"`{name}` takes {want} argument{plural}, got {got}", node.span)
        return False

    def call_helper(self, sig, node: ast.Call) -> Value:
        if sig.is_kernel:
            self.error(f"cannot call kernel `{sig.name}`", node.func.span,
                       "kernels are launched from the host; move shared code into a helper `fn`")
            return None
        if sig.broken:
            for a in node.args:
                self.expr(a, None)
            return None
        if len(node.args) != len(sig.params):
            n = len(sig.params)
            params = ", ".join(f"{p.name}: {p.type}" for p in sig.params)
            ret = f" -> {sig.ret}" if sig.ret else ""
            self.error(f"`{sig.name}` takes {n} argument{'' if n == 1 else 's'}, got {len(node.args)}", node.span,
                       f"it is declared as `fn {sig.name}({params}){ret}`")
            return None
        args = [self.expect_type(a, p.type, f" for parameter `{p.name}` of `{sig.name}`")
                for a, p in zip(node.args, sig.params)]
        if any(a is None for a in args):
            return None
        self.note_call(sig.name, node.span)
        return ir.Call(sig.ret, sig.name, args)

    def length(self, args: list[ast.Expr], node) -> Value:
        if len(args) != 1:
            self.error(f"`len` takes 1 argument, got {len(args)}", node.span)
            return None
        b = self.indexable(args[0])
        return None if b is None else ir.Len(I32, b.ir_name)

    def method(self, f: ast.Attribute, node: ast.Call, hint) -> Value:
        if f.name == "len":
            if node.args:
                self.error("`.len()` takes no arguments", node.span)
                return None
            return self.length([f.obj], node)
        if f.name in MATH_ARITY:
            return self.math(f.name, [f.obj, *node.args], node, hint)
        self.error(f"unknown method `{f.name}`", f.name_span,
                   suggest(f.name, ["len", *MATH_ARITY]) or "methods are `.len()` and the math functions")
        return None

    def this_call(self, f: ast.Attribute, node: ast.Call) -> Value:
        builtin = THIS_METHODS.get(f.name)
        if builtin is None:
            self.error(f"unknown method `this.{f.name}`", f.name_span,
                       suggest(f.name, THIS_METHODS) or "`this` has index(), thread_index(), group_index()")
            return None
        return self.id_builtin(builtin, 0, node)

    def gpu_call(self, name: str, node: ast.Call, hint, allow_void: bool) -> Value:
        if name in ir.ID_BUILTINS:
            return self.id_builtin(name, None, node)
        if name in ir.SYNC_BUILTINS:
            if not self.arity(f"gpu.{name}", node, 0):
                return None
            if not allow_void:
                self.error(f"`gpu.{name}()` does not produce a value", node.span)
                return None
            return ir.Builtin(None, name, [])
        if name in ATOMICS:
            return self.atomic(ATOMICS[name], name, node)
        if name == "shared_memory":
            self.error("`gpu.shared_memory` needs an element type", node.span,
                       "write `val tile = gpu.shared_memory<f32>(256)`")
            return None
        self.error(f"unknown GPU builtin `gpu.{name}`", node.func.name_span, suggest(name, GPU_NAMESPACE))
        return None

    def id_builtin(self, name: str, dim: Optional[int], node: ast.Call) -> Value:
        if dim is not None:
            if node.args:
                self.error(f"`{node.func.span.text}` takes no arguments", node.span)
                return None
        elif not self.arity(node.func.span.text, node, 0, 1):
            return None
        elif node.args:
            dim = self.dimension(node.args[0])
            if dim is None:
                return None
        else:
            dim = 0
        self.note_dim(dim)
        return ir.Builtin(I32, name, [], dim)

    def dimension(self, node: ast.Expr) -> Optional[int]:
        value = self.constant_int(node, "a dimension")
        if value is None:
            return None
        if not 0 <= value <= 2:
            self.error(f"dimension must be 0, 1 or 2, found {value}", node.span)
            return None
        return value

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

    # ------------------------------------------------------------------ math and atomics

    def math(self, name: str, arg_nodes: list[ast.Expr], node: ast.Call, hint) -> Value:
        want = MATH_ARITY[name]
        if len(arg_nodes) != want:
            self.error(f"`{name}` takes {want} argument{'s' if want > 1 else ''}, got {len(arg_nodes)}",
                       node.span)
            return None
        hint = hint if hint is not None and not hint.is_bool and name not in BOOL_RESULT_MATH else None
        values = []
        for a in arg_nodes:
            typed = next((v.type for v in values if isinstance(v, ir.Expr)), None)
            values.append(self.expr(a, typed or hint))
        if any(v is None for v in values):
            return None
        t = self.math_type(name, values, hint)
        args = [self.coerce(v, t, a, f" for `{name}`") for v, a in zip(values, arg_nodes)]
        if any(a is None for a in args):
            return None
        if t.is_bool or (not t.is_float and name not in INT_MATH):
            bad = next(a for a, v in zip(arg_nodes, args) if v.type == t)
            self.error(f"`{name}` needs {'numbers' if name in INT_MATH else 'floats'}, found `{t}`",
                       bad.span, None if t.is_bool else f"write `{source_text(bad)} as f32`")
            return None
        return ir.Builtin(BOOL if name in BOOL_RESULT_MATH else t, name, args)

    def math_type(self, name: str, values: list, hint) -> ScalarType:
        t = None
        for v in values:
            if isinstance(v, ir.Expr) and (t is None or widens(t, v.type)):
                t = v.type
        if t is not None:
            return t
        if name not in INT_MATH or any(v.is_float for v in values):
            return hint if hint is not None and hint.is_float else F32
        return hint if hint is not None else I32

    def atomic(self, op: str, name: str, node: ast.Call) -> Value:
        nvalues = 2 if op == "compare_exchange" else 1
        if not self.arity(f"gpu.{name}", node, 1 + nvalues):
            return None
        target = node.args[0]
        form = ATOMIC_FORM.format(name=name, args="expected, desired" if nvalues == 2 else "v")
        if not (isinstance(target, ast.Unary) and target.op == "&" and isinstance(target.operand, ast.Index)):
            self.error(f"the first argument of `gpu.{name}` must be an element address `&a[i]`",
                       target.span, f"write `{form}`")
            return None
        b = self.indexable(target.operand.obj)
        i = self.index_value(target.operand.index, b)
        if b is None or i is None or not self.atomic_target_ok(b, op, name, target):
            return None
        elem = b.type.elem
        args = [self.expect_type(a, elem, f" for `gpu.{name}`") for a in node.args[1:]]
        if any(a is None for a in args):
            return None
        return ir.Atomic(elem, op, b.ir_name, i, args)

    def atomic_target_ok(self, b: Binding, op: str, name: str, target) -> bool:
        base = target.operand.obj.id
        if b.kind == PRIVATE:
            self.error(f"`gpu.{name}` needs a buffer or shared array element; `{base}` is a private array",
                       target.span)
            return False
        if b.kind == BUFFER and not b.type.writable:
            self.readonly_error(base, b, target.span)
            return False
        elem = b.type.elem
        if elem in (ir.I32, ir.U32) or (elem == F32 and op == "add"):
            return True
        allowed = "i32, u32 or f32" if op == "add" else "i32 or u32"
        self.error(f"`gpu.{name}` works on {allowed} elements; `{base}` has `{elem}` elements", target.span)
        return False

    def readonly_error(self, name: str, b: Binding, span: Span) -> None:
        self.error(f"cannot write to `{name}`: it is a read-only buffer (`&[{b.type.elem}]`)", span,
                   f"declare the parameter as `{name}: &mut [{b.type.elem}]` or `{name}: [{b.type.elem}]`")


_DISPATCH = {
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
}
