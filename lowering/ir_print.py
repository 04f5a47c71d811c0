"""Printing the kernel IR's text form (grammar in docs/kernel_ir.md; the parser is
ir_parse.py, the public entry points are in ir_text.py). Deterministic; floats print
with `repr`, so they round-trip exactly."""
from __future__ import annotations

import json
from typing import Callable, Optional, Union

from . import ir

INDENT = "  "

# --------------------------------------------------------------------------- printing


def print_module(module: ir.Module) -> str:
    """The text form of `module`, ending with a newline."""
    out = [f"module {json.dumps(module.name)}"]
    if module.constants:
        out.append("")
        out += [f"const {c.name}: {c.type} = {_value_text(c.value)}" for c in module.constants]
    for fn in [*module.functions, *module.kernels]:
        out.append("")
        out += _function_lines(fn)
    return "\n".join(out) + "\n"


def print_expr(e: ir.Expr) -> str:
    """The text form of one expression."""
    printer = _EXPR_PRINTERS.get(type(e))
    if printer is None:
        raise TypeError(f"not an IR expression: {e!r}")
    return printer(e)


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
        head = f"kernel {fn.name}({params}){attrs} {{"
    else:
        head = f"fn {fn.name}({params}){f' -> {fn.ret}' if fn.ret is not None else ''} {{"
    decls = [f"{INDENT}shared {a.name}: {a.type}" for a in getattr(fn, "shared", [])]
    decls += [f"{INDENT}local {v.name}: {v.type}" for v in fn.locals]
    return [head, *decls, *_block_lines(fn.body, 1), "}"]


def _block_lines(block: ir.Block, depth: int) -> list[str]:
    lines: list[str] = []
    for s in block.stmts:
        lines += _stmt_lines(s, depth)
    return lines


def _stmt_lines(s: ir.Stmt, depth: int) -> list[str]:
    pad = INDENT * depth
    if isinstance(s, ir.Assign):
        return [f"{pad}{print_expr(s.target)} = {print_expr(s.value)}"]
    if isinstance(s, ir.ExprStmt):
        return [f"{pad}{print_expr(s.expr)}"]
    if isinstance(s, ir.If):
        lines = [f"{pad}if {print_expr(s.cond)} {{", *_block_lines(s.then, depth + 1)]
        if s.otherwise.stmts:
            lines += [f"{pad}}} else {{", *_block_lines(s.otherwise, depth + 1)]
        return lines + [f"{pad}}}"]
    if isinstance(s, ir.Loop):
        cond = f" while {print_expr(s.cond)}" if s.cond is not None else ""
        lines = [f"{pad}loop{cond} {{", *_block_lines(s.body, depth + 1)]
        if s.step.stmts:
            lines += [f"{pad}}} step {{", *_block_lines(s.step, depth + 1)]
        return lines + [f"{pad}}}"]
    if isinstance(s, ir.Break):
        return [f"{pad}break"]
    if isinstance(s, ir.Continue):
        return [f"{pad}continue"]
    if isinstance(s, ir.Return):
        return [f"{pad}return" + (f" {print_expr(s.value)}" if s.value is not None else "")]
    raise TypeError(f"not an IR statement: {s!r}")


def _value_text(value: Union[bool, int, float]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)  # int, or float: shortest exact, 'nan', 'inf', '-inf'


def _form(head: str, ty: Optional[ir.ScalarType], *args: str) -> str:
    suffix = f".{ty}" if ty is not None else ""
    return "(" + " ".join([head + suffix, *args]) + ")"


def _print_const(e: ir.Const) -> str:
    return _value_text(e.value) if e.type == ir.BOOL else f"{_value_text(e.value)}:{e.type}"


def _print_index(e: ir.Index) -> str:
    return f"{e.base}[{'!' if e.checked else ''}{print_expr(e.index)}]"


def _print_builtin(e: ir.Builtin) -> str:
    args = [print_expr(a) for a in e.args]
    if e.name in ir.MATH_BUILTINS:
        return _form(f"math.{e.name}", e.type, *args)
    if e.name in ir.ID_BUILTINS:
        args = [str(e.dim), *args]
    return _form(f"gpu.{e.name}", e.type, *args)


def _print_atomic(e: ir.Atomic) -> str:
    return _form(f"atomic.{e.op}", e.type, f"&{e.base}[{print_expr(e.index)}]", *map(print_expr, e.args))


_EXPR_PRINTERS: dict[type, Callable[..., str]] = {
    ir.Const: _print_const,
    ir.Var: lambda e: e.name,
    ir.Index: _print_index,
    ir.Len: lambda e: f"(len {e.base})",
    ir.Unary: lambda e: _form(e.op, e.type, print_expr(e.operand)),
    ir.Binary: lambda e: _form(e.op, e.type, print_expr(e.lhs), print_expr(e.rhs)),
    ir.Logical: lambda e: _form(e.op, None, print_expr(e.lhs), print_expr(e.rhs)),
    ir.Select: lambda e: _form("select", e.type, *map(print_expr, (e.cond, e.then, e.otherwise))),
    ir.Cast: lambda e: _form("cast", e.type, print_expr(e.value)),
    ir.Call: lambda e: _form("call", e.type, e.func, *map(print_expr, e.args)),
    ir.Builtin: _print_builtin,
    ir.Atomic: _print_atomic,
}
