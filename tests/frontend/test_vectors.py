"""Vectors `vec[N, T]` in the front end: the IR they become (scalars, one vector
access per load or store) and every misuse with its rendered message."""
import pytest

from simple_vkbackend.frontend import CompileError, compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.text import print_module
from simple_vkbackend.lowering.ir.walk import walk

from .util import compile_ok, src


def rendered(text: str) -> str:
    with pytest.raises(CompileError) as info:
        compile_source(src(text), "v.spl")
    return info.value.render()


def first_error(body: str, params: str = "x: &[f32], y: [f32], n: i32", attr: str = "#[gpu]") -> str:
    lines = "\n".join("    " + line for line in src(body).splitlines())
    with pytest.raises(CompileError) as info:
        compile_source(f"{attr}\nfn k({params}):\n{lines}\n", "v.spl")
    return info.value.render().split("\n\n")[0]


def ir_text(body: str, params: str = "x: &[f32], y: [f32], n: i32", attr: str = "#[gpu]") -> str:
    lines = "\n".join("    " + line for line in src(body).splitlines())
    return print_module(compile_ok(f"{attr}\nfn k({params}):\n{lines}\n"))


# --------------------------------------------------------------------------- what vectors become

def test_a_load_and_a_store_are_one_access_each():
    text = ir_text("""
        val i = gpu.global_id(0)
        val v = vec[4, f32].load(x, i * 4)
        (v * 2.0).store(y, i * 4)
    """)
    assert "vload v_x, v_y, v_z, v_w = x[i]" in text
    assert "vstore y[i] = (mul.f32 v_x 2.0:f32), (mul.f32 v_y 2.0:f32)" in text


@pytest.mark.parametrize("offset, index", [
    ("i * 4", "i"), ("4 * i", "i"), ("i * 8", "(mul.i32 i 2:i32)"), ("i << 2", "i"), ("i << 3", "(shl.i32 i 1:i32)"),
    ("12", "3:i32"), ("(i + 1) * 4", "(add.i32 i 1:i32)"),
])
def test_offsets_the_compiler_sees_are_multiples(offset, index):
    text = ir_text(f"""
        val i = gpu.global_id(0)
        val v = vec[4, f32].load(x, {offset})
        y[0] = v.x
    """)
    assert f"= x[{index}]" in text


def test_broadcast_operand_is_computed_once():
    text = ir_text("""
        val v = vec[2, f32](y[0], y[1])
        val w = v * (x[0] + 1.0)
        y[2] = w.x + w[1]
    """)
    assert text.count("(add.f32 x[0:i32] 1.0:f32)") == 1


def test_assignment_that_swaps_elements_goes_through_temporaries():
    text = ir_text("""
        var v = vec[2, f32](x[0], x[1])
        v = vec[2, f32](v.y, v.x)
        y[0] = v.x
    """)
    assert "vtmp_2 = v_y\n  vtmp_3 = v_x\n  v_x = vtmp_2\n  v_y = vtmp_3" in text


def test_simd_bounds_policies_guard_the_whole_vector():
    def body(policy):
        return ir_text("""
            val v = vec[4, f32].load(x, this.index() * 4)
            v.store(y, this.index() * 4)
        """, "x: &[f32], y: [f32]", f"@simd @bounds(default={policy})")
    assert "vload v_x, v_y, v_z, v_w = x[!" in body("return")
    clamp = body("clamp")
    assert "(div.i64 (cast.i64 (len x)) 4:i64)" in clamp and "select" in clamp
    zero = body("zero")
    assert "if (and (ge.bool" in zero and "v_x = 0.0:f32" in zero
    trap = body("trap")
    assert "atomic.compare_exchange" in trap and "(add.i64 (mul.i64" in trap


def test_kernel_sees_vector_widths_in_its_interface():
    from simple_vkbackend.lowering.interface import kernel_interface
    m = compile_ok(src("""
        #[gpu]
        fn k(x: &[f32], y: [f32], z: [i32]):
            val i = gpu.global_id(0)
            vec[2, f32].load(x, i * 2).store(y, i * 2)
            z[i] = 1
    """))
    widths = {p.name: p.vector for p in kernel_interface(m, m.kernels[0]).buffers}
    assert widths == {"x": 2, "y": 2, "z": 1}
    assert len(walk(m.kernels[0].body, (ir.VectorLoad, ir.VectorStore))) == 2


# --------------------------------------------------------------------------- misuse, one message each

def test_wrong_element_count():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            val v = vec[5, f32](1.0)
    """) == (
        "v.spl:3:17: error: a vector has 2, 3 or 4 elements, not 5\n"
        "    val v = vec[5, f32](1.0)\n"
        "                ^\n"
        "  hint: use several vectors, or an array `[T; N]`")


def test_mismatched_element_types():
    assert rendered("""
        #[gpu]
        fn k(y: [f32]):
            val a = vec[4, f32](1.0)
            val b = vec[4, i32](1)
            val c = a + b
    """) == (
        "v.spl:5:15: error: mismatched vector types: `vec[4, f32]` and `vec[4, i32]` in `+`\n"
        "    val c = a + b\n"
        "              ^\n"
        "  hint: convert one of them element by element")


def test_non_constant_element_index():
    assert rendered("""
        #[gpu]
        fn k(y: [f32], n: i32):
            val v = vec[4, f32](1.0)
            y[0] = v[n]
    """) == (
        "v.spl:4:14: error: a vector element index must be a compile-time constant\n"
        "    y[0] = v[n]\n"
        "             ^\n"
        "  hint: use `.x .y .z .w` or a literal; to pick an element at run time use an array `[T; N]`")


def test_unaligned_offset():
    assert rendered("""
        #[gpu]
        fn k(x: &[f32], n: i32):
            val v = vec[4, f32].load(x, n + 1)
    """) == (
        "v.spl:3:33: error: unaligned vector access: the offset must be written `i * 4` so that it is a "
        "multiple of 4\n"
        "    val v = vec[4, f32].load(x, n + 1)\n"
        "                                ^^^^^\n"
        "  hint: index vectors, e.g. `vec[4, T].load(x, i * 4)` reads elements 4*i to 4*i + 3")


def test_constant_offset_not_a_multiple():
    assert rendered("""
        #[gpu]
        fn k(x: &[f32], y: [f32]):
            vec[2, f32](1.0).store(y, 3)
    """) == (
        "v.spl:3:31: error: unaligned vector access: offset 3 is not a multiple of 2\n"
        "    vec[2, f32](1.0).store(y, 3)\n"
        "                              ^\n"
        "  hint: a `vec[2, T]` access starts at an element index that is a multiple of 2")


@pytest.mark.parametrize("body, message", [
    ("val v = vec[4, f32](1.0)\ny[0] = v", "`v` is a vector `vec[4, f32]` where a scalar is expected"),
    ("val v = vec[4, f32](1.0)\ny[0] = v.q", "`vec[4, f32]` has no element `.q`"),
    ("val v = vec[2, f32](1.0)\ny[0] = v.z", "`vec[2, f32]` has no element `.z`"),
    ("val v = vec[2, f32](1.0)\ny[0] = v.yx", "`vec[2, f32]` has no element `.yx`"),
    ("val v = vec[4, f32](1.0)\ny[0] = v[4]", "`vec[4, f32]` has no element 4"),
    ("val v = vec[3, f32].load(x, 0)", "a vector load moves 2 or 4 elements in one access; `vec[3, f32]` has 3"),
    ("val v = vec[4, f16].load(x, 0)", "mismatched types: `x` holds `f32`, the load is of `vec[4, f16]`"),
    ("vec[4, f32](1.0).store(x, 0)", "cannot write to `x`: it is a read-only buffer"),
    ("y[0] = vec[4, f32].load(x, 0).x", "a vector load must be the value of a declaration or an assignment"),
    ("val v = vec[4, f32](1.0)\nval b = v < v", "vectors cannot be compared with `<`"),
    ("val v = vec[4, f32](1.0)\nval s: f32 = v + v", "`v` is a vector `vec[4, f32]` where a scalar is expected"),
    ("val v = vec[4, i32](1)\nval b = v << 1", "`<<` is not defined on vectors"),
    ("val v = vec[4, i32](1)\nval b = sqrt(v)", "`sqrt` needs floats, found `vec[4, i32]`"),
    ("val v = vec[4, f32](1.0)\nval b = isnan(v)", "`isnan` of a vector would give a vector of `bool`"),
    ("val v: vec[4, f32] = 1.0", "expected `vec[4, f32]`, found a float literal"),
    ("val v: vec[2, f32] = vec[4, f32](1.0)", "mismatched types: expected `vec[2, f32]` for `v`, found `vec[4, f32]`"),
    ("val v = vec[2, bool](true)", "vectors of `bool` are not supported"),
    ("val v = vec[4, f32](1.0, 2.0)", "`vec[4, f32](...)` takes 1 value (for every element) or 4, got 2"),
    ("val v = vec[4, f32](1.0)\nv.x = 2.0", "cannot assign twice to immutable binding `v`"),
    ("val v = vec[4, f32]", "`vec[4, f32]` is a type, not a value"),
    ("y[0] = vec[1.0, 2.0]", "a vector `vec[1.0, 2.0]` where a scalar is expected"),
    ("val v = vec[2, u32](1)\nval w = -v", "cannot negate `vec[2, u32]`: its elements are unsigned"),
])
def test_misuse_is_reported(body, message):
    text = first_error(body)
    assert message in text, text
    assert text.startswith("v.spl:") and "^" in text


def test_call_in_a_scalar_vector_expression_is_refused():
    text = rendered("""
        fn f(a: f32) -> f32:
            return a
        #[gpu]
        fn k(y: [f32]):
            val v = vec[2, f32](1.0)
            y[0] = (v * f(2.0)).sum()
    """)
    assert "a call or atomic in a vector operand here would run once per element" in text


def test_vectors_are_not_parameters():
    text = rendered("""
        fn f(v: vec[4, f32]) -> f32:
            return 1.0
    """)
    assert text.startswith("v.spl:1:9: error: a vector `vec[4, f32]` cannot be used here")


def test_one_vector_width_per_buffer():
    with pytest.raises(Exception, match="one vector width in a kernel"):
        compile_ok(src("""
            #[gpu]
            fn k(x: &[f32], y: [f32]):
                val a = vec[4, f32].load(x, 0)
                val b = vec[2, f32].load(x, 0)
                y[0] = a.x + b.x
        """))


def test_vec_is_still_a_name():
    m = compile_ok(src("""
        #[gpu]
        fn k(vec: [f32]):
            vec[0] = vec[1]
    """))
    assert isinstance(m.kernels[0].body.stmts[0], ir.Assign)
