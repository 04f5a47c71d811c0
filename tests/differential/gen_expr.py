"""Expression generation of the random Simple kernel generator: `ExprGen` holds
the generator's state and draws literals, typed expressions, buffer reads and
masked indexes (see simple_gen.py for the rules that keep every result defined)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from hypothesis import strategies as st

from gen_values import FLOAT_BOUND, FLOATS, IN_LEN, INTS, NARROWER, NUMERIC, GenConfig, bits, int_range


@dataclass
class Scope:
    vars: dict[str, str] = field(default_factory=dict)  # readable scalars: name -> type
    mutable: dict[str, str] = field(default_factory=dict)
    in_loop: bool = False
    is_kernel: bool = False
    ret: Optional[str] = None
    allow_return: bool = True
    # every lane still running runs here (not in a branch, loop or conditional
    # operand): where subgroup operations go, since Vulkan leaves which lanes take
    # part together in divergent code to the device (without maximal reconvergence)
    uniform: bool = True

    def child(self, **changes) -> "Scope":
        s = Scope(dict(self.vars), dict(self.mutable), self.in_loop, self.is_kernel, self.ret, self.allow_return,
                  self.uniform)
        for k, v in changes.items():
            setattr(s, k, v)
        return s


@dataclass
class Helper:
    name: str
    params: list[str]  # types
    ret: str


class ExprGen:
    """The state of one draw, literals and expressions; `opaque` passes literals
    through identity helpers. `StmtGen` and `SourceGen` build on it."""

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
        # Vulkan leaves how a work-group's items form subgroups to the device (lavapipe
        # makes each row of a (1, 2) group its own subgroup; the software backend packs
        # items by linear id): subgroup operations only in 1-D work-groups
        self.linear_groups = True
        self.local_size = 1  # work items per group
        self.local_xy, self.groups_xy = (1, 1), (1, 1)
        self.uses_sync_helper = False
        self.in_index = False  # buffer reads inside an index would nest without end
        self.private: dict[str, tuple[str, int]] = {}  # the kernel's private arrays
        self.simd = False  # an @simd kernel: buffer indexes are checked
        self.late = False  # generating the code after the last barrier
        self.uses_own = False
        self.vector_widths: dict[str, int] = {}  # input type -> elements per vector load

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
        if scope.is_kernel and scope.uniform and self.linear_groups and t in ("i32", "u32", "bool") \
                and not self.in_index:
            makers.append(self.subgroup)
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
        return f"({self.expr('bool', scope, depth)} {op} {self.expr('bool', scope.child(uniform=False), depth)})"

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
        branch = scope.child(uniform=False)  # only the chosen side runs
        c, a, b = self.expr("bool", scope, depth), self.expr(t, branch, depth), self.expr(t, branch, depth)
        if self.chance(50):
            return f"({a} if {c} else {b})"
        return f"(if {c}: {a} else: {b})"

    def call(self, t: str, scope: Scope, depth: int) -> str:
        options = [h for h in self.callable if h.ret == t]
        if not options:
            return self.leaf(t, scope)
        h = self.pick(options)
        return f"{h.name}({', '.join(self.expr(p, scope, depth) for p in h.params)})"

    def subgroup(self, t: str, scope: Scope, depth: int) -> str:
        """A subgroup operation over the active lanes (no reads of other lanes, which
        may be inactive: that is undefined). Integers only, so every order agrees."""
        if t == "bool":
            return f"gpu.{self.pick(['subgroup_any', 'subgroup_all'])}({self.expr('bool', scope, depth)})"
        op = self.pick(["add", "min", "max", "and", "or", "xor"])
        form = self.pick(["", "inclusive_", "exclusive_"])
        if self.chance(15):
            return f"gpu.subgroup_broadcast_first({self.expr(t, scope, depth)})"
        if self.chance(10):
            return f"(gpu.subgroup_ballot({self.expr('bool', scope, depth)}) as {t})"
        return f"gpu.subgroup_{form}{op}({self.expr(t, scope, depth)})"

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
