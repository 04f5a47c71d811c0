"""Module-level checking: items, signatures, kernel attributes, constants,
recursion and kernel dimensionality. Bodies are checked by check_stmt."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..lowering import ir
from ..lowering.ir_verify import MAX_WORKGROUP_INVOCATIONS
from . import ast
from .check_expr import ExprChecker
from .check_stmt import FunctionChecker
from .consteval import FoldError, fold
from .context import FnSig, ModuleContext
from .diagnostics import DiagnosticBag
from .source import SourceFile, Span
from .types import RESERVED_NAMES

KERNEL_ATTRS = ("gpu", "simd")
RESERVED_FUNCTION_NAMES = frozenset({"len", "range"})


@dataclass
class KernelAttrs:
    simd: bool = False
    local_size: Optional[tuple[int, int, int]] = None
    hint_dims: Optional[int] = None


@dataclass
class CheckedFn:
    """A checked function: its IR and what the module checks need to know."""

    node: ast.FnDef
    ir: object  # ir.Kernel | ir.Function
    calls: list[tuple[str, Span]]
    max_dim: int
    attrs: Optional[KernelAttrs]


class ModuleChecker:
    def __init__(self, source: SourceFile, diags: DiagnosticBag):
        self.m = ModuleContext(source, diags)
        self.m.evaluate_const = self.evaluate_const
        self.consts = ExprChecker()
        self.consts.m = self.m

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.m.error(message, span, hint)

    def run(self, tree: ast.SourceModule, name: str) -> ir.Module:
        fns = self.collect(tree)
        for c in self.m.const_defs:
            self.m.const_binding(c)
        attrs = {f.name: self.kernel_attrs(f) for f in fns}
        for f in fns:
            self.m.functions[f.name] = self.signature(f, attrs[f.name] is not None)
        checked = [self.body(f, attrs[f.name]) for f in fns]
        self.check_recursion(checked)
        self.set_dims(checked)
        return ir.Module(
            kernels=[c.ir for c in checked if isinstance(c.ir, ir.Kernel)],
            functions=[c.ir for c in checked if isinstance(c.ir, ir.Function)],
            constants=[self.m.constants[n] for n in self.m.const_defs if n in self.m.constants],
            name=name,
        )

    # ------------------------------------------------------------------ items

    def collect(self, tree: ast.SourceModule) -> list[ast.FnDef]:
        seen: dict[str, Span] = {}
        fns = []
        for item in tree.items:
            if item.name in seen:
                line = seen[item.name].line
                self.error(f"`{item.name}` is defined twice", item.name_span, f"first defined on line {line}")
                continue
            if item.name in RESERVED_NAMES or (isinstance(item, ast.FnDef) and item.name in RESERVED_FUNCTION_NAMES):
                self.error(f"`{item.name}` is a reserved name", item.name_span, "choose another name")
                continue
            seen[item.name] = item.name_span
            if isinstance(item, ast.ConstDef):
                self.m.const_defs[item.name] = item
            else:
                fns.append(item)
        return fns

    def evaluate_const(self, d: ast.ConstDef) -> Optional[ir.Constant]:
        t = None
        if d.type is not None:
            t = self.consts.scalar(d.type)
            if t is None:
                return None
        v = self.consts.expr(d.value, t)
        v = self.consts.coerce(v, t, d.value, f" for `{d.name}`") if t else self.consts.materialize(v, None, d.value)
        if v is None:
            return None
        try:
            value = fold(v, self.m.constants)
        except FoldError as e:
            self.error(str(e), d.value.span)
            return None
        if value is None:
            self.error(f"the value of constant `{d.name}` must be a compile-time constant", d.value.span,
                       "use literals, other constants, operators and casts")
            return None
        return ir.Constant(d.name, v.type, value)

    def kernel_attrs(self, f: ast.FnDef) -> Optional[KernelAttrs]:
        """The kernel attributes of `f`, or None for a helper."""
        result = None
        for a in f.attrs:
            if a.name not in KERNEL_ATTRS:
                self.error(f"unknown attribute `{a.name}`", a.span, "kernels are marked `#[gpu]`, `@gpu` or `@simd`")
                continue
            result = result or KernelAttrs()
            result.simd = result.simd or a.name == "simd"
            for arg in a.args:
                self.attr_arg(arg, result)
        return result

    def attr_arg(self, arg: ast.AttrArg, attrs: KernelAttrs) -> None:
        if arg.name != "local_size":
            self.error(f"unknown kernel attribute argument `{arg.name}`", arg.span,
                       "the only argument is `local_size`, e.g. `#[gpu(local_size=(16, 16))]`")
            return
        if attrs.local_size is not None:
            self.error("`local_size` is given twice", arg.span)
            return
        values = arg.value if isinstance(arg.value, list) else [arg.value]
        if len(values) > 3:
            self.error(f"`local_size` has at most 3 dimensions, found {len(values)}", arg.span)
            return
        sizes = [self.consts.constant_int(v, "a local size") for v in values]
        if any(s is None for s in sizes):
            return
        for v, s in zip(values, sizes):
            if s < 1:
                self.error(f"a local size must be positive, found {s}", v.span)
                return
        total = sizes[0] * (sizes[1] if len(sizes) > 1 else 1) * (sizes[2] if len(sizes) > 2 else 1)
        if total > MAX_WORKGROUP_INVOCATIONS:
            self.error(f"`local_size` has {total} work items per group, more than {MAX_WORKGROUP_INVOCATIONS}",
                       arg.span)
            return
        attrs.local_size = tuple(sizes + [1] * (3 - len(sizes)))
        attrs.hint_dims = len(sizes)

    def signature(self, f: ast.FnDef, is_kernel: bool) -> FnSig:
        errors_before = self.m.diags.error_count
        params: list[ir.Param] = []
        seen: set[str] = set()
        for p in f.params:
            if p.name in seen:
                self.error(f"parameter `{p.name}` appears twice", p.span)
                continue
            seen.add(p.name)
            t = self.param_type(p, is_kernel)
            if t is not None:
                params.append(ir.Param(p.name, t))
        ret = None
        if f.ret is not None:
            if is_kernel:
                self.error(f"kernel `{f.name}` cannot have a return type", f.ret.span,
                           "kernels write their results into buffer parameters")
            else:
                ret = self.consts.scalar(f.ret)
        broken = self.m.diags.error_count > errors_before
        return FnSig(f.name, params, ret, is_kernel, f.name_span, broken)

    def param_type(self, p: ast.Param, is_kernel: bool):
        if p.name in RESERVED_NAMES:
            self.error(f"`{p.name}` is a reserved name", p.span, "choose another name")
            return None
        if p.name in self.m.const_defs:
            self.error(f"parameter `{p.name}` has the name of a module constant", p.span, "rename the parameter")
            return None
        t = p.type
        if isinstance(t, ast.ArrayTypeExpr):
            self.error("array parameters are not supported", t.span, "take a buffer `[f32]` instead")
            return None
        if isinstance(t, ast.BufferTypeExpr):
            if not is_kernel:
                self.error("helper function parameters must be scalars", t.span,
                           "only kernels take buffers; pass element values to the helper")
                return None
            elem = self.consts.scalar(t.elem)
            if elem is not None and elem.is_bool:
                self.error("buffer elements must be numbers, not `bool`", t.elem.span, "use `u8` or `i32`")
                return None
            return None if elem is None else ir.BufferType(elem, t.writable)
        return self.consts.scalar(t)

    # ------------------------------------------------------------------ bodies

    def body(self, f: ast.FnDef, attrs: Optional[KernelAttrs]) -> CheckedFn:
        sig = self.m.functions[f.name]
        fc = FunctionChecker(self.m, f, sig, simd=attrs is not None and attrs.simd)
        body = fc.run()
        if attrs is None:
            node = ir.Function(f.name, sig.params, sig.ret, body, fc.locals)
        else:
            node = ir.Kernel(f.name, sig.params, body, fc.locals, fc.shared, attrs.local_size,
                             dims=1, simd=attrs.simd)
        return CheckedFn(f, node, fc.calls, fc.max_dim, attrs)

    def check_recursion(self, checked: list[CheckedFn]) -> None:
        """Report every call that closes a cycle in the call graph."""
        graph = {c.node.name: c.calls for c in checked}
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for root in graph:
            if root in state:
                continue
            path, stack = [root], [iter(graph[root])]
            state[root] = 1
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    stack.pop()
                    continue
                callee, span = nxt
                if state.get(callee) == 1:
                    self.recursion_error(path[path.index(callee):] + [callee], span)
                elif callee not in state and callee in graph:
                    state[callee] = 1
                    path.append(callee)
                    stack.append(iter(graph[callee]))

    def recursion_error(self, cycle: list[str], span: Span) -> None:
        if len(cycle) == 2:
            self.error(f"`{cycle[0]}` calls itself: recursion is not supported", span,
                       "rewrite the recursion as a loop")
        else:
            chain = " -> ".join(f"`{n}`" for n in cycle)
            self.error(f"recursion is not supported: {chain}", span, "rewrite the recursion as a loop")

    def set_dims(self, checked: list[CheckedFn]) -> None:
        """A kernel's dims: its hint's length, else 1 + the highest id dimension
        used by it or any helper it reaches (1 when it uses none)."""
        by_name = {c.node.name: c for c in checked}
        for c in checked:
            if c.attrs is None:
                continue
            if c.attrs.hint_dims is not None:
                c.ir.dims = c.attrs.hint_dims
                continue
            highest, seen, todo = c.max_dim, {c.node.name}, [c]
            while todo:
                for callee, _ in todo.pop().calls:
                    if callee not in seen and callee in by_name:
                        seen.add(callee)
                        todo.append(by_name[callee])
                        highest = max(highest, by_name[callee].max_dim)
            c.ir.dims = max(1, highest + 1)


def check_module(tree: ast.SourceModule, source: SourceFile, diags: DiagnosticBag, name: str) -> ir.Module:
    """The kernel IR of a parsed module; errors go to `diags`."""
    return ModuleChecker(source, diags).run(tree, name)
