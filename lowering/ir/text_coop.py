"""The text form of cooperative matrices (docs/kernel_ir.md, "Cooperative matrices"):
printing, and the parser's part (a mixin of text_parser._Parser).

    local acc: coop<f32, 16, 16, acc>
    acc = (coop.mul_add coop<f32, 16, 16, acc> a b acc)
    coop_store acc c (mul.i32 row n) n row_major
    (coop.length coop<f16, 16, 16, a>)          # an i32 expression

Matrix forms: `(coop.fill T value)`, `(coop.load T base offset stride LAYOUT)`,
`(coop.mul_add T a b c)`, `(coop.add|sub|mul|div T lhs rhs)`, `(coop.scale T m s)`,
`(coop.convert T m)`; a matrix local is its name.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Protocol

from . import nodes as ir
from .coop_matrix import (COOP_BINARY_OPS, CoopAssign, CoopBinary, CoopConvert, CoopExpr, CoopFill, CoopLayout,
                          CoopLength, CoopLoad, CoopMatrixType, CoopMulAdd, CoopScale, CoopStore, CoopUse, CoopVar)
from .visitor import Visitor


class Token(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def text(self) -> str: ...


class _TextParser(Protocol):
    """What the matrix part uses of the text parser (text_parser._Parser)."""

    scope: dict

    def peek(self, ahead: int = 0) -> Token: ...

    def next(self) -> Token: ...

    def expect(self, text: str) -> Token: ...

    def name(self, what: str = "a name") -> str: ...

    def integer(self) -> int: ...

    def scalar_type(self) -> ir.ScalarType: ...

    def expr(self) -> ir.Expr: ...

    def error(self, message: str, tok: Optional[Any] = None) -> Exception: ...


# --------------------------------------------------------------------------- printing


class CoopPrinter(Visitor[str]):
    """Matrix expressions as text; `scalar` prints the scalar operands."""

    def __init__(self, scalar: Callable[[ir.Expr], str]):
        self.scalar = scalar

    def generic_visit(self, node: ir.Node) -> str:
        raise TypeError(f"not a matrix expression: {node!r}")

    def visit_CoopVar(self, e: CoopVar) -> str:
        return e.name

    def visit_CoopFill(self, e: CoopFill) -> str:
        return f"(coop.fill {e.type} {self.scalar(e.value)})"

    def visit_CoopLoad(self, e: CoopLoad) -> str:
        return f"(coop.load {e.type} {e.base} {self.scalar(e.offset)} {self.scalar(e.stride)} {e.layout})"

    def visit_CoopMulAdd(self, e: CoopMulAdd) -> str:
        return f"(coop.mul_add {e.type} {self.visit(e.a)} {self.visit(e.b)} {self.visit(e.c)})"

    def visit_CoopBinary(self, e: CoopBinary) -> str:
        return f"(coop.{e.op} {e.type} {self.visit(e.lhs)} {self.visit(e.rhs)})"

    def visit_CoopScale(self, e: CoopScale) -> str:
        return f"(coop.scale {e.type} {self.visit(e.matrix)} {self.scalar(e.scalar)})"

    def visit_CoopConvert(self, e: CoopConvert) -> str:
        return f"(coop.convert {e.type} {self.visit(e.value)})"


def coop_assign_text(s: CoopAssign, scalar: Callable[[ir.Expr], str]) -> str:
    return f"{s.name} = {CoopPrinter(scalar).visit(s.value)}"


def coop_store_text(s: CoopStore, scalar: Callable[[ir.Expr], str]) -> str:
    value = CoopPrinter(scalar).visit(s.value)
    return f"coop_store {value} {s.base} {scalar(s.offset)} {scalar(s.stride)} {s.layout}"


def coop_length_text(e: CoopLength) -> str:
    return f"(coop.length {e.matrix})"


# --------------------------------------------------------------------------- parsing


class CoopTextParser:
    """The parser's part for matrices; `p` is the text parser (its token helpers,
    scope and scalar expression parser)."""

    def __init__(self, p: _TextParser):
        self.p = p

    def coop_type(self) -> CoopMatrixType:
        self.p.expect("coop")
        self.p.expect("<")
        elem = self.p.scalar_type()
        self.p.expect(",")
        rows = self.p.integer()
        self.p.expect(",")
        cols = self.p.integer()
        self.p.expect(",")
        tok = self.p.next()
        if tok.text not in tuple(CoopUse):
            raise self.p.error(f"a matrix use is a, b or acc, not '{tok.text}'", tok)
        self.p.expect(">")
        return CoopMatrixType(elem, rows, cols, tok.text)

    def is_matrix_local(self, name: str) -> bool:
        return isinstance(self.p.scope.get(name), CoopMatrixType)

    def coop_assign(self) -> CoopAssign:
        name = self.p.name()
        self.p.expect("=")
        return CoopAssign(name, self.matrix_expr())

    def coop_store(self, tok: Token) -> CoopStore:
        value = self.matrix_expr()
        base = self.p.name("a buffer or shared array name")
        offset, stride = self.p.expr(), self.p.expr()
        return CoopStore(value, base, offset, stride, self.layout())

    def layout(self) -> str:
        tok = self.p.next()
        if tok.text not in tuple(CoopLayout):
            raise self.p.error(f"a matrix layout is row_major or col_major, not '{tok.text}'", tok)
        return tok.text

    def matrix_expr(self) -> CoopExpr:
        tok = self.p.peek()
        if tok.kind == "ident":
            self.p.next()
            t = self.p.scope.get(tok.text)
            if not isinstance(t, CoopMatrixType):
                raise self.p.error(f"'{tok.text}' is not a matrix local", tok)
            return CoopVar(t, tok.text)
        self.p.expect("(")
        self.p.expect("coop")
        self.p.expect(".")
        op_tok = self.p.next()
        op = op_tok.text
        t = self.coop_type()
        node: CoopExpr
        if op == "fill":
            node = CoopFill(t, self.p.expr())
        elif op == "load":
            base = self.p.name("a buffer or shared array name")
            offset, stride = self.p.expr(), self.p.expr()
            node = CoopLoad(t, base, offset, stride, self.layout())
        elif op == "mul_add":
            node = CoopMulAdd(t, self.matrix_expr(), self.matrix_expr(), self.matrix_expr())
        elif op in COOP_BINARY_OPS:
            node = CoopBinary(t, op, self.matrix_expr(), self.matrix_expr())
        elif op == "scale":
            node = CoopScale(t, self.matrix_expr(), self.p.expr())
        elif op == "convert":
            node = CoopConvert(t, self.matrix_expr())
        else:
            raise self.p.error(f"unknown matrix operation 'coop.{op}'", op_tok)
        self.p.expect(")")
        return node

    def coop_form(self, parts: list[str], tok: Token) -> ir.Expr:
        """A scalar `(coop.length T)` form (the '(' and the head are read)."""
        if parts != ["coop", "length"]:
            raise self.p.error(f"'{'.'.join(parts)}' is a matrix, not a scalar expression", tok)
        return CoopLength(ir.I32, self.coop_type())
