"""The syntax tree of a Simple source file. Every node has a `span`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from .source import Span

# --------------------------------------------------------------------------- types


@dataclass(eq=False, slots=True)
class TypeName:
    """A scalar type name such as `f32` (checked later)."""

    name: str
    span: Span


@dataclass(eq=False, slots=True)
class BufferTypeExpr:
    """`&mut [T]` (writable), `&[T]` (read-only), or a bare spelling (`bare`):
    `[T]`, `[]T`, `Array[T]`, `T[]`, `[T]_gpu`, `GpuArray<T>`, `Buffer<T>`, whose
    mutability depends on the kernel's marker (docs/language.md)."""

    elem: TypeName
    writable: bool
    span: Span
    bare: bool = False


@dataclass(eq=False, slots=True)
class ArrayTypeExpr:
    """`[T; N]`: a fixed-length array."""

    elem: TypeName
    length: "Expr"
    span: Span


@dataclass(eq=False, slots=True)
class VectorTypeExpr:
    """`vec[N, T]`: a vector of N (2, 3 or 4) scalars (checked later)."""

    count: "Expr"
    elem: TypeName
    span: Span


TypeExpr = Union[TypeName, BufferTypeExpr, ArrayTypeExpr, VectorTypeExpr]

# --------------------------------------------------------------------------- expressions


@dataclass(eq=False, slots=True)
class IntLit:
    value: int
    suffix: Optional[str]
    span: Span


@dataclass(eq=False, slots=True)
class FloatLit:
    value: float
    suffix: Optional[str]
    span: Span


@dataclass(eq=False, slots=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(eq=False, slots=True)
class Name:
    id: str
    span: Span


@dataclass(eq=False, slots=True)
class Attribute:
    """`obj.name`, valid only as a callee (`gpu.barrier()`, `a.len()`)."""

    obj: "Expr"
    name: str
    name_span: Span
    span: Span


@dataclass(eq=False, slots=True)
class Call:
    func: "Expr"
    args: list["Expr"]
    span: Span
    type_args: list[TypeExpr] = field(default_factory=list)  # gpu.shared_memory<T>(n)


@dataclass(eq=False, slots=True)
class VecExpr:
    """`vec[a, b, ...]` (two or more items): a vector literal, or, when the items are
    a count and a scalar type name, the type `vec[N, T]` used as a constructor
    (`vec[4, f32](x)`) or for a load (`vec[4, f32].load(buf, i)`)."""

    items: list["Expr"]
    span: Span


@dataclass(eq=False, slots=True)
class Index:
    obj: "Expr"
    index: "Expr"
    span: Span


@dataclass(eq=False, slots=True)
class Unary:
    """op: '-', '+', '~', 'not', '&' (address of an element, for atomics)."""

    op: str
    operand: "Expr"
    span: Span


@dataclass(eq=False, slots=True)
class Binary:
    """op is the source operator: '+', '<<', '==', 'and', '**' ..."""

    op: str
    lhs: "Expr"
    rhs: "Expr"
    span: Span
    op_span: Span


@dataclass(eq=False, slots=True)
class Conditional:
    """`if c: a else: b` and `a if c else b`."""

    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span


@dataclass(eq=False, slots=True)
class StrLit:
    """A string literal: only an attribute argument (`@gpu("vulkan")`)."""

    value: str
    span: Span


@dataclass(eq=False, slots=True)
class ChainCompare:
    """`a <= x < b`: `a <= x and x < b`, each operand evaluated once."""

    operands: list["Expr"]
    ops: list[str]
    op_spans: list[Span]
    span: Span


@dataclass(eq=False, slots=True)
class Cast:
    """`e as T` and `T(e)`."""

    value: "Expr"
    type: TypeName
    span: Span


@dataclass(eq=False, slots=True)
class CoopMatrixTypeExpr:
    """`coop_matrix[T, ROWS, COLS, USE]`: a cooperative matrix type, valid only as the
    receiver of its constructors (`coop_matrix[f16, 16, 16, a].load(...)`)."""

    args: list["Expr"]
    span: Span


Expr = Union[IntLit, FloatLit, BoolLit, Name, Attribute, Call, Index, Unary, Binary, Conditional, Cast,
             ChainCompare, StrLit, VecExpr, CoopMatrixTypeExpr]

# --------------------------------------------------------------------------- statements


@dataclass(eq=False, slots=True)
class Let:
    """A binding: `val/let/var/let mut NAME [: T] [= e]`, `shared val NAME: [T; N]`,
    or the annotated assignment `NAME: T = e` (mutable)."""

    name: str
    name_span: Span
    mutable: bool
    type: Optional[TypeExpr]
    value: Optional[Expr]
    span: Span
    shared: bool = False


@dataclass(eq=False, slots=True)
class Assign:
    """`target = value` (op '=') or a compound assignment (op '+', '<<', ...)."""

    target: Expr
    op: str
    value: Expr
    span: Span


@dataclass(eq=False, slots=True)
class ExprStmt:
    expr: Expr
    span: Span


@dataclass(eq=False, slots=True)
class If:
    """`if`/`elif` branches as (condition, body) pairs, then the `else` body."""

    branches: list[tuple[Expr, list["Stmt"]]]
    otherwise: Optional[list["Stmt"]]
    span: Span


@dataclass(eq=False, slots=True)
class While:
    cond: Expr
    body: list["Stmt"]
    span: Span


@dataclass(eq=False, slots=True)
class RangeIter:
    """What a `for` iterates: `range(...)` args, or `start..end` (exclusive)."""

    start: Optional[Expr]
    end: Expr
    step: Optional[Expr]
    span: Span


@dataclass(eq=False, slots=True)
class ListIter:
    """What `for d in [-1, 0, 1]:` iterates: a list of constants (unrolled)."""

    items: list[Expr]
    span: Span


@dataclass(eq=False, slots=True)
class For:
    var: str
    var_span: Span
    iter: Union[RangeIter, ListIter, Expr]  # an Expr other than range(...) is an error
    body: list["Stmt"]
    span: Span


@dataclass(eq=False, slots=True)
class Break:
    span: Span


@dataclass(eq=False, slots=True)
class Continue:
    span: Span


@dataclass(eq=False, slots=True)
class Pass:
    span: Span


@dataclass(eq=False, slots=True)
class Return:
    value: Optional[Expr]
    span: Span


Stmt = Union[Let, Assign, ExprStmt, If, While, For, Break, Continue, Pass, Return]

# --------------------------------------------------------------------------- items


@dataclass(eq=False, slots=True)
class AttrArg:
    name: Optional[str]  # None for a positional argument (`@gpu("vulkan")`)
    value: Union[Expr, list[Expr]]  # a list for a tuple `(16, 16)`
    span: Span


@dataclass(eq=False, slots=True)
class ItemAttr:
    """`#[gpu(...)]`, `@gpu`, `@simd(...)`; `kernel fn` is the attribute `kernel fn`."""

    name: str
    args: list[AttrArg]
    span: Span


@dataclass(eq=False, slots=True)
class Param:
    name: str
    type: TypeExpr
    span: Span
    mutable: bool = False  # `mut NAME: [T]`


@dataclass(eq=False, slots=True)
class FnDef:
    name: str
    name_span: Span
    params: list[Param]
    ret: Optional[TypeExpr]
    body: list[Stmt]
    attrs: list[ItemAttr]
    span: Span


@dataclass(eq=False, slots=True)
class ConstDef:
    name: str
    name_span: Span
    type: Optional[TypeExpr]
    value: Expr
    span: Span


Item = Union[FnDef, ConstDef]


@dataclass(eq=False, slots=True)
class SkippedItem:
    """Host code skipped by its indentation block: `kind` is the leading keyword
    (`struct`, `use`, `fn`, `statement` ...), `names` what it defines or imports."""

    kind: str
    names: list[str]
    span: Span
    reason: str


@dataclass(eq=False, slots=True)
class SourceModule:
    items: list[Item]
    skipped: list[SkippedItem] = field(default_factory=list)
    host: bool = False  # the file holds host code: only what kernels reach is compiled
