"""The source forms of cooperative matrices (`coop_matrix[T, R, C, USE]`) and their errors."""
import pytest

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.text import print_module

from .util import src

HEAD = "#[gpu(local_size=32)]\nfn k(x: &[f16], y: [f32], h: [f16], n: i32):\n"


def kernel_source(body: str) -> str:
    return HEAD + "".join(f"    {line}\n" for line in src(body).splitlines())


def module_of(body: str) -> ir.Module:
    return compile_source(kernel_source(body))


def error_of(body: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_source(kernel_source(body), "k.spl")
    return info.value.render()


def test_every_form_becomes_its_node():
    text = print_module(module_of("""
        var acc = coop_matrix[f32, 16, 16, acc].fill(0.0)
        val a = coop_matrix[f16, 16, 16, a].load(x, 0, n)
        val b = coop_matrix[f16, 16, 16, b].load_col_major(x, 256, 16)
        acc = gpu.coop_mul_add(a, b, acc)
        acc += acc * 0.5
        acc = 2.0 * acc / acc - acc
        acc.store(y, 0, n)
        acc.convert(f16).store_col_major(h, 0, 16)
        y[0] = acc.length() as f32 + coop_matrix[f16, 16, 8, b].length() as f32
    """))
    for line in ("local acc: coop<f32, 16, 16, acc>",
                 "acc = (coop.fill coop<f32, 16, 16, acc> 0.0:f32)",
                 "a = (coop.load coop<f16, 16, 16, a> x 0:i32 n row_major)",
                 "b = (coop.load coop<f16, 16, 16, b> x 256:i32 16:i32 col_major)",
                 "acc = (coop.mul_add coop<f32, 16, 16, acc> a b acc)",
                 "acc = (coop.add coop<f32, 16, 16, acc> acc (coop.scale coop<f32, 16, 16, acc> acc 0.5:f32))",
                 "coop_store acc y 0:i32 n row_major",
                 "coop_store (coop.convert coop<f16, 16, 16, acc> acc) h 0:i32 16:i32 col_major",
                 "(coop.length coop<f16, 16, 8, b>)"):
        assert line in text, line


def test_shared_arrays_are_sources_and_targets():
    text = print_module(module_of("""
        shared val tile: [f16; 256]
        val m = coop_matrix[f16, 16, 16, acc].load(tile, 0, 16)
        m.store(tile, 0, 16)
    """))
    assert "coop_store m tile 0:i32 16:i32 row_major" in text


@pytest.mark.parametrize("body, message", [
    ("val m = coop_matrix[f16, 16, a].fill(0.0)", "with 4 arguments, got 3"),
    ("val m = coop_matrix[bool, 16, 16, a].fill(0.0)", "must be a number type, not `bool`"),
    ("val m = coop_matrix[f16, 16, 16, c].fill(0.0)", "is `a`, `b` or `acc`, not `c`"),
    ("val m = coop_matrix[f16, n, 16, a].fill(0.0)", "must be a compile-time constant"),
    ("val m = coop_matrix[f16, 512, 16, a].fill(0.0)", "1 to 256 rows and columns, not 512"),
    ("val m = coop_matrix[f32, 16, 16, acc].load(x, 0, 16)", "`x` holds `f16`, the matrix `f32`"),
    ("val m = coop_matrix[f16, 16, 16, a].load(x, 0)", "takes 3 arguments"),
    ("val m = coop_matrix[f16, 16, 16, acc].fill(0.0)\nm.store(x, 0, 16)", "read-only"),
    ("val m = coop_matrix[f16, 16, 16, acc].fill(0.0)\ny[0] = m", "is not a scalar value here"),
    ("val m = coop_matrix[f16, 16, 16, acc].fill(0.0)\nval p = m + 1.0", "between a matrix and a scalar"),
    ("val a = coop_matrix[f16, 16, 16, a].fill(1.0)\nval c = gpu.coop_mul_add(a, a, a)",
     "must be a matrix of use `b`"),
    ("val a = coop_matrix[f16, 16, 8, a].fill(1.0)\nval b = coop_matrix[f16, 16, 16, b].fill(1.0)\n"
     "val c = gpu.coop_mul_add(a, b, coop_matrix[f32, 16, 16, acc].fill(0.0))", "shapes do not fit"),
    ("var m = coop_matrix[f16, 16, 16, acc].fill(0.0)\nm = coop_matrix[f32, 16, 16, acc].fill(0.0)",
     "mismatched types: expected `coop_matrix[f16, 16, 16, acc]`"),
    ("val m = coop_matrix[f16, 16, 16, acc].fill(0.0)\nm = m + m", "cannot assign twice to immutable binding `m`"),
    ("val t = coop_matrix[f16, 16, 16, acc]", "is a type, not a value"),
    ("val m = coop_matrix[f16, 16, 16, a].load(x, 4, 16)", "the offset 4 (8 bytes) is not a multiple of 16 bytes"),
    ("val m = coop_matrix[f16, 16, 16, a].load_col_major(x, 0, 12)", "the stride 12 (24 bytes)"),
    ("val m = coop_matrix[f32, 16, 16, acc].fill(0.0)\nval h2 = m.convert(i32)", "a float element type"),
    ("var m = coop_matrix[f32, 16, 16, acc].fill(0.0)\nif gpu.local_id(0) < 16:\n"
     "    m = m * 2.0", "a cooperative matrix operation is reached under a condition"),
])
def test_errors(body, message):
    assert message in error_of(body)


def test_matrices_only_in_kernels():
    text = """
        fn helper(n: i32) -> i32:
            val m = coop_matrix[f32, 16, 16, acc].fill(0.0)
            return n

        #[gpu]
        fn k(y: [i32]):
            y[0] = helper(1)
    """
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "k.spl")
    assert "only allowed in kernels" in info.value.render()
