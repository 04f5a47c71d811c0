"""Small builders of kernel IR for the software-backend tests."""
from __future__ import annotations

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.verify import verify_module
from simple_vkbackend.lowering.ir import BOOL, F16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64  # noqa: F401

__all__ = [
    "ir", "BOOL", "F16", "F32", "F64", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64",
    "c", "var", "op", "neg", "not_", "cast", "at", "length", "builtin", "gid", "lid", "group",
    "set_", "if_", "loop", "brk", "cont", "ret", "do", "atomic", "call", "select", "logical",
    "buf", "rbuf", "scalar", "local", "array", "shared", "kernel", "function", "module",
]


def c(t: ir.ScalarType, value) -> ir.Const:
    return ir.Const(t, value)


def var(t: ir.ScalarType, name: str) -> ir.Var:
    return ir.Var(t, name)


def op(name: str, lhs: ir.Expr, rhs: ir.Expr) -> ir.Binary:
    return ir.Binary(BOOL if name in ir.COMPARE_OPS else lhs.type, name, lhs, rhs)


def neg(x: ir.Expr) -> ir.Unary:
    return ir.Unary(x.type, "neg", x)


def not_(x: ir.Expr) -> ir.Unary:
    return ir.Unary(BOOL, "not", x)


def cast(t: ir.ScalarType, x: ir.Expr) -> ir.Cast:
    return ir.Cast(t, x)


def at(t: ir.ScalarType, base: str, index: ir.Expr, checked: bool = False) -> ir.Index:
    return ir.Index(t, base, index, checked)


def length(base: str) -> ir.Len:
    return ir.Len(I32, base)


def builtin(name: str, *args: ir.Expr, dim: int = 0) -> ir.Builtin:
    if name in ir.ID_BUILTINS:
        t = I32
    elif name in ir.SYNC_BUILTINS:
        t = None
    elif name in ("isnan", "isinf"):
        t = BOOL
    else:
        t = args[0].type
    return ir.Builtin(t, name, list(args), dim)


def gid(dim: int = 0) -> ir.Builtin:
    return builtin("global_id", dim=dim)


def lid(dim: int = 0) -> ir.Builtin:
    return builtin("local_id", dim=dim)


def group(dim: int = 0) -> ir.Builtin:
    return builtin("group_id", dim=dim)


def set_(target: ir.Expr, value: ir.Expr) -> ir.Assign:
    return ir.Assign(target, value)


def if_(cond: ir.Expr, then: list, otherwise: list = ()) -> ir.If:
    return ir.If(cond, ir.Block(list(then)), ir.Block(list(otherwise)))


def loop(cond, body: list, step: list = ()) -> ir.Loop:
    return ir.Loop(cond, ir.Block(list(body)), ir.Block(list(step)))


def brk() -> ir.Break:
    return ir.Break()


def cont() -> ir.Continue:
    return ir.Continue()


def ret(value: ir.Expr = None) -> ir.Return:
    return ir.Return(value)


def do(e: ir.Expr) -> ir.ExprStmt:
    return ir.ExprStmt(e)


def atomic(opname: str, t: ir.ScalarType, base: str, index: ir.Expr, *args: ir.Expr) -> ir.Atomic:
    return ir.Atomic(t, opname, base, index, list(args))


def call(t, func: str, *args: ir.Expr) -> ir.Call:
    return ir.Call(t, func, list(args))


def select(cond: ir.Expr, then: ir.Expr, otherwise: ir.Expr) -> ir.Select:
    return ir.Select(then.type, cond, then, otherwise)


def logical(name: str, lhs: ir.Expr, rhs: ir.Expr) -> ir.Logical:
    return ir.Logical(BOOL, name, lhs, rhs)


def buf(name: str, t: ir.ScalarType) -> ir.Param:
    return ir.Param(name, ir.BufferType(t, True))


def rbuf(name: str, t: ir.ScalarType) -> ir.Param:
    return ir.Param(name, ir.BufferType(t, False))


def scalar(name: str, t: ir.ScalarType) -> ir.Param:
    return ir.Param(name, t)


def local(name: str, t: ir.ScalarType) -> ir.Local:
    return ir.Local(name, t)


def array(name: str, t: ir.ScalarType, n: int) -> ir.Local:
    return ir.Local(name, ir.ArrayType(t, n, "private"))


def shared(name: str, t: ir.ScalarType, n: int) -> ir.SharedArray:
    return ir.SharedArray(name, ir.ArrayType(t, n, "shared"))


def kernel(name: str, params: list, body: list, locals_: list = (), shared_: list = (),
           dims: int = 1, simd: bool = False) -> ir.Kernel:
    return ir.Kernel(name, list(params), ir.Block(list(body)), list(locals_), list(shared_),
                     None, dims, simd)


def function(name: str, params: list, ret_type, body: list, locals_: list = ()) -> ir.Function:
    return ir.Function(name, list(params), ret_type, ir.Block(list(body)), list(locals_))


def module(*kernels: ir.Kernel, functions: list = (), constants: list = (), verify: bool = True) -> ir.Module:
    """The module of these items, checked by the IR verifier (the engine may assume
    a verified module, so the tests feed it only those)."""
    m = ir.Module(list(kernels), list(functions), list(constants))
    if verify:
        verify_module(m)
    return m
