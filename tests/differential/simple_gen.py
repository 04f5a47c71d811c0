"""Random well-typed Simple kernels (source text), for differential testing.

    from simple_gen import GenConfig, programs
    @given(programs())
    def test(program): program.source, program.kernel, program.make_args(), ...

A `Program` is one `.spl` source with helpers, constants and one kernel, its launch
(1-D or 2-D, global size a multiple of the local size), the kernel's buffers and
scalars, and the role of each buffer (which tells how to compare it). The generator keeps every result defined
and the same on any conforming device, so two backends that disagree have a bug:

- indexes are masked into bounds (`e & (len - 1)`; every array length is a power
  of two); loops have bounded trip counts (data-dependent `range` bounds masked to
  0..7, `while` loops with a counter checked first and incremented first);
- integer `/` and `%` mostly get a divisor in 1..16; now and then a raw one, since
  the IR defines x / 0 = 0 and MIN / -1 = MIN and both backends document that;
- floats use only correctly rounded operations (+ - * / %, sqrt, comparisons,
  casts, floor/ceil/trunc/round/fract, abs/sign/min/max/clamp/step) in values that
  flow anywhere; functions a device may approximate (sin, exp, pow, ...) only
  produce values written straight to a "sink" buffer compared with a tolerance,
  on arguments clamped to a well-conditioned range;
- floats stay finite: Vulkan without the SignedZeroInfNanPreserve execution mode
  lets a driver ignore infinities, NaN and the sign of zero (lavapipe folds
  `x * 0.0` to 0 even for an infinite x, and `x + 0.0` to x even for -0), so
  inputs are finite, every float operation's result is clamped to +-FLOAT_BOUND
  (an overflow to infinity is clamped right away, on both backends alike),
  divisors are `abs(d) + 1`, square roots take `abs(x)`; the sign of a zero is
  not compared;
- work items write only their own output slots; atomics on a shared element all
  use one commutative operation (add/sub, and, or, xor, min or max), their results
  are discarded, except exchange/compare-exchange on the item's own slot; f32
  atomic adds add whole numbers below 16, so every order sums exactly;
- barriers stand only in uniform control flow (the kernel's top level, before any
  `return`); shared arrays are written before they are read, one element per item;
- private arrays are indexed in bounds; in `@simd` kernels some buffer reads after
  the last barrier are not masked (an index out of bounds ends the work item).

`opaque=True` draws the same program with every literal in an expression passed
through an identity helper (`opq_i8(5i8)`), so the front end cannot fold it: the
software backend must then compute the same buffers as for the plain text (a
check of the front end's constant folding).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from hypothesis import strategies as st

INTS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")
FLOATS = ("f16", "f32", "f64")
NUMERIC = INTS + FLOATS
SCALARS = NUMERIC + ("bool",)
NARROWER = {"i64": "i32", "u64": "u32", "f64": "f32"}  # implicit exact widenings
IN_LEN = 64  # elements of each input buffer
ATOMIC_TYPES = ("i32", "u32", "f32")  # f32: add only, of whole numbers below 16
ATOMIC_FAMILIES = (("add", "sub"), ("and",), ("or",), ("xor",), ("min",), ("max",))
INT_COMPOUND = ("+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "/=", "%=")
FLOAT_BOUND = {"f16": "256.0", "f32": "1e15", "f64": "1e100"}  # products stay finite
# approximated math: name -> (arity, argument range)
SINK_MATH = {"sin": (1, 3.0), "cos": (1, 3.0), "tan": (1, 1.2), "asin": (1, 0.9), "acos": (1, 0.9),
             "atan": (1, 8.0), "atan2": (2, 8.0), "sinh": (1, 4.0), "cosh": (1, 4.0), "tanh": (1, 4.0),
             "exp": (1, 8.0), "exp2": (1, 8.0), "log": (1, 0.0), "log2": (1, 0.0), "pow": (2, 0.0),
             "rsqrt": (1, 0.0), "fma": (3, 8.0), "mix": (3, 8.0), "smoothstep": (3, 8.0)}
POSITIVE_MATH = ("log", "log2", "pow", "rsqrt")  # arguments in [0.5, 8]


def dtype(t: str) -> np.dtype:
    return np.dtype("bool" if t == "bool" else {"i": "int", "u": "uint", "f": "float"}[t[0]] + t[1:])


def bits(t: str) -> int:
    return int(t[1:])


def int_range(t: str) -> tuple[int, int]:
    b = bits(t)
    return (-(1 << (b - 1)), (1 << (b - 1)) - 1) if t[0] == "i" else (0, (1 << b) - 1)


@dataclass(frozen=True)
class GenConfig:
    types: tuple[str, ...] = SCALARS
    max_helpers: int = 3
    max_locals: int = 6
    max_stmts: int = 5
    max_depth: int = 3  # nesting of if/loop
    max_expr_depth: int = 3
    shared: bool = True
    atomics: bool = True
    sinks: bool = True
    raw_division: bool = True  # allow x / 0 and MIN / -1 (defined by the IR)
    private: bool = True  # private arrays in the kernel
    simd: bool = True  # some kernels are @simd, with unmasked buffer reads


@dataclass
class Buffer:
    name: str
    type: str
    length: int
    role: str  # "in", "out", "acc", "own", "sink"
    families: tuple[str, ...] = ()  # "acc": the atomic operation family of each slot


@dataclass
class Program:
    source: str
    kernel: str
    global_size: tuple[int, int]
    local_size: Optional[tuple[int, int]]  # None: the kernel's hint
    buffers: list[Buffer]
    scalars: list[tuple[str, str, object]]  # (name, type, value)
    data_seed: int
    opaque_source: str = ""

    def make_args(self) -> dict:
        """The kernel's arguments in parameter order: fresh arrays each call."""
        rng = np.random.default_rng(self.data_seed)
        args: dict = {b.name: buffer_data(rng, b) for b in self.buffers}
        for name, t, value in self.scalars:
            args[name] = dtype(t).type(value)
        return args

    @property
    def written(self) -> list[Buffer]:
        return [b for b in self.buffers if b.role != "in"]


def buffer_data(rng: np.random.Generator, b: Buffer) -> np.ndarray:
    if b.role == "acc":
        return acc_initial(b)
    if b.role in ("out", "sink"):
        return np.zeros(b.length, dtype(b.type))
    return random_values(rng, b.type, b.length)


def acc_initial(b: Buffer) -> np.ndarray:
    return np.array([family_start(b.type, (f,)) for f in b.families], dtype(b.type))


def random_values(rng: np.random.Generator, t: str, n: int) -> np.ndarray:
    """Values of type `t` with many small ones, the type's edges and, for floats,
    zeros of both signs now and then (never infinities or NaN)."""
    if t in INTS:
        lo, hi = int_range(t)
        small = rng.integers(-20, 21, n)
        wide = rng.integers(lo, hi, n, endpoint=True, dtype=np.int64 if t != "u64" else np.uint64)
        edges = rng.choice(np.array([lo, hi, lo + 1, hi - 1, 0, 1], dtype=object), n)
        pick = rng.integers(0, 10, n)
        values = np.where(pick < 5, small, np.where(pick < 8, wide.astype(object), edges))
        return np.array([int(v) % (1 << bits(t)) for v in values], dtype=np.uint64).astype(
            f"uint{bits(t)}").view(dtype(t))
    quarters = rng.integers(-400, 401, n) / 4
    uniform = rng.uniform(-10, 10, n)
    special = rng.choice(np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-3, 1000.0]), n)
    pick = rng.integers(0, 20, n)
    values = np.where(pick < 10, quarters, np.where(pick < 18, uniform, special))
    return values.astype(dtype(t))


# --------------------------------------------------------------------------- generator


@dataclass
class Scope:
    vars: dict[str, str] = field(default_factory=dict)  # readable scalars: name -> type
    mutable: dict[str, str] = field(default_factory=dict)
    in_loop: bool = False
    is_kernel: bool = False
    ret: Optional[str] = None
    allow_return: bool = True

    def child(self, **changes) -> "Scope":
        s = Scope(dict(self.vars), dict(self.mutable), self.in_loop, self.is_kernel, self.ret, self.allow_return)
        for k, v in changes.items():
            setattr(s, k, v)
        return s


@dataclass
class Helper:
    name: str
    params: list[str]  # types
    ret: str


class SourceGen:
    """Draws one program; `opaque` passes literals through identity helpers."""

    def __init__(self, draw: Callable, config: GenConfig, opaque: bool = False):
        self.draw, self.config, self.opaque = draw, config, opaque
        self.counter = 0
        self.helpers: list[Helper] = []
        self.callable: list[Helper] = []  # helpers the current function may call
        self.constants: dict[str, tuple[str, str]] = {}  # name -> (type, literal text)
        self.opaque_types: set[str] = set()
        self.in_buffers: set[str] = set()  # types with an input buffer
        self.sinks: dict[str, int] = {}  # float type -> slots per item
        self.acc_slots: dict[str, list[tuple[str, ...]]] = {}  # type -> family per slot
        self.shared: dict[str, tuple[str, int]] = {}  # name -> (type, length)
        self.shared_atomics: dict[str, tuple[str, int]] = {}
        self.readable: dict[str, tuple[str, int]] = {}  # shared arrays written and synchronised
        self.out_slots: dict[str, int] = {}
        self.flush: list[str] = []
        self.local_size = 1  # work items per group
        self.local_xy, self.groups_xy = (1, 1), (1, 1)
        self.uses_sync_helper = False
        self.in_index = False  # buffer reads inside an index would nest without end
        self.private: dict[str, tuple[str, int]] = {}  # the kernel's private arrays
        self.simd = False  # an @simd kernel: buffer indexes are checked
        self.late = False  # generating the code after the last barrier
        self.uses_own = False

    # ----------------------------------------------------------------- draws

    def pick(self, options):
        options = list(options)
        return options[self.draw(st.integers(0, len(options) - 1))]

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) < percent

    def int_in(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def scalar_type(self, numeric: bool = False) -> str:
        types = [t for t in self.config.types if not numeric or t != "bool"]
        return self.pick(types)

    # ----------------------------------------------------------------- literals

    def literal_value(self, t: str):
        if t == "bool":
            return self.chance(50)
        if t in INTS:
            lo, hi = int_range(t)
            kind = self.int_in(0, 9)
            if kind < 5:
                return max(lo, min(hi, self.int_in(-9, 9)))
            if kind < 7:
                return self.pick([lo, hi, lo + 1, hi - 1, 0, 1])
            return self.int_in(lo, hi)
        limit = 60000.0 if t == "f16" else 1e6
        kind = self.int_in(0, 9)
        if kind < 4:
            return self.int_in(-64, 64) / self.pick([1, 2, 4, 8])
        if kind < 6:
            return self.pick([0.1, 0.2, 0.3, 1e-3, 2.5e-2, 1.1, 3.3, 0.7, 1 / 3, 100.1])
        if kind < 8:
            return self.draw(st.floats(-limit, limit, allow_nan=False, allow_infinity=False, width=32))
        return self.draw(st.floats(-100, 100, allow_nan=False, allow_infinity=False))

    def literal_text(self, t: str, value) -> str:
        if t == "bool":
            return "true" if value else "false"
        if t in INTS:
            lo, _ = int_range(t)
            if value == lo and value < 0:
                return f"(-{-value - 1}{t} - 1{t})"
            return f"{value}{t}" if value >= 0 else f"(-{-value}{t})"
        text = repr(float(abs(value)))
        return f"{text}{t}" if not str(value).startswith("-") else f"(-{text}{t})"

    def literal(self, t: str, value=None) -> str:
        """A literal of type `t` in an expression (`literal_text` where the language
        needs a constant: shift amounts, constants, shared-array initial values)."""
        text = self.literal_text(t, self.literal_value(t) if value is None else value)
        if self.opaque:
            self.opaque_types.add(t)
            return f"opq_{t}({text})"
        return text

    # ----------------------------------------------------------------- expressions

    def expr(self, t: str, scope: Scope, depth: int) -> str:
        if depth <= 0 or self.chance(25):
            return self.leaf(t, scope)
        makers = [self.unary, self.binary, self.cast, self.select, self.call, self.math]
        if t == "bool":
            makers += [self.compare, self.compare, self.logical]
        return self.pick(makers)(t, scope, depth - 1)

    def leaf(self, t: str, scope: Scope) -> str:
        options = [name for name, vt in scope.vars.items() if vt == t]
        options += [name for name, (ct, _) in self.constants.items() if ct == t]
        kind = self.int_in(0, 9)
        if options and kind < 5:
            return self.pick(options)
        if scope.is_kernel and t != "bool" and kind < 8 and not self.in_index:
            return self.buffer_read(t, scope)
        if scope.is_kernel and t == "i32" and kind < 9:
            return self.pick(["gid", "lid", "gpu.group_id(0)", "gpu.local_size(0)", "gpu.num_groups(0)",
                              "gpu.global_size(0)", f"len(in_{self.some_input()})"])
        return self.literal(t)

    def some_input(self) -> str:
        t = self.pick(NUMERIC if "f16" in self.config.types else [x for x in NUMERIC if x != "f16"])
        self.in_buffers.add(t)
        return t

    def buffer_read(self, t: str, scope: Scope) -> str:
        self.in_buffers.add(t)
        if self.private and self.chance(20):
            same = [n for n, (pt, _) in self.private.items() if pt == t]
            if same:
                name = self.pick(same)
                return f"{name}[{self.index(scope, self.private[name][1])}]"
        if self.simd and self.late and self.chance(25):  # out of bounds ends the work item
            return f"in_{t}[{self.unchecked_index(scope)}]"
        if self.readable and self.chance(20):
            same = [n for n, (st_, _) in self.readable.items() if st_ == t]
            if same:
                name = self.pick(same)
                return f"{name}[{self.index(scope, self.readable[name][1])}]"
        return f"in_{t}[{self.index(scope, IN_LEN)}]"

    def index(self, scope: Scope, length: int) -> str:
        it = self.pick([x for x in INTS if x in self.config.types] or ["i32"])
        outer, self.in_index = self.in_index, True
        inner = self.expr(it, scope, 1)
        self.in_index = outer
        if self.chance(20) and length > 1:
            return f"(({inner}) as u32) % {length}u32"
        return f"({inner}) & {length - 1}"

    def unchecked_index(self, scope: Scope) -> str:
        outer, self.in_index = self.in_index, True
        inner = self.expr(self.pick([x for x in INTS if x in self.config.types] or ["i32"]), scope, 1)
        self.in_index = outer
        return inner

    def operand(self, t: str, scope: Scope, depth: int) -> str:
        """An operand of a `t` operation: sometimes of a type that widens to `t`."""
        if t in NARROWER and NARROWER[t] in self.config.types and self.chance(15):
            return self.expr(NARROWER[t], scope, depth)
        return self.expr(t, scope, depth)

    def unary(self, t: str, scope: Scope, depth: int) -> str:
        if t == "bool":
            return f"(not {self.expr(t, scope, depth)})"
        ops = ["-", "~"] if t in INTS else ["-"]
        return f"({self.pick(ops)}{self.expr(t, scope, depth)})"

    def binary(self, t: str, scope: Scope, depth: int) -> str:
        if t == "bool":
            return self.logical(t, scope, depth)
        lhs = self.operand(t, scope, depth)
        if t in FLOATS:
            op = self.pick(["+", "-", "*", "/", "%"])
            rhs = self.operand(t, scope, depth)
            if op in ("/", "%"):
                rhs = f"(abs({rhs}) + {self.literal(t, 1.0)})"
            return self.bounded(t, f"({lhs} {op} {rhs})")
        op = self.pick(["+", "-", "*", "&", "|", "^", "<<", ">>", "/", "%", "**"])
        if op in ("<<", ">>"):
            amount = self.literal_text("u32", self.int_in(0, bits(t) - 1)) if self.chance(40) else \
                self.expr(self.pick([x for x in INTS if x in self.config.types] or ["i32"]), scope, depth)
            return f"({lhs} {op} {amount})"
        if op in ("/", "%"):
            return f"({lhs} {op} {self.divisor(t, scope, depth)})"
        if op == "**":
            exponent = self.literal(t, self.int_in(0, 4)) if self.chance(60) else self.expr(t, scope, depth)
            return f"({lhs} ** {exponent})"
        return f"({lhs} {op} {self.operand(t, scope, depth)})"

    def bounded(self, t: str, value: str) -> str:
        """A float value clamped to +-FLOAT_BOUND (an infinity becomes the bound)."""
        bound = float(FLOAT_BOUND[t])
        return f"clamp({value}, {self.literal(t, -bound)}, {self.literal(t, bound)})"

    def divisor(self, t: str, scope: Scope, depth: int) -> str:
        """1..16; now and then a variable as it is (0 and -1 included: a constant
        zero divisor would be a compile error)."""
        variables = [name for name, vt in scope.vars.items() if vt == t]
        if self.config.raw_division and variables and self.chance(10):
            return self.pick(variables)
        return f"(({self.expr(t, scope, depth)} & {self.literal(t, 15)}) + {self.literal(t, 1)})"

    def compare(self, t: str, scope: Scope, depth: int) -> str:
        ct = self.scalar_type()
        op = self.pick(["==", "!="] if ct == "bool" else ["<", "<=", ">", ">=", "==", "!="])
        return f"({self.operand(ct, scope, depth)} {op} {self.operand(ct, scope, depth)})"

    def logical(self, t: str, scope: Scope, depth: int) -> str:
        op = self.pick(["and", "or"])
        return f"({self.expr('bool', scope, depth)} {op} {self.expr('bool', scope, depth)})"

    def cast(self, t: str, scope: Scope, depth: int) -> str:
        src = self.scalar_type()
        if src == "bool" and t in FLOATS:
            src = "i32" if "i32" in self.config.types else self.scalar_type(numeric=True)
        value = self.expr(src, scope, depth)
        if t == "bool":
            return f"({value} != {self.literal(src, 0)})" if src != "bool" else value
        text = f"{t}({value})" if self.chance(30) else f"({value} as {t})"
        return self.bounded(t, text) if t in FLOATS else text

    def select(self, t: str, scope: Scope, depth: int) -> str:
        c, a, b = self.expr("bool", scope, depth), self.expr(t, scope, depth), self.expr(t, scope, depth)
        if self.chance(50):
            return f"({a} if {c} else {b})"
        return f"(if {c}: {a} else: {b})"

    def call(self, t: str, scope: Scope, depth: int) -> str:
        options = [h for h in self.callable if h.ret == t]
        if not options:
            return self.leaf(t, scope)
        h = self.pick(options)
        return f"{h.name}({', '.join(self.expr(p, scope, depth) for p in h.params)})"

    def math(self, t: str, scope: Scope, depth: int) -> str:
        if t == "bool":
            ft = self.pick([x for x in FLOATS if x in self.config.types] or ["f32"])
            return f"{self.pick(['isnan', 'isinf'])}({self.expr(ft, scope, depth)})"
        x = self.expr(t, scope, depth)
        names = ["abs", "min", "max", "clamp"] + (["sign"] if t[0] != "u" else [])
        if t in FLOATS:
            names += ["floor", "ceil", "trunc", "round", "fract", "step", "sqrt", "sign"]
        name = self.pick(names)
        if name in ("min", "max"):
            return f"{name}({x}, {self.expr(t, scope, depth)})"
        if name == "clamp":
            lo, hi = sorted([self.literal_value(t), self.literal_value(t)])
            return f"clamp({x}, {self.literal(t, lo)}, {self.literal(t, hi)})"
        if name == "step":
            return f"step({self.expr(t, scope, depth)}, {x})"
        if name == "sqrt":
            return f"sqrt(abs({x}))"
        return f"{name}({x})"

    # ----------------------------------------------------------------- statements

    def block(self, scope: Scope, depth: int, indent: int) -> list[str]:
        lines: list[str] = []
        for _ in range(self.int_in(1, self.config.max_stmts)):
            lines += self.statement(scope, depth, indent)
        return lines

    def statement(self, scope: Scope, depth: int, indent: int) -> list[str]:
        pad = "    " * indent
        kinds = ["assign", "assign", "compound"]
        if depth > 0:
            kinds += ["if", "for", "while"]
        if scope.in_loop:
            kinds += ["break", "continue"]
        if scope.allow_return:
            kinds += ["return"]
        if scope.is_kernel:
            kinds += ["sink"] * self.config.sinks + ["atomic", "own"] * self.config.atomics
            kinds += ["store"] * bool(self.private)
        kind = self.pick(kinds)
        if kind in ("assign", "compound") and not scope.mutable:
            kind = "if" if depth > 0 else "return" if scope.allow_return else "pass"
        return getattr(self, f"stmt_{kind}")(scope, depth, pad, indent)

    def stmt_pass(self, scope, depth, pad, indent):
        return [f"{pad}pass"]

    def stmt_assign(self, scope, depth, pad, indent):
        name = self.pick(list(scope.mutable))
        return [f"{pad}{name} = {self.expr(scope.mutable[name], scope, self.config.max_expr_depth)}"]

    def stmt_compound(self, scope, depth, pad, indent):
        name = self.pick(list(scope.mutable))
        t = scope.mutable[name]
        if t == "bool":
            return self.stmt_assign(scope, depth, pad, indent)
        if t in FLOATS:  # clamped, so not as a compound assignment
            return [f"{pad}{name} = {self.binary(t, scope, 2)}"]
        op = self.pick(INT_COMPOUND)
        if op in ("/=", "%="):
            value = self.divisor(t, scope, 2)
        elif op in ("<<=", ">>="):
            value = self.literal_text("u32", self.int_in(0, bits(t) - 1))
        else:
            value = self.operand(t, scope, 2)
        return [f"{pad}{name} {op} {value}"]

    def stmt_if(self, scope, depth, pad, indent):
        lines = [f"{pad}if {self.expr('bool', scope, 2)}:"] + self.block(scope.child(), depth - 1, indent + 1)
        for _ in range(self.int_in(0, 2)):
            lines += [f"{pad}elif {self.expr('bool', scope, 2)}:"] + self.block(scope.child(), depth - 1, indent + 1)
        if self.chance(50):
            lines += [f"{pad}else:"] + self.block(scope.child(), depth - 1, indent + 1)
        return lines

    def stmt_for(self, scope, depth, pad, indent):
        var = self.fresh("k")
        lo = f"(({self.expr('i32', scope, 1)}) & 3)" if self.chance(50) else self.literal("i32", self.int_in(0, 3))
        hi = f"(({self.expr('i32', scope, 1)}) & 7)" if self.chance(60) else self.literal("i32", self.int_in(0, 7))
        form = self.int_in(0, 3)
        if form == 0:
            head = f"for {var} in range({hi}):"
        elif form == 1:
            head = f"for {var} in range({lo}, {hi}):"
        elif form == 2:
            step = self.pick([1, 2, 3, -1, -2])
            a, b = (lo, hi) if step > 0 else (hi, lo)
            head = f"for {var} in range({a}, {b}, {step}):"
        else:
            head = f"for {var} in {lo}..{hi}:"
        inner = scope.child(in_loop=True)
        inner.vars[var] = "i32"
        return [f"{pad}{head}"] + self.block(inner, depth - 1, indent + 1)

    def stmt_while(self, scope, depth, pad, indent):
        counter = self.fresh("w")
        trips = self.int_in(1, 6)
        cond = f"{counter} < {trips}" + (f" and {self.expr('bool', scope, 2)}" if self.chance(70) else "")
        inner = scope.child(in_loop=True)
        inner.vars[counter] = "i32"
        body = self.block(inner, depth - 1, indent + 1)
        return [f"{pad}var {counter}: i32 = 0", f"{pad}while {cond}:", f"{pad}    {counter} += 1"] + body

    def stmt_break(self, scope, depth, pad, indent):
        return self.guarded(scope, pad, "break")

    def stmt_continue(self, scope, depth, pad, indent):
        return self.guarded(scope, pad, "continue")

    def guarded(self, scope, pad, what: str) -> list[str]:
        if self.chance(80):
            return [f"{pad}if {self.expr('bool', scope, 2)}:", f"{pad}    {what}"]
        return [f"{pad}{what}"]

    def stmt_return(self, scope, depth, pad, indent):
        if scope.is_kernel:
            body = [f"{pad}    {line}" for line in self.flush] + [f"{pad}    return"]
        else:
            body = [f"{pad}    return {self.expr(scope.ret, scope, 2)}"]
        if self.chance(85):
            return [f"{pad}if {self.expr('bool', scope, 2)}:"] + body
        return [line[4:] for line in body]

    def stmt_store(self, scope, depth, pad, indent):
        name = self.pick(list(self.private))
        t, length = self.private[name]
        return [f"{pad}{name}[{self.index(scope, length)}] = {self.expr(t, scope, 2)}"]

    def stmt_sink(self, scope, depth, pad, indent):
        ft = self.pick([x for x in FLOATS if x in self.config.types] or ["f32"])
        slot = self.sinks.get(ft, 0)
        self.sinks[ft] = slot + 1
        name = self.pick(list(SINK_MATH))
        arity, span = SINK_MATH[name]
        args = []
        for _ in range(arity):
            x = self.expr(ft, scope, 2)
            if name in POSITIVE_MATH:
                args.append(f"clamp({x}, {self.literal(ft, 0.5)}, {self.literal(ft, 8.0)})")
            else:
                args.append(f"clamp({x}, {self.literal(ft, -span)}, {self.literal(ft, span)})")
        if name == "smoothstep":  # edges 0 and 1 apart: no division by a tiny width
            args[1] = f"({args[0]} + {self.literal(ft, 1.0)})"
        if name == "atan2":  # x > 0: the sign of a zero y does not matter
            args[1] = f"clamp({self.expr(ft, scope, 2)}, {self.literal(ft, 0.5)}, {self.literal(ft, 8.0)})"
        call = f"math.{name}({', '.join(args)})" if self.chance(30) else f"{name}({', '.join(args)})"
        if name == "pow" and self.chance(50):
            call = f"({args[0]} ** {args[1]})"
        return [f"{pad}sink_{ft}[gid * SINK_{ft.upper()} + {slot}] = {call}"]

    def stmt_atomic(self, scope, depth, pad, indent):
        t = self.pick(ATOMIC_TYPES)
        slots = self.acc_slots.setdefault(t, [])
        if not slots or (len(slots) < 6 and self.chance(40)):
            slots.append(("add",) if t == "f32" else self.pick(ATOMIC_FAMILIES))
        slot = self.int_in(0, len(slots) - 1)
        op = self.pick(slots[slot])
        if t == "f32":  # whole numbers below 16 sum exactly in any order
            return [f"{pad}gpu.atomic_add(&acc_f32[{slot}], f32(({self.expr('i32', scope, 2)}) & 15))"]
        return [f"{pad}gpu.atomic_{op}(&acc_{t}[{slot}], {self.expr(t, scope, 2)})"]

    def stmt_own(self, scope, depth, pad, indent):
        """Exchange or compare-exchange on the item's own slot: the old value is defined."""
        self.uses_own = True
        targets = [n for n, t in scope.mutable.items() if t == "i32"]
        value = self.expr("i32", scope, 2)
        if self.chance(50):
            call = f"gpu.atomic_exchange(&own_i32[gid], {value})"
        else:
            call = f"gpu.atomic_compare_exchange(&own_i32[gid], {self.expr('i32', scope, 2)}, {value})"
        if targets and self.chance(70):
            return [f"{pad}{self.pick(targets)} = {call}"]
        return [f"{pad}{call}"]

    # ----------------------------------------------------------------- items

    def constant_items(self) -> list[str]:
        lines = []
        for _ in range(self.int_in(0, 2)):
            t = self.scalar_type()
            name = self.fresh("C")
            text = self.literal_text(t, self.literal_value(t))
            self.constants[name] = (t, text)
            lines.append(f"const {name}: {t} = {text}")
        return lines

    def helper(self) -> list[str]:
        name = self.fresh("h")
        params = [self.scalar_type() for _ in range(self.int_in(0, 3))]
        ret = self.scalar_type()
        scope = Scope(ret=ret)
        names = [f"a{i}" for i in range(len(params))]
        scope.vars.update(zip(names, params))
        lines = [f"fn {name}({', '.join(f'{n}: {t}' for n, t in zip(names, params))}) -> {ret}:"]
        for _ in range(self.int_in(0, 2)):
            lines.append(self.local_decl(scope, 1))
        lines += self.block(scope, self.config.max_depth - 1, 1)
        lines.append(f"    return {self.expr(ret, scope, 2)}")
        self.helpers.append(Helper(name, params, ret))
        self.callable = list(self.helpers)
        return lines

    def local_decl(self, scope: Scope, indent: int) -> str:
        t = self.scalar_type()
        name = self.fresh("v")
        line = f"{'    ' * indent}var {name}: {t} = {self.expr(t, scope, 2)}"
        scope.vars[name] = t
        scope.mutable[name] = t
        return line

    def kernel(self) -> "KernelParts":
        if self.chance(25):  # 2-D: up to 8 x 8 items a group, 3 x 3 groups
            self.local_xy = (1 << self.int_in(0, 3), 1 << self.int_in(0, 3))
            self.groups_xy = (self.int_in(1, 3), self.int_in(1, 3))
        else:
            self.local_xy, self.groups_xy = (1 << self.int_in(0, 6), 1), (self.int_in(1, 4), 1)
        self.local_size = self.local_xy[0] * self.local_xy[1]
        hinted = self.chance(70)
        scalars = [(f"p{i}", t, self.literal_value(t)) for i, t in
                   enumerate(self.scalar_type() for _ in range(self.int_in(0, 3)))]
        scope = Scope(is_kernel=True, allow_return=False)
        scope.vars.update({"gid": "i32", "lid": "i32"})
        scope.vars.update({name: t for name, t, _ in scalars})
        if self.config.shared:
            for _ in range(self.int_in(0, 2)):
                t = self.scalar_type(numeric=True)
                self.shared[self.fresh("sh")] = (t, self.local_size)
        if self.local_xy[1] > 1 or self.groups_xy[1] > 1:  # work items numbered x fastest
            body = ["val gid = gpu.global_id(1) * gpu.global_size(0) + gpu.global_id(0)",
                    "val lid = gpu.local_id(1) * gpu.local_size(0) + gpu.local_id(0)"]
        else:
            body = ["val gid = gpu.global_id(0)", "val lid = gpu.local_id(0)"]
        body += [self.local_decl(scope, 0) for _ in range(self.int_in(1, self.config.max_locals))]
        for _ in range(self.int_in(0, 2) if self.config.private else 0):
            t, length = self.scalar_type(numeric=True), 1 << self.int_in(1, 3)
            name = self.fresh("pa")
            self.private[name] = (t, length)
            body.append(f"var {name}: [{t}; {length}]")
        self.simd = self.config.simd and self.chance(20)
        self.flush = self.flush_lines(scope)
        body += self.shared_phases(scope)
        self.late = True  # after the last barrier: work items may end anywhere
        body += self.block(scope.child(allow_return=True), self.config.max_depth, 0)
        body += self.flush
        return KernelParts(body, scalars, hinted)

    def shared_phases(self, scope: Scope) -> list[str]:
        """Uniform code: each shared array written (one element per item), a barrier,
        reads of other items' elements, a barrier; a shared atomic likewise."""
        lines = []
        for name, (t, length) in list(self.shared.items()):
            targets = [n for n, vt in scope.mutable.items() if vt == t]
            lines.append(f"{name}[lid] = {self.expr(t, scope, 2)}")
            lines.append(self.barrier())
            self.readable[name] = (t, length)
            if targets:
                lines.append(f"{self.pick(targets)} = {name}[{self.index(scope, length)}]")
            if self.chance(50):
                lines += self.block(scope.child(allow_return=False), 1, 0)
            lines.append(self.barrier())
        if self.config.atomics and self.chance(40):
            lines += self.shared_atomic(scope)
        return lines

    def shared_atomic(self, scope: Scope) -> list[str]:
        t = self.pick(ATOMIC_TYPES)
        n = min(self.local_size, 1 << self.int_in(0, 2))
        family = ("add",) if t == "f32" else self.pick(ATOMIC_FAMILIES)
        name = self.fresh("sa")
        self.shared_atomics[name] = (t, n)
        start = self.literal_text(t, family_start(t, family))
        value = f"f32(({self.expr('i32', scope, 2)}) & 15)" if t == "f32" else self.expr(t, scope, 2)
        lines = [f"if lid < {n}:", f"    {name}[lid] = {start}", self.barrier(),
                 f"gpu.atomic_{self.pick(family)}(&{name}[{self.index(scope, n)}], {value})",
                 self.barrier()]
        self.readable[name] = (t, n)
        targets = [v for v, vt in scope.mutable.items() if vt == t]
        if targets:
            lines.append(f"{self.pick(targets)} = {name}[{self.index(scope, n)}]")
        return lines

    def barrier(self) -> str:
        if self.chance(30):
            self.uses_sync_helper = True
            return "sync_all()"
        return "gpu.barrier()"

    def flush_lines(self, scope: Scope) -> list[str]:
        """Writes of every kernel local to its type's output buffer (bool as u8)."""
        lines = []
        for name, t in scope.mutable.items():
            ot = "u8" if t == "bool" else t
            slot = self.out_slots.get(ot, 0)
            self.out_slots[ot] = slot + 1
            value = f"({name} as u8)" if t == "bool" else name
            lines.append(f"out_{ot}[gid * OUT_{ot.upper()} + {slot}] = {value}")
        for name, (t, length) in self.private.items():
            for j in range(length):
                slot = self.out_slots.get(t, 0)
                self.out_slots[t] = slot + 1
                lines.append(f"out_{t}[gid * OUT_{t.upper()} + {slot}] = {name}[{j}]")
        return lines

    def buffers(self, items: int) -> list[Buffer]:
        buffers = [Buffer(f"in_{t}", t, IN_LEN, "in") for t in NUMERIC if t in self.in_buffers]
        buffers += [Buffer(f"out_{t}", t, items * n, "out") for t, n in sorted(self.out_slots.items())]
        buffers += [Buffer(f"sink_{t}", t, items * n, "sink") for t, n in sorted(self.sinks.items())]
        buffers += [Buffer(f"acc_{t}", t, len(slots), "acc", tuple(f[0] for f in slots))
                    for t, slots in sorted(self.acc_slots.items())]
        if self.uses_own:
            buffers.append(Buffer("own_i32", "i32", items, "own"))
        return buffers

    # ----------------------------------------------------------------- the program

    def program(self) -> Program:
        constants = self.constant_items()
        helpers = []
        for _ in range(self.int_in(0, self.config.max_helpers)):
            helpers += self.helper() + [""]
        parts = self.kernel()
        items = self.local_size * self.groups_xy[0] * self.groups_xy[1]
        buffers = self.buffers(items)
        params = [f"{b.name}: {'&' if b.role == 'in' else ''}[{b.type}]" for b in buffers]
        for name, t, _ in parts.scalars:  # scalars interleaved with buffers
            params.insert(self.int_in(0, len(params)), f"{name}: {t}")
        order = [p.split(":")[0] for p in params]
        scalars = sorted(parts.scalars, key=lambda s: order.index(s[0]))
        buffers.sort(key=lambda b: order.index(b.name))
        lines = constants + [f"const OUT_{t.upper()}: i32 = {n}" for t, n in sorted(self.out_slots.items())]
        lines += [f"const SINK_{t.upper()}: i32 = {n}" for t, n in sorted(self.sinks.items())]
        lines += [""]
        for t in sorted(self.opaque_types):
            lines += [f"fn opq_{t}(x: {t}) -> {t}:", "    return x", ""]
        if self.uses_sync_helper:
            lines += ["fn sync_all():", "    gpu.barrier()", ""]
        lines += helpers
        hint = f"(local_size={self.local_xy})" if self.local_xy[1] > 1 else f"(local_size={self.local_size})"
        if self.simd:
            lines.append(f"@simd{hint}" if parts.hinted else "@simd")
        else:
            lines.append(f"#[gpu{hint}]" if parts.hinted else "#[gpu]")
        lines.append(f"fn kernel({', '.join(params)}):")
        for name, (t, n) in [*self.shared.items(), *self.shared_atomics.items()]:
            lines.append(f"    shared val {name}: [{t}; {n}]")
        lines += [f"    {line}" for line in parts.body]
        global_size = (self.local_xy[0] * self.groups_xy[0], self.local_xy[1] * self.groups_xy[1])
        return Program("\n".join(lines) + "\n", "kernel", global_size, None if parts.hinted else self.local_xy,
                       buffers, scalars, self.int_in(0, 2**32 - 1))


@dataclass
class KernelParts:
    body: list[str]
    scalars: list[tuple[str, str, object]]
    hinted: bool


def family_start(t: str, family: tuple[str, ...]):
    """The value an atomic slot of `family` starts from (its identity)."""
    if t in FLOATS:
        return 0.0
    lo, hi = int_range(t)
    return {"and": -1 if t[0] == "i" else hi, "min": hi, "max": lo}.get(family[0], 0)


class Replay:
    """A `draw` that records values, then plays them back in the same order."""

    def __init__(self, draw: Callable):
        self.draw, self.values, self.replaying, self.position = draw, [], False, 0

    def __call__(self, strategy):
        if not self.replaying:
            value = self.draw(strategy)
            self.values.append(value)
            return value
        value = self.values[self.position]
        self.position += 1
        return value

    def replay(self) -> "Replay":
        self.replaying, self.position = True, 0
        return self


@st.composite
def programs(draw, config: GenConfig = GenConfig()) -> Program:
    """A random program; `.opaque_source` is the same program with opaque literals."""
    recorder = Replay(draw)
    program = SourceGen(recorder, config).program()
    program.opaque_source = SourceGen(recorder.replay(), config, opaque=True).program().source
    return program
