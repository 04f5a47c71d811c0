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
    """`[T]`, `[]T`, `Array[T]`, `&mut [T]` (writable) or `&[T]` (read-only)."""

    elem: TypeName
    writable: bool
    span: Span


@dataclass(eq=False, slots=True)
class ArrayTypeExpr:
    """`[T; N]`: a fixed-length array."""

    elem: TypeName
    length: "Expr"
    span: Span


TypeExpr = Union[TypeName, BufferTypeExpr, ArrayTypeExpr]

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
class Cast:
    """`e as T` and `T(e)`."""

    value: "Expr"
    type: TypeName
    span: Span


Expr = Union[IntLit, FloatLit, BoolLit, Name, Attribute, Call, Index, Unary, Binary, Conditional, Cast]

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
class For:
    var: str
    var_span: Span
    iter: Union[RangeIter, Expr]  # an Expr other than range(...) is an error
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
    name: str
    value: Union[Expr, list[Expr]]  # a list for a tuple `(16, 16)`
    span: Span


@dataclass(eq=False, slots=True)
class ItemAttr:
    """`#[gpu(...)]`, `@gpu`, `@simd(...)`."""

    name: str
    args: list[AttrArg]
    span: Span


@dataclass(eq=False, slots=True)
class Param:
    name: str
    type: TypeExpr
    span: Span


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
class SourceModule:
    items: list[Item]
