"""Type checking of calls: helper functions, `len`, methods, `this.*`, `gpu.*`
builtins (thread ids, barriers, atomics) and the math builtins.

A `CallChecker` is owned by an `ExprChecker` (check_expr.py) and checks the
arguments of calls through it (`self.exprs`); the context of the code around (names,
facts learned) is the expression checker's `ctx`. What it uses of its owner is the
`ExprChecking` protocol below, so this module does not import check_expr.
"""
from __future__ import annotations

from typing import Optional, Protocol, Union

from ..lowering import ir
from ..lowering.ir import BOOL, F32, I32, ScalarType
from . import ast
from .builtins import (ATOMIC_ALIASES, ATOMICS, BARE_BUILTINS, BOOL_RESULT_MATH, GPU_NAMESPACE,
                       GPU_SYNC_ALIASES, ID_ALIASES, INT_MATH, MATH_ARITY, SYNC_ALIASES, THIS_METHODS)
from .check_coop import CoopChecker
from .check_values import ATOMIC_FORM, Untyped, Value, all_checked, name_of, source_text, suggest, type_of
from .context import ExprContext, ModuleContext
from .host_items import skipped_hint
from .scope import BUFFER, ERROR, PRIVATE, Binding
from .source import Span
from .types import scalar_type, widens




class ExprChecking(Protocol):
    """What a CallChecker uses of the expression checker that owns it."""

    ctx: ExprContext
    m: ModuleContext
    coop: CoopChecker

    @property
    def ids(self): ...

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None: ...

    def lookup(self, name: str) -> Optional[Binding]: ...

    def expr(self, node: ast.Expr, hint: Optional[ScalarType] = None) -> Value: ...

    def expect_type(self, node: ast.Expr, t: ScalarType, context: str = "") -> Optional[ir.Expr]: ...

    def coerce(self, v: Value, t: ScalarType, node, context: str = "") -> Optional[ir.Expr]: ...

    def convert(self, v: Union[ir.Expr, Untyped], t: ScalarType) -> ir.Expr: ...

    def indexable(self, node: ast.Expr) -> Optional[Binding]: ...

    def index_value(self, node: ast.Expr, base: Optional[Binding]) -> Optional[ir.Expr]: ...

    def trap_index_ok(self, i: ir.Expr, node) -> bool: ...

    def readonly_error(self, name: str, b: Binding, span: Span) -> None: ...

    def constant_int(self, node: ast.Expr, what: str) -> Optional[int]: ...


class CallChecker:
    """Checking of call expressions, for the expression checker `exprs` that owns it."""

    def __init__(self, exprs: ExprChecking):
        self.exprs = exprs

    def call(self, node: ast.Call, hint, allow_void: bool = False) -> Value:
        f = node.func
        if node.type_args:
            self.exprs.error("`gpu.shared_memory<T>(n)` is only allowed as the value of a declaration", node.span,
                       "write `val tile = gpu.shared_memory<f32>(256)`")
            return None
        if isinstance(f, ast.Name):
            return self.call_name(f.id, node, hint, allow_void)
        if isinstance(f, ast.Attribute):
            obj = f.obj
            if isinstance(obj, ast.Name) and obj.id == "gpu":
                return self.gpu_call(f.name, node, hint, allow_void)
            if isinstance(obj, ast.Name) and obj.id == "math":
                if f.name in MATH_ARITY:
                    return self.math(f.name, node.args, node, hint)
                self.exprs.error(f"unknown math function `math.{f.name}`", f.name_span, suggest(f.name, MATH_ARITY))
                return None
            if isinstance(obj, ast.Name) and obj.id == "this":
                return self.this_call(f, node)
            if isinstance(obj, ast.Name) and obj.id == "thread_group" and f.name == "barrier" \
                    and self.exprs.lookup("thread_group") is None:
                return self.sync_builtin("barrier", "thread_group.barrier", node, allow_void)
            return self.method(f, node, hint)
        self.exprs.error("this expression cannot be called", f.span)
        return None

    def call_name(self, name: str, node: ast.Call, hint, allow_void: bool = False) -> Value:
        sig = self.exprs.m.functions.get(name)
        if sig is not None:
            return self.call_helper(sig, node)
        t = scalar_type(name)
        if t is not None:
            if not self.arity(name, node, 1):
                return None
            v = self.exprs.expr(node.args[0], t)
            return None if v is None else self.exprs.convert(v, t)
        if name == "len":
            return self.length(node.args, node)
        if name == "range":
            self.exprs.error("`range(...)` is only allowed as the iterable of a `for` loop", node.span)
            return None
        if name in ID_ALIASES:
            builtin, dim = ID_ALIASES[name]
            return self.id_builtin(builtin, dim, node)
        if name in SYNC_ALIASES:
            return self.sync_builtin(SYNC_ALIASES[name], name, node, allow_void)
        if name in ATOMIC_ALIASES:
            return self.atomic(ATOMICS[ATOMIC_ALIASES[name]], ATOMIC_ALIASES[name], node)
        if name in MATH_ARITY:
            return self.math(name, node.args, node, hint)
        b = self.exprs.lookup(name)
        if b is not None and b.kind != ERROR:
            self.exprs.error(f"`{name}` is a {b.kind}, not a function", node.func.span)
            return None
        if name in GPU_NAMESPACE:
            self.exprs.error(f"unknown function `{name}`", node.func.span, f"did you mean `gpu.{name}(...)`?")
            return None
        if name in self.exprs.m.skipped:
            self.exprs.error(f"`{name}` cannot be called from a kernel", node.func.span,
                             skipped_hint(self.exprs.m.skipped[name]))
            return None
        self.exprs.error(f"unknown function `{name}`", node.func.span,
                   suggest(name, [*self.exprs.m.functions, *MATH_ARITY, *BARE_BUILTINS, "len"]))
        return None

    def arity(self, name: str, node: ast.Call, n: int, most: Optional[int] = None) -> bool:
        got = len(node.args)
        most = n if most is None else most
        if n <= got <= most:
            return True
        want = f"{n}" if n == most else f"{n} to {most}"
        plural = "" if want == "1" else "s"
        self.exprs.error(f"`{name}` takes {want} argument{plural}, got {got}", node.span)
        return False

    def call_helper(self, sig, node: ast.Call) -> Value:
        if sig.is_kernel:
            self.exprs.error(f"cannot call kernel `{sig.name}`", node.func.span,
                       "kernels are launched from the host; move shared code into a helper `fn`")
            return None
        if sig.broken:
            for a in node.args:
                self.exprs.expr(a, None)
            return None
        if len(node.args) != len(sig.params):
            n = len(sig.params)
            params = ", ".join(f"{p.name}: {p.type}" for p in sig.params)
            ret = f" -> {sig.ret}" if sig.ret else ""
            self.exprs.error(f"`{sig.name}` takes {n} argument{'' if n == 1 else 's'}, got {len(node.args)}", node.span,
                       f"it is declared as `fn {sig.name}({params}){ret}`")
            return None
        args = all_checked([self.exprs.expect_type(a, p.type, f" for parameter `{p.name}` of `{sig.name}`")
                            for a, p in zip(node.args, sig.params)])
        if args is None:
            return None
        self.exprs.ctx.note_call(sig.name, node.span)
        return ir.Call(sig.ret, sig.name, args)

    def length(self, args: list[ast.Expr], node) -> Value:
        if len(args) != 1:
            self.exprs.error(f"`len` takes 1 argument, got {len(args)}", node.span)
            return None
        b = self.exprs.indexable(args[0])
        return None if b is None else ir.Len(I32, b.ir_name)

    def method(self, f: ast.Attribute, node: ast.Call, hint) -> Value:
        if self.exprs.coop.is_length(node):
            return self.exprs.coop.length(node)
        if f.name == "len":
            if node.args:
                self.exprs.error("`.len()` takes no arguments", node.span)
                return None
            return self.length([f.obj], node)
        if f.name in MATH_ARITY:
            return self.math(f.name, [f.obj, *node.args], node, hint)
        self.exprs.error(f"unknown method `{f.name}`", f.name_span,
                   suggest(f.name, ["len", *MATH_ARITY]) or "methods are `.len()` and the math functions")
        return None

    def this_call(self, f: ast.Attribute, node: ast.Call) -> Value:
        builtin = THIS_METHODS.get(f.name)
        if builtin is None:
            self.exprs.error(f"unknown method `this.{f.name}`", f.name_span,
                       suggest(f.name, THIS_METHODS) or "`this` has index(), thread_index(), group_index()")
            return None
        return self.id_builtin(builtin, None, node)

    def sync_builtin(self, name: str, spelling: str, node: ast.Call, allow_void: bool) -> Value:
        if not self.arity(spelling, node, 0):
            return None
        if not allow_void:
            self.exprs.error(f"`{spelling}()` does not produce a value", node.span)
            return None
        return ir.Builtin(None, name, [])

    def gpu_call(self, name: str, node: ast.Call, hint, allow_void: bool) -> Value:
        if name in ir.ID_BUILTINS:
            return self.id_builtin(name, None, node)
        if name in ir.SYNC_BUILTINS or name in GPU_SYNC_ALIASES:
            return self.sync_builtin(GPU_SYNC_ALIASES.get(name, name), f"gpu.{name}", node, allow_void)
        if name in ATOMICS:
            return self.atomic(ATOMICS[name], name, node)
        if name in ir.SUBGROUP_BUILTINS:
            return self.subgroup(name, node, hint, allow_void)
        if name == "shared_memory":
            self.exprs.error("`gpu.shared_memory` needs an element type", node.span,
                       "write `val tile = gpu.shared_memory<f32>(256)`")
            return None
        span = node.func.name_span if isinstance(node.func, ast.Attribute) else node.func.span
        self.exprs.error(f"unknown GPU builtin `gpu.{name}`", span, suggest(name, GPU_NAMESPACE))
        return None

    def subgroup(self, name: str, node: ast.Call, hint, allow_void: bool) -> Value:
        """`gpu.subgroup_*(...)` (docs/language.md, "Subgroups"; signatures in ir.Builtin)."""
        spelling = f"gpu.{name}"
        if name == "subgroup_barrier":
            return self.sync_builtin(name, spelling, node, allow_void)
        if name in ir.SUBGROUP_VALUES or name == "subgroup_elect":
            if not self.arity(spelling, node, 0):
                return None
            return ir.Builtin(BOOL if name == "subgroup_elect" else I32, name, [])
        takes_lane = name in ir.SUBGROUP_MOVES and name != "subgroup_broadcast_first"
        if not self.arity(spelling, node, 2 if takes_lane else 1):
            return None
        if name in ir.SUBGROUP_VOTES:
            cond = self.exprs.expect_type(node.args[0], BOOL, f" for `{spelling}`")
            return None if cond is None else ir.Builtin(ir.U64 if name == "subgroup_ballot" else BOOL, name, [cond])
        v = self.exprs.expr(node.args[0], hint if hint is not None and not hint.is_bool else None)
        if v is None:
            return None
        t = self.math_type("min", [v], hint)
        x = self.exprs.coerce(v, t, node.args[0], f" for `{spelling}`")
        if x is None:
            return None
        bitwise = name in ir.SUBGROUP_ARITHMETIC and ir.subgroup_arithmetic(name)[1] in ir.SUBGROUP_BITWISE_OPS
        if t.is_bool or (bitwise and not t.is_int):
            self.exprs.error(f"`{spelling}` needs {'integers' if bitwise else 'numbers'}, found `{t}`",
                             node.args[0].span)
            return None
        args = [x]
        if name == "subgroup_broadcast":
            lane_index = self.exprs.constant_int(node.args[1], "the lane of `gpu.subgroup_broadcast`")
            if lane_index is None:
                return None
            args.append(ir.Const(I32, lane_index))
        elif takes_lane:
            lane = self.exprs.expect_type(node.args[1], I32, f" for `{spelling}`")
            if lane is None:
                return None
            args.append(lane)
        return ir.Builtin(t, name, args)

    def id_builtin(self, name: str, dim: Optional[int], node: ast.Call) -> Value:
        if dim is not None:
            if node.args:
                self.exprs.error(f"`{node.func.span.text}` takes no arguments", node.span)
                return None
        elif not self.arity(node.func.span.text, node, 0, 1):
            return None
        elif node.args:
            dim = self.dimension(node.args[0])
            if dim is None:
                return None
        else:
            dim = 0
        self.exprs.ctx.note_dim(dim)
        e = ir.Builtin(I32, name, [], dim)
        return self.exprs.ids.mark(e) if self.exprs.ids is not None else e

    def dimension(self, node: ast.Expr) -> Optional[int]:
        value = self.exprs.constant_int(node, "a dimension")
        if value is None:
            return None
        if not 0 <= value <= 2:
            self.exprs.error(f"dimension must be 0, 1 or 2, found {value}", node.span)
            return None
        return value

    # ------------------------------------------------------------------ math and atomics

    def math(self, name: str, arg_nodes: list[ast.Expr], node: ast.Call, hint) -> Value:
        want = MATH_ARITY[name]
        if len(arg_nodes) != want:
            self.exprs.error(f"`{name}` takes {want} argument{'s' if want > 1 else ''}, got {len(arg_nodes)}",
                       node.span)
            return None
        hint = hint if hint is not None and not hint.is_bool and name not in BOOL_RESULT_MATH else None
        values: list[Value] = []
        for a in arg_nodes:
            typed = next((v.type for v in values if isinstance(v, ir.Expr)), None)
            values.append(self.exprs.expr(a, typed or hint))
        if any(v is None for v in values):
            return None
        t = self.math_type(name, values, hint)
        args = all_checked([self.exprs.coerce(v, t, a, f" for `{name}`") for v, a in zip(values, arg_nodes)])
        if args is None:
            return None
        if t.is_bool or (not t.is_float and name not in INT_MATH):
            bad = next(a for a, v in zip(arg_nodes, args) if v.type == t)
            self.exprs.error(f"`{name}` needs {'numbers' if name in INT_MATH else 'floats'}, found `{t}`",
                       bad.span, None if t.is_bool else f"write `{source_text(bad)} as f32`")
            return None
        return ir.Builtin(BOOL if name in BOOL_RESULT_MATH else t, name, args)

    def math_type(self, name: str, values: list, hint) -> ScalarType:
        t = None
        for v in values:
            if isinstance(v, ir.Expr) and (t is None or widens(t, type_of(v))):
                t = type_of(v)
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
            self.exprs.error(f"the first argument of `gpu.{name}` must be an element address `&a[i]`",
                       target.span, f"write `{form}`")
            return None
        b = self.exprs.indexable(target.operand.obj)
        i = self.exprs.index_value(target.operand.index, b)
        if b is None or i is None or not self.atomic_target_ok(b, op, name, target):
            return None
        elem = b.elem
        args = all_checked([self.exprs.expect_type(a, elem, f" for `gpu.{name}`") for a in node.args[1:]])
        if args is None:
            return None
        atomic = ir.Atomic(elem, op, b.ir_name, i, args)
        traps = self.exprs.ctx.traps
        if (traps is not None and traps.covers(b.kind == BUFFER, i)
                and self.exprs.trap_index_ok(i, target.operand.index)):
            return traps.atomic(atomic, name_of(target.operand.obj), target.operand.span)
        return atomic

    def atomic_target_ok(self, b: Binding, op: str, name: str, target) -> bool:
        base = target.operand.obj.id
        if b.kind == PRIVATE:
            self.exprs.error(f"`gpu.{name}` needs a buffer or shared array element; `{base}` is a private array",
                       target.span)
            return False
        if b.kind == BUFFER and not b.writable:
            self.exprs.readonly_error(base, b, target.span)
            return False
        elem = b.elem
        if elem in (ir.I32, ir.U32) or (elem == F32 and op == "add"):
            return True
        allowed = "i32, u32 or f32" if op == "add" else "i32 or u32"
        self.exprs.error(f"`gpu.{name}` works on {allowed} elements; `{base}` has `{elem}` elements", target.span)
        return False
