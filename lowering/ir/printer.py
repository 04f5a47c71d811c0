"""Printing the kernel IR's text form (grammar in docs/kernel_ir.md; the parser is
parser.py, the public entry points are in text.py). Deterministic; floats print
with `repr`, so they round-trip exactly."""
from __future__ import annotations

import json
from typing import Optional, Union

from . import nodes as ir
from .vector_nodes import VectorLoad, VectorStore
from .coop_matrix import CoopAssign, CoopLength, CoopStore
from .text_coop import coop_assign_text, coop_length_text, coop_store_text
from .visitor import Visitor

INDENT = "  "

# --------------------------------------------------------------------------- printing


def print_module(module: ir.Module) -> str:
    """The text form of `module`, ending with a newline."""
    out = [f"module {json.dumps(module.name, ensure_ascii=True)}"]  # the parser reads it with json.loads
    if module.constants:
        out.append("")
        out += [f"const {c.name}: {c.type} = {_value_text(c.value)}" for c in module.constants]
    functions: list[ir.Function | ir.Kernel] = [*module.functions, *module.kernels]
    for fn in functions:
        out.append("")
        out += _function_lines(fn)
    return "\n".join(out) + "\n"


def print_expr(e: ir.Expr) -> str:
    """The text form of one expression."""
    if not isinstance(e, ir.Expr):
        raise TypeError(f"not an IR expression: {e!r}")
    return _ExprPrinter().visit(e)


def _function_lines(fn: Union[ir.Kernel, ir.Function]) -> list[str]:
    params = ", ".join(f"{p.name}: {p.type}" for p in fn.params)
    if isinstance(fn, ir.Kernel):
        attrs = f" dims={fn.dims}"
        if fn.local_size is not None:
            attrs += " local_size=({}, {}, {})".format(*fn.local_size)
        attrs += " simd" if fn.simd else ""
        attrs += f" target={fn.target}" if fn.target is not None else ""
        if fn.grid_size is not None:
            attrs += " grid_size=({}, {}, {})".format(*fn.grid_size)
        attrs += " exact" if fn.exact else ""
        head = f"kernel {fn.name}({params}){attrs} {{"
    else:
        head = f"fn {fn.name}({params}){f' -> {fn.ret}' if fn.ret is not None else ''} {{"
    decls = [f"{INDENT}shared {a.name}: {a.type}" for a in getattr(fn, "shared", [])]
    decls += [f"{INDENT}local {v.name}: {v.type}" for v in fn.locals]
    return [head, *decls, *_StmtPrinter(1).block(fn.body), "}"]


def _value_text(value: Union[bool, int, float]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)  # int, or float: shortest exact, 'nan', 'inf', '-inf'


def _form(head: str, ty: Optional[ir.ScalarType], *args: str) -> str:
    suffix = f".{ty}" if ty is not None else ""
    return "(" + " ".join([head + suffix, *args]) + ")"


class _StmtPrinter(Visitor[list[str]]):
    """The lines of statements at indentation `depth`."""

    def __init__(self, depth: int):
        self.depth = depth
        self.pad = INDENT * depth

    def block(self, block: ir.Block) -> list[str]:
        lines: list[str] = []
        for s in block.stmts:
            lines += self.visit(s)
        return lines

    def nested(self, block: ir.Block) -> list[str]:
        return _StmtPrinter(self.depth + 1).block(block)

    def generic_visit(self, node: ir.Node) -> list[str]:
        raise TypeError(f"not an IR statement: {node!r}")

    def visit_Assign(self, s: ir.Assign) -> list[str]:
        return [f"{self.pad}{print_expr(s.target)} = {print_expr(s.value)}"]

    def visit_VectorLoad(self, s: VectorLoad) -> list[str]:
        targets = ", ".join(print_expr(t) for t in s.targets)
        return [f"{self.pad}vload {targets} = {s.base}[{'!' if s.checked else ''}{print_expr(s.index)}]"]

    def visit_VectorStore(self, s: VectorStore) -> list[str]:
        values = ", ".join(print_expr(v) for v in s.values)
        return [f"{self.pad}vstore {s.base}[{'!' if s.checked else ''}{print_expr(s.index)}] = {values}"]

    def visit_ExprStmt(self, s: ir.ExprStmt) -> list[str]:
        return [f"{self.pad}{print_expr(s.expr)}"]

    def visit_If(self, s: ir.If) -> list[str]:
        lines = [f"{self.pad}if {print_expr(s.cond)} {{", *self.nested(s.then)]
        if s.otherwise.stmts:
            lines += [f"{self.pad}}} else {{", *self.nested(s.otherwise)]
        return lines + [f"{self.pad}}}"]

    def visit_Loop(self, s: ir.Loop) -> list[str]:
        cond = f" while {print_expr(s.cond)}" if s.cond is not None else ""
        lines = [f"{self.pad}loop{cond} {{", *self.nested(s.body)]
        if s.step.stmts:
            lines += [f"{self.pad}}} step {{", *self.nested(s.step)]
        return lines + [f"{self.pad}}}"]

    def visit_CoopAssign(self, s: CoopAssign) -> list[str]:
        return [self.pad + coop_assign_text(s, print_expr)]

    def visit_CoopStore(self, s: CoopStore) -> list[str]:
        return [self.pad + coop_store_text(s, print_expr)]

    def visit_Break(self, s: ir.Break) -> list[str]:
        return [f"{self.pad}break"]

    def visit_Continue(self, s: ir.Continue) -> list[str]:
        return [f"{self.pad}continue"]

    def visit_Return(self, s: ir.Return) -> list[str]:
        return [f"{self.pad}return" + (f" {print_expr(s.value)}" if s.value is not None else "")]


class _ExprPrinter(Visitor[str]):
    """The text form of an expression, a prefix form per node."""

    def generic_visit(self, node: ir.Node) -> str:
        raise TypeError(f"not an IR expression: {node!r}")

    def visit_Const(self, e: ir.Const) -> str:
        return _value_text(e.value) if e.type == ir.BOOL else f"{_value_text(e.value)}:{e.type}"

    def visit_Var(self, e: ir.Var) -> str:
        return e.name

    def visit_Index(self, e: ir.Index) -> str:
        return f"{e.base}[{'!' if e.checked else ''}{self.visit(e.index)}]"

    def visit_CoopLength(self, e: CoopLength) -> str:
        return coop_length_text(e)

    def visit_Len(self, e: ir.Len) -> str:
        return f"(len {e.base})"

    def visit_Unary(self, e: ir.Unary) -> str:
        return _form(e.op, e.type, self.visit(e.operand))

    def visit_Binary(self, e: ir.Binary) -> str:
        return _form(e.op, e.type, self.visit(e.lhs), self.visit(e.rhs))

    def visit_Logical(self, e: ir.Logical) -> str:
        return _form(e.op, None, self.visit(e.lhs), self.visit(e.rhs))

    def visit_Select(self, e: ir.Select) -> str:
        return _form("select", e.type, *map(self.visit, (e.cond, e.then, e.otherwise)))

    def visit_Cast(self, e: ir.Cast) -> str:
        return _form("cast", e.type, self.visit(e.value))

    def visit_Call(self, e: ir.Call) -> str:
        return _form("call", e.type, e.func, *map(self.visit, e.args))

    def visit_Builtin(self, e: ir.Builtin) -> str:
        args = [self.visit(a) for a in e.args]
        if e.name in ir.MATH_BUILTINS:
            return _form(f"math.{e.name}", e.type, *args)
        if e.name in ir.ID_BUILTINS:
            args = [str(e.dim), *args]
        return _form(f"gpu.{e.name}", e.type, *args)

    def visit_Atomic(self, e: ir.Atomic) -> str:
        return _form(f"atomic.{e.op}", e.type, f"&{e.base}[{self.visit(e.index)}]", *map(self.visit, e.args))
