"""Small constructors for building kernel IR in tests."""
from __future__ import annotations

from typing import Optional, Sequence

from simple_vkbackend.lowering import ir

BOOL, I8, I16, I32, I64 = ir.BOOL, ir.I8, ir.I16, ir.I32, ir.I64
U8, U16, U32, U64 = ir.U8, ir.U16, ir.U32, ir.U64
F16, F32, F64 = ir.F16, ir.F32, ir.F64


def const(value, t: ir.ScalarType = I32) -> ir.Const:
    return ir.Const(t, value)


def var(name: str, t: ir.ScalarType = I32) -> ir.Var:
    return ir.Var(t, name)


def at(base: str, index: ir.Expr, t: ir.ScalarType = F32, checked: bool = False) -> ir.Index:
    return ir.Index(t, base, index, checked)


def binop(op: str, lhs: ir.Expr, rhs: ir.Expr) -> ir.Binary:
    return ir.Binary(BOOL if op in ir.COMPARE_OPS else lhs.type, op, lhs, rhs)


def unop(op: str, operand: ir.Expr) -> ir.Unary:
    return ir.Unary(operand.type, op, operand)


def logical(op: str, lhs: ir.Expr, rhs: ir.Expr) -> ir.Logical:
    return ir.Logical(BOOL, op, lhs, rhs)


def select(cond: ir.Expr, then: ir.Expr, otherwise: ir.Expr) -> ir.Select:
    return ir.Select(then.type, cond, then, otherwise)


def cast(value: ir.Expr, t: ir.ScalarType) -> ir.Cast:
    return ir.Cast(t, value)


def ids(name: str, dim: int = 0) -> ir.Builtin:
    return ir.Builtin(I32, name, [], dim)


def gid(dim: int = 0) -> ir.Builtin:
    return ids("global_id", dim)


def math(name: str, *args: ir.Expr) -> ir.Builtin:
    t = BOOL if name in ("isnan", "isinf") else args[0].type
    return ir.Builtin(t, name, list(args))


def sync(name: str = "barrier") -> ir.ExprStmt:
    return ir.ExprStmt(ir.Builtin(None, name, []))


def atomic(op: str, base: str, index: ir.Expr, *args: ir.Expr) -> ir.Atomic:
    return ir.Atomic(args[0].type, op, base, index, list(args))


def length(base: str) -> ir.Len:
    return ir.Len(I32, base)


def call(func: str, t: Optional[ir.ScalarType], *args: ir.Expr) -> ir.Call:
    return ir.Call(t, func, list(args))


def assign(target, value: ir.Expr) -> ir.Assign:
    return ir.Assign(target, value)


def if_(cond: ir.Expr, then: Sequence[ir.Stmt], otherwise: Sequence[ir.Stmt] = ()) -> ir.If:
    return ir.If(cond, ir.Block(list(then)), ir.Block(list(otherwise)))


def loop(cond: Optional[ir.Expr], body: Sequence[ir.Stmt], step: Sequence[ir.Stmt] = ()) -> ir.Loop:
    return ir.Loop(cond, ir.Block(list(body)), ir.Block(list(step)))


def for_range(name: str, start: ir.Expr, stop: ir.Expr, body: Sequence[ir.Stmt], step: int = 1) -> list[ir.Stmt]:
    """`for name in range(start, stop, step)` as the front end desugars it (name is a local)."""
    i = var(name, start.type)
    cond = binop("lt" if step > 0 else "gt", i, stop)
    return [assign(i, start), loop(cond, body, [assign(i, binop("add", i, const(step, start.type)))])]


def buf(name: str, t: ir.ScalarType = F32, writable: bool = True) -> ir.Param:
    return ir.Param(name, ir.BufferType(t, writable))


def param(name: str, t: ir.ScalarType = I32) -> ir.Param:
    return ir.Param(name, t)


def local(name: str, t=I32) -> ir.Local:
    return ir.Local(name, t)


def private_array(name: str, t: ir.ScalarType, n: int) -> ir.Local:
    return ir.Local(name, ir.ArrayType(t, n, "private"))


def shared_array(name: str, t: ir.ScalarType, n: int) -> ir.SharedArray:
    return ir.SharedArray(name, ir.ArrayType(t, n, "shared"))


def kernel(name: str, params: Sequence[ir.Param], body: Sequence[ir.Stmt], locals_: Sequence[ir.Local] = (),
           shared: Sequence[ir.SharedArray] = (), **kw) -> ir.Kernel:
    return ir.Kernel(name, list(params), ir.Block(list(body)), list(locals_), list(shared), **kw)


def function(name: str, params: Sequence[ir.Param], ret: Optional[ir.ScalarType], body: Sequence[ir.Stmt],
             locals_: Sequence[ir.Local] = ()) -> ir.Function:
    return ir.Function(name, list(params), ret, ir.Block(list(body)), list(locals_))


def module(*kernels: ir.Kernel, functions: Sequence[ir.Function] = (),
           constants: Sequence[ir.Constant] = ()) -> ir.Module:
    return ir.Module(list(kernels), list(functions), list(constants))


def saxpy() -> ir.Module:
    """y[i] = a * x[i] + y[i] for i < n."""
    i = gid()
    body = [if_(binop("lt", i, var("n")),
                [assign(at("y", i), binop("add", binop("mul", var("a", F32), at("x", i)), at("y", i)))])]
    return module(kernel("saxpy", [param("a", F32), buf("x", writable=False), buf("y"), param("n")], body))
