"""Type checking of one function body: statements, scopes and locals -> IR."""
from __future__ import annotations

from typing import Callable, Optional

from ..lowering import ir
from ..lowering.ir import BOOL, F32, I32
from . import ast, bounds
from .check_arrays import ArrayDeclarations
from .check_expr import ExprChecker
from .check_values import Untyped, all_checked, name_of, suggest, type_of
from .check_vector_stmt import VectorStatements
from .context import ExprContext, FnSig, ModuleContext
from .diagnostics import DiagnosticBag
from .id_types import IdTyping
from .ir_util import always_returns, clone_expr, has_effects
from .scope import (BUFFER, CONST, ERROR, LOCAL, LOOP_VAR, MATRIX, PARAM, PRIVATE, Binding,
                    NameAllocator, Scope)
from .source import Span
from .types import RESERVED_NAMES, fits, widens, zero

TERMINATORS = (ir.Return, ir.Break, ir.Continue)


class FunctionChecker(ArrayDeclarations):
    """Checks the body of one kernel or helper and builds its IR pieces; its
    expressions are checked by the ExprChecker `exprs` it owns, which it gives the
    names in scope and receives the ids and calls used through an ExprContext."""

    def __init__(self, m: ModuleContext, fn: ast.FnDef, sig: FnSig, simd: bool, bounds: str = "return",
                 ids: Optional[IdTyping] = None, diags: Optional[DiagnosticBag] = None,
                 traps: Optional[bounds.TrapSites] = None):
        self.m = m
        self.ids = ids if ids is not None else IdTyping()
        self.fn = fn
        self.sig = sig
        self.simd = simd
        self.bounds = bounds
        self.alloc = NameAllocator([*m.const_defs, *(p.name for p in fn.params), ir.TRAP_PARAM])
        self.scope = Scope()
        self.locals: list[ir.Local] = []
        self.shared: list[ir.SharedArray] = []
        self.mutable_names: set[str] = set()
        self.max_dim = -1
        self.calls: list[tuple[str, Span]] = []
        self.spans: dict[int, Span] = {}  # id(IR If/Loop/call) -> its condition's or call's span (uniformity.py)
        self.loops = 0
        self.unrolled: list[bool] = []  # per enclosing loop: whether it is an unrolled `for` over a list
        self.ended: dict[str, Optional[Span]] = {}
        context = ExprContext(m, self.lookup, self.name_hint, self.note_dim, self.note_call, simd, bounds,
                              sig.implicit_readonly, self.ids, traps)
        self.exprs = ExprChecker(context, diags)
        self.vectors = VectorStatements(self)
        self.coop = self.exprs.coop
        self.coop.in_kernel = sig.is_kernel
        self.bind_params()

    def bind_params(self) -> None:
        types = {p.name: p.type for p in self.sig.params}
        for p in self.fn.params:
            t = types.get(p.name)
            kind = ERROR if t is None else BUFFER if isinstance(t, ir.BufferType) else PARAM
            self.scope.define(p.name, Binding(kind, p.name, t, False, p.span))

    # ------------------------------------------------------------------ the expression checker's context

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.exprs.error(message, span, hint)

    def lookup(self, name: str) -> Optional[Binding]:
        return self.scope.lookup(name) or self.m.const_binding(name)

    def note_dim(self, dim: int) -> None:
        self.max_dim = max(self.max_dim, dim)

    def note_call(self, name: str, span: Span) -> None:
        self.calls.append((name, span))

    def name_hint(self, name: str) -> Optional[str]:
        if name in self.ended:
            return (f"`{name}` was declared in a block that has ended; "
                    f"declare it before that block (e.g. `var {name} = 0`) to use it here")
        visible: set[str] = set(self.m.const_defs)
        scope: Optional[Scope] = self.scope
        while scope is not None:
            visible.update(scope.names)
            scope = scope.parent
        return suggest(name, visible)

    # ------------------------------------------------------------------ driver

    def run(self) -> ir.Block:
        body = self.block(self.fn.body)
        ret = self.sig.ret
        if ret is not None and not always_returns(body):
            self.error(f"`{self.fn.name}` may reach the end of its body without returning a `{ret}`",
                       self.fn.name_span, "add a `return` at the end of the function")
        return body

    def block(self, stmts: list[ast.Stmt], scope: Optional[Scope] = None) -> ir.Block:
        outer = self.scope
        self.scope = scope or Scope(outer)
        out: list[ir.Stmt] = []
        dead: list[ir.Stmt] = []  # statements after a return/break/continue: checked, dropped
        for s in stmts:
            target = dead if out and isinstance(out[-1], TERMINATORS) else out
            _STMT[type(s)](self, s, target)
        for name, b in self.scope.names.items():
            self.ended.setdefault(name, b.span)
        self.scope = outer
        return ir.Block(out)

    # ------------------------------------------------------------------ bindings

    def bindable(self, name: str, span: Span) -> bool:
        if name in RESERVED_NAMES:
            self.error(f"`{name}` is a reserved name and cannot be bound", span, "choose another name")
            return False
        return True

    def bind_error(self, name: str, span: Span) -> None:
        self.scope.define(name, Binding(ERROR, name, None, False, span))

    def declare_local(self, name: str, span: Span, value: ir.Expr, mutable: bool, out,
                      annotated: bool = False) -> None:
        ir_name = self.alloc.fresh(name)
        if not annotated and self.ids.is_flexible(value):
            decided = self.ids.local_declared(ir_name, name, span.start)
            if decided is not None and decided[0] != value.type:
                value = self.ids.retype(value, decided[0], span)
        t = type_of(value)
        self.locals.append(ir.Local(ir_name, t))
        if mutable:
            self.mutable_names.add(ir_name)
        self.scope.define(name, Binding(LOCAL, ir_name, t, mutable, span))
        out.append(ir.Assign(ir.Var(t, ir_name), value))

    def let(self, s: ast.Let, out: list) -> None:
        if not self.bindable(s.name, s.name_span):
            return
        if s.shared:
            return self.shared_decl(s)
        if _is_shared_memory(s.value):
            return self.shared_memory_decl(s)
        if isinstance(s.type, ast.ArrayTypeExpr):
            return self.private_array(s, out)
        if self.vectors.let(s, out):
            return None
        if s.value is not None and self.coop.is_matrix(s.value):
            return self.matrix_local(s, out)
        value = self.let_value(s)
        if value is None:
            return self.bind_error(s.name, s.name_span)
        self.declare_local(s.name, s.name_span, value, s.mutable, out, annotated=s.type is not None)

    def matrix_local(self, s: ast.Let, out: list) -> None:
        """`val m = MATRIX` / `var m = MATRIX`: a cooperative matrix local."""
        value = self.coop.declared(s)
        if value is None:
            return self.bind_error(s.name, s.name_span)
        ir_name = self.alloc.fresh(s.name)
        self.locals.append(ir.Local(ir_name, value.type))
        self.scope.define(s.name, Binding(MATRIX, ir_name, value.type, s.mutable, s.name_span))
        out.append(ir.CoopAssign(ir_name, value))

    def let_value(self, s: ast.Let) -> Optional[ir.Expr]:
        if isinstance(s.type, ast.BufferTypeExpr):
            self.error("a buffer can only be a kernel parameter", s.type.span)
            return None
        t = self.exprs.scalar(s.type) if s.type is not None else None
        if s.value is None:
            return self.default_value(s, t)
        v = self.exprs.expr(s.value, t)
        if s.type is not None and t is None:
            return None
        if t is None:
            return self.exprs.materialize(v, None, s.value)
        return self.exprs.coerce(v, t, s.value, f" for `{s.name}`")

    def default_value(self, s: ast.Let, t: Optional[ir.ScalarType]) -> Optional[ir.Expr]:
        if t is None:
            if s.type is None:
                self.error(f"`{s.name}` needs a type or a value", s.span,
                           f"write `var {s.name}: f32 = 0.0` or `var {s.name}: i32`")
            return None
        if not s.mutable:
            self.error(f"immutable binding `{s.name}` needs a value", s.span,
                       f"write `val {s.name}: {t} = ...`, or `var {s.name}: {t}` for a zeroed variable")
            return None
        return ir.Const(t, zero(t))

    # ------------------------------------------------------------------ assignment

    def assign(self, s: ast.Assign, out: list) -> None:
        if self.vectors.assign(s, out):
            return
        if isinstance(s.target, ast.Name):
            return self.assign_name(s, s.target, out)
        if isinstance(s.target, ast.Index):
            return self.assign_index(s, s.target, out)
        self.error("cannot assign to this expression", s.target.span,
                   "assign to a variable `x = ...` or an element `a[i] = ...`")

    def assign_name(self, s: ast.Assign, target: ast.Name, out: list) -> None:
        name, span = target.id, target.span
        b = self.lookup(name)
        if b is None:
            if s.op != "=":
                self.exprs.unknown_name(name, span)
                return
            if not self.bindable(name, span):
                return
            value = self.exprs.typed(s.value, None)
            if value is None:
                return self.bind_error(name, span)
            return self.declare_local(name, span, value, True, out)
        if b.kind == ERROR:
            self.exprs.expr(s.value, None)
            return
        if b.kind == MATRIX and b.mutable:
            return out.extend(filter(None, [self.coop.assigned(name, b, s.value, s.op, span)]))
        if b.kind != LOCAL or not b.mutable:
            return self.not_assignable(name, b, span)
        value = self.assigned_value(s, ir.Var(b.scalar, b.ir_name), b.scalar)
        if value is not None:
            out.append(ir.Assign(ir.Var(b.scalar, b.ir_name), value))

    def not_assignable(self, name: str, b: Binding, span: Span) -> None:
        if b.kind in (LOCAL, MATRIX):
            self.error(f"cannot assign twice to immutable binding `{name}`", span,
                       f"declare it with `var {name}` to make it mutable")
        elif b.kind == PARAM:
            self.error(f"cannot assign to parameter `{name}`", span,
                       f"parameters are immutable; copy it into a variable first: `var {name}2 = {name}`")
        elif b.kind == CONST:
            self.error(f"cannot assign to constant `{name}`", span)
        elif b.kind == LOOP_VAR:
            self.error(f"cannot assign to loop variable `{name}`", span,
                       "use a `while` loop to control the counter yourself")
        else:
            self.error(f"cannot assign to the {b.kind} `{name}` as a whole", span,
                       f"assign an element: `{name}[i] = ...`")

    def assign_index(self, s: ast.Assign, target: ast.Index, out: list) -> None:
        b = self.exprs.indexable(target.obj)
        i = self.exprs.index_value(target.index, b)
        if b is None or i is None or not self.element_writable(b, target):
            self.exprs.expr(s.value, None)
            return
        elem = b.elem
        checked = self.simd and b.kind == BUFFER
        traps = self.exprs.ctx.traps
        trapping = traps is not None and traps.covers(b.kind == BUFFER, i)
        if (s.op != "=" or trapping) and has_effects(i):  # the target's index is evaluated first
            tmp = self.alloc.fresh("index")
            self.locals.append(ir.Local(tmp, type_of(i)))
            out.append(ir.Assign(ir.Var(i.type, tmp), i))
            i = ir.Var(i.type, tmp)
        guard = None
        if trapping and traps is not None:
            i, checked = traps.index(b.ir_name, name_of(target.obj), i, target.span), True
        elif checked:
            if not self.exprs.policy_index_ok(i, target.index):
                self.exprs.expr(s.value, None)
                return
            if self.bounds == "zero":
                guard = bounds.in_range(b.ir_name, i)
            i = bounds.write_index(self.bounds, b.ir_name, i)
        current = ir.Index(elem, b.ir_name, clone_expr(i), checked) if s.op != "=" else None
        value = self.assigned_value(s, current, elem)
        if value is None:
            return
        store = ir.Assign(ir.Index(elem, b.ir_name, i, checked), value)
        out.append(store if guard is None else ir.If(guard, ir.Block([store]), ir.Block()))

    def element_writable(self, b: Binding, target: ast.Index) -> bool:
        name = name_of(target.obj)
        if b.kind == BUFFER and not b.writable:
            self.exprs.readonly_error(name, b, target.span)
            return False
        if b.kind == PRIVATE and not b.mutable and isinstance(b.type, ir.ArrayType):
            t = b.type
            self.error(f"cannot assign to an element of `{name}`: it is declared with `val`", target.span,
                       f"declare it with `var {name}: [{t.elem}; {t.length}]`")
            return False
        return True

    def assigned_value(self, s: ast.Assign, current: Optional[ir.Expr], t: ir.ScalarType) -> Optional[ir.Expr]:
        """The value stored by `target = e` or `target op= e`, of the target's type `t`."""
        if s.op == "=":
            return self.exprs.expect_type(s.value, t, f" in the assignment to `{s.target.span.text}`")
        v = self.exprs.binop(s.op, current, s.target, s.value, s, t)
        if isinstance(v, ir.Expr) and v.type != t:
            self.error(f"mismatched types: `{s.op}=` on `{t}` with a wider `{v.type}` value", s.value.span,
                       f"write `{s.value.span.text} as {t}`" if widens(t, type_of(v)) else None)
            return None
        return v if isinstance(v, ir.Expr) else None

    # ------------------------------------------------------------------ other statements

    def expr_stmt(self, s: ast.ExprStmt, out: list) -> None:
        node = s.expr
        if self.vectors.store(node, out):
            return
        if self.coop.is_store(node):
            return out.extend(filter(None, [self.coop.store(node)]))
        if not isinstance(node, ast.Call):
            self.exprs.expr(node, None)
            hint = "did you mean `=`?" if isinstance(node, ast.Binary) and node.op == "==" else None
            self.error("this expression has no effect", node.span, hint)
            return
        v = self.exprs.call(node, None, allow_void=True)
        if isinstance(v, (ir.Call, ir.Builtin, ir.Atomic)):
            self.spans[id(v)] = node.span
            out.append(ir.ExprStmt(v))
        elif isinstance(v, ir.Select) and has_effects(v):  # a trapping atomic (bounds.trap_atomic)
            out.extend(bounds.effect_statements(v))
        elif v is not None:
            self.error("this expression has no effect", node.span)

    def if_stmt(self, s: ast.If, out: list) -> None:
        branches = [(self.exprs.condition(cond), self.block(body)) for cond, body in s.branches]
        otherwise = self.block(s.otherwise) if s.otherwise is not None else ir.Block()
        conds = all_checked([cond for cond, _ in branches])
        if conds is None:
            return
        node = None
        for cond, (_, then), (cond_node, _) in zip(reversed(conds), reversed(branches), reversed(s.branches)):
            node = ir.If(cond, then, otherwise)
            self.spans[id(node)] = cond_node.span
            otherwise = ir.Block([node])
        out.append(node)

    def while_stmt(self, s: ast.While, out: list) -> None:
        cond = self.exprs.condition(s.cond)
        body = self.loop_body(s.body, None)
        if cond is not None:
            always = isinstance(cond, ir.Const) and cond.value is True
            out.append(ir.Loop(None if always else cond, body))
            self.spans[id(out[-1])] = s.cond.span

    def loop_body(self, stmts: list[ast.Stmt], var: Optional[tuple[str, Binding]]) -> ir.Block:
        scope = Scope(self.scope)
        if var is not None:
            scope.define(*var)
        self.loops += 1
        self.unrolled.append(False)
        body = self.block(stmts, scope)
        self.unrolled.pop()
        self.loops -= 1
        return body

    def for_stmt(self, s: ast.For, out: list) -> None:
        it = s.iter
        if isinstance(it, ast.ListIter):
            return self.unrolled_for(s, it, out)
        bounds = None
        if not isinstance(it, ast.RangeIter):
            self.error("a `for` loop iterates over `range(...)` or `a..b`", it.span,
                       "write `for i in range(n)` or `for i in 0..n`")
        else:
            bounds = self.range_bounds(it)
        if bounds is None or not self.bindable(s.var, s.var_span):
            self.loop_body(s.body, (s.var, Binding(ERROR, s.var, None, False, s.var_span)))
            return
        t, start, end, step = bounds
        name = self.alloc.fresh(s.var)
        self.locals.append(ir.Local(name, t))
        out.append(ir.Assign(ir.Var(t, name), start))
        if not self.invariant(end):
            end_name = self.alloc.fresh(f"{s.var}_end")
            self.locals.append(ir.Local(end_name, t))
            out.append(ir.Assign(ir.Var(t, end_name), end))
            end = ir.Var(t, end_name)
        cond = ir.Binary(BOOL, "lt" if step > 0 else "gt", ir.Var(t, name), end)
        increment = ir.Binary(t, "add" if step > 0 else "sub", ir.Var(t, name), ir.Const(t, abs(step)))
        body = self.loop_body(s.body, (s.var, Binding(LOOP_VAR, name, t, False, s.var_span)))
        out.append(ir.Loop(cond, body, ir.Block([ir.Assign(ir.Var(t, name), increment)])))
        self.spans[id(out[-1])] = it.span

    def range_bounds(self, it: ast.RangeIter):
        """(type, start, end, step) of a range, or None after an error."""
        start_node = it.start if it.start is not None else it
        start = self.exprs.expr(it.start, None) if it.start is not None else Untyped(0)
        end = self.exprs.expr(it.end, start.type if isinstance(start, ir.Expr) else None)
        if start is None or end is None:
            return None
        if isinstance(start, Untyped) and isinstance(end, Untyped):
            start = self.exprs.materialize(start, None, start_node)
        pair = self.exprs.unify(start, end, start_node, it.end, "range")
        if pair is None:
            return None
        t = type_of(pair[0])
        if not t.is_int:
            self.error(f"range bounds must be integers, found `{t}`", it.span)
            return None
        step = 1
        if it.step is not None:
            given = self.exprs.constant_int(it.step, "the step of a range")
            if given is None:
                return None
            step = given
            if step == 0:
                self.error("the step of a range must not be zero", it.step.span)
                return None
            if not fits(abs(step), t):
                self.error(f"the step {step} does not fit the loop variable's type `{t}`", it.step.span)
                return None
        return t, pair[0], pair[1], step

    def invariant(self, e: ir.Expr) -> bool:
        """Whether `e` cannot change while a loop runs (so it need not be saved)."""
        if isinstance(e, (ir.Const, ir.Len)):
            return True
        if isinstance(e, ir.Var):
            return e.name not in self.mutable_names
        return isinstance(e, ir.Builtin) and e.name in ir.ID_BUILTINS

    def unrolled_for(self, s: ast.For, it: ast.ListIter, out: list) -> None:
        """`for d in [-1, 0, 1]:` is unrolled: the body once per constant, in order."""
        values = [self.exprs.expr(item, None) for item in it.items]
        if any(v is None for v in values):
            return
        for item, v in zip(it.items, values):
            if not isinstance(v, (Untyped, ir.Const)):
                self.error("a `for` over a list needs compile-time constants", item.span,
                           "use literals or `const`s, or loop over `range(...)`")
                return
        if not values:
            self.error("a `for` over a list needs at least one value", it.span)
            return
        t = next((v.type for v in values if isinstance(v, ir.Const)), None)
        if t is None:
            t = F32 if any(isinstance(v, Untyped) and v.is_float for v in values) else I32
        consts = all_checked([self.exprs.coerce(v, t, item, " in the list") for v, item in zip(values, it.items)])
        if consts is None or not self.bindable(s.var, s.var_span):
            return
        name = self.alloc.fresh(s.var)
        self.locals.append(ir.Local(name, t))
        diags = self.exprs.diags
        for n, c in enumerate(consts):
            out.append(ir.Assign(ir.Var(t, name), c))
            scope = Scope(self.scope)
            scope.define(s.var, Binding(LOOP_VAR, name, t, False, s.var_span))
            self.unrolled.append(True)
            if n == 1:  # the copies after the first repeat its errors: keep one of each
                self.exprs.diags = DiagnosticBag(self.m.source, limit=None)
            body = self.block(s.body, scope)
            self.unrolled.pop()
            out.extend(body.stmts)
            if out and isinstance(out[-1], TERMINATORS):
                break  # the remaining copies could never run
        self.exprs.diags = diags

    def jump(self, s, out: list) -> None:
        word = "break" if isinstance(s, ast.Break) else "continue"
        if self.unrolled and self.unrolled[-1]:
            self.error(f"`{word}` is not supported in a `for` over a list (it is unrolled)", s.span,
                       "loop over `range(...)` instead, or use an `if`")
            return
        if not self.loops:
            self.error(f"`{word}` outside of a loop", s.span)
            return
        out.append(ir.Break() if word == "break" else ir.Continue())

    def pass_stmt(self, s: ast.Pass, out: list) -> None:
        pass

    def return_stmt(self, s: ast.Return, out: list) -> None:
        name, ret = self.fn.name, self.sig.ret
        if self.sig.is_kernel or ret is None:
            if s.value is not None:
                self.exprs.expr(s.value, None)
                if self.sig.is_kernel:
                    self.error("a kernel cannot return a value", s.value.span,
                               "write results into a buffer parameter; `return` alone ends the work item")
                else:
                    self.error(f"`{name}` has no return type, so it cannot return a value", s.value.span,
                               f"declare the result type: `fn {name}(...) -> T:`")
                return
            out.append(ir.Return())
            return
        v = None
        if s.value is None:
            self.error(f"`{name}` must return a `{ret}` value", s.span)
        else:
            v = self.exprs.expect_type(s.value, ret, f" as the result of `{name}`")
        # after an error the placeholder keeps "may reach the end" from following up
        out.append(ir.Return(v))


def _is_shared_memory(e) -> bool:
    return isinstance(e, ast.Call) and bool(e.type_args)


_STMT: dict[type, Callable[..., None]] = {
    ast.Let: FunctionChecker.let,
    ast.Assign: FunctionChecker.assign,
    ast.ExprStmt: FunctionChecker.expr_stmt,
    ast.If: FunctionChecker.if_stmt,
    ast.While: FunctionChecker.while_stmt,
    ast.For: FunctionChecker.for_stmt,
    ast.Break: FunctionChecker.jump,
    ast.Continue: FunctionChecker.jump,
    ast.Pass: FunctionChecker.pass_stmt,
    ast.Return: FunctionChecker.return_stmt,
}
