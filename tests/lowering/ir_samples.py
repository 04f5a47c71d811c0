"""Hand-built kernel IR modules shared by the lowering tests."""
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir import BOOL, F32, I32, U32

c_i32 = lambda v: ir.Const(I32, v)  # noqa: E731


def every_node_module() -> ir.Module:
    """A verified module using every node kind, builtin family and declaration form."""
    square = ir.Function(
        "square", [ir.Param("x", F32)], F32,
        ir.Block([
            ir.Assign(ir.Var(F32, "t"), ir.Binary(F32, "mul", ir.Var(F32, "x"), ir.Var(F32, "x"))),
            ir.Return(ir.Var(F32, "t")),
        ]),
        [ir.Local("t", F32)],
    )
    note = ir.Function("note", [], None, ir.Block([ir.ExprStmt(ir.Builtin(None, "mem_fence")), ir.Return()]))
    i, y = ir.Var(I32, "i"), "y"
    body = ir.Block([
        ir.Assign(i, ir.Builtin(I32, "global_id", [], 0)),
        ir.If(ir.Binary(BOOL, "lt", i, ir.Len(I32, y)),
              ir.Block([ir.Assign(ir.Index(F32, y, i, checked=True),
                                  ir.Binary(F32, "add", ir.Binary(F32, "mul", ir.Var(F32, "a"), ir.Index(F32, "x", i, True)),
                                            ir.Index(F32, y, i, True)))]),
              ir.Block([ir.Return()])),
        ir.Loop(ir.Binary(BOOL, "lt", i, ir.Var(I32, "TILE")),
                ir.Block([ir.If(ir.Logical(BOOL, "or", ir.Var(BOOL, "flag"), ir.Const(BOOL, False)),
                                ir.Block([ir.Break()]), ir.Block([ir.Continue()]))]),
                ir.Block([ir.Assign(i, ir.Binary(I32, "add", i, c_i32(1)))])),
        ir.Loop(None, ir.Block([ir.Break()])),
        ir.Assign(ir.Index(F32, "tile", ir.Builtin(I32, "local_id", [], 1)),
                  ir.Builtin(F32, "clamp", [ir.Const(F32, -0.0), ir.Const(F32, float("-inf")), ir.Const(F32, 1e-45)])),
        ir.ExprStmt(ir.Builtin(None, "barrier")),
        ir.Assign(ir.Index(F32, "acc", ir.Const(ir.U8, 3)),
                  ir.Call(F32, "square", [ir.Select(F32, ir.Builtin(BOOL, "isnan", [ir.Var(F32, "PI")]),
                                                   ir.Const(F32, float("nan")), ir.Unary(F32, "neg", ir.Var(F32, "PI")))])),
        ir.ExprStmt(ir.Call(None, "note", [])),
        ir.Assign(ir.Var(U32, "old"), ir.Atomic(U32, "compare_exchange", "counts", ir.Cast(ir.I64, i),
                                                [ir.Const(U32, 0), ir.Const(U32, 4294967295)])),
        ir.ExprStmt(ir.Atomic(F32, "add", y, c_i32(0), [ir.Const(F32, 0.5)])),
        ir.Assign(ir.Var(BOOL, "flag"), ir.Unary(BOOL, "not", ir.Binary(BOOL, "ne", ir.Var(U32, "old"),
                                                                          ir.Unary(U32, "bitnot", ir.Const(U32, 7))))),
    ])
    saxpy = ir.Kernel(
        "saxpy",
        [ir.Param("a", F32), ir.Param("x", ir.BufferType(F32, False)), ir.Param(y, ir.BufferType(F32)),
         ir.Param("counts", ir.BufferType(U32))],
        body,
        [ir.Local("i", I32), ir.Local("old", U32), ir.Local("flag", BOOL),
         ir.Local("acc", ir.ArrayType(F32, 4, "private"))],
        [ir.SharedArray("tile", ir.ArrayType(F32, 256, "shared"))],
        local_size=(256, 1, 1), dims=2, simd=True, exact=True,
    )
    plain = ir.Kernel("plain", [ir.Param("n", ir.I64)], ir.Block([ir.Return()]))
    constants = [ir.Constant("TILE", I32, 16), ir.Constant("PI", F32, 3.141592653589793),
                 ir.Constant("ON", BOOL, True), ir.Constant("BIG", ir.F64, 1.5e300)]
    return ir.Module([saxpy, plain], [square, note], constants, name="every node")


EVERY_NODE_TEXT = '''\
module "every node"

const TILE: i32 = 16
const PI: f32 = 3.141592653589793
const ON: bool = true
const BIG: f64 = 1.5e+300

fn square(x: f32) -> f32 {
  local t: f32
  t = (mul.f32 x x)
  return t
}

fn note() {
  (gpu.mem_fence)
  return
}

kernel saxpy(a: f32, x: rbuf<f32>, y: buf<f32>, counts: buf<u32>) dims=2 local_size=(256, 1, 1) simd exact {
  shared tile: [f32; 256]
  local i: i32
  local old: u32
  local flag: bool
  local acc: [f32; 4]
  i = (gpu.global_id.i32 0)
  if (lt.bool i (len y)) {
    y[!i] = (add.f32 (mul.f32 a x[!i]) y[!i])
  } else {
    return
  }
  loop while (lt.bool i TILE) {
    if (or flag false) {
      break
    } else {
      continue
    }
  } step {
    i = (add.i32 i 1:i32)
  }
  loop {
    break
  }
  tile[(gpu.local_id.i32 1)] = (math.clamp.f32 -0.0:f32 -inf:f32 1e-45:f32)
  (gpu.barrier)
  acc[3:u8] = (call.f32 square (select.f32 (math.isnan.bool PI) nan:f32 (neg.f32 PI)))
  (call note)
  old = (atomic.compare_exchange.u32 &counts[(cast.i64 i)] 0:u32 4294967295:u32)
  (atomic.add.f32 &y[0:i32] 0.5:f32)
  flag = (not.bool (ne.bool old (bitnot.u32 7:u32)))
}

kernel plain(n: i64) dims=1 {
  return
}
'''
