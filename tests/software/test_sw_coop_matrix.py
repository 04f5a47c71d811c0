"""Cooperative matrices on the software backend: the semantics per subgroup (f16 inputs,
f32 or f16 accumulation rounded to the result type, both layouts, buffers and shared
arrays, integer matrices), `length` per subgroup size, and the refusals of what a GPU
leaves undefined (a partial subgroup, operands that differ across a subgroup, elements
out of bounds)."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from simple_vkbackend.backends.software import SoftwareBackend
from simple_vkbackend.errors import SoftwareRunError
from simple_vkbackend.lowering import ir
from simple_vkbackend.software import run_kernel
from simple_vkbackend.software.errors import SoftwareExecutionError


def compile_kernel(body: str, params: str, subgroup_size: int = 32, local: int = 32) -> svk.Module:
    lines = "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    source = f"#[gpu(local_size={local})]\nfn k({params}):\n{lines}"
    return svk.compile_source(source, backend=SoftwareBackend(subgroup_size=subgroup_size))


def run(module: svk.Module, global_size: int, local: int = 32, **args) -> None:
    module.k(**args, global_size=global_size, local_size=local)


RNG = np.random.default_rng(3)


def halves(*shape) -> np.ndarray:
    return RNG.uniform(-2, 2, shape).astype(np.float16)


@pytest.mark.parametrize("subgroup_size", [8, 32])
def test_column_major_loads_and_stores_and_f16_accumulation(subgroup_size):
    m = compile_kernel("""
var acc = coop_matrix[f16, 16, 16, acc].fill(1.0)
val a = coop_matrix[f16, 16, 16, a].load(x, 0, 16)
val b = coop_matrix[f16, 16, 16, b].load_col_major(y, 0, 16)
acc = gpu.coop_mul_add(a, b, acc)
acc.store_col_major(out, 0, 16)
lengths[gpu.local_id(0)] = acc.length()
""", "x: &[f16], y: &[f16], out: [f16], lengths: [i32]", subgroup_size)
    x, y = halves(256), halves(256)
    out, lengths = np.zeros(256, np.float16), np.zeros(32, np.int32)
    run(m, 32, x=x, y=y, out=out, lengths=lengths)
    b = y.reshape(16, 16).T  # column-major: element (i, j) at j * 16 + i
    exact = x.reshape(16, 16).astype(np.float32) @ b.astype(np.float32) + 1
    np.testing.assert_array_equal(out.reshape(16, 16).T, exact.astype(np.float16))  # one rounding to f16
    assert (lengths == 256 // subgroup_size).all()


def test_f32_accumulation_scaling_and_elementwise_operations():
    m = compile_kernel("""
val a = coop_matrix[f16, 16, 16, a].load(x, 0, 16)
val b = coop_matrix[f16, 16, 16, b].load(x, 256, 16)
val c = gpu.coop_mul_add(a, b, coop_matrix[f32, 16, 16, acc].fill(0.5))
val d = (c * 2.0 - c) / (c + c) * c
d.store(out, 0, 16)
d.convert(f16).store(h, 0, 16)
""", "x: &[f16], out: [f32], h: [f16]")
    x = halves(512)
    out, h = np.zeros(256, np.float32), np.zeros(256, np.float16)
    run(m, 32, x=x, out=out, h=h)
    c = x[:256].reshape(16, 16).astype(np.float32) @ x[256:].reshape(16, 16).astype(np.float32) + np.float32(0.5)
    want = (c * np.float32(2) - c) / (c + c) * c
    np.testing.assert_allclose(out.reshape(16, 16), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(h, out.astype(np.float16))


def test_each_subgroup_its_own_tile_through_shared_memory():
    """Two subgroups of 32 in a work-group of 64, each staging its own tile."""
    m = compile_kernel("""
shared val tile: [f16; 512]
val sg = gpu.subgroup_id()
for i in range(8):
    tile[i * 64 + gpu.local_id(0)] = x[i * 64 + gpu.local_id(0)]
gpu.barrier()
val a = coop_matrix[f16, 16, 16, a].load(tile, sg * 256, 16)
val b = coop_matrix[f16, 16, 16, b].load(tile, (1 - sg) * 256, 16)
gpu.coop_mul_add(a, b, coop_matrix[f32, 16, 16, acc].fill(0.0)).store(out, sg * 256, 16)
""", "x: &[f16], out: [f32]", local=64)
    x = halves(512)
    out = np.zeros(512, np.float32)
    run(m, 64, local=64, x=x, out=out)
    t0, t1 = (x[i * 256:(i + 1) * 256].reshape(16, 16).astype(np.float32) for i in range(2))
    np.testing.assert_allclose(out[:256].reshape(16, 16), t0 @ t1, rtol=1e-6)
    np.testing.assert_allclose(out[256:].reshape(16, 16), t1 @ t0, rtol=1e-6)


def test_integer_matrices_accumulate_in_the_result_type():
    m = compile_kernel("""
val a = coop_matrix[i8, 16, 32, a].load(x, 0, 32)
val b = coop_matrix[i8, 32, 16, b].load(x, 512, 16)
val c = gpu.coop_mul_add(a, b, coop_matrix[i32, 16, 16, acc].fill(7)) * 3
c.store(out, 0, 16)
""", "x: &[i8], out: [i32]")
    x = RNG.integers(-128, 128, 1024).astype(np.int8)
    out = np.zeros(256, np.int32)
    run(m, 32, x=x, out=out)
    want = (x[:512].reshape(16, 32).astype(np.int64) @ x[512:].reshape(32, 16).astype(np.int64) + 7) * 3
    np.testing.assert_array_equal(out.reshape(16, 16), want)


def test_a_partial_subgroup_is_refused():
    """(The front end rejects this source; the IR reaches the software backend as is.)"""
    t = ir.CoopMatrixType(ir.F32, 16, 16, "acc")
    store = ir.CoopStore(ir.CoopFill(t, ir.Const(ir.F32, 1.0)), "out", ir.Const(ir.I32, 0), ir.Const(ir.I32, 16))
    lane = ir.Builtin(ir.I32, "local_id", [], 0)
    k = ir.Kernel("k", [ir.Param("out", ir.BufferType(ir.F32))],
                  ir.Block([ir.If(ir.Binary(ir.BOOL, "lt", lane, ir.Const(ir.I32, 8)), ir.Block([store]))]),
                  local_size=(32, 1, 1))
    with pytest.raises(SoftwareExecutionError, match="runs on 8 of the 32 lanes of a subgroup"):
        run_kernel(ir.Module([k]), "k", {"out": np.zeros(256, np.float32)}, (64,), (32,))


@pytest.mark.parametrize("body, message", [
    ("coop_matrix[f32, 16, 16, acc].fill(1.0).store(out, gpu.local_id(0), 16)",
     "the offset differs between the lanes of a subgroup"),
    ("coop_matrix[f32, 16, 16, acc].fill(gpu.local_id(0) as f32).store(out, 0, 16)",
     "the fill value differs between the lanes of a subgroup"),
    ("coop_matrix[f32, 16, 16, acc].fill(1.0).store(out, 16, 16)", "is out of bounds"),
    # alignment (the front end checks constants; these come from a parameter)
    ("coop_matrix[f32, 16, 16, acc].fill(1.0).store_col_major(out, 0, 15 * s)",
     "the stride 15 \\(60 bytes\\) is not a multiple of 16 bytes"),
    ("coop_matrix[f32, 16, 16, acc].fill(1.0).store(out, 2 * s, 16)", "the offset 2 \\(8 bytes\\)"),
    ("coop_matrix[f32, 16, 2, acc].fill(1.0).store(out, 2 * s, 14)", None),
])
def test_undefined_uses_are_refused(body, message):
    """(The last one is fine: rows of 2 f32 need 8-byte alignment only.)"""
    m = compile_kernel(body, "out: [f32], s: i32")
    out = np.zeros(256, np.float32)
    if message is None:
        run(m, 64, out=out, s=1)
        return
    with pytest.raises(SoftwareRunError, match=message):
        run(m, 64, out=out, s=1)
