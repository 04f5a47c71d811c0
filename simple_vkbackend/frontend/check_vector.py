"""Type checking of vector expressions (`vec[N, T]`) and their lowering to scalars.

A vector value is a `VecValue`: its type and one scalar IR expression per element
(its lanes); operators and math builtins apply lane by lane, a scalar operand is
broadcast. Vector memory accesses (`vec[N, T].load(buf, i * N)`, `v.store(buf,
i * N)`) become `VectorLoad`/`VectorStore` statements, so an expression with a
load needs a statement to put it before (`out`): a declaration, an assignment or
a store. Without one (an element `(a + b).x`, a reduction `v.sum()` inside a
scalar expression), loads and operands with effects are refused. docs/language.md
"Vectors" has the rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Protocol, Union

from ..lowering import ir
from ..lowering.ir import F32, I32, ScalarType
from ..lowering.ir.walk import walk_expr
from . import ast
from .builtins import BOOL_RESULT_MATH, INT_MATH, MATH_ARITY
from .check_call import ExprChecking
from .check_values import Untyped, type_of
from .ir_util import clone_expr, has_effects
from .scope import BUFFER, CONST, Binding
from .source import Span
from .types import scalar_type, widens
from .vector_bounds import clamped_vector, in_range_vector, trap_vector_index
from .vector_types import LANE_NAMES, VECTOR, VECTOR_COUNTS, VectorSlots, VectorType



class VectorHost(ExprChecking, Protocol):
    """What vector checking uses of the expression checker (check_expr.ExprChecker)."""

    simd: bool
    bounds: str

    def scalar(self, tnode) -> Optional[ScalarType]: ...

VECTOR_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem"}
REDUCTIONS = {"sum": "add", "product": "mul", "min": "min", "max": "max"}
ACCESS_COUNTS = ir.VECTOR_ACCESS_WIDTHS  # elements of one vector load or store


@dataclass
class VecValue:
    type: VectorType
    lanes: list[ir.Expr]


@dataclass
class Access:
    """A vector access's buffer (`name` as written), vector index and its span."""

    binding: Binding
    name: str
    index: ir.Expr
    span: Span


class VectorExprs:
    """Vector expressions in the expression checker `exprs`. `out`: where statements
    a vector needs go (loads, temporaries), with `new_local(base, type)` making a
    local for them; both None in a scalar expression (no statement to go before)."""

    def __init__(self, exprs: VectorHost, out: Optional[list] = None,
                 new_local: Optional[Callable[[str, ScalarType], str]] = None):
        self.exprs, self.out, self.new_local = exprs, out, new_local

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.exprs.error(message, span, hint)

    # ------------------------------------------------------------------ recognising vectors

    def binding(self, node) -> Optional[Binding]:
        """The vector variable `node` names, if it names one."""
        if isinstance(node, ast.Name):
            b = self.exprs.lookup(node.id)
            if b is not None and b.kind == VECTOR:
                return b
        return None

    def is_vector(self, node) -> bool:
        """Whether `node` is a vector expression (decided from its form and the names
        it uses, without checking it)."""
        if isinstance(node, ast.Name):
            return self.binding(node) is not None
        if isinstance(node, ast.VecExpr):
            return True
        if isinstance(node, ast.Binary):
            return node.op not in ("and", "or") and (self.is_vector(node.lhs) or self.is_vector(node.rhs))
        if isinstance(node, ast.Unary):
            return node.op in ("-", "+") and self.is_vector(node.operand)
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.VecExpr) or (isinstance(f, ast.Attribute) and isinstance(f.obj, ast.VecExpr)
                                              and is_type_form(f.obj)):
                return True
            name, args = _math_call(f, node.args)
            if name is None or (name in REDUCTIONS and isinstance(f, ast.Attribute) and not node.args):
                return False
            return any(self.is_vector(a) for a in args)
        return False

    def type_form(self, node: ast.VecExpr) -> Optional[VectorType]:
        """The type of `vec[N, T]` written in an expression (None after an error)."""
        count_node, elem_node = node.items[0], node.items[1]
        assert isinstance(elem_node, ast.Name)  # (is_type_form)
        elem = scalar_type(elem_node.id)
        assert elem is not None
        return self.vector_type(count_node, elem, elem_node.span, node.span)

    def vector_type(self, count_node, elem: ScalarType, elem_span: Span, span: Span) -> Optional[VectorType]:
        count = self.exprs.constant_int(count_node, "the element count of a vector")
        if count is None:
            return None
        if count not in VECTOR_COUNTS:
            self.error(f"a vector has 2, 3 or 4 elements, not {count}", count_node.span,
                       "use several vectors, or an array `[T; N]`")
            return None
        if elem.is_bool:
            self.error("vectors of `bool` are not supported", elem_span, "use `vec[N, u32]` with 0 and 1")
            return None
        return VectorType(count, elem)

    # ------------------------------------------------------------------ vector values

    def vector(self, node, want: Optional[VectorType] = None) -> Optional[VecValue]:
        """The vector value of `node` (None after an error)."""
        b = self.binding(node)
        if b is not None:
            assert isinstance(b.type, VectorSlots)
            t = b.type.type
            return VecValue(t, [ir.Var(t.elem, lane) for lane in b.type.lanes])
        if isinstance(node, ast.VecExpr):
            if is_type_form(node):
                self.error(f"`{node.span.text}` is a type, not a value", node.span,
                           f"construct one: `{node.span.text}(x)` (every element x) or with one value per element")
                return None
            return self.literal(node, want)
        if isinstance(node, ast.Call):
            return self.call(node, want)
        if isinstance(node, ast.Binary):
            return self.binary(node, want)
        if isinstance(node, ast.Unary) and node.op in ("-", "+"):
            v = self.vector(node.operand, want)
            if v is None or node.op == "+":
                return v
            if v.type.elem.kind == "uint":
                self.error(f"cannot negate `{v.type}`: its elements are unsigned", node.span)
                return None
            return VecValue(v.type, [ir.Unary(v.type.elem, "neg", lane) for lane in v.lanes])
        expected = f"`{want}`" if want is not None else "a vector"
        found = self.exprs.expr(node, want.elem if want is not None else None)
        if found is None:
            return None
        what = found.describe() if isinstance(found, Untyped) else f"`{found.type}`"
        hint = f"write `{want}({node.span.text})` for a vector of that value" if want is not None else None
        self.error(f"expected {expected}, found {what}", node.span, hint)
        return None

    def operand(self, node, hint: Optional[VectorType]) -> Union[VecValue, ir.Expr, Untyped, None]:
        """An operand of a vector operator or builtin: a vector, or a scalar (a typed
        one is evaluated into a temporary here, in its place in the order)."""
        if self.is_vector(node):
            return self.vector(node, hint)
        v = self.exprs.expr(node, hint.elem if hint is not None else None)
        return self.hoisted(v, node) if isinstance(v, ir.Expr) else v

    def hoisted(self, e: Optional[ir.Expr], node) -> Optional[ir.Expr]:
        """`e` made safe to repeat in every lane: a constant or name stays; anything
        else goes into a temporary when there is a statement to put it before, else
        is repeated (refused when it has effects)."""
        if e is None or isinstance(e, (ir.Const, ir.Var)):
            return e
        if self.out is None or self.new_local is None:
            if has_effects(e):
                self.error("a call or atomic in a vector operand here would run once per element", node.span,
                           "compute it into a `val` first")
                return None
            return e
        t = type_of(e)
        name = self.new_local("vtmp", t)
        self.out.append(ir.Assign(ir.Var(t, name), e))
        return ir.Var(t, name)

    def placed(self, e: Optional[ir.Expr], node) -> Optional[ir.Expr]:
        """An element value used once: into a temporary where there is a statement to
        put it before (it keeps its place in the evaluation order), else as it is."""
        return self.hoisted(e, node) if self.out is not None else e

    def broadcast(self, v: Union[ir.Expr, Untyped], t: VectorType, node, op: str) -> Optional[list[ir.Expr]]:
        """The scalar `v` as every lane of a `t` (an exact widening is implicit)."""
        e = self.exprs.coerce(v, t.elem, node, f" (an element of `{t}`, in `{op}`)")
        if e is None:
            return None
        return [e] + [clone_expr(e) for _ in range(t.count - 1)]

    def literal(self, node: ast.VecExpr, want: Optional[VectorType]) -> Optional[VecValue]:
        """`vec[a, b, ...]`: the element type is the widest typed element's (or the
        declared one), an untyped constant's own default otherwise."""
        n = len(node.items)
        if n not in VECTOR_COUNTS:
            self.error(f"a vector has 2, 3 or 4 elements, not {n}", node.span)
            return None
        values = [self.exprs.expr(item, want.elem if want is not None else None) for item in node.items]
        if any(v is None for v in values):
            return None
        elem = want.elem if want is not None and want.count == n else None
        if elem is None:
            for v in values:
                if isinstance(v, ir.Expr) and (elem is None or widens(elem, type_of(v))):
                    elem = type_of(v)
        if elem is None:
            elem = F32 if any(isinstance(v, Untyped) and v.is_float for v in values) else I32
        t = self.vector_type(ast.IntLit(n, None, node.span), elem, node.span, node.span)
        if t is None:
            return None
        lanes = [self.placed(self.exprs.coerce(v, elem, item, f" (an element of `{t}`)"), item)
                 for v, item in zip(values, node.items)]
        return None if any(lane is None for lane in lanes) else VecValue(t, lanes)  # type: ignore[arg-type]

    def call(self, node: ast.Call, want: Optional[VectorType]) -> Optional[VecValue]:
        f = node.func
        if isinstance(f, ast.VecExpr) and is_type_form(f):
            return self.construct(f, node)
        if isinstance(f, ast.Attribute) and isinstance(f.obj, ast.VecExpr) and is_type_form(f.obj):
            if f.name != "load":
                self.error(f"unknown vector function `{f.name}`", f.name_span,
                           f"`{f.obj.span.text}.load(buffer, i * {f.obj.span.text[4:5]})` reads a vector")
                return None
            t = self.type_form(f.obj)
            return None if t is None else self.load(t, node)
        name, args = _math_call(f, node.args)
        if name is None:
            self.error(f"`{node.span.text}` is not a vector expression", node.span)
            return None
        return self.math(name, args, node, want)

    def construct(self, f: ast.VecExpr, node: ast.Call) -> Optional[VecValue]:
        """`vec[N, T](x)`: every element x; `vec[N, T](a, b, ...)`: one per element."""
        t = self.type_form(f)
        if t is None:
            return None
        if len(node.args) not in (1, t.count):
            self.error(f"`{t}(...)` takes 1 value (for every element) or {t.count}, got {len(node.args)}",
                       node.span)
            return None
        if len(node.args) == 1 and self.is_vector(node.args[0]):
            v = self.vector(node.args[0], t)
            if v is not None and v.type != t:
                self.error(f"expected `{t}`, found `{v.type}`", node.args[0].span,
                           "convert its elements one by one: `vec[N, T](v.x as T, ...)`")
                return None
            return v
        values = [self.exprs.expect_type(a, t.elem, f" (an element of `{t}`)") for a in node.args]
        lanes = [(self.hoisted if len(values) == 1 else self.placed)(v, a) for v, a in zip(values, node.args)]
        if any(lane is None for lane in lanes):
            return None
        if len(lanes) == 1:
            lanes = lanes + [clone_expr(lanes[0]) for _ in range(t.count - 1)]  # type: ignore[arg-type]
        return VecValue(t, lanes)  # type: ignore[arg-type]

    def binary(self, node: ast.Binary, want: Optional[VectorType]) -> Optional[VecValue]:
        op = node.op
        if op not in VECTOR_OPS:
            if op in ("==", "!=", "<", "<=", ">", ">="):
                self.error(f"vectors cannot be compared with `{op}`", node.op_span,
                           "compare elements, e.g. `a.x < b.x`")
            else:
                self.error(f"`{op}` is not defined on vectors", node.op_span,
                           "vectors have `+ - * / %`, math functions and `dot`; apply others to elements")
            return None
        l = self.operand(node.lhs, want)
        r = self.operand(node.rhs, l.type if isinstance(l, VecValue) else want)
        if l is None or r is None:
            return None
        t = l.type if isinstance(l, VecValue) else r.type if isinstance(r, VecValue) else None
        assert t is not None  # (is_vector: one side is a vector)
        if isinstance(l, VecValue) and isinstance(r, VecValue) and l.type != r.type:
            self.error(f"mismatched vector types: `{l.type}` and `{r.type}` in `{op}`", node.op_span,
                       "convert one of them element by element")
            return None
        ls = l.lanes if isinstance(l, VecValue) else self.broadcast(l, t, node.lhs, op)
        rs = r.lanes if isinstance(r, VecValue) else self.broadcast(r, t, node.rhs, op)
        if ls is None or rs is None:
            return None
        return VecValue(t, [ir.Binary(t.elem, VECTOR_OPS[op], a, b) for a, b in zip(ls, rs)])

    def math(self, name: str, args: list, node: ast.Call, want: Optional[VectorType]) -> Optional[VecValue]:
        """A math builtin applied element by element (vector arguments of one type,
        scalars broadcast)."""
        if len(args) != MATH_ARITY[name]:
            self.error(f"`{name}` takes {MATH_ARITY[name]} argument(s), got {len(args)}", node.span)
            return None
        if name in BOOL_RESULT_MATH:
            self.error(f"`{name}` of a vector would give a vector of `bool`, which is not supported", node.span,
                       f"apply it to the elements: `{name}(v.x)`")
            return None
        values: list[Union[VecValue, ir.Expr, Untyped, None]] = []
        for a in args:
            hint = next((v.type for v in values if isinstance(v, VecValue)), want)
            values.append(self.operand(a, hint))
        if any(v is None for v in values):
            return None
        types = {v.type for v in values if isinstance(v, VecValue)}
        if len(types) > 1:
            shown = " and ".join(sorted(f"`{t}`" for t in types))
            self.error(f"mismatched vector types: {shown} in `{name}`", node.span)
            return None
        if not types:
            return None
        (t,) = types
        if not t.elem.is_float and name not in INT_MATH:
            self.error(f"`{name}` needs floats, found `{t}`", node.span)
            return None
        lanes = [v.lanes if isinstance(v, VecValue) else self.broadcast(v, t, a, name)  # type: ignore[arg-type]
                 for v, a in zip(values, args)]
        if any(ls is None for ls in lanes):
            return None
        return VecValue(t, [ir.Builtin(t.elem, name, [ls[j] for ls in lanes])  # type: ignore[index]
                            for j in range(t.count)])

    # ------------------------------------------------------------------ elements and reductions

    def element(self, v: VecValue, i: int, span: Span) -> Optional[ir.Expr]:
        if not 0 <= i < v.type.count:
            self.error(f"`{v.type}` has no element {i}", span, f"its elements are 0 to {v.type.count - 1}")
            return None
        return v.lanes[i]

    def lane_attribute(self, node: ast.Attribute) -> Optional[ir.Expr]:
        """`v.x` ... `v.w`."""
        v = self.vector(node.obj)
        if v is None:
            return None
        names = LANE_NAMES[:v.type.count]
        if node.name not in names:
            hint = ("swizzles are not supported; build the vector: `vec[N, T](v.y, v.x)`"
                    if set(node.name) <= set(LANE_NAMES) else f"its elements are {', '.join('.' + c for c in names)}")
            self.error(f"`{v.type}` has no element `.{node.name}`", node.name_span, hint)
            return None
        return self.element(v, LANE_NAMES.index(node.name), node.name_span)

    def lane_index(self, node: ast.Index) -> Optional[ir.Expr]:
        """`v[i]` with a constant `i`."""
        v = self.vector(node.obj)
        if v is None:
            return None
        i = self.constant_index(node.index)
        return None if i is None else self.element(v, i, node.index.span)

    def is_constant(self, node) -> bool:
        """Whether `node` is written as a compile-time integer constant (literals,
        `const` names and operators on them)."""
        if isinstance(node, ast.IntLit):
            return True
        if isinstance(node, ast.Name):
            b = self.exprs.lookup(node.id)
            return b is not None and b.kind == CONST
        if isinstance(node, ast.Unary):
            return node.op in ("-", "+", "~") and self.is_constant(node.operand)
        if isinstance(node, ast.Binary):
            return node.op not in ("and", "or") and self.is_constant(node.lhs) and self.is_constant(node.rhs)
        return False

    def constant_index(self, node) -> Optional[int]:
        if not self.is_constant(node):
            self.error("a vector element index must be a compile-time constant", node.span,
                       "use `.x .y .z .w` or a literal; to pick an element at run time use an array `[T; N]`")
            return None
        return self.exprs.constant_int(node, "a vector element index")

    def reduce(self, op: str, node) -> Optional[ir.Expr]:
        """`v.sum()`, `.product()`, `.min()`, `.max()`: the elements combined left to right."""
        v = self.vector(node)
        if v is None:
            return None
        acc = v.lanes[0]
        for lane in v.lanes[1:]:
            acc = ir.Builtin(v.type.elem, op, [acc, lane]) if op in ("min", "max") else \
                ir.Binary(v.type.elem, op, acc, lane)
        return acc

    def scalar_call(self, node: ast.Call) -> tuple[bool, Optional[ir.Expr]]:
        """(True, its value) for a call giving a scalar from vectors: `v.sum()` (and
        `.product()`, `.min()`, `.max()`), `a.dot(b)`, `dot(a, b)` (unless a helper is
        called `dot`); (False, None) for any other call."""
        f = node.func
        if isinstance(f, ast.Attribute):
            if f.name in REDUCTIONS and not node.args and self.is_vector(f.obj):
                return True, self.reduce(REDUCTIONS[f.name], f.obj)
            if f.name == "dot" and len(node.args) == 1 and self.is_vector(f.obj):
                return True, self.dot(f.obj, node.args[0], node.span)
        if isinstance(f, ast.Name) and f.id == "dot" and f.id not in self.exprs.m.functions and len(node.args) == 2:
            return True, self.dot(node.args[0], node.args[1], node.span)
        return False, None

    def dot(self, a, b, span: Span) -> Optional[ir.Expr]:
        """`dot(a, b)`: the sum of the products of the elements, left to right."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return None
        if va.type != vb.type:
            self.error(f"mismatched vector types: `{va.type}` and `{vb.type}` in `dot`", span)
            return None
        e = va.type.elem
        products = [ir.Binary(e, "mul", x, y) for x, y in zip(va.lanes, vb.lanes)]
        acc = products[0]
        for p in products[1:]:
            acc = ir.Binary(e, "add", acc, p)
        return acc

    # ------------------------------------------------------------------ memory

    def load(self, t: VectorType, node: ast.Call, into: Optional[tuple[str, ...]] = None) -> Optional[VecValue]:
        """`vec[N, T].load(buf, i * N)`: elements i*N .. i*N + N-1 in one access,
        into the locals `into` (a new vector variable's) or into temporaries."""
        access = self.access(t, node.args, node, "load")
        if access is None:
            return None
        if self.out is None or self.new_local is None:
            self.error("a vector load must be the value of a declaration or an assignment", node.span,
                       f"write `val v = {node.span.text}` first")
            return None
        base = access.binding.ir_name
        new_local = self.new_local
        targets = [ir.Var(t.elem, name) for name in into or (new_local("vload", t.elem) for _ in range(t.count))]
        self.out.extend(self.checked_access(access, t.count, lambda index, checked: [
            ir.VectorLoad([ir.Var(t.elem, v.name) for v in targets], base, index, checked)],
            [ir.Assign(ir.Var(t.elem, v.name), ir.Const(t.elem, 0.0 if t.elem.is_float else 0))
             for v in targets]))
        return VecValue(t, [ir.Var(t.elem, v.name) for v in targets])

    def store(self, value_node, args: list, node: ast.Call) -> None:
        """`v.store(buf, i * N)`: the vector into elements i*N .. i*N + N-1."""
        assert self.out is not None
        v = self.vector(value_node)
        if v is None:
            return
        access = self.access(v.type, args, node, "store")
        if access is None:
            return
        b = access.binding
        if not b.writable:
            self.exprs.readonly_error(access.name, b, args[0].span)
            return
        lanes = v.lanes
        self.out.extend(self.checked_access(access, v.type.count, lambda index, checked: [
            ir.VectorStore(b.ir_name, index, [clone_expr(x) for x in lanes], checked)], []))

    def access(self, t: VectorType, args: list, node: ast.Call, what: str) -> Optional["Access"]:
        """The buffer and vector index of a load or store."""
        if len(args) != 2:
            self.error(f"a vector {what} takes a buffer and an element offset, got {len(args)} argument(s)",
                       node.span, f"write `{what}(x, i * {t.count})`")
            return None
        if t.count not in ACCESS_COUNTS:
            self.error(f"a vector {what} moves 2 or 4 elements in one access; `{t}` has {t.count}", node.span,
                       "use `vec[4, T]` and leave `.w` unused, or access the elements one by one")
            return None
        b = self.exprs.indexable(args[0])
        if b is None:
            return None
        if b.kind != BUFFER:
            self.error(f"a vector {what} accesses a buffer; `{args[0].span.text}` is a {b.kind}", args[0].span,
                       "access its elements one by one")
            return None
        if b.elem != t.elem:
            self.error(f"mismatched types: `{args[0].span.text}` holds `{b.elem}`, the {what} is of `{t}`",
                       args[0].span, f"use `vec[{t.count}, {b.elem}]`")
            return None
        k = self.vector_index(args[1], t.count, b)
        return None if k is None else Access(b, args[0].span.text, k, args[1].span)

    def vector_index(self, node, n: int, b: Binding) -> Optional[ir.Expr]:
        """The vector index k of an element offset written `k * n`, `n * k`, `k << s`
        (2**s a multiple of n) or a constant multiple of n: one aligned access."""
        if self.is_constant(node):
            c = self.exprs.constant_int(node, "a vector offset")
            if c is None:
                return None
            if c % n:
                self.error(f"unaligned vector access: offset {c} is not a multiple of {n}", node.span,
                           f"a `vec[{n}, T]` access starts at an element index that is a multiple of {n}")
                return None
            return self.exprs.index_value(ast.IntLit(c // n, None, node.span), b)
        if isinstance(node, ast.Binary) and node.op == "*":
            for factor, other in ((node.rhs, node.lhs), (node.lhs, node.rhs)):
                if self.is_constant(factor):
                    c = self.exprs.constant_int(factor, "a vector offset's factor")
                    if c is None:
                        return None
                    if c % n == 0:
                        k = self.exprs.index_value(other, b)
                        return k if c == n or k is None else ir.Binary(k.type, "mul", k, ir.Const(k.type, c // n))
        if isinstance(node, ast.Binary) and node.op == "<<" and self.is_constant(node.rhs):
            s = self.exprs.constant_int(node.rhs, "a shift")
            if s is not None and s >= 0 and (1 << s) % n == 0:
                k = self.exprs.index_value(node.lhs, b)
                shift = s - (n.bit_length() - 1)
                return k if k is None or shift == 0 else ir.Binary(k.type, "shl", k, ir.Const(k.type, shift))
        self.error(f"unaligned vector access: the offset must be written `i * {n}` so that it is a multiple "
                   f"of {n}", node.span,
                   f"index vectors, e.g. `vec[{n}, T].load(x, i * {n})` reads elements {n}*i to {n}*i + {n - 1}")
        return None

    def checked_access(self, access: "Access", n: int, make: Callable[[ir.Expr, bool], list],
                       otherwise: list) -> list:
        """The statements of a vector access of `n` elements under the kernel's bounds
        rules: `make` builds the access for an index and whether it is checked;
        `otherwise` is what `zero` does out of range (a load's zeros)."""
        b, k, span = access.binding, access.index, access.span
        traps, policy = self.exprs.ctx.traps, self.exprs.bounds
        if traps is not None and traps.covers(True, k):
            if has_effects(k):
                if traps.explicit:
                    self.error("under `@bounds(default=trap)` an index must not call functions or atomics", span,
                               "compute it into a `val` first")
                    return []
                return make(k, self.exprs.simd)
            site = traps.add(access.name, k, span)
            return make(trap_vector_index(b.ir_name, k, n, site), True)
        if not self.exprs.simd:
            return make(k, False)
        if policy in ("clamp", "zero") and has_effects(k):
            self.error(f"under `@bounds(default={policy})` an index must not call functions or atomics", span,
                       "compute it into a `val` first")
            return []
        if policy == "clamp":
            return make(clamped_vector(b.ir_name, k, n), True)
        if policy == "zero":
            return [ir.If(in_range_vector(b.ir_name, clone_expr(k), n), ir.Block(make(k, True)), ir.Block(otherwise))]
        return make(k, True)


# --------------------------------------------------------------------------- helpers


def load_type_node(node) -> Optional[ast.VecExpr]:
    """The `vec[N, T]` of a load `vec[N, T].load(...)`, if `node` is one."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.name == "load" \
            and isinstance(node.func.obj, ast.VecExpr) and is_type_form(node.func.obj):
        return node.func.obj
    return None


def is_type_form(node: ast.VecExpr) -> bool:
    """Whether `vec[...]` is the type `vec[N, T]` (its second item a scalar type name)."""
    return len(node.items) == 2 and isinstance(node.items[1], ast.Name) and scalar_type(node.items[1].id) is not None


def _math_call(f, args: list) -> tuple[Optional[str], list]:
    """(builtin name, arguments) of a math call `sqrt(v)`, `math.sqrt(v)` or `v.sqrt()`;
    (None, []) for any other call."""
    if isinstance(f, ast.Name) and f.id in MATH_ARITY:
        return f.id, args
    if isinstance(f, ast.Attribute) and f.name in MATH_ARITY:
        if isinstance(f.obj, ast.Name) and f.obj.id == "math":
            return f.name, args
        return f.name, [f.obj, *args]
    return None, []


def declare_vector(declare: Callable[[str, ScalarType], str], name: str, t: VectorType) -> VectorSlots:
    """The locals of a new vector variable `name`: `name_x`, `name_y`, ..."""
    return VectorSlots(t, tuple(declare(f"{name}_{LANE_NAMES[j]}", t.elem) for j in range(t.count)))


def lanes_assignments(slots: VectorSlots, lanes: list[ir.Expr],
                      new_local: Callable[[str, ScalarType], str]) -> list[ir.Stmt]:
    """`slots = lanes`: direct when no lane reads another element of the target,
    else through temporaries (`v = vec[2, f32](v.y, v.x)` swaps)."""
    elem = slots.type.elem
    crossed = any(isinstance(x, ir.Var) and x.name in slots.lanes and x.name != slots.lanes[j]
                  for j, lane in enumerate(lanes) for x in walk_expr(lane))
    out: list[ir.Stmt] = []
    if crossed:
        temps = [new_local("vtmp", elem) for _ in lanes]
        out += [ir.Assign(ir.Var(elem, tmp), lane) for tmp, lane in zip(temps, lanes)]
        lanes = [ir.Var(elem, tmp) for tmp in temps]
    out += [ir.Assign(ir.Var(elem, name), lane) for name, lane in zip(slots.lanes, lanes)]
    return out

