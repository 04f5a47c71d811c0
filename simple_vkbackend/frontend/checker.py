"""Module-level checking: items, signatures, kernel attributes, constants,
recursion and kernel dimensionality. Bodies are checked by check_stmt."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

from ..lowering import ir
from ..lowering.ir.limits import MAX_CALL_DEPTH, call_depths
from ..lowering.ir.uniformity import barrier_problems
from ..lowering.ir.verify import MAX_WORKGROUP_INVOCATIONS
from . import ast
from .bounds import TrapSites
from .check_expr import constants_checker
from .check_stmt import FunctionChecker
from .check_values import all_checked, type_of
from .consteval import FoldError, fold
from .context import FnSig, ModuleContext
from .diagnostics import DiagnosticBag
from .host_items import reachable_items
from .id_types import IdTyping
from .markers import KERNEL_MARKERS, KERNEL_MODIFIERS
from .options import CompileOptions
from .shared_init import zero_shared
from .source import SourceFile, Span
from .types import RESERVED_NAMES

RESERVED_FUNCTION_NAMES = frozenset({"len", "range"})
TARGET_NAME = re.compile(r"[a-z_][a-z0-9_]*")
MAX_ID_PASSES = 8  # checking passes of one function while thread-id locals get their types
BOUNDS_POLICIES = ("return", "clamp", "zero", "trap")
# Markers that tag a target: `@gpu_kernel` none, `@vulkan_kernel` "vulkan".
MARKER_TARGETS = {"vulkan_kernel": "vulkan"}


@dataclass
class KernelAttrs:
    simd: bool = False
    local_size: Optional[tuple[int, int, int]] = None
    hint_dims: Optional[int] = None
    target: Optional[str] = None  # the target tag: "vulkan", "cuda", ...
    target_string: bool = False  # tagged `@gpu("...")`: bare buffers are read-only
    bounds: str = "return"  # the @simd out-of-range policy
    grid_size: Optional[tuple[int, int, int]] = None  # @simd(grid_size=...): the default global size
    exact: bool = False  # @exact: float arithmetic exactly as written


IRFunction = Union[ir.Kernel, ir.Function]  # (named here: the field `ir` hides the module in the class)


@dataclass
class CheckedFn:
    """A checked function: its IR and what the module checks need to know."""

    node: ast.FnDef
    ir: IRFunction
    calls: list[tuple[str, Span]]
    max_dim: int
    attrs: Optional[KernelAttrs]
    spans: dict = field(default_factory=dict)  # id(IR node) -> Span, for the uniformity errors


class ModuleChecker:
    def __init__(self, source: SourceFile, diags: DiagnosticBag, options: Optional[CompileOptions] = None):
        self.options = options if options is not None else CompileOptions()
        self.m = ModuleContext(source, diags)
        self.m.evaluate_const = self.evaluate_const
        self.consts = constants_checker(self.m)

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.m.error(message, span, hint)

    def run(self, tree: ast.SourceModule, name: str) -> ir.Module:
        fns = self.collect(tree)
        attrs = {f.name: self.kernel_attrs(f, tree.host) for f in fns}
        if tree.host:
            fns = self.reached(tree, fns, attrs)
        for c in self.m.const_defs:
            self.m.const_binding(c)
        for f in fns:
            self.m.functions[f.name] = self.signature(f, attrs[f.name])
        checked = [self.body(f, attrs[f.name]) for f in fns]
        errors = self.m.diags.error_count
        self.check_recursion(checked)
        if self.m.diags.error_count == errors:
            self.check_call_depth(checked)
        self.set_dims(checked)
        module = ir.Module(
            kernels=[c.ir for c in checked if isinstance(c.ir, ir.Kernel)],
            functions=[c.ir for c in checked if isinstance(c.ir, ir.Function)],
            constants=[self.m.constants[n] for n in self.m.const_defs if n in self.m.constants],
            name=name,
        )
        if not self.m.diags.has_errors:
            self.check_uniformity(module, checked)
        return module

    def check_uniformity(self, module: ir.Module, checked: list[CheckedFn]) -> None:
        """A barrier under control flow that differs between work items is an error at
        the condition (lowering/ir/uniformity.py has the rule)."""
        spans = {k: v for c in checked for k, v in c.spans.items()}
        for p in barrier_problems(module):
            barrier = spans.get(id(p.barrier))
            where = f" on line {barrier.line}" if barrier is not None else ""
            hint = ("move it out of the `if` or loop, or make the condition depend only on values every "
                    "work item of a subgroup shares (parameters, constants, group and subgroup ids)") if p.is_coop \
                else ("move the barrier out of the `if` or loop, or make the condition depend only on "
                      "values every work item of the group shares (parameters, constants, group ids)")
            self.error(f"{p.message().replace(' is reached', where + ' is reached', 1)}", spans.get(id(p.cause)),
                       hint)

    # ------------------------------------------------------------------ items

    def reached(self, tree: ast.SourceModule, fns: list[ast.FnDef], attrs) -> list[ast.FnDef]:
        """In a file with host code: the kernels and the helpers they reach; every
        other function and constant joins the skipped host items."""
        for item in tree.skipped:
            for n in item.names:
                self.m.skipped.setdefault(n, item)
        kernels = [f for f in fns if attrs[f.name] is not None]
        items: dict[str, Union[ast.FnDef, ast.ConstDef]] = {f.name: f for f in fns}
        items.update(self.m.const_defs)
        keep = reachable_items(kernels, items)
        for item_name, decl in items.items():
            if attrs.get(item_name) is None and item_name not in keep:
                kind = "fn" if isinstance(decl, ast.FnDef) else "const"
                self.options.skipped.append(ast.SkippedItem(kind, [item_name], decl.span, "not used by any kernel"))
        self.options.skipped.sort(key=lambda i: i.span.start)
        self.m.const_defs = {n: d for n, d in self.m.const_defs.items() if n in keep}
        return [f for f in fns if attrs[f.name] is not None or f.name in keep]

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
        return ir.Constant(d.name, type_of(v), value)

    def kernel_attrs(self, f: ast.FnDef, host: bool = False) -> Optional[KernelAttrs]:
        """The kernel attributes of `f`, or None for a helper (in a file with host
        code, a function without a kernel marker may carry host attributes)."""
        if not any(a.name in KERNEL_MARKERS for a in f.attrs):
            if host:
                return None
            for a in f.attrs:
                if a.name in KERNEL_MODIFIERS:
                    self.error(f"`@{a.name}` applies to kernels only", a.span,
                               "mark the kernel `@gpu`" if a.name == "exact" else "mark the kernel `@simd`")
                else:
                    self.unknown_attr(a)
            return None
        result = KernelAttrs()
        for a in f.attrs:
            if a.name in KERNEL_MODIFIERS:
                continue
            if a.name not in KERNEL_MARKERS:
                self.unknown_attr(a)
                continue
            result.simd = result.simd or a.name == "simd"
            result.target = MARKER_TARGETS.get(a.name, result.target)
            for arg in a.args:
                self.attr_arg(a.name, arg, result)
        for a in f.attrs:
            if a.name == "exact":
                if a.args:
                    self.error("`@exact` takes no arguments", a.span)
                result.exact = True
            elif a.name in KERNEL_MODIFIERS:
                self.bounds_attr(a, result)
        return result

    def unknown_attr(self, a: ast.ItemAttr) -> None:
        self.error(f"unknown attribute `{a.name}`", a.span,
                   "kernels are marked `@gpu`, `#[gpu]`, `@gpu(\"vulkan\")`, `@simd`, `@gpu_kernel`, "
                   "`@vulkan_kernel` or `kernel fn`")

    def attr_arg(self, marker: str, arg: ast.AttrArg, attrs: KernelAttrs) -> None:
        if arg.name is None or arg.name == "backend":
            return self.target_arg(marker, arg, attrs)
        if arg.name in ("local_size", "group_size"):
            return self.local_size_arg(arg, attrs)
        if marker == "simd" and arg.name == "grid_size":
            sizes = self.sizes(arg, "a grid size")
            if sizes is not None:
                attrs.grid_size = _size3(sizes)
            return
        if marker == "simd" and arg.name == "dim":
            dim = self.consts.constant_int(arg.value, "`dim`") if not isinstance(arg.value, list) else None
            if dim is not None and not 1 <= dim <= 3:
                self.error(f"`dim` must be 1, 2 or 3, found {dim}", arg.span)
            elif dim is not None and attrs.hint_dims is None:
                attrs.hint_dims = dim
            return
        if marker == "simd" and arg.name == "stream":
            return  # a launch-queue hint of upstream's runtime; every launch here is ordered
        allowed = "`local_size`, `group_size`, `grid_size`, `dim`, `stream`" if marker == "simd" else "`local_size`"
        self.error(f"unknown kernel attribute argument `{arg.name}`", arg.span,
                   f"the arguments are {allowed}, e.g. `#[gpu(local_size=(16, 16))]`")

    def target_arg(self, marker: str, arg: ast.AttrArg, attrs: KernelAttrs) -> None:
        """`@gpu("vulkan")` (a string: the target tag, and upstream's buffer rule)
        or `#[gpu(backend: Vulkan)]`."""
        value = arg.value
        if marker == "gpu" and isinstance(value, ast.StrLit):
            if not TARGET_NAME.fullmatch(value.value.lower()):
                self.error(f"a target is a name such as \"vulkan\" or \"cuda\", found {value.span.text}", arg.span)
                return
            attrs.target, attrs.target_string = value.value.lower(), True
        elif marker == "gpu" and arg.name == "backend" and isinstance(value, ast.Name):
            attrs.target = value.id.lower()
        else:
            self.error("expected a target such as `@gpu(\"vulkan\")` or `#[gpu(backend: Vulkan)]`", arg.span)

    def trap_mode(self, attrs: KernelAttrs) -> bool:
        """Whether a kernel's accesses trap: `@bounds(default=trap)` or the debug option."""
        return attrs.bounds == "trap" or self.options.bounds == "trap"

    def bounds_attr(self, a: ast.ItemAttr, attrs: KernelAttrs) -> None:
        if not attrs.simd:
            self.error("`@bounds` applies to `@simd` kernels only", a.span,
                       "other kernels do not check their buffer accesses; mark the kernel `@simd`")
            return
        for arg in a.args:
            if arg.name == "default" and isinstance(arg.value, ast.Name) and arg.value.id in BOUNDS_POLICIES:
                attrs.bounds = arg.value.id
            elif arg.name == "strict" and isinstance(arg.value, ast.BoolLit):
                pass  # accepted; every access is checked at run time (docs/language.md)
            else:
                self.error("expected `default=return|clamp|zero|trap` or `strict=true|false`", arg.span)

    def sizes(self, arg: ast.AttrArg, what: str) -> Optional[list[int]]:
        values = arg.value if isinstance(arg.value, list) else [arg.value]
        if len(values) > 3:
            self.error(f"`{arg.name}` has at most 3 dimensions, found {len(values)}", arg.span)
            return None
        sizes = all_checked([self.consts.constant_int(v, what) for v in values])
        if sizes is None:
            return None
        for v, s in zip(values, sizes):
            if s < 1:
                self.error(f"{what} must be positive, found {s}", v.span)
                return None
        return sizes

    def local_size_arg(self, arg: ast.AttrArg, attrs: KernelAttrs) -> None:
        if attrs.local_size is not None:
            self.error(f"`{arg.name}` is given twice", arg.span)
            return
        sizes = self.sizes(arg, "a local size")
        if sizes is None:
            return
        total = sizes[0] * (sizes[1] if len(sizes) > 1 else 1) * (sizes[2] if len(sizes) > 2 else 1)
        if total > MAX_WORKGROUP_INVOCATIONS:
            self.error(f"`{arg.name}` has {total} work items per group, more than {MAX_WORKGROUP_INVOCATIONS}",
                       arg.span)
            return
        attrs.local_size = _size3(sizes)
        attrs.hint_dims = len(sizes)

    def signature(self, f: ast.FnDef, attrs: Optional[KernelAttrs]) -> FnSig:
        errors_before = self.m.diags.error_count
        is_kernel = attrs is not None
        # upstream's compiler: in a `@gpu("...")` kernel a bare buffer is read-only unless `mut`
        readonly_bare = attrs is not None and (attrs.target_string or self.options.strict)
        params: list[ir.Param] = []
        implicit: set[str] = set()
        seen: set[str] = set()
        for p in f.params:
            if p.name in seen:
                self.error(f"parameter `{p.name}` appears twice", p.span)
                continue
            seen.add(p.name)
            t = self.param_type(p, is_kernel)
            if (isinstance(t, ir.BufferType) and readonly_bare and isinstance(p.type, ast.BufferTypeExpr)
                    and p.type.bare and not p.mutable):
                t = ir.BufferType(t.elem, False)
                implicit.add(p.name)
            if t is not None:
                params.append(ir.Param(p.name, t))
        if attrs is not None and self.trap_mode(attrs):
            if ir.TRAP_PARAM in seen:
                self.error(f"`{ir.TRAP_PARAM}` is the name of the hidden bounds-trap buffer", f.name_span,
                           "rename the parameter")
            params.append(ir.Param(ir.TRAP_PARAM, ir.BufferType(ir.U32, True)))  # hidden; dropped if unused
        ret = None
        if f.ret is not None:
            if is_kernel:
                self.error(f"kernel `{f.name}` cannot have a return type", f.ret.span,
                           "kernels write their results into buffer parameters")
            else:
                ret = self.consts.scalar(f.ret)
        broken = self.m.diags.error_count > errors_before
        return FnSig(f.name, params, ret, is_kernel, f.name_span, broken, frozenset(implicit))

    def param_type(self, p: ast.Param, is_kernel: bool):
        if p.name in RESERVED_NAMES:
            self.error(f"`{p.name}` is a reserved name", p.span, "choose another name")
            return None
        if p.name in self.m.const_defs:
            self.error(f"parameter `{p.name}` has the name of a module constant", p.span, "rename the parameter")
            return None
        t = p.type
        if p.mutable and not (isinstance(t, ast.BufferTypeExpr) and t.bare):
            self.error(f"`mut` applies only to buffer parameters written `mut {p.name}: [T]`", p.span,
                       "scalar parameters are values; copy one into a `var` to change it"
                       if not isinstance(t, ast.BufferTypeExpr) else f"write `mut {p.name}: [{t.elem.name}]`")
            return None
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
        decided: dict = {}
        for _ in range(MAX_ID_PASSES):  # each pass may fix the type of more thread-id locals (id_types.py)
            bag = DiagnosticBag(self.m.source, limit=None)
            traps = None
            if attrs is not None and self.trap_mode(attrs):
                debug = self.options.bounds == "trap"  # never overrides a @simd kernel's buffer policy
                traps = TrapSites(self.m.source.name, buffers=attrs.bounds == "trap" or (debug and not attrs.simd),
                                  arrays=debug, explicit=attrs.bounds == "trap")
            fc = FunctionChecker(self.m, f, sig, simd=attrs is not None and attrs.simd,
                                 bounds=attrs.bounds if attrs is not None else "return",
                                 ids=IdTyping(decided=dict(decided)), diags=bag, traps=traps)
            body = fc.run()
            fixed, conflicts = fc.ids.new_decisions()
            if conflicts or not fixed:
                break
            decided.update(fixed)
        for first, other in conflicts:
            self.error(f"`{other.name}` is used as `{other.type}` here and as `{first.type}` on line {first.span.line}",
                       other.span, f"a thread id takes one integer type; cast at one of the uses, "
                       f"e.g. `{other.name} as {other.type}`")
        for d in bag.diagnostics:
            self.m.diags.error(d.message, d.span, d.hint)
        node: IRFunction
        if attrs is None:
            node = ir.Function(f.name, sig.params, sig.ret, body, fc.locals)
        else:
            body.stmts[:0] = zero_shared(fc.shared, fc.locals, fc.alloc.fresh)
            sites = traps.sites if traps is not None else []
            params = [p for p in sig.params if sites or p.name != ir.TRAP_PARAM]
            node = ir.Kernel(f.name, params, body, fc.locals, fc.shared, attrs.local_size,
                             dims=1, simd=attrs.simd, target=attrs.target, grid_size=attrs.grid_size,
                             traps=sites, exact=attrs.exact)
        return CheckedFn(f, node, fc.calls, fc.max_dim, attrs, fc.spans)

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

    def check_call_depth(self, checked: list[CheckedFn]) -> None:
        """Report the first call that makes helper calls nest deeper than MAX_CALL_DEPTH
        (no cycles here: check_recursion ran). Depth: a helper calling nothing is 1."""
        depth = call_depths({c.node.name: [callee for callee, _ in c.calls] for c in checked})
        for c in checked:  # a kernel is not a level: it may call a helper of depth MAX_CALL_DEPTH
            for callee, span in c.calls if c.attrs is None else ():
                if depth.get(callee, 0) == MAX_CALL_DEPTH and depth[c.node.name] == MAX_CALL_DEPTH + 1:
                    self.error(f"helper calls nest too deeply: `{c.node.name}` calls `{callee}`, whose calls "
                               f"nest {MAX_CALL_DEPTH} deep; at most {MAX_CALL_DEPTH} are allowed", span,
                               "merge some helpers")
                    return

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
            if c.attrs is None or not isinstance(c.ir, ir.Kernel):
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


def check_module(tree: ast.SourceModule, source: SourceFile, diags: DiagnosticBag, name: str,
                 options: Optional[CompileOptions] = None) -> ir.Module:
    """The kernel IR of a parsed module; errors go to `diags`."""
    return ModuleChecker(source, diags, options).run(tree, name)


def _size3(sizes: list[int]) -> tuple[int, int, int]:
    """1 to 3 sizes, padded with 1s."""
    x, y, z = sizes + [1] * (3 - len(sizes))
    return (x, y, z)
