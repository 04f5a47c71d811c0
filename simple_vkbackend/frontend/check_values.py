"""Values and helpers shared by the expression and call checkers.

`Untyped` is an exact compile-time number whose type is not fixed yet; a checker
method returns an `ir.Expr`, an `Untyped`, or None after an error was reported.
"""
from __future__ import annotations

import difflib
from typing import Optional, Sequence, TypeVar, Union

from ..lowering import ir
from . import ast


class Untyped:
    """An exact compile-time number whose type is not fixed yet."""

    __slots__ = ("value",)

    def __init__(self, value: Union[int, float]):
        self.value = value

    @property
    def is_float(self) -> bool:
        return isinstance(self.value, float)

    def describe(self) -> str:
        return "a float literal" if self.is_float else "an integer literal"


Value = Union[ir.Expr, Untyped, None]
T = TypeVar("T")


def name_of(node: ast.Expr) -> str:
    """The name a `Name` node spells (other nodes: their source text)."""
    return node.id if isinstance(node, ast.Name) else node.span.text


def all_checked(values: Sequence[Optional[T]]) -> Optional[list[T]]:
    """`values` when none of them is None (an error was reported for those), else None."""
    present = [v for v in values if v is not None]
    return present if len(present) == len(values) else None


def type_of(v: Value) -> ir.ScalarType:
    """The type of a checked value that is an `ir.Expr` (`ExprChecker.expr` lets
    none through without a type)."""
    if not isinstance(v, ir.Expr) or v.type is None:
        raise TypeError(f"internal: {v!r} is not a typed expression")
    return v.type

ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "rem", "**": "pow"}
BITWISE = {"&": "bitand", "|": "bitor", "^": "bitxor"}
SHIFTS = {"<<": "shl", ">>": "shr"}
COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
ATOMIC_FORM = "gpu.{name}(&a[i], {args})"


def suggest(name: str, candidates) -> Optional[str]:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.8)
    return f"did you mean `{close[0]}`?" if close else None


def source_text(node) -> str:
    """The node's source text, parenthesized when it is not a simple operand."""
    text = node.span.text
    if len(text) > 40:
        text = "..."
    simple = isinstance(node, (ast.Name, ast.IntLit, ast.FloatLit, ast.BoolLit, ast.Call, ast.Index))
    return text if simple or _wrapped(text) else f"({text})"


def _wrapped(text: str) -> bool:
    """Whether `text` is one parenthesized group, like `(a + b)` (not `(a) + (b)`)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i < len(text) - 1:
            return False
    return True
