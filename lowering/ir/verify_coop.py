"""The verifier's rules for cooperative matrices (coop_matrix.py), for FunctionChecker."""
from __future__ import annotations

from typing import Callable, Optional, Protocol

from . import nodes as ir
from .coop_matrix import (COOP_BINARY_OPS, CoopAssign, CoopBinary, CoopConvert, CoopExpr, CoopFill, CoopLayout,
                          CoopLength, CoopLoad, CoopMatrixType, CoopMulAdd, CoopScale, CoopStore, CoopUse, CoopVar)

# Element types a cooperative matrix may have (SPV_KHR_cooperative_matrix: numeric scalars;
# devices list which they support).
COOP_ELEMENT_TYPES = frozenset({ir.F16, ir.F32, ir.F64, ir.I8, ir.I16, ir.I32, ir.I64,
                                ir.U8, ir.U16, ir.U32, ir.U64})
MAX_COOP_DIM = 256


def coop_type_problem(t: object) -> Optional[str]:
    """What is wrong with a cooperative matrix type (None: nothing)."""
    if not isinstance(t, CoopMatrixType):
        return f"not a cooperative matrix type: {t!r}"
    if t.elem not in COOP_ELEMENT_TYPES:
        return f"{t}: element type must be a number, not {t.elem!r}"
    for what, n in (("rows", t.rows), ("cols", t.cols)):
        if type(n) is not int or not 1 <= n <= MAX_COOP_DIM:
            return f"{t}: {what} must be an int in 1..{MAX_COOP_DIM}, not {n!r}"
    if t.use not in tuple(CoopUse):
        return f"{t}: use must be a, b or acc, not {t.use!r}"
    return None


class _Checker(Protocol):
    def report(self, message: str) -> None: ...

    def value(self, e: object) -> Optional[ir.ScalarType]: ...


class CoopRules:
    """Checks matrix statements and expressions for the function checker `fc`;
    `symbol(name)` gives (kind, type) of a name in scope, or None (reported)."""

    def __init__(self, fc: _Checker, symbol: Callable[[str], Optional[tuple[str, object]]], is_kernel: bool):
        self.fc, self.symbol, self.is_kernel = fc, symbol, is_kernel

    def report(self, message: str) -> None:
        self.fc.report(message)

    def assign(self, s: CoopAssign) -> None:
        got = self.matrix(s.value)
        found = self.symbol(s.name)
        if found is None:
            return
        kind, t = found
        if kind != "matrix":
            self.report(f"coop assign to {kind} '{s.name}'; only matrix locals take matrices")
        elif got is not None and got != t:
            self.report(f"coop assign: value has type {got}, local '{s.name}' is {t}")

    def store(self, s: CoopStore) -> None:
        t = self.matrix(s.value)
        self.memory(s.base, s.offset, s.stride, s.layout, t, write=True)

    def length(self, e: CoopLength) -> None:
        problem = coop_type_problem(e.matrix)
        if problem:
            self.report(f"coop length: {problem}")
        if e.type != ir.I32:
            self.report(f"coop length has type i32, not {e.type}")

    def memory(self, base: str, offset: object, stride: object, layout: object,
               t: Optional[CoopMatrixType], write: bool) -> None:
        what = "coop store" if write else "coop load"
        for name, e in (("offset", offset), ("stride", stride)):
            ty = self.fc.value(e)
            if ty is not None and ty != ir.I32:
                self.report(f"{what}: {name} must be i32, not {ty}")
        if layout not in tuple(CoopLayout):
            self.report(f"{what}: layout must be row_major or col_major, not {layout!r}")
        found = self.symbol(base)
        if found is None:
            return
        kind, bt = found
        if kind not in ("buffer", "shared array"):
            self.report(f"{what}: '{base}' is a {kind}, not a buffer or shared array")
            return
        if write and isinstance(bt, ir.BufferType) and not bt.writable:
            self.report(f"{what}: write to read-only buffer '{base}'")
        elem = getattr(bt, "elem", None)
        if t is not None and elem != t.elem:
            self.report(f"{what}: '{base}' holds {elem}, the matrix {t.elem}")

    def matrix(self, e: object) -> Optional[CoopMatrixType]:
        """Check a matrix expression; its type (None if broken)."""
        if not isinstance(e, CoopExpr):
            self.report(f"not a matrix expression: {e!r}")
            return None
        if not self.is_kernel:
            self.report("cooperative matrices are only allowed in kernels")
        problem = coop_type_problem(e.type)
        if problem:
            self.report(problem)
            return None
        t = e.type
        if isinstance(e, CoopVar):
            found = self.symbol(e.name)
            if found is not None and (found[0] != "matrix" or found[1] != t):
                self.report(f"coop var '{e.name}' has type {t}, but {found[0]} '{e.name}' is {found[1]}")
        elif isinstance(e, CoopFill):
            self.scalar_of(e.value, t, "coop fill value")
        elif isinstance(e, CoopLoad):
            self.memory(e.base, e.offset, e.stride, e.layout, t, write=False)
        elif isinstance(e, CoopMulAdd):
            self.mul_add(e)
        elif isinstance(e, CoopBinary):
            if e.op not in COOP_BINARY_OPS:
                self.report(f"coop binary: op must be add, sub, mul or div, not {e.op!r}")
            for side in (e.lhs, e.rhs):
                got = self.matrix(side)
                if got is not None and got != t:
                    self.report(f"coop {e.op}: operand has type {got}, expected {t}")
        elif isinstance(e, CoopScale):
            got = self.matrix(e.matrix)
            if got is not None and got != t:
                self.report(f"coop scale: matrix has type {got}, expected {t}")
            self.scalar_of(e.scalar, t, "coop scale factor")
        elif isinstance(e, CoopConvert):
            got = self.matrix(e.value)
            if got is not None and (got.rows, got.cols, got.use) != (t.rows, t.cols, t.use):
                self.report(f"coop convert: {got} to {t} changes the shape or use")
            elif got is not None and not (got.elem.is_float and t.elem.is_float):
                self.report(f"coop convert: only between float element types, not {got.elem} to {t.elem}")
        else:
            self.report(f"unknown matrix expression {type(e).__name__}")
        return t

    def scalar_of(self, e: object, t: CoopMatrixType, what: str) -> None:
        ty = self.fc.value(e)
        if ty is not None and ty != t.elem:
            self.report(f"{what} has type {ty}, the matrix elements {t.elem}")

    def mul_add(self, e: CoopMulAdd) -> None:
        a, b, c = self.matrix(e.a), self.matrix(e.b), self.matrix(e.c)
        t = e.type
        if t.use != CoopUse.ACC:
            self.report(f"coop mul_add: the result must have use acc, not {t.use}")
        for name, got, use in (("a", a, CoopUse.A), ("b", b, CoopUse.B), ("c", c, CoopUse.ACC)):
            if got is not None and got.use != use:
                self.report(f"coop mul_add: operand {name} has use {got.use}, expected {use}")
        if c is not None and c != t:
            self.report(f"coop mul_add: c has type {c}, the result {t}")
        if a is not None and b is not None:
            if a.cols != b.rows:
                self.report(f"coop mul_add: a is {a.rows}x{a.cols}, b {b.rows}x{b.cols} (a's cols must be b's rows)")
            if (a.rows, b.cols) != (t.rows, t.cols):
                self.report(f"coop mul_add: a x b is {a.rows}x{b.cols}, the result {t.rows}x{t.cols}")
            if a.elem != b.elem:
                self.report(f"coop mul_add: a and b differ in element type ({a.elem} vs {b.elem})")
