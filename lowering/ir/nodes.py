"""The kernel IR: typed, structured, independent of SPIR-V and Vulkan.

A `Module` holds kernels, helper functions and constants. A function body is a
`Block` of statements; control flow is structured (`If`, `Loop` with `Break` and
`Continue`, `Return`). Values are typed expressions; locals are explicit mutable
slots declared on the function (`Function.locals`) and written with `Assign`.

Names are unique within a function: locals, parameters, shared arrays and module
constants never shadow each other (a front end renames shadowed bindings). An
expression refers to a local, a scalar parameter or a module constant with `Var`,
and to a buffer, shared array or private array by name in `Index`, `Len` and
`Atomic`.

Semantics every backend implements:
- integers wrap around (two's complement); `div`/`rem` truncate toward zero
  (`rem` takes the sign of the dividend, as in Rust); shifts use the low bits of
  the shift amount (amount modulo the bit width) and `shr` is arithmetic on signed
  types, logical on unsigned ones;
- `and`/`or` (`Logical`) and `Select` evaluate only the operand they need;
- locals and private arrays start zeroed;
- an `Index` with `checked=True` (from `@simd` kernels) ends the work item (as
  `Return`) when its index is outside `0..len`, before touching memory;
- `Return` in a kernel ends that work item.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional, Union

from .ops import (ArraySpace, AtomicOp, BinaryOp, BuiltinName, CoopUse, LogicalOp, ScalarKind, UnaryOp,
                  coerce)

# --------------------------------------------------------------------------- traversal protocol


@dataclass(eq=False)
class Node:
    """Base of every IR node. `CHILD_FIELDS` names, in evaluation order, the fields
    that hold child nodes (a node, a list of nodes, or None); `children()` and the
    Visitor/Transformer of visitor.py rely on it and on nothing else."""

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ()
    CHILD_FIELDS_REVERSED: ClassVar[tuple[str, ...]] = ()  # derived, for walks

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.CHILD_FIELDS_REVERSED = tuple(reversed(cls.CHILD_FIELDS))

    def children(self) -> list["Node"]:
        """The direct child nodes, in evaluation order (lists flattened, None skipped)."""
        out: list[Node] = []
        for name in self.CHILD_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if type(value) is list:
                out.extend(value)
            else:
                out.append(value)
        return out

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class ScalarType:
    """A scalar: kind is 'bool', 'int' (signed), 'uint' or 'float'."""

    kind: ScalarKind | str
    bits: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", coerce(ScalarKind, self.kind))

    @property
    def name(self) -> str:
        if self.kind == "bool":
            return "bool"
        return {"int": "i", "uint": "u", "float": "f"}[self.kind] + str(self.bits)

    @property
    def is_int(self) -> bool:
        return self.kind in ("int", "uint")

    @property
    def is_signed(self) -> bool:
        return self.kind == "int"

    @property
    def is_float(self) -> bool:
        return self.kind == "float"

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def size(self) -> int:
        """Size in bytes as stored in buffers and push constants (bool: 4)."""
        return 4 if self.kind == "bool" else self.bits // 8

    def __str__(self) -> str:
        return self.name


BOOL = ScalarType("bool", 1)
I8, I16, I32, I64 = (ScalarType("int", b) for b in (8, 16, 32, 64))
U8, U16, U32, U64 = (ScalarType("uint", b) for b in (8, 16, 32, 64))
F16, F32, F64 = (ScalarType("float", b) for b in (16, 32, 64))

SCALAR_TYPES: dict[str, ScalarType] = {
    t.name: t for t in (BOOL, I8, I16, I32, I64, U8, U16, U32, U64, F16, F32, F64)
}


def scalar(name: str) -> ScalarType:
    """The scalar type called `name` ('i32', 'f16', 'bool', ...)."""
    return SCALAR_TYPES[name]


@dataclass(frozen=True)
class BufferType:
    """A storage buffer of `elem` (a numeric scalar). `writable=False` is `&[T]`."""

    elem: ScalarType
    writable: bool = True

    def __str__(self) -> str:
        return f"{'buf' if self.writable else 'rbuf'}<{self.elem}>"


@dataclass(frozen=True)
class ArrayType:
    """A fixed-length array in workgroup ('shared') or function ('private') memory."""

    elem: ScalarType
    length: int
    space: ArraySpace | str

    def __post_init__(self) -> None:
        object.__setattr__(self, "space", coerce(ArraySpace, self.space))

    def __str__(self) -> str:
        return f"[{self.elem}; {self.length}]"


@dataclass(frozen=True)
class CoopMatrixType:
    """A cooperative matrix of `elem` (a numeric scalar), `rows` x `cols`, for `use`
    (the type of matrix locals; the nodes are in coop_matrix.py)."""

    elem: ScalarType
    rows: int
    cols: int
    use: Union[CoopUse, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "use", coerce(CoopUse, self.use))

    @property
    def count(self) -> int:
        return self.rows * self.cols

    def __str__(self) -> str:
        return f"coop<{self.elem}, {self.rows}, {self.cols}, {self.use}>"


Type = Union[ScalarType, BufferType, ArrayType]

# --------------------------------------------------------------------------- expressions


@dataclass(eq=False)
class Expr(Node):
    """Base of all expressions; `type` is None only for calls that return nothing."""

    type: Optional[ScalarType]


@dataclass(eq=False)
class Const(Expr):
    """A literal of a scalar type: Python bool, int or float."""

    value: Union[bool, int, float]


@dataclass(eq=False)
class Var(Expr):
    """The value of a local, a scalar parameter or a module constant."""

    name: str


@dataclass(eq=False)
class Index(Expr):
    """Element `index` of the buffer, shared array or private array `base`."""

    base: str
    index: Expr
    checked: bool = False

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("index",)


@dataclass(eq=False)
class Len(Expr):
    """Element count of a buffer or array, as i32."""

    base: str


UNARY_OPS = tuple(UnaryOp)
ARITH_OPS = (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.REM, BinaryOp.POW)
BIT_OPS = (BinaryOp.BITAND, BinaryOp.BITOR, BinaryOp.BITXOR, BinaryOp.SHL, BinaryOp.SHR)
COMPARE_OPS = (BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE)
BINARY_OPS = ARITH_OPS + BIT_OPS + COMPARE_OPS


@dataclass(eq=False)
class Unary(Expr):
    """`neg` (numeric), `not` (bool), `bitnot` (integer); result has operand's type."""

    op: UnaryOp | str
    operand: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("operand",)

    def __post_init__(self) -> None:
        self.op = coerce(UnaryOp, self.op)


@dataclass(eq=False)
class Binary(Expr):
    """Both operands have one type. Comparisons give bool; others the operand type.

    `pow` is defined for floats and integers (integer exponent >= 0; a negative
    integer exponent gives 0, except for bases 1 and -1 as in exact arithmetic).
    """

    op: BinaryOp | str
    lhs: Expr
    rhs: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("lhs", "rhs")

    def __post_init__(self) -> None:
        self.op = coerce(BinaryOp, self.op)


@dataclass(eq=False)
class Logical(Expr):
    """Short-circuit `and` / `or` of two bools."""

    op: LogicalOp | str
    lhs: Expr
    rhs: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("lhs", "rhs")

    def __post_init__(self) -> None:
        self.op = coerce(LogicalOp, self.op)


@dataclass(eq=False)
class Select(Expr):
    """`then if cond else otherwise`, evaluating only the chosen operand."""

    cond: Expr
    then: Expr
    otherwise: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("cond", "then", "otherwise")


@dataclass(eq=False)
class Cast(Expr):
    """Conversion to `type`: int<->int wraps/extends, float->int truncates toward
    zero (saturating is not promised; NaN and out-of-range are undefined),
    int/float->bool is `!= 0`, bool->number is 0 or 1."""

    value: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value",)


@dataclass(eq=False)
class Call(Expr):
    """A call of the helper function `func`."""

    func: str
    args: list[Expr]

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("args",)


_BUILTINS = tuple(BuiltinName)
ID_BUILTINS = _BUILTINS[:_BUILTINS.index(BuiltinName.SQRT)]
MATH_BUILTINS = _BUILTINS[len(ID_BUILTINS):_BUILTINS.index(BuiltinName.BARRIER)]
SYNC_BUILTINS = (BuiltinName.BARRIER, BuiltinName.MEM_FENCE)
SUBGROUP_BUILTINS = _BUILTINS[_BUILTINS.index(BuiltinName.SUBGROUP_SIZE):]
# Subgroup builtins by kind. A scan or reduction name is `subgroup_[inclusive_|exclusive_]OP`.
SUBGROUP_VALUES = SUBGROUP_BUILTINS[:4]
SUBGROUP_OPS = ("add", "mul", "min", "max", "and", "or", "xor")
SUBGROUP_BITWISE_OPS = ("and", "or", "xor")
SUBGROUP_ARITHMETIC = SUBGROUP_BUILTINS[4:4 + 3 * len(SUBGROUP_OPS)]
SUBGROUP_MOVES = tuple(n for n in SUBGROUP_BUILTINS if "broadcast" in n or "shuffle" in n)
SUBGROUP_VOTES = (BuiltinName.SUBGROUP_BALLOT, BuiltinName.SUBGROUP_ANY, BuiltinName.SUBGROUP_ALL,
                  BuiltinName.SUBGROUP_ELECT)
# The Vulkan subgroup operation class each needs (VK_SUBGROUP_FEATURE_<CLASS>_BIT).
SUBGROUP_CLASS: dict[str, str] = {
    **{n: "basic" for n in (*SUBGROUP_VALUES, BuiltinName.SUBGROUP_ELECT, BuiltinName.SUBGROUP_BARRIER)},
    **{n: "arithmetic" for n in SUBGROUP_ARITHMETIC},
    BuiltinName.SUBGROUP_BROADCAST: "ballot", BuiltinName.SUBGROUP_BROADCAST_FIRST: "ballot",
    BuiltinName.SUBGROUP_BALLOT: "ballot",
    BuiltinName.SUBGROUP_SHUFFLE: "shuffle", BuiltinName.SUBGROUP_SHUFFLE_XOR: "shuffle",
    BuiltinName.SUBGROUP_SHUFFLE_UP: "shuffle_relative", BuiltinName.SUBGROUP_SHUFFLE_DOWN: "shuffle_relative",
    BuiltinName.SUBGROUP_ANY: "vote", BuiltinName.SUBGROUP_ALL: "vote",
}


def subgroup_arithmetic(name: str) -> tuple[str, str]:
    """('reduce' | 'inclusive' | 'exclusive', op) of a SUBGROUP_ARITHMETIC name."""
    rest = name.removeprefix("subgroup_")
    for scan in ("inclusive", "exclusive"):
        if rest.startswith(scan + "_"):
            return scan, rest[len(scan) + 1:]
    return "reduce", rest


@dataclass(eq=False)
class Builtin(Expr):
    """A GPU builtin.

    - ids (`ID_BUILTINS`): `dim` in 0..2, no args, type i32;
    - math (`MATH_BUILTINS`): args of one scalar type; float-only except `abs`,
      `sign`, `min`, `max`, `clamp` which also take integers; `isnan`/`isinf`
      return bool, the others the argument type; `round` rounds half away from zero;
    - `barrier` (workgroup execution + memory barrier) and `mem_fence` (memory
      barrier only): no args, type None;
    - subgroups (`SUBGROUP_BUILTINS`, docs/kernel_ir.md "Subgroups"): values
      `subgroup_size`, `subgroup_local_id`, `subgroup_id`, `num_subgroups` (i32);
      `subgroup_[inclusive_|exclusive_]{add,mul,min,max,and,or,xor}(x)` over the
      active lanes (x numeric; and/or/xor integers), type of x;
      `subgroup_broadcast(x, lane)`, `subgroup_shuffle(x, lane)`,
      `subgroup_shuffle_xor(x, mask)`, `subgroup_shuffle_up/down(x, delta)` (the
      second argument i32), `subgroup_broadcast_first(x)`: type of x;
      `subgroup_ballot(c)` u64, `subgroup_any(c)`, `subgroup_all(c)` bool (c bool),
      `subgroup_elect()` bool; `subgroup_barrier()` type None.
    """

    name: BuiltinName | str
    args: list[Expr] = field(default_factory=list)
    dim: int = 0

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("args",)

    def __post_init__(self) -> None:
        self.name = coerce(BuiltinName, self.name)


ATOMIC_OPS = tuple(AtomicOp)


@dataclass(eq=False)
class Atomic(Expr):
    """Atomic read-modify-write of `base[index]` (buffer or shared array), returning
    the old value. `args` is `[value]`, or `[expected, desired]` for
    `compare_exchange`. Integer types of 32 bits; `add` also on f32."""

    op: AtomicOp | str
    base: str
    index: Expr
    args: list[Expr]

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("index", "args")

    def __post_init__(self) -> None:
        self.op = coerce(AtomicOp, self.op)


# --------------------------------------------------------------------------- statements


@dataclass(eq=False)
class Stmt(Node):
    """Base of all statements."""


@dataclass(eq=False)
class Block(Node):
    stmts: list[Stmt] = field(default_factory=list)

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("stmts",)


@dataclass(eq=False)
class Assign(Stmt):
    """`target = value`; target is a `Var` naming a local, or an `Index`."""

    target: Union[Var, Index]
    value: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("target", "value")


@dataclass(eq=False)
class ExprStmt(Stmt):
    """An expression evaluated for its effect (a call, a builtin, an atomic)."""

    expr: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("expr",)


@dataclass(eq=False)
class If(Stmt):
    cond: Expr
    then: Block
    otherwise: Block = field(default_factory=Block)

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("cond", "then", "otherwise")


@dataclass(eq=False)
class Loop(Stmt):
    """`while cond: body; step` — `cond` is evaluated before each iteration (None:
    always true); `Continue` jumps to `step`, `Break` leaves the loop. A `for`
    loop puts its increment in `step`."""

    cond: Optional[Expr]
    body: Block
    step: Block = field(default_factory=Block)

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("cond", "body", "step")


@dataclass(eq=False)
class Break(Stmt):
    pass


@dataclass(eq=False)
class Continue(Stmt):
    pass


@dataclass(eq=False)
class Return(Stmt):
    value: Optional[Expr] = None

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value",)


# --------------------------------------------------------------------------- items


@dataclass(eq=False)
class Param(Node):
    """A function parameter: a scalar (by value) or, for kernels only, a buffer."""

    name: str
    type: Union[ScalarType, BufferType]


@dataclass(eq=False)
class Local(Node):
    """A mutable slot: a scalar, a private array (type ArrayType, space 'private'),
    or, in kernels, a cooperative matrix (coop_matrix.py)."""

    name: str
    type: Union[ScalarType, ArrayType, CoopMatrixType]


@dataclass(eq=False)
class SharedArray(Node):
    """A workgroup-shared array of a kernel."""

    name: str
    type: ArrayType


@dataclass(eq=False)
class Function(Node):
    """A helper function: scalar parameters, an optional scalar result."""

    name: str
    params: list[Param]
    ret: Optional[ScalarType]
    body: Block
    locals: list[Local] = field(default_factory=list)

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("body",)


TRAP_PARAM = "__trap"  # the hidden u32 buffer of a kernel with trap sites
TRAP_WORDS = 4  # its length: site + 1, index low and high words, length


@dataclass(frozen=True)
class TrapSite:
    """A bounds-trap site of a kernel (metadata): the buffer or array indexed, the
    source location `FILE:LINE:COL`, and whether the index type is signed. Site
    `n` records `n + 1` in word 0 of the kernel's `TRAP_PARAM` buffer."""

    buffer: str
    location: str
    signed: bool = True


@dataclass(eq=False)
class Kernel(Node):
    """A GPU kernel: buffer and scalar parameters, no result.

    `local_size` is the hint (x, y, z) or None; `dims` (1..3) is the
    dimensionality of the launch grid the kernel expects; `simd` marks `@simd`
    kernels (their buffer indexes are `checked`); `exact` asks for float
    arithmetic exactly as written (no contraction into fused multiply-adds, no
    reassociation: docs/spirv_lowering.md, "Float arithmetic")."""

    name: str
    params: list[Param]
    body: Block
    locals: list[Local] = field(default_factory=list)
    shared: list[SharedArray] = field(default_factory=list)
    local_size: Optional[tuple[int, int, int]] = None
    dims: int = 1
    simd: bool = False
    target: Optional[str] = None  # the source's target tag (`@gpu("cuda")`: "cuda"); metadata only
    grid_size: Optional[tuple[int, int, int]] = None  # the default global size (`@simd(grid_size=...)`)
    exact: bool = False
    traps: list[TrapSite] = field(default_factory=list)  # bounds-trap sites; then TRAP_PARAM is a param

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("body",)


@dataclass(eq=False)
class Constant(Node):
    name: str
    type: ScalarType
    value: Union[bool, int, float]


@dataclass(eq=False)
class Module(Node):
    kernels: list[Kernel] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    constants: list[Constant] = field(default_factory=list)
    name: str = "module"

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("constants", "functions", "kernels")

    def kernel(self, name: str) -> Kernel:
        for k in self.kernels:
            if k.name == name:
                return k
        raise KeyError(name)

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)

    def constant(self, name: str) -> Constant:
        for c in self.constants:
            if c.name == name:
                return c
        raise KeyError(name)
