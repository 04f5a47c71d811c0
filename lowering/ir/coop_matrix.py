"""Cooperative matrices in the kernel IR (docs/kernel_ir.md, "Cooperative matrices").

A cooperative matrix is a `rows` x `cols` matrix of `elem` held jointly by the
invocations of one subgroup (SPV_KHR_cooperative_matrix, Subgroup scope); `use` says
which operand of a multiply-add it can be: `a` (rows x k), `b` (k x cols) or `acc`
(the accumulator and result). Every operation on one is a subgroup operation: all
invocations of the subgroup run it together, with equal operands (offsets, strides,
scalars), under control flow that is uniform across the subgroup.

Matrix values live in their own node family (`CoopExpr`, not `Expr`): they are never
operands of the scalar operators, and they are held only by kernel locals of type
`CoopMatrixType`, written with `CoopAssign`. Scalars enter through `CoopFill` and
`CoopScale` operands, loads and stores take element offsets and strides (i32), and
`CoopLength` is an ordinary i32 expression.

- `CoopVar(t, name)`: the value of a matrix local;
- `CoopFill(t, value)`: every element `value` (a scalar of t.elem);
- `CoopLoad(t, base, offset, stride, layout)`: from buffer or shared array `base`
  (element type t.elem); `row_major`: element (i, j) at `offset + i*stride + j`,
  `col_major`: at `offset + j*stride + i`;
- `CoopMulAdd(t, a, b, c)`: `a x b + c` (a: use a, M x K; b: use b, K x N; c and the
  result: use acc, M x N; the products and sums are done at least in the precision of
  the result type, which is t, c's type);
- `CoopBinary(t, op, lhs, rhs)`: element-wise add/sub/mul/div of two matrices of t;
- `CoopScale(t, matrix, scalar)`: every element times `scalar` (a t.elem scalar);
- `CoopConvert(t, value)`: element-wise float conversion to t (same shape and use);
- `CoopAssign(name, value)`: the matrix local `name` = value;
- `CoopStore(value, base, offset, stride, layout)`: into a writable buffer or a
  shared array, the layout as for loads;
- `CoopLength(I32, matrix)`: how many elements of a matrix of type `matrix` each
  invocation holds (rows*cols/subgroup size on the usual devices).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Union

from .nodes import BinaryOp, CoopMatrixType, Expr, Node, Stmt
from .ops import CoopLayout, CoopUse, coerce

__all__ = ["CoopUse", "CoopLayout", "COOP_BINARY_OPS", "CoopMatrixType", "CoopExpr", "CoopVar", "CoopFill",
           "CoopLoad", "CoopMulAdd", "CoopBinary", "CoopScale", "CoopConvert", "CoopAssign", "CoopStore",
           "CoopLength", "CoopNode"]


COOP_BINARY_OPS = (BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV)


@dataclass(eq=False)
class CoopExpr(Node):
    """Base of the matrix-valued expressions."""

    type: CoopMatrixType


@dataclass(eq=False)
class CoopVar(CoopExpr):
    name: str


@dataclass(eq=False)
class CoopFill(CoopExpr):
    value: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value",)


@dataclass(eq=False)
class CoopLoad(CoopExpr):
    base: str
    offset: Expr
    stride: Expr
    layout: Union[CoopLayout, str] = CoopLayout.ROW_MAJOR

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("offset", "stride")

    def __post_init__(self) -> None:
        self.layout = coerce(CoopLayout, self.layout)


@dataclass(eq=False)
class CoopMulAdd(CoopExpr):
    a: CoopExpr
    b: CoopExpr
    c: CoopExpr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("a", "b", "c")


@dataclass(eq=False)
class CoopBinary(CoopExpr):
    op: Union[BinaryOp, str]
    lhs: CoopExpr
    rhs: CoopExpr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("lhs", "rhs")

    def __post_init__(self) -> None:
        self.op = coerce(BinaryOp, self.op)


@dataclass(eq=False)
class CoopScale(CoopExpr):
    matrix: CoopExpr
    scalar: Expr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("matrix", "scalar")


@dataclass(eq=False)
class CoopConvert(CoopExpr):
    value: CoopExpr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value",)


@dataclass(eq=False)
class CoopAssign(Stmt):
    name: str
    value: CoopExpr

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value",)


@dataclass(eq=False)
class CoopStore(Stmt):
    value: CoopExpr
    base: str
    offset: Expr
    stride: Expr
    layout: Union[CoopLayout, str] = CoopLayout.ROW_MAJOR

    CHILD_FIELDS: ClassVar[tuple[str, ...]] = ("value", "offset", "stride")

    def __post_init__(self) -> None:
        self.layout = coerce(CoopLayout, self.layout)


@dataclass(eq=False)
class CoopLength(Expr):
    """i32: the elements of a `matrix` matrix each invocation holds."""

    matrix: CoopMatrixType


CoopNode = Union[CoopExpr, CoopAssign, CoopStore, CoopLength]

