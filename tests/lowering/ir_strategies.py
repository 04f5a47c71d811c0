"""Hypothesis strategies for random, well-typed kernel IR modules.

    from ir_strategies import IRGenConfig, modules
    @given(modules())                      # or modules(IRGenConfig(max_kernels=1, ...))
    def test_something(module): ...

Every module drawn passes `verify_module`: types agree everywhere, names are
unique, helpers only call helpers defined before them (so there is no recursion),
`break`/`continue` appear only in loop bodies, atomics only on 32-bit integer (or
f32 add) buffer and shared elements. Nothing more is promised: values are
arbitrary, so indexes may be out of bounds, integers may divide by zero and loops
may never end. A generator for differential testing (running the modules) keeps
this structure and overrides the hooks that decide values: subclass `IRGen` and
override `index_expr` (e.g. an index modulo the length), `loop_stmt` (a bounded
counter), `binary` (safe divisors), ... then draw with `modules(config, gen=MyGen)`.

Names are drawn from a pool that includes the text form's keywords and operation
names (`step`, `loop`, `local`, `nan`, `add`, ...), so the parser's handling of
such names is exercised too.

From a test outside tests/lowering, put this folder on sys.path first:
`sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lowering"))`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from hypothesis import strategies as st

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.verify import (
    ATOMIC_INT_TYPES, BOOL_MATH_BUILTINS, INT_MATH_BUILTINS, MATH_ARITY, MAX_WORKGROUP_INVOCATIONS,
)

ALL_SCALARS = tuple(ir.SCALAR_TYPES.values())
NAME_POOL = ("x", "y", "acc", "tile", "step", "loop", "local", "shared", "if", "else", "while",
             "break", "continue", "return", "nan", "inf", "len", "add", "call", "gpu", "math",
             "atomic", "select", "cast", "module", "kernel", "fn", "const", "dims", "simd", "buf")


@dataclass(frozen=True)
class IRGenConfig:
    """Knobs of the generator; the defaults cover every node kind and type."""

    scalar_types: tuple[ir.ScalarType, ...] = ALL_SCALARS
    max_constants: int = 3
    max_helpers: int = 3
    max_kernels: int = 2
    max_params: int = 4
    max_locals: int = 4
    max_shared: int = 2
    max_stmts: int = 4  # per block
    max_block_depth: int = 2  # nesting of if/loop
    max_expr_depth: int = 3
    max_array_length: int = 64
    atomics: bool = True
    sync_builtins: bool = True
    checked_indexes: bool = True
    returns: bool = True
    dead_code: bool = True  # statements after break/continue/return in a block
    void_helpers_only: bool = False  # helpers never return a value
    vectors: bool = True  # VectorLoad/VectorStore in kernels (one width per buffer)

    @property
    def numeric_types(self) -> tuple[ir.ScalarType, ...]:
        return tuple(t for t in self.scalar_types if not t.is_bool)


@dataclass
class Scope:
    """What the function being generated can use."""

    scalars: dict[str, ir.ScalarType] = field(default_factory=dict)  # Var-able names
    assignable: dict[str, ir.ScalarType] = field(default_factory=dict)  # local scalars
    arrays: dict[str, Union[ir.BufferType, ir.ArrayType]] = field(default_factory=dict)
    helpers: list[ir.Function] = field(default_factory=list)  # callable ones
    ret: Optional[ir.ScalarType] = None
    is_kernel: bool = False


class IRGen:
    """Draws one module; each method builds one kind of node and can be overridden."""

    def __init__(self, draw: Callable, config: IRGenConfig):
        self.draw = draw
        self.config = config
        self.used_names: set[str] = set()
        self.constants: list[ir.Constant] = []
        self.scope = Scope()

    # ----------------------------------------------------------------- small draws

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def int_in(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def flag(self) -> bool:
        return self.draw(st.booleans())

    def fresh_name(self) -> str:
        name = self.choice(NAME_POOL)
        if name in self.used_names:
            name = f"{name}{len(self.used_names)}"
        self.used_names.add(name)
        return name

    def scalar_type(self) -> ir.ScalarType:
        return self.choice(self.config.scalar_types)

    def value(self, ty: ir.ScalarType) -> Union[bool, int, float]:
        if ty.is_bool:
            return self.flag()
        if ty.is_int:
            lo, hi = (-(1 << (ty.bits - 1)), (1 << (ty.bits - 1)) - 1) if ty.is_signed else (0, (1 << ty.bits) - 1)
            return self.int_in(lo, hi)
        return self.draw(st.floats(width=ty.bits))

    # ----------------------------------------------------------------- items

    def module(self) -> ir.Module:
        m = ir.Module(name=self.choice(("module", "m", "my kernels", 'q"uote')))
        for _ in range(self.int_in(0, self.config.max_constants)):
            ty = self.scalar_type()
            m.constants.append(ir.Constant(self.fresh_name(), ty, self.value(ty)))
        self.constants = m.constants
        for _ in range(self.int_in(0, self.config.max_helpers)):
            m.functions.append(self.helper(list(m.functions)))
        for _ in range(self.int_in(1, self.config.max_kernels)):
            m.kernels.append(self.kernel(m.functions))
        return m

    def new_scope(self, helpers: list[ir.Function], is_kernel: bool, ret: Optional[ir.ScalarType]) -> Scope:
        scope = Scope(helpers=helpers, is_kernel=is_kernel, ret=ret)
        scope.scalars.update({c.name: c.type for c in self.constants})
        return scope

    def helper(self, callable_helpers: list[ir.Function]) -> ir.Function:
        ret = None if self.config.void_helpers_only or self.flag() else self.scalar_type()
        self.scope = self.new_scope(callable_helpers, False, ret)
        params = [ir.Param(self.fresh_name(), self.scalar_type()) for _ in range(self.int_in(0, self.config.max_params))]
        self.scope.scalars.update({p.name: p.type for p in params})
        fn = ir.Function(self.fresh_name(), params, ret, ir.Block(), self.locals())
        fn.body = self.block(self.config.max_block_depth, in_loop=False)
        if ret is not None and not (fn.body.stmts and isinstance(fn.body.stmts[-1], ir.Return)):
            fn.body.stmts.append(ir.Return(self.expr(ret, self.config.max_expr_depth)))
        return fn

    def kernel(self, helpers: list[ir.Function]) -> ir.Kernel:
        self.scope = self.new_scope(helpers, True, None)
        params = []
        for _ in range(self.int_in(0, self.config.max_params)):
            if self.flag() and self.config.numeric_types:
                ty: Union[ir.ScalarType, ir.BufferType] = ir.BufferType(self.choice(self.config.numeric_types), self.flag())
                self.scope.arrays[name := self.fresh_name()] = ty
            else:
                ty = self.scalar_type()
                self.scope.scalars[name := self.fresh_name()] = ty
            params.append(ir.Param(name, ty))
        shared = [ir.SharedArray(self.fresh_name(), self.array_type("shared"))
                  for _ in range(self.int_in(0, self.config.max_shared))]
        self.scope.arrays.update({s.name: s.type for s in shared})
        self.vector_widths: dict[str, int] = {}  # buffer -> elements of its vector accesses
        k = ir.Kernel(self.fresh_name(), params, ir.Block(), self.locals(), shared,
                      self.local_size(), self.int_in(1, 3), self.flag())
        k.body = self.block(self.config.max_block_depth, in_loop=False)
        return k

    def local_size(self) -> Optional[tuple[int, int, int]]:
        if self.flag():
            return None
        x = self.int_in(1, MAX_WORKGROUP_INVOCATIONS)
        y = self.int_in(1, MAX_WORKGROUP_INVOCATIONS // x)
        return (x, y, self.int_in(1, MAX_WORKGROUP_INVOCATIONS // (x * y)))

    def array_type(self, space: str) -> ir.ArrayType:
        return ir.ArrayType(self.scalar_type(), self.int_in(1, self.config.max_array_length), space)

    def locals(self) -> list[ir.Local]:
        result = []
        for _ in range(self.int_in(0, self.config.max_locals)):
            name = self.fresh_name()
            if self.int_in(0, 3) == 0:
                ty = self.array_type("private")
                self.scope.arrays[name] = ty
            else:
                ty = self.scalar_type()
                self.scope.scalars[name] = self.scope.assignable[name] = ty
            result.append(ir.Local(name, ty))
        return result

    # ----------------------------------------------------------------- statements

    def block(self, depth: int, in_loop: bool) -> ir.Block:
        stmts: list[ir.Stmt] = []
        for _ in range(self.int_in(0, self.config.max_stmts)):
            stmts.append(self.stmt(depth, in_loop))
            if not self.config.dead_code and isinstance(stmts[-1], (ir.Break, ir.Continue, ir.Return)):
                break
        return ir.Block(stmts)

    def stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        kinds = ["assign", "element", "effect"]
        if depth > 0:
            kinds += ["if", "loop"]
        if in_loop:
            kinds += ["break", "continue"]
        if self.config.returns:
            kinds.append("return")
        if self.config.vectors and self.scope.is_kernel:
            kinds.append("vector")
        return getattr(self, f"{self.choice(kinds)}_stmt")(depth, in_loop)

    def vector_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        """A VectorLoad into locals of the buffer's element type, or a VectorStore."""
        buffers = sorted(n for n, t in self.scope.arrays.items() if isinstance(t, ir.BufferType))
        if not buffers:
            return self.effect_stmt(depth, in_loop)
        base = self.choice(buffers)
        ty = self.scope.arrays[base]
        assert isinstance(ty, ir.BufferType)
        n = self.vector_widths.setdefault(base, self.choice(ir.VECTOR_ACCESS_WIDTHS))
        checked = self.config.checked_indexes and self.flag()
        index = self.vector_index_expr(base, n, checked, self.config.max_expr_depth - 1)
        targets = sorted(name for name, t in self.scope.assignable.items() if t == ty.elem)
        if ty.writable and (not targets or self.flag()):
            values = [self.expr(ty.elem, self.config.max_expr_depth - 1) for _ in range(n)]
            return ir.VectorStore(base, index, values, checked)
        if not targets:
            return self.effect_stmt(depth, in_loop)
        return ir.VectorLoad([ir.Var(ty.elem, self.choice(targets)) for _ in range(n)], base, index, checked)

    def vector_index_expr(self, base: str, n: int, checked: bool, depth: int) -> ir.Expr:
        """The vector index of a vector access (any integer here)."""
        return self.expr(self.choice([t for t in self.config.scalar_types if t.is_int] or [ir.I32]), depth)

    def assign_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        if not self.scope.assignable:
            return self.effect_stmt(depth, in_loop)
        name = self.choice(sorted(self.scope.assignable))
        ty = self.scope.assignable[name]
        return ir.Assign(ir.Var(ty, name), self.expr(ty, self.config.max_expr_depth))

    def element_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        writable = sorted(n for n, t in self.scope.arrays.items() if not isinstance(t, ir.BufferType) or t.writable)
        if not writable:
            return self.effect_stmt(depth, in_loop)
        target = self.index(self.choice(writable), self.config.max_expr_depth - 1)
        return ir.Assign(target, self.expr(target.type, self.config.max_expr_depth))

    def effect_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        options = [lambda: self.call(self.choice(self.scope.helpers), self.config.max_expr_depth - 1)] \
            if self.scope.helpers else []
        if self.config.sync_builtins:
            options.append(lambda: ir.Builtin(None, self.choice(ir.SYNC_BUILTINS)))
        atomic_bases = self.atomic_bases()
        if atomic_bases:
            options.append(lambda: self.atomic(self.choice(atomic_bases), self.config.max_expr_depth - 1))
        if not options:  # nothing with an effect here: an empty `if` stands in
            return ir.If(self.expr(ir.BOOL, 1), ir.Block(), ir.Block())
        return ir.ExprStmt(self.pick(options)())

    def pick(self, options: list):
        """One of `options`, shrinking toward the first."""
        return options[self.int_in(0, len(options) - 1)]

    def if_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        cond = self.expr(ir.BOOL, self.config.max_expr_depth)
        return ir.If(cond, self.block(depth - 1, in_loop), self.block(depth - 1, in_loop))

    def loop_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        cond = self.expr(ir.BOOL, self.config.max_expr_depth) if self.flag() else None
        return ir.Loop(cond, self.block(depth - 1, True), self.block(depth - 1, False))

    def break_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        return ir.Break()

    def continue_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        return ir.Continue()

    def return_stmt(self, depth: int, in_loop: bool) -> ir.Stmt:
        ret = self.scope.ret
        return ir.Return(self.expr(ret, self.config.max_expr_depth) if ret is not None else None)

    # ----------------------------------------------------------------- expressions

    def expr(self, ty: ir.ScalarType, depth: int) -> ir.Expr:
        """A random expression of type `ty`, nested at most `depth` deep."""
        return self.pick(self.expr_makers(ty, depth))()

    def expr_makers(self, ty: ir.ScalarType, depth: int) -> list[Callable[[], ir.Expr]]:
        """The kinds of expression of type `ty` available here; the first is always a literal."""
        makers: list[Callable[[], ir.Expr]] = [lambda: ir.Const(ty, self.value(ty))]
        names = sorted(n for n, t in self.scope.scalars.items() if t == ty)
        if names:
            makers.append(lambda: ir.Var(ty, self.choice(names)))
        if depth <= 0:
            return makers
        d = depth - 1
        arrays = sorted(n for n, t in self.scope.arrays.items() if t.elem == ty)
        if arrays:
            makers.append(lambda: self.index(self.choice(arrays), d))
        if ty == ir.I32:
            if self.scope.arrays:
                makers.append(lambda: ir.Len(ir.I32, self.choice(sorted(self.scope.arrays))))
            makers.append(lambda: ir.Builtin(ir.I32, self.choice(ir.ID_BUILTINS), [], self.int_in(0, 2)))
        makers += [lambda: self.unary(ty, d), lambda: self.binary(ty, d),
                   lambda: ir.Select(ty, self.expr(ir.BOOL, d), self.expr(ty, d), self.expr(ty, d)),
                   lambda: ir.Cast(ty, self.expr(self.scalar_type(), d))]
        if ty.is_bool:
            makers.append(lambda: ir.Logical(ir.BOOL, self.choice(("and", "or")), self.expr(ty, d), self.expr(ty, d)))
        if self.math_names(ty):
            makers.append(lambda: self.math(ty, d))
        helpers = [f for f in self.scope.helpers if f.ret == ty]
        if helpers:
            makers.append(lambda: self.call(self.choice(helpers), d))
        atomic_bases = [b for b in self.atomic_bases() if self.scope.arrays[b].elem == ty]
        if atomic_bases:
            makers.append(lambda: self.atomic(self.choice(atomic_bases), d))
        return makers

    def index(self, base: str, depth: int) -> ir.Index:
        checked = self.config.checked_indexes and self.flag()
        return ir.Index(self.scope.arrays[base].elem, base, self.index_expr(base, depth), checked)

    def index_expr(self, base: str, depth: int) -> ir.Expr:
        """The index used for an element of `base` (hook: any integer expression here)."""
        return self.expr(self.choice([t for t in self.config.scalar_types if t.is_int] or [ir.I32]), depth)

    def unary(self, ty: ir.ScalarType, depth: int) -> ir.Expr:
        ops = ["not"] if ty.is_bool else ["neg", "bitnot"] if ty.is_int else ["neg"]
        return ir.Unary(ty, self.choice(ops), self.expr(ty, depth))

    def binary(self, ty: ir.ScalarType, depth: int) -> ir.Expr:
        if ty.is_bool:
            operand = self.scalar_type()
            ops = ir.COMPARE_OPS if not operand.is_bool else ("eq", "ne")
        else:
            operand, ops = ty, ir.ARITH_OPS + (ir.BIT_OPS if ty.is_int else ())
        return ir.Binary(ty, self.choice(ops), self.expr(operand, depth), self.expr(operand, depth))

    def math_names(self, ty: ir.ScalarType) -> list[str]:
        if ty.is_bool:
            return sorted(BOOL_MATH_BUILTINS) if any(t.is_float for t in self.config.scalar_types) else []
        return [n for n in ir.MATH_BUILTINS if n not in BOOL_MATH_BUILTINS and (ty.is_float or n in INT_MATH_BUILTINS)]

    def math(self, ty: ir.ScalarType, depth: int) -> ir.Expr:
        name = self.choice(self.math_names(ty))
        arg_ty = self.choice([t for t in self.config.scalar_types if t.is_float]) if ty.is_bool else ty
        return ir.Builtin(ty, name, [self.expr(arg_ty, depth) for _ in range(MATH_ARITY[name])])

    def call(self, fn: ir.Function, depth: int) -> ir.Call:
        return ir.Call(fn.ret, fn.name, [self.expr(p.type, depth) for p in fn.params])

    def atomic_bases(self) -> list[str]:
        if not (self.config.atomics and self.scope.is_kernel):
            return []
        return sorted(n for n, t in self.scope.arrays.items()
                      if not (isinstance(t, ir.ArrayType) and t.space == "private")
                      and getattr(t, "writable", True) and (t.elem in ATOMIC_INT_TYPES or t.elem == ir.F32))

    def atomic(self, base: str, depth: int) -> ir.Atomic:
        elem = self.scope.arrays[base].elem
        op = "add" if elem == ir.F32 else self.choice(ir.ATOMIC_OPS)
        nargs = 2 if op == "compare_exchange" else 1
        return ir.Atomic(elem, op, base, self.index_expr(base, depth), [self.expr(elem, depth) for _ in range(nargs)])


def modules(config: IRGenConfig = IRGenConfig(), gen: type[IRGen] = IRGen) -> st.SearchStrategy[ir.Module]:
    """Random verified modules drawn by `gen` under `config`."""

    @st.composite
    def draw_module(draw) -> ir.Module:
        return gen(draw, config).module()

    return draw_module()


class RunnableGen(IRGen):
    """Modules that can run: unchecked indexes wrapped into bounds, every loop ended
    after at most `max_trips` iterations (a trip counter in its condition)."""

    max_trips = 3

    def __init__(self, draw, config):
        super().__init__(draw, config)
        self.counters: list[ir.Local] = []

    def helper(self, callable_helpers):
        self.counters = []
        fn = super().helper(callable_helpers)
        fn.locals += self.counters
        return fn

    def kernel(self, helpers):
        self.counters = []
        k = super().kernel(helpers)
        k.locals += self.counters
        return k

    def index(self, base, depth):
        if self.config.checked_indexes and self.flag():  # any value: lanes may end here
            return ir.Index(self.scope.arrays[base].elem, base, super().index_expr(base, depth), True)
        return ir.Index(self.scope.arrays[base].elem, base, self.index_expr(base, depth), False)

    def index_expr(self, base, depth):
        """An index wrapped into 0..len (for unchecked indexes and atomics)."""
        raw = ir.Cast(ir.I64, super().index_expr(base, depth))
        size = ir.Cast(ir.I64, ir.Len(ir.I32, base))
        rem = ir.Binary(ir.I64, "rem", raw, size)
        return ir.Select(ir.I64, ir.Binary(ir.BOOL, "lt", rem, ir.Const(ir.I64, 0)),
                         ir.Binary(ir.I64, "add", rem, size), rem)

    def vector_index_expr(self, base, n, checked, depth):
        """Checked: any value (lanes may end here); else wrapped into 0..len / n (the
        runs give a buffer accessed as vectors at least n elements)."""
        raw = super().vector_index_expr(base, n, checked, depth)
        if checked:
            return raw
        size = ir.Binary(ir.I64, "div", ir.Cast(ir.I64, ir.Len(ir.I32, base)), ir.Const(ir.I64, n))
        rem = ir.Binary(ir.I64, "rem", ir.Cast(ir.I64, raw), size)
        return ir.Select(ir.I64, ir.Binary(ir.BOOL, "lt", rem, ir.Const(ir.I64, 0)),
                         ir.Binary(ir.I64, "add", rem, ir.Binary(ir.I64, "div", ir.Cast(ir.I64, ir.Len(ir.I32, base)),
                                                                 ir.Const(ir.I64, n))), rem)

    def loop_stmt(self, depth, in_loop):
        loop = super().loop_stmt(depth, in_loop)
        counter = ir.Var(ir.I32, f"trips{len(self.used_names)}")
        self.used_names.add(counter.name)
        self.counters.append(ir.Local(counter.name, ir.I32))
        bound = ir.Binary(ir.BOOL, "lt", counter, ir.Const(ir.I32, self.max_trips))
        loop.cond = bound if loop.cond is None else ir.Logical(ir.BOOL, "and", bound, loop.cond)
        loop.step.stmts.insert(0, ir.Assign(counter, ir.Binary(ir.I32, "add", counter, ir.Const(ir.I32, 1))))
        return ir.If(ir.Const(ir.BOOL, True), ir.Block([ir.Assign(counter, ir.Const(ir.I32, 0)), loop]))
