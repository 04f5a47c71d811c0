"""The verifier's check of one kernel or helper (`FunctionChecker`): signature,
declarations and body in one pass, a method per statement and expression kind."""
from __future__ import annotations

from typing import Optional, Union

from . import nodes as ir
from .coop_matrix import CoopAssign, CoopLength, CoopMatrixType, CoopStore
from .limits import PRIVATE_MEMORY_PER_ITEM, U32_MAX, array_bytes, private_bytes, show_bytes
from .verify_rules import (ATOMIC_INT_TYPES, BOOL_MATH_BUILTINS, INT_MATH_BUILTINS, MATH_ARITY,
                           MAX_WORKGROUP_INVOCATIONS, const_value_problem, name_problem, scalar_type_problem)
from .verify_coop import CoopRules, coop_type_problem
from .verify_subgroup import subgroup_problems
from .vector_nodes import VECTOR_ACCESS_WIDTHS, VectorLoad, VectorStore
from .visitor import Visitor

Fn = Union[ir.Kernel, ir.Function]


# --------------------------------------------------------------------------- symbols


class _Symbol:
    """What a name in a function refers to."""

    def __init__(self, kind: str, type: Union[ir.Type, CoopMatrixType]):
        self.kind = kind  # "param", "buffer", "local", "private array", "shared array", "constant", "matrix"
        self.type = type

    @property
    def is_scalar(self) -> bool:
        return self.kind in ("param", "local", "constant")

    @property
    def is_indexable(self) -> bool:
        return self.kind in ("buffer", "private array", "shared array")

    @property
    def writable(self) -> bool:
        return not isinstance(self.type, ir.BufferType) or self.type.writable

    @property
    def elem(self) -> ir.ScalarType:
        if not isinstance(self.type, (ir.BufferType, ir.ArrayType)):
            raise TypeError(f"internal: element type of scalar {self.kind}")
        return self.type.elem


_STMT_LABELS = {ir.Assign: "assign", ir.ExprStmt: "expr", ir.If: "if", ir.Loop: "loop",
                ir.Break: "break", ir.Continue: "continue", ir.Return: "return",
                VectorLoad: "vload", VectorStore: "vstore",
                CoopAssign: "coop assign", CoopStore: "coop store"}


# --------------------------------------------------------------------------- functions


class FunctionChecker(Visitor[None]):
    """Checks one kernel or helper: its signature, declarations and body, in one pass
    (a method per statement and expression kind)."""

    def __init__(self, module: ir.Module, fn: Fn, problems: list[str]):
        self.module = module
        self.fn = fn
        self.is_kernel = isinstance(fn, ir.Kernel)
        self.vector_widths: dict[str, int] = {}  # buffer: the element count of its vector accesses
        self.where = f"{'kernel' if self.is_kernel else 'fn'} {fn.name}"
        self.problems = problems
        self.path: list[str] = []
        self.loop_depth = 0
        self.scope: dict[str, _Symbol] = {}
        self.helpers = {f.name: f for f in module.functions}
        self.kernel_names = {k.name for k in module.kernels}
        self.coop = CoopRules(self, self.symbol_of, self.is_kernel)

    def report(self, message: str) -> None:
        path = "".join(part + " > " for part in self.path)
        self.problems.append(f"{self.where}: {path[:-3]}: {message}" if path else f"{self.where}: {message}")

    def check(self) -> None:
        for c in self.module.constants:
            self.scope[c.name] = _Symbol("constant", c.type)
        self.check_signature()
        self.check_locals()
        self.block(self.fn.body)

    # ----------------------------------------------------------------- declarations

    def declare(self, what: str, name: str, symbol: _Symbol) -> None:
        problem = name_problem(name)
        if problem:
            self.report(f"{what}: {problem}")
        elif name in self.scope:
            self.report(f"{what} '{name}' collides with {self.scope[name].kind} '{name}'")
        else:
            self.scope[name] = symbol

    def check_signature(self) -> None:
        for p in self.fn.params:
            if isinstance(p.type, ir.BufferType) and self.is_kernel:
                if scalar_type_problem(p.type.elem) or p.type.elem.is_bool:
                    self.report(f"param {p.name}: buffer element must be a numeric scalar, not {p.type.elem!r}")
                self.declare("param", p.name, _Symbol("buffer", p.type))
            elif isinstance(p.type, ir.BufferType):
                self.report(f"param {p.name}: helper parameters must be scalars, not {p.type}")
            elif scalar_type_problem(p.type):
                self.report(f"param {p.name}: {scalar_type_problem(p.type)}")
            else:
                self.declare("param", p.name, _Symbol("param", p.type))
        if isinstance(self.fn, ir.Kernel):
            self.check_kernel_attributes(self.fn)
        elif self.fn.ret is not None and scalar_type_problem(self.fn.ret):
            self.report(f"result type: {scalar_type_problem(self.fn.ret)}")

    def check_kernel_attributes(self, k: ir.Kernel) -> None:
        if type(k.dims) is not int or not 1 <= k.dims <= 3:
            self.report(f"dims must be 1, 2 or 3, not {k.dims!r}")
        ls = k.local_size
        if ls is not None:
            if not (isinstance(ls, tuple) and len(ls) == 3 and all(type(n) is int and 0 < n <= U32_MAX for n in ls)):
                self.report(f"local_size must be a tuple of 3 positive ints, not {ls!r}")
            elif ls[0] * ls[1] * ls[2] > MAX_WORKGROUP_INVOCATIONS:
                self.report(f"local_size {ls} has {ls[0] * ls[1] * ls[2]} invocations, "
                            f"more than {MAX_WORKGROUP_INVOCATIONS}")
        if type(k.simd) is not bool:
            self.report(f"simd must be a bool, not {k.simd!r}")
        gs = k.grid_size
        if gs is not None and not (isinstance(gs, tuple) and len(gs) == 3
                                   and all(type(n) is int and 0 < n <= U32_MAX for n in gs)):
            self.report(f"grid_size must be a tuple of 3 positive ints, not {gs!r}")
        if type(k.exact) is not bool:
            self.report(f"exact must be a bool, not {k.exact!r}")

    def check_locals(self) -> None:
        arrays = [loc for loc in self.fn.locals if isinstance(loc.type, ir.ArrayType)
                  and type(loc.type.length) is int and isinstance(loc.type.elem, ir.ScalarType)]
        if private_bytes(arrays) > PRIVATE_MEMORY_PER_ITEM:
            self.report(f"private arrays take {show_bytes(private_bytes(arrays))} per work item, more than "
                        f"{show_bytes(PRIVATE_MEMORY_PER_ITEM)}")
        for loc in self.fn.locals:
            if isinstance(loc.type, ir.ArrayType):
                if self.array_ok(f"local {loc.name}", loc.type, "private"):
                    self.declare("local", loc.name, _Symbol("private array", loc.type))
            elif isinstance(loc.type, CoopMatrixType):
                problem = coop_type_problem(loc.type)
                if problem or not self.is_kernel:
                    self.report(f"local {loc.name}: {problem or 'cooperative matrices are only allowed in kernels'}")
                else:
                    self.declare("local", loc.name, _Symbol("matrix", loc.type))
            elif scalar_type_problem(loc.type):
                self.report(f"local {loc.name}: {scalar_type_problem(loc.type)}")
            else:
                self.declare("local", loc.name, _Symbol("local", loc.type))
        for arr in getattr(self.fn, "shared", []):
            if self.array_ok(f"shared {arr.name}", arr.type, "shared"):
                self.declare("shared array", arr.name, _Symbol("shared array", arr.type))

    def array_ok(self, what: str, ty: object, space: str) -> bool:
        if not isinstance(ty, ir.ArrayType) or scalar_type_problem(ty.elem):
            self.report(f"{what}: {ty!r} is not an array of a scalar type")
            return False
        ok = True
        if ty.space != space:
            self.report(f"{what}: array space must be '{space}', not {ty.space!r}")
            ok = False
        if type(ty.length) is not int or ty.length <= 0:
            self.report(f"{what}: array length must be a positive int, not {ty.length!r}")
            ok = False
        elif array_bytes(ty) > U32_MAX:
            self.report(f"{what}: {ty} takes {array_bytes(ty)} bytes, more than {U32_MAX} (32-bit sizes)")
            ok = False
        return ok

    # ----------------------------------------------------------------- statements

    def block(self, block: object, label: Optional[str] = None, in_loop: Optional[bool] = None) -> None:
        if label:
            self.path.append(label)
        saved = self.loop_depth
        if in_loop is not None:
            self.loop_depth = saved + 1 if in_loop else 0
        if not isinstance(block, ir.Block):
            self.report(f"not a Block: {block!r}")
        else:
            for i, s in enumerate(block.stmts, 1):
                self.path.append(f"stmt {i} ({_STMT_LABELS.get(type(s), type(s).__name__)})")
                self.stmt(s)
                self.path.pop()
        self.loop_depth = saved
        if label:
            self.path.pop()

    def stmt(self, s: object) -> None:
        if isinstance(s, ir.Stmt):
            self.visit(s)
        else:
            self.report(f"not a statement: {s!r}")

    def visit_Stmt(self, s: ir.Stmt) -> None:  # a Stmt of no known kind
        self.report(f"not a statement: {s!r}")

    def visit_ExprStmt(self, s: ir.ExprStmt) -> None:
        if not isinstance(s.expr, (ir.Call, ir.Builtin, ir.Atomic)):
            self.report(f"an expression statement must be a call, builtin or atomic, not {_describe(s.expr)}")
        self.expr(s.expr)

    def visit_If(self, s: ir.If) -> None:
        self.condition(s.cond, "if")
        self.block(s.then, "then")
        self.block(s.otherwise, "else")

    def visit_Loop(self, s: ir.Loop) -> None:
        if s.cond is not None:
            self.condition(s.cond, "loop")
        self.block(s.body, "body", in_loop=True)
        self.block(s.step, "step", in_loop=False)  # break/continue in a step are not allowed

    def visit_Break(self, s: Union[ir.Break, ir.Continue]) -> None:
        if self.loop_depth == 0:
            self.report(f"{_STMT_LABELS[type(s)]} outside a loop body")

    visit_Continue = visit_Break

    def visit_CoopAssign(self, s: CoopAssign) -> None:
        self.coop.assign(s)

    def visit_CoopStore(self, s: CoopStore) -> None:
        self.coop.store(s)

    def symbol_of(self, name: str) -> Optional[tuple[str, object]]:
        """(kind, type) of `name` for the matrix rules (None: unknown, reported)."""
        symbol = self.lookup(name)
        return None if symbol is None else (symbol.kind, symbol.type)

    def visit_Assign(self, s: ir.Assign) -> None:
        target = s.target
        if isinstance(target, ir.Var):
            symbol = self.scope.get(target.name)
            if symbol is not None and symbol.kind != "local":
                self.report(f"assignment to {symbol.kind} '{target.name}'; only local scalars can be assigned")
        elif isinstance(target, ir.Index):
            symbol = self.scope.get(target.base)
            if symbol is not None and symbol.is_indexable and not symbol.writable:
                self.report(f"write to read-only buffer '{target.base}'")
        else:
            self.report(f"assignment target must be a Var or an Index, not {_describe(target)}")
            return
        target_type = self.value(target)
        value_type = self.value(s.value)
        if target_type is not None and value_type is not None and target_type != value_type:
            self.report(f"assigned value has type {value_type}, target '{_describe(target)}' has {target_type}")

    def vector_buffer(self, s: Union[VectorLoad, VectorStore], count: int) -> Optional[ir.ScalarType]:
        """The element type of a vector access's buffer (None after a report)."""
        label = _STMT_LABELS[type(s)]
        if count not in VECTOR_ACCESS_WIDTHS:
            self.report(f"{label} of '{s.base}': {count} elements; a vector access has 2 or 4")
        if type(s.checked) is not bool:
            self.report(f"{label} of '{s.base}': checked must be a bool, not {s.checked!r}")
        ty = self.value(s.index)
        if ty is not None and not ty.is_int:
            self.report(f"{label} of '{s.base}': index must be an integer, not {ty}")
        symbol = self.scope.get(s.base)
        if symbol is None or symbol.kind != "buffer":
            self.report(f"{label} of '{s.base}': not a buffer parameter")
            return None
        width = self.vector_widths.setdefault(s.base, count)
        if width != count:
            self.report(f"{label} of '{s.base}': {count} elements, but the kernel accesses '{s.base}' "
                        f"as vectors of {width} too; a buffer has one vector width in a kernel")
        return symbol.elem

    def visit_VectorLoad(self, s: VectorLoad) -> None:
        elem = self.vector_buffer(s, len(s.targets))
        for target in s.targets:
            if not isinstance(target, ir.Var):
                self.report(f"vload of '{s.base}': a target must be a Var, not {_describe(target)}")
                continue
            symbol = self.scope.get(target.name)
            if symbol is None or symbol.kind != "local":
                self.report(f"vload of '{s.base}': target '{target.name}' is not a local scalar")
            got = self.value(target)
            if elem is not None and got is not None and got != elem:
                self.report(f"vload of '{s.base}': target '{target.name}' has type {got}, element type is {elem}")

    def visit_VectorStore(self, s: VectorStore) -> None:
        elem = self.vector_buffer(s, len(s.values))
        symbol = self.scope.get(s.base)
        if symbol is not None and symbol.kind == "buffer" and not symbol.writable:
            self.report(f"write to read-only buffer '{s.base}'")
        for i, v in enumerate(s.values):
            got = self.value(v)
            if elem is not None and got is not None and got != elem:
                self.report(f"vstore of '{s.base}': value {i} has type {got}, element type is {elem}")

    def condition(self, cond: object, what: str) -> None:
        ty = self.value(cond)
        if ty is not None and ty != ir.BOOL:
            self.report(f"{what} condition must be bool, not {ty}")

    def visit_Return(self, s: ir.Return) -> None:
        want = self.fn.ret if isinstance(self.fn, ir.Function) else None
        if s.value is None:
            if want is not None:
                self.report(f"return without a value in a function returning {want}")
            return
        got = self.value(s.value)
        if self.is_kernel:
            self.report("a kernel returns nothing, but this return has a value")
        elif want is None:
            self.report("return with a value in a function returning nothing")
        elif got is not None and got != want:
            self.report(f"returned value has type {got}, the function returns {want}")

    # ----------------------------------------------------------------- expressions

    def value(self, e: object) -> Optional[ir.ScalarType]:
        """Check `e`, which must produce a value; its type (None if unusable)."""
        ty = self.expr(e)
        if ty is None and isinstance(e, (ir.Call, ir.Builtin)):  # other untyped ones are reported by expr
            self.report(f"{_describe(e)} returns nothing, but its value is used")
        return ty

    def expr(self, e: object) -> Optional[ir.ScalarType]:
        """Check `e` and its sub-expressions; its type, or None if it has none or is broken."""
        if type(e) not in _EXPR_KINDS or not isinstance(e, ir.Expr):
            self.report(f"not an expression: {e!r}")
            return None
        if e.type is not None and scalar_type_problem(e.type):
            self.report(f"{_describe(e)}: type {scalar_type_problem(e.type)}")
            return None
        if e.type is None and not isinstance(e, (ir.Call, ir.Builtin)):
            self.report(f"{_describe(e)} has no type")
        self.visit(e)
        return e.type

    def same_type(self, e: ir.Expr, got: Optional[ir.ScalarType], what: str) -> None:
        if got is not None and e.type is not None and got != e.type:
            self.report(f"{_describe(e)}: {what} has type {got}, expected {e.type}")

    def visit_CoopLength(self, e: CoopLength) -> None:
        self.coop.length(e)

    def visit_Const(self, e: ir.Const) -> None:
        if e.type is not None:
            problem = const_value_problem(e.type, e.value)
            if problem:
                self.report(f"constant: {problem}")

    def visit_Var(self, e: ir.Var) -> None:
        symbol = self.lookup(e.name)
        if symbol is None:
            return
        if not symbol.is_scalar:
            self.report(f"Var '{e.name}' names a {symbol.kind}; use Index or Len")
        elif e.type is not None and symbol.type != e.type:
            self.report(f"Var '{e.name}' has type {e.type}, but {symbol.kind} '{e.name}' is {symbol.type}")

    def lookup(self, name: str) -> Optional[_Symbol]:
        symbol = self.scope.get(name)
        if symbol is None:
            self.report(f"unknown name '{name}'")
        return symbol

    def indexed(self, e: Union[ir.Index, ir.Len, ir.Atomic]) -> Optional[_Symbol]:
        symbol = self.lookup(e.base)
        if symbol is not None and not symbol.is_indexable:
            self.report(f"{_describe(e)}: '{e.base}' is a {symbol.kind}, not a buffer or array")
            return None
        return symbol

    def index_value(self, e: Union[ir.Index, ir.Atomic]) -> None:
        ty = self.value(e.index)
        if ty is not None and not ty.is_int:
            self.report(f"{_describe(e)}: index must be an integer, not {ty}")

    def visit_Index(self, e: ir.Index) -> None:
        symbol = self.indexed(e)
        self.index_value(e)
        if type(e.checked) is not bool:
            self.report(f"{_describe(e)}: checked must be a bool, not {e.checked!r}")
        if symbol is not None:
            self.same_type(e, symbol.elem, f"element of '{e.base}'")

    def visit_Len(self, e: ir.Len) -> None:
        self.indexed(e)
        if e.type is not None and e.type != ir.I32:
            self.report(f"{_describe(e)}: type must be i32, not {e.type}")

    def visit_Unary(self, e: ir.Unary) -> None:
        ty = self.value(e.operand)
        if e.op not in ir.UNARY_OPS:
            self.report(f"unknown unary op {e.op!r}")
        elif ty is not None and not _op_accepts(e.op, ty):
            self.report(f"{_describe(e)}: operand type {ty} not allowed")
        self.same_type(e, ty, "operand")

    def visit_Binary(self, e: ir.Binary) -> None:
        lhs, rhs = self.value(e.lhs), self.value(e.rhs)
        if lhs is not None and rhs is not None and lhs != rhs:
            self.report(f"{_describe(e)}: operand types differ ({lhs} vs {rhs})")
        if e.op not in ir.BINARY_OPS:
            self.report(f"unknown binary op {e.op!r}")
            return
        if lhs is not None and not _op_accepts(e.op, lhs):
            self.report(f"{_describe(e)}: operand type {lhs} not allowed")
        if e.op in ir.COMPARE_OPS:
            if e.type is not None and e.type != ir.BOOL:
                self.report(f"{_describe(e)}: a comparison has type bool, not {e.type}")
        else:
            self.same_type(e, lhs, "operand")

    def visit_Logical(self, e: ir.Logical) -> None:
        if e.op not in ("and", "or"):
            self.report(f"unknown logical op {e.op!r}")
        for side in (e.lhs, e.rhs):
            ty = self.value(side)
            if ty is not None and ty != ir.BOOL:
                self.report(f"{_describe(e)}: operand must be bool, not {ty}")
        if e.type is not None and e.type != ir.BOOL:
            self.report(f"{_describe(e)}: type must be bool, not {e.type}")

    def visit_Select(self, e: ir.Select) -> None:
        self.condition(e.cond, "select")
        self.same_type(e, self.value(e.then), "then operand")
        self.same_type(e, self.value(e.otherwise), "else operand")

    def visit_Cast(self, e: ir.Cast) -> None:
        self.value(e.value)

    def visit_Call(self, e: ir.Call) -> None:
        arg_types = [self.value(a) for a in e.args]
        callee = self.helpers.get(e.func)
        if callee is None:
            what = "a kernel, not a helper" if e.func in self.kernel_names else "unknown"
            self.report(f"call of '{e.func}': {what}")
            return
        if len(e.args) != len(callee.params):
            self.report(f"call of '{e.func}': {len(e.args)} args, it takes {len(callee.params)}")
            return
        for i, (got, p) in enumerate(zip(arg_types, callee.params), 1):
            if got is not None and got != p.type:
                self.report(f"call of '{e.func}': arg {i} has type {got}, param '{p.name}' is {p.type}")
        if e.type != callee.ret:
            self.report(f"call of '{e.func}' has type {e.type}, '{e.func}' returns {callee.ret}")

    def visit_Builtin(self, e: ir.Builtin) -> None:
        arg_types = [self.value(a) for a in e.args]
        if e.name in ir.ID_BUILTINS:
            self.id_builtin(e)
        elif e.name in ir.SYNC_BUILTINS:
            self.nullary_builtin(e, None)
        elif e.name in MATH_ARITY:
            self.math_builtin(e, arg_types)
        elif e.name in ir.SUBGROUP_BUILTINS:
            self.subgroup_builtin(e, arg_types)
        else:
            self.report(f"unknown builtin {e.name!r}")
            return
        if e.name not in ir.ID_BUILTINS and e.dim != 0:
            self.report(f"builtin {e.name}: dim is only for id builtins, must be 0, not {e.dim!r}")

    def id_builtin(self, e: ir.Builtin) -> None:
        self.nullary_builtin(e, ir.I32)
        if type(e.dim) is not int or not 0 <= e.dim <= 2:
            self.report(f"builtin {e.name}: dim must be 0, 1 or 2, not {e.dim!r}")

    def nullary_builtin(self, e: ir.Builtin, ty: Optional[ir.ScalarType]) -> None:
        if e.args:
            self.report(f"builtin {e.name} takes no args, got {len(e.args)}")
        if e.type != ty:
            self.report(f"builtin {e.name} has type {ty}, not {e.type}")

    def subgroup_builtin(self, e: ir.Builtin, arg_types: list[Optional[ir.ScalarType]]) -> None:
        for problem in subgroup_problems(e, arg_types):
            self.report(problem)

    def math_builtin(self, e: ir.Builtin, arg_types: list[Optional[ir.ScalarType]]) -> None:
        arity = MATH_ARITY[e.name]
        if len(e.args) != arity:
            self.report(f"builtin {e.name} takes {arity} args, got {len(e.args)}")
        known = [t for t in arg_types if t is not None]
        if not known:
            return
        ty = known[0]
        if any(t != ty for t in known):
            self.report(f"builtin {e.name}: args differ in type ({', '.join(map(str, known))})")
        elif not (ty.is_float or (ty.is_int and e.name in INT_MATH_BUILTINS)):
            self.report(f"builtin {e.name}: args of type {ty} not allowed")
        result = ir.BOOL if e.name in BOOL_MATH_BUILTINS else ty
        if e.type != result:
            self.report(f"builtin {e.name} has type {e.type}, expected {result}")

    def visit_Atomic(self, e: ir.Atomic) -> None:
        symbol = self.indexed(e)
        self.index_value(e)
        arg_types = [self.value(a) for a in e.args]
        if e.op not in ir.ATOMIC_OPS:
            self.report(f"unknown atomic op {e.op!r}")
            return
        want_args = 2 if e.op == "compare_exchange" else 1
        if len(e.args) != want_args:
            self.report(f"{_describe(e)} takes {want_args} value args, got {len(e.args)}")
        if symbol is None:
            return
        if symbol.kind == "private array":
            self.report(f"{_describe(e)}: atomics need a buffer or shared array, '{e.base}' is a private array")
        elif not symbol.writable:
            self.report(f"{_describe(e)}: write to read-only buffer '{e.base}'")
        elem = symbol.elem
        if elem not in ATOMIC_INT_TYPES and not (elem == ir.F32 and e.op == "add"):
            self.report(f"{_describe(e)}: atomics are on 32-bit integers (and f32 add), not {elem}")
        self.same_type(e, elem, f"element of '{e.base}'")
        for i, got in enumerate(arg_types, 1):
            if got is not None and got != elem:
                self.report(f"{_describe(e)}: value arg {i} has type {got}, element type is {elem}")


def _op_accepts(op: str, ty: ir.ScalarType) -> bool:
    """Whether the unary or binary `op` takes operands of type `ty`."""
    if op == "not":
        return ty.is_bool
    if op in ("bitnot", *ir.BIT_OPS):
        return ty.is_int
    if op in ("eq", "ne"):
        return True
    return not ty.is_bool  # neg, arithmetic, ordering comparisons


def _describe(e: object) -> str:
    """A short name of an expression for messages, e.g. 'add.f32', 'x[..]'."""
    ty = getattr(e, "type", None)
    suffix = f".{ty}" if ty is not None else ""
    if isinstance(e, ir.Var):
        return e.name
    if isinstance(e, ir.Index):
        return f"{e.base}[..]"
    if isinstance(e, ir.Const):
        return f"constant {e.value!r}"
    if isinstance(e, ir.Logical):
        return e.op
    if isinstance(e, (ir.Unary, ir.Binary)):
        return f"{e.op}{suffix}"
    if isinstance(e, ir.Len):
        return f"len {e.base}"
    if isinstance(e, ir.Call):
        return f"call of '{e.func}'"
    if isinstance(e, ir.Builtin):
        return f"builtin {e.name}"
    if isinstance(e, ir.Atomic):
        return f"atomic {e.op}{suffix}"
    return type(e).__name__.lower() + suffix


_EXPR_KINDS = frozenset(t for t in vars(ir).values()
                        if isinstance(t, type) and issubclass(t, ir.Expr) and t is not ir.Expr) | {CoopLength}
