"""Kernel IR modules built by hand, for tests that must not depend on the front end."""
from __future__ import annotations

from simple_vkbackend.lowering import ir


def gid(dim: int = 0) -> ir.Expr:
    return ir.Builtin(ir.I32, "global_id", dim=dim)


def saxpy_module() -> ir.Module:
    """saxpy(x: &[f32], y: [f32], a: f32): y[i] = a * x[i] + y[i] for i < len(x)."""
    i = ir.Var(ir.I32, "i")
    body = ir.Block([
        ir.Assign(ir.Var(ir.I32, "i"), gid()),
        ir.If(ir.Binary(ir.BOOL, "lt", i, ir.Len(ir.I32, "x")), ir.Block([
            ir.Assign(ir.Index(ir.F32, "y", i),
                      ir.Binary(ir.F32, "add",
                                ir.Binary(ir.F32, "mul", ir.Var(ir.F32, "a"), ir.Index(ir.F32, "x", i)),
                                ir.Index(ir.F32, "y", i)))])),
    ])
    kernel = ir.Kernel("saxpy", [ir.Param("x", ir.BufferType(ir.F32, writable=False)),
                                 ir.Param("y", ir.BufferType(ir.F32)), ir.Param("a", ir.F32)],
                       body, locals=[ir.Local("i", ir.I32)])
    return ir.Module(kernels=[kernel], name="saxpy")


def scalars_module() -> ir.Module:
    """fill2d(out: [i32], n: u8, flag: bool, scale: f64) on a 2-D grid."""
    body = ir.Block([ir.Assign(ir.Index(ir.I32, "out", gid(0)), ir.Cast(ir.I32, ir.Var(ir.U8, "n")))])
    kernel = ir.Kernel("fill2d", [ir.Param("out", ir.BufferType(ir.I32)), ir.Param("n", ir.U8),
                                  ir.Param("flag", ir.BOOL), ir.Param("scale", ir.F64)], body, dims=2)
    return ir.Module(kernels=[kernel], name="scalars")


def scale64_module() -> ir.Module:
    """scale64(x: [f64], s: f64): x[i] *= s — needs shaderFloat64."""
    i = gid()
    body = ir.Block([
        ir.If(ir.Binary(ir.BOOL, "lt", i, ir.Len(ir.I32, "x")), ir.Block([
            ir.Assign(ir.Index(ir.F64, "x", gid()),
                      ir.Binary(ir.F64, "mul", ir.Index(ir.F64, "x", gid()), ir.Var(ir.F64, "s")))])),
    ])
    scale = ir.Kernel("scale64", [ir.Param("x", ir.BufferType(ir.F64)), ir.Param("s", ir.F64)], body)
    module = saxpy_module()
    module.kernels.append(scale)
    module.name = "mixed"
    return module
