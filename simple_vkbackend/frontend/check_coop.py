"""Checking cooperative matrices (docs/language.md, "Cooperative matrices").

    val acc = coop_matrix[f32, 16, 16, acc].fill(0.0)
    val a = coop_matrix[f16, 16, 16, a].load(x, offset, stride)        # row-major
    val b = coop_matrix[f16, 16, 16, b].load_col_major(y, offset, stride)
    acc = gpu.coop_mul_add(a, b, acc)                                     # a x b + acc
    acc = acc * 0.5 + acc                                                 # element-wise, scaling
    acc.convert(f16).store(out, offset, stride)                           # or .store_col_major
    val per_lane = acc.length()                                           # i32

A matrix expression appears only where a matrix goes: the value of a `val`/`var`
declaration, the value assigned to a matrix variable, the receiver of `.store`,
`.convert` and `.length`, and the operands of matrix operators and of
`gpu.coop_mul_add`. `is_matrix` recognizes one from its form (and the names bound to
matrices), so the statement checker can hand it here instead of to the scalar
expression checker.
"""
from __future__ import annotations

from typing import Optional, Protocol

from ..lowering import ir
from . import ast
from .check_values import Value, source_text
from .scope import ERROR, MATRIX, SHARED, BUFFER, Binding
from .source import Span
from .types import scalar_type

CONSTRUCTORS = {"fill": None, "load": "row_major", "load_col_major": "col_major"}
STORES = {"store": "row_major", "store_col_major": "col_major"}
MATRIX_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}
USES = ("a", "b", "acc")
MUL_ADD = "coop_mul_add"
_SPELLING = "coop_matrix[T, ROWS, COLS, USE]"


class _Exprs(Protocol):
    """What a CoopChecker uses of the expression checker that owns it."""

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None: ...

    def lookup(self, name: str) -> Optional[Binding]: ...

    def expr(self, node: ast.Expr, hint: Optional[ir.ScalarType] = None) -> Value: ...

    def expect_type(self, node: ast.Expr, t: ir.ScalarType, context: str = "") -> Optional[ir.Expr]: ...

    def indexable(self, node: ast.Expr) -> Optional[Binding]: ...

    def readonly_error(self, name: str, b: Binding, span: Span) -> None: ...

    def constant_int(self, node: ast.Expr, what: str) -> Optional[int]: ...


class CoopChecker:
    """Matrix expressions and statements of one kernel, for its statement checker."""

    def __init__(self, exprs: _Exprs, in_kernel: bool = True):
        self.exprs, self.in_kernel = exprs, in_kernel

    def error(self, message: str, span, hint: Optional[str] = None) -> None:
        self.exprs.error(message, span, hint)

    # ------------------------------------------------------------------ recognizing

    def is_matrix(self, node: object) -> bool:
        """Whether `node` is a matrix expression (by its form)."""
        if isinstance(node, ast.Name):
            b = self.exprs.lookup(node.id)
            return b is not None and b.kind == MATRIX
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if isinstance(f.obj, ast.CoopMatrixTypeExpr):
                return f.name in CONSTRUCTORS
            if isinstance(f.obj, ast.Name) and f.obj.id == "gpu":
                return f.name == MUL_ADD
            return f.name == "convert" and self.is_matrix(f.obj)
        if isinstance(node, ast.Binary) and node.op in MATRIX_OPS:
            return self.is_matrix(node.lhs) or self.is_matrix(node.rhs)
        return False

    def is_store(self, node: ast.Expr) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.name in STORES and self.is_matrix(node.func.obj))

    def is_length(self, node: ast.Call) -> bool:
        f = node.func
        return isinstance(f, ast.Attribute) and f.name == "length" and (
            isinstance(f.obj, ast.CoopMatrixTypeExpr) or self.is_matrix(f.obj))

    # ------------------------------------------------------------------ types

    def matrix_type(self, node: ast.CoopMatrixTypeExpr) -> Optional[ir.CoopMatrixType]:
        if len(node.args) != 4:
            self.error(f"a cooperative matrix type is `{_SPELLING}`, with 4 arguments, got {len(node.args)}",
                       node.span, "e.g. `coop_matrix[f16, 16, 16, a]`; USE is a, b or acc")
            return None
        elem_node, rows_node, cols_node, use_node = node.args
        elem = scalar_type(elem_node.id) if isinstance(elem_node, ast.Name) else None
        if elem is None or elem.is_bool:
            self.error(f"the element type of a cooperative matrix must be a number type, not "
                       f"`{source_text(elem_node)}`", elem_node.span, "e.g. `f16`, `f32`, `i8`, `i32`")
            return None
        rows = self.exprs.constant_int(rows_node, "the rows of a cooperative matrix")
        cols = self.exprs.constant_int(cols_node, "the columns of a cooperative matrix")
        if rows is None or cols is None:
            return None
        for value, n in ((rows, rows_node), (cols, cols_node)):
            if not 1 <= value <= 256:
                self.error(f"a cooperative matrix has 1 to 256 rows and columns, not {value}", n.span)
                return None
        if not (isinstance(use_node, ast.Name) and use_node.id in USES):
            self.error(f"the use of a cooperative matrix is `a`, `b` or `acc`, not `{source_text(use_node)}`",
                       use_node.span, "a: left operand of gpu.coop_mul_add, b: right operand, acc: accumulator")
            return None
        return ir.CoopMatrixType(elem, rows, cols, use_node.id)

    # ------------------------------------------------------------------ expressions

    def matrix(self, node: ast.Expr) -> Optional[ir.CoopExpr]:
        """The IR of a matrix expression (`is_matrix(node)` holds); None after an error."""
        if not self.in_kernel:
            self.error("cooperative matrices are only allowed in kernels", node.span)
            return None
        if isinstance(node, ast.Name):
            b = self.exprs.lookup(node.id)
            assert b is not None and isinstance(b.type, ir.CoopMatrixType)  # (is_matrix)
            return ir.CoopVar(b.type, b.ir_name)
        if isinstance(node, ast.Binary):
            return self.binary(node)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)  # (is_matrix)
        f = node.func
        if isinstance(f.obj, ast.CoopMatrixTypeExpr):
            t = self.matrix_type(f.obj)
            return None if t is None else self.construct(t, f.name, node)
        if f.name == MUL_ADD:
            return self.mul_add(node)
        return self.convert(f.obj, node)

    def operand(self, node: ast.Expr, what: str) -> Optional[ir.CoopExpr]:
        if self.is_matrix(node):
            return self.matrix(node)
        self.exprs.expr(node, None)
        self.error(f"{what} must be a cooperative matrix", node.span)
        return None

    def construct(self, t: ir.CoopMatrixType, name: str, node: ast.Call) -> Optional[ir.CoopExpr]:
        if name == "fill":
            if len(node.args) != 1:
                self.error(f"`.fill` takes 1 argument (the value), got {len(node.args)}", node.span)
                return None
            value = self.exprs.expect_type(node.args[0], t.elem, " as the fill value")
            return None if value is None else ir.CoopFill(t, value)
        layout = CONSTRUCTORS[name] or "row_major"
        where = self.memory(node, t, f".{name}", layout, write=False)
        if where is None:
            return None
        base, offset, stride = where
        return ir.CoopLoad(t, base, offset, stride, layout)

    def memory(self, node: ast.Call, t: ir.CoopMatrixType, spelling: str, layout: str,
               write: bool) -> Optional[tuple[str, ir.Expr, ir.Expr]]:
        """(buffer or shared array, offset, stride) of a load or store `(BUF, OFFSET, STRIDE)`;
        constant ones must be aligned as Vulkan asks (in bytes, multiples of the lesser of
        16 and a row's size, a column's for `layout` col_major)."""
        if len(node.args) != 3:
            self.error(f"`{spelling}` takes 3 arguments (buffer or shared array, element offset, row stride), "
                       f"got {len(node.args)}", node.span)
            return None
        buf_node, offset_node, stride_node = node.args
        b = self.exprs.indexable(buf_node)
        offset = self.exprs.expect_type(offset_node, ir.I32, " as the element offset")
        stride = self.exprs.expect_type(stride_node, ir.I32, " as the stride")
        if b is None or offset is None or stride is None:
            return None
        name = source_text(buf_node)
        if b.kind not in (BUFFER, SHARED):
            self.error(f"a cooperative matrix loads from and stores to a buffer or a shared array; `{name}` "
                       f"is a {b.kind}", buf_node.span)
            return None
        if b.elem != t.elem:
            self.error(f"`{name}` holds `{b.elem}`, the matrix `{t.elem}`", buf_node.span,
                       f"a `{_show(t)}` needs a buffer or shared array of `{t.elem}`")
            return None
        if write and not b.writable:
            self.exprs.readonly_error(name, b, buf_node.span)
            return None
        align = min(16, (t.cols if layout == "row_major" else t.rows) * t.elem.size)
        for what, value, arg in (("offset", offset, offset_node), ("stride", stride, stride_node)):
            if isinstance(value, ir.Const) and (int(value.value) * t.elem.size) % align:
                self.error(f"the {what} {value.value} ({int(value.value) * t.elem.size} bytes) is not a multiple "
                           f"of {align} bytes, as Vulkan asks of a cooperative matrix load or store", arg.span,
                           f"a {'row' if layout == 'row_major' else 'column'} of `{_show(t)}` is "
                           f"{(t.cols if layout == 'row_major' else t.rows) * t.elem.size} bytes; "
                           "offsets and strides are multiples of 16 bytes or of that size")
                return None
        return b.ir_name, offset, stride

    def mul_add(self, node: ast.Call) -> Optional[ir.CoopExpr]:
        if len(node.args) != 3:
            self.error(f"`gpu.{MUL_ADD}` takes 3 arguments (a, b, c: a x b + c), got {len(node.args)}", node.span)
            return None
        parts = [self.operand(arg, f"argument {i} of `gpu.{MUL_ADD}`") for i, arg in enumerate(node.args, 1)]
        if any(p is None for p in parts):
            return None
        a, b, c = (p for p in parts if p is not None)
        for m, use, arg in zip((a, b, c), USES, node.args):
            if m.type.use != use:
                self.error(f"argument `{source_text(arg)}` of `gpu.{MUL_ADD}(a, b, c)` must be a matrix of use "
                           f"`{use}`, "
                           f"it is a `{_show(m.type)}`", arg.span)
                return None
        at, bt, ct = a.type, b.type, c.type
        if at.cols != bt.rows or (at.rows, bt.cols) != (ct.rows, ct.cols):
            self.error(f"shapes do not fit: a {at.rows}x{at.cols} times b {bt.rows}x{bt.cols} plus "
                       f"c {ct.rows}x{ct.cols}", node.span, "a is MxK, b KxN, c MxN")
            return None
        if at.elem != bt.elem:
            self.error(f"a and b differ in element type (`{at.elem}` vs `{bt.elem}`)", node.span)
            return None
        return ir.CoopMulAdd(ct, a, b, c)

    def binary(self, node: ast.Binary) -> Optional[ir.CoopExpr]:
        op = MATRIX_OPS[node.op]
        left, right = self.is_matrix(node.lhs), self.is_matrix(node.rhs)
        if left and right:
            lhs, rhs = self.matrix(node.lhs), self.matrix(node.rhs)
            if lhs is None or rhs is None:
                return None
            if lhs.type != rhs.type:
                self.error(f"`{node.op}` on matrices of different types (`{_show(lhs.type)}` and "
                           f"`{_show(rhs.type)}`)", node.op_span)
                return None
            return ir.CoopBinary(lhs.type, op, lhs, rhs)
        if op != "mul":
            scalar = node.rhs if left else node.lhs
            self.exprs.expr(scalar, None)
            self.error(f"`{node.op}` between a matrix and a scalar; a matrix is scaled with `*`, and added "
                       f"to a matrix", node.op_span, "write `m + coop_matrix[...].fill(x)` to add a constant")
            return None
        m_node, s_node = (node.lhs, node.rhs) if left else (node.rhs, node.lhs)
        m = self.matrix(m_node)
        if m is None:
            self.exprs.expr(s_node, None)
            return None
        factor = self.exprs.expect_type(s_node, m.type.elem, " as the scale factor")
        return None if factor is None else ir.CoopScale(m.type, m, factor)

    def convert(self, obj: ast.Expr, node: ast.Call) -> Optional[ir.CoopExpr]:
        value = self.matrix(obj)
        if value is None:
            return None
        target = scalar_type(node.args[0].id) if len(node.args) == 1 and isinstance(node.args[0], ast.Name) \
            else None
        if target is None or not (target.is_float and value.type.elem.is_float):
            self.error("`.convert(T)` takes a float element type (f16, f32, f64) and converts a float matrix",
                       node.span)
            return None
        t = ir.CoopMatrixType(target, value.type.rows, value.type.cols, value.type.use)
        return ir.CoopConvert(t, value)

    def length(self, node: ast.Call) -> Optional[ir.Expr]:
        """`m.length()` / `coop_matrix[...].length()`: the elements each invocation holds."""
        f = node.func
        assert isinstance(f, ast.Attribute)  # (is_length)
        if node.args:
            self.error("`.length()` takes no arguments", node.span)
            return None
        if isinstance(f.obj, ast.CoopMatrixTypeExpr):
            t = self.matrix_type(f.obj)
        else:
            m = self.matrix(f.obj)
            t = None if m is None else m.type
        return None if t is None else ir.CoopLength(ir.I32, t)

    def not_scalar(self, node: ast.Expr) -> None:
        """The error for a matrix where a scalar value is expected."""
        self.error("a cooperative matrix is not a scalar value here", node.span,
                   "matrices are declared (`val m = ...`), assigned, stored with `.store(...)`, "
                   "and combined with `+ - * /` and `gpu.coop_mul_add`")

    # ------------------------------------------------------------------ statements

    def store(self, node: ast.Expr) -> Optional[ir.CoopStore]:
        """`m.store(...)` / `m.store_col_major(...)` (`is_store(node)` holds)."""
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)  # (is_store)
        f = node.func
        value = self.matrix(f.obj)
        if value is None:
            return None
        where = self.memory(node, value.type, f".{f.name}", STORES[f.name], write=True)
        if where is None:
            return None
        base, offset, stride = where
        return ir.CoopStore(value, base, offset, stride, STORES[f.name])

    def declared(self, s: ast.Let) -> Optional[ir.CoopExpr]:
        """The value of a matrix declaration `val/var NAME = MATRIX` (no type written)."""
        assert s.value is not None  # (the caller's test)
        if s.type is not None:
            self.error("a cooperative matrix variable takes its type from its value", s.type.span,
                       f"write `{'var' if s.mutable else 'val'} {s.name} = coop_matrix[...].fill(...)`")
        return self.matrix(s.value)

    def assigned(self, name: str, b: Binding, value_node: ast.Expr, op: str, span) -> Optional[ir.CoopAssign]:
        """The statement `name OP= value` for the matrix binding `b` of `name`."""
        if b.kind == ERROR:
            return None
        assert isinstance(b.type, ir.CoopMatrixType)  # (a MATRIX binding)
        node = value_node
        if op != "=":
            symbol = op.removesuffix("=")
            if symbol not in MATRIX_OPS:
                self.error(f"`{symbol}=` is not a matrix operation", span)
                return None
            node = ast.Binary(symbol, ast.Name(name, span), value_node, span, span)
        if not self.is_matrix(node):
            self.exprs.expr(node, None)
            self.error(f"a cooperative matrix variable takes a matrix of type `{_show(b.type)}`", value_node.span)
            return None
        value = self.matrix(node)
        if value is not None and value.type != b.type:
            self.error(f"mismatched types: expected `{_show(b.type)}`, found `{_show(value.type)}`", value_node.span)
            return None
        return None if value is None else ir.CoopAssign(b.ir_name, value)


def _show(t: ir.CoopMatrixType) -> str:
    """A matrix type as the source spells it."""
    return f"coop_matrix[{t.elem}, {t.rows}, {t.cols}, {t.use}]"
